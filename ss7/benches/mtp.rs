//! Benchmarks of the MTP stack (not timed tests).
//!
//! * `mtp/call_5_msus`: the MTP part of one complete ISUP call: five user
//!   MSUs (IAM, ACM, ANM, REL, RLC sized, opaque SI 5 payloads) alternating
//!   direction between two signalling points (`Ss7Node`, MTP3 link set over
//!   MTP2) in this process, signal units passed in memory. Each message is
//!   sent, carried as an MSU, delivered as user data, and acknowledged by
//!   the FISU that comes back.
//! * `mtp2/fisu_exchange`: one FISU each way on an idle in-service link
//!   (the cost of filler traffic per unit pair).
//!
//! Run: `cargo bench -p trunk-ss7 --bench mtp`.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use trunk_ss7::mtp2::Mtp2Config;
use trunk_ss7::mtp3::{NetworkIndicator, PointCode, Variant};
use trunk_ss7::node::{NodeConfig, NodeEvent, Ss7Node};

/// Payload lengths after the routing label of typical ITU ISUP messages
/// (CIC, type, parameters): IAM, ACM, ANM, REL, RLC.
const CALL: [(bool, usize); 5] = [(true, 36), (false, 7), (false, 4), (true, 7), (false, 4)];

struct Pair {
    a: Ss7Node,
    b: Ss7Node,
    now: u64,
}

fn node(opc: u32, dpc: u32) -> Ss7Node {
    Ss7Node::new(NodeConfig {
        variant: Variant::Itu,
        opc: PointCode(opc),
        dpc: PointCode(dpc),
        ni: NetworkIndicator::National,
        links: vec![0],
        mtp2: Mtp2Config {
            t4n: 100,
            ..Mtp2Config::default()
        },
    })
    .expect("valid configuration")
}

impl Pair {
    fn up() -> Pair {
        let mut p = Pair {
            a: node(1, 2),
            b: node(2, 1),
            now: 0,
        };
        p.a.start(0);
        p.b.start(0);
        while !(p.a.is_up() && p.b.is_up()) && p.now < 10_000 {
            p.fisu_exchange();
        }
        assert!(p.a.is_up() && p.b.is_up(), "link set did not come up");
        for _ in 0..20 {
            p.fisu_exchange();
        }
        while p.a.poll_event().is_some() || p.b.poll_event().is_some() {}
        p
    }

    fn timers(&mut self) {
        let now = self.now;
        for n in [&mut self.a, &mut self.b] {
            if n.poll_timeout().is_some_and(|t| t <= now) {
                n.handle_timeout(now);
            }
        }
    }

    fn fisu_exchange(&mut self) {
        self.now += 1;
        let sa = self.a.poll_su(self.now, 0).expect("link 0");
        let sb = self.b.poll_su(self.now, 0).expect("link 0");
        let _ = self.b.handle_su(self.now, 0, &sa);
        let _ = self.a.handle_su(self.now, 0, &sb);
        self.timers();
    }

    /// One message from `a` to `b` (or back), delivered and acknowledged.
    fn message(&mut self, a_to_b: bool, payload: &[u8]) -> usize {
        self.now += 1;
        let now = self.now;
        let (src, dst) = if a_to_b {
            (&mut self.a, &mut self.b)
        } else {
            (&mut self.b, &mut self.a)
        };
        let _ = src.send_user(now, 5, payload, 3);
        let msu = src.poll_su(now, 0).expect("link 0");
        let _ = dst.handle_su(now, 0, &msu);
        let mut got = 0;
        while let Some(ev) = dst.poll_event() {
            if let NodeEvent::UserData { payload, .. } = ev {
                got += payload.len();
            }
        }
        let ack = dst.poll_su(now, 0).expect("link 0");
        let _ = src.handle_su(now, 0, &ack);
        self.timers();
        got
    }

    fn call(&mut self, payloads: &[Vec<u8>]) -> usize {
        CALL.iter()
            .zip(payloads)
            .map(|(&(a_to_b, _), p)| self.message(a_to_b, p))
            .sum()
    }
}

fn bench(c: &mut Criterion) {
    let payloads: Vec<Vec<u8>> = CALL
        .iter()
        .enumerate()
        .map(|(i, &(_, len))| (0..len).map(|j| (i * 31 + j) as u8).collect())
        .collect();
    let expected: usize = payloads.iter().map(Vec::len).sum();
    let mut p = Pair::up();
    assert_eq!(p.call(&payloads), expected, "every MSU delivered");

    let mut g = c.benchmark_group("mtp");
    g.throughput(Throughput::Elements(1));
    g.bench_function("call_5_msus", |b| {
        b.iter(|| black_box(p.call(black_box(&payloads))))
    });
    g.finish();
    assert_eq!(
        p.call(&payloads),
        expected,
        "still delivering after the run"
    );
    let st = p.a.link_status();
    assert!(st.up && st.links[0].stats.msus_retransmitted == 0);

    let mut g = c.benchmark_group("mtp2");
    g.throughput(Throughput::Elements(2));
    g.bench_function("fisu_exchange", |b| b.iter(|| p.fisu_exchange()));
    g.finish();
}

mod group {
    //! The criterion group (kept in a module so its generated function
    //! needs no documentation of its own).
    criterion::criterion_group!(group, super::bench);
}

fn main() {
    group::group();
    Criterion::default().configure_from_args().final_summary();
}
