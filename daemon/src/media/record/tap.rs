//! The board-thread side of a recording.

use crossbeam_channel::{Sender, TrySendError};

use super::{RecordBlock, RecordSpec, StopReason, WriterMsg, BLOCK_SAMPLES};
use crate::media::dtmf::DBM0_PEAK;

/// Collects one channel's samples into [`RecordBlock`]s for the writer.
///
/// Hot path: fixed size, `Copy`, never allocates, blocks or does I/O; it
/// only `try_send`s on a bounded channel. Time is counted in samples of
/// board time, so `max_ms` is exact to the sample and independent of the
/// writer.
#[derive(Clone, Copy, Debug)]
pub struct RecorderTap {
    block: RecordBlock,
    max_samples: u64,
    silence_blocks: u64,
    /// Silence when a block's sum of squares per direction is below
    /// `threshold * samples`.
    threshold: f64,
    elapsed: u64,
    silent_run: u64,
    dropped_blocks: u64,
    stopped: Option<StopReason>,
    /// `finish` was called: the partial block (if any) still to send.
    flush_pending: bool,
    /// `Close` was queued (or the writer is gone).
    closed: bool,
}

impl RecorderTap {
    /// A tap for recording `id`. `max_ms` 0 = unlimited; `silence_ms` 0 =
    /// no silence detection; `silence_dbm0` is the silence threshold.
    pub fn new(id: u32, max_ms: u64, silence_ms: u64, silence_dbm0: f32) -> Self {
        // Mean power of a sine at `dbm0`: peak^2 / 2, with 0 dBm0 at
        // DBM0_PEAK (ITU-T G.711 clause 4: the 0 dBm0 reference).
        let peak0 = f64::from(DBM0_PEAK);
        let threshold = peak0 * peak0 / 2.0 * 10f64.powf(f64::from(silence_dbm0) / 10.0);
        Self {
            block: RecordBlock::new(id),
            max_samples: max_ms.saturating_mul(8),
            silence_blocks: silence_ms.div_ceil(super::BLOCK_MS),
            threshold,
            elapsed: 0,
            silent_run: 0,
            dropped_blocks: 0,
            stopped: None,
            flush_pending: false,
            closed: false,
        }
    }

    /// A tap with the limits of `spec`.
    pub fn from_spec(id: u32, spec: &RecordSpec) -> Self {
        Self::new(id, spec.max_ms, spec.silence_ms, spec.silence_dbm0)
    }

    /// The recording this tap feeds.
    pub fn id(&self) -> u32 {
        self.block.id
    }

    /// Takes one tick of samples (normally 8 of each; a shorter direction
    /// is padded with zeros). Returns the stop reason once `max_ms` or
    /// `silence_ms` is reached, and again on every later call; samples after
    /// that point are not recorded. The engine then calls
    /// [`finish`](Self::finish).
    ///
    /// Silence is counted from the start of the recording: a caller who
    /// never speaks is stopped after `silence_ms` too. The silence stays in
    /// the file.
    pub fn push(&mut self, rx: &[i16], tx: &[i16], out: &Sender<WriterMsg>) -> Option<StopReason> {
        if self.stopped.is_some() || self.flush_pending || self.closed {
            return self.stopped;
        }
        let n = rx.len().max(tx.len());
        for i in 0..n {
            if self.max_samples != 0 && self.elapsed >= self.max_samples {
                self.stopped = Some(StopReason::MaxDuration);
                break;
            }
            let at = usize::from(self.block.len);
            self.block.left[at] = rx.get(i).copied().unwrap_or(0);
            self.block.right[at] = tx.get(i).copied().unwrap_or(0);
            self.block.len += 1;
            self.elapsed += 1;
            if usize::from(self.block.len) == BLOCK_SAMPLES {
                let silent = self.block_is_silent();
                self.send_block(out);
                if self.silence_blocks != 0 {
                    self.silent_run = if silent { self.silent_run + 1 } else { 0 };
                    if self.silent_run >= self.silence_blocks {
                        self.stopped = Some(StopReason::Silence);
                        break;
                    }
                }
            }
        }
        if self.stopped.is_none() && self.max_samples != 0 && self.elapsed >= self.max_samples {
            self.stopped = Some(StopReason::MaxDuration);
        }
        self.stopped
    }

    /// Ends the recording: sends the partial block and `Close { reason }`.
    /// Returns `true` when both are queued (or the writer is gone); `false`
    /// if the queue was full: call it again on a later tick.
    pub fn finish(&mut self, reason: StopReason, out: &Sender<WriterMsg>) -> bool {
        if self.closed {
            return true;
        }
        if !self.flush_pending {
            self.flush_pending = true;
            self.stopped.get_or_insert(reason);
        }
        if self.block.len > 0 {
            match out.try_send(WriterMsg::Block(self.block)) {
                Ok(()) => self.block.len = 0,
                Err(TrySendError::Full(_)) => return false,
                Err(TrySendError::Disconnected(_)) => {
                    self.dropped_blocks += 1;
                    self.block.len = 0;
                }
            }
        }
        let id = self.block.id;
        match out.try_send(WriterMsg::Close { id, reason }) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {
                self.closed = true;
                true
            }
            Err(TrySendError::Full(_)) => false,
        }
    }

    /// Time recorded so far, milliseconds.
    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed / 8
    }

    /// Blocks lost because the writer's queue was full or gone.
    pub fn dropped_blocks(&self) -> u64 {
        self.dropped_blocks
    }

    /// Whether `Close` has been queued.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    fn block_is_silent(&self) -> bool {
        let len = usize::from(self.block.len);
        let power = |s: &[i16]| s.iter().map(|&x| i64::from(x) * i64::from(x)).sum::<i64>();
        let limit = self.threshold * len as f64;
        (power(&self.block.left[..len]) as f64) < limit
            && (power(&self.block.right[..len]) as f64) < limit
    }

    fn send_block(&mut self, out: &Sender<WriterMsg>) {
        if out.try_send(WriterMsg::Block(self.block)).is_err() {
            self.dropped_blocks += 1;
        }
        self.block.len = 0;
    }
}
