//! `trunkctl cdr tail`: the last call detail records as a table, and with
//! `--follow` each new one as it is written.
//!
//! ```text
//! ENDED                 CALL  TG    DIR  ANI      DNIS     DISPOSITION  CAUSE                      DURATION  IVR PATH
//! 2024-05-01 12:36:00Z     7  pstn  in   8880001  5551234  answered     16 (normal call clearing)  00:01:04  welcome>menu
//! ```

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use serde_json::{json, Value};

use crate::api::Subscription;
use crate::calls_cli::{emit, Res, Session};
use crate::render::duration;
use crate::table::{Align, Table};

/// Shown for an empty cell.
const NONE: &str = "-";
/// How long `--follow` waits for an event before waiting again.
const EVENT_WAIT: Duration = Duration::from_secs(3600);

/// Call detail records.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum CdrCommand {
    /// Print the last call detail records (with --follow, then each new one)
    #[command(long_about = "\
Print the last call detail records, oldest first, read back from trunkd's \
CDR file; with --json the records themselves, one JSON line each. With \
--follow, then print each new record as its call ends, until interrupted.

Columns:
  ENDED        when the call ended (UTC)   CALL  call id
  TG           trunk group                 DIR   in or out
  ANI / DNIS   calling / called number
  DISPOSITION  answered, no_answer, busy, rejected, failed, abandoned
  CAUSE        Q.850 cause                 DURATION  arrival to end
  IVR PATH     IVR steps the call went through")]
    Tail {
        /// How many records
        #[arg(short = 'n', long = "lines", value_name = "N", default_value_t = 20,
              value_parser = clap::value_parser!(u64).range(1..=1000))]
        lines: u64,
        /// Keep printing records as calls end
        #[arg(short = 'f', long)]
        follow: bool,
    },
}

