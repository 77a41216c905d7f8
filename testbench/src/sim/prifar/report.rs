//! Readable and JSON forms of the far end's state: event descriptions,
//! `pri_status` and the summary in `status`.

use serde_json::{json, Value};
use trunk_isdn::call::{ClearedBy, Number, PriEvent};
use trunk_isdn::lapd::Role;
use trunk_isdn::q931::cause_name;

use super::script::PriScript;
use super::types::{FarCounters, PriPolicy};

fn chan(c: Option<u8>) -> String {
    c.map_or_else(|| "no channel".to_owned(), |c| format!("B{c}"))
}

fn num(n: &Option<Number>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.digits.to_string())
}

fn by_name(by: ClearedBy) -> &'static str {
    match by {
        ClearedBy::Remote => "trunkd",
        ClearedBy::Local => "far end",
        ClearedBy::Timer => "timer",
        ClearedBy::Protocol => "protocol error",
    }
}

/// One line describing a stack event. "trunkd" is the other side.
pub(super) fn describe(e: &PriEvent) -> String {
    match *e {
        PriEvent::LinkUp => "data link up".into(),
        PriEvent::LinkDown => "data link down".into(),
        PriEvent::IncomingCall {
            call,
            channel,
            called,
            calling,
            complete,
            ..
        } => format!(
            "call {call} from trunkd on B{channel}: to {} from {}{}",
            called.digits,
            num(&calling),
            if complete { "" } else { " (overlap)" }
        ),
        PriEvent::Digits {
            call,
            called,
            complete,
        } => format!(
            "call {call} number now {}{}",
            called.digits,
            if complete { " (complete)" } else { "" }
        ),
        PriEvent::MoreDigitsWanted { call } => {
            format!("call {call}: SETUP ACKNOWLEDGE, trunkd wants more digits")
        }
        PriEvent::Proceeding { call, channel } => {
            format!("call {call}: CALL PROCEEDING on B{channel}")
        }
        PriEvent::Alerting {
            call,
            channel,
            inband,
        } => format!(
            "call {call}: ALERTING on B{channel}{}",
            if inband { " (in-band tones)" } else { "" }
        ),
        PriEvent::Progress { call, description } => {
            format!("call {call}: PROGRESS (description {description})")
        }
        PriEvent::Answered { call, channel } => {
            format!("call {call}: answered by trunkd on B{channel}")
        }
        PriEvent::Connected { call } => format!("call {call}: answered by the far end, active"),
        PriEvent::Cleared {
            call,
            channel,
            cause,
            by,
        } => format!(
            "call {call} cleared ({}) by {}: cause {cause} ({})",
            chan(channel),
            by_name(by),
            cause_name(cause)
        ),
        PriEvent::Restarted { channel, remote } => format!(
            "{} restarted ({})",
            channel.map_or_else(|| "all channels".to_owned(), |c| format!("B{c}")),
            if remote {
                "RESTART from trunkd"
            } else {
                "our RESTART acknowledged"
            }
        ),
        PriEvent::ProtocolError {
            call,
            message,
            cause,
        } => format!(
            "protocol error{}: message type {message:#04x}, cause {cause} ({})",
            call.map_or_else(String::new, |c| format!(" on call {c}")),
            cause_name(cause)
        ),
        PriEvent::StatusReceived { call, cause, state } => format!(
            "STATUS from trunkd{}: cause {cause} ({}), its state {state}",
            call.map_or_else(String::new, |c| format!(" for call {c}")),
            cause_name(cause)
        ),
    }
}

/// JSON form of a policy, as `pri_policy` takes it.
pub(super) fn policy_json(p: &PriPolicy) -> Value {
    json!({
        "answer_after_ms": p.answer_after_ms,
        "reject_cause": p.reject_cause,
        "hangup_after_ms": p.hangup_after_ms,
        "ring": p.ring,
    })
}

