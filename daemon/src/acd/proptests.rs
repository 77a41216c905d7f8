//! Property test: random operation sequences keep every agent's state
//! sequence legal, keep the invariants, and failed operations change nothing.

use proptest::prelude::*;
use proptest::strategy::Strategy as PropStrategy;

use super::{Acd, AcdError, AgentId, AgentState, CallId, QueueConfig, QueueId, Skill, Strategy};

const AGENTS: u32 = 5;
const QUEUES: u32 = 3;

#[derive(Debug, Clone)]
enum Op {
    Login(u32, u16, u8),
    Logout(u32),
    Ready(u32),
    NotReady(u32, u16),
    Enqueue(u32, u8, u8),
    Assign,
    Answer(u32),
    Rona(u32),
    Hold(u32),
    Retrieve(u32),
    HangUp(u32),
    EndWrapUp(u32),
    Release(u64),
    Advance(u64),
}

fn op() -> impl PropStrategy<Value = Op> {
    let a = 0..AGENTS;
    prop_oneof![
        (a.clone(), 0..4u16, 0..12u8).prop_map(|(a, s, l)| Op::Login(a, s, l)),
        a.clone().prop_map(Op::Logout),
        a.clone().prop_map(Op::Ready),
        (a.clone(), 1..5u16).prop_map(|(a, r)| Op::NotReady(a, r)),
        (0..QUEUES + 1, 0..3u8, 0..4u8).prop_map(|(q, p, ani)| Op::Enqueue(q, p, ani)),
        Just(Op::Assign),
        Just(Op::Assign),
        a.clone().prop_map(Op::Answer),
        a.clone().prop_map(Op::Rona),
        a.clone().prop_map(Op::Hold),
        a.clone().prop_map(Op::Retrieve),
        a.clone().prop_map(Op::HangUp),
        a.clone().prop_map(Op::EndWrapUp),
        (0..40u64).prop_map(Op::Release),
        (0..3_000u64).prop_map(Op::Advance),
    ]
}

/// Everything observable, to compare before and after a failed operation.
fn snapshot(acd: &Acd, calls: u64) -> String {
    let agents: Vec<_> = (0..AGENTS)
        .map(|a| acd.agent(AgentId(a)).cloned())
        .collect();
    let queues: Vec<_> = (0..QUEUES).map(|q| acd.waiting(QueueId(q)).ok()).collect();
    let calls: Vec<_> = (0..calls).map(|c| acd.call_status(CallId(c))).collect();
    format!("{agents:?}{queues:?}{calls:?}")
}

fn states(acd: &Acd) -> Vec<Option<AgentState>> {
    (0..AGENTS)
        .map(|a| acd.agent(AgentId(a)).map(|x| x.state))
        .collect()
}

fn build() -> Acd {
    let mut acd = Acd::new(7);
    let strategies = [
        Strategy::Sticky { window_ms: 5_000 },
        Strategy::RoundRobin,
        Strategy::Random,
    ];
    for (q, strategy) in (0..QUEUES).zip(strategies) {
        acd.add_queue(QueueConfig {
            id: QueueId(q),
            skill: Skill(q as u16),
            strategy,
            fallback: Strategy::SkillsBased,
            wrap_up_ms: 500,
        })
        .unwrap();
    }
    acd
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_operations_keep_states_legal_and_invariants(ops in prop::collection::vec(op(), 1..120)) {
        let mut acd = build();
        let mut now = 0u64;
        let mut next_call = 0u64;
        for op in ops {
            if matches!(op, Op::Assign) {
                // Expire wrap-ups as their own step so each op is one transition.
                let before = states(&acd);
                acd.tick(now);
                for (b, a) in before.iter().zip(states(&acd)) {
                    if *b != a {
                        prop_assert!(b.is_some_and(|b| a.is_some_and(|a| b.can_go_to(a))));
                    }
                }
            }
            let before_states = states(&acd);
            let calls_before = next_call;
            let before = snapshot(&acd, calls_before);
            let r: Result<(), AcdError> = match op {
                Op::Login(a, s, l) => acd.login(AgentId(a), &[(Skill(s), l), (Skill((s + 1) % 3), 5)], now),
                Op::Logout(a) => acd.logout(AgentId(a), now),
                Op::Ready(a) => acd.set_ready(AgentId(a), now),
                Op::NotReady(a, r) => acd.set_not_ready(AgentId(a), r, now),
                Op::Enqueue(q, p, ani) => {
                    next_call += 1;
                    acd.enqueue(CallId(next_call - 1), QueueId(q), &format!("555{ani}"), p, now)
                }
                Op::Assign => {
                    if let Some(x) = acd.next_assignment(now) {
                        prop_assert_eq!(
                            acd.agent(x.agent).map(|a| a.state),
                            Some(AgentState::Ringing { call: x.call })
                        );
                    }
                    Ok(())
                }
                Op::Answer(a) => acd.answer(AgentId(a), now),
                Op::Rona(a) => acd.ring_no_answer(AgentId(a), now),
                Op::Hold(a) => acd.hold(AgentId(a), now),
                Op::Retrieve(a) => acd.retrieve(AgentId(a), now),
                Op::HangUp(a) => acd.hang_up(AgentId(a), now),
                Op::EndWrapUp(a) => acd.end_wrap_up(AgentId(a), now),
                Op::Release(c) => acd.release(CallId(c), now),
                Op::Advance(dt) => {
                    now += dt;
                    Ok(())
                }
            };
            if r.is_err() {
                let after = snapshot(&acd, calls_before);
                prop_assert_eq!(&before, &after, "failed {:?} changed state", op);
            }
            for (b, a) in before_states.iter().zip(states(&acd)) {
                if *b != a {
                    let legal = match (*b, a) {
                        (None, Some(a)) => AgentState::LoggedOut.can_go_to(a),
                        (Some(b), Some(a)) => b.can_go_to(a),
                        _ => false,
                    };
                    prop_assert!(legal, "{:?}: {:?} -> {:?}", op, b, a);
                }
            }
            if let Err(e) = acd.check_invariants() {
                prop_assert!(false, "after {:?}: {}", op, e);
            }
        }
    }
}
