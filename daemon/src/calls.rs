//! The daemon's view of calls: what the API lists, and the event bus that
//! carries call, link and capture events to subscribed API clients.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, Sender};
use serde_json::{json, Value};

/// Cleared calls kept for `calls` listings.
const RECENT: usize = 64;
/// Events queued for the API thread before new ones are dropped.
const BUS_QUEUE: usize = 8192;

/// Direction of a call as seen from trunkd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The far end called us.
    Inbound,
    /// We called out.
    Outbound,
}

/// One call as the API shows it.
#[derive(Clone, Debug)]
pub struct CallRecord {
    /// Daemon-wide call id.
    pub id: u64,
    /// Global span number.
    pub span: u32,
    /// B-channel / timeslot, once known.
    pub channel: Option<u8>,
    /// Trunk group.
    pub trunk_group: String,
    /// Direction.
    pub direction: Direction,
    /// Calling number (ANI).
    pub ani: String,
    /// Called number (DNIS).
    pub dnis: String,
    /// Type, plan, presentation and screening of the calling number and
    /// type and plan of the called number, as signalled.
    pub numbering: Numbering,
    /// Daemon state: `ringing`, `dialing`, `proceeding`, `alerting`,
    /// `answered`, `clearing`, `cleared`.
    pub state: &'static str,
    /// Q.931 call state number.
    pub q931_state: u8,
    /// Unix time (ms) of arrival / dialling.
    pub started_ms: u64,
    /// Unix time (ms) of answer.
    pub answered_ms: Option<u64>,
    /// Unix time (ms) of the end.
    pub ended_ms: Option<u64>,
    /// Q.850 cause of the end.
    pub cause: Option<u8>,
    /// Who ended it (`remote`, `local`, `timer`, `protocol`).
    pub cleared_by: Option<&'static str>,
}

impl CallRecord {
    /// JSON form used by `calls` and events.
    pub fn to_json(&self) -> Value {
        json!({
            "call": self.id,
            "span": self.span,
            "channel": self.channel,
            "trunk_group": self.trunk_group,
            "direction": match self.direction { Direction::Inbound => "in", Direction::Outbound => "out" },
            "ani": self.ani,
            "dnis": self.dnis,
            "ani_type": type_name(self.numbering.ani_type),
            "ani_plan": plan_name(self.numbering.ani_plan),
            "ani_presentation": presentation_name(self.numbering.ani_presentation),
            "ani_screening": screening_name(self.numbering.ani_screening),
            "dnis_type": type_name(self.numbering.dnis_type),
            "dnis_plan": plan_name(self.numbering.dnis_plan),
            "state": self.state,
            "q931_state": self.q931_state,
            "started_ms": self.started_ms,
            "answered_ms": self.answered_ms,
            "ended_ms": self.ended_ms,
            "cause": self.cause,
            "cause_text": self.cause.map(trunk_isdn::q931::cause_name),
            "cleared_by": self.cleared_by,
        })
    }
}

/// Q.931 numbering fields of a call's numbers (codes as in Q.931 4.5.8/4.5.10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Numbering {
    /// Calling number type of number.
    pub ani_type: u8,
    /// Calling number numbering plan.
    pub ani_plan: u8,
    /// Calling number presentation indicator.
    pub ani_presentation: u8,
    /// Calling number screening indicator.
    pub ani_screening: u8,
    /// Called number type of number.
    pub dnis_type: u8,
    /// Called number numbering plan.
    pub dnis_plan: u8,
}

/// Name of a type of number (Q.931 table 4-9).
pub fn type_name(t: u8) -> &'static str {
    match t {
        0 => "unknown",
        1 => "international",
        2 => "national",
        3 => "network_specific",
        4 => "subscriber",
        6 => "abbreviated",
        _ => "reserved",
    }
}

/// Name of a numbering plan (Q.931 table 4-9).
pub fn plan_name(p: u8) -> &'static str {
    match p {
        0 => "unknown",
        1 => "e164",
        3 => "x121",
        4 => "f69",
        8 => "national",
        9 => "private",
        _ => "reserved",
    }
}

