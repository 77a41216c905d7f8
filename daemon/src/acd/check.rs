//! Consistency check of the ACD's indexes (O(agents + calls); for tests and
//! debugging, never on the hot path).

use super::{Acd, AgentState, CallStatus};

impl Acd {
    /// Checks every invariant of the ACD and describes the first one broken:
    /// a call is either queued (in exactly its queue's waiting set) or
    /// assigned to exactly one agent whose state names it; an agent is on at
    /// most one call; the ready pools hold exactly the ready agents for each
    /// of their skills; the wrap-up timers hold exactly the agents in wrap-up.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut queued = 0usize;
        for (id, c) in &self.calls {
            match c.status {
                CallStatus::Queued { queue } => {
                    queued += 1;
                    let in_q = self
                        .queues
                        .get(&queue)
                        .is_some_and(|q| q.waiting.contains(&c.key));
                    if !in_q || queue != c.queue {
                        return Err(format!("{id:?} queued but not in {queue:?}"));
                    }
                }
                CallStatus::Ringing { agent } | CallStatus::Answered { agent } => {
                    let st = self.agents.get(&agent).map(|a| a.state);
                    if st.and_then(AgentState::call) != Some(*id) {
                        return Err(format!("{id:?} assigned to {agent:?} in {st:?}"));
                    }
                    let ringing = matches!(st, Some(AgentState::Ringing { .. }));
                    if ringing != matches!(c.status, CallStatus::Ringing { .. }) {
                        return Err(format!("{id:?} is {:?}, agent {st:?}", c.status));
                    }
                }
            }
        }
        let waiting: usize = self.queues.values().map(|q| q.waiting.len()).sum();
        if waiting != queued {
            return Err(format!("{waiting} waiting entries, {queued} queued calls"));
        }
        let mut ready_per_skill = std::collections::HashMap::new();
        let mut wrapping = 0usize;
        for a in self.agents.values() {
            if let Some(call) = a.state.call() {
                let back = self.calls.get(&call).map(|c| c.status);
                let ok = matches!(back, Some(CallStatus::Ringing { agent } | CallStatus::Answered { agent }) if agent == a.id);
                if !ok {
                    return Err(format!("{:?} on {call:?} which is {back:?}", a.id));
                }
            }
            if let AgentState::WrapUp { until_ms } = a.state {
                wrapping += 1;
                if !self.wrap_ups.contains(&(until_ms, a.id)) {
                    return Err(format!("{:?} in wrap-up without timer", a.id));
                }
            }
            let ready = a.state == AgentState::Ready;
            for skill in a.skills.keys() {
                let in_pool = self.pools.get(skill).is_some_and(|p| p.contains(a.id));
                if in_pool != ready {
                    return Err(format!(
                        "{:?} ready={ready} in pool {skill:?}={in_pool}",
                        a.id
                    ));
                }
                if ready {
                    *ready_per_skill.entry(*skill).or_insert(0usize) += 1;
                }
            }
        }
        if wrapping != self.wrap_ups.len() {
            return Err(format!(
                "{} wrap-up timers, {wrapping} agents",
                self.wrap_ups.len()
            ));
        }
        for (skill, p) in &self.pools {
            let n = ready_per_skill.get(skill).copied().unwrap_or(0);
            if p.len() != n {
                return Err(format!("pool {skill:?} has {} agents, {n} ready", p.len()));
            }
        }
        Ok(())
    }
}
