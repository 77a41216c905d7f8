//! Integration tests of the span line model (`trunk_testbench::line`).

use std::collections::VecDeque;
use std::time::Instant;

use proptest::prelude::*;
use trunk_testbench::line::{
    crc4, crc4_e1_frame, crc4_update, crc6, crc6_t1_frame, crc6_update, decode_symbols,
    encode_bits, Alarms, Counters, FarEnd, Fault, Framing, LineCode, LineConfig, LineKind,
    Loopback, SpanModel,
};

const MS: u64 = 8; // frames per millisecond

fn cfg(kind: LineKind, framing: Framing, code: LineCode) -> LineConfig {
    LineConfig {
        kind,
        framing,
        code,
    }
}

fn e1_crc4() -> LineConfig {
    LineConfig::default_for(LineKind::E1)
}
fn e1_g704() -> LineConfig {
    cfg(LineKind::E1, Framing::G704, LineCode::Hdb3)
}
fn t1_esf() -> LineConfig {
    LineConfig::default_for(LineKind::T1)
}
fn t1_d4_ami() -> LineConfig {
    cfg(LineKind::T1, Framing::D4, LineCode::Ami)
}

/// Pseudo-random payload for frame `k` of stream `salt`; bit 2 of channel 1
/// is set so that D4 never sees a yellow alarm in it.
fn payload(k: u64, salt: u64) -> [u8; 32] {
    let mut p = [0u8; 32];
    let mut x = k.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03);
    for b in p.iter_mut() {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 32;
        *b = x as u8;
    }
    p[1] |= 0x40;
    p
}

fn channels(kind: LineKind) -> std::ops::Range<usize> {
    match kind {
        LineKind::E1 => 1..32,
        LineKind::T1 => 1..25,
    }
}

struct Rig {
    m: SpanModel,
    kind: LineKind,
    far_end: FarEnd,
    k: u64,
    host_hist: VecDeque<[u8; 32]>,
    far_hist: VecDeque<[u8; 32]>,
    board_rx: [u8; 32],
    far_rx: [u8; 32],
}

impl Rig {
    fn new(c: LineConfig, far_end: FarEnd, seed: u64) -> Self {
        Rig {
            m: SpanModel::new(c, far_end, seed),
            kind: c.kind,
            far_end,
            k: 0,
            host_hist: VecDeque::new(),
            far_hist: VecDeque::new(),
            board_rx: [0; 32],
            far_rx: [0; 32],
        }
    }

    fn step(&mut self) {
        let host = payload(self.k, 1);
        let far = payload(self.k, 2);
        self.host_hist.push_front(host);
        self.far_hist.push_front(far);
        self.host_hist.truncate(16);
        self.far_hist.truncate(16);
        self.m
            .clock_frame(&host, &far, &mut self.board_rx, &mut self.far_rx);
        self.k += 1;
    }

    fn run(&mut self, frames: u64) {
        for _ in 0..frames {
            self.step();
        }
    }

    /// Frames until `pred(alarms)` holds (checked after each frame), or None.
    fn run_until(&mut self, max: u64, pred: impl Fn(&Alarms) -> bool) -> Option<u64> {
        (1..=max).find(|_| {
            self.step();
            pred(&self.m.alarms())
        })
    }

    /// Number of frames (out of `frames`) after which `pred(alarms)` holds.
    fn count(&mut self, frames: u64, pred: impl Fn(&Alarms) -> bool) -> u64 {
        (0..frames)
            .filter(|_| {
                self.step();
                pred(&self.m.alarms())
            })
            .count() as u64
    }

    /// Run until no alarm (at most 100 ms), panicking otherwise.
    fn settle(&mut self) -> u64 {
        let t = self.run_until(100 * MS, |a| !a.any());
        t.unwrap_or_else(|| panic!("no alignment within 100 ms: {:?}", self.m.alarms()))
    }

    /// Delay (frames) at which the board's received payload matches what was
    /// sent towards it (the host's own payload for a loop or local loopback).
    fn board_delay(&self) -> Option<usize> {
        let own = self.far_end == FarEnd::Loop || self.m.loopback() == Loopback::Local;
        let hist = if own { &self.host_hist } else { &self.far_hist };
        let ch = channels(self.kind);
        hist.iter()
            .position(|h| h[ch.clone()] == self.board_rx[ch.clone()])
    }

