//! One signalling link set towards an adjacent signalling point (Q.704
//! §4-§6, §13; Q.705 load sharing; Q.707 signalling link test), sans-IO.
//!
//! * Link activation: when MTP2 reports a link in service
//!   ([`LinkSet::handle_link_up`]) an SLTM is sent on it; the SLTA must come
//!   back within Q.707 T1 with the same pattern, else the test is repeated once
//!   and then the link is failed ([`LinkSetEvent::LinkTestFailed`]).
//! * Load sharing: SLS values (16, 32 or 256) have a home link, the
//!   configured links in SLC order taken SLS modulo their number. While the
//!   home link is unavailable the SLS is carried by an available link in SLC
//!   order, SLS modulo their number; SLS values of links that keep working never
//!   move.
//! * Changeover: a failed link's traffic is buffered, COO (last accepted FSN
//!   known) or ECO (not known) goes out on another link and T2 runs. A COO
//!   from the far end for a link still available here is answered with COA
//!   and the FSN last given by [`LinkSet::set_last_accepted_fsn`] (ECA if
//!   none was given). On COA
//!   the link set asks the lead to retrieve the MSUs the far end has not
//!   accepted ([`LinkSetEvent::Retrieve`], answered by
//!   [`LinkSet::handle_retrieved`]); on ECA or T2 expiry T1 runs and the
//!   untransmitted MSUs are retrieved. Retrieved MSUs, then the buffered ones,
//!   go out on the new links in order.
//! * Changeback: when a link returns, CBD goes out on each link carrying its
//!   traffic, that traffic is buffered until CBA (T4, CBD repeated once, T5),
//!   then sent on the returned link.
//! * TFP/TFR/TFA update route states; UPU and TRA become events.
//!
//! Time is in board milliseconds.

mod receive;
mod types;

use std::collections::{BTreeMap, VecDeque};

use super::label::si;
use super::label::{PointCode, RoutingLabel, Sio, Variant};
use super::snm::SnmMessage;
use super::snt::{SltKind, SltMessage};

pub use types::{max_payload, LinkSetConfig, LinkSetError, LinkSetEvent, LinkState, RouteState};

