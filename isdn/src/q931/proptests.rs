//! Property tests for the Q.931 wire format: no panics on arbitrary input,
//! exact round trips of generated representations.

use super::*;
use proptest::prelude::*;

fn arb_ie() -> impl Strategy<Value = IeRepr> {
    prop_oneof![2 => arb_base_ie(), 1 => arb_new_ie()]
}

/// Valid representations of the single-octet IEs, the IEs typed in
/// `ie_types` and the opaque / unknown ones.
fn arb_base_ie() -> impl Strategy<Value = IeRepr> {
    let party = (
        0u8..8,
        0u8..16,
        proptest::option::of((0u8..4, 0u8..4)),
        0u8..16,
        any::<bool>(),
        "[0-9*#]{0,20}",
    )
        .prop_map(|(ton, plan, pres, reason, redir, digits)| PartyNumber {
            type_of_number: ton,
            numbering_plan: plan,
            presentation: pres.map(|(p, s)| Presentation {
                presentation: p,
                screening: s,
            }),
            redirection_reason: if redir && pres.is_some() {
                Some(reason)
            } else {
                None
            },
            digits: digits.into_bytes(),
        });
    // IEs without a typed model (the typed ones come back typed).
    let opaque_ids = prop::sample::select(vec![0x00_u8, 0x10, 0x20, 0x78, 0x7e]);
    prop_oneof![
        Just(IeRepr::SendingComplete),
        (0u8..16).prop_map(IeRepr::RepeatIndicator),
        (
            0u8..4,
            0u8..16,
            proptest::option::of(0u8..128),
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 0..4)
        )
            .prop_map(|(c, l, r, v, d)| IeRepr::Cause(Cause {
                coding_standard: c,
                location: l,
                recommendation: r,
                value: v & 0x7f,
                diagnostics: d,
            })),
        (0u8..4, 0u8..64).prop_map(|(c, v)| IeRepr::CallState(CallState {
            coding_standard: c,
            value: v
        })),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0u8..4,
            proptest::collection::vec(0u8..128, 0..4),
            any::<bool>()
        )
            .prop_map(|(p, e, d, s, n, with)| IeRepr::ChannelId(ChannelId {
                interface_id: None,
                primary: p,
                exclusive: e,
                d_channel: d,
                selection: s,
                channels: with.then_some((0, 3, ChannelSpec::Numbers(n))),
            })),
        (0u8..4, 0u8..16, 0u8..128).prop_map(|(c, l, d)| IeRepr::ProgressIndicator(
            ProgressIndicator {
                coding_standard: c,
                location: l,
                description: d,
            }
        )),
        "[ -~]{0,30}".prop_map(|t| IeRepr::Display(Display {
            info: t.into_bytes()
        })),
        party.clone().prop_map(IeRepr::CallingNumber),
        party.clone().prop_map(IeRepr::CalledNumber),
        party.clone().prop_map(IeRepr::ConnectedNumber),
        party.prop_map(IeRepr::RedirectingNumber),
        (0u8..8).prop_map(|c| IeRepr::RestartIndicator(RestartIndicator { class: c })),
        (0u8..4, 0u8..32, any::<bool>(), 0u8..4).prop_map(|(c, cap, m, l1)| {
            let mut b = BearerCapability::speech(l1);
            b.coding_standard = c;
            b.transfer_capability = cap;
            if m {
                b.transfer_rate = 0x18;
                b.rate_multiplier = Some(cap);
            }
            IeRepr::BearerCapability(b)
        }),
        (opaque_ids, proptest::collection::vec(any::<u8>(), 0..8))
            .prop_map(|(id, data)| IeRepr::Opaque { id, data }),
        (0x40u8..0x4c, proptest::collection::vec(any::<u8>(), 0..8)).prop_map(|(id, data)| {
            IeRepr::Unknown {
                codeset: 0,
                id,
                data,
            }
        }),
    ]
}

/// Valid representations of the IEs typed in `ie_types_more`.
fn arb_new_ie() -> impl Strategy<Value = IeRepr> {
    let bytes = |n| proptest::collection::vec(any::<u8>(), 0..n);
    let subaddress = (0u8..8, any::<bool>(), bytes(20)).prop_map(|(kind, odd, info)| Subaddress {
        kind,
        odd,
        info,
    });
    let date_time = (
        0u8..100,
        1u8..13,
        1u8..32,
        0u8..24,
        0u8..60,
        0u8..60,
        0usize..4,
    )
        .prop_map(|(year, month, day, h, m, s, n)| DateTime {
            year,
            month,
            day,
            hour: (n >= 1).then_some(h),
            minute: (n >= 2).then_some(m),
            second: (n >= 3).then_some(s),
        });
    prop_oneof![
        subaddress.clone().prop_map(IeRepr::CallingSubaddress),
        subaddress.prop_map(IeRepr::CalledSubaddress),
        date_time.prop_map(IeRepr::DateTime),
        "[0-9*#A-D]{1,32}".prop_map(|d| IeRepr::KeypadFacility(KeypadFacility::new(&d))),
        any::<u8>().prop_map(|value| IeRepr::Signal(Signal { value })),
        (
            0u8..4,
            0u8..8,
            0u8..4,
            0u8..128,
            proptest::option::of(0u8..128)
        )
            .prop_map(|(c, i, p, ch, e)| IeRepr::HighLayerCompatibility(
                HighLayerCompatibility {
                    coding_standard: c,
                    interpretation: i,
                    presentation: p,
                    characteristics: ch,
                    extended: e,
                }
            )),
        (
            0u8..4,
            0u8..32,
            proptest::option::of(any::<bool>()),
            0u8..4,
            0u8..32,
            0u8..128,
            bytes(8)
        )
            .prop_map(|(c, cap, n, mode, rate, m, rest)| {
                IeRepr::LowLayerCompatibility(LowLayerCompatibility {
                    coding_standard: c,
                    transfer_capability: cap,
                    out_band_negotiation: n,
                    transfer_mode: mode,
                    transfer_rate: rate,
                    rate_multiplier: (rate == 0x18).then_some(m),
                    rest,
                })
            }),
        (0u8..128, bytes(8)).prop_map(|(description, extension)| {
            IeRepr::NotificationIndicator(NotificationIndicator {
                description,
                extension,
            })
        }),
        (0u8..32, bytes(40)).prop_map(|(protocol_profile, components)| {
            IeRepr::Facility(Facility {
                protocol_profile,
                components,
            })
        }),
    ]
}

