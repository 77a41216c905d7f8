//! Tests for the Q.931 wire format.

use super::*;

/// Parse, check it is accepted, and check emit reproduces the bytes exactly.
fn roundtrip(frame: &[u8]) -> MessageRepr {
    let repr = MessageRepr::parse_bytes(frame).expect("parse");
    assert_eq!(repr.buffer_len(), frame.len());
    assert_eq!(repr.to_bytes().expect("emit"), frame);
    repr
}

fn hdr(cr: u16, flag: bool, mt: u8) -> Vec<u8> {
    let f = if flag { 0x80 } else { 0 };
    vec![0x08, 0x02, f | (cr >> 8) as u8, cr as u8, mt]
}

const SETUP: &[u8] = &[
    0x08, 0x02, 0x00, 0x01, 0x05, // header: CR 1, SETUP
    0xa1, // sending complete
    0x04, 0x03, 0x80, 0x90, 0xa3, // bearer: speech, 64k, A-law
    0x18, 0x03, 0xa9, 0x83, 0x81, // channel id: PRI exclusive B1
    0x6c, 0x06, 0x21, 0x81, b'5', b'5', b'5', b'1', // calling, 3a: allowed/passed
    0x70, 0x05, 0x81, b'1', b'2', b'3', b'4', // called
];

#[test]
fn setup_decodes_fields() {
    let r = roundtrip(SETUP);
    assert_eq!(
        r.call_ref,
        CallRef::Long {
            value: 1,
            flag: false
        }
    );
    assert_eq!(r.msg_type, MessageType::Setup);
    assert_eq!(r.ies[0], IeRepr::SendingComplete);
    assert_eq!(
        r.ies[1],
        IeRepr::BearerCapability(BearerCapability::speech(3))
    );
    assert_eq!(
        r.ies[2],
        IeRepr::ChannelId(ChannelId::pri_b_channel(1, true))
    );
    let IeRepr::CallingNumber(cg) = &r.ies[3] else {
        panic!("{:?}", r.ies[3])
    };
    assert_eq!((cg.type_of_number, cg.numbering_plan), (2, 1));
    assert_eq!(
        cg.presentation,
        Some(Presentation {
            presentation: 0,
            screening: 1
        })
    );
    assert_eq!(cg.digits_str(), "5551");
    assert_eq!(
        r.ies[4],
        IeRepr::CalledNumber(PartyNumber::new(0, 1, "1234"))
    );
    // Building the same message from typed parts gives the same bytes.
    let built = MessageRepr {
        call_ref: CallRef::pri(1, false),
        msg_type: MessageType::Setup,
        ies: r.ies.clone(),
    };
    assert_eq!(built.to_bytes().unwrap(), SETUP);
}

#[test]
fn disconnect_cause_normal_clearing() {
    let mut f = hdr(0x1234, true, 0x45);
    f.extend_from_slice(&[0x08, 0x02, 0x80, 0x90]);
    let r = roundtrip(&f);
    assert_eq!(
        r.call_ref,
        CallRef::Long {
            value: 0x1234,
            flag: true
        }
    );
    assert_eq!(r.msg_type, MessageType::Disconnect);
    assert_eq!(r.ies, vec![IeRepr::Cause(Cause::new(0, 16))]);
    assert_eq!(cause_name(16), "normal call clearing");
    assert!(describe(&f).contains("normal call clearing"));
}

#[test]
fn cause_with_recommendation_and_diagnostics() {
    let mut f = hdr(5, false, 0x5a);
    f.extend_from_slice(&[0x08, 0x05, 0x02, 0x80, 0xe0, 0x18, 0x01]);
    let r = roundtrip(&f);
    let want = Cause {
        coding_standard: 0,
        location: 2,
        recommendation: Some(0),
        value: 96,
        diagnostics: vec![0x18, 0x01],
    };
    assert_eq!(r.ies, vec![IeRepr::Cause(want)]);
}

#[test]
fn restart_all_interfaces_global_cr() {
    let f = [0x08, 0x02, 0x00, 0x00, 0x46, 0x79, 0x01, 0x87];
    let r = roundtrip(&f);
    assert!(r.call_ref.is_global());
    assert_eq!(r.msg_type, MessageType::Restart);
    assert_eq!(
        r.ies,
        vec![IeRepr::RestartIndicator(RestartIndicator { class: 7 })]
    );
    assert!(describe(&f).contains("all interfaces"));
}

