//! Two links back to back in memory, with a fake clock.

use super::*;

mod retrieve;

/// Milliseconds per harness step; each side sends one SU per step.
const STEP: u64 = 1;

struct Pair {
    a: Mtp2,
    b: Mtp2,
    now: u64,
    /// SUs sent by A so far (for dropping every n-th).
    a_sent: u64,
    /// Drop every n-th SU from A to B (0: none).
    drop_a_every: u64,
    /// Drop everything from B to A.
    cut_b_to_a: bool,
    ev_a: Vec<(u64, Mtp2Event)>,
    ev_b: Vec<(u64, Mtp2Event)>,
}

impl Pair {
    fn new(cfg: Mtp2Config) -> Self {
        Pair {
            a: Mtp2::new(cfg),
            b: Mtp2::new(cfg),
            now: 0,
            a_sent: 0,
            drop_a_every: 0,
            cut_b_to_a: false,
            ev_a: Vec::new(),
            ev_b: Vec::new(),
        }
    }

    fn step(&mut self) {
        self.now += STEP;
        let now = self.now;
        for l in [&mut self.a, &mut self.b] {
            if l.poll_timeout().is_some_and(|t| t <= now) {
                l.handle_timeout(now);
            }
        }
        let from_a = self.a.poll_transmit(now).expect("A always sends");
        let from_b = self.b.poll_transmit(now).expect("B always sends");
        self.a_sent += 1;
        if self.drop_a_every == 0 || self.a_sent % self.drop_a_every != 0 {
            self.b.handle_su(now, &from_a);
        }
        if !self.cut_b_to_a {
            self.a.handle_su(now, &from_b);
        }
        while let Some(e) = self.a.poll_event() {
            self.ev_a.push((now, e));
        }
        while let Some(e) = self.b.poll_event() {
            self.ev_b.push((now, e));
        }
    }

    fn run_until(&mut self, limit: u64, mut done: impl FnMut(&Pair) -> bool) -> bool {
        let end = self.now + limit;
        while self.now < end {
            self.step();
            if done(self) {
                return true;
            }
        }
        false
    }

    fn both_in_service(&self) -> bool {
        self.a.state() == LinkState::InService && self.b.state() == LinkState::InService
    }

    fn align(&mut self) {
        self.a.start(self.now);
        self.b.start(self.now);
        assert!(self.run_until(20_000, Pair::both_in_service));
        self.ev_a.clear();
        self.ev_b.clear();
    }
}

fn msus(evs: &[(u64, Mtp2Event)]) -> Vec<Vec<u8>> {
    evs.iter()
        .filter_map(|(_, e)| match e {
            Mtp2Event::Msu { sif, .. } => Some(sif.to_vec()),
            _ => None,
        })
        .collect()
}

fn first_time(evs: &[(u64, Mtp2Event)], want: &Mtp2Event) -> Option<u64> {
    evs.iter().find(|(_, e)| e == want).map(|(t, _)| *t)
}

fn payload(i: u32) -> Vec<u8> {
    let mut v = i.to_be_bytes().to_vec();
    v.extend(std::iter::repeat_n(i as u8, (i % 40) as usize));
    v
}

#[test]
fn normal_alignment_takes_the_normal_proving_period() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.a.start(0);
    p.b.start(0);
    // SIO each way, then SIN each way: both start proving within a few SUs.
    assert!(p.run_until(100, |p| p.a.state() == LinkState::Proving));
    let proving = p.now;
    assert!(p.now <= 3 * STEP);
    assert!(
        p.run_until(20_000, Pair::both_in_service),
        "never in service"
    );
    let a = first_time(&p.ev_a, &Mtp2Event::InService).unwrap();
    let b = first_time(&p.ev_b, &Mtp2Event::InService).unwrap();
    for t in [a, b] {
        let proved = t - proving;
        assert!(
            proved + STEP >= cfg.t4n && proved <= cfg.t4n + STEP,
            "in service {proved} ms after proving began, T4n {}",
            cfg.t4n
        );
    }
    assert!(!p
        .ev_a
        .iter()
        .any(|(_, e)| matches!(e, Mtp2Event::OutOfService(_))));
}

#[test]
fn emergency_alignment_takes_the_emergency_proving_period() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    // Only one end asks for emergency; the far end follows on SIE.
    p.a.emergency(0, true);
    p.a.start(0);
    p.b.start(0);
    assert!(p.run_until(20_000, |p| p.both_in_service()));
    for evs in [&p.ev_a, &p.ev_b] {
        let t = first_time(evs, &Mtp2Event::InService).unwrap();
        assert!(t >= cfg.t4e && t <= cfg.t4e + 4 * STEP, "in service at {t}");
    }
}

