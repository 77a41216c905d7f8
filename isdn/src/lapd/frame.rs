//! LAPD frame wire format (Q.921 §2, §3) for modulo-128 operation.
//!
//! Frames are handled *without* the flag sequences and the FCS: the octets
//! are address (2), control (1 or 2) and an optional information field.

use core::fmt;

/// N201: maximum number of octets in the information field of an I or UI frame.
pub const N201: usize = 260;

/// Broadcast TEI (group TEI) value.
pub const TEI_BROADCAST: u8 = 127;

/// Errors from parsing or emitting a LAPD frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The frame is shorter than its address and control fields require.
    TooShort,
    /// The address extension (EA) bits are not `0` in octet 1 and `1` in octet 2.
    BadAddressExtension,
    /// The control field does not encode a frame type known to Q.921.
    UnknownControl,
    /// The frame carries an information field but its type must not.
    InfoNotAllowed,
    /// The information field exceeds N201 octets.
    InfoTooLong,
    /// A field value is out of range when emitting (SAPI > 63, TEI > 127, N(S)/N(R) > 127).
    FieldOutOfRange,
    /// The output buffer is too small for the frame.
    BufferTooSmall,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            FrameError::TooShort => "frame too short",
            FrameError::BadAddressExtension => "address EA bits wrong",
            FrameError::UnknownControl => "unknown control field",
            FrameError::InfoNotAllowed => "information field not permitted for frame type",
            FrameError::InfoTooLong => "information field longer than N201",
            FrameError::FieldOutOfRange => "field value out of range",
            FrameError::BufferTooSmall => "output buffer too small",
        };
        f.write_str(s)
    }
}

impl std::error::Error for FrameError {}

/// Supervisory and unnumbered frame type codes (control octet with P/F cleared).
mod code {
    pub const RR: u8 = 0x01;
    pub const RNR: u8 = 0x05;
    pub const REJ: u8 = 0x09;
    pub const SABME: u8 = 0x6F;
    pub const DM: u8 = 0x0F;
    pub const UI: u8 = 0x03;
    pub const DISC: u8 = 0x43;
    pub const UA: u8 = 0x63;
    pub const FRMR: u8 = 0x87;
    pub const XID: u8 = 0xAF;
    /// P/F bit position in a U-format control octet.
    pub const U_PF: u8 = 0x10;
}

/// The control field of a LAPD frame (modulo 128).
///
/// `p`/`f`/`pf` is the poll bit in commands and the final bit in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Information frame: send sequence number, receive sequence number, P bit.
    I {
        /// N(S), 0..=127.
        ns: u8,
        /// N(R), 0..=127.
        nr: u8,
        /// Poll bit.
        p: bool,
    },
    /// Receive ready.
    Rr {
        /// N(R), 0..=127.
        nr: u8,
        /// Poll/final bit.
        pf: bool,
    },
    /// Receive not ready.
    Rnr {
        /// N(R), 0..=127.
        nr: u8,
        /// Poll/final bit.
        pf: bool,
    },
    /// Reject.
    Rej {
        /// N(R), 0..=127.
        nr: u8,
        /// Poll/final bit.
        pf: bool,
    },
    /// Set asynchronous balanced mode extended (command).
    Sabme {
        /// Poll bit.
        p: bool,
    },
    /// Disconnected mode (response).
    Dm {
        /// Final bit.
        f: bool,
    },
    /// Unnumbered information (command).
    Ui {
        /// Poll bit.
        p: bool,
    },
    /// Disconnect (command).
    Disc {
        /// Poll bit.
        p: bool,
    },
    /// Unnumbered acknowledgement (response).
    Ua {
        /// Final bit.
        f: bool,
    },
    /// Frame reject (response).
    Frmr {
        /// Final bit.
        f: bool,
    },
    /// Exchange identification (command or response).
    Xid {
        /// Poll/final bit.
        pf: bool,
    },
}

impl Control {
    /// Length of the control field in octets (2 for I and S frames, 1 for U frames).
    pub fn encoded_len(&self) -> usize {
        match self {
            Control::I { .. } | Control::Rr { .. } | Control::Rnr { .. } | Control::Rej { .. } => 2,
            _ => 1,
        }
    }

