//! API v1 commands: one JSON request in, one JSON result or error out.
//! Pure functions of the registry, so they are tested without sockets.

use std::sync::atomic::Ordering;

use serde_json::{json, Map, Value};
use trunk_driver_sys::abi::{self, SpanStatus};

use crate::config::{Config, SpanConfig};
use crate::registry::{BoardView, Registry};
use crate::rt::BoardCmd;
use crate::state::{BertState, SpanShared};

/// API version served.
pub const API_VERSION: u32 = 1;
/// Longest BERT accepted, seconds of board time.
pub const MAX_BERT_SECONDS: u64 = 86_400;

/// An error reply: machine-readable code plus a message for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// One of the documented codes.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
}

impl ApiError {
    /// An error with a documented code.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

/// The server identification.
pub fn server_name() -> String {
    format!("trunkd {}", env!("CARGO_PKG_VERSION"))
}

/// Execute one request object.
pub fn execute(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let cmd = match req.get("cmd") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(ApiError::new("bad_request", "\"cmd\" must be a string")),
        None => return Err(ApiError::new("bad_request", "missing \"cmd\"")),
    };
    match cmd {
        "status" => Ok(status(reg)),
        "spans" => Ok(spans(reg)),
        "channels" => channels(reg, req),
        "bert_start" => bert_start(reg, req),
        "bert" => bert_query(reg, req, false),
        "bert_stop" => bert_query(reg, req, true),
        "calls" => super::call_commands::calls(reg, req),
        "flows" => super::ivr_commands::flows(reg),
        "ivr_run" => super::ivr_commands::ivr_run(reg, req),
        "ivr_reply" => super::ivr_commands::ivr_reply(reg, req),
        "ivr_take" => Err(ApiError::new(
            "bad_request",
            "ivr_take is only served to socket clients",
        )),
        "dial" => super::call_commands::dial(reg, req),
        "answer" => super::call_commands::answer(reg, req),
        "hangup" => super::call_commands::hangup(reg, req),
        "restart" => super::call_commands::restart(reg, req),
        "bridge" => super::conf_commands::bridge(reg, req),
        "unbridge" => super::conf_commands::unbridge(reg, req),
        "conference_join" => super::conf_commands::conference_join(reg, req),
        "conference_leave" => super::conf_commands::conference_leave(reg, req),
        "conference_set" => super::conf_commands::conference_set(reg, req),
        "conferences" => Ok(super::conf_commands::conferences(reg)),
        "monitor" => super::conf_commands::monitor(reg, req),
        "play" => super::media_commands::play(reg, req),
        "tone" => super::media_commands::tone(reg, req),
        "tone_stop" => super::media_commands::tone_stop(reg, req),
        "detect_progress" => super::media_commands::detect_progress(reg, req),
        "play_stop" => super::media_commands::play_stop(reg, req),
        "record" => super::media_commands::record(reg, req),
        "record_stop" => super::media_commands::record_stop(reg, req),
        "collect" => super::media_commands::collect(reg, req),
        "collect_stop" => super::media_commands::collect_stop(reg, req),
        "send_dtmf" => super::media_commands::send_dtmf(reg, req),
        "media_open" => super::media_commands::media_open(reg, req),
        "media_close" => super::media_commands::media_close(reg, req),
        "cdr" => crate::cdr::api::request(reg, req),
        "history" => crate::cdr::api::history(reg, req),
        "recordings" => crate::cdr::api::recordings(reg, req),
        "record_call" => super::record_commands::record_call(reg, req),
        c if crate::acdsvc::handles(c) => crate::acdsvc::request(reg, req, None),
        other => Err(ApiError::new(
            "unknown_command",
            format!(
                "unknown command `{other}` (status, spans, channels, bert_start, bert, bert_stop, \
                 calls, dial, answer, hangup, restart, bridge, unbridge, conference_join, \
                 conference_leave, conference_set, conferences, monitor, play, play_stop, \
                 tone, tone_stop, detect_progress, record, record_stop, \
                 collect, collect_stop, send_dtmf, \
                 media_open, media_close, cdr, history, recordings, record_call, \
                 subscribe, capture)"
            ),
        )),
    }
}

