//! State-machine tests: a user side and a network side `Pri` passing
//! frames in memory, driven by board time.

use super::*;
use crate::lapd::{Control, Frame, Role};
use crate::q931::{Message, MessageRepr, MessageType as M};

pub(crate) struct Rig {
    pub(crate) net: Pri,
    pub(crate) user: Pri,
    pub(crate) now: u64,
    /// Q.931 messages seen on the wire: (sent by network side, bytes).
    pub(crate) trace: Vec<(bool, Vec<u8>)>,
    /// While set, frames are lost in both directions.
    pub(crate) cut: bool,
    /// While set, frames from the user side are lost.
    pub(crate) drop_user: bool,
    pub(crate) net_events: Vec<PriEvent>,
    pub(crate) user_events: Vec<PriEvent>,
}

impl Rig {
    pub(crate) fn with(net: PriConfig, user: PriConfig) -> Rig {
        let mut r = Rig {
            net: Pri::new(net),
            user: Pri::new(user),
            now: 0,
            trace: Vec::new(),
            cut: false,
            drop_user: false,
            net_events: Vec::new(),
            user_events: Vec::new(),
        };
        r.net.start(0);
        r.user.start(0);
        r.pump();
        assert!(r.net.is_link_up() && r.user.is_link_up());
        r
    }

    pub(crate) fn new(variant: Variant) -> Rig {
        let mut r = Rig::with(
            PriConfig::new(Role::Network, variant),
            PriConfig::new(Role::User, variant),
        );
        r.take_events();
        r.trace.clear();
        r
    }

    pub(crate) fn pump(&mut self) {
        let mut buf = [0u8; 300];
        loop {
            let mut moved = false;
            while let Some(n) = self.net.poll_transmit(&mut buf) {
                moved = true;
                record(&mut self.trace, true, &buf[..n]);
                if !self.cut {
                    self.user.handle_frame(self.now, &buf[..n]);
                }
            }
            while let Some(n) = self.user.poll_transmit(&mut buf) {
                moved = true;
                record(&mut self.trace, false, &buf[..n]);
                if !self.cut && !self.drop_user {
                    self.net.handle_frame(self.now, &buf[..n]);
                }
            }
            if !moved {
                break;
            }
        }
        while let Some(e) = self.net.poll_event() {
            self.net_events.push(e);
        }
        while let Some(e) = self.user.poll_event() {
            self.user_events.push(e);
        }
    }

    /// Advance board time by `ms`, running timers as they fall due.
    pub(crate) fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        loop {
            let next = [self.net.poll_timeout(), self.user.poll_timeout()]
                .into_iter()
                .flatten()
                .filter(|&t| t <= end)
                .min();
            let Some(t) = next else { break };
            self.now = t.max(self.now);
            self.net.handle_timeout(self.now);
            self.user.handle_timeout(self.now);
            self.pump();
        }
        self.now = end;
        self.pump();
    }

    pub(crate) fn take_events(&mut self) -> (Vec<PriEvent>, Vec<PriEvent>) {
        (
            std::mem::take(&mut self.net_events),
            std::mem::take(&mut self.user_events),
        )
    }

    /// The Q.931 message names seen, prefixed `N>` (network sent) or `U>`.
    pub(crate) fn messages(&self) -> Vec<String> {
        self.trace
            .iter()
            .map(|(net, b)| {
                let m = Message::new_checked(b).expect("valid Q.931");
                let name = m.msg_type().name().unwrap_or("?");
                format!("{}{}", if *net { "N>" } else { "U>" }, name)
            })
            .collect()
    }

    /// Inject a raw Q.931 message as if the network side had sent it.
    pub(crate) fn inject_to_user(&mut self, bytes: &[u8]) {
        self.net.link.send(self.now, bytes).expect("queue");
        self.pump();
    }

    /// Inject a raw Q.931 message as if the user side had sent it.
    pub(crate) fn inject_to_net(&mut self, bytes: &[u8]) {
        self.user.link.send(self.now, bytes).expect("queue");
        self.pump();
    }

    /// Decoded messages received by the user side after position `from`.
    pub(crate) fn sent_by(&self, net: bool, from: usize) -> Vec<MessageRepr> {
        self.trace[from..]
            .iter()
            .filter(|(n, _)| *n == net)
            .map(|(_, b)| MessageRepr::parse_bytes(b).expect("decodes"))
            .collect()
    }
}

