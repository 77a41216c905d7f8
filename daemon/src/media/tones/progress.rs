//! Call-progress analysis: which tone does the far end send on an outgoing
//! call? The method is described on [`CallProgressDetector`].

use super::analysis::{freq_error_hz, Bank, Block, BLOCK, MAX_BINS};
use super::plan::{plan, ToneKind, TonePlanName};
use crate::media::dtmf::DBM0_PEAK;

mod cadence;
use cadence::{Cadence, Class, Range, Seg, HIST, PER_MS};

/// Tones the call-progress detector reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CpTone {
    /// Dial tone (continuous).
    Dial,
    /// Ringback (the far end is being alerted).
    Ringback,
    /// Busy tone.
    Busy,
    /// Congestion / reorder tone.
    Congestion,
    /// Special information tone (ITU-T Q.35): an announcement follows.
    Sit,
    /// Fax calling tone CNG, 1100 Hz (ITU-T T.30 §5.2.1).
    FaxCng,
    /// Fax/modem answer tone CED / ANS / ANSam, 2100 Hz (ITU-T T.30
    /// §5.2.2, V.25).
    FaxCed,
}

impl CpTone {
    /// Name used in API events.
    pub fn name(self) -> &'static str {
        match self {
            CpTone::Dial => "dial",
            CpTone::Ringback => "ringback",
            CpTone::Busy => "busy",
            CpTone::Congestion => "congestion",
            CpTone::Sit => "sit",
            CpTone::FaxCng => "fax_cng",
            CpTone::FaxCed => "fax_ced",
        }
    }
}

/// What the call-progress detector reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpEvent {
    /// A tone was recognised.
    Detected {
        /// Which tone.
        tone: CpTone,
        /// When it was recognised: ms of audio since the detector was
        /// created or reset (end of the 25 ms block that completed the
        /// match).
        at_ms: u64,
    },
    /// The tone last detected is no longer present.
    Ended {
        /// Same tone as the matching `Detected`.
        tone: CpTone,
    },
}

/// Silence: block mean power below this (dBm0).
const SILENCE_DBM0: f32 = -36.0;
/// Silence relative to the last tone block (-15 dB) ...
const SILENCE_REL: f32 = 0.0316;
/// ... but never above this (dBm0).
const SILENCE_MAX_DBM0: f32 = -26.0;
/// Weakest accepted frequency of a tone (dBm0).
const MIN_TONE_DBM0: f32 = -32.0;
/// Frequencies within this factor of the strongest one (6 dB) are present.
const PRESENCE: f32 = 0.251;
/// The tone's frequencies must carry this share of the block energy.
const DOMINANCE: f32 = 0.6;
/// Energy balance of a steady pair of blocks (±1.5 dB).
const STEADY: f32 = 1.413;
/// Frequency tolerance in percent, and its ceiling in Hz (the block-to-
/// block phase measurement is unambiguous within ±20 Hz).
const FREQ_TOL_PCT: f32 = 2.5;
const FREQ_TOL_MAX_HZ: f32 = 12.0;
/// Most frequency sets (dial, ringback, busy, congestion, call waiting,
/// 7 SIT frequencies, CNG, CED).
const MAX_SETS: usize = 16;
/// Frequencies heard as each SIT segment: the ITU-T Q.35 §2 nominal 950,
/// 1400 and 1800 Hz, and the values the North American SIT codes use
/// (913.8 / 985.2, 1370.6 / 1428.5, 1776.7 Hz; all within Q.35's ±50 Hz).
/// 1776.7 and 1800 Hz are too close for separate 25 ms bins (mutual
/// leakage -6 dB), so one bin at 1789 Hz with a ±16 Hz tolerance
/// ([`WIDE_TOL_HZ`]) takes both.
const SIT_BINS: [&[u16]; 3] = [&[950, 914, 985], &[1400, 1371, 1429], &[SIT_WIDE_BIN]];
const SIT_WIDE_BIN: u16 = 1789;
/// Frequency tolerance of [`SIT_WIDE_BIN`] in Hz.
const WIDE_TOL_HZ: f32 = 16.0;
/// ms per block.
const BLOCK_MS: u32 = (BLOCK as u32) / 8;

