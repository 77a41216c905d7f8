//! Self-check of the libpri test peers (`trunk_testbench::peers`): they build,
//! the reference benchmark completes its calls, and two `pripeer`s (network
//! and CPE) hold complete calls with each other through a relay of LAPD
//! datagrams, for EuroISDN and NI-2.
//!
//! Needs gcc and libpri-dev; a missing dependency is a test failure.

use std::fs::{self, File};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use trunk_driver_sys::seqpacket::SeqpacketListener;
use trunk_testbench::peers::{build_peers, PriPeer};

const T: Duration = Duration::from_secs(10);

fn peers() -> PathBuf {
    match build_peers() {
        Ok(dir) => dir,
        Err(e) => panic!("building the libpri peers failed:\n{e}"),
    }
}

/// A fresh directory for sockets (Unix socket paths must stay short).
fn scratch(tag: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "pri-{tag}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn accept(listener: &SeqpacketListener, who: &str) -> File {
    let deadline = Instant::now() + T;
    loop {
        if let Some(file) = listener.accept() {
            return file;
        }
        assert!(Instant::now() < deadline, "{who} pripeer never connected");
        thread::sleep(Duration::from_millis(2));
    }
}

/// What the relay thread hands back: the frames it copied and both
/// connections, still open (closing one would make its pripeer exit with
/// status 2 before it reads its `quit`).
type RelayEnd = (u64, File, File);

/// Copy datagrams between two accepted connections until either side
/// closes or `stop` is set.
fn relay(a: File, b: File, stop: Arc<AtomicBool>) -> JoinHandle<RelayEnd> {
    thread::spawn(move || {
        let (mut a, mut b) = (a, b);
        let frames = copy_frames(&mut a, &mut b, &stop);
        (frames, a, b)
    })
}

