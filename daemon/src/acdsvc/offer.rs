//! The agent's side of a queued call: ringing the agent's phone, the
//! answer (bridge, recording, screen-pop), ring-no-answer, a busy or
//! failing phone, and the end of the call.

use serde_json::{json, Value};
use trunkd::acd::{AcdEvent, AgentId, AgentState, Assignment, CallId, MissReason, REASON_RONA};

use super::model::{Leg, Phase, Timer};
use super::service::{Service, INTERNAL};
use super::{REASON_BUSY, REASON_FAILED};
use crate::api::commands::ApiError;
use crate::config_acd::RecordPolicy;

impl Service {
    /// Dial an agent's endpoint for `caller` (the caller's number is the
    /// calling number); the leg is returned.
    pub(super) fn dial_agent(&mut self, agent: u32, from: &str) -> Result<u64, ApiError> {
        let ep = self
            .agents
            .get(&agent)
            .map(|a| a.endpoint.clone())
            .ok_or_else(|| ApiError::new("not_found", format!("no agent {agent}")))?;
        let mut req = json!({"cmd": "dial", "trunk_group": ep.trunk_group, "number": ep.number});
        if !from.is_empty() {
            req["from"] = json!(from);
        }
        let r = self.exec(req)?;
        let leg = r["call"].as_u64().unwrap_or(0);
        crate::registry::lock(&self.reg.owners).insert(leg, "acd".into());
        self.reg.cdr_note(leg, |x| x.owner = Some("acd".into()));
        Ok(leg)
    }

    /// The core assigned a waiting call to an agent: ring the agent.
    pub(super) fn offer(&mut self, a: Assignment, now: u64) {
        let call = a.call.0;
        let agent = a.agent.0;
        let Some(c) = self.callers.get(&call) else {
            // Cannot happen: every call in the core is a caller here.
            let _ = self.core.release(a.call, now);
            return;
        };
        let (ani, queue) = (c.ani.clone(), c.queue.clone());
        self.ring(call, agent, &queue, &ani, now);
    }

