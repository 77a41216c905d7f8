//! The line model behind one simulated span: framer, line interface, the
//! physical line and the far end, clocked once per 125 µs frame.
//!
//! Everything is computed from the bits: the transmitter builds real frames
//! (FAS/NFAS and CRC-4 multiframe for E1, ESF/D4 F bits and CRC-6 for T1),
//! the line carries them (line coded into ternary symbols whenever the
//! symbols matter), and the receiver finds alignment, checks framing, CRCs and
//! line code, and derives alarms and counters from what it actually receives.
//!
//! # Standards implemented
//! * E1 frame and CRC-4 multiframe: ITU-T G.704 §2.3.1–§2.3.3;
//!   frame/multiframe alignment, loss and the
//!   8 ms / 400 ms CRC-4 procedure: G.706 §4.1, §4.2, §4.3.2, Annex B.
//! * T1 ESF and D4: G.704 §2.1, ANSI T1.403 §8; out-of-frame criterion from
//!   T1.231.
//! * CRC-4 and CRC-6: G.704 §2.3.3.5 and §2.1.3.1.3 ([`crc`]).
//! * Line codes AMI, HDB3 (G.703 Annex A), B8ZS (T1.102) ([`linecode`]).
//! * LOS and AIS detection: G.775 §5 (E1), T1.231 (T1).
//! * Consequent actions: the board's transmitter sends RAI (E1 A bit of
//!   G.704 §2.3.2, ESF yellow pattern / D4 bit 2 of T1.403) while its
//!   receiver is in LOS, LOF or AIS (G.732-style fault/consequent-action
//!   table), and E1 E bits report its receiver's errored submultiframes.
//!   The far-end terminal does the same.
//! * Controlled slips of whole frames in the receive elastic store.
//!
//! # Signal path per [`SpanModel::clock_frame`]
//! 1. The board's transmit framer builds a frame from `host_tx`.
//! 2. The signal entering the receive direction is the far-end terminal's
//!    frame (built from `far_tx`) or, for [`FarEnd::Loop`], the board's own
//!    line signal.  Bit-level faults are applied to it: AIS (all ones), LOF
//!    (framing bits inverted: E1 FAS words, ESF FPS bits, D4 Ft bits), RAI
//!    imposed (Loop only; a Terminal far end sends RAI from its framer).
//! 3. The receive line (`path.rs`, codes in [`linecode`]) has a constant
//!    latency of two frames; with LOS or BER faults it line-codes, impairs
//!    and decodes symbols.  LOS is detected on the symbols.
//!    With [`Loopback::Local`] the board's receiver gets its own transmit
//!    frames (same latency) instead; with [`Loopback::Remote`] the decoded
//!    received bits replace the board's transmit signal.
//! 4. The board's receive framer, then the elastic store, give `board_rx`.
//! 5. The far-end terminal's receiver gets the board's line signal (two
//!    frames of latency, never impaired) and gives `far_rx`.
//!
//! The board receives its own looped signal two frames after sending it; a
//! Terminal far end sees the board's signal two frames late and vice versa.
//!
//! # Simplifications (relative to the standards)
//! * Fast path: with no LOS/BER fault the line code is not run (encode then
//!   decode is the identity without violations); see `path.rs`.
//! * Bit errors are symbol substitutions only; there is no jitter, wander or
//!   bit slip on the line, and slips only happen on request (the frame
//!   phase only moves through false alignment, which the receivers handle at
//!   any bit position).  Alignment searches run per received frame over all
//!   bit positions of that frame.
//! * E1: the optional NFAS bit-2 loss criterion and Sa-bit handling are not
//!   implemented (Sa bits are sent as 1 and ignored); RAI is A = 1 in 3
//!   consecutive NFAS words; E bits are 1 while not in CRC-4 multiframe
//!   alignment (no interworking E-bit semantics); the 8 ms and 400 ms
//!   timers are constants.  "CRC MF loss" is reported in real time (whenever
//!   a CRC-4 receiver is not in multiframe alignment).
//! * T1: LOF is declared at out-of-frame (no 2.5 s red-alarm integration);
//!   no CRC-6 confirmation before declaring in-frame; the ESF data link only
//!   carries idle ones or the yellow pattern (no bit-oriented or
//!   LAPD messages).
//! * The far-end terminal uses the same configuration as the board (it
//!   follows [`SpanModel::reconfigure`]).
//! * Code violations are bipolar violations that are not part of a valid
//!   substitution; excessive zeros are not counted.
//! * Remote loopback loops the decoded bit stream (the line code is
//!   regenerated) — a "line loopback" after the decoder.