fn record(trace: &mut Vec<(bool, Vec<u8>)>, net: bool, frame: &[u8]) {
    if let Ok(f) = Frame::parse(frame) {
        if matches!(f.control, Control::I { .. }) {
            trace.push((net, f.info.to_vec()));
        }
    }
}

fn digits(s: &str) -> Digits {
    Digits::dialable(s).expect("digits")
}

fn cause_of(m: &MessageRepr) -> Option<u8> {
    m.ies.iter().find_map(|ie| match ie {
        crate::q931::IeRepr::Cause(c) => Some(c.value),
        _ => None,
    })
}

fn incoming(events: &[PriEvent]) -> Option<(CallId, u8, Number, Option<Number>, bool)> {
    events.iter().find_map(|e| match *e {
        PriEvent::IncomingCall {
            call,
            channel,
            called,
            calling,
            complete,
            ..
        } => Some((call, channel, called, calling, complete)),
        _ => None,
    })
}

fn cleared(events: &[PriEvent], id: CallId) -> Option<(u8, ClearedBy)> {
    events.iter().find_map(|e| match *e {
        PriEvent::Cleared {
            call, cause, by, ..
        } if call == id => Some((cause, by)),
        _ => None,
    })
}

#[test]
fn startup_restarts_the_interface_on_both_sides() {
    let mut r = Rig::with(
        PriConfig::new(Role::Network, Variant::Etsi),
        PriConfig::new(Role::User, Variant::Etsi),
    );
    let msgs = r.messages();
    assert_eq!(
        msgs.iter().filter(|m| m.ends_with(">RESTART")).count(),
        2,
        "{msgs:?}"
    );
    assert_eq!(
        msgs.iter()
            .filter(|m| m.ends_with("RESTART ACKNOWLEDGE"))
            .count(),
        2
    );
    let (n, u) = r.take_events();
    assert!(n.contains(&PriEvent::LinkUp) && u.contains(&PriEvent::LinkUp));
    assert!(u.contains(&PriEvent::Restarted {
        channel: None,
        remote: false
    }));
    // Every channel is usable afterwards.
    assert!((1..=31)
        .filter(|&c| c != 16)
        .all(|c| r.user.channel_idle(c) && r.net.channel_idle(c)));
}

#[test]
fn outgoing_call_from_user_answered_and_cleared_by_user() {
    let mut r = Rig::new(Variant::Etsi);
    let id = r
        .user
        .setup(
            r.now,
            &SetupRequest::new(digits("5551234"), Some(digits("8880001"))),
        )
        .unwrap();
    r.pump();
    let (n, _) = r.take_events();
    let (nid, ch, called, calling, complete) = incoming(&n).expect("SETUP reached the network");
    assert_eq!(called.digits.as_bytes(), b"5551234");
    assert_eq!(calling.unwrap().digits.as_bytes(), b"8880001");
    assert!(complete);
    assert_eq!(ch, 1, "user side hunts upwards");
    r.net.proceeding(r.now, nid).unwrap();
    r.net.alerting(r.now, nid).unwrap();
    r.net.answer(r.now, nid).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    assert!(u.contains(&PriEvent::Proceeding {
        call: id,
        channel: 1
    }));
    assert!(u.contains(&PriEvent::Answered {
        call: id,
        channel: 1
    }));
    assert!(n.contains(&PriEvent::Connected { call: nid }));
    assert_eq!(r.user.call(id).unwrap().state, State::Active);
    assert_eq!(r.net.call(nid).unwrap().state, State::Active);
    r.user.hangup(r.now, id, 16).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    assert_eq!(cleared(&u, id), Some((16, ClearedBy::Local)));
    assert_eq!(cleared(&n, nid), Some((16, ClearedBy::Remote)));
    assert_eq!(
        r.messages(),
        [
            "U>SETUP",
            "N>CALL PROCEEDING",
            "N>ALERTING",
            "N>CONNECT",
            "U>CONNECT ACKNOWLEDGE",
            "U>DISCONNECT",
            "N>RELEASE",
            "U>RELEASE COMPLETE"
        ]
    );
    assert!(r.user.channel_idle(1) && r.net.channel_idle(1));
    assert_eq!(r.user.calls().count() + r.net.calls().count(), 0);
}