    /// Ring agent `agent` (already `Ringing` in the core) for `call`.
    pub(super) fn ring(&mut self, call: u64, agent: u32, queue: &str, ani: &str, now: u64) {
        match self.dial_agent(agent, ani) {
            Ok(leg) => {
                self.legs.insert(
                    leg,
                    Leg::Offer {
                        caller: call,
                        agent,
                    },
                );
                if let Some(c) = self.callers.get_mut(&call) {
                    c.phase = Phase::Ringing { agent, leg };
                }
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.leg = Some(leg);
                    a.caller = Some(call);
                }
                let ring_ms = self.queue(queue).map_or(15_000, |q| q.def.ring_timeout_ms);
                self.add_timer(now + ring_ms, Timer::Ring(leg));
                self.emit(AcdEvent::Offered {
                    call,
                    queue: queue.to_owned(),
                    agent,
                    at_ms: now,
                });
                self.screen_pop(call, agent, leg);
            }
            Err(e) => {
                log::warn!("agent {agent}: endpoint not dialled: {}", e.message);
                self.missed(call, agent, MissReason::Failed, now);
            }
        }
    }

    /// The screen-pop for the agent's client: who calls, what the IVR
    /// learnt, and the caller's previous calls.
    fn screen_pop(&mut self, call: u64, agent: u32, leg: u64) {
        let Some(c) = self.callers.get(&call) else {
            return;
        };
        let history = self.caller_history(&c.ani);
        self.reg.bus.publish(json!({
            "event": "acd_screen_pop", "agent": agent, "call": call, "agent_call": leg,
            "ani": c.ani, "dnis": c.dnis, "queue": c.queue, "trunk_group": c.trunk_group,
            "vars": c.vars, "history": history,
        }));
    }

    /// An offer ended without an answer: the agent is made not ready (ring-no-answer) or
    /// skipped for a while (busy, failed); the call goes back to its place.
    pub(super) fn missed(&mut self, call: u64, agent: u32, why: MissReason, now: u64) {
        let reason = match why {
            MissReason::RingNoAnswer => REASON_RONA,
            MissReason::Busy => REASON_BUSY,
            MissReason::Failed => REASON_FAILED,
        };
        let _ = self.core.return_offer(AgentId(agent), reason, now);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.leg = None;
            a.caller = None;
            a.missed += 1;
        }
        if why != MissReason::RingNoAnswer {
            self.add_timer(now + self.skip_ms, Timer::Skip(agent));
        }
        let mut queue = String::new();
        if let Some(c) = self.callers.get_mut(&call) {
            c.phase = Phase::Waiting;
            queue = c.queue.clone();
        }
        self.emit(AcdEvent::Missed {
            call,
            queue,
            agent,
            reason: why,
            at_ms: now,
        });
        if why != MissReason::RingNoAnswer {
            log::warn!("agent {agent}: endpoint {}, skipped", why.name());
        }
    }

    /// A skipped agent's time is up: ready again (if still skipped).
    pub(super) fn skip_over(&mut self, agent: u32) {
        let now = self.now();
        if let Some(a) = self.core.agent(AgentId(agent)) {
            if matches!(a.state, AgentState::NotReady { reason } if reason == REASON_BUSY || reason == REASON_FAILED)
            {
                let _ = self.core.set_ready(AgentId(agent), now);
            }
        }
    }

    /// Ring-no-answer timer of an offer.
    pub(super) fn ring_timeout(&mut self, leg: u64) {
        let now = self.now();
        match self.legs.get(&leg).copied() {
            Some(Leg::Offer { caller, agent }) => {
                self.legs.remove(&leg);
                self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
                self.missed(caller, agent, MissReason::RingNoAnswer, now);
            }
            Some(
                Leg::Consult {
                    answered: false, ..
                }
                | Leg::Internal {
                    answered: false, ..
                },
            ) => {
                // Cleared like any other end of the leg (leg_cleared).
                self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
            }
            _ => {}
        }
    }

    /// A call the ACD placed was answered.
    pub(super) fn leg_answered(&mut self, leg: u64, what: Leg) {
        let now = self.now();
        match what {
            Leg::Offer { caller, agent } => self.agent_answered(caller, agent, leg, now),
            Leg::Forward { caller } => {
                if let Some(c) = self.callers.get_mut(&caller) {
                    c.phase = Phase::Forwarded {
                        leg,
                        answered: true,
                    };
                }
                self.exec_quiet(json!({"cmd": "tone_stop", "call": caller}));
                self.exec_quiet(json!({"cmd": "bridge", "call": caller, "with": {"call": leg}}));
            }
            Leg::Consult { agent, target, .. } => {
                self.legs.insert(
                    leg,
                    Leg::Consult {
                        agent,
                        target,
                        answered: true,
                    },
                );
                if let Some(b) = target {
                    let _ = self.core.answer(AgentId(b), now);
                    if let Some(rt) = self.agents.get_mut(&b) {
                        rt.talk_since = now;
                    }
                }
                if let Some(own) = self.agents.get(&agent).and_then(|a| a.leg) {
                    self.exec_quiet(json!({"cmd": "bridge", "call": own, "with": {"call": leg}}));
                }
            }
            Leg::Internal { agent, peer, .. } => {
                self.legs.insert(
                    leg,
                    Leg::Internal {
                        agent,
                        peer,
                        answered: true,
                    },
                );
                let _ = self.core.answer(AgentId(agent), now);
                if let Some(rt) = self.agents.get_mut(&agent) {
                    rt.talk_since = now;
                }
                if matches!(
                    self.legs.get(&peer),
                    Some(Leg::Internal { answered: true, .. })
                ) {
                    self.exec_quiet(json!({"cmd": "bridge", "call": leg, "with": {"call": peer}}));
                }
            }
            Leg::Supervisor { agent, mode } => {
                let target = self.agents.get(&agent).and_then(|a| a.leg);
                match target {
                    Some(t) => self.exec_quiet(json!({"cmd": "monitor", "call": leg,
                        "target": {"call": t}, "mode": mode})),
                    None => self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16})),
                }
            }
            Leg::Agent { .. } => {}
        }
    }

    /// The agent answered a queued call: connect, record, account.
    fn agent_answered(&mut self, caller: u64, agent: u32, leg: u64, now: u64) {
        if self.core.answer(AgentId(agent), now).is_err() {
            self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
            return;
        }
        self.legs.insert(leg, Leg::Agent { caller, agent });
        self.stop_media(caller);
        let Some(c) = self.callers.get_mut(&caller) else {
            return;
        };
        c.phase = Phase::Connected { agent, leg };
        let (queue, wait, tg) = (
            c.queue.clone(),
            now.saturating_sub(c.queued_at),
            c.trunk_group.clone(),
        );
        if let Some(a) = self.agents.get_mut(&agent) {
            a.talk_since = now;
            a.held_ms = 0;
            a.hold_since = None;
            a.answered += 1;
        }
        self.exec_quiet(json!({"cmd": "bridge", "call": caller, "with": {"call": leg}}));
        let q = queue.clone();
        self.reg.cdr_note(caller, |x| {
            x.queue = Some(q);
            x.agent = Some(agent);
            x.queue_wait_ms = Some(wait);
            x.abandoned = false;
            x.linked_call = Some(leg);
        });
        self.reg.cdr_note(leg, |x| {
            x.agent = Some(agent);
            x.linked_call = Some(caller);
        });
        self.emit(AcdEvent::Answered {
            call: caller,
            queue: queue.clone(),
            agent,
            wait_ms: wait,
            at_ms: now,
        });
        match self.record_policy(agent, &queue, &tg) {
            RecordPolicy::Always => {
                if let Err(e) = self.start_recording(caller) {
                    log::warn!("call {caller}: recording not started: {}", e.message);
                }
            }
            RecordPolicy::Never => {
                let why = format!("the recording policy of queue {queue} / agent {agent} is never");
                crate::registry::lock(&self.reg.no_record).insert(caller, why);
            }
            RecordPolicy::OnDemand => {}
        }
    }

    /// The recording policy of a call: the agent's, else the queue's, else
    /// the trunk group's, else on demand.
    pub(super) fn record_policy(&self, agent: u32, queue: &str, tg: &str) -> RecordPolicy {
        self.agents
            .get(&agent)
            .and_then(|a| a.record)
            .or_else(|| self.queue(queue).and_then(|q| q.def.record))
            .or_else(|| {
                self.reg
                    .config()
                    .trunk_groups
                    .get(tg)
                    .and_then(|t| t.record)
            })
            .unwrap_or(RecordPolicy::OnDemand)
    }

    /// Record a caller's channel, both directions mixed (`record_call`).
    pub(super) fn start_recording(&mut self, caller: u64) -> Result<Value, ApiError> {
        let mut req = serde_json::Map::new();
        req.insert("call".into(), json!(caller));
        req.insert("action".into(), json!("start"));
        let r = crate::api::record_commands::record_call(&self.reg, &req)?;
        if let (Some(id), Some(c)) = (r["media_id"].as_u64(), self.callers.get_mut(&caller)) {
            c.recording = Some(id);
            self.by_media.insert(id, caller);
        }
        Ok(r)
    }

    /// A call the ACD placed ended.
    pub(super) fn leg_cleared(&mut self, leg: u64, what: Leg, cause: u8) {
        let now = self.now();
        match what {
            Leg::Offer { caller, agent } => {
                let why = match cause {
                    17 => MissReason::Busy,
                    18 | 19 => MissReason::RingNoAnswer,
                    _ => MissReason::Failed,
                };
                self.missed(caller, agent, why, now);
            }
            Leg::Agent { caller, agent } => {
                let in_conf = self.callers.get(&caller).and_then(|c| c.conference);
                self.agent_released(agent, caller, now);
                match in_conf {
                    Some(_) => self.conference_agent_left(caller, agent),
                    None => {
                        self.callers.remove(&caller);
                        self.exec_quiet(json!({"cmd": "hangup", "call": caller, "cause": 16}));
                    }
                }
            }
            Leg::Forward { caller } => {
                if self.callers.remove(&caller).is_some() {
                    let c = if cause == 16 { 16 } else { cause };
                    self.exec_quiet(json!({"cmd": "hangup", "call": caller, "cause": c}));
                }
            }
            Leg::Consult { agent, target, .. } => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    if a.consult == Some(leg) {
                        a.consult = None;
                    }
                }
                if let Some(b) = target {
                    self.internal_released(b, leg, now);
                }
                self.reg.bus.publish(
                    json!({"event": "acd_consult_ended", "agent": agent, "consult_call": leg}),
                );
            }
            Leg::Internal { agent, peer, .. } => {
                self.internal_released(agent, leg, now);
                if self.legs.contains_key(&peer) {
                    self.exec_quiet(json!({"cmd": "hangup", "call": peer, "cause": 16}));
                }
            }
            Leg::Supervisor { .. } => {}
        }
    }

    /// An agent's part in a queued call ended: wrap-up, and the call's figures.
    pub(super) fn agent_released(&mut self, agent: u32, caller: u64, now: u64) {
        let Some(a) = self.agents.get_mut(&agent) else {
            return;
        };
        let held = a.held_ms + a.hold_since.take().map_or(0, |h| now.saturating_sub(h));
        let talk = now.saturating_sub(a.talk_since).saturating_sub(held);
        a.leg = None;
        a.caller = None;
        a.held_ms = 0;
        let core_call = self.core.agent(AgentId(agent)).and_then(|x| x.state.call());
        if let Some(cc) = core_call {
            let _ = self.core.release(cc, now);
        }
        let queue = self.callers.get(&caller).map(|c| (c.queue.clone(), c.qid));
        if let Some(c) = self.callers.get_mut(&caller) {
            c.in_core = false;
        }
        if let Some((queue, qid)) = queue.filter(|(_, q)| *q != INTERNAL) {
            if let Some(q) = self.queues.get_mut(qid.0 as usize) {
                // Running mean of handle time (talk + hold; wrap-up added by the queue's setting).
                q.handled += 1;
                let h = talk + held + q.def.wrap_up_ms;
                q.aht_ms = if q.handled == 1 {
                    h
                } else {
                    (q.aht_ms * 7 + h) / 8
                };
            }
            self.emit(AcdEvent::Released {
                call: caller,
                queue,
                agent,
                talk_ms: talk,
                hold_ms: held,
                at_ms: now,
            });
        }
        if self.agents.get(&agent).is_some_and(|a| a.logout_after_call) {
            // In wrap-up now: logging out is allowed.
            if self.logout(agent, now).is_ok() {
                log::info!("agent {agent}: logged out after the call, its client went away");
            }
        }
    }

    /// An agent's internal or consultation call ended.
    pub(super) fn internal_released(&mut self, agent: u32, leg: u64, now: u64) {
        if self.core.agent(AgentId(agent)).and_then(|a| a.state.call()) == Some(CallId(leg)) {
            let _ = self.core.release(CallId(leg), now);
        }
        if let Some(a) = self.agents.get_mut(&agent) {
            if a.leg == Some(leg) {
                a.leg = None;
            }
        }
    }
}
