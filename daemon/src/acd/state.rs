//! Agent states and the table of legal transitions between them.
//!
//! | from            | legal targets                                              |
//! |-----------------|------------------------------------------------------------|
//! | `LoggedOut`     | `NotReady` (login), `Ready` (login straight to ready)      |
//! | `NotReady`      | `Ready`, `NotReady` (new reason code), `LoggedOut`         |
//! | `Ready`         | `Ringing` (call offered), `NotReady`, `LoggedOut`          |
//! | `Ringing{c}`    | `Talking{c}` (answer, same call), `NotReady` (ring-no-answer), `Ready` (caller abandoned while ringing) |
//! | `Talking{c}`    | `Held{c}` (same call), `WrapUp` (call released)            |
//! | `Held{c}`       | `Talking{c}` (retrieve, same call), `WrapUp` (call released while held) |
//! | `WrapUp`        | `Ready` (end of wrap-up, manual or timed), `NotReady`, `LoggedOut` |
//!
//! Everything else is illegal, in particular logging out or going ready with
//! a call up, and moving a call between `Ringing`/`Talking`/`Held` for a
//! different call id.

use super::{AcdError, CallId};

/// The state of one ACD agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentState {
    /// Not logged in: never offered calls.
    LoggedOut,
    /// Logged in but not taking calls.
    NotReady {
        /// Not-ready reason code (break, lunch, ring-no-answer...).
        reason: u16,
    },
    /// Idle and available for the next call.
    Ready,
    /// A call is being offered to the agent's endpoint.
    Ringing {
        /// The call being offered.
        call: CallId,
    },
    /// In conversation with the caller.
    Talking {
        /// The call in conversation.
        call: CallId,
    },
    /// The caller is on hold.
    Held {
        /// The call on hold.
        call: CallId,
    },
    /// After-call work; becomes `Ready` automatically at `until_ms`.
    WrapUp {
        /// Time (ms) at which the agent becomes ready again.
        until_ms: u64,
    },
}

impl AgentState {
    /// Whether the transition `self -> to` is in the legal table (see module docs).
    pub fn can_go_to(self, to: AgentState) -> bool {
        use AgentState::*;
        match (self, to) {
            (LoggedOut, NotReady { .. } | Ready) => true,
            (NotReady { .. }, NotReady { .. } | Ready | LoggedOut) => true,
            (Ready, Ringing { .. } | NotReady { .. } | LoggedOut) => true,
            (Ringing { call: a }, Talking { call: b }) => a == b,
            (Ringing { .. }, NotReady { .. } | Ready) => true,
            (Talking { call: a }, Held { call: b }) | (Held { call: a }, Talking { call: b }) => {
                a == b
            }
            (Talking { .. } | Held { .. }, WrapUp { .. }) => true,
            (WrapUp { .. }, Ready | NotReady { .. } | LoggedOut) => true,
            _ => false,
        }
    }

    /// Checks `self -> to`: `Ok(to)` when legal, else
    /// `Err(AcdError::IllegalTransition)`.
    pub fn transition(self, to: AgentState) -> Result<AgentState, AcdError> {
        if self.can_go_to(to) {
            Ok(to)
        } else {
            Err(AcdError::IllegalTransition { from: self, to })
        }
    }

    /// The call this state refers to, if any.
    pub fn call(self) -> Option<CallId> {
        match self {
            AgentState::Ringing { call }
            | AgentState::Talking { call }
            | AgentState::Held { call } => Some(call),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgentState::*;

    #[test]
    fn legal_moves_accepted() {
        let c = CallId(1);
        assert_eq!(LoggedOut.transition(Ready), Ok(Ready));
        assert!(Ready.can_go_to(Ringing { call: c }));
        assert!(Ringing { call: c }.can_go_to(Talking { call: c }));
        assert!(Talking { call: c }.can_go_to(Held { call: c }));
        assert!(Held { call: c }.can_go_to(WrapUp { until_ms: 5 }));
        assert!(WrapUp { until_ms: 5 }.can_go_to(Ready));
    }

    #[test]
    fn illegal_moves_rejected() {
        let c = CallId(1);
        let d = CallId(2);
        assert_eq!(
            LoggedOut.transition(Ringing { call: c }),
            Err(AcdError::IllegalTransition {
                from: LoggedOut,
                to: Ringing { call: c }
            })
        );
        assert!(!Ringing { call: c }.can_go_to(Talking { call: d }));
        assert!(!Talking { call: c }.can_go_to(LoggedOut));
        assert!(!Talking { call: c }.can_go_to(Ready));
        assert!(!NotReady { reason: 1 }.can_go_to(Ringing { call: c }));
        assert!(!WrapUp { until_ms: 1 }.can_go_to(Talking { call: c }));
        assert!(!LoggedOut.can_go_to(LoggedOut));
    }
}
