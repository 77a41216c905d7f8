//! End-to-end tests of trunkctl's call, event and capture commands against
//! a scripted fake trunkd.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use pcap_file::pcap::PcapReader;
use pcap_file::DataLink;
use serde_json::{json, Value};

const HELLO: &str = r#"{"event":"hello","api":1,"server":"trunkd 0.1.0"}"#;

fn temp_path(tag: &str, ext: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "trunkctl-calls-{}-{tag}-{n}.{ext}",
        std::process::id()
    ))
}

fn ok(req: &Value, result: Value) -> String {
    json!({"id": req["id"], "ok": true, "result": result}).to_string()
}

fn err(req: &Value, code: &str, message: &str) -> String {
    json!({"id": req["id"], "ok": false, "error": {"code": code, "message": message}}).to_string()
}

/// Serves one connection: hello, then for each request the lines `script`
/// returns (replies and events, in order). Keeps the connection open until
/// the client closes it; returns the requests seen.
fn fake_trunkd<F>(tag: &str, mut script: F) -> (PathBuf, JoinHandle<Vec<Value>>)
where
    F: FnMut(&Value) -> Vec<String> + Send + 'static,
{
    let path = temp_path(tag, "sock");
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
            for out in script(&req) {
                if writeln!(w, "{out}").is_err() {
                    break;
                }
            }
            seen.push(req);
        }
        seen
    });
    (path, handle)
}

