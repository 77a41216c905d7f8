//! Bridges, conferences, supervision, prompts and recordings on real
//! B-channels: tones are injected through trunksim's external timeslot
//! sockets and measured where they come out, on the same span, another span
//! and another board.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::line::{start_boards, start_with, tool, Setup};
use common::serial;
use serde_json::{json, Value};
use trunk_driver_sys::seqpacket;
use trunk_tools::client::Client;
use trunkd::media::dtmf::DBM0_PEAK;
use trunkd::media::g711::{alaw_to_linear, linear_to_alaw};

type Ch = (usize, usize);

fn client(s: &Setup) -> Client {
    let mut c = Client::connect(&s.socket).unwrap();
    c.set_timeout(Duration::from_secs(5));
    c
}

fn chan(c: Ch) -> Value {
    json!({"span": c.0, "timeslot": c.1})
}

fn with(mut a: Value, key: &str, b: Value) -> Value {
    a[key] = b;
    a
}

/// A-law octets of a sine at `dbm0`.
fn tone(freq: f64, dbm0: f64, ms: usize) -> Vec<u8> {
    let amp = DBM0_PEAK as f64 * 10f64.powf(dbm0 / 20.0);
    (0..ms * 8)
        .map(|n| {
            let x = amp * (2.0 * std::f64::consts::PI * freq * n as f64 / 8000.0).sin();
            linear_to_alaw(x.round() as i16)
        })
        .collect()
}

/// Level in dBm0 of `freq` in A-law octets (Goertzel over all of them).
fn level(alaw: &[u8], freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / 8000.0;
    let (mut re, mut im) = (0.0, 0.0);
    for (n, &b) in alaw.iter().enumerate() {
        let x = alaw_to_linear(b) as f64;
        re += x * (w * n as f64).cos();
        im += x * (w * n as f64).sin();
    }
    let amp = 2.0 * (re * re + im * im).sqrt() / alaw.len() as f64;
    20.0 * (amp.max(1e-3) / DBM0_PEAK as f64).log10()
}

/// Inject tones on some channels (1.2 s) while capturing others; returns
/// each capture's middle 400 ms.
fn probe(s: &Setup, inject: &[(Ch, f64)], listen: &[Ch]) -> Vec<Vec<u8>> {
    // The simulator takes one connection per timeslot: share it.
    let mut socks: Vec<(Ch, File)> = Vec::new();
    for c in inject.iter().map(|(c, _)| *c).chain(listen.iter().copied()) {
        if !socks.iter().any(|(k, _)| *k == c) {
            socks.push((
                c,
                seqpacket::connect(&s.ts_socket(c.0, c.1), false).unwrap(),
            ));
        }
    }
    let sock = |c: Ch| socks.iter().find(|(k, _)| *k == c).map(|(_, f)| f).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let handles: Vec<_> = listen
        .iter()
        .map(|&c| {
            let mut r = sock(c).try_clone().unwrap();
            std::thread::spawn(move || {
                let start = Instant::now();
                let mut got = Vec::new();
                let mut buf = [0u8; 64];
                while start.elapsed() < Duration::from_millis(1300) {
                    match r.read(&mut buf) {
                        Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                        _ => break,
                    }
                }
                got
            })
        })
        .collect();
    for (c, f) in inject {
        let mut w = sock(*c);
        for chunk in tone(*f, -10.0, 900).chunks(80) {
            w.write_all(chunk).unwrap();
        }
    }
    let out = handles
        .into_iter()
        .map(|h| {
            let got = h.join().unwrap();
            assert!(got.len() > 8 * 900, "captured only {} octets", got.len());
            got[8 * 400..8 * 800].to_vec()
        })
        .collect();
    drop(socks);
    // Let the simulator notice the hang-ups before the next probe connects.
    std::thread::sleep(Duration::from_millis(100));
    out
}

/// Level of `freq` in a capture: the median over 50 ms windows, so that a
/// slip (a frame lost or repeated between two boards' independent clocks
/// on a loaded host) spoils one window, not the measurement.
fn heard(capture: &[u8], freq: f64) -> f64 {
    let mut l: Vec<f64> = capture.chunks_exact(400).map(|w| level(w, freq)).collect();
    l.sort_by(f64::total_cmp);
    l[l.len() / 2]
}

