//! Benchmarks of the per-timeslot signalling hot path: HDLC receive and
//! transmit on 8-byte chunks (one millisecond of a 64 kbit/s timeslot),
//! idle and busy, FCS-16 over a 260-octet frame, and the O.151 PRBS.
//!
//! Run with
//! `cargo bench -p trunk-driver-sys --bench hdlc -- --warm-up-time 1 --measurement-time 3`.

use criterion::{black_box, criterion_main, Criterion, Throughput};
use trunk_driver_sys::fcs::fcs16;
use trunk_driver_sys::hdlc::{HdlcRx, HdlcTx, IdleFill};
use trunk_driver_sys::prbs::{PrbsCheck, PrbsGen};

/// Bytes per call: one millisecond of a 64 kbit/s timeslot.
const CHUNK: usize = 8;
/// Frame size of the busy-link cases.
const FRAME: usize = 260;

/// Deterministic pseudo-random frame contents.
fn frames() -> Vec<Vec<u8>> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    (0..16)
        .map(|_| {
            (0..FRAME)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 24) as u8
                })
                .collect()
        })
        .collect()
}

/// A recorded line carrying back-to-back frames (one shared flag between
/// them).
fn busy_line(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut tx = HdlcTx::new(IdleFill::Flags);
    let mut line = vec![0u8; 64 * 1024];
    let mut next = 0;
    for chunk in line.chunks_mut(CHUNK) {
        if !tx.is_busy() {
            tx.send(&frames[next % frames.len()])
                .expect("idle transmitter");
            next += 1;
        }
        tx.fill(chunk);
    }
    line
}

fn hdlc_rx(c: &mut Criterion) {
    let mut g = c.benchmark_group("hdlc_rx");
    g.throughput(Throughput::Bytes(CHUNK as u64));

    // Flags three bits off the byte boundary: a constant byte value.
    let idle = [0x7Eu8.rotate_left(3); CHUNK];
    let mut rx = HdlcRx::new();
    rx.push(&idle, |_| {});
    g.bench_function("idle_flags", |b| {
        b.iter(|| {
            rx.push(black_box(&idle), |f| {
                black_box(f);
            })
        })
    });

    let mut rx = HdlcRx::new();
    rx.push(&[0xFF; CHUNK], |_| {});
    g.bench_function("idle_ones", |b| {
        b.iter(|| {
            rx.push(black_box(&[0xFF; CHUNK]), |f| {
                black_box(f);
            })
        })
    });

    let line = busy_line(&frames());
    let mut rx = HdlcRx::new();
    let mut pos = 0;
    let mut delivered = 0u64;
    g.bench_function("busy_260", |b| {
        b.iter(|| {
            rx.push(black_box(&line[pos..pos + CHUNK]), |f| {
                delivered += f.len() as u64
            });
            pos = (pos + CHUNK) % line.len();
        })
    });
    assert!(delivered > 0 && rx.stats().frames > 0);
    g.finish();
}

fn hdlc_tx(c: &mut Criterion) {
    let mut g = c.benchmark_group("hdlc_tx");
    g.throughput(Throughput::Bytes(CHUNK as u64));
    let mut out = [0u8; CHUNK];

    for (name, fill) in [
        ("idle_flags", IdleFill::Flags),
        ("idle_ones", IdleFill::Ones),
    ] {
        let mut tx = HdlcTx::new(fill);
        // Leave the flags at an odd bit offset.
        tx.send(&[1, 2, 3]).expect("idle transmitter");
        tx.fill(&mut [0u8; 16]);
        g.bench_function(name, |b| {
            b.iter(|| {
                tx.fill(black_box(&mut out));
                black_box(&out);
            })
        });
    }

    let frames = frames();
    let mut tx = HdlcTx::new(IdleFill::Flags);
    let mut next = 0;
    g.bench_function("busy_260", |b| {
        b.iter(|| {
            if !tx.is_busy() {
                let _ = tx.send(black_box(&frames[next % frames.len()]));
                next += 1;
            }
            tx.fill(black_box(&mut out));
            black_box(&out);
        })
    });
    g.finish();
}

fn fcs(c: &mut Criterion) {
    let mut g = c.benchmark_group("fcs16");
    let frame = &frames()[0];
    g.throughput(Throughput::Bytes(FRAME as u64));
    g.bench_function("260", |b| b.iter(|| fcs16(black_box(frame))));
    g.finish();
}

fn prbs(c: &mut Criterion) {
    let mut g = c.benchmark_group("prbs");
    g.throughput(Throughput::Bytes(CHUNK as u64));
    let mut gen = PrbsGen::new();
    let mut out = [0u8; CHUNK];
    g.bench_function("gen_fill", |b| {
        b.iter(|| {
            gen.fill(black_box(&mut out));
            black_box(&out);
        })
    });
    // 32767 octets are eight whole periods; the extra chunk lets reads wrap.
    let mut line = vec![0u8; 32767 + CHUNK];
    PrbsGen::new().fill(&mut line);
    let mut chk = PrbsCheck::new();
    chk.push(&line[..64]);
    let mut pos = 64;
    g.bench_function("check_push", |b| {
        b.iter(|| {
            chk.push(black_box(&line[pos..pos + CHUNK]));
            pos = (pos + CHUNK) % 32767;
        })
    });
    g.finish();
}

/// Keeps the macro-generated (undocumented) group function private.
mod group {
    use super::{fcs, hdlc_rx, hdlc_tx, prbs};
    criterion::criterion_group!(benches, hdlc_rx, hdlc_tx, fcs, prbs);
}

criterion_main!(group::benches);