#[test]
fn dummy_and_short_call_refs() {
    let r = roundtrip(&[0x08, 0x00, 0x62, 0x1c, 0x02, 0x91, 0xa1]);
    assert_eq!(r.call_ref, CallRef::Dummy);
    assert_eq!(
        r.ies,
        vec![IeRepr::Facility(Facility {
            protocol_profile: 0x11,
            components: vec![0xa1]
        })]
    );
    let r = roundtrip(&[0x08, 0x01, 0x85, 0x7d, 0x14, 0x01, 0x0a]);
    assert_eq!(
        r.call_ref,
        CallRef::Short {
            value: 5,
            flag: true
        }
    );
    assert_eq!(
        r.ies,
        vec![IeRepr::CallState(CallState {
            coding_standard: 0,
            value: 10
        })]
    );
}

#[test]
fn every_message_type_roundtrips() {
    let codes = [
        0x01, 0x02, 0x07, 0x0f, 0x03, 0x05, 0x0d, 0x45, 0x4d, 0x5a, 0x46, 0x4e, 0x7b, 0x6e, 0x7d,
        0x75, 0x62, 0x20,
    ];
    for code in codes {
        let f = hdr(0x7fff, true, code);
        let r = roundtrip(&f);
        assert!(r.msg_type.name().is_some(), "{code:#x}");
        assert!(!matches!(r.msg_type, MessageType::Unknown(_)));
        assert_eq!(u8::from(r.msg_type), code);
    }
    let r = roundtrip(&hdr(1, false, 0x33));
    assert_eq!(r.msg_type, MessageType::Unknown(0x33));
}

#[test]
fn every_typed_ie_roundtrips() {
    let cases: Vec<(Vec<u8>, IeRepr)> = vec![
        (
            vec![0x04, 0x04, 0x88, 0x98, 0x82, 0xc2],
            IeRepr::BearerCapability(BearerCapability {
                coding_standard: 0,
                transfer_capability: 8,
                transfer_mode: 0,
                transfer_rate: 0x18,
                rate_multiplier: Some(2),
                layer1: None,
                layer1_ext: vec![],
                rest: vec![0xc2],
            }),
        ),
        (
            vec![0x04, 0x05, 0x88, 0x90, 0x21, 0x0f, 0x8b],
            IeRepr::BearerCapability(BearerCapability {
                coding_standard: 0,
                transfer_capability: 8,
                transfer_mode: 0,
                transfer_rate: 0x10,
                rate_multiplier: None,
                layer1: Some(1),
                layer1_ext: vec![0x0f, 0x0b],
                rest: vec![],
            }),
        ),
        (
            vec![0x14, 0x01, 0x0c],
            IeRepr::CallState(CallState {
                coding_standard: 0,
                value: 12,
            }),
        ),
        (
            vec![0x18, 0x04, 0xe9, 0x81, 0x83, 0x85],
            IeRepr::ChannelId(ChannelId {
                interface_id: Some(vec![1]),
                primary: true,
                exclusive: true,
                d_channel: false,
                selection: 1,
                channels: Some((0, 3, ChannelSpec::Numbers(vec![5]))),
            }),
        ),
        (
            vec![0x18, 0x05, 0xa1, 0x83, 0x01, 0x02, 0x83],
            IeRepr::ChannelId(ChannelId {
                channels: Some((0, 3, ChannelSpec::Numbers(vec![1, 2, 3]))),
                exclusive: false,
                ..ChannelId::pri_b_channel(0, false)
            }),
        ),
        (
            vec![0x18, 0x05, 0xa1, 0x93, 0x00, 0x00, 0x03],
            IeRepr::ChannelId(ChannelId {
                channels: Some((0, 3, ChannelSpec::Map(vec![0, 0, 3]))),
                ..ChannelId::pri_b_channel(0, false)
            }),
        ),
        (
            vec![0x1e, 0x02, 0x82, 0x88],
            IeRepr::ProgressIndicator(ProgressIndicator {
                coding_standard: 0,
                location: 2,
                description: 8,
            }),
        ),
        (
            vec![0x28, 0x03, b'B', b'o', b'b'],
            IeRepr::Display(Display {
                info: b"Bob".to_vec(),
            }),
        ),
        (
            vec![0x4c, 0x04, 0x01, 0xa3, b'4', b'2'],
            IeRepr::ConnectedNumber(PartyNumber {
                type_of_number: 0,
                numbering_plan: 1,
                presentation: Some(Presentation {
                    presentation: 1,
                    screening: 3,
                }),
                redirection_reason: None,
                digits: b"42".to_vec(),
            }),
        ),
        (
            vec![0x74, 0x05, 0x11, 0x00, 0x8f, b'9', b'9'],
            IeRepr::RedirectingNumber(PartyNumber {
                type_of_number: 1,
                numbering_plan: 1,
                presentation: Some(Presentation {
                    presentation: 0,
                    screening: 0,
                }),
                redirection_reason: Some(15),
                digits: b"99".to_vec(),
            }),
        ),
        (
            vec![0x79, 0x01, 0x80],
            IeRepr::RestartIndicator(RestartIndicator { class: 0 }),
        ),
    ];
    for (ie, want) in cases {
        let mut f = hdr(2, false, 0x7b);
        f.extend_from_slice(&ie);
        let r = roundtrip(&f);
        assert_eq!(r.ies, vec![want], "{ie:02x?}");
    }
}

