//! Timer expiry and frame reception procedures of a [`Link`] (Q.921 §5, Annex B SDL).

use super::Ev;
use super::{inc, Link, Out, SKind};
use crate::lapd::frame::Control;
use crate::lapd::types::{LinkEvent, LinkState};

impl Link {
    /// Release indication for a failed establishment: CONFIRM if layer 3 had
    /// asked for a release meanwhile, INDICATION otherwise.
    fn state5_release_event(&self) -> LinkEvent {
        if self.release_pending {
            LinkEvent::DlReleaseConfirm
        } else {
            LinkEvent::DlReleaseIndication
        }
    }

    pub(super) fn t200_expiry(&mut self) {
        self.stats.t200_expiries += 1;
        let n200 = self.config.n200;
        match self.state {
            LinkState::AwaitingEstablishment if self.rc >= n200 => {
                self.discard_i_queue();
                self.mdl_error('G');
                let event = self.state5_release_event();
                self.enter_released(event);
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
            // §5.6.7: enter timer recovery and enquire (the option of
            // polling with an RR/RNR command rather than retransmitting the
            // last I frame with P=1).
            LinkState::MultipleFrameEstablished => {
                self.rc = 0;
                self.transmit_enquiry();
                self.rc += 1;
                self.state = LinkState::TimerRecovery;
            }
            // §5.6.7 b): N200 enquiries unanswered: MDL-ERROR (I) and re-establish.
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

    /// T203 expiry (Annex B state 7): enquire and enter timer recovery with RC = 0.
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
            // §5.8.5 d): I frame longer than N201.
            self.frame_rejection('O');
            return true;
        }
        if self.own_busy {
            // §5.6.2, §5.6.6: discard the information field.
            if p {
                self.enquiry_response();
            }
        } else if ns == self.vr {
            if self.data_room() {
                self.vr = inc(self.vr);
                self.reject_exception = false;
                self.stats.rx_i_frames += 1;
                if !self.push_data(Ev::Data, info) {
                    self.stats.event_overflows += 1;
                }
                if p {
                    self.enquiry_response();
                } else {
                    self.ack_pending = true;
                }
            } else {
                // Layer 3 is not draining events: treat as a busy receiver
                // (V(R) unchanged; the peer retransmits later).
                self.stats.event_overflows += 1;
                if p {
                    self.enquiry_response();
                }
            }
        } else if self.reject_exception {
            if p {
                self.enquiry_response();
            }
        } else {
            // §5.8.1: N(S) sequence error: one REJ per exception condition.
            self.reject_exception = true;
            self.stats.tx_rej += 1;
            self.push_out(Out::S {
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

    /// State 7 acknowledgement of a valid N(R) with T200/T203 handling:
    /// everything acknowledged stops T200 and restarts T203; a partial
    /// acknowledgement restarts T200.
    pub(super) fn ack_and_supervise(&mut self, nr: u8) {
        let advanced = self.update_va(nr);
        if self.va == self.v_top {
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
        // §5.6.4, §5.6.5: RR/REJ clear, RNR sets the peer receiver busy condition.
        self.peer_busy = kind == SKind::Rnr;
        if pf {
            if cmd {
                self.enquiry_response();
            } else if self.state == LinkState::MultipleFrameEstablished {
                // Unsolicited F=1; its N(R) is still processed below.
                self.mdl_error('A');
            }
        }
        if !self.nr_valid(nr) {
            self.nr_error();
            return true;
        }
        if self.state == LinkState::TimerRecovery {
            self.update_va(nr);
            if !cmd && pf {
                // The enquiry is answered: leave timer recovery and invoke
                // retransmission from N(R).
                self.vs = self.va;
                self.state = LinkState::MultipleFrameEstablished;
                if kind == SKind::Rnr {
                    // §5.6.5: keep supervising the busy peer with T200.
                    self.start_t200();
                } else {
                    self.start_t203();
                }
            }
            return true;
        }
        match kind {
            SKind::Rr => self.ack_and_supervise(nr),
            SKind::Rej => {
                // §5.6.4: acknowledge, then retransmit from N(R).
                self.update_va(nr);
                self.start_t203();
                self.vs = self.va;
            }
            SKind::Rnr => {
                self.update_va(nr);
                self.start_t200();
            }
        }
        true
    }

    pub(super) fn rx_sabme(&mut self, p: bool) -> bool {
        match self.state {
            LinkState::TeiAssigned => {
                self.push_u(Control::Ua { f: p }, false);
                self.push_event(LinkEvent::DlEstablishIndication);
                self.enter_established();
            }
            // §5.5.5 collision of identical commands: answer, wait for our UA.
            LinkState::AwaitingEstablishment => self.push_u(Control::Ua { f: p }, false),
            LinkState::AwaitingRelease => self.push_u(Control::Dm { f: p }, false),
            // §5.7: peer-initiated re-establishment. Layer 3 is told (and the
            // I queue discarded) only if I frames were outstanding.
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.push_u(Control::Ua { f: p }, false);
                self.mdl_error('F');
                if self.v_top != self.va {
                    self.discard_i_queue();
                    self.push_event(LinkEvent::DlEstablishIndication);
                }
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
                self.discard_i_queue();
                self.push_u(Control::Ua { f: p }, false);
                self.enter_released(LinkEvent::DlReleaseIndication);
            }
        }
        true
    }

    pub(super) fn rx_ua(&mut self, f: bool) -> bool {
        match self.state {
            LinkState::AwaitingEstablishment if f => {
                if self.release_pending {
                    // The saved DL-RELEASE-REQUEST: release at once.
                    self.enter_established();
                    self.start_release();
                    return true;
                }
                if self.l3_initiated {
                    self.push_event(LinkEvent::DlEstablishConfirm);
                } else if self.v_top != self.va {
                    self.discard_i_queue();
                    self.push_event(LinkEvent::DlEstablishIndication);
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
            LinkState::TeiAssigned if f => return false,
            // Annex B, TEI-assigned state: an unsolicited DM F=0 asks us to
            // establish ("establish data link; set layer 3 initiated").
            LinkState::TeiAssigned => {
                self.establish_data_link();
                self.l3_initiated = true;
            }
            LinkState::AwaitingEstablishment if f => {
                self.discard_i_queue();
                let event = self.state5_release_event();
                self.enter_released(event);
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

    /// UI command to this TEI or the broadcast TEI (§5.2), in any state.
    pub(super) fn rx_ui(&mut self, tei: u8, info: &[u8]) -> bool {
        if info.len() > self.config.n201 {
            if tei == self.tei {
                self.mdl_error('O');
            }
            return false;
        }
        if !self.data_room() {
            self.stats.event_overflows += 1;
            return true;
        }
        self.push_data(Ev::UnitData, info)
    }

    /// §5.8.6: an FRMR response in multiple-frame operation: MDL-ERROR (K)
    /// and re-establish. LAPD never sends FRMR itself (§5.8.5 uses
    /// re-establishment instead), and ignores it in other states.
    pub(super) fn rx_frmr(&mut self) -> bool {
        if !self.is_established() {
            return false;
        }
        self.mdl_error('K');
        self.reestablish();
        true
    }
}
