//! A signalling point with one link set of N MTP2 links, sans-IO: the glue
//! between [`crate::mtp2::Mtp2`] (one per link) and [`crate::mtp3::LinkSet`].
//!
//! The caller owns the line of each link: it hands every received signal
//! unit to [`Ss7Node::handle_su`] (FCS/abort errors to
//! [`Ss7Node::handle_su_error`]), asks [`Ss7Node::poll_su`] for the next unit
//! whenever the link's HDLC can take one, drives time with
//! [`Ss7Node::poll_timeout`] / [`Ss7Node::handle_timeout`] in board
//! milliseconds, sends user part messages with [`Ss7Node::send_user`] and
//! drains [`Ss7Node::poll_event`].
//!
//! Wiring:
//! * MTP2 in service → [`LinkSet::handle_link_up`] (SLTM/SLTA, then TRA or
//!   changeback);
//! * MTP2 out of service → [`LinkSet::handle_link_down`] with MTP2's last
//!   accepted FSN (COO); if the link set then waits for a changeover
//!   retrieval ([`LinkSet::awaits_retrieval`]) MTP2 stays out of service
//!   with its buffers until [`LinkSetEvent::Retrieve`], else (or once the
//!   link set no longer waits) it is restarted at once and its MSUs
//!   discarded;
//! * [`LinkSetEvent::Retrieve`] → if MTP2 was still in service (the far end
//!   saw the failure first) it is stopped first; the MSUs
//!   `Mtp2::retrieve_msus_after` gives for the far end's last accepted FSN
//!   (only the unsent ones when it is unknown), then the link's overflow,
//!   go to [`LinkSet::handle_retrieved`] and MTP2 restarts;
//! * [`LinkSet::poll_transmit`] → the link's `Mtp2::send_msu`, through an
//!   unbounded per-link overflow queue when MTP2's queue is full;
//! * MTP2 MSU indications → [`LinkSet::set_last_accepted_fsn`] with MTP2's
//!   last accepted FSN (so a far-end COO is answered with our BSNT), then
//!   [`LinkSet::handle_msu`];
//! * [`LinkSetEvent::LinkTestFailed`] → MTP2 of that link is stopped and
//!   restarted.
//!
//! An optional tap ([`Ss7Node::set_tap`], [`Ss7Node::poll_tap`]) copies every
//! signal unit sent and received, for LINKTYPE_MTP2_WITH_PHDR captures.

mod link;
mod types;

use std::collections::VecDeque;

use crate::mtp2::{
    LinkState as Mtp2State, LinkStatus, Mtp2Event, SignalUnit, SuBuf, SuKind, SuRepr,
};
use crate::mtp3::{LinkSet, LinkSetConfig, LinkSetEvent, LinkState as Mtp3State};

use link::Link;
pub use types::{LinkSetStatusView, LinkStatusView, NodeConfig, NodeError, NodeEvent};

/// Most signal units kept by the tap before the oldest are dropped.
pub const TAP_CAPACITY: usize = 4096;

/// A signalling point with one link set (see the module documentation).
pub struct Ss7Node {
    cfg: NodeConfig,
    linkset: LinkSet,
    links: Vec<Link>,
    events: VecDeque<NodeEvent>,
    tap: Option<VecDeque<(usize, bool, SuBuf)>>,
    tap_dropped: u64,
}

