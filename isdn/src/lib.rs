//! trunk-isdn: ISDN PRI signalling (Q.921 LAPD and Q.931) as sans-IO state machines.
//!
//! Built so far (the ISDN issue is in progress):
//! * [`lapd`]: Q.921 frames (view + Repr) and one data link in multiple-frame
//!   operation, user or network side, driven by board time.
//! * [`q931`]: Q.931 message and information-element wire format (view +
//!   Repr, exact round trips) and a pridump-like `describe`.
//!
//! * [`call`]: Q.931 basic call control on a PRI D-channel ([`call::Pri`]),
//!   user or network side, ETSI EN 300 403 or NI-2, on top of [`lapd`].
pub mod call;
pub mod lapd;
pub mod q931;
