//! The media commands of `trunkctl`: `play`, `collect`, `send-dtmf`,
//! `record` (and `record start|stop CALL`, see [`crate::rec_cli`]),
//! `bridge`, `unbridge` and `conferences`.
//!
//! A channel is given as a call id (`7`) or as `SPAN/TS` (`1/5`). Commands
//! that end with an event (`play --wait`, `collect`, `send-dtmf --wait`,
//! `record --wait`) subscribe before sending the request, so the event
//! cannot be missed, and print it.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Subcommand;
use serde_json::{json, Map, Value};

use crate::calls_cli::{emit, Res, Session};
use crate::chan::SpanTs;
use crate::client::Client;

/// Longest wait for a media event (a recording may run 4 h).
const MAX_WAIT: Duration = Duration::from_secs(4 * 3600 + 60);

/// A channel on the command line: a call id or `SPAN/TS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The B-channel of this call.
    Call(u64),
    /// A timeslot.
    Chan(SpanTs),
}

impl std::str::FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains('/') {
            s.parse::<SpanTs>()
                .map(Target::Chan)
                .map_err(|e| e.to_string())
        } else {
            s.parse::<u64>()
                .map(Target::Call)
                .map_err(|_| format!("'{s}' is neither a call id nor SPAN/TS (e.g. 1/5)"))
        }
    }
}

