use super::*;
use serde_json::json;

/// A CDR line as the writer makes it (only the fields the index reads
/// matter; the others are there to show they are ignored).
fn cdr(call: u64, arrived_ms: u64, dir: &str, ani: &str, extra: Value) -> Value {
    let mut v = json!({
        "cdr_version": 1,
        "seq": call,
        "call": call,
        "trunk_group": "pstn",
        "direction": dir,
        "ani": ani,
        "dnis": "5551000",
        "arrived": rfc3339_ms(arrived_ms),
        "arrived_ms": arrived_ms,
        "duration_ms": 61_999,
        "disposition": "answered",
        "recordings": [],
        "vars": {"lang": "en"},
    });
    if let (Some(o), Value::Object(x)) = (v.as_object_mut(), extra) {
        o.extend(x);
    }
    v
}

fn calls_of(h: &[HistoryEntry]) -> Vec<u64> {
    h.iter().map(|e| e.call).collect()
}

fn rec_calls(r: &[RecordingEntry]) -> Vec<u64> {
    r.iter().map(|e| e.call).collect()
}

const T0: u64 = 1_795_428_000_000; // 2026-11-23T10:00:00Z

#[test]
fn load_skips_torn_and_garbage_lines() {
    let mut text = String::new();
    text += &format!("{}\n", cdr(1, T0, "in", "0612345678", json!({})));
    text += "not json at all\n";
    text += "\n";
    text += "[1,2,3]\n";
    text += "{\"call\":\"seven\",\"arrived_ms\":1}\n";
    text += &format!("{}\n", cdr(2, T0 + 1000, "in", "0612345678", json!({})));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"\xff\xfe garbage that is not UTF-8\n");
    // A record torn by a power cut, then the next record after it.
    bytes.extend_from_slice(b"{\"cdr_version\":1,\"seq\":3,\"call\":3,\"arr");
    bytes.push(b'\n');
    bytes.extend_from_slice(
        cdr(4, T0 + 2000, "in", "0612345678", json!({}))
            .to_string()
            .as_bytes(),
    );
    // The last line has no newline (torn at the end of the file).
    bytes.extend_from_slice(b"\n{\"call\":5,\"arrived_ms\":");
    let ix = CdrIndex::load(&bytes[..], 100).unwrap();
    let st = ix.stats();
    assert_eq!(st.records, 3);
    assert_eq!(st.skipped, 6, "{st:?}");
    assert_eq!(calls_of(&ix.history("0612345678", 10)), [4, 2, 1]);
}

#[test]
fn history_is_newest_arrival_first_with_the_record_fields() {
    let mut ix = CdrIndex::new(100);
    // Written in end order: call 2 arrived before call 1 but ended later.
    let x = json!({"queue": "sales", "agent": 1001, "queue_wait_ms": 4000,
                   "disposition": "abandoned", "dnis": "800"});
    assert!(ix.insert_json(&cdr(1, T0 + 5000, "in", "0612345678", json!({}))));
    assert!(ix.insert_json(&cdr(2, T0, "in", "0612345678", x)));
    assert!(ix.insert_json(&cdr(3, T0 + 9000, "in", "0699999999", json!({}))));
    assert!(ix.insert_json(&cdr(4, T0 + 7000, "in", "0612345678", json!({}))));
    let h = ix.history("0612345678", 10);
    assert_eq!(calls_of(&h), [4, 1, 2]);
    assert_eq!(
        h[2],
        HistoryEntry {
            call: 2,
            start: "2026-11-23T10:00:00.000Z".into(),
            start_ms: T0,
            disposition: "abandoned".into(),
            duration_s: 61,
            queue: Some("sales".into()),
            agent: Some(1001),
            dnis: "800".into(),
        }
    );
    assert_eq!(h[0].queue, None);
    assert_eq!(h[0].agent, None);
    assert_eq!(h[0].disposition, "answered");
    assert_eq!(calls_of(&ix.history("0612345678", 2)), [4, 1]);
    assert!(ix.history("0612345678", 0).is_empty());
    assert_eq!(calls_of(&ix.history("0699999999", 10)), [3]);
    assert!(ix.history("0600000000", 10).is_empty());
}

#[test]
fn empty_ani_and_outbound_calls_have_no_history() {
    let mut ix = CdrIndex::new(100);
    ix.insert_json(&cdr(1, T0, "in", "", json!({})));
    ix.insert_json(&cdr(2, T0, "out", "0612345678", json!({})));
    ix.insert_json(&cdr(3, T0, "in", "0612345678", json!({})));
    assert!(ix.history("", 10).is_empty());
    assert_eq!(calls_of(&ix.history("0612345678", 10)), [3]);
    assert_eq!(ix.stats().records, 3);
    // Not a record: no call id, or no arrival.
    assert!(!ix.insert_json(&json!({"arrived_ms": 5})));
    assert!(!ix.insert_json(&json!({"call": 5})));
    assert!(!ix.insert_json(&json!("text")));
    assert_eq!(ix.stats().records, 3);
}

