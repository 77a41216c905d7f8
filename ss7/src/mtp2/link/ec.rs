//! Basic error correction (Q.703 §5), busy/congestion (Q.703 §9) and the
//! processor outage effects on transfer.
//!
//! Transmit side: each new MSU takes the next FSN and is kept in the
//! retransmission buffer until a BSN acknowledges it (positive
//! acknowledgement). A received BIB that differs from our FIB is a negative
//! acknowledgement: we invert our FIB and retransmit every unacknowledged
//! MSU, oldest first, before any new one. T7 supervises acknowledgements.
//!
//! Receive side: an MSU whose FIB equals our BIB is accepted if its FSN is
//! the last accepted FSN + 1, discarded if it repeats the last accepted FSN,
//! and otherwise discarded with a negative acknowledgement (our BIB is
//! inverted, once, until the retransmission with the new FIB arrives). A
//! FISU whose FSN differs from the last accepted FSN also reveals a lost MSU.
//! Two abnormal BSNs or FIBs in three consecutive units fail the link.
//!
//! While the local receiver is busy or in processor outage, and when the
//! event queue is full, MSUs are not accepted and not negatively
//! acknowledged; the gap is detected and recovered afterwards.

use super::{Msu, Mtp2, Mtp2Event, OutOfServiceReason, Timer, MAX_OUTSTANDING};
use crate::mtp2::su::{SuBuf, SuKind, SuRepr};

/// Record one unit in a 3-deep history and tell whether two of the last
/// three were abnormal.
fn two_of_three(history: &mut u8, abnormal: bool) -> bool {
    *history = ((*history << 1) | u8::from(abnormal)) & 0x7;
    history.count_ones() >= 2
}

impl Mtp2 {
    /// Sequence numbers and indicator bits to their initial values (127, 1).
    pub(super) fn reset_error_correction(&mut self) {
        self.tx_fsn = 127;
        self.tx_fib = true;
        self.acked = 127;
        self.retx.clear();
        self.retx_next = None;
        self.rx_fsn = 127;
        self.rx_bib = true;
        self.nack_pending = false;
        self.bsn_history = 0;
        self.fib_history = 0;
    }

    /// A FISU or MSU received in service.
    pub(super) fn rx_fisu_msu(&mut self, now: u64, su: &SuRepr<'_>) {
        if self.remote_po {
            self.remote_po = false;
            self.events.push_back(Mtp2Event::RemoteProcessorRecovered);
            if !self.retx.is_empty() && !self.remote_busy {
                self.set_timer(Timer::T7, now + self.cfg.t7);
            }
        }
        // BSN/BIB: acknowledgements of what we sent.
        let advance = usize::from(su.bsn.wrapping_sub(self.acked) & 0x7f);
        let abnormal = advance > self.retx.len();
        if two_of_three(&mut self.bsn_history, abnormal) {
            return self.out_of_service(OutOfServiceReason::AbnormalBsn);
        }
        if abnormal {
            return;
        }
        let nack = su.bib != self.tx_fib;
        if advance > 0 {
            self.retx.drain(..advance);
            self.acked = su.bsn;
            self.retx_next = self.retx_next.map(|i| i.saturating_sub(advance));
            if self.retx.is_empty() {
                self.stop_timer(Timer::T7);
            } else if !self.remote_busy && !self.remote_po {
                self.set_timer(Timer::T7, now + self.cfg.t7);
            }
        }
        if nack {
            self.tx_fib = su.bib;
            self.retx_next = (!self.retx.is_empty()).then_some(0);
        }
        if self.remote_busy && (advance > 0 || nack || now >= self.last_sib_rx + 2 * self.cfg.t5) {
            self.remote_congestion_ended(now);
        }
        // FSN/FIB: what the far end sends us.
        if su.fib != self.rx_bib {
            let abnormal = !self.nack_pending;
            if two_of_three(&mut self.fib_history, abnormal) {
                self.out_of_service(OutOfServiceReason::AbnormalFib);
            }
            return;
        }
        two_of_three(&mut self.fib_history, false);
        self.nack_pending = false;
        let next = self.rx_fsn.wrapping_add(1) & 0x7f;
        let can_accept = !self.local_busy && !self.local_po && self.rx_msus < self.cfg.rx_queue;
        match su.kind {
            SuKind::Msu { sio, sif } if su.fsn == next => {
                if can_accept {
                    if let Some(sif) = super::Sif::from_slice(sif) {
                        self.rx_fsn = next;
                        self.rx_msus += 1;
                        self.stats.msus_received += 1;
                        self.events.push_back(Mtp2Event::Msu { sio, sif });
                    }
                }
            }
            _ if su.fsn == self.rx_fsn => {}
            _ => {
                if can_accept {
                    self.send_nack();
                }
            }
        }
    }

    fn send_nack(&mut self) {
        self.rx_bib = !self.rx_bib;
        self.nack_pending = true;
        self.stats.nacks_sent += 1;
    }

    /// SIB received: the far end's receiver is congested.
    pub(super) fn rx_sib(&mut self, now: u64) {
        self.last_sib_rx = now;
        if !self.remote_busy {
            self.remote_busy = true;
            self.stop_timer(Timer::T7);
            self.set_timer(Timer::T6, now + self.cfg.t6);
            self.events.push_back(Mtp2Event::RemoteCongestion);
        }
    }

    fn remote_congestion_ended(&mut self, now: u64) {
        self.remote_busy = false;
        self.stop_timer(Timer::T6);
        if !self.retx.is_empty() && !self.remote_po {
            self.set_timer(Timer::T7, now + self.cfg.t7);
        }
        self.events.push_back(Mtp2Event::RemoteCongestionEnded);
    }

    /// The next FISU or MSU in service: retransmission first, then a new
    /// MSU (unless the far end is in processor outage or the buffer of
    /// unacknowledged MSUs is full), else a FISU.
    pub(super) fn tx_next(&mut self, now: u64) -> Option<SuBuf> {
        if let Some(i) = self.retx_next {
            if let Some(m) = self.retx.get(i) {
                let fsn = self.acked.wrapping_add(1 + (i as u8)) & 0x7f;
                self.retx_next = (i + 1 < self.retx.len()).then_some(i + 1);
                self.stats.msus_retransmitted += 1;
                let repr = SuRepr {
                    fsn,
                    ..self.repr(SuKind::Msu {
                        sio: m.sio,
                        sif: &m.sif,
                    })
                };
                return SuBuf::from_repr(&repr).ok();
            }
            self.retx_next = None;
        }
        if !self.remote_po && self.retx.len() < MAX_OUTSTANDING {
            if let Some(m) = self.tx_queue.pop_front() {
                self.tx_fsn = self.tx_fsn.wrapping_add(1) & 0x7f;
                self.stats.msus_sent += 1;
                let out = SuBuf::from_repr(&self.repr(SuKind::Msu {
                    sio: m.sio,
                    sif: &m.sif,
                }));
                self.retx.push_back(Msu { ..m });
                if !self.timer_running(Timer::T7) && !self.remote_busy {
                    self.set_timer(Timer::T7, now + self.cfg.t7);
                }
                return out.ok();
            }
        }
        SuBuf::from_repr(&self.repr(SuKind::Fisu)).ok()
    }
}
