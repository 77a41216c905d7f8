//! ITU-T Q.24 conformance tests for the DTMF receiver, with sox as the
//! independent signal generator, plus Q.23 generator checks (ours decoded by
//! our detector and by multimon-ng).
//!
//! sox and multimon-ng are required: these tests fail (never skip) when
//! either is missing.

mod common;

use std::process::Command;

use common::tools::{run, sine_volts, sox};

use trunkd::media::dtmf::{
    digit_frequencies, DtmfConfig, DtmfDetector, DtmfEvent, DtmfGenConfig, DtmfGenerator,
    ALL_DIGITS, DBM0_PEAK,
};

const RATE: usize = 8000;

fn s(x: impl ToString) -> String {
    x.to_string()
}

/// Head of a sox command synthesising `channels` channels, writing raw
/// signed 16-bit mono 8 kHz to stdout; repeatable noise (-R), no dither.
fn sox_head(channels: usize) -> Vec<String> {
    [
        "-R",
        "-D",
        "-r",
        "8000",
        "-c",
        &channels.to_string(),
        "-n",
        "-r",
        "8000",
        "-c",
        "1",
        "-b",
        "16",
        "-e",
        "signed",
        "-t",
        "raw",
        "-",
        "synth",
        "-n",
    ]
    .iter()
    .map(s)
    .collect()
}

/// A two-tone signal made by sox: frequencies in Hz, levels in dBm0.
fn sox_pair(f_lo: f64, f_hi: f64, l_lo: f64, l_hi: f64, dur_ms: u32) -> Vec<i16> {
    let mut a = sox_head(2);
    a.extend([
        format!("{:.3}", dur_ms as f64 / 1000.0),
        s("sine"),
        format!("{f_lo:.3}"),
        s("sine"),
        format!("{f_hi:.3}"),
        s("remix"),
        s("-m"),
        format!("1v{:.6},2v{:.6}", sine_volts(l_lo), sine_volts(l_hi)),
    ]);
    let v = sox(&a);
    assert_eq!(v.len(), dur_ms as usize * RATE / 1000, "sox length");
    v
}

/// White noise from sox at an RMS level in dBm0 (0 dBm0 RMS = peak/sqrt 2).
fn sox_noise(dbm0: f64, samples: usize) -> Vec<i16> {
    // sox's white noise is uniform over full scale: RMS = 1/sqrt(3).
    let rms = DBM0_PEAK as f64 / 2f64.sqrt() * 10f64.powf(dbm0 / 20.0);
    let volts = rms / (32768.0 / 3f64.sqrt());
    let mut a = sox_head(1);
    a.extend([
        format!("{:.4}", samples as f64 / RATE as f64),
        s("whitenoise"),
        s("vol"),
        format!("{volts:.6}"),
    ]);
    let mut v = sox(&a);
    v.resize(samples, 0);
    v
}

/// Tone parameters for one test condition.
#[derive(Clone, Copy, Debug)]
struct Cond {
    lo_dbm0: f64,
    hi_dbm0: f64,
    lo_dev_pct: f64,
    hi_dev_pct: f64,
    on_ms: u32,
}

impl Cond {
    fn new(on_ms: u32) -> Self {
        Self {
            lo_dbm0: -10.0,
            hi_dbm0: -10.0,
            lo_dev_pct: 0.0,
            hi_dev_pct: 0.0,
            on_ms,
        }
    }
    fn levels(self, lo: f64, hi: f64) -> Self {
        Self {
            lo_dbm0: lo,
            hi_dbm0: hi,
            ..self
        }
    }
    fn dev(self, lo: f64, hi: f64) -> Self {
        Self {
            lo_dev_pct: lo,
            hi_dev_pct: hi,
            ..self
        }
    }
    fn tone(&self, digit: char) -> Vec<i16> {
        let (lo, hi) = digit_frequencies(digit).unwrap();
        sox_pair(
            lo as f64 * (1.0 + self.lo_dev_pct / 100.0),
            hi as f64 * (1.0 + self.hi_dev_pct / 100.0),
            self.lo_dbm0,
            self.hi_dbm0,
            self.on_ms,
        )
    }
}

/// `lead` samples of silence, then each tone followed by `gap_ms` silence.
fn sequence(tones: &[Vec<i16>], lead: usize, gap_ms: u32) -> Vec<i16> {
    let mut v = vec![0i16; lead];
    for t in tones {
        v.extend_from_slice(t);
        v.extend(std::iter::repeat_n(0, gap_ms as usize * RATE / 1000));
    }
    v.extend(std::iter::repeat_n(0, RATE / 10));
    v
}

fn mix(a: &mut [i16], b: &[i16]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x = (*x as i32 + *y as i32).clamp(-32768, 32767) as i16;
    }
}

