//! Received MSUs: SNM and SNT handling, changeback, route states.

use std::collections::BTreeMap;

use super::{Changeback, LinkSet, LinkSetEvent, LinkState, RouteState};
use crate::mtp3::label::{parse_msu, si, PointCode, RoutingLabel};
use crate::mtp3::snm::SnmMessage;
use crate::mtp3::snt::{SltKind, SltMessage};

impl LinkSet {
    /// A received MSU on link `slc`: the SIO octet followed by the SIF.
    /// Malformed or misaddressed MSUs are discarded.
    pub fn handle_msu(&mut self, now: u64, slc: u8, msu: &[u8]) {
        let v = self.cfg.variant;
        let Ok((sio, label, payload)) = parse_msu(v, msu) else {
            return;
        };
        if sio.ni != self.cfg.ni || label.dpc != self.cfg.opc {
            return;
        }
        match sio.si {
            si::SNM => {
                if let Ok(msg) = SnmMessage::parse(v, label.sls, payload) {
                    self.handle_snm(now, slc, msg);
                }
            }
            si::SNT | si::SNT_SPECIAL => {
                if let Ok(msg) = SltMessage::parse(v, label.sls, payload) {
                    self.handle_slt(now, slc, label, msg);
                }
            }
            si => self.events.push_back(LinkSetEvent::Deliver {
                si,
                label,
                payload: payload.to_vec(),
            }),
        }
    }

    fn handle_slt(&mut self, now: u64, slc: u8, label: RoutingLabel, msg: SltMessage) {
        match msg.kind {
            SltKind::Sltm => self.send_slt(slc, SltKind::Slta, msg.pattern),
            SltKind::Slta => {
                let ok = msg.pattern == self.cfg.test_pattern
                    && msg.slc == slc
                    && label.opc == self.cfg.adjacent;
                let Some(link) = self.link_mut(slc) else {
                    return;
                };
                if link.state == LinkState::Testing && ok {
                    link.state = LinkState::Available;
                    link.slt_deadline = None;
                    self.link_available(now, slc);
                }
            }
        }
    }

    /// Link `slc` passed its test: traffic comes back to it.
    fn link_available(&mut self, now: u64, slc: u8) {
        self.events.push_back(LinkSetEvent::LinkAvailable { slc });
        if !self.was_up {
            self.was_up = true;
            for k in 0..self.assign.len() {
                self.assign[k] = self.alternative(k);
            }
            self.events.push_back(LinkSetEvent::LinkSetUp);
            self.send_snm(slc, SnmMessage::Tra);
            return;
        }
        // Changeback: SLS values whose home is `slc`, grouped by current link.
        let mut by_link: BTreeMap<u8, Vec<u16>> = BTreeMap::new();
        for k in 0..self.assign.len() {
            if self.home(k) != slc {
                continue;
            }
            match self.assign[k] {
                Some(cur) if cur != slc => by_link.entry(cur).or_default().push(k as u16),
                _ => self.assign[k] = Some(slc),
            }
        }
        for (from, sls) in by_link {
            let code = self.next_cb_code;
            self.next_cb_code = self.next_cb_code.wrapping_add(1);
            self.send_snm(from, SnmMessage::Cbd { slc, code });
            self.changebacks.push(Changeback {
                to: slc,
                from,
                code,
                deadline: now.saturating_add(self.cfg.t4),
                repeated: false,
                sls,
                buffer: Vec::new(),
            });
        }
    }

    pub(super) fn complete_changeback(&mut self, code: u8) {
        let Some(pos) = self.changebacks.iter().position(|c| c.code == code) else {
            return;
        };
        let cb = self.changebacks.remove(pos);
        for &k in &cb.sls {
            self.assign[usize::from(k)] = Some(cb.to);
        }
        for (sio, sif) in cb.buffer {
            self.route_out(sio, sif);
        }
    }

    fn handle_snm(&mut self, now: u64, on: u8, msg: SnmMessage) {
        use SnmMessage::*;
        match msg {
            Coo { slc, .. } | Xco { slc, .. } | Eco { slc } => {
                let far_fsn = match msg {
                    Coo { fsn, .. } => Some(u32::from(fsn)),
                    Xco { fsn, .. } => Some(fsn),
                    _ => None,
                };
                let state = self.link_state(slc);
                if state == Some(LinkState::Available) {
                    // The far end saw the failure first; our BSNT is the
                    // FSN last given by set_last_accepted_fsn (the lead
                    // stops MTP2 on the Retrieve that follows, before it
                    // accepts anything more).
                    if let Some(l) = self.link_mut(slc) {
                        l.state = LinkState::Down;
                    }
                    self.start_changeover(now, slc, false);
                } else if state.is_none() {
                    return;
                }
                let own = self
                    .links
                    .iter()
                    .find(|l| l.slc == slc)
                    .and_then(|l| l.last_fsn);
                let answer = match (own, far_fsn) {
                    (Some(f), Some(_)) if f <= 0x7F => Coa { slc, fsn: f as u8 },
                    (Some(f), Some(_)) => Xca { slc, fsn: f },
                    _ => Eca { slc },
                };
                let reply_on = if self.link_state(on) == Some(LinkState::Available) {
                    Some(on)
                } else {
                    self.available().first().copied()
                };
                if let Some(r) = reply_on {
                    self.send_snm(r, answer);
                }
                self.changeover_acked(now, slc, far_fsn);
            }
            Coa { slc, fsn } => self.changeover_acked(now, slc, Some(u32::from(fsn))),
            Xca { slc, fsn } => self.changeover_acked(now, slc, Some(fsn)),
            Eca { slc } => self.changeover_acked(now, slc, None),
            Cbd { slc, code } => {
                let reply_on = if self.link_state(on) == Some(LinkState::Available) {
                    Some(on)
                } else {
                    self.available().first().copied()
                };
                if let Some(r) = reply_on {
                    self.send_snm(r, Cba { slc, code });
                }
            }
            Cba { code, .. } => self.complete_changeback(code),
            Tfp { dest } | Tcp { dest } => self.route(dest, RouteState::Prohibited),
            Tfr { dest } | Tcr { dest } => self.route(dest, RouteState::Restricted),
            Tfa { dest } | Tca { dest } => self.route(dest, RouteState::Allowed),
            Tfc { dest, status } => self
                .events
                .push_back(LinkSetEvent::RouteCongested { dest, status }),
            Upu {
                dest,
                user_part,
                cause,
            } => self.events.push_back(LinkSetEvent::UserPartUnavailable {
                dest,
                user_part,
                cause,
            }),
            Tra => self.events.push_back(LinkSetEvent::TrafficRestartAllowed),
            // An end point answers no route-set-test, inhibiting or congestion test.
            Rct | Rst { .. } | Rsr { .. } | Trw => {}
            Lin { .. } | Lun { .. } | Lia { .. } | Lua { .. } => {}
            Lid { .. } | Lfu { .. } | Llt { .. } | Lrt { .. } => {}
        }
    }

    fn route(&mut self, dest: PointCode, state: RouteState) {
        if self.route_state(dest) != state {
            self.routes.insert(dest, state);
        }
        self.events
            .push_back(LinkSetEvent::RouteStatus { dest, state });
    }
}