/// Outbound call-progress and fax tone detector for one channel.
///
/// `Copy`, about 1.5 KiB, and allocation-free: feed it any number of
/// samples per call (the engine's 8 per tick works).
///
/// # Method
///
/// 1. **Blocks.** Samples are cut into 25 ms blocks (200 samples). For
///    each frequency of the plan's tones, the SIT frequencies and the two
///    fax tones, a DFT value is taken with a phase reference that runs on
///    from block to block.
/// 2. **Block class.** A block is *silence* below -36 dBm0 mean power,
///    or, on a noisy line, 15 dB under the last tone block heard (but never
///    above -26 dBm0), so the off-times of a cadence still count. It
///    shows a *tone* when the frequencies within 6 dB of the strongest one
///    form exactly one of the known frequency sets (e.g. 480+620 Hz), each
///    is at least -32 dBm0, and together they carry at least 60 % of the
///    block's energy (speech, music, noise and DTMF spread their energy
///    elsewhere: the talk-off guard, as for DTMF). Anything else is
///    *other*.
/// 3. **Frequency check.** Two consecutive blocks of the same tone with
///    per-frequency energies within 1.5 dB are both full of it; the phase
///    turn of each DFT value between them measures each frequency's error,
///    which must be within 2.5 % (at most 12 Hz). A tone further off either
///    fails this check or (beyond about 26 Hz) fails the block class. A
///    tone segment counts only when its checks pass, with at most one
///    failure per four passes (a phase jump spoils one check).
/// 4. **Segments.** Runs of equal blocks form segments (tone / silence /
///    other) with durations. A single *other* block between two segments is
///    the block in which one ended and the next began; it counts half to
///    each.
/// 5. **Cadence rules** (tolerance ±15 % + 25 ms on each on/off time):
///    * dial: a dial-frequency tone lasting 1 s (longer, when the plan's
///      ringback uses the same frequency, than the longest ringback burst);
///    * ringback: one burst of the plan's ringback length then 3 s silence;
///    * busy, congestion: two full on/off cycles of their cadence;
///    * SIT (ITU-T Q.35 §2): 950, 1400, 1800 Hz segments of 200..450 ms in
///      sequence (or the North American 913.8/985.2, 1370.6/1428.5,
///      1776.7 Hz);
///    * fax CNG (ITU-T T.30 §5.2.1, 1100 Hz 0.5 s on / 3 s off): one burst
///      of 0.5 s ±15 % followed by 400 ms of silence;
///    * fax/modem answer CED (T.30 §5.2.2, 2100 Hz for 2.6..4 s): 500 ms of
///      steady tone (phase reversals of ANSam only cost a block or two).
///
/// A tone is reported once ([`CpEvent::Detected`]); while its cadence goes
/// on nothing more is reported. When the signal stops fitting it (other
/// sound, a different tone, or silence longer than its off time) the
/// detector reports [`CpEvent::Ended`] and is re-armed for that tone.
#[derive(Clone, Copy, Debug)]
pub struct CallProgressDetector {
    plan: TonePlanName,
    bank: Bank,
    t: Tracker,
}

/// Everything but the DFT bank (kept apart so the bank's block callback
/// can borrow it).
#[derive(Clone, Copy, Debug)]
struct Tracker {
    nbins: usize,
    tol_hz: [f32; MAX_BINS],
    /// Frequency sets as bit masks over the bins.
    sets: [u16; MAX_SETS],
    nsets: usize,
    dial: u8,
    /// Per SIT segment, a bit mask over the frequency sets.
    sit: [u32; 3],
    cng: u8,
    ced: u8,
    ring: Cadence,
    busy: Cadence,
    cong: Cadence,
    dial_min_ms: u32,
    silence_energy: f32,
    silence_max_energy: f32,
    min_tone_energy: f32,
    /// Energy of the last block classed as a tone.
    last_tone_energy: f32,
    // Block state.
    prev_block: Block,
    prev_class: Class,
    // Segmenter.
    cur: Seg,
    /// The previous block was a lone "other" block, not yet assigned.
    pending: bool,
    /// A rule already matched in the current segment.
    fired: bool,
    /// Flushed segments, oldest first; `hist[HIST - 1]` is the newest.
    hist: [Seg; HIST],
    active: Option<CpTone>,
    samples: u64,
}

