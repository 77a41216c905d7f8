//! Line codes (ITU-T G.703 §6.1 / §9 and Annex A: AMI, HDB3; ANSI T1.102 /
//! T1.403: B8ZS) and the impaired symbol channel of one line direction.
//!
//! The line is a stream of ternary symbols (-1, 0, +1).
//! * AMI: a 1 is a mark of alternating polarity, a 0 is no pulse.
//! * HDB3: four zeros are replaced by `000V` when an odd number of marks
//!   was sent since the last V, else by `B00V`, so that successive V pulses
//!   alternate (G.703 Annex A).  At most three consecutive zero symbols.
//! * B8ZS: eight zeros are replaced by `000VB0VB`.  At most seven
//!   consecutive zero symbols.
//!
//! The decoder removes substitutions that are valid and counts code
//! violations: a bipolar violation (a mark with the polarity of the previous
//! mark) that is not part of a valid substitution; for HDB3 a substitution
//! whose V has the polarity of the previous V is invalid too (O.161 style).
//! Excessive zeros are not counted as code violations.
//!
//! [`LinePath`] is one direction of the line with a constant latency of two
//! frames: at clock `n` it encodes frame `n-1` (with an eight-bit lookahead
//! into frame `n`), impairs it, and decodes frame `n-2` (with an eight-symbol
//! lookahead into the impaired frame `n-1`).  Because the latency is a whole
//! number of frames, the receiver's frame phase does not depend on which
//! path is taken.
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
//! LOS (G.775 §5.1, T1.231): declared after `32` (E1) / `175` (T1)
//! consecutive zero symbols; cleared at the end of a frame that contains no
//! such run and has a pulse density of at least 12.5 %.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::bits::{get_bit, set_bit, FrameBits};
use super::LineCode;

/// Symbol buffer: one frame plus an eight-symbol lookahead.
const MAX_SYMS: usize = 256 + 8;
/// Consecutive zero symbols that declare LOS on an E1 line.
pub const LOS_ZEROS_E1: u32 = 32;
/// Consecutive zero symbols that declare LOS on a T1 line.
pub const LOS_ZEROS_T1: u32 = 175;

/// Streaming line encoder; substitutions may straddle calls.
#[derive(Clone, Debug)]
struct Encoder {
    code: LineCode,
    /// Polarity of the last mark sent.
    pol: i8,
    /// Marks sent since the last V (HDB3).
    marks: u32,
    carry: [i8; 8],
    carry_len: usize,
}

impl Encoder {
    fn new(code: LineCode) -> Self {
        Self { code, pol: -1, marks: 0, carry: [0; 8], carry_len: 0 }
    }

    /// Encode positions `0..n` into `out[0..n]`; `bit(i)` must be valid up to
    /// `n + 7` (lookahead).  Symbols of a substitution that runs past `n` are
    /// kept and emitted at the start of the next call.
    fn encode(&mut self, n: usize, bit: impl Fn(usize) -> u8, out: &mut [i8]) {
        out[..self.carry_len].copy_from_slice(&self.carry[..self.carry_len]);
        let mut i = self.carry_len;
        while i < n {
            if bit(i) == 1 {
                self.pol = -self.pol;
                out[i] = self.pol;
                self.marks += 1;
                i += 1;
                continue;
            }
            match self.code {
                LineCode::Hdb3 if (1..4).all(|k| bit(i + k) == 0) => {
                    if self.marks % 2 == 1 {
                        out[i..i + 3].fill(0);
                    } else {
                        self.pol = -self.pol;
                        out[i] = self.pol;
                        out[i + 1] = 0;
                        out[i + 2] = 0;
                    }
                    out[i + 3] = self.pol;
                    self.marks = 0;
                    i += 4;
                }
                LineCode::B8zs if (1..8).all(|k| bit(i + k) == 0) => {
                    let p = self.pol;
                    out[i..i + 8].copy_from_slice(&[0, 0, 0, p, -p, 0, -p, p]);
                    i += 8;
                }
                _ => {
                    out[i] = 0;
                    i += 1;
                }
            }
        }
        self.carry_len = i - n;
        self.carry[..self.carry_len].copy_from_slice(&out[n..i]);
    }
}

