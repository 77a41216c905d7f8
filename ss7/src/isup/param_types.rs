//! Typed indicator parameters of Q.763 clause 3. Each keeps every bit of its
//! octets (spare and national-use bits included) so round trips are exact.

use super::{Error, Result};

fn bit(b: u8, n: u8) -> bool {
    b & (1 << n) != 0
}

fn set(v: bool, n: u8) -> u8 {
    u8::from(v) << n
}

fn exact<const N: usize>(code: u8, data: &[u8]) -> Result<[u8; N]> {
    data.try_into().map_err(|_| Error::BadParameter {
        code,
        reason: "wrong length for a fixed-length parameter",
    })
}

/// Nature of connection indicators (Q.763 3.35), one octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NatureOfConnectionIndicators {
    /// Satellite indicator (bits BA): 0 none, 1 one, 2 two satellite circuits.
    pub satellite: u8,
    /// Continuity check indicator (bits DC): 0 not required, 1 required on
    /// this circuit, 2 performed on a previous circuit.
    pub continuity_check: u8,
    /// Echo control device indicator (bit E): outgoing half echo control
    /// device included.
    pub echo_control_device: bool,
    /// Bits HGF (spare in ITU).
    pub spare: u8,
}

impl NatureOfConnectionIndicators {
    /// Parse the one-octet contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<Self> {
        let [b] = exact::<1>(code, data)?;
        Ok(Self {
            satellite: b & 3,
            continuity_check: (b >> 2) & 3,
            echo_control_device: bit(b, 4),
            spare: b >> 5,
        })
    }

    /// The contents octet.
    pub fn to_byte(&self) -> u8 {
        (self.satellite & 3)
            | ((self.continuity_check & 3) << 2)
            | set(self.echo_control_device, 4)
            | ((self.spare & 7) << 5)
    }
}

/// Forward call indicators (Q.763 3.23), two octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ForwardCallIndicators {
    /// Bit A: international call (`false` = national call).
    pub international: bool,
    /// Bits CB: end-to-end method indicator (0 none available).
    pub end_to_end_method: u8,
    /// Bit D: interworking encountered.
    pub interworking: bool,
    /// Bit E: end-to-end information available.
    pub end_to_end_information: bool,
    /// Bit F: ISDN user part used all the way.
    pub isdn_user_part: bool,
    /// Bits HG: ISDN user part preference (0 preferred, 1 not required,
    /// 2 required all the way).
    pub isdn_user_part_preference: u8,
    /// Bit I: originating access ISDN.
    pub isdn_access: bool,
    /// Bits KJ: SCCP method indicator (0 no indication).
    pub sccp_method: u8,
    /// Bits P-L of the second octet (spare / reserved for national use;
    /// ANSI uses bit M for ported number translation).
    pub national: u8,
}

impl ForwardCallIndicators {
    /// Parse the two-octet contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<Self> {
        let [a, b] = exact::<2>(code, data)?;
        Ok(Self {
            international: bit(a, 0),
            end_to_end_method: (a >> 1) & 3,
            interworking: bit(a, 3),
            end_to_end_information: bit(a, 4),
            isdn_user_part: bit(a, 5),
            isdn_user_part_preference: a >> 6,
            isdn_access: bit(b, 0),
            sccp_method: (b >> 1) & 3,
            national: b >> 3,
        })
    }

    /// The contents octets.
    pub fn to_bytes(&self) -> [u8; 2] {
        [
            set(self.international, 0)
                | ((self.end_to_end_method & 3) << 1)
                | set(self.interworking, 3)
                | set(self.end_to_end_information, 4)
                | set(self.isdn_user_part, 5)
                | ((self.isdn_user_part_preference & 3) << 6),
            set(self.isdn_access, 0)
                | ((self.sccp_method & 3) << 1)
                | ((self.national & 0x1f) << 3),
        ]
    }
}

