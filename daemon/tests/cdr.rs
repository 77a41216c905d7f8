//! Call detail records end to end: trunksim's PRI network far end places
//! and takes calls, trunkd writes one CDR line per call to `[cdr] path`,
//! and the record is on disk before `call_cleared` is published.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{expect_event, nix_kill, serial, tempdir, Harness};
use serde_json::{json, Value};
use trunk_tools::client::Client;

/// Generous "give up" limit for anything that should happen.
const LIMIT: Duration = Duration::from_secs(60);

fn config(cdr: &Path, extra: &str) -> String {
    format!("[cdr]\npath = \"{}\"\nfsync = true\n{extra}", cdr.display())
}

/// Every line of the CDR file, each of which must be a JSON object.
fn cdr_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the CDR file ends with a torn line: {text:?}"
    );
    text.lines()
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .unwrap_or_else(|e| panic!("CDR line is not JSON ({e}): {l:?}"))
        })
        .collect()
}

/// A client subscribed to call ends and CDR failures.
fn events(h: &Harness) -> Client {
    h.subscriber(&["call_cleared", "call_answered", "cdr_failed"])
}

/// The next event of `kind`, skipping others.
fn next_of(c: &mut Client, kind: &str) -> Value {
    expect_event(c, LIMIT.as_secs(), kind, |e| e["event"] == kind)
}

/// The next `call_cleared` and its CDR, read from the file the moment the
/// event arrived: the record must already be there.
fn next_cleared(c: &mut Client, cdr: &Path) -> (Value, Value) {
    let ev = next_of(c, "call_cleared");
    let lines = cdr_lines(cdr);
    let seq = ev["cdr_seq"].as_u64().expect("call_cleared has a cdr_seq");
    let rec = lines
        .iter()
        .find(|r| r["seq"] == seq)
        .unwrap_or_else(|| panic!("record {seq} not in the file when {ev} arrived: {lines:?}"))
        .clone();
    assert_eq!(rec["call"], ev["call"], "{rec}");
    (ev, rec)
}

fn assert_times(rec: &Value) {
    for k in ["arrived", "ended"] {
        let t = rec[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} missing: {rec}"));
        assert!(t.ends_with('Z') && t.len() == 24, "{k} = {t}");
    }
    let (a, e) = (
        rec["arrived_ms"].as_u64().unwrap(),
        rec["ended_ms"].as_u64().unwrap(),
    );
    assert_eq!(rec["duration_ms"].as_u64(), Some(e - a), "{rec}");
}

/// `trunkctl --json cdr tail -n 1 --follow`, its records as they come.
fn follow(h: &Harness) -> Follow {
    use std::io::BufRead;
    let mut child = std::process::Command::new(common::bin("trunkctl"))
        .arg("--socket")
        .arg(&h.socket)
        .args(["--json", "cdr", "tail", "-n", "1", "--follow"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("trunkctl --follow");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = crossbeam_channel::unbounded();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(serde_json::from_str::<Value>(&line).expect("a JSON record"));
        }
    });
    // The last record comes first: from then on it is following.
    let first = rx
        .recv_timeout(LIMIT)
        .expect("trunkctl printed the last record");
    Follow {
        child,
        rx,
        first: Some(first),
    }
}

struct Follow {
    child: std::process::Child,
    rx: crossbeam_channel::Receiver<Value>,
    first: Option<Value>,
}

