//! Where things are in a flows file: byte ranges of flows' keys, nodes and
//! node fields, attach rules, lists and calendars, so that errors found
//! after parsing can still name a line.
//!
//! Built best-effort: each section is indexed on its own, and a section
//! whose shape is wrong just has no positions (its errors come without a line).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::IgnoredAny;
use serde::Deserialize;
use toml::Spanned;

type Fields = BTreeMap<String, Spanned<IgnoredAny>>;

#[derive(Deserialize, Default)]
struct AttachIdx {
    #[serde(default)]
    attach: Vec<Spanned<Fields>>,
}

#[derive(Deserialize, Default)]
struct ListsIdx {
    #[serde(default)]
    lists: BTreeMap<String, Spanned<Fields>>,
    #[serde(default)]
    calendars: BTreeMap<String, Spanned<Fields>>,
}

#[derive(Deserialize, Default)]
struct FlowsIdx {
    #[serde(default)]
    flows: BTreeMap<String, FlowIdx>,
}

#[derive(Deserialize, Default)]
struct FlowIdx {
    start: Option<Spanned<IgnoredAny>>,
    languages: Option<Spanned<IgnoredAny>>,
    on_hangup: Option<Spanned<IgnoredAny>>,
    #[serde(default)]
    nodes: BTreeMap<String, Spanned<Fields>>,
}

/// Byte ranges of one table and its keys' values.
#[derive(Debug, Default, Clone)]
pub struct TableSpans {
    /// The whole table (its header, for `[a.b]` tables).
    pub whole: Option<Range<usize>>,
    /// Each key's value.
    pub keys: BTreeMap<String, Range<usize>>,
}

impl TableSpans {
    fn from(s: &Spanned<Fields>) -> TableSpans {
        TableSpans {
            whole: Some(s.span()),
            keys: s
                .get_ref()
                .iter()
                .map(|(k, v)| (k.clone(), v.span()))
                .collect(),
        }
    }

    /// The value of `key`, else the table.
    pub fn at(&self, key: Option<&str>) -> Option<Range<usize>> {
        key.and_then(|k| self.keys.get(k).cloned())
            .or_else(|| self.whole.clone())
    }
}

/// Positions in one flow.
#[derive(Debug, Default, Clone)]
pub struct FlowSpans {
    /// `start`, `languages`, `on_hangup`.
    pub keys: BTreeMap<String, Range<usize>>,
    /// Nodes by name.
    pub nodes: BTreeMap<String, TableSpans>,
}

/// Positions in a flows file.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    /// Top-level keys' values.
    pub top: BTreeMap<String, Range<usize>>,
    /// `[[attach]]` tables, in order.
    pub attach: Vec<TableSpans>,
    /// `[lists.NAME]`.
    pub lists: BTreeMap<String, TableSpans>,
    /// `[calendars.NAME]`.
    pub calendars: BTreeMap<String, TableSpans>,
    /// `[flows.NAME]`.
    pub flows: BTreeMap<String, FlowSpans>,
}

impl SpanIndex {
    /// Indexes `text` (which already parsed as TOML).
    pub fn build(text: &str) -> SpanIndex {
        let mut idx = SpanIndex::default();
        if let Ok(a) = toml::from_str::<AttachIdx>(text) {
            idx.attach = a.attach.iter().map(TableSpans::from).collect();
        }
        if let Ok(l) = toml::from_str::<ListsIdx>(text) {
            let conv = |m: &BTreeMap<String, Spanned<Fields>>| {
                m.iter()
                    .map(|(k, v)| (k.clone(), TableSpans::from(v)))
                    .collect()
            };
            idx.lists = conv(&l.lists);
            idx.calendars = conv(&l.calendars);
        }
        if let Ok(f) = toml::from_str::<FlowsIdx>(text) {
            for (name, flow) in f.flows {
                let mut fs = FlowSpans::default();
                for (k, v) in [
                    ("start", &flow.start),
                    ("languages", &flow.languages),
                    ("on_hangup", &flow.on_hangup),
                ] {
                    if let Some(v) = v {
                        fs.keys.insert(k.to_owned(), v.span());
                    }
                }
                fs.nodes = flow
                    .nodes
                    .iter()
                    .map(|(k, v)| (k.clone(), TableSpans::from(v)))
                    .collect();
                idx.flows.insert(name, fs);
            }
        }
        if let Ok(top) = toml::from_str::<Fields>(text) {
            idx.top = top.iter().map(|(k, v)| (k.clone(), v.span())).collect();
        }
        idx
    }
}

/// 1-based (line, column) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |p| before.len() - p - 1)
        + 1;
    (line, col)
}

/// Byte range of the value of `key = ...` when exactly one line of `text`
/// assigns `key` (used for keys the index cannot see, such as typos).
pub fn unique_key_line(text: &str, key: &str) -> Option<Range<usize>> {
    let mut found = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let is_key = trimmed
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if is_key {
            if found.is_some() {
                return None;
            }
            let start = offset + (line.len() - trimmed.len());
            found = Some(start..start + trimmed.trim_end().len());
        }
        offset += line.len();
    }
    found
}
