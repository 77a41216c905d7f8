//! The built-in PRI far end's script logic (`trunk_testbench::sim::PriScript`)
//! against a second `Pri` of the opposite side standing in for trunkd, frames
//! passed in memory, board time driven one millisecond at a time.

use std::collections::BTreeSet;

use trunk_isdn::call::{
    CallId, ClearedBy, Digits, Pri, PriConfig, PriEvent, SetupRequest, Variant,
};
use trunk_isdn::q931::{IeRepr, MessageRepr};
use trunk_testbench::sim::{CallPlan, PriCommand, PriPolicy, PriScript};

/// Q.931 message name and cause value of an I frame, if it carries one.
fn q931(frame: &[u8]) -> Option<(String, Option<u8>)> {
    // Address (2 octets), I-frame control (2 octets, bit 0 of the first is 0).
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

/// The far end, "trunkd" (a plain `Pri`), and what trunkd saw.
struct Rig {
    far: PriScript,
    trunkd: Pri,
    now: u64,
    /// Events of trunkd's stack with their board time.
    events: Vec<(u64, PriEvent)>,
    /// trunkd answers calls from the far end once their number is complete.
    auto_answer: bool,
    /// Q.931 messages the far end sent: name and cause.
    far_sent: Vec<(String, Option<u8>)>,
}

impl Rig {
    /// Far end on the `far_network` side; trunkd on the other.
    fn new(far_network: bool, variant: Variant, t1: bool) -> Rig {
        Rig::with(far_network, variant, t1, |_| {})
    }

    fn with(
        far_network: bool,
        variant: Variant,
        t1: bool,
        tweak: impl FnOnce(&mut PriConfig),
    ) -> Rig {
        let far_cfg = PriScript::config(far_network, Some(variant), t1);
        let mut trunkd_cfg = PriScript::config(!far_network, Some(variant), t1);
        tweak(&mut trunkd_cfg);
        let mut r = Rig {
            far: PriScript::new(far_cfg),
            trunkd: Pri::new(trunkd_cfg),
            now: 0,
            events: Vec::new(),
            auto_answer: true,
            far_sent: Vec::new(),
        };
        r.far.start(0);
        r.trunkd.start(0);
        r.advance(50);
        assert!(r.far.pri().is_link_up(), "far end link up");
        assert!(r.trunkd.is_link_up(), "trunkd link up");
        // Both sides restart the interface at start-up; let that settle.
        r.advance(50);
        r.events.clear();
        r
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 300];
        loop {
            let mut moved = false;
            while let Some(n) = self.far.poll_transmit(&mut buf) {
                moved = true;
                self.far_sent.extend(q931(&buf[..n]));
                self.trunkd.handle_frame(self.now, &buf[..n]);
            }
            while let Some(n) = self.trunkd.poll_transmit(&mut buf) {
                moved = true;
                self.far.handle_frame(self.now, &buf[..n]);
            }
            while let Some(e) = self.trunkd.poll_event() {
                moved = true;
                self.trunkd_reacts(&e);
                self.events.push((self.now, e));
            }
            if !moved {
                break;
            }
        }
    }

    /// What trunkd's call control does on its own.
    fn trunkd_reacts(&mut self, e: &PriEvent) {
        if !self.auto_answer {
            return;
        }
        let call = match *e {
            PriEvent::IncomingCall {
                call,
                complete: true,
                ..
            } => call,
            PriEvent::Digits {
                call,
                complete: true,
                ..
            } => call,
            _ => return,
        };
        let now = self.now;
        self.trunkd.proceeding(now, call).expect("CALL PROCEEDING");
        self.trunkd.alerting(now, call).expect("ALERTING");
        self.trunkd.answer(now, call).expect("CONNECT");
    }

    /// Advance board time by `ms`, one millisecond at a time.
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

    fn command(&mut self, cmd: PriCommand) -> serde_json::Value {
        let r = self
            .far
            .command(self.now, &cmd)
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        self.pump();
        r
    }

    /// trunkd places a call to the far end.
    fn trunkd_call(&mut self, number: &str) -> CallId {
        let req = SetupRequest::new(
            Digits::dialable(number).expect("digits"),
            Digits::dialable("1000"),
        );
        let id = self.trunkd.setup(self.now, &req).expect("SETUP");
        self.pump();
        id
    }

    fn time_of(&self, f: impl Fn(&PriEvent) -> bool) -> Option<u64> {
        self.events.iter().find(|(_, e)| f(e)).map(|(t, _)| *t)
    }

    fn count(&self, f: impl Fn(&PriEvent) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }
}

