//! DTMF reception (ITU-T Q.24) and generation (ITU-T Q.23) on 8 kHz linear
//! samples.
//!
//! # Level reference
//!
//! Levels are in dBm0 on the 16-bit linear scale that G.711 decoders produce
//! (A-law 13-bit codes shifted left by 3, µ-law 14-bit codes by 2). ITU-T
//! G.711 gives the theoretical load capacity (a full-scale sine) as
//! +3.14 dBm0 for A-law and +3.17 dBm0 for µ-law. We use the A-law figure: a
//! sine of peak 32768 is +3.14 dBm0, so a 0 dBm0 sine has peak
//! `32768 * 10^(-3.14/20)` ≈ 22827 ([`DBM0_PEAK`]). The µ-law figure differs
//! by 0.06 dB, which is irrelevant here.
//!
//! # Detector design
//!
//! Samples are cut into blocks of [`BLOCK_LEN`] = 102 samples (12.75 ms),
//! each split into two halves of 51. For each of the eight DTMF frequencies
//! a Goertzel filter runs over each half and yields a complex result
//! (8 filters, one shared input: the inner loop vectorises; each step is
//! computed as `(x - s2) + 2cos(w) s1`, so the loop-carried dependency is
//! one multiply and one add). Per block we recombine the halves coherently
//! into the complex 102-point DFT and first apply the cheap presence test
//! below on the eight energies; most blocks (silence, speech) stop there.
//! For a block that passes we keep, for the strongest low-group and
//! high-group frequency, the DFT value, its energy and the phase advance
//! between the two halves, turned into a coarse frequency error (an
//! `atan2`) only if the block takes part in a steady-pair check.
//!
//! * **Presence.** A block "shows digit d" when d's two frequencies are the
//!   strongest of their groups and both are no more than 10 dB under the
//!   level threshold (partly covered blocks and off-frequency tones measure
//!   low).
//! * **Steady pair checks.** Two consecutive blocks showing d with energies
//!   within 2.5 dB (both essentially full of tone) are checked for:
//!   frequency (the phase advance from one block to the next measures each
//!   tone's offset precisely; the half-block phase resolves its 2π
//!   ambiguity; a plain energy test cannot separate a low-group tone 1.5 %
//!   off, to accept, from one 3.5 % off, to reject: the 102-point energies
//!   differ by only 1.1 dB), level and twist on energies corrected for the
//!   measured offset's Goertzel roll-off, relative peak (other frequencies
//!   of each group 8 dB down) and total energy (the two tones carry ≥ 70 %
//!   of the block energy: speech, music and noise put their harmonics and
//!   broadband energy elsewhere; this is the talk-off guard).
//! * **Duration.** Over a run of blocks showing d, the tone length is
//!   estimated as Σ amplitude / max amplitude × 102 samples: a block
//!   covered for c samples has an amplitude about c/102 of a full one, so
//!   partial blocks at both ends count for what they contain. A digit
//!   starts once a steady pair has passed and the estimate reaches
//!   [`DtmfConfig::min_tone_ms`] (31 ms): a 40 ms tone estimates at about
//!   40 ms whatever its alignment, and any tone shorter than 23 ms can score
//!   at most two blocks' worth normalised to the strongest, i.e. ≤ 26 ms.
//! * **End.** A digit ends after [`DtmfConfig::min_off_blocks`] (3)
//!   consecutive blocks that are not at least 70 % (in amplitude) full of
//!   it. A 40 ms pause always makes three such blocks, so it separates two
//!   digits; a drop-out of up to 10 ms spoils at most two, so one long tone
//!   is never reported twice.
//!
//! The detector state is `Copy`, a few hundred bytes, and never allocates.

use std::f32::consts::PI;

/// Sample rate in Hz for everything in this module.
pub const SAMPLE_RATE: u32 = 8000;
/// Detector analysis block length in samples (12.75 ms).
pub const BLOCK_LEN: usize = 102;
/// Half a block: each half gets its own Goertzel pass.
pub(crate) const HALF_LEN: usize = BLOCK_LEN / 2;
/// Peak amplitude, on the 16-bit linear G.711 scale, of a 0 dBm0 sine
/// (`32768 * 10^(-3.14/20)`, A-law load capacity +3.14 dBm0 per ITU-T G.711).
pub const DBM0_PEAK: f32 = 22827.06;

