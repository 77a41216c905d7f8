//! The spandsp reference for the media benches: `testbench/peers/spandspbench`
//! (gcc + Debian's libspandsp-dev), built into `$CARGO_TARGET_DIR/peers`.

use std::path::PathBuf;
use std::process::Command;

/// `$CARGO_TARGET_DIR` (relative to the workspace root) or `target/`.
fn target_dir() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                workspace.join(d)
            }
        }
        _ => workspace.join("target"),
    }
}

/// Builds spandspbench (the bench fails, clearly, if it cannot) and returns
/// the directory it is in, where the benches also put their sample files.
pub fn build() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out_dir = target_dir().join("peers");
    let build = Command::new("sh")
        .arg(workspace.join("testbench/peers/build.sh"))
        .arg(&out_dir)
        .arg("spandspbench")
        .status()
        .expect("run testbench/peers/build.sh");
    assert!(
        build.success(),
        "building spandspbench failed (apt-get install gcc libspandsp-dev)"
    );
    out_dir
}

/// Writes `samples` as raw s16le into `dir`, named after `tag` and this process.
pub fn write_samples(dir: &std::path::Path, tag: &str, samples: &[i16]) -> PathBuf {
    let file = dir.join(format!("{tag}-{}.raw", std::process::id()));
    let bytes: Vec<u8> = samples.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(&file, bytes).expect("write the bench samples");
    file
}
