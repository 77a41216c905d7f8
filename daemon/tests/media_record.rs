//! Recording: the board-thread tap, the writer thread and the files it
//! leaves, read back with hound.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, Sender};
use trunkd::media::dtmf::dbm0_to_peak;
use trunkd::media::record::{
    RecordChannels, RecordEvent, RecordSpec, RecordWriter, RecorderTap, StopReason, WriterMsg,
};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trunkd-record-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn writer() -> (RecordWriter, Sender<WriterMsg>, Receiver<RecordEvent>) {
    let (ev_tx, ev_rx) = unbounded();
    let (w, tx) = RecordWriter::spawn(ev_tx).unwrap();
    (w, tx, ev_rx)
}

fn open(tx: &Sender<WriterMsg>, id: u32, path: &Path, channels: RecordChannels) {
    let mut spec = RecordSpec::new(path);
    spec.channels = channels;
    tx.send(WriterMsg::Open { id, spec }).unwrap();
}

/// The final event (Done or Failed) of recording `id`; others are kept in
/// `seen`.
fn outcome(events: &Receiver<RecordEvent>, id: u32, seen: &mut Vec<RecordEvent>) -> RecordEvent {
    if let Some(i) = seen.iter().position(|e| final_of(e) == Some(id)) {
        return seen.remove(i);
    }
    loop {
        let e = events
            .recv_timeout(Duration::from_secs(20))
            .expect("writer reports within 20 s");
        if final_of(&e) == Some(id) {
            return e;
        }
        seen.push(e);
    }
}

fn final_of(e: &RecordEvent) -> Option<u32> {
    match e {
        RecordEvent::Done { id, .. } | RecordEvent::Failed { id, .. } => Some(*id),
        RecordEvent::Started { .. } => None,
    }
}

/// A 1 ms tick of a sine at `dbm0`.
fn tone(tick: usize, hz: f64, dbm0: f32) -> [i16; 8] {
    let peak = f64::from(dbm0_to_peak(dbm0));
    std::array::from_fn(|i| {
        let n = (tick * 8 + i) as f64;
        (peak * (2.0 * std::f64::consts::PI * hz * n / 8000.0).sin()).round() as i16
    })
}

fn read_wav(path: &Path) -> (hound::WavSpec, Vec<i16>) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    (spec, r.samples::<i16>().map(Result::unwrap).collect())
}

/// Distinct, non-repeating test signals for the two directions.
fn rx_sample(n: usize) -> i16 {
    ((n * 37) % 20011) as i16 - 10000
}
fn tx_sample(n: usize) -> i16 {
    -(((n * 53) % 15013) as i16) + 7000
}

fn record_ticks(tap: &mut RecorderTap, tx: &Sender<WriterMsg>, ticks: usize) {
    for t in 0..ticks {
        let rx: [i16; 8] = std::array::from_fn(|i| rx_sample(t * 8 + i));
        let txs: [i16; 8] = std::array::from_fn(|i| tx_sample(t * 8 + i));
        assert_eq!(tap.push(&rx, &txs, tx), None);
    }
}

