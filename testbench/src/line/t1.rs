//! T1 framer: ITU-T G.704 §2.1 / ANSI T1.403 (1544 kbit/s, 193-bit frames:
//! one F bit and 24 channel octets), ESF and D4 (SF) superframes.
//!
//! Transmit:
//! * ESF (24 frames, G.704 Table 2 / T1.403 §8.1): FPS `001011` in the F bits
//!   of frames 4, 8, …, 24; CRC-6 C1..C6 in frames 2, 6, …, 22, computed over
//!   the previous superframe's 4632 bits with every F bit taken as 1; the
//!   4 kbit/s data link in the odd frames, all ones when idle.  RAI (yellow)
//!   is the repeating 16-bit pattern `1111111100000000` in the data link.
//! * D4 (12 frames, G.704 Table 1): Ft `101010` in the odd frames, Fs
//!   `001110` in the even frames (together `100011011100`).  RAI is bit 2 of
//!   every channel octet forced to 0.
//!
//! Receive:
//! * Frame search: every one of the 193 bit positions is a candidate F-bit
//!   position and is tracked in parallel (for ESF, separately for each of the
//!   four frame phases).  A candidate is in frame when its F bits follow the
//!   framing pattern for 24 consecutive framing bits: 24 FPS bits (12 ms) for
//!   ESF, 24 F bits (3 ms, Ft and Fs together) for D4.  Simplification: no
//!   CRC-6 confirmation before declaring frame; a false candidate is caught by
//!   the out-of-frame criterion instead.
//! * Out of frame (T1.231 §6.1.2.2.1): 2 errors within 4 consecutive FPS bits
//!   (ESF) or Ft bits (D4).  Every wrong FPS bit (ESF) or Ft/Fs bit (D4)
//!   counts one "FAS error" while in frame.  LOF is reported as soon as the
//!   receiver is out of frame (no 2.5 s red-alarm integration).
//! * CRC-6: one CRC error per ESF whose received C bits differ from the CRC of
//!   the previous ESF (after a full superframe has been received in frame).
//! * RAI: ESF — the data link shows the 16-bit yellow pattern (any rotation)
//!   for 48 consecutive bits; cleared after 32 consecutive bits without it.
//!   D4 — bit 2 is 0 in all 24 channels for 11 consecutive frames (≥ 256
//!   channels); cleared after 11 frames that are not.  (As on real D4 spans,
//!   payload with bit 2 = 0 everywhere looks like RAI.)
//! * AIS (T1.231, unframed all ones): two consecutive 24-frame (3 ms) blocks
//!   with fewer than 3 zeros each; cleared by two blocks with at least 3.

use super::bits::{count_zeros, get_bit2, pack_t1, unpack_t1, window, FrameBits, T1_BITS};
use super::crc::crc6_t1_frame;
use super::framer::AisDetector;
use super::Counters;

/// ESF framing pattern sequence (F bits of frames 4, 8, …, 24).
const FPS: [u8; 6] = [0, 0, 1, 0, 1, 1];
/// D4 F bits of frames 1..12 (Ft in odd, Fs in even frames).
const D4_F: [u8; 12] = [1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0];
const ESF_HUNT_RUN: u8 = 24 - 6 + 1;
const D4_HUNT_RUN: u8 = 24 - 12 + 1;

/// `t[w]` = index `j` of the pattern bit that ends window `w` (the last
/// `L` bits, newest in bit 0), or -1 if `w` is not a rotation of the pattern.
const fn rotation_table<const L: usize, const N: usize>(p: &[u8; L]) -> [i8; N] {
    let mut t = [-1i8; N];
    let mut j = 0;
    while j < L {
        let mut w = 0usize;
        let mut k = 0;
        while k < L {
            // bit k of w = pattern bit j - k (cyclic)
            w |= (p[(j + L - k) % L] as usize) << k;
            k += 1;
        }
        t[w] = j as i8;
        j += 1;
    }
    t
}

