//! Agent requests: login and states, hold, consultation, transfers,
//! three-party conference and agent-to-agent calls.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use trunkd::acd::{AgentId, AgentState, CallId, Skill};

use super::model::{AgentRt, Leg, Phase, Timer};
use super::service::{Service, INTERNAL};
use super::{agent_arg, bad};
use crate::api::commands::ApiError;
use crate::config_acd::{AgentDef, Endpoint, RecordPolicy, Target};

/// How long a consultation or internal call rings before it is given up.
const INTERNAL_RING_MS: u64 = 30_000;

fn state_err(e: trunkd::acd::AcdError) -> ApiError {
    ApiError::new("invalid_state", e.to_string())
}

fn no_call(agent: u32) -> ApiError {
    ApiError::new("invalid_state", format!("agent {agent} has no call up"))
}

impl Service {
    /// A configured agent (logged out until it logs in).
    pub(super) fn provision(&mut self, d: &AgentDef) {
        self.agents.insert(
            d.id,
            AgentRt {
                id: d.id,
                name: d.name.clone(),
                endpoint: d.endpoint.clone(),
                skills: d.skills.clone(),
                record: d.record,
                client: None,
                leg: None,
                consult: None,
                caller: None,
                hold_since: None,
                held_ms: 0,
                talk_since: 0,
                since_ms: 0,
                answered: 0,
                missed: 0,
                logged_in: false,
                logout_after_call: false,
            },
        );
    }

    pub(super) fn agent_request(
        &mut self,
        cmd: &str,
        req: &Map<String, Value>,
        client: Option<&str>,
    ) -> Result<Value, ApiError> {
        let agent = agent_arg(req)?;
        if cmd == "agent_login" {
            return self.login(agent, req, client);
        }
        let a = self
            .agents
            .get(&agent)
            .ok_or_else(|| ApiError::new("not_found", format!("no agent {agent}")))?;
        if let (Some(owner), Some(c)) = (&a.client, client) {
            if owner != c {
                return Err(ApiError::new(
                    "permission_denied",
                    format!("agent {agent} is logged in by another client ({owner})"),
                ));
            }
        }
        let now = self.now();
        let id = AgentId(agent);
        match cmd {
            "agent_logout" => self.logout(agent, now)?,
            "agent_ready" => self.core.set_ready(id, now).map_err(state_err)?,
            "agent_not_ready" => {
                let reason = match req.get("reason") {
                    None => 1,
                    Some(r) => r
                        .as_u64()
                        .filter(|r| *r <= 65_000)
                        .ok_or_else(|| bad("reason", "a reason code 0-65000"))?
                        as u16,
                };
                self.core
                    .set_not_ready(id, reason, now)
                    .map_err(state_err)?;
            }
            "agent_end_wrap_up" => self.core.end_wrap_up(id, now).map_err(state_err)?,
            "agent_hold" => self.hold(agent, now)?,
            "agent_retrieve" => self.retrieve(agent, now)?,
            "agent_hangup" => {
                let leg = self
                    .agents
                    .get(&agent)
                    .and_then(|a| a.leg)
                    .ok_or_else(|| no_call(agent))?;
                self.drop_leg(leg);
            }
            "agent_consult" => return self.consult(agent, req, now),
            "agent_consult_retrieve" => self.consult_retrieve(agent, now)?,
            "agent_transfer" => return self.transfer(agent, req, now),
            "agent_conference" => return self.conference(agent, now),
            "agent_call" => return self.internal_call(agent, req, now),
            other => {
                return Err(ApiError::new(
                    "unknown_command",
                    format!("unknown command `{other}`"),
                ))
            }
        }
        Ok(self.agent_json(agent))
    }

