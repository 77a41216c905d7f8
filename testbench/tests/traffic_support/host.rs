//! A host driving a simulated E1 board in lockstep, as trunkd's tick loop
//! does: HDLC on TS16, a user-side `Pri` behaving as [`trunkd_plan`] says,
//! and every received frame kept.

use std::time::{Duration, Instant};

use serde_json::Value;
use trunk_driver_sys::abi;
use trunk_driver_sys::board::Board;
use trunk_driver_sys::hdlc::{HdlcRx, HdlcTx};
use trunk_isdn::call::{CallId, ClearedBy, Pri, PriEvent};
use trunk_testbench::line::LineKind;
use trunk_testbench::sim::{FarEndMode, SimConfig, Simulator, TimeMode};

#[derive(Clone, Copy)]
pub enum Act {
    /// CONNECT.
    Answer,
    /// Clear with a cause.
    Hangup(u8),
}

/// What trunkd does with a call to a number: answer after a delay (and
/// clear after a while), ring for ever, or reject.
pub fn trunkd_plan(called: &str) -> Vec<(u64, Act)> {
    match called {
        "8000" => vec![(300, Act::Answer), (5300, Act::Hangup(16))],
        "8001" => vec![],
        _ => vec![(0, Act::Hangup(17))],
    }
}

pub struct Host {
    pub board: Board,
    pub rx: HdlcRx,
    pub tx: HdlcTx,
    pub pri: Pri,
    pub rx_tail: u32,
    pub tx_head: u32,
    pub todo: Vec<(u64, CallId, Act)>,
    /// Every received frame since the start, one per sample.
    pub frames: Vec<[u8; 32]>,
    pub cleared: Vec<(CallId, u8, ClearedBy)>,
}

pub const DCH: usize = 16;
pub const IDLE: u8 = 0xD5;

impl Host {
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
            match e {
                PriEvent::IncomingCall { call, called, .. } => {
                    let plan = trunkd_plan(&called.digits.to_string());
                    if !matches!(plan.first(), Some((0, Act::Hangup(_)))) {
                        let _ = self.pri.proceeding(now, call);
                        let _ = self.pri.alerting(now, call);
                    }
                    for (after, act) in plan {
                        self.todo.push((now + after, call, act));
                    }
                }
                PriEvent::Cleared {
                    call, cause, by, ..
                } => {
                    self.cleared.push((call, cause, by));
                    self.todo.retain(|t| t.1 != call);
                }
                _ => {}
            }
        }
        let due: Vec<_> = self.todo.iter().copied().filter(|t| t.0 <= now).collect();
        self.todo.retain(|t| t.0 > now);
        for (_, call, act) in due {
            let _ = match act {
                Act::Answer => self.pri.answer(now, call),
                Act::Hangup(c) => self.pri.hangup(now, call, c),
            };
        }
        self.write_tx();
        self.board.irq().rearm().expect("re-arm");
        true
    }

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

pub fn ok(v: Value) -> Value {
    assert_eq!(v["ok"], true, "{v}");
    v
}

pub fn start_sim(
    tag: &str,
    far_end: FarEndMode,
    line: LineKind,
) -> (Simulator, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("trunksim-traffic-{tag}-{}", std::process::id()));
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
