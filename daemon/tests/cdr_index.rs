//! The CDR index end to end: calls from two callers, one recorded on
//! demand with `record_call`; `history` and `recordings` (API and
//! trunkctl) answer exactly what the CDR file says, also after trunkd
//! restarts and loads the index from the file; bad requests name the
//! argument at fault.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{expect_event, nix_kill, serial, tempdir, Harness};
use serde_json::{json, Value};
use trunk_tools::client::Client;

/// Generous "give up" limit for anything that should happen.
const LIMIT: Duration = Duration::from_secs(60);

const ANI_A: &str = "0611111111";
const ANI_B: &str = "0622222222";

fn cdr_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// What `history` must say for `ani`, made from the CDR file alone:
/// inbound calls from `ani`, newest arrival first.
fn expected_history(lines: &[Value], ani: &str) -> Vec<Value> {
    let mut mine: Vec<&Value> = lines
        .iter()
        .filter(|r| r["direction"] == "in" && r["ani"] == ani)
        .collect();
    mine.sort_by_key(|r| (r["arrived_ms"].as_u64(), r["seq"].as_u64()));
    mine.reverse();
    mine.iter()
        .map(|r| {
            json!({
                "call": r["call"],
                "start": r["arrived"],
                "start_ms": r["arrived_ms"],
                "disposition": r["disposition"],
                "duration_s": r["duration_ms"].as_u64().unwrap() / 1000,
                "queue": r.get("queue").cloned().unwrap_or(Value::Null),
                "agent": r.get("agent").cloned().unwrap_or(Value::Null),
                "dnis": r["dnis"],
            })
        })
        .collect()
}

/// What `recordings` with no filter must say, from the CDR file alone.
fn expected_recordings(lines: &[Value]) -> Vec<Value> {
    let mut rec: Vec<&Value> = lines
        .iter()
        .filter(|r| r["recordings"].as_array().is_some_and(|f| !f.is_empty()))
        .collect();
    rec.sort_by_key(|r| (r["arrived_ms"].as_u64(), r["seq"].as_u64()));
    rec.reverse();
    rec.iter()
        .map(|r| {
            json!({
                "call": r["call"],
                "start": r["arrived"],
                "start_ms": r["arrived_ms"],
                "ani": r["ani"],
                "dnis": r["dnis"],
                "agent": r.get("agent").cloned().unwrap_or(Value::Null),
                "queue": r.get("queue").cloned().unwrap_or(Value::Null),
                "files": r["recordings"],
            })
        })
        .collect()
}

fn next_of(c: &mut Client, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
    expect_event(c, LIMIT.as_secs(), kind, |e| e["event"] == kind && pred(e))
}

/// A far-end call on `span` from `ani` to `dnis`, cleared by the far end
/// after `hangup_ms` (if given).
fn place(h: &Harness, span: u32, ani: &str, dnis: &str, hangup_ms: Option<u64>) {
    let mut req = json!({"cmd": "pri_call", "span": span, "number": dnis, "from": ani});
    if let Some(ms) = hangup_ms {
        req["hangup_after_ms"] = json!(ms);
    }
    h.sim_ok(req);
}

/// The error of a request that must fail: its code and message.
fn refused(c: &mut Client, cmd: &str, args: Value) -> (String, String) {
    match c.request(cmd, args.clone()) {
        Ok(v) => panic!("{cmd} {args} was accepted: {v}"),
        Err(e) => (e.server_code().unwrap_or("?").to_string(), e.to_string()),
    }
}

fn history(c: &mut Client, ani: &str) -> Vec<Value> {
    let r = c
        .request("history", json!({"ani": ani, "limit": 100}))
        .expect("history");
    assert_eq!(r["ani"], ani);
    r["history"].as_array().cloned().expect("a history list")
}

fn recordings(c: &mut Client, args: Value) -> Vec<Value> {
    c.request("recordings", args)
        .expect("recordings")
        .get("recordings")
        .and_then(Value::as_array)
        .cloned()
        .expect("a recordings list")
}

