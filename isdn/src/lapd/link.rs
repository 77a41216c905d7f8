//! One LAPD data link connection: the multiple-frame procedures of Q.921 §5.

use std::collections::VecDeque;

use super::frame::{Control, Frame, FrameError, FrameRepr, TEI_BROADCAST};
use super::types::{LinkConfig, LinkError, LinkEvent, LinkState, LinkStats, Role};

mod procedures;

/// Sequence numbers are modulo 128.
const MODULUS: usize = 128;

fn inc(v: u8) -> u8 {
    v.wrapping_add(1) & 0x7F
}

/// `a - b` modulo 128.
fn diff(a: u8, b: u8) -> u8 {
    a.wrapping_sub(b) & 0x7F
}

/// Supervisory frame kinds (N(R) is filled in when the frame is emitted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SKind {
    Rr,
    Rnr,
    Rej,
}

/// A frame waiting in the transmit queue.
#[derive(Debug)]
enum Out {
    /// Supervisory frame; N(R) = V(R) at the time of transmission.
    S {
        kind: SKind,
        command: bool,
        pf: bool,
    },
    /// Unnumbered frame without information field.
    U { control: Control, command: bool },
    /// UI command with information.
    Ui(Vec<u8>),
}

/// One Q.921 data link connection (one SAPI/TEI), sans-IO.
///
/// Requests (`establish`, `release`, `send`, `send_unit_data`) and inputs
/// (`handle_frame`, `handle_timeout`) take the current board time in
/// milliseconds; `poll_transmit` uses the time of the most recent call that
/// supplied one when it starts T200 for a transmitted I frame.
#[derive(Debug)]
pub struct Link {
    role: Role,
    sapi: u8,
    tei: u8,
    config: LinkConfig,
    state: LinkState,
    /// V(S): next N(S) to transmit (may be behind `v_top` while retransmitting).
    vs: u8,
    /// V(A): oldest unacknowledged N(S).
    va: u8,
    /// V(R): next expected in-sequence N(S).
    vr: u8,
    /// One past the highest N(S) ever transmitted since the last reset.
    v_top: u8,
    /// Retransmission counter.
    rc: u8,
    t200: Option<u64>,
    t203: Option<u64>,
    now: u64,
    peer_busy: bool,
    own_busy: bool,
    reject_exception: bool,
    ack_pending: bool,
    l3_initiated: bool,
    /// DL-DATA-REQUEST messages not yet sent.
    i_queue: VecDeque<Vec<u8>>,
    /// Retransmission buffer, indexed by N(S) (fixed capacity: one slot per sequence number).
    retrans: [Option<Vec<u8>>; MODULUS],
    out: VecDeque<Out>,
    events: VecDeque<LinkEvent>,
    stats: LinkStats,
}

impl Link {
    /// Create a link in state 4 (TEI assigned). `sapi` is masked to 6 bits, `tei` to 7.
    pub fn new(role: Role, sapi: u8, tei: u8, config: LinkConfig) -> Self {
        let mut config = config;
        config.k = config.k.clamp(1, 127);
        config.n201 = config.n201.clamp(1, super::N201);
        config.max_queue = config.max_queue.max(1);
        Link {
            role,
            sapi: sapi & 0x3F,
            tei: tei & 0x7F,
            config,
            state: LinkState::TeiAssigned,
            vs: 0,
            va: 0,
            vr: 0,
            v_top: 0,
            rc: 0,
            t200: None,
            t203: None,
            now: 0,
            peer_busy: false,
            own_busy: false,
            reject_exception: false,
            ack_pending: false,
            l3_initiated: false,
            i_queue: VecDeque::new(),
            retrans: std::array::from_fn(|_| None),
            out: VecDeque::new(),
            events: VecDeque::new(),
            stats: LinkStats::default(),
        }
    }

    /// Current data-link state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Counters.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// The state variables `(V(S), V(A), V(R))`.
    pub fn sequence_numbers(&self) -> (u8, u8, u8) {
        (self.vs, self.va, self.vr)
    }

    /// Number of DL-DATA-REQUEST messages not yet transmitted.
    pub fn queued_len(&self) -> usize {
        self.i_queue.len()
    }

