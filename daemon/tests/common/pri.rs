//! trunksim's built-in PSTN exchange (`--far-end pri-net`) on E1 spans, and
//! trunkd as the user side on them: for call, IVR and CDR tests.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trunk_tools::client::Client;

use super::{bin, tempdir, wait_for};

/// trunksim + trunkd, with the scratch directory.
pub struct PriRig {
    /// Scratch directory.
    pub dir: PathBuf,
    /// The simulator's directory (control socket).
    pub sim_dir: PathBuf,
    /// trunkd's API socket.
    pub socket: PathBuf,
    /// trunkd's configuration file.
    pub config: PathBuf,
    sim: Child,
    /// trunkd.
    pub daemon: Option<Child>,
}

impl Drop for PriRig {
    fn drop(&mut self) {
        if let Some(d) = &mut self.daemon {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = self.sim.kill();
        let _ = self.sim.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `spans` E1 PRI spans in trunk group `pstn` (`tg_extra` goes into its
/// `[[trunk_group]]` table), `extra` appended to trunkd's configuration,
/// and the simulator's clock `time` (`lockstep`, `realtime`, `x10`).
pub fn start(tag: &str, spans: usize, time: &str, tg_extra: &str, extra: &str) -> PriRig {
    let dir = tempdir(tag);
    let sim_dir = dir.join("sim");
    let sim = Command::new(bin("trunksim"))
        .arg("--dir")
        .arg(&sim_dir)
        .args(["--spans", &spans.to_string(), "--line", "e1"])
        .args(["--far-end", "pri-net", "--time", time, "--seed", "7"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start trunksim");
    wait_for(Duration::from_secs(10), || {
        sim_dir.join("irq").exists() && sim_dir.join("control").exists()
    });
    let socket = dir.join("trunkd.sock");
    let config = dir.join("trunkd.toml");
    let mut text = format!(
        "[daemon]\nsocket = \"{}\"\n\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n\n",
        socket.display(),
        sim_dir.display()
    );
    for n in 1..=spans {
        text += &format!(
            "[[span]]\nspan = {n}\nboard = \"b0\"\nboard_span = {n}\nline = \"e1\"\n\
             signalling = \"pri-cpe\"\npri_variant = \"etsi\"\ntrunk_group = \"pstn\"\n\n"
        );
    }
    text += &format!("[[trunk_group]]\nname = \"pstn\"\n{tg_extra}\n\n{extra}\n");
    std::fs::write(&config, text).expect("write config");
    let mut rig = PriRig {
        dir,
        sim_dir,
        socket,
        config,
        sim,
        daemon: None,
    };
    rig.start_daemon();
    rig
}

impl PriRig {
    /// Start trunkd (logging to `trunkd.log` in the scratch directory).
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
    pub fn pid(&self) -> u32 {
        self.daemon.as_ref().map(Child::id).expect("trunkd runs")
    }

    /// The daemon's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("trunkd.log")).unwrap_or_default()
    }

    /// A new API client.
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

    /// Send a request to the simulator's control socket; its reply.
    pub fn sim(&self, req: Value) -> Value {
        let mut s = UnixStream::connect(self.sim_dir.join("control")).expect("control socket");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        writeln!(s, "{req}").unwrap();
        let mut line = String::new();
        BufReader::new(&s)
            .read_line(&mut line)
            .expect("control reply");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("control reply {line:?}: {e}"))
    }

    /// Wait until every span's D-channel is up (trunkd's view).
    pub fn wait_links_up(&self, spans: usize) {
        let mut c = self.client();
        let t0 = Instant::now();
        loop {
            let v = c.request("spans", Value::Null).expect("spans");
            let up = v["spans"]
                .as_array()
                .map_or(0, |a| a.iter().filter(|s| s["pri"]["link"] == "up").count());
            if up >= spans {
                return;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "D-channels did not come up: {v}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
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
