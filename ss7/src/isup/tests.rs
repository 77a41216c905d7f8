//! Message framing tests: byte vectors written from Q.763's layouts, round
//! trips of every message in every variant, and the error cases.

use super::*;

const VARIANTS: [Variant; 3] = [Variant::Itu, Variant::Ansi, Variant::China];

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

#[test]
fn every_sample_message_round_trips_in_every_variant() {
    for v in VARIANTS {
        let all = samples::all(17, v);
        assert_eq!(all.len(), MessageType::ALL.len());
        for (m, t) in all.iter().zip(MessageType::ALL) {
            assert_eq!(m.message_type, t);
            let bytes = m.to_bytes(v).unwrap();
            assert_eq!(bytes.len(), m.buffer_len(v).unwrap());
            let back = MessageRepr::parse(&bytes, v).unwrap();
            assert_eq!(&back, m, "{v:?} {t:?}");
            assert_eq!(back.to_bytes(v).unwrap(), bytes, "{v:?} {t:?}");
        }
    }
}

#[test]
fn itu_iam_matches_q763_layout() {
    let bytes = samples::iam(17, Variant::Itu)
        .to_bytes(Variant::Itu)
        .unwrap();
    let want = hex("11 00 01 00 20 01 0a 00 02 08 06 83 10 10 10 32 04 \
         0a 07 03 13 20 10 32 54 76 03 04 7d 02 91 81 00");
    assert_eq!(bytes, want);
    let m = MessageRepr::parse(&want, Variant::Itu).unwrap();
    let called = m
        .param(code::CALLED_PARTY_NUMBER)
        .and_then(ParamRepr::number);
    assert_eq!(called.map(|n| n.digits.as_str()), Some("0101234"));
    assert_eq!(
        m.param(code::CALLING_PARTYS_CATEGORY),
        Some(&ParamRepr::CallingPartysCategory(0x0a))
    );
}

#[test]
fn ansi_iam_has_user_service_information_before_called_number() {
    let bytes = samples::iam(0x3001, Variant::Ansi)
        .to_bytes(Variant::Ansi)
        .unwrap();
    // CIC 14 bits, NCI, FCI, CPC, then two pointers and the optional pointer.
    assert_eq!(&bytes[..10], &hex("01 30 01 00 20 01 0a 03 06 0c")[..]);
    assert_eq!(&bytes[10..14], &hex("03 80 90 a2")[..]);
    assert_eq!(&bytes[14..16], &hex("06 83")[..]);
    // The same octets are not an ITU IAM: the TMR slot then holds pointer 3
    // and the pointers no longer match.
    let itu = MessageRepr::parse(&bytes, Variant::Itu);
    assert_ne!(
        itu.as_ref().ok(),
        Some(&samples::iam(0x1001, Variant::Ansi))
    );
}

#[test]
fn rel_with_cause_and_congestion_matches_layout() {
    let want = hex("11 00 0c 02 04 02 82 90 27 01 01 00");
    let m = &samples::all(17, Variant::Itu)[7];
    assert_eq!(m.message_type, MessageType::Rel);
    assert_eq!(m.to_bytes(Variant::Itu).unwrap(), want);
    let back = MessageRepr::parse(&want, Variant::Itu).unwrap();
    assert_eq!(
        back.variable,
        vec![ParamRepr::CauseIndicators(Cause::new(2, 16))]
    );
}

#[test]
fn circuit_group_messages_match_layout() {
    let v = Variant::Itu;
    let all = samples::all(17, v);
    let find = |t| all.iter().find(|m| m.message_type == t).unwrap();
    assert_eq!(
        find(MessageType::Grs).to_bytes(v).unwrap(),
        hex("11 00 17 01 01 1d")
    );
    assert_eq!(
        find(MessageType::Cgb).to_bytes(v).unwrap(),
        hex("11 00 18 00 01 02 07 8b")
    );
    assert_eq!(
        find(MessageType::Cqr).to_bytes(v).unwrap(),
        hex("11 00 2b 02 03 01 03 04 0c 0d 03 00")
    );
    assert_eq!(find(MessageType::Blo).to_bytes(v).unwrap(), hex("11 00 13"));
    assert_eq!(
        find(MessageType::Rlc).to_bytes(v).unwrap(),
        hex("11 00 10 00")
    );
}