/// Streaming line decoder with code violation counting.
#[derive(Clone, Debug)]
struct Decoder {
    code: LineCode,
    /// Polarity of the last mark received.
    pol: i8,
    /// Polarity of the last HDB3 V received (0: none yet).
    last_v: i8,
    /// Zero symbols since the last mark.
    zeros: u32,
    /// Symbols at the start of the next call already consumed by a substitution.
    skip: usize,
    cv: u64,
}

impl Decoder {
    fn new(code: LineCode) -> Self {
        Self { code, pol: -1, last_v: 0, zeros: 0, skip: 0, cv: 0 }
    }

    /// Decode `s[0..n]` (with `s[n..n + 8]` as lookahead) and call `one(i)`
    /// for every decoded 1 bit at position `i < n`.
    fn decode(&mut self, n: usize, s: &[i8], mut one: impl FnMut(usize)) {
        let mut i = self.skip;
        while i < n {
            let x = s[i];
            if x == 0 {
                let p = self.pol;
                if self.code == LineCode::B8zs && s[i + 1..i + 8] == [0, 0, p, -p, 0, -p, p] {
                    i += 8;
                    self.zeros = 0;
                } else {
                    self.zeros += 1;
                    i += 1;
                }
                continue;
            }
            let violation = x == self.pol;
            self.pol = x;
            match self.code {
                LineCode::Hdb3 if violation && self.zeros >= 3 => {
                    // 000V
                    if self.last_v == x {
                        self.cv += 1;
                    }
                    self.last_v = x;
                    i += 1;
                }
                LineCode::Hdb3 if !violation && s[i + 1] == 0 && s[i + 2] == 0 && s[i + 3] == x => {
                    // B00V
                    if self.last_v == x {
                        self.cv += 1;
                    }
                    self.last_v = x;
                    i += 4;
                }
                _ => {
                    if violation {
                        self.cv += 1;
                    }
                    one(i);
                    i += 1;
                }
            }
            self.zeros = 0;
        }
        self.skip = i - n;
    }
}

/// Encode a bit sequence (one bit per element, 0 or 1) into ternary symbols
/// with a fresh encoder (last mark negative, even mark count for HDB3).  A
/// substitution is only used if it fits entirely inside the input.
pub fn encode_bits(code: LineCode, bits: &[u8]) -> Vec<i8> {
    let mut enc = Encoder::new(code);
    let mut out = vec![0i8; bits.len() + 8];
    enc.encode(bits.len(), |i| bits.get(i).map_or(1, |&b| b & 1), &mut out);
    out.truncate(bits.len());
    out
}

