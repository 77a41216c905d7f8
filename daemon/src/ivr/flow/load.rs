//! Reading a flows file: TOML -> [`FlowSet`], collecting every error.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;

use super::clock::{parse_date, parse_month_day};
use super::error::{FlowError, FlowErrors};
use super::lists::check_list_entry;
use super::model::{Attach, Calendar, Flow, FlowSet, NumberList};
use super::nodes::{self, check_prompt_name};
use super::spans::{line_col, unique_key_line, SpanIndex, TableSpans};
use super::validate;

/// Reads, parses and validates a flows file.
///
/// `prompt_dir`: when given, every prompt must exist there for every
/// language of its flow. `trunk_groups`: the configured trunk groups; when
/// not empty, `attach` and `transfer` may only name these.
pub fn load(
    path: &Path,
    prompt_dir: Option<&Path>,
    trunk_groups: &[String],
) -> Result<FlowSet, FlowErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        FlowErrors(vec![FlowError {
            file: path.to_owned(),
            line: None,
            column: None,
            flow: None,
            node: None,
            message: format!("cannot read: {e}"),
        }])
    })?;
    parse_str(path, &text, prompt_dir, trunk_groups)
}

/// Parses and validates flows-file text; `file` is only used in messages.
pub fn parse_str(
    file: &Path,
    text: &str,
    prompt_dir: Option<&Path>,
    trunk_groups: &[String],
) -> Result<FlowSet, FlowErrors> {
    let mut cx = Ctx {
        file,
        text,
        spans: SpanIndex::default(),
        trunk_groups,
        node_names: BTreeMap::new(),
        broken_flows: BTreeSet::new(),
        errors: Vec::new(),
    };
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let message = format!(
                "invalid TOML: {}",
                e.message().trim_end().replace('\n', "; ")
            );
            cx.push(e.span(), None, None, message);
            return Err(FlowErrors(cx.errors));
        }
    };
    cx.spans = SpanIndex::build(text);
    let mut set = FlowSet {
        file: file.to_owned(),
        flows: BTreeMap::new(),
        attach: Vec::new(),
        lists: BTreeMap::new(),
        calendars: BTreeMap::new(),
    };
    for (key, value) in table {
        match key.as_str() {
            "attach" => set.attach = cx.attach(value),
            "lists" => set.lists = cx.lists(value),
            "calendars" => set.calendars = cx.calendars(value),
            "flows" => set.flows = cx.flows(value),
            _ => {
                let at = cx.spans.top.get(&key).cloned();
                cx.push(
                    at,
                    None,
                    None,
                    format!("unknown key `{key}` (expected attach, lists, calendars, flows)"),
                );
            }
        }
    }
    validate::attach(&mut cx, &set);
    validate::flows(&mut cx, &set, prompt_dir);
    if cx.errors.is_empty() {
        Ok(set)
    } else {
        cx.errors
            .sort_by_key(|e| (e.line.is_none(), e.line, e.column));
        Err(FlowErrors(cx.errors))
    }
}

/// Loading state: where errors go and what is known so far.
pub(super) struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
    pub(super) spans: SpanIndex,
    /// Configured trunk groups (empty: not checked).
    pub(super) trunk_groups: &'a [String],
    /// Every node name of every flow, including nodes that failed to load,
    /// so that references to a broken node are not reported twice.
    pub(super) node_names: BTreeMap<String, BTreeSet<String>>,
    /// Flows with a node that failed to load: graph checks are skipped.
    pub(super) broken_flows: BTreeSet<String>,
    pub(super) errors: Vec<FlowError>,
}

