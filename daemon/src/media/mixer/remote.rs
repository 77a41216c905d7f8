//! Audio legs between board threads, for conferences that span boards.

use crossbeam_channel::{bounded, Receiver, Sender, TryRecvError, TrySendError};

use super::FRAME;

/// Frames of silence each direction starts with, so the receiving board
/// can tick up to 2 ms ahead of the sending one without running dry.
pub const REMOTE_PRIME_FRAMES: usize = 2;

/// Smallest queue [`remote_pair`] builds: the priming frames plus room for
/// the sender to run 2 ms ahead.
pub const MIN_REMOTE_CAPACITY: usize = 2 * REMOTE_PRIME_FRAMES;

/// One end of a cross-board audio leg: frames pushed here come out of the
/// peer's [`RemoteLeg::pull`], and the other way round.
///
/// Channels on different boards run on different threads, so a conference
/// cannot read the other board's `rx`. The engine instead gives each leg a
/// pseudo-channel index in its per-board `rx`/`tx` arrays and joins that
/// pseudo-channel to the conference like any line; every tick it calls
/// `pull(&mut rx[p])` before mixing and `push(&tx[p])` after. Two boards
/// thus bridge a line on each: each board runs a two-party conference of
/// its line and its leg.
///
/// The queues are bounded crossbeam channels, which preallocate their
/// buffers: `push` and `pull` never allocate, lock or block. Each direction
/// starts with [`REMOTE_PRIME_FRAMES`] frames of silence, so audio arrives
/// that many ticks late and ±2 ms of jitter between the boards' ticks is
/// absorbed. Boards on unsynchronised clocks drift apart: like a controlled
/// slip on a digital link (ITU-T G.822), the leg then drops a whole frame
/// (overflow) or inserts a silent one (underrun) and counts it.
#[derive(Debug)]
pub struct RemoteLeg {
    tx: Sender<[i16; FRAME]>,
    rx: Receiver<[i16; FRAME]>,
    overflows: u64,
    underruns: u64,
    peer_gone: bool,
}

/// Builds the two ends of a leg whose queues hold `capacity_frames` frames
/// each direction (at least [`MIN_REMOTE_CAPACITY`]). Allocates here only.
pub fn remote_pair(capacity_frames: usize) -> (RemoteLeg, RemoteLeg) {
    let cap = capacity_frames.max(MIN_REMOTE_CAPACITY);
    let (a_tx, b_rx) = bounded(cap);
    let (b_tx, a_rx) = bounded(cap);
    for _ in 0..REMOTE_PRIME_FRAMES {
        // Cannot fail: both queues are empty and hold more than the prime.
        let _ = a_tx.try_send([0; FRAME]);
        let _ = b_tx.try_send([0; FRAME]);
    }
    (RemoteLeg::new(a_tx, a_rx), RemoteLeg::new(b_tx, b_rx))
}

impl RemoteLeg {
    fn new(tx: Sender<[i16; FRAME]>, rx: Receiver<[i16; FRAME]>) -> Self {
        Self {
            tx,
            rx,
            overflows: 0,
            underruns: 0,
            peer_gone: false,
        }
    }

    /// Sends one frame to the peer. If the peer's queue is full the frame
    /// is dropped and counted as an overflow; returns whether it was queued.
    pub fn push(&mut self, frame: &[i16; FRAME]) -> bool {
        match self.tx.try_send(*frame) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.overflows += 1;
                false
            }
            Err(TrySendError::Disconnected(_)) => {
                self.peer_gone = true;
                false
            }
        }
    }

    /// Takes the next frame from the peer into `frame`. If none is waiting,
    /// `frame` becomes silence, an underrun is counted (unless the peer is
    /// gone) and `false` is returned.
    pub fn pull(&mut self, frame: &mut [i16; FRAME]) -> bool {
        match self.rx.try_recv() {
            Ok(f) => {
                *frame = f;
                true
            }
            Err(TryRecvError::Empty) => {
                *frame = [0; FRAME];
                self.underruns += 1;
                false
            }
            Err(TryRecvError::Disconnected) => {
                *frame = [0; FRAME];
                self.peer_gone = true;
                false
            }
        }
    }

    /// Frames dropped because the peer's queue was full.
    pub fn overflows(&self) -> u64 {
        self.overflows
    }

    /// Ticks that found no frame from the peer (silence was used).
    pub fn underruns(&self) -> u64 {
        self.underruns
    }

    /// Frames waiting to be pulled: the leg's current delay in ticks.
    pub fn queued(&self) -> usize {
        self.rx.len()
    }

    /// Whether the other end has been dropped (seen on a push or pull).
    pub fn peer_gone(&self) -> bool {
        self.peer_gone
    }
}