/// Runs the detector in chunks of `chunk` samples; returns the started
/// digits, checking that every start has exactly one matching end.
fn detect_with(cfg: DtmfConfig, samples: &[i16], chunk: usize) -> (String, Vec<DtmfEvent>) {
    let mut det = DtmfDetector::new(cfg);
    let mut events = Vec::new();
    for c in samples.chunks(chunk) {
        det.process(c, |e| events.push(e));
    }
    let mut digits = String::new();
    let mut open: Option<char> = None;
    for e in &events {
        match *e {
            DtmfEvent::DigitStart { digit, .. } => {
                assert_eq!(open, None, "start while digit open: {events:?}");
                open = Some(digit);
                digits.push(digit);
            }
            DtmfEvent::DigitEnd { digit, .. } => {
                assert_eq!(open, Some(digit), "unmatched end: {events:?}");
                open = None;
            }
        }
    }
    assert_eq!(open, None, "digit never ended: {events:?}");
    (digits, events)
}

fn detect(samples: &[i16]) -> String {
    detect_with(DtmfConfig::default(), samples, 8).0
}

fn tones(cond: Cond) -> Vec<Vec<i16>> {
    ALL_DIGITS.chars().map(|d| cond.tone(d)).collect()
}

/// All 16 digits under `cond` must be detected, once each, in order, for
/// several block alignments.
fn assert_accepts(cond: Cond, gap_ms: u32) {
    let t = tones(cond);
    for lead in [0, 17, 51, 80, 101] {
        let got = detect(&sequence(&t, lead, gap_ms));
        assert_eq!(got, ALL_DIGITS, "{cond:?} lead {lead}: must accept");
    }
}

/// None of the 16 digits under `cond` may be detected.
fn assert_rejects(cond: Cond) {
    let t = tones(cond);
    for lead in [0, 17, 51, 80, 101] {
        let got = detect(&sequence(&t, lead, 60));
        assert_eq!(got, "", "{cond:?} lead {lead}: must reject");
    }
}

#[test]
fn tools_present() {
    run(
        "sox",
        &[s("--version")],
        "sox is required for these tests: apt-get install sox",
    );
    let out = Command::new("multimon-ng")
        .arg("-h")
        .output()
        .unwrap_or_else(|e| panic!("multimon-ng is required ({e}): apt-get install multimon-ng"));
    drop(out);
}

#[test]
fn level_range() {
    for lvl in [-3.0, -10.0, -20.0, -25.0, -30.0] {
        assert_accepts(Cond::new(50).levels(lvl, lvl), 60);
    }
    for lvl in [-36.0, -40.0, -50.0] {
        assert_rejects(Cond::new(50).levels(lvl, lvl));
    }
}

#[test]
fn twist() {
    // Twist = high-group level minus low-group level.
    // Normal twist (high group weaker) up to 8 dB must be accepted.
    assert_accepts(Cond::new(50).levels(-6.0, -14.0), 60);
    assert_accepts(Cond::new(50).levels(-20.0, -28.0), 60);
    // Reverse twist (high group stronger) up to 4 dB must be accepted.
    assert_accepts(Cond::new(50).levels(-14.0, -10.0), 60);
    assert_accepts(Cond::new(50).levels(-28.0, -24.0), 60);
    // Well beyond the limits (they carry a 2.5 dB measurement margin):
    // rejected.
    assert_rejects(Cond::new(50).levels(-6.0, -20.0));
    assert_rejects(Cond::new(50).levels(-6.0, -24.0));
    assert_rejects(Cond::new(50).levels(-20.0, -10.0));
    assert_rejects(Cond::new(50).levels(-24.0, -10.0));
}

#[test]
fn frequency_tolerance() {
    for (lo, hi) in [
        (1.0, 1.0),
        (-1.0, -1.0),
        (1.5, 1.5),
        (-1.5, -1.5),
        (1.5, -1.5),
        (-1.5, 1.5),
    ] {
        assert_accepts(Cond::new(50).dev(lo, hi), 60);
    }
    for (lo, hi) in [
        (3.5, 0.0),
        (-3.5, 0.0),
        (0.0, 3.5),
        (0.0, -3.5),
        (3.5, 3.5),
        (-3.5, -3.5),
        (5.0, 5.0),
        (-5.0, -5.0),
        (5.0, -5.0),
    ] {
        assert_rejects(Cond::new(50).dev(lo, hi));
    }
}

#[test]
fn duration() {
    assert_accepts(Cond::new(40), 60);
    assert_accepts(Cond::new(50), 60);
    assert_accepts(Cond::new(40).levels(-25.0, -25.0).dev(1.5, -1.5), 60);
    assert_rejects(Cond::new(20));
    assert_rejects(Cond::new(22));
    assert_rejects(Cond::new(22).levels(-3.0, -3.0));
}