#[test]
fn incoming_call_to_user_answered_and_cleared_by_network() {
    let mut r = Rig::new(Variant::Etsi);
    let nid = r
        .net
        .setup(
            r.now,
            &SetupRequest::new(digits("100"), Some(digits("0123456789"))),
        )
        .unwrap();
    r.pump();
    let (_, u) = r.take_events();
    let (uid, ch, ..) = incoming(&u).unwrap();
    assert_eq!(ch, 31, "network side hunts downwards");
    r.user.alerting(r.now, uid).unwrap();
    r.user.answer(r.now, uid).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    assert!(n.contains(&PriEvent::Answered {
        call: nid,
        channel: 31
    }));
    assert!(u.contains(&PriEvent::Connected { call: uid }));
    r.net.hangup(r.now, nid, 16).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    assert_eq!(cleared(&n, nid), Some((16, ClearedBy::Local)));
    assert_eq!(cleared(&u, uid), Some((16, ClearedBy::Remote)));
    assert_eq!(
        r.messages(),
        [
            "N>SETUP",
            "U>ALERTING",
            "U>CONNECT",
            "N>CONNECT ACKNOWLEDGE",
            "N>DISCONNECT",
            "U>RELEASE",
            "N>RELEASE COMPLETE"
        ]
    );
}

#[test]
fn rejected_call_carries_the_cause() {
    let mut r = Rig::new(Variant::Etsi);
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let (n, _) = r.take_events();
    let (nid, ..) = incoming(&n).unwrap();
    r.net.hangup(r.now, nid, 17).unwrap();
    r.pump();
    let (_, u) = r.take_events();
    assert_eq!(cleared(&u, id), Some((17, ClearedBy::Remote)));
    assert_eq!(r.messages(), ["U>SETUP", "N>RELEASE COMPLETE"]);
    assert_eq!(r.user.hangup(r.now, id, 16), Err(PriError::NoSuchCall));
    assert_eq!(r.user.hangup(r.now, id, 0), Err(PriError::BadCause(0)));
}

#[test]
fn t303_retransmits_setup_once_then_clears_with_102() {
    let mut r = Rig::new(Variant::Etsi);
    r.drop_user = false;
    r.cut = false;
    // The network ignores our SETUP: deliver nothing from the user... but keep
    // the link: inject an unanswered SETUP by swallowing it at the network.
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    // Remove the network's view of it, as if the SETUP had been lost at layer 3.
    r.pump();
    let nid = incoming(&r.take_events().0).unwrap().0;
    let slot = r.net.slot_of(nid).unwrap();
    r.net.calls[slot] = None;
    r.net.chans[1] = super::pri::Chan::Idle;
    r.advance(3_999);
    assert_eq!(r.user.call(id).unwrap().state, State::CallInitiated);
    // The retransmitted SETUP reaches the network again; drop that one too.
    r.advance(1);
    let nid = incoming(&r.take_events().0).expect("SETUP sent again").0;
    let slot = r.net.slot_of(nid).unwrap();
    r.net.calls[slot] = None;
    r.net.chans[1] = super::pri::Chan::Idle;
    r.advance(4_000);
    let (_, u) = r.take_events();
    assert_eq!(cleared(&u, id), Some((102, ClearedBy::Timer)));
    let m = r.messages();
    assert_eq!(m.iter().filter(|m| *m == "U>SETUP").count(), 2, "{m:?}");
    assert_eq!(m.last().unwrap(), "U>RELEASE COMPLETE");
}

#[test]
fn t305_then_t308_when_the_far_end_stays_silent() {
    let mut r = Rig::new(Variant::Etsi);
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let nid = incoming(&r.take_events().0).unwrap().0;
    r.net.answer(r.now, nid).unwrap();
    r.pump();
    // Network's layer 3 goes silent: drop its knowledge of the call.
    let slot = r.net.slot_of(nid).unwrap();
    r.net.calls[slot] = None;
    let mark = r.trace.len();
    r.user.hangup(r.now, id, 16).unwrap();
    r.pump();
    // The network answers DISCONNECT for an unknown call with RELEASE COMPLETE 81.
    let from_net = r.sent_by(true, mark);
    assert_eq!(from_net[0].msg_type, M::ReleaseComplete);
    assert_eq!(cause_of(&from_net[0]), Some(81));
    let (_, u) = r.take_events();
    assert_eq!(cleared(&u, id), Some((16, ClearedBy::Local)));
}

