//! The whole media tick of one board, as the board thread runs it: 16 E1
//! spans, 480 B-channels, every channel decoding its receive timeslot,
//! searching it for DTMF and playing a prompt into its transmit timeslot
//! (encode included). One iteration is one millisecond of board time for
//! all 480 channels, so channel-milliseconds per second / 1000 = channels
//! kept in real time by one core.
// `criterion_group!` generates an undocumented `pub fn benches`.
#![allow(missing_docs)]

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trunk_driver_sys::abi::{CHUNK_BYTES, FRAMES_PER_CHUNK, TIMESLOTS};
use trunkd::media::dtmf::{DtmfGenConfig, DtmfGenerator};
use trunkd::media::engine::{
    Chan, ConfCmd, MediaCmd, MediaEngine, MediaLinks, MediaStats, PartyRef, RoleRef, SpanMediaSetup,
};
use trunkd::media::g711::linear_to_alaw;
use trunkd::media::prompt::{Playlist, Prompt};
use trunkd::media::tones::TonePlanName;

const SPANS: usize = 16;
/// Receive audio: 2 s per channel, digits over speech-like noise.
const AUDIO_MS: usize = 2000;

fn receive_audio() -> Vec<[u8; CHUNK_BYTES]> {
    let mut g = DtmfGenerator::new(DtmfGenConfig::default());
    g.push_digits("1234567890").unwrap();
    let mut tones = vec![0i16; AUDIO_MS * 8];
    g.generate(&mut tones);
    let mut lcg: u32 = 0x1234_5678;
    let mut chunks = vec![[0xD5u8; CHUNK_BYTES]; AUDIO_MS];
    for (ms, chunk) in chunks.iter_mut().enumerate() {
        for f in 0..FRAMES_PER_CHUNK {
            let n = ms * 8 + f;
            for ts in 1..TIMESLOTS {
                lcg = lcg.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = ((lcg >> 20) as i16) - 2048;
                let x = tones[(n + ts * 397) % tones.len()].saturating_add(noise);
                chunk[f * TIMESLOTS + ts] = linear_to_alaw(x);
            }
        }
    }
    chunks
}

/// One millisecond of the board thread's media work: every span's receive
/// chunk in, the engine's tick, every span's transmit chunk out.
fn one_ms(e: &mut MediaEngine, rx: &[u8; CHUNK_BYTES], tx: &mut [u8; CHUNK_BYTES]) {
    for pos in 0..SPANS {
        e.rx_chunk(pos, rx);
    }
    e.tick();
    for pos in 0..SPANS {
        e.tx_chunk(pos, tx);
    }
}

fn bench(c: &mut Criterion) {
    let (events, ev_rx) = crossbeam_channel::bounded(1 << 16);
    let (recorder, _rec_rx) = crossbeam_channel::bounded(16);
    let mut e = MediaEngine::new(
        MediaLinks { events, recorder },
        Arc::new(MediaStats::default()),
    );
    let prompt: Vec<i16> = (0..8000 * 3)
        .map(|n| ((n as f32 * 0.35).sin() * 8000.0) as i16)
        .collect();
    let prompt = Arc::new(Prompt::from_samples("bench", prompt));
    let mut channels = 0;
    for pos in 0..SPANS {
        e.configure_span(
            pos,
            Some(SpanMediaSetup {
                number: pos as u32 + 1,
                t1: false,
                idle: 0xD5,
                dchannel: Some(16),
                tone_plan: TonePlanName::Etsi,
            }),
        );
        for ts in (1..TIMESLOTS).filter(|&t| t != 16) {
            let ch = Chan {
                pos: pos as u8,
                ts: ts as u8,
            };
            e.command(MediaCmd::Open(ch));
            e.command(MediaCmd::Play {
                ch,
                id: 1,
                playlist: Playlist::from_prompts(vec![prompt.clone()]).unwrap(),
                repeat: true,
                barge_in: false,
            });
            channels += 1;
        }
    }
    let rx = receive_audio();
    let mut tx = [0xD5u8; CHUNK_BYTES];
    let mut ms = 0usize;
    let mut g = c.benchmark_group("media_tick");
    g.throughput(Throughput::Elements(channels));
    g.bench_function(format!("{channels}_channels_dtmf_and_prompt"), |b| {
        b.iter(|| {
            one_ms(&mut e, &rx[ms % AUDIO_MS], &mut tx);
            ms += 1;
            while ev_rx.try_recv().is_ok() {}
        })
    });
    // The same 480 channels bridged in pairs instead of playing prompts:
    // every channel decoded, searched for DTMF, mixed and encoded.
    for pos in 0..SPANS {
        for ts in (1..TIMESLOTS).filter(|&t| t != 16) {
            e.command(MediaCmd::StopPlay(Chan {
                pos: pos as u8,
                ts: ts as u8,
            }));
        }
    }
    let mut conf = 0u16;
    for pos in (0..SPANS).step_by(2) {
        for ts in (1..TIMESLOTS).filter(|&t| t != 16) {
            for p in [pos, pos + 1] {
                e.command(MediaCmd::Conf(ConfCmd::Join {
                    conf,
                    party: PartyRef::Chan(Chan {
                        pos: p as u8,
                        ts: ts as u8,
                    }),
                    role: RoleRef::Talker,
                }));
            }
            conf += 1;
        }
    }
    while ev_rx.try_recv().is_ok() {}
    g.bench_function(
        format!("{channels}_channels_dtmf_and_bridged_in_pairs"),
        |b| {
            b.iter(|| {
                one_ms(&mut e, &rx[ms % AUDIO_MS], &mut tx);
                ms += 1;
                while ev_rx.try_recv().is_ok() {}
            })
        },
    );
    g.finish();
    // Sanity: the bridges carry the receive audio across.
    assert!(
        tx.iter().any(|&b| b != 0xD5),
        "bridged audio is transmitted"
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