impl Target {
    /// The request fields naming the channel.
    pub fn fields(self) -> Map<String, Value> {
        let v = match self {
            Target::Call(c) => json!({ "call": c }),
            Target::Chan(c) => json!({ "span": c.span, "timeslot": c.timeslot }),
        };
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

/// Media on channels.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum MediaCommand {
    /// Play prompts (names relative to the prompt directory) on a channel
    Play {
        /// Call id or SPAN/TS
        target: Target,
        /// Prompt names, played in order
        #[arg(required = true, num_args = 1..)]
        prompts: Vec<String>,
        /// Loop until stopped
        #[arg(long)]
        repeat: bool,
        /// Do not stop on a DTMF digit
        #[arg(long)]
        no_barge_in: bool,
        /// Wait for the play to end and print how
        #[arg(long)]
        wait: bool,
    },
    /// Collect DTMF digits on a channel and print them
    Collect {
        /// Call id or SPAN/TS
        target: Target,
        /// Stop after this many digits
        #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=32))]
        max: u64,
        /// Digits that end the collection, e.g. '#'
        #[arg(long, value_name = "DIGITS", default_value = "")]
        term: String,
        /// Time for the first digit, ms (0: none)
        #[arg(long, value_name = "MS", default_value_t = 5000)]
        first_timeout: u64,
        /// Time between digits, ms (0: none)
        #[arg(long, value_name = "MS", default_value_t = 3000)]
        digit_timeout: u64,
    },
    /// Send DTMF digits (ITU-T Q.23) on a channel
    SendDtmf {
        /// Call id or SPAN/TS
        target: Target,
        /// Digits: 0-9 * # A-D
        digits: String,
        /// Wait until they are sent
        #[arg(long)]
        wait: bool,
    },
    /// Record a channel to a WAV file in the recording directory
    /// (`record TARGET FILE`), or a call on demand (`record start|stop CALL`)
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Record {
        /// Record a call on demand to calls/YYYYMMDD/CALL-ANI.wav
        #[command(subcommand)]
        action: Option<crate::rec_cli::RecordAction>,
        /// Call id or SPAN/TS
        #[arg(required = true)]
        target: Option<Target>,
        /// File name, relative to the recording directory
        #[arg(required = true)]
        file: Option<String>,
        /// Caller on the left, the other side on the right (default: mono mix)
        #[arg(long)]
        stereo: bool,
        /// Longest recording, seconds
        #[arg(long, value_name = "S", default_value_t = 3600)]
        max_seconds: u64,
        /// Digits that end the recording, e.g. '#'
        #[arg(long, value_name = "DIGITS", default_value = "")]
        term: String,
        /// Wait for the file to be complete and print it
        #[arg(long)]
        wait: bool,
    },
    /// Cross-connect two channels (also across spans and boards)
    Bridge {
        /// Call id or SPAN/TS
        a: Target,
        /// Call id or SPAN/TS
        b: Target,
    },
    /// Take apart the bridge or conference a channel is in
    Unbridge {
        /// Call id or SPAN/TS
        target: Target,
    },
    /// List bridges and conferences with their parties
    Conferences,
}

/// Send `cmd` with `args`; when `wait_for` names an event, subscribe first
/// and return that event (the one echoing the reply's `media_id`).
fn ask(s: &Session, cmd: &str, args: Map<String, Value>, wait_for: Option<&str>) -> Res<Value> {
    let mut c: Client = Client::connect_with_timeout(&s.socket, s.timeout)?;
    if let Some(kind) = wait_for {
        c.request("subscribe", json!({ "events": [kind] }))?;
    }
    let reply = c.request(cmd, Value::Object(args))?;
    let Some(kind) = wait_for else {
        return Ok(reply);
    };
    let deadline = Instant::now() + MAX_WAIT;
    while Instant::now() < deadline {
        if let Some(e) = c.next_event(Some(Duration::from_secs(60)))? {
            if e["event"] == kind && e["media_id"] == reply["media_id"] {
                return Ok(e);
            }
        }
    }
    Err(format!("no {kind} event").into())
}

fn print(s: &Session, v: &Value, text: String) -> Res<()> {
    let out = if s.json { format!("{v}\n") } else { text };
    emit(&mut std::io::stdout().lock(), &out)?;
    Ok(())
}

/// One `key=value` line of an object's scalar fields.
fn line(v: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Value::Object(m) = v {
        for (k, x) in m {
            match x {
                Value::String(t) => parts.push(format!("{k}={t}")),
                Value::Object(_) | Value::Array(_) => {}
                other => parts.push(format!("{k}={other}")),
            }
        }
    }
    parts.join(" ") + "\n"
}

/// Runs one of the commands.
pub fn run(cmd: &MediaCommand, s: &Session) -> Res<ExitCode> {
    match cmd {
        MediaCommand::Play {
            target,
            prompts,
            repeat,
            no_barge_in,
            wait,
        } => {
            let mut a = target.fields();
            a.insert("prompts".into(), json!(prompts));
            a.insert("repeat".into(), json!(repeat));
            a.insert("barge_in".into(), json!(!no_barge_in));
            let v = ask(s, "play", a, wait.then_some("play_done"))?;
            print(s, &v, line(&v))?;
        }
        MediaCommand::Collect {
            target,
            max,
            term,
            first_timeout,
            digit_timeout,
        } => {
            let mut a = target.fields();
            a.insert("max_digits".into(), json!(max));
            a.insert("terminators".into(), json!(term));
            a.insert("first_timeout_ms".into(), json!(first_timeout));
            a.insert("inter_digit_timeout_ms".into(), json!(digit_timeout));
            let v = ask(s, "collect", a, Some("collect_done"))?;
            let text = format!(
                "{}\t({})\n",
                v["digits"].as_str().unwrap_or(""),
                v["reason"].as_str().unwrap_or("")
            );
            print(s, &v, text)?;
        }
        MediaCommand::SendDtmf {
            target,
            digits,
            wait,
        } => {
            let mut a = target.fields();
            a.insert("digits".into(), json!(digits));
            let v = ask(s, "send_dtmf", a, wait.then_some("dtmf_sent"))?;
            print(s, &v, line(&v))?;
        }
        MediaCommand::Record {
            action: Some(action),
            ..
        } => return crate::rec_cli::run_record(action, s),
        MediaCommand::Record {
            action: None,
            target,
            file,
            stereo,
            max_seconds,
            term,
            wait,
        } => {
            let (Some(target), Some(file)) = (target, file) else {
                return Err("record: give TARGET FILE, or start|stop CALL".into());
            };
            let mut a = target.fields();
            a.insert("file".into(), json!(file));
            a.insert(
                "channels".into(),
                json!(if *stereo { "stereo" } else { "mono" }),
            );
            a.insert("max_ms".into(), json!(max_seconds.saturating_mul(1000)));
            a.insert("terminators".into(), json!(term));
            let kind = if *wait { Some("record_done") } else { None };
            let v = ask(s, "record", a, kind)?;
            print(s, &v, line(&v))?;
        }
        MediaCommand::Bridge { a, b } => {
            let mut args = a.fields();
            args.insert("with".into(), Value::Object(b.fields()));
            let v = ask(s, "bridge", args, None)?;
            print(s, &v, line(&v))?;
        }
        MediaCommand::Unbridge { target } => {
            let v = ask(s, "unbridge", target.fields(), None)?;
            print(s, &v, line(&v))?;
        }
        MediaCommand::Conferences => {
            let v = ask(s, "conferences", Map::new(), None)?;
            let mut text = String::new();
            for c in v["conferences"].as_array().into_iter().flatten() {
                text += &format!("{}:", c["name"].as_str().unwrap_or("?"));
                for m in c["members"].as_array().into_iter().flatten() {
                    let mut flags = vec![m["mode"].as_str().unwrap_or("").to_string()];
                    for f in ["muted", "deaf", "remote"] {
                        if m[f] == true {
                            flags.push(f.into());
                        }
                    }
                    text += &format!(" {}/{}({})", m["span"], m["timeslot"], flags.join(","));
                }
                text += "\n";
            }
            print(s, &v, text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
