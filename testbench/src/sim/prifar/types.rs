//! The far end's requests, policy and counters.

use std::collections::BTreeMap;

use trunk_isdn::call::Digits;

/// Largest `count` of one [`CallPlan`].
pub const MAX_PLAN_CALLS: u32 = 10_000;

/// What the far end does with calls from trunkd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriPolicy {
    /// Answer (CONNECT) this long after the number is complete; `None`:
    /// never answer.
    pub answer_after_ms: Option<u64>,
    /// Reject every call with this Q.850 cause instead of answering.
    pub reject_cause: Option<u8>,
    /// Clear answered calls (cause 16) this long after the answer; `None`:
    /// the far end never hangs up.
    pub hangup_after_ms: Option<u64>,
    /// Send CALL PROCEEDING and ALERTING as soon as the number is complete.
    /// Otherwise only CALL PROCEEDING (nothing at all when answering at once
    /// or rejecting: then the CONNECT or RELEASE COMPLETE is the response).
    pub ring: bool,
}

impl Default for PriPolicy {
    /// Answer at once, never hang up, ring.
    fn default() -> Self {
        PriPolicy {
            answer_after_ms: Some(0),
            reject_cause: None,
            hangup_after_ms: None,
            ring: true,
        }
    }
}

/// A batch of calls the far end places towards trunkd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPlan {
    /// Number of calls, 1..=10000.
    pub count: u32,
    /// Called number (`0-9 * #`).
    pub number: String,
    /// Calling number, if any.
    pub from: Option<String>,
    /// Append the call's index in the batch (1, 2, ...) to `from`.
    pub from_index: bool,
    /// Time between two SETUPs of the batch.
    pub interval_ms: u64,
    /// Clear answered calls (cause 16) this long after the answer; `None`:
    /// trunkd hangs up.
    pub hangup_after_ms: Option<u64>,
    /// Overlap sending: the first digit in the SETUP (without sending
    /// complete), then one INFORMATION per remaining digit once the SETUP
    /// ACKNOWLEDGE arrives, the last with sending complete. Numbers of one
    /// digit go en-bloc.
    pub overlap: bool,
    /// Time between two INFORMATION messages when overlap sending (0: all
    /// at once).
    pub digit_interval_ms: u64,
}

impl CallPlan {
    /// One en-bloc call to `number`, no calling number.
    pub fn new(number: &str) -> CallPlan {
        CallPlan {
            count: 1,
            number: number.to_owned(),
            from: None,
            from_index: false,
            interval_ms: 0,
            hangup_after_ms: None,
            overlap: false,
            digit_interval_ms: 0,
        }
    }

    /// Check numbers and limits; the error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 || self.count > MAX_PLAN_CALLS {
            return Err(format!("count {}: 1..={MAX_PLAN_CALLS}", self.count));
        }
        if self.number.is_empty() || Digits::dialable(&self.number).is_none() {
            return Err(format!(
                "number `{}`: 1 to 32 of 0-9 * #",
                self.number.escape_debug()
            ));
        }
        if self.from.is_some() && self.calling(self.count - 1).is_none() {
            return Err(format!(
                "from `{}`: up to 32 of 0-9 * # (with the index appended)",
                self.from.as_deref().unwrap_or("").escape_debug()
            ));
        }
        Ok(())
    }

    /// The calling number of call `index` (0-based) of the batch.
    pub(super) fn calling(&self, index: u32) -> Option<Digits> {
        let from = self.from.as_deref()?;
        if self.from_index {
            Digits::dialable(&format!("{from}{}", index + 1))
        } else {
            Digits::dialable(from)
        }
    }
}

/// A request to the far end, as the control socket carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriCommand {
    /// Replace the inbound policy.
    Policy(PriPolicy),
    /// Place a batch of calls towards trunkd.
    Call(CallPlan),
    /// Clear one call (`Some` far-end call id) or every call and pending
    /// batch (`None`) with a cause.
    Hangup {
        /// The far end's call id (as `pri_status` shows it), or all.
        call: Option<u32>,
        /// Q.850 cause, 1..=127.
        cause: u8,
    },
    /// RESTART one B-channel or (`None`) the whole interface.
    Restart {
        /// The channel.
        channel: Option<u8>,
    },
    /// Report the far end's state.
    Status,
    /// Set (`Some`) or remove (`None`) the span's PBX: per-extension
    /// behaviour for calls from trunkd, instead of the policy.
    Pbx(Option<Box<crate::sim::pbx::PbxConfig>>),
    /// Report the PBX config and its per-extension counters.
    PbxStatus,
}

/// Far-end counters. "Placed" calls go towards trunkd, "received" come from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FarCounters {
    /// SETUPs sent towards trunkd.
    pub placed: u64,
    /// Calls of a batch that could not be placed (link down, no channel ...).
    pub place_failed: u64,
    /// Placed calls answered by trunkd (CONNECT received).
    pub answered: u64,
    /// Placed calls cleared by trunkd or a timer before an answer.
    pub rejected: u64,
    /// Causes of the rejected calls.
    pub reject_causes: BTreeMap<u8, u64>,
    /// SETUPs received from trunkd.
    pub received: u64,
    /// Received calls this side answered (the call became active).
    pub received_answered: u64,
    /// Received calls this side rejected by policy.
    pub received_rejected: u64,
    /// Calls cleared by trunkd (DISCONNECT, RELEASE, RELEASE COMPLETE, RESTART).
    pub cleared_by_trunkd: u64,
    /// Calls cleared by this side (policy, plan or `pri_hangup`).
    pub cleared_by_far: u64,
    /// Calls cleared by a protocol timer or the loss of the data link.
    pub cleared_by_timer: u64,
    /// Calls cleared after a protocol error.
    pub cleared_by_protocol: u64,
    /// Protocol errors the stack detected (clause 5.8).
    pub protocol_errors: u64,
    /// Requests to the stack the script made that were refused.
    pub request_errors: u64,
    /// Times the data link came up.
    pub link_ups: u64,
    /// Times the data link went down.
    pub link_downs: u64,
    /// RESTARTs received from trunkd.
    pub restarts_received: u64,
    /// RESTARTs of ours acknowledged.
    pub restarts_acknowledged: u64,
}