/// Low-group (row) frequencies in Hz.
pub const LOW_GROUP: [u32; 4] = [697, 770, 852, 941];
/// High-group (column) frequencies in Hz.
pub const HIGH_GROUP: [u32; 4] = [1209, 1336, 1477, 1633];
/// Digits by `[row][column]`.
const DIGITS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];
/// All sixteen DTMF digits.
pub const ALL_DIGITS: &str = "0123456789*#ABCD";

/// Returns the (low, high) frequency pair in Hz of a DTMF digit, or `None`
/// for a character that is not one. Lower-case `a`..`d` are accepted.
pub fn digit_frequencies(digit: char) -> Option<(u32, u32)> {
    let d = digit.to_ascii_uppercase();
    for (r, row) in DIGITS.iter().enumerate() {
        for (c, &ch) in row.iter().enumerate() {
            if ch == d {
                return Some((LOW_GROUP[r], HIGH_GROUP[c]));
            }
        }
    }
    None
}

/// Peak amplitude on the 16-bit scale of a sine at `dbm0`.
pub fn dbm0_to_peak(dbm0: f32) -> f32 {
    DBM0_PEAK * 10f32.powf(dbm0 / 20.0)
}

/// Detector settings. `Default` gives values meeting ITU-T Q.24.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DtmfConfig {
    /// Minimum level of each tone, in dBm0 (default -32). Q.24 receivers
    /// must operate down to about -25..-30 dBm0 per tone depending on the
    /// administration; -32 accepts -30 dBm0 tones with margin, while staying
    /// high enough to keep idle-channel noise and echo out.
    pub min_level_dbm0: f32,
    /// Largest accepted "normal" twist in dB (default 8): the high-group
    /// tone weaker than the low-group tone, as lines attenuate higher
    /// frequencies more.
    pub normal_twist_db: f32,
    /// Largest accepted "reverse" twist in dB (default 4): the high-group
    /// tone stronger than the low-group tone.
    pub reverse_twist_db: f32,
    /// Largest frequency deviation of each tone, in percent (default 2.5):
    /// midway between the Q.24 "must accept" ±1.5 % and "must reject"
    /// ±3.5 %.
    pub freq_tolerance_pct: f32,
    /// Shortest tone reported, in ms, as estimated from the blocks' energy
    /// envelope (default 31: midway between the Q.24 "must reject" 23 ms
    /// and "must accept" 40 ms; the estimate is good to about ±4 ms).
    pub min_tone_ms: f32,
    /// Consecutive blocks without the digit that end it (default 3: a 40 ms
    /// pause always ends a digit, a 10 ms drop-out never does).
    pub min_off_blocks: u8,
}

impl Default for DtmfConfig {
    fn default() -> Self {
        Self {
            min_level_dbm0: -32.0,
            normal_twist_db: 8.0,
            reverse_twist_db: 4.0,
            freq_tolerance_pct: 2.5,
            min_tone_ms: 31.0,
            min_off_blocks: 3,
        }
    }
}

/// Something the detector noticed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtmfEvent {
    /// A digit was recognised.
    DigitStart {
        /// `0`-`9`, `*`, `#`, `A`-`D`.
        digit: char,
        /// Index (counted from the detector's creation or last reset) of
        /// the first sample of the first block containing the tone; the tone
        /// began within that block.
        at_sample: u64,
    },
    /// The digit last started has stopped.
    DigitEnd {
        /// Same digit as the matching `DigitStart`.
        digit: char,
        /// Time from the first to the last block containing the tone, in
        /// ms (whole blocks, so up to about 25 ms longer than the tone).
        duration_ms: u32,
    },
}

