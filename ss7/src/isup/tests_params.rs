//! Parameter tests: each typed parameter against octets written from its
//! Q.763 clause, and round trips of realistic values.

use super::*;

fn round_trip(p: ParamRepr, want: &[u8]) {
    let mut out = Vec::new();
    p.emit_content(&mut out);
    assert_eq!(out, want, "{p:?}");
    assert_eq!(p.content_len(), want.len(), "{p:?}");
    for v in [Variant::Itu, Variant::Ansi, Variant::China] {
        assert_eq!(ParamRepr::parse(p.code(), want, v).unwrap(), p);
    }
}

#[test]
fn indicator_parameters_match_q763_bits() {
    round_trip(
        ParamRepr::NatureOfConnection(NatureOfConnectionIndicators {
            satellite: 1,
            continuity_check: 2,
            echo_control_device: true,
            spare: 0,
        }),
        &[0x19],
    );
    round_trip(
        ParamRepr::ForwardCall(ForwardCallIndicators {
            international: true,
            isdn_user_part: true,
            isdn_user_part_preference: 2,
            isdn_access: true,
            ..Default::default()
        }),
        &[0xa1, 0x01],
    );
    round_trip(
        ParamRepr::BackwardCall(BackwardCallIndicators {
            charge: 2,
            called_party_status: 1,
            called_party_category: 1,
            isdn_user_part: true,
            isdn_access: true,
            ..Default::default()
        }),
        &[0x16, 0x14],
    );
    round_trip(
        ParamRepr::OptionalBackwardCall(OptionalBackwardCallIndicators {
            in_band_information: true,
            call_diversion_may_occur: true,
            ..Default::default()
        }),
        &[0x03],
    );
    round_trip(
        ParamRepr::EventInformation(EventInformation {
            event: 1,
            presentation_restricted: true,
        }),
        &[0x81],
    );
    round_trip(ParamRepr::CallingPartysCategory(0x0a), &[0x0a]);
    round_trip(ParamRepr::TransmissionMediumRequirement(3), &[0x03]);
    round_trip(ParamRepr::SuspendResume(1), &[0x01]);
    round_trip(ParamRepr::AutomaticCongestionLevel(2), &[0x02]);
    round_trip(
        ParamRepr::CircuitGroupSupervision(CircuitGroupSupervisionType::HARDWARE_FAILURE),
        &[0x01],
    );
    round_trip(
        ParamRepr::InformationRequest(InformationRequestIndicators(
            InformationRequestIndicators::CALLING_PARTY_ADDRESS
                | InformationRequestIndicators::CHARGE_INFORMATION,
        )),
        &[0x11, 0x00],
    );
    let inf = InformationIndicators(3 | InformationIndicators::UNSOLICITED);
    assert_eq!(inf.calling_party_address_response(), 3);
    round_trip(ParamRepr::Information(inf), &[0x83, 0x00]);
    round_trip(
        ParamRepr::RedirectionInformation(RedirectionInformation {
            redirecting_indicator: 3,
            original_reason: 1,
            two_octets: true,
            counter: 2,
            reason: 2,
            ..Default::default()
        }),
        &[0x13, 0x22],
    );
    round_trip(
        ParamRepr::RedirectionInformation(RedirectionInformation {
            redirecting_indicator: 4,
            ..Default::default()
        }),
        &[0x04],
    );
}

#[test]
fn fixed_length_parameters_reject_wrong_lengths() {
    for code in [
        code::NATURE_OF_CONNECTION_INDICATORS,
        code::FORWARD_CALL_INDICATORS,
        code::BACKWARD_CALL_INDICATORS,
        code::CALLING_PARTYS_CATEGORY,
        code::EVENT_INFORMATION,
        code::INFORMATION_INDICATORS,
        code::REDIRECTION_INFORMATION,
    ] {
        let r = ParamRepr::parse(code, &[1, 2, 3], Variant::Itu);
        assert!(
            matches!(r, Err(Error::BadParameter { code: c, .. }) if c == code),
            "{code:#x}"
        );
    }
}

