//! The CDR itself: what the call table knows of a call plus what the IVR,
//! the media service and the API added while it ran ([`CdrExtras`]), as one
//! JSON object (docs/api.md, "Call detail records").

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::calls::{CallRecord, Direction};

/// Version of the record layout (`cdr_version`).
pub const CDR_VERSION: u32 = 1;

/// What the rest of the daemon notes about a call for its CDR while it runs
/// (through `Registry::cdr_note`). Taken out when the call ends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CdrExtras {
    /// IVR flow the call ran, if any.
    pub flow: Option<String>,
    /// IVR steps the call went through, in order.
    pub ivr_path: Vec<String>,
    /// Digit strings collected from the caller, in order.
    pub digits: Vec<String>,
    /// Flow variables worth keeping (language, account, menu choice...).
    pub vars: BTreeMap<String, String>,
    /// Recording files made on the call's channel.
    pub recordings: Vec<String>,
    /// The caller gave up (e.g. hung up while queued) although the call was
    /// answered by trunkd's IVR.
    pub abandoned: bool,
    /// Where the call was transferred, if it was.
    pub transferred_to: Option<String>,
    /// The other leg (a bridged or transferred call), if any.
    pub linked_call: Option<u64>,
    /// The API client or script that handled the call, if any.
    pub owner: Option<String>,
    /// The ACD queue the call waited in, if any (`queue`, omitted if none).
    pub queue: Option<String>,
    /// The agent who took the call, if any (`agent`, omitted if none).
    pub agent: Option<u32>,
    /// How long the call waited in its queue, ms (`queue_wait_ms`, omitted
    /// if none).
    pub queue_wait_ms: Option<u64>,
}

/// How a call ended, as billing and traffic reports count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// The call was answered (whatever the clearing cause).
    Answered,
    /// Not answered: no user responding / no answer (causes 18, 19).
    NoAnswer,
    /// User busy (cause 17).
    Busy,
    /// Call rejected (cause 21).
    Rejected,
    /// Any other failure before answer (unallocated number, congestion,
    /// temporary failure, timer expiry...).
    Failed,
    /// The caller gave up: an inbound call the caller cleared before it was
    /// answered, or one the IVR marked abandoned (hung up while queued).
    Abandoned,
}

impl Disposition {
    /// Name in the record.
    pub fn name(self) -> &'static str {
        match self {
            Disposition::Answered => "answered",
            Disposition::NoAnswer => "no_answer",
            Disposition::Busy => "busy",
            Disposition::Rejected => "rejected",
            Disposition::Failed => "failed",
            Disposition::Abandoned => "abandoned",
        }
    }
}

/// Which side released the call, from the stack's `cleared_by` (`remote`,
/// `local`, `timer`, `protocol`) and the direction:
///
/// * `remote` on an inbound call: `caller` (the far end called and hung up);
/// * `remote` on an outbound call: `callee` when it was answered or the
///   cause is the called user's (16 normal, 17 busy, 18/19 no answer,
///   21 rejected), otherwise `network` (unallocated number, congestion...);
/// * `local`: `trunkd` (an API client, the IVR, a trunk group's reject
///   policy, a reload or shutdown);
/// * `timer` and `protocol`: `network` (the far end stopped answering, the
///   data link went down, or it broke the protocol).
pub fn released_by(rec: &CallRecord) -> &'static str {
    match (rec.cleared_by, rec.direction) {
        (Some("remote"), Direction::Inbound) => "caller",
        (Some("remote"), Direction::Outbound) => {
            if rec.answered_ms.is_some() || matches!(rec.cause, Some(16..=19 | 21)) {
                "callee"
            } else {
                "network"
            }
        }
        (Some("local"), _) => "trunkd",
        (Some("timer" | "protocol"), _) => "network",
        _ => "unknown",
    }
}

/// The disposition of an ended call (see [`Disposition`]).
pub fn disposition(rec: &CallRecord, x: &CdrExtras) -> Disposition {
    if x.abandoned {
        return Disposition::Abandoned;
    }
    if rec.answered_ms.is_some() {
        return Disposition::Answered;
    }
    if rec.direction == Direction::Inbound && released_by(rec) == "caller" {
        return Disposition::Abandoned;
    }
    match rec.cause {
        Some(17) => Disposition::Busy,
        Some(18 | 19) => Disposition::NoAnswer,
        Some(21) => Disposition::Rejected,
        _ => Disposition::Failed,
    }
}

