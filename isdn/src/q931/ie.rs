//! Information element framing: raw IE iteration with codeset tracking and
//! the [`IeRepr`] representation.

use super::ie_types::{
    BearerCapability, CallState, Cause, ChannelId, Display, PartyNumber, ProgressIndicator,
    RestartIndicator,
};
use super::ie_types_more::{
    DateTime, Facility, HighLayerCompatibility, KeypadFacility, LowLayerCompatibility,
    NotificationIndicator, Signal, Subaddress,
};
use super::Error;

/// Codeset 0 information element identifiers (Q.931 table 4-3).
pub mod ie_id {
    /// Shift (single octet, 0x9X).
    pub const SHIFT: u8 = 0x90;
    /// More data (single octet).
    pub const MORE_DATA: u8 = 0xa0;
    /// Sending complete (single octet).
    pub const SENDING_COMPLETE: u8 = 0xa1;
    /// Congestion level (single octet, 0xBX).
    pub const CONGESTION_LEVEL: u8 = 0xb0;
    /// Repeat indicator (single octet, 0xDX).
    pub const REPEAT_INDICATOR: u8 = 0xd0;
    /// Segmented message.
    pub const SEGMENTED_MESSAGE: u8 = 0x00;
    /// Bearer capability.
    pub const BEARER_CAPABILITY: u8 = 0x04;
    /// Cause.
    pub const CAUSE: u8 = 0x08;
    /// Call identity.
    pub const CALL_IDENTITY: u8 = 0x10;
    /// Call state.
    pub const CALL_STATE: u8 = 0x14;
    /// Channel identification.
    pub const CHANNEL_ID: u8 = 0x18;
    /// Facility.
    pub const FACILITY: u8 = 0x1c;
    /// Progress indicator.
    pub const PROGRESS_INDICATOR: u8 = 0x1e;
    /// Network-specific facilities.
    pub const NETWORK_SPECIFIC_FACILITIES: u8 = 0x20;
    /// Notification indicator.
    pub const NOTIFICATION_INDICATOR: u8 = 0x27;
    /// Display.
    pub const DISPLAY: u8 = 0x28;
    /// Date/time.
    pub const DATE_TIME: u8 = 0x29;
    /// Keypad facility.
    pub const KEYPAD_FACILITY: u8 = 0x2c;
    /// Signal.
    pub const SIGNAL: u8 = 0x34;
    /// Connected number.
    pub const CONNECTED_NUMBER: u8 = 0x4c;
    /// Connected subaddress.
    pub const CONNECTED_SUBADDRESS: u8 = 0x4d;
    /// Calling party number.
    pub const CALLING_PARTY_NUMBER: u8 = 0x6c;
    /// Calling party subaddress.
    pub const CALLING_PARTY_SUBADDRESS: u8 = 0x6d;
    /// Called party number.
    pub const CALLED_PARTY_NUMBER: u8 = 0x70;
    /// Called party subaddress.
    pub const CALLED_PARTY_SUBADDRESS: u8 = 0x71;
    /// Redirecting number.
    pub const REDIRECTING_NUMBER: u8 = 0x74;
    /// Redirection number.
    pub const REDIRECTION_NUMBER: u8 = 0x76;
    /// Transit network selection.
    pub const TRANSIT_NETWORK_SELECTION: u8 = 0x78;
    /// Restart indicator.
    pub const RESTART_INDICATOR: u8 = 0x79;
    /// Low layer compatibility.
    pub const LOW_LAYER_COMPATIBILITY: u8 = 0x7c;
    /// High layer compatibility.
    pub const HIGH_LAYER_COMPATIBILITY: u8 = 0x7d;
    /// User-user.
    pub const USER_USER: u8 = 0x7e;
}

