//! The ACD thread: the core, the event tap, timers and requests.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{select, Receiver};
use serde_json::{Map, Value};
use trunkd::acd::stats::{Stats, StatsConfig};
use trunkd::acd::{Acd, AcdEvent, AgentId, AgentState, QueueConfig, QueueId, Skill, Strategy};

use super::model::{AgentRt, Caller, Leg, QueueRt, Timer};
use super::AcdCmd;
use crate::api::commands::ApiError;
use crate::registry::{lock, Registry};

/// The queue internal and consultation calls are accounted to (never
/// reported in queue statistics).
pub(super) const INTERNAL: QueueId = QueueId(u32::MAX);

/// Handle of the running ACD thread.
pub struct AcdService {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AcdService {
    /// Start the thread (takes the registry's ACD receivers).
    pub fn start(reg: Arc<Registry>) -> AcdService {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let events = lock(&reg.acd_events_rx).take();
        let cmds = lock(&reg.acd_rx).take();
        let thread = match (events, cmds) {
            (Some(events), Some(cmds)) => std::thread::Builder::new()
                .name("acd".into())
                .spawn(move || {
                    let mut svc = Service::new(reg);
                    svc.run(&events, &cmds, &s);
                })
                .ok(),
            _ => None,
        };
        if thread.is_none() {
            log::error!("cannot start the ACD thread");
        }
        AcdService { stop, thread }
    }

    /// Stop the thread.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(super) struct Service {
    pub reg: Arc<Registry>,
    pub core: Acd,
    pub queues: Vec<QueueRt>,
    pub skills: HashMap<String, Skill>,
    /// Logged-in agents per skill (no-agent forwarding).
    pub staffed: HashMap<String, u32>,
    pub agents: HashMap<u32, AgentRt>,
    pub callers: HashMap<u64, Caller>,
    pub legs: HashMap<u64, Leg>,
    /// Media id -> caller.
    pub by_media: HashMap<u64, u64>,
    pub timers: BTreeSet<(u64, Timer)>,
    pub stats: Stats,
    changes: Vec<(AgentId, AgentState, u64)>,
    pub skip_ms: u64,
    pub history: usize,
    /// Queue entries so far (numbers each caller's entry into a queue).
    pub entries: u64,
}

impl Service {
    fn new(reg: Arc<Registry>) -> Service {
        let cfg = reg.config();
        let acd = &cfg.acd;
        let mut core = Acd::new(0x7472_756e_6b64);
        core.log_changes(true);
        let mut skills = HashMap::new();
        let mut queues = Vec::new();
        let mut sl = std::collections::BTreeMap::new();
        for (i, q) in acd.queues.iter().enumerate() {
            let n = skills.len() as u16;
            let skill = *skills.entry(q.skill.clone()).or_insert(Skill(n));
            let id = QueueId(i as u32);
            let fallback = Strategy::LongestIdle;
            // Cannot fail: ids are distinct.
            let _ = core.add_queue(QueueConfig {
                id,
                skill,
                strategy: q.strategy,
                fallback,
                wrap_up_ms: q.wrap_up_ms,
            });
            sl.insert(q.name.clone(), q.service_level_ms);
            queues.push(QueueRt {
                def: q.clone(),
                id,
                aht_ms: 180_000,
                handled: 0,
            });
        }
        let internal_skill = Skill(u16::MAX);
        let _ = core.add_queue(QueueConfig {
            id: INTERNAL,
            skill: internal_skill,
            strategy: Strategy::LongestIdle,
            fallback: Strategy::LongestIdle,
            wrap_up_ms: 0,
        });
        let stats = Stats::new(StatsConfig {
            interval_ms: acd.interval_ms,
            short_abandon_ms: acd.short_abandon_ms,
            service_level_ms: sl,
            ..StatsConfig::default()
        });
        let mut svc = Service {
            reg: reg.clone(),
            core,
            queues,
            skills,
            staffed: HashMap::new(),
            agents: HashMap::new(),
            callers: HashMap::new(),
            legs: HashMap::new(),
            by_media: HashMap::new(),
            timers: BTreeSet::new(),
            stats,
            changes: Vec::new(),
            skip_ms: acd.skip_ms,
            history: acd.history,
            entries: 0,
        };
        for a in &acd.agents {
            svc.provision(a);
        }
        svc
    }

    fn run(&mut self, events: &Receiver<Value>, cmds: &Receiver<AcdCmd>, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            select! {
                recv(events) -> e => if let Ok(e) = e { self.event(&e) },
                recv(cmds) -> c => if let Ok(c) = c { self.command(c) },
                default(Duration::from_millis(5)) => {}
            }
            self.fire_timers();
            self.dispatch();
        }
    }

