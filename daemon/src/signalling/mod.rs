//! The signalling thread: runs the ISDN PRI stack of every PRI span.
//!
//! Board threads hand it received D-channel frames ([`DFrame`]) over one
//! bounded channel; it feeds them to the span's [`Pri`], drives the Q.931
//! and Q.921 timers from the span's board clock, queues the frames to send
//! on per-span bounded channels back to the board thread, turns stack
//! events into call records and API events, and applies each trunk
//! group's inbound action. API requests (dial, answer, hangup, restart)
//! arrive as [`SigCmd`]s with a reply channel.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use serde_json::{json, Value};
use trunk_isdn::call::{CallId, Number, Pri, PriConfig, PriEvent};
use trunk_isdn::lapd::Role;

use crate::api::commands::ApiError;
use crate::calls::{unix_ms, CallRecord, Direction, Numbering};
use crate::config::{Config, InboundAction, Signalling, SpanConfig};
use crate::dchan::DFrame;
use crate::registry::{lock, Registry};
use crate::state::BoardShared;

mod commands;

/// Reply to a [`SigCmd`].
pub type Reply = Sender<Result<Value, ApiError>>;

/// A request from the API to the signalling thread.
pub enum SigCmd {
    /// Place a call on a trunk group.
    Dial {
        /// Trunk group name.
        trunk_group: String,
        /// Called number.
        number: String,
        /// Calling number.
        from: Option<String>,
        /// Type/plan of both numbers and the calling number's presentation.
        numbering: Numbering,
        /// Where the answer goes.
        reply: Reply,
    },
    /// Answer an inbound call.
    Answer {
        /// Daemon call id.
        call: u64,
        /// Where the answer goes.
        reply: Reply,
    },
    /// Clear or reject a call.
    Hangup {
        /// Daemon call id.
        call: u64,
        /// Q.850 cause.
        cause: u8,
        /// Where the answer goes.
        reply: Reply,
    },
    /// Restart a B-channel or the whole span.
    Restart {
        /// Global span number.
        span: u32,
        /// Channel, or the whole interface.
        channel: Option<u8>,
        /// Where the answer goes.
        reply: Reply,
    },
}

/// One PRI span's stack and where its board is.
struct PriSpan {
    cfg: SpanConfig,
    pri: Pri,
    /// Board thread generation currently attached.
    gen: u32,
    shared: Option<Arc<BoardShared>>,
    dtx: Option<Sender<DFrame>>,
    /// Span time = `base + board_ms - attach_ms` (monotonic across board restarts).
    base: u64,
    attach_ms: u64,
    last: u64,
    calls: HashMap<CallId, u64>,
}

impl PriSpan {
    fn now(&mut self) -> u64 {
        let board = self
            .shared
            .as_ref()
            .map_or(0, |s| s.frames.load(Ordering::Relaxed) / 8);
        let t = self.base + board.saturating_sub(self.attach_ms);
        self.last = self.last.max(t);
        self.last
    }
}

/// Handle of the running signalling thread.
pub struct Signaller {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Signaller {
    /// Start the thread (takes the registry's frame and command receivers).
    pub fn start(reg: Arc<Registry>) -> Signaller {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let frames = lock(&reg.drx_rx).take();
        let cmds = lock(&reg.sig_rx).take();
        let thread = match (frames, cmds) {
            (Some(frames), Some(cmds)) => std::thread::Builder::new()
                .name("signalling".into())
                .spawn(move || {
                    let mut svc = Service {
                        reg,
                        spans: BTreeMap::new(),
                        by_port: HashMap::new(),
                        by_call: HashMap::new(),
                        next_call: 1,
                        api_wait: HashMap::new(),
                        reloads: u64::MAX,
                    };
                    svc.run(&frames, &cmds, &s);
                })
                .ok(),
            _ => None,
        };
        if thread.is_none() {
            log::error!("cannot start the signalling thread");
        }
        Signaller { stop, thread }
    }

