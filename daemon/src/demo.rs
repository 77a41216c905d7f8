//! `trunkd --demo`: the daemon on built-in simulated boards, with a short
//! guided tour printed to the terminal. No hardware, no config files.
//!
//! Two simulated boards are started in a temporary directory: four E1 spans
//! (CRC-4, HDB3) and two T1 spans (ESF, B8ZS), each line looped back at the
//! far end. A narrator thread then talks to the daemon through its API socket,
//! exactly as `trunkctl` would, and to the simulators' control sockets: it
//! shows the spans coming up, pulls the plug on one of them, puts it back, and
//! runs a bit-error-rate test over a looped timeslot.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, SimConfig, Simulator, TimeMode};
use trunk_tools::client::Client;

fn sample_config(e1_dir: &Path, t1_dir: &Path, socket: &Path) -> String {
    let mut s = format!(
        "# trunkd --demo: two simulated boards.\n\
         [daemon]\nsocket = \"{}\"\n\n\
         [[board]]\nname = \"e1card\"\ndevice = \"sim:{}\"\n\n\
         [[board]]\nname = \"t1card\"\ndevice = \"sim:{}\"\n",
        socket.display(),
        e1_dir.display(),
        t1_dir.display()
    );
    for n in 1..=4 {
        s += &format!(
            "\n[[span]]\nspan = {n}\nboard = \"e1card\"\nboard_span = {n}\nname = \"PSTN E1 {n}\"\n\
             line = \"e1\"\nframing = \"crc4\"\nlinecode = \"hdb3\"\nclock = \"line\"\ntrunk_group = \"pstn\"\n"
        );
    }
    for n in 1..=2 {
        s += &format!(
            "\n[[span]]\nspan = {}\nboard = \"t1card\"\nboard_span = {n}\nname = \"PBX T1 {n}\"\n\
             line = \"t1\"\nframing = \"esf\"\nlinecode = \"b8zs\"\nclock = \"line\"\ntrunk_group = \"pbx\"\n",
            4 + n
        );
    }
    s
}

/// Run the demo. Returns the process exit code.
pub fn run(socket: Option<PathBuf>, seconds: Option<u64>) -> ExitCode {
    let dir = std::env::temp_dir().join(format!("trunkd-demo-{}", std::process::id()));
    let sim = |name: &str, line, spans| {
        Simulator::start(SimConfig {
            dir: dir.join(name),
            spans,
            line,
            far_end: FarEndMode::Loop,
            time: TimeMode::Realtime,
            seed: 1,
        })
    };
    let (e1, t1) = match (
        sim("e1card", LineKind::E1, 4),
        sim("t1card", LineKind::T1, 2),
    ) {
        (Ok(a), Ok(b)) => (Arc::new(a), Arc::new(b)),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("trunkd --demo: cannot start the simulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let socket = socket.unwrap_or_else(|| dir.join("trunkd.sock"));
    let text = sample_config(e1.dir(), t1.dir(), &socket);
    let cfg = match crate::config::parse(Path::new("<demo>"), &text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("trunkd --demo: internal sample configuration is invalid: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("trunkd demo: simulated boards in {}", dir.display());
    println!(
        "  e1card: 4 x E1 (CRC-4, HDB3), t1card: 2 x T1 (ESF, B8ZS); far ends loop the line back"
    );
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
        let (socket, e1) = (socket.clone(), e1.clone());
        std::thread::Builder::new()
            .name("demo".into())
            .spawn(move || narrate(&socket, &e1))
            .ok()
    };
    let code = crate::run(cfg, Some(socket), deadline);
    drop(narrator);
    drop(e1);
    drop(t1);
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

fn narrate(socket: &Path, e1: &Simulator) {
    let Some(mut api) = connect(socket) else {
        eprintln!("demo: cannot reach the API socket {}", socket.display());
        return;
    };
    let pause = |ms| std::thread::sleep(Duration::from_millis(ms));
    pause(1500);
    println!("[demo] all spans framed up on their looped lines:");
    print_spans(&mut api);
    println!("[demo] pulling the receive pair of span 2 (simulated loss of signal)...");
    e1.control(&json!({"cmd": "fault", "span": 2, "kind": "los"}));
    pause(1500);
    print_spans(&mut api);
    println!("[demo] plugging it back in...");
    e1.control(&json!({"cmd": "clear", "span": 2}));
    pause(2500);
    print_spans(&mut api);
    println!("[demo] bit error rate test, O.151 2^15-1 pattern over looped timeslot 1/1, 3 s, with 1e-4 bit errors injected:");
    e1.control(&json!({"cmd": "fault", "span": 1, "kind": "ber", "rate": 1e-4}));
    if api
        .request(
            "bert_start",
            json!({"span": 1, "timeslot": 1, "seconds": 3}),
        )
        .is_ok()
    {
        for _ in 0..100 {
            pause(200);
            let Ok(r) = api.request("bert", json!({"span": 1, "timeslot": 1})) else {
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
    e1.control(&json!({"cmd": "clear", "span": 1}));
    println!("[demo] the daemon keeps running; Ctrl-C to stop.");
}
