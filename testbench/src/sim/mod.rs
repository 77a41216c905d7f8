//! The simulated board: trunkd's board ABI in a shared file plus an interrupt
//! socket, clocked by a tick engine, with a line model and a far end behind
//! every span.
//!
//! A simulator directory `DIR` holds:
//!
//! | path                | what                                                     |
//! |---------------------|----------------------------------------------------------|
//! | `DIR/board`         | map 0 (4 KiB registers) then map 1 (DMA rings)           |
//! | `DIR/irq`           | `SOCK_SEQPACKET` interrupt socket, UIO semantics         |
//! | `DIR/control`       | control socket, JSON lines (faults, status)              |
//! | `DIR/spanK/dchan`   | external far end: one HDLC frame per datagram (no FCS)   |
//! | `DIR/spanK/tsT`     | external far end: raw G.711 octets of timeslot T         |
//!
//! With `pri-net` / `pri-cpe` far ends every span has a built-in ISDN PRI
//! D-channel ([`PriScript`] behind HDLC on the signalling timeslot),
//! scripted through the control socket, and a [`traffic`] generator of
//! callers on top of it (`traffic`, `traffic_stop`, `traffic_status`).
//! A span's far end can also act as a PBX full of agent phones, with a
//! behaviour per called extension ([`pbx`]: `pbx`, `pbx_status`).
//!
//! The host driver in `trunk-driver-sys` opens such a directory as `sim:DIR`
//! and cannot tell it from hardware, apart from the `SIMULATED` capability bit.

mod control;
mod engine;
mod external;
pub mod pbx;
mod prifar;
pub mod traffic;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::Sender;

use crate::line::LineKind;

pub use control::ControlRequest;
pub use prifar::{CallPlan, FarCounters, PriCommand, PriPolicy, PriScript};
pub use trunk_isdn::call::Variant as PriVariant;

/// What sits at the far end of every span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FarEndMode {
    /// The line is looped back at the far end: what the board sends comes back.
    Loop,
    /// A framed, idle far end: idle octets on every timeslot, HDLC flags on
    /// the signalling timeslot.
    Idle,
    /// An outside program is the far end, through the per-span sockets.
    External,
    /// A built-in ISDN PRI D-channel on the signalling timeslot of every
    /// span, scripted through the control socket.
    Pri {
        /// The far end is the network (exchange) side (`pri-net`, facing a
        /// trunkd span configured `pri-cpe`); otherwise the user side
        /// (`pri-cpe`, facing `pri-net`).
        network: bool,
        /// Protocol variant; `None`: ETSI on E1, NI-2 on T1.
        variant: Option<PriVariant>,
    },
}

impl FarEndMode {
    /// The built-in PRI far end of the given side with the line's default
    /// variant.
    pub fn pri(network: bool) -> FarEndMode {
        FarEndMode::Pri {
            network,
            variant: None,
        }
    }
}

impl FromStr for FarEndMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "loop" => Ok(FarEndMode::Loop),
            "idle" => Ok(FarEndMode::Idle),
            "external" => Ok(FarEndMode::External),
            "pri-net" => Ok(FarEndMode::pri(true)),
            "pri-cpe" => Ok(FarEndMode::pri(false)),
            _ => Err(format!(
                "far end `{s}`: expected loop, idle, external, pri-net or pri-cpe"
            )),
        }
    }
}

impl fmt::Display for FarEndMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FarEndMode::Loop => "loop",
            FarEndMode::Idle => "idle",
            FarEndMode::External => "external",
            FarEndMode::Pri { network: true, .. } => "pri-net",
            FarEndMode::Pri { network: false, .. } => "pri-cpe",
        })
    }
}

/// How board time relates to wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeMode {
    /// One tick per millisecond of wall-clock time.
    Realtime,
    /// `N` ticks per millisecond of wall-clock time (N > 0; may be fractional).
    Factor(f64),
    /// The next tick starts only when the host has re-armed the interrupt,
    /// i.e. finished the previous one. Deterministic for a given seed.
    Lockstep,
}