/// Measurement tolerance added to the configured twist limits, in dB, so
/// that a tone exactly at the limit is accepted despite noise and leakage:
/// with 102-point blocks the strong tone leaks up to -21 dB into the other
/// group's bin (941 Hz into 1209 Hz), which moves a tone 8 dB weaker by up
/// to ±2 dB.
const TWIST_MARGIN_DB: f32 = 2.5;
/// Each other frequency of a group must be this far (dB) below the best.
const RELATIVE_PEAK_DB: f32 = 8.0;
/// The two tones must carry at least this fraction of the block energy.
const TONE_ENERGY_FRACTION: f32 = 0.7;
/// A block counts as containing a tone from this far (dB) below the level
/// threshold: partly covered blocks and off-frequency tones measure low.
const PRESENCE_SLACK_DB: f32 = 10.0;
/// Two consecutive blocks are a "steady pair", fit for the frequency, level
/// and twist checks, when their energies agree within this many dB.
const PAIR_BALANCE_DB: f32 = 2.5;
/// While a digit is on, a block keeps it going when its amplitude is at
/// least this fraction of the strongest block (so a block less than about
/// 70 % filled by the tone counts as a gap).
const SOLID_FRACTION: f32 = 0.7;

/// The dominant tone pair of one block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tones {
    digit: char,
    /// Frequency indices (0..4 low, 4..8 high).
    k: [usize; 2],
    /// Complex 102-point DFT (up to a per-frequency constant factor).
    x_re: [f32; 2],
    x_im: [f32; 2],
    /// Energies |x|^2.
    e: [f32; 2],
    /// `conj(y1) y2 e^{-jwL}` of each tone: its angle over L is the coarse
    /// frequency error (rad/sample) from the two halves' phases. Kept as a
    /// vector and turned into an angle only when a steady pair is checked
    /// (most blocks never are), which saves two `atan2` per block.
    half_turn_re: [f32; 2],
    half_turn_im: [f32; 2],
    /// Share of the block's energy carried by the two tones.
    fraction: f32,
    /// Every other frequency of each group is well below the best one.
    peak_ok: bool,
}

/// Constants derived from the frequencies and the configuration, shared by
/// the scalar [`DtmfDetector`] and the multi-channel [`bank::DtmfBank`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    /// Goertzel coefficients `2 cos w` per frequency.
    pub(crate) coef: [f32; 8],
    cos: [f32; 8],
    sin: [f32; 8],
    /// `e^{-j w L}` for each frequency, L = half length.
    half_re: [f32; 8],
    half_im: [f32; 8],
    /// `e^{-j w N}` for each frequency, N = block length.
    block_re: [f32; 8],
    block_im: [f32; 8],
    /// Largest accepted frequency error per frequency, rad/sample.
    max_dw: [f32; 8],
    threshold: f32,
    /// Presence floor: `threshold` less [`PRESENCE_SLACK_DB`].
    pub(crate) floor: f32,
    /// [`RELATIVE_PEAK_DB`] as an energy ratio.
    rel_peak: f32,
    /// [`PAIR_BALANCE_DB`] as an energy ratio.
    balance: f32,
    normal_twist: f32,
    reverse_twist: f32,
    min_tone_samples: f32,
    min_off_blocks: u8,
}

impl Params {
    pub(crate) fn new(cfg: DtmfConfig) -> Self {
        let mut coef = [0.0; 8];
        let mut cos = [0.0; 8];
        let mut sin = [0.0; 8];
        let mut half_re = [0.0; 8];
        let mut half_im = [0.0; 8];
        let mut block_re = [0.0; 8];
        let mut block_im = [0.0; 8];
        let mut max_dw = [0.0; 8];
        for (k, &f) in LOW_GROUP.iter().chain(HIGH_GROUP.iter()).enumerate() {
            let w = 2.0 * std::f64::consts::PI * f as f64 / SAMPLE_RATE as f64;
            coef[k] = (2.0 * w.cos()) as f32;
            cos[k] = w.cos() as f32;
            sin[k] = w.sin() as f32;
            let wl = w * HALF_LEN as f64;
            half_re[k] = wl.cos() as f32;
            half_im[k] = (-wl.sin()) as f32;
            let wn = w * BLOCK_LEN as f64;
            block_re[k] = wn.cos() as f32;
            block_im[k] = (-wn.sin()) as f32;
            max_dw[k] = w as f32 * cfg.freq_tolerance_pct / 100.0;
        }
        let amp = dbm0_to_peak(cfg.min_level_dbm0) * BLOCK_LEN as f32 / 2.0;
        let threshold = amp * amp;
        Self {
            coef,
            cos,
            sin,
            half_re,
            half_im,
            block_re,
            block_im,
            max_dw,
            threshold,
            floor: threshold * 10f32.powf(-PRESENCE_SLACK_DB / 10.0),
            rel_peak: 10f32.powf(-RELATIVE_PEAK_DB / 10.0),
            balance: 10f32.powf(-PAIR_BALANCE_DB / 10.0),
            normal_twist: 10f32.powf((cfg.normal_twist_db + TWIST_MARGIN_DB) / 10.0),
            reverse_twist: 10f32.powf((cfg.reverse_twist_db + TWIST_MARGIN_DB) / 10.0),
            min_tone_samples: cfg.min_tone_ms * (SAMPLE_RATE / 1000) as f32,
            min_off_blocks: cfg.min_off_blocks.max(1),
        }
    }

