//! G.711 throughput: decode and encode of one second (8000 samples) of audio,
//! both laws, table-driven versus the computed reference algorithm.
// `criterion_group!` generates an undocumented `pub fn benches`.
#![allow(missing_docs)]

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
}

criterion_group!(benches, bench);
criterion_main!(benches);
