//! Agent requests that involve a second party: consultation, attended and
//! blind transfers, the three-party conference and agent-to-agent calls.

use serde_json::{json, Map, Value};
use trunkd::acd::{AgentId, AgentState, CallId};

use super::agent_ops::{state_err, INTERNAL_RING_MS};
use super::bad;
use super::model::{Leg, Phase, Timer};
use super::service::{Service, INTERNAL};
use crate::api::commands::ApiError;
use crate::config_acd::Target;

impl Service {
    pub(super) fn consult(
        &mut self,
        agent: u32,
        req: &Map<String, Value>,
        now: u64,
    ) -> Result<Value, ApiError> {
        let (caller, _) = self.connected(agent)?;
        if self.agents.get(&agent).is_some_and(|a| a.consult.is_some()) {
            return Err(ApiError::new(
                "invalid_state",
                "a consultation is already up",
            ));
        }
        let t = self.target(req, agent)?;
        let (ep, target) = match &t {
            Target::Agent(b) => (self.agents.get(b).map(|x| x.endpoint.clone()), Some(*b)),
            Target::Number(ep) => (Some(ep.clone()), None),
            _ => {
                return Err(bad(
                    "to",
                    "a consultation is with agent:N or number:TG/NUMBER",
                ))
            }
        };
        let ep = ep.ok_or_else(|| ApiError::new("not_found", "no endpoint"))?;
        if matches!(
            self.core.agent(AgentId(agent)).map(|a| a.state),
            Some(AgentState::Talking { .. })
        ) {
            self.hold(agent, now)?;
        }
        let own = self
            .agents
            .get(&agent)
            .map(|a| a.endpoint.number.clone())
            .unwrap_or_default();
        let r = self.exec(json!({"cmd": "dial", "trunk_group": ep.trunk_group,
            "number": ep.number, "from": own}));
        let leg = match r {
            Ok(r) => r["call"].as_u64().unwrap_or(0),
            Err(e) => {
                let _ = self.retrieve(agent, now);
                return Err(e);
            }
        };
        if let Some(b) = target {
            if let Err(e) = self
                .core
                .offer_to(CallId(leg), INTERNAL, &own, AgentId(b), now)
            {
                self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
                let _ = self.retrieve(agent, now);
                return Err(state_err(e));
            }
            if let Some(x) = self.agents.get_mut(&b) {
                x.leg = Some(leg);
            }
        }
        self.legs.insert(
            leg,
            Leg::Consult {
                agent,
                target,
                answered: false,
            },
        );
        self.add_timer(now + INTERNAL_RING_MS, Timer::Ring(leg));
        if let Some(a) = self.agents.get_mut(&agent) {
            a.consult = Some(leg);
        }
        let _ = caller;
        Ok(json!({"agent": agent, "consult_call": leg, "to": t.label()}))
    }

    pub(super) fn consult_retrieve(&mut self, agent: u32, now: u64) -> Result<(), ApiError> {
        let (caller, leg) = self.connected(agent)?;
        let consult = self
            .agents
            .get(&agent)
            .and_then(|a| a.consult)
            .ok_or_else(|| ApiError::new("invalid_state", "no consultation is up"))?;
        self.drop_leg(consult);
        self.core.retrieve(AgentId(agent), now).map_err(state_err)?;
        self.reconnect(agent, caller, leg, now);
        Ok(())
    }

    /// The agent leaves its caller (transfers): its phone is hung up and
    /// wrap-up starts, the caller stays.
    fn detach(&mut self, agent: u32, caller: u64, leg: u64, now: u64) {
        self.legs.remove(&leg);
        self.agent_released(agent, caller, now);
        self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
    }

