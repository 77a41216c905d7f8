//! The sample flows file loads clean, with the defaults and shapes the
//! runtime relies on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

const SAMPLE: &str = include_str!("testdata/sample.toml");

fn groups() -> Vec<String> {
    vec!["pstn".into(), "pbx".into()]
}

fn sample() -> FlowSet {
    match parse_str(Path::new("sample.toml"), SAMPLE, None, &groups()) {
        Ok(s) => s,
        Err(e) => panic!("sample does not load:\n{e}"),
    }
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "trunkd-flow-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn all_prompts(set: &FlowSet) -> BTreeSet<String> {
    set.flows
        .values()
        .flat_map(|f| f.nodes.values())
        .flat_map(|n| n.prompts())
        .map(str::to_owned)
        .collect()
}

#[test]
fn sample_loads_from_disk() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ivr/flow/testdata/sample.toml");
    let set = load(&path, None, &groups()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.file, path);
    assert_eq!(
        set.flows.keys().collect::<Vec<_>>(),
        vec!["hotline", "main"]
    );
    assert_eq!(set.flows["main"].nodes.len(), 22);
    assert_eq!(set.lists.len(), 2);
    assert_eq!(set.calendars.len(), 1);
}

#[test]
fn sample_covers_every_node_kind() {
    let set = sample();
    let kinds: BTreeSet<&str> = set
        .flows
        .values()
        .flat_map(|f| f.nodes.values())
        .map(Node::kind_name)
        .collect();
    for k in [
        "play",
        "menu",
        "select_language",
        "set",
        "compare",
        "lookup",
        "time_route",
        "screen",
        "voicemail",
        "transfer",
        "queue",
        "script",
        "notify",
        "hangup",
    ] {
        assert!(kinds.contains(k), "sample has no `{k}` node");
    }
}

#[test]
fn attach_picks_exact_then_longest_prefix_then_default() {
    let set = sample();
    assert_eq!(
        set.attach_for("pstn", "8000").map(|a| a.flow.as_str()),
        Some("main")
    );
    assert_eq!(
        set.attach_for("pstn", "8001").map(|a| a.flow.as_str()),
        Some("hotline")
    );
    assert_eq!(
        set.attach_for("pstn", "800").map(|a| a.flow.as_str()),
        Some("hotline")
    );
    assert_eq!(
        set.attach_for("pstn", "12345").map(|a| a.flow.as_str()),
        Some("main")
    );
    assert!(set.attach_for("pbx", "8000").is_none());

    let mut longer = set.clone();
    longer.attach.push(Attach {
        trunk_group: "pstn".into(),
        dnis: Some("8001*".into()),
        flow: "main".into(),
    });
    assert_eq!(
        longer.attach_for("pstn", "80019").map(|a| a.flow.as_str()),
        Some("main")
    );
    assert_eq!(
        longer.attach_for("pstn", "8002").map(|a| a.flow.as_str()),
        Some("hotline")
    );
}

#[test]
fn menus_get_the_documented_defaults() {
    let set = sample();
    let main = &set.flows["main"];
    let Node::Menu(m) = &main.nodes["main_menu"] else {
        panic!("main_menu is not a menu");
    };
    assert_eq!((m.min_digits, m.max_digits), (1, 1));
    assert_eq!(m.first_digit_timeout_ms, 5000);
    assert_eq!(m.inter_digit_timeout_ms, 3000);
    assert_eq!(m.attempts, 3);
    assert_eq!(m.terminator, None);
    assert_eq!(m.options["9"], "vm");
    let Node::Menu(acct) = &main.nodes["account"] else {
        panic!("account is not a menu");
    };
    assert_eq!((acct.min_digits, acct.max_digits), (6, 8));
    assert_eq!(acct.terminator, Some('#'));
    assert_eq!(acct.first_digit_timeout_ms, 8000);
    assert_eq!(acct.store.as_deref(), Some("account"));
    assert_eq!(acct.next.as_deref(), Some("check_account"));
    assert!(acct.options.is_empty());
}

