//! Link set tests: two `LinkSet`s back to back, links simulated as pipes
//! that can be cut.

use super::label::{si, NetworkIndicator, PointCode, RoutingLabel, Sio, Variant};
use super::linkset::{LinkSet, LinkSetConfig, LinkSetError, LinkSetEvent, LinkState, RouteState};
use super::snm::SnmMessage;
use super::snt::{SltKind, SltMessage};
use proptest::prelude::*;

const A: PointCode = PointCode(0x101);
const B: PointCode = PointCode(0x202);

fn cfg(v: Variant, opc: PointCode, adj: PointCode, links: &[u8]) -> LinkSetConfig {
    LinkSetConfig::new(v, NetworkIndicator::National, opc, adj, links.to_vec())
}

/// One signal unit on the wire: link, SIO, SIF.
type Su = (u8, Sio, Vec<u8>);

struct Pair {
    a: LinkSet,
    b: LinkSet,
    /// Signal units A sent / B sent, in order, for inspection.
    a_sent: Vec<Su>,
    b_sent: Vec<Su>,
    /// Links that carry signal units.
    up: Vec<bool>,
}

fn msu(sio: Sio, sif: &[u8]) -> Vec<u8> {
    let mut m = vec![sio.to_octet().unwrap()];
    m.extend_from_slice(sif);
    m
}

impl Pair {
    fn new(v: Variant, links: &[u8]) -> Self {
        let a = LinkSet::new(cfg(v, A, B, links)).unwrap();
        let b = LinkSet::new(cfg(v, B, A, links)).unwrap();
        Pair {
            a,
            b,
            a_sent: Vec::new(),
            b_sent: Vec::new(),
            up: vec![false; 16],
        }
    }

    /// Moves signal units both ways until both sides are quiet.
    fn pump(&mut self, now: u64) {
        loop {
            let mut moved = false;
            while let Some(su) = self.a.poll_transmit() {
                moved = true;
                if self.up[usize::from(su.0)] {
                    self.b.handle_msu(now, su.0, &msu(su.1, &su.2));
                }
                self.a_sent.push(su);
            }
            while let Some(su) = self.b.poll_transmit() {
                moved = true;
                if self.up[usize::from(su.0)] {
                    self.a.handle_msu(now, su.0, &msu(su.1, &su.2));
                }
                self.b_sent.push(su);
            }
            if !moved {
                return;
            }
        }
    }

    fn bring_up(&mut self, now: u64, slc: u8) {
        self.up[usize::from(slc)] = true;
        self.a.handle_link_up(now, slc);
        self.b.handle_link_up(now, slc);
        self.pump(now);
    }
}

fn events(ls: &mut LinkSet) -> Vec<LinkSetEvent> {
    std::iter::from_fn(|| ls.poll_event()).collect()
}

fn snm_sent(v: Variant, sent: &[Su]) -> Vec<(u8, SnmMessage)> {
    sent.iter()
        .filter(|s| s.1.si == si::SNM)
        .map(|s| (s.0, SnmMessage::from_sif(v, &s.2).unwrap().1))
        .collect()
}

fn isup_sent(v: Variant, sent: &[Su]) -> Vec<(u8, u8, Vec<u8>)> {
    sent.iter()
        .filter(|s| s.1.si == si::ISUP)
        .map(|s| {
            let (l, p) = RoutingLabel::parse(v, &s.2).unwrap();
            (s.0, l.sls, p.to_vec())
        })
        .collect()
}

