//! One-line rendering of asynchronous events, as `trunkctl events` prints
//! them:
//!
//! ```text
//! 23:12:18.123Z call_incoming call=12 span=1 channel=5 tg=pstn dir=in ani=8880001 dnis=5551234 state=ringing
//! 23:12:25.002Z call_cleared call=12 span=1 channel=5 tg=pstn dir=in ani=8880001 dnis=5551234 state=cleared cause=16 (normal call clearing) by=remote duration=00:00:06
//! 23:12:30.500Z link span=1 state=down
//! ```
//!
//! The time is when the event was received, in UTC. Well-known fields come
//! first in a fixed order; fields this version does not know follow as
//! `key=value` in name order, so nothing the daemon adds is hidden.

use serde_json::{Map, Value};

use crate::render::duration;

/// Fields of call events shown in this order (with their short names);
/// `cause` is handled separately to attach its text.
const CALL_FIELDS: &[(&str, &str)] = &[
    ("call", "call"),
    ("span", "span"),
    ("channel", "channel"),
    ("trunk_group", "tg"),
    ("direction", "dir"),
    ("ani", "ani"),
    ("dnis", "dnis"),
    ("state", "state"),
];

/// Fields of call records not shown (times are summed up as a duration).
const CALL_HIDDEN: &[&str] = &[
    "event",
    "q931_state",
    "started_ms",
    "answered_ms",
    "ended_ms",
    "cause_text",
    "cleared_by",
];

