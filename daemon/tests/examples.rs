//! The Python examples (examples/ivr.py, examples/event_tail.py) run
//! against trunkd and trunksim's built-in exchange, as a user would run them:
//! a caller hangs up during the welcome prompt, the next one reaches the
//! transfer and is bridged to an answered outbound call. python3 is
//! required: the test fails, never skips, without it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::examples::{example, ivr_args};
use common::{serial, trunk_group, Harness, Opts};
use serde_json::{json, Value};
use trunkd::media::prompt::synth::write_tones;

/// Generous limit for anything to happen; never a measurement.
const GIVE_UP: Duration = Duration::from_secs(60);

/// trunksim (a PRI exchange on two E1 spans) and trunkd as the user side:
/// span 1 in trunk group `pstn` rings calls for the API, span 2 is
/// trunk group `agents` for the transfer.
/// Returns the rig and the prompt directory (the test removes it).
fn start() -> (Harness, std::path::PathBuf) {
    let prompts = common::tempdir("examples-prompts");
    // Long enough to hang up in the middle of; short enough for a test.
    for (name, freq, ms) in [
        ("welcome", 440.0, 1500),
        ("info", 600.0, 300),
        ("invalid", 800.0, 300),
    ] {
        write_tones(&prompts.join(format!("{name}.wav")), &[(freq, ms)]).expect("write prompt");
    }
    let config = format!(
        "[media]\nprompt_dir = \"{}\"\n\n{}",
        prompts.display(),
        trunk_group("pstn", "inbound = \"api\"\napi_timeout_ms = 30000")
    );
    let h = Harness::start_opts(
        "examples",
        &Opts {
            spans: 2,
            time: "realtime",
            trunk_groups: &["pstn", "agents"],
            config_extra: &config,
            ..Opts::pri()
        },
    );
    (h, prompts)
}

