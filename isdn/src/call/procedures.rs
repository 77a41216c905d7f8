//! Received-message procedures: Q.931 clause 5 (call control) and 5.8
//! (error handling), for one message at a time.

use super::pri::{Chan, Pri, Timer};
use super::types::{ClearedBy, PriEvent, State, Variant};
use super::wire::{mandatory, Ie, Inbound, Writer};
use crate::lapd::Role;
use crate::q931::{ie_id, Message, MessageType};

/// Message type codes of Q.931 that exist but are not used on a PRI
/// (suspend/resume, hold/retrieve, segmentation, congestion control, register).
fn known_not_implemented(code: u8) -> bool {
    matches!(
        code,
        0x21 | 0x22
            | 0x24
            | 0x25
            | 0x26
            | 0x28
            | 0x2d
            | 0x2e
            | 0x30
            | 0x31
            | 0x33
            | 0x37
            | 0x60
            | 0x64
            | 0x79
    )
}

/// Whether we implement the message type.
fn supported(t: MessageType) -> bool {
    !matches!(t, MessageType::Unknown(_))
}

impl Pri {
    /// One Q.931 message from a DL-DATA indication.
    pub(crate) fn on_message(&mut self, bytes: &[u8]) {
        // 5.8.1 / 5.8.2: wrong protocol discriminator or too short: ignore.
        let Ok(msg) = Message::new_checked(bytes) else {
            self.stats.ignored += 1;
            return;
        };
        // 5.8.3.1: PRI call references are 2 octets (accept 1 too), never dummy.
        let crl = bytes[1];
        if crl == 0 || bytes.len() < 3 + usize::from(crl) {
            self.stats.ignored += 1;
            return;
        }
        let cr = msg.call_ref();
        let (cref, flag) = (cr.value(), cr.flag());
        let code = u8::from(msg.msg_type());
        if code & 0x80 != 0 {
            self.stats.ignored += 1; // escape/extension: not a Q.931 message type
            return;
        }
        let t = msg.msg_type();
        let m = Inbound::parse(msg.ies());
        if cref == 0 {
            self.global_message(t, flag, &m);
            return;
        }
        // flag = 1: sent by the destination side, so we allocated the reference.
        match self.find(cref, flag) {
            Some(slot) => self.call_message(slot, t, &m),
            None => self.unknown_call_ref(cref, flag, t, &m),
        }
    }

    fn protocol_error(&mut self, slot: Option<usize>, t: MessageType, cause: u8) {
        self.stats.protocol_errors += 1;
        let call = slot.and_then(|s| self.calls[s].map(|c| c.id));
        self.push_event(PriEvent::ProtocolError {
            call,
            message: u8::from(t),
            cause,
        });
    }

    /// 5.8.6: check mandatory IEs; `Err((cause, ie))` names the first problem.
    fn mandatory_check(&self, t: MessageType, m: &Inbound) -> Result<(), (u8, u8)> {
        let from_network = self.cfg.role == Role::User;
        for &id in mandatory(t, from_network) {
            match m.check(id) {
                Ie::Absent => return Err((96, id)),
                Ie::Invalid => return Err((100, id)),
                Ie::Valid(()) => {}
            }
        }
        if let Some(id) = m.unknown_required {
            return Err((96, id));
        }
        Ok(())
    }

    /// 5.8.7: after acting on a message, report unrecognised or bad optional IEs.
    fn optional_ie_report(&mut self, slot: usize, t: MessageType, m: &Inbound) {
        if matches!(
            t,
            MessageType::Disconnect
                | MessageType::Release
                | MessageType::ReleaseComplete
                | MessageType::Status
        ) || self.calls[slot].is_none()
        {
            return;
        }
        let c = self.call_ref(slot);
        let report = match (m.unknown_optional, m.bad_optional) {
            (Some(id), _) => Some((99, id)),
            (None, Some(id)) => Some((100, id)),
            _ => None,
        };
        if let Some((cause, id)) = report {
            self.protocol_error(Some(slot), t, cause);
            self.send_status(Some(slot), c.cref, !c.outgoing, cause, Some(id));
        }
    }

