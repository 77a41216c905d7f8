//! Allocation-free encoding and decoding of the Q.931 messages the call
//! layer sends and acts on. (The general-purpose, exact round-trip wire
//! format is [`crate::q931`]; this is the hot path.)

use super::types::{Bearer, Digits, Number};
use crate::q931::{ie_id, ie_name, IeIter, MessageType, PROTOCOL_DISCRIMINATOR};

/// Largest Q.931 message we build (fits an N201 I frame).
pub(crate) const MAX_MESSAGE: usize = 260;

/// Builds one message into a fixed buffer. Writes past the end are
/// truncated and flagged; [`Writer::finish`] then returns `None`.
pub(crate) struct Writer {
    buf: [u8; MAX_MESSAGE],
    len: usize,
    overflow: bool,
}

impl Writer {
    /// Header with a 2-octet call reference (PRI). `flag` is the call
    /// reference flag; `cref` 0 with flag false is the global call reference.
    pub(crate) fn new(cref: u16, flag: bool, msg: MessageType) -> Writer {
        let mut w = Writer {
            buf: [0; MAX_MESSAGE],
            len: 0,
            overflow: false,
        };
        let [hi, lo] = cref.to_be_bytes();
        w.put(&[
            PROTOCOL_DISCRIMINATOR,
            2,
            (hi & 0x7f) | if flag { 0x80 } else { 0 },
            lo,
            u8::from(msg),
        ]);
        w
    }

    fn put(&mut self, bytes: &[u8]) {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.overflow = true,
        }
    }

    /// A variable-length IE from parts (identifier, then contents).
    fn ie(&mut self, id: u8, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let Ok(len8) = u8::try_from(len) else {
            self.overflow = true;
            return;
        };
        self.put(&[id, len8]);
        for p in parts {
            self.put(p);
        }
    }

    /// Bearer capability: speech, circuit mode, 64 kbit/s, G.711 `layer1`.
    pub(crate) fn bearer_speech(&mut self, layer1: u8) {
        self.ie(ie_id::BEARER_CAPABILITY, &[&[0x80, 0x90, 0xa0 | layer1]]);
    }

    /// Channel identification: one B-channel of the implicit PRI interface.
    pub(crate) fn channel_id(&mut self, channel: u8, exclusive: bool) {
        let o3 = 0xa1 | if exclusive { 0x08 } else { 0 };
        self.ie(ie_id::CHANNEL_ID, &[&[o3, 0x83, 0x80 | channel]]);
    }

    /// Cause IE with the given location (0 user, 2 public network local user).
    pub(crate) fn cause(&mut self, location: u8, value: u8) {
        self.ie(ie_id::CAUSE, &[&[0x80 | location, 0x80 | value]]);
    }

    /// Cause IE with a diagnostic (e.g. the IE identifier for causes 96, 99, 100).
    pub(crate) fn cause_diag(&mut self, location: u8, value: u8, diag: u8) {
        self.ie(ie_id::CAUSE, &[&[0x80 | location, 0x80 | value, diag]]);
    }

    /// Call state IE.
    pub(crate) fn call_state(&mut self, state: u8) {
        self.ie(ie_id::CALL_STATE, &[&[state & 0x3f]]);
    }

    /// Progress indicator (ITU-T coding).
    pub(crate) fn progress(&mut self, location: u8, description: u8) {
        self.ie(
            ie_id::PROGRESS_INDICATOR,
            &[&[0x80 | location, 0x80 | description]],
        );
    }

    /// Calling / connected party number (with octet 3a).
    pub(crate) fn number_3a(&mut self, id: u8, n: &Number) {
        let o3 = (n.type_of_number & 7) << 4 | (n.numbering_plan & 0x0f);
        let o3a = 0x80 | (n.presentation & 3) << 5 | (n.screening & 3);
        self.ie(id, &[&[o3, o3a], n.digits.as_bytes()]);
    }

    /// Called party number (no octet 3a).
    pub(crate) fn called(&mut self, n: &Number) {
        let o3 = 0x80 | (n.type_of_number & 7) << 4 | (n.numbering_plan & 0x0f);
        self.ie(ie_id::CALLED_PARTY_NUMBER, &[&[o3], n.digits.as_bytes()]);
    }

    /// Display IE.
    pub(crate) fn display(&mut self, text: &Digits) {
        self.ie(ie_id::DISPLAY, &[text.as_bytes()]);
    }

    /// Sending complete (single octet).
    pub(crate) fn sending_complete(&mut self) {
        self.put(&[ie_id::SENDING_COMPLETE]);
    }

    /// Restart indicator.
    pub(crate) fn restart_indicator(&mut self, class: u8) {
        self.ie(ie_id::RESTART_INDICATOR, &[&[0x80 | (class & 7)]]);
    }

    /// The encoded message, or `None` if it did not fit.
    pub(crate) fn finish(&self) -> Option<&[u8]> {
        (!self.overflow).then(|| &self.buf[..self.len])
    }
}