#[test]
fn stereo_mono_rx_tx_files_hold_the_right_directions() {
    let dir = scratch("channels");
    let (w, tx, events) = writer();
    let modes = [
        RecordChannels::Stereo,
        RecordChannels::Mono,
        RecordChannels::RxOnly,
        RecordChannels::TxOnly,
    ];
    let ticks = 1003; // not a whole number of 20 ms blocks
    for (id, mode) in modes.iter().enumerate() {
        let path = dir.join(format!("{mode:?}.wav"));
        open(&tx, id as u32, &path, *mode);
        let mut tap = RecorderTap::new(id as u32, 0, 0, -45.0);
        record_ticks(&mut tap, &tx, ticks);
        assert!(tap.finish(StopReason::Hangup, &tx));
        assert_eq!(tap.dropped_blocks(), 0);
    }
    let n = ticks * 8;
    let mut seen = Vec::new();
    for (id, mode) in modes.iter().enumerate() {
        let path = dir.join(format!("{mode:?}.wav"));
        match outcome(&events, id as u32, &mut seen) {
            RecordEvent::Done {
                duration_ms,
                reason,
                bytes,
                path: p,
                ..
            } => {
                assert_eq!(duration_ms, ticks as u64);
                assert_eq!(reason, StopReason::Hangup);
                assert_eq!(p, path);
                assert_eq!(bytes, std::fs::metadata(&path).unwrap().len());
            }
            other => panic!("{mode:?}: {other:?}"),
        }
        let (spec, s) = read_wav(&path);
        assert_eq!(spec.sample_rate, 8000);
        assert_eq!(spec.bits_per_sample, 16);
        let expected: Vec<i16> = match mode {
            RecordChannels::Stereo => {
                assert_eq!(spec.channels, 2);
                (0..n).flat_map(|i| [rx_sample(i), tx_sample(i)]).collect()
            }
            RecordChannels::Mono => (0..n)
                .map(|i| rx_sample(i).saturating_add(tx_sample(i)))
                .collect(),
            RecordChannels::RxOnly => (0..n).map(rx_sample).collect(),
            RecordChannels::TxOnly => (0..n).map(tx_sample).collect(),
        };
        if *mode != RecordChannels::Stereo {
            assert_eq!(spec.channels, 1);
        }
        assert_eq!(s, expected, "{mode:?}");
    }
    assert!(seen
        .iter()
        .all(|e| matches!(e, RecordEvent::Started { .. })));
    let stats = w.shutdown();
    assert_eq!((stats.opened, stats.done, stats.failed), (4, 4, 0));
}

#[test]
fn mono_mix_saturates() {
    let dir = scratch("saturate");
    let path = dir.join("loud.wav");
    let (_w, tx, events) = writer();
    open(&tx, 9, &path, RecordChannels::Mono);
    let mut tap = RecorderTap::new(9, 0, 0, -45.0);
    let rx = [30000, -30000, 20000, -20000, 1, -1, 0, 32767];
    let txs = [30000, -30000, -20000, 20000, 1, -1, 0, 32767];
    tap.push(&rx, &txs, &tx);
    assert!(tap.finish(StopReason::Stopped, &tx));
    assert!(matches!(
        outcome(&events, 9, &mut Vec::new()),
        RecordEvent::Done { .. }
    ));
    let (_, s) = read_wav(&path);
    assert_eq!(s, [32767, -32768, 0, 0, 2, -2, 0, 32767]);
}

#[test]
fn max_duration_ends_on_the_exact_tick() {
    let dir = scratch("max");
    let path = dir.join("max.wav");
    let (_w, tx, events) = writer();
    let max_ms = 1234;
    let mut spec = RecordSpec::new(&path);
    spec.max_ms = max_ms;
    let mut tap = RecorderTap::from_spec(1, &spec);
    tx.send(WriterMsg::Open { id: 1, spec }).unwrap();
    let mut stopped_at = None;
    for t in 0..5000 {
        if let Some(reason) = tap.push(&tone(t, 1000.0, -10.0), &[0; 8], &tx) {
            assert_eq!(reason, StopReason::MaxDuration);
            stopped_at = Some(t);
            break;
        }
    }
    // The 1234th tick (index 1233) fills exactly 1234 ms.
    assert_eq!(stopped_at, Some(max_ms as usize - 1));
    // Later ticks record nothing and keep reporting the reason.
    assert_eq!(
        tap.push(&[1; 8], &[1; 8], &tx),
        Some(StopReason::MaxDuration)
    );
    assert_eq!(tap.elapsed_ms(), max_ms);
    assert!(tap.finish(StopReason::MaxDuration, &tx));
    match outcome(&events, 1, &mut Vec::new()) {
        RecordEvent::Done {
            duration_ms,
            reason,
            ..
        } => {
            assert_eq!(duration_ms, max_ms);
            assert_eq!(reason, StopReason::MaxDuration);
        }
        other => panic!("{other:?}"),
    }
    let (_, s) = read_wav(&path);
    assert_eq!(s.len(), max_ms as usize * 8);
}

