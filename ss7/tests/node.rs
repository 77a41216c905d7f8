//! Two signalling points back to back, two links each, a fake clock
//! stepping 1 ms; every link moves one signal unit per ms each way.

use std::collections::BTreeMap;

use trunk_ss7::mtp2::{LinkState as Mtp2State, Mtp2Config};
use trunk_ss7::mtp3::{LinkSetError, LinkState as Mtp3State, NetworkIndicator, PointCode, Variant};
use trunk_ss7::node::{NodeConfig, NodeError, NodeEvent, Ss7Node};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Line {
    Up,
    /// Units from A reach B; units from B to A are lost without a trace
    /// (so B accepts MSUs whose acknowledgements A never sees).
    HalfDropped,
    /// Every signal unit arrives corrupted (FCS error).
    Errored,
    /// Only B sees the failure: units from A reach B corrupted (FCS
    /// errors), units from B to A are lost without a trace, so A's MTP2
    /// stays in service until B's changeover order arrives.
    FailsAtB,
}

struct Pair {
    a: Ss7Node,
    b: Ss7Node,
    now: u64,
    lines: Vec<Line>,
    a_events: Vec<(u64, NodeEvent)>,
    b_events: Vec<(u64, NodeEvent)>,
}

fn config(variant: Variant, opc: PointCode, dpc: PointCode, mtp2: Mtp2Config) -> NodeConfig {
    NodeConfig {
        variant,
        opc,
        dpc,
        ni: NetworkIndicator::National,
        links: vec![0, 1],
        mtp2,
    }
}

impl Pair {
    fn new(variant: Variant, pa: PointCode, pb: PointCode, mtp2: Mtp2Config) -> Pair {
        let mut a = Ss7Node::new(config(variant, pa, pb, mtp2)).unwrap();
        let mut b = Ss7Node::new(config(variant, pb, pa, mtp2)).unwrap();
        a.start(0);
        b.start(0);
        Pair {
            a,
            b,
            now: 0,
            lines: vec![Line::Up; 2],
            a_events: Vec::new(),
            b_events: Vec::new(),
        }
    }

    fn itu(mtp2: Mtp2Config) -> Pair {
        Pair::new(Variant::Itu, PointCode(100), PointCode(200), mtp2)
    }

    fn step(&mut self) {
        self.now += 1;
        let now = self.now;
        for i in 0..self.lines.len() {
            let sa = self.a.poll_su(now, i).unwrap();
            let sb = self.b.poll_su(now, i).unwrap();
            match self.lines[i] {
                Line::Up => {
                    self.b.handle_su(now, i, &sa).unwrap();
                    self.a.handle_su(now, i, &sb).unwrap();
                }
                Line::HalfDropped => self.b.handle_su(now, i, &sa).unwrap(),
                Line::Errored => {
                    self.b.handle_su_error(now, i).unwrap();
                    self.a.handle_su_error(now, i).unwrap();
                }
                Line::FailsAtB => self.b.handle_su_error(now, i).unwrap(),
            }
        }
        if self.a.poll_timeout().is_some_and(|t| t <= now) {
            self.a.handle_timeout(now);
        }
        if self.b.poll_timeout().is_some_and(|t| t <= now) {
            self.b.handle_timeout(now);
        }
        while let Some(ev) = self.a.poll_event() {
            self.a_events.push((now, ev));
        }
        while let Some(ev) = self.b.poll_event() {
            self.b_events.push((now, ev));
        }
    }

    fn both_fully_up(&self) -> bool {
        [&self.a, &self.b].iter().all(|n| {
            n.is_up()
                && n.link_status()
                    .links
                    .iter()
                    .all(|l| l.mtp3 == Mtp3State::Available)
        })
    }

    /// Step until `done` holds; panics after `limit` ms (a give-up bound).
    fn run_until(&mut self, limit: u64, done: impl Fn(&Pair) -> bool) {
        let end = self.now + limit;
        while !done(self) {
            assert!(self.now < end, "gave up at {} ms", self.now);
            self.step();
        }
    }
}

