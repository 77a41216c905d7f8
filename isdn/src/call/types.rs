//! Public types of the call layer: configuration, requests, events.

use core::fmt;

use crate::lapd::{LinkConfig, Role};

/// Which specification the interface follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// ETSI EN 300 403 (EuroISDN), normally on E1 (30B+D).
    Etsi,
    /// Telcordia NI-2 (National ISDN 2), normally on T1 (23B+D).
    Ni2,
}

impl Variant {
    /// Configuration name: `etsi` or `ni2`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Etsi => "etsi",
            Variant::Ni2 => "ni2",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// G.711 companding law, as coded in bearer capability octet 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// Recommendation G.711 A-law (layer 1 protocol 3).
    ALaw,
    /// Recommendation G.711 mu-law (layer 1 protocol 2).
    MuLaw,
}

impl Law {
    /// User information layer 1 protocol code.
    pub fn layer1(self) -> u8 {
        match self {
            Law::ALaw => 3,
            Law::MuLaw => 2,
        }
    }
}

/// Q.931 timers in board milliseconds (names as in Q.931 tables 9-1 / 9-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// T301: ALERTING received, waiting for CONNECT (minimum 3 minutes).
    pub t301: u64,
    /// T302: SETUP ACKNOWLEDGE sent, waiting for more INFORMATION.
    pub t302: u64,
    /// T303: SETUP sent, waiting for the first response.
    pub t303: u64,
    /// T304: SETUP ACKNOWLEDGE received, overlap sending.
    pub t304: u64,
    /// T305: DISCONNECT sent, waiting for RELEASE or DISCONNECT.
    pub t305: u64,
    /// T308: RELEASE sent, waiting for RELEASE COMPLETE.
    pub t308: u64,
    /// T309: data link failed; how long active calls are kept.
    pub t309: u64,
    /// T310: CALL PROCEEDING received, waiting for ALERTING/CONNECT.
    pub t310: u64,
    /// T313: CONNECT sent (user side), waiting for CONNECT ACKNOWLEDGE.
    pub t313: u64,
    /// T316: RESTART sent, waiting for RESTART ACKNOWLEDGE.
    pub t316: u64,
    /// T322: STATUS ENQUIRY sent, waiting for STATUS.
    pub t322: u64,
}

impl Timers {
    /// Default values of the variant.
    pub fn for_variant(variant: Variant) -> Timers {
        let etsi = Timers {
            t301: 180_000,
            t302: 15_000,
            t303: 4_000,
            t304: 30_000,
            t305: 30_000,
            t308: 4_000,
            t309: 6_000,
            t310: 30_000,
            t313: 4_000,
            t316: 120_000,
            t322: 4_000,
        };
        match variant {
            Variant::Etsi => etsi,
            // Telcordia GR-2865 values: a longer T309, a shorter T310.
            Variant::Ni2 => Timers {
                t309: 90_000,
                t310: 10_000,
                ..etsi
            },
        }
    }
}

/// Configuration of one PRI D-channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriConfig {
    /// User side (`pri-cpe`) or network side (`pri-net`).
    pub role: Role,
    /// Protocol variant.
    pub variant: Variant,
    /// `true` for T1 (B-channels 1..=23), `false` for E1 (1..=15, 17..=31).
    pub t1: bool,
    /// Q.931 timers.
    pub timers: Timers,
    /// Q.921 parameters.
    pub link: LinkConfig,
    /// Send RESTART for the whole interface when the data link first comes up.
    pub restart_at_startup: bool,
    /// Ask for the B-channel exclusively in outgoing SETUPs (otherwise preferred).
    pub exclusive: bool,
    /// Bearer law put into outgoing SETUPs.
    pub law: Law,
    /// Accept overlap receiving: a SETUP without sending complete gets a
    /// SETUP ACKNOWLEDGE and digits are collected until sending complete or
    /// T302. When `false`, every SETUP is treated as en-bloc.
    pub overlap_receive: bool,
    /// Maximum simultaneous calls (call references) kept, including calls
    /// being cleared.
    pub max_calls: usize,
}

impl PriConfig {
    /// Defaults for a role and variant: E1 for ETSI, T1 for NI-2.
    pub fn new(role: Role, variant: Variant) -> PriConfig {
        let t1 = variant == Variant::Ni2;
        PriConfig {
            role,
            variant,
            t1,
            timers: Timers::for_variant(variant),
            link: LinkConfig::default(),
            restart_at_startup: true,
            exclusive: role == Role::Network,
            law: if t1 { Law::MuLaw } else { Law::ALaw },
            overlap_receive: variant == Variant::Etsi,
            max_calls: 64,
        }
    }

