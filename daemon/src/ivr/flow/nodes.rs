//! One node's table in a flows file -> [`Node`], checking every field that
//! can be checked without looking at the rest of the flow.

use std::ops::RangeInclusive;

use super::clock::parse_hhmm;
use super::lists::{check_template, template_vars, valid_var_name};
use super::load::Ctx;
use super::model::{CompareOp, DaySet, Menu, Node, TimeRule};
use super::raw::{RawDays, RawNode, RawRule};

/// Digits a caller can send: 0-9 * # A-D.
pub fn is_dtmf(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D')
}

/// Longest timeout accepted anywhere: one hour.
const MAX_TIMEOUT_MS: i64 = 3_600_000;

/// Converts one node; problems go to `cx`. None when the table is not a node at all.
pub(super) fn convert(
    cx: &mut Ctx<'_>,
    flow: &str,
    languages: &[String],
    name: &str,
    value: toml::Value,
) -> Option<Node> {
    let raw: RawNode = match value.clone().try_into() {
        Ok(r) => r,
        Err(e) => {
            let (field, message) = super::load::de_error(&e);
            let field = field.or_else(|| culprit(&value));
            let message = match &field {
                Some(f) if !message.contains('`') => format!("`{f}`: {message}"),
                _ => message,
            };
            cx.node_err(flow, name, field.as_deref(), message);
            return None;
        }
    };
    let mut n = NodeCx {
        cx,
        flow,
        node: name,
    };
    Some(n.node(raw, languages))
}

/// The key whose value a node cannot be read with: serde does not say
/// which field has the wrong type inside a tagged enum, so find the one
/// whose removal changes the error into "missing field" or no error.
fn culprit(value: &toml::Value) -> Option<String> {
    let table = value.as_table()?;
    table.keys().filter(|k| *k != "kind").find_map(|k| {
        let mut without = table.clone();
        without.remove(k);
        match toml::Value::Table(without).try_into::<RawNode>() {
            Ok(_) => Some(k.clone()),
            Err(e) if e.message().starts_with(&format!("missing field `{k}`")) => Some(k.clone()),
            Err(_) => None,
        }
    })
}

struct NodeCx<'c, 'a> {
    cx: &'c mut Ctx<'a>,
    flow: &'c str,
    node: &'c str,
}

