//! Simulated ACD agents: clients of trunkd's API socket that log agents in
//! and follow a state script, reacting to the ACD's events.
//!
//! ```json
//! {"socket":"/run/trunkd.sock","agents":[
//!   {"agent":1001,"endpoint":"pbx/2001","skills":{"sales":5},"wrap_up_ms":2000,
//!    "script":[{"login":true,"ready":true},{"after_calls":5,"not_ready":2,"for_ms":60000},
//!              {"after_calls":10,"logout":true}]}]}
//! ```
//!
//! One connection ([`trunk_tools::Client`]) serves every agent: it
//! subscribes to `agent_state`, `acd_released` and `acd_screen_pop` and
//! hands each event to the agent it names. A step runs once its conditions
//! hold (`after_calls`: calls the agent finished, `acd_released`;
//! `after_ms`: board ms since the step before). `not_ready` with `for_ms`
//! goes ready again afterwards; an agent with `wrap_up_ms` ends each
//! wrap-up early (`agent_end_wrap_up`) unless a step already set its state
//! after that call.
//!
//! Time is the board clock: trunkd's `status` (`boards[].frames` / 8, the
//! largest, never going back), read when an agent has a timer or a step to
//! run. When trunkd reports no board frames at start the simulation uses
//! the host's monotonic clock instead; the report says which
//! ([`AgentSimReport::clock`]).

mod agent;
mod spec;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use trunk_tools::{Client, ClientError};

pub use agent::{AgentReport, AgentRun, Request};
pub use spec::{Action, AgentSpec, AgentsSpec, Step, MAX_AGENTS, MAX_MS, MAX_STEPS};

/// Event kinds the simulation subscribes to.
pub const EVENTS: [&str; 3] = ["agent_state", "acd_released", "acd_screen_pop"];
/// Longest wait for events between two looks at the agents' timers.
const POLL: Duration = Duration::from_millis(20);

/// Why the simulation could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec is invalid.
    #[error("agent spec: {0}")]
    Spec(String),
    /// trunkd could not be reached, or refused the subscription.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The simulation thread could not be started.
    #[error("starting the agent thread: {0}")]
    Thread(std::io::Error),
}

/// Which clock the simulation's times follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSource {
    /// trunkd's board clock (`status`: `boards[].frames / 8`).
    Board,
    /// The host's monotonic clock (trunkd reported no board frames).
    Wall,
}

/// What the simulation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentSimReport {
    /// The clock times were measured on.
    pub clock: ClockSource,
    /// The last time read, ms.
    pub now_ms: u64,
    /// Per agent, in spec order.
    pub agents: Vec<AgentReport>,
    /// Why the simulation stopped early (connection lost ...), if it did.
    pub fatal: Option<String>,
}

/// The board (or host) clock, read from trunkd.
struct Clock {
    source: ClockSource,
    start: Instant,
    last: u64,
}

impl Clock {
    /// Probe trunkd's `status` for board frames.
    fn probe(client: &mut Client) -> Result<Clock, ClientError> {
        let mut c = Clock {
            source: ClockSource::Board,
            start: Instant::now(),
            last: 0,
        };
        match board_ms(&client.request("status", Value::Null)?) {
            Some(ms) => c.last = ms,
            None => c.source = ClockSource::Wall,
        }
        Ok(c)
    }

    fn now(&mut self, client: &mut Client) -> Result<u64, ClientError> {
        let t = match self.source {
            ClockSource::Wall => self.start.elapsed().as_millis() as u64,
            ClockSource::Board => {
                board_ms(&client.request("status", Value::Null)?).unwrap_or(self.last)
            }
        };
        self.last = self.last.max(t);
        Ok(self.last)
    }
}

/// The largest board time in a `status` result.
fn board_ms(status: &Value) -> Option<u64> {
    status
        .get("boards")?
        .as_array()?
        .iter()
        .filter_map(|b| b.get("frames").and_then(Value::as_u64))
        .max()
        .map(|f| f / 8)
}

struct Shared {
    report: Mutex<AgentSimReport>,
    stop: AtomicBool,
    /// The thread ended.
    finished: AtomicBool,
    /// Every agent's script ran to its end and no timer is left.
    all_done: AtomicBool,
}