/// Backward call indicators (Q.763 3.5), two octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BackwardCallIndicators {
    /// Bits BA: charge indicator (0 no indication, 1 no charge, 2 charge).
    pub charge: u8,
    /// Bits DC: called party's status (0 no indication, 1 subscriber free).
    pub called_party_status: u8,
    /// Bits FE: called party's category (0 no indication, 1 ordinary, 2 payphone).
    pub called_party_category: u8,
    /// Bits HG: end-to-end method indicator.
    pub end_to_end_method: u8,
    /// Bit I: interworking encountered.
    pub interworking: bool,
    /// Bit J: end-to-end information available.
    pub end_to_end_information: bool,
    /// Bit K: ISDN user part used all the way.
    pub isdn_user_part: bool,
    /// Bit L: holding requested.
    pub holding: bool,
    /// Bit M: terminating access ISDN.
    pub isdn_access: bool,
    /// Bit N: incoming half echo control device included.
    pub echo_control_device: bool,
    /// Bits PO: SCCP method indicator.
    pub sccp_method: u8,
}

impl BackwardCallIndicators {
    /// Parse the two-octet contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<Self> {
        let [a, b] = exact::<2>(code, data)?;
        Ok(Self {
            charge: a & 3,
            called_party_status: (a >> 2) & 3,
            called_party_category: (a >> 4) & 3,
            end_to_end_method: a >> 6,
            interworking: bit(b, 0),
            end_to_end_information: bit(b, 1),
            isdn_user_part: bit(b, 2),
            holding: bit(b, 3),
            isdn_access: bit(b, 4),
            echo_control_device: bit(b, 5),
            sccp_method: b >> 6,
        })
    }

    /// The contents octets.
    pub fn to_bytes(&self) -> [u8; 2] {
        [
            (self.charge & 3)
                | ((self.called_party_status & 3) << 2)
                | ((self.called_party_category & 3) << 4)
                | ((self.end_to_end_method & 3) << 6),
            set(self.interworking, 0)
                | set(self.end_to_end_information, 1)
                | set(self.isdn_user_part, 2)
                | set(self.holding, 3)
                | set(self.isdn_access, 4)
                | set(self.echo_control_device, 5)
                | ((self.sccp_method & 3) << 6),
        ]
    }
}

/// Optional backward call indicators (Q.763 3.37), one octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OptionalBackwardCallIndicators {
    /// Bit A: in-band information indicator (in-band information or an
    /// appropriate pattern is now available).
    pub in_band_information: bool,
    /// Bit B: call diversion may occur.
    pub call_diversion_may_occur: bool,
    /// Bit C: simple segmentation (additional information will be sent).
    pub simple_segmentation: bool,
    /// Bit D: MLPP user.
    pub mlpp_user: bool,
    /// Bits H-E (spare / reserved for national use).
    pub national: u8,
}

impl OptionalBackwardCallIndicators {
    /// Parse the one-octet contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<Self> {
        let [b] = exact::<1>(code, data)?;
        Ok(Self {
            in_band_information: bit(b, 0),
            call_diversion_may_occur: bit(b, 1),
            simple_segmentation: bit(b, 2),
            mlpp_user: bit(b, 3),
            national: b >> 4,
        })
    }

    /// The contents octet.
    pub fn to_byte(&self) -> u8 {
        set(self.in_band_information, 0)
            | set(self.call_diversion_may_occur, 1)
            | set(self.simple_segmentation, 2)
            | set(self.mlpp_user, 3)
            | ((self.national & 0xf) << 4)
    }
}

/// Cause indicators (Q.763 3.12, Q.850).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Cause {
    /// Coding standard (octet 1 bits 7-6): 0 ITU-T, 2 national.
    pub coding_standard: u8,
    /// Location (bits 4-1): 0 user, 1 private network serving the local
    /// user, 2 public network serving the local user, 3 transit network,
    /// 4 public network serving the remote user, 7 international network,
    /// 10 beyond an interworking point.
    pub location: u8,
    /// Recommendation (octet 1a), present when octet 1's extension bit is 0.
    pub recommendation: Option<u8>,
    /// Cause value (7 bits, Q.850), e.g. 16 normal call clearing.
    pub cause_value: u8,
    /// Diagnostics (octets 3 ff.).
    pub diagnostics: Vec<u8>,
}

