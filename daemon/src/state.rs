//! State shared between a board's real-time thread (the only writer) and the
//! rest of the daemon (readers). Everything is a relaxed atomic: the tick
//! thread never takes a lock and never allocates to publish it.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};

use trunk_driver_sys::abi::TIMESLOTS;

/// Board run state, as [`BoardShared::state`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BoardState {
    /// Opening and resetting.
    Starting = 0,
    /// Ticking.
    Running = 1,
    /// Lost (open failed or the interrupt went away); retrying.
    Failed = 2,
    /// Stopped on request.
    Stopped = 3,
}

impl BoardState {
    /// Name in the API.
    pub fn name(self) -> &'static str {
        match self {
            BoardState::Starting => "starting",
            BoardState::Running => "running",
            BoardState::Failed => "failed",
            BoardState::Stopped => "stopped",
        }
    }
}

/// Board-wide figures.
#[derive(Debug, Default)]
pub struct BoardShared {
    /// A [`BoardState`] as u8.
    pub state: AtomicU8,
    /// Frames clocked by the board (its frame counter).
    pub frames: AtomicU64,
    /// Tick interrupts handled.
    pub ticks: AtomicU64,
    /// Interrupts that arrived coalesced (the host was late by a tick or more).
    pub late_ticks: AtomicU64,
    /// Host-side receive overruns (more than a ring behind).
    pub host_overruns: AtomicU64,
    /// Span count reported by the board.
    pub board_spans: AtomicU32,
}

impl BoardShared {
    /// Current state.
    pub fn state(&self) -> BoardState {
        match self.state.load(Ordering::Relaxed) {
            1 => BoardState::Running,
            2 => BoardState::Failed,
            3 => BoardState::Stopped,
            _ => BoardState::Starting,
        }
    }

    /// Set the state.
    pub fn set_state(&self, s: BoardState) {
        self.state.store(s as u8, Ordering::Relaxed);
    }
}

/// BERT run state, as [`BertShared::state`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BertState {
    /// Never run.
    Idle = 0,
    /// Running.
    Running = 1,
    /// Ran for the requested time.
    Done = 2,
    /// Stopped early (request, reconfiguration or board loss).
    Stopped = 3,
}

/// Results of a BERT on one timeslot.
#[derive(Debug, Default)]
pub struct BertShared {
    /// A [`BertState`] as u8.
    pub state: AtomicU8,
    /// Pattern checker in sync.
    pub in_sync: AtomicBool,
    /// Requested duration, ms of board time.
    pub duration_ms: AtomicU64,
    /// Elapsed, ms of board time.
    pub elapsed_ms: AtomicU64,
    /// Bits compared in sync.
    pub bits: AtomicU64,
    /// Bit errors in sync.
    pub errors: AtomicU64,
    /// Times the checker lost and regained sync.
    pub resyncs: AtomicU64,
}

impl BertShared {
    /// Current state.
    pub fn state(&self) -> BertState {
        match self.state.load(Ordering::Relaxed) {
            1 => BertState::Running,
            2 => BertState::Done,
            3 => BertState::Stopped,
            _ => BertState::Idle,
        }
    }
}

/// Per-span figures.
#[derive(Debug, Default)]
pub struct SpanShared {
    /// Raw status register ([`trunk_driver_sys::abi::SpanStatus`] bits).
    pub status: AtomicU32,
    /// Counters (64-bit accumulations of the board's wrapping 32-bit ones).
    pub crc_errors: AtomicU64,
    /// Line code violations.
    pub code_violations: AtomicU64,
    /// E-bit errors.
    pub ebit_errors: AtomicU64,
    /// Slips.
    pub slips: AtomicU64,
    /// FAS errors.
    pub fas_errors: AtomicU64,
    /// Board transmit underruns.
    pub tx_underruns: AtomicU64,
    /// Board receive overruns.
    pub rx_overruns: AtomicU64,
    /// D-channel frames received with a good FCS.
    pub dch_rx_frames: AtomicU64,
    /// D-channel frames sent.
    pub dch_tx_frames: AtomicU64,
    /// D-channel FCS errors.
    pub dch_fcs_errors: AtomicU64,
    /// D-channel aborts.
    pub dch_aborts: AtomicU64,
    /// Current transmit latency in ms (chunks queued ahead of the board).
    pub tx_latency_ms: AtomicU32,
    /// D-channel frames dropped between the board and the signalling
    /// thread (queue full or frame too long).
    pub dch_dropped: AtomicU64,
    /// Per-timeslot BERT.
    pub bert: [BertShared; TIMESLOTS],
}

/// Add the wrapping difference between two 32-bit board counter readings to a
/// 64-bit accumulator.
#[inline]
pub fn accumulate(acc: &AtomicU64, prev: &mut u32, now: u32) {
    let d = now.wrapping_sub(*prev);
    if d != 0 {
        acc.fetch_add(d as u64, Ordering::Relaxed);
        *prev = now;
    }
}
