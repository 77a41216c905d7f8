//! What the ACD reports as it runs. The daemon's ACD service emits one
//! [`AcdEvent`] for every queue and agent change; statistics
//! ([`super::stats`]) are computed from nothing else, and the same events go
//! to API subscribers as JSON (`acd_*` and `agent_state`).
//!
//! Times are board milliseconds (the one board clock), so a lockstep
//! simulation gives the same statistics on every run.

use super::AgentState;

/// Why an offered call was not answered by the agent it rang.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MissReason {
    /// The agent's endpoint rang for the queue's ring timeout (RONA): the
    /// agent was made not ready and the call went back to its queue.
    RingNoAnswer,
    /// The agent's endpoint was busy (cause 17): the agent is skipped.
    Busy,
    /// The agent's endpoint could not be reached (any other clearing
    /// before answer): the agent is skipped.
    Failed,
}

impl MissReason {
    /// The name used in events and reports.
    pub fn name(self) -> &'static str {
        match self {
            MissReason::RingNoAnswer => "ring_no_answer",
            MissReason::Busy => "busy",
            MissReason::Failed => "failed",
        }
    }
}

/// Why a call left its queue for somewhere else than an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverflowReason {
    /// The queue's maximum wait expired.
    MaxWait,
    /// No agent with the queue's skill was logged in.
    NoAgents,
    /// The caller chose to leave a message (after K announcements).
    CallerChoice,
    /// An API client or supervisor took the call out of the queue.
    Removed,
}

impl OverflowReason {
    /// The name used in events and reports.
    pub fn name(self) -> &'static str {
        match self {
            OverflowReason::MaxWait => "max_wait",
            OverflowReason::NoAgents => "no_agents",
            OverflowReason::CallerChoice => "caller_choice",
            OverflowReason::Removed => "removed",
        }
    }
}

/// One change in the ACD. Queues are named, agents numbered, calls are the
/// daemon's call ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcdEvent {
    /// A call entered a queue (the queue was offered the call).
    Queued {
        /// Daemon call id.
        call: u64,
        /// Queue name.
        queue: String,
        /// Priority (higher is served first; VIPs get a higher one).
        priority: u8,
        /// When.
        at_ms: u64,
    },
    /// A queued call was offered to an agent: the agent's endpoint rings.
    Offered {
        /// Daemon call id (the caller's).
        call: u64,
        /// Queue name.
        queue: String,
        /// Agent number.
        agent: u32,
        /// When.
        at_ms: u64,
    },
    /// The agent answered: the caller is connected. `wait_ms` runs from
    /// `Queued` to now.
    Answered {
        /// Daemon call id.
        call: u64,
        /// Queue name.
        queue: String,
        /// Agent number.
        agent: u32,
        /// Time the caller waited in the queue (ringing included).
        wait_ms: u64,
        /// When.
        at_ms: u64,
    },
    /// An offer failed; the call is back in its queue at its old position.
    Missed {
        /// Daemon call id.
        call: u64,
        /// Queue name.
        queue: String,
        /// Agent number.
        agent: u32,
        /// Why.
        reason: MissReason,
        /// When.
        at_ms: u64,
    },
    /// The caller hung up before an agent answered.
    Abandoned {
        /// Daemon call id.
        call: u64,
        /// Queue name.
        queue: String,
        /// Time the caller waited.
        wait_ms: u64,
        /// When.
        at_ms: u64,
    },
    /// The call left its queue for another destination.
    Overflowed {
        /// Daemon call id.
        call: u64,
        /// Queue name.
        queue: String,
        /// Why.
        reason: OverflowReason,
        /// Where it went (`queue:NAME`, `flow:NAME`, `voicemail:BOX`,
        /// `number:TG/NUMBER`).
        to: String,
        /// Time the caller waited.
        wait_ms: u64,
        /// When.
        at_ms: u64,
    },
    /// The agent's part in an answered call ended (either side hung up,
    /// or the agent transferred it). Wrap-up follows.
    Released {
        /// Daemon call id.
        call: u64,
        /// Queue name.
        queue: String,
        /// Agent number.
        agent: u32,
        /// Talk time, hold excluded.
        talk_ms: u64,
        /// Time on hold.
        hold_ms: u64,
        /// When.
        at_ms: u64,
    },
    /// An agent changed state (login is a change from `LoggedOut`, logout
    /// one to it).
    AgentState {
        /// Agent number.
        agent: u32,
        /// The new state.
        state: AgentState,
        /// When.
        at_ms: u64,
    },
}

impl AcdEvent {
    /// When the event happened (board ms).
    pub fn at_ms(&self) -> u64 {
        match self {
            AcdEvent::Queued { at_ms, .. }
            | AcdEvent::Offered { at_ms, .. }
            | AcdEvent::Answered { at_ms, .. }
            | AcdEvent::Missed { at_ms, .. }
            | AcdEvent::Abandoned { at_ms, .. }
            | AcdEvent::Overflowed { at_ms, .. }
            | AcdEvent::Released { at_ms, .. }
            | AcdEvent::AgentState { at_ms, .. } => *at_ms,
        }
    }
}

impl AgentState {
    /// The state's name in events and reports: `logged_out`, `not_ready`,
    /// `ready`, `ringing`, `talking`, `held`, `wrap_up`.
    pub fn name(self) -> &'static str {
        match self {
            AgentState::LoggedOut => "logged_out",
            AgentState::NotReady { .. } => "not_ready",
            AgentState::Ready => "ready",
            AgentState::Ringing { .. } => "ringing",
            AgentState::Talking { .. } => "talking",
            AgentState::Held { .. } => "held",
            AgentState::WrapUp { .. } => "wrap_up",
        }
    }
}