/// The IE identifiers typed by `ie_types_more`.
const NEW_IDS: [u8; 9] = [0x1c, 0x27, 0x29, 0x2c, 0x34, 0x6d, 0x71, 0x7c, 0x7d];

/// For contents of a typed IE: `Ok(Some(canonical contents))` if the type
/// accepts them (after checking that its encoding re-parses to the same
/// value), `Err` if it rejects them.
fn typed_canonical(id: u8, data: &[u8]) -> Result<Vec<u8>, &'static str> {
    macro_rules! canon {
        ($ty:ident) => {{
            let v = $ty::parse(data)?;
            let c = v.contents().expect("a parsed value must encode");
            assert_eq!($ty::parse(&c), Ok(v), "re-parse of {c:02x?}");
            Ok(c)
        }};
    }
    match id {
        0x1c => canon!(Facility),
        0x27 => canon!(NotificationIndicator),
        0x29 => canon!(DateTime),
        0x2c => canon!(KeypadFacility),
        0x34 => canon!(Signal),
        0x6d | 0x71 => canon!(Subaddress),
        0x7c => canon!(LowLayerCompatibility),
        0x7d => canon!(HighLayerCompatibility),
        _ => unreachable!(),
    }
}

proptest! {
    #[test]
    fn new_ie_contents_roundtrip_or_error(id in prop::sample::select(NEW_IDS.to_vec()),
                                          // Small values too, so that date/time and the
                                          // 7-bit fields are often valid.
                                          data in prop_oneof![
                                              proptest::collection::vec(any::<u8>(), 0..24),
                                              proptest::collection::vec(0u8..32, 0..8),
                                          ]) {
        let mut f = vec![0x08, 0x02, 0x00, 0x01, 0x05, id, data.len() as u8];
        f.extend_from_slice(&data);
        let _ = describe(&f);
        let typed = typed_canonical(id, &data);
        match MessageRepr::parse_bytes(&f) {
            Ok(r) => {
                // Accepted: the message re-emits exactly, and the IE is typed
                // exactly when the typed model reproduces the contents.
                prop_assert_eq!(r.to_bytes().unwrap(), f.clone());
                prop_assert_eq!(r.ies.len(), 1);
                let canonical = typed.as_deref() == Ok(&data[..]);
                let opaque = matches!(r.ies[0], IeRepr::Opaque { .. });
                prop_assert!(typed.is_ok());
                prop_assert_eq!(opaque, !canonical, "{:?}", r.ies[0]);
                prop_assert_eq!(r.ies[0].id(), id);
            }
            Err(e) => {
                // Rejected: by the typed parser, with its reason.
                let reason = typed.unwrap_err();
                prop_assert_eq!(e, Error::InvalidIe { codeset: 0, id, reason });
            }
        }
    }

    #[test]
    fn new_ie_contents_in_other_codesets_are_unknown(id in prop::sample::select(NEW_IDS.to_vec()),
                                                     data in proptest::collection::vec(any::<u8>(), 0..8)) {
        let mut f = vec![0x08, 0x02, 0x00, 0x01, 0x05, 0x9d, id, data.len() as u8];
        f.extend_from_slice(&data);
        let r = MessageRepr::parse_bytes(&f).unwrap();
        prop_assert_eq!(&r.ies[1], &IeRepr::Unknown { codeset: 5, id, data });
        prop_assert_eq!(r.to_bytes().unwrap(), f);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = describe(&bytes);
        if let Ok(m) = Message::new_checked(&bytes) {
            let _ = m.ies().count();
            if let Ok(r) = MessageRepr::parse(&m) {
                // Whatever parses must re-emit exactly.
                prop_assert_eq!(r.to_bytes().unwrap(), bytes);
            }
        }
    }

    #[test]
    fn q931_shaped_bytes_roundtrip_or_error(cr in any::<u16>(), mt in any::<u8>(),
                                            ies in proptest::collection::vec(any::<u8>(), 0..48)) {
        let mut f = vec![0x08, 0x02, (cr >> 8) as u8, cr as u8, mt];
        f.extend_from_slice(&ies);
        let _ = describe(&f);
        if let Ok(r) = MessageRepr::parse_bytes(&f) {
            prop_assert_eq!(r.to_bytes().unwrap(), f);
        }
    }

    #[test]
    fn generated_reprs_roundtrip(value in 0u16..0x8000, flag in any::<bool>(), mt in any::<u8>(),
                                 ies in proptest::collection::vec(arb_ie(), 0..8)) {
        let repr = MessageRepr { call_ref: CallRef::pri(value, flag), msg_type: mt.into(), ies };
        let bytes = repr.to_bytes().unwrap();
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        let back = MessageRepr::parse_bytes(&bytes).unwrap();
        prop_assert_eq!(&back, &repr);
        prop_assert_eq!(back.to_bytes().unwrap(), bytes);
        let _ = describe(&repr.to_bytes().unwrap());
    }
}
