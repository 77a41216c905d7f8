//! The IVR thread: sessions, the event tap, timers and API requests.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{select, Receiver};
use serde_json::{json, Map, Value};

use super::flow::{self, FlowErrors, FlowSet};
use super::session::{Session, Wait};
use super::IvrCmd;
use crate::api::commands::ApiError;
use crate::config::Config;
use crate::registry::{lock, Registry};

/// Most nodes one call may pass through (a guard against a flow that
/// loops forever on input that never comes).
pub(super) const MAX_STEPS: u64 = 10_000;

/// Load and validate the flows file of `cfg` (an empty set when none is configured).
pub fn load_flows(cfg: &Config) -> Result<FlowSet, FlowErrors> {
    let Some(path) = &cfg.ivr.flows else {
        return Ok(FlowSet::default());
    };
    let groups: Vec<String> = cfg.trunk_groups.keys().cloned().collect();
    let set = flow::load(path, Some(&cfg.media.prompt_dir), &groups)?;
    // A queue the ACD does not have is not fatal (the node has `next` for
    // a refused call), but worth a word at every load.
    for f in set.flows.values() {
        for (name, node) in &f.nodes {
            if let flow::Node::Queue { queue, next, .. } = node {
                if !cfg.acd.queues.iter().any(|q| &q.name == queue) {
                    log::warn!(
                        "{}: flow {} node {name}: queue `{queue}` is not in [acd]; its calls go to `{next}`",
                        path.display(),
                        f.name
                    );
                }
            }
        }
    }
    Ok(set)
}

/// Handle of the running IVR thread.
pub struct Ivr {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ivr {
    /// Start the thread (takes the registry's IVR receivers).
    pub fn start(reg: Arc<Registry>) -> Ivr {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let events = lock(&reg.ivr_events_rx).take();
        let cmds = lock(&reg.ivr_rx).take();
        let thread = match (events, cmds) {
            (Some(events), Some(cmds)) => std::thread::Builder::new()
                .name("ivr".into())
                .spawn(move || {
                    let mut svc = Service::new(reg);
                    svc.run(&events, &cmds, &s);
                })
                .ok(),
            _ => None,
        };
        if thread.is_none() {
            log::error!("cannot start the IVR thread");
        }
        Ivr { stop, thread }
    }

    /// Stop the thread.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// IVR counters, for `flows` and `status`.
#[derive(Default)]
pub(super) struct Counters {
    pub started: u64,
    pub finished: u64,
    pub abandoned: u64,
    pub steps: u64,
    pub errors: u64,
}

pub(super) struct Service {
    pub reg: Arc<Registry>,
    pub sessions: HashMap<u64, Session>,
    /// media_id -> call.
    pub by_media: HashMap<u64, u64>,
    /// Transfer leg -> the caller's call.
    pub by_out: HashMap<u64, u64>,
    /// Lookup id -> call.
    pub lookups: HashMap<u64, u64>,
    pub next_lookup: u64,
    /// Board time when the thread started, for a fixed `clock_start`.
    board_at_start: u64,
    /// Board time of the last timer check.
    timers_checked: u64,
    pub counters: Counters,
}

impl Service {
    fn new(reg: Arc<Registry>) -> Service {
        let board_at_start = board_ms(&reg);
        Service {
            reg,
            sessions: HashMap::new(),
            by_media: HashMap::new(),
            by_out: HashMap::new(),
            lookups: HashMap::new(),
            next_lookup: 1,
            board_at_start,
            timers_checked: u64::MAX,
            counters: Counters::default(),
        }
    }

    fn run(&mut self, events: &Receiver<Value>, cmds: &Receiver<IvrCmd>, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            select! {
                recv(events) -> e => if let Ok(e) = e { self.event(&e) },
                recv(cmds) -> c => if let Ok(c) = c { self.command(c) },
                default(Duration::from_millis(5)) => {}
            }
            self.timers();
        }
    }

    /// Board time, ms: the clock every IVR timer runs on.
    pub fn now(&self) -> u64 {
        board_ms(&self.reg)
    }

    /// The IVR's civil time now, Unix ms (a fixed start plus board time, or the system clock).
    pub fn wall_ms(&self) -> i64 {
        match self.reg.config().ivr.clock_start_ms {
            Some(start) => start + self.now().saturating_sub(self.board_at_start) as i64,
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
        }
    }

    /// Run an API command as the IVR.
    pub fn exec(&self, v: Value) -> Result<Value, ApiError> {
        let Value::Object(m) = v else {
            return Err(ApiError::new("bad_request", "not an object"));
        };
        crate::api::commands::execute(&self.reg, &m)
    }

