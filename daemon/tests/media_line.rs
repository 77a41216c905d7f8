//! DTMF over a real B-channel: audio made by sox is played into a timeslot
//! through trunksim's external timeslot socket and trunkd must report
//! exactly the digits ITU-T Q.24 says a receiver must detect, and none of
//! those it must reject. In the other direction, DTMF that trunkd sends is
//! captured from the timeslot and must be decoded by multimon-ng.
//!
//! sox and multimon-ng are required: a missing tool fails the test.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use common::line::{start, tool};
use common::serial;
use serde_json::{json, Value};
use trunk_driver_sys::seqpacket;
use trunk_tools::client::Client;

/// Peak of a sine at `dbm0` as a fraction of full scale (A-law: a
/// full-scale sine is +3.14 dBm0, ITU-T G.711).
fn amplitude(dbm0: f64) -> f64 {
    10f64.powf((dbm0 - full_scale_dbm0()) / 20.0)
}

/// Level of a full-scale sine in A-law, dBm0 (ITU-T G.711: +3.14).
fn full_scale_dbm0() -> f64 {
    20.0 * (32768.0 / trunkd::media::dtmf::DBM0_PEAK as f64).log10()
}

/// One test vector: a tone pair made by sox.
#[derive(Clone, Copy, Debug)]
struct Vector {
    digit: char,
    /// Level of the low-group tone, dBm0.
    low_dbm0: f64,
    /// High-group level minus low-group level, dB (negative: normal twist).
    twist_db: f64,
    /// Frequency offset of both tones, percent.
    offset_pct: f64,
    /// Tone duration, ms.
    on_ms: u32,
    /// White noise level, dBm0 (None: none).
    noise_dbm0: Option<f64>,
    /// Q.24 says: must be detected.
    accept: bool,
}

fn freqs(d: char) -> (f64, f64) {
    const LOW: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
    const HIGH: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
    const KEYS: [&str; 4] = ["123A", "456B", "789C", "*0#D"];
    for (r, k) in KEYS.iter().enumerate() {
        if let Some(c) = k.find(d) {
            return (LOW[r], HIGH[c]);
        }
    }
    panic!("not a digit: {d}");
}

/// A-law octets of the vector followed by `gap_ms` of silence (with the same noise).
fn synth(dir: &Path, v: &Vector, gap_ms: u32) -> Vec<u8> {
    let (lo, hi) = freqs(v.digit);
    let k = 1.0 + v.offset_pct / 100.0;
    let out = dir.join("vec.al");
    let tone = |secs: f64, on: bool, path: &Path| {
        let a_lo = if on { amplitude(v.low_dbm0) } else { 0.0 };
        let a_hi = if on {
            amplitude(v.low_dbm0 + v.twist_db)
        } else {
            0.0
        };
        // White noise from sox is uniform in [-1, 1]: RMS 1/sqrt(3) of full
        // scale; a 0 dBm0 sine has RMS 10^(-3.14/20)/sqrt(2).
        let a_n = v.noise_dbm0.map_or(0.0, |n| {
            10f64.powf((n - full_scale_dbm0()) / 20.0) / 2f64.sqrt() * 3f64.sqrt()
        });
        let st = tool("sox")
            .args(["-n", "-r", "8000", "-e", "a-law", "-t", "raw"])
            .arg(path)
            .args(["synth", &format!("{secs}")])
            .args(["sine", &format!("{}", lo * k)])
            .args(["sine", &format!("{}", hi * k)])
            .args(["whitenoise"])
            .args(["remix", &format!("1v{a_lo:.6},2v{a_hi:.6},3v{a_n:.6}")])
            .status()
            .unwrap();
        assert!(st.success(), "sox failed for {v:?}");
    };
    tone(v.on_ms as f64 / 1000.0, true, &out);
    let mut bytes = std::fs::read(&out).unwrap();
    tone(gap_ms as f64 / 1000.0, false, &out);
    bytes.extend(std::fs::read(&out).unwrap());
    bytes
}

