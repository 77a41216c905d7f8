//! National call-progress tone plans as `'static` data.
//!
//! Sources (facts only: frequencies, cadences, levels):
//! * ITU-T E.180 (§2 tone characteristics, §3 cadences) and E.180
//!   Supplement 2 (the national tones in use), ITU-T Q.35 (SIT);
//! * China: YD/T 1014 / GB 3380 family — 450 Hz for all audible tones;
//! * ETSI/CEPT: ETSI ES 201 970 (harmonised 425 Hz tones);
//! * North America: the "precise tone plan" (ANSI T1.401 / Telcordia
//!   GR-506) — 350+440 dial, 440+480 audible ring, 480+620 busy/reorder.

use serde::{Deserialize, Serialize};

/// A national tone plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TonePlanName {
    /// China (450 Hz tones, YD/T national specification).
    China,
    /// ETSI/CEPT harmonised tones (425 Hz, ETSI ES 201 970).
    Etsi,
    /// North American precise tone plan (dual-frequency tones).
    Na,
}

/// Call-progress tones a plan defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ToneKind {
    /// Dial tone: continuous (E.180 §3.1).
    Dial,
    /// Ringback ("ringing tone", audible ring; E.180 §3.2).
    Ringback,
    /// Busy tone (E.180 §3.3).
    Busy,
    /// Congestion ("reorder", fast busy; E.180 §3.4).
    Congestion,
    /// Special information tone (ITU-T Q.35 / E.180 §3.7): three rising
    /// segments before a recorded announcement.
    Sit,
    /// Call waiting tone (E.180 §3.10).
    CallWaiting,
    /// A single 1000 Hz beep, e.g. before voicemail recording.
    Beep,
}

/// One on/off step of a cadence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToneSegment {
    /// Frequencies sounded during `on_ms`, in Hz (at most two are used).
    pub freqs: &'static [u16],
    /// Tone duration in ms.
    pub on_ms: u32,
    /// Silence after the tone in ms (0 = next segment follows directly).
    pub off_ms: u32,
}

/// A tone: what to play and how to recognise it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToneSpec {
    /// What the tone means.
    pub kind: ToneKind,
    /// Frequencies of a continuous tone, in Hz (at most two). For a
    /// cadenced tone each segment carries its own set; this is then the
    /// set of the first segment.
    pub freqs: &'static [u16],
    /// Level of each frequency in dBm0.
    pub level_dbm0: f32,
    /// On/off segments; empty for a continuous tone.
    pub cadence: &'static [ToneSegment],
    /// Whether the cadence repeats (otherwise the tone plays once).
    pub repeat: bool,
}

impl ToneSpec {
    /// True for a tone with no cadence (it plays until stopped).
    pub fn is_continuous(&self) -> bool {
        self.cadence.is_empty()
    }

    /// Length of one pass through the cadence in ms (0 if continuous).
    pub fn period_ms(&self) -> u32 {
        self.cadence.iter().map(|s| s.on_ms + s.off_ms).sum()
    }
}

/// All tones of one national plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TonePlan {
    /// Which plan this is.
    pub name: TonePlanName,
    /// Tones indexed in [`ToneKind::ALL`] order.
    tones: [ToneSpec; 7],
}

