//! What the ACD service keeps about callers, agents and the calls it places.

use std::collections::BTreeMap;

use trunkd::acd::QueueId;

use crate::config_acd::{Endpoint, QueueDef, RecordPolicy};

/// Where a queued caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// In the queue, hearing music or an announcement.
    Waiting,
    /// Hearing "1 keep waiting, 2 leave a message" and a digit is collected.
    Choosing,
    /// An agent's phone is ringing (the caller still hears music).
    Ringing {
        /// The agent.
        agent: u32,
        /// The call to the agent's phone.
        leg: u64,
    },
    /// Talking to an agent (bridged), or on hold or in a conference.
    Connected {
        /// The agent (the one whose core state holds the call).
        agent: u32,
        /// The call to the agent's phone.
        leg: u64,
    },
    /// Being connected to a number (overflow, no agents, blind transfer).
    Forwarded {
        /// The outbound call.
        leg: u64,
        /// Whether it answered (then the caller is bridged to it).
        answered: bool,
    },
}

/// A caller the ACD handles.
#[derive(Debug, Clone)]
pub(super) struct Caller {
    pub call: u64,
    pub queue: String,
    pub qid: QueueId,
    pub ani: String,
    pub dnis: String,
    pub trunk_group: String,
    pub vars: BTreeMap<String, String>,
    pub priority: u8,
    /// When the caller entered its current queue (board ms).
    pub queued_at: u64,
    /// Which queue entry this is (timers of an earlier entry are stale).
    pub entry: u64,
    /// Whether the core has the call (queued, ringing or answered).
    pub in_core: bool,
    pub announcements: u32,
    pub phase: Phase,
    /// The media id of the caller's current play or collect.
    pub media: Option<u64>,
    /// Recording in progress (media id).
    pub recording: Option<u64>,
    /// The third party's leg when the caller is in a three-party
    /// conference (`acd-CALL`).
    pub conference: Option<u64>,
}

/// What a call placed by the ACD is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Leg {
    /// A queued caller offered to an agent: the agent's phone.
    Offer { caller: u64, agent: u32 },
    /// An answered agent's phone, connected to a caller.
    Agent { caller: u64, agent: u32 },
    /// A number the caller is being connected to.
    Forward { caller: u64 },
    /// An agent's consultation call (`target`: the agent consulted, if one).
    Consult {
        agent: u32,
        target: Option<u32>,
        answered: bool,
    },
    /// One side of an agent-to-agent call (`peer`: the other side's leg).
    Internal {
        agent: u32,
        peer: u64,
        answered: bool,
    },
    /// A supervisor's phone, to be joined to an agent's call.
    Supervisor { agent: u32, mode: &'static str },
}

/// An agent as the service knows it (the core has its state).
#[derive(Debug, Clone)]
pub(super) struct AgentRt {
    pub id: u32,
    pub name: String,
    pub endpoint: Endpoint,
    pub skills: BTreeMap<String, u8>,
    pub record: Option<RecordPolicy>,
    /// Who logged the agent in (`None`: configuration or the daemon).
    pub client: Option<String>,
    /// The agent's phone leg for its current call.
    pub leg: Option<u64>,
    /// The agent's consultation leg.
    pub consult: Option<u64>,
    /// The caller the agent is serving.
    pub caller: Option<u64>,
    /// Since when the call is on hold.
    pub hold_since: Option<u64>,
    pub held_ms: u64,
    pub talk_since: u64,
    /// Board ms of the last state change.
    pub since_ms: u64,
    pub answered: u32,
    pub missed: u32,
    /// Whether the agent is logged in (kept with the core state).
    pub logged_in: bool,
    /// Log out when the current call ends (its client went away).
    pub logout_after_call: bool,
}

/// A queue as the service runs it.
#[derive(Debug, Clone)]
pub(super) struct QueueRt {
    pub def: QueueDef,
    pub id: QueueId,
    /// Mean handle time so far (ms), for the estimated wait.
    pub aht_ms: u64,
    pub handled: u64,
}

/// Timers, ordered by deadline in a set (lazy: a fired timer is checked
/// against the current state before it acts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    /// Announce position and wait to a caller (call, queue entry).
    Announce(u64, u64),
    /// A caller's maximum wait (call, queue entry).
    MaxWait(u64, u64),
    /// An offer's ring-no-answer timeout (the leg).
    Ring(u64),
    /// An agent skipped after a busy or failed endpoint becomes ready.
    Skip(u32),
}
