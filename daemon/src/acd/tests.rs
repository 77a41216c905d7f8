//! Unit tests: each strategy picks the agent it promises, RONA keeps the
//! call's position, priorities, wrap-up, and errors change nothing.

use super::*;

const Q: QueueId = QueueId(1);
const S: Skill = Skill(7);

fn acd_with(strategy: Strategy, fallback: Strategy) -> Acd {
    let mut acd = Acd::new(42);
    acd.add_queue(QueueConfig {
        id: Q,
        skill: S,
        strategy,
        fallback,
        wrap_up_ms: 1_000,
    })
    .unwrap();
    acd
}

/// Logs in and readies agent `id` at time `ready_at` with skill level `level`.
fn ready(acd: &mut Acd, id: u32, level: u8, ready_at: u64) {
    acd.login(AgentId(id), &[(S, level)], ready_at).unwrap();
    acd.set_ready(AgentId(id), ready_at).unwrap();
}

/// Runs one whole call for `agent` lasting `talk_ms`, then makes it ready at `end`.
fn serve(acd: &mut Acd, call: u64, ani: &str, agent: u32, start: u64, talk_ms: u64) {
    acd.enqueue(CallId(call), Q, ani, 0, start).unwrap();
    // Every other agent is not ready, so `agent` is the only choice.
    let a = acd.next_assignment(start).unwrap();
    assert_eq!(a.agent, AgentId(agent));
    acd.answer(AgentId(agent), start).unwrap();
    acd.hang_up(AgentId(agent), start + talk_ms).unwrap();
    acd.end_wrap_up(AgentId(agent), start + talk_ms).unwrap();
}

fn pick_one(acd: &mut Acd, now: u64) -> AgentId {
    acd.enqueue(CallId(999), Q, "5550000", 0, now).unwrap();
    acd.next_assignment(now).unwrap().agent
}

#[test]
fn longest_idle_picks_earliest_ready() {
    let mut acd = acd_with(Strategy::LongestIdle, Strategy::LongestIdle);
    ready(&mut acd, 1, 5, 300);
    ready(&mut acd, 2, 5, 100);
    ready(&mut acd, 3, 5, 200);
    assert_eq!(pick_one(&mut acd, 400), AgentId(2));
}

#[test]
fn skills_based_picks_best_level_then_longest_idle() {
    let mut acd = acd_with(Strategy::SkillsBased, Strategy::LongestIdle);
    ready(&mut acd, 1, 9, 300);
    ready(&mut acd, 2, 3, 100);
    ready(&mut acd, 3, 9, 200);
    assert_eq!(pick_one(&mut acd, 400), AgentId(3));
}

#[test]
fn least_talk_time_and_fewest_calls() {
    for (strategy, want) in [(Strategy::LeastTalkTime, 2), (Strategy::FewestCalls, 1)] {
        let mut acd = acd_with(strategy, Strategy::LongestIdle);
        ready(&mut acd, 1, 5, 0);
        acd.set_not_ready(AgentId(1), 3, 0).unwrap();
        ready(&mut acd, 2, 5, 0);
        acd.set_not_ready(AgentId(2), 3, 0).unwrap();
        // Agent 1: one long call. Agent 2: two short calls.
        acd.set_ready(AgentId(1), 0).unwrap();
        serve(&mut acd, 1, "a", 1, 10, 10_000);
        acd.set_not_ready(AgentId(1), 3, 20_000).unwrap();
        acd.set_ready(AgentId(2), 20_000).unwrap();
        serve(&mut acd, 2, "b", 2, 20_000, 100);
        serve(&mut acd, 3, "c", 2, 21_000, 100);
        acd.set_ready(AgentId(1), 30_000).unwrap();
        assert_eq!(pick_one(&mut acd, 40_000), AgentId(want), "{strategy:?}");
    }
}

