//! Names of message types, parameters, categories and causes, as written in
//! Q.763, T1.113 and Q.850.

use super::message::MessageType;
use super::param::code as c;
use super::Variant;

/// The Q.763 name of a message type ("Initial address").
pub fn message_name(t: MessageType) -> &'static str {
    use MessageType as T;
    match t {
        T::Iam => "Initial address",
        T::Sam => "Subsequent address",
        T::Inr => "Information request",
        T::Inf => "Information",
        T::Acm => "Address complete",
        T::Con => "Connect",
        T::Anm => "Answer",
        T::Rel => "Release",
        T::Sus => "Suspend",
        T::Res => "Resume",
        T::Rlc => "Release complete",
        T::Rsc => "Reset circuit",
        T::Blo => "Blocking",
        T::Ubl => "Unblocking",
        T::Bla => "Blocking acknowledgement",
        T::Uba => "Unblocking acknowledgement",
        T::Grs => "Circuit group reset",
        T::Cgb => "Circuit group blocking",
        T::Cgu => "Circuit group unblocking",
        T::Cgba => "Circuit group blocking acknowledgement",
        T::Cgua => "Circuit group unblocking acknowledgement",
        T::Gra => "Circuit group reset acknowledgement",
        T::Cqm => "Circuit group query",
        T::Cqr => "Circuit group query response",
        T::Cpg => "Call progress",
        T::Ucic => "Unequipped CIC",
        T::Cfn => "Confusion",
        T::Other(_) => "Unknown message type",
    }
}

/// The Q.763 name of a parameter name code.
pub fn param_name(code: u8, variant: Variant) -> &'static str {
    match code {
        c::END_OF_OPTIONAL_PARAMETERS => "End of optional parameters",
        0x01 => "Call reference",
        c::TRANSMISSION_MEDIUM_REQUIREMENT => "Transmission medium requirement",
        c::ACCESS_TRANSPORT => "Access transport",
        c::CALLED_PARTY_NUMBER => "Called party number",
        c::SUBSEQUENT_NUMBER => "Subsequent number",
        c::NATURE_OF_CONNECTION_INDICATORS => "Nature of connection indicators",
        c::FORWARD_CALL_INDICATORS => "Forward call indicators",
        c::OPTIONAL_FORWARD_CALL_INDICATORS => "Optional forward call indicators",
        c::CALLING_PARTYS_CATEGORY => "Calling party's category",
        c::CALLING_PARTY_NUMBER => "Calling party number",
        c::REDIRECTING_NUMBER => "Redirecting number",
        c::REDIRECTION_NUMBER => "Redirection number",
        0x0d => "Connection request",
        c::INFORMATION_REQUEST_INDICATORS => "Information request indicators",
        c::INFORMATION_INDICATORS => "Information indicators",
        c::CONTINUITY_INDICATORS => "Continuity indicators",
        c::BACKWARD_CALL_INDICATORS => "Backward call indicators",
        c::CAUSE_INDICATORS => "Cause indicators",
        c::REDIRECTION_INFORMATION => "Redirection information",
        c::CIRCUIT_GROUP_SUPERVISION_MESSAGE_TYPE => "Circuit group supervision message type",
        c::RANGE_AND_STATUS => "Range and status",
        0x18 => "Facility indicator",
        0x1a => "Closed user group interlock code",
        c::USER_SERVICE_INFORMATION => "User service information",
        0x1e => "Signalling point code",
        c::USER_TO_USER_INFORMATION => "User-to-user information",
        c::CONNECTED_NUMBER => "Connected number",
        c::SUSPEND_RESUME_INDICATORS => "Suspend/resume indicators",
        c::TRANSIT_NETWORK_SELECTION => "Transit network selection",
        c::EVENT_INFORMATION => "Event information",
        c::CIRCUIT_STATE_INDICATOR => "Circuit state indicator",
        c::AUTOMATIC_CONGESTION_LEVEL => "Automatic congestion level",
        c::ORIGINAL_CALLED_NUMBER => "Original called number",
        c::OPTIONAL_BACKWARD_CALL_INDICATORS => "Optional backward call indicators",
        c::USER_TO_USER_INDICATORS => "User-to-user indicators",
        c::GENERIC_NOTIFICATION_INDICATOR => "Generic notification indicator",
        c::ACCESS_DELIVERY_INFORMATION => "Access delivery information",
        c::PROPAGATION_DELAY_COUNTER => "Propagation delay counter",
        c::HOP_COUNTER => "Hop counter",
        c::LOCATION_NUMBER => "Location number",
        c::GENERIC_NUMBER if variant == Variant::Ansi => "Generic address",
        c::GENERIC_NUMBER => "Generic number",
        c::GENERIC_DIGITS => "Generic digits",
        c::JURISDICTION_INFORMATION if variant == Variant::Ansi => "Jurisdiction information",
        c::CARRIER_IDENTIFICATION if variant == Variant::Ansi => "Carrier identification",
        c::ORIGINATING_LINE_INFORMATION if variant == Variant::Ansi => {
            "Originating line information"
        }
        c::CHARGE_NUMBER if variant == Variant::Ansi => "Charge number",
        _ => "Unknown parameter",
    }
}

/// The name of a calling party's category value (Q.763 3.11; T1.113 for ANSI).
pub fn calling_party_category_name(value: u8, variant: Variant) -> &'static str {
    match (value, variant) {
        (0x00, _) => "unknown",
        (0x0a, _) => "ordinary calling subscriber",
        (0x0d, _) => "test call",
        (0xe0, Variant::Ansi) => "emergency service call",
        (0xe1, Variant::Ansi) => "high priority call",
        (0xe2, Variant::Ansi) => "NS/EP call",
        (_, Variant::Ansi) => "national/network specific",
        (0x01, _) => "operator, language French",
        (0x02, _) => "operator, language English",
        (0x03, _) => "operator, language German",
        (0x04, _) => "operator, language Russian",
        (0x05, _) => "operator, language Spanish",
        (0x09, _) => "national operator",
        (0x0b, _) => "calling subscriber with priority",
        (0x0c, _) => "data call",
        (0x0f, _) => "payphone",
        (0xe0..=0xfe, _) => "reserved for national use",
        _ => "spare",
    }
}

/// The Q.850 name of a cause value.
pub fn cause_name(value: u8) -> &'static str {
    match value {
        1 => "unallocated (unassigned) number",
        2 => "no route to specified transit network",
        3 => "no route to destination",
        16 => "normal call clearing",
        17 => "user busy",
        18 => "no user responding",
        19 => "no answer from user (user alerted)",
        21 => "call rejected",
        22 => "number changed",
        27 => "destination out of order",
        28 => "invalid number format (address incomplete)",
        31 => "normal, unspecified",
        34 => "no circuit/channel available",
        38 => "network out of order",
        41 => "temporary failure",
        42 => "switching equipment congestion",
        44 => "requested circuit/channel not available",
        47 => "resource unavailable, unspecified",
        58 => "bearer capability not presently available",
        65 => "bearer capability not implemented",
        79 => "service or option not implemented, unspecified",
        95 => "invalid message, unspecified",
        97 => "message type non-existent or not implemented",
        99 => "information element/parameter non-existent or not implemented",
        102 => "recovery on timer expiry",
        103 => "parameter non-existent or not implemented, passed on",
        110 => "message with unrecognized parameter, discarded",
        111 => "protocol error, unspecified",
        127 => "interworking, unspecified",
        _ => "unknown cause",
    }
}