/// Decode ternary symbols with a fresh decoder (last mark taken as negative).
/// Returns the bits (one per element) and the number of code violations.
pub fn decode_symbols(code: LineCode, syms: &[i8]) -> (Vec<u8>, u64) {
    let mut dec = Decoder::new(code);
    let mut s = syms.to_vec();
    s.extend_from_slice(&[0; 8]);
    let mut bits = vec![0u8; syms.len()];
    dec.decode(syms.len(), &s, |i| bits[i] = 1);
    (bits, dec.cv)
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
    prev_slow: bool,
    out: FrameBits,
    /// Impairment: no signal at all.
    pub(crate) no_signal: bool,
    ber: f64,
    next_err: u64,
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
            prev_slow: false,
            out: [0; 33],
            no_signal: false,
            ber: 0.0,
            next_err: u64::MAX,
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
        self.ber = if rate.is_finite() { rate.clamp(0.0, 1.0) } else { 0.0 };
        self.next_err = self.gap();
    }

    pub(crate) fn ber(&self) -> f64 {
        self.ber
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
        if self.ber <= 0.0 {
            return u64::MAX;
        }
        if self.ber >= 1.0 {
            return 0;
        }
        let u: f64 = self.rng.gen();
        let g = ((1.0 - u).ln() / (-self.ber).ln_1p()).floor();
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
        let slow = self.no_signal || self.ber > 0.0;
        if !slow && !self.prev_slow {
            let ring = &self.ring;
            Self::los_from_bits(&mut self.los, &mut self.zero_run, self.los_zeros, self.code, n, &ring[i2]);
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
        self.enc.encode(
            n,
            |i| if i < n { get_bit(cur, i) } else { get_bit(next, i - n) },
            &mut self.s_cur,
        );
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
            let ring = &self.ring;
            Self::los_from_bits(&mut self.los, &mut self.zero_run, self.los_zeros, self.code, n, &ring[i2]);
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

    fn los_from_bits(los: &mut bool, run: &mut u32, threshold: u32, code: LineCode, n: usize, bits: &FrameBits) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn max_zero_run(s: &[i8]) -> usize {
        s.split(|&x| x != 0).map(|r| r.len()).max().unwrap_or(0)
    }

    fn lcg_bits(n: usize, seed: u32, ones_per_256: u32) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((x >> 24) < ones_per_256) as u8
            })
            .collect()
    }

    #[test]
    fn substitutions_bound_zero_runs_and_roundtrip() {
        for (code, bound) in [(LineCode::Hdb3, 3), (LineCode::B8zs, 7)] {
            let zeros = vec![0u8; 1000];
            let s = encode_bits(code, &zeros);
            // The tail may be unsubstituted (substitutions must fit); check the body.
            assert!(max_zero_run(&s[..990]) <= bound, "{code:?}");
            let (b, cv) = decode_symbols(code, &s);
            assert_eq!(b, zeros);
            assert_eq!(cv, 0);
            for density in [0, 10, 40, 128, 250] {
                let bits = lcg_bits(5000, density + 1, density);
                let s = encode_bits(code, &bits);
                let (b, cv) = decode_symbols(code, &s);
                assert_eq!(b, bits, "{code:?} density {density}");
                assert_eq!(cv, 0);
            }
        }
        let bits = lcg_bits(3000, 5, 100);
        let (b, cv) = decode_symbols(LineCode::Ami, &encode_bits(LineCode::Ami, &bits));
        assert_eq!((b, cv), (bits, 0));
    }

    #[test]
    fn hdb3_known_sequence() {
        // 1 0000 1 0000 0000 with last mark negative:
        // 1 -> +; 0000 after 1 mark (odd) -> 000V(+); 1 -> -; 0000 after 1 mark -> 000V(-);
        // 0000 after 0 marks (even) -> B00V = +00+.
        let bits = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let s = encode_bits(LineCode::Hdb3, &bits);
        assert_eq!(s, vec![1, 0, 0, 0, 1, -1, 0, 0, 0, -1, 1, 0, 0, 1]);
        // B8ZS: 1 then eight zeros with last mark + -> 000+-0-+
        let bits = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let s = encode_bits(LineCode::B8zs, &bits);
        assert_eq!(s, vec![1, 0, 0, 0, 1, -1, 0, -1, 1, -1]);
    }

    #[test]
    fn single_symbol_error_gives_code_violation() {
        for code in [LineCode::Ami, LineCode::Hdb3, LineCode::B8zs] {
            let bits = lcg_bits(2000, 3, 128);
            let mut s = encode_bits(code, &bits);
            // Invert a mark that is preceded by a mark (not by three zeros).
            let k = (100..s.len()).find(|&k| s[k] != 0 && s[k - 1] != 0).unwrap();
            s[k] = -s[k];
            let (_, cv) = decode_symbols(code, &s);
            assert!(cv >= 1, "{code:?}");
            // A mark inserted right after a mark, with that mark's polarity.
            let mut s = encode_bits(code, &bits);
            let k = (100..s.len() - 1).find(|&k| s[k] != 0 && s[k + 1] == 0).unwrap();
            s[k + 1] = s[k];
            let (_, cv) = decode_symbols(code, &s);
            assert!(cv >= 1, "{code:?}");
        }
    }

    #[test]
    fn path_latency_and_identity() {
        for code in [LineCode::Ami, LineCode::Hdb3] {
            let mut p = LinePath::new(256, code, LOS_ZEROS_E1, 1);
            let mut frames = Vec::new();
            for k in 0..50u32 {
                let mut f = [0u8; 33];
                for (j, b) in f[..32].iter_mut().enumerate() {
                    *b = if k % 3 == 0 { 0 } else { (k as u8).wrapping_mul(31).wrapping_add(j as u8) };
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
                wrong += out[..32].iter().zip(&f[..32]).map(|(a, b)| (a ^ b).count_ones()).sum::<u32>();
            }
        }
        // ~5100 symbol errors; each gives about one bit error.
        assert!((3000..9000).contains(&wrong), "{wrong}");
        assert!(p.code_violations() > 2000, "{}", p.code_violations());
    }
}