/// Name of a codeset 0 IE identifier (single-octet IEs matched on their
/// identifier bits), or `None` if unknown or in another codeset.
pub fn ie_name(codeset: u8, id: u8) -> Option<&'static str> {
    use ie_id::*;
    if id & 0xf0 == SHIFT {
        return Some("Shift");
    }
    if codeset != 0 {
        return None;
    }
    Some(match id {
        MORE_DATA => "More data",
        SENDING_COMPLETE => "Sending complete",
        x if x & 0xf0 == CONGESTION_LEVEL => "Congestion level",
        x if x & 0xf0 == REPEAT_INDICATOR => "Repeat indicator",
        SEGMENTED_MESSAGE => "Segmented message",
        BEARER_CAPABILITY => "Bearer capability",
        CAUSE => "Cause",
        CALL_IDENTITY => "Call identity",
        CALL_STATE => "Call state",
        CHANNEL_ID => "Channel identification",
        FACILITY => "Facility",
        PROGRESS_INDICATOR => "Progress indicator",
        NETWORK_SPECIFIC_FACILITIES => "Network-specific facilities",
        NOTIFICATION_INDICATOR => "Notification indicator",
        DISPLAY => "Display",
        DATE_TIME => "Date/time",
        KEYPAD_FACILITY => "Keypad facility",
        SIGNAL => "Signal",
        CONNECTED_NUMBER => "Connected number",
        CONNECTED_SUBADDRESS => "Connected subaddress",
        CALLING_PARTY_NUMBER => "Calling party number",
        CALLING_PARTY_SUBADDRESS => "Calling party subaddress",
        CALLED_PARTY_NUMBER => "Called party number",
        CALLED_PARTY_SUBADDRESS => "Called party subaddress",
        REDIRECTING_NUMBER => "Redirecting number",
        REDIRECTION_NUMBER => "Redirection number",
        TRANSIT_NETWORK_SELECTION => "Transit network selection",
        RESTART_INDICATOR => "Restart indicator",
        LOW_LAYER_COMPATIBILITY => "Low layer compatibility",
        HIGH_LAYER_COMPATIBILITY => "High layer compatibility",
        USER_USER => "User-user",
        _ => return None,
    })
}

/// Codeset 0 IEs that are known but kept as opaque bytes.
fn is_opaque_id(id: u8) -> bool {
    use ie_id::*;
    matches!(
        id,
        SEGMENTED_MESSAGE
            | CALL_IDENTITY
            | NETWORK_SPECIFIC_FACILITIES
            | TRANSIT_NETWORK_SELECTION
            | USER_USER
    )
}

/// One IE as found on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawIe<'a> {
    /// Codeset in effect for this IE.
    pub codeset: u8,
    /// Identifier octet (for single-octet IEs: the whole octet).
    pub id: u8,
    /// Contents (empty for single-octet IEs).
    pub data: &'a [u8],
    /// The whole IE as it appears on the wire (identifier, length, contents).
    pub wire: &'a [u8],
}

impl RawIe<'_> {
    /// Whether this is a single-octet IE (bit 8 of the identifier set).
    pub fn is_single_octet(&self) -> bool {
        self.id & 0x80 != 0
    }
}

/// Iterator over the IEs of a message, tracking locking and non-locking
/// shifts. Yields an error (and then stops) on a length overrun.
#[derive(Debug, Clone)]
pub struct IeIter<'a> {
    rest: &'a [u8],
    locked: u8,
    next_once: Option<u8>,
    failed: bool,
}

impl<'a> IeIter<'a> {
    /// Iterate over the IE octets of a message (after the message type).
    pub fn new(ies: &'a [u8]) -> IeIter<'a> {
        IeIter {
            rest: ies,
            locked: 0,
            next_once: None,
            failed: false,
        }
    }
}

impl<'a> Iterator for IeIter<'a> {
    type Item = Result<RawIe<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let (&id, after) = self.rest.split_first()?;
        let codeset = self.next_once.take().unwrap_or(self.locked);
        if id & 0x80 != 0 {
            let wire = &self.rest[..1];
            self.rest = after;
            if id & 0xf0 == ie_id::SHIFT {
                if id & 0x08 != 0 {
                    self.next_once = Some(id & 0x07);
                } else {
                    self.locked = id & 0x07;
                }
            }
            return Some(Ok(RawIe {
                codeset,
                id,
                data: &[],
                wire,
            }));
        }
        let available = after.len().saturating_sub(1);
        let Some((&len, body)) = after.split_first() else {
            self.failed = true;
            return Some(Err(Error::IeOverrun {
                codeset,
                id,
                declared: 0,
                available: 0,
            }));
        };
        let len = usize::from(len);
        let (Some(data), Some(wire)) = (body.get(..len), self.rest.get(..len + 2)) else {
            self.failed = true;
            return Some(Err(Error::IeOverrun {
                codeset,
                id,
                declared: len,
                available,
            }));
        };
        self.rest = body.get(len..).unwrap_or(&[]);
        Some(Ok(RawIe {
            codeset,
            id,
            data,
            wire,
        }))
    }
}

