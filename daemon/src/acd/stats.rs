//! ACD statistics (sans-IO): per queue and per agent counters in fixed
//! intervals, computed from [`AcdEvent`]s alone.
//!
//! [`Stats::record`] takes one event (cost: a few map look-ups, plus one
//! step per interval boundary an agent state spans); [`Stats::report`]
//! answers a [`Query`] with a [`Report`] (JSON and CSV), [`Stats::live`] the
//! totals since start for a status line. Times are board ms; interval `i`
//! covers `[i * interval_ms, (i + 1) * interval_ms)` of board time.
//!
//! # What is counted where
//!
//! * **Queues**: a call counts in the interval it was `Queued` in, whatever
//!   happens to it later (answer, abandon, overflow, talk, hold and wrap-up
//!   are all booked to the queue interval of its arrival). So in every
//!   queue interval `offered = answered + abandoned + overflowed + waiting`,
//!   where `waiting` is the calls of that interval still in the queue.
//! * **Agents**: counts (`offered`, `answered`, `missed`) go to the interval
//!   of the event; state times are split across interval boundaries exactly
//!   (a 20-minute talk from 00:10 to 00:30 gives 5 minutes to the 00:00
//!   interval and 15 to the 00:15 one). `login_ms` is the sum of the times
//!   in every state but `LoggedOut`. Time in the state an agent is in now
//!   is included in reports up to the query's `now_ms`.
//!
//! # Formulas
//!
//! * service level (`sl_pct`) = `answered_in_sl / (answered + abandoned -
//!   abandoned_short) * 100`: calls answered within the queue's threshold
//!   (`wait_ms <= service_level_ms`) over the calls that were answered or
//!   abandoned, short abandons (`wait_ms <= short_abandon_ms`) excluded
//!   as "not real callers". Overflowed calls and calls still waiting are
//!   not in it. An abandon after the short limit counts against the level
//!   even when it was within the threshold. `None` when the divisor is 0.
//! * ASA (`asa_ms`) = `answered_wait_ms / answered` (ringing included).
//! * AHT (`aht_ms`) = `(talk_ms + hold_ms + wrap_ms) / handled`, where
//!   `handled` counts the answered calls whose `Released` was seen; the
//!   wrap-up is the agent's time in `WrapUp` after that release (until its
//!   next state), booked to the call's queue interval. Once every call of
//!   an interval has been released `handled == answered`.
//! * occupancy (`occupancy_pct`) = `(talk_ms + hold_ms + wrap_ms) /
//!   (login_ms - not_ready_ms) * 100`: the share of the time the agent was
//!   available (ready, ringing or busy) that it spent handling calls.
//!
//! # Bounded memory
//!
//! At most [`StatsConfig::max_intervals`] intervals are kept, counting back
//! from the newest one seen; older ones are dropped, and so are events
//! that would count in them. Live totals are never dropped.

mod report;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use super::{AcdEvent, AgentState, MissReason};

pub use report::{AgentInterval, Live, Query, QueueInterval, Report, StatsError};

/// Configuration of the statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsConfig {
    /// Base interval (ms); reports can re-aggregate to multiples of it.
    pub interval_ms: u64,
    /// An abandon with `wait_ms <= short_abandon_ms` is a short abandon.
    pub short_abandon_ms: u64,
    /// Service-level threshold (ms) per queue name.
    pub service_level_ms: BTreeMap<String, u64>,
    /// Threshold of the queues not in `service_level_ms`.
    pub default_service_level_ms: u64,
    /// Number of base intervals kept (older ones are dropped).
    pub max_intervals: usize,
}

/// 15 minutes.
pub const DEFAULT_INTERVAL_MS: u64 = 15 * 60 * 1000;

