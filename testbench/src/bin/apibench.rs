//! apibench: macro benchmark of trunkd's API socket.
//!
//! Starts a simulated board of E1 spans whose far end is the built-in ISDN
//! exchange (trunksim's `pri-net`, in real time), runs the trunkd binary on
//! it as the user side, and measures two things:
//!
//! 1. request round trips: one client sending `status` and `calls`, first
//!    one at a time (each waits for its reply), then pipelined (a window of
//!    requests written at once, then their replies read);
//! 2. event fan-out: many subscriber connections (each subscribed to
//!    everything) while the exchange places batches of calls that trunkd
//!    answers and the exchange clears, each call giving `call_incoming`,
//!    `call_answered` and `call_cleared`. It reports events published per
//!    second, events delivered per second summed over the subscribers, and
//!    events trunkd dropped for subscribers that fell behind.
//!
//! ```text
//! cargo build --release --workspace
//! target/release/apibench --requests 20000 --subscribers 100 --spans 16 --interval-ms 15 --seconds 10
//! ```

use std::io::{BufRead, ErrorKind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{json, Value};
use trunk_testbench::bench::{self, cpu_seconds, wait_until, ApiConn, Daemon};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, SimConfig, Simulator, TimeMode};

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "apibench",
    about = "Macro benchmark: trunkd's API socket (round trips and event fan-out)"
)]
struct Args {
    /// Requests per round-trip case.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Requests in flight in the pipelined cases.
    #[arg(long, default_value_t = 1000)]
    pipeline: usize,
    /// Subscriber connections for the fan-out (at most 120: trunkd serves 128 clients).
    #[arg(long, default_value_t = 100)]
    subscribers: usize,
    /// E1 spans carrying the call load (1-16).
    #[arg(long, default_value_t = 16)]
    spans: usize,
    /// Milliseconds between two calls of a span's batch (below about 12 ms
    /// a span runs out of B-channels and calls are not placed).
    #[arg(long, default_value_t = 15)]
    interval_ms: u64,
    /// Seconds of call load.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// trunkd binary (default: next to this one).
    #[arg(long)]
    trunkd: Option<PathBuf>,
}

/// One round-trip case: (requests per second, trunkd CPU seconds).
fn round_trips(
    c: &mut ApiConn,
    pid: u32,
    cmd: &str,
    n: usize,
    window: usize,
) -> Result<(f64, f64), String> {
    let cpu0 = cpu_seconds(pid);
    let t0 = Instant::now();
    let mut done = 0;
    while done < n {
        let k = window.min(n - done);
        c.send(cmd, &json!({}), k)?;
        c.replies(k)?;
        done += k;
    }
    let secs = t0.elapsed().as_secs_f64();
    Ok((n as f64 / secs, cpu_seconds(pid) - cpu0))
}

/// What one subscriber counted.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    /// Events received (the closing marker not included).
    received: u64,
    /// Events trunkd said it dropped for this subscriber.
    dropped: u64,
    /// When the last load event arrived, from the start of the load.
    last: Duration,
}

/// A subscriber: counts events until the marker (a `dtmf_sent`, which the
/// call load never produces) arrives, or `stop` is set.
fn subscriber(path: &Path, t0: Instant, stop: Arc<AtomicBool>) -> Result<Tally, String> {
    let mut c = ApiConn::open(path)?;
    c.r.get_ref()
        .set_read_timeout(Some(Duration::from_millis(200)))
        .ok();
    c.request("subscribe", json!({}))?;
    let mut t = Tally::default();
    c.line.clear();
    loop {
        // A timeout may leave half a line in `c.line`: keep it and read on.
        match c.r.read_line(&mut c.line) {
            Ok(0) => return Err("trunkd closed a subscriber".into()),
            Ok(_) if c.line.ends_with('\n') => {}
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::Relaxed) {
                    return Ok(t);
                }
                continue;
            }
            Err(e) => return Err(e.to_string()),
        }
        if c.line.contains("\"dropped_before\"") {
            let v: Value = serde_json::from_str(&c.line).map_err(|e| e.to_string())?;
            t.dropped += v["dropped_before"].as_u64().unwrap_or(0);
        }
        if c.line.contains("\"event\":\"dtmf_sent\"") {
            return Ok(t);
        }
        c.line.clear();
        t.received += 1;
        t.last = t0.elapsed();
    }
}

