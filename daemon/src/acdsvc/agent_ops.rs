//! Agent requests: login and states, hold, consultation, transfers,
//! three-party conference and agent-to-agent calls.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use trunkd::acd::{AgentId, AgentState, Skill};

use super::model::{AgentRt, Leg};
use super::service::Service;
use super::{agent_arg, bad};
use crate::api::commands::ApiError;
use crate::config_acd::{AgentDef, Endpoint, RecordPolicy, Target};

/// How long a consultation or internal call rings before it is given up.
pub(super) const INTERNAL_RING_MS: u64 = 30_000;

pub(super) fn state_err(e: trunkd::acd::AcdError) -> ApiError {
    ApiError::new("invalid_state", e.to_string())
}

pub(super) fn no_call(agent: u32) -> ApiError {
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
    pub(super) fn connected(&self, agent: u32) -> Result<(u64, u64), ApiError> {
        let a = self.agents.get(&agent).ok_or_else(|| no_call(agent))?;
        match (a.caller, a.leg) {
            (Some(c), Some(l)) if matches!(self.legs.get(&l), Some(Leg::Agent { .. })) => {
                Ok((c, l))
            }
            _ => Err(no_call(agent)),
        }
    }

    pub(super) fn hold(&mut self, agent: u32, now: u64) -> Result<(), ApiError> {
        let (caller, leg) = self.connected(agent)?;
        self.core.hold(AgentId(agent), now).map_err(state_err)?;
        self.exec_quiet(json!({"cmd": "unbridge", "call": leg}));
        if let Some(a) = self.agents.get_mut(&agent) {
            a.hold_since = Some(now);
        }
        self.music(caller);
        Ok(())
    }

    pub(super) fn retrieve(&mut self, agent: u32, now: u64) -> Result<(), ApiError> {
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
    pub(super) fn reconnect(&mut self, agent: u32, caller: u64, leg: u64, now: u64) {
        if let Some(a) = self.agents.get_mut(&agent) {
            a.held_ms += a.hold_since.take().map_or(0, |h| now.saturating_sub(h));
        }
        self.stop_media(caller);
        self.exec_quiet(json!({"cmd": "unbridge", "call": leg}));
        self.exec_quiet(json!({"cmd": "bridge", "call": caller, "with": {"call": leg}}));
    }

    /// Parse and check a transfer or consultation target, changing nothing.
    pub(super) fn target(&self, req: &Map<String, Value>, agent: u32) -> Result<Target, ApiError> {
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
}
