//! Initial alignment control (Q.703 §7) and the alignment error rate
//! monitor (AERM, Q.703 §10.3).
//!
//! States: idle (the link is out of service or past alignment), not aligned
//! (SIO sent, T2), aligned (SIN/SIE sent, T3), proving (SIN/SIE sent, T4,
//! AERM counting errors). Proving uses the emergency period Pe (T4e) and
//! threshold Tie when either end asks for emergency (local emergency or SIE
//! received), else Pn (T4n) and Ti. An AERM abort restarts proving at the
//! next T4 expiry; after M aborts alignment is not possible.

use super::{LinkState, Mtp2, OutOfServiceReason, Timer};
use crate::mtp2::su::LinkStatus;

impl Mtp2 {
    /// IAC "start": send SIO, start T2.
    pub(super) fn iac_start(&mut self, now: u64) {
        self.timers = [None; 7];
        self.use_pe = false;
        self.further_proving = false;
        self.proving_aborts = 0;
        self.aerm_count = 0;
        self.state = LinkState::NotAligned;
        self.set_timer(Timer::T2, now + self.cfg.t2);
    }

    fn t4_value(&self) -> u64 {
        if self.use_pe || self.emergency {
            self.cfg.t4e
        } else {
            self.cfg.t4n
        }
    }

    fn aerm_threshold(&self) -> u32 {
        if self.use_pe || self.emergency {
            self.cfg.aerm_tie
        } else {
            self.cfg.aerm_ti
        }
    }

    fn enter_aligned(&mut self, now: u64, status: LinkStatus) {
        self.stop_timer(Timer::T2);
        if status == LinkStatus::Sie {
            self.use_pe = true;
        }
        self.state = LinkState::Aligned;
        self.set_timer(Timer::T3, now + self.cfg.t3);
    }

    fn start_proving(&mut self, now: u64) {
        self.state = LinkState::Proving;
        self.aerm_count = 0;
        self.further_proving = false;
        self.set_timer(Timer::T4, now + self.t4_value());
    }

    /// An LSSU received during alignment.
    pub(super) fn iac_rx_status(&mut self, now: u64, status: LinkStatus) {
        match (self.state, status) {
            // SIOS is ignored while not aligned (the far end may not have started).
            (LinkState::Aligned | LinkState::Proving, LinkStatus::Sios) => {
                self.alignment_not_possible()
            }
            (LinkState::NotAligned, LinkStatus::Sio | LinkStatus::Sin | LinkStatus::Sie) => {
                self.enter_aligned(now, status)
            }
            (LinkState::Aligned, LinkStatus::Sin | LinkStatus::Sie) => {
                self.stop_timer(Timer::T3);
                if status == LinkStatus::Sie {
                    self.use_pe = true;
                }
                self.start_proving(now);
            }
            (LinkState::Proving, LinkStatus::Sio) => {
                // The far end lost alignment: back to aligned.
                self.stop_timer(Timer::T4);
                self.state = LinkState::Aligned;
                self.set_timer(Timer::T3, now + self.cfg.t3);
            }
            (LinkState::Proving, LinkStatus::Sie) if !self.use_pe && !self.emergency => {
                // Far end asks for emergency: prove for Pe from now on.
                self.use_pe = true;
                self.start_proving(now);
            }
            _ => {}
        }
    }

    /// The local emergency indication changed.
    pub(super) fn iac_emergency_changed(&mut self, now: u64) {
        if self.state == LinkState::Proving && self.emergency && !self.use_pe {
            self.use_pe = true;
            self.start_proving(now);
        }
    }

    /// An SU error while proving.
    pub(super) fn aerm_error(&mut self, _now: u64) {
        self.aerm_count += 1;
        if self.aerm_count >= self.aerm_threshold() {
            // Abort proving.
            self.aerm_count = 0;
            self.proving_aborts += 1;
            if self.proving_aborts >= self.cfg.proving_attempts {
                self.alignment_not_possible();
            } else {
                self.further_proving = true;
            }
        }
    }

    pub(super) fn t4_expired(&mut self, now: u64) {
        if self.state != LinkState::Proving {
            return;
        }
        if self.further_proving {
            self.start_proving(now);
        } else {
            self.alignment_complete(now);
        }
    }

    pub(super) fn alignment_not_possible(&mut self) {
        self.out_of_service(OutOfServiceReason::AlignmentNotPossible);
    }
}