    /// Delay at which the far end's received payload matches the host's
    /// payload (or the far end's own, with a remote loopback).
    fn far_delay(&self) -> Option<usize> {
        let hist = if self.m.loopback() == Loopback::Remote {
            &self.far_hist
        } else {
            &self.host_hist
        };
        let ch = channels(self.kind);
        hist.iter()
            .position(|h| h[ch.clone()] == self.far_rx[ch.clone()])
    }
}

fn delta(a: Counters, b: Counters) -> Counters {
    Counters {
        crc_errors: b.crc_errors - a.crc_errors,
        code_violations: b.code_violations - a.code_violations,
        ebit_errors: b.ebit_errors - a.ebit_errors,
        slips: b.slips - a.slips,
        fas_errors: b.fas_errors - a.fas_errors,
    }
}

// ---------------------------------------------------------------- CRCs

/// Polynomial long division of M(x)·x^w by `gen` (w+1 bits), bit by bit.
fn long_division(data: &[u8], width: usize, gen: u32) -> u8 {
    let mut m: Vec<u8> = data
        .iter()
        .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
        .collect();
    let n = m.len();
    m.resize(m.len() + width, 0);
    for i in 0..n {
        if m[i] == 1 {
            for k in 0..=width {
                m[i + k] ^= ((gen >> (width - k)) & 1) as u8;
            }
        }
    }
    m[n..].iter().fold(0, |a, &b| (a << 1) | b)
}

#[test]
fn crc_known_vectors() {
    // Hand-worked: the message 0x80 is x^7.
    // CRC-4: x^11 mod (x^4 + x + 1); x^4 = x + 1, x^8 = x^2 + 1,
    //   x^11 = x^3·x^8 = x^5 + x^3 = x^2 + x + x^3 -> C1..C4 = 1110.
    assert_eq!(crc4(&[0x80]), 0b1110);
    // CRC-6: x^13 mod (x^6 + x + 1); x^6 = x + 1, x^12 = x^2 + 1,
    //   x^13 = x^3 + x -> C1..C6 = 001010.
    assert_eq!(crc6(&[0x80]), 0b00_1010);
    // "123456789" against long division.
    let msg = b"123456789";
    assert_eq!(crc4(msg), long_division(msg, 4, 0b1_0011));
    assert_eq!(crc6(msg), long_division(msg, 6, 0b100_0011));
    // Incremental == one shot.
    assert_eq!(crc4_update(crc4(&msg[..4]), &msg[4..]), crc4(msg));
    assert_eq!(crc6_update(crc6(&msg[..4]), &msg[4..]), crc6(msg));
    // Appending the CRC-4 (as the top nibble of a byte, then 4 more zero
    // bits) gives (M·x^4 + C)·x^4, a multiple of the generator: remainder 0.
    let mut ext = msg.to_vec();
    ext.push(crc4(msg) << 4);
    assert_eq!(long_division(&ext, 4, 0b1_0011), 0);
    assert_eq!(crc4(&ext), 0);
}

#[test]
fn crc_frame_functions_match_long_division() {
    for k in 0..200u64 {
        let f = payload(k, 7);
        // E1 frame: TS0 replaced by `ts0`.
        let ts0 = (k * 37) as u8;
        let mut g = f;
        g[0] = ts0;
        assert_eq!(crc4_e1_frame(0, ts0, &f), long_division(&g, 4, 0b1_0011));
        // T1 frame: F bit as 1, then channels 1..=24.
        let ch: [u8; 24] = f[1..25].try_into().unwrap();
        let mut msg = vec![0x80u8]; // F = 1, followed by the channel bits shifted by 1
        for (i, &c) in ch.iter().enumerate() {
            msg[i] |= c >> 1;
            msg.push(c << 7);
        }
        // `msg` holds 193 bits + 7 trailing zeros; remove their effect by
        // dividing 193 bits exactly: compute bitwise over the first 193 bits.
        let bits: Vec<u8> = msg
            .iter()
            .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
            .take(193)
            .collect();
        let mut reg = 0u8;
        for b in bits {
            let fb = ((reg >> 5) ^ b) & 1;
            reg = (reg << 1) & 0x3F;
            if fb == 1 {
                reg ^= 0b11;
            }
        }
        assert_eq!(crc6_t1_frame(0, &ch), reg);
    }
}

