//! The call-control, event and capture commands of `trunkctl`: `calls`,
//! `dial`, `answer`, `hangup`, `restart`, `events` and `capture`.
//!
//! Their command-line definitions live here (flattened into `trunkctl`'s
//! command list) together with the code that runs them, so that the binary
//! stays small and this can be unit tested.

use std::error::Error;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Subcommand;
use serde_json::{json, Value};

use crate::api::{CallsReply, CaptureStarted, Dialled, Subscription};
use crate::capture::{self, Limits, StopReason, Summary};
use crate::client::{decode, Client};
use crate::{events, render};

/// Result of a command: its exit code, or an error to print.
pub type Res<T> = Result<T, Box<dyn Error>>;

/// How long `events` waits for an event before waiting again.
const EVENT_WAIT: Duration = Duration::from_secs(3600);

/// Call control, events and D-channel capture.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum CallCommand {
    /// List calls in progress (with --recent, also recently ended ones)
    #[command(long_about = "\
List calls in progress (with --recent, also recently ended ones).

Columns:
  CALL   call id                  SPAN/CH  span and B-channel
  TG     trunk group              DIR      in (from the far end) or out (dialled)
  ANI    calling number           DNIS     called number
  STATE  ringing, dialing, proceeding, alerting, progress, answered, cleared
  AGE/DURATION  time since the call started, or from start to end once ended
  CAUSE  Q.850 cause and who cleared the call (remote, local, timer, protocol)")]
    Calls {
        /// Also list recently ended calls
        #[arg(long)]
        recent: bool,
    },
    /// Place a call on a trunk group; prints its call id, span and channel
    Dial {
        /// Trunk group to place the call on
        #[arg(value_name = "TRUNKGROUP")]
        trunk_group: String,
        /// Number to call (digits, * and #)
        number: String,
        /// Calling number to send
        #[arg(long, value_name = "CLI")]
        from: Option<String>,
    },
    /// Answer an inbound call
    Answer {
        /// Call id (see `trunkctl calls`)
        call: u64,
    },
    /// Clear a call, or reject an inbound one
    Hangup {
        /// Call id (see `trunkctl calls`)
        call: u64,
        /// Q.850 cause to send [default: 16, normal call clearing]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=127))]
        cause: Option<u8>,
    },
    /// Send a Q.931 RESTART for a B-channel or a whole span
    Restart {
        /// Span to restart
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        span: u32,
        /// Only restart this B-channel (timeslot)
        #[arg(long, value_name = "C", value_parser = clap::value_parser!(u32).range(1..=31))]
        channel: Option<u32>,
    },
    /// Print call and link events as they happen, one line each
    #[command(long_about = "\
Print call and link events as they happen, one line each, prefixed with the \
time they were received (UTC); with --json the raw event objects. Runs until \
interrupted, or until --count events have been printed.

Event kinds: call_incoming, call_dialing, call_proceeding, call_alerting, \
call_progress, call_answered, call_number_complete, call_more_digits, \
call_cleared, link, restart, protocol_error. A --filter ending in * matches \
a prefix (call_*).")]
    Events {
        /// Only events of this kind (repeatable; call_* matches a prefix)
        #[arg(long = "filter", value_name = "KIND")]
        filter: Vec<String>,
        /// Only events of this span
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        span: Option<u32>,
        /// Only events of this trunk group
        #[arg(long, value_name = "TG")]
        trunk_group: Option<String>,
        /// Only events of this call
        #[arg(long, value_name = "ID")]
        call: Option<u64>,
        /// Exit after this many events
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        count: Option<u64>,
    },
    /// Capture a span's D-channel (LAPD/Q.931) to a pcap file for Wireshark
    #[command(long_about = "\
Capture a span's D-channel (LAPD/Q.931) to a pcap file for Wireshark.

Frames are written with link type LINUX_LAPD (177), whose pseudo-header \
records whether trunkd sent or received each frame and whether it is the \
network side, so Wireshark decodes commands and responses correctly. The \
capture runs until --count frames, --seconds, or SIGINT/SIGTERM (Ctrl-C); \
the file is complete whatever ends it, and the number of frames written is \
printed (on standard error with -w -).

