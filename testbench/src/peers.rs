//! Debian's libpri and libss7 as real ISDN and SS7 peers for tests.
//!
//! The C programs in `testbench/peers/` are built on demand with
//! [`build_peers`] (gcc, `libpri-dev` and `libss7-dev` are needed):
//!
//! * `pripeer`: a libpri D-channel (network or CPE side, EuroISDN E1 or
//!   NI-2) that connects to a `SOCK_SEQPACKET` socket on which every
//!   datagram is one LAPD frame without FCS, e.g. a simulator's
//!   `DIR/spanK/dchan`. It prints one line per event on stdout and takes
//!   commands on stdin; [`PriPeer`] drives it.
//! * `pribench`: the reference benchmark, two libpri instances in one process
//!   running complete calls against each other; it prints one JSON line
//!   `{"impl":"libpri","transport":"memory"|"socketpair","calls":N,"cpu_us_per_call":X,"frames":F}`.
//! * `ss7peer`: Debian's libss7 (MTP2, MTP3, ISUP; ITU or ANSI) as the far
//!   exchange of an SS7 link, on a `SOCK_SEQPACKET` socket (`--socket PATH`,
//!   or an inherited descriptor with `--fd N`) on which every datagram is one
//!   MTP2 signal unit from its BSN octet without FCS. Same style as pripeer:
//!   one line per event on stdout, commands on stdin; see below.
//! * `ss7bench`: the libss7 reference, two libss7 instances on one socketpair
//!   running complete ISUP calls; it prints one JSON line
//!   `{"impl":"libss7","transport":"socketpair","variant":"itu"|"ansi","calls":N,"cpu_us_per_call":X,"calls_per_s":Y,"signal_units":S}`.
//!
//! # pripeer
//!
//! ```text
//! pripeer --socket PATH --role net|cpe --switch euroisdn|ni2
//!         [--answer-delay-ms N] [--auto answer|reject:CAUSE|ring|none]
//!         [--hangup-after-ms N]
//! ```
//!
//! `--auto` (default `answer`) decides what happens to an incoming SETUP:
//! `answer` sends CALL PROCEEDING, ALERTING and CONNECT (the CONNECT after
//! `--answer-delay-ms`), `ring` only CALL PROCEEDING and ALERTING,
//! `reject:C` clears with cause C (RELEASE COMPLETE for causes 1, 34, 44,
//! 81 and 82, otherwise CALL PROCEEDING then DISCONNECT, because libpri
//! sends no DISCONNECT for a call it has not responded to), `none` leaves
//! it to stdin commands. `--hangup-after-ms N` clears every answered call
//! (either direction) with cause 16 N ms after the answer.
//!
//! Stdout, one line per event (`ID` is pripeer's call table index, the
//! lowest free one, reused after clearing; `N` a B-channel, -1 for any):
//!
//! | line | meaning |
//! |------|---------|
//! | `UP`, `DOWN` | the data link is established / released |
//! | `RING call=ID chan=N ani=DIGITS dnis=DIGITS complete=0\|1` | incoming SETUP; `chan` is the channel pripeer uses (0: none free, the call is rejected with cause 44) |
//! | `CALLING call=ID chan=N` | reply to `call`: the SETUP went out |
//! | `SETUP_ACK call=ID`, `PROCEEDING call=ID chan=N`, `PROGRESS call=ID` | far end's SETUP ACKNOWLEDGE, CALL PROCEEDING, PROGRESS |
//! | `RINGING call=ID`, `ANSWER call=ID` | far end's ALERTING, CONNECT |
//! | `INFO call=ID digits=DIGITS`, `KEYPAD call=ID digits=DIGITS` | overlap digits, keypad digits |
//! | `HANGUP call=ID cause=C` | the call is being cleared by the far end (DISCONNECT, RELEASE or RELEASE COMPLETE received) or was rejected outright by pripeer; once per call; `cause=0` when unknown |
//! | `HANGUP_ACK call=ID` | a clearing pripeer started, or answered with RELEASE, completed |
//! | `RESTART chan=N`, `RESTART_ACK chan=N` | RESTART received (libpri acknowledges it itself), RESTART ACKNOWLEDGE received; -1 is the whole interface |
//! | `CONNECT_ACK call=ID`, `NOTIFY chan=N info=I`, `EVENT NAME` | rarer libpri events |
//! | `ERROR text` | a bad command or a failed libpri call; never fatal |
//!
//! Prefixes overlap: `RING` is a prefix of `RINGING` and `HANGUP` of
//! `HANGUP_ACK`, so wait for `"RING call="` / `"HANGUP call="`.
//!
//! Stdin commands: `call CHAN|any NUMBER [CLI]`, `answer ID`, `ack ID` (CALL
//! PROCEEDING), `ring ID` (ALERTING), `hangup ID CAUSE`, `info ID DIGITS`,
//! `restart [CHAN]` (RESTART of one channel, or of every B-channel one after
//! the other; libpri 1.6's `pri_restart` does nothing), `quit`. pripeer exits
//! 0 on `quit` or end of stdin and 2 when the socket fails or is closed.
//! With `PRIPEER_DEBUG=1` in the environment libpri's Q.921/Q.931 dumps go
//! to stderr.
//!
//! # ss7peer
//!
//! ```text
//! ss7peer (--socket PATH | --fd N) [--variant itu|ansi] [--opc PC] [--dpc PC]
//!         [--cic-base N] [--circuits N] [--ni int|nat|0-3]
//!         [--auto answer|reject:CAUSE|none] [--answer-delay-ms N]
//! ```
//!
//! Defaults: ITU, OPC 1, DPC 2, CICs 1..30, national network. libss7 runs
//! its MTP2 on one end of a private socketpair (it writes two FCS octets
//! after each signal unit and strips two on reading); ss7peer relays between
//! that and the link socket, removing or adding those octets. Writes are
//! paced: the link is added as `SS7_TRANSPORT_DAHDIMTP2` (the same MTP2 as
//! `SS7_TRANSPORT_DAHDIDCHAN`, but `ss7_pollflags()` asks for POLLOUT only
//! when libss7 has a signal unit to send) and ss7peer writes only then, so
//! fill-in units are not repeated and nothing spins; poll's timeout is the
//! next libss7 timer. The link aligns with emergency proving.
//!
//! `--auto` (default `answer`) decides what happens to an incoming IAM:
//! `answer` sends ACM and ANM (the ANM after `--answer-delay-ms`),
//! `reject:C` sends REL with cause C, `none` leaves it to stdin commands.
//! Every incoming REL or RSC is answered with RLC, GRS with GRA (all circuits
//! idle), BLO/UBL with BLA/UBA, CGB/CGU with CGBA/CGUA.
//!
//! | line | meaning |
//! |------|---------|
//! | `MTP2_UP`, `MTP2_DOWN` | the signalling link in / out of service |
//! | `LINK_UP`, `LINK_DOWN` | the link set (MTP3) available / unavailable |
//! | `CALLING cic=N` | reply to `call`: the IAM went out |
//! | `IAM cic=N ani=DIGITS dnis=DIGITS` | incoming IAM |
//! | `ACM cic=N`, `CON cic=N`, `ANM cic=N`, `CPG cic=N event=E`, `SAM cic=N dnis=DIGITS` | far end's messages |
//! | `REL cic=N cause=C`, `RLC cic=N`, `RSC cic=N` | release, release complete, reset |
//! | `GRS cic=N range=R`, `GRA cic=N range=R` | group reset (range: CICs after N) |
//! | `BLO`, `BLA`, `UBL`, `UBA`, `UCIC` `cic=N`; `CGB`, `CGU`, `CGBA`, `CGUA` `cic=N range=R` | maintenance |
//! | `TIMEOUT cic=N cause=C` | libss7 clears a call on a timer (REL sent) |
//! | `NOT_IN_SERVICE cic=N`, `EVENT NAME` | libss7's T5 expired; any other event |
//! | `ERROR text` | a bad command or a failed libss7 call; never fatal |
//!
//! Stdin commands: `call CIC NUMBER [CLI]`, `answer CIC` (ACM if not yet
//! sent, then ANM), `ring CIC` (ACM), `hangup CIC CAUSE` (REL),
//! `grs CIC RANGE` (GRS for CIC..CIC+RANGE), `blo CIC`, `ubl CIC`, `rsc CIC`,
//! `quit`. Exit status 0 on `quit` or end of stdin, 1 on bad usage, 2 when
//! the socket fails or closes. With `SS7PEER_DEBUG=1` libss7's MTP2, MTP3
//! and ISUP dumps go to stderr. `testbench/tests/ss7_peers.rs` drives two of
//! them against each other.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// Stderr lines of a peer kept for error messages.
const STDERR_TAIL: usize = 200;