    /// Whether `channel` is a B-channel of this interface.
    pub fn is_b_channel(&self, channel: u8) -> bool {
        if self.t1 {
            (1..=23).contains(&channel)
        } else {
            (1..=31).contains(&channel) && channel != 16
        }
    }

    /// All B-channel numbers, ascending.
    pub fn b_channels(&self) -> impl Iterator<Item = u8> + '_ {
        (1..=31u8).filter(|&c| self.is_b_channel(c))
    }
}

/// Identifies one call of a [`Pri`](super::Pri) (not the call reference,
/// which is reused; this is unique for the lifetime of the `Pri`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u32);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Maximum number of digits kept in a [`Digits`].
pub const MAX_DIGITS: usize = 32;

/// A short IA5 string (digits of a number or display text) of at most
/// [`MAX_DIGITS`] octets, stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Digits {
    len: u8,
    buf: [u8; MAX_DIGITS],
}

impl Digits {
    /// Empty string.
    pub const fn new() -> Digits {
        Digits {
            len: 0,
            buf: [0; MAX_DIGITS],
        }
    }

    /// Copy `s`; `None` if longer than [`MAX_DIGITS`].
    pub fn from_bytes(s: &[u8]) -> Option<Digits> {
        let mut d = Digits::new();
        d.push_bytes(s).then_some(d)
    }

    /// A dialable number: `0-9 * #` only, at most [`MAX_DIGITS`].
    pub fn dialable(s: &str) -> Option<Digits> {
        let ok = s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#');
        if ok {
            Digits::from_bytes(s.as_bytes())
        } else {
            None
        }
    }

    /// Append; returns `false` (and appends nothing) if it would not fit.
    pub fn push_bytes(&mut self, s: &[u8]) -> bool {
        let at = usize::from(self.len);
        let Some(dst) = self.buf.get_mut(at..at + s.len()) else {
            return false;
        };
        dst.copy_from_slice(s);
        self.len += s.len() as u8;
        true
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// The text; octets outside printable ASCII shown as `?`.
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        let b = self.as_bytes();
        if b.iter().all(|c| c.is_ascii_graphic() || *c == b' ') {
            String::from_utf8_lossy(b)
        } else {
            b.iter()
                .map(|&c| {
                    if c.is_ascii_graphic() || c == b' ' {
                        char::from(c)
                    } else {
                        '?'
                    }
                })
                .collect::<String>()
                .into()
        }
    }

    /// Number of octets.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// A party number with its Q.931 octet 3 / 3a fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Number {
    /// Type of number (0 unknown, 1 international, 2 national, 3 network
    /// specific, 4 subscriber, 6 abbreviated).
    pub type_of_number: u8,
    /// Numbering plan (0 unknown, 1 ISDN/E.164, 9 private).
    pub numbering_plan: u8,
    /// Presentation indicator (0 allowed, 1 restricted, 2 not available);
    /// calling/connected numbers only.
    pub presentation: u8,
    /// Screening indicator (0 user provided not screened, 1 passed, 2
    /// failed, 3 network provided); calling/connected numbers only.
    pub screening: u8,
    /// The digits.
    pub digits: Digits,
}

impl Number {
    /// E.164 number of unknown type, presentation allowed, user provided.
    pub fn e164(digits: Digits) -> Number {
        Number {
            type_of_number: 0,
            numbering_plan: 1,
            presentation: 0,
            screening: 0,
            digits,
        }
    }
}

/// Bearer capability of an incoming call, reduced to what a voice
/// platform needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bearer {
    /// Information transfer capability (0 speech, 8 unrestricted digital,
    /// 0x10 3.1 kHz audio).
    pub transfer_capability: u8,
    /// User information layer 1 protocol if given (2 mu-law, 3 A-law).
    pub layer1: Option<u8>,
}

/// An outgoing call request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupRequest {
    /// Called party number (may be empty for overlap sending).
    pub called: Number,
    /// Calling party number, if any.
    pub calling: Option<Number>,
    /// Calling party name sent in a display IE, if any.
    pub display: Option<Digits>,
    /// A specific B-channel; `None` lets the stack pick a free one.
    pub channel: Option<u8>,
    /// Whether the called number is complete (en-bloc, sending complete).
    /// `false` starts overlap sending: more digits with [`Pri::information`].
    ///
    /// [`Pri::information`]: super::Pri::information
    pub complete: bool,
}

impl SetupRequest {
    /// En-bloc call to `called` from `calling`.
    pub fn new(called: Digits, calling: Option<Digits>) -> SetupRequest {
        SetupRequest {
            called: Number::e164(called),
            calling: calling.map(Number::e164),
            display: None,
            channel: None,
            complete: true,
        }
    }
}

