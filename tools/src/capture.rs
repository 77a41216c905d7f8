//! Capturing a span's D-channel to a pcap file (`trunkctl capture`).
//!
//! [`capture`] sends `capture`, then writes every `frame` event of the span
//! with a [`LapdPcapWriter`] until a frame count or a time limit is reached,
//! a stop flag is raised (by SIGINT/SIGTERM in `trunkctl`), the reader of the
//! output goes away, or trunkd closes the connection. The output is flushed
//! after every frame, so a capture written to a pipe can be watched live and
//! a capture file is complete up to the last frame whatever ends it.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pcap_file::PcapError;
use serde_json::Value;

use crate::api::{CaptureStarted, FrameEvent};
use crate::client::{decode, Client, ClientError};
use crate::pcap::LapdPcapWriter;

/// Longest wait for an event before the stop flag and limits are checked
/// again.
const POLL: Duration = Duration::from_millis(100);

/// When to stop capturing (besides the stop flag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Stop after this many frames.
    pub count: Option<u64>,
    /// Stop after this much wall time.
    pub duration: Option<Duration>,
}

/// Why a capture ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// [`Limits::count`] frames were written.
    Count,
    /// [`Limits::duration`] elapsed.
    Time,
    /// The stop flag was raised.
    Stopped,
    /// The output was closed by its reader (a broken pipe).
    OutputClosed,
    /// trunkd closed the connection.
    Disconnected,
}

impl StopReason {
    /// Short name, as in `trunkctl capture --json` output.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::Count => "count",
            StopReason::Time => "time",
            StopReason::Stopped => "signal",
            StopReason::OutputClosed => "output_closed",
            StopReason::Disconnected => "disconnected",
        }
    }
}

/// Outcome of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The `capture` result: span, side and link type.
    pub started: CaptureStarted,
    /// Frames written.
    pub frames: u64,
    /// `frame` events that could not be decoded and were left out.
    pub bad_frames: u64,
    /// Frames trunkd reported dropping (its buffer for us was full).
    pub dropped: u64,
    /// Why the capture ended.
    pub reason: StopReason,
}

/// Errors from [`capture`].
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Talking to trunkd failed (including its refusal of `capture`).
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The output could not be opened.
    #[error("cannot open the capture output: {0}")]
    Open(io::Error),
    /// Writing the output failed.
    #[error("writing the capture failed after {frames} frames: {source}")]
    Write {
        /// Frames written before the failure.
        frames: u64,
        /// The failure.
        source: io::Error,
    },
}

fn pcap_io(e: PcapError) -> io::Error {
    match e {
        PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

/// Captures span `span` through `client`. `open` is called once trunkd has
/// accepted the capture, with its result, to create the output (so nothing
/// is created when trunkd refuses).
pub fn capture<W, F>(
    client: &mut Client,
    span: u32,
    open: F,
    limits: Limits,
    stop: &AtomicBool,
) -> Result<Summary, CaptureError>
where
    W: Write,
    F: FnOnce(&CaptureStarted) -> io::Result<W>,
{
    let raw = client.request("capture", serde_json::json!({ "span": span }))?;
    let started: CaptureStarted = decode("capture", raw)?;
    let out = open(&started).map_err(CaptureError::Open)?;
    let write_err = |frames: u64, source: io::Error| CaptureError::Write { frames, source };
    let mut w =
        LapdPcapWriter::new(out, started.network_side).map_err(|e| write_err(0, pcap_io(e)))?;
    // The header alone makes a valid capture: let a reader see it now.
    match w.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(write_err(0, e)),
        Ok(()) => {}
    }
    let mut summary = Summary {
        started,
        frames: 0,
        bad_frames: 0,
        dropped: 0,
        reason: StopReason::Stopped,
    };
    let t0 = Instant::now();
    let end = limits.duration.map(|d| t0 + d);
    let reason = loop {
        if stop.load(Ordering::Relaxed) {
            break StopReason::Stopped;
        }
        if limits.count.is_some_and(|n| w.frames() >= n) {
            break StopReason::Count;
        }
        let now = Instant::now();
        let wait = match end {
            Some(end) if now >= end => break StopReason::Time,
            Some(end) => POLL.min(end - now),
            None => POLL,
        };
        let ev = match client.next_event(Some(wait)) {
            Ok(Some(ev)) => ev,
            Ok(None) => continue,
            Err(ClientError::Disconnected { .. }) => break StopReason::Disconnected,
            Err(e) => return Err(e.into()),
        };
        if ev.get("event").and_then(Value::as_str) != Some("frame") {
            continue;
        }
        summary.dropped += ev
            .get("dropped_before")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let frame: FrameEvent = match serde_json::from_value(ev) {
            Ok(f) => f,
            Err(_) => {
                summary.bad_frames += 1;
                continue;
            }
        };
        if frame.span != span {
            continue;
        }
        let Ok(bytes) = frame.bytes() else {
            summary.bad_frames += 1;
            continue;
        };
        let written = w
            .write_frame(frame.is_tx(), frame.unix_us, &bytes)
            .map_err(pcap_io)
            .and_then(|()| w.flush());
        match written {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break StopReason::OutputClosed,
            Err(e) => return Err(write_err(w.frames(), e)),
        }
    };
    summary.frames = w.frames();
    summary.reason = reason;
    match w.finish() {
        Ok(_) => Ok(summary),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            summary.reason = StopReason::OutputClosed;
            Ok(summary)
        }
        Err(e) => Err(write_err(summary.frames, e)),
    }
}