#[test]
fn opaque_and_unknown_ies() {
    let mut f = hdr(3, false, 0x05);
    // The IEs still without a typed model (the formerly opaque facility,
    // notification, date/time, keypad, signal, subaddresses, LLC and HLC are
    // typed now: see tests_ies.rs).
    let ies: &[(u8, &[u8])] = &[
        (0x00, &[0x81, 0x05]),
        (0x10, &[0x01, 0x02]),
        (0x20, &[0x00, 0xb1]),
        (0x78, &[0xa1, b'2', b'8', b'8']),
        (0x7e, &[0x04, b'h', b'i']),
        (0x00, &[]),
        (0x10, &[0xff]),
        (0x20, &[]),
        (0x78, &[]),
        (0x7e, &[]),
    ];
    for (id, data) in ies {
        f.push(*id);
        f.push(data.len() as u8);
        f.extend_from_slice(data);
    }
    f.extend_from_slice(&[0x55, 0x01, 0xff, 0xe3]); // unknown variable + single octet
    let r = roundtrip(&f);
    for (i, (id, data)) in ies.iter().enumerate() {
        assert_eq!(
            r.ies[i],
            IeRepr::Opaque {
                id: *id,
                data: data.to_vec()
            }
        );
    }
    assert_eq!(
        r.ies[10],
        IeRepr::Unknown {
            codeset: 0,
            id: 0x55,
            data: vec![0xff]
        }
    );
    assert_eq!(
        r.ies[11],
        IeRepr::Unknown {
            codeset: 0,
            id: 0xe3,
            data: vec![]
        }
    );
}

#[test]
fn shifts_track_codesets() {
    let mut f = hdr(4, false, 0x05);
    // non-locking shift to 6, IE (codeset 6), cause (back in 0), locking shift
    // to 5, a 0x08 IE in codeset 5, repeat indicator in codeset 5.
    f.extend_from_slice(&[
        0x9e, 0x08, 0x01, 0x42, 0x08, 0x02, 0x81, 0x91, 0x95, 0x08, 0x01, 0x77, 0xd1,
    ]);
    let r = roundtrip(&f);
    assert_eq!(
        r.ies,
        vec![
            IeRepr::Shift {
                locking: false,
                codeset: 6
            },
            IeRepr::Unknown {
                codeset: 6,
                id: 0x08,
                data: vec![0x42]
            },
            IeRepr::Cause(Cause::new(1, 17)),
            IeRepr::Shift {
                locking: true,
                codeset: 5
            },
            IeRepr::Unknown {
                codeset: 5,
                id: 0x08,
                data: vec![0x77]
            },
            IeRepr::Unknown {
                codeset: 5,
                id: 0xd1,
                data: vec![]
            },
        ]
    );
    let d = describe(&f);
    assert!(d.contains("non-locking shift to codeset 6"), "{d}");
    assert!(d.contains("user busy"), "{d}");
}

