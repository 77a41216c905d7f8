//! ISUP parameters: name codes (Q.763 Table 5) and [`ParamRepr`].

use super::numbers::{check_digits, PartyNumber, SubsequentNumber};
use super::param_types::*;
use super::{Error, Result, Variant};

/// Parameter name codes (Q.763 Table 5; ANSI codes where named so).
pub mod code {
    /// End of optional parameters.
    pub const END_OF_OPTIONAL_PARAMETERS: u8 = 0x00;
    /// Transmission medium requirement.
    pub const TRANSMISSION_MEDIUM_REQUIREMENT: u8 = 0x02;
    /// Access transport.
    pub const ACCESS_TRANSPORT: u8 = 0x03;
    /// Called party number.
    pub const CALLED_PARTY_NUMBER: u8 = 0x04;
    /// Subsequent number.
    pub const SUBSEQUENT_NUMBER: u8 = 0x05;
    /// Nature of connection indicators.
    pub const NATURE_OF_CONNECTION_INDICATORS: u8 = 0x06;
    /// Forward call indicators.
    pub const FORWARD_CALL_INDICATORS: u8 = 0x07;
    /// Optional forward call indicators.
    pub const OPTIONAL_FORWARD_CALL_INDICATORS: u8 = 0x08;
    /// Calling party's category.
    pub const CALLING_PARTYS_CATEGORY: u8 = 0x09;
    /// Calling party number.
    pub const CALLING_PARTY_NUMBER: u8 = 0x0a;
    /// Redirecting number.
    pub const REDIRECTING_NUMBER: u8 = 0x0b;
    /// Redirection number.
    pub const REDIRECTION_NUMBER: u8 = 0x0c;
    /// Information request indicators.
    pub const INFORMATION_REQUEST_INDICATORS: u8 = 0x0e;
    /// Information indicators.
    pub const INFORMATION_INDICATORS: u8 = 0x0f;
    /// Continuity indicators.
    pub const CONTINUITY_INDICATORS: u8 = 0x10;
    /// Backward call indicators.
    pub const BACKWARD_CALL_INDICATORS: u8 = 0x11;
    /// Cause indicators.
    pub const CAUSE_INDICATORS: u8 = 0x12;
    /// Redirection information.
    pub const REDIRECTION_INFORMATION: u8 = 0x13;
    /// Circuit group supervision message type.
    pub const CIRCUIT_GROUP_SUPERVISION_MESSAGE_TYPE: u8 = 0x15;
    /// Range and status.
    pub const RANGE_AND_STATUS: u8 = 0x16;
    /// User service information.
    pub const USER_SERVICE_INFORMATION: u8 = 0x1d;
    /// User-to-user information.
    pub const USER_TO_USER_INFORMATION: u8 = 0x20;
    /// Connected number.
    pub const CONNECTED_NUMBER: u8 = 0x21;
    /// Suspend/resume indicators.
    pub const SUSPEND_RESUME_INDICATORS: u8 = 0x22;
    /// Transit network selection.
    pub const TRANSIT_NETWORK_SELECTION: u8 = 0x23;
    /// Event information.
    pub const EVENT_INFORMATION: u8 = 0x24;
    /// Circuit state indicator.
    pub const CIRCUIT_STATE_INDICATOR: u8 = 0x26;
    /// Automatic congestion level.
    pub const AUTOMATIC_CONGESTION_LEVEL: u8 = 0x27;
    /// Original called number.
    pub const ORIGINAL_CALLED_NUMBER: u8 = 0x28;
    /// Optional backward call indicators.
    pub const OPTIONAL_BACKWARD_CALL_INDICATORS: u8 = 0x29;
    /// User-to-user indicators.
    pub const USER_TO_USER_INDICATORS: u8 = 0x2a;
    /// Generic notification indicator.
    pub const GENERIC_NOTIFICATION_INDICATOR: u8 = 0x2c;
    /// Access delivery information.
    pub const ACCESS_DELIVERY_INFORMATION: u8 = 0x2e;
    /// Propagation delay counter.
    pub const PROPAGATION_DELAY_COUNTER: u8 = 0x31;
    /// Hop counter.
    pub const HOP_COUNTER: u8 = 0x3d;
    /// Location number.
    pub const LOCATION_NUMBER: u8 = 0x3f;
    /// Generic number (ITU; ANSI "generic address").
    pub const GENERIC_NUMBER: u8 = 0xc0;
    /// Generic digits.
    pub const GENERIC_DIGITS: u8 = 0xc1;
    /// Jurisdiction information (ANSI).
    pub const JURISDICTION_INFORMATION: u8 = 0xc4;
    /// Carrier identification (ANSI).
    pub const CARRIER_IDENTIFICATION: u8 = 0xc5;
    /// Originating line information (ANSI).
    pub const ORIGINATING_LINE_INFORMATION: u8 = 0xea;
    /// Charge number (ANSI).
    pub const CHARGE_NUMBER: u8 = 0xeb;
}

