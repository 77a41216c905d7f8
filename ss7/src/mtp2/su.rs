//! MTP2 signal unit wire format (Q.703 §2, §11).
//!
//! Signal units are handled *without* the opening/closing flags and the
//! check bits (FCS): HDLC framing is done by the driver. The octets are, in
//! transmission order:
//!
//! | octet | bits 1-7 (LSB first)      | bit 8 |
//! |-------|---------------------------|-------|
//! | 0     | BSN, backward sequence no.| BIB   |
//! | 1     | FSN, forward sequence no. | FIB   |
//! | 2     | LI (bits 1-6), 2 spare    |       |
//! | 3..   | status field (LSSU) or SIO + SIF (MSU) |
//!
//! The length indicator (LI) tells the kind of signal unit (Q.703 §2.3.3):
//! 0 is a fill-in signal unit (FISU), 1 or 2 a link status signal unit
//! (LSSU), 3..=63 a message signal unit (MSU); an MSU whose SIO + SIF is
//! longer than 62 octets carries LI = 63. This holds for ITU and ANSI
//! (T1.111) on 64 kbit/s links.
//!
//! Spare bits (the top two bits of the LI octet, the top five bits of the
//! status octet and the second status octet) are ignored on receipt and sent
//! as zero, so `emit(parse(x)) == x` for every accepted `x` whose spare bits
//! are zero.

use core::fmt;
use core::ops::Deref;

use thiserror::Error;

/// Maximum signalling information field (SIF) length in octets (Q.703 §2.3.8).
pub const MAX_SIF: usize = 272;
/// Minimum SIF length of an MSU (an MSU has LI >= 3: SIO plus at least 2 octets).
pub const MIN_SIF: usize = 2;
/// Length of the BSN/FSN/LI header in octets.
pub const HEADER_LEN: usize = 3;
/// Longest signal unit (without flags and FCS): header, SIO and a full SIF.
pub const MAX_SU_LEN: usize = HEADER_LEN + 1 + MAX_SIF;
/// The LI value carried by MSUs with more than 62 octets of SIO + SIF.
pub const LI_LONG: u8 = 63;

/// Errors from checking, parsing or emitting a signal unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SuError {
    /// Fewer than the three header octets.
    #[error("signal unit shorter than its 3-octet header")]
    TooShort,
    /// The length indicator does not match the number of octets received.
    #[error("length indicator {li} inconsistent with {len} octets after it")]
    BadLength {
        /// The received LI.
        li: u8,
        /// The octets actually following the LI octet.
        len: usize,
    },
    /// An LSSU status field carries a status code Q.703 does not define (6 or 7).
    #[error("unknown link status code {0}")]
    BadStatus(u8),
    /// A field is out of range when emitting (BSN/FSN > 127, SIF length).
    #[error("field value out of range")]
    FieldOutOfRange,
    /// The output buffer is too small for the signal unit.
    #[error("output buffer too small")]
    BufferTooSmall,
}

/// The status carried by a link status signal unit (Q.703 §11.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkStatus {
    /// SIO, status "O": out of alignment.
    Sio,
    /// SIN, status "N": normal alignment (normal proving).
    Sin,
    /// SIE, status "E": emergency alignment (emergency proving).
    Sie,
    /// SIOS, status "OS": out of service.
    Sios,
    /// SIPO, status "PO": processor outage.
    Sipo,
    /// SIB, status "B": busy (receiver congestion).
    Sib,
}

impl LinkStatus {
    /// The 3-bit status code (bits C, B, A of the status field).
    pub fn code(self) -> u8 {
        match self {
            LinkStatus::Sio => 0,
            LinkStatus::Sin => 1,
            LinkStatus::Sie => 2,
            LinkStatus::Sios => 3,
            LinkStatus::Sipo => 4,
            LinkStatus::Sib => 5,
        }
    }

    /// The status for a 3-bit code; `BadStatus` for the undefined codes 6 and 7.
    pub fn from_code(code: u8) -> Result<Self, SuError> {
        Ok(match code & 0x07 {
            0 => LinkStatus::Sio,
            1 => LinkStatus::Sin,
            2 => LinkStatus::Sie,
            3 => LinkStatus::Sios,
            4 => LinkStatus::Sipo,
            5 => LinkStatus::Sib,
            c => return Err(SuError::BadStatus(c)),
        })
    }
}

