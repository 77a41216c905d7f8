//! Random message sequences (samples, mutated) and requests never panic,
//! every message sent parses, and circuit states stay consistent.

use proptest::prelude::*;

use super::*;
use crate::isup::{samples, MessageRepr, Variant};

#[derive(Debug, Clone)]
enum Step {
    /// Sample `k` on CIC, with an optional (position, xor) mutation and
    /// optional truncation.
    Msg(usize, u16, Option<(usize, u8)>, Option<usize>),
    Request(u8, u16),
    Advance(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..27, 0u16..6, proptest::option::of((0usize..40, 1u8..=255)),
              proptest::option::weighted(0.1, 0usize..40))
            .prop_map(|(k, c, m, t)| Step::Msg(k, c, m, t)),
        2 => (0u8..12, 0u16..6).prop_map(|(r, c)| Step::Request(r, c)),
        1 => (0u64..400_000).prop_map(Step::Advance),
    ]
}

fn request(i: &mut Isup, now: u64, r: u8, cic: u16) {
    let req = CallRequest {
        cic: Some(cic),
        ..super::tests::req("123")
    };
    let _ = match r {
        0 => i.setup(now, req).map(|_| ()),
        1 => i.alerting(now, cic),
        2 => i.answer(now, cic),
        3 => i.release(now, cic, 16),
        4 => i.block(now, cic),
        5 => i.unblock(now, cic),
        6 => i.reset(now, cic),
        7 => i.group_block(now, cic, 2, BlockKind::Hardware),
        8 => i.group_unblock(now, cic, 2, BlockKind::Maintenance),
        9 => i.group_reset(now, cic, 3),
        10 => i.send_digits(now, cic, "45", true),
        _ => i.query(now, cic, 3),
    };
}

fn check(i: &mut Isup, variant: Variant) {
    while let Some((cic, m)) = i.poll_transmit() {
        let parsed = MessageRepr::parse(&m, variant);
        assert!(parsed.is_ok(), "sent an unparsable message {m:02x?}");
        assert_eq!(parsed.map(|p| p.cic).ok(), Some(cic));
    }
    while i.poll_event().is_some() {}
    for c in &i.circuits {
        let transient = matches!(c.state, CallState::Releasing | CallState::Resetting);
        assert_eq!(
            transient,
            c.release.is_some(),
            "CIC {}: {:?}",
            c.cic,
            c.state
        );
        if c.call_timer.is_some() {
            assert!(matches!(
                c.state,
                CallState::OutgoingSetup | CallState::OutgoingAlerting
            ));
        }
    }
}

proptest! {
    #[test]
    fn random_sequences_keep_circuits_consistent(
        variant in prop_oneof![Just(Variant::Itu), Just(Variant::Ansi), Just(Variant::China)],
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let mut i = Isup::new(IsupConfig::new(variant, 2, 1, vec![1, 2, 3, 4]));
        let mut now = 0;
        i.start(now);
        for s in steps {
            match s {
                Step::Msg(k, cic, m, t) => {
                    let all = samples::all(cic, variant);
                    let Ok(mut b) = all[k % all.len()].to_bytes(variant) else { continue };
                    if let Some((p, x)) = m {
                        let n = b.len();
                        b[p % n] ^= x;
                    }
                    if let Some(t) = t {
                        b.truncate(t);
                    }
                    i.handle_message(now, &b);
                }
                Step::Request(r, cic) => request(&mut i, now, r, cic),
                Step::Advance(d) => {
                    now += d;
                    i.handle_timeout(now);
                }
            }
            check(&mut i, variant);
            // Every due timer was run: the next one is in the future.
            prop_assert!(i.poll_timeout().is_none_or(|t| t > now));
        }
    }
}
