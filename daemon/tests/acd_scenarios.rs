//! The ACD end to end, in lockstep: callers from trunksim's PRI exchange
//! queue through a flow, agents' phones on a PBX span are rung, answered
//! and bridged; events, views and CDRs are asserted.

mod common;

use common::acd::{self, err, login, ok};
use common::{expect_event, serial};
use serde_json::json;

const ONE_QUEUE: &str = r#"
[acd]
[[acd.queue]]
name = "sales"
wrap_up_s = 2
ring_timeout_s = 8
announce_every_s = 0
[[acd.queue]]
name = "support"
wrap_up_s = 2
"#;

#[test]
fn a_call_is_queued_offered_answered_and_released() {
    let _g = serial();
    let (rig, base) = acd::start("acd-basic", ONE_QUEUE, 1000, Some(4000));
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*", "agent_state"]);
    let r = login(&mut c, 1001, "2001", json!({"sales": 5}));
    assert_eq!(r["state"], "ready", "{r}");
    acd::calls(&rig, "100", "55501", 1, 0);
    let q = expect_event(&mut ev, 30, "acd_queued", |e| e["event"] == "acd_queued");
    assert_eq!(q["queue"], "sales");
    let call = q["call"].as_u64().unwrap();
    let pop = expect_event(&mut ev, 30, "screen pop", |e| {
        e["event"] == "acd_screen_pop"
    });
    assert_eq!(pop["agent"], 1001);
    assert_eq!(pop["ani"], "555011");
    assert_eq!(pop["call"], call);
    let a = expect_event(&mut ev, 30, "answered", |e| e["event"] == "acd_answered");
    assert_eq!(a["agent"], 1001);
    let agents = ok(&mut c, json!({"cmd":"acd_agents"}));
    assert_eq!(agents["agents"][0]["state"], "talking", "{agents}");
    let rel = expect_event(&mut ev, 60, "released", |e| e["event"] == "acd_released");
    assert_eq!(rel["call"], call);
    assert!(rel["talk_ms"].as_u64().unwrap() >= 3000, "{rel}");
    expect_event(&mut ev, 30, "wrap-up", |e| {
        e["event"] == "agent_state" && e["state"] == "wrap_up"
    });
    expect_event(&mut ev, 30, "ready again", |e| {
        e["event"] == "agent_state" && e["state"] == "ready"
    });
    let cdrs = acd::wait_cdrs(&base, "both legs", |c| c.len() >= 2);
    let inbound = cdrs.iter().find(|c| c["direction"] == "in").unwrap();
    assert_eq!(inbound["queue"], "sales", "{inbound}");
    assert_eq!(inbound["agent"], 1001);
    assert_eq!(inbound["disposition"], "answered");
    assert!(inbound["queue_wait_ms"].as_u64().is_some());
    let leg = cdrs.iter().find(|c| c["direction"] == "out").unwrap();
    assert_eq!(leg["dnis"], "2001");
    assert_eq!(leg["agent"], 1001);
    // Bad input changes nothing.
    assert_eq!(
        err(&mut c, json!({"cmd":"agent_ready","agent":999})),
        "not_found"
    );
    assert_eq!(
        err(
            &mut c,
            json!({"cmd":"agent_login","agent":1002,"endpoint":"nowhere/1","skills":{"sales":1}})
        ),
        "invalid_argument"
    );
    assert_eq!(
        err(
            &mut c,
            json!({"cmd":"agent_login","agent":1002,"endpoint":"pbx/2002","skills":{"cooking":1}})
        ),
        "invalid_argument"
    );
    assert_eq!(
        err(&mut c, json!({"cmd":"agent_hold","agent":1001})),
        "invalid_state"
    );
    let agents = ok(&mut c, json!({"cmd":"acd_agents"}));
    assert_eq!(agents["agents"].as_array().unwrap().len(), 1, "{agents}");
}
