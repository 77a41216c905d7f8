//! Public types used by [`Link`](super::Link): roles, configuration, events,
//! statistics, and the fixed-capacity information field [`Info`].

use core::fmt;
use core::ops::Deref;

use super::frame::N201;

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
    /// Maximum number of DL-DATA-REQUEST messages waiting for transmission,
    /// and separately of DL-UNIT-DATA-REQUEST messages (default 64, clamped
    /// to 1..=1024). The storage for both queues is allocated by
    /// [`Link::new`](super::Link::new) and never grows.
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

/// An information field of at most N201 (260) octets, stored inline.
///
/// Used for DL-DATA / DL-UNIT-DATA indications so that receiving a frame
/// never allocates. Dereferences to `[u8]`, so `&info[..]`, `info.len()`,
/// `info.to_vec()` and passing `&info` where a `&[u8]` is expected all work.
#[derive(Clone)]
pub struct Info {
    len: u16,
    buf: [u8; N201],
}

impl Info {
    /// Maximum number of octets an `Info` holds (N201).
    pub const CAPACITY: usize = N201;

    /// An empty information field.
    pub const fn new() -> Self {
        Info {
            len: 0,
            buf: [0; N201],
        }
    }

    /// Copy `data` into a new `Info`; `None` if it is longer than N201 octets.
    pub fn from_slice(data: &[u8]) -> Option<Self> {
        let mut info = Info::new();
        info.set(data).then_some(info)
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// Replace the contents with `data` (in place); `false` (and unchanged) if too long.
    pub(crate) fn set(&mut self, data: &[u8]) -> bool {
        let Some(dst) = self.buf.get_mut(..data.len()) else {
            return false;
        };
        dst.copy_from_slice(data);
        // data.len() <= N201 < u16::MAX
        self.len = data.len() as u16;
        true
    }
}

impl Default for Info {
    fn default() -> Self {
        Info::new()
    }
}

impl Deref for Info {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Info {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl TryFrom<&[u8]> for Info {
    type Error = LinkError;

    fn try_from(data: &[u8]) -> Result<Self, LinkError> {
        Info::from_slice(data).ok_or(LinkError::TooLong)
    }
}

impl PartialEq for Info {
    fn eq(&self, other: &Info) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Info {}

impl PartialEq<[u8]> for Info {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for Info {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl core::hash::Hash for Info {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for Info {
    /// Hex octets, e.g. `Info(08 02 00 01 05)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Info(")?;
        for (i, b) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// Indications to layer 3 / management produced by a [`Link`](super::Link).
///
/// Events are queued in fixed storage (64 entries) and must be drained with
/// [`Link::poll_event`](super::Link::poll_event) after every input. Should
/// the caller fall that far behind, in-sequence I frames are not accepted
/// (the peer retransmits them later, as when the receiver is busy), UI frames
/// are discarded and other indications are dropped; each case counts in
/// [`LinkStats::event_overflows`].
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
    DlData(Info),
    /// DL-UNIT-DATA-INDICATION: the information field of a UI command
    /// addressed to this link's TEI or to the broadcast TEI 127.
    DlUnitData(Info),
    /// MDL-ERROR-INDICATION with the error code of Q.921 Appendix II, Table II.1:
    ///
    /// * `A` supervisory response F=1 unsolicited, `B` DM F=1 unsolicited,
    ///   `C` UA F=1 unsolicited, `D` UA F=0 unsolicited;
    /// * `E` DM F=0 (peer-initiated re-establishment), `F` SABME
    ///   (peer-initiated re-establishment);
    /// * `G` SABME unanswered N200+1 times, `H` DISC unanswered N200+1
    ///   times, `I` status enquiry unanswered N200+1 times;
    /// * `J` N(R) sequence error, `K` FRMR received;
    /// * `L` undefined control field, `M` information field not permitted,
    ///   `N` frame of wrong size, `O` information field longer than N201.
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
    /// Received frames the event queue had no room for (I frames left for
    /// the peer to retransmit, UI frames discarded) and indications dropped
    /// because the caller did not drain [`Link::poll_event`](super::Link::poll_event).
    pub event_overflows: u64,
    /// Supervisory / unnumbered frames not queued because the transmit queue
    /// was full (the caller did not drain `poll_transmit`); the protocol
    /// recovers them as lost frames.
    pub tx_dropped: u64,
}
