//! trunk-ss7: SS7 signalling (MTP2, MTP3, ISUP) as sans-IO state machines.
//!
//! Built so far: [`mtp2`] (Q.703 signal units and the link state machine),
//! [`mtp3`] (Q.704/Q.707 routing label, network management and test
//! messages, link sets), [`node`] (a signalling point: MTP2 links under an
//! MTP3 link set, with changeover and changeback) and [`isup`] (Q.763
//! messages and parameters for ITU, ANSI and China, and the Q.764 call and
//! circuit control in [`isup::cc`]). The daemon's integration comes next.

pub mod isup;
pub mod mtp2;
pub mod mtp3;
pub mod node;
