//! acdbench: whole-system benchmark of trunkd's ACD, in lockstep.
//!
//! Starts a simulated board of N + M E1 spans whose far end is trunksim's
//! built-in ISDN exchange (`pri-net`) in lockstep (the simulator waits for
//! trunkd every tick: nothing is lost to scheduling and a run is
//! reproducible from its seed) and runs the trunkd binary on it as the user
//! side. Spans 1..=N are the callers' (trunk group `pstn`, `inbound =
//! "flow"`, a one-node flow that queues every call to queue `q`); spans
//! N+1..=N+M are the PBX where the agents' phones are (trunk group `pbx`;
//! the far end answers every phone at once and hangs up after `--talk-ms`).
//! The agents (by default one per PBX B-channel) log in over the API; the
//! traffic generator then offers Poisson callers who wait in the queue until
//! an agent has talked to them, for a span of board time.
//!
//! Each call attempt is a whole ACD cycle: SETUP on a caller span, the flow,
//! the queue, a decision, a SETUP to the agent's phone, its CONNECT, the
//! bridge, the agent's hang-up, the caller's release, two CDRs and the
//! statistics events. The benchmark reports call attempts per board second
//! and per wall second, trunkd's CPU per call (from /proc/PID/stat) against
//! an idle baseline, and checks that every placed call has one inbound CDR.
//!
//! ```text
//! cargo build --release -p trunkd -p trunk-testbench --bin trunkd --bin acdbench
//! target/release/acdbench --caller-spans 4 --agent-spans 4 --seconds 60
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{json, Value};
use trunk_testbench::bench::{self, ApiConn};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, SimConfig, Simulator, TimeMode};

/// B-channels of an E1 PRI span.
const E1_BCHANNELS: u32 = 30;
/// Board seconds of the idle baseline (agents logged in, no calls).
const IDLE_S: f64 = 10.0;

/// The flow: every call on `pstn` goes to queue `q`.
const FLOWS: &str = "[[attach]]\ntrunk_group = \"pstn\"\nflow = \"acd\"\n\n\
[flows.acd]\nstart = \"q\"\n[flows.acd.nodes.q]\nkind = \"queue\"\nqueue = \"q\"\nnext = \"bye\"\n\
[flows.acd.nodes.bye]\nkind = \"hangup\"\n";

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "acdbench",
    about = "Whole-system benchmark: callers -> flow -> ACD queue -> agents' phones, in lockstep"
)]
struct Args {
    /// E1 spans of callers (30 B-channels each).
    #[arg(long, default_value_t = 4)]
    caller_spans: usize,
    /// E1 spans of agents' phones (the PBX).
    #[arg(long, default_value_t = 4)]
    agent_spans: usize,
    /// Agents logged in (default: one per PBX B-channel).
    #[arg(long)]
    agents: Option<u32>,
    /// Board ms an agent talks (the phone hangs up after this).
    #[arg(long, default_value_t = 2000)]
    talk_ms: u64,
    /// Board seconds of call arrivals (the calls in progress then finish).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Arrival rate, call attempts per board second (default: from --load).
    #[arg(long)]
    rate: Option<f64>,
    /// Share of the agents the callers should keep busy (without --rate).
    #[arg(long, default_value_t = 0.8)]
    load: f64,
    /// Seed of the traffic generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// trunkd binary (default: next to this one).
    #[arg(long)]
    trunkd: Option<PathBuf>,
    /// Keep the scratch directory (configuration, CDRs, log).
    #[arg(long)]
    keep: bool,
}

/// One reading of everything measured.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Instant,
    board_ms: f64,
    trunkd_cpu: f64,
    sim_cpu: f64,
    offered: u64,
    placed: u64,
    place_failed: u64,
    ended: u64,
}

