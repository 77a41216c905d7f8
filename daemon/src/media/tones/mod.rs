//! Call-progress tone plans, tone generation and call-progress / fax tone
//! detection on 8 kHz linear samples.
//!
//! * [`plan`] gives the national tone plan ([`TonePlan`]) for a
//!   [`TonePlanName`]: frequencies, levels and cadences of dial tone,
//!   ringback, busy, congestion, SIT, call waiting and the recording beep
//!   (ITU-T E.180 and its Supplement 2, ITU-T Q.35, ETSI ES 201 970, the
//!   Chinese YD/T national specification, and the North American "precise
//!   tone plan").
//! * [`ToneGenerator`] plays a [`ToneSpec`] with a phase-continuous
//!   oscillator; it is `Copy` and never allocates.
//! * [`CallProgressDetector`] classifies what the far end sends on an
//!   outgoing call (dial, ringback, busy, congestion, SIT, fax CNG/CED) for
//!   call-progress analysis; it is `Copy` and never allocates.
//!
//! Levels use the same dBm0 scale as [`crate::media::dtmf`]: a 0 dBm0 sine
//! has peak [`crate::media::dtmf::DBM0_PEAK`] on the 16-bit scale.

use std::fmt;
use std::str::FromStr;

mod analysis;
mod generator;
mod plan;
mod progress;

pub use generator::ToneGenerator;
pub use plan::{plan, ToneKind, TonePlan, TonePlanName, ToneSegment, ToneSpec};
pub use progress::{CallProgressDetector, CpEvent, CpTone};

/// Sample rate in Hz for everything in this module.
pub const SAMPLE_RATE: u32 = 8000;

/// A name that is not a known tone plan or tone kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?}; valid names: {valid}")]
pub struct UnknownName {
    /// What was being parsed ("tone plan" or "tone").
    pub what: &'static str,
    /// The rejected input.
    pub given: String,
    /// The accepted names, comma separated.
    pub valid: &'static str,
}

impl FromStr for TonePlanName {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "china" | "cn" => Ok(Self::China),
            "etsi" | "cept" => Ok(Self::Etsi),
            "na" | "north-america" | "northamerica" | "north_america" => Ok(Self::Na),
            _ => Err(UnknownName {
                what: "tone plan",
                given: s.to_string(),
                valid: "china, etsi (or cept), na (or north-america)",
            }),
        }
    }
}

impl fmt::Display for TonePlanName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::China => "china",
            Self::Etsi => "etsi",
            Self::Na => "na",
        })
    }
}

impl ToneKind {
    /// Every tone kind, in declaration order.
    pub const ALL: [ToneKind; 7] = [
        ToneKind::Dial,
        ToneKind::Ringback,
        ToneKind::Busy,
        ToneKind::Congestion,
        ToneKind::Sit,
        ToneKind::CallWaiting,
        ToneKind::Beep,
    ];

    /// Lower-case name, as accepted by `FromStr`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Dial => "dial",
            Self::Ringback => "ringback",
            Self::Busy => "busy",
            Self::Congestion => "congestion",
            Self::Sit => "sit",
            Self::CallWaiting => "callwaiting",
            Self::Beep => "beep",
        }
    }
}

impl FromStr for ToneKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let key = match lower.as_str() {
            "call-waiting" | "call_waiting" => "callwaiting",
            "reorder" => "congestion",
            other => other,
        };
        ToneKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == key)
            .ok_or_else(|| UnknownName {
                what: "tone",
                given: s.to_string(),
                valid: "dial, ringback, busy, congestion, sit, callwaiting, beep",
            })
    }
}

impl fmt::Display for ToneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_names_parse() {
        assert_eq!("china".parse::<TonePlanName>(), Ok(TonePlanName::China));
        assert_eq!("ETSI".parse::<TonePlanName>(), Ok(TonePlanName::Etsi));
        assert_eq!("cept".parse::<TonePlanName>(), Ok(TonePlanName::Etsi));
        assert_eq!("na".parse::<TonePlanName>(), Ok(TonePlanName::Na));
        assert_eq!(
            "north-america".parse::<TonePlanName>(),
            Ok(TonePlanName::Na)
        );
        let err = "uk".parse::<TonePlanName>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"uk\""), "{msg}");
        for valid in ["china", "etsi", "cept", "na", "north-america"] {
            assert!(msg.contains(valid), "{msg} lacks {valid}");
        }
        // Display round-trips through FromStr.
        for p in [TonePlanName::China, TonePlanName::Etsi, TonePlanName::Na] {
            assert_eq!(p.to_string().parse::<TonePlanName>(), Ok(p));
        }
    }

    #[test]
    fn plan_names_serde_lowercase() {
        let v: Vec<TonePlanName> = serde_json::from_str(r#"["china","etsi","na"]"#).unwrap();
        assert_eq!(
            v,
            [TonePlanName::China, TonePlanName::Etsi, TonePlanName::Na]
        );
        assert_eq!(serde_json::to_string(&TonePlanName::Na).unwrap(), r#""na""#);
        assert!(serde_json::from_str::<TonePlanName>(r#""China""#).is_err());
    }

    #[test]
    fn tone_kinds_parse() {
        for k in ToneKind::ALL {
            assert_eq!(k.name().parse::<ToneKind>(), Ok(k));
            assert_eq!(k.name().to_uppercase().parse::<ToneKind>(), Ok(k));
        }
        assert_eq!(
            "call-waiting".parse::<ToneKind>(),
            Ok(ToneKind::CallWaiting)
        );
        let msg = "howler".parse::<ToneKind>().unwrap_err().to_string();
        assert!(msg.contains("howler") && msg.contains("ringback"), "{msg}");
    }
}