impl Ss7Node {
    /// A signalling point with every link out of service; call
    /// [`start`](Self::start) to begin alignment.
    pub fn new(cfg: NodeConfig) -> Result<Self, NodeError> {
        let ls_cfg = LinkSetConfig::new(cfg.variant, cfg.ni, cfg.opc, cfg.dpc, cfg.links.clone());
        let linkset = LinkSet::new(ls_cfg)?;
        let links = cfg
            .links
            .iter()
            .map(|&slc| Link::new(slc, cfg.mtp2))
            .collect();
        Ok(Ss7Node {
            linkset,
            links,
            events: VecDeque::new(),
            tap: None,
            tap_dropped: 0,
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.cfg
    }

    /// The link set (read-only: route states, SLS assignment...).
    pub fn linkset(&self) -> &LinkSet {
        &self.linkset
    }

    /// Number of links.
    pub fn link_count(&self) -> usize {
        self.links.len()
    }

    /// Whether at least one link carries traffic.
    pub fn is_up(&self) -> bool {
        self.linkset.is_up()
    }

    /// Start every link: MTP2 initial alignment begins.
    pub fn start(&mut self, now: u64) {
        for l in &mut self.links {
            l.mtp2.start(now);
        }
        self.pump(now);
    }

    /// A signal unit received on link `link` (flags removed, FCS checked).
    pub fn handle_su(&mut self, now: u64, link: usize, su: &[u8]) -> Result<(), NodeError> {
        let l = self
            .links
            .get_mut(link)
            .ok_or(NodeError::NoSuchLink(link))?;
        l.mtp2.handle_su(now, su);
        if let Some(tap) = &mut self.tap {
            if let Ok(buf) = SignalUnit::parse(su).and_then(|r| SuBuf::from_repr(&r)) {
                if tap.len() >= TAP_CAPACITY {
                    tap.pop_front();
                    self.tap_dropped += 1;
                }
                tap.push_back((link, false, buf));
            }
        }
        self.pump(now);
        Ok(())
    }

    /// A signal unit error (FCS error, abort, octet counting) on link `link`.
    pub fn handle_su_error(&mut self, now: u64, link: usize) -> Result<(), NodeError> {
        let l = self
            .links
            .get_mut(link)
            .ok_or(NodeError::NoSuchLink(link))?;
        l.mtp2.handle_su_error(now);
        self.pump(now);
        Ok(())
    }

    /// The next signal unit link `link` sends (a link never idles: LSSUs,
    /// FISUs or MSUs).
    pub fn poll_su(&mut self, now: u64, link: usize) -> Result<SuBuf, NodeError> {
        let l = self
            .links
            .get_mut(link)
            .ok_or(NodeError::NoSuchLink(link))?;
        l.refill(now);
        // MTP2 always answers; should it ever not, SIOS is a safe filler.
        let Some(su) = l.mtp2.poll_transmit(now).or_else(sios) else {
            return Err(NodeError::NoSuchLink(link));
        };
        if let Some(tap) = &mut self.tap {
            if tap.len() >= TAP_CAPACITY {
                tap.pop_front();
                self.tap_dropped += 1;
            }
            tap.push_back((link, true, su));
        }
        self.pump(now);
        Ok(su)
    }

    /// The earliest timer expiry (MTP2 of any link, or the link set).
    pub fn poll_timeout(&self) -> Option<u64> {
        let links = self.links.iter().filter_map(|l| l.mtp2.poll_timeout());
        links.chain(self.linkset.poll_timeout()).min()
    }

    /// Run every timer due at `now`.
    pub fn handle_timeout(&mut self, now: u64) {
        for l in &mut self.links {
            l.mtp2.handle_timeout(now);
        }
        self.linkset.handle_timeout(now);
        self.pump(now);
    }

    /// Send a user part message (service indicator `si`, octets after the
    /// routing label) to the adjacent signalling point; `sls` selects the
    /// link (messages with the same SLS stay in order).
    pub fn send_user(
        &mut self,
        now: u64,
        si: u8,
        payload: &[u8],
        sls: u8,
    ) -> Result<(), NodeError> {
        self.linkset.send(now, si, payload, sls)?;
        self.pump(now);
        Ok(())
    }

    /// Tell the adjacent point that user part `user_part` is unavailable here (UPU).
    pub fn send_upu(&mut self, now: u64, user_part: u8, cause: u8) -> Result<(), NodeError> {
        self.linkset.send_upu(user_part, cause)?;
        self.pump(now);
        Ok(())
    }

    /// The next indication.
    pub fn poll_event(&mut self) -> Option<NodeEvent> {
        self.events.pop_front()
    }

    /// Turn the packet tap on or off (off discards what was kept).
    pub fn set_tap(&mut self, on: bool) {
        if on {
            self.tap.get_or_insert_with(VecDeque::new);
        } else {
            self.tap = None;
        }
    }

    /// The next tapped signal unit: (link index, sent by us, the unit from
    /// its BSN octet, without FCS).
    pub fn poll_tap(&mut self) -> Option<(usize, bool, SuBuf)> {
        self.tap.as_mut()?.pop_front()
    }

    /// Tapped signal units dropped because nobody drained the tap.
    pub fn tap_dropped(&self) -> u64 {
        self.tap_dropped
    }

    /// Status of the link set and each link (for `trunkctl ss7 linksets`).
    pub fn link_status(&self) -> LinkSetStatusView {
        let links = self
            .links
            .iter()
            .enumerate()
            .map(|(index, l)| LinkStatusView {
                index,
                slc: l.slc,
                mtp2: l.mtp2.state(),
                mtp3: self.linkset.link_state(l.slc).unwrap_or(Mtp3State::Down),
                stats: l.mtp2.stats(),
                outstanding: l.mtp2.outstanding(),
                queued: l.mtp2.queued() + l.overflow.len(),
                failures: l.failures,
            })
            .collect();
        LinkSetStatusView {
            variant: self.cfg.variant,
            opc: self.cfg.opc,
            dpc: self.cfg.dpc,
            up: self.linkset.is_up(),
            links,
        }
    }

    fn index_of(&self, slc: u8) -> Option<usize> {
        self.links.iter().position(|l| l.slc == slc)
    }

    /// Move indications and MSUs between MTP2 and MTP3 until nothing moves.
    fn pump(&mut self, now: u64) {
        loop {
            let mut moved = false;
            for i in 0..self.links.len() {
                while let Some(ev) = self.links[i].mtp2.poll_event() {
                    moved = true;
                    self.mtp2_event(now, i, ev);
                }
            }
            while let Some(ev) = self.linkset.poll_event() {
                moved = true;
                self.linkset_event(now, ev);
            }
            while let Some((slc, sio, sif)) = self.linkset.poll_transmit() {
                moved = true;
                let (Some(i), Ok(sio)) = (self.index_of(slc), sio.to_octet()) else {
                    continue;
                };
                self.links[i].send(now, sio, sif);
            }
            for l in &mut self.links {
                if l.held && !self.linkset.awaits_retrieval(l.slc) {
                    // The changeover ended without retrieval (link set down).
                    l.restart(now);
                }
            }
            if !moved {
                break;
            }
        }
    }

    fn mtp2_event(&mut self, now: u64, i: usize, ev: Mtp2Event) {
        let slc = self.links[i].slc;
        match ev {
            Mtp2Event::InService => self.linkset.handle_link_up(now, slc),
            Mtp2Event::OutOfService(reason) => {
                let l = &mut self.links[i];
                l.failures += 1;
                let fsn = u32::from(l.mtp2.last_accepted_fsn());
                self.events
                    .push_back(NodeEvent::LinkOutOfService { slc, reason });
                self.linkset.handle_link_down(now, slc, Some(fsn));
                let l = &mut self.links[i];
                if self.linkset.awaits_retrieval(slc) {
                    l.held = true;
                } else {
                    l.restart(now);
                }
            }
            Mtp2Event::Msu { sio, sif } => {
                let bsnt = self.links[i].mtp2.last_accepted_fsn();
                self.linkset.set_last_accepted_fsn(slc, u32::from(bsnt));
                let mut msu = [0u8; 1 + crate::mtp2::su::MAX_SIF];
                msu[0] = sio;
                msu[1..=sif.len()].copy_from_slice(&sif);
                self.linkset.handle_msu(now, slc, &msu[..=sif.len()]);
            }
            Mtp2Event::RemoteProcessorOutage
            | Mtp2Event::RemoteProcessorRecovered
            | Mtp2Event::RemoteCongestion
            | Mtp2Event::RemoteCongestionEnded => {}
        }
    }

    fn linkset_event(&mut self, now: u64, ev: LinkSetEvent) {
        let out = match ev {
            LinkSetEvent::LinkSetUp => NodeEvent::LinkSetUp,
            LinkSetEvent::LinkSetDown => NodeEvent::LinkSetDown,
            LinkSetEvent::LinkAvailable { slc } => NodeEvent::LinkUp(slc),
            LinkSetEvent::LinkUnavailable { slc } => NodeEvent::LinkDown(slc),
            LinkSetEvent::LinkTestFailed { slc } => {
                if let Some(i) = self.index_of(slc) {
                    // The OutOfService indication restarts the link.
                    self.links[i].mtp2.stop(now);
                }
                NodeEvent::LinkTestFailed(slc)
            }
            LinkSetEvent::Retrieve { slc, fsn } => {
                self.retrieve(now, slc, fsn);
                return;
            }
            LinkSetEvent::Deliver { si, label, payload } => {
                NodeEvent::UserData { si, label, payload }
            }
            LinkSetEvent::RouteStatus { dest, state } => NodeEvent::RouteStatus { dest, state },
            LinkSetEvent::RouteCongested { dest, status } => {
                NodeEvent::RouteCongested { dest, status }
            }
            LinkSetEvent::UserPartUnavailable {
                dest,
                user_part,
                cause,
            } => NodeEvent::UserPartUnavailable {
                dest,
                user_part,
                cause,
            },
            LinkSetEvent::TrafficRestartAllowed => NodeEvent::TrafficRestartAllowed,
        };
        self.events.push_back(out);
    }

    /// Answer a changeover retrieval request for link `slc`.
    fn retrieve(&mut self, now: u64, slc: u8, fsn: Option<u32>) {
        let Some(i) = self.index_of(slc) else {
            self.linkset.handle_retrieved(now, slc, Vec::new());
            return;
        };
        if !self.links[i].held && self.links[i].mtp2.state() != Mtp2State::OutOfService {
            // The far end changed over first while our MTP2 still ran (our
            // COA carried its BSNT): stop it before it accepts anything more.
            self.links[i].mtp2.stop(now);
            while let Some(ev) = self.links[i].mtp2.poll_event() {
                self.mtp2_event(now, i, ev);
            }
        }
        let l = &mut self.links[i];
        let msus = if l.mtp2.state() == Mtp2State::OutOfService {
            l.take_back(fsn)
        } else {
            Vec::new()
        };
        l.restart(now);
        self.linkset.handle_retrieved(now, slc, msus);
    }
}

/// An SIOS with initial sequence numbers.
fn sios() -> Option<SuBuf> {
    SuBuf::from_repr(&SuRepr {
        bsn: 127,
        bib: true,
        fsn: 127,
        fib: true,
        kind: SuKind::Lssu {
            status: LinkStatus::Sios,
            two_octets: false,
        },
    })
    .ok()
}
