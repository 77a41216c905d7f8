//! Hostile input: malformed API requests and configuration files get clear
//! errors and change nothing else; SIGHUP reload touches only changed spans
//! and a bad reload keeps the running configuration; the demo runs.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Command;
use std::time::Duration;

use common::{bin, serial, tempdir, Harness};
use serde_json::Value;

struct Conn {
    w: UnixStream,
    r: BufReader<UnixStream>,
}

impl Conn {
    fn open(h: &Harness) -> Conn {
        let s = UnixStream::connect(&h.socket).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let r = BufReader::new(s.try_clone().unwrap());
        let mut c = Conn { w: s, r };
        let hello = c.read();
        assert_eq!(hello["event"], "hello");
        assert_eq!(hello["api"], 1);
        c
    }
    fn read(&mut self) -> Value {
        let mut line = String::new();
        self.r.read_line(&mut line).expect("read reply");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("reply is not JSON ({e}): {line:?}"))
    }
    fn send_raw(&mut self, bytes: &[u8]) -> Value {
        self.w.write_all(bytes).unwrap();
        self.read()
    }
}

#[test]
fn malformed_api_requests_get_errors_and_the_daemon_keeps_serving() {
    let _g = serial();
    let h = Harness::start("api", 1, false, "x2");
    h.wait_all_up(Duration::from_secs(30));
    let mut a = Conn::open(&h);
    let mut b = Conn::open(&h);

    let r = a.send_raw(b"this is not json\n");
    assert_eq!(r["ok"], false);
    assert_eq!(r["error"]["code"], "bad_json");

    let r = a.send_raw(b"{\"id\":1,\"cmd\":\"spa\n");
    assert_eq!(r["error"]["code"], "bad_json", "truncated JSON: {r}");

    let r = a.send_raw(b"[1,2,3]\n");
    assert_eq!(r["error"]["code"], "bad_request");

    let r = a.send_raw(b"{\"id\":7,\"cmd\":\"reboot\"}\n");
    assert_eq!(r["id"], 7);
    assert_eq!(r["error"]["code"], "unknown_command");

    let r = a.send_raw(b"{\"id\":8,\"cmd\":\"bert_start\",\"span\":1,\"timeslot\":99}\n");
    assert_eq!(r["error"]["code"], "invalid_argument", "{r}");
    let r = a.send_raw(b"{\"id\":9,\"cmd\":\"bert_start\",\"span\":42,\"timeslot\":1}\n");
    assert_eq!(r["error"]["code"], "not_found", "{r}");
    let r = a.send_raw(b"{\"id\":10,\"cmd\":\"bert_start\",\"span\":1,\"timeslot\":16}\n");
    assert_eq!(
        r["error"]["code"], "busy",
        "D-channel is not a BERT target: {r}"
    );
    let r = a.send_raw(b"\xff\xfe\n");
    assert_eq!(r["error"]["code"], "bad_json");

    // A huge line: one error, the rest of the line is discarded.
    let mut huge = vec![b'x'; 200 * 1024];
    huge.push(b'\n');
    let r = a.send_raw(&huge);
    assert_eq!(r["error"]["code"], "line_too_long");

    // Another client was served all along, and the first still works.
    let r = b.send_raw(b"{\"id\":\"b\",\"cmd\":\"status\"}\n");
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["id"], "b");
    let r = a.send_raw(b"{\"id\":11,\"cmd\":\"spans\"}\n");
    assert_eq!(r["ok"], true);
    assert_eq!(r["result"]["spans"][0]["state"], "up");

    // A client that vanishes mid-line changes nothing.
    {
        let mut c = UnixStream::connect(&h.socket).unwrap();
        c.write_all(b"{\"id\":1,\"cmd\":").unwrap();
    }
    // A client that never reads does not block others.
    let mut lazy = UnixStream::connect(&h.socket).unwrap();
    for _ in 0..200 {
        if lazy.write_all(b"{\"cmd\":\"channels\"}\n").is_err() {
            break;
        }
    }
    let r = b.send_raw(b"{\"id\":12,\"cmd\":\"status\"}\n");
    assert_eq!(r["ok"], true);
    let mut sink = [0u8; 16];
    let _ = lazy.set_read_timeout(Some(Duration::from_millis(10)));
    let _ = lazy.read(&mut sink);
}

