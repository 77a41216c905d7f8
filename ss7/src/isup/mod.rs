//! ISUP (ITU-T Q.763, ANSI T1.113) message and parameter wire format.
//!
//! The layout follows the smoltcp style used across the project: [`Message`]
//! is a checked zero-copy view over the header of a received message (CIC and
//! message type), and [`MessageRepr`] / [`ParamRepr`] are the owned, typed
//! representations with `parse` / `emit` / `buffer_len`.
//!
//! A message is CIC, message type, then the three parts of Q.763 clause 1.5:
//! the mandatory fixed part (parameters of fixed length in a fixed order, no
//! name or length), the mandatory variable part (one pointer per parameter,
//! then length + contents) and the optional part (a pointer, then
//! name-length-value parameters closed by the end of optional parameters
//! octet 0). Which parameters each message type carries is the table of
//! Q.763 clause 3 (Tables 32 ff.) in [`layout`]; the mandatory parts are
//! checked on parse and emit.
//!
//! Round trips: for every message accepted by [`MessageRepr::parse`],
//! emitting the result and parsing again gives the same representation, and
//! for a message in canonical form (pointers in order, no gaps, spare bits
//! zero) the emitted bytes equal the received ones. Unknown message types keep
//! their body as bytes ([`MessageRepr::raw_body`]), unknown optional
//! parameters (and optional parameters whose contents do not decode) are kept
//! as [`ParamRepr::Raw`], so the call layer can answer CFN / discard per
//! Q.764 clause 2.9.5.
//!
//! Variants: ITU (Q.763), China (ITU formats) and ANSI (T1.113: 14-bit CIC,
//! IAM with user service information as a mandatory variable parameter and no
//! transmission medium requirement, ANSI calling party's category values).

pub mod cc;
mod decode;
pub mod layout;
mod message;
mod names;
mod numbers;
mod param;
mod param_types;
pub mod samples;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_params;

pub use decode::describe;
pub use message::{Message, MessageRepr, MessageType};
pub use names::{calling_party_category_name, cause_name, message_name, param_name};
pub use numbers::{nature, PartyNumber, SubsequentNumber};
pub use param::{code, ParamRepr};
pub use param_types::{
    BackwardCallIndicators, Cause, CircuitGroupSupervisionType, EventInformation,
    ForwardCallIndicators, InformationIndicators, InformationRequestIndicators,
    NatureOfConnectionIndicators, OptionalBackwardCallIndicators, RangeAndStatus,
    RedirectionInformation,
};

/// The ISUP variant of a link set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Variant {
    /// ITU-T Q.763 (and the Q.767 international subset).
    #[default]
    Itu,
    /// ANSI T1.113.
    Ansi,
    /// China: ITU message and parameter formats (24-bit point codes live in MTP3).
    China,
}

impl Variant {
    /// Largest circuit identification code: 12 bits for ITU and China, 14 for ANSI.
    pub fn max_cic(self) -> u16 {
        match self {
            Variant::Ansi => 0x3fff,
            Variant::Itu | Variant::China => 0x0fff,
        }
    }
}

/// Errors from parsing or emitting ISUP messages and parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The message ends before a part it must contain.
    #[error("message truncated at octet {at}: need {needed} more octets")]
    Truncated {
        /// Offset where the missing part starts.
        at: usize,
        /// Octets missing.
        needed: usize,
    },
    /// A mandatory variable pointer is 0 or points outside the message.
    #[error("bad pointer {value} at octet {at}")]
    BadPointer {
        /// Offset of the pointer octet.
        at: usize,
        /// The pointer value.
        value: u8,
    },
    /// A parameter's contents are invalid (too short, too long, bad value).
    #[error("parameter 0x{code:02x} invalid: {reason}")]
    BadParameter {
        /// Parameter name code (Q.763 Table 5).
        code: u8,
        /// What is wrong.
        reason: &'static str,
    },
    /// The parameters given for emission do not match the message type's
    /// mandatory parts (wrong count, order, code or fixed length).
    #[error("message type 0x{message_type:02x}: mandatory parameters do not match the layout ({reason})")]
    LayoutMismatch {
        /// Message type code.
        message_type: u8,
        /// What does not match.
        reason: &'static str,
    },
    /// The CIC does not fit the variant's CIC field.
    #[error("CIC {0} out of range for the variant")]
    CicOutOfRange(u16),
    /// A parameter or an offset does not fit in its one-octet length or pointer.
    #[error("parameter 0x{0:02x} too long for a one-octet length or pointer")]
    TooLong(u8),
    /// The output buffer is too small.
    #[error("buffer too small: need {needed} octets, have {available}")]
    BufferTooSmall {
        /// Octets needed.
        needed: usize,
        /// Octets available.
        available: usize,
    },
}

/// Result type of this module.
pub type Result<T> = core::result::Result<T, Error>;
