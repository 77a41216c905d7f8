//! Self-check of the libss7 test peers (`testbench/peers/ss7peer.c` and
//! `ss7bench.c`): they build, two `ss7peer`s joined by one SOCK_SEQPACKET
//! socketpair align the link and hold complete ISUP calls with each other
//! (ITU and ANSI), and the libss7 reference benchmark completes its calls.
//!
//! Needs gcc and libss7-dev; a missing dependency is a test failure.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use trunk_testbench::peers::build_peers;

/// Generous "give up" limit for one expected line (ITU proving is 0.5 s,
/// the link set up delay another 0.5 s).
const T: Duration = Duration::from_secs(15);

/// Spawning children while another test's link end is inheritable would
/// leak it into the wrong child: one spawn at a time.
static SPAWN: Mutex<()> = Mutex::new(());

fn peers() -> PathBuf {
    match build_peers() {
        Ok(dir) => dir,
        Err(e) => panic!("building the test peers failed:\n{e}"),
    }
}

/// A running ss7peer: stdout lines arrive on a channel.
struct Ss7Peer {
    name: &'static str,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Ss7Peer {
    /// Start ss7peer on the link end `fd` (made inheritable only for the
    /// spawn) with `args` after `--fd N`.
    fn spawn(name: &'static str, fd: &OwnedFd, args: &[&str]) -> Ss7Peer {
        let bin = peers().join("ss7peer");
        let raw = fd.as_raw_fd().to_string();
        let mut child = {
            let _guard = SPAWN.lock().unwrap_or_else(|e| e.into_inner());
            fcntl(fd.as_raw_fd(), FcntlArg::F_SETFD(FdFlag::empty())).expect("clear CLOEXEC");
            let child = Command::new(&bin)
                .arg("--fd")
                .arg(&raw)
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn();
            fcntl(fd.as_raw_fd(), FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("set CLOEXEC");
            child.unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()))
        };
        let stdout = child.stdout.take().expect("stdout piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ss7Peer {
            name,
            stdin: child.stdin.take(),
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    fn send(&mut self, cmd: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{cmd}")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("{}: cannot send {cmd:?}: {e}", self.name));
    }

    /// The next stdout line, whatever it is.
    fn next(&mut self) -> String {
        match self.lines.recv_timeout(T) {
            Ok(line) => {
                self.seen.push(line.clone());
                line
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("{}: no line within {T:?}; seen {:?}", self.name, self.seen)
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("{}: stdout ended; seen {:?}", self.name, self.seen)
            }
        }
    }

    /// The next lines are exactly `want`, in this order.
    #[track_caller]
    fn expect_seq(&mut self, want: &[&str]) {
        for w in want {
            let got = self.next();
            assert_eq!(&got, w, "{}: lines so far {:?}", self.name, self.seen);
        }
    }

    /// Nothing more was printed (no stray ERROR or event) after a short wait.
    #[track_caller]
    fn expect_quiet(&mut self) {
        if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            panic!(
                "{}: unexpected line {line:?}; seen {:?}",
                self.name, self.seen
            );
        }
    }

    /// Send `quit` and wait for the exit status.
    fn quit(mut self) -> i32 {
        self.send("quit");
        self.stdin = None;
        let deadline = Instant::now() + T;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.code().unwrap_or(-1),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                _ => {
                    let _ = self.child.kill();
                    panic!("{}: did not exit after quit", self.name);
                }
            }
        }
    }
}

impl Drop for Ss7Peer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Two ss7peers (A: point code 1, B: point code 2) on one socketpair, and
/// the test's own copies of both ends: while they are open, one peer quitting
/// does not close the other's link (which would make it exit with status 2
/// before it reads its own `quit`).
fn pair(variant: &str, a_extra: &[&str], b_extra: &[&str]) -> (Ss7Peer, Ss7Peer, [OwnedFd; 2]) {
    let (fa, fb) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .expect("socketpair");
    let mut a_args = vec!["--variant", variant, "--opc", "1", "--dpc", "2"];
    a_args.extend_from_slice(a_extra);
    let mut b_args = vec!["--variant", variant, "--opc", "2", "--dpc", "1"];
    b_args.extend_from_slice(b_extra);
    let a = Ss7Peer::spawn("A", &fa, &a_args);
    let b = Ss7Peer::spawn("B", &fb, &b_args);
    (a, b, [fa, fb])
}

