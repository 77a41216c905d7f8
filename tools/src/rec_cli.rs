//! `trunkctl history`, `trunkctl recordings` and `trunkctl record
//! start|stop`: a caller's earlier calls and the recordings search, from
//! trunkd's CDR index, and on-demand call recording.
//!
//! ```text
//! $ trunkctl history 0612345678
//! ARRIVED               CALL  DNIS  DISPOSITION  DURATION  QUEUE  AGENT
//! 2026-11-23 10:04:05Z    57  800   answered     00:03:04  sales   1001
//! $ trunkctl recordings --from 2026-11-23T00:00:00Z --agent 1001
//! ARRIVED               CALL  ANI         DNIS  AGENT  QUEUE  FILES
//! 2026-11-23 10:04:05Z    57  0612345678  800    1001  sales  /var/lib/trunkd/recordings/calls/20261123/57-0612345678.wav
//! ```

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};

use crate::calls_cli::{emit, Res, Session};
use crate::render::duration;
use crate::table::{Align, Table};

/// Shown for an empty cell.
const NONE: &str = "-";

/// `trunkctl record start|stop CALL`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum RecordAction {
    /// Record a call, both directions mixed, to calls/YYYYMMDD/CALL-ANI.wav
    /// in the recording directory (until stopped or the call ends)
    Start {
        /// Call id
        call: u64,
    },
    /// Stop the recording of a call
    Stop {
        /// Call id
        call: u64,
    },
}

/// `trunkctl recordings` filters.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RecordingsArgs {
    /// Calls that arrived at or after T (RFC 3339, e.g. 2026-11-23T10:00:00Z,
    /// or Unix ms)
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// Calls that arrived before T (RFC 3339 or Unix ms)
    #[arg(long, value_name = "T")]
    pub to: Option<String>,
    /// Only calls from this number
    #[arg(long, value_name = "A")]
    pub ani: Option<String>,
    /// Only calls to this number
    #[arg(long, value_name = "D")]
    pub dnis: Option<String>,
    /// Only calls this agent took
    #[arg(long, value_name = "N")]
    pub agent: Option<u32>,
    /// Most calls listed (newest first)
    #[arg(short = 'n', long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub limit: u64,
}

/// History and recordings.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum RecCommand {
    /// Show a caller's last inbound calls, newest first
    #[command(long_about = "\
Show a caller's last inbound calls, newest first, from trunkd's CDR index.

Columns:
  ARRIVED      when the call arrived (UTC)   CALL  call id
  DNIS         number called                 DISPOSITION  answered, abandoned...
  DURATION     arrival to end                QUEUE / AGENT  ACD queue and agent")]
    History {
        /// The calling number
        ani: String,
        /// Most calls listed
        #[arg(short = 'n', long, value_name = "N", default_value_t = 10,
              value_parser = clap::value_parser!(u64).range(1..=1000))]
        limit: u64,
    },
    /// List calls with recordings, newest first, and their files
    Recordings(RecordingsArgs),
}

/// A time argument as the API takes it: Unix ms as a number, else the text.
fn time_arg(t: &str) -> Value {
    match t.parse::<u64>() {
        Ok(ms) => json!(ms),
        Err(_) => json!(t),
    }
}

/// The `recordings` request for `a`.
pub fn recordings_request(a: &RecordingsArgs) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(t) = &a.from {
        m.insert("from".into(), time_arg(t));
    }
    if let Some(t) = &a.to {
        m.insert("to".into(), time_arg(t));
    }
    if let Some(x) = &a.ani {
        m.insert("ani".into(), json!(x));
    }
    if let Some(x) = &a.dnis {
        m.insert("dnis".into(), json!(x));
    }
    if let Some(x) = a.agent {
        m.insert("agent".into(), json!(x));
    }
    m.insert("limit".into(), json!(a.limit));
    m
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => NONE.to_string(),
    }
}

/// `2026-11-23T10:04:05.120Z` as `2026-11-23 10:04:05Z`.
fn when(v: &Value) -> String {
    match v.as_str() {
        Some(t) if t.len() >= 19 && t.is_char_boundary(10) && t.is_char_boundary(19) => {
            format!("{} {}Z", &t[..10], &t[11..19])
        }
        _ => NONE.to_string(),
    }
}

/// A `history` reply as a table.
pub fn history_table(reply: &Value) -> String {
    let list = reply["history"].as_array().map_or(&[][..], Vec::as_slice);
    if list.is_empty() {
        return format!("no calls from {}\n", text(&reply["ani"]));
    }
    let mut t = Table::new(&[
        ("ARRIVED", Align::Left),
        ("CALL", Align::Right),
        ("DNIS", Align::Left),
        ("DISPOSITION", Align::Left),
        ("DURATION", Align::Right),
        ("QUEUE", Align::Left),
        ("AGENT", Align::Right),
    ]);
    for h in list {
        t.push([
            when(&h["start"]),
            text(&h["call"]),
            text(&h["dnis"]),
            text(&h["disposition"]),
            h["duration_s"]
                .as_u64()
                .map_or_else(|| NONE.to_string(), |s| duration(s.saturating_mul(1000))),
            text(&h["queue"]),
            text(&h["agent"]),
        ]);
    }
    t.render()
}

