//! Human-readable names of Q.931 / Q.850 field values.

/// Q.850 name of a cause value (7 bits), or `"unknown cause"`.
pub fn cause_name(value: u8) -> &'static str {
    match value {
        1 => "unallocated (unassigned) number",
        2 => "no route to specified transit network",
        3 => "no route to destination",
        6 => "channel unacceptable",
        7 => "call awarded and being delivered in an established channel",
        16 => "normal call clearing",
        17 => "user busy",
        18 => "no user responding",
        19 => "no answer from user (user alerted)",
        20 => "subscriber absent",
        21 => "call rejected",
        22 => "number changed",
        26 => "non-selected user clearing",
        27 => "destination out of order",
        28 => "invalid number format (address incomplete)",
        29 => "facility rejected",
        30 => "response to STATUS ENQUIRY",
        31 => "normal, unspecified",
        34 => "no circuit/channel available",
        38 => "network out of order",
        41 => "temporary failure",
        42 => "switching equipment congestion",
        43 => "access information discarded",
        44 => "requested circuit/channel not available",
        47 => "resource unavailable, unspecified",
        49 => "quality of service not available",
        50 => "requested facility not subscribed",
        57 => "bearer capability not authorized",
        58 => "bearer capability not presently available",
        63 => "service or option not available, unspecified",
        65 => "bearer capability not implemented",
        66 => "channel type not implemented",
        69 => "requested facility not implemented",
        70 => "only restricted digital information bearer capability is available",
        79 => "service or option not implemented, unspecified",
        81 => "invalid call reference value",
        82 => "identified channel does not exist",
        83 => "a suspended call exists, but this call identity does not",
        84 => "call identity in use",
        85 => "no call suspended",
        86 => "call having the requested call identity has been cleared",
        88 => "incompatible destination",
        91 => "invalid transit network selection",
        95 => "invalid message, unspecified",
        96 => "mandatory information element is missing",
        97 => "message type non-existent or not implemented",
        98 => {
            "message not compatible with call state or message type non-existent or not implemented"
        }
        99 => "information element/parameter non-existent or not implemented",
        100 => "invalid information element contents",
        101 => "message not compatible with call state",
        102 => "recovery on timer expiry",
        103 => "parameter non-existent or not implemented, passed on",
        111 => "protocol error, unspecified",
        127 => "interworking, unspecified",
        _ => "unknown cause",
    }
}

/// Name of a Q.850 location value.
pub(crate) fn location_name(loc: u8) -> &'static str {
    match loc {
        0 => "user",
        1 => "private network serving the local user",
        2 => "public network serving the local user",
        3 => "transit network",
        4 => "public network serving the remote user",
        5 => "private network serving the remote user",
        7 => "international network",
        10 => "network beyond interworking point",
        _ => "reserved",
    }
}

/// Name of a coding standard value.
pub(crate) fn coding_name(c: u8) -> &'static str {
    match c {
        0 => "ITU-T",
        1 => "ISO/IEC",
        2 => "national",
        _ => "network-specific",
    }
}

/// Name of an information transfer capability.
pub(crate) fn capability_name(c: u8) -> &'static str {
    match c {
        0x00 => "speech",
        0x08 => "unrestricted digital information",
        0x09 => "restricted digital information",
        0x10 => "3.1 kHz audio",
        0x11 => "unrestricted digital information with tones/announcements",
        0x18 => "video",
        _ => "reserved",
    }
}

/// Name of an information transfer rate.
pub(crate) fn rate_name(r: u8) -> &'static str {
    match r {
        0x00 => "packet mode",
        0x10 => "64 kbit/s",
        0x11 => "2 x 64 kbit/s",
        0x13 => "384 kbit/s",
        0x15 => "1536 kbit/s",
        0x17 => "1920 kbit/s",
        0x18 => "multirate",
        _ => "reserved",
    }
}