#[test]
fn link_activation_tests_the_link_then_sets_up_and_sends_tra() {
    for v in [Variant::Itu, Variant::Ansi, Variant::China] {
        let mut p = Pair::new(v, &[0, 1]);
        assert!(matches!(
            p.a.send(0, si::ISUP, &[1], 0),
            Err(LinkSetError::LinkSetDown)
        ));
        p.bring_up(0, 0);
        let sltm = &p.a_sent[0];
        let want_si = if v == Variant::Ansi {
            si::SNT_SPECIAL
        } else {
            si::SNT
        };
        assert_eq!(sltm.1.si, want_si);
        let (_, m) = SltMessage::from_sif(v, &sltm.2).unwrap();
        assert_eq!((m.kind, m.slc), (SltKind::Sltm, 0));
        assert_eq!(p.a.link_state(0), Some(LinkState::Available));
        assert_eq!(p.a.link_state(1), Some(LinkState::Down));
        let ev = events(&mut p.a);
        assert!(ev.contains(&LinkSetEvent::LinkSetUp), "{v:?} {ev:?}");
        assert!(
            ev.contains(&LinkSetEvent::TrafficRestartAllowed),
            "{v:?} {ev:?}"
        );
        assert!(snm_sent(v, &p.a_sent).contains(&(0, SnmMessage::Tra)));
        p.a.send(0, si::ISUP, &[1, 2], 5).unwrap();
        p.pump(0);
        let ev = events(&mut p.b);
        assert!(ev.iter().any(|e| matches!(e,
            LinkSetEvent::Deliver { si: 5, label, payload } if label.opc == A && label.sls == 5 && payload == &[1, 2])));
    }
}

#[test]
fn unanswered_sltm_is_repeated_once_then_the_link_fails() {
    let mut a = LinkSet::new(cfg(Variant::Itu, A, B, &[3])).unwrap();
    a.handle_link_up(0, 3);
    assert!(a.poll_transmit().is_some());
    let t1 = a.config().t1_slt;
    assert_eq!(a.poll_timeout(), Some(t1));
    a.handle_timeout(t1 - 1);
    assert!(a.poll_transmit().is_none());
    a.handle_timeout(t1);
    let (slc, _, sif) = a.poll_transmit().expect("second SLTM");
    assert_eq!(slc, 3);
    assert_eq!(
        SltMessage::from_sif(Variant::Itu, &sif).unwrap().1.kind,
        SltKind::Sltm
    );
    assert!(events(&mut a).is_empty());
    a.handle_timeout(2 * t1);
    assert_eq!(events(&mut a), [LinkSetEvent::LinkTestFailed { slc: 3 }]);
    assert_eq!(a.link_state(3), Some(LinkState::Down));
    assert_eq!(a.poll_timeout(), None);
}

#[test]
fn slta_with_wrong_pattern_does_not_make_the_link_available() {
    let mut a = LinkSet::new(cfg(Variant::Itu, A, B, &[0])).unwrap();
    a.handle_link_up(0, 0);
    let slta = SltMessage {
        kind: SltKind::Slta,
        slc: 0,
        pattern: b"wrong".to_vec(),
    };
    let label = RoutingLabel {
        dpc: A,
        opc: B,
        sls: 0,
    };
    let sio = Sio {
        si: si::SNT,
        priority: 0,
        ni: NetworkIndicator::National,
    };
    a.handle_msu(0, 0, &msu(sio, &slta.to_sif(Variant::Itu, label).unwrap()));
    assert_eq!(a.link_state(0), Some(LinkState::Testing));
}

#[test]
fn load_sharing_spreads_sls_and_moves_only_the_failed_links_share() {
    let mut p = Pair::new(Variant::Itu, &[0, 1, 2, 3]);
    for slc in 0..4 {
        p.bring_up(0, slc);
    }
    let before: Vec<u8> = (0..16).map(|s| p.a.link_for_sls(s).unwrap()).collect();
    for slc in 0..4u8 {
        assert_eq!(before.iter().filter(|&&l| l == slc).count(), 4);
    }
    p.up[2] = false;
    p.a.handle_link_down(10, 2, Some(7));
    let after: Vec<u8> = (0..16).map(|s| p.a.link_for_sls(s).unwrap()).collect();
    for s in 0..16 {
        if before[s] == 2 {
            assert_ne!(after[s], 2, "sls {s}");
        } else {
            assert_eq!(after[s], before[s], "sls {s} moved");
        }
    }
    // The failed link's four SLS values spread over more than one link.
    let moved: std::collections::BTreeSet<u8> = (0..16)
        .filter(|&s| before[s] == 2)
        .map(|s| after[s])
        .collect();
    assert!(moved.len() > 1, "{moved:?}");
}