#[test]
fn disconnect_timers_run_on_board_time() {
    let mut r = Rig::new(Variant::Etsi);
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let nid = incoming(&r.take_events().0).unwrap().0;
    r.net.answer(r.now, nid).unwrap();
    r.pump();
    r.drop_user = true; // the user's frames are lost from now on
    r.user.hangup(r.now, id, 16).unwrap();
    r.pump();
    assert_eq!(r.user.call(id).unwrap().state, State::DisconnectRequest);
    r.advance(29_000);
    // LAPD gave up on the lost frames long ago: the link failed and the
    // call (not active any more) was cleared locally by the data link failure.
    let (_, u) = r.take_events();
    assert!(u.contains(&PriEvent::LinkDown));
    assert!(cleared(&u, id).is_some());
}

#[test]
fn overlap_receiving_collects_digits_until_sending_complete() {
    let mut net = PriConfig::new(Role::Network, Variant::Etsi);
    net.overlap_receive = true;
    let mut r = Rig::with(net, PriConfig::new(Role::User, Variant::Etsi));
    r.take_events();
    r.trace.clear();
    let mut req = SetupRequest::new(digits("12"), None);
    req.complete = false;
    let id = r.user.setup(r.now, &req).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    let (nid, _, called, _, complete) = incoming(&n).unwrap();
    assert!(!complete);
    assert_eq!(called.digits.as_bytes(), b"12");
    assert!(u.contains(&PriEvent::MoreDigitsWanted { call: id }));
    assert_eq!(r.user.call(id).unwrap().state, State::OverlapSending);
    assert_eq!(r.net.call(nid).unwrap().state, State::OverlapSending);
    r.user.information(r.now, id, &digits("34"), false).unwrap();
    r.pump();
    r.user.information(r.now, id, &digits("5"), true).unwrap();
    r.pump();
    let (n, _) = r.take_events();
    let last = n
        .iter()
        .rev()
        .find_map(|e| match e {
            PriEvent::Digits {
                called, complete, ..
            } => Some((called.digits, *complete)),
            _ => None,
        })
        .unwrap();
    assert_eq!(last.0.as_bytes(), b"12345");
    assert!(last.1);
    assert_eq!(
        r.messages(),
        [
            "U>SETUP",
            "N>SETUP ACKNOWLEDGE",
            "U>INFORMATION",
            "U>INFORMATION"
        ]
    );
}

#[test]
fn t302_expiry_completes_the_number() {
    let mut net = PriConfig::new(Role::Network, Variant::Etsi);
    net.overlap_receive = true;
    let mut r = Rig::with(net, PriConfig::new(Role::User, Variant::Etsi));
    r.take_events();
    let mut req = SetupRequest::new(digits("7"), None);
    req.complete = false;
    r.user.setup(r.now, &req).unwrap();
    r.pump();
    let nid = incoming(&r.take_events().0).unwrap().0;
    r.advance(14_999);
    assert!(r.take_events().0.is_empty());
    r.advance(1);
    let (n, _) = r.take_events();
    assert!(n
        .iter()
        .any(|e| matches!(e, PriEvent::Digits { call, complete: true, .. } if *call == nid)));
}

#[test]
fn glare_on_one_channel_the_network_wins() {
    let mut r = Rig::new(Variant::Etsi);
    let mut req = SetupRequest::new(digits("1"), None);
    req.channel = Some(5);
    let uid = r.user.setup(r.now, &req).unwrap();
    let nid = r.net.setup(r.now, &req).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    // The network's incoming SETUP from the user names channel 5 (preferred),
    // which the network holds: it picks another one.
    let (n_in, n_ch, ..) = incoming(&n).unwrap();
    assert_ne!(n_ch, 5);
    let (u_in, u_ch, ..) = incoming(&u).unwrap();
    assert_eq!(u_ch, 5, "the network's exclusive channel is honoured");
    r.net.proceeding(r.now, n_in).unwrap();
    r.pump();
    let (_, u) = r.take_events();
    assert!(u.contains(&PriEvent::Proceeding {
        call: uid,
        channel: n_ch
    }));
    assert_eq!(r.user.call(uid).unwrap().channel, Some(n_ch));
    assert_eq!(r.user.call(u_in).unwrap().channel, Some(5));
    let _ = nid;
}

