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
    // Agent 1001's desktop sees its own events only.
    let mut desk = rig.client();
    ok(
        &mut desk,
        json!({"cmd":"subscribe","events":["acd_*"],"agent":1001}),
    );
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
    let first = desk
        .next_event(Some(std::time::Duration::from_secs(10)))
        .unwrap()
        .expect("the desktop's first event");
    assert_eq!(
        first["event"], "acd_offered",
        "not acd_queued (no agent): {first}"
    );
    let pop = desk
        .next_event(Some(std::time::Duration::from_secs(10)))
        .unwrap()
        .expect("the screen-pop");
    assert_eq!(pop["event"], "acd_screen_pop", "{pop}");
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

#[test]
fn recording_policy_and_caller_history() {
    let _g = serial();
    let cfg = r#"[acd]
[[acd.queue]]
name = "sales"
record = "always"
announce_every_s = 0
wrap_up_s = 0
[[acd.queue]]
name = "support"
record = "never"
announce_every_s = 0
wrap_up_s = 0
"#;
    let (rig, base) = acd::start("acd-record", cfg, 300, None);
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*"]);
    login(&mut c, 1001, "2001", json!({"sales": 5, "support": 5}));
    // A sales call is recorded from the answer.
    acd::calls(&rig, "100", "555000", 1, 0);
    let pop = expect_event(&mut ev, 30, "pop", |e| e["event"] == "acd_screen_pop");
    assert!(
        pop["history"].as_array().unwrap().is_empty(),
        "a new caller: {pop}"
    );
    let a = expect_event(&mut ev, 30, "answered", |e| e["event"] == "acd_answered");
    let first = a["call"].as_u64().unwrap();
    ok(&mut c, json!({"cmd":"force_release","call":first}));
    let cdrs = acd::wait_cdrs(&base, "first call", |c| {
        c.iter().any(|x| x["call"] == first)
    });
    let x = cdrs.iter().find(|x| x["call"] == first).unwrap();
    let files = x["recordings"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{x}");
    let found = ok(&mut c, json!({"cmd":"recordings","agent":1001}));
    assert_eq!(found["recordings"][0]["call"], first, "{found}");
    assert_eq!(found["recordings"][0]["ani"], "5550001");
    // The same caller again, to support: the screen-pop shows the first call,
    // and support's policy refuses a recording.
    acd::wait_state(&mut c, 1001, "ready");
    acd::calls(&rig, "200", "555000", 1, 0);
    let pop = expect_event(&mut ev, 30, "pop", |e| e["event"] == "acd_screen_pop");
    assert_eq!(pop["queue"], "support");
    let h = &pop["history"][0];
    assert_eq!(h["call"], first, "{pop}");
    assert_eq!(h["queue"], "sales");
    assert_eq!(h["agent"], 1001);
    let a = expect_event(&mut ev, 30, "answered", |e| e["event"] == "acd_answered");
    let second = a["call"].as_u64().unwrap();
    assert_eq!(
        err(
            &mut c,
            json!({"cmd":"record_call","call":second,"action":"start"})
        ),
        "permission_denied"
    );
    ok(&mut c, json!({"cmd":"force_release","call":second}));
    let cdrs = acd::wait_cdrs(&base, "second call", |c| {
        c.iter().any(|x| x["call"] == second)
    });
    let x = cdrs.iter().find(|x| x["call"] == second).unwrap();
    assert!(x["recordings"].as_array().unwrap().is_empty(), "{x}");
}

#[test]
fn statistics_agree_with_the_cdrs() {
    let _g = serial();
    let cfg = r#"[acd]
[[acd.queue]]
name = "sales"
announce_every_s = 0
wrap_up_s = 1
service_level_s = 3
"#;
    let (rig, base) = acd::start("acd-stats", cfg, 400, Some(2500));
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*"]);
    login(&mut c, 1001, "2001", json!({"sales": 5}));
    login(&mut c, 1002, "2002", json!({"sales": 3}));
    acd::calls(&rig, "100", "7000", 12, 400);
    for _ in 0..6 {
        expect_event(&mut ev, 60, "answered", |e| e["event"] == "acd_answered");
    }
    // The rest give up.
    rig.sim_ok(json!({"cmd":"pri_hangup","span":1,"all":true}));
    let cdrs = acd::wait_cdrs(&base, "12 inbound CDRs", |c| {
        c.iter().filter(|x| x["direction"] == "in").count() == 12
    });
    acd::wait_state(&mut c, 1001, "ready");
    acd::wait_state(&mut c, 1002, "ready");
    let inbound: Vec<_> = cdrs.iter().filter(|x| x["direction"] == "in").collect();
    let answered: Vec<_> = inbound.iter().filter(|x| x["agent"].is_u64()).collect();
    let abandoned = inbound
        .iter()
        .filter(|x| x["disposition"] == "abandoned")
        .count();
    let stats = ok(&mut c, json!({"cmd":"acd_stats","interval_min":60}));
    let sum = |k: &str| -> u64 {
        stats["queues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q[k].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!(sum("offered"), 12, "{stats}");
    assert_eq!(sum("answered"), answered.len() as u64, "{stats}");
    assert_eq!(sum("abandoned"), abandoned as u64, "{stats}");
    assert_eq!(
        answered.len() + abandoned,
        12,
        "every call ended one way or the other"
    );
    assert_eq!(sum("waiting"), 0);
    let waits: Vec<u64> = answered
        .iter()
        .map(|x| x["queue_wait_ms"].as_u64().unwrap())
        .collect();
    assert_eq!(
        sum("answered_wait_ms"),
        waits.iter().sum::<u64>(),
        "ASA from CDRs: {stats}"
    );
    let in_sl = waits.iter().filter(|w| **w <= 3000).count() as u64;
    assert_eq!(sum("answered_in_sl"), in_sl, "{stats}");
    for agent in [1001, 1002] {
        let row: u64 = stats["agents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["agent"] == agent)
            .map(|a| a["answered"].as_u64().unwrap())
            .sum();
        let from_cdrs = answered.iter().filter(|x| x["agent"] == agent).count() as u64;
        assert_eq!(row, from_cdrs, "agent {agent}: {stats}");
    }
    // trunkctl shows the same: the live views and the CSV of the hour.
    let q = rig.ctl(&["queues"]);
    assert_eq!(q["queues"][0]["name"], "sales", "{q}");
    let a = rig.ctl(&["agents"]);
    assert_eq!(a["agents"].as_array().unwrap().len(), 2, "{a}");
    let out = std::process::Command::new(common::bin("trunkctl"))
        .arg("--socket")
        .arg(&rig.socket)
        .args(["stats", "--interval", "60", "--csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "offered")
        .expect("an offered column");
    let offered: u64 = lines
        .map(|l| l.split(',').nth(col).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(offered, 12, "{csv}");
}

#[test]
fn agents_of_a_client_that_goes_away_are_logged_out_after_their_call() {
    let _g = serial();
    let (rig, _base) = acd::start("acd-gone", ONE_QUEUE, 300, None);
    let mut desk = rig.client();
    let mut c = rig.client();
    let mut ev = rig.subscriber(&["acd_*"]);
    login(&mut desk, 1001, "2001", json!({"sales": 5}));
    acd::calls(&rig, "100", "321", 1, 0);
    let a = expect_event(&mut ev, 30, "answered", |e| e["event"] == "acd_answered");
    login(&mut desk, 1002, "2002", json!({"sales": 5}));
    drop(desk);
    acd::wait_state(&mut c, 1002, "logged_out");
    assert_eq!(acd::state(&mut c, 1001), "talking", "the call goes on");
    ok(&mut c, json!({"cmd":"force_release","call":a["call"]}));
    acd::wait_state(&mut c, 1001, "logged_out");
}
