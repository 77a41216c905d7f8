//! The agent simulation spec, from JSON. Errors name the field
//! (`agents[0].script[1].for_ms: ...`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value};

type Obj = Map<String, Value>;

/// Most agents one simulation runs.
pub const MAX_AGENTS: usize = 10_000;
/// Most steps of one agent's script.
pub const MAX_STEPS: usize = 1000;
/// Longest time a spec accepts (one day), in board milliseconds.
pub const MAX_MS: u64 = 86_400_000;

/// What a script step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `agent_login` with the agent's endpoint and skills, ready or not.
    Login {
        /// Log in ready (otherwise not ready).
        ready: bool,
    },
    /// `agent_ready`.
    Ready,
    /// `agent_not_ready` with a reason code; with `for_ms`, `agent_ready`
    /// that long afterwards.
    NotReady {
        /// Reason code.
        reason: u32,
        /// How long to stay not ready; `None`: until a later step.
        for_ms: Option<u64>,
    },
    /// `agent_logout`.
    Logout,
}

/// One step of an agent's script. It runs once every condition holds,
/// after the step before it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Run once the agent has finished this many calls (`acd_released`),
    /// counted from the start.
    pub after_calls: Option<u64>,
    /// Run this many board ms after the step before it ran.
    pub after_ms: Option<u64>,
    /// What to do.
    pub action: Action,
}

/// One simulated agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSpec {
    /// Agent number.
    pub agent: u32,
    /// `TRUNK_GROUP/NUMBER`: where trunkd rings the agent.
    pub endpoint: String,
    /// Skill levels by skill name.
    pub skills: BTreeMap<String, u32>,
    /// End wrap-up (`agent_end_wrap_up`) this long after it starts;
    /// `None`: let trunkd's wrap-up time run out.
    pub wrap_up_ms: Option<u64>,
    /// The state script, in order.
    pub script: Vec<Step>,
}

/// A set of simulated agents and the trunkd socket they use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentsSpec {
    /// trunkd's API socket (`socket`); may be given elsewhere instead.
    pub socket: Option<PathBuf>,
    /// The agents.
    pub agents: Vec<AgentSpec>,
}

fn unknown(obj: &Obj, at: &str, keys: &[&str]) -> Result<(), String> {
    match obj.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{at}: unknown field \"{k}\" (known: {})",
            keys.join(", ")
        )),
        None => Ok(()),
    }
}

fn ms(v: &Value, at: &str) -> Result<u64, String> {
    v.as_u64()
        .filter(|&n| n <= MAX_MS)
        .ok_or_else(|| format!("{at} must be board milliseconds (0..={MAX_MS})"))
}

fn flag(obj: &Obj, key: &str, at: &str) -> Result<Option<bool>, String> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_bool()
            .map(Some)
            .ok_or_else(|| format!("{at}.{key} must be true or false")),
    }
}

impl AgentsSpec {
    /// Parse `{"socket":..,"agents":[..]}`; the error names the field.
    pub fn from_json(v: &Value) -> Result<AgentsSpec, String> {
        let obj = v.as_object().ok_or("the spec must be a JSON object")?;
        unknown(obj, "spec", &["socket", "agents"])?;
        let socket = match obj.get("socket") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(PathBuf::from(s)),
            Some(_) => return Err("socket must be a path".into()),
        };
        let list = obj
            .get("agents")
            .and_then(Value::as_array)
            .ok_or("agents must be a list of agents")?;
        if list.is_empty() || list.len() > MAX_AGENTS {
            return Err(format!("agents: 1 to {MAX_AGENTS} agents"));
        }
        let mut agents: Vec<AgentSpec> = Vec::with_capacity(list.len());
        for (i, a) in list.iter().enumerate() {
            let a = AgentSpec::from_json(a, &format!("agents[{i}]"))?;
            if agents.iter().any(|b| b.agent == a.agent) {
                return Err(format!("agents[{i}].agent: {} appears twice", a.agent));
            }
            agents.push(a);
        }
        Ok(AgentsSpec { socket, agents })
    }
}

impl AgentSpec {
    /// Parse one agent at `at` (for error messages).
    pub fn from_json(v: &Value, at: &str) -> Result<AgentSpec, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("{at} must be an object"))?;
        unknown(
            obj,
            at,
            &["agent", "endpoint", "skills", "wrap_up_ms", "script"],
        )?;
        let agent = obj
            .get("agent")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("{at}.agent must be an agent number (u32)"))?;
        let endpoint = obj
            .get("endpoint")
            .and_then(Value::as_str)
            .filter(|e| {
                e.split_once('/')
                    .is_some_and(|(tg, n)| !tg.is_empty() && !n.is_empty())
            })
            .ok_or_else(|| format!("{at}.endpoint must be \"TRUNK_GROUP/NUMBER\""))?
            .to_owned();
        let mut skills = BTreeMap::new();
        match obj.get("skills") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (name, level) in m {
                    let level = level
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or_else(|| format!("{at}.skills.{name} must be a level (u32)"))?;
                    skills.insert(name.clone(), level);
                }
            }
            Some(_) => return Err(format!("{at}.skills must be an object of name: level")),
        }
        let wrap_up_ms = match obj.get("wrap_up_ms") {
            None | Some(Value::Null) => None,
            Some(v) => Some(ms(v, &format!("{at}.wrap_up_ms"))?),
        };
        let script = match obj.get("script") {
            None => vec![Step {
                after_calls: None,
                after_ms: None,
                action: Action::Login { ready: true },
            }],
            Some(Value::Array(steps)) if steps.len() <= MAX_STEPS => steps
                .iter()
                .enumerate()
                .map(|(i, s)| Step::from_json(s, &format!("{at}.script[{i}]")))
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(format!(
                    "{at}.script must be a list of up to {MAX_STEPS} steps"
                ))
            }
        };
        Ok(AgentSpec {
            agent,
            endpoint,
            skills,
            wrap_up_ms,
            script,
        })
    }
}

