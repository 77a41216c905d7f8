//! The traffic generator: callers on top of the built-in PRI far end.
//!
//! A `traffic` request ([`TrafficSpec`]) starts groups of callers. Each
//! group offers calls to one called number over some spans at Poisson
//! (or fixed-interval) arrivals; each call draws a caller profile by
//! weight, which says how long the caller waits for the answer and what
//! it does once answered (wait, send DTMF, hang up). The DTMF goes as
//! G.711 audio on the call's B-channel timeslot of the far end's
//! transmit path; everything else on B-channels stays idle.
//!
//! Pure logic like [`PriScript`]: [`Traffic::tick`] once per board
//! millisecond with the far ends of every span, [`Traffic::fill_audio`]
//! for each span's transmit frames. The simulator's PRI far end drives it
//! from the tick engine; tests drive it directly.
//!
//! [`PriScript`]: super::PriScript

mod arrivals;
mod caller;
mod dtmf;
mod g711;
mod report;
mod spec;

use std::collections::{BTreeMap, VecDeque};

use serde_json::{json, Value};
use trunk_driver_sys::abi;
use trunk_isdn::call::{self as isdn, CallId, Digits, PriError, PriEvent, SetupRequest};

use super::prifar::PriScript;
use caller::{Due, LiveCall, Phase, Timeline};

pub use arrivals::{arrival_schedule, Arrival};
pub use dtmf::{dtmf_sample, frequencies, Law, COLUMNS, ROWS, TONE_DBM0};
pub use g711::{alaw_encode, ulaw_encode};
pub use report::{ClearedBy, Counters, FinishedCall};
pub use spec::{
    ArrivalProcess, CallerSpec, CallingNumber, GroupSpec, Step, TrafficSpec, NORMAL_CLEARING,
};

/// Finished calls kept for `traffic_status`.
pub const FINISHED_KEPT: usize = 1000;

/// A `traffic*` control request.
#[derive(Debug, Clone, PartialEq)]
pub enum TrafficCommand {
    /// Start groups of callers.
    Start(TrafficSpec),
    /// Stop new arrivals of one group (by name) or of all; calls in
    /// progress go on.
    Stop {
        /// The group; `None`: every group.
        group: Option<String>,
    },
    /// Report the counters and the last finished calls.
    Status,
}

impl TrafficCommand {
    /// Parse a request named `cmd` (`traffic`, `traffic_stop`,
    /// `traffic_status`); the error names the field.
    pub fn from_json(cmd: &str, v: &Value) -> Result<TrafficCommand, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("{cmd}: must be a JSON object"))?;
        let unknown = |known: &[&str]| {
            obj.keys()
                .find(|k| k.as_str() != "cmd" && !known.contains(&k.as_str()))
                .map(|k| format!("{cmd}: unknown field \"{k}\""))
        };
        match cmd {
            "traffic" => TrafficSpec::from_json(v).map(TrafficCommand::Start),
            "traffic_stop" => {
                if let Some(e) = unknown(&["group"]) {
                    return Err(e);
                }
                match obj.get("group") {
                    None | Some(Value::Null) => Ok(TrafficCommand::Stop { group: None }),
                    Some(Value::String(g)) => Ok(TrafficCommand::Stop {
                        group: Some(g.clone()),
                    }),
                    Some(_) => Err(format!("{cmd}.group: must be a group name")),
                }
            }
            "traffic_status" => match unknown(&[]) {
                Some(e) => Err(e),
                None => Ok(TrafficCommand::Status),
            },
            other => Err(format!(
                "unknown cmd `{other}` (traffic, traffic_stop, traffic_status)"
            )),
        }
    }
}

/// One running (or finished) group.
#[derive(Debug)]
struct GroupRun {
    spec: GroupSpec,
    gen: arrivals::ArrivalGen,
    next: Option<Arrival>,
    stopped: bool,
    /// Round-robin position in `spec.spans`.
    rr: usize,
    started_ms: u64,
    counters: Counters,
    profiles: Vec<Counters>,
}

impl GroupRun {
    fn arriving(&self) -> bool {
        !self.stopped && self.next.is_some()
    }
}

/// The traffic generator of one board (see the module documentation).
#[derive(Debug)]
pub struct Traffic {
    law: Law,
    spans: usize,
    groups: Vec<GroupRun>,
    /// Live calls by (span index, far-end call id).
    calls: BTreeMap<(usize, CallId), LiveCall>,
    finished: VecDeque<FinishedCall>,
}