impl fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkStatus::Sio => "SIO",
            LinkStatus::Sin => "SIN",
            LinkStatus::Sie => "SIE",
            LinkStatus::Sios => "SIOS",
            LinkStatus::Sipo => "SIPO",
            LinkStatus::Sib => "SIB",
        })
    }
}

/// What follows the header of a signal unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuKind<'a> {
    /// Fill-in signal unit (LI = 0).
    Fisu,
    /// Link status signal unit (LI = 1 or 2).
    Lssu {
        /// The link status.
        status: LinkStatus,
        /// Whether the status field is two octets long (LI = 2); the second is spare.
        two_octets: bool,
    },
    /// Message signal unit (LI >= 3).
    Msu {
        /// Service information octet (service indicator and network indicator).
        sio: u8,
        /// Signalling information field, `MIN_SIF..=MAX_SIF` octets.
        sif: &'a [u8],
    },
}

/// High-level representation of a signal unit (without flags and FCS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuRepr<'a> {
    /// Backward sequence number, 0..=127.
    pub bsn: u8,
    /// Backward indicator bit.
    pub bib: bool,
    /// Forward sequence number, 0..=127.
    pub fsn: u8,
    /// Forward indicator bit.
    pub fib: bool,
    /// FISU, LSSU or MSU content.
    pub kind: SuKind<'a>,
}

impl<'a> SuRepr<'a> {
    /// Number of octets after the LI octet.
    fn payload_len(&self) -> usize {
        match self.kind {
            SuKind::Fisu => 0,
            SuKind::Lssu { two_octets, .. } => 1 + usize::from(two_octets),
            SuKind::Msu { sif, .. } => 1 + sif.len(),
        }
    }

    /// Total encoded length in octets.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload_len()
    }

    /// The length indicator this signal unit carries.
    pub fn li(&self) -> u8 {
        // payload_len() <= 273 once checked; saturate at LI_LONG anyway.
        u8::try_from(self.payload_len())
            .unwrap_or(LI_LONG)
            .min(LI_LONG)
    }

    fn check(&self) -> Result<(), SuError> {
        if self.bsn > 127 || self.fsn > 127 {
            return Err(SuError::FieldOutOfRange);
        }
        if let SuKind::Msu { sif, .. } = self.kind {
            if !(MIN_SIF..=MAX_SIF).contains(&sif.len()) {
                return Err(SuError::FieldOutOfRange);
            }
        }
        Ok(())
    }

    /// Encode into `buf`, returning the number of octets written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, SuError> {
        self.check()?;
        let len = self.buffer_len();
        let out = buf.get_mut(..len).ok_or(SuError::BufferTooSmall)?;
        out[0] = self.bsn | (u8::from(self.bib) << 7);
        out[1] = self.fsn | (u8::from(self.fib) << 7);
        out[2] = self.li();
        match self.kind {
            SuKind::Fisu => {}
            SuKind::Lssu { status, two_octets } => {
                out[3] = status.code();
                if two_octets {
                    out[4] = 0;
                }
            }
            SuKind::Msu { sio, sif } => {
                out[3] = sio;
                out[4..].copy_from_slice(sif);
            }
        }
        Ok(len)
    }
}

/// A read-only, checked view of a received signal unit (without flags and FCS).
#[derive(Debug, Clone, Copy)]
pub struct SignalUnit<'a> {
    buf: &'a [u8],
}

impl<'a> SignalUnit<'a> {
    /// Wrap `buf` after checking the header and that the LI matches the length.
    pub fn new_checked(buf: &'a [u8]) -> Result<Self, SuError> {
        if buf.len() < HEADER_LEN {
            return Err(SuError::TooShort);
        }
        let li = buf[2] & 0x3f;
        let len = buf.len() - HEADER_LEN;
        let ok = if li < LI_LONG {
            len == usize::from(li)
        } else {
            (usize::from(LI_LONG)..=1 + MAX_SIF).contains(&len)
        };
        if !ok {
            return Err(SuError::BadLength { li, len });
        }
        Ok(SignalUnit { buf })
    }

