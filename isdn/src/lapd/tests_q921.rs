//! Single-link state-machine tests: one [`Link`] driven with hand-made peer
//! frames and explicit board time, checked against Q.921 §5 / Annex B.

use super::*;

/// A frame transmitted by the link under test.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent {
    command: bool,
    tei: u8,
    control: Control,
    info: Vec<u8>,
}

struct Probe {
    link: Link,
    role: Role,
    /// Our idea of the peer's V(S) for `peer_i`.
    peer_vs: u8,
}

impl Probe {
    fn new(role: Role, config: LinkConfig) -> Self {
        Probe {
            link: Link::new(role, 0, 0, config),
            role,
            peer_vs: 0,
        }
    }

    /// A link brought to state 7 by a peer SABME at t=0 (T203 due at 10 000).
    fn established(role: Role) -> Self {
        Probe::established_with(role, LinkConfig::default())
    }

    fn established_with(role: Role, config: LinkConfig) -> Self {
        let mut p = Probe::new(role, config);
        p.rx(0, true, Control::Sabme { p: true }, &[]);
        assert_eq!(p.tx(), vec![p.resp(Control::Ua { f: true })]);
        assert_eq!(p.ev(), vec![LinkEvent::DlEstablishIndication]);
        assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
        p
    }

    fn peer_role(&self) -> Role {
        match self.role {
            Role::User => Role::Network,
            Role::Network => Role::User,
        }
    }

    fn encode(&self, tei: u8, command: bool, control: Control, info: &[u8]) -> Vec<u8> {
        let repr = FrameRepr {
            sapi: 0,
            cr: self.peer_role().cr_bit(command),
            tei,
            control,
            info,
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut buf).unwrap();
        buf
    }

    /// Deliver a frame from the peer at board time `now`.
    fn rx(&mut self, now: u64, command: bool, control: Control, info: &[u8]) {
        let f = self.encode(0, command, control, info);
        self.link.handle_frame(now, &f);
    }

    /// Deliver the peer's next in-sequence I frame.
    fn peer_i(&mut self, now: u64, nr: u8, p: bool, info: &[u8]) {
        let ns = self.peer_vs;
        self.peer_vs = (ns + 1) & 0x7F;
        self.rx(now, true, Control::I { ns, nr, p }, info);
    }

    /// Everything the link has to transmit now.
    fn tx(&mut self) -> Vec<Sent> {
        let mut out = Vec::new();
        let mut buf = [0u8; 300];
        while let Some(n) = self.link.poll_transmit(&mut buf) {
            let f = Frame::parse(&buf[..n]).expect("link emitted a valid frame");
            out.push(Sent {
                command: f.cr == self.role.cr_bit(true),
                tei: f.tei,
                control: f.control,
                info: f.info.to_vec(),
            });
        }
        out
    }

    fn ev(&mut self) -> Vec<LinkEvent> {
        std::iter::from_fn(|| self.link.poll_event()).collect()
    }

    fn at(&mut self, now: u64) {
        self.link.handle_timeout(now);
    }

    fn cmd(&self, control: Control) -> Sent {
        Sent {
            command: true,
            tei: 0,
            control,
            info: Vec::new(),
        }
    }

    fn resp(&self, control: Control) -> Sent {
        Sent {
            command: false,
            tei: 0,
            control,
            info: Vec::new(),
        }
    }

    fn i(&self, ns: u8, nr: u8, info: &[u8]) -> Sent {
        Sent {
            command: true,
            tei: 0,
            control: Control::I { ns, nr, p: false },
            info: info.to_vec(),
        }
    }
}

const SABME: Control = Control::Sabme { p: true };
const UA: Control = Control::Ua { f: true };

fn rr(nr: u8, pf: bool) -> Control {
    Control::Rr { nr, pf }
}

fn rnr(nr: u8, pf: bool) -> Control {
    Control::Rnr { nr, pf }
}

fn data(events: &[LinkEvent]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|e| match e {
            LinkEvent::DlData(d) => Some(d.to_vec()),
            _ => None,
        })
        .collect()
}

// ----- Info -----

