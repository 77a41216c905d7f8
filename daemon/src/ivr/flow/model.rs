//! The validated flow model: what the IVR runtime executes.
//!
//! Everything here has passed [`super::load`]'s checks: every node name a
//! node refers to exists in the same flow, every list and calendar exists,
//! digits are DTMF, times are valid minutes of the day.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// All flows loaded from one flows file, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowSet {
    /// The file the flows came from (for messages).
    pub file: PathBuf,
    /// Flows by name.
    pub flows: BTreeMap<String, Flow>,
    /// Which flow answers a call: first match wins in this order:
    /// exact DNIS match on the trunk group, longest DNIS prefix ("800*"),
    /// trunk-group default (dnis None). See [`FlowSet::attach_for`].
    pub attach: Vec<Attach>,
    /// Caller lists referenced by `screen` nodes, by name.
    pub lists: BTreeMap<String, NumberList>,
    /// Holiday calendars by name.
    pub calendars: BTreeMap<String, Calendar>,
}

impl FlowSet {
    /// The attach rule that answers a call arriving on `trunk_group` for
    /// `dnis`: the exact DNIS rule, else the longest matching prefix rule,
    /// else the trunk group's default rule.
    pub fn attach_for(&self, trunk_group: &str, dnis: &str) -> Option<&Attach> {
        let on_group = || self.attach.iter().filter(|a| a.trunk_group == trunk_group);
        if let Some(a) = on_group().find(|a| a.dnis.as_deref() == Some(dnis)) {
            return Some(a);
        }
        let prefix = on_group()
            .filter_map(|a| {
                let p = a.dnis.as_deref()?.strip_suffix('*')?;
                dnis.starts_with(p).then_some((p.len(), a))
            })
            .max_by_key(|(len, _)| *len);
        if let Some((_, a)) = prefix {
            return Some(a);
        }
        on_group().find(|a| a.dnis.is_none())
    }
}

/// Binds a flow to the calls of a trunk group, optionally by DNIS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attach {
    /// The trunk group the calls arrive on.
    pub trunk_group: String,
    /// "8001" for an exact DNIS, "800*" for a prefix, None for the group's default.
    pub dnis: Option<String>,
    /// The flow that answers.
    pub flow: String,
}

/// One IVR flow: a graph of named nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Name (the key under `[flows]`).
    pub name: String,
    /// The node run when the call enters the flow.
    pub start: String,
    /// Prompt sets: prompts are looked up as "<lang>/<name>" first, then "<name>".
    /// First is the default.
    pub languages: Vec<String>,
    /// Node run when the caller hangs up before the flow ended (abandonment). Only
    /// `set`, `compare`, `notify`, `lookup` and `time_route` nodes may be reached from it.
    pub on_hangup: Option<String>,
    /// Nodes by name.
    pub nodes: BTreeMap<String, Node>,
}

/// One step of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Play prompts, then go on.
    Play {
        /// Prompt names, played in order.
        prompts: Vec<String>,
        /// Next node.
        next: String,
    },
    /// Play-and-collect menu.
    Menu(Menu),
    /// Choose the prompt language: a digit per language.
    SelectLanguage {
        /// Prompt played (in every language, typically).
        prompt: String,
        /// Digit -> language.
        options: BTreeMap<String, String>,
        /// How long to wait for the digit.
        timeout_ms: u64,
        /// Language kept on timeout or invalid digit.
        default: String,
        /// Next node.
        next: String,
    },
    /// Set variables; values are templates ("${ani}", "${digits}", literal text).
    Set {
        /// Variable -> template.
        vars: BTreeMap<String, String>,
        /// Next node.
        next: String,
    },
    /// Compare a variable (template) with a value and branch.
    Compare {
        /// Left side, a template such as "${digits}".
        var: String,
        /// The comparison.
        op: CompareOp,
        /// Right side, a template.
        value: String,
        /// Node when the comparison holds.
        then: String,
        /// Node when it does not.
        otherwise: String,
    },
    /// Ask an API client (subscribed to `ivr_lookup` events); branch on its answer.
    Lookup {
        /// The question, a template.
        query: String,
        /// How long to wait for an answer.
        timeout_ms: u64,
        /// Answer -> node.
        branches: BTreeMap<String, String>,
        /// Node for an answer not in `branches`.
        default: String,
        /// Node when no answer came in time.
        timeout: String,
    },
    /// Time-of-day / day-of-week / holiday routing, on the IVR clock.
    TimeRoute {
        /// Rules, first match wins.
        rules: Vec<TimeRule>,
        /// Holiday calendar name.
        calendar: Option<String>,
        /// Node on a holiday (set exactly when `calendar` is).
        holiday: Option<String>,
        /// Node when no rule matches.
        default: String,
    },
    /// Caller screening: black list -> busy tone for `busy_ms` then release (cause 21);
    /// VIP list -> `vip_next` node; otherwise `next`.
    Screen {
        /// Black list name.
        black: Option<String>,
        /// VIP list name.
        vip: Option<String>,
        /// Node for VIP callers (set exactly when `vip` is).
        vip_next: Option<String>,
        /// Busy tone length for black-listed callers.
        busy_ms: u64,
        /// Node for everybody else.
        next: String,
    },
    /// Voicemail: prompt, beep, record up to max_seconds, '#' ends; saved with caller and time.
    Voicemail {
        /// Greeting.
        prompt: Option<String>,
        /// Mailbox, a template.
        mailbox: String,
        /// Longest message.
        max_seconds: u32,
        /// Beep before recording.
        beep: bool,
        /// Node after the recording.
        next: String,
    },
    /// Transfer: a new outbound call on `trunk_group` to `number` (template), bridged to the caller.
    Transfer {
        /// Trunk group of the outbound call.
        trunk_group: String,
        /// Called number, a template.
        number: String,
        /// Calling number (template); None passes the caller's ANI.
        caller_id: Option<String>,
        /// How long the far end may take to answer.
        timeout_ms: u64,
        /// Played to the caller before dialling.
        prompt: Option<String>,
        /// Node when the transfer fails (busy, no answer, congestion).
        failed: String,
    },
    /// Queue: plays `prompt`, then hands the call to the ACD queue; `next`
    /// only if the ACD refuses the call (unknown queue, ACD not running).
    Queue {
        /// ACD queue name.
        queue: String,
        /// Announcement.
        prompt: Option<String>,
        /// Next node.
        next: String,
    },
    /// Hand the call to an external script over the API; `fallback` if no client takes it in time.
    Script {
        /// Script name announced to API clients.
        name: String,
        /// How long a client has to take the call.
        timeout_ms: u64,
        /// Node when nobody takes it.
        fallback: String,
    },
    /// Publish an `ivr_notify` event with the call's variables (e.g. from on_hangup).
    Notify {
        /// Event name.
        name: String,
        /// Next node; None ends the flow.
        next: Option<String>,
    },
    /// Release the call (optionally after a prompt).
    Hangup {
        /// Played before the release.
        prompt: Option<String>,
        /// Q.850 cause value.
        cause: u8,
    },
}

