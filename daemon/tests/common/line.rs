//! One span on trunksim whose far end is the test itself (the external
//! timeslot sockets), with trunkd on it: for media tests on real B-channels.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{bin, start_trunksim, tempdir, wait_for};

/// trunksim(s) with an external far end and trunkd on them.
pub struct Setup {
    /// Scratch directory of the test.
    pub dir: PathBuf,
    /// The first simulator's directory (its sockets).
    pub sim_dir: PathBuf,
    sim_dirs: Vec<PathBuf>,
    spans_per_board: usize,
    sims: Vec<std::process::Child>,
    daemon: std::process::Child,
    /// trunkd's API socket.
    pub socket: PathBuf,
}

impl Setup {
    /// The external socket of global span `span`, timeslot `ts`.
    pub fn ts_socket(&self, span: usize, ts: usize) -> PathBuf {
        let b = (span - 1) / self.spans_per_board;
        let k = (span - 1) % self.spans_per_board + 1;
        self.sim_dirs[b].join(format!("span{k}/ts{ts}"))
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        for s in &mut self.sims {
            let _ = s.kill();
            let _ = s.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// trunksim with one span whose far end is this test, and trunkd on it.
pub fn start(t1: bool) -> Setup {
    start_boards(1, 1, t1, "")
}

/// As [`start`], with extra configuration text (e.g. a `[media]` table).
pub fn start_with(t1: bool, extra: &str) -> Setup {
    start_boards(1, 1, t1, extra)
}

/// `boards` simulated boards of `spans` spans each (global span numbers
/// run board by board), every far end external, and trunkd on them.
pub fn start_boards(boards: usize, spans: usize, t1: bool, extra: &str) -> Setup {
    let dir = tempdir("media-line");
    let line = if t1 { "t1" } else { "e1" };
    let mut sims = Vec::new();
    let mut sim_dirs = Vec::new();
    let socket = dir.join("trunkd.sock");
    let mut cfg_text = format!("[daemon]\nsocket = \"{}\"\n{extra}\n", socket.display());
    for b in 0..boards {
        let sim_dir = dir.join(format!("sim{b}"));
        sims.push(start_trunksim(&sim_dir, spans, t1, "external", "realtime"));
        wait_for(Duration::from_secs(10), || {
            sim_dir.join(format!("span{spans}/dchan")).exists() && sim_dir.join("irq").exists()
        });
        cfg_text += &format!(
            "[[board]]\nname = \"b{b}\"\ndevice = \"sim:{}\"\n",
            sim_dir.display()
        );
        for k in 1..=spans {
            cfg_text += &format!(
                "[[span]]\nspan = {}\nboard = \"b{b}\"\nboard_span = {k}\nline = \"{line}\"\n",
                b * spans + k
            );
        }
        sim_dirs.push(sim_dir);
    }
    let cfg = dir.join("trunkd.toml");
    std::fs::write(&cfg, cfg_text).unwrap();
    let daemon = Command::new(bin("trunkd"))
        .arg("--config")
        .arg(&cfg)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(10), || socket.exists());
    Setup {
        dir,
        sim_dir: sim_dirs[0].clone(),
        sim_dirs,
        spans_per_board: spans,
        sims,
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