    /// Messages with the global call reference (5.5, 5.8.3.2 h).
    fn global_message(&mut self, t: MessageType, flag: bool, m: &Inbound) {
        match t {
            MessageType::Restart => self.rx_restart(flag, m),
            MessageType::RestartAcknowledge => {
                if self.mandatory_check(t, m).is_ok() {
                    self.restart_done(true);
                }
            }
            MessageType::Status => {} // never answered (no STATUS loops)
            _ => {
                self.protocol_error(None, t, 81);
                self.send_status(None, 0, !flag, 81, None);
            }
        }
    }

    fn rx_restart(&mut self, flag: bool, m: &Inbound) {
        let t = MessageType::Restart;
        if let Err((cause, id)) = self.mandatory_check(t, m) {
            self.protocol_error(None, t, cause);
            self.send_status(None, 0, !flag, cause, Some(id));
            return;
        }
        let class = m.restart_class.valid().unwrap_or(0);
        let channel = match (class, m.channel) {
            (0, Ie::Valid(sel)) => match sel.channel {
                Some(ch) if self.cfg.is_b_channel(ch) => Some(ch),
                Some(_) => {
                    // 5.5.2: the indicated channel does not exist: cause 82.
                    self.protocol_error(None, t, 82);
                    self.send_status(None, 0, !flag, 82, None);
                    return;
                }
                None => None,
            },
            (0, Ie::Absent) => {
                self.protocol_error(None, t, 96);
                self.send_status(None, 0, !flag, 96, Some(ie_id::CHANNEL_ID));
                return;
            }
            (0, Ie::Invalid) => {
                self.protocol_error(None, t, 100);
                self.send_status(None, 0, !flag, 100, Some(ie_id::CHANNEL_ID));
                return;
            }
            (6 | 7, _) => None,
            _ => {
                self.protocol_error(None, t, 100);
                self.send_status(None, 0, !flag, 100, Some(ie_id::RESTART_INDICATOR));
                return;
            }
        };
        // Clear the calls on the channel(s) at once; then acknowledge.
        self.clear_calls_on(channel, ClearedBy::Remote);
        self.set_channels(channel, |_| true, Chan::Idle);
        // A RESTART of ours crossing theirs stays pending: its own RESTART
        // ACKNOWLEDGE puts our side's channels back in service.
        let mut w = Writer::new(0, !flag, MessageType::RestartAcknowledge);
        if let Some(ch) = channel {
            w.channel_id(ch, true);
        }
        w.restart_indicator(class);
        let _ = self.send(&w);
        self.push_event(PriEvent::Restarted {
            channel,
            remote: true,
        });
    }

    /// 5.8.3.2: a message whose call reference is not in use.
    fn unknown_call_ref(&mut self, cref: u16, flag: bool, t: MessageType, m: &Inbound) {
        match t {
            MessageType::Setup if !flag => self.rx_setup(cref, m),
            MessageType::Setup => self.stats.ignored += 1, // d) flag set: ignore
            MessageType::ReleaseComplete => {}             // b) ignore
            MessageType::Status => {
                // 5.8.11: a non-null state for a call we do not know: RELEASE COMPLETE 101.
                if m.call_state.valid().is_some_and(|s| s != 0) {
                    self.protocol_error(None, t, 101);
                    self.release_complete(cref, !flag, 101);
                }
            }
            MessageType::StatusEnquiry => {
                self.send_status(None, cref, !flag, 30, None);
            }
            _ => {
                // a), c): RELEASE COMPLETE with cause 81.
                self.protocol_error(None, t, 81);
                self.release_complete(cref, !flag, 81);
            }
        }
    }

    fn release_complete(&mut self, cref: u16, flag: bool, cause: u8) {
        let mut w = Writer::new(cref, flag, MessageType::ReleaseComplete);
        w.cause(self.location(), cause);
        let _ = self.send(&w);
    }