impl Node {
    /// The `kind` of the node in the flows file: "play", "menu", ...
    pub fn kind_name(&self) -> &'static str {
        match self {
            Node::Play { .. } => "play",
            Node::Menu(_) => "menu",
            Node::SelectLanguage { .. } => "select_language",
            Node::Set { .. } => "set",
            Node::Compare { .. } => "compare",
            Node::Lookup { .. } => "lookup",
            Node::TimeRoute { .. } => "time_route",
            Node::Screen { .. } => "screen",
            Node::Voicemail { .. } => "voicemail",
            Node::Transfer { .. } => "transfer",
            Node::Queue { .. } => "queue",
            Node::Script { .. } => "script",
            Node::Notify { .. } => "notify",
            Node::Hangup { .. } => "hangup",
        }
    }

    /// Every node reference of the node, with the field that holds it
    /// (`next`, `options`, `fallback`, `then`, ...).
    pub fn references(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = Vec::new();
        match self {
            Node::Play { next, .. }
            | Node::SelectLanguage { next, .. }
            | Node::Set { next, .. }
            | Node::Voicemail { next, .. }
            | Node::Queue { next, .. }
            | Node::Screen { next, .. } => out.push(("next", next)),
            Node::Menu(m) => {
                out.extend(m.options.values().map(|n| ("options", n.as_str())));
                out.extend(m.next.as_deref().map(|n| ("next", n)));
                out.push(("fallback", &m.fallback));
            }
            Node::Compare {
                then, otherwise, ..
            } => out.extend([("then", then.as_str()), ("otherwise", otherwise.as_str())]),
            Node::Lookup {
                branches,
                default,
                timeout,
                ..
            } => {
                out.extend(branches.values().map(|n| ("branches", n.as_str())));
                out.extend([("default", default.as_str()), ("timeout", timeout.as_str())]);
            }
            Node::TimeRoute {
                rules,
                holiday,
                default,
                ..
            } => {
                out.extend(rules.iter().map(|r| ("rules", r.next.as_str())));
                out.extend(holiday.as_deref().map(|h| ("holiday", h)));
                out.push(("default", default));
            }
            Node::Transfer { failed, .. } => out.push(("failed", failed)),
            Node::Script { fallback, .. } => out.push(("fallback", fallback)),
            Node::Notify { next, .. } => out.extend(next.as_deref().map(|n| ("next", n))),
            Node::Hangup { .. } => {}
        }
        if let Node::Screen {
            vip_next: Some(v), ..
        } = self
        {
            out.push(("vip_next", v));
        }
        out
    }

    /// Every node name this node can go to (duplicates removed, in the order
    /// of [`Node::references`]).
    pub fn successors(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (_, target) in self.references() {
            if !out.contains(&target) {
                out.push(target);
            }
        }
        out
    }

    /// Whether running the node takes board time (plays, collects, dials,
    /// waits for an API client). Only `set`, `compare`, `time_route`,
    /// `screen` (its non-black paths) and `notify` are instantaneous.
    pub fn waits_for_input(&self) -> bool {
        !matches!(
            self,
            Node::Set { .. }
                | Node::Compare { .. }
                | Node::TimeRoute { .. }
                | Node::Screen { .. }
                | Node::Notify { .. }
        )
    }

    /// Whether the node may run after the caller hung up (in the `on_hangup` part).
    pub fn allowed_after_hangup(&self) -> bool {
        matches!(
            self,
            Node::Set { .. }
                | Node::Compare { .. }
                | Node::Notify { .. }
                | Node::Lookup { .. }
                | Node::TimeRoute { .. }
        )
    }

    /// Every prompt name the node can play.
    pub fn prompts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        match self {
            Node::Play { prompts, .. } => out.extend(prompts.iter().map(String::as_str)),
            Node::Menu(m) => {
                out.push(&m.prompt);
                out.extend(m.invalid_prompt.as_deref());
                out.extend(m.no_input_prompt.as_deref());
            }
            Node::SelectLanguage { prompt, .. } => out.push(prompt),
            Node::Voicemail { prompt, .. }
            | Node::Transfer { prompt, .. }
            | Node::Queue { prompt, .. }
            | Node::Hangup { prompt, .. } => out.extend(prompt.as_deref()),
            _ => {}
        }
        out
    }
}

