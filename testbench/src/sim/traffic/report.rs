//! The generator's counters, finished-call records and their JSON forms.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// Counters of a group or of one caller profile.
///
/// Every offered call is in exactly one of `place_failed`, `abandoned`,
/// `rejected`, `answered` or `in_progress`; every answered call in one of
/// `completed`, `cleared_by_trunkd`, `lost` or `talking`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Calls that arrived.
    pub offered: u64,
    /// SETUPs sent.
    pub placed: u64,
    /// Calls that found no span with the data link up and a free B-channel
    /// (or that the stack refused).
    pub place_failed: u64,
    /// Calls trunkd answered (CONNECT).
    pub answered: u64,
    /// Callers who hung up (cause 16) before the answer because their
    /// patience ran out (or a `pri_hangup` cleared the call).
    pub abandoned: u64,
    /// Calls cleared by trunkd (or a protocol timer) before the answer.
    pub rejected: u64,
    /// Causes of the rejected calls.
    pub rejected_causes: BTreeMap<u8, u64>,
    /// Answered calls the caller hung up as its script says.
    pub completed: u64,
    /// Answered calls trunkd cleared.
    pub cleared_by_trunkd: u64,
    /// Causes of the answered calls trunkd cleared.
    pub cleared_by_trunkd_causes: BTreeMap<u8, u64>,
    /// Answered calls cleared by a protocol timer, a protocol error or the
    /// loss of the data link.
    pub lost: u64,
    /// Calls placed and not answered or ended yet.
    pub in_progress: u64,
    /// Calls answered and not ended yet.
    pub talking: u64,
}

impl Counters {
    /// Whether every offered and every answered call is accounted for once.
    pub fn adds_up(&self) -> bool {
        self.offered
            == self.place_failed + self.abandoned + self.rejected + self.answered + self.in_progress
            && self.placed + self.place_failed == self.offered
            && self.answered == self.completed + self.cleared_by_trunkd + self.lost + self.talking
    }

    pub(super) fn to_json(&self) -> Value {
        json!({
            "offered": self.offered,
            "placed": self.placed,
            "place_failed": self.place_failed,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "rejected": self.rejected,
            "rejected_causes": causes_json(&self.rejected_causes),
            "completed": self.completed,
            "cleared_by_trunkd": self.cleared_by_trunkd,
            "cleared_by_trunkd_causes": causes_json(&self.cleared_by_trunkd_causes),
            "lost": self.lost,
            "in_progress": self.in_progress,
            "talking": self.talking,
        })
    }
}

fn causes_json(m: &BTreeMap<u8, u64>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect::<Map<String, Value>>(),
    )
}

/// Who ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClearedBy {
    /// The caller (script, patience or `pri_hangup`).
    Caller,
    /// trunkd.
    Trunkd,
    /// A protocol timer or the loss of the data link.
    Timer,
    /// A protocol error.
    Protocol,
}

impl ClearedBy {
    /// `caller`, `trunkd`, `timer` or `protocol`.
    pub fn name(self) -> &'static str {
        match self {
            ClearedBy::Caller => "caller",
            ClearedBy::Trunkd => "trunkd",
            ClearedBy::Timer => "timer",
            ClearedBy::Protocol => "protocol",
        }
    }
}

/// A call that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedCall {
    /// Index in its group, from 1.
    pub index: u32,
    /// Group name.
    pub group: String,
    /// Caller profile name.
    pub profile: String,
    /// Span, from 1.
    pub span: usize,
    /// B-channel, if one was known.
    pub channel: Option<u8>,
    /// Calling number.
    pub from: Option<String>,
    /// Board time of the SETUP (ms).
    pub placed_ms: u64,
    /// Board time of the answer, if answered.
    pub answered_ms: Option<u64>,
    /// Board time the call was cleared.
    pub ended_ms: u64,
    /// Who ended it.
    pub cleared_by: ClearedBy,
    /// Q.850 cause.
    pub cause: u8,
}

impl FinishedCall {
    pub(super) fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "group": self.group,
            "profile": self.profile,
            "span": self.span,
            "channel": self.channel,
            "from": self.from,
            "placed_ms": self.placed_ms,
            "answered_ms": self.answered_ms,
            "ended_ms": self.ended_ms,
            "cleared_by": self.cleared_by.name(),
            "cause": self.cause,
        })
    }
}
