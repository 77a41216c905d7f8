//! The IVR commands of `trunkctl`: `flows` and `ivr-run`.

use std::io;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{json, Value};

use crate::calls_cli::{emit, Res, Session};
use crate::client::Client;
use crate::table::{Align, Table};

/// IVR flows.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum IvrCommand {
    /// Show the IVR flows in force, where they attach, the calls in them,
    /// and the errors of a refused reload
    Flows,
    /// Run an IVR flow on a call (at its start or at NODE)
    IvrRun {
        /// Call id
        call: u64,
        /// Flow name
        flow: String,
        /// Node to start at
        #[arg(long)]
        node: Option<String>,
    },
}

/// Runs one of the commands.
pub fn run(cmd: &IvrCommand, s: &Session) -> Res<ExitCode> {
    let mut c = Client::connect_with_timeout(&s.socket, s.timeout)?;
    let v = match cmd {
        IvrCommand::Flows => c.request("flows", Value::Null)?,
        IvrCommand::IvrRun { call, flow, node } => {
            c.request("ivr_run", json!({"call": call, "flow": flow, "node": node}))?
        }
    };
    let text = if s.json {
        format!("{v}\n")
    } else if matches!(cmd, IvrCommand::Flows) {
        flows_text(&v)
    } else {
        format!(
            "call {} in flow {} at node {}\n",
            v["call"],
            v["flow"].as_str().unwrap_or(""),
            v["node"].as_str().unwrap_or("")
        )
    };
    emit(&mut io::stdout().lock(), &text)?;
    let refused = v["reload_errors"].as_array().is_some_and(|e| !e.is_empty());
    Ok(if refused {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(x) => x.clone(),
        other => other.to_string(),
    }
}

/// The `flows` result as text.
pub fn flows_text(v: &Value) -> String {
    let mut out = format!("flows file: {}\n", s(&v["file"]));
    let mut t = Table::new(&[
        ("FLOW", Align::Left),
        ("START", Align::Left),
        ("NODES", Align::Right),
        ("LANGUAGES", Align::Left),
        ("ON HANGUP", Align::Left),
    ]);
    for f in v["flows"].as_array().into_iter().flatten() {
        let langs: Vec<String> = f["languages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(s)
            .collect();
        t.push([
            s(&f["name"]),
            s(&f["start"]),
            s(&f["nodes"]),
            langs.join(","),
            s(&f["on_hangup"]),
        ]);
    }
    out += &t.render();
    let mut a = Table::new(&[
        ("TRUNK GROUP", Align::Left),
        ("DNIS", Align::Left),
        ("FLOW", Align::Left),
    ]);
    for x in v["attach"].as_array().into_iter().flatten() {
        a.push([s(&x["trunk_group"]), s(&x["dnis"]), s(&x["flow"])]);
    }
    if !a.is_empty() {
        out += "\n";
        out += &a.render();
    }
    let ivr = &v["ivr"];
    out += &format!(
        "\nin flows now: {}  started: {}  finished: {}  abandoned: {}  errors: {}\n",
        s(&ivr["in_flows"]),
        s(&ivr["started"]),
        s(&ivr["finished"]),
        s(&ivr["abandoned"]),
        s(&ivr["errors"])
    );
    for c in ivr["calls"].as_array().into_iter().flatten() {
        out += &format!(
            "  call {}: flow {} node {} language {}\n",
            s(&c["call"]),
            s(&c["flow"]),
            s(&c["node"]),
            s(&c["language"])
        );
    }
    if let Some(errs) = v["reload_errors"].as_array().filter(|e| !e.is_empty()) {
        out += "\nthe last reload was REFUSED (the flows above still run):\n";
        for e in errs {
            out += &format!("  {}\n", s(e));
        }
    }
    out
}