    /// Backward sequence number.
    pub fn bsn(&self) -> u8 {
        self.buf[0] & 0x7f
    }

    /// Backward indicator bit.
    pub fn bib(&self) -> bool {
        self.buf[0] & 0x80 != 0
    }

    /// Forward sequence number.
    pub fn fsn(&self) -> u8 {
        self.buf[1] & 0x7f
    }

    /// Forward indicator bit.
    pub fn fib(&self) -> bool {
        self.buf[1] & 0x80 != 0
    }

    /// Length indicator (6 bits).
    pub fn li(&self) -> u8 {
        self.buf[2] & 0x3f
    }

    /// The octets after the LI octet (status field, or SIO + SIF).
    pub fn payload(&self) -> &'a [u8] {
        &self.buf[HEADER_LEN..]
    }

    /// Parse and validate a complete signal unit into its representation.
    pub fn parse(buf: &'a [u8]) -> Result<SuRepr<'a>, SuError> {
        let su = SignalUnit::new_checked(buf)?;
        let payload = su.payload();
        let kind = match su.li() {
            0 => SuKind::Fisu,
            1 | 2 => SuKind::Lssu {
                status: LinkStatus::from_code(payload[0])?,
                two_octets: su.li() == 2,
            },
            _ => SuKind::Msu {
                sio: payload[0],
                sif: &payload[1..],
            },
        };
        Ok(SuRepr {
            bsn: su.bsn(),
            bib: su.bib(),
            fsn: su.fsn(),
            fib: su.fib(),
            kind,
        })
    }
}

/// A fixed-capacity buffer holding one encoded signal unit (no allocation).
///
/// Dereferences to the encoded octets (without flags and FCS).
#[derive(Clone, Copy)]
pub struct SuBuf {
    buf: [u8; MAX_SU_LEN],
    len: usize,
}

impl SuBuf {
    /// Encode `repr` into a new buffer.
    pub fn from_repr(repr: &SuRepr<'_>) -> Result<Self, SuError> {
        let mut b = SuBuf {
            buf: [0; MAX_SU_LEN],
            len: 0,
        };
        b.len = repr.emit(&mut b.buf)?;
        Ok(b)
    }
}

impl Deref for SuBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Debug for SuBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SuBuf({:02x?})", &self[..])
    }
}

impl PartialEq for SuBuf {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl Eq for SuBuf {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_encodings() {
        // FISU, BSN 127 BIB 1, FSN 127 FIB 1 (the values at alignment).
        let r = SignalUnit::parse(&[0xff, 0xff, 0x00]).unwrap();
        assert_eq!((r.bsn, r.bib, r.fsn, r.fib), (127, true, 127, true));
        assert_eq!(r.kind, SuKind::Fisu);
        // LSSU SIOS with BSN 5, FSN 6, indicator bits clear.
        let r = SignalUnit::parse(&[0x05, 0x06, 0x01, 0x03]).unwrap();
        assert_eq!((r.bsn, r.bib, r.fsn, r.fib), (5, false, 6, false));
        assert_eq!(
            r.kind,
            SuKind::Lssu {
                status: LinkStatus::Sios,
                two_octets: false
            }
        );
        // MSU SIO 0x85 (SNM... national), SIF of 4 octets.
        let r = SignalUnit::parse(&[0x80, 0x01, 0x05, 0x85, 1, 2, 3, 4]).unwrap();
        assert_eq!(
            r.kind,
            SuKind::Msu {
                sio: 0x85,
                sif: &[1, 2, 3, 4]
            }
        );
        let mut out = [0u8; 16];
        assert_eq!(r.emit(&mut out), Ok(8));
        assert_eq!(&out[..8], &[0x80, 0x01, 0x05, 0x85, 1, 2, 3, 4]);
    }

