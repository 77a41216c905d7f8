//! Signalling network testing and maintenance messages (Q.707 §5;
//! T1.111.7): the signalling link test message (SLTM) and its
//! acknowledgement (SLTA), service indicator 1 (ANSI also uses 2).
//!
//! After the label: the heading (H0 = 1, H1 = 1 for SLTM, 2 for SLTA), then
//! an octet with the test pattern length in its high four bits, then 0-15
//! octets of test pattern. The low four bits are spare in ITU and China (the
//! SLC travels in the label's SLS) and carry the SLC in ANSI.

use super::label::{Mtp3Error, RoutingLabel, Variant};

/// Longest test pattern (the length indicator has four bits).
pub const MAX_TEST_PATTERN: usize = 15;

/// SLTM or SLTA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SltKind {
    /// Signalling link test message.
    Sltm,
    /// Signalling link test acknowledgement.
    Slta,
}

/// A signalling link test message or acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SltMessage {
    /// SLTM or SLTA.
    pub kind: SltKind,
    /// Signalling link code of the link under test.
    pub slc: u8,
    /// Test pattern (at most 15 octets); an SLTA echoes the SLTM's pattern.
    pub pattern: Vec<u8>,
}

impl SltMessage {
    /// Parses the part after the label. `label_sls` carries the SLC in ITU and China.
    pub fn parse(variant: Variant, label_sls: u8, payload: &[u8]) -> Result<Self, Mtp3Error> {
        let [heading, li, rest @ ..] = payload else {
            return Err(Mtp3Error::TooShort);
        };
        let kind = match (heading & 0x0F, heading >> 4) {
            (1, 1) => SltKind::Sltm,
            (1, 2) => SltKind::Slta,
            (h0, h1) => return Err(Mtp3Error::UnknownHeading { h0, h1 }),
        };
        let len = usize::from(li >> 4);
        let pattern = rest.get(..len).ok_or(Mtp3Error::BadLength)?.to_vec();
        let slc = if variant == Variant::Ansi {
            li & 0x0F
        } else {
            label_sls & 0x0F
        };
        Ok(SltMessage { kind, slc, pattern })
    }

    /// Appends the heading, length octet and pattern to `out`.
    pub fn emit(&self, variant: Variant, out: &mut Vec<u8>) -> Result<(), Mtp3Error> {
        if self.pattern.len() > MAX_TEST_PATTERN || self.slc > 15 {
            return Err(Mtp3Error::FieldOutOfRange);
        }
        out.push(match self.kind {
            SltKind::Sltm => 0x11,
            SltKind::Slta => 0x21,
        });
        let low = if variant == Variant::Ansi {
            self.slc
        } else {
            0
        };
        out.push(((self.pattern.len() as u8) << 4) | low);
        out.extend_from_slice(&self.pattern);
        Ok(())
    }

    /// Builds a whole SIF; in ITU and China the label's SLS becomes the SLC.
    pub fn to_sif(&self, variant: Variant, label: RoutingLabel) -> Result<Vec<u8>, Mtp3Error> {
        let mut label = label;
        if variant != Variant::Ansi {
            label.sls = self.slc;
        }
        let mut out = Vec::with_capacity(24);
        label.emit(variant, &mut out)?;
        self.emit(variant, &mut out)?;
        Ok(out)
    }

    /// Parses a whole SNT SIF into its label and message.
    pub fn from_sif(variant: Variant, sif: &[u8]) -> Result<(RoutingLabel, Self), Mtp3Error> {
        let (label, payload) = RoutingLabel::parse(variant, sif)?;
        Ok((label, SltMessage::parse(variant, label.sls, payload)?))
    }
}