    /// An incoming SETUP (5.1 on the network side, 5.2 on the user side).
    fn rx_setup(&mut self, cref: u16, m: &Inbound) {
        let t = MessageType::Setup;
        if let Err((cause, id)) = self.mandatory_check(t, m) {
            self.protocol_error(None, t, cause);
            let mut w = Writer::new(cref, true, MessageType::ReleaseComplete);
            w.cause_diag(self.location(), cause, id);
            let _ = self.send(&w);
            return;
        }
        let bearer = m.bearer.valid().unwrap_or(super::types::Bearer {
            transfer_capability: 0,
            layer1: None,
        });
        if !matches!(bearer.transfer_capability, 0 | 8 | 0x10) {
            self.stats.congestion += 1;
            self.release_complete(cref, true, 65); // bearer capability not implemented
            return;
        }
        let channel = match self.select_incoming_channel(m) {
            Ok(ch) => ch,
            Err(cause) => {
                self.stats.congestion += 1;
                self.release_complete(cref, true, cause);
                return;
            }
        };
        let Some(slot) = self.free_slot() else {
            self.stats.congestion += 1;
            self.release_complete(cref, true, 42);
            return;
        };
        let complete =
            m.sending_complete || self.cfg.variant == Variant::Ni2 || !self.cfg.overlap_receive;
        let id = self.alloc_id();
        let called = m.called.valid().unwrap_or_default();
        let calling = m.calling.valid();
        let state = match self.cfg.role {
            Role::User => State::CallPresent,
            Role::Network => State::CallInitiated,
        };
        self.calls[slot] = Some(super::pri::Call {
            id,
            cref,
            outgoing: false,
            state,
            channel: Some(channel),
            responded: false,
            timer: None,
            expiries: 0,
            t309: None,
            t322: None,
            t322_count: 0,
            cause: 16,
            cleared_by: ClearedBy::Remote,
            complete,
        });
        self.extra[slot] = super::pri::CallExtra {
            called,
            calling,
            request: None,
        };
        self.take_channel(channel, slot);
        self.stats.calls_in += 1;
        if !complete {
            // Overlap receiving: SETUP ACKNOWLEDGE with the channel, T302.
            let mut w = self.writer(slot, MessageType::SetupAcknowledge);
            w.channel_id(channel, true);
            let _ = self.send(&w);
            if let Some(c) = self.calls[slot].as_mut() {
                c.responded = true;
            }
            let s = self.by_direction(slot, State::OverlapSending, State::OverlapReceiving);
            self.set_state(slot, s);
            self.start_timer(slot, Timer::T302);
        }
        self.push_event(PriEvent::IncomingCall {
            call: id,
            channel,
            called,
            calling,
            display: m.display.valid(),
            bearer,
            complete,
        });
        self.optional_ie_report(slot, t, m);
    }

    /// Give `channel` to the call in `slot`. If our own outgoing call had
    /// reserved it and the far end's choice wins (we are the user side),
    /// that call waits for the channel the network gives it.
    fn take_channel(&mut self, channel: u8, slot: usize) {
        if let Chan::Busy(other) = self.chans[usize::from(channel)] {
            if let Some(c) = self.calls[other].as_mut() {
                c.channel = None;
            }
        }
        self.chans[usize::from(channel)] = Chan::Busy(slot);
    }

    /// Channel selection for an incoming SETUP (5.1.2 / 5.2.3). `Err(cause)`.
    fn select_incoming_channel(&self, m: &Inbound) -> Result<u8, u8> {
        let sel = m.channel.valid();
        let Some(want) = sel.and_then(|s| s.channel) else {
            return self.pick_channel().ok_or(34);
        };
        if !self.cfg.is_b_channel(want) {
            return Err(82); // identified channel does not exist
        }
        let exclusive = sel.is_some_and(|s| s.exclusive);
        match self.chans[usize::from(want)] {
            Chan::Idle => Ok(want),
            // Glare with our own SETUP that has no answer yet: on the user
            // side the network's choice wins; on the network side ours does.
            Chan::Busy(other)
                if self.cfg.role == Role::User
                    && self.calls[other].is_some_and(|c| c.outgoing && !c.responded) =>
            {
                Ok(want)
            }
            _ if exclusive => Err(44),
            _ => self.pick_channel().ok_or(34),
        }
    }