fn trunkctl(path: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trunkctl"))
        .arg("--socket")
        .arg(path)
        .args(args)
        .env_remove("TRUNKD_SOCKET")
        .output()
        .expect("run trunkctl")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn call_record(id: u64, state: &str) -> Value {
    json!({"call": id, "span": 1, "channel": 5, "trunk_group": "pstn", "direction": "in",
           "ani": "8880001", "dnis": "5551234", "state": state, "q931_state": 10,
           "started_ms": 1_000, "answered_ms": 2_000, "ended_ms": null, "cause": null,
           "cause_text": null, "cleared_by": null})
}

#[test]
fn calls_table_json_and_recent() {
    let (path, server) = fake_trunkd("calls", |req| {
        let mut ended = call_record(3, "cleared");
        ended["ended_ms"] = json!(62_000);
        ended["cause"] = json!(16);
        ended["cause_text"] = json!("normal call clearing");
        ended["cleared_by"] = json!("remote");
        let mut active = call_record(7, "answered");
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis() as u64;
        active["started_ms"] = json!(now_ms - 5_000);
        let mut result = json!({"calls": [active]});
        if req["recent"] == true {
            result["recent"] = json!([ended]);
        }
        vec![
            r#"{"event":"link","span":1,"state":"up"}"#.to_string(),
            ok(req, result),
        ]
    });
    let out = trunkctl(&path, &["calls", "--recent"]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        "CALL  SPAN  CH  TG    DIR  ANI      DNIS     STATE     AGE/DURATION  CAUSE"
    );
    assert_eq!(
        lines[1],
        "   3     1   5  pstn  in   8880001  5551234  cleared       00:01:01  16 (normal call clearing) by remote"
    );
    assert!(
        lines[2].starts_with("   7     1   5  pstn  in   8880001  5551234  answered      00:00:0"),
        "{text}"
    );
    assert!(lines[2].ends_with("  -"), "{text}");
    let seen = server.join().expect("server");
    assert_eq!(seen[0]["cmd"], "calls");
    assert_eq!(seen[0]["recent"], true);
    let _ = std::fs::remove_file(&path);

    let (path, server) = fake_trunkd("calls-json", |req| {
        vec![ok(req, json!({"calls": [call_record(7, "ringing")]}))]
    });
    let out = trunkctl(&path, &["calls", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(v["calls"][0]["state"], "ringing");
    let seen = server.join().expect("server");
    assert!(seen[0].get("recent").is_none());
    let _ = std::fs::remove_file(&path);
}

#[test]
fn dial_answer_hangup_restart() {
    let (path, server) = fake_trunkd("control", |req| {
        let result = match req["cmd"].as_str() {
            Some("dial") => json!({"call": 42, "span": 2, "channel": 17}),
            Some("answer") => json!({"call": req["call"]}),
            Some("hangup") => {
                json!({"call": req["call"], "cause": req["cause"].as_u64().unwrap_or(16)})
            }
            Some("restart") => json!({"span": req["span"], "channel": req["channel"]}),
            _ => return vec![err(req, "unknown_command", "?")],
        };
        vec![ok(req, result)]
    });
    let out = trunkctl(&path, &["dial", "pstn", "5551234", "--from", "8880001"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "call 42 to 5551234 on span 2 channel 17\n");
    let seen = server.join().expect("server");
    assert_eq!(
        seen[0],
        json!({"id": seen[0]["id"], "cmd": "dial", "trunk_group": "pstn",
               "number": "5551234", "from": "8880001"})
    );
    let _ = std::fs::remove_file(&path);

    let cases: [(&[&str], Value, &str); 4] = [
        (
            &["answer", "42"],
            json!({"cmd": "answer", "call": 42}),
            "call 42: answered\n",
        ),
        (
            &["hangup", "42", "--cause", "17"],
            json!({"cmd": "hangup", "call": 42, "cause": 17}),
            "call 42: clearing with cause 17 (user busy)\n",
        ),
        (
            &["restart", "1", "--channel", "5"],
            json!({"cmd": "restart", "span": 1, "channel": 5}),
            "span 1 channel 5: RESTART sent\n",
        ),
        (
            &["restart", "1"],
            json!({"cmd": "restart", "span": 1}),
            "span 1: RESTART of the whole interface sent\n",
        ),
    ];
    for (args, want, text) in cases {
        let (path, server) = fake_trunkd("control", |req| {
            vec![ok(
                req,
                json!({"call": 42, "cause": req["cause"], "span": req["span"]}),
            )]
        });
        let out = trunkctl(&path, args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(stdout(&out), text, "{args:?}");
        let mut seen = server.join().expect("server");
        seen[0].as_object_mut().expect("object").remove("id");
        assert_eq!(seen[0], want, "{args:?}");
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn dial_refused_exits_1_with_code_and_message() {
    let (path, server) = fake_trunkd("dial-err", |req| {
        vec![err(
            req,
            "no_channel",
            "no B-channel is free in trunk group pstn",
        )]
    });
    let out = trunkctl(&path, &["dial", "pstn", "5551234"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        stderr(&out).trim_end(),
        "trunkctl: trunkd refused 'dial': no_channel: no B-channel is free in trunk group pstn"
    );
    assert!(stdout(&out).is_empty());
    let seen = server.join().expect("server");
    assert!(seen[0].get("from").is_none());
    let _ = std::fs::remove_file(&path);
}

#[test]
fn events_prints_one_line_each_until_count() {
    let (path, server) = fake_trunkd("events", |req| {
        let mut incoming = call_record(9, "ringing");
        incoming["event"] = json!("call_incoming");
        incoming["channel"] = json!(null);
        vec![
            ok(req, json!({"subscribed": true})),
            incoming.to_string(),
            r#"{"event":"link","span":1,"state":"down"}"#.to_string(),
            r#"{"event":"restart","span":1,"channel":null,"remote":true}"#.to_string(),
            r#"{"event":"link","span":1,"state":"up"}"#.to_string(),
        ]
    });
    let out = trunkctl(
        &path,
        &[
            "events",
            "--filter",
            "call_*",
            "--filter",
            "link",
            "--span",
            "1",
            "--trunk-group",
            "pstn",
            "--call",
            "9",
            "--count",
            "3",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // HH:MM:SS.mmmZ, then the event.
    for l in &lines {
        assert_eq!(&l[2..3], ":", "{l}");
        assert_eq!(&l[12..14], "Z ", "{l}");
    }
    assert_eq!(
        &lines[0][14..],
        "call_incoming call=9 span=1 tg=pstn dir=in ani=8880001 dnis=5551234 state=ringing"
    );
    assert_eq!(&lines[1][14..], "link span=1 state=down");
    assert_eq!(&lines[2][14..], "restart span=1 channel=all by=remote");
    let seen = server.join().expect("server");
    assert_eq!(seen[0]["cmd"], "subscribe");
    assert_eq!(seen[0]["events"], json!(["call_*", "link"]));
    assert_eq!(seen[0]["span"], 1);
    assert_eq!(seen[0]["trunk_group"], "pstn");
    assert_eq!(seen[0]["call"], 9);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn events_json_is_raw_and_counts_events_sent_before_the_reply() {
    let (path, server) = fake_trunkd("events-json", |req| {
        vec![
            // An event racing ahead of the reply is kept, not lost.
            r#"{"event":"link","span":2,"state":"up"}"#.to_string(),
            ok(req, json!({"subscribed": true})),
            r#"{"event":"call_answered","call":4,"span":2,"dropped_before":2}"#.to_string(),
        ]
    });
    let out = trunkctl(&path, &["events", "--json", "--count", "2"]);
    assert!(out.status.success(), "{out:?}");
    let evs: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(evs[0], json!({"event": "link", "span": 2, "state": "up"}));
    assert_eq!(evs[1]["dropped_before"], 2);
    let seen = server.join().expect("server");
    assert_eq!(seen[0], json!({"id": seen[0]["id"], "cmd": "subscribe"}));
    let _ = std::fs::remove_file(&path);
}

fn frame(span: u32, dir: &str, unix_us: u64, hex: &str) -> String {
    json!({"event": "frame", "span": span, "dir": dir, "board_ms": 10, "unix_us": unix_us,
           "hex": hex})
    .to_string()
}

/// Reads a pcap file: link type and (timestamp µs, data) of each packet.
fn read_pcap(bytes: &[u8]) -> (DataLink, Vec<(u128, Vec<u8>)>) {
    let mut r = PcapReader::new(bytes).expect("pcap header");
    let link = r.header().datalink;
    let mut packets = Vec::new();
    while let Some(p) = r.next_packet() {
        let p = p.expect("packet");
        packets.push((p.timestamp.as_micros(), p.data.to_vec()));
    }
    (link, packets)
}

const T0: u64 = 1_700_000_000_000_000;

#[test]
fn capture_writes_pcap_until_count() {
    let (path, server) = fake_trunkd("capture", |req| {
        assert_eq!(req["cmd"], "capture");
        vec![
            ok(
                req,
                json!({"span": 1, "network_side": false, "linktype": 177}),
            ),
            frame(1, "tx", T0, "00017f"),
            frame(2, "rx", T0 + 1, "020173"), // another span: not written
            frame(1, "rx", T0 + 500, "000173"),
            r#"{"event":"link","span":1,"state":"up"}"#.to_string(),
            frame(1, "tx", T0 + 2_000_000, "0001000008020001050403809090"),
            frame(1, "rx", T0 + 3_000_000, "00010102"),
        ]
    });
    let pcap = temp_path("capture", "pcap");
    let out = trunkctl(
        &path,
        &[
            "capture",
            "1",
            "-w",
            pcap.to_str().expect("utf8"),
            "--count",
            "3",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out),
        format!("3 frames of span 1 written to {}\n", pcap.display())
    );
    let (link, packets) = read_pcap(&std::fs::read(&pcap).expect("capture file"));
    assert_eq!(u32::from(link), 177);
    assert_eq!(packets.len(), 3);
    let tx = [0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30];
    let rx = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30];
    assert_eq!(packets[0].0, u128::from(T0));
    assert_eq!(packets[0].1, [&tx[..], &[0x00, 0x01, 0x7f]].concat());
    assert_eq!(packets[1].0, u128::from(T0 + 500));
    assert_eq!(packets[1].1, [&rx[..], &[0x00, 0x01, 0x73]].concat());
    assert_eq!(packets[2].0, u128::from(T0 + 2_000_000));
    assert_eq!(&packets[2].1[..16], &tx);
    assert_eq!(packets[2].1.len(), 16 + 14);
    let seen = server.join().expect("server");
    assert_eq!(seen[0]["span"], 1);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&pcap);
}

#[test]
fn capture_to_stdout_network_side() {
    let (path, server) = fake_trunkd("capture-stdout", |req| {
        vec![
            ok(
                req,
                json!({"span": 3, "network_side": true, "linktype": 177}),
            ),
            frame(3, "rx", T0, "00017f"),
        ]
    });
    let out = trunkctl(&path, &["capture", "3", "-w", "-", "--count", "1"]);
    assert!(out.status.success(), "{out:?}");
    let (link, packets) = read_pcap(&out.stdout);
    assert_eq!(link, DataLink::LINUX_LAPD);
    assert_eq!(packets.len(), 1);
    assert_eq!(
        packets[0].1,
        [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30, 0x00, 0x01, 0x7f]
    );
    assert_eq!(
        stderr(&out),
        "1 frame of span 3 written to standard output\n"
    );
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn capture_stops_after_seconds_with_valid_empty_file() {
    let (path, server) = fake_trunkd("capture-secs", |req| {
        vec![ok(
            req,
            json!({"span": 1, "network_side": false, "linktype": 177}),
        )]
    });
    let pcap = temp_path("capture-secs", "pcap");
    let start = Instant::now();
    let out = trunkctl(
        &path,
        &[
            "capture",
            "1",
            "-w",
            pcap.to_str().expect("utf8"),
            "--seconds",
            "0.3",
            "--json",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(start.elapsed() >= Duration::from_millis(300));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json summary");
    assert_eq!(v["frames"], 0);
    assert_eq!(v["stopped_by"], "time");
    let (link, packets) = read_pcap(&std::fs::read(&pcap).expect("capture file"));
    assert_eq!(link, DataLink::LINUX_LAPD);
    assert!(packets.is_empty());
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&pcap);
}

#[test]
fn capture_stops_cleanly_on_sigint() {
    let (path, server) = fake_trunkd("capture-int", |req| {
        vec![
            ok(
                req,
                json!({"span": 1, "network_side": false, "linktype": 177}),
            ),
            frame(1, "tx", T0, "00017f"),
            frame(1, "rx", T0 + 1000, "000173"),
        ]
    });
    let pcap = temp_path("capture-int", "pcap");
    let child = Command::new(env!("CARGO_BIN_EXE_trunkctl"))
        .arg("--socket")
        .arg(&path)
        .args(["capture", "1", "-w"])
        .arg(&pcap)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start trunkctl capture");
    // Both frames are flushed as they arrive: wait for them in the file.
    let want = 24 + 2 * 16 + 2 * (16 + 3);
    let start = Instant::now();
    while std::fs::metadata(&pcap).map_or(0, |m| m.len()) < want {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "frames not written"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out),
        format!("2 frames of span 1 written to {}\n", pcap.display())
    );
    let (_, packets) = read_pcap(&std::fs::read(&pcap).expect("capture file"));
    assert_eq!(packets.len(), 2);
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&pcap);
}

#[test]
fn capture_refused_creates_no_file() {
    let (path, server) = fake_trunkd("capture-err", |req| {
        vec![err(
            req,
            "not_signalling",
            "span 2 runs no signalling stack to capture",
        )]
    });
    let pcap = temp_path("capture-err", "pcap");
    let out = trunkctl(&path, &["capture", "2", "-w", pcap.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        stderr(&out).trim_end(),
        "trunkctl: trunkd refused 'capture': not_signalling: span 2 runs no signalling stack to capture"
    );
    assert!(!pcap.exists());
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn capture_ended_by_trunkd_keeps_frames_and_exits_1() {
    let path = temp_path("capture-eof", "sock");
    let listener = UnixListener::bind(&path).expect("bind");
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let mut w = stream.try_clone().expect("clone");
        let mut r = BufReader::new(stream);
        writeln!(w, "{HELLO}").expect("hello");
        let mut line = String::new();
        r.read_line(&mut line).expect("request");
        let req: Value = serde_json::from_str(&line).expect("json");
        writeln!(
            w,
            "{}",
            ok(
                &req,
                json!({"span": 1, "network_side": true, "linktype": 177})
            )
        )
        .expect("reply");
        writeln!(w, "{}", frame(1, "tx", T0, "02017f")).expect("frame");
        // Then the daemon goes away.
    });
    let pcap = temp_path("capture-eof", "pcap");
    let out = trunkctl(&path, &["capture", "1", "-w", pcap.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).starts_with("1 frame of span 1 written to "),
        "{out:?}"
    );
    assert!(
        stderr(&out).contains("trunkd closed the connection"),
        "{}",
        stderr(&out)
    );
    let (_, packets) = read_pcap(&std::fs::read(&pcap).expect("capture file"));
    assert_eq!(packets.len(), 1);
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&pcap);
}
