//! Tests of the software HDLC transmitter and receiver
//! (`trunk_driver_sys::hdlc`). Properties: round trips at arbitrary bit
//! offsets and chunkings, single bit errors, arbitrary input, random
//! transmitter use. Fixed vectors (module `vectors`): an independently
//! computed line encoding, a bit-level reference encoder, shared-zero flags,
//! every discard counter, aborts, send errors.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use trunk_driver_sys::fcs::fcs16;
use trunk_driver_sys::hdlc::{
    HdlcError, HdlcRx, HdlcRxStats, HdlcTx, HdlcTxStats, IdleFill, MAX_FRAME,
};

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

/// Mostly short frames, for tests that need many of them.
fn small_frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => vec(octet(), 1..=24),
        1 => vec(octet(), 1..=MAX_FRAME),
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
        ops in vec((0u8..10, small_frame(), 0usize..40), 1..40),
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

/// Fixed vectors: bit order, shared flags, each discard counter, aborts.
mod vectors {
    use super::*;

    const FLAG_BITS: [u8; 8] = [0, 1, 1, 1, 1, 1, 1, 0];

    /// Line bits of one frame (with FCS, stuffed), straight from the spec.
    fn ref_frame_bits(frame: &[u8]) -> Vec<u8> {
        let mut bits = Vec::new();
        let mut run = 0;
        for &o in frame.iter().chain(&fcs16(frame).to_le_bytes()) {
            for k in 0..8 {
                let b = (o >> k) & 1;
                bits.push(b);
                run = if b == 1 { run + 1 } else { 0 };
                if run == 5 {
                    bits.push(0);
                    run = 0;
                }
            }
        }
        bits
    }