impl Default for StatsConfig {
    /// 15-minute intervals, 5 s short abandons, 20 s service level, 7 days
    /// kept.
    fn default() -> Self {
        StatsConfig {
            interval_ms: DEFAULT_INTERVAL_MS,
            short_abandon_ms: 5_000,
            service_level_ms: BTreeMap::new(),
            default_service_level_ms: 20_000,
            max_intervals: 7 * 24 * 4,
        }
    }
}

/// Splits `[from_ms, to_ms)` at multiples of `iv` into (interval index, ms)
/// pieces, skipping intervals before `floor`.
pub(crate) fn segments(
    from_ms: u64,
    to_ms: u64,
    iv: u64,
    floor: u64,
) -> impl Iterator<Item = (u64, u64)> {
    let iv = iv.max(1);
    let (first, last) = if to_ms > from_ms {
        ((from_ms / iv).max(floor), (to_ms - 1) / iv)
    } else {
        (1, 0)
    };
    (first..=last).map(move |idx| {
        let lo = from_ms.max(idx * iv);
        let hi = to_ms.min((idx + 1).saturating_mul(iv));
        (idx, hi.saturating_sub(lo))
    })
}

/// Counters of one queue in one interval (calls queued in it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QueueCounters {
    pub offered: u64,
    pub answered: u64,
    pub answered_in_sl: u64,
    pub abandoned: u64,
    pub abandoned_short: u64,
    pub overflowed: u64,
    pub overflowed_by_reason: BTreeMap<&'static str, u64>,
    pub waiting: u64,
    pub answered_wait_ms: u64,
    pub longest_wait_ms: u64,
    pub handled: u64,
    pub talk_ms: u64,
    pub hold_ms: u64,
    pub wrap_ms: u64,
}

impl QueueCounters {
    pub(crate) fn add(&mut self, o: &QueueCounters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.answered_in_sl += o.answered_in_sl;
        self.abandoned += o.abandoned;
        self.abandoned_short += o.abandoned_short;
        self.overflowed += o.overflowed;
        for (r, n) in &o.overflowed_by_reason {
            *self.overflowed_by_reason.entry(r).or_default() += n;
        }
        self.waiting += o.waiting;
        self.answered_wait_ms += o.answered_wait_ms;
        self.longest_wait_ms = self.longest_wait_ms.max(o.longest_wait_ms);
        self.handled += o.handled;
        self.talk_ms += o.talk_ms;
        self.hold_ms += o.hold_ms;
        self.wrap_ms += o.wrap_ms;
    }
}

/// Counters of one agent in one interval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AgentCounters {
    pub offered: u64,
    pub answered: u64,
    pub missed_ring_no_answer: u64,
    pub missed_busy: u64,
    pub missed_failed: u64,
    pub ready_ms: u64,
    pub ring_ms: u64,
    pub talk_ms: u64,
    pub hold_ms: u64,
    pub wrap_ms: u64,
    pub not_ready_ms: BTreeMap<u16, u64>,
}

impl AgentCounters {
    pub(crate) fn add(&mut self, o: &AgentCounters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.missed_ring_no_answer += o.missed_ring_no_answer;
        self.missed_busy += o.missed_busy;
        self.missed_failed += o.missed_failed;
        self.ready_ms += o.ready_ms;
        self.ring_ms += o.ring_ms;
        self.talk_ms += o.talk_ms;
        self.hold_ms += o.hold_ms;
        self.wrap_ms += o.wrap_ms;
        for (r, ms) in &o.not_ready_ms {
            *self.not_ready_ms.entry(*r).or_default() += ms;
        }
    }

    /// Adds `ms` spent in `state` (nothing for `LoggedOut`).
    pub(crate) fn add_state(&mut self, state: AgentState, ms: u64) {
        match state {
            AgentState::LoggedOut => {}
            AgentState::NotReady { reason } => {
                *self.not_ready_ms.entry(reason).or_default() += ms;
            }
            AgentState::Ready => self.ready_ms += ms,
            AgentState::Ringing { .. } => self.ring_ms += ms,
            AgentState::Talking { .. } => self.talk_ms += ms,
            AgentState::Held { .. } => self.hold_ms += ms,
            AgentState::WrapUp { .. } => self.wrap_ms += ms,
        }
    }
}

