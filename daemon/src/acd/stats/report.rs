//! Queries over the statistics: interval reports (JSON and CSV) and live
//! totals. See the parent module for what each figure means.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::{segments, AgentCounters, Bucket, QueueCounters, Stats};
use crate::acd::AgentState;

/// What to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Report interval (ms): a multiple of the base interval; `None` is
    /// the base interval.
    pub interval_ms: Option<u64>,
    /// Only this queue's rows (the agent rows are not filtered by it).
    pub queue: Option<String>,
    /// Only this agent's rows (the queue rows are not filtered by it).
    pub agent: Option<u32>,
    /// Board time now: the time of the state each agent is in (and of a
    /// wrap-up under way) counts up to here.
    pub now_ms: u64,
}

/// A query the statistics cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    /// The requested interval is not a non-zero multiple of the base one.
    #[error(
        "interval {requested_ms} ms is not a multiple of the statistics interval {base_ms} ms"
    )]
    BadInterval {
        /// The interval asked for (ms).
        requested_ms: u64,
        /// The configured base interval (ms).
        base_ms: u64,
    },
}

/// One queue in one report interval (calls queued in that interval).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueInterval {
    /// Queue name.
    pub queue: String,
    /// Start of the interval (board ms).
    pub start_ms: u64,
    /// Length of the interval (ms).
    pub interval_ms: u64,
    /// Calls queued.
    pub offered: u64,
    /// Calls answered by an agent.
    pub answered: u64,
    /// Calls answered with `wait_ms <= service_level_ms`.
    pub answered_in_sl: u64,
    /// The queue's service-level threshold (ms).
    pub service_level_ms: u64,
    /// `answered_in_sl / (answered + abandoned - abandoned_short) * 100`,
    /// rounded to 0.01; `None` when the divisor is 0.
    pub sl_pct: Option<f64>,
    /// Callers who hung up while queued or ringing.
    pub abandoned: u64,
    /// Abandons with `wait_ms <= short_abandon_ms`.
    pub abandoned_short: u64,
    /// Calls sent elsewhere (max wait, no agents, caller choice, removed).
    pub overflowed: u64,
    /// `overflowed` by reason name (only reasons that occurred).
    pub overflowed_by_reason: BTreeMap<String, u64>,
    /// Calls of this interval still waiting.
    pub waiting: u64,
    /// Sum of the waits of the answered calls (ms).
    pub answered_wait_ms: u64,
    /// Average speed of answer: `answered_wait_ms / answered` (ms).
    pub asa_ms: Option<u64>,
    /// Longest wait of an answered or abandoned call (ms).
    pub longest_wait_ms: u64,
    /// Answered calls released (their handle time is known).
    pub handled: u64,
    /// Talk time of the answered calls, hold excluded (ms).
    pub talk_ms: u64,
    /// Hold time of the answered calls (ms).
    pub hold_ms: u64,
    /// Wrap-up after the answered calls (ms).
    pub wrap_ms: u64,
    /// Average handle time: `(talk_ms + hold_ms + wrap_ms) / handled` (ms).
    pub aht_ms: Option<u64>,
}

/// One agent in one report interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentInterval {
    /// Agent number.
    pub agent: u32,
    /// Start of the interval (board ms).
    pub start_ms: u64,
    /// Length of the interval (ms).
    pub interval_ms: u64,
    /// Calls offered (rung).
    pub offered: u64,
    /// Calls answered.
    pub answered: u64,
    /// Offers not answered, all reasons.
    pub missed: u64,
    /// Of which ring-no-answer.
    pub missed_ring_no_answer: u64,
    /// Of which busy.
    pub missed_busy: u64,
    /// Of which failed.
    pub missed_failed: u64,
    /// Time logged in: the sum of the state times below (ms).
    pub login_ms: u64,
    /// Time ready and idle (ms).
    pub ready_ms: u64,
    /// Time ringing (ms).
    pub ring_ms: u64,
    /// Time talking (ms).
    pub talk_ms: u64,
    /// Time with the caller on hold (ms).
    pub hold_ms: u64,
    /// Time in wrap-up (ms).
    pub wrap_ms: u64,
    /// Time not ready, all reasons (ms).
    pub not_ready_ms: u64,
    /// Time not ready by reason code (ms).
    pub not_ready_by_reason: BTreeMap<u16, u64>,
    /// `(talk_ms + hold_ms + wrap_ms) / (login_ms - not_ready_ms) * 100`,
    /// rounded to 0.01; `None` when the divisor is 0.
    pub occupancy_pct: Option<f64>,
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Report interval (ms).
    pub interval_ms: u64,
    /// The query's `now_ms`.
    pub now_ms: u64,
    /// Queue rows, by queue name then start.
    pub queues: Vec<QueueInterval>,
    /// Agent rows, by agent then start.
    pub agents: Vec<AgentInterval>,
}

