//! The `pri-net` far end inside a running simulator: a host in this test
//! drives the board through `trunk-driver-sys` in lockstep (as trunkd's tick
//! loop does), runs HDLC on TS16 and a user-side `Pri`, and talks to the
//! far end through the simulator's control requests.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trunk_driver_sys::abi::{self, ClockSource, FramingMode, LineCoding, SpanSettings};
use trunk_driver_sys::board::{Board, BoardSpec};
use trunk_driver_sys::hdlc::{HdlcRx, HdlcTx, IdleFill};
use trunk_isdn::call::{Digits, Pri, PriEvent, SetupRequest, Variant};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, PriScript, SimConfig, Simulator, TimeMode};

/// The host: board, HDLC on TS16 and the user-side stack ("trunkd").
struct Host {
    board: Board,
    rx: HdlcRx,
    tx: HdlcTx,
    pri: Pri,
    rx_tail: u32,
    tx_head: u32,
    events: Vec<PriEvent>,
}

const DCH: usize = 16;
const IDLE: u8 = 0xD5;

impl Host {
    fn now(&self) -> u64 {
        self.board.frame_count() / 8
    }

    fn write_tx(&mut self) {
        let mut buf = [0u8; 300];
        while self.tx_head.wrapping_sub(self.board.tx_tail(0)) < 3 {
            let mut chunk = [IDLE; abi::CHUNK_BYTES];
            for f in 0..abi::FRAMES_PER_CHUNK {
                if !self.tx.is_busy() {
                    if let Some(n) = self.pri.poll_transmit(&mut buf) {
                        self.tx.send(&buf[..n]).expect("HDLC send");
                    }
                }
                self.tx.fill(&mut chunk[f * 32 + DCH..f * 32 + DCH + 1]);
            }
            self.board.write_tx_chunk(0, self.tx_head, &chunk);
            self.tx_head = self.tx_head.wrapping_add(1);
            self.board.set_tx_head(0, self.tx_head);
        }
    }

    /// Serve one interrupt if one is pending; whether one was.
    fn service(&mut self) -> bool {
        let Ok(Some(_)) = self.board.irq().poll() else {
            return false;
        };
        self.board.take_irq_status();
        self.board.take_span_events();
        let now = self.now();
        let head = self.board.rx_head(0);
        let mut chunk = [0u8; abi::CHUNK_BYTES];
        while self.rx_tail != head {
            self.board.read_rx_chunk(0, self.rx_tail, &mut chunk);
            let bytes: Vec<u8> = (0..abi::FRAMES_PER_CHUNK)
                .map(|f| chunk[f * 32 + DCH])
                .collect();
            let (rx, pri) = (&mut self.rx, &mut self.pri);
            rx.push(&bytes, |frame| pri.handle_frame(now, frame));
            self.rx_tail = self.rx_tail.wrapping_add(1);
        }
        self.board.set_rx_tail(0, self.rx_tail);
        if self.pri.poll_timeout().is_some_and(|t| t <= now) {
            self.pri.handle_timeout(now);
        }
        while let Some(e) = self.pri.poll_event() {
            if let PriEvent::IncomingCall { call, .. } = e {
                let _ = self.pri.proceeding(now, call);
                let _ = self.pri.answer(now, call);
            }
            self.events.push(e);
        }
        self.write_tx();
        self.board.irq().rearm().expect("re-arm");
        true
    }

    /// Serve interrupts until `done` or the wall-clock `limit`.
    fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut Host) -> bool) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if done(self) {
                return true;
            }
            if !self.service() {
                std::thread::sleep(Duration::from_micros(50));
            }
        }
        false
    }
}

fn ok(v: Value) -> Value {
    assert_eq!(v["ok"], true, "{v}");
    v
}

