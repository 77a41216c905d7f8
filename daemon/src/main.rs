//! trunkd: the E1/T1 board daemon.
//!
//! ```text
//! trunkd [--config FILE] [--socket PATH] [--check]
//! trunkd --demo [--demo-seconds N]
//! ```

mod acdsvc;
mod api;
mod calls;
mod cdr;
mod confbook;
mod config;
mod config_acd;
mod config_ivr;
mod dchan;
mod demo;
mod demo_acd;
mod demo_ivr;
mod ivr;
mod mediasvc;
mod registry;
mod rt;
mod signalling;
mod state;
mod supervisor;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use sd_notify::NotifyState;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::registry::Registry;

/// Counts allocations on the real-time path (reported as `hot_path_allocations`).
#[global_allocator]
static ALLOCATOR: trunk_driver_sys::alloc_check::CountingAllocator =
    trunk_driver_sys::alloc_check::CountingAllocator;
use crate::state::BoardState;
use crate::supervisor::Supervisor;

/// Command line.
#[derive(Parser, Debug)]
#[command(name = "trunkd", version, about = "E1/T1 telephony board daemon")]
struct Args {
    /// Configuration file.
    #[arg(long, default_value = config::DEFAULT_CONFIG)]
    config: PathBuf,
    /// API socket (overrides [daemon] socket in the configuration).
    #[arg(long)]
    socket: Option<PathBuf>,
    /// Validate the configuration and exit.
    #[arg(long)]
    check: bool,
    /// Run on a built-in simulator with a sample configuration.
    #[arg(long)]
    demo: bool,
    /// With --demo: exit after this many seconds (default: run until Ctrl-C).
    #[arg(long, requires = "demo")]
    demo_seconds: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // The demo's tour is the output; its log stays at warnings unless RUST_LOG says otherwise.
    let level = if args.demo { "warn" } else { "info" };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level))
        .format_timestamp_millis()
        .init();
    if args.demo {
        return demo::run(args.socket, args.demo_seconds);
    }
    let cfg = match config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("trunkd: {e}");
            return ExitCode::from(2);
        }
    };
    let flows = match ivr::load_flows(&cfg) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("trunkd: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check {
        println!(
            "{}: OK ({} boards, {} spans, {} IVR flows)",
            cfg.path.display(),
            cfg.boards.len(),
            cfg.spans.len(),
            flows.flows.len()
        );
        return ExitCode::SUCCESS;
    }
    run(cfg, flows, args.socket, None)
}

/// Run the daemon until SIGTERM/SIGINT (or `deadline`). Returns the exit code.
pub(crate) fn run(
    cfg: config::Config,
    flows: ivr::flow::FlowSet,
    socket: Option<PathBuf>,
    deadline: Option<Instant>,
) -> ExitCode {
    let config_path = cfg.path.clone();
    let socket = socket.unwrap_or_else(|| cfg.socket.clone());
    let mut signals = match signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("trunkd: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let registry = Arc::new(Registry::new(Arc::new(cfg)));
    *registry
        .flows
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(flows);
    let ivr = ivr::Ivr::start(registry.clone());
    let acd = acdsvc::AcdService::start(registry.clone());
    let mut sup = Supervisor::start(registry.clone());
    let cdr_writer = cdr::start(&registry);
    let sig = signalling::Signaller::start(registry.clone());
    let media = mediasvc::MediaService::start(registry.clone());
    let api = match api::ApiServer::start(&socket, registry.clone()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("trunkd: cannot serve the API on {}: {e}", socket.display());
            ivr.stop();
            acd.stop();
            sig.stop();
            media.stop();
            if let Some(w) = cdr_writer {
                w.stop();
            }
            sup.shutdown();
            return ExitCode::FAILURE;
        }
    };
    log::info!("API on {}", socket.display());
    let _ = sd_notify::notify(false, &[NotifyState::Ready, NotifyState::Status("running")]);
    let mut wd_usec = 0u64;
    let watchdog = sd_notify::watchdog_enabled(false, &mut wd_usec);
    let wd_period = Duration::from_micros(wd_usec / 2).max(Duration::from_millis(100));
    let mut last_feed = Instant::now();
    let mut last_ticks: Vec<u64> = Vec::new();
    let mut code = ExitCode::SUCCESS;
    'main: loop {
        for sig in signals.pending() {
            match sig {
                SIGHUP => reload(&mut sup, &registry, &config_path),
                _ => {
                    log::info!("signal {sig}: shutting down");
                    break 'main;
                }
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if watchdog && last_feed.elapsed() >= wd_period {
            // Feed only if every running board's real-time thread made progress.
            let boards = registry.boards();
            let ticks: Vec<u64> = boards
                .iter()
                .map(|b| b.shared.ticks.load(Ordering::Relaxed))
                .collect();
            let stuck = boards
                .iter()
                .zip(&ticks)
                .zip(last_ticks.iter().chain(std::iter::repeat(&u64::MAX)))
                .any(|((b, now), before)| b.shared.state() == BoardState::Running && now == before);
            if stuck {
                log::error!(
                    "a board's real-time thread made no progress; not feeding the watchdog"
                );
            } else {
                let _ = sd_notify::notify(false, &[NotifyState::Watchdog]);
            }
            last_ticks = ticks;
            last_feed = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(50));
        if !api.is_running() {
            log::error!("API thread stopped; exiting");
            code = ExitCode::FAILURE;
            break;
        }
    }
    let _ = sd_notify::notify(false, &[NotifyState::Stopping]);
    api.stop();
    ivr.stop();
    acd.stop();
    sig.stop();
    // The calls ended by the signalling thread's shutdown are written first.
    if let Some(w) = cdr_writer {
        w.stop();
    }
    media.stop();
    // Finalise the WAV headers of recordings still running.
    if let Some(w) = registry::lock(&registry.record_writer).take() {
        w.shutdown();
    }
    sup.shutdown();
    code
}

fn reload(sup: &mut Supervisor, registry: &Registry, path: &std::path::Path) {
    let _ = sd_notify::notify(false, &[NotifyState::Reloading]);
    match config::load(path) {
        Ok(new) => {
            // Flows first: a configuration whose flows do not load is refused whole.
            let flows = match ivr::load_flows(&new) {
                Ok(f) => f,
                Err(e) => {
                    registry.failed_reloads.fetch_add(1, Ordering::Relaxed);
                    *registry::lock(&registry.flow_errors) =
                        e.to_string().lines().map(str::to_owned).collect();
                    log::error!("reload refused, keeping the running configuration and flows: {e}");
                    let _ = sd_notify::notify(false, &[NotifyState::Ready]);
                    return;
                }
            };
            registry::lock(&registry.flow_errors).clear();
            *registry
                .flows
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(flows);
            let s = sup.reload(new);
            registry.reloads.fetch_add(1, Ordering::Relaxed);
            cdr::reconfigure(registry);
            if registry.acd.try_send(acdsvc::AcdCmd::Reload).is_err() {
                log::error!("the ACD did not take the reload");
            }
            log::info!(
                "reloaded {}: spans changed {:?}, unchanged {}, boards started {:?}, stopped {:?}, restarted {:?}",
                path.display(),
                s.spans_changed,
                s.spans_unchanged,
                s.boards_started,
                s.boards_stopped,
                s.boards_restarted
            );
        }
        Err(e) => {
            registry.failed_reloads.fetch_add(1, Ordering::Relaxed);
            log::error!("reload refused, keeping the running configuration: {e}");
        }
    }
    let _ = sd_notify::notify(false, &[NotifyState::Ready]);
}
