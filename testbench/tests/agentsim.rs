//! The simulated agents (`trunk_testbench::agents`) against a scripted fake
//! trunkd on a Unix socket: the exact requests they send for a script, and
//! what they report. The fake's board clock advances one second per
//! `status` request, so board-time timers expire without waiting.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trunk_testbench::agents::{AgentSim, AgentsSpec, ClockSource};

/// Requests the fake received (without `id`), in order.
type Log = Arc<Mutex<Vec<Value>>>;

/// One call's events for agent 1001: offered, talking, released, wrap-up.
fn call_events(call: u64) -> Vec<Value> {
    vec![
        json!({"event":"agent_state","agent":1001,"state":"ringing","call":call}),
        json!({"event":"acd_screen_pop","agent":1001,"call":call,"ani":"5551234",
               "dnis":"8000","queue":"sales","vars":{},"history":[]}),
        json!({"event":"agent_state","agent":1001,"state":"talking","call":call}),
        json!({"event":"acd_released","call":call,"queue":"sales","agent":1001,
               "talk_ms":30000,"hold_ms":0}),
        json!({"event":"agent_state","agent":1001,"state":"wrap_up","call":call}),
    ]
}

/// The fake's answer to one request: the reply and the events it sends
/// after it.
fn react(req: &Value, frames: &mut u64, calls: &mut u64) -> (Value, Vec<Value>) {
    let id = req["id"].clone();
    let ok = |result: Value| json!({"id": id, "ok": true, "result": result});
    let agent = req["agent"].as_u64().unwrap_or(0);
    let state = |s: &str| json!({"event":"agent_state","agent":agent,"state":s});
    // Agent 1002 does not exist in this fake's ACD.
    if agent == 1002 {
        let e = json!({"id": id, "ok": false,
            "error": {"code":"not_found","message":"no agent 1002 provisioned"}});
        return (e, vec![]);
    }
    let mut next_call = |ev: &mut Vec<Value>| {
        *calls += 1;
        ev.extend(call_events(16 + *calls));
    };
    match req["cmd"].as_str().unwrap_or("") {
        "status" => {
            *frames += 8000;
            (
                ok(json!({"boards":[{"name":"sim","frames":*frames}]})),
                vec![],
            )
        }
        "subscribe" => (ok(json!({"subscribed":true})), vec![]),
        "agent_login" => {
            let mut ev = vec![state("ready")];
            next_call(&mut ev);
            (ok(json!({"agent":agent,"state":"ready"})), ev)
        }
        "agent_end_wrap_up" | "agent_ready" => {
            let mut ev = vec![state("ready")];
            next_call(&mut ev);
            (ok(json!({})), ev)
        }
        "agent_not_ready" => (ok(json!({})), vec![state("not_ready")]),
        "agent_logout" => (ok(json!({})), vec![state("logged_out")]),
        other => (
            json!({"id": id, "ok": false,
                "error": {"code":"unknown_command","message":format!("no {other}")}}),
            vec![],
        ),
    }
}

fn serve(stream: UnixStream, log: Log) {
    let mut out = stream.try_clone().expect("clone");
    let _ = writeln!(
        out,
        "{}",
        json!({"event":"hello","api":1,"server":"fake 0"})
    );
    let (mut frames, mut calls) = (0u64, 0u64);
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        let Ok(req) = serde_json::from_str::<Value>(&line) else {
            return;
        };
        let mut logged = req.clone();
        if let Some(m) = logged.as_object_mut() {
            m.remove("id");
        }
        log.lock().expect("log").push(logged);
        let (reply, events) = react(&req, &mut frames, &mut calls);
        let mut text = format!("{reply}\n");
        for e in events {
            text.push_str(&format!("{e}\n"));
        }
        if out.write_all(text.as_bytes()).is_err() {
            return;
        }
    }
}

/// A fake trunkd serving one connection.
fn fake_trunkd(tag: &str) -> (PathBuf, Log, JoinHandle<()>) {
    let path = std::env::temp_dir().join(format!("agentsim-{tag}-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("bind");
    let log: Log = Arc::default();
    let l = log.clone();
    let t = std::thread::spawn(move || {
        if let Ok((s, _)) = listener.accept() {
            serve(s, l);
        }
    });
    (path, log, t)
}

#[test]
fn agents_send_the_requests_their_script_says() {
    let (path, log, server) = fake_trunkd("script");
    let spec = AgentsSpec::from_json(&json!({"agents":[
        {"agent":1001,"endpoint":"pbx/2001","skills":{"sales":5},"wrap_up_ms":500,
         "script":[{"login":true,"ready":true},
                   {"after_calls":2,"not_ready":2,"for_ms":2000},
                   {"after_calls":3,"logout":true}]},
        {"agent":1002,"endpoint":"pbx/2002","script":[{"login":true}]}]}))
    .expect("spec");
    let sim = AgentSim::start(&path, spec).expect("start");
    let give_up = Instant::now() + Duration::from_secs(30);
    while !sim.finished() && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(10));
    }
    let report = sim.stop();
    server.join().expect("server");
    let _ = std::fs::remove_file(&path);

    let sent: Vec<Value> = log
        .lock()
        .expect("log")
        .iter()
        .filter(|r| r["cmd"] != "status")
        .cloned()
        .collect();
    assert_eq!(
        sent,
        vec![
            json!({"cmd":"subscribe","events":["agent_state","acd_released","acd_screen_pop"]}),
            json!({"cmd":"agent_login","agent":1001,"endpoint":"pbx/2001",
                   "skills":{"sales":5},"ready":true}),
            json!({"cmd":"agent_login","agent":1002,"endpoint":"pbx/2002",
                   "skills":{},"ready":false}),
            // Call 1 ends in wrap-up: ended early after 500 ms.
            json!({"cmd":"agent_end_wrap_up","agent":1001}),
            // Call 2 is the second: not ready (reason 2), no end of wrap-up.
            json!({"cmd":"agent_not_ready","agent":1001,"reason":2}),
            // 2000 ms later, ready again.
            json!({"cmd":"agent_ready","agent":1001}),
            // Call 3 is the third: log out.
            json!({"cmd":"agent_logout","agent":1001}),
        ]
    );
    let first = log.lock().expect("log").first().cloned();
    assert_eq!(
        first.map(|r| r["cmd"].clone()),
        Some(json!("status")),
        "clock probe first"
    );

    assert_eq!(report.clock, ClockSource::Board);
    assert_eq!(report.fatal, None);
    let a = &report.agents[0];
    assert_eq!((a.agent, a.calls_offered, a.calls_released), (1001, 3, 3));
    assert_eq!(
        a.state_changes,
        [
            "agent_login",
            "agent_end_wrap_up",
            "agent_not_ready",
            "agent_ready",
            "agent_logout"
        ]
    );
    assert!(a.errors.is_empty() && a.script_done, "{a:?}");
    assert_eq!(a.last_state.as_deref(), Some("logged_out"));
    let b = &report.agents[1];
    assert_eq!(b.agent, 1002);
    assert!(b.state_changes.is_empty());
    assert_eq!(
        b.errors,
        ["agent_login: not_found: no agent 1002 provisioned"]
    );
}

#[test]
fn a_missing_trunkd_is_an_error_not_a_hang() {
    let path = std::env::temp_dir().join(format!("agentsim-none-{}.sock", std::process::id()));
    let spec =
        AgentsSpec::from_json(&json!({"agents":[{"agent":1,"endpoint":"pbx/1"}]})).expect("spec");
    let e = AgentSim::start(&path, spec).err().expect("refused");
    assert!(e.to_string().contains("cannot connect"), "{e}");
}
