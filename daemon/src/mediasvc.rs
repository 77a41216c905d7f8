//! The media service thread: turns the board threads' media reports into API
//! events (naming the call on the channel, if any) and drops the payloads
//! the board threads hand back, so they never free memory themselves.
//! [`send`] routes a request to the board thread that carries a channel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};
use trunkd::media::engine::{Chan, MediaCmd, MediaEvent};
use trunkd::media::prompt::{self, Prompt, PromptCache, PromptError};
use trunkd::media::record::{RecordEvent, StopReason};

use crate::config::MediaConfig;
use crate::registry::{lock, Registry};

/// Media bookkeeping shared by the API threads: request ids, the prompt
/// cache and the recordings in progress.
pub struct MediaBook {
    next_id: u32,
    cache: PromptCache,
    /// Recording id -> channel (span, timeslot), until the writer reports.
    recordings: HashMap<u32, (u32, u8)>,
}

impl MediaBook {
    /// A book whose prompt cache holds `cfg.prompt_cache_bytes`.
    pub fn new(cfg: &MediaConfig) -> MediaBook {
        MediaBook {
            next_id: 0,
            cache: PromptCache::new(cfg.prompt_cache_bytes),
            recordings: HashMap::new(),
        }
    }

    /// A fresh request id (never 0).
    pub fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.next_id
    }

    /// The prompt `name` from `dir`: found with or without its extension,
    /// decoded once and cached.
    pub fn prompt(&mut self, dir: &Path, name: &str) -> Result<Arc<Prompt>, PromptError> {
        let path = prompt::resolve(Some(dir), name)?;
        self.cache.get(&path)
    }

    /// The prompt cache's figures.
    pub fn cache_stats(&self) -> prompt::CacheStats {
        self.cache.stats()
    }

    /// Remember which channel recording `id` is on.
    pub fn recording_started(&mut self, id: u32, span: u32, ts: u8) {
        self.recordings.insert(id, (span, ts));
    }

    /// The recording running on span `span` / timeslot `ts`, if any (until
    /// the writer reports it finished).
    pub fn recording_on(&self, span: u32, ts: u8) -> Option<u32> {
        self.recordings
            .iter()
            .find(|(_, &c)| c == (span, ts))
            .map(|(&id, _)| id)
    }
}

/// The file a recording named `name` goes to: inside `dir`, `.wav` added
/// when there is no extension. Absolute names and `..` are refused.
pub fn record_path(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let rel = Path::new(name);
    if name.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!(
            "`{name}`: give a relative file name inside the recording directory (no `..`, no leading `/`)"
        ));
    }
    let mut p = dir.join(rel);
    if p.extension().is_none() {
        p.set_extension("wav");
    } else if p.extension().and_then(|e| e.to_str()) != Some("wav") {
        return Err(format!("`{name}`: recordings are WAV files (.wav)"));
    }
    Ok(p)
}

/// Why a request could not be handed to a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The span is not configured, or the timeslot is not a B-channel.
    NoChannel(String),
    /// The board thread's request queue is full or gone.
    Busy(String),
}

/// Resolve global span `span` / timeslot `ts` to its board (an index in
/// `reg.boards()`) and channel.
pub fn locate(reg: &Registry, span: u32, ts: u32) -> Result<(usize, Chan), SendError> {
    locate_in(reg, &reg.boards(), span, ts)
}

/// [`locate`] in a snapshot of the board list.
fn locate_in(
    reg: &Registry,
    boards: &[crate::registry::BoardView],
    span: u32,
    ts: u32,
) -> Result<(usize, Chan), SendError> {
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
    let boards = reg.boards();
    let (b, ch) = locate_in(reg, &boards, span, ts)?;
    boards[b]
        .media
        .try_send(make(ch))
        .map_err(|_| SendError::Busy(format!("board {} is not keeping up", boards[b].name)))
}

/// A call was answered on `span`/`ts`: decode its audio and look for DTMF.
pub fn channel_opened(reg: &Registry, span: u32, ts: u8) {
    if ts != 0 {
        let _ = send(reg, span, ts as u32, MediaCmd::Open);
    }
}

