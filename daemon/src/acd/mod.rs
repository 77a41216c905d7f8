//! ACD core (sans-IO): queues, agents, agent states and distribution
//! strategies. No IO, no threads, no clock: every operation takes the current
//! time as `now` in milliseconds.
//!
//! Data structures are chosen so one [`Acd::next_assignment`] costs
//! O(queues + log(agents) + log(calls)): each queue keeps its waiting calls in
//! a `BTreeSet` keyed (priority descending, arrival, sequence), and each skill
//! keeps its ready agents in one ordered index per strategy (see `pool`).
//! Every operation returning an error changed nothing.

mod events;
mod pool;
mod state;
pub mod stats;
mod types;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rand::SeedableRng;
use rand_pcg::Pcg32;

pub use events::{AcdEvent, MissReason, OverflowReason};
pub use state::AgentState;
pub use types::{
    AcdError, Agent, AgentId, Assignment, CallId, CallStatus, QueueConfig, QueueId, Skill,
    Strategy, REASON_LOGIN, REASON_RONA,
};

use pool::{PoolKey, ReadyPool};

/// Position of a waiting call: (priority descending, arrival ms, sequence, id).
type WaitKey = (Reverse<u8>, u64, u64, CallId);

#[derive(Debug)]
struct Queue {
    cfg: QueueConfig,
    waiting: BTreeSet<WaitKey>,
    rr_last: Option<AgentId>,
}

#[derive(Debug)]
struct Call {
    queue: QueueId,
    ani: String,
    key: WaitKey,
    status: CallStatus,
}

/// The automatic call distributor.
#[derive(Debug)]
pub struct Acd {
    queues: BTreeMap<QueueId, Queue>,
    agents: HashMap<AgentId, Agent>,
    calls: HashMap<CallId, Call>,
    pools: HashMap<Skill, ReadyPool>,
    wrap_ups: BTreeSet<(u64, AgentId)>,
    last_by_ani: HashMap<String, (AgentId, u64)>,
    seq: u64,
    rng: Pcg32,
    /// Agent state changes not yet taken by [`Acd::take_changes`].
    changes: Vec<(AgentId, AgentState, u64)>,
    /// Whether state changes are logged for [`Acd::take_changes`].
    log_changes: bool,
}

fn pool_key(agent: &Agent, level: u8) -> PoolKey {
    PoolKey {
        id: agent.id,
        level,
        idle_since_ms: agent.idle_since_ms,
        talk_ms: agent.talk_ms_total,
        calls: agent.calls_answered,
    }
}

impl Acd {
    /// An empty ACD; `seed` drives the `Random` strategy reproducibly.
    pub fn new(seed: u64) -> Self {
        Acd {
            queues: BTreeMap::new(),
            agents: HashMap::new(),
            calls: HashMap::new(),
            pools: HashMap::new(),
            wrap_ups: BTreeSet::new(),
            last_by_ani: HashMap::new(),
            seq: 0,
            rng: Pcg32::seed_from_u64(seed),
            changes: Vec::new(),
            log_changes: false,
        }
    }

    /// Log every agent state change (with its time) until taken by
    /// [`Acd::take_changes`]: what a service turns into events. Off by default.
    pub fn log_changes(&mut self, on: bool) {
        self.log_changes = on;
        self.changes.clear();
    }

    /// The agent state changes since the last call, in order (see
    /// [`Acd::log_changes`]); `buf` is cleared first.
    pub fn take_changes(&mut self, buf: &mut Vec<(AgentId, AgentState, u64)>) {
        buf.clear();
        std::mem::swap(buf, &mut self.changes);
    }

    /// Adds a queue.
    pub fn add_queue(&mut self, cfg: QueueConfig) -> Result<(), AcdError> {
        if self.queues.contains_key(&cfg.id) {
            return Err(AcdError::DuplicateQueue(cfg.id));
        }
        self.queues.insert(
            cfg.id,
            Queue {
                cfg,
                waiting: BTreeSet::new(),
                rr_last: None,
            },
        );
        Ok(())
    }

    /// Replaces a queue's strategy, fallback, skill and wrap-up (a
    /// configuration reload). Waiting calls keep their places; wrap-ups
    /// already running keep their end.
    pub fn reconfigure_queue(&mut self, cfg: QueueConfig) -> Result<(), AcdError> {
        let q = self
            .queues
            .get_mut(&cfg.id)
            .ok_or(AcdError::UnknownQueue(cfg.id))?;
        if q.cfg.strategy != cfg.strategy {
            q.rr_last = None;
        }
        q.cfg = cfg;
        Ok(())
    }