#[test]
fn info_is_a_fixed_buffer_that_derefs_to_a_slice() {
    let info = Info::from_slice(&[0x08, 0x02, 0xAB]).unwrap();
    assert_eq!(&info[..], &[0x08, 0x02, 0xAB]);
    assert_eq!(info.as_slice(), &[0x08, 0x02, 0xAB]);
    assert_eq!(info.len(), 3);
    assert_eq!(info.to_vec(), vec![0x08, 0x02, 0xAB]);
    assert_eq!(format!("{info:?}"), "Info(08 02 ab)");
    assert_eq!(format!("{:?}", Info::new()), "Info()");
    assert_eq!(info, Info::from_slice(&[0x08, 0x02, 0xAB]).unwrap());
    assert_ne!(info, Info::from_slice(&[0x08, 0x02]).unwrap());
    assert!(info == [0x08u8, 0x02, 0xAB][..]);
    assert!(Info::from_slice(&[0; N201]).is_some());
    assert!(Info::from_slice(&[0; N201 + 1]).is_none());
    assert_eq!(Info::try_from(&[0u8; 261][..]), Err(LinkError::TooLong));
    assert_eq!(Info::CAPACITY, 260);
    let takes_slice = |b: &[u8]| b.len();
    assert_eq!(takes_slice(&info), 3);
    let ev = LinkEvent::DlData(info.clone());
    let LinkEvent::DlData(got) = ev else {
        unreachable!()
    };
    assert_eq!(got, info);
}

// ----- frame rejection (§5.8.5) and invalid frames (§2.9) -----

#[test]
fn frame_rejection_reestablishes_in_multiple_frame_operation() {
    let cases: [(&str, Vec<u8>, char); 5] = [
        ("undefined control", vec![0x00, 0x01, 0x23], 'L'),
        ("undefined S code", vec![0x00, 0x01, 0x0D, 0x00], 'L'),
        ("RR with info", vec![0x00, 0x01, 0x01, 0x00, 0x55], 'N'),
        ("SABME with info", vec![0x00, 0x01, 0x7F, 0x55], 'M'),
        (
            "I frame > N201",
            {
                let mut f = vec![0x02, 0x01, 0x00, 0x00];
                f.extend_from_slice(&[0; 261]);
                f
            },
            'O',
        ),
    ];
    for (what, frame, code) in cases {
        // User side: peer (network) commands have C/R = 1; the test frames
        // above use whatever C/R they carry.
        let mut p = Probe::established(Role::User);
        p.link.handle_frame(5, &frame);
        assert_eq!(p.ev(), vec![LinkEvent::MdlError(code)], "{what}");
        assert_eq!(p.link.state(), LinkState::AwaitingEstablishment, "{what}");
        assert_eq!(p.tx(), vec![p.cmd(SABME)], "{what}");
        assert_eq!(p.link.poll_timeout(), Some(1005), "{what}: T200 running");
        // Nothing was outstanding: the peer's UA completes silently.
        p.rx(6, false, UA, &[]);
        assert_eq!(p.ev(), vec![], "{what}");
        assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
    }
}

#[test]
fn i_frame_longer_than_configured_n201_is_rejected() {
    let mut p = Probe::established_with(
        Role::Network,
        LinkConfig {
            n201: 100,
            ..LinkConfig::default()
        },
    );
    p.peer_i(1, 0, false, &[0x11; 101]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('O')]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    assert_eq!(p.link.sequence_numbers(), (0, 0, 0));
    assert_eq!(p.link.send(2, &[0; 101]), Err(LinkError::TooLong));
}

#[test]
fn frame_rejection_outside_multiple_frame_only_reports() {
    let mut p = Probe::new(Role::Network, LinkConfig::default());
    p.link.handle_frame(1, &[0x00, 0x01, 0x23]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('L')]);
    assert_eq!(p.link.state(), LinkState::TeiAssigned);
    assert!(p.tx().is_empty());
    p.link.establish(2);
    p.tx();
    p.link.handle_frame(3, &[0x00, 0x01, 0x01, 0x00, 0x00]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('N')]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    assert!(p.tx().is_empty(), "no extra SABME");
}

#[test]
fn oversized_ui_is_reported_but_not_a_frame_rejection() {
    let mut p = Probe::established_with(
        Role::User,
        LinkConfig {
            n201: 50,
            ..LinkConfig::default()
        },
    );
    p.rx(1, true, Control::Ui { p: false }, &[0; 51]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('O')]);
    assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
    p.rx(1, true, Control::Ui { p: false }, &[7; 50]);
    assert_eq!(
        p.ev(),
        vec![LinkEvent::DlUnitData(Info::from_slice(&[7; 50]).unwrap())]
    );
}

