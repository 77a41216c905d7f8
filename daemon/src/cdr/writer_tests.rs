use std::path::PathBuf;
use std::time::Duration;

use crossbeam_channel::Receiver;
use serde_json::{json, Value};

use super::*;

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trunkd-cdr-writer-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// An event and the CDR file's records at the moment it was published.
type Seen = (Value, Vec<Value>);

/// A test bus: each published event, with the CDR file's lines as they were
/// when the event was published.
fn test_bus(path: PathBuf) -> (impl Fn(Value) + Send + 'static, Receiver<Seen>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let publish = move |ev: Value| {
        let lines: Vec<Value> = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let _ = tx.send((ev, lines));
    };
    (publish, rx)
}

fn ended(call: u64) -> CdrMsg {
    CdrMsg::Ended {
        record: json!({"cdr_version": 1, "seq": 0, "call": call, "disposition": "answered"}),
        event: json!({"event": "call_cleared", "call": call}),
    }
}

fn next(rx: &Receiver<Seen>) -> Seen {
    rx.recv_timeout(Duration::from_secs(30)).expect("an event")
}

#[test]
fn record_is_on_disk_before_the_event() {
    let dir = tempdir("order");
    // The directory is created by the writer.
    let path = dir.join("sub/cdr.jsonl");
    let (publish, events) = test_bus(path.clone());
    let (w, tx) = CdrWriter::spawn(path.clone(), true, publish).unwrap();
    for call in [7, 8, 9] {
        tx.send(ended(call)).unwrap();
    }
    for (n, call) in [7u64, 8, 9].into_iter().enumerate() {
        let (ev, lines) = next(&events);
        assert_eq!(ev["event"], "call_cleared");
        assert_eq!(ev["call"], call);
        assert_eq!(ev["cdr_seq"], n as u64 + 1);
        assert_eq!(
            lines.len(),
            n + 1,
            "the record was written first: {lines:?}"
        );
        assert_eq!(lines[n]["call"], call);
        assert_eq!(lines[n]["seq"], ev["cdr_seq"]);
    }
    let stats = w.stats();
    w.stop();
    assert_eq!(stats.written.load(Ordering::Relaxed), 3);
    assert_eq!(stats.write_errors.load(Ordering::Relaxed), 0);
    assert_eq!(stats.last_seq.load(Ordering::Relaxed), 3);
    assert!(events.try_recv().is_err(), "no cdr_failed");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn numbering_continues_and_a_torn_line_is_ended() {
    let dir = tempdir("continue");
    let path = dir.join("cdr.jsonl");
    std::fs::write(
        &path,
        "{\"seq\":41,\"call\":1}\n{\"seq\":42,\"call\":2}\n{\"seq\":43,\"ca",
    )
    .unwrap();
    let (publish, events) = test_bus(path.clone());
    let (w, tx) = CdrWriter::spawn(path.clone(), false, publish).unwrap();
    tx.send(ended(5)).unwrap();
    let (ev, _) = next(&events);
    assert_eq!(ev["cdr_seq"], 43);
    w.stop();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[2], "{\"seq\":43,\"ca");
    let last: Value = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(
        (last["seq"].as_u64(), last["call"].as_u64()),
        (Some(43), Some(5))
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unwritable_path_keeps_records_and_flushes_them_in_order() {
    let dir = tempdir("unwritable");
    // A path whose parent is a regular file: no directory can be made
    // there, even by root.
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, "a file").unwrap();
    let path = blocker.join("cdr.jsonl");
    let (publish, events) = test_bus(path.clone());
    let (w, tx) = CdrWriter::spawn(path.clone(), true, publish).unwrap();
    tx.send(ended(1)).unwrap();
    tx.send(ended(2)).unwrap();
    for call in [1u64, 2] {
        let (failed, _) = next(&events);
        assert_eq!(failed["event"], "cdr_failed");
        assert_eq!(failed["call"], call);
        assert_eq!(failed["path"], path.display().to_string());
        assert!(
            failed["error"]
                .as_str()
                .is_some_and(|e| e.contains("exists and is not a directory")
                    && e.contains(&blocker.display().to_string())),
            "{failed}"
        );
        let (cleared, _) = next(&events);
        assert_eq!(cleared["event"], "call_cleared", "published all the same");
        assert_eq!(cleared["call"], call);
    }
    let stats = w.stats();
    assert_eq!(stats.write_errors.load(Ordering::Relaxed), 2);
    assert_eq!(lock(&stats.state).backlog.len(), 2);
    assert!(lock(&stats.state).last_error.is_some());

    // The path becomes writable: the retry writes the backlog, in order.
    std::fs::remove_file(&blocker).unwrap();
    let give_up = std::time::Instant::now() + Duration::from_secs(30);
    while stats.written.load(Ordering::Relaxed) < 2 {
        assert!(std::time::Instant::now() < give_up, "backlog never written");
        std::thread::sleep(Duration::from_millis(20));
    }
    tx.send(ended(3)).unwrap();
    let (ev, lines) = next(&events);
    assert_eq!(ev["event"], "call_cleared");
    let order: Vec<(u64, u64)> = lines
        .iter()
        .filter_map(|v| Some((v["seq"].as_u64()?, v["call"].as_u64()?)))
        .collect();
    assert_eq!(order, [(1, 1), (2, 2), (3, 3)]);
    assert!(lock(&stats.state).backlog.is_empty());
    assert!(lock(&stats.state).last_error.is_none());
    w.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn reopen_moves_to_the_new_path() {
    let dir = tempdir("reopen");
    let (a, b) = (dir.join("a.jsonl"), dir.join("b/b.jsonl"));
    let (publish, events) = test_bus(b.clone());
    let (w, tx) = CdrWriter::spawn(a.clone(), false, publish).unwrap();
    tx.send(ended(1)).unwrap();
    next(&events);
    tx.send(CdrMsg::Reopen {
        path: b.clone(),
        fsync: true,
    })
    .unwrap();
    tx.send(ended(2)).unwrap();
    let (ev, lines) = next(&events);
    assert_eq!(ev["cdr_seq"], 2, "numbering goes on");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["call"], 2);
    assert_eq!(w.stats().path(), b);
    // Rotation: the file is renamed away, a reload reopens the same name.
    let rotated = dir.join("b/b.jsonl.1");
    std::fs::rename(&b, &rotated).unwrap();
    tx.send(CdrMsg::Reopen {
        path: b.clone(),
        fsync: true,
    })
    .unwrap();
    tx.send(ended(3)).unwrap();
    let (ev, lines) = next(&events);
    assert_eq!(ev["cdr_seq"], 3);
    assert_eq!(lines.len(), 1, "a new file: {lines:?}");
    assert_eq!(lines[0]["call"], 3);
    w.stop();
    assert_eq!(std::fs::read_to_string(&a).unwrap().lines().count(), 1);
    assert_eq!(
        std::fs::read_to_string(&rotated).unwrap().lines().count(),
        1
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_record_is_indexed_before_the_event() {
    let dir = tempdir("index");
    let path = dir.join("cdr.jsonl");
    let index = Arc::new(Mutex::new(CdrIndex::new(100)));
    let (etx, events) = crossbeam_channel::unbounded();
    let ix = index.clone();
    // Each event carries the caller's history as it was when published.
    let publish = move |ev: Value| {
        let h = lock(&ix).history("0612345678", 10);
        let _ = etx.send((ev, h));
    };
    let (tx, rx) = crossbeam_channel::bounded(CDR_QUEUE);
    let stats = Arc::new(CdrStats::new(path, false));
    let w = CdrWriter::spawn_on(tx.clone(), rx, stats, Some(index.clone()), publish).unwrap();
    for call in [7u64, 8] {
        let record = json!({"seq": 0, "call": call, "direction": "in", "ani": "0612345678",
                            "arrived_ms": 1000 * call, "disposition": "answered"});
        let event = json!({"event": "call_cleared", "call": call});
        tx.send(CdrMsg::Ended { record, event }).unwrap();
    }
    for n in 1..=2usize {
        let (ev, h) = events
            .recv_timeout(Duration::from_secs(30))
            .expect("an event");
        assert_eq!(h.len(), n, "indexed before {ev}");
        assert_eq!(h[0].call, ev["call"].as_u64().unwrap());
    }
    w.stop();
    let _ = std::fs::remove_dir_all(dir);
}
