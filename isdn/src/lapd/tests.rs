//! Back-to-back tests: a User link and a Network link connected in memory.

use super::*;
use proptest::prelude::*;

/// Decides whether a frame is delivered: `(user_to_network, frame) -> deliver`.
type Filter<'a> = &'a mut dyn FnMut(bool, &[u8]) -> bool;

struct Net {
    u: Link,
    n: Link,
    now: u64,
    u_events: Vec<LinkEvent>,
    n_events: Vec<LinkEvent>,
    /// Every transmitted frame: (user_to_network, bytes).
    log: Vec<(bool, Vec<u8>)>,
    /// Largest number of outstanding I frames seen on either side.
    max_outstanding: u8,
}

fn all(_: bool, _: &[u8]) -> bool {
    true
}

impl Net {
    fn new(config: LinkConfig) -> Self {
        Net {
            u: Link::new(Role::User, 0, 0, config),
            n: Link::new(Role::Network, 0, 0, config),
            now: 0,
            u_events: Vec::new(),
            n_events: Vec::new(),
            log: Vec::new(),
            max_outstanding: 0,
        }
    }

    fn established() -> Self {
        let mut net = Net::new(LinkConfig {
            max_queue: 200,
            ..LinkConfig::default()
        });
        net.u.establish(0);
        net.pump(&mut all);
        assert_eq!(net.u.state(), LinkState::MultipleFrameEstablished);
        assert_eq!(net.n.state(), LinkState::MultipleFrameEstablished);
        net.u_events.clear();
        net.n_events.clear();
        net.log.clear();
        net
    }

    /// Move frames both ways until both links are quiet.
    fn pump(&mut self, filter: Filter<'_>) {
        let mut buf = [0u8; 300];
        for _ in 0..100_000 {
            let mut moved = false;
            for dir in [true, false] {
                let (tx, rx) = if dir {
                    (&mut self.u, &mut self.n)
                } else {
                    (&mut self.n, &mut self.u)
                };
                while let Some(len) = tx.poll_transmit(&mut buf) {
                    moved = true;
                    let (vs, va, _) = tx.sequence_numbers();
                    let outstanding = vs.wrapping_sub(va) & 0x7F;
                    assert!(
                        outstanding <= tx.config().k
                            && tx.outstanding() <= usize::from(tx.config().k),
                        "window exceeded"
                    );
                    self.max_outstanding = self.max_outstanding.max(outstanding);
                    self.log.push((dir, buf[..len].to_vec()));
                    if filter(dir, &buf[..len]) {
                        rx.handle_frame(self.now, &buf[..len]);
                    }
                }
            }
            while let Some(e) = self.u.poll_event() {
                self.u_events.push(e);
            }
            while let Some(e) = self.n.poll_event() {
                self.n_events.push(e);
            }
            if !moved {
                return;
            }
        }
        panic!("links never went quiet");
    }

    /// Advance time to `until`, firing timers in order and pumping frames.
    fn run_until(&mut self, until: u64, filter: Filter<'_>) {
        loop {
            self.pump(filter);
            let next = match (self.u.poll_timeout(), self.n.poll_timeout()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                    self.u.handle_timeout(self.now);
                    self.n.handle_timeout(self.now);
                }
                _ => break,
            }
        }
        self.now = until;
        self.pump(filter);
    }

    fn data(events: &[LinkEvent]) -> Vec<Vec<u8>> {
        events
            .iter()
            .filter_map(|e| {
                if let LinkEvent::DlData(d) = e {
                    Some(d.to_vec())
                } else {
                    None
                }
            })
            .collect()
    }

    fn frames(&self, dir: bool) -> Vec<FrameRepr<'_>> {
        self.log
            .iter()
            .filter(|(d, _)| *d == dir)
            .filter_map(|(_, f)| Frame::parse(f).ok())
            .collect()
    }
}

fn is_i(f: &[u8]) -> bool {
    matches!(
        Frame::parse(f),
        Ok(FrameRepr {
            control: Control::I { .. },
            ..
        })
    )
}

fn msg(tag: u8, i: usize) -> Vec<u8> {
    vec![tag, (i >> 8) as u8, i as u8, 0x5A]
}