    /// Stop the thread.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Service {
    reg: Arc<Registry>,
    spans: BTreeMap<u32, PriSpan>,
    /// (board generation, position) -> span.
    by_port: HashMap<(u32, u8), u32>,
    /// Daemon call id -> (span, stack call id).
    by_call: HashMap<u64, (u32, CallId)>,
    next_call: u64,
    /// Inbound calls waiting for an API client: call -> (span time deadline).
    api_wait: HashMap<u64, u64>,
    reloads: u64,
}

fn pri_config(s: &SpanConfig) -> PriConfig {
    let role = if s.signalling == Signalling::PriNet {
        Role::Network
    } else {
        Role::User
    };
    let mut c = PriConfig::new(role, s.pri.variant);
    c.t1 = s.settings.t1;
    c.law = if s.settings.t1 {
        trunk_isdn::call::Law::MuLaw
    } else {
        trunk_isdn::call::Law::ALaw
    };
    c.overlap_receive = s.pri.overlap;
    c.restart_at_startup = s.pri.restart_at_startup;
    c
}

impl Service {
    fn run(&mut self, frames: &Receiver<DFrame>, cmds: &Receiver<SigCmd>, stop: &AtomicBool) {
        let mut last_refresh = Instant::now() - Duration::from_secs(1);
        while !stop.load(Ordering::Relaxed) {
            if last_refresh.elapsed() >= Duration::from_millis(100) {
                self.refresh();
                last_refresh = Instant::now();
            }
            select! {
                recv(frames) -> f => if let Ok(f) = f { self.rx_frame(&f) },
                recv(cmds) -> c => if let Ok(c) = c { self.command(c) },
                default(Duration::from_millis(2)) => {}
            }
            while let Ok(f) = frames.try_recv() {
                self.rx_frame(&f);
            }
            let nums: Vec<u32> = self.spans.keys().copied().collect();
            for n in nums {
                self.service(n);
            }
        }
        // Shutting down: every call ends here.
        let ids: Vec<u64> = self.by_call.keys().copied().collect();
        for id in ids {
            self.end_call(id, 41, "local", None);
        }
    }

    /// Follow configuration reloads and board restarts.
    fn refresh(&mut self) {
        let reloads = self.reg.reloads.load(Ordering::Relaxed);
        if reloads != self.reloads {
            self.reloads = reloads;
            let cfg = self.reg.config();
            self.apply_config(&cfg);
        }
        self.publish_status();
        let boards = self.reg.boards();
        self.by_port.clear();
        for (n, s) in self.spans.iter_mut() {
            let Some(b) = boards.iter().find(|b| b.name == s.cfg.board) else {
                s.shared = None;
                s.dtx = None;
                continue;
            };
            let pos = s.cfg.board_span - 1;
            if b.gen != s.gen {
                let t = s.now();
                s.gen = b.gen;
                s.base = t;
                s.attach_ms = b.shared.frames.load(Ordering::Relaxed) / 8;
                s.shared = Some(b.shared.clone());
                s.dtx = b.dtx.get(pos).cloned();
            }
            self.by_port.insert((b.gen, pos as u8), *n);
        }
    }

    /// Per-span PRI status for `spans`.
    fn publish_status(&self) {
        let mut m = lock(&self.reg.pri);
        m.clear();
        for (n, s) in &self.spans {
            let st = s.pri.stats();
            let ls = s.pri.link_stats();
            let idle = s
                .pri
                .config()
                .b_channels()
                .filter(|&c| s.pri.channel_idle(c))
                .count();
            m.insert(
                *n,
                json!({
                    "role": s.cfg.signalling.name(),
                    "variant": s.cfg.pri.variant.name(),
                    "link": if s.pri.is_link_up() { "up" } else { "down" },
                    "calls": s.pri.calls().count(),
                    "idle_channels": idle,
                    "calls_in": st.calls_in,
                    "calls_out": st.calls_out,
                    "protocol_errors": st.protocol_errors,
                    "rx_messages": st.rx_messages,
                    "tx_messages": st.tx_messages,
                    "lapd": {
                        "rx_frames": ls.rx_frames,
                        "tx_frames": ls.tx_frames,
                        "retransmitted": ls.tx_i_retransmitted,
                        "t200_expiries": ls.t200_expiries,
                        "mdl_errors": ls.mdl_errors,
                    },
                }),
            );
        }
    }