/// High-level representation of one information element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IeRepr {
    /// Shift (0x9X): locking (bit 4 = 0) or non-locking (bit 4 = 1).
    Shift {
        /// `true` for a locking shift.
        locking: bool,
        /// New codeset (0..=7).
        codeset: u8,
    },
    /// More data (0xA0).
    MoreData,
    /// Sending complete (0xA1).
    SendingComplete,
    /// Congestion level (0xBX), with the 4-bit level.
    CongestionLevel(u8),
    /// Repeat indicator (0xDX), with the 4-bit indication.
    RepeatIndicator(u8),
    /// Bearer capability (0x04).
    BearerCapability(BearerCapability),
    /// Cause (0x08).
    Cause(Cause),
    /// Call state (0x14).
    CallState(CallState),
    /// Channel identification (0x18).
    ChannelId(ChannelId),
    /// Progress indicator (0x1E).
    ProgressIndicator(ProgressIndicator),
    /// Display (0x28).
    Display(Display),
    /// Connected number (0x4C).
    ConnectedNumber(PartyNumber),
    /// Calling party number (0x6C).
    CallingNumber(PartyNumber),
    /// Called party number (0x70).
    CalledNumber(PartyNumber),
    /// Redirecting number (0x74).
    RedirectingNumber(PartyNumber),
    /// Restart indicator (0x79).
    RestartIndicator(RestartIndicator),
    /// Facility (0x1C).
    Facility(Facility),
    /// Notification indicator (0x27).
    NotificationIndicator(NotificationIndicator),
    /// Date/time (0x29).
    DateTime(DateTime),
    /// Keypad facility (0x2C).
    KeypadFacility(KeypadFacility),
    /// Signal (0x34).
    Signal(Signal),
    /// Calling party subaddress (0x6D).
    CallingSubaddress(Subaddress),
    /// Called party subaddress (0x71).
    CalledSubaddress(Subaddress),
    /// Low layer compatibility (0x7C).
    LowLayerCompatibility(LowLayerCompatibility),
    /// High layer compatibility (0x7D).
    HighLayerCompatibility(HighLayerCompatibility),
    /// A known codeset 0 variable-length IE kept as bytes: one without a typed
    /// model (segmented message, call identity, network-specific facilities,
    /// transit network selection, user-user) or a typed one encoded in a
    /// form the typed model does not reproduce exactly.
    Opaque {
        /// IE identifier.
        id: u8,
        /// Contents.
        data: Vec<u8>,
    },
    /// Any other IE (other codesets, unknown identifiers). Single-octet
    /// unknown IEs have an identifier >= 0x80 and empty `data`.
    Unknown {
        /// Codeset in effect when the IE was received (informational: the
        /// codeset on the wire is set by preceding [`IeRepr::Shift`]s).
        codeset: u8,
        /// IE identifier.
        id: u8,
        /// Contents.
        data: Vec<u8>,
    },
}

macro_rules! typed {
    ($raw:expr, $ty:ident, $variant:expr) => {{
        let v = $ty::parse($raw.data).map_err(|reason| Error::InvalidIe {
            codeset: $raw.codeset,
            id: $raw.id,
            reason,
        })?;
        // Keep the IE as bytes unless the typed form re-encodes exactly.
        if v.contents().ok().as_deref() == Some($raw.data) {
            $variant(v)
        } else {
            IeRepr::Opaque {
                id: $raw.id,
                data: $raw.data.to_vec(),
            }
        }
    }};
}

