//! Benchmarks of the PRI stack (not timed tests).
//!
//! * `call/complete`: one complete call, SETUP to RELEASE COMPLETE, both
//!   sides (`Pri` network + `Pri` user) in this process, LAPD included,
//!   frames passed in memory.
//! * `q931/*`, `lapd/*`: frame decode/encode rates.
//!
//! Before criterion runs, the reference is measured in the same run: the
//! project's `pribench` (testbench/peers) runs two libpri instances passing
//! frames through an in-memory queue; then the same number of calls runs
//! through trunk-isdn, both timed in process CPU time, and a ratio is
//! printed. Allocations per call on the steady-state path are counted
//! with the driver's counting allocator.

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use trunk_driver_sys::alloc_check::{hot_allocations, set_hot, CountingAllocator};
use trunk_isdn::call::{Digits, Pri, PriConfig, PriEvent, SetupRequest, Variant};
use trunk_isdn::lapd::{Frame, Role};
use trunk_isdn::q931::{Message, MessageRepr};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// Two interfaces back to back, frames in memory.
struct Pair {
    net: Pri,
    user: Pri,
    now: u64,
    buf: [u8; 300],
    frames: u64,
}

impl Pair {
    fn new() -> Pair {
        let mut p = Pair {
            net: Pri::new(PriConfig::new(Role::Network, Variant::Etsi)),
            user: Pri::new(PriConfig::new(Role::User, Variant::Etsi)),
            now: 0,
            buf: [0; 300],
            frames: 0,
        };
        p.net.start(0);
        p.user.start(0);
        p.pump();
        while p.net.poll_event().is_some() || p.user.poll_event().is_some() {}
        assert!(p.net.is_link_up() && p.user.is_link_up());
        p
    }

    fn pump(&mut self) {
        loop {
            let mut moved = false;
            while let Some(n) = self.net.poll_transmit(&mut self.buf) {
                self.user.handle_frame(self.now, &self.buf[..n]);
                self.frames += 1;
                moved = true;
            }
            while let Some(n) = self.user.poll_transmit(&mut self.buf) {
                self.net.handle_frame(self.now, &self.buf[..n]);
                self.frames += 1;
                moved = true;
            }
            if !moved {
                break;
            }
        }
    }

    /// One call: the user side calls, the network answers, the user clears.
    fn call(&mut self, req: &SetupRequest) {
        self.now += 1;
        let id = self.user.setup(self.now, req).expect("setup");
        self.pump();
        let mut incoming = None;
        while let Some(e) = self.net.poll_event() {
            if let PriEvent::IncomingCall { call, .. } = e {
                incoming = Some(call);
            }
        }
        let nid = incoming.expect("SETUP arrived");
        self.net.proceeding(self.now, nid).expect("proceeding");
        self.net.alerting(self.now, nid).expect("alerting");
        self.net.answer(self.now, nid).expect("answer");
        self.pump();
        self.user.hangup(self.now, id, 16).expect("hangup");
        self.pump();
        while self.net.poll_event().is_some() {}
        let mut cleared = false;
        while let Some(e) = self.user.poll_event() {
            cleared |= matches!(e, PriEvent::Cleared { .. });
        }
        assert!(cleared, "call completed");
    }
}

fn request() -> SetupRequest {
    SetupRequest::new(
        Digits::dialable("5551234").expect("digits"),
        Digits::dialable("8880001"),
    )
}

fn cpu_time() -> Duration {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_PROCESS_CPUTIME_ID)
        .expect("process CPU clock");
    Duration::new(t.tv_sec() as u64, t.tv_nsec() as u32)
}

/// Build and run the libpri reference; its JSON line, if it could run.
fn libpri_reference(calls: u64, transport: &str) -> serde_json::Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out_dir = root.join("target/peers");
    let build = Command::new("bash")
        .arg(root.join("testbench/peers/build.sh"))
        .arg(&out_dir)
        .status()
        .expect("run testbench/peers/build.sh");
    assert!(
        build.success(),
        "building pribench failed (apt-get install libpri-dev)"
    );
    let mut cmd = Command::new(out_dir.join("pribench"));
    cmd.args(["--calls", &calls.to_string()]);
    if transport == "socketpair" {
        cmd.arg("--socketpair");
    }
    let out = cmd.output().expect("run pribench");
    assert!(
        out.status.success(),
        "pribench: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("pribench JSON")
}

