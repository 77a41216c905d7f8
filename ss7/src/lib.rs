//! trunk-ss7: SS7 signalling (MTP2, MTP3, ISUP) as sans-IO state machines.
//!
//! Built so far: [`mtp2`] (Q.703 signal units and the link state machine),
//! [`mtp3`] (Q.704/Q.707 routing label, network management and test
//! messages, link sets) and [`isup`] (Q.763 messages and parameters, ITU,
//! ANSI and China). The ISUP call and circuit state machines and the
//! daemon's integration come next.

pub mod isup;
pub mod mtp2;
pub mod mtp3;
pub mod node;
