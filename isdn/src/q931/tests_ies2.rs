//! Tests for the typed IEs of `ie_types_more`, part 2: high and low layer
//! compatibility, notification indicator, facility, redirecting / connected
//! number, the message type names and a SETUP carrying every new IE.

use super::tests_ies::{
    assert_describe, hdr, ie_error, msg, one_ie, roundtrip, CALLED_SUB_USER_ODD, CALLING_SUB_NSAP,
};
use super::*;

#[test]
fn high_layer_compatibility() {
    // Telephony, as sent in most voice SETUPs.
    let tel: &[u8] = &[0x7d, 0x02, 0x91, 0x81];
    assert_eq!(
        one_ie(0x05, tel),
        IeRepr::HighLayerCompatibility(HighLayerCompatibility::new(0x01))
    );
    assert_describe(
        &msg(0x05, tel),
        &[
            "High layer compatibility: telephony (0x01)",
            "coding standard: ITU-T (0), interpretation: first (primary or only)",
            "presentation: high layer protocol profile (1)",
        ],
    );
    let fax: &[u8] = &[0x7d, 0x02, 0x91, 0x84];
    assert_eq!(
        one_ie(0x05, fax),
        IeRepr::HighLayerCompatibility(HighLayerCompatibility::new(0x04))
    );
    // Maintenance with octet 4a (extended characteristics: telephony).
    let maint: &[u8] = &[0x7d, 0x03, 0x91, 0x5e, 0x81];
    assert_eq!(
        one_ie(0x05, maint),
        IeRepr::HighLayerCompatibility(HighLayerCompatibility {
            extended: Some(0x01),
            ..HighLayerCompatibility::new(0x5e)
        })
    );
    assert_describe(
        &msg(0x05, maint),
        &[
            "reserved for maintenance (0x5e)",
            "extended characteristics: telephony (0x01)",
        ],
    );
    assert_eq!(
        ie_error(0x05, &[0x7d, 0x01, 0x91]),
        (0x7d, "high layer compatibility shorter than 2 octets")
    );
    assert_eq!(
        ie_error(0x05, &[0x7d, 0x02, 0x91, 0x5e]),
        (0x7d, "high layer compatibility octet 4a missing")
    );
    // A trailing octet after octet 4 is not modelled: kept as bytes.
    assert!(matches!(
        one_ie(0x05, &[0x7d, 0x03, 0x91, 0x81, 0x00]),
        IeRepr::Opaque { id: 0x7d, .. }
    ));
}

#[test]
fn low_layer_compatibility() {
    // Speech, 64 kbit/s, A-law (same coding as the bearer capability).
    let speech: &[u8] = &[0x7c, 0x03, 0x80, 0x90, 0xa3];
    let want = LowLayerCompatibility {
        coding_standard: 0,
        transfer_capability: 0,
        out_band_negotiation: None,
        transfer_mode: 0,
        transfer_rate: 0x10,
        rate_multiplier: None,
        rest: vec![0xa3],
    };
    assert_eq!(
        one_ie(0x05, speech),
        IeRepr::LowLayerCompatibility(want.clone())
    );
    assert_describe(
        &msg(0x05, speech),
        &[
            "Low layer compatibility: speech (0x00), circuit mode (0), 64 kbit/s (0x10)",
            "layer 1/2/3 octets: [a3]",
        ],
    );
    // Unrestricted digital, octet 3a (out-band negotiation possible),
    // multirate x2, V.110 layer 1.
    let digital: &[u8] = &[0x7c, 0x05, 0x08, 0xc0, 0x98, 0x82, 0xa1];
    assert_eq!(
        one_ie(0x05, digital),
        IeRepr::LowLayerCompatibility(LowLayerCompatibility {
            transfer_capability: 8,
            out_band_negotiation: Some(true),
            transfer_rate: 0x18,
            rate_multiplier: Some(2),
            rest: vec![0xa1],
            ..want.clone()
        })
    );
    assert_describe(
        &msg(0x05, digital),
        &["out-band negotiation: possible", "rate multiplier: 2"],
    );
    let errs: &[(&[u8], &str)] = &[
        (&[0x7c, 0x00], "low layer compatibility is empty"),
        (
            &[0x7c, 0x01, 0x88],
            "low layer compatibility octet 4 missing",
        ),
        (
            &[0x7c, 0x01, 0x08],
            "low layer compatibility octet 3a missing",
        ),
        (
            &[0x7c, 0x02, 0x88, 0x98],
            "multirate without rate multiplier",
        ),
    ];
    for (ie, reason) in errs {
        assert_eq!(ie_error(0x05, ie), (0x7c, *reason));
    }
    // Octet 4 with its extension bit clear (pre-1993 octets 4a/4b): bytes.
    assert!(matches!(
        one_ie(0x05, &[0x7c, 0x04, 0x88, 0x10, 0x00, 0x80]),
        IeRepr::Opaque { id: 0x7c, .. }
    ));
    let mut bad = want;
    bad.rate_multiplier = Some(2);
    assert!(bad.contents().is_err());
}