fn sim_status(sim: &Simulator) -> (f64, bool) {
    let st = sim.control(&json!({"cmd": "status"}));
    let ms = st["board"]["frames"].as_u64().unwrap_or(0) as f64 / 8.0;
    let spans = st["spans"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let up = !spans.is_empty() && spans.iter().all(|s| s["pri"]["link_up"] == true);
    (ms, up)
}

fn sample(sim: &Simulator, pid: u32) -> Sample {
    let st = sim.control(&json!({"cmd": "traffic_status"}));
    let c = &st["groups"]["callers"]["counters"];
    let n = |k: &str| c[k].as_u64().unwrap_or(0);
    Sample {
        wall: Instant::now(),
        board_ms: sim_status(sim).0,
        trunkd_cpu: bench::cpu_seconds(pid),
        sim_cpu: bench::cpu_seconds(std::process::id()),
        offered: n("offered"),
        placed: n("placed"),
        place_failed: n("place_failed"),
        ended: n("abandoned") + n("rejected") + n("completed") + n("cleared_by_trunkd") + n("lost"),
    }
}

/// trunkd's configuration: caller spans in `pstn`, agent spans in `pbx`,
/// the queue.
fn trunkd_config(dir: &Path, sim_dir: &Path, a: &Args) -> String {
    let mut cfg = format!(
        "[daemon]\nsocket = \"{}\"\n\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n\n",
        dir.join("trunkd.sock").display(),
        sim_dir.display()
    );
    for n in 1..=a.caller_spans + a.agent_spans {
        let tg = if n <= a.caller_spans { "pstn" } else { "pbx" };
        cfg += &format!(
            "[[span]]\nspan = {n}\nboard = \"b0\"\nboard_span = {n}\nline = \"e1\"\n\
             signalling = \"pri-cpe\"\npri_variant = \"etsi\"\ntrunk_group = \"{tg}\"\n\n"
        );
    }
    cfg + &format!(
        "[[trunk_group]]\nname = \"pstn\"\ninbound = \"flow\"\n\n\
         [[trunk_group]]\nname = \"pbx\"\ninbound = \"reject\"\n\n\
         [media]\nprompt_dir = \"{d}/prompts\"\nrecord_dir = \"{d}/rec\"\n\n\
         [ivr]\nflows = \"{d}/flows.toml\"\n\n\
         [cdr]\npath = \"{d}/cdr.jsonl\"\n\n\
         [acd]\n[[acd.queue]]\nname = \"q\"\nstrategy = \"longest_idle\"\nwrap_up_s = 0\n\
         ring_timeout_s = 10\nannounce_every_s = 0\noffer_after = 0\n",
        d = dir.display()
    )
}

/// A WAV file (8 kHz, 16 bit, mono) of tones: (Hz, ms) each; 0 Hz is silence.
fn synth_tones(path: &Path, parts: &[(f32, u32)]) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let mut w = hound::WavWriter::create(path, spec).map_err(err)?;
    for &(f, ms) in parts {
        for i in 0..ms * 8 {
            let v = (std::f32::consts::TAU * f * i as f32 / 8000.0).sin() * 6000.0;
            w.write_sample(v as i16).map_err(err)?;
        }
    }
    w.finalize().map_err(err)
}

/// The ACD's prompts (music between announcements), synthetic.
fn write_prompts(dir: &Path) -> Result<(), String> {
    for sub in ["acd", "digits"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    for (i, p) in ["music", "position", "wait", "minutes", "keep_or_message"]
        .iter()
        .enumerate()
    {
        let f = 500.0 + 60.0 * i as f32;
        synth_tones(&dir.join(format!("acd/{p}.wav")), &[(f, 300), (0.0, 200)])?;
    }
    for d in 0..10u16 {
        let f = 300.0 + 20.0 * f32::from(d);
        synth_tones(&dir.join(format!("digits/{d}.wav")), &[(f, 150)])?;
    }
    Ok(())
}

/// CDRs: (inbound, inbound answered by an agent, outbound to agents).
fn cdr_counts(path: &Path) -> (u64, u64, u64) {
    let (mut inb, mut by_agent, mut out) = (0, 0, 0);
    for r in std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
    {
        if r["direction"] == "in" {
            inb += 1;
            if r["agent"].is_u64() && r["disposition"] == "answered" {
                by_agent += 1;
            }
        } else if r["direction"] == "out" {
            out += 1;
        }
    }
    (inb, by_agent, out)
}

/// What a run measured.
struct Report {
    rate: f64,
    agents: u32,
    idle: Sample,
    start: Sample,
    stop: Sample,
    end: Sample,
    cdrs: (u64, u64, u64),
    log_warnings: usize,
}

/// Wait (polling every 20 ms of wall time) until board time reaches `until_ms`.
fn run_board(
    sim: &Simulator,
    until_ms: f64,
    limit: Duration,
    alive: &mut dyn FnMut() -> bool,
) -> Result<(), String> {
    let t0 = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        if sim_status(sim).0 >= until_ms {
            return Ok(());
        }
        if !alive() {
            return Err("the simulator or trunkd stopped".into());
        }
        if t0.elapsed() > limit {
            return Err(format!("board time stalled for {} s", limit.as_secs()));
        }
    }
}

