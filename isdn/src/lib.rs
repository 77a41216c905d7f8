//! trunk-isdn: ISDN PRI signalling (Q.921 LAPD and Q.931) as sans-IO state machines.
//!
//! Built so far (the ISDN issue is in progress):
//! * [`lapd`]: Q.921 frames (view + Repr) and one data link in multiple-frame
//!   operation, user or network side, driven by board time.
//! * [`q931`]: Q.931 message and information-element wire format (view +
//!   Repr, exact round trips) and a pridump-like `describe`.
//!
//! Not built yet: the Q.931 call state machines, variants, and the daemon
//! integration.
pub mod lapd;
pub mod q931;
