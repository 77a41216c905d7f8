//! The sample IVR (examples/flows/sample.toml) driven by scripted callers
//! from trunksim's traffic generator over ISDN PRI, in lockstep (the board
//! clock is the simulator's, so a run is reproducible from its seed). Every
//! path is asserted from the API events and the CDRs.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{ivr, serial, Harness};
use serde_json::{json, Value};

/// trunksim (PRI exchange, lockstep) + trunkd running the sample flow with
/// the IVR clock fixed at `clock` (civil time, UTC).
fn rig(tag: &str, clock: &str) -> Harness {
    // Lockstep board time runs several times faster than wall time, while the
    // test's CRM and support desk answer in wall time: give them board time.
    let flows = ivr::SAMPLE
        .replace(
            "timeout_ms = 2000\nbranches",
            "timeout_ms = 60000\nbranches",
        )
        .replace(
            "timeout_ms = 3000\nfallback",
            "timeout_ms = 60000\nfallback",
        );
    assert_ne!(
        flows,
        ivr::SAMPLE,
        "the sample's lookup and script timeouts moved"
    );
    let base = ivr::data(tag, &flows);
    ivr::start(
        tag,
        2,
        "lockstep",
        "inbound = \"flow\"",
        &ivr::config(&base, clock, ""),
    )
}

/// Everything the run produced: events in order, CDRs by call id.
struct Run {
    events: Vec<Value>,
    cdrs: BTreeMap<u64, Value>,
    status: Value,
}

impl Run {
    /// The CDR of the inbound call from `ani`.
    fn cdr(&self, ani: &str) -> &Value {
        self.cdrs
            .values()
            .find(|c| c["ani"] == ani && c["direction"] == "in")
            .unwrap_or_else(|| {
                panic!(
                    "no CDR for caller {ani}: {:?}",
                    self.cdrs
                        .values()
                        .map(|c| (&c["ani"], &c["dnis"]))
                        .collect::<Vec<_>>()
                )
            })
    }

    fn path(&self, ani: &str) -> Vec<String> {
        strings(&self.cdr(ani)["ivr_path"])
    }

    /// The events of the inbound call from `ani`.
    fn events_of(&self, ani: &str) -> Vec<&Value> {
        let call = &self.cdr(ani)["call"];
        self.events.iter().filter(|e| &e["call"] == call).collect()
    }

