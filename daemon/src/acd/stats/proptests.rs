//! Property test: drive the real [`Acd`] core with random operations, turn
//! what it does into [`AcdEvent`]s the way the daemon's ACD service does,
//! and check the statistics against what was observed directly:
//! every queue interval balances (`offered = answered + abandoned +
//! overflowed + waiting`), every agent's state times add up to its login
//! time and equal the time the core kept it in each state, and a coarser
//! report sums the finer one.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use proptest::strategy::Strategy as PropStrategy;

use super::*;
use crate::acd::{
    Acd, AgentId, CallId, CallStatus, MissReason, OverflowReason, QueueConfig, QueueId, Skill,
    Strategy,
};

const AGENTS: u32 = 4;
const QUEUES: u32 = 2;
const IV: u64 = 1_000;

#[derive(Debug, Clone)]
enum Op {
    Login(u32, bool),
    Logout(u32),
    Ready(u32),
    NotReady(u32, u16),
    Enqueue(u32),
    Assign,
    Answer(u32),
    Rona(u32),
    Hold(u32),
    Retrieve(u32),
    HangUp(u32),
    EndWrapUp(u32),
    Abandon(u64),
    Overflow(u64),
    Advance(u64),
}

fn op() -> impl PropStrategy<Value = Op> {
    let a = 0..AGENTS;
    prop_oneof![
        (a.clone(), any::<bool>()).prop_map(|(a, r)| Op::Login(a, r)),
        a.clone().prop_map(Op::Logout),
        a.clone().prop_map(Op::Ready),
        (a.clone(), 1..4u16).prop_map(|(a, r)| Op::NotReady(a, r)),
        (0..QUEUES).prop_map(Op::Enqueue),
        Just(Op::Assign),
        Just(Op::Assign),
        a.clone().prop_map(Op::Answer),
        a.clone().prop_map(Op::Rona),
        a.clone().prop_map(Op::Hold),
        a.clone().prop_map(Op::Retrieve),
        a.clone().prop_map(Op::HangUp),
        a.clone().prop_map(Op::EndWrapUp),
        (0..30u64).prop_map(Op::Abandon),
        (0..30u64).prop_map(Op::Overflow),
        (0..2_500u64).prop_map(Op::Advance),
    ]
}

fn qname(q: QueueId) -> String {
    format!("q{}", q.0)
}

/// An answered call: queue, agent, answer time, hold so far, hold start.
#[derive(Debug, Clone)]
struct Up {
    queue: String,
    agent: u32,
    answered_ms: u64,
    hold_ms: u64,
    held_since: Option<u64>,
}

/// The Acd, the statistics fed from it, and what was observed directly.
struct Harness {
    acd: Acd,
    stats: Stats,
    now: u64,
    next_call: u64,
    queued: HashMap<u64, (String, u64)>,
    up: HashMap<u64, Up>,
    /// Per agent: state name (`not_ready:R` for not ready) -> ms.
    observed: BTreeMap<u32, BTreeMap<String, u64>>,
    since: BTreeMap<u32, (AgentState, u64)>,
}

fn key(s: AgentState) -> String {
    match s {
        AgentState::NotReady { reason } => format!("not_ready:{reason}"),
        other => other.name().to_string(),
    }
}

impl Harness {
    fn new() -> Self {
        let mut acd = Acd::new(3);
        for q in 0..QUEUES {
            acd.add_queue(QueueConfig {
                id: QueueId(q),
                skill: Skill(q as u16),
                strategy: Strategy::LongestIdle,
                fallback: Strategy::LongestIdle,
                wrap_up_ms: 700,
            })
            .expect("queue");
        }
        let stats = Stats::new(StatsConfig {
            interval_ms: IV,
            max_intervals: 1_000_000,
            ..StatsConfig::default()
        });
        Harness {
            acd,
            stats,
            now: 0,
            next_call: 0,
            queued: HashMap::new(),
            up: HashMap::new(),
            observed: BTreeMap::new(),
            since: BTreeMap::new(),
        }
    }

    fn states(&self) -> Vec<AgentState> {
        (0..AGENTS)
            .map(|a| {
                self.acd
                    .agent(AgentId(a))
                    .map_or(AgentState::LoggedOut, |x| x.state)
            })
            .collect()
    }

    fn emit(&mut self, e: AcdEvent) {
        self.stats.record(&e);
    }

