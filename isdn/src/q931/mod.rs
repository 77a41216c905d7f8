//! Q.931 (ITU-T Q.931 / Q.850) message and information-element wire format.
//!
//! The layout follows the smoltcp style: [`Message`] is a zero-copy, checked
//! view over a received frame, and [`MessageRepr`] / [`IeRepr`] are the owned,
//! high-level representations with `parse` / `emit` / `buffer_len`.
//!
//! Round trips are exact: for every frame accepted by [`MessageRepr::parse`],
//! emitting the result yields the same bytes. IE order and codeset shifts are
//! kept exactly as received; IEs of other codesets and IEs that are not decoded
//! are kept as bytes ([`IeRepr::Unknown`] / [`IeRepr::Opaque`]).
//!
//! Typed codeset 0 IEs: bearer capability, cause, call state, channel
//! identification, progress indicator, display, the four party numbers
//! (calling, called, connected, redirecting with reason for redirection),
//! restart indicator, facility, notification indicator, date/time, keypad
//! facility, signal, calling/called party subaddress, low and high layer
//! compatibility, and the single-octet shift, more data, sending complete,
//! congestion level and repeat indicator.

mod decode;
mod ie;
mod ie_types;
mod ie_types_more;
mod message;
mod names;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_ies;
#[cfg(test)]
mod tests_ies2;

pub use decode::describe;
pub use ie::{ie_id, ie_name, IeIter, IeRepr, RawIe};
pub use ie_types::{
    BearerCapability, CallState, Cause, ChannelId, ChannelSpec, Display, PartyNumber, Presentation,
    ProgressIndicator, RestartIndicator,
};
pub use ie_types_more::{
    DateTime, Facility, HighLayerCompatibility, KeypadFacility, LowLayerCompatibility,
    NotificationIndicator, Signal, Subaddress,
};
pub use message::{CallRef, Message, MessageRepr, MessageType, PROTOCOL_DISCRIMINATOR};
pub use names::cause_name;

/// Errors from parsing or emitting Q.931 messages.
///
/// The parse errors carry enough detail (codeset, IE identifier, reason) for
/// the clause 5.8 error procedures to pick a cause (95, 96, 99, 100).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The frame ends before the message header is complete.
    #[error("message truncated: need {needed} octets, have {available}")]
    Truncated {
        /// Octets needed for the header.
        needed: usize,
        /// Octets present.
        available: usize,
    },
    /// The protocol discriminator is not 0x08 (Q.931).
    #[error("bad protocol discriminator 0x{0:02x} (expected 0x08)")]
    BadProtocolDiscriminator(u8),
    /// The call reference length octet is invalid (spare bits set or length > 2).
    #[error("bad call reference length octet 0x{0:02x}")]
    BadCallRefLength(u8),
    /// A variable-length IE declares more content than the frame holds.
    #[error("IE 0x{id:02x} (codeset {codeset}) length overrun: declares {declared} octets, {available} available")]
    IeOverrun {
        /// Active codeset of the IE.
        codeset: u8,
        /// IE identifier.
        id: u8,
        /// Declared content length (0 if the length octet itself is missing).
        declared: usize,
        /// Octets remaining in the frame after the length octet.
        available: usize,
    },
    /// A known IE has contents that cannot be decoded.
    #[error("invalid contents of IE 0x{id:02x} (codeset {codeset}): {reason}")]
    InvalidIe {
        /// Active codeset of the IE.
        codeset: u8,
        /// IE identifier.
        id: u8,
        /// What is wrong.
        reason: &'static str,
    },
    /// The output buffer is too small for [`MessageRepr::emit`].
    #[error("emit buffer too small: need {needed} octets, have {available}")]
    BufferTooSmall {
        /// Octets needed.
        needed: usize,
        /// Octets available.
        available: usize,
    },
    /// The representation cannot be encoded (e.g. IE contents over 255 octets).
    #[error("cannot encode IE 0x{id:02x}: {reason}")]
    Unencodable {
        /// IE identifier (or 0 for header problems).
        id: u8,
        /// What is wrong.
        reason: &'static str,
    },
}