/// Totals since the statistics started, for a status line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Live {
    /// The `now_ms` asked for.
    pub now_ms: u64,
    /// Calls in a queue now.
    pub in_queue: u64,
    /// Wait so far of the call queued longest (ms; 0 when none waits).
    pub longest_waiting_ms: u64,
    /// Calls queued.
    pub offered: u64,
    /// Calls answered.
    pub answered: u64,
    /// Calls abandoned.
    pub abandoned: u64,
    /// Of which short abandons.
    pub abandoned_short: u64,
    /// Calls overflowed.
    pub overflowed: u64,
    /// Service level, same formula as [`QueueInterval::sl_pct`] (each call
    /// against its own queue's threshold).
    pub sl_pct: Option<f64>,
    /// Average speed of answer (ms).
    pub asa_ms: Option<u64>,
    /// Logged-in agents by state name (`ready`, `talking`, ...).
    pub agents: BTreeMap<String, u64>,
}

fn pct(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| (num as f64 * 10_000.0 / den as f64).round() / 100.0)
}

fn avg(sum: u64, n: u64) -> Option<u64> {
    (n > 0).then(|| sum.saturating_add(n / 2) / n)
}

fn sl_pct(answered_in_sl: u64, answered: u64, abandoned: u64, short: u64) -> Option<f64> {
    pct(answered_in_sl, (answered + abandoned).saturating_sub(short))
}

impl QueueInterval {
    fn new(queue: &str, start_ms: u64, interval_ms: u64, sl_ms: u64, c: &QueueCounters) -> Self {
        let handle = c.talk_ms + c.hold_ms + c.wrap_ms;
        QueueInterval {
            queue: queue.to_string(),
            start_ms,
            interval_ms,
            offered: c.offered,
            answered: c.answered,
            answered_in_sl: c.answered_in_sl,
            service_level_ms: sl_ms,
            sl_pct: sl_pct(c.answered_in_sl, c.answered, c.abandoned, c.abandoned_short),
            abandoned: c.abandoned,
            abandoned_short: c.abandoned_short,
            overflowed: c.overflowed,
            overflowed_by_reason: c
                .overflowed_by_reason
                .iter()
                .map(|(r, n)| (r.to_string(), *n))
                .collect(),
            waiting: c.waiting,
            answered_wait_ms: c.answered_wait_ms,
            asa_ms: avg(c.answered_wait_ms, c.answered),
            longest_wait_ms: c.longest_wait_ms,
            handled: c.handled,
            talk_ms: c.talk_ms,
            hold_ms: c.hold_ms,
            wrap_ms: c.wrap_ms,
            aht_ms: avg(handle, c.handled),
        }
    }
}

impl AgentInterval {
    fn new(agent: u32, start_ms: u64, interval_ms: u64, c: &AgentCounters) -> Self {
        let not_ready_ms: u64 = c.not_ready_ms.values().sum();
        let busy = c.talk_ms + c.hold_ms + c.wrap_ms;
        let login_ms = c.ready_ms + c.ring_ms + busy + not_ready_ms;
        AgentInterval {
            agent,
            start_ms,
            interval_ms,
            offered: c.offered,
            answered: c.answered,
            missed: c.missed_ring_no_answer + c.missed_busy + c.missed_failed,
            missed_ring_no_answer: c.missed_ring_no_answer,
            missed_busy: c.missed_busy,
            missed_failed: c.missed_failed,
            login_ms,
            ready_ms: c.ready_ms,
            ring_ms: c.ring_ms,
            talk_ms: c.talk_ms,
            hold_ms: c.hold_ms,
            wrap_ms: c.wrap_ms,
            not_ready_ms,
            not_ready_by_reason: c.not_ready_ms.clone(),
            occupancy_pct: pct(busy, login_ms - not_ready_ms),
        }
    }
}

impl Report {
    /// The report as JSON: the `acd_stats` reply body (`interval_ms`,
    /// `now_ms`, `queues: [..]`, `agents: [..]`, fields as in
    /// [`QueueInterval`] and [`AgentInterval`]).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The queue rows as CSV (RFC 4180: header row, CRLF line ends,
    /// quoting where needed); rendered by `trunk_tools::acd_cli` from the
    /// JSON, so `trunkctl stats --csv` prints exactly this.
    pub fn to_csv_queues(&self) -> String {
        trunk_tools::acd_cli::queues_csv(&self.to_json())
    }

