//! Maintenance procedures back to back: blocking, resets, group
//! messages, unequipped CICs and the unexpected-message rules.

use super::tests::{req, Pair};
use super::*;
use crate::isup::{MessageRepr, MessageType, Variant};

fn state(i: &Isup, cic: u16) -> CallState {
    i.circuit(cic).expect("configured").state
}

#[test]
fn blocking_and_unblocking_one_circuit() {
    let mut p = Pair::started(vec![1, 2]);
    p.a.block(0, 1).unwrap();
    p.run();
    assert_eq!(
        p.events_a(),
        vec![IsupEvent::CircuitBlocked {
            cic: 1,
            side: Side::Local,
            kind: BlockKind::Maintenance
        }]
    );
    assert_eq!(
        p.events_b(),
        vec![IsupEvent::CircuitBlocked {
            cic: 1,
            side: Side::Remote,
            kind: BlockKind::Maintenance
        }]
    );
    // Neither side seizes the blocked circuit.
    assert_eq!(p.a.setup(0, req("1")).unwrap(), 2);
    p.run();
    assert_eq!(p.b.setup(0, req("1")), Err(IsupError::NoCircuit));
    assert_eq!(
        p.a.poll_timeout(),
        Some(p.a.config().timers.t7),
        "T12/T13 stopped"
    );
    p.a.unblock(0, 1).unwrap();
    p.run();
    assert!(p.events_b().contains(&IsupEvent::CircuitUnblocked {
        cic: 1,
        side: Side::Remote,
        kind: BlockKind::Maintenance
    }));
    assert!(p.b.circuit(1).unwrap().remote == Blocking::default());
}

#[test]
fn bla_lost_repeats_blo_on_t12() {
    let mut p = Pair::started(vec![1]);
    p.lose.push(MessageType::Bla);
    p.a.block(0, 1).unwrap();
    p.run();
    assert!(p.events_a().is_empty());
    p.advance_to(p.a.config().timers.t12);
    assert_eq!(p.sent(true, MessageType::Blo), 2);
    assert!(p.events_a().contains(&IsupEvent::CircuitBlocked {
        cic: 1,
        side: Side::Local,
        kind: BlockKind::Maintenance
    }));
}

#[test]
fn iam_on_locally_blocked_circuit_is_refused_and_call_moves() {
    let mut p = Pair::started(vec![1, 2]);
    p.lose.push(MessageType::Blo); // B does not yet know A blocked CIC 1.
    p.a.block(0, 1).unwrap();
    p.run();
    p.b.setup(
        0,
        CallRequest {
            cic: Some(1),
            ..req("5")
        },
    )
    .unwrap();
    p.run();
    assert!(!p
        .events_a()
        .iter()
        .any(|e| matches!(e, IsupEvent::IncomingCall { cic: 1, .. })));
    assert!(p
        .events_b()
        .contains(&IsupEvent::Reattempted { from: 1, to: 2 }));
    assert_eq!(state(&p.a, 2), CallState::IncomingSetup);
    assert!(p.b.circuit(1).unwrap().remote.maintenance);
}

#[test]
fn group_blocking_maintenance_and_hardware() {
    let mut p = Pair::started((1..=8).collect());
    let cic =
        p.a.setup(
            0,
            CallRequest {
                cic: Some(3),
                ..req("1")
            },
        )
        .unwrap();
    p.run();
    p.a.group_block(0, 1, 3, BlockKind::Maintenance).unwrap();
    p.run();
    let ev = p.events_b();
    assert_eq!(ev.len(), 5, "IncomingCall + 4 blocked: {ev:?}");
    assert_eq!(
        state(&p.b, cic),
        CallState::IncomingSetup,
        "maintenance keeps calls"
    );
    assert_eq!(p.events_a().len(), 4);
    assert!(p.a.poll_timeout() == Some(p.a.config().timers.t7));
    p.a.group_block(0, 1, 3, BlockKind::Hardware).unwrap();
    p.run();
    assert!(p.events_b().contains(&IsupEvent::Released {
        cic,
        cause: 41,
        by: ReleasedBy::Reset
    }));
    assert_eq!(state(&p.b, cic), CallState::Idle);
    assert!(p.b.circuit(2).unwrap().remote.hardware);
    p.a.group_unblock(0, 1, 3, BlockKind::Hardware).unwrap();
    p.a.group_unblock(0, 1, 3, BlockKind::Maintenance).unwrap();
    p.run();
    assert!(p.b.circuits().all(|c| !c.remote.any()));
    assert!(p.a.circuits().all(|c| !c.local.any()));
    assert_eq!(p.a.poll_timeout(), None);
}

#[test]
fn rsc_clears_call_on_both_sides() {
    let mut p = Pair::started(vec![7]);
    let cic = p.a.setup(0, req("1")).unwrap();
    p.run();
    p.b.answer(0, cic).unwrap();
    p.run();
    p.events_b();
    p.a.reset(0, cic).unwrap();
    p.run();
    assert_eq!(
        p.events_b(),
        vec![
            IsupEvent::Released {
                cic,
                cause: 41,
                by: ReleasedBy::Reset
            },
            IsupEvent::ResetDone {
                cic,
                side: Side::Remote
            }
        ]
    );
    assert!(p.events_a().contains(&IsupEvent::ResetDone {
        cic,
        side: Side::Local
    }));
    assert_eq!(state(&p.a, cic), CallState::Idle);
}