    /// Logs an agent in (new, logged out, or not ready to change its skills)
    /// with its skills and levels (1..=10); the agent becomes
    /// `NotReady{reason: REASON_LOGIN}`.
    pub fn login(&mut self, id: AgentId, skills: &[(Skill, u8)], now: u64) -> Result<(), AcdError> {
        if let Some(&(skill, level)) = skills.iter().find(|(_, l)| !(1..=10).contains(l)) {
            return Err(AcdError::BadSkillLevel { skill, level });
        }
        let to = AgentState::NotReady {
            reason: REASON_LOGIN,
        };
        let agent = self.agents.entry(id).or_insert_with(|| Agent {
            id,
            skills: BTreeMap::new(),
            state: AgentState::LoggedOut,
            idle_since_ms: now,
            talk_ms_total: 0,
            calls_answered: 0,
            talk_started_ms: 0,
        });
        let from = agent.state;
        if !matches!(from, AgentState::LoggedOut | AgentState::NotReady { .. }) {
            return Err(AcdError::IllegalTransition { from, to });
        }
        // Not ready or logged out: in no ready pool, so skills may change.
        agent.skills = skills.iter().copied().collect();
        self.move_agent(id, to, now)
    }

    /// Logs an agent out (not allowed with a call up).
    pub fn logout(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        self.manual_move(id, AgentState::LoggedOut, now)
    }

    /// Makes an agent ready (from not ready or wrap-up).
    pub fn set_ready(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        self.manual_move(id, AgentState::Ready, now)
    }

    /// Makes an agent not ready with a reason code.
    pub fn set_not_ready(&mut self, id: AgentId, reason: u16, now: u64) -> Result<(), AcdError> {
        self.manual_move(id, AgentState::NotReady { reason }, now)
    }

    /// Ends an agent's wrap-up early: the agent becomes ready.
    pub fn end_wrap_up(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        let from = self.state_of(id)?;
        if !matches!(from, AgentState::WrapUp { .. }) {
            return Err(AcdError::IllegalTransition {
                from,
                to: AgentState::Ready,
            });
        }
        self.move_agent(id, AgentState::Ready, now)
    }

    /// Queues a call from caller `ani` with `priority` (higher is served first).
    pub fn enqueue(
        &mut self,
        call: CallId,
        queue: QueueId,
        ani: &str,
        priority: u8,
        now: u64,
    ) -> Result<(), AcdError> {
        if self.calls.contains_key(&call) {
            return Err(AcdError::DuplicateCall(call));
        }
        let q = self
            .queues
            .get_mut(&queue)
            .ok_or(AcdError::UnknownQueue(queue))?;
        self.seq += 1;
        let key = (Reverse(priority), now, self.seq, call);
        q.waiting.insert(key);
        self.calls.insert(
            call,
            Call {
                queue,
                ani: ani.to_string(),
                key,
                status: CallStatus::Queued { queue },
            },
        );
        Ok(())
    }

    /// Makes agents whose wrap-up ended by `now` ready.
    pub fn tick(&mut self, now: u64) {
        while let Some(&(until, id)) = self.wrap_ups.first() {
            if until > now {
                break;
            }
            // Cannot fail: the agent is in WrapUp, and WrapUp -> Ready is legal.
            if self.move_agent(id, AgentState::Ready, now).is_err() {
                self.wrap_ups.remove(&(until, id));
            }
        }
    }

    /// Picks the best waiting call (highest priority, then earliest arrival)
    /// among queues that have a ready agent with their skill, and an agent by
    /// the queue's strategy; the agent is put `Ringing` and the call leaves
    /// its queue. Expired wrap-ups are ended first.
    pub fn next_assignment(&mut self, now: u64) -> Option<Assignment> {
        self.tick(now);
        let mut best: Option<(WaitKey, QueueId)> = None;
        for (qid, q) in &self.queues {
            let Some(head) = q.waiting.first() else {
                continue;
            };
            if self.pools.get(&q.cfg.skill).is_none_or(|p| p.is_empty()) {
                continue;
            }
            if best.is_none_or(|(k, _)| *head < k) {
                best = Some((*head, *qid));
            }
        }
        let (key, qid) = best?;
        let call = key.3;
        let q = self.queues.get(&qid)?;
        let pool = self.pools.get(&q.cfg.skill)?;
        let mut chosen = None;
        let mut strategy = q.cfg.strategy;
        if let Strategy::Sticky { window_ms } = strategy {
            let ani = &self.calls.get(&call)?.ani;
            if let Some(&(agent, at)) = self.last_by_ani.get(ani) {
                if now.saturating_sub(at) <= window_ms && pool.contains(agent) {
                    chosen = Some(agent);
                }
            }
            strategy = q.cfg.fallback;
        }
        let agent = match chosen {
            Some(a) => a,
            None => pool.pick(strategy, q.rr_last, &mut self.rng)?,
        };
        self.move_agent(agent, AgentState::Ringing { call }, now)
            .ok()?;
        if let Some(q) = self.queues.get_mut(&qid) {
            q.waiting.remove(&key);
            if strategy == Strategy::RoundRobin {
                q.rr_last = Some(agent);
            }
        }
        if let Some(c) = self.calls.get_mut(&call) {
            c.status = CallStatus::Ringing { agent };
        }
        Some(Assignment {
            call,
            agent,
            queue: qid,
        })
    }

