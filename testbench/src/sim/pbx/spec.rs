//! The `pbx` request: per-extension behaviour of the agent phones, from JSON.
//!
//! Errors name the field (`pbx: extensions."2001".talk.mean_ms: ...`); a
//! request that does not parse changes nothing.

use std::collections::BTreeMap;

use rand::Rng;
use rand_pcg::Pcg64;
use serde_json::{json, Map, Value};
use trunk_isdn::call::Digits;

type Obj = Map<String, Value>;

/// Longest time a policy accepts (one day), in milliseconds.
pub const MAX_MS: u64 = 86_400_000;
/// Most extensions one `pbx` request may configure.
pub const MAX_CONFIGURED: usize = 4096;
/// Q.850 cause of a busy extension (user busy).
pub const USER_BUSY: u8 = 17;

/// What a phone does when trunkd calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Ring (ALERTING), then answer (CONNECT) this many ms later.
    Answer {
        /// Ringing time before the answer.
        after_ms: u64,
    },
    /// Ring until trunkd gives up (ring-no-answer).
    Never,
    /// Refuse at once with cause 17 (user busy).
    Busy,
    /// Refuse at once with this Q.850 cause.
    Fail(u8),
}

/// How long an answered call lasts before the phone hangs up (cause 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TalkTime {
    /// The phone never hangs up; trunkd clears the call.
    None,
    /// Always this long.
    Fixed(u64),
    /// Uniformly distributed between the bounds (inclusive).
    Uniform {
        /// Shortest talk time.
        min_ms: u64,
        /// Longest talk time.
        max_ms: u64,
    },
    /// Exponentially distributed with this mean (`-mean * ln U`).
    Exponential {
        /// Mean talk time, at least 1 ms.
        mean_ms: u64,
    },
}

impl TalkTime {
    /// Draw one talk time; `None` for [`TalkTime::None`]. Exponential draws
    /// are by inverse transform, `-mean * ln(U)` with U uniform in (0, 1],
    /// rounded to the millisecond.
    pub fn draw(&self, rng: &mut Pcg64) -> Option<u64> {
        match *self {
            TalkTime::None => None,
            TalkTime::Fixed(ms) => Some(ms),
            TalkTime::Uniform { min_ms, max_ms } => Some(rng.gen_range(min_ms..=max_ms)),
            TalkTime::Exponential { mean_ms } => {
                let u = 1.0 - rng.gen::<f64>(); // (0, 1]
                Some((-(mean_ms as f64) * u.ln()).round() as u64)
            }
        }
    }

    /// JSON form, as the `pbx` request takes it.
    pub fn to_json(&self) -> Value {
        match *self {
            TalkTime::None => json!({"dist": "none"}),
            TalkTime::Fixed(ms) => json!({"dist": "fixed", "ms": ms}),
            TalkTime::Uniform { min_ms, max_ms } => {
                json!({"dist": "uniform", "min_ms": min_ms, "max_ms": max_ms})
            }
            TalkTime::Exponential { mean_ms } => json!({"dist": "exponential", "mean_ms": mean_ms}),
        }
    }
}

/// One extension's behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionPolicy {
    /// Ring and answer, ring forever, busy or fail.
    pub outcome: Outcome,
    /// Talk time once answered.
    pub talk: TalkTime,
}

impl Default for ExtensionPolicy {
    /// Answer at once (after ALERTING), never hang up.
    fn default() -> Self {
        ExtensionPolicy {
            outcome: Outcome::Answer { after_ms: 0 },
            talk: TalkTime::None,
        }
    }
}

impl ExtensionPolicy {
    /// JSON form, as the `pbx` request takes it.
    pub fn to_json(&self) -> Value {
        let mut m = Obj::new();
        match self.outcome {
            Outcome::Answer { after_ms } => m.insert("answer_after_ms".into(), json!(after_ms)),
            Outcome::Never => m.insert("answer".into(), json!("never")),
            Outcome::Busy => m.insert("busy".into(), json!(true)),
            Outcome::Fail(c) => m.insert("fail_cause".into(), json!(c)),
        };
        m.insert("talk".into(), self.talk.to_json());
        Value::Object(m)
    }
}

/// A span's PBX: a default policy, per-extension policies and the seed of
/// its talk-time draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbxConfig {
    /// Seed of the span's talk-time generator (Pcg64).
    pub seed: u64,
    /// Policy of a called number without an entry.
    pub default: ExtensionPolicy,
    /// Policies by called number (extension).
    pub extensions: BTreeMap<String, ExtensionPolicy>,
}

impl Default for PbxConfig {
    /// Seed 0, every extension answers at once and never hangs up.
    fn default() -> Self {
        PbxConfig {
            seed: 0,
            default: ExtensionPolicy::default(),
            extensions: BTreeMap::new(),
        }
    }
}

impl PbxConfig {
    /// The policy for a called number.
    pub fn policy(&self, number: &str) -> &ExtensionPolicy {
        self.extensions.get(number).unwrap_or(&self.default)
    }