#[test]
fn unequipped_cic_answered_by_ucic_and_taken_out_of_use() {
    let mut a = Isup::new(IsupConfig::new(Variant::Itu, 2, 1, vec![1, 2]));
    let mut b = Isup::new(IsupConfig::new(Variant::Itu, 1, 2, vec![1]));
    let cic = a
        .setup(
            0,
            CallRequest {
                cic: Some(2),
                ..req("9")
            },
        )
        .unwrap();
    let (_, iam) = a.poll_transmit().unwrap();
    b.handle_message(0, &iam);
    let (c, ucic) = b.poll_transmit().unwrap();
    assert_eq!(c, 2);
    assert_eq!(ucic[2], MessageType::Ucic.code());
    a.handle_message(0, &ucic);
    let ev: Vec<_> = std::iter::from_fn(|| a.poll_event()).collect();
    assert_eq!(
        ev,
        vec![
            IsupEvent::Released {
                cic,
                cause: 41,
                by: ReleasedBy::Unequipped
            },
            IsupEvent::Unequipped(cic)
        ]
    );
    assert!(a.circuit(2).unwrap().unequipped_remote);
    assert_eq!(a.setup(0, req("9")).unwrap(), 1, "CIC 2 no longer seized");
    // UCIC is never answered with UCIC.
    b.handle_message(0, &[9, 0, MessageType::Ucic.code()]);
    assert!(b.poll_transmit().is_none());
}

#[test]
fn unknown_message_answered_by_cfn_97() {
    let mut p = Pair::started(vec![1]);
    p.b.handle_message(0, &[1, 0, 0xe0, 0x00]);
    let (_, cfn) = p.b.poll_transmit().unwrap();
    let m = MessageRepr::parse(&cfn, Variant::Itu).unwrap();
    assert_eq!(m.message_type, MessageType::Cfn);
    assert_eq!(super::wire::cause_of(&m), 97);
    p.a.handle_message(0, &cfn);
    assert_eq!(
        p.a.poll_event(),
        Some(IsupEvent::Confusion { cic: 1, cause: 97 })
    );
    assert!(p.a.poll_transmit().is_none(), "no CFN for a CFN");
}

#[test]
fn unexpected_messages_rlc_ignored_rel_in_idle_answered() {
    let mut p = Pair::started(vec![1]);
    let rlc = super::wire::simple(1, MessageType::Rlc)
        .to_bytes(Variant::Itu)
        .unwrap();
    p.a.handle_message(0, &rlc);
    assert!(p.a.poll_transmit().is_none() && p.a.poll_event().is_none());
    let rel = super::wire::with_cause(1, MessageType::Rel, 16, vec![])
        .to_bytes(Variant::Itu)
        .unwrap();
    p.a.handle_message(0, &rel);
    let (_, out) = p.a.poll_transmit().unwrap();
    assert_eq!(out[2], MessageType::Rlc.code());
    assert!(p.a.poll_event().is_none());
}

#[test]
fn query_reports_circuit_states() {
    let mut p = Pair::started(vec![1, 2, 3]);
    p.a.setup(
        0,
        CallRequest {
            cic: Some(2),
            ..req("1")
        },
    )
    .unwrap();
    p.b.block(0, 3).unwrap();
    p.run();
    p.events_a();
    p.a.query(0, 1, 2).unwrap();
    p.run();
    // B: 1 idle, 2 incoming busy, 3 idle locally blocked.
    assert_eq!(
        p.events_a(),
        vec![IsupEvent::QueryResult {
            cic: 1,
            states: vec![0x0c, 0x04, 0x0d]
        }]
    );
}

#[test]
fn group_reset_keeps_local_maintenance_blocking() {
    let mut p = Pair::started(vec![1, 2, 3]);
    p.a.block(0, 2).unwrap();
    p.run();
    assert!(p.b.circuit(2).unwrap().remote.maintenance);
    p.events_b();
    p.a.group_reset(0, 1, 2).unwrap();
    p.run();
    // B cleared the remote blocking on GRS, then A's new BLO set it again.
    assert!(p.b.circuit(2).unwrap().remote.maintenance);
    assert!(p.events_a().contains(&IsupEvent::GroupResetDone {
        cic: 1,
        range: 2,
        side: Side::Local
    }));
    assert_eq!(p.sent(true, MessageType::Blo), 2);
    assert!(p.a.circuits().all(|c| !c.awaiting_gra));
}

#[test]
fn received_grs_answers_gra_with_blocking_status_and_drops_calls() {
    let mut p = Pair::started(vec![1, 2, 3]);
    let cic =
        p.a.setup(
            0,
            CallRequest {
                cic: Some(1),
                ..req("1")
            },
        )
        .unwrap();
    p.a.block(0, 3).unwrap();
    p.run();
    p.events_a();
    p.events_b();
    p.b.group_reset(0, 1, 2).unwrap();
    p.run();
    assert!(p.events_a().contains(&IsupEvent::Released {
        cic,
        cause: 41,
        by: ReleasedBy::Reset
    }));
    assert_eq!(state(&p.a, cic), CallState::Idle);
    assert_eq!(state(&p.b, cic), CallState::Idle);
    // A's GRA carries the status bit of CIC 3, locally blocked at A: B
    // keeps it remotely blocked without a new BLO.
    assert_eq!(p.sent(true, MessageType::Blo), 1);
    assert!(p.b.circuit(3).unwrap().remote.maintenance);
    assert!(!p.b.circuit(2).unwrap().remote.maintenance);
}
