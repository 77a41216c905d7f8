//! The traffic generator (`trunk_testbench::sim::traffic`): its arrival
//! schedule, its request checking, a run in memory against `Pri` stacks
//! standing in for trunkd (T1, mu-law), and a run through a lockstep
//! simulator driven by a host in this test (E1, A-law), both decoding the
//! callers' DTMF from the B-channel timeslots.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use trunk_driver_sys::abi;
use trunk_isdn::call::{ClearedBy, Pri, Variant};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::traffic::{arrival_schedule, ArrivalProcess, Traffic, TrafficSpec};
use trunk_testbench::sim::{FarEndMode, PriScript};

mod support;

use support::audio::{alaw, assert_level, detect, ulaw};
use support::host::{ok, start_sim, Act, Host, UserSide, IDLE};

/// What trunkd does with a call to a number: answer after a delay (and
/// clear after a while), ring for ever, or reject.
fn trunkd_plan(called: &str) -> Vec<(u64, Act)> {
    match called {
        "8000" => vec![(0, Act::Alert), (300, Act::Answer), (5300, Act::Hangup(16))],
        "8001" => vec![(0, Act::Alert)],
        _ => vec![(0, Act::Hangup(17))],
    }
}

// ---------------------------------------------------------------------
// The arrival schedule and the request checking.

fn spec(v: Value) -> TrafficSpec {
    TrafficSpec::from_json(&v).unwrap_or_else(|e| panic!("{e}"))
}

fn brief_example(seed: u64) -> TrafficSpec {
    spec(json!({"cmd":"traffic","seed":seed,"groups":[
      {"name":"pstn","spans":[1,2],"number":"8000","from":"139000%04d",
       "rate_per_min":30.0,"calls":100,
       "callers":[
         {"name":"menu1","weight":3,"patience_ms":20000,
          "script":[{"wait_ms":1500},{"dtmf":"1"},{"wait_ms":4000},{"dtmf":"2#","gap_ms":120},
                    {"hangup_after_ms":8000}]},
         {"name":"silent","weight":1,"script":[{"hangup_after_ms":20000}]}
       ]},
      {"name":"vip","spans":[2],"number":"8001","from_list":["111","222","333"],
       "interval_ms":700,"callers":[{"name":"a"},{"name":"b","weight":2}]}]}))
}