/// A `recordings` reply as a table (the files of a call space-separated).
pub fn recordings_table(reply: &Value) -> String {
    let list = reply["recordings"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    if list.is_empty() {
        return "no recordings\n".into();
    }
    let mut t = Table::new(&[
        ("ARRIVED", Align::Left),
        ("CALL", Align::Right),
        ("ANI", Align::Left),
        ("DNIS", Align::Left),
        ("AGENT", Align::Right),
        ("QUEUE", Align::Left),
        ("FILES", Align::Left),
    ]);
    for r in list {
        let files: Vec<&str> = r["files"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        t.push([
            when(&r["start"]),
            text(&r["call"]),
            text(&r["ani"]),
            text(&r["dnis"]),
            text(&r["agent"]),
            text(&r["queue"]),
            files.join(" "),
        ]);
    }
    t.render()
}

fn ask(s: &Session, cmd: &str, args: Value) -> Res<Value> {
    let mut c = crate::Client::connect_with_timeout(&s.socket, s.timeout)?;
    Ok(c.request(cmd, args)?)
}

fn print(s: &Session, v: &Value, text: impl FnOnce(&Value) -> String) -> Res<()> {
    let out = if s.json { format!("{v}\n") } else { text(v) };
    emit(&mut std::io::stdout().lock(), &out)?;
    Ok(())
}

/// Runs `record start|stop`.
pub fn run_record(a: &RecordAction, s: &Session) -> Res<ExitCode> {
    let (call, action) = match a {
        RecordAction::Start { call } => (*call, "start"),
        RecordAction::Stop { call } => (*call, "stop"),
    };
    let v = ask(s, "record_call", json!({ "call": call, "action": action }))?;
    print(s, &v, |v| match action {
        "start" => format!(
            "call {call}: recording to {} (media_id {})\n",
            text(&v["path"]),
            text(&v["media_id"])
        ),
        _ => format!(
            "call {call}: recording stopped (media_id {})\n",
            text(&v["media_id"])
        ),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `history` or `recordings`.
pub fn run(cmd: &RecCommand, s: &Session) -> Res<ExitCode> {
    match cmd {
        RecCommand::History { ani, limit } => {
            let v = ask(s, "history", json!({ "ani": ani, "limit": limit }))?;
            print(s, &v, history_table)?;
        }
        RecCommand::Recordings(a) => {
            let v = ask(s, "recordings", Value::Object(recordings_request(a)))?;
            print(s, &v, recordings_table)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        let h = json!({"ani": "0612345678", "history": [
            {"call": 57, "start": "2026-11-23T10:04:05.120Z", "start_ms": 1, "disposition": "answered",
             "duration_s": 184, "queue": "sales", "agent": 1001, "dnis": "800"},
            {"call": 12, "start": "2026-11-20T16:30:00.000Z", "start_ms": 0, "disposition": "abandoned",
             "duration_s": 35, "queue": null, "agent": null, "dnis": "800"}]});
        let lines: Vec<String> = history_table(&h).lines().map(str::to_owned).collect();
        assert_eq!(
            lines,
            [
                "ARRIVED               CALL  DNIS  DISPOSITION  DURATION  QUEUE  AGENT",
                "2026-11-23 10:04:05Z    57  800   answered     00:03:04  sales   1001",
                "2026-11-20 16:30:00Z    12  800   abandoned    00:00:35  -          -",
            ]
        );
        assert_eq!(
            history_table(&json!({"ani": "1", "history": []})),
            "no calls from 1\n"
        );
        let r = json!({"recordings": [{"call": 57, "start": "2026-11-23T10:04:05.120Z",
            "ani": "0612345678", "dnis": "800", "agent": 1001, "queue": "sales",
            "files": ["/r/a.wav", "/r/b.wav"]}]});
        let text = recordings_table(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("ARRIVED") && lines[0].ends_with("FILES"));
        assert!(
            lines[1].starts_with("2026-11-23 10:04:05Z    57  0612345678  800")
                && lines[1].ends_with("sales  /r/a.wav /r/b.wav"),
            "{text}"
        );
        assert_eq!(
            recordings_table(&json!({"recordings": []})),
            "no recordings\n"
        );
    }

    #[test]
    fn recordings_arguments_become_the_request() {
        let a = RecordingsArgs {
            from: Some("2026-11-23T10:00:00Z".into()),
            to: Some("1795431600000".into()),
            ani: Some("0612345678".into()),
            dnis: None,
            agent: Some(1001),
            limit: 5,
        };
        assert_eq!(
            Value::Object(recordings_request(&a)),
            json!({"from": "2026-11-23T10:00:00Z", "to": 1_795_431_600_000u64,
                   "ani": "0612345678", "agent": 1001, "limit": 5})
        );
    }
}
