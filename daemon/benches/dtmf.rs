//! DTMF detector throughput on a long mixed signal: generated digits
//! alternating with speech-like noise (a pitch-varying harmonic series plus
//! white noise), fed in 8-sample chunks as the daemon does (one per ms) and
//! in 160-sample chunks (20 ms). Criterion reports elements/s = samples/s;
//! one channel needs 8000 samples/s, so channels per core = rate / 8000.
// `criterion_group!` generates an undocumented `pub fn benches`.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use trunkd::media::dtmf::{DtmfDetector, DtmfGenConfig, DtmfGenerator};

/// About 10 s of audio.
fn mixed_signal() -> Vec<i16> {
    let mut out = Vec::new();
    let mut lcg: u32 = 0x2468_ace1;
    let mut noise = move || {
        lcg = lcg.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        ((lcg >> 16) as i16 as f32) / 32768.0
    };
    let mut phase = 0.0f32;
    for round in 0..5 {
        // 1 s of speech-like signal.
        for n in 0..8000 {
            let t = n as f32 / 8000.0;
            let pitch = 110.0 + 40.0 * (t * 3.0 + round as f32).sin();
            phase += 2.0 * std::f32::consts::PI * pitch / 8000.0;
            let env = 0.5 + 0.5 * (t * 2.0 * std::f32::consts::PI * 4.0).sin();
            let mut v = 0.0;
            for h in 1..12 {
                v += (phase * h as f32).sin() / h as f32;
            }
            out.push(((v * 3000.0 * env) + noise() * 500.0) as i16);
        }
        // Digits: 8 x (100 ms tone + 100 ms pause) = 1.6 s.
        let mut g = DtmfGenerator::new(DtmfGenConfig::default());
        g.push_digits(if round % 2 == 0 {
            "0123456*"
        } else {
            "789#ABCD"
        })
        .unwrap();
        let mut buf = vec![0i16; g.remaining_samples()];
        g.generate(&mut buf);
        out.extend(
            buf.iter()
                .map(|&x| x.saturating_add((noise() * 300.0) as i16)),
        );
    }
    out
}

fn bench(c: &mut Criterion) {
    let signal = mixed_signal();
    // Sanity: the digits are found.
    let mut found = String::new();
    let mut det = DtmfDetector::default();
    for chunk in signal.chunks(8) {
        det.process(chunk, |e| {
            if let trunkd::media::dtmf::DtmfEvent::DigitStart { digit, .. } = e {
                found.push(digit)
            }
        });
    }
    assert_eq!(found, "0123456*789#ABCD0123456*789#ABCD0123456*");

    let mut group = c.benchmark_group("dtmf_detect");
    group.throughput(Throughput::Elements(signal.len() as u64));
    for chunk in [8usize, 160] {
        group.bench_function(format!("chunk{chunk}"), |b| {
            b.iter(|| {
                let mut det = DtmfDetector::default();
                let mut events = 0u32;
                for c in black_box(&signal).chunks(chunk) {
                    det.process(c, |_| events += 1);
                }
                black_box(events)
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("dtmf_generate");
    group.throughput(Throughput::Elements(16 * 1600));
    group.bench_function("16_digits", |b| {
        let mut out = vec![0i16; 16 * 1600];
        b.iter(|| {
            let mut g = DtmfGenerator::default();
            g.push_digits("0123456789*#ABCD").unwrap();
            black_box(g.generate(&mut out))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