#[test]
fn establishment_and_cr_bits() {
    let mut net = Net::new(LinkConfig::default());
    net.u.establish(0);
    assert_eq!(net.u.state(), LinkState::AwaitingEstablishment);
    net.pump(&mut all);
    assert_eq!(net.u_events, vec![LinkEvent::DlEstablishConfirm]);
    assert_eq!(net.n_events, vec![LinkEvent::DlEstablishIndication]);
    assert_eq!(net.u.state().number(), 7);
    assert_eq!(net.n.state().number(), 7);
    // User command SABME has C/R = 0, network response UA has C/R = 0.
    let sabme = net.frames(true)[0];
    assert_eq!(sabme.control, Control::Sabme { p: true });
    assert!(!sabme.cr);
    let ua = net.frames(false)[0];
    assert_eq!(ua.control, Control::Ua { f: true });
    assert!(!ua.cr);
    assert_eq!(net.log[0].1, vec![0x00, 0x01, 0x7F]);
    assert_eq!(net.u.poll_timeout(), Some(10_000), "T203 running");
}

#[test]
fn hundred_frames_each_way() {
    let mut net = Net::established();
    for i in 0..100 {
        net.u.send(net.now, &msg(1, i)).unwrap();
        net.n.send(net.now, &msg(2, i)).unwrap();
    }
    net.run_until(1, &mut all);
    let expect_u: Vec<_> = (0..100).map(|i| msg(1, i)).collect();
    let expect_n: Vec<_> = (0..100).map(|i| msg(2, i)).collect();
    assert_eq!(Net::data(&net.n_events), expect_u);
    assert_eq!(Net::data(&net.u_events), expect_n);
    assert_eq!(net.max_outstanding, 7, "window of 7 filled");
    for l in [&net.u, &net.n] {
        assert_eq!(l.stats().tx_i_frames, 100);
        assert_eq!(l.stats().tx_i_retransmitted, 0);
        assert_eq!(l.stats().rx_i_frames, 100);
        assert_eq!(l.sequence_numbers(), (100, 100, 100));
        assert_eq!(l.queued_len(), 0);
        // All acknowledged: T200 stopped, only T203 left.
        assert_eq!(l.poll_timeout(), Some(10_000));
    }
    // Command I frames from the network carry C/R = 1.
    assert!(net
        .frames(false)
        .iter()
        .any(|f| matches!(f.control, Control::I { .. }) && f.cr));
}

#[test]
fn middle_frame_loss_recovered_by_rej() {
    let mut net = Net::established();
    for i in 0..5 {
        net.u.send(0, &msg(1, i)).unwrap();
    }
    let mut count = 0;
    let mut drop_third = |dir: bool, f: &[u8]| {
        if dir && is_i(f) {
            count += 1;
            return count != 3;
        }
        true
    };
    net.run_until(10, &mut drop_third);
    assert_eq!(
        Net::data(&net.n_events),
        (0..5).map(|i| msg(1, i)).collect::<Vec<_>>()
    );
    assert_eq!(net.n.stats().tx_rej, 1);
    assert!(net.u.stats().tx_i_retransmitted >= 1);
    assert_eq!(net.u.stats().t200_expiries, 0);
}