/// Run `examples/<script>` against `h`, its output read as it comes.
fn run_example(h: &Harness, script: &str, args: &[&str]) -> Script {
    let mut child = example(script, &h.socket, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let out = child.stdout.take().expect("stdout");
    let sink = lines.clone();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            sink.lock().expect("lines").push(l);
        }
    });
    Script {
        name: script.to_owned(),
        child,
        lines,
    }
}
/// A running example script and the lines it printed so far.
struct Script {
    name: String,
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Script {
    fn output(&self) -> Vec<String> {
        self.lines.lock().expect("lines").clone()
    }

    /// Wait for a printed line containing `needle`; returns it.
    fn wait_line(&mut self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(l) = self.output().into_iter().find(|l| l.contains(needle)) {
                return l;
            }
            if let Ok(Some(st)) = self.child.try_wait() {
                // Let the reader thread catch the last lines.
                std::thread::sleep(Duration::from_millis(200));
                if let Some(l) = self.output().into_iter().find(|l| l.contains(needle)) {
                    return l;
                }
                panic!(
                    "exited ({st}) before printing {needle:?}: {}",
                    self.report()
                );
            }
            if start.elapsed() > GIVE_UP {
                panic!("never printed {needle:?}: {}", self.report());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait for the script to exit by itself; it must succeed.
    fn wait_success(&mut self) -> Vec<String> {
        let start = Instant::now();
        let status = loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                break st;
            }
            if start.elapsed() > GIVE_UP {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("did not finish: {}", self.report());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(200));
        if !status.success() {
            panic!("failed ({status}): {}", self.report());
        }
        self.output()
    }

    fn report(&mut self) -> String {
        let mut err = String::new();
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            if let Some(mut e) = self.child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
        }
        format!(
            "{}\nstdout:\n{}\nstderr:\n{err}",
            self.name,
            self.output().join("\n")
        )
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `out` that mention `call N:` (the IVR's per-step lines).
fn steps(out: &[String], call: u64) -> Vec<String> {
    let tag = format!(" call {call}: ");
    out.iter()
        .filter_map(|l| l.split_once(&tag).map(|(_, rest)| rest.to_owned()))
        .collect()
}

/// N of an IVR line `HH:MM:SS call N: ...`.
fn call_id(line: &str) -> u64 {
    line.split_once(" call ")
        .and_then(|(_, r)| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no call id in {line:?}"))
}

fn has(lines: &[String], what: &str) -> bool {
    lines.iter().any(|l| l.contains(what))
}

/// Event-tail lines of one kind for one call.
fn tail_lines(out: &[String], event: &str, call: u64) -> Vec<String> {
    let want = format!("call={call} ");
    out.iter()
        .filter(|l| l.split_whitespace().nth(1) == Some(event) && l.contains(&want))
        .cloned()
        .collect()
}

#[test]
fn ivr_transfers_on_no_input_and_survives_a_caller_hanging_up_mid_menu() {
    let _g = serial();
    let (rig, prompts) = start();
    rig.wait_links_up(2);
    // The transfer target (the exchange behind span 2) rings, answers
    // after 200 ms and hangs up 1.5 s later.
    rig.sim_ok(
        json!({"cmd": "pri_policy", "span": 2, "answer_after_ms": 200,
                   "hangup_after_ms": 1500, "ring": true}),
    );

    // Call events of both inbound calls and the transfer: 3 + 3 + 2.
    let mut calls_tail = run_example(
        &rig,
        "event_tail.py",
        &[
            "--events",
            "call_incoming,call_answered",
            "--events",
            "call_cleared",
            "--count",
            "8",
        ],
    );
    // Everything on span 2, the transfer leg: dialing to cleared.
    let mut span2_tail = run_example(&rig, "event_tail.py", &["--span", "2", "--count", "5"]);
    let mut ivr = run_example(
        &rig,
        "ivr.py",
        &ivr_args(&[
            "--transfer-from",
            "8000",
            "--digit-timeout-ms",
            "1000",
            "--calls",
            "2",
        ]),
    );
    calls_tail.wait_line("# trunkd");
    span2_tail.wait_line("# trunkd");
    ivr.wait_line("waiting for calls on trunk group pstn");

    // First caller: hangs up while the welcome prompt plays.
    let placed = rig.sim_ok(json!({"cmd": "pri_call", "span": 1, "count": 1,
                                "number": "8000", "from": "5551234"}));
    let far_call = placed["calls"][0].as_u64().expect("far-end call id");
    let first = call_id(&ivr.wait_line("playing welcome"));
    rig.sim_ok(json!({"cmd": "pri_hangup", "span": 1, "call": far_call, "cause": 16}));
    ivr.wait_line(&format!("call {first}: done"));

    // Second caller: presses nothing, so is transferred.
    rig.sim_ok(json!({"cmd": "pri_call", "span": 1, "count": 1,
                   "number": "8000", "from": "5551235"}));
    let out = ivr.wait_success();

    // The first call: answered, cleared by the caller, nothing more.
    let s1 = steps(&out, first);
    assert!(
        has(&s1, "incoming from 5551234 to 8000 on span 1"),
        "{out:#?}"
    );
    assert!(has(&s1, "answered"), "{out:#?}");
    assert!(
        has(&s1, "cleared, cause 16 (normal call clearing) by remote"),
        "{out:#?}"
    );
    assert!(!has(&s1, "transferring"), "{out:#?}");
    // It went during the welcome prompt: no digit was ever collected.
    assert!(!has(&s1, "collected"), "{out:#?}");
    assert!(has(&s1, "done (1 handled)"), "{out:#?}");

    // The second: no input, transfer, bridge, the agent hangs up, so do we.
    let second = call_id(&ivr.wait_line("incoming from 5551235"));
    let s2 = steps(&out, second);
    assert!(has(&s2, "incoming from 5551235"), "{out:#?}");
    assert!(has(&s2, "welcome: finished after 1500 ms"), "{out:#?}");
    assert!(has(&s2, "collected '' (no_input)"), "{out:#?}");
    let transfer_line = s2
        .iter()
        .find(|l| l.starts_with("transferring to 4000 on agents: call "))
        .unwrap_or_else(|| panic!("no transfer: {out:#?}"));
    let leg: u64 = transfer_line
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("transfer call id");
    assert!(
        has(&s2, &format!("bridged with call {leg} (bridge-")),
        "{out:#?}"
    );
    let s3 = steps(&out, leg);
    assert!(has(&s3, "answered"), "{out:#?}");
    assert!(
        has(&s3, "cleared, cause 16 (normal call clearing) by remote"),
        "{out:#?}"
    );
    assert!(has(&s2, "hung up with cause 16"), "{out:#?}");
    assert!(has(&s2, "done (2 handled)"), "{out:#?}");

    // trunkd's record of the three calls.
    let mut api = rig.client();
    let start = Instant::now();
    let recent = loop {
        let v = api
            .request("calls", json!({"recent": true}))
            .expect("calls");
        let ended: Vec<Value> = v["recent"].as_array().cloned().unwrap_or_default();
        if ended.len() >= 3 && v["calls"].as_array().is_some_and(|c| c.is_empty()) {
            break ended;
        }
        assert!(start.elapsed() < GIVE_UP, "calls did not all end: {v}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let rec = |id: u64| {
        recent
            .iter()
            .find(|c| c["call"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("call {id} not in {recent:#?}"))
    };
    let (c1, c2, c3) = (rec(first), rec(second), rec(leg));
    assert_eq!(c1["cleared_by"], "remote", "{c1}");
    assert!(c1["answered_ms"].is_u64(), "{c1}");
    assert_eq!(
        (&c2["direction"], &c2["cleared_by"], &c2["cause"]),
        (&json!("in"), &json!("local"), &json!(16)),
        "{c2}"
    );
    assert!(c2["answered_ms"].is_u64(), "{c2}");
    assert_eq!(
        (
            &c3["direction"],
            &c3["trunk_group"],
            &c3["dnis"],
            &c3["span"]
        ),
        (&json!("out"), &json!("agents"), &json!("4000"), &json!(2)),
        "{c3}"
    );
    assert!(c3["answered_ms"].is_u64(), "{c3}");
    assert_eq!(c3["cleared_by"], "remote", "{c3}");

    // The exchange's side of it.
    let far1 = rig.sim_ok(json!({"cmd": "pri_status", "span": 1}))["counters"].clone();
    assert_eq!(
        (
            &far1["placed"],
            &far1["answered"],
            &far1["cleared_by_far"],
            &far1["cleared_by_trunkd"]
        ),
        (&json!(2), &json!(2), &json!(1), &json!(1)),
        "{far1}"
    );
    let far2 = rig.sim_ok(json!({"cmd": "pri_status", "span": 2}))["counters"].clone();
    assert_eq!(
        (
            &far2["received"],
            &far2["received_answered"],
            &far2["cleared_by_far"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "{far2}"
    );

    // The event tails saw it all, and stopped by themselves at --count.
    let t = calls_tail.wait_success();
    for (ev, call) in [
        ("call_incoming", first),
        ("call_answered", first),
        ("call_cleared", first),
        ("call_incoming", second),
        ("call_answered", second),
        ("call_cleared", second),
        ("call_answered", leg),
        ("call_cleared", leg),
    ] {
        assert_eq!(
            tail_lines(&t, ev, call).len(),
            1,
            "{ev} of call {call}: {t:#?}"
        );
    }
    assert!(
        tail_lines(&t, "call_cleared", second)[0]
            .contains("cause=16 cause_text='normal call clearing' cleared_by=local"),
        "{t:#?}"
    );
    assert!(has(&t, "# 8 events shown, 0 dropped by trunkd"), "{t:#?}");
    let t2 = span2_tail.wait_success();
    for ev in [
        "call_dialing",
        "call_proceeding",
        "call_alerting",
        "call_answered",
        "call_cleared",
    ] {
        assert_eq!(tail_lines(&t2, ev, leg).len(), 1, "{ev}: {t2:#?}");
    }
    assert!(
        tail_lines(&t2, "call_dialing", leg)[0]
            .contains("span=2 channel=1 direction=out ani=8000 dnis=4000"),
        "{t2:#?}"
    );
    drop(rig);
    let _ = std::fs::remove_dir_all(prompts);
}
