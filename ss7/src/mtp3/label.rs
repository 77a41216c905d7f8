//! Point codes, the service information octet (SIO) and the routing label
//! (Q.704 §2.2-§2.3, §14.2; T1.111.4 §2.2; China's ITU variant with 24-bit
//! point codes).
//!
//! An MSU as MTP2 delivers it is the SIO followed by the signalling
//! information field (SIF). The SIF starts with the routing label:
//!
//! * ITU: 4 octets, a 32-bit little-endian word holding DPC (bits 0-13),
//!   OPC (bits 14-27) and SLS (bits 28-31).
//! * ANSI: DPC (3 octets), OPC (3 octets), SLS (1 octet; 5-bit SLS leaves the
//!   upper three bits spare, 8-bit SLS uses the whole octet). Point codes are
//!   sent member first, then cluster, then network.
//! * China: the ANSI layout (3-octet point codes) with a 4-bit SLS in the low
//!   half of the seventh octet; the upper half is spare.

use core::fmt;

/// Maximum length of a signalling information field (Q.703 §2.3.8).
pub const MAX_SIF_LEN: usize = 272;

/// Errors from parsing or emitting MTP3 wire formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Mtp3Error {
    /// The buffer ends before the field being read.
    #[error("message too short")]
    TooShort,
    /// The SIF is longer than 272 octets.
    #[error("signalling information field longer than 272 octets")]
    TooLong,
    /// A value does not fit its field (point code, SLS, FSN, length...).
    #[error("field value out of range")]
    FieldOutOfRange,
    /// The output buffer is too small.
    #[error("output buffer too small")]
    BufferTooSmall,
    /// The heading code (H0/H1) is not one this implementation knows.
    #[error("unknown heading code H0={h0} H1={h1}")]
    UnknownHeading {
        /// H0, the message group.
        h0: u8,
        /// H1, the message within the group.
        h1: u8,
    },
    /// The SLTM/SLTA length indicator exceeds the octets present.
    #[error("test pattern length indicator exceeds the message")]
    BadLength,
}

/// MTP3 variant of a link set: decides point code width and label layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// ITU-T Q.704: 14-bit point codes, 4-bit SLS.
    Itu,
    /// ANSI T1.111: 24-bit point codes, 5- or 8-bit SLS.
    Ansi,
    /// China (ITU procedures, 24-bit point codes, 4-bit SLS).
    China,
}

impl Variant {
    /// Length of the routing label in octets (4 for ITU, 7 otherwise).
    pub const fn label_len(self) -> usize {
        match self {
            Variant::Itu => 4,
            Variant::Ansi | Variant::China => 7,
        }
    }

    /// Width of a point code in bits (14 or 24).
    pub const fn point_code_bits(self) -> u32 {
        match self {
            Variant::Itu => 14,
            Variant::Ansi | Variant::China => 24,
        }
    }

    /// Largest SLS value the label can carry (15 for ITU/China, 255 for ANSI).
    pub const fn max_sls(self) -> u8 {
        match self {
            Variant::Itu | Variant::China => 15,
            Variant::Ansi => 255,
        }
    }

    /// Octets of a point code inside SNM message fields (2 or 3).
    pub(crate) const fn pc_octets(self) -> usize {
        match self {
            Variant::Itu => 2,
            Variant::Ansi | Variant::China => 3,
        }
    }
}

/// A signalling point code. The value is the binary code; its width depends on
/// the variant (see [`PointCode::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PointCode(pub u32);

impl PointCode {
    /// A point code checked against the variant's width.
    pub fn new(variant: Variant, value: u32) -> Result<Self, Mtp3Error> {
        if value >> variant.point_code_bits() != 0 {
            return Err(Mtp3Error::FieldOutOfRange);
        }
        Ok(PointCode(value))
    }