    /// Board time, ms.
    pub fn now(&self) -> u64 {
        crate::ivr::board_ms(&self.reg)
    }

    /// Run an API command as the ACD.
    pub fn exec(&self, v: Value) -> Result<Value, ApiError> {
        let Value::Object(m) = v else {
            return Err(ApiError::new("bad_request", "not an object"));
        };
        crate::api::commands::execute(&self.reg, &m)
    }

    /// Run a command whose failure is only worth a log line.
    pub fn exec_quiet(&self, v: Value) {
        if let Err(e) = self.exec(v.clone()) {
            log::debug!("acd: {} failed: {}", v["cmd"], e.message);
        }
    }

    /// Record an event: statistics first, then the bus.
    pub fn emit(&mut self, ev: AcdEvent) {
        self.stats.record(&ev);
        let v = super::views::event_json(&ev, self);
        self.reg.bus.publish(v);
    }

    /// Publish the agent state changes the core made.
    pub fn flush_changes(&mut self) {
        let mut buf = std::mem::take(&mut self.changes);
        self.core.take_changes(&mut buf);
        for &(id, state, at_ms) in &buf {
            if let Some(a) = self.agents.get_mut(&id.0) {
                a.since_ms = at_ms;
            }
            self.emit(AcdEvent::AgentState {
                agent: id.0,
                state,
                at_ms,
            });
        }
        self.changes = buf;
    }

    pub fn queue(&self, name: &str) -> Option<&QueueRt> {
        self.queues.iter().find(|q| q.def.name == name)
    }

    pub fn queue_by_id(&self, id: QueueId) -> Option<&QueueRt> {
        self.queues.get(id.0 as usize)
    }

    /// The skill id of a skill name (a new one is numbered).
    fn skill_id(&mut self, name: &str) -> Skill {
        let n = self.skills.len() as u16;
        *self.skills.entry(name.to_owned()).or_insert(Skill(n))
    }

    /// Apply a reloaded `[acd]`: queues with the same name take their new
    /// settings (calls keep their places), new queues are added, new
    /// agents provisioned; a queue no longer configured keeps running until
    /// restart (its calls have nowhere else to go).
    fn reload(&mut self) {
        let cfg = self.reg.config();
        let acd = &cfg.acd;
        self.skip_ms = acd.skip_ms;
        self.history = acd.history;
        for q in &acd.queues {
            let skill = self.skill_id(&q.skill);
            match self.queues.iter().position(|x| x.def.name == q.name) {
                Some(i) => {
                    let id = self.queues[i].id;
                    let _ = self.core.reconfigure_queue(QueueConfig {
                        id,
                        skill,
                        strategy: q.strategy,
                        fallback: Strategy::LongestIdle,
                        wrap_up_ms: q.wrap_up_ms,
                    });
                    let old = std::mem::replace(&mut self.queues[i].def, q.clone());
                    self.rearm(id, &old, q);
                }
                None => {
                    let id = QueueId(self.queues.len() as u32);
                    if self
                        .core
                        .add_queue(QueueConfig {
                            id,
                            skill,
                            strategy: q.strategy,
                            fallback: Strategy::LongestIdle,
                            wrap_up_ms: q.wrap_up_ms,
                        })
                        .is_ok()
                    {
                        self.queues.push(QueueRt {
                            def: q.clone(),
                            id,
                            aht_ms: 180_000,
                            handled: 0,
                        });
                        log::info!("ACD: queue {} added", q.name);
                    }
                }
            }
        }
        for q in &self.queues {
            if !acd.queues.iter().any(|x| x.name == q.def.name) {
                log::warn!(
                    "ACD: queue {} is no longer configured; it runs on with its old settings until trunkd restarts",
                    q.def.name
                );
            }
        }
        for a in &acd.agents {
            match self.agents.get_mut(&a.id) {
                None => self.provision(a),
                // A logged-in agent keeps what it logged in with until it logs out.
                Some(rt) if !rt.logged_in => {
                    rt.name = a.name.clone();
                    rt.endpoint = a.endpoint.clone();
                    rt.skills = a.skills.clone();
                    rt.record = a.record;
                }
                Some(_) => {}
            }
        }
        log::info!("ACD: configuration reloaded ({} queues)", self.queues.len());
    }

