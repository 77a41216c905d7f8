//! The built-in PRI far ends, `pri-net` and `pri-cpe`: every span's far end
//! runs an ISDN PRI D-channel ([`PriScript`], a `trunk_isdn` [`Pri`] plus
//! scripted behaviour) behind HDLC on its signalling timeslot (TS16 on E1,
//! TS24 on T1). Every other timeslot sends the idle octet.
//!
//! Time is board time: the engine's frame counter / 8, in milliseconds, the
//! clock its ticks follow, so `lockstep` and `xN` work. A board reset sets
//! the frame counter back to zero; the far end's clock keeps counting from
//! where it was (a far end does not notice the board reset, only the line).
//!
//! [`Pri`]: trunk_isdn::call::Pri

mod command;
mod report;
mod script;
mod types;
mod watch;

use serde_json::{json, Value};
use trunk_driver_sys::abi;
use trunk_driver_sys::hdlc::{HdlcRx, HdlcTx, IdleFill};
use trunk_isdn::call::Variant;

use super::traffic::{Traffic, TrafficCommand};
use crate::line::LineKind;

pub(crate) use command::parse_command;
pub use script::PriScript;
pub use types::{CallPlan, FarCounters, PriCommand, PriPolicy};

/// One span's far end.
struct FarSpan {
    script: PriScript,
    rx: HdlcRx,
    tx: HdlcTx,
    frames_in: u64,
    frames_out: u64,
}

/// The PRI far ends of every span of a board.
pub(crate) struct PriFar {
    spans: Vec<FarSpan>,
    dch: usize,
    idle: u8,
    /// Far-end time, board milliseconds, never going back.
    now: u64,
    /// The last board time seen (frame counter / 8).
    last_board_ms: u64,
    /// Callers placing calls through the spans' far ends.
    traffic: Traffic,
    /// Far-end time the traffic generator last ran.
    traffic_at: Option<u64>,
}

impl AsMut<PriScript> for FarSpan {
    fn as_mut(&mut self) -> &mut PriScript {
        &mut self.script
    }
}

impl PriFar {
    pub(crate) fn new(
        spans: usize,
        line: LineKind,
        network: bool,
        variant: Option<Variant>,
    ) -> PriFar {
        let t1 = line == LineKind::T1;
        let traffic = Traffic::new(spans, t1);
        let spans = (0..spans)
            .map(|_| FarSpan {
                script: PriScript::new(PriScript::config(network, variant, t1)),
                rx: HdlcRx::new(),
                tx: HdlcTx::new(IdleFill::Flags),
                frames_in: 0,
                frames_out: 0,
            })
            .collect();
        PriFar {
            spans,
            dch: abi::dchannel_timeslot(t1),
            idle: abi::default_idle(t1),
            now: 0,
            last_board_ms: 0,
            traffic,
            traffic_at: None,
        }
    }

    /// Far-end time for board time `board_ms`: advances with it, holds
    /// when it goes back (board reset).
    fn clock(&mut self, board_ms: u64) -> u64 {
        if board_ms > self.last_board_ms {
            self.now += board_ms - self.last_board_ms;
        }
        self.last_board_ms = board_ms;
        self.now
    }

    /// Fill the far end's transmit payload for one tick of span `i`.
    pub(crate) fn produce(
        &mut self,
        i: usize,
        board_ms: u64,
        far_tx: &mut [[u8; 32]; abi::FRAMES_PER_CHUNK],
    ) {
        let now = self.clock(board_ms);
        if self.traffic_at != Some(now) {
            // Once per far-end millisecond, whichever span comes first.
            self.traffic_at = Some(now);
            self.traffic.tick(now, &mut self.spans);
        }
        let (dch, idle) = (self.dch, self.idle);
        let Some(s) = self.spans.get_mut(i) else {
            return;
        };
        s.script.start(now);
        s.script.tick(now);
        let mut buf = [0u8; 300];
        for frame in far_tx.iter_mut() {
            frame.fill(idle);
            if !s.tx.is_busy() {
                if let Some(n) = s.script.poll_transmit(&mut buf) {
                    if s.tx.send(&buf[..n]).is_ok() {
                        s.frames_out += 1;
                    }
                }
            }
            s.tx.fill(&mut frame[dch..dch + 1]);
        }
        self.traffic.fill_audio(i, now, far_tx);
    }

    /// Hand what the far end received in one tick of span `i` to its stack.
    pub(crate) fn consume(
        &mut self,
        i: usize,
        board_ms: u64,
        far_rx: &[[u8; 32]; abi::FRAMES_PER_CHUNK],
    ) {
        let now = self.clock(board_ms);
        let dch = self.dch;
        let Some(s) = self.spans.get_mut(i) else {
            return;
        };
        let mut bytes = [0u8; abi::FRAMES_PER_CHUNK];
        for (b, f) in bytes.iter_mut().zip(far_rx) {
            *b = f[dch];
        }
        let FarSpan {
            script,
            rx,
            frames_in,
            ..
        } = s;
        rx.push(&bytes, |frame| {
            *frames_in += 1;
            script.handle_frame(now, frame);
        });
    }

    /// Carry out a `pri_*` request on span `i`; the whole reply.
    pub(crate) fn command(&mut self, i: usize, board_ms: u64, cmd: &PriCommand) -> Value {
        let now = self.clock(board_ms);
        let Some(s) = self.spans.get_mut(i) else {
            return json!({"ok": false, "error": format!("span {} has no far end", i + 1)});
        };
        match s.script.command(now, cmd) {
            Ok(Value::Object(mut m)) => {
                m.insert("ok".into(), json!(true));
                m.insert("span".into(), json!(i + 1));
                if matches!(cmd, PriCommand::Status) {
                    m.insert("hdlc".into(), hdlc_json(s, self.dch));
                }
                Value::Object(m)
            }
            Ok(other) => json!({"ok": true, "span": i + 1, "result": other}),
            Err(e) => json!({"ok": false, "error": format!("span {}: {e}", i + 1)}),
        }
    }

    /// Carry out a `traffic*` request; the whole reply.
    pub(crate) fn traffic_command(&mut self, board_ms: u64, cmd: &TrafficCommand) -> Value {
        let now = self.clock(board_ms);
        match self.traffic.command(now, cmd) {
            Ok(Value::Object(mut m)) => {
                m.insert("ok".into(), json!(true));
                Value::Object(m)
            }
            Ok(other) => json!({"ok": true, "result": other}),
            Err(e) => json!({"ok": false, "error": e}),
        }
    }

    /// The far end's summary for the `status` reply.
    pub(crate) fn span_json(&self, i: usize) -> Value {
        let Some(s) = self.spans.get(i) else {
            return Value::Null;
        };
        let mut v = s.script.summary_json();
        if let Value::Object(m) = &mut v {
            m.insert("hdlc".into(), hdlc_json(s, self.dch));
        }
        v
    }
}

fn hdlc_json(s: &FarSpan, dch: usize) -> Value {
    let st = s.rx.stats();
    json!({
        "timeslot": dch,
        "frames_in": s.frames_in,
        "frames_out": s.frames_out,
        "fcs_errors": st.fcs_errors,
    })
}
