//! The call-centre report of `trunkd --demo`, tallied from the ACD's
//! events: per queue offered, answered, abandoned, service level, average
//! speed of answer, longest wait; per agent answered and talk time. The
//! same figures go to `acd_stats.csv` unless the daemon's own statistics
//! (`acd_stats`) have data.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::{AgentDef, SERVICE_LEVEL_S};

/// One queue's figures.
#[derive(Debug, Default, Clone, Copy)]
pub struct QueueTally {
    /// Calls queued.
    pub offered: u32,
    /// Calls an agent answered.
    pub answered: u32,
    /// Callers who hung up while queued.
    pub abandoned: u32,
    /// Calls sent elsewhere (overflow, no agents, max wait).
    pub overflowed: u32,
    /// Answered within the service level.
    pub in_sl: u32,
    /// Sum of the waits of the answered calls, ms.
    pub wait_ms: u64,
    /// Longest wait, answered or not, ms.
    pub longest_ms: u64,
    /// Talk time of the released calls, ms.
    pub talk_ms: u64,
    /// Released calls.
    pub released: u32,
}

impl QueueTally {
    fn add(&mut self, o: &QueueTally) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.overflowed += o.overflowed;
        self.in_sl += o.in_sl;
        self.wait_ms += o.wait_ms;
        self.longest_ms = self.longest_ms.max(o.longest_ms);
        self.talk_ms += o.talk_ms;
        self.released += o.released;
    }
}

/// One agent's figures.
#[derive(Debug, Default, Clone, Copy)]
pub struct AgentTally {
    /// Calls answered.
    pub answered: u32,
    /// Offers not answered (ring no answer, busy, failed).
    pub missed: u32,
    /// Talk time of the released calls, ms.
    pub talk_ms: u64,
}

/// Everything counted from the events.
#[derive(Debug, Default)]
pub struct Tally {
    /// Per queue.
    pub queues: BTreeMap<String, QueueTally>,
    /// Per agent.
    pub agents: BTreeMap<u32, AgentTally>,
    /// Every call the ACD queued.
    pub queued_calls: BTreeSet<u64>,
    /// Where the callers left the IVR (the last node of their path).
    pub ivr_ends: BTreeMap<String, u32>,
}

impl Tally {
    /// Count one event.
    pub fn event(&mut self, e: &Value) {
        let q = e["queue"].as_str().unwrap_or("").to_owned();
        let wait = e["wait_ms"].as_u64().unwrap_or(0);
        let agent = e["agent"].as_u64().and_then(|a| u32::try_from(a).ok());
        match e["event"].as_str().unwrap_or("") {
            "acd_queued" => {
                self.queues.entry(q).or_default().offered += 1;
                if let Some(c) = e["call"].as_u64() {
                    self.queued_calls.insert(c);
                }
            }
            "acd_answered" => {
                let t = self.queues.entry(q).or_default();
                t.answered += 1;
                t.wait_ms += wait;
                t.longest_ms = t.longest_ms.max(wait);
                if wait <= SERVICE_LEVEL_S * 1000 {
                    t.in_sl += 1;
                }
                if let Some(a) = agent {
                    self.agents.entry(a).or_default().answered += 1;
                }
            }
            "acd_abandoned" => {
                let t = self.queues.entry(q).or_default();
                t.abandoned += 1;
                t.longest_ms = t.longest_ms.max(wait);
            }
            "acd_overflowed" => {
                let t = self.queues.entry(q).or_default();
                t.overflowed += 1;
                t.longest_ms = t.longest_ms.max(wait);
            }
            "acd_missed" => {
                if let Some(a) = agent {
                    self.agents.entry(a).or_default().missed += 1;
                }
            }
            "acd_released" => {
                let talk = e["talk_ms"].as_u64().unwrap_or(0);
                let t = self.queues.entry(q).or_default();
                t.talk_ms += talk;
                t.released += 1;
                if let Some(a) = agent {
                    self.agents.entry(a).or_default().talk_ms += talk;
                }
            }
            "ivr_finished" => {
                let end = if e["abandoned"] == Value::Bool(true) {
                    "abandoned"
                } else {
                    e["path"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .rev()
                        .find(|n| *n != "abandoned" && *n != "tell")
                        .unwrap_or("-")
                };
                *self.ivr_ends.entry(end.to_owned()).or_default() += 1;
            }
            _ => {}
        }
    }

    /// All queues together.
    pub fn all(&self) -> QueueTally {
        let mut t = QueueTally::default();
        for q in self.queues.values() {
            t.add(q);
        }
        t
    }
}

/// `n` of `of` as a percentage, `-` when `of` is 0.
pub fn pct(n: u32, of: u32) -> String {
    if of == 0 {
        "  -".to_owned()
    } else {
        format!("{:>3.0}%", f64::from(n) * 100.0 / f64::from(of))
    }
}

/// Milliseconds as seconds with one decimal; `-` for none.
fn secs(ms: Option<u64>) -> String {
    ms.map_or("-".to_owned(), |ms| format!("{:.1} s", ms as f64 / 1000.0))
}

/// Average of `sum` over `n`.
fn avg(sum: u64, n: u32) -> Option<u64> {
    (n > 0).then(|| sum / u64::from(n))
}

/// Minutes and seconds.
fn mmss(ms: u64) -> String {
    format!("{}:{:02}", ms / 60_000, (ms / 1000) % 60)
}

fn queue_row(name: &str, t: &QueueTally) {
    println!(
        "    {name:<8} {:>7} {:>8} {:>9} {:>8} {:>8} {:>12} {:>9}",
        t.offered,
        t.answered,
        t.abandoned,
        pct(t.in_sl, t.answered + t.abandoned),
        secs(avg(t.wait_ms, t.answered)),
        secs((t.offered > 0).then_some(t.longest_ms)),
        secs(avg(t.talk_ms, t.released)),
    );
}

/// Print the report.
pub fn print(t: &Tally, agents: &[AgentDef]) {
    println!("[demo] call-centre report, from the ACD's events (service level: answered within {SERVICE_LEVEL_S} s");
    println!("  of the calls answered or abandoned; ASA: average speed of answer):");
    println!(
        "    {:<8} {:>7} {:>8} {:>9} {:>8} {:>8} {:>12} {:>9}",
        "QUEUE", "OFFERED", "ANSWERED", "ABANDONED", "SL 20s", "ASA", "LONGEST WAIT", "AVG TALK"
    );
    for (name, q) in &t.queues {
        queue_row(name, q);
    }
    let all = t.all();
    queue_row("all", &all);
    println!(
        "    {:<5} {:<7} {:<20} {:>8} {:>6} {:>9} {:>8}",
        "AGENT", "NAME", "SKILLS (LEVEL)", "ANSWERED", "MISSED", "TALK TIME", "AVG TALK"
    );
    for (id, name, skills) in agents {
        let a = t.agents.get(id).copied().unwrap_or_default();
        println!(
            "    {id:<5} {name:<7} {:<20} {:>8} {:>6} {:>9} {:>8}",
            super::skills_text(skills),
            a.answered,
            a.missed,
            mmss(a.talk_ms),
            secs(avg(a.talk_ms, a.answered)),
        );
    }
    let ends: Vec<String> = t.ivr_ends.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "  where the callers left the IVR (last node): {}",
        ends.join(", ")
    );
    println!("  answered by agents: {}", all.answered);
}

