//! The `cdr` request and the `cdr` block of `status`.
//!
//! `{"cmd":"cdr","limit":20,"call":7}`: the last `limit` records (1-1000,
//! default 20) read back from the CDR file, newest last, only call 7's when
//! `call` is given, plus records not written yet (`pending`) and the
//! writer's figures.

use std::sync::atomic::Ordering;

use serde_json::{json, Map, Value};

use super::read;
use super::writer::CdrStats;
use crate::api::commands::{get_u64, ApiError};
use crate::registry::{lock, Registry};

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
    Ok(out)
}
