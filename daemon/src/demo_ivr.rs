//! The IVR part of `trunkd --demo`: the sample flow (examples/flows/sample.toml)
//! on E1 spans 3 and 4 (trunk group `ivr`) and its synthetic prompts. The
//! callers and the queues they reach are the call-centre step
//! ([`crate::demo_acd`]).

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
