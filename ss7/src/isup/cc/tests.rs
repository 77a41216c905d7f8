//! Two endpoints back to back with a fake clock.

use super::*;
use crate::isup::{MessageRepr, MessageType, Variant};

/// Exchange A (point code 2, controls even CICs) and B (point code 1).
pub(crate) struct Pair {
    pub a: Isup,
    pub b: Isup,
    pub now: u64,
    /// Messages seen on the wire: (from A, message type, CIC).
    pub wire: Vec<(bool, MessageType, u16)>,
    /// Drop messages of this type (once each) instead of delivering them.
    pub lose: Vec<MessageType>,
}

impl Pair {
    pub fn new(circuits: Vec<u16>) -> Pair {
        Pair {
            a: Isup::new(IsupConfig::new(Variant::Itu, 2, 1, circuits.clone())),
            b: Isup::new(IsupConfig::new(Variant::Itu, 1, 2, circuits)),
            now: 0,
            wire: Vec::new(),
            lose: Vec::new(),
        }
    }

    /// A pair already past the start-up group reset.
    pub fn started(circuits: Vec<u16>) -> Pair {
        let mut p = Pair::new(circuits);
        p.a.start(0);
        p.b.start(0);
        p.run();
        p.events_a();
        p.events_b();
        p.wire.clear();
        p
    }

    /// Deliver messages both ways until quiet.
    pub fn run(&mut self) {
        loop {
            let mut moved = false;
            while let Some((_, m)) = self.a.poll_transmit() {
                moved = true;
                self.deliver(true, m);
            }
            while let Some((_, m)) = self.b.poll_transmit() {
                moved = true;
                self.deliver(false, m);
            }
            if !moved {
                break;
            }
        }
    }

    fn deliver(&mut self, from_a: bool, m: Vec<u8>) {
        let msg = MessageRepr::parse(&m, Variant::Itu).expect("we send valid messages");
        self.wire.push((from_a, msg.message_type, msg.cic));
        if let Some(k) = self.lose.iter().position(|&t| t == msg.message_type) {
            self.lose.remove(k);
            return;
        }
        if from_a {
            self.b.handle_message(self.now, &m);
        } else {
            self.a.handle_message(self.now, &m);
        }
    }

    /// Advance the clock to `t`, firing timers on the way, delivering all.
    pub fn advance_to(&mut self, t: u64) {
        loop {
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(n) if n <= t => {
                    self.now = self.now.max(n);
                    self.a.handle_timeout(self.now);
                    self.b.handle_timeout(self.now);
                    self.run();
                }
                _ => break,
            }
        }
        self.now = t;
    }

    pub fn events_a(&mut self) -> Vec<IsupEvent> {
        std::iter::from_fn(|| self.a.poll_event()).collect()
    }

    pub fn events_b(&mut self) -> Vec<IsupEvent> {
        std::iter::from_fn(|| self.b.poll_event()).collect()
    }

    pub fn sent(&self, from_a: bool, t: MessageType) -> usize {
        self.wire
            .iter()
            .filter(|w| w.0 == from_a && w.1 == t)
            .count()
    }
}

pub(crate) fn req(called: &str) -> CallRequest {
    CallRequest {
        called: called.into(),
        called_nature: crate::isup::nature::NATIONAL,
        calling: Some("0201234567".into()),
        category: 0x0a,
        complete: true,
        cic: None,
    }
}

fn state(i: &Isup, cic: u16) -> CallState {
    i.circuit(cic).expect("configured").state
}

#[test]
fn start_sends_group_reset_per_contiguous_run_and_gra_ends_it() {
    let mut p = Pair::new(vec![1, 2, 3, 4, 10, 20, 21]);
    p.a.start(0);
    p.run();
    assert_eq!(p.sent(true, MessageType::Grs), 2);
    assert_eq!(p.sent(true, MessageType::Rsc), 1);
    assert_eq!(p.sent(false, MessageType::Gra), 2);
    let ev = p.events_a();
    assert!(ev.contains(&IsupEvent::GroupResetDone {
        cic: 1,
        range: 3,
        side: Side::Local
    }));
    assert!(ev.contains(&IsupEvent::ResetDone {
        cic: 10,
        side: Side::Local
    }));
    assert!(p
        .a
        .circuits()
        .all(|c| !c.awaiting_gra && c.state == CallState::Idle));
    assert_eq!(p.a.poll_timeout(), None, "T22/T23 and T16/T17 stopped");
}

