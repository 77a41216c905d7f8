//! End to end: trunksim (far end loop, lockstep) + trunkd + trunkctl.
//! Spans come up; every injected fault shows as the matching alarm or counter
//! in `trunkctl spans --json`; clearing it brings the span back; BERT over a
//! looped timeslot measures the injected bit error rate.

mod common;

use std::time::Duration;

use common::{alarms, serial, Harness};
use serde_json::Value;

const UP: Duration = Duration::from_secs(30);

fn counter(s: &Value, name: &str) -> u64 {
    s["counters"][name]
        .as_u64()
        .unwrap_or_else(|| panic!("counter {name} missing in {s}"))
}

/// Inject `kind` on `span`, expect `alarm`, clear, expect the span back up,
/// and check no other span noticed.
fn fault_round_trip(h: &Harness, span: u64, kind: &str, alarm: &str, others: &[u64]) {
    let r = h.sim_control(format!(
        r#"{{"cmd":"fault","span":{span},"kind":"{kind}"}}"#
    ));
    assert_eq!(r["ok"], true, "fault {kind}: {r}");
    h.wait_span(span, &format!("{alarm} after {kind}"), UP, |s| {
        alarms(s).iter().any(|a| a == alarm)
    });
    let s = h.span(span);
    assert_eq!(
        s["state"], "alarm",
        "span with {alarm} must be in alarm: {s}"
    );
    for &o in others {
        let s = h.span(o);
        assert_eq!(
            s["state"], "up",
            "span {o} disturbed by a fault on span {span}: {s}"
        );
    }
    let r = h.sim_control(format!(r#"{{"cmd":"clear","span":{span}}}"#));
    assert_eq!(r["ok"], true);
    h.wait_span(span, &format!("recovery from {kind}"), UP, |s| {
        s["state"] == "up" && alarms(s).is_empty()
    });
}

fn bert(h: &Harness, chan: &str, seconds: u64) -> Value {
    let out = h.ctl(&["bert", chan, "--seconds", &seconds.to_string()]);
    assert_eq!(out["state"], "done", "BERT did not complete: {out}");
    out
}

#[test]
fn e1_four_spans_alarms_counters_and_bert() {
    let _g = serial();
    let h = Harness::start("e1", 4, false, "lockstep");
    h.wait_all_up(UP);
    let spans = h.spans();
    assert_eq!(spans.len(), 4);
    for s in &spans {
        assert_eq!(s["line"], "e1");
        assert_eq!(s["framing"], "crc4");
        assert_eq!(s["dchannel"]["timeslot"], 16);
    }

    fault_round_trip(&h, 1, "los", "los", &[2, 3, 4]);
    fault_round_trip(&h, 2, "ais", "ais", &[1, 3, 4]);
    fault_round_trip(&h, 3, "lof", "lof", &[1, 2, 4]);
    fault_round_trip(&h, 4, "rai", "rai", &[1, 2, 3]);

    // Slips are counted exactly.
    let before = counter(&h.span(2), "slips");
    h.sim_control(r#"{"cmd":"fault","span":2,"kind":"slip","count":3}"#);
    h.wait_span(2, "3 slips", UP, |s| counter(s, "slips") >= before + 3);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(counter(&h.span(2), "slips"), before + 3);
    h.sim_control(r#"{"cmd":"clear","span":2}"#);

    // Bit errors show as CRC-4 errors, FAS errors and (looped back) E bits.
    let s0 = h.span(3);
    h.sim_control(r#"{"cmd":"fault","span":3,"kind":"ber","rate":0.001}"#);
    h.wait_span(3, "BER counters", UP, |s| {
        counter(s, "crc_errors") > counter(&s0, "crc_errors") + 20
            && counter(s, "fas_errors") > counter(&s0, "fas_errors")
            && counter(s, "ebit_errors") > counter(&s0, "ebit_errors")
    });
    h.sim_control(r#"{"cmd":"clear","span":3}"#);
    // Line code errors show as code violations.
    let s0 = h.span(3);
    h.sim_control(r#"{"cmd":"fault","span":3,"kind":"cv","rate":0.001}"#);
    h.wait_span(3, "code violations", UP, |s| {
        counter(s, "code_violations") > counter(&s0, "code_violations") + 20
    });
    h.sim_control(r#"{"cmd":"clear","span":3}"#);
    // RAI on a looped line comes with a correct CRC: no CRC errors.
    let s0 = h.span(4);
    fault_round_trip(&h, 4, "rai", "rai", &[1, 2, 3]);
    assert_eq!(
        counter(&h.span(4), "crc_errors"),
        counter(&s0, "crc_errors")
    );
    h.wait_span(3, "recovery from BER", UP, |s| s["state"] == "up");

    // BERT: clean line, no errors.
    let clean = bert(&h, "1/1", 5);
    assert_eq!(clean["in_sync"], true, "{clean}");
    assert_eq!(clean["errors"], 0, "{clean}");
    assert!(clean["bits"].as_u64().unwrap() > 250_000, "{clean}");

    // BERT with 1e-4 injected: the measured rate is within 20 %.
    h.sim_control(r#"{"cmd":"fault","span":1,"kind":"ber","rate":0.0001}"#);
    let noisy = bert(&h, "1/5", 60);
    let rate = noisy["error_rate"].as_f64().unwrap();
    assert!(
        (0.8e-4..=1.2e-4).contains(&rate),
        "BERT error rate {rate} not within 20% of 1e-4: {noisy}"
    );
    h.sim_control(r#"{"cmd":"clear","span":1}"#);

    // Minutes of board time, four spans, HDLC, BERTs, alarms: the real-time
    // loop never allocated.
    let status = h.ctl(&["status"]);
    assert_eq!(status["hot_path_allocations"], 0, "{status}");
    assert!(
        status["boards"][0]["ticks"].as_u64().unwrap() > 60_000,
        "{status}"
    );
}

#[test]
fn t1_two_spans_esf_b8zs() {
    let _g = serial();
    let h = Harness::start("t1", 2, true, "lockstep");
    h.wait_all_up(UP);
    for s in h.spans() {
        assert_eq!(s["line"], "t1");
        assert_eq!(s["framing"], "esf");
        assert_eq!(s["linecode"], "b8zs");
        assert_eq!(s["dchannel"]["timeslot"], 24);
    }
    fault_round_trip(&h, 1, "los", "los", &[2]);
    fault_round_trip(&h, 2, "ais", "ais", &[1]);
    fault_round_trip(&h, 1, "lof", "lof", &[2]);
    fault_round_trip(&h, 2, "rai", "rai", &[1]);

    let s0 = h.span(1);
    h.sim_control(r#"{"cmd":"fault","span":1,"kind":"ber","rate":0.001}"#);
    h.wait_span(1, "CRC-6 errors", UP, |s| {
        counter(s, "crc_errors") > counter(&s0, "crc_errors") + 10
    });
    h.sim_control(r#"{"cmd":"clear","span":1}"#);
    h.sim_control(r#"{"cmd":"fault","span":1,"kind":"cv","rate":0.001}"#);
    h.wait_span(1, "code violations", UP, |s| {
        counter(s, "code_violations") > counter(&s0, "code_violations") + 10
    });
    h.sim_control(r#"{"cmd":"clear","span":1}"#);
    h.wait_span(1, "recovery", UP, |s| s["state"] == "up");

    let clean = bert(&h, "2/1", 5);
    assert_eq!(clean["errors"], 0, "{clean}");
    h.sim_control(r#"{"cmd":"fault","span":2,"kind":"ber","rate":0.0001}"#);
    let noisy = bert(&h, "2/3", 60);
    let rate = noisy["error_rate"].as_f64().unwrap();
    assert!(
        (0.8e-4..=1.2e-4).contains(&rate),
        "T1 BERT error rate {rate}: {noisy}"
    );
}

#[test]
fn channels_list_bearers_and_dchannel() {
    let _g = serial();
    let h = Harness::start("chan", 1, false, "x4");
    h.wait_all_up(UP);
    let ch = h.ctl(&["channels"]);
    let list = ch["channels"].as_array().expect("channels");
    assert_eq!(list.len(), 31);
    let d: Vec<_> = list.iter().filter(|c| c["kind"] == "dchannel").collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["channel"], "1/16");
    assert!(list
        .iter()
        .filter(|c| c["kind"] == "bearer")
        .all(|c| c["state"] == "idle" && c["trunk_group"] == "tg1"));
}

#[test]
fn interrupt_moderation_keeps_every_chunk() {
    let _g = serial();
    let h = Harness::start_with("irq4", 2, false, "lockstep", "interrupt_interval_ms = 4");
    h.wait_all_up(UP);
    let st = h.ctl(&["status"]);
    assert_eq!(st["boards"][0]["interrupt_interval_ms"], 4, "{st}");
    // Four chunks per interrupt: the BERT pattern must still be seamless.
    let clean = bert(&h, "1/7", 20);
    assert_eq!(clean["errors"], 0, "{clean}");
    assert_eq!(clean["resyncs"], 0, "{clean}");
    fault_round_trip(&h, 2, "los", "los", &[1]);
    let s = h.span(1);
    assert_eq!(counter(&s, "tx_underruns"), 0, "{s}");
    assert_eq!(s["tx_latency_ms"], 5, "{s}");
    let st = h.ctl(&["status"]);
    assert_eq!(st["hot_path_allocations"], 0, "{st}");
}

#[test]
fn trunksim_send_talks_to_a_running_simulator() {
    let _g = serial();
    let h = Harness::start("send", 1, false, "x2");
    h.wait_all_up(UP);
    let send = |req: &str| {
        std::process::Command::new(common::bin("trunksim"))
            .arg("--dir")
            .arg(&h.sim_dir)
            .args(["--send", req])
            .output()
            .expect("run trunksim --send")
    };
    let out = send(r#"{"cmd":"status"}"#);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON reply");
    assert_eq!(v["board"]["spans"], 1, "{v}");
    let out = send(r#"{"cmd":"fault","span":9,"kind":"los"}"#);
    assert!(
        !out.status.success(),
        "an error reply must fail the command"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("does not exist"));
    let out = send(r#"{"cmd":"fault","span":1,"kind":"los"}"#);
    assert!(out.status.success());
    h.wait_span(1, "los", UP, |s| alarms(s).iter().any(|a| a == "los"));
}