/// A call on `span`/`ts` ended: stop its media (plays, collections and
/// recordings end with reason "hangup"/"stopped") and take it out of any
/// bridge or conference.
pub fn channel_closed(reg: &Registry, span: u32, ts: u8) {
    if ts == 0 {
        return;
    }
    {
        let mut book = lock(&reg.confs);
        if book.conference_of((span, ts)).is_some() {
            if let Err(e) = book.leave(reg, (span, ts)) {
                log::warn!("span {span} timeslot {ts}: leaving its conference: {e}");
            }
        }
    }
    if let Err(e) = send(reg, span, ts as u32, MediaCmd::Close) {
        log::warn!("span {span} timeslot {ts}: closing its media: {e:?}");
    }
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
        let rec = lock(&reg.record_events_rx).take();
        let thread = rx.zip(rec).and_then(|(rx, rec)| {
            std::thread::Builder::new()
                .name("media".into())
                .spawn(move || {
                    while !s.load(Ordering::Relaxed) {
                        crossbeam_channel::select! {
                            recv(rx) -> e => match e {
                                Ok(e) => report(&reg, e),
                                Err(_) => break,
                            },
                            recv(rec) -> e => match e {
                                Ok(e) => record_report(&reg, e),
                                Err(_) => break,
                            },
                            default(Duration::from_millis(100)) => {}
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

/// The API event for a media report (`None` for reports that only carry
/// something back, like a recording's end, which the writer reports).
pub fn event_json(reg: &Registry, e: &MediaEvent) -> Option<Value> {
    let (span, ts, mut v) = match e {
        MediaEvent::Digit { span, ts, digit } => (
            *span,
            *ts,
            json!({"event": "digit", "digit": digit.to_string()}),
        ),
        MediaEvent::DigitEnd {
            span,
            ts,
            digit,
            duration_ms,
        } => (
            *span,
            *ts,
            json!({"event": "digit_end", "digit": digit.to_string(), "duration_ms": duration_ms}),
        ),
        MediaEvent::CollectDone {
            span,
            ts,
            id,
            digits,
            reason,
        } => {
            let mut v = json!({"event": "collect_done", "media_id": id, "digits": digits.as_str(), "reason": reason.name()});
            if let trunkd::media::engine::CollectEnd::Terminator(t) = reason {
                v["terminator"] = json!(t.to_string());
            }
            (*span, *ts, v)
        }
        MediaEvent::DtmfSent {
            span,
            ts,
            id,
            stopped,
        } => (
            *span,
            *ts,
            json!({"event": "dtmf_sent", "media_id": id, "stopped": stopped}),
        ),
        MediaEvent::PlayDone {
            span,
            ts,
            id,
            reason,
            played_ms,
            ..
        } => {
            let mut v = json!({"event": "play_done", "media_id": id, "reason": reason.name(), "played_ms": played_ms});
            if let trunkd::media::engine::PlayEnd::BargeIn(d) = reason {
                v["digit"] = json!(d.to_string());
            }
            (*span, *ts, v)
        }
        MediaEvent::ToneDone {
            span,
            ts,
            id,
            stopped,
        } => (
            *span,
            *ts,
            json!({"event": "tone_done", "media_id": id, "stopped": stopped}),
        ),
        MediaEvent::ToneDetected { span, ts, tone } => (
            *span,
            *ts,
            json!({"event": "tone_detected", "tone": tone.name()}),
        ),
        MediaEvent::RecordStopped { .. } | MediaEvent::LegReleased(_) => return None,
        MediaEvent::ConfFailed { error } => {
            log::error!("a board refused a conference change: {error}");
            return None;
        }
    };
    v["span"] = json!(span);
    v["timeslot"] = json!(ts);
    let t = lock(&reg.calls);
    if let Some(c) = t.on_channel(span, ts as usize) {
        v["call"] = json!(c.id);
    }
    Some(v)
}

fn report(reg: &Registry, e: MediaEvent) {
    if let MediaEvent::RecordStopped {
        id, dropped_blocks, ..
    } = &e
    {
        if *dropped_blocks > 0 {
            log::warn!(
                "recording {id}: {dropped_blocks} blocks of 20 ms lost: the writer fell behind"
            );
        }
    }
    if let Some(v) = event_json(reg, &e) {
        reg.bus.publish(v);
    }
    // `e` (and any playlist it hands back) is dropped here, off the board thread.
}

/// Name of a recording's stop reason in API events.
pub fn stop_reason_name(r: StopReason) -> &'static str {
    match r {
        StopReason::MaxDuration => "max_duration",
        StopReason::Silence => "silence",
        StopReason::Digit(_) => "digit",
        StopReason::Stopped => "stopped",
        StopReason::Hangup => "hangup",
        StopReason::Error => "error",
    }
}

fn record_report(reg: &Registry, e: RecordEvent) {
    let (id, mut v) = match e {
        RecordEvent::Started { id, path } => {
            // Noted now: a recording that runs until the caller hangs up
            // reports `record_done` after the call (and its CDR) ended.
            note_recording(reg, id, &path);
            return;
        }
        RecordEvent::Done {
            id,
            path,
            duration_ms,
            reason,
            bytes,
        } => {
            let mut v = json!({"event": "record_done", "media_id": id, "path": path, "duration_ms": duration_ms, "reason": stop_reason_name(reason), "bytes": bytes});
            if let StopReason::Digit(d) = reason {
                v["digit"] = json!(d.to_string());
            }
            (id, v)
        }
        RecordEvent::Failed { id, path, error } => {
            log::error!("recording {id} to {}: {error}", path.display());
            (
                id,
                json!({"event": "record_failed", "media_id": id, "path": path, "error": error}),
            )
        }
    };
    if let Some((span, ts)) = lock(&reg.media).recordings.remove(&id) {
        v["span"] = json!(span);
        v["timeslot"] = json!(ts);
        let call = lock(&reg.calls).on_channel(span, ts as usize).map(|c| c.id);
        if let Some(c) = call {
            v["call"] = json!(c);
            if let Some(path) = v["path"].as_str() {
                add_recording(reg, c, path);
            }
        }
    }
    reg.bus.publish(v);
}

/// Add the file of recording `id` to the CDR of the call on its channel.
fn note_recording(reg: &Registry, id: u32, path: &Path) {
    let Some((span, ts)) = lock(&reg.media).recordings.get(&id).copied() else {
        return;
    };
    let call = lock(&reg.calls).on_channel(span, ts as usize).map(|c| c.id);
    if let Some(c) = call {
        add_recording(reg, c, &path.display().to_string());
    }
}

/// Add `path` to call `call`'s CDR recordings, once.
fn add_recording(reg: &Registry, call: u64, path: &str) {
    reg.cdr_note(call, |x| {
        if !x.recordings.iter().any(|r| r == path) {
            x.recordings.push(path.to_owned());
        }
    });
}
