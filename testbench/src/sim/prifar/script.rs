//! The scripted far-end PRI: one [`Pri`] plus the behaviour the control
//! socket sets (the inbound policy, batches of outbound calls), with
//! counters and an event log.
//!
//! Pure logic, no threads, sockets or HDLC: frames in with
//! [`PriScript::handle_frame`], frames out with [`PriScript::poll_transmit`],
//! time in board milliseconds with [`PriScript::tick`]. The simulator drives
//! it from its tick engine; tests drive it directly.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{json, Value};
use trunk_isdn::call::{
    CallId, ClearedBy, Digits, Pri, PriConfig, PriEvent, SetupRequest, State, Variant,
};
use trunk_isdn::lapd::Role;

use super::types::{CallPlan, FarCounters, PriCommand, PriPolicy};
use super::watch::Watched;
use crate::sim::pbx::{Decision, Pbx};

/// Entries kept in the event log.
pub const EVENT_LOG: usize = 32;
/// Cause used when this side clears an answered call (normal call clearing).
const NORMAL_CLEARING: u8 = 16;

/// The script's view of one call.
#[derive(Debug, Clone, Default)]
pub(super) struct Tracked {
    /// The call came from trunkd.
    pub(super) inbound: bool,
    /// Inbound: the policy was applied (the number is complete).
    pub(super) decided: bool,
    /// The call was answered (either side).
    pub(super) answered: bool,
    pub(super) answer_at: Option<u64>,
    pub(super) hangup_at: Option<u64>,
    /// How long an answered call lasts before this side clears it.
    pub(super) hold_ms: Option<u64>,
    /// Overlap sending: digits still to send and when the next one goes.
    pub(super) digits: VecDeque<u8>,
    pub(super) digit_at: Option<u64>,
    pub(super) digit_interval: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Answer,
    Hangup,
    Digit,
}

impl Tracked {
    fn due(&self, now: u64) -> Option<Action> {
        let due = |t: Option<u64>| t.is_some_and(|t| t <= now);
        if due(self.answer_at) {
            Some(Action::Answer)
        } else if due(self.hangup_at) {
            Some(Action::Hangup)
        } else if due(self.digit_at) {
            Some(Action::Digit)
        } else {
            None
        }
    }

    fn next(&self) -> Option<u64> {
        [self.answer_at, self.hangup_at, self.digit_at]
            .into_iter()
            .flatten()
            .min()
    }
}

#[derive(Debug, Clone)]
pub(super) struct Batch {
    pub(super) plan: CallPlan,
    pub(super) placed: u32,
    pub(super) next_at: u64,
}

/// A scripted PRI far end: a `Pri` with an inbound policy, batches of
/// outbound calls, counters and an event log. Frames in with
/// [`handle_frame`](Self::handle_frame), out with
/// [`poll_transmit`](Self::poll_transmit); board time with
/// [`tick`](Self::tick).
#[derive(Debug)]
pub struct PriScript {
    pub(super) pri: Pri,
    pub(super) policy: PriPolicy,
    pub(super) calls: BTreeMap<CallId, Tracked>,
    pub(super) batches: VecDeque<Batch>,
    pub(super) counters: FarCounters,
    pub(super) log: VecDeque<(u64, String)>,
    pub(super) now: u64,
    /// Calls placed for a caller outside the script (the traffic
    /// generator) and their events.
    pub(super) watched: Watched,
    /// Per-extension behaviour (`pbx`); replaces `policy` for calls from
    /// trunkd while set.
    pub(super) pbx: Option<Pbx>,
    started: bool,
}

impl PriScript {
    /// The stack configuration of a far end: `network` side or user side,
    /// `variant` (default ETSI on E1, NI-2 on T1), on a T1 or E1 line.
    pub fn config(network: bool, variant: Option<Variant>, t1: bool) -> PriConfig {
        let role = if network { Role::Network } else { Role::User };
        let variant = variant.unwrap_or(if t1 { Variant::Ni2 } else { Variant::Etsi });
        let mut c = PriConfig::new(role, variant);
        c.t1 = t1;
        c.law = if t1 {
            trunk_isdn::call::Law::MuLaw
        } else {
            trunk_isdn::call::Law::ALaw
        };
        c
    }

    /// A far end with the default policy and no calls; call
    /// [`start`](Self::start) to bring the data link up.
    pub fn new(cfg: PriConfig) -> PriScript {
        PriScript {
            pri: Pri::new(cfg),
            policy: PriPolicy::default(),
            calls: BTreeMap::new(),
            batches: VecDeque::new(),
            counters: FarCounters::default(),
            log: VecDeque::with_capacity(EVENT_LOG),
            now: 0,
            watched: Watched::default(),
            pbx: None,
            started: false,
        }
    }

