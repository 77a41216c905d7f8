//! Q.931 message header (protocol discriminator, call reference, message
//! type): the [`Message`] view and the [`MessageRepr`] representation.

use super::ie::{IeIter, IeRepr};
use super::Error;

/// Protocol discriminator of Q.931 user-network call control messages.
pub const PROTOCOL_DISCRIMINATOR: u8 = 0x08;

/// A call reference (Q.931 clause 4.3).
///
/// The flag is bit 8 of the first call reference value octet: `false` (0)
/// means the message is sent from the side that allocated the call reference,
/// `true` (1) means it is sent to the side that allocated it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallRef {
    /// The dummy call reference (length 0).
    Dummy,
    /// One-octet call reference (basic rate): 7-bit value.
    Short {
        /// Call reference value (0..=0x7f; 0 is the global call reference).
        value: u8,
        /// Call reference flag.
        flag: bool,
    },
    /// Two-octet call reference (primary rate): 15-bit value.
    Long {
        /// Call reference value (0..=0x7fff; 0 is the global call reference).
        value: u16,
        /// Call reference flag.
        flag: bool,
    },
}

impl CallRef {
    /// A two-octet (PRI) call reference.
    pub fn pri(value: u16, flag: bool) -> CallRef {
        CallRef::Long { value, flag }
    }

    /// The two-octet global call reference (value 0) with the given flag.
    pub fn global(flag: bool) -> CallRef {
        CallRef::Long { value: 0, flag }
    }

    /// Whether this is the global call reference (value 0, length 1 or 2).
    pub fn is_global(&self) -> bool {
        matches!(
            self,
            CallRef::Short { value: 0, .. } | CallRef::Long { value: 0, .. }
        )
    }

    /// Number of call reference value octets (0, 1 or 2).
    pub fn len(&self) -> usize {
        match self {
            CallRef::Dummy => 0,
            CallRef::Short { .. } => 1,
            CallRef::Long { .. } => 2,
        }
    }

    /// Whether this is the dummy (zero-length) call reference.
    pub fn is_empty(&self) -> bool {
        matches!(self, CallRef::Dummy)
    }

    /// The call reference value (0 for the dummy call reference).
    pub fn value(&self) -> u16 {
        match *self {
            CallRef::Dummy => 0,
            CallRef::Short { value, .. } => u16::from(value),
            CallRef::Long { value, .. } => value,
        }
    }

    /// The call reference flag (`false` for the dummy call reference).
    pub fn flag(&self) -> bool {
        match *self {
            CallRef::Dummy => false,
            CallRef::Short { flag, .. } | CallRef::Long { flag, .. } => flag,
        }
    }

    /// Decode from the call reference value octets (length 0..=2).
    fn from_octets(octets: &[u8]) -> Option<CallRef> {
        match *octets {
            [] => Some(CallRef::Dummy),
            [a] => Some(CallRef::Short {
                value: a & 0x7f,
                flag: a & 0x80 != 0,
            }),
            [a, b] => Some(CallRef::Long {
                value: u16::from(a & 0x7f) << 8 | u16::from(b),
                flag: a & 0x80 != 0,
            }),
            _ => None,
        }
    }

    /// Encode the call reference value octets (length octet not included).
    fn write_octets(&self, out: &mut [u8]) -> Result<(), Error> {
        let bad = Error::Unencodable {
            id: 0,
            reason: "call reference value out of range",
        };
        let f = if self.flag() { 0x80 } else { 0 };
        match (*self, out) {
            (CallRef::Dummy, []) => Ok(()),
            (CallRef::Short { value, .. }, [a]) => {
                if value > 0x7f {
                    return Err(bad);
                }
                *a = f | value;
                Ok(())
            }
            (CallRef::Long { value, .. }, [a, b]) => {
                if value > 0x7fff {
                    return Err(bad);
                }
                let [hi, lo] = value.to_be_bytes();
                *a = f | hi;
                *b = lo;
                Ok(())
            }
            _ => Err(bad),
        }
    }
}

