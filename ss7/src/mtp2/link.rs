//! The Q.703 signalling link: link state control (LSC), initial alignment
//! (IAC, in `align`), basic error correction (in `ec`), the error rate
//! monitors, processor outage and busy, as one sans-IO state machine.

mod align;
mod ec;
mod types;

use std::collections::VecDeque;

pub use types::{LinkState, Mtp2Config, Mtp2Error, Mtp2Event, Mtp2Stats, OutOfServiceReason, Sif};

use super::su::{LinkStatus, SignalUnit, SuBuf, SuKind, SuRepr};

/// The Q.703 timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    T1 = 0,
    T2,
    T3,
    T4,
    T5,
    T6,
    T7,
}

const TIMERS: [Timer; 7] = [
    Timer::T1,
    Timer::T2,
    Timer::T3,
    Timer::T4,
    Timer::T5,
    Timer::T6,
    Timer::T7,
];

/// One MSU waiting for transmission or acknowledgement.
#[derive(Clone, Copy)]
struct Msu {
    sio: u8,
    sif: Sif,
}

/// One MTP2 signalling link (Q.703), sans-IO.
///
/// Feed received signal units (FCS already checked, flags removed) to
/// [`handle_su`](Self::handle_su) and FCS/abort errors to
/// [`handle_su_error`](Self::handle_su_error); ask
/// [`poll_transmit`](Self::poll_transmit) for the next signal unit whenever
/// the line can take one (a link always sends something: LSSUs while
/// aligning or out of service, else retransmissions, new MSUs or FISUs);
/// drive timers with [`poll_timeout`](Self::poll_timeout) /
/// [`handle_timeout`](Self::handle_timeout); drain
/// [`poll_event`](Self::poll_event).
///
/// All queues are allocated by [`new`](Self::new); sending, receiving and
/// acknowledging MSUs in service does not allocate.
pub struct Mtp2 {
    cfg: Mtp2Config,
    state: LinkState,
    timers: [Option<u64>; 7],
    emergency: bool,
    // Initial alignment (align.rs).
    use_pe: bool,
    further_proving: bool,
    proving_aborts: u32,
    aerm_count: u32,
    // Error rate monitor.
    suerm_count: u32,
    suerm_su: u32,
    // Processor outage and busy.
    local_po: bool,
    remote_po: bool,
    local_busy: bool,
    remote_busy: bool,
    last_sib_rx: u64,
    sib_due: bool,
    // Basic error correction (ec.rs), transmit side.
    tx_fsn: u8,
    tx_fib: bool,
    acked: u8,
    retx: VecDeque<Msu>,
    retx_next: Option<usize>,
    tx_queue: VecDeque<Msu>,
    // Receive side.
    rx_fsn: u8,
    rx_bib: bool,
    nack_pending: bool,
    bsn_history: u8,
    fib_history: u8,
    events: VecDeque<Mtp2Event>,
    rx_msus: usize,
    stats: Mtp2Stats,
}

/// Most MSUs outstanding without acknowledgement (FSN modulo 128).
const MAX_OUTSTANDING: usize = 127;

impl Mtp2 {
    /// Create a link, out of service (sending SIOS), with all storage allocated.
    pub fn new(config: Mtp2Config) -> Self {
        let mut cfg = config;
        cfg.tx_queue = cfg.tx_queue.clamp(1, 4096);
        cfg.rx_queue = cfg.rx_queue.clamp(1, 4096);
        Mtp2 {
            state: LinkState::OutOfService,
            timers: [None; 7],
            emergency: false,
            use_pe: false,
            further_proving: false,
            proving_aborts: 0,
            aerm_count: 0,
            suerm_count: 0,
            suerm_su: 0,
            local_po: false,
            remote_po: false,
            local_busy: false,
            remote_busy: false,
            last_sib_rx: 0,
            sib_due: false,
            tx_fsn: 127,
            tx_fib: true,
            acked: 127,
            retx: VecDeque::with_capacity(MAX_OUTSTANDING),
            retx_next: None,
            tx_queue: VecDeque::with_capacity(cfg.tx_queue),
            rx_fsn: 127,
            rx_bib: true,
            nack_pending: false,
            bsn_history: 0,
            fib_history: 0,
            events: VecDeque::with_capacity(cfg.rx_queue + 16),
            rx_msus: 0,
            stats: Mtp2Stats::default(),
            cfg,
        }
    }

