//! The PBX far end (`pbx`, `pbx_status`) without trunkd: the policy engine
//! on its own, the far end's `PriScript` against a plain `Pri` standing in
//! for trunkd (frames in memory, board time one millisecond at a time), and
//! the control socket of a running simulator.

use rand::SeedableRng;
use rand_pcg::Pcg64;
use serde_json::{json, Value};
use trunk_isdn::call::{CallId, ClearedBy, Digits, Pri, PriEvent, SetupRequest, Variant};
use trunk_isdn::q931::{IeRepr, MessageRepr};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::pbx::{
    Decision, ExtensionPolicy, Outcome, Pbx, PbxConfig, TalkTime, USER_BUSY,
};
use trunk_testbench::sim::{FarEndMode, PriCommand, PriScript};

mod support;

// ---------------------------------------------------------------- policy engine

fn config(v: Value) -> PbxConfig {
    PbxConfig::from_json(v.as_object().expect("object"))
        .expect("valid config")
        .expect("not off")
}

fn draws(t: TalkTime, seed: u64, n: usize) -> Vec<u64> {
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..n)
        .map(|_| t.draw(&mut rng).expect("a talk time"))
        .collect()
}

#[test]
fn exponential_talk_time_has_its_mean() {
    let d = draws(TalkTime::Exponential { mean_ms: 60_000 }, 7, 10_000);
    let mean = d.iter().sum::<u64>() as f64 / d.len() as f64;
    assert!(
        (mean - 60_000.0).abs() < 0.03 * 60_000.0,
        "mean of 10,000 draws {mean} within 3% of 60000"
    );
    // Not a constant: spread like an exponential (median ~ mean * ln 2).
    let below_mean = d.iter().filter(|&&x| x < 60_000).count();
    assert!(
        (6_000..=6_600).contains(&below_mean),
        "{below_mean} of 10,000 below the mean (1 - 1/e = 63%)"
    );
}

#[test]
fn fixed_uniform_none_and_seeds() {
    assert!(draws(TalkTime::Fixed(30_000), 1, 100)
        .iter()
        .all(|&x| x == 30_000));
    let u = draws(
        TalkTime::Uniform {
            min_ms: 10_000,
            max_ms: 20_000,
        },
        3,
        10_000,
    );
    assert!(u.iter().all(|x| (10_000..=20_000).contains(x)));
    assert!(u.iter().any(|&x| x < 11_000) && u.iter().any(|&x| x > 19_000));
    let mut rng = Pcg64::seed_from_u64(1);
    assert_eq!(TalkTime::None.draw(&mut rng), None);
    let e = TalkTime::Exponential { mean_ms: 5000 };
    assert_eq!(draws(e, 42, 50), draws(e, 42, 50), "same seed, same draws");
    assert_ne!(
        draws(e, 42, 50),
        draws(e, 43, 50),
        "another seed, other draws"
    );
}

