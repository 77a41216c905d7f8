//! Property tests: hostile input from the far end never panics and never
//! disturbs calls it does not name.

use proptest::prelude::*;

use super::tests::Rig;
use super::*;

fn active_pair(r: &mut Rig) -> (CallId, CallId, u16) {
    let a = r
        .user
        .setup(
            r.now,
            &SetupRequest::new(Digits::dialable("1").unwrap(), None),
        )
        .unwrap();
    let b = r
        .user
        .setup(
            r.now,
            &SetupRequest::new(Digits::dialable("2").unwrap(), None),
        )
        .unwrap();
    r.pump();
    for e in r.take_events().0 {
        if let PriEvent::IncomingCall { call, .. } = e {
            r.net.answer(r.now, call).unwrap();
        }
    }
    r.pump();
    r.take_events();
    let cref_b = r.user.call(b).unwrap().call_ref;
    (a, b, cref_b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary information fields in I frames towards either side.
    #[test]
    fn garbage_messages_do_not_disturb_other_calls(
        msgs in proptest::collection::vec(
            (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..40), any::<bool>()), 1..12)
    ) {
        let mut r = Rig::new(Variant::Etsi);
        let (_a, b, cref_b) = active_pair(&mut r);
        let [bh, bl] = cref_b.to_be_bytes();
        for (to_user, mut bytes, q931_header) in msgs {
            if q931_header && bytes.len() >= 5 {
                // A well-formed header keeps the garbage in the call layer.
                bytes[0] = 0x08;
                bytes[1] = 0x02;
            }
            // Never aim at call b's call reference (either flag).
            if bytes.len() >= 4 && bytes[2] & 0x7f == bh && bytes[3] == bl {
                bytes[3] = bytes[3].wrapping_add(1);
            }
            if to_user { r.inject_to_user(&bytes) } else { r.inject_to_net(&bytes) }
        }
        let info = r.user.call(b).expect("call b survives");
        prop_assert_eq!(info.state, State::Active);
        prop_assert!(r.user.is_link_up() && r.net.is_link_up());
    }

    /// Arbitrary frames into the data link of a fresh interface.
    #[test]
    fn arbitrary_frames_never_panic(frames in proptest::collection::vec(
        proptest::collection::vec(any::<u8>(), 0..300), 1..20)) {
        let mut p = Pri::new(PriConfig::new(crate::lapd::Role::User, Variant::Ni2));
        p.start(0);
        let mut buf = [0u8; 300];
        for (i, f) in frames.iter().enumerate() {
            p.handle_frame(i as u64 * 10, f);
            while p.poll_transmit(&mut buf).is_some() {}
            while p.poll_event().is_some() {}
        }
        p.handle_timeout(1_000_000);
    }
}
