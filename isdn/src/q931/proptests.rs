//! Property tests for the Q.931 wire format: no panics on arbitrary input,
//! exact round trips of generated representations.

use super::*;
use proptest::prelude::*;

fn arb_ie() -> impl Strategy<Value = IeRepr> {
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
    let opaque_ids = prop::sample::select(vec![
        0x1c_u8, 0x27, 0x29, 0x2c, 0x34, 0x6d, 0x71, 0x7c, 0x7d, 0x7e,
    ]);
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

proptest! {
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
