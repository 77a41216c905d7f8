//! Bridging and conference mixing on the board thread.
//!
//! Every 1 ms tick the engine hands the mixer the audio received from each
//! channel's line (`rx`, [`FRAME`] linear samples per channel) and the
//! buffers to transmit on each line (`tx`); both arrays are indexed by the
//! engine's channel index and owned by the engine. A [`Conference`] decides,
//! for each member, which other members it hears and writes their sum into
//! its `tx` slot. A bridge between two lines is simply a two-party
//! conference, which passes audio bit-exactly in both directions.
//!
//! * [`Conference`]: up to [`MAX_PARTIES`] members with a [`Role`] (talker,
//!   listen-only supervisor, whispering coach), mute, deaf and gain, mixed in
//!   O(n) per sample.
//! * [`ConferencePool`]: a fixed number of conferences allocated once, with
//!   generation-checked [`ConfId`]s and the rule that a channel is in at most
//!   one conference.
//! * [`RemoteLeg`]: a bounded, allocation-free audio pipe between two board
//!   threads, so a conference can include a channel of another board.
//!
//! Samples are linear 16-bit on the G.711 scale (see
//! [`crate::media::g711`]); a 0 dBm0 sine peaks at
//! [`crate::media::dtmf::DBM0_PEAK`]. Nothing here allocates, locks or does
//! I/O after construction, and no input makes it panic.

mod conference;
mod pool;
mod remote;
#[cfg(test)]
mod tests;

pub use conference::{Conference, Party, MAX_GAIN_DB, MIN_GAIN_DB};
pub use pool::{ConfId, ConferencePool};
pub use remote::{remote_pair, RemoteLeg, MIN_REMOTE_CAPACITY, REMOTE_PRIME_FRAMES};

/// Most members one conference can hold.
pub const MAX_PARTIES: usize = 64;

/// Samples per channel per 1 ms tick at 8 kHz.
pub const FRAME: usize = 8;

/// What a conference member hears and who hears it.
///
/// The rule applied by [`Conference::mix`]: member P hears member Q when
/// Q is not P, P is not deaf, Q is not muted, and Q is a [`Role::Talker`] or
/// a [`Role::Whisper`] whose target is P. A barge-in is a `Listen` or
/// `Whisper` member switched to `Talker` with [`Conference::set_role`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Role {
    /// A normal party: hears every other talker and is heard by everyone.
    #[default]
    Talker,
    /// Silent monitor (supervisor listen): hears every talker, is heard by
    /// no one.
    Listen,
    /// Coach (supervisor whisper): hears every talker, is heard only by
    /// the member on channel `to` (typically the agent, not the caller).
    Whisper {
        /// Channel index of the only member that hears this one.
        to: usize,
    },
}

/// Errors from conference and pool operations. An operation that returns
/// an error changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MixError {
    /// The conference already has [`MAX_PARTIES`] members.
    #[error("conference full ({MAX_PARTIES} parties)")]
    ConferenceFull,
    /// The channel is already a member of this conference.
    #[error("channel {0} is already a member")]
    AlreadyMember(usize),
    /// The channel is not a member of this conference.
    #[error("channel {0} is not a member")]
    NotMember(usize),
    /// A whisper names a target channel that is not a member.
    #[error("whisper target channel {0} is not a member")]
    WhisperTargetNotMember(usize),
    /// A member cannot whisper to itself.
    #[error("channel {0} cannot whisper to itself")]
    WhisperToSelf(usize),
    /// A gain outside [`MIN_GAIN_DB`]..=[`MAX_GAIN_DB`] (or NaN).
    #[error("gain out of range ({MIN_GAIN_DB}..={MAX_GAIN_DB} dB)")]
    InvalidGain,
    /// Every conference of the pool is in use.
    #[error("no free conference in the pool")]
    PoolFull,
    /// The id names no live conference (never created, removed, or from
    /// before the slot was reused).
    #[error("no such conference {0}")]
    NoSuchConference(ConfId),
    /// The channel is already in another conference of the pool.
    #[error("channel {0} is already in conference {1}")]
    InOtherConference(usize, ConfId),
}
