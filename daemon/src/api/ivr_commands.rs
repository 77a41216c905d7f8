//! API requests for the IVR: `flows`, `ivr_run`, `ivr_reply` (and
//! `ivr_take`, which needs the client and lives in `clients`).

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::commands::{get_u64, ApiError};
use super::media_commands::get_str;
use crate::ivr::flow::Node;
use crate::ivr::{IvrCmd, IvrReply};
use crate::registry::{lock, Registry};

/// Send a request to the IVR thread and wait (briefly) for its answer.
fn ask(reg: &Registry, make: impl FnOnce(IvrReply) -> IvrCmd) -> Result<Value, ApiError> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    reg.ivr
        .try_send(make(tx))
        .map_err(|_| ApiError::new("busy", "the IVR is not keeping up"))?;
    rx.recv_timeout(Duration::from_secs(2))
        .map_err(|_| ApiError::new("timeout", "the IVR did not answer"))?
}

/// `flows`: the flows in force, where they attach, the errors of a refused
/// reload, and the IVR's counters.
pub fn flows(reg: &Registry) -> Result<Value, ApiError> {
    let set = reg.flows();
    let cfg = reg.config();
    let flows: Vec<Value> = set
        .flows
        .values()
        .map(|f| {
            let kinds: std::collections::BTreeMap<&str, usize> =
                f.nodes
                    .values()
                    .fold(Default::default(), |mut m, n: &Node| {
                        *m.entry(n.kind_name()).or_default() += 1;
                        m
                    });
            json!({
                "name": f.name, "start": f.start, "languages": f.languages,
                "on_hangup": f.on_hangup, "nodes": f.nodes.len(), "kinds": kinds,
            })
        })
        .collect();
    let attach: Vec<Value> = set
        .attach
        .iter()
        .map(|a| json!({"trunk_group": a.trunk_group, "dnis": a.dnis, "flow": a.flow}))
        .collect();
    let ivr = ask(reg, |reply| IvrCmd::Status { reply }).unwrap_or(Value::Null);
    Ok(json!({
        "file": cfg.ivr.flows,
        "flows": flows,
        "attach": attach,
        "lists": set.lists.keys().collect::<Vec<_>>(),
        "calendars": set.calendars.keys().collect::<Vec<_>>(),
        "reload_errors": *lock(&reg.flow_errors),
        "ivr": ivr,
    }))
}

/// `ivr_run`: put a call into a flow (at its start or a named node).
pub fn ivr_run(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let call = get_u64(req, "call")?
        .ok_or_else(|| ApiError::new("bad_request", "\"call\" is required"))?;
    let flow = get_str(req, "flow")?.map(str::to_owned);
    let node = get_str(req, "node")?.map(str::to_owned);
    ask(reg, |reply| IvrCmd::Start {
        call,
        flow,
        node,
        reply: Some(reply),
    })
}

/// `ivr_reply`: answer an `ivr_lookup` event.
pub fn ivr_reply(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let lookup = get_u64(req, "lookup")?
        .ok_or_else(|| ApiError::new("bad_request", "\"lookup\" is required"))?;
    let result = get_str(req, "result")?
        .ok_or_else(|| ApiError::new("bad_request", "\"result\" is required"))?
        .to_owned();
    let vars = crate::ivr::request_vars(req)?;
    ask(reg, |reply| IvrCmd::LookupReply {
        lookup,
        result,
        vars,
        reply,
    })
}
