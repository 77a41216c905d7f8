//! API commands for the media on a channel, answered or not: `play`,
//! `play_stop`, `record`, `record_stop`, `collect`, `collect_stop`,
//! `send_dtmf`, `media_open`, `media_close`.
//!
//! A channel is named either by `"call": ID` or by `"span": N,
//! "timeslot": T`. Requests are checked here, completely, before they are
//! handed to the board thread; the result carries the `media_id` that the
//! matching event (`collect_done`, `dtmf_sent`, ...) will echo.

use serde_json::{json, Map, Value};
use trunkd::media::dtmf::DtmfGenConfig;
use trunkd::media::engine::{Chan, CollectSpec, DigitBuf, DigitSet, MediaCmd, MAX_DIGITS};
use trunkd::media::prompt::{PlayItem, Playlist, MAX_PLAYLIST};
use trunkd::media::record::{RecordChannels, RecordSpec, RecorderTap, StopReason, WriterMsg};
use trunkd::media::tones::{ToneKind, UnknownName};

use super::commands::{get_u64, ApiError};
use crate::mediasvc::{self, SendError};
use crate::registry::{lock, Registry};

/// The channel a request names: `(span, timeslot)`.
pub(crate) fn target(reg: &Registry, req: &Map<String, Value>) -> Result<(u32, u32), ApiError> {
    if let Some(call) = get_u64(req, "call")? {
        let t = lock(&reg.calls);
        let c = t
            .active
            .get(&call)
            .ok_or_else(|| ApiError::new("not_found", format!("no call {call}")))?;
        let ts = c.channel.filter(|&c| c != 0).ok_or_else(|| {
            ApiError::new("invalid_state", format!("call {call} has no B-channel yet"))
        })?;
        return Ok((c.span, ts as u32));
    }
    match (get_u64(req, "span")?, get_u64(req, "timeslot")?) {
        (Some(s), Some(t)) => Ok((
            u32::try_from(s).map_err(|_| bad("span", "out of range"))?,
            u32::try_from(t).map_err(|_| bad("timeslot", "out of range"))?,
        )),
        _ => Err(ApiError::new(
            "bad_request",
            "name the channel with \"call\" or with \"span\" and \"timeslot\"",
        )),
    }
}

fn bad(key: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::new("invalid_argument", format!("\"{key}\": {why}"))
}

pub(crate) fn get_str<'a>(
    req: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, ApiError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(key, "must be a string")),
    }
}

pub(crate) fn get_bool(req: &Map<String, Value>, key: &str) -> Result<Option<bool>, ApiError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(key, "must be true or false")),
    }
}

/// A number in `lo..=hi`, or `default` when absent.
pub(crate) fn ranged(
    req: &Map<String, Value>,
    key: &str,
    lo: u64,
    hi: u64,
    default: u64,
) -> Result<u64, ApiError> {
    let v = get_u64(req, key)?.unwrap_or(default);
    if !(lo..=hi).contains(&v) {
        return Err(bad(key, format!("{v} is outside {lo}..={hi}")));
    }
    Ok(v)
}

/// A channel that cannot be reached is `not_found`; a board that is not
/// keeping up is `busy`.
impl From<SendError> for ApiError {
    fn from(e: SendError) -> ApiError {
        match e {
            SendError::NoChannel(m) => ApiError::new("not_found", m),
            SendError::Busy(m) => ApiError::new("busy", m),
        }
    }
}

/// Hand `make`'s request for the named channel to its board; reply with
/// `extra` plus the channel.
pub(crate) fn dispatch(
    reg: &Registry,
    req: &Map<String, Value>,
    make: impl FnOnce(Chan) -> MediaCmd,
    extra: Value,
) -> Result<Value, ApiError> {
    dispatch_at(reg, target(reg, req)?, make, extra)
}

/// [`dispatch`] to a channel already resolved to `(span, timeslot)`.
fn dispatch_at(
    reg: &Registry,
    (span, ts): (u32, u32),
    make: impl FnOnce(Chan) -> MediaCmd,
    mut extra: Value,
) -> Result<Value, ApiError> {
    mediasvc::send(reg, span, ts, make)?;
    extra["span"] = json!(span);
    extra["timeslot"] = json!(ts);
    Ok(extra)
}

fn new_id(reg: &Registry) -> u32 {
    lock(&reg.media).next_id()
}

/// `collect`: `{"call": 7, "max_digits": 4, "terminators": "#",
/// "first_timeout_ms": 5000, "inter_digit_timeout_ms": 3000, "flush": false}`.
pub fn collect(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let max = ranged(req, "max_digits", 1, MAX_DIGITS as u64, MAX_DIGITS as u64)?;
    let terminators = DigitSet::parse(get_str(req, "terminators")?.unwrap_or(""))
        .map_err(|e| bad("terminators", e))?;
    let first = ranged(req, "first_timeout_ms", 0, 600_000, 5_000)?;
    let inter = ranged(req, "inter_digit_timeout_ms", 0, 600_000, 3_000)?;
    let flush = get_bool(req, "flush")?.unwrap_or(false);
    let spec = CollectSpec {
        max_digits: max as u8,
        terminators,
        first_timeout_ms: first as u32,
        inter_digit_timeout_ms: inter as u32,
        keep_buffer: !flush,
    };
    let id = new_id(reg);
    dispatch(
        reg,
        req,
        |ch| MediaCmd::Collect { ch, id, spec },
        json!({"media_id": id}),
    )
}

