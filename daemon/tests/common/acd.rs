//! An ACD rig: trunksim's PRI exchange on two E1 spans, span 1 the "PSTN"
//! (trunk group `pstn`, calls into a one-node flow that queues them) and
//! span 2 the PBX where the agents' phones are (trunk group `pbx`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use trunkd::media::prompt::synth::write_tones;

use trunk_tools::client::Client;

use super::{tempdir, trunk_group, Harness, Opts};

/// The prompts the ACD plays.
pub const PROMPTS: [&str; 5] = [
    "acd/music",
    "acd/position",
    "acd/wait",
    "acd/minutes",
    "acd/keep_or_message",
];

/// Flows: `pstn` calls go to queue sales (callers 99900* as VIPs), to 200 to queue support;
/// `after_queue` is where a refused call goes; `voicemail` records a message.
pub const FLOWS: &str = r#"
[[attach]]
trunk_group = "pstn"
flow = "sales"

[[attach]]
trunk_group = "pstn"
dnis = "200"
flow = "support"

[lists.vip]
numbers = ["99900*"]

[flows.sales]
start = "screen"
[flows.sales.nodes.screen]
kind = "screen"
vip = "vip"
vip_next = "q"
next = "q"
[flows.sales.nodes.q]
kind = "queue"
queue = "sales"
next = "bye"
[flows.sales.nodes.bye]
kind = "hangup"

[flows.support]
start = "q"
[flows.support.nodes.q]
kind = "queue"
queue = "support"
next = "bye"
[flows.support.nodes.bye]
kind = "hangup"

[flows.message]
start = "vm"
[flows.message.nodes.vm]
kind = "voicemail"
mailbox = "queue"
max_seconds = 5
next = "bye"
[flows.message.nodes.bye]
kind = "hangup"
"#;

/// A data directory: ACD prompts (and digits), recordings, the flows.
pub fn data(tag: &str) -> PathBuf {
    let base = tempdir(&format!("{tag}-data"));
    let dir = base.join("prompts");
    std::fs::create_dir_all(dir.join("acd")).unwrap();
    std::fs::create_dir_all(dir.join("digits")).unwrap();
    for (i, p) in PROMPTS.iter().enumerate() {
        let f = 500.0 + 60.0 * i as f32;
        write_tones(&dir.join(format!("{p}.wav")), &[(f, 300), (0.0, 200)]).unwrap();
    }
    for d in 0..10 {
        write_tones(
            &dir.join(format!("digits/{d}.wav")),
            &[(300.0 + 20.0 * d as f32, 150)],
        )
        .unwrap();
    }
    std::fs::create_dir_all(base.join("rec")).unwrap();
    std::fs::write(base.join("flows.toml"), FLOWS).unwrap();
    base
}

/// `[media]`, `[ivr]`, `[cdr]` for a data directory, then `acd` (the
/// `[acd]` tables).
pub fn config(base: &Path, acd: &str) -> String {
    format!(
        "[media]\nprompt_dir = \"{p}/prompts\"\nrecord_dir = \"{p}/rec\"\n\n\
         [ivr]\nflows = \"{p}/flows.toml\"\n\n\
         [cdr]\npath = \"{p}/cdr.jsonl\"\n\n{acd}\n",
        p = base.display()
    )
}

/// The rig: lockstep, two E1 PRI spans, `acd` as the `[acd]` tables. The
/// PBX answers every phone after `answer_ms` and the phone hangs up after
/// `talk_ms` (`None`: never).
pub fn start(tag: &str, acd: &str, answer_ms: u64, talk_ms: Option<u64>) -> (Harness, PathBuf) {
    let base = data(tag);
    let cfg = format!(
        "{}{}{}",
        trunk_group("pstn", "inbound = \"flow\""),
        trunk_group("pbx", "inbound = \"reject\""),
        config(&base, acd)
    );
    let rig = Harness::start_opts(
        tag,
        &Opts {
            spans: 2,
            trunk_groups: &["pstn", "pbx"],
            config_extra: &cfg,
            ..Opts::pri()
        },
    );
    rig.wait_links_up(2);
    let mut policy = json!({"cmd":"pri_policy","span":2,"answer_after_ms":answer_ms});
    if let Some(t) = talk_ms {
        policy["hangup_after_ms"] = json!(t);
    }
    rig.sim_ok(policy);
    (rig, base)
}

/// Place `n` calls from the PSTN to `number`, callers `from`1, `from`2...
pub fn calls(rig: &Harness, number: &str, from: &str, n: u32, interval_ms: u64) {
    rig.sim_ok(json!({"cmd":"pri_call","span":1,"count":n,"number":number,
        "from":from,"from_index":true,"interval_ms":interval_ms}));
}

fn send(c: &mut Client, req: &Value) -> Result<Value, trunk_tools::client::ClientError> {
    let mut m = req.as_object().cloned().unwrap_or_default();
    let cmd = m
        .remove("cmd")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    c.request(&cmd, Value::Object(m))
}

/// Send a request, expecting success; the result.
pub fn ok(c: &mut Client, req: Value) -> Value {
    let r = send(c, &req);
    match r {
        Ok(v) => v,
        Err(e) => panic!("{req} failed: {e}"),
    }
}

/// Send a request, expecting failure; the error code.
pub fn err(c: &mut Client, req: Value) -> String {
    match send(c, &req) {
        Ok(v) => panic!("{req} succeeded: {v}"),
        Err(e) => e.server_code().unwrap_or("?").to_owned(),
    }
}

/// Log an agent in, ready.
pub fn login(c: &mut Client, agent: u32, ext: &str, skills: Value) -> Value {
    ok(
        c,
        json!({"cmd":"agent_login","agent":agent,"endpoint":format!("pbx/{ext}"),
            "skills":skills,"ready":true}),
    )
}

/// All CDRs written so far.
pub fn cdrs(base: &Path) -> Vec<Value> {
    std::fs::read_to_string(base.join("cdr.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Wait until `f` holds for the CDRs (a generous limit).
pub fn wait_cdrs(base: &Path, what: &str, f: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let t0 = std::time::Instant::now();
    loop {
        let c = cdrs(base);
        if f(&c) {
            return c;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "gave up waiting for {what}; CDRs: {c:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One agent as `acd_agents` shows it.
pub fn agent(c: &mut Client, id: u32) -> Value {
    let v = ok(c, json!({"cmd":"acd_agents"}));
    v["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"] == id)
        .cloned()
        .unwrap()
}

/// Poll `acd_agents` until the agent is in `want` (events of other kinds
/// may overtake agent_state events, so the view is what is asserted).
pub fn wait_state(c: &mut Client, id: u32, want: &str) {
    for _ in 0..600 {
        if state(c, id) == want {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("agent {id} never became {want}: {}", agent(c, id));
}

pub fn state(c: &mut Client, id: u32) -> String {
    agent(c, id)["state"].as_str().unwrap().to_owned()
}