#[test]
fn non_canonical_typed_ie_kept_exact() {
    // Cause with the spare bit set, call state with a trailing octet, channel
    // numbers with extension bits on every octet: kept as opaque bytes.
    let mut f = hdr(6, false, 0x4d);
    f.extend_from_slice(&[0x08, 0x02, 0x90, 0x90, 0x14, 0x02, 0x0a, 0x00]);
    f.extend_from_slice(&[0x18, 0x04, 0xa1, 0x83, 0x81, 0x82]);
    let r = roundtrip(&f);
    assert_eq!(
        r.ies[0],
        IeRepr::Opaque {
            id: 0x08,
            data: vec![0x90, 0x90]
        }
    );
    assert_eq!(
        r.ies[1],
        IeRepr::Opaque {
            id: 0x14,
            data: vec![0x0a, 0x00]
        }
    );
    assert_eq!(
        r.ies[2],
        IeRepr::Opaque {
            id: 0x18,
            data: vec![0xa1, 0x83, 0x81, 0x82]
        }
    );
}

#[test]
fn header_errors() {
    assert!(matches!(
        Message::new_checked(&[]),
        Err(Error::Truncated { .. })
    ));
    assert_eq!(
        Message::new_checked(&[0x09, 0x02, 0, 1, 5]),
        Err(Error::BadProtocolDiscriminator(0x09))
    );
    assert_eq!(
        Message::new_checked(&[0x08, 0x03, 0, 0, 1, 5]),
        Err(Error::BadCallRefLength(3))
    );
    assert_eq!(
        Message::new_checked(&[0x08, 0x12, 0, 1, 5]),
        Err(Error::BadCallRefLength(0x12))
    );
    assert_eq!(
        Message::new_checked(&[0x08, 0x02, 0, 1]),
        Err(Error::Truncated {
            needed: 5,
            available: 4
        })
    );
}

#[test]
fn ie_errors_name_the_ie() {
    let mut f = hdr(1, false, 0x45);
    f.extend_from_slice(&[0x08, 0x05, 0x80, 0x90]);
    assert_eq!(
        MessageRepr::parse_bytes(&f),
        Err(Error::IeOverrun {
            codeset: 0,
            id: 0x08,
            declared: 5,
            available: 2
        })
    );
    let mut f = hdr(1, false, 0x45);
    f.push(0x08);
    assert!(matches!(
        MessageRepr::parse_bytes(&f),
        Err(Error::IeOverrun {
            id: 0x08,
            declared: 0,
            ..
        })
    ));
    let mut f = hdr(1, false, 0x45);
    f.extend_from_slice(&[0x08, 0x01, 0x80]);
    let e = MessageRepr::parse_bytes(&f).unwrap_err();
    assert_eq!(
        e,
        Error::InvalidIe {
            codeset: 0,
            id: 0x08,
            reason: "cause value missing"
        }
    );
    assert!(e.to_string().contains("0x08"));
    assert!(describe(&f).contains("cause value missing"));
    let mut f = hdr(1, false, 0x05);
    f.extend_from_slice(&[0x04, 0x01, 0x80]);
    assert!(matches!(
        MessageRepr::parse_bytes(&f),
        Err(Error::InvalidIe { id: 0x04, .. })
    ));
}

#[test]
fn emit_errors() {
    let r = MessageRepr {
        call_ref: CallRef::pri(0x8000, false),
        msg_type: MessageType::Setup,
        ies: vec![],
    };
    assert!(matches!(r.to_bytes(), Err(Error::Unencodable { .. })));
    let r = MessageRepr {
        call_ref: CallRef::pri(1, false),
        msg_type: MessageType::Setup,
        ies: vec![IeRepr::Opaque {
            id: 0x1c,
            data: vec![0; 256],
        }],
    };
    assert!(matches!(
        r.to_bytes(),
        Err(Error::Unencodable { id: 0x1c, .. })
    ));
    let r = MessageRepr {
        call_ref: CallRef::pri(1, false),
        msg_type: MessageType::Setup,
        ies: vec![IeRepr::SendingComplete],
    };
    let mut small = [0u8; 5];
    assert_eq!(
        r.emit(&mut small),
        Err(Error::BufferTooSmall {
            needed: 6,
            available: 5
        })
    );
}

#[test]
fn describe_setup_and_garbage() {
    let d = describe(SETUP);
    for needle in [
        "SETUP (0x05)",
        "value 1",
        "flag 0",
        "Sending complete",
        "G.711 A-law",
        "exclusive",
        "[1]",
        "Calling party number",
        "'5551'",
        "user-provided, verified and passed",
        "'1234'",
    ] {
        assert!(d.contains(needle), "missing {needle:?} in\n{d}");
    }
    assert!(describe(&[0x42]).contains("bad protocol discriminator"));
    assert!(describe(&[]).contains("truncated"));
}
