//! trunksim: a simulated trunkd board of 1-16 E1 or T1 spans.
//!
//! ```text
//! trunksim --dir DIR --spans N --line e1|t1
//!          --far-end loop|idle|external|pri-net|pri-cpe [--pri-variant etsi|ni2]
//!          [--time realtime|xN|lockstep] [--seed S]
//! ```
//! trunkd opens the board as `sim:DIR`. See testbench/README.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, PriVariant, SimConfig, Simulator, TimeMode};

/// Command line of trunksim.
#[derive(Parser, Debug)]
#[command(name = "trunksim", version, about = "Simulated E1/T1 board for trunkd")]
struct Args {
    /// Simulator directory: board file, interrupt, control and far-end sockets.
    #[arg(long)]
    dir: PathBuf,
    /// Number of spans (1-16).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    spans: u8,
    /// Line type of every span.
    #[arg(long, default_value = "e1", value_parser = parse_line)]
    line: LineKind,
    /// Far end of every span: loop, idle, external, pri-net (a built-in ISDN
    /// exchange, for trunkd spans configured pri-cpe) or pri-cpe (a built-in
    /// ISDN user side, for pri-net).
    #[arg(long = "far-end", default_value = "loop")]
    far_end: FarEndMode,
    /// Protocol variant of the pri-net/pri-cpe far end: etsi or ni2
    /// (default: etsi on e1, ni2 on t1).
    #[arg(long = "pri-variant", value_parser = parse_variant)]
    pri_variant: Option<PriVariant>,
    /// Time mode: realtime, xN (N times real time) or lockstep.
    #[arg(long, default_value = "realtime")]
    time: TimeMode,
    /// Seed for every random process (bit errors).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Do not start a simulator: send this JSON control request to the one
    /// running in --dir, print its reply, and exit (1 if it says "ok": false).
    #[arg(long, value_name = "JSON")]
    send: Option<String>,
}

/// Send one control request to a running simulator; print the reply.
fn send(dir: &std::path::Path, request: &str) -> ExitCode {
    use std::io::{BufRead, BufReader, Write};
    let path = dir.join("control");
    let mut s = match std::os::unix::net::UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "trunksim: cannot connect to {}: {e} (is trunksim running with --dir {}?)",
                path.display(),
                dir.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    if let Err(e) = writeln!(s, "{}", request.trim()) {
        eprintln!("trunksim: {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    let mut line = String::new();
    if let Err(e) = BufReader::new(s).read_line(&mut line) {
        eprintln!("trunksim: no reply from {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    print!("{line}");
    let ok = serde_json::from_str::<serde_json::Value>(&line).is_ok_and(|v| v["ok"] == true);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn parse_variant(s: &str) -> Result<PriVariant, String> {
    match s {
        "etsi" => Ok(PriVariant::Etsi),
        "ni2" => Ok(PriVariant::Ni2),
        _ => Err(format!("`{s}`: expected etsi or ni2")),
    }
}

fn parse_line(s: &str) -> Result<LineKind, String> {
    match s {
        "e1" | "E1" => Ok(LineKind::E1),
        "t1" | "T1" => Ok(LineKind::T1),
        _ => Err(format!("`{s}`: expected e1 or t1")),
    }
}

/// `pri-net (etsi)` etc. for the start-up log line.
fn describe_far_end(f: FarEndMode, line: LineKind) -> String {
    match f {
        FarEndMode::Pri { variant, .. } => {
            let v = variant.unwrap_or(if line == LineKind::T1 {
                PriVariant::Ni2
            } else {
                PriVariant::Etsi
            });
            format!("{f} ({v})")
        }
        other => other.to_string(),
    }
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args = Args::parse();
    if let Some(req) = &args.send {
        return send(&args.dir, req);
    }
    let far_end = match (args.far_end, args.pri_variant) {
        (FarEndMode::Pri { network, .. }, variant) => FarEndMode::Pri { network, variant },
        (other, None) => other,
        (other, Some(_)) => {
            eprintln!("trunksim: --pri-variant needs --far-end pri-net or pri-cpe, not {other}");
            return ExitCode::FAILURE;
        }
    };
    let cfg = SimConfig {
        dir: args.dir.clone(),
        spans: args.spans as usize,
        line: args.line,
        far_end,
        time: args.time,
        seed: args.seed,
    };
    let sim = match Simulator::start(cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("trunksim: {e}");
            return ExitCode::FAILURE;
        }
    };
    log::info!(
        "board ready: {} spans {:?}, far end {}, time {}; trunkd device = \"sim:{}\"",
        args.spans,
        args.line,
        describe_far_end(far_end, args.line),
        args.time,
        args.dir.display()
    );
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, stop.clone()) {
            eprintln!("trunksim: cannot install signal handler: {e}");
            return ExitCode::FAILURE;
        }
    }
    while !stop.load(Ordering::Relaxed) && sim.is_running() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let ok = sim.is_running();
    sim.stop();
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("trunksim: simulator thread stopped unexpectedly");
        ExitCode::FAILURE
    }
}