#[test]
fn engine_decides_per_extension_and_counts() {
    let mut pbx = Pbx::new(config(json!({"seed":7,
        "default":{"answer_after_ms":3000,"talk":{"dist":"exponential","mean_ms":60000}},
        "extensions":{
            "2001":{"answer_after_ms":2000,"talk":{"dist":"fixed","ms":30000}},
            "2002":{"answer":"never"},
            "2003":{"busy":true},
            "2004":{"fail_cause":34},
            "2006":{"answer_after_ms":1000,"talk":{"dist":"none"}}}})));
    let ring = |a, t| Decision::Ring {
        answer_after_ms: a,
        talk_ms: t,
    };
    assert_eq!(pbx.offer(CallId(1), "2001"), ring(Some(2000), Some(30_000)));
    assert_eq!(pbx.offer(CallId(2), "2002"), ring(None, None));
    assert_eq!(
        pbx.offer(CallId(3), "2003"),
        Decision::Clear { cause: USER_BUSY }
    );
    assert_eq!(pbx.offer(CallId(4), "2004"), Decision::Clear { cause: 34 });
    assert_eq!(pbx.offer(CallId(6), "2006"), ring(Some(1000), None));
    // Not configured: the default, talk drawn from the seeded generator.
    let Decision::Ring {
        answer_after_ms: Some(3000),
        talk_ms: Some(t),
    } = pbx.offer(CallId(9), "2999")
    else {
        panic!("default policy rings and answers after 3000 ms")
    };
    let mut same = Pbx::new(pbx.config().clone());
    for (id, n) in [
        (1, "2001"),
        (2, "2002"),
        (3, "2003"),
        (4, "2004"),
        (6, "2006"),
    ] {
        same.offer(CallId(id), n);
    }
    assert_eq!(
        same.offer(CallId(9), "2999"),
        ring(Some(3000), Some(t)),
        "same seed, same config, same draws"
    );

    pbx.answered(CallId(1), 2_000);
    pbx.cleared(CallId(1), 32_000);
    pbx.cleared(CallId(2), 45_000); // trunkd gave up ringing
    pbx.answered(CallId(6), 1_000); // still talking
    let c = |n| *pbx.counters(n).expect("counted");
    assert_eq!((c("2001").answered, c("2001").talk_ms_total), (1, 30_000));
    assert_eq!((c("2002").unanswered, c("2002").ringing), (1, 0));
    assert_eq!(c("2003").busy, 1);
    assert_eq!(c("2004").failed, 1);
    assert_eq!((c("2006").active, c("2006").answered), (1, 1));
    let t = pbx.totals();
    assert_eq!(t.offered, 6);
    assert_eq!(
        t.offered,
        t.answered + t.busy + t.failed + t.unanswered + t.ringing,
        "counters add up: {t:?}"
    );
    assert_eq!((t.ringing, t.active), (1, 1));
}

#[test]
fn default_policy_when_unset() {
    let p = ExtensionPolicy::default();
    assert_eq!(p.outcome, Outcome::Answer { after_ms: 0 });
    assert_eq!(p.talk, TalkTime::None);
}

// ------------------------------------------------- far end against a PRI peer

/// Q.931 message name and cause of an I frame, if it carries one.
fn q931(frame: &[u8]) -> Option<(String, Option<u8>)> {
    if frame.len() <= 4 || frame[2] & 1 != 0 {
        return None;
    }
    let m = MessageRepr::parse_bytes(&frame[4..]).ok()?;
    let cause = m.ies.iter().find_map(|ie| match ie {
        IeRepr::Cause(c) => Some(c.value),
        _ => None,
    });
    Some((m.msg_type.name().unwrap_or("?").to_owned(), cause))
}

/// The PBX far end (network side) and "trunkd" (a user-side `Pri`).
struct Rig {
    far: PriScript,
    trunkd: Pri,
    now: u64,
    /// trunkd's events with their board time.
    events: Vec<(u64, PriEvent)>,
    /// Q.931 messages the far end sent: time, name, cause.
    far_sent: Vec<(u64, String, Option<u8>)>,
}

impl Rig {
    fn new() -> Rig {
        let mut r = Rig {
            far: PriScript::new(PriScript::config(true, Some(Variant::Etsi), false)),
            trunkd: Pri::new(PriScript::config(false, Some(Variant::Etsi), false)),
            now: 0,
            events: Vec::new(),
            far_sent: Vec::new(),
        };
        r.far.start(0);
        r.trunkd.start(0);
        r.advance(100);
        assert!(r.far.pri().is_link_up() && r.trunkd.is_link_up(), "link up");
        r.events.clear();
        r.far_sent.clear();
        r
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 300];
        loop {
            let mut moved = false;
            while let Some(n) = self.far.poll_transmit(&mut buf) {
                moved = true;
                if let Some((m, c)) = q931(&buf[..n]) {
                    self.far_sent.push((self.now, m, c));
                }
                self.trunkd.handle_frame(self.now, &buf[..n]);
            }
            while let Some(n) = self.trunkd.poll_transmit(&mut buf) {
                moved = true;
                self.far.handle_frame(self.now, &buf[..n]);
            }
            while let Some(e) = self.trunkd.poll_event() {
                moved = true;
                self.events.push((self.now, e));
            }
            if !moved {
                break;
            }
        }
    }

    fn advance(&mut self, ms: u64) {
        for _ in 0..ms {
            self.now += 1;
            self.far.tick(self.now);
            if self.trunkd.poll_timeout().is_some_and(|t| t <= self.now) {
                self.trunkd.handle_timeout(self.now);
            }
            self.pump();
        }
    }

    fn pbx(&mut self, v: Value) -> Value {
        let cmd = PriCommand::Pbx(Some(Box::new(config(v))));
        let r = self.far.command(self.now, &cmd).expect("pbx accepted");
        self.pump();
        r
    }

    fn call(&mut self, number: &str) -> CallId {
        let req = SetupRequest::new(Digits::dialable(number).expect("digits"), None);
        let id = self.trunkd.setup(self.now, &req).expect("SETUP");
        self.pump();
        id
    }

    /// When trunkd saw `call` answered.
    fn answered_at(&self, call: CallId) -> Option<u64> {
        self.events.iter().find_map(|(t, e)| match *e {
            PriEvent::Answered { call: c, .. } if c == call => Some(*t),
            _ => None,
        })
    }

    /// When `call` was cleared, with which cause, by whom.
    fn cleared(&self, call: CallId) -> Option<(u64, u8, ClearedBy)> {
        self.events.iter().find_map(|(t, e)| match *e {
            PriEvent::Cleared {
                call: c, cause, by, ..
            } if c == call => Some((*t, cause, by)),
            _ => None,
        })
    }

    fn alerted(&self, call: CallId) -> bool {
        self.events
            .iter()
            .any(|(_, e)| matches!(*e, PriEvent::Alerting { call: c, .. } if c == call))
    }
}

