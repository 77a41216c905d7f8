//! One ACD decision with 10,000 agents and 100,000 queued calls.
//!
//! Each iteration is one `next_assignment` plus the ring-no-answer and
//! ready that undo it (the call goes back to its old position), so the size
//! stays constant; the figure is an upper bound for one decision.

// `criterion_group!` generates an undocumented `pub fn benches`.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use trunkd::acd::{Acd, AgentId, CallId, QueueConfig, QueueId, Skill, Strategy};

const AGENTS: u32 = 10_000;
const CALLS: u64 = 100_000;
const QUEUES: u32 = 10;

fn build(strategy: Strategy) -> Acd {
    let mut acd = Acd::new(1);
    for q in 0..QUEUES {
        acd.add_queue(QueueConfig {
            id: QueueId(q),
            skill: Skill(q as u16),
            strategy,
            fallback: Strategy::SkillsBased,
            wrap_up_ms: 5_000,
        })
        .expect("new queue");
    }
    for a in 0..AGENTS {
        let skills = [
            (Skill((a % QUEUES) as u16), (a % 10 + 1) as u8),
            (Skill(((a / 7) % QUEUES) as u16), (a % 3 + 1) as u8),
        ];
        let skills = if skills[0].0 == skills[1].0 {
            &skills[..1]
        } else {
            &skills[..]
        };
        acd.login(AgentId(a), skills, 0).expect("login");
        acd.set_ready(AgentId(a), u64::from(a)).expect("ready");
    }
    for c in 0..CALLS {
        let q = QueueId((c % u64::from(QUEUES)) as u32);
        let ani = format!("5550{:05}", c % 20_000);
        acd.enqueue(CallId(c), q, &ani, (c % 3) as u8, 10_000 + c)
            .expect("enqueue");
    }
    acd
}

fn decision(c: &mut Criterion) {
    for (name, strategy) in [
        ("skills_based", Strategy::SkillsBased),
        ("longest_idle", Strategy::LongestIdle),
        ("round_robin", Strategy::RoundRobin),
        ("random", Strategy::Random),
        ("sticky", Strategy::Sticky { window_ms: 60_000 }),
    ] {
        let mut acd = build(strategy);
        let mut now = 200_000u64;
        c.bench_function(&format!("acd_decision_10k_agents_100k_calls_{name}"), |b| {
            b.iter(|| {
                now += 1;
                let a = acd.next_assignment(black_box(now)).expect("assignment");
                acd.ring_no_answer(a.agent, now).expect("rona");
                acd.set_ready(a.agent, now).expect("ready");
                a
            })
        });
    }
}

criterion_group!(benches, decision);
criterion_main!(benches);