impl FromStr for TimeMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "realtime" => Ok(TimeMode::Realtime),
            "lockstep" => Ok(TimeMode::Lockstep),
            _ => {
                let f: f64 = s
                    .strip_prefix('x')
                    .and_then(|n| n.parse().ok())
                    .filter(|f: &f64| f.is_finite() && *f > 0.0 && *f <= 1e6)
                    .ok_or_else(|| {
                        format!("time `{s}`: expected realtime, lockstep or xN (e.g. x10)")
                    })?;
                Ok(TimeMode::Factor(f))
            }
        }
    }
}

impl fmt::Display for TimeMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeMode::Realtime => f.write_str("realtime"),
            TimeMode::Factor(x) => write!(f, "x{x}"),
            TimeMode::Lockstep => f.write_str("lockstep"),
        }
    }
}

/// Everything needed to start a simulated board.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The simulator directory (created if missing).
    pub dir: PathBuf,
    /// Number of spans, 1..=16.
    pub spans: usize,
    /// E1 or T1 (the line kind of the far end and the board's capability).
    pub line: LineKind,
    /// Far end behind every span.
    pub far_end: FarEndMode,
    /// Time mode.
    pub time: TimeMode,
    /// Seed for every random process (bit errors).
    pub seed: u64,
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Bad configuration.
    #[error("{0}")]
    Config(String),
    /// An OS call failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
}

pub(crate) fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SimError {
    let what = what.into();
    move |source| SimError::Io { what, source }
}

/// A running simulator. Dropping it stops the simulator and removes its sockets.
pub struct Simulator {
    dir: PathBuf,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    commands: Sender<ControlRequest>,
}

impl Simulator {
    /// Create the directory, the board file and the sockets, and start the
    /// tick engine and the control socket.
    pub fn start(cfg: SimConfig) -> Result<Simulator, SimError> {
        if cfg.spans == 0 || cfg.spans > trunk_driver_sys::abi::MAX_SPANS {
            return Err(SimError::Config(format!(
                "--spans {}: a board has 1 to {} spans",
                cfg.spans,
                trunk_driver_sys::abi::MAX_SPANS
            )));
        }
        std::fs::create_dir_all(&cfg.dir)
            .map_err(io_err(format!("creating {}", cfg.dir.display())))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (cmd_tx, cmd_rx) = crossbeam_channel::bounded(64);
        let external = if cfg.far_end == FarEndMode::External {
            Some(external::External::bind(
                &cfg.dir,
                cfg.spans,
                cfg.line,
                stop.clone(),
            )?)
        } else {
            None
        };
        let engine = engine::Engine::new(&cfg, cmd_rx, external)?;
        let control = control::ControlServer::bind(&cfg.dir.join("control"), cmd_tx.clone())?;
        let mut threads = Vec::new();
        let s = stop.clone();
        threads.push(
            std::thread::Builder::new()
                .name("trunksim-tick".into())
                .spawn(move || engine.run(s))
                .map_err(io_err("spawning the tick thread"))?,
        );
        let s = stop.clone();
        threads.push(
            std::thread::Builder::new()
                .name("trunksim-control".into())
                .spawn(move || control.run(s))
                .map_err(io_err("spawning the control thread"))?,
        );
        Ok(Simulator {
            dir: cfg.dir,
            stop,
            threads,
            commands: cmd_tx,
        })
    }

    /// The simulator directory (`sim:DIR` for trunkd).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Send a control request in-process (same JSON as the control socket)
    /// and wait for the reply.
    pub fn control(&self, request: &serde_json::Value) -> serde_json::Value {
        control::dispatch(&self.commands, request)
    }

    /// True while the simulator threads are running.
    pub fn is_running(&self) -> bool {
        !self.stop.load(Ordering::Relaxed) && self.threads.iter().all(|t| !t.is_finished())
    }

    /// Stop the simulator and wait for its threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(self.dir.join("control"));
        let _ = std::fs::remove_file(self.dir.join("irq"));
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}