mod bits;
pub mod crc;
mod e1;
mod elastic;
mod framer;
pub mod linecode;
mod path;
mod t1;

use bits::{all_ones, set_bit, unpack_t1, FrameBits, E1_BITS, T1_BITS};
pub use crc::{crc4, crc4_e1_frame, crc4_update, crc6, crc6_t1_frame, crc6_update};
use elastic::ElasticStore;
use framer::Framer;
pub use linecode::{decode_symbols, encode_bits};
use path::{LinePath, LOS_ZEROS_E1, LOS_ZEROS_T1};

/// Kind of digital line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LineKind {
    /// 2048 kbit/s, 32 time slots (ITU-T G.704 §2.3).
    E1,
    /// 1544 kbit/s, 24 channels (ITU-T G.704 §2.1, ANSI T1.403).
    T1,
}

/// Framing format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// E1 basic frame (FAS/NFAS) without CRC-4.
    G704,
    /// E1 with the CRC-4 multiframe.
    Crc4,
    /// T1 superframe (SF, 12 frames).
    D4,
    /// T1 extended superframe (24 frames, CRC-6, data link).
    Esf,
}

/// Line code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineCode {
    /// Alternate mark inversion.
    Ami,
    /// High density bipolar 3 (E1).
    Hdb3,
    /// Bipolar with 8-zero substitution (T1).
    B8zs,
}

/// Configuration of one side of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineConfig {
    /// E1 or T1.
    pub kind: LineKind,
    /// Framing; must belong to `kind` (G704/Crc4 for E1, D4/Esf for T1).
    pub framing: Framing,
    /// Line code; AMI, or HDB3 for E1 / B8ZS for T1.
    pub code: LineCode,
}

impl LineConfig {
    /// The usual configuration: E1 CRC-4 + HDB3, T1 ESF + B8ZS.
    pub fn default_for(kind: LineKind) -> Self {
        match kind {
            LineKind::E1 => Self {
                kind,
                framing: Framing::Crc4,
                code: LineCode::Hdb3,
            },
            LineKind::T1 => Self {
                kind,
                framing: Framing::Esf,
                code: LineCode::B8zs,
            },
        }
    }

    /// Whether framing and line code belong to the line kind.
    pub fn is_valid(&self) -> bool {
        self.sanitized() == *self
    }

    /// The configuration with a framing or line code that does not belong to
    /// the kind replaced by the kind's default.  [`SpanModel`] applies this.
    pub fn sanitized(&self) -> Self {
        let d = Self::default_for(self.kind);
        let framing_ok = match self.kind {
            LineKind::E1 => matches!(self.framing, Framing::G704 | Framing::Crc4),
            LineKind::T1 => matches!(self.framing, Framing::D4 | Framing::Esf),
        };
        let code_ok = match self.kind {
            LineKind::E1 => matches!(self.code, LineCode::Ami | LineCode::Hdb3),
            LineKind::T1 => matches!(self.code, LineCode::Ami | LineCode::B8zs),
        };
        Self {
            kind: self.kind,
            framing: if framing_ok { self.framing } else { d.framing },
            code: if code_ok { self.code } else { d.code },
        }
    }

    fn bits(&self) -> usize {
        match self.kind {
            LineKind::E1 => E1_BITS,
            LineKind::T1 => T1_BITS,
        }
    }

    fn los_zeros(&self) -> u32 {
        match self.kind {
            LineKind::E1 => LOS_ZEROS_E1,
            LineKind::T1 => LOS_ZEROS_T1,
        }
    }
}

/// What is at the far end of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FarEnd {
    /// A metallic loop: what the board sends comes back.
    Loop,
    /// Equipment with its own framer (idle, or an external program supplies
    /// its payload).
    Terminal,
}