    /// Publish an IVR event about a session.
    pub fn publish(&self, s: &Session, kind: &str, extra: Value) {
        let mut v = json!({"event": kind, "call": s.call, "flow": s.flow, "node": s.node});
        if let (Value::Object(a), Value::Object(b)) = (&mut v, extra) {
            a.extend(b);
        }
        if let Some(tg) = s.vars.get("trunk_group") {
            v["trunk_group"] = json!(tg);
        }
        self.reg.bus.publish(v);
    }

    fn command(&mut self, c: IvrCmd) {
        match c {
            IvrCmd::Start {
                call,
                flow,
                node,
                reply,
            } => {
                let r = self.start(call, flow.as_deref(), node.as_deref());
                if let Some(reply) = reply {
                    let _ = reply.send(r);
                } else if let Err(e) = r {
                    log::warn!("call {call}: no IVR flow: {}", e.message);
                    let _ = self.exec(json!({"cmd": "hangup", "call": call, "cause": 41}));
                }
            }
            IvrCmd::LookupReply {
                lookup,
                result,
                vars,
                reply,
            } => {
                let r = self.lookup_reply(lookup, &result, vars);
                let _ = reply.send(r);
            }
            IvrCmd::Take { call, owner, reply } => {
                let r = match self.sessions.get_mut(&call) {
                    Some(s) if matches!(s.wait, Wait::Script(_)) => {
                        s.wait = Wait::Taken;
                        self.reg.cdr_note(call, |x| {
                            x.owner = Some(owner.clone());
                            x.abandoned = false;
                        });
                        Ok(json!({"call": call, "vars": s.vars}))
                    }
                    Some(_) => Err(ApiError::new(
                        "invalid_state",
                        format!("call {call} is not waiting for a script"),
                    )),
                    None => Err(ApiError::new(
                        "not_found",
                        format!("call {call} is in no flow"),
                    )),
                };
                let _ = reply.send(r);
            }
            IvrCmd::Status { reply } => {
                let _ = reply.send(Ok(self.status()));
            }
        }
    }

    fn status(&self) -> Value {
        let calls: Vec<Value> = self
            .sessions
            .values()
            .map(|s| json!({"call": s.call, "flow": s.flow, "node": s.node, "language": s.lang}))
            .collect();
        json!({
            "in_flows": self.sessions.len(),
            "started": self.counters.started,
            "finished": self.counters.finished,
            "abandoned": self.counters.abandoned,
            "steps": self.counters.steps,
            "errors": self.counters.errors,
            "calls": calls,
        })
    }

    /// Put a call into a flow.
    fn start(
        &mut self,
        call: u64,
        flow: Option<&str>,
        node: Option<&str>,
    ) -> Result<Value, ApiError> {
        match self.sessions.get(&call).map(|s| &s.wait) {
            // A call an API client took from a `script` node may come back.
            Some(Wait::Taken) => {
                self.sessions.remove(&call);
            }
            Some(_) => {
                return Err(ApiError::new(
                    "invalid_state",
                    format!("call {call} is already in a flow"),
                ))
            }
            None => {}
        }
        let rec = lock(&self.reg.calls)
            .active
            .get(&call)
            .cloned()
            .ok_or_else(|| ApiError::new("not_found", format!("no call {call}")))?;
        let flows = self.reg.flows();
        let name = match flow {
            Some(f) => f.to_owned(),
            None => flows
                .attach_for(&rec.trunk_group, &rec.dnis)
                .map(|a| a.flow.clone())
                .ok_or_else(|| {
                    ApiError::new(
                        "not_found",
                        format!(
                            "no flow is attached to trunk group `{}` and DNIS `{}`",
                            rec.trunk_group, rec.dnis
                        ),
                    )
                })?,
        };
        let f = flows
            .flows
            .get(&name)
            .ok_or_else(|| ApiError::new("not_found", format!("no flow `{name}`")))?;
        let start = node.unwrap_or(&f.start).to_owned();
        if !f.nodes.contains_key(&start) {
            return Err(ApiError::new(
                "not_found",
                format!("flow `{name}` has no node `{start}`"),
            ));
        }
        let mut vars = BTreeMap::new();
        vars.insert("ani".to_owned(), rec.ani.clone());
        vars.insert("dnis".to_owned(), rec.dnis.clone());
        vars.insert("trunk_group".to_owned(), rec.trunk_group.clone());
        vars.insert("span".to_owned(), rec.span.to_string());
        let lang = f.languages.first().cloned().unwrap_or_default();
        let s = Session {
            call,
            flows: flows.clone(),
            flow: name.clone(),
            node: start.clone(),
            lang,
            vars,
            attempts: 0,
            answered: rec.answered_ms.is_some(),
            wait: Wait::Nothing,
            path: Vec::new(),
            steps: 0,
        };
        self.counters.started += 1;
        self.reg.cdr_note(call, |x| {
            x.flow = Some(name.clone());
            x.abandoned = true;
            x.owner = Some("ivr".into());
        });
        lock(&self.reg.owners).insert(call, "ivr".into());
        self.publish(&s, "ivr_started", json!({}));
        self.sessions.insert(call, s);
        self.goto(call, &start);
        Ok(json!({"call": call, "flow": name, "node": start}))
    }