    fn apply_config(&mut self, cfg: &Config) {
        let wanted: BTreeMap<u32, &SpanConfig> = cfg
            .spans
            .iter()
            .filter(|(_, s)| s.signalling.is_pri() && s.settings.enabled)
            .map(|(n, s)| (*n, s))
            .collect();
        let gone: Vec<u32> = self
            .spans
            .iter()
            .filter(|(n, s)| wanted.get(n).is_none_or(|w| **w != s.cfg))
            .map(|(n, _)| *n)
            .collect();
        for n in gone {
            if let Some(s) = self.spans.remove(&n) {
                for id in s.calls.values().copied().collect::<Vec<_>>() {
                    self.end_call(id, 41, "local", None);
                }
                log::info!("span {n}: PRI stopped");
            }
        }
        for (n, s) in wanted {
            if self.spans.contains_key(&n) {
                continue;
            }
            let mut ps = PriSpan {
                cfg: s.clone(),
                pri: Pri::new(pri_config(s)),
                gen: 0,
                shared: None,
                dtx: None,
                base: 0,
                attach_ms: 0,
                last: 0,
                calls: HashMap::new(),
            };
            let now = ps.now();
            ps.pri.start(now);
            log::info!(
                "span {n}: PRI {} {} started",
                s.signalling.name(),
                s.pri.variant
            );
            self.spans.insert(n, ps);
        }
    }

    fn rx_frame(&mut self, f: &DFrame) {
        let Some(&n) = self.by_port.get(&(f.board_gen, f.pos)) else {
            return;
        };
        let Some(s) = self.spans.get_mut(&n) else {
            return;
        };
        let now = s.now();
        if self.reg.bus.capturing() {
            publish_frame(&self.reg, n, false, now, f.bytes());
        }
        s.pri.handle_frame(now, f.bytes());
        self.service(n);
    }

    /// Run due timers, send queued frames, handle events.
    fn service(&mut self, n: u32) {
        let Some(s) = self.spans.get_mut(&n) else {
            return;
        };
        let now = s.now();
        if s.pri.poll_timeout().is_some_and(|t| t <= now) {
            s.pri.handle_timeout(now);
        }
        let mut buf = [0u8; 300];
        while let Some(len) = s.pri.poll_transmit(&mut buf) {
            if self.reg.bus.capturing() {
                publish_frame(&self.reg, n, true, now, &buf[..len]);
            }
            let sent = match (&s.dtx, DFrame::new(0, 0, &buf[..len])) {
                (Some(tx), Some(f)) => tx.try_send(f).is_ok(),
                _ => false,
            };
            if !sent {
                log::debug!("span {n}: D-channel transmit queue full or board away");
            }
        }
        let mut events = Vec::new();
        while let Some(e) = s.pri.poll_event() {
            events.push(e);
        }
        for e in events {
            self.event(n, e);
        }
        // Inbound calls left waiting for an API client too long.
        if !self.api_wait.is_empty() {
            let expired: Vec<u64> = self
                .api_wait
                .iter()
                .filter(|(id, d)| {
                    self.by_call.get(id).is_some_and(|(sp, _)| *sp == n) && **d <= now
                })
                .map(|(id, _)| *id)
                .collect();
            for id in expired {
                self.api_wait.remove(&id);
                log::info!("call {id}: no API client answered in time; rejecting (cause 18)");
                let _ = self.hangup(id, 18);
            }
        }
    }