#[test]
fn alignment_fails_after_t2_without_a_far_end() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.a.start(0); // B stays out of service, sending SIOS (ignored by "not aligned")
    assert!(p.run_until(20_000, |p| p.a.state() == LinkState::OutOfService));
    let (t, e) = p.ev_a.last().unwrap();
    assert_eq!(
        *e,
        Mtp2Event::OutOfService(OutOfServiceReason::AlignmentNotPossible)
    );
    assert_eq!(*t, cfg.t2);
}

#[test]
fn proving_errors_abort_alignment_after_m_attempts() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.a.start(0);
    p.b.start(0);
    assert!(p.run_until(100, |p| p.a.state() == LinkState::Proving));
    // Ti errors per proving period, M times.
    for _ in 0..cfg.proving_attempts * cfg.aerm_ti {
        p.a.handle_su_error(p.now);
    }
    assert_eq!(p.a.state(), LinkState::OutOfService);
    assert_eq!(
        p.a.poll_event(),
        Some(Mtp2Event::OutOfService(
            OutOfServiceReason::AlignmentNotPossible
        ))
    );
}

#[test]
fn one_aerm_abort_extends_proving_by_one_period() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.a.start(0);
    p.b.start(0);
    assert!(p.run_until(100, |p| p.a.state() == LinkState::Proving));
    for _ in 0..cfg.aerm_ti {
        p.a.handle_su_error(p.now);
    }
    assert!(p.run_until(30_000, Pair::both_in_service));
    let t = first_time(&p.ev_a, &Mtp2Event::InService).unwrap();
    assert!(
        t >= 2 * cfg.t4n && t <= 2 * cfg.t4n + 4 * STEP,
        "in service at {t}"
    );
}

#[test]
fn msus_arrive_in_order_both_ways() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    for i in 0..300 {
        p.a.send_msu(p.now, 0x83, &payload(i)).unwrap();
        p.b.send_msu(p.now, 0x85, &payload(1000 + i)).unwrap();
        p.step();
    }
    p.run_until(1000, |p| {
        p.a.outstanding() + p.b.outstanding() + p.a.queued() == 0
    });
    p.run_until(10, |_| false);
    let want_b: Vec<_> = (0..300).map(payload).collect();
    let want_a: Vec<_> = (1000..1300).map(payload).collect();
    assert_eq!(msus(&p.ev_b), want_b);
    assert_eq!(msus(&p.ev_a), want_a);
    assert_eq!(p.a.stats().msus_retransmitted, 0);
    assert!(p.both_in_service());
}

#[test]
fn every_fifth_su_lost_still_delivers_each_msu_once_in_order() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    p.drop_a_every = 5;
    for i in 0..500 {
        // Offer MSUs faster than the line drains them, waiting when the queue is full.
        while p.a.send_msu(p.now, 0x83, &payload(i)) == Err(Mtp2Error::QueueFull) {
            p.step();
        }
        if i % 2 == 0 {
            p.step();
        }
    }
    assert!(p.run_until(10_000, |p| p.a.outstanding() + p.a.queued() == 0));
    let want: Vec<_> = (0..500).map(payload).collect();
    assert_eq!(msus(&p.ev_b), want);
    assert!(p.a.stats().msus_retransmitted > 0);
    assert!(p.b.stats().nacks_sent > 0);
    assert!(p.both_in_service(), "events {:?}", p.ev_a);
}

#[test]
fn last_msu_lost_is_recovered_through_the_fisu_fsn() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    p.drop_a_every = 1; // lose the next SU from A only
    p.a.send_msu(p.now, 0x83, &payload(7)).unwrap();
    p.step();
    p.drop_a_every = 0;
    assert!(p.run_until(100, |p| p.a.outstanding() == 0));
    assert_eq!(msus(&p.ev_b), vec![payload(7)]);
    assert_eq!(p.b.stats().nacks_sent, 1);
}

#[test]
fn suerm_takes_the_link_out_of_service() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.align();
    for _ in 0..cfg.suerm_threshold - 1 {
        p.b.handle_su_error(p.now);
    }
    p.step();
    assert_eq!(p.b.state(), LinkState::InService);
    p.b.handle_su_error(p.now);
    assert_eq!(p.b.state(), LinkState::OutOfService);
    assert_eq!(
        p.b.poll_event(),
        Some(Mtp2Event::OutOfService(
            OutOfServiceReason::ExcessiveErrorRate
        ))
    );
    // The far end sees SIOS and goes out of service too.
    p.step();
    assert_eq!(
        p.ev_a.last().map(|(_, e)| e.clone()),
        Some(Mtp2Event::OutOfService(OutOfServiceReason::ReceivedSios))
    );
}

