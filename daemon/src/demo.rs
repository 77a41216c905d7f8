//! `trunkd --demo`: the daemon on built-in simulated boards, with a short
//! guided tour printed to the terminal. No hardware, no config files.
//!
//! Three simulated boards are started in a temporary directory: four E1
//! spans (CRC-4, HDB3) running ISDN PRI (trunkd is the user side; the
//! simulator's built-in exchange is the network side), two T1 spans (ESF,
//! B8ZS) looped back at the far end, and one E1 PRI span to a simulated PBX
//! where the call centre's agents have their phones. A narrator thread then
//! talks to the daemon through its API socket, exactly as `trunkctl` would,
//! and to the simulators' control sockets: it shows the spans and
//! D-channels coming up, has the "PSTN" call in, dials out, is refused with
//! a cause, pulls the plug on a T1 and puts it back, runs a small call
//! centre (the sample IVR feeding two skill queues served by ten agents,
//! [`crate::demo_acd`]) and a bit-error-rate test over a looped timeslot.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, SimConfig, Simulator, TimeMode};
use trunk_tools::client::Client;

fn sample_config(boards: [&Path; 3], socket: &Path, data: &Path) -> String {
    let [e1_dir, t1_dir, pbx_dir] = boards;
    let mut s = format!(
        "# trunkd --demo: three simulated boards.\n\
         [daemon]\nsocket = \"{}\"\n\n\
         [cdr]\npath = \"{}\"\n\n\
         [[board]]\nname = \"e1card\"\ndevice = \"sim:{}\"\n\n\
         [[board]]\nname = \"t1card\"\ndevice = \"sim:{}\"\n\n\
         [[board]]\nname = \"pbxcard\"\ndevice = \"sim:{}\"\n",
        socket.display(),
        e1_dir.with_file_name("cdr.jsonl").display(),
        e1_dir.display(),
        t1_dir.display(),
        pbx_dir.display()
    );
    for n in 1..=4 {
        let tg = if n <= 2 { "pstn" } else { "ivr" };
        s += &format!(
            "\n[[span]]\nspan = {n}\nboard = \"e1card\"\nboard_span = {n}\nname = \"PSTN E1 {n}\"\n\
             line = \"e1\"\nframing = \"crc4\"\nlinecode = \"hdb3\"\nclock = \"line\"\n\
             signalling = \"pri-cpe\"\npri_variant = \"etsi\"\ntrunk_group = \"{tg}\"\n"
        );
    }
    for n in 1..=2 {
        s += &format!(
            "\n[[span]]\nspan = {}\nboard = \"t1card\"\nboard_span = {n}\nname = \"PBX T1 {n}\"\n\
             line = \"t1\"\nframing = \"esf\"\nlinecode = \"b8zs\"\nclock = \"line\"\ntrunk_group = \"loop\"\n",
            4 + n
        );
    }
    s += "\n[[span]]\nspan = 7\nboard = \"pbxcard\"\nboard_span = 1\nname = \"PBX E1\"\n\
          line = \"e1\"\nframing = \"crc4\"\nlinecode = \"hdb3\"\nclock = \"line\"\n\
          signalling = \"pri-cpe\"\npri_variant = \"etsi\"\ntrunk_group = \"pbx\"\n";
    s += "\n[[trunk_group]]\nname = \"pstn\"\ninbound = \"answer\"\n";
    s += "\n[[trunk_group]]\nname = \"ivr\"\ninbound = \"flow\"\n";
    s += "\n[[trunk_group]]\nname = \"pbx\"\ninbound = \"reject\"\n";
    s += &format!(
        "\n[media]\nprompt_dir = \"{}\"\nrecord_dir = \"{}\"\n\n\
         [ivr]\nflows = \"{}\"\n# A weekday morning, so the menus are open whenever the demo runs.\n\
         clock_start = \"2026-11-23T10:00\"\n",
        data.join("prompts").display(),
        data.join("recordings").display(),
        data.join("flows.toml").display(),
    );
    s += crate::demo_acd::ACD_CONFIG;
    s
}

