//! The load and the set-up of ivrbench: the callers' scripts (as in the IVR
//! scenario test), the traffic request, the default arrival rate, synthetic
//! prompts and trunkd's configuration.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// Prompts the sample flow plays.
const PROMPTS: [&str; 12] = [
    "closed",
    "language",
    "main-menu",
    "invalid",
    "no-input",
    "sales-menu",
    "sales-info",
    "enter-account",
    "queue-closed",
    "leave-message",
    "transfer",
    "goodbye",
];

/// Calls of the black/VIP group per call of the main group.
pub const SCREENED_SHARE: f64 = 0.05;

/// B-channels of an E1 PRI span.
const E1_BCHANNELS: f64 = 30.0;

/// A caller profile of the main group.
struct Profile {
    name: &'static str,
    weight: u32,
    /// Estimated B-channel seconds per call (both legs of a transfer), for the
    /// default rate only.
    channel_s: f64,
    script: Value,
}

fn hangup_after(ms: u64) -> Value {
    json!({"hangup_after_ms": ms})
}

/// A caller's script: for each pair, stay silent that many ms and key the
/// digits; then hang up that long after the answer (`None`: stay on the line
/// until trunkd clears).
fn keys(steps: &[(u64, &str)], hangup_ms: Option<u64>) -> Value {
    let mut s: Vec<Value> = steps
        .iter()
        .flat_map(|&(ms, d)| [json!({"wait_ms": ms}), json!({"dtmf": d})])
        .collect();
    s.extend(hangup_ms.map(hangup_after));
    Value::Array(s)
}

/// The main group's callers, as in daemon/tests/ivr_scenarios.rs.
fn profiles() -> Vec<Profile> {
    let p = |name, weight, channel_s, script| Profile {
        name,
        weight,
        channel_s,
        script,
    };
    let account = [(800, "1"), (1200, "1"), (1200, "2"), (1500, "4711#")];
    vec![
        // Chinese, sales, information, goodbye.
        p(
            "zh-sales",
            3,
            5.0,
            keys(&[(800, "2"), (1200, "1"), (1200, "1")], None),
        ),
        // Invalid input twice in the sales menu, then the operator.
        p(
            "lost",
            1,
            24.0,
            keys(
                &[(800, "1"), (1200, "1"), (1200, "7"), (1500, "8")],
                Some(16000),
            ),
        ),
        // A voicemail ended with #.
        p(
            "voicemail",
            2,
            6.5,
            keys(&[(800, "1"), (1200, "9"), (3000, "#")], None),
        ),
        // The operator: transferred, bridged; the caller hangs up.
        p(
            "operator",
            2,
            14.0,
            keys(&[(800, "1"), (1200, "0")], Some(9000)),
        ),
        // Hangs up while choosing the language.
        p("impatient", 1, 0.5, keys(&[], Some(300))),
        // Says nothing: default language, three tries of the main menu, the operator.
        p("silent", 1, 29.0, keys(&[], Some(25000))),
        // Account number; the lookup times out (no CRM): queue (stub), voicemail.
        p("account", 1, 16.0, keys(&account, Some(16000))),
        // Support desk; the hand-off times out (no desk): queue (stub), voicemail.
        p(
            "support",
            1,
            14.0,
            keys(&[(800, "1"), (1200, "2")], Some(14000)),
        ),
    ]
}

/// Estimated B-channel seconds of a call of the black/VIP group (half are
/// refused at once, half transferred to the VIP line for 6 s).
const SCREENED_CHANNEL_S: f64 = 5.5;

/// Prompts: every name as a short two-tone WAV (8 kHz, 16-bit), and a
/// Chinese main menu.
pub fn write_prompts(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("zh")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tones = |path: PathBuf, parts: &[(f32, u32)]| -> Result<(), String> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let err = |e: hound::Error| format!("{}: {e}", path.display());
        let mut w = hound::WavWriter::create(&path, spec).map_err(err)?;
        for &(f, ms) in parts {
            for i in 0..ms * 8 {
                let v = (std::f32::consts::TAU * f * i as f32 / 8000.0).sin() * 6000.0;
                w.write_sample(v as i16).map_err(err)?;
            }
        }
        w.finalize().map_err(err)
    };
    for (i, p) in PROMPTS.iter().enumerate() {
        let f = 400.0 + 50.0 * i as f32;
        tones(
            dir.join(format!("{p}.wav")),
            &[(f, 200), (f * 1.25, 200), (0.0, 100)],
        )?;
    }
    tones(dir.join("zh/main-menu.wav"), &[(1200.0, 300), (0.0, 100)])
}

/// trunkd's configuration: the spans as `pri-cpe` in trunk group `pstn`
/// running the flow, prompts, recordings and CDRs under `dir`.
pub fn trunkd_config(dir: &Path, sim_dir: &Path, spans: usize) -> String {
    let mut cfg = format!(
        "[daemon]\nsocket = \"{}\"\n\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n\n",
        dir.join("trunkd.sock").display(),
        sim_dir.display()
    );
    for n in 1..=spans {
        cfg += &format!(
            "[[span]]\nspan = {n}\nboard = \"b0\"\nboard_span = {n}\nline = \"e1\"\n\
             signalling = \"pri-cpe\"\npri_variant = \"etsi\"\ntrunk_group = \"pstn\"\n\n"
        );
    }
    cfg + &format!(
        "[[trunk_group]]\nname = \"pstn\"\ninbound = \"flow\"\n\n\
         [media]\nprompt_dir = \"{d}/prompts\"\nrecord_dir = \"{d}/rec\"\n\n\
         [ivr]\nflows = \"{d}/flows.toml\"\nclock_start = \"2026-11-23T10:00\"\n\n\
         [cdr]\npath = \"{d}/cdr.jsonl\"\n",
        d = dir.display()
    )
}

/// The traffic request: the main group at `rate` calls per board minute and
/// the black/VIP group at a twentieth of it, on every span.
pub fn traffic_request(seed: u64, spans: usize, rate: f64) -> Value {
    let spans: Vec<usize> = (1..=spans).collect();
    let callers: Vec<Value> = profiles()
        .iter()
        .map(|p| json!({"name": p.name, "weight": p.weight, "script": p.script}))
        .collect();
    json!({"cmd": "traffic", "seed": seed, "groups": [
        {"name": "pstn", "spans": spans, "number": "8000", "from": "2%07d",
         "rate_per_min": rate, "callers": callers},
        {"name": "screened", "spans": spans, "number": "8000",
         "from_list": ["1390000666", "1380000888"], "rate_per_min": rate * SCREENED_SHARE,
         "callers": [{"name": "black-or-vip", "script": [hangup_after(6000)]}]},
    ]})
}

/// The main group's rate (calls per minute) that keeps `load` of the
/// B-channels busy by the estimated holding times.
pub fn default_rate(spans: usize, load: f64) -> f64 {
    let ps = profiles();
    let weights: f64 = ps.iter().map(|p| f64::from(p.weight)).sum();
    let mean: f64 = ps
        .iter()
        .map(|p| f64::from(p.weight) * p.channel_s)
        .sum::<f64>()
        / weights;
    let per_call = mean + SCREENED_SHARE * SCREENED_CHANNEL_S;
    load * spans as f64 * E1_BCHANNELS / per_call * 60.0
}