impl IeRepr {
    /// Decode one raw IE.
    pub fn parse(raw: &RawIe<'_>) -> Result<IeRepr, Error> {
        use ie_id::*;
        let id = raw.id;
        if id & 0xf0 == SHIFT {
            return Ok(IeRepr::Shift {
                locking: id & 0x08 == 0,
                codeset: id & 0x07,
            });
        }
        let unknown = || IeRepr::Unknown {
            codeset: raw.codeset,
            id,
            data: raw.data.to_vec(),
        };
        if raw.codeset != 0 {
            return Ok(unknown());
        }
        Ok(match id {
            MORE_DATA => IeRepr::MoreData,
            SENDING_COMPLETE => IeRepr::SendingComplete,
            x if x & 0xf0 == CONGESTION_LEVEL => IeRepr::CongestionLevel(x & 0x0f),
            x if x & 0xf0 == REPEAT_INDICATOR => IeRepr::RepeatIndicator(x & 0x0f),
            BEARER_CAPABILITY => typed!(raw, BearerCapability, IeRepr::BearerCapability),
            CAUSE => typed!(raw, Cause, IeRepr::Cause),
            CALL_STATE => typed!(raw, CallState, IeRepr::CallState),
            CHANNEL_ID => typed!(raw, ChannelId, IeRepr::ChannelId),
            PROGRESS_INDICATOR => typed!(raw, ProgressIndicator, IeRepr::ProgressIndicator),
            DISPLAY => typed!(raw, Display, IeRepr::Display),
            CONNECTED_NUMBER => typed!(raw, PartyNumber, IeRepr::ConnectedNumber),
            CALLING_PARTY_NUMBER => typed!(raw, PartyNumber, IeRepr::CallingNumber),
            CALLED_PARTY_NUMBER => typed!(raw, PartyNumber, IeRepr::CalledNumber),
            REDIRECTING_NUMBER => typed!(raw, PartyNumber, IeRepr::RedirectingNumber),
            RESTART_INDICATOR => typed!(raw, RestartIndicator, IeRepr::RestartIndicator),
            FACILITY => typed!(raw, Facility, IeRepr::Facility),
            NOTIFICATION_INDICATOR => {
                typed!(raw, NotificationIndicator, IeRepr::NotificationIndicator)
            }
            DATE_TIME => typed!(raw, DateTime, IeRepr::DateTime),
            KEYPAD_FACILITY => typed!(raw, KeypadFacility, IeRepr::KeypadFacility),
            SIGNAL => typed!(raw, Signal, IeRepr::Signal),
            CALLING_PARTY_SUBADDRESS => typed!(raw, Subaddress, IeRepr::CallingSubaddress),
            CALLED_PARTY_SUBADDRESS => typed!(raw, Subaddress, IeRepr::CalledSubaddress),
            LOW_LAYER_COMPATIBILITY => {
                typed!(raw, LowLayerCompatibility, IeRepr::LowLayerCompatibility)
            }
            HIGH_LAYER_COMPATIBILITY => {
                typed!(raw, HighLayerCompatibility, IeRepr::HighLayerCompatibility)
            }
            x if is_opaque_id(x) => IeRepr::Opaque {
                id: x,
                data: raw.data.to_vec(),
            },
            _ => unknown(),
        })
    }

