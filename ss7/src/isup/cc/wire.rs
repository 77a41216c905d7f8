//! Building the messages the call control sends.

use crate::isup::ParamRepr as P;
use crate::isup::{
    BackwardCallIndicators, Cause, CircuitGroupSupervisionType, EventInformation,
    ForwardCallIndicators, MessageRepr, MessageType, NatureOfConnectionIndicators, PartyNumber,
    RangeAndStatus, SubsequentNumber, Variant,
};

use super::types::{BlockKind, CallRequest};

/// Cause location used in our REL/CFN: public network serving the local user.
const LOCATION: u8 = 2;

pub(crate) fn simple(cic: u16, t: MessageType) -> MessageRepr {
    let optional = match crate::isup::layout::layout(t, Variant::Itu) {
        Some(l) if l.optional => Some(vec![]),
        _ => None,
    };
    MessageRepr::new(cic, t, vec![], vec![], optional)
}

pub(crate) fn iam(cic: u16, req: &CallRequest, variant: Variant) -> MessageRepr {
    let mut digits = req.called.clone();
    if req.complete {
        digits.push('F');
    }
    let mut fixed = vec![
        P::NatureOfConnection(NatureOfConnectionIndicators::default()),
        P::ForwardCall(ForwardCallIndicators {
            isdn_user_part: true,
            ..ForwardCallIndicators::default()
        }),
        P::CallingPartysCategory(req.category),
    ];
    let called = P::CalledPartyNumber(PartyNumber {
        indicator: false,
        ..PartyNumber::e164(req.called_nature, &digits)
    });
    let variable = if variant == Variant::Ansi {
        vec![P::UserServiceInformation(vec![0x80, 0x90, 0xa2]), called]
    } else {
        fixed.push(P::TransmissionMediumRequirement(0));
        vec![called]
    };
    let optional = req
        .calling
        .as_ref()
        .map(|c| {
            vec![P::CallingPartyNumber(PartyNumber {
                screening: 1,
                ..PartyNumber::e164(req.called_nature, c)
            })]
        })
        .unwrap_or_default();
    MessageRepr::new(cic, MessageType::Iam, fixed, variable, Some(optional))
}

pub(crate) fn sam(cic: u16, digits: &str, complete: bool) -> MessageRepr {
    let mut digits = digits.to_string();
    if complete {
        digits.push('F');
    }
    MessageRepr::new(
        cic,
        MessageType::Sam,
        vec![],
        vec![P::SubsequentNumber(SubsequentNumber { digits })],
        Some(vec![]),
    )
}

pub(crate) fn backward(cic: u16, t: MessageType) -> MessageRepr {
    let bci = BackwardCallIndicators {
        called_party_status: 1,
        isdn_user_part: true,
        ..BackwardCallIndicators::default()
    };
    MessageRepr::new(cic, t, vec![P::BackwardCall(bci)], vec![], Some(vec![]))
}

pub(crate) fn cpg(cic: u16, event: u8) -> MessageRepr {
    MessageRepr::new(
        cic,
        MessageType::Cpg,
        vec![P::EventInformation(EventInformation {
            event,
            presentation_restricted: false,
        })],
        vec![],
        Some(vec![]),
    )
}

pub(crate) fn with_cause(cic: u16, t: MessageType, cause: u8, diagnostics: Vec<u8>) -> MessageRepr {
    let cause = Cause {
        diagnostics,
        ..Cause::new(LOCATION, cause)
    };
    MessageRepr::new(
        cic,
        t,
        vec![],
        vec![P::CauseIndicators(cause)],
        Some(vec![]),
    )
}

pub(crate) fn group(cic: u16, t: MessageType, kind: BlockKind, rs: RangeAndStatus) -> MessageRepr {
    let ty = match kind {
        BlockKind::Maintenance => CircuitGroupSupervisionType::MAINTENANCE,
        BlockKind::Hardware => CircuitGroupSupervisionType::HARDWARE_FAILURE,
    };
    MessageRepr::new(
        cic,
        t,
        vec![P::CircuitGroupSupervision(ty)],
        vec![P::RangeAndStatus(rs)],
        None,
    )
}

pub(crate) fn range(cic: u16, t: MessageType, rs: RangeAndStatus) -> MessageRepr {
    MessageRepr::new(cic, t, vec![], vec![P::RangeAndStatus(rs)], None)
}

pub(crate) fn cqr(cic: u16, range: u8, states: Vec<u8>) -> MessageRepr {
    MessageRepr::new(
        cic,
        MessageType::Cqr,
        vec![],
        vec![
            P::RangeAndStatus(RangeAndStatus::range_only(range)),
            P::CircuitStateIndicator(states),
        ],
        None,
    )
}

/// The cause value of a REL/CFN (31 normal unspecified if absent).
pub(crate) fn cause_of(m: &MessageRepr) -> u8 {
    m.params()
        .find_map(|p| match p {
            P::CauseIndicators(c) => Some(c.cause_value),
            _ => None,
        })
        .unwrap_or(31)
}

/// Range and status of a group message.
pub(crate) fn range_of(m: &MessageRepr) -> Option<&RangeAndStatus> {
    m.params().find_map(|p| match p {
        P::RangeAndStatus(r) => Some(r),
        _ => None,
    })
}

/// Kind of a CGB/CGU/CGBA/CGUA (type indicator 1 hardware, else maintenance).
pub(crate) fn kind_of(m: &MessageRepr) -> BlockKind {
    let hw = m
        .params()
        .any(|p| matches!(p, P::CircuitGroupSupervision(t) if t.type_indicator() == 1));
    if hw {
        BlockKind::Hardware
    } else {
        BlockKind::Maintenance
    }
}

/// Split a digit string into (digits without ST, ended with ST).
pub(crate) fn split_st(d: &str) -> (String, bool) {
    match d.strip_suffix(['F', 'f']) {
        Some(s) => (s.to_string(), true),
        None => (d.to_string(), false),
    }
}