/// Board loopbacks (set by the host in the board's config register).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Loopback {
    /// Normal operation.
    #[default]
    None,
    /// The board's transmit frames are returned to its receiver inside the
    /// framer (same two-frame latency as the line); the line receive side
    /// is ignored.
    Local,
    /// The signal received from the line is sent back towards the far end
    /// (after decoding; the board's own transmit payload is not sent).
    Remote,
}

/// Receiver alarms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Alarms {
    /// Loss of signal (no pulses).
    pub los: bool,
    /// Loss of frame alignment (red alarm).
    pub lof: bool,
    /// Alarm indication signal (unframed all ones) received.
    pub ais: bool,
    /// Remote alarm indication (yellow) received from the far end.
    pub rai: bool,
    /// E1 CRC-4 receiver not in CRC-4 multiframe alignment (see the module
    /// docs for the 8 ms / 400 ms procedure).
    pub crc_mf_loss: bool,
}

impl Alarms {
    /// Whether any alarm is set.
    pub fn any(&self) -> bool {
        self.los || self.lof || self.ais || self.rai || self.crc_mf_loss
    }
}

/// Receiver performance counters (monotonically increasing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    /// CRC-4 errored submultiframes (E1) or CRC-6 errored superframes (ESF).
    pub crc_errors: u64,
    /// Line code violations.
    pub code_violations: u64,
    /// Received E bits at 0 (E1 CRC-4).
    pub ebit_errors: u64,
    /// Controlled slips in the receive elastic store.
    pub slips: u64,
    /// Received FAS words with errors (E1) or framing bit errors (T1).
    pub fas_errors: u64,
}

/// An impairment of the receive direction (far end → board).
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
pub enum Fault {
    /// No signal at all.
    Los,
    /// The far end sends unframed all ones.
    Ais,
    /// The far end signals RAI. For a loop the board's own transmitter sends
    /// RAI (as with the FORCE_RAI config bit), which the loop returns with a
    /// correct CRC.
    Rai,
    /// The far end's framing is corrupted so the board loses alignment.
    Lof,
    /// Random bit errors at this rate (0 clears): logic errors added to the
    /// binary signal before the line coder, as a BER test set's "error add"
    /// does, so the receiver sees exactly this bit error ratio (plus the CRC
    /// and FAS errors that follow) but no code violations.
    Ber(f64),
    /// Random line code errors at this rate (0 clears): a symbol replaced by
    /// another on the line, so the decoder counts code violations (and the
    /// bit errors that HDB3/B8ZS decoding makes of them).
    CodeErrors(f64),
    /// This many controlled slips in the board's elastic store, about one per ms.
    Slip(u32),
}

#[derive(Clone, Copy, Debug, Default)]
struct BitFaults {
    ais: bool,
    rai: bool,
    lof: bool,
}

/// The line model of one span: board framer, line, far end.
#[derive(Clone, Debug)]
pub struct SpanModel {
    cfg: LineConfig,
    far_end: FarEnd,
    loopback: Loopback,
    near: Framer,
    far: Framer,
    rx_line: LinePath,
    line_tx: [FrameBits; 3],
    pos: usize,
    far_frame: FrameBits,
    scratch: FrameBits,
    faults: BitFaults,
    force_rai: bool,
    force_ais: bool,
    yellow_pos: u8,
    elastic: ElasticStore,
    cv_ignored: u64,
}

impl SpanModel {
    /// A span with the board configured as `near` (sanitized, see
    /// [`LineConfig::sanitized`]); deterministic for a given `seed`.
    pub fn new(near: LineConfig, far_end: FarEnd, seed: u64) -> Self {
        let cfg = near.sanitized();
        Self {
            cfg,
            far_end,
            loopback: Loopback::None,
            near: Framer::new(cfg, Counters::default()),
            far: Framer::new(cfg, Counters::default()),
            rx_line: LinePath::new(cfg.bits(), cfg.code, cfg.los_zeros(), seed),
            line_tx: [[0; 33]; 3],
            pos: 0,
            far_frame: [0; 33],
            scratch: [0; 33],
            faults: BitFaults::default(),
            force_rai: false,
            force_ais: false,
            yellow_pos: 0,
            elastic: ElasticStore::new(),
            cv_ignored: 0,
        }
    }

