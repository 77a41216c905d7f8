//! [`Pri`]: one PRI D-channel (LAPD link + Q.931 calls and channels).

use std::collections::VecDeque;

use super::types::{
    CallId, CallInfo, ClearedBy, Digits, Number, PriConfig, PriError, PriEvent, PriStats,
    SetupRequest, State, Variant,
};
use super::wire::Writer;
use crate::lapd::{Link, LinkEventRef, LinkStats, Role};
use crate::q931::{ie_id, MessageType};

/// Events kept for the user before new ones are dropped (and counted).
const EVENT_QUEUE: usize = 512;
/// How many times T308 / T303 / T322 / T316 may expire before giving up.
const MAX_RETRIES: u8 = 2;

/// Call timers (at most one runs per call besides T309 and T322).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    T301,
    T302,
    T303,
    T304,
    T305,
    T308,
    T310,
    T313,
}

/// One call reference in use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    pub(crate) id: CallId,
    pub(crate) cref: u16,
    /// This side allocated the call reference (sent the SETUP).
    pub(crate) outgoing: bool,
    pub(crate) state: State,
    pub(crate) channel: Option<u8>,
    /// Whether a response carrying the channel identification has been sent
    /// (incoming calls) or received (outgoing calls).
    pub(crate) responded: bool,
    pub(crate) timer: Option<(Timer, u64)>,
    pub(crate) expiries: u8,
    pub(crate) t309: Option<u64>,
    pub(crate) t322: Option<u64>,
    pub(crate) t322_count: u8,
    /// Cause of the clearing in progress.
    pub(crate) cause: u8,
    pub(crate) cleared_by: ClearedBy,
    pub(crate) complete: bool,
}

/// The numbers of a call, kept apart from [`Call`] so that the call
/// state, which every message touches, stays small.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CallExtra {
    pub(crate) called: Number,
    pub(crate) calling: Option<Number>,
    /// The SETUP as requested (outgoing calls), for a T303 retransmission.
    pub(crate) request: Option<SetupRequest>,
}

/// Per-channel state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chan {
    /// Not a B-channel of this interface.
    None,
    Idle,
    /// Reserved by the call in this table slot.
    Busy(usize),
    /// A RESTART for it is outstanding.
    Restarting,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingRestart {
    pub(crate) channel: Option<u8>,
    pub(crate) deadline: u64,
    pub(crate) tries: u8,
}

/// One PRI D-channel, user or network side. See the [module docs](super).
#[derive(Debug)]
pub struct Pri {
    pub(crate) cfg: PriConfig,
    pub(crate) link: Link,
    pub(crate) link_up: bool,
    started_restart: bool,
    pub(crate) calls: Vec<Option<Call>>,
    /// Numbers of the call in the same slot of `calls`.
    pub(crate) extra: Vec<CallExtra>,
    pub(crate) chans: [Chan; 32],
    next_cref: u16,
    next_id: u32,
    events: VecDeque<PriEvent>,
    pub(crate) restart: Option<PendingRestart>,
    restart_queue: VecDeque<Option<u8>>,
    pub(crate) now: u64,
    pub(crate) stats: PriStats,
}

