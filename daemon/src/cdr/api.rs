//! The `cdr`, `history` and `recordings` requests and the `cdr` block of
//! `status`.
//!
//! `{"cmd":"cdr","limit":20,"call":7}`: the last `limit` records (1-1000,
//! default 20) read back from the CDR file, newest last, only call 7's when
//! `call` is given, plus records not written yet (`pending`) and the
//! writer's figures.
//!
//! `{"cmd":"history","ani":"0612345678","limit":10}`: the caller's last
//! inbound calls, newest first, from the CDR index ([`super::index`]).
//!
//! `{"cmd":"recordings","from":"2026-11-23T10:00:00Z","to":1795431600000,
//! "ani":"0612345678","dnis":"800","agent":1001,"limit":100}`: calls with
//! recordings that arrived in `from..to` and match the filters, newest
//! first.

use std::sync::atomic::Ordering;

use serde_json::{json, Map, Value};

use super::index::RecordingQuery;
use super::read;
use super::writer::CdrStats;
use crate::api::commands::{get_u64, ApiError};
use crate::registry::{lock, Registry};

/// Most entries one `history` request returns.
pub const MAX_HISTORY: u64 = 1000;
/// Most entries one `recordings` request returns.
pub const MAX_RECORDINGS: u64 = 1000;

/// Most records one `cdr` request returns.
pub const MAX_LIMIT: u64 = 1000;

/// The writer's figures (the `cdr` block of `status`).
pub fn status(stats: &CdrStats) -> Value {
    let st = lock(&stats.state);
    let l = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    json!({
        "path": st.path,
        "fsync": st.fsync,
        "running": stats.running.load(Ordering::Relaxed),
        "written": l(&stats.written),
        "errors": l(&stats.write_errors),
        "backlog": st.backlog.len(),
        "lost": l(&stats.lost),
        "unqueued": l(&stats.unqueued),
        "last_seq": l(&stats.last_seq),
        "last_error": st.last_error,
    })
}

/// `cdr`: the last records and the writer's figures.
pub fn request(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let limit = get_u64(req, "limit")?.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            "invalid_argument",
            format!("\"limit\" must be 1..={MAX_LIMIT}"),
        ));
    }
    let call = get_u64(req, "call")?;
    let stats = &reg.cdr.stats;
    let mut out = status(stats);
    let pending: Vec<Value> = lock(&stats.state)
        .backlog
        .iter()
        .filter(|p| call.is_none() || p.call == call)
        .filter_map(|p| serde_json::from_str(&p.line).ok())
        .collect();
    match read::tail_path(&stats.path(), limit as usize, call) {
        Ok(records) => {
            out["records"] = json!(records);
            out["read_error"] = Value::Null;
        }
        Err(e) => {
            out["records"] = json!([]);
            out["read_error"] = json!(format!("{e}"));
        }
    }
    out["pending"] = json!(pending);
    out["index"] = json!(lock(&reg.cdr_index).stats());
    Ok(out)
}

fn bad(key: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::new("invalid_argument", format!("\"{key}\": {why}"))
}

/// A string argument (`None` when absent or null).
fn get_text<'a>(req: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ApiError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(key, "must be a string")),
    }
}

/// `limit`: 1..=`max`, `default` when absent.
fn limit(req: &Map<String, Value>, default: u64, max: u64) -> Result<usize, ApiError> {
    let n = get_u64(req, "limit")?.unwrap_or(default);
    if !(1..=max).contains(&n) {
        return Err(bad("limit", format!("must be 1..={max}")));
    }
    Ok(n as usize)
}

/// `history`: the caller's last inbound calls, newest first.
pub fn history(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let ani = get_text(req, "ani")?
        .ok_or_else(|| ApiError::new("bad_request", "missing \"ani\" (the calling number)"))?;
    let limit = limit(req, 10, MAX_HISTORY)?;
    let list = lock(&reg.cdr_index).history(ani, limit);
    Ok(json!({"ani": ani, "history": list}))
}

/// A time argument: RFC 3339 text or Unix milliseconds.
fn get_time(req: &Map<String, Value>, key: &str) -> Result<Option<u64>, ApiError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_rfc3339_ms(s).map(Some).map_err(|e| bad(key, e)),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            bad(
                key,
                "must be an RFC 3339 time (2026-11-23T10:00:00Z) or Unix milliseconds",
            )
        }),
    }
}

