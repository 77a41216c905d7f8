//! One test per kind of error: each must name the file, the flow and the
//! node (and a line where the file says where).

use std::path::Path;

use super::*;

pub(super) const FILE: &str = "flows.toml";

/// A valid file the tests add to: flow `f`, nodes `a` (play) -> `b` (hangup).
pub(super) const BASE: &str = r#"
[[attach]]
trunk_group = "pstn"
flow = "f"

[flows.f]
start = "a"
languages = ["en"]

[flows.f.nodes.a]
kind = "play"
prompts = ["hello"]
next = "b"

[flows.f.nodes.b]
kind = "hangup"
"#;

pub(super) fn parse(text: &str) -> Result<FlowSet, FlowErrors> {
    parse_str(
        Path::new(FILE),
        text,
        None,
        &["pstn".to_owned(), "pbx".to_owned()],
    )
}

pub(super) fn errors(text: &str) -> Vec<FlowError> {
    match parse(text) {
        Ok(_) => panic!("loaded without errors:\n{text}"),
        Err(e) => e.0,
    }
}

/// The error about `flow`/`node` whose message contains `needle`.
pub(super) fn find<'e>(
    errs: &'e [FlowError],
    flow: Option<&str>,
    node: Option<&str>,
    needle: &str,
) -> &'e FlowError {
    let found = errs.iter().find(|e| {
        e.flow.as_deref() == flow && e.node.as_deref() == node && e.message.contains(needle)
    });
    let Some(e) = found else {
        let all: Vec<String> = errs.iter().map(ToString::to_string).collect();
        panic!(
            "no error for flow {flow:?} node {node:?} containing {needle:?}; got:\n{}",
            all.join("\n")
        );
    };
    assert_eq!(e.file, Path::new(FILE));
    e
}

/// `find` for a node of flow `f`, also checking the Display form.
pub(super) fn node_error<'e>(errs: &'e [FlowError], node: &str, needle: &str) -> &'e FlowError {
    let e = find(errs, Some("f"), Some(node), needle);
    let shown = e.to_string();
    assert!(shown.starts_with(FILE), "{shown}");
    assert!(
        shown.contains(&format!("flow `f`, node `{node}`: ")),
        "{shown}"
    );
    e
}

/// The 1-based line of the first line of `text` containing `needle`.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle in text")
        + 1
}

#[test]
fn base_is_valid() {
    let set = parse(BASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.flows["f"].nodes.len(), 2);
}

#[test]
fn syntax_error_has_line_and_column() {
    let text = format!("{BASE}\n[flows.f.nodes.c]\nkind = \n");
    let errs = errors(&text);
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert_eq!(e.file, Path::new(FILE));
    assert_eq!(e.line, Some(text.lines().count()), "the last line");
    assert!(e.column.is_some());
    assert!(e.message.starts_with("invalid TOML"), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("{FILE}:{}:", text.lines().count())),
        "{e}"
    );
}