    fn kinds(&self, ani: &str) -> Vec<String> {
        self.events_of(ani)
            .iter()
            .filter_map(|e| e["event"].as_str().map(str::to_owned))
            .collect()
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect()
}

fn dtmf(d: &str) -> Value {
    json!({"dtmf": d})
}

fn wait(ms: u64) -> Value {
    json!({"wait_ms": ms})
}

/// One traffic group per caller: a single call from `ani` following `script`.
fn caller(name: &str, ani: &str, script: Value) -> Value {
    json!({"name": name, "spans": [1, 2], "number": "8000", "from": ani, "interval_ms": 0, "calls": 1,
           "callers": [{"name": name, "script": script}]})
}

/// Offer the callers, answer lookups and take scripted calls as a CRM and a
/// support desk would, and collect everything until every call has a CDR.
fn run(rig: &Harness, callers: Vec<Value>, lookup_answer: &str) -> Run {
    let mut sub = rig.subscriber(&["ivr_*", "call_*", "client_gone", "cdr_failed"]);
    let (tx, rx) = mpsc::channel::<Value>();
    let answer = lookup_answer.to_owned();
    let socket = rig.socket.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let reader = std::thread::spawn(move || {
        // The "CRM" and "support desk": a client that answers lookups and takes scripts.
        let mut desk =
            trunk_tools::client::Client::connect_with_timeout(&socket, Duration::from_secs(10))
                .unwrap();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(240)
            && !stopped.load(std::sync::atomic::Ordering::Relaxed)
        {
            let e = match sub.next_event(Some(Duration::from_millis(100))) {
                Ok(Some(e)) => e,
                Ok(None) => continue,
                Err(_) => break,
            };
            match e["event"].as_str() {
                Some("ivr_lookup") if e["lookup"].is_u64() => {
                    let _ = desk.request("ivr_reply", json!({"lookup": e["lookup"], "result": answer, "vars": {"customer": "ACME"}}));
                }
                Some("ivr_script") => {
                    let call = e["call"].clone();
                    let r = desk.request("ivr_take", json!({"call": call}));
                    assert!(r.is_ok(), "ivr_take: {r:?}");
                    let _ = desk.request("play", json!({"call": call, "prompts": ["goodbye"]}));
                    let _ = desk.request("hangup", json!({"call": call, "cause": 16}));
                }
                _ => {}
            }
            if tx.send(e).is_err() {
                break;
            }
        }
    });
    let r = rig.sim_control(json!({"cmd": "traffic", "seed": 11, "groups": callers}));
    assert_eq!(r["ok"], true, "traffic: {r}");
    let n = callers_len(&r);
    let mut events = Vec::new();
    let mut ended = 0;
    let t0 = Instant::now();
    // Every offered call and every transfer leg ends in a call_cleared.
    loop {
        let status = rig.sim_control(json!({"cmd": "traffic_status"}));
        if status["idle"] == true
            && ended >= n
            && rig.client().request("calls", json!(null)).unwrap()["calls"]
                .as_array()
                .is_some_and(Vec::is_empty)
        {
            break;
        }
        while let Ok(e) = rx.recv_timeout(Duration::from_millis(100)) {
            if e["event"] == "call_cleared" {
                ended += 1;
            }
            events.push(e);
        }
        assert!(
            t0.elapsed() < Duration::from_secs(200),
            "the run did not finish: {status}\n{}",
            rig.log()
        );
    }
    while let Ok(e) = rx.recv_timeout(Duration::from_millis(300)) {
        events.push(e);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    drop(rx);
    let _ = reader.join();
    let c = rig.client().request("cdr", json!({"limit": 200})).unwrap();
    let cdrs = c["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["call"].as_u64().unwrap(), r.clone()))
        .collect();
    let status = rig.sim_control(json!({"cmd": "traffic_status"}));
    Run {
        events,
        cdrs,
        status,
    }
}

fn callers_len(r: &Value) -> usize {
    r["groups"].as_array().map_or(0, Vec::len)
}

#[test]
fn sample_ivr_in_office_hours() {
    let _g = serial();
    // Monday 2026-11-23, 10:00: the menus are open.
    let rig = rig("ivr-day", "2026-11-23T10:00");
    let callers = vec![
        // Chinese, sales, information, goodbye.
        caller(
            "zh-sales",
            "1000001",
            json!([
                wait(800),
                dtmf("2"),
                wait(1200),
                dtmf("1"),
                wait(1200),
                dtmf("1")
            ]),
        ),
        // Sales submenu: invalid input twice, then the fallback (the operator).
        caller(
            "lost",
            "1000002",
            json!([wait(800), dtmf("1"), wait(1200), dtmf("1"), wait(1200), dtmf("7"), wait(1500), dtmf("8"), {"hangup_after_ms": 16000}]),
        ),
        // Voicemail: a message ended with #.
        caller(
            "voicemail",
            "1000003",
            json!([
                wait(800),
                dtmf("1"),
                wait(1200),
                dtmf("9"),
                wait(3000),
                dtmf("#")
            ]),
        ),
        // Operator: transferred and bridged; the caller hangs up.
        caller(
            "operator",
            "1000004",
            json!([wait(800), dtmf("1"), wait(1200), dtmf("0"), {"hangup_after_ms": 9000}]),
        ),
        // Black-listed: refused before any answer.
        caller("black", "1390000666", json!([])),
        // VIP: straight to the VIP line.
        caller("vip", "1380000888", json!([{"hangup_after_ms": 6000}])),
        // Hangs up while choosing the language: abandonment handler runs.
        caller("impatient", "1000007", json!([{"hangup_after_ms": 300}])),
        // Account number, the CRM says gold: the operator.
        caller(
            "account",
            "1000008",
            json!([wait(800), dtmf("1"), wait(1200), dtmf("1"), wait(1200), dtmf("2"), wait(1500), dtmf("4711#"), {"hangup_after_ms": 16000}]),
        ),
        // Support: handed to the support desk (an API client takes it).
        caller(
            "support",
            "1000009",
            json!([wait(800), dtmf("1"), wait(1200), dtmf("2")]),
        ),
        // Says nothing at all: language by default, the main menu three times, the operator.
        caller("silent", "1000010", json!([{"hangup_after_ms": 40000}])),
    ];
    let r = run(&rig, callers, "gold");
    let p = |ani| r.path(ani);

    // Chinese sales information.
    assert_eq!(
        p("1000001"),
        [
            "screen",
            "hours",
            "language",
            "main_menu",
            "sales",
            "sales_info",
            "goodbye"
        ]
    );
    let c = r.cdr("1000001");
    assert_eq!(c["vars"]["language"], "zh", "{c}");
    assert_eq!(strings(&c["digits"]), ["2", "1", "1"], "{c}");
    assert_eq!(c["disposition"], "answered");
    assert_eq!(c["released_by"], "trunkd");
    assert_eq!(c["cause"], 16);

    // Invalid twice in the sales menu, then the operator.
    assert_eq!(
        p("1000002"),
        [
            "screen",
            "hours",
            "language",
            "main_menu",
            "sales",
            "operator"
        ]
    );
    let retries: Vec<&Value> = r
        .events_of("1000002")
        .into_iter()
        .filter(|e| e["event"] == "ivr_retry")
        .collect();
    assert_eq!(retries.len(), 2, "{retries:?}");
    assert!(retries
        .iter()
        .all(|e| e["reason"] == "invalid" && e["node"] == "sales"));
    assert_eq!(r.cdr("1000002")["transferred_to"], "5550000");

    // Voicemail with caller and time.
    assert_eq!(
        p("1000003"),
        [
            "screen",
            "hours",
            "language",
            "main_menu",
            "voicemail",
            "goodbye"
        ]
    );
    let vm = r
        .events_of("1000003")
        .into_iter()
        .find(|e| e["event"] == "ivr_voicemail")
        .expect("ivr_voicemail")
        .clone();
    let file = vm["path"].as_str().unwrap();
    assert!(
        file.contains("/voicemail/sales/") && file.contains("-1000003-"),
        "{file}"
    );
    assert!(Path::new(file).is_file(), "{file}");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{file}.json")).unwrap()).unwrap();
    assert_eq!(meta["ani"], "1000003");
    assert_eq!(meta["mailbox"], "sales");
    assert_eq!(meta["reason"], "digit");
    assert!(
        strings(&r.cdr("1000003")["recordings"])
            .iter()
            .any(|f| f == file),
        "{}",
        r.cdr("1000003")
    );

    // Operator: a new outbound call, bridged, and its own CDR.
    assert_eq!(
        p("1000004"),
        ["screen", "hours", "language", "main_menu", "operator"]
    );
    let op = r.cdr("1000004");
    assert_eq!(op["transferred_to"], "5550000");
    let leg = &r.cdrs[&op["linked_call"].as_u64().expect("linked_call")];
    assert_eq!(leg["direction"], "out");
    assert_eq!(leg["dnis"], "5550000");
    assert_eq!(leg["ani"], "1000004", "the caller's number is passed on");
    assert_eq!(leg["disposition"], "answered");
    assert!(r.kinds("1000004").contains(&"ivr_transferred".to_owned()));
    assert_eq!(op["released_by"], "caller");

    // Black list: refused with busy before an answer.
    assert_eq!(p("1390000666"), ["screen"]);
    let b = r.cdr("1390000666");
    assert_eq!(b["cause"], 17);
    assert_eq!(b["disposition"], "busy");
    assert!(b["answered"].is_null(), "{b}");

    // VIP: straight to the VIP line.
    assert_eq!(p("1380000888"), ["screen", "vip_transfer"]);
    assert_eq!(r.cdr("1380000888")["transferred_to"], "5550001");
    assert_eq!(r.cdr("1380000888")["vars"]["screen"], "vip");

    // Abandoned in the language menu; the hang-up handler ran.
    let a = r.cdr("1000007");
    assert_eq!(a["disposition"], "abandoned", "{a}");
    let ev = r.events_of("1000007");
    let notify = ev
        .iter()
        .find(|e| e["event"] == "ivr_notify")
        .expect("on_hangup notify");
    assert_eq!(notify["name"], "abandoned");
    assert_eq!(notify["vars"]["abandoned_at"], "language");
    assert!(ev
        .iter()
        .any(|e| e["event"] == "ivr_finished" && e["abandoned"] == true));

    // Account entry, CRM lookup answered "gold": the operator.
    assert_eq!(
        p("1000008"),
        [
            "screen",
            "hours",
            "language",
            "main_menu",
            "sales",
            "account",
            "crm",
            "operator"
        ]
    );
    let acc = r.cdr("1000008");
    assert_eq!(acc["vars"]["account"], "4711");
    assert_eq!(acc["vars"]["customer"], "ACME");
    assert_eq!(acc["vars"]["lookup_result"], "gold");

    // Support desk took the call over the API.
    assert_eq!(
        p("1000009"),
        ["screen", "hours", "language", "main_menu", "support"]
    );
    assert!(
        r.cdr("1000009")["owner"]
            .as_str()
            .is_some_and(|o| o.starts_with("client")),
        "{}",
        r.cdr("1000009")
    );

    // Silence: default language, three tries of the main menu, the operator.
    assert_eq!(
        p("1000010"),
        ["screen", "hours", "language", "main_menu", "operator"]
    );
    let silent_retries = r
        .events_of("1000010")
        .into_iter()
        .filter(|e| e["event"] == "ivr_retry" && e["reason"] == "no_input")
        .count();
    assert_eq!(silent_retries, 3);
    assert_eq!(r.cdr("1000010")["vars"]["language"], "en");

    // Every offered call ended in exactly one CDR; the far end agrees.
    let inbound = r.cdrs.values().filter(|c| c["direction"] == "in").count();
    assert_eq!(inbound, 10, "{:?}", r.cdrs);
    let c = &r.status["groups"];
    let offered: u64 = c
        .as_object()
        .unwrap()
        .values()
        .map(|g| g["counters"]["offered"].as_u64().unwrap())
        .sum();
    assert_eq!(offered, 10);
    let calls: Vec<u64> = r.cdrs.keys().copied().collect();
    let mut seqs: Vec<u64> = r
        .cdrs
        .values()
        .map(|c| c["seq"].as_u64().unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), calls.len(), "one record per call");
}

#[test]
fn sample_ivr_after_hours_and_on_holidays() {
    let _g = serial();
    for (tag, clock) in [
        ("ivr-night", "2026-11-23T22:30"),
        ("ivr-xmas", "2026-12-25T10:00"),
        ("ivr-sunday", "2026-11-22T10:00"),
    ] {
        let rig = rig(tag, clock);
        let r = run(&rig, vec![caller("night", "1000020", json!([]))], "none");
        assert_eq!(
            r.path("1000020"),
            ["screen", "hours", "closed"],
            "at {clock}"
        );
        let c = r.cdr("1000020");
        assert_eq!(
            c["disposition"], "answered",
            "the closed message is played: {c}"
        );
        assert_eq!(c["released_by"], "trunkd");
    }
}
