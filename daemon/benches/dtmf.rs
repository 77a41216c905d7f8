//! DTMF receiver throughput, ours against spandsp's `dtmf_rx` in the same
//! run, on a long mixed signal: generated digits alternating with
//! speech-like noise (a pitch-varying harmonic series plus white noise).
//!
//! One `cargo bench -p trunkd --bench dtmf`:
//! 1. builds `testbench/peers/spandspbench` (gcc + libspandsp-dev) into
//!    `$CARGO_TARGET_DIR/peers` (default `target/peers`), writes the signal
//!    to a raw file and runs spandsp's receiver over it in 8-sample chunks;
//! 2. checks that spandsp, our scalar [`DtmfDetector`] and our
//!    [`DtmfBank`] all find the same digit string;
//! 3. runs criterion on the scalar detector (8- and 160-sample chunks) and
//!    the bank (256 and 30 channels, one 8-sample tick at a time);
//!    throughput is in samples, so channels per core = rate / 8000;
//! 4. prints a summary: best-of-N ns per sample for each (the same
//!    best-of method spandspbench uses) and the ratio to spandsp.
// `criterion_group!` generates an undocumented `pub fn benches`.
#![allow(missing_docs)]

use std::process::Command;

mod spandsp;
use std::time::Instant;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use trunkd::media::dtmf::bank::FRAME;
use trunkd::media::dtmf::{
    DtmfBank, DtmfConfig, DtmfDetector, DtmfEvent, DtmfGenConfig, DtmfGenerator,
};

/// The digits in [`mixed_signal`].
const EXPECTED: &str = "0123456*789#ABCD0123456*789#ABCD0123456*";
/// Channels in the big bank benchmark (8 E1 spans' worth, rounded up).
const BANK_CHANNELS: usize = 256;

/// About 13 s of audio.
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
    // Whole ticks only.
    out.truncate(out.len() / FRAME * FRAME);
    out
}

/// Builds spandspbench and runs it on `samples`; its JSON line.
fn spandsp_reference(samples: &[i16]) -> serde_json::Value {
    let out_dir = spandsp::build();
    let file = spandsp::write_samples(&out_dir, "dtmf-bench", samples);
    let out = Command::new(out_dir.join("spandspbench"))
        .arg(&file)
        .args(["--chunk", "8", "--reps", "100"])
        .output()
        .expect("run spandspbench");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "spandspbench: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("spandspbench prints one JSON line")
}

fn scalar_digits(signal: &[i16]) -> String {
    let mut found = String::new();
    let mut det = DtmfDetector::default();
    for chunk in signal.chunks(FRAME) {
        det.process(chunk, |e| {
            if let DtmfEvent::DigitStart { digit, .. } = e {
                found.push(digit)
            }
        });
    }
    found
}

/// Ticks for a bank: channel `c` hears the signal rotated by `c * 997`
/// samples, so the lanes are not in step with each other.
fn bank_ticks(signal: &[i16], channels: usize) -> Vec<[i16; FRAME]> {
    let ticks = signal.len() / FRAME;
    let mut out = vec![[0i16; FRAME]; ticks * channels];
    for t in 0..ticks {
        for c in 0..channels {
            let frame = &mut out[t * channels + c];
            for (n, x) in frame.iter_mut().enumerate() {
                *x = signal[(t * FRAME + n + c * 997) % signal.len()];
            }
        }
    }
    out
}

/// Runs a whole signal through a fresh bank; events per channel, counted,
/// and channel 0's digits.
fn run_bank(ticks: &[[i16; FRAME]], channels: usize) -> (u64, String) {
    let mut bank = DtmfBank::new(channels, DtmfConfig::default());
    let mut events = 0u64;
    let mut ch0 = String::new();
    for frames in ticks.chunks_exact(channels) {
        bank.process(frames, |ch, e| {
            events += 1;
            if let (0, DtmfEvent::DigitStart { digit, .. }) = (ch, e) {
                ch0.push(digit);
            }
        });
    }
    (events, ch0)
}

/// Best of `reps` wall-clock runs of `f`, in ns per sample.
fn best_ns_per_sample(reps: usize, samples: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_nanos() as f64);
    }
    best / samples as f64
}

fn bench(c: &mut Criterion) {
    let signal = mixed_signal();
    let spandsp = spandsp_reference(&signal);
    let spandsp_ns = spandsp["dtmf_rx_ns_per_sample"]
        .as_f64()
        .expect("dtmf_rx_ns_per_sample");
    let spandsp_digits = spandsp["digits"].as_str().expect("digits").to_string();

    // Same digits from all three receivers.
    let scalar = scalar_digits(&signal);
    let big = bank_ticks(&signal, BANK_CHANNELS);
    let (_, bank0) = run_bank(&big, BANK_CHANNELS);
    let mut plain = DtmfBank::new(1, DtmfConfig::default());
    let mut bank1 = String::new();
    for frame in signal.chunks_exact(FRAME) {
        let frame: [i16; FRAME] = frame.try_into().unwrap();
        plain.process(&[frame], |_, e| {
            if let DtmfEvent::DigitStart { digit, .. } = e {
                bank1.push(digit);
            }
        });
    }
    assert_eq!(scalar, EXPECTED, "our scalar detector");
    assert_eq!(bank1, EXPECTED, "our bank");
    assert_eq!(spandsp_digits, EXPECTED, "spandsp dtmf_rx");
    // Channel 0 of the big bank hears the signal unrotated.
    assert_eq!(
        bank0, EXPECTED,
        "channel 0 of the {BANK_CHANNELS}-channel bank"
    );

    let mut group = c.benchmark_group("dtmf_detect");
    group.throughput(Throughput::Elements(signal.len() as u64));
    for chunk in [FRAME, 160] {
        group.bench_function(format!("scalar_chunk{chunk}"), |b| {
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

    let e1 = bank_ticks(&signal, 30);
    let mut group = c.benchmark_group("dtmf_bank");
    group.sample_size(20);
    for (channels, ticks) in [(BANK_CHANNELS, &big), (30, &e1)] {
        group.throughput(Throughput::Elements((signal.len() * channels) as u64));
        group.bench_function(format!("{channels}ch_tick8"), |b| {
            b.iter(|| black_box(run_bank(black_box(ticks), channels)))
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

    // Summary, best of N like spandspbench.
    let n = signal.len();
    let scalar_ns = best_ns_per_sample(200, n, || {
        black_box(scalar_digits(black_box(&signal)));
    });
    let bank_ns = best_ns_per_sample(20, n * BANK_CHANNELS, || {
        black_box(run_bank(black_box(&big), BANK_CHANNELS));
    });
    let e1_ns = best_ns_per_sample(50, n * 30, || {
        black_box(run_bank(black_box(&e1), 30));
    });
    println!();
    println!(
        "DTMF summary: {:.1} s signal, digits {EXPECTED:?} found by all",
        n as f64 / 8000.0
    );
    println!("  receiver                         ns/sample   channels/core   x spandsp");
    let row = |name: &str, ns: f64| {
        println!(
            "  {name:<32} {ns:>9.3} {:>15.0} {:>11.2}",
            1e9 / ns / 8000.0,
            spandsp_ns / ns
        );
    };
    row("spandsp dtmf_rx (8-sample chunks)", spandsp_ns);
    row("trunkd DtmfDetector (8-sample)", scalar_ns);
    row(&format!("trunkd DtmfBank {BANK_CHANNELS} ch"), bank_ns);
    row("trunkd DtmfBank 30 ch", e1_ns);
}

criterion_group!(benches, bench);
criterion_main!(benches);