#[test]
fn exclusive_channel_busy_is_refused_with_44() {
    let mut r = Rig::new(Variant::Etsi);
    let mut req = SetupRequest::new(digits("1"), None);
    req.channel = Some(3);
    let first = r.net.setup(r.now, &req).unwrap();
    r.pump();
    let uid = incoming(&r.take_events().1).unwrap().0;
    r.user.answer(r.now, uid).unwrap();
    r.pump();
    // A second SETUP for channel 3, exclusive, injected with a fresh call reference.
    let bytes = [
        0x08, 0x02, 0x01, 0x23, 0x05, 0xa1, 0x04, 0x03, 0x80, 0x90, 0xa3, 0x18, 0x03, 0xa9, 0x83,
        0x83,
    ];
    let mark = r.trace.len();
    r.inject_to_user(&bytes);
    let reply = r.sent_by(false, mark);
    assert_eq!(reply[0].msg_type, M::ReleaseComplete);
    assert_eq!(cause_of(&reply[0]), Some(44));
    assert_eq!(r.net.call(first).unwrap().state, State::Active);
}

#[test]
fn thirty_simultaneous_calls_fill_an_e1() {
    let mut r = Rig::new(Variant::Etsi);
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            r.user
                .setup(
                    r.now,
                    &SetupRequest::new(digits(&format!("{}", 1000 + i)), None),
                )
                .unwrap(),
        );
    }
    assert_eq!(
        r.user.setup(r.now, &SetupRequest::new(digits("1"), None)),
        Err(PriError::NoChannel)
    );
    r.pump();
    let (n, _) = r.take_events();
    let incoming: Vec<CallId> = n
        .iter()
        .filter_map(|e| match e {
            PriEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .collect();
    assert_eq!(incoming.len(), 30);
    for &c in &incoming {
        r.net.answer(r.now, c).unwrap();
    }
    r.pump();
    assert!(r.user.calls().all(|c| c.state == State::Active));
    let mut chans: Vec<u8> = r.user.calls().filter_map(|c| c.channel).collect();
    chans.sort();
    assert_eq!(chans, (1..=31).filter(|&c| c != 16).collect::<Vec<u8>>());
    for &id in &ids {
        r.user.hangup(r.now, id, 16).unwrap();
    }
    r.pump();
    assert_eq!(r.user.calls().count() + r.net.calls().count(), 0);
}

#[test]
fn ni2_t1_uses_mu_law_no_sending_complete_and_23_channels() {
    let mut r = Rig::new(Variant::Ni2);
    let mut n = 0;
    while r
        .user
        .setup(r.now, &SetupRequest::new(digits("2125551212"), None))
        .is_ok()
    {
        n += 1;
    }
    assert_eq!(n, 23);
    r.pump();
    let setup = &r.sent_by(false, 0)[0];
    assert_eq!(setup.msg_type, M::Setup);
    assert!(!setup
        .ies
        .iter()
        .any(|ie| ie.id() == crate::q931::ie_id::SENDING_COMPLETE));
    let bc = setup
        .ies
        .iter()
        .find_map(|ie| match ie {
            crate::q931::IeRepr::BearerCapability(b) => Some(b.layer1),
            _ => None,
        })
        .unwrap();
    assert_eq!(bc, Some(2), "G.711 mu-law");
}

#[test]
fn unknown_call_reference_procedures() {
    let mut r = Rig::new(Variant::Etsi);
    // DISCONNECT for a call that does not exist: RELEASE COMPLETE, cause 81.
    let mark = r.trace.len();
    r.inject_to_user(&[0x08, 0x02, 0x00, 0x55, 0x45, 0x08, 0x02, 0x80, 0x90]);
    let reply = r.sent_by(false, mark);
    assert_eq!(reply[0].msg_type, M::ReleaseComplete);
    assert_eq!(cause_of(&reply[0]), Some(81));
    assert_eq!(reply[0].call_ref, crate::q931::CallRef::pri(0x55, true));
    // STATUS ENQUIRY for an unknown call: STATUS, state 0, cause 30.
    let mark = r.trace.len();
    r.inject_to_user(&[0x08, 0x02, 0x00, 0x56, 0x75]);
    let reply = r.sent_by(false, mark);
    assert_eq!(reply[0].msg_type, M::Status);
    assert_eq!(cause_of(&reply[0]), Some(30));
    // RELEASE COMPLETE for an unknown call: ignored.
    let mark = r.trace.len();
    r.inject_to_user(&[0x08, 0x02, 0x00, 0x57, 0x5a]);
    assert!(r.sent_by(false, mark).is_empty());
    // A global-call-reference message other than RESTART/STATUS: STATUS 81.
    let mark = r.trace.len();
    r.inject_to_user(&[0x08, 0x02, 0x00, 0x00, 0x7b]);
    let reply = r.sent_by(false, mark);
    assert_eq!(cause_of(&reply[0]), Some(81));
}

#[test]
fn mandatory_ie_errors_get_96_and_100() {
    let mut r = Rig::new(Variant::Etsi);
    // SETUP without bearer capability: RELEASE COMPLETE 96.
    let mark = r.trace.len();
    r.inject_to_user(&[0x08, 0x02, 0x00, 0x10, 0x05, 0x18, 0x03, 0xa9, 0x83, 0x81]);
    let reply = r.sent_by(false, mark);
    assert_eq!(reply[0].msg_type, M::ReleaseComplete);
    assert_eq!(cause_of(&reply[0]), Some(96));
    // SETUP with an undecodable channel identification: RELEASE COMPLETE 100.
    let mark = r.trace.len();
    r.inject_to_user(&[
        0x08, 0x02, 0x00, 0x11, 0x05, 0x04, 0x03, 0x80, 0x90, 0xa3, 0x18, 0x01, 0x29,
    ]);
    let reply = r.sent_by(false, mark);
    assert_eq!(cause_of(&reply[0]), Some(100));
    // SETUP naming channel 16 (the D-channel's timeslot): cause 82.
    let mark = r.trace.len();
    r.inject_to_user(&[
        0x08, 0x02, 0x00, 0x12, 0x05, 0x04, 0x03, 0x80, 0x90, 0xa3, 0x18, 0x03, 0xa9, 0x83, 0x90,
    ]);
    assert_eq!(cause_of(&r.sent_by(false, mark)[0]), Some(82));
    assert_eq!(r.user.calls().count(), 0);
}

#[test]
fn disconnect_without_cause_is_answered_with_release_96() {
    let mut r = Rig::new(Variant::Etsi);
    let nid = r
        .net
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let uid = incoming(&r.take_events().1).unwrap().0;
    r.user.answer(r.now, uid).unwrap();
    r.pump();
    let cref = r.net.call(nid).unwrap().call_ref;
    let [hi, lo] = cref.to_be_bytes();
    let mark = r.trace.len();
    r.inject_to_user(&[0x08, 0x02, hi, lo, 0x45]);
    let reply = r.sent_by(false, mark);
    assert_eq!(reply[0].msg_type, M::Release);
    assert_eq!(cause_of(&reply[0]), Some(96));
    let (_, u) = r.take_events();
    assert!(cleared(&u, uid).is_some());
}

#[test]
fn unexpected_unknown_and_optional_ie_errors_are_reported_by_status() {
    let mut r = Rig::new(Variant::Etsi);
    let nid = r
        .net
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let uid = incoming(&r.take_events().1).unwrap().0;
    r.user.answer(r.now, uid).unwrap();
    r.pump();
    let cref = r.net.call(nid).unwrap().call_ref;
    let [hi, lo] = cref.to_be_bytes();
    let cases: [(&[u8], u8); 4] = [
        (&[0x08, 0x02, hi, lo, 0x7f], 97),  // no such message type
        (&[0x08, 0x02, hi, lo, 0x25], 98),  // SUSPEND: not on a PRI
        (&[0x08, 0x02, hi, lo, 0x0d], 101), // SETUP ACKNOWLEDGE when active
        (&[0x08, 0x02, hi, lo, 0x7b, 0x5f, 0x01, 0x00], 99), // INFORMATION, unknown IE
    ];
    for (bytes, cause) in cases {
        let mark = r.trace.len();
        r.inject_to_user(bytes);
        let reply = r.sent_by(false, mark);
        assert_eq!(reply[0].msg_type, M::Status, "for {bytes:02x?}");
        assert_eq!(cause_of(&reply[0]), Some(cause), "for {bytes:02x?}");
    }
    // The call is untouched by all this.
    assert_eq!(r.user.call(uid).unwrap().state, State::Active);
    assert_eq!(r.net.call(nid).unwrap().state, State::Active);
}

#[test]
fn incompatible_status_clears_with_101() {
    let mut r = Rig::new(Variant::Etsi);
    let nid = r
        .net
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let uid = incoming(&r.take_events().1).unwrap().0;
    r.user.answer(r.now, uid).unwrap();
    r.pump();
    let [hi, lo] = r.net.call(nid).unwrap().call_ref.to_be_bytes();
    // STATUS claiming "overlap receiving" for an active call.
    let mark = r.trace.len();
    r.inject_to_user(&[
        0x08, 0x02, hi, lo, 0x7d, 0x08, 0x02, 0x82, 0x9f, 0x14, 0x01, 0x19,
    ]);
    let reply = r.sent_by(false, mark);
    assert_eq!(reply[0].msg_type, M::Release);
    assert_eq!(cause_of(&reply[0]), Some(101));
    let (_, u) = r.take_events();
    assert_eq!(cleared(&u, uid), Some((101, ClearedBy::Protocol)));
}

#[test]
fn active_calls_survive_a_short_data_link_outage() {
    let mut r = Rig::new(Variant::Etsi);
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    let ringing = r
        .user
        .setup(r.now, &SetupRequest::new(digits("2"), None))
        .unwrap();
    r.pump();
    let n: Vec<CallId> = r
        .take_events()
        .0
        .iter()
        .filter_map(|e| match e {
            PriEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .collect();
    r.net.answer(r.now, n[0]).unwrap();
    r.net.alerting(r.now, n[1]).unwrap();
    r.pump();
    r.take_events();
    r.cut = true;
    // T203, then N200 enquiries every T200: the link fails; T309 starts.
    let mut u = Vec::new();
    for _ in 0..20 {
        r.advance(1_000);
        u.extend(r.take_events().1);
        if u.contains(&PriEvent::LinkDown) {
            break;
        }
    }
    assert!(u.contains(&PriEvent::LinkDown));
    assert!(
        r.now < 6_000 + 16_000,
        "link failure detected at {} ms",
        r.now
    );
    assert_eq!(cleared(&u, ringing), Some((41, ClearedBy::Timer)));
    assert!(r.user.call(id).unwrap().link_lost, "T309 running");
    r.cut = false;
    r.advance(1_500); // link re-established well within T309
    assert!(r.user.is_link_up());
    let (n_ev, u) = r.take_events();
    assert!(u.contains(&PriEvent::LinkUp));
    assert_eq!(cleared(&u, id), None);
    assert_eq!(cleared(&n_ev, n[0]), None);
    let info = r.user.call(id).unwrap();
    assert!(!info.link_lost);
    assert_eq!(info.state, State::Active);
    let m = r.messages();
    assert!(m.contains(&"U>STATUS ENQUIRY".to_string()) && m.contains(&"N>STATUS".to_string()));
}

#[test]
fn t309_expiry_clears_active_calls_with_27() {
    let mut r = Rig::new(Variant::Etsi);
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let nid = incoming(&r.take_events().0).unwrap().0;
    r.net.answer(r.now, nid).unwrap();
    r.pump();
    r.take_events();
    r.cut = true;
    r.advance(60_000);
    let (n, u) = r.take_events();
    assert_eq!(cleared(&u, id), Some((27, ClearedBy::Timer)));
    assert_eq!(cleared(&n, nid), Some((27, ClearedBy::Timer)));
    assert!(r.user.channel_idle(1));
}

#[test]
fn restart_of_one_channel_clears_its_call_only() {
    let mut r = Rig::new(Variant::Etsi);
    let a = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    let b = r
        .user
        .setup(r.now, &SetupRequest::new(digits("2"), None))
        .unwrap();
    r.pump();
    for e in r.take_events().0 {
        if let PriEvent::IncomingCall { call, .. } = e {
            r.net.answer(r.now, call).unwrap();
        }
    }
    r.pump();
    r.take_events();
    let ch_a = r.user.call(a).unwrap().channel.unwrap();
    r.net.restart(r.now, Some(ch_a)).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    assert_eq!(cleared(&u, a), Some((41, ClearedBy::Remote)));
    assert!(u.contains(&PriEvent::Restarted {
        channel: Some(ch_a),
        remote: true
    }));
    assert!(n.contains(&PriEvent::Restarted {
        channel: Some(ch_a),
        remote: false
    }));
    assert_eq!(r.user.call(b).unwrap().state, State::Active);
    assert!(r.net.channel_idle(ch_a) && r.user.channel_idle(ch_a));
    assert_eq!(
        r.net.restart(r.now, Some(16)),
        Err(PriError::BadChannel(16))
    );
}

#[test]
fn the_disconnect_cause_is_reported_although_release_complete_has_none() {
    let mut r = Rig::new(Variant::Etsi);
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.pump();
    let nid = incoming(&r.take_events().0).unwrap().0;
    r.net.alerting(r.now, nid).unwrap();
    r.pump();
    r.net.hangup(r.now, nid, 17).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    assert_eq!(cleared(&u, id), Some((17, ClearedBy::Remote)));
    assert_eq!(cleared(&n, nid), Some((17, ClearedBy::Local)));
    let last = r.sent_by(true, 0).pop().unwrap();
    assert_eq!(last.msg_type, M::ReleaseComplete);
    assert_eq!(cause_of(&last), None);
}

#[test]
fn messages_crossing_our_clearing_are_ignored_quietly() {
    let mut r = Rig::new(Variant::Etsi);
    // Outgoing call cleared before any answer came back.
    let id = r
        .user
        .setup(r.now, &SetupRequest::new(digits("1"), None))
        .unwrap();
    r.user.hangup(r.now, id, 16).unwrap();
    // Incoming call answered and cleared before CONNECT ACKNOWLEDGE came back.
    let nid = r
        .net
        .setup(r.now, &SetupRequest::new(digits("2"), None))
        .unwrap();
    r.pump();
    let (_, u0) = r.take_events();
    assert!(cleared(&u0, id).is_some());
    let uid = incoming(&u0).unwrap().0;
    r.user.answer(r.now, uid).unwrap();
    r.user.hangup(r.now, uid, 16).unwrap();
    r.pump();
    let (n, u) = r.take_events();
    assert!(cleared(&u, uid).is_some());
    assert!(cleared(&n, nid).is_some());
    assert!(
        !r.messages().iter().any(|m| m.ends_with(">STATUS")),
        "{:?}",
        r.messages()
    );
    assert_eq!(r.user.stats().protocol_errors, 0);
}

#[test]
fn numbering_type_plan_presentation_and_screening_cross_the_wire() {
    let mut r = Rig::new(Variant::Etsi);
    let mut req = SetupRequest::new(digits("0201234567"), Some(digits("4000")));
    req.called.type_of_number = 2; // national
    req.called.numbering_plan = 1;
    if let Some(c) = req.calling.as_mut() {
        c.type_of_number = 4; // subscriber
        c.numbering_plan = 9; // private
        c.presentation = 1; // restricted
        c.screening = 3; // network provided
    }
    r.net.setup(r.now, &req).unwrap();
    r.pump();
    let (_, _, called, calling, _) = incoming(&r.take_events().1).unwrap();
    let calling = calling.unwrap();
    assert_eq!((called.type_of_number, called.numbering_plan), (2, 1));
    assert_eq!(
        (
            calling.type_of_number,
            calling.numbering_plan,
            calling.presentation,
            calling.screening
        ),
        (4, 9, 1, 3)
    );
    assert_eq!(calling.digits.as_bytes(), b"4000");
}
