//! Property tests for the software HDLC transmitter and receiver
//! (`trunk_driver_sys::hdlc`): round trips at arbitrary bit offsets and
//! chunkings, single bit errors, arbitrary input, random transmitter use.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use trunk_driver_sys::hdlc::{HdlcRx, HdlcRxStats, HdlcTx, IdleFill, MAX_FRAME};

/// Octets biased towards runs of ones, to exercise zero-bit insertion.
fn octet() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => Just(0xFF),
        2 => Just(0x7E),
        1 => Just(0x1F),
        1 => Just(0x3E),
        1 => Just(0xF8),
        1 => Just(0x7C),
        1 => Just(0x00),
        4 => any::<u8>(),
    ]
}

fn frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => vec(octet(), 1..=16),
        2 => vec(octet(), 1..=MAX_FRAME),
        1 => vec(octet(), MAX_FRAME - 3..=MAX_FRAME),
    ]
}

fn idle_fill() -> impl Strategy<Value = IdleFill> {
    prop_oneof![Just(IdleFill::Flags), Just(IdleFill::Ones)]
}

/// Sends `frames` through a transmitter, with random idle gaps and random
/// `fill` sizes; returns the timeslot bytes.
fn transmit(frames: &[Vec<u8>], idle: IdleFill, rng: &mut Pcg64) -> Vec<u8> {
    let mut tx = HdlcTx::new(idle);
    let mut out = Vec::new();
    let mut buf = [0u8; 64];
    for f in frames {
        if rng.gen_bool(0.5) {
            let n = rng.gen_range(0..12);
            tx.fill(&mut buf[..n]);
            out.extend_from_slice(&buf[..n]);
        }
        tx.send(f).expect("transmitter is idle");
        while tx.is_busy() {
            let n = rng.gen_range(0..=64);
            tx.fill(&mut buf[..n]);
            out.extend_from_slice(&buf[..n]);
        }
    }
    // Flush the queued bits (at most 57) and the closing flag, then idle.
    tx.fill(&mut buf[..10]);
    out.extend_from_slice(&buf[..10]);
    assert_eq!(tx.stats().frames, frames.len() as u64);
    out
}

fn to_bits(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
        .collect()
}

/// Packs line bits MSB first; the last byte is padded with ones (mark).
fn to_bytes(bits: &[u8]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| (0..8).fold(0u8, |a, i| (a << 1) | c.get(i).copied().unwrap_or(1)))
        .collect()
}

/// Puts `off` arbitrary bits (from `junk`) in front of the bit stream and
/// drops as many from its end (idle fill), keeping whole bytes.
fn shift(bits: &[u8], off: usize, junk: u8) -> Vec<u8> {
    let mut v: Vec<u8> = (0..off).map(|i| (junk >> i) & 1).collect();
    v.extend_from_slice(&bits[..bits.len() - off]);
    to_bytes(&v)
}

/// Feeds `bytes` in random chunks (including empty ones).
fn receive(rx: &mut HdlcRx, bytes: &[u8], rng: &mut Pcg64) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let n = rng.gen_range(0..=24).min(bytes.len() - i);
        rx.push(&bytes[i..i + n], |f| got.push(f.to_vec()));
        i += n;
    }
    got
}

/// Bit ranges between flags that hold frames, found by an independent flag
/// scan of an error-free stream (gaps of mark idle hold six or more ones
/// and are skipped).
fn frame_spans(bits: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut ones = 0;
    let mut after_flag: Option<usize> = None;
    for (i, &b) in bits.iter().enumerate() {
        if b == 1 {
            ones += 1;
            continue;
        }
        if ones == 6 && i >= 7 {
            if let Some(start) = after_flag {
                let end = i - 7;
                let has_six = bits[start..end.max(start)]
                    .windows(6)
                    .any(|w| w.iter().all(|&x| x == 1));
                if end > start && !has_six {
                    spans.push((start, end));
                }
            }
            after_flag = Some(i + 1);
        }
        ones = 0;
    }
    spans
}