impl Follow {
    /// The first `n` records printed.
    fn take(&mut self, n: usize) -> Vec<Value> {
        let mut out: Vec<Value> = self.first.take().into_iter().collect();
        while out.len() < n {
            out.push(
                self.rx
                    .recv_timeout(LIMIT)
                    .expect("trunkctl --follow printed a record"),
            );
        }
        out
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_call_gets_one_record_before_it_is_reported_ended() {
    let _g = serial();
    let files = tempdir("cdr-files");
    let cdr = files.join("cdr/cdr.jsonl");
    let h = Harness::start_pri(
        "cdr",
        2,
        "lockstep",
        &config(
            &cdr,
            "[[trunk_group]]\nname = \"tg2\"\ninbound = \"reject\"\nreject_cause = 21\n",
        ),
    );
    h.wait_links_up(2);
    let mut c = events(&h);

    // The far end calls span 1 (answered by trunkd) and clears after 300 ms.
    let r = h.sim_control(
        r#"{"cmd":"pri_call","span":1,"number":"5551234","from":"8880001","hangup_after_ms":300}"#,
    );
    assert_eq!(r["ok"], true, "{r}");
    let (ev, rec) = next_cleared(&mut c, &cdr);
    assert_eq!(ev["cdr_seq"], 1);
    assert_eq!(rec["cdr_version"], 1);
    assert_eq!(rec["direction"], "in");
    assert_eq!(
        (rec["ani"].as_str(), rec["dnis"].as_str()),
        (Some("8880001"), Some("5551234"))
    );
    assert_eq!(rec["trunk_group"], "tg1");
    assert_eq!(rec["span"], 1);
    assert!(
        rec["channel"]
            .as_u64()
            .is_some_and(|c| (1..=31).contains(&c)),
        "{rec}"
    );
    assert_eq!(rec["disposition"], "answered");
    assert_eq!(rec["cause"], 16);
    assert_eq!(rec["released_by"], "caller");
    assert!(rec["answered_ms"].as_u64().is_some(), "{rec}");
    assert_times(&rec);

    // The far end calls span 2, whose trunk group rejects (cause 21).
    let r = h.sim_control(r#"{"cmd":"pri_call","span":2,"number":"5550002","from":"8880002"}"#);
    assert_eq!(r["ok"], true, "{r}");
    let (ev, rec) = next_cleared(&mut c, &cdr);
    assert_eq!(ev["cdr_seq"], 2);
    assert_eq!(
        (rec["direction"].as_str(), rec["trunk_group"].as_str()),
        (Some("in"), Some("tg2"))
    );
    assert_eq!(rec["disposition"], "rejected");
    assert_eq!(rec["cause"], 21);
    assert_eq!(rec["released_by"], "trunkd");
    assert!(
        rec["answered"].is_null() && rec["billable_ms"] == 0,
        "{rec}"
    );

    // trunkd dials out; the far end answers; trunkd hangs up.
    let d = c.dial("tg1", "5553333", Some("8880003")).expect("dial");
    let ans = next_of(&mut c, "call_answered");
    assert_eq!(ans["call"], d.call);
    c.hangup(d.call, None).expect("hangup");
    let (ev, rec) = next_cleared(&mut c, &cdr);
    assert_eq!(ev["call"], d.call);
    assert_eq!(ev["cdr_seq"], 3);
    assert_eq!(rec["direction"], "out");
    assert_eq!(
        (rec["ani"].as_str(), rec["dnis"].as_str()),
        (Some("8880003"), Some("5553333"))
    );
    assert_eq!(rec["disposition"], "answered");
    assert_eq!(rec["released_by"], "trunkd");
    assert_times(&rec);

    // trunkd dials out; the far end is busy. `trunkctl cdr tail --follow`
    // prints the last record, then this one.
    let mut follow = follow(&h);
    let r = h.sim_control(r#"{"cmd":"pri_policy","span":1,"reject_cause":17}"#);
    assert_eq!(r["ok"], true, "{r}");
    let d = c.dial("tg1", "5554444", None).expect("dial");
    let (ev, rec) = next_cleared(&mut c, &cdr);
    assert_eq!(ev["call"], d.call);
    assert_eq!(rec["disposition"], "busy");
    assert_eq!(rec["cause"], 17);
    assert_eq!(rec["released_by"], "callee");
    let followed: Vec<u64> = follow
        .take(2)
        .iter()
        .filter_map(|r| r["seq"].as_u64())
        .collect();
    assert_eq!(followed, [3, 4]);

    // trunkctl cdr tail, as a table and as JSON.
    let out = std::process::Command::new(common::bin("trunkctl"))
        .arg("--socket")
        .arg(&h.socket)
        .args(["cdr", "tail", "-n", "3"])
        .output()
        .expect("trunkctl");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("ENDED") && lines[0].contains("DISPOSITION"),
        "{text}"
    );
    assert!(
        lines[1].contains("rejected") && lines[1].contains("21 (call rejected)"),
        "{text}"
    );
    assert!(
        lines[2].contains("5553333") && lines[2].contains("answered"),
        "{text}"
    );
    assert!(
        lines[3].contains("busy") && lines[3].contains(" out "),
        "{text}"
    );
    let last = h.ctl(&["cdr", "tail", "-n", "1"]);
    assert_eq!(last["seq"], 4);

    // Exactly one line per call, numbered in order.
    let lines = cdr_lines(&cdr);
    let seqs: Vec<u64> = lines.iter().filter_map(|r| r["seq"].as_u64()).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    let mut calls: Vec<u64> = lines.iter().filter_map(|r| r["call"].as_u64()).collect();
    calls.dedup();
    assert_eq!(calls.len(), 4, "{lines:?}");

    // Read back through the API.
    let r = c.request("cdr", json!({"limit": 2})).expect("cdr");
    let got: Vec<u64> = r["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["seq"].as_u64())
        .collect();
    assert_eq!(got, [3, 4], "newest last: {r}");
    assert_eq!(
        (r["written"].as_u64(), r["errors"].as_u64()),
        (Some(4), Some(0))
    );
    let r = c
        .request("cdr", json!({"call": d.call}))
        .expect("cdr of a call");
    assert_eq!(r["records"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["records"][0]["call"], d.call);
    let e = c.request("cdr", json!({"limit": 0})).unwrap_err();
    assert_eq!(e.server_code(), Some("invalid_argument"));
    let st = c.request("status", Value::Null).expect("status");
    assert_eq!(st["cdr"]["path"], cdr.display().to_string());
    assert_eq!(st["cdr"]["last_seq"], 4);
    assert_eq!(st["cdr"]["backlog"], 0);
    drop(h);
    let _ = std::fs::remove_dir_all(files);
}

#[test]
fn sigkill_loses_no_record_of_a_reported_call() {
    let _g = serial();
    let files = tempdir("cdr-kill-files");
    let cdr = files.join("cdr.jsonl");
    let mut h = Harness::start_pri("cdr-kill", 1, "lockstep", &config(&cdr, ""));
    h.wait_links_up(1);
    let mut c = events(&h);
    // 20 calls, one every 50 ms, each cleared by the far end 100 ms after
    // the answer; kill trunkd as soon as 8 were reported ended, while the
    // others are still running.
    let r = h.sim_control(
        r#"{"cmd":"pri_call","span":1,"count":20,"number":"100","from":"555","from_index":true,"interval_ms":50,"hangup_after_ms":100}"#,
    );
    assert_eq!(r["ok"], true, "{r}");
    let mut reported = Vec::new();
    while reported.len() < 8 {
        let ev = next_of(&mut c, "call_cleared");
        reported.push((
            ev["call"].as_u64().unwrap(),
            ev["cdr_seq"].as_u64().unwrap(),
        ));
    }
    nix_kill(h.daemon_pid(), 9).expect("kill -9 trunkd");
    let mut d = h.daemon.take().expect("daemon");
    let _ = d.wait();

    let lines = cdr_lines(&cdr);
    for (call, seq) in &reported {
        let n = lines
            .iter()
            .filter(|r| r["call"] == *call && r["seq"] == *seq)
            .count();
        assert_eq!(
            n, 1,
            "call {call} (seq {seq}) was reported ended: {lines:?}"
        );
    }
    for r in &lines {
        assert_eq!(r["disposition"], "answered", "{r}");
        assert!(
            r["ani"].as_str().is_some_and(|a| a.starts_with("555")),
            "{r}"
        );
    }
    drop(h);
    let _ = std::fs::remove_dir_all(files);
}

#[test]
fn unwritable_cdr_directory_fails_loudly_and_calls_go_on() {
    let _g = serial();
    let files = tempdir("cdr-unwritable-files");
    // Tests run as root: a directory cannot be made under a regular file.
    let blocker: PathBuf = files.join("blocker");
    std::fs::write(&blocker, "not a directory").unwrap();
    let cdr = blocker.join("cdr.jsonl");
    let h = Harness::start_pri("cdr-unwritable", 1, "lockstep", &config(&cdr, ""));
    h.wait_links_up(1);
    let mut c = events(&h);
    let r = h.sim_control(
        r#"{"cmd":"pri_call","span":1,"count":2,"number":"100","from":"555","interval_ms":50,"hangup_after_ms":100}"#,
    );
    assert_eq!(r["ok"], true, "{r}");
    let mut cleared = Vec::new();
    let mut failed = Vec::new();
    let give_up = Instant::now() + LIMIT;
    while cleared.len() < 2 {
        assert!(Instant::now() < give_up, "calls did not end");
        let Some(ev) = c.next_event(Some(Duration::from_secs(5))).expect("event") else {
            continue;
        };
        match ev["event"].as_str() {
            Some("cdr_failed") => {
                assert_eq!(ev["path"], cdr.display().to_string());
                assert!(
                    ev["error"]
                        .as_str()
                        .is_some_and(|e| e.contains("not a directory")),
                    "{ev}"
                );
                failed.push(ev["call"].clone());
            }
            Some("call_cleared") => {
                assert!(ev["cdr_seq"].is_u64(), "{ev}");
                cleared.push(ev["call"].clone());
            }
            _ => {}
        }
    }
    assert_eq!(failed, cleared, "a cdr_failed before each call_cleared");
    let st = c.request("status", Value::Null).expect("status");
    assert!(st["cdr"]["errors"].as_u64() >= Some(2), "{st}");
    assert_eq!(st["cdr"]["backlog"], 2, "{st}");
    assert!(st["cdr"]["last_error"].is_string(), "{st}");
    let r = c.request("cdr", json!({"call": cleared[0]})).expect("cdr");
    assert_eq!(r["pending"].as_array().map(Vec::len), Some(1), "{r}");
    let calls = c.request("calls", json!({"recent": true})).expect("calls");
    let ended = calls["recent"]
        .as_array()
        .map_or(0, |v| v.iter().filter(|c| c["state"] == "cleared").count());
    assert_eq!(ended, 2, "{calls}");

    // A reload points [cdr] path at a writable place: the backlog is
    // written there, in order.
    let good = files.join("good/cdr.jsonl");
    let text = std::fs::read_to_string(&h.config).unwrap();
    std::fs::write(
        &h.config,
        text.replace(&common::path_str(&cdr), &common::path_str(&good)),
    )
    .unwrap();
    nix_kill(h.daemon_pid(), 1).expect("SIGHUP");
    common::wait_for(LIMIT, || cdr_lines(&good).len() == 2);
    let cdr = good;
    let lines = cdr_lines(&cdr);
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(lines[1]["seq"], 2);
    // The writer counts a record just after writing it.
    let mut st = Value::Null;
    common::wait_for(LIMIT, || {
        st = c.request("status", Value::Null).expect("status");
        st["cdr"]["written"] == 2
    });
    assert_eq!(st["cdr"]["backlog"], 0, "{st}");
    assert!(st["cdr"]["last_error"].is_null(), "{st}");
    assert_eq!(st["cdr"]["path"], common::path_str(&cdr));
    drop(h);
    let _ = std::fs::remove_dir_all(files);
}