#[test]
fn wrong_type_names_field_and_line() {
    let text = BASE.replace(r#"prompts = ["hello"]"#, r#"prompts = "hello""#);
    let errs = errors(&text);
    let e = node_error(&errs, "a", "`prompts`");
    assert!(e.message.contains("invalid type"), "{e}");
    assert_eq!(e.line, Some(line_of(&text, r#"prompts = "hello""#)));
}

#[test]
fn unknown_key_in_a_node() {
    let text = BASE.replace(r#"next = "b""#, r#"nxt = "b""#);
    let errs = errors(&text);
    let e = node_error(&errs, "a", "unknown field `nxt`");
    assert_eq!(e.line, Some(line_of(&text, "nxt = ")));
}

#[test]
fn unknown_kind() {
    let text = BASE.replace(r#"kind = "hangup""#, r#"kind = "hangpu""#);
    let errs = errors(&text);
    let e = node_error(&errs, "b", "unknown variant `hangpu`");
    assert_eq!(e.line, Some(line_of(&text, "hangpu")));
    // `a` refers to the broken node: that is not a second error.
    assert_eq!(errs.len(), 1, "{errs:?}");
}

#[test]
fn unknown_keys_in_a_flow_and_at_the_top() {
    let text = BASE.replace(
        "languages = [\"en\"]",
        "languages = [\"en\"]\nstrat = \"a\"",
    ) + "\n[flow.g]\nstart = \"x\"\n";
    let errs = errors(&text);
    let e = find(&errs, Some("f"), None, "unknown field `strat`");
    assert_eq!(e.line, Some(line_of(&text, "strat")));
    find(&errs, None, None, "unknown key `flow`");
}

#[test]
fn attach_rules_are_checked() {
    let text = format!(
        "{BASE}
[[attach]]
trunk_group = \"pstn\"
dnis = \"555\"
flow = \"nosuchflow\"

[[attach]]
trunk_group = \"sip\"
dnis = \"100\"
flow = \"f\"

[[attach]]
trunk_group = \"pstn\"
dnis = \"800*\"
flow = \"f\"

[[attach]]
trunk_group = \"pstn\"
dnis = \"800*\"
flow = \"f\"

[[attach]]
trunk_group = \"pstn\"
dnis = \"8*0\"
flow = \"f\"
"
    );
    let errs = errors(&text);
    let e = find(&errs, None, None, "no flow `nosuchflow`");
    assert_eq!(e.line, Some(line_of(&text, "nosuchflow")));
    let e = find(&errs, None, None, "trunk group `sip` is not configured");
    assert!(e.message.contains("pstn, pbx"), "{e}");
    find(
        &errs,
        None,
        None,
        "dnis `800*` of trunk group `pstn` is given twice",
    );
    find(&errs, None, None, "dnis `8*0` is not a number");
    assert_eq!(errs.len(), 4, "{errs:#?}");
    // Without configured trunk groups, any group is accepted.
    let ok = parse_str(Path::new(FILE), &BASE.replace("pstn", "sip"), None, &[]);
    assert!(ok.is_ok());
}

#[test]
fn lists_and_calendars_must_exist_and_be_valid() {
    let text = BASE
        .replace(
            "[flows.f.nodes.a]\nkind = \"play\"",
            "[flows.f.nodes.s]
kind = \"screen\"
black = \"nolist\"
next = \"t\"

[flows.f.nodes.t]
kind = \"time_route\"
calendar = \"nocal\"
holiday = \"a\"
default = \"a\"

[flows.f.nodes.a]
kind = \"play\"",
        )
        .replace("start = \"a\"", "start = \"s\"")
        + "
[lists.bad]
numbers = [\"12ab\"]
[calendars.bad]
dates = [\"2026-02-30\"]
yearly = [\"13-01\"]
";
    let errs = errors(&text);
    let e = node_error(&errs, "s", "`black` names no list `nolist`");
    assert_eq!(e.line, Some(line_of(&text, "nolist")));
    node_error(&errs, "t", "`calendar` names no calendar `nocal`");
    find(&errs, None, None, "list `bad`: `12ab` is not a number");
    find(
        &errs,
        None,
        None,
        "calendar `bad`: `2026-02-30` is not a date",
    );
    find(
        &errs,
        None,
        None,
        "calendar `bad`: `13-01` is not a day of the year",
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");
}

#[test]
fn times_and_days_in_rules_are_checked() {
    let text = BASE
        .replace(
            "[flows.f.nodes.a]\nkind = \"play\"",
            "[flows.f.nodes.t]
kind = \"time_route\"
rules = [ { days = \"mon-fry\", from = \"08:00\", to = \"20:00\", next = \"a\" },
          { from = \"25:00\", to = \"08:00\", next = \"a\" },
          { from = \"09:00\", to = \"09:00\", next = \"a\" },
          { days = [], from = \"09:00\", to = \"10:00\", next = \"a\" },
          { from = \"09:00\", to = \"10:00\", next = \"a\", note = \"x\" } ]
default = \"a\"

[flows.f.nodes.a]
kind = \"play\"",
        )
        .replace("start = \"a\"", "start = \"t\"");
    let errs = errors(&text);
    // The unknown key makes the node unreadable; fix it to see the rest.
    node_error(&errs, "t", "unknown field `note`");
    let text = text.replace(", note = \"x\"", "");
    let errs = errors(&text);
    node_error(&errs, "t", "`fry` is not a day");
    node_error(&errs, "t", "`25:00` is not a time of day");
    node_error(&errs, "t", "09:00-09:00 is empty");
    node_error(&errs, "t", "`days` is empty");
    assert_eq!(errs.len(), 4, "{errs:#?}");
}

pub(super) fn with_menu(keys: &str) -> String {
    BASE.replace(
        "[flows.f.nodes.a]\nkind = \"play\"",
        &format!(
            "[flows.f.nodes.m]
kind = \"menu\"
prompt = \"p\"
{keys}
fallback = \"a\"

[flows.f.nodes.a]
kind = \"play\""
        ),
    )
    .replace("start = \"a\"", "start = \"m\"")
}

#[test]
fn menu_digits_are_dtmf() {
    let text = with_menu("options = { \"1x\" = \"a\", \"2\" = \"b\" }\nterminator = \"##\"");
    let errs = errors(&text);
    let e = node_error(&errs, "m", "`1x` in `options` is not DTMF");
    assert_eq!(e.line, Some(line_of(&text, "options = ")));
    let e = node_error(&errs, "m", "`terminator` `##` is not one DTMF digit");
    assert_eq!(e.line, Some(line_of(&text, "terminator")));
    let errs = errors(&with_menu(
        "options = { \"1#\" = \"a\" }\nterminator = \"#\"",
    ));
    node_error(&errs, "m", "`terminator` `#` is also part of option `1#`");
}

#[test]
fn menu_digit_counts_and_attempts_are_checked() {
    let errs = errors(&with_menu("options = { \"12\" = \"a\" }\nmax_digits = 1"));
    node_error(&errs, "m", "option `12` is longer than `max_digits` (1)");
    let errs = errors(&with_menu(
        "options = { \"1\" = \"a\" }\nmin_digits = 2\nmax_digits = 3",
    ));
    node_error(&errs, "m", "option `1` is shorter than `min_digits` (2)");
    let errs = errors(&with_menu("next = \"a\"\nmin_digits = 5\nmax_digits = 4"));
    node_error(&errs, "m", "`min_digits` (5) is more than `max_digits` (4)");
    let errs = errors(&with_menu("next = \"a\"\nmax_digits = 33"));
    node_error(&errs, "m", "`max_digits` = 33 is out of range (1..=32)");
    for n in [0, 11, -1] {
        let errs = errors(&with_menu(&format!("next = \"a\"\nattempts = {n}")));
        node_error(
            &errs,
            "m",
            &format!("`attempts` = {n} is out of range (1..=10)"),
        );
    }
    let errs = errors(&with_menu("store = \"x\""));
    node_error(&errs, "m", "a menu needs `options`, or `next`");
    let errs = errors(&with_menu("options = { \"1\" = \"a\" }\nnext = \"a\""));
    node_error(&errs, "m", "cannot be used with `options`");
    assert!(parse(&with_menu("next = \"a\"\nmin_digits = 4\nmax_digits = 32")).is_ok());
}

#[test]
fn prompt_names_may_not_leave_the_prompt_directory() {
    for (name, needle) in [
        ("../etc/passwd", "contains `..`"),
        ("/etc/passwd", "starts with '/'"),
        ("a\\u0000b", "contains a NUL"),
        ("", "empty"),
    ] {
        let text = BASE.replace("prompts = [\"hello\"]", &format!("prompts = [\"{name}\"]"));
        let errs = errors(&text);
        let e = node_error(&errs, "a", needle);
        assert_eq!(e.line, Some(line_of(&text, "prompts = ")));
    }
}

#[test]
fn missing_prompts_are_errors_when_a_prompt_dir_is_given() {
    let dir = std::env::temp_dir().join(format!("trunkd-flow-missing-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("en")).expect("mkdir");
    let text = BASE.replace("kind = \"hangup\"", "kind = \"hangup\"\nprompt = \"bye\"");
    std::fs::write(dir.join("en").join("hello.al"), b"x").expect("write");
    let errs = parse_str(Path::new(FILE), &text, Some(&dir), &[])
        .expect_err("bye is missing")
        .0;
    let e = node_error(&errs, "b", "prompt `bye` not found for language `en`");
    assert_eq!(errs.len(), 1, "{e}");
    std::fs::write(dir.join("bye.sln"), b"x").expect("write");
    let ok = parse_str(Path::new(FILE), &text, Some(&dir), &[]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok.is_ok(), "{}", ok.unwrap_err());
}

#[test]
fn templates_are_checked() {
    let text = BASE.replace(
        "[flows.f.nodes.b]\nkind = \"hangup\"",
        "[flows.f.nodes.b]
kind = \"set\"
vars = { x = \"${ani\", \"bad-name\" = \"1\" }
next = \"v\"

[flows.f.nodes.v]
kind = \"voicemail\"
mailbox = \"box-${a b}\"
next = \"t\"

[flows.f.nodes.t]
kind = \"transfer\"
trunk_group = \"pbx\"
number = \"9${}\"
failed = \"c\"

[flows.f.nodes.c]
kind = \"compare\"
var = \"digits\"
op = \"nearly\"
then = \"e\"
otherwise = \"e\"

[flows.f.nodes.e]
kind = \"hangup\"",
    );
    let errs = errors(&text);
    node_error(&errs, "b", "unterminated `${`");
    node_error(&errs, "b", "`bad-name` is not a variable name");
    node_error(&errs, "v", "`${a b}` in `box-${a b}` is not a variable");
    node_error(&errs, "t", "`${}` in `9${}` is not a variable");
    node_error(&errs, "c", "names no variable; write `${digits}`");
    node_error(&errs, "c", "`op` `nearly` is not one of");
    assert_eq!(errs.len(), 6, "{errs:#?}");
}

#[test]
fn node_values_are_range_checked() {
    let text = BASE.replace(
        "[flows.f.nodes.b]\nkind = \"hangup\"",
        "[flows.f.nodes.b]
kind = \"script\"
name = \"s\"
timeout_ms = 0
fallback = \"x\"

[flows.f.nodes.x]
kind = \"transfer\"
trunk_group = \"sip\"
number = \"1\"
failed = \"y\"

[flows.f.nodes.y]
kind = \"screen\"
vip = \"v\"
next = \"z\"

[flows.f.nodes.z]
kind = \"hangup\"
cause = 300",
    ) + "[lists.v]\nnumbers = [\"1\"]\n";
    let errs = errors(&text);
    node_error(&errs, "b", "`timeout_ms` = 0 is out of range");
    node_error(&errs, "x", "trunk group `sip` is not configured");
    node_error(&errs, "y", "`vip` needs a `vip_next` node");
    node_error(&errs, "z", "`cause` = 300 is out of range (1..=127)");
    assert_eq!(errs.len(), 4, "{errs:#?}");
}

#[test]
fn select_language_must_use_the_flows_languages() {
    let text = BASE
        .replace(
            "[flows.f.nodes.a]\nkind = \"play\"",
            "[flows.f.nodes.l]
kind = \"select_language\"
prompt = \"choose\"
options = { \"1\" = \"en\", \"2\" = \"fr\", \"12\" = \"en\" }
default = \"de\"
next = \"a\"

[flows.f.nodes.a]
kind = \"play\"",
        )
        .replace("start = \"a\"", "start = \"l\"");
    let errs = errors(&text);
    node_error(&errs, "l", "language `fr` is not in the flow's `languages`");
    node_error(&errs, "l", "language `de` is not in the flow's `languages`");
    node_error(&errs, "l", "option `12` is not one digit");
    assert_eq!(errs.len(), 3, "{errs:#?}");
}