/// Name of a user information layer 1 protocol.
pub(crate) fn layer1_name(l: u8) -> &'static str {
    match l {
        1 => "V.110/X.30 rate adaption",
        2 => "G.711 mu-law",
        3 => "G.711 A-law",
        4 => "G.721 ADPCM",
        5 => "H.221/H.242",
        6 => "H.223/H.245",
        7 => "non-ITU-T rate adaption",
        8 => "V.120",
        9 => "X.31 HDLC flag stuffing",
        _ => "reserved",
    }
}

/// Name of a type of number.
pub(crate) fn ton_name(t: u8) -> &'static str {
    match t {
        0 => "unknown",
        1 => "international",
        2 => "national",
        3 => "network specific",
        4 => "subscriber",
        6 => "abbreviated",
        _ => "reserved",
    }
}

/// Name of a numbering plan.
pub(crate) fn plan_name(p: u8) -> &'static str {
    match p {
        0 => "unknown",
        1 => "ISDN/telephony (E.164)",
        3 => "data (X.121)",
        4 => "telex (F.69)",
        8 => "national standard",
        9 => "private",
        _ => "reserved",
    }
}

/// Name of a presentation indicator.
pub(crate) fn presentation_name(p: u8) -> &'static str {
    match p {
        0 => "presentation allowed",
        1 => "presentation restricted",
        2 => "number not available",
        _ => "reserved",
    }
}

/// Name of a screening indicator.
pub(crate) fn screening_name(s: u8) -> &'static str {
    match s {
        0 => "user-provided, not screened",
        1 => "user-provided, verified and passed",
        2 => "user-provided, verified and failed",
        _ => "network provided",
    }
}

/// Name of a progress description.
pub(crate) fn progress_name(d: u8) -> &'static str {
    match d {
        1 => "call is not end-to-end ISDN",
        2 => "destination address is non-ISDN",
        3 => "origination address is non-ISDN",
        4 => "call has returned to the ISDN",
        5 => "interworking has occurred",
        8 => "in-band information now available",
        _ => "reserved",
    }
}

/// Name of a restart class.
pub(crate) fn restart_class_name(c: u8) -> &'static str {
    match c {
        0 => "indicated channels",
        6 => "single interface",
        7 => "all interfaces",
        _ => "reserved",
    }
}

/// Name of a call state value.
pub(crate) fn call_state_name(s: u8) -> &'static str {
    match s {
        0 => "null (U0/N0)",
        1 => "call initiated (1)",
        2 => "overlap sending (2)",
        3 => "outgoing call proceeding (3)",
        4 => "call delivered (4)",
        6 => "call present (6)",
        7 => "call received (7)",
        8 => "connect request (8)",
        9 => "incoming call proceeding (9)",
        10 => "active (10)",
        11 => "disconnect request (11)",
        12 => "disconnect indication (12)",
        15 => "suspend request (15)",
        17 => "resume request (17)",
        19 => "release request (19)",
        25 => "overlap receiving (25)",
        61 => "restart request (Rest 1)",
        62 => "restart (Rest 2)",
        _ => "unknown",
    }
}

/// Name of a signal value (Q.931 clause 4.5.28).
pub(crate) fn signal_name(v: u8) -> &'static str {
    match v {
        0x00 => "dial tone on",
        0x01 => "ring back tone on",
        0x02 => "intercept tone on",
        0x03 => "network congestion tone on",
        0x04 => "busy tone on",
        0x05 => "confirm tone on",
        0x06 => "answer tone on",
        0x07 => "call waiting tone on",
        0x08 => "off-hook warning tone on",
        0x09 => "pre-emption tone on",
        0x3f => "tones off",
        0x40 => "alerting on - pattern 0",
        0x41 => "alerting on - pattern 1",
        0x42 => "alerting on - pattern 2",
        0x43 => "alerting on - pattern 3",
        0x44 => "alerting on - pattern 4",
        0x45 => "alerting on - pattern 5",
        0x46 => "alerting on - pattern 6",
        0x47 => "alerting on - pattern 7",
        0x4f => "alerting off",
        _ => "reserved",
    }
}