#[test]
fn notification_indicator() {
    let cases: &[(u8, &str)] = &[
        (0x00, "user suspended"),
        (0x01, "user resumed"),
        (0x02, "bearer service change"),
        (0x60, "call is a waiting call"),
        (0x79, "remote hold"),
        (0x7a, "remote retrieval"),
        (0x55, "reserved"),
    ];
    for &(d, name) in cases {
        let ie = [0x27, 0x01, 0x80 | d];
        assert_eq!(
            one_ie(0x6e, &ie),
            IeRepr::NotificationIndicator(NotificationIndicator::new(d))
        );
        assert_eq!(NotificationIndicator::new(d).name(), name);
        assert_describe(
            &msg(0x6e, &ie),
            &[
                "NOTIFY (0x6e)",
                &format!("Notification indicator: {name} (0x{d:02x})"),
            ],
        );
    }
    // Description 0x03 followed by an ASN.1 component (Q.932).
    let asn1: &[u8] = &[0x27, 0x05, 0x83, 0x30, 0x02, 0x05, 0x00];
    assert_eq!(
        one_ie(0x6e, asn1),
        IeRepr::NotificationIndicator(NotificationIndicator {
            description: 3,
            extension: vec![0x30, 0x02, 0x05, 0x00],
        })
    );
    assert_describe(
        &msg(0x6e, asn1),
        &[
            "discriminator for extension to ASN.1 encoded component (0x03)",
            "extension octets: [30 02 05 00]",
        ],
    );
    assert_eq!(
        ie_error(0x6e, &[0x27, 0x00]),
        (0x27, "notification indicator is empty")
    );
    // Extension bit clear on octet 3: kept as bytes.
    assert_eq!(
        one_ie(0x6e, &[0x27, 0x01, 0x00]),
        IeRepr::Opaque {
            id: 0x27,
            data: vec![0x00]
        }
    );
}

#[test]
fn facility() {
    // FACILITY message, ROSE invoke: invokeId 1, local operation 34.
    let rose: &[u8] = &[
        0x1c, 0x09, 0x91, 0xa1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x22,
    ];
    let want = Facility {
        protocol_profile: Facility::ROSE,
        components: vec![0xa1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x22],
    };
    assert_eq!(one_ie(0x62, rose), IeRepr::Facility(want));
    assert_describe(
        &msg(0x62, rose),
        &[
            "FACILITY (0x62)",
            "Facility: remote operations protocol (0x11), 8 octets of components",
            "components: [a1 06 02 01 01 02 01 22]",
        ],
    );
    // QSIG networking extensions: the NFE (end PINX to end PINX), the
    // interpretation APDU and the invoke stay raw.
    let qsig: &[u8] = &[
        0x1c, 0x14, 0x9f, 0xaa, 0x06, 0x80, 0x01, 0x00, 0x82, 0x01, 0x00, 0x8b, 0x01, 0x00, 0xa1,
        0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00,
    ];
    assert_eq!(
        one_ie(0x62, qsig),
        IeRepr::Facility(Facility {
            protocol_profile: Facility::NETWORKING_EXTENSIONS,
            components: qsig[3..].to_vec(),
        })
    );
    assert_describe(
        &msg(0x62, qsig),
        &["Facility: networking extensions (0x1f)"],
    );
    assert_eq!(ie_error(0x62, &[0x1c, 0x00]), (0x1c, "facility is empty"));
    // Extension bit clear / spare bits set on octet 3: kept as bytes.
    for o3 in [0x11, 0xb1] {
        assert_eq!(
            one_ie(0x62, &[0x1c, 0x02, o3, 0xa1]),
            IeRepr::Opaque {
                id: 0x1c,
                data: vec![o3, 0xa1]
            }
        );
    }
}

