//! Who a client is and what it owns: SO_PEERCRED admission, call
//! ownership, and what happens to a client's calls when it goes away.

use std::ffi::CString;

use nix::sys::socket::{getsockopt, sockopt};
use nix::unistd::{Gid, Group, Uid, User};
use serde_json::{json, Map, Value};

use super::commands::{get_u64, ApiError};
use crate::config_ivr::{ApiConfig, DisconnectPolicy};
use crate::ivr::IvrCmd;
use crate::registry::{lock, Registry};

/// The peer of a connection, from SO_PEERCRED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer {
    /// Process id.
    pub pid: i32,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
}

/// The credentials of the process at the other end of `stream`.
pub fn peer_of(stream: &impl std::os::fd::AsFd) -> Result<Peer, String> {
    let c =
        getsockopt(stream, sockopt::PeerCredentials).map_err(|e| format!("SO_PEERCRED: {e}"))?;
    Ok(Peer {
        pid: c.pid(),
        uid: c.uid(),
        gid: c.gid(),
    })
}

/// Whether `peer` may use the API: root and trunkd's own user always; else
/// a user in `allow_users` or a member (primary or supplementary) of a group
/// in `allow_groups`.
pub fn admitted(cfg: &ApiConfig, peer: &Peer) -> Result<(), String> {
    if peer.uid == 0 || peer.uid == Uid::effective().as_raw() {
        return Ok(());
    }
    let user = User::from_uid(Uid::from_raw(peer.uid)).ok().flatten();
    let uid_ok = cfg.allow_users.iter().any(|u| {
        u.parse::<u32>().map_or_else(
            |_| user.as_ref().is_some_and(|x| &x.name == u),
            |n| n == peer.uid,
        )
    });
    if uid_ok {
        return Ok(());
    }
    let mut gids = vec![peer.gid];
    if let Some(u) = &user {
        if let Ok(name) = CString::new(u.name.as_str()) {
            if let Ok(list) = nix::unistd::getgrouplist(&name, Gid::from_raw(peer.gid)) {
                gids.extend(list.into_iter().map(Gid::as_raw));
            }
        }
    }
    let gid_ok = cfg.allow_groups.iter().any(|g| {
        let want = g
            .parse::<u32>()
            .ok()
            .or_else(|| Group::from_name(g).ok().flatten().map(|x| x.gid.as_raw()));
        want.is_some_and(|w| gids.contains(&w))
    });
    if gid_ok {
        Ok(())
    } else {
        Err(format!(
            "uid {} (gid {}) is not admitted: add the user to [api] allow_users or one of its groups to allow_groups",
            peer.uid, peer.gid
        ))
    }
}

/// The owner name of a client, as calls and CDRs show it.
pub fn owner_name(token: usize, peer: Option<&Peer>) -> String {
    match peer {
        Some(p) => format!("client {token} (uid {}, pid {})", p.uid, p.pid),
        None => format!("client {token}"),
    }
}

/// The call a successful request gave its client control of, if any:
/// a call it answered, dialled or took from the IVR.
pub fn claimed_call(req: &Map<String, Value>, reply: &Value) -> Option<u64> {
    if reply["ok"] != json!(true) {
        return None;
    }
    match req.get("cmd")?.as_str()? {
        "answer" | "dial" | "ivr_take" => reply["result"]["call"].as_u64(),
        _ => None,
    }
}

/// `ivr_take`: take a call a `script` node offers.
pub fn ivr_take(reg: &Registry, req: &Map<String, Value>, owner: &str) -> Result<Value, ApiError> {
    let call = get_u64(req, "call")?
        .ok_or_else(|| ApiError::new("bad_request", "\"call\" is required"))?;
    let (tx, rx) = crossbeam_channel::bounded(1);
    reg.ivr
        .try_send(IvrCmd::Take {
            call,
            owner: owner.to_owned(),
            reply: tx,
        })
        .map_err(|_| ApiError::new("busy", "the IVR is not keeping up"))?;
    let r = rx
        .recv_timeout(std::time::Duration::from_secs(2))
        .map_err(|_| ApiError::new("timeout", "the IVR did not answer"))??;
    lock(&reg.owners).insert(call, owner.to_owned());
    Ok(r)
}

/// A client went away: apply `[api] on_client_disconnect` to the calls it
/// still owns. Runs on its own thread, so the API thread never waits for
/// the signalling thread.
pub fn client_gone(reg: &std::sync::Arc<Registry>, owner: String, calls: Vec<u64>) {
    // The agents this client logged in are logged out (after their call).
    let _ = reg.acd.try_send(crate::acdsvc::AcdCmd::ClientGone {
        client: owner.clone(),
    });
    let calls: Vec<u64> = {
        let owners = lock(&reg.owners);
        calls
            .into_iter()
            .filter(|c| owners.get(c) == Some(&owner))
            .collect()
    };
    if calls.is_empty() {
        return;
    }
    let policy = reg.config().api.on_client_disconnect.clone();
    let reg = reg.clone();
    let _ = std::thread::Builder::new()
        .name("api-gone".into())
        .spawn(move || {
            for call in calls {
                let answered = lock(&reg.calls)
                    .active
                    .get(&call)
                    .map(|c| c.answered_ms.is_some());
                let Some(answered) = answered else {
                    lock(&reg.owners).remove(&call);
                    continue;
                };
                let action = match &policy {
                    DisconnectPolicy::Keep => {
                        lock(&reg.owners).remove(&call);
                        "kept".to_owned()
                    }
                    DisconnectPolicy::Release => {
                        let cause = if answered { 16 } else { 41 };
                        let mut m = Map::new();
                        m.insert("cmd".into(), json!("hangup"));
                        m.insert("call".into(), json!(call));
                        m.insert("cause".into(), json!(cause));
                        if let Err(e) = super::commands::execute(&reg, &m) {
                            log::warn!(
                                "call {call}: release after {owner} went away: {}",
                                e.message
                            );
                        }
                        format!("released (cause {cause})")
                    }
                    DisconnectPolicy::Flow(f) => {
                        lock(&reg.owners).remove(&call);
                        let _ = reg.ivr.try_send(IvrCmd::Start {
                            call,
                            flow: Some(f.clone()),
                            node: None,
                            reply: None,
                        });
                        format!("handed to flow `{f}`")
                    }
                };
                log::info!("call {call}: {owner} disconnected; call {action}");
                reg.bus.publish(json!({
                    "event": "client_gone", "call": call, "owner": owner, "action": action,
                }));
            }
        });
}