#[test]
fn numbers_are_bcd_with_odd_even_indicator() {
    // Called party number, national, odd digit count, ending with ST.
    round_trip(
        ParamRepr::CalledPartyNumber(PartyNumber::e164(nature::NATIONAL, "1234F")),
        &[0x83, 0x10, 0x21, 0x43, 0x0f],
    );
    // Calling party number: NI incomplete, presentation restricted, network provided.
    round_trip(
        ParamRepr::CallingPartyNumber(PartyNumber {
            indicator: true,
            presentation: 1,
            screening: 3,
            ..PartyNumber::e164(nature::INTERNATIONAL, "8610")
        }),
        &[0x04, 0x97, 0x68, 0x01],
    );
    // Address not available: no digits.
    round_trip(
        ParamRepr::CallingPartyNumber(PartyNumber {
            presentation: 2,
            ..PartyNumber::e164(0, "")
        }),
        &[0x00, 0x18],
    );
    for p in [
        ParamRepr::RedirectingNumber(PartyNumber::e164(nature::NATIONAL, "0101")),
        ParamRepr::RedirectionNumber(PartyNumber::e164(nature::NATIONAL, "0101")),
        ParamRepr::OriginalCalledNumber(PartyNumber::e164(nature::NATIONAL, "0101")),
        ParamRepr::ConnectedNumber(PartyNumber::e164(nature::NATIONAL, "0101")),
        ParamRepr::LocationNumber(PartyNumber::e164(nature::NATIONAL, "0101")),
    ] {
        round_trip(p, &[0x03, 0x10, 0x10, 0x10]);
    }
    round_trip(
        ParamRepr::SubsequentNumber(SubsequentNumber {
            digits: "567".into(),
        }),
        &[0x80, 0x65, 0x07],
    );
    round_trip(
        ParamRepr::SubsequentNumber(SubsequentNumber {
            digits: "BC".into(),
        }),
        &[0x00, 0xcb],
    );
    // The filler nibble of an odd count is ignored.
    let n = PartyNumber::parse(code::CALLED_PARTY_NUMBER, &[0x83, 0x10, 0x21, 0xf3]).unwrap();
    assert_eq!(n.digits, "123");
    assert!(PartyNumber::parse(code::CALLED_PARTY_NUMBER, &[0x83]).is_err());
    assert!(SubsequentNumber::parse(code::SUBSEQUENT_NUMBER, &[]).is_err());
}

#[test]
fn cause_indicators_carry_location_standard_value_and_diagnostics() {
    round_trip(ParamRepr::CauseIndicators(Cause::new(2, 16)), &[0x82, 0x90]);
    round_trip(
        ParamRepr::CauseIndicators(Cause {
            coding_standard: 2,
            diagnostics: vec![0x01, 0x02],
            ..Cause::new(4, 17)
        }),
        &[0xc4, 0x91, 0x01, 0x02],
    );
    round_trip(
        ParamRepr::CauseIndicators(Cause {
            recommendation: Some(0),
            ..Cause::new(7, 34)
        }),
        &[0x07, 0x80, 0xa2],
    );
    assert!(Cause::parse(code::CAUSE_INDICATORS, &[0x82]).is_err());
    assert!(Cause::parse(code::CAUSE_INDICATORS, &[0x02, 0x80]).is_err());
    assert_eq!(cause_name(16), "normal call clearing");
}

#[test]
fn range_status_and_raw_parameters() {
    let r = RangeAndStatus::with_status(9, (0..10).map(|i| i % 3 == 0));
    assert_eq!(r.status, vec![0x49, 0x02]);
    assert_eq!(r.status_bit(9), Some(true));
    assert_eq!(r.status_bit(8), Some(false));
    assert_eq!(r.status_bit(16), None);
    round_trip(ParamRepr::RangeAndStatus(r), &[0x09, 0x49, 0x02]);
    round_trip(
        ParamRepr::RangeAndStatus(RangeAndStatus::range_only(30)),
        &[0x1e],
    );
    assert!(ParamRepr::parse(code::RANGE_AND_STATUS, &[], Variant::Itu).is_err());
    assert!(ParamRepr::parse(code::RANGE_AND_STATUS, &[0; 34], Variant::Itu).is_err());
    round_trip(
        ParamRepr::CircuitStateIndicator(vec![0x00, 0x0d]),
        &[0x00, 0x0d],
    );
    round_trip(
        ParamRepr::UserServiceInformation(vec![0x80, 0x90, 0xa3]),
        &[0x80, 0x90, 0xa3],
    );
    round_trip(
        ParamRepr::AccessTransport(vec![0x7d, 0x02, 0x91, 0x81]),
        &[0x7d, 0x02, 0x91, 0x81],
    );
    round_trip(
        ParamRepr::GenericNumber(vec![0x06, 0x83, 0x13, 0x21]),
        &[0x06, 0x83, 0x13, 0x21],
    );
    round_trip(
        ParamRepr::Raw {
            code: 0xeb,
            data: vec![0x03, 0x10],
        },
        &[0x03, 0x10],
    );
}

#[test]
fn names_follow_q763_and_t1113() {
    assert_eq!(
        param_name(code::CALLING_PARTYS_CATEGORY, Variant::Itu),
        "Calling party's category"
    );
    assert_eq!(
        param_name(code::GENERIC_NUMBER, Variant::Itu),
        "Generic number"
    );
    assert_eq!(
        param_name(code::GENERIC_NUMBER, Variant::Ansi),
        "Generic address"
    );
    assert_eq!(
        param_name(code::CHARGE_NUMBER, Variant::Ansi),
        "Charge number"
    );
    assert_eq!(
        param_name(code::CHARGE_NUMBER, Variant::Itu),
        "Unknown parameter"
    );
    assert_eq!(calling_party_category_name(0x0f, Variant::Itu), "payphone");
    assert_eq!(
        calling_party_category_name(0xe0, Variant::Ansi),
        "emergency service call"
    );
    assert_eq!(
        calling_party_category_name(0x0f, Variant::Ansi),
        "national/network specific"
    );
}