    /// An ITU point code from its 3-8-3 parts (zone, area/network, signalling point).
    pub fn itu(zone: u8, area: u8, sp: u8) -> Result<Self, Mtp3Error> {
        if zone > 7 || sp > 7 {
            return Err(Mtp3Error::FieldOutOfRange);
        }
        Ok(PointCode(
            (u32::from(zone) << 11) | (u32::from(area) << 3) | u32::from(sp),
        ))
    }

    /// A 24-bit (ANSI or China) point code from network, cluster and member.
    pub fn ansi(network: u8, cluster: u8, member: u8) -> Self {
        PointCode((u32::from(network) << 16) | (u32::from(cluster) << 8) | u32::from(member))
    }

    /// The binary value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// Displays the point code the way the variant writes it: `z-aaa-s`
    /// (3-8-3) for ITU, `network-cluster-member` for ANSI and China.
    pub fn display(self, variant: Variant) -> PointCodeDisplay {
        PointCodeDisplay { pc: self, variant }
    }

    /// Parses `3-8-3` (ITU), `n-c-m` (ANSI/China) or a plain decimal number.
    pub fn parse_str(variant: Variant, s: &str) -> Result<Self, Mtp3Error> {
        let parts: Vec<&str> = s.trim().split(['-', '.', ':']).collect();
        let num = |p: &str| p.parse::<u32>().map_err(|_| Mtp3Error::FieldOutOfRange);
        match parts.as_slice() {
            [v] => PointCode::new(variant, num(v)?),
            [a, b, c] => {
                let (a, b, c) = (num(a)?, num(b)?, num(c)?);
                match variant {
                    Variant::Itu => {
                        if a > 7 || b > 255 || c > 7 {
                            return Err(Mtp3Error::FieldOutOfRange);
                        }
                        PointCode::itu(a as u8, b as u8, c as u8)
                    }
                    Variant::Ansi | Variant::China => {
                        if a > 255 || b > 255 || c > 255 {
                            return Err(Mtp3Error::FieldOutOfRange);
                        }
                        Ok(PointCode::ansi(a as u8, b as u8, c as u8))
                    }
                }
            }
            _ => Err(Mtp3Error::FieldOutOfRange),
        }
    }

    /// Reads a little-endian point code of the variant's SNM field width
    /// (2 octets with 14 bits used for ITU, 3 octets otherwise).
    pub(crate) fn read_field(variant: Variant, b: &[u8]) -> Result<(Self, u8), Mtp3Error> {
        match variant {
            Variant::Itu => {
                let [a, c, ..] = *b else {
                    return Err(Mtp3Error::TooShort);
                };
                let w = u16::from_le_bytes([a, c]);
                Ok((PointCode(u32::from(w & 0x3FFF)), (w >> 14) as u8))
            }
            Variant::Ansi | Variant::China => {
                let [a, c, d, ..] = *b else {
                    return Err(Mtp3Error::TooShort);
                };
                Ok((PointCode(u32::from_le_bytes([a, c, d, 0])), 0))
            }
        }
    }

    /// Writes the point code as [`Self::read_field`] reads it; `spare` fills the
    /// two top bits of an ITU field.
    pub(crate) fn write_field(
        self,
        variant: Variant,
        spare: u8,
        out: &mut Vec<u8>,
    ) -> Result<(), Mtp3Error> {
        PointCode::new(variant, self.0)?;
        match variant {
            Variant::Itu => {
                if spare > 3 {
                    return Err(Mtp3Error::FieldOutOfRange);
                }
                let w = (self.0 as u16) | (u16::from(spare) << 14);
                out.extend_from_slice(&w.to_le_bytes());
            }
            Variant::Ansi | Variant::China => out.extend_from_slice(&self.0.to_le_bytes()[..3]),
        }
        Ok(())
    }
}

/// Display helper returned by [`PointCode::display`].
#[derive(Debug, Clone, Copy)]
pub struct PointCodeDisplay {
    pc: PointCode,
    variant: Variant,
}

