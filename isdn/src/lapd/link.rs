//! One LAPD data link connection: the multiple-frame procedures of Q.921 §5.

use std::collections::VecDeque;

use super::frame::{Control, Frame, FrameError, FrameRepr, TEI_BROADCAST};
use super::types::{Info, LinkConfig, LinkError, LinkEvent, LinkState, LinkStats, Role};

mod procedures;
mod ring;

use ring::Ring;

/// Capacity of the event queue (see [`LinkEvent`]).
const EVENT_CAPACITY: usize = 64;
/// Event slots kept free for state indications and MDL-ERRORs: DL-DATA and
/// DL-UNIT-DATA are only queued while more than this many slots are free.
/// One input produces at most three non-data events.
const EVENT_RESERVE: usize = 8;
/// Capacity of the supervisory / unnumbered transmit queue. One input queues
/// at most two such frames, so this is only reached by a caller that stops
/// draining `poll_transmit`.
const OUT_CAPACITY: usize = 32;
/// Upper bound for [`LinkConfig::max_queue`].
const MAX_QUEUE_LIMIT: usize = 1024;

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

/// A supervisory or unnumbered frame waiting in the transmit queue.
#[derive(Debug, Clone, Copy)]
enum Out {
    /// Supervisory frame; N(R) = V(R) at the time of transmission.
    S {
        kind: SKind,
        command: bool,
        pf: bool,
    },
    /// Unnumbered frame without information field.
    U { control: Control, command: bool },
}

/// A queued DL-UNIT-DATA-REQUEST: the UI frame's TEI and information field.
#[derive(Debug, Clone, Default)]
struct UiSlot {
    tei: u8,
    info: Info,
}

/// One Q.921 data link connection (one SAPI/TEI), sans-IO.
///
/// Requests (`establish`, `release`, `send`, `deactivate`) and inputs
/// (`handle_frame`, `handle_timeout`) take the current board time in
/// milliseconds; `poll_transmit` uses the time of the most recent call that
/// supplied one when it starts T200 for a transmitted I frame.
///
/// Storage is allocated once, in [`Link::new`]: the I frame ring (frames
/// waiting for transmission followed, in front of them, by transmitted frames
/// awaiting acknowledgement, which doubles as the retransmission buffer), the
/// UI ring, the supervisory/unnumbered transmit queue and the event queue.
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
    /// One past the highest N(S) transmitted since the last reset.
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
    /// DL-RELEASE-REQUEST received in state 5, acted on when establishment ends.
    release_pending: bool,
    /// I frames: entry `i` for `i < diff(v_top, va)` is the transmitted,
    /// unacknowledged frame N(S) = V(A) + i; the rest are DL-DATA-REQUESTs
    /// not yet transmitted. Capacity `max_queue + k`.
    i_frames: Ring<Info>,
    /// DL-UNIT-DATA-REQUESTs not yet transmitted. Capacity `max_queue`.
    ui_frames: Ring<UiSlot>,
    out: VecDeque<Out>,
    /// Indications in order; the information fields of DL-DATA and
    /// DL-UNIT-DATA wait in `rx_data`, so an indication is a few octets
    /// and a received frame is copied once, into its slot.
    events: VecDeque<Ev>,
    rx_data: Ring<Info>,
    stats: LinkStats,
}

/// A queued indication (payloads live in `Link::rx_data`).
#[derive(Debug, Clone, Copy)]
enum Ev {
    EstablishIndication,
    EstablishConfirm,
    ReleaseIndication,
    ReleaseConfirm,
    Data,
    UnitData,
    Mdl(char),
}

