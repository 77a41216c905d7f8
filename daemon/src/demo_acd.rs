//! The call-centre part of `trunkd --demo`: Poisson callers from the
//! "PSTN" (the traffic generator on E1 spans 3-4, trunk group `ivr`) walk
//! the sample IVR (examples/flows/sample.toml) into two skill queues,
//! `sales` and `support`; ten agents, logged in by the demo through the API
//! as any agent desktop would, take the calls on their phones behind a
//! simulated PBX (a third simulated board, one E1 PRI: trunk group `pbx`,
//! whose far end answers each phone after 2 s and hangs up after a talk
//! time drawn for the call). A live status line shows what a call-centre
//! manager watches; the final report and `acd_stats.csv` are computed from
//! the ACD's events (`acd_*`), which carry the waits and talk times.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use trunk_testbench::sim::Simulator;
use trunk_tools::client::Client;

#[path = "demo_acd_report.rs"]
mod report;

use report::Tally;

/// Callers the exchange offers in the call-centre step.
pub const CALLS: u32 = 48;
/// Their mean arrival rate, calls per minute.
const RATE_PER_MIN: f64 = 48.0;
/// The service-level threshold of both queues, seconds.
pub const SERVICE_LEVEL_S: u64 = 20;
/// Talk time range of an agent's call, board ms (drawn per call).
const TALK_MS: (u64, u64) = (12_000, 30_000);
/// The agents' phones ring this long before they answer, ms.
const ANSWER_MS: u64 = 2_000;
/// The dialled number of the callers (DNIS), which tells their CDRs apart.
pub const DNIS: &str = "8000";

/// The `[acd]` tables of the demo's configuration.
pub const ACD_CONFIG: &str = "\n[acd]\ninterval_min = 15\nshort_abandon_s = 5\n\n\
[[acd.queue]]\nname = \"sales\"\nstrategy = \"skills_based\"\nwrap_up_s = 3\nring_timeout_s = 10\n\
service_level_s = 20\nannounce_every_s = 15\noffer_after = 0\n\n\
[[acd.queue]]\nname = \"support\"\nstrategy = \"longest_idle\"\nwrap_up_s = 3\nring_timeout_s = 10\n\
service_level_s = 20\nannounce_every_s = 15\noffer_after = 0\n";

