//! Test harness: trunksim + trunkd + trunkctl as separate processes, exactly
//! as an operator runs them. The binaries come from the same target directory
//! as this test's trunkd (the test command builds the whole workspace first).

#![allow(dead_code)]

pub mod line;
pub mod pri;
pub mod tools;

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

pub struct Harness {
    pub dir: PathBuf,
    pub sim_dir: PathBuf,
    pub socket: PathBuf,
    pub config: PathBuf,
    pub sim: Child,
    pub daemon: Option<Child>,
}

pub fn span_config(spans: usize, t1: bool) -> String {
    span_config_with(spans, t1, "")
}

/// As `span_config`, with `extra` keys in every `[[span]]` table.
pub fn span_config_with(spans: usize, t1: bool, extra: &str) -> String {
    let mut s = String::new();
    for n in 1..=spans {
        let (line, framing, code) = if t1 {
            ("t1", "esf", "b8zs")
        } else {
            ("e1", "crc4", "hdb3")
        };
        s += &format!(
            "[[span]]\nspan = {n}\nboard = \"b0\"\nboard_span = {n}\nline = \"{line}\"\nframing = \"{framing}\"\nlinecode = \"{code}\"\ntrunk_group = \"tg{n}\"\n{extra}\n"
        );
    }
    s
}

/// What `Harness::start_opts` sets up.
#[derive(Clone, Copy)]
pub struct Opts<'a> {
    /// Spans on the simulated board.
    pub spans: usize,
    /// T1 (else E1).
    pub t1: bool,
    /// trunksim `--time` (lockstep, realtime, x2...).
    pub time: &'a str,
    /// trunksim `--far-end` (loop, pri-net...).
    pub far_end: &'a str,
    /// Extra keys for the `[[board]]` table.
    pub board_extra: &'a str,
    /// Extra keys for every `[[span]]` table.
    pub span_extra: &'a str,
    /// Text appended to the configuration (tables such as `[cdr]`).
    pub config_extra: &'a str,
}

impl Default for Opts<'_> {
    fn default() -> Self {
        Opts {
            spans: 1,
            t1: false,
            time: "lockstep",
            far_end: "loop",
            board_extra: "",
            span_extra: "",
            config_extra: "",
        }
    }
}

impl Harness {
    /// Start trunksim (`time` e.g. "lockstep") and trunkd with `spans` spans.
    pub fn start(tag: &str, spans: usize, t1: bool, time: &str) -> Harness {
        Self::start_with(tag, spans, t1, time, "")
    }

    /// As `start`, with extra keys for the `[[board]]` table.
    pub fn start_with(tag: &str, spans: usize, t1: bool, time: &str, board_extra: &str) -> Harness {
        Self::start_opts(
            tag,
            &Opts {
                spans,
                t1,
                time,
                board_extra,
                ..Opts::default()
            },
        )
    }

    /// E1 spans running PRI (trunkd `pri-cpe`) against trunksim's built-in
    /// `pri-net` far end (driven with `pri_*` control requests);
    /// `config_extra` is appended to the configuration.
    pub fn start_pri(tag: &str, spans: usize, time: &str, config_extra: &str) -> Harness {
        Self::start_opts(
            tag,
            &Opts {
                spans,
                time,
                far_end: "pri-net",
                span_extra: "signalling = \"pri-cpe\"\n",
                config_extra,
                ..Opts::default()
            },
        )
    }

    /// Start trunksim and trunkd as `opts` says.
    pub fn start_opts(tag: &str, opts: &Opts<'_>) -> Harness {
        let Opts {
            spans,
            t1,
            time,
            far_end,
            board_extra,
            span_extra,
            config_extra,
        } = *opts;
        let dir = tempdir(tag);
        let sim_dir = dir.join("sim");
        let sim = Command::new(bin("trunksim"))
            .args(["--dir"])
            .arg(&sim_dir)
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
            .expect("start trunksim");
        wait_for(Duration::from_secs(10), || {
            sim_dir.join("irq").exists() && sim_dir.join("control").exists()
        });
        let socket = dir.join("trunkd.sock");
        let config = dir.join("trunkd.toml");
        let text = format!(
            "[daemon]\nsocket = \"{}\"\n\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n{board_extra}\n\n{}{config_extra}\n",
            socket.display(),
            sim_dir.display(),
            span_config_with(spans, t1, span_extra)
        );
        std::fs::write(&config, text).expect("write config");
        let mut h = Harness {
            dir,
            sim_dir,
            socket,
            config,
            sim,
            daemon: None,
        };
        h.start_daemon();
        h
    }

    pub fn start_daemon(&mut self) {
        let d = Command::new(bin("trunkd"))
            .arg("--config")
            .arg(&self.config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start trunkd");
        self.daemon = Some(d);
        let sock = self.socket.clone();
        wait_for(Duration::from_secs(10), || sock.exists());
    }

    pub fn daemon_pid(&self) -> i32 {
        self.daemon
            .as_ref()
            .map(|d| d.id() as i32)
            .expect("daemon running")
    }

    /// Run trunkctl with --json; returns the parsed JSON output.
    pub fn ctl(&self, args: &[&str]) -> Value {
        let out = Command::new(bin("trunkctl"))
            .arg("--socket")
            .arg(&self.socket)
            .arg("--json")
            .args(args)
            .output()
            .expect("run trunkctl");
        assert!(
            out.status.success(),
            "trunkctl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "trunkctl {args:?}: bad JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    pub fn spans(&self) -> Vec<Value> {
        self.ctl(&["spans"])["spans"]
            .as_array()
            .cloned()
            .expect("spans array")
    }

    pub fn span(&self, n: u64) -> Value {
        self.spans()
            .into_iter()
            .find(|s| s["span"] == n)
            .expect("span present")
    }

    /// Send one control request to trunksim.
    pub fn sim_control(&self, req: &str) -> Value {
        use std::io::{BufRead, BufReader, Write};
        let mut s = std::os::unix::net::UnixStream::connect(self.sim_dir.join("control"))
            .expect("control socket");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        writeln!(s, "{req}").expect("write control");
        let mut line = String::new();
        BufReader::new(s)
            .read_line(&mut line)
            .expect("read control");
        serde_json::from_str(&line).expect("control reply JSON")
    }

    pub fn wait_span(
        &self,
        n: u64,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        loop {
            let s = self.span(n);
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < timeout,
                "span {n}: timed out waiting for {what}; last: {s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_all_up(&self, timeout: Duration) {
        let start = Instant::now();
        loop {
            let spans = self.spans();
            if spans
                .iter()
                .all(|s| s["state"] == "up" && s["alarms"].as_array().is_some_and(|a| a.is_empty()))
            {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "spans did not come up: {spans:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
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

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = nix_kill(d.id() as i32, 15);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = d.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = self.sim.kill();
        let _ = self.sim.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
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