fn fast_mtp2() -> Mtp2Config {
    Mtp2Config {
        t4n: 300,
        ..Mtp2Config::default()
    }
}

fn has(events: &[(u64, NodeEvent)], want: &NodeEvent) -> bool {
    events.iter().any(|(_, e)| e == want)
}

#[test]
fn both_link_sets_come_up_with_default_timers() {
    let mut p = Pair::itu(Mtp2Config::default());
    p.run_until(20_000, Pair::both_fully_up);
    // Normal proving takes T4n (8.2 s): the set cannot be up before that.
    assert!(p.now >= 8_200, "up after {} ms", p.now);
    // TRA follows the first SLTA; give it a few units to cross.
    for _ in 0..10 {
        p.step();
    }
    for ev in [&p.a_events, &p.b_events] {
        assert!(has(ev, &NodeEvent::LinkSetUp));
        assert!(has(ev, &NodeEvent::LinkUp(0)));
        assert!(has(ev, &NodeEvent::LinkUp(1)));
        assert!(has(ev, &NodeEvent::TrafficRestartAllowed));
        assert!(!ev.iter().any(|(_, e)| matches!(e, NodeEvent::LinkDown(_))));
    }
    let st = p.a.link_status();
    assert!(st.up);
    assert!(st.links.iter().all(|l| l.mtp2 == Mtp2State::InService));
    // Each link carried at least its SLTM, SLTA (and TRA on one).
    assert!(st.links.iter().all(|l| l.stats.msus_sent >= 2));
}

fn payload(seq: u32, sls: u8) -> Vec<u8> {
    let mut p = seq.to_be_bytes().to_vec();
    p.push(sls);
    p.extend_from_slice(&[0xA5; 15]);
    p
}

/// Checks user data from one direction: each sequence number exactly once,
/// in order per SLS, with the SLS it was sent with.
fn check_delivery(events: &[(u64, NodeEvent)], count: u32) {
    let mut seen = vec![0u32; count as usize];
    let mut last: BTreeMap<u8, u32> = BTreeMap::new();
    for (_, ev) in events {
        let NodeEvent::UserData { si, label, payload } = ev else {
            continue;
        };
        assert_eq!(*si, 5);
        let seq = u32::from_be_bytes(payload[..4].try_into().unwrap());
        assert_eq!(payload[4], label.sls, "SLS of message {seq}");
        seen[seq as usize] += 1;
        if let Some(prev) = last.insert(label.sls, seq) {
            assert!(prev < seq, "SLS {}: {seq} after {prev}", label.sls);
        }
    }
    let wrong: Vec<_> = seen.iter().enumerate().filter(|(_, &n)| n != 1).collect();
    assert!(wrong.is_empty(), "not delivered exactly once: {wrong:?}");
}