impl Cause {
    /// An ITU-T coded cause with a location and no diagnostics.
    pub fn new(location: u8, cause_value: u8) -> Cause {
        Cause {
            location,
            cause_value,
            ..Cause::default()
        }
    }

    /// Parse the contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<Cause> {
        let bad = |reason| Error::BadParameter { code, reason };
        let (&o1, mut rest) = data.split_first().ok_or(bad("cause indicators empty"))?;
        let mut recommendation = None;
        if o1 & 0x80 == 0 {
            let (&r, tail) = rest.split_first().ok_or(bad("octet 1a missing"))?;
            recommendation = Some(r & 0x7f);
            rest = tail;
        }
        let (&cv, diagnostics) = rest.split_first().ok_or(bad("cause value missing"))?;
        Ok(Cause {
            coding_standard: (o1 >> 5) & 3,
            location: o1 & 0x0f,
            recommendation,
            cause_value: cv & 0x7f,
            diagnostics: diagnostics.to_vec(),
        })
    }

    /// Contents length in octets.
    pub fn content_len(&self) -> usize {
        2 + usize::from(self.recommendation.is_some()) + self.diagnostics.len()
    }

    /// Append the contents to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let ext = if self.recommendation.is_some() {
            0
        } else {
            0x80
        };
        out.push(ext | ((self.coding_standard & 3) << 5) | (self.location & 0x0f));
        if let Some(r) = self.recommendation {
            out.push(0x80 | (r & 0x7f));
        }
        out.push(0x80 | (self.cause_value & 0x7f));
        out.extend_from_slice(&self.diagnostics);
    }
}

/// Event information (Q.763 3.21), one octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EventInformation {
    /// Event indicator (7 bits): 1 alerting, 2 progress, 3 in-band
    /// information available, 4 call forwarded on busy, 5 on no reply,
    /// 6 unconditional.
    pub event: u8,
    /// Bit H: event presentation restricted.
    pub presentation_restricted: bool,
}

impl EventInformation {
    /// Parse the one-octet contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<Self> {
        let [b] = exact::<1>(code, data)?;
        Ok(Self {
            event: b & 0x7f,
            presentation_restricted: bit(b, 7),
        })
    }

    /// The contents octet.
    pub fn to_byte(&self) -> u8 {
        (self.event & 0x7f) | set(self.presentation_restricted, 7)
    }
}

/// Circuit group supervision message type (Q.763 3.13), one octet; bits BA
/// are the type indicator, the rest is kept as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CircuitGroupSupervisionType(pub u8);

impl CircuitGroupSupervisionType {
    /// Maintenance oriented.
    pub const MAINTENANCE: Self = Self(0);
    /// Hardware failure oriented.
    pub const HARDWARE_FAILURE: Self = Self(1);

    /// The type indicator (bits BA).
    pub fn type_indicator(self) -> u8 {
        self.0 & 3
    }
}

/// Range and status (Q.763 3.43): range (circuits - 1 after the CIC) and
/// the status bits, one per circuit, first circuit in bit 1 of the first
/// status octet. GRS and CQM carry no status (`status` empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RangeAndStatus {
    /// Range octet.
    pub range: u8,
    /// Status octets as received.
    pub status: Vec<u8>,
}

impl RangeAndStatus {
    /// Range without status (GRS, CQM).
    pub fn range_only(range: u8) -> Self {
        Self {
            range,
            status: Vec::new(),
        }
    }

    /// Range with one status bit per circuit (`range + 1` bits used).
    pub fn with_status(range: u8, bits: impl IntoIterator<Item = bool>) -> Self {
        let n = usize::from(range) + 1;
        let mut status = vec![0u8; n.div_ceil(8)];
        for (i, b) in bits.into_iter().take(n).enumerate() {
            status[i / 8] |= u8::from(b) << (i % 8);
        }
        Self { range, status }
    }