macro_rules! message_types {
    ($($(#[$doc:meta])* $name:ident = $code:expr, $text:expr;)*) => {
        /// Q.931 message type (octet after the call reference).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageType {
            $($(#[$doc])* $name,)*
            /// Any other message type code.
            Unknown(u8),
        }

        impl From<u8> for MessageType {
            fn from(code: u8) -> MessageType {
                match code {
                    $($code => MessageType::$name,)*
                    other => MessageType::Unknown(other),
                }
            }
        }

        impl From<MessageType> for u8 {
            fn from(t: MessageType) -> u8 {
                match t {
                    $(MessageType::$name => $code,)*
                    MessageType::Unknown(other) => other,
                }
            }
        }

        impl MessageType {
            /// Upper-case Q.931 name of the message type, or `None` if unknown.
            pub fn name(&self) -> Option<&'static str> {
                match self {
                    $(MessageType::$name => Some($text),)*
                    MessageType::Unknown(_) => None,
                }
            }
        }
    };
}

message_types! {
    /// ALERTING.
    Alerting = 0x01, "ALERTING";
    /// CALL PROCEEDING.
    CallProceeding = 0x02, "CALL PROCEEDING";
    /// PROGRESS.
    Progress = 0x03, "PROGRESS";
    /// SETUP.
    Setup = 0x05, "SETUP";
    /// CONNECT.
    Connect = 0x07, "CONNECT";
    /// SETUP ACKNOWLEDGE.
    SetupAcknowledge = 0x0d, "SETUP ACKNOWLEDGE";
    /// CONNECT ACKNOWLEDGE.
    ConnectAcknowledge = 0x0f, "CONNECT ACKNOWLEDGE";
    /// USER INFORMATION.
    UserInformation = 0x20, "USER INFORMATION";
    /// DISCONNECT.
    Disconnect = 0x45, "DISCONNECT";
    /// RESTART.
    Restart = 0x46, "RESTART";
    /// RELEASE.
    Release = 0x4d, "RELEASE";
    /// RESTART ACKNOWLEDGE.
    RestartAcknowledge = 0x4e, "RESTART ACKNOWLEDGE";
    /// RELEASE COMPLETE.
    ReleaseComplete = 0x5a, "RELEASE COMPLETE";
    /// FACILITY.
    Facility = 0x62, "FACILITY";
    /// NOTIFY.
    Notify = 0x6e, "NOTIFY";
    /// STATUS ENQUIRY.
    StatusEnquiry = 0x75, "STATUS ENQUIRY";
    /// INFORMATION.
    Information = 0x7b, "INFORMATION";
    /// STATUS.
    Status = 0x7d, "STATUS";
}

/// A checked, zero-copy view of a Q.931 message.
///
/// [`Message::new_checked`] validates the header only; the IEs are walked
/// lazily by [`Message::ies`] (whose items report framing errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    buf: &'a [u8],
}

impl<'a> Message<'a> {
    /// Wrap a frame, checking the protocol discriminator, the call reference
    /// length and that the header is complete.
    pub fn new_checked(buf: &'a [u8]) -> Result<Message<'a>, Error> {
        let truncated = |needed| Error::Truncated {
            needed,
            available: buf.len(),
        };
        let pd = *buf.first().ok_or(truncated(3))?;
        if pd != PROTOCOL_DISCRIMINATOR {
            return Err(Error::BadProtocolDiscriminator(pd));
        }
        let crl = *buf.get(1).ok_or(truncated(3))?;
        if crl > 2 {
            return Err(Error::BadCallRefLength(crl));
        }
        let needed = 3 + usize::from(crl);
        if buf.len() < needed {
            return Err(truncated(needed));
        }
        Ok(Message { buf })
    }

    /// The underlying frame.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The protocol discriminator (always 0x08 for a checked message).
    pub fn protocol_discriminator(&self) -> u8 {
        self.buf.first().copied().unwrap_or(0)
    }

    fn cr_len(&self) -> usize {
        usize::from(self.buf.get(1).copied().unwrap_or(0) & 0x0f)
    }

    /// The call reference.
    pub fn call_ref(&self) -> CallRef {
        self.buf
            .get(2..2 + self.cr_len())
            .and_then(CallRef::from_octets)
            .unwrap_or(CallRef::Dummy)
    }

    /// The message type.
    pub fn msg_type(&self) -> MessageType {
        MessageType::from(self.buf.get(2 + self.cr_len()).copied().unwrap_or(0))
    }

    /// The raw IE octets following the message type.
    pub fn ie_bytes(&self) -> &'a [u8] {
        self.buf.get(3 + self.cr_len()..).unwrap_or(&[])
    }

    /// Iterate over the IEs (codeset tracking included).
    pub fn ies(&self) -> IeIter<'a> {
        IeIter::new(self.ie_bytes())
    }
}

/// High-level representation of a Q.931 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRepr {
    /// Call reference.
    pub call_ref: CallRef,
    /// Message type.
    pub msg_type: MessageType,
    /// Information elements in wire order, including shift IEs.
    pub ies: Vec<IeRepr>,
}

impl MessageRepr {
    /// Parse a whole message, decoding every IE.
    pub fn parse(msg: &Message<'_>) -> Result<MessageRepr, Error> {
        let mut ies = Vec::new();
        for raw in msg.ies() {
            ies.push(IeRepr::parse(&raw?)?);
        }
        Ok(MessageRepr {
            call_ref: msg.call_ref(),
            msg_type: msg.msg_type(),
            ies,
        })
    }

    /// Check and parse a frame in one step.
    pub fn parse_bytes(frame: &[u8]) -> Result<MessageRepr, Error> {
        MessageRepr::parse(&Message::new_checked(frame)?)
    }

    /// Number of octets [`MessageRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        3 + self.call_ref.len() + self.ies.iter().map(IeRepr::buffer_len).sum::<usize>()
    }

    /// Emit the message into `buf`, returning the number of octets written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let needed = self.buffer_len();
        let available = buf.len();
        let out = buf
            .get_mut(..needed)
            .ok_or(Error::BufferTooSmall { needed, available })?;
        let crl = self.call_ref.len();
        let (head, mut rest) = out.split_at_mut(3 + crl);
        head[0] = PROTOCOL_DISCRIMINATOR;
        head[1] = crl as u8;
        self.call_ref.write_octets(&mut head[2..2 + crl])?;
        head[2 + crl] = u8::from(self.msg_type);
        for ie in &self.ies {
            let n = ie.emit(rest)?;
            rest = rest.get_mut(n..).unwrap_or(&mut []);
        }
        Ok(needed)
    }

    /// Emit into a freshly allocated vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut v = vec![0; self.buffer_len()];
        self.emit(&mut v)?;
        Ok(v)
    }
}