fn vectors() -> Vec<Vector> {
    let base = Vector {
        digit: '0',
        low_dbm0: -10.0,
        twist_db: 0.0,
        offset_pct: 0.0,
        on_ms: 60,
        noise_dbm0: None,
        accept: true,
    };
    let mut v = Vec::new();
    // Every digit at a normal level, 60 ms on.
    for d in "0123456789*#ABCD".chars() {
        v.push(Vector { digit: d, ..base });
    }
    let accept = |digit, f: &dyn Fn(Vector) -> Vector| f(Vector { digit, ..base });
    let reject = |digit, f: &dyn Fn(Vector) -> Vector| {
        f(Vector {
            digit,
            accept: false,
            ..base
        })
    };
    // Levels: -25 dBm0 per tone must work; -45 dBm0 is below any receiver's range.
    v.push(accept('5', &|x| Vector {
        low_dbm0: -25.0,
        ..x
    }));
    v.push(reject('5', &|x| Vector {
        low_dbm0: -45.0,
        ..x
    }));
    // Frequency: within 1.5 % accepted, beyond 3.5 % rejected.
    v.push(accept('1', &|x| Vector {
        offset_pct: 1.4,
        ..x
    }));
    v.push(accept('9', &|x| Vector {
        offset_pct: -1.4,
        ..x
    }));
    v.push(reject('1', &|x| Vector {
        offset_pct: 4.0,
        ..x
    }));
    v.push(reject('9', &|x| Vector {
        offset_pct: -4.0,
        ..x
    }));
    // Twist: normal up to 8 dB and reverse up to 4 dB accepted.
    v.push(accept('3', &|x| Vector {
        twist_db: -7.5,
        ..x
    }));
    v.push(accept('7', &|x| Vector { twist_db: 3.5, ..x }));
    v.push(reject('3', &|x| Vector {
        twist_db: -14.0,
        ..x
    }));
    v.push(reject('7', &|x| Vector {
        twist_db: 10.0,
        ..x
    }));
    // Duration: 40 ms accepted, under 23 ms rejected.
    v.push(accept('#', &|x| Vector { on_ms: 42, ..x }));
    v.push(reject('#', &|x| Vector { on_ms: 18, ..x }));
    // Noise: a -10 dBm0 digit in -35 dBm0 white noise.
    v.push(accept('8', &|x| Vector {
        noise_dbm0: Some(-35.0),
        ..x
    }));
    v
}

fn subscribe(socket: &Path) -> Client {
    let mut c = Client::connect(socket).unwrap();
    c.set_timeout(Duration::from_secs(5));
    c.request("subscribe", json!({"events": ["digit", "dtmf_sent"]}))
        .unwrap();
    c
}

