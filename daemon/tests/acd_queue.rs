//! The caller's side of the ACD in lockstep: ring-no-answer, a busy agent
//! phone, overflow after the maximum wait, no-agent forwarding, the
//! keep-waiting / leave-a-message offer, VIP priority and abandonment.

mod common;

use common::acd::{self, login, ok};
use common::{expect_event, serial};
use serde_json::json;

#[test]
fn ring_no_answer_returns_the_call_and_a_busy_phone_is_skipped() {
    let _g = serial();
    let cfg = "[acd]\nskip_s = 3\n[[acd.queue]]\nname = \"sales\"\nring_timeout_s = 3\nannounce_every_s = 0\nwrap_up_s = 1\n";
    let (rig, _base) = acd::start("acd-rona", cfg, 1000, Some(2000));
    rig.sim_ok(json!({"cmd":"pri_policy","span":2,"answer_after_ms":null}));
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*", "agent_state"]);
    login(&mut c, 1001, "2001", json!({"sales": 5}));
    acd::calls(&rig, "100", "777", 1, 0);
    let m = expect_event(&mut ev, 30, "RONA", |e| e["event"] == "acd_missed");
    assert_eq!(m["reason"], "ring_no_answer", "{m}");
    assert_eq!(m["agent"], 1001);
    let s = expect_event(&mut ev, 30, "not ready", |e| {
        e["event"] == "agent_state" && e["state"] == "not_ready"
    });
    assert_eq!(s["reason_name"], "ring_no_answer", "{s}");
    let q = ok(&mut c, json!({"cmd":"acd_queues"}));
    assert_eq!(
        q["queues"][0]["waiting"], 1,
        "the call is back in its queue: {q}"
    );
    // A second agent whose phone is busy: skipped, reported, ready again after skip_s.
    rig.sim_ok(json!({"cmd":"pri_policy","span":2,"reject_cause":17}));
    login(&mut c, 1002, "2002", json!({"sales": 5}));
    let m = expect_event(&mut ev, 30, "busy", |e| {
        e["event"] == "acd_missed" && e["agent"] == 1002
    });
    assert_eq!(m["reason"], "busy");
    let s = expect_event(&mut ev, 30, "skipped", |e| {
        e["event"] == "agent_state" && e["agent"] == 1002 && e["state"] == "not_ready"
    });
    assert_eq!(s["reason_name"], "endpoint_busy");
    // The phones work again: 1002 comes back by itself and takes the call.
    rig.sim_ok(json!({"cmd":"pri_policy","span":2,"answer_after_ms":500,"hangup_after_ms":1000}));
    let a = expect_event(&mut ev, 30, "answered", |e| e["event"] == "acd_answered");
    assert_eq!(a["agent"], 1002, "{a}");
    let agents = ok(&mut c, json!({"cmd":"acd_agents"}));
    assert_eq!(
        agents["agents"][0]["state"], "not_ready",
        "RONA agent stays not ready: {agents}"
    );
    assert_eq!(agents["agents"][0]["missed"], 1);
}

#[test]
fn overflow_after_max_wait_and_forwarding_when_nobody_is_logged_in() {
    let _g = serial();
    let cfg = r#"[acd]
[[acd.queue]]
name = "sales"
max_wait_s = 3
overflow = "queue:support"
announce_every_s = 0
[[acd.queue]]
name = "support"
no_agents = "number:pbx/2999"
announce_every_s = 0
"#;
    let (rig, base) = acd::start("acd-overflow", cfg, 500, Some(1500));
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*"]);
    // A sales agent who is not ready keeps the queue staffed but takes nothing.
    ok(
        &mut c,
        json!({"cmd":"agent_login","agent":1001,"endpoint":"pbx/2001","skills":{"sales":5}}),
    );
    acd::calls(&rig, "100", "321", 1, 0);
    let o = expect_event(&mut ev, 30, "overflow", |e| e["event"] == "acd_overflowed");
    assert_eq!(o["reason"], "max_wait", "{o}");
    assert_eq!(o["to"], "queue:support");
    assert!(o["wait_ms"].as_u64().unwrap() >= 3000, "{o}");
    // Support has nobody logged in: straight on to the operator's number.
    let o2 = expect_event(&mut ev, 30, "no agents", |e| {
        e["event"] == "acd_overflowed" && e["reason"] == "no_agents"
    });
    assert_eq!(o2["queue"], "support");
    assert_eq!(o2["to"], "number:pbx/2999");
    let cdrs = acd::wait_cdrs(&base, "caller and operator", |c| c.len() >= 2);
    let inbound = cdrs.iter().find(|c| c["direction"] == "in").unwrap();
    assert_eq!(inbound["transferred_to"], "pbx/2999", "{inbound}");
    assert_eq!(inbound["disposition"], "answered");
    let op = cdrs.iter().find(|c| c["direction"] == "out").unwrap();
    assert_eq!(op["dnis"], "2999");
}