#[test]
fn suerm_leaks_so_sparse_errors_are_tolerated() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.align();
    // One error every 200 good SUs: below 1 in D = 256, never accumulates.
    for _ in 0..200 {
        p.b.handle_su_error(p.now);
        p.run_until(200, |_| false);
    }
    assert!(p.both_in_service());
}

#[test]
fn t7_expires_when_acknowledgements_stop() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.align();
    p.cut_b_to_a = true;
    let sent_at = p.now + STEP;
    p.a.send_msu(p.now, 0x83, &payload(1)).unwrap();
    assert!(p.run_until(5_000, |p| p.a.state() == LinkState::OutOfService));
    let (t, e) = p.ev_a.last().unwrap().clone();
    assert_eq!(e, Mtp2Event::OutOfService(OutOfServiceReason::T7Expired));
    assert_eq!(t, sent_at + cfg.t7);
}

#[test]
fn sipo_is_reported_and_recovery_resumes_transfer() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    p.a.local_processor_outage(true);
    p.b.send_msu(p.now, 0x83, &payload(1)).unwrap();
    p.run_until(50, |_| false);
    assert!(first_time(&p.ev_b, &Mtp2Event::RemoteProcessorOutage).is_some());
    assert!(p.b.remote_processor_outage());
    assert!(
        msus(&p.ev_a).is_empty(),
        "A accepted an MSU in processor outage"
    );
    p.a.local_processor_outage(false);
    assert!(p.run_until(200, |p| !msus(&p.ev_a).is_empty()));
    assert!(first_time(&p.ev_b, &Mtp2Event::RemoteProcessorRecovered).is_some());
    assert_eq!(msus(&p.ev_a), vec![payload(1)]);
    assert!(p.both_in_service());
}

#[test]
fn busy_sends_sib_and_the_far_end_reports_congestion() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.align();
    p.b.set_busy(p.now, true);
    for i in 0..20 {
        p.a.send_msu(p.now, 0x83, &payload(i)).unwrap();
    }
    p.run_until(1_000, |_| false);
    assert!(p.a.remote_congestion());
    assert!(msus(&p.ev_b).is_empty());
    // Busy for longer than T7 does not fail the link: T6 supervises instead.
    assert!(p.both_in_service());
    p.b.set_busy(p.now, false);
    assert!(p.run_until(1_000, |p| p.a.outstanding() == 0));
    assert_eq!(msus(&p.ev_b), (0..20).map(payload).collect::<Vec<_>>());
    assert!(first_time(&p.ev_a, &Mtp2Event::RemoteCongestionEnded).is_some());
    assert!(!p.a.remote_congestion());
}

#[test]
fn remote_congestion_beyond_t6_takes_the_link_out_of_service() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.align();
    p.b.set_busy(p.now, true);
    p.a.send_msu(p.now, 0x83, &payload(1)).unwrap();
    assert!(p.run_until(10_000, |p| p.a.state() == LinkState::OutOfService));
    assert_eq!(
        p.ev_a.last().map(|(_, e)| e.clone()),
        Some(Mtp2Event::OutOfService(OutOfServiceReason::T6Expired))
    );
}

#[test]
fn stop_sends_sios_and_unacked_msus_can_be_retrieved() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    p.cut_b_to_a = true;
    p.a.send_msu(p.now, 0x83, &payload(1)).unwrap();
    p.a.send_msu(p.now, 0x83, &payload(2)).unwrap();
    p.step();
    p.a.stop(p.now);
    let su = p.a.poll_transmit(p.now).unwrap();
    assert!(matches!(
        SignalUnit::parse(&su).unwrap().kind,
        SuKind::Lssu {
            status: LinkStatus::Sios,
            ..
        }
    ));
    let mut got = Vec::new();
    p.a.retrieve_msus(|_, sif| got.push(sif.to_vec()));
    assert_eq!(got, vec![payload(1), payload(2)]);
}

