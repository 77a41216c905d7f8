//! API commands for bridges and conferences: `bridge`, `unbridge`,
//! `conference_join`, `conference_leave`, `conference_set`, `conferences`,
//! and supervision (`monitor`: listen, whisper, barge).
//!
//! Channels are named as for other media commands (`"call"` or `"span"` +
//! `"timeslot"`); the second channel of `bridge` and the target of
//! `monitor` are nested objects named the same way (`"with"`, `"target"`).
//! Channels may be on different spans and boards.

use serde_json::{json, Map, Value};

use super::commands::ApiError;
use super::media_commands::{get_bool, get_str, target};
use crate::confbook::{Mode, Where};
use crate::mediasvc;
use crate::registry::{lock, Registry};

fn where_of(reg: &Registry, req: &Map<String, Value>) -> Result<Where, ApiError> {
    let (span, ts) = target(reg, req)?;
    let (board, chan) = mediasvc::locate(reg, span, ts)?;
    Ok(Where {
        id: (span, ts as u8),
        board,
        chan,
    })
}

fn nested<'a>(req: &'a Map<String, Value>, key: &str) -> Result<&'a Map<String, Value>, ApiError> {
    match req.get(key) {
        Some(Value::Object(o)) => Ok(o),
        _ => Err(ApiError::new(
            "bad_request",
            format!("missing \"{key}\": {{\"call\": ID}} or {{\"span\": N, \"timeslot\": T}}"),
        )),
    }
}

fn refused(e: String) -> ApiError {
    ApiError::new("invalid_state", e)
}

/// `bridge`: `{"call": 7, "with": {"call": 9}}` cross-connects two channels
/// (a two-party conference: both directions bit-exact).
pub fn bridge(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let a = where_of(reg, req)?;
    let b = where_of(reg, nested(req, "with")?)?;
    if a.id == b.id {
        return Err(ApiError::new(
            "invalid_argument",
            "a channel cannot be bridged to itself",
        ));
    }
    let mut book = lock(&reg.confs);
    let name = book.bridge_name();
    book.join(reg, &name, a, Mode::Talker).map_err(refused)?;
    if let Err(e) = book.join(reg, &name, b, Mode::Talker) {
        let _ = book.leave(reg, a.id);
        return Err(refused(e));
    }
    Ok(json!({"conference": name}))
}

/// `unbridge`: `{"call": 7}` takes apart the bridge or conference the
/// channel is in (every party leaves).
pub fn unbridge(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let w = where_of(reg, req)?;
    let mut book = lock(&reg.confs);
    let name = book
        .conference_of(w.id)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::new("invalid_state", "the channel is not bridged"))?;
    let n = book.dissolve(reg, &name).map_err(refused)?;
    Ok(json!({"conference": name, "parties": n}))
}

fn mode(reg: &Registry, req: &Map<String, Value>, key: &str) -> Result<Option<Mode>, ApiError> {
    Ok(match get_str(req, key)? {
        None => None,
        Some("talker") => Some(Mode::Talker),
        Some("listen") => Some(Mode::Listen),
        Some("whisper") => {
            let to = where_of(reg, nested(req, "whisper_to")?)?;
            Some(Mode::Whisper(to.id))
        }
        Some(other) => {
            return Err(ApiError::new(
                "invalid_argument",
                format!("\"{key}\": `{other}` is not one of talker, listen, whisper"),
            ))
        }
    })
}

/// `conference_join`: `{"conference": "sales", "call": 7, "role": "talker",
/// "muted": false, "deaf": false}` (up to 64 parties; `role` may be
/// `listen`, or `whisper` with `"whisper_to": {...}`).
pub fn conference_join(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let name = get_str(req, "conference")?
        .filter(|n| !n.is_empty() && n.len() <= 64)
        .ok_or_else(|| {
            ApiError::new(
                "bad_request",
                "missing \"conference\" (a name of 1-64 characters)",
            )
        })?;
    let w = where_of(reg, req)?;
    let m = mode(reg, req, "role")?.unwrap_or(Mode::Talker);
    let muted = get_bool(req, "muted")?;
    let deaf = get_bool(req, "deaf")?;
    let mut book = lock(&reg.confs);
    book.join(reg, name, w, m).map_err(refused)?;
    if muted.is_some() || deaf.is_some() {
        book.set(reg, w.id, None, muted, deaf).map_err(refused)?;
    }
    Ok(json!({"conference": name}))
}

/// `conference_leave`: `{"call": 7}` (kick).
pub fn conference_leave(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let w = where_of(reg, req)?;
    lock(&reg.confs).leave(reg, w.id).map_err(refused)?;
    Ok(json!({}))
}

/// `conference_set`: `{"call": 7, "muted": true, "deaf": false, "role": "talker"}`.
pub fn conference_set(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let w = where_of(reg, req)?;
    let m = mode(reg, req, "role")?;
    let muted = get_bool(req, "muted")?;
    let deaf = get_bool(req, "deaf")?;
    lock(&reg.confs)
        .set(reg, w.id, m, muted, deaf)
        .map_err(refused)?;
    Ok(json!({}))
}

/// `conferences`: every bridge and conference with its parties.
pub fn conferences(reg: &Registry) -> Value {
    lock(&reg.confs).to_json()
}

/// `monitor`: `{"call": SUPERVISOR, "target": {"call": AGENT}, "mode":
/// "listen"}`. `listen` hears both sides unheard, `whisper` is heard by the
/// agent only, `barge` makes a three-way call. Calling it again changes
/// the mode.
pub fn monitor(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let sup = where_of(reg, req)?;
    let agent = where_of(reg, nested(req, "target")?)?;
    let m = match get_str(req, "mode")?.unwrap_or("listen") {
        "listen" => Mode::Listen,
        "whisper" => Mode::Whisper(agent.id),
        "barge" => Mode::Talker,
        other => {
            return Err(ApiError::new(
                "invalid_argument",
                format!("\"mode\": `{other}` is not one of listen, whisper, barge"),
            ))
        }
    };
    let mut book = lock(&reg.confs);
    let name = book
        .conference_of(agent.id)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::new(
                "invalid_state",
                "the target is not in a bridge or conference",
            )
        })?;
    if book.conference_of(sup.id) == Some(name.as_str()) {
        book.set(reg, sup.id, Some(m), None, None)
            .map_err(refused)?;
    } else {
        book.join(reg, &name, sup, m).map_err(refused)?;
    }
    Ok(json!({"conference": name}))
}