/// Every bad argument is refused with an error naming it.
fn bad_requests_name_the_field(c: &mut Client) {
    let cases = [
        ("history", json!({}), "bad_request", "\"ani\""),
        (
            "history",
            json!({"ani": 612}),
            "invalid_argument",
            "\"ani\"",
        ),
        (
            "history",
            json!({"ani": ANI_A, "limit": 0}),
            "invalid_argument",
            "\"limit\"",
        ),
        (
            "history",
            json!({"ani": ANI_A, "limit": "ten"}),
            "invalid_argument",
            "\"limit\"",
        ),
        (
            "recordings",
            json!({"from": "yesterday"}),
            "invalid_argument",
            "\"from\"",
        ),
        (
            "recordings",
            json!({"to": "2026-02-30T00:00:00Z"}),
            "invalid_argument",
            "\"to\"",
        ),
        (
            "recordings",
            json!({"from": 2000, "to": 1000}),
            "invalid_argument",
            "\"to\"",
        ),
        (
            "recordings",
            json!({"from": -5}),
            "invalid_argument",
            "\"from\"",
        ),
        (
            "recordings",
            json!({"agent": "alice"}),
            "invalid_argument",
            "\"agent\"",
        ),
        (
            "recordings",
            json!({"agent": 1u64 << 40}),
            "invalid_argument",
            "\"agent\"",
        ),
        (
            "recordings",
            json!({"ani": 612}),
            "invalid_argument",
            "\"ani\"",
        ),
        (
            "recordings",
            json!({"dnis": ["800"]}),
            "invalid_argument",
            "\"dnis\"",
        ),
        (
            "recordings",
            json!({"limit": 5000}),
            "invalid_argument",
            "\"limit\"",
        ),
        (
            "record_call",
            json!({"action": "start"}),
            "bad_request",
            "\"call\"",
        ),
        (
            "record_call",
            json!({"call": 1}),
            "bad_request",
            "\"action\"",
        ),
        (
            "record_call",
            json!({"call": 1, "action": "pause"}),
            "invalid_argument",
            "\"action\"",
        ),
        (
            "record_call",
            json!({"call": "one", "action": "stop"}),
            "invalid_argument",
            "\"call\"",
        ),
    ];
    for (cmd, args, code, field) in cases {
        let (got, msg) = refused(c, cmd, args.clone());
        assert_eq!(got, code, "{cmd} {args}: {msg}");
        assert!(
            msg.contains(field),
            "{cmd} {args}: {msg} does not name {field}"
        );
    }
}