#[test]
fn send_msu_checks_length_and_queue() {
    let mut l = Mtp2::new(Mtp2Config {
        tx_queue: 2,
        ..Mtp2Config::default()
    });
    assert_eq!(l.send_msu(0, 0, &[1]), Err(Mtp2Error::BadSifLength));
    assert_eq!(l.send_msu(0, 0, &[0; 273]), Err(Mtp2Error::BadSifLength));
    l.send_msu(0, 0, &[1, 2]).unwrap();
    l.send_msu(0, 0, &[0; 272]).unwrap();
    assert_eq!(l.send_msu(0, 0, &[1, 2]), Err(Mtp2Error::QueueFull));
}

fn fisu(bsn: u8, bib: bool, fsn: u8, fib: bool) -> SuBuf {
    SuBuf::from_repr(&SuRepr {
        bsn,
        bib,
        fsn,
        fib,
        kind: SuKind::Fisu,
    })
    .unwrap()
}

#[test]
fn two_abnormal_bsns_in_three_fail_the_link() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    // Nothing sent by A yet: only BSN 127 is normal.
    p.a.handle_su(p.now, &fisu(50, true, 127, true));
    assert_eq!(p.a.state(), LinkState::InService);
    p.a.handle_su(p.now, &fisu(127, true, 127, true));
    p.a.handle_su(p.now, &fisu(51, true, 127, true));
    assert_eq!(p.a.state(), LinkState::OutOfService);
    assert_eq!(
        p.a.poll_event(),
        Some(Mtp2Event::OutOfService(OutOfServiceReason::AbnormalBsn))
    );
}

#[test]
fn two_abnormal_fibs_in_three_fail_the_link() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    // FIB inverted although A never sent a negative acknowledgement.
    p.a.handle_su(p.now, &fisu(127, true, 127, false));
    p.a.handle_su(p.now, &fisu(127, true, 127, false));
    assert_eq!(
        p.a.poll_event(),
        Some(Mtp2Event::OutOfService(OutOfServiceReason::AbnormalFib))
    );
}

#[test]
fn sio_in_service_is_a_link_failure() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    let sio = SuBuf::from_repr(&SuRepr {
        bsn: 127,
        bib: true,
        fsn: 127,
        fib: true,
        kind: SuKind::Lssu {
            status: LinkStatus::Sio,
            two_octets: false,
        },
    })
    .unwrap();
    p.a.handle_su(p.now, &sio);
    assert_eq!(
        p.a.poll_event(),
        Some(Mtp2Event::OutOfService(
            OutOfServiceReason::ReceivedSioSinSie
        ))
    );
}

#[test]
fn t1_expires_when_the_far_end_never_sends_fisus() {
    let cfg = Mtp2Config::default();
    let mut p = Pair::new(cfg);
    p.a.start(0);
    p.b.start(0);
    assert!(p.run_until(100, |p| p.a.state() == LinkState::Proving));
    let proving = p.now;
    p.cut_b_to_a = true;
    assert!(p.run_until(100_000, |p| p.a.state() == LinkState::OutOfService));
    let (t, e) = p.ev_a.last().unwrap().clone();
    assert_eq!(e, Mtp2Event::OutOfService(OutOfServiceReason::T1Expired));
    assert!(t >= proving + cfg.t4n + cfg.t1 - STEP && t <= proving + cfg.t4n + cfg.t1);
}

#[test]
fn a_stopped_link_realigns_and_carries_msus_again() {
    let cfg = Mtp2Config {
        t4n: 50,
        ..Mtp2Config::default()
    };
    let mut p = Pair::new(cfg);
    p.align();
    p.a.send_msu(p.now, 0x83, &payload(1)).unwrap();
    p.run_until(20, |_| false);
    p.a.stop(p.now);
    assert!(p.run_until(10, |p| p.b.state() == LinkState::OutOfService));
    p.align();
    p.a.send_msu(p.now, 0x83, &payload(2)).unwrap();
    assert!(p.run_until(100, |p| !msus(&p.ev_b).is_empty()));
    // Sequence numbers restarted at 127 on both sides: the MSU got FSN 0.
    assert_eq!(msus(&p.ev_b), vec![payload(2)]);
    assert_eq!(p.b.last_accepted_fsn(), 0);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(sus in proptest::collection::vec(
            proptest::collection::vec(any::<u8>(), 0..80), 0..60), align in any::<bool>()) {
            let mut p = Pair::new(Mtp2Config::default());
            if align {
                p.align();
            } else {
                p.a.start(0);
            }
            for su in &sus {
                p.a.handle_su(p.now, su);
                let _ = p.a.poll_transmit(p.now);
                p.a.handle_timeout(p.now + 10_000);
                while p.a.poll_event().is_some() {}
            }
        }
    }
}