#[test]
fn last_frame_loss_recovered_by_t200() {
    let mut net = Net::established();
    net.u.send(0, &msg(1, 0)).unwrap();
    let mut dropped = false;
    let mut drop_first = |dir: bool, f: &[u8]| {
        if dir && is_i(f) && !dropped {
            dropped = true;
            return false;
        }
        true
    };
    net.run_until(500, &mut drop_first);
    assert!(Net::data(&net.n_events).is_empty());
    assert_eq!(net.u.poll_timeout(), Some(1000), "T200 running");
    net.run_until(3000, &mut drop_first);
    assert_eq!(Net::data(&net.n_events), vec![msg(1, 0)]);
    assert_eq!(net.u.stats().t200_expiries, 1);
    assert_eq!(net.u.stats().tx_i_retransmitted, 1);
    // The enquiry was an RR command with P=1 (user command: C/R = 0).
    assert!(net
        .frames(true)
        .iter()
        .any(|f| f.control == Control::Rr { nr: 0, pf: true } && !f.cr));
    assert_eq!(net.u.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(net.u.sequence_numbers(), (1, 1, 0));
}

#[test]
fn peer_busy_then_clear() {
    let mut net = Net::established();
    net.n.set_receiver_busy(true);
    net.pump(&mut all);
    assert!(net.u.peer_busy());
    for i in 0..5 {
        net.u.send(net.now, &msg(1, i)).unwrap();
    }
    net.run_until(5_000, &mut all);
    assert!(Net::data(&net.n_events).is_empty());
    assert!(net.u.peer_busy());
    assert_eq!(net.u.queued_len(), 5, "nothing sent while peer busy");
    net.n.set_receiver_busy(false);
    net.run_until(5_010, &mut all);
    assert!(!net.u.peer_busy());
    assert_eq!(
        Net::data(&net.n_events),
        (0..5).map(|i| msg(1, i)).collect::<Vec<_>>()
    );
    assert_eq!(net.u.state(), LinkState::MultipleFrameEstablished);
    assert!(net
        .frames(false)
        .iter()
        .any(|f| matches!(f.control, Control::Rnr { .. })));
}

#[test]
fn t203_idle_poll() {
    let mut net = Net::established();
    net.run_until(9_999, &mut all);
    assert!(net.log.is_empty());
    net.run_until(10_050, &mut all);
    assert_eq!(net.u.stats().t203_expiries, 1);
    let polls: Vec<_> = net
        .frames(true)
        .into_iter()
        .filter(|f| f.control == Control::Rr { nr: 0, pf: true } && !f.cr)
        .collect();
    assert_eq!(polls.len(), 1);
    assert!(net
        .frames(false)
        .iter()
        .any(|f| f.control == Control::Rr { nr: 0, pf: true } && !f.cr));
    assert_eq!(net.u.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(net.n.state(), LinkState::MultipleFrameEstablished);
    assert!(net.u_events.is_empty() && net.n_events.is_empty());
}

#[test]
fn release() {
    let mut net = Net::established();
    net.n.release(5);
    assert_eq!(net.n.state(), LinkState::AwaitingRelease);
    net.pump(&mut all);
    assert_eq!(net.n_events, vec![LinkEvent::DlReleaseConfirm]);
    assert_eq!(net.u_events, vec![LinkEvent::DlReleaseIndication]);
    assert_eq!(net.u.state(), LinkState::TeiAssigned);
    assert_eq!(net.n.state(), LinkState::TeiAssigned);
    assert_eq!(net.u.poll_timeout(), None);
    assert_eq!(net.u.send(5, b"x"), Err(LinkError::NotEstablished));
    // DISC to a released link is answered with DM.
    net.log.clear();
    net.u.handle_frame(6, &[0x02, 0x01, 0x53]);
    net.pump(&mut all);
    assert_eq!(net.frames(true)[0].control, Control::Dm { f: true });
}

#[test]
fn peer_gone_releases_after_n200() {
    let mut net = Net::established();
    net.u.send(0, b"hello").unwrap();
    let mut nothing_arrives = |_: bool, _: &[u8]| false;
    net.run_until(60_000, &mut nothing_arrives);
    assert_eq!(net.u.state(), LinkState::TeiAssigned);
    assert_eq!(
        net.u_events,
        vec![
            LinkEvent::MdlError('I'),
            LinkEvent::MdlError('G'),
            LinkEvent::DlReleaseIndication
        ]
    );
    let u_frames = net.frames(true);
    let enquiries = u_frames
        .iter()
        .filter(|f| matches!(f.control, Control::Rr { pf: true, .. }))
        .count();
    let sabmes = u_frames
        .iter()
        .filter(|f| matches!(f.control, Control::Sabme { .. }))
        .count();
    assert_eq!(enquiries, 3);
    assert_eq!(sabmes, 4);
    assert_eq!(net.u.poll_timeout(), None);
}

#[test]
fn sabme_in_established_reestablishes() {
    let mut net = Net::established();
    net.n.send(0, b"queued").unwrap();
    // Deliver a SABME from the user directly, before the network transmits.
    // Nothing was outstanding (V(S) = V(A)): Q.921 §5.7 keeps the I queue
    // and does not tell layer 3.
    net.n.handle_frame(1, &[0x00, 0x01, 0x7F]);
    assert_eq!(net.n.queued_len(), 1);
    net.pump(&mut all);
    assert_eq!(net.n_events, vec![LinkEvent::MdlError('F')]);
    assert_eq!(net.n.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(Net::data(&net.u_events), vec![b"queued".to_vec()]);
    assert_eq!(net.n.sequence_numbers(), (1, 1, 0));
}

#[test]
fn sabme_with_outstanding_frames_tells_layer3() {
    let mut net = Net::established();
    net.n.send(0, b"lost").unwrap();
    net.n.send(0, b"waiting").unwrap();
    // Transmit the first I frame, but never deliver it.
    let mut buf = [0u8; 300];
    let n = net.n.poll_transmit(&mut buf).unwrap();
    assert!(is_i(&buf[..n]));
    assert_eq!((net.n.outstanding(), net.n.queued_len()), (1, 1));
    net.n.handle_frame(1, &[0x00, 0x01, 0x7F]);
    assert_eq!(
        net.n.poll_event(),
        Some(LinkEvent::MdlError('F')),
        "MDL-ERROR F"
    );
    assert_eq!(net.n.poll_event(), Some(LinkEvent::DlEstablishIndication));
    assert_eq!((net.n.outstanding(), net.n.queued_len()), (0, 0));
    assert_eq!(net.n.sequence_numbers(), (0, 0, 0));
    net.pump(&mut all);
    assert!(Net::data(&net.u_events).is_empty());
}

#[test]
fn nr_sequence_error_reestablishes() {
    let mut net = Net::established();
    // RR response from the network acknowledging N(R)=5 which was never sent.
    net.u.handle_frame(1, &[0x00, 0x01, 0x01, 0x0A]);
    assert_eq!(net.u.poll_event(), Some(LinkEvent::MdlError('J')));
    assert_eq!(net.u.state(), LinkState::AwaitingEstablishment);
    net.pump(&mut all);
    assert_eq!(net.u.state(), LinkState::MultipleFrameEstablished);
    // Nothing was outstanding, so layer 3 is told on neither side.
    assert!(net.u_events.is_empty());
    assert_eq!(net.n_events, vec![LinkEvent::MdlError('F')]);
}

#[test]
fn unit_data_both_ways() {
    let mut net = Net::new(LinkConfig::default());
    net.u.send_unit_data(b"ui-from-user").unwrap();
    net.n.send_unit_data(b"ui-from-net").unwrap();
    net.pump(&mut all);
    assert_eq!(
        net.n_events,
        vec![LinkEvent::DlUnitData(
            Info::from_slice(b"ui-from-user").unwrap()
        )]
    );
    assert_eq!(
        net.u_events,
        vec![LinkEvent::DlUnitData(
            Info::from_slice(b"ui-from-net").unwrap()
        )]
    );
    assert_eq!(net.u.send_unit_data(&[0; 261]), Err(LinkError::TooLong));
}

#[test]
fn invalid_frames_discarded_silently() {
    let mut net = Net::established();
    net.u.send(0, b"abc").unwrap();
    net.pump(&mut all);
    let before = (
        net.n.state(),
        net.n.sequence_numbers(),
        net.n.poll_timeout(),
    );
    // Q.921 §2.9: too short, bad address field, or another SAPI/TEI.
    let bad: [&[u8]; 7] = [
        &[],
        &[0x00],
        &[0x00, 0x01],             // address only
        &[0x00, 0x01, 0x01],       // RR without its N(R) octet
        &[0x00, 0x01, 0x00],       // I frame without its N(R) octet
        &[0x01, 0x01, 0x02, 0x02], // EA bit set in octet 1
        &[0x00, 0x00, 0x7F],       // EA bit clear in octet 2
    ];
    for f in bad {
        net.n.handle_frame(1, f);
    }
    assert_eq!(net.n.stats().rx_malformed, 7);
    // Frames for another TEI or SAPI, even undecodable ones, are not ours.
    net.n.handle_frame(1, &[0x00, 0x03, 0x7F]);
    net.n.handle_frame(1, &[0x04, 0x01, 0x7F]);
    net.n.handle_frame(1, &[0x00, 0x03, 0x23]);
    assert_eq!(net.n.stats().rx_ignored, 2);
    assert_eq!(
        (
            net.n.state(),
            net.n.sequence_numbers(),
            net.n.poll_timeout()
        ),
        before
    );
    assert_eq!(net.n.poll_transmit(&mut [0u8; 300]), None);
    assert_eq!(net.n.poll_event(), None);
    assert_eq!(net.n.stats().mdl_errors, 0);
}

proptest! {
    #[test]
    fn arbitrary_frames_never_panic(frames in proptest::collection::vec(
        (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..12)), 0..40)) {
        let mut net = Net::established();
        net.u.send(0, b"x").unwrap();
        net.n.send(0, b"y").unwrap();
        let mut t = 0;
        for (to_user, mut bytes) in frames {
            // Mostly target our SAPI/TEI so the state machine is exercised.
            if bytes.len() >= 2 && bytes[0] & 0x80 == 0 {
                bytes[0] &= 0x02;
                bytes[1] = 0x01;
            }
            t += 300;
            let link = if to_user { &mut net.u } else { &mut net.n };
            link.handle_frame(t, &bytes);
            link.handle_timeout(t);
            let mut buf = [0u8; 300];
            while let Some(n) = link.poll_transmit(&mut buf) {
                prop_assert!(Frame::parse(&buf[..n]).is_ok());
            }
            while link.poll_event().is_some() {}
            let (vs, va, _) = link.sequence_numbers();
            prop_assert!(vs.wrapping_sub(va) & 0x7F <= 7);
        }
        // The pair can always be brought back to an established link.
        net.now = t;
        net.u.establish(t);
        net.run_until(t + 100_000, &mut all);
        net.u.establish(net.now);
        net.run_until(net.now + 100_000, &mut all);
        prop_assert_eq!(net.u.state(), LinkState::MultipleFrameEstablished);
    }
}

/// One input to either link of a pair, for [`arbitrary_inputs_never_panic`].
#[derive(Debug, Clone)]
enum Op {
    /// Arbitrary octets to one link; `aim` decides whether the address is
    /// forced to SAPI 0 / TEI 0 (or 127) and the control field to a known code.
    Frame {
        to_user: bool,
        aim: u8,
        bytes: Vec<u8>,
    },
    Send(bool, usize),
    UnitData(bool, bool, usize),
    Establish(bool),
    Release(bool),
    Busy(bool, bool),
    Deactivate(bool),
    /// Let time pass (milliseconds) and deliver everything pending.
    Run(u16),
    /// Exchange frames, dropping every `n`-th one.
    Lossy(u8),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), any::<u8>(), proptest::collection::vec(any::<u8>(), 0..300))
            .prop_map(|(to_user, aim, bytes)| Op::Frame { to_user, aim, bytes }),
        3 => (any::<bool>(), 0usize..300).prop_map(|(u, n)| Op::Send(u, n)),
        1 => (any::<bool>(), any::<bool>(), 0usize..300).prop_map(|(u, b, n)| Op::UnitData(u, b, n)),
        1 => any::<bool>().prop_map(Op::Establish),
        1 => any::<bool>().prop_map(Op::Release),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(u, b)| Op::Busy(u, b)),
        1 => any::<bool>().prop_map(Op::Deactivate),
        2 => any::<u16>().prop_map(Op::Run),
        2 => (2u8..6).prop_map(Op::Lossy),
    ]
}

