//! The `traffic` request: what the callers of each group do, from JSON,
//! checked before anything starts (an error names the field and nothing
//! changes).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use trunk_isdn::call::Digits;

/// Most groups in one `traffic` request.
pub const MAX_GROUPS: usize = 16;
/// Most caller profiles in one group.
pub const MAX_PROFILES: usize = 32;
/// Most steps in one caller's script.
pub const MAX_STEPS: usize = 256;
/// Most calls of one group.
pub const MAX_CALLS: u32 = 1_000_000;
/// Highest arrival rate of one group, calls per minute (1000 a second).
pub const MAX_RATE_PER_MIN: f64 = 60_000.0;
/// Longest time a request accepts, one day in milliseconds.
pub const MAX_MS: u64 = 86_400_000;
/// Default tone-on time of a DTMF digit (ms).
pub const DTMF_ON_MS: u64 = 80;
/// Default pause after a DTMF digit (ms).
pub const DTMF_GAP_MS: u64 = 80;
/// Cause the caller clears with unless the script says otherwise (normal
/// call clearing).
pub const NORMAL_CLEARING: u8 = 16;

/// A whole `traffic` request: groups of callers, one random stream per
/// group derived from `seed`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficSpec {
    /// Seed of every random draw (inter-arrival times, profiles, calling
    /// numbers from a list).
    pub seed: u64,
    /// The groups.
    pub groups: Vec<GroupSpec>,
}

/// How the calls of a group arrive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArrivalProcess {
    /// A Poisson process: exponential inter-arrival times with this mean
    /// rate (calls per minute); the first call one draw after the start.
    Poisson {
        /// Calls per minute, > 0.
        rate_per_min: f64,
    },
    /// A call every `interval_ms`, the first at the start.
    Fixed {
        /// Milliseconds between two calls.
        interval_ms: u64,
    },
}

/// Where a call's calling-party number (ANI) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallingNumber {
    /// No calling number.
    None,
    /// A pattern: `prefix`, the call index (1, 2, ...) zero-padded to
    /// `width` digits (`%0Nd`; `%d` is width 0), `suffix`. A string
    /// without `%` is a fixed number (`index` absent).
    Pattern {
        /// Digits before the index.
        prefix: String,
        /// Zero-padded width of the index; `None`: no index.
        width: Option<usize>,
        /// Digits after the index.
        suffix: String,
    },
    /// One of these, drawn at random per call.
    List(Vec<String>),
}

impl CallingNumber {
    /// The number of call `index` (1-based) when not drawn from a list.
    pub fn format(&self, index: u32) -> Option<String> {
        match self {
            CallingNumber::None | CallingNumber::List(_) => None,
            CallingNumber::Pattern {
                prefix,
                width,
                suffix,
            } => Some(match width {
                None => format!("{prefix}{suffix}"),
                Some(w) => format!("{prefix}{index:0w$}{suffix}", w = *w),
            }),
        }
    }
}

/// One step of a caller's script, run from the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Stay silent this long.
    Wait {
        /// Milliseconds.
        ms: u64,
    },
    /// Send DTMF digits: each one `on_ms` of Q.23 dual tone then `gap_ms`
    /// of silence.
    Dtmf {
        /// Digits, `0-9 * # A-D`.
        digits: String,
        /// Tone-on time per digit (ms).
        on_ms: u64,
        /// Silence after each digit (ms).
        gap_ms: u64,
    },
    /// Clear the call `ms` after the answer (or when the script gets here,
    /// if that is later).
    HangupAfter {
        /// Milliseconds after the answer.
        ms: u64,
        /// Q.850 cause.
        cause: u8,
    },
    /// Clear the call now.
    Hangup {
        /// Q.850 cause.
        cause: u8,
    },
}

/// One kind of caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerSpec {
    /// Profile name (unique in the group).
    pub name: String,
    /// Relative weight of the draw.
    pub weight: u32,
    /// Hang up (cause 16) when not answered this long after the SETUP;
    /// `None`: wait until trunkd or a protocol timer ends the call.
    pub patience_ms: Option<u64>,
    /// What the caller does once answered.
    pub script: Vec<Step>,
}

