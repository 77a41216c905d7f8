//! The message layouts of Q.763 clause 3 (Tables 32 ff.) and T1.113: which
//! parameters make up each message type's mandatory fixed part and mandatory
//! variable part, and whether it has an optional part.

use super::message::MessageType;
use super::param::code;
use super::Variant;

/// The mandatory parts of one message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Mandatory fixed parameters in order: (parameter name code, length).
    pub fixed: &'static [(u8, usize)],
    /// Mandatory variable parameters in pointer order (parameter name codes).
    pub variable: &'static [u8],
    /// Whether the message has an optional part (and its pointer).
    pub optional: bool,
}

const fn l(fixed: &'static [(u8, usize)], variable: &'static [u8], optional: bool) -> Layout {
    Layout {
        fixed,
        variable,
        optional,
    }
}

const NONE: Layout = l(&[], &[], false);
const OPT_ONLY: Layout = l(&[], &[], true);
const IAM_ITU: Layout = l(
    &[
        (code::NATURE_OF_CONNECTION_INDICATORS, 1),
        (code::FORWARD_CALL_INDICATORS, 2),
        (code::CALLING_PARTYS_CATEGORY, 1),
        (code::TRANSMISSION_MEDIUM_REQUIREMENT, 1),
    ],
    &[code::CALLED_PARTY_NUMBER],
    true,
);
const IAM_ANSI: Layout = l(
    &[
        (code::NATURE_OF_CONNECTION_INDICATORS, 1),
        (code::FORWARD_CALL_INDICATORS, 2),
        (code::CALLING_PARTYS_CATEGORY, 1),
    ],
    &[code::USER_SERVICE_INFORMATION, code::CALLED_PARTY_NUMBER],
    true,
);
const SAM: Layout = l(&[], &[code::SUBSEQUENT_NUMBER], true);
const INR: Layout = l(&[(code::INFORMATION_REQUEST_INDICATORS, 2)], &[], true);
const INF: Layout = l(&[(code::INFORMATION_INDICATORS, 2)], &[], true);
const ACM_CON: Layout = l(&[(code::BACKWARD_CALL_INDICATORS, 2)], &[], true);
const CPG: Layout = l(&[(code::EVENT_INFORMATION, 1)], &[], true);
const REL_CFN: Layout = l(&[], &[code::CAUSE_INDICATORS], true);
const SUS_RES: Layout = l(&[(code::SUSPEND_RESUME_INDICATORS, 1)], &[], true);
const CIRCUIT_GROUP: Layout = l(
    &[(code::CIRCUIT_GROUP_SUPERVISION_MESSAGE_TYPE, 1)],
    &[code::RANGE_AND_STATUS],
    false,
);
const RANGE_ONLY: Layout = l(&[], &[code::RANGE_AND_STATUS], false);
const CQR: Layout = l(
    &[],
    &[code::RANGE_AND_STATUS, code::CIRCUIT_STATE_INDICATOR],
    false,
);

/// The layout of a message type in a variant, or `None` for a message type
/// this module does not decode (its body is then kept as bytes).
pub fn layout(message_type: MessageType, variant: Variant) -> Option<Layout> {
    use MessageType as T;
    Some(match message_type {
        T::Iam if variant == Variant::Ansi => IAM_ANSI,
        T::Iam => IAM_ITU,
        T::Sam => SAM,
        T::Inr => INR,
        T::Inf => INF,
        T::Acm | T::Con => ACM_CON,
        T::Cpg => CPG,
        T::Anm | T::Rlc => OPT_ONLY,
        T::Rel | T::Cfn => REL_CFN,
        T::Sus | T::Res => SUS_RES,
        T::Blo | T::Bla | T::Ubl | T::Uba | T::Rsc | T::Ucic => NONE,
        T::Cgb | T::Cgba | T::Cgu | T::Cgua => CIRCUIT_GROUP,
        T::Grs | T::Gra | T::Cqm => RANGE_ONLY,
        T::Cqr => CQR,
        T::Other(_) => return None,
    })
}