/// A decoded IE: absent, present and valid, or present but invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Ie<T> {
    #[default]
    Absent,
    Valid(T),
    Invalid,
}

impl<T: Copy> Ie<T> {
    pub(crate) fn valid(&self) -> Option<T> {
        match self {
            Ie::Valid(v) => Some(*v),
            _ => None,
        }
    }
}

/// Channel identification as the call layer needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChannelSel {
    /// `None`: any channel (selection 3) or no channel (selection 0).
    pub(crate) channel: Option<u8>,
    pub(crate) exclusive: bool,
}

/// The fields of a received message that the procedures act on.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Inbound {
    pub(crate) bearer: Ie<Bearer>,
    pub(crate) channel: Ie<ChannelSel>,
    /// (location, value)
    pub(crate) cause: Ie<(u8, u8)>,
    pub(crate) call_state: Ie<u8>,
    pub(crate) progress: Ie<u8>,
    pub(crate) called: Ie<Number>,
    pub(crate) calling: Ie<Number>,
    pub(crate) display: Ie<Digits>,
    pub(crate) keypad: Ie<Digits>,
    pub(crate) restart_class: Ie<u8>,
    pub(crate) notification: Ie<u8>,
    pub(crate) sending_complete: bool,
    /// First unrecognised codeset-0 IE whose comprehension is required.
    pub(crate) unknown_required: Option<u8>,
    /// First unrecognised codeset-0 IE whose comprehension is not required.
    pub(crate) unknown_optional: Option<u8>,
    /// First optional IE with invalid contents (or a length overrun).
    pub(crate) bad_optional: Option<u8>,
}

/// Codeset 0 variable-length IEs this side recognises (Q.931 table 4-3):
/// the ones the wire format names.
fn recognised(id: u8) -> bool {
    ie_name(0, id).is_some()
}

fn parse_bearer(d: &[u8]) -> Option<Bearer> {
    let (&o3, rest) = d.split_first()?;
    let (&o4, rest) = rest.split_first()?;
    if o3 & 0x80 == 0 {
        return None; // octet 3a is not used by ITU-T coding
    }
    let rest = if o4 & 0x1f == 0x18 {
        rest.get(1..)? // rate multiplier octet 4.1
    } else {
        rest
    };
    let layer1 = match rest.first() {
        Some(&o5) if (o5 >> 5) & 3 == 1 => Some(o5 & 0x1f),
        _ => None,
    };
    Some(Bearer {
        transfer_capability: o3 & 0x1f,
        layer1,
    })
}

