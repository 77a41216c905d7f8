//! Requests to and reports from a board's media engine.
//!
//! Requests travel from the API threads to the board thread on a bounded
//! channel; reports travel back on another. Payloads that own heap memory
//! (playlists) are handed back in the reports, so the board thread never
//! frees memory.

use crossbeam_channel::Sender;

use crate::media::dtmf::DtmfGenConfig;
use crate::media::prompt::Playlist;
use crate::media::record::{RecorderTap, StopReason, WriterMsg};

/// Where a board's media engine sends what it produces.
#[derive(Clone, Debug)]
pub struct MediaLinks {
    /// Reports (to the media service thread).
    pub events: Sender<MediaEvent>,
    /// Recorded audio (to the recording writer thread).
    pub recorder: Sender<WriterMsg>,
}

/// A channel on a board: span position on the board (0-based) and timeslot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Chan {
    /// Span position on the board, 0-based.
    pub pos: u8,
    /// Timeslot (1-31 on E1, 1-24 on T1).
    pub ts: u8,
}

/// The longest digit string a collect or a DTMF send holds.
pub const MAX_DIGITS: usize = 32;

/// A fixed-capacity string of DTMF digits (`0-9 * # A-D`), `Copy` so it can
/// cross the hot path without allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DigitBuf {
    buf: [u8; MAX_DIGITS],
    len: u8,
}

impl Default for DigitBuf {
    fn default() -> Self {
        DigitBuf {
            buf: [0; MAX_DIGITS],
            len: 0,
        }
    }
}

impl std::fmt::Debug for DigitBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl DigitBuf {
    /// Digits from a string: every character must be a DTMF digit
    /// (lower-case a-d are taken as A-D) and there may be at most
    /// [`MAX_DIGITS`].
    pub fn parse(s: &str) -> Result<DigitBuf, String> {
        let mut d = DigitBuf::default();
        for raw in s.chars() {
            let c = raw.to_ascii_uppercase();
            if !crate::media::dtmf::ALL_DIGITS.contains(c) {
                return Err(format!("`{raw}` is not a DTMF digit (0-9, *, #, A-D)"));
            }
            if !d.push(c) {
                return Err(format!("at most {MAX_DIGITS} digits"));
            }
        }
        Ok(d)
    }

    /// Append a digit; false when full.
    pub fn push(&mut self, c: char) -> bool {
        if (self.len as usize) < MAX_DIGITS && c.is_ascii() {
            self.buf[self.len as usize] = c as u8;
            self.len += 1;
            true
        } else {
            false
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// No digits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A set of DTMF digits, one bit per digit (used for terminators).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DigitSet(pub u16);

impl DigitSet {
    fn bit(c: char) -> u16 {
        crate::media::dtmf::ALL_DIGITS
            .find(c.to_ascii_uppercase())
            .map_or(0, |i| 1 << i)
    }

    /// The set of the digits in `s`; an error names a character that is not a digit.
    pub fn parse(s: &str) -> Result<DigitSet, String> {
        let mut set = 0;
        for c in s.chars() {
            let b = Self::bit(c);
            if b == 0 {
                return Err(format!("`{c}` is not a DTMF digit (0-9, *, #, A-D)"));
            }
            set |= b;
        }
        Ok(DigitSet(set))
    }

    /// Whether `c` is in the set.
    pub fn contains(self, c: char) -> bool {
        self.0 & Self::bit(c) != 0
    }
}

/// How a digit collection runs (the IVR "get digits" primitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollectSpec {
    /// Stop after this many digits (1..=[`MAX_DIGITS`]).
    pub max_digits: u8,
    /// Digits that end the collection (not counted in the result).
    pub terminators: DigitSet,
    /// Time allowed for the first digit, ms (0: none).
    pub first_timeout_ms: u32,
    /// Time allowed between digits, ms (0: none).
    pub inter_digit_timeout_ms: u32,
    /// Digits already received on the channel (type-ahead, e.g. during a
    /// prompt) count: the buffer is not flushed when the collection starts.
    pub keep_buffer: bool,
}

/// Why a collection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectEnd {
    /// `max_digits` were received.
    MaxDigits,
    /// A terminator digit was received.
    Terminator(char),
    /// No first digit in time.
    NoInput,
    /// The inter-digit timeout ran out.
    InterDigitTimeout,
    /// Stopped by request or replaced by a new collection.
    Stopped,
}

impl CollectEnd {
    /// Name used in API events.
    pub fn name(self) -> &'static str {
        match self {
            CollectEnd::MaxDigits => "max_digits",
            CollectEnd::Terminator(_) => "terminator",
            CollectEnd::NoInput => "no_input",
            CollectEnd::InterDigitTimeout => "timeout",
            CollectEnd::Stopped => "stopped",
        }
    }
}

/// Why a play ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayEnd {
    /// Played to the end.
    Finished,
    /// A DTMF digit interrupted it (barge-in).
    BargeIn(char),
    /// Stopped by request, replaced, or the channel was reset.
    Stopped,
}

