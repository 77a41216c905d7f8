//! The IVR: declarative call flows (TOML, [`flow`]) run on calls.
//!
//! The IVR is an API client that lives inside the daemon. It sees calls
//! and media through the same events as a script on the socket (a tap on
//! the event bus) and acts through the same commands ([`execute`]), so it
//! never sees a protocol: a flow runs the same over PRI, SS7 or R2.
//!
//! A call enters a flow when its trunk group says `inbound = "flow"`
//! (the flow attached to the trunk group and called number), when an API
//! client hands it over (`ivr_run`), or when the client owning it goes away
//! and `[api] on_client_disconnect = "flow:NAME"`. Timers run on the board
//! clock. Flows are replaced on SIGHUP; calls already in a flow finish on
//! the flows they started with.
//!
//! [`execute`]: crate::api::commands::execute

pub mod flow;
mod nodes;
mod reports;
mod service;
mod session;

use std::collections::BTreeMap;

use crossbeam_channel::Sender;
use serde_json::Value;

use crate::api::commands::ApiError;

pub(crate) use service::board_ms;
pub use service::{load_flows, request_vars, Ivr};

/// Reply channel of an [`IvrCmd`].
pub type IvrReply = Sender<Result<Value, ApiError>>;

/// Requests to the IVR thread.
pub enum IvrCmd {
    /// Run a flow on a call (`None`: the flow attached to its trunk group
    /// and called number).
    Start {
        /// Daemon call id.
        call: u64,
        /// Flow name.
        flow: Option<String>,
        /// Node to start at (default: the flow's start).
        node: Option<String>,
        /// Where the answer goes, if anyone waits for it.
        reply: Option<IvrReply>,
    },
    /// An API client's answer to an `ivr_lookup` event.
    LookupReply {
        /// The lookup id from the event.
        lookup: u64,
        /// The answer the flow branches on.
        result: String,
        /// Variables to set on the call.
        vars: BTreeMap<String, String>,
        /// Where the answer goes.
        reply: IvrReply,
    },
    /// An API client takes a call offered by a `script` node.
    Take {
        /// Daemon call id.
        call: u64,
        /// Who takes it (for the CDR).
        owner: String,
        /// Where the answer goes.
        reply: IvrReply,
    },
    /// Report the IVR's state (for `flows` and `status`).
    Status {
        /// Where the answer goes.
        reply: IvrReply,
    },
}
