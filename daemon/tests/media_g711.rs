//! G.711 codec checks, with sox as the external oracle.
//!
//! sox is required: these tests fail (they never skip) when it is missing.
//!
//! Findings about sox (SoX v14.4.2) as an oracle:
//!
//! * Decoding: sox is bit-identical to G.711 for all 256 codes of both laws.
//! * Encoding: sox is *not* bit-identical to the ITU-T G.191 reference
//!   encoder at G.711 decision values. Before quantising, sox rounds the
//!   16-bit sample to the codec's resolution (round half up to 13 bits for
//!   A-law, 14 bits for mu-law) where G.191 truncates, and its mu-law
//!   quantiser takes the magnitude of a negative 14-bit value as `-p` where
//!   G.191 uses the one's complement `!p`. Both move the decision values by a
//!   fraction of one 13/14-bit step: 1020 of the 65536 inputs differ for A-law
//!   (4 per decision value) and 510 for mu-law. Our encoder follows G.191.
//!   `encode_*_matches_sox_model` therefore checks that sox equals *our*
//!   quantiser applied after sox's documented pre-rounding, for every input,
//!   and that the raw differences are exactly those, each one code apart.

mod common;

use std::path::{Path, PathBuf};

use trunkd::media::g711::{self, Law};

/// A scratch directory unique to this test process and test.
fn scratch(name: &str) -> PathBuf {
    common::tempdir(&format!("g711-{name}"))
}

/// Runs sox with `args` in `dir`; panics (test failure) if sox is missing or fails.
fn sox(dir: &Path, args: &[&str]) {
    common::tools::run_in(
        Some(dir),
        "sox",
        args,
        "sox is required as the G.711 oracle: apt-get install sox",
    );
}

fn law_type(law: Law) -> &'static str {
    match law {
        Law::ALaw => "al",
        Law::MuLaw => "ul",
    }
}

