//! Received messages (Q.764 clause 2 procedures, 2.9.5 for the unexpected).

use crate::isup::{Message, MessageRepr, MessageType, ParamRepr, RangeAndStatus};

use super::isup::{Isup, CAUSE_TEMPORARY_FAILURE};
use super::types::{BlockKind, CallState, IsupEvent, ReleasedBy, Side};
use super::wire;

/// Cause 97: message type non-existent or not implemented.
const CAUSE_UNKNOWN_MESSAGE: u8 = 97;
/// Cause 100: invalid parameter contents.
const CAUSE_INVALID_PARAMETER: u8 = 100;

impl Isup {
    /// Handle one ISUP message from MTP3 (the SIF after the routing label).
    pub fn handle_message(&mut self, now: u64, bytes: &[u8]) {
        let variant = self.cfg.variant;
        let Ok(head) = Message::new_checked(bytes, variant) else {
            return; // Too short to name a circuit: discarded.
        };
        let (cic, ty) = (head.cic(), head.message_type());
        let Some(i) = self.idx(cic) else {
            // Q.764 2.12: a message for a CIC we do not have: answer UCIC
            // (never to UCIC or CFN, to avoid loops).
            if !matches!(ty, MessageType::Ucic | MessageType::Cfn) {
                self.send(wire::simple(cic, MessageType::Ucic));
            }
            return;
        };
        if let MessageType::Other(code) = ty {
            self.send(wire::with_cause(
                cic,
                MessageType::Cfn,
                CAUSE_UNKNOWN_MESSAGE,
                vec![code],
            ));
            return;
        }
        let msg = match MessageRepr::parse(bytes, variant) {
            Ok(m) => m,
            Err(e) => {
                self.events.push_back(IsupEvent::Error {
                    cic,
                    reason: e.to_string(),
                });
                match ty {
                    // A release must not hang on a bad cause.
                    MessageType::Rel => self.on_rel(now, i, 31),
                    MessageType::Cfn => {}
                    _ => self.send(wire::with_cause(
                        cic,
                        MessageType::Cfn,
                        CAUSE_INVALID_PARAMETER,
                        vec![ty.code()],
                    )),
                }
                return;
            }
        };
        self.dispatch(now, i, &msg);
    }

