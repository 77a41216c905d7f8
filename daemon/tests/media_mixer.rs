//! Conference, bridge and cross-board leg behaviour of `trunkd::media::mixer`
//! seen through its public API, the way the engine drives it: per 1 ms tick,
//! `rx` frames in, `tx` frames out, indexed by channel.

use std::f64::consts::PI;

use trunkd::media::dtmf::{dbm0_to_peak, DBM0_PEAK};
use trunkd::media::mixer::{
    remote_pair, ConferencePool, MixError, Role, MAX_PARTIES, REMOTE_PRIME_FRAMES,
};
use trunkd::media::mixer::{Conference, FRAME};

/// Marks tx slots the mixer must not write.
const UNTOUCHED: i16 = 0x5a5a;

/// Sample `n` of a sine of `hz` at `dbm0` (8 kHz), with a phase offset so
/// a 1 kHz tone does not sit on the sample grid's zero crossings.
fn tone(hz: f64, dbm0: f32, n: usize) -> i16 {
    let peak = f64::from(dbm0_to_peak(dbm0));
    (peak * (2.0 * PI * hz * n as f64 / 8000.0 + 0.3).sin()).round() as i16
}

/// Level in dBm0 of a sine-like signal from its RMS.
fn level_dbm0(samples: &[i16]) -> f64 {
    let ms = samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64;
    20.0 * (ms.sqrt() * 2f64.sqrt() / f64::from(DBM0_PEAK)).log10()
}

/// The engine's per-board arrays plus a recording of every channel's tx.
struct Board {
    rx: Vec<[i16; FRAME]>,
    tx: Vec<[i16; FRAME]>,
    heard: Vec<Vec<i16>>,
    sent: Vec<Vec<i16>>,
}

impl Board {
    fn new(channels: usize) -> Self {
        Self {
            rx: vec![[0; FRAME]; channels],
            tx: vec![[UNTOUCHED; FRAME]; channels],
            heard: vec![Vec::new(); channels],
            sent: vec![Vec::new(); channels],
        }
    }

    /// Runs `ticks` ticks; `signal(ch, n)` is what line `ch` sends at
    /// sample `n`. tx is reset to the marker before every tick.
    fn run(
        &mut self,
        ticks: usize,
        mut signal: impl FnMut(usize, usize) -> i16,
        mut mix: impl FnMut(&[[i16; FRAME]], &mut [[i16; FRAME]]),
    ) {
        for t in 0..ticks {
            for (ch, frame) in self.rx.iter_mut().enumerate() {
                for (k, s) in frame.iter_mut().enumerate() {
                    *s = signal(ch, t * FRAME + k);
                }
                self.sent[ch].extend_from_slice(frame);
            }
            self.tx.iter_mut().for_each(|f| *f = [UNTOUCHED; FRAME]);
            mix(&self.rx, &mut self.tx);
            for (ch, frame) in self.tx.iter().enumerate() {
                self.heard[ch].extend_from_slice(frame);
            }
        }
    }
}

fn conference(members: &[(usize, Role)]) -> Conference {
    let mut c = Conference::new();
    for &(ch, role) in members {
        c.join(ch, role).unwrap();
    }
    c
}

fn silent(samples: &[i16]) -> bool {
    samples.iter().all(|&s| s == 0)
}

fn untouched(samples: &[i16]) -> bool {
    samples.iter().all(|&s| s == UNTOUCHED)
}

/// Element-wise saturating sum of recorded signals.
fn sum(signals: &[&[i16]]) -> Vec<i16> {
    (0..signals[0].len())
        .map(|i| {
            let s: i32 = signals.iter().map(|x| i32::from(x[i])).sum();
            s.clamp(-32768, 32767) as i16
        })
        .collect()
}

