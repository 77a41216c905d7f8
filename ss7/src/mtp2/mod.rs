//! MTP2 (Q.703): signal units and the signalling link state machine, sans-IO.
//!
//! * [`su`] — wire format: [`SignalUnit`] (checked view, parse) and
//!   [`SuRepr`] (emit), without flags and FCS (HDLC runs in driver-sys).

pub mod su;

pub use su::{LinkStatus, SignalUnit, SuBuf, SuError, SuKind, SuRepr};