/// Everything counted in one base interval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Bucket {
    pub queues: BTreeMap<String, QueueCounters>,
    pub agents: BTreeMap<u32, AgentCounters>,
}

/// A call the statistics follow: its queue and the interval it was queued in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CallTrack {
    queue: String,
    idx: u64,
    queued_ms: u64,
}

/// An agent's current state and where its wrap-up is booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AgentTrack {
    pub state: AgentState,
    pub since_ms: u64,
    /// Queue interval of the call the agent released last (for AHT).
    pub wrap_for: Option<(String, u64)>,
}

/// Totals since start (never dropped), for [`Stats::live`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub offered: u64,
    pub answered: u64,
    pub answered_in_sl: u64,
    pub abandoned: u64,
    pub abandoned_short: u64,
    pub overflowed: u64,
    pub answered_wait_ms: u64,
}

/// The statistics engine: feed it every [`AcdEvent`], ask it for reports.
#[derive(Debug, Clone)]
pub struct Stats {
    cfg: StatsConfig,
    /// Base intervals by index (`at_ms / interval_ms`).
    buckets: BTreeMap<u64, Bucket>,
    /// Index of the newest interval seen.
    newest: Option<u64>,
    /// Calls in a queue.
    waiting: HashMap<u64, CallTrack>,
    /// Calls answered and not yet released.
    answered: HashMap<u64, CallTrack>,
    agents: BTreeMap<u32, AgentTrack>,
    totals: Totals,
}