/// An agent of the demo: number, name, skills with their levels (1-10).
type AgentDef = (u32, &'static str, &'static [(&'static str, u8)]);

/// The ten agents; agent 10NN's phone is extension 20NN on the PBX.
pub const AGENTS: [AgentDef; 10] = [
    (1001, "Alice", &[("sales", 9), ("support", 3)]),
    (1002, "Bob", &[("sales", 7)]),
    (1003, "Chen", &[("sales", 5), ("support", 5)]),
    (1004, "Dana", &[("support", 9)]),
    (1005, "Emil", &[("support", 6)]),
    (1006, "Fatima", &[("sales", 3), ("support", 8)]),
    (1007, "Gus", &[("sales", 6)]),
    (1008, "Hiro", &[("support", 4)]),
    (1009, "Ines", &[("sales", 4), ("support", 7)]),
    (1010, "Jon", &[("sales", 2), ("support", 2)]),
];

/// Write the prompts the ACD plays (music, position and wait
/// announcements, the digits) under `dir`, synthesised like the IVR's.
pub fn write_prompts(dir: &Path) -> Result<(), String> {
    use trunkd::media::prompt::synth::write_tones;
    for sub in ["acd", "digits"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    // Music on hold: a slow arpeggio.
    let music: Vec<(f32, u32)> = [262.0, 330.0, 392.0, 523.0, 392.0, 330.0]
        .iter()
        .map(|f| (*f, 300))
        .collect();
    write_tones(&dir.join("acd/music.wav"), &music)?;
    for (name, f1, f2) in [
        ("position", 622.0, 831.0),
        ("wait", 554.0, 740.0),
        ("minutes", 466.0, 622.0),
        ("keep_or_message", 415.0, 554.0),
    ] {
        write_tones(
            &dir.join(format!("acd/{name}.wav")),
            &[(f1, 250), (f2, 250), (0.0, 150)],
        )?;
    }
    for d in 0..10u16 {
        let f = 400.0 + 60.0 * f32::from(d);
        write_tones(
            &dir.join(format!("digits/{d}.wav")),
            &[(f, 200), (0.0, 100)],
        )?;
    }
    Ok(())
}

/// The `traffic` request: Poisson callers on spans 3 and 4 who take the
/// sample menus to the sales queue (main menu 1, sales menu 3), to the
/// support queue (main menu 2: the support desk script is not there, so
/// the flow falls back to the queue; or an account number, whose lookup
/// times out into the queue), or elsewhere.
pub fn traffic_request(calls: u32) -> Value {
    let d = |digits: &str| json!({"dtmf": digits});
    let w = |ms: u64| json!({"wait_ms": ms});
    json!({
        "cmd": "traffic", "seed": 2026,
        "groups": [{
            "name": "callers", "spans": [3, 4], "number": DNIS, "from": "86139%05d",
            "rate_per_min": RATE_PER_MIN, "calls": calls,
            "callers": [
                {"name": "sales", "weight": 5,
                 "script": [w(1200), d("1"), w(1200), d("1"), w(1200), d("3")]},
                {"name": "sales-impatient", "weight": 2,
                 "script": [w(1200), d("1"), w(1200), d("1"), w(1200), d("3"), {"hangup_after_ms": 16000}]},
                {"name": "support", "weight": 4,
                 "script": [w(1200), d("1"), w(1200), d("2")]},
                {"name": "support-impatient", "weight": 1,
                 "script": [w(1200), d("1"), w(1200), d("2"), {"hangup_after_ms": 12000}]},
                {"name": "account", "weight": 1,
                 "script": [w(1200), d("1"), w(1200), d("1"), w(1200), d("2"), w(1500), d("4711#")]},
                {"name": "sales-info", "weight": 1,
                 "script": [w(1200), d("1"), w(1200), d("1"), w(1200), d("1")]},
                {"name": "impatient", "weight": 1, "script": [{"hangup_after_ms": 2500}]}
            ]
        }]
    })
}

fn request(api: &mut Client, cmd: &str, args: Value) -> Value {
    api.request(cmd, args).unwrap_or(Value::Null)
}

fn skills_text(skills: &[(&str, u8)]) -> String {
    let v: Vec<String> = skills.iter().map(|(s, l)| format!("{s} {l}")).collect();
    v.join(", ")
}

/// Log the agents in through the API, ready, and show the roster.
fn log_in_agents(api: &mut Client) {
    println!("  ten agents log in (agent_login over the API), their phones on the PBX:");
    println!(
        "    {:<5} {:<7} {:<6} {:<20} STATE",
        "AGENT", "NAME", "PHONE", "SKILLS (LEVEL)"
    );
    for (id, name, skills) in AGENTS {
        let ext = id + 1000;
        let sk: serde_json::Map<String, Value> = skills
            .iter()
            .map(|(s, l)| ((*s).to_owned(), json!(l)))
            .collect();
        let state = match api.request(
            "agent_login",
            json!({"agent": id, "endpoint": format!("pbx/{ext}"), "skills": sk, "ready": true}),
        ) {
            Ok(r) => r["state"].as_str().unwrap_or("?").to_owned(),
            Err(e) => format!("login failed: {e}"),
        };
        println!(
            "    {id:<5} {name:<7} {ext:<6} {:<20} {state}",
            skills_text(skills)
        );
    }
}

/// Counts of agents per state, from `acd_agents`.
fn agent_states(api: &mut Client) -> BTreeMap<String, u32> {
    let mut m = BTreeMap::new();
    let r = request(api, "acd_agents", json!({}));
    for a in r["agents"].as_array().into_iter().flatten() {
        *m.entry(a["state"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
    }
    m
}

/// One status line: where the calls are, how the queues do, what the
/// agents do. Returns whether the ACD is empty.
fn status_line(api: &mut Client, t: &Tally, elapsed: Duration, offered: u64) -> bool {
    let ivr = request(api, "flows", json!({}))["ivr"]["in_flows"]
        .as_u64()
        .unwrap_or(0);
    let live = request(api, "acd_live", json!({}));
    let queues = request(api, "acd_queues", json!({}));
    let (mut waiting, mut longest, mut per_queue) = (0, 0, Vec::new());
    for q in queues["queues"].as_array().into_iter().flatten() {
        let n = q["waiting"].as_u64().unwrap_or(0);
        waiting += n;
        longest = longest.max(q["longest_wait_ms"].as_u64().unwrap_or(0));
        per_queue.push(format!("{} {n}", q["name"].as_str().unwrap_or("?")));
    }
    let talking = live["with_agents"].as_u64().unwrap_or(0);
    // The IVR counts the calls it handed to the ACD until they end.
    let in_acd = live["calls"].as_array().map_or(0, Vec::len) as u64;
    let ivr = ivr.saturating_sub(in_acd);
    let s = agent_states(api);
    let n = |k: &str| s.get(k).copied().unwrap_or(0);
    let all = t.all();
    println!(
        "  t+{:>3}s  arrived {offered:>2}  IVR {ivr:>2}  queued {waiting:>2} ({}, longest {:>2}s)  talking {talking:>2} \
         | SL {}  abandoned {:>2} ({}) | agents: {:>2} ready, {} ringing, {:>2} talking, {} wrap-up",
        elapsed.as_secs(),
        per_queue.join(" "),
        longest / 1000,
        report::pct(all.in_sl, all.answered + all.abandoned),
        all.abandoned,
        report::pct(all.abandoned, all.offered),
        n("ready"),
        n("ringing"),
        n("talking") + n("held"),
        n("wrap_up"),
    );
    waiting == 0 && live["in_queue"].as_u64() == Some(0) && talking == 0
}

/// The call-centre step of the tour.
pub fn narrate(socket: &Path, api: &mut Client, e1: &Simulator, pbx: &Simulator) {
    println!("[demo] a small call centre: the sample IVR (examples/flows/sample.toml) on E1 spans 3-4 feeds");
    println!("  two skill queues, sales (main menu 1, then 3) and support (main menu 2, or an account number);");
    println!(
        "  the agents' phones are behind a PBX on E1 span 7 (a third simulated board, ISDN PRI)."
    );
    log_in_agents(api);
    let mut rng = rand_pcg::Pcg32::seed_from_u64(7);
    let policy = |rng: &mut rand_pcg::Pcg32| {
        let talk = rng.gen_range(TALK_MS.0..=TALK_MS.1);
        pbx.control(&json!({"cmd": "pri_policy", "span": 1,
            "answer_after_ms": ANSWER_MS, "hangup_after_ms": talk}))
    };
    let r = policy(&mut rng);
    if r["ok"] != json!(true) {
        println!("  pbx: {r}\n");
        return;
    }
    let Ok(mut ev) = Client::connect_with_timeout(socket, Duration::from_secs(5)) else {
        return;
    };
    if ev
        .request(
            "subscribe",
            json!({"events": ["acd_*", "agent_state", "ivr_finished"]}),
        )
        .is_err()
    {
        return;
    }
    println!(
        "  The exchange offers {CALLS} Poisson callers ({RATE_PER_MIN:.0}/min); phones answer after {} s, \
         calls last {}-{} s, wrap-up 3 s, service level {SERVICE_LEVEL_S} s.",
        ANSWER_MS / 1000,
        TALK_MS.0 / 1000,
        TALK_MS.1 / 1000
    );
    let r = e1.control(&traffic_request(CALLS));
    if r["ok"] != json!(true) {
        println!("  traffic: {r}\n");
        return;
    }
    let mut tally = Tally::default();
    let start = Instant::now();
    let mut last_line = Instant::now() - Duration::from_secs(5);
    let placed = loop {
        while let Ok(Some(e)) = ev.next_event(Some(Duration::from_millis(100))) {
            tally.event(&e);
        }
        if last_line.elapsed() < Duration::from_secs(3) {
            continue;
        }
        last_line = Instant::now();
        // The next phones the PBX answers hang up after another talk time.
        policy(&mut rng);
        let t = e1.control(&json!({"cmd": "traffic_status"}));
        let c = &t["groups"]["callers"]["counters"];
        let offered = c["offered"].as_u64().unwrap_or(0);
        let placed = c["placed"].as_u64().unwrap_or(0);
        let empty = status_line(api, &tally, start.elapsed(), offered);
        let arrived = t["idle"] == json!(true) && offered == u64::from(CALLS);
        if (arrived && empty) || start.elapsed() > Duration::from_secs(150) {
            break placed;
        }
    };
    while let Ok(Some(e)) = ev.next_event(Some(Duration::from_millis(300))) {
        tally.event(&e);
    }
    let cdr_path = request(api, "cdr", json!({"limit": 1}))["path"]
        .as_str()
        .map(PathBuf::from);
    report::print(&tally, &AGENTS);
    check_cdrs(cdr_path.as_deref(), &tally.queued_calls, placed);
    let csv = cdr_path
        .as_deref()
        .and_then(Path::parent)
        .map(|d| d.join("acd_stats.csv"));
    if let (Some(cdr), Some(csv)) = (&cdr_path, csv) {
        let stats = request(api, "acd_stats", json!({}));
        match report::write_csv(&csv, &stats, &tally, &AGENTS) {
            Ok(from) => println!(
                "  CDRs: {}\n  ACD statistics: {} ({from}); the demo's directory is removed when it stops",
                cdr.display(),
                csv.display()
            ),
            Err(e) => println!("  ACD statistics: {e}"),
        }
    }
    println!();
}

/// Every caller of the step has exactly one inbound CDR, the ones the ACD
/// queued included (the CDR writer has its own thread: give it a moment).
fn check_cdrs(path: Option<&Path>, queued: &BTreeSet<u64>, placed: u64) {
    let Some(path) = path else {
        println!("  cdr check: no CDR file");
        return;
    };
    let mut per_call: BTreeMap<u64, u32> = BTreeMap::new();
    for _ in 0..50 {
        per_call.clear();
        let text = std::fs::read_to_string(path).unwrap_or_default();
        for r in text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        {
            if r["direction"] == "in" && r["dnis"] == DNIS {
                if let Some(c) = r["call"].as_u64() {
                    *per_call.entry(c).or_default() += 1;
                }
            }
        }
        if per_call.len() as u64 >= placed && queued.iter().all(|c| per_call.contains_key(c)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let once = |c: &u64| per_call.get(c) == Some(&1);
    let queued_once = queued.iter().filter(|c| once(c)).count();
    let all_once = per_call.values().all(|n| *n == 1);
    let ok = all_once && per_call.len() as u64 == placed && queued_once == queued.len();
    println!(
        "  cdr check: {placed} callers placed, {} inbound CDRs; {} calls queued, {queued_once} with exactly one CDR: {}",
        per_call.values().sum::<u32>(),
        queued.len(),
        if ok { "ok" } else { "MISMATCH" }
    );
}