#[test]
fn policy_answers_after_delay_and_hangs_up_after() {
    let mut r = Rig::new(true, Variant::Etsi, false);
    r.command(PriCommand::Policy(PriPolicy {
        answer_after_ms: Some(500),
        reject_cause: None,
        hangup_after_ms: Some(3000),
        ring: true,
    }));
    let t0 = r.now;
    let call = r.trunkd_call("5551234");
    let is = |c: CallId| {
        move |e: &PriEvent| match *e {
            PriEvent::Proceeding { call, .. } | PriEvent::Alerting { call, .. } => call == c,
            _ => false,
        }
    };
    assert_eq!(r.count(is(call)), 2, "CALL PROCEEDING and ALERTING at once");
    r.advance(499);
    assert_eq!(r.count(|e| matches!(e, PriEvent::Answered { .. })), 0);
    r.advance(2);
    let answered = r
        .time_of(|e| matches!(e, PriEvent::Answered { call: c, .. } if *c == call))
        .expect("answered");
    assert_eq!(answered, t0 + 500, "CONNECT 500 ms after the SETUP");
    r.advance(2998);
    assert_eq!(r.count(|e| matches!(e, PriEvent::Cleared { .. })), 0);
    r.advance(10);
    let cleared = r.events.iter().find_map(|(t, e)| match *e {
        PriEvent::Cleared {
            call: c, cause, by, ..
        } if c == call => Some((*t, cause, by)),
        _ => None,
    });
    assert_eq!(cleared, Some((t0 + 3500, 16, ClearedBy::Remote)));
    let c = r.far.counters();
    assert_eq!(
        (c.received, c.received_answered, c.cleared_by_far),
        (1, 1, 1)
    );
    assert_eq!(r.far.pri().calls().count(), 0);
}

#[test]
fn policy_never_answers_when_answer_after_is_null() {
    let mut r = Rig::new(true, Variant::Etsi, false);
    r.command(PriCommand::Policy(PriPolicy {
        answer_after_ms: None,
        ..PriPolicy::default()
    }));
    let call = r.trunkd_call("42");
    r.advance(5000);
    assert!(r.count(|e| matches!(e, PriEvent::Alerting { .. })) == 1);
    assert_eq!(r.count(|e| matches!(e, PriEvent::Answered { .. })), 0);
    assert!(r.trunkd.call(call).is_some(), "still ringing");
    // trunkd gives up; the far end counts it.
    r.trunkd.hangup(r.now, call, 16).expect("hangup");
    r.advance(10);
    assert_eq!(r.far.counters().cleared_by_trunkd, 1);
}

#[test]
fn policy_reject_cause_17_is_seen_by_trunkd() {
    let mut r = Rig::new(true, Variant::Etsi, false);
    for ring in [false, true] {
        r.events.clear();
        r.far_sent.clear();
        r.command(PriCommand::Policy(PriPolicy {
            reject_cause: Some(17),
            ring,
            ..PriPolicy::default()
        }));
        let call = r.trunkd_call("5551234");
        r.advance(20);
        let cleared = r.events.iter().find_map(|(_, e)| match *e {
            PriEvent::Cleared {
                call: c, cause, by, ..
            } if c == call => Some((cause, by)),
            _ => None,
        });
        // Not responded yet: RELEASE COMPLETE; after ALERTING: DISCONNECT.
        let first_clearing = if ring {
            "DISCONNECT"
        } else {
            "RELEASE COMPLETE"
        };
        assert!(
            r.far_sent
                .iter()
                .any(|(m, c)| m == first_clearing && *c == Some(17)),
            "ring {ring}: {:?}",
            r.far_sent
        );
        let cleared = cleared.expect("trunkd cleared the call");
        assert_eq!(cleared.1, ClearedBy::Remote);
        if !ring {
            assert_eq!(cleared.0, 17, "trunkd sees cause 17");
        }
        let alerted = r.count(|e| matches!(e, PriEvent::Alerting { .. })) == 1;
        assert_eq!(
            alerted, ring,
            "ALERTING before the rejection only with ring"
        );
        assert_eq!(r.count(|e| matches!(e, PriEvent::Answered { .. })), 0);
    }
    assert_eq!(r.far.counters().received_rejected, 2);
}