/// `recordings`: calls with recordings matching the filters, newest first.
pub fn recordings(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let from_ms = get_time(req, "from")?;
    let to_ms = get_time(req, "to")?;
    if let (Some(f), Some(t)) = (from_ms, to_ms) {
        if t < f {
            return Err(bad("to", "is before \"from\""));
        }
    }
    let agent = get_u64(req, "agent")?
        .map(|a| u32::try_from(a).map_err(|_| bad("agent", "must be an agent number")))
        .transpose()?;
    let q = RecordingQuery {
        from_ms,
        to_ms,
        ani: get_text(req, "ani")?.map(str::to_owned),
        dnis: get_text(req, "dnis")?.map(str::to_owned),
        agent,
        limit: limit(req, 100, MAX_RECORDINGS)?,
    };
    let list = lock(&reg.cdr_index).recordings(&q);
    Ok(json!({"recordings": list}))
}

/// Unix milliseconds of an RFC 3339 time: `2026-11-23T10:00:00Z`,
/// `2026-11-23T11:00:00.250+01:00` (`t` or a space for `T`, `z` for `Z`;
/// digits past milliseconds are dropped). Times before 1970 are refused.
pub fn parse_rfc3339_ms(s: &str) -> Result<u64, String> {
    let bad = || format!("`{s}` is not an RFC 3339 time such as 2026-11-23T10:00:00Z");
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Result<u32, String> {
        let part = b.get(r).ok_or_else(bad)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        part.iter()
            .try_fold(0u32, |n, d| Some(n * 10 + u32::from(d - b'0')))
            .ok_or_else(bad)
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if b.len() < 20
        || !sep(4, b"-")
        || !sep(7, b"-")
        || !sep(10, b"Tt ")
        || !sep(13, b":")
        || !sep(16, b":")
    {
        return Err(bad());
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let (Ok(y), Ok(m), Ok(d)) = (i32::try_from(year), u8::try_from(month), u8::try_from(day))
    else {
        return Err(bad());
    };
    let days = crate::ivr::flow::days_from_civil(y, m, d);
    if !(1..=12).contains(&m) || crate::ivr::flow::civil_from_days(days) != (y, m, d) {
        return Err(format!("`{s}`: no such date"));
    }
    // Leap seconds (:60) are not counted by Unix time either.
    if hh > 23 || mm > 59 || ss > 60 {
        return Err(format!("`{s}`: no such time of day"));
    }
    let mut i = 19;
    let mut ms = 0u64;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        let frac = &b[start..i.min(start + 3)];
        ms = frac.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
            * 10u64.pow(3 - frac.len() as u32);
    }
    let offset_min: i64 = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            let o = i64::from(oh * 60 + om);
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return Err(bad()),
    };
    let secs = days * 86_400 + i64::from(hh * 3600 + mm * 60 + ss.min(59)) - offset_min * 60;
    let total = secs
        .checked_mul(1000)
        .and_then(|t| t.checked_add(ms as i64))
        .ok_or_else(bad)?;
    u64::try_from(total).map_err(|_| format!("`{s}`: before 1970"))
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339_ms as p;
    use crate::cdr::record::rfc3339_ms;

    #[test]
    fn rfc3339_times() {
        let t0 = 1_795_428_000_000;
        assert_eq!(p("2026-11-23T10:00:00Z"), Ok(t0));
        assert_eq!(p("2026-11-23t10:00:00z"), Ok(t0));
        assert_eq!(p("2026-11-23 10:00:00Z"), Ok(t0));
        assert_eq!(p("2026-11-23T10:00:00.25Z"), Ok(t0 + 250));
        assert_eq!(p("2026-11-23T10:00:00.123456789Z"), Ok(t0 + 123));
        assert_eq!(p("2026-11-23T11:30:00+01:30"), Ok(t0));
        assert_eq!(p("2026-11-23T05:00:00-05:00"), Ok(t0));
        assert_eq!(p("1970-01-01T00:00:00Z"), Ok(0));
        for ms in [0, 951_782_400_001, 1_714_566_896_789, 4_107_542_399_999] {
            assert_eq!(p(&rfc3339_ms(ms)), Ok(ms), "round trip of {ms}");
        }
        for bad in [
            "",
            "2026-11-23",
            "2026-11-23T10:00:00",
            "2026-11-23T10:00Z",
            "2026-02-30T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T10:00:00.Z",
            "2026-11-23T10:00:00+0100",
            "2026-11-23T10:00:00Zjunk",
            "1969-12-31T23:59:59Z",
            "２026-11-23T10:00:00Z",
            "+026-11-23T10:00:00Z",
        ] {
            assert!(p(bad).is_err(), "{bad:?} was taken");
        }
    }
}