static ESF_ROT: [i8; 64] = rotation_table::<6, 64>(&FPS);
static D4_ROT: [i8; 4096] = rotation_table::<12, 4096>(&D4_F);

/// T1 transmit framer.
#[derive(Clone, Debug)]
pub(crate) struct T1Tx {
    esf: bool,
    idx: u8,
    crc_acc: u8,
    crc_send: u8,
    yellow_pos: u8,
}

impl T1Tx {
    pub(crate) fn new(esf: bool) -> Self {
        Self {
            esf,
            idx: 0,
            crc_acc: 0,
            crc_send: 0,
            yellow_pos: 0,
        }
    }

    /// Build the next frame from channels 1..=24 of `payload`; returns the
    /// frame's index in its superframe (0-based).
    pub(crate) fn build(&mut self, payload: &[u8; 32], rai: bool, out: &mut FrameBits) -> u8 {
        let idx = self.idx;
        let mut ch: [u8; 24] = *payload[1..].first_chunk::<24>().expect("32-byte payload");
        let f = if self.esf {
            match idx % 4 {
                3 => FPS[(idx / 4) as usize],
                1 => (self.crc_send >> (5 - idx / 4)) & 1,
                _ if rai => {
                    let b = (self.yellow_pos < 8) as u8;
                    self.yellow_pos = (self.yellow_pos + 1) % 16;
                    b
                }
                _ => 1,
            }
        } else {
            if rai {
                ch.iter_mut().for_each(|c| *c &= !0x40);
            }
            D4_F[idx as usize]
        };
        pack_t1(f, &ch, out);
        if self.esf {
            self.crc_acc = crc6_t1_frame(self.crc_acc, &ch);
            if idx == 23 {
                self.crc_send = self.crc_acc;
                self.crc_acc = 0;
            }
            self.idx = (idx + 1) % 24;
        } else {
            self.idx = (idx + 1) % 12;
        }
        idx
    }
}

/// Per candidate F-bit position (and, for ESF, frame phase): the last
/// framing bits and how many consecutive windows matched the pattern.
#[derive(Clone, Debug)]
struct Hunt {
    sreg: [[u16; 4]; T1_BITS],
    run: [[u8; 4]; T1_BITS],
}