fn check(text: &str) -> (bool, String) {
    let dir = tempdir("cfg");
    let p = dir.join("trunkd.toml");
    std::fs::write(&p, text).unwrap();
    let out = Command::new(bin("trunkd"))
        .arg("--config")
        .arg(&p)
        .arg("--check")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BOARD: &str = "[[board]]\nname = \"b0\"\ndevice = \"sim:/tmp/x\"\n";

#[test]
fn malformed_configs_name_file_line_and_key() {
    let (ok, _) = check(&format!(
        "{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\n"
    ));
    assert!(ok, "a valid config must pass");
    let (ok, err) = check(&format!(
        "{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"t1\"\n\
         signalling = \"pri-net\"\npri_variant = \"ni2\"\noverlap = false\ntrunk_group = \"pbx\"\n\
         [[trunk_group]]\nname = \"pbx\"\ninbound = \"api\"\napi_timeout_ms = 3000\n"
    ));
    assert!(ok, "a valid PRI config must pass: {err}");

    let cases: &[(&str, &str, &str)] = &[
        // (config, expected line prefix, expected words)
        ("[[board]\nname = 1\n", "trunkd.toml:1:", "invalid TOML"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\nframing = \"esf\"\n"), "trunkd.toml:10:", "span 1 framing"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b9\"\nboard_span = 1\nline = \"e1\"\n"), "trunkd.toml:7:", "span 1 board"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 17\nline = \"e1\"\n"), "trunkd.toml:8:", "board_span"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"j1\"\n"), "trunkd.toml:9:", "span 1 line"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"t1\"\nlinecode = \"hdb3\"\n"), "trunkd.toml:10:", "linecode"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\ncolour = \"red\"\n"), "trunkd.toml:", "colour"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 2\nline = \"e1\"\n"), "trunkd.toml:11:", "defined twice"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\nsignalling = \"ss7\"\n"), "trunkd.toml:10:", "not available"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\nsignalling = \"pri-cpe\"\npri_variant = \"dms100\"\n"), "trunkd.toml:11:", "span 1 pri_variant"),
        (&format!("{BOARD}\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\nsignalling = \"pri-net\"\ndchannel = false\n"), "trunkd.toml:11:", "needs the D-channel"),
        (&format!("{BOARD}\n[[trunk_group]]\nname = \"pstn\"\ninbound = \"reject\"\nreject_cause = 200\n"), "trunkd.toml:8:", "trunk_group pstn reject_cause"),
        (&format!("{BOARD}\n[[trunk_group]]\nname = \"pstn\"\ninbound = \"maybe\"\n"), "trunkd.toml:7:", "expected answer, reject, api or flow"),
        (&format!("{BOARD}\n[[trunk_group]]\nname = \"pstn\"\n[[trunk_group]]\nname = \"pstn\"\n"), "trunkd.toml:8:", "defined twice"),
        (&format!("{BOARD}\n[[trunk_group]]\nname = \"pstn\"\napi_timeout_ms = 5\n"), "trunkd.toml:7:", "api_timeout_ms"),
        ("[[board]]\nname = \"b0\"\ndevice = \"/tmp/nope\"\n", "trunkd.toml:3:", "device"),
        ("", "trunkd.toml", "no [[board]]"),
        (
            "[[board]]\nname = \"b0\"\ndevice = \"sim:/tmp/x\"\ninterrupt_interval_ms = 9\n",
            "trunkd.toml:4:",
            "interrupt_interval_ms",
        ),
    ];
    for (text, at, words) in cases {
        let (ok, err) = check(text);
        assert!(!ok, "accepted a bad config:\n{text}");
        assert!(err.contains(at), "error {err:?} does not point at {at}");
        assert!(
            err.contains(words),
            "error {err:?} does not mention {words}"
        );
    }
    let (ok, err) = check("\u{0}\u{1}binary");
    assert!(!ok && err.contains("trunkd.toml"), "{err}");
}