With -w - the capture goes to standard output, for a live view:
  trunkctl capture 1 -w - | wireshark -k -i -")]
    Capture {
        /// Span whose D-channel to capture
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        span: u32,
        /// pcap file to write (- for standard output)
        #[arg(short = 'w', long = "write", value_name = "FILE", required = true)]
        write: PathBuf,
        /// Stop after this many frames
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        count: Option<u64>,
        /// Stop after this many seconds (fractions allowed)
        #[arg(long, value_name = "S", value_parser = parse_seconds)]
        seconds: Option<Duration>,
    },
}

/// Parses a number of seconds (fractions allowed, > 0, at most a day).
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!("'{s}' is not between 0 and 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Where and how to reach trunkd, and how to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Control socket.
    pub socket: PathBuf,
    /// Bound on each wait for a reply.
    pub timeout: Duration,
    /// Print raw JSON instead of text.
    pub json: bool,
}

impl Session {
    fn connect(&self) -> Res<Client> {
        Ok(Client::connect_with_timeout(&self.socket, self.timeout)?)
    }

    /// Prints `raw` as one JSON line with `--json`, otherwise `text`.
    fn output(&self, raw: &Value, text: impl FnOnce() -> Res<String>) -> Res<()> {
        let out = if self.json {
            format!("{raw}\n")
        } else {
            text()?
        };
        emit(&mut io::stdout().lock(), &out)?;
        Ok(())
    }
}

/// Writes `text` and flushes; a closed pipe (`trunkctl events | head`)
/// is reported as `Ok(false)`.
pub fn emit(out: &mut impl Write, text: &str) -> io::Result<bool> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}