/// One ISUP parameter, typed where this module decodes it.
///
/// The one-octet parameters without internal structure are kept as `u8`:
/// calling party's category (see [`super::calling_party_category_name`]),
/// transmission medium requirement (0 speech, 2 64 kbit/s unrestricted,
/// 3 3.1 kHz audio), suspend/resume indicators (bit A: 0 ISDN subscriber
/// initiated, 1 network initiated) and automatic congestion level (1, 2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ParamRepr {
    /// Nature of connection indicators.
    NatureOfConnection(NatureOfConnectionIndicators),
    /// Forward call indicators.
    ForwardCall(ForwardCallIndicators),
    /// Calling party's category.
    CallingPartysCategory(u8),
    /// Transmission medium requirement.
    TransmissionMediumRequirement(u8),
    /// Called party number.
    CalledPartyNumber(PartyNumber),
    /// Calling party number.
    CallingPartyNumber(PartyNumber),
    /// Redirecting number.
    RedirectingNumber(PartyNumber),
    /// Redirection number.
    RedirectionNumber(PartyNumber),
    /// Original called number.
    OriginalCalledNumber(PartyNumber),
    /// Connected number.
    ConnectedNumber(PartyNumber),
    /// Location number.
    LocationNumber(PartyNumber),
    /// Subsequent number.
    SubsequentNumber(SubsequentNumber),
    /// Generic number, contents as bytes.
    GenericNumber(Vec<u8>),
    /// Cause indicators.
    CauseIndicators(Cause),
    /// Event information.
    EventInformation(EventInformation),
    /// Backward call indicators.
    BackwardCall(BackwardCallIndicators),
    /// Optional backward call indicators.
    OptionalBackwardCall(OptionalBackwardCallIndicators),
    /// Circuit group supervision message type.
    CircuitGroupSupervision(CircuitGroupSupervisionType),
    /// Range and status.
    RangeAndStatus(RangeAndStatus),
    /// Suspend/resume indicators.
    SuspendResume(u8),
    /// Circuit state indicator: one octet per circuit in the range.
    CircuitStateIndicator(Vec<u8>),
    /// User service information (Q.931 bearer capability contents), as bytes.
    UserServiceInformation(Vec<u8>),
    /// Access transport (Q.931 information elements), as bytes.
    AccessTransport(Vec<u8>),
    /// Redirection information.
    RedirectionInformation(RedirectionInformation),
    /// Information request indicators.
    InformationRequest(InformationRequestIndicators),
    /// Information indicators.
    Information(InformationIndicators),
    /// Automatic congestion level.
    AutomaticCongestionLevel(u8),
    /// Any other parameter (or an optional one whose contents do not decode).
    Raw {
        /// Parameter name code.
        code: u8,
        /// Contents.
        data: Vec<u8>,
    },
}