/// A group of callers offering calls to one called number over some spans.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    /// Group name (unique among running groups).
    pub name: String,
    /// The spans (1-based) calls go out on, tried round robin.
    pub spans: Vec<usize>,
    /// Called number (DNIS).
    pub number: String,
    /// Calling number (ANI).
    pub from: CallingNumber,
    /// Arrival process.
    pub arrivals: ArrivalProcess,
    /// Calls to offer; `None`: until `traffic_stop`.
    pub calls: Option<u32>,
    /// Caller profiles, drawn by weight per call.
    pub callers: Vec<CallerSpec>,
}

type Obj = Map<String, Value>;

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, String> {
    v.as_object()
        .ok_or_else(|| format!("{path}: must be a JSON object"))
}

/// Refuse keys not in `known` (a typo would otherwise silently take the
/// default).
fn deny_unknown_fields(obj: &Obj, known: &[&str], path: &str) -> Result<(), String> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{path}: unknown field \"{k}\" (known: {})",
            known.join(", ")
        )),
        None => Ok(()),
    }
}

/// Field `key` of `obj` as a `T`; absent or `null` is `None`.
fn field<T: DeserializeOwned>(obj: &Obj, key: &str, path: &str) -> Result<Option<T>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| format!("{path}.{key}: {e}")),
    }
}

fn required<T: DeserializeOwned>(obj: &Obj, key: &str, path: &str) -> Result<T, String> {
    field(obj, key, path)?.ok_or_else(|| format!("{path}: missing field \"{key}\""))
}

fn ms(obj: &Obj, key: &str, path: &str, min: u64) -> Result<Option<u64>, String> {
    match field::<u64>(obj, key, path)? {
        Some(n) if n < min || n > MAX_MS => Err(format!(
            "{path}.{key}: {n} is out of range ({min}..={MAX_MS} ms)"
        )),
        n => Ok(n),
    }
}

fn cause(obj: &Obj, path: &str) -> Result<u8, String> {
    match field::<u64>(obj, "cause", path)? {
        None => Ok(NORMAL_CLEARING),
        Some(c @ 1..=127) => Ok(c as u8),
        Some(c) => Err(format!("{path}.cause: {c} is not a Q.850 cause (1..=127)")),
    }
}

/// A number given as a string or a JSON number.
fn number_text(obj: &Obj, key: &str, path: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err(format!("{path}.{key}: must be a string of digits")),
    }
}

fn dialable(s: &str, what: &str) -> Result<(), String> {
    if s.is_empty() || Digits::dialable(s).is_none() {
        Err(format!(
            "{what}: `{}` is not 1 to 32 of 0-9 * #",
            s.escape_debug()
        ))
    } else {
        Ok(())
    }
}

/// Parse a calling-number pattern: one optional `%d` or `%0Nd`.
fn pattern(s: &str, path: &str) -> Result<CallingNumber, String> {
    let bad = || {
        format!(
            "{path}: `{}` must be digits (0-9 * #) with at most one %d or %0Nd (N 1..=20)",
            s.escape_debug()
        )
    };
    let Some(at) = s.find('%') else {
        return Ok(CallingNumber::Pattern {
            prefix: s.to_owned(),
            width: None,
            suffix: String::new(),
        });
    };
    let rest = &s[at + 1..];
    let d = rest.find('d').ok_or_else(bad)?;
    let spec = &rest[..d];
    let width = if spec.is_empty() {
        0
    } else if spec.starts_with('0') && spec.len() > 1 {
        spec[1..]
            .parse::<usize>()
            .ok()
            .filter(|w| (1..=20).contains(w))
            .ok_or_else(bad)?
    } else {
        return Err(bad());
    };
    let suffix = &rest[d + 1..];
    if suffix.contains('%') {
        return Err(bad());
    }
    Ok(CallingNumber::Pattern {
        prefix: s[..at].to_owned(),
        width: Some(width),
        suffix: suffix.to_owned(),
    })
}

fn dtmf_digits(s: &str, path: &str) -> Result<String, String> {
    let up = s.to_ascii_uppercase();
    if up.is_empty()
        || up.len() > 64
        || !up
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'*' | b'#' | b'A'..=b'D'))
    {
        return Err(format!(
            "{path}.dtmf: `{}` is not 1 to 64 of 0-9 * # A-D",
            s.escape_debug()
        ));
    }
    Ok(up)
}