#[test]
fn redirecting_and_connected_numbers_are_typed() {
    // Redirecting number: national, E.164, presentation allowed / user
    // provided not screened, octet 3b: call forwarding unconditional.
    let redir: &[u8] = &[0x74, 0x07, 0x21, 0x00, 0x8f, b'5', b'5', b'5', b'1'];
    let want = PartyNumber {
        type_of_number: 2,
        numbering_plan: 1,
        presentation: Some(Presentation {
            presentation: 0,
            screening: 0,
        }),
        redirection_reason: Some(0x0f),
        digits: b"5551".to_vec(),
    };
    assert_eq!(one_ie(0x05, redir), IeRepr::RedirectingNumber(want));
    assert_describe(
        &msg(0x05, redir),
        &[
            "Redirecting number (0x74",
            "reason for redirection: call forwarding unconditional or systematic call redirection (15)",
            "digits: '5551'",
        ],
    );
    // Call forwarding busy, then no reply.
    for (r, name) in [(1, "call forwarding busy"), (2, "call forwarding no reply")] {
        let ie = [0x74, 0x04, 0x11, 0x03, 0x80 | r, b'7'];
        let IeRepr::RedirectingNumber(n) = one_ie(0x05, &ie) else {
            panic!("not typed")
        };
        assert_eq!(n.redirection_reason, Some(r));
        assert_describe(&msg(0x05, &ie), &[name]);
    }
    // Connected number in CONNECT (COLP): network provided, restricted.
    let conn: &[u8] = &[0x4c, 0x05, 0x41, 0xa3, b'2', b'0', b'0'];
    let IeRepr::ConnectedNumber(n) = one_ie(0x07, conn) else {
        panic!("not typed")
    };
    assert_eq!((n.type_of_number, n.numbering_plan), (4, 1));
    assert_eq!(
        n.presentation.map(|p| (p.presentation, p.screening)),
        Some((1, 3))
    );
    assert_eq!(n.digits_str(), "200");
    assert_eq!(
        ie_error(0x05, &[0x74, 0x00]),
        (0x74, "party number is empty")
    );
    assert_eq!(
        ie_error(0x05, &[0x74, 0x02, 0x21, 0x00]),
        (0x74, "party number octet 3b missing")
    );
    assert_eq!(
        ie_error(0x07, &[0x4c, 0x01, 0x01]),
        (0x4c, "party number octet 3a missing")
    );
}