/// Name of a presentation indicator.
pub fn presentation_name(p: u8) -> &'static str {
    match p {
        0 => "allowed",
        1 => "restricted",
        2 => "not_available",
        _ => "reserved",
    }
}

/// Name of a screening indicator.
pub fn screening_name(s: u8) -> &'static str {
    match s {
        0 => "user_not_screened",
        1 => "user_passed",
        2 => "user_failed",
        _ => "network",
    }
}

/// Calls in progress and recently ended.
#[derive(Default)]
pub struct CallTable {
    /// Calls in progress, by id.
    pub active: BTreeMap<u64, CallRecord>,
    /// Most recently ended calls, oldest first.
    pub recent: VecDeque<CallRecord>,
}

impl CallTable {
    /// The call in progress that holds B-channel `ts` of `span`, if any.
    pub fn on_channel(&self, span: u32, ts: usize) -> Option<&CallRecord> {
        self.active
            .values()
            .find(|c| c.span == span && c.channel.map(usize::from) == Some(ts))
    }

    /// Move a call to the recent list.
    pub fn end(&mut self, id: u64) -> Option<CallRecord> {
        let rec = self.active.remove(&id)?;
        if self.recent.len() >= RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(rec.clone());
        Some(rec)
    }
}

/// Unix time in milliseconds.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Events from the daemon's threads to the API thread.
pub struct EventBus {
    tx: Sender<Value>,
    rx: Receiver<Value>,
    /// Events dropped because the bus was full.
    pub dropped: AtomicU64,
    /// API clients capturing D-channel frames (frames are only published
    /// while this is non-zero).
    pub captures: AtomicU32,
    /// Call and media events for the IVR thread.
    tap_tx: Sender<Value>,
    tap_rx: Receiver<Value>,
    /// Events the IVR could not be given because its queue was full.
    pub tap_dropped: AtomicU64,
    /// The same events for the ACD thread.
    acd_tap_tx: Sender<Value>,
    acd_tap_rx: Receiver<Value>,
}

/// Events the IVR acts on.
const TAPPED: [&str; 7] = [
    "call_answered",
    "call_cleared",
    "play_done",
    "tone_done",
    "collect_done",
    "record_done",
    "record_failed",
];

impl Default for EventBus {
    fn default() -> Self {
        let (tx, rx) = crossbeam_channel::bounded(BUS_QUEUE);
        let (tap_tx, tap_rx) = crossbeam_channel::bounded(BUS_QUEUE);
        let (acd_tap_tx, acd_tap_rx) = crossbeam_channel::bounded(BUS_QUEUE);
        EventBus {
            acd_tap_tx,
            acd_tap_rx,
            tx,
            rx,
            tap_tx,
            tap_rx,
            tap_dropped: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            captures: AtomicU32::new(0),
        }
    }
}

impl EventBus {
    /// Publish an event (a JSON object with an `event` member).
    pub fn publish(&self, v: Value) {
        if v["event"].as_str().is_some_and(|k| TAPPED.contains(&k)) {
            if self.tap_tx.try_send(v.clone()).is_err() {
                self.tap_dropped.fetch_add(1, Ordering::Relaxed);
                log::error!("IVR event queue full: an event was lost");
            }
            if self.acd_tap_tx.try_send(v.clone()).is_err() {
                self.tap_dropped.fetch_add(1, Ordering::Relaxed);
                log::error!("ACD event queue full: an event was lost");
            }
        }
        if self.tx.try_send(v).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The receiving end (the API thread).
    pub fn receiver(&self) -> &Receiver<Value> {
        &self.rx
    }

    /// The IVR's end of the event tap.
    pub fn tap(&self) -> Receiver<Value> {
        self.tap_rx.clone()
    }

    /// The ACD's end of the event tap.
    pub fn acd_tap(&self) -> Receiver<Value> {
        self.acd_tap_rx.clone()
    }

    /// Whether any client captures frames.
    pub fn capturing(&self) -> bool {
        self.captures.load(Ordering::Relaxed) > 0
    }
}