    /// The ringing agent answered: `Ringing{c} -> Talking{c}`.
    pub fn answer(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        let from = self.state_of(id)?;
        let AgentState::Ringing { call } = from else {
            return Err(AcdError::IllegalTransition {
                from,
                to: AgentState::Talking {
                    call: CallId(u64::MAX),
                },
            });
        };
        self.move_agent(id, AgentState::Talking { call }, now)?;
        if let Some(a) = self.agents.get_mut(&id) {
            a.talk_started_ms = now;
            a.calls_answered += 1;
        }
        if let Some(c) = self.calls.get_mut(&call) {
            c.status = CallStatus::Answered { agent: id };
            self.last_by_ani.insert(c.ani.clone(), (id, now));
        }
        Ok(())
    }

    /// Ring-no-answer: the agent goes `NotReady{REASON_RONA}` and the call
    /// returns to its queue at its old position.
    pub fn ring_no_answer(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        self.return_offer(id, REASON_RONA, now)
    }

    /// An offer failed (RONA, busy, unreachable endpoint): the agent goes
    /// `NotReady{reason}` and the call returns to its queue at its old
    /// position.
    pub fn return_offer(&mut self, id: AgentId, reason: u16, now: u64) -> Result<(), AcdError> {
        let from = self.state_of(id)?;
        let to = AgentState::NotReady { reason };
        let AgentState::Ringing { call } = from else {
            return Err(AcdError::IllegalTransition { from, to });
        };
        self.move_agent(id, to, now)?;
        if let Some(c) = self.calls.get_mut(&call) {
            c.status = CallStatus::Queued { queue: c.queue };
            if let Some(q) = self.queues.get_mut(&c.queue) {
                q.waiting.insert(c.key);
            }
        }
        Ok(())
    }

    /// Offers a call straight to one ready agent (a transfer or an internal
    /// call), accounted to `queue`: the agent goes `Ringing`. If the offer
    /// fails the call waits in `queue` like any other.
    pub fn offer_to(
        &mut self,
        call: CallId,
        queue: QueueId,
        ani: &str,
        agent: AgentId,
        now: u64,
    ) -> Result<(), AcdError> {
        if self.calls.contains_key(&call) {
            return Err(AcdError::DuplicateCall(call));
        }
        if !self.queues.contains_key(&queue) {
            return Err(AcdError::UnknownQueue(queue));
        }
        self.move_agent(agent, AgentState::Ringing { call }, now)?;
        self.seq += 1;
        self.calls.insert(
            call,
            Call {
                queue,
                ani: ani.to_string(),
                key: (Reverse(u8::MAX), now, self.seq, call),
                status: CallStatus::Ringing { agent },
            },
        );
        Ok(())
    }

    /// Position (1-based) of a waiting call in its queue.
    pub fn position(&self, call: CallId) -> Option<usize> {
        let c = self.calls.get(&call)?;
        let q = self.queues.get(&c.queue)?;
        q.waiting
            .contains(&c.key)
            .then(|| q.waiting.range(..c.key).count() + 1)
    }

    /// Puts the agent's call on hold.
    pub fn hold(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        let from = self.state_of(id)?;
        let call = from.call().unwrap_or(CallId(u64::MAX));
        self.move_agent(id, AgentState::Held { call }, now)
    }

    /// Retrieves the agent's held call.
    pub fn retrieve(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        let from = self.state_of(id)?;
        let call = from.call().unwrap_or(CallId(u64::MAX));
        if !matches!(from, AgentState::Held { .. }) {
            return Err(AcdError::IllegalTransition {
                from,
                to: AgentState::Talking { call },
            });
        }
        self.move_agent(id, AgentState::Talking { call }, now)
    }

