//! Q.921 (LAPD) data-link layer for ISDN PRI, as a sans-IO state machine.
//!
//! * [`frame`] — wire format: [`Frame`] (parse) and [`FrameRepr`] (emit).
//! * [`Link`] — one data link connection (one SAPI/TEI) running the
//!   multiple-frame procedures of Q.921 §5 with modulo-128 sequencing.
//!
//! No I/O, threads or clocks are used: the caller feeds received frames
//! (without FCS) with [`Link::handle_frame`], drives timers with
//! [`Link::poll_timeout`] / [`Link::handle_timeout`] using a board time in
//! milliseconds, and drains [`Link::poll_transmit`] and [`Link::poll_event`].
//!
//! All storage (transmit and retransmission queues, events) is allocated by
//! [`Link::new`]; the steady state (data transfer, acknowledgements,
//! enquiries, recovery) never allocates. `isdn/tests/lapd_alloc.rs` measures it.

pub mod frame;
mod link;
mod types;

pub use frame::{Control, Frame, FrameError, FrameRepr, N201, TEI_BROADCAST};
pub use link::{Link, LinkEventRef};
pub use types::{Info, LinkConfig, LinkError, LinkEvent, LinkState, LinkStats, Role};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_q921;