#[test]
fn en_bloc_call_answered_and_released_by_caller() {
    let mut p = Pair::started((1..=4).collect());
    let cic = p.a.setup(0, req("0101234")).unwrap();
    assert_eq!(cic % 2, 0, "A controls even CICs and prefers them");
    p.run();
    let ev = p.events_b();
    assert_eq!(
        ev,
        vec![IsupEvent::IncomingCall {
            cic,
            called: "0101234".into(),
            calling: Some("0201234567".into()),
            category: 0x0a,
            complete: true
        }]
    );
    p.b.alerting(0, cic).unwrap();
    p.run();
    assert_eq!(p.events_a(), vec![IsupEvent::Alerting { cic }]);
    assert_eq!(state(&p.a, cic), CallState::OutgoingAlerting);
    p.b.answer(0, cic).unwrap();
    p.run();
    assert_eq!(p.sent(false, MessageType::Anm), 1);
    assert_eq!(p.events_a(), vec![IsupEvent::Answered { cic }]);
    assert_eq!(state(&p.b, cic), CallState::IncomingAnswered);
    p.a.release(0, cic, 16).unwrap();
    p.run();
    assert_eq!(
        p.events_b(),
        vec![IsupEvent::Released {
            cic,
            cause: 16,
            by: ReleasedBy::Remote
        }]
    );
    assert_eq!(p.events_a(), vec![IsupEvent::ReleaseComplete { cic }]);
    assert_eq!(state(&p.a, cic), CallState::Idle);
    assert_eq!(state(&p.b, cic), CallState::Idle);
    assert_eq!(p.a.poll_timeout(), None);
}

#[test]
fn answer_without_acm_sends_con_and_called_side_releases_with_cause() {
    let mut p = Pair::started(vec![5]);
    let cic = p.a.setup(0, req("123")).unwrap();
    p.run();
    p.b.answer(0, cic).unwrap();
    p.run();
    assert_eq!(p.sent(false, MessageType::Con), 1);
    assert_eq!(p.sent(false, MessageType::Anm), 0);
    assert!(p.events_a().contains(&IsupEvent::Answered { cic }));
    p.b.release(0, cic, 17).unwrap();
    p.run();
    assert!(p.events_a().contains(&IsupEvent::Released {
        cic,
        cause: 17,
        by: ReleasedBy::Remote
    }));
    assert!(p.events_b().contains(&IsupEvent::ReleaseComplete { cic }));
}

#[test]
fn overlap_iam_then_sams_end_with_st() {
    let mut p = Pair::started(vec![1, 2]);
    let mut r = req("01");
    r.complete = false;
    let cic = p.a.setup(0, r).unwrap();
    p.run();
    assert!(matches!(
        p.events_b()[..],
        [IsupEvent::IncomingCall {
            complete: false,
            ..
        }]
    ));
    p.a.send_digits(0, cic, "012", false).unwrap();
    p.a.send_digits(0, cic, "34", true).unwrap();
    p.run();
    assert_eq!(p.sent(true, MessageType::Sam), 2);
    assert_eq!(
        p.events_b(),
        vec![
            IsupEvent::MoreDigits {
                cic,
                digits: "012".into(),
                complete: false
            },
            IsupEvent::MoreDigits {
                cic,
                digits: "34".into(),
                complete: true
            },
        ]
    );
}

#[test]
fn t7_expiry_releases_unanswered_setup() {
    let mut p = Pair::started(vec![1]);
    p.lose.push(MessageType::Iam);
    let cic = p.a.setup(0, req("1")).unwrap();
    p.run();
    let t7 = p.a.config().timers.t7;
    p.advance_to(t7 - 1);
    assert_eq!(state(&p.a, cic), CallState::OutgoingSetup);
    p.advance_to(t7);
    assert_eq!(
        p.events_a(),
        vec![
            IsupEvent::Released {
                cic,
                cause: 102,
                by: ReleasedBy::Timer
            },
            IsupEvent::ReleaseComplete { cic },
        ]
    );
    assert_eq!(state(&p.a, cic), CallState::Idle);
}

#[test]
fn t9_expiry_releases_alerting_call_with_cause_19() {
    let mut p = Pair::started(vec![1]);
    let cic = p.a.setup(0, req("1")).unwrap();
    p.run();
    p.b.alerting(0, cic).unwrap();
    p.run();
    p.events_a();
    p.events_b();
    let t9 = p.a.config().timers.t9;
    p.advance_to(t9);
    assert!(p.events_a().contains(&IsupEvent::Released {
        cic,
        cause: 19,
        by: ReleasedBy::Timer
    }));
    assert!(p.events_b().contains(&IsupEvent::Released {
        cic,
        cause: 19,
        by: ReleasedBy::Remote
    }));
    assert_eq!(state(&p.b, cic), CallState::Idle);
}