impl ParamRepr {
    /// Parse a parameter's contents given its name code.
    pub fn parse(code: u8, data: &[u8], variant: Variant) -> Result<ParamRepr> {
        let _ = variant;
        use self::code as c;
        use ParamRepr as P;
        Ok(match code {
            c::NATURE_OF_CONNECTION_INDICATORS => {
                P::NatureOfConnection(NatureOfConnectionIndicators::parse(code, data)?)
            }
            c::FORWARD_CALL_INDICATORS => P::ForwardCall(ForwardCallIndicators::parse(code, data)?),
            c::CALLING_PARTYS_CATEGORY => P::CallingPartysCategory(parse_u8(code, data)?),
            c::TRANSMISSION_MEDIUM_REQUIREMENT => {
                P::TransmissionMediumRequirement(parse_u8(code, data)?)
            }
            c::CALLED_PARTY_NUMBER => P::CalledPartyNumber(PartyNumber::parse(code, data)?),
            c::CALLING_PARTY_NUMBER => P::CallingPartyNumber(PartyNumber::parse(code, data)?),
            c::REDIRECTING_NUMBER => P::RedirectingNumber(PartyNumber::parse(code, data)?),
            c::REDIRECTION_NUMBER => P::RedirectionNumber(PartyNumber::parse(code, data)?),
            c::ORIGINAL_CALLED_NUMBER => P::OriginalCalledNumber(PartyNumber::parse(code, data)?),
            c::CONNECTED_NUMBER => P::ConnectedNumber(PartyNumber::parse(code, data)?),
            c::LOCATION_NUMBER => P::LocationNumber(PartyNumber::parse(code, data)?),
            c::SUBSEQUENT_NUMBER => P::SubsequentNumber(SubsequentNumber::parse(code, data)?),
            c::GENERIC_NUMBER => P::GenericNumber(data.to_vec()),
            c::CAUSE_INDICATORS => P::CauseIndicators(Cause::parse(code, data)?),
            c::EVENT_INFORMATION => P::EventInformation(EventInformation::parse(code, data)?),
            c::BACKWARD_CALL_INDICATORS => {
                P::BackwardCall(BackwardCallIndicators::parse(code, data)?)
            }
            c::OPTIONAL_BACKWARD_CALL_INDICATORS => {
                P::OptionalBackwardCall(OptionalBackwardCallIndicators::parse(code, data)?)
            }
            c::CIRCUIT_GROUP_SUPERVISION_MESSAGE_TYPE => {
                P::CircuitGroupSupervision(CircuitGroupSupervisionType(parse_u8(code, data)?))
            }
            c::RANGE_AND_STATUS => {
                let (&range, status) = data.split_first().ok_or(Error::BadParameter {
                    code,
                    reason: "range and status empty",
                })?;
                if status.len() > 32 {
                    return Err(Error::BadParameter {
                        code,
                        reason: "status longer than 32 octets",
                    });
                }
                P::RangeAndStatus(RangeAndStatus {
                    range,
                    status: status.to_vec(),
                })
            }
            c::SUSPEND_RESUME_INDICATORS => P::SuspendResume(parse_u8(code, data)?),
            c::CIRCUIT_STATE_INDICATOR => {
                if data.is_empty() {
                    return Err(Error::BadParameter {
                        code,
                        reason: "circuit state indicator empty",
                    });
                }
                P::CircuitStateIndicator(data.to_vec())
            }
            c::USER_SERVICE_INFORMATION => {
                if data.len() < 2 {
                    return Err(Error::BadParameter {
                        code,
                        reason: "user service information shorter than 2 octets",
                    });
                }
                P::UserServiceInformation(data.to_vec())
            }
            c::ACCESS_TRANSPORT => P::AccessTransport(data.to_vec()),
            c::REDIRECTION_INFORMATION => {
                P::RedirectionInformation(RedirectionInformation::parse(code, data)?)
            }
            c::INFORMATION_REQUEST_INDICATORS => {
                P::InformationRequest(InformationRequestIndicators(parse_u16(code, data)?))
            }
            c::INFORMATION_INDICATORS => {
                P::Information(InformationIndicators(parse_u16(code, data)?))
            }
            c::AUTOMATIC_CONGESTION_LEVEL => P::AutomaticCongestionLevel(parse_u8(code, data)?),
            _ => P::Raw {
                code,
                data: data.to_vec(),
            },
        })
    }

    /// Parse an optional parameter: contents that do not decode are kept as
    /// [`ParamRepr::Raw`] (Q.764 2.9.5: the call layer decides what to do).
    pub fn parse_optional(code: u8, data: &[u8], variant: Variant) -> ParamRepr {
        ParamRepr::parse(code, data, variant).unwrap_or_else(|_| ParamRepr::Raw {
            code,
            data: data.to_vec(),
        })
    }

    /// The parameter name code.
    pub fn code(&self) -> u8 {
        use self::code as c;
        use ParamRepr as P;
        match self {
            P::NatureOfConnection(_) => c::NATURE_OF_CONNECTION_INDICATORS,
            P::ForwardCall(_) => c::FORWARD_CALL_INDICATORS,
            P::CallingPartysCategory(_) => c::CALLING_PARTYS_CATEGORY,
            P::TransmissionMediumRequirement(_) => c::TRANSMISSION_MEDIUM_REQUIREMENT,
            P::CalledPartyNumber(_) => c::CALLED_PARTY_NUMBER,
            P::CallingPartyNumber(_) => c::CALLING_PARTY_NUMBER,
            P::RedirectingNumber(_) => c::REDIRECTING_NUMBER,
            P::RedirectionNumber(_) => c::REDIRECTION_NUMBER,
            P::OriginalCalledNumber(_) => c::ORIGINAL_CALLED_NUMBER,
            P::ConnectedNumber(_) => c::CONNECTED_NUMBER,
            P::LocationNumber(_) => c::LOCATION_NUMBER,
            P::SubsequentNumber(_) => c::SUBSEQUENT_NUMBER,
            P::GenericNumber(_) => c::GENERIC_NUMBER,
            P::CauseIndicators(_) => c::CAUSE_INDICATORS,
            P::EventInformation(_) => c::EVENT_INFORMATION,
            P::BackwardCall(_) => c::BACKWARD_CALL_INDICATORS,
            P::OptionalBackwardCall(_) => c::OPTIONAL_BACKWARD_CALL_INDICATORS,
            P::CircuitGroupSupervision(_) => c::CIRCUIT_GROUP_SUPERVISION_MESSAGE_TYPE,
            P::RangeAndStatus(_) => c::RANGE_AND_STATUS,
            P::SuspendResume(_) => c::SUSPEND_RESUME_INDICATORS,
            P::CircuitStateIndicator(_) => c::CIRCUIT_STATE_INDICATOR,
            P::UserServiceInformation(_) => c::USER_SERVICE_INFORMATION,
            P::AccessTransport(_) => c::ACCESS_TRANSPORT,
            P::RedirectionInformation(_) => c::REDIRECTION_INFORMATION,
            P::InformationRequest(_) => c::INFORMATION_REQUEST_INDICATORS,
            P::Information(_) => c::INFORMATION_INDICATORS,
            P::AutomaticCongestionLevel(_) => c::AUTOMATIC_CONGESTION_LEVEL,
            P::Raw { code, .. } => *code,
        }
    }