#[test]
fn extensions_ring_answer_talk_and_hang_up_as_configured() {
    let mut r = Rig::new();
    r.pbx(json!({"seed":7,
        "default":{"answer_after_ms":3000,"talk":{"dist":"exponential","mean_ms":60000}},
        "extensions":{
            "2001":{"answer_after_ms":2000,"talk":{"dist":"fixed","ms":30000}},
            "2002":{"answer":"never"},
            "2006":{"answer_after_ms":1000,"talk":{"dist":"none"}}}}));
    let t0 = r.now;
    let a = r.call("2001");
    let never = r.call("2002");
    let none = r.call("2006");
    assert!(
        r.alerted(a) && r.alerted(never) && r.alerted(none),
        "all ring"
    );
    r.advance(1999);
    assert_eq!(r.answered_at(a), None, "not answered before 2000 ms");
    r.advance(1);
    assert_eq!(r.answered_at(a), Some(t0 + 2000), "CONNECT after 2000 ms");
    assert_eq!(r.answered_at(none), Some(t0 + 1000));
    r.advance(35_000);
    let (at, cause, by) = r.cleared(a).expect("2001 hung up");
    assert_eq!((cause, by), (16, ClearedBy::Remote), "the phone hung up");
    // The talk time runs from the call becoming active at the phone (its
    // CONNECT ACKNOWLEDGE, in the same millisecond here).
    assert_eq!(at, t0 + 2000 + 30_000, "after the fixed 30 s talk time");
    assert_eq!(r.answered_at(never), None, "2002 never answers");
    assert!(r.trunkd.call(never).is_some(), "2002 still ringing");
    assert_eq!(r.cleared(none), None, "2006 never hangs up");

    // trunkd gives up on 2002 and clears 2006.
    r.trunkd.hangup(r.now, never, 16).expect("hangup");
    r.trunkd.hangup(r.now, none, 16).expect("hangup");
    let t_clear = r.now;
    r.advance(50);
    let st = r
        .far
        .command(r.now, &PriCommand::PbxStatus)
        .expect("status");
    let e = &st["extensions"];
    assert_eq!(e["2001"]["answered"], 1, "{st}");
    assert_eq!(e["2001"]["talk_ms_total"], 30_000, "{st}");
    assert_eq!(e["2002"]["unanswered"], 1, "{st}");
    assert_eq!(e["2006"]["answered"], 1, "{st}");
    assert_eq!(e["2006"]["active"], 0, "{st}");
    let talk6 = e["2006"]["talk_ms_total"].as_u64().expect("talk");
    assert!(
        (t_clear - t0 - 1000..=t_clear - t0 - 1000 + 50).contains(&talk6),
        "2006 talked from its answer until trunkd cleared: {talk6}"
    );
    assert_eq!(st["totals"]["offered"], 3, "{st}");
    assert_eq!(r.far.pri().calls().count(), 0);
}

