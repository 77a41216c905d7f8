//! One simulated agent: its script, its timers and what it has seen. Pure
//! logic: events in ([`AgentRun::on_event`]), requests out
//! ([`AgentRun::poll`]), replies back ([`AgentRun::on_reply`]), time in
//! board milliseconds.

use serde::Serialize;
use serde_json::{json, Value};

use super::spec::{Action, AgentSpec};

/// A request to trunkd: command and arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The command (`agent_login`, ...).
    pub cmd: &'static str,
    /// Its arguments (an object, with `agent`).
    pub args: Value,
}

/// What one agent did and saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgentReport {
    /// Agent number.
    pub agent: u32,
    /// Calls offered to the agent (`acd_screen_pop`).
    pub calls_offered: u64,
    /// Calls the agent finished (`acd_released`).
    pub calls_released: u64,
    /// State changes requested and accepted by trunkd, in order
    /// (`agent_login`, `agent_not_ready`, ...).
    pub state_changes: Vec<String>,
    /// Requests trunkd refused: `"cmd: code: message"`.
    pub errors: Vec<String>,
    /// The last state trunkd reported (`agent_state`).
    pub last_state: Option<String>,
    /// Script steps run.
    pub steps_run: usize,
    /// Every step of the script has run.
    pub script_done: bool,
}

/// An agent's script in progress.
#[derive(Debug, Clone)]
pub struct AgentRun {
    spec: AgentSpec,
    /// Index of the next step to run.
    next: usize,
    /// When the previous step ran (or the run started).
    last_step_at: u64,
    /// `agent_end_wrap_up` due then.
    wrap_up_due: Option<u64>,
    /// `agent_ready` (end of a `not_ready` with `for_ms`) due then.
    ready_due: Option<u64>,
    /// A step set the agent's state after its last call: do not end that
    /// call's wrap-up too.
    took_state: bool,
    logged_out: bool,
    report: AgentReport,
}

/// Whether a state name is wrap-up (spellings trunkd might use).
fn is_wrap_up(state: &str) -> bool {
    matches!(state, "wrap_up" | "wrapup" | "wrap-up")
}

impl AgentRun {
    /// Start `spec`'s script at board time `now`.
    pub fn new(spec: AgentSpec, now: u64) -> AgentRun {
        let report = AgentReport {
            agent: spec.agent,
            script_done: spec.script.is_empty(),
            ..AgentReport::default()
        };
        AgentRun {
            spec,
            next: 0,
            last_step_at: now,
            wrap_up_due: None,
            ready_due: None,
            took_state: false,
            logged_out: false,
            report,
        }
    }

    /// The agent's number.
    pub fn agent(&self) -> u32 {
        self.spec.agent
    }

    /// What the agent did and saw so far.
    pub fn report(&self) -> &AgentReport {
        &self.report
    }

    /// Whether the script is done and no timer is left.
    pub fn finished(&self) -> bool {
        self.report.script_done && self.wrap_up_due.is_none() && self.ready_due.is_none()
    }

    /// Whether [`poll`](Self::poll) needs the time: a timer is set, or the
    /// next step's call condition holds (it runs now or waits for time).
    pub fn wants_clock(&self) -> bool {
        self.wrap_up_due.is_some()
            || self.ready_due.is_some()
            || self.spec.script.get(self.next).is_some_and(|s| {
                s.after_calls
                    .is_none_or(|n| self.report.calls_released >= n)
            })
    }

    /// An event from trunkd's bus (any agent's; others are ignored).
    pub fn on_event(&mut self, ev: &Value, now: u64) {
        if ev.get("agent").and_then(Value::as_u64) != Some(u64::from(self.spec.agent)) {
            return;
        }
        match ev.get("event").and_then(Value::as_str) {
            Some("acd_screen_pop") => {
                self.report.calls_offered += 1;
                self.took_state = false;
            }
            Some("acd_released") => self.report.calls_released += 1,
            Some("agent_state") => {
                let state = ev.get("state").and_then(Value::as_str).unwrap_or("");
                self.report.last_state = Some(state.to_owned());
                self.wrap_up_due = match (is_wrap_up(state), self.spec.wrap_up_ms) {
                    (true, Some(ms)) if !self.took_state && !self.logged_out => {
                        self.wrap_up_due.or(Some(now + ms))
                    }
                    _ => None,
                };
                if state == "logged_out" {
                    self.ready_due = None;
                }
            }
            _ => {}
        }
    }

    fn request(&self, cmd: &'static str) -> Request {
        Request {
            cmd,
            args: json!({"agent": self.spec.agent}),
        }
    }