    /// The number inside an address parameter, if this is one.
    pub fn number(&self) -> Option<&PartyNumber> {
        use ParamRepr as P;
        match self {
            P::CalledPartyNumber(n)
            | P::CallingPartyNumber(n)
            | P::RedirectingNumber(n)
            | P::RedirectionNumber(n)
            | P::OriginalCalledNumber(n)
            | P::ConnectedNumber(n)
            | P::LocationNumber(n) => Some(n),
            _ => None,
        }
    }

    /// Check the parameter can be emitted (digits are hex digits).
    pub fn check(&self) -> Result<()> {
        match (self, self.number()) {
            (_, Some(n)) => check_digits(&n.digits, self.code()),
            (ParamRepr::SubsequentNumber(s), _) => check_digits(&s.digits, self.code()),
            _ => Ok(()),
        }
    }

    /// Contents length in octets (without name and length octets).
    pub fn content_len(&self) -> usize {
        use ParamRepr as P;
        match self {
            P::NatureOfConnection(_)
            | P::CallingPartysCategory(_)
            | P::TransmissionMediumRequirement(_)
            | P::EventInformation(_)
            | P::OptionalBackwardCall(_)
            | P::CircuitGroupSupervision(_)
            | P::SuspendResume(_)
            | P::AutomaticCongestionLevel(_) => 1,
            P::ForwardCall(_)
            | P::BackwardCall(_)
            | P::InformationRequest(_)
            | P::Information(_) => 2,
            P::SubsequentNumber(s) => s.content_len(),
            P::CauseIndicators(c) => c.content_len(),
            P::RangeAndStatus(r) => 1 + r.status.len(),
            P::RedirectionInformation(r) => 1 + usize::from(r.two_octets),
            P::GenericNumber(d)
            | P::CircuitStateIndicator(d)
            | P::UserServiceInformation(d)
            | P::AccessTransport(d)
            | P::Raw { data: d, .. } => d.len(),
            other => other.number().map_or(0, PartyNumber::content_len),
        }
    }

    /// Append the contents (without name and length octets) to `out`.
    pub fn emit_content(&self, out: &mut Vec<u8>) {
        use ParamRepr as P;
        let code = self.code();
        match self {
            P::NatureOfConnection(n) => out.push(n.to_byte()),
            P::ForwardCall(f) => out.extend_from_slice(&f.to_bytes()),
            P::CallingPartysCategory(v)
            | P::TransmissionMediumRequirement(v)
            | P::SuspendResume(v)
            | P::AutomaticCongestionLevel(v) => out.push(*v),
            P::SubsequentNumber(s) => s.emit(code, out),
            P::CauseIndicators(c) => c.emit(out),
            P::EventInformation(e) => out.push(e.to_byte()),
            P::BackwardCall(b) => out.extend_from_slice(&b.to_bytes()),
            P::OptionalBackwardCall(o) => out.push(o.to_byte()),
            P::CircuitGroupSupervision(t) => out.push(t.0),
            P::RangeAndStatus(r) => {
                out.push(r.range);
                out.extend_from_slice(&r.status);
            }
            P::RedirectionInformation(r) => r.emit(out),
            P::InformationRequest(InformationRequestIndicators(v))
            | P::Information(InformationIndicators(v)) => out.extend_from_slice(&v.to_le_bytes()),
            P::GenericNumber(d)
            | P::CircuitStateIndicator(d)
            | P::UserServiceInformation(d)
            | P::AccessTransport(d)
            | P::Raw { data: d, .. } => out.extend_from_slice(d),
            other => {
                if let Some(n) = other.number() {
                    n.emit(code, out);
                }
            }
        }
    }
}
