//! A host driving a simulated E1 board in lockstep, as trunkd's tick loop
//! does: HDLC on TS16, a user-side `Pri` playing trunkd as a [`UserSide`]
//! plan says, every received frame and every stack event kept.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use trunk_driver_sys::abi::{self, ClockSource, FramingMode, LineCoding, SpanSettings};
use trunk_driver_sys::board::{Board, BoardSpec};
use trunk_driver_sys::hdlc::{HdlcRx, HdlcTx, IdleFill};
use trunk_isdn::call::{CallId, ClearedBy, Pri, PriEvent, Variant};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, PriScript, SimConfig, Simulator, TimeMode};

/// One thing trunkd does to a call.
#[derive(Clone, Copy)]
pub enum Act {
    /// ALERTING.
    Alert,
    /// CONNECT.
    Answer,
    /// Clear with a cause.
    Hangup(u8),
}

/// What trunkd does with a call to a number: `(after_ms, act)` steps.
pub type Plan = fn(&str) -> Vec<(u64, Act)>;

/// trunkd's call handling as a test plays it: every incoming call gets
/// CALL PROCEEDING (unless its plan clears it at once), then its plan.
pub struct UserSide {
    plan: Plan,
    todo: Vec<(u64, CallId, Act)>,
    /// Calls cleared, in order: (call, cause, by).
    pub cleared: Vec<(CallId, u8, ClearedBy)>,
}

impl UserSide {
    /// Calls handled as `plan` says.
    pub fn new(plan: Plan) -> Self {
        UserSide {
            plan,
            todo: Vec::new(),
            cleared: Vec::new(),
        }
    }

    /// React to event `e` of `pri` at `now` (ms).
    pub fn on_event(&mut self, pri: &mut Pri, now: u64, e: &PriEvent) {
        match e {
            PriEvent::IncomingCall { call, called, .. } => {
                let plan = (self.plan)(&called.digits.to_string());
                if !matches!(plan.first(), Some((0, Act::Hangup(_)))) {
                    let _ = pri.proceeding(now, *call);
                }
                for (after, act) in plan {
                    self.todo.push((now + after, *call, act));
                }
            }
            PriEvent::Cleared {
                call, cause, by, ..
            } => {
                self.cleared.push((*call, *cause, *by));
                self.todo.retain(|t| t.1 != *call);
            }
            _ => {}
        }
    }

    /// Do what is due at `now`, in plan order; whether anything was.
    pub fn run_due(&mut self, pri: &mut Pri, now: u64) -> bool {
        let due: Vec<_> = self.todo.iter().copied().filter(|t| t.0 <= now).collect();
        self.todo.retain(|t| t.0 > now);
        for &(_, call, act) in &due {
            let _ = match act {
                Act::Alert => pri.alerting(now, call),
                Act::Answer => pri.answer(now, call),
                Act::Hangup(c) => pri.hangup(now, call, c),
            };
        }
        !due.is_empty()
    }
}

/// The host: board, HDLC on TS16 and the user-side stack ("trunkd").
pub struct Host {
    pub board: Board,
    pub rx: HdlcRx,
    pub tx: HdlcTx,
    pub pri: Pri,
    pub rx_tail: u32,
    pub tx_head: u32,
    pub user: UserSide,
    /// Every event of the user-side stack, in order.
    pub events: Vec<PriEvent>,
    /// Every received frame since the start, one per sample.
    pub frames: Vec<[u8; 32]>,
}

pub const DCH: usize = 16;
pub const IDLE: u8 = 0xD5;

impl Host {
    /// Open, reset and start span 1 of the simulated E1 board in `dir`
    /// (CRC-4, HDB3, line clock) with an ETSI user side handling calls as
    /// `plan` says.
    pub fn start_e1(dir: PathBuf, plan: Plan) -> Host {
        let board = Board::open(&BoardSpec::Sim(dir)).expect("open board");
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
            user: UserSide::new(plan),
            events: Vec::new(),
            frames: Vec::new(),
        };
        host.write_tx();
        host.board.start();
        host.pri.start(0);
        host
    }

    /// Board time, ms.
    pub fn now(&self) -> u64 {
        self.board.frame_count() / 8
    }

    pub fn write_tx(&mut self) {
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
    pub fn service(&mut self) -> bool {
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
            let mut bytes = [0u8; abi::FRAMES_PER_CHUNK];
            for f in 0..abi::FRAMES_PER_CHUNK {
                let mut frame = [0u8; 32];
                frame.copy_from_slice(&chunk[f * 32..f * 32 + 32]);
                bytes[f] = frame[DCH];
                self.frames.push(frame);
            }
            let (rx, pri) = (&mut self.rx, &mut self.pri);
            rx.push(&bytes, |frame| pri.handle_frame(now, frame));
            self.rx_tail = self.rx_tail.wrapping_add(1);
        }
        self.board.set_rx_tail(0, self.rx_tail);
        if self.pri.poll_timeout().is_some_and(|t| t <= now) {
            self.pri.handle_timeout(now);
        }
        while let Some(e) = self.pri.poll_event() {
            self.user.on_event(&mut self.pri, now, &e);
            self.events.push(e);
        }
        self.user.run_due(&mut self.pri, now);
        self.write_tx();
        self.board.irq().rearm().expect("re-arm");
        true
    }

    /// Serve interrupts until the D-channel is up and `ms` of board time
    /// have passed (60 s of wall time to give up); whether they did.
    pub fn link_up_after(&mut self, ms: u64) -> bool {
        self.run_until(Duration::from_secs(60), |h| {
            h.pri.is_link_up() && h.now() > ms
        })
    }

    /// Serve interrupts until `done` or the wall-clock `limit` (a give-up
    /// bound); whether `done` came true.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut Host) -> bool) -> bool {
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

/// `v`, which must be an `ok` reply.
pub fn ok(v: Value) -> Value {
    assert_eq!(v["ok"], true, "{v}");
    v
}

/// A lockstep simulator of one span in a scratch directory named by `tag`.
pub fn start_sim(tag: &str, far_end: FarEndMode, line: LineKind) -> (Simulator, PathBuf) {
    let dir = std::env::temp_dir().join(format!("trunksim-test-{tag}-{}", std::process::id()));
    let sim = Simulator::start(SimConfig {
        dir: dir.clone(),
        spans: 1,
        line,
        far_end,
        time: TimeMode::Lockstep,
        seed: 1,
    })
    .expect("simulator");
    (sim, dir)
}
