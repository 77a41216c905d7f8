//! Test harness: trunksim + trunkd + trunkctl as separate processes, exactly
//! as an operator runs them. The binaries come from the same target directory
//! as this test's trunkd (the test command builds the whole workspace first).

#![allow(dead_code)]

pub mod acd;
pub mod examples;
pub mod harness;
pub mod ivr;
pub mod line;
pub mod tools;

#[allow(unused_imports)] // each test binary uses some of them
pub use harness::{expect_event, trunk_group, Harness, Opts};

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Lockstep runs use a core each; run one harness at a time.
static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn bin(name: &str) -> PathBuf {
    let trunkd = PathBuf::from(env!("CARGO_BIN_EXE_trunkd"));
    let p = trunkd.with_file_name(name);
    assert!(
        p.exists(),
        "{} is missing: build the workspace first (cargo build --workspace --release)",
        p.display()
    );
    p
}

pub fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "trunkd-test-{tag}-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Start trunksim in `sim_dir` with `spans` spans (T1 or E1), its far end
/// `far_end` and clock `time` (lockstep, realtime, x2...); seed 7. The caller
/// waits for the sockets its far end makes.
pub fn start_trunksim(sim_dir: &Path, spans: usize, t1: bool, far_end: &str, time: &str) -> Child {
    Command::new(bin("trunksim"))
        .arg("--dir")
        .arg(sim_dir)
        .args([
            "--spans",
            &spans.to_string(),
            "--line",
            if t1 { "t1" } else { "e1" },
        ])
        .args(["--far-end", far_end, "--time", time, "--seed", "7"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start trunksim")
}

pub fn span_config(spans: usize, t1: bool) -> String {
    span_config_with(spans, t1, "", &[])
}

/// As `span_config`, with `extra` keys in every `[[span]]` table; span n is
/// in trunk group `trunk_groups[n - 1]`, or `tg{n}` past the end of it.
pub fn span_config_with(spans: usize, t1: bool, extra: &str, trunk_groups: &[&str]) -> String {
    let mut s = String::new();
    for n in 1..=spans {
        let (line, framing, code) = if t1 {
            ("t1", "esf", "b8zs")
        } else {
            ("e1", "crc4", "hdb3")
        };
        let tg = trunk_groups
            .get(n - 1)
            .map_or_else(|| format!("tg{n}"), |t| (*t).to_owned());
        s += &format!(
            "[[span]]\nspan = {n}\nboard = \"b0\"\nboard_span = {n}\nline = \"{line}\"\nframing = \"{framing}\"\nlinecode = \"{code}\"\ntrunk_group = \"{tg}\"\n{extra}\n"
        );
    }
    s
}

pub fn alarms(s: &Value) -> Vec<String> {
    s["alarms"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(String::from))
        .collect()
}

pub fn wait_for(timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn nix_kill(pid: i32, sig: i32) -> std::io::Result<()> {
    let st = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()?;
    if st.success() {
        Ok(())
    } else {
        Err(std::io::Error::other("kill failed"))
    }
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

/// Build the libpri peer programs (testbench/peers); a failure fails the test.
pub fn build_peers_or_fail() -> PathBuf {
    trunk_testbench::peers::build_peers().unwrap_or_else(|e| {
        panic!("cannot build the libpri peers (apt-get install libpri-dev): {e}")
    })
}