    /// The agent rows as CSV, like [`Report::to_csv_queues`].
    pub fn to_csv_agents(&self) -> String {
        trunk_tools::acd_cli::agents_csv(&self.to_json())
    }
}

impl Stats {
    /// A report of the kept intervals, re-aggregated to `q.interval_ms`
    /// (sums of the base intervals; `longest_wait_ms` is the maximum and
    /// the ratios are recomputed from the sums).
    pub fn report(&self, q: &Query) -> Result<Report, StatsError> {
        let base = self.cfg.interval_ms;
        let iv = q.interval_ms.unwrap_or(base);
        if iv == 0 || iv % base != 0 {
            return Err(StatsError::BadInterval {
                requested_ms: iv,
                base_ms: base,
            });
        }
        let k = iv / base;
        // The intervals kept once the statistics reach `now_ms`.
        let newest = self
            .newest
            .unwrap_or(0)
            .max(q.now_ms.saturating_sub(1) / base);
        let floor = newest.saturating_sub(self.cfg.max_intervals as u64 - 1);
        let want_queue = |name: &str| q.queue.as_deref().is_none_or(|w| w == name);
        let want_agent = |a: u32| q.agent.is_none_or(|w| w == a);
        let mut out: BTreeMap<u64, Bucket> = BTreeMap::new();
        for (idx, b) in self.buckets.range(floor..) {
            let o = out.entry(idx / k).or_default();
            for (name, c) in b.queues.iter().filter(|(n, _)| want_queue(n)) {
                o.queues.entry(name.clone()).or_default().add(c);
            }
            for (a, c) in b.agents.iter().filter(|(a, _)| want_agent(**a)) {
                o.agents.entry(*a).or_default().add(c);
            }
        }
        // The states the agents are in now, and wrap-ups under way.
        for (agent, t) in &self.agents {
            let now = q.now_ms.max(t.since_ms);
            if want_agent(*agent) && t.state != AgentState::LoggedOut {
                for (idx, ms) in segments(t.since_ms, now, base, floor) {
                    let o = out.entry(idx / k).or_default();
                    o.agents.entry(*agent).or_default().add_state(t.state, ms);
                }
            }
            if let (AgentState::WrapUp { .. }, Some((name, idx))) = (t.state, &t.wrap_for) {
                if *idx >= floor && want_queue(name) && now > t.since_ms {
                    let o = out.entry(idx / k).or_default();
                    o.queues.entry(name.clone()).or_default().wrap_ms += now - t.since_ms;
                }
            }
        }
        let mut queues = Vec::new();
        let mut agents = Vec::new();
        for (oidx, b) in &out {
            let start = oidx.saturating_mul(iv);
            for (name, c) in &b.queues {
                let sl = self.service_level_ms(name);
                queues.push(QueueInterval::new(name, start, iv, sl, c));
            }
            for (a, c) in &b.agents {
                agents.push(AgentInterval::new(*a, start, iv, c));
            }
        }
        queues.sort_by(|a, b| (&a.queue, a.start_ms).cmp(&(&b.queue, b.start_ms)));
        agents.sort_by_key(|a| (a.agent, a.start_ms));
        Ok(Report {
            interval_ms: iv,
            now_ms: q.now_ms,
            queues,
            agents,
        })
    }

    /// Totals since start, the calls queued now and the agents by state.
    pub fn live(&self, now_ms: u64) -> Live {
        let t = &self.totals;
        let mut agents = BTreeMap::new();
        for a in self.agents.values() {
            if a.state != AgentState::LoggedOut {
                *agents.entry(a.state.name().to_string()).or_insert(0) += 1;
            }
        }
        Live {
            now_ms,
            in_queue: self.waiting.len() as u64,
            longest_waiting_ms: self
                .waiting
                .values()
                .map(|c| now_ms.saturating_sub(c.queued_ms))
                .max()
                .unwrap_or(0),
            offered: t.offered,
            answered: t.answered,
            abandoned: t.abandoned,
            abandoned_short: t.abandoned_short,
            overflowed: t.overflowed,
            sl_pct: sl_pct(t.answered_in_sl, t.answered, t.abandoned, t.abandoned_short),
            asa_ms: avg(t.answered_wait_ms, t.answered),
            agents,
        }
    }
}