impl Pri {
    /// A D-channel with every B-channel idle and the data link down.
    pub fn new(cfg: PriConfig) -> Pri {
        let mut chans = [Chan::None; 32];
        for c in cfg.b_channels() {
            chans[usize::from(c)] = Chan::Idle;
        }
        let max_calls = cfg.max_calls.clamp(1, 4096);
        Pri {
            link: Link::new(cfg.role, 0, 0, cfg.link),
            cfg,
            link_up: false,
            started_restart: false,
            calls: vec![None; max_calls],
            extra: vec![CallExtra::default(); max_calls],
            chans,
            next_cref: 1,
            next_id: 1,
            events: VecDeque::with_capacity(EVENT_QUEUE),
            restart: None,
            restart_queue: VecDeque::with_capacity(40),
            now: 0,
            stats: PriStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PriConfig {
        &self.cfg
    }

    /// Whether the data link is in multiple-frame operation.
    pub fn is_link_up(&self) -> bool {
        self.link_up
    }

    /// Call-layer counters.
    pub fn stats(&self) -> PriStats {
        self.stats
    }

    /// Data-link counters.
    pub fn link_stats(&self) -> LinkStats {
        self.link.stats()
    }

    /// Snapshot of every call.
    pub fn calls(&self) -> impl Iterator<Item = CallInfo> + '_ {
        self.calls
            .iter()
            .zip(&self.extra)
            .filter_map(|(c, x)| c.as_ref().map(|c| c.info(x)))
    }

    /// Snapshot of one call.
    pub fn call(&self, id: CallId) -> Option<CallInfo> {
        self.slot_of(id)
            .and_then(|i| self.calls[i].as_ref().map(|c| c.info(&self.extra[i])))
    }

    /// Whether `channel` is a B-channel that is idle now.
    pub fn channel_idle(&self, channel: u8) -> bool {
        self.chans.get(usize::from(channel)) == Some(&Chan::Idle)
    }

    /// Start: request the data link (DL-ESTABLISH-REQUEST). Call once.
    pub fn start(&mut self, now: u64) {
        self.now = now;
        self.link.establish(now);
        self.drain_link();
    }

    /// Process one received frame (address, control, information; no FCS).
    pub fn handle_frame(&mut self, now: u64, frame: &[u8]) {
        self.now = now;
        self.link.handle_frame(now, frame);
        self.drain_link();
    }

    /// Earliest timer deadline, board milliseconds.
    pub fn poll_timeout(&self) -> Option<u64> {
        let mut t = self.link.poll_timeout();
        let mut take = |d: Option<u64>| {
            if let Some(d) = d {
                t = Some(t.map_or(d, |t: u64| t.min(d)));
            }
        };
        take(self.restart.map(|r| r.deadline));
        for c in self.calls.iter().flatten() {
            take(c.timer.map(|(_, d)| d));
            take(c.t309);
            take(c.t322);
        }
        t
    }

    /// Run every timer due at `now`.
    pub fn handle_timeout(&mut self, now: u64) {
        self.now = now;
        self.link.handle_timeout(now);
        self.drain_link();
        if self.restart.is_some_and(|r| r.deadline <= now) {
            self.t316_expiry();
        }
        for slot in 0..self.calls.len() {
            let Some(c) = self.calls[slot] else { continue };
            if c.timer.is_some_and(|(_, d)| d <= now) {
                let (t, _) = c.timer.unwrap_or((Timer::T303, 0));
                if let Some(c) = self.calls[slot].as_mut() {
                    c.timer = None;
                }
                self.call_timer_expiry(slot, t);
            }
            if self.calls[slot]
                .and_then(|c| c.t322)
                .is_some_and(|d| d <= now)
            {
                self.t322_expiry(slot);
            }
            if self.calls[slot]
                .and_then(|c| c.t309)
                .is_some_and(|d| d <= now)
            {
                // 5.8.9: T309 expired: clear the call, cause 27.
                self.release_call(slot, 27, ClearedBy::Timer);
            }
        }
    }

    /// Write the next frame to send (address, control, information; no FCS)
    /// into `buf` (at least 264 octets). `None` when nothing is pending.
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.link.poll_transmit(buf)
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<PriEvent> {
        self.events.pop_front()
    }

    // ----- requests -----

    /// Place an outgoing call: sends SETUP and starts T303.
    pub fn setup(&mut self, now: u64, req: &SetupRequest) -> Result<CallId, PriError> {
        self.now = now;
        if !self.link_up {
            return Err(PriError::LinkDown);
        }
        let channel = match req.channel {
            Some(c) => {
                match self.chans.get(usize::from(c)) {
                    None | Some(Chan::None) => return Err(PriError::BadChannel(c)),
                    Some(Chan::Idle) => {}
                    Some(_) => return Err(PriError::ChannelBusy(c)),
                }
                c
            }
            None => self.pick_channel().ok_or(PriError::NoChannel)?,
        };
        let slot = self.free_slot().ok_or(PriError::TooManyCalls)?;
        let cref = self.alloc_cref();
        let id = self.alloc_id();
        let mut req = *req;
        req.channel = Some(channel);
        self.calls[slot] = Some(Call {
            id,
            cref,
            outgoing: true,
            state: if self.cfg.role == Role::User {
                State::CallInitiated
            } else {
                State::CallPresent
            },
            channel: Some(channel),
            responded: false,
            timer: None,
            expiries: 0,
            t309: None,
            t322: None,
            t322_count: 0,
            cause: 16,
            cleared_by: ClearedBy::Local,
            complete: req.complete,
        });
        self.extra[slot] = CallExtra {
            called: req.called,
            calling: req.calling,
            request: Some(req),
        };
        self.chans[usize::from(channel)] = Chan::Busy(slot);
        self.send_setup(slot);
        self.start_timer(slot, Timer::T303);
        self.stats.calls_out += 1;
        Ok(id)
    }

    /// Overlap sending: send more called-party digits (INFORMATION).
    pub fn information(
        &mut self,
        now: u64,
        call: CallId,
        digits: &Digits,
        complete: bool,
    ) -> Result<(), PriError> {
        self.now = now;
        let slot = self.slot_of(call).ok_or(PriError::NoSuchCall)?;
        let c = self.call_ref(slot);
        if !c.outgoing || !matches!(c.state, State::OverlapSending | State::OverlapReceiving) {
            return Err(PriError::WrongState(c.state));
        }
        let mut w = self.writer(slot, MessageType::Information);
        if complete && self.cfg.variant == Variant::Etsi {
            w.sending_complete();
        }
        let number = Number {
            digits: *digits,
            ..self.extra[slot].called
        };
        w.called(&number);
        self.send(&w)?;
        self.extra[slot].called.digits.push_bytes(digits.as_bytes());
        if let Some(c) = self.calls[slot].as_mut() {
            c.complete = complete;
        }
        self.start_timer(slot, Timer::T304);
        Ok(())
    }

    /// Incoming call: send CALL PROCEEDING.
    pub fn proceeding(&mut self, now: u64, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let slot = self.incoming_slot(call, &[1, 2, 6, 25])?;
        self.respond(slot, MessageType::CallProceeding)?;
        let state = self.by_direction(
            slot,
            State::OutgoingCallProceeding,
            State::IncomingCallProceeding,
        );
        self.set_state(slot, state);
        self.stop_timer(slot);
        Ok(())
    }

    /// Incoming call: send ALERTING.
    pub fn alerting(&mut self, now: u64, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let slot = self.incoming_slot(call, &[1, 2, 3, 6, 9, 25])?;
        self.respond(slot, MessageType::Alerting)?;
        let state = self.by_direction(slot, State::CallDelivered, State::CallReceived);
        self.set_state(slot, state);
        self.stop_timer(slot);
        Ok(())
    }

    /// Incoming call: answer (CONNECT).
    pub fn answer(&mut self, now: u64, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let slot = self.incoming_slot(call, &[1, 2, 3, 4, 6, 7, 9, 25])?;
        self.respond(slot, MessageType::Connect)?;
        if self.cfg.role == Role::User {
            self.set_state(slot, State::ConnectRequest);
            self.start_timer(slot, Timer::T313);
        } else {
            self.set_state(slot, State::Active);
            self.stop_timer(slot);
            self.push_event(PriEvent::Connected { call });
        }
        Ok(())
    }

    /// Clear a call with a Q.850 cause: RELEASE COMPLETE if no answer to
    /// the SETUP was sent yet, otherwise DISCONNECT (then T305).
    pub fn hangup(&mut self, now: u64, call: CallId, cause: u8) -> Result<(), PriError> {
        self.now = now;
        if cause == 0 || cause > 127 {
            return Err(PriError::BadCause(cause));
        }
        let slot = self.slot_of(call).ok_or(PriError::NoSuchCall)?;
        let c = self.call_ref(slot);
        match c.state {
            State::DisconnectRequest
            | State::DisconnectIndication
            | State::ReleaseRequest
            | State::Null => Ok(()),
            _ if !c.outgoing && !c.responded => {
                let mut w = self.writer(slot, MessageType::ReleaseComplete);
                w.cause(self.location(), cause);
                let _ = self.send(&w);
                self.release_call(slot, cause, ClearedBy::Local);
                Ok(())
            }
            _ => {
                if !self.link_up {
                    // Nothing can be sent; clear locally (5.8.9 would clear it anyway).
                    self.release_call(slot, cause, ClearedBy::Local);
                    return Ok(());
                }
                self.disconnect(slot, cause, ClearedBy::Local);
                Ok(())
            }
        }
    }

    /// Ask the far end for its view of a call (STATUS ENQUIRY, T322).
    pub fn status_enquiry(&mut self, now: u64, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let slot = self.slot_of(call).ok_or(PriError::NoSuchCall)?;
        self.send_status_enquiry(slot)
    }

    /// Restart one B-channel or (`None`) the whole interface: calls on it
    /// are cleared at once, the channels stay out of use until RESTART
    /// ACKNOWLEDGE (T316).
    pub fn restart(&mut self, now: u64, channel: Option<u8>) -> Result<(), PriError> {
        self.now = now;
        if let Some(c) = channel {
            if !self.cfg.is_b_channel(c) {
                return Err(PriError::BadChannel(c));
            }
        }
        if !self.link_up {
            return Err(PriError::LinkDown);
        }
        self.queue_restart(channel);
        Ok(())
    }

    // ----- internals shared with the procedures -----

    pub(crate) fn push_event(&mut self, e: PriEvent) {
        if self.events.len() >= EVENT_QUEUE {
            self.stats.events_dropped += 1;
        } else {
            self.events.push_back(e);
        }
    }

    /// Cause location: 0 user, 2 public network serving the local user.
    pub(crate) fn location(&self) -> u8 {
        match self.cfg.role {
            Role::User => 0,
            Role::Network => 2,
        }
    }

    pub(crate) fn call_ref(&self, slot: usize) -> Call {
        self.calls[slot].expect("call slot in use")
    }

    pub(crate) fn slot_of(&self, id: CallId) -> Option<usize> {
        self.calls
            .iter()
            .position(|c| c.as_ref().is_some_and(|c| c.id == id))
    }

    pub(crate) fn find(&self, cref: u16, outgoing: bool) -> Option<usize> {
        self.calls.iter().position(|c| {
            c.as_ref()
                .is_some_and(|c| c.cref == cref && c.outgoing == outgoing)
        })
    }

    pub(crate) fn free_slot(&self) -> Option<usize> {
        self.calls.iter().position(Option::is_none)
    }

    fn alloc_cref(&mut self) -> u16 {
        loop {
            let c = self.next_cref;
            self.next_cref = if c >= 0x7fff { 1 } else { c + 1 };
            if self.find(c, true).is_none() {
                return c;
            }
        }
    }

    pub(crate) fn alloc_id(&mut self) -> CallId {
        let id = CallId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// A free B-channel: the user side hunts upwards, the network side
    /// downwards, which keeps glare rare.
    pub(crate) fn pick_channel(&self) -> Option<u8> {
        // Only B-channels of the interface are ever Idle.
        let free = |&c: &u8| self.chans[usize::from(c)] == Chan::Idle;
        if self.cfg.role == Role::User {
            (1..=31).find(free)
        } else {
            (1..=31).rev().find(free)
        }
    }

    /// State for "user-originated" (`uo`) or "network-originated" calls.
    pub(crate) fn by_direction(&self, slot: usize, uo: State, no: State) -> State {
        let c = self.call_ref(slot);
        let user_originated = c.outgoing == (self.cfg.role == Role::User);
        if user_originated {
            uo
        } else {
            no
        }
    }

    pub(crate) fn set_state(&mut self, slot: usize, s: State) {
        if let Some(c) = self.calls[slot].as_mut() {
            c.state = s;
        }
    }

    pub(crate) fn start_timer(&mut self, slot: usize, t: Timer) {
        let tm = &self.cfg.timers;
        let ms = match t {
            Timer::T301 => tm.t301,
            Timer::T302 => tm.t302,
            Timer::T303 => tm.t303,
            Timer::T304 => tm.t304,
            Timer::T305 => tm.t305,
            Timer::T308 => tm.t308,
            Timer::T310 => tm.t310,
            Timer::T313 => tm.t313,
        };
        let deadline = self.now.saturating_add(ms);
        if let Some(c) = self.calls[slot].as_mut() {
            if c.timer.map(|(k, _)| k) != Some(t) {
                c.expiries = 0;
            }
            c.timer = Some((t, deadline));
        }
    }

    pub(crate) fn stop_timer(&mut self, slot: usize) {
        if let Some(c) = self.calls[slot].as_mut() {
            c.timer = None;
            c.expiries = 0;
        }
    }

    fn incoming_slot(&self, call: CallId, states: &[u8]) -> Result<usize, PriError> {
        let slot = self.slot_of(call).ok_or(PriError::NoSuchCall)?;
        let c = self.call_ref(slot);
        if c.outgoing || !states.contains(&c.state.number()) {
            return Err(PriError::WrongState(c.state));
        }
        if !self.link_up {
            return Err(PriError::LinkDown);
        }
        Ok(slot)
    }

    /// A message for the call in `slot` (call reference flag set when we
    /// are the destination side).
    pub(crate) fn writer(&self, slot: usize, msg: MessageType) -> Writer {
        let c = self.call_ref(slot);
        Writer::new(c.cref, !c.outgoing, msg)
    }

    pub(crate) fn send(&mut self, w: &Writer) -> Result<(), PriError> {
        let bytes = w.finish().ok_or(PriError::Overflow)?;
        if !self.link_up {
            return Err(PriError::LinkDown);
        }
        self.link
            .send(self.now, bytes)
            .map_err(|_| PriError::Overflow)?;
        self.stats.tx_messages += 1;
        Ok(())
    }

    /// First response to an incoming SETUP carries the channel identification.
    fn respond(&mut self, slot: usize, msg: MessageType) -> Result<(), PriError> {
        let c = self.call_ref(slot);
        let mut w = self.writer(slot, msg);
        if !c.responded {
            if let Some(ch) = c.channel {
                w.channel_id(ch, true);
            }
        }
        if msg == MessageType::Alerting && self.cfg.role == Role::Network {
            w.progress(self.location(), 8); // in-band information (ringback) available
        }
        self.send(&w)?;
        if let Some(c) = self.calls[slot].as_mut() {
            c.responded = true;
        }
        Ok(())
    }

    fn send_setup(&mut self, slot: usize) {
        let c = self.call_ref(slot);
        let Some(req) = self.extra[slot].request else {
            return;
        };
        let mut w = self.writer(slot, MessageType::Setup);
        if req.complete && self.cfg.variant == Variant::Etsi {
            w.sending_complete();
        }
        w.bearer_speech(self.cfg.law.layer1());
        if let Some(ch) = c.channel {
            w.channel_id(ch, self.cfg.exclusive);
        }
        if let Some(d) = &req.display {
            w.display(d);
        }
        if let Some(n) = &req.calling {
            w.number_3a(ie_id::CALLING_PARTY_NUMBER, n);
        }
        if !req.called.digits.is_empty() || req.complete {
            w.called(&req.called);
        }
        let _ = self.send(&w);
    }

    /// Send DISCONNECT with `cause` and start T305.
    pub(crate) fn disconnect(&mut self, slot: usize, cause: u8, by: ClearedBy) {
        let mut w = self.writer(slot, MessageType::Disconnect);
        w.cause(self.location(), cause);
        if self.cfg.role == Role::Network {
            w.progress(self.location(), 8);
        }
        let _ = self.send(&w);
        let s = self.by_direction_clearing();
        self.set_state(slot, s);
        if let Some(c) = self.calls[slot].as_mut() {
            c.cause = cause;
            c.cleared_by = by;
        }
        self.start_timer(slot, Timer::T305);
    }

    /// The state after sending DISCONNECT: 11 on the user side, 12 on the network side.
    fn by_direction_clearing(&self) -> State {
        match self.cfg.role {
            Role::User => State::DisconnectRequest,
            Role::Network => State::DisconnectIndication,
        }
    }

    /// Send RELEASE with `cause` (and an optional diagnostic), enter state 19, start T308.
    pub(crate) fn send_release(&mut self, slot: usize, cause: u8, diag: Option<u8>) {
        let mut w = self.writer(slot, MessageType::Release);
        match diag {
            Some(d) => w.cause_diag(self.location(), cause, d),
            None => w.cause(self.location(), cause),
        }
        let _ = self.send(&w);
        self.set_state(slot, State::ReleaseRequest);
        self.start_timer(slot, Timer::T308);
    }

    /// Release the call reference and the channel; report `Cleared`.
    pub(crate) fn release_call(&mut self, slot: usize, cause: u8, by: ClearedBy) {
        let Some(c) = self.calls[slot].take() else {
            return;
        };
        if let Some(ch) = c.channel {
            if self.chans[usize::from(ch)] == Chan::Busy(slot) {
                self.chans[usize::from(ch)] = Chan::Idle;
            }
        }
        self.push_event(PriEvent::Cleared {
            call: c.id,
            channel: c.channel,
            cause,
            by,
        });
    }

    pub(crate) fn send_status(
        &mut self,
        slot: Option<usize>,
        cref: u16,
        flag: bool,
        cause: u8,
        diag: Option<u8>,
    ) {
        let state = slot.map_or(0, |s| self.call_ref(s).state.number());
        let mut w = Writer::new(cref, flag, MessageType::Status);
        match diag {
            Some(d) => w.cause_diag(self.location(), cause, d),
            None => w.cause(self.location(), cause),
        }
        w.call_state(state);
        let _ = self.send(&w);
    }

    fn send_status_enquiry(&mut self, slot: usize) -> Result<(), PriError> {
        let w = self.writer(slot, MessageType::StatusEnquiry);
        self.send(&w)?;
        let deadline = self.now.saturating_add(self.cfg.timers.t322);
        if let Some(c) = self.calls[slot].as_mut() {
            c.t322 = Some(deadline);
        }
        Ok(())
    }

    fn call_timer_expiry(&mut self, slot: usize, t: Timer) {
        let c = self.call_ref(slot);
        let expiries = c.expiries.saturating_add(1);
        match t {
            Timer::T303 if expiries < MAX_RETRIES => {
                // First expiry: send SETUP again (5.1.1 / 5.2.1).
                self.send_setup(slot);
                self.start_timer(slot, Timer::T303);
                self.bump(slot, expiries);
            }
            Timer::T303 => {
                let mut w = self.writer(slot, MessageType::ReleaseComplete);
                w.cause(self.location(), 102);
                let _ = self.send(&w);
                self.release_call(slot, 102, ClearedBy::Timer);
            }
            Timer::T308 if expiries < MAX_RETRIES => {
                self.send_release(slot, c.cause, None);
                self.bump(slot, expiries);
            }
            Timer::T308 => {
                // 5.3.4.3: release the call reference; the channel goes
                // through a RESTART before it is used again.
                let ch = c.channel;
                self.release_call(slot, c.cause, c.cleared_by);
                if let Some(ch) = ch {
                    if self.link_up {
                        self.queue_restart(Some(ch));
                    }
                }
            }
            Timer::T305 => self.send_release(slot, c.cause, None),
            Timer::T302 => {
                // Overlap receiving: the number is taken as complete.
                if let Some(c) = self.calls[slot].as_mut() {
                    c.complete = true;
                }
                self.push_event(PriEvent::Digits {
                    call: c.id,
                    called: self.extra[slot].called,
                    complete: true,
                });
            }
            Timer::T301 => self.disconnect(slot, 19, ClearedBy::Timer),
            Timer::T304 | Timer::T310 | Timer::T313 => self.disconnect(slot, 102, ClearedBy::Timer),
        }
    }

    fn bump(&mut self, slot: usize, expiries: u8) {
        if let Some(c) = self.calls[slot].as_mut() {
            c.expiries = expiries;
        }
    }

    fn t322_expiry(&mut self, slot: usize) {
        let c = self.call_ref(slot);
        let count = c.t322_count + 1;
        if count < MAX_RETRIES + 1 && self.link_up {
            let _ = self.send_status_enquiry(slot);
            if let Some(c) = self.calls[slot].as_mut() {
                c.t322_count = count;
            }
        } else {
            // 5.8.10: no STATUS after the retries: clear, cause 41.
            if let Some(c) = self.calls[slot].as_mut() {
                c.t322 = None;
                c.t322_count = 0;
            }
            if self.link_up {
                self.send_release(slot, 41, None);
                if let Some(c) = self.calls[slot].as_mut() {
                    c.cause = 41;
                    c.cleared_by = ClearedBy::Timer;
                }
            } else {
                self.release_call(slot, 41, ClearedBy::Timer);
            }
        }
    }

    // ----- RESTART -----

    /// End every call on `channel` (`None`: on the whole interface) with
    /// cause 41, as a RESTART does.
    pub(crate) fn clear_calls_on(&mut self, channel: Option<u8>, by: ClearedBy) {
        for slot in 0..self.calls.len() {
            let Some(c) = self.calls[slot] else { continue };
            if channel.is_none() || c.channel == channel {
                self.release_call(slot, 41, by);
            }
        }
    }

    /// Put B-channel `channel` (`None`: every B-channel) into state `to`
    /// where its present state satisfies `when`.
    pub(crate) fn set_channels(
        &mut self,
        channel: Option<u8>,
        when: impl Fn(Chan) -> bool,
        to: Chan,
    ) {
        for (ch, st) in self.chans.iter_mut().enumerate() {
            let named = channel.is_none_or(|c| usize::from(c) == ch);
            if *st != Chan::None && named && when(*st) {
                *st = to;
            }
        }
    }

    pub(crate) fn queue_restart(&mut self, channel: Option<u8>) {
        // Clear the calls on the channel(s) now; keep the channels out of use.
        self.clear_calls_on(channel, ClearedBy::Local);
        self.set_channels(channel, |_| true, Chan::Restarting);
        if self.restart.is_none() {
            self.send_restart(channel, 0);
        } else if self.restart_queue.len() < self.restart_queue.capacity() {
            self.restart_queue.push_back(channel);
        }
    }

    fn send_restart(&mut self, channel: Option<u8>, tries: u8) {
        let mut w = Writer::new(0, false, MessageType::Restart);
        if let Some(ch) = channel {
            w.channel_id(ch, true);
        }
        w.restart_indicator(match (channel, self.cfg.variant) {
            (Some(_), _) => 0,          // indicated channels
            (None, Variant::Etsi) => 7, // all interfaces
            (None, Variant::Ni2) => 6,  // single interface
        });
        let _ = self.send(&w);
        self.restart = Some(PendingRestart {
            channel,
            deadline: self.now.saturating_add(self.cfg.timers.t316),
            tries,
        });
    }

    /// RESTART ACKNOWLEDGE (or giving up after T316): channels back in service.
    pub(crate) fn restart_done(&mut self, acknowledged: bool) {
        let Some(r) = self.restart.take() else { return };
        self.set_channels(r.channel, |c| c == Chan::Restarting, Chan::Idle);
        if acknowledged {
            self.push_event(PriEvent::Restarted {
                channel: r.channel,
                remote: false,
            });
        }
        if let Some(next) = self.restart_queue.pop_front() {
            if self.link_up {
                self.send_restart(next, 0);
            }
        }
    }

    fn t316_expiry(&mut self) {
        let Some(r) = self.restart else { return };
        if r.tries < MAX_RETRIES && self.link_up {
            self.send_restart(r.channel, r.tries + 1);
        } else {
            self.push_event(PriEvent::ProtocolError {
                call: None,
                message: u8::from(MessageType::Restart),
                cause: 102,
            });
            self.restart_done(false);
        }
    }

    // ----- data link -----

    fn drain_link(&mut self) {
        // Each message (tens of octets) is copied out of the link's slot so
        // that the procedures can take `&mut self`.
        let mut msg = [0u8; crate::lapd::N201];
        while let Some(ev) = self.link.poll_event_ref() {
            let n = match ev {
                LinkEventRef::DlData(data) => {
                    let n = data.len().min(msg.len());
                    msg[..n].copy_from_slice(&data[..n]);
                    n
                }
                LinkEventRef::DlEstablishIndication | LinkEventRef::DlEstablishConfirm => {
                    self.on_link_up();
                    continue;
                }
                LinkEventRef::DlReleaseIndication | LinkEventRef::DlReleaseConfirm => {
                    self.on_link_down();
                    continue;
                }
                LinkEventRef::DlUnitData(_) => {
                    self.stats.ignored += 1;
                    continue;
                }
                LinkEventRef::MdlError(_) => continue,
            };
            self.stats.rx_messages += 1;
            self.on_message(&msg[..n]);
        }
    }

    fn on_link_up(&mut self) {
        let was_up = self.link_up;
        self.link_up = true;
        if !was_up {
            self.push_event(PriEvent::LinkUp);
        }
        if self.cfg.restart_at_startup && !self.started_restart {
            self.started_restart = true;
            self.queue_restart(None);
        } else if let Some(r) = self.restart {
            self.send_restart(r.channel, r.tries);
        }
        // 5.8.9: calls kept over the outage: stop T309, check the state.
        for slot in 0..self.calls.len() {
            let Some(c) = self.calls[slot] else { continue };
            if c.t309.is_some() {
                if let Some(c) = self.calls[slot].as_mut() {
                    c.t309 = None;
                }
                let _ = self.send_status_enquiry(slot);
            }
        }
    }

    fn on_link_down(&mut self) {
        if self.link_up {
            self.push_event(PriEvent::LinkDown);
        }
        self.link_up = false;
        let t309 = self.now.saturating_add(self.cfg.timers.t309);
        for slot in 0..self.calls.len() {
            let Some(c) = self.calls[slot] else { continue };
            if c.state == State::Active {
                if c.t309.is_none() {
                    if let Some(c) = self.calls[slot].as_mut() {
                        c.t309 = Some(t309);
                        c.t322 = None;
                    }
                }
            } else {
                self.release_call(slot, 41, ClearedBy::Timer);
            }
        }
        // Keep trying: a PRI D-channel is always wanted up.
        self.link.establish(self.now);
    }
}

impl Call {
    fn info(&self, x: &CallExtra) -> CallInfo {
        CallInfo {
            id: self.id,
            call_ref: self.cref,
            outgoing: self.outgoing,
            state: self.state,
            channel: self.channel,
            called: x.called,
            calling: x.calling,
            link_lost: self.t309.is_some(),
        }
    }
}