impl TonePlan {
    /// The plan's tone of the given kind.
    pub fn tone(&'static self, kind: ToneKind) -> &'static ToneSpec {
        &self.tones[kind_index(kind)]
    }

    /// All tones of the plan.
    pub fn tones(&'static self) -> &'static [ToneSpec] {
        &self.tones
    }
}

fn kind_index(kind: ToneKind) -> usize {
    match kind {
        ToneKind::Dial => 0,
        ToneKind::Ringback => 1,
        ToneKind::Busy => 2,
        ToneKind::Congestion => 3,
        ToneKind::Sit => 4,
        ToneKind::CallWaiting => 5,
        ToneKind::Beep => 6,
    }
}

/// Returns the tone plan of the given name.
pub fn plan(name: TonePlanName) -> &'static TonePlan {
    match name {
        TonePlanName::China => &CHINA,
        TonePlanName::Etsi => &ETSI,
        TonePlanName::Na => &NA,
    }
}

/// Single-frequency tone level (E.180 §2: -10 dBm0 nominal at origin).
const SINGLE_DBM0: f32 = -10.0;
/// Per-frequency level of the North American dual tones (-13 dBm0 each).
const DUAL_DBM0: f32 = -13.0;

const fn seg(freqs: &'static [u16], on_ms: u32, off_ms: u32) -> ToneSegment {
    ToneSegment {
        freqs,
        on_ms,
        off_ms,
    }
}

const fn single(kind: ToneKind, f: &'static [u16], cadence: &'static [ToneSegment]) -> ToneSpec {
    ToneSpec {
        kind,
        freqs: f,
        level_dbm0: SINGLE_DBM0,
        cadence,
        repeat: true,
    }
}

/// ITU-T Q.35 SIT: three 330 ms segments (330 ± 70 ms) at 950, 1400 and
/// 1800 Hz with no gap, then 1 s of silence, repeating.
const SIT_ITU: ToneSpec = ToneSpec {
    kind: ToneKind::Sit,
    freqs: &[950],
    level_dbm0: SINGLE_DBM0,
    cadence: &[
        seg(&[950], 330, 0),
        seg(&[1400], 330, 0),
        seg(&[1800], 330, 1000),
    ],
    repeat: true,
};

/// North American SIT: the Q.35 frequencies with the 274 ms "short"
/// segments used there (still within Q.35's 330 ± 70 ms).
const SIT_NA: ToneSpec = ToneSpec {
    kind: ToneKind::Sit,
    freqs: &[950],
    level_dbm0: SINGLE_DBM0,
    cadence: &[
        seg(&[950], 274, 0),
        seg(&[1400], 274, 0),
        seg(&[1800], 274, 1000),
    ],
    repeat: true,
};

/// 1000 Hz, 200 ms, once.
const BEEP: ToneSpec = ToneSpec {
    kind: ToneKind::Beep,
    freqs: &[1000],
    level_dbm0: SINGLE_DBM0,
    cadence: &[seg(&[1000], 200, 0)],
    repeat: false,
};

const F450: &[u16] = &[450];
const F425: &[u16] = &[425];

/// China: 450 Hz; dial continuous, ringback 1 s / 4 s, busy 0.35 / 0.35,
/// congestion 0.7 / 0.7, call waiting 0.4 / 4.
static CHINA: TonePlan = TonePlan {
    name: TonePlanName::China,
    tones: [
        single(ToneKind::Dial, F450, &[]),
        single(ToneKind::Ringback, F450, &[seg(F450, 1000, 4000)]),
        single(ToneKind::Busy, F450, &[seg(F450, 350, 350)]),
        single(ToneKind::Congestion, F450, &[seg(F450, 700, 700)]),
        SIT_ITU,
        single(ToneKind::CallWaiting, F450, &[seg(F450, 400, 4000)]),
        BEEP,
    ],
};

/// ETSI/CEPT (ES 201 970): 425 Hz; dial continuous, ringback 1 s / 4 s,
/// busy 0.5 / 0.5, congestion 0.25 / 0.25, call waiting 0.3 s every 10 s.
static ETSI: TonePlan = TonePlan {
    name: TonePlanName::Etsi,
    tones: [
        single(ToneKind::Dial, F425, &[]),
        single(ToneKind::Ringback, F425, &[seg(F425, 1000, 4000)]),
        single(ToneKind::Busy, F425, &[seg(F425, 500, 500)]),
        single(ToneKind::Congestion, F425, &[seg(F425, 250, 250)]),
        SIT_ITU,
        single(ToneKind::CallWaiting, F425, &[seg(F425, 300, 9700)]),
        BEEP,
    ],
};

const NA_DIAL: &[u16] = &[350, 440];
const NA_RING: &[u16] = &[440, 480];
const NA_BUSY: &[u16] = &[480, 620];

const fn dual(kind: ToneKind, f: &'static [u16], cadence: &'static [ToneSegment]) -> ToneSpec {
    ToneSpec {
        kind,
        freqs: f,
        level_dbm0: DUAL_DBM0,
        cadence,
        repeat: true,
    }
}

/// North America (precise tone plan): 350+440 dial, 440+480 ringback
/// 2 s / 4 s, 480+620 busy 0.5 / 0.5 and reorder 0.25 / 0.25, 440 Hz call
/// waiting 0.3 s every 10 s.
static NA: TonePlan = TonePlan {
    name: TonePlanName::Na,
    tones: [
        dual(ToneKind::Dial, NA_DIAL, &[]),
        dual(ToneKind::Ringback, NA_RING, &[seg(NA_RING, 2000, 4000)]),
        dual(ToneKind::Busy, NA_BUSY, &[seg(NA_BUSY, 500, 500)]),
        dual(ToneKind::Congestion, NA_BUSY, &[seg(NA_BUSY, 250, 250)]),
        SIT_NA,
        single(ToneKind::CallWaiting, &[440], &[seg(&[440], 300, 9700)]),
        BEEP,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    const PLANS: [TonePlanName; 3] = [TonePlanName::China, TonePlanName::Etsi, TonePlanName::Na];

    #[test]
    fn every_kind_maps_to_its_own_spec() {
        for p in PLANS {
            let plan = plan(p);
            assert_eq!(plan.name, p);
            for k in ToneKind::ALL {
                let t = plan.tone(k);
                assert_eq!(t.kind, k, "{p:?}");
                assert!(!t.freqs.is_empty() && t.freqs.len() <= 2);
                for s in t.cadence {
                    assert!(!s.freqs.is_empty() && s.freqs.len() <= 2);
                    assert!(s.on_ms > 0);
                }
                assert_eq!(t.is_continuous(), k == ToneKind::Dial, "{p:?} {k:?}");
            }
        }
    }

    #[test]
    fn key_values() {
        let china = plan(TonePlanName::China);
        assert_eq!(china.tone(ToneKind::Busy).cadence[0].on_ms, 350);
        assert_eq!(china.tone(ToneKind::Dial).freqs, &[450]);
        let etsi = plan(TonePlanName::Etsi);
        assert_eq!(etsi.tone(ToneKind::Congestion).period_ms(), 500);
        assert_eq!(etsi.tone(ToneKind::Ringback).period_ms(), 5000);
        let na = plan(TonePlanName::Na);
        assert_eq!(na.tone(ToneKind::Dial).freqs, &[350, 440]);
        assert_eq!(na.tone(ToneKind::Ringback).cadence[0].on_ms, 2000);
        assert_eq!(na.tone(ToneKind::Busy).level_dbm0, -13.0);
        let sit = na.tone(ToneKind::Sit);
        let f: Vec<u16> = sit.cadence.iter().map(|s| s.freqs[0]).collect();
        assert_eq!(f, [950, 1400, 1800]);
        assert!(!plan(TonePlanName::Etsi).tone(ToneKind::Beep).repeat);
    }
}
