use super::*;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};

const HELLO: &str = r#"{"event":"hello","api":1,"server":"trunkd 0.1.0"}"#;

/// A socket path unique to this test process and call.
fn socket_path(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("trunk-tools-{}-{tag}-{n}.sock", std::process::id()))
}

/// Runs `serve` on the first connection to a fresh socket.
fn fake_server<F>(tag: &str, serve: F) -> (PathBuf, JoinHandle<()>)
where
    F: FnOnce(BufReader<UnixStream>, UnixStream) + Send + 'static,
{
    let path = socket_path(tag);
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("bind fake server");
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        serve(reader, stream);
    });
    (path, handle)
}

fn send(w: &mut UnixStream, line: &str) {
    w.write_all(line.as_bytes()).expect("write");
    w.write_all(b"\n").expect("write");
}

fn recv(r: &mut BufReader<UnixStream>) -> Value {
    let mut line = String::new();
    r.read_line(&mut line).expect("read request");
    serde_json::from_str(&line).expect("request is JSON")
}

#[test]
fn request_skips_and_queues_events_and_matches_id() {
    let (path, server) = fake_server("req", |mut r, mut w| {
        send(&mut w, HELLO);
        let req = recv(&mut r);
        assert_eq!(req["cmd"], "spans");
        assert_eq!(req["verbose"], true);
        let id = req["id"].clone();
        assert!(id.is_u64());
        // An event and a stale reply arrive before the real reply,
        // which is split across two writes.
        send(&mut w, r#"{"event":"alarm","span":1,"alarms":["los"]}"#);
        send(&mut w, r#"{"id":0,"ok":true,"result":{"stale":true}}"#);
        let reply = json!({"id": id, "ok": true, "result": {"spans": []}}).to_string();
        let (a, b) = reply.split_at(7);
        w.write_all(a.as_bytes()).expect("write");
        thread::sleep(Duration::from_millis(50));
        send(&mut w, b);
        // Second request: plain reply, id must have increased.
        let req2 = recv(&mut r);
        assert_eq!(req2["cmd"], "status");
        assert!(req2["id"].as_u64() > id.as_u64());
        assert!(req2.get("verbose").is_none());
        send(
            &mut w,
            &json!({"id": req2["id"], "ok": true, "result": {"server": "trunkd 0.1.0"}})
                .to_string(),
        );
        send(&mut w, r#"{"event":"span_up","span":1}"#);
    });
    let mut c = Client::connect(&path).expect("connect");
    assert_eq!(c.server(), "trunkd 0.1.0");
    assert_eq!(c.api(), 1);
    assert_eq!(c.socket_path(), path.as_path());
    let result = c.request("spans", json!({"verbose": true})).expect("spans");
    assert_eq!(result, json!({"spans": []}));
    assert_eq!(c.queued_events(), 1);
    let status = c.status().expect("status");
    assert_eq!(status.server, "trunkd 0.1.0");
    let ev = c.next_event(None).expect("event").expect("queued event");
    assert_eq!(ev["event"], "alarm");
    assert_eq!(ev["alarms"], json!(["los"]));
    assert_eq!(c.queued_events(), 0);
    // The next event is read from the socket.
    let ev = c.next_event(None).expect("event").expect("live event");
    assert_eq!(ev["event"], "span_up");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn hello_with_other_api_version_is_refused() {
    let (path, server) = fake_server("api2", |_r, mut w| {
        send(
            &mut w,
            r#"{"event":"hello","api":2,"server":"trunkd 9.0.0"}"#,
        );
    });
    let err = Client::connect(&path).expect_err("must refuse api 2");
    assert!(
        matches!(
            err,
            ClientError::ApiMismatch {
                server: 2,
                client: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("version 2") && msg.contains("version 1"),
        "{msg}"
    );
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn server_error_is_mapped() {
    let (path, server) = fake_server("err", |mut r, mut w| {
        send(&mut w, HELLO);
        let req = recv(&mut r);
        assert_eq!(req["cmd"], "bert_start");
        assert_eq!(req["span"], 9);
        send(
            &mut w,
            &json!({"id": req["id"], "ok": false,
                    "error": {"code": "not_found", "message": "no span 9"}})
            .to_string(),
        );
        // An error reply the server could not attribute (id null).
        let _ = recv(&mut r);
        send(
            &mut w,
            r#"{"id":null,"ok":false,"error":{"code":"line_too_long","message":"too long"}}"#,
        );
    });
    let mut c = Client::connect(&path).expect("connect");
    let err = c.bert_start(9, 1, 10).expect_err("server error");
    match &err {
        ClientError::Server { cmd, code, message } => {
            assert_eq!(cmd, "bert_start");
            assert_eq!(code, "not_found");
            assert_eq!(message, "no span 9");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.server_code(), Some("not_found"));
    assert!(err.to_string().contains("not_found: no span 9"));
    let err = c.request("status", Value::Null).expect_err("null id error");
    assert_eq!(err.server_code(), Some("line_too_long"));
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_json_from_server_is_a_protocol_error() {
    let (path, server) = fake_server("badjson", |mut r, mut w| {
        send(&mut w, HELLO);
        let _ = recv(&mut r);
        send(&mut w, "{not json");
    });
    let mut c = Client::connect(&path).expect("connect");
    let err = c.request("status", Value::Null).expect_err("bad json");
    assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
    assert!(err.to_string().contains("{not json"), "{err}");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn reply_with_unknown_id_is_a_protocol_error() {
    let (path, server) = fake_server("badid", |mut r, mut w| {
        send(&mut w, HELLO);
        let _ = recv(&mut r);
        send(&mut w, r#"{"id":"zzz","ok":true,"result":{}}"#);
    });
    let mut c = Client::connect(&path).expect("connect");
    let err = c.request("status", Value::Null).expect_err("bad id");
    assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn hung_daemon_times_out() {
    let (path, server) = fake_server("hung", |mut r, mut w| {
        send(&mut w, HELLO);
        let _ = recv(&mut r);
        // Keep the connection open without answering, but chatter
        // events: they must not extend the deadline.
        for _ in 0..10 {
            thread::sleep(Duration::from_millis(50));
            if w.write_all(b"{\"event\":\"tick\"}\n").is_err() {
                break;
            }
        }
    });
    let mut c = Client::connect_with_timeout(&path, Duration::from_millis(200)).expect("connect");
    let start = Instant::now();
    let err = c.request("status", Value::Null).expect_err("timeout");
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(err.to_string().contains("reply to 'status'"), "{err}");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn closed_connection_is_reported() {
    let (path, server) = fake_server("closed", |_r, _w| {});
    let err = Client::connect(&path).expect_err("closed");
    assert!(matches!(err, ClientError::Disconnected { .. }), "{err:?}");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn missing_socket_names_path_and_hints_socket_option() {
    let path = socket_path("missing");
    let err = Client::connect(&path).expect_err("no socket");
    assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&*path.to_string_lossy()), "{msg}");
    assert!(msg.contains("--socket"), "{msg}");
    assert!(msg.contains("is trunkd running"), "{msg}");
}

#[test]
fn invalid_arguments_are_rejected_before_sending() {
    let (path, server) = fake_server("args", |_r, mut w| {
        send(&mut w, HELLO);
    });
    let mut c = Client::connect(&path).expect("connect");
    let err = c.request("status", json!([1, 2])).expect_err("array");
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    let err = c.request("status", json!({"id": 5})).expect_err("reserved");
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn first_line_must_be_hello() {
    let (path, server) = fake_server("nohello", |_r, mut w| {
        send(&mut w, r#"{"event":"alarm"}"#);
    });
    let err = Client::connect(&path).expect_err("no hello");
    assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn next_event_timeouts_and_zero_poll() {
    let (path, server) = fake_server("poll", |_r, mut w| {
        send(&mut w, HELLO);
        send(&mut w, r#"{"event":"link","span":1,"state":"up"}"#);
        thread::sleep(Duration::from_millis(300));
        send(&mut w, r#"{"event":"link","span":1,"state":"down"}"#);
        thread::sleep(Duration::from_millis(100));
        // Closing the connection ends the event stream.
    });
    let mut c = Client::connect(&path).expect("connect");
    thread::sleep(Duration::from_millis(50));
    // A zero timeout still picks up what has arrived...
    let ev = c
        .next_event(Some(Duration::ZERO))
        .expect("poll")
        .expect("first event already there");
    assert_eq!(ev["state"], "up");
    // ...and returns at once when nothing has.
    let start = Instant::now();
    assert!(c.next_event(Some(Duration::ZERO)).expect("poll").is_none());
    assert!(c
        .next_event(Some(Duration::from_millis(20)))
        .expect("short wait")
        .is_none());
    assert!(start.elapsed() < Duration::from_millis(200));
    let ev = c
        .next_event(Some(Duration::from_secs(5)))
        .expect("wait")
        .expect("second event");
    assert_eq!(ev["state"], "down");
    let err = c.next_event(None).expect_err("closed");
    assert!(matches!(err, ClientError::Disconnected { .. }), "{err:?}");
    assert!(err.to_string().contains("an event"), "{err}");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn typed_call_commands_and_capture_events() {
    let (path, server) = fake_server("typed", |mut r, mut w| {
        send(&mut w, HELLO);
        let req = recv(&mut r);
        assert_eq!(
            req,
            json!({"id": req["id"], "cmd": "dial", "trunk_group": "pstn",
                   "number": "5551234", "from": "8880001"})
        );
        send(
            &mut w,
            &json!({"id": req["id"], "ok": true,
                    "result": {"call": 7, "span": 1, "channel": null}})
            .to_string(),
        );
        let req = recv(&mut r);
        assert_eq!(req["cmd"], "hangup");
        assert_eq!(req["call"], 7);
        assert!(req.get("cause").is_none());
        send(
            &mut w,
            &json!({"id": req["id"], "ok": true, "result": {"call": 7, "cause": 16}}).to_string(),
        );
        let req = recv(&mut r);
        assert_eq!(req["cmd"], "capture");
        assert_eq!(req["span"], 1);
        // A frame before the reply, one after.
        send(
            &mut w,
            r#"{"event":"frame","span":1,"dir":"tx","board_ms":1,"unix_us":2,"hex":"00017f"}"#,
        );
        send(
            &mut w,
            &json!({"id": req["id"], "ok": true,
                    "result": {"span": 1, "network_side": true, "linktype": 177}})
            .to_string(),
        );
        send(
            &mut w,
            r#"{"event":"frame","span":1,"dir":"rx","board_ms":3,"unix_us":4,"hex":"000173"}"#,
        );
        let req = recv(&mut r);
        assert_eq!(req["cmd"], "capture_stop");
        send(
            &mut w,
            &json!({"id": req["id"], "ok": true, "result": {"capturing": false}}).to_string(),
        );
    });
    let mut c = Client::connect(&path).expect("connect");
    let d = c.dial("pstn", "5551234", Some("8880001")).expect("dial");
    assert_eq!((d.call, d.span, d.channel), (7, 1, None));
    c.hangup(7, None).expect("hangup");
    let started = c.capture(1).expect("capture");
    assert!(started.network_side);
    assert_eq!(started.linktype, 177);
    assert_eq!(c.queued_events(), 1);
    let frames: Vec<crate::api::FrameEvent> = (0..2)
        .map(|_| {
            let ev = c.next_event(None).expect("event").expect("frame event");
            serde_json::from_value(ev).expect("frame")
        })
        .collect();
    assert!(frames[0].is_tx());
    assert_eq!(frames[0].bytes(), Ok(vec![0x00, 0x01, 0x7f]));
    assert!(!frames[1].is_tx());
    assert_eq!(frames[1].unix_us, 4);
    c.capture_stop().expect("capture_stop");
    server.join().expect("server thread");
    let _ = std::fs::remove_file(&path);
}
