//! The Python examples against a scripted fake trunkd: the paths the
//! simulator cannot reach yet (a digit pressed, a refused request, events
//! dropped for a slow reader) and the exact requests the scripts send.
//! python3 is required: the tests fail, never skip, without it.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::examples::{example, ivr_args};
use common::tempdir;
use serde_json::{json, Value};

type Script = dyn Fn(&Value) -> Vec<Value> + Send + Sync;

/// A fake trunkd on `path`: every connection gets the hello, and each
/// request the lines `script` returns (its reply first, then events).
/// Returns the requests seen, all connections together.
fn fake_trunkd(path: &Path, script: Arc<Script>) -> Arc<Mutex<Vec<Value>>> {
    let listener = UnixListener::bind(path).expect("bind");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let (script, log) = (script.clone(), log.clone());
            std::thread::spawn(move || serve(stream, &*script, &log));
        }
    });
    seen
}

fn serve(stream: UnixStream, script: &Script, log: &Mutex<Vec<Value>>) {
    let Ok(mut w) = stream.try_clone() else {
        return;
    };
    let _ = writeln!(w, r#"{{"event":"hello","api":1,"server":"trunkd 0.1.0"}}"#);
    for line in BufReader::new(stream).lines().map_while(Result::ok) {
        let req: Value = serde_json::from_str(&line).expect("request JSON");
        for out in script(&req) {
            if writeln!(w, "{out}").is_err() {
                return;
            }
        }
        log.lock().expect("log").push(req);
    }
}

fn ok(req: &Value, result: Value) -> Value {
    json!({"id": req["id"], "ok": true, "result": result})
}

fn err(req: &Value, code: &str) -> Value {
    json!({"id": req["id"], "ok": false, "error": {"code": code, "message": "scripted"}})
}

fn run_example(script: &str, socket: &Path, args: &[&str]) -> Output {
    let mut child = example(script, socket, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    // A generous limit: the scripts finish in about a second.
    let start = std::time::Instant::now();
    while matches!(child.try_wait(), Ok(None)) {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("python3 output")
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn incoming(call: u64) -> Value {
    json!({"event": "call_incoming", "call": call, "span": 1, "channel": call,
           "trunk_group": "pstn", "direction": "in", "ani": "5551234", "dnis": "8000",
           "state": "ringing"})
}

#[test]
fn ivr_digit_one_plays_info_and_a_refused_answer_moves_on() {
    let dir = tempdir("ivr-scripted");
    let socket = dir.join("trunkd.sock");
    let media = Arc::new(AtomicU64::new(100));
    let seen = fake_trunkd(
        &socket,
        Arc::new(move |req: &Value| {
            let call = req["call"].as_u64().unwrap_or(0);
            let media_id = media.fetch_add(1, Ordering::Relaxed);
            let ev = |kind: &str, extra: Value| {
                let mut e = json!({"event": kind, "media_id": media_id, "span": 1,
                                   "timeslot": call, "call": call});
                e.as_object_mut()
                    .expect("object")
                    .extend(extra.as_object().cloned().unwrap_or_default());
                e
            };
            match (req["cmd"].as_str().unwrap_or(""), call) {
                // The ring connection: two calls are waiting.
                ("subscribe", _) if req.get("trunk_group").is_some() => {
                    vec![
                        ok(req, json!({"subscribed": true})),
                        incoming(7),
                        incoming(8),
                    ]
                }
                ("subscribe", _) => vec![ok(req, json!({"subscribed": true}))],
                // Call 7 has gone before we could answer it.
                ("answer" | "hangup", 7) => vec![err(req, "no_such_call")],
                ("answer", _) => vec![
                    ok(req, json!({"call": call})),
                    json!({"event": "call_answered", "call": call, "trunk_group": "pstn"}),
                ],
                ("play", _) => vec![
                    ok(req, json!({"media_id": media_id, "duration_ms": 10})),
                    ev("play_done", json!({"reason": "finished", "played_ms": 10})),
                ],
                ("collect", _) => vec![
                    ok(req, json!({"media_id": media_id})),
                    ev(
                        "collect_done",
                        json!({"digits": "1", "reason": "max_digits"}),
                    ),
                ],
                ("hangup", _) => vec![ok(req, json!({"call": call, "cause": req["cause"]}))],
                _ => vec![err(req, "unknown_command")],
            }
        }),
    );
    let out = run_example("ivr.py", &socket, &ivr_args(&["--calls", "2"]));
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "call 7: refused: answer: no_such_call: scripted",
        "call 7: already gone",
        "call 7: done (1 handled)",
        "call 8: answered",
        "call 8: playing welcome",
        "call 8: collected '1' (max_digits)",
        "call 8: playing info",
        "call 8: hung up with cause 16",
        "call 8: done (2 handled)",
    ] {
        assert!(stdout.contains(want), "{want:?} missing:\n{}", text(&out));
    }
    let seen = seen.lock().expect("log").clone();
    let cmds: Vec<Value> = seen
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().expect("object").remove("id");
            r
        })
        .collect();
    assert!(
        cmds.contains(
            &json!({"cmd": "subscribe", "events": ["call_incoming"], "trunk_group": "pstn"})
        ),
        "{cmds:#?}"
    );
    let plays: Vec<&Value> = cmds
        .iter()
        .filter(|r| r["cmd"] == "play")
        .map(|r| &r["prompts"])
        .collect();
    assert_eq!(plays, [&json!(["welcome"]), &json!(["info"])], "{cmds:#?}");
    assert!(
        cmds.contains(&json!({"cmd": "hangup", "call": 8, "cause": 16})),
        "{cmds:#?}"
    );
    assert!(!cmds.iter().any(|r| r["cmd"] == "dial"), "{cmds:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn event_tail_passes_its_filters_and_reports_dropped_events() {
    let dir = tempdir("tail-scripted");
    let socket = dir.join("trunkd.sock");
    let seen = fake_trunkd(
        &socket,
        Arc::new(|req: &Value| {
            let mut link = json!({"event": "link", "span": 1, "state": "down"});
            link["dropped_before"] = json!(5);
            vec![
                ok(req, json!({"subscribed": true})),
                incoming(1),
                link,
                json!({"event": "call_cleared", "call": 1, "span": 1, "channel": 1,
                       "direction": "in", "state": "cleared", "cause": 41,
                       "cause_text": "temporary failure", "cleared_by": "protocol"}),
                json!({"event": "link", "span": 1, "state": "up"}),
            ]
        }),
    );
    let out = run_example(
        "event_tail.py",
        &socket,
        &[
            "--events",
            "call_*,link",
            "--trunk-group",
            "pstn",
            "--call",
            "1",
            "--span",
            "1",
            "--count",
            "3",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", text(&out));
    assert!(lines[1].ends_with(
        "call_incoming    call=1 span=1 channel=1 direction=in ani=5551234 dnis=8000 state=ringing"
    ), "{stdout}");
    assert!(
        lines[2].starts_with("# 5 events dropped by trunkd"),
        "{stdout}"
    );
    assert!(
        lines[3].ends_with("link             call=- span=1 state=down"),
        "{stdout}"
    );
    assert!(lines[4].ends_with(
        "call_cleared     call=1 span=1 channel=1 direction=in state=cleared cause=41 cause_text='temporary failure' cleared_by=protocol"
    ), "{stdout}");
    assert_eq!(
        lines[5], "# 3 events shown, 5 dropped by trunkd",
        "{stdout}"
    );
    let mut sub = seen.lock().expect("log")[0].clone();
    sub.as_object_mut().expect("object").remove("id");
    assert_eq!(
        sub,
        json!({"cmd": "subscribe", "events": ["call_*", "link"], "trunk_group": "pstn",
               "call": 1, "span": 1})
    );
    let _ = std::fs::remove_dir_all(&dir);
}