    /// The configuration in use (queue sizes clamped).
    pub fn config(&self) -> &Mtp2Config {
        &self.cfg
    }

    /// The current state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Counters.
    pub fn stats(&self) -> Mtp2Stats {
        self.stats
    }

    /// Whether the far end reported processor outage and has not recovered.
    pub fn remote_processor_outage(&self) -> bool {
        self.remote_po
    }

    /// Whether the far end reported congestion (SIB) that has not ended.
    pub fn remote_congestion(&self) -> bool {
        self.remote_busy
    }

    /// MSUs sent but not yet acknowledged.
    pub fn outstanding(&self) -> usize {
        self.retx.len()
    }

    /// MSUs waiting for their first transmission.
    pub fn queued(&self) -> usize {
        self.tx_queue.len()
    }

    /// BSNT (Q.704 changeover): the FSN of the last MSU accepted from the far end.
    pub fn last_accepted_fsn(&self) -> u8 {
        self.rx_fsn
    }

    /// Start the link (Q.703 "start"): reset sequence numbers to 127 and the
    /// indicator bits to 1, discard MSUs not taken back with
    /// [`retrieve_msus`](Self::retrieve_msus), and begin initial alignment.
    /// Ignored unless out of service.
    pub fn start(&mut self, now: u64) {
        if self.state != LinkState::OutOfService {
            return;
        }
        self.reset_error_correction();
        self.tx_queue.clear();
        self.remote_po = false;
        self.remote_busy = false;
        self.iac_start(now);
    }

    /// Stop the link (Q.703 "stop"): go out of service and send SIOS.
    pub fn stop(&mut self, _now: u64) {
        if self.state != LinkState::OutOfService {
            self.out_of_service(OutOfServiceReason::Stopped);
        }
    }

    /// Set or clear the emergency indication: alignment then proves with
    /// SIE and the short proving period Pe (T4e) and AERM threshold Tie.
    pub fn emergency(&mut self, now: u64, on: bool) {
        self.emergency = on;
        self.iac_emergency_changed(now);
    }

    /// Set or clear local processor outage: while set, SIPO replaces FISUs
    /// and MSUs are neither sent nor accepted.
    pub fn local_processor_outage(&mut self, on: bool) {
        self.local_po = on;
    }

    /// Set or clear local receiver congestion (busy): while set, SIB is sent
    /// every T5 and received MSUs are not accepted (not acknowledged); they
    /// are recovered by retransmission once the congestion ends.
    pub fn set_busy(&mut self, now: u64, on: bool) {
        if on && !self.local_busy && self.is_aligned_or_in_service() {
            self.sib_due = true;
            self.set_timer(Timer::T5, now + self.cfg.t5);
        }
        if !on {
            self.stop_timer(Timer::T5);
            self.sib_due = false;
        }
        self.local_busy = on;
    }

    /// Queue an MSU for transmission. The SIF must be 2..=272 octets.
    pub fn send_msu(&mut self, _now: u64, sio: u8, sif: &[u8]) -> Result<(), Mtp2Error> {
        let sif = Sif::from_slice(sif).ok_or(Mtp2Error::BadSifLength)?;
        if self.tx_queue.len() >= self.cfg.tx_queue {
            return Err(Mtp2Error::QueueFull);
        }
        self.tx_queue.push_back(Msu { sio, sif });
        Ok(())
    }

    /// Take back, in order, the MSUs that were not acknowledged and those
    /// never sent (Q.704 changeover buffer retrieval). Only out of service.
    pub fn retrieve_msus(&mut self, mut f: impl FnMut(u8, &[u8])) {
        if self.state != LinkState::OutOfService {
            return;
        }
        for m in self.retx.drain(..).chain(self.tx_queue.drain(..)) {
            f(m.sio, &m.sif);
        }
        self.retx_next = None;
    }