impl Ctx<'_> {
    /// Records an error at a byte range of the file (if known).
    /// A top-level table (`what`: "attach", "list `x`"...) did not deserialise.
    fn table_err(&mut self, spans: &TableSpans, e: &toml::de::Error, what: &str) {
        let (field, message) = de_error(e);
        self.push(
            spans.at(field.as_deref()),
            None,
            None,
            format!("{what}: {message}"),
        );
    }

    pub(super) fn push(
        &mut self,
        at: Option<Range<usize>>,
        flow: Option<&str>,
        node: Option<&str>,
        message: String,
    ) {
        let (line, column) = match at {
            Some(r) => {
                let (l, c) = line_col(self.text, r.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.errors.push(FlowError {
            file: self.file.to_owned(),
            line,
            column,
            flow: flow.map(str::to_owned),
            node: node.map(str::to_owned),
            message,
        });
    }

    /// An error in a node, at `field` when known.
    pub(super) fn node_err(
        &mut self,
        flow: &str,
        node: &str,
        field: Option<&str>,
        message: String,
    ) {
        let at = self
            .spans
            .flows
            .get(flow)
            .and_then(|f| f.nodes.get(node))
            .and_then(|n| n.at(field));
        self.push(at, Some(flow), Some(node), message);
    }

    /// An error in a flow's own keys.
    pub(super) fn flow_err(&mut self, flow: &str, key: Option<&str>, message: String) {
        let at = self.spans.flows.get(flow).and_then(|f| {
            let first = f
                .keys
                .values()
                .chain(f.nodes.values().filter_map(|n| n.whole.as_ref()))
                .min_by_key(|r| r.start)
                .cloned();
            key.and_then(|k| f.keys.get(k).cloned())
                .or_else(|| key.and_then(|k| unique_key_line(self.text, k)))
                .or(first)
        });
        self.push(at, Some(flow), None, message);
    }

    fn attach(&mut self, value: toml::Value) -> Vec<Attach> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawAttach {
            trunk_group: String,
            dnis: Option<String>,
            flow: String,
        }
        let toml::Value::Array(items) = value else {
            self.push(
                None,
                None,
                None,
                "`attach` is not an array of tables ([[attach]])".into(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let spans = self.spans.attach.get(i).cloned().unwrap_or_default();
            match item.try_into::<RawAttach>() {
                Ok(a) => {
                    if let Some(d) = &a.dnis {
                        if let Err(e) = check_dnis(d) {
                            self.push(spans.at(Some("dnis")), None, None, format!("attach: {e}"));
                        }
                    }
                    out.push(Attach {
                        trunk_group: a.trunk_group,
                        dnis: a.dnis,
                        flow: a.flow,
                    });
                }
                Err(e) => {
                    self.table_err(&spans, &e, "attach");
                }
            }
        }
        out
    }

    fn lists(&mut self, value: toml::Value) -> BTreeMap<String, NumberList> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawList {
            numbers: Vec<String>,
        }
        let mut out = BTreeMap::new();
        for (name, v) in self.named_tables("lists", value) {
            let spans = self.spans.lists.get(&name).cloned().unwrap_or_default();
            match v.try_into::<RawList>() {
                Ok(l) => {
                    for n in &l.numbers {
                        if let Err(e) = check_list_entry(n) {
                            self.push(
                                spans.at(Some("numbers")),
                                None,
                                None,
                                format!("list `{name}`: {e}"),
                            );
                        }
                    }
                    out.insert(name, NumberList { entries: l.numbers });
                }
                Err(e) => {
                    self.table_err(&spans, &e, &format!("list `{name}`"));
                }
            }
        }
        out
    }

    fn calendars(&mut self, value: toml::Value) -> BTreeMap<String, Calendar> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawCalendar {
            #[serde(default)]
            dates: Vec<toml::Value>,
            #[serde(default)]
            yearly: Vec<String>,
        }
        let mut out = BTreeMap::new();
        for (name, v) in self.named_tables("calendars", value) {
            let spans = self.spans.calendars.get(&name).cloned().unwrap_or_default();
            let raw = match v.try_into::<RawCalendar>() {
                Ok(r) => r,
                Err(e) => {
                    self.table_err(&spans, &e, &format!("calendar `{name}`"));
                    continue;
                }
            };
            let mut cal = Calendar::default();
            for d in &raw.dates {
                // A quoted "2026-10-01" or a TOML date 2026-10-01.
                let text = match d {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                        dt.to_string()
                    }
                    other => other.to_string(),
                };
                match parse_date(&text) {
                    Ok(date) => {
                        cal.dates.insert(date);
                    }
                    Err(e) => self.push(
                        spans.at(Some("dates")),
                        None,
                        None,
                        format!("calendar `{name}`: {e}"),
                    ),
                }
            }
            for y in &raw.yearly {
                match parse_month_day(y) {
                    Ok(md) => {
                        cal.yearly.insert(md);
                    }
                    Err(e) => self.push(
                        spans.at(Some("yearly")),
                        None,
                        None,
                        format!("calendar `{name}`: {e}"),
                    ),
                }
            }
            out.insert(name, cal);
        }
        out
    }

    fn named_tables(&mut self, section: &str, value: toml::Value) -> Vec<(String, toml::Value)> {
        match value {
            toml::Value::Table(t) => t.into_iter().collect(),
            _ => {
                let at = self.spans.top.get(section).cloned();
                self.push(
                    at,
                    None,
                    None,
                    format!("`{section}` is not a table of named tables"),
                );
                Vec::new()
            }
        }
    }

    fn flows(&mut self, value: toml::Value) -> BTreeMap<String, Flow> {
        #[derive(Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        struct RawFlow {
            start: Option<String>,
            #[serde(default)]
            languages: Vec<String>,
            on_hangup: Option<String>,
        }
        let mut out = BTreeMap::new();
        for (name, v) in self.named_tables("flows", value) {
            let toml::Value::Table(mut table) = v else {
                self.flow_err(&name, None, "a flow is a table ([flows.NAME])".into());
                continue;
            };
            // Nodes are read one by one, so that a typo in the flow's own
            // keys does not hide the nodes' errors.
            let raw_nodes = match table.remove("nodes") {
                Some(toml::Value::Table(t)) => t,
                Some(_) => {
                    self.flow_err(&name, None, "`nodes` is not a table of nodes".into());
                    self.broken_flows.insert(name.clone());
                    toml::Table::new()
                }
                None => toml::Table::new(),
            };
            let raw = match toml::Value::Table(table).try_into::<RawFlow>() {
                Ok(r) => r,
                Err(e) => {
                    let (field, message) = de_error(&e);
                    self.flow_err(&name, field.as_deref(), message);
                    self.broken_flows.insert(name.clone());
                    RawFlow::default()
                }
            };
            let start = raw.start.unwrap_or_else(|| {
                if !self.broken_flows.contains(&name) {
                    self.flow_err(&name, None, "missing `start` (the first node)".into());
                    self.broken_flows.insert(name.clone());
                }
                String::new()
            });
            let raw = RawFlowFull {
                start,
                languages: raw.languages,
                on_hangup: raw.on_hangup,
                nodes: raw_nodes,
            };
            let mut seen = BTreeSet::new();
            for lang in &raw.languages {
                if !seen.insert(lang) {
                    self.flow_err(
                        &name,
                        Some("languages"),
                        format!("language `{lang}` is listed twice"),
                    );
                }
                let plain = !lang.is_empty()
                    && !lang.contains(['/', '\\'])
                    && check_prompt_name(lang).is_ok();
                if !plain {
                    self.flow_err(
                        &name,
                        Some("languages"),
                        format!("`{lang}` is not a language name (it names a prompt directory)"),
                    );
                }
            }
            self.node_names
                .insert(name.clone(), raw.nodes.keys().cloned().collect());
            let mut nodes = BTreeMap::new();
            for (node_name, nv) in raw.nodes {
                match nodes::convert(self, &name, &raw.languages, &node_name, nv) {
                    Some(n) => {
                        nodes.insert(node_name, n);
                    }
                    None => {
                        self.broken_flows.insert(name.clone());
                    }
                }
            }
            out.insert(
                name.clone(),
                Flow {
                    name,
                    start: raw.start,
                    languages: raw.languages,
                    on_hangup: raw.on_hangup,
                    nodes,
                },
            );
        }
        out
    }
}