impl NodeCx<'_, '_> {
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.cx
            .node_err(self.flow, self.node, Some(field), message.into());
    }

    fn num<T: TryFrom<i64> + Copy>(
        &mut self,
        field: &str,
        v: Option<i64>,
        default: T,
        range: RangeInclusive<i64>,
    ) -> T {
        let Some(v) = v else { return default };
        match T::try_from(v) {
            Ok(t) if range.contains(&v) => t,
            _ => {
                self.err(
                    field,
                    format!(
                        "`{field}` = {v} is out of range ({}..={})",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
        }
    }

    fn timeout(&mut self, field: &str, v: Option<i64>, default: u64) -> u64 {
        self.num(field, v, default, 1..=MAX_TIMEOUT_MS)
    }

    fn template(&mut self, field: &str, t: &str) {
        if let Err(e) = check_template(t) {
            self.err(field, format!("`{field}`: {e}"));
        }
    }

    fn non_empty(&mut self, field: &str, t: &str) {
        if t.trim().is_empty() {
            self.err(field, format!("`{field}` is empty"));
        }
    }

    fn prompt(&mut self, field: &str, p: &str) {
        if let Err(e) = check_prompt_name(p) {
            self.err(field, format!("`{field}`: {e}"));
        }
    }

    fn opt_prompt(&mut self, field: &str, p: &Option<String>) {
        if let Some(p) = p {
            self.prompt(field, p);
        }
    }

    fn dtmf(&mut self, field: &str, digits: &str) -> bool {
        if digits.is_empty() || !digits.chars().all(is_dtmf) {
            self.err(
                field,
                format!("`{digits}` in `{field}` is not DTMF digits (0-9 * # A-D)"),
            );
            return false;
        }
        true
    }

    fn node(&mut self, raw: RawNode, languages: &[String]) -> Node {
        match raw {
            RawNode::Play { prompts, next } => {
                if prompts.is_empty() {
                    self.err("prompts", "`prompts` is empty");
                }
                for p in &prompts {
                    self.prompt("prompts", p);
                }
                Node::Play { prompts, next }
            }
            RawNode::Menu {
                prompt,
                options,
                next,
                store,
                min_digits,
                max_digits,
                terminator,
                first_digit_timeout_ms,
                inter_digit_timeout_ms,
                attempts,
                invalid_prompt,
                no_input_prompt,
                fallback,
            } => {
                self.prompt("prompt", &prompt);
                self.opt_prompt("invalid_prompt", &invalid_prompt);
                self.opt_prompt("no_input_prompt", &no_input_prompt);
                let min: u8 = self.num("min_digits", min_digits, 1, 1..=32);
                let longest = options.keys().map(|k| k.chars().count()).max().unwrap_or(1);
                let default_max = u8::try_from(longest.clamp(1, 32)).unwrap_or(32).max(min);
                let max: u8 = self.num("max_digits", max_digits, default_max, 1..=32);
                if min > max {
                    self.err(
                        "min_digits",
                        format!("`min_digits` ({min}) is more than `max_digits` ({max})"),
                    );
                }
                for key in options.keys() {
                    if !self.dtmf("options", key) {
                        continue;
                    }
                    let len = key.chars().count();
                    if len > usize::from(max) {
                        self.err(
                            "options",
                            format!("option `{key}` is longer than `max_digits` ({max})"),
                        );
                    } else if len < usize::from(min) {
                        self.err(
                            "options",
                            format!("option `{key}` is shorter than `min_digits` ({min})"),
                        );
                    }
                }
                let terminator = terminator.and_then(|t| {
                    let mut chars = t.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) if is_dtmf(c) => Some(c),
                        _ => {
                            self.err(
                                "terminator",
                                format!("`terminator` `{t}` is not one DTMF digit (0-9 * # A-D)"),
                            );
                            None
                        }
                    }
                });
                if let Some(t) = terminator {
                    if let Some(k) = options.keys().find(|k| k.contains(t)) {
                        self.err(
                            "terminator",
                            format!("`terminator` `{t}` is also part of option `{k}`"),
                        );
                    }
                }
                match (&next, options.is_empty()) {
                    (None, true) => self.err(
                        "options",
                        "a menu needs `options`, or `next` to take any input",
                    ),
                    (Some(_), false) => self.err(
                        "next",
                        "`next` takes any input, so it cannot be used with `options`",
                    ),
                    _ => {}
                }
                if let Some(s) = &store {
                    if !valid_var_name(s) {
                        self.err("store", format!("`store`: `{s}` is not a variable name"));
                    }
                }
                Node::Menu(Menu {
                    prompt,
                    options,
                    next,
                    store,
                    min_digits: min,
                    max_digits: max,
                    terminator,
                    first_digit_timeout_ms: self.timeout(
                        "first_digit_timeout_ms",
                        first_digit_timeout_ms,
                        5000,
                    ),
                    inter_digit_timeout_ms: self.timeout(
                        "inter_digit_timeout_ms",
                        inter_digit_timeout_ms,
                        3000,
                    ),
                    attempts: self.num("attempts", attempts, 3, 1..=10),
                    invalid_prompt,
                    no_input_prompt,
                    fallback,
                })
            }
            RawNode::SelectLanguage {
                prompt,
                options,
                timeout_ms,
                default,
                next,
            } => {
                self.prompt("prompt", &prompt);
                if languages.is_empty() {
                    self.err("options", "the flow has no `languages` to select from");
                }
                if options.is_empty() {
                    self.err("options", "`options` is empty");
                }
                for (digit, lang) in &options {
                    if self.dtmf("options", digit) && digit.chars().count() != 1 {
                        self.err("options", format!("option `{digit}` is not one digit"));
                    }
                    if !languages.is_empty() && !languages.contains(lang) {
                        self.err(
                            "options",
                            format!("language `{lang}` is not in the flow's `languages`"),
                        );
                    }
                }
                let default = match default {
                    Some(d) => {
                        if !languages.is_empty() && !languages.contains(&d) {
                            self.err(
                                "default",
                                format!("language `{d}` is not in the flow's `languages`"),
                            );
                        }
                        d
                    }
                    None => languages.first().cloned().unwrap_or_default(),
                };
                Node::SelectLanguage {
                    prompt,
                    options,
                    timeout_ms: self.timeout("timeout_ms", timeout_ms, 5000),
                    default,
                    next,
                }
            }
            RawNode::Set { vars, next } => {
                if vars.is_empty() {
                    self.err("vars", "`vars` is empty");
                }
                for (name, value) in &vars {
                    if !valid_var_name(name) {
                        self.err("vars", format!("`{name}` is not a variable name"));
                    }
                    self.template("vars", value);
                }
                Node::Set { vars, next }
            }
            RawNode::Compare {
                var,
                op,
                value,
                then,
                otherwise,
            } => {
                self.template("var", &var);
                if check_template(&var).is_ok() && template_vars(&var).is_empty() {
                    self.err(
                        "var",
                        format!("`var` `{var}` names no variable; write `${{{var}}}`"),
                    );
                }
                self.template("value", &value);
                let op = CompareOp::parse(&op).unwrap_or_else(|| {
                    let names: Vec<&str> = CompareOp::ALL.iter().map(|(_, n)| *n).collect();
                    self.err(
                        "op",
                        format!("`op` `{op}` is not one of {}", names.join(", ")),
                    );
                    CompareOp::Eq
                });
                Node::Compare {
                    var,
                    op,
                    value,
                    then,
                    otherwise,
                }
            }
            RawNode::Lookup {
                query,
                timeout_ms,
                branches,
                default,
                timeout,
            } => {
                self.non_empty("query", &query);
                self.template("query", &query);
                Node::Lookup {
                    query,
                    timeout_ms: self.timeout("timeout_ms", timeout_ms, 3000),
                    branches,
                    default,
                    timeout,
                }
            }
            RawNode::TimeRoute {
                rules,
                calendar,
                holiday,
                default,
            } => {
                match (&calendar, &holiday) {
                    (Some(_), None) => self.err("calendar", "`calendar` needs a `holiday` node"),
                    (None, Some(_)) => self.err("holiday", "`holiday` needs a `calendar`"),
                    _ => {}
                }
                let rules = rules.into_iter().map(|r| self.rule(r)).collect();
                Node::TimeRoute {
                    rules,
                    calendar,
                    holiday,
                    default,
                }
            }
            RawNode::Screen {
                black,
                vip,
                vip_next,
                busy_ms,
                next,
            } => {
                match (&vip, &vip_next) {
                    (Some(_), None) => self.err("vip", "`vip` needs a `vip_next` node"),
                    (None, Some(_)) => self.err("vip_next", "`vip_next` needs a `vip` list"),
                    _ => {}
                }
                Node::Screen {
                    black,
                    vip,
                    vip_next,
                    busy_ms: self.num("busy_ms", busy_ms, 5000, 0..=MAX_TIMEOUT_MS),
                    next,
                }
            }
            RawNode::Voicemail {
                prompt,
                mailbox,
                max_seconds,
                beep,
                next,
            } => {
                self.opt_prompt("prompt", &prompt);
                self.non_empty("mailbox", &mailbox);
                self.template("mailbox", &mailbox);
                Node::Voicemail {
                    prompt,
                    mailbox,
                    max_seconds: self.num("max_seconds", max_seconds, 180, 1..=3600),
                    beep: beep.unwrap_or(true),
                    next,
                }
            }
            RawNode::Transfer {
                trunk_group,
                number,
                caller_id,
                timeout_ms,
                prompt,
                failed,
            } => {
                if !self.cx.trunk_groups.is_empty() && !self.cx.trunk_groups.contains(&trunk_group)
                {
                    let known = self.cx.trunk_groups.join(", ");
                    self.err(
                        "trunk_group",
                        format!("trunk group `{trunk_group}` is not configured (known: {known})"),
                    );
                }
                self.non_empty("number", &number);
                self.template("number", &number);
                if let Some(c) = &caller_id {
                    self.template("caller_id", c);
                }
                self.opt_prompt("prompt", &prompt);
                Node::Transfer {
                    trunk_group,
                    number,
                    caller_id,
                    timeout_ms: self.timeout("timeout_ms", timeout_ms, 30_000),
                    prompt,
                    failed,
                }
            }
            RawNode::Queue {
                queue,
                prompt,
                next,
            } => {
                self.non_empty("queue", &queue);
                self.opt_prompt("prompt", &prompt);
                Node::Queue {
                    queue,
                    prompt,
                    next,
                }
            }
            RawNode::Script {
                name,
                timeout_ms,
                fallback,
            } => {
                self.non_empty("name", &name);
                Node::Script {
                    name,
                    timeout_ms: self.timeout("timeout_ms", timeout_ms, 10_000),
                    fallback,
                }
            }
            RawNode::Notify { name, next } => {
                self.non_empty("name", &name);
                Node::Notify { name, next }
            }
            RawNode::Hangup { prompt, cause } => {
                self.opt_prompt("prompt", &prompt);
                Node::Hangup {
                    prompt,
                    cause: self.num("cause", cause, 16, 1..=127),
                }
            }
        }
    }

    fn rule(&mut self, r: RawRule) -> TimeRule {
        let days = match r.days {
            None => Ok(DaySet::ALL),
            Some(RawDays::One(s)) => DaySet::parse(&s),
            Some(RawDays::Many(v)) => v.iter().try_fold(DaySet::default(), |acc, s| {
                DaySet::parse(s).map(|d| DaySet(acc.0 | d.0))
            }),
        };
        let days = days.unwrap_or_else(|e| {
            self.err("rules", format!("`rules`: {e}"));
            DaySet::ALL
        });
        if days == DaySet::default() {
            self.err(
                "rules",
                "`rules`: `days` is empty (leave it out for every day)",
            );
        }
        let mut time = |text: &str, end: bool| {
            parse_hhmm(text, end).unwrap_or_else(|e| {
                self.err("rules", format!("`rules`: {e}"));
                0
            })
        };
        let from_min = time(&r.from, false);
        let to_min = time(&r.to, true);
        if from_min == to_min && parse_hhmm(&r.from, false).is_ok() {
            self.err(
                "rules",
                format!(
                    "`rules`: {}-{} is empty (write 00:00-24:00 for a whole day)",
                    r.from, r.to
                ),
            );
        }
        TimeRule {
            days,
            from_min,
            to_min,
            next: r.next,
        }
    }
}

/// Checks a prompt name: not empty, no NUL, no leading '/', no ".." part.
pub fn check_prompt_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a prompt name is empty".into());
    }
    if name.contains('\0') {
        return Err(format!("prompt `{}` contains a NUL", name.escape_default()));
    }
    if name.starts_with('/') {
        return Err(format!(
            "prompt `{name}` starts with '/'; prompts are relative to the prompt directory"
        ));
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Err(format!("prompt `{name}` contains `..`"));
    }
    Ok(())
}
