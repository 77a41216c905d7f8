//! Block spectral analysis for the call-progress detector: a bank of
//! single-frequency DFTs with a phase-continuous reference.
//!
//! Each frequency `f` has a unit phasor `e^{-j w n}` (w = 2π f / 8000, n the
//! absolute sample index) that is rotated one step per sample and
//! renormalised at the end of each block. The block's DFT value at `f` is
//! `X = Σ x[n] e^{-j w n}`. Because the reference phase runs on across
//! blocks, a steady tone exactly at `f` gives the same `X` in consecutive
//! blocks, and a tone `df` Hz away turns `X` by `2π df N / 8000` per block:
//! comparing two consecutive blocks measures the frequency error to a
//! fraction of a hertz.
//!
//! With N = 200 (25 ms) the rectangular window's nulls fall every 40 Hz,
//! exactly on the 440/480 Hz pair of the North American tones, and a tone
//! more than about 26 Hz off a bin frequency loses more than 6 dB there.

use std::f64::consts::TAU;

use super::SAMPLE_RATE;

/// Analysis block length in samples (25 ms).
pub(crate) const BLOCK: usize = 200;
/// Most frequencies a bank analyses.
pub(crate) const MAX_BINS: usize = 16;

/// Result of one block.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Block {
    /// Σ x² over the block.
    pub energy: f32,
    /// Per frequency, |X|² · 2 / N: the energy a sinusoid exactly at that
    /// frequency contributes to the block (so it compares with `energy`).
    pub e: [f32; MAX_BINS],
    /// Per frequency, the DFT value X.
    pub x_re: [f32; MAX_BINS],
    /// Imaginary part of X.
    pub x_im: [f32; MAX_BINS],
}

/// Running DFT bank. `Copy`, no allocation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bank {
    n: usize,
    rot_re: [f32; MAX_BINS],
    rot_im: [f32; MAX_BINS],
    p_re: [f32; MAX_BINS],
    p_im: [f32; MAX_BINS],
    acc_re: [f32; MAX_BINS],
    acc_im: [f32; MAX_BINS],
    energy: f32,
    pos: usize,
}

impl Bank {
    /// A bank for the first `MAX_BINS` of `freqs` (Hz).
    pub fn new(freqs: &[u16]) -> Self {
        let mut b = Self {
            n: freqs.len().min(MAX_BINS),
            rot_re: [1.0; MAX_BINS],
            rot_im: [0.0; MAX_BINS],
            p_re: [1.0; MAX_BINS],
            p_im: [0.0; MAX_BINS],
            acc_re: [0.0; MAX_BINS],
            acc_im: [0.0; MAX_BINS],
            energy: 0.0,
            pos: 0,
        };
        for (i, &f) in freqs.iter().take(MAX_BINS).enumerate() {
            let w = TAU * f64::from(f) / f64::from(SAMPLE_RATE);
            b.rot_re[i] = w.cos() as f32;
            b.rot_im[i] = -w.sin() as f32;
        }
        b
    }

    /// Feeds samples; calls `on_block` at the end of every block.
    pub fn push(&mut self, samples: &[i16], mut on_block: impl FnMut(&Block)) {
        let n = self.n;
        for &s in samples {
            let x = f32::from(s);
            self.energy += x * x;
            for i in 0..n {
                let (pr, pi) = (self.p_re[i], self.p_im[i]);
                self.acc_re[i] += x * pr;
                self.acc_im[i] += x * pi;
                self.p_re[i] = pr * self.rot_re[i] - pi * self.rot_im[i];
                self.p_im[i] = pr * self.rot_im[i] + pi * self.rot_re[i];
            }
            self.pos += 1;
            if self.pos == BLOCK {
                let mut blk = Block {
                    energy: self.energy,
                    ..Block::default()
                };
                for i in 0..n {
                    let (re, im) = (self.acc_re[i], self.acc_im[i]);
                    blk.x_re[i] = re;
                    blk.x_im[i] = im;
                    blk.e[i] = (re * re + im * im) * (2.0 / BLOCK as f32);
                    // Renormalise the phasor (keeps its phase).
                    let m = (self.p_re[i] * self.p_re[i] + self.p_im[i] * self.p_im[i]).sqrt();
                    if m > 0.0 {
                        self.p_re[i] /= m;
                        self.p_im[i] /= m;
                    }
                }
                self.acc_re = [0.0; MAX_BINS];
                self.acc_im = [0.0; MAX_BINS];
                self.energy = 0.0;
                self.pos = 0;
                on_block(&blk);
            }
        }
    }
}

/// Frequency error in Hz of bin `i` between two consecutive full blocks
/// (unambiguous within ±20 Hz).
pub(crate) fn freq_error_hz(prev: &Block, cur: &Block, i: usize) -> f32 {
    // cur · conj(prev)
    let re = cur.x_re[i] * prev.x_re[i] + cur.x_im[i] * prev.x_im[i];
    let im = cur.x_im[i] * prev.x_re[i] - cur.x_re[i] * prev.x_im[i];
    let dphi = im.atan2(re);
    dphi * SAMPLE_RATE as f32 / (std::f32::consts::TAU * BLOCK as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f64, amp: f64, len: usize) -> Vec<i16> {
        (0..len)
            .map(|n| (amp * (TAU * hz * n as f64 / 8000.0).sin()).round() as i16)
            .collect()
    }

    fn blocks(freqs: &[u16], x: &[i16]) -> Vec<Block> {
        let mut bank = Bank::new(freqs);
        let mut v = Vec::new();
        for c in x.chunks(8) {
            bank.push(c, |b| v.push(*b));
        }
        v
    }

    #[test]
    fn on_bin_tone_energy_and_zero_error() {
        let x = tone(425.0, 7000.0, 1000);
        let b = blocks(&[425, 1100], &x);
        assert_eq!(b.len(), 5);
        let frac = b[2].e[0] / b[2].energy;
        assert!((frac - 1.0).abs() < 0.02, "fraction {frac}");
        assert!(b[2].e[1] / b[2].energy < 1e-3);
        let err = freq_error_hz(&b[1], &b[2], 0);
        assert!(err.abs() < 0.3, "error {err} Hz");
    }

    #[test]
    fn measures_frequency_offset() {
        for df in [-15.0, -6.0, 3.0, 11.0, 17.0] {
            let x = tone(440.0 + df, 7000.0, 1000);
            let b = blocks(&[440], &x);
            let est = freq_error_hz(&b[2], &b[3], 0);
            assert!((est - df as f32).abs() < 0.2, "df {df} est {est}");
        }
    }

    #[test]
    fn pair_440_480_does_not_leak() {
        let x = tone(440.0, 5000.0, 600);
        let b = blocks(&[440, 480, 350], &x);
        assert!(b[1].e[1] / b[1].e[0] < 1e-3, "480 bin sees 440");
        assert!(b[1].e[2] / b[1].e[0] < 0.02, "350 bin sees 440");
    }
}