/// Brings up links 0 and 1 and fails link 1 on both sides with the given FSNs.
fn failed_link_1(v: Variant, a_fsn: Option<u32>, b_fsn: Option<u32>) -> Pair {
    let mut p = Pair::new(v, &[0, 1]);
    p.bring_up(0, 0);
    p.bring_up(0, 1);
    events(&mut p.a);
    events(&mut p.b);
    p.a_sent.clear();
    p.b_sent.clear();
    assert_eq!(p.a.link_for_sls(1), Some(1));
    p.up[1] = false;
    p.a.handle_link_down(100, 1, a_fsn);
    p.b.handle_link_down(100, 1, b_fsn);
    p
}

#[test]
fn changeover_with_coo_coa_retransmits_retrieved_then_buffered_in_order() {
    for v in [Variant::Itu, Variant::Ansi] {
        let mut p = failed_link_1(v, Some(5), Some(9));
        // Traffic for SLS 1 (link 1) is held during changeover.
        p.a.send(101, si::ISUP, b"new1", 1).unwrap();
        p.a.send(101, si::ISUP, b"new0", 0).unwrap();
        p.pump(101);
        assert!(snm_sent(v, &p.a_sent).contains(&(0, SnmMessage::Coo { slc: 1, fsn: 5 })));
        assert!(snm_sent(v, &p.b_sent).contains(&(0, SnmMessage::Coo { slc: 1, fsn: 9 })));
        let ev = events(&mut p.a);
        assert!(ev.contains(&LinkSetEvent::LinkUnavailable { slc: 1 }));
        assert!(
            ev.contains(&LinkSetEvent::Retrieve {
                slc: 1,
                fsn: Some(9)
            }),
            "{v:?} {ev:?}"
        );
        assert!(events(&mut p.b).contains(&LinkSetEvent::Retrieve {
            slc: 1,
            fsn: Some(5)
        }));
        assert_eq!(isup_sent(v, &p.a_sent), [(0, 0, b"new0".to_vec())]);
        // The lead hands over MTP2's unacknowledged MSU on link 1.
        let old = RoutingLabel {
            dpc: B,
            opc: A,
            sls: 1,
        }
        .emit_sif(v, b"old1")
        .unwrap();
        let sio = Sio {
            si: si::ISUP,
            priority: 0,
            ni: NetworkIndicator::National,
        };
        p.a.handle_retrieved(102, 1, [msu(sio, &old)]);
        p.pump(102);
        let sent = isup_sent(v, &p.a_sent);
        let l = p.a.link_for_sls(1).unwrap();
        assert_eq!(l, 0);
        assert_eq!(
            sent[1..],
            [(0, 1, b"old1".to_vec()), (0, 1, b"new1".to_vec())],
            "{v:?}"
        );
        assert_eq!(p.a.poll_timeout(), None);
    }
}

#[test]
fn coo_for_a_link_still_available_is_answered_with_our_bsnt() {
    let v = Variant::Itu;
    let mut p = Pair::new(v, &[0, 1]);
    p.bring_up(0, 0);
    p.bring_up(0, 1);
    // MTP2 of A's link 1 accepted MSUs up to FSN 42 (SLTA included).
    p.a.set_last_accepted_fsn(1, 41);
    p.a.set_last_accepted_fsn(1, 42);
    events(&mut p.a);
    // Only B's MTP2 failed link 1; A's link 1 is still available.
    p.up[1] = false;
    p.b.handle_link_down(100, 1, Some(9));
    p.pump(100);
    assert!(snm_sent(v, &p.a_sent).contains(&(0, SnmMessage::Coa { slc: 1, fsn: 42 })));
    assert_eq!(p.a.link_state(1), Some(LinkState::Down));
    let ev = events(&mut p.a);
    assert!(ev.contains(&LinkSetEvent::Retrieve {
        slc: 1,
        fsn: Some(9)
    }));
    assert!(events(&mut p.b).contains(&LinkSetEvent::Retrieve {
        slc: 1,
        fsn: Some(42)
    }));
    assert!(p.a.awaits_retrieval(1) && !p.a.awaits_retrieval(0));
    p.a.handle_retrieved(100, 1, []);
    assert!(!p.a.awaits_retrieval(1));
    // The link returns: the old BSNT no longer holds, none is known until
    // MTP2 accepts again, so a COO then gets ECA.
    p.a_sent.clear();
    p.a.set_last_accepted_fsn(1, 7);
    p.bring_up(200, 1);
    p.b.handle_link_down(300, 1, Some(3));
    p.pump(300);
    assert!(snm_sent(v, &p.a_sent).contains(&(0, SnmMessage::Eca { slc: 1 })));
}

