//! Tone generation: a phase-accumulator oscillator over a small sine table.

use super::plan::ToneSpec;
use super::SAMPLE_RATE;
use crate::media::dtmf::dbm0_to_peak;

/// log2 of the sine table length.
const TABLE_BITS: u32 = 10;
const TABLE_LEN: usize = 1 << TABLE_BITS;
/// Bits of the 32-bit phase below the table index (interpolation fraction).
const FRAC_BITS: u32 = 32 - TABLE_BITS;

/// One full sine cycle plus a guard point for interpolation. Linear
/// interpolation between 1024 points is accurate to about 5e-6 of full
/// scale (-106 dB), far below the G.711 quantisation noise.
static SINE: [f32; TABLE_LEN + 1] = sine_table();

/// sin(x) for |x| <= 2π by its Taylor series (converges to f64 precision
/// after argument reduction to [-π, π]); usable in const context.
const fn const_sin(x: f64) -> f64 {
    let pi = std::f64::consts::PI;
    let x = if x > pi { x - 2.0 * pi } else { x };
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    let mut n = 1u32;
    while n < 41 {
        term = -term * x2 / (((n + 1) * (n + 2)) as f64);
        sum += term;
        n += 2;
    }
    sum
}

const fn sine_table() -> [f32; TABLE_LEN + 1] {
    let mut t = [0f32; TABLE_LEN + 1];
    let mut i = 0;
    while i <= TABLE_LEN {
        t[i] = const_sin(2.0 * std::f64::consts::PI * i as f64 / TABLE_LEN as f64) as f32;
        i += 1;
    }
    t
}

/// sin(2π · phase / 2^32).
#[inline]
fn sine(phase: u32) -> f32 {
    let idx = (phase >> FRAC_BITS) as usize;
    let frac = (phase & ((1 << FRAC_BITS) - 1)) as f32 * (1.0 / (1u32 << FRAC_BITS) as f32);
    let a = SINE[idx];
    let b = SINE[idx + 1];
    a + (b - a) * frac
}

/// Phase increment per sample for `hz`: 2^32 · hz / 8000, rounded. The
/// frequency error is below 2e-6 Hz.
fn phase_step(hz: u16) -> u32 {
    ((u64::from(hz) << 32) as f64 / f64::from(SAMPLE_RATE)).round() as u32
}

/// Plays a [`ToneSpec`] as 8 kHz linear samples.
///
/// Each frequency has its own 32-bit phase accumulator, which keeps running
/// across blocks and cadence segments (phase-continuous, no clicks between
/// calls of [`generate`](Self::generate)), so any output length works,
/// including the engine's 8 samples per 1 ms tick. The state is `Copy` and
/// a few dozen bytes; nothing allocates.
#[derive(Clone, Copy, Debug, Default)]
pub struct ToneGenerator {
    spec: Option<&'static ToneSpec>,
    /// Peak amplitude of each frequency.
    amp: f32,
    /// Current cadence segment.
    seg: usize,
    /// Sample index within the current segment (tone then silence).
    pos: u32,
    phase: [u32; 2],
    step: [u32; 2],
    /// Frequencies sounding in the current segment (0..=2).
    nfreq: usize,
    on_samples: u32,
    seg_samples: u32,
}

impl ToneGenerator {
    /// Creates an idle generator (it writes silence).
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts playing `spec` from the beginning of its cadence, replacing
    /// whatever was playing.
    pub fn start(&mut self, spec: &'static ToneSpec) {
        self.spec = Some(spec);
        self.amp = dbm0_to_peak(spec.level_dbm0);
        self.phase = [0; 2];
        self.enter_segment(0);
    }

    /// Stops the tone; further output is silence.
    pub fn stop(&mut self) {
        self.spec = None;
    }

    /// True while a tone is playing, including the silent parts of its
    /// cadence; false once stopped or once a non-repeating tone has ended.
    pub fn is_active(&self) -> bool {
        self.spec.is_some()
    }