impl Traffic {
    /// A generator with no groups for a board of `spans` spans, E1 or T1.
    pub fn new(spans: usize, t1: bool) -> Traffic {
        Traffic {
            law: Law::for_line(t1),
            spans,
            groups: Vec::new(),
            calls: BTreeMap::new(),
            finished: VecDeque::new(),
        }
    }

    /// Start the groups of `spec` at board time `now`. A group replaces a
    /// finished one of the same name (no arrivals left, no live calls).
    /// On error nothing changes.
    pub fn start(&mut self, now: u64, spec: TrafficSpec) -> Result<Value, String> {
        let mut slots = Vec::with_capacity(spec.groups.len());
        for (k, g) in spec.groups.iter().enumerate() {
            if let Some(&s) = g.spans.iter().find(|&&s| s > self.spans) {
                return Err(format!(
                    "traffic: groups[{k}].spans: span {s} does not exist (board has spans 1..={})",
                    self.spans
                ));
            }
            let old = self.groups.iter().position(|r| r.spec.name == g.name);
            if let Some(i) = old {
                if self.groups[i].arriving() || self.calls.values().any(|c| c.group == i) {
                    return Err(format!(
                        "traffic: groups[{k}].name: group `{}` is still running \
                         (traffic_stop it and let its calls end first)",
                        g.name
                    ));
                }
            }
            slots.push(old);
        }
        let mut names = Vec::new();
        for (k, (g, slot)) in spec.groups.into_iter().zip(slots).enumerate() {
            let mut gen = arrivals::ArrivalGen::new(spec.seed, k, now);
            let next = gen.next(&g);
            names.push(g.name.clone());
            let run = GroupRun {
                profiles: vec![Counters::default(); g.callers.len()],
                spec: g,
                gen,
                next,
                stopped: false,
                rr: 0,
                started_ms: now,
                counters: Counters::default(),
            };
            match slot {
                Some(i) => self.groups[i] = run,
                None => self.groups.push(run),
            }
        }
        Ok(json!({ "groups": names, "started_ms": now }))
    }

    /// Stop new arrivals of group `group`, or of every group.
    pub fn stop(&mut self, group: Option<&str>) -> Result<Value, String> {
        let mut stopped = Vec::new();
        for g in &mut self.groups {
            if group.is_none_or(|n| n == g.spec.name) {
                g.stopped = true;
                stopped.push(g.spec.name.clone());
            }
        }
        if let (Some(n), true) = (group, stopped.is_empty()) {
            return Err(format!("traffic_stop.group: no group `{n}`"));
        }
        Ok(json!({ "stopped": stopped, "live_calls": self.calls.len() }))
    }

    /// Carry out a control request; `Ok` is the reply's payload (without
    /// `"ok"`), `Err` the error text.
    pub fn command(&mut self, now: u64, cmd: &TrafficCommand) -> Result<Value, String> {
        match cmd {
            TrafficCommand::Start(spec) => self.start(now, spec.clone()),
            TrafficCommand::Stop { group } => self.stop(group.as_deref()),
            TrafficCommand::Status => Ok(self.status_json(now)),
        }
    }

    /// Whether no group has arrivals to come and no call is live.
    pub fn is_idle(&self) -> bool {
        self.calls.is_empty() && !self.groups.iter().any(GroupRun::arriving)
    }

    /// Counters of a group.
    pub fn counters(&self, group: &str) -> Option<&Counters> {
        self.group(group).map(|g| &g.counters)
    }

    /// Counters of one caller profile of a group.
    pub fn profile_counters(&self, group: &str, profile: &str) -> Option<&Counters> {
        let g = self.group(group)?;
        let k = g.spec.callers.iter().position(|c| c.name == profile)?;
        g.profiles.get(k)
    }