/// `collect_stop`: ends a collection early (its `collect_done` says `stopped`).
pub fn collect_stop(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    dispatch(reg, req, MediaCmd::StopCollect, json!({}))
}

/// `send_dtmf`: `{"call": 7, "digits": "123#", "on_ms": 100, "off_ms": 100,
/// "level_dbm0": -7}` (Q.23: the high group is sent 2 dB above the low).
pub fn send_dtmf(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let s = get_str(req, "digits")?
        .ok_or_else(|| ApiError::new("bad_request", "missing \"digits\""))?;
    if s.is_empty() {
        return Err(bad("digits", "empty"));
    }
    let digits = DigitBuf::parse(s).map_err(|e| bad("digits", e))?;
    let on = ranged(req, "on_ms", 40, 2_000, 100)?;
    let off = ranged(req, "off_ms", 40, 2_000, 100)?;
    let level = match req.get("level_dbm0") {
        None | Some(Value::Null) => -7.0,
        Some(v) => v
            .as_f64()
            .filter(|l| (-30.0..=-3.0).contains(l))
            .ok_or_else(|| bad("level_dbm0", "a number from -30 to -3"))?,
    } as f32;
    let cfg = DtmfGenConfig {
        low_level_dbm0: level,
        high_level_dbm0: level + 2.0,
        on_ms: on as u32,
        off_ms: off as u32,
    };
    let id = new_id(reg);
    dispatch(
        reg,
        req,
        |ch| MediaCmd::SendDtmf {
            ch,
            id,
            digits,
            cfg,
        },
        json!({"media_id": id, "digits": digits.as_str()}),
    )
}

/// `media_open`: decode the channel and report its DTMF digits (`digit`
/// events) even with no call on it.
pub fn media_open(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    dispatch(reg, req, MediaCmd::Open, json!({}))
}

/// `media_close`: stop everything on the channel and take it out of any
/// bridge or conference.
pub fn media_close(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let (span, ts) = target(reg, req)?;
    mediasvc::locate(reg, span, ts)?;
    mediasvc::channel_closed(reg, span, ts as u8);
    Ok(json!({"span": span, "timeslot": ts}))
}

/// `play`: `{"call": 7, "prompts": ["welcome", {"silence_ms": 500}, "menu"],
/// "repeat": false, "barge_in": true, "gain_db": 0}`. Prompts are named
/// relative to the prompt directory, with or without extension; each is
/// decoded once and cached. A file that cannot be played is an error here,
/// before anything is sent to the line.
pub fn play(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let items = match req.get("prompts") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::String(_)) => {
            return Err(bad("prompts", "must be a list, e.g. [\"welcome\"]"));
        }
        _ => return Err(ApiError::new("bad_request", "missing \"prompts\" (a list)")),
    };
    if items.len() > MAX_PLAYLIST {
        return Err(bad("prompts", format!("at most {MAX_PLAYLIST} items")));
    }
    let dir = reg.config().media.prompt_dir.clone();
    let mut list = Vec::with_capacity(items.len());
    {
        let mut book = lock(&reg.media);
        for it in items {
            match it {
                Value::String(name) => {
                    let p = book
                        .prompt(&dir, name)
                        .map_err(|e| ApiError::new("invalid_argument", e.to_string()))?;
                    list.push(PlayItem::Prompt(p));
                }
                Value::Object(o) => match o.get("silence_ms").and_then(Value::as_u64) {
                    Some(ms @ 1..=60_000) => list.push(PlayItem::Silence(ms as u32)),
                    _ => {
                        return Err(bad(
                            "prompts",
                            "an item is a prompt name or {\"silence_ms\": 1-60000}",
                        ))
                    }
                },
                _ => {
                    return Err(bad(
                        "prompts",
                        "an item is a prompt name or {\"silence_ms\": 1-60000}",
                    ))
                }
            }
        }
    }
    let mut playlist = Playlist::new(list).map_err(|e| bad("prompts", e))?;
    if let Some(g) = req.get("gain_db") {
        let g = g
            .as_f64()
            .ok_or_else(|| bad("gain_db", "must be a number"))?;
        playlist = playlist
            .with_gain_db(g as f32)
            .map_err(|e| bad("gain_db", e))?;
    }
    let repeat = get_bool(req, "repeat")?.unwrap_or(false);
    let barge_in = get_bool(req, "barge_in")?.unwrap_or(true);
    let ms = playlist.total_samples() / 8;
    let id = new_id(reg);
    dispatch(
        reg,
        req,
        |ch| MediaCmd::Play {
            ch,
            id,
            playlist,
            repeat,
            barge_in,
        },
        json!({"media_id": id, "duration_ms": ms}),
    )
}

