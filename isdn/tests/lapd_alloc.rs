//! The LAPD data link makes no heap allocation after `Link::new`: a User and
//! a Network link establish, carry 10 000 I frames each way with
//! acknowledgements, go through T203 enquiries, T200 timer recovery, REJ
//! recovery and peer-busy, all while the thread is marked hot for the
//! counting allocator. (A global allocator is per binary, hence this file.)

use trunk_driver_sys::alloc_check::{hot_allocations, set_hot, CountingAllocator};
use trunk_isdn::lapd::{Control, Frame, Link, LinkConfig, LinkEvent, LinkState, Role};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

const FRAMES_EACH_WAY: u32 = 10_000;

/// Per-direction delivery bookkeeping (no allocation: counters only).
#[derive(Default)]
struct Rx {
    /// Next expected message number.
    next: u32,
    established: u32,
    released: u32,
    other: u32,
}

/// Frame kinds seen on the wire, by direction (0: user→network, 1: network→user).
#[derive(Default)]
struct Wire {
    i: [u32; 2],
    rr: [u32; 2],
    rr_poll: [u32; 2],
    rnr: [u32; 2],
    rej: [u32; 2],
}

struct Pair {
    u: Link,
    n: Link,
    now: u64,
    buf: [u8; 300],
    /// Received by the user side (sent by the network), and vice versa.
    at_u: Rx,
    at_n: Rx,
    wire: Wire,
}

fn msg(tag: u8, i: u32) -> [u8; 6] {
    let b = i.to_be_bytes();
    [tag, b[0], b[1], b[2], b[3], 0x5A]
}

fn check(rx: &mut Rx, tag: u8, ev: LinkEvent) {
    match ev {
        LinkEvent::DlData(info) => {
            assert_eq!(&info[..], &msg(tag, rx.next)[..], "in order, exactly once");
            rx.next += 1;
        }
        LinkEvent::DlEstablishIndication | LinkEvent::DlEstablishConfirm => rx.established += 1,
        LinkEvent::DlReleaseIndication | LinkEvent::DlReleaseConfirm => rx.released += 1,
        _ => rx.other += 1,
    }
}

impl Pair {
    fn new() -> Pair {
        let config = LinkConfig::default();
        Pair {
            u: Link::new(Role::User, 0, 0, config),
            n: Link::new(Role::Network, 0, 0, config),
            now: 0,
            buf: [0; 300],
            at_u: Rx::default(),
            at_n: Rx::default(),
            wire: Wire::default(),
        }
    }

    /// Exchange frames until both links are quiet; `deliver(dir, frame)`
    /// may drop frames (dir 0: user→network).
    fn pump(&mut self, deliver: &mut dyn FnMut(usize, &[u8]) -> bool) {
        loop {
            let mut moved = false;
            for dir in 0..2 {
                let (tx, rx) = if dir == 0 {
                    (&mut self.u, &mut self.n)
                } else {
                    (&mut self.n, &mut self.u)
                };
                while let Some(len) = tx.poll_transmit(&mut self.buf) {
                    moved = true;
                    let frame = &self.buf[..len];
                    match Frame::parse(frame).expect("valid frame").control {
                        Control::I { .. } => self.wire.i[dir] += 1,
                        Control::Rr { pf, .. } => {
                            self.wire.rr[dir] += 1;
                            self.wire.rr_poll[dir] += u32::from(pf);
                        }
                        Control::Rnr { .. } => self.wire.rnr[dir] += 1,
                        Control::Rej { .. } => self.wire.rej[dir] += 1,
                        _ => {}
                    }
                    if deliver(dir, frame) {
                        rx.handle_frame(self.now, frame);
                    }
                }
            }
            while let Some(ev) = self.u.poll_event() {
                check(&mut self.at_u, 2, ev);
            }
            while let Some(ev) = self.n.poll_event() {
                check(&mut self.at_n, 1, ev);
            }
            if !moved {
                return;
            }
        }
    }