/// Name of a notification description (Q.931 clause 4.5.22, Q.932 and the
/// ETSI supplementary services).
pub(crate) fn notification_name(d: u8) -> &'static str {
    match d {
        0x00 => "user suspended",
        0x01 => "user resumed",
        0x02 => "bearer service change",
        0x03 => "discriminator for extension to ASN.1 encoded component",
        0x04 => "call completion delay",
        0x42 => "conference established",
        0x43 => "conference disconnected",
        0x44 => "other party added",
        0x45 => "isolated",
        0x46 => "reattached",
        0x47 => "other party isolated",
        0x48 => "other party reattached",
        0x49 => "other party split",
        0x4a => "other party disconnected",
        0x4b => "conference floating",
        0x60 => "call is a waiting call",
        0x68 => "diversion activated",
        0x69 => "call transferred, alerting",
        0x6a => "call transferred, active",
        0x79 => "remote hold",
        0x7a => "remote retrieval",
        0x7b => "call is diverting",
        _ => "reserved",
    }
}

/// Name of a high layer characteristics identification (octet 4, and
/// octet 4a after 0x5E / 0x5F).
pub(crate) fn hlc_name(c: u8) -> &'static str {
    match c {
        0x01 => "telephony",
        0x04 => "facsimile group 2/3 (F.182)",
        0x21 => "facsimile group 4 class I (F.184)",
        0x24 => "teletex mixed mode / facsimile group 4 classes II and III",
        0x28 => "teletex processable mode (F.220)",
        0x31 => "teletex basic mode (F.200)",
        0x32 => "syntax based videotex (F.300, T.102)",
        0x33 => "international videotex interworking (F.300, T.101)",
        0x35 => "telex (F.60)",
        0x38 => "message handling systems (X.400)",
        0x41 => "OSI application (X.200)",
        0x42 => "FTAM application (ISO 8571)",
        0x5e => "reserved for maintenance",
        0x5f => "reserved for management",
        0x60 => "videotelephony (F.720, F.721, F.731 profile 1a)",
        0x61 => "videoconferencing (F.702, F.731 profile 1b)",
        0x62 => "audiographic conferencing (F.702, F.731)",
        0x68 => "multimedia services (F.700 series)",
        _ => "reserved",
    }
}

/// Name of an HLC interpretation value.
pub(crate) fn hlc_interpretation_name(i: u8) -> &'static str {
    match i {
        4 => "first (primary or only) high layer characteristics identification",
        _ => "reserved",
    }
}

/// Name of an HLC presentation method of protocol profile.
pub(crate) fn hlc_presentation_name(p: u8) -> &'static str {
    match p {
        1 => "high layer protocol profile",
        _ => "reserved",
    }
}

/// Name of a type of subaddress.
pub(crate) fn subaddress_type_name(t: u8) -> &'static str {
    match t {
        0 => "NSAP (X.213/ISO 8348 AD2)",
        2 => "user specified",
        _ => "reserved",
    }
}

/// Name of a facility protocol profile.
pub(crate) fn facility_profile_name(p: u8) -> &'static str {
    match p {
        0x11 => "remote operations protocol",
        0x12 => "CMIP protocol",
        0x13 => "ACSE protocol",
        0x1f => "networking extensions",
        _ => "reserved",
    }
}

/// Name of a reason for redirection (octet 3b of the redirecting number).
pub(crate) fn redirection_reason_name(r: u8) -> &'static str {
    match r {
        0x0 => "unknown",
        0x1 => "call forwarding busy or called DTE busy",
        0x2 => "call forwarding no reply",
        0x4 => "call deflection",
        0x9 => "called DTE out of order",
        0xa => "call forwarding by the called DTE",
        0xf => "call forwarding unconditional or systematic call redirection",
        _ => "reserved",
    }
}