#[derive(Debug)]
struct Link {
    slc: u8,
    state: LinkState,
    slt_deadline: Option<u64>,
    slt_attempts: u8,
    /// Our last accepted FSN on the link (BSNT): given at failure by
    /// [`LinkSet::handle_link_down`], and while the link runs by
    /// [`LinkSet::set_last_accepted_fsn`].
    last_fsn: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CoPhase {
    /// COO/ECO sent, T2 running.
    WaitAck,
    /// Retrieval requested; `t1` may still be running.
    Retrieving,
}

/// A changeover of one failed link.
#[derive(Debug)]
struct Changeover {
    slc: u8,
    phase: CoPhase,
    deadline: Option<u64>,
    t1_running: bool,
    retrieved: bool,
    sls: Vec<u16>,
    buffer: Vec<(Sio, Vec<u8>)>,
}

/// A changeback of traffic from `from` back to `to`.
#[derive(Debug)]
struct Changeback {
    to: u8,
    from: u8,
    code: u8,
    deadline: u64,
    repeated: bool,
    sls: Vec<u16>,
    buffer: Vec<(Sio, Vec<u8>)>,
}

/// Management of one link set (see the module documentation).
#[derive(Debug)]
pub struct LinkSet {
    cfg: LinkSetConfig,
    links: Vec<Link>,
    /// Current link of each SLS value (SLC), `None` while the set is down.
    assign: Vec<Option<u8>>,
    changeovers: Vec<Changeover>,
    changebacks: Vec<Changeback>,
    next_cb_code: u8,
    routes: BTreeMap<PointCode, RouteState>,
    was_up: bool,
    out: VecDeque<(u8, Sio, Vec<u8>)>,
    events: VecDeque<LinkSetEvent>,
}

impl LinkSet {
    /// A link set with every link down.
    pub fn new(cfg: LinkSetConfig) -> Result<Self, LinkSetError> {
        let mut slcs = cfg.links.clone();
        slcs.sort_unstable();
        slcs.dedup();
        let bits_ok = match cfg.variant {
            Variant::Ansi => matches!(cfg.sls_bits, 5 | 8),
            _ => cfg.sls_bits == 4,
        };
        if slcs.is_empty()
            || slcs.len() != cfg.links.len()
            || slcs.iter().any(|&s| s > 15)
            || !bits_ok
            || cfg.test_pattern.len() > super::snt::MAX_TEST_PATTERN
        {
            return Err(LinkSetError::BadConfig);
        }
        PointCode::new(cfg.variant, cfg.opc.0)?;
        PointCode::new(cfg.variant, cfg.adjacent.0)?;
        let links = slcs
            .iter()
            .map(|&slc| Link {
                slc,
                state: LinkState::Down,
                slt_deadline: None,
                slt_attempts: 0,
                last_fsn: None,
            })
            .collect();
        Ok(LinkSet {
            assign: vec![None; 1 << cfg.sls_bits],
            cfg,
            links,
            changeovers: Vec::new(),
            changebacks: Vec::new(),
            next_cb_code: 0,
            routes: BTreeMap::new(),
            was_up: false,
            out: VecDeque::new(),
            events: VecDeque::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &LinkSetConfig {
        &self.cfg
    }

    /// State of link `slc` (`None` for a link not in the set).
    pub fn link_state(&self, slc: u8) -> Option<LinkState> {
        self.links.iter().find(|l| l.slc == slc).map(|l| l.state)
    }

    /// Whether at least one link is available.
    pub fn is_up(&self) -> bool {
        self.links.iter().any(|l| l.state == LinkState::Available)
    }

    /// The link currently carrying `sls` (`None` while the set is down).
    pub fn link_for_sls(&self, sls: u8) -> Option<u8> {
        self.assign[usize::from(sls) % self.assign.len()]
    }

    /// Route state of `dest` (allowed unless TFR/TFP said otherwise).
    pub fn route_state(&self, dest: PointCode) -> RouteState {
        self.routes
            .get(&dest)
            .copied()
            .unwrap_or(RouteState::Allowed)
    }

    fn link_mut(&mut self, slc: u8) -> Option<&mut Link> {
        self.links.iter_mut().find(|l| l.slc == slc)
    }

    fn available(&self) -> Vec<u8> {
        let mut v: Vec<u8> = self
            .links
            .iter()
            .filter(|l| l.state == LinkState::Available)
            .map(|l| l.slc)
            .collect();
        v.sort_unstable();
        v
    }

    fn home(&self, key: usize) -> u8 {
        self.links[key % self.links.len()].slc
    }

    fn alternative(&self, key: usize) -> Option<u8> {
        let avail = self.available();
        if avail.is_empty() {
            return None;
        }
        let home = self.home(key);
        if avail.contains(&home) {
            return Some(home);
        }
        Some(avail[key % avail.len()])
    }

    fn label_to(&self, dpc: PointCode, sls: u8) -> RoutingLabel {
        RoutingLabel {
            dpc,
            opc: self.cfg.opc,
            sls,
        }
    }

    fn sio(&self, si: u8) -> Sio {
        Sio {
            si,
            priority: 0,
            ni: self.cfg.ni,
        }
    }

    /// Queues an SNM message to the adjacent point on link `on`.
    fn send_snm(&mut self, on: u8, msg: SnmMessage) {
        let label = self.label_to(self.cfg.adjacent, on);
        if let Ok(sif) = msg.to_sif(self.cfg.variant, label) {
            self.out.push_back((on, self.sio(si::SNM), sif));
        }
    }

    fn send_slt(&mut self, on: u8, kind: SltKind, pattern: Vec<u8>) {
        let si = if self.cfg.variant == Variant::Ansi {
            si::SNT_SPECIAL
        } else {
            si::SNT
        };
        let msg = SltMessage {
            kind,
            slc: on,
            pattern,
        };
        let label = self.label_to(self.cfg.adjacent, on);
        if let Ok(sif) = msg.to_sif(self.cfg.variant, label) {
            self.out.push_back((on, self.sio(si), sif));
        }
    }

    /// MTP2 reports link `slc` in service: the signalling link test starts.
    pub fn handle_link_up(&mut self, now: u64, slc: u8) {
        let deadline = now.saturating_add(self.cfg.t1_slt);
        let Some(link) = self.link_mut(slc) else {
            return;
        };
        if link.state != LinkState::Down {
            return;
        }
        link.state = LinkState::Testing;
        // MTP2 restarted its sequence numbers: the old BSNT is void.
        link.last_fsn = None;
        link.slt_attempts = 1;
        link.slt_deadline = Some(deadline);
        let pattern = self.cfg.test_pattern.clone();
        self.send_slt(slc, SltKind::Sltm, pattern);
    }

    /// MTP2 of link `slc` accepted an MSU: `fsn` is now its last accepted
    /// FSN (BSNT). The lead calls this every time MTP2 of a running link
    /// accepts an MSU (before handing the MSU to
    /// [`handle_msu`](Self::handle_msu)), so that a COO/XCO from the far end
    /// for a link we still think available is answered with COA/XCA
    /// carrying our BSNT (Q.704 §5.4, §5.5), not with ECA. Ignored for a
    /// link that is down (its BSNT was fixed by
    /// [`handle_link_down`](Self::handle_link_down)).
    pub fn set_last_accepted_fsn(&mut self, slc: u8, fsn: u32) {
        if let Some(link) = self.link_mut(slc) {
            if link.state != LinkState::Down {
                link.last_fsn = Some(fsn);
            }
        }
    }

    /// Whether a changeover of link `slc` is still waiting for the MSUs of
    /// its MTP2 ([`handle_retrieved`](Self::handle_retrieved)): the lead
    /// keeps that MTP2's buffers until then.
    pub fn awaits_retrieval(&self, slc: u8) -> bool {
        self.changeovers
            .iter()
            .any(|c| c.slc == slc && !c.retrieved)
    }

    /// MTP2 reports link `slc` out of service. `last_accepted_fsn` is the FSN
    /// of the last MSU MTP2 accepted on it, when known (COO; otherwise ECO).
    pub fn handle_link_down(&mut self, now: u64, slc: u8, last_accepted_fsn: Option<u32>) {
        let Some(link) = self.link_mut(slc) else {
            return;
        };
        let was = link.state;
        link.state = LinkState::Down;
        link.slt_deadline = None;
        link.last_fsn = last_accepted_fsn;
        if was == LinkState::Available {
            self.start_changeover(now, slc, true);
        }
    }

    /// Takes `slc` out of the traffic: reassigns its SLS values and buffers
    /// their traffic. `send_order` sends COO/ECO (false when answering one).
    fn start_changeover(&mut self, now: u64, slc: u8, send_order: bool) {
        self.events.push_back(LinkSetEvent::LinkUnavailable { slc });
        // Changebacks towards or away from the failed link end now.
        let mut orphans = Vec::new();
        self.changebacks.retain_mut(|cb| {
            if cb.to == slc || cb.from == slc {
                orphans.append(&mut cb.buffer);
                false
            } else {
                true
            }
        });
        let sls: Vec<u16> = (0..self.assign.len())
            .filter(|&k| self.assign[k] == Some(slc))
            .map(|k| k as u16)
            .collect();
        for &k in &sls {
            self.assign[usize::from(k)] = self.alternative(usize::from(k));
        }
        let Some(&alt) = self.available().first() else {
            // No other link: the link set is down and the traffic is lost.
            self.assign.iter_mut().for_each(|a| *a = None);
            self.changeovers.clear();
            self.changebacks.clear();
            self.was_up = false;
            self.events.push_back(LinkSetEvent::LinkSetDown);
            return;
        };
        let fsn = self
            .links
            .iter()
            .find(|l| l.slc == slc)
            .and_then(|l| l.last_fsn);
        if send_order {
            let msg = match fsn {
                Some(f) if f <= 0x7F => SnmMessage::Coo { slc, fsn: f as u8 },
                Some(f) => SnmMessage::Xco { slc, fsn: f },
                None => SnmMessage::Eco { slc },
            };
            self.send_snm(alt, msg);
        }
        self.changeovers.retain(|c| c.slc != slc);
        self.changeovers.push(Changeover {
            slc,
            phase: CoPhase::WaitAck,
            deadline: Some(now.saturating_add(self.cfg.t2)),
            t1_running: false,
            retrieved: false,
            sls,
            buffer: orphans,
        });
    }

    /// The far end acknowledged (or ordered) the changeover of `slc`.
    fn changeover_acked(&mut self, now: u64, slc: u8, fsn: Option<u32>) {
        let t1 = self.cfg.t1;
        let Some(co) = self.changeovers.iter_mut().find(|c| c.slc == slc) else {
            return;
        };
        if co.phase != CoPhase::WaitAck {
            return;
        }
        co.phase = CoPhase::Retrieving;
        co.t1_running = fsn.is_none();
        co.deadline = fsn.is_none().then(|| now.saturating_add(t1));
        self.events.push_back(LinkSetEvent::Retrieve { slc, fsn });
    }

    /// MSUs retrieved from MTP2 of failed link `slc` after a
    /// [`LinkSetEvent::Retrieve`]: each is an SIO octet followed by the SIF.
    /// They are sent on the new links before the traffic buffered since the
    /// failure.
    pub fn handle_retrieved<I>(&mut self, now: u64, slc: u8, msus: I)
    where
        I: IntoIterator<Item = Vec<u8>>,
    {
        let Some(pos) = self.changeovers.iter().position(|c| c.slc == slc) else {
            return;
        };
        let mut retrieved: Vec<(Sio, Vec<u8>)> = msus
            .into_iter()
            .filter(|m| m.len() >= 2)
            .map(|mut m| {
                let sio = Sio::from_octet(m[0]);
                m.remove(0);
                (sio, m)
            })
            .collect();
        let co = &mut self.changeovers[pos];
        retrieved.append(&mut co.buffer);
        co.buffer = retrieved;
        co.retrieved = true;
        self.finish_changeovers(now);
    }

    fn finish_changeovers(&mut self, _now: u64) {
        let mut i = 0;
        while i < self.changeovers.len() {
            let co = &self.changeovers[i];
            if co.phase == CoPhase::Retrieving && co.retrieved && !co.t1_running {
                let co = self.changeovers.remove(i);
                for (sio, sif) in co.buffer {
                    self.route_out(sio, sif);
                }
            } else {
                i += 1;
            }
        }
    }

    /// SLS key of a SIF (its label's SLS modulo the load-sharing width).
    fn key_of(&self, sif: &[u8]) -> usize {
        RoutingLabel::parse(self.cfg.variant, sif)
            .map(|(l, _)| usize::from(l.sls) % self.assign.len())
            .unwrap_or(0)
    }

    /// Sends or buffers a SIF according to its SLS.
    fn route_out(&mut self, sio: Sio, sif: Vec<u8>) {
        let key = self.key_of(&sif) as u16;
        if let Some(co) = self.changeovers.iter_mut().find(|c| c.sls.contains(&key)) {
            co.buffer.push((sio, sif));
            return;
        }
        if let Some(cb) = self.changebacks.iter_mut().find(|c| c.sls.contains(&key)) {
            cb.buffer.push((sio, sif));
            return;
        }
        if let Some(slc) = self.assign[usize::from(key)] {
            self.out.push_back((slc, sio, sif));
        }
    }

    /// Sends a user part message to the adjacent signalling point.
    pub fn send(&mut self, now: u64, si: u8, payload: &[u8], sls: u8) -> Result<(), LinkSetError> {
        self.send_to(now, self.cfg.adjacent, si, payload, sls)
    }

    /// Sends a user part message to `dpc` through the adjacent signalling point.
    pub fn send_to(
        &mut self,
        _now: u64,
        dpc: PointCode,
        si: u8,
        payload: &[u8],
        sls: u8,
    ) -> Result<(), LinkSetError> {
        if !self.is_up() {
            return Err(LinkSetError::LinkSetDown);
        }
        if self.route_state(dpc) == RouteState::Prohibited {
            return Err(LinkSetError::RouteProhibited);
        }
        let sls = sls & self.cfg.variant.max_sls();
        let sif = self
            .label_to(dpc, sls)
            .emit_sif(self.cfg.variant, payload)?;
        let sio = Sio {
            si,
            priority: 0,
            ni: self.cfg.ni,
        };
        sio.to_octet()?;
        self.route_out(sio, sif);
        Ok(())
    }

    /// Sends a UPU to the adjacent point: `user_part` is not available here.
    pub fn send_upu(&mut self, user_part: u8, cause: u8) -> Result<(), LinkSetError> {
        let on = *self.available().first().ok_or(LinkSetError::LinkSetDown)?;
        let msg = SnmMessage::Upu {
            dest: self.cfg.opc,
            user_part,
            cause,
        };
        let label = self.label_to(self.cfg.adjacent, on);
        let sif = msg.to_sif(self.cfg.variant, label)?;
        self.out.push_back((on, self.sio(si::SNM), sif));
        Ok(())
    }

    /// Next signal unit to hand to MTP2 of link `slc`: (slc, SIO, SIF).
    pub fn poll_transmit(&mut self) -> Option<(u8, Sio, Vec<u8>)> {
        self.out.pop_front()
    }

    /// Next indication.
    pub fn poll_event(&mut self) -> Option<LinkSetEvent> {
        self.events.pop_front()
    }

    /// Earliest timer deadline.
    pub fn poll_timeout(&self) -> Option<u64> {
        let links = self.links.iter().filter_map(|l| l.slt_deadline);
        let cos = self.changeovers.iter().filter_map(|c| c.deadline);
        let cbs = self.changebacks.iter().map(|c| c.deadline);
        links.chain(cos).chain(cbs).min()
    }

    /// Runs the timers due at `now`.
    pub fn handle_timeout(&mut self, now: u64) {
        // Q.707 T1: SLTA not received.
        let due: Vec<u8> = self
            .links
            .iter()
            .filter(|l| l.slt_deadline.is_some_and(|d| d <= now))
            .map(|l| l.slc)
            .collect();
        for slc in due {
            let deadline = now.saturating_add(self.cfg.t1_slt);
            let Some(link) = self.link_mut(slc) else {
                continue;
            };
            if link.slt_attempts < 2 {
                link.slt_attempts += 1;
                link.slt_deadline = Some(deadline);
                let pattern = self.cfg.test_pattern.clone();
                self.send_slt(slc, SltKind::Sltm, pattern);
            } else {
                link.slt_deadline = None;
                link.state = LinkState::Down;
                self.events.push_back(LinkSetEvent::LinkTestFailed { slc });
            }
        }
        // Q.704 T2 (no acknowledgement: time-controlled, wait T1) and T1.
        let (t1, mut retrieve) = (self.cfg.t1, Vec::new());
        for co in &mut self.changeovers {
            if co.deadline.is_some_and(|d| d <= now) {
                match co.phase {
                    CoPhase::WaitAck => {
                        co.phase = CoPhase::Retrieving;
                        co.t1_running = true;
                        co.deadline = Some(now.saturating_add(t1));
                        retrieve.push(co.slc);
                    }
                    CoPhase::Retrieving => {
                        co.t1_running = false;
                        co.deadline = None;
                    }
                }
            }
        }
        for slc in retrieve {
            self.events
                .push_back(LinkSetEvent::Retrieve { slc, fsn: None });
        }
        self.finish_changeovers(now);
        // Q.704 T4 (repeat CBD, start T5) and T5 (complete anyway).
        let due: Vec<u8> = self
            .changebacks
            .iter()
            .filter(|c| c.deadline <= now)
            .map(|c| c.code)
            .collect();
        for code in due {
            let Some(cb) = self.changebacks.iter_mut().find(|c| c.code == code) else {
                continue;
            };
            if cb.repeated {
                self.complete_changeback(code);
            } else {
                cb.repeated = true;
                cb.deadline = now.saturating_add(self.cfg.t5);
                let (from, to) = (cb.from, cb.to);
                self.send_snm(from, SnmMessage::Cbd { slc: to, code });
            }
        }
    }
}
