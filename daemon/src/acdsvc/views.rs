//! What the ACD shows: queues, agents, statistics, and its events as JSON.

use serde_json::{json, Map, Value};
use trunkd::acd::{AcdEvent, AgentId, AgentState};

use super::model::Phase;
use super::service::Service;
use super::{bad, obj, reason_name};
use crate::api::commands::ApiError;
use crate::config_acd::strategy_name;

/// An event as published on the bus.
pub(super) fn event_json(ev: &AcdEvent, svc: &Service) -> Value {
    match ev {
        AcdEvent::Queued {
            call,
            queue,
            priority,
            ..
        } => {
            let position = svc.core.position(trunkd::acd::CallId(*call));
            json!({"event": "acd_queued", "call": call, "queue": queue, "priority": priority,
                "position": position})
        }
        AcdEvent::Offered {
            call, queue, agent, ..
        } => {
            let leg = svc.agents.get(agent).and_then(|a| a.leg);
            json!({"event": "acd_offered", "call": call, "queue": queue, "agent": agent,
                "agent_call": leg})
        }
        AcdEvent::Answered {
            call,
            queue,
            agent,
            wait_ms,
            ..
        } => json!({"event": "acd_answered",
            "call": call, "queue": queue, "agent": agent, "wait_ms": wait_ms}),
        AcdEvent::Missed {
            call,
            queue,
            agent,
            reason,
            ..
        } => json!({"event": "acd_missed",
            "call": call, "queue": queue, "agent": agent, "reason": reason.name()}),
        AcdEvent::Abandoned {
            call,
            queue,
            wait_ms,
            ..
        } => json!({"event": "acd_abandoned",
            "call": call, "queue": queue, "wait_ms": wait_ms}),
        AcdEvent::Overflowed {
            call,
            queue,
            reason,
            to,
            wait_ms,
            ..
        } => json!({
            "event": "acd_overflowed", "call": call, "queue": queue, "reason": reason.name(),
            "to": to, "wait_ms": wait_ms}),
        AcdEvent::Released {
            call,
            queue,
            agent,
            talk_ms,
            hold_ms,
            ..
        } => json!({
            "event": "acd_released", "call": call, "queue": queue, "agent": agent,
            "talk_ms": talk_ms, "hold_ms": hold_ms}),
        AcdEvent::AgentState { agent, state, .. } => {
            let mut v = json!({"event": "agent_state", "agent": agent, "state": state.name()});
            if let AgentState::NotReady { reason } = state {
                v["reason"] = json!(reason);
                v["reason_name"] = reason_name(*reason);
            }
            if let Some(c) = state.call() {
                v["call"] = json!(c.0);
            }
            v
        }
    }
}

impl Service {
    /// `acd_queues`.
    pub(super) fn queues_view(&self) -> Value {
        let now = self.now();
        let queues: Vec<Value> = self
            .queues
            .iter()
            .map(|q| {
                let waiting = self.core.waiting(q.id).unwrap_or_default();
                let longest = waiting
                    .iter()
                    .filter_map(|c| self.callers.get(&c.0))
                    .map(|c| now.saturating_sub(c.queued_at))
                    .max()
                    .unwrap_or(0);
                let (mut ready, mut busy, mut logged) = (0, 0, 0);
                for a in self.agents.values().filter(|a| a.skills.contains_key(&q.def.skill)) {
                    match self.core.agent(AgentId(a.id)).map(|x| x.state) {
                        None | Some(AgentState::LoggedOut) => continue,
                        Some(AgentState::Ready) => ready += 1,
                        Some(s) if s.call().is_some() || matches!(s, AgentState::WrapUp { .. }) => busy += 1,
                        _ => {}
                    }
                    logged += 1;
                }
                json!({"name": q.def.name, "skill": q.def.skill, "strategy": strategy_name(q.def.strategy),
                    "waiting": waiting.len(), "longest_wait_ms": longest,
                    "agents_logged_in": logged, "agents_ready": ready, "agents_busy": busy,
                    "aht_ms": q.aht_ms})
            })
            .collect();
        json!({"queues": queues})
    }