    /// A message for a call that exists.
    fn call_message(&mut self, slot: usize, t: MessageType, m: &Inbound) {
        if !supported(t) {
            let cause = if known_not_implemented(u8::from(t)) {
                98
            } else {
                97
            };
            self.protocol_error(Some(slot), t, cause);
            let c = self.call_ref(slot);
            self.send_status(Some(slot), c.cref, !c.outgoing, cause, None);
            return;
        }
        if let Err((cause, id)) = self.mandatory_check(t, m) {
            self.mandatory_error(slot, t, cause, id);
            return;
        }
        let c = self.call_ref(slot);
        let n = c.state.number();
        use MessageType as M;
        if matches!(n, 11 | 12 | 19)
            && matches!(
                t,
                M::Alerting
                    | M::CallProceeding
                    | M::Progress
                    | M::SetupAcknowledge
                    | M::Connect
                    | M::ConnectAcknowledge
            )
        {
            // Sent by the far end before it saw our clearing message: the
            // messages crossed on the link. Clearing goes on; a STATUS
            // would only add noise.
            self.stats.ignored += 1;
            return;
        }
        let handled = match t {
            M::Setup => {
                self.stats.ignored += 1; // 5.8.3.2 e): call reference in use
                true
            }
            M::SetupAcknowledge if c.outgoing && matches!(n, 1 | 6) => {
                self.outgoing_channel(slot, m) && {
                    let s = self.by_direction(slot, State::OverlapSending, State::OverlapReceiving);
                    self.set_state(slot, s);
                    self.start_timer(slot, Timer::T304);
                    self.push_event(PriEvent::MoreDigitsWanted { call: c.id });
                    true
                }
            }
            M::CallProceeding if c.outgoing && matches!(n, 1 | 2 | 6 | 25) => {
                self.outgoing_channel(slot, m) && {
                    let s = self.by_direction(
                        slot,
                        State::OutgoingCallProceeding,
                        State::IncomingCallProceeding,
                    );
                    self.set_state(slot, s);
                    self.start_timer(slot, Timer::T310);
                    let ch = self.call_ref(slot).channel.unwrap_or(0);
                    self.push_event(PriEvent::Proceeding {
                        call: c.id,
                        channel: ch,
                    });
                    true
                }
            }
            M::Alerting if c.outgoing && matches!(n, 1 | 2 | 3 | 6 | 9 | 25) => {
                self.outgoing_channel(slot, m) && {
                    let s = self.by_direction(slot, State::CallDelivered, State::CallReceived);
                    self.set_state(slot, s);
                    self.start_timer(slot, Timer::T301);
                    let ch = self.call_ref(slot).channel.unwrap_or(0);
                    self.push_event(PriEvent::Alerting {
                        call: c.id,
                        channel: ch,
                        inband: m.progress.valid().is_some_and(|p| p == 1 || p == 8),
                    });
                    true
                }
            }
            M::Connect if c.outgoing && matches!(n, 1 | 2 | 3 | 4 | 6 | 7 | 9 | 25) => {
                self.outgoing_channel(slot, m) && {
                    let w = self.writer(slot, M::ConnectAcknowledge);
                    let _ = self.send(&w);
                    self.set_state(slot, State::Active);
                    self.stop_timer(slot);
                    let ch = self.call_ref(slot).channel.unwrap_or(0);
                    self.push_event(PriEvent::Answered {
                        call: c.id,
                        channel: ch,
                    });
                    true
                }
            }
            M::ConnectAcknowledge if !c.outgoing && n == 8 => {
                self.set_state(slot, State::Active);
                self.stop_timer(slot);
                self.push_event(PriEvent::Connected { call: c.id });
                true
            }
            // The network enters Active when it sends CONNECT; the user's
            // CONNECT ACKNOWLEDGE is then expected and needs nothing.
            M::ConnectAcknowledge => !c.outgoing && n == 10 && self.cfg.role == Role::Network,
            M::Progress if n != 0 && !matches!(n, 11 | 12 | 19) => {
                self.push_event(PriEvent::Progress {
                    call: c.id,
                    description: m.progress.valid().unwrap_or(0),
                });
                true
            }
            M::Information => {
                self.rx_information(slot, m);
                true
            }
            M::Disconnect => {
                self.rx_disconnect(slot, m);
                true
            }
            M::Release => {
                self.rx_release(slot, m, None);
                true
            }
            M::ReleaseComplete => {
                let cause = m.cause.valid().map_or(16, |(_, v)| v);
                let (cause, by) = self.clearing_cause(slot, cause);
                self.release_call(slot, cause, by);
                true
            }
            M::StatusEnquiry => {
                self.send_status(Some(slot), c.cref, !c.outgoing, 30, None);
                true
            }
            M::Status => {
                self.rx_status(slot, m);
                true
            }
            M::Notify | M::Facility => true,
            M::UserInformation => n == 10,
            _ => false,
        };
        if !handled {
            // 5.8.4: unexpected message: STATUS with cause 101.
            if self.calls[slot].is_some() {
                self.protocol_error(Some(slot), t, 101);
                let c = self.call_ref(slot);
                self.send_status(Some(slot), c.cref, !c.outgoing, 101, None);
            }
            return;
        }
        self.optional_ie_report(slot, t, m);
    }