/// Run the demo. Returns the process exit code.
pub fn run(socket: Option<PathBuf>, seconds: Option<u64>) -> ExitCode {
    let dir = std::env::temp_dir().join(format!("trunkd-demo-{}", std::process::id()));
    let sim = |name: &str, line, spans, far_end| {
        Simulator::start(SimConfig {
            dir: dir.join(name),
            spans,
            line,
            far_end,
            time: TimeMode::Realtime,
            seed: 1,
        })
    };
    let (e1, t1, pbx) = match (
        sim("e1card", LineKind::E1, 4, FarEndMode::pri(true)),
        sim("t1card", LineKind::T1, 2, FarEndMode::Loop),
        sim("pbxcard", LineKind::E1, 1, FarEndMode::pri(true)),
    ) {
        (Ok(a), Ok(b), Ok(c)) => (Arc::new(a), Arc::new(b), Arc::new(c)),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            eprintln!("trunkd --demo: cannot start the simulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let socket = socket.unwrap_or_else(|| dir.join("trunkd.sock"));
    let data = dir.join("data");
    let flows_text = crate::demo_ivr::SAMPLE_FLOWS.replace(
        "trunk_group = \"pstn\"\nflow = \"main\"",
        "trunk_group = \"ivr\"\nflow = \"main\"",
    );
    let prepared = crate::demo_ivr::write_prompts(&data.join("prompts"))
        .and_then(|()| crate::demo_acd::write_prompts(&data.join("prompts")))
        .and_then(|()| std::fs::create_dir_all(data.join("recordings")).map_err(|e| e.to_string()))
        .and_then(|()| {
            std::fs::write(data.join("flows.toml"), flows_text).map_err(|e| e.to_string())
        });
    if let Err(e) = prepared {
        eprintln!("trunkd --demo: cannot prepare {}: {e}", data.display());
        return ExitCode::FAILURE;
    }
    let text = sample_config([e1.dir(), t1.dir(), pbx.dir()], &socket, &data);
    let cfg = match crate::config::parse(Path::new("<demo>"), &text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("trunkd --demo: internal sample configuration is invalid: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("trunkd demo: simulated boards in {}", dir.display());
    println!(
        "  e1card: 4 x E1 (CRC-4, HDB3) ISDN PRI to a simulated exchange (EuroISDN; trunkd is the user side)"
    );
    println!("  t1card: 2 x T1 (ESF, B8ZS), looped back at the far end");
    println!("  pbxcard: 1 x E1 ISDN PRI to a simulated PBX with the call centre's agent phones");
    println!("  API socket: {}", socket.display());
    println!(
        "  try in another terminal:  trunkctl --socket {} spans",
        socket.display()
    );
    println!(
        "  (cargo run -p trunk-tools --bin trunkctl -- --socket {} spans)\n",
        socket.display()
    );
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let narrator = {
        let (socket, e1, t1, pbx) = (socket.clone(), e1.clone(), t1.clone(), pbx.clone());
        std::thread::Builder::new()
            .name("demo".into())
            .spawn(move || narrate(&socket, &e1, &t1, &pbx))
            .ok()
    };
    let flows = match crate::ivr::load_flows(&cfg) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("trunkd --demo: the sample flows do not load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = crate::run(cfg, flows, Some(socket), deadline);
    drop(narrator);
    drop(e1);
    drop(t1);
    drop(pbx);
    let _ = std::fs::remove_dir_all(&dir);
    code
}

/// Connect to the daemon's API as trunkctl does, waiting for it to come up.
fn connect(path: &Path) -> Option<Client> {
    for _ in 0..50 {
        if let Ok(c) = Client::connect_with_timeout(path, Duration::from_secs(5)) {
            return Some(c);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn print_spans(api: &mut Client) {
    let Ok(r) = api.request("spans", json!({})) else {
        return;
    };
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let t = |v: &Value| v.as_str().unwrap_or("?").to_uppercase();
    println!(
        "  {:>4}  {:<7} {:<4}  {:<7}  {:<5}  {:<20} {:>5} {:>5} {:>5} {:>5}",
        "SPAN", "BOARD", "LINE", "FRAMING", "STATE", "ALARMS", "CRC", "CV", "FAS", "SLIP"
    );
    for s in r["spans"].as_array().into_iter().flatten() {
        let alarms: Vec<String> = s["alarms"]
            .as_array()
            .into_iter()
            .flatten()
            .map(t)
            .collect();
        let c = &s["counters"];
        println!(
            "  {:>4}  {:<7} {:<4}  {:<7}  {:<5}  {:<20} {:>5} {:>5} {:>5} {:>5}",
            n(&s["span"]),
            s["board"].as_str().unwrap_or("?"),
            t(&s["line"]),
            t(&s["framing"]),
            t(&s["state"]),
            if alarms.is_empty() {
                "OK".to_owned()
            } else {
                alarms.join(",")
            },
            n(&c["crc_errors"]),
            n(&c["code_violations"]),
            n(&c["fas_errors"]),
            n(&c["slips"]),
        );
    }
    println!();
}

fn print_calls(api: &mut Client, recent: bool) {
    let Ok(r) = api.request("calls", json!({"recent": recent})) else {
        return;
    };
    let key = if recent { "recent" } else { "calls" };
    let mut list = r[key].as_array().cloned().unwrap_or_default();
    list.sort_by_key(|c| c["call"].as_u64());
    println!(
        "  {:>4}  {:>4} {:>3}  {:<3}  {:<10} {:<11} {:<9}  CAUSE",
        "CALL", "SPAN", "CH", "DIR", "ANI", "DNIS", "STATE"
    );
    for c in list.iter().rev().take(8).rev() {
        let s = |k: &str| c[k].as_str().unwrap_or("").to_owned();
        let cause = c["cause"]
            .as_u64()
            .map(|v| format!("{v} {}", s("cause_text")))
            .unwrap_or_default();
        println!(
            "  {:>4}  {:>4} {:>3}  {:<3}  {:<10} {:<11} {:<9}  {cause}",
            c["call"].as_u64().unwrap_or(0),
            c["span"].as_u64().unwrap_or(0),
            c["channel"].as_u64().map_or("-".into(), |v| v.to_string()),
            s("direction"),
            s("ani"),
            s("dnis"),
            s("state"),
        );
    }
    if list.len() > 8 {
        println!("  ... {} calls in all", list.len());
    }
    println!();
}

fn print_pri(api: &mut Client) {
    let Ok(r) = api.request("spans", json!({})) else {
        return;
    };
    for s in r["spans"].as_array().into_iter().flatten() {
        let p = &s["pri"];
        if p.is_null() {
            continue;
        }
        println!(
            "  span {}: {} {} D-channel {}, {} calls, {} idle B-channels",
            s["span"],
            p["role"].as_str().unwrap_or("?"),
            p["variant"].as_str().unwrap_or("?"),
            p["link"].as_str().unwrap_or("?").to_uppercase(),
            p["calls"],
            p["idle_channels"]
        );
    }
    println!();
}

/// Media on the looped T1 span 5: what trunkd sends comes straight back,
/// so its own receivers must hear it.
fn demo_media(socket: &Path, api: &mut Client) {
    println!("[demo] media on looped T1 span 5: trunkd sends DTMF on 5/3 and a busy tone on 5/4, and listens to both coming back:");
    let Some(mut ev) = connect(socket) else {
        return;
    };
    if ev
        .request("subscribe", json!({"events": ["digit", "tone_detected"]}))
        .is_err()
    {
        return;
    }
    let requests = [
        ("media_open", json!({"span": 5, "timeslot": 3})),
        (
            "detect_progress",
            json!({"span": 5, "timeslot": 4, "on": true}),
        ),
        (
            "send_dtmf",
            json!({"span": 5, "timeslot": 3, "digits": "2580#"}),
        ),
        (
            "tone",
            json!({"span": 5, "timeslot": 4, "tone": "busy", "max_ms": 3000}),
        ),
    ];
    for (cmd, args) in requests {
        if let Err(e) = api.request(cmd, args) {
            println!("  {cmd}: {e}");
        }
    }
    let (mut digits, mut tone) = (String::new(), None);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(4) && (digits.len() < 5 || tone.is_none()) {
        match ev.next_event(Some(Duration::from_millis(200))) {
            Ok(Some(e)) if e["event"] == "digit" => {
                digits.push_str(e["digit"].as_str().unwrap_or("?"));
            }
            Ok(Some(e)) if e["event"] == "tone_detected" => {
                tone = e["tone"].as_str().map(str::to_owned);
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    println!(
        "  heard back: digits {digits}, tone {}\n",
        tone.as_deref().unwrap_or("(none)")
    );
    for ts in [3, 4] {
        let _ = api.request("media_close", json!({"span": 5, "timeslot": ts}));
    }
}

fn narrate(socket: &Path, e1: &Simulator, t1: &Simulator, pbx: &Simulator) {
    let Some(mut api) = connect(socket) else {
        eprintln!("demo: cannot reach the API socket {}", socket.display());
        return;
    };
    let pause = |ms| std::thread::sleep(Duration::from_millis(ms));
    pause(2500);
    println!("[demo] all spans framed up; the E1s run ISDN PRI:");
    print_spans(&mut api);
    print_pri(&mut api);
    println!("[demo] the exchange sends 12 calls on span 1; trunkd answers them (trunk group pstn: inbound = answer):");
    e1.control(&json!({"cmd": "pri_call", "span": 1, "count": 12, "number": "4000", "from": "86105550", "from_index": true, "interval_ms": 50, "hangup_after_ms": 4000}));
    pause(1500);
    print_calls(&mut api, false);
    println!("[demo] trunkd dials out on trunk group pstn (the exchange answers after 0.5 s and hangs up after 3 s):");
    e1.control(
        &json!({"cmd": "pri_policy", "span": 1, "answer_after_ms": 500, "hangup_after_ms": 3000}),
    );
    for n in ["01075550101", "01075550102"] {
        if let Err(e) = api.request(
            "dial",
            json!({"trunk_group": "pstn", "number": n, "from": "4000"}),
        ) {
            println!("  dial {n}: {e}");
        }
    }
    pause(1200);
    print_calls(&mut api, false);
    println!("[demo] now the exchange refuses calls on span 1 with cause 17 (user busy):");
    e1.control(&json!({"cmd": "pri_policy", "span": 1, "reject_cause": 17, "ring": false}));
    if let Err(e) = api.request(
        "dial",
        json!({"trunk_group": "pstn", "number": "01075550199"}),
    ) {
        println!("  dial: {e}");
    }
    pause(5000);
    println!("[demo] every call has ended; the most recent ones:");
    print_calls(&mut api, true);
    e1.control(&json!({"cmd": "pri_policy", "span": 1, "answer_after_ms": 0}));
    println!("[demo] pulling the receive pair of T1 span 5 (simulated loss of signal)...");
    t1.control(&json!({"cmd": "fault", "span": 1, "kind": "los"}));
    pause(1500);
    print_spans(&mut api);
    println!("[demo] plugging it back in...");
    t1.control(&json!({"cmd": "clear", "span": 1}));
    pause(2500);
    print_spans(&mut api);
    demo_media(socket, &mut api);
    crate::demo_acd::narrate(socket, &mut api, e1, pbx);
    println!("[demo] bit error rate test, O.151 2^15-1 pattern over looped timeslot 6/1, 3 s, with 1e-4 bit errors injected:");
    t1.control(&json!({"cmd": "fault", "span": 2, "kind": "ber", "rate": 1e-4}));
    if api
        .request(
            "bert_start",
            json!({"span": 6, "timeslot": 1, "seconds": 3}),
        )
        .is_ok()
    {
        for _ in 0..100 {
            pause(200);
            let Ok(r) = api.request("bert", json!({"span": 6, "timeslot": 1})) else {
                break;
            };
            if r["state"] != json!("running") {
                println!(
                    "  {} bits, {} errors, error rate {:.2e}, in sync: {}\n",
                    r["bits"],
                    r["errors"],
                    r["error_rate"].as_f64().unwrap_or(0.0),
                    r["in_sync"]
                );
                break;
            }
        }
    }
    t1.control(&json!({"cmd": "clear", "span": 2}));
    println!("[demo] the daemon keeps running; try `trunkctl calls`, `trunkctl dial pstn 5551234`, `trunkctl capture 1 -w d.pcap`; the agents stay logged in. Ctrl-C to stop.");
}
