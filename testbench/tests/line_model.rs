//! Integration tests of the span line model (`trunk_testbench::line`).

use std::collections::VecDeque;
use std::time::Instant;

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

fn to_bits(data: &[u8]) -> Vec<u8> {
    data.iter()
        .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
        .collect()
}

/// Remainder of M(x)·x^w divided by `gen` (w+1 bits), by long division.
fn long_division(bits: &[u8], width: usize, gen: u32) -> u8 {
    let mut m = bits.to_vec();
    m.resize(bits.len() + width, 0);
    for i in 0..bits.len() {
        if m[i] == 1 {
            for k in 0..=width {
                m[i + k] ^= ((gen >> (width - k)) & 1) as u8;
            }
        }
    }
    m[bits.len()..].iter().fold(0, |a, &b| (a << 1) | b)
}

const G4: u32 = 0b1_0011; // x^4 + x + 1
const G6: u32 = 0b100_0011; // x^6 + x + 1

#[test]
fn crc_known_vectors() {
    // Hand-worked: the message 0x80 is x^7.
    // CRC-4: x^11 mod (x^4 + x + 1); x^4 = x + 1, x^8 = x^2 + 1,
    //   x^11 = x^3·x^8 = x^5 + x^3 = x^2 + x + x^3 -> C1..C4 = 1110.
    assert_eq!(crc4(&[0x80]), 0b1110);
    // CRC-6: x^13 mod (x^6 + x + 1); x^6 = x + 1, x^12 = x^2 + 1,
    //   x^13 = x^3 + x -> C1..C6 = 001010.
    assert_eq!(crc6(&[0x80]), 0b00_1010);
    // The CRC catalogue's CRC-4/G-704 and CRC-6/G-704 (reflected variants,
    // check over "123456789" = 0x7 and 0x06): reflecting input octets and
    // output bits turns them into our MSB-first functions.
    let msg = b"123456789";
    let refl: Vec<u8> = msg.iter().map(|b| b.reverse_bits()).collect();
    assert_eq!(crc4(&refl).reverse_bits() >> 4, 0x7);
    assert_eq!(crc6(&refl).reverse_bits() >> 2, 0x06);
    assert_eq!(crc4(msg), long_division(&to_bits(msg), 4, G4));
    assert_eq!(crc6(msg), long_division(&to_bits(msg), 6, G6));
    assert_eq!(crc4_update(crc4(&msg[..4]), &msg[4..]), crc4(msg));
    assert_eq!(crc6_update(crc6(&msg[..4]), &msg[4..]), crc6(msg));
    // M·x^8 + C·x^4 = (M·x^4 + C)·x^4 is a multiple of the generator.
    let mut ext = msg.to_vec();
    ext.push(crc4(msg) << 4);
    assert_eq!(crc4(&ext), 0);
}

#[test]
fn crc_over_submultiframe_and_superframe() {
    for k in 0..50u64 {
        // E1 submultiframe: 8 frames, C bits (Si of even frames) at 0.
        let (mut reg, mut bits) = (0u8, Vec::new());
        for f in 0..8u64 {
            let mut fr = payload(8 * k + f, 7);
            if f % 2 == 0 {
                fr[0] &= 0x7F;
            }
            reg = crc4_e1_frame(reg, fr[0], &fr);
            bits.extend(to_bits(&fr));
        }
        assert_eq!(bits.len(), 2048);
        assert_eq!(reg, long_division(&bits, 4, G4));
        // T1 ESF: 24 frames of 193 bits, F bits counted as 1.
        let (mut reg, mut bits) = (0u8, Vec::new());
        for f in 0..24u64 {
            let ch: [u8; 24] = payload(24 * k + f, 8)[1..25].try_into().unwrap();
            reg = crc6_t1_frame(reg, &ch);
            bits.push(1);
            bits.extend(to_bits(&ch));
        }
        assert_eq!(bits.len(), 4632);
        assert_eq!(reg, long_division(&bits, 6, G6));
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

#[test]
fn every_config_runs_clean_with_constant_delay() {
    let configs = [
        e1_g704(),
        cfg(LineKind::E1, Framing::Crc4, LineCode::Ami),
        t1_esf(),
        cfg(LineKind::T1, Framing::Esf, LineCode::Ami),
        t1_d4_ami(),
        cfg(LineKind::T1, Framing::D4, LineCode::B8zs),
    ];
    for (i, c) in configs.into_iter().enumerate() {
        for far_end in [FarEnd::Loop, FarEnd::Terminal] {
            let mut r = Rig::new(c, far_end, 100 + i as u64);
            let t = r.settle();
            assert!(t <= 20 * MS, "{c:?}: alignment took {t} frames");
            r.run(MS);
            for k in 0..500 * MS {
                r.step();
                assert!(
                    !r.m.alarms().any(),
                    "{c:?} {far_end:?} frame {k}: {:?}",
                    r.m.alarms()
                );
                assert_eq!(r.board_delay(), Some(2), "{c:?} {far_end:?} frame {k}");
                if far_end == FarEnd::Terminal {
                    assert_eq!(r.far_delay(), Some(2), "{c:?} frame {k}");
                }
            }
            assert_eq!(r.m.counters(), Counters::default(), "{c:?} {far_end:?}");
            assert_eq!(r.m.far_alarms(), Alarms::default());
            assert_eq!(r.m.far_counters(), Counters::default());
        }
    }
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

/// Run one second at a line code error rate of 1e-3 and return the counter
/// deltas (after settling).
fn ber_second(c: LineConfig, far_end: FarEnd, seed: u64) -> (Rig, Counters) {
    error_second(c, far_end, seed, Fault::CodeErrors(1e-3))
}

fn error_second(c: LineConfig, far_end: FarEnd, seed: u64, fault: Fault) -> (Rig, Counters) {
    let mut r = Rig::new(c, far_end, seed);
    r.settle();
    let c0 = r.m.counters();
    r.m.inject(fault);
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
fn logic_bit_errors_give_crc_and_fas_errors_but_no_code_violations() {
    let (_, d) = error_second(e1_crc4(), FarEnd::Loop, 15, Fault::Ber(1e-3));
    assert_eq!(d.code_violations, 0, "{d:?}");
    // Exactly one bit error per injected error: P(SMF errored) = 0.871 -> ~817.
    assert!(within(d.crc_errors, 700.0, 930.0), "{d:?}");
    assert!(within(d.fas_errors, 10.0, 60.0), "{d:?}");
    let (_, d) = error_second(t1_esf(), FarEnd::Loop, 16, Fault::Ber(1e-3));
    assert_eq!(d.code_violations, 0, "{d:?}");
    assert!(within(d.crc_errors, 280.0, 334.0), "{d:?}");
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