    /// Whether a frame of this type may carry an information field.
    pub fn info_allowed(&self) -> bool {
        matches!(
            self,
            Control::I { .. } | Control::Ui { .. } | Control::Frmr { .. } | Control::Xid { .. }
        )
    }

    /// Whether the N201 limit applies to the information field of this type.
    fn info_limited(&self) -> bool {
        matches!(self, Control::I { .. } | Control::Ui { .. })
    }

    /// The poll/final bit.
    pub fn pf(&self) -> bool {
        match *self {
            Control::I { p, .. } => p,
            Control::Rr { pf, .. } | Control::Rnr { pf, .. } | Control::Rej { pf, .. } => pf,
            Control::Sabme { p } | Control::Ui { p } | Control::Disc { p } => p,
            Control::Dm { f } | Control::Ua { f } | Control::Frmr { f } => f,
            Control::Xid { pf } => pf,
        }
    }

    fn parse(buf: &[u8]) -> Result<(Control, usize), FrameError> {
        let c0 = *buf.first().ok_or(FrameError::TooShort)?;
        if c0 & 0x01 == 0 {
            let c1 = *buf.get(1).ok_or(FrameError::TooShort)?;
            let ctl = Control::I {
                ns: c0 >> 1,
                nr: c1 >> 1,
                p: c1 & 1 != 0,
            };
            return Ok((ctl, 2));
        }
        if c0 & 0x03 == 0x01 {
            let c1 = *buf.get(1).ok_or(FrameError::TooShort)?;
            let (nr, pf) = (c1 >> 1, c1 & 1 != 0);
            let ctl = match c0 {
                code::RR => Control::Rr { nr, pf },
                code::RNR => Control::Rnr { nr, pf },
                code::REJ => Control::Rej { nr, pf },
                _ => return Err(FrameError::UnknownControl),
            };
            return Ok((ctl, 2));
        }
        let pf = c0 & code::U_PF != 0;
        let ctl = match c0 & !code::U_PF {
            code::SABME => Control::Sabme { p: pf },
            code::DM => Control::Dm { f: pf },
            code::UI => Control::Ui { p: pf },
            code::DISC => Control::Disc { p: pf },
            code::UA => Control::Ua { f: pf },
            code::FRMR => Control::Frmr { f: pf },
            code::XID => Control::Xid { pf },
            _ => return Err(FrameError::UnknownControl),
        };
        Ok((ctl, 1))
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, FrameError> {
        let seq = |v: u8| {
            if v > 127 {
                Err(FrameError::FieldOutOfRange)
            } else {
                Ok(v << 1)
            }
        };
        let two = |buf: &mut [u8], a: u8, b: u8| -> Result<usize, FrameError> {
            let out = buf.get_mut(..2).ok_or(FrameError::BufferTooSmall)?;
            out[0] = a;
            out[1] = b;
            Ok(2)
        };
        let (u, pf) = match *self {
            Control::I { ns, nr, p } => return two(buf, seq(ns)?, seq(nr)? | u8::from(p)),
            Control::Rr { nr, pf } => return two(buf, code::RR, seq(nr)? | u8::from(pf)),
            Control::Rnr { nr, pf } => return two(buf, code::RNR, seq(nr)? | u8::from(pf)),
            Control::Rej { nr, pf } => return two(buf, code::REJ, seq(nr)? | u8::from(pf)),
            Control::Sabme { p } => (code::SABME, p),
            Control::Dm { f } => (code::DM, f),
            Control::Ui { p } => (code::UI, p),
            Control::Disc { p } => (code::DISC, p),
            Control::Ua { f } => (code::UA, f),
            Control::Frmr { f } => (code::FRMR, f),
            Control::Xid { pf } => (code::XID, pf),
        };
        let out = buf.first_mut().ok_or(FrameError::BufferTooSmall)?;
        *out = if pf { u | code::U_PF } else { u };
        Ok(1)
    }
}

/// High-level representation of a LAPD frame (without FCS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRepr<'a> {
    /// Service access point identifier, 0..=63.
    pub sapi: u8,
    /// Command/response bit as carried on the wire.
    pub cr: bool,
    /// Terminal endpoint identifier, 0..=127.
    pub tei: u8,
    /// Control field.
    pub control: Control,
    /// Information field (empty if none).
    pub info: &'a [u8],
}