    #[test]
    fn long_msu_carries_li_63() {
        let sif = [0xaa; 100];
        let r = SuRepr {
            bsn: 1,
            bib: false,
            fsn: 2,
            fib: false,
            kind: SuKind::Msu { sio: 3, sif: &sif },
        };
        let b = SuBuf::from_repr(&r).unwrap();
        assert_eq!(b.len(), 104);
        assert_eq!(b[2], 63);
        assert_eq!(SignalUnit::parse(&b).unwrap(), r);
        // 62 octets of SIO + SIF is the longest with an exact LI.
        let r = SuRepr {
            kind: SuKind::Msu {
                sio: 3,
                sif: &sif[..61],
            },
            ..r
        };
        assert_eq!(SuBuf::from_repr(&r).unwrap()[2], 62);
    }

    #[test]
    fn errors() {
        assert_eq!(SignalUnit::parse(&[0, 0]), Err(SuError::TooShort));
        assert_eq!(
            SignalUnit::parse(&[0, 0, 1]),
            Err(SuError::BadLength { li: 1, len: 0 })
        );
        assert_eq!(
            SignalUnit::parse(&[0, 0, 0, 9]),
            Err(SuError::BadLength { li: 0, len: 1 })
        );
        assert_eq!(SignalUnit::parse(&[0, 0, 1, 6]), Err(SuError::BadStatus(6)));
        assert_eq!(SignalUnit::parse(&[0, 0, 1, 7]), Err(SuError::BadStatus(7)));
        // LI 63 needs at least 63 octets after it, at most SIO + 272.
        let mut v = vec![0u8, 0, 63];
        v.extend_from_slice(&[0; 62]);
        assert!(matches!(
            SignalUnit::parse(&v),
            Err(SuError::BadLength { li: 63, len: 62 })
        ));
        v.push(0);
        assert!(SignalUnit::parse(&v).is_ok());
        v.resize(3 + 1 + MAX_SIF, 0);
        assert!(SignalUnit::parse(&v).is_ok());
        v.push(0);
        assert!(SignalUnit::parse(&v).is_err());
        // Emit range checks.
        let r = SuRepr {
            bsn: 128,
            bib: false,
            fsn: 0,
            fib: false,
            kind: SuKind::Fisu,
        };
        assert_eq!(r.emit(&mut [0; 8]), Err(SuError::FieldOutOfRange));
        let r = SuRepr {
            bsn: 0,
            kind: SuKind::Msu { sio: 0, sif: &[1] },
            ..r
        };
        assert_eq!(r.emit(&mut [0; 8]), Err(SuError::FieldOutOfRange));
        let r = SuRepr {
            kind: SuKind::Msu {
                sio: 0,
                sif: &[1, 2],
            },
            ..r
        };
        assert_eq!(r.emit(&mut [0; 5]), Err(SuError::BufferTooSmall));
    }

    fn status_strategy() -> impl Strategy<Value = LinkStatus> {
        (0u8..6).prop_map(|c| LinkStatus::from_code(c).unwrap())
    }

    proptest! {
        #[test]
        fn repr_roundtrip(bsn in 0u8..128, bib in any::<bool>(), fsn in 0u8..128,
                          fib in any::<bool>(), k in 0u8..3, status in status_strategy(),
                          two in any::<bool>(), sio in any::<u8>(),
                          sif in proptest::collection::vec(any::<u8>(), MIN_SIF..=MAX_SIF)) {
            let kind = match k {
                0 => SuKind::Fisu,
                1 => SuKind::Lssu { status, two_octets: two },
                _ => SuKind::Msu { sio, sif: &sif },
            };
            let repr = SuRepr { bsn, bib, fsn, fib, kind };
            let b = SuBuf::from_repr(&repr).unwrap();
            prop_assert_eq!(b.len(), repr.buffer_len());
            prop_assert_eq!(SignalUnit::parse(&b).unwrap(), repr);
        }

        #[test]
        fn parse_arbitrary_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(repr) = SignalUnit::parse(&bytes) {
                let b = SuBuf::from_repr(&repr).unwrap();
                // Equal except for the spare bits, which are sent as zero.
                let mut expect = bytes.clone();
                expect[2] &= 0x3f;
                if let SuKind::Lssu { two_octets, .. } = repr.kind {
                    expect[3] &= 0x07;
                    if two_octets {
                        expect[4] = 0;
                    }
                }
                prop_assert_eq!(&b[..], &expect[..]);
            }
        }
    }
}