    /// The cause to report when the far end ends a call: the cause of our
    /// own clearing if we started it.
    fn clearing_cause(&self, slot: usize, remote_cause: u8) -> (u8, ClearedBy) {
        let c = self.call_ref(slot);
        match c.state {
            // Clearing under way: the cause is the one of the first clearing
            // message (ours, or the far end's DISCONNECT), whatever the
            // later RELEASE / RELEASE COMPLETE carries (often nothing).
            State::DisconnectRequest | State::DisconnectIndication | State::ReleaseRequest => {
                (c.cause, c.cleared_by)
            }
            _ => (remote_cause, ClearedBy::Remote),
        }
    }

    /// 5.8.6 actions for a missing (96) or invalid (100) mandatory IE.
    fn mandatory_error(&mut self, slot: usize, t: MessageType, cause: u8, id: u8) {
        self.protocol_error(Some(slot), t, cause);
        let c = self.call_ref(slot);
        match t {
            MessageType::Disconnect => {
                if let Some(c) = self.calls[slot].as_mut() {
                    c.cause = cause;
                    c.cleared_by = ClearedBy::Remote;
                }
                self.send_release(slot, cause, Some(id));
            }
            MessageType::Release => self.rx_release(slot, &Inbound::default(), Some((cause, id))),
            MessageType::ReleaseComplete => self.release_call(slot, 31, ClearedBy::Remote),
            MessageType::Status => {}
            _ => self.send_status(Some(slot), c.cref, !c.outgoing, cause, Some(id)),
        }
    }

    /// Channel identification in the first answer to our SETUP (5.1.2 / 5.2.3.2).
    /// Returns `false` (after clearing the call) if it is unacceptable.
    fn outgoing_channel(&mut self, slot: usize, m: &Inbound) -> bool {
        let c = self.call_ref(slot);
        let offered = match m.channel {
            Ie::Valid(sel) => sel.channel,
            Ie::Invalid => {
                self.protocol_error(Some(slot), MessageType::CallProceeding, 100);
                self.disconnect(slot, 100, ClearedBy::Protocol);
                return false;
            }
            Ie::Absent => None,
        };
        let mut ok = true;
        match (offered, c.channel) {
            (Some(ch), Some(cur)) if ch == cur => {}
            (Some(ch), _) => {
                // The other side picked another channel (our preferred one was
                // busy, or glare moved us). It must exist and be free.
                let free = self.cfg.is_b_channel(ch) && self.chans[usize::from(ch)] == Chan::Idle;
                let exclusive_ours = self.cfg.exclusive && c.channel.is_some() && !c.responded;
                if !free || exclusive_ours {
                    ok = false;
                } else {
                    if let Some(cur) = c.channel {
                        if self.chans[usize::from(cur)] == Chan::Busy(slot) {
                            self.chans[usize::from(cur)] = Chan::Idle;
                        }
                    }
                    self.chans[usize::from(ch)] = Chan::Busy(slot);
                    if let Some(c) = self.calls[slot].as_mut() {
                        c.channel = Some(ch);
                    }
                }
            }
            (None, Some(_)) => {}
            (None, None) => ok = c.responded, // lost our channel to glare and none given
        }
        if !ok {
            // 5.2.3.2: channel unacceptable: clear with cause 6.
            self.protocol_error(Some(slot), MessageType::CallProceeding, 6);
            self.disconnect(slot, 6, ClearedBy::Protocol);
            return false;
        }
        if let Some(c) = self.calls[slot].as_mut() {
            c.responded = true;
        }
        true
    }