    /// Emits an `AgentState` for every agent whose state changed.
    fn emit_state_changes(&mut self, before: &[AgentState]) {
        for (a, (b, s)) in before.iter().zip(self.states()).enumerate() {
            if *b == s {
                continue;
            }
            let a = a as u32;
            let (old, t0) = self.since.get(&a).copied().unwrap_or((*b, self.now));
            if old != AgentState::LoggedOut {
                *self
                    .observed
                    .entry(a)
                    .or_default()
                    .entry(key(old))
                    .or_default() += self.now - t0;
            }
            self.since.insert(a, (s, self.now));
            self.emit(AcdEvent::AgentState {
                agent: a,
                state: s,
                at_ms: self.now,
            });
        }
    }

    fn release_event(&mut self, call: u64) {
        if let Some(mut u) = self.up.remove(&call) {
            if let Some(h) = u.held_since.take() {
                u.hold_ms += self.now - h;
            }
            let total = self.now - u.answered_ms;
            self.emit(AcdEvent::Released {
                call,
                queue: u.queue,
                agent: u.agent,
                talk_ms: total - u.hold_ms,
                hold_ms: u.hold_ms,
                at_ms: self.now,
            });
        }
    }

    fn apply(&mut self, op: &Op) {
        let now = self.now;
        let before = self.states();
        let call_of = |a: u32| before.get(a as usize).and_then(|s| s.call()).map(|c| c.0);
        match *op {
            Op::Login(a, ready) => {
                let skills = [(Skill((a % QUEUES) as u16), 5), (Skill(1), 3)];
                if self.acd.login(AgentId(a), &skills, now).is_ok() && ready {
                    let _ = self.acd.set_ready(AgentId(a), now);
                }
            }
            Op::Logout(a) => {
                let _ = self.acd.logout(AgentId(a), now);
            }
            Op::Ready(a) => {
                let _ = self.acd.set_ready(AgentId(a), now);
            }
            Op::NotReady(a, r) => {
                let _ = self.acd.set_not_ready(AgentId(a), r, now);
            }
            Op::Enqueue(q) => {
                let call = self.next_call;
                self.next_call += 1;
                if self
                    .acd
                    .enqueue(CallId(call), QueueId(q), "555", 0, now)
                    .is_ok()
                {
                    self.queued.insert(call, (qname(QueueId(q)), now));
                    self.emit(AcdEvent::Queued {
                        call,
                        queue: qname(QueueId(q)),
                        priority: 0,
                        at_ms: now,
                    });
                }
            }
            Op::Assign => {
                // Timed wrap-ups end first, as their own state changes.
                self.acd.tick(now);
                self.emit_state_changes(&before);
                let before = self.states();
                if let Some(x) = self.acd.next_assignment(now) {
                    self.emit(AcdEvent::Offered {
                        call: x.call.0,
                        queue: qname(x.queue),
                        agent: x.agent.0,
                        at_ms: now,
                    });
                }
                self.emit_state_changes(&before);
                return;
            }
            Op::Answer(a) => {
                if let (Some(call), Ok(())) = (call_of(a), self.acd.answer(AgentId(a), now)) {
                    if let Some((queue, at)) = self.queued.remove(&call) {
                        self.up.insert(
                            call,
                            Up {
                                queue: queue.clone(),
                                agent: a,
                                answered_ms: now,
                                hold_ms: 0,
                                held_since: None,
                            },
                        );
                        self.emit(AcdEvent::Answered {
                            call,
                            queue,
                            agent: a,
                            wait_ms: now - at,
                            at_ms: now,
                        });
                    }
                }
            }
            Op::Rona(a) => {
                if let (Some(call), Ok(())) = (call_of(a), self.acd.ring_no_answer(AgentId(a), now))
                {
                    let queue = self
                        .queued
                        .get(&call)
                        .map(|q| q.0.clone())
                        .unwrap_or_default();
                    self.emit(AcdEvent::Missed {
                        call,
                        queue,
                        agent: a,
                        reason: MissReason::RingNoAnswer,
                        at_ms: now,
                    });
                }
            }
            Op::Hold(a) => {
                if let (Some(call), Ok(())) = (call_of(a), self.acd.hold(AgentId(a), now)) {
                    if let Some(u) = self.up.get_mut(&call) {
                        u.held_since = Some(now);
                    }
                }
            }
            Op::Retrieve(a) => {
                if let (Some(call), Ok(())) = (call_of(a), self.acd.retrieve(AgentId(a), now)) {
                    if let Some(u) = self.up.get_mut(&call) {
                        u.hold_ms += u.held_since.take().map_or(0, |h| now - h);
                    }
                }
            }
            Op::HangUp(a) => {
                if let (Some(call), Ok(())) = (call_of(a), self.acd.hang_up(AgentId(a), now)) {
                    self.release_event(call);
                }
            }
            Op::EndWrapUp(a) => {
                let _ = self.acd.end_wrap_up(AgentId(a), now);
            }
            Op::Abandon(c) | Op::Overflow(c) => {
                let status = self.acd.call_status(CallId(c));
                if self.acd.release(CallId(c), now).is_ok() {
                    match status {
                        Some(CallStatus::Answered { .. }) => self.release_event(c),
                        _ => {
                            let (queue, at) = self.queued.remove(&c).unwrap_or_default();
                            let wait_ms = now - at;
                            let e = if matches!(op, Op::Abandon(_))
                                || matches!(status, Some(CallStatus::Ringing { .. }))
                            {
                                AcdEvent::Abandoned {
                                    call: c,
                                    queue,
                                    wait_ms,
                                    at_ms: now,
                                }
                            } else {
                                AcdEvent::Overflowed {
                                    call: c,
                                    queue,
                                    reason: OverflowReason::Removed,
                                    to: "flow:bye".into(),
                                    wait_ms,
                                    at_ms: now,
                                }
                            };
                            self.emit(e);
                        }
                    }
                }
            }
            Op::Advance(dt) => self.now += dt,
        }
        self.emit_state_changes(&before);
    }

