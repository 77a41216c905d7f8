//! trunk-ss7: SS7 signalling (MTP2, MTP3, ISUP) as sans-IO state machines.
//!
//! Not yet built: this crate is a placeholder in the workspace layout; the
//! SS7 stack arrives with the SS7 issue.

pub mod mtp3;