    /// Complex Goertzel output of frequency `k` for a finished half from
    /// the filter states `s1` = s[L-1], `s2` = s[L-2]: `y = s[L-1] -
    /// e^{-jw} s[L-2]` is the half's DFT times `e^{jw(L-1)}`. The bank
    /// applies it lane by lane, so both receivers compute the same bits.
    #[inline(always)]
    pub(crate) fn half_output_k(&self, k: usize, s1: f32, s2: f32) -> (f32, f32) {
        (s1 - self.cos[k] * s2, self.sin[k] * s2)
    }

    /// [`half_output_k`](Self::half_output_k) for all eight frequencies.
    #[inline]
    pub(crate) fn half_output(&self, s1: &[f32; 8], s2: &[f32; 8]) -> ([f32; 8], [f32; 8]) {
        let mut re = [0.0; 8];
        let mut im = [0.0; 8];
        for k in 0..8 {
            (re[k], im[k]) = self.half_output_k(k, s1[k], s2[k]);
        }
        (re, im)
    }

    /// Whole-block DFT of frequency `k` from its two halves' outputs,
    /// `X = y1 + e^{-jwL} y2` (common factor dropped), and its energy.
    #[inline(always)]
    pub(crate) fn block_dft_k(&self, k: usize, y1: (f32, f32), y2: (f32, f32)) -> [f32; 3] {
        let (a, b) = y2;
        let x_re = y1.0 + a * self.half_re[k] - b * self.half_im[k];
        let x_im = y1.1 + a * self.half_im[k] + b * self.half_re[k];
        [x_re, x_im, x_re * x_re + x_im * x_im]
    }

    /// The cheap presence test of a block from its eight energies: the
    /// strongest low-group and high-group frequencies `(lo, hi)` when both
    /// reach the presence floor. Most blocks (silence, speech) stop here.
    #[inline]
    pub(crate) fn strongest_pair(&self, e: &[f32; 8]) -> Option<(usize, usize)> {
        let lo = argmax(&e[0..4]);
        let hi = 4 + argmax(&e[4..8]);
        if e[lo] < self.floor || e[hi] < self.floor {
            return None;
        }
        Some((lo, hi))
    }

