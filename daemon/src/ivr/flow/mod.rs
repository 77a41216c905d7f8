//! PROVISIONAL stub of the flow model (replaced by the real loader/validator).
#![allow(missing_docs, dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct FlowSet {
    pub file: PathBuf,
    pub flows: BTreeMap<String, Flow>,
    pub attach: Vec<Attach>,
    pub lists: BTreeMap<String, NumberList>,
    pub calendars: BTreeMap<String, Calendar>,
}
#[derive(Debug, Clone)]
pub struct Attach {
    pub trunk_group: String,
    pub dnis: Option<String>,
    pub flow: String,
}
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub start: String,
    pub languages: Vec<String>,
    pub on_hangup: Option<String>,
    pub nodes: BTreeMap<String, Node>,
}
#[derive(Debug, Clone)]
pub enum Node {
    Play {
        prompts: Vec<String>,
        next: String,
    },
    Menu(Menu),
    SelectLanguage {
        prompt: String,
        options: BTreeMap<String, String>,
        timeout_ms: u64,
        default: String,
        next: String,
    },
    Set {
        vars: BTreeMap<String, String>,
        next: String,
    },
    Compare {
        var: String,
        op: CompareOp,
        value: String,
        then: String,
        otherwise: String,
    },
    Lookup {
        query: String,
        timeout_ms: u64,
        branches: BTreeMap<String, String>,
        default: String,
        timeout: String,
    },
    TimeRoute {
        rules: Vec<TimeRule>,
        calendar: Option<String>,
        holiday: Option<String>,
        default: String,
    },
    Screen {
        black: Option<String>,
        vip: Option<String>,
        vip_next: Option<String>,
        busy_ms: u64,
        next: String,
    },
    Voicemail {
        prompt: Option<String>,
        mailbox: String,
        max_seconds: u32,
        beep: bool,
        next: String,
    },
    Transfer {
        trunk_group: String,
        number: String,
        caller_id: Option<String>,
        timeout_ms: u64,
        prompt: Option<String>,
        failed: String,
    },
    Queue {
        queue: String,
        prompt: Option<String>,
        next: String,
    },
    Script {
        name: String,
        timeout_ms: u64,
        fallback: String,
    },
    Notify {
        name: String,
        next: Option<String>,
    },
    Hangup {
        prompt: Option<String>,
        cause: u8,
    },
}
impl Node {
    pub fn kind_name(&self) -> &'static str {
        "x"
    }
}
#[derive(Debug, Clone)]
pub struct Menu {
    pub prompt: String,
    pub options: BTreeMap<String, String>,
    pub next: Option<String>,
    pub store: Option<String>,
    pub min_digits: u8,
    pub max_digits: u8,
    pub terminator: Option<char>,
    pub first_digit_timeout_ms: u64,
    pub inter_digit_timeout_ms: u64,
    pub attempts: u8,
    pub invalid_prompt: Option<String>,
    pub no_input_prompt: Option<String>,
    pub fallback: String,
}
#[derive(Debug, Clone, Copy)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Prefix,
    In,
    Empty,
    NotEmpty,
}
impl CompareOp {
    pub fn eval(&self, left: &str, right: &str) -> bool {
        left == right
    }
}
#[derive(Debug, Clone)]
pub struct TimeRule {
    pub days: u8,
    pub from_min: u16,
    pub to_min: u16,
    pub next: String,
}
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub dates: BTreeSet<(i32, u8, u8)>,
    pub yearly: BTreeSet<(u8, u8)>,
}
#[derive(Debug, Clone, Default)]
pub struct NumberList {
    pub entries: Vec<String>,
}
impl NumberList {
    pub fn matches(&self, n: &str) -> bool {
        self.entries.iter().any(|e| e == n)
    }
}
pub struct CivilTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub weekday: u8,
    pub minute_of_day: u16,
}
pub fn civil_from_unix_ms(_ms: i64, _off: i32) -> CivilTime {
    CivilTime {
        year: 2026,
        month: 1,
        day: 1,
        weekday: 0,
        minute_of_day: 0,
    }
}
pub enum TimeMatch {
    Holiday,
    Rule(usize),
    Default,
}
pub fn route_time(_r: &[TimeRule], _c: Option<&Calendar>, _t: &CivilTime) -> TimeMatch {
    TimeMatch::Default
}
pub fn expand(t: &str, _vars: &dyn Fn(&str) -> Option<String>) -> String {
    t.to_owned()
}
#[derive(Debug)]
pub struct FlowErrors(pub Vec<String>);
impl std::fmt::Display for FlowErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.join("\n"))
    }
}
pub fn load(_p: &Path, _d: Option<&Path>, _t: &[String]) -> Result<FlowSet, FlowErrors> {
    Ok(FlowSet::default())
}