    /// Advance board time to `until`, firing timers in order.
    fn run_until(&mut self, until: u64, deliver: &mut dyn FnMut(usize, &[u8]) -> bool) {
        loop {
            self.pump(deliver);
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
        self.pump(deliver);
    }

    fn established(&self) -> bool {
        self.u.state() == LinkState::MultipleFrameEstablished
            && self.n.state() == LinkState::MultipleFrameEstablished
    }
}

fn all(_: usize, _: &[u8]) -> bool {
    true
}

fn is_i(frame: &[u8]) -> bool {
    frame.len() > 2 && frame[2] & 1 == 0
}

/// Everything from establishment to release; returns the sent counts.
fn scenario(p: &mut Pair) -> (u32, u32) {
    let (mut sent_u, mut sent_n) = (0u32, 0u32);

    // Establishment (user side initiates).
    p.u.establish(p.now);
    p.pump(&mut all);
    assert!(p.established());

    // 1. Both directions at once: acknowledgements mostly piggybacked.
    while sent_u < FRAMES_EACH_WAY / 2 {
        p.u.send(p.now, &msg(1, sent_u)).unwrap();
        p.n.send(p.now, &msg(2, sent_n)).unwrap();
        sent_u += 1;
        sent_n += 1;
        if sent_u % 5 == 0 {
            p.now += 1;
            p.pump(&mut all);
        }
    }
    p.pump(&mut all);

    // 2. One direction at a time: acknowledged by RR frames.
    while sent_u < FRAMES_EACH_WAY - 100 {
        for _ in 0..10 {
            p.u.send(p.now, &msg(1, sent_u)).unwrap();
            sent_u += 1;
        }
        p.now += 1;
        p.pump(&mut all);
    }
    while sent_n < FRAMES_EACH_WAY - 100 {
        for _ in 0..10 {
            p.n.send(p.now, &msg(2, sent_n)).unwrap();
            sent_n += 1;
        }
        p.now += 1;
        p.pump(&mut all);
    }

    // 3. Idle: T203 expiries and RR enquiries (P=1) answered with F=1.
    let t = p.now + 25_000;
    p.run_until(t, &mut all);

    // 4. REJ recovery: the 3rd I frame of a burst of 5 is lost, each way.
    for dir in 0..2 {
        for _ in 0..5 {
            if dir == 0 {
                p.u.send(p.now, &msg(1, sent_u)).unwrap();
                sent_u += 1;
            } else {
                p.n.send(p.now, &msg(2, sent_n)).unwrap();
                sent_n += 1;
            }
        }
        let mut count = 0;
        let mut drop_third = |d: usize, f: &[u8]| {
            if d == dir && is_i(f) {
                count += 1;
                return count != 3;
            }
            true
        };
        let t = p.now + 10;
        p.run_until(t, &mut drop_third);
    }

    // 5. T200 timer recovery: the last I frame of a burst is lost.
    for _ in 0..3 {
        p.u.send(p.now, &msg(1, sent_u)).unwrap();
        sent_u += 1;
    }
    let mut count = 0;
    let mut drop_last = |d: usize, f: &[u8]| {
        if d == 0 && is_i(f) {
            count += 1;
            return count != 3;
        }
        true
    };
    let t = p.now + 3_000;
    p.run_until(t, &mut drop_last);

    // 6. Peer busy: the network is busy for a while, then clears.
    p.n.set_receiver_busy(true);
    p.pump(&mut all);
    for _ in 0..5 {
        p.u.send(p.now, &msg(1, sent_u)).unwrap();
        sent_u += 1;
    }
    let t = p.now + 2_500;
    p.run_until(t, &mut all);
    assert!(p.u.peer_busy());
    p.n.set_receiver_busy(false);
    let t = p.now + 10;
    p.run_until(t, &mut all);

    // 7. The rest, both ways, then release.
    while sent_u < FRAMES_EACH_WAY || sent_n < FRAMES_EACH_WAY {
        if sent_u < FRAMES_EACH_WAY {
            p.u.send(p.now, &msg(1, sent_u)).unwrap();
            sent_u += 1;
        }
        if sent_n < FRAMES_EACH_WAY {
            p.n.send(p.now, &msg(2, sent_n)).unwrap();
            sent_n += 1;
        }
        p.now += 1;
        p.pump(&mut all);
    }
    let t = p.now + 100;
    p.run_until(t, &mut all);
    p.n.release(p.now);
    p.pump(&mut all);
    (sent_u, sent_n)
}

#[test]
fn steady_state_makes_no_allocation() {
    // Link::new is the only allocation; everything after it is measured.
    let mut p = Pair::new();
    let before = hot_allocations();
    set_hot(true);
    let (sent_u, sent_n) = scenario(&mut p);
    set_hot(false);
    let allocations = hot_allocations() - before;

    assert_eq!((sent_u, sent_n), (FRAMES_EACH_WAY, FRAMES_EACH_WAY));
    assert_eq!(p.at_n.next, FRAMES_EACH_WAY, "network received everything");
    assert_eq!(p.at_u.next, FRAMES_EACH_WAY, "user received everything");
    assert_eq!((p.at_u.established, p.at_n.established), (1, 1));
    assert_eq!((p.at_u.released, p.at_n.released), (1, 1));
    assert_eq!((p.at_u.other, p.at_n.other), (0, 0), "no MDL-ERROR");
    assert_eq!(p.u.state(), LinkState::TeiAssigned);
    let (us, ns) = (p.u.stats(), p.n.stats());
    // Every exercise really happened.
    assert!(
        p.wire.rr[0] > 100 && p.wire.rr[1] > 100,
        "RR acknowledgements"
    );
    assert!(
        us.t203_expiries >= 2 && ns.t203_expiries >= 2,
        "T203 enquiries"
    );
    assert!(p.wire.rr_poll[0] >= 2 && p.wire.rr_poll[1] >= 2);
    assert!(us.tx_rej >= 1 && ns.tx_rej >= 1, "REJ both ways");
    assert!(us.t200_expiries >= 1, "T200 timer recovery");
    assert!(us.tx_i_retransmitted >= 2 && ns.tx_i_retransmitted >= 1);
    assert!(p.wire.rnr[1] >= 1, "peer busy");
    assert!(p.wire.i[0] >= FRAMES_EACH_WAY && p.wire.i[1] >= FRAMES_EACH_WAY);
    assert_eq!(us.event_overflows + ns.event_overflows, 0);
    assert_eq!(us.tx_dropped + ns.tx_dropped, 0);
    println!(
        "lapd steady state: {} I frames user->network, {} network->user, \
         {} RR, {} REJ, {} T203 / {} T200 expiries: {allocations} allocations",
        p.wire.i[0],
        p.wire.i[1],
        p.wire.rr[0] + p.wire.rr[1],
        p.wire.rej[0] + p.wire.rej[1],
        us.t203_expiries + ns.t203_expiries,
        us.t200_expiries + ns.t200_expiries,
    );
    assert_eq!(allocations, 0, "the LAPD hot path allocated");

    // The counter is live in this binary: an allocation made while hot is seen.
    set_hot(true);
    let v: Vec<u8> = std::hint::black_box(Vec::with_capacity(16));
    set_hot(false);
    assert!(
        hot_allocations() > before,
        "counting allocator not installed"
    );
    drop(v);
}