/// CPU microseconds per call of `calls` calls through trunk-isdn, and the
/// allocations made meanwhile.
fn ours(pair: &mut Pair, calls: u64) -> (f64, u64) {
    let req = request();
    set_hot(true);
    let a0 = hot_allocations();
    let t0 = cpu_time();
    for _ in 0..calls {
        pair.call(&req);
    }
    let cpu = cpu_time() - t0;
    let allocs = hot_allocations() - a0;
    set_hot(false);
    (cpu.as_secs_f64() * 1e6 / calls as f64, allocs)
}

fn min_median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2])
}

/// The reference and trunk-isdn, alternated over several rounds on the
/// same machine in the same run; the minimum of each is the figure least
/// disturbed by other load (the machines are shared), the median is shown
/// beside it.
fn reference_comparison() {
    const CALLS: u64 = 10_000;
    const ROUNDS: usize = 7;
    let mut pair = Pair::new();
    let req = request();
    for _ in 0..1000 {
        pair.call(&req); // warm up: every queue reaches its working size
    }
    let frames0 = pair.frames;
    let (mut lib, mut own, mut allocs) = (Vec::new(), Vec::new(), 0);
    for _ in 0..ROUNDS {
        let r = libpri_reference(CALLS, "memory");
        lib.push(r["cpu_us_per_call"].as_f64().unwrap_or(f64::NAN));
        let (us, a) = ours(&mut pair, CALLS);
        own.push(us);
        allocs += a;
    }
    let frames = (pair.frames - frames0) as f64 / (CALLS as f64 * ROUNDS as f64);
    let sock = libpri_reference(CALLS, "socketpair");
    let (lib_min, lib_med) = min_median(lib);
    let (own_min, own_med) = min_median(own);
    println!(
        "pri_call reference (same run, {ROUNDS} alternating rounds of {CALLS} calls, process CPU time; min / median):\n  \
         libpri x2, memory queue:  {lib_min:.3} / {lib_med:.3} us/call (15 frames/call)\n  \
         libpri x2, socketpair:    {:.3} us/call\n  \
         trunk-isdn x2, in memory: {own_min:.3} / {own_med:.3} us/call ({frames:.1} frames/call)\n  \
         ratio trunk-isdn / libpri (memory, min): {:.3}\n  \
         allocations on the steady-state path: {allocs} in {} calls",
        sock["cpu_us_per_call"].as_f64().unwrap_or(f64::NAN),
        own_min / lib_min,
        CALLS * ROUNDS as u64,
    );
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("call");
    g.throughput(Throughput::Elements(1));
    let mut pair = Pair::new();
    let req = request();
    g.bench_function("complete", |b| b.iter(|| pair.call(black_box(&req))));
    g.finish();

    // A SETUP as trunk-isdn sends it, inside an I frame.
    let mut p = Pair::new();
    p.user.setup(1, &request()).expect("setup");
    let mut frame = [0u8; 300];
    let n = p.user.poll_transmit(&mut frame).expect("I frame");
    let frame = frame[..n].to_vec();
    let info = Frame::parse(&frame).expect("frame").info.to_vec();

    let mut g = c.benchmark_group("q931");
    g.throughput(Throughput::Elements(1));
    g.bench_function("setup_view_walk_ies", |b| {
        b.iter(|| {
            let m = Message::new_checked(black_box(&info)).expect("view");
            m.ies().filter(|ie| ie.is_ok()).count()
        })
    });
    g.bench_function("setup_repr_parse", |b| {
        b.iter(|| MessageRepr::parse_bytes(black_box(&info)).expect("parse"))
    });
    let repr = MessageRepr::parse_bytes(&info).expect("parse");
    let mut out = [0u8; 300];
    g.bench_function("setup_repr_emit", |b| {
        b.iter(|| black_box(&repr).emit(&mut out).expect("emit"))
    });
    g.finish();

    let mut g = c.benchmark_group("lapd");
    g.throughput(Throughput::Elements(1));
    g.bench_function("i_frame_parse", |b| {
        b.iter(|| Frame::parse(black_box(&frame)).expect("frame"))
    });
    g.finish();
}

mod group {
    //! The criterion group (kept in a module so its generated function
    //! needs no documentation of its own).
    criterion::criterion_group!(group, super::benches);
}

fn main() {
    reference_comparison();
    group::group();
    Criterion::default().configure_from_args().final_summary();
}