/// Who ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClearedBy {
    /// The far end cleared (DISCONNECT, RELEASE, RELEASE COMPLETE, RESTART).
    Remote,
    /// Our side cleared (a hangup request).
    Local,
    /// A protocol timer expired or the data link was lost (T303, T308, T309 ...).
    Timer,
    /// The far end violated the protocol and the call was cleared (5.8).
    Protocol,
}

impl ClearedBy {
    /// Short name: `remote`, `local`, `timer`, `protocol`.
    pub fn name(self) -> &'static str {
        match self {
            ClearedBy::Remote => "remote",
            ClearedBy::Local => "local",
            ClearedBy::Timer => "timer",
            ClearedBy::Protocol => "protocol",
        }
    }
}

/// Q.931 call states (clause 2). The numbers are the same on both sides;
/// the names are the clause 2 names, read from the user's point of view
/// ("outgoing" means user to network).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// 0: no call.
    Null,
    /// 1: user has sent SETUP.
    CallInitiated,
    /// 2: overlap sending by the user.
    OverlapSending,
    /// 3: outgoing call proceeding.
    OutgoingCallProceeding,
    /// 4: call delivered (ALERTING seen for an outgoing call).
    CallDelivered,
    /// 6: network has sent SETUP.
    CallPresent,
    /// 7: call received (user has sent ALERTING).
    CallReceived,
    /// 8: connect request (user has sent CONNECT).
    ConnectRequest,
    /// 9: incoming call proceeding.
    IncomingCallProceeding,
    /// 10: active.
    Active,
    /// 11: disconnect request (the user cleared).
    DisconnectRequest,
    /// 12: disconnect indication (the network cleared).
    DisconnectIndication,
    /// 19: release request (RELEASE sent).
    ReleaseRequest,
    /// 25: overlap receiving by the user.
    OverlapReceiving,
}

impl State {
    /// The clause 2 state number, as coded in the call state IE.
    pub fn number(self) -> u8 {
        match self {
            State::Null => 0,
            State::CallInitiated => 1,
            State::OverlapSending => 2,
            State::OutgoingCallProceeding => 3,
            State::CallDelivered => 4,
            State::CallPresent => 6,
            State::CallReceived => 7,
            State::ConnectRequest => 8,
            State::IncomingCallProceeding => 9,
            State::Active => 10,
            State::DisconnectRequest => 11,
            State::DisconnectIndication => 12,
            State::ReleaseRequest => 19,
            State::OverlapReceiving => 25,
        }
    }

    /// Lower-case clause 2 name.
    pub fn name(self) -> &'static str {
        match self {
            State::Null => "null",
            State::CallInitiated => "call initiated",
            State::OverlapSending => "overlap sending",
            State::OutgoingCallProceeding => "outgoing call proceeding",
            State::CallDelivered => "call delivered",
            State::CallPresent => "call present",
            State::CallReceived => "call received",
            State::ConnectRequest => "connect request",
            State::IncomingCallProceeding => "incoming call proceeding",
            State::Active => "active",
            State::DisconnectRequest => "disconnect request",
            State::DisconnectIndication => "disconnect indication",
            State::ReleaseRequest => "release request",
            State::OverlapReceiving => "overlap receiving",
        }
    }
}

/// A snapshot of one call, for status displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallInfo {
    /// Call identity.
    pub id: CallId,
    /// Call reference value (15 bits).
    pub call_ref: u16,
    /// Whether this side sent the SETUP.
    pub outgoing: bool,
    /// Q.931 state.
    pub state: State,
    /// B-channel, once known.
    pub channel: Option<u8>,
    /// Called party number (digits so far while overlap receiving).
    pub called: Number,
    /// Calling party number.
    pub calling: Option<Number>,
    /// Whether T309 is running (the data link is down and the call is kept).
    pub link_lost: bool,
}

