//! The ACD commands of `trunkctl`: `queues`, `agents` and `stats`, and the
//! CSV rendering of an `acd_stats` reply.
//!
//! The CSV is made here from the reply's JSON, and the daemon's
//! `Report::to_csv_queues`/`to_csv_agents` call [`queues_csv`] and
//! [`agents_csv`] too, so `trunkctl stats --csv` and the daemon's CSV are
//! the same bytes.
//!
//! ```text
//! QUEUE  START     OFFERED  ANSWERED  ABANDONED  SHORT  OVERFLOWED  WAITING    SL%       ASA       AHT   LONGEST
//! sales  00:15:00       12        10          2      1           0        0  88.89  00:00:14  00:03:20  00:01:02
//! ```

use std::io;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{Map, Value};

use crate::calls_cli::{emit, Res, Session};
use crate::client::Client;
use crate::render::duration;
use crate::table::{Align, Table};

/// Shown for an empty cell.
const NONE: &str = "-";

/// The CSV columns of a queue row, in order (the `QueueInterval` fields).
pub const QUEUE_COLUMNS: [&str; 21] = [
    "queue",
    "start_ms",
    "interval_ms",
    "offered",
    "answered",
    "answered_in_sl",
    "service_level_ms",
    "sl_pct",
    "abandoned",
    "abandoned_short",
    "overflowed",
    "overflowed_by_reason",
    "waiting",
    "answered_wait_ms",
    "asa_ms",
    "longest_wait_ms",
    "handled",
    "talk_ms",
    "hold_ms",
    "wrap_ms",
    "aht_ms",
];

/// The CSV columns of an agent row, in order (the `AgentInterval` fields).
pub const AGENT_COLUMNS: [&str; 18] = [
    "agent",
    "start_ms",
    "interval_ms",
    "offered",
    "answered",
    "missed",
    "missed_ring_no_answer",
    "missed_busy",
    "missed_failed",
    "login_ms",
    "ready_ms",
    "ring_ms",
    "talk_ms",
    "hold_ms",
    "wrap_ms",
    "not_ready_ms",
    "not_ready_by_reason",
    "occupancy_pct",
];

/// ACD queues, agents and statistics.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum AcdCommand {
    /// Show the ACD queues: calls waiting, longest wait, agents
    #[command(long_about = "\
Show the ACD queues.

Columns:
  QUEUE     queue name               SKILL     skill its agents need
  STRATEGY  how an agent is chosen   WAITING   calls in the queue now
  LONGEST   wait of the oldest call  LOGGED-IN / READY / BUSY  its agents")]
    Queues,
    /// Show the ACD agents: state, current call, calls answered and missed
    #[command(long_about = "\
Show the ACD agents.

Columns:
  AGENT     agent number             NAME / ENDPOINT  who and where (TG/NUMBER)
  STATE     logged_out, not_ready, ready, ringing, talking, held, wrap_up
  REASON    not-ready reason code    SINCE     board time the state began
  CALL      the call it is on        ANSWERED / MISSED  calls since login
  SKILLS    skill=level")]
    Agents,
    /// ACD statistics per interval: queues, or agents with --agents
    #[command(long_about = "\
ACD statistics per interval (board time), from trunkd's statistics.

Queue rows count the calls queued in the interval: SL% is the calls \
answered within the queue's service level over answered plus abandoned \
(short abandons excluded); ASA the average wait of answered calls; AHT the \
average talk + hold + wrap-up. Agent rows split state times exactly at \
interval boundaries; OCC% is talk + hold + wrap-up over logged-in time \
minus not-ready time. --csv prints every field (RFC 4180) for a \
spreadsheet; --json the raw reply.")]
    Stats {
        /// Report interval in minutes (a multiple of the configured one)
        #[arg(long, value_name = "MIN", value_parser = clap::value_parser!(u64).range(1..=44_640))]
        interval: Option<u64>,
        /// Only this queue
        #[arg(long, value_name = "Q")]
        queue: Option<String>,
        /// Only this agent (implies --agents)
        #[arg(long, value_name = "N")]
        agent: Option<u32>,
        /// Print CSV instead of a table
        #[arg(long)]
        csv: bool,
        /// Show the agent rows instead of the queue rows
        #[arg(long)]
        agents: bool,
    },
}

