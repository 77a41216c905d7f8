//! Unit tests that need the mixer's internals: the randomized check against
//! a naive reference including gains, whisper bookkeeping across leaves,
//! and the pool's free list.

use super::conference::{gain_factor, Party, GAIN_SHIFT};
use super::*;

/// xorshift64*: a small seeded generator so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn sample(&mut self) -> i16 {
        match self.below(4) {
            0 => i16::MAX,
            1 => i16::MIN,
            _ => self.next() as i16,
        }
    }
}

fn saturate(x: i64) -> i16 {
    x.clamp(i16::MIN.into(), i16::MAX.into()) as i16
}

/// A gain in dB applied in floating point with the mixer's quantised
/// factor (exact in f64), rounding half up.
fn gain_f(x: f64, db: f32) -> i64 {
    let factor = f64::from(gain_factor(db).unwrap()) / f64::from(1 << GAIN_SHIFT);
    (x * factor + 0.5).floor() as i64
}

/// Naive O(n^2) reference in floating point: P hears Q when Q != P, P not
/// deaf, Q not muted, and Q talks or whispers to P.
fn reference(conf: &Conference, rx: &[[i16; FRAME]], tx: &mut [[i16; FRAME]]) {
    let members: Vec<&Party> = conf.members().collect();
    for p in &members {
        let Some(out) = tx.get_mut(p.channel()) else {
            continue;
        };
        for (k, o) in out.iter_mut().enumerate() {
            if p.is_deaf() {
                *o = 0;
                continue;
            }
            let mut sum = 0.0;
            for q in &members {
                let audible = q.channel() != p.channel()
                    && !q.is_muted()
                    && match q.role() {
                        Role::Talker => true,
                        Role::Listen => false,
                        Role::Whisper { to } => to == p.channel(),
                    };
                if audible {
                    let s = rx.get(q.channel()).map_or(0, |f| f[k]);
                    sum += f64::from(saturate(gain_f(f64::from(s), q.rx_gain_db())));
                }
            }
            *o = saturate(gain_f(sum, p.tx_gain_db()));
        }
    }
}

const GAINS: [f32; 5] = [0.0, -6.0, 6.0, -40.0, 20.0];

/// Random conferences (roles, mute, deaf, gains, leaves; some channels
/// beyond the end of `rx`/`tx`) mix exactly like the reference.
#[test]
fn random_conferences_match_naive_reference() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let channels = 90;
    for round in 0..400 {
        let mut conf = Conference::new();
        let with_gain = round % 2 == 1;
        let n = 1 + rng.below(MAX_PARTIES);
        for _ in 0..n {
            // Channels up to 99 while the arrays hold 90: out-of-range members.
            let ch = rng.below(100);
            let members: Vec<usize> = conf.members().map(|p| p.channel()).collect();
            let role = match rng.below(4) {
                0 if !members.is_empty() => Role::Whisper {
                    to: members[rng.below(members.len())],
                },
                1 => Role::Listen,
                _ => Role::Talker,
            };
            let _ = conf.join(ch, role);
            if conf.is_member(ch) {
                conf.set_mute(ch, rng.chance(15)).unwrap();
                conf.set_deaf(ch, rng.chance(10)).unwrap();
                if with_gain {
                    let g = (GAINS[rng.below(5)], GAINS[rng.below(5)]);
                    conf.set_gain(ch, g.0, g.1).unwrap();
                }
            }
        }
        // Kick a few, which re-indexes whisper targets.
        for _ in 0..rng.below(4) {
            let members: Vec<usize> = conf.members().map(|p| p.channel()).collect();
            if !members.is_empty() {
                conf.leave(members[rng.below(members.len())]).unwrap();
            }
        }
        let rx: Vec<[i16; FRAME]> = (0..channels)
            .map(|_| std::array::from_fn(|_| rng.sample() / (1 + rng.below(64) as i16)))
            .collect();
        let mut got = vec![[0x1234i16; FRAME]; channels];
        let mut want = got.clone();
        conf.mix(&rx, &mut got);
        reference(&conf, &rx, &mut want);
        for ch in 0..channels {
            for k in 0..FRAME {
                assert!(
                    got[ch][k] == want[ch][k],
                    "round {round} ch {ch} k {k}: mix {} reference {}",
                    got[ch][k],
                    want[ch][k]
                );
            }
        }
    }
}

/// Whisper targets are held by slot; removing an earlier member must keep
/// the whisper pointed at the same channel.
#[test]
fn leave_keeps_whisper_on_its_target() {
    let mut conf = Conference::new();
    for ch in [10, 11, 12] {
        conf.join(ch, Role::Talker).unwrap();
    }
    conf.join(13, Role::Whisper { to: 12 }).unwrap();
    conf.leave(10).unwrap();
    assert_eq!(conf.party(13).unwrap().role(), Role::Whisper { to: 12 });
    let mut rx = vec![[0i16; FRAME]; 14];
    rx[13] = [500; FRAME];
    let mut tx = vec![[0i16; FRAME]; 14];
    conf.mix(&rx, &mut tx);
    assert_eq!(tx[12], [500; FRAME], "target still hears the whisper");
    assert_eq!(tx[11], [0; FRAME], "others do not");
}

/// Failed operations change nothing.
#[test]
fn errors_change_nothing() {
    let mut conf = Conference::new();
    conf.join(1, Role::Talker).unwrap();
    let before = format!("{conf:?}");
    assert_eq!(
        conf.join(2, Role::Whisper { to: 9 }),
        Err(MixError::WhisperTargetNotMember(9))
    );
    assert_eq!(
        conf.set_role(1, Role::Whisper { to: 1 }),
        Err(MixError::WhisperToSelf(1))
    );
    assert_eq!(conf.set_gain(1, f32::NAN, 0.0), Err(MixError::InvalidGain));
    assert_eq!(conf.set_gain(1, 0.0, 20.5), Err(MixError::InvalidGain));
    assert_eq!(conf.set_mute(3, true), Err(MixError::NotMember(3)));
    assert_eq!(format!("{conf:?}"), before);
}

/// The pool's free list never grows past what `new` allocated.
#[test]
fn pool_free_list_stays_within_its_allocation() {
    let mut pool = ConferencePool::new(3);
    let cap = pool.free_capacity();
    for _ in 0..50 {
        let a = pool.create().unwrap();
        let b = pool.create().unwrap();
        pool.remove(a).unwrap();
        pool.remove(b).unwrap();
    }
    assert_eq!(pool.free_capacity(), cap);
    assert_eq!(pool.len(), 0);
}

/// Quantised gain factors are within 0.01 dB of the requested gain over
/// the whole range, and 0 dB is exactly unity.
#[test]
fn gain_factors_are_accurate() {
    assert_eq!(gain_factor(0.0), Some(1 << GAIN_SHIFT));
    let mut db = MIN_GAIN_DB;
    while db <= MAX_GAIN_DB {
        let f = f64::from(gain_factor(db).unwrap()) / f64::from(1 << GAIN_SHIFT);
        let err = 20.0 * f.log10() - f64::from(db);
        assert!(err.abs() < 0.01, "{db} dB: error {err} dB");
        db += 0.25;
    }
    assert_eq!(gain_factor(MIN_GAIN_DB - 0.1), None);
    assert_eq!(gain_factor(f32::INFINITY), None);
}