// ---------------------------------------------------------------- line codes

#[test]
fn hdb3_b8zs_all_zero_payload() {
    for (code, bound) in [(LineCode::Hdb3, 3), (LineCode::B8zs, 7)] {
        let zeros = vec![0u8; 256 * 8];
        let s = encode_bits(code, &zeros);
        let body = &s[..s.len() - 8];
        let longest = body.split(|&x| x != 0).map(|r| r.len()).max().unwrap();
        assert!(longest <= bound, "{code:?}: {longest} zeros");
        // DC balance: equally many + and - pulses (within one substitution).
        let sum: i32 = s.iter().map(|&x| x as i32).sum();
        assert!(sum.abs() <= 2, "{code:?} unbalanced: {sum}");
        let (bits, cv) = decode_symbols(code, &s);
        assert_eq!(bits, zeros);
        assert_eq!(cv, 0);
        // Single symbol errors.
        for k in [100usize, 333, 1001] {
            let mut e = s.clone();
            let j = (k..e.len()).find(|&j| e[j] != 0 && e[j - 1] != 0).unwrap();
            e[j] = -e[j];
            let (_, cv) = decode_symbols(code, &e);
            assert!(cv >= 1, "{code:?}: inverted pulse at {j} not detected");
        }
    }
}

// ---------------------------------------------------------------- E1 CRC-4 loop

#[test]
fn e1_crc4_loop_clean_for_two_seconds() {
    let mut r = Rig::new(e1_crc4(), FarEnd::Loop, 1);
    let t = r.settle();
    assert!(t <= 10 * MS, "alignment took {t} frames");
    let d = r.board_delay().expect("payload arrives");
    for k in 0..2 * 8000 {
        r.step();
        assert_eq!(r.m.alarms(), Alarms::default(), "frame {k}");
        assert_eq!(
            r.board_delay(),
            Some(d),
            "frame {k}: payload corrupted or delay changed"
        );
    }
    assert_eq!(r.m.counters(), Counters::default());
    assert_eq!(d, 2);
}

// ---------------------------------------------------------------- faults

/// Inject each alarm-raising fault, check the alarm comes within `limit`
/// frames and stays, then clear it and check all alarms go away.
fn fault_suite(c: LineConfig, far_end: FarEnd, seed: u64) {
    let mut r = Rig::new(c, far_end, seed);
    r.settle();
    let crc4 = c.framing == Framing::Crc4;
    type Case = (Fault, fn(&Alarms) -> bool, u64);
    let cases: [Case; 4] = [
        (Fault::Los, |a| a.los && a.lof, 5 * MS),
        (Fault::Ais, |a| a.ais && a.lof && !a.los, 10 * MS),
        (Fault::Lof, |a| a.lof && !a.ais && !a.los, 5 * MS),
        (Fault::Rai, |a| a.rai && !a.lof && !a.crc_mf_loss, 20 * MS),
    ];
    for (fault, pred, limit) in cases {
        r.m.inject(fault);
        assert_eq!(r.m.active_faults(), vec![fault]);
        let t = r.run_until(limit, pred);
        assert!(
            t.is_some(),
            "{c:?} {far_end:?}: {fault:?} gave {:?}",
            r.m.alarms()
        );
        if crc4 && fault != Fault::Rai {
            assert!(
                r.m.alarms().crc_mf_loss,
                "{c:?}: {fault:?} without CRC MF loss"
            );
        }
        // The alarm persists (LOF may rarely flicker on a false alignment
        // while hunting through random payload).
        let held = r.count(100 * MS, pred);
        assert!(
            held >= 95 * MS,
            "{c:?} {far_end:?}: {fault:?} held only {held} frames"
        );
        if far_end == FarEnd::Terminal && fault != Fault::Rai {
            // Consequent action: the board sends RAI towards the far end.
            assert!(r.m.far_alarms().rai, "{c:?}: no RAI sent during {fault:?}");
        }
        r.m.clear_faults();
        assert!(r.m.active_faults().is_empty());
        let t = r.run_until(60 * MS, |a| !a.any());
        assert!(
            t.is_some(),
            "{c:?} {far_end:?}: after {fault:?}, still {:?}",
            r.m.alarms()
        );
        let bad = r.count(50 * MS, |a| a.any());
        assert_eq!(bad, 0, "{c:?}: alarms came back after clearing {fault:?}");
        if far_end == FarEnd::Terminal {
            assert_eq!(r.m.far_alarms(), Alarms::default());
        }
        assert!(r.board_delay().is_some());
    }
}

