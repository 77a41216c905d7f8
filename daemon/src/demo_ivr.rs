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
    let en = dir.join("en");
    let zh = dir.join("zh");
    for d in [dir, &en, &zh] {
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
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let mut w = hound::WavWriter::create(path, spec).map_err(err)?;
    for (f, n) in [(f1, 2000), (f2, 2000), (0.0, 1200)] {
        for i in 0..n {
            let t = i as f32 / 8000.0;
            let v = (std::f32::consts::TAU * f * t).sin() * 6000.0;
            w.write_sample(if f == 0.0 { 0 } else { v as i16 }).map_err(err)?;
        }
    }
    w.finalize().map_err(err)
}