fn status(reg: &Registry) -> Value {
    let cfg = reg.config();
    let boards: Vec<Value> = reg
        .boards()
        .iter()
        .map(|b| {
            json!({
                "name": b.name,
                "device": b.device.to_string(),
                "spans": b.shared.board_spans.load(Ordering::Relaxed),
                "configured_spans": cfg.spans_of(&b.name).count(),
                "interrupt_interval_ms": cfg.boards.get(&b.name).map(|c| c.interrupt_interval_ms),
                "state": b.shared.state().name(),
                "frames": b.shared.frames.load(Ordering::Relaxed),
                "ticks": b.shared.ticks.load(Ordering::Relaxed),
                "late_ticks": b.shared.late_ticks.load(Ordering::Relaxed),
                "host_overruns": b.shared.host_overruns.load(Ordering::Relaxed),
                "media": {
                    "open_channels": b.media_stats.open_channels.load(Ordering::Relaxed),
                    "digits": b.media_stats.digits.load(Ordering::Relaxed),
                    "events_dropped": b.media_stats.events_dropped.load(Ordering::Relaxed),
                },
            })
        })
        .collect();
    let cache = crate::registry::lock(&reg.media).cache_stats();
    json!({
        "server": server_name(),
        "api": API_VERSION,
        "prompt_cache": {
            "entries": cache.entries,
            "bytes": cache.bytes,
            "hits": cache.hits,
            "misses": cache.misses,
            "reloads": cache.reloads,
            "evictions": cache.evictions,
        },
        "uptime_ms": reg.started.elapsed().as_millis() as u64,
        "config": cfg.path.display().to_string(),
        "reloads": reg.reloads.load(Ordering::Relaxed),
        "failed_reloads": reg.failed_reloads.load(Ordering::Relaxed),
        "hot_path_allocations": trunk_driver_sys::alloc_check::hot_allocations(),
        "cdr": crate::cdr::api::status(&reg.cdr.stats),
        "boards": boards,
    })
}

fn span_shared<'a>(
    boards: &'a [BoardView],
    s: &SpanConfig,
) -> Option<(&'a BoardView, &'a SpanShared)> {
    let b = boards.iter().find(|b| b.name == s.board)?;
    let sh = b.spans.get(s.board_span - 1)?;
    Some((b, sh))
}

fn span_state(b: &BoardView, s: &SpanConfig, sh: &SpanShared) -> (&'static str, SpanStatus) {
    let st = SpanStatus::from_bits_retain(sh.status.load(Ordering::Relaxed));
    let running = b.shared.state() == crate::state::BoardState::Running
        && s.board_span as u32 <= b.shared.board_spans.load(Ordering::Relaxed);
    let state = if !s.settings.enabled {
        "disabled"
    } else if !running {
        "down"
    } else if st.intersects(SpanStatus::ALARMS) || !st.contains(SpanStatus::IN_SYNC) {
        "alarm"
    } else {
        "up"
    };
    (state, st)
}

fn spans(reg: &Registry) -> Value {
    let cfg = reg.config();
    let boards = reg.boards();
    let list: Vec<Value> = cfg
        .spans
        .values()
        .filter_map(|s| {
            let (b, sh) = span_shared(&boards, s)?;
            let (state, st) = span_state(b, s, sh);
            let l = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
            let set = &s.settings;
            let pri = crate::registry::lock(&reg.pri).get(&s.span).cloned();
            Some(json!({
                "pri": pri,
                "span": s.span,
                "board": s.board,
                "board_span": s.board_span,
                "name": s.name,
                "line": if set.t1 { "t1" } else { "e1" },
                "framing": format!("{:?}", set.framing).to_lowercase(),
                "linecode": format!("{:?}", set.linecode).to_lowercase(),
                "clock": format!("{:?}", set.clock).to_lowercase(),
                "loopback": if set.local_loopback { "local" } else if set.remote_loopback { "remote" } else { "none" },
                "signalling": s.signalling.name(),
                "trunk_group": s.trunk_group,
                "state": state,
                "alarms": st.alarm_names(),
                "sending_rai": st.contains(SpanStatus::TX_RAI),
                "tx_latency_ms": sh.tx_latency_ms.load(Ordering::Relaxed),
                "counters": {
                    "crc_errors": l(&sh.crc_errors),
                    "code_violations": l(&sh.code_violations),
                    "ebit_errors": l(&sh.ebit_errors),
                    "slips": l(&sh.slips),
                    "fas_errors": l(&sh.fas_errors),
                    "tx_underruns": l(&sh.tx_underruns),
                    "rx_overruns": l(&sh.rx_overruns),
                },
                "dchannel": s.dchannel_timeslot().map(|ts| json!({
                    "timeslot": ts,
                    "rx_frames": l(&sh.dch_rx_frames),
                    "tx_frames": l(&sh.dch_tx_frames),
                    "fcs_errors": l(&sh.dch_fcs_errors),
                    "aborts": l(&sh.dch_aborts),
                    "dropped": l(&sh.dch_dropped),
                })),
            }))
        })
        .collect();
    json!({ "spans": list })
}

