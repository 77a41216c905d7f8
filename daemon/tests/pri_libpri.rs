//! trunkd's ISDN PRI against Debian's libpri as the far end.
//!
//! trunksim runs the line with an `external` far end; the project's libpri
//! shim (`pripeer`, testbench/peers) sits on the span's D-channel socket in
//! the opposite role. Calls are driven from both sides: through trunkd's
//! API and through pripeer's stdin. Each scenario also captures the
//! D-channel with `trunkctl capture` and has tshark decode every frame.
//! libpri and tshark are required: a missing one fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, serial, start_trunksim, tempdir, wait_for};
use serde_json::{json, Value};
use trunk_testbench::peers::PriPeer;
use trunk_tools::client::Client;

const T: Duration = Duration::from_secs(15);

struct Rig {
    dir: PathBuf,
    sim: Child,
    daemon: Child,
    capture: Option<Child>,
    pcap: PathBuf,
    peer: PriPeer,
    api: Client,
}

impl Drop for Rig {
    fn drop(&mut self) {
        if let Some(mut c) = self.capture.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = self.sim.kill();
        let _ = self.sim.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// trunkd in `role` ("pri-cpe"/"pri-net"), libpri in the other.
fn start(tag: &str, t1: bool, role: &str, inbound: &str) -> Rig {
    let dir = tempdir(tag);
    let sim_dir = dir.join("sim");
    let line = if t1 { "t1" } else { "e1" };
    let sim = start_trunksim(&sim_dir, 1, t1, "external", "realtime");
    wait_for(Duration::from_secs(10), || {
        sim_dir.join("span1/dchan").exists() && sim_dir.join("irq").exists()
    });
    let socket = dir.join("trunkd.sock");
    let cfg = dir.join("trunkd.toml");
    std::fs::write(
        &cfg,
        format!(
            "[daemon]\nsocket = \"{}\"\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n\
             [[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"{line}\"\n\
             signalling = \"{role}\"\ntrunk_group = \"pstn\"\n\
             [[trunk_group]]\nname = \"pstn\"\n{inbound}\n",
            socket.display(),
            sim_dir.display()
        ),
    )
    .unwrap();
    let daemon = Command::new(bin("trunkd"))
        .arg("--config")
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("trunkd.log")).unwrap())
        .spawn()
        .expect("start trunkd");
    wait_for(Duration::from_secs(10), || socket.exists());
    let api = Client::connect_with_timeout(&socket, Duration::from_secs(5)).expect("API");
    let pcap = dir.join("dchan.pcap");
    let capture = Command::new(bin("trunkctl"))
        .arg("--socket")
        .arg(&socket)
        .args(["capture", "1", "-w"])
        .arg(&pcap)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start trunkctl capture");
    // Let the capture subscribe before the D-channel comes up.
    std::thread::sleep(Duration::from_millis(300));
    let dchan = sim_dir.join("span1/dchan");
    let peer_role = if role == "pri-cpe" { "net" } else { "cpe" };
    let switch = if t1 { "ni2" } else { "euroisdn" };
    let peer = PriPeer::spawn(&[
        "--socket",
        dchan.to_str().unwrap(),
        "--role",
        peer_role,
        "--switch",
        switch,
        "--auto",
        "none",
    ])
    .unwrap_or_else(|e| panic!("libpri peer: {e}"));
    let mut rig = Rig {
        dir,
        sim,
        daemon,
        capture: Some(capture),
        pcap,
        peer,
        api,
    };
    rig.expect("UP");
    // trunkd restarts the interface when the D-channel first comes up.
    rig.expect("RESTART chan=-1");
    rig
}

impl Rig {
    fn expect(&mut self, prefix: &str) -> String {
        match self.peer.expect(prefix, T) {
            Ok(l) => l,
            Err(e) => panic!(
                "libpri peer: {e}\ntrunkd log:\n{}",
                std::fs::read_to_string(self.dir.join("trunkd.log")).unwrap_or_default()
            ),
        }
    }

    fn send(&mut self, cmd: &str) {
        self.peer.send(cmd).expect("pripeer stdin");
    }