#[test]
fn silence_ends_the_recording_after_silence_ms() {
    let dir = scratch("silence");
    let path = dir.join("vm.wav");
    let (_w, tx, events) = writer();
    let mut spec = RecordSpec::new(&path);
    spec.silence_ms = 400;
    spec.silence_dbm0 = -45.0;
    let mut tap = RecorderTap::from_spec(2, &spec);
    tx.send(WriterMsg::Open { id: 2, spec }).unwrap();
    // 300 ms of speech-level tone, then line noise at -55 dBm0.
    let speech_ms = 300;
    let mut stopped_at = None;
    for t in 0..3000 {
        let rx = if t < speech_ms {
            tone(t, 440.0, -20.0)
        } else {
            tone(t, 1700.0, -55.0)
        };
        if let Some(reason) = tap.push(&rx, &tone(t, 300.0, -60.0), &tx) {
            assert_eq!(reason, StopReason::Silence);
            stopped_at = Some(t + 1);
            break;
        }
    }
    let ms = stopped_at.expect("silence must end the recording") as u64;
    // 300 ms of sound ends inside block 15 (ms 300..320 are silent), so
    // silence is detected on a 20 ms block boundary 400..420 ms later.
    assert!((700..=720).contains(&ms), "stopped after {ms} ms");
    assert!(tap.finish(StopReason::Silence, &tx));
    match outcome(&events, 2, &mut Vec::new()) {
        RecordEvent::Done { duration_ms, .. } => assert_eq!(duration_ms, ms),
        other => panic!("{other:?}"),
    }
    let (_, s) = read_wav(&path);
    assert_eq!(s.len() as u64, ms * 8);

    // A tone just above the threshold (-40 dBm0) is not silence, on either side.
    for rx_side in [true, false] {
        let mut tap = RecorderTap::new(3, 0, 100, -45.0);
        let (sink, _keep) = crossbeam_channel::bounded(1000);
        for t in 0..2000 {
            let loud = tone(t, 1000.0, -40.0);
            let (rx, txs) = if rx_side {
                (loud, [0; 8])
            } else {
                ([0; 8], loud)
            };
            assert_eq!(tap.push(&rx, &txs, &sink), None, "tick {t}");
        }
    }
    // And pure silence from the start ends it too.
    let mut tap = RecorderTap::new(4, 0, 100, -45.0);
    let (sink, _keep) = crossbeam_channel::bounded(1000);
    let ticks = (0..1000)
        .position(|_| tap.push(&[0; 8], &[0; 8], &sink).is_some())
        .map(|t| t + 1);
    assert_eq!(ticks, Some(100));
}

#[test]
fn full_queue_drops_blocks_and_finish_retries() {
    let (tx, rx) = crossbeam_channel::bounded(1);
    let mut tap = RecorderTap::new(5, 0, 0, -45.0);
    for t in 0..60 {
        tap.push(&tone(t, 500.0, -10.0), &[0; 8], &tx);
    }
    // Three 20 ms blocks: the first is queued, the other two dropped.
    assert_eq!(tap.dropped_blocks(), 2);
    assert!(
        !tap.finish(StopReason::Digit('#'), &tx),
        "queue full: retry"
    );
    assert!(!tap.is_closed());
    assert!(matches!(rx.try_recv(), Ok(WriterMsg::Block(b)) if b.len == 160));
    // The partial block is empty (60 ms = 3 whole blocks): only Close.
    assert!(tap.finish(StopReason::Digit('#'), &tx));
    assert!(matches!(
        rx.try_recv(),
        Ok(WriterMsg::Close {
            id: 5,
            reason: StopReason::Digit('#')
        })
    ));
    assert!(tap.finish(StopReason::Digit('#'), &tx), "idempotent");
    assert!(rx.try_recv().is_err());
    fn is_copy<T: Copy>() {}
    is_copy::<RecorderTap>();
}