impl fmt::Display for PointCodeDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.pc.0;
        match self.variant {
            Variant::Itu => write!(f, "{}-{}-{}", (v >> 11) & 7, (v >> 3) & 0xFF, v & 7),
            Variant::Ansi | Variant::China => {
                write!(f, "{}-{}-{}", (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)
            }
        }
    }
}

/// Network indicator, the two top bits of the SIO (Q.704 §14.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkIndicator {
    /// 00: international network.
    International,
    /// 01: spare (international use).
    InternationalSpare,
    /// 10: national network.
    National,
    /// 11: reserved for national use.
    NationalSpare,
}

impl NetworkIndicator {
    /// From the two-bit code.
    pub const fn from_bits(b: u8) -> Self {
        match b & 3 {
            0 => NetworkIndicator::International,
            1 => NetworkIndicator::InternationalSpare,
            2 => NetworkIndicator::National,
            _ => NetworkIndicator::NationalSpare,
        }
    }

    /// The two-bit code.
    pub const fn bits(self) -> u8 {
        self as u8
    }
}

/// Service indicator values (Q.704 §14.2.1; T1.111.4).
pub mod si {
    /// Signalling network management messages.
    pub const SNM: u8 = 0;
    /// Signalling network testing and maintenance messages (regular).
    pub const SNT: u8 = 1;
    /// Signalling network testing and maintenance, special (ANSI).
    pub const SNT_SPECIAL: u8 = 2;
    /// SCCP.
    pub const SCCP: u8 = 3;
    /// Telephone user part.
    pub const TUP: u8 = 4;
    /// ISDN user part.
    pub const ISUP: u8 = 5;
    /// Data user part (call and circuit related).
    pub const DUP_CALL: u8 = 6;
    /// Data user part (facility registration and cancellation).
    pub const DUP_FACILITY: u8 = 7;
    /// MTP testing user part.
    pub const MTP_TEST: u8 = 8;
    /// Broadband ISUP.
    pub const BISUP: u8 = 9;
    /// Satellite ISUP.
    pub const SISUP: u8 = 10;
}

/// The service information octet: service indicator (bits 0-3), priority
/// (bits 4-5, ANSI; spare in ITU) and network indicator (bits 6-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sio {
    /// Service indicator (see [`si`]).
    pub si: u8,
    /// Message priority 0-3 (ANSI); spare bits elsewhere, normally 0.
    pub priority: u8,
    /// Network indicator.
    pub ni: NetworkIndicator,
}

impl Sio {
    /// Decodes an SIO octet (every value is valid).
    pub const fn from_octet(o: u8) -> Self {
        Sio {
            si: o & 0x0F,
            priority: (o >> 4) & 3,
            ni: NetworkIndicator::from_bits(o >> 6),
        }
    }

    /// Encodes the SIO octet; fails when `si > 15` or `priority > 3`.
    pub fn to_octet(self) -> Result<u8, Mtp3Error> {
        if self.si > 15 || self.priority > 3 {
            return Err(Mtp3Error::FieldOutOfRange);
        }
        Ok(self.si | (self.priority << 4) | (self.ni.bits() << 6))
    }
}

/// A checked view of a routing label at the start of a SIF.
#[derive(Debug, Clone, Copy)]
pub struct LabelView<T: AsRef<[u8]>> {
    buf: T,
    variant: Variant,
}

impl<T: AsRef<[u8]>> LabelView<T> {
    /// Checks that `buf` holds at least a routing label of `variant`.
    pub fn new_checked(variant: Variant, buf: T) -> Result<Self, Mtp3Error> {
        if buf.as_ref().len() < variant.label_len() {
            return Err(Mtp3Error::TooShort);
        }
        Ok(LabelView { buf, variant })
    }

