//! Identifiers, configuration, errors and the agent/call records of the ACD.

use std::collections::BTreeMap;

use super::AgentState;

/// A call known to the ACD (the daemon's call id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallId(pub u64);

/// An ACD agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentId(pub u32);

/// An ACD queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(pub u32);

/// A skill (language, product line...) that queues require and agents have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Skill(pub u16);

/// Not-ready reason code set by ring-no-answer.
pub const REASON_RONA: u16 = 0xFFFF;
/// Not-ready reason code set at login.
pub const REASON_LOGIN: u16 = 0;

/// How a queue picks among the ready agents having its skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The next ready agent (by agent id) after the one last chosen by this queue.
    RoundRobin,
    /// A uniformly random ready agent (seeded, reproducible).
    Random,
    /// The agent ready for the longest time.
    LongestIdle,
    /// The agent with the least total talk time (ties: longest idle).
    LeastTalkTime,
    /// The agent who answered the fewest calls (ties: longest idle).
    FewestCalls,
    /// The highest skill level, then longest idle.
    SkillsBased,
    /// The agent who last served this caller (ANI) within `window_ms`, if
    /// ready; otherwise the queue's `fallback` strategy.
    Sticky {
        /// How long (ms) after the last service the caller sticks to the agent.
        window_ms: u64,
    },
}

/// Configuration of one queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// Queue id.
    pub id: QueueId,
    /// Skill an agent needs to take this queue's calls.
    pub skill: Skill,
    /// Distribution strategy.
    pub strategy: Strategy,
    /// Strategy used when `Sticky` finds no sticky agent (a `Sticky` fallback
    /// behaves as `LongestIdle`).
    pub fallback: Strategy,
    /// Wrap-up time (ms) after each call of this queue; the agent is made
    /// ready automatically when it expires.
    pub wrap_up_ms: u64,
}

/// Errors of ACD operations. An operation returning an error changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcdError {
    /// The agent state machine does not allow this move.
    #[error("illegal agent state transition from {from:?} to {to:?}")]
    IllegalTransition {
        /// Current state.
        from: AgentState,
        /// Requested state.
        to: AgentState,
    },
    /// No such agent.
    #[error("unknown agent {0:?}")]
    UnknownAgent(AgentId),
    /// No such queue.
    #[error("unknown queue {0:?}")]
    UnknownQueue(QueueId),
    /// No such call.
    #[error("unknown call {0:?}")]
    UnknownCall(CallId),
    /// A queue with this id already exists.
    #[error("queue {0:?} already exists")]
    DuplicateQueue(QueueId),
    /// A call with this id is already in the ACD.
    #[error("call {0:?} already in the ACD")]
    DuplicateCall(CallId),
    /// Skill levels run from 1 to 10.
    #[error("skill {skill:?} level {level} outside 1..=10")]
    BadSkillLevel {
        /// The skill.
        skill: Skill,
        /// The rejected level.
        level: u8,
    },
}

/// One agent and its counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Agent id.
    pub id: AgentId,
    /// Skills with their level (1 = novice .. 10 = expert).
    pub skills: BTreeMap<Skill, u8>,
    /// Current state.
    pub state: AgentState,
    /// Time (ms) the agent last became ready.
    pub idle_since_ms: u64,
    /// Total talk time (ms, hold included) over answered calls.
    pub talk_ms_total: u64,
    /// Number of calls answered.
    pub calls_answered: u32,
    /// When the current call was answered.
    pub(crate) talk_started_ms: u64,
}

/// Where a call is in the ACD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    /// Waiting in a queue.
    Queued {
        /// The queue.
        queue: QueueId,
    },
    /// Offered to an agent.
    Ringing {
        /// The agent being rung.
        agent: AgentId,
    },
    /// Answered by an agent (talking or held).
    Answered {
        /// The agent.
        agent: AgentId,
    },
}

/// An assignment decided by [`super::Acd::next_assignment`]: ring `agent` with `call`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// The call taken from its queue.
    pub call: CallId,
    /// The agent now ringing.
    pub agent: AgentId,
    /// The queue the call came from.
    pub queue: QueueId,
}
