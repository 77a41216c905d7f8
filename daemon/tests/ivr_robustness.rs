//! Bad input around the IVR: invalid flows at start and on reload, an
//! unwritable voicemail directory, bad IVR requests, and a client that
//! vanishes with a call handed to a flow.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::ivr::{self, SAMPLE};
use common::{bin, expect_event, serial, Harness};
use serde_json::{json, Value};

fn sighup(rig: &Harness) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(rig.daemon_pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
}

fn until(what: &str, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "gave up waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn invalid_flows_are_refused_at_start_with_file_and_node() {
    let dir = ivr::data("ivr-badstart", SAMPLE);
    let flows = dir.join("flows.toml");
    std::fs::write(
        &flows,
        SAMPLE.replace(
            "fallback = \"operator\"\nnext = \"crm\"",
            "fallback = \"operatr\"\nnext = \"crm\"",
        ),
    )
    .unwrap();
    let cfg = dir.join("trunkd.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[board]]\nname = \"b0\"\ndevice = \"sim:/nonexistent\"\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\n\
             line = \"e1\"\nsignalling = \"pri-cpe\"\ntrunk_group = \"pstn\"\n[[trunk_group]]\nname = \"pstn\"\ninbound = \"flow\"\n{}",
            ivr::config(&dir, "2026-11-23T10:00", "")
        ),
    )
    .unwrap();
    let out = Command::new(bin("trunkd"))
        .arg("--check")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("flows.toml")
            && err.contains("flow `main`")
            && err.contains("node `account`")
            && err.contains("operatr"),
        "{err}"
    );
    // A missing prompt file is named too.
    std::fs::write(&flows, SAMPLE).unwrap();
    std::fs::remove_file(dir.join("prompts/goodbye.wav")).unwrap();
    let out = Command::new(bin("trunkd"))
        .arg("--check")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("goodbye") && err.contains("node `goodbye`"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A call from the far end on span 1; its trunkd call id.
fn call_in(rig: &Harness, watch: &mut trunk_tools::client::Client, from: &str) -> u64 {
    let r =
        rig.sim_control(json!({"cmd":"pri_call","span":1,"count":1,"number":"8000","from":from}));
    assert_eq!(r["ok"], true, "{r}");
    let e = expect_event(watch, 20, "call_incoming", |e| {
        e["event"] == "call_incoming" && e["ani"] == from
    });
    e["call"].as_u64().unwrap()
}

/// Write `text` as the flows file, SIGHUP, and wait for a refusal that mentions `needle`.
fn refused_reload(
    rig: &Harness,
    api: &mut trunk_tools::client::Client,
    flows: &Path,
    text: &str,
    needle: &str,
) -> String {
    std::fs::write(flows, text).unwrap();
    sighup(rig);
    let mut seen = String::new();
    until(&format!("a refused reload naming {needle}"), || {
        let f = api.request("flows", json!(null)).unwrap();
        seen = format!("{:?}", f["reload_errors"]);
        seen.contains(needle)
    });
    seen
}

#[test]
fn a_bad_reload_keeps_the_running_flows() {
    let _g = serial();
    let dir = ivr::data("ivr-reload", SAMPLE);
    let flows = dir.join("flows.toml");
    let rig = ivr::start(
        "ivr-reload",
        1,
        "realtime",
        "inbound = \"flow\"",
        &ivr::config(&dir, "2026-11-23T10:00", ""),
    );
    let mut api = rig.client();
    assert_eq!(
        api.request("flows", json!(null)).unwrap()["flows"][0]["name"],
        "main"
    );

    // An unknown kind of node: refused, named.
    let odd = SAMPLE.replace(
        "next = \"tell\"",
        "next = \"tell\"\n\n[flows.main.nodes.odd]\nkind = \"teleport\"\n",
    );
    let text = refused_reload(&rig, &mut api, &flows, &odd, "teleport");
    assert!(
        text.contains("flows.toml") && text.contains("node `odd`"),
        "{text}"
    );
    // A cycle that never waits for the caller (reachable from the start).
    let cycle = SAMPLE
        .replace("next = \"hours\"", "next = \"loop_a\"")
        .replace("next = \"tell\"", "next = \"tell\"\n\n[flows.main.nodes.loop_a]\nkind = \"set\"\nvars = { a = \"1\" }\nnext = \"loop_b\"\n\n[flows.main.nodes.loop_b]\nkind = \"compare\"\nvar = \"${a}\"\nop = \"eq\"\nvalue = \"1\"\nthen = \"loop_a\"\notherwise = \"hours\"\n");
    let text = refused_reload(&rig, &mut api, &flows, &cycle, "loop_b");
    assert!(text.contains("loop_a"), "{text}");
    // trunkctl flows says the reload was refused (exit 3) and still shows the flows.
    let out = Command::new(bin("trunkctl"))
        .arg("--socket")
        .arg(&rig.socket)
        .arg("flows")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("REFUSED") && shown.contains("main"),
        "{shown}"
    );

    // Calls still run the old flows.
    let mut watch = rig.subscriber(&["call_incoming", "ivr_node"]);
    let call = call_in(&rig, &mut watch, "2000001");
    expect_event(&mut watch, 20, "ivr_node language", |e| {
        e["call"] == call && e["node"] == "language"
    });
    let _ = api.request("hangup", json!({"call": call}));

    // Fixed, the reload is taken and the errors are gone.
    std::fs::write(&flows, SAMPLE).unwrap();
    sighup(&rig);
    until("the good reload", || {
        api.request("flows", json!(null)).unwrap()["reload_errors"]
            .as_array()
            .is_some_and(Vec::is_empty)
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unwritable_voicemail_directory_is_reported_and_the_call_goes_on() {
    let _g = serial();
    let dir = ivr::data("ivr-vm", SAMPLE);
    // The voicemail directory would be under a regular file.
    std::fs::write(dir.join("rec/blocker"), b"not a directory").unwrap();
    let rig = ivr::start(
        "ivr-vm",
        1,
        "lockstep",
        "inbound = \"flow\"",
        &ivr::config(&dir, "2026-11-23T10:00", "voicemail_dir = \"blocker/vm\""),
    );
    let mut watch = rig.subscriber(&["ivr_*", "call_cleared"]);
    let caller = |name: &str, ani: &str, script: Value| {
        json!({"name": name, "spans": [1], "number": "8000", "from": ani, "interval_ms": 0, "calls": 1,
               "callers": [{"name": name, "script": script}]})
    };
    let r = rig.sim_control(json!({"cmd":"traffic","seed":3,"groups":[
        caller("vm", "3000001", json!([{"wait_ms": 800}, {"dtmf": "1"}, {"wait_ms": 1200}, {"dtmf": "9"}])),
        caller("info", "3000002", json!([{"wait_ms": 800}, {"dtmf": "1"}, {"wait_ms": 1200}, {"dtmf": "1"}, {"wait_ms": 1200}, {"dtmf": "1"}])),
    ]}));
    assert_eq!(r["ok"], true, "{r}");
    let err = expect_event(&mut watch, 60, "ivr_error", |e| {
        e["event"] == "ivr_error" && e["request"] == "voicemail"
    });
    assert!(err["error"].as_str().unwrap().contains("blocker"), "{err}");
    let vm_call = err["call"].clone();
    // The voicemail caller is taken to the node after voicemail (goodbye); the other caller is unaffected.
    let mut done = Vec::new();
    while done.len() < 2 {
        let e = expect_event(&mut watch, 60, "ivr_finished", |e| {
            e["event"] == "ivr_finished"
        });
        done.push(e);
    }
    let vm = done
        .iter()
        .find(|e| e["call"] == vm_call)
        .expect("the voicemail caller finished");
    assert_eq!(vm["vars"]["voicemail"], "failed", "{vm}");
    assert_eq!(
        vm["path"].as_array().unwrap().last().unwrap(),
        "goodbye",
        "{vm}"
    );
    let other = done.iter().find(|e| e["call"] != vm_call).unwrap();
    assert_eq!(
        other["path"].as_array().unwrap().last().unwrap(),
        "goodbye",
        "{other}"
    );
    assert_eq!(other["abandoned"], false);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_ivr_requests_get_errors_and_change_nothing() {
    let _g = serial();
    let dir = ivr::data("ivr-req", SAMPLE);
    let rig = ivr::start(
        "ivr-req",
        1,
        "realtime",
        "inbound = \"api\"\napi_timeout_ms = 60000",
        &ivr::config(&dir, "2026-11-23T10:00", ""),
    );
    let mut api = rig.client();
    let code = |r: Result<Value, trunk_tools::client::ClientError>| match r {
        Err(e) => e.server_code().unwrap_or("?").to_owned(),
        Ok(v) => panic!("accepted: {v}"),
    };
    assert_eq!(
        code(api.request("ivr_reply", json!({"lookup": 99, "result": "x"}))),
        "not_found"
    );
    assert_eq!(
        code(api.request("ivr_reply", json!({"lookup": 1}))),
        "bad_request"
    );
    assert_eq!(
        code(api.request(
            "ivr_reply",
            json!({"lookup": 1, "result": "x", "vars": {"bad name": "1"}})
        )),
        "invalid_argument"
    );
    assert_eq!(
        code(api.request("ivr_take", json!({"call": 12345}))),
        "not_found"
    );
    assert_eq!(
        code(api.request("ivr_run", json!({"call": 12345, "flow": "main"}))),
        "not_found"
    );
    assert_eq!(code(api.request("ivr_run", json!({}))), "bad_request");
    let mut watch = rig.subscriber(&["call_incoming", "ivr_*", "client_gone"]);
    let call = call_in(&rig, &mut watch, "4000001");
    assert_eq!(
        code(api.request("ivr_run", json!({"call": call, "flow": "nope"}))),
        "not_found"
    );
    assert_eq!(
        code(api.request(
            "ivr_run",
            json!({"call": call, "flow": "main", "node": "nope"})
        )),
        "not_found"
    );
    // The connection is still usable, and the call is untouched.
    let calls = api.request("calls", json!(null)).unwrap();
    assert!(
        calls["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["call"] == call),
        "{calls}"
    );
    let f = api.request("flows", json!(null)).unwrap();
    assert_eq!(f["ivr"]["started"], 0, "{f}");
    let _ = api.request("hangup", json!({"call": call}));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_vanished_client_hands_its_call_to_a_flow() {
    let _g = serial();
    let dir = ivr::data("ivr-gone", SAMPLE);
    let rig = ivr::start(
        "ivr-gone",
        1,
        "realtime",
        "inbound = \"api\"\napi_timeout_ms = 60000",
        &format!(
            "{}\n[api]\non_client_disconnect = \"flow:main\"\n",
            ivr::config(&dir, "2026-11-23T10:00", "")
        ),
    );
    let mut watch = rig.subscriber(&["call_incoming", "call_answered", "ivr_*", "client_gone"]);
    let mut a = rig.client();
    let call = call_in(&rig, &mut watch, "5000001");
    a.request("answer", json!({"call": call})).unwrap();
    expect_event(&mut watch, 20, "call_answered", |e| {
        e["event"] == "call_answered" && e["call"] == call
    });
    drop(a);
    // client_gone and the flow's first events race: collect both.
    let (mut gone, mut started) = (None, None);
    while gone.is_none() || started.is_none() {
        let e = expect_event(&mut watch, 20, "client_gone and ivr_started", |e| {
            e["event"] == "client_gone" || e["event"] == "ivr_started"
        });
        if e["event"] == "client_gone" {
            gone = Some(e)
        } else {
            started = Some(e)
        }
    }
    let (gone, started) = (gone.unwrap(), started.unwrap());
    assert_eq!(gone["call"], call);
    assert_eq!(gone["action"], "handed to flow `main`");
    assert_eq!(started["call"], call);
    assert_eq!(started["flow"], "main");
    expect_event(&mut watch, 20, "ivr_node main_menu", |e| {
        e["call"] == call && e["node"] == "main_menu"
    });
    let _ = rig.client().request("hangup", json!({"call": call}));
    let _ = std::fs::remove_dir_all(&dir);
}
