//! One direction of the line: line coding, symbol impairments and the LOS
//! detector (ITU-T G.775 §5.1 for E1, T1.231 for T1).
//!
//! [`LinePath`] has a constant latency of two frames: at clock `n` it encodes
//! frame `n-1` (with an eight-bit lookahead into frame `n`), impairs the
//! symbols, and decodes frame `n-2` (with an eight-symbol lookahead into the
//! impaired frame `n-1`).  Because the latency is a whole number of frames,
//! the receiver's frame phase does not depend on which path is taken.
//!
//! **Fast path** (documented simplification): when no symbol-level
//! impairment (LOS or BER) is active, encode→decode is the identity with no
//! violations, so the path returns the frame from two clocks ago without
//! encoding.  The switch to the symbol path resets encoder and decoder to the
//! same state (last mark negative, no V yet) and the switch back happens
//! after one clean drain clock.  In the fast path HDB3 and B8ZS cannot
//! produce a loss of signal (runs of at most 3 / 7 zeros, pulse density at
//! least 25 % / 12.5 %); for AMI the zero runs and density are computed from
//! the bits, which are then identical to the symbols.
//!
//! Logic errors (`Fault::Ber`) flip bits of the binary signal before the
//! line coder, so the receiver sees exactly that bit error ratio. Code errors
//! (`Fault::CodeErrors`) replace a symbol by one of the two other values, at
//! geometrically distributed intervals drawn from the seeded PCG generator.
//!
//! LOS: declared after 32 (E1) / 175 (T1) consecutive zero symbols; cleared
//! at the end of a frame that contains no such run and has a pulse density
//! of at least 12.5 %.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::bits::{get_bit, set_bit, FrameBits};
use super::linecode::{Decoder, Encoder};
use super::LineCode;

/// Symbol buffer: one frame plus an eight-symbol lookahead.
const MAX_SYMS: usize = 256 + 8;
/// Consecutive zero symbols that declare LOS on an E1 line.
pub(crate) const LOS_ZEROS_E1: u32 = 32;
/// Consecutive zero symbols that declare LOS on a T1 line.
pub(crate) const LOS_ZEROS_T1: u32 = 175;

