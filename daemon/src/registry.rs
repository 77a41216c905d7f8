//! What the API can see of the running daemon: the configuration in force and
//! a view of every board thread. Readers take short read locks; the real-time
//! threads never touch these locks.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crossbeam_channel::Sender;
use trunk_driver_sys::board::BoardSpec;

use crate::config::Config;
use crate::rt::BoardCmd;
use crate::state::{BoardShared, SpanShared};

/// A board as the API sees it.
#[derive(Clone)]
pub struct BoardView {
    /// Board name.
    pub name: String,
    /// Device.
    pub device: BoardSpec,
    /// Board-wide figures.
    pub shared: Arc<BoardShared>,
    /// Per position on the board (0-based, 16 entries).
    pub spans: Vec<Arc<SpanShared>>,
    /// Command channel of the board thread.
    pub cmd: Sender<BoardCmd>,
}

/// Shared daemon state for the API.
pub struct Registry {
    /// Start time.
    pub started: Instant,
    /// Configuration in force.
    pub config: RwLock<Arc<Config>>,
    /// Boards.
    pub boards: RwLock<Vec<BoardView>>,
    /// Successful reloads.
    pub reloads: AtomicU64,
    /// Failed reloads.
    pub failed_reloads: AtomicU64,
}

impl Registry {
    /// A registry for `config` with no boards yet.
    pub fn new(config: Arc<Config>) -> Registry {
        Registry {
            started: Instant::now(),
            config: RwLock::new(config),
            boards: RwLock::new(Vec::new()),
            reloads: AtomicU64::new(0),
            failed_reloads: AtomicU64::new(0),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        match self.config.read() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// A snapshot of the board views.
    pub fn boards(&self) -> Vec<BoardView> {
        match self.boards.read() {
            Ok(b) => b.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}