impl CallProgressDetector {
    /// A detector for the tones of `plan` (plus SIT and fax tones, which
    /// are the same everywhere).
    pub fn new(plan_name: TonePlanName) -> Self {
        let p = plan(plan_name);
        let mut freqs = [0u16; MAX_BINS];
        let mut nbins = 0usize;
        let mut sets = [0u16; MAX_SETS];
        let mut nsets = 0usize;
        // Adds a frequency set, returning its index (deduplicated).
        let mut add_set = |fs: &[u16]| -> u8 {
            let mut mask = 0u16;
            for &f in fs.iter().take(2) {
                let i = match freqs[..nbins].iter().position(|&g| g == f) {
                    Some(i) => i,
                    None if nbins < MAX_BINS => {
                        freqs[nbins] = f;
                        nbins += 1;
                        nbins - 1
                    }
                    None => continue,
                };
                mask |= 1 << i;
            }
            match sets[..nsets].iter().position(|&m| m == mask) {
                Some(i) => i as u8,
                None if nsets < MAX_SETS => {
                    sets[nsets] = mask;
                    nsets += 1;
                    (nsets - 1) as u8
                }
                None => u8::MAX,
            }
        };
        let cadence = |kind: ToneKind| {
            let t = p.tone(kind);
            t.cadence
                .first()
                .map_or((t.freqs, 1000, 1000), |s| (s.freqs, s.on_ms, s.off_ms))
        };
        let dial = add_set(p.tone(ToneKind::Dial).freqs);
        let mut mk = |kind: ToneKind| {
            let (fs, on, off) = cadence(kind);
            Cadence {
                set: add_set(fs),
                on: Range::around(on),
                off: Range::around(off),
            }
        };
        let ring = mk(ToneKind::Ringback);
        let busy = mk(ToneKind::Busy);
        let cong = mk(ToneKind::Congestion);
        // Call waiting gets its own set so that it is not "other"; no
        // rule reports it.
        let _ = mk(ToneKind::CallWaiting);
        let mut sit = [0u32; 3];
        for (mask, freqs) in sit.iter_mut().zip(SIT_BINS) {
            for &f in freqs {
                *mask |= 1u32.checked_shl(u32::from(add_set(&[f]))).unwrap_or(0);
            }
        }
        let cng = add_set(&[1100]);
        let ced = add_set(&[2100]);

        // Dial tone must outlast any burst of the same frequencies.
        let mut dial_min_ms = 1000;
        for c in [ring, busy, cong] {
            if c.set == dial {
                dial_min_ms = dial_min_ms.max(c.on.hi + 3 * BLOCK_MS);
            }
        }
        let mut tol_hz = [0f32; MAX_BINS];
        for (t, &f) in tol_hz.iter_mut().zip(freqs.iter()) {
            *t = if f == SIT_WIDE_BIN {
                WIDE_TOL_HZ
            } else {
                (f32::from(f) * FREQ_TOL_PCT / 100.0).min(FREQ_TOL_MAX_HZ)
            };
        }
        let p0 = DBM0_PEAK * DBM0_PEAK / 2.0 * BLOCK as f32;
        let t = Tracker {
            nbins,
            tol_hz,
            sets,
            nsets,
            dial,
            sit,
            cng,
            ced,
            ring,
            busy,
            cong,
            dial_min_ms,
            silence_energy: p0 * 10f32.powf(SILENCE_DBM0 / 10.0),
            silence_max_energy: p0 * 10f32.powf(SILENCE_MAX_DBM0 / 10.0),
            last_tone_energy: 0.0,
            min_tone_energy: p0 * 10f32.powf(MIN_TONE_DBM0 / 10.0),
            prev_block: Block::default(),
            prev_class: Class::Other,
            cur: Seg::new(Class::Silence, 0),
            pending: false,
            fired: false,
            hist: [Seg::NONE; HIST],
            active: None,
            samples: 0,
        };
        Self {
            plan: plan_name,
            bank: Bank::new(&freqs[..nbins]),
            t,
        }
    }