fn step(v: &Value, path: &str) -> Result<Step, String> {
    let o = object(v, path)?;
    let known = [
        "wait_ms",
        "dtmf",
        "on_ms",
        "gap_ms",
        "hangup_after_ms",
        "hangup",
        "cause",
    ];
    deny_unknown_fields(o, &known, path)?;
    let actions: Vec<&str> = ["wait_ms", "dtmf", "hangup_after_ms", "hangup"]
        .into_iter()
        .filter(|k| o.contains_key(*k))
        .collect();
    let only = |allowed: &[&str]| match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{path}.{k}: not allowed with \"{}\"",
            actions.first().copied().unwrap_or("")
        )),
        None => Ok(()),
    };
    match actions.as_slice() {
        ["wait_ms"] => {
            only(&["wait_ms"])?;
            Ok(Step::Wait {
                ms: ms(o, "wait_ms", path, 0)?.unwrap_or(0),
            })
        }
        ["dtmf"] => {
            only(&["dtmf", "on_ms", "gap_ms"])?;
            let digits: String = required(o, "dtmf", path)?;
            Ok(Step::Dtmf {
                digits: dtmf_digits(&digits, path)?,
                on_ms: ms(o, "on_ms", path, 1)?.unwrap_or(DTMF_ON_MS),
                gap_ms: ms(o, "gap_ms", path, 0)?.unwrap_or(DTMF_GAP_MS),
            })
        }
        ["hangup_after_ms"] => {
            only(&["hangup_after_ms", "cause"])?;
            Ok(Step::HangupAfter {
                ms: ms(o, "hangup_after_ms", path, 0)?.unwrap_or(0),
                cause: cause(o, path)?,
            })
        }
        ["hangup"] => {
            only(&["hangup", "cause"])?;
            if field::<bool>(o, "hangup", path)? != Some(true) {
                return Err(format!("{path}.hangup: must be true"));
            }
            Ok(Step::Hangup {
                cause: cause(o, path)?,
            })
        }
        [] => Err(format!(
            "{path}: a step needs one of wait_ms, dtmf, hangup_after_ms, hangup"
        )),
        many => Err(format!(
            "{path}: one action per step, not {}",
            many.join(" and ")
        )),
    }
}

fn caller(v: &Value, path: &str) -> Result<CallerSpec, String> {
    let o = object(v, path)?;
    deny_unknown_fields(o, &["name", "weight", "patience_ms", "script"], path)?;
    let name: String = required(o, "name", path)?;
    if name.is_empty() || name.len() > 32 {
        return Err(format!("{path}.name: 1 to 32 characters"));
    }
    let steps: Vec<Value> = field(o, "script", path)?.unwrap_or_default();
    if steps.len() > MAX_STEPS {
        return Err(format!("{path}.script: at most {MAX_STEPS} steps"));
    }
    let mut script = Vec::with_capacity(steps.len());
    for (k, s) in steps.iter().enumerate() {
        let spath = format!("{path}.script[{k}]");
        if matches!(
            script.last(),
            Some(Step::Hangup { .. } | Step::HangupAfter { .. })
        ) {
            return Err(format!("{spath}: the caller has hung up before this step"));
        }
        script.push(step(s, &spath)?);
    }
    Ok(CallerSpec {
        name,
        weight: field(o, "weight", path)?.unwrap_or(1),
        patience_ms: ms(o, "patience_ms", path, 1)?,
        script,
    })
}

