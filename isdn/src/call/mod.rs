//! Q.931 basic call control for a primary rate interface, user or network side.
//!
//! [`Pri`] is one D-channel: it owns the Q.921 [`Link`](crate::lapd::Link)
//! (SAPI 0, TEI 0) and the Q.931 call and channel tables of the interface.
//! It is sans-IO like the link below it: feed it received frames with
//! [`Pri::handle_frame`], drive its timers with [`Pri::poll_timeout`] /
//! [`Pri::handle_timeout`] in board milliseconds, make requests
//! ([`Pri::setup`], [`Pri::answer`], [`Pri::hangup`], ...) and drain
//! [`Pri::poll_transmit`] and [`Pri::poll_event`].
//!
//! What it implements (ITU-T Q.931 clause 5 as profiled by ETSI EN 300 403
//! and Telcordia NI-2 for PRI):
//! * call states 0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 19 and 25 on either
//!   side, with the state numbers of clause 2 (a network-side entity reports
//!   N-states, a user-side entity U-states, in STATUS);
//! * timers T301, T302, T303, T304, T305, T308, T309, T310, T313, T316 and
//!   T322 (T317 is not needed: a received RESTART clears the channels at once,
//!   so the RESTART ACKNOWLEDGE is sent immediately);
//! * en-bloc and overlap sending and receiving (SETUP ACKNOWLEDGE,
//!   INFORMATION, sending complete, T302/T304);
//! * B-channel selection, preferred or exclusive, and glare between an
//!   outgoing and an incoming SETUP (the network side's choice wins);
//! * RESTART and RESTART ACKNOWLEDGE for one channel or the whole interface,
//!   sent at start-up and answered;
//! * STATUS ENQUIRY / STATUS (5.8.10, 5.8.11) and the error procedures of
//!   5.8: unknown or invalid call references (cause 81), unrecognised or
//!   unexpected messages (97, 98, 101), missing or invalid mandatory IEs (96,
//!   100), unrecognised optional IEs (99);
//! * data-link failure (5.8.9): active calls survive for T309, others clear.
//!
//! The steady-state path does not allocate: calls live in a fixed table,
//! numbers in fixed [`Digits`], frames in the link's fixed buffers.

mod pri;
mod procedures;
mod types;
mod wire;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use pri::Pri;
pub use types::{
    Bearer, CallId, CallInfo, ClearedBy, Digits, Law, Number, PriConfig, PriError, PriEvent,
    PriStats, SetupRequest, State, Timers, Variant,
};
