//! The [`Isup`] endpoint: circuits, requests and timers.

use std::collections::VecDeque;

use crate::isup::{MessageRepr, MessageType, RangeAndStatus, Variant};

use super::circuit::{Circuit, Fired, GroupOp, Retry};
use super::types::{
    BlockKind, CallRequest, CallState, CircuitInfo, IsupConfig, IsupError, IsupEvent, ReleasedBy,
};
use super::wire;

/// Cause 41, temporary failure (circuits cleared by reset or hardware blocking).
pub(crate) const CAUSE_TEMPORARY_FAILURE: u8 = 41;
/// Cause 34, no circuit available (dual seizure lost, no other circuit).
pub(crate) const CAUSE_NO_CIRCUIT: u8 = 34;

/// ISUP call and circuit control for one signalling relation (OPC/DPC).
#[derive(Debug, Clone)]
pub struct Isup {
    pub(crate) cfg: IsupConfig,
    pub(crate) circuits: Vec<Circuit>,
    pub(crate) groups: Vec<GroupOp>,
    pub(crate) tx: VecDeque<(u16, Vec<u8>)>,
    pub(crate) events: VecDeque<IsupEvent>,
}

impl Isup {
    /// An endpoint for the configured circuits (duplicates and CICs out of
    /// the variant's range are dropped), all idle.
    pub fn new(mut cfg: IsupConfig) -> Isup {
        let max = cfg.variant.max_cic();
        cfg.circuits.retain(|&c| c <= max);
        cfg.circuits.sort_unstable();
        cfg.circuits.dedup();
        let circuits = cfg.circuits.iter().map(|&c| Circuit::new(c)).collect();
        Isup {
            cfg,
            circuits,
            groups: Vec::new(),
            tx: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &IsupConfig {
        &self.cfg
    }

    /// Every circuit's state, in CIC order.
    pub fn circuits(&self) -> impl Iterator<Item = CircuitInfo> + '_ {
        self.circuits.iter().map(Circuit::info)
    }

    /// One circuit's state.
    pub fn circuit(&self, cic: u16) -> Option<CircuitInfo> {
        self.idx(cic).map(|i| self.circuits[i].info())
    }

    /// Whether this exchange controls `cic` in dual seizure (Q.764 2.9.1.4:
    /// the exchange with the higher point code controls the even CICs).
    pub fn controls(&self, cic: u16) -> bool {
        (self.cfg.opc > self.cfg.dpc) == (cic % 2 == 0)
    }

    /// The signalling link selection for messages of `cic` (its low 4 bits;
    /// 5 bits in ANSI), so a call's messages stay in sequence.
    pub fn sls(&self, cic: u16) -> u8 {
        let mask = if self.cfg.variant == Variant::Ansi {
            0x1f
        } else {
            0x0f
        };
        (cic & mask) as u8
    }

    /// Reset every circuit at start-up: GRS for each contiguous run of CICs
    /// (at most 32 circuits each, T22/T23), RSC for a lone circuit.
    pub fn start(&mut self, now: u64) {
        let cics: Vec<u16> = self.circuits.iter().map(|c| c.cic).collect();
        let mut i = 0;
        while i < cics.len() {
            let mut j = i;
            while j + 1 < cics.len() && cics[j + 1] == cics[j] + 1 && j + 1 - i < 32 {
                j += 1;
            }
            if i == j {
                let _ = self.reset(now, cics[i]);
            } else {
                let _ = self.group_reset(now, cics[i], (j - i) as u8);
            }
            i = j + 1;
        }
    }

    /// The next message to hand to MTP3: the CIC (for the SLS, see
    /// [`Isup::sls`]) and the ISUP message bytes.
    pub fn poll_transmit(&mut self) -> Option<(u16, Vec<u8>)> {
        self.tx.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<IsupEvent> {
        self.events.pop_front()
    }

    /// When [`Isup::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<u64> {
        let c = self.circuits.iter().filter_map(Circuit::deadline).min();
        let g = self.groups.iter().map(|g| g.retry.deadline()).min();
        [c, g].into_iter().flatten().min()
    }

    /// Run the timers due at `now`.
    pub fn handle_timeout(&mut self, now: u64) {
        for i in 0..self.circuits.len() {
            self.circuit_timers(now, i);
        }
        let mut k = 0;
        while k < self.groups.len() {
            if let Some(f) = self.groups[k].retry.fire(now) {
                let g = &self.groups[k];
                let (msg, cic, name) = (g.retry.msg.clone(), g.cic, g.retry.names.1);
                self.send(msg);
                if f == Fired::Long {
                    self.events
                        .push_back(IsupEvent::MaintenanceAlert { cic, timer: name });
                }
            }
            k += 1;
        }
    }

    fn circuit_timers(&mut self, now: u64, i: usize) {
        let c = &mut self.circuits[i];
        let cic = c.cic;
        if c.call_timer.is_some_and(|t| t <= now) {
            c.call_timer = None;
            // T7: no ACM/CON (cause 102 recovery on timer expiry); T9: no
            // answer (cause 19).
            let cause = if c.state == CallState::OutgoingAlerting {
                19
            } else {
                102
            };
            self.events.push_back(IsupEvent::Released {
                cic,
                cause,
                by: ReleasedBy::Timer,
            });
            self.start_release(now, i, cause);
        }
        let c = &mut self.circuits[i];
        if let Some(f) = c.release.as_mut().and_then(|r| r.fire(now)) {
            let r = c.release.as_ref().map(|r| (r.msg.clone(), r.names.1));
            if let Some((msg, name)) = r {
                if f == Fired::Long {
                    self.events
                        .push_back(IsupEvent::MaintenanceAlert { cic, timer: name });
                }
                if f == Fired::Long && msg.message_type == MessageType::Rel {
                    // T5: give up on RLC and reset the circuit (T16/T17).
                    self.start_reset(now, i);
                } else {
                    self.send(msg);
                }
            }
        }
        let c = &mut self.circuits[i];
        if let Some(f) = c.blocking.as_mut().and_then(|r| r.fire(now)) {
            if let Some((msg, name)) = c.blocking.as_ref().map(|r| (r.msg.clone(), r.names.1)) {
                self.send(msg);
                if f == Fired::Long {
                    self.events
                        .push_back(IsupEvent::MaintenanceAlert { cic, timer: name });
                }
            }
        }
    }

    pub(crate) fn idx(&self, cic: u16) -> Option<usize> {
        self.circuits.binary_search_by_key(&cic, |c| c.cic).ok()
    }

    fn need(&self, cic: u16) -> Result<usize, IsupError> {
        self.idx(cic).ok_or(IsupError::UnknownCic(cic))
    }

    pub(crate) fn send(&mut self, msg: MessageRepr) {
        match msg.to_bytes(self.cfg.variant) {
            Ok(b) => self.tx.push_back((msg.cic, b)),
            Err(e) => self.events.push_back(IsupEvent::Error {
                cic: msg.cic,
                reason: e.to_string(),
            }),
        }
    }

    /// Send REL and wait for RLC (T1/T5).
    pub(crate) fn start_release(&mut self, now: u64, i: usize, cause: u8) {
        let t = self.cfg.timers;
        let c = &mut self.circuits[i];
        let msg = wire::with_cause(c.cic, MessageType::Rel, cause, vec![]);
        c.clear();
        c.state = CallState::Releasing;
        c.release = Some(Retry::new(now, msg.clone(), t.t1, t.t5, ("T1", "T5")));
        self.send(msg);
    }

    /// Send RSC and wait for RLC (T16/T17); BLO follows if locally blocked.
    pub(crate) fn start_reset(&mut self, now: u64, i: usize) {
        let t = self.cfg.timers;
        let c = &mut self.circuits[i];
        let msg = wire::simple(c.cic, MessageType::Rsc);
        c.clear();
        c.state = CallState::Resetting;
        c.release = Some(Retry::new(now, msg.clone(), t.t16, t.t17, ("T16", "T17")));
        self.send(msg);
        self.reassert_blocking(now, i);
    }

    /// After a reset the far end forgets our blocking: send BLO again.
    pub(crate) fn reassert_blocking(&mut self, now: u64, i: usize) {
        if self.circuits[i].local.maintenance {
            self.start_blocking(now, i, true);
        }
    }

    pub(crate) fn start_blocking(&mut self, now: u64, i: usize, block: bool) {
        let t = self.cfg.timers;
        let c = &mut self.circuits[i];
        let (ty, short, long, names) = if block {
            (MessageType::Blo, t.t12, t.t13, ("T12", "T13"))
        } else {
            (MessageType::Ubl, t.t14, t.t15, ("T14", "T15"))
        };
        let msg = wire::simple(c.cic, ty);
        c.blocking = Some(Retry::new(now, msg.clone(), short, long, names));
        self.send(msg);
    }

    fn pick_circuit(&self) -> Option<usize> {
        let free = |i: &usize| self.circuits[*i].is_free();
        let all = 0..self.circuits.len();
        all.clone()
            .filter(free)
            .find(|&i| self.controls(self.circuits[i].cic))
            .or_else(|| all.clone().find(free))
    }

    /// Start an outgoing call with an IAM (T7). Returns the CIC seized.
    pub fn setup(&mut self, now: u64, req: CallRequest) -> Result<u16, IsupError> {
        let ok = |d: &str| {
            d.chars()
                .all(|c| c.is_ascii_digit() || "ABCDEabcde".contains(c))
        };
        if !ok(&req.called) || !req.calling.as_deref().is_none_or(ok) {
            return Err(IsupError::BadDigits);
        }
        let i = match req.cic {
            Some(cic) => {
                let i = self.need(cic)?;
                let c = &self.circuits[i];
                if !c.is_free() {
                    return Err(IsupError::WrongState {
                        cic,
                        state: c.state,
                    });
                }
                i
            }
            None => self.pick_circuit().ok_or(IsupError::NoCircuit)?,
        };
        let c = &mut self.circuits[i];
        let cic = c.cic;
        let msg = wire::iam(cic, &req, self.cfg.variant);
        c.state = CallState::OutgoingSetup;
        c.call_timer = Some(now.saturating_add(self.cfg.timers.t7));
        c.request = Some(req);
        self.send(msg);
        Ok(cic)
    }

    fn in_state(&self, cic: u16, ok: &[CallState]) -> Result<usize, IsupError> {
        let i = self.need(cic)?;
        let state = self.circuits[i].state;
        if ok.contains(&state) {
            Ok(i)
        } else {
            Err(IsupError::WrongState { cic, state })
        }
    }

    /// Overlap sending: more digits of an outgoing call (SAM, T7 restarted).
    pub fn send_digits(
        &mut self,
        now: u64,
        cic: u16,
        digits: &str,
        complete: bool,
    ) -> Result<(), IsupError> {
        let i = self.in_state(cic, &[CallState::OutgoingSetup])?;
        if !digits
            .chars()
            .all(|c| c.is_ascii_digit() || "ABCDEabcde".contains(c))
        {
            return Err(IsupError::BadDigits);
        }
        self.circuits[i].call_timer = Some(now.saturating_add(self.cfg.timers.t7));
        self.send(wire::sam(cic, digits, complete));
        Ok(())
    }

    /// Address complete on an incoming call (ACM, subscriber free).
    pub fn alerting(&mut self, now: u64, cic: u16) -> Result<(), IsupError> {
        let _ = now;
        let i = self.in_state(cic, &[CallState::IncomingSetup])?;
        let c = &mut self.circuits[i];
        c.state = CallState::IncomingAlerting;
        c.acm_sent = true;
        self.send(wire::backward(cic, MessageType::Acm));
        Ok(())
    }

    /// Call progress on an incoming call (CPG with an event indicator,
    /// Q.763 3.21: 1 alerting, 2 progress, 3 in-band information).
    pub fn progress(&mut self, now: u64, cic: u16, event: u8) -> Result<(), IsupError> {
        let _ = now;
        use CallState as S;
        self.in_state(cic, &[S::IncomingAlerting, S::IncomingAnswered])?;
        self.send(wire::cpg(cic, event));
        Ok(())
    }

    /// Answer an incoming call: ANM after ACM, CON without.
    pub fn answer(&mut self, now: u64, cic: u16) -> Result<(), IsupError> {
        let _ = now;
        use CallState as S;
        let i = self.in_state(cic, &[S::IncomingSetup, S::IncomingAlerting])?;
        let c = &mut self.circuits[i];
        let msg = if c.acm_sent {
            wire::simple(cic, MessageType::Anm)
        } else {
            wire::backward(cic, MessageType::Con)
        };
        c.state = S::IncomingAnswered;
        self.send(msg);
        Ok(())
    }

    /// Release a call (REL with a Q.850 cause, RLC awaited with T1/T5);
    /// [`IsupEvent::ReleaseComplete`] follows.
    pub fn release(&mut self, now: u64, cic: u16, cause: u8) -> Result<(), IsupError> {
        let i = self.need(cic)?;
        let c = &self.circuits[i];
        if !c.in_call() {
            return Err(IsupError::WrongState {
                cic,
                state: c.state,
            });
        }
        self.start_release(now, i, cause);
        Ok(())
    }

    /// Block a circuit for maintenance (BLO, T12/T13). It is not seized for
    /// outgoing calls from now on; a call in progress goes on.
    pub fn block(&mut self, now: u64, cic: u16) -> Result<(), IsupError> {
        let i = self.need(cic)?;
        self.circuits[i].local.maintenance = true;
        self.start_blocking(now, i, true);
        Ok(())
    }

    /// Unblock a circuit blocked for maintenance (UBL, T14/T15).
    pub fn unblock(&mut self, now: u64, cic: u16) -> Result<(), IsupError> {
        let i = self.need(cic)?;
        self.circuits[i].local.maintenance = false;
        self.start_blocking(now, i, false);
        Ok(())
    }

    /// Reset a circuit (RSC, T16/T17): any call on it is dropped without
    /// an event; [`IsupEvent::ResetDone`] follows the RLC.
    pub fn reset(&mut self, now: u64, cic: u16) -> Result<(), IsupError> {
        let i = self.need(cic)?;
        self.start_reset(now, i);
        Ok(())
    }

    fn check_range(&self, cic: u16, range: u8) -> Result<(), IsupError> {
        self.need(cic)?;
        if range == 0 || range > 31 {
            return Err(IsupError::BadRange(range));
        }
        Ok(())
    }

    /// Indices of our circuits in `cic..=cic+range`, with their offsets.
    pub(crate) fn in_range(&self, cic: u16, range: u8) -> Vec<(usize, usize)> {
        (0..=usize::from(range))
            .filter_map(|k| {
                let c = u16::try_from(usize::from(cic) + k).ok()?;
                self.idx(c).map(|i| (k, i))
            })
            .collect()
    }

    fn start_group(&mut self, now: u64, kind: MessageType, block: BlockKind, msg: MessageRepr) {
        let t = self.cfg.timers;
        let (short, long, names) = match kind {
            MessageType::Cgb => (t.t18, t.t19, ("T18", "T19")),
            MessageType::Cgu => (t.t20, t.t21, ("T20", "T21")),
            _ => (t.t22, t.t23, ("T22", "T23")),
        };
        let range = wire::range_of(&msg).map_or(0, |r| r.range);
        let cic = msg.cic;
        self.groups.retain(|g| !(g.cic == cic && g.kind == kind));
        self.groups.push(GroupOp {
            kind,
            block,
            cic,
            range,
            retry: Retry::new(now, msg.clone(), short, long, names),
        });
        self.send(msg);
    }

    /// Reset `range + 1` circuits from `cic` (GRS, T22/T23); calls on them
    /// end with [`IsupEvent::Released`] (by reset).
    pub fn group_reset(&mut self, now: u64, cic: u16, range: u8) -> Result<(), IsupError> {
        self.check_range(cic, range)?;
        for (_, i) in self.in_range(cic, range) {
            self.drop_call(i, ReleasedBy::Reset);
            let c = &mut self.circuits[i];
            c.clear();
            c.awaiting_gra = true;
        }
        let msg = wire::range(cic, MessageType::Grs, RangeAndStatus::range_only(range));
        self.start_group(now, MessageType::Grs, BlockKind::Maintenance, msg);
        // The far end forgets our blocking on GRS: block again.
        for (_, i) in self.in_range(cic, range) {
            self.reassert_blocking(now, i);
        }
        Ok(())
    }

    /// Block our circuits among `cic..=cic+range` (CGB, T18/T19).
    /// Hardware failure blocking drops calls on them.
    pub fn group_block(
        &mut self,
        now: u64,
        cic: u16,
        range: u8,
        kind: BlockKind,
    ) -> Result<(), IsupError> {
        self.group_blocking(now, cic, range, kind, true)
    }

    /// Unblock our circuits among `cic..=cic+range` (CGU, T20/T21).
    pub fn group_unblock(
        &mut self,
        now: u64,
        cic: u16,
        range: u8,
        kind: BlockKind,
    ) -> Result<(), IsupError> {
        self.group_blocking(now, cic, range, kind, false)
    }

    fn group_blocking(
        &mut self,
        now: u64,
        cic: u16,
        range: u8,
        kind: BlockKind,
        block: bool,
    ) -> Result<(), IsupError> {
        self.check_range(cic, range)?;
        let hits = self.in_range(cic, range);
        let mut bits = vec![false; usize::from(range) + 1];
        for &(k, i) in &hits {
            bits[k] = true;
            if block && kind == BlockKind::Hardware {
                self.drop_call(i, ReleasedBy::Reset);
            }
            self.circuits[i].local.set(kind, block);
        }
        let ty = if block {
            MessageType::Cgb
        } else {
            MessageType::Cgu
        };
        let msg = wire::group(cic, ty, kind, RangeAndStatus::with_status(range, bits));
        self.start_group(now, ty, kind, msg);
        Ok(())
    }

    /// Ask the far end for the state of `range + 1` circuits (CQM); the
    /// answer is [`IsupEvent::QueryResult`].
    pub fn query(&mut self, now: u64, cic: u16, range: u8) -> Result<(), IsupError> {
        let _ = now;
        self.need(cic)?;
        if range > 31 {
            return Err(IsupError::BadRange(range));
        }
        self.send(wire::range(
            cic,
            MessageType::Cqm,
            RangeAndStatus::range_only(range),
        ));
        Ok(())
    }

    /// End a call on circuit `i` without REL (reset, hardware blocking,
    /// UCIC), telling the user.
    pub(crate) fn drop_call(&mut self, i: usize, by: ReleasedBy) {
        let c = &mut self.circuits[i];
        if c.in_call() {
            let cic = c.cic;
            c.clear();
            self.events.push_back(IsupEvent::Released {
                cic,
                cause: CAUSE_TEMPORARY_FAILURE,
                by,
            });
        }
    }

    /// Move a lost outgoing call to another circuit (dual seizure, or BLO
    /// in answer to our IAM), or tell the user there is none.
    pub(crate) fn reattempt(&mut self, now: u64, from: u16, req: Option<CallRequest>) {
        let Some(mut req) = req else { return };
        req.cic = None;
        match self.setup(now, req) {
            Ok(to) => self.events.push_back(IsupEvent::Reattempted { from, to }),
            Err(_) => self.events.push_back(IsupEvent::Released {
                cic: from,
                cause: CAUSE_NO_CIRCUIT,
                by: ReleasedBy::DualSeizure,
            }),
        }
    }
}
