//! One span on trunksim whose far end is the test itself (the external
//! timeslot sockets), with trunkd on it: for media tests on real B-channels.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{bin, tempdir, wait_for};

/// trunksim with an external far end and trunkd on it.
pub struct Setup {
    /// Scratch directory of the test.
    pub dir: PathBuf,
    /// The simulator directory (its sockets).
    pub sim_dir: PathBuf,
    sim: std::process::Child,
    daemon: std::process::Child,
    /// trunkd's API socket.
    pub socket: PathBuf,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = self.sim.kill();
        let _ = self.sim.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// trunksim with one span whose far end is this test, and trunkd on it.
pub fn start(t1: bool) -> Setup {
    start_with(t1, "")
}

/// As [`start`], with extra configuration text (e.g. a `[media]` table).
pub fn start_with(t1: bool, extra: &str) -> Setup {
    let dir = tempdir("media-line");
    let sim_dir = dir.join("sim");
    let line = if t1 { "t1" } else { "e1" };
    let sim = Command::new(bin("trunksim"))
        .arg("--dir")
        .arg(&sim_dir)
        .args(["--spans", "1", "--line", line, "--far-end", "external"])
        .args(["--time", "realtime"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(10), || {
        sim_dir.join("span1/dchan").exists() && sim_dir.join("irq").exists()
    });
    let socket = dir.join("trunkd.sock");
    let cfg = dir.join("trunkd.toml");
    std::fs::write(
        &cfg,
        format!(
            "[daemon]\nsocket = \"{}\"\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"{line}\"\n{extra}\n",
            socket.display(),
            sim_dir.display()
        ),
    )
    .unwrap();
    let daemon = Command::new(bin("trunkd"))
        .arg("--config")
        .arg(&cfg)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(10), || socket.exists());
    Setup {
        dir,
        sim_dir,
        sim,
        daemon,
        socket,
    }
}

/// A required outside tool: the test fails if it is missing.
pub fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found, "{name} is required (apt-get install {name})");
    Command::new(name)
}