#[test]
fn unknown_fsn_uses_eco_and_waits_t1_before_restarting_traffic() {
    let v = Variant::China;
    let mut p = failed_link_1(v, None, None);
    p.pump(100);
    assert!(snm_sent(v, &p.a_sent).contains(&(0, SnmMessage::Eco { slc: 1 })));
    assert!(snm_sent(v, &p.b_sent).contains(&(0, SnmMessage::Eca { slc: 1 })));
    assert!(events(&mut p.a).contains(&LinkSetEvent::Retrieve { slc: 1, fsn: None }));
    p.a.send(100, si::ISUP, b"x", 1).unwrap();
    p.a.handle_retrieved(100, 1, []);
    p.pump(100);
    assert!(isup_sent(v, &p.a_sent).is_empty(), "sent before T1");
    let t1 = p.a.poll_timeout().expect("T1 running");
    p.a.handle_timeout(t1);
    p.pump(t1);
    assert_eq!(isup_sent(v, &p.a_sent), [(0, 1, b"x".to_vec())]);
}

#[test]
fn changeover_without_acknowledgement_completes_after_t2_and_t1() {
    let v = Variant::Itu;
    let mut p = failed_link_1(v, Some(3), None);
    // The far end never answers.
    p.up[0] = false;
    p.pump(100);
    p.a.send(100, si::ISUP, b"x", 1).unwrap();
    let t2 = p.a.poll_timeout().unwrap();
    assert_eq!(t2, 100 + p.a.config().t2);
    events(&mut p.a);
    p.a.handle_timeout(t2);
    assert_eq!(
        events(&mut p.a),
        [LinkSetEvent::Retrieve { slc: 1, fsn: None }]
    );
    p.a.handle_retrieved(t2, 1, []);
    assert!(p.a.poll_transmit().is_none());
    let t1 = p.a.poll_timeout().unwrap();
    p.a.handle_timeout(t1);
    let (slc, _, sif) = p.a.poll_transmit().unwrap();
    assert_eq!((slc, &sif[4..]), (0, &b"x"[..]));
}