    fn rx_all(rx: &mut HdlcRx, bytes: &[u8], chunk: usize) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        for c in bytes.chunks(chunk) {
            rx.push(c, |f| got.push(f.to_vec()));
        }
        got
    }

    #[test]
    fn literal_vector() {
        // Computed independently (Python): flag, 02 01 7F + FCS E1DC sent
        // LSB first with one inserted zero, closing flag, idle flags.
        let expect = [0x7E, 0x40, 0x80, 0xFB, 0x1D, 0xC3, 0xBF, 0x3F];
        let mut tx = HdlcTx::new(IdleFill::Flags);
        tx.send(&[0x02, 0x01, 0x7F]).unwrap();
        let mut out = [0u8; 8];
        tx.fill(&mut out);
        assert_eq!(out, expect);
        assert!(!tx.is_busy());
        let mut rx = HdlcRx::new();
        let mut tail = [0u8; 4];
        tx.fill(&mut tail);
        assert_eq!(tail, [0x3F; 4]); // flags continue at the same offset
        let got = rx_all(&mut rx, &[&out[..], &tail[..]].concat(), 1);
        assert_eq!(got, vec![vec![0x02, 0x01, 0x7F]]);
    }

    #[test]
    fn reference_encoder_all_offsets() {
        let frames: Vec<Vec<u8>> = vec![
            vec![0x00, 0x01, 0x03],
            vec![0xFF; 20],
            vec![0x7E; 7],
            vec![0x1F, 0x3E, 0xF8, 0x7C, 0xFF, 0x7E, 0x00],
            (0..=255).collect(),
            vec![0xA5; MAX_FRAME],
        ];
        for off in 0..8 {
            for chunk in [1, 3, 8, 64] {
                let mut bits = vec![1u8; off];
                bits.extend(FLAG_BITS);
                for f in &frames {
                    bits.extend(ref_frame_bits(f));
                    bits.extend(FLAG_BITS);
                }
                let mut rx = HdlcRx::new();
                assert_eq!(rx_all(&mut rx, &to_bytes(&bits), chunk), frames);
                let st = rx.stats();
                assert_eq!(st.frames, frames.len() as u64);
                assert_eq!(
                    st.octets,
                    frames.iter().map(|f| f.len() as u64).sum::<u64>()
                );
                assert_eq!(
                    st,
                    HdlcRxStats {
                        frames: st.frames,
                        octets: st.octets,
                        ..Default::default()
                    }
                );
            }
        }
    }

    #[test]
    fn shared_zero_flags() {
        let mut bits = FLAG_BITS.to_vec();
        bits.extend(&FLAG_BITS[1..]); // 011111101111110
        bits.extend(ref_frame_bits(&[1, 2, 3]));
        bits.extend(FLAG_BITS);
        bits.extend(&FLAG_BITS[1..]);
        bits.extend(ref_frame_bits(&[4, 5, 6]));
        bits.extend(FLAG_BITS);
        let mut rx = HdlcRx::new();
        assert_eq!(
            rx_all(&mut rx, &to_bytes(&bits), 2),
            vec![vec![1, 2, 3], vec![4, 5, 6]]
        );
    }

    #[test]
    fn discard_counters() {
        let mut bits = FLAG_BITS.to_vec();
        bits.extend(ref_frame_bits(&[1, 2])); // short
        bits.extend(FLAG_BITS);
        bits.extend(ref_frame_bits(&[7; MAX_FRAME + 1])); // long
        bits.extend(FLAG_BITS);
        let mut f = ref_frame_bits(&[1, 2, 3]);
        f.insert(5, 0); // misaligned
        bits.extend(f);
        bits.extend(FLAG_BITS);
        let mut f = ref_frame_bits(&[1, 2, 3, 4]);
        f[9] ^= 1; // FCS error
        bits.extend(f);
        bits.extend(FLAG_BITS);
        bits.extend(&ref_frame_bits(&[9; 30])[..100]);
        bits.extend([1; 9]); // abort
        bits.extend(FLAG_BITS);
        bits.extend([1; 20]); // mark idle after a flag: not an abort
        bits.extend(FLAG_BITS);
        bits.extend([1; 10]); // a frame whose start became an abort
        bits.extend([0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0]);
        bits.extend(FLAG_BITS);
        bits.extend(ref_frame_bits(&[8, 8, 8]));
        bits.extend(FLAG_BITS);
        let mut rx = HdlcRx::new();
        assert_eq!(rx_all(&mut rx, &to_bytes(&bits), 5), vec![vec![8, 8, 8]]);
        let expect = HdlcRxStats {
            frames: 1,
            octets: 3,
            fcs_errors: 1,
            aborts: 2,
            short_frames: 1,
            long_frames: 1,
            misaligned: 1,
        };
        assert_eq!(rx.stats(), expect);
        let mut rx = HdlcRx::with_min_len(2);
        rx_all(&mut rx, &to_bytes(&bits), 5);
        assert_eq!(rx.stats().frames, 2);
    }

    #[test]
    fn tx_abort() {
        let mut tx = HdlcTx::new(IdleFill::Flags);
        let mut rx = HdlcRx::new();
        let mut out = [0u8; 16];
        let mut got = Vec::new();
        tx.send(&[0x55; 100]).unwrap();
        assert_eq!(tx.send(&[1, 2, 3]), Err(HdlcError::Busy));
        tx.fill(&mut out);
        rx.push(&out, |f| got.push(f.to_vec()));
        tx.abort();
        assert!(!tx.is_busy());
        tx.send(&[1, 2, 3]).unwrap();
        for _ in 0..4 {
            tx.fill(&mut out);
            rx.push(&out, |f| got.push(f.to_vec()));
        }
        assert_eq!(got, vec![vec![1, 2, 3]]);
        assert_eq!(rx.stats().aborts, 1);
        assert_eq!(
            tx.stats(),
            HdlcTxStats {
                frames: 1,
                octets: 3,
                aborts: 1
            }
        );
    }

    #[test]
    fn send_errors() {
        let mut tx = HdlcTx::new(IdleFill::Ones);
        assert_eq!(tx.send(&[]), Err(HdlcError::Empty));
        assert_eq!(
            tx.send(&[0; MAX_FRAME + 1]),
            Err(HdlcError::TooLong(MAX_FRAME + 1))
        );
        assert_eq!(tx.send(&[0; MAX_FRAME]), Ok(()));
        assert_eq!(tx.send(&[0; 3]), Err(HdlcError::Busy));
    }

    #[test]
    fn idle_at_every_offset() {
        for idle in [IdleFill::Flags, IdleFill::Ones] {
            let mut tx = HdlcTx::new(idle);
            let mut rx = HdlcRx::new();
            let mut got = Vec::new();
            let mut out = [0u8; 8];
            let mut idle_bytes = std::collections::BTreeSet::new();
            // Frames of 3..=10 octets leave idle at every bit offset.
            for len in 3..=10usize {
                let frame: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(0x3D)).collect();
                tx.send(&frame).unwrap();
                for _ in 0..4 {
                    tx.fill(&mut out);
                    rx.push(&out, |f| got.push(f.to_vec()));
                }
                tx.fill(&mut out);
                let b = out[0];
                assert!(out.iter().all(|&x| x == b), "{idle:?}: {out:02X?}");
                rx.push(&out, |f| got.push(f.to_vec()));
                idle_bytes.insert(b);
                assert_eq!(got.last(), Some(&frame));
            }
            let offsets = if idle == IdleFill::Flags { 8 } else { 1 };
            assert_eq!(idle_bytes.len(), offsets, "{idle_bytes:02X?}");
            assert_eq!(got.len(), 8);
            assert_eq!(rx.stats().frames, 8);
            assert_eq!(rx.stats().aborts, 0);
        }
    }
}
