//! G.711 encoding of 16-bit linear samples: A-law (E1) and mu-law (T1).
//!
//! A-law: the 13-bit magnitude falls in one of eight segments (0-31 is
//! segment 0, then each segment doubles); the code is sign, segment and
//! four mantissa bits, with the even bits inverted. Mu-law: the 14-bit
//! magnitude plus a bias of 33 is coded as sign, exponent (its highest
//! set bit) and the four bits below it, all bits inverted.

/// Largest 16-bit magnitude the mu-law coder takes (8159 in 14 bits,
/// plus its bias, fits the 16-bit range).
const ULAW_CLIP: i32 = 32_635;
/// Mu-law bias on the 16-bit scale (33 in 14 bits).
const ULAW_BIAS: i32 = 0x84;

/// A-law code of a 16-bit linear sample.
pub fn alaw_encode(sample: i16) -> u8 {
    let x = i32::from(sample);
    let sign = if x >= 0 { 0x80 } else { 0x00 };
    let m = (x.unsigned_abs() >> 3).min(4095);
    let code = if m < 32 {
        (m >> 1) as u8
    } else {
        // Segment s (1..=7) holds 16 << s ..= (32 << s) - 1.
        let seg = 31 - m.leading_zeros() - 4;
        ((seg << 4) | ((m >> seg) & 0x0F)) as u8
    };
    (sign | code) ^ 0x55
}

/// Mu-law code of a 16-bit linear sample.
pub fn ulaw_encode(sample: i16) -> u8 {
    let x = i32::from(sample);
    let sign = if x < 0 { 0x80 } else { 0x00 };
    let m = x.abs().min(ULAW_CLIP) + ULAW_BIAS;
    // m is 132..=32767: its highest set bit is 7..=14.
    let exp = (31 - (m as u32).leading_zeros()) - 7;
    let mant = ((m >> (exp + 3)) & 0x0F) as u32;
    !(sign | (exp << 4) as u8 | mant as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference decoders written from the G.711 tables (segment end
    /// points), independent of the encoders above.
    fn alaw_decode(c: u8) -> i32 {
        let v = c ^ 0x55;
        let seg = i32::from((v >> 4) & 7);
        let mant = i32::from(v & 0x0F);
        let m = if seg == 0 {
            2 * mant + 1
        } else {
            (2 * mant + 33) << (seg - 1)
        };
        if v & 0x80 != 0 {
            m * 8
        } else {
            -m * 8
        }
    }

    fn ulaw_decode(c: u8) -> i32 {
        let v = !c;
        let exp = i32::from((v >> 4) & 7);
        let mant = i32::from(v & 0x0F);
        let m = (((2 * mant + 33) << exp) - 33) * 4;
        if v & 0x80 != 0 {
            -m
        } else {
            m
        }
    }

    #[test]
    fn silence_and_full_scale_codes() {
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
    }

    #[test]
    fn round_trip_error_is_within_half_a_step() {
        for x in (-32_000i32..=32_000).step_by(7) {
            let s = x as i16;
            let a = alaw_decode(alaw_encode(s));
            let u = ulaw_decode(ulaw_encode(s));
            // Step sizes grow with the segment: at most 1/16 of the value
            // plus the smallest step.
            let tol = x.abs() / 16 + 32;
            assert!((a - x).abs() <= tol, "A-law {x} -> {a}");
            assert!((u - x).abs() <= tol, "mu-law {x} -> {u}");
            assert!(a.signum() * x.signum() >= 0, "A-law sign of {x}");
        }
    }

    #[test]
    fn codes_are_monotonic() {
        let mut last_a = i32::MIN;
        let mut last_u = i32::MIN;
        for x in i16::MIN..=i16::MAX {
            let a = alaw_decode(alaw_encode(x));
            let u = ulaw_decode(ulaw_encode(x));
            assert!(a >= last_a, "A-law not monotonic at {x}");
            assert!(u >= last_u, "mu-law not monotonic at {x}");
            last_a = a;
            last_u = u;
        }
    }
}