pub(crate) fn get_u64(req: &Map<String, Value>, key: &str) -> Result<Option<u64>, ApiError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            ApiError::new(
                "invalid_argument",
                format!("\"{key}\" must be a non-negative integer"),
            )
        }),
    }
}

pub(crate) fn need_u64(req: &Map<String, Value>, key: &str) -> Result<u64, ApiError> {
    get_u64(req, key)?.ok_or_else(|| ApiError::new("bad_request", format!("missing \"{key}\"")))
}

fn channels(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let cfg = reg.config();
    let only = get_u64(req, "span")?;
    if let Some(n) = only {
        if !cfg.spans.contains_key(&(n as u32)) || n > u32::MAX as u64 {
            return Err(ApiError::new(
                "not_found",
                format!("span {n} is not configured"),
            ));
        }
    }
    let boards = reg.boards();
    let calls = crate::registry::lock(&reg.calls);
    let mut list = Vec::new();
    for s in cfg
        .spans
        .values()
        .filter(|s| only.is_none_or(|n| n == s.span as u64))
    {
        let Some((b, sh)) = span_shared(&boards, s) else {
            continue;
        };
        let (span_state, _) = span_state(b, s, sh);
        let dch = s.dchannel_timeslot();
        for ts in abi::traffic_timeslots(s.settings.t1) {
            let bert = sh.bert[ts].state() == BertState::Running;
            let call = calls.on_channel(s.span, ts).map(|c| (c.id, c.state));
            let state = match span_state {
                "disabled" => "disabled",
                "up" if bert => "bert",
                "up" if call.is_some() => "call",
                "up" => "idle",
                _ if bert => "bert",
                _ => "alarm",
            };
            list.push(json!({
                "channel": format!("{}/{}", s.span, ts),
                "span": s.span,
                "timeslot": ts,
                "kind": if Some(ts) == dch { "dchannel" } else { "bearer" },
                "state": state,
                "call": call.map(|c| c.0),
                "call_state": call.map(|c| c.1),
                "trunk_group": s.trunk_group,
            }));
        }
    }
    Ok(json!({ "channels": list }))
}

/// Resolve `span`/`timeslot` arguments to a board, position and timeslot.
fn locate(
    cfg: &Config,
    boards: &[BoardView],
    req: &Map<String, Value>,
) -> Result<(BoardView, usize, u32, usize), ApiError> {
    let span = need_u64(req, "span")?;
    let ts = need_u64(req, "timeslot")?;
    let s = u32::try_from(span)
        .ok()
        .and_then(|n| cfg.spans.get(&n))
        .ok_or_else(|| ApiError::new("not_found", format!("span {span} is not configured")))?;
    let range = abi::traffic_timeslots(s.settings.t1);
    if !range.contains(&(ts as usize)) {
        return Err(ApiError::new(
            "invalid_argument",
            format!(
                "span {span} is {}: timeslots {}..={}",
                if s.settings.t1 { "T1" } else { "E1" },
                range.start(),
                range.end()
            ),
        ));
    }
    let b = boards
        .iter()
        .find(|b| b.name == s.board)
        .ok_or_else(|| ApiError::new("internal", format!("board {} has no thread", s.board)))?;
    Ok((b.clone(), s.board_span - 1, s.span, ts as usize))
}