/// A running agent simulation.
pub struct AgentSim {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl AgentSim {
    /// Connect to trunkd at `socket`, read the clock, subscribe to the ACD
    /// events and start running `spec`'s agents on a thread of their own.
    pub fn start(socket: impl AsRef<Path>, spec: AgentsSpec) -> Result<AgentSim, Error> {
        if spec.agents.is_empty() || spec.agents.len() > MAX_AGENTS {
            return Err(Error::Spec(format!("1 to {MAX_AGENTS} agents")));
        }
        let mut client = Client::connect(socket)?;
        let mut clock = Clock::probe(&mut client)?;
        client.request("subscribe", json!({ "events": EVENTS }))?;
        let now = clock.now(&mut client)?;
        let agents: Vec<AgentRun> = spec
            .agents
            .into_iter()
            .map(|a| AgentRun::new(a, now))
            .collect();
        let shared = Arc::new(Shared {
            report: Mutex::new(AgentSimReport {
                clock: clock.source,
                now_ms: now,
                agents: agents.iter().map(|a| a.report().clone()).collect(),
                fatal: None,
            }),
            stop: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            all_done: AtomicBool::new(false),
        });
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("agentsim".into())
            .spawn(move || {
                let mut run = Run {
                    client,
                    clock,
                    agents,
                    shared: s,
                };
                let fatal = run.run().err().map(|e| e.to_string());
                run.publish(fatal);
                run.shared.finished.store(true, Ordering::Relaxed);
            })
            .map_err(Error::Thread)?;
        Ok(AgentSim {
            shared,
            thread: Some(thread),
        })
    }

    /// What the agents did so far.
    pub fn report(&self) -> AgentSimReport {
        self.shared
            .report
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether every agent's script has run to its end (and no timer is
    /// left), or the simulation stopped on an error.
    pub fn finished(&self) -> bool {
        self.shared.finished.load(Ordering::Relaxed) || self.shared.all_done.load(Ordering::Relaxed)
    }

    /// Stop the agents (they stay in whatever state trunkd has them) and
    /// return the report.
    pub fn stop(mut self) -> AgentSimReport {
        self.shutdown();
        self.report()
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for AgentSim {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The simulation thread's state.
struct Run {
    client: Client,
    clock: Clock,
    agents: Vec<AgentRun>,
    shared: Arc<Shared>,
}

impl Run {
    fn run(&mut self) -> Result<(), ClientError> {
        while !self.shared.stop.load(Ordering::Relaxed) {
            let now = if self.agents.iter().any(AgentRun::wants_clock) {
                Some(self.clock.now(&mut self.client)?)
            } else {
                None
            };
            if let Some(now) = now {
                for i in 0..self.agents.len() {
                    for req in self.agents[i].poll(now) {
                        let reply = match self.client.request(req.cmd, req.args.clone()) {
                            Ok(_) => Ok(()),
                            Err(ClientError::Server { code, message, .. }) => {
                                Err(format!("{code}: {message}"))
                            }
                            Err(e) => return Err(e),
                        };
                        self.agents[i].on_reply(&req, reply);
                    }
                }
            }
            self.publish(None);
            // Every event that has arrived, waiting up to POLL for the first.
            let mut ev = self.client.next_event(Some(POLL))?;
            let mut at = None;
            while let Some(e) = ev {
                let t = match at {
                    Some(t) => t,
                    None => *at.insert(self.clock.now(&mut self.client)?),
                };
                for a in &mut self.agents {
                    a.on_event(&e, t);
                }
                ev = self.client.next_event(Some(Duration::ZERO))?;
            }
        }
        Ok(())
    }

    /// Copy the agents' reports where [`AgentSim::report`] reads them.
    fn publish(&self, fatal: Option<String>) {
        let mut r = self
            .shared
            .report
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        r.now_ms = self.clock.last;
        r.agents = self.agents.iter().map(|a| a.report().clone()).collect();
        if fatal.is_some() {
            r.fatal = fatal;
        }
        let done = self.agents.iter().all(AgentRun::finished);
        self.shared.all_done.store(done, Ordering::Relaxed);
    }
}