fn total_octets(frames: &[Vec<u8>]) -> u64 {
    frames.iter().map(|f| f.len() as u64).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Frames come out exactly and in order, whatever the bit offset, the
    /// idle fill and the chunking on either side.
    #[test]
    fn frames_round_trip(
        frames in vec(frame(), 1..8),
        idle in idle_fill(),
        off in 0usize..8,
        junk in any::<u8>(),
        seed in any::<u64>(),
    ) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let line = transmit(&frames, idle, &mut rng);
        let line = shift(&to_bits(&line), off, junk);
        let mut rx = HdlcRx::with_min_len(1);
        let got = receive(&mut rx, &line, &mut rng);
        prop_assert_eq!(&got, &frames);
        let expect = HdlcRxStats {
            frames: frames.len() as u64,
            octets: total_octets(&frames),
            ..HdlcRxStats::default()
        };
        prop_assert_eq!(rx.stats(), expect);
    }

    /// A single bit error inside a frame drops (and counts) that frame only.
    #[test]
    fn bit_error_drops_one_frame(
        frames in vec(frame(), 2..6),
        idle in idle_fill(),
        victim in any::<Index>(),
        bit in any::<Index>(),
        off in 0usize..8,
        junk in any::<u8>(),
        seed in any::<u64>(),
    ) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let line = transmit(&frames, idle, &mut rng);
        let mut bits = to_bits(&line);
        let spans = frame_spans(&bits);
        prop_assert_eq!(spans.len(), frames.len());
        let v = victim.index(frames.len());
        let (start, end) = spans[v];
        bits[start + bit.index(end - start)] ^= 1;
        let mut rx = HdlcRx::with_min_len(1);
        let got = receive(&mut rx, &shift(&bits, off, junk), &mut rng);
        let mut expect = frames.clone();
        expect.remove(v);
        // (A bit error that creates a flag leaves pieces that pass the FCS
        // with probability about 2^-19 each; not seen in practice.)
        prop_assert_eq!(&got, &expect);
        let st = rx.stats();
        prop_assert_eq!(st.frames, expect.len() as u64);
        let dropped = st.fcs_errors + st.aborts + st.misaligned + st.short_frames + st.long_frames;
        prop_assert!(dropped >= 1, "{:?}", st);
    }

    /// Arbitrary line bytes never panic, whatever comes out respects the
    /// length limits, and the chunking makes no difference.
    #[test]
    fn arbitrary_input_is_safe(
        bytes in vec(prop_oneof![
            4 => any::<u8>(),
            2 => Just(0x7E),
            1 => Just(0xFF),
            1 => (0u32..8).prop_map(|r| 0x7Eu8.rotate_left(r)),
        ], 0..3000),
        min_len in 0usize..600,
        seed in any::<u64>(),
    ) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let mut rx = HdlcRx::with_min_len(min_len);
        let got = receive(&mut rx, &bytes, &mut rng);
        for f in &got {
            prop_assert!(f.len() >= min_len.min(MAX_FRAME) && f.len() <= MAX_FRAME);
        }
        prop_assert_eq!(rx.stats().frames, got.len() as u64);
        rx.reset();
        let again = receive(&mut rx, &bytes, &mut rng);
        prop_assert_eq!(again, got); // reset is a fresh start, chunking is irrelevant
    }

    /// Random use of the transmitter (sends, aborts, idle changes, fills of
    /// any size) never panics, and the receiver sees exactly the frames that
    /// were not aborted.
    #[test]
    fn random_tx_operations(
        ops in vec((0u8..10, frame(), 0usize..40), 1..40),
        idle in idle_fill(),
        seed in any::<u64>(),
    ) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let mut tx = HdlcTx::new(idle);
        let mut line = Vec::new();
        let mut expect: Vec<Vec<u8>> = Vec::new();
        let mut buf = [0u8; 40];
        let mut current: Option<Vec<u8>> = None;
        for (op, f, n) in ops {
            match op {
                0..=3 => {
                    if tx.send(&f).is_ok() {
                        if let Some(done) = current.take() {
                            expect.push(done);
                        }
                        current = Some(f);
                    } else {
                        prop_assert!(tx.is_busy());
                    }
                }
                4 => {
                    if tx.is_busy() {
                        current = None;
                    }
                    tx.abort();
                }
                5 => tx.set_idle_fill(if rng.gen_bool(0.5) { IdleFill::Flags } else { IdleFill::Ones }),
                _ => {
                    tx.fill(&mut buf[..n]);
                    line.extend_from_slice(&buf[..n]);
                }
            }
        }
        while tx.is_busy() {
            tx.fill(&mut buf[..8]);
            line.extend_from_slice(&buf[..8]);
        }
        tx.fill(&mut buf[..10]);
        line.extend_from_slice(&buf[..10]);
        expect.extend(current);
        let mut rx = HdlcRx::with_min_len(1);
        let got = receive(&mut rx, &line, &mut rng);
        prop_assert_eq!(&got, &expect);
        prop_assert_eq!(tx.stats().frames, expect.len() as u64);
        prop_assert_eq!(rx.stats().fcs_errors + rx.stats().misaligned, 0);
    }
}