/// A play-and-collect menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    /// Prompt played at each attempt.
    pub prompt: String,
    /// Digit string -> node. Empty: any input of min..=max digits is valid and goes to `next`.
    pub options: BTreeMap<String, String>,
    /// Node for any valid input when `options` is empty.
    pub next: Option<String>,
    /// Variable that receives the digits (always also in `digits`).
    pub store: Option<String>,
    /// Fewest digits accepted.
    pub min_digits: u8,
    /// Most digits collected.
    pub max_digits: u8,
    /// Digit that ends the input early ('#' typically).
    pub terminator: Option<char>,
    /// Wait for the first digit after the prompt.
    pub first_digit_timeout_ms: u64,
    /// Wait between digits.
    pub inter_digit_timeout_ms: u64,
    /// Attempts in total before `fallback` (default 3).
    pub attempts: u8,
    /// Played after an invalid input.
    pub invalid_prompt: Option<String>,
    /// Played after no input.
    pub no_input_prompt: Option<String>,
    /// Node when the attempts are used up.
    pub fallback: String,
}

/// How a `compare` node compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Less than (numeric when both sides are integers).
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Left starts with right.
    Prefix,
    /// Left is one of the comma-separated values on the right.
    In,
    /// Left is empty.
    Empty,
    /// Left is not empty.
    NotEmpty,
}

/// Days of the week: bit 0 is Monday, bit 6 is Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DaySet(pub u8);

impl DaySet {
    /// Every day.
    pub const ALL: DaySet = DaySet(0x7f);
    /// Day names, Monday first, as written in flows files.
    pub const NAMES: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// Whether `weekday` (0 = Monday) is in the set.
    pub fn contains(self, weekday: u8) -> bool {
        weekday < 7 && self.0 & (1 << weekday) != 0
    }

    /// Adds `weekday` (0 = Monday).
    pub fn insert(&mut self, weekday: u8) {
        if weekday < 7 {
            self.0 |= 1 << weekday;
        }
    }

    /// Parses "daily", "mon-fri", "sat,sun", "fri-mon" (wraps), "tue".
    pub fn parse(text: &str) -> Result<DaySet, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("daily") {
            return Ok(DaySet::ALL);
        }
        let mut set = DaySet::default();
        for part in text.split(',') {
            let part = part.trim();
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (day_index(a)?, day_index(b)?),
                None => {
                    let d = day_index(part)?;
                    (d, d)
                }
            };
            let mut d = a;
            loop {
                set.insert(d);
                if d == b {
                    break;
                }
                d = (d + 1) % 7;
            }
        }
        Ok(set)
    }
}

fn day_index(name: &str) -> Result<u8, String> {
    let name = name.trim().to_ascii_lowercase();
    DaySet::NAMES
        .iter()
        .position(|n| *n == name)
        .and_then(|p| u8::try_from(p).ok())
        .ok_or_else(|| {
            format!("`{name}` is not a day (mon, tue, wed, thu, fri, sat, sun, or `daily`)")
        })
}

/// One time-of-day rule of a `time_route` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeRule {
    /// Days the rule starts on.
    pub days: DaySet,
    /// Start, minutes after midnight (0..1440).
    pub from_min: u16,
    /// End, minutes after midnight, exclusive (1..=1440). When `from_min > to_min`
    /// the rule wraps midnight: the part after midnight belongs to the day it started.
    pub to_min: u16,
    /// Node when the rule matches.
    pub next: String,
}

/// A holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    /// Single dates (year, month, day).
    pub dates: BTreeSet<(i32, u8, u8)>,
    /// Every year on (month, day).
    pub yearly: BTreeSet<(u8, u8)>,
}

impl Calendar {
    /// Whether the date is a holiday.
    pub fn is_holiday(&self, year: i32, month: u8, day: u8) -> bool {
        self.dates.contains(&(year, month, day)) || self.yearly.contains(&(month, day))
    }
}

/// A caller list (black list, VIP list).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberList {
    /// Exact numbers, or prefixes ending in '*'.
    pub entries: Vec<String>,
}