    /// One agent as `acd_agents` and agent requests show it.
    pub(super) fn agent_json(&self, agent: u32) -> Value {
        let Some(a) = self.agents.get(&agent) else {
            return json!({"agent": agent});
        };
        let state = self
            .core
            .agent(AgentId(agent))
            .map_or(AgentState::LoggedOut, |x| x.state);
        let reason = match state {
            AgentState::NotReady { reason } => json!(reason),
            _ => Value::Null,
        };
        let reason_name = match state {
            AgentState::NotReady { reason } => reason_name(reason),
            _ => Value::Null,
        };
        obj(&[
            ("agent", json!(agent)),
            ("name", json!(a.name)),
            ("endpoint", json!(a.endpoint.label())),
            ("state", json!(state.name())),
            ("reason", reason),
            ("reason_name", reason_name),
            ("since_ms", json!(a.since_ms)),
            ("call", json!(a.caller)),
            ("agent_call", json!(a.leg)),
            ("consult_call", json!(a.consult)),
            ("skills", json!(a.skills)),
            ("answered", json!(a.answered)),
            ("missed", json!(a.missed)),
            ("client", json!(a.client)),
        ])
    }

    /// `acd_agents`.
    pub(super) fn agents_view(&self) -> Value {
        let mut ids: Vec<u32> = self.agents.keys().copied().collect();
        ids.sort_unstable();
        json!({"agents": ids.iter().map(|a| self.agent_json(*a)).collect::<Vec<_>>()})
    }

    /// `acd_stats`.
    pub(super) fn stats_view(&self, req: &Map<String, Value>) -> Result<Value, ApiError> {
        let interval_ms = match req.get("interval_min") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .filter(|m| (1..=1440).contains(m))
                    .ok_or_else(|| bad("interval_min", "1-1440 minutes"))?
                    * 60_000,
            ),
        };
        let queue = match req.get("queue") {
            None => None,
            Some(Value::String(q)) if self.queue(q).is_some() => Some(q.clone()),
            Some(_) => return Err(bad("queue", "a configured queue name")),
        };
        let agent = match req.get("agent") {
            None => None,
            Some(_) => Some(super::agent_arg(req)?),
        };
        let q = trunkd::acd::stats::Query {
            interval_ms,
            queue,
            agent,
            now_ms: self.now(),
        };
        let report = self
            .stats
            .report(&q)
            .map_err(|e| bad("interval_min", e.to_string()))?;
        Ok(report.to_json())
    }

    /// A live summary for `status` lines.
    pub(super) fn live_json(&self) -> Value {
        let in_queue = self
            .callers
            .values()
            .filter(|c| {
                matches!(
                    c.phase,
                    Phase::Waiting | Phase::Choosing | Phase::Ringing { .. }
                )
            })
            .count();
        let talking = self
            .callers
            .values()
            .filter(|c| matches!(c.phase, Phase::Connected { .. }))
            .count();
        let now = self.now();
        let mut calls: Vec<Value> = self
            .callers
            .values()
            .map(|c| {
                let phase = match c.phase {
                    Phase::Waiting => "waiting",
                    Phase::Choosing => "choosing",
                    Phase::Ringing { .. } => "ringing",
                    Phase::Connected { .. } => "connected",
                    Phase::Forwarded { .. } => "forwarded",
                };
                json!({"call": c.call, "queue": c.queue, "ani": c.ani, "phase": phase,
                    "priority": c.priority, "waited_ms": now.saturating_sub(c.queued_at)})
            })
            .collect();
        calls.sort_by_key(|c| c["call"].as_u64());
        json!({"in_queue": in_queue, "with_agents": talking, "now_ms": now,
            "stats": serde_json::to_value(self.stats.live(now)).unwrap_or_default(), "calls": calls})
    }

    /// The caller's previous calls for a screen-pop.
    pub(super) fn caller_history(&self, ani: &str) -> Vec<Value> {
        if ani.is_empty() || self.history == 0 {
            return Vec::new();
        }
        crate::cdr::caller_history(&self.reg, ani, self.history)
    }
}