impl<'a> FrameRepr<'a> {
    /// Total encoded length of this frame in octets.
    pub fn buffer_len(&self) -> usize {
        2 + self.control.encoded_len() + self.info.len()
    }

    /// Check that the frame is encodable.
    fn check(&self) -> Result<(), FrameError> {
        if self.sapi > 63 || self.tei > 127 {
            return Err(FrameError::FieldOutOfRange);
        }
        if !self.info.is_empty() && !self.control.info_allowed() {
            return Err(FrameError::InfoNotAllowed);
        }
        if self.control.info_limited() && self.info.len() > N201 {
            return Err(FrameError::InfoTooLong);
        }
        Ok(())
    }

    /// Encode the frame into `buf`, returning the number of octets written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, FrameError> {
        self.check()?;
        let len = self.buffer_len();
        let out = buf.get_mut(..len).ok_or(FrameError::BufferTooSmall)?;
        out[0] = (self.sapi << 2) | (u8::from(self.cr) << 1);
        out[1] = (self.tei << 1) | 1;
        let clen = self.control.emit(&mut out[2..])?;
        out[2 + clen..].copy_from_slice(self.info);
        Ok(len)
    }
}

/// A read-only wire view of a LAPD frame buffer (without FCS).
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    buf: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Wrap `buf` after checking that the address field is present and well formed.
    pub fn new_checked(buf: &'a [u8]) -> Result<Self, FrameError> {
        let (a0, a1) = match buf {
            [a0, a1, ..] => (*a0, *a1),
            _ => return Err(FrameError::TooShort),
        };
        if a0 & 1 != 0 || a1 & 1 != 1 {
            return Err(FrameError::BadAddressExtension);
        }
        Ok(Frame { buf })
    }

    /// SAPI from the address field.
    pub fn sapi(&self) -> u8 {
        self.buf[0] >> 2
    }

    /// C/R bit from the address field.
    pub fn cr(&self) -> bool {
        self.buf[0] & 0x02 != 0
    }

    /// TEI from the address field.
    pub fn tei(&self) -> u8 {
        self.buf[1] >> 1
    }

    /// Parse and validate a complete frame into its representation.
    pub fn parse(buf: &'a [u8]) -> Result<FrameRepr<'a>, FrameError> {
        let frame = Frame::new_checked(buf)?;
        let (control, clen) = Control::parse(&buf[2..])?;
        let info = &buf[2 + clen..];
        let repr = FrameRepr {
            sapi: frame.sapi(),
            cr: frame.cr(),
            tei: frame.tei(),
            control,
            info,
        };
        repr.check()?;
        Ok(repr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn control_strategy() -> impl Strategy<Value = Control> {
        (0u8..11, 0u8..128, 0u8..128, any::<bool>()).prop_map(|(k, a, b, pf)| match k {
            0 => Control::I {
                ns: a,
                nr: b,
                p: pf,
            },
            1 => Control::Rr { nr: a, pf },
            2 => Control::Rnr { nr: a, pf },
            3 => Control::Rej { nr: a, pf },
            4 => Control::Sabme { p: pf },
            5 => Control::Dm { f: pf },
            6 => Control::Ui { p: pf },
            7 => Control::Disc { p: pf },
            8 => Control::Ua { f: pf },
            9 => Control::Frmr { f: pf },
            _ => Control::Xid { pf },
        })
    }

    #[test]
    fn known_encodings() {
        // SABME P=1 from user, SAPI 0 TEI 0: 00 01 7F
        let r = FrameRepr {
            sapi: 0,
            cr: false,
            tei: 0,
            control: Control::Sabme { p: true },
            info: &[],
        };
        let mut b = [0u8; 8];
        assert_eq!(r.emit(&mut b), Ok(3));
        assert_eq!(&b[..3], &[0x00, 0x01, 0x7F]);
        // RR N(R)=5 F=1, cr=1
        let r = Frame::parse(&[0x02, 0x01, 0x01, 0x0B]).unwrap();
        assert_eq!(r.control, Control::Rr { nr: 5, pf: true });
        assert!(r.cr);
        // I frame N(S)=3 N(R)=4 P=0 with info
        let r = Frame::parse(&[0x00, 0x01, 0x06, 0x08, 0xAA]).unwrap();
        assert_eq!(
            r.control,
            Control::I {
                ns: 3,
                nr: 4,
                p: false
            }
        );
        assert_eq!(r.info, &[0xAA]);
    }

    #[test]
    fn errors() {
        assert_eq!(Frame::parse(&[0x00]), Err(FrameError::TooShort));
        assert_eq!(Frame::parse(&[0x00, 0x01]), Err(FrameError::TooShort));
        assert_eq!(Frame::parse(&[0x00, 0x01, 0x00]), Err(FrameError::TooShort));
        assert_eq!(
            Frame::parse(&[0x01, 0x01, 0x7F]),
            Err(FrameError::BadAddressExtension)
        );
        assert_eq!(
            Frame::parse(&[0x00, 0x00, 0x7F]),
            Err(FrameError::BadAddressExtension)
        );
        assert_eq!(
            Frame::parse(&[0x00, 0x01, 0x0D, 0x00]),
            Err(FrameError::UnknownControl)
        );
        assert_eq!(
            Frame::parse(&[0x00, 0x01, 0x23]),
            Err(FrameError::UnknownControl)
        );
        assert_eq!(
            Frame::parse(&[0x00, 0x01, 0x7F, 0x00]),
            Err(FrameError::InfoNotAllowed)
        );
        assert_eq!(
            Frame::parse(&[0x00, 0x01, 0x01, 0x00, 0x00]),
            Err(FrameError::InfoNotAllowed)
        );
        let mut long = vec![0x00, 0x01, 0x00, 0x00];
        long.extend_from_slice(&[0u8; N201 + 1]);
        assert_eq!(Frame::parse(&long), Err(FrameError::InfoTooLong));
        long.pop();
        assert!(Frame::parse(&long).is_ok());
        let r = FrameRepr {
            sapi: 64,
            cr: false,
            tei: 0,
            control: Control::Ua { f: true },
            info: &[],
        };
        assert_eq!(r.emit(&mut [0u8; 8]), Err(FrameError::FieldOutOfRange));
        let r = FrameRepr {
            sapi: 0,
            cr: false,
            tei: 0,
            control: Control::Ua { f: true },
            info: &[],
        };
        assert_eq!(r.emit(&mut [0u8; 2]), Err(FrameError::BufferTooSmall));
    }

    proptest! {
        #[test]
        fn roundtrip(sapi in 0u8..64, cr in any::<bool>(), tei in 0u8..128,
                     control in control_strategy(),
                     info in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut info = info;
            if !control.info_allowed() {
                info.clear();
            } else if control.info_limited() {
                info.truncate(N201);
            }
            let repr = FrameRepr { sapi, cr, tei, control, info: &info };
            let mut buf = [0u8; 512];
            let n = repr.emit(&mut buf).unwrap();
            prop_assert_eq!(n, repr.buffer_len());
            let parsed = Frame::parse(&buf[..n]).unwrap();
            prop_assert_eq!(parsed, repr);
            let mut buf2 = [0u8; 512];
            let n2 = parsed.emit(&mut buf2).unwrap();
            prop_assert_eq!(&buf[..n], &buf2[..n2]);
        }

        #[test]
        fn parse_arbitrary_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(repr) = Frame::parse(&bytes) {
                let mut buf = [0u8; 512];
                let n = repr.emit(&mut buf).unwrap();
                prop_assert_eq!(&buf[..n], &bytes[..]);
            }
        }
    }
}
