//! ivrbench: macro benchmark of trunkd's IVR under call load, in lockstep.
//!
//! Starts a simulated board of N E1 spans whose far end is trunksim's
//! built-in ISDN exchange (`pri-net`) in lockstep (the simulator waits for
//! trunkd every tick, so nothing is lost to scheduling and the run is
//! reproducible from its seed), runs the trunkd binary on it as the user
//! side with every span in trunk group `pstn` (`inbound = "flow"`) and the
//! sample flow (examples/flows/sample.toml) at a Monday 10:00 clock, and
//! lets the traffic generator offer Poisson callers for a span of board time.
//! The callers do what the IVR scenario test's callers do: choose a language
//! and walk the menus with DTMF, key invalid digits until the fallback, leave
//! a voicemail, ask for the operator (a transfer: a second call, bridged),
//! key an account number (the lookup times out: no CRM client here), ask for
//! the support desk (the hand-off times out), hang up early, say nothing; a
//! smaller group comes from a black-listed and a VIP number.
//!
//! It reports how fast board time runs (lockstep speed), IVR steps (the
//! `flows` request's `ivr.steps`) per wall and per board second, calls per
//! wall second, trunkd's CPU time per 1000 IVR steps, and checks that every
//! call that reached trunkd has exactly one inbound CDR.
//!
//! ```text
//! cargo build --release -p trunkd -p trunk-testbench --bin trunkd --bin ivrbench
//! target/release/ivrbench --spans 8 --seconds 120
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{json, Value};
use trunk_testbench::bench::{self, ApiConn};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, SimConfig, Simulator, TimeMode};

#[path = "ivrbench/setup.rs"]
mod setup;

use setup::{default_rate, traffic_request, trunkd_config, write_prompts, SCREENED_SHARE};

/// The flow under test.
const SAMPLE: &str = include_str!("../../../examples/flows/sample.toml");

/// Board seconds of the idle baseline (no calls) before the arrivals.
const IDLE_S: f64 = 10.0;

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "ivrbench",
    about = "Macro benchmark: trunkd's IVR (the sample flow) under Poisson callers, in lockstep"
)]
struct Args {
    /// E1 spans (1-16), 30 B-channels each.
    #[arg(long, default_value_t = 8)]
    spans: usize,
    /// Board seconds of call arrivals (the calls in progress then finish).
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// Mean arrival rate of the main group, calls per board minute (default:
    /// from --load).
    #[arg(long)]
    rate_per_min: Option<f64>,
    /// Share of the B-channels the callers should keep busy on average, from
    /// the estimated holding times of the scripts (used without --rate-per-min).
    #[arg(long, default_value_t = 0.8)]
    load: f64,
    /// Seed of the traffic generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// trunkd binary (default: next to this one).
    #[arg(long)]
    trunkd: Option<PathBuf>,
    /// Keep the scratch directory (configuration, CDRs, voicemails).
    #[arg(long)]
    keep: bool,
}

/// The traffic generator's counters, summed over the groups.
#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    offered: u64,
    placed: u64,
    place_failed: u64,
    answered: u64,
    abandoned: u64,
    rejected: u64,
    completed: u64,
    cleared_by_trunkd: u64,
    lost: u64,
}

impl Counters {
    fn from_status(st: &Value) -> Counters {
        let mut c = Counters::default();
        for g in st["groups"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            let n = |k: &str| g["counters"][k].as_u64().unwrap_or(0);
            c.offered += n("offered");
            c.placed += n("placed");
            c.place_failed += n("place_failed");
            c.answered += n("answered");
            c.abandoned += n("abandoned");
            c.rejected += n("rejected");
            c.completed += n("completed");
            c.cleared_by_trunkd += n("cleared_by_trunkd");
            c.lost += n("lost");
        }
        c
    }

    /// Placed calls that have ended, however.
    fn ended(&self) -> u64 {
        self.abandoned + self.rejected + self.completed + self.cleared_by_trunkd + self.lost
    }
}

/// One reading of everything measured.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Instant,
    board_ms: f64,
    trunkd_cpu: f64,
    sim_cpu: f64,
    steps: u64,
    counters: Counters,
}