    /// The last [`FINISHED_KEPT`] calls that ended, oldest first.
    pub fn finished(&self) -> impl Iterator<Item = &FinishedCall> + '_ {
        self.finished.iter()
    }

    fn group(&self, name: &str) -> Option<&GroupRun> {
        self.groups.iter().find(|g| g.spec.name == name)
    }

    /// Apply `f` to the counters of group `g` and of its profile `p`.
    fn count(&mut self, g: usize, p: usize, f: impl Fn(&mut Counters)) {
        if let Some(run) = self.groups.get_mut(g) {
            f(&mut run.counters);
            if let Some(c) = run.profiles.get_mut(p) {
                f(c);
            }
        }
    }

    /// One board millisecond: take the far ends' call events, run the
    /// callers' due actions, place the calls that arrive.
    pub fn tick<T: AsMut<PriScript>>(&mut self, now: u64, spans: &mut [T]) {
        for (i, s) in spans.iter_mut().enumerate() {
            while let Some((at, e)) = s.as_mut().poll_call_event() {
                self.on_event(i, at, e);
            }
        }
        let due: Vec<((usize, CallId), Due)> = self
            .calls
            .iter()
            .filter_map(|(k, c)| c.due(now).map(|d| (*k, d)))
            .collect();
        for ((i, id), d) in due {
            let cause = match d {
                Due::Abandon => NORMAL_CLEARING,
                Due::Hangup(c) => c,
            };
            if let Some(c) = self.calls.get_mut(&(i, id)) {
                c.phase = Phase::Clearing {
                    abandoned: d == Due::Abandon,
                    cause,
                };
            }
            let r = spans
                .get_mut(i)
                .map(|s| s.as_mut().clear_call(now, id, cause));
            if matches!(r, None | Some(Err(PriError::NoSuchCall))) {
                // The stack has forgotten the call: it ends here.
                self.finish(i, id, now, isdn::ClearedBy::Local, cause);
            }
        }
        for g in 0..self.groups.len() {
            loop {
                let run = &mut self.groups[g];
                if run.stopped {
                    break;
                }
                let Some(a) = run.next.take_if(|a| a.at_ms <= now) else {
                    break;
                };
                run.next = run.gen.next(&run.spec);
                self.offer(now, g, a, spans);
            }
        }
    }

    /// An arrival: pick a span, send the SETUP.
    fn offer<T: AsMut<PriScript>>(&mut self, now: u64, g: usize, a: Arrival, spans: &mut [T]) {
        self.count(g, a.profile, |c| c.offered += 1);
        let run = &mut self.groups[g];
        let n = run.spec.spans.len();
        let pick = (0..n).map(|k| (run.rr + k) % n).find(|&k| {
            spans
                .get_mut(run.spec.spans[k] - 1)
                .is_some_and(|s| s.as_mut().has_free_channel())
        });
        let Some(k) = pick else {
            self.count(g, a.profile, |c| c.place_failed += 1);
            return;
        };
        run.rr = (k + 1) % n;
        let i = run.spec.spans[k] - 1;
        let called = Digits::dialable(&run.spec.number).unwrap_or_default();
        let calling = a.from.as_deref().and_then(Digits::dialable);
        let profile = &run.spec.callers[a.profile];
        let patience_at = profile.patience_ms.map(|p| now.saturating_add(p));
        let timeline = Timeline::compile(&profile.script);
        let script = spans[i].as_mut();
        match script.place_call(now, &SetupRequest::new(called, calling)) {
            Ok(id) => {
                let channel = script.pri().call(id).and_then(|c| c.channel);
                self.calls.insert(
                    (i, id),
                    LiveCall {
                        call: id,
                        group: g,
                        profile: a.profile,
                        index: a.index,
                        from: a.from,
                        channel,
                        placed_ms: now,
                        answered_ms: None,
                        patience_at,
                        phase: Phase::Waiting,
                        timeline,
                    },
                );
                self.count(g, a.profile, |c| {
                    c.placed += 1;
                    c.in_progress += 1;
                });
            }
            Err(_) => self.count(g, a.profile, |c| c.place_failed += 1),
        }
    }

    fn on_event(&mut self, i: usize, at: u64, e: PriEvent) {
        match e {
            PriEvent::Proceeding { call, channel } | PriEvent::Alerting { call, channel, .. } => {
                if let Some(c) = self.calls.get_mut(&(i, call)) {
                    c.channel = Some(channel);
                }
            }
            PriEvent::Answered { call, channel } => {
                let Some(c) = self.calls.get_mut(&(i, call)) else {
                    return;
                };
                c.channel = Some(channel);
                if c.phase != Phase::Waiting {
                    return;
                }
                c.phase = Phase::Talking;
                c.answered_ms = Some(at);
                let (g, p) = (c.group, c.profile);
                self.count(g, p, |c| {
                    c.answered += 1;
                    c.in_progress = c.in_progress.saturating_sub(1);
                    c.talking += 1;
                });
            }
            PriEvent::Cleared {
                call, cause, by, ..
            } => self.finish(i, call, at, by, cause),
            _ => {}
        }
    }

    /// A call ended: count it and keep its record.
    fn finish(&mut self, i: usize, id: CallId, at: u64, by: isdn::ClearedBy, cause: u8) {
        let Some(c) = self.calls.remove(&(i, id)) else {
            return;
        };
        let stack_by = match by {
            isdn::ClearedBy::Local => ClearedBy::Caller,
            isdn::ClearedBy::Remote => ClearedBy::Trunkd,
            isdn::ClearedBy::Timer => ClearedBy::Timer,
            isdn::ClearedBy::Protocol => ClearedBy::Protocol,
        };
        let (cleared_by, cause) = match c.phase {
            Phase::Clearing { cause, .. } => (ClearedBy::Caller, cause),
            _ => (stack_by, cause),
        };
        let (g, p) = (c.group, c.profile);
        match c.phase {
            Phase::Waiting
            | Phase::Clearing {
                abandoned: true, ..
            } => self.count(g, p, |n| {
                n.in_progress = n.in_progress.saturating_sub(1);
                if cleared_by == ClearedBy::Caller {
                    n.abandoned += 1;
                } else {
                    n.rejected += 1;
                    *n.rejected_causes.entry(cause).or_default() += 1;
                }
            }),
            Phase::Talking | Phase::Clearing { .. } => self.count(g, p, |n| {
                n.talking = n.talking.saturating_sub(1);
                match cleared_by {
                    ClearedBy::Caller => n.completed += 1,
                    ClearedBy::Trunkd => {
                        n.cleared_by_trunkd += 1;
                        *n.cleared_by_trunkd_causes.entry(cause).or_default() += 1;
                    }
                    ClearedBy::Timer | ClearedBy::Protocol => n.lost += 1,
                }
            }),
        }
        let Some(run) = self.groups.get(g) else {
            return;
        };
        if self.finished.len() >= FINISHED_KEPT {
            self.finished.pop_front();
        }
        self.finished.push_back(FinishedCall {
            index: c.index,
            group: run.spec.name.clone(),
            profile: run.spec.callers[p].name.clone(),
            span: i + 1,
            channel: c.channel,
            from: c.from,
            placed_ms: c.placed_ms,
            answered_ms: c.answered_ms,
            ended_ms: at,
            cleared_by,
            cause,
        });
    }

    /// Write the callers' DTMF of span `span` (0-based) for board
    /// millisecond `now` into its far-end transmit frames; timeslots with
    /// no tone are left as they are (idle).
    pub fn fill_audio(
        &self,
        span: usize,
        now: u64,
        frames: &mut [[u8; 32]; abi::FRAMES_PER_CHUNK],
    ) {
        let range = (span, CallId(0))..(span + 1, CallId(0));
        for c in self.calls.range(range).map(|(_, c)| c) {
            let Some(ts) = c.channel.map(usize::from).filter(|&t| t < 32) else {
                continue;
            };
            for (f, frame) in frames.iter_mut().enumerate() {
                if let Some(o) = c.audio(self.law, now, f) {
                    frame[ts] = o;
                }
            }
        }
    }

    /// The `traffic_status` reply payload.
    pub fn status_json(&self, now: u64) -> Value {
        let groups: serde_json::Map<String, Value> = self
            .groups
            .iter()
            .map(|g| {
                let profiles: serde_json::Map<String, Value> = g
                    .spec
                    .callers
                    .iter()
                    .zip(&g.profiles)
                    .map(|(p, c)| (p.name.clone(), c.to_json()))
                    .collect();
                let v = json!({
                    "spans": g.spec.spans,
                    "number": g.spec.number,
                    "started_ms": g.started_ms,
                    "arriving": g.arriving(),
                    "stopped": g.stopped,
                    "next_arrival_ms": g.next.as_ref().filter(|_| !g.stopped).map(|a| a.at_ms),
                    "counters": g.counters.to_json(),
                    "profiles": profiles,
                });
                (g.spec.name.clone(), v)
            })
            .collect();
        let live: Vec<Value> = self
            .calls
            .iter()
            .map(|((i, _), c)| {
                json!({
                    "index": c.index,
                    "group": self.groups.get(c.group).map(|g| g.spec.name.as_str()),
                    "span": i + 1,
                    "call": c.call.0,
                    "channel": c.channel,
                    "from": c.from,
                    "state": match c.phase {
                        Phase::Waiting => "waiting",
                        Phase::Talking => "talking",
                        Phase::Clearing { .. } => "clearing",
                    },
                    "placed_ms": c.placed_ms,
                    "answered_ms": c.answered_ms,
                })
            })
            .collect();
        let finished: Vec<Value> = self.finished.iter().map(FinishedCall::to_json).collect();
        json!({
            "board_ms": now,
            "idle": self.is_idle(),
            "groups": groups,
            "live": live,
            "finished": finished,
        })
    }
}
