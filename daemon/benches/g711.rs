//! G.711 throughput: decode and encode of one second (8000 samples) of audio,
//! both laws, table-driven versus the computed reference algorithm, and
//! A-law against spandsp's `linear_to_alaw` / `alaw_to_linear` in the same
//! run: `testbench/peers/spandspbench` (built with gcc + libspandsp-dev into
//! `$CARGO_TARGET_DIR/peers`) times them on the same samples, and its codes
//! and decoded values must equal ours. A best-of-N summary with the ratios
//! is printed at the end.
// `criterion_group!` generates an undocumented `pub fn benches`.
#![allow(missing_docs)]

use std::process::Command;

mod spandsp;
use std::time::Instant;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use trunkd::media::g711::{self, reference};

const N: usize = 8000;

/// Deterministic input covering the whole 16-bit range, from a cheap LCG so
/// the table index is not predictable.
fn linear_input() -> Vec<i16> {
    let mut s: u32 = 0x1234_5678;
    (0..N)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 16) as u16 as i16
        })
        .collect()
}

fn codes_input() -> Vec<u8> {
    linear_input().iter().map(|&x| (x >> 8) as u8).collect()
}

/// Timing repetitions for the best-of-N figures (ours and spandsp's).
const REPS: usize = 2000;

/// spandsp's figures on `samples`: its JSON line, its A-law codes and their
/// decoded values.
fn spandsp_reference(samples: &[i16]) -> (serde_json::Value, Vec<u8>, Vec<i16>) {
    let out_dir = spandsp::build();
    let input = spandsp::write_samples(&out_dir, "g711-bench", samples);
    let output = out_dir.join(format!("g711-bench-{}.alaw", std::process::id()));
    let out = Command::new(out_dir.join("spandspbench"))
        .arg(&input)
        .args(["--reps", &REPS.to_string(), "--alaw-out"])
        .arg(&output)
        .output()
        .expect("run spandspbench");
    let written = std::fs::read(&output);
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output);
    assert!(
        out.status.success(),
        "spandspbench: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = written.expect("spandspbench --alaw-out file");
    assert_eq!(
        written.len(),
        samples.len() * 3,
        "spandspbench --alaw-out size"
    );
    let (codes, lin) = written.split_at(samples.len());
    let lin = lin
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let json = serde_json::from_slice(&out.stdout).expect("spandspbench prints one JSON line");
    (json, codes.to_vec(), lin)
}

/// Best of [`REPS`] wall-clock runs of `f` over `N` samples, ns per sample.
fn best_ns_per_sample(mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..REPS {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_nanos() as f64);
    }
    best / N as f64
}

fn bench(c: &mut Criterion) {
    let lin = linear_input();
    let codes = codes_input();
    let mut out_lin = vec![0i16; N];
    let mut out_codes = vec![0u8; N];

    let mut g = c.benchmark_group("g711");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("decode_alaw", |b| {
        b.iter(|| g711::decode_alaw(black_box(&codes), black_box(&mut out_lin)))
    });
    g.bench_function("decode_ulaw", |b| {
        b.iter(|| g711::decode_ulaw(black_box(&codes), black_box(&mut out_lin)))
    });
    g.bench_function("encode_alaw", |b| {
        b.iter(|| g711::encode_alaw(black_box(&lin), black_box(&mut out_codes)))
    });
    g.bench_function("encode_ulaw", |b| {
        b.iter(|| g711::encode_ulaw(black_box(&lin), black_box(&mut out_codes)))
    });
    g.bench_function("computed_decode_alaw", |b| {
        b.iter(|| {
            for (o, &i) in out_lin.iter_mut().zip(black_box(&codes)) {
                *o = reference::alaw_to_linear(i);
            }
            black_box(&mut out_lin);
        })
    });
    g.bench_function("computed_decode_ulaw", |b| {
        b.iter(|| {
            for (o, &i) in out_lin.iter_mut().zip(black_box(&codes)) {
                *o = reference::ulaw_to_linear(i);
            }
            black_box(&mut out_lin);
        })
    });
    g.bench_function("computed_encode_alaw", |b| {
        b.iter(|| {
            for (o, &i) in out_codes.iter_mut().zip(black_box(&lin)) {
                *o = reference::linear_to_alaw(i);
            }
            black_box(&mut out_codes);
        })
    });
    g.bench_function("computed_encode_ulaw", |b| {
        b.iter(|| {
            for (o, &i) in out_codes.iter_mut().zip(black_box(&lin)) {
                *o = reference::linear_to_ulaw(i);
            }
            black_box(&mut out_codes);
        })
    });
    g.finish();

    // spandsp in the same run, on the same samples, with the same results.
    let (spandsp, sp_codes, sp_lin) = spandsp_reference(&lin);
    let mut ours_codes = vec![0u8; N];
    g711::encode_alaw(&lin, &mut ours_codes);
    assert_eq!(ours_codes, sp_codes, "A-law codes differ from spandsp's");
    let mut ours_lin = vec![0i16; N];
    g711::decode_alaw(&ours_codes, &mut ours_lin);
    assert_eq!(ours_lin, sp_lin, "A-law decoding differs from spandsp's");

    let enc = best_ns_per_sample(|| g711::encode_alaw(black_box(&lin), black_box(&mut out_codes)));
    let dec = best_ns_per_sample(|| g711::decode_alaw(black_box(&codes), black_box(&mut out_lin)));
    let sp = |key: &str| {
        spandsp[key]
            .as_f64()
            .unwrap_or_else(|| panic!("spandspbench {key}"))
    };
    let (sp_enc, sp_dec) = (
        sp("linear_to_alaw_ns_per_sample"),
        sp("alaw_to_linear_ns_per_sample"),
    );
    println!();
    println!(
        "G.711 summary ({N} samples, best of {REPS}; codes and decoded values equal spandsp's)"
    );
    println!("  operation        trunkd ns/sample   spandsp ns/sample   x spandsp");
    println!(
        "  A-law encode     {enc:>16.3}   {sp_enc:>17.3}   {:>9.2}",
        sp_enc / enc
    );
    println!(
        "  A-law decode     {dec:>16.3}   {sp_dec:>17.3}   {:>9.2}",
        sp_dec / dec
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