    fn event(&mut self, n: u32, e: PriEvent) {
        match e {
            PriEvent::LinkUp | PriEvent::LinkDown => {
                let up = e == PriEvent::LinkUp;
                log::info!("span {n}: D-channel {}", if up { "up" } else { "down" });
                self.reg.bus.publish(
                    json!({"event": "link", "span": n, "state": if up { "up" } else { "down" }}),
                );
            }
            PriEvent::IncomingCall {
                call,
                channel,
                called,
                calling,
                complete,
                ..
            } => {
                let id = self.new_call(
                    n,
                    call,
                    Direction::Inbound,
                    Some(channel),
                    &called,
                    calling.as_ref(),
                );
                log::info!(
                    "call {id}: inbound on span {n} B{channel} from {} to {}{}",
                    calling.map_or("(no number)".into(), |c| c.digits.to_string()),
                    called.digits,
                    if complete { "" } else { " (overlap)" }
                );
                self.publish_call("call_incoming", id);
                if complete {
                    self.inbound_action(n, id);
                }
            }
            PriEvent::Digits {
                call,
                called,
                complete,
            } => {
                let Some(id) = self.id_of(n, call) else {
                    return;
                };
                self.update(id, |r| r.dnis = called.digits.to_string());
                if complete {
                    self.publish_call("call_number_complete", id);
                    self.inbound_action(n, id);
                }
            }
            PriEvent::MoreDigitsWanted { call } => {
                if let Some(id) = self.id_of(n, call) {
                    self.publish_call("call_more_digits", id);
                }
            }
            PriEvent::Proceeding { call, channel } => {
                self.progress(n, call, "proceeding", Some(channel))
            }
            PriEvent::Alerting { call, channel, .. } => {
                self.progress(n, call, "alerting", Some(channel))
            }
            PriEvent::Progress { call, .. } => self.progress(n, call, "progress", None),
            PriEvent::Answered { call, channel } => {
                let Some(id) = self.id_of(n, call) else {
                    return;
                };
                self.update(id, |r| {
                    r.state = "answered";
                    r.channel = Some(channel);
                    r.answered_ms = Some(unix_ms());
                });
                crate::mediasvc::channel_opened(&self.reg, n, channel);
                self.publish_call("call_answered", id);
            }
            PriEvent::Connected { call } => {
                let Some(id) = self.id_of(n, call) else {
                    return;
                };
                self.update(id, |r| {
                    r.state = "answered";
                    r.answered_ms.get_or_insert(unix_ms());
                });
                let ch = lock(&self.reg.calls)
                    .active
                    .get(&id)
                    .and_then(|r| r.channel);
                if let Some(ch) = ch {
                    crate::mediasvc::channel_opened(&self.reg, n, ch);
                }
                self.publish_call("call_answered", id);
            }
            PriEvent::Cleared {
                call, cause, by, ..
            } => {
                let Some(id) = self.id_of(n, call) else {
                    return;
                };
                self.end_call(id, cause, by.name(), Some(n));
            }
            PriEvent::Restarted { channel, remote } => {
                log::info!(
                    "span {n}: RESTART {} ({})",
                    channel.map_or("all".into(), |c| format!("channel {c}")),
                    if remote {
                        "by the far end"
                    } else {
                        "acknowledged"
                    }
                );
                self.reg.bus.publish(
                    json!({"event": "restart", "span": n, "channel": channel, "remote": remote}),
                );
            }
            PriEvent::ProtocolError {
                call,
                message,
                cause,
            } => {
                let id = call.and_then(|c| self.id_of(n, c));
                log::warn!(
                    "span {n}: Q.931 protocol error: message 0x{message:02x}, cause {cause} ({})",
                    trunk_isdn::q931::cause_name(cause)
                );
                self.reg.bus.publish(json!({"event": "protocol_error", "span": n, "call": id, "message": message, "cause": cause}));
            }
            PriEvent::StatusReceived { call, cause, state } => {
                let id = call.and_then(|c| self.id_of(n, c));
                log::warn!("span {n}: far end STATUS for call {id:?}: cause {cause} ({}), its call state {state}", trunk_isdn::q931::cause_name(cause));
            }
        }
        if let Some(s) = self.spans.get(&n) {
            // Keep Q.931 state numbers current for listings.
            let states: Vec<(u64, u8)> = s
                .pri
                .calls()
                .filter_map(|c| s.calls.get(&c.id).map(|id| (*id, c.state.number())))
                .collect();
            let mut t = lock(&self.reg.calls);
            for (id, st) in states {
                if let Some(r) = t.active.get_mut(&id) {
                    r.q931_state = st;
                }
            }
        }
    }

    fn id_of(&self, n: u32, call: CallId) -> Option<u64> {
        self.spans.get(&n).and_then(|s| s.calls.get(&call).copied())
    }

    fn new_call(
        &mut self,
        n: u32,
        call: CallId,
        direction: Direction,
        channel: Option<u8>,
        called: &Number,
        calling: Option<&Number>,
    ) -> u64 {
        let id = self.next_call;
        self.next_call += 1;
        let tg = self
            .spans
            .get(&n)
            .map_or_else(String::new, |s| s.cfg.trunk_group.clone());
        if let Some(s) = self.spans.get_mut(&n) {
            s.calls.insert(call, id);
        }
        self.by_call.insert(id, (n, call));
        let rec = CallRecord {
            id,
            span: n,
            channel,
            trunk_group: tg,
            direction,
            ani: calling.map_or_else(String::new, |c| c.digits.to_string()),
            dnis: called.digits.to_string(),
            numbering: Numbering {
                ani_type: calling.map_or(0, |c| c.type_of_number),
                ani_plan: calling.map_or(0, |c| c.numbering_plan),
                ani_presentation: calling.map_or(2, |c| c.presentation),
                ani_screening: calling.map_or(0, |c| c.screening),
                dnis_type: called.type_of_number,
                dnis_plan: called.numbering_plan,
            },
            state: if direction == Direction::Inbound {
                "ringing"
            } else {
                "dialing"
            },
            q931_state: 0,
            started_ms: unix_ms(),
            answered_ms: None,
            ended_ms: None,
            cause: None,
            cleared_by: None,
        };
        lock(&self.reg.calls).active.insert(id, rec);
        id
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut CallRecord)) {
        if let Some(r) = lock(&self.reg.calls).active.get_mut(&id) {
            f(r);
        }
    }