/// Start trunkd on the simulator: every span `pri-cpe` in trunk group
/// `pstn`, which answers inbound calls itself.
fn start_trunkd(a: &Args, dir: &Path, sim: &Simulator) -> Result<(Daemon, PathBuf), String> {
    let socket = dir.join("trunkd.sock");
    let mut cfg = format!(
        "[daemon]\nsocket = \"{}\"\n\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n",
        socket.display(),
        sim.dir().display()
    );
    for n in 1..=a.spans {
        cfg += &format!(
            "\n[[span]]\nspan = {n}\nboard = \"b0\"\nboard_span = {n}\nline = \"e1\"\n\
             signalling = \"pri-cpe\"\ntrunk_group = \"pstn\"\n"
        );
    }
    let path = dir.join("trunkd.toml");
    std::fs::write(&path, cfg).map_err(|e| format!("writing {}: {e}", path.display()))?;
    let daemon = bench::spawn_trunkd(&bench::trunkd_binary(a.trunkd.as_deref()), &path, None)?;
    Ok((daemon, socket))
}

/// Every span's far end is idle: no call up, none waiting to be placed.
fn far_end_idle(sim: &Simulator) -> bool {
    let st = sim.control(&json!({"cmd": "status"}));
    st["spans"].as_array().is_some_and(|spans| {
        spans.iter().all(|s| {
            let f = &s["pri"];
            f["calls"] == 0 && f["pending_calls"] == 0
        })
    })
}

/// Sum of a far-end counter over the spans.
fn far_counter(sim: &Simulator, spans: usize, key: &str) -> u64 {
    (1..=spans)
        .map(|n| {
            sim.control(&json!({"cmd": "pri_status", "span": n}))["counters"][key]
                .as_u64()
                .unwrap_or(0)
        })
        .sum()
}

