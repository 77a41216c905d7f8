//! One call's progress through a flow.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::flow::FlowSet;

/// What a session does after a play or a tone ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Then {
    /// Go to a node.
    Goto(String),
    /// Start the collection of the current node (a menu or language choice).
    Collect,
    /// Play the current menu again (after an invalid-input or no-input prompt).
    Reenter,
    /// Sound the voicemail beep.
    Beep,
    /// Start the voicemail recording.
    Record,
    /// Dial the transfer target.
    Dial,
    /// Hand the call to the ACD queue of the current node.
    Queue,
    /// Release the call with this cause.
    Hangup(u8),
}

/// What a session waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Wait {
    /// Nothing: the next step runs now.
    Nothing,
    /// The answer of the call, then the current node runs.
    Answer,
    /// A play (`media_id`) to end.
    Play(u64, Then),
    /// A tone (`media_id`) to end.
    Tone(u64, Then),
    /// A collection (`media_id`) to end.
    Collect(u64),
    /// A voicemail recording (`media_id`, file) to end.
    Record(u64, String),
    /// The transfer's outbound call to answer, until the board time.
    Dial {
        /// The outbound call.
        out: u64,
        /// Give up at this board time (ms).
        deadline: u64,
    },
    /// Bridged to the transfer target: the flow is done.
    Bridged(u64),
    /// An API client's answer to lookup `id`, until the board time.
    Lookup(u64, u64),
    /// An API client to take the call, until the board time.
    Script(u64),
    /// An API client has the call.
    Taken,
    /// A timer (busy tone on a black-listed caller), then a step.
    Timer(u64, Then),
    /// The flow released the call; waiting for it to clear.
    Releasing,
    /// Go to this node next (decided while the session was out of the table).
    Goto(String),
    /// The call is ending (a request found it gone): wait for `call_cleared`.
    Gone,
}

/// A call in a flow.
pub(super) struct Session {
    pub call: u64,
    pub flows: Arc<FlowSet>,
    pub flow: String,
    pub node: String,
    pub lang: String,
    pub vars: BTreeMap<String, String>,
    /// Attempts made at the current menu.
    pub attempts: u8,
    pub answered: bool,
    pub wait: Wait,
    /// Nodes entered, in order.
    pub path: Vec<String>,
    /// Node entries so far (runaway guard).
    pub steps: u64,
}

impl Session {
    /// The value of a variable: the call's own first, then the set ones.
    pub fn var(&self, name: &str) -> Option<String> {
        match name {
            "call" => Some(self.call.to_string()),
            "lang" | "language" => Some(self.lang.clone()),
            "flow" => Some(self.flow.clone()),
            "node" => Some(self.node.clone()),
            _ => self.vars.get(name).cloned(),
        }
    }

    /// The definition of node `name` of the session's flow.
    pub fn node_def(&self, name: &str) -> Option<super::flow::Node> {
        self.flows.flows.get(&self.flow)?.nodes.get(name).cloned()
    }

    /// Expand a template (`${name}`) against the call's variables.
    pub fn expand(&self, template: &str) -> String {
        super::flow::expand(template, &|n| self.var(n))
    }

    /// Whether the caller hanging up now abandons the flow (not yet
    /// bridged, handed over, leaving a message or being released).
    pub fn abandonable(&self) -> bool {
        !matches!(
            self.wait,
            Wait::Bridged(_) | Wait::Taken | Wait::Record(..) | Wait::Releasing
        )
    }
}