    /// The block's tone pair `(lo, hi)` (from
    /// [`strongest_pair`](Self::strongest_pair)) with what the steady-pair
    /// checks need: `y1`/`y2` are the two halves' outputs and `x` the block
    /// DFT, each at `[lo, hi]`; `e` all eight energies; `energy` the
    /// block's time-domain energy.
    pub(crate) fn tones(
        &self,
        (lo, hi): (usize, usize),
        y1: [(f32, f32); 2],
        y2: [(f32, f32); 2],
        x: [[f32; 3]; 2],
        e: &[f32; 8],
        energy: f32,
    ) -> Tones {
        // Relative peak within each group (a block only partly filled by
        // the tone has a wider spectrum, so this too is checked on steady
        // pairs only).
        let mut peak_ok = true;
        for k in 0..8 {
            if k != lo && k != hi {
                let best = if k < 4 { e[lo] } else { e[hi] };
                peak_ok &= e[k] <= best * self.rel_peak;
            }
        }
        // Share of the block's energy in the two tones: the DFT energy of a
        // sine of amplitude A over N samples is (A N / 2)^2, its time-domain
        // energy N A^2 / 2. (A block only partly filled by the tone scores
        // lower, so this is checked on steady pairs only.)
        let fraction = (e[lo] + e[hi]) * 2.0 / (BLOCK_LEN as f32 * energy.max(1.0));
        let mut half_turn_re = [0.0f32; 2];
        let mut half_turn_im = [0.0f32; 2];
        for (g, &k) in [lo, hi].iter().enumerate() {
            // conj(y1) y2 e^{-jwL}: its angle is the frequency error times L.
            let (c, d) = y1[g];
            let (a, b) = y2[g];
            let t_re = a * c + b * d;
            let t_im = b * c - a * d;
            half_turn_re[g] = t_re * self.half_re[k] - t_im * self.half_im[k];
            half_turn_im[g] = t_re * self.half_im[k] + t_im * self.half_re[k];
        }
        Tones {
            digit: DIGITS[lo][hi - 4],
            k: [lo, hi],
            x_re: [x[0][0], x[1][0]],
            x_im: [x[0][1], x[1][1]],
            e: [e[lo], e[hi]],
            half_turn_re,
            half_turn_im,
            fraction,
            peak_ok,
        }
    }

    /// Analyses a complete block from its two halves' Goertzel outputs and
    /// its time-domain energy: its dominant tone pair, if it looks like one
    /// (level within the presence slack; relative peak and total energy
    /// are noted for the steady-pair checks).
    pub(crate) fn analyse_block(
        &self,
        h1: (&[f32; 8], &[f32; 8]),
        h2: (&[f32; 8], &[f32; 8]),
        energy: f32,
    ) -> Option<Tones> {
        let (h1_re, h1_im) = h1;
        let (re2, im2) = h2;
        let mut x = [[0.0f32; 3]; 8];
        let mut e = [0.0f32; 8];
        for k in 0..8 {
            x[k] = self.block_dft_k(k, (h1_re[k], h1_im[k]), (re2[k], im2[k]));
            e[k] = x[k][2];
        }
        let (lo, hi) = self.strongest_pair(&e)?;
        Some(self.tones(
            (lo, hi),
            [(h1_re[lo], h1_im[lo]), (h1_re[hi], h1_im[hi])],
            [(re2[lo], im2[lo]), (re2[hi], im2[hi])],
            [x[lo], x[hi]],
            &e,
            energy,
        ))
    }

    /// Frequency, level and twist checks on two consecutive blocks showing
    /// the same steady tone pair.
    fn check_pair(&self, prev: &Tones, cur: &Tones) -> bool {
        if !prev.peak_ok
            || !cur.peak_ok
            || prev.fraction < TONE_ENERGY_FRACTION
            || cur.fraction < TONE_ENERGY_FRACTION
        {
            return false;
        }
        let mut corrected = [0.0f32; 2];
        for (g, out) in corrected.iter_mut().enumerate() {
            let k = cur.k[g];
            let coarse = cur.half_turn_im[g].atan2(cur.half_turn_re[g]) / HALF_LEN as f32;
            // conj(X_prev) X_cur e^{-j w N}: angle = frequency error times N
            // (mod 2 pi); unwrapped with the coarse half-block estimate.
            let (c, d) = (prev.x_re[g], prev.x_im[g]);
            let (a, b) = (cur.x_re[g], cur.x_im[g]);
            let t_re = a * c + b * d;
            let t_im = b * c - a * d;
            let z_re = t_re * self.block_re[k] - t_im * self.block_im[k];
            let z_im = t_re * self.block_im[k] + t_im * self.block_re[k];
            let fine = z_im.atan2(z_re);
            let n = BLOCK_LEN as f32;
            let wraps = ((coarse * n - fine) / (2.0 * PI)).round();
            let dw = (fine + 2.0 * PI * wraps) / n;
            if dw.abs() > self.max_dw[k] {
                return false;
            }
            // Undo the Goertzel roll-off for a tone dw off the bin centre.
            let half = dw / 2.0;
            let gain = if half.abs() < 1e-6 {
                1.0
            } else {
                (half * n).sin() / (n * half.sin())
            };
            *out = 0.5 * (prev.e[g] + cur.e[g]) / (gain * gain).max(0.1);
        }
        let [c_lo, c_hi] = corrected;
        c_lo >= self.threshold
            && c_hi >= self.threshold
            && c_hi <= c_lo * self.reverse_twist
            && c_lo <= c_hi * self.normal_twist
    }
}