    fn publish_call(&self, kind: &str, id: u64) {
        let rec = lock(&self.reg.calls)
            .active
            .get(&id)
            .map(CallRecord::to_json);
        if let Some(mut v) = rec {
            v["event"] = json!(kind);
            self.reg.bus.publish(v);
        }
    }

    fn progress(&mut self, n: u32, call: CallId, state: &'static str, channel: Option<u8>) {
        let Some(id) = self.id_of(n, call) else {
            return;
        };
        self.update(id, |r| {
            r.state = state;
            if channel.is_some_and(|c| c != 0) {
                r.channel = channel;
            }
        });
        self.publish_call(&format!("call_{state}"), id);
    }

    fn end_call(&mut self, id: u64, cause: u8, by: &'static str, _span: Option<u32>) {
        self.api_wait.remove(&id);
        lock(&self.reg.owners).remove(&id);
        lock(&self.reg.no_record).remove(&id);
        if let Some((n, call)) = self.by_call.remove(&id) {
            if let Some(s) = self.spans.get_mut(&n) {
                s.calls.remove(&call);
            }
        }
        let (rec, extras) = {
            let mut t = lock(&self.reg.calls);
            if let Some(r) = t.active.get_mut(&id) {
                r.state = "cleared";
                r.cause = Some(cause);
                r.cleared_by = Some(by);
                r.ended_ms = Some(unix_ms());
            }
            // Under the `calls` lock, so `cdr_note` cannot add to a call
            // whose CDR is already on its way.
            let extras = lock(&self.reg.cdr_extras).remove(&id);
            (t.end(id), extras.unwrap_or_default())
        };
        if let Some(ch) = rec.as_ref().and_then(|r| r.channel.map(|c| (r.span, c))) {
            crate::mediasvc::channel_closed(&self.reg, ch.0, ch.1);
        }
        if let Some(r) = rec {
            log::info!(
                "call {id}: ended, cause {cause} ({}), cleared by {by}",
                trunk_isdn::q931::cause_name(cause)
            );
            let mut v = r.to_json();
            v["event"] = json!("call_cleared");
            // The CDR writer publishes `call_cleared` once the record is on disk.
            crate::cdr::call_ended(&self.reg, &r, &extras, v);
        }
    }

    /// Apply the trunk group's inbound action to a call whose number is complete.
    fn inbound_action(&mut self, n: u32, id: u64) {
        let cfg = self.reg.config();
        let Some(s) = self.spans.get_mut(&n) else {
            return;
        };
        let Some(&(_, call)) = self.by_call.get(&id) else {
            return;
        };
        let action = cfg
            .trunk_groups
            .get(&s.cfg.trunk_group)
            .map_or(InboundAction::Answer, |t| t.inbound);
        let now = s.now();
        let r = match action {
            InboundAction::Answer => s
                .pri
                .proceeding(now, call)
                .and_then(|()| s.pri.answer(now, call)),
            InboundAction::Reject(cause) => s.pri.hangup(now, call, cause),
            InboundAction::Api(ms) => {
                self.api_wait.insert(id, now + ms);
                s.pri
                    .proceeding(now, call)
                    .and_then(|()| s.pri.alerting(now, call))
            }
            InboundAction::Flow => {
                let start = crate::ivr::IvrCmd::Start {
                    call: id,
                    flow: None,
                    node: None,
                    reply: None,
                };
                if self.reg.ivr.try_send(start).is_ok() {
                    s.pri.proceeding(now, call)
                } else {
                    log::warn!("call {id}: the IVR is not keeping up; rejecting (cause 42)");
                    s.pri.hangup(now, call, 42)
                }
            }
        };
        if let Err(e) = r {
            log::warn!("call {id}: inbound action failed: {e}");
        }
        self.service(n);
    }
}

fn publish_frame(reg: &Registry, span: u32, sent: bool, ms: u64, bytes: &[u8]) {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    reg.bus.publish(json!({
        "event": "frame",
        "span": span,
        "dir": if sent { "tx" } else { "rx" },
        "board_ms": ms,
        "unix_us": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64),
        "hex": hex,
    }));
}