fn counters_json(c: &FarCounters) -> Value {
    let causes: serde_json::Map<String, Value> = c
        .reject_causes
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "placed": c.placed,
        "place_failed": c.place_failed,
        "answered": c.answered,
        "rejected": c.rejected,
        "reject_causes": causes,
        "received": c.received,
        "received_answered": c.received_answered,
        "received_rejected": c.received_rejected,
        "cleared_by_trunkd": c.cleared_by_trunkd,
        "cleared_by_far": c.cleared_by_far,
        "cleared_by_timer": c.cleared_by_timer,
        "cleared_by_protocol": c.cleared_by_protocol,
        "protocol_errors": c.protocol_errors,
        "request_errors": c.request_errors,
        "link_ups": c.link_ups,
        "link_downs": c.link_downs,
        "restarts_received": c.restarts_received,
        "restarts_acknowledged": c.restarts_acknowledged,
    })
}

impl PriScript {
    fn side(&self) -> &'static str {
        match self.pri.config().role {
            Role::Network => "network",
            Role::User => "user",
        }
    }

    /// The `pri_status` reply payload: link, policy, calls, counters, the
    /// last events.
    pub fn status_json(&self) -> Value {
        let now = self.now;
        let calls: Vec<Value> = self
            .pri
            .calls()
            .map(|c| {
                let t = self.calls.get(&c.id);
                let left = |at: Option<u64>| at.map(|at| at.saturating_sub(now));
                json!({
                    "call": c.id.0,
                    "call_ref": c.call_ref,
                    "direction": if c.outgoing { "to_trunkd" } else { "from_trunkd" },
                    "state": c.state.name(),
                    "state_number": c.state.number(),
                    "channel": c.channel,
                    "called": c.called.digits.to_string(),
                    "calling": c.calling.map(|n| n.digits.to_string()),
                    "answered": t.is_some_and(|t| t.answered),
                    "answer_in_ms": left(t.and_then(|t| t.answer_at)),
                    "hangup_in_ms": left(t.and_then(|t| t.hangup_at)),
                    "digits_to_send": t.map_or(0, |t| t.digits.len()),
                    "link_lost": c.link_lost,
                })
            })
            .collect();
        let s = self.pri.stats();
        let l = self.pri.link_stats();
        let events: Vec<Value> = self
            .log
            .iter()
            .map(|(t, e)| json!({"ms": t, "event": e}))
            .collect();
        json!({
            "side": self.side(),
            "variant": self.pri.config().variant.name(),
            "line": if self.pri.config().t1 { "t1" } else { "e1" },
            "link_up": self.pri.is_link_up(),
            "board_ms": now,
            "policy": policy_json(&self.policy),
            "pbx": self.pbx.is_some(),
            "calls": calls,
            "pending_calls": self.pending_calls(),
            "counters": counters_json(&self.counters),
            "stack": {
                "rx_messages": s.rx_messages,
                "tx_messages": s.tx_messages,
                "calls_in": s.calls_in,
                "calls_out": s.calls_out,
                "protocol_errors": s.protocol_errors,
                "ignored": s.ignored,
                "congestion": s.congestion,
                "events_dropped": s.events_dropped,
                "link": {
                    "rx_frames": l.rx_frames,
                    "tx_frames": l.tx_frames,
                    "rx_malformed": l.rx_malformed,
                    "tx_i_retransmitted": l.tx_i_retransmitted,
                    "t200_expiries": l.t200_expiries,
                    "mdl_errors": l.mdl_errors,
                },
            },
            "events": events,
        })
    }

    /// The short form included in the simulator's `status`.
    pub fn summary_json(&self) -> Value {
        let c = &self.counters;
        json!({
            "side": self.side(),
            "variant": self.pri.config().variant.name(),
            "link_up": self.pri.is_link_up(),
            "calls": self.pri.calls().count(),
            "pending_calls": self.pending_calls(),
            "pbx": self.pbx.as_ref().map(|p| p.totals().offered),
            "placed": c.placed,
            "answered": c.answered,
            "rejected": c.rejected,
            "received": c.received,
            "received_answered": c.received_answered,
            "protocol_errors": c.protocol_errors,
        })
    }
}
