//! Agent and supervisor requests end to end in lockstep: hold, consult,
//! attended and blind transfers (agent, queue, flow, number), the
//! three-party conference, agent-to-agent calls, supervision, forced
//! changes, refusals that change nothing, and statistics against CDRs.

mod common;

use common::acd::{self, agent, err, login, ok, state, wait_state};
use common::{expect_event, serial, Harness};
use serde_json::{json, Value};
use trunk_tools::client::Client;

const CFG: &str = r#"[acd]
[[acd.queue]]
name = "sales"
wrap_up_s = 1
announce_every_s = 0
[[acd.queue]]
name = "support"
wrap_up_s = 1
announce_every_s = 0
"#;

/// The rig with agent 1001 (sales) talking to one caller; phones never hang up.
fn connected(tag: &str) -> (Harness, std::path::PathBuf, Client, Client, u64) {
    let (rig, base) = acd::start(tag, CFG, 300, None);
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*", "agent_state", "ivr_*", "call_*"]);
    login(&mut c, 1001, "2001", json!({"sales": 5, "support": 3}));
    acd::calls(&rig, "100", "888", 1, 0);
    let a = expect_event(&mut ev, 30, "answered", |e| e["event"] == "acd_answered");
    let call = a["call"].as_u64().unwrap();
    (rig, base, c, ev, call)
}

#[test]
fn hold_consult_and_attended_transfer_to_another_agent() {
    let _g = serial();
    let (rig, base, mut c, mut ev, call) = connected("acd-attended");
    ok(&mut c, json!({"cmd":"agent_hold","agent":1001}));
    assert_eq!(state(&mut c, 1001), "held");
    ok(&mut c, json!({"cmd":"agent_retrieve","agent":1001}));
    assert_eq!(state(&mut c, 1001), "talking");
    // Consult 1002, then go back to the caller.
    login(&mut c, 1002, "2002", json!({"support": 5}));
    let r = ok(
        &mut c,
        json!({"cmd":"agent_consult","agent":1001,"to":"agent:1002"}),
    );
    let consult = r["consult_call"].as_u64().unwrap();
    assert_eq!(state(&mut c, 1001), "held");
    wait_state(&mut c, 1002, "talking");
    ok(&mut c, json!({"cmd":"agent_consult_retrieve","agent":1001}));
    assert_eq!(state(&mut c, 1001), "talking");
    expect_event(&mut ev, 30, "consult cleared", |e| {
        e["event"] == "call_cleared" && e["call"] == consult
    });
    // 1002 wraps up its consultation, then a second consultation and the transfer.
    wait_state(&mut c, 1002, "ready");
    ok(
        &mut c,
        json!({"cmd":"agent_consult","agent":1001,"to":"agent:1002"}),
    );
    wait_state(&mut c, 1002, "talking");
    let t = ok(
        &mut c,
        json!({"cmd":"agent_transfer","agent":1001,"mode":"attended"}),
    );
    assert_eq!(t["mode"], "attended");
    assert_eq!(state(&mut c, 1001), "wrap_up");
    let b = agent(&mut c, 1002);
    assert_eq!(b["state"], "talking");
    assert_eq!(b["call"], call, "1002 now has the caller: {b}");
    // 1002 hangs up: the caller is released too.
    ok(&mut c, json!({"cmd":"agent_hangup","agent":1002}));
    expect_event(&mut ev, 30, "caller cleared", |e| {
        e["event"] == "call_cleared" && e["call"] == call
    });
    let cdrs = acd::wait_cdrs(&base, "the caller's CDR", |c| {
        c.iter().any(|x| x["call"] == call)
    });
    let x = cdrs.iter().find(|x| x["call"] == call).unwrap();
    assert!(
        x["transferred_to"]
            .as_str()
            .unwrap()
            .starts_with("attended:"),
        "{x}"
    );
    drop(rig);
}