/// Write `acd_stats.csv`: the daemon's statistics (`acd_stats`) when they
/// have data, else the event tally. Returns where the figures came from.
pub fn write_csv(
    path: &Path,
    stats: &Value,
    t: &Tally,
    agents: &[AgentDef],
) -> Result<&'static str, String> {
    let from_stats = stats_csv(stats);
    let (text, from) = match from_stats {
        Some(s) => (s, "from acd_stats"),
        None => (tally_csv(t, agents), "tallied from the ACD events"),
    };
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(from)
}

fn tally_csv(t: &Tally, agents: &[AgentDef]) -> String {
    let mut s = String::from(
        "kind,name,offered,answered,abandoned,overflowed,service_level_pct,asa_ms,longest_wait_ms,talk_ms,missed\n",
    );
    let sl = |q: &QueueTally| {
        let of = q.answered + q.abandoned;
        if of == 0 {
            String::new()
        } else {
            format!("{:.1}", f64::from(q.in_sl) * 100.0 / f64::from(of))
        }
    };
    let mut queues: Vec<(String, QueueTally)> =
        t.queues.iter().map(|(k, v)| (k.clone(), *v)).collect();
    queues.push(("all".to_owned(), t.all()));
    for (name, q) in &queues {
        let _ = writeln!(
            s,
            "queue,{name},{},{},{},{},{},{},{},{},",
            q.offered,
            q.answered,
            q.abandoned,
            q.overflowed,
            sl(q),
            avg(q.wait_ms, q.answered).map_or(String::new(), |v| v.to_string()),
            q.longest_ms,
            q.talk_ms
        );
    }
    for (id, name, _) in agents {
        let a = t.agents.get(id).copied().unwrap_or_default();
        let _ = writeln!(
            s,
            "agent,{id} {name},,{},,,,,,{},{}",
            a.answered, a.talk_ms, a.missed
        );
    }
    s
}

/// The daemon's statistics as CSV: one section per list of records in the
/// reply (`# KEY`, a header of the records' scalar fields, one line each).
/// `None` when the reply has no records.
fn stats_csv(stats: &Value) -> Option<String> {
    let mut s = String::new();
    for (key, v) in stats.as_object()? {
        let Some(rows) = v.as_array().filter(|r| r.iter().any(Value::is_object)) else {
            continue;
        };
        let mut cols: Vec<&str> = Vec::new();
        for r in rows.iter().filter_map(Value::as_object) {
            for (k, x) in r {
                if !x.is_object() && !x.is_array() && !cols.contains(&k.as_str()) {
                    cols.push(k);
                }
            }
        }
        let _ = writeln!(s, "# {key}\n{}", cols.join(","));
        for r in rows {
            let cells: Vec<String> = cols
                .iter()
                .map(|c| match &r[*c] {
                    Value::Null => String::new(),
                    Value::String(x) => x.replace(',', ";"),
                    x => x.to_string(),
                })
                .collect();
            let _ = writeln!(s, "{}", cells.join(","));
        }
    }
    (!s.is_empty()).then_some(s)
}