#[test]
fn pause_separates_digits_and_long_tones_report_once() {
    // 40 ms pauses between 40 ms tones.
    assert_accepts(Cond::new(40), 40);
    // The same digit repeated with 40 ms pauses is reported each time.
    for d in ALL_DIGITS.chars() {
        let t = Cond::new(45).tone(d);
        let seq = sequence(&[t.clone(), t.clone(), t.clone(), t], 33, 40);
        assert_eq!(detect(&seq), d.to_string().repeat(4), "digit {d}");
    }
    // A 2 s tone is one digit, with its duration reported.
    for d in ALL_DIGITS.chars() {
        let seq = sequence(&[Cond::new(2000).tone(d)], 0, 0);
        let (digits, ev) = detect_with(DtmfConfig::default(), &seq, 8);
        assert_eq!(digits, d.to_string(), "long {d}");
        match ev[1] {
            DtmfEvent::DigitEnd { duration_ms, .. } => {
                assert!((1990..=2030).contains(&duration_ms), "{duration_ms}")
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn short_dropout_does_not_split_a_digit() {
    // Q.24: an interruption of up to 10 ms is not a pause.
    for d in ALL_DIGITS.chars() {
        for cut_at in [150, 200, 233, 270] {
            let mut t = Cond::new(300).tone(d);
            t[cut_at * 8..cut_at * 8 + 80].fill(0);
            assert_eq!(detect(&sequence(&[t], 11, 0)), d.to_string(), "{d}");
        }
    }
}

/// Signal power in dBm0 of two tones.
fn pair_power(lo: f64, hi: f64) -> f64 {
    10.0 * (10f64.powf(lo / 10.0) + 10f64.powf(hi / 10.0)).log10()
}

#[test]
fn white_noise() {
    for (lvl, snr, on_ms) in [
        (-10.0, 15.0, 50),
        (-20.0, 15.0, 50),
        (-10.0, 15.0, 40),
        (-25.0, 10.0, 40),
    ] {
        let cond = Cond::new(on_ms).levels(lvl, lvl);
        let t = tones(cond);
        for lead in [0, 40, 90] {
            let mut seq = sequence(&t, lead, 60);
            let noise = sox_noise(pair_power(lvl, lvl) - snr, seq.len());
            mix(&mut seq, &noise);
            assert_eq!(
                detect(&seq),
                ALL_DIGITS,
                "{cond:?} SNR {snr} dB lead {lead}"
            );
        }
    }
    // Twisted and off-frequency tones in noise.
    let cond = Cond::new(50).levels(-10.0, -16.0).dev(1.5, -1.5);
    let mut seq = sequence(&tones(cond), 0, 60);
    let noise = sox_noise(pair_power(-10.0, -16.0) - 15.0, seq.len());
    mix(&mut seq, &noise);
    assert_eq!(detect(&seq), ALL_DIGITS, "{cond:?}");
}

#[test]
fn talk_off() {
    // Noise and harmonic-rich "speech-like" signals: nothing is detected.
    let signals = [
        vec![s("20"), s("whitenoise"), s("vol"), s("0.3")],
        vec![s("20"), s("pinknoise"), s("vol"), s("0.5")],
        vec![s("20"), s("brownnoise"), s("vol"), s("0.8")],
        vec![s("20"), s("sawtooth"), s("80:400"), s("vol"), s("0.3")],
        vec![s("20"), s("square"), s("100:300"), s("vol"), s("0.3")],
        vec![s("20"), s("triangle"), s("120:350"), s("vol"), s("0.5")],
        vec![
            s("20"),
            s("sawtooth"),
            s("110:180"),
            s("sine"),
            s("mix"),
            s("300:3000"),
            s("vol"),
            s("0.3"),
        ],
    ];
    for sig in signals {
        let mut a = sox_head(1);
        a.extend(sig.iter().cloned());
        let v = sox(&a);
        assert_eq!(detect(&v), "", "talk-off on {sig:?}");
    }
}

#[test]
fn short_tones_rejected_in_noise() {
    let cond = Cond::new(22);
    for lead in [0, 40, 90] {
        let mut seq = sequence(&tones(cond), lead, 60);
        let noise = sox_noise(pair_power(-10.0, -10.0) - 10.0, seq.len());
        mix(&mut seq, &noise);
        assert_eq!(detect(&seq), "", "22 ms in noise, lead {lead}");
    }
}

#[test]
fn chunk_size_does_not_matter() {
    let seq = sequence(&tones(Cond::new(45)), 7, 45);
    let (_, reference) = detect_with(DtmfConfig::default(), &seq, 8);
    assert_eq!(reference.len(), 32);
    for chunk in [1, 3, 51, 102, 160, 1000, seq.len()] {
        let (_, ev) = detect_with(DtmfConfig::default(), &seq, chunk);
        assert_eq!(ev, reference, "chunk {chunk}");
    }
    // Irregular chunk sizes.
    let mut det = DtmfDetector::default();
    let mut ev = Vec::new();
    let (mut pos, mut size) = (0usize, 1usize);
    while pos < seq.len() {
        let end = (pos + size).min(seq.len());
        det.process(&seq[pos..end], |e| ev.push(e));
        pos = end;
        size = size * 7 % 97 + 1;
    }
    assert_eq!(ev, reference, "irregular chunks");
}

fn generate(cfg: DtmfGenConfig, digits: &str) -> Vec<i16> {
    let mut g = DtmfGenerator::new(cfg);
    g.push_digits(digits).unwrap();
    let n = g.remaining_samples();
    let mut out = vec![0i16; n + RATE / 10];
    assert_eq!(g.generate(&mut out), n);
    assert!(g.is_idle());
    out
}

#[test]
fn generator_feeds_detector() {
    let out = generate(DtmfGenConfig::default(), ALL_DIGITS);
    assert_eq!(out.len(), 16 * 1600 + 800);
    assert_eq!(detect(&out), ALL_DIGITS);
    // Minimum Q.24 timing: 40 ms tone, 40 ms pause.
    let cfg = DtmfGenConfig {
        on_ms: 40,
        off_ms: 40,
        ..Default::default()
    };
    assert_eq!(detect(&generate(cfg, ALL_DIGITS)), ALL_DIGITS);
    assert!(DtmfGenerator::default().push_digits("12x").is_err());
}

#[test]
fn generator_levels_and_frequencies() {
    // One digit: its power must be the sum of -7 and -5 dBm0.
    let out = generate(DtmfGenConfig::default(), "5");
    let tone = &out[..800];
    let p: f64 = tone.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / tone.len() as f64;
    let dbm0 = 10.0 * (p / (DBM0_PEAK as f64 * DBM0_PEAK as f64 / 2.0)).log10();
    assert!((dbm0 - pair_power(-7.0, -5.0)).abs() < 0.05, "{dbm0}");
    assert!(out[800..].iter().all(|&x| x == 0));
    // Exact frequencies and levels: matches the ideal waveform to within
    // rounding, sample by sample, over the whole tone.
    let (a_lo, a_hi) = (
        DBM0_PEAK as f64 * 10f64.powf(-7.0 / 20.0),
        DBM0_PEAK as f64 * 10f64.powf(-5.0 / 20.0),
    );
    for (n, &x) in tone.iter().enumerate() {
        let w = 2.0 * std::f64::consts::PI * n as f64 / 8000.0;
        let ideal = a_lo * (770.0 * w).sin() + a_hi * (1336.0 * w).sin();
        assert!(
            (x as f64 - ideal).abs() <= 0.51,
            "sample {n}: {x} vs {ideal}"
        );
    }
}

#[test]
fn multimon_ng_decodes_generator_output() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let raw8k = dir.join(format!("dtmf_gen_{}.s16", std::process::id()));
    let raw22k = dir.join(format!("dtmf_gen_{}_22050.s16", std::process::id()));
    let out = generate(DtmfGenConfig::default(), ALL_DIGITS);
    let bytes: Vec<u8> = out.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(&raw8k, bytes).unwrap();
    // multimon-ng reads raw input as signed 16-bit mono at 22050 Hz.
    let args: Vec<String> = [
        "-D", "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1",
    ]
    .iter()
    .map(s)
    .chain([raw8k.display().to_string()])
    .chain(
        [
            "-t", "raw", "-r", "22050", "-e", "signed", "-b", "16", "-c", "1",
        ]
        .iter()
        .map(s),
    )
    .chain([raw22k.display().to_string()])
    .collect();
    run("sox", &args, "sox is required: apt-get install sox");
    let text = run(
        "multimon-ng",
        &[
            s("-q"),
            s("-t"),
            s("raw"),
            s("-a"),
            s("DTMF"),
            raw22k.display().to_string(),
        ],
        "multimon-ng is required for this test: apt-get install multimon-ng",
    );
    let _ = std::fs::remove_file(&raw8k);
    let _ = std::fs::remove_file(&raw22k);
    let text = String::from_utf8_lossy(&text);
    let decoded: String = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("DTMF: "))
        .filter_map(|d| d.trim().chars().next())
        .collect();
    assert_eq!(decoded, ALL_DIGITS, "multimon-ng output:\n{text}");
}