/// `play_stop`: stop what plays (its `play_done` says `stopped`).
pub fn play_stop(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    dispatch(reg, req, MediaCmd::StopPlay, json!({}))
}

/// `record`: `{"call": 7, "file": "vm/1234.wav", "channels": "stereo",
/// "max_ms": 120000, "silence_ms": 5000, "terminators": "#"}`. `channels`:
/// `mono` (both directions mixed, the default), `stereo` (left: received
/// from the line, right: sent to it), `rx` or `tx`. The file is written by
/// the writer thread; `record_done` or `record_failed` reports it.
pub fn record(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let file =
        get_str(req, "file")?.ok_or_else(|| ApiError::new("bad_request", "missing \"file\""))?;
    let dir = reg.config().media.record_dir.clone();
    let path = mediasvc::record_path(&dir, file).map_err(|e| bad("file", e))?;
    let channels = match get_str(req, "channels")?.unwrap_or("mono") {
        "mono" => RecordChannels::Mono,
        "stereo" => RecordChannels::Stereo,
        "rx" => RecordChannels::RxOnly,
        "tx" => RecordChannels::TxOnly,
        other => {
            return Err(bad(
                "channels",
                format!("`{other}` is not one of mono, stereo, rx, tx"),
            ))
        }
    };
    let mut spec = RecordSpec::new(&path);
    spec.channels = channels;
    spec.max_ms = ranged(req, "max_ms", 0, 4 * 3_600_000, 3_600_000)?;
    spec.silence_ms = ranged(req, "silence_ms", 0, 3_600_000, 0)?;
    if let Some(v) = req.get("silence_dbm0") {
        spec.silence_dbm0 =
            v.as_f64()
                .filter(|l| (-70.0..=-10.0).contains(l))
                .ok_or_else(|| bad("silence_dbm0", "a number from -70 to -10"))? as f32;
    }
    spec.validate().map_err(|e| bad("file", e))?;
    let terminators = DigitSet::parse(get_str(req, "terminators")?.unwrap_or(""))
        .map_err(|e| bad("terminators", e))?;
    let (span, ts) = target(reg, req)?;
    mediasvc::locate(reg, span, ts)?;
    let id = new_id(reg);
    let mut tap = RecorderTap::from_spec(id, &spec);
    reg.recorder
        .try_send(WriterMsg::Open { id, spec })
        .map_err(|_| {
            ApiError::new(
                "busy",
                "the recording writer is not keeping up (or not running)",
            )
        })?;
    lock(&reg.media).recording_started(id, span, ts as u8);
    let sent = dispatch_at(
        reg,
        (span, ts),
        |ch| MediaCmd::Record {
            ch,
            tap,
            terminators,
        },
        json!({"media_id": id, "path": path}),
    );
    if sent.is_err() {
        // The writer opened the file: close it, reported as an error.
        let _ = tap.finish(StopReason::Error, &reg.recorder);
    }
    sent
}

/// `record_stop`: end the recording (its `record_done` says `stopped`).
pub fn record_stop(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    dispatch(reg, req, MediaCmd::StopRecord, json!({}))
}

/// `tone`: `{"call": 7, "tone": "busy", "max_ms": 5000}` sends a
/// call-progress tone of the span's tone plan (`dial`, `ringback`, `busy`,
/// `congestion`, `sit`, `call_waiting`, `beep`). Continuous and cadenced
/// tones run until `tone_stop` or `max_ms`.
pub fn tone(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let name =
        get_str(req, "tone")?.ok_or_else(|| ApiError::new("bad_request", "missing \"tone\""))?;
    let kind: ToneKind = name
        .replace('_', "-")
        .parse()
        .map_err(|e: UnknownName| bad("tone", e))?;
    let max_ms = ranged(req, "max_ms", 0, 3_600_000, 0)? as u32;
    let id = new_id(reg);
    dispatch(
        reg,
        req,
        |ch| MediaCmd::Tone {
            ch,
            id,
            kind,
            max_ms,
        },
        json!({"media_id": id, "tone": kind.name()}),
    )
}

/// `tone_stop`: stop the tone (its `tone_done` says `stopped`).
pub fn tone_stop(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    dispatch(reg, req, MediaCmd::StopTone, json!({}))
}

/// `detect_progress`: `{"call": 7, "on": true}` reports call-progress and
/// fax tones heard on the channel (`tone_detected`: dial, ringback, busy,
/// congestion, sit, fax_cng, fax_ced), for outbound call analysis.
pub fn detect_progress(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let on = get_bool(req, "on")?.unwrap_or(true);
    dispatch(
        reg,
        req,
        |ch| MediaCmd::DetectProgress { ch, on },
        json!({"on": on}),
    )
}
