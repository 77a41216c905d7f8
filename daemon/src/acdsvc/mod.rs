//! The ACD service: queues callers, offers them to agents' phones, and
//! carries out agent and supervisor requests.
//!
//! Like the IVR it is an API client living in the daemon: it sees calls
//! and media through a tap on the event bus and acts through
//! [`crate::api::commands::execute`], so it never sees a protocol. The
//! decisions (queues, agent states, strategies) are the sans-IO core
//! [`trunkd::acd::Acd`]; this module gives them a voice: music and
//! announcements for the waiting caller, a call to the agent's endpoint, a
//! bridge when the agent answers, holds, consultations, transfers,
//! conferences and supervision. Every change is an [`trunkd::acd::AcdEvent`],
//! published as JSON and counted by [`trunkd::acd::stats`].
//!
//! Timers run on the board clock.

mod agent_ops;
mod caller;
mod model;
mod offer;
mod service;
mod supervisor;
mod transfer;
mod views;

use std::collections::BTreeMap;
use std::time::Duration;

use crossbeam_channel::Sender;
use serde_json::{json, Map, Value};

use crate::api::commands::ApiError;
use crate::registry::Registry;

pub use service::AcdService;

/// Reply channel of an [`AcdCmd`].
pub type AcdReply = Sender<Result<Value, ApiError>>;

/// Requests to the ACD thread.
pub enum AcdCmd {
    /// An API request (`agent_*`, `acd_*`, `supervise`, `force_release`).
    Request {
        /// The request object.
        req: Map<String, Value>,
        /// The API client sending it (`None`: the daemon itself).
        client: Option<String>,
        /// Where the answer goes.
        reply: AcdReply,
    },
    /// The configuration was reloaded: apply `[acd]`.
    Reload,
    /// An API client disconnected: its agents are logged out (those on a
    /// call when the call ends).
    ClientGone {
        /// The client, as it owned agents.
        client: String,
    },
    /// The IVR hands a call to a queue (its `queue` node).
    Enqueue {
        /// Daemon call id.
        call: u64,
        /// Queue name.
        queue: String,
        /// Whether the IVR screened the caller as a VIP.
        vip: bool,
        /// The flow's variables (for the screen-pop and the CDR).
        vars: BTreeMap<String, String>,
        /// Where the answer goes.
        reply: Option<AcdReply>,
    },
}

/// Whether `cmd` is served by the ACD thread.
pub fn handles(cmd: &str) -> bool {
    cmd.starts_with("agent_")
        || cmd.starts_with("acd_")
        || matches!(cmd, "supervise" | "force_release")
}

/// Run an API request on the ACD thread and wait for its answer.
pub fn request(
    reg: &Registry,
    req: &Map<String, Value>,
    client: Option<&str>,
) -> Result<Value, ApiError> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    reg.acd
        .try_send(AcdCmd::Request {
            req: req.clone(),
            client: client.map(str::to_owned),
            reply: tx,
        })
        .map_err(|_| ApiError::new("busy", "the ACD is not keeping up (or not running)"))?;
    rx.recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| Err(ApiError::new("timeout", "the ACD did not answer")))
}

/// `{"agent": N}` of a request.
pub(crate) fn agent_arg(req: &Map<String, Value>) -> Result<u32, ApiError> {
    match req.get("agent") {
        Some(v) => v
            .as_u64()
            .filter(|a| (1..=99_999_999).contains(a))
            .map(|a| a as u32)
            .ok_or_else(|| bad("agent", "an agent number 1-99999999")),
        None => Err(ApiError::new("bad_request", "missing \"agent\"")),
    }
}

/// An `invalid_argument` error naming the field.
pub(crate) fn bad(field: &str, msg: impl std::fmt::Display) -> ApiError {
    ApiError::new("invalid_argument", format!("\"{field}\": {msg}"))
}

/// A JSON object from pairs, skipping nulls.
pub(crate) fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        if !v.is_null() {
            m.insert((*k).to_owned(), v.clone());
        }
    }
    Value::Object(m)
}

/// The not-ready reason set when an agent's endpoint was busy.
pub const REASON_BUSY: u16 = 0xFFFE;
/// The not-ready reason set when an agent's endpoint could not be reached.
pub const REASON_FAILED: u16 = 0xFFFD;

/// A reason code's name in views.
pub fn reason_name(r: u16) -> Value {
    match r {
        trunkd::acd::REASON_RONA => json!("ring_no_answer"),
        REASON_BUSY => json!("endpoint_busy"),
        REASON_FAILED => json!("endpoint_failed"),
        r => json!(r),
    }
}