/// Board time, busy B-channels (far-end calls up) and whether every span's
/// far end sees its data link up.
fn sim_status(sim: &Simulator) -> (f64, u64, bool) {
    let st = sim.control(&json!({"cmd": "status"}));
    let ms = st["board"]["frames"].as_u64().unwrap_or(0) as f64 / 8.0;
    let spans = st["spans"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let busy = spans
        .iter()
        .map(|s| s["pri"]["calls"].as_u64().unwrap_or(0))
        .sum();
    let up = !spans.is_empty() && spans.iter().all(|s| s["pri"]["link_up"] == true);
    (ms, busy, up)
}

fn sample(sim: &Simulator, api: &mut ApiConn, pid: u32) -> Result<Sample, String> {
    let steps = api.request("flows", json!({}))?["ivr"]["steps"]
        .as_u64()
        .ok_or("flows: no ivr.steps")?;
    let counters = Counters::from_status(&sim.control(&json!({"cmd": "traffic_status"})));
    Ok(Sample {
        wall: Instant::now(),
        board_ms: sim_status(sim).0,
        trunkd_cpu: bench::cpu_seconds(pid),
        sim_cpu: bench::cpu_seconds(std::process::id()),
        steps,
        counters,
    })
}

/// Inbound records in the CDR file.
fn inbound_cdrs(path: &Path) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| r["direction"] == "in")
        .count() as u64
}

/// What a run measured.
struct Report {
    rate: f64,
    idle: Sample,
    start: Sample,
    stop: Sample,
    end: Sample,
    mean_busy: f64,
    peak_busy: u64,
    cdrs_in: u64,
    ivr: Value,
    /// Warning and error lines in trunkd's log.
    log_warnings: usize,
}

/// Poll the board every 20 ms (wall) until its time reaches `until_ms`,
/// giving `on_poll` the busy B-channels each time; `Err` when `alive` says
/// a process stopped or after `limit`.
fn run_board(
    sim: &Simulator,
    until_ms: f64,
    limit: Duration,
    alive: &mut dyn FnMut() -> bool,
    mut on_poll: impl FnMut(u64),
) -> Result<(), String> {
    let t0 = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let (ms, busy, _) = sim_status(sim);
        on_poll(busy);
        if ms >= until_ms {
            return Ok(());
        }
        if !alive() {
            return Err("the simulator or trunkd stopped".into());
        }
        if t0.elapsed() > limit {
            return Err(format!(
                "board time did not advance enough within {} s",
                limit.as_secs()
            ));
        }
    }
}

