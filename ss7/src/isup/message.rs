//! ISUP message framing: the [`Message`] header view and the
//! [`MessageRepr`] representation with its three parts.

use super::layout::{layout, Layout};
use super::param::ParamRepr;
use super::{Error, Result, Variant};

macro_rules! message_types {
    ($( $(#[$doc:meta])* $name:ident = $code:expr, )*) => {
        /// ISUP message type codes (Q.763 Table 4).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageType {
            $( $(#[$doc])* $name, )*
            /// Any other message type code (kept as bytes on parse).
            Other(u8),
        }

        impl MessageType {
            /// The message type from its code.
            pub fn from_code(code: u8) -> MessageType {
                match code {
                    $( $code => MessageType::$name, )*
                    other => MessageType::Other(other),
                }
            }

            /// The message type code.
            pub fn code(self) -> u8 {
                match self {
                    $( MessageType::$name => $code, )*
                    MessageType::Other(c) => c,
                }
            }
        }
    };
}

message_types! {
    /// Initial address message.
    Iam = 0x01,
    /// Subsequent address message.
    Sam = 0x02,
    /// Information request message.
    Inr = 0x03,
    /// Information message.
    Inf = 0x04,
    /// Address complete message.
    Acm = 0x06,
    /// Connect message.
    Con = 0x07,
    /// Answer message.
    Anm = 0x09,
    /// Release message.
    Rel = 0x0c,
    /// Suspend message.
    Sus = 0x0d,
    /// Resume message.
    Res = 0x0e,
    /// Release complete message.
    Rlc = 0x10,
    /// Reset circuit message.
    Rsc = 0x12,
    /// Blocking message.
    Blo = 0x13,
    /// Unblocking message.
    Ubl = 0x14,
    /// Blocking acknowledgement message.
    Bla = 0x15,
    /// Unblocking acknowledgement message.
    Uba = 0x16,
    /// Circuit group reset message.
    Grs = 0x17,
    /// Circuit group blocking message.
    Cgb = 0x18,
    /// Circuit group unblocking message.
    Cgu = 0x19,
    /// Circuit group blocking acknowledgement message.
    Cgba = 0x1a,
    /// Circuit group unblocking acknowledgement message.
    Cgua = 0x1b,
    /// Circuit group reset acknowledgement message.
    Gra = 0x29,
    /// Circuit group query message (national use).
    Cqm = 0x2a,
    /// Circuit group query response message (national use).
    Cqr = 0x2b,
    /// Call progress message.
    Cpg = 0x2c,
    /// Unequipped CIC message (national use).
    Ucic = 0x2e,
    /// Confusion message.
    Cfn = 0x2f,
}

impl MessageType {
    /// Every message type this module decodes.
    pub const ALL: [MessageType; 27] = [
        MessageType::Iam,
        MessageType::Sam,
        MessageType::Inr,
        MessageType::Inf,
        MessageType::Acm,
        MessageType::Con,
        MessageType::Anm,
        MessageType::Rel,
        MessageType::Sus,
        MessageType::Res,
        MessageType::Rlc,
        MessageType::Rsc,
        MessageType::Blo,
        MessageType::Ubl,
        MessageType::Bla,
        MessageType::Uba,
        MessageType::Grs,
        MessageType::Cgb,
        MessageType::Cgu,
        MessageType::Cgba,
        MessageType::Cgua,
        MessageType::Gra,
        MessageType::Cqm,
        MessageType::Cqr,
        MessageType::Cpg,
        MessageType::Ucic,
        MessageType::Cfn,
    ];
}

/// A checked view over the header of an ISUP message (the MTP3 SIF after the
/// routing label): circuit identification code and message type.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    buf: &'a [u8],
    variant: Variant,
}

impl<'a> Message<'a> {
    /// Wrap `buf`, checking it holds at least the CIC and message type.
    pub fn new_checked(buf: &'a [u8], variant: Variant) -> Result<Message<'a>> {
        if buf.len() < 3 {
            return Err(Error::Truncated {
                at: buf.len(),
                needed: 3 - buf.len(),
            });
        }
        Ok(Message { buf, variant })
    }

    /// The circuit identification code (spare bits above the variant's CIC
    /// width are ignored).
    pub fn cic(&self) -> u16 {
        u16::from_le_bytes([self.buf[0], self.buf[1]]) & self.variant.max_cic()
    }

    /// The message type.
    pub fn message_type(&self) -> MessageType {
        MessageType::from_code(self.buf[2])
    }

    /// The octets after the message type.
    pub fn body(&self) -> &'a [u8] {
        &self.buf[3..]
    }
}

/// An owned ISUP message.
///
/// `fixed` and `variable` hold the mandatory parameters in the order of the
/// message type's [`Layout`]; `optional` is `None` when the optional part
/// pointer is 0 (or the message type has no optional part) and `Some` with
/// the optional parameters in received order otherwise. For a message type
/// this module does not decode, the parts are empty and `raw_body` holds
/// everything after the message type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRepr {
    /// Circuit identification code.
    pub cic: u16,
    /// Message type.
    pub message_type: MessageType,
    /// Mandatory fixed part.
    pub fixed: Vec<ParamRepr>,
    /// Mandatory variable part.
    pub variable: Vec<ParamRepr>,
    /// Optional part.
    pub optional: Option<Vec<ParamRepr>>,
    /// Body of a message type without a known layout (empty otherwise).
    pub raw_body: Vec<u8>,
}

fn take(buf: &[u8], at: usize, len: usize) -> Result<&[u8]> {
    match buf.get(at..at.saturating_add(len)) {
        Some(s) if at.checked_add(len).is_some() => Ok(s),
        _ => Err(Error::Truncated {
            at,
            needed: at.saturating_add(len).saturating_sub(buf.len()),
        }),
    }
}

impl MessageRepr {
    /// A message with the given parts (no raw body).
    pub fn new(
        cic: u16,
        message_type: MessageType,
        fixed: Vec<ParamRepr>,
        variable: Vec<ParamRepr>,
        optional: Option<Vec<ParamRepr>>,
    ) -> MessageRepr {
        MessageRepr {
            cic,
            message_type,
            fixed,
            variable,
            optional,
            raw_body: Vec::new(),
        }
    }

    /// Parse a whole ISUP message (CIC first) in the given variant.
    pub fn parse(buf: &[u8], variant: Variant) -> Result<MessageRepr> {
        let msg = Message::new_checked(buf, variant)?;
        let message_type = msg.message_type();
        let mut repr = MessageRepr::new(msg.cic(), message_type, vec![], vec![], None);
        let Some(lay) = layout(message_type, variant) else {
            repr.raw_body = msg.body().to_vec();
            return Ok(repr);
        };
        let mut pos = 3;
        for &(code, len) in lay.fixed {
            let data = take(buf, pos, len)?;
            repr.fixed.push(ParamRepr::parse(code, data, variant)?);
            pos += len;
        }
        let pointers = pos;
        for (i, &code) in lay.variable.iter().enumerate() {
            let at = pointers + i;
            let ptr = take(buf, at, 1)?[0];
            if ptr == 0 {
                return Err(Error::BadPointer { at, value: ptr });
            }
            let start = at + ptr as usize;
            let len = take(buf, start, 1)?[0] as usize;
            let data = take(buf, start + 1, len)?;
            repr.variable.push(ParamRepr::parse(code, data, variant)?);
        }
        if lay.optional {
            let at = pointers + lay.variable.len();
            let ptr = take(buf, at, 1)?[0];
            if ptr != 0 {
                let mut p = at + ptr as usize;
                let mut params = Vec::new();
                loop {
                    let code = take(buf, p, 1)?[0];
                    if code == 0 {
                        break;
                    }
                    let len = take(buf, p + 1, 1)?[0] as usize;
                    let data = take(buf, p + 2, len)?;
                    params.push(ParamRepr::parse_optional(code, data, variant));
                    p += 2 + len;
                }
                repr.optional = Some(params);
            }
        }
        Ok(repr)
    }

    fn check_layout(&self, lay: &Layout) -> Result<()> {
        let mismatch = |reason| Error::LayoutMismatch {
            message_type: self.message_type.code(),
            reason,
        };
        if self.fixed.len() != lay.fixed.len() {
            return Err(mismatch("number of mandatory fixed parameters"));
        }
        for (p, &(code, len)) in self.fixed.iter().zip(lay.fixed) {
            if p.code() != code {
                return Err(mismatch("mandatory fixed parameter code"));
            }
            if p.content_len() != len {
                return Err(mismatch("mandatory fixed parameter length"));
            }
        }
        if self.variable.len() != lay.variable.len() {
            return Err(mismatch("number of mandatory variable parameters"));
        }
        if self
            .variable
            .iter()
            .zip(lay.variable)
            .any(|(p, &c)| p.code() != c)
        {
            return Err(mismatch("mandatory variable parameter code"));
        }
        if !lay.optional && self.optional.as_ref().is_some_and(|o| !o.is_empty()) {
            return Err(mismatch("message type has no optional part"));
        }
        if !self.raw_body.is_empty() {
            return Err(mismatch("raw body on a message type with a layout"));
        }
        Ok(())
    }

    /// Encode the message into a new vector (canonical form: pointers in
    /// parameter order, no gaps).
    pub fn to_bytes(&self, variant: Variant) -> Result<Vec<u8>> {
        if self.cic > variant.max_cic() {
            return Err(Error::CicOutOfRange(self.cic));
        }
        let mut out = Vec::with_capacity(32);
        out.extend_from_slice(&self.cic.to_le_bytes());
        out.push(self.message_type.code());
        let Some(lay) = layout(self.message_type, variant) else {
            out.extend_from_slice(&self.raw_body);
            return Ok(out);
        };
        self.check_layout(&lay)?;
        self.params().try_for_each(ParamRepr::check)?;
        for p in &self.fixed {
            p.emit_content(&mut out);
        }
        let pointers = out.len();
        let n_ptr = lay.variable.len() + usize::from(lay.optional);
        out.resize(pointers + n_ptr, 0);
        for (i, p) in self.variable.iter().enumerate() {
            let ptr =
                u8::try_from(out.len() - (pointers + i)).map_err(|_| Error::TooLong(p.code()))?;
            out[pointers + i] = ptr;
            let len = u8::try_from(p.content_len()).map_err(|_| Error::TooLong(p.code()))?;
            out.push(len);
            p.emit_content(&mut out);
        }
        if lay.optional {
            let at = pointers + lay.variable.len();
            if let Some(params) = &self.optional {
                out[at] = u8::try_from(out.len() - at).map_err(|_| Error::TooLong(0))?;
                for p in params {
                    let len =
                        u8::try_from(p.content_len()).map_err(|_| Error::TooLong(p.code()))?;
                    out.push(p.code());
                    out.push(len);
                    p.emit_content(&mut out);
                }
                out.push(0);
            }
        }
        Ok(out)
    }

    /// Octets [`MessageRepr::emit`] writes.
    pub fn buffer_len(&self, variant: Variant) -> Result<usize> {
        Ok(self.to_bytes(variant)?.len())
    }

    /// Encode the message into `buf`, returning the octets written.
    pub fn emit(&self, buf: &mut [u8], variant: Variant) -> Result<usize> {
        let bytes = self.to_bytes(variant)?;
        let Some(dst) = buf.get_mut(..bytes.len()) else {
            return Err(Error::BufferTooSmall {
                needed: bytes.len(),
                available: buf.len(),
            });
        };
        dst.copy_from_slice(&bytes);
        Ok(bytes.len())
    }

    /// All parameters in wire order: fixed, variable, then optional.
    pub fn params(&self) -> impl Iterator<Item = &ParamRepr> {
        self.fixed
            .iter()
            .chain(self.variable.iter())
            .chain(self.optional.iter().flatten())
    }

    /// The first parameter with the given name code, in any part.
    pub fn param(&self, code: u8) -> Option<&ParamRepr> {
        self.params().find(|p| p.code() == code)
    }
}