#[test]
fn round_robin_cycles_by_agent_id() {
    let mut acd = acd_with(Strategy::RoundRobin, Strategy::LongestIdle);
    for id in [3, 1, 2] {
        ready(&mut acd, id, 5, 0);
    }
    let mut order = Vec::new();
    for call in 0..4 {
        acd.enqueue(CallId(call), Q, "x", 0, 10).unwrap();
        let a = acd.next_assignment(10).unwrap();
        order.push(a.agent.0);
        acd.release(a.call, 10).unwrap(); // ringing agent back to ready
    }
    assert_eq!(order, vec![1, 2, 3, 1]);
}

#[test]
fn random_is_seeded_and_reaches_every_agent() {
    let run = || {
        let mut acd = acd_with(Strategy::Random, Strategy::LongestIdle);
        for id in 1..=4 {
            ready(&mut acd, id, 5, 0);
        }
        (0..64)
            .map(|call| {
                acd.enqueue(CallId(call), Q, "x", 0, 1).unwrap();
                let a = acd.next_assignment(1).unwrap();
                acd.release(a.call, 1).unwrap();
                a.agent.0
            })
            .collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first, run());
    for id in 1..=4 {
        assert!(first.contains(&id), "agent {id} never chosen");
    }
}

#[test]
fn sticky_returns_caller_to_last_agent_within_window() {
    let window = Strategy::Sticky { window_ms: 60_000 };
    let mut acd = acd_with(window, Strategy::LongestIdle);
    ready(&mut acd, 1, 5, 0);
    acd.set_not_ready(AgentId(1), 3, 0).unwrap();
    ready(&mut acd, 2, 5, 0);
    serve(&mut acd, 1, "5551234", 2, 10, 100);
    ready(&mut acd, 1, 5, 0); // 1 is now the longest idle
    acd.set_ready(AgentId(1), 0).unwrap_err();
    // Within the window: agent 2 although agent 1 is longer idle.
    acd.enqueue(CallId(2), Q, "5551234", 0, 20_000).unwrap();
    assert_eq!(acd.next_assignment(20_000).unwrap().agent, AgentId(2));
    // Another caller: the fallback picks agent 1.
    acd.enqueue(CallId(3), Q, "5559999", 0, 20_000).unwrap();
    assert_eq!(acd.next_assignment(20_000).unwrap().agent, AgentId(1));
    acd.release(CallId(3), 20_000).unwrap(); // agent 1 idle since 20 s
    acd.release(CallId(2), 25_000).unwrap(); // agent 2 idle since 25 s
                                             // Outside the window: fallback longest idle (agent 1), not sticky agent 2.
    acd.enqueue(CallId(4), Q, "5551234", 0, 200_000).unwrap();
    assert_eq!(acd.next_assignment(200_000).unwrap().agent, AgentId(1));
}

#[test]
fn vip_first_then_fifo_across_queues() {
    let mut acd = acd_with(Strategy::LongestIdle, Strategy::LongestIdle);
    acd.add_queue(QueueConfig {
        id: QueueId(2),
        skill: S,
        strategy: Strategy::LongestIdle,
        fallback: Strategy::LongestIdle,
        wrap_up_ms: 0,
    })
    .unwrap();
    acd.enqueue(CallId(1), Q, "a", 0, 10).unwrap();
    acd.enqueue(CallId(2), QueueId(2), "b", 0, 5).unwrap();
    acd.enqueue(CallId(3), Q, "c", 9, 20).unwrap();
    assert_eq!(acd.next_assignment(30), None, "no agent: nothing assigned");
    for id in 1..=3 {
        ready(&mut acd, id, 5, 30);
    }
    let calls: Vec<u64> = (0..3)
        .map(|_| acd.next_assignment(40).unwrap().call.0)
        .collect();
    assert_eq!(calls, vec![3, 2, 1]);
}

