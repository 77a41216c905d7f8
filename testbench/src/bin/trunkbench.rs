//! trunkbench: macro benchmark of trunkd's real-time path.
//!
//! Starts B simulated boards of S E1 spans each (far end loop, lockstep, so
//! the simulator waits for the daemon every tick and nothing is lost to
//! scheduling), starts the trunkd binary on them with HDLC running on every
//! span's D-channel, lets it run, and reports how many span-milliseconds of
//! board time trunkd processes per second of its own CPU time (user + system,
//! from /proc). From that: how many E1 spans one core sustains in real time,
//! and at what share of a core 1,000 spans would run.
//!
//! ```text
//! cargo build --release --workspace
//! target/release/trunkbench --boards 4 --spans 16 --seconds 20
//! ```

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{json, Value};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, SimConfig, Simulator, TimeMode};

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "trunkbench",
    about = "Macro benchmark: trunkd against trunksim in lockstep"
)]
struct Args {
    /// Simulated boards.
    #[arg(long, default_value_t = 4)]
    boards: usize,
    /// E1 spans per board (1-16).
    #[arg(long, default_value_t = 16)]
    spans: usize,
    /// Board seconds to measure (after warm-up).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Board interrupt every N ms (trunkd's `interrupt_interval_ms`, 1-8).
    #[arg(long, default_value_t = 1)]
    interrupt_interval: u32,
    /// trunkd binary (default: next to this one).
    #[arg(long)]
    trunkd: Option<PathBuf>,
}

/// (user, system) CPU seconds of a process.
fn cpu_split(pid: u32) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    let tck = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    Some((utime / tck, stime / tck))
}