fn group(v: &Value, path: &str) -> Result<GroupSpec, String> {
    let o = object(v, path)?;
    let known = [
        "name",
        "spans",
        "number",
        "from",
        "from_list",
        "rate_per_min",
        "interval_ms",
        "calls",
        "callers",
    ];
    deny_unknown_fields(o, &known, path)?;
    let name: String = required(o, "name", path)?;
    if name.is_empty() || name.len() > 32 {
        return Err(format!("{path}.name: 1 to 32 characters"));
    }
    let spans: Vec<usize> = required(o, "spans", path)?;
    if spans.is_empty() || spans.contains(&0) {
        return Err(format!("{path}.spans: a list of span numbers from 1"));
    }
    if (1..spans.len()).any(|i| spans[..i].contains(&spans[i])) {
        return Err(format!("{path}.spans: a span is listed twice"));
    }
    let number = number_text(o, "number", path)?
        .ok_or_else(|| format!("{path}: missing field \"number\""))?;
    dialable(&number, &format!("{path}.number"))?;
    let calls: Option<u32> = field(o, "calls", path)?;
    if calls.is_some_and(|c| c == 0 || c > MAX_CALLS) {
        return Err(format!("{path}.calls: 1..={MAX_CALLS}"));
    }
    let arrivals = match (
        field::<f64>(o, "rate_per_min", path)?,
        field::<u64>(o, "interval_ms", path)?,
    ) {
        (Some(r), None) if r.is_finite() && r > 0.0 && r <= MAX_RATE_PER_MIN => {
            ArrivalProcess::Poisson { rate_per_min: r }
        }
        (Some(r), None) => {
            return Err(format!(
                "{path}.rate_per_min: {r} must be > 0 and <= {MAX_RATE_PER_MIN}"
            ))
        }
        (None, Some(i)) if i <= MAX_MS && (i > 0 || calls.is_some()) => {
            ArrivalProcess::Fixed { interval_ms: i }
        }
        (None, Some(i)) => {
            return Err(format!(
                "{path}.interval_ms: {i} must be 1..={MAX_MS} (0 only with \"calls\")"
            ))
        }
        (Some(_), Some(_)) => {
            return Err(format!(
                "{path}: give \"rate_per_min\" or \"interval_ms\", not both"
            ))
        }
        (None, None) => {
            return Err(format!(
                "{path}: missing field \"rate_per_min\" (or \"interval_ms\")"
            ))
        }
    };
    let from = match (
        field::<String>(o, "from", path)?,
        field::<Vec<String>>(o, "from_list", path)?,
    ) {
        (Some(_), Some(_)) => {
            return Err(format!("{path}: give \"from\" or \"from_list\", not both"))
        }
        (Some(p), None) => {
            let pat = pattern(&p, &format!("{path}.from"))?;
            let last = calls.unwrap_or(MAX_CALLS);
            let longest = pat.format(last).unwrap_or_default();
            dialable(&longest, &format!("{path}.from (call {last})"))?;
            pat
        }
        (None, Some(list)) => {
            if list.is_empty() {
                return Err(format!("{path}.from_list: must not be empty"));
            }
            for (k, n) in list.iter().enumerate() {
                dialable(n, &format!("{path}.from_list[{k}]"))?;
            }
            CallingNumber::List(list)
        }
        (None, None) => CallingNumber::None,
    };
    let callers_v: Vec<Value> = required(o, "callers", path)?;
    if callers_v.is_empty() || callers_v.len() > MAX_PROFILES {
        return Err(format!(
            "{path}.callers: 1 to {MAX_PROFILES} caller profiles"
        ));
    }
    let mut callers: Vec<CallerSpec> = Vec::with_capacity(callers_v.len());
    for (k, c) in callers_v.iter().enumerate() {
        let c = caller(c, &format!("{path}.callers[{k}]"))?;
        if callers.iter().any(|p| p.name == c.name) {
            return Err(format!(
                "{path}.callers[{k}].name: `{}` is used twice",
                c.name
            ));
        }
        callers.push(c);
    }
    if callers.iter().map(|c| u64::from(c.weight)).sum::<u64>() == 0 {
        return Err(format!("{path}.callers: every weight is 0"));
    }
    Ok(GroupSpec {
        name,
        spans,
        number,
        from,
        arrivals,
        calls,
        callers,
    })
}

impl TrafficSpec {
    /// Parse a `traffic` request (its `cmd` key is allowed and ignored).
    /// The error names the field: `groups[0].callers[1].script[2].dtmf: ...`.
    pub fn from_json(v: &Value) -> Result<TrafficSpec, String> {
        let o = object(v, "traffic")?;
        deny_unknown_fields(o, &["cmd", "seed", "groups"], "traffic")?;
        let seed: u64 = field(o, "seed", "traffic")?.unwrap_or(1);
        let groups_v: Vec<Value> = required(o, "groups", "traffic")?;
        if groups_v.is_empty() || groups_v.len() > MAX_GROUPS {
            return Err(format!("traffic.groups: 1 to {MAX_GROUPS} groups"));
        }
        let mut groups: Vec<GroupSpec> = Vec::with_capacity(groups_v.len());
        for (k, g) in groups_v.iter().enumerate() {
            let g = group(g, &format!("groups[{k}]")).map_err(|e| format!("traffic: {e}"))?;
            if groups.iter().any(|h| h.name == g.name) {
                return Err(format!(
                    "traffic: groups[{k}].name: `{}` is used twice",
                    g.name
                ));
            }
            groups.push(g);
        }
        Ok(TrafficSpec { seed, groups })
    }
}