    /// Host (near end) changed its line configuration; the far-end terminal
    /// follows it (same kind/framing/code).  Framers restart (alignment is
    /// searched again); counters, faults and loopback are kept.
    pub fn reconfigure(&mut self, near: LineConfig) {
        let cfg = near.sanitized();
        self.cfg = cfg;
        self.near = Framer::new(cfg, self.near.counters());
        self.far = Framer::new(cfg, self.far.counters());
        self.rx_line
            .reconfigure(cfg.bits(), cfg.code, cfg.los_zeros());
        self.line_tx = [[0; 33]; 3];
        self.far_frame = [0; 33];
    }

    /// The board's current line configuration.
    pub fn config(&self) -> LineConfig {
        self.cfg
    }

    /// Maintenance transmit modes of the board (CONFIG FORCE_RAI / FORCE_AIS):
    /// send RAI regardless of the receiver, or send unframed all ones.
    pub fn set_force(&mut self, rai: bool, ais: bool) {
        self.force_rai = rai;
        self.force_ais = ais;
    }

    /// Set the board's loopback mode.
    pub fn set_loopback(&mut self, lb: Loopback) {
        self.loopback = lb;
    }

    /// The board's loopback mode.
    pub fn loopback(&self) -> Loopback {
        self.loopback
    }

    /// Clock one frame.  `host_tx`: payload the board transmits.  `far_tx`:
    /// payload the far-end terminal transmits (ignored for [`FarEnd::Loop`]).
    /// Writes the payload the board receives into `board_rx` and what the
    /// far-end terminal receives into `far_rx` (for a loop, the board's line
    /// signal deframed).
    pub fn clock_frame(
        &mut self,
        host_tx: &[u8; 32],
        far_tx: &[u8; 32],
        board_rx: &mut [u8; 32],
        far_rx: &mut [u8; 32],
    ) {
        let (i0, i1, i2) = (self.pos, (self.pos + 2) % 3, (self.pos + 1) % 3);
        self.pos = (self.pos + 1) % 3;
        let local = self.loopback == Loopback::Local;
        let remote = self.loopback == Loopback::Remote;
        let los = !local && self.rx_line.los();

        // 1. Board transmitter.
        let loop_back = self.far_end == FarEnd::Loop;
        let force_rai = self.force_rai || (self.faults.rai && loop_back);
        let mut meta = self
            .near
            .build(host_tx, force_rai, los, &mut self.line_tx[i0]);
        if self.force_ais {
            all_ones(self.cfg.bits(), &mut self.line_tx[i0]);
        }

        // 2. Signal entering the receive direction.
        let mut src: &FrameBits = if !loop_back {
            meta = self
                .far
                .build(far_tx, self.faults.rai, false, &mut self.far_frame);
            &self.far_frame
        } else if remote {
            // The loop returns what left one clock ago (the loopback feeds
            // the line with what it receives).
            &self.line_tx[i1]
        } else {
            &self.line_tx[i0]
        };
        let f = self.faults;
        if f.ais || f.lof {
            self.scratch = *src;
            self.impose(meta, loop_back);
            src = &self.scratch;
        }

        // 3. The line, 4. the board's receiver.
        let c0 = self.rx_line.code_violations();
        let rx_bits = self.rx_line.push(src);
        if remote {
            self.line_tx[i0] = *rx_bits;
        }
        if local {
            self.cv_ignored += self.rx_line.code_violations() - c0;
            self.near.receive(&self.line_tx[i2]);
        } else {
            self.near.receive(rx_bits);
        }
        self.elastic.push(self.near.payload(), board_rx);

        // 5. Far end receiver.
        if loop_back {
            deframe(self.cfg.kind, &self.line_tx[i2], far_rx);
        } else {
            self.far.receive(&self.line_tx[i2]);
            *far_rx = *self.far.payload();
        }
    }