fn assert_level(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() < 0.5,
        "{what}: {got:.2} dBm0, expected {want:.2}"
    );
}

/// The board threads allocated nothing while all of that went on.
fn assert_no_hot_path_allocations(c: &mut Client) {
    let v = c.request("status", Value::Null).unwrap();
    assert_eq!(v["hot_path_allocations"], 0, "{v}");
}

fn assert_silent(what: &str, got: f64) {
    assert!(got < -50.0, "{what}: heard at {got:.1} dBm0");
}

#[test]
fn bridges_carry_audio_across_spans_and_boards_at_the_right_level() {
    let _g = serial();
    let s = start_boards(2, 2, false, "");
    let mut c = client(&s);
    // Same board, other span; and across boards.
    for (a, b) in [((1, 1), (2, 3)), ((1, 5), (3, 7))] {
        c.request("bridge", with(chan(a), "with", chan(b))).unwrap();
        let got = probe(&s, &[(a, 1000.0), (b, 700.0)], &[a, b]);
        assert_level(&format!("{a:?} -> {b:?}"), heard(&got[1], 1000.0), -10.0);
        assert_level(&format!("{b:?} -> {a:?}"), heard(&got[0], 700.0), -10.0);
        assert_silent("own voice", heard(&got[0], 1000.0));
    }
    let v = c.request("conferences", Value::Null).unwrap();
    assert_eq!(v["conferences"].as_array().unwrap().len(), 2, "{v}");
    let remote: Vec<bool> = v["conferences"][1]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["remote"].as_bool().unwrap())
        .collect();
    assert!(remote.contains(&true), "cross-board party: {v}");
    // Taking a bridge apart silences it.
    c.request("unbridge", chan((1, 5))).unwrap();
    let got = probe(&s, &[((1, 5), 1000.0)], &[(3, 7)]);
    assert_silent("after unbridge", heard(&got[0], 1000.0));
    assert_no_hot_path_allocations(&mut c);
}

#[test]
fn conference_mute_deaf_kick_and_supervision() {
    let _g = serial();
    let s = start_boards(2, 1, false, "");
    let mut c = client(&s);
    let (a, b, d, r) = ((1, 1), (1, 2), (1, 3), (2, 4));
    for p in [a, b, d, r] {
        c.request(
            "conference_join",
            with(chan(p), "conference", json!("room")),
        )
        .unwrap();
    }
    let got = probe(&s, &[(a, 1000.0)], &[b, d, r]);
    for (g, who) in got.iter().zip(["b", "d", "remote r"]) {
        assert_level(who, heard(g, 1000.0), -10.0);
    }
    // Muted: nobody hears a; deaf: d hears nothing of b.
    c.request("conference_set", with(chan(a), "muted", json!(true)))
        .unwrap();
    c.request("conference_set", with(chan(d), "deaf", json!(true)))
        .unwrap();
    let got = probe(&s, &[(a, 1000.0), (b, 700.0)], &[b, d, r]);
    assert_silent("muted a at b", heard(&got[0], 1000.0));
    assert_silent("muted a at r", heard(&got[2], 1000.0));
    assert_silent("b at deaf d", heard(&got[1], 700.0));
    assert_level("b at r", heard(&got[2], 700.0), -10.0);
    // Kick r: it hears nothing more.
    c.request("conference_leave", chan(r)).unwrap();
    let got = probe(&s, &[(b, 700.0)], &[r]);
    assert_silent("kicked r", heard(&got[0], 700.0));

    // Supervision of a caller-agent bridge (the supervisor on the other board).
    let (caller, agent, sup) = ((1, 10), (1, 11), (2, 12));
    c.request("bridge", with(chan(caller), "with", chan(agent)))
        .unwrap();
    let all = [(caller, 700.0), (agent, 1100.0), (sup, 1500.0)];
    let listen = [caller, agent, sup];
    c.request(
        "monitor",
        json!({"span": sup.0, "timeslot": sup.1, "target": chan(agent), "mode": "listen"}),
    )
    .unwrap();
    let got = probe(&s, &all, &listen);
    assert_level("listen: sup hears caller", heard(&got[2], 700.0), -10.0);
    assert_level("listen: sup hears agent", heard(&got[2], 1100.0), -10.0);
    assert_silent("listen: caller hears sup", heard(&got[0], 1500.0));
    assert_silent("listen: agent hears sup", heard(&got[1], 1500.0));
    c.request(
        "monitor",
        json!({"span": sup.0, "timeslot": sup.1, "target": chan(agent), "mode": "whisper"}),
    )
    .unwrap();
    let got = probe(&s, &all, &listen);
    assert_level("whisper: agent hears sup", heard(&got[1], 1500.0), -10.0);
    assert_silent("whisper: caller hears sup", heard(&got[0], 1500.0));
    assert_level("whisper: caller hears agent", heard(&got[0], 1100.0), -10.0);
    c.request(
        "monitor",
        json!({"span": sup.0, "timeslot": sup.1, "target": chan(agent), "mode": "barge"}),
    )
    .unwrap();
    let got = probe(&s, &all, &listen);
    assert_level("barge: caller hears sup", heard(&got[0], 1500.0), -10.0);
    assert_level("barge: agent hears sup", heard(&got[1], 1500.0), -10.0);
    assert_level("barge: sup hears caller", heard(&got[2], 700.0), -10.0);
    assert_no_hot_path_allocations(&mut c);
}