#[test]
fn changeback_uses_cbd_cba_and_returns_traffic_to_the_restored_link() {
    for v in [Variant::Itu, Variant::Ansi, Variant::China] {
        let mut p = failed_link_1(v, Some(5), Some(9));
        p.pump(100);
        p.a.handle_retrieved(100, 1, []);
        p.b.handle_retrieved(100, 1, []);
        assert_eq!(p.a.link_for_sls(1), Some(0));
        p.a_sent.clear();
        p.b_sent.clear();
        // Link 1 returns; A's CBD crosses B's; traffic queued meanwhile waits.
        p.up[1] = true;
        p.a.handle_link_up(200, 1);
        p.b.handle_link_up(200, 1);
        // Hold B's SLTA back so A has traffic to buffer during changeback.
        while let Some(su) = p.a.poll_transmit() {
            p.b.handle_msu(200, su.0, &msu(su.1, &su.2));
        }
        let mut rest: Vec<_> = std::iter::from_fn(|| p.b.poll_transmit()).collect();
        let is_slta =
            |su: &Su| SltMessage::from_sif(v, &su.2).is_ok_and(|(_, m)| m.kind == SltKind::Slta);
        let slta = rest.remove(rest.iter().position(is_slta).expect("SLTA from B"));
        p.a.handle_msu(200, slta.0, &msu(slta.1, &slta.2));
        assert_eq!(p.a.link_state(1), Some(LinkState::Available));
        let cbd = p.a.poll_transmit().unwrap();
        assert_eq!(cbd.0, 0);
        let (_, cbd_msg) = SnmMessage::from_sif(v, &cbd.2).unwrap();
        assert!(
            matches!(cbd_msg, SnmMessage::Cbd { slc: 1, .. }),
            "{cbd_msg:?}"
        );
        p.a.send(201, si::ISUP, b"held", 1).unwrap();
        assert!(p.a.poll_transmit().is_none(), "held during changeback");
        assert_eq!(p.a.poll_timeout(), Some(200 + p.a.config().t4));
        for su in rest {
            p.a.handle_msu(201, su.0, &msu(su.1, &su.2));
        }
        p.b.handle_msu(201, cbd.0, &msu(cbd.1, &cbd.2));
        p.pump(201);
        assert!(snm_sent(v, &p.b_sent)
            .iter()
            .any(|(on, m)| *on == 0 && matches!(m, SnmMessage::Cba { slc: 1, .. })));
        assert_eq!(p.a.link_for_sls(1), Some(1));
        assert_eq!(isup_sent(v, &p.a_sent), [(1, 1, b"held".to_vec())], "{v:?}");
    }
}

#[test]
fn changeback_without_cba_repeats_cbd_at_t4_and_completes_at_t5() {
    let v = Variant::Itu;
    let mut p = failed_link_1(v, Some(5), Some(9));
    p.pump(100);
    p.a.handle_retrieved(100, 1, []);
    p.up[1] = true;
    p.a.handle_link_up(200, 1);
    p.b.handle_link_up(200, 1);
    p.up[0] = false; // CBD and CBA are lost
    p.a_sent.clear();
    p.pump(200);
    assert_eq!(p.a.link_state(1), Some(LinkState::Available));
    p.a.send(200, si::ISUP, b"h", 1).unwrap();
    p.pump(200);
    let cbds = |p: &Pair| {
        snm_sent(v, &p.a_sent)
            .iter()
            .filter(|(_, m)| matches!(m, SnmMessage::Cbd { .. }))
            .count()
    };
    assert_eq!(cbds(&p), 1);
    let t4 = p.a.poll_timeout().unwrap();
    p.a.handle_timeout(t4);
    p.pump(t4);
    assert_eq!(cbds(&p), 2);
    assert!(isup_sent(v, &p.a_sent).is_empty());
    let t5 = p.a.poll_timeout().unwrap();
    assert_eq!(t5, t4 + p.a.config().t5);
    p.a.handle_timeout(t5);
    p.pump(t5);
    assert_eq!(isup_sent(v, &p.a_sent), [(1, 1, b"h".to_vec())]);
}

#[test]
fn last_link_failure_takes_the_link_set_down() {
    let mut p = Pair::new(Variant::Itu, &[0]);
    p.bring_up(0, 0);
    events(&mut p.a);
    p.a.handle_link_down(5, 0, None);
    assert_eq!(
        events(&mut p.a),
        [
            LinkSetEvent::LinkUnavailable { slc: 0 },
            LinkSetEvent::LinkSetDown
        ]
    );
    assert_eq!(p.a.link_for_sls(0), None);
    assert!(matches!(
        p.a.send(5, si::ISUP, &[0], 0),
        Err(LinkSetError::LinkSetDown)
    ));
}

fn inject(ls: &mut LinkSet, v: Variant, msg: SnmMessage) {
    let label = RoutingLabel {
        dpc: A,
        opc: B,
        sls: 0,
    };
    let sio = Sio {
        si: si::SNM,
        priority: 0,
        ni: NetworkIndicator::National,
    };
    ls.handle_msu(0, 0, &msu(sio, &msg.to_sif(v, label).unwrap()));
}