fn run(a: &Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("apibench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sim = Simulator::start(SimConfig {
        dir: dir.join("sim"),
        spans: a.spans,
        line: LineKind::E1,
        far_end: FarEndMode::pri(true),
        time: TimeMode::Realtime,
        seed: 1,
    })
    .map_err(|e| e.to_string())?;
    let (daemon, socket) = start_trunkd(a, &dir, &sim)?;
    let pid = daemon.0.id();
    wait_until("trunkd's socket", Duration::from_secs(30), || {
        Ok(socket.exists())
    })?;
    let mut c = ApiConn::open(&socket)?;
    wait_until("D-channels up", Duration::from_secs(60), || {
        let v = c.request("spans", json!({}))?;
        Ok(v["spans"]
            .as_array()
            .is_some_and(|s| s.iter().all(|s| s["pri"]["link"] == "up")))
    })?;

    println!(
        "apibench: trunkd on {} E1 spans of ISDN PRI (trunksim pri-net, real time)",
        a.spans
    );
    println!(
        "\nrequest round trips, one client, {} requests each:",
        a.requests
    );
    println!("  request  mode                    requests/s  us/request  trunkd CPU us/request");
    for (cmd, window) in [
        ("status", 1),
        ("calls", 1),
        ("status", a.pipeline),
        ("calls", a.pipeline),
    ] {
        let (rate, cpu) = round_trips(&mut c, pid, cmd, a.requests, window)?;
        let mode = if window == 1 {
            "sequential".to_owned()
        } else {
            format!("pipelined ({window} a batch)")
        };
        println!(
            "  {cmd:<7}  {mode:<22}  {rate:>10.0}  {:>10.1}  {:>21.1}",
            1e6 / rate,
            cpu * 1e6 / a.requests as f64
        );
    }

    // Fan-out: subscribers first, then the call load.
    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let subs: Vec<_> = (0..a.subscribers)
        .map(|_| {
            let (path, stop) = (socket.clone(), stop.clone());
            std::thread::spawn(move || subscriber(&path, t0, stop))
        })
        .collect();
    wait_until("subscribers connected", Duration::from_secs(30), || {
        let v = c.request("status", json!({}))?;
        // `status` does not count clients: give the threads a moment.
        Ok(v.is_object() && t0.elapsed() > Duration::from_secs(2))
    })?;
    let count = (a.seconds * 1000 / a.interval_ms.max(1)).clamp(1, 10_000);
    let cpu0 = cpu_seconds(pid);
    let load_start = t0.elapsed();
    for n in 1..=a.spans {
        let r = sim.control(&json!({"cmd": "pri_call", "span": n, "count": count,
            "number": "5550000", "from": "8880", "interval_ms": a.interval_ms,
            "hangup_after_ms": 100}));
        if r["ok"] != true {
            return Err(format!("pri_call refused: {r}"));
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    wait_until(
        "the call load to end",
        Duration::from_secs(a.seconds * 3 + 60),
        || Ok(far_end_idle(&sim)),
    )?;
    let cpu = cpu_seconds(pid) - cpu0;
    // Let the subscribers drain, then send the marker that ends them (and
    // carries `dropped_before` to any that lost events).
    std::thread::sleep(Duration::from_secs(1));
    c.request(
        "send_dtmf",
        json!({"span": 1, "timeslot": 1, "digits": "1", "on_ms": 40, "off_ms": 40}),
    )?;
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    let mut tallies = Vec::new();
    for s in subs {
        tallies.push(s.join().map_err(|_| "a subscriber panicked")??);
    }
    let placed = far_counter(&sim, a.spans, "placed");
    let answered = far_counter(&sim, a.spans, "answered");
    let failed = far_counter(&sim, a.spans, "place_failed");
    drop(c);
    drop(daemon);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);

    let published = tallies
        .iter()
        .map(|t| t.received + t.dropped)
        .max()
        .unwrap_or(0);
    let delivered: u64 = tallies.iter().map(|t| t.received).sum();
    let dropped: u64 = tallies.iter().map(|t| t.dropped).sum();
    let last = tallies.iter().map(|t| t.last).max().unwrap_or_default();
    let secs = last.saturating_sub(load_start).as_secs_f64().max(1e-3);
    println!(
        "\nevent fan-out: {} subscribers (everything), {} spans x {count} calls, one every {} ms, held 100 ms:",
        a.subscribers, a.spans, a.interval_ms
    );
    println!("  calls placed / answered / not placed  {placed} / {answered} / {failed}");
    println!("  load lasted                           {secs:.1} s");
    println!(
        "  events published                      {published} ({:.0}/s)",
        published as f64 / secs
    );
    println!(
        "  events delivered, all subscribers     {delivered} ({:.0}/s)",
        delivered as f64 / secs
    );
    println!("  events dropped (slow subscribers)     {dropped}");
    println!(
        "  trunkd CPU during the load            {cpu:.2} s ({:.0}% of a core)",
        cpu * 100.0 / secs
    );
    Ok(())
}

fn main() -> ExitCode {
    let a = Args::parse();
    if a.spans == 0 || a.spans > 16 || a.subscribers > 120 || a.requests == 0 || a.pipeline == 0 {
        eprintln!("apibench: --spans 1..=16, --subscribers 0..=120, --requests and --pipeline > 0");
        return ExitCode::FAILURE;
    }
    match run(&a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("apibench: {e}");
            ExitCode::FAILURE
        }
    }
}