#[test]
fn faults_e1_crc4() {
    fault_suite(e1_crc4(), FarEnd::Loop, 2);
    fault_suite(e1_crc4(), FarEnd::Terminal, 3);
}

#[test]
fn faults_e1_g704() {
    fault_suite(e1_g704(), FarEnd::Loop, 4);
    fault_suite(
        cfg(LineKind::E1, Framing::G704, LineCode::Ami),
        FarEnd::Terminal,
        5,
    );
}

#[test]
fn faults_t1_esf() {
    fault_suite(t1_esf(), FarEnd::Loop, 6);
    fault_suite(t1_esf(), FarEnd::Terminal, 7);
}

#[test]
fn faults_t1_d4() {
    fault_suite(t1_d4_ami(), FarEnd::Loop, 8);
    fault_suite(
        cfg(LineKind::T1, Framing::D4, LineCode::B8zs),
        FarEnd::Terminal,
        9,
    );
}

/// Run one second at BER 1e-3 and return the counter deltas (after settling).
fn ber_second(c: LineConfig, far_end: FarEnd, seed: u64) -> (Rig, Counters) {
    let mut r = Rig::new(c, far_end, seed);
    r.settle();
    let c0 = r.m.counters();
    r.m.inject(Fault::Ber(1e-3));
    let lof = r.count(8000, |a| a.lof);
    assert_eq!(lof, 0, "{c:?}: BER 1e-3 must not lose frame");
    let d = delta(c0, r.m.counters());
    r.m.clear_faults();
    (r, d)
}

fn within(x: u64, lo: f64, hi: f64) -> bool {
    (lo..=hi).contains(&(x as f64))
}

#[test]
fn ber_e1_crc4() {
    let (mut r, d) = ber_second(e1_crc4(), FarEnd::Loop, 11);
    // 2.048e6 symbols/s at 1e-3 -> ~2048 symbol errors, each about one violation.
    assert!(within(d.code_violations, 1000.0, 4100.0), "{d:?}");
    // 1000 SMF/s, P(errored) = 1 - (1 - 1e-3)^2048 = 0.871, 15/16 detected -> ~817.
    assert!(within(d.crc_errors, 650.0, 950.0), "{d:?}");
    // 4000 FAS words/s of 7 bits -> ~28 (a bit more with HDB3 error extension).
    assert!(within(d.fas_errors, 10.0, 120.0), "{d:?}");
    // Loop: the board's own E bits come back reporting its CRC errors.
    let ratio = d.ebit_errors as f64 / d.crc_errors as f64;
    assert!((0.9..1.1).contains(&ratio), "{d:?}");
    assert_eq!(d.slips, 0);
    assert!(r.run_until(60 * MS, |a| !a.any()).is_some());
}

#[test]
fn ber_e1_g704_and_t1() {
    let (_, d) = ber_second(e1_g704(), FarEnd::Loop, 12);
    assert_eq!((d.crc_errors, d.ebit_errors), (0, 0), "{d:?}");
    assert!(within(d.fas_errors, 10.0, 120.0), "{d:?}");
    assert!(within(d.code_violations, 1000.0, 4100.0), "{d:?}");

    let (_, d) = ber_second(t1_esf(), FarEnd::Loop, 13);
    // 333 ESF/s, P(errored) = 1 - (1 - 1e-3)^4632 = 0.99, 63/64 detected -> ~325.
    assert!(within(d.crc_errors, 280.0, 334.0), "{d:?}");
    // 1.544e6 symbols/s -> ~1544 errors.
    assert!(within(d.code_violations, 700.0, 3200.0), "{d:?}");
    // 2000 FPS bits/s -> ~2 errors.
    assert!(d.fas_errors <= 20, "{d:?}");

    let (_, d) = ber_second(t1_d4_ami(), FarEnd::Terminal, 14);
    assert_eq!(d.crc_errors, 0);
    // 8000 F bits/s -> ~8 errors.
    assert!(within(d.fas_errors, 1.0, 40.0), "{d:?}");
    assert!(within(d.code_violations, 700.0, 3200.0), "{d:?}");
}