/// Decodes all 256 codes with sox.
fn sox_decode_all(law: Law) -> Vec<i16> {
    let dir = scratch(&format!("dec-{}", law_type(law)));
    let codes: Vec<u8> = (0..=255u8).collect();
    let input = format!("codes.{}", law_type(law));
    std::fs::write(dir.join(&input), &codes).unwrap();
    #[rustfmt::skip]
    sox(&dir, &["-t", law_type(law), "-r", "8000", "-c", "1", &input,
                "-t", "s16", "-r", "8000", "-c", "1", "out.raw"]);
    let raw = std::fs::read(dir.join("out.raw")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(raw.len(), 512, "sox produced {} bytes", raw.len());
    raw.chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Encodes all 65536 linear values (from -32768 upwards) with sox, no dither.
fn sox_encode_all(law: Law) -> Vec<u8> {
    let dir = scratch(&format!("enc-{}", law_type(law)));
    let lin: Vec<u8> = (i16::MIN..=i16::MAX).flat_map(i16::to_le_bytes).collect();
    std::fs::write(dir.join("lin.raw"), &lin).unwrap();
    let output = format!("out.{}", law_type(law));
    #[rustfmt::skip]
    sox(&dir, &["-D", "-t", "s16", "-r", "8000", "-c", "1", "lin.raw",
                "-t", law_type(law), &output]);
    let out = std::fs::read(dir.join(&output)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.len(), 65536, "sox produced {} codes", out.len());
    out
}

#[test]
fn decode_all_codes_matches_sox() {
    for law in [Law::ALaw, Law::MuLaw] {
        let sox = sox_decode_all(law);
        let mut ours = [0i16; 256];
        let codes: Vec<u8> = (0..=255u8).collect();
        law.decode(&codes, &mut ours);
        for c in 0..256 {
            assert_eq!(ours[c], sox[c], "{law:?} code {c:#04x}");
            assert_eq!(law.decode_sample(c as u8), sox[c], "{law:?} code {c:#04x}");
        }
    }
}

#[test]
fn decode_known_values() {
    assert_eq!(g711::alaw_to_linear(0xD5), 8);
    assert_eq!(g711::alaw_to_linear(0x55), -8);
    assert_eq!(g711::alaw_to_linear(0xAA), 32256);
    assert_eq!(g711::alaw_to_linear(0x2A), -32256);
    assert_eq!(g711::ulaw_to_linear(0xFF), 0);
    assert_eq!(g711::ulaw_to_linear(0x7F), 0);
    assert_eq!(g711::ulaw_to_linear(0x80), 32124);
    assert_eq!(g711::ulaw_to_linear(0x00), -32124);
    for c in 0..=255u8 {
        assert_eq!(g711::alaw_to_linear(c) % 8, 0, "A-law {c:#04x}");
    }
    assert_eq!(Law::ALaw.silence(), 0xD5);
    assert_eq!(Law::MuLaw.silence(), 0xFF);
    assert_eq!(Law::ALaw.encode_sample(0), 0xD5);
    assert_eq!(Law::MuLaw.encode_sample(0), 0xFF);
}

/// Models sox 14.4.2's encoder using our G.711 quantiser after sox's own
/// pre-rounding (see the module docs).
fn sox_model(law: Law, x: i16) -> u8 {
    match law {
        Law::ALaw => {
            // Round half up to 13 bits, clip, then the G.711 quantiser.
            let p = ((i32::from(x) + 4) >> 3).clamp(-4096, 4095);
            g711::linear_to_alaw((p << 3) as i16)
        }
        Law::MuLaw => {
            // Round half up to 14 bits, clip; negative magnitude is `-p`, which
            // is G.191's one's complement magnitude of the sample `4p - 1`.
            let p = ((i32::from(x) + 2) >> 2).clamp(-8192, 8191);
            if p >= 0 {
                g711::linear_to_ulaw((p << 2) as i16)
            } else {
                g711::linear_to_ulaw(((p << 2) - 1).max(-32768) as i16)
            }
        }
    }
}

fn check_encode_against_sox(law: Law, expected_raw_differences: usize) {
    let sox = sox_encode_all(law);
    let input: Vec<i16> = (i16::MIN..=i16::MAX).collect();
    let mut ours = vec![0u8; input.len()];
    law.encode(&input, &mut ours);

    let mut raw_differences = 0;
    for (i, &x) in input.iter().enumerate() {
        assert_eq!(
            law.encode_sample(x),
            ours[i],
            "{law:?} slice vs sample at {x}"
        );
        // Exact agreement once sox's pre-rounding is accounted for.
        assert_eq!(
            sox_model(law, x),
            sox[i],
            "{law:?} x={x}: sox {:#04x}, G.711 after sox rounding {:#04x}",
            sox[i],
            sox_model(law, x)
        );
        if ours[i] != sox[i] {
            raw_differences += 1;
            // Every raw difference is one quantisation step at a decision
            // value (possibly across zero: level -1 is the smallest negative).
            let level = |c: u8| {
                let t = match law {
                    Law::ALaw => c ^ 0x55,
                    Law::MuLaw => !c,
                };
                let mag = i32::from(t & 0x7F);
                let positive = match law {
                    Law::ALaw => t & 0x80 != 0,
                    Law::MuLaw => t & 0x80 == 0,
                };
                if positive {
                    mag
                } else {
                    -mag - 1
                }
            };
            assert_eq!(
                (level(ours[i]) - level(sox[i])).abs(),
                1,
                "{law:?} x={x}: ours {:#04x}, sox {:#04x}",
                ours[i],
                sox[i]
            );
        }
    }
    assert_eq!(
        raw_differences, expected_raw_differences,
        "{law:?}: number of inputs where sox's rounding differs from G.711"
    );
}

#[test]
fn encode_alaw_matches_sox_model() {
    check_encode_against_sox(Law::ALaw, 1020);
}

#[test]
fn encode_ulaw_matches_sox_model() {
    check_encode_against_sox(Law::MuLaw, 510);
}

/// Independent of sox: the encoder is the G.711 quantiser, i.e. every
/// non-negative input lands in the interval around its reconstruction value
/// whose lower edge (the decision value) is inclusive, negative inputs mirror
/// through the one's complement (G.191), and the tables equal the reference.
#[test]
fn encoder_is_g711_quantiser() {
    for law in [Law::ALaw, Law::MuLaw] {
        // (lower decision value, reconstruction value) of every positive code:
        // the decision value sits half a step (of the code's own segment)
        // below the reconstruction value.
        let mut intervals: Vec<(i32, i16)> = (0..=255u8)
            .filter_map(|c| {
                let (t, positive) = match law {
                    Law::ALaw => (c ^ 0x55, c & 0x80 != 0),
                    Law::MuLaw => (!c, c & 0x80 != 0),
                };
                let seg = (t >> 4) & 7;
                let half = match law {
                    Law::ALaw if seg == 0 => 8,
                    Law::ALaw => 8 << (seg - 1),
                    Law::MuLaw => 4 << seg,
                };
                let r = law.decode_sample(c);
                positive.then_some(((i32::from(r) - half).max(0), r))
            })
            .collect();
        intervals.sort_unstable();
        for x in 0..=i16::MAX {
            let got = law.decode_sample(law.encode_sample(x));
            let expected = intervals
                .iter()
                .rev()
                .find(|&&(d, _)| i32::from(x) >= d)
                .unwrap()
                .1;
            assert_eq!(got, expected, "{law:?} x={x}");
            let neg = !x;
            let (p, n) = (law.encode_sample(x), law.encode_sample(neg));
            assert_eq!(p ^ 0x80, n, "{law:?} x={x} vs {neg}");
        }
        for x in i16::MIN..=i16::MAX {
            let reference = match law {
                Law::ALaw => g711::reference::linear_to_alaw(x),
                Law::MuLaw => g711::reference::linear_to_ulaw(x),
            };
            assert_eq!(law.encode_sample(x), reference, "{law:?} x={x}");
        }
    }
}

#[test]
fn round_trip_is_stable() {
    for law in [Law::ALaw, Law::MuLaw] {
        for c in 0..=255u8 {
            let v = law.decode_sample(c);
            let back = law.decode_sample(law.encode_sample(v));
            assert_eq!(back, v, "{law:?} code {c:#04x}");
        }
    }
    // Codes themselves round-trip, except mu-law's negative zero.
    for c in 0..=255u8 {
        assert_eq!(g711::linear_to_alaw(g711::alaw_to_linear(c)), c);
        let u = g711::linear_to_ulaw(g711::ulaw_to_linear(c));
        assert!(
            u == c || (c == 0x7F && u == 0xFF),
            "mu-law {c:#04x} -> {u:#04x}"
        );
    }
}

#[test]
fn transcoding_tables() {
    // Silence maps to (near) silence, signs are kept, and both tables are
    // monotonic and within one step of the source value.
    assert_eq!(g711::ulaw_to_alaw(0xFF), 0xD5);
    assert_eq!(g711::ulaw_to_alaw(0x7F), 0x55);
    assert_eq!(g711::alaw_to_ulaw(0xD5), 0xFE);
    let mut off_nearest = Vec::new();
    for c in 0..=255u8 {
        let a = g711::ulaw_to_alaw(c);
        let (src, dst) = (g711::ulaw_to_linear(c), g711::alaw_to_linear(a));
        assert!(
            src == 0 || (src > 0) == (dst > 0),
            "mu {c:#04x} -> A {a:#04x}"
        );
        let best = (0..=255u8)
            .map(|k| (i32::from(g711::alaw_to_linear(k)) - i32::from(src)).abs())
            .min()
            .unwrap();
        if (i32::from(dst) - i32::from(src)).abs() != best {
            assert!((i32::from(dst) - i32::from(src)).abs() - best <= 8);
            off_nearest.push(("mu->A", c, src, dst));
        }
        let u = g711::alaw_to_ulaw(c);
        let (src, dst) = (g711::alaw_to_linear(c), g711::ulaw_to_linear(u));
        assert_eq!(src > 0, dst > 0, "A {c:#04x} -> mu {u:#04x}");
        let best = (0..=255u8)
            .map(|k| (i32::from(g711::ulaw_to_linear(k)) - i32::from(src)).abs())
            .min()
            .unwrap();
        if (i32::from(dst) - i32::from(src)).abs() != best {
            assert!((i32::from(dst) - i32::from(src)).abs() - best <= 8);
            off_nearest.push(("A->mu", c, src, dst));
        }
    }
    // The G.711 tables are not pure nearest-value maps: 66 of the 512 entries
    // pick a code whose error is 8 (half the mu-law bias offset) larger than
    // the nearest one's. Pin that down so a changed table is noticed.
    assert_eq!(off_nearest.len(), 66, "{off_nearest:?}");
    // The corrected entries of the Sun transcription.
    assert_eq!(g711::ulaw_to_linear(0xFF ^ 80), 4092);
    assert_eq!(g711::alaw_to_linear(g711::ulaw_to_alaw(0xFF ^ 80)), 4032);
    assert_eq!(g711::alaw_to_linear(0xD5 ^ 79), 4032);
    assert_eq!(g711::ulaw_to_linear(g711::alaw_to_ulaw(0xD5 ^ 79)), 4092);
    let mut buf: Vec<u8> = (0..=255u8).collect();
    g711::transcode_alaw_to_ulaw(&mut buf);
    g711::transcode_ulaw_to_alaw(&mut buf);
    for (c, &b) in buf.iter().enumerate() {
        // A -> mu -> A is not transparent (G.711 maps some pairs of A-law
        // codes to one mu-law code) but stays within one A-law step.
        let seg = ((c as u8 ^ 0x55) >> 4) & 7;
        let step = if seg == 0 { 16 } else { 16 << (seg - 1) };
        let d = i32::from(g711::alaw_to_linear(b)) - i32::from(g711::alaw_to_linear(c as u8));
        assert!(d.abs() <= step, "A {c:#04x} -> mu -> A {b:#04x}");
    }
}

#[test]
fn slices_use_the_shorter_length() {
    let mut out = [7i16; 4];
    g711::decode_alaw(&[0xD5, 0x55], &mut out);
    assert_eq!(out, [8, -8, 7, 7]);
    let mut codes = [0u8; 2];
    g711::encode_ulaw(&[0, 0, 0, 0], &mut codes);
    assert_eq!(codes, [0xFF, 0xFF]);
    let mut codes = [0u8; 3];
    g711::encode_alaw(&[0, -1, 32767], &mut codes);
    assert_eq!(codes, [0xD5, 0x55, 0xAA]);
    let mut out = [0i16; 1];
    g711::decode_ulaw(&[0x80], &mut out);
    assert_eq!(out, [32124]);
}