#[test]
fn thirty_calls_on_e1_are_all_answered_by_trunkd() {
    let mut r = Rig::new(true, Variant::Etsi, false);
    let reply = r.command(PriCommand::Call(CallPlan {
        count: 30,
        from: Some("8880".into()),
        from_index: true,
        hangup_after_ms: Some(1000),
        ..CallPlan::new("5551234")
    }));
    assert_eq!(reply["calls"].as_array().map(Vec::len), Some(30), "{reply}");
    r.advance(200);
    let c = r.far.counters().clone();
    assert_eq!((c.placed, c.answered, c.place_failed), (30, 30, 0));
    let mut channels = BTreeSet::new();
    let mut callers = BTreeSet::new();
    for (_, e) in &r.events {
        if let PriEvent::IncomingCall {
            channel,
            called,
            calling,
            ..
        } = e
        {
            assert_eq!(called.digits.to_string(), "5551234");
            channels.insert(*channel);
            callers.insert(calling.expect("calling").digits.to_string());
        }
    }
    assert_eq!(channels.len(), 30, "every B-channel of the E1");
    assert!(!channels.contains(&16));
    assert!(callers.contains("88801") && callers.contains("888030"));
    assert_eq!(callers.len(), 30);
    // A 31st call finds no channel.
    r.command(PriCommand::Call(CallPlan::new("5550000")));
    assert_eq!(r.far.counters().place_failed, 1);
    // Every call is cleared by the far end after a second.
    r.advance(1200);
    let cleared = r.count(|e| {
        matches!(
            e,
            PriEvent::Cleared {
                cause: 16,
                by: ClearedBy::Remote,
                ..
            }
        )
    });
    assert_eq!(cleared, 30);
    assert_eq!(r.far.counters().cleared_by_far, 30);
    assert_eq!(r.far.pri().calls().count(), 0);
    assert_eq!(r.trunkd.calls().count(), 0);
}

#[test]
fn overlap_dialling_arrives_complete_at_trunkd() {
    let mut r = Rig::with(true, Variant::Etsi, false, |c| c.overlap_receive = true);
    r.command(PriCommand::Call(CallPlan {
        overlap: true,
        digit_interval_ms: 20,
        from: Some("8880001".into()),
        ..CallPlan::new("5551234")
    }));
    r.advance(500);
    let first = r.events.iter().find_map(|(_, e)| match e {
        PriEvent::IncomingCall {
            called, complete, ..
        } => Some((called.digits.to_string(), *complete)),
        _ => None,
    });
    assert_eq!(
        first,
        Some(("5".to_owned(), false)),
        "first digit in the SETUP"
    );
    let digits: Vec<(String, bool)> = r
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            PriEvent::Digits {
                called, complete, ..
            } => Some((called.digits.to_string(), *complete)),
            _ => None,
        })
        .collect();
    assert_eq!(
        digits.len(),
        6,
        "one INFORMATION per remaining digit: {digits:?}"
    );
    assert_eq!(digits.last(), Some(&("5551234".to_owned(), true)));
    assert!(digits[..5].iter().all(|(_, complete)| !complete));
    assert_eq!(r.far.counters().answered, 1);
}

