//! `record_call`: record a call on demand, both directions mixed, to
//! `calls/YYYYMMDD/CALL-ANI.wav` under `[media] record_dir` (the date the
//! call arrived, UTC), and stop it again.
//!
//! `{"cmd":"record_call","call":12,"action":"start"}` /
//! `{"cmd":"record_call","call":12,"action":"stop"}`.
//!
//! The recording is an ordinary `record` on the call's channel (mono, up to
//! 4 h, ended by `stop`, the end of the call or `max_ms`), so it reports
//! `record_done` / `record_failed` like any other, and the file is listed
//! in the call's CDR (`recordings`). A channel has one recording at a time:
//! `start` is refused while one runs on it, `stop` when none does.

use serde_json::{json, Map, Value};

use super::commands::{need_u64, ApiError};
use super::media_commands::{get_str, record, record_stop};
use crate::registry::{lock, Registry};

/// Longest on-demand recording, ms (the `record` maximum).
pub const MAX_CALL_RECORDING_MS: u64 = 4 * 3_600_000;

/// What `record_call` needs of a call.
struct CallInfo {
    span: u32,
    ts: u8,
    ani: String,
    started_ms: u64,
}

/// The answered call `call`, with its channel.
fn answered_call(reg: &Registry, call: u64) -> Result<CallInfo, ApiError> {
    let calls = lock(&reg.calls);
    let c = calls
        .active
        .get(&call)
        .ok_or_else(|| ApiError::new("not_found", format!("no call {call} in progress")))?;
    if c.answered_ms.is_none() {
        return Err(ApiError::new(
            "invalid_state",
            format!("call {call} is not answered ({})", c.state),
        ));
    }
    let ts = c
        .channel
        .filter(|&t| t != 0)
        .ok_or_else(|| ApiError::new("invalid_state", format!("call {call} has no B-channel")))?;
    Ok(CallInfo {
        span: c.span,
        ts,
        ani: c.ani.clone(),
        started_ms: c.started_ms,
    })
}

/// The calling number as part of a file name: digits, letters and `+`
/// kept, anything else `_`, at most 32 characters; `anonymous` when empty.
pub fn ani_for_file(ani: &str) -> String {
    let s: String = ani
        .chars()
        .take(32)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '+' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "anonymous".into()
    } else {
        s
    }
}

/// `calls/YYYYMMDD/CALL-ANI` (without `.wav`) for a call that arrived at
/// `started_ms` (Unix ms, the date in UTC).
pub fn call_file(call: u64, ani: &str, started_ms: u64) -> String {
    let days = i64::try_from(started_ms / 86_400_000).unwrap_or(0);
    let (y, m, d) = crate::ivr::flow::civil_from_days(days);
    format!("calls/{y:04}{m:02}{d:02}/{call}-{}", ani_for_file(ani))
}

/// `record_call`: `action` `start` or `stop`.
pub fn record_call(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let call = need_u64(req, "call")?;
    let action = get_str(req, "action")?.ok_or_else(|| {
        ApiError::new("bad_request", "missing \"action\" (\"start\" or \"stop\")")
    })?;
    if action != "start" && action != "stop" {
        return Err(ApiError::new(
            "invalid_argument",
            format!("\"action\": `{action}` is not start or stop"),
        ));
    }
    let info = answered_call(reg, call)?;
    if action == "start" {
        if let Some(why) = lock(&reg.no_record).get(&call) {
            return Err(ApiError::new(
                "permission_denied",
                format!("call {call} may not be recorded: {why}"),
            ));
        }
    }
    let running = lock(&reg.media).recording_on(info.span, info.ts);
    if action == "stop" {
        let Some(id) = running else {
            return Err(ApiError::new(
                "invalid_state",
                format!("call {call} is not being recorded"),
            ));
        };
        let mut r = record_stop(reg, &object(json!({ "call": call })))?;
        r["call"] = json!(call);
        r["action"] = json!("stop");
        r["media_id"] = json!(id);
        return Ok(r);
    }
    if let Some(id) = running {
        return Err(ApiError::new(
            "invalid_state",
            format!("call {call} is already being recorded (media_id {id})"),
        ));
    }
    let file = free_name(reg, &call_file(call, &info.ani, info.started_ms))?;
    let mut r = record(
        reg,
        &object(json!({
            "call": call,
            "file": file,
            "channels": "mono",
            "max_ms": MAX_CALL_RECORDING_MS,
        })),
    )?;
    // The media service lists the file in the CDR when the writer opens
    // it; noted here too, so a call that ends at once still lists it.
    if let Some(path) = r["path"].as_str().map(str::to_owned) {
        reg.cdr_note(call, |x| {
            if !x.recordings.contains(&path) {
                x.recordings.push(path);
            }
        });
    }
    r["call"] = json!(call);
    r["action"] = json!("start");
    Ok(r)
}

/// `base.wav` under the recording directory, or `base-2.wav`, `base-3.wav`...
/// when a earlier recording of the call has the name; its directory is
/// created.
fn free_name(reg: &Registry, base: &str) -> Result<String, ApiError> {
    let dir = reg.config().media.record_dir.clone();
    let path = crate::mediasvc::record_path(&dir, base)
        .map_err(|e| ApiError::new("internal", format!("recording name {base}: {e}")))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            ApiError::new(
                "busy",
                format!("cannot create the directory {}: {e}", parent.display()),
            )
        })?;
    }
    if !path.exists() {
        return Ok(format!("{base}.wav"));
    }
    (2..1000)
        .map(|n| format!("{base}-{n}.wav"))
        .find(|name| !dir.join(name).exists())
        .ok_or_else(|| ApiError::new("busy", format!("999 recordings of {base} already")))
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        // 2026-11-23T10:00:00Z
        assert_eq!(
            call_file(17, "0612345678", 1_795_428_000_000),
            "calls/20261123/17-0612345678"
        );
        assert_eq!(call_file(3, "", 0), "calls/19700101/3-anonymous");
        assert_eq!(ani_for_file("+33 6/12..*#"), "+33_6_12____");
        assert_eq!(ani_for_file(&"9".repeat(40)).len(), 32);
    }
}