#[test]
fn blind_transfers_to_queue_agent_number_and_flow() {
    let _g = serial();
    let (rig, base, mut c, mut ev, call) = connected("acd-blind");
    login(&mut c, 1002, "2002", json!({"support": 5}));
    // To a queue: 1002 (support) gets it.
    ok(
        &mut c,
        json!({"cmd":"agent_transfer","agent":1001,"to":"queue:support"}),
    );
    let q = expect_event(&mut ev, 30, "queued in support", |e| {
        e["event"] == "acd_queued" && e["queue"] == "support"
    });
    assert_eq!(q["call"], call);
    let a = expect_event(&mut ev, 30, "1002 answers", |e| {
        e["event"] == "acd_answered" && e["agent"] == 1002
    });
    assert_eq!(a["call"], call);
    // To an agent: 1001 once its wrap-up is over.
    wait_state(&mut c, 1001, "ready");
    ok(
        &mut c,
        json!({"cmd":"agent_transfer","agent":1002,"to":"agent:1001"}),
    );
    let a = expect_event(&mut ev, 30, "1001 answers", |e| {
        e["event"] == "acd_answered" && e["agent"] == 1001
    });
    assert_eq!(a["call"], call);
    // To a flow: the IVR runs it.
    ok(
        &mut c,
        json!({"cmd":"agent_transfer","agent":1001,"to":"flow:message"}),
    );
    let s = expect_event(&mut ev, 30, "flow", |e| {
        e["event"] == "ivr_started" && e["call"] == call
    });
    assert_eq!(s["flow"], "message");
    // To a number: a second caller, sent to the PBX operator.
    wait_state(&mut c, 1001, "ready");
    acd::calls(&rig, "100", "889", 1, 0);
    let a = expect_event(&mut ev, 30, "second call answered", |e| {
        e["event"] == "acd_answered"
    });
    let second = a["call"].as_u64().unwrap();
    let by = a["agent"].as_u64().unwrap() as u32;
    ok(
        &mut c,
        json!({"cmd":"agent_transfer","agent":by,"to":"number:pbx/2999"}),
    );
    for i in 0..=600 {
        let calls = ok(&mut c, json!({"cmd":"calls"}));
        let up = calls["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["dnis"] == "2999" && x["state"] == "answered");
        if up {
            break;
        }
        assert!(i < 600, "the operator never answered: {calls}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    rig.sim_ok(json!({"cmd":"pri_hangup","span":1,"all":true}));
    let cdrs = acd::wait_cdrs(&base, "second caller", |c| {
        c.iter().any(|x| x["call"] == second)
    });
    let x = cdrs.iter().find(|x| x["call"] == second).unwrap();
    assert_eq!(x["transferred_to"], "pbx/2999", "{x}");
    // A transfer to something that does not exist changes nothing.
    assert_eq!(
        err(
            &mut c,
            json!({"cmd":"agent_transfer","agent":1001,"to":"queue:nope"})
        ),
        "invalid_state"
    );
}

#[test]
fn conference_internal_call_and_supervision() {
    let _g = serial();
    let (rig, _base, mut c, mut ev, call) = connected("acd-conf");
    login(&mut c, 1002, "2002", json!({"support": 5}));
    login(&mut c, 1003, "2003", json!({"support": 5}));
    // Supervisor 1003's phone listens, then barges.
    let s = ok(
        &mut c,
        json!({"cmd":"supervise","agent":1001,"mode":"listen","endpoint":"pbx/2099"}),
    );
    let sup = s["call"].as_u64().unwrap();
    let confs = wait_conf(&mut c, |v| v["conferences"][0]["parties"] == 3);
    assert!(confs.to_string().contains("listen"), "{confs}");
    ok(
        &mut c,
        json!({"cmd":"supervise","agent":1001,"mode":"barge","call":sup}),
    );
    let confs = ok(&mut c, json!({"cmd":"conferences"}));
    assert!(confs.to_string().contains("talker"), "{confs}");
    ok(
        &mut c,
        json!({"cmd":"supervise","agent":1001,"mode":"whisper","call":sup}),
    );
    // Three-party conference with 1002.
    ok(
        &mut c,
        json!({"cmd":"agent_consult","agent":1001,"to":"agent:1002"}),
    );
    wait_state(&mut c, 1002, "talking");
    let r = ok(&mut c, json!({"cmd":"agent_conference","agent":1001}));
    assert_eq!(r["conference"], format!("acd-{call}"));
    let confs = ok(&mut c, json!({"cmd":"conferences"}));
    assert!(
        confs.to_string().contains(&format!("acd-{call}")),
        "{confs}"
    );
    // 1001 leaves: the caller stays with 1002.
    ok(&mut c, json!({"cmd":"agent_hangup","agent":1001}));
    let b = agent(&mut c, 1002);
    assert_eq!(b["call"], call, "{b}");
    // Force release the caller.
    ok(&mut c, json!({"cmd":"force_release","call":call}));
    expect_event(&mut ev, 30, "released", |e| {
        e["event"] == "call_cleared" && e["call"] == call
    });
    // An internal call 1002 -> 1003 (once 1002 is free again).
    wait_state(&mut c, 1002, "ready");
    let r = ok(
        &mut c,
        json!({"cmd":"agent_call","agent":1002,"to":"agent:1003"}),
    );
    assert_eq!(r["calls"].as_array().unwrap().len(), 2);
    wait_state(&mut c, 1003, "talking");
    assert_eq!(state(&mut c, 1002), "talking");
    ok(&mut c, json!({"cmd":"agent_hangup","agent":1003}));
    // Internal calls have no wrap-up: both are free at once.
    wait_state(&mut c, 1002, "ready");
    wait_state(&mut c, 1003, "ready");
    // Forced state and logout.
    ok(
        &mut c,
        json!({"cmd":"agent_force_state","agent":1003,"state":"not_ready","reason":7}),
    );
    assert_eq!(agent(&mut c, 1003)["reason"], 7);
    ok(&mut c, json!({"cmd":"agent_force_logout","agent":1003}));
    assert_eq!(state(&mut c, 1003), "logged_out");
    drop(rig);
}

fn wait_conf(c: &mut Client, f: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let v = ok(c, json!({"cmd":"conferences"}));
        if f(&v) {
            return v;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the supervisor never joined");
}

#[test]
fn refusals_change_nothing_and_only_the_owner_drives_an_agent() {
    let _g = serial();
    let (rig, _base, mut c, _ev, _call) = connected("acd-refuse");
    let before = ok(&mut c, json!({"cmd":"acd_agents"}));
    let mut other = rig.client();
    for (req, code) in [
        (
            json!({"cmd":"agent_hold","agent":1001}),
            "permission_denied",
        ),
        (
            json!({"cmd":"agent_logout","agent":1001}),
            "permission_denied",
        ),
    ] {
        assert_eq!(err(&mut other, req.clone()), code, "{req}");
    }
    for (req, code) in [
        (json!({"cmd":"agent_logout","agent":1001}), "invalid_state"),
        (json!({"cmd":"agent_ready","agent":1001}), "invalid_state"),
        (
            json!({"cmd":"agent_retrieve","agent":1001}),
            "invalid_state",
        ),
        (
            json!({"cmd":"agent_transfer","agent":1001,"mode":"attended"}),
            "invalid_state",
        ),
        (
            json!({"cmd":"agent_conference","agent":1001}),
            "invalid_state",
        ),
        (
            json!({"cmd":"agent_consult","agent":1001,"to":"agent:1001"}),
            "invalid_argument",
        ),
        (
            json!({"cmd":"agent_consult","agent":1001,"to":"agent:4242"}),
            "not_found",
        ),
        (
            json!({"cmd":"agent_transfer","agent":1001,"to":"somewhere"}),
            "invalid_argument",
        ),
        (
            json!({"cmd":"agent_transfer","agent":1001,"to":"queue:sales","mode":"sideways"}),
            "invalid_argument",
        ),
        (
            json!({"cmd":"agent_not_ready","agent":1001,"reason":-1}),
            "invalid_argument",
        ),
        (json!({"cmd":"agent_ready","agent":"x"}), "invalid_argument"),
        (
            json!({"cmd":"supervise","agent":1001,"mode":"spy","call":1}),
            "invalid_argument",
        ),
        (json!({"cmd":"force_release","call":424242}), "not_found"),
        (
            json!({"cmd":"acd_enqueue","call":424242,"queue":"sales"}),
            "not_found",
        ),
        (
            json!({"cmd":"acd_enqueue","call":1,"queue":"nope"}),
            "not_found",
        ),
        (
            json!({"cmd":"acd_stats","interval_min":7}),
            "invalid_argument",
        ),
        (
            json!({"cmd":"agent_force_state","agent":1001,"state":"dancing"}),
            "invalid_argument",
        ),
    ] {
        assert_eq!(err(&mut c, req.clone()), code, "{req}");
    }
    let after = ok(&mut c, json!({"cmd":"acd_agents"}));
    let strip = |v: &Value| {
        let mut v = v.clone();
        for a in v["agents"].as_array_mut().unwrap() {
            a.as_object_mut().unwrap().remove("since_ms");
        }
        v
    };
    assert_eq!(
        strip(&before),
        strip(&after),
        "refused requests changed nothing"
    );
}
