//! Property tests: arbitrary bytes never panic the parser, and anything that
//! parses is stable under emit and parse again.

use super::*;
use proptest::prelude::*;

fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![
        Just(Variant::Itu),
        Just(Variant::Ansi),
        Just(Variant::China)
    ]
}

fn check_stable(bytes: &[u8], v: Variant) {
    if let Ok(m) = MessageRepr::parse(bytes, v) {
        let out = m.to_bytes(v).expect("a parsed message emits");
        let again = MessageRepr::parse(&out, v).expect("emitted message parses");
        assert_eq!(again, m);
        assert_eq!(again.to_bytes(v).unwrap(), out);
        let _ = describe(bytes, v);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic_and_reparse_stably(
        bytes in proptest::collection::vec(any::<u8>(), 0..80),
        v in variant(),
    ) {
        check_stable(&bytes, v);
    }

    #[test]
    fn known_message_types_with_arbitrary_bodies_reparse_stably(
        t in proptest::sample::select(MessageType::ALL.to_vec()),
        cic in any::<u16>(),
        body in proptest::collection::vec(any::<u8>(), 0..60),
        v in variant(),
    ) {
        let mut bytes = cic.to_le_bytes().to_vec();
        bytes.push(t.code());
        bytes.extend_from_slice(&body);
        check_stable(&bytes, v);
    }

    #[test]
    fn mutated_sample_messages_reparse_stably(
        i in 0usize..27,
        pos in any::<proptest::sample::Index>(),
        val in any::<u8>(),
        cut in any::<proptest::sample::Index>(),
        v in variant(),
    ) {
        let mut bytes = samples::all(5, v)[i].to_bytes(v).unwrap();
        let p = pos.index(bytes.len());
        bytes[p] = val;
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(p + 1));
        check_stable(&bytes, v);
    }

    #[test]
    fn party_numbers_round_trip(
        nature in 0u8..0x80, ind in any::<bool>(), plan in 0u8..8, pres in 0u8..4, scr in 0u8..4,
        digits in "[0-9A-F]{0,20}",
    ) {
        let n = PartyNumber { nature_of_address: nature, indicator: ind, numbering_plan: plan,
            presentation: pres, screening: scr, digits };
        let mut out = Vec::new();
        n.emit(code::CALLING_PARTY_NUMBER, &mut out);
        prop_assert_eq!(out.len(), n.content_len());
        prop_assert_eq!(PartyNumber::parse(code::CALLING_PARTY_NUMBER, &out).unwrap(), n);
    }
}