#[test]
fn message_type_names_cover_the_issue_list() {
    let want: &[(u8, MessageType, &str)] = &[
        (0x01, MessageType::Alerting, "ALERTING"),
        (0x02, MessageType::CallProceeding, "CALL PROCEEDING"),
        (0x07, MessageType::Connect, "CONNECT"),
        (0x0f, MessageType::ConnectAcknowledge, "CONNECT ACKNOWLEDGE"),
        (0x03, MessageType::Progress, "PROGRESS"),
        (0x05, MessageType::Setup, "SETUP"),
        (0x0d, MessageType::SetupAcknowledge, "SETUP ACKNOWLEDGE"),
        (0x45, MessageType::Disconnect, "DISCONNECT"),
        (0x4d, MessageType::Release, "RELEASE"),
        (0x5a, MessageType::ReleaseComplete, "RELEASE COMPLETE"),
        (0x46, MessageType::Restart, "RESTART"),
        (0x4e, MessageType::RestartAcknowledge, "RESTART ACKNOWLEDGE"),
        (0x7b, MessageType::Information, "INFORMATION"),
        (0x6e, MessageType::Notify, "NOTIFY"),
        (0x7d, MessageType::Status, "STATUS"),
        (0x75, MessageType::StatusEnquiry, "STATUS ENQUIRY"),
        (0x62, MessageType::Facility, "FACILITY"),
        (0x20, MessageType::UserInformation, "USER INFORMATION"),
    ];
    for &(code, ty, name) in want {
        assert_eq!(MessageType::from(code), ty);
        assert_eq!(u8::from(ty), code);
        assert_eq!(ty.name(), Some(name));
        assert!(describe(&hdr(1, false, code)).contains(&format!("{name} (0x{code:02x})")));
    }
}

#[test]
fn setup_with_every_new_ie_roundtrips() {
    let mut ies = vec![0xa1]; // sending complete
    ies.extend_from_slice(&[0x04, 0x03, 0x80, 0x90, 0xa3]);
    ies.extend_from_slice(&[0x18, 0x03, 0xa9, 0x83, 0x81]);
    ies.extend_from_slice(&[0x1c, 0x03, 0x91, 0xa1, 0x00]);
    ies.extend_from_slice(&[0x27, 0x01, 0xe0]);
    ies.extend_from_slice(&[0x29, 0x05, 26, 11, 22, 14, 3]);
    ies.extend_from_slice(&[0x2c, 0x02, b'*', b'#']);
    ies.extend_from_slice(&[0x34, 0x01, 0x40]);
    ies.extend_from_slice(&[0x6c, 0x04, 0x21, 0x81, b'5', b'5']);
    ies.extend_from_slice(CALLING_SUB_NSAP);
    ies.extend_from_slice(&[0x70, 0x03, 0x81, b'1', b'2']);
    ies.extend_from_slice(CALLED_SUB_USER_ODD);
    ies.extend_from_slice(&[0x74, 0x04, 0x11, 0x00, 0x81, b'9']);
    ies.extend_from_slice(&[0x7c, 0x03, 0x80, 0x90, 0xa3]);
    ies.extend_from_slice(&[0x7d, 0x02, 0x91, 0x81]);
    let f = msg(0x05, &ies);
    let r = roundtrip(&f);
    assert_eq!(r.ies.len(), 15);
    assert!(
        r.ies
            .iter()
            .all(|ie| !matches!(ie, IeRepr::Opaque { .. } | IeRepr::Unknown { .. })),
        "{:?}",
        r.ies
    );
    // Rebuilding from the typed parts gives the same bytes.
    let built = MessageRepr {
        call_ref: r.call_ref,
        msg_type: MessageType::Setup,
        ies: r.ies.clone(),
    };
    assert_eq!(built.to_bytes().unwrap(), f);
    assert_describe(
        &f,
        &[
            "Sending complete",
            "Facility: remote operations protocol (0x11)",
            "Notification indicator: call is a waiting call (0x60)",
            "Date/time: 2026-11-22 14:03",
            "Keypad facility: '*#'",
            "Signal: alerting on - pattern 0 (0x40)",
            "IA5 '12'",
            "user specified (2), odd",
            "reason for redirection: call forwarding busy or called DTE busy (1)",
            "Low layer compatibility: speech",
            "High layer compatibility: telephony (0x01)",
        ],
    );
    assert!(!describe(&f).contains("kept as bytes"));
}

#[test]
fn non_canonical_typed_ie_is_flagged_in_describe() {
    let f = msg(0x01, &[0x34, 0x02, 0x01, 0x00]);
    assert_describe(&f, &["Signal (0x34", "kept as bytes"]);
}