fn calls_between_two_peers(variant: &str) {
    let (mut a, mut b, _ends) = pair(variant, &["--auto", "none"], &["--auto", "answer"]);
    for p in [&mut a, &mut b] {
        p.expect_seq(&["MTP2_UP", "LINK_UP"]);
    }

    // A calls B on CIC 5; B answers by itself (ACM then ANM); A clears.
    a.send("call 5 1234 5678");
    a.expect_seq(&["CALLING cic=5", "ACM cic=5", "ANM cic=5"]);
    b.expect_seq(&["IAM cic=5 ani=5678 dnis=1234"]);
    a.send("hangup 5 16");
    b.expect_seq(&["REL cic=5 cause=16"]);
    a.expect_seq(&["RLC cic=5"]);

    // B calls A on CIC 7; A answers by command; B clears with cause 17.
    b.send("call 7 999");
    b.expect_seq(&["CALLING cic=7"]);
    a.expect_seq(&["IAM cic=7 ani= dnis=999"]);
    a.send("answer 7");
    b.expect_seq(&["ACM cic=7", "ANM cic=7"]);
    b.send("hangup 7 17");
    a.expect_seq(&["REL cic=7 cause=17"]);
    b.expect_seq(&["RLC cic=7"]);

    // The circuit is idle again: the same CIC carries a new call.
    a.send("call 5 42");
    a.expect_seq(&["CALLING cic=5", "ACM cic=5", "ANM cic=5"]);
    b.expect_seq(&["IAM cic=5 ani= dnis=42"]);
    b.send("hangup 5 31");
    a.expect_seq(&["REL cic=5 cause=31"]);
    b.expect_seq(&["RLC cic=5"]);

    // Maintenance: blocking, unblocking, a bad command.
    a.send("blo 3");
    b.expect_seq(&["BLO cic=3"]);
    a.expect_seq(&["BLA cic=3"]);
    a.send("ubl 3");
    b.expect_seq(&["UBL cic=3"]);
    a.expect_seq(&["UBA cic=3"]);
    a.send("answer 99");
    a.expect_seq(&["ERROR no such cic 99"]);

    a.expect_quiet();
    b.expect_quiet();
    assert_eq!(a.quit(), 0, "A exit status");
    assert_eq!(b.quit(), 0, "B exit status");
}

#[test]
fn ss7peer_pair_itu_call_answered_and_released() {
    calls_between_two_peers("itu");
}

#[test]
fn ss7peer_pair_ansi_call_answered_and_released() {
    calls_between_two_peers("ansi");
}

#[test]
fn ss7peer_group_reset_and_reject() {
    let (mut a, mut b, _ends) = pair("itu", &["--auto", "none"], &["--auto", "reject:17"]);
    for p in [&mut a, &mut b] {
        p.expect_seq(&["MTP2_UP", "LINK_UP"]);
    }
    a.send("grs 1 29");
    b.expect_seq(&["GRS cic=1 range=29"]);
    a.expect_seq(&["GRA cic=1 range=29"]);

    // B rejects the call: user busy, then the usual RLC.
    a.send("call 12 777");
    a.expect_seq(&["CALLING cic=12", "REL cic=12 cause=17"]);
    b.expect_seq(&["IAM cic=12 ani= dnis=777", "RLC cic=12"]);
    a.expect_quiet();
    assert_eq!(a.quit(), 0, "A exit status");
    assert_eq!(b.quit(), 0, "B exit status");
}

#[test]
fn ss7peer_exits_2_when_the_link_closes() {
    let (mut a, b, ends) = pair("itu", &[], &[]);
    a.expect_seq(&["MTP2_UP", "LINK_UP"]);
    // B is killed and every other copy of its end is closed.
    drop(ends);
    drop(b);
    a.expect_seq(&["ERROR socket closed"]);
    let deadline = Instant::now() + T;
    let status = loop {
        if let Ok(Some(s)) = a.child.try_wait() {
            break s;
        }
        assert!(Instant::now() < deadline, "A did not exit");
        thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(2));
}

fn ss7bench(variant: &str) {
    let bin = peers().join("ss7bench");
    let out = Command::new(&bin)
        .args(["--calls", "1000", "--variant", variant])
        .output()
        .expect("run ss7bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ss7bench failed ({}):\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "ss7bench must print one line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("ss7bench JSON");
    assert_eq!(v["impl"], "libss7");
    assert_eq!(v["transport"], "socketpair");
    assert_eq!(v["variant"], variant);
    assert_eq!(v["calls"], 1000);
    let cpu = v["cpu_us_per_call"].as_f64().expect("cpu_us_per_call");
    assert!(cpu > 0.0, "cpu_us_per_call {cpu}");
    assert!(v["calls_per_s"].as_f64().is_some(), "calls_per_s: {v}");
    // Five MSUs per call (IAM, ACM, ANM, REL, RLC), each acknowledged.
    let sus = v["signal_units"].as_u64().expect("signal_units");
    assert!(sus >= 1000 * 10, "signal units: {sus}");
    eprintln!("{}", lines[0]);
}

#[test]
fn ss7bench_itu_completes_its_calls() {
    ss7bench("itu");
}

#[test]
fn ss7bench_ansi_completes_its_calls() {
    ss7bench("ansi");
}