#[test]
fn e_bits_reach_far_end() {
    let mut r = Rig::new(e1_crc4(), FarEnd::Terminal, 21);
    r.settle();
    r.m.inject(Fault::Ber(1e-3));
    r.run(8000);
    r.m.clear_faults();
    r.run(20 * MS);
    let near = r.m.counters();
    let far = r.m.far_counters();
    assert!(within(near.crc_errors, 650.0, 950.0), "{near:?}");
    // Every errored submultiframe seen by the board is reported by one E = 0
    // bit, and the board -> far end direction is clean.
    assert_eq!(
        far.ebit_errors, near.crc_errors,
        "near {near:?} far {far:?}"
    );
    assert_eq!(far.crc_errors, 0);
    // The far end's E bits are all 1 (it sees no errors); only the line
    // errors can hit one of its ~1000 E bits per second.
    assert!(near.ebit_errors <= 10, "{near:?}");
}

#[test]
fn crc_multiframe_loss_on_heavy_errors() {
    // At 5e-3 nearly every submultiframe is errored (>= 915 of 1000), so the
    // receiver declares loss of CRC-4 multiframe and re-searches.
    let mut r = Rig::new(e1_crc4(), FarEnd::Loop, 31);
    r.settle();
    r.m.inject(Fault::Ber(5e-3));
    // The first block of 1000 submultiframes ends after about a second.
    let t = r.run_until(16000, |a| a.crc_mf_loss).expect("CRC MF loss");
    assert!(t > 900 * MS, "declared after {t} frames");
    r.m.clear_faults();
    assert!(r.run_until(60 * MS, |a| !a.any()).is_some());
}

#[test]
fn slips_are_whole_frames() {
    for (c, fe) in [
        (e1_crc4(), FarEnd::Loop),
        (t1_esf(), FarEnd::Terminal),
        (t1_d4_ami(), FarEnd::Loop),
    ] {
        let mut r = Rig::new(c, fe, 41);
        r.settle();
        // D4: frames sent with RAI (bit 2 = 0) while hunting are still in the line.
        r.run(MS);
        let c0 = r.m.counters();
        let d0 = r
            .board_delay()
            .unwrap_or_else(|| panic!("{c:?}: {:?} {:?}", r.board_rx, r.host_hist[2]));
        r.m.inject(Fault::Slip(3));
        let mut delays = Vec::new();
        for _ in 0..10 * MS {
            r.step();
            assert!(!r.m.alarms().any(), "{c:?}: {:?}", r.m.alarms());
            delays.push(r.board_delay().expect("a whole frame"));
        }
        let d = delta(c0, r.m.counters());
        assert_eq!(
            d,
            Counters {
                slips: 3,
                ..Counters::default()
            },
            "{c:?}"
        );
        assert!(r.m.active_faults().is_empty());
        // repeat (+1), delete (-1), repeat (+1)
        assert_eq!(*delays.last().unwrap(), d0 + 1);
        assert!(delays.iter().all(|&x| x == d0 || x == d0 + 1));
    }
}

