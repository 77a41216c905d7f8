//! Synthetic prompts: WAV files of tones, for the demo and for tests (which
//! have no recorded voice).

use std::path::Path;

/// Write an 8 kHz mono 16-bit WAV of `parts`: each a frequency (Hz; 0 for
/// silence) and a length (ms), at about -15 dBm0.
pub fn write_tones(path: &Path, parts: &[(f32, u32)]) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let mut w = hound::WavWriter::create(path, spec).map_err(err)?;
    for &(f, ms) in parts {
        for i in 0..ms * 8 {
            let t = i as f32 / 8000.0;
            let v = if f == 0.0 {
                0
            } else {
                ((std::f32::consts::TAU * f * t).sin() * 6000.0) as i16
            };
            w.write_sample(v).map_err(err)?;
        }
    }
    w.finalize().map_err(err)
}

#[cfg(test)]
mod tests {
    #[test]
    fn written_prompt_loads() {
        let dir = std::env::temp_dir().join(format!("synth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("x.wav");
        super::write_tones(&p, &[(440.0, 100), (0.0, 50)]).unwrap();
        let prompt = super::super::load(&p).expect("loads as a prompt");
        assert_eq!(prompt.samples().len(), 1200);
        assert_eq!(prompt.duration_ms(), 150);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