/// Voluntary context switches of all threads of a process (each a sleep and
/// a wake-up), summed over /proc/PID/task/*/status.
fn voluntary_switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .filter_map(|st| {
            st.lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .sum()
}

fn frames(sims: &[Simulator]) -> Vec<u64> {
    sims.iter()
        .map(|s| {
            s.control(&json!({"cmd": "status"}))["board"]["frames"]
                .as_u64()
                .unwrap_or(0)
        })
        .collect()
}

fn all_up(sims: &[Simulator]) -> bool {
    sims.iter().all(|s| {
        let st: Value = s.control(&json!({"cmd": "status"}));
        st["spans"].as_array().is_some_and(|a| {
            a.iter().all(|sp| {
                sp["in_sync"] == true && sp["alarms"].as_array().is_some_and(|x| x.is_empty())
            })
        })
    })
}

fn main() -> ExitCode {
    let a = Args::parse();
    if a.spans == 0 || a.spans > 16 || a.boards == 0 || a.boards > 256 {
        eprintln!("trunkbench: --spans 1..=16, --boards 1..=256");
        return ExitCode::FAILURE;
    }
    let trunkd = a.trunkd.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .map(|p| p.with_file_name("trunkd"))
            .unwrap_or_else(|_| "trunkd".into())
    });
    let dir = std::env::temp_dir().join(format!("trunkbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut sims = Vec::new();
    let mut config = format!(
        "[daemon]\nsocket = \"{}\"\n",
        dir.join("trunkd.sock").display()
    );
    let mut span_no = 0;
    for b in 0..a.boards {
        let sdir = dir.join(format!("board{b}"));
        match Simulator::start(SimConfig {
            dir: sdir.clone(),
            spans: a.spans,
            line: LineKind::E1,
            far_end: FarEndMode::Loop,
            time: TimeMode::Lockstep,
            seed: b as u64 + 1,
        }) {
            Ok(s) => sims.push(s),
            Err(e) => {
                eprintln!("trunkbench: {e}");
                return ExitCode::FAILURE;
            }
        }
        config += &format!(
            "\n[[board]]\nname = \"board{b}\"\ndevice = \"sim:{}\"\ninterrupt_interval_ms = {}\n",
            sdir.display(),
            a.interrupt_interval
        );
        for s in 1..=a.spans {
            span_no += 1;
            config += &format!(
                "\n[[span]]\nspan = {span_no}\nboard = \"board{b}\"\nboard_span = {s}\nline = \"e1\"\ndchannel = true\n"
            );
        }
    }
    let cfg_path = dir.join("trunkd.toml");
    if let Err(e) = std::fs::write(&cfg_path, config) {
        eprintln!("trunkbench: writing {}: {e}", cfg_path.display());
        return ExitCode::FAILURE;
    }
    let mut child = match Command::new(&trunkd)
        .arg("--config")
        .arg(&cfg_path)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "trunkbench: cannot start {}: {e} (build the workspace first)",
                trunkd.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    while !all_up(&sims) {
        if start.elapsed() > Duration::from_secs(60) {
            eprintln!("trunkbench: spans did not come up within 60 s");
            let _ = child.kill();
            return ExitCode::FAILURE;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Warm-up done; measure.
    let f0 = frames(&sims);
    let (u0, s0) = cpu_split(child.id()).unwrap_or((0.0, 0.0));
    let v0 = voluntary_switches(child.id());
    let w0 = Instant::now();
    let target = a.seconds * 8000;
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let f = frames(&sims);
        if f.iter().zip(&f0).all(|(now, then)| now - then >= target) {
            break;
        }
        if w0.elapsed() > Duration::from_secs(600) {
            eprintln!(
                "trunkbench: did not reach {} board seconds in 10 minutes",
                a.seconds
            );
            break;
        }
    }
    let f1 = frames(&sims);
    let (u1, s1) = cpu_split(child.id()).unwrap_or((0.0, 0.0));
    let v1 = voluntary_switches(child.id());
    let wall = w0.elapsed().as_secs_f64();
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
    drop(sims);
    let _ = std::fs::remove_dir_all(&dir);

    // Board milliseconds over all boards: 8 frames per millisecond.
    let board_ms: f64 = f1
        .iter()
        .zip(&f0)
        .map(|(a2, b2)| (a2 - b2) as f64 / 8.0)
        .sum();
    let span_ms = board_ms * a.spans as f64;
    let cpu = (u1 + s1) - (u0 + s0);
    if cpu <= 0.0 {
        eprintln!("trunkbench: no CPU time measured for trunkd");
        return ExitCode::FAILURE;
    }
    let per_cpu_s = span_ms / cpu;
    // A span in real time needs 1000 span-ms per second.
    let spans_per_core = per_cpu_s / 1000.0;
    let share_1000 = 1000.0 * 1000.0 / per_cpu_s;
    let board_ms_per_board = board_ms / a.boards as f64;
    println!(
        "trunkbench: {} boards x {} E1 spans (far end loop, lockstep, HDLC on every D-channel, interrupt every {} ms)",
        a.boards, a.spans, a.interrupt_interval
    );
    println!("  board time per board   {:>12.0} ms", board_ms_per_board);
    println!("  span-ms processed      {:>12.0}", span_ms);
    println!(
        "  trunkd CPU             {:>12.3} s (user {:.3} s, system {:.3} s; wall {:.1} s)",
        cpu,
        u1 - u0,
        cpu - (u1 - u0),
        wall
    );
    println!(
        "  user-space us/span-ms  {:>12.3} (the tick loop's own work, without wake-ups)",
        (u1 - u0) * 1e6 / span_ms
    );
    println!(
        "  sleeps per board-tick  {:>12.2} (voluntary context switches of trunkd)",
        (v1 - v0) as f64 / (span_ms / a.spans as f64)
    );
    println!("  span-ms per CPU-second {:>12.0}", per_cpu_s);
    println!("  us of CPU per span-ms  {:>12.3}", 1e6 / per_cpu_s);
    println!(
        "  E1 spans per core      {:>12.0} (real time, 100% of a core)",
        spans_per_core
    );
    println!(
        "  1000 E1 spans need     {:>11.1}% of one core (target: 25%)",
        share_1000 * 100.0
    );
    ExitCode::SUCCESS
}