    fn lookup_reply(
        &mut self,
        lookup: u64,
        result: &str,
        vars: BTreeMap<String, String>,
    ) -> Result<Value, ApiError> {
        let call = self
            .lookups
            .remove(&lookup)
            .ok_or_else(|| ApiError::new("not_found", format!("no lookup {lookup} is waiting")))?;
        let Some(s) = self.sessions.get_mut(&call) else {
            return Err(ApiError::new(
                "not_found",
                format!("call {call} left its flow"),
            ));
        };
        let next = match (
            &s.wait,
            s.flows
                .flows
                .get(&s.flow)
                .and_then(|f| f.nodes.get(&s.node)),
        ) {
            (
                Wait::Lookup(id, _),
                Some(flow::Node::Lookup {
                    branches, default, ..
                }),
            ) if *id == lookup => branches.get(result).unwrap_or(default).clone(),
            _ => {
                return Err(ApiError::new(
                    "invalid_state",
                    format!("lookup {lookup} is no longer waited for"),
                ))
            }
        };
        for (k, v) in vars {
            if valid_var(&k) {
                s.vars.insert(k, v);
            }
        }
        s.vars.insert("lookup_result".into(), result.to_owned());
        s.wait = Wait::Nothing;
        self.goto(call, &next);
        Ok(json!({"call": call, "next": next}))
    }

    /// Expired timers: lookups, scripts, transfers, busy tones.
    fn timers(&mut self) {
        let now = self.now();
        // Deadlines are in whole board milliseconds: once per millisecond is enough.
        if now == self.timers_checked {
            return;
        }
        self.timers_checked = now;
        let due: Vec<u64> = self
            .sessions
            .values()
            .filter(|s| match s.wait {
                Wait::Lookup(_, d) | Wait::Script(d) | Wait::Timer(d, _) => now >= d,
                Wait::Dial { deadline, .. } => now >= deadline,
                _ => false,
            })
            .map(|s| s.call)
            .collect();
        for call in due {
            self.timeout(call);
        }
    }

    fn event(&mut self, e: &Value) {
        let kind = e["event"].as_str().unwrap_or("");
        let call = e["call"].as_u64();
        match kind {
            "call_answered" => {
                if let Some(c) = call {
                    self.answered(c);
                }
            }
            "call_cleared" => {
                if let Some(c) = call {
                    self.cleared(c, e);
                }
            }
            "play_done" | "tone_done" | "collect_done" | "record_done" | "record_failed" => {
                let Some(id) = e["media_id"].as_u64() else {
                    return;
                };
                if let Some(c) = self.by_media.remove(&id) {
                    self.media_done(c, id, kind, e);
                }
            }
            _ => {}
        }
    }
}

/// A variable name an API client may set.
pub(super) fn valid_var(k: &str) -> bool {
    !k.is_empty() && k.len() <= 64 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The board clock, ms: the furthest board (they run in step).
pub(crate) fn board_ms(reg: &Registry) -> u64 {
    // Read in place: this runs for every IVR timer check.
    let boards = reg
        .boards
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    boards
        .iter()
        .map(|b| b.shared.frames.load(Ordering::Relaxed) / 8)
        .max()
        .unwrap_or(0)
}

/// Parse `vars` of an API request: an object of strings.
pub fn request_vars(req: &Map<String, Value>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    match req.get("vars") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if !valid_var(k) {
                    return Err(ApiError::new(
                        "invalid_argument",
                        format!("variable name `{k}`: use 1-64 letters, digits or `_`"),
                    ));
                }
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => {
                        return Err(ApiError::new(
                            "invalid_argument",
                            format!("variable `{k}`: a string, number or boolean"),
                        ))
                    }
                };
                out.insert(k.clone(), v);
            }
        }
        Some(_) => {
            return Err(ApiError::new(
                "invalid_argument",
                "\"vars\" must be an object",
            ));
        }
    }
    Ok(out)
}
