//! The `pri-net` far end inside a running simulator: a host in this test
//! drives the board through `trunk-driver-sys` in lockstep (as trunkd's tick
//! loop does), runs HDLC on TS16 and a user-side `Pri`, and talks to the
//! far end through the simulator's control requests.

use std::time::Duration;

use serde_json::json;
use trunk_isdn::call::{Digits, PriEvent, SetupRequest};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::FarEndMode;

mod support;

use support::host::{ok, start_sim, Act, Host};

/// trunkd answers every call at once.
fn answer_at_once(_called: &str) -> Vec<(u64, Act)> {
    vec![(0, Act::Answer)]
}

#[test]
fn pri_net_far_end_answers_and_calls_through_the_simulator() {
    let (sim, dir) = start_sim("prifar", FarEndMode::pri(true), LineKind::E1);
    let mut host = Host::start_e1(dir.clone(), answer_at_once);
    assert!(
        host.link_up_after(500),
        "D-channel up within 500 ms of board time"
    );

    // trunkd calls the far end; the default policy answers at once.
    ok(sim.control(&json!({"cmd":"pri_policy","span":1,"answer_after_ms":100})));
    let req = SetupRequest::new(Digits::dialable("5551234").unwrap(), None);
    let now = host.now();
    let call = host.pri.setup(now, &req).expect("SETUP");
    let answered = host.run_until(Duration::from_secs(30), |h| {
        h.events
            .iter()
            .any(|e| matches!(e, PriEvent::Answered { call: c, .. } if *c == call))
    });
    assert!(answered, "answered: {:?}", host.events);

    // The far end calls trunkd; the host answers.
    let r = ok(sim.control(&json!({"cmd":"pri_call","span":1,"count":2,
        "number":"100","from":"555","hangup_after_ms":200})));
    assert_eq!(r["calls"].as_array().map(Vec::len), Some(2), "{r}");
    let cleared = host.run_until(Duration::from_secs(30), |h| {
        h.events
            .iter()
            .filter(|e| matches!(e, PriEvent::Cleared { .. }))
            .count()
            == 2
    });
    assert!(
        cleared,
        "both calls answered and cleared: {:?}",
        host.events
    );

    let st = ok(sim.control(&json!({"cmd":"pri_status","span":1})));
    let c = &st["counters"];
    assert_eq!(
        (c["received"].as_u64(), c["received_answered"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (c["placed"].as_u64(), c["answered"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(c["cleared_by_far"], 2);
    assert_eq!(st["hdlc"]["fcs_errors"], 0);
    let status = ok(sim.control(&json!({"cmd":"status"})));
    assert_eq!(status["board"]["far_end"], "pri-net");
    assert_eq!(status["spans"][0]["pri"]["link_up"], true);
    assert_eq!(status["spans"][0]["pri"]["placed"], 2);

    // Requests for the far end of a span that does not exist, and bad ones.
    let e = sim.control(&json!({"cmd":"pri_status","span":2}));
    assert_eq!(e["ok"], false);
    let e = sim.control(&json!({"cmd":"pri_call","span":1}));
    assert!(
        e["error"].as_str().is_some_and(|s| s.contains("number")),
        "{e}"
    );
    sim.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pri_requests_need_a_pri_far_end() {
    let (sim, dir) = start_sim("prifar-loop", FarEndMode::Loop, LineKind::T1);
    let e = sim.control(&json!({"cmd":"pri_status","span":1}));
    assert_eq!(e["ok"], false);
    assert!(
        e["error"].as_str().is_some_and(|s| s.contains("pri-net")),
        "{e}"
    );
    sim.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
