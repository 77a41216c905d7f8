//! Equivalence of the bank with per-channel scalar detectors.

use super::*;
use crate::media::dtmf::{dbm0_to_peak, digit_frequencies, DtmfDetector, ALL_DIGITS};

/// Small deterministic PRNG (LCG), so each channel gets its own content.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next() as f32 / (1u64 << 31) as f32)
    }
    fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n
    }
}

/// About `seconds` of varied audio: digits at random levels (-38..-3 dBm0),
/// twists (-7..+11 dB), frequency offsets (up to ±4 %), durations (15..130 ms)
/// and gaps, separated by stretches of speech-like harmonic signal and
/// silence, all in white noise of random level.
fn varied_signal(seed: u64, seconds: usize) -> Vec<i16> {
    let mut rng = Rng(seed);
    let total = seconds * 8000;
    let mut out: Vec<f32> = Vec::with_capacity(total + 8000);
    let digits: Vec<char> = ALL_DIGITS.chars().collect();
    while out.len() < total {
        match rng.below(4) {
            0 | 1 => {
                let d = digits[rng.below(digits.len())];
                let (fl, fh) = digit_frequencies(d).unwrap();
                let low_db = rng.range(-38.0, -3.0);
                let twist = rng.range(-7.0, 11.0);
                let (al, ah) = (dbm0_to_peak(low_db), dbm0_to_peak(low_db - twist));
                let off = if rng.below(2) == 0 {
                    0.0
                } else {
                    rng.range(-0.04, 0.04)
                };
                let (wl, wh) = (
                    2.0 * std::f32::consts::PI * fl as f32 * (1.0 + off) / 8000.0,
                    2.0 * std::f32::consts::PI * fh as f32 * (1.0 - off / 2.0) / 8000.0,
                );
                let (pl, ph) = (
                    rng.range(0.0, std::f32::consts::TAU),
                    rng.range(0.0, std::f32::consts::TAU),
                );
                let len = rng.below(116 * 8) + 15 * 8;
                for n in 0..len {
                    let n = n as f32;
                    out.push(al * (wl * n + pl).sin() + ah * (wh * n + ph).sin());
                }
                let gap = rng.below(150 * 8) + 20 * 8;
                out.extend(std::iter::repeat_n(0.0, gap));
            }
            2 => {
                // Speech-like: a pitch-varying harmonic series with an
                // envelope.
                let len = rng.below(8000) + 2000;
                let f0 = rng.range(90.0, 260.0);
                let amp = rng.range(500.0, 9000.0);
                let mut phase = 0.0f32;
                for n in 0..len {
                    let t = n as f32 / 8000.0;
                    let pitch = f0 * (1.0 + 0.2 * (t * 3.0).sin());
                    phase += 2.0 * std::f32::consts::PI * pitch / 8000.0;
                    let env = 0.5 + 0.5 * (t * 2.0 * std::f32::consts::PI * 4.0).sin();
                    let mut v = 0.0;
                    for h in 1..14 {
                        v += (phase * h as f32).sin() / h as f32;
                    }
                    out.push(v * amp * env);
                }
            }
            _ => {
                let len = rng.below(4000);
                out.extend(std::iter::repeat_n(0.0, len));
            }
        }
    }
    out.truncate(total);
    let noise = rng.range(0.0, 800.0);
    out.iter()
        .map(|&v| {
            let n = (rng.next() as f32 / (1u64 << 31) as f32 - 0.5) * noise;
            (v + n).clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

fn scalar_events(cfg: DtmfConfig, samples: &[i16]) -> Vec<DtmfEvent> {
    let mut det = DtmfDetector::new(cfg);
    let mut ev = Vec::new();
    // Feed in odd chunk sizes: the scalar detector is chunking-invariant.
    for c in samples.chunks(13) {
        det.process(c, |e| ev.push(e));
    }
    ev
}

fn run_bank(
    bank: &mut DtmfBank,
    signals: &[Vec<i16>],
    ticks: std::ops::Range<usize>,
) -> Vec<Vec<DtmfEvent>> {
    let mut ev = vec![Vec::new(); bank.channels()];
    let mut frames = vec![[0i16; FRAME]; bank.channels()];
    for t in ticks {
        for (f, s) in frames.iter_mut().zip(signals) {
            f.copy_from_slice(&s[t * FRAME..(t + 1) * FRAME]);
        }
        let mut last = 0;
        bank.process(&frames, |ch, e| {
            assert!(ch >= last, "events not in channel order");
            last = ch;
            ev[ch].push(e);
        });
    }
    ev
}

#[test]
fn bank_matches_scalar_detectors_event_for_event() {
    // 37 channels: four full groups and a partial one.
    let channels = 37;
    let seconds = 20;
    let cfg = DtmfConfig::default();
    let signals: Vec<Vec<i16>> = (0..channels)
        .map(|ch| varied_signal(0x5eed + ch as u64 * 7919, seconds))
        .collect();
    let mut bank = DtmfBank::new(channels, cfg);
    let got = run_bank(&mut bank, &signals, 0..seconds * 1000);
    let mut starts = 0;
    for (ch, s) in signals.iter().enumerate() {
        let want = scalar_events(cfg, s);
        starts += want
            .iter()
            .filter(|e| matches!(e, DtmfEvent::DigitStart { .. }))
            .count();
        assert_eq!(got[ch], want, "channel {ch}");
    }
    // The signal must exercise the detector: many digits found (and, with
    // levels, twists and offsets out of range, many rejected).
    assert!(starts > 10 * channels, "only {starts} digits detected");
}

#[test]
fn config_is_honoured_like_the_scalar_detector() {
    let cfg = DtmfConfig {
        min_level_dbm0: -25.0,
        normal_twist_db: 4.0,
        freq_tolerance_pct: 1.8,
        ..DtmfConfig::default()
    };
    let channels = 9;
    let signals: Vec<Vec<i16>> = (0..channels)
        .map(|ch| varied_signal(99 + ch as u64, 10))
        .collect();
    let mut bank = DtmfBank::new(channels, cfg);
    let got = run_bank(&mut bank, &signals, 0..10_000);
    for (ch, s) in signals.iter().enumerate() {
        assert_eq!(got[ch], scalar_events(cfg, s), "channel {ch}");
    }
}

#[test]
fn disabled_channels_are_silent_and_reenabled_ones_start_fresh() {
    let channels = 20;
    let cfg = DtmfConfig::default();
    let signals: Vec<Vec<i16>> = (0..channels)
        .map(|ch| varied_signal(1234 + ch as u64, 12))
        .collect();
    let mut bank = DtmfBank::new(channels, cfg);
    // Group 1 (channels 8..16) entirely off, plus channel 3.
    for ch in (8..16).chain([3]) {
        bank.set_enabled(ch, false);
    }
    assert!(!bank.is_enabled(3) && bank.is_enabled(4));
    let first = run_bank(&mut bank, &signals, 0..5000);
    for ch in (8..16).chain([3]) {
        assert!(first[ch].is_empty(), "disabled channel {ch} reported");
    }
    // Re-enable mid-block: tick 5000 is sample 40000 = block 392 + 16.
    for ch in (8..16).chain([3]) {
        bank.set_enabled(ch, true);
    }
    let second = run_bank(&mut bank, &signals, 5000..12_000);
    let restart = 5000 * FRAME;
    let lead = restart % BLOCK_LEN;
    let mut checked = 0;
    for ch in (8..16).chain([3]) {
        // A fresh scalar detector fed silence from the block start.
        let mut s = vec![0i16; lead];
        s.extend_from_slice(&signals[ch][restart..]);
        let want: Vec<DtmfEvent> = scalar_events(cfg, &s)
            .into_iter()
            .map(|e| match e {
                DtmfEvent::DigitStart { digit, at_sample } => DtmfEvent::DigitStart {
                    digit,
                    at_sample: at_sample.saturating_sub(lead as u64),
                },
                e => e,
            })
            .collect();
        checked += want.len();
        assert_eq!(second[ch], want, "channel {ch}");
    }
    assert!(checked > 0);
    // Channels left on throughout are unaffected by the others.
    for ch in (0..3).chain(4..8).chain(16..20) {
        let mut all = first[ch].clone();
        all.extend_from_slice(&second[ch]);
        assert_eq!(all, scalar_events(cfg, &signals[ch]), "channel {ch}");
    }
}

#[test]
fn bad_input_does_not_panic() {
    let mut bank = DtmfBank::new(10, DtmfConfig::default());
    bank.set_enabled(99, false);
    bank.reset(99);
    assert_eq!(bank.current_digit(99), None);
    // Too few and too many frames.
    bank.process(&[[i16::MAX; FRAME]; 3], |_, _| {});
    bank.process(&[[i16::MIN; FRAME]; 30], |_, _| {});
    let mut empty = DtmfBank::new(0, DtmfConfig::default());
    empty.process(&[], |_, _| panic!("no channels"));
    assert_eq!(empty.channels(), 0);
}

#[test]
fn group_transpose_matches_the_plain_loop() {
    let mut rng = Rng(42);
    for _ in 0..200 {
        let mut frames = [[0i16; FRAME]; LANES];
        for f in frames.iter_mut() {
            for x in f.iter_mut() {
                *x = rng.next() as i16;
            }
        }
        frames[0][0] = i16::MIN;
        frames[7][7] = i16::MAX;
        let got = transpose_group(&frames);
        for (n, col) in got.iter().enumerate() {
            for (l, &y) in col.iter().enumerate() {
                assert_eq!(y, frames[l][n] as f32, "sample {n} lane {l}");
            }
        }
    }
}