fn run(a: &Args, dir: &Path, rate: f64, agents: u32) -> Result<Report, String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    write_prompts(&dir.join("prompts"))?;
    std::fs::create_dir_all(dir.join("rec")).map_err(|e| io(dir, e))?;
    let flows = dir.join("flows.toml");
    std::fs::write(&flows, FLOWS).map_err(|e| io(&flows, e))?;
    let sim_dir = dir.join("sim");
    let spans = a.caller_spans + a.agent_spans;
    let sim = Simulator::start(SimConfig {
        dir: sim_dir.clone(),
        spans,
        line: LineKind::E1,
        far_end: FarEndMode::pri(true),
        time: TimeMode::Lockstep,
        seed: a.seed,
    })
    .map_err(|e| e.to_string())?;
    let cfg = dir.join("trunkd.toml");
    std::fs::write(&cfg, trunkd_config(dir, &sim_dir, a)).map_err(|e| io(&cfg, e))?;
    let trunkd = bench::trunkd_binary(a.trunkd.as_deref());
    let mut daemon = bench::spawn_trunkd(&trunkd, &cfg, Some(&dir.join("trunkd.log")))?;
    let pid = daemon.0.id();
    let socket = dir.join("trunkd.sock");
    bench::wait_until("trunkd's socket", Duration::from_secs(30), || {
        Ok(socket.exists())
    })?;
    let mut api = ApiConn::open(&socket)?;
    bench::wait_until("D-channels up", Duration::from_secs(60), || {
        Ok(sim_status(&sim).1)
    })?;
    for span in a.caller_spans + 1..=spans {
        let r = sim.control(&json!({"cmd": "pri_policy", "span": span,
            "answer_after_ms": 0, "hangup_after_ms": a.talk_ms}));
        if r["ok"] != true {
            return Err(format!("pri_policy: {r}"));
        }
    }
    for i in 1..=agents {
        api.request(
            "agent_login",
            json!({"agent": i, "endpoint": format!("pbx/{}", 100_000 + i),
                "skills": {"q": 5}, "ready": true}),
        )?;
    }
    let limit = Duration::from_secs(600 + a.seconds * 30);
    let idle = sample(&sim, pid);
    let mut alive = || sim.is_running() && matches!(daemon.0.try_wait(), Ok(None));
    run_board(&sim, idle.board_ms + IDLE_S * 1000.0, limit, &mut alive)?;
    let start = sample(&sim, pid);
    let callers: Vec<usize> = (1..=a.caller_spans).collect();
    let r = sim.control(&json!({"cmd": "traffic", "seed": a.seed, "groups": [{
        "name": "callers", "spans": callers, "number": "100", "from": "2%07d",
        "rate_per_min": rate * 60.0, "callers": [{"name": "waits", "script": []}]}]}));
    if r["ok"] != true {
        return Err(format!("traffic refused: {r}"));
    }
    let board_end = start.board_ms + a.seconds as f64 * 1000.0;
    run_board(&sim, board_end, limit, &mut alive)?;
    let r = sim.control(&json!({"cmd": "traffic_stop"}));
    if r["ok"] != true {
        return Err(format!("traffic_stop refused: {r}"));
    }
    let stop = sample(&sim, pid);
    bench::wait_until("the calls to finish", limit, || {
        let idle = sim.control(&json!({"cmd": "traffic_status"}))["idle"] == true;
        let calls = api.request("calls", json!({}))?;
        Ok(idle && calls["calls"].as_array().is_some_and(Vec::is_empty))
    })?;
    let end = sample(&sim, pid);
    let cdr = dir.join("cdr.jsonl");
    let _ = bench::wait_until("the CDRs", Duration::from_secs(10), || {
        Ok(cdr_counts(&cdr).0 >= end.placed)
    });
    let log_warnings = std::fs::read_to_string(dir.join("trunkd.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .count();
    Ok(Report {
        rate,
        agents,
        idle,
        start,
        stop,
        end,
        cdrs: cdr_counts(&cdr),
        log_warnings,
    })
}

fn print(a: &Args, r: &Report) -> bool {
    let wall = |x: &Sample, y: &Sample| y.wall.duration_since(x.wall).as_secs_f64().max(1e-3);
    let board = |x: &Sample, y: &Sample| ((y.board_ms - x.board_ms) / 1000.0).max(1e-3);
    let cpu = |x: &Sample, y: &Sample| y.trunkd_cpu - x.trunkd_cpu;
    let idle_cpu = cpu(&r.idle, &r.start) / board(&r.idle, &r.start);
    println!(
        "acdbench: {} caller + {} agent E1 spans, {} agents, talk {} ms, trunksim pri-net in lockstep, seed {}",
        a.caller_spans, a.agent_spans, r.agents, a.talk_ms, a.seed
    );
    println!(
        "  arrivals: Poisson, {:.1} call attempts per board s, for {} board s",
        r.rate, a.seconds
    );
    println!();
    println!("                                   no calls     arrivals      whole run");
    println!("                                 (baseline)    (load on)   (with drain)");
    let windows = [(&r.idle, &r.start), (&r.start, &r.stop), (&r.start, &r.end)];
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
    let attempts = |x: &Sample, y: &Sample| (y.offered - x.offered) as f64;
    let ended = |x: &Sample, y: &Sample| (y.ended - x.ended) as f64;
    row("wall seconds", &|x, y| wall(x, y), 1);
    row("board seconds", &|x, y| board(x, y), 1);
    row("board s per wall s", &|x, y| board(x, y) / wall(x, y), 2);
    row("call attempts", &|x, y| attempts(x, y), 0);
    row(
        "call attempts per board s",
        &|x, y| attempts(x, y) / board(x, y),
        1,
    );
    row(
        "call attempts per wall s",
        &|x, y| attempts(x, y) / wall(x, y),
        1,
    );
    row(
        "calls placed per board s",
        &|x, y| (y.placed - x.placed) as f64 / board(x, y),
        1,
    );
    row(
        "calls placed per wall s",
        &|x, y| (y.placed - x.placed) as f64 / wall(x, y),
        1,
    );
    row(
        "calls ended per wall s",
        &|x, y| ended(x, y) / wall(x, y),
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
        "trunkd CPU ms per call",
        &|x, y| cpu(x, y) * 1e3 / ended(x, y),
        2,
    );
    row(
        "  above the baseline",
        &|x, y| (cpu(x, y) - idle_cpu * board(x, y)) * 1e3 / ended(x, y),
        2,
    );
    row("simulator+bench CPU s", &|x, y| y.sim_cpu - x.sim_cpu, 2);
    let per_call =
        (cpu(&r.start, &r.end) - idle_cpu * board(&r.start, &r.end)) / ended(&r.start, &r.end);
    println!();
    println!(
        "  one core at this CPU per call (above the tick baseline): {:.0} call attempts per second",
        1.0 / per_call.max(1e-9)
    );
    let (inb, by_agent, out) = r.cdrs;
    let e = &r.end;
    println!(
        "  calls: offered {} placed {} (no free B-channel {}) ended {}; CDRs: inbound {inb} (answered by an agent {by_agent}), \
         to agents {out}; trunkd log: {} warnings/errors",
        e.offered, e.placed, e.place_failed, e.ended, r.log_warnings
    );
    let ok = inb == e.placed && e.ended == e.placed;
    println!(
        "  check: inbound CDRs {inb} == calls placed {}: {}",
        e.placed,
        if ok { "ok" } else { "MISMATCH" }
    );
    ok
}

fn main() -> ExitCode {
    let a = Args::parse();
    let spans = a.caller_spans + a.agent_spans;
    if a.caller_spans == 0 || a.agent_spans == 0 || spans > 16 || a.seconds == 0 {
        eprintln!(
            "acdbench: --caller-spans and --agent-spans >= 1, 16 spans at most, --seconds > 0"
        );
        return ExitCode::FAILURE;
    }
    let max_agents = a.agent_spans as u32 * E1_BCHANNELS;
    let agents = a.agents.unwrap_or(max_agents).clamp(1, max_agents);
    // An agent is busy for the talk time plus about 50 ms of signalling.
    let handle_s = (a.talk_ms as f64 + 50.0) / 1000.0;
    let rate = a
        .rate
        .unwrap_or_else(|| a.load * f64::from(agents) / handle_s);
    if !(rate > 0.0 && rate <= 1000.0) {
        eprintln!("acdbench: the arrival rate must be in (0, 1000] per second");
        return ExitCode::FAILURE;
    }
    let dir = std::env::temp_dir().join(format!("acdbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = run(&a, &dir, rate, agents);
    if a.keep {
        eprintln!("acdbench: scratch directory kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    match result {
        Ok(r) if print(&a, &r) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("acdbench: {e}");
            ExitCode::FAILURE
        }
    }
}