#[test]
fn other_nodes_get_the_documented_defaults() {
    let set = sample();
    let main = &set.flows["main"];
    let hot = &set.flows["hotline"];
    assert!(matches!(
        &main.nodes["lang"],
        Node::SelectLanguage { timeout_ms: 5000, default, .. } if default == "en"
    ));
    assert!(matches!(
        &main.nodes["check_account"],
        Node::Lookup {
            timeout_ms: 3000,
            ..
        }
    ));
    assert!(matches!(
        &main.nodes["support"],
        Node::Script {
            timeout_ms: 5000,
            ..
        }
    ));
    assert!(matches!(
        &hot.nodes["day"],
        Node::Transfer {
            timeout_ms: 30_000,
            caller_id: None,
            ..
        }
    ));
    assert!(matches!(
        &main.nodes["transfer_key_accounts"],
        Node::Transfer { caller_id: Some(c), .. } if c == "8000"
    ));
    assert!(matches!(
        &hot.nodes["night"],
        Node::Voicemail {
            max_seconds: 180,
            beep: false,
            prompt: None,
            ..
        }
    ));
    assert!(matches!(
        &main.nodes["vm"],
        Node::Voicemail {
            max_seconds: 120,
            beep: true,
            ..
        }
    ));
    assert!(matches!(
        &main.nodes["screen"],
        Node::Screen { busy_ms: 5000, .. }
    ));
    assert!(matches!(
        &hot.nodes["bye"],
        Node::Hangup {
            cause: 16,
            prompt: None
        }
    ));
    assert!(matches!(
        &main.nodes["account_locked"],
        Node::Hangup { cause: 21, .. }
    ));
    assert!(matches!(
        &main.nodes["notify_abandoned"],
        Node::Notify { next: None, .. }
    ));
    assert!(matches!(
        &main.nodes["priority"],
        Node::Compare {
            op: CompareOp::Prefix,
            ..
        }
    ));
}

#[test]
fn time_rules_and_calendars_are_parsed() {
    let set = sample();
    let Node::TimeRoute {
        rules,
        calendar,
        holiday,
        ..
    } = &set.flows["main"].nodes["hours"]
    else {
        panic!("hours is not a time_route");
    };
    assert_eq!(calendar.as_deref(), Some("cn"));
    assert_eq!(holiday.as_deref(), Some("closed"));
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].days, DaySet(0b001_1111));
    assert_eq!((rules[0].from_min, rules[0].to_min), (480, 1200));
    assert_eq!(rules[1].days, DaySet(0b010_0000));
    assert_eq!(rules[1].next, "lang");
    let Node::TimeRoute { rules, .. } = &set.flows["hotline"].nodes["shift"] else {
        panic!("shift is not a time_route");
    };
    assert_eq!(rules[0].days, DaySet::ALL);
    assert_eq!((rules[0].from_min, rules[0].to_min), (1200, 480));
    let cn = &set.calendars["cn"];
    assert!(cn.dates.contains(&(2026, 10, 1)));
    assert!(cn.dates.contains(&(2027, 2, 17)), "a TOML date is accepted");
    assert!(cn.yearly.contains(&(12, 25)));
    assert!(set.lists["blocked"].matches("0900555"));
    assert!(set.lists["vip"].matches("+8613812345678"));
}

#[test]
fn successors_match_references_and_are_unique() {
    let set = sample();
    for flow in set.flows.values() {
        for node in flow.nodes.values() {
            let succ = node.successors();
            let refs: BTreeSet<&str> = node.references().into_iter().map(|(_, t)| t).collect();
            assert_eq!(succ.iter().copied().collect::<BTreeSet<_>>(), refs);
            assert_eq!(succ.len(), refs.len(), "duplicates in {succ:?}");
        }
    }
    let succ = set.flows["main"].nodes["sales"].successors();
    assert_eq!(succ, vec!["main_menu", "sales_queue", "transfer_sales"]);
}

#[test]
fn only_some_kinds_are_instantaneous() {
    let set = sample();
    let main = &set.flows["main"];
    for (name, waits) in [
        ("screen", false),
        ("hours", false),
        ("account_ok", false),
        ("priority", false),
        ("notify_abandoned", false),
        ("closed", true),
        ("main_menu", true),
        ("lang", true),
        ("check_account", true),
        ("support", true),
        ("vm", true),
        ("transfer_sales", true),
        ("agent", true),
        ("goodbye", true),
    ] {
        assert_eq!(main.nodes[name].waits_for_input(), waits, "{name}");
    }
}