#[test]
fn keep_waiting_or_leave_a_message_after_announcements() {
    let _g = serial();
    let cfg = r#"[acd]
[[acd.queue]]
name = "sales"
announce_every_s = 2
offer_after = 2
message = "flow:message"
"#;
    let (rig, base) = acd::start("acd-message", cfg, 500, None);
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*", "ivr_*"]);
    ok(
        &mut c,
        json!({"cmd":"agent_login","agent":1001,"endpoint":"pbx/2001","skills":{"sales":5}}),
    );
    // Two callers: the first presses 2 (message), the second presses 1 (keep waiting).
    let caller = |name: &str, digit: &str| {
        json!({"name": name, "weight": 1, "patience_ms": 120000,
        "script": [{"wait_ms": 9000}, {"dtmf": digit}, {"wait_ms": 20000}, {"hangup": true}]})
    };
    rig.sim_ok(json!({"cmd":"traffic","seed":7,"groups":[
        {"name":"two","spans":[1],"number":"100","from_list":["600001"],
         "interval_ms":100,"calls":1,"callers":[caller("msg","2")]},
        {"name":"one","spans":[1],"number":"100","from_list":["600002"],
         "interval_ms":100,"calls":1,"callers":[caller("keep","1")]}]}));
    let a = expect_event(&mut ev, 60, "announcement", |e| {
        e["event"] == "acd_announce"
    });
    assert!(a["position"].as_u64().unwrap() >= 1, "{a}");
    let o = expect_event(&mut ev, 60, "caller choice", |e| {
        e["event"] == "acd_overflowed"
    });
    assert_eq!(o["reason"], "caller_choice", "{o}");
    assert_eq!(o["to"], "flow:message");
    let first = o["call"].as_u64().unwrap();
    let r = expect_event(&mut ev, 60, "voicemail", |e| {
        e["event"] == "ivr_started" && e["call"] == first
    });
    assert_eq!(r["flow"], "message");
    // The other caller keeps waiting: still queued, announced again later.
    let later = expect_event(&mut ev, 60, "announcement to the one who stayed", |e| {
        e["event"] == "acd_announce" && e["call"] != first
    });
    let q = ok(&mut c, json!({"cmd":"acd_live"}));
    assert!(
        q["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["call"] == later["call"]),
        "{q}"
    );
    let cdrs = acd::wait_cdrs(&base, "the message caller", |c| {
        c.iter().any(|x| x["call"] == first)
    });
    let rec = cdrs.iter().find(|x| x["call"] == first).unwrap();
    assert_eq!(rec["flow"], "message", "{rec}");
    assert!(
        !rec["recordings"].as_array().unwrap().is_empty(),
        "a message was recorded: {rec}"
    );
}

#[test]
fn vip_first_and_abandonment_is_reported() {
    let _g = serial();
    let cfg = "[acd]\n[[acd.queue]]\nname = \"sales\"\nannounce_every_s = 0\nvip_priority = 50\n";
    let (rig, base) = acd::start("acd-vip", cfg, 500, Some(1000));
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*"]);
    // Three callers wait (nobody ready), then a VIP (the flow's screen node) arrives last.
    ok(
        &mut c,
        json!({"cmd":"agent_login","agent":1001,"endpoint":"pbx/2001","skills":{"sales":5}}),
    );
    acd::calls(&rig, "100", "4440", 3, 200);
    for _ in 0..3 {
        let q = expect_event(&mut ev, 30, "queued", |e| e["event"] == "acd_queued");
        assert_eq!(q["priority"], 0, "{q}");
    }
    acd::calls(&rig, "100", "99900", 1, 0);
    let vip = expect_event(&mut ev, 30, "VIP queued", |e| e["event"] == "acd_queued");
    assert_eq!(vip["priority"], 50, "{vip}");
    assert_eq!(
        vip["position"], 1,
        "the VIP goes to the head of the queue: {vip}"
    );
    // The agent's phone will ring until the callers give up.
    rig.sim_ok(json!({"cmd":"pri_policy","span":2,"answer_after_ms":null}));
    ok(&mut c, json!({"cmd":"agent_ready","agent":1001}));
    let o = expect_event(&mut ev, 30, "offer", |e| e["event"] == "acd_offered");
    assert_eq!(o["call"], vip["call"], "the VIP is served first");
    // Everybody gives up, the VIP while the agent's phone rings.
    rig.sim_ok(json!({"cmd":"pri_hangup","span":1,"all":true,"cause":16}));
    let ab = expect_event(&mut ev, 30, "abandon", |e| e["event"] == "acd_abandoned");
    assert!(ab["wait_ms"].as_u64().is_some());
    let cdrs = acd::wait_cdrs(&base, "abandoned CDRs", |c| {
        c.iter().filter(|x| x["disposition"] == "abandoned").count() == 4
    });
    for x in cdrs.iter().filter(|x| x["disposition"] == "abandoned") {
        assert_eq!(
            x["queue"],
            serde_json::Value::Null,
            "never reached an agent: {x}"
        );
    }
    // The offer ended with the caller.
    acd::wait_state(&mut c, 1001, "ready");
}

#[test]
fn a_reload_changes_queues_and_waiting_calls_keep_their_places() {
    let _g = serial();
    let before = "[acd]\n[[acd.queue]]\nname = \"sales\"\nannounce_every_s = 0\n";
    let (rig, _base) = acd::start("acd-reload", before, 500, Some(1000));
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*"]);
    ok(
        &mut c,
        json!({"cmd":"agent_login","agent":1001,"endpoint":"pbx/2001","skills":{"sales":5}}),
    );
    acd::calls(&rig, "100", "4321", 2, 100);
    for _ in 0..2 {
        expect_event(&mut ev, 30, "queued", |e| e["event"] == "acd_queued");
    }
    // New: sales overflows after 2 s to a new queue, support, whose agent is ready.
    let after = "[acd]\n[[acd.queue]]\nname = \"sales\"\nstrategy = \"round_robin\"\nannounce_every_s = 0\n\
                 max_wait_s = 2\noverflow = \"queue:support\"\n[[acd.queue]]\nname = \"support\"\nannounce_every_s = 0\n";
    let text = std::fs::read_to_string(&rig.config).unwrap();
    std::fs::write(&rig.config, text.replace(before, after)).unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(rig.daemon_pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    for i in 0..=200 {
        let q = ok(&mut c, json!({"cmd":"acd_queues"}));
        if q["queues"].as_array().unwrap().len() == 2 {
            assert_eq!(q["queues"][0]["strategy"], "round_robin", "{q}");
            break;
        }
        assert!(i < 200, "the reload never showed: {q}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    login(&mut c, 1002, "2002", json!({"support": 5}));
    for _ in 0..2 {
        let o = expect_event(&mut ev, 30, "overflow", |e| e["event"] == "acd_overflowed");
        assert_eq!(o["to"], "queue:support", "{o}");
    }
    let a = expect_event(&mut ev, 30, "answered in support", |e| {
        e["event"] == "acd_answered"
    });
    assert_eq!(a["agent"], 1002, "{a}");
}