/// A per-channel DTMF receiver. See the [module docs](self) for the design;
/// [`bank::DtmfBank`] runs the same receiver on many channels at once.
#[derive(Clone, Copy, Debug)]
pub struct DtmfDetector {
    p: Params,
    // Filter state.
    s1: [f32; 8],
    s2: [f32; 8],
    h1_re: [f32; 8],
    h1_im: [f32; 8],
    energy: f32,
    pos: usize,
    /// Index of the first sample of the current block.
    block_start: u64,
    decision: Decision,
}

impl Default for DtmfDetector {
    fn default() -> Self {
        Self::new(DtmfConfig::default())
    }
}

impl DtmfDetector {
    /// Creates a detector with the given settings.
    pub fn new(cfg: DtmfConfig) -> Self {
        Self {
            p: Params::new(cfg),
            s1: [0.0; 8],
            s2: [0.0; 8],
            h1_re: [0.0; 8],
            h1_im: [0.0; 8],
            energy: 0.0,
            pos: 0,
            block_start: 0,
            decision: Decision::new(),
        }
    }

    /// Forgets all signal history (configuration is kept); the sample
    /// counter restarts at 0.
    pub fn reset(&mut self) {
        self.s1 = [0.0; 8];
        self.s2 = [0.0; 8];
        self.h1_re = [0.0; 8];
        self.h1_im = [0.0; 8];
        self.energy = 0.0;
        self.pos = 0;
        self.block_start = 0;
        self.decision = Decision::new();
    }

    /// The digit currently being received, if any.
    pub fn current_digit(&self) -> Option<char> {
        self.decision.current()
    }

    /// Feeds samples (any number) and calls `on_event` for each event, in
    /// order. Events are produced only at block boundaries.
    pub fn process<F: FnMut(DtmfEvent)>(&mut self, samples: &[i16], mut on_event: F) {
        let mut rest = samples;
        while !rest.is_empty() {
            let half_end = if self.pos < HALF_LEN {
                HALF_LEN
            } else {
                BLOCK_LEN
            };
            let n = (half_end - self.pos).min(rest.len());
            let (now, later) = rest.split_at(n);
            self.run_filters(now);
            self.pos += n;
            rest = later;
            if self.pos == HALF_LEN {
                let (re, im) = self.p.half_output(&self.s1, &self.s2);
                self.h1_re = re;
                self.h1_im = im;
                self.s1 = [0.0; 8];
                self.s2 = [0.0; 8];
            } else if self.pos == BLOCK_LEN {
                let (re2, im2) = self.p.half_output(&self.s1, &self.s2);
                let tones =
                    self.p
                        .analyse_block((&self.h1_re, &self.h1_im), (&re2, &im2), self.energy);
                self.s1 = [0.0; 8];
                self.s2 = [0.0; 8];
                self.pos = 0;
                self.energy = 0.0;
                self.decision
                    .step(&self.p, self.block_start, tones, &mut on_event);
                self.block_start += BLOCK_LEN as u64;
            }
        }
    }

    #[inline]
    fn run_filters(&mut self, samples: &[i16]) {
        let coef = self.p.coef;
        let mut s1 = self.s1;
        let mut s2 = self.s2;
        let mut energy = self.energy;
        for &x in samples {
            let x = x as f32;
            for k in 0..8 {
                // `x - s2` first: it does not wait for the previous step,
                // so the loop-carried chain is one multiply and one add.
                let s0 = (x - s2[k]) + coef[k] * s1[k];
                s2[k] = s1[k];
                s1[k] = s0;
            }
            energy += x * x;
        }
        self.s1 = s1;
        self.s2 = s2;
        self.energy = energy;
    }
}

#[inline]
fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

pub mod bank;
mod decision;
mod generator;
pub use bank::DtmfBank;
pub(crate) use decision::Decision;
pub use generator::{DtmfError, DtmfGenConfig, DtmfGenerator};