#[test]
fn loopbacks() {
    // Local: the board hears itself; the line receive side is ignored.
    let mut r = Rig::new(e1_crc4(), FarEnd::Terminal, 51);
    r.settle();
    r.m.set_loopback(Loopback::Local);
    r.m.inject(Fault::Los);
    r.run(10 * MS);
    let d = r.board_delay().expect("own payload");
    for _ in 0..50 * MS {
        r.step();
        assert_eq!(r.m.alarms(), Alarms::default());
        assert_eq!(r.board_delay(), Some(d));
    }
    // The far end still receives the board's signal.
    assert_eq!(r.far_delay(), Some(2));
    r.m.clear_faults();
    r.m.set_loopback(Loopback::None);
    r.settle();

    // Remote: the far end gets its own signal back; the board still receives.
    for c in [e1_crc4(), t1_esf()] {
        let mut r = Rig::new(c, FarEnd::Terminal, 52);
        r.settle();
        r.m.set_loopback(Loopback::Remote);
        r.run(50 * MS);
        assert_eq!(r.far_delay(), Some(4), "{c:?}");
        assert_eq!(r.m.far_alarms(), Alarms::default(), "{c:?}");
        assert_eq!(r.m.alarms(), Alarms::default(), "{c:?}");
        assert_eq!(r.board_delay(), Some(2));
    }
}

#[test]
fn reconfigure_keeps_counters_and_realigns() {
    let mut r = Rig::new(e1_crc4(), FarEnd::Terminal, 61);
    r.settle();
    r.m.inject(Fault::Ber(1e-3));
    r.run(100 * MS);
    r.m.clear_faults();
    let c0 = r.m.counters();
    assert!(c0.crc_errors > 0);
    for c in [t1_esf(), t1_d4_ami(), e1_g704(), e1_crc4()] {
        r.m.reconfigure(c);
        r.kind = c.kind;
        assert_eq!(r.m.config(), c);
        r.settle();
        r.run(10);
        assert!(r.board_delay().is_some());
        let c1 = r.m.counters();
        assert!(c1.crc_errors >= c0.crc_errors && c1.code_violations >= c0.code_violations);
    }
    // Invalid combinations are sanitized.
    r.m.reconfigure(cfg(LineKind::T1, Framing::Crc4, LineCode::Hdb3));
    assert_eq!(r.m.config(), t1_esf());
}