#[test]
fn cic_width_depends_on_variant() {
    let blo = MessageRepr::new(0x3fff, MessageType::Blo, vec![], vec![], None);
    assert_eq!(blo.to_bytes(Variant::Ansi).unwrap(), hex("ff 3f 13"));
    assert_eq!(
        blo.to_bytes(Variant::Itu),
        Err(Error::CicOutOfRange(0x3fff))
    );
    // Spare bits above the CIC are ignored on receipt.
    assert_eq!(
        MessageRepr::parse(&hex("ff ff 13"), Variant::Itu)
            .unwrap()
            .cic,
        0x0fff
    );
    assert_eq!(
        MessageRepr::parse(&hex("ff ff 13"), Variant::Ansi)
            .unwrap()
            .cic,
        0x3fff
    );
}

#[test]
fn unknown_message_type_keeps_its_body() {
    let m = MessageRepr::parse(&hex("05 00 05 01"), Variant::Itu).unwrap();
    assert_eq!(m.message_type, MessageType::Other(5));
    assert_eq!(m.raw_body, vec![1]);
    assert_eq!(m.to_bytes(Variant::Itu).unwrap(), hex("05 00 05 01"));
}

#[test]
fn unknown_and_malformed_optional_parameters_are_kept_raw() {
    // ANM with an unknown parameter 0x77 and a one-octet calling party number.
    let bytes = hex("01 00 09 01 77 02 aa bb 0a 01 03 00");
    let m = MessageRepr::parse(&bytes, Variant::Itu).unwrap();
    assert_eq!(
        m.optional,
        Some(vec![
            ParamRepr::Raw {
                code: 0x77,
                data: vec![0xaa, 0xbb]
            },
            ParamRepr::Raw {
                code: 0x0a,
                data: vec![0x03]
            },
        ])
    );
    assert_eq!(m.to_bytes(Variant::Itu).unwrap(), bytes);
}

#[test]
fn malformed_mandatory_parts_are_errors() {
    let v = Variant::Itu;
    assert!(matches!(
        MessageRepr::parse(&hex("01 00"), v),
        Err(Error::Truncated { .. })
    ));
    // IAM cut inside the fixed part.
    assert!(matches!(
        MessageRepr::parse(&hex("01 00 01 00 20"), v),
        Err(Error::Truncated { .. })
    ));
    // REL with a zero mandatory pointer.
    assert_eq!(
        MessageRepr::parse(&hex("01 00 0c 00 00"), v),
        Err(Error::BadPointer { at: 3, value: 0 })
    );
    // REL whose pointer runs past the end.
    assert!(matches!(
        MessageRepr::parse(&hex("01 00 0c 09 00"), v),
        Err(Error::Truncated { .. })
    ));
    // REL whose cause length runs past the end.
    assert!(matches!(
        MessageRepr::parse(&hex("01 00 0c 02 00 05 82 90"), v),
        Err(Error::Truncated { .. })
    ));
    // REL with an empty cause.
    assert!(matches!(
        MessageRepr::parse(&hex("01 00 0c 02 00 00"), v),
        Err(Error::BadParameter { code: 0x12, .. })
    ));
    // ANM whose optional part has no end of optional parameters octet.
    assert!(matches!(
        MessageRepr::parse(&hex("01 00 09 01 77 01 aa"), v),
        Err(Error::Truncated { .. })
    ));
    // Optional part pointer missing altogether.
    assert!(matches!(
        MessageRepr::parse(&hex("01 00 09"), v),
        Err(Error::Truncated { .. })
    ));
}

#[test]
fn non_canonical_pointers_parse_and_emit_canonically() {
    // REL with a one-octet gap before the cause and no optional part.
    let m = MessageRepr::parse(&hex("01 00 0c 03 00 ee 02 82 90"), Variant::Itu).unwrap();
    assert_eq!(
        m.variable,
        vec![ParamRepr::CauseIndicators(Cause::new(2, 16))]
    );
    assert_eq!(m.optional, None);
    assert_eq!(
        m.to_bytes(Variant::Itu).unwrap(),
        hex("01 00 0c 02 00 02 82 90")
    );
}

