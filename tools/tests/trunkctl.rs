//! End-to-end tests of the `trunkctl` binary against a fake trunkd.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};

use serde_json::{json, Value};

const HELLO: &str = r#"{"event":"hello","api":1,"server":"trunkd 0.1.0"}"#;

fn socket_path(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("trunkctl-it-{}-{tag}-{n}.sock", std::process::id()))
}

/// Serves one connection: hello, then for each request line the reply
/// produced by `answer` (`Ok(result)` or `Err((code, message))`), preceded by
/// an event to exercise event skipping. Returns the requests seen.
fn fake_trunkd<F>(tag: &str, mut answer: F) -> (PathBuf, JoinHandle<Vec<Value>>)
where
    F: FnMut(&Value) -> Result<Value, (&'static str, &'static str)> + Send + 'static,
{
    let path = socket_path(tag);
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("bind");
    let handle = thread::spawn(move || {
        let mut seen = Vec::new();
        let (stream, _) = listener.accept().expect("accept");
        let mut w: UnixStream = stream.try_clone().expect("clone");
        let mut r = BufReader::new(stream);
        writeln!(w, "{HELLO}").expect("hello");
        let mut line = String::new();
        while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            let req: Value = serde_json::from_str(&line).expect("request JSON");
            line.clear();
            let reply = match answer(&req) {
                Ok(result) => json!({"id": req["id"], "ok": true, "result": result}),
                Err((code, message)) => json!({"id": req["id"], "ok": false,
                                              "error": {"code": code, "message": message}}),
            };
            seen.push(req);
            let _ = writeln!(w, r#"{{"event":"tick","n":{}}}"#, seen.len());
            if writeln!(w, "{reply}").is_err() {
                break;
            }
        }
        seen
    });
    (path, handle)
}

fn trunkctl(path: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trunkctl"))
        .arg("--socket")
        .arg(path)
        .args(args)
        .env_remove("TRUNKD_SOCKET")
        .output()
        .expect("run trunkctl")
}

fn spans_result() -> Value {
    json!({"spans": [
        {"span": 1, "board": "board0", "board_span": 1, "name": "PSTN 1", "line": "e1",
         "framing": "crc4", "linecode": "hdb3", "clock": "line", "signalling": "pri_cpe",
         "trunk_group": "pstn", "state": "up", "alarms": [],
         "counters": {"crc_errors": 3, "code_violations": 0, "ebit_errors": 0, "slips": 1,
                      "fas_errors": 0, "tx_underruns": 0, "rx_overruns": 0},
         "dchannel": {"timeslot": 16, "rx_frames": 120, "tx_frames": 118, "fcs_errors": 0,
                      "aborts": 0}},
        {"span": 2, "board": "board0", "board_span": 2, "name": "PSTN 2", "line": "e1",
         "framing": "crc4", "linecode": "hdb3", "clock": "internal", "signalling": "none",
         "trunk_group": "pstn", "state": "alarm", "alarms": ["los", "lof"],
         "counters": {"crc_errors": 12345, "code_violations": 7, "ebit_errors": 0, "slips": 0,
                      "fas_errors": 2, "tx_underruns": 0, "rx_overruns": 0},
         "dchannel": null}
    ]})
}