#[test]
fn sox_dtmf_into_a_b_channel_is_detected_exactly_as_q24_says() {
    let _g = serial();
    let s = start(false);
    let mut c = subscribe(&s.socket);
    c.request("media_open", json!({"span": 1, "timeslot": 5}))
        .unwrap();
    let work = s.dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let vs = vectors();
    let mut audio = vec![0xD5u8; 800];
    let mut expected = String::new();
    for v in &vs {
        audio.extend(synth(&work, v, 150));
        if v.accept {
            expected.push(v.digit);
        }
    }
    audio.extend([0xD5u8; 800]);

    let mut ts = seqpacket::connect(&s.sim_dir.join("span1/ts5"), false).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // Pace the audio at line rate, a little ahead (the simulator buffers 1 s).
    let start = Instant::now();
    let mut sent = 0usize;
    let mut got = String::new();
    while sent < audio.len() {
        let due = 1600 + start.elapsed().as_millis() as usize * 8;
        while sent < audio.len().min(due) {
            let n = 80.min(audio.len() - sent);
            ts.write_all(&audio[sent..sent + n]).unwrap();
            sent += n;
        }
        while let Some(e) = c.next_event(Some(Duration::from_millis(20))).unwrap() {
            if e["event"] == "digit" {
                assert_eq!(e["span"], 1);
                assert_eq!(e["timeslot"], 5);
                got.push_str(e["digit"].as_str().unwrap());
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Some(e) = c.next_event(Some(Duration::from_millis(100))).unwrap() {
            if e["event"] == "digit" {
                got.push_str(e["digit"].as_str().unwrap());
            }
        }
    }
    assert_eq!(
        got, expected,
        "digits detected vs. the ones Q.24 requires (vectors: {vs:#?})"
    );
}

fn decode_with_multimon(dir: &Path, alaw: &[u8]) -> String {
    let al = dir.join("captured.al");
    let raw = dir.join("captured.raw");
    std::fs::write(&al, alaw).unwrap();
    let st = tool("sox")
        .args(["-t", "raw", "-r", "8000", "-e", "a-law", "-c", "1"])
        .arg(&al)
        .args([
            "-t", "raw", "-r", "22050", "-e", "signed", "-b", "16", "-c", "1",
        ])
        .arg(&raw)
        .status()
        .unwrap();
    assert!(st.success());
    let out = tool("multimon-ng")
        .args(["-q", "-a", "DTMF", "-t", "raw"])
        .arg(&raw)
        .output()
        .unwrap();
    assert!(out.status.success(), "multimon-ng failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("DTMF: "))
        .map(str::trim)
        .collect()
}

#[test]
fn dtmf_sent_by_trunkd_is_decoded_by_multimon_ng() {
    let _g = serial();
    let s = start(false);
    let mut c = subscribe(&s.socket);
    let mut ts = seqpacket::connect(&s.sim_dir.join("span1/ts7"), false).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let digits = "0123456789*#ABCD";
    let r = c
        .request(
            "send_dtmf",
            json!({"span": 1, "timeslot": 7, "digits": digits, "on_ms": 80, "off_ms": 80}),
        )
        .unwrap();
    let id = r["media_id"].clone();
    // 16 x 160 ms = 2.56 s of DTMF.
    let mut captured = Vec::new();
    let mut done = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 64];
    while Instant::now() < deadline && !(done && captured.len() > 8 * 3000) {
        let n = ts.read(&mut buf).unwrap();
        captured.extend_from_slice(&buf[..n]);
        while let Some(e) = c.next_event(Some(Duration::ZERO)).unwrap() {
            if e["event"] == "dtmf_sent" && e["media_id"] == id {
                assert_eq!(e["stopped"], false, "{e}");
                done = true;
            }
        }
    }
    let loud = captured.iter().filter(|&&b| b != 0xD5).count();
    assert!(
        done,
        "no dtmf_sent event ({} octets captured, {loud} not silence)",
        captured.len()
    );
    let work = s.dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let decoded = decode_with_multimon(&work, &captured);
    assert_eq!(decoded, digits, "multimon-ng's reading of our DTMF");
    // The channel goes back to idle afterwards.
    let tail = &captured[captured.len() - 80..];
    assert!(tail.iter().all(|&b| b == 0xD5), "idle after: {tail:02x?}");
}

#[test]
fn media_requests_are_checked() {
    let _g = serial();
    let s = start(false);
    let mut c = subscribe(&s.socket);
    for (args, code) in [
        (json!({"span": 1, "timeslot": 16}), "not_found"),
        (json!({"span": 9, "timeslot": 1}), "not_found"),
        (json!({"span": 1}), "bad_request"),
        (json!({"call": 4242}), "not_found"),
    ] {
        let mut a = args.clone();
        a["digits"] = json!("1");
        let e = c.request("send_dtmf", a).unwrap_err().to_string();
        assert!(e.contains(code), "{args}: {e}");
    }
    let e = c
        .request(
            "send_dtmf",
            json!({"span": 1, "timeslot": 1, "digits": "12x"}),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid_argument") && e.contains('x'), "{e}");
    let e = c
        .request(
            "collect",
            json!({"span": 1, "timeslot": 1, "max_digits": 99}),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("max_digits"), "{e}");
    // The connection is still usable.
    let v: Value = c.request("status", Value::Null).unwrap();
    assert!(v["boards"][0]["media"].is_object(), "{v}");
}