fn wait_event(c: &mut Client, kind: &str, secs: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Some(e) = c.next_event(Some(Duration::from_millis(100))).unwrap() {
            if e["event"] == kind {
                return e;
            }
        }
    }
    panic!("no {kind} event");
}

fn media_setup() -> Setup {
    let dir = common::tempdir("media-files");
    let prompts = dir.join("prompts");
    let recs = dir.join("recordings");
    std::fs::create_dir_all(&prompts).unwrap();
    std::fs::create_dir_all(&recs).unwrap();
    let st = tool("sox")
        .args(["-n", "-r", "8000", "-c", "1", "-e", "a-law"])
        .arg(prompts.join("beep.wav"))
        .args(["synth", "0.5", "sine", "1000", "vol", "0.3"])
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::write(prompts.join("bad.wav"), b"RIFF....WAVEjunk").unwrap();
    start_with(
        false,
        &format!(
            "[media]\nprompt_dir = \"{}\"\nrecord_dir = \"{}\"\n",
            prompts.display(),
            recs.display()
        ),
    )
}

fn media_dirs(s: &Setup) -> (std::path::PathBuf, std::path::PathBuf) {
    let cfg = std::fs::read_to_string(s.dir.join("trunkd.toml")).unwrap();
    let get = |k: &str| {
        let line = cfg.lines().find(|l| l.starts_with(k)).unwrap();
        std::path::PathBuf::from(line.split('"').nth(1).unwrap())
    };
    (get("prompt_dir"), get("record_dir"))
}