    /// The tone being played, if any.
    pub fn spec(&self) -> Option<&'static ToneSpec> {
        self.spec
    }

    fn enter_segment(&mut self, seg: usize) {
        let Some(spec) = self.spec else { return };
        self.seg = seg;
        self.pos = 0;
        let (freqs, on, len) = match spec.cadence.get(seg) {
            Some(s) => {
                let on = s.on_ms.saturating_mul(SAMPLE_RATE / 1000);
                let off = s.off_ms.saturating_mul(SAMPLE_RATE / 1000);
                (s.freqs, on, on.saturating_add(off))
            }
            // Continuous tone: one endless "on" segment.
            None => (spec.freqs, u32::MAX, u32::MAX),
        };
        self.nfreq = freqs.len().min(2);
        for (i, &f) in freqs.iter().take(2).enumerate() {
            self.step[i] = phase_step(f);
        }
        self.on_samples = on;
        self.seg_samples = len.max(1);
    }

    /// Fills `out` with the tone and returns how many samples (from the
    /// start of `out`) were produced while the tone was active, silent
    /// cadence parts included. After a non-repeating tone ends, or when
    /// idle, the rest of `out` is silence.
    pub fn generate(&mut self, out: &mut [i16]) -> usize {
        let mut active = 0;
        for o in out.iter_mut() {
            let Some(spec) = self.spec else {
                *o = 0;
                continue;
            };
            let mut v = 0.0f32;
            if self.pos < self.on_samples {
                for i in 0..self.nfreq {
                    v += sine(self.phase[i]);
                }
                v *= self.amp;
            }
            for i in 0..self.nfreq {
                self.phase[i] = self.phase[i].wrapping_add(self.step[i]);
            }
            *o = v.round().clamp(-32768.0, 32767.0) as i16;
            active += 1;
            if !spec.is_continuous() {
                self.pos += 1;
                if self.pos >= self.seg_samples {
                    let next = self.seg + 1;
                    if next < spec.cadence.len() {
                        self.enter_segment(next);
                    } else if spec.repeat {
                        self.enter_segment(0);
                    } else {
                        self.spec = None;
                    }
                }
            }
        }
        active
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::{plan, ToneKind, TonePlanName};
    use super::*;

    #[test]
    fn table_matches_std_sin() {
        let mut worst = 0.0f64;
        for k in 0..10_000u32 {
            let phase = k.wrapping_mul(429_497); // spread over the cycle
            let want = (phase as f64 / 4_294_967_296.0 * std::f64::consts::TAU).sin();
            worst = worst.max((sine(phase) as f64 - want).abs());
        }
        assert!(worst < 1e-5, "worst table error {worst}");
    }

    /// Correlation amplitude of `x` at `hz` (peak of the sinusoid).
    fn amplitude_at(x: &[i16], hz: f64) -> f64 {
        let w = std::f64::consts::TAU * hz / 8000.0;
        let (mut re, mut im) = (0.0, 0.0);
        for (n, &s) in x.iter().enumerate() {
            re += s as f64 * (w * n as f64).cos();
            im += s as f64 * (w * n as f64).sin();
        }
        2.0 * (re * re + im * im).sqrt() / x.len() as f64
    }

    #[test]
    fn continuous_tone_level_and_phase_continuity() {
        let spec = plan(TonePlanName::China).tone(ToneKind::Dial);
        let mut g = ToneGenerator::new();
        g.start(spec);
        // 8 samples per call, like the engine's tick.
        let mut x = vec![0i16; 8000];
        for chunk in x.chunks_mut(8) {
            assert_eq!(g.generate(chunk), 8);
        }
        let a = amplitude_at(&x, 450.0);
        let want = dbm0_to_peak(-10.0) as f64;
        let err_db = 20.0 * (a / want).log10();
        assert!(err_db.abs() < 0.05, "level error {err_db} dB");
        // No jumps: consecutive samples differ by at most w*A (+rounding).
        let max_step = std::f64::consts::TAU * 450.0 / 8000.0 * want + 2.0;
        for w in x.windows(2) {
            assert!(((w[1] as f64) - (w[0] as f64)).abs() <= max_step);
        }
        assert!(g.is_active());
        g.stop();
        let mut y = [1i16; 8];
        assert_eq!(g.generate(&mut y), 0);
        assert_eq!(y, [0; 8]);
    }

    #[test]
    fn cadence_and_single_shot() {
        // Busy 350/350 (China): samples 0..2800 tone, 2800..5600 silence.
        let mut g = ToneGenerator::new();
        g.start(plan(TonePlanName::China).tone(ToneKind::Busy));
        let mut x = vec![0i16; 5600 * 2];
        for chunk in x.chunks_mut(7) {
            g.generate(chunk);
        }
        let energy = |s: &[i16]| s.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
        assert!(energy(&x[100..2700]) > 1e9);
        assert_eq!(energy(&x[2801..5600]), 0.0);
        assert!(energy(&x[5600..5700]) > 1e6, "cadence repeats");

        // Beep: 200 ms once, then inactive and silent.
        g.start(plan(TonePlanName::Etsi).tone(ToneKind::Beep));
        let mut y = vec![5i16; 2000];
        let n = g.generate(&mut y);
        assert_eq!(n, 1600);
        assert!(!g.is_active());
        assert!(y[1600..].iter().all(|&v| v == 0));
        assert!(amplitude_at(&y[..1600], 1000.0) > 7000.0);
    }
}