#[test]
fn the_oldest_records_drop_out_beyond_the_bound() {
    let mut ix = CdrIndex::new(3);
    let rec = json!({"recordings": ["/r/a.wav"]});
    for call in 1..=5 {
        let ani = if call % 2 == 0 { "even" } else { "odd" };
        ix.insert_json(&cdr(call, T0 + call * 1000, "in", ani, rec.clone()));
    }
    assert_eq!(ix.stats().records, 3);
    assert_eq!(ix.stats().dropped, 2);
    assert_eq!(calls_of(&ix.history("odd", 10)), [5, 3]);
    assert_eq!(calls_of(&ix.history("even", 10)), [4]);
    assert_eq!(
        rec_calls(&ix.recordings(&RecordingQuery::default())),
        [5, 4, 3]
    );
    // Shrinking drops more; an ANI with no record left is forgotten.
    ix.set_max(1);
    assert_eq!(ix.stats().records, 1);
    assert!(ix.history("even", 10).is_empty());
    assert!(!ix.by_ani.contains_key("even"));
    assert_eq!(calls_of(&ix.history("odd", 10)), [5]);
    assert_eq!(rec_calls(&ix.recordings(&RecordingQuery::default())), [5]);
    // Loading keeps the newest `max` of the file.
    let text: String = (1..=10)
        .map(|c| format!("{}\n", cdr(c, T0 + c, "in", "odd", json!({}))))
        .collect();
    let ix = CdrIndex::load(text.as_bytes(), 4).unwrap();
    assert_eq!(calls_of(&ix.history("odd", 100)), [10, 9, 8, 7]);
    // A bound of 0 keeps nothing.
    let mut ix = CdrIndex::new(0);
    ix.insert_json(&cdr(1, T0, "in", "odd", json!({})));
    assert!(ix.stats().records == 0 && ix.history("odd", 10).is_empty());
}

#[test]
fn recordings_by_each_filter() {
    let mut ix = CdrIndex::new(100);
    let add = |ix: &mut CdrIndex, call: u64, at: u64, ani: &str, x: Value| {
        ix.insert_json(&cdr(call, T0 + at, "in", ani, x));
    };
    add(
        &mut ix,
        1,
        0,
        "A",
        json!({"recordings": ["/r/1.wav"], "agent": 1001, "queue": "sales"}),
    );
    add(
        &mut ix,
        2,
        1000,
        "B",
        json!({"recordings": ["/r/2a.wav", "/r/2b.wav"], "dnis": "800"}),
    );
    add(&mut ix, 3, 2000, "A", json!({})); // no recording
    add(
        &mut ix,
        4,
        3000,
        "A",
        json!({"recordings": ["/r/4.wav"], "agent": 1002}),
    );
    add(
        &mut ix,
        5,
        4000,
        "B",
        json!({"recordings": ["/r/5.wav"], "agent": 1001, "dnis": "800"}),
    );
    let q = |f: &dyn Fn(&mut RecordingQuery)| {
        let mut q = RecordingQuery::default();
        f(&mut q);
        rec_calls(&ix.recordings(&q))
    };
    assert_eq!(q(&|_| {}), [5, 4, 2, 1]);
    assert_eq!(q(&|q| q.from_ms = Some(T0 + 1000)), [5, 4, 2]);
    assert_eq!(q(&|q| q.to_ms = Some(T0 + 3000)), [2, 1], "to is exclusive");
    assert_eq!(
        q(&|q| {
            q.from_ms = Some(T0 + 1000);
            q.to_ms = Some(T0 + 3001);
        }),
        [4, 2]
    );
    assert!(q(&|q| q.to_ms = Some(0)).is_empty());
    assert!(q(&|q| {
        q.from_ms = Some(T0 + 5000);
        q.to_ms = Some(T0);
    })
    .is_empty());
    assert_eq!(q(&|q| q.ani = Some("A".into())), [4, 1]);
    assert_eq!(q(&|q| q.dnis = Some("800".into())), [5, 2]);
    assert_eq!(q(&|q| q.agent = Some(1001)), [5, 1]);
    assert_eq!(
        q(&|q| {
            q.agent = Some(1001);
            q.ani = Some("B".into());
        }),
        [5]
    );
    assert_eq!(q(&|q| q.limit = 2), [5, 4]);
    assert!(q(&|q| q.limit = 0).is_empty());
    let all = ix.recordings(&RecordingQuery::default());
    assert_eq!(
        all[2],
        RecordingEntry {
            call: 2,
            start: "2026-11-23T10:00:01.000Z".into(),
            start_ms: T0 + 1000,
            ani: "B".into(),
            dnis: "800".into(),
            agent: None,
            queue: None,
            files: vec!["/r/2a.wav".into(), "/r/2b.wav".into()],
        }
    );
    assert_eq!(all[3].queue.as_deref(), Some("sales"));
}

#[test]
fn a_missing_file_is_an_empty_index() {
    let p = std::env::temp_dir().join(format!("trunkd-cdr-index-none-{}", std::process::id()));
    let ix = CdrIndex::load_path(&p, 10).unwrap();
    assert!(ix.stats().records == 0);
    assert_eq!(ix.stats().skipped, 0);
}

#[test]
fn dropping_follows_write_order_not_arrival() {
    // Call 1 arrived after call 2 but ended (was written) first: it is the
    // oldest record and drops out first, from the end of X's list.
    let mut ix = CdrIndex::new(2);
    ix.insert_json(&cdr(
        1,
        T0 + 5000,
        "in",
        "X",
        json!({"recordings": ["/r/1.wav"]}),
    ));
    ix.insert_json(&cdr(2, T0, "in", "X", json!({"recordings": ["/r/2.wav"]})));
    assert_eq!(calls_of(&ix.history("X", 10)), [1, 2]);
    ix.insert_json(&cdr(3, T0 + 9000, "in", "Y", json!({})));
    assert_eq!(calls_of(&ix.history("X", 10)), [2]);
    assert_eq!(calls_of(&ix.history("Y", 10)), [3]);
    assert_eq!(rec_calls(&ix.recordings(&RecordingQuery::default())), [2]);
    ix.insert_json(&cdr(4, T0 + 9500, "in", "Y", json!({})));
    assert!(ix.history("X", 10).is_empty());
    assert!(!ix.by_ani.contains_key("X"));
    assert_eq!(calls_of(&ix.history("Y", 10)), [4, 3]);
    assert_eq!(ix.stats().dropped, 2);
}