    /// The status bit of circuit `i` (0 = the message's CIC), if present.
    pub fn status_bit(&self, i: usize) -> Option<bool> {
        self.status.get(i / 8).map(|o| o & (1 << (i % 8)) != 0)
    }
}

/// Redirection information (Q.763 3.45), two octets (a one-octet form is
/// accepted and kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RedirectionInformation {
    /// Bits CBA: redirecting indicator (3 call diverted, 4 all redirection
    /// information presentation restricted, ...).
    pub redirecting_indicator: u8,
    /// Bit D (spare).
    pub spare_d: bool,
    /// Bits HGFE: original redirection reason (1 user busy, 2 no reply,
    /// 3 unconditional).
    pub original_reason: u8,
    /// Second octet present.
    pub two_octets: bool,
    /// Bits KJI: redirection counter.
    pub counter: u8,
    /// Bit L (spare).
    pub spare_l: bool,
    /// Bits PONM: redirecting reason.
    pub reason: u8,
}

impl RedirectionInformation {
    /// Parse the contents (one or two octets).
    pub fn parse(code: u8, data: &[u8]) -> Result<Self> {
        let (a, b, two) = match *data {
            [a] => (a, 0, false),
            [a, b] => (a, b, true),
            _ => {
                return Err(Error::BadParameter {
                    code,
                    reason: "redirection information not 1 or 2 octets",
                })
            }
        };
        Ok(Self {
            redirecting_indicator: a & 7,
            spare_d: bit(a, 3),
            original_reason: a >> 4,
            two_octets: two,
            counter: b & 7,
            spare_l: bit(b, 3),
            reason: b >> 4,
        })
    }

    /// Append the contents to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(
            (self.redirecting_indicator & 7) | set(self.spare_d, 3) | (self.original_reason << 4),
        );
        if self.two_octets {
            out.push((self.counter & 7) | set(self.spare_l, 3) | (self.reason << 4));
        }
    }
}

/// Information request indicators (Q.763 3.29), two octets as a 16-bit
/// value: first octet in bits 0-7, second octet in bits 8-15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InformationRequestIndicators(pub u16);

impl InformationRequestIndicators {
    /// Bit A: calling party address requested.
    pub const CALLING_PARTY_ADDRESS: u16 = 1 << 0;
    /// Bit B: holding indicator (holding requested).
    pub const HOLDING: u16 = 1 << 1;
    /// Bit D: calling party's category requested.
    pub const CALLING_PARTYS_CATEGORY: u16 = 1 << 3;
    /// Bit E: charge information requested.
    pub const CHARGE_INFORMATION: u16 = 1 << 4;
    /// Bit H: malicious call identification requested.
    pub const MALICIOUS_CALL_IDENTIFICATION: u16 = 1 << 7;
}

/// Information indicators (Q.763 3.28), two octets as a 16-bit value: first
/// octet in bits 0-7, second octet in bits 8-15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InformationIndicators(pub u16);

impl InformationIndicators {
    /// Bit C: hold provided.
    pub const HOLD_PROVIDED: u16 = 1 << 2;
    /// Bit F: calling party's category included.
    pub const CALLING_PARTYS_CATEGORY: u16 = 1 << 5;
    /// Bit G: charge information included.
    pub const CHARGE_INFORMATION: u16 = 1 << 6;
    /// Bit H: solicited information (`true` = unsolicited).
    pub const UNSOLICITED: u16 = 1 << 7;

    /// Bits BA: calling party address response (0 not included, 1 not
    /// available, 3 included).
    pub fn calling_party_address_response(self) -> u8 {
        (self.0 & 3) as u8
    }
}

pub(crate) fn parse_u16(code: u8, data: &[u8]) -> Result<u16> {
    exact::<2>(code, data).map(u16::from_le_bytes)
}

pub(crate) fn parse_u8(code: u8, data: &[u8]) -> Result<u8> {
    exact::<1>(code, data).map(|[b]| b)
}