// ----- UI frames and the broadcast TEI (§5.2, §3.3.4) -----

#[test]
fn unit_data_to_own_and_broadcast_tei() {
    // Network side sends a UI frame on TEI 0 and one broadcast on TEI 127.
    let mut net = Probe::new(Role::Network, LinkConfig::default());
    net.link.send_unit_data(b"p2p").unwrap();
    net.link.send_unit_data_broadcast(b"all").unwrap();
    let sent = net.tx();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1],
        Sent {
            command: true,
            tei: 127,
            control: Control::Ui { p: false },
            info: b"all".to_vec()
        }
    );
    assert_eq!(sent[0].tei, 0);
    assert!(sent[0].command);

    // A user link on TEI 0 and one on TEI 5 both take the broadcast.
    for tei in [0u8, 5] {
        let mut user = Link::new(Role::User, 0, tei, LinkConfig::default());
        let mut buf = [0u8; 300];
        let repr = FrameRepr {
            sapi: 0,
            cr: Role::Network.cr_bit(true),
            tei: 127,
            control: Control::Ui { p: false },
            info: b"all",
        };
        let n = repr.emit(&mut buf).unwrap();
        user.handle_frame(1, &buf[..n]);
        // UI to some other TEI is not for us.
        let other = FrameRepr { tei: 9, ..repr };
        let n = other.emit(&mut buf).unwrap();
        user.handle_frame(1, &buf[..n]);
        assert_eq!(
            user.poll_event(),
            Some(LinkEvent::DlUnitData(Info::from_slice(b"all").unwrap()))
        );
        assert_eq!(user.poll_event(), None);
        assert_eq!(user.stats().rx_ignored, 1);
        assert_eq!(user.state(), LinkState::TeiAssigned);
    }

    // The user side may broadcast too; its UI command carries C/R = 0.
    let mut user = Probe::new(Role::User, LinkConfig::default());
    user.link.send_unit_data_broadcast(b"x").unwrap();
    let mut buf = [0u8; 300];
    let n = user.link.poll_transmit(&mut buf).unwrap();
    assert_eq!(&buf[..n], &[0x00, 0xFF, 0x03, b'x']);
    assert_eq!(
        user.link.send_unit_data_broadcast(&[0; 261]),
        Err(LinkError::TooLong)
    );
}

#[test]
fn unit_data_queue_is_bounded() {
    let mut p = Probe::new(
        Role::User,
        LinkConfig {
            max_queue: 2,
            ..LinkConfig::default()
        },
    );
    p.link.send_unit_data(b"1").unwrap();
    p.link.send_unit_data_broadcast(b"2").unwrap();
    assert_eq!(p.link.send_unit_data(b"3"), Err(LinkError::QueueFull));
    assert_eq!(p.tx().len(), 2);
    p.link.send_unit_data(b"3").unwrap();
    assert_eq!(p.tx()[0].info, b"3");
}

// ----- FRMR (§5.8.6) -----

#[test]
fn frmr_reestablishes_and_reports_k() {
    let mut p = Probe::established(Role::Network);
    p.link.send(1, b"one").unwrap();
    p.link.send(1, b"two").unwrap();
    assert_eq!(p.tx(), vec![p.i(0, 0, b"one"), p.i(1, 0, b"two")]);
    p.link.send(2, b"three").unwrap();
    // FRMR response (C/R 0 from the user = response), 5-octet information field.
    p.rx(
        3,
        false,
        Control::Frmr { f: false },
        &[0x01, 0x01, 0x00, 0x02, 0x08],
    );
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('K')]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    assert_eq!(p.tx(), vec![p.cmd(SABME)]);
    // I frames were outstanding: on UA layer 3 is told and the I queue
    // (including "three") is discarded.
    p.rx(4, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlEstablishIndication]);
    assert_eq!(p.link.queued_len(), 0);
    assert_eq!(p.link.sequence_numbers(), (0, 0, 0));
    assert!(p.tx().is_empty());

    // FRMR is ignored outside multiple-frame operation, and never sent.
    let mut idle = Probe::new(Role::Network, LinkConfig::default());
    idle.rx(1, false, Control::Frmr { f: false }, &[0; 5]);
    assert!(idle.ev().is_empty());
    assert_eq!(idle.link.stats().rx_ignored, 1);
    assert!(idle.tx().is_empty());
}