/// Runs a `cdr` command.
pub fn run(cmd: &CdrCommand, s: &Session) -> Res<ExitCode> {
    let CdrCommand::Tail { lines, follow } = cmd;
    let mut client = crate::Client::connect_with_timeout(&s.socket, s.timeout)?;
    if *follow {
        // Subscribe first so no call ending in between is missed.
        client.subscribe(&Subscription {
            events: vec!["call_cleared".into()],
            ..Subscription::default()
        })?;
    }
    let reply = client.request("cdr", json!({ "limit": lines }))?;
    let mut recent = records(&reply);
    let extra = recent.len().saturating_sub(*lines as usize);
    recent.drain(..extra);
    let mut out = io::stdout().lock();
    if let Some(e) = reply.get("read_error").and_then(Value::as_str) {
        eprintln!("trunkctl: cannot read the CDR file: {e}");
    }
    let text = if s.json {
        json_lines(&recent)
    } else if recent.is_empty() {
        if *follow {
            String::new()
        } else {
            "no call detail records\n".to_string()
        }
    } else {
        table(&recent)
    };
    if !emit(&mut out, &text)? || !*follow {
        return Ok(ExitCode::SUCCESS);
    }
    let mut last_seq = recent.iter().filter_map(|r| r["seq"].as_u64()).max();
    loop {
        let Some(ev) = client.next_event(Some(EVENT_WAIT))? else {
            continue;
        };
        if ev["event"] != "call_cleared" {
            continue;
        }
        let seq = ev["cdr_seq"].as_u64();
        if seq.is_some_and(|q| last_seq.is_some_and(|l| q <= l)) {
            continue;
        }
        let Some(call) = ev["call"].as_u64() else {
            continue;
        };
        let reply = client.request("cdr", json!({ "call": call, "limit": 1 }))?;
        let Some(rec) = records(&reply).pop() else {
            eprintln!("trunkctl: call {call} ended but its record was not found");
            continue;
        };
        last_seq = last_seq.max(rec["seq"].as_u64());
        let line = if s.json {
            format!("{rec}\n")
        } else {
            format!("{}\n", follow_line(&rec))
        };
        if !emit(&mut out, &line)? {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

/// The records of a `cdr` reply, those in the file then those still
/// waiting to be written, oldest first.
pub fn records(reply: &Value) -> Vec<Value> {
    let mut all: Vec<Value> = ["records", "pending"]
        .iter()
        .filter_map(|k| reply.get(*k).and_then(Value::as_array))
        .flatten()
        .cloned()
        .collect();
    all.sort_by_key(|r| r["seq"].as_u64());
    all.dedup_by_key(|r| r["seq"].as_u64());
    all
}

/// One JSON line per record.
pub fn json_lines(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => NONE.to_string(),
    }
}

/// `2024-05-01T12:36:00.250Z` as `2024-05-01 12:36:00Z`.
fn when(v: &Value) -> String {
    match v.as_str() {
        Some(t) if t.len() >= 19 => format!("{} {}Z", &t[..10], &t[11..19]),
        _ => NONE.to_string(),
    }
}

fn cause(r: &Value) -> String {
    match r["cause"].as_u64() {
        Some(c) => match r["cause_text"].as_str().filter(|t| !t.is_empty()) {
            Some(t) => format!("{c} ({t})"),
            None => c.to_string(),
        },
        None => NONE.to_string(),
    }
}

fn ivr_path(r: &Value) -> String {
    let steps: Vec<&str> = r["ivr_path"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if steps.is_empty() {
        NONE.to_string()
    } else {
        steps.join(">")
    }
}

fn dur(r: &Value) -> String {
    r["duration_ms"]
        .as_u64()
        .map_or_else(|| NONE.to_string(), duration)
}

/// The records as a table, oldest first.
pub fn table(records: &[Value]) -> String {
    let mut t = Table::new(&[
        ("ENDED", Align::Left),
        ("CALL", Align::Right),
        ("TG", Align::Left),
        ("DIR", Align::Left),
        ("ANI", Align::Left),
        ("DNIS", Align::Left),
        ("DISPOSITION", Align::Left),
        ("CAUSE", Align::Left),
        ("DURATION", Align::Right),
        ("IVR PATH", Align::Left),
    ]);
    for r in records {
        t.push([
            when(&r["ended"]),
            text(&r["call"]),
            text(&r["trunk_group"]),
            text(&r["direction"]),
            text(&r["ani"]),
            text(&r["dnis"]),
            text(&r["disposition"]),
            cause(r),
            dur(r),
            ivr_path(r),
        ]);
    }
    t.render()
}

/// One record on one line, as `--follow` prints them.
pub fn follow_line(r: &Value) -> String {
    format!(
        "{} call={} tg={} dir={} ani={} dnis={} disposition={} cause={} duration={} ivr={}",
        when(&r["ended"]),
        text(&r["call"]),
        text(&r["trunk_group"]),
        text(&r["direction"]),
        text(&r["ani"]),
        text(&r["dnis"]),
        text(&r["disposition"]),
        cause(r),
        dur(r),
        ivr_path(r)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn rec(seq: u64, call: u64) -> Value {
        json!({"cdr_version": 1, "seq": seq, "call": call, "trunk_group": "pstn",
               "direction": "in", "ani": "8880001", "dnis": "5551234",
               "ended": "2024-05-01T12:36:00.250Z", "duration_ms": 64_250,
               "disposition": "answered", "cause": 16, "cause_text": "normal call clearing",
               "ivr_path": ["welcome", "menu"]})
    }

    #[test]
    fn table_columns() {
        let mut busy = rec(2, 9);
        busy["ani"] = json!("");
        busy["disposition"] = json!("busy");
        busy["cause"] = json!(17);
        busy["cause_text"] = json!("user busy");
        busy["ivr_path"] = json!([]);
        busy["duration_ms"] = json!(1_000);
        let text = table(&[rec(1, 7), busy]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "ENDED                 CALL  TG    DIR  ANI      DNIS     DISPOSITION  CAUSE                      DURATION  IVR PATH",
                "2024-05-01 12:36:00Z     7  pstn  in   8880001  5551234  answered     16 (normal call clearing)  00:01:04  welcome>menu",
                "2024-05-01 12:36:00Z     9  pstn  in   -        5551234  busy         17 (user busy)             00:00:01  -",
            ]
        );
    }

    #[test]
    fn follow_lines_and_json() {
        assert_eq!(
            follow_line(&rec(1, 7)),
            "2024-05-01 12:36:00Z call=7 tg=pstn dir=in ani=8880001 dnis=5551234 \
             disposition=answered cause=16 (normal call clearing) duration=00:01:04 ivr=welcome>menu"
        );
        let text = json_lines(&[rec(1, 7), rec(2, 8)]);
        let back: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back, [rec(1, 7), rec(2, 8)]);
    }

    #[test]
    fn records_merge_file_and_pending_in_order() {
        let reply = json!({"records": [rec(1, 7), rec(2, 8)], "pending": [rec(3, 9), rec(2, 8)]});
        let seqs: Vec<u64> = records(&reply)
            .iter()
            .filter_map(|r| r["seq"].as_u64())
            .collect();
        assert_eq!(seqs, [1, 2, 3]);
        assert!(records(&json!({})).is_empty());
    }

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: CdrCommand,
    }

    #[test]
    fn arguments() {
        let p = |a: &[&str]| Cli::try_parse_from(std::iter::once("x").chain(a.iter().copied()));
        assert_eq!(
            p(&["tail"]).unwrap().cmd,
            CdrCommand::Tail {
                lines: 20,
                follow: false
            }
        );
        assert_eq!(
            p(&["tail", "-n", "5", "--follow"]).unwrap().cmd,
            CdrCommand::Tail {
                lines: 5,
                follow: true
            }
        );
        assert!(p(&["tail", "-n", "0"]).is_err());
        assert!(p(&["tail", "-n", "1001"]).is_err());
    }
}