#[test]
fn user_msus_survive_changeover_and_return_on_changeback() {
    const COUNT: u32 = 1_000;
    let mut p = Pair::itu(fast_mtp2());
    p.run_until(5_000, Pair::both_fully_up);
    let mut outstanding_at_failure = 0;
    let mut b_rx_link0_at_up = None;
    for seq in 0..COUNT {
        let sls = ((seq * 7) % 16) as u8;
        p.a.send_user(p.now, 5, &payload(seq, sls), sls).unwrap();
        p.b.send_user(p.now, 5, &payload(seq, sls), sls).unwrap();
        match seq {
            300 => p.lines[0] = Line::HalfDropped,
            320 => {
                outstanding_at_failure = p.a.link_status().links[0].outstanding;
                p.lines[0] = Line::Errored;
            }
            _ => {}
        }
        if p.lines[0] == Line::Errored
            && [&p.a, &p.b]
                .iter()
                .all(|n| n.link_status().links[0].failures > 0)
        {
            p.lines[0] = Line::Up;
        }
        if b_rx_link0_at_up.is_none() && has(&p.b_events, &NodeEvent::LinkUp(0)) && seq > 320 {
            // Counted once the link is back (after its SLTM/SLTA).
            b_rx_link0_at_up = Some((seq, p.b.link_status().links[0].stats.msus_received));
        }
        p.step();
    }
    p.run_until(3_000, |p| {
        p.a.link_status()
            .links
            .iter()
            .all(|l| l.outstanding == 0 && l.queued == 0)
            && p.b
                .link_status()
                .links
                .iter()
                .all(|l| l.outstanding == 0 && l.queued == 0)
    });
    for _ in 0..20 {
        p.step();
    }
    assert!(
        outstanding_at_failure > 0,
        "nothing in flight on link 0 when it failed"
    );
    check_delivery(&p.a_events, COUNT);
    check_delivery(&p.b_events, COUNT);
    for ev in [&p.a_events, &p.b_events] {
        let down = ev.iter().position(|(_, e)| *e == NodeEvent::LinkDown(0));
        let up = ev.iter().rposition(|(_, e)| *e == NodeEvent::LinkUp(0));
        assert!(
            down.is_some() && up > down,
            "link 0 went down and came back"
        );
        assert!(!has(ev, &NodeEvent::LinkSetDown));
        assert!(!has(ev, &NodeEvent::LinkDown(1)));
    }
    // Changeback: link 0 carries traffic again after it returned.
    let (seq_up, rx_at_up) = b_rx_link0_at_up.expect("link 0 came back before the end of traffic");
    assert!(seq_up < COUNT - 100, "link 0 back only at message {seq_up}");
    let rx_end = p.b.link_status().links[0].stats.msus_received;
    assert!(
        rx_end > rx_at_up + 50,
        "link 0 carried {} MSUs after changeback",
        rx_end - rx_at_up
    );
}

/// B's MTP2 fails link 0 while A's still runs; B's COO reaches A for a link
/// A thinks available. A must answer COA with its last accepted FSN, so B
/// retransmits the MSUs A never received (an ECA would lose them), and A
/// retransmits only what B did not accept.
#[test]
fn one_sided_failure_changeover_uses_the_far_ends_bsnt() {
    const COUNT: u32 = 600;
    let mut p = Pair::itu(fast_mtp2());
    p.run_until(5_000, Pair::both_fully_up);
    let mut b_outstanding_at_failure = 0;
    let mut a_mtp2_at_coo = None;
    for seq in 0..COUNT {
        let sls = ((seq * 7) % 16) as u8;
        p.a.send_user(p.now, 5, &payload(seq, sls), sls).unwrap();
        p.b.send_user(p.now, 5, &payload(seq, sls), sls).unwrap();
        if seq == 200 {
            p.lines[0] = Line::FailsAtB;
        }
        if p.lines[0] == Line::FailsAtB {
            let b0 = &p.b.link_status().links[0];
            if b0.failures > 0 && a_mtp2_at_coo.is_none() {
                a_mtp2_at_coo = Some(p.a.link_status().links[0].mtp2);
            }
            if b0.failures == 0 {
                b_outstanding_at_failure = b0.outstanding;
            }
            if p.a.link_status().links[0].failures > 0 {
                p.lines[0] = Line::Up;
            }
        }
        p.step();
    }
    p.run_until(5_000, |p| {
        [&p.a, &p.b].iter().all(|n| {
            n.link_status()
                .links
                .iter()
                .all(|l| l.outstanding == 0 && l.queued == 0)
        })
    });
    // Longer than changeover T1/T2, whichever way the changeover went.
    for _ in 0..3_000 {
        p.step();
    }
    assert!(
        b_outstanding_at_failure > 0,
        "B had nothing unacknowledged on link 0 when it failed"
    );
    assert_eq!(
        a_mtp2_at_coo,
        Some(Mtp2State::InService),
        "A's MTP2 was still in service when B failed the link"
    );
    let a_fail = p.a_events.iter().find_map(|(_, e)| match e {
        NodeEvent::LinkOutOfService { slc: 0, reason } => Some(*reason),
        _ => None,
    });
    assert_eq!(
        a_fail,
        Some(trunk_ss7::mtp2::OutOfServiceReason::Stopped),
        "A stopped link 0 on B's changeover order, not on its own"
    );
    check_delivery(&p.a_events, COUNT);
    check_delivery(&p.b_events, COUNT);
    for ev in [&p.a_events, &p.b_events] {
        assert!(has(ev, &NodeEvent::LinkDown(0)));
        assert!(!has(ev, &NodeEvent::LinkSetDown));
        assert!(!has(ev, &NodeEvent::LinkDown(1)));
    }
}

