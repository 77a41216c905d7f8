//! Public types used by [`Link`](super::Link): roles, configuration, events, statistics.

use core::fmt;

/// Which side of the user-network interface this link entity is.
///
/// Determines the C/R bit (Q.921 §3.3.2): the network side sends commands
/// with C/R = 1 and responses with C/R = 0; the user side the opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// User side (TE / CPE).
    User,
    /// Network side (NT / exchange).
    Network,
}

impl Role {
    /// The C/R bit value this role puts into a command (`true`) or response (`false`).
    pub fn cr_bit(self, command: bool) -> bool {
        match self {
            Role::Network => command,
            Role::User => !command,
        }
    }

    /// Whether a received frame with C/R bit `cr` is a command from the peer.
    pub fn rx_is_command(self, cr: bool) -> bool {
        // The peer has the opposite role.
        match self {
            Role::Network => !cr,
            Role::User => cr,
        }
    }
}

/// Data-link layer parameters (Q.921 §5.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkConfig {
    /// k: maximum number of outstanding I frames, 1..=127 (default 7).
    pub k: u8,
    /// T200: retransmission timer in milliseconds (default 1000).
    pub t200: u64,
    /// N200: maximum number of retransmissions (default 3).
    pub n200: u8,
    /// T203: maximum time without frame exchange in milliseconds (default 10000).
    pub t203: u64,
    /// N201: maximum information field length in octets (default and maximum 260).
    pub n201: usize,
    /// Maximum number of DL-DATA-REQUEST messages waiting for transmission (default 64).
    pub max_queue: usize,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            k: 7,
            t200: 1000,
            n200: 3,
            t203: 10_000,
            n201: super::N201,
            max_queue: 64,
        }
    }
}

/// Data-link states of Q.921 Annex B (the TEI is assumed assigned, as on PRI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// State 4: TEI assigned, no multiple-frame operation.
    TeiAssigned,
    /// State 5: SABME sent, awaiting UA.
    AwaitingEstablishment,
    /// State 6: DISC sent, awaiting UA.
    AwaitingRelease,
    /// State 7: multiple-frame operation established.
    MultipleFrameEstablished,
    /// State 8: timer recovery (enquiring after T200 expiry).
    TimerRecovery,
}

impl LinkState {
    /// The state number used in Q.921 SDL diagrams (4..=8).
    pub fn number(self) -> u8 {
        match self {
            LinkState::TeiAssigned => 4,
            LinkState::AwaitingEstablishment => 5,
            LinkState::AwaitingRelease => 6,
            LinkState::MultipleFrameEstablished => 7,
            LinkState::TimerRecovery => 8,
        }
    }
}

/// Indications to layer 3 / management produced by a [`Link`](super::Link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// DL-ESTABLISH-INDICATION: the peer established (or re-established) the link.
    DlEstablishIndication,
    /// DL-ESTABLISH-CONFIRM: our establishment request succeeded.
    DlEstablishConfirm,
    /// DL-RELEASE-INDICATION: the link was released by the peer or by failure.
    DlReleaseIndication,
    /// DL-RELEASE-CONFIRM: our release request completed.
    DlReleaseConfirm,
    /// DL-DATA-INDICATION: an in-sequence I frame's information field.
    DlData(Vec<u8>),
    /// DL-UNIT-DATA-INDICATION: a UI frame's information field.
    DlUnitData(Vec<u8>),
    /// MDL-ERROR-INDICATION with the error code of Q.921 Table II.1 ('A'..='O').
    MdlError(char),
}

/// Errors returned by data-link requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// The message exceeds N201 octets.
    TooLong,
    /// The transmit queue is full.
    QueueFull,
    /// Multiple-frame operation is not established (nor being established).
    NotEstablished,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkError::TooLong => "message longer than N201",
            LinkError::QueueFull => "transmit queue full",
            LinkError::NotEstablished => "data link not established",
        })
    }
}

impl std::error::Error for LinkError {}

/// Counters kept by a [`Link`](super::Link).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Frames handed to `handle_frame`.
    pub rx_frames: u64,
    /// Received frames that failed to parse.
    pub rx_malformed: u64,
    /// Well-formed frames ignored (wrong address, wrong C/R, not valid in the state).
    pub rx_ignored: u64,
    /// Frames returned by `poll_transmit`.
    pub tx_frames: u64,
    /// New I frames transmitted.
    pub tx_i_frames: u64,
    /// I frames retransmitted.
    pub tx_i_retransmitted: u64,
    /// In-sequence I frames delivered to layer 3.
    pub rx_i_frames: u64,
    /// REJ frames sent.
    pub tx_rej: u64,
    /// T200 expiries.
    pub t200_expiries: u64,
    /// T203 expiries.
    pub t203_expiries: u64,
    /// MDL-ERROR indications raised.
    pub mdl_errors: u64,
}