#[test]
fn pri_net_far_end_answers_and_calls_through_the_simulator() {
    let dir = std::env::temp_dir().join(format!("trunksim-prifar-{}", std::process::id()));
    let sim = Simulator::start(SimConfig {
        dir: dir.clone(),
        spans: 1,
        line: LineKind::E1,
        far_end: FarEndMode::pri(true),
        time: TimeMode::Lockstep,
        seed: 1,
    })
    .expect("simulator");
    let board = Board::open(&BoardSpec::Sim(dir.clone())).expect("open board");
    board.reset(Duration::from_secs(2)).expect("reset");
    board.configure_span(
        0,
        &SpanSettings {
            enabled: true,
            t1: false,
            framing: FramingMode::Crc4,
            linecode: LineCoding::Hdb3,
            clock: ClockSource::Line,
            local_loopback: false,
            remote_loopback: false,
            force_rai: false,
            force_ais: false,
        },
    );
    let mut host = Host {
        board,
        rx: HdlcRx::new(),
        tx: HdlcTx::new(IdleFill::Flags),
        pri: Pri::new(PriScript::config(false, Some(Variant::Etsi), false)),
        rx_tail: 0,
        tx_head: 0,
        events: Vec::new(),
    };
    host.write_tx();
    host.board.start();
    host.pri.start(0);
    let up = host.run_until(Duration::from_secs(30), |h| {
        h.pri.is_link_up() && h.now() > 500
    });
    assert!(up, "D-channel up within 500 ms of board time");

    // trunkd calls the far end; the default policy answers at once.
    ok(sim.control(&json!({"cmd":"pri_policy","span":1,"answer_after_ms":100})));
    let req = SetupRequest::new(Digits::dialable("5551234").unwrap(), None);
    let now = host.now();
    let call = host.pri.setup(now, &req).expect("SETUP");
    let answered = host.run_until(Duration::from_secs(30), |h| {
        h.events
            .iter()
            .any(|e| matches!(e, PriEvent::Answered { call: c, .. } if *c == call))
    });
    assert!(answered, "answered: {:?}", host.events);

    // The far end calls trunkd; the host answers.
    let r = ok(sim.control(&json!({"cmd":"pri_call","span":1,"count":2,
        "number":"100","from":"555","hangup_after_ms":200})));
    assert_eq!(r["calls"].as_array().map(Vec::len), Some(2), "{r}");
    let cleared = host.run_until(Duration::from_secs(30), |h| {
        h.events
            .iter()
            .filter(|e| matches!(e, PriEvent::Cleared { .. }))
            .count()
            == 2
    });
    assert!(
        cleared,
        "both calls answered and cleared: {:?}",
        host.events
    );

    let st = ok(sim.control(&json!({"cmd":"pri_status","span":1})));
    let c = &st["counters"];
    assert_eq!(
        (c["received"].as_u64(), c["received_answered"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (c["placed"].as_u64(), c["answered"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(c["cleared_by_far"], 2);
    assert_eq!(st["hdlc"]["fcs_errors"], 0);
    let status = ok(sim.control(&json!({"cmd":"status"})));
    assert_eq!(status["board"]["far_end"], "pri-net");
    assert_eq!(status["spans"][0]["pri"]["link_up"], true);
    assert_eq!(status["spans"][0]["pri"]["placed"], 2);

    // Requests for the far end of a span that does not exist, and bad ones.
    let e = sim.control(&json!({"cmd":"pri_status","span":2}));
    assert_eq!(e["ok"], false);
    let e = sim.control(&json!({"cmd":"pri_call","span":1}));
    assert!(
        e["error"].as_str().is_some_and(|s| s.contains("number")),
        "{e}"
    );
    sim.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pri_requests_need_a_pri_far_end() {
    let dir = std::env::temp_dir().join(format!("trunksim-prifar-loop-{}", std::process::id()));
    let sim = Simulator::start(SimConfig {
        dir: dir.clone(),
        spans: 1,
        line: LineKind::T1,
        far_end: FarEndMode::Loop,
        time: TimeMode::Lockstep,
        seed: 1,
    })
    .expect("simulator");
    let e = sim.control(&json!({"cmd":"pri_status","span":1}));
    assert_eq!(e["ok"], false);
    assert!(
        e["error"].as_str().is_some_and(|s| s.contains("pri-net")),
        "{e}"
    );
    sim.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
