//! The caller's side: entering a queue, music and announcements, the
//! keep-waiting offer, overflow, forwarding and abandonment.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use trunkd::acd::{AcdEvent, CallId, OverflowReason};

use super::bad;
use super::model::{Caller, Leg, Phase, Timer};
use super::service::Service;
use crate::api::commands::ApiError;
use crate::config_acd::Target;
use crate::registry::lock;

/// Spoken number: one prompt per digit (`digits/1`, `digits/2`).
fn say_number(n: u64, out: &mut Vec<Value>) {
    for d in n.to_string().chars() {
        out.push(json!(format!("digits/{d}")));
    }
}

impl Service {
    /// The IVR's `queue` node.
    pub(super) fn enqueue_from_ivr(
        &mut self,
        call: u64,
        queue: &str,
        vip: bool,
        vars: BTreeMap<String, String>,
    ) -> Result<Value, ApiError> {
        let q = self
            .queue(queue)
            .ok_or_else(|| ApiError::new("not_found", format!("no queue `{queue}`")))?;
        let priority = if vip { q.def.vip_priority } else { 0 };
        self.enqueue(call, queue, priority, vars)
    }

    /// `acd_enqueue`: an API client puts a call in a queue.
    pub(super) fn enqueue_request(&mut self, req: &Map<String, Value>) -> Result<Value, ApiError> {
        let call = req
            .get("call")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("call", "a call id"))?;
        let queue = req
            .get("queue")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("queue", "a queue name"))?;
        let priority = match req.get("priority") {
            None => 0,
            Some(p) => p
                .as_u64()
                .filter(|p| *p <= 255)
                .ok_or_else(|| bad("priority", "0-255"))? as u8,
        };
        let vars = crate::ivr::request_vars(req)?;
        self.enqueue(call, queue, priority, vars)
    }

    /// Put a call in a queue: answer it if needed, start the music, arm
    /// the announcement and maximum-wait timers, or forward it at once when
    /// no agent for the queue is logged in.
    pub(super) fn enqueue(
        &mut self,
        call: u64,
        queue: &str,
        priority: u8,
        vars: BTreeMap<String, String>,
    ) -> Result<Value, ApiError> {
        let q = self
            .queue(queue)
            .ok_or_else(|| ApiError::new("not_found", format!("no queue `{queue}`")))?
            .clone();
        if self.callers.contains_key(&call) || self.legs.contains_key(&call) {
            return Err(ApiError::new(
                "invalid_state",
                format!("call {call} is already in the ACD"),
            ));
        }
        let rec = lock(&self.reg.calls)
            .active
            .get(&call)
            .cloned()
            .ok_or_else(|| ApiError::new("not_found", format!("no call {call}")))?;
        if rec.answered_ms.is_none() {
            self.exec(json!({"cmd": "answer", "call": call}))?;
        }
        let now = self.now();
        self.core
            .enqueue(CallId(call), q.id, &rec.ani, priority, now)
            .map_err(|e| ApiError::new("invalid_state", e.to_string()))?;
        lock(&self.reg.owners).insert(call, "acd".into());
        self.reg.cdr_note(call, |x| {
            x.owner = Some("acd".into());
            x.abandoned = true;
        });
        self.entries += 1;
        let entry = self.entries;
        let c = Caller {
            entry,
            call,
            queue: q.def.name.clone(),
            qid: q.id,
            ani: rec.ani.clone(),
            dnis: rec.dnis.clone(),
            trunk_group: rec.trunk_group.clone(),
            vars,
            priority,
            queued_at: now,
            in_core: true,
            announcements: 0,
            phase: Phase::Waiting,
            media: None,
            recording: None,
            conference: None,
        };
        self.callers.insert(call, c);
        self.emit(AcdEvent::Queued {
            call,
            queue: q.def.name.clone(),
            priority,
            at_ms: now,
        });
        if q.def.announce_every_ms > 0 {
            self.add_timer(now + q.def.announce_every_ms, Timer::Announce(call, entry));
        }
        if let Some(m) = q.def.max_wait_ms {
            self.add_timer(now + m, Timer::MaxWait(call, entry));
        }
        if self.staffed.get(&q.def.skill).copied().unwrap_or(0) == 0 {
            if let Some(t) = q.def.no_agents.clone() {
                self.overflow(call, OverflowReason::NoAgents, &t);
                return Ok(json!({"call": call, "queue": q.def.name, "forwarded": t.label()}));
            }
        }
        self.music(call);
        let position = self.core.position(CallId(call)).unwrap_or(0);
        Ok(json!({"call": call, "queue": q.def.name, "position": position}))
    }

    /// Music on hold for a waiting (or held) caller.
    pub(super) fn music(&mut self, call: u64) {
        let Some(c) = self.callers.get(&call) else {
            return;
        };
        let music = self
            .queue_by_id(c.qid)
            .map_or_else(|| "acd/music".to_owned(), |q| q.def.music.clone());
        self.play(call, vec![json!(music)], true, false);
    }

    /// Play prompts to a caller (replacing what it hears).
    pub(super) fn play(&mut self, call: u64, prompts: Vec<Value>, repeat: bool, barge_in: bool) {
        self.stop_media(call);
        match self.exec(json!({"cmd": "play", "call": call, "prompts": prompts,
            "repeat": repeat, "barge_in": barge_in}))
        {
            Ok(r) => {
                if let Some(id) = r["media_id"].as_u64() {
                    self.by_media.insert(id, call);
                    if let Some(c) = self.callers.get_mut(&call) {
                        c.media = Some(id);
                    }
                }
            }
            Err(e) => log::warn!("call {call}: queue prompts not played: {}", e.message),
        }
    }

    /// Stop the caller's music, announcement or collection.
    pub(super) fn stop_media(&mut self, call: u64) {
        let Some(id) = self.callers.get_mut(&call).and_then(|c| c.media.take()) else {
            return;
        };
        self.by_media.remove(&id);
        self.exec_quiet(json!({"cmd": "play_stop", "call": call}));
        self.exec_quiet(json!({"cmd": "collect_stop", "call": call}));
    }

    /// Estimated wait (s) for a caller at `position`: position × mean
    /// handle time / logged-in agents with the skill.
    pub(super) fn ewt_s(&self, qi: usize, position: usize) -> u64 {
        let q = &self.queues[qi];
        let staffed = u64::from(self.staffed.get(&q.def.skill).copied().unwrap_or(0).max(1));
        position as u64 * q.aht_ms / staffed / 1000
    }

    /// The announcement timer: position and estimated wait, then music
    /// again (or, after K of them, the keep-waiting offer).
    pub(super) fn announce(&mut self, call: u64) {
        let Some((qi, phase, queue)) = self
            .callers
            .get(&call)
            .map(|c| (c.qid.0 as usize, c.phase, c.queue.clone()))
        else {
            return;
        };
        let Some(q) = self.queues.get(qi) else { return };
        let every = q.def.announce_every_ms;
        let now = self.now();
        if every > 0 {
            if let Some(entry) = self.entry_of(call) {
                self.add_timer(now + every, Timer::Announce(call, entry));
            }
        }
        if phase != Phase::Waiting {
            return;
        }
        let Some(position) = self.core.position(CallId(call)) else {
            return;
        };
        let ewt = self.ewt_s(qi, position);
        let minutes = ewt.div_ceil(60).max(1);
        let mut p = vec![json!("acd/position")];
        say_number(position as u64, &mut p);
        p.push(json!("acd/wait"));
        say_number(minutes, &mut p);
        p.push(json!("acd/minutes"));
        if let Some(c) = self.callers.get_mut(&call) {
            c.announcements += 1;
        }
        self.reg.bus.publish(
            json!({"event": "acd_announce", "call": call, "queue": queue,
            "position": position, "ewt_s": ewt}),
        );
        self.play(call, p, false, false);
    }

    /// A play, collect or recording of a caller ended.
    pub(super) fn media_done(&mut self, call: u64, id: u64, kind: &str, e: &Value) {
        let Some(c) = self.callers.get_mut(&call) else {
            return;
        };
        if c.recording == Some(id) {
            c.recording = None;
            return;
        }
        if c.media != Some(id) {
            return;
        }
        c.media = None;
        if e["reason"] == "stopped" {
            return;
        }
        let phase = c.phase;
        let (announcements, qi) = (c.announcements, c.qid.0 as usize);
        match (kind, phase) {
            ("play_done", Phase::Waiting) => {
                let offer_after = self.queues.get(qi).map_or(0, |q| q.def.offer_after);
                let has_message = self.queues.get(qi).is_some_and(|q| q.def.message.is_some());
                if has_message
                    && offer_after > 0
                    && announcements > 0
                    && announcements % offer_after == 0
                {
                    self.offer_choice(call);
                } else {
                    self.music(call);
                }
            }
            ("play_done", Phase::Choosing) => {
                // Digits pressed during the prompt count (no flush).
                match self.exec(json!({"cmd": "collect", "call": call, "max_digits": 1,
                    "first_timeout_ms": 6000}))
                {
                    Ok(r) => {
                        if let (Some(id), Some(c)) =
                            (r["media_id"].as_u64(), self.callers.get_mut(&call))
                        {
                            c.media = Some(id);
                            self.by_media.insert(id, call);
                        }
                    }
                    Err(e) => {
                        log::warn!(
                            "call {call}: keep-waiting choice not collected: {}",
                            e.message
                        );
                        if let Some(c) = self.callers.get_mut(&call) {
                            c.phase = Phase::Waiting;
                        }
                        self.music(call);
                    }
                }
            }
            ("collect_done", Phase::Choosing) => {
                let digits = e["digits"].as_str().unwrap_or("");
                if let Some(c) = self.callers.get_mut(&call) {
                    c.phase = Phase::Waiting;
                }
                let target = self.queues.get(qi).and_then(|q| q.def.message.clone());
                match (digits, target) {
                    ("2", Some(t)) => self.overflow(call, OverflowReason::CallerChoice, &t),
                    _ => self.music(call),
                }
            }
            _ => {}
        }
    }

    /// "Press 1 to keep waiting, 2 to leave a message."
    fn offer_choice(&mut self, call: u64) {
        self.exec_quiet(json!({"cmd": "collect_stop", "call": call}));
        if let Some(c) = self.callers.get_mut(&call) {
            c.phase = Phase::Choosing;
        }
        self.play(call, vec![json!("acd/keep_or_message")], false, true);
        if self.callers.get(&call).is_some_and(|c| c.media.is_none()) {
            if let Some(c) = self.callers.get_mut(&call) {
                c.phase = Phase::Waiting;
            }
            self.music(call);
        }
    }

    /// The maximum-wait timer.
    pub(super) fn max_wait(&mut self, call: u64) {
        let Some(c) = self.callers.get(&call) else {
            return;
        };
        match c.phase {
            Phase::Waiting | Phase::Choosing => {}
            // An agent's phone is ringing: decide when the offer ends.
            Phase::Ringing { .. } => {
                let at = self.now() + 1000;
                let entry = c.entry;
                self.add_timer(at, Timer::MaxWait(call, entry));
                return;
            }
            _ => return,
        }
        let target = self.queue_by_id(c.qid).and_then(|q| q.def.overflow.clone());
        match target {
            Some(t) => self.overflow(call, OverflowReason::MaxWait, &t),
            None => {
                // Nowhere to go: the caller hears the queue is closed (cause 34).
                let queue = c.queue.clone();
                let wait = self.now().saturating_sub(c.queued_at);
                self.leave_queue(call);
                self.emit(AcdEvent::Overflowed {
                    call,
                    queue,
                    reason: OverflowReason::MaxWait,
                    to: "release".into(),
                    wait_ms: wait,
                    at_ms: self.now(),
                });
                self.callers.remove(&call);
                self.exec_quiet(json!({"cmd": "hangup", "call": call, "cause": 34}));
            }
        }
    }

    /// Take a caller out of the core (it stays in `callers`).
    pub(super) fn leave_queue(&mut self, call: u64) {
        self.stop_media(call);
        if let Some(c) = self.callers.get_mut(&call) {
            if c.in_core {
                c.in_core = false;
                let now = self.now();
                let _ = self.core.release(CallId(call), now);
            }
        }
    }

    /// The call leaves its queue for `target`.
    pub(super) fn overflow(&mut self, call: u64, reason: OverflowReason, target: &Target) {
        let Some(c) = self.callers.get(&call) else {
            return;
        };
        let now = self.now();
        let (queue, wait) = (c.queue.clone(), now.saturating_sub(c.queued_at));
        self.leave_queue(call);
        self.emit(AcdEvent::Overflowed {
            call,
            queue,
            reason,
            to: target.label(),
            wait_ms: wait,
            at_ms: now,
        });
        self.route(call, target);
    }

    /// Send a caller the ACD no longer queues to a destination.
    pub(super) fn route(&mut self, call: u64, target: &Target) {
        self.stop_media(call);
        match target {
            Target::Queue(q) => {
                let Some(c) = self.callers.remove(&call) else {
                    return;
                };
                let priority = c.priority;
                if let Err(e) = self.enqueue(call, q, priority, c.vars) {
                    log::warn!("call {call}: to queue {q}: {}", e.message);
                    self.exec_quiet(json!({"cmd": "hangup", "call": call, "cause": 41}));
                }
            }
            Target::Flow(f, node) => {
                self.callers.remove(&call);
                self.reg.cdr_note(call, |x| x.abandoned = false);
                let _ = self.reg.ivr.try_send(crate::ivr::IvrCmd::Start {
                    call,
                    flow: Some(f.clone()),
                    node: node.clone(),
                    reply: None,
                });
            }
            Target::Number(ep) => {
                let ani = self
                    .callers
                    .get(&call)
                    .map(|c| c.ani.clone())
                    .unwrap_or_default();
                let mut req =
                    json!({"cmd": "dial", "trunk_group": ep.trunk_group, "number": ep.number});
                if !ani.is_empty() {
                    req["from"] = json!(ani);
                }
                match self.exec(req) {
                    Ok(r) => {
                        let leg = r["call"].as_u64().unwrap_or(0);
                        self.legs.insert(leg, Leg::Forward { caller: call });
                        if let Some(c) = self.callers.get_mut(&call) {
                            c.phase = Phase::Forwarded {
                                leg,
                                answered: false,
                            };
                        }
                        let label = ep.label();
                        self.reg.cdr_note(call, |x| {
                            x.transferred_to = Some(label);
                            x.linked_call = Some(leg);
                            x.abandoned = false;
                        });
                        self.exec_quiet(json!({"cmd": "tone", "call": call, "tone": "ringback"}));
                    }
                    Err(e) => {
                        log::warn!(
                            "call {call}: forward to {} failed: {}",
                            ep.label(),
                            e.message
                        );
                        self.callers.remove(&call);
                        self.exec_quiet(json!({"cmd": "hangup", "call": call, "cause": 34}));
                    }
                }
            }
            Target::Agent(a) => {
                let a = *a;
                self.transfer_to_agent(call, a);
            }
        }
    }

    /// The caller hung up (or was released).
    pub(super) fn caller_cleared(&mut self, call: u64) {
        let Some(c) = self.callers.get(&call).cloned() else {
            return;
        };
        let now = self.now();
        match c.phase {
            Phase::Waiting | Phase::Choosing | Phase::Ringing { .. } => {
                if let Phase::Ringing { leg, .. } = c.phase {
                    self.legs.remove(&leg);
                    self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
                }
                if c.in_core {
                    let _ = self.core.release(CallId(call), now);
                    self.emit(AcdEvent::Abandoned {
                        call,
                        queue: c.queue.clone(),
                        wait_ms: now.saturating_sub(c.queued_at),
                        at_ms: now,
                    });
                }
            }
            Phase::Connected { agent, leg } => {
                self.legs.remove(&leg);
                self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
                self.agent_released(agent, call, now);
                if let Some(third) = c.conference {
                    self.drop_leg(third);
                }
            }
            Phase::Forwarded { leg, .. } => {
                self.legs.remove(&leg);
                self.exec_quiet(json!({"cmd": "hangup", "call": leg, "cause": 16}));
            }
        }
        self.by_media.retain(|_, c| *c != call);
        self.callers.remove(&call);
    }
}