    fn dispatch(&mut self, now: u64, i: usize, msg: &MessageRepr) {
        use CallState as S;
        use MessageType as T;
        let cic = msg.cic;
        let state = self.circuits[i].state;
        match msg.message_type {
            T::Iam => self.on_iam(now, i, msg),
            T::Sam if state == S::IncomingSetup => {
                let d = msg.params().find_map(|p| match p {
                    ParamRepr::SubsequentNumber(s) => Some(s.digits.as_str()),
                    _ => None,
                });
                let (digits, complete) = wire::split_st(d.unwrap_or(""));
                self.events.push_back(IsupEvent::MoreDigits {
                    cic,
                    digits,
                    complete,
                });
            }
            T::Acm if state == S::OutgoingSetup => {
                let c = &mut self.circuits[i];
                c.state = S::OutgoingAlerting;
                c.call_timer = Some(now.saturating_add(self.cfg.timers.t9));
                self.events.push_back(IsupEvent::Alerting { cic });
            }
            T::Con | T::Anm if matches!(state, S::OutgoingSetup | S::OutgoingAlerting) => {
                let c = &mut self.circuits[i];
                c.state = S::OutgoingAnswered;
                c.call_timer = None;
                self.events.push_back(IsupEvent::Answered { cic });
            }
            T::Cpg if self.circuits[i].in_call() => {
                let event = msg.params().find_map(|p| match p {
                    ParamRepr::EventInformation(e) => Some(e.event),
                    _ => None,
                });
                self.events.push_back(IsupEvent::Progress {
                    cic,
                    event: event.unwrap_or(0),
                });
            }
            // Q.764 2.9.5: a call message on an idle circuit: reset it.
            T::Sam | T::Acm | T::Con | T::Anm | T::Cpg
                if state == S::Idle
                    && self.circuits[i].release.is_none()
                    && !self.circuits[i].awaiting_gra =>
            {
                self.start_reset(now, i);
            }
            T::Rel => self.on_rel(now, i, wire::cause_of(msg)),
            T::Rlc => self.on_rlc(i),
            T::Rsc => self.on_rsc(now, i),
            T::Blo => {
                self.remote_block(i, BlockKind::Maintenance, true);
                self.send(wire::simple(cic, T::Bla));
                // BLO in answer to our IAM: release and try another circuit.
                if state == S::OutgoingSetup {
                    let req = self.circuits[i].request.take();
                    self.start_release(now, i, CAUSE_TEMPORARY_FAILURE);
                    self.reattempt(now, cic, req);
                }
            }
            T::Ubl => {
                self.remote_block(i, BlockKind::Maintenance, false);
                self.send(wire::simple(cic, T::Uba));
            }
            T::Bla | T::Uba => {
                let want = if msg.message_type == T::Bla {
                    T::Blo
                } else {
                    T::Ubl
                };
                let c = &mut self.circuits[i];
                if c.blocking
                    .as_ref()
                    .is_some_and(|r| r.msg.message_type == want)
                {
                    c.blocking = None;
                    let kind = BlockKind::Maintenance;
                    let side = Side::Local;
                    self.events.push_back(if want == T::Blo {
                        IsupEvent::CircuitBlocked { cic, side, kind }
                    } else {
                        IsupEvent::CircuitUnblocked { cic, side, kind }
                    });
                }
            }
            T::Grs => self.on_grs(now, msg),
            T::Gra => self.on_gra(msg),
            T::Cgb | T::Cgu => self.on_cgb(msg),
            T::Cgba | T::Cgua => self.on_cgba(msg),
            T::Cqm => {
                let range = wire::range_of(msg).map_or(0, |r| r.range);
                let states = (0..=usize::from(range))
                    .map(|k| {
                        u16::try_from(usize::from(cic) + k)
                            .ok()
                            .and_then(|c| self.idx(c))
                            .map_or(3, |j| self.circuits[j].state_indicator())
                    })
                    .collect();
                self.send(wire::cqr(cic, range, states));
            }
            T::Cqr => {
                let states = msg
                    .params()
                    .find_map(|p| match p {
                        ParamRepr::CircuitStateIndicator(s) => Some(s.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                self.events
                    .push_back(IsupEvent::QueryResult { cic, states });
            }
            T::Ucic => {
                // Q.764 2.12: the far end has no such circuit: stop using it.
                let c = &mut self.circuits[i];
                c.unequipped_remote = true;
                c.blocking = None;
                if !c.in_call() {
                    c.clear();
                }
                self.drop_call(i, ReleasedBy::Unequipped);
                self.events.push_back(IsupEvent::Unequipped(cic));
            }
            T::Cfn => {
                let cause = wire::cause_of(msg);
                self.events.push_back(IsupEvent::Confusion { cic, cause });
            }
            // INR, INF, SUS, RES and call messages in other states are
            // discarded (Q.764 2.9.5.1 leaves the circuit as it is).
            _ => {}
        }
    }

    fn on_iam(&mut self, now: u64, i: usize, msg: &MessageRepr) {
        let cic = msg.cic;
        let c = &self.circuits[i];
        let mut lost = None;
        match c.state {
            CallState::Idle if c.release.is_none() => {}
            CallState::OutgoingSetup => {
                // Dual seizure (Q.764 2.9.1.4).
                if self.controls(cic) {
                    return; // Ours wins; the far end backs off.
                }
                let c = &mut self.circuits[i];
                lost = c.request.take();
                c.clear();
            }
            // Busy or transient: an IAM here is unexpected; discarded.
            _ => return,
        }
        self.accept_iam(i, msg);
        // The lost call moves on only now that this circuit is seized.
        self.reattempt(now, cic, lost);
    }

    fn accept_iam(&mut self, i: usize, msg: &MessageRepr) {
        let cic = msg.cic;
        let c = &mut self.circuits[i];
        if c.local.maintenance {
            // Q.764 2.8.2.3: refuse the IAM and remind the far end.
            let blo = wire::simple(cic, MessageType::Blo);
            self.send(blo);
            return;
        }
        if c.local.hardware || c.unequipped_remote {
            self.send(wire::with_cause(
                cic,
                MessageType::Rel,
                CAUSE_TEMPORARY_FAILURE,
                vec![],
            ));
            return;
        }
        if c.remote.maintenance {
            // An IAM from the far end unblocks the circuit (Q.764 2.8.2.3).
            self.remote_block(i, BlockKind::Maintenance, false);
        }
        let mut called = String::new();
        let mut calling = None;
        let mut category = 0;
        for p in msg.params() {
            match p {
                ParamRepr::CalledPartyNumber(n) => called = n.digits.clone(),
                ParamRepr::CallingPartyNumber(n) => calling = Some(n.digits.clone()),
                ParamRepr::CallingPartysCategory(c) => category = *c,
                _ => {}
            }
        }
        let (called, complete) = wire::split_st(&called);
        let c = &mut self.circuits[i];
        c.clear();
        c.state = CallState::IncomingSetup;
        self.events.push_back(IsupEvent::IncomingCall {
            cic,
            called,
            calling,
            category,
            complete,
        });
    }

    fn on_rel(&mut self, now: u64, i: usize, cause: u8) {
        let _ = now;
        let c = &mut self.circuits[i];
        let cic = c.cic;
        match c.state {
            CallState::Resetting => {}
            CallState::Releasing => {
                // REL collision: both answer RLC; ours is done.
                c.clear();
                self.events.push_back(IsupEvent::ReleaseComplete { cic });
            }
            _ if c.in_call() => {
                c.clear();
                self.events.push_back(IsupEvent::Released {
                    cic,
                    cause,
                    by: ReleasedBy::Remote,
                });
            }
            _ => {}
        }
        // REL on an idle circuit is answered by RLC too (Q.764 2.9.5).
        self.send(wire::simple(cic, MessageType::Rlc));
    }

    fn on_rlc(&mut self, i: usize) {
        let c = &mut self.circuits[i];
        let cic = c.cic;
        let ev = match c.state {
            CallState::Releasing => IsupEvent::ReleaseComplete { cic },
            CallState::Resetting => IsupEvent::ResetDone {
                cic,
                side: Side::Local,
            },
            _ => return, // RLC otherwise is discarded.
        };
        c.clear();
        self.events.push_back(ev);
    }

    fn on_rsc(&mut self, now: u64, i: usize) {
        let cic = self.circuits[i].cic;
        self.drop_call(i, ReleasedBy::Reset);
        self.circuits[i].clear();
        for kind in [BlockKind::Maintenance, BlockKind::Hardware] {
            self.remote_block(i, kind, false);
        }
        self.send(wire::simple(cic, MessageType::Rlc));
        self.reassert_blocking(now, i);
        self.events.push_back(IsupEvent::ResetDone {
            cic,
            side: Side::Remote,
        });
    }

    /// Set or clear a remote blocking flag, with an event when it changes.
    pub(crate) fn remote_block(&mut self, i: usize, kind: BlockKind, on: bool) {
        let c = &mut self.circuits[i];
        let was = match kind {
            BlockKind::Maintenance => c.remote.maintenance,
            BlockKind::Hardware => c.remote.hardware,
        };
        if was == on {
            return;
        }
        c.remote.set(kind, on);
        let (cic, side) = (c.cic, Side::Remote);
        self.events.push_back(if on {
            IsupEvent::CircuitBlocked { cic, side, kind }
        } else {
            IsupEvent::CircuitUnblocked { cic, side, kind }
        });
    }

    fn on_grs(&mut self, now: u64, msg: &MessageRepr) {
        let Some(range) = wire::range_of(msg).map(|r| r.range) else {
            return;
        };
        if range > 31 {
            return;
        }
        let mut bits = vec![false; usize::from(range) + 1];
        for (k, i) in self.in_range(msg.cic, range) {
            self.drop_call(i, ReleasedBy::Reset);
            self.circuits[i].clear();
            for kind in [BlockKind::Maintenance, BlockKind::Hardware] {
                self.remote_block(i, kind, false);
            }
            // Status bit: locally blocked for maintenance.
            bits[k] = self.circuits[i].local.maintenance;
        }
        let _ = now;
        let gra = wire::range(
            msg.cic,
            MessageType::Gra,
            RangeAndStatus::with_status(range, bits),
        );
        self.send(gra);
        self.events.push_back(IsupEvent::GroupResetDone {
            cic: msg.cic,
            range,
            side: Side::Remote,
        });
    }

    fn take_group(&mut self, kind: MessageType, cic: u16, range: u8) -> Option<BlockKind> {
        let k = self
            .groups
            .iter()
            .position(|g| g.kind == kind && g.cic == cic && g.range == range)?;
        Some(self.groups.remove(k).block)
    }

    fn on_gra(&mut self, msg: &MessageRepr) {
        let Some(rs) = wire::range_of(msg).cloned() else {
            return;
        };
        if self
            .take_group(MessageType::Grs, msg.cic, rs.range)
            .is_none()
        {
            return; // Unexpected GRA: discarded.
        }
        for (k, i) in self.in_range(msg.cic, rs.range) {
            self.circuits[i].awaiting_gra = false;
            let blocked = rs.status_bit(k).unwrap_or(false);
            self.remote_block(i, BlockKind::Maintenance, blocked);
        }
        self.events.push_back(IsupEvent::GroupResetDone {
            cic: msg.cic,
            range: rs.range,
            side: Side::Local,
        });
    }

    fn on_cgb(&mut self, msg: &MessageRepr) {
        let Some(rs) = wire::range_of(msg).cloned() else {
            return;
        };
        if rs.range > 31 {
            return;
        }
        let kind = wire::kind_of(msg);
        let block = msg.message_type == MessageType::Cgb;
        for (k, i) in self.in_range(msg.cic, rs.range) {
            if rs.status_bit(k) == Some(true) {
                if block && kind == BlockKind::Hardware {
                    self.drop_call(i, ReleasedBy::Reset);
                }
                self.remote_block(i, kind, block);
            }
        }
        let ack = if block {
            MessageType::Cgba
        } else {
            MessageType::Cgua
        };
        self.send(wire::group(msg.cic, ack, kind, rs));
    }

    fn on_cgba(&mut self, msg: &MessageRepr) {
        let Some(rs) = wire::range_of(msg).cloned() else {
            return;
        };
        let block = msg.message_type == MessageType::Cgba;
        let want = if block {
            MessageType::Cgb
        } else {
            MessageType::Cgu
        };
        let Some(kind) = self.take_group(want, msg.cic, rs.range) else {
            return;
        };
        for (k, i) in self.in_range(msg.cic, rs.range) {
            if rs.status_bit(k) == Some(true) {
                let (cic, side) = (self.circuits[i].cic, Side::Local);
                self.events.push_back(if block {
                    IsupEvent::CircuitBlocked { cic, side, kind }
                } else {
                    IsupEvent::CircuitUnblocked { cic, side, kind }
                });
            }
        }
    }
}