#[test]
fn rona_returns_call_to_old_position_and_agent_not_ready() {
    let mut acd = acd_with(Strategy::LongestIdle, Strategy::LongestIdle);
    for call in 1..=3 {
        acd.enqueue(CallId(call), Q, "x", 0, call).unwrap();
    }
    ready(&mut acd, 1, 5, 10);
    let a = acd.next_assignment(10).unwrap();
    assert_eq!(a.call, CallId(1));
    assert_eq!(acd.waiting(Q).unwrap(), vec![CallId(2), CallId(3)]);
    acd.enqueue(CallId(4), Q, "x", 0, 11).unwrap();
    acd.ring_no_answer(AgentId(1), 20).unwrap();
    let st = acd.agent(AgentId(1)).unwrap().state;
    assert_eq!(
        st,
        AgentState::NotReady {
            reason: REASON_RONA
        }
    );
    assert_eq!(
        acd.waiting(Q).unwrap(),
        vec![CallId(1), CallId(2), CallId(3), CallId(4)]
    );
    assert_eq!(
        acd.call_status(CallId(1)),
        Some(CallStatus::Queued { queue: Q })
    );
    acd.check_invariants().unwrap();
}

#[test]
fn wrap_up_ends_automatically() {
    let mut acd = acd_with(Strategy::LongestIdle, Strategy::LongestIdle);
    ready(&mut acd, 1, 5, 0);
    acd.enqueue(CallId(1), Q, "x", 0, 0).unwrap();
    acd.next_assignment(0).unwrap();
    acd.answer(AgentId(1), 0).unwrap();
    acd.hold(AgentId(1), 5).unwrap();
    acd.retrieve(AgentId(1), 6).unwrap();
    acd.hang_up(AgentId(1), 100).unwrap();
    assert_eq!(acd.agent(AgentId(1)).unwrap().talk_ms_total, 100);
    acd.enqueue(CallId(2), Q, "x", 0, 500).unwrap();
    assert_eq!(acd.next_assignment(500), None, "still in wrap-up");
    let a = acd.next_assignment(1_100).unwrap();
    assert_eq!((a.call, a.agent), (CallId(2), AgentId(1)));
    acd.check_invariants().unwrap();
}

#[test]
fn errors_change_nothing() {
    let mut acd = acd_with(Strategy::LongestIdle, Strategy::LongestIdle);
    ready(&mut acd, 1, 5, 0);
    acd.enqueue(CallId(1), Q, "x", 0, 0).unwrap();
    let before = format!("{:?}", (acd.agent(AgentId(1)), acd.waiting(Q)));
    assert!(matches!(
        acd.answer(AgentId(1), 1),
        Err(AcdError::IllegalTransition {
            from: AgentState::Ready,
            ..
        })
    ));
    assert!(acd.hang_up(AgentId(1), 1).is_err());
    assert!(acd.retrieve(AgentId(1), 1).is_err());
    assert!(acd.ring_no_answer(AgentId(1), 1).is_err());
    assert!(acd.end_wrap_up(AgentId(1), 1).is_err());
    assert_eq!(
        acd.set_ready(AgentId(9), 1),
        Err(AcdError::UnknownAgent(AgentId(9)))
    );
    assert_eq!(
        acd.enqueue(CallId(1), Q, "x", 0, 1),
        Err(AcdError::DuplicateCall(CallId(1)))
    );
    assert_eq!(
        acd.enqueue(CallId(2), QueueId(9), "x", 0, 1),
        Err(AcdError::UnknownQueue(QueueId(9)))
    );
    assert_eq!(
        acd.login(AgentId(2), &[(S, 11)], 1),
        Err(AcdError::BadSkillLevel {
            skill: S,
            level: 11
        })
    );
    assert!(acd.agent(AgentId(2)).is_none());
    assert_eq!(
        before,
        format!("{:?}", (acd.agent(AgentId(1)), acd.waiting(Q)))
    );
    // Logging out during a call is illegal and leaves the call in place.
    acd.next_assignment(2).unwrap();
    acd.answer(AgentId(1), 2).unwrap();
    assert!(acd.logout(AgentId(1), 3).is_err());
    assert_eq!(
        acd.agent(AgentId(1)).unwrap().state,
        AgentState::Talking { call: CallId(1) }
    );
    acd.check_invariants().unwrap();
}