    pub(super) fn transfer(
        &mut self,
        agent: u32,
        req: &Map<String, Value>,
        now: u64,
    ) -> Result<Value, ApiError> {
        let (caller, leg) = self.connected(agent)?;
        let mode = req.get("mode").and_then(Value::as_str).unwrap_or("blind");
        let consult = self.agents.get(&agent).and_then(|a| a.consult);
        match mode {
            "attended" => {
                let c = consult.ok_or_else(|| {
                    ApiError::new(
                        "invalid_state",
                        "an attended transfer needs a consultation call",
                    )
                })?;
                let Some(Leg::Consult {
                    target,
                    answered: true,
                    ..
                }) = self.legs.get(&c).copied()
                else {
                    return Err(ApiError::new(
                        "invalid_state",
                        "the consultation call is not answered yet",
                    ));
                };
                self.detach(agent, caller, leg, now);
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.consult = None;
                }
                self.hand_over(caller, c, target, now);
                self.reg
                    .cdr_note(caller, |x| x.transferred_to = Some(format!("attended:{c}")));
                Ok(json!({"agent": agent, "call": caller, "to": c, "mode": "attended"}))
            }
            "blind" => {
                let t = self.target(req, agent)?;
                if let Some(c) = consult {
                    self.drop_leg(c);
                }
                self.detach(agent, caller, leg, now);
                let label = t.label();
                self.reg
                    .cdr_note(caller, |x| x.transferred_to = Some(label.clone()));
                if let Some(c) = self.callers.get_mut(&caller) {
                    c.phase = Phase::Waiting;
                }
                self.route(caller, &t);
                Ok(json!({"agent": agent, "call": caller, "to": label, "mode": "blind"}))
            }
            other => Err(bad("mode", format!("`{other}`: blind or attended"))),
        }
    }

    /// The caller is connected to a consultation leg (attended transfer,
    /// or the consulting agent left a conference).
    fn hand_over(&mut self, caller: u64, c: u64, target: Option<u32>, now: u64) {
        self.stop_media(caller);
        self.exec_quiet(json!({"cmd": "unbridge", "call": c}));
        match target {
            Some(b) => {
                self.legs.insert(c, Leg::Agent { caller, agent: b });
                if let Some(x) = self.agents.get_mut(&b) {
                    x.leg = Some(c);
                    x.caller = Some(caller);
                    x.talk_since = now;
                    x.held_ms = 0;
                }
                if let Some(cl) = self.callers.get_mut(&caller) {
                    cl.phase = Phase::Connected { agent: b, leg: c };
                }
            }
            None => {
                self.legs.insert(c, Leg::Forward { caller });
                if let Some(cl) = self.callers.get_mut(&caller) {
                    cl.phase = Phase::Forwarded {
                        leg: c,
                        answered: true,
                    };
                }
            }
        }
        if self
            .callers
            .get(&caller)
            .is_some_and(|x| x.conference.is_none())
        {
            self.exec_quiet(json!({"cmd": "bridge", "call": caller, "with": {"call": c}}));
        }
    }

    /// A blind transfer to an agent: ring the agent with the caller.
    pub(super) fn transfer_to_agent(&mut self, caller: u64, b: u32) {
        let now = self.now();
        let Some(c) = self.callers.get(&caller).cloned() else {
            return;
        };
        match self
            .core
            .offer_to(CallId(caller), c.qid, &c.ani, AgentId(b), now)
        {
            Ok(()) => {
                if let Some(x) = self.callers.get_mut(&caller) {
                    x.in_core = true;
                    x.queued_at = now;
                }
                // A transferred call is offered to its queue again (statistics count it so).
                self.emit(trunkd::acd::AcdEvent::Queued {
                    call: caller,
                    queue: c.queue.clone(),
                    priority: u8::MAX,
                    at_ms: now,
                });
                self.music(caller);
                self.ring(caller, b, &c.queue, &c.ani, now);
            }
            Err(e) => {
                log::warn!("call {caller}: transfer to agent {b}: {e}");
                self.exec_quiet(json!({"cmd": "hangup", "call": caller, "cause": 41}));
            }
        }
    }

    pub(super) fn conference(&mut self, agent: u32, now: u64) -> Result<Value, ApiError> {
        let (caller, leg) = self.connected(agent)?;
        let c = self
            .agents
            .get(&agent)
            .and_then(|a| a.consult)
            .ok_or_else(|| {
                ApiError::new("invalid_state", "a conference needs a consultation call")
            })?;
        if !matches!(self.legs.get(&c), Some(Leg::Consult { answered: true, .. })) {
            return Err(ApiError::new(
                "invalid_state",
                "the consultation call is not answered yet",
            ));
        }
        self.core.retrieve(AgentId(agent), now).map_err(state_err)?;
        if let Some(a) = self.agents.get_mut(&agent) {
            a.held_ms += a.hold_since.take().map_or(0, |h| now.saturating_sub(h));
        }
        self.stop_media(caller);
        self.exec_quiet(json!({"cmd": "unbridge", "call": leg}));
        let name = format!("acd-{caller}");
        for call in [caller, leg, c] {
            self.exec(json!({"cmd": "conference_join", "conference": name, "call": call}))?;
        }
        if let Some(x) = self.callers.get_mut(&caller) {
            x.conference = Some(c);
        }
        Ok(json!({"agent": agent, "conference": name, "parties": [caller, leg, c]}))
    }

    /// The consulting agent left a three-party conference: the third party
    /// stays with the caller.
    pub(super) fn conference_agent_left(&mut self, caller: u64, agent: u32) {
        let now = self.now();
        let third = self
            .callers
            .get_mut(&caller)
            .and_then(|x| x.conference.take());
        if let Some(a) = self.agents.get_mut(&agent) {
            a.consult = None;
        }
        match third.and_then(|t| self.legs.get(&t).copied().map(|l| (t, l))) {
            Some((t, Leg::Consult { target, .. })) => self.hand_over(caller, t, target, now),
            _ => {
                self.callers.remove(&caller);
                self.exec_quiet(json!({"cmd": "hangup", "call": caller, "cause": 16}));
            }
        }
    }

    pub(super) fn internal_call(
        &mut self,
        agent: u32,
        req: &Map<String, Value>,
        now: u64,
    ) -> Result<Value, ApiError> {
        let t = self.target(req, agent)?;
        let Target::Agent(b) = t else {
            return Err(bad("to", "an internal call is to agent:N"));
        };
        let st = self.core.agent(AgentId(agent)).map(|a| a.state);
        if !matches!(st, Some(AgentState::Ready | AgentState::NotReady { .. })) {
            return Err(ApiError::new(
                "invalid_state",
                format!(
                    "agent {agent} is {}, not free to call",
                    st.map_or("unknown", |s| s.name())
                ),
            ));
        }
        let (own, other) = match (self.agents.get(&agent), self.agents.get(&b)) {
            (Some(x), Some(y)) => (x.endpoint.number.clone(), y.endpoint.number.clone()),
            _ => return Err(ApiError::new("not_found", "no such agent")),
        };
        let leg_a = self.dial_agent(agent, &other)?;
        let leg_b = match self.dial_agent(b, &own) {
            Ok(l) => l,
            Err(e) => {
                self.exec_quiet(json!({"cmd": "hangup", "call": leg_a, "cause": 16}));
                return Err(e);
            }
        };
        if matches!(st, Some(AgentState::NotReady { .. })) {
            let _ = self.core.set_ready(AgentId(agent), now);
        }
        let _ = self
            .core
            .offer_to(CallId(leg_a), INTERNAL, &own, AgentId(agent), now);
        let _ = self
            .core
            .offer_to(CallId(leg_b), INTERNAL, &own, AgentId(b), now);
        self.legs.insert(
            leg_a,
            Leg::Internal {
                agent,
                peer: leg_b,
                answered: false,
            },
        );
        self.legs.insert(
            leg_b,
            Leg::Internal {
                agent: b,
                peer: leg_a,
                answered: false,
            },
        );
        for (x, l) in [(agent, leg_a), (b, leg_b)] {
            if let Some(rt) = self.agents.get_mut(&x) {
                rt.leg = Some(l);
            }
            self.add_timer(now + INTERNAL_RING_MS, Timer::Ring(l));
        }
        Ok(json!({"agent": agent, "to": b, "calls": [leg_a, leg_b]}))
    }
}
