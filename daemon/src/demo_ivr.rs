//! The IVR part of `trunkd --demo`: the sample flow (examples/flows/sample.toml)
//! on E1 spans 3 and 4 (trunk group `ivr`), synthetic prompts, and the
//! simulator's traffic generator as the callers.

use std::path::Path;

/// The sample flows, as shipped in examples/flows/.
pub const SAMPLE_FLOWS: &str = include_str!("../../examples/flows/sample.toml");

/// Prompts of the sample flow, with the two tones (Hz) each is made of, so
/// that every prompt sounds different. The demo has no recorded voice.
const PROMPTS: [(&str, f32, f32); 12] = [
    ("closed", 440.0, 330.0),
    ("language", 523.0, 659.0),
    ("main-menu", 587.0, 740.0),
    ("invalid", 311.0, 233.0),
    ("no-input", 349.0, 262.0),
    ("sales-menu", 659.0, 784.0),
    ("sales-info", 698.0, 880.0),
    ("enter-account", 784.0, 988.0),
    ("queue-closed", 392.0, 294.0),
    ("leave-message", 494.0, 370.0),
    ("transfer", 880.0, 1109.0),
    ("goodbye", 988.0, 740.0),
];

/// Write the prompts of the sample flow under `dir` (and a Chinese set of
/// the main menu and goodbye under `dir/zh`): 8 kHz mono 16-bit WAV, each
/// two 250 ms tones and a pause.
pub fn write_prompts(dir: &Path) -> Result<(), String> {
    let zh = dir.join("zh");
    for d in [dir, &zh] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    for (name, f1, f2) in PROMPTS {
        write_tones(&dir.join(format!("{name}.wav")), f1, f2)?;
    }
    for (name, f1, f2) in [("main-menu", 1175.0, 1397.0), ("goodbye", 1319.0, 1047.0)] {
        write_tones(&zh.join(format!("{name}.wav")), f1, f2)?;
    }
    Ok(())
}

fn write_tones(path: &Path, f1: f32, f2: f32) -> Result<(), String> {
    trunkd::media::prompt::synth::write_tones(path, &[(f1, 250), (f2, 250), (0.0, 150)])
}

/// The `traffic` request the demo sends: Poisson callers on spans 3 and 4
/// who follow the sample menus in different ways.
pub fn traffic_request(calls: u32) -> serde_json::Value {
    let d = |digits: &str| serde_json::json!({"dtmf": digits});
    let w = |ms: u64| serde_json::json!({"wait_ms": ms});
    serde_json::json!({
        "cmd": "traffic", "seed": 2026,
        "groups": [{
            "name": "callers", "spans": [3, 4], "number": "8000", "from": "86139%05d",
            "rate_per_min": 90.0, "calls": calls,
            "callers": [
                {"name": "sales-info", "weight": 3, "patience_ms": 10000,
                 "script": [w(1200), d("1"), w(1200), d("1"), w(1200), d("1")]},
                {"name": "voicemail-zh", "weight": 1,
                 "script": [w(1200), d("2"), w(1200), d("9"), w(4000), d("#")]},
                {"name": "operator", "weight": 2,
                 "script": [w(1200), d("1"), w(1200), d("0"), {"hangup_after_ms": 9000}]},
                {"name": "lost", "weight": 1,
                 "script": [w(1200), d("1"), w(1200), d("7"), w(1500), d("8"), w(1500), d("6"), {"hangup_after_ms": 14000}]},
                {"name": "impatient", "weight": 1, "script": [{"hangup_after_ms": 2500}]}
            ]
        }]
    })
}

/// The IVR step of the tour: callers arrive, the live line shows them in
/// the flows, and a summary shows where they went.
pub fn narrate(
    socket: &Path,
    api: &mut trunk_tools::client::Client,
    e1: &trunk_testbench::sim::Simulator,
) {
    use serde_json::{json, Value};
    use std::time::{Duration, Instant};
    const CALLS: u32 = 24;
    println!(
        "[demo] IVR: spans 3-4 (trunk group ivr) run the sample flow (examples/flows/sample.toml):"
    );
    println!("  screening, office hours, language choice, main menu and submenu, voicemail, transfer to an operator.");
    println!("  The exchange offers {CALLS} Poisson callers (90/min) who press keys in five different ways.");
    let r = e1.control(&traffic_request(CALLS));
    if r["ok"] != json!(true) {
        println!("  traffic: {r}\n");
        return;
    }
    let Ok(mut ev) =
        trunk_tools::client::Client::connect_with_timeout(socket, Duration::from_secs(5))
    else {
        return;
    };
    let _ = ev.request(
        "subscribe",
        json!({"events": ["ivr_finished", "ivr_voicemail", "ivr_transferred"]}),
    );
    let mut paths: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    let (mut voicemails, mut transfers) = (0, 0);
    let start = Instant::now();
    let mut last_line = Instant::now() - Duration::from_secs(1);
    let mut done = false;
    while start.elapsed() < Duration::from_secs(75) && !done {
        while let Ok(Some(e)) = ev.next_event(Some(Duration::from_millis(100))) {
            match e["event"].as_str() {
                Some("ivr_finished") => {
                    let p: Vec<&str> = e["path"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let end = if e["abandoned"] == json!(true) {
                        "abandoned".to_owned()
                    } else {
                        p.iter()
                            .rev()
                            .find(|n| **n != "abandoned" && **n != "tell")
                            .map_or("-".into(), |n| (*n).to_owned())
                    };
                    *paths.entry(end).or_default() += 1;
                }
                Some("ivr_voicemail") => voicemails += 1,
                Some("ivr_transferred") => transfers += 1,
                _ => {}
            }
        }
        if last_line.elapsed() >= Duration::from_secs(1) {
            last_line = Instant::now();
            let f = api.request("flows", json!({})).unwrap_or(Value::Null);
            let t = e1.control(&json!({"cmd": "traffic_status"}));
            let c = &t["groups"]["callers"]["counters"];
            let ivr = &f["ivr"];
            println!(
                "  t+{:>2}s  offered {:>2}  in IVR {:>2}  finished {:>2}  abandoned {:>2}  transferred {:>2}  voicemails {}",
                start.elapsed().as_secs(),
                c["offered"].as_u64().unwrap_or(0),
                ivr["in_flows"].as_u64().unwrap_or(0),
                ivr["finished"].as_u64().unwrap_or(0),
                ivr["abandoned"].as_u64().unwrap_or(0),
                transfers,
                voicemails,
            );
            done = t["idle"] == json!(true) && c["offered"].as_u64() == Some(u64::from(CALLS));
        }
    }
    println!("  where the callers ended up (last node of their IVR path):");
    for (node, n) in &paths {
        println!("    {node:<14} {n}");
    }
    if let Ok(r) = api.request("cdr", json!({"limit": 3})) {
        println!(
            "  the last CDRs ({}; `trunkctl cdr tail` shows them as a table):",
            r["path"].as_str().unwrap_or("?")
        );
        for rec in r["records"].as_array().into_iter().flatten() {
            let path: Vec<&str> = rec["ivr_path"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            println!(
                "    call {:>3}  {:<3} {:<12} -> {:<8} {:<9} cause {:>2}  ivr {}",
                rec["call"],
                rec["direction"].as_str().unwrap_or(""),
                rec["ani"].as_str().unwrap_or(""),
                rec["dnis"].as_str().unwrap_or(""),
                rec["disposition"].as_str().unwrap_or(""),
                rec["cause"],
                path.join(">")
            );
        }
    }
    println!();
}