fn bert_start(reg: &Registry, req: &Map<String, Value>) -> Result<Value, ApiError> {
    let cfg = reg.config();
    let boards = reg.boards();
    let (b, pos, span, ts) = locate(&cfg, &boards, req)?;
    let seconds = get_u64(req, "seconds")?.unwrap_or(10);
    if seconds == 0 || seconds > MAX_BERT_SECONDS {
        return Err(ApiError::new(
            "invalid_argument",
            format!("\"seconds\" must be 1..={MAX_BERT_SECONDS}"),
        ));
    }
    let s = &cfg.spans[&span];
    if s.dchannel_timeslot() == Some(ts) {
        return Err(ApiError::new(
            "busy",
            format!("{span}/{ts} carries the D-channel"),
        ));
    }
    if let Some(c) = crate::registry::lock(&reg.calls).on_channel(span, ts) {
        // A BERT would overwrite the call's audio in both directions.
        return Err(ApiError::new(
            "busy",
            format!("{span}/{ts} carries call {} ({})", c.id, c.state),
        ));
    }
    if b.shared.state() != crate::state::BoardState::Running {
        return Err(ApiError::new(
            "busy",
            format!("board {} is {}", b.name, b.shared.state().name()),
        ));
    }
    if pos as u32 >= b.shared.board_spans.load(Ordering::Relaxed) {
        return Err(ApiError::new(
            "busy",
            format!(
                "span {span} is position {} on board {}, which has fewer spans",
                pos + 1,
                b.name
            ),
        ));
    }
    let running = b.spans[pos]
        .bert
        .iter()
        .filter(|x| x.state() == BertState::Running)
        .count();
    if running >= 4 && b.spans[pos].bert[ts].state() != BertState::Running {
        return Err(ApiError::new(
            "busy",
            format!("span {span} already runs 4 BERTs"),
        ));
    }
    let sh = &b.spans[pos].bert[ts];
    b.cmd
        .try_send(BoardCmd::BertStart {
            span: pos,
            ts,
            ms: seconds * 1000,
        })
        .map_err(|_| ApiError::new("busy", format!("board {} command queue is full", b.name)))?;
    // Mark it running now so a query straight after sees it.
    sh.state.store(BertState::Running as u8, Ordering::Relaxed);
    sh.elapsed_ms.store(0, Ordering::Relaxed);
    sh.bits.store(0, Ordering::Relaxed);
    sh.errors.store(0, Ordering::Relaxed);
    sh.duration_ms.store(seconds * 1000, Ordering::Relaxed);
    Ok(json!({"span": span, "timeslot": ts, "seconds": seconds}))
}

fn bert_query(reg: &Registry, req: &Map<String, Value>, stop: bool) -> Result<Value, ApiError> {
    let cfg = reg.config();
    let boards = reg.boards();
    let (b, pos, span, ts) = locate(&cfg, &boards, req)?;
    if stop {
        b.cmd
            .try_send(BoardCmd::BertStop { span: pos, ts })
            .map_err(|_| {
                ApiError::new("busy", format!("board {} command queue is full", b.name))
            })?;
    }
    let sh = &b.spans[pos].bert[ts];
    let state = match sh.state() {
        BertState::Idle => {
            return Err(ApiError::new(
                "not_found",
                format!("no BERT has run on {span}/{ts}"),
            ))
        }
        BertState::Running if stop => "stopped",
        BertState::Running => "running",
        BertState::Done => "done",
        BertState::Stopped => "stopped",
    };
    let bits = sh.bits.load(Ordering::Relaxed);
    let errors = sh.errors.load(Ordering::Relaxed);
    Ok(json!({
        "span": span,
        "timeslot": ts,
        "state": state,
        "in_sync": sh.in_sync.load(Ordering::Relaxed),
        "duration_ms": sh.duration_ms.load(Ordering::Relaxed),
        "elapsed_ms": sh.elapsed_ms.load(Ordering::Relaxed),
        "bits": bits,
        "errors": errors,
        "error_rate": if bits > 0 { errors as f64 / bits as f64 } else { 0.0 },
        "resyncs": sh.resyncs.load(Ordering::Relaxed),
    }))
}