    /// The agent hangs up its answered call (talking or held): wrap-up starts.
    pub fn hang_up(&mut self, id: AgentId, now: u64) -> Result<(), AcdError> {
        let from = self.state_of(id)?;
        match from {
            AgentState::Talking { call } | AgentState::Held { call } => self.release(call, now),
            _ => Err(AcdError::IllegalTransition {
                from,
                to: AgentState::WrapUp { until_ms: now },
            }),
        }
    }

    /// The call ends wherever it is: a queued call is abandoned, a ringing
    /// agent becomes ready again, an answering agent goes to wrap-up.
    pub fn release(&mut self, call: CallId, now: u64) -> Result<(), AcdError> {
        let c = self.calls.get(&call).ok_or(AcdError::UnknownCall(call))?;
        let (status, key, queue) = (c.status, c.key, c.queue);
        match status {
            CallStatus::Queued { queue } => {
                if let Some(q) = self.queues.get_mut(&queue) {
                    q.waiting.remove(&key);
                }
            }
            CallStatus::Ringing { agent } => {
                self.move_agent(agent, AgentState::Ready, now)?;
            }
            CallStatus::Answered { agent } => {
                let wrap = self.queues.get(&queue).map_or(0, |q| q.cfg.wrap_up_ms);
                let until_ms = now.saturating_add(wrap);
                self.move_agent(agent, AgentState::WrapUp { until_ms }, now)?;
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.talk_ms_total += now.saturating_sub(a.talk_started_ms);
                }
                if let Some(c) = self.calls.get(&call) {
                    self.last_by_ani.insert(c.ani.clone(), (agent, now));
                }
            }
        }
        self.calls.remove(&call);
        Ok(())
    }

    /// An agent's record.
    pub fn agent(&self, id: AgentId) -> Option<&Agent> {
        self.agents.get(&id)
    }

    /// Where a call is, if the ACD still has it.
    pub fn call_status(&self, call: CallId) -> Option<CallStatus> {
        self.calls.get(&call).map(|c| c.status)
    }

    /// The calls waiting in a queue, best first.
    pub fn waiting(&self, queue: QueueId) -> Result<Vec<CallId>, AcdError> {
        let q = self
            .queues
            .get(&queue)
            .ok_or(AcdError::UnknownQueue(queue))?;
        Ok(q.waiting.iter().map(|k| k.3).collect())
    }

    /// Number of calls waiting in a queue.
    pub fn queue_len(&self, queue: QueueId) -> Result<usize, AcdError> {
        let q = self
            .queues
            .get(&queue)
            .ok_or(AcdError::UnknownQueue(queue))?;
        Ok(q.waiting.len())
    }

    /// A state change the agent asks for itself: never while a call is
    /// offered or up (those leave through answer, RONA, release or hang-up).
    fn manual_move(&mut self, id: AgentId, to: AgentState, now: u64) -> Result<(), AcdError> {
        let from = self.state_of(id)?;
        if from.call().is_some() {
            return Err(AcdError::IllegalTransition { from, to });
        }
        self.move_agent(id, to, now)
    }

    fn state_of(&self, id: AgentId) -> Result<AgentState, AcdError> {
        self.agents
            .get(&id)
            .map(|a| a.state)
            .ok_or(AcdError::UnknownAgent(id))
    }

    /// The one place agent states change: checks the transition and keeps
    /// the ready pools and the wrap-up timer set in step.
    fn move_agent(&mut self, id: AgentId, to: AgentState, now: u64) -> Result<(), AcdError> {
        let agent = self.agents.get_mut(&id).ok_or(AcdError::UnknownAgent(id))?;
        let from = agent.state;
        from.transition(to)?;
        if from == AgentState::Ready {
            for (skill, level) in &agent.skills {
                if let Some(p) = self.pools.get_mut(skill) {
                    p.remove(pool_key(agent, *level));
                }
            }
        }
        if let AgentState::WrapUp { until_ms } = from {
            self.wrap_ups.remove(&(until_ms, id));
        }
        agent.state = to;
        if self.log_changes {
            self.changes.push((id, to, now));
        }
        if to == AgentState::Ready {
            agent.idle_since_ms = now;
            for (skill, level) in &agent.skills {
                self.pools
                    .entry(*skill)
                    .or_default()
                    .insert(pool_key(agent, *level));
            }
        }
        if let AgentState::WrapUp { until_ms } = to {
            self.wrap_ups.insert((until_ms, id));
        }
        Ok(())
    }
}

mod check;