    fn itu_word(&self) -> u32 {
        let b = self.buf.as_ref();
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    fn pc24(&self, at: usize) -> u32 {
        let b = self.buf.as_ref();
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], 0])
    }

    /// Destination point code.
    pub fn dpc(&self) -> PointCode {
        match self.variant {
            Variant::Itu => PointCode(self.itu_word() & 0x3FFF),
            Variant::Ansi | Variant::China => PointCode(self.pc24(0)),
        }
    }

    /// Originating point code.
    pub fn opc(&self) -> PointCode {
        match self.variant {
            Variant::Itu => PointCode((self.itu_word() >> 14) & 0x3FFF),
            Variant::Ansi | Variant::China => PointCode(self.pc24(3)),
        }
    }

    /// Signalling link selection (ANSI: the whole octet; China: low 4 bits).
    pub fn sls(&self) -> u8 {
        match self.variant {
            Variant::Itu => (self.itu_word() >> 28) as u8,
            Variant::Ansi => self.buf.as_ref()[6],
            Variant::China => self.buf.as_ref()[6] & 0x0F,
        }
    }

    /// The octets after the label.
    pub fn payload(&self) -> &[u8] {
        &self.buf.as_ref()[self.variant.label_len()..]
    }
}

/// A routing label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RoutingLabel {
    /// Destination point code.
    pub dpc: PointCode,
    /// Originating point code.
    pub opc: PointCode,
    /// Signalling link selection (for SNM/SNT messages in ITU and China:
    /// the signalling link code).
    pub sls: u8,
}

impl RoutingLabel {
    /// Parses the label at the start of `sif`; returns it and the rest.
    pub fn parse(variant: Variant, sif: &[u8]) -> Result<(Self, &[u8]), Mtp3Error> {
        if sif.len() > MAX_SIF_LEN {
            return Err(Mtp3Error::TooLong);
        }
        let v = LabelView::new_checked(variant, sif)?;
        let label = RoutingLabel {
            dpc: v.dpc(),
            opc: v.opc(),
            sls: v.sls(),
        };
        Ok((label, &sif[variant.label_len()..]))
    }

    /// Appends the label to `out`.
    pub fn emit(&self, variant: Variant, out: &mut Vec<u8>) -> Result<(), Mtp3Error> {
        PointCode::new(variant, self.dpc.0)?;
        PointCode::new(variant, self.opc.0)?;
        if self.sls > variant.max_sls() {
            return Err(Mtp3Error::FieldOutOfRange);
        }
        match variant {
            Variant::Itu => {
                let w = self.dpc.0 | (self.opc.0 << 14) | (u32::from(self.sls) << 28);
                out.extend_from_slice(&w.to_le_bytes());
            }
            Variant::Ansi | Variant::China => {
                out.extend_from_slice(&self.dpc.0.to_le_bytes()[..3]);
                out.extend_from_slice(&self.opc.0.to_le_bytes()[..3]);
                out.push(self.sls);
            }
        }
        Ok(())
    }

    /// Builds a SIF from a label and a user part payload.
    pub fn emit_sif(&self, variant: Variant, payload: &[u8]) -> Result<Vec<u8>, Mtp3Error> {
        let mut out = Vec::with_capacity(variant.label_len() + payload.len());
        self.emit(variant, &mut out)?;
        out.extend_from_slice(payload);
        if out.len() > MAX_SIF_LEN {
            return Err(Mtp3Error::TooLong);
        }
        Ok(out)
    }

    /// The label for an answer: OPC and DPC swapped, same SLS.
    pub fn reversed(&self) -> Self {
        RoutingLabel {
            dpc: self.opc,
            opc: self.dpc,
            sls: self.sls,
        }
    }
}

/// Splits an MSU (SIO octet followed by the SIF) into SIO, label and payload.
pub fn parse_msu(variant: Variant, msu: &[u8]) -> Result<(Sio, RoutingLabel, &[u8]), Mtp3Error> {
    let (&sio, sif) = msu.split_first().ok_or(Mtp3Error::TooShort)?;
    let (label, payload) = RoutingLabel::parse(variant, sif)?;
    Ok((Sio::from_octet(sio), label, payload))
}
