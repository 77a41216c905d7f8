//! IVR flow definitions: the model, loading from TOML, validation, and the
//! time and list rules the runtime evaluates.
//!
//! A flows file holds any number of flows, the rules that attach them to
//! incoming calls, caller lists and holiday calendars. [`load`] reads one,
//! checks everything it can before a call ever arrives, and returns either a
//! [`FlowSet`] or every problem found ([`FlowErrors`], each naming the file,
//! line, flow and node).
//!
//! # The flows file
//!
//! ```toml
//! # Which flow answers a call: exact DNIS, then the longest DNIS prefix,
//! # then the trunk group's default (no `dnis`).
//! [[attach]]
//! trunk_group = "pstn"   # one of the configured trunk groups
//! dnis = "8000"          # optional; "800*" is a prefix
//! flow = "main"
//!
//! # Caller lists for `screen` nodes: exact numbers, or prefixes ending in '*'.
//! [lists.blocked]
//! numbers = ["1390000666", "0900*"]
//! [lists.vip]
//! numbers = ["1380000888"]
//!
//! # Holiday calendars for `time_route` nodes.
//! [calendars.cn]
//! dates = ["2026-10-01", "2027-01-01"]   # YYYY-MM-DD (a TOML date works too)
//! yearly = ["12-25"]                     # MM-DD, every year
//!
//! [flows.main]
//! start = "screen"              # first node
//! languages = ["en", "zh"]      # prompt sets; the first is the default
//! on_hangup = "abandoned"       # optional: runs when the caller hangs up early
//!
//! [flows.main.nodes.screen]
//! kind = "screen"
//! black = "blocked"
//! vip = "vip"
//! vip_next = "agent"
//! next = "hours"
//!
//! [flows.main.nodes.hours]
//! kind = "time_route"
//! calendar = "cn"
//! holiday = "closed"
//! default = "closed"
//! rules = [ { days = "mon-fri", from = "08:00", to = "20:00", next = "lang" },
//!           { days = ["sat"], from = "09:00", to = "13:00", next = "lang" } ]
//!
//! [flows.main.nodes.main_menu]
//! kind = "menu"
//! prompt = "main-menu"
//! options = { "1" = "sales", "2" = "support", "9" = "vm" }
//! attempts = 3
//! invalid_prompt = "invalid"
//! no_input_prompt = "no-input"
//! fallback = "agent"
//! ```
//!
//! `testdata/sample.toml` next to this file is a complete example.
//!
//! # Node kinds
//!
//! Every node has a `kind`; the other keys depend on it. Keys in brackets
//! are optional (default after `=`). Every key naming a node must name a
//! node of the same flow. Unknown keys are errors, so a typo never passes.
//!
//! | kind | keys |
//! |------|------|
//! | `play` | `prompts` (list), `next` |
//! | `menu` | `prompt`, `options` (digits -> node) or `next` (any input), `fallback`, [`store`], [`min_digits` = 1], [`max_digits` = longest option, or 1, and at least `min_digits`], [`terminator`], [`first_digit_timeout_ms` = 5000], [`inter_digit_timeout_ms` = 3000], [`attempts` = 3], [`invalid_prompt`], [`no_input_prompt`] |
//! | `select_language` | `prompt`, `options` (one digit -> language), `next`, [`timeout_ms` = 5000], [`default` = first language] |
//! | `set` | `vars` (name -> template), `next` |
//! | `compare` | `var` (template, e.g. `"${digits}"`), `op`, [`value` = ""], `then`, `otherwise` |
//! | `lookup` | `query` (template), `default`, `timeout`, [`branches` (answer -> node)], [`timeout_ms` = 3000] |
//! | `time_route` | `default`, [`rules`], [`calendar` and `holiday`, together] |
//! | `screen` | `next`, [`black` (list)], [`vip` (list) and `vip_next`, together], [`busy_ms` = 5000] |
//! | `voicemail` | `mailbox` (template), `next`, [`prompt`], [`max_seconds` = 180], [`beep` = true] |
//! | `transfer` | `trunk_group`, `number` (template), `failed`, [`caller_id` (template; default: the caller's ANI)], [`timeout_ms` = 30000], [`prompt`] |
//! | `queue` | `queue`, `next`, [`prompt`] |
//! | `script` | `name`, `fallback`, [`timeout_ms` = 10000] |
//! | `notify` | `name`, [`next`] (none: the flow ends) |
//! | `hangup` | [`prompt`], [`cause` = 16] |
//!
//! * Digits are DTMF: `0-9 * # A-D`. A menu's option keys are at most
//!   `max_digits` long and at least `min_digits`; `min_digits <= max_digits <= 32`;
//!   `attempts` is 1 to 10. A menu has either `options` or `next`.
//! * `op`: `eq` `ne` `lt` `le` `gt` `ge` (or `==` `!=` `<` `<=` `>` `>=`),
//!   `prefix`, `in` (value is a comma list), `empty`, `not_empty`. Ordering
//!   compares as integers when both sides are integers, else as text.
//! * Rules: `days` is `"daily"` (the default), `"mon-fri"`, `"sat,sun"`,
//!   `["mon", "wed"]`; `from` and `to` are `"HH:MM"`, `to` exclusive and
//!   `"24:00"` allowed. `from` later than `to` wraps midnight; the part after
//!   midnight belongs to the day the rule started. First matching rule wins;
//!   a holiday in `calendar` wins over every rule.
//! * Templates: `${name}` with a name of `[A-Za-z0-9_]`; an unknown variable
//!   expands to nothing. The runtime provides at least `ani`, `dnis` and
//!   `digits` (the last input).
//!
//! # What is checked
//!
//! TOML syntax and types, unknown keys and kinds; node references; attach
//! rules (the flow exists, the trunk group is configured, no rule twice);
//! lists and calendars named exist, dates and times are valid; digits;
//! nodes that cannot be reached from `start` or `on_hangup`; loops made only
//! of instantaneous nodes (`set`, `compare`, `time_route`, `screen`,
//! `notify`), which would spin without ever waiting for the caller; the
//! `on_hangup` part may only contain `set`, `compare`, `notify`, `lookup`
//! and `time_route` nodes; template syntax; prompt names (no `..`, no
//! leading `/`); and, when a prompt directory is given, that every prompt
//! exists for every language of its flow as `DIR/LANG/NAME` or `DIR/NAME`,
//! as given or with `.wav`, `.al`, `.ul` or `.sln`.

mod clock;
mod error;
mod lists;
mod load;
mod model;
mod nodes;
mod raw;
mod spans;
mod validate;

pub use clock::{
    civil_from_days, civil_from_unix_ms, days_from_civil, parse_date, parse_hhmm, route_time,
    TimeMatch,
};
pub use error::FlowErrors;
pub use lists::expand;
pub use load::load;
pub use model::{FlowSet, Menu, Node};
pub use validate::prompt_file_exists;

#[cfg(test)]
use {
    clock::CivilTime,
    error::FlowError,
    load::parse_str,
    model::{Attach, Calendar, CompareOp, DaySet, TimeRule},
    validate::PROMPT_EXTENSIONS,
};

#[cfg(test)]
mod tests_clock;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_graph;
#[cfg(test)]
mod tests_load;