    /// The stack.
    pub fn pri(&self) -> &Pri {
        &self.pri
    }

    /// The inbound policy in force.
    pub fn policy(&self) -> PriPolicy {
        self.policy
    }

    /// Replace the inbound policy (calls already decided keep theirs).
    pub fn set_policy(&mut self, policy: PriPolicy) {
        self.policy = policy;
    }

    /// The PBX config and counters, when `pbx` set one.
    pub fn pbx(&self) -> Option<&Pbx> {
        self.pbx.as_ref()
    }

    /// The counters.
    pub fn counters(&self) -> &FarCounters {
        &self.counters
    }

    /// The last 32 stack events (and refused script requests),
    /// oldest first, with their board time.
    pub fn events(&self) -> impl Iterator<Item = (u64, &str)> + '_ {
        self.log.iter().map(|(t, s)| (*t, s.as_str()))
    }

    /// Calls of batches not placed yet.
    pub fn pending_calls(&self) -> u64 {
        self.batches
            .iter()
            .map(|b| u64::from(b.plan.count - b.placed))
            .sum()
    }

    /// Whether [`start`](Self::start) was called.
    pub fn is_started(&self) -> bool {
        self.started
    }

    /// Bring the data link up (once; later calls do nothing).
    pub fn start(&mut self, now: u64) {
        if !self.started {
            self.started = true;
            self.now = now;
            self.pri.start(now);
            self.process(now);
        }
    }

    /// One frame received on the D-channel (address, control, information).
    pub fn handle_frame(&mut self, now: u64, frame: &[u8]) {
        self.now = now.max(self.now);
        self.pri.handle_frame(now, frame);
        self.process(now);
    }

    /// Run stack timers and scripted actions due at `now`.
    pub fn tick(&mut self, now: u64) {
        self.now = now.max(self.now);
        if self.pri.poll_timeout().is_some_and(|t| t <= now) {
            self.pri.handle_timeout(now);
        }
        self.process(now);
    }

    /// The earliest time [`tick`](Self::tick) has something to do.
    pub fn next_deadline(&self) -> Option<u64> {
        let script = self.calls.values().filter_map(Tracked::next);
        let batches = self.batches.iter().map(|b| b.next_at);
        script.chain(batches).chain(self.pri.poll_timeout()).min()
    }

    /// The next frame to send (at least 264 octets of `buf`).
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.pri.poll_transmit(buf)
    }

    /// Carry out a control request; `Ok` is the reply's payload (without
    /// `"ok"`), `Err` the error text.
    pub fn command(&mut self, now: u64, cmd: &PriCommand) -> Result<Value, String> {
        self.now = now.max(self.now);
        let reply = match cmd {
            PriCommand::Policy(p) => {
                self.policy = *p;
                json!({ "policy": super::report::policy_json(p) })
            }
            PriCommand::Call(plan) => {
                plan.validate()?;
                if !self.pri.is_link_up() {
                    return Err("the far end's D-channel data link is down".into());
                }
                let last = self.calls.keys().next_back().copied();
                self.batches.push_back(Batch {
                    plan: plan.clone(),
                    placed: 0,
                    next_at: now,
                });
                self.process(now);
                let ids: Vec<u32> = self
                    .calls
                    .iter()
                    .filter(|(id, t)| !t.inbound && Some(**id) > last)
                    .map(|(id, _)| id.0)
                    .collect();
                json!({ "calls": ids, "pending": self.pending_calls() })
            }
            PriCommand::Hangup {
                call: Some(id),
                cause,
            } => {
                self.pri
                    .hangup(now, CallId(*id), *cause)
                    .map_err(|e| format!("call {id}: {e}"))?;
                self.process(now);
                json!({ "call": id })
            }
            PriCommand::Hangup { call: None, cause } => {
                let cancelled = self.pending_calls();
                self.batches.clear();
                let live: Vec<CallId> = self
                    .pri
                    .calls()
                    .filter(|c| !clearing(c.state))
                    .map(|c| c.id)
                    .collect();
                for &id in &live {
                    if let Err(e) = self.pri.hangup(now, id, *cause) {
                        self.note(now, format!("script: hangup of call {id} refused: {e}"));
                    }
                }
                self.process(now);
                json!({ "hung_up": live.len(), "cancelled": cancelled })
            }
            PriCommand::Restart { channel } => {
                self.pri.restart(now, *channel).map_err(|e| e.to_string())?;
                self.process(now);
                json!({ "channel": channel })
            }
            PriCommand::Status => self.status_json(),
            PriCommand::Pbx(Some(cfg)) => {
                match &mut self.pbx {
                    Some(p) => p.reconfigure((**cfg).clone()),
                    None => self.pbx = Some(Pbx::new((**cfg).clone())),
                }
                json!({ "pbx": true, "config": cfg.to_json() })
            }
            PriCommand::Pbx(None) => {
                self.pbx = None;
                json!({ "pbx": false, "policy": super::report::policy_json(&self.policy) })
            }
            PriCommand::PbxStatus => match &self.pbx {
                Some(p) => p.status_json(),
                None => json!({ "pbx": false }),
            },
        };
        Ok(reply)
    }

    /// Handle stack events and due actions until nothing more happens.
    pub(super) fn process(&mut self, now: u64) {
        loop {
            let mut busy = false;
            while let Some(e) = self.pri.poll_event() {
                busy = true;
                self.on_event(now, e);
            }
            busy |= self.run_due(now);
            if !busy {
                break;
            }
        }
    }

    fn on_event(&mut self, now: u64, e: PriEvent) {
        self.note(now, super::report::describe(&e));
        self.watched.observe(now, &e);
        let c = &mut self.counters;
        match e {
            PriEvent::LinkUp => c.link_ups += 1,
            PriEvent::LinkDown => c.link_downs += 1,
            PriEvent::IncomingCall { call, complete, .. } => {
                c.received += 1;
                self.calls.insert(
                    call,
                    Tracked {
                        inbound: true,
                        ..Tracked::default()
                    },
                );
                if complete {
                    self.decide(now, call);
                }
            }
            PriEvent::Digits {
                call,
                complete: true,
                ..
            } => {
                if self.calls.get(&call).is_some_and(|t| !t.decided) {
                    self.decide(now, call);
                }
            }
            PriEvent::MoreDigitsWanted { call } => {
                if let Some(t) = self.calls.get_mut(&call) {
                    if !t.digits.is_empty() {
                        t.digit_at = Some(now);
                    }
                }
            }
            PriEvent::Proceeding { call, .. } | PriEvent::Alerting { call, .. } => {
                // The far side stopped collecting digits (or never did).
                if let Some(t) = self.calls.get_mut(&call) {
                    t.digits.clear();
                    t.digit_at = None;
                }
            }
            PriEvent::Answered { call, .. } | PriEvent::Connected { call } => {
                if matches!(e, PriEvent::Answered { .. }) {
                    c.answered += 1;
                } else {
                    c.received_answered += 1;
                }
                if let (PriEvent::Connected { .. }, Some(p)) = (&e, &mut self.pbx) {
                    p.answered(call, now);
                }
                if let Some(t) = self.calls.get_mut(&call) {
                    t.answered = true;
                    t.digits.clear();
                    t.digit_at = None;
                    t.hangup_at = t.hold_ms.map(|ms| now + ms);
                }
            }
            PriEvent::Cleared {
                call, cause, by, ..
            } => {
                match by {
                    ClearedBy::Remote => c.cleared_by_trunkd += 1,
                    ClearedBy::Local => c.cleared_by_far += 1,
                    ClearedBy::Timer => c.cleared_by_timer += 1,
                    ClearedBy::Protocol => c.cleared_by_protocol += 1,
                }
                if let Some(p) = &mut self.pbx {
                    p.cleared(call, now);
                }
                if let Some(t) = self.calls.remove(&call) {
                    if !t.inbound && !t.answered && by != ClearedBy::Local {
                        c.rejected += 1;
                        *c.reject_causes.entry(cause).or_default() += 1;
                    }
                }
            }
            PriEvent::Restarted { remote, .. } => {
                if remote {
                    c.restarts_received += 1;
                } else {
                    c.restarts_acknowledged += 1;
                }
            }
            PriEvent::ProtocolError { .. } => c.protocol_errors += 1,
            PriEvent::Digits { .. } | PriEvent::Progress { .. } => {}
            PriEvent::StatusReceived { .. } => {}
        }
    }

    /// Apply the policy (or the PBX's, by called number) to an inbound
    /// call whose number is complete.
    fn decide(&mut self, now: u64, call: CallId) {
        let mut p = self.policy;
        if let Some(pbx) = &mut self.pbx {
            let number = self.pri.call(call).map(|c| c.called.digits.to_string());
            p = match pbx.offer(call, number.as_deref().unwrap_or("")) {
                Decision::Clear { cause } => PriPolicy {
                    reject_cause: Some(cause),
                    ring: false,
                    ..p
                },
                Decision::Ring {
                    answer_after_ms,
                    talk_ms,
                } => PriPolicy {
                    answer_after_ms,
                    reject_cause: None,
                    hangup_after_ms: talk_ms,
                    ring: true,
                },
            };
        }
        let Some(t) = self.calls.get_mut(&call) else {
            return;
        };
        t.decided = true;
        t.hold_ms = p.hangup_after_ms;
        if let Some(cause) = p.reject_cause {
            self.counters.received_rejected += 1;
            if p.ring {
                self.request(now, call, "CALL PROCEEDING", |pri| {
                    pri.proceeding(now, call)
                });
                self.request(now, call, "ALERTING", |pri| pri.alerting(now, call));
            }
            self.request(now, call, "reject", |pri| pri.hangup(now, call, cause));
            return;
        }
        t.answer_at = p.answer_after_ms.map(|ms| now + ms);
        if p.ring {
            self.request(now, call, "CALL PROCEEDING", |pri| {
                pri.proceeding(now, call)
            });
            self.request(now, call, "ALERTING", |pri| pri.alerting(now, call));
        } else if p.answer_after_ms != Some(0) {
            self.request(now, call, "CALL PROCEEDING", |pri| {
                pri.proceeding(now, call)
            });
        }
    }

    /// Make a stack request for `call`; a refusal is logged and counted.
    fn request(
        &mut self,
        now: u64,
        call: CallId,
        what: &str,
        f: impl FnOnce(&mut Pri) -> Result<(), trunk_isdn::call::PriError>,
    ) -> bool {
        match f(&mut self.pri) {
            Ok(()) => true,
            Err(e) => {
                self.counters.request_errors += 1;
                self.note(now, format!("script: {what} for call {call} refused: {e}"));
                false
            }
        }
    }

    /// Run the call actions and batch placements due at `now`; whether any ran.
    fn run_due(&mut self, now: u64) -> bool {
        let mut ran = false;
        while let Some((call, action)) = self
            .calls
            .iter()
            .find_map(|(id, t)| t.due(now).map(|a| (*id, a)))
        {
            ran = true;
            let Some(t) = self.calls.get_mut(&call) else {
                break;
            };
            match action {
                Action::Answer => {
                    t.answer_at = None;
                    self.request(now, call, "CONNECT", |pri| pri.answer(now, call));
                }
                Action::Hangup => {
                    t.hangup_at = None;
                    self.request(now, call, "hangup", |pri| {
                        pri.hangup(now, call, NORMAL_CLEARING)
                    });
                }
                Action::Digit => {
                    let d = t.digits.pop_front().unwrap_or(b'#');
                    let complete = t.digits.is_empty();
                    t.digit_at = match (complete, t.digit_interval) {
                        (true, _) => None,
                        (false, 0) => Some(now),
                        (false, i) => Some(now + i),
                    };
                    let digit = Digits::from_bytes(&[d]).unwrap_or_default();
                    let ok = self.request(now, call, "INFORMATION", |pri| {
                        pri.information(now, call, &digit, complete)
                    });
                    if !ok {
                        if let Some(t) = self.calls.get_mut(&call) {
                            t.digits.clear();
                            t.digit_at = None;
                        }
                    }
                }
            }
        }
        for i in 0..self.batches.len() {
            while self.batches[i].next_at <= now
                && self.batches[i].placed < self.batches[i].plan.count
            {
                ran = true;
                let b = &mut self.batches[i];
                let index = b.placed;
                b.placed += 1;
                b.next_at = now + b.plan.interval_ms;
                let plan = b.plan.clone();
                self.place(now, &plan, index);
            }
        }
        self.batches.retain(|b| b.placed < b.plan.count);
        ran
    }

    /// Send the SETUP of call `index` of `plan`.
    fn place(&mut self, now: u64, plan: &CallPlan, index: u32) {
        let number = plan.number.as_bytes();
        let overlap = plan.overlap && number.len() > 1;
        let first = if overlap { &number[..1] } else { number };
        let called = Digits::from_bytes(first).unwrap_or_default();
        let mut req = SetupRequest::new(called, plan.calling(index));
        req.complete = !overlap;
        match self.pri.setup(now, &req) {
            Ok(id) => {
                self.counters.placed += 1;
                let digits = if overlap {
                    number[1..].iter().copied().collect()
                } else {
                    VecDeque::new()
                };
                self.calls.insert(
                    id,
                    Tracked {
                        hold_ms: plan.hangup_after_ms,
                        digits,
                        digit_interval: plan.digit_interval_ms,
                        ..Tracked::default()
                    },
                );
            }
            Err(e) => {
                self.counters.place_failed += 1;
                self.note(
                    now,
                    format!(
                        "script: call {} of {} not placed: {e}",
                        index + 1,
                        plan.count
                    ),
                );
            }
        }
    }

    /// Append to the event log.
    pub(super) fn note(&mut self, now: u64, text: String) {
        if self.log.len() >= EVENT_LOG {
            self.log.pop_front();
        }
        self.log.push_back((now, text));
    }
}

/// Whether a call is already being cleared.
pub(super) fn clearing(s: State) -> bool {
    matches!(
        s,
        State::DisconnectRequest
            | State::DisconnectIndication
            | State::ReleaseRequest
            | State::Null
    )
}