    /// Take back, in order, the MSUs the far end has not accepted according
    /// to its last accepted FSN `fsnc` (Q.704 §5.4 buffer updating), then
    /// those never sent. Only out of service.
    ///
    /// * `Some(fsnc)`: the transmitted MSUs carrying FSNs after `fsnc`
    ///   (modulo 128) and every untransmitted one. An FSN that names no
    ///   transmitted and unacknowledged MSU (nor the last acknowledged one)
    ///   cannot be trusted: every unacknowledged MSU is returned, preferring
    ///   duplication to loss.
    /// * `None` (ECO/ECA, or changeover T2 expired: time-controlled
    ///   changeover, Q.704 §5.6/§5.7): buffer updating is impossible, so
    ///   only the MSUs never transmitted are returned; the unacknowledged
    ///   ones are discarded (they may or may not have arrived).
    pub fn retrieve_msus_after(&mut self, fsnc: Option<u8>, f: impl FnMut(u8, &[u8])) {
        if self.state != LinkState::OutOfService {
            return;
        }
        // The retransmission buffer holds FSNs acked+1 ..= acked+len.
        let skip = match fsnc {
            None => self.retx.len(),
            Some(fsnc) => {
                let accepted = usize::from(fsnc.wrapping_sub(self.acked) & 0x7f);
                if fsnc <= 0x7f && accepted <= self.retx.len() {
                    accepted
                } else {
                    0
                }
            }
        };
        self.retx.drain(..skip);
        self.retrieve_msus(f);
    }

    /// The next indication for level 3.
    pub fn poll_event(&mut self) -> Option<Mtp2Event> {
        let ev = self.events.pop_front()?;
        if matches!(ev, Mtp2Event::Msu { .. }) {
            self.rx_msus = self.rx_msus.saturating_sub(1);
        }
        Some(ev)
    }