/// An indication borrowed from the [`Link`]: [`LinkEvent`] without copying
/// the information field (see [`Link::poll_event_ref`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkEventRef<'a> {
    /// DL-ESTABLISH-INDICATION.
    DlEstablishIndication,
    /// DL-ESTABLISH-CONFIRM.
    DlEstablishConfirm,
    /// DL-RELEASE-INDICATION.
    DlReleaseIndication,
    /// DL-RELEASE-CONFIRM.
    DlReleaseConfirm,
    /// DL-DATA-INDICATION.
    DlData(&'a [u8]),
    /// DL-UNIT-DATA-INDICATION.
    DlUnitData(&'a [u8]),
    /// MDL-ERROR-INDICATION.
    MdlError(char),
}

impl Link {
    /// Create a link in state 4 (TEI assigned). `sapi` is masked to 6 bits, `tei` to 7.
    ///
    /// This is the only place a `Link` allocates.
    pub fn new(role: Role, sapi: u8, tei: u8, config: LinkConfig) -> Self {
        let mut config = config;
        config.k = config.k.clamp(1, 127);
        config.n201 = config.n201.clamp(1, super::N201);
        config.max_queue = config.max_queue.clamp(1, MAX_QUEUE_LIMIT);
        Link {
            role,
            sapi: sapi & 0x3F,
            tei: tei & 0x7F,
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
            release_pending: false,
            i_frames: Ring::new(config.max_queue + usize::from(config.k)),
            ui_frames: Ring::new(config.max_queue),
            out: VecDeque::with_capacity(OUT_CAPACITY),
            events: VecDeque::with_capacity(EVENT_CAPACITY),
            rx_data: Ring::new(EVENT_CAPACITY),
            stats: LinkStats::default(),
            config,
        }
    }

    /// Current data-link state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// The configuration in use (after clamping).
    pub fn config(&self) -> &LinkConfig {
        &self.config
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
        self.i_frames.len() - self.unacked()
    }

    /// Number of transmitted I frames not yet acknowledged.
    pub fn outstanding(&self) -> usize {
        self.unacked()
    }

    /// Whether the peer has reported receiver busy (RNR).
    pub fn peer_busy(&self) -> bool {
        self.peer_busy
    }

    /// Whether this side is in the own-receiver-busy condition.
    pub fn receiver_busy(&self) -> bool {
        self.own_busy
    }

    /// DL-ESTABLISH-REQUEST.
    pub fn establish(&mut self, now: u64) {
        self.now = now;
        match self.state {
            LinkState::TeiAssigned => {
                self.establish_data_link();
                self.l3_initiated = true;
            }
            // Annex B state 5: discard the I queue, set "layer 3 initiated"
            // (and forget a saved release request).
            LinkState::AwaitingEstablishment => {
                self.discard_i_queue();
                self.l3_initiated = true;
                self.release_pending = false;
            }
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.discard_i_queue();
                self.establish_data_link();
                self.l3_initiated = true;
            }
            LinkState::AwaitingRelease => {}
        }
    }

    /// DL-RELEASE-REQUEST.
    ///
    /// In state 5 the request is saved (Annex B) and carried out when the
    /// establishment ends: a DISC follows the UA, or DL-RELEASE-CONFIRM is
    /// given if establishment fails.
    pub fn release(&mut self, now: u64) {
        self.now = now;
        match self.state {
            LinkState::TeiAssigned => self.push_event(LinkEvent::DlReleaseConfirm),
            LinkState::AwaitingEstablishment => {
                self.discard_i_queue();
                self.release_pending = true;
            }
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.start_release();
            }
            LinkState::AwaitingRelease => {}
        }
    }

    /// DL-DATA-REQUEST: queue `data` (copied into preallocated storage) for
    /// acknowledged transfer.
    ///
    /// Accepted in states 7 and 8, and in state 5 unless a release request
    /// is pending (the message is sent once the link is established).
    pub fn send(&mut self, now: u64, data: &[u8]) -> Result<(), LinkError> {
        self.now = now;
        if data.len() > self.config.n201 {
            return Err(LinkError::TooLong);
        }
        match self.state {
            LinkState::AwaitingEstablishment if !self.release_pending => {}
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {}
            _ => return Err(LinkError::NotEstablished),
        }
        if self.queued_len() >= self.config.max_queue {
            return Err(LinkError::QueueFull);
        }
        // Cannot fail: the ring holds max_queue waiting plus k outstanding frames.
        let slot = self.i_frames.push_back().ok_or(LinkError::QueueFull)?;
        slot.set(data);
        Ok(())
    }

    /// DL-UNIT-DATA-REQUEST: queue `data` (copied) for a UI command frame
    /// to this link's TEI. Accepted in every state.
    pub fn send_unit_data(&mut self, data: &[u8]) -> Result<(), LinkError> {
        self.queue_ui(self.tei, data)
    }

    /// DL-UNIT-DATA-REQUEST on the broadcast data link: queue `data` for a
    /// UI command frame to the group TEI 127 (Q.921 §3.3.4, §5.2).
    pub fn send_unit_data_broadcast(&mut self, data: &[u8]) -> Result<(), LinkError> {
        self.queue_ui(TEI_BROADCAST, data)
    }

    /// Set or clear the own-receiver-busy condition (Q.921 §5.6.6: sends an
    /// RNR / RR response with F=0).
    ///
    /// While busy, received I frames are discarded (and later recovered by
    /// the peer's retransmission). Only meaningful in states 7 and 8; the
    /// condition is cleared when the link is (re-)established.
    pub fn set_receiver_busy(&mut self, busy: bool) {
        if busy == self.own_busy || !self.is_established() {
            return;
        }
        self.own_busy = busy;
        let kind = if busy { SKind::Rnr } else { SKind::Rr };
        self.push_out(Out::S {
            kind,
            command: false,
            pf: false,
        });
        self.ack_pending = false;
    }

    /// Persistent deactivation of layer 1 (PH-DEACTIVATE-INDICATION, e.g. the
    /// span lost signal): discard every queue, stop the timers, tell layer 3
    /// (DL-RELEASE-INDICATION, or DL-RELEASE-CONFIRM if a release was under
    /// way) and return to state 4 (Q.921 Annex B).
    pub fn deactivate(&mut self, now: u64) {
        self.now = now;
        self.discard_i_queue();
        self.ui_frames.clear();
        self.out.clear();
        let event = match self.state {
            LinkState::TeiAssigned => {
                self.enter_state4();
                return;
            }
            LinkState::AwaitingEstablishment if self.release_pending => LinkEvent::DlReleaseConfirm,
            LinkState::AwaitingRelease => LinkEvent::DlReleaseConfirm,
            _ => LinkEvent::DlReleaseIndication,
        };
        self.enter_released(event);
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
        Some(match self.poll_event_ref()? {
            LinkEventRef::DlEstablishIndication => LinkEvent::DlEstablishIndication,
            LinkEventRef::DlEstablishConfirm => LinkEvent::DlEstablishConfirm,
            LinkEventRef::DlReleaseIndication => LinkEvent::DlReleaseIndication,
            LinkEventRef::DlReleaseConfirm => LinkEvent::DlReleaseConfirm,
            LinkEventRef::DlData(d) => LinkEvent::DlData(Info::from_slice(d).unwrap_or_default()),
            LinkEventRef::DlUnitData(d) => {
                LinkEvent::DlUnitData(Info::from_slice(d).unwrap_or_default())
            }
            LinkEventRef::MdlError(c) => LinkEvent::MdlError(c),
        })
    }

    /// Next indication, with the information field borrowed from the link
    /// (valid until the next call that takes `&mut self`): the hot path's
    /// way to read DL-DATA without copying a whole [`Info`].
    pub fn poll_event_ref(&mut self) -> Option<LinkEventRef<'_>> {
        Some(match self.events.pop_front()? {
            Ev::EstablishIndication => LinkEventRef::DlEstablishIndication,
            Ev::EstablishConfirm => LinkEventRef::DlEstablishConfirm,
            Ev::ReleaseIndication => LinkEventRef::DlReleaseIndication,
            Ev::ReleaseConfirm => LinkEventRef::DlReleaseConfirm,
            Ev::Data => {
                LinkEventRef::DlData(self.rx_data.pop_front_ref().map_or(&[], Info::as_slice))
            }
            Ev::UnitData => {
                LinkEventRef::DlUnitData(self.rx_data.pop_front_ref().map_or(&[], Info::as_slice))
            }
            Ev::Mdl(c) => LinkEventRef::MdlError(c),
        })
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
    /// Order: queued supervisory/unnumbered frames, UI frames, I frames (new
    /// or retransmitted, within the window k, not while the peer is busy),
    /// then a pending acknowledgement (RR/RNR response).
    ///
    /// Returns `None` when nothing is pending or `buf` is too small (use at
    /// least 264 octets); a frame that did not fit stays queued.
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> Option<usize> {
        if let Some(&out) = self.out.front() {
            let n = self.emit_out(out, buf).ok()?;
            self.out.pop_front();
            self.stats.tx_frames += 1;
            return Some(n);
        }
        if let Some(ui) = self.ui_frames.front() {
            let repr = FrameRepr {
                sapi: self.sapi,
                cr: self.role.cr_bit(true),
                tei: ui.tei,
                control: Control::Ui { p: false },
                info: &ui.info,
            };
            let n = repr.emit(buf).ok()?;
            self.ui_frames.drop_front(1);
            self.stats.tx_frames += 1;
            return Some(n);
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
            let n = self.emit_out(out, buf).ok()?;
            self.ack_pending = false;
            self.stats.tx_frames += 1;
            return Some(n);
        }
        None
    }

    /// Process a received frame (address, control, info; FCS already checked and removed).
    ///
    /// Frames for another SAPI/TEI and invalid frames (Q.921 §2.9) are counted
    /// and ignored; frames addressed to this link that cause a frame rejection
    /// condition (§5.8.5) raise MDL-ERROR and, in multiple-frame operation,
    /// re-establish the link.
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
            Control::Ui { .. } if cmd => self.rx_ui(repr.tei, repr.info),
            Control::Frmr { .. } if !cmd => self.rx_frmr(),
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

    /// Transmitted I frames awaiting acknowledgement (at the front of `i_frames`).
    fn unacked(&self) -> usize {
        usize::from(diff(self.v_top, self.va))
    }

    /// "Discard I queue": drop DL-DATA-REQUESTs not yet transmitted.
    fn discard_i_queue(&mut self) {
        self.i_frames.truncate(self.unacked());
    }

    fn queue_ui(&mut self, tei: u8, data: &[u8]) -> Result<(), LinkError> {
        if data.len() > self.config.n201 {
            return Err(LinkError::TooLong);
        }
        let slot = self.ui_frames.push_back().ok_or(LinkError::QueueFull)?;
        slot.tei = tei;
        slot.info.set(data);
        Ok(())
    }

    /// Whether a DL-DATA / DL-UNIT-DATA indication may be queued.
    fn data_room(&self) -> bool {
        self.events.len() < EVENT_CAPACITY - EVENT_RESERVE
    }

    fn push_event(&mut self, event: LinkEvent) {
        if self.events.len() >= EVENT_CAPACITY {
            self.stats.event_overflows += 1;
            return;
        }
        let ev = match event {
            LinkEvent::DlEstablishIndication => Ev::EstablishIndication,
            LinkEvent::DlEstablishConfirm => Ev::EstablishConfirm,
            LinkEvent::DlReleaseIndication => Ev::ReleaseIndication,
            LinkEvent::DlReleaseConfirm => Ev::ReleaseConfirm,
            LinkEvent::MdlError(c) => Ev::Mdl(c),
            LinkEvent::DlData(ref d) | LinkEvent::DlUnitData(ref d) => {
                let kind = if matches!(event, LinkEvent::DlData(_)) {
                    Ev::Data
                } else {
                    Ev::UnitData
                };
                if !self.push_data(kind, d) {
                    self.stats.event_overflows += 1;
                }
                return;
            }
        };
        self.events.push_back(ev);
    }

    /// Queue a DL-DATA / DL-UNIT-DATA indication, copying `data` once into
    /// its slot. `false` if there is no room (the caller counts it).
    fn push_data(&mut self, ev: Ev, data: &[u8]) -> bool {
        if self.events.len() >= EVENT_CAPACITY {
            return false;
        }
        let Some(slot) = self.rx_data.push_back() else {
            return false;
        };
        if slot.set(data) {
            self.events.push_back(ev);
            true
        } else {
            self.rx_data.truncate(self.rx_data.len() - 1);
            false
        }
    }

    fn push_out(&mut self, out: Out) {
        if self.out.len() < OUT_CAPACITY {
            self.out.push_back(out);
        } else {
            self.stats.tx_dropped += 1;
        }
    }

    /// A frame that failed to parse (Q.921 §2.9, §5.8.4, §5.8.5).
    fn malformed(&mut self, frame: &[u8], e: FrameError) {
        // Invalid frames (bad address field, or shorter than the address and
        // control fields: §2.9 b)) and frames for other links are discarded
        // without action.
        let Ok(f) = Frame::new_checked(frame) else {
            return;
        };
        if f.sapi() != self.sapi || f.tei() != self.tei {
            return;
        }
        let c0 = frame.get(2).copied().unwrap_or(0);
        let code = match e {
            FrameError::UnknownControl => 'L',
            // An S frame is exactly four octets: extra octets are a wrong size.
            FrameError::InfoNotAllowed if c0 & 0x03 == 0x01 => 'N',
            FrameError::InfoNotAllowed => 'M',
            FrameError::InfoTooLong => 'O',
            _ => return,
        };
        // §5.8.5 d) concerns I frames; an oversized UI frame is just discarded.
        let ui = c0 & !0x10 == 0x03;
        if ui {
            self.mdl_error(code);
        } else {
            self.frame_rejection(code);
        }
    }

    /// Frame rejection condition (§5.8.5): MDL-ERROR; in multiple-frame
    /// operation also re-establish the link, otherwise discard the frame.
    fn frame_rejection(&mut self, code: char) {
        self.mdl_error(code);
        if self.is_established() {
            self.reestablish();
        }
    }

    fn mdl_error(&mut self, code: char) {
        self.stats.mdl_errors += 1;
        self.push_event(LinkEvent::MdlError(code));
    }

    /// Start (or restart) T200. T200 and T203 never run together.
    fn start_t200(&mut self) {
        self.t200 = Some(self.now.saturating_add(self.config.t200));
        self.t203 = None;
    }

    /// Stop T200 and (re)start T203.
    fn start_t203(&mut self) {
        self.t200 = None;
        self.t203 = Some(self.now.saturating_add(self.config.t203));
    }

    fn push_u(&mut self, control: Control, command: bool) {
        self.push_out(Out::U { control, command });
    }

    fn clear_exceptions(&mut self) {
        self.peer_busy = false;
        self.own_busy = false;
        self.reject_exception = false;
        self.ack_pending = false;
    }

    /// V(S) = V(A) = V(R) = 0; transmitted but unacknowledged frames are
    /// dropped (waiting ones are kept unless the caller discarded them).
    fn reset_vars(&mut self) {
        self.i_frames.drop_front(self.unacked());
        self.vs = 0;
        self.va = 0;
        self.vr = 0;
        self.v_top = 0;
    }

    /// "Establish data link" procedure: send SABME P=1 and enter state 5.
    /// The caller sets or clears "layer 3 initiated".
    fn establish_data_link(&mut self) {
        self.clear_exceptions();
        self.rc = 0;
        self.release_pending = false;
        self.push_u(Control::Sabme { p: true }, true);
        self.start_t200();
        self.state = LinkState::AwaitingEstablishment;
    }

    /// Data-link-initiated re-establishment after an error (§5.7):
    /// establish data link, clear "layer 3 initiated".
    fn reestablish(&mut self) {
        self.establish_data_link();
        self.l3_initiated = false;
    }

    /// Discard the I queue, send DISC P=1 and enter state 6.
    fn start_release(&mut self) {
        self.discard_i_queue();
        self.rc = 0;
        self.push_u(Control::Disc { p: true }, true);
        self.start_t200();
        self.state = LinkState::AwaitingRelease;
    }

    fn enter_state4(&mut self) {
        self.t200 = None;
        self.t203 = None;
        self.clear_exceptions();
        self.reset_vars();
        self.release_pending = false;
        self.state = LinkState::TeiAssigned;
    }

    fn enter_released(&mut self, event: LinkEvent) {
        self.push_event(event);
        self.enter_state4();
    }

    fn enter_established(&mut self) {
        self.clear_exceptions();
        self.reset_vars();
        self.start_t203();
        self.state = LinkState::MultipleFrameEstablished;
    }

    /// RR (or RNR if own receiver busy) command with P=1, and start T200.
    fn transmit_enquiry(&mut self) {
        let kind = if self.own_busy { SKind::Rnr } else { SKind::Rr };
        self.push_out(Out::S {
            kind,
            command: true,
            pf: true,
        });
        self.ack_pending = false;
        self.start_t200();
    }

    /// RR (or RNR if own receiver busy) response with F=1.
    fn enquiry_response(&mut self) {
        let kind = if self.own_busy { SKind::Rnr } else { SKind::Rr };
        self.push_out(Out::S {
            kind,
            command: false,
            pf: true,
        });
        self.ack_pending = false;
    }

    /// V(A) <= N(R) <= V(S), where V(S) counts every frame transmitted.
    fn nr_valid(&self, nr: u8) -> bool {
        diff(nr, self.va) <= diff(self.v_top, self.va)
    }

    /// Acknowledge up to `nr` (must be valid). Returns whether V(A) advanced.
    fn update_va(&mut self, nr: u8) -> bool {
        let acked = diff(nr, self.va);
        if acked > diff(self.vs, self.va) {
            self.vs = nr;
        }
        self.i_frames.drop_front(usize::from(acked));
        self.va = nr;
        acked != 0
    }

    fn nr_error(&mut self) {
        self.mdl_error('J');
        self.reestablish();
    }

    /// Send a new or retransmitted I frame if the window allows.
    fn transmit_i(&mut self, buf: &mut [u8]) -> Option<usize> {
        let ns = self.vs;
        let retransmit = self.vs != self.v_top;
        if !retransmit && diff(self.v_top, self.va) >= self.config.k {
            return None;
        }
        let info = self.i_frames.get(usize::from(diff(ns, self.va)))?;
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
            self.v_top = inc(self.v_top);
            self.stats.tx_i_frames += 1;
        }
        self.vs = inc(self.vs);
        self.ack_pending = false;
        if self.t200.is_none() {
            self.start_t200();
        }
        self.stats.tx_frames += 1;
        Some(n)
    }

    fn emit_out(&self, out: Out, buf: &mut [u8]) -> Result<usize, FrameError> {
        let (control, command) = match out {
            Out::S { kind, command, pf } => {
                let nr = self.vr;
                let c = match kind {
                    SKind::Rr => Control::Rr { nr, pf },
                    SKind::Rnr => Control::Rnr { nr, pf },
                    SKind::Rej => Control::Rej { nr, pf },
                };
                (c, command)
            }
            Out::U { control, command } => (control, command),
        };
        let repr = FrameRepr {
            sapi: self.sapi,
            cr: self.role.cr_bit(command),
            tei: self.tei,
            control,
            info: &[],
        };
        repr.emit(buf)
    }
}