    /// Whether the peer has reported receiver busy (RNR).
    pub fn peer_busy(&self) -> bool {
        self.peer_busy
    }

    /// DL-ESTABLISH-REQUEST.
    pub fn establish(&mut self, now: u64) {
        self.now = now;
        match self.state {
            LinkState::TeiAssigned => {
                self.l3_initiated = true;
                self.establish_data_link();
            }
            LinkState::AwaitingEstablishment => self.l3_initiated = true,
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.i_queue.clear();
                self.l3_initiated = true;
                self.establish_data_link();
            }
            LinkState::AwaitingRelease => {}
        }
    }

    /// DL-RELEASE-REQUEST.
    pub fn release(&mut self, now: u64) {
        self.now = now;
        match self.state {
            LinkState::TeiAssigned => self.events.push_back(LinkEvent::DlReleaseConfirm),
            LinkState::AwaitingEstablishment
            | LinkState::MultipleFrameEstablished
            | LinkState::TimerRecovery => {
                self.i_queue.clear();
                self.rc = 0;
                self.push_u(Control::Disc { p: true }, true);
                self.t203 = None;
                self.start_t200();
                self.state = LinkState::AwaitingRelease;
            }
            LinkState::AwaitingRelease => {}
        }
    }

    /// DL-DATA-REQUEST: queue `data` (copied) for acknowledged transfer.
    ///
    /// Accepted in states 5, 7 and 8.
    pub fn send(&mut self, now: u64, data: &[u8]) -> Result<(), LinkError> {
        self.now = now;
        if data.len() > self.config.n201 {
            return Err(LinkError::TooLong);
        }
        match self.state {
            LinkState::AwaitingEstablishment
            | LinkState::MultipleFrameEstablished
            | LinkState::TimerRecovery => {}
            _ => return Err(LinkError::NotEstablished),
        }
        if self.i_queue.len() >= self.config.max_queue {
            return Err(LinkError::QueueFull);
        }
        self.i_queue.push_back(data.to_vec());
        Ok(())
    }

    /// DL-UNIT-DATA-REQUEST: queue `data` (copied) for a UI frame.
    pub fn send_unit_data(&mut self, data: &[u8]) -> Result<(), LinkError> {
        if data.len() > self.config.n201 {
            return Err(LinkError::TooLong);
        }
        if self.out.len() >= self.config.max_queue {
            return Err(LinkError::QueueFull);
        }
        self.out.push_back(Out::Ui(data.to_vec()));
        Ok(())
    }

    /// Set or clear the own-receiver-busy condition (sends RNR / RR).
    ///
    /// While busy, received I frames are discarded (and later recovered by
    /// the peer's retransmission).
    pub fn set_receiver_busy(&mut self, busy: bool) {
        if busy == self.own_busy || !self.is_established() {
            return;
        }
        self.own_busy = busy;
        let kind = if busy { SKind::Rnr } else { SKind::Rr };
        self.out.push_back(Out::S {
            kind,
            command: false,
            pf: false,
        });
        self.ack_pending = false;
    }

    /// Earliest pending timer deadline (T200 or T203), in board milliseconds.
    pub fn poll_timeout(&self) -> Option<u64> {
        match (self.t200, self.t203) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Next indication for layer 3 or management.
    pub fn poll_event(&mut self) -> Option<LinkEvent> {
        self.events.pop_front()
    }

    /// Process timer expiries due at `now`.
    pub fn handle_timeout(&mut self, now: u64) {
        self.now = now;
        if self.t200.is_some_and(|t| t <= now) {
            self.t200 = None;
            self.t200_expiry();
        }
        if self.t203.is_some_and(|t| t <= now) {
            self.t203 = None;
            self.t203_expiry();
        }
    }

    /// Write the next frame to transmit (address, control, info; no FCS) into `buf`.
    ///
    /// Returns `None` when nothing is pending or `buf` is too small (use at
    /// least 264 octets); a frame that did not fit stays queued.
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> Option<usize> {
        if let Some(out) = self.out.pop_front() {
            match self.emit_out(&out, buf) {
                Ok(n) => {
                    self.stats.tx_frames += 1;
                    return Some(n);
                }
                Err(_) => {
                    self.out.push_front(out);
                    return None;
                }
            }
        }
        if self.state == LinkState::MultipleFrameEstablished && !self.peer_busy {
            if let Some(n) = self.transmit_i(buf) {
                return Some(n);
            }
        }
        if self.ack_pending && self.is_established() {
            let kind = if self.own_busy { SKind::Rnr } else { SKind::Rr };
            let out = Out::S {
                kind,
                command: false,
                pf: false,
            };
            let n = self.emit_out(&out, buf).ok()?;
            self.ack_pending = false;
            self.stats.tx_frames += 1;
            return Some(n);
        }
        None
    }

    /// Process a received frame (address, control, info; FCS already checked and removed).
    ///
    /// Malformed frames and frames for another SAPI/TEI are counted and ignored.
    pub fn handle_frame(&mut self, now: u64, frame: &[u8]) {
        self.now = now;
        self.stats.rx_frames += 1;
        let repr = match Frame::parse(frame) {
            Ok(r) => r,
            Err(e) => {
                self.stats.rx_malformed += 1;
                self.malformed(frame, e);
                return;
            }
        };
        let broadcast_ui = repr.tei == TEI_BROADCAST && matches!(repr.control, Control::Ui { .. });
        if repr.sapi != self.sapi || (repr.tei != self.tei && !broadcast_ui) {
            self.stats.rx_ignored += 1;
            return;
        }
        let cmd = self.role.rx_is_command(repr.cr);
        let handled = match repr.control {
            Control::I { ns, nr, p } if cmd => self.rx_i(ns, nr, p, repr.info),
            Control::Rr { nr, pf } => self.rx_s(SKind::Rr, nr, pf, cmd),
            Control::Rnr { nr, pf } => self.rx_s(SKind::Rnr, nr, pf, cmd),
            Control::Rej { nr, pf } => self.rx_s(SKind::Rej, nr, pf, cmd),
            Control::Sabme { p } if cmd => self.rx_sabme(p),
            Control::Disc { p } if cmd => self.rx_disc(p),
            Control::Ua { f } if !cmd => self.rx_ua(f),
            Control::Dm { f } if !cmd => self.rx_dm(f),
            Control::Ui { .. } if cmd => {
                self.events
                    .push_back(LinkEvent::DlUnitData(repr.info.to_vec()));
                true
            }
            Control::Frmr { .. } if !cmd && self.is_established() => {
                self.mdl_error('K');
                self.reestablish();
                true
            }
            _ => false,
        };
        if !handled {
            self.stats.rx_ignored += 1;
        }
    }

    // ----- internal procedures -----

    fn is_established(&self) -> bool {
        matches!(
            self.state,
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery
        )
    }

    fn malformed(&mut self, frame: &[u8], e: FrameError) {
        // Only report errors for frames addressed to this link.
        let Ok(f) = Frame::new_checked(frame) else {
            return;
        };
        if f.sapi() != self.sapi || f.tei() != self.tei {
            return;
        }
        let code = match e {
            FrameError::UnknownControl => 'L',
            FrameError::InfoNotAllowed => 'M',
            FrameError::TooShort => 'N',
            FrameError::InfoTooLong => 'O',
            _ => return,
        };
        self.mdl_error(code);
    }

    fn mdl_error(&mut self, code: char) {
        self.stats.mdl_errors += 1;
        self.events.push_back(LinkEvent::MdlError(code));
    }

    fn start_t200(&mut self) {
        self.t200 = Some(self.now.saturating_add(self.config.t200));
    }

    fn start_t203(&mut self) {
        self.t203 = Some(self.now.saturating_add(self.config.t203));
    }

    fn push_u(&mut self, control: Control, command: bool) {
        self.out.push_back(Out::U { control, command });
    }

    fn clear_exceptions(&mut self) {
        self.peer_busy = false;
        self.own_busy = false;
        self.reject_exception = false;
        self.ack_pending = false;
    }

    fn reset_vars(&mut self) {
        self.vs = 0;
        self.va = 0;
        self.vr = 0;
        self.v_top = 0;
        self.retrans.iter_mut().for_each(|s| *s = None);
    }

    /// "Establish data link" procedure: send SABME P=1 and enter state 5.
    fn establish_data_link(&mut self) {
        self.clear_exceptions();
        self.rc = 0;
        self.push_u(Control::Sabme { p: true }, true);
        self.start_t200();
        self.t203 = None;
        self.state = LinkState::AwaitingEstablishment;
    }

    /// Link-initiated re-establishment after an error.
    fn reestablish(&mut self) {
        self.establish_data_link();
        self.l3_initiated = false;
    }

    fn enter_released(&mut self, event: LinkEvent) {
        self.events.push_back(event);
        self.t200 = None;
        self.t203 = None;
        self.clear_exceptions();
        self.reset_vars();
        self.state = LinkState::TeiAssigned;
    }

    fn enter_established(&mut self) {
        self.clear_exceptions();
        self.reset_vars();
        self.t200 = None;
        self.start_t203();
        self.state = LinkState::MultipleFrameEstablished;
    }

    fn transmit_enquiry(&mut self) {
        let kind = if self.own_busy { SKind::Rnr } else { SKind::Rr };
        self.out.push_back(Out::S {
            kind,
            command: true,
            pf: true,
        });
        self.ack_pending = false;
        self.start_t200();
    }

    fn enquiry_response(&mut self) {
        let kind = if self.own_busy { SKind::Rnr } else { SKind::Rr };
        self.out.push_back(Out::S {
            kind,
            command: false,
            pf: true,
        });
        self.ack_pending = false;
    }

    fn nr_valid(&self, nr: u8) -> bool {
        diff(nr, self.va) <= diff(self.v_top, self.va)
    }

    /// Acknowledge up to `nr` (must be valid). Returns whether V(A) advanced.
    fn update_va(&mut self, nr: u8) -> bool {
        let advanced = nr != self.va;
        if diff(nr, self.va) > diff(self.vs, self.va) {
            self.vs = nr;
        }
        while self.va != nr {
            self.retrans[usize::from(self.va)] = None;
            self.va = inc(self.va);
        }
        advanced
    }

    fn nr_error(&mut self) {
        self.mdl_error('J');
        self.reestablish();
    }

    /// Send a new or retransmitted I frame if the window allows.
    fn transmit_i(&mut self, buf: &mut [u8]) -> Option<usize> {
        let ns = self.vs;
        let retransmit = self.vs != self.v_top;
        let info: &[u8] = if retransmit {
            self.retrans[usize::from(ns)].as_deref().unwrap_or(&[])
        } else if diff(self.v_top, self.va) < self.config.k {
            self.i_queue.front()?
        } else {
            return None;
        };
        let repr = FrameRepr {
            sapi: self.sapi,
            cr: self.role.cr_bit(true),
            tei: self.tei,
            control: Control::I {
                ns,
                nr: self.vr,
                p: false,
            },
            info,
        };
        let n = repr.emit(buf).ok()?;
        if retransmit {
            self.stats.tx_i_retransmitted += 1;
        } else {
            self.retrans[usize::from(ns)] = self.i_queue.pop_front();
            self.v_top = inc(self.v_top);
            self.stats.tx_i_frames += 1;
        }
        self.vs = inc(self.vs);
        self.ack_pending = false;
        if self.t200.is_none() {
            self.t203 = None;
            self.start_t200();
        }
        self.stats.tx_frames += 1;
        Some(n)
    }

    fn emit_out(&self, out: &Out, buf: &mut [u8]) -> Result<usize, FrameError> {
        let (control, command, info): (Control, bool, &[u8]) = match out {
            Out::S { kind, command, pf } => {
                let (nr, pf) = (self.vr, *pf);
                let c = match kind {
                    SKind::Rr => Control::Rr { nr, pf },
                    SKind::Rnr => Control::Rnr { nr, pf },
                    SKind::Rej => Control::Rej { nr, pf },
                };
                (c, *command, &[])
            }
            Out::U { control, command } => (*control, *command, &[]),
            Out::Ui(data) => (Control::Ui { p: false }, true, data),
        };
        let repr = FrameRepr {
            sapi: self.sapi,
            cr: self.role.cr_bit(command),
            tei: self.tei,
            control,
            info,
        };
        repr.emit(buf)
    }
}
