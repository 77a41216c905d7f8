//! Outside programs the media tests judge against (sox, espeak-ng,
//! multimon-ng). A missing or failing program fails the test; nothing here
//! skips.

use std::ffi::OsStr;
use std::fmt::Debug;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `program` with `args` (in `dir`, if given) and returns its standard
/// output; panics, failing the test, if it cannot be run or fails. `hint`
/// says how to install it.
pub fn run_in<S: AsRef<OsStr> + Debug>(
    dir: Option<&Path>,
    program: &str,
    args: &[S],
    hint: &str,
) -> Vec<u8> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::null());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): {hint}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// [`run_in`] in the current directory.
pub fn run<S: AsRef<OsStr> + Debug>(program: &str, args: &[S], hint: &str) -> Vec<u8> {
    run_in(None, program, args, hint)
}

/// Raw signed 16-bit little-endian samples.
pub fn raw_i16(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// sox making raw s16 samples on its standard output.
pub fn sox(args: &[String]) -> Vec<i16> {
    raw_i16(&run(
        "sox",
        args,
        "sox is required for these tests: apt-get install sox",
    ))
}

/// sox voltage (1.0 = full scale = 32768) of a sine at `dbm0`.
pub fn sine_volts(dbm0: f64) -> f64 {
    trunkd::media::dtmf::DBM0_PEAK as f64 / 32768.0 * 10f64.powf(dbm0 / 20.0)
}