#[test]
fn t1_repeats_rel_when_rlc_is_lost_and_t5_resets() {
    let mut p = Pair::started(vec![1]);
    let cic = p.a.setup(0, req("1")).unwrap();
    p.run();
    p.b.answer(0, cic).unwrap();
    p.run();
    p.lose = vec![MessageType::Rlc, MessageType::Rlc];
    p.a.release(0, cic, 16).unwrap();
    p.run();
    assert_eq!(state(&p.a, cic), CallState::Releasing);
    let t1 = p.a.config().timers.t1;
    p.advance_to(t1);
    assert_eq!(p.sent(true, MessageType::Rel), 2, "REL repeated on T1");
    assert_eq!(
        state(&p.a, cic),
        CallState::Releasing,
        "second RLC lost too"
    );
    p.advance_to(2 * t1);
    assert_eq!(p.sent(true, MessageType::Rel), 3);
    assert_eq!(state(&p.a, cic), CallState::Idle);
    assert!(p.events_a().contains(&IsupEvent::ReleaseComplete { cic }));

    // All RLCs lost: T5 gives up and resets the circuit.
    let cic2 = p.a.setup(p.now, req("1")).unwrap();
    p.run();
    p.lose = vec![MessageType::Rlc; 100];
    p.a.release(p.now, cic2, 16).unwrap();
    p.run();
    let t5 = p.a.config().timers.t5;
    p.lose.clear();
    p.lose = vec![MessageType::Rlc; (t5 / t1) as usize - 1];
    p.advance_to(p.now + t5);
    let ev = p.events_a();
    assert!(ev.contains(&IsupEvent::MaintenanceAlert {
        cic: cic2,
        timer: "T5"
    }));
    assert!(p.sent(true, MessageType::Rsc) >= 1);
    assert!(ev.contains(&IsupEvent::ResetDone {
        cic: cic2,
        side: Side::Local
    }));
    assert_eq!(state(&p.a, cic2), CallState::Idle);
}

#[test]
fn dual_seizure_controlling_exchange_keeps_its_call() {
    // CIC 2 is even: A (higher point code) controls it.
    let mut p = Pair::started(vec![2, 3]);
    let ca =
        p.a.setup(
            0,
            CallRequest {
                cic: Some(2),
                ..req("111")
            },
        )
        .unwrap();
    let cb =
        p.b.setup(
            0,
            CallRequest {
                cic: Some(2),
                ..req("222")
            },
        )
        .unwrap();
    assert_eq!((ca, cb), (2, 2));
    p.run();
    // B backed off and moved its call to CIC 3; A's call survives on 2.
    let ev_b = p.events_b();
    assert!(matches!(&ev_b[0], IsupEvent::IncomingCall { cic: 2, called, .. } if called == "111"));
    assert_eq!(ev_b[1], IsupEvent::Reattempted { from: 2, to: 3 });
    let ev_a = p.events_a();
    assert!(ev_a
        .iter()
        .any(|e| matches!(e, IsupEvent::IncomingCall { cic: 3, called, .. } if called == "222")));
    assert!(!ev_a
        .iter()
        .any(|e| matches!(e, IsupEvent::IncomingCall { cic: 2, .. })));
    assert_eq!(state(&p.a, 2), CallState::OutgoingSetup);
    assert_eq!(state(&p.b, 2), CallState::IncomingSetup);
    assert_eq!(state(&p.b, 3), CallState::OutgoingSetup);
    assert_eq!(state(&p.a, 3), CallState::IncomingSetup);
}

#[test]
fn dual_seizure_on_odd_cic_is_won_by_lower_point_code() {
    let mut p = Pair::started(vec![3]);
    p.a.setup(
        0,
        CallRequest {
            cic: Some(3),
            ..req("111")
        },
    )
    .unwrap();
    p.b.setup(
        0,
        CallRequest {
            cic: Some(3),
            ..req("222")
        },
    )
    .unwrap();
    p.run();
    // No other circuit: A's call fails with cause 34.
    assert_eq!(
        p.events_a(),
        vec![
            IsupEvent::IncomingCall {
                cic: 3,
                called: "222".into(),
                calling: Some("0201234567".into()),
                category: 0x0a,
                complete: true
            },
            IsupEvent::Released {
                cic: 3,
                cause: 34,
                by: ReleasedBy::DualSeizure
            },
        ]
    );
    assert_eq!(state(&p.b, 3), CallState::OutgoingSetup);
}

#[test]
fn thirty_simultaneous_calls_on_thirty_circuits() {
    let mut p = Pair::started((1..=30).collect());
    let mut cics: Vec<u16> = (0..30).map(|_| p.a.setup(0, req("555")).unwrap()).collect();
    assert_eq!(p.a.setup(0, req("555")), Err(IsupError::NoCircuit));
    p.run();
    for &c in &cics {
        p.b.alerting(0, c).unwrap();
        p.b.answer(0, c).unwrap();
    }
    p.run();
    let answered = p
        .events_a()
        .iter()
        .filter(|e| matches!(e, IsupEvent::Answered { .. }))
        .count();
    assert_eq!(answered, 30);
    cics.sort_unstable();
    assert_eq!(cics, (1..=30).collect::<Vec<_>>());
    assert!(p
        .a
        .circuits()
        .all(|c| c.state == CallState::OutgoingAnswered));
    for &c in &cics {
        p.b.release(0, c, 16).unwrap();
    }
    p.run();
    assert!(p
        .a
        .circuits()
        .chain(p.b.circuits())
        .all(|c| c.state == CallState::Idle));
    assert_eq!(p.sent(true, MessageType::Rlc), 30);
}