/// Indications from a [`Pri`](super::Pri) to the call-control user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriEvent {
    /// The data link is established (DL-ESTABLISH indication/confirm).
    LinkUp,
    /// The data link was released or failed.
    LinkDown,
    /// A SETUP arrived and a B-channel was reserved. When `complete` is
    /// false the number may grow ([`PriEvent::Digits`]); answer only after a
    /// `Digits` event with `complete`.
    IncomingCall {
        /// New call.
        call: CallId,
        /// Reserved B-channel.
        channel: u8,
        /// Called party number (DNIS), as far as received.
        called: Number,
        /// Calling party number (ANI), if sent.
        calling: Option<Number>,
        /// Display text (NI-2 calling name), if sent.
        display: Option<Digits>,
        /// Bearer capability.
        bearer: Bearer,
        /// Whether the called number is complete.
        complete: bool,
    },
    /// Overlap receiving: the called number grew or is now complete
    /// (sending complete, or T302 expired).
    Digits {
        /// The call.
        call: CallId,
        /// The whole called number so far.
        called: Number,
        /// Whether no more digits will come.
        complete: bool,
    },
    /// SETUP ACKNOWLEDGE: the far end wants more digits ([`Pri::information`]).
    ///
    /// [`Pri::information`]: super::Pri::information
    MoreDigitsWanted {
        /// The call.
        call: CallId,
    },
    /// CALL PROCEEDING for an outgoing call; `channel` is the B-channel now in use.
    Proceeding {
        /// The call.
        call: CallId,
        /// B-channel.
        channel: u8,
    },
    /// ALERTING for an outgoing call.
    Alerting {
        /// The call.
        call: CallId,
        /// B-channel.
        channel: u8,
        /// Whether in-band information (ringback) is available (progress 1 or 8).
        inband: bool,
    },
    /// PROGRESS for an outgoing call.
    Progress {
        /// The call.
        call: CallId,
        /// Progress description (Q.931 table 4-20).
        description: u8,
    },
    /// CONNECT for an outgoing call: answered.
    Answered {
        /// The call.
        call: CallId,
        /// B-channel.
        channel: u8,
    },
    /// An incoming call we answered is active (CONNECT ACKNOWLEDGE received,
    /// or CONNECT sent on the network side).
    Connected {
        /// The call.
        call: CallId,
    },
    /// The call has ended and its B-channel is free again.
    Cleared {
        /// The call.
        call: CallId,
        /// B-channel it had, if any.
        channel: Option<u8>,
        /// Q.850 cause value.
        cause: u8,
        /// Who ended it.
        by: ClearedBy,
    },
    /// B-channels were restarted (`None`: the whole interface), either by a
    /// RESTART from the far end or by the RESTART ACKNOWLEDGE of ours.
    Restarted {
        /// The channel, or `None` for all.
        channel: Option<u8>,
        /// Whether the far end asked for it.
        remote: bool,
    },
    /// A protocol error was detected and answered as clause 5.8 prescribes
    /// (the answer, if any, is already queued).
    ProtocolError {
        /// The call concerned, if any.
        call: Option<CallId>,
        /// Message type code received.
        message: u8,
        /// Cause sent or that would describe the error (81, 96, 97, 98, 99, 100, 101 ...).
        cause: u8,
    },
    /// A STATUS from the far end reported an error cause for a call.
    StatusReceived {
        /// The call, if known.
        call: Option<CallId>,
        /// Cause value in the STATUS.
        cause: u8,
        /// Far end's call state.
        state: u8,
    },
}

/// Why a request was refused. Nothing changed when one is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriError {
    /// The data link is not established.
    LinkDown,
    /// No such call (never existed, or already cleared).
    NoSuchCall,
    /// The request is not valid in the call's state.
    WrongState(State),
    /// No free B-channel.
    NoChannel,
    /// The requested B-channel does not exist on this interface.
    BadChannel(u8),
    /// The requested B-channel is busy.
    ChannelBusy(u8),
    /// The call table is full.
    TooManyCalls,
    /// A cause value outside 1..=127.
    BadCause(u8),
    /// The message did not fit or the link queue is full.
    Overflow,
}

impl fmt::Display for PriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriError::LinkDown => f.write_str("D-channel data link is down"),
            PriError::NoSuchCall => f.write_str("no such call"),
            PriError::WrongState(s) => {
                write!(f, "not allowed in call state {} ({})", s.number(), s.name())
            }
            PriError::NoChannel => f.write_str("no B-channel free"),
            PriError::BadChannel(c) => write!(f, "B-channel {c} does not exist on this span"),
            PriError::ChannelBusy(c) => write!(f, "B-channel {c} is busy"),
            PriError::TooManyCalls => f.write_str("too many calls"),
            PriError::BadCause(c) => write!(f, "cause {c} is not a Q.850 cause value (1..127)"),
            PriError::Overflow => f.write_str("message too long or D-channel queue full"),
        }
    }
}

impl std::error::Error for PriError {}

/// Counters of a [`Pri`](super::Pri).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriStats {
    /// Q.931 messages received (in I frames).
    pub rx_messages: u64,
    /// Q.931 messages sent.
    pub tx_messages: u64,
    /// Incoming calls offered (SETUP accepted).
    pub calls_in: u64,
    /// Outgoing calls set up.
    pub calls_out: u64,
    /// Protocol errors detected (clause 5.8).
    pub protocol_errors: u64,
    /// Messages ignored (bad protocol discriminator, too short, bad call reference).
    pub ignored: u64,
    /// SETUPs refused for lack of a channel or call slot.
    pub congestion: u64,
    /// Events dropped because the event queue was full.
    pub events_dropped: u64,
}