    /// JSON form, as the `pbx` request takes it (without `cmd` and `span`).
    pub fn to_json(&self) -> Value {
        let ext: Obj = self
            .extensions
            .iter()
            .map(|(k, p)| (k.clone(), p.to_json()))
            .collect();
        json!({"seed": self.seed, "default": self.default.to_json(), "extensions": ext})
    }

    /// Parse a `pbx` request object (`cmd` and `span` are ignored): `Ok(None)`
    /// for `{"off":true}` (back to `pri_policy`), otherwise the config.
    /// The error names the field.
    pub fn from_json(obj: &Obj) -> Result<Option<PbxConfig>, String> {
        const KEYS: &[&str] = &["seed", "default", "extensions", "off"];
        if let Some(k) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "cmd" | "span") && !KEYS.contains(&k.as_str()))
        {
            return Err(format!(
                "pbx: unknown field \"{k}\" (known: {})",
                KEYS.join(", ")
            ));
        }
        match obj.get("off") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => {
                return match obj
                    .keys()
                    .find(|k| !matches!(k.as_str(), "cmd" | "span" | "off"))
                {
                    Some(k) => Err(format!("pbx: \"off\":true takes no other field (\"{k}\")")),
                    None => Ok(None),
                };
            }
            Some(_) => return Err("pbx: \"off\" must be true or false".into()),
        }
        let seed = match obj.get("seed") {
            None => 0,
            Some(v) => v
                .as_u64()
                .ok_or("pbx: \"seed\" must be a non-negative integer")?,
        };
        let base = ExtensionPolicy::default();
        let default = match obj.get("default") {
            None => base,
            Some(v) => policy(v, &base, "default")?,
        };
        let mut extensions = BTreeMap::new();
        match obj.get("extensions") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                if m.len() > MAX_CONFIGURED {
                    return Err(format!(
                        "pbx: \"extensions\": at most {MAX_CONFIGURED} entries"
                    ));
                }
                for (number, v) in m {
                    let at = format!("extensions.\"{}\"", number.escape_debug());
                    if number.is_empty() || Digits::dialable(number).is_none() {
                        return Err(format!("pbx: {at}: an extension is 1 to 32 of 0-9 * #"));
                    }
                    extensions.insert(number.clone(), policy(v, &default, &at)?);
                }
            }
            Some(_) => return Err("pbx: \"extensions\" must be an object of number: policy".into()),
        }
        Ok(Some(PbxConfig {
            seed,
            default,
            extensions,
        }))
    }
}

/// Milliseconds 0..=MAX_MS at `at`.
fn ms(v: &Value, at: &str) -> Result<u64, String> {
    v.as_u64()
        .filter(|&n| n <= MAX_MS)
        .ok_or_else(|| format!("pbx: {at} must be milliseconds (0..={MAX_MS})"))
}

/// One policy object at `at`; fields it leaves out come from `base` (the
/// outcome as a whole, the talk time as a whole).
fn policy(v: &Value, base: &ExtensionPolicy, at: &str) -> Result<ExtensionPolicy, String> {
    const KEYS: &[&str] = &["answer_after_ms", "answer", "busy", "fail_cause", "talk"];
    let obj = v
        .as_object()
        .ok_or_else(|| format!("pbx: {at} must be an object"))?;
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "pbx: {at}: unknown field \"{k}\" (known: {})",
            KEYS.join(", ")
        ));
    }
    let mut outcomes = Vec::new();
    if let Some(v) = obj.get("answer_after_ms") {
        outcomes.push((
            "answer_after_ms",
            Outcome::Answer {
                after_ms: ms(v, &format!("{at}.answer_after_ms"))?,
            },
        ));
    }
    if let Some(v) = obj.get("answer") {
        match v.as_str() {
            Some("never") => outcomes.push(("answer", Outcome::Never)),
            _ => return Err(format!("pbx: {at}.answer must be \"never\"")),
        }
    }
    match obj.get("busy") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => outcomes.push(("busy", Outcome::Busy)),
        Some(_) => return Err(format!("pbx: {at}.busy must be true or false")),
    }
    if let Some(v) = obj.get("fail_cause") {
        let c = v
            .as_u64()
            .filter(|c| (1..=127).contains(c))
            .ok_or_else(|| format!("pbx: {at}.fail_cause must be a Q.850 cause, 1..=127"))?;
        outcomes.push(("fail_cause", Outcome::Fail(c as u8)));
    }
    let outcome = match outcomes.as_slice() {
        [] => base.outcome,
        [(_, o)] => *o,
        [(a, _), (b, _), ..] => {
            return Err(format!(
                "pbx: {at}: \"{a}\" and \"{b}\" conflict (give one of answer_after_ms, \
                 answer, busy, fail_cause)"
            ))
        }
    };
    let talk = match obj.get("talk") {
        None => base.talk,
        Some(v) => talk(v, &format!("{at}.talk"))?,
    };
    Ok(ExtensionPolicy { outcome, talk })
}