#[test]
fn day_sets_parse_ranges_lists_and_wraps() {
    assert_eq!(DaySet::parse("daily"), Ok(DaySet::ALL));
    assert_eq!(DaySet::parse("mon-fri"), Ok(DaySet(0b001_1111)));
    assert_eq!(DaySet::parse("sat,sun"), Ok(DaySet(0b110_0000)));
    assert_eq!(DaySet::parse("fri-mon"), Ok(DaySet(0b111_0001)));
    assert_eq!(DaySet::parse("Wed"), Ok(DaySet(0b000_0100)));
    assert!(DaySet::parse("funday").is_err());
    assert!(DaySet::parse("mon-").is_err());
    assert!(DaySet(0b000_0001).contains(0));
    assert!(!DaySet(0b000_0001).contains(1));
    assert!(!DaySet::ALL.contains(7));
}

#[test]
fn prompts_are_found_per_language_or_shared() {
    let set = sample();
    let scratch = Scratch::new("prompts");
    let dir = &scratch.0;
    for lang in ["en", "zh"] {
        std::fs::create_dir_all(dir.join(lang)).expect("mkdir");
    }
    let prompts = all_prompts(&set);
    assert!(prompts.contains("goodbye"));
    for (i, p) in prompts.iter().enumerate() {
        // Spread the forms the check accepts: per language with each
        // extension, shared, and exactly as named. "goodbye" is per language.
        let per_language = p == "goodbye" || i % 3 == 0;
        if per_language {
            let ext = PROMPT_EXTENSIONS[i % PROMPT_EXTENSIONS.len()];
            for lang in ["en", "zh"] {
                let file = dir.join(lang).join(format!("{p}.{ext}"));
                std::fs::write(file, b"x").expect("write");
            }
        } else if i % 3 == 1 {
            std::fs::write(dir.join(format!("{p}.wav")), b"x").expect("write");
        } else {
            std::fs::write(dir.join(p), b"x").expect("write");
        }
    }
    let ok = parse_str(Path::new("sample.toml"), SAMPLE, Some(dir), &groups());
    assert!(ok.is_ok(), "{}", ok.unwrap_err());

    // Take "goodbye" away from one language only.
    for entry in std::fs::read_dir(dir.join("zh")).expect("read zh") {
        let path = entry.expect("entry").path();
        if path.file_stem().is_some_and(|s| s == "goodbye") {
            std::fs::remove_file(path).expect("rm");
        }
    }
    let errs = parse_str(Path::new("sample.toml"), SAMPLE, Some(dir), &groups()).unwrap_err();
    assert_eq!(errs.0.len(), 1, "{errs}");
    let e = &errs.0[0];
    assert_eq!(e.file, Path::new("sample.toml"));
    assert_eq!(e.flow.as_deref(), Some("main"));
    assert_eq!(e.node.as_deref(), Some("goodbye"));
    assert!(
        e.message.contains("`goodbye`") && e.message.contains("`zh`"),
        "{e}"
    );
    assert!(!e.message.contains("`en`"), "{e}");
}

#[test]
fn unreadable_file_is_an_error_naming_it() {
    let errs = load(Path::new("/nonexistent/flows.toml"), None, &[]).unwrap_err();
    assert_eq!(errs.0.len(), 1);
    assert!(
        errs.to_string()
            .starts_with("/nonexistent/flows.toml: cannot read"),
        "{errs}"
    );
}

#[test]
fn truncated_files_are_errors_not_panics() {
    // Every prefix of the sample (at char boundaries): an error or a valid
    // set, never a panic, and most cuts leave something broken.
    let mut errors = 0;
    for cut in (0..SAMPLE.len())
        .filter(|&i| SAMPLE.is_char_boundary(i))
        .step_by(5)
    {
        match parse_str(Path::new("cut.toml"), &SAMPLE[..cut], None, &groups()) {
            Ok(set) => assert!(set.flows.len() <= 2),
            Err(e) => {
                assert!(!e.0.is_empty());
                assert!(e.0.iter().all(|x| x.file == Path::new("cut.toml")));
                errors += 1;
            }
        }
    }
    assert!(errors > 100, "only {errors} prefixes failed");
}