#[test]
fn sighup_reload_touches_only_changed_spans() {
    let _g = serial();
    let h = Harness::start("reload", 2, false, "lockstep");
    h.wait_all_up(Duration::from_secs(30));
    // A BERT on span 1 must survive a reload that changes span 2 only.
    let r = h.ctl(&["bert", "1/1", "--seconds", "1"]);
    assert_eq!(r["state"], "done");
    let mut c = Conn::open(&h);
    let r = c.send_raw(
        b"{\"id\":1,\"cmd\":\"bert_start\",\"span\":1,\"timeslot\":2,\"seconds\":86400}\n",
    );
    assert_eq!(r["ok"], true, "{r}");
    let bert = |c: &mut Conn| {
        c.send_raw(b"{\"id\":2,\"cmd\":\"bert\",\"span\":1,\"timeslot\":2}\n")["result"].clone()
    };
    common::wait_for(Duration::from_secs(20), || {
        bert(&mut c)["bits"].as_u64().unwrap_or(0) > 100_000
    });
    let text = std::fs::read_to_string(&h.config).unwrap();
    let changed = text.replacen(
        "framing = \"crc4\"\nlinecode = \"hdb3\"\ntrunk_group = \"tg2\"",
        "framing = \"g704\"\nlinecode = \"hdb3\"\ntrunk_group = \"tg2\"",
        1,
    );
    assert_ne!(text, changed);
    std::fs::write(&h.config, &changed).unwrap();
    common::nix_kill(h.daemon_pid(), 1).unwrap();
    h.wait_span(2, "framing g704", Duration::from_secs(20), |s| {
        s["framing"] == "g704" && s["state"] == "up"
    });
    assert_eq!(h.span(1)["framing"], "crc4");
    assert_eq!(h.ctl(&["status"])["reloads"], 1);
    // The BERT that ran across the reload is still running, error-free.
    let before = bert(&mut c)["bits"].as_u64().unwrap();
    common::wait_for(Duration::from_secs(20), || {
        bert(&mut c)["bits"].as_u64().unwrap_or(0) > before + 100_000
    });
    let r = bert(&mut c);
    assert_eq!(
        r["state"], "running",
        "span 1 BERT was disturbed by the reload: {r}"
    );
    assert_eq!(r["errors"], 0, "{r}");
    assert_eq!(r["resyncs"], 0, "{r}");
    let r = c.send_raw(b"{\"id\":3,\"cmd\":\"bert_stop\",\"span\":1,\"timeslot\":2}\n");
    assert_eq!(r["result"]["state"], "stopped", "{r}");

    // A broken config on reload is refused and the old one keeps running.
    std::fs::write(&h.config, "[[board]]\nname = 3\n").unwrap();
    common::nix_kill(h.daemon_pid(), 1).unwrap();
    common::wait_for(Duration::from_secs(10), || {
        h.ctl(&["status"])["failed_reloads"] == 1
    });
    assert_eq!(h.spans().len(), 2);
    assert_eq!(h.span(2)["framing"], "g704");
    assert_eq!(h.span(2)["state"], "up");
}

#[test]
fn demo_runs_and_shows_spans_up() {
    let _g = serial();
    let out = Command::new(bin("trunkd"))
        .args(["--demo", "--demo-seconds", "160"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("all spans framed up"), "{stdout}");
    assert!(
        stdout.contains("LOS"),
        "the demo's LOS step did not show: {stdout}"
    );
    let up_rows = stdout.lines().filter(|l| l.contains(" UP ")).count();
    assert!(up_rows >= 7, "expected the seven demo spans UP: {stdout}");
    assert!(
        stdout.contains("heard back: digits 2580#, tone busy"),
        "the demo's media step: {stdout}"
    );
    assert!(
        stdout.contains("errors, error rate"),
        "the BERT step did not finish: {stdout}"
    );
    // The call-centre part: callers went through the sample IVR into the
    // queues, agents answered, and every caller has exactly one CDR.
    let report = stdout
        .split("call-centre report")
        .nth(1)
        .expect("the call-centre report");
    for q in ["sales", "support", "all"] {
        assert!(
            report.lines().any(|l| l.trim_start().starts_with(q)),
            "no report row for queue {q}: {stdout}"
        );
    }
    assert!(report.contains("1001  Alice"), "the agent rows: {stdout}");
    let answered: u32 = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("answered by agents: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the answered count");
    assert!(answered > 0, "no call was answered by an agent: {stdout}");
    let check = report
        .lines()
        .find(|l| l.contains("cdr check:"))
        .expect("the CDR check");
    assert!(check.ends_with(": ok"), "{check}");
    let numbers: Vec<u64> = check
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // placed, inbound CDRs, queued, queued with exactly one CDR.
    assert_eq!(numbers.len(), 4, "{check}");
    assert_eq!(numbers[0], numbers[1], "{check}");
    assert_eq!(numbers[2], numbers[3], "{check}");
    assert!(numbers[2] >= u64::from(answered), "{check}");
    assert!(report.contains("acd_stats.csv"), "{stdout}");
    let ivr_ends = report
        .lines()
        .find(|l| l.contains("where the callers left the IVR"))
        .expect("the IVR summary");
    for end in ["sales_queue", "support_queue", "goodbye"] {
        assert!(ivr_ends.contains(end), "no caller left at {end}: {stdout}");
    }
    // The PRI part: D-channels up, calls answered both ways, one refused.
    assert_eq!(
        stdout.matches("D-channel UP").count(),
        5,
        "the five E1 D-channels (four to the exchange, one to the PBX): {stdout}"
    );
    assert!(
        stdout.contains("01075550102 answered"),
        "an outbound call was answered: {stdout}"
    );
    assert!(
        stdout.contains("17 user busy"),
        "the refused call shows its cause: {stdout}"
    );
}
