//! Errors that need the whole flow: references, reachability, loops
//! without input, what runs after a hangup, and collecting them all.

use super::tests_errors::{errors, find, line_of, node_error, parse, with_menu, BASE};
use super::FlowErrors;

#[test]
fn every_kind_of_node_reference_is_checked() {
    let text = r#"
[lists.l]
numbers = ["1"]
[calendars.c]
dates = ["2026-01-01"]

[flows.f]
start = "nowhere_start"
on_hangup = "nowhere_hangup"

[flows.f.nodes.menu]
kind = "menu"
prompt = "p"
options = { "1" = "nowhere_option" }
fallback = "nowhere_fallback"

[flows.f.nodes.cmp]
kind = "compare"
var = "${x}"
op = "eq"
then = "nowhere_then"
otherwise = "nowhere_otherwise"

[flows.f.nodes.look]
kind = "lookup"
query = "q"
branches = { yes = "nowhere_branch" }
default = "nowhere_default"
timeout = "nowhere_timeout"

[flows.f.nodes.tr]
kind = "time_route"
calendar = "c"
holiday = "nowhere_holiday"
rules = [ { from = "08:00", to = "09:00", next = "nowhere_rule" } ]
default = "menu"

[flows.f.nodes.scr]
kind = "screen"
vip = "l"
vip_next = "nowhere_vip"
next = "nowhere_next"

[flows.f.nodes.xfer]
kind = "transfer"
trunk_group = "pbx"
number = "1"
failed = "nowhere_failed"
"#;
    let errs = errors(text);
    for (node, field, target) in [
        ("menu", "options", "nowhere_option"),
        ("menu", "fallback", "nowhere_fallback"),
        ("cmp", "then", "nowhere_then"),
        ("cmp", "otherwise", "nowhere_otherwise"),
        ("look", "branches", "nowhere_branch"),
        ("look", "default", "nowhere_default"),
        ("look", "timeout", "nowhere_timeout"),
        ("tr", "holiday", "nowhere_holiday"),
        ("tr", "rules", "nowhere_rule"),
        ("scr", "vip_next", "nowhere_vip"),
        ("scr", "next", "nowhere_next"),
        ("xfer", "failed", "nowhere_failed"),
    ] {
        let e = node_error(&errs, node, &format!("`{field}` names no node `{target}`"));
        assert_eq!(e.line, Some(line_of(text, target)), "{e}");
    }
    let e = find(
        &errs,
        Some("f"),
        None,
        "`start` names no node `nowhere_start`",
    );
    assert_eq!(e.line, Some(line_of(text, "nowhere_start")));
    find(
        &errs,
        Some("f"),
        None,
        "`on_hangup` names no node `nowhere_hangup`",
    );
    assert_eq!(errs.len(), 14, "{errs:#?}");
}

#[test]
fn unreachable_nodes_are_errors() {
    let text = format!("{BASE}\n[flows.f.nodes.lost]\nkind = \"hangup\"\n");
    let errs = errors(&text);
    let e = node_error(&errs, "lost", "unreachable");
    assert_eq!(e.line, Some(line_of(&text, "[flows.f.nodes.lost]")));
    assert_eq!(errs.len(), 1);
}

#[test]
fn loops_without_input_name_their_nodes() {
    let text = BASE
        .replace(
            "[flows.f.nodes.a]\nkind = \"play\"",
            "[flows.f.nodes.s1]
kind = \"set\"
vars = { n = \"1\" }
next = \"c1\"

[flows.f.nodes.c1]
kind = \"compare\"
var = \"${n}\"
op = \"eq\"
value = \"1\"
then = \"s1\"
otherwise = \"a\"

[flows.f.nodes.a]
kind = \"play\"",
        )
        .replace("start = \"a\"", "start = \"s1\"");
    let errs = errors(&text);
    let e = node_error(&errs, "c1", "loop without input");
    assert!(e.message.contains("`c1`, `s1`"), "{e}");
    assert_eq!(errs.len(), 1);
    // A notify that goes to itself is a loop too.
    let text = BASE.replace(
        "[flows.f.nodes.b]\nkind = \"hangup\"",
        "[flows.f.nodes.b]\nkind = \"notify\"\nname = \"n\"\nnext = \"b\"",
    );
    node_error(&errors(&text), "b", "loop without input: `b`");
    // A loop through a node that waits (a menu) is fine.
    let ok = with_menu("options = { \"1\" = \"m\" }");
    assert!(parse(&ok).is_ok(), "{}", parse(&ok).unwrap_err());
}

#[test]
fn on_hangup_may_not_reach_media_nodes() {
    let text = BASE.replace("start = \"a\"", "start = \"a\"\non_hangup = \"h\"")
        + "
[flows.f.nodes.h]
kind = \"set\"
vars = { why = \"abandoned\" }
next = \"h2\"

[flows.f.nodes.h2]
kind = \"notify\"
name = \"gone\"
next = \"a\"
";
    let errs = errors(&text);
    let e = node_error(
        &errs,
        "a",
        "a `play` node cannot run after the caller hung up",
    );
    assert!(e.message.contains("`h`"), "{e}");
    // `b` (hangup) follows `a`, so it is reached too.
    node_error(
        &errs,
        "b",
        "a `hangup` node cannot run after the caller hung up",
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
}

#[test]
fn all_errors_are_collected_across_flows_in_file_order() {
    let text = format!(
        "{BASE}
[flows.f.nodes.lost]
kind = \"hangup\"

[flows.g]
start = \"x\"

[flows.g.nodes.x]
kind = \"play\"
prompts = [\"p\"]
next = \"nowhere\"
bogus = 1

[flows.g.nodes.y]
kind = \"queue\"
queue = \"\"
next = \"gone\"
"
    );
    let errs = errors(&text);
    find(&errs, Some("f"), Some("lost"), "unreachable");
    find(&errs, Some("g"), Some("x"), "unknown field `bogus`");
    find(&errs, Some("g"), Some("y"), "`queue` is empty");
    find(&errs, Some("g"), Some("y"), "`next` names no node `gone`");
    assert_eq!(errs.len(), 4, "{errs:#?}");
    let lines: Vec<usize> = errs.iter().filter_map(|e| e.line).collect();
    assert_eq!(lines.len(), 4);
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    let shown = FlowErrors(errs).to_string();
    assert_eq!(shown.lines().count(), 4, "{shown}");
}