#[test]
fn io_errors_fail_one_recording_and_spare_the_others() {
    let dir = scratch("fail");
    std::fs::write(dir.join("file.txt"), b"not a directory").unwrap();
    std::os::unix::fs::symlink("/dev/full", dir.join("full.wav")).unwrap();
    let (w, tx, events) = writer();
    let good = dir.join("good.wav");
    let cases = [
        (10u32, dir.join("no/such/dir/x.wav")),
        (11, dir.join("file.txt/x.wav")),
        (12, dir.join("full.wav")),
    ];
    open(&tx, 1, &good, RecordChannels::Stereo);
    for (id, path) in &cases {
        open(&tx, *id, path, RecordChannels::Mono);
    }
    let mut taps: Vec<RecorderTap> = [1, 10, 11, 12]
        .iter()
        .map(|&id| RecorderTap::new(id, 0, 0, -45.0))
        .collect();
    for t in 0..700 {
        for tap in &mut taps {
            let rx: [i16; 8] = std::array::from_fn(|i| rx_sample(t * 8 + i));
            let txs: [i16; 8] = std::array::from_fn(|i| tx_sample(t * 8 + i));
            assert_eq!(tap.push(&rx, &txs, &tx), None);
        }
    }
    for tap in &mut taps {
        assert!(tap.finish(StopReason::Hangup, &tx));
    }
    let mut seen = Vec::new();
    for (id, path) in &cases {
        match outcome(&events, *id, &mut seen) {
            RecordEvent::Failed { path: p, error, .. } => {
                assert_eq!(&p, path);
                assert!(!error.is_empty());
            }
            other => panic!("{path:?} must fail: {other:?}"),
        }
    }
    assert!(
        !dir.join("no").exists(),
        "the writer creates no directories"
    );
    assert!(
        std::fs::symlink_metadata(dir.join("full.wav"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "a symlink to a device is never removed"
    );
    match outcome(&events, 1, &mut seen) {
        RecordEvent::Done { duration_ms, .. } => assert_eq!(duration_ms, 700),
        other => panic!("good recording: {other:?}"),
    }
    let (_, s) = read_wav(&good);
    let expected: Vec<i16> = (0..700 * 8)
        .flat_map(|i| [rx_sample(i), tx_sample(i)])
        .collect();
    assert_eq!(s, expected);
    let stats = w.shutdown();
    assert_eq!((stats.done, stats.failed), (1, 3));
    // 35 blocks (+ a Close) for each of the 3 failed recordings.
    assert_eq!(stats.blocks_discarded, 3 * 36);
    assert_eq!(stats.blocks_written, 35);
}

#[test]
fn bad_specs_fail_and_shutdown_finalises_open_recordings() {
    let dir = scratch("spec");
    let mut bad = RecordSpec::new(dir.join("x.mp3"));
    assert!(bad.validate().is_err());
    bad.path = dir.join("x.wav");
    assert!(bad.validate().is_ok());
    bad.silence_dbm0 = f32::NAN;
    assert!(bad.validate().is_err());
    bad.silence_dbm0 = -45.0;
    bad.silence_ms = 5;
    assert!(bad
        .validate()
        .unwrap_err()
        .to_string()
        .contains("silence_ms"));

    let (w, tx, events) = writer();
    tx.send(WriterMsg::Open { id: 1, spec: bad }).unwrap();
    assert!(matches!(
        outcome(&events, 1, &mut Vec::new()),
        RecordEvent::Failed { .. }
    ));
    let path = dir.join("open.wav");
    open(&tx, 2, &path, RecordChannels::Mono);
    let mut tap = RecorderTap::new(2, 0, 0, -45.0);
    for t in 0..40 {
        tap.push(&tone(t, 1000.0, -10.0), &[0; 8], &tx);
    }
    // No finish: the writer is shut down with the recording open.
    let stats = w.shutdown();
    assert_eq!(stats.done, 1);
    match outcome(&events, 2, &mut Vec::new()) {
        RecordEvent::Done {
            duration_ms,
            reason,
            ..
        } => {
            assert_eq!(reason, StopReason::Stopped);
            assert_eq!(duration_ms, 40);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(read_wav(&path).1.len(), 320);
}