/// The `acd_stats` arguments for the given options (absent ones left out).
pub fn stats_args(interval: Option<u64>, queue: Option<&str>, agent: Option<u32>) -> Value {
    let mut m = Map::new();
    if let Some(i) = interval {
        m.insert("interval_min".into(), i.into());
    }
    if let Some(q) = queue {
        m.insert("queue".into(), q.into());
    }
    if let Some(a) = agent {
        m.insert("agent".into(), a.into());
    }
    Value::Object(m)
}

/// Runs one of the commands.
pub fn run(cmd: &AcdCommand, s: &Session) -> Res<ExitCode> {
    let (request, args) = match cmd {
        AcdCommand::Queues => ("acd_queues", Value::Null),
        AcdCommand::Agents => ("acd_agents", Value::Null),
        AcdCommand::Stats {
            interval,
            queue,
            agent,
            csv,
            ..
        } => {
            if *csv && s.json {
                return Err("use either --csv or --json".into());
            }
            ("acd_stats", stats_args(*interval, queue.as_deref(), *agent))
        }
    };
    let mut c = Client::connect_with_timeout(&s.socket, s.timeout)?;
    let v = c.request(request, args)?;
    let text = if s.json {
        format!("{v}\n")
    } else {
        match cmd {
            AcdCommand::Queues => queues_text(&v),
            AcdCommand::Agents => agents_text(&v),
            AcdCommand::Stats {
                csv, agents, agent, ..
            } => {
                let agents = *agents || agent.is_some();
                match (csv, agents) {
                    (true, false) => queues_csv(&v),
                    (true, true) => agents_csv(&v),
                    (false, false) => stats_queues_text(&v),
                    (false, true) => stats_agents_text(&v),
                }
            }
        }
    };
    emit(&mut io::stdout().lock(), &text)?;
    Ok(ExitCode::SUCCESS)
}

/// A JSON value as table text: `-` for null or absent.
fn s(v: &Value) -> String {
    match v {
        Value::Null => NONE.into(),
        Value::String(x) => x.clone(),
        other => other.to_string(),
    }
}

/// Milliseconds as `HH:MM:SS`, `-` when absent.
fn ms(v: &Value) -> String {
    v.as_u64().map_or_else(|| NONE.into(), duration)
}

/// A percentage with two decimals, `-` when absent.
fn pct(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| NONE.into(), |p| format!("{p:.2}"))
}

/// An object as `k=v,k=v` (`-` when empty or absent).
fn pairs(v: &Value, sep: &str) -> String {
    let Some(m) = v.as_object().filter(|m| !m.is_empty()) else {
        return NONE.into();
    };
    m.iter()
        .map(|(k, v)| format!("{k}={}", s(v)))
        .collect::<Vec<_>>()
        .join(sep)
}

fn rows<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v[key].as_array().into_iter().flatten()
}

/// The `acd_queues` reply as a table.
pub fn queues_text(v: &Value) -> String {
    let mut t = Table::new(&[
        ("QUEUE", Align::Left),
        ("SKILL", Align::Left),
        ("STRATEGY", Align::Left),
        ("WAITING", Align::Right),
        ("LONGEST", Align::Right),
        ("LOGGED-IN", Align::Right),
        ("READY", Align::Right),
        ("BUSY", Align::Right),
    ]);
    for q in rows(v, "queues") {
        t.push([
            s(&q["name"]),
            s(&q["skill"]),
            s(&q["strategy"]),
            s(&q["waiting"]),
            ms(&q["longest_wait_ms"]),
            s(&q["agents_logged_in"]),
            s(&q["agents_ready"]),
            s(&q["agents_busy"]),
        ]);
    }
    t.render()
}

/// The `acd_agents` reply as a table.
pub fn agents_text(v: &Value) -> String {
    let mut t = Table::new(&[
        ("AGENT", Align::Right),
        ("NAME", Align::Left),
        ("ENDPOINT", Align::Left),
        ("STATE", Align::Left),
        ("REASON", Align::Right),
        ("SINCE", Align::Right),
        ("CALL", Align::Right),
        ("ANSWERED", Align::Right),
        ("MISSED", Align::Right),
        ("SKILLS", Align::Left),
    ]);
    for a in rows(v, "agents") {
        t.push([
            s(&a["agent"]),
            s(&a["name"]),
            s(&a["endpoint"]),
            s(&a["state"]),
            s(&a["reason"]),
            ms(&a["since_ms"]),
            s(&a["call"]),
            s(&a["answered"]),
            s(&a["missed"]),
            pairs(&a["skills"], ","),
        ]);
    }
    t.render()
}

