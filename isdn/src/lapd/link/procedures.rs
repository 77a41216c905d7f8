//! Timer expiry and frame reception procedures of a [`Link`] (Q.921 §5, Annex B SDL).

use super::{inc, Link, Out, SKind};
use crate::lapd::frame::Control;
use crate::lapd::types::{LinkEvent, LinkState};

impl Link {
    pub(super) fn t200_expiry(&mut self) {
        self.stats.t200_expiries += 1;
        let n200 = self.config.n200;
        match self.state {
            LinkState::AwaitingEstablishment if self.rc >= n200 => {
                self.i_queue.clear();
                self.mdl_error('G');
                self.enter_released(LinkEvent::DlReleaseIndication);
            }
            LinkState::AwaitingEstablishment => {
                self.rc += 1;
                self.push_u(Control::Sabme { p: true }, true);
                self.start_t200();
            }
            LinkState::AwaitingRelease if self.rc >= n200 => {
                self.mdl_error('H');
                self.enter_released(LinkEvent::DlReleaseConfirm);
            }
            LinkState::AwaitingRelease => {
                self.rc += 1;
                self.push_u(Control::Disc { p: true }, true);
                self.start_t200();
            }
            LinkState::MultipleFrameEstablished => {
                self.transmit_enquiry();
                self.rc = 1;
                self.state = LinkState::TimerRecovery;
            }
            LinkState::TimerRecovery if self.rc >= n200 => {
                self.mdl_error('I');
                self.reestablish();
            }
            LinkState::TimerRecovery => {
                self.transmit_enquiry();
                self.rc += 1;
            }
            LinkState::TeiAssigned => {}
        }
    }

    pub(super) fn t203_expiry(&mut self) {
        self.stats.t203_expiries += 1;
        if self.state == LinkState::MultipleFrameEstablished {
            self.transmit_enquiry();
            self.rc = 0;
            self.state = LinkState::TimerRecovery;
        }
    }

    pub(super) fn rx_i(&mut self, ns: u8, nr: u8, p: bool, info: &[u8]) -> bool {
        if !self.is_established() {
            if self.state == LinkState::TeiAssigned && p {
                self.push_u(Control::Dm { f: true }, false);
                return true;
            }
            return false;
        }
        if info.len() > self.config.n201 {
            self.mdl_error('O');
            return false;
        }
        if self.own_busy {
            if p {
                self.enquiry_response();
            }
        } else if ns == self.vr {
            self.vr = inc(self.vr);
            self.reject_exception = false;
            self.stats.rx_i_frames += 1;
            self.events.push_back(LinkEvent::DlData(info.to_vec()));
            if p {
                self.enquiry_response();
            } else {
                self.ack_pending = true;
            }
        } else if self.reject_exception {
            if p {
                self.enquiry_response();
            }
        } else {
            self.reject_exception = true;
            self.stats.tx_rej += 1;
            self.out.push_back(Out::S {
                kind: SKind::Rej,
                command: false,
                pf: p,
            });
            self.ack_pending = false;
        }
        if !self.nr_valid(nr) {
            self.nr_error();
        } else if self.state == LinkState::TimerRecovery || self.peer_busy {
            self.update_va(nr);
        } else {
            self.ack_and_supervise(nr);
        }
        true
    }

    /// State 7 acknowledgement of a valid N(R) with T200/T203 handling.
    pub(super) fn ack_and_supervise(&mut self, nr: u8) {
        let advanced = self.update_va(nr);
        if self.va == self.vs {
            self.t200 = None;
            self.start_t203();
        } else if advanced {
            self.start_t200();
        }
    }

    pub(super) fn rx_s(&mut self, kind: SKind, nr: u8, pf: bool, cmd: bool) -> bool {
        if !self.is_established() {
            if self.state == LinkState::TeiAssigned && cmd && pf {
                self.push_u(Control::Dm { f: true }, false);
                return true;
            }
            return false;
        }
        self.peer_busy = kind == SKind::Rnr;
        if cmd && pf {
            self.enquiry_response();
        }
        if !self.nr_valid(nr) {
            self.nr_error();
            return true;
        }
        if self.state == LinkState::TimerRecovery {
            self.update_va(nr);
            if !cmd && pf {
                // Enquiry answered: resume, retransmitting from N(R).
                self.t200 = None;
                self.start_t203();
                self.vs = self.va;
                self.state = LinkState::MultipleFrameEstablished;
            }
            return true;
        }
        if !cmd && pf {
            self.mdl_error('A');
            return true;
        }
        match kind {
            SKind::Rr => self.ack_and_supervise(nr),
            SKind::Rej => {
                self.update_va(nr);
                self.t200 = None;
                self.start_t203();
                self.vs = self.va;
            }
            SKind::Rnr => {
                self.update_va(nr);
                self.t203 = None;
                self.start_t200();
            }
        }
        true
    }

    pub(super) fn rx_sabme(&mut self, p: bool) -> bool {
        match self.state {
            LinkState::TeiAssigned => {
                self.push_u(Control::Ua { f: p }, false);
                self.events.push_back(LinkEvent::DlEstablishIndication);
                self.enter_established();
            }
            LinkState::AwaitingEstablishment => self.push_u(Control::Ua { f: p }, false),
            LinkState::AwaitingRelease => self.push_u(Control::Dm { f: p }, false),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.push_u(Control::Ua { f: p }, false);
                self.mdl_error('F');
                self.i_queue.clear();
                self.events.push_back(LinkEvent::DlEstablishIndication);
                self.enter_established();
            }
        }
        true
    }

    pub(super) fn rx_disc(&mut self, p: bool) -> bool {
        match self.state {
            LinkState::TeiAssigned | LinkState::AwaitingEstablishment => {
                self.push_u(Control::Dm { f: p }, false)
            }
            LinkState::AwaitingRelease => self.push_u(Control::Ua { f: p }, false),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.i_queue.clear();
                self.push_u(Control::Ua { f: p }, false);
                self.enter_released(LinkEvent::DlReleaseIndication);
            }
        }
        true
    }

    pub(super) fn rx_ua(&mut self, f: bool) -> bool {
        match self.state {
            LinkState::AwaitingEstablishment if f => {
                if self.l3_initiated {
                    self.events.push_back(LinkEvent::DlEstablishConfirm);
                } else if self.v_top != self.va {
                    self.i_queue.clear();
                    self.events.push_back(LinkEvent::DlEstablishIndication);
                }
                self.enter_established();
            }
            LinkState::AwaitingRelease if f => {
                self.enter_released(LinkEvent::DlReleaseConfirm);
            }
            LinkState::AwaitingEstablishment | LinkState::AwaitingRelease => self.mdl_error('D'),
            _ => self.mdl_error(if f { 'C' } else { 'D' }),
        }
        true
    }

    pub(super) fn rx_dm(&mut self, f: bool) -> bool {
        match self.state {
            LinkState::TeiAssigned => return false,
            LinkState::AwaitingEstablishment if f => {
                self.i_queue.clear();
                self.enter_released(LinkEvent::DlReleaseIndication);
            }
            LinkState::AwaitingRelease if f => {
                self.enter_released(LinkEvent::DlReleaseConfirm);
            }
            LinkState::AwaitingEstablishment | LinkState::AwaitingRelease => return false,
            LinkState::MultipleFrameEstablished if f => self.mdl_error('B'),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.mdl_error(if f { 'B' } else { 'E' });
                self.reestablish();
            }
        }
        true
    }
}
