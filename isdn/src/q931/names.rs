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