#[test]
fn tfp_tfa_and_upu_become_route_status_and_events() {
    let v = Variant::Ansi;
    let mut p = Pair::new(v, &[0]);
    p.bring_up(0, 0);
    events(&mut p.a);
    let far = PointCode::ansi(9, 9, 9);
    inject(&mut p.a, v, SnmMessage::Tfp { dest: far });
    assert_eq!(p.a.route_state(far), RouteState::Prohibited);
    assert!(matches!(
        p.a.send_to(0, far, si::ISUP, &[1], 0),
        Err(LinkSetError::RouteProhibited)
    ));
    inject(&mut p.a, v, SnmMessage::Tfa { dest: far });
    assert!(p.a.send_to(0, far, si::ISUP, &[1], 0).is_ok());
    inject(
        &mut p.a,
        v,
        SnmMessage::Upu {
            dest: B,
            user_part: si::ISUP,
            cause: 1,
        },
    );
    let ev = events(&mut p.a);
    assert_eq!(
        ev,
        [
            LinkSetEvent::RouteStatus {
                dest: far,
                state: RouteState::Prohibited
            },
            LinkSetEvent::RouteStatus {
                dest: far,
                state: RouteState::Allowed
            },
            LinkSetEvent::UserPartUnavailable {
                dest: B,
                user_part: si::ISUP,
                cause: 1
            },
        ]
    );
}

#[test]
fn misaddressed_or_wrong_network_msus_are_discarded() {
    let v = Variant::Itu;
    let mut a = LinkSet::new(cfg(v, A, B, &[0])).unwrap();
    let sio = Sio {
        si: si::ISUP,
        priority: 0,
        ni: NetworkIndicator::National,
    };
    let other = RoutingLabel {
        dpc: PointCode(7),
        opc: B,
        sls: 0,
    }
    .emit_sif(v, &[1])
    .unwrap();
    a.handle_msu(0, 0, &msu(sio, &other));
    let intl = Sio {
        ni: NetworkIndicator::International,
        ..sio
    };
    let ours = RoutingLabel {
        dpc: A,
        opc: B,
        sls: 0,
    }
    .emit_sif(v, &[1])
    .unwrap();
    a.handle_msu(0, 0, &msu(intl, &ours));
    assert!(events(&mut a).is_empty());
    a.handle_msu(0, 0, &msu(sio, &ours));
    assert_eq!(events(&mut a).len(), 1);
}

#[test]
fn bad_configurations_are_refused() {
    let mut c = cfg(Variant::Itu, A, B, &[]);
    assert!(LinkSet::new(c.clone()).is_err());
    c.links = vec![16];
    assert!(LinkSet::new(c.clone()).is_err());
    c.links = vec![1, 1];
    assert!(LinkSet::new(c.clone()).is_err());
    c.links = vec![1];
    c.sls_bits = 8;
    assert!(LinkSet::new(c).is_err());
    let mut ansi = cfg(Variant::Ansi, A, B, &[0]);
    ansi.sls_bits = 5;
    assert!(LinkSet::new(ansi).is_ok());
}

proptest! {
    #[test]
    fn arbitrary_msus_never_panic(
        bytes in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..20),
        slc in 0u8..4,
    ) {
        let mut p = Pair::new(Variant::Itu, &[0, 1]);
        p.bring_up(0, 0);
        p.bring_up(0, 1);
        for (i, m) in bytes.iter().enumerate() {
            let mut m = m.clone();
            // Aim half of them at A so the SNM/SNT parsers are reached.
            if i % 2 == 0 && m.len() >= 5 {
                m[0] = 0x80 | (m[0] & 0x03);
                let top = m[4] & 0xF0;
                m[1..5].copy_from_slice(&[0x01, 0x81, 0x80, top]);
            }
            p.a.handle_msu(i as u64, slc, &m);
            p.a.handle_timeout(i as u64 * 1000);
            while p.a.poll_transmit().is_some() {}
            while p.a.poll_event().is_some() {}
        }
    }
}
