//! The ACD against the testbench's PBX far end (per-extension phones:
//! answering after a ring time with exponential talk times, never
//! answering, busy) and simulated agent clients (`agentsim`) that log in
//! and follow a state script. Every offered call ends in exactly one CDR,
//! the misses are the ones the phones cause, and the statistics agree.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use common::acd::{self, ok};
use common::{bin, nix_kill, serial};
use serde_json::{json, Value};

const CFG: &str = r#"[acd]
skip_s = 5
[[acd.queue]]
name = "sales"
strategy = "round_robin"
ring_timeout_s = 4
wrap_up_s = 2
announce_every_s = 10
"#;

#[test]
fn simulated_agents_and_pbx_phones_serve_every_caller() {
    let _g = serial();
    let (rig, base) = acd::start("acd-sim", CFG, 1000, None);
    rig.sim_ok(json!({"cmd":"pbx","span":2,"seed":11,
        "default":{"answer_after_ms":800,"talk":{"dist":"exponential","mean_ms":3000}},
        "extensions":{"2002":{"answer":"never"},"2003":{"busy":true}}}));
    let spec = json!({"agents":[
        {"agent":1001,"endpoint":"pbx/2001","skills":{"sales":5},"wrap_up_ms":500,
         "script":[{"login":true,"ready":true},{"after_calls":3,"not_ready":2,"for_ms":4000}]},
        {"agent":1002,"endpoint":"pbx/2002","skills":{"sales":5},"script":[{"login":true,"ready":true}]},
        {"agent":1003,"endpoint":"pbx/2003","skills":{"sales":5},"script":[{"login":true,"ready":true}]},
        {"agent":1004,"endpoint":"pbx/2004","skills":{"sales":5},"script":[{"login":true,"ready":true}]}]});
    let spec_file = rig.dir.join("agents.json");
    std::fs::write(&spec_file, spec.to_string()).unwrap();
    let sim = Command::new(bin("agentsim"))
        .arg("--socket")
        .arg(&rig.socket)
        .arg("--keep-running")
        .arg("--seconds")
        .arg("300")
        .arg(&spec_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("agentsim");
    let mut c = rig.client();
    for _ in 0..200 {
        let a = ok(&mut c, json!({"cmd":"acd_agents"}));
        if a["agents"].as_array().unwrap().len() == 4 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    acd::calls(&rig, "100", "9100", 20, 700);
    let cdrs = acd::wait_cdrs(&base, "20 inbound CDRs", |c| {
        c.iter().filter(|x| x["direction"] == "in").count() == 20
    });
    nix_kill(sim.id() as i32, 15).unwrap();
    let out = sim.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("agentsim report");
    // Exactly one CDR per call, every caller served by an agent who answers.
    let mut seen = BTreeMap::new();
    for x in &cdrs {
        *seen.entry(x["call"].as_u64().unwrap()).or_insert(0) += 1;
    }
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    let inbound: Vec<&Value> = cdrs.iter().filter(|x| x["direction"] == "in").collect();
    for x in &inbound {
        assert_eq!(x["disposition"], "answered", "{x}");
        let a = x["agent"].as_u64().unwrap();
        assert!(a == 1001 || a == 1004, "only working phones answer: {x}");
    }
    // The phones' misses: 1002 never answers (RONA), 1003 is busy.
    let pbx = rig.sim_ok(json!({"cmd":"pbx_status","span":2}));
    let ext = |e: &str, k: &str| pbx["extensions"][e][k].as_u64().unwrap_or(0);
    assert!(ext("2002", "unanswered") >= 1, "{pbx}");
    assert_eq!(ext("2002", "answered"), 0, "{pbx}");
    assert!(ext("2003", "busy") >= 1, "{pbx}");
    assert_eq!(
        ext("2001", "answered") + ext("2004", "answered"),
        20,
        "{pbx}"
    );
    let stats = ok(&mut c, json!({"cmd":"acd_stats"}));
    let agent_row = |id: u32, k: &str| -> u64 {
        stats["agents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["agent"] == id)
            .map(|a| a[k].as_u64().unwrap_or(0))
            .sum()
    };
    assert!(agent_row(1002, "missed_ring_no_answer") >= 1, "{stats}");
    assert!(agent_row(1003, "missed_busy") >= 1, "{stats}");
    assert_eq!(
        agent_row(1001, "answered") + agent_row(1004, "answered"),
        20,
        "{stats}"
    );
    let offered: u64 = stats["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["offered"].as_u64().unwrap())
        .sum();
    assert_eq!(offered, 20, "{stats}");
    assert!(
        agent_row(1001, "not_ready_ms") >= 4000,
        "1001's break: {stats}"
    );
    // The simulated agents ran their scripts without a refusal.
    let agents = report["agents"].as_array().expect("agents in the report");
    let a1001 = agents.iter().find(|a| a["agent"] == 1001).unwrap();
    assert!(a1001["steps_run"].as_u64().unwrap() >= 2, "{a1001}");
    for a in agents {
        assert!(a["errors"].as_array().is_none_or(|e| e.is_empty()), "{a}");
    }
}
