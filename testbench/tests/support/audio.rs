//! Audio analysis for the traffic tests: G.711 decoding, Goertzel DTMF
//! detection, levels. The DTMF detector is the test's own; G.711 is decoded
//! by inverting the crate's public encoders (their code tables are checked
//! against the standard's segment tables by the crate's unit tests), so a
//! generator sending the wrong law or wrong samples still fails here.

use std::sync::OnceLock;

use trunk_testbench::sim::traffic::{alaw_encode, ulaw_encode};

/// Linear value of every code of `encode`: the middle of the 16-bit
/// samples it maps to that code.
fn decoder(encode: fn(i16) -> u8) -> [f64; 256] {
    let (mut lo, mut hi) = ([i32::MAX; 256], [i32::MIN; 256]);
    for x in i16::MIN..=i16::MAX {
        let c = usize::from(encode(x));
        lo[c] = lo[c].min(i32::from(x));
        hi[c] = hi[c].max(i32::from(x));
    }
    std::array::from_fn(|c| {
        if lo[c] > hi[c] {
            0.0 // a code the encoder never sends
        } else {
            f64::from(lo[c] + hi[c]) / 2.0
        }
    })
}

/// G.711 A-law to linear (16-bit scale).
pub fn alaw(c: u8) -> f64 {
    static TABLE: OnceLock<[f64; 256]> = OnceLock::new();
    TABLE.get_or_init(|| decoder(alaw_encode))[usize::from(c)]
}

/// G.711 mu-law to linear (16-bit scale).
pub fn ulaw(c: u8) -> f64 {
    static TABLE: OnceLock<[f64; 256]> = OnceLock::new();
    TABLE.get_or_init(|| decoder(ulaw_encode))[usize::from(c)]
}

const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
const COLS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];
/// Goertzel block: 205 samples, bins about 39 Hz apart.
const BLOCK: usize = 205;

/// Amplitude of frequency `f` in `x` (Goertzel).
fn goertzel(x: &[f64], f: f64) -> f64 {
    let w = std::f64::consts::TAU * f / 8000.0;
    let k = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        let s = v + k * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - k * s1 * s2;
    2.0 * power.max(0.0).sqrt() / x.len() as f64
}

/// The strongest of `freqs` and whether it stands 8 times above the rest.
fn strongest(x: &[f64], freqs: &[f64; 4]) -> Option<usize> {
    let a: Vec<f64> = freqs.iter().map(|&f| goertzel(x, f)).collect();
    let (best, &top) = a.iter().enumerate().max_by(|p, q| p.1.total_cmp(q.1))?;
    let second = a
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != best)
        .map(|(_, v)| *v)
        .fold(0.0, f64::max);
    (top > 1000.0 && top > 8.0 * second).then_some(best)
}

/// DTMF digits in linear samples, with the RMS of each digit's tone.
pub fn detect(x: &[f64]) -> Vec<(char, f64)> {
    let mut out: Vec<(char, f64)> = Vec::new();
    let mut last = None;
    for b in x.chunks_exact(BLOCK) {
        let d = match (strongest(b, &ROWS), strongest(b, &COLS)) {
            (Some(r), Some(c)) => Some(KEYS[r][c]),
            _ => None,
        };
        if let Some(d) = d {
            if last != Some(d) {
                let rms = (b.iter().map(|v| v * v).sum::<f64>() / b.len() as f64).sqrt();
                out.push((d, rms));
            }
        }
        last = d;
    }
    out
}

/// RMS of a -10 dBm0 + -10 dBm0 dual tone: each tone's peak is 10 dB
/// under the 0 dBm0 sine's, which is 3.14 dB (A-law) / 3.17 dB (mu-law)
/// under the law's overload point.
#[expect(clippy::approx_constant, reason = "G.711's 3.14 dBm0, not pi")]
fn dual_tone_rms(mu: bool) -> f64 {
    // Full-scale sine levels of G.711, dBm0.
    let (full_scale, overload_dbm0) = if mu {
        (32_636.0, 3.17)
    } else {
        (32_768.0, 3.14)
    };
    let zero_dbm0_peak = full_scale * 10f64.powf(-overload_dbm0 / 20.0);
    // Two sines of peak A: RMS A.
    zero_dbm0_peak * 10f64.powf(-10.0 / 20.0)
}

pub fn assert_level(rms: f64, mu: bool) {
    let db = 20.0 * (rms / dual_tone_rms(mu)).log10();
    assert!(
        db.abs() < 1.0,
        "DTMF level off by {db:.2} dB (rms {rms:.0})"
    );
}