#[test]
fn prompts_play_and_recordings_are_written() {
    let _g = serial();
    let s = media_setup();
    let (_, recs) = media_dirs(&s);
    let mut c = client(&s);
    c.request(
        "subscribe",
        json!({"events": ["play_done", "record_done", "record_failed"]}),
    )
    .unwrap();
    // An unplayable prompt is refused before anything reaches the line.
    let e = c
        .request(
            "play",
            json!({"span": 1, "timeslot": 4, "prompts": ["bad"]}),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.wav"), "{e}");
    let e = c
        .request(
            "play",
            json!({"span": 1, "timeslot": 4, "prompts": ["../etc/passwd"]}),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid_argument"), "{e}");

    // Play: the tone comes out of the timeslot, then play_done.
    let mut ts = seqpacket::connect(&s.ts_socket(1, 4), false).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let r = c
        .request(
            "play",
            json!({"span": 1, "timeslot": 4, "prompts": ["beep", {"silence_ms": 200}, "beep.wav"]}),
        )
        .unwrap();
    assert_eq!(r["duration_ms"], 1200);
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.len() < 8 * 1500 {
        let n = ts.read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    let e = wait_event(&mut c, "play_done", 5);
    assert_eq!(e["reason"], "finished", "{e}");
    assert_eq!(e["media_id"], r["media_id"]);
    // sox "vol 0.3": a sine of 0.3 full scale is +3.14 - 10.46 dBm0.
    let loud: Vec<usize> = got
        .chunks(400)
        .enumerate()
        .filter(|(_, w)| level(w, 1000.0) > -10.0)
        .map(|(i, _)| i)
        .collect();
    // 2 x 500 ms of tone = 20 windows of 50 ms (give or take the edges).
    assert!((18..=21).contains(&loud.len()), "tone windows: {loud:?}");

    // trunkctl's media commands: play and wait for the end.
    let out = std::process::Command::new(common::bin("trunkctl"))
        .arg("--socket")
        .arg(&s.socket)
        .args(["play", "1/4", "beep", "--wait"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("reason=finished") && text.contains("played_ms=500"),
        "{text}"
    );

    // trunkctl collect: digits played into the timeslot come back as text.
    let collect = std::process::Command::new(common::bin("trunkctl"))
        .arg("--socket")
        .arg(&s.socket)
        .args(["collect", "1/9", "--max", "4", "--term", "#"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut g = trunkd::media::dtmf::DtmfGenerator::default();
    g.push_digits("42#").unwrap();
    let mut pcm = vec![0i16; g.remaining_samples()];
    g.generate(&mut pcm);
    let mut d = seqpacket::connect(&s.ts_socket(1, 9), false).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let alaw: Vec<u8> = pcm.iter().map(|&x| linear_to_alaw(x)).collect();
    for chunk in alaw.chunks(80) {
        d.write_all(chunk).unwrap();
    }
    let out = collect.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "42\t(terminator)\n");

    // Record stereo while tones come in: max duration ends it.
    let mut inj = seqpacket::connect(&s.ts_socket(1, 6), false).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    for chunk in tone(700.0, -10.0, 900).chunks(80) {
        inj.write_all(chunk).unwrap();
    }
    let r = c
        .request(
            "record",
            json!({"span": 1, "timeslot": 6, "file": "call-1", "channels": "stereo", "max_ms": 500}),
        )
        .unwrap();
    let e = wait_event(&mut c, "record_done", 5);
    assert_eq!(e["reason"], "max_duration", "{e}");
    assert_eq!(e["media_id"], r["media_id"]);
    let path = recs.join("call-1.wav");
    assert_eq!(e["path"], json!(path));
    let mut wav = hound::WavReader::open(&path).unwrap();
    assert_eq!(wav.spec().channels, 2);
    assert_eq!(wav.spec().sample_rate, 8000);
    let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
    assert_eq!(samples.len(), 2 * 4000, "500 ms stereo");
    let left: Vec<u8> = samples
        .iter()
        .step_by(2)
        .map(|&x| linear_to_alaw(x))
        .collect();
    assert_level("recorded caller (left)", level(&left[800..], 700.0), -10.0);

    // A recording that cannot be written is reported; the channel goes on.
    c.request(
        "record",
        json!({"span": 1, "timeslot": 6, "file": "no/such/dir/x.wav"}),
    )
    .unwrap();
    let e = wait_event(&mut c, "record_failed", 5);
    assert!(e["error"].as_str().unwrap().contains("no/such/dir"), "{e}");
    c.request(
        "play",
        json!({"span": 1, "timeslot": 6, "prompts": ["beep"]}),
    )
    .unwrap();
    assert_eq!(wait_event(&mut c, "play_done", 5)["reason"], "finished");
    assert_no_hot_path_allocations(&mut c);
}

#[test]
fn call_progress_tones_go_out_on_the_line_and_are_recognised_coming_back() {
    let _g = serial();
    let s = start_with(false, "");
    let mut c = client(&s);
    c.request(
        "subscribe",
        json!({"events": ["tone_done", "tone_detected"]}),
    )
    .unwrap();
    let e = c
        .request("tone", json!({"span": 1, "timeslot": 8, "tone": "purple"}))
        .unwrap_err()
        .to_string();
    assert!(e.contains("busy"), "the error lists the tones: {e}");

    // ETSI busy (E1 default plan): 425 Hz, 0.5 s on / 0.5 s off.
    let mut out = seqpacket::connect(&s.ts_socket(1, 8), false).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    c.request(
        "tone",
        json!({"span": 1, "timeslot": 8, "tone": "busy", "max_ms": 3000}),
    )
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.len() < 8 * 3300 {
        let n = out.read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    let e = wait_event(&mut c, "tone_done", 5);
    assert_eq!(e["stopped"], false, "{e}");
    let on: Vec<bool> = got
        .chunks_exact(400)
        .map(|w| level(w, 425.0) > -20.0)
        .collect();
    let count = on.iter().filter(|&&x| x).count();
    assert!(
        (28..=32).contains(&count),
        "3 s of busy is 1.5 s of tone: {on:?}"
    );
    let changes = on.windows(2).filter(|w| w[0] != w[1]).count();
    assert!((5..=7).contains(&changes), "0.5 s cadence: {on:?}");

    // What we sent, played into another timeslot, is recognised as busy.
    c.request(
        "detect_progress",
        json!({"span": 1, "timeslot": 9, "on": true}),
    )
    .unwrap();
    let mut inj = seqpacket::connect(&s.ts_socket(1, 9), false).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let start = Instant::now();
    let mut sent = 0;
    while sent < got.len() {
        let due = (8 * start.elapsed().as_millis() as usize + 4000).min(got.len());
        while sent < due {
            let n = 80.min(due - sent);
            inj.write_all(&got[sent..sent + n]).unwrap();
            sent += n;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let e = wait_event(&mut c, "tone_detected", 5);
    assert_eq!(e["tone"], "busy", "{e}");
    assert_no_hot_path_allocations(&mut c);
}

#[test]
fn t1_spans_carry_mu_law_through_bridges_and_tones() {
    use trunkd::media::g711::{linear_to_ulaw, ulaw_to_linear};
    let _g = serial();
    let s = start_boards(1, 2, true, "");
    let mut c = client(&s);
    // Timeslot 24 is the D-channel on T1: not a B-channel.
    let e = c
        .request("media_open", json!({"span": 1, "timeslot": 24}))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not_found"), "{e}");
    let (a, b) = ((1, 1), (2, 23));
    c.request("bridge", with(chan(a), "with", chan(b))).unwrap();
    let mut fa = seqpacket::connect(&s.ts_socket(a.0, a.1), false).unwrap();
    let mut fb = seqpacket::connect(&s.ts_socket(b.0, b.1), false).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let amp = DBM0_PEAK as f64 * 10f64.powf(-10.0 / 20.0);
    let tone: Vec<u8> = (0..8 * 900)
        .map(|n| {
            let x = amp * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / 8000.0).sin();
            linear_to_ulaw(x.round() as i16)
        })
        .collect();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while got.len() < 8 * 1000 {
            let n = fb.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        got
    });
    for chunk in tone.chunks(80) {
        fa.write_all(chunk).unwrap();
    }
    let got = reader.join().unwrap();
    // mu-law decoded as mu-law at the right level: the span's law is used.
    let w = 2.0 * std::f64::consts::PI * 1000.0 / 8000.0;
    let mid = &got[8 * 400..8 * 800];
    let mut levels: Vec<f64> = mid
        .chunks_exact(400)
        .map(|win| {
            let (mut re, mut im) = (0.0, 0.0);
            for (n, &b) in win.iter().enumerate() {
                let x = ulaw_to_linear(b) as f64;
                re += x * (w * n as f64).cos();
                im += x * (w * n as f64).sin();
            }
            20.0 * ((2.0 * (re * re + im * im).sqrt() / win.len() as f64) / DBM0_PEAK as f64)
                .log10()
        })
        .collect();
    levels.sort_by(f64::total_cmp);
    assert_level("T1 bridge", levels[levels.len() / 2], -10.0);
    // An idle T1 B-channel carries mu-law silence (0xFF) once media stops.
    c.request("unbridge", chan(a)).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let mut buf = [0u8; 64];
    let mut tail = Vec::new();
    while tail.len() < 80 {
        let n = fa.read(&mut buf).unwrap();
        tail.extend_from_slice(&buf[..n]);
    }
    assert!(
        tail[tail.len() - 40..].iter().all(|&x| x == 0xFF),
        "{tail:02x?}"
    );
    assert_no_hot_path_allocations(&mut c);
}