#[test]
fn history_and_recordings_follow_the_cdrs_and_survive_a_restart() {
    let _g = serial();
    let files = tempdir("cdr-index-files");
    let cdr = files.join("cdr.jsonl");
    let rec_dir = files.join("recordings");
    std::fs::create_dir_all(&rec_dir).unwrap();
    let config = format!(
        "[cdr]\npath = \"{}\"\nfsync = false\n\n[media]\nrecord_dir = \"{}\"\n\n\
         [[trunk_group]]\nname = \"tg2\"\ninbound = \"api\"\napi_timeout_ms = 600000\n",
        cdr.display(),
        rec_dir.display()
    );
    let mut h = Harness::start_pri("cdr-index", 2, "lockstep", &config);
    h.wait_links_up(2);
    let mut c = h.subscriber(&[
        "call_incoming",
        "call_answered",
        "call_cleared",
        "record_done",
        "record_failed",
    ]);

    // Two short calls from A and one from B, cleared by the far end.
    for (ani, dnis) in [(ANI_A, "800"), (ANI_B, "801"), (ANI_A, "802")] {
        place(&h, 1, ani, dnis, Some(200));
        next_of(&mut c, "call_cleared", |_| true);
    }

    // A calls again and stays; it is recorded on demand.
    place(&h, 1, ANI_A, "800", None);
    let ans = next_of(&mut c, "call_answered", |e| e["ani"] == ANI_A);
    let call = ans["call"].as_u64().expect("call id");
    let r = c
        .request("record_call", json!({"call": call, "action": "start"}))
        .expect("record_call start");
    assert_eq!(
        (r["call"].as_u64(), r["action"].as_str()),
        (Some(call), Some("start"))
    );
    let path = r["path"].as_str().expect("path").to_string();
    assert!(
        path.starts_with(&format!("{}/calls/", rec_dir.display()))
            && path.ends_with(&format!("/{call}-{ANI_A}.wav")),
        "{path}"
    );
    let (code, msg) = refused(
        &mut c,
        "record_call",
        json!({"call": call, "action": "start"}),
    );
    assert_eq!(code, "invalid_state", "{msg}");
    assert!(msg.contains("already"), "{msg}");

    // Stopped with trunkctl; then there is nothing to stop.
    let out = h.ctl(&["record", "stop", &call.to_string()]);
    assert_eq!(out["action"], "stop", "{out}");
    assert_eq!(out["media_id"], r["media_id"], "{out}");
    let done = next_of(&mut c, "record_done", |e| e["media_id"] == r["media_id"]);
    assert_eq!(done["path"], path.as_str(), "{done}");
    assert_eq!(done["reason"], "stopped", "{done}");
    assert!(Path::new(&path).is_file(), "{path} was not written");
    let (code, msg) = refused(
        &mut c,
        "record_call",
        json!({"call": call, "action": "stop"}),
    );
    assert_eq!(code, "invalid_state", "{msg}");
    assert!(msg.contains("not being recorded"), "{msg}");
    c.hangup(call, None).expect("hangup");
    next_of(&mut c, "call_cleared", |e| e["call"] == call);

    // B calls on span 2, whose calls ring until an API client answers: not
    // answered, so not recordable. trunkd then clears it.
    place(&h, 2, ANI_B, "803", None);
    let ringing = next_of(&mut c, "call_incoming", |e| e["ani"] == ANI_B);
    let b_call = ringing["call"].as_u64().expect("call id");
    let (code, msg) = refused(
        &mut c,
        "record_call",
        json!({"call": b_call, "action": "start"}),
    );
    assert_eq!(code, "invalid_state", "{msg}");
    assert!(msg.contains("not answered"), "{msg}");
    c.hangup(b_call, None).expect("hangup a ringing call");
    next_of(&mut c, "call_cleared", |e| e["call"] == b_call);
    let (code, msg) = refused(
        &mut c,
        "record_call",
        json!({"call": b_call, "action": "start"}),
    );
    assert_eq!(code, "not_found", "{msg}");

    // The answers are exactly what the CDR file says.
    let lines = cdr_lines(&cdr);
    assert_eq!(lines.len(), 5, "{lines:?}");
    let want_a = expected_history(&lines, ANI_A);
    let want_b = expected_history(&lines, ANI_B);
    assert_eq!(want_a.len(), 3);
    assert_eq!(want_b.len(), 2);
    assert_eq!(want_a[0]["call"], call, "the recorded call is A's newest");
    assert_eq!(history(&mut c, ANI_A), want_a);
    assert_eq!(history(&mut c, ANI_B), want_b);
    assert!(history(&mut c, "0600000000").is_empty());
    assert!(
        history(&mut c, "").is_empty(),
        "an empty ANI has no history"
    );
    let one = c
        .request("history", json!({"ani": ANI_A, "limit": 1}))
        .expect("history");
    assert_eq!(one["history"], json!([want_a[0]]));

    let want_rec = expected_recordings(&lines);
    assert_eq!(want_rec.len(), 1, "{lines:?}");
    assert_eq!(want_rec[0]["files"], json!([path]));
    // Filed under the day the call arrived (UTC).
    let day: String = want_rec[0]["start"].as_str().unwrap()[..10].replace('-', "");
    assert!(path.contains(&format!("/calls/{day}/")), "{path}");
    assert_eq!(recordings(&mut c, json!({})), want_rec);
    let start_ms = want_rec[0]["start_ms"].as_u64().unwrap();
    let start = want_rec[0]["start"].clone();
    for (args, hit) in [
        (json!({"ani": ANI_A}), true),
        (json!({"ani": ANI_B}), false),
        (json!({"dnis": "800"}), true),
        (json!({"dnis": "801"}), false),
        (json!({"agent": 1001}), false),
        (json!({"from": start}), true),
        (json!({"from": start_ms + 1}), false),
        (json!({"to": start_ms}), false),
        (json!({"to": start_ms + 1, "from": start_ms}), true),
    ] {
        let got = recordings(&mut c, args.clone());
        let want = if hit { want_rec.clone() } else { Vec::new() };
        assert_eq!(got, want, "recordings {args}");
    }

    // trunkctl shows the same.
    assert_eq!(h.ctl(&["history", ANI_A])["history"], json!(want_a));
    let out = h.ctl(&[
        "recordings",
        "--ani",
        ANI_A,
        "--from",
        &start_ms.to_string(),
    ]);
    assert_eq!(out["recordings"], json!(want_rec));

    bad_requests_name_the_field(&mut c);
    drop(c);

    // Restart trunkd, with a torn line at the end of the file (as a power
    // cut leaves it): the index is loaded from the file, the line skipped.
    let pid = h.daemon_pid();
    nix_kill(pid, 15).expect("SIGTERM trunkd");
    let mut d = h.daemon.take().expect("daemon");
    let _ = d.wait();
    let mut f = std::fs::OpenOptions::new().append(true).open(&cdr).unwrap();
    std::io::Write::write_all(&mut f, b"{\"cdr_version\":1,\"seq\":6,\"call\":").unwrap();
    drop(f);
    h.start_daemon();
    let give_up = Instant::now() + LIMIT;
    let mut c = loop {
        match Client::connect_with_timeout(&h.socket, Duration::from_secs(10)) {
            Ok(c) => break c,
            Err(e) => {
                assert!(Instant::now() < give_up, "trunkd did not come back: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    assert_eq!(history(&mut c, ANI_A), want_a, "{}", h.log());
    assert_eq!(history(&mut c, ANI_B), want_b);
    assert_eq!(recordings(&mut c, json!({})), want_rec);
    let st = c.request("cdr", json!({"limit": 1})).expect("cdr");
    assert_eq!(
        st["index"],
        json!({"records": 5, "max": 1_000_000, "skipped": 1, "dropped": 0}),
        "{st}"
    );
    drop(h);
    let _ = std::fs::remove_dir_all(files);
}
