//! agentsim: simulated ACD agents against a running trunkd.
//!
//! Reads an agent spec (JSON, see `trunk_testbench::agents`), logs the
//! agents in over trunkd's API socket and follows their state scripts until
//! every script has run (and its timers expired), `--seconds` of wall time
//! have passed, or SIGINT/SIGTERM; then prints the report as JSON.
//!
//! ```text
//! agentsim agents.json
//! agentsim --socket /run/trunkd/trunkd.sock --seconds 600 agents.json
//! ```
//!
//! Exit status: 0, or 1 when the spec is bad, trunkd cannot be reached, or
//! the run stopped on a connection error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use trunk_testbench::agents::{AgentSim, AgentsSpec};

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "agentsim",
    about = "Simulated ACD agents: log in to trunkd and follow a state script"
)]
struct Args {
    /// trunkd's API socket (overrides the spec's "socket").
    #[arg(long, env = "TRUNKD_SOCKET")]
    socket: Option<PathBuf>,
    /// Stop after this many wall-clock seconds even if scripts are not done.
    #[arg(long)]
    seconds: Option<u64>,
    /// Keep running (counting calls) after every script is done, until
    /// --seconds or a signal.
    #[arg(long)]
    keep_running: bool,
    /// The agent spec (JSON).
    spec: PathBuf,
}

fn main() -> ExitCode {
    env_logger::init();
    let args = Args::parse();
    let text = match std::fs::read_to_string(&args.spec) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("agentsim: reading {}: {e}", args.spec.display());
            return ExitCode::FAILURE;
        }
    };
    let spec = match serde_json::from_str(&text)
        .map_err(|e| format!("bad JSON: {e}"))
        .and_then(|v| AgentsSpec::from_json(&v))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("agentsim: {}: {e}", args.spec.display());
            return ExitCode::FAILURE;
        }
    };
    let socket = args
        .socket
        .clone()
        .or_else(|| spec.socket.clone())
        .unwrap_or_else(|| PathBuf::from(trunk_tools::api::DEFAULT_SOCKET));
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, stop.clone()) {
            eprintln!("agentsim: signal handler: {e}");
            return ExitCode::FAILURE;
        }
    }
    let sim = match AgentSim::start(&socket, spec) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("agentsim: {e}");
            return ExitCode::FAILURE;
        }
    };
    let deadline = args
        .seconds
        .map(|s| Instant::now() + Duration::from_secs(s));
    while !stop.load(Ordering::Relaxed)
        && (args.keep_running || !sim.finished())
        && deadline.is_none_or(|d| Instant::now() < d)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let report = sim.stop();
    match serde_json::to_string_pretty(&report) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("agentsim: report: {e}"),
    }
    if report.fatal.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
