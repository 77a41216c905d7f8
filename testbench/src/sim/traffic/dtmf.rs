//! DTMF as a caller's telephone sends it: Q.23 dual tones, one low-group
//! (row) and one high-group (column) frequency, each at -10 dBm0, coded
//! G.711 on the call's B-channel timeslot.

use std::f64::consts::TAU;

use super::g711::{alaw_encode, ulaw_encode};

/// Samples per second on a timeslot.
pub const SAMPLE_RATE: f64 = 8000.0;
/// Level of each of the two tones, dBm0.
pub const TONE_DBM0: f64 = -10.0;
/// Low-group (row) frequencies, Hz.
pub const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// High-group (column) frequencies, Hz.
pub const COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
/// The keypad, by row and column.
const KEYPAD: [[u8; 4]; 4] = [
    [b'1', b'2', b'3', b'A'],
    [b'4', b'5', b'6', b'B'],
    [b'7', b'8', b'9', b'C'],
    [b'*', b'0', b'#', b'D'],
];

/// The (row, column) frequencies of a digit (`0-9 * # A-D`).
pub fn frequencies(digit: u8) -> Option<(f64, f64)> {
    let d = digit.to_ascii_uppercase();
    KEYPAD.iter().enumerate().find_map(|(r, row)| {
        row.iter()
            .position(|&k| k == d)
            .map(|c| (ROWS[r], COLUMNS[c]))
    })
}

/// Level of a full-scale A-law sine, dBm0 (G.711).
#[expect(clippy::approx_constant, reason = "G.711's 3.14 dBm0, not pi")]
const ALAW_OVERLOAD_DBM0: f64 = 3.14;
/// Level of a full-scale mu-law sine, dBm0 (G.711).
const ULAW_OVERLOAD_DBM0: f64 = 3.17;

/// G.711 law of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// A-law (E1).
    ALaw,
    /// Mu-law (T1).
    MuLaw,
}

impl Law {
    /// The law of an E1 (`false`) or T1 (`true`) line.
    pub fn for_line(t1: bool) -> Law {
        if t1 {
            Law::MuLaw
        } else {
            Law::ALaw
        }
    }

    /// Peak of a 0 dBm0 sine on the 16-bit linear scale: the law's
    /// overload point (A-law 4096 of 13 bits, mu-law 8159 of 14 bits)
    /// 3.14 dB (A-law) or 3.17 dB (mu-law) above the 0 dBm0 sine's peak
    /// (G.711 clause 3 and 5 / the "digital milliwatt").
    pub fn dbm0_peak(self) -> f64 {
        match self {
            Law::ALaw => 32_768.0 * 10f64.powf(-ALAW_OVERLOAD_DBM0 / 20.0),
            Law::MuLaw => 32_636.0 * 10f64.powf(-ULAW_OVERLOAD_DBM0 / 20.0),
        }
    }

    /// Code a 16-bit linear sample.
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Law::ALaw => alaw_encode(sample),
            Law::MuLaw => ulaw_encode(sample),
        }
    }
}

/// Sample `n` (from the tone's start) of the dual tone of `digit`, coded
/// in `law`; `None` for a character that is not a DTMF digit.
pub fn dtmf_sample(law: Law, digit: u8, n: u64) -> Option<u8> {
    let (lo, hi) = frequencies(digit)?;
    let amp = law.dbm0_peak() * 10f64.powf(TONE_DBM0 / 20.0);
    let t = n as f64 / SAMPLE_RATE;
    let x = amp * ((TAU * lo * t).sin() + (TAU * hi * t).sin());
    Some(law.encode(x.round().clamp(-32_768.0, 32_767.0) as i16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keypad_frequencies() {
        assert_eq!(frequencies(b'1'), Some((697.0, 1209.0)));
        assert_eq!(frequencies(b'0'), Some((941.0, 1336.0)));
        assert_eq!(frequencies(b'#'), Some((941.0, 1477.0)));
        assert_eq!(frequencies(b'd'), Some((941.0, 1633.0)));
        assert_eq!(frequencies(b'x'), None);
    }

    #[test]
    fn tone_starts_at_zero_and_is_not_idle() {
        // Both sines start at 0: the first sample is silence.
        assert_eq!(dtmf_sample(Law::ALaw, b'5', 0), Some(0xD5));
        assert_eq!(dtmf_sample(Law::MuLaw, b'5', 0), Some(0xFF));
        let busy = (1..80)
            .filter(|&n| dtmf_sample(Law::ALaw, b'5', n) != Some(0xD5))
            .count();
        assert!(busy > 70, "{busy} of 79 samples carry tone");
        assert_eq!(dtmf_sample(Law::ALaw, b'x', 1), None);
    }
}