    fn login(
        &mut self,
        agent: u32,
        req: &Map<String, Value>,
        client: Option<&str>,
    ) -> Result<Value, ApiError> {
        let known = self.agents.get(&agent).cloned();
        if let (Some(a), Some(c)) = (&known, client) {
            if a.logged_in && a.client.as_deref().is_some_and(|o| o != c) {
                return Err(ApiError::new(
                    "permission_denied",
                    format!("agent {agent} is logged in by another client"),
                ));
            }
        }
        let endpoint = match (req.get("endpoint"), &known) {
            (Some(Value::String(e)), _) => {
                let ep = Endpoint::parse(e).map_err(|m| bad("endpoint", m))?;
                if !self.reg.config().trunk_groups.contains_key(&ep.trunk_group) {
                    return Err(bad(
                        "endpoint",
                        format!("no trunk group `{}`", ep.trunk_group),
                    ));
                }
                ep
            }
            (Some(_), _) => return Err(bad("endpoint", "TRUNK_GROUP/NUMBER")),
            (None, Some(a)) => a.endpoint.clone(),
            (None, None) => return Err(ApiError::new("bad_request", "missing \"endpoint\"")),
        };
        let skills = match (req.get("skills"), &known) {
            (Some(Value::Object(m)), _) => {
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    if !self.skills.contains_key(k) {
                        return Err(bad("skills", format!("no queue uses skill `{k}`")));
                    }
                    let l = v
                        .as_u64()
                        .filter(|l| (1..=10).contains(l))
                        .ok_or_else(|| bad("skills", format!("`{k}`: a level is 1-10")))?;
                    out.insert(k.clone(), l as u8);
                }
                out
            }
            (Some(_), _) => {
                return Err(bad(
                    "skills",
                    "an object of skill levels, e.g. {\"sales\": 5}",
                ))
            }
            (None, Some(a)) => a.skills.clone(),
            (None, None) => return Err(ApiError::new("bad_request", "missing \"skills\"")),
        };
        let record = match req
            .get("record")
            .map(|r| r.as_str().and_then(RecordPolicy::parse))
        {
            None => known.as_ref().and_then(|a| a.record),
            Some(Some(p)) => Some(p),
            Some(None) => return Err(bad("record", "always, never or on_demand")),
        };
        let ready = req.get("ready").and_then(Value::as_bool).unwrap_or(false);
        // `keep`: the agent is not bound to this client (it stays logged in
        // when the client goes, and any client may drive it), e.g. a login
        // from `trunkctl`.
        let keep = match req.get("keep") {
            None => false,
            Some(v) => v.as_bool().ok_or_else(|| bad("keep", "true or false"))?,
        };
        let now = self.now();
        let core_skills: Vec<(Skill, u8)> = skills
            .iter()
            .filter_map(|(k, l)| self.skills.get(k).map(|s| (*s, *l)))
            .collect();
        self.core
            .login(AgentId(agent), &core_skills, now)
            .map_err(state_err)?;
        let was_in = known.as_ref().is_some_and(|a| a.logged_in);
        if was_in {
            self.unstaff(agent);
        }
        let mut rt = known.unwrap_or(AgentRt {
            id: agent,
            name: format!("agent {agent}"),
            endpoint: endpoint.clone(),
            skills: BTreeMap::new(),
            record: None,
            client: None,
            leg: None,
            consult: None,
            caller: None,
            hold_since: None,
            held_ms: 0,
            talk_since: 0,
            since_ms: now,
            answered: 0,
            missed: 0,
            logged_in: false,
            logout_after_call: false,
        });
        if let Some(n) = req.get("name").and_then(Value::as_str) {
            rt.name = n.chars().take(64).collect();
        }
        rt.endpoint = endpoint;
        rt.skills = skills;
        rt.record = record;
        rt.client = if keep {
            None
        } else {
            client.map(str::to_owned)
        };
        rt.logged_in = true;
        rt.logout_after_call = false;
        for s in rt.skills.keys() {
            *self.staffed.entry(s.clone()).or_default() += 1;
        }
        self.agents.insert(agent, rt);
        if ready {
            let _ = self.core.set_ready(AgentId(agent), now);
        }
        Ok(self.agent_json(agent))
    }

    fn unstaff(&mut self, agent: u32) {
        let Some(a) = self.agents.get(&agent) else {
            return;
        };
        for s in a.skills.keys() {
            if let Some(n) = self.staffed.get_mut(s) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Log an agent out; calls waiting for a skill nobody has any more go
    /// to their queue's no-agents destination.
    pub(super) fn logout(&mut self, agent: u32, now: u64) -> Result<(), ApiError> {
        self.core.logout(AgentId(agent), now).map_err(state_err)?;
        self.unstaff(agent);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.logged_in = false;
            a.client = None;
        }
        let orphaned: Vec<(u64, Target)> = self
            .queues
            .iter()
            .filter(|q| self.staffed.get(&q.def.skill).copied().unwrap_or(0) == 0)
            .filter_map(|q| q.def.no_agents.clone().map(|t| (q.id, t)))
            .flat_map(|(qid, t)| {
                self.core
                    .waiting(qid)
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |c| (c.0, t.clone()))
            })
            .collect();
        for (call, t) in orphaned {
            self.overflow(call, trunkd::acd::OverflowReason::NoAgents, &t);
        }
        Ok(())
    }

    /// A client went away: its idle agents are logged out now, those on a
    /// call when the call ends.
    pub(super) fn client_gone(&mut self, client: &str) {
        let now = self.now();
        let mine: Vec<u32> = self
            .agents
            .values()
            .filter(|a| a.logged_in && a.client.as_deref() == Some(client))
            .map(|a| a.id)
            .collect();
        for id in mine {
            let busy = self
                .core
                .agent(AgentId(id))
                .is_some_and(|a| a.state.call().is_some());
            if busy {
                if let Some(a) = self.agents.get_mut(&id) {
                    a.logout_after_call = true;
                }
            } else if let Err(e) = self.logout(id, now) {
                log::warn!(
                    "agent {id}: not logged out after its client left: {}",
                    e.message
                );
            } else {
                log::info!("agent {id}: logged out, its client ({client}) went away");
            }
        }
    }

    /// Hang up a call the ACD placed and account for it at once (its
    /// `call_cleared` then finds nothing to do).
    pub(super) fn drop_leg(&mut self, leg: u64) {
        if let Some(what) = self.legs.remove(&leg) {
            self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
            self.leg_cleared(leg, what, 16);
        }
    }

    /// The agent's caller, when the agent is connected to one.
    fn connected(&self, agent: u32) -> Result<(u64, u64), ApiError> {
        let a = self.agents.get(&agent).ok_or_else(|| no_call(agent))?;
        match (a.caller, a.leg) {
            (Some(c), Some(l)) if matches!(self.legs.get(&l), Some(Leg::Agent { .. })) => {
                Ok((c, l))
            }
            _ => Err(no_call(agent)),
        }
    }

    fn hold(&mut self, agent: u32, now: u64) -> Result<(), ApiError> {
        let (caller, leg) = self.connected(agent)?;
        self.core.hold(AgentId(agent), now).map_err(state_err)?;
        self.exec_quiet(json!({"cmd": "unbridge", "call": leg}));
        if let Some(a) = self.agents.get_mut(&agent) {
            a.hold_since = Some(now);
        }
        self.music(caller);
        Ok(())
    }

    fn retrieve(&mut self, agent: u32, now: u64) -> Result<(), ApiError> {
        let (caller, leg) = self.connected(agent)?;
        if self.agents.get(&agent).is_some_and(|a| a.consult.is_some()) {
            return Err(ApiError::new(
                "invalid_state",
                "a consultation is up: use agent_consult_retrieve, agent_transfer or agent_conference",
            ));
        }
        self.core.retrieve(AgentId(agent), now).map_err(state_err)?;
        self.reconnect(agent, caller, leg, now);
        Ok(())
    }

    /// Back to the caller after a hold or consultation.
    fn reconnect(&mut self, agent: u32, caller: u64, leg: u64, now: u64) {
        if let Some(a) = self.agents.get_mut(&agent) {
            a.held_ms += a.hold_since.take().map_or(0, |h| now.saturating_sub(h));
        }
        self.stop_media(caller);
        self.exec_quiet(json!({"cmd": "unbridge", "call": leg}));
        self.exec_quiet(json!({"cmd": "bridge", "call": caller, "with": {"call": leg}}));
    }

    /// Parse and check a transfer or consultation target, changing nothing.
    fn target(&self, req: &Map<String, Value>, agent: u32) -> Result<Target, ApiError> {
        let to = req
            .get("to")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::new("bad_request", "missing \"to\""))?;
        let t = Target::parse(to).map_err(|m| bad("to", m))?;
        match &t {
            Target::Agent(b) => {
                let st = self.core.agent(AgentId(*b)).map(|x| x.state);
                if *b == agent {
                    return Err(bad("to", "an agent cannot be its own target"));
                }
                match st {
                    None => return Err(ApiError::new("not_found", format!("no agent {b}"))),
                    Some(AgentState::Ready) => {}
                    Some(s) => {
                        return Err(ApiError::new(
                            "invalid_state",
                            format!("agent {b} is {}, not ready", s.name()),
                        ))
                    }
                }
            }
            Target::Queue(q) if self.queue(q).is_none() => {
                return Err(ApiError::new("not_found", format!("no queue `{q}`")))
            }
            Target::Flow(f, _) if !self.reg.flows().flows.contains_key(f) => {
                return Err(ApiError::new("not_found", format!("no flow `{f}`")))
            }
            Target::Number(ep) if !self.reg.config().trunk_groups.contains_key(&ep.trunk_group) => {
                return Err(bad("to", format!("no trunk group `{}`", ep.trunk_group)))
            }
            _ => {}
        }
        Ok(t)
    }

    fn consult(
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

    fn consult_retrieve(&mut self, agent: u32, now: u64) -> Result<(), ApiError> {
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

    fn transfer(
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

    fn conference(&mut self, agent: u32, now: u64) -> Result<Value, ApiError> {
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

    fn internal_call(
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