fn interval_line(v: &Value) -> String {
    let min = v["interval_ms"].as_u64().map_or(NONE.into(), |i| {
        let m = i as f64 / 60_000.0;
        format!("{m} min")
    });
    format!("interval {min}, board time now {}\n", ms(&v["now_ms"]))
}

/// The queue rows of an `acd_stats` reply as a table.
pub fn stats_queues_text(v: &Value) -> String {
    let mut t = Table::new(&[
        ("QUEUE", Align::Left),
        ("START", Align::Left),
        ("OFFERED", Align::Right),
        ("ANSWERED", Align::Right),
        ("ABANDONED", Align::Right),
        ("SHORT", Align::Right),
        ("OVERFLOWED", Align::Right),
        ("WAITING", Align::Right),
        ("SL%", Align::Right),
        ("ASA", Align::Right),
        ("AHT", Align::Right),
        ("LONGEST", Align::Right),
    ]);
    for q in rows(v, "queues") {
        t.push([
            s(&q["queue"]),
            ms(&q["start_ms"]),
            s(&q["offered"]),
            s(&q["answered"]),
            s(&q["abandoned"]),
            s(&q["abandoned_short"]),
            s(&q["overflowed"]),
            s(&q["waiting"]),
            pct(&q["sl_pct"]),
            ms(&q["asa_ms"]),
            ms(&q["aht_ms"]),
            ms(&q["longest_wait_ms"]),
        ]);
    }
    interval_line(v) + &t.render()
}

/// The agent rows of an `acd_stats` reply as a table.
pub fn stats_agents_text(v: &Value) -> String {
    let mut t = Table::new(&[
        ("AGENT", Align::Right),
        ("START", Align::Left),
        ("OFFERED", Align::Right),
        ("ANSWERED", Align::Right),
        ("MISSED", Align::Right),
        ("LOGIN", Align::Right),
        ("READY", Align::Right),
        ("TALK", Align::Right),
        ("HOLD", Align::Right),
        ("WRAP", Align::Right),
        ("NOT-READY", Align::Right),
        ("OCC%", Align::Right),
        ("NOT-READY BY REASON", Align::Left),
    ]);
    for a in rows(v, "agents") {
        let reasons = a["not_ready_by_reason"]
            .as_object()
            .map_or(NONE.into(), |m| {
                let v: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", ms(v))).collect();
                if v.is_empty() {
                    NONE.into()
                } else {
                    v.join(",")
                }
            });
        t.push([
            s(&a["agent"]),
            ms(&a["start_ms"]),
            s(&a["offered"]),
            s(&a["answered"]),
            s(&a["missed"]),
            ms(&a["login_ms"]),
            ms(&a["ready_ms"]),
            ms(&a["talk_ms"]),
            ms(&a["hold_ms"]),
            ms(&a["wrap_ms"]),
            ms(&a["not_ready_ms"]),
            pct(&a["occupancy_pct"]),
            reasons,
        ]);
    }
    interval_line(v) + &t.render()
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or
/// LF, with quotes doubled.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A JSON value as a CSV cell: empty for null or absent, objects as
/// `k=v;k=v`.
fn csv_cell(v: &Value) -> String {
    let text = match v {
        Value::Null => String::new(),
        Value::String(x) => x.clone(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", csv_cell(v)))
            .collect::<Vec<_>>()
            .join(";"),
        Value::Array(a) => a.iter().map(csv_cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    };
    csv_field(&text)
}

fn csv(v: &Value, key: &str, columns: &[&str]) -> String {
    let mut out = columns.join(",");
    out.push_str("\r\n");
    for row in rows(v, key) {
        let cells: Vec<String> = columns.iter().map(|c| csv_cell(&row[*c])).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The queue rows of an `acd_stats` reply as CSV ([`QUEUE_COLUMNS`]).
pub fn queues_csv(v: &Value) -> String {
    csv(v, "queues", &QUEUE_COLUMNS)
}

/// The agent rows of an `acd_stats` reply as CSV ([`AGENT_COLUMNS`]).
pub fn agents_csv(v: &Value) -> String {
    csv(v, "agents", &AGENT_COLUMNS)
}

#[cfg(test)]
mod tests;