    fn api(&mut self, cmd: &str, args: Value) -> Value {
        self.api
            .request(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    fn calls(&mut self) -> Vec<Value> {
        self.api("calls", json!({}))["calls"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn recent(&mut self, id: u64) -> Value {
        let start = Instant::now();
        loop {
            let r = self.api("calls", json!({"recent": true}));
            if let Some(c) = r["recent"]
                .as_array()
                .and_then(|a| a.iter().find(|c| c["call"] == id))
            {
                return c.clone();
            }
            assert!(start.elapsed() < T, "call {id} never ended: {r}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_call(&mut self, what: &str, f: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            if let Some(c) = self.calls().into_iter().find(|c| f(c)) {
                return c;
            }
            assert!(start.elapsed() < T, "no call {what}: {:?}", self.calls());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stop the capture and have tshark decode it; returns the Q.931
    /// message type codes in order.
    fn tshark(&mut self) -> Vec<u8> {
        std::thread::sleep(Duration::from_millis(300));
        let mut c = self.capture.take().expect("capture running");
        let _ = common::nix_kill(c.id() as i32, 2);
        let st = c.wait().unwrap();
        assert!(st.success(), "trunkctl capture exited with {st}");
        check_with_tshark(&self.pcap)
    }
}

fn word<'a>(line: &'a str, key: &str) -> &'a str {
    line.split(' ')
        .find_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or("")
}

/// Decode a capture with tshark: every frame must be LAPD, none malformed.
fn check_with_tshark(pcap: &Path) -> Vec<u8> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.protocols",
            "-e",
            "q931.message_type",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.expert.severity",
        ])
        .output()
        .expect("tshark is required for this test: apt-get install tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut types = Vec::new();
    let mut frames = 0;
    for l in text.lines() {
        frames += 1;
        let cols: Vec<&str> = l.split('\t').collect();
        assert!(cols[0].contains("lapd"), "not decoded as LAPD: {l}");
        assert!(cols.get(2).is_none_or(|m| m.is_empty()), "malformed: {l}");
        assert!(
            cols.get(3).is_none_or(|s| s.is_empty()
                || s.split(',')
                    .all(|x| x.parse::<u32>().is_ok_and(|v| v < 6_291_456))),
            "tshark expert warning or error: {l}"
        );
        if let Some(t) = cols.get(1).filter(|t| !t.is_empty()) {
            assert!(cols[0].contains("q931"), "I frame without Q.931: {l}");
            let t = t.trim_start_matches("0x");
            types.push(u8::from_str_radix(t, 16).unwrap_or_else(|_| panic!("type {t}")));
        }
    }
    assert!(frames > 0, "empty capture");
    types
}

fn contains_in_order(hay: &[u8], needle: &[u8]) -> bool {
    let mut it = hay.iter();
    needle.iter().all(|n| it.any(|h| h == n))
}

const SETUP: u8 = 0x05;
const CALL_PROCEEDING: u8 = 0x02;
const ALERTING: u8 = 0x01;
const CONNECT: u8 = 0x07;
const CONNECT_ACK: u8 = 0x0f;
const DISCONNECT: u8 = 0x45;
const RELEASE: u8 = 0x4d;
const RELEASE_COMPLETE: u8 = 0x5a;
const RESTART: u8 = 0x46;
const RESTART_ACK: u8 = 0x4e;

/// Calls in both directions, answered, rejected, cleared from either end.
fn call_scenarios(rig: &mut Rig) {
    // 1. Inbound from libpri, answered through the API, cleared by libpri.
    rig.send("call any 5551234 8880001");
    let c = rig.wait_call("ringing from libpri", |c| c["state"] == "ringing");
    assert_eq!(c["dnis"], "5551234");
    assert_eq!(c["ani"], "8880001");
    assert_eq!(c["direction"], "in");
    let id = c["call"].as_u64().unwrap();
    rig.expect("PROCEEDING call=");
    rig.expect("RINGING call=");
    rig.api("answer", json!({"call": id}));
    let l = rig.expect("ANSWER call=");
    rig.wait_call("answered", |c| c["call"] == id && c["state"] == "answered");
    rig.send(&format!("hangup {} 16", word(&l, "call")));
    let r = rig.recent(id);
    assert_eq!(r["cause"], 16);
    assert_eq!(r["cleared_by"], "remote");
    rig.expect("HANGUP call=");

    // 2. Inbound, answered, cleared by trunkd with cause 16.
    rig.send("call any 200 300");
    let id = rig.wait_call("ringing", |c| c["state"] == "ringing")["call"]
        .as_u64()
        .unwrap();
    rig.api("answer", json!({"call": id}));
    rig.expect("ANSWER call=");
    rig.api("hangup", json!({"call": id, "cause": 16}));
    let l = rig.expect("HANGUP call=");
    assert_eq!(word(&l, "cause"), "16", "{l}");
    assert_eq!(rig.recent(id)["cleared_by"], "local");

    // 3. Inbound rejected by trunkd with cause 17 (user busy).
    rig.send("call any 201 301");
    let id = rig.wait_call("ringing", |c| c["state"] == "ringing")["call"]
        .as_u64()
        .unwrap();
    rig.api("hangup", json!({"call": id, "cause": 17}));
    let l = rig.expect("HANGUP call=");
    assert_eq!(word(&l, "cause"), "17", "{l}");
    assert_eq!(rig.recent(id)["cause"], 17);

    // 4. Outbound from trunkd, answered by libpri, cleared by libpri.
    let d = rig.api(
        "dial",
        json!({"trunk_group": "pstn", "number": "4711", "from": "8000"}),
    );
    let id = d["call"].as_u64().unwrap();
    let l = rig.expect("RING call=");
    assert_eq!(word(&l, "dnis"), "4711", "{l}");
    assert_eq!(word(&l, "ani"), "8000", "{l}");
    let pc = word(&l, "call").to_owned();
    rig.send(&format!("ack {pc}"));
    rig.send(&format!("ring {pc}"));
    rig.send(&format!("answer {pc}"));
    rig.wait_call("answered outbound", |c| {
        c["call"] == id && c["state"] == "answered"
    });
    rig.send(&format!("hangup {pc} 16"));
    assert_eq!(rig.recent(id)["cleared_by"], "remote");

    // 5. Outbound rejected by libpri with cause 17.
    let id = rig.api("dial", json!({"trunk_group": "pstn", "number": "4712"}))["call"]
        .as_u64()
        .unwrap();
    let l = rig.expect("RING call=");
    rig.send(&format!("hangup {} 17", word(&l, "call")));
    let r = rig.recent(id);
    assert_eq!(r["cause"], 17, "{r}");
    assert_eq!(r["cleared_by"], "remote");

    // 6. Outbound answered, cleared by trunkd.
    let id = rig.api("dial", json!({"trunk_group": "pstn", "number": "4713"}))["call"]
        .as_u64()
        .unwrap();
    let l = rig.expect("RING call=");
    let pc = word(&l, "call").to_owned();
    rig.send(&format!("answer {pc}"));
    rig.wait_call("answered", |c| c["call"] == id && c["state"] == "answered");
    rig.api("hangup", json!({"call": id}));
    rig.expect("HANGUP call=");
    assert_eq!(rig.recent(id)["cleared_by"], "local");
}

/// Every B-channel busy at once, then RESTART of one channel.
fn full_span_and_restart(rig: &mut Rig, channels: usize) {
    for i in 0..channels {
        rig.send(&format!("call any {} 100", 1000 + i));
    }
    let start = Instant::now();
    loop {
        let calls = rig.calls();
        let answered = calls.iter().filter(|c| c["state"] == "answered").count();
        if answered == channels {
            let mut ch: Vec<u64> = calls.iter().filter_map(|c| c["channel"].as_u64()).collect();
            ch.sort();
            ch.dedup();
            assert_eq!(ch.len(), channels, "each call on its own B-channel");
            let chans = rig.api("channels", json!({"span": 1}));
            let busy = chans["channels"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["state"] == "call" && c["call"].is_u64())
                .count();
            assert_eq!(
                busy, channels,
                "channels shows every B-channel in a call: {chans}"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "only {answered} of {channels} answered: {calls:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for _ in 0..channels {
        rig.expect("ANSWER call=");
    }
    // One more has no channel: libpri itself refuses it (cause 44/34).
    // RESTART of channel 1 by libpri clears that call only.
    rig.send("restart 1");
    rig.expect("RESTART_ACK chan=1");
    let start = Instant::now();
    while rig.calls().len() != channels - 1 {
        assert!(
            start.elapsed() < T,
            "RESTART did not clear exactly one call"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // trunkd restarts channel 2: libpri acknowledges.
    rig.api("restart", json!({"span": 1, "channel": 2}));
    rig.expect("RESTART chan=2");
    let start = Instant::now();
    while rig.calls().len() != channels - 2 {
        assert!(
            start.elapsed() < T,
            "our RESTART did not clear the call on channel 2"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // libpri clears the rest.
    let ids: Vec<String> = rig
        .peer
        .lines_seen()
        .iter()
        .filter(|l| l.starts_with("ANSWER call="))
        .map(|l| word(l, "call").to_owned())
        .collect();
    for pc in ids {
        rig.send(&format!("hangup {pc} 16"));
    }
    let start = Instant::now();
    while !rig.calls().is_empty() {
        assert!(start.elapsed() < T, "calls left: {:?}", rig.calls());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn libpri_network_side_against_trunkd_cpe_euroisdn_e1() {
    let _g = serial();
    common::build_peers_or_fail();
    let mut rig = start(
        "pri-e1-cpe",
        false,
        "pri-cpe",
        "inbound = \"api\"\napi_timeout_ms = 20000",
    );
    call_scenarios(&mut rig);
    let types = rig.tshark();
    assert!(
        contains_in_order(
            &types,
            &[
                RESTART,
                RESTART_ACK,
                SETUP,
                CALL_PROCEEDING,
                ALERTING,
                CONNECT,
                CONNECT_ACK,
                DISCONNECT,
                RELEASE,
                RELEASE_COMPLETE
            ]
        ),
        "{types:02x?}"
    );
}

#[test]
fn libpri_user_side_against_trunkd_network_ni2_t1() {
    let _g = serial();
    common::build_peers_or_fail();
    let mut rig = start(
        "pri-t1-net",
        true,
        "pri-net",
        "inbound = \"api\"\napi_timeout_ms = 20000",
    );
    call_scenarios(&mut rig);
    let types = rig.tshark();
    assert!(
        contains_in_order(
            &types,
            &[
                RESTART,
                RESTART_ACK,
                SETUP,
                CONNECT,
                CONNECT_ACK,
                DISCONNECT,
                RELEASE,
                RELEASE_COMPLETE
            ]
        ),
        "{types:02x?}"
    );
}

#[test]
fn thirty_calls_fill_an_e1_and_restart_clears_one_channel() {
    let _g = serial();
    common::build_peers_or_fail();
    let mut rig = start("pri-e1-full", false, "pri-cpe", "inbound = \"answer\"");
    full_span_and_restart(&mut rig, 30);
    let types = rig.tshark();
    assert_eq!(types.iter().filter(|&&t| t == SETUP).count(), 30);
    assert_eq!(types.iter().filter(|&&t| t == CONNECT).count(), 30);
}

#[test]
fn libpri_user_side_against_trunkd_network_euroisdn_and_ni2_cpe() {
    let _g = serial();
    common::build_peers_or_fail();
    {
        let mut rig = start("pri-e1-net", false, "pri-net", "inbound = \"answer\"");
        rig.send("call any 321 123");
        let l = rig.expect("ANSWER call=");
        rig.wait_call("answered", |c| c["state"] == "answered");
        rig.send(&format!("hangup {} 16", word(&l, "call")));
        let start = Instant::now();
        while !rig.calls().is_empty() {
            assert!(start.elapsed() < T);
            std::thread::sleep(Duration::from_millis(50));
        }
        rig.tshark();
    }
    {
        let mut rig = start(
            "pri-t1-cpe",
            true,
            "pri-cpe",
            "inbound = \"reject\"\nreject_cause = 21",
        );
        rig.send("call any 555 666");
        let l = rig.expect("HANGUP call=");
        assert_eq!(word(&l, "cause"), "21", "{l}");
        let id = rig.api(
            "dial",
            json!({"trunk_group": "pstn", "number": "18005551212"}),
        )["call"]
            .as_u64()
            .unwrap();
        let l = rig.expect("RING call=");
        assert_eq!(word(&l, "dnis"), "18005551212");
        rig.send(&format!("answer {}", word(&l, "call")));
        rig.wait_call("answered", |c| c["call"] == id && c["state"] == "answered");
        rig.api("hangup", json!({"call": id}));
        rig.expect("HANGUP call=");
        rig.tshark();
    }
}
