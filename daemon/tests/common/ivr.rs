//! The sample IVR (examples/flows/sample.toml) on trunksim's PRI exchange:
//! prompts, configuration and the rig, for the IVR tests.

use std::path::{Path, PathBuf};

use serde_json::json;
use trunkd::media::prompt::synth::write_tones;

use super::{tempdir, trunk_group, Harness, Opts};

/// The sample flows file.
pub const SAMPLE: &str = include_str!("../../../examples/flows/sample.toml");

/// Every prompt the sample flow plays.
pub const PROMPTS: [&str; 12] = [
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

/// A data directory with the prompts (each a short two-tone WAV, and a
/// Chinese main menu), a recordings directory and `flows` as the flows file.
pub fn data(tag: &str, flows: &str) -> PathBuf {
    let base = tempdir(&format!("{tag}-data"));
    let dir = base.join("prompts");
    std::fs::create_dir_all(dir.join("zh")).unwrap();
    for (i, p) in PROMPTS.iter().enumerate() {
        let f = 400.0 + 50.0 * i as f32;
        write_tones(
            &dir.join(format!("{p}.wav")),
            &[(f, 200), (f * 1.25, 200), (0.0, 100)],
        )
        .unwrap();
    }
    write_tones(&dir.join("zh/main-menu.wav"), &[(1200.0, 300), (0.0, 100)]).unwrap();
    std::fs::create_dir_all(base.join("rec")).unwrap();
    std::fs::write(base.join("flows.toml"), flows).unwrap();
    base
}

/// `[media]`, `[ivr]` (clock fixed at `clock`, `ivr_extra` added) and `[cdr]`
/// tables for a data directory.
pub fn config(base: &Path, clock: &str, ivr_extra: &str) -> String {
    format!(
        "[media]\nprompt_dir = \"{p}/prompts\"\nrecord_dir = \"{p}/rec\"\n\n\
         [ivr]\nflows = \"{p}/flows.toml\"\nclock_start = \"{clock}\"\n{ivr_extra}\n\n\
         [cdr]\npath = \"{p}/cdr.jsonl\"\n",
        p = base.display()
    )
}

/// trunksim's PRI exchange (`time`: lockstep, realtime) and trunkd on
/// `spans` E1 spans of trunk group `pstn` (`tg_keys` in its table), with
/// `config_extra` appended; D-channels up, transfer targets answering after
/// half a second.
pub fn start(tag: &str, spans: usize, time: &str, tg_keys: &str, config_extra: &str) -> Harness {
    let cfg = format!("{}{config_extra}", trunk_group("pstn", tg_keys));
    let groups = vec!["pstn"; spans];
    let rig = Harness::start_opts(
        tag,
        &Opts {
            spans,
            time,
            trunk_groups: &groups,
            config_extra: &cfg,
            ..Opts::pri()
        },
    );
    rig.wait_links_up(spans);
    for span in 1..=spans {
        rig.sim_ok(json!({"cmd":"pri_policy","span":span,"answer_after_ms":500}));
    }
    rig
}