/// The testbench crate directory (holds `peers/build.sh`).
fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory the peers are built into: `$CARGO_TARGET_DIR/peers`, or
/// `<workspace>/target/peers` when that variable is not set. A relative
/// `CARGO_TARGET_DIR` is taken relative to the workspace root.
fn peers_dir() -> PathBuf {
    let workspace = manifest_dir().join("..");
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace.join(dir)
            }
        }
        _ => workspace.join("target"),
    };
    target.join("peers")
}

/// Build `pripeer`, `pribench`, `ss7peer`, `ss7bench` and `spandspbench`
/// (once per process) and return the directory that holds them.
///
/// Runs `testbench/peers/build.sh` into `target/peers/` (see the module
/// documentation for how the target directory is found). The script
/// replaces the binaries atomically, so concurrent test processes may build
/// at the same time. The result, success or failure, is cached for the rest
/// of the process.
///
/// # Errors
///
/// A message with the script's output when the build fails, e.g. when gcc,
/// `libpri-dev`, `libss7-dev` or `libspandsp-dev` is not installed.
pub fn build_peers() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(run_build).clone()
}

fn run_build() -> Result<PathBuf, String> {
    let script = manifest_dir().join("peers").join("build.sh");
    let out_dir = peers_dir();
    let output = Command::new("sh")
        .arg(&script)
        .arg(&out_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {} failed ({}):\n{}{}",
            script.display(),
            out_dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(out_dir)
}

/// A running `pripeer`: libpri as the far end of a D-channel socket.
///
/// Stdout is read on a background thread, line by line; [`PriPeer::expect`]
/// waits for lines. Stderr (libpri's own messages, and its debug output when
/// the environment has `PRIPEER_DEBUG=1`) is collected and its tail is
/// included in error messages. The child is killed when the `PriPeer` is
/// dropped.
#[derive(Debug)]
pub struct PriPeer {
    label: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
    taken: Vec<bool>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    exited: Option<ExitStatus>,
}

impl PriPeer {
    /// Build the peers if needed ([`build_peers`]) and start `pripeer` with
    /// `args`, e.g. `["--socket", path, "--role", "net", "--switch",
    /// "euroisdn", "--auto", "answer"]`.
    ///
    /// # Errors
    ///
    /// The build failure, or why the program could not be started.
    pub fn spawn(args: &[&str]) -> Result<PriPeer, String> {
        let dir = build_peers()?;
        PriPeer::spawn_from(&dir, args)
    }

    /// Start `pripeer` from the directory `dir` (as returned by
    /// [`build_peers`]) with `args`.
    ///
    /// # Errors
    ///
    /// Why the program could not be started.
    pub fn spawn_from(dir: &Path, args: &[&str]) -> Result<PriPeer, String> {
        let bin = dir.join("pripeer");
        let role = args
            .iter()
            .position(|a| *a == "--role")
            .and_then(|i| args.get(i + 1))
            .copied()
            .unwrap_or("?");
        let mut child = Command::new(&bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let label = format!("pripeer[{role} pid {}]", child.id());

        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = stdout {
            thread::Builder::new()
                .name(format!("{label} stdout"))
                .spawn(move || {
                    for line in BufReader::new(stdout).lines() {
                        let Ok(line) = line else { break };
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|e| format!("{label}: cannot start reader thread: {e}"))?;
        }
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(stderr) = stderr {
            let tail = Arc::clone(&stderr_tail);
            thread::Builder::new()
                .name(format!("{label} stderr"))
                .spawn(move || {
                    for line in BufReader::new(stderr).lines() {
                        let Ok(line) = line else { break };
                        if let Ok(mut tail) = tail.lock() {
                            if tail.len() == STDERR_TAIL {
                                tail.pop_front();
                            }
                            tail.push_back(line);
                        }
                    }
                })
                .map_err(|e| format!("{label}: cannot start stderr thread: {e}"))?;
        }
        Ok(PriPeer {
            label,
            child,
            stdin,
            lines: rx,
            seen: Vec::new(),
            taken: Vec::new(),
            stderr_tail,
            exited: None,
        })
    }

    /// Send one command line (without the newline), e.g. `call any 1234 5678`
    /// or `hangup 0 16`.
    ///
    /// # Errors
    ///
    /// When stdin was closed or the program has gone away.
    pub fn send(&mut self, cmd: &str) -> Result<(), String> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| format!("{}: stdin already closed", self.label))?;
        writeln!(stdin, "{cmd}")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("{}: cannot send {cmd:?}: {e}", self.label))
    }

    /// Wait up to `timeout` for a stdout line that starts with `prefix` and
    /// return it.
    ///
    /// Every line is returned at most once: the search covers, in order, all
    /// lines not yet returned by an earlier `expect` (including lines that
    /// arrived before this call), so independent events may be expected in
    /// any order. Prefixes are plain string prefixes: `"RING"` also matches
    /// `RINGING call=0`, use `"RING call="` to tell them apart.
    ///
    /// # Errors
    ///
    /// On timeout, or when the program's stdout ended first; the message
    /// holds every stdout line seen so far and the tail of stderr.
    pub fn expect(&mut self, prefix: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        let mut start = 0;
        loop {
            while let Ok(line) = self.lines.try_recv() {
                self.push_line(line);
            }
            if let Some(i) = (start..self.seen.len())
                .find(|&i| !self.taken[i] && self.seen[i].starts_with(prefix))
            {
                self.taken[i] = true;
                return Ok(self.seen[i].clone());
            }
            start = self.seen.len();
            let now = Instant::now();
            if now >= deadline {
                return Err(self.failure(&format!(
                    "no line starting with {prefix:?} within {timeout:?}"
                )));
            }
            match self.lines.recv_timeout(deadline - now) {
                Ok(line) => self.push_line(line),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.try_status();
                    return Err(self.failure(&format!(
                        "stdout ended ({status}) before a line starting with {prefix:?}"
                    )));
                }
            }
        }
    }

    /// Every stdout line received so far, in order (whether or not an
    /// [`PriPeer::expect`] returned it). Lines still in flight from the
    /// reader thread are collected first.
    pub fn lines_seen(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.push_line(line);
        }
        &self.seen
    }

    /// The tail of the program's stderr (at most the last 200 lines).
    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr_tail
            .lock()
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Close stdin (pripeer exits with status 0 on end of input) and wait up
    /// to `timeout` for the program to exit; returns its exit code.
    ///
    /// # Errors
    ///
    /// When it does not exit in time (it is then killed), was killed by a
    /// signal, or cannot be waited for.
    pub fn finish(&mut self, timeout: Duration) -> Result<i32, String> {
        self.stdin = None;
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.exited = Some(status);
                    return status
                        .code()
                        .ok_or_else(|| self.failure(&format!("ended by {status}")));
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Err(self.failure(&format!("did not exit within {timeout:?}")));
                }
                Err(e) => return Err(self.failure(&format!("cannot wait: {e}"))),
            }
        }
    }

    fn push_line(&mut self, line: String) {
        self.seen.push(line);
        self.taken.push(false);
    }

    fn try_status(&mut self) -> String {
        // Give the child a moment to be reaped after closing stdout.
        for _ in 0..50 {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.exited = Some(status);
                return status.to_string();
            }
            thread::sleep(Duration::from_millis(2));
        }
        "still running".to_string()
    }

    fn failure(&self, what: &str) -> String {
        let mut msg = format!("{}: {what}\n--- stdout lines seen:\n", self.label);
        for line in &self.seen {
            msg.push_str("  ");
            msg.push_str(line);
            msg.push('\n');
        }
        msg.push_str("--- stderr tail:\n");
        for line in self.stderr_tail() {
            msg.push_str("  ");
            msg.push_str(&line);
            msg.push('\n');
        }
        msg
    }
}

impl Drop for PriPeer {
    fn drop(&mut self) {
        self.stdin = None;
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