#[test]
fn emit_checks_the_mandatory_parts() {
    let v = Variant::Itu;
    let rel = MessageRepr::new(1, MessageType::Rel, vec![], vec![], None);
    assert!(matches!(
        rel.to_bytes(v),
        Err(Error::LayoutMismatch {
            message_type: 0x0c,
            ..
        })
    ));
    let acm = MessageRepr::new(
        1,
        MessageType::Acm,
        vec![ParamRepr::SuspendResume(0)],
        vec![],
        None,
    );
    assert!(matches!(acm.to_bytes(v), Err(Error::LayoutMismatch { .. })));
    let blo = MessageRepr::new(
        1,
        MessageType::Blo,
        vec![],
        vec![],
        Some(vec![ParamRepr::AutomaticCongestionLevel(1)]),
    );
    assert!(matches!(blo.to_bytes(v), Err(Error::LayoutMismatch { .. })));
    // An ITU IAM is not a valid ANSI IAM (TMR in the fixed part).
    assert!(samples::iam(1, Variant::Itu)
        .to_bytes(Variant::Ansi)
        .is_err());
    // Digits must be hex digits.
    let mut sam = samples::all(1, v)[1].clone();
    sam.variable = vec![ParamRepr::SubsequentNumber(SubsequentNumber {
        digits: "12#".into(),
    })];
    assert!(matches!(
        sam.to_bytes(v),
        Err(Error::BadParameter { code: 0x05, .. })
    ));
    // Parameters longer than 255 octets do not fit a length octet.
    let anm = MessageRepr::new(
        1,
        MessageType::Anm,
        vec![],
        vec![],
        Some(vec![ParamRepr::AccessTransport(vec![0; 300])]),
    );
    assert_eq!(anm.to_bytes(v), Err(Error::TooLong(0x03)));
    let mut small = [0u8; 2];
    assert!(matches!(
        rel_ok().emit(&mut small, v),
        Err(Error::BufferTooSmall { .. })
    ));
}

fn rel_ok() -> MessageRepr {
    MessageRepr::new(
        1,
        MessageType::Rel,
        vec![],
        vec![ParamRepr::CauseIndicators(Cause::new(0, 31))],
        None,
    )
}

#[test]
fn view_reads_cic_and_type() {
    let b = hex("34 12 2c 01 00");
    let m = Message::new_checked(&b, Variant::Ansi).unwrap();
    assert_eq!(m.cic(), 0x1234);
    assert_eq!(m.message_type(), MessageType::Cpg);
    assert_eq!(m.body(), &[1, 0]);
    assert_eq!(
        Message::new_checked(&b, Variant::Itu).unwrap().cic(),
        0x0234
    );
    assert!(Message::new_checked(&b[..2], Variant::Itu).is_err());
}

#[test]
fn message_type_codes_round_trip() {
    for t in MessageType::ALL {
        assert_eq!(MessageType::from_code(t.code()), t);
        assert_ne!(message_name(t), "Unknown message type");
    }
    assert_eq!(MessageType::from_code(0x05), MessageType::Other(0x05));
}

#[test]
fn describe_names_every_parameter() {
    let bytes = samples::iam(17, Variant::Itu)
        .to_bytes(Variant::Itu)
        .unwrap();
    let text = describe(&bytes, Variant::Itu);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Initial address (0x01) CIC 17");
    assert_eq!(lines.len(), 1 + 4 + 1 + 2);
    assert!(lines[1].starts_with("  Nature of connection indicators: "));
    assert!(lines[3].contains("Calling party's category: 10 (ordinary calling subscriber)"));
    assert!(lines[5].starts_with("  Called party number: digits 0101234, nature of address 3"));
    assert!(lines[6].starts_with("  Calling party number: digits 0201234567"));
    assert_eq!(lines[7], "  Access transport: 7d029181");
    let rel = describe(&hex("11 00 0c 02 00 02 82 90"), Variant::Itu);
    assert!(
        rel.contains("Cause indicators: cause 16 (normal call clearing), location 2"),
        "{rel}"
    );
    assert!(describe(&hex("11"), Variant::Itu).starts_with("malformed ISUP message"));
}