impl Stats {
    /// Empty statistics. An `interval_ms` of 0 is taken as 1 and a
    /// `max_intervals` of 0 as 1.
    pub fn new(mut cfg: StatsConfig) -> Self {
        cfg.interval_ms = cfg.interval_ms.max(1);
        cfg.max_intervals = cfg.max_intervals.max(1);
        Stats {
            cfg,
            buckets: BTreeMap::new(),
            newest: None,
            waiting: HashMap::new(),
            answered: HashMap::new(),
            agents: BTreeMap::new(),
            totals: Totals::default(),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &StatsConfig {
        &self.cfg
    }

    /// The service-level threshold of `queue` (ms).
    pub fn service_level_ms(&self, queue: &str) -> u64 {
        self.cfg
            .service_level_ms
            .get(queue)
            .copied()
            .unwrap_or(self.cfg.default_service_level_ms)
    }

    /// Number of base intervals held now.
    pub fn intervals_held(&self) -> usize {
        self.buckets.len()
    }

    fn idx(&self, at_ms: u64) -> u64 {
        at_ms / self.cfg.interval_ms
    }

    /// Oldest interval index still kept.
    fn floor(&self) -> u64 {
        self.newest
            .map_or(0, |n| n.saturating_sub(self.cfg.max_intervals as u64 - 1))
    }

    /// Moves the newest interval forward to `idx`, dropping what falls out.
    fn advance(&mut self, idx: u64) {
        if self.newest.is_some_and(|n| n >= idx) {
            return;
        }
        self.newest = Some(idx);
        let floor = self.floor();
        if self
            .buckets
            .first_key_value()
            .is_some_and(|(k, _)| *k < floor)
        {
            self.buckets = self.buckets.split_off(&floor);
            self.waiting.retain(|_, t| t.idx >= floor);
            self.answered.retain(|_, t| t.idx >= floor);
            for a in self.agents.values_mut() {
                if a.wrap_for.as_ref().is_some_and(|w| w.1 < floor) {
                    a.wrap_for = None;
                }
            }
        }
    }

    /// The bucket of interval `idx`, unless it is older than those kept.
    fn bucket(&mut self, idx: u64) -> Option<&mut Bucket> {
        self.advance(idx);
        if idx < self.floor() {
            return None;
        }
        Some(self.buckets.entry(idx).or_default())
    }

    fn queue_at(&mut self, queue: &str, idx: u64) -> Option<&mut QueueCounters> {
        let b = self.bucket(idx)?;
        if !b.queues.contains_key(queue) {
            b.queues.insert(queue.to_string(), QueueCounters::default());
        }
        b.queues.get_mut(queue)
    }

    fn agent_at(&mut self, agent: u32, at_ms: u64) -> Option<&mut AgentCounters> {
        let idx = self.idx(at_ms);
        Some(self.bucket(idx)?.agents.entry(agent).or_default())
    }

    /// Takes a call out of the waiting set for an answer, abandon or
    /// overflow. A call never seen queued (the statistics started after it)
    /// is counted as offered in the interval `wait_ms` before `at_ms`, so
    /// the queue balance still holds.
    fn leave_queue(&mut self, call: u64, queue: &str, at_ms: u64, wait_ms: u64) -> CallTrack {
        if let Some(t) = self.waiting.remove(&call) {
            if let Some(q) = self.queue_at(&t.queue, t.idx) {
                q.waiting = q.waiting.saturating_sub(1);
            }
            return t;
        }
        let idx = self.idx(at_ms.saturating_sub(wait_ms));
        self.totals.offered += 1;
        if let Some(q) = self.queue_at(queue, idx) {
            q.offered += 1;
        }
        CallTrack {
            queue: queue.to_string(),
            idx,
            queued_ms: at_ms.saturating_sub(wait_ms),
        }
    }

    /// Books `state` from `from_ms` to `to_ms` to the agent, split at
    /// interval boundaries (only the kept intervals are walked).
    fn add_state_time(&mut self, agent: u32, state: AgentState, from_ms: u64, to_ms: u64) {
        if to_ms <= from_ms || state == AgentState::LoggedOut {
            return;
        }
        self.advance((to_ms - 1) / self.cfg.interval_ms);
        for (idx, ms) in segments(from_ms, to_ms, self.cfg.interval_ms, self.floor()) {
            if let Some(b) = self.bucket(idx) {
                b.agents.entry(agent).or_default().add_state(state, ms);
            }
        }
    }

    /// Records one event. Never fails: events that do not fit (a call
    /// answered twice, time running backwards) are counted as well as they
    /// can be and never panic.
    pub fn record(&mut self, ev: &AcdEvent) {
        match ev {
            AcdEvent::Queued {
                call, queue, at_ms, ..
            } => {
                if self.waiting.contains_key(call) {
                    return; // Already waiting: a repeated event.
                }
                let idx = self.idx(*at_ms);
                self.totals.offered += 1;
                if let Some(q) = self.queue_at(queue, idx) {
                    q.offered += 1;
                    q.waiting += 1;
                }
                let t = CallTrack {
                    queue: queue.clone(),
                    idx,
                    queued_ms: *at_ms,
                };
                self.waiting.insert(*call, t);
            }
            AcdEvent::Offered { agent, at_ms, .. } => {
                if let Some(a) = self.agent_at(*agent, *at_ms) {
                    a.offered += 1;
                }
            }
            AcdEvent::Answered {
                call,
                queue,
                agent,
                wait_ms,
                at_ms,
            } => {
                let t = self.leave_queue(*call, queue, *at_ms, *wait_ms);
                let in_sl = *wait_ms <= self.service_level_ms(&t.queue);
                self.totals.answered += 1;
                self.totals.answered_wait_ms += wait_ms;
                self.totals.answered_in_sl += u64::from(in_sl);
                if let Some(q) = self.queue_at(&t.queue, t.idx) {
                    q.answered += 1;
                    q.answered_in_sl += u64::from(in_sl);
                    q.answered_wait_ms += wait_ms;
                    q.longest_wait_ms = q.longest_wait_ms.max(*wait_ms);
                }
                self.answered.insert(*call, t);
                if let Some(a) = self.agent_at(*agent, *at_ms) {
                    a.answered += 1;
                }
            }
            AcdEvent::Missed {
                agent,
                reason,
                at_ms,
                ..
            } => {
                if let Some(a) = self.agent_at(*agent, *at_ms) {
                    match reason {
                        MissReason::RingNoAnswer => a.missed_ring_no_answer += 1,
                        MissReason::Busy => a.missed_busy += 1,
                        MissReason::Failed => a.missed_failed += 1,
                    }
                }
            }
            AcdEvent::Abandoned {
                call,
                queue,
                wait_ms,
                at_ms,
            } => {
                let t = self.leave_queue(*call, queue, *at_ms, *wait_ms);
                let short = *wait_ms <= self.cfg.short_abandon_ms;
                self.totals.abandoned += 1;
                self.totals.abandoned_short += u64::from(short);
                if let Some(q) = self.queue_at(&t.queue, t.idx) {
                    q.abandoned += 1;
                    q.abandoned_short += u64::from(short);
                    q.longest_wait_ms = q.longest_wait_ms.max(*wait_ms);
                }
            }
            AcdEvent::Overflowed {
                call,
                queue,
                reason,
                wait_ms,
                at_ms,
                ..
            } => {
                let t = self.leave_queue(*call, queue, *at_ms, *wait_ms);
                self.totals.overflowed += 1;
                if let Some(q) = self.queue_at(&t.queue, t.idx) {
                    q.overflowed += 1;
                    *q.overflowed_by_reason.entry(reason.name()).or_default() += 1;
                }
            }
            AcdEvent::Released {
                call,
                queue,
                agent,
                talk_ms,
                hold_ms,
                at_ms,
            } => {
                // A release without a tracked answer (a second release of a
                // transferred call) adds its time but is not another call.
                let (t, counted) = match self.answered.remove(call) {
                    Some(t) => (t, true),
                    None => {
                        let began = at_ms.saturating_sub(talk_ms.saturating_add(*hold_ms));
                        let idx = self.idx(began);
                        (
                            CallTrack {
                                queue: queue.clone(),
                                idx,
                                queued_ms: began,
                            },
                            false,
                        )
                    }
                };
                if let Some(q) = self.queue_at(&t.queue, t.idx) {
                    q.handled += u64::from(counted);
                    q.talk_ms += talk_ms;
                    q.hold_ms += hold_ms;
                }
                let a = self.agents.entry(*agent).or_insert(AgentTrack {
                    state: AgentState::LoggedOut,
                    since_ms: *at_ms,
                    wrap_for: None,
                });
                a.wrap_for = Some((t.queue, t.idx));
            }
            AcdEvent::AgentState {
                agent,
                state,
                at_ms,
            } => self.agent_state(*agent, *state, *at_ms),
        }
    }

    fn agent_state(&mut self, agent: u32, state: AgentState, at_ms: u64) {
        let track = self.agents.entry(agent).or_insert(AgentTrack {
            state: AgentState::LoggedOut,
            since_ms: at_ms,
            wrap_for: None,
        });
        let (old, since) = (track.state, track.since_ms);
        let at_ms = at_ms.max(since);
        track.state = state;
        track.since_ms = at_ms;
        let wrap_for = if matches!(old, AgentState::WrapUp { .. })
            || matches!(state, AgentState::Talking { .. })
        {
            track.wrap_for.take()
        } else {
            None
        };
        if matches!(old, AgentState::WrapUp { .. }) {
            if let Some((queue, idx)) = wrap_for {
                if let Some(q) = self.queue_at(&queue, idx) {
                    q.wrap_ms += at_ms - since;
                }
            }
        }
        self.add_state_time(agent, old, since, at_ms);
    }
}