/// Known control octets (first octet), so that aimed frames reach every procedure.
const CONTROL_CODES: [u8; 14] = [
    0x00, 0x02, 0x01, 0x05, 0x09, 0x7F, 0x6F, 0x0F, 0x1F, 0x03, 0x53, 0x73, 0x97, 0xAF,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `handle_frame` with arbitrary octets, interleaved with every request,
    /// timer and lossy exchanges between a User and a Network link with
    /// arbitrary parameters, never panics and keeps the invariants.
    #[test]
    fn arbitrary_inputs_never_panic(
        k in 1u8..=127,
        n201 in 1usize..=260,
        max_queue in 1usize..20,
        n200 in 0u8..4,
        ops in proptest::collection::vec(op_strategy(), 0..60),
    ) {
        let config = LinkConfig { k, n201, max_queue, n200, t200: 1000, t203: 10_000 };
        let mut net = Net::new(config);
        net.u.establish(0);
        net.pump(&mut all);
        for op in ops {
            match op {
                Op::Frame { to_user, aim, mut bytes } => {
                    if aim < 200 && bytes.len() >= 2 {
                        bytes[0] = (bytes[0] & 0x02) | if aim < 5 { 0x04 } else { 0 };
                        bytes[1] = if aim % 7 == 0 { 0xFF } else { 0x01 };
                        if aim % 2 == 0 && bytes.len() >= 3 {
                            bytes[2] = CONTROL_CODES[usize::from(aim / 2) % CONTROL_CODES.len()];
                        }
                        if aim % 3 == 0 {
                            bytes.truncate(4 + usize::from(aim % 5));
                        }
                    }
                    let link = if to_user { &mut net.u } else { &mut net.n };
                    link.handle_frame(net.now, &bytes);
                }
                Op::Send(u, n) => {
                    let link = if u { &mut net.u } else { &mut net.n };
                    let r = link.send(net.now, &vec![0x5A; n]);
                    if n > n201 {
                        prop_assert_eq!(r, Err(LinkError::TooLong));
                    }
                }
                Op::UnitData(u, broadcast, n) => {
                    let link = if u { &mut net.u } else { &mut net.n };
                    let data = vec![0xA5; n];
                    let r = if broadcast {
                        link.send_unit_data_broadcast(&data)
                    } else {
                        link.send_unit_data(&data)
                    };
                    prop_assert_eq!(r.is_err(), n > n201 || r == Err(LinkError::QueueFull));
                }
                Op::Establish(u) => if u { net.u.establish(net.now) } else { net.n.establish(net.now) },
                Op::Release(u) => if u { net.u.release(net.now) } else { net.n.release(net.now) },
                Op::Busy(u, b) => if u { net.u.set_receiver_busy(b) } else { net.n.set_receiver_busy(b) },
                Op::Deactivate(u) => if u { net.u.deactivate(net.now) } else { net.n.deactivate(net.now) },
                Op::Run(ms) => {
                    let until = net.now + u64::from(ms);
                    net.run_until(until, &mut all);
                }
                Op::Lossy(nth) => {
                    let mut count = 0u32;
                    let mut lossy = |_: bool, _: &[u8]| {
                        count += 1;
                        count % u32::from(nth) != 0
                    };
                    net.pump(&mut lossy);
                }
            }
            for link in [&mut net.u, &mut net.n] {
                link.handle_timeout(net.now);
                let mut buf = [0u8; 300];
                while let Some(n) = link.poll_transmit(&mut buf) {
                    let f = Frame::parse(&buf[..n]);
                    prop_assert!(f.is_ok());
                    prop_assert!(f.unwrap().info.len() <= n201);
                }
                let mut events = 0;
                while link.poll_event().is_some() {
                    events += 1;
                }
                prop_assert!(events <= 64);
                prop_assert!(link.outstanding() <= usize::from(k));
                prop_assert!(link.queued_len() <= max_queue);
                let (vs, va, _) = link.sequence_numbers();
                prop_assert!(usize::from(vs.wrapping_sub(va) & 0x7F) <= link.outstanding());
                if link.state() == LinkState::TeiAssigned {
                    prop_assert_eq!(link.poll_timeout(), None);
                }
            }
        }
        // Whatever happened, the pair can be brought back to an established
        // link and carry data.
        net.u.set_receiver_busy(false);
        net.n.set_receiver_busy(false);
        net.u.establish(net.now);
        net.run_until(net.now + 100_000, &mut all);
        net.u.establish(net.now);
        net.run_until(net.now + 100_000, &mut all);
        prop_assert_eq!(net.u.state(), LinkState::MultipleFrameEstablished);
        prop_assert_eq!(net.n.state(), LinkState::MultipleFrameEstablished);
        net.u_events.clear();
        net.n_events.clear();
        let after = &b"after"[..n201.min(5)];
        net.u.send(net.now, after).unwrap();
        net.run_until(net.now + 1, &mut all);
        prop_assert_eq!(Net::data(&net.n_events), vec![after.to_vec()]);
    }
}