    /// Closes the observed state times at `now`.
    fn observed_until_now(&self) -> BTreeMap<u32, BTreeMap<String, u64>> {
        let mut o = self.observed.clone();
        for (a, (s, t0)) in &self.since {
            if *s != AgentState::LoggedOut && self.now > *t0 {
                *o.entry(*a).or_default().entry(key(*s)).or_default() += self.now - t0;
            }
        }
        for m in o.values_mut() {
            m.retain(|_, ms| *ms > 0);
        }
        o.retain(|_, m| !m.is_empty());
        o
    }
}

/// State totals per agent from a report, keyed like the observed ones.
fn reported(r: &Report) -> BTreeMap<u32, BTreeMap<String, u64>> {
    let mut o: BTreeMap<u32, BTreeMap<String, u64>> = BTreeMap::new();
    for a in &r.agents {
        let m = o.entry(a.agent).or_default();
        for (k, v) in [
            ("ready", a.ready_ms),
            ("ringing", a.ring_ms),
            ("talking", a.talk_ms),
            ("held", a.hold_ms),
            ("wrap_up", a.wrap_ms),
        ] {
            *m.entry(k.to_string()).or_default() += v;
        }
        for (r, v) in &a.not_ready_by_reason {
            *m.entry(format!("not_ready:{r}")).or_default() += v;
        }
    }
    for m in o.values_mut() {
        m.retain(|_, ms| *ms > 0);
    }
    o.retain(|_, m| !m.is_empty());
    o
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn statistics_match_what_the_core_did(ops in prop::collection::vec(op(), 1..150)) {
        let mut h = Harness::new();
        for op in &ops {
            h.apply(op);
        }
        let q = Query { now_ms: h.now, ..Query::default() };
        let r = h.stats.report(&q).expect("report");
        for row in &r.queues {
            prop_assert_eq!(
                row.offered,
                row.answered + row.abandoned + row.overflowed + row.waiting,
                "{:?}", row
            );
            prop_assert!(row.handled <= row.answered);
            prop_assert!(row.answered_in_sl <= row.answered);
        }
        for a in &r.agents {
            let states = a.ready_ms + a.ring_ms + a.talk_ms + a.hold_ms + a.wrap_ms + a.not_ready_ms;
            prop_assert_eq!(a.login_ms, states);
            prop_assert!(a.login_ms <= IV, "{:?}", a);
        }
        // Still waiting (queued or ringing in the core) = waiting in the statistics.
        let in_core = (0..h.next_call)
            .filter(|c| matches!(
                h.acd.call_status(CallId(*c)),
                Some(CallStatus::Queued { .. } | CallStatus::Ringing { .. })
            ))
            .count() as u64;
        prop_assert_eq!(r.queues.iter().map(|q| q.waiting).sum::<u64>(), in_core);
        prop_assert_eq!(h.stats.live(h.now).in_queue, in_core);
        // Every agent's time in each state is what the core kept it in.
        prop_assert_eq!(reported(&r), h.observed_until_now());
        // A report at 4 intervals sums the base one.
        let coarse = h.stats.report(&Query { interval_ms: Some(4 * IV), ..q }).expect("coarse");
        prop_assert_eq!(reported(&coarse), reported(&r));
        let total = |r: &Report| r.queues.iter().map(|q| (q.offered, q.answered, q.talk_ms + q.hold_ms + q.wrap_ms)).fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        prop_assert_eq!(total(&coarse), total(&r));
    }
}
