//! The shape of a node's table in a flows file, as serde reads it. Numbers
//! are read as i64 so that a value out of range gets a clear message.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawNode {
    Play {
        prompts: Vec<String>,
        next: String,
    },
    Menu {
        prompt: String,
        #[serde(default)]
        options: BTreeMap<String, String>,
        next: Option<String>,
        store: Option<String>,
        min_digits: Option<i64>,
        max_digits: Option<i64>,
        terminator: Option<String>,
        first_digit_timeout_ms: Option<i64>,
        inter_digit_timeout_ms: Option<i64>,
        attempts: Option<i64>,
        invalid_prompt: Option<String>,
        no_input_prompt: Option<String>,
        fallback: String,
    },
    SelectLanguage {
        prompt: String,
        options: BTreeMap<String, String>,
        timeout_ms: Option<i64>,
        default: Option<String>,
        next: String,
    },
    Set {
        vars: BTreeMap<String, String>,
        next: String,
    },
    Compare {
        var: String,
        op: String,
        #[serde(default)]
        value: String,
        then: String,
        otherwise: String,
    },
    Lookup {
        query: String,
        timeout_ms: Option<i64>,
        #[serde(default)]
        branches: BTreeMap<String, String>,
        default: String,
        timeout: String,
    },
    TimeRoute {
        #[serde(default)]
        rules: Vec<RawRule>,
        calendar: Option<String>,
        holiday: Option<String>,
        default: String,
    },
    Screen {
        black: Option<String>,
        vip: Option<String>,
        vip_next: Option<String>,
        busy_ms: Option<i64>,
        next: String,
    },
    Voicemail {
        prompt: Option<String>,
        mailbox: String,
        max_seconds: Option<i64>,
        beep: Option<bool>,
        next: String,
    },
    Transfer {
        trunk_group: String,
        number: String,
        caller_id: Option<String>,
        timeout_ms: Option<i64>,
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
        timeout_ms: Option<i64>,
        fallback: String,
    },
    Notify {
        name: String,
        next: Option<String>,
    },
    Hangup {
        prompt: Option<String>,
        cause: Option<i64>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) days: Option<RawDays>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) next: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawDays {
    One(String),
    Many(Vec<String>),
}