fn run(a: &Args, dir: &Path, rate: f64) -> Result<Report, String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    write_prompts(&dir.join("prompts"))?;
    std::fs::create_dir_all(dir.join("rec")).map_err(|e| io(dir, e))?;
    let flows = dir.join("flows.toml");
    std::fs::write(&flows, SAMPLE).map_err(|e| io(&flows, e))?;
    let sim_dir = dir.join("sim");
    let sim = Simulator::start(SimConfig {
        dir: sim_dir.clone(),
        spans: a.spans,
        line: LineKind::E1,
        far_end: FarEndMode::pri(true),
        time: TimeMode::Lockstep,
        seed: a.seed,
    })
    .map_err(|e| e.to_string())?;
    let cfg = dir.join("trunkd.toml");
    std::fs::write(&cfg, trunkd_config(dir, &sim_dir, a.spans)).map_err(|e| io(&cfg, e))?;
    let trunkd = bench::trunkd_binary(a.trunkd.as_deref());
    let mut daemon = bench::spawn_trunkd(&trunkd, &cfg, Some(&dir.join("trunkd.log")))?;
    let pid = daemon.0.id();
    let socket = dir.join("trunkd.sock");
    bench::wait_until("trunkd's socket", Duration::from_secs(30), || {
        Ok(socket.exists())
    })?;
    let mut api = ApiConn::open(&socket)?;
    bench::wait_until("D-channels up", Duration::from_secs(60), || {
        Ok(sim_status(&sim).2)
    })?;
    for span in 1..=a.spans {
        // Transfer targets (the operator, the VIP line) answer after 500 ms.
        let r = sim.control(&json!({"cmd": "pri_policy", "span": span, "answer_after_ms": 500}));
        if r["ok"] != true {
            return Err(format!("pri_policy: {r}"));
        }
    }

    // A give-up bound only: lockstep runs at whatever speed the machine allows.
    let limit = Duration::from_secs(600 + a.seconds * 20);
    // The idle baseline: the tick path with no calls.
    let idle = sample(&sim, &mut api, pid)?;
    let mut alive = || sim.is_running() && matches!(daemon.0.try_wait(), Ok(None));
    run_board(
        &sim,
        idle.board_ms + IDLE_S * 1000.0,
        limit,
        &mut alive,
        |_| {},
    )?;
    let start = sample(&sim, &mut api, pid)?;
    let r = sim.control(&traffic_request(a.seed, a.spans, rate));
    if r["ok"] != true {
        return Err(format!("traffic refused: {r}"));
    }
    let board_end = start.board_ms + a.seconds as f64 * 1000.0;
    let (mut busy_sum, mut polls, mut peak_busy) = (0u64, 0u64, 0u64);
    run_board(&sim, board_end, limit, &mut alive, |busy| {
        busy_sum += busy;
        polls += 1;
        peak_busy = peak_busy.max(busy);
    })?;
    let r = sim.control(&json!({"cmd": "traffic_stop"}));
    if r["ok"] != true {
        return Err(format!("traffic_stop refused: {r}"));
    }
    let stop = sample(&sim, &mut api, pid)?;
    // The calls in progress finish (the longest scripts last about 30 board s).
    bench::wait_until("the calls to finish", limit, || {
        let idle = sim.control(&json!({"cmd": "traffic_status"}))["idle"] == true;
        let calls = api.request("calls", json!({}))?;
        Ok(idle && calls["calls"].as_array().is_some_and(Vec::is_empty))
    })?;
    let end = sample(&sim, &mut api, pid)?;
    let cdr = dir.join("cdr.jsonl");
    // The CDR writer runs on its own thread: give it a moment.
    let want = end.counters.placed;
    let _ = bench::wait_until("the CDRs", Duration::from_secs(10), || {
        Ok(inbound_cdrs(&cdr) >= want)
    });
    let cdrs_in = inbound_cdrs(&cdr);
    let ivr = api.request("flows", json!({}))?["ivr"].clone();
    let log_warnings = std::fs::read_to_string(dir.join("trunkd.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .count();
    Ok(Report {
        rate,
        idle,
        start,
        stop,
        end,
        mean_busy: busy_sum as f64 / polls.max(1) as f64,
        peak_busy,
        cdrs_in,
        ivr,
        log_warnings,
    })
}

fn print(a: &Args, r: &Report) -> bool {
    let (s0, s1, s2) = (&r.start, &r.stop, &r.end);
    let wall = |x: &Sample, y: &Sample| y.wall.duration_since(x.wall).as_secs_f64().max(1e-3);
    let board = |x: &Sample, y: &Sample| ((y.board_ms - x.board_ms) / 1000.0).max(1e-3);
    println!(
        "ivrbench: {} E1 spans ({} B-channels), trunksim pri-net in lockstep, sample flow, seed {}",
        a.spans,
        a.spans * 30,
        a.seed
    );
    println!(
        "  arrivals: Poisson, {:.0} calls/board min (+{:.0} black/VIP), for {} board s; \
         B-channels busy mean {:.0}, peak {}",
        r.rate,
        r.rate * SCREENED_SHARE,
        a.seconds,
        r.mean_busy,
        r.peak_busy
    );
    println!();
    println!("                                   no calls     arrivals      whole run");
    println!("                                 (baseline)    (load on)   (with drain)");
    let windows = [(&r.idle, s0), (s0, s1), (s0, s2)];
    let row = |name: &str, f: &dyn Fn(&Sample, &Sample) -> f64, prec: usize| {
        let v: Vec<String> = windows
            .iter()
            .map(|(x, y)| f(x, y))
            .map(|v| {
                if v.is_finite() {
                    format!("{v:.prec$}")
                } else {
                    "-".into()
                }
            })
            .collect();
        println!("  {name:<30} {:>10} {:>12} {:>14}", v[0], v[1], v[2]);
    };
    let steps = |x: &Sample, y: &Sample| (y.steps - x.steps) as f64;
    let cpu = |x: &Sample, y: &Sample| y.trunkd_cpu - x.trunkd_cpu;
    // trunkd's CPU seconds per board second with no calls: the tick path.
    let idle_cpu = cpu(&r.idle, s0) / board(&r.idle, s0);
    row("wall seconds", &|x, y| wall(x, y), 1);
    row("board seconds", &|x, y| board(x, y), 1);
    row("board s per wall s", &|x, y| board(x, y) / wall(x, y), 2);
    row("IVR steps", &|x, y| steps(x, y), 0);
    row("IVR steps per wall s", &|x, y| steps(x, y) / wall(x, y), 0);
    row(
        "IVR steps per board s",
        &|x, y| steps(x, y) / board(x, y),
        0,
    );
    row(
        "calls offered per wall s",
        &|x, y| (y.counters.offered - x.counters.offered) as f64 / wall(x, y),
        1,
    );
    row(
        "calls ended per wall s",
        &|x, y| (y.counters.ended() - x.counters.ended()) as f64 / wall(x, y),
        1,
    );
    row("trunkd CPU s", &|x, y| cpu(x, y), 2);
    row(
        "trunkd CPU share of a core",
        &|x, y| cpu(x, y) / wall(x, y),
        2,
    );
    row(
        "trunkd CPU ms per board s",
        &|x, y| cpu(x, y) * 1e3 / board(x, y),
        1,
    );
    row(
        "trunkd CPU ms / 1000 steps",
        &|x, y| cpu(x, y) * 1e6 / steps(x, y),
        1,
    );
    row(
        "  above the baseline",
        &|x, y| (cpu(x, y) - idle_cpu * board(x, y)) * 1e6 / steps(x, y),
        1,
    );
    row("simulator+bench CPU s", &|x, y| y.sim_cpu - x.sim_cpu, 2);
    let c = &s2.counters;
    println!();
    println!(
        "  calls: offered {} = placed {} + not placed (no free B-channel) {}",
        c.offered, c.placed, c.place_failed
    );
    println!(
        "         answered {} (caller hung up {}, trunkd cleared {}, lost {}); \
         refused {}, abandoned before answer {}",
        c.answered, c.completed, c.cleared_by_trunkd, c.lost, c.rejected, c.abandoned
    );
    println!(
        "  IVR: started {} finished {} abandoned {} errors {}; trunkd log: {} warnings/errors",
        r.ivr["started"], r.ivr["finished"], r.ivr["abandoned"], r.ivr["errors"], r.log_warnings
    );
    let ok = r.cdrs_in == c.placed && c.ended() == c.placed;
    println!(
        "  check: inbound CDRs {} == calls placed {}: {}",
        r.cdrs_in,
        c.placed,
        if ok { "ok" } else { "MISMATCH" }
    );
    ok
}

fn main() -> ExitCode {
    let a = Args::parse();
    if a.spans == 0 || a.spans > 16 || a.seconds == 0 || !(a.load > 0.0 && a.load <= 1.0) {
        eprintln!("ivrbench: --spans 1..=16, --seconds > 0, --load in (0, 1]");
        return ExitCode::FAILURE;
    }
    let rate = a
        .rate_per_min
        .unwrap_or_else(|| default_rate(a.spans, a.load));
    if !(rate > 0.0 && rate <= 60_000.0) {
        eprintln!("ivrbench: --rate-per-min must be in (0, 60000]");
        return ExitCode::FAILURE;
    }
    let dir = std::env::temp_dir().join(format!("ivrbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = run(&a, &dir, rate);
    if a.keep {
        eprintln!("ivrbench: scratch directory kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    match result {
        Ok(r) if print(&a, &r) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("ivrbench: {e}");
            ExitCode::FAILURE
        }
    }
}