    fn rx_information(&mut self, slot: usize, m: &Inbound) {
        let c = self.call_ref(slot);
        let overlap_rx =
            !c.outgoing && matches!(c.state, State::OverlapSending | State::OverlapReceiving);
        if !overlap_rx {
            return; // e.g. keypad information in the active state: nothing to do
        }
        let mut called = self.extra[slot].called;
        if let Some(n) = m.called.valid() {
            if !called.digits.push_bytes(n.digits.as_bytes()) {
                self.disconnect(slot, 28, ClearedBy::Protocol); // number too long
                return;
            }
            if called.digits.len() == n.digits.len() {
                called.type_of_number = n.type_of_number;
                called.numbering_plan = n.numbering_plan;
            }
        }
        let complete = m.sending_complete;
        self.extra[slot].called = called;
        if let Some(c) = self.calls[slot].as_mut() {
            c.complete = complete;
        }
        if complete {
            self.stop_timer(slot);
        } else {
            self.start_timer(slot, Timer::T302);
        }
        self.push_event(PriEvent::Digits {
            call: c.id,
            called,
            complete,
        });
    }

    fn rx_disconnect(&mut self, slot: usize, m: &Inbound) {
        let c = self.call_ref(slot);
        let cause = m.cause.valid().map_or(16, |(_, v)| v);
        match c.state {
            State::ReleaseRequest => {} // RELEASE already sent
            State::DisconnectRequest | State::DisconnectIndication
                if c.cleared_by != ClearedBy::Remote =>
            {
                // 5.3.5 clear collision: both sent DISCONNECT; send RELEASE.
                self.send_release(slot, c.cause, None);
            }
            _ => {
                if let Some(c) = self.calls[slot].as_mut() {
                    c.cause = cause;
                    c.cleared_by = ClearedBy::Remote;
                }
                self.send_release(slot, cause, None);
            }
        }
    }

    /// RELEASE: answer with RELEASE COMPLETE unless we sent RELEASE too
    /// (5.3.5 clear collision). `missing`: the cause IE was missing/invalid.
    fn rx_release(&mut self, slot: usize, m: &Inbound, missing: Option<(u8, u8)>) {
        let c = self.call_ref(slot);
        let remote_cause = m.cause.valid().map_or(16, |(_, v)| v);
        let (cause, by) = self.clearing_cause(slot, remote_cause);
        if c.state != State::ReleaseRequest {
            let mut w = self.writer(slot, MessageType::ReleaseComplete);
            if let Some((cause, id)) = missing {
                w.cause_diag(self.location(), cause, id);
            }
            let _ = self.send(&w);
        }
        self.release_call(slot, cause, by);
    }

    /// 5.8.11: STATUS received.
    fn rx_status(&mut self, slot: usize, m: &Inbound) {
        let c = self.call_ref(slot);
        let peer = m.call_state.valid().unwrap_or(0);
        let cause = m.cause.valid().map_or(0, |(_, v)| v);
        if let Some(c) = self.calls[slot].as_mut() {
            c.t322 = None;
            c.t322_count = 0;
        }
        if cause != 30 {
            self.push_event(PriEvent::StatusReceived {
                call: Some(c.id),
                cause,
                state: peer,
            });
        }
        if peer == 0 {
            // The far end has no such call: release everything, no message.
            self.release_call(
                slot,
                if cause == 30 { 41 } else { cause },
                ClearedBy::Remote,
            );
            return;
        }
        if !compatible(c.state.number(), peer) {
            self.protocol_error(Some(slot), MessageType::Status, 101);
            if let Some(c) = self.calls[slot].as_mut() {
                c.cause = 101;
                c.cleared_by = ClearedBy::Protocol;
            }
            self.send_release(slot, 101, None);
        }
    }
}

/// Whether the far end's call state can belong to the same call as ours,
/// allowing for one message in flight (5.8.11 leaves the judgement to the
/// implementation; states while clearing are always acceptable).
fn compatible(ours: u8, peer: u8) -> bool {
    let establishing = |s: u8| matches!(s, 1 | 2 | 3 | 4 | 6 | 7 | 8 | 9 | 25);
    let clearing = |s: u8| matches!(s, 11 | 12 | 19 | 22);
    if ours == peer || clearing(ours) || clearing(peer) {
        return true;
    }
    match (ours, peer) {
        (10, p) => matches!(p, 4 | 7 | 8 | 3 | 9),
        (o, 10) => matches!(o, 4 | 7 | 8 | 3 | 9),
        (o, p) => establishing(o) && establishing(p),
    }
}