/// Unix milliseconds as RFC 3339 UTC with milliseconds:
/// `2024-05-01T12:34:56.789Z`.
pub fn rfc3339_ms(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let days = (secs / 86_400) as i64;
    let sod = secs % 86_400;
    let (y, m, d) = crate::ivr::flow::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        unix_ms % 1000
    )
}

/// The CDR of an ended call. `seq` is the record's number in the CDR file;
/// the writer thread replaces it with the number it actually gives the
/// record (callers pass 0).
pub fn cdr_json(rec: &CallRecord, x: &CdrExtras, seq: u64) -> Value {
    let ended = rec.ended_ms.unwrap_or(rec.started_ms).max(rec.started_ms);
    let answered = rec.answered_ms.map(|a| a.clamp(rec.started_ms, ended));
    let time = |ms: Option<u64>| ms.map(rfc3339_ms);
    let mut v = json!({
        "cdr_version": CDR_VERSION,
        "seq": seq,
        "call": rec.id,
        "trunk_group": rec.trunk_group,
        "span": rec.span,
        "channel": rec.channel,
        "direction": match rec.direction { Direction::Inbound => "in", Direction::Outbound => "out" },
        "ani": rec.ani,
        "dnis": rec.dnis,
        "arrived": rfc3339_ms(rec.started_ms),
        "arrived_ms": rec.started_ms,
        "answered": time(answered),
        "answered_ms": answered,
        "ended": rfc3339_ms(ended),
        "ended_ms": ended,
        "duration_ms": ended - rec.started_ms,
        "billable_ms": answered.map_or(0, |a| ended - a),
        "disposition": disposition(rec, x).name(),
        "cause": rec.cause,
        "cause_text": rec.cause.map(trunk_isdn::q931::cause_name),
        "released_by": released_by(rec),
        "cleared_by": rec.cleared_by,
        "flow": x.flow,
        "ivr_path": x.ivr_path,
        "digits": x.digits,
        "vars": x.vars,
        "recordings": x.recordings,
        "transferred_to": x.transferred_to,
        "linked_call": x.linked_call,
        "owner": x.owner,
    });
    // The ACD's fields appear only on calls that went through a queue.
    if let Some(o) = v.as_object_mut() {
        if let Some(q) = &x.queue {
            o.insert("queue".into(), json!(q));
        }
        if let Some(a) = x.agent {
            o.insert("agent".into(), json!(a));
        }
        if let Some(w) = x.queue_wait_ms {
            o.insert("queue_wait_ms".into(), json!(w));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::Numbering;

    fn call(direction: Direction, answered: bool, cause: u8, by: &'static str) -> CallRecord {
        CallRecord {
            id: 7,
            span: 2,
            channel: Some(5),
            trunk_group: "pstn".into(),
            direction,
            ani: "8880001".into(),
            dnis: "5551234".into(),
            numbering: Numbering::default(),
            state: "cleared",
            q931_state: 0,
            started_ms: 1_714_566_896_000,
            answered_ms: answered.then_some(1_714_566_900_500),
            ended_ms: Some(1_714_566_960_250),
            cause: Some(cause),
            cleared_by: Some(by),
        }
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(951_782_400_001), "2000-02-29T00:00:00.001Z");
        assert_eq!(rfc3339_ms(1_714_566_896_789), "2024-05-01T12:34:56.789Z");
        assert_eq!(rfc3339_ms(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
    }

    #[test]
    fn dispositions_from_cause_and_answer() {
        let x = CdrExtras::default();
        let d = |c: &CallRecord| disposition(c, &x);
        use Direction::{Inbound as In, Outbound as Out};
        assert_eq!(d(&call(In, true, 16, "remote")), Disposition::Answered);
        assert_eq!(d(&call(Out, true, 41, "local")), Disposition::Answered);
        assert_eq!(d(&call(Out, false, 17, "remote")), Disposition::Busy);
        assert_eq!(d(&call(Out, false, 18, "remote")), Disposition::NoAnswer);
        assert_eq!(d(&call(Out, false, 19, "remote")), Disposition::NoAnswer);
        assert_eq!(d(&call(In, false, 21, "local")), Disposition::Rejected);
        assert_eq!(d(&call(Out, false, 34, "remote")), Disposition::Failed);
        assert_eq!(d(&call(Out, false, 102, "timer")), Disposition::Failed);
        // The caller hung up before trunkd answered.
        assert_eq!(d(&call(In, false, 16, "remote")), Disposition::Abandoned);
        // The IVR answered, the caller hung up while queued.
        let queued = CdrExtras {
            abandoned: true,
            ..CdrExtras::default()
        };
        assert_eq!(
            disposition(&call(In, true, 16, "remote"), &queued),
            Disposition::Abandoned
        );
    }

    #[test]
    fn released_by_sides() {
        use Direction::{Inbound as In, Outbound as Out};
        assert_eq!(released_by(&call(In, true, 16, "remote")), "caller");
        assert_eq!(released_by(&call(Out, true, 16, "remote")), "callee");
        assert_eq!(released_by(&call(Out, false, 17, "remote")), "callee");
        assert_eq!(released_by(&call(Out, false, 1, "remote")), "network");
        assert_eq!(released_by(&call(In, true, 16, "local")), "trunkd");
        assert_eq!(released_by(&call(Out, false, 102, "timer")), "network");
        assert_eq!(released_by(&call(In, false, 100, "protocol")), "network");
    }

    #[test]
    fn record_fields() {
        let mut x = CdrExtras {
            flow: Some("main".into()),
            ivr_path: vec!["welcome".into(), "menu".into()],
            digits: vec!["1".into()],
            recordings: vec!["/var/lib/trunkd/recordings/7.wav".into()],
            linked_call: Some(9),
            ..CdrExtras::default()
        };
        x.vars.insert("lang".into(), "en".into());
        let v = cdr_json(&call(Direction::Inbound, true, 16, "remote"), &x, 42);
        assert_eq!(v["cdr_version"], 1);
        assert_eq!(v["seq"], 42);
        assert_eq!(v["call"], 7);
        assert_eq!(v["trunk_group"], "pstn");
        assert_eq!(
            (v["span"].as_u64(), v["channel"].as_u64()),
            (Some(2), Some(5))
        );
        assert_eq!(v["direction"], "in");
        assert_eq!(
            (v["ani"].as_str(), v["dnis"].as_str()),
            (Some("8880001"), Some("5551234"))
        );
        assert_eq!(v["arrived"], "2024-05-01T12:34:56.000Z");
        assert_eq!(v["answered"], "2024-05-01T12:35:00.500Z");
        assert_eq!(v["ended"], "2024-05-01T12:36:00.250Z");
        assert_eq!(v["arrived_ms"], 1_714_566_896_000u64);
        assert_eq!(v["duration_ms"], 64_250);
        assert_eq!(v["billable_ms"], 59_750);
        assert_eq!(v["disposition"], "answered");
        assert_eq!(v["cause"], 16);
        assert_eq!(v["cause_text"], "normal call clearing");
        assert_eq!(v["released_by"], "caller");
        assert_eq!(v["flow"], "main");
        assert_eq!(v["ivr_path"], json!(["welcome", "menu"]));
        assert_eq!(v["digits"], json!(["1"]));
        assert_eq!(v["vars"], json!({"lang": "en"}));
        assert_eq!(v["recordings"][0], "/var/lib/trunkd/recordings/7.wav");
        assert_eq!(v["linked_call"], 9);
        assert!(v["transferred_to"].is_null());

        let v = cdr_json(
            &call(Direction::Outbound, false, 17, "remote"),
            &CdrExtras::default(),
            1,
        );
        assert!(v["answered"].is_null() && v["answered_ms"].is_null());
        assert_eq!(v["billable_ms"], 0);
        assert_eq!(v["disposition"], "busy");
        assert_eq!(v["ivr_path"], json!([]));
        let o = v.as_object().unwrap();
        for k in ["queue", "agent", "queue_wait_ms"] {
            assert!(!o.contains_key(k), "{k} present with no ACD: {v}");
        }
    }

    #[test]
    fn acd_fields_when_queued() {
        let x = CdrExtras {
            queue: Some("sales".into()),
            agent: Some(1001),
            queue_wait_ms: Some(12_500),
            ..CdrExtras::default()
        };
        let v = cdr_json(&call(Direction::Inbound, true, 16, "remote"), &x, 3);
        assert_eq!(v["queue"], "sales");
        assert_eq!(v["agent"], 1001);
        assert_eq!(v["queue_wait_ms"], 12_500);
        // Abandoned in the queue: no agent.
        let x = CdrExtras { agent: None, ..x };
        let v = cdr_json(&call(Direction::Inbound, true, 16, "remote"), &x, 4);
        assert_eq!(v["queue"], "sales");
        assert!(!v.as_object().unwrap().contains_key("agent"), "{v}");
    }
}