fn variant_comes_up(variant: Variant, pa: PointCode, pb: PointCode) {
    let mut p = Pair::new(variant, pa, pb, fast_mtp2());
    p.run_until(5_000, Pair::both_fully_up);
    p.a.send_user(p.now, 5, b"\x01\x00\x01\x02", 9).unwrap();
    p.run_until(100, |p| {
        p.b_events
            .iter()
            .any(|(_, e)| matches!(e, NodeEvent::UserData { .. }))
    });
    let got = p.b_events.iter().find_map(|(_, e)| match e {
        NodeEvent::UserData { si, label, payload } => Some((*si, *label, payload.clone())),
        _ => None,
    });
    let (si, label, payload) = got.unwrap();
    assert_eq!((si, label.opc, label.dpc, label.sls), (5, pa, pb, 9));
    assert_eq!(payload, b"\x01\x00\x01\x02");
}

#[test]
fn ansi_link_set_comes_up_and_carries_user_data() {
    variant_comes_up(
        Variant::Ansi,
        PointCode::ansi(1, 2, 3),
        PointCode::ansi(1, 2, 4),
    );
}

#[test]
fn china_link_set_comes_up_and_carries_user_data() {
    let pa = PointCode::new(Variant::China, 0x01_02_03).unwrap();
    let pb = PointCode::new(Variant::China, 0x0A_0B_0C).unwrap();
    variant_comes_up(Variant::China, pa, pb);
}

#[test]
fn sending_while_down_and_bad_link_index_are_errors() {
    let mut p = Pair::itu(fast_mtp2());
    assert_eq!(
        p.a.send_user(0, 5, b"\x00\x00", 0),
        Err(NodeError::LinkSet(LinkSetError::LinkSetDown))
    );
    assert_eq!(
        p.a.handle_su(0, 2, &[0, 0, 0]),
        Err(NodeError::NoSuchLink(2))
    );
    assert_eq!(p.a.handle_su_error(0, 9), Err(NodeError::NoSuchLink(9)));
    assert!(p.a.poll_su(0, 2).is_err());
    // Garbage on a link is an SU error, not a panic.
    p.a.handle_su(1, 0, &[0xff; 7]).unwrap();
    p.a.handle_su(1, 0, &[]).unwrap();
    p.step();
}

#[test]
fn tap_copies_sent_and_received_units() {
    let mut p = Pair::itu(fast_mtp2());
    p.a.set_tap(true);
    p.step();
    p.step();
    let mut tapped = Vec::new();
    while let Some(t) = p.a.poll_tap() {
        tapped.push(t);
    }
    // Two steps, two links, one unit each way.
    assert_eq!(tapped.len(), 8);
    assert_eq!(tapped.iter().filter(|t| t.1).count(), 4);
    assert!(tapped.iter().any(|t| t.0 == 1 && !t.1));
    // Every unit is an LSSU during alignment: BSN, FSN, LI=1, status.
    assert!(tapped.iter().all(|t| t.2.len() == 4 && t.2[2] & 0x3f == 1));
    p.a.set_tap(false);
    p.step();
    assert!(p.a.poll_tap().is_none());
}