    /// Timers the callers waiting in a reconfigured queue did not have.
    fn rearm(
        &mut self,
        id: QueueId,
        old: &crate::config_acd::QueueDef,
        new: &crate::config_acd::QueueDef,
    ) {
        let now = self.now();
        let waiting: Vec<(u64, u64, u64)> = self
            .callers
            .values()
            .filter(|c| c.qid == id && c.in_core)
            .map(|c| (c.call, c.entry, c.queued_at))
            .collect();
        for (call, entry, at) in waiting {
            if let Some(m) = new.max_wait_ms.filter(|m| old.max_wait_ms != Some(*m)) {
                self.add_timer((at + m).max(now), Timer::MaxWait(call, entry));
            }
            if new.announce_every_ms > 0 && old.announce_every_ms == 0 {
                self.add_timer(now + new.announce_every_ms, Timer::Announce(call, entry));
            }
        }
    }

    /// The queue entry a caller is in.
    pub fn entry_of(&self, call: u64) -> Option<u64> {
        self.callers.get(&call).map(|c| c.entry)
    }

    pub fn add_timer(&mut self, at: u64, t: Timer) {
        self.timers.insert((at, t));
    }

    fn command(&mut self, c: AcdCmd) {
        match c {
            AcdCmd::Request { req, client, reply } => {
                let r = self.request(&req, client.as_deref());
                self.flush_changes();
                let _ = reply.send(r);
            }
            AcdCmd::Reload => {
                self.reload();
                self.flush_changes();
            }
            AcdCmd::ClientGone { client } => {
                self.client_gone(&client);
                self.flush_changes();
            }
            AcdCmd::Enqueue {
                call,
                queue,
                vip,
                vars,
                reply,
            } => {
                let r = self.enqueue_from_ivr(call, &queue, vip, vars);
                self.flush_changes();
                match reply {
                    Some(reply) => {
                        let _ = reply.send(r);
                    }
                    None => {
                        if let Err(e) = r {
                            log::warn!("call {call}: not queued: {}", e.message);
                        }
                    }
                }
            }
        }
    }

    fn request(
        &mut self,
        req: &Map<String, Value>,
        client: Option<&str>,
    ) -> Result<Value, ApiError> {
        let cmd = req.get("cmd").and_then(Value::as_str).unwrap_or("");
        match cmd {
            "acd_queues" => Ok(self.queues_view()),
            "acd_live" => Ok(self.live_json()),
            "acd_agents" => Ok(self.agents_view()),
            "acd_stats" => self.stats_view(req),
            "acd_enqueue" => self.enqueue_request(req),
            "supervise" => self.supervise(req),
            "force_release" => self.force_release(req),
            "agent_force_logout" => self.force_logout(req),
            "agent_force_state" => self.force_state(req),
            c if c.starts_with("agent_") => self.agent_request(c, req, client),
            other => Err(ApiError::new(
                "unknown_command",
                format!("unknown command `{other}`"),
            )),
        }
    }

    fn event(&mut self, e: &Value) {
        let kind = e["event"].as_str().unwrap_or("");
        let Some(call) = e["call"].as_u64() else {
            if let Some(id) = e["media_id"].as_u64() {
                if let Some(c) = self.by_media.remove(&id) {
                    self.media_done(c, id, kind, e);
                    self.flush_changes();
                }
            }
            return;
        };
        match kind {
            "call_answered" => {
                if let Some(leg) = self.legs.get(&call).copied() {
                    self.leg_answered(call, leg);
                }
            }
            "call_cleared" => {
                let cause = e["cause"].as_u64().unwrap_or(16) as u8;
                if let Some(leg) = self.legs.remove(&call) {
                    self.leg_cleared(call, leg, cause);
                }
                if self.callers.contains_key(&call) {
                    self.caller_cleared(call);
                }
            }
            "play_done" | "collect_done" | "tone_done" | "record_done" | "record_failed" => {
                if let Some(id) = e["media_id"].as_u64() {
                    if let Some(c) = self.by_media.remove(&id) {
                        self.media_done(c, id, kind, e);
                    }
                }
            }
            _ => {}
        }
        self.flush_changes();
    }

    fn fire_timers(&mut self) {
        let now = self.now();
        self.core.tick(now);
        while let Some(&(at, t)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, t));
            match t {
                Timer::Announce(c, n) if self.entry_of(c) == Some(n) => self.announce(c),
                Timer::MaxWait(c, n) if self.entry_of(c) == Some(n) => self.max_wait(c),
                Timer::Announce(..) | Timer::MaxWait(..) => {}
                Timer::Ring(leg) => self.ring_timeout(leg),
                Timer::Skip(a) => self.skip_over(a),
            }
        }
        self.flush_changes();
    }

    /// Offer waiting calls to ready agents while there are both.
    pub fn dispatch(&mut self) {
        let now = self.now();
        while let Some(a) = self.core.next_assignment(now) {
            self.offer(a, now);
            self.flush_changes();
        }
    }
}