#[test]
fn frmr_in_timer_recovery_reestablishes() {
    let mut p = Probe::established(Role::User);
    p.at(10_000); // T203 → timer recovery
    assert_eq!(p.link.state(), LinkState::TimerRecovery);
    p.tx();
    p.rx(10_001, false, Control::Frmr { f: true }, &[0; 5]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('K')]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
}

// ----- DM / SABME in multiple-frame operation -----

#[test]
fn dm_f0_in_established_reestablishes_with_error_e() {
    let mut p = Probe::established(Role::User);
    p.rx(100, false, Control::Dm { f: false }, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('E')]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    assert_eq!(p.tx(), vec![p.cmd(SABME)]);
    assert_eq!(p.link.poll_timeout(), Some(1100));
    p.rx(200, false, UA, &[]);
    assert!(p.ev().is_empty(), "data-link initiated, nothing lost");
    assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
}

#[test]
fn dm_f1_in_established_is_only_reported() {
    let mut p = Probe::established(Role::User);
    p.rx(100, false, Control::Dm { f: true }, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('B')]);
    assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
    assert!(p.tx().is_empty());
}

#[test]
fn dm_in_timer_recovery_reestablishes() {
    for (f, code) in [(true, 'B'), (false, 'E')] {
        let mut p = Probe::established(Role::User);
        p.at(10_000);
        p.tx();
        p.rx(10_010, false, Control::Dm { f }, &[]);
        assert_eq!(p.ev(), vec![LinkEvent::MdlError(code)]);
        assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
        assert_eq!(p.tx(), vec![p.cmd(SABME)]);
    }
}

#[test]
fn sabme_in_timer_recovery_answers_ua_and_resets() {
    let mut p = Probe::established(Role::Network);
    p.peer_i(10, 0, false, b"a");
    p.at(10_010); // T203 (restarted by the I frame) expires
    assert_eq!(p.link.state(), LinkState::TimerRecovery);
    p.tx();
    p.ev();
    p.rx(10_020, true, Control::Sabme { p: false }, &[]);
    assert_eq!(p.tx(), vec![p.resp(Control::Ua { f: false })]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('F')]);
    assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(p.link.sequence_numbers(), (0, 0, 0));
    assert_eq!(p.link.poll_timeout(), Some(20_020), "T203 restarted");
}

// ----- timers: T200 / N200 / T203 (§5.6.7, Annex B) -----

#[test]
fn n200_exhausted_in_timer_recovery_reestablishes_with_error_i() {
    let mut p = Probe::established(Role::User);
    p.link.send(0, b"x").unwrap();
    assert_eq!(p.tx(), vec![p.i(0, 0, b"x")]);
    assert_eq!(p.link.poll_timeout(), Some(1000), "T200, not T203");
    // N200 = 3 enquiries at 1000, 2000, 3000, then re-establishment at 4000.
    for (k, t) in [1000u64, 2000, 3000].into_iter().enumerate() {
        p.at(t - 1);
        assert!(p.tx().is_empty(), "T200 not yet expired");
        p.at(t);
        assert_eq!(p.tx(), vec![p.cmd(rr(0, true))], "enquiry {k}");
        assert_eq!(p.link.state(), LinkState::TimerRecovery);
        assert_eq!(p.link.poll_timeout(), Some(t + 1000));
    }
    assert!(p.ev().is_empty());
    p.at(4000);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('I')]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    assert_eq!(p.tx(), vec![p.cmd(SABME)]);
    assert_eq!(p.link.stats().t200_expiries, 4);
    // The outstanding frame means layer 3 is told on re-establishment.
    p.rx(4100, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlEstablishIndication]);
}