    /// Apply the bit-level faults to `self.scratch` (frame position `meta`).
    fn impose(&mut self, meta: u8, loop_back: bool) {
        let buf = &mut self.scratch;
        let f = self.faults;
        if f.ais {
            all_ones(self.cfg.bits(), buf);
            return;
        }
        match self.cfg.framing {
            Framing::G704 | Framing::Crc4 => {
                if f.lof && meta % 2 == 0 {
                    buf[0] ^= 0x7F;
                }
                if f.rai && loop_back && meta % 2 == 1 {
                    buf[0] |= 0x20;
                }
            }
            Framing::Esf => {
                if f.lof && meta % 4 == 3 {
                    buf[0] ^= 0x80;
                }
                if f.rai && loop_back && meta % 2 == 0 {
                    let b = (self.yellow_pos < 8) as u8;
                    self.yellow_pos = (self.yellow_pos + 1) % 16;
                    set_bit(buf, 0, b);
                }
            }
            Framing::D4 => {
                if f.lof && meta % 2 == 0 {
                    buf[0] ^= 0x80;
                }
                if f.rai && loop_back {
                    for k in 0..24 {
                        set_bit(buf, 2 + 8 * k, 0);
                    }
                }
            }
        }
    }

    /// Add an impairment of the receive direction.  A fault of a kind that is
    /// already active replaces it (`Ber`) or adds to it (`Slip`: more slips).
    pub fn inject(&mut self, fault: Fault) {
        match fault {
            Fault::Los => self.rx_line.no_signal = true,
            Fault::Ais => self.faults.ais = true,
            Fault::Rai => self.faults.rai = true,
            Fault::Lof => self.faults.lof = true,
            Fault::Ber(r) => self.rx_line.set_logic_ber(r),
            Fault::CodeErrors(r) => self.rx_line.set_ber(r),
            Fault::Slip(n) => self.elastic.request(n),
        }
    }

    /// Remove all impairments (slips not yet performed are dropped).
    pub fn clear_faults(&mut self) {
        self.faults = BitFaults::default();
        self.rx_line.no_signal = false;
        self.rx_line.set_ber(0.0);
        self.rx_line.set_logic_ber(0.0);
        self.elastic.cancel();
    }

    /// Active impairments, for status reporting (`Slip` shows the slips
    /// still to be performed).
    pub fn active_faults(&self) -> Vec<Fault> {
        let mut v = Vec::new();
        if self.rx_line.no_signal {
            v.push(Fault::Los);
        }
        if self.faults.ais {
            v.push(Fault::Ais);
        }
        if self.faults.rai {
            v.push(Fault::Rai);
        }
        if self.faults.lof {
            v.push(Fault::Lof);
        }
        if self.rx_line.logic_ber() > 0.0 {
            v.push(Fault::Ber(self.rx_line.logic_ber()));
        }
        if self.rx_line.ber() > 0.0 {
            v.push(Fault::CodeErrors(self.rx_line.ber()));
        }
        if self.elastic.pending() > 0 {
            v.push(Fault::Slip(self.elastic.pending()));
        }
        v
    }

    /// The board receiver's alarms.
    pub fn alarms(&self) -> Alarms {
        Alarms {
            los: self.loopback != Loopback::Local && self.rx_line.los(),
            ..self.near.alarms()
        }
    }

    /// The board receiver's counters.
    pub fn counters(&self) -> Counters {
        Counters {
            code_violations: self.rx_line.code_violations() - self.cv_ignored,
            slips: self.elastic.slips(),
            ..self.near.counters()
        }
    }

    /// The far-end terminal receiver's alarms (all clear for a loop).
    pub fn far_alarms(&self) -> Alarms {
        match self.far_end {
            FarEnd::Terminal => self.far.alarms(),
            FarEnd::Loop => Alarms::default(),
        }
    }

    /// The far-end terminal receiver's counters (CRC, E-bit and FAS errors;
    /// zero for a loop).  The board → far end direction is never impaired.
    pub fn far_counters(&self) -> Counters {
        match self.far_end {
            FarEnd::Terminal => self.far.counters(),
            FarEnd::Loop => Counters::default(),
        }
    }
}

/// Payload of a frame in line order, assuming it is aligned to the buffer.
fn deframe(kind: LineKind, bits: &FrameBits, out: &mut [u8; 32]) {
    match kind {
        LineKind::E1 => out.copy_from_slice(&bits[..32]),
        LineKind::T1 => {
            let mut ch = [0u8; 24];
            unpack_t1(bits, &mut ch);
            *out = [0xFF; 32];
            out[1..25].copy_from_slice(&ch);
        }
    }
}

#[cfg(test)]
mod tests;