/// Pseudo-random full-scale signal per channel (xorshift on (ch, n)).
fn noise(ch: usize, n: usize) -> i16 {
    let mut x = (ch as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ n as u64;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x as i16
}

#[test]
fn two_party_bridge_is_bit_exact_both_ways() {
    let bridge = conference(&[(3, Role::Talker), (7, Role::Talker)]);
    let mut b = Board::new(10);
    b.run(200, noise, |rx, tx| bridge.mix(rx, tx));
    assert_eq!(b.heard[7], b.sent[3]);
    assert_eq!(b.heard[3], b.sent[7]);
    // Full-scale noise includes -32768 and 32767 often enough to matter.
    assert!(b.sent[3].contains(&i16::MIN) || b.sent[3].iter().any(|&s| s < -32000));
    for ch in [0, 1, 2, 4, 5, 6, 8, 9] {
        assert!(untouched(&b.heard[ch]), "non-member {ch} was written");
    }
}

#[test]
fn tone_reaches_every_other_party_at_its_level_and_not_its_own_line() {
    // 2-party: bit-exact.
    let bridge = conference(&[(0, Role::Talker), (1, Role::Talker)]);
    let mut b = Board::new(2);
    let src = |ch: usize, n: usize| if ch == 0 { tone(1000.0, -10.0, n) } else { 0 };
    b.run(1000, src, |rx, tx| bridge.mix(rx, tx));
    assert_eq!(b.heard[1], b.sent[0]);
    assert!(silent(&b.heard[0]));

    // 5-party: each other party hears -10 dBm0 within 0.1 dB.
    let members: Vec<(usize, Role)> = (0..5).map(|ch| (ch, Role::Talker)).collect();
    let conf = conference(&members);
    let mut b = Board::new(5);
    b.run(1000, src, |rx, tx| conf.mix(rx, tx));
    let sent = level_dbm0(&b.sent[0]);
    assert!((sent + 10.0).abs() < 0.1, "source at {sent} dBm0");
    for ch in 1..5 {
        let l = level_dbm0(&b.heard[ch]);
        assert!((l + 10.0).abs() < 0.1, "party {ch} hears {l} dBm0");
    }
    assert!(silent(&b.heard[0]), "talker hears itself");
}

#[test]
fn gain_changes_level_by_the_set_amount() {
    let mut conf = conference(&[(0, Role::Talker), (1, Role::Talker), (2, Role::Talker)]);
    conf.set_gain(0, -6.0, 0.0).unwrap();
    conf.set_gain(2, 0.0, 3.0).unwrap();
    let mut b = Board::new(3);
    let src = |ch: usize, n: usize| if ch == 0 { tone(1000.0, -10.0, n) } else { 0 };
    b.run(1000, src, |rx, tx| conf.mix(rx, tx));
    let l1 = level_dbm0(&b.heard[1]);
    let l2 = level_dbm0(&b.heard[2]);
    assert!((l1 + 16.0).abs() < 0.1, "rx gain -6 dB: {l1} dBm0");
    assert!((l2 + 13.0).abs() < 0.1, "rx -6 dB then tx +3 dB: {l2} dBm0");
}

#[test]
fn muted_party_is_not_heard_but_still_hears() {
    let mut conf = conference(&[(0, Role::Talker), (1, Role::Talker), (2, Role::Talker)]);
    conf.set_mute(0, true).unwrap();
    let mut b = Board::new(3);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert_eq!(b.heard[1], b.sent[2]);
    assert_eq!(b.heard[2], b.sent[1]);
    assert_eq!(b.heard[0], sum(&[&b.sent[1], &b.sent[2]]));
    conf.set_mute(0, false).unwrap();
    let mut b = Board::new(3);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert_eq!(b.heard[1], sum(&[&b.sent[0], &b.sent[2]]));
}

#[test]
fn deaf_party_hears_silence_but_is_heard() {
    let mut conf = conference(&[(0, Role::Talker), (1, Role::Talker), (2, Role::Talker)]);
    conf.set_deaf(2, true).unwrap();
    let mut b = Board::new(3);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert!(silent(&b.heard[2]));
    assert_eq!(b.heard[0], sum(&[&b.sent[1], &b.sent[2]]));
}

#[test]
fn kicked_party_is_gone_and_its_line_untouched() {
    let mut conf = conference(&[(0, Role::Talker), (1, Role::Talker), (2, Role::Talker)]);
    conf.leave(1).unwrap();
    assert!(!conf.is_member(1));
    assert_eq!(conf.len(), 2);
    assert_eq!(conf.leave(1), Err(MixError::NotMember(1)));
    let mut b = Board::new(3);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert!(untouched(&b.heard[1]));
    assert_eq!(b.heard[0], b.sent[2]);
    assert_eq!(b.heard[2], b.sent[0]);
}

#[test]
fn sixty_four_parties_fit_and_the_sixty_fifth_is_refused() {
    let mut conf = Conference::new();
    for ch in 0..MAX_PARTIES {
        conf.join(ch, Role::Talker).unwrap();
    }
    assert_eq!(
        conf.join(MAX_PARTIES, Role::Talker),
        Err(MixError::ConferenceFull)
    );
    assert_eq!(conf.join(5, Role::Talker), Err(MixError::AlreadyMember(5)));
    assert_eq!(conf.len(), MAX_PARTIES);
    let mut b = Board::new(MAX_PARTIES + 1);
    let src = |ch: usize, n: usize| if ch == 40 { tone(1000.0, -10.0, n) } else { 0 };
    b.run(100, src, |rx, tx| conf.mix(rx, tx));
    for ch in (0..MAX_PARTIES).filter(|&c| c != 40) {
        assert_eq!(b.heard[ch], b.sent[40], "party {ch}");
    }
    assert!(silent(&b.heard[40]));
    assert!(untouched(&b.heard[MAX_PARTIES]));
}

/// Caller 0, agent 1, supervisor 2.
#[test]
fn listen_hears_both_sides_and_is_not_heard() {
    let conf = conference(&[(0, Role::Talker), (1, Role::Talker), (2, Role::Listen)]);
    let mut b = Board::new(3);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert_eq!(b.heard[0], b.sent[1]);
    assert_eq!(b.heard[1], b.sent[0]);
    assert_eq!(b.heard[2], sum(&[&b.sent[0], &b.sent[1]]));
}

#[test]
fn whisper_is_heard_by_the_agent_only_and_barge_by_both() {
    let mut conf = conference(&[(0, Role::Talker), (1, Role::Talker)]);
    conf.join(2, Role::Whisper { to: 1 }).unwrap();
    let mut b = Board::new(3);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert_eq!(b.heard[0], b.sent[1], "caller must not hear the coach");
    assert_eq!(b.heard[1], sum(&[&b.sent[0], &b.sent[2]]));
    assert_eq!(b.heard[2], sum(&[&b.sent[0], &b.sent[1]]));

    conf.set_role(2, Role::Talker).unwrap();
    let mut b = Board::new(3);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert_eq!(b.heard[0], sum(&[&b.sent[1], &b.sent[2]]));
    assert_eq!(b.heard[1], sum(&[&b.sent[0], &b.sent[2]]));
    assert_eq!(b.heard[2], sum(&[&b.sent[0], &b.sent[1]]));
}

#[test]
fn whisperer_falls_back_to_listen_when_its_target_leaves() {
    let mut conf = conference(&[(0, Role::Talker), (1, Role::Talker), (4, Role::Talker)]);
    conf.join(2, Role::Whisper { to: 1 }).unwrap();
    assert_eq!(
        conf.join(3, Role::Whisper { to: 9 }),
        Err(MixError::WhisperTargetNotMember(9))
    );
    conf.leave(1).unwrap();
    assert_eq!(conf.party(2).unwrap().role(), Role::Listen);
    let mut b = Board::new(5);
    b.run(50, noise, |rx, tx| conf.mix(rx, tx));
    assert_eq!(b.heard[0], b.sent[4]);
    assert_eq!(b.heard[4], b.sent[0]);
    assert_eq!(b.heard[2], sum(&[&b.sent[0], &b.sent[4]]));
}

#[test]
fn loud_parties_saturate_instead_of_wrapping() {
    let members: Vec<(usize, Role)> = (0..4).map(|ch| (ch, Role::Talker)).collect();
    let conf = conference(&members);
    let mut b = Board::new(4);
    let loud = |ch: usize, n: usize| match (ch, n % 2) {
        (3, _) => 0,
        (_, 0) => 30000,
        _ => -30000,
    };
    b.run(10, loud, |rx, tx| conf.mix(rx, tx));
    for (i, &s) in b.heard[3].iter().enumerate() {
        let want = if i % 2 == 0 { i16::MAX } else { i16::MIN };
        assert_eq!(s, want, "sample {i}");
    }
    // Two loud talkers heard by one party clip too.
    assert!(b.heard[0].iter().all(|&s| s == i16::MAX || s == i16::MIN));
}

#[test]
fn pool_keeps_channels_in_one_conference_and_rejects_stale_ids() {
    let mut pool = ConferencePool::new(2);
    let a = pool.create().unwrap();
    let b = pool.create().unwrap();
    assert_eq!(pool.create(), Err(MixError::PoolFull));
    pool.join(a, 0, Role::Talker).unwrap();
    pool.join(a, 1, Role::Talker).unwrap();
    pool.join(b, 2, Role::Talker).unwrap();
    pool.join(b, 3, Role::Talker).unwrap();
    assert_eq!(
        pool.join(b, 0, Role::Talker),
        Err(MixError::InOtherConference(0, a))
    );
    assert_eq!(
        pool.join(a, 0, Role::Talker),
        Err(MixError::AlreadyMember(0))
    );
    assert_eq!(pool.conference_of(3), Some(b));
    assert_eq!(pool.conference_of(4), None);

    let mut board = Board::new(5);
    board.run(20, noise, |rx, tx| pool.mix_all(rx, tx));
    assert_eq!(board.heard[1], board.sent[0]);
    assert_eq!(board.heard[0], board.sent[1]);
    assert_eq!(board.heard[3], board.sent[2]);
    assert_eq!(board.heard[2], board.sent[3]);
    assert!(untouched(&board.heard[4]));

    pool.remove(a).unwrap();
    assert_eq!(pool.conference_of(0), None);
    let c = pool.create().unwrap();
    assert_eq!(c.index(), a.index(), "slot reused");
    assert_ne!(c, a);
    assert!(pool.get(a).is_none());
    assert!(pool.get_mut(a).is_none());
    assert_eq!(
        pool.join(a, 0, Role::Talker),
        Err(MixError::NoSuchConference(a))
    );
    assert_eq!(pool.remove(a), Err(MixError::NoSuchConference(a)));
    assert!(pool.get(c).unwrap().is_empty(), "reused slot starts empty");
    pool.join(c, 0, Role::Talker).unwrap();
    pool.get_mut(c).unwrap().set_mute(0, true).unwrap();
    assert!(pool.get(c).unwrap().party(0).unwrap().is_muted());
}

#[test]
fn remote_legs_carry_audio_two_frames_late_and_count_slips() {
    let (mut a, mut b) = remote_pair(4);
    let frame = |t: usize| -> [i16; FRAME] { std::array::from_fn(|k| noise(9, t * FRAME + k)) };
    // Lockstep: each tick A pushes, then B pulls.
    let mut got = [0i16; FRAME];
    for t in 0..20 {
        assert!(a.push(&frame(t)));
        assert!(b.pull(&mut got));
        if t < REMOTE_PRIME_FRAMES {
            assert_eq!(got, [0; FRAME], "tick {t}: priming silence");
        } else {
            assert_eq!(got, frame(t - REMOTE_PRIME_FRAMES), "tick {t}");
        }
    }
    assert_eq!((a.overflows(), b.underruns()), (0, 0));

    // B's board runs 2 ticks ahead of A's: absorbed by the priming.
    assert!(b.pull(&mut got) && b.pull(&mut got));
    assert_eq!(b.underruns(), 0);
    // A third tick ahead: silence and an underrun.
    got = [1; FRAME];
    assert!(!b.pull(&mut got));
    assert_eq!(got, [0; FRAME]);
    assert_eq!(b.underruns(), 1);

    // A runs ahead: the queue (capacity 4) fills, then overflows.
    for t in 0..4 {
        assert!(a.push(&frame(t)), "push {t}");
    }
    assert!(!a.push(&frame(4)));
    assert_eq!(a.overflows(), 1);
    assert_eq!(b.queued(), 4);

    // The reverse direction is independent and primed too.
    assert_eq!(a.queued(), REMOTE_PRIME_FRAMES);
    drop(b);
    assert!(!a.push(&frame(0)));
    assert!(a.peer_gone());
}

/// A line on board 1 bridged to a line on board 2 through a leg; each
/// board runs its own thread, a two-party conference of line and leg.
#[test]
fn cross_board_bridge_over_threads_is_bit_exact_with_two_frames_delay() {
    const TICKS: usize = 300;
    const LINE: usize = 0;
    const LEG: usize = 1;
    let (leg1, leg2) = remote_pair(8);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let board = |mut leg: trunkd::media::mixer::RemoteLeg,
                 seed: usize,
                 barrier: std::sync::Arc<std::sync::Barrier>| {
        std::thread::spawn(move || {
            let conf = conference(&[(LINE, Role::Talker), (LEG, Role::Talker)]);
            let mut rx = [[0i16; FRAME]; 2];
            let mut tx = [[0i16; FRAME]; 2];
            let (mut sent, mut heard) = (Vec::new(), Vec::new());
            for t in 0..TICKS {
                rx[LINE] = std::array::from_fn(|k| noise(seed, t * FRAME + k));
                leg.pull(&mut rx[LEG]);
                conf.mix(&rx, &mut tx);
                leg.push(&tx[LEG]);
                sent.extend_from_slice(&rx[LINE]);
                heard.extend_from_slice(&tx[LINE]);
                // Tick boundary shared by both boards (the lockstep simulator).
                barrier.wait();
            }
            (sent, heard, leg.underruns(), leg.overflows())
        })
    };
    let h1 = board(leg1, 1, barrier.clone());
    let h2 = board(leg2, 2, barrier);
    let (s1, r1, u1, o1) = h1.join().unwrap();
    let (s2, r2, u2, o2) = h2.join().unwrap();
    assert_eq!((u1, o1, u2, o2), (0, 0, 0, 0));
    // Every frame pushed at tick t is pulled at tick t + 2: FIFO behind the
    // two priming frames, whichever thread wins each tick.
    let d = REMOTE_PRIME_FRAMES * FRAME;
    for (sent, heard) in [(&s1, &r2), (&s2, &r1)] {
        assert!(silent(&heard[..d]));
        assert_eq!(heard[d..], sent[..sent.len() - d]);
    }
}

/// Seeded random memberships, roles and mutes: `mix` equals the naive
/// O(n^2) "sum every audible other member" reference.
#[test]
fn random_memberships_match_naive_reference() {
    let mut seed = 0x1dea_f00d_u64;
    let mut rnd = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let channels = 80;
    for round in 0..300 {
        let mut conf = Conference::new();
        for _ in 0..1 + rnd(MAX_PARTIES + 10) {
            let ch = rnd(channels);
            let members: Vec<usize> = conf.members().map(|p| p.channel()).collect();
            let role = match rnd(5) {
                0 if !members.is_empty() => Role::Whisper {
                    to: members[rnd(members.len())],
                },
                1 => Role::Listen,
                _ => Role::Talker,
            };
            if conf.join(ch, role).is_ok() {
                conf.set_mute(ch, rnd(6) == 0).unwrap();
                conf.set_deaf(ch, rnd(10) == 0).unwrap();
            }
        }
        let rx: Vec<[i16; FRAME]> = (0..channels)
            .map(|ch| std::array::from_fn(|k| noise(ch, round * FRAME + k) >> rnd(8)))
            .collect();
        let mut tx = vec![[UNTOUCHED; FRAME]; channels];
        conf.mix(&rx, &mut tx);
        for (ch, out) in tx.iter().enumerate() {
            let Some(p) = conf.party(ch) else {
                assert_eq!(*out, [UNTOUCHED; FRAME], "round {round}: non-member {ch}");
                continue;
            };
            let want: [i16; FRAME] = std::array::from_fn(|k| {
                if p.is_deaf() {
                    return 0;
                }
                let s: i32 = conf
                    .members()
                    .filter(|q| q.channel() != ch && !q.is_muted())
                    .filter(|q| match q.role() {
                        Role::Talker => true,
                        Role::Listen => false,
                        Role::Whisper { to } => to == ch,
                    })
                    .map(|q| i32::from(rx[q.channel()][k]))
                    .sum();
                s.clamp(-32768, 32767) as i16
            });
            assert_eq!(*out, want, "round {round}: member {ch} ({:?})", p.role());
        }
    }
}