#[test]
fn t203_expiry_enters_timer_recovery_and_rr_f1_ends_it() {
    let mut p = Probe::established(Role::Network);
    assert_eq!(p.link.poll_timeout(), Some(10_000));
    p.at(9_999);
    assert!(p.tx().is_empty());
    p.at(10_000);
    assert_eq!(p.link.state(), LinkState::TimerRecovery);
    assert_eq!(p.tx(), vec![p.cmd(rr(0, true))]);
    assert_eq!(
        p.link.poll_timeout(),
        Some(11_000),
        "T200 supervises the enquiry"
    );
    assert_eq!(p.link.stats().t203_expiries, 1);
    // Data requests are queued, not sent, in timer recovery.
    p.link.send(10_001, b"held").unwrap();
    assert!(p.tx().is_empty());
    p.rx(10_005, false, rr(0, true), &[]);
    assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(p.tx(), vec![p.i(0, 0, b"held")]);
    assert_eq!(p.link.poll_timeout(), Some(11_005), "T200 for the I frame");
    p.rx(10_006, false, rr(1, false), &[]);
    assert_eq!(p.link.poll_timeout(), Some(20_006), "T203 again");
    assert!(p.ev().is_empty());
}

#[test]
fn timer_recovery_after_t203_allows_n200_plus_one_enquiries() {
    let mut p = Probe::established(Role::User);
    p.at(10_000);
    let mut enquiries = p.tx().len();
    let mut t = 10_000;
    while p.link.state() == LinkState::TimerRecovery {
        t += 1000;
        p.at(t);
        enquiries += p.tx().iter().filter(|s| s.control == rr(0, true)).count();
    }
    assert_eq!(enquiries, 4, "T203 enquiry + N200 after T200 expiries");
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('I')]);
}

// ----- acknowledgements, REJ, peer busy (§5.6) -----

#[test]
fn unsolicited_rr_f1_reports_a_and_still_acknowledges() {
    let mut p = Probe::established(Role::User);
    for m in [b"a", b"b", b"c"] {
        p.link.send(0, m).unwrap();
    }
    assert_eq!(p.tx().len(), 3);
    p.rx(10, false, rr(2, true), &[]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('A')]);
    assert_eq!(p.link.sequence_numbers(), (3, 2, 0));
    assert_eq!(p.link.poll_timeout(), Some(1010), "T200 restarted");
    p.rx(20, false, rr(3, true), &[]);
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('A')]);
    assert_eq!(p.link.sequence_numbers(), (3, 3, 0));
    assert_eq!(
        p.link.poll_timeout(),
        Some(10_020),
        "all acknowledged: T203"
    );
    assert_eq!(p.link.outstanding(), 0);
}

#[test]
fn window_k_limits_outstanding_frames() {
    let mut p = Probe::established_with(
        Role::Network,
        LinkConfig {
            k: 3,
            ..LinkConfig::default()
        },
    );
    for i in 0..5u8 {
        p.link.send(0, &[i]).unwrap();
    }
    let sent = p.tx();
    assert_eq!(sent.len(), 3);
    assert_eq!(p.link.outstanding(), 3);
    assert_eq!(p.link.queued_len(), 2);
    p.rx(1, false, rr(1, false), &[]);
    assert_eq!(p.tx(), vec![p.i(3, 0, &[3])]);
    p.rx(2, false, rr(4, false), &[]);
    assert_eq!(p.tx(), vec![p.i(4, 0, &[4])]);
    assert_eq!(p.link.queued_len(), 0);
}

#[test]
fn rej_retransmits_from_nr() {
    let mut p = Probe::established(Role::User);
    for m in [b"0", b"1", b"2"] {
        p.link.send(0, m).unwrap();
    }
    assert_eq!(p.tx().len(), 3);
    p.rx(5, false, Control::Rej { nr: 1, pf: false }, &[]);
    assert_eq!(p.tx(), vec![p.i(1, 0, b"1"), p.i(2, 0, b"2")]);
    assert_eq!(p.link.stats().tx_i_retransmitted, 2);
    assert_eq!(p.link.sequence_numbers(), (3, 1, 0));
    assert_eq!(
        p.link.poll_timeout(),
        Some(1005),
        "T200 for the retransmission"
    );
    p.rx(6, false, rr(3, false), &[]);
    assert_eq!(p.link.poll_timeout(), Some(10_006));
    assert!(p.ev().is_empty());
}