impl PlayEnd {
    /// Name used in API events.
    pub fn name(self) -> &'static str {
        match self {
            PlayEnd::Finished => "finished",
            PlayEnd::BargeIn(_) => "barge_in",
            PlayEnd::Stopped => "stopped",
        }
    }
}

/// A request to a board's media engine.
///
/// Variants differ in size (a recorder tap is a 20 ms block): boxing the big
/// ones would free memory on the board thread when a request is consumed,
/// and the bounded channel preallocates its slots anyway.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum MediaCmd {
    /// Start DTMF detection on a channel (and decoding its audio).
    Open(Chan),
    /// Stop everything on a channel: play, collect, record, tones, DTMF
    /// sending, conference membership; detection off. Sent when a call ends.
    Close(Chan),
    /// Collect digits.
    Collect {
        /// Where.
        ch: Chan,
        /// Request id, echoed in the report.
        id: u32,
        /// Parameters.
        spec: CollectSpec,
    },
    /// Stop a collection (reported as [`CollectEnd::Stopped`]).
    StopCollect(Chan),
    /// Play a playlist, replacing what plays now.
    Play {
        /// Where.
        ch: Chan,
        /// Request id, echoed in the report.
        id: u32,
        /// What to play (handed back in [`MediaEvent::PlayDone`]).
        playlist: Playlist,
        /// Loop until stopped.
        repeat: bool,
        /// A DTMF digit stops it (the digit still reaches collections).
        barge_in: bool,
    },
    /// Stop playing (reported as [`PlayEnd::Stopped`]).
    StopPlay(Chan),
    /// A conference or bridge change.
    Conf(super::ConfCmd),
    /// Send a call-progress tone of the span's tone plan.
    Tone {
        /// Where.
        ch: Chan,
        /// Request id, echoed in the report.
        id: u32,
        /// Which tone.
        kind: crate::media::tones::ToneKind,
        /// Stop after this long, ms (0: when the tone ends by itself, never
        /// for continuous or repeating tones).
        max_ms: u32,
    },
    /// Stop the tone.
    StopTone(Chan),
    /// Turn call-progress and fax tone detection on or off.
    DetectProgress {
        /// Where.
        ch: Chan,
        /// On or off.
        on: bool,
    },
    /// Record the channel. The writer thread already has the `Open`.
    Record {
        /// Where.
        ch: Chan,
        /// The hot-path side of the recording (its id is the request id).
        tap: RecorderTap,
        /// DTMF digits that end the recording.
        terminators: DigitSet,
    },
    /// Stop recording (reported with [`StopReason::Stopped`]).
    StopRecord(Chan),
    /// Send DTMF digits (ITU-T Q.23) on the channel.
    SendDtmf {
        /// Where.
        ch: Chan,
        /// Request id, echoed in the report.
        id: u32,
        /// Digits.
        digits: DigitBuf,
        /// Levels and timing.
        cfg: DtmfGenConfig,
    },
}

/// A report from a board's media engine. Channels are named by global span
/// number and timeslot.
///
/// Built on the board thread, so the large variants are not boxed: that
/// would allocate there.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum MediaEvent {
    /// A DTMF digit started on the channel.
    Digit {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// The digit.
        digit: char,
    },
    /// A DTMF digit ended.
    DigitEnd {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// The digit.
        digit: char,
        /// Its duration (whole detector blocks), ms.
        duration_ms: u32,
    },
    /// A digit collection ended.
    CollectDone {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// Request id.
        id: u32,
        /// Digits collected (terminator excluded).
        digits: DigitBuf,
        /// Why it ended.
        reason: CollectEnd,
    },
    /// A play ended.
    PlayDone {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// Request id.
        id: u32,
        /// Why.
        reason: PlayEnd,
        /// How much was played, ms.
        played_ms: u64,
        /// The playlist, handed back to be dropped off the board thread.
        playlist: Option<Playlist>,
    },
    /// A recording stopped taking audio (the writer reports the file).
    RecordStopped {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// Request id.
        id: u32,
        /// Why.
        reason: StopReason,
        /// Recorded, ms.
        duration_ms: u64,
        /// Blocks lost because the writer fell behind.
        dropped_blocks: u64,
    },
    /// A tone ended.
    ToneDone {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// Request id.
        id: u32,
        /// Cut short (stopped, replaced, channel closed) rather than run its course.
        stopped: bool,
    },
    /// A call-progress or fax tone was recognised on the channel.
    ToneDetected {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// Which.
        tone: crate::media::tones::CpTone,
    },
    /// A conference change was refused (the control side's view is stale).
    ConfFailed {
        /// Why.
        error: crate::media::mixer::MixError,
    },
    /// A remote leg taken off a pseudo-channel, to be dropped off the board thread.
    LegReleased(Box<crate::media::mixer::RemoteLeg>),
    /// All digits of a DTMF send went out.
    DtmfSent {
        /// Global span number.
        span: u32,
        /// Timeslot.
        ts: u8,
        /// Request id.
        id: u32,
        /// Whether it was cut short (channel closed or a new send).
        stopped: bool,
    },
}