    /// The requests due at board time `now`: the steps whose conditions
    /// hold, in order (a step that sets the state cancels the end of
    /// wrap-up), then the timers.
    pub fn poll(&mut self, now: u64) -> Vec<Request> {
        let mut out = Vec::new();
        while let Some(step) = self.spec.script.get(self.next).copied() {
            let calls_ok = step
                .after_calls
                .is_none_or(|n| self.report.calls_released >= n);
            let time_ok = step.after_ms.is_none_or(|ms| now >= self.last_step_at + ms);
            if !(calls_ok && time_ok) {
                break;
            }
            self.next += 1;
            self.last_step_at = now;
            self.report.steps_run += 1;
            self.report.script_done = self.next >= self.spec.script.len();
            let req = match step.action {
                Action::Login { ready } => {
                    self.logged_out = false;
                    Request {
                        cmd: "agent_login",
                        args: json!({
                            "agent": self.spec.agent,
                            "endpoint": self.spec.endpoint,
                            "skills": self.spec.skills,
                            "ready": ready,
                        }),
                    }
                }
                Action::Ready => {
                    self.ready_due = None;
                    self.wrap_up_due = None;
                    self.took_state = true;
                    self.request("agent_ready")
                }
                Action::NotReady { reason, for_ms } => {
                    self.took_state = true;
                    self.wrap_up_due = None;
                    self.ready_due = for_ms.map(|ms| now + ms);
                    Request {
                        cmd: "agent_not_ready",
                        args: json!({"agent": self.spec.agent, "reason": reason}),
                    }
                }
                Action::Logout => {
                    self.took_state = true;
                    self.logged_out = true;
                    self.wrap_up_due = None;
                    self.ready_due = None;
                    self.request("agent_logout")
                }
            };
            out.push(req);
        }
        if self.wrap_up_due.is_some_and(|t| t <= now) {
            self.wrap_up_due = None;
            out.push(self.request("agent_end_wrap_up"));
        }
        if self.ready_due.is_some_and(|t| t <= now) {
            self.ready_due = None;
            out.push(self.request("agent_ready"));
        }
        out
    }

    /// trunkd's answer to a request of this agent: `Ok` accepted, `Err`
    /// the refusal as `"code: message"`.
    pub fn on_reply(&mut self, req: &Request, reply: Result<(), String>) {
        match reply {
            Ok(()) => self.report.state_changes.push(req.cmd.to_owned()),
            Err(e) => self.report.errors.push(format!("{}: {e}", req.cmd)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::spec::Step;

    fn spec(wrap_up_ms: Option<u64>, script: Vec<Step>) -> AgentSpec {
        AgentSpec {
            agent: 7,
            endpoint: "pbx/2007".into(),
            skills: [("sales".to_owned(), 3)].into(),
            wrap_up_ms,
            script,
        }
    }

    fn step(after_calls: Option<u64>, after_ms: Option<u64>, action: Action) -> Step {
        Step {
            after_calls,
            after_ms,
            action,
        }
    }

    fn cmds(r: &[Request]) -> Vec<&str> {
        r.iter().map(|r| r.cmd).collect()
    }

    #[test]
    fn steps_wait_for_calls_and_time() {
        let mut a = AgentRun::new(
            spec(
                None,
                vec![
                    step(None, None, Action::Login { ready: true }),
                    step(Some(2), None, Action::Ready),
                    step(None, Some(1000), Action::Logout),
                ],
            ),
            100,
        );
        let r = a.poll(100);
        assert_eq!(cmds(&r), ["agent_login"]);
        assert_eq!(r[0].args["skills"]["sales"], 3);
        assert!(a.poll(5000).is_empty() && !a.wants_clock());
        let rel = json!({"event":"acd_released","agent":7,"call":1});
        a.on_event(&rel, 5000);
        a.on_event(&json!({"event":"acd_released","agent":8,"call":2}), 5000);
        assert!(a.poll(5000).is_empty(), "one call of this agent only");
        a.on_event(&rel, 6000);
        assert_eq!(cmds(&a.poll(6000)), ["agent_ready"]);
        assert!(a.poll(6999).is_empty());
        assert_eq!(cmds(&a.poll(7000)), ["agent_logout"]);
        assert!(a.finished());
    }

    #[test]
    fn wrap_up_ends_early_unless_the_agent_chose_a_state() {
        let mut a = AgentRun::new(
            spec(
                Some(500),
                vec![
                    step(None, None, Action::Login { ready: true }),
                    step(
                        Some(2),
                        None,
                        Action::NotReady {
                            reason: 4,
                            for_ms: Some(2000),
                        },
                    ),
                ],
            ),
            0,
        );
        a.poll(0);
        let wrap = json!({"event":"agent_state","agent":7,"state":"wrap_up"});
        a.on_event(&json!({"event":"acd_screen_pop","agent":7,"call":1}), 10);
        a.on_event(&json!({"event":"acd_released","agent":7,"call":1}), 20);
        a.on_event(&wrap, 20);
        assert!(a.poll(519).is_empty());
        assert_eq!(cmds(&a.poll(520)), ["agent_end_wrap_up"]);
        a.on_event(&json!({"event":"acd_screen_pop","agent":7,"call":2}), 600);
        a.on_event(&json!({"event":"acd_released","agent":7,"call":2}), 700);
        let r = a.poll(700);
        assert_eq!(cmds(&r), ["agent_not_ready"]);
        assert_eq!(r[0].args, json!({"agent":7,"reason":4}));
        a.on_event(&wrap, 700);
        assert!(a.poll(1300).is_empty(), "no end of wrap-up after not_ready");
        assert_eq!(cmds(&a.poll(2700)), ["agent_ready"]);
        assert_eq!(a.report().calls_offered, 2);
        assert!(a.finished());
    }
}
