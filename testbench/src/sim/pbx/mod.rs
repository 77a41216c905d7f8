//! The PBX far end: a PRI far end (`pri-net` / `pri-cpe`) whose span goes to
//! a PBX full of agent phones. trunkd reaches an agent by calling the
//! agent's extension on that span; each extension rings, answers, is busy or
//! fails as its [`ExtensionPolicy`] says, and an answered phone hangs up
//! after a talk time drawn from its distribution.
//!
//! [`Pbx`] is the policy engine and its per-extension counters, pure logic:
//! the far end's [`PriScript`] asks it what to do with each call from
//! trunkd ([`Pbx::offer`]) and tells it when the call is answered and
//! cleared. A span with a PBX config ignores its `pri_policy` for calls
//! from trunkd (calls the far end places are unaffected).
//!
//! Control requests: `{"cmd":"pbx","span":N,"seed":..,"default":{..},
//! "extensions":{..}}` (see [`PbxConfig::from_json`]; `{"cmd":"pbx",
//! "span":N,"off":true}` goes back to `pri_policy`) and
//! `{"cmd":"pbx_status","span":N}`.
//!
//! [`PriScript`]: super::PriScript

mod spec;

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_pcg::Pcg64;
use serde_json::{json, Map, Value};
use trunk_isdn::call::CallId;

pub use spec::{ExtensionPolicy, Outcome, PbxConfig, TalkTime, MAX_CONFIGURED, MAX_MS, USER_BUSY};

/// Most distinct called numbers without an entry that get counters of their
/// own; calls to further ones are counted under [`OTHER`].
pub const MAX_COUNTED: usize = 1024;
/// Counter key of calls to numbers beyond [`MAX_COUNTED`].
pub const OTHER: &str = "other";

/// What the far end does with one call from trunkd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send CALL PROCEEDING and ALERTING; answer after `answer_after_ms`
    /// (`None`: never) and hang up (cause 16) `talk_ms` after the answer
    /// (`None`: never).
    Ring {
        /// Ringing time before the CONNECT.
        answer_after_ms: Option<u64>,
        /// Talk time before the phone hangs up.
        talk_ms: Option<u64>,
    },
    /// Refuse the call at once with this cause (17 for busy).
    Clear {
        /// Q.850 cause.
        cause: u8,
    },
}

/// One extension's counters. `offered = answered + busy + failed +
/// unanswered + ringing` at all times; `active` of the `answered` calls
/// are still up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtensionCounters {
    /// Calls from trunkd to this extension.
    pub offered: u64,
    /// Calls the phone answered.
    pub answered: u64,
    /// Calls refused busy (cause 17).
    pub busy: u64,
    /// Calls refused with another `fail_cause`.
    pub failed: u64,
    /// Calls cleared while ringing (by trunkd, a timer or the link).
    pub unanswered: u64,
    /// Calls ringing now.
    pub ringing: u64,
    /// Answered calls still up now.
    pub active: u64,
    /// Talk time (answer to clear) of the answered calls that ended.
    pub talk_ms_total: u64,
}

impl ExtensionCounters {
    fn add(&mut self, o: &ExtensionCounters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.busy += o.busy;
        self.failed += o.failed;
        self.unanswered += o.unanswered;
        self.ringing += o.ringing;
        self.active += o.active;
        self.talk_ms_total += o.talk_ms_total;
    }

    fn to_json(self) -> Value {
        json!({
            "offered": self.offered,
            "answered": self.answered,
            "busy": self.busy,
            "failed": self.failed,
            "unanswered": self.unanswered,
            "ringing": self.ringing,
            "active": self.active,
            "talk_ms_total": self.talk_ms_total,
        })
    }
}

/// A call ringing or answered at an extension.
#[derive(Debug, Clone)]
struct LiveCall {
    /// Counter key.
    key: String,
    /// When the phone answered.
    answered_at: Option<u64>,
}

/// A span's PBX: its config, talk-time generator, per-extension counters
/// and the calls it is ringing or talking on.
#[derive(Debug, Clone)]
pub struct Pbx {
    config: PbxConfig,
    rng: Pcg64,
    counters: BTreeMap<String, ExtensionCounters>,
    calls: BTreeMap<CallId, LiveCall>,
}