    /// The identifier octet this IE is emitted with.
    pub fn id(&self) -> u8 {
        use ie_id::*;
        match self {
            IeRepr::Shift { locking, codeset } => {
                SHIFT | if *locking { 0 } else { 0x08 } | (codeset & 0x07)
            }
            IeRepr::MoreData => MORE_DATA,
            IeRepr::SendingComplete => SENDING_COMPLETE,
            IeRepr::CongestionLevel(l) => CONGESTION_LEVEL | (l & 0x0f),
            IeRepr::RepeatIndicator(r) => REPEAT_INDICATOR | (r & 0x0f),
            IeRepr::BearerCapability(_) => BEARER_CAPABILITY,
            IeRepr::Cause(_) => CAUSE,
            IeRepr::CallState(_) => CALL_STATE,
            IeRepr::ChannelId(_) => CHANNEL_ID,
            IeRepr::ProgressIndicator(_) => PROGRESS_INDICATOR,
            IeRepr::Display(_) => DISPLAY,
            IeRepr::ConnectedNumber(_) => CONNECTED_NUMBER,
            IeRepr::CallingNumber(_) => CALLING_PARTY_NUMBER,
            IeRepr::CalledNumber(_) => CALLED_PARTY_NUMBER,
            IeRepr::RedirectingNumber(_) => REDIRECTING_NUMBER,
            IeRepr::RestartIndicator(_) => RESTART_INDICATOR,
            IeRepr::Facility(_) => FACILITY,
            IeRepr::NotificationIndicator(_) => NOTIFICATION_INDICATOR,
            IeRepr::DateTime(_) => DATE_TIME,
            IeRepr::KeypadFacility(_) => KEYPAD_FACILITY,
            IeRepr::Signal(_) => SIGNAL,
            IeRepr::CallingSubaddress(_) => CALLING_PARTY_SUBADDRESS,
            IeRepr::CalledSubaddress(_) => CALLED_PARTY_SUBADDRESS,
            IeRepr::LowLayerCompatibility(_) => LOW_LAYER_COMPATIBILITY,
            IeRepr::HighLayerCompatibility(_) => HIGH_LAYER_COMPATIBILITY,
            IeRepr::Opaque { id, .. } | IeRepr::Unknown { id, .. } => *id,
        }
    }

    /// Contents (without identifier and length); `None` for single-octet IEs.
    pub fn contents(&self) -> Option<Result<Vec<u8>, &'static str>> {
        Some(match self {
            IeRepr::Shift { .. }
            | IeRepr::MoreData
            | IeRepr::SendingComplete
            | IeRepr::CongestionLevel(_)
            | IeRepr::RepeatIndicator(_) => return None,
            IeRepr::BearerCapability(v) => v.contents(),
            IeRepr::Cause(v) => v.contents(),
            IeRepr::CallState(v) => v.contents(),
            IeRepr::ChannelId(v) => v.contents(),
            IeRepr::ProgressIndicator(v) => v.contents(),
            IeRepr::Display(v) => v.contents(),
            IeRepr::ConnectedNumber(v)
            | IeRepr::CallingNumber(v)
            | IeRepr::CalledNumber(v)
            | IeRepr::RedirectingNumber(v) => v.contents(),
            IeRepr::RestartIndicator(v) => v.contents(),
            IeRepr::Facility(v) => v.contents(),
            IeRepr::NotificationIndicator(v) => v.contents(),
            IeRepr::DateTime(v) => v.contents(),
            IeRepr::KeypadFacility(v) => v.contents(),
            IeRepr::Signal(v) => v.contents(),
            IeRepr::CallingSubaddress(v) | IeRepr::CalledSubaddress(v) => v.contents(),
            IeRepr::LowLayerCompatibility(v) => v.contents(),
            IeRepr::HighLayerCompatibility(v) => v.contents(),
            IeRepr::Opaque { id, data } | IeRepr::Unknown { id, data, .. } => {
                if id & 0x80 != 0 {
                    if !data.is_empty() {
                        return Some(Err("single-octet IE with contents"));
                    }
                    return None;
                }
                Ok(data.clone())
            }
        })
    }

    /// Number of octets [`IeRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        match self.contents() {
            None => 1,
            Some(Ok(c)) => 2 + c.len(),
            Some(Err(_)) => 2,
        }
    }

    /// Emit this IE into `buf`, returning the number of octets written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let id = self.id();
        let available = buf.len();
        match self.contents() {
            None => {
                *buf.first_mut().ok_or(Error::BufferTooSmall {
                    needed: 1,
                    available,
                })? = id;
                Ok(1)
            }
            Some(Err(reason)) => Err(Error::Unencodable { id, reason }),
            Some(Ok(c)) => {
                let len = u8::try_from(c.len()).map_err(|_| Error::Unencodable {
                    id,
                    reason: "contents longer than 255 octets",
                })?;
                let needed = 2 + c.len();
                let out = buf
                    .get_mut(..needed)
                    .ok_or(Error::BufferTooSmall { needed, available })?;
                out[0] = id;
                out[1] = len;
                out[2..].copy_from_slice(&c);
                Ok(needed)
            }
        }
    }
}
