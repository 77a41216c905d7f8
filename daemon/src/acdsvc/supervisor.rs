//! Supervisor requests: listen, whisper and barge on an agent's call,
//! force release, force logout and force state.

use serde_json::{json, Map, Value};
use trunkd::acd::{AgentId, AgentState};

use super::model::Leg;
use super::service::Service;
use super::{agent_arg, bad};
use crate::api::commands::ApiError;
use crate::config_acd::Endpoint;

impl Service {
    /// `supervise`: join the supervisor's call (`call`) or phone
    /// (`endpoint`, dialled now) to an agent's call.
    pub(super) fn supervise(&mut self, req: &Map<String, Value>) -> Result<Value, ApiError> {
        let agent = agent_arg(req)?;
        let mode: &'static str = match req.get("mode").and_then(Value::as_str).unwrap_or("listen") {
            "listen" => "listen",
            "whisper" => "whisper",
            "barge" => "barge",
            other => return Err(bad("mode", format!("`{other}`: listen, whisper or barge"))),
        };
        let a = self
            .agents
            .get(&agent)
            .ok_or_else(|| ApiError::new("not_found", format!("no agent {agent}")))?;
        let target = match (a.leg, a.caller) {
            (Some(l), Some(_)) => l,
            _ => {
                return Err(ApiError::new(
                    "invalid_state",
                    format!("agent {agent} is not on a call"),
                ))
            }
        };
        match (req.get("call"), req.get("endpoint")) {
            (Some(c), None) => {
                let sup = c.as_u64().ok_or_else(|| bad("call", "a call id"))?;
                self.exec(json!({"cmd": "monitor", "call": sup, "target": {"call": target}, "mode": mode}))?;
                Ok(json!({"agent": agent, "mode": mode, "call": sup}))
            }
            (None, Some(Value::String(e))) => {
                let ep = Endpoint::parse(e).map_err(|m| bad("endpoint", m))?;
                let r = self.exec(
                    json!({"cmd": "dial", "trunk_group": ep.trunk_group, "number": ep.number}),
                )?;
                let leg = r["call"].as_u64().unwrap_or(0);
                self.legs.insert(leg, Leg::Supervisor { agent, mode });
                Ok(json!({"agent": agent, "mode": mode, "call": leg}))
            }
            _ => Err(ApiError::new(
                "bad_request",
                "give the supervisor's \"call\" or \"endpoint\" (one of them)",
            )),
        }
    }

    /// `force_release`: clear a call the ACD handles.
    pub(super) fn force_release(&mut self, req: &Map<String, Value>) -> Result<Value, ApiError> {
        let call = req
            .get("call")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("call", "a call id"))?;
        if !self.callers.contains_key(&call) && !self.legs.contains_key(&call) {
            return Err(ApiError::new(
                "not_found",
                format!("call {call} is not an ACD call"),
            ));
        }
        let cause = match req.get("cause") {
            None => 16,
            Some(c) => c
                .as_u64()
                .filter(|c| (1..=127).contains(c))
                .ok_or_else(|| bad("cause", "a Q.850 cause 1-127"))?,
        };
        self.exec(json!({"cmd": "hangup", "call": call, "cause": cause}))?;
        Ok(json!({"call": call, "cause": cause}))
    }

    /// Drop whatever the agent has up (offer, call, consultation).
    fn clear_agent(&mut self, agent: u32) {
        let legs: Vec<u64> = self
            .legs
            .iter()
            .filter(|(_, l)| match l {
                Leg::Consult {
                    agent: a, target, ..
                } => *a == agent || *target == Some(agent),
                Leg::Offer { agent: a, .. }
                | Leg::Agent { agent: a, .. }
                | Leg::Internal { agent: a, .. } => *a == agent,
                _ => false,
            })
            .map(|(l, _)| *l)
            .collect();
        for l in legs {
            self.drop_leg(l);
        }
    }

    /// `agent_force_logout`: whatever the agent is doing.
    pub(super) fn force_logout(&mut self, req: &Map<String, Value>) -> Result<Value, ApiError> {
        let agent = agent_arg(req)?;
        let st = self
            .core
            .agent(AgentId(agent))
            .map(|a| a.state)
            .ok_or_else(|| ApiError::new("not_found", format!("no agent {agent}")))?;
        if st == AgentState::LoggedOut {
            return Err(ApiError::new(
                "invalid_state",
                format!("agent {agent} is logged out"),
            ));
        }
        self.clear_agent(agent);
        let now = self.now();
        self.logout(agent, now)?;
        Ok(self.agent_json(agent))
    }

    /// `agent_force_state`: `ready`, `not_ready` (with `reason`) or
    /// `logged_out`, as the agent could itself (a call up is dropped first
    /// only for `logged_out`).
    pub(super) fn force_state(&mut self, req: &Map<String, Value>) -> Result<Value, ApiError> {
        let agent = agent_arg(req)?;
        let now = self.now();
        let id = AgentId(agent);
        let map = |e: trunkd::acd::AcdError| ApiError::new("invalid_state", e.to_string());
        match req.get("state").and_then(Value::as_str) {
            Some("ready") => match self.core.agent(id).map(|a| a.state) {
                Some(AgentState::WrapUp { .. }) => self.core.end_wrap_up(id, now).map_err(map)?,
                _ => self.core.set_ready(id, now).map_err(map)?,
            },
            Some("not_ready") => {
                let reason = req
                    .get("reason")
                    .map_or(Some(1), Value::as_u64)
                    .filter(|r| *r <= 65_000)
                    .ok_or_else(|| bad("reason", "a reason code 0-65000"))?;
                self.core
                    .set_not_ready(id, reason as u16, now)
                    .map_err(map)?;
            }
            Some("logged_out") => return self.force_logout(req),
            _ => return Err(bad("state", "ready, not_ready or logged_out")),
        }
        Ok(self.agent_json(agent))
    }
}