/// Formats Unix milliseconds as a UTC time of day, `HH:MM:SS.mmmZ`.
pub fn time_of_day(unix_ms: u64) -> String {
    let ms = unix_ms % 1000;
    let secs = unix_ms / 1000 % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{ms:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A JSON value as shown after `key=`: strings bare (quoted when empty or
/// containing spaces), other values as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() || s.contains(char::is_whitespace) => format!("{s:?}"),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn push_field(out: &mut String, key: &str, text: &str) {
    out.push(' ');
    out.push_str(key);
    out.push('=');
    out.push_str(text);
}

/// Appends `key=value` for every field of `ev` not in `skip`, in name order,
/// leaving out nulls.
fn push_rest(out: &mut String, ev: &Map<String, Value>, skip: &[&str]) {
    let mut keys: Vec<&String> = ev.keys().filter(|k| !skip.contains(&k.as_str())).collect();
    keys.sort();
    for k in keys {
        if !ev[k].is_null() {
            push_field(out, k, &value_text(&ev[k]));
        }
    }
}

/// The fields of a `call_*` event.
fn call_fields(out: &mut String, ev: &Map<String, Value>) {
    let mut skip: Vec<&str> = CALL_HIDDEN.to_vec();
    for &(key, short) in CALL_FIELDS {
        skip.push(key);
        match ev.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(v) => push_field(out, short, &value_text(v)),
        }
    }
    skip.push("cause");
    if let Some(cause) = ev.get("cause").filter(|c| !c.is_null()) {
        let mut text = value_text(cause);
        if let Some(name) = ev.get("cause_text").and_then(Value::as_str) {
            text.push_str(&format!(" ({name})"));
        }
        push_field(out, "cause", &text);
    }
    if let Some(by) = ev.get("cleared_by").and_then(Value::as_str) {
        push_field(out, "by", by);
    }
    let ms = |k: &str| ev.get(k).and_then(Value::as_u64);
    if let (Some(start), Some(end)) = (ms("started_ms"), ms("ended_ms")) {
        push_field(out, "duration", &duration(end.saturating_sub(start)));
    }
    push_rest(out, ev, &skip);
}

/// One line (without newline) describing event `ev`, received at Unix
/// time `now_ms`.
pub fn event_line(ev: &Value, now_ms: u64) -> String {
    let Some(obj) = ev.as_object() else {
        return format!("{} {ev}", time_of_day(now_ms));
    };
    let kind = obj.get("event").and_then(Value::as_str).unwrap_or("?");
    let mut out = format!("{} {kind}", time_of_day(now_ms));
    if kind.starts_with("call_") {
        call_fields(&mut out, obj);
        return out;
    }
    let mut skip = vec!["event"];
    match kind {
        "link" => {
            for key in ["span", "state"] {
                if let Some(v) = obj.get(key).filter(|v| !v.is_null()) {
                    push_field(&mut out, key, &value_text(v));
                }
                skip.push(key);
            }
        }
        "restart" => {
            if let Some(v) = obj.get("span") {
                push_field(&mut out, "span", &value_text(v));
            }
            let channel = obj.get("channel").filter(|v| !v.is_null());
            push_field(
                &mut out,
                "channel",
                &channel.map_or("all".into(), value_text),
            );
            if let Some(remote) = obj.get("remote").and_then(Value::as_bool) {
                push_field(&mut out, "by", if remote { "remote" } else { "local" });
            }
            skip.extend(["span", "channel", "remote"]);
        }
        "protocol_error" => {
            for key in ["span", "call"] {
                if let Some(v) = obj.get(key).filter(|v| !v.is_null()) {
                    push_field(&mut out, key, &value_text(v));
                }
            }
            if let Some(m) = obj.get("message").and_then(Value::as_u64) {
                push_field(&mut out, "message", &format!("0x{m:02x}"));
            }
            if let Some(c) = obj.get("cause").and_then(Value::as_u64) {
                let name = u8::try_from(c).map_or("unknown cause", trunk_isdn::q931::cause_name);
                push_field(&mut out, "cause", &format!("{c} ({name})"));
            }
            skip.extend(["span", "call", "message", "cause"]);
        }
        _ => {}
    }
    push_rest(&mut out, obj, &skip);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T: u64 = 1_700_000_000_123; // 22:13:20.123 UTC

    #[test]
    fn times_are_utc() {
        assert_eq!(time_of_day(T), "22:13:20.123Z");
        assert_eq!(time_of_day(0), "00:00:00.000Z");
    }

    #[test]
    fn call_events() {
        let ev = json!({
            "event": "call_incoming", "call": 12, "span": 1, "channel": 5,
            "trunk_group": "pstn", "direction": "in", "ani": "", "dnis": "5551234",
            "state": "ringing", "q931_state": 6, "started_ms": T, "answered_ms": null,
            "ended_ms": null, "cause": null, "cause_text": null, "cleared_by": null
        });
        assert_eq!(
            event_line(&ev, T),
            "22:13:20.123Z call_incoming call=12 span=1 channel=5 tg=pstn dir=in dnis=5551234 state=ringing"
        );
        let ev = json!({
            "event": "call_cleared", "call": 12, "span": 1, "channel": 5,
            "trunk_group": "pstn", "direction": "out", "ani": "8880001", "dnis": "5551234",
            "state": "cleared", "q931_state": 0, "started_ms": T, "answered_ms": T + 1000,
            "ended_ms": T + 61_000, "cause": 16, "cause_text": "normal call clearing",
            "cleared_by": "remote", "dropped_before": 3
        });
        assert_eq!(
            event_line(&ev, T + 61_000),
            "22:14:21.123Z call_cleared call=12 span=1 channel=5 tg=pstn dir=out ani=8880001 \
             dnis=5551234 state=cleared cause=16 (normal call clearing) by=remote \
             duration=00:01:01 dropped_before=3"
        );
    }

    #[test]
    fn link_restart_protocol_error_and_unknown_events() {
        let line = |v: Value| event_line(&v, T)[14..].to_string();
        assert_eq!(
            line(json!({"event": "link", "span": 2, "state": "up"})),
            "link span=2 state=up"
        );
        assert_eq!(
            line(json!({"event": "restart", "span": 1, "channel": null, "remote": true})),
            "restart span=1 channel=all by=remote"
        );
        assert_eq!(
            line(json!({"event": "restart", "span": 1, "channel": 7, "remote": false})),
            "restart span=1 channel=7 by=local"
        );
        assert_eq!(
            line(json!({"event": "protocol_error", "span": 1, "call": null,
                        "message": 5, "cause": 100})),
            "protocol_error span=1 message=0x05 cause=100 (invalid information element contents)"
        );
        assert_eq!(
            line(json!({"event": "future", "b": "two words", "a": [1], "c": null})),
            "future a=[1] b=\"two words\""
        );
    }
}