impl Hunt {
    fn new() -> Self {
        Self {
            sreg: [[0; 4]; T1_BITS],
            run: [[0; 4]; T1_BITS],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fa {
    Hunt,
    Aligned { lag: usize, idx: u8, hist: u8 },
}

/// T1 receive framer.
#[derive(Clone, Debug)]
pub(crate) struct T1Rx {
    esf: bool,
    prev: FrameBits,
    tmp: FrameBits,
    fa: Fa,
    clk: u64,
    hunt: Box<Hunt>,
    crc_acc: u8,
    acc_full: bool,
    crc_prev: Option<u8>,
    c_rx: u8,
    fdl_sreg: u16,
    fdl_run: i16,
    y_run: i16,
    rai: bool,
    ais: AisDetector,
    pub(crate) cnt: Counters,
    out: [u8; 32],
}

impl T1Rx {
    pub(crate) fn new(esf: bool, cnt: Counters) -> Self {
        Self {
            esf,
            prev: [0; 33],
            tmp: [0; 33],
            fa: Fa::Hunt,
            clk: 0,
            hunt: Box::new(Hunt::new()),
            crc_acc: 0,
            acc_full: false,
            crc_prev: None,
            c_rx: 0,
            fdl_sreg: 0xFFFF,
            fdl_run: 0,
            y_run: 0,
            rai: false,
            ais: AisDetector::new(24),
            cnt,
            out: [0xFF; 32],
        }
    }

    pub(crate) fn lof(&self) -> bool {
        self.fa == Fa::Hunt
    }
    pub(crate) fn ais(&self) -> bool {
        self.ais.active()
    }
    pub(crate) fn rai(&self) -> bool {
        self.rai
    }
    /// The last received payload (channels at 1..=24, 0xFF elsewhere).
    pub(crate) fn payload(&self) -> &[u8; 32] {
        &self.out
    }

    /// Advance every candidate position by one frame; returns the first
    /// candidate that completed the framing criterion: (lag, frame index).
    fn hunt(&mut self, cur: &FrameBits) -> Option<(usize, u8)> {
        let phase = if self.esf { (self.clk % 4) as usize } else { 0 };
        let mut found = None;
        for lag in 0..T1_BITS {
            // F bit of the window that starts `lag` bits before this buffer.
            let f = get_bit2(&self.prev, cur, T1_BITS, T1_BITS - lag);
            let s = &mut self.hunt.sreg[lag][phase];
            let r = &mut self.hunt.run[lag][phase];
            let (j, need) = if self.esf {
                *s = ((*s << 1) | u16::from(f)) & 0x3F;
                (ESF_ROT[*s as usize], ESF_HUNT_RUN)
            } else {
                *s = ((*s << 1) | u16::from(f)) & 0xFFF;
                (D4_ROT[*s as usize], D4_HUNT_RUN)
            };
            *r = if j >= 0 { r.saturating_add(1) } else { 0 };
            if *r >= need && found.is_none() {
                let idx = if self.esf { 4 * j as u8 + 3 } else { j as u8 };
                found = Some((lag, idx));
            }
        }
        found
    }

    /// Process one received frame (193 bits delivered by the line).
    pub(crate) fn process(&mut self, cur: &FrameBits) {
        self.clk += 1;
        self.ais.update(count_zeros(cur, T1_BITS));
        if self.fa == Fa::Hunt {
            if let Some((lag, idx)) = self.hunt(cur) {
                self.fa = Fa::Aligned { lag, idx, hist: 0 };
                self.acc_full = false;
                self.crc_prev = None;
                self.crc_acc = 0;
                self.c_rx = 0;
                self.fdl_run = 0;
                self.y_run = 0;
            }
        }
        let (lag, idx, hist) = match self.fa {
            Fa::Aligned { lag, idx, hist } => (lag, idx, hist),
            Fa::Hunt => (0, 0, 0),
        };
        let frame = if lag == 0 {
            cur
        } else {
            window(&self.prev, cur, T1_BITS, lag, &mut self.tmp);
            &self.tmp
        };
        let mut ch = [0u8; 24];
        let f = unpack_t1(frame, &mut ch);
        self.out[1..25].copy_from_slice(&ch);
        if self.fa != Fa::Hunt {
            self.fa = self.aligned(f, &ch, lag, idx, hist);
        }
        if !matches!(self.fa, Fa::Aligned { lag: 0, .. }) {
            self.prev = *cur;
        }
    }

    fn aligned(&mut self, f: u8, ch: &[u8; 24], lag: usize, idx: u8, mut hist: u8) -> Fa {
        let mut framing_bit = None;
        if self.esf {
            match idx % 4 {
                3 => framing_bit = Some(f == FPS[(idx / 4) as usize]),
                1 => self.c_rx |= f << (5 - idx / 4),
                _ => self.fdl_bit(f),
            }
            self.crc_acc = crc6_t1_frame(self.crc_acc, ch);
            if idx == 23 {
                if let Some(p) = self.crc_prev {
                    if p != self.c_rx {
                        self.cnt.crc_errors += 1;
                    }
                }
                self.crc_prev = self.acc_full.then_some(self.crc_acc);
                self.crc_acc = 0;
                self.acc_full = true;
                self.c_rx = 0;
            }
        } else {
            let ok = f == D4_F[idx as usize];
            if !ok {
                self.cnt.fas_errors += 1;
            }
            if idx % 2 == 0 {
                framing_bit = Some(ok);
            }
            let yellow = ch.iter().all(|c| c & 0x40 == 0);
            self.y_run = if yellow {
                self.y_run.max(0) + 1
            } else {
                self.y_run.min(0) - 1
            }
            .clamp(-11, 11);
            if self.y_run == 11 {
                self.rai = true;
            } else if self.y_run == -11 {
                self.rai = false;
            }
        }
        if let Some(ok) = framing_bit {
            if self.esf && !ok {
                self.cnt.fas_errors += 1;
            }
            hist = ((hist << 1) | u8::from(!ok)) & 0xF;
            if hist.count_ones() >= 2 {
                self.out_of_frame();
                return Fa::Hunt;
            }
        }
        let len = if self.esf { 24 } else { 12 };
        Fa::Aligned {
            lag,
            idx: (idx + 1) % len,
            hist,
        }
    }

    fn fdl_bit(&mut self, b: u8) {
        self.fdl_sreg = (self.fdl_sreg << 1) | u16::from(b);
        let s = self.fdl_sreg;
        // A rotation of 0xFF00: eight ones and exactly two transitions (cyclically).
        let yellow = s.count_ones() == 8 && (s ^ s.rotate_left(1)).count_ones() == 2;
        self.fdl_run = if yellow {
            self.fdl_run.max(0) + 1
        } else {
            self.fdl_run.min(0) - 1
        }
        .clamp(-32, 32);
        if self.fdl_run == 32 {
            self.rai = true;
        } else if self.fdl_run == -32 {
            self.rai = false;
        }
    }

    fn out_of_frame(&mut self) {
        self.rai = false;
        *self.hunt = Hunt::new();
        self.crc_prev = None;
        self.acc_full = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        tx: &mut T1Tx,
        rx: &mut T1Rx,
        frames: usize,
        mut corrupt: impl FnMut(usize, &mut FrameBits),
    ) {
        let mut pay = [0u8; 32];
        for k in 0..frames {
            for (j, b) in pay.iter_mut().enumerate() {
                *b = (j as u8).wrapping_mul(53).wrapping_add((3 * k) as u8) | 0x40;
            }
            let mut f = [0u8; 33];
            tx.build(&pay, false, &mut f);
            let clean = f;
            corrupt(k, &mut f);
            rx.process(&f);
            if !rx.lof() && f == clean {
                assert_eq!(rx.payload()[1..25], pay[1..25]);
            }
        }
    }

    #[test]
    fn rotation_tables() {
        assert_eq!(ESF_ROT[0b00_1011], 5);
        assert_eq!(ESF_ROT[0b01_0110], 0);
        assert_eq!(ESF_ROT.iter().filter(|&&x| x >= 0).count(), 6);
        assert_eq!(D4_ROT[0b1000_1101_1100], 11);
        assert_eq!(D4_ROT.iter().filter(|&&x| x >= 0).count(), 12);
    }

    #[test]
    fn esf_and_d4_align_and_count() {
        for esf in [true, false] {
            let mut tx = T1Tx::new(esf);
            let mut rx = T1Rx::new(esf, Counters::default());
            run(&mut tx, &mut rx, 200, |_, _| {});
            assert!(!rx.lof(), "esf {esf}");
            run(&mut tx, &mut rx, 2400, |_, _| {});
            assert_eq!(rx.cnt, Counters::default());
            // One payload bit error per 24 frames.
            run(&mut tx, &mut rx, 2400, |k, f| {
                if k % 24 == 5 {
                    f[7] ^= 0x02;
                }
            });
            // The C bits of a superframe arrive in the next one.
            run(&mut tx, &mut rx, 48, |_, _| {});
            assert_eq!(rx.cnt.crc_errors, if esf { 100 } else { 0 });
            assert!(!rx.lof());
        }
    }

    #[test]
    fn framing_bit_errors_lose_frame() {
        let mut tx = T1Tx::new(true);
        let mut rx = T1Rx::new(true, Counters::default());
        run(&mut tx, &mut rx, 200, |_, _| {});
        // Invert every F bit for a while.
        run(&mut tx, &mut rx, 40, |_, f| f[0] ^= 0x80);
        assert!(rx.lof());
        assert!(rx.cnt.fas_errors >= 2);
        run(&mut tx, &mut rx, 200, |_, _| {});
        assert!(!rx.lof());
    }
}