#[test]
fn the_schedule_is_the_same_for_the_same_seed() {
    let a = arrival_schedule(&brief_example(42), 50);
    let b = arrival_schedule(&brief_example(42), 50);
    let c = arrival_schedule(&brief_example(43), 50);
    assert_eq!(a.len(), 100, "50 of each group");
    assert_eq!(a, b);
    assert_ne!(a, c, "another seed, other arrivals");
    // Within a group: times never go back, indexes count from 1, the
    // pattern gives the index, profiles are drawn from both.
    let pstn: Vec<_> = a.iter().filter(|x| x.group == 0).collect();
    assert!(pstn.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    assert_eq!(pstn[0].index, 1);
    assert_eq!(pstn[0].from.as_deref(), Some("1390000001"));
    assert_eq!(pstn[9].from.as_deref(), Some("1390000010"));
    assert!(pstn.iter().any(|x| x.profile == 0) && pstn.iter().any(|x| x.profile == 1));
    let vip: Vec<_> = a.iter().filter(|x| x.group == 1).collect();
    let times: Vec<u64> = vip.iter().take(3).map(|x| x.at_ms).collect();
    assert_eq!(
        times,
        vec![0, 700, 1400],
        "fixed interval, first at the start"
    );
    assert!(vip
        .iter()
        .all(|x| matches!(x.from.as_deref(), Some("111" | "222" | "333"))));
    assert!(
        vip.iter()
            .map(|x| x.from.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 1
    );
}

#[test]
fn poisson_mean_inter_arrival_is_one_over_the_rate() {
    for rate in [30.0, 600.0] {
        let s = spec(
            json!({"seed":7,"groups":[{"name":"g","spans":[1],"number":"1",
            "rate_per_min":rate,"calls":10_000,"callers":[{"name":"p"}]}]}),
        );
        assert_eq!(
            s.groups[0].arrivals,
            ArrivalProcess::Poisson { rate_per_min: rate }
        );
        let a = arrival_schedule(&s, 10_000);
        assert_eq!(a.len(), 10_000);
        // First arrival one draw after 0, so the mean gap is last / count.
        let mean = a[a.len() - 1].at_ms as f64 / a.len() as f64;
        let expected = 60_000.0 / rate;
        assert!(
            (mean - expected).abs() < 0.05 * expected,
            "rate {rate}/min: mean gap {mean:.1} ms, expected {expected:.1}"
        );
        // Exponential, not regular: the gaps' spread is about their mean.
        let gaps: Vec<f64> = a
            .windows(2)
            .map(|w| (w[1].at_ms - w[0].at_ms) as f64)
            .collect();
        let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64;
        assert!(
            (var.sqrt() / mean - 1.0).abs() < 0.1,
            "sd/mean {}",
            var.sqrt() / mean
        );
    }
}

#[test]
fn bad_requests_name_the_field() {
    let base = || {
        json!({"cmd":"traffic","seed":1,"groups":[{"name":"g","spans":[1],"number":"8000",
            "rate_per_min":10.0,"callers":[{"name":"p","script":[{"dtmf":"1"}]}]}]})
    };
    assert!(TrafficSpec::from_json(&base()).is_ok());
    // (object to edit, key, new value, what the error must say)
    let g = "/groups/0";
    let p = "/groups/0/callers/0";
    let st = "/groups/0/callers/0/script/0";
    let cases = [
        ("", "speed", json!(1), "unknown field \"speed\""),
        (g, "rate", json!(1), "groups[0]: unknown field \"rate\""),
        (g, "rate_per_min", json!(0.0), "groups[0].rate_per_min"),
        (g, "rate_per_min", json!(-3.0), "groups[0].rate_per_min"),
        (g, "rate_per_min", json!("fast"), "groups[0].rate_per_min"),
        (g, "interval_ms", json!(100), "not both"),
        (g, "callers", json!([]), "groups[0].callers"),
        (p, "weight", json!(0), "every weight is 0"),
        (
            st,
            "dtmf",
            json!("1x"),
            "groups[0].callers[0].script[0].dtmf",
        ),
        (st, "tone", json!(1), "script[0]: unknown field \"tone\""),
        (st, "wait_ms", json!(5), "one action per step"),
        (g, "number", json!("80a0"), "groups[0].number"),
        (g, "from", json!("12%5d"), "groups[0].from"),
        (g, "spans", json!([]), "groups[0].spans"),
        (g, "from_list", json!([]), "groups[0].from_list"),
        (p, "patience_ms", json!(-1), "callers[0].patience_ms"),
    ];
    for (k, (at, key, value, want)) in cases.iter().enumerate() {
        let mut v = base();
        v.pointer_mut(at).expect("path")[*key] = value.clone();
        let e = TrafficSpec::from_json(&v).expect_err(&format!("case {k} accepted: {v}"));
        assert!(e.contains(want), "case {k}: `{e}` does not say `{want}`");
    }
    let mut v = base();
    v["groups"][0]["callers"][0]["script"][0] = json!({"gap_ms": 5});
    let e = TrafficSpec::from_json(&v).expect_err("a step with no action");
    assert!(e.contains("script[0]: a step needs"), "{e}");
}

// ---------------------------------------------------------------------
// In memory: two T1 spans, far ends on the network side with the
// generator, `Pri` user sides as trunkd.

struct MemRig {
    far: Vec<PriScript>,
    trunkd: Vec<Pri>,
    traffic: Traffic,
    now: u64,
    /// trunkd's call handling per span (and its view of cleared calls).
    users: Vec<UserSide>,
    /// Received octets per (span, timeslot), one per sample from t = 0.
    audio: BTreeMap<(usize, usize), Vec<u8>>,
}

impl MemRig {
    fn new(spans: usize) -> MemRig {
        let mut r = MemRig {
            far: (0..spans)
                .map(|_| PriScript::new(PriScript::config(true, Some(Variant::Ni2), true)))
                .collect(),
            trunkd: (0..spans)
                .map(|_| Pri::new(PriScript::config(false, Some(Variant::Ni2), true)))
                .collect(),
            traffic: Traffic::new(spans, true),
            now: 0,
            users: (0..spans).map(|_| UserSide::new(trunkd_plan)).collect(),
            audio: BTreeMap::new(),
        };
        for i in 0..spans {
            r.far[i].start(0);
            r.trunkd[i].start(0);
        }
        r.advance(100);
        assert!(r.far.iter().all(|f| f.pri().is_link_up()), "links up");
        r
    }

    fn pump(&mut self, i: usize) {
        let mut buf = [0u8; 300];
        let now = self.now;
        loop {
            let mut moved = false;
            while let Some(n) = self.far[i].poll_transmit(&mut buf) {
                moved = true;
                self.trunkd[i].handle_frame(now, &buf[..n]);
            }
            while let Some(n) = self.trunkd[i].poll_transmit(&mut buf) {
                moved = true;
                self.far[i].handle_frame(now, &buf[..n]);
            }
            while let Some(e) = self.trunkd[i].poll_event() {
                moved = true;
                self.users[i].on_event(&mut self.trunkd[i], now, &e);
            }
            moved |= self.users[i].run_due(&mut self.trunkd[i], now);
            if !moved {
                break;
            }
        }
    }

    fn advance(&mut self, ms: u64) {
        for _ in 0..ms {
            self.now += 1;
            let now = self.now;
            self.traffic.tick(now, &mut self.far);
            for i in 0..self.far.len() {
                self.far[i].tick(now);
                if self.trunkd[i].poll_timeout().is_some_and(|t| t <= now) {
                    self.trunkd[i].handle_timeout(now);
                }
                self.pump(i);
                let mut frames = [[0xFFu8; 32]; abi::FRAMES_PER_CHUNK];
                self.traffic.fill_audio(i, now, &mut frames);
                for ts in 1..=24 {
                    let a = self.audio.entry((i, ts)).or_default();
                    a.resize(now as usize * 8, 0xFF);
                    a.extend(frames.iter().map(|f| f[ts]));
                }
            }
        }
    }
}

#[test]
fn in_memory_t1_run_counts_abandons_rejects_and_sends_dtmf() {
    let mut r = MemRig::new(2);
    let s = spec(json!({"cmd":"traffic","seed":5,"groups":[
        {"name":"ivr","spans":[1,2],"number":"8000","from":"555%02d","interval_ms":400,"calls":6,
         "callers":[
           {"name":"dialer","weight":1,"script":[{"wait_ms":200},{"dtmf":"159#"},
              {"wait_ms":300},{"dtmf":"*0","on_ms":100,"gap_ms":100},{"hangup_after_ms":2500}]},
           {"name":"silent","weight":1}]},
        {"name":"queue","spans":[2],"number":"8001","interval_ms":250,"calls":3,
         "callers":[{"name":"impatient","patience_ms":1500}]},
        {"name":"busy","spans":[1],"number":"8002","interval_ms":100,"calls":2,
         "callers":[{"name":"x"}]}]}));
    let t0 = r.now;
    r.traffic.start(t0, s).expect("start");
    let mut limit = 0;
    while !r.traffic.is_idle() && limit < 20_000 {
        r.advance(10);
        limit += 10;
    }
    assert!(r.traffic.is_idle(), "every call ended");

    let ivr = r.traffic.counters("ivr").expect("ivr").clone();
    assert!(ivr.adds_up(), "{ivr:?}");
    assert_eq!((ivr.offered, ivr.placed, ivr.answered), (6, 6, 6));
    let dialer = r.traffic.profile_counters("ivr", "dialer").expect("dialer");
    let silent = r.traffic.profile_counters("ivr", "silent").expect("silent");
    assert_eq!(dialer.offered + silent.offered, 6);
    assert!(
        dialer.offered > 0 && silent.offered > 0,
        "both profiles drawn"
    );
    assert_eq!(
        dialer.completed, dialer.offered,
        "dialers hang up themselves"
    );
    assert_eq!(
        silent.cleared_by_trunkd, silent.offered,
        "trunkd clears the silent"
    );
    assert_eq!(
        silent.cleared_by_trunkd_causes.get(&16).copied(),
        Some(silent.offered)
    );
    let queue = r.traffic.counters("queue").expect("queue");
    assert!(queue.adds_up());
    assert_eq!((queue.offered, queue.abandoned, queue.answered), (3, 3, 0));
    let busy = r.traffic.counters("busy").expect("busy");
    assert!(busy.adds_up());
    assert_eq!(
        (busy.rejected, busy.rejected_causes.get(&17).copied()),
        (2, Some(2))
    );

    // The records, and trunkd's side of each ending.
    let fin: Vec<_> = r.traffic.finished().cloned().collect();
    assert_eq!(fin.len(), 11);
    for f in &fin {
        match (f.group.as_str(), f.profile.as_str()) {
            ("ivr", "dialer") => {
                assert_eq!((f.cleared_by.name(), f.cause), ("caller", 16));
                let a = f.answered_ms.expect("answered");
                assert_eq!(a, f.placed_ms + 300, "trunkd answers after 300 ms");
                assert!(f.ended_ms >= a + 2500 && f.ended_ms < a + 2600, "{f:?}");
            }
            ("ivr", "silent") => {
                assert_eq!((f.cleared_by.name(), f.cause), ("trunkd", 16))
            }
            ("queue", _) => {
                assert_eq!(
                    (f.cleared_by.name(), f.cause, f.answered_ms),
                    ("caller", 16, None)
                );
                assert!(f.ended_ms >= f.placed_ms + 1500 && f.ended_ms < f.placed_ms + 1600);
            }
            ("busy", _) => assert_eq!((f.cleared_by.name(), f.cause), ("trunkd", 17)),
            other => panic!("{other:?}"),
        }
    }
    let ivr_from: Vec<_> = fin
        .iter()
        .filter(|f| f.group == "ivr")
        .map(|f| (f.index, f.from.clone()))
        .collect();
    assert!(ivr_from
        .iter()
        .all(|(i, n)| n.as_deref() == Some(format!("555{i:02}").as_str())));
    assert!(fin.iter().filter(|f| f.group == "ivr").any(|f| f.span == 1));
    assert!(fin.iter().filter(|f| f.group == "ivr").any(|f| f.span == 2));
    let by_trunkd: Vec<_> = r
        .users
        .iter()
        .flat_map(|u| &u.cleared)
        .filter(|c| c.1 == 16)
        .collect();
    assert!(by_trunkd.len() >= 3 + dialer.offered as usize);

    // The DTMF on each dialer's timeslot, mu-law, at -10 dBm0 per tone;
    // the silent callers' timeslots stay idle.
    for f in &fin {
        let (Some(ch), Some(a)) = (f.channel, f.answered_ms) else {
            continue;
        };
        let octets =
            &r.audio[&(f.span - 1, usize::from(ch))][a as usize * 8..f.ended_ms as usize * 8];
        let x: Vec<f64> = octets.iter().map(|&o| ulaw(o)).collect();
        let digits = detect(&x);
        let text: String = digits.iter().map(|d| d.0).collect();
        if f.profile == "dialer" {
            assert_eq!(text, "159#*0", "call {} on span {} B{ch}", f.index, f.span);
            digits.iter().for_each(|d| assert_level(d.1, true));
        } else {
            assert!(
                octets.iter().all(|&o| o == 0xFF),
                "silent caller sent audio"
            );
        }
    }
}

#[test]
fn e1_run_through_the_simulator() {
    let (sim, dir) = start_sim("e1", FarEndMode::pri(true), LineKind::E1);
    let mut host = Host::start_e1(dir.clone(), trunkd_plan);
    assert!(host.link_up_after(300), "D-channel up");

    // Bad requests change nothing.
    let e = sim.control(&json!({"cmd":"traffic","groups":[{"name":"g","spans":[2],
        "number":"8000","rate_per_min":60.0,"callers":[{"name":"p"}]}]}));
    assert_eq!(e["ok"], false);
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|s| s.contains("groups[0].spans")),
        "{e}"
    );
    let e = sim.control(&json!({"cmd":"traffic","groups":[{"name":"g","spans":[1],
        "number":"8000","rate_per_min":60.0,"callers":[{"name":"p","patience":5}]}]}));
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|s| s.contains("unknown field \"patience\"")),
        "{e}"
    );
    let st = ok(sim.control(&json!({"cmd":"traffic_status"})));
    assert_eq!(st["groups"], json!({}), "nothing started");

    let r = ok(sim.control(&json!({"cmd":"traffic","seed":9,"groups":[
        {"name":"ivr","spans":[1],"number":"8000","from":"139000%04d","interval_ms":500,"calls":3,
         "callers":[{"name":"menu","patience_ms":5000,"script":[{"wait_ms":300},{"dtmf":"12"},
            {"wait_ms":200},{"dtmf":"#"},{"hangup_after_ms":1500}]}]},
        {"name":"queue","spans":[1],"number":"8001","rate_per_min":120.0,"calls":2,
         "callers":[{"name":"impatient","patience_ms":800}]},
        {"name":"busy","spans":[1],"number":"8002","interval_ms":100,"calls":2,
         "callers":[{"name":"x"}]}]})));
    assert_eq!(r["groups"], json!(["ivr", "queue", "busy"]));
    let e = sim.control(&json!({"cmd":"traffic","groups":[{"name":"ivr","spans":[1],
        "number":"8000","rate_per_min":60.0,"callers":[{"name":"p"}]}]}));
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|s| s.contains("still running")),
        "{e}"
    );

    let mut status = Value::Null;
    let done = host.run_until(Duration::from_secs(120), |h| {
        if h.frames.len() % 800 != 0 {
            return false;
        }
        status = sim.control(&json!({"cmd":"traffic_status"}));
        status["idle"] == true
    });
    assert!(done, "every call ended: {status}");
    let st = ok(sim.control(&json!({"cmd":"traffic_status"})));
    let g = &st["groups"];
    for name in ["ivr", "queue", "busy"] {
        let c = &g[name]["counters"];
        let n = |k: &str| c[k].as_u64().unwrap_or(u64::MAX);
        assert_eq!(
            n("offered"),
            n("answered") + n("abandoned") + n("rejected") + n("place_failed") + n("in_progress"),
            "{name}: {c}"
        );
        assert_eq!(n("in_progress") + n("talking"), 0, "{name}: {c}");
    }
    assert_eq!(g["ivr"]["counters"]["answered"], 3);
    assert_eq!(g["ivr"]["profiles"]["menu"]["completed"], 3);
    assert_eq!(g["queue"]["counters"]["abandoned"], 2);
    assert_eq!(g["busy"]["counters"]["rejected"], 2);
    assert_eq!(g["busy"]["counters"]["rejected_causes"]["17"], 2);
    let fin = st["finished"].as_array().cloned().unwrap_or_default();
    assert_eq!(fin.len(), 7, "{st}");
    // The impatient callers' DISCONNECT reached trunkd with cause 16.
    let from_far: Vec<_> = host
        .user
        .cleared
        .iter()
        .filter(|c| c.2 == ClearedBy::Remote)
        .collect();
    assert_eq!(
        from_far.len(),
        5,
        "3 menu + 2 impatient hang-ups: {:?}",
        host.user.cleared
    );
    assert!(from_far.iter().all(|c| c.1 == 16));

    // Each menu caller's DTMF, decoded from what the board received on
    // the call's timeslot; before the answer the timeslot is idle.
    for f in fin.iter().filter(|f| f["group"] == "ivr") {
        assert_eq!(f["cleared_by"], "caller");
        let ts = f["channel"].as_u64().expect("channel") as usize;
        let placed = f["placed_ms"].as_u64().expect("placed") as usize;
        let a = f["answered_ms"].as_u64().expect("answered") as usize;
        let end = f["ended_ms"].as_u64().expect("ended") as usize;
        assert!(end >= a + 1500, "{f}");
        let octets: Vec<u8> = host.frames[a * 8..end * 8]
            .iter()
            .map(|fr| fr[ts])
            .collect();
        let x: Vec<f64> = octets.iter().map(|&o| alaw(o)).collect();
        let digits = detect(&x);
        let text: String = digits.iter().map(|d| d.0).collect();
        assert_eq!(text, "12#", "{f}");
        digits.iter().for_each(|d| assert_level(d.1, false));
        assert!(
            host.frames[placed * 8..a * 8]
                .iter()
                .all(|fr| fr[ts] == IDLE),
            "idle before the answer: {f}"
        );
        assert!(f["from"].as_str().is_some_and(|s| s.starts_with("139000")));
    }
    let r = ok(sim.control(&json!({"cmd":"traffic_stop"})));
    assert_eq!(r["stopped"], json!(["ivr", "queue", "busy"]));
    sim.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn traffic_needs_a_pri_far_end() {
    let (sim, dir) = start_sim("loop", FarEndMode::Loop, LineKind::T1);
    let e = sim.control(&json!({"cmd":"traffic","groups":[{"name":"g","spans":[1],
        "number":"8000","rate_per_min":60.0,"callers":[{"name":"p"}]}]}));
    assert_eq!(e["ok"], false);
    assert!(
        e["error"].as_str().is_some_and(|s| s.contains("pri-net")),
        "{e}"
    );
    let e = sim.control(&json!({"cmd":"traffic_status","verbose":true}));
    assert!(
        e["error"].as_str().is_some_and(|s| s.contains("verbose")),
        "{e}"
    );
    sim.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