    /// The earliest running timer's expiry time.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.timers.iter().flatten().copied().min()
    }

    /// Process every timer that has expired at `now`, earliest first.
    pub fn handle_timeout(&mut self, now: u64) {
        while let Some((t, at)) = TIMERS
            .iter()
            .filter_map(|&t| self.timers[t as usize].map(|at| (t, at)))
            .filter(|&(_, at)| at <= now)
            .min_by_key(|&(_, at)| at)
        {
            self.timers[t as usize] = None;
            self.timer_expired(t, at.max(now));
        }
    }

    fn timer_expired(&mut self, t: Timer, now: u64) {
        match t {
            Timer::T1 => self.out_of_service(OutOfServiceReason::T1Expired),
            Timer::T2 | Timer::T3 => self.alignment_not_possible(),
            Timer::T4 => self.t4_expired(now),
            Timer::T5 => {
                if self.local_busy {
                    self.sib_due = true;
                    self.set_timer(Timer::T5, now + self.cfg.t5);
                }
            }
            Timer::T6 => self.out_of_service(OutOfServiceReason::T6Expired),
            Timer::T7 => self.out_of_service(OutOfServiceReason::T7Expired),
        }
    }

    /// A signal unit error (FCS error, abort, too short, octet counting):
    /// counted by the AERM while proving and by the SUERM in service.
    pub fn handle_su_error(&mut self, now: u64) {
        self.stats.su_errors += 1;
        match self.state {
            LinkState::Proving => self.aerm_error(now),
            LinkState::AlignedReady | LinkState::InService => {
                self.suerm_count += 1;
                if self.suerm_count >= self.cfg.suerm_threshold {
                    self.out_of_service(OutOfServiceReason::ExcessiveErrorRate);
                }
            }
            _ => {}
        }
    }

    /// A received signal unit, flags removed and FCS checked. Undecodable
    /// units (bad length indicator, unknown status) count as SU errors.
    pub fn handle_su(&mut self, now: u64, su: &[u8]) {
        let repr = match SignalUnit::parse(su) {
            Ok(r) => r,
            Err(_) => return self.handle_su_error(now),
        };
        if matches!(self.state, LinkState::AlignedReady | LinkState::InService) {
            self.suerm_su += 1;
            if self.suerm_su >= self.cfg.suerm_d {
                self.suerm_su = 0;
                self.suerm_count = self.suerm_count.saturating_sub(1);
            }
        }
        match repr.kind {
            SuKind::Lssu { status, .. } => self.rx_lssu(now, status),
            SuKind::Fisu | SuKind::Msu { .. } => match self.state {
                LinkState::AlignedReady => {
                    self.stop_timer(Timer::T1);
                    self.state = LinkState::InService;
                    self.events.push_back(Mtp2Event::InService);
                    self.rx_fisu_msu(now, &repr);
                }
                LinkState::InService => self.rx_fisu_msu(now, &repr),
                // Ignored while out of service or aligning (Q.703 §7).
                _ => {}
            },
        }
    }

    fn rx_lssu(&mut self, now: u64, status: LinkStatus) {
        match self.state {
            LinkState::OutOfService => {}
            LinkState::NotAligned | LinkState::Aligned | LinkState::Proving => {
                self.iac_rx_status(now, status)
            }
            LinkState::AlignedReady | LinkState::InService => match status {
                LinkStatus::Sios => self.out_of_service(OutOfServiceReason::ReceivedSios),
                LinkStatus::Sio => self.out_of_service(OutOfServiceReason::ReceivedSioSinSie),
                LinkStatus::Sin | LinkStatus::Sie => {
                    // The far end may still be proving while we are aligned ready.
                    if self.state == LinkState::InService {
                        self.out_of_service(OutOfServiceReason::ReceivedSioSinSie);
                    }
                }
                LinkStatus::Sipo => {
                    if !self.remote_po {
                        self.remote_po = true;
                        self.stop_timer(Timer::T7);
                        self.events.push_back(Mtp2Event::RemoteProcessorOutage);
                    }
                    if self.state == LinkState::AlignedReady {
                        self.stop_timer(Timer::T1);
                        self.state = LinkState::InService;
                        self.events.push_back(Mtp2Event::InService);
                    }
                }
                LinkStatus::Sib => self.rx_sib(now),
            },
        }
    }

    /// The next signal unit to send; always `Some` (the line never idles).
    pub fn poll_transmit(&mut self, now: u64) -> Option<SuBuf> {
        let status = match self.state {
            LinkState::OutOfService => Some(LinkStatus::Sios),
            LinkState::NotAligned => Some(LinkStatus::Sio),
            LinkState::Aligned | LinkState::Proving => Some(if self.use_pe || self.emergency {
                LinkStatus::Sie
            } else {
                LinkStatus::Sin
            }),
            LinkState::AlignedReady | LinkState::InService => {
                if self.local_po {
                    Some(LinkStatus::Sipo)
                } else if self.sib_due {
                    self.sib_due = false;
                    Some(LinkStatus::Sib)
                } else {
                    None
                }
            }
        };
        let repr = match status {
            Some(status) => self.repr(SuKind::Lssu {
                status,
                two_octets: false,
            }),
            None => return self.tx_next(now),
        };
        SuBuf::from_repr(&repr).ok()
    }

    fn repr<'a>(&self, kind: SuKind<'a>) -> SuRepr<'a> {
        SuRepr {
            bsn: self.rx_fsn,
            bib: self.rx_bib,
            fsn: self.tx_fsn,
            fib: self.tx_fib,
            kind,
        }
    }

    fn is_aligned_or_in_service(&self) -> bool {
        matches!(self.state, LinkState::AlignedReady | LinkState::InService)
    }

    fn set_timer(&mut self, t: Timer, at: u64) {
        self.timers[t as usize] = Some(at);
    }

    fn stop_timer(&mut self, t: Timer) {
        self.timers[t as usize] = None;
    }

    fn timer_running(&self, t: Timer) -> bool {
        self.timers[t as usize].is_some()
    }

    /// Alignment completed: aligned ready, FISUs (or SIPO) go out, T1 runs.
    fn alignment_complete(&mut self, now: u64) {
        self.timers = [None; 7];
        self.state = LinkState::AlignedReady;
        self.suerm_count = 0;
        self.suerm_su = 0;
        self.set_timer(Timer::T1, now + self.cfg.t1);
        if self.local_busy {
            self.sib_due = true;
            self.set_timer(Timer::T5, now + self.cfg.t5);
        }
    }

    fn out_of_service(&mut self, reason: OutOfServiceReason) {
        self.timers = [None; 7];
        self.state = LinkState::OutOfService;
        self.remote_busy = false;
        self.sib_due = false;
        self.events.push_back(Mtp2Event::OutOfService(reason));
    }
}

#[cfg(test)]
mod tests;