impl Pbx {
    /// A PBX with `config`, its generator seeded from `config.seed`.
    pub fn new(config: PbxConfig) -> Pbx {
        Pbx {
            rng: Pcg64::seed_from_u64(config.seed),
            config,
            counters: BTreeMap::new(),
            calls: BTreeMap::new(),
        }
    }

    /// The config in force.
    pub fn config(&self) -> &PbxConfig {
        &self.config
    }

    /// Replace the config and reseed the generator; counters and calls in
    /// progress are kept (decided calls keep their ringing and talk times).
    pub fn reconfigure(&mut self, config: PbxConfig) {
        self.rng = Pcg64::seed_from_u64(config.seed);
        self.config = config;
    }

    /// The counters of one called number (or [`OTHER`]).
    pub fn counters(&self, number: &str) -> Option<&ExtensionCounters> {
        self.counters.get(number)
    }

    /// The counters of every called number seen, and the sum of all.
    pub fn totals(&self) -> ExtensionCounters {
        let mut t = ExtensionCounters::default();
        self.counters.values().for_each(|c| t.add(c));
        t
    }

    /// Decide what to do with call `call` from trunkd to `number` (its
    /// number is complete) and count it.
    pub fn offer(&mut self, call: CallId, number: &str) -> Decision {
        let p = *self.config.policy(number);
        let key = if self.counters.contains_key(number)
            || self.config.extensions.contains_key(number)
            || self.counters.len() < MAX_COUNTED
        {
            number.to_owned()
        } else {
            OTHER.to_owned()
        };
        let c = self.counters.entry(key.clone()).or_default();
        c.offered += 1;
        let decision = match p.outcome {
            Outcome::Busy => {
                c.busy += 1;
                return Decision::Clear { cause: USER_BUSY };
            }
            Outcome::Fail(cause) => {
                c.failed += 1;
                return Decision::Clear { cause };
            }
            Outcome::Never => Decision::Ring {
                answer_after_ms: None,
                talk_ms: None,
            },
            Outcome::Answer { after_ms } => Decision::Ring {
                answer_after_ms: Some(after_ms),
                talk_ms: p.talk.draw(&mut self.rng),
            },
        };
        c.ringing += 1;
        self.calls.insert(
            call,
            LiveCall {
                key,
                answered_at: None,
            },
        );
        decision
    }

    /// The phone answered `call` (the call became active) at `now`.
    pub fn answered(&mut self, call: CallId, now: u64) {
        let Some(l) = self
            .calls
            .get_mut(&call)
            .filter(|l| l.answered_at.is_none())
        else {
            return;
        };
        l.answered_at = Some(now);
        if let Some(c) = self.counters.get_mut(&l.key) {
            c.ringing = c.ringing.saturating_sub(1);
            c.answered += 1;
            c.active += 1;
        }
    }

    /// `call` was cleared at `now` (by either side); calls this PBX did not
    /// ring are ignored.
    pub fn cleared(&mut self, call: CallId, now: u64) {
        let Some(l) = self.calls.remove(&call) else {
            return;
        };
        let Some(c) = self.counters.get_mut(&l.key) else {
            return;
        };
        match l.answered_at {
            None => {
                c.ringing = c.ringing.saturating_sub(1);
                c.unanswered += 1;
            }
            Some(at) => {
                c.active = c.active.saturating_sub(1);
                c.talk_ms_total += now.saturating_sub(at);
            }
        }
    }

    /// The `pbx_status` payload: the config and the counters of every
    /// called number seen (configured extensions never called show zeros).
    pub fn status_json(&self) -> Value {
        let mut ext: Map<String, Value> = self
            .config
            .extensions
            .keys()
            .map(|k| (k.clone(), ExtensionCounters::default().to_json()))
            .collect();
        for (k, c) in &self.counters {
            ext.insert(k.clone(), c.to_json());
        }
        json!({
            "pbx": true,
            "config": self.config.to_json(),
            "extensions": ext,
            "totals": self.totals().to_json(),
        })
    }
}