    /// The plan this detector listens for.
    pub fn plan(&self) -> TonePlanName {
        self.plan
    }

    /// The tone currently detected (between `Detected` and `Ended`).
    pub fn current(&self) -> Option<CpTone> {
        self.t.active
    }

    /// Forgets everything heard; time restarts at 0.
    pub fn reset(&mut self) {
        *self = Self::new(self.plan);
    }

    /// Analyses `samples` (8 kHz linear) and reports events.
    pub fn process(&mut self, samples: &[i16], mut on_event: impl FnMut(CpEvent)) {
        let t = &mut self.t;
        self.bank.push(samples, |b| t.on_block(b, &mut on_event));
    }
}

impl Tracker {
    fn on_block(&mut self, b: &Block, on_event: &mut impl FnMut(CpEvent)) {
        self.samples += BLOCK as u64;
        let class = self.classify(b);
        let check = match class {
            Class::Tone(s) if self.prev_class == class => self.freq_check(s, b),
            _ => None,
        };
        if let Class::Tone(_) = class {
            self.last_tone_energy = b.energy;
        }
        self.prev_block = *b;
        self.prev_class = class;
        self.feed(class, check);
        let at_ms = self.samples / u64::from(PER_MS);
        if let Some(a) = self.active {
            if self.breaks(a) {
                on_event(CpEvent::Ended { tone: a });
                self.active = None;
            }
        }
        if !self.fired {
            if let Some(tone) = self.rules() {
                self.fired = true;
                if self.active != Some(tone) {
                    if let Some(a) = self.active {
                        on_event(CpEvent::Ended { tone: a });
                    }
                    on_event(CpEvent::Detected { tone, at_ms });
                    self.active = Some(tone);
                }
            }
        }
    }

    fn classify(&self, b: &Block) -> Class {
        let relative = (self.last_tone_energy * SILENCE_REL).min(self.silence_max_energy);
        if b.energy < self.silence_energy.max(relative) {
            return Class::Silence;
        }
        let e = &b.e[..self.nbins];
        let emax = e.iter().copied().fold(0.0f32, f32::max);
        if emax < self.min_tone_energy {
            return Class::Other;
        }
        let mut mask = 0u16;
        let mut sum = 0.0;
        for (i, &ei) in e.iter().enumerate() {
            if ei >= emax * PRESENCE {
                if ei < self.min_tone_energy {
                    return Class::Other;
                }
                mask |= 1 << i;
                sum += ei;
            }
        }
        if sum < DOMINANCE * b.energy {
            return Class::Other;
        }
        match self.sets[..self.nsets].iter().position(|&m| m == mask) {
            Some(i) => Class::Tone(i as u8),
            None => Class::Other,
        }
    }