#[test]
fn reject_exception_sends_one_rej_until_cleared() {
    let mut p = Probe::established(Role::Network);
    p.peer_i(1, 0, false, b"0");
    // Peer frames 1 and 2 are lost; 3, 4 arrive out of sequence.
    p.peer_vs = 3;
    p.peer_i(2, 0, false, b"3");
    p.peer_i(3, 0, true, b"4");
    assert_eq!(
        p.tx(),
        vec![
            p.resp(Control::Rej { nr: 1, pf: false }),
            p.resp(rr(1, true))
        ]
    );
    assert_eq!(p.link.stats().tx_rej, 1);
    // The retransmission clears the exception; a new gap sends a new REJ.
    p.peer_vs = 1;
    p.peer_i(4, 0, false, b"1");
    p.peer_i(5, 0, false, b"2");
    p.peer_vs = 4;
    p.peer_i(6, 0, false, b"4");
    assert_eq!(p.tx(), vec![p.resp(Control::Rej { nr: 3, pf: false })]);
    assert_eq!(
        data(&p.ev()),
        vec![b"0".to_vec(), b"1".to_vec(), b"2".to_vec()]
    );
    assert_eq!(p.link.stats().tx_rej, 2);
}

#[test]
fn peer_busy_is_polled_with_t200_until_cleared() {
    let mut p = Probe::established(Role::User);
    p.link.send(0, b"a").unwrap();
    assert_eq!(p.tx().len(), 1);
    p.link.send(0, b"b").unwrap();
    // RNR acknowledging "a": peer busy, T200 (re)started, nothing sent.
    p.rx(100, false, rnr(1, false), &[]);
    assert!(p.link.peer_busy());
    assert!(p.tx().is_empty());
    assert_eq!(p.link.poll_timeout(), Some(1100));
    // T200 expiry while the peer is busy: enquiry, timer recovery.
    p.at(1100);
    assert_eq!(p.tx(), vec![p.cmd(rr(0, true))]);
    assert_eq!(p.link.state(), LinkState::TimerRecovery);
    // Still busy: RNR F=1 ends timer recovery but T200 keeps supervising
    // (§5.6.5), so the peer is polled again instead of waiting for T203.
    p.rx(1150, false, rnr(1, true), &[]);
    assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
    assert!(p.link.peer_busy());
    assert_eq!(p.link.poll_timeout(), Some(2150));
    assert!(p.tx().is_empty());
    p.at(2150);
    assert_eq!(p.tx(), vec![p.cmd(rr(0, true))]);
    // Busy cleared: the waiting frame goes out.
    p.rx(2160, false, rr(1, true), &[]);
    assert!(!p.link.peer_busy());
    assert_eq!(p.tx(), vec![p.i(1, 0, b"b")]);
    assert!(p.ev().is_empty(), "peer busy never fails the link");
}

#[test]
fn rnr_command_with_poll_is_answered() {
    let mut p = Probe::established(Role::Network);
    p.rx(1, true, rnr(0, true), &[]);
    assert!(p.link.peer_busy());
    assert_eq!(p.tx(), vec![p.resp(rr(0, true))]);
    p.rx(2, true, rr(0, false), &[]);
    assert!(!p.link.peer_busy());
}

#[test]
fn own_receiver_busy_discards_and_answers_rnr() {
    let mut p = Probe::established(Role::User);
    p.link.set_receiver_busy(true);
    assert!(p.link.receiver_busy());
    assert_eq!(p.tx(), vec![p.resp(rnr(0, false))]);
    p.peer_i(10, 0, true, b"dropped");
    assert_eq!(p.tx(), vec![p.resp(rnr(0, true))]);
    assert!(p.ev().is_empty());
    assert_eq!(p.link.sequence_numbers(), (0, 0, 0));
    // Enquiries while busy are answered with RNR.
    p.at(10_010);
    assert_eq!(p.tx(), vec![p.cmd(rnr(0, true))]);
    p.rx(10_011, false, rr(0, true), &[]);
    p.link.set_receiver_busy(false);
    assert_eq!(p.tx(), vec![p.resp(rr(0, false))]);
    p.peer_vs = 0;
    p.peer_i(10_020, 0, false, b"again");
    assert_eq!(data(&p.ev()), vec![b"again".to_vec()]);
    assert_eq!(p.tx(), vec![p.resp(rr(1, false))]);
}

// ----- establishment / release (§5.5, Annex B) -----