impl Step {
    /// Parse one step at `at`.
    pub fn from_json(v: &Value, at: &str) -> Result<Step, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("{at} must be an object"))?;
        unknown(
            obj,
            at,
            &[
                "after_calls",
                "after_ms",
                "login",
                "ready",
                "not_ready",
                "for_ms",
                "logout",
            ],
        )?;
        let after_calls = match obj.get("after_calls") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| format!("{at}.after_calls must be a number of calls"))?,
            ),
        };
        let after_ms = match obj.get("after_ms") {
            None => None,
            Some(v) => Some(ms(v, &format!("{at}.after_ms"))?),
        };
        let login = flag(obj, "login", at)?.unwrap_or(false);
        let ready = flag(obj, "ready", at)?;
        let logout = flag(obj, "logout", at)?.unwrap_or(false);
        let not_ready = match obj.get("not_ready") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| format!("{at}.not_ready must be a reason code (u32)"))?,
            ),
        };
        let for_ms = match obj.get("for_ms") {
            None => None,
            Some(_) if not_ready.is_none() => {
                return Err(format!("{at}.for_ms goes with not_ready"))
            }
            Some(v) => Some(ms(v, &format!("{at}.for_ms"))?),
        };
        let mut actions = Vec::new();
        if login {
            actions.push((
                "login",
                Action::Login {
                    ready: ready.unwrap_or(false),
                },
            ));
        } else if ready == Some(true) {
            actions.push(("ready", Action::Ready));
        } else if ready == Some(false) {
            return Err(format!("{at}.ready:false only goes with login"));
        }
        if let Some(reason) = not_ready {
            actions.push(("not_ready", Action::NotReady { reason, for_ms }));
        }
        if logout {
            actions.push(("logout", Action::Logout));
        }
        let action = match actions.as_slice() {
            [(_, a)] => *a,
            [] => {
                return Err(format!(
                    "{at}: no action (give one of login, ready, not_ready, logout)"
                ))
            }
            [(a, _), (b, _), ..] => {
                return Err(format!("{at}: \"{a}\" and \"{b}\" in one step (give one)"))
            }
        };
        Ok(Step {
            after_calls,
            after_ms,
            action,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn brief_example_parses() {
        let s = AgentsSpec::from_json(&json!({"socket":"/run/trunkd.sock","agents":[
            {"agent":1001,"endpoint":"pbx/2001","skills":{"sales":5},"wrap_up_ms":2000,
             "script":[{"login":true,"ready":true},{"after_calls":5,"not_ready":2,"for_ms":60000},
                       {"after_calls":10,"logout":true}]}]}))
        .expect("valid");
        let a = &s.agents[0];
        assert_eq!(s.socket, Some(PathBuf::from("/run/trunkd.sock")));
        assert_eq!(
            (a.agent, a.endpoint.as_str(), a.skills["sales"]),
            (1001, "pbx/2001", 5)
        );
        assert_eq!(a.script[0].action, Action::Login { ready: true });
        assert_eq!(
            a.script[1],
            Step {
                after_calls: Some(5),
                after_ms: None,
                action: Action::NotReady {
                    reason: 2,
                    for_ms: Some(60000)
                }
            }
        );
        assert_eq!(a.script[2].action, Action::Logout);
    }

    #[test]
    fn errors_name_the_field() {
        let e = |v| AgentsSpec::from_json(&v).unwrap_err();
        let one = |a: Value| json!({"agents":[a]});
        assert!(e(json!({"agent":[]})).contains("unknown field \"agent\""));
        assert!(e(one(json!({"agent":1,"endpoint":"2001"}))).contains("agents[0].endpoint"));
        assert!(e(one(json!({"agent":-1,"endpoint":"a/1"}))).contains("agents[0].agent"));
        assert!(e(one(
            json!({"agent":1,"endpoint":"a/1","script":[{"login":true},
            {"for_ms":5,"ready":true}]})
        ))
        .contains("agents[0].script[1].for_ms"));
        assert!(e(one(
            json!({"agent":1,"endpoint":"a/1","script":[{"after_calls":3}]})
        ))
        .contains("agents[0].script[0]: no action"));
        assert!(e(one(
            json!({"agent":1,"endpoint":"a/1","script":[{"logout":true,"not_ready":1}]})
        ))
        .contains("in one step"));
        assert!(e(one(
            json!({"agent":1,"endpoint":"a/1","skills":{"sales":"x"}})
        ))
        .contains("agents[0].skills.sales"));
        assert!(
            e(json!({"agents":[{"agent":1,"endpoint":"a/1"},{"agent":1,"endpoint":"a/2"}]}))
                .contains("agents[1].agent")
        );
    }
}
