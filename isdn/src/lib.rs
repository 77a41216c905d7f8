//! trunk-isdn: ISDN PRI signalling (Q.921 LAPD and Q.931) as sans-IO state machines.
//!
//! Not yet built: this crate is a placeholder in the workspace layout; the
//! PRI stack arrives with the ISDN issue.
pub mod lapd;
pub mod q931;
