//! Shared parts of the macro benchmark binaries (`apibench`, `ivrbench`):
//! starting and stopping the trunkd binary, a plain API socket connection,
//! a process's CPU time from /proc and a polling wait.
//!
//! The benchmarks measure trunkd as a separate process, so nothing here links
//! the daemon crate: the API is spoken as JSON lines over the Unix socket.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A plain API connection: request lines out, lines in until their replies
/// (events that arrive meanwhile are skipped).
pub struct ApiConn {
    w: UnixStream,
    /// The reading side (its socket's read timeout may be changed).
    pub r: BufReader<UnixStream>,
    /// The last line read (may hold a partial line after a read timeout).
    pub line: String,
    next_id: u64,
}

impl ApiConn {
    /// Connect to trunkd's socket and read its hello line.
    pub fn open(path: &Path) -> Result<ApiConn, String> {
        let s = UnixStream::connect(path).map_err(|e| format!("{}: {e}", path.display()))?;
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        let w = s.try_clone().map_err(|e| e.to_string())?;
        let mut c = ApiConn {
            w,
            r: BufReader::new(s),
            line: String::new(),
            next_id: 1,
        };
        c.read_line()?; // hello
        Ok(c)
    }

    /// Read one line into [`ApiConn::line`].
    pub fn read_line(&mut self) -> Result<&str, String> {
        self.line.clear();
        match self.r.read_line(&mut self.line) {
            Ok(0) => Err("trunkd closed the connection".into()),
            Ok(_) => Ok(&self.line),
            Err(e) => Err(format!("reading from trunkd: {e}")),
        }
    }

    /// Write `n` requests of `cmd` with the fields of `args`, in one go.
    pub fn send(&mut self, cmd: &str, args: &Value, n: usize) -> Result<(), String> {
        let mut buf = Vec::with_capacity(n * 48);
        for _ in 0..n {
            let mut req = if args.is_object() {
                args.clone()
            } else {
                json!({})
            };
            req["id"] = json!(self.next_id);
            req["cmd"] = json!(cmd);
            self.next_id += 1;
            serde_json::to_writer(&mut buf, &req).map_err(|e| e.to_string())?;
            buf.push(b'\n');
        }
        self.w
            .write_all(&buf)
            .map_err(|e| format!("writing to trunkd: {e}"))
    }

    /// Read `n` replies (skipping events); each must be `ok`.
    pub fn replies(&mut self, n: usize) -> Result<(), String> {
        let mut got = 0;
        while got < n {
            let l = self.read_line()?;
            if !l.contains("\"ok\"") {
                continue; // an event
            }
            if !l.contains("\"ok\":true") {
                return Err(format!("refused: {}", l.trim_end()));
            }
            got += 1;
        }
        Ok(())
    }

    /// One request; its `result`, or an error naming the command.
    pub fn request(&mut self, cmd: &str, args: Value) -> Result<Value, String> {
        self.send(cmd, &args, 1)?;
        loop {
            let l = self.read_line()?;
            let v: Value = serde_json::from_str(l).map_err(|e| e.to_string())?;
            if v.get("id").is_none() {
                continue;
            }
            if v["ok"] != true {
                return Err(format!("{cmd} refused: {v}"));
            }
            return Ok(v["result"].clone());
        }
    }
}

/// (user + system) CPU seconds of a process, from /proc/PID/stat (0 when it
/// cannot be read).
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let Some(rest) = stat.rfind(')').and_then(|i| stat.get(i + 2..)) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let tck = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    (t(11) + t(12)) / tck
}

/// The trunkd process; stopped with SIGTERM (then SIGKILL after 5 s) when
/// dropped.
pub struct Daemon(pub Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The trunkd binary: `explicit`, or `trunkd` next to the running binary.
pub fn trunkd_binary(explicit: Option<&Path>) -> PathBuf {
    explicit.map(Path::to_path_buf).unwrap_or_else(|| {
        std::env::current_exe()
            .map(|p| p.with_file_name("trunkd"))
            .unwrap_or_else(|_| "trunkd".into())
    })
}

/// Start `trunkd --config CONFIG` (log level warn, standard output
/// discarded; the log to `log`, or to this process's standard error).
pub fn spawn_trunkd(trunkd: &Path, config: &Path, log: Option<&Path>) -> Result<Daemon, String> {
    let stderr = match log {
        Some(p) => {
            Stdio::from(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?)
        }
        None => Stdio::inherit(),
    };
    let child = Command::new(trunkd)
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot start {}: {e} (build the workspace first)",
                trunkd.display()
            )
        })?;
    Ok(Daemon(child))
}

/// Poll `f` every 100 ms until it is true; `Err` after `limit` (a give-up
/// bound, in wall time).
pub fn wait_until(
    what: &str,
    limit: Duration,
    mut f: impl FnMut() -> Result<bool, String>,
) -> Result<(), String> {
    let start = Instant::now();
    while !f()? {
        if start.elapsed() > limit {
            return Err(format!("{what}: not within {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
