//! Realistic example messages, one per message type this module decodes,
//! for tests (round trips, tshark), benchmarks and the far-end emulator.

use super::message::{MessageRepr, MessageType};
use super::numbers::{nature, PartyNumber, SubsequentNumber};
use super::param::ParamRepr as P;
use super::param_types::*;
use super::Variant;

fn cause(value: u8) -> P {
    P::CauseIndicators(Cause::new(2, value))
}

/// The IAM of an ordinary speech call from 0201234567 to 0101234 (with the
/// number incomplete, as in overlap sending) in the given variant.
pub fn iam(cic: u16, variant: Variant) -> MessageRepr {
    let mut fixed = vec![
        P::NatureOfConnection(NatureOfConnectionIndicators::default()),
        P::ForwardCall(ForwardCallIndicators {
            isdn_user_part: true,
            isdn_user_part_preference: 0,
            isdn_access: true,
            ..ForwardCallIndicators::default()
        }),
        P::CallingPartysCategory(0x0a),
    ];
    let called = P::CalledPartyNumber(PartyNumber::e164(nature::NATIONAL, "0101234"));
    let variable = if variant == Variant::Ansi {
        // Speech, ITU-T coding, 64 kbit/s circuit mode, mu-law.
        vec![P::UserServiceInformation(vec![0x80, 0x90, 0xa2]), called]
    } else {
        fixed.push(P::TransmissionMediumRequirement(0));
        vec![called]
    };
    let calling = PartyNumber {
        screening: 3,
        ..PartyNumber::e164(nature::NATIONAL, "0201234567")
    };
    MessageRepr::new(
        cic,
        MessageType::Iam,
        fixed,
        variable,
        Some(vec![
            P::CallingPartyNumber(calling),
            // Q.931 high layer compatibility IE: telephony.
            P::AccessTransport(vec![0x7d, 0x02, 0x91, 0x81]),
        ]),
    )
}

/// One realistic message of every type in [`MessageType::ALL`], in that order.
pub fn all(cic: u16, variant: Variant) -> Vec<MessageRepr> {
    let bci = BackwardCallIndicators {
        charge: 2,
        called_party_status: 1,
        called_party_category: 1,
        isdn_user_part: true,
        isdn_access: true,
        ..BackwardCallIndicators::default()
    };
    let m = |t, fixed, variable, optional| MessageRepr::new(cic, t, fixed, variable, optional);
    let cgb_status =
        RangeAndStatus::with_status(7, [true, true, false, true, false, false, false, true]);
    let connected = PartyNumber {
        presentation: 0,
        screening: 3,
        ..PartyNumber::e164(nature::NATIONAL, "0101234")
    };
    let redirecting = PartyNumber {
        presentation: 1,
        ..PartyNumber::e164(nature::INTERNATIONAL, "861012345678")
    };
    use MessageType as T;
    vec![
        iam(cic, variant),
        m(
            T::Sam,
            vec![],
            vec![P::SubsequentNumber(SubsequentNumber {
                digits: "567F".into(),
            })],
            None,
        ),
        m(
            T::Inr,
            vec![P::InformationRequest(InformationRequestIndicators(
                InformationRequestIndicators::CALLING_PARTY_ADDRESS
                    | InformationRequestIndicators::CALLING_PARTYS_CATEGORY,
            ))],
            vec![],
            None,
        ),
        m(
            T::Inf,
            vec![P::Information(InformationIndicators(
                3 | InformationIndicators::CALLING_PARTYS_CATEGORY,
            ))],
            vec![],
            Some(vec![
                P::CallingPartysCategory(0x0a),
                P::CallingPartyNumber(PartyNumber::e164(nature::NATIONAL, "0201234567")),
            ]),
        ),
        m(
            T::Acm,
            vec![P::BackwardCall(bci)],
            vec![],
            Some(vec![P::OptionalBackwardCall(
                OptionalBackwardCallIndicators {
                    in_band_information: true,
                    ..OptionalBackwardCallIndicators::default()
                },
            )]),
        ),
        m(
            T::Con,
            vec![P::BackwardCall(bci)],
            vec![],
            Some(vec![P::ConnectedNumber(connected.clone())]),
        ),
        m(
            T::Anm,
            vec![],
            vec![],
            Some(vec![P::ConnectedNumber(connected)]),
        ),
        m(
            T::Rel,
            vec![],
            vec![cause(16)],
            Some(vec![P::AutomaticCongestionLevel(1)]),
        ),
        m(T::Sus, vec![P::SuspendResume(0)], vec![], None),
        m(T::Res, vec![P::SuspendResume(1)], vec![], None),
        m(T::Rlc, vec![], vec![], None),
        m(T::Rsc, vec![], vec![], None),
        m(T::Blo, vec![], vec![], None),
        m(T::Ubl, vec![], vec![], None),
        m(T::Bla, vec![], vec![], None),
        m(T::Uba, vec![], vec![], None),
        m(
            T::Grs,
            vec![],
            vec![P::RangeAndStatus(RangeAndStatus::range_only(29))],
            None,
        ),
        m(
            T::Cgb,
            vec![P::CircuitGroupSupervision(
                CircuitGroupSupervisionType::MAINTENANCE,
            )],
            vec![P::RangeAndStatus(cgb_status.clone())],
            None,
        ),
        m(
            T::Cgu,
            vec![P::CircuitGroupSupervision(
                CircuitGroupSupervisionType::HARDWARE_FAILURE,
            )],
            vec![P::RangeAndStatus(cgb_status.clone())],
            None,
        ),
        m(
            T::Cgba,
            vec![P::CircuitGroupSupervision(
                CircuitGroupSupervisionType::MAINTENANCE,
            )],
            vec![P::RangeAndStatus(cgb_status.clone())],
            None,
        ),
        m(
            T::Cgua,
            vec![P::CircuitGroupSupervision(
                CircuitGroupSupervisionType::HARDWARE_FAILURE,
            )],
            vec![P::RangeAndStatus(cgb_status)],
            None,
        ),
        m(
            T::Gra,
            vec![],
            vec![P::RangeAndStatus(RangeAndStatus::with_status(
                29,
                [false; 30],
            ))],
            None,
        ),
        m(
            T::Cqm,
            vec![],
            vec![P::RangeAndStatus(RangeAndStatus::range_only(3))],
            None,
        ),
        m(
            T::Cqr,
            vec![],
            vec![
                P::RangeAndStatus(RangeAndStatus::range_only(3)),
                P::CircuitStateIndicator(vec![0x0c, 0x0d, 0x03, 0x00]),
            ],
            None,
        ),
        m(
            T::Cpg,
            vec![P::EventInformation(EventInformation {
                event: 4,
                presentation_restricted: false,
            })],
            vec![],
            Some(vec![
                P::RedirectionNumber(PartyNumber::e164(nature::NATIONAL, "0107654321")),
                P::RedirectionInformation(RedirectionInformation {
                    redirecting_indicator: 3,
                    original_reason: 1,
                    two_octets: true,
                    counter: 1,
                    reason: 1,
                    ..RedirectionInformation::default()
                }),
                P::OriginalCalledNumber(redirecting.clone()),
                P::RedirectingNumber(redirecting),
            ]),
        ),
        m(T::Ucic, vec![], vec![], None),
        m(
            T::Cfn,
            vec![],
            vec![P::CauseIndicators(Cause {
                diagnostics: vec![0x31],
                ..Cause::new(2, 97)
            })],
            None,
        ),
    ]
}
