//! Recording a channel to WAV without the board thread touching the disk.
//!
//! The board thread runs a [`RecorderTap`] per recorded channel: each 1 ms
//! tick it copies the received and transmitted samples into a fixed
//! [`RecordBlock`] of 20 ms and, when the block is full, `try_send`s it to
//! the [`RecordWriter`] thread. The tap never blocks, allocates or does I/O;
//! if the writer's queue is full the block is dropped and counted. The
//! writer thread owns the files: it opens them on [`WriterMsg::Open`]
//! (sent by the control thread), appends blocks, finalises the WAV header
//! on [`WriterMsg::Close`] and reports each recording's outcome as a
//! [`RecordEvent`].
//!
//! Files are RIFF WAVE, 16-bit linear PCM at 8000 Hz, one or two channels
//! (ITU-T G.711 samples expanded to linear).

use std::path::PathBuf;

mod tap;
mod writer;

pub use tap::RecorderTap;
pub use writer::{RecordWriter, WriterStats, DEFAULT_QUEUE_BLOCKS};

/// Samples per channel in a [`RecordBlock`]: 20 ms at 8 kHz.
pub const BLOCK_SAMPLES: usize = 160;

/// Length of a [`RecordBlock`] in milliseconds.
pub const BLOCK_MS: u64 = 20;

/// Default silence threshold, dBm0.
pub const DEFAULT_SILENCE_DBM0: f32 = -45.0;

/// Which directions of the call go into the file, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordChannels {
    /// One channel: received + transmitted, summed with saturation.
    #[default]
    Mono,
    /// Two channels: left = received from the line (the caller), right =
    /// transmitted to the line (the other party, prompts, the agent).
    Stereo,
    /// One channel: only what is received from the line.
    RxOnly,
    /// One channel: only what is transmitted to the line.
    TxOnly,
}

impl RecordChannels {
    /// Channels in the WAV file.
    pub fn wav_channels(self) -> u16 {
        match self {
            Self::Stereo => 2,
            Self::Mono | Self::RxOnly | Self::TxOnly => 1,
        }
    }
}

/// What to record and when to stop.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordSpec {
    /// The `.wav` file to write. Its directory must exist and be writable;
    /// it is not created. An existing file is replaced.
    pub path: PathBuf,
    /// Which directions, mono or stereo.
    pub channels: RecordChannels,
    /// Stop after this many milliseconds (0 = no limit).
    pub max_ms: u64,
    /// Stop after this much continuous silence, milliseconds (0 = off).
    pub silence_ms: u64,
    /// Below this level (mean power of each 20 ms block, both directions)
    /// counts as silence, dBm0.
    pub silence_dbm0: f32,
}

impl RecordSpec {
    /// A mono recording to `path` with no limits and the default threshold.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            channels: RecordChannels::Mono,
            max_ms: 0,
            silence_ms: 0,
            silence_dbm0: DEFAULT_SILENCE_DBM0,
        }
    }

    /// Checks the spec; the error says what is wrong.
    pub fn validate(&self) -> Result<(), RecordError> {
        let bad = |what: &str| {
            Err(RecordError::InvalidSpec {
                path: self.path.clone(),
                what: what.to_string(),
            })
        };
        if self.path.file_name().is_none() {
            return bad("the path names no file");
        }
        let is_wav = self
            .path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
        if !is_wav {
            return bad("recordings are WAV files: the path must end in .wav");
        }
        if !self.silence_dbm0.is_finite() || !(-90.0..=3.0).contains(&self.silence_dbm0) {
            return bad("silence_dbm0 must be between -90 and +3 dBm0");
        }
        if self.silence_ms != 0 && self.silence_ms < BLOCK_MS {
            return bad("silence_ms must be 0 (off) or at least 20 ms");
        }
        // 16-bit stereo at 8 kHz fills the 4 GiB WAV limit in about 37 h.
        if self.max_ms > 24 * 3600 * 1000 {
            return bad("max_ms must be at most 24 hours");
        }
        Ok(())
    }
}

/// A rejected [`RecordSpec`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// The spec cannot be recorded.
    #[error("recording {path}: {what}")]
    InvalidSpec {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

/// Up to 20 ms of both directions of one recording, as it travels from the
/// board thread to the writer. `left` is received from the line, `right`
/// transmitted to it; the writer mixes or picks per [`RecordChannels`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordBlock {
    /// The recording.
    pub id: u32,
    /// Valid samples in `left` and `right` (at most [`BLOCK_SAMPLES`]).
    pub len: u16,
    /// Received from the line.
    pub left: [i16; BLOCK_SAMPLES],
    /// Transmitted to the line.
    pub right: [i16; BLOCK_SAMPLES],
}

impl RecordBlock {
    /// An empty block of recording `id`.
    pub const fn new(id: u32) -> Self {
        Self {
            id,
            len: 0,
            left: [0; BLOCK_SAMPLES],
            right: [0; BLOCK_SAMPLES],
        }
    }
}

/// Why a recording ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// `max_ms` was reached.
    MaxDuration,
    /// `silence_ms` of silence.
    Silence,
    /// The caller pressed this DTMF digit.
    Digit(char),
    /// Stopped by a command (or writer shutdown).
    Stopped,
    /// The call was released.
    Hangup,
    /// The engine gave up on it.
    Error,
}

/// A message to the [`RecordWriter`] thread.
///
/// `Block` is large (about 650 bytes) on purpose: boxing it would allocate
/// on the board thread for every block; the bounded channel preallocates
/// its slots instead.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum WriterMsg {
    /// Start recording `id` (control thread).
    Open {
        /// The recording.
        id: u32,
        /// What to write.
        spec: RecordSpec,
    },
    /// Samples of a recording (board thread).
    Block(RecordBlock),
    /// Finalise recording `id` (board thread).
    Close {
        /// The recording.
        id: u32,
        /// Why it ended.
        reason: StopReason,
    },
}

/// What happened to a recording, from the writer thread.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordEvent {
    /// The file is open and its header written.
    Started {
        /// The recording.
        id: u32,
        /// The file.
        path: PathBuf,
    },
    /// The file is complete and its header final.
    Done {
        /// The recording.
        id: u32,
        /// The file.
        path: PathBuf,
        /// Audio in the file, milliseconds.
        duration_ms: u64,
        /// Why it ended.
        reason: StopReason,
        /// Size of the file, bytes.
        bytes: u64,
    },
    /// The recording could not be written; see [`RecordWriter`] for what is
    /// left on disk.
    Failed {
        /// The recording.
        id: u32,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: String,
    },
}
