//! Per-client event subscriptions and D-channel captures.
//!
//! `subscribe` selects call/link events (optionally filtered by kind, span,
//! trunk group, call or ACD agent); `capture` streams a span's D-channel frames as
//! `frame` events. Events for a client whose output buffer is more than
//! half full are dropped and counted (the client is told how many in its
//! next event), so a slow reader never holds the daemon up.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use mio::Token;
use serde_json::{json, Map, Value};

use super::{error_reply, flush, line, Client, MAX_OUTPUT};
use crate::registry::Registry;

/// What a subscribed client wants to see.
#[derive(Debug, Default)]
pub struct Filter {
    kinds: Option<Vec<String>>,
    span: Option<u64>,
    trunk_group: Option<String>,
    call: Option<u64>,
    /// An ACD agent (an agent desktop sees its own screen-pops and states).
    agent: Option<u64>,
    dropped: u64,
}

impl Filter {
    fn matches(&self, ev: &Value) -> bool {
        let kind = ev["event"].as_str().unwrap_or("");
        if kind == "frame" {
            return false;
        }
        if let Some(k) = &self.kinds {
            if !k
                .iter()
                .any(|k| kind == k || (k.ends_with('*') && kind.starts_with(&k[..k.len() - 1])))
            {
                return false;
            }
        }
        if self.span.is_some_and(|s| ev["span"].as_u64() != Some(s)) {
            return false;
        }
        if let Some(t) = &self.trunk_group {
            if ev["trunk_group"].as_str() != Some(t) {
                return false;
            }
        }
        if self.agent.is_some_and(|a| ev["agent"].as_u64() != Some(a)) {
            return false;
        }
        self.call.is_none_or(|c| ev["call"].as_u64() == Some(c))
    }
}

/// Handle `subscribe`, `unsubscribe`, `capture` and `capture_stop`, which
/// change the client's own state. `None` for every other request.
pub(super) fn handle_client(
    reg: &Registry,
    c: &mut Client,
    v: &Map<String, Value>,
) -> Option<Value> {
    let cmd = v.get("cmd")?.as_str()?;
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    let ok = |result: Value| json!({"id": id, "ok": true, "result": result});
    match cmd {
        "subscribe" => {
            let kinds =
                match v.get("events") {
                    None | Some(Value::Null) => None,
                    Some(Value::Array(a)) if a.iter().all(Value::is_string) => Some(
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect(),
                    ),
                    Some(_) => return Some(error_reply(
                        id,
                        "invalid_argument",
                        "\"events\" must be a list of event names (a trailing * matches a prefix)",
                    )),
                };
            c.sub = Some(Filter {
                kinds,
                span: v.get("span").and_then(Value::as_u64),
                trunk_group: v
                    .get("trunk_group")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                call: v.get("call").and_then(Value::as_u64),
                agent: v.get("agent").and_then(Value::as_u64),
                dropped: 0,
            });
            Some(ok(json!({"subscribed": true})))
        }
        "unsubscribe" => {
            c.sub = None;
            Some(ok(json!({"subscribed": false})))
        }
        "capture" => {
            let Some(span) = v.get("span").and_then(Value::as_u64) else {
                return Some(error_reply(id, "bad_request", "missing \"span\""));
            };
            let cfg = reg.config();
            let Some(s) = u32::try_from(span).ok().and_then(|n| cfg.spans.get(&n)) else {
                return Some(error_reply(
                    id,
                    "no_such_span",
                    &format!("span {span} is not configured"),
                ));
            };
            if !s.signalling.is_pri() {
                return Some(error_reply(
                    id,
                    "not_signalling",
                    &format!("span {span} runs no signalling stack to capture"),
                ));
            }
            if !c.capture.contains(&span) {
                c.capture.push(span);
                reg.bus.captures.fetch_add(1, Ordering::Relaxed);
            }
            let network = s.signalling == crate::config::Signalling::PriNet;
            Some(ok(
                json!({"span": span, "network_side": network, "linktype": 177}),
            ))
        }
        "capture_stop" => {
            forget(reg, c);
            Some(ok(json!({"capturing": false})))
        }
        _ => None,
    }
}

/// A client goes away: release its captures.
pub(super) fn forget(reg: &Registry, c: &mut Client) {
    let n = c.capture.len() as u32;
    if n > 0 {
        reg.bus.captures.fetch_sub(n, Ordering::Relaxed);
        c.capture.clear();
    }
}

/// Hand queued events to the clients that want them.
pub(super) fn distribute(reg: &Registry, clients: &mut HashMap<Token, Client>) {
    let rx = reg.bus.receiver();
    let mut any = false;
    while let Ok(ev) = rx.try_recv() {
        any = true;
        let is_frame = ev["event"] == "frame";
        let span = ev["span"].as_u64();
        for c in clients.values_mut() {
            let wanted = if is_frame {
                span.is_some_and(|s| c.capture.contains(&s))
            } else {
                c.sub.as_ref().is_some_and(|f| f.matches(&ev))
            };
            if !wanted {
                continue;
            }
            if c.output.len() > MAX_OUTPUT / 2 {
                if let Some(f) = c.sub.as_mut() {
                    f.dropped += 1;
                }
                reg.bus.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            match c.sub.as_mut().filter(|f| f.dropped > 0) {
                Some(f) => {
                    let mut e = ev.clone();
                    e["dropped_before"] = json!(f.dropped);
                    f.dropped = 0;
                    c.output.extend(line(&e));
                }
                None => c.output.extend(line(&ev)),
            }
        }
    }
    if any {
        for c in clients.values_mut() {
            flush(c);
        }
    }
}