#[test]
fn busy_and_failing_extensions_refuse_with_their_cause() {
    let mut r = Rig::new();
    r.pbx(json!({"extensions":{"2003":{"busy":true},"2004":{"fail_cause":34}}}));
    let busy = r.call("2003");
    let fail = r.call("2004");
    r.advance(20);
    let (_, c1, _) = r.cleared(busy).expect("busy cleared");
    let (_, c2, _) = r.cleared(fail).expect("failing cleared");
    assert_eq!((c1, c2), (17, 34));
    assert!(!r.alerted(busy) && !r.alerted(fail), "no ALERTING");
    let refusals: Vec<_> = r
        .far_sent
        .iter()
        .filter(|(_, m, _)| m == "RELEASE COMPLETE" || m == "DISCONNECT")
        .map(|(_, _, c)| *c)
        .collect();
    assert_eq!(refusals, vec![Some(17), Some(34)], "{:?}", r.far_sent);
    let p = r.far.pbx().expect("pbx set");
    assert_eq!(p.counters("2003").map(|c| c.busy), Some(1));
    assert_eq!(p.counters("2004").map(|c| c.failed), Some(1));
}

#[test]
fn without_a_pbx_config_pri_policy_still_applies_and_off_restores_it() {
    let mut r = Rig::new();
    // The default pri_policy answers at once.
    let a = r.call("2003");
    r.advance(10);
    assert!(r.answered_at(a).is_some(), "pri_policy answered");
    r.pbx(json!({"extensions":{"2003":{"busy":true}}}));
    let b = r.call("2003");
    r.advance(10);
    assert_eq!(r.cleared(b).map(|c| c.1), Some(17), "pbx: busy");
    let off = r
        .far
        .command(r.now, &PriCommand::Pbx(None))
        .expect("pbx off");
    assert_eq!(off["pbx"], false);
    let c = r.call("2003");
    r.advance(10);
    assert!(r.answered_at(c).is_some(), "pri_policy again");
    let st = r
        .far
        .command(r.now, &PriCommand::PbxStatus)
        .expect("status");
    assert_eq!(st, json!({"pbx": false}));
}

// --------------------------------------------------------- control socket

#[test]
fn control_socket_rejects_bad_specs_by_field_and_keeps_the_old_config() {
    let (sim, _dir) = support::host::start_sim("pbx-control", FarEndMode::pri(true), LineKind::E1);
    let good = json!({"cmd":"pbx","span":1,"seed":7,
        "default":{"answer_after_ms":3000},
        "extensions":{"2001":{"answer_after_ms":2000,"talk":{"dist":"fixed","ms":30000}}}});
    let r = sim.control(&good);
    assert_eq!(r["ok"], true, "{r}");
    let before = sim.control(&json!({"cmd":"pbx_status","span":1}));
    assert_eq!(before["ok"], true, "{before}");
    assert_eq!(
        before["config"]["extensions"]["2001"]["talk"],
        json!({"dist":"fixed","ms":30000})
    );

    let bad = [
        (
            json!({"cmd":"pbx","span":1,"extensions":{"2001":{"talk":{"dist":"exponential"}}}}),
            "extensions.\"2001\".talk.mean_ms",
        ),
        (
            json!({"cmd":"pbx","span":1,"extensions":{"2001":{"answer_after":5}}}),
            "\"answer_after\"",
        ),
        (
            json!({"cmd":"pbx","span":1,"default":{"fail_cause":300}}),
            "default.fail_cause",
        ),
        (json!({"cmd":"pbx","span":1,"seeds":1}), "\"seeds\""),
        (json!({"cmd":"pbx","default":{}}), "span"),
        (json!({"cmd":"pbx_status","span":9}), "span 9"),
    ];
    for (req, field) in bad {
        let r = sim.control(&req);
        assert_eq!(r["ok"], false, "{req} refused: {r}");
        let msg = r["error"].as_str().unwrap_or_default();
        assert!(msg.contains(field), "error for {req} names {field}: {msg}");
    }
    let after = sim.control(&json!({"cmd":"pbx_status","span":1}));
    assert_eq!(
        after["config"], before["config"],
        "old config still in force"
    );
    assert_eq!(after["totals"]["offered"], 0);
}