struct RawFlowFull {
    start: String,
    languages: Vec<String>,
    on_hangup: Option<String>,
    nodes: toml::Table,
}

/// An attach rule's DNIS: digits, or a prefix of digits ending in '*'.
fn check_dnis(dnis: &str) -> Result<(), String> {
    let body = dnis.strip_suffix('*').unwrap_or(dnis);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '#' | 'A'..='D'))
    {
        return Err(format!(
            "dnis `{dnis}` is not a number or a prefix ending in '*' (leave `dnis` out for the trunk group's default)"
        ));
    }
    Ok(())
}

/// Splits a deserialization error into the field it is about (when it
/// says) and a message.
pub(super) fn de_error(e: &toml::de::Error) -> (Option<String>, String) {
    let message = e
        .message()
        .trim_end()
        .replace('\n', "; ")
        .replace("expected i64", "expected an integer");
    // Errors from a value carry their key path as a last line "in `a.b`".
    let shown = e.to_string();
    let path = shown
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("in `").and_then(|l| l.strip_suffix('`')))
        .map(str::to_owned);
    let field = path
        .as_deref()
        .and_then(|p| p.split('.').next())
        .map(str::to_owned)
        .or_else(|| {
            message
                .strip_prefix("unknown field `")
                .and_then(|m| m.split('`').next())
                .map(str::to_owned)
        });
    let message = match path {
        Some(p) => format!("`{p}`: {message}"),
        None => message,
    };
    (field, message)
}