#[test]
fn dm_f0_in_tei_assigned_establishes() {
    let mut p = Probe::new(Role::User, LinkConfig::default());
    p.rx(0, false, Control::Dm { f: true }, &[]);
    assert_eq!(p.link.state(), LinkState::TeiAssigned, "DM F=1 ignored");
    p.rx(1, false, Control::Dm { f: false }, &[]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    assert_eq!(p.tx(), vec![p.cmd(SABME)]);
    p.rx(2, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlEstablishConfirm]);
}

#[test]
fn establish_request_in_state5_discards_i_queue() {
    let mut p = Probe::new(Role::User, LinkConfig::default());
    p.link.establish(0);
    p.link.send(1, b"early").unwrap();
    assert_eq!(p.link.queued_len(), 1);
    p.link.establish(2);
    assert_eq!(p.link.queued_len(), 0);
    p.link.send(3, b"kept").unwrap();
    assert_eq!(p.tx(), vec![p.cmd(SABME)], "no second SABME");
    p.rx(4, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlEstablishConfirm]);
    assert_eq!(p.tx(), vec![p.i(0, 0, b"kept")]);
}

#[test]
fn release_request_in_state5_is_saved_until_ua() {
    let mut p = Probe::new(Role::Network, LinkConfig::default());
    p.link.establish(0);
    assert_eq!(p.tx(), vec![p.cmd(SABME)]);
    p.link.release(10);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    assert!(p.tx().is_empty());
    assert_eq!(p.link.send(11, b"x"), Err(LinkError::NotEstablished));
    p.rx(20, false, UA, &[]);
    assert_eq!(p.link.state(), LinkState::AwaitingRelease);
    assert_eq!(p.tx(), vec![p.cmd(Control::Disc { p: true })]);
    assert!(p.ev().is_empty(), "no DL-ESTABLISH-CONFIRM");
    p.rx(30, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlReleaseConfirm]);
    assert_eq!(p.link.state(), LinkState::TeiAssigned);
    assert_eq!(p.link.poll_timeout(), None);
}

#[test]
fn release_request_in_state5_confirmed_when_establishment_fails() {
    // Refused with DM F=1.
    let mut p = Probe::new(Role::Network, LinkConfig::default());
    p.link.establish(0);
    p.link.release(1);
    p.rx(2, false, Control::Dm { f: true }, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlReleaseConfirm]);
    assert_eq!(p.link.state(), LinkState::TeiAssigned);
    // Unanswered: N200 retries, then MDL-ERROR G and DL-RELEASE-CONFIRM.
    let mut p = Probe::new(Role::Network, LinkConfig::default());
    p.link.establish(0);
    p.link.release(1);
    for t in [1000, 2000, 3000, 4000] {
        p.at(t);
    }
    assert_eq!(
        p.ev(),
        vec![LinkEvent::MdlError('G'), LinkEvent::DlReleaseConfirm]
    );
    // A new establish request cancels the saved release.
    let mut p = Probe::new(Role::Network, LinkConfig::default());
    p.link.establish(0);
    p.link.release(1);
    p.link.establish(2);
    p.rx(3, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlEstablishConfirm]);
    assert_eq!(p.link.state(), LinkState::MultipleFrameEstablished);
}

#[test]
fn collisions_of_sabme_and_disc() {
    // SABME crossing our SABME: UA, and wait for the peer's UA.
    let mut p = Probe::new(Role::User, LinkConfig::default());
    p.link.establish(0);
    p.tx();
    p.rx(1, true, SABME, &[]);
    assert_eq!(p.tx(), vec![p.resp(UA)]);
    assert_eq!(p.link.state(), LinkState::AwaitingEstablishment);
    p.rx(2, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlEstablishConfirm]);
    // DISC crossing our DISC: UA, stay in state 6 until the peer's UA.
    p.link.release(3);
    p.tx();
    p.rx(4, true, Control::Disc { p: true }, &[]);
    assert_eq!(p.tx(), vec![p.resp(UA)]);
    assert_eq!(p.link.state(), LinkState::AwaitingRelease);
    p.rx(5, false, UA, &[]);
    assert_eq!(p.ev(), vec![LinkEvent::DlReleaseConfirm]);
    // SABME while releasing: DM.
    p.link.establish(6);
    p.tx();
    p.rx(7, false, UA, &[]);
    p.link.release(8);
    p.tx();
    p.rx(9, true, SABME, &[]);
    assert_eq!(p.tx(), vec![p.resp(Control::Dm { f: true })]);
}