    /// Frequency check over the previous and this block of tone `set`:
    /// `None` when the pair is not steady enough to judge.
    fn freq_check(&self, set: u8, b: &Block) -> Option<bool> {
        let mask = self.sets[usize::from(set)];
        let prev = &self.prev_block;
        let bins = (0..self.nbins).filter(|i| mask & (1 << i) != 0);
        for i in bins.clone() {
            let r = b.e[i] / prev.e[i].max(f32::MIN_POSITIVE);
            if !(1.0 / STEADY..=STEADY).contains(&r) {
                return None;
            }
        }
        Some(
            bins.into_iter()
                .all(|i| freq_error_hz(prev, b, i).abs() <= self.tol_hz[i]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{plan, ToneGenerator, ToneKind};
    use super::*;

    fn run(det: &mut CallProgressDetector, x: &[i16]) -> Vec<CpEvent> {
        let mut ev = Vec::new();
        for c in x.chunks(8) {
            det.process(c, |e| ev.push(e));
        }
        ev
    }

    fn tone(p: TonePlanName, kind: ToneKind, ms: usize) -> Vec<i16> {
        let mut g = ToneGenerator::new();
        g.start(plan(p).tone(kind));
        let mut x = vec![0i16; ms * 8];
        g.generate(&mut x);
        x
    }

    #[test]
    fn etsi_busy_detected_once_and_ends() {
        let mut det = CallProgressDetector::new(TonePlanName::Etsi);
        let mut x = tone(TonePlanName::Etsi, ToneKind::Busy, 5000);
        x.extend(std::iter::repeat_n(0, 8 * 2000));
        let ev = run(&mut det, &x);
        let detected: Vec<_> = ev
            .iter()
            .filter_map(|e| match e {
                CpEvent::Detected { tone, at_ms } => Some((*tone, *at_ms)),
                _ => None,
            })
            .collect();
        assert_eq!(detected.len(), 1, "{ev:?}");
        assert_eq!(detected[0].0, CpTone::Busy);
        // on, off, on, then 400 ms (the shortest accepted off) of the second off.
        assert!((1850..1950).contains(&detected[0].1), "{detected:?}");
        assert_eq!(ev.last(), Some(&CpEvent::Ended { tone: CpTone::Busy }));
        assert_eq!(det.current(), None);
    }

    #[test]
    fn china_dial_needs_more_than_a_ringback_burst() {
        let mut det = CallProgressDetector::new(TonePlanName::China);
        assert!(det.t.dial_min_ms > 1175);
        let ev = run(&mut det, &tone(TonePlanName::China, ToneKind::Dial, 3000));
        assert!(
            matches!(ev[..], [CpEvent::Detected { tone: CpTone::Dial, at_ms }] if at_ms >= 1250),
            "{ev:?}"
        );
        det.reset();
        assert_eq!(det.current(), None);
        let ev = run(
            &mut det,
            &tone(TonePlanName::China, ToneKind::Ringback, 4500),
        );
        assert_eq!(
            ev.iter()
                .filter(|e| matches!(e, CpEvent::Detected { .. }))
                .count(),
            1
        );
        assert!(
            matches!(
                ev[0],
                CpEvent::Detected {
                    tone: CpTone::Ringback,
                    ..
                }
            ),
            "{ev:?}"
        );
    }

    #[test]
    fn hostile_input_no_panic_no_event() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut x: Vec<i16> = (0..8 * 3000).map(|_| next() as i16).collect();
        x.extend(std::iter::repeat_n(i16::MIN, 8 * 2000));
        x.extend(std::iter::repeat_n(i16::MAX, 8 * 2000));
        x.extend((0..8 * 2000).map(|n| if n % 2 == 0 { i16::MAX } else { i16::MIN }));
        for p in [TonePlanName::China, TonePlanName::Etsi, TonePlanName::Na] {
            let mut det = CallProgressDetector::new(p);
            // Odd push sizes, including empty ones.
            let mut ev = Vec::new();
            let mut rest = &x[..];
            while !rest.is_empty() {
                let n = (next() % 300) as usize;
                let (a, b) = rest.split_at(n.min(rest.len()));
                det.process(a, |e| ev.push(e));
                rest = b;
            }
            assert_eq!(ev, [], "{p:?}");
        }
    }

    #[test]
    fn state_is_small_and_copy() {
        fn is_copy<T: Copy>() {}
        is_copy::<CallProgressDetector>();
        let size = std::mem::size_of::<CallProgressDetector>();
        assert!(size <= 1536, "{size} bytes");
    }
}