#[test]
fn ni2_t1_user_side_far_end() {
    // pri-cpe on T1: the far end is the user side, trunkd the network.
    let mut r = Rig::new(false, Variant::Ni2, true);
    r.command(PriCommand::Call(CallPlan {
        count: 23,
        ..CallPlan::new("2125551000")
    }));
    r.advance(200);
    let c = r.far.counters().clone();
    assert_eq!((c.placed, c.answered), (23, 23));
    r.command(PriCommand::Call(CallPlan::new("2125551000")));
    assert_eq!(r.far.counters().place_failed, 1, "23 B-channels on a T1");
    r.command(PriCommand::Hangup {
        call: None,
        cause: 16,
    });
    r.advance(100);
    assert_eq!(r.far.counters().cleared_by_far, 23);
    // And a call from trunkd (network side) is answered by the default policy.
    let call = r.trunkd_call("5551000");
    r.advance(50);
    assert!(r
        .time_of(|e| matches!(e, PriEvent::Answered { call: c, .. } if *c == call))
        .is_some());
    assert_eq!(r.far.counters().received_answered, 1);
}

#[test]
fn hangup_restart_and_status_commands() {
    let mut r = Rig::new(true, Variant::Etsi, false);
    let reply = r.command(PriCommand::Call(CallPlan {
        count: 2,
        interval_ms: 100,
        ..CallPlan::new("700")
    }));
    assert_eq!(reply["calls"].as_array().map(Vec::len), Some(1));
    assert_eq!(reply["pending"], 1);
    r.advance(150);
    assert_eq!(r.far.counters().answered, 2);
    let status = r.far.command(r.now, &PriCommand::Status).expect("status");
    assert_eq!(status["link_up"], true);
    assert_eq!(status["side"], "network");
    assert_eq!(status["variant"], "etsi");
    let calls = status["calls"].as_array().expect("calls");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["state"], "active");
    assert_eq!(calls[0]["direction"], "to_trunkd");
    let first = calls[0]["call"].as_u64().expect("id") as u32;
    r.command(PriCommand::Hangup {
        call: Some(first),
        cause: 31,
    });
    r.advance(20);
    assert!(r.far_sent.contains(&("DISCONNECT".to_owned(), Some(31))));
    assert_eq!(
        r.count(|e| matches!(
            e,
            PriEvent::Cleared {
                by: ClearedBy::Remote,
                ..
            }
        )),
        1
    );
    // trunkd hangs up the other one.
    let other = r.trunkd.calls().next().expect("one call left").id;
    r.trunkd.hangup(r.now, other, 16).expect("hangup");
    r.advance(20);
    // trunkd rejects a call: counted by cause.
    r.auto_answer = false;
    r.command(PriCommand::Call(CallPlan::new("701")));
    let incoming = r
        .events
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            PriEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .expect("SETUP at trunkd");
    r.trunkd.hangup(r.now, incoming, 17).expect("reject");
    r.advance(20);
    // RESTART of one channel (the interface was restarted once at start-up).
    assert_eq!(r.far.counters().restarts_acknowledged, 1);
    r.command(PriCommand::Restart { channel: Some(3) });
    r.advance(20);
    assert!(r
        .time_of(|e| matches!(
            e,
            PriEvent::Restarted {
                channel: Some(3),
                remote: true
            }
        ))
        .is_some());
    let c = r.far.counters().clone();
    assert_eq!((c.cleared_by_far, c.cleared_by_trunkd), (1, 2));
    assert_eq!(
        (c.rejected, c.reject_causes.get(&17).copied()),
        (1, Some(1))
    );
    assert_eq!(c.restarts_acknowledged, 2);
    let status = r.far.command(r.now, &PriCommand::Status).expect("status");
    assert_eq!(status["counters"]["reject_causes"]["17"], 1);
    let events = status["events"].as_array().expect("events");
    assert!(!events.is_empty() && events.len() <= 32);
    assert!(events
        .iter()
        .any(|e| e["event"].as_str().is_some_and(|s| s.contains("cause 17"))));
    // Errors come back as text.
    let e = r.far.command(
        r.now,
        &PriCommand::Hangup {
            call: Some(9999),
            cause: 16,
        },
    );
    assert!(e.is_err_and(|e| e.contains("9999")));
}
