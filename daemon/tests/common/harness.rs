//! The one rig of the end-to-end tests: trunksim (any far end: `loop`,
//! `pri-net`...) and trunkd on it, with the helpers the tests drive it by
//! (trunkctl, API clients and subscribers, trunksim's control socket).

use std::fmt::Display;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trunk_tools::client::Client;

use super::{bin, nix_kill, span_config_with, start_trunksim, tempdir, wait_for};

/// Generous "give up" limit of the harness's own waits; never a measurement.
const GIVE_UP: Duration = Duration::from_secs(60);

/// `[[span]]` keys of trunkd as the user side of trunksim's `pri-net` far end.
pub const PRI_CPE: &str = "signalling = \"pri-cpe\"\n";

/// A `[[trunk_group]]` table named `name` with `keys` (TOML lines).
pub fn trunk_group(name: &str, keys: &str) -> String {
    format!("[[trunk_group]]\nname = \"{name}\"\n{keys}\n\n")
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
    /// Trunk group of span n is `trunk_groups[n - 1]`; `tg{n}` past its end.
    pub trunk_groups: &'a [&'a str],
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
            trunk_groups: &[],
            config_extra: "",
        }
    }
}

impl Opts<'_> {
    /// E1 spans running PRI (trunkd `pri-cpe`) against trunksim's built-in
    /// `pri-net` exchange, driven with `pri_*` control requests.
    pub fn pri() -> Self {
        Opts {
            far_end: "pri-net",
            span_extra: PRI_CPE,
            ..Opts::default()
        }
    }
}

/// trunksim + trunkd, with the scratch directory; dropping it stops both
/// (trunkd gracefully first) and removes the directory.
pub struct Harness {
    /// Scratch directory (trunkd's log is `trunkd.log` in it).
    pub dir: PathBuf,
    /// The simulator's directory (its control socket).
    pub sim_dir: PathBuf,
    /// trunkd's API socket.
    pub socket: PathBuf,
    /// trunkd's configuration file.
    pub config: PathBuf,
    /// trunksim.
    pub sim: Child,
    /// trunkd.
    pub daemon: Option<Child>,
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

    /// [`Opts::pri`] on `spans` spans; `config_extra` is appended to the
    /// configuration.
    pub fn start_pri(tag: &str, spans: usize, time: &str, config_extra: &str) -> Harness {
        Self::start_opts(
            tag,
            &Opts {
                spans,
                time,
                config_extra,
                ..Opts::pri()
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
            trunk_groups,
            config_extra,
        } = *opts;
        let dir = tempdir(tag);
        let sim_dir = dir.join("sim");
        let sim = start_trunksim(&sim_dir, spans, t1, far_end, time);
        wait_for(Duration::from_secs(10), || {
            sim_dir.join("irq").exists() && sim_dir.join("control").exists()
        });
        let socket = dir.join("trunkd.sock");
        let config = dir.join("trunkd.toml");
        let text = format!(
            "[daemon]\nsocket = \"{}\"\n\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n{board_extra}\n\n{}{config_extra}\n",
            socket.display(),
            sim_dir.display(),
            span_config_with(spans, t1, span_extra, trunk_groups)
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

    /// Start trunkd (logging at `info` to `trunkd.log` in the scratch directory).
    pub fn start_daemon(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("trunkd.log"))
            .expect("log file");
        let d = Command::new(bin("trunkd"))
            .arg("--config")
            .arg(&self.config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start trunkd");
        self.daemon = Some(d);
        let sock = self.socket.clone();
        wait_for(Duration::from_secs(10), || sock.exists());
    }

    /// trunkd's process id.
    pub fn daemon_pid(&self) -> i32 {
        self.daemon
            .as_ref()
            .map(|d| d.id() as i32)
            .expect("daemon running")
    }

    /// The daemon's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("trunkd.log")).unwrap_or_default()
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

    /// A new API client (each wait bounded by 10 s).
    pub fn client(&self) -> Client {
        Client::connect_with_timeout(&self.socket, Duration::from_secs(10)).expect("API client")
    }

    /// A client subscribed to `events` (name patterns).
    pub fn subscriber(&self, events: &[&str]) -> Client {
        let mut c = self.client();
        c.request("subscribe", json!({"events": events}))
            .expect("subscribe");
        c
    }

    /// Send one control request (a JSON line) to trunksim; its reply.
    pub fn sim_control(&self, req: impl Display) -> Value {
        let mut s = UnixStream::connect(self.sim_dir.join("control")).expect("control socket");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        writeln!(s, "{req}").expect("write control");
        let mut line = String::new();
        BufReader::new(s)
            .read_line(&mut line)
            .expect("read control");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("control reply {line:?}: {e}"))
    }

    /// As [`Harness::sim_control`]; trunksim must accept the request.
    pub fn sim_ok(&self, req: impl Display) -> Value {
        let v = self.sim_control(&req);
        assert_eq!(v["ok"], true, "trunksim refused {req}: {v}");
        v
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

    /// Wait until the D-channels of spans 1 to `spans` are up (trunkd's view).
    pub fn wait_links_up(&self, spans: usize) {
        let mut c = self.client();
        let t0 = Instant::now();
        loop {
            let v = c.request("spans", Value::Null).expect("spans");
            let up = v["spans"].as_array().map_or(0, |a| {
                a.iter()
                    .filter(|s| {
                        s["span"].as_u64().is_some_and(|n| n as usize <= spans)
                            && s["pri"]["link"] == "up"
                    })
                    .count()
            });
            if up == spans {
                return;
            }
            assert!(
                t0.elapsed() < GIVE_UP,
                "D-channels did not come up: {v}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
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

/// The next event on `c` matching `pred`, within `secs` seconds (wall time,
/// a give-up bound only); panics with the events seen otherwise.
pub fn expect_event(c: &mut Client, secs: u64, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match c.next_event(Some(Duration::from_millis(200))) {
            Ok(Some(e)) => {
                if pred(&e) {
                    return e;
                }
                seen.push(e);
            }
            Ok(None) => {}
            Err(e) => panic!("waiting for {what}: {e}"),
        }
    }
    panic!(
        "no {what} event; saw {} others: {:?}",
        seen.len(),
        seen.iter().rev().take(20).collect::<Vec<_>>()
    );
}