fn parse_channel(d: &[u8]) -> Option<ChannelSel> {
    let (&o3, rest) = d.split_first()?;
    if o3 & 0x80 == 0 || o3 & 0x20 == 0 {
        return None; // extension must be set; must be "other interface" (PRI)
    }
    // Skip an explicit interface identifier (we serve one interface per D-channel).
    let rest = if o3 & 0x40 != 0 {
        let end = rest.iter().position(|b| b & 0x80 != 0)?;
        &rest[end + 1..]
    } else {
        rest
    };
    let exclusive = o3 & 0x08 != 0;
    if o3 & 0x04 != 0 {
        return None; // the D-channel is not a call channel
    }
    match o3 & 3 {
        0 | 3 => Some(ChannelSel {
            channel: None,
            exclusive,
        }),
        1 => {
            let [o32, o33, ..] = *rest else {
                return None;
            };
            // Coding standard ITU-T, number (not map), B-channel units; one channel.
            if o32 & 0x80 == 0 || o32 & 0x60 != 0 || o32 & 0x10 != 0 || o32 & 0x0f != 3 {
                return None;
            }
            if o33 & 0x80 == 0 || rest.len() != 2 {
                return None;
            }
            Some(ChannelSel {
                channel: Some(o33 & 0x7f),
                exclusive,
            })
        }
        _ => None, // 2 is reserved on PRI
    }
}

fn parse_cause(d: &[u8]) -> Option<(u8, u8)> {
    let (&o3, rest) = d.split_first()?;
    let rest = if o3 & 0x80 == 0 { rest.get(1..)? } else { rest };
    let &o4 = rest.first()?;
    if o4 & 0x80 == 0 {
        return None;
    }
    Some((o3 & 0x0f, o4 & 0x7f))
}

fn ia5_digits(d: &[u8]) -> Option<Digits> {
    if d.iter().any(|b| b & 0x80 != 0) {
        return None;
    }
    Digits::from_bytes(d)
}

fn parse_display(d: &[u8]) -> Option<Digits> {
    // NI-2 puts a display type octet (bit 8 set) before the text.
    let text = match d.first() {
        Some(b) if b & 0x80 != 0 => &d[1..],
        _ => d,
    };
    ia5_digits(&text[..text.len().min(super::types::MAX_DIGITS)])
}

fn parse_number(d: &[u8], has_3a: bool) -> Option<Number> {
    let (&o3, mut rest) = d.split_first()?;
    let (mut presentation, mut screening) = (0, 0);
    if o3 & 0x80 == 0 {
        if !has_3a {
            return None;
        }
        let (&o3a, r) = rest.split_first()?;
        rest = r;
        presentation = (o3a >> 5) & 3;
        screening = o3a & 3;
        if o3a & 0x80 == 0 {
            rest = rest.get(1..)?; // octet 3b (redirection reason)
        }
    }
    Some(Number {
        type_of_number: (o3 >> 4) & 7,
        numbering_plan: o3 & 0x0f,
        presentation,
        screening,
        digits: ia5_digits(rest)?,
    })
}

fn single<T>(d: &[u8], f: impl FnOnce(u8) -> Option<T>) -> Option<T> {
    match *d {
        [o3] => f(o3),
        _ => None,
    }
}

fn set<T>(slot: &mut Ie<T>, v: Option<T>) -> bool {
    // 5.8.5.2: only the first occurrence of a repeated IE is acted on.
    if !matches!(slot, Ie::Absent) {
        return true;
    }
    *slot = match v {
        Some(v) => Ie::Valid(v),
        None => Ie::Invalid,
    };
    !matches!(slot, Ie::Invalid)
}