fn copy_frames(a: &mut File, b: &mut File, stop: &AtomicBool) -> u64 {
    let mut buf = [0u8; 1024];
    let mut frames = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let (ra, rb) = {
            let mut fds = [
                PollFd::new(a.as_fd(), PollFlags::POLLIN),
                PollFd::new(b.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::from(50u16)) {
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => panic!("relay poll: {e}"),
            }
            let ready = |fd: &PollFd| !fd.revents().unwrap_or(PollFlags::empty()).is_empty();
            (ready(&fds[0]), ready(&fds[1]))
        };
        for (ready, from_a) in [(ra, true), (rb, false)] {
            if !ready {
                continue;
            }
            let (src, dst): (&mut File, &mut File) = if from_a {
                (&mut *a, &mut *b)
            } else {
                (&mut *b, &mut *a)
            };
            loop {
                match src.read(&mut buf) {
                    Ok(0) => return frames,
                    Ok(n) => {
                        frames += 1;
                        write_all_datagram(dst, &buf[..n]);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => return frames,
                }
            }
        }
    }
    frames
}

fn write_all_datagram(dst: &mut File, frame: &[u8]) {
    let deadline = Instant::now() + T;
    loop {
        match dst.write(frame) {
            Ok(n) => {
                assert_eq!(n, frame.len(), "short datagram write");
                return;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_micros(200));
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            // The other side went away; the test will report it.
            Err(_) => return,
        }
    }
}

/// A network-side and a CPE-side pripeer joined by a relay.
struct Pair {
    net: PriPeer,
    cpe: PriPeer,
    stop: Arc<AtomicBool>,
    relay: Option<JoinHandle<RelayEnd>>,
    dir: PathBuf,
}

impl Pair {
    fn start(switch: &str, net_extra: &[&str], cpe_extra: &[&str]) -> Pair {
        let bins = peers();
        let dir = scratch(switch);
        let net_path = dir.join("net");
        let cpe_path = dir.join("cpe");
        let net_listener = SeqpacketListener::bind(&net_path).expect("bind net socket");
        let cpe_listener = SeqpacketListener::bind(&cpe_path).expect("bind cpe socket");
        let net = spawn(&bins, &net_path, "net", switch, net_extra);
        let cpe = spawn(&bins, &cpe_path, "cpe", switch, cpe_extra);
        let a = accept(&net_listener, "net");
        let b = accept(&cpe_listener, "cpe");
        let stop = Arc::new(AtomicBool::new(false));
        let relay = Some(relay(a, b, Arc::clone(&stop)));
        Pair {
            net,
            cpe,
            stop,
            relay,
            dir,
        }
    }

    fn up(&mut self) {
        ok(self.net.expect("UP", T));
        ok(self.cpe.expect("UP", T));
    }

    /// Quit both peers, check they exit 0, return the frames relayed.
    fn finish(mut self) -> u64 {
        ok(self.cpe.send("quit"));
        ok(self.net.send("quit"));
        assert_eq!(ok(self.cpe.finish(T)), 0, "cpe exit status");
        assert_eq!(ok(self.net.finish(T)), 0, "net exit status");
        self.stop.store(true, Ordering::Relaxed);
        self.relay
            .take()
            .map(|h| h.join().expect("relay thread panicked").0)
            .unwrap_or(0)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn spawn(bins: &Path, sock: &Path, role: &str, switch: &str, extra: &[&str]) -> PriPeer {
    let sock = sock.to_str().expect("utf-8 path");
    let mut args = vec!["--socket", sock, "--role", role, "--switch", switch];
    args.extend_from_slice(extra);
    ok(PriPeer::spawn_from(bins, &args))
}

#[track_caller]
fn ok<V>(r: Result<V, String>) -> V {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// The value of `key=` in an event line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ')
        .find_map(|w| w.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
}

#[test]
fn peers_build() {
    let dir = peers();
    for bin in ["pripeer", "pribench"] {
        assert!(
            dir.join(bin).is_file(),
            "{bin} missing in {}",
            dir.display()
        );
    }
}

fn pribench(extra: &[&str]) -> serde_json::Value {
    let bin = peers().join("pribench");
    let out = Command::new(&bin)
        .args(["--calls", "2000"])
        .args(extra)
        .output()
        .expect("run pribench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pribench {extra:?} failed ({}):\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "pribench must print one line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("pribench JSON");
    assert_eq!(v["impl"], "libpri");
    assert_eq!(v["calls"], 2000);
    let cpu = v["cpu_us_per_call"].as_f64().expect("cpu_us_per_call");
    assert!(cpu > 0.0, "cpu_us_per_call {cpu}");
    let frames = v["frames"].as_u64().expect("frames");
    assert!(frames >= 2000 * 8, "at least 8 I-frames per call: {frames}");
    eprintln!("{}", lines[0]);
    v
}

#[test]
fn pribench_memory() {
    let v = pribench(&[]);
    assert_eq!(v["transport"], "memory");
}

#[test]
fn pribench_socketpair() {
    let v = pribench(&["--socketpair"]);
    assert_eq!(v["transport"], "socketpair");
}

fn basic_call(switch: &str) {
    let mut p = Pair::start(switch, &["--auto", "answer"], &["--auto", "none"]);
    p.up();

    ok(p.cpe.send("call any 1234 5678"));
    let calling = ok(p.cpe.expect("CALLING call=0", T));
    assert_eq!(field(&calling, "chan"), Some("-1"), "{calling}");

    let ring = ok(p.net.expect("RING call=", T));
    assert_eq!(field(&ring, "dnis"), Some("1234"), "{ring}");
    assert_eq!(field(&ring, "ani"), Some("5678"), "{ring}");
    assert_eq!(
        field(&ring, "chan"),
        Some("1"),
        "network picks the first B-channel: {ring}"
    );

    let proceeding = ok(p.cpe.expect("PROCEEDING call=0", T));
    assert_eq!(field(&proceeding, "chan"), Some("1"), "{proceeding}");
    ok(p.cpe.expect("RINGING call=0", T));
    ok(p.cpe.expect("ANSWER call=0", T));

    ok(p.cpe.send("hangup 0 16"));
    let cpe_hangup = ok(p.cpe.expect("HANGUP call=0", T));
    let net_hangup = ok(p.net.expect("HANGUP call=0", T));
    assert_eq!(field(&cpe_hangup, "cause"), Some("16"), "{cpe_hangup}");
    assert_eq!(field(&net_hangup, "cause"), Some("16"), "{net_hangup}");
    // The side that received DISCONNECT finishes on RELEASE COMPLETE.
    ok(p.net.expect("HANGUP_ACK call=0", T));

    // The call slot is free again.
    ok(p.cpe.send("call 3 42"));
    ok(p.cpe.expect("CALLING call=0 chan=3", T));
    ok(p.net.expect("RING call=0 chan=3", T));
    ok(p.cpe.expect("ANSWER call=0", T));
    ok(p.net.send("hangup 0 16"));
    ok(p.cpe.expect("HANGUP call=0", T));
    ok(p.net.expect("HANGUP call=0", T));

    let seen = p.cpe.lines_seen().to_vec();
    assert!(!seen.iter().any(|l| l.starts_with("ERROR")), "{seen:?}");
    let seen = p.net.lines_seen().to_vec();
    assert!(!seen.iter().any(|l| l.starts_with("ERROR")), "{seen:?}");
    let frames = p.finish();
    assert!(frames >= 20, "frames relayed: {frames}");
}

#[test]
fn pripeer_pair_euroisdn() {
    basic_call("euroisdn");
}

#[test]
fn pripeer_pair_ni2() {
    basic_call("ni2");
}

#[test]
fn pripeer_reject_restart_and_timers() {
    let mut p = Pair::start(
        "euroisdn",
        &["--auto", "reject:17"],
        &[
            "--auto",
            "answer",
            "--answer-delay-ms",
            "50",
            "--hangup-after-ms",
            "100",
        ],
    );
    p.up();

    // The network rejects the CPE's call (user busy).
    ok(p.cpe.send("call 5 999 1000"));
    ok(p.net.expect("RING call=0 chan=5", T));
    let h = ok(p.cpe.expect("HANGUP call=0", T));
    assert_eq!(field(&h, "cause"), Some("17"), "{h}");
    ok(p.net.expect("HANGUP call=0 cause=17", T));

    // A network-originated call: the CPE answers after 50 ms and hangs up
    // 100 ms after answering.
    ok(p.net.send("call any 777 888"));
    ok(p.net.expect("CALLING call=", T));
    let ring = ok(p.cpe.expect("RING call=", T));
    assert_eq!(field(&ring, "dnis"), Some("777"), "{ring}");
    ok(p.net.expect("ANSWER call=", T));
    let h = ok(p.net.expect("HANGUP call=", T));
    assert_eq!(field(&h, "cause"), Some("16"), "{h}");

    // RESTART of one channel is acknowledged.
    ok(p.net.send("restart 7"));
    ok(p.cpe.expect("RESTART chan=7", T));
    ok(p.net.expect("RESTART_ACK chan=7", T));

    // Bad commands are reported, not fatal.
    ok(p.net.send("answer 42"));
    ok(p.net.expect("ERROR no such call", T));
    p.finish();
}
