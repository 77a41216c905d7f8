//! The media service thread: turns the board threads' media reports into API
//! events (naming the call on the channel, if any) and drops the payloads
//! the board threads hand back, so they never free memory themselves.
//! [`send`] routes a request to the board thread that carries a channel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};
use trunkd::media::engine::{Chan, MediaCmd, MediaEvent};

use crate::registry::{lock, Registry};

/// Media bookkeeping shared by the API threads: request ids.
#[derive(Debug, Default)]
pub struct MediaBook {
    next_id: u32,
}

impl MediaBook {
    /// A fresh request id (never 0).
    pub fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.next_id
    }
}

/// Why a request could not be handed to a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The span is not configured, or the timeslot is not a B-channel.
    NoChannel(String),
    /// The board thread's request queue is full or gone.
    Busy(String),
}

/// Resolve global span `span` / timeslot `ts` to its board and channel.
pub fn locate(reg: &Registry, span: u32, ts: u32) -> Result<(usize, Chan), SendError> {
    let cfg = reg.config();
    let s = cfg
        .spans
        .get(&span)
        .ok_or_else(|| SendError::NoChannel(format!("span {span} is not configured")))?;
    let range = trunk_driver_sys::abi::traffic_timeslots(s.settings.t1);
    if !range.contains(&(ts as usize)) || s.dchannel_timeslot() == Some(ts as usize) {
        return Err(SendError::NoChannel(format!(
            "span {span} timeslot {ts} is not a B-channel ({} span: {}..={}{})",
            if s.settings.t1 { "T1" } else { "E1" },
            range.start(),
            range.end(),
            s.dchannel_timeslot()
                .map(|d| format!(", D-channel {d}"))
                .unwrap_or_default()
        )));
    }
    let boards = reg.boards();
    let b = boards
        .iter()
        .position(|b| b.name == s.board)
        .ok_or_else(|| SendError::Busy(format!("board {} has no thread", s.board)))?;
    Ok((
        b,
        Chan {
            pos: (s.board_span - 1) as u8,
            ts: ts as u8,
        },
    ))
}

/// Hand a request for span `span` / timeslot `ts` to its board thread.
pub fn send(
    reg: &Registry,
    span: u32,
    ts: u32,
    make: impl FnOnce(Chan) -> MediaCmd,
) -> Result<(), SendError> {
    let (b, ch) = locate(reg, span, ts)?;
    let boards = reg.boards();
    boards[b]
        .media
        .try_send(make(ch))
        .map_err(|_| SendError::Busy(format!("board {} is not keeping up", boards[b].name)))
}

/// The running media service thread.
pub struct MediaService {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MediaService {
    /// Start it (takes the registry's report receiver).
    pub fn start(reg: Arc<Registry>) -> MediaService {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let rx = lock(&reg.media_events_rx).take();
        let thread = rx.and_then(|rx| {
            std::thread::Builder::new()
                .name("media".into())
                .spawn(move || {
                    while !s.load(Ordering::Relaxed) {
                        match rx.recv_timeout(Duration::from_millis(100)) {
                            Ok(e) => report(&reg, e),
                            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                            Err(_) => break,
                        }
                    }
                })
                .ok()
        });
        if thread.is_none() {
            log::error!("cannot start the media service thread");
        }
        MediaService { stop, thread }
    }

    /// Stop it and wait.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The API event for a media report.
pub fn event_json(reg: &Registry, e: &MediaEvent) -> Value {
    let (span, ts) = match e {
        MediaEvent::Digit { span, ts, .. }
        | MediaEvent::DigitEnd { span, ts, .. }
        | MediaEvent::CollectDone { span, ts, .. }
        | MediaEvent::DtmfSent { span, ts, .. } => (*span, *ts),
    };
    let mut v = match e {
        MediaEvent::Digit { digit, .. } => json!({"event": "digit", "digit": digit.to_string()}),
        MediaEvent::DigitEnd {
            digit, duration_ms, ..
        } => json!({"event": "digit_end", "digit": digit.to_string(), "duration_ms": duration_ms}),
        MediaEvent::CollectDone {
            id, digits, reason, ..
        } => {
            let mut v = json!({"event": "collect_done", "media_id": id, "digits": digits.as_str(), "reason": reason.name()});
            if let trunkd::media::engine::CollectEnd::Terminator(t) = reason {
                v["terminator"] = json!(t.to_string());
            }
            v
        }
        MediaEvent::DtmfSent { id, stopped, .. } => {
            json!({"event": "dtmf_sent", "media_id": id, "stopped": stopped})
        }
    };
    v["span"] = json!(span);
    v["timeslot"] = json!(ts);
    let t = lock(&reg.calls);
    if let Some(c) = t.on_channel(span, ts as usize) {
        v["call"] = json!(c.id);
    }
    v
}

fn report(reg: &Registry, e: MediaEvent) {
    let v = event_json(reg, &e);
    reg.bus.publish(v);
}