impl Inbound {
    /// Decode the IEs of a message. Never fails: problems are recorded
    /// for the clause 5.8 procedures.
    pub(crate) fn parse(ies: IeIter<'_>) -> Inbound {
        let mut m = Inbound::default();
        for raw in ies {
            let raw = match raw {
                Ok(r) => r,
                Err(crate::q931::Error::IeOverrun { codeset: 0, id, .. }) => {
                    m.note_overrun(id);
                    break;
                }
                Err(_) => break,
            };
            if raw.codeset != 0 {
                continue; // other codesets: national / network specific, not acted on
            }
            if raw.is_single_octet() {
                if raw.id == ie_id::SENDING_COMPLETE {
                    m.sending_complete = true;
                }
                continue;
            }
            let d = raw.data;
            let ok = match raw.id {
                ie_id::BEARER_CAPABILITY => set(&mut m.bearer, parse_bearer(d)),
                ie_id::CHANNEL_ID => set(&mut m.channel, parse_channel(d)),
                ie_id::CAUSE => set(&mut m.cause, parse_cause(d)),
                ie_id::CALL_STATE => set(&mut m.call_state, single(d, |o| Some(o & 0x3f))),
                ie_id::PROGRESS_INDICATOR => set(
                    &mut m.progress,
                    match *d {
                        [_, o4] => Some(o4 & 0x7f),
                        _ => None,
                    },
                ),
                ie_id::CALLED_PARTY_NUMBER => set(&mut m.called, parse_number(d, false)),
                ie_id::CALLING_PARTY_NUMBER => set(&mut m.calling, parse_number(d, true)),
                ie_id::DISPLAY => set(&mut m.display, parse_display(d)),
                ie_id::KEYPAD_FACILITY => set(&mut m.keypad, ia5_digits(d)),
                ie_id::RESTART_INDICATOR => set(&mut m.restart_class, single(d, |o| Some(o & 7))),
                ie_id::NOTIFICATION_INDICATOR => {
                    set(&mut m.notification, d.first().map(|o| o & 0x7f))
                }
                id if recognised(id) => true,
                id => {
                    if id & 0xf0 == 0 {
                        m.unknown_required.get_or_insert(id);
                    } else {
                        m.unknown_optional.get_or_insert(id);
                    }
                    true
                }
            };
            if !ok {
                m.bad_optional.get_or_insert(raw.id);
            }
        }
        m
    }

    fn note_overrun(&mut self, id: u8) {
        // A truncated IE counts as present with invalid contents.
        match id {
            ie_id::BEARER_CAPABILITY => self.bearer = Ie::Invalid,
            ie_id::CHANNEL_ID => self.channel = Ie::Invalid,
            ie_id::CAUSE => self.cause = Ie::Invalid,
            ie_id::CALL_STATE => self.call_state = Ie::Invalid,
            ie_id::PROGRESS_INDICATOR => self.progress = Ie::Invalid,
            ie_id::RESTART_INDICATOR => self.restart_class = Ie::Invalid,
            ie_id::NOTIFICATION_INDICATOR => self.notification = Ie::Invalid,
            _ => {}
        }
        self.bad_optional.get_or_insert(id);
    }
}

/// Mandatory IEs of a message for the direction it was received in
/// (Q.931 clause 3 as profiled for PRI). `from_network`: the message came
/// from the network side.
pub(crate) fn mandatory(msg: MessageType, from_network: bool) -> &'static [u8] {
    use MessageType as M;
    match msg {
        M::Setup if from_network => &[ie_id::BEARER_CAPABILITY, ie_id::CHANNEL_ID],
        M::Setup => &[ie_id::BEARER_CAPABILITY],
        M::Disconnect => &[ie_id::CAUSE],
        M::Progress => &[ie_id::PROGRESS_INDICATOR],
        M::Status => &[ie_id::CAUSE, ie_id::CALL_STATE],
        M::Restart => &[ie_id::RESTART_INDICATOR],
        M::RestartAcknowledge => &[ie_id::RESTART_INDICATOR],
        M::Notify => &[ie_id::NOTIFICATION_INDICATOR],
        _ => &[],
    }
}

impl Inbound {
    /// Presence/validity of an IE by identifier (for the mandatory checks).
    pub(crate) fn check(&self, id: u8) -> Ie<()> {
        fn st<T>(ie: &Ie<T>) -> Ie<()> {
            match ie {
                Ie::Absent => Ie::Absent,
                Ie::Valid(_) => Ie::Valid(()),
                Ie::Invalid => Ie::Invalid,
            }
        }
        match id {
            ie_id::BEARER_CAPABILITY => st(&self.bearer),
            ie_id::CHANNEL_ID => st(&self.channel),
            ie_id::CAUSE => st(&self.cause),
            ie_id::CALL_STATE => st(&self.call_state),
            ie_id::PROGRESS_INDICATOR => st(&self.progress),
            ie_id::RESTART_INDICATOR => st(&self.restart_class),
            ie_id::NOTIFICATION_INDICATOR => st(&self.notification),
            _ => Ie::Absent,
        }
    }
}