#[test]
fn deterministic_for_a_seed() {
    let run = |seed| {
        let mut r = Rig::new(t1_esf(), FarEnd::Loop, seed);
        r.m.inject(Fault::Ber(2e-3));
        r.run(4000);
        r.m.counters()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

// ---------------------------------------------------------------- performance

fn ns_per_frame(c: LineConfig, far_end: FarEnd, fault: Option<Fault>, frames: u64) -> f64 {
    let mut m = SpanModel::new(c, far_end, 1);
    if let Some(f) = fault {
        m.inject(f);
    }
    let host: Vec<[u8; 32]> = (0..64).map(|k| payload(k, 1)).collect();
    let far = payload(0, 2);
    let (mut b, mut f) = ([0u8; 32], [0u8; 32]);
    for k in 0..2000 {
        m.clock_frame(&host[k % 64], &far, &mut b, &mut f);
    }
    let t = Instant::now();
    let mut acc = 0u8;
    for k in 0..frames as usize {
        m.clock_frame(&host[k % 64], &far, &mut b, &mut f);
        acc ^= b[5];
    }
    let ns = t.elapsed().as_nanos() as f64 / frames as f64;
    std::hint::black_box(acc);
    if fault.is_none() {
        assert!(!m.alarms().any());
    }
    ns
}

#[test]
fn clock_frame_cost() {
    let frames = if cfg!(debug_assertions) {
        20_000
    } else {
        400_000
    };
    let e1 = ns_per_frame(e1_crc4(), FarEnd::Loop, None, frames);
    let e1t = ns_per_frame(e1_crc4(), FarEnd::Terminal, None, frames);
    let t1 = ns_per_frame(t1_esf(), FarEnd::Loop, None, frames);
    let ber = ns_per_frame(e1_crc4(), FarEnd::Loop, Some(Fault::Ber(1e-3)), frames / 4);
    println!("clock_frame: E1 CRC-4 loop {e1:.0} ns/frame, E1 CRC-4 terminal {e1t:.0} ns/frame, T1 ESF loop {t1:.0} ns/frame, E1 with BER (symbol path) {ber:.0} ns/frame");
    if !cfg!(debug_assertions) {
        // Real time for 16 spans needs < 7800 ns per span-frame; the target
        // for the fast path is a few hundred ns.  Generous bound for shared
        // CI machines.
        assert!(e1 < 2000.0, "{e1} ns/frame");
    }
}

// ---------------------------------------------------------------- properties

fn any_config() -> impl Strategy<Value = LineConfig> {
    prop_oneof![Just(e1_crc4()), Just(e1_g704()), Just(t1_esf())]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary payload bytes (a cycle of 1, 3, 5 or 7 frames) go through a
    /// loop intact, with a constant delay and no alarm.
    #[test]
    fn arbitrary_payload_roundtrips(c in any_config(), frames in prop::collection::vec(prop::array::uniform32(any::<u8>()), 1..8), seed in any::<u64>()) {
        let n = if frames.len() % 2 == 0 { frames.len() - 1 } else { frames.len() };
        let frames = &frames[..n];
        let mut m = SpanModel::new(c, FarEnd::Loop, seed);
        let (mut b, mut f) = ([0u8; 32], [0u8; 32]);
        let far = [0xD5u8; 32];
        for k in 0..120 * MS as usize {
            m.clock_frame(&frames[k % n], &far, &mut b, &mut f);
        }
        prop_assert_eq!(m.alarms(), Alarms::default());
        let ch = channels(c.kind);
        for k in 120 * MS as usize..140 * MS as usize {
            m.clock_frame(&frames[k % n], &far, &mut b, &mut f);
            prop_assert_eq!(m.alarms(), Alarms::default());
            prop_assert_eq!(&b[ch.clone()], &frames[(k - 2) % n][ch.clone()]);
        }
        prop_assert_eq!(m.counters(), Counters::default());
    }

    /// Arbitrary sequences of faults, loopbacks and reconfigurations never panic
    /// and counters never go backwards.
    #[test]
    fn arbitrary_fault_sequences(ops in prop::collection::vec(any_op(), 1..40), far_loop in any::<bool>(), seed in any::<u64>()) {
        let far_end = if far_loop { FarEnd::Loop } else { FarEnd::Terminal };
        let mut m = SpanModel::new(LineConfig::default_for(LineKind::E1), far_end, seed);
        let (mut b, mut f) = ([0u8; 32], [0u8; 32]);
        let mut last = m.counters();
        let mut k = 0u64;
        for op in ops {
            match op {
                Op::Inject(fault) => m.inject(fault),
                Op::Clear => m.clear_faults(),
                Op::Loopback(lb) => m.set_loopback(lb),
                Op::Reconfigure(c) => m.reconfigure(c),
                Op::Clock(n) => {
                    for _ in 0..n {
                        m.clock_frame(&payload(k, 1), &payload(k, 2), &mut b, &mut f);
                        k += 1;
                    }
                }
            }
            let now = m.counters();
            prop_assert!(now.crc_errors >= last.crc_errors && now.code_violations >= last.code_violations
                && now.ebit_errors >= last.ebit_errors && now.slips >= last.slips && now.fas_errors >= last.fas_errors);
            last = now;
            let _ = (m.alarms(), m.far_alarms(), m.active_faults(), m.far_counters());
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Inject(Fault),
    Clear,
    Loopback(Loopback),
    Reconfigure(LineConfig),
    Clock(u32),
}

fn any_fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::Los),
        Just(Fault::Ais),
        Just(Fault::Rai),
        Just(Fault::Lof),
        any::<f64>().prop_map(Fault::Ber),
        (0.0f64..0.2).prop_map(Fault::Ber),
        any::<u32>().prop_map(Fault::Slip),
    ]
}

fn any_op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![Just(LineKind::E1), Just(LineKind::T1)];
    let framing = prop_oneof![
        Just(Framing::G704),
        Just(Framing::Crc4),
        Just(Framing::D4),
        Just(Framing::Esf)
    ];
    let code = prop_oneof![
        Just(LineCode::Ami),
        Just(LineCode::Hdb3),
        Just(LineCode::B8zs)
    ];
    prop_oneof![
        any_fault().prop_map(Op::Inject),
        Just(Op::Clear),
        prop_oneof![
            Just(Loopback::None),
            Just(Loopback::Local),
            Just(Loopback::Remote)
        ]
        .prop_map(Op::Loopback),
        (kind, framing, code).prop_map(|(kind, framing, code)| Op::Reconfigure(LineConfig {
            kind,
            framing,
            code
        })),
        (0u32..400).prop_map(Op::Clock),
    ]
}
