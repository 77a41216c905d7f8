//! trunksim's external far end, driven by this test as the "outside program",
//! and trunkd's systemd notifications.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, serial, tempdir, wait_for};
use serde_json::Value;
use trunk_driver_sys::seqpacket;

struct Setup {
    dir: std::path::PathBuf,
    sim: std::process::Child,
    daemon: std::process::Child,
    socket: std::path::PathBuf,
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

fn ctl(socket: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::new(bin("trunkctl"))
        .arg("--socket")
        .arg(socket)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trunkctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn start_external() -> Setup {
    let dir = tempdir("ext");
    let sim_dir = dir.join("sim");
    let sim = Command::new(bin("trunksim"))
        .arg("--dir")
        .arg(&sim_dir)
        .args([
            "--spans",
            "1",
            "--line",
            "e1",
            "--far-end",
            "external",
            "--time",
            "realtime",
        ])
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
            "[daemon]\nsocket = \"{}\"\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\n",
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
    let setup = Setup {
        dir,
        sim,
        daemon,
        socket,
    };
    let start = Instant::now();
    loop {
        let s = &ctl(&setup.socket, &["spans"])["spans"][0];
        if s["state"] == "up" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "span not up against the external far end: {s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    setup
}

#[test]
fn external_far_end_carries_hdlc_frames_and_b_channel_octets() {
    let _g = serial();
    let s = start_external();
    let sim_dir = s.dir.join("sim");

    // D-channel: frames written to the socket arrive, FCS-checked, in trunkd's HDLC receiver.
    let mut d = seqpacket::connect(&sim_dir.join("span1/dchan"), false).unwrap();
    std::thread::sleep(Duration::from_millis(100)); // the simulator picks up connections every few ms
    for i in 0..5u8 {
        d.write_all(&[0x02, 0x01, 0x01, i, 0x7E, 0x7D, 0xFF])
            .unwrap();
    }
    let start = Instant::now();
    loop {
        let sp = &ctl(&s.socket, &["spans"])["spans"][0];
        if sp["dchannel"]["rx_frames"] == 5 {
            assert_eq!(sp["dchannel"]["fcs_errors"], 0);
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "frames did not arrive: {sp}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // B-channel: trunkd idles A-law silence on an unused timeslot, 8 octets a millisecond.
    let mut ts = seqpacket::connect(&sim_dir.join("span1/ts1"), false).unwrap();
    let mut buf = [0u8; 64];
    let n = ts.read(&mut buf).unwrap();
    assert_eq!(n, 8, "one datagram is one millisecond of one timeslot");
    assert!(
        buf[..n].iter().all(|&b| b == 0xD5),
        "idle is A-law silence: {:02x?}",
        &buf[..n]
    );

    // Loop timeslot 2 back in this program: a BERT through it must be clean.
    let ts2 = seqpacket::connect(&sim_dir.join("span1/ts2"), false).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let looper = {
        let stop = stop.clone();
        let mut rx: File = ts2;
        std::thread::spawn(move || {
            // A far end with a 50 ms jitter buffer: this thread is not real-time.
            let _ = rx.write_all(&[0xD5; 400]);
            let mut buf = [0u8; 64];
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match rx.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let _ = rx.write_all(&buf[..n]);
                    }
                }
            }
        })
    };
    // A host descheduled for more than its transmit latency underruns the
    // board (the span counts it) and the pattern slips: that is the host
    // being late, not the data path corrupting octets. Such a run is
    // repeated once; the data path must give one clean run.
    let underruns = |sock: &std::path::Path| {
        ctl(sock, &["spans"])["spans"][0]["counters"]["tx_underruns"]
            .as_u64()
            .unwrap_or(0)
    };
    let mut r = Value::Null;
    for attempt in 0..2 {
        let before = underruns(&s.socket);
        r = ctl(&s.socket, &["bert", "1/2", "--seconds", "2"]);
        let late = underruns(&s.socket) > before;
        if r["errors"] == 0 || !late {
            break;
        }
        eprintln!("attempt {attempt}: host underran the board during the BERT; repeating: {r}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(r["state"], "done");
    assert_eq!(r["in_sync"], true, "{r}");
    if r["errors"] != 0 {
        // Say which side slipped: trunkd late (tx underruns) or the far end.
        let span = &ctl(&s.socket, &["spans"])["spans"][0];
        let sim = std::process::Command::new(bin("trunksim"))
            .arg("--dir")
            .arg(&sim_dir)
            .args(["--send", r#"{"cmd":"status"}"#])
            .output()
            .unwrap();
        panic!(
            "BERT through the outside loop saw errors: {r}\nspan: {span}\nsimulator: {}",
            String::from_utf8_lossy(&sim.stdout)
        );
    }
    assert!(r["bits"].as_u64().unwrap() > 60_000, "{r}");
    drop(looper);
    drop(d);
}

#[test]
fn systemd_notifications_ready_watchdog_stopping() {
    let _g = serial();
    let dir = tempdir("notify");
    let notify = dir.join("notify.sock");
    let listener = UnixDatagram::bind(&notify).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let sim_dir = dir.join("sim");
    let mut sim = Command::new(bin("trunksim"))
        .arg("--dir")
        .arg(&sim_dir)
        .args(["--spans", "1"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(10), || sim_dir.join("irq").exists());
    let cfg = dir.join("trunkd.toml");
    std::fs::write(
        &cfg,
        format!(
            "[daemon]\nsocket = \"{}\"\n[[board]]\nname = \"b0\"\ndevice = \"sim:{}\"\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\n",
            dir.join("sock").display(),
            sim_dir.display()
        ),
    )
    .unwrap();
    // systemd sets WATCHDOG_PID to the service's main pid; `exec` keeps the shell's.
    let mut daemon = Command::new("sh")
        .arg("-c")
        .arg("WATCHDOG_PID=$$ exec \"$0\" --config \"$1\"")
        .arg(bin("trunkd"))
        .arg(&cfg)
        .env("NOTIFY_SOCKET", &notify)
        .env("WATCHDOG_USEC", "400000")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 512];
    let start = Instant::now();
    while !(seen.contains("READY=1") && seen.matches("WATCHDOG=1").count() >= 2) {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "notifications so far: {seen:?}"
        );
        if let Ok(n) = listener.recv(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            seen.push('\n');
        }
    }
    common::nix_kill(daemon.id() as i32, 15).unwrap();
    let start = Instant::now();
    while !seen.contains("STOPPING=1") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no STOPPING=1: {seen:?}"
        );
        if let Ok(n) = listener.recv(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
    let status = daemon.wait().unwrap();
    assert!(status.success(), "trunkd exit on SIGTERM: {status:?}");
    let _ = sim.kill();
    let _ = sim.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