/// A talk-time distribution at `at`.
fn talk(v: &Value, at: &str) -> Result<TalkTime, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("pbx: {at} must be an object with \"dist\""))?;
    let dist = obj.get("dist").and_then(Value::as_str).ok_or_else(|| {
        format!("pbx: {at}.dist must be one of none, fixed, uniform, exponential")
    })?;
    let keys: &[&str] = match dist {
        "none" => &[],
        "fixed" => &["ms"],
        "uniform" => &["min_ms", "max_ms"],
        "exponential" => &["mean_ms"],
        other => {
            return Err(format!(
                "pbx: {at}.dist `{}`: expected none, fixed, uniform or exponential",
                other.escape_debug()
            ))
        }
    };
    if let Some(k) = obj
        .keys()
        .find(|k| k.as_str() != "dist" && !keys.contains(&k.as_str()))
    {
        return Err(format!(
            "pbx: {at}: unknown field \"{k}\" for dist {dist} (known: dist{}{})",
            if keys.is_empty() { "" } else { ", " },
            keys.join(", ")
        ));
    }
    let field = |k: &str| -> Result<u64, String> {
        let v = obj
            .get(k)
            .ok_or_else(|| format!("pbx: {at}.{k} is missing (dist {dist})"))?;
        ms(v, &format!("{at}.{k}"))
    };
    Ok(match dist {
        "fixed" => TalkTime::Fixed(field("ms")?),
        "uniform" => {
            let (min_ms, max_ms) = (field("min_ms")?, field("max_ms")?);
            if min_ms > max_ms {
                return Err(format!(
                    "pbx: {at}.min_ms ({min_ms}) must not exceed max_ms ({max_ms})"
                ));
            }
            TalkTime::Uniform { min_ms, max_ms }
        }
        "exponential" => {
            let mean_ms = field("mean_ms")?;
            if mean_ms == 0 {
                return Err(format!("pbx: {at}.mean_ms must be at least 1"));
            }
            TalkTime::Exponential { mean_ms }
        }
        _ => TalkTime::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<Option<PbxConfig>, String> {
        PbxConfig::from_json(v.as_object().expect("object"))
    }

    #[test]
    fn entries_inherit_what_they_leave_out() {
        let c = parse(json!({"cmd":"pbx","span":1,"seed":7,
            "default":{"answer_after_ms":3000,"talk":{"dist":"exponential","mean_ms":60000}},
            "extensions":{"2001":{"answer_after_ms":2000},"2002":{"talk":{"dist":"none"}},
                          "2003":{"busy":true},"2004":{"fail_cause":34},"2005":{"answer":"never"}}}))
        .expect("valid")
        .expect("on");
        assert_eq!(c.seed, 7);
        let expo = TalkTime::Exponential { mean_ms: 60000 };
        assert_eq!(c.policy("9999").outcome, Outcome::Answer { after_ms: 3000 });
        assert_eq!(c.policy("2001").talk, expo);
        assert_eq!(c.policy("2001").outcome, Outcome::Answer { after_ms: 2000 });
        assert_eq!(c.policy("2002").outcome, Outcome::Answer { after_ms: 3000 });
        assert_eq!(c.policy("2002").talk, TalkTime::None);
        assert_eq!(c.policy("2003").outcome, Outcome::Busy);
        assert_eq!(c.policy("2004").outcome, Outcome::Fail(34));
        assert_eq!(c.policy("2005").outcome, Outcome::Never);
        // The JSON form parses back to the same config.
        let back = PbxConfig::from_json(c.to_json().as_object().expect("object"));
        assert_eq!(back, Ok(Some(c)));
        assert_eq!(parse(json!({"cmd":"pbx","span":1,"off":true})), Ok(None));
    }

    #[test]
    fn errors_name_the_field() {
        let e = |v| parse(v).unwrap_err();
        assert!(e(json!({"extension":{}})).contains("unknown field \"extension\""));
        assert!(e(json!({"extensions":{"20x1":{}}})).contains("extensions.\"20x1\""));
        assert!(e(json!({"extensions":{"2001":{"ring":true}}}))
            .contains("extensions.\"2001\": unknown field \"ring\""));
        assert!(e(json!({"default":{"talk":{"dist":"exponential"}}}))
            .contains("default.talk.mean_ms is missing"));
        assert!(e(json!({"default":{"talk":{"dist":"gauss"}}})).contains("default.talk.dist"));
        assert!(
            e(json!({"extensions":{"1":{"talk":{"dist":"uniform","min_ms":5,"max_ms":4}}}}))
                .contains("extensions.\"1\".talk.min_ms")
        );
        assert!(
            e(json!({"extensions":{"1":{"fail_cause":0}}})).contains("extensions.\"1\".fail_cause")
        );
        assert!(
            e(json!({"extensions":{"1":{"busy":true,"answer_after_ms":5}}})).contains("conflict")
        );
        assert!(e(json!({"default":{"answer":"later"}})).contains("default.answer"));
        assert!(e(json!({"default":{"answer_after_ms":-1}})).contains("default.answer_after_ms"));
        assert!(e(json!({"seed":"x"})).contains("seed"));
        assert!(e(json!({"off":true,"seed":1})).contains("off"));
        assert!(
            e(json!({"default":{"talk":{"dist":"fixed","ms":1,"mean_ms":2}}}))
                .contains("unknown field \"mean_ms\"")
        );
    }
}
