//! API commands for calls: `calls`, `dial`, `answer`, `hangup`, `restart`.
//! Call control is done by the signalling thread; these forward the
//! request and wait (briefly) for its answer.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::commands::{get_u64, need_u64, ApiError};
use crate::calls::{CallRecord, Numbering};
use crate::registry::{lock, Registry};
use crate::signalling::SigCmd;

/// How long the API waits for the signalling thread.
const SIG_TIMEOUT: Duration = Duration::from_secs(2);

/// `calls`: calls in progress, and with `"recent": true` the recently ended ones.
pub fn calls(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let recent = matches!(req.get("recent"), Some(Value::Bool(true)));
    let t = lock(&reg.calls);
    let active: Vec<Value> = t.active.values().map(CallRecord::to_json).collect();
    let mut out = json!({ "calls": active });
    if recent {
        out["recent"] = t.recent.iter().map(CallRecord::to_json).collect();
    }
    Ok(out)
}

fn get_str<'a>(req: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ApiError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::new(
            "invalid_argument",
            format!("\"{key}\" must be a string"),
        )),
    }
}

fn ask(
    reg: &Registry,
    make: impl FnOnce(super::super::signalling::Reply) -> SigCmd,
) -> Result<Value, ApiError> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    reg.sig
        .try_send(make(tx))
        .map_err(|_| ApiError::new("busy", "the signalling thread is not keeping up"))?;
    rx.recv_timeout(SIG_TIMEOUT)
        .map_err(|_| ApiError::new("timeout", "the signalling thread did not answer"))?
}

/// `dial`: `{"trunk_group": "pstn", "number": "5551234", "from": "8880001"}`.
pub fn dial(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let trunk_group = get_str(req, "trunk_group")?
        .ok_or_else(|| ApiError::new("bad_request", "missing \"trunk_group\""))?
        .to_owned();
    let number = get_str(req, "number")?
        .ok_or_else(|| ApiError::new("bad_request", "missing \"number\""))?
        .to_owned();
    let from = get_str(req, "from")?.map(str::to_owned);
    let pick = |key: &str, names: &[(&str, u8)], default: u8| -> Result<u8, ApiError> {
        match get_str(req, key)? {
            None => Ok(default),
            Some(v) => names
                .iter()
                .find(|(n, _)| *n == v)
                .map(|(_, c)| *c)
                .ok_or_else(|| {
                    let all: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                    ApiError::new(
                        "invalid_argument",
                        format!("\"{key}\": `{v}` is not one of {}", all.join(", ")),
                    )
                }),
        }
    };
    const TYPES: &[(&str, u8)] = &[
        ("unknown", 0),
        ("international", 1),
        ("national", 2),
        ("network_specific", 3),
        ("subscriber", 4),
        ("abbreviated", 6),
    ];
    const PLANS: &[(&str, u8)] = &[("unknown", 0), ("e164", 1), ("national", 8), ("private", 9)];
    const PRESENTATIONS: &[(&str, u8)] = &[("allowed", 0), ("restricted", 1), ("not_available", 2)];
    let numbering = Numbering {
        dnis_type: pick("number_type", TYPES, 0)?,
        dnis_plan: pick("number_plan", PLANS, 1)?,
        ani_type: pick("from_type", TYPES, 0)?,
        ani_plan: pick("from_plan", PLANS, 1)?,
        ani_presentation: pick("from_presentation", PRESENTATIONS, 0)?,
        ani_screening: 0,
    };
    ask(reg, |reply| SigCmd::Dial {
        trunk_group,
        number,
        from,
        numbering,
        reply,
    })
}

/// `answer`: `{"call": 12}`.
pub fn answer(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let call = need_u64(req, "call")?;
    ask(reg, |reply| SigCmd::Answer { call, reply })
}

/// `hangup`: `{"call": 12, "cause": 16}` (cause defaults to 16, normal clearing).
pub fn hangup(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let call = need_u64(req, "call")?;
    let cause = get_u64(req, "cause")?.unwrap_or(16);
    if !(1..=127).contains(&cause) {
        return Err(ApiError::new(
            "invalid_argument",
            format!("cause {cause}: a Q.850 cause value is 1-127"),
        ));
    }
    ask(reg, |reply| SigCmd::Hangup {
        call,
        cause: cause as u8,
        reply,
    })
}

/// `restart`: `{"span": 1, "channel": 5}` (no channel: the whole interface).
pub fn restart(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let span = need_u64(req, "span")?;
    let channel = get_u64(req, "channel")?;
    let span =
        u32::try_from(span).map_err(|_| ApiError::new("invalid_argument", "span out of range"))?;
    let channel = match channel {
        None => None,
        Some(c) if (1..=31).contains(&c) => Some(c as u8),
        Some(c) => {
            return Err(ApiError::new(
                "invalid_argument",
                format!("channel {c}: B-channels are 1-31"),
            ))
        }
    };
    ask(reg, |reply| SigCmd::Restart {
        span,
        channel,
        reply,
    })
}