#[test]
fn release_unanswered_confirms_after_n200() {
    let mut p = Probe::established(Role::User);
    p.link.release(0);
    let mut discs = p.tx().len();
    for t in [1000, 2000, 3000, 4000] {
        p.at(t);
        discs += p.tx().len();
    }
    assert_eq!(discs, 4);
    assert_eq!(
        p.ev(),
        vec![LinkEvent::MdlError('H'), LinkEvent::DlReleaseConfirm]
    );
    assert_eq!(p.link.state(), LinkState::TeiAssigned);
}

#[test]
fn deactivate_releases_from_every_state() {
    let mut p = Probe::established(Role::User);
    p.link.send(0, b"a").unwrap();
    p.link.send_unit_data(b"u").unwrap();
    p.link.deactivate(5);
    assert_eq!(p.ev(), vec![LinkEvent::DlReleaseIndication]);
    assert_eq!(p.link.state(), LinkState::TeiAssigned);
    assert_eq!(p.link.poll_timeout(), None);
    assert!(p.tx().is_empty());
    assert_eq!((p.link.queued_len(), p.link.outstanding()), (0, 0));

    let mut p = Probe::established(Role::User);
    p.link.release(0);
    p.link.deactivate(1);
    assert_eq!(p.ev(), vec![LinkEvent::DlReleaseConfirm]);

    let mut p = Probe::new(Role::User, LinkConfig::default());
    p.link.establish(0);
    p.link.deactivate(1);
    assert_eq!(p.ev(), vec![LinkEvent::DlReleaseIndication]);
    assert!(p.tx().is_empty());

    let mut p = Probe::new(Role::User, LinkConfig::default());
    p.link.deactivate(1);
    assert!(p.ev().is_empty());
}

#[test]
fn frames_in_tei_assigned_state() {
    let mut p = Probe::new(Role::Network, LinkConfig::default());
    // Commands with P=1 get DM F=1; others are ignored.
    p.rx(0, true, rr(0, true), &[]);
    p.rx(
        0,
        true,
        Control::I {
            ns: 0,
            nr: 0,
            p: true,
        },
        b"x",
    );
    p.rx(0, true, rr(0, false), &[]);
    p.rx(0, false, UA, &[]);
    assert_eq!(
        p.tx(),
        vec![
            p.resp(Control::Dm { f: true }),
            p.resp(Control::Dm { f: true })
        ]
    );
    assert_eq!(p.ev(), vec![LinkEvent::MdlError('C')]);
    assert_eq!(p.link.send(0, b"x"), Err(LinkError::NotEstablished));
}

// ----- bounded queues -----

#[test]
fn event_queue_full_leaves_i_frames_for_retransmission() {
    let mut p = Probe::established(Role::Network);
    // Layer 3 does not drain events: 56 indications fit (64 minus a reserve
    // for state indications), later I frames are not accepted.
    for i in 0..100u8 {
        p.rx(
            1,
            true,
            Control::I {
                ns: i,
                nr: 0,
                p: false,
            },
            &[i],
        );
    }
    assert_eq!(p.link.sequence_numbers(), (0, 0, 56));
    assert!(p.link.stats().event_overflows > 0);
    assert_eq!(p.link.stats().tx_rej, 1, "the gap is reported once");
    let got = data(&p.ev());
    assert_eq!(got.len(), 56);
    assert!(got.iter().enumerate().all(|(i, d)| d == &[i as u8]));
    // After draining, the peer's retransmission from N(R) is accepted.
    for i in 56..100u8 {
        p.rx(
            2,
            true,
            Control::I {
                ns: i,
                nr: 0,
                p: false,
            },
            &[i],
        );
    }
    assert_eq!(p.link.sequence_numbers(), (0, 0, 100));
    assert_eq!(data(&p.ev()).len(), 44);
}

#[test]
fn transmit_queue_overflow_drops_instead_of_growing() {
    let mut p = Probe::established(Role::User);
    // Never drain poll_transmit: each RR command P=1 queues a response.
    for _ in 0..100 {
        p.rx(1, true, rr(0, true), &[]);
    }
    assert_eq!(p.link.stats().tx_dropped, 100 - 32);
    assert_eq!(p.tx().len(), 32);
}