/// An error rate as a probability: clamped to [0, 1], NaN/infinite as 0.
fn clean_rate(rate: f64) -> f64 {
    if rate.is_finite() {
        rate.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// One direction of the line: line code, symbol impairments, LOS detector.
#[derive(Clone, Debug)]
pub(crate) struct LinePath {
    n: usize,
    code: LineCode,
    los_zeros: u32,
    ring: [FrameBits; 3],
    pos: usize,
    enc: Encoder,
    dec: Decoder,
    s_prev: [i8; MAX_SYMS],
    s_cur: [i8; MAX_SYMS],
    bits: [u8; MAX_SYMS],
    prev_slow: bool,
    out: FrameBits,
    /// Impairment: no signal at all.
    pub(crate) no_signal: bool,
    ber: f64,
    next_err: u64,
    logic_ber: f64,
    next_logic: u64,
    rng: Pcg64,
    los: bool,
    zero_run: u32,
    cv: u64,
}

impl LinePath {
    pub(crate) fn new(n: usize, code: LineCode, los_zeros: u32, seed: u64) -> Self {
        Self {
            n,
            code,
            los_zeros,
            ring: [[0; 33]; 3],
            pos: 0,
            enc: Encoder::new(code),
            dec: Decoder::new(code),
            s_prev: [0; MAX_SYMS],
            s_cur: [0; MAX_SYMS],
            bits: [0; MAX_SYMS],
            prev_slow: false,
            out: [0; 33],
            no_signal: false,
            ber: 0.0,
            next_err: u64::MAX,
            logic_ber: 0.0,
            next_logic: u64::MAX,
            rng: Pcg64::seed_from_u64(seed),
            los: false,
            zero_run: 0,
            cv: 0,
        }
    }

    /// Change framing width / line code, keeping impairments, RNG and counters.
    pub(crate) fn reconfigure(&mut self, n: usize, code: LineCode, los_zeros: u32) {
        self.n = n;
        self.code = code;
        self.los_zeros = los_zeros;
        self.ring = [[0; 33]; 3];
        self.cv += self.dec.cv;
        self.enc = Encoder::new(code);
        self.dec = Decoder::new(code);
        self.prev_slow = false;
    }

    /// Set the symbol error rate (0 disables).
    pub(crate) fn set_ber(&mut self, rate: f64) {
        self.ber = clean_rate(rate);
        self.next_err = self.gap();
    }

    pub(crate) fn ber(&self) -> f64 {
        self.ber
    }

    /// Set the logic (binary) bit error rate, applied before the line coder.
    pub(crate) fn set_logic_ber(&mut self, rate: f64) {
        self.logic_ber = clean_rate(rate);
        self.next_logic = Self::geometric(&mut self.rng, self.logic_ber);
    }

    pub(crate) fn logic_ber(&self) -> f64 {
        self.logic_ber
    }

    /// Loss of signal as seen by this direction's receiver.
    pub(crate) fn los(&self) -> bool {
        self.los
    }

    /// Code violations counted so far.
    pub(crate) fn code_violations(&self) -> u64 {
        self.cv + self.dec.cv
    }

    /// Symbols until the next error (geometric distribution).
    fn gap(&mut self) -> u64 {
        Self::geometric(&mut self.rng, self.ber)
    }

    /// Trials until the next success of a Bernoulli(rate) process.
    fn geometric(rng: &mut Pcg64, rate: f64) -> u64 {
        if rate <= 0.0 {
            return u64::MAX;
        }
        if rate >= 1.0 {
            return 0;
        }
        let u: f64 = rng.gen();
        let g = ((1.0 - u).ln() / (-rate).ln_1p()).floor();
        if g.is_finite() && g < 1e15 {
            g as u64
        } else {
            u64::MAX / 2
        }
    }

    /// Clock one frame into the line; returns the frame leaving it (the one
    /// that entered two clocks ago), decoded.
    pub(crate) fn push(&mut self, input: &FrameBits) -> &FrameBits {
        let n = self.n;
        let (i0, i1, i2) = (self.pos, (self.pos + 2) % 3, (self.pos + 1) % 3);
        self.pos = (self.pos + 1) % 3;
        self.ring[i0] = *input;
        if self.logic_ber > 0.0 {
            // Logic errors: flip bits of the binary signal before coding.
            while self.next_logic < n as u64 {
                let k = self.next_logic as usize;
                let b = get_bit(&self.ring[i0], k);
                set_bit(&mut self.ring[i0], k, b ^ 1);
                self.next_logic =
                    self.next_logic + 1 + Self::geometric(&mut self.rng, self.logic_ber);
            }
            self.next_logic -= n as u64;
        }
        let slow = self.no_signal || self.ber > 0.0;
        if !slow && !self.prev_slow {
            self.los_from_ring(i2);
            return &self.ring[i2];
        }
        if !self.prev_slow {
            // Enter the symbol path with encoder and decoder in step.
            self.cv += self.dec.cv;
            self.enc = Encoder::new(self.code);
            self.dec = Decoder::new(self.code);
        }
        // Encode frame n-1 with lookahead into frame n.
        let (cur, next) = (&self.ring[i1], &self.ring[i0]);
        unpack(cur, n, &mut self.bits[..n]);
        unpack(next, 8, &mut self.bits[n..n + 8]);
        self.enc.encode(n, &self.bits, &mut self.s_cur);
        if self.no_signal {
            self.s_cur[..n].fill(0);
        } else if self.ber > 0.0 {
            while self.next_err < n as u64 {
                let k = self.next_err as usize;
                let flip: bool = self.rng.gen();
                self.s_cur[k] = match (self.s_cur[k], flip) {
                    (0, f) => {
                        if f {
                            1
                        } else {
                            -1
                        }
                    }
                    (x, true) => -x,
                    (_, false) => 0,
                };
                self.next_err = self.next_err + 1 + self.gap();
            }
            self.next_err -= n as u64;
        }
        if self.prev_slow {
            // Decode frame n-2 with lookahead into (impaired) frame n-1.
            let (head, tail) = (self.s_cur, &mut self.s_prev);
            tail[n..n + 8].copy_from_slice(&head[..8]);
            self.out = [0; 33];
            let out = &mut self.out;
            self.dec.decode(n, tail, |i| set_bit(out, i, 1));
            self.los_from_symbols();
        } else {
            self.out = self.ring[i2];
            self.los_from_ring(i2);
        }
        std::mem::swap(&mut self.s_prev, &mut self.s_cur);
        self.prev_slow = slow;
        &self.out
    }

    fn los_from_symbols(&mut self) {
        let mut hit = false;
        let mut pulses = 0u32;
        for &x in &self.s_prev[..self.n] {
            if x == 0 {
                self.zero_run += 1;
                hit |= self.zero_run >= self.los_zeros;
            } else {
                pulses += 1;
                self.zero_run = 0;
            }
        }
        Self::los_update(&mut self.los, hit, pulses, self.n);
    }

    /// Fast-path LOS detection on frame `idx` of the ring (bits = symbols).
    fn los_from_ring(&mut self, idx: usize) {
        Self::los_from_bits(
            &mut self.los,
            &mut self.zero_run,
            self.los_zeros,
            self.code,
            self.n,
            &self.ring[idx],
        );
    }

    fn los_from_bits(
        los: &mut bool,
        run: &mut u32,
        threshold: u32,
        code: LineCode,
        n: usize,
        bits: &FrameBits,
    ) {
        if code != LineCode::Ami {
            *los = false;
            *run = 0;
            return;
        }
        let mut hit = false;
        let mut pulses = 0u32;
        let full = n / 8;
        for &b in &bits[..full] {
            if b == 0 {
                *run += 8;
            } else {
                *run += b.leading_zeros();
                hit |= *run >= threshold;
                *run = b.trailing_zeros();
                pulses += b.count_ones();
            }
            hit |= *run >= threshold;
        }
        for i in full * 8..n {
            if get_bit(bits, i) == 0 {
                *run += 1;
                hit |= *run >= threshold;
            } else {
                *run = 0;
                pulses += 1;
            }
        }
        Self::los_update(los, hit, pulses, n);
    }

    fn los_update(los: &mut bool, hit: bool, pulses: u32, n: usize) {
        if hit {
            *los = true;
        } else if pulses as usize * 8 >= n {
            *los = false;
        }
    }
}

/// The first `n` bits of `packed`, one per element of `out`.
fn unpack(packed: &FrameBits, n: usize, out: &mut [u8]) {
    for (chunk, &b) in out[..n].chunks_mut(8).zip(packed) {
        for (k, o) in chunk.iter_mut().enumerate() {
            *o = (b >> (7 - k)) & 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_latency_and_identity() {
        for code in [LineCode::Ami, LineCode::Hdb3] {
            let mut p = LinePath::new(256, code, LOS_ZEROS_E1, 1);
            let mut frames = Vec::new();
            for k in 0..50u32 {
                let mut f = [0u8; 33];
                for (j, b) in f[..32].iter_mut().enumerate() {
                    *b = if k % 3 == 0 {
                        0
                    } else {
                        (k as u8).wrapping_mul(31).wrapping_add(j as u8)
                    };
                }
                frames.push(f);
                if k == 10 {
                    // Force the symbol path with a zero error rate... by a
                    // one-clock LOS impairment, then check it recovers.
                    p.no_signal = true;
                }
                if k == 11 {
                    p.no_signal = false;
                }
                let out = *p.push(&f);
                if k >= 2 && !(11..=13).contains(&k) {
                    assert_eq!(out, frames[k as usize - 2], "{code:?} frame {k}");
                }
            }
            assert_eq!(p.code_violations(), 0);
        }
    }

    #[test]
    fn ber_rate_is_respected() {
        let mut p = LinePath::new(256, LineCode::Hdb3, LOS_ZEROS_E1, 42);
        p.set_ber(1e-2);
        let f = [0x55u8; 33];
        let mut wrong = 0u32;
        for k in 0..2000 {
            let out = *p.push(&f);
            if k > 2 {
                wrong += out[..32]
                    .iter()
                    .zip(&f[..32])
                    .map(|(a, b)| (a ^ b).count_ones())
                    .sum::<u32>();
            }
        }
        // ~5100 symbol errors; each gives about one bit error.
        assert!((3000..9000).contains(&wrong), "{wrong}");
        assert!(p.code_violations() > 2000, "{}", p.code_violations());
    }
}
