//! MTP2 (Q.703): signal units and the signalling link state machine, sans-IO.
//!
//! * [`su`] — wire format: [`SignalUnit`] (checked view, parse) and
//!   [`SuRepr`] (emit), without flags and FCS (HDLC runs in driver-sys).
//! * [`Mtp2`] — one signalling link: initial alignment with normal and
//!   emergency proving, AERM and SUERM, basic error correction with
//!   retransmission, processor outage and busy, timers T1-T7.
//!
//! No I/O, threads or clocks: the caller feeds received signal units with
//! [`Mtp2::handle_su`] (and FCS/abort errors with [`Mtp2::handle_su_error`]),
//! asks [`Mtp2::poll_transmit`] for the next unit to send whenever the line
//! can take one, drives timers with [`Mtp2::poll_timeout`] /
//! [`Mtp2::handle_timeout`] in board milliseconds, and drains
//! [`Mtp2::poll_event`].

mod link;
pub mod su;

pub use link::{
    LinkState, Mtp2, Mtp2Config, Mtp2Error, Mtp2Event, Mtp2Stats, OutOfServiceReason, Sif,
};
pub use su::{LinkStatus, SignalUnit, SuBuf, SuError, SuKind, SuRepr};