/// Current Unix time in milliseconds.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs one of the commands.
pub fn run(cmd: &CallCommand, s: &Session) -> Res<ExitCode> {
    match cmd {
        CallCommand::Calls { recent } => {
            let args = if *recent {
                json!({ "recent": true })
            } else {
                Value::Null
            };
            let raw = s.connect()?.request("calls", args)?;
            s.output(&raw, || {
                let reply: CallsReply = decode("calls", raw.clone())?;
                Ok(render::calls(&reply, now_ms()))
            })?;
        }
        CallCommand::Dial {
            trunk_group,
            number,
            from,
        } => {
            let mut args = json!({ "trunk_group": trunk_group, "number": number });
            if let Some(from) = from {
                args["from"] = json!(from);
            }
            let raw = s.connect()?.request("dial", args)?;
            s.output(&raw, || {
                let d: Dialled = decode("dial", raw.clone())?;
                let channel = d.channel.map_or("not yet chosen".into(), |c| c.to_string());
                Ok(format!(
                    "call {} to {number} on span {} channel {channel}\n",
                    d.call, d.span
                ))
            })?;
        }
        CallCommand::Answer { call } => {
            let raw = s.connect()?.answer(*call)?;
            s.output(&raw, || Ok(format!("call {call}: answered\n")))?;
        }
        CallCommand::Hangup { call, cause } => {
            let raw = s.connect()?.hangup(*call, *cause)?;
            let cause = raw
                .get("cause")
                .and_then(Value::as_u64)
                .or(cause.map(u64::from))
                .unwrap_or(16);
            let name = u8::try_from(cause).map_or("?", trunk_isdn::q931::cause_name);
            s.output(&raw, || {
                Ok(format!(
                    "call {call}: clearing with cause {cause} ({name})\n"
                ))
            })?;
        }
        CallCommand::Restart { span, channel } => {
            let raw = s.connect()?.restart(*span, *channel)?;
            s.output(&raw, || {
                Ok(match channel {
                    Some(c) => format!("span {span} channel {c}: RESTART sent\n"),
                    None => format!("span {span}: RESTART of the whole interface sent\n"),
                })
            })?;
        }
        CallCommand::Events {
            filter,
            span,
            trunk_group,
            call,
            count,
        } => {
            let sub = Subscription {
                events: filter.clone(),
                span: *span,
                trunk_group: trunk_group.clone(),
                call: *call,
            };
            return events(s, &sub, *count);
        }
        CallCommand::Capture {
            span,
            write,
            count,
            seconds,
        } => {
            let limits = Limits {
                count: *count,
                duration: *seconds,
            };
            return capture_cmd(s, *span, write, limits);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `trunkctl events`: subscribe and print events until `count` or forever.
fn events(s: &Session, sub: &Subscription, count: Option<u64>) -> Res<ExitCode> {
    let mut client = s.connect()?;
    client.subscribe(sub)?;
    if !s.json && io::stderr().is_terminal() {
        eprintln!("waiting for events (Ctrl-C to stop)");
    }
    let mut printed = 0u64;
    let mut out = io::stdout().lock();
    while count.is_none_or(|n| printed < n) {
        let Some(ev) = client.next_event(Some(EVENT_WAIT))? else {
            continue;
        };
        let line = if s.json {
            format!("{ev}\n")
        } else {
            format!("{}\n", events::event_line(&ev, now_ms()))
        };
        if !emit(&mut out, &line)? {
            break;
        }
        printed += 1;
    }
    Ok(ExitCode::SUCCESS)
}

/// `trunkctl capture`: write a span's D-channel frames to a pcap file.
fn capture_cmd(s: &Session, span: u32, path: &Path, limits: Limits) -> Res<ExitCode> {
    let to_stdout = path == Path::new("-");
    if to_stdout && io::stdout().is_terminal() {
        return Err("refusing to write a binary capture to a terminal; \
                    redirect standard output or use -w FILE"
            .into());
    }
    // SIGINT/SIGTERM end the capture cleanly; a second one exits at once.
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 130, stop.clone())?;
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let mut client = s.connect()?;
    let open = |started: &CaptureStarted| -> io::Result<Box<dyn Write>> {
        if !s.json && io::stderr().is_terminal() {
            eprintln!(
                "capturing span {} ({} side) to {}; Ctrl-C to stop",
                started.span,
                if started.network_side {
                    "network"
                } else {
                    "user"
                },
                if to_stdout {
                    "standard output".into()
                } else {
                    path.display().to_string()
                }
            );
        }
        Ok(if to_stdout {
            Box::new(io::stdout())
        } else {
            Box::new(BufWriter::new(File::create(path)?))
        })
    };
    let summary = capture::capture(&mut client, span, open, limits, &stop)?;
    let report = capture_report(&summary, path, s.json);
    if to_stdout {
        eprint!("{report}");
    } else {
        emit(&mut io::stdout().lock(), &report)?;
    }
    if summary.reason == StopReason::Disconnected {
        return Err(format!(
            "trunkd closed the connection; the capture ends after {} frames",
            summary.frames
        )
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// What `capture` prints when it ends.
pub fn capture_report(summary: &Summary, path: &Path, json: bool) -> String {
    let file = if path == Path::new("-") {
        "-".to_string()
    } else {
        path.display().to_string()
    };
    if json {
        return format!(
            "{}\n",
            json!({
                "span": summary.started.span,
                "file": file,
                "frames": summary.frames,
                "network_side": summary.started.network_side,
                "stopped_by": summary.reason.name(),
                "bad_frames": summary.bad_frames,
                "dropped": summary.dropped,
            })
        );
    }
    let target = if file == "-" {
        "standard output".to_string()
    } else {
        file
    };
    let mut out = format!(
        "{} frame{} of span {} written to {target}\n",
        summary.frames,
        if summary.frames == 1 { "" } else { "s" },
        summary.started.span
    );
    if summary.dropped > 0 {
        out.push_str(&format!(
            "warning: trunkd dropped {} frames it could not send fast enough\n",
            summary.dropped
        ));
    }
    if summary.bad_frames > 0 {
        out.push_str(&format!(
            "warning: {} undecodable frame events were left out\n",
            summary.bad_frames
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(frames: u64, dropped: u64) -> Summary {
        Summary {
            started: CaptureStarted {
                span: 2,
                network_side: true,
                linktype: 177,
            },
            frames,
            bad_frames: 0,
            dropped,
            reason: StopReason::Count,
        }
    }

    #[test]
    fn seconds_parsing() {
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("x").is_err());
    }

    #[test]
    fn capture_reports() {
        assert_eq!(
            capture_report(&summary(1, 0), Path::new("d.pcap"), false),
            "1 frame of span 2 written to d.pcap\n"
        );
        let text = capture_report(&summary(7, 3), Path::new("-"), false);
        assert!(
            text.starts_with("7 frames of span 2 written to standard output\n"),
            "{text}"
        );
        assert!(text.contains("dropped 3 frames"), "{text}");
        let v: Value =
            serde_json::from_str(&capture_report(&summary(7, 0), Path::new("x"), true)).unwrap();
        assert_eq!(v["frames"], 7);
        assert_eq!(v["stopped_by"], "count");
        assert_eq!(v["network_side"], true);
    }
}