#[test]
fn spans_table_and_json() {
    let (path, server) = fake_trunkd("spans", |req| {
        assert_eq!(req["cmd"], "spans");
        Ok(spans_result())
    });
    let out = trunkctl(&path, &["spans"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(
            "SPAN  BOARD   LINE  FRAMING  CODE  CLOCK     SIG      STATE  ALARMS     CRC"
        ),
        "{text}"
    );
    assert!(lines[2].contains("alarm  LOS,LOF"), "{text}");
    assert!(lines[1].contains(" up     OK "), "{text}");
    // All lines are as long as the widest and right-aligned columns line up.
    assert!(lines[1].ends_with("   120     118"), "{text}");
    assert!(lines[2].ends_with("     -       -"), "{text}");
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);

    let (path, server) = fake_trunkd("spans-json", |_| Ok(spans_result()));
    let out = trunkctl(&path, &["spans", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert_eq!(text.lines().count(), 1);
    let v: Value = serde_json::from_str(&text).expect("json output");
    assert_eq!(v, spans_result());
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn channels_passes_span_filter() {
    let (path, server) = fake_trunkd("channels", |req| {
        assert_eq!(req["cmd"], "channels");
        assert_eq!(req["span"], 2);
        Ok(json!({"channels": [
            {"channel": "2/1", "span": 2, "timeslot": 1, "kind": "bearer", "state": "idle",
             "trunk_group": "pstn"}
        ]}))
    });
    let out = trunkctl(&path, &["channels", "--span", "2"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "CHANNEL  SPAN  TS  KIND    STATE  CALL  GROUP\n2/1         2   1  bearer  idle   -     pstn\n"
    );
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bert_polls_until_done() {
    let mut polls = 0;
    let (path, server) = fake_trunkd("bert", move |req| match req["cmd"].as_str() {
        Some("bert_start") => {
            assert_eq!(
                (req["span"].clone(), req["timeslot"].clone()),
                (json!(1), json!(5))
            );
            assert_eq!(req["seconds"], 2);
            Ok(json!({"span": 1, "timeslot": 5, "seconds": 2}))
        }
        Some("bert") => {
            polls += 1;
            let state = if polls < 3 { "running" } else { "done" };
            Ok(
                json!({"span": 1, "timeslot": 5, "state": state, "in_sync": true,
                      "elapsed_ms": polls * 700, "bits": 128_000, "errors": 2,
                      "error_rate": 1.5625e-5, "resyncs": 1}),
            )
        }
        _ => Err(("unknown_command", "?")),
    });
    let out = trunkctl(&path, &["bert", "1/5", "--seconds", "2"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BERT 1/5: done after 2.100 s"), "{text}");
    assert!(text.contains("errors:      2"), "{text}");
    assert!(text.contains("error rate:  1.563e-05"), "{text}");
    assert!(text.contains("resyncs:     1"), "{text}");
    let seen = server.join().expect("server");
    let cmds: Vec<&str> = seen.iter().filter_map(|r| r["cmd"].as_str()).collect();
    assert_eq!(cmds, ["bert_start", "bert", "bert", "bert"]);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bert_json_prints_final_result() {
    let (path, server) = fake_trunkd("bert-json", |req| match req["cmd"].as_str() {
        Some("bert_start") => Ok(json!({"span": 3, "timeslot": 1, "seconds": 1})),
        _ => Ok(
            json!({"span": 3, "timeslot": 1, "state": "done", "in_sync": false,
                       "elapsed_ms": 1000, "bits": 64000, "errors": 64000,
                       "error_rate": 1.0, "resyncs": 9}),
        ),
    });
    let out = trunkctl(&path, &["bert", "3/1", "--seconds", "1", "--json"]);
    // Errors and lost sync still mean the test ran: exit 0.
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["state"], "done");
    assert_eq!(v["errors"], 64000);
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn server_error_exits_1_with_code() {
    let (path, server) = fake_trunkd("busy", |_| Err(("busy", "BERT already running on 1/5")));
    let out = trunkctl(&path, &["bert", "1/5"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "trunkctl: trunkd refused 'bert_start': busy: BERT already running on 1/5"
    );
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_channel_exits_1_without_connecting() {
    let path = socket_path("never");
    let out = trunkctl(&path, &["bert", "1-5"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("trunkctl: invalid channel '1-5': expected SPAN/TS"),
        "{err}"
    );
}

#[test]
fn missing_socket_exits_1_and_names_it() {
    let path = socket_path("missing");
    let out = trunkctl(&path, &["status"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("trunkctl: cannot connect to trunkd at "),
        "{err}"
    );
    assert!(err.contains(&*path.to_string_lossy()), "{err}");
    assert!(err.contains("--socket"), "{err}");
}

#[test]
fn socket_from_environment() {
    let (path, server) = fake_trunkd("env", |_| {
        Ok(
            json!({"server": "trunkd 0.1.0", "api": 1, "uptime_ms": 5000,
                  "config": "/etc/trunkd/trunkd.toml", "reloads": 0, "boards": []}),
        )
    });
    let out = Command::new(env!("CARGO_BIN_EXE_trunkctl"))
        .arg("status")
        .env("TRUNKD_SOCKET", &path)
        .output()
        .expect("run trunkctl");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("uptime:   00:00:05.000"), "{text}");
    assert!(text.contains("no boards"), "{text}");
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bert_stopped_early_exits_1() {
    let (path, server) = fake_trunkd("bert-stopped", |req| match req["cmd"].as_str() {
        Some("bert_start") => Ok(json!({"span": 1, "timeslot": 2, "seconds": 5})),
        _ => Ok(
            json!({"span": 1, "timeslot": 2, "state": "stopped", "in_sync": true,
                       "elapsed_ms": 1500, "bits": 96000, "errors": 0,
                       "error_rate": 0.0, "resyncs": 0}),
        ),
    });
    let out = trunkctl(&path, &["bert", "1/2", "--seconds", "5"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BERT 1/2: stopped after 1.500 s"), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("trunkctl: BERT on 1/2 was stopped"),
        "{err}"
    );
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}
