//! ISUP call and circuit control (ITU-T Q.764), sans-IO.
//!
//! [`Isup`] is one signalling relation (own point code to one adjacent
//! exchange) controlling a set of circuits by CIC. Feed it the ISUP part of
//! received MSUs with [`Isup::handle_message`], drive its timers with
//! [`Isup::poll_timeout`] / [`Isup::handle_timeout`] in board milliseconds,
//! make requests ([`Isup::setup`], [`Isup::answer`], [`Isup::release`],
//! [`Isup::block`], ...) and drain [`Isup::poll_transmit`] (CIC + message
//! bytes; [`Isup::sls`] gives the link selection) and [`Isup::poll_event`].
//!
//! Implemented (Q.764 clause 2):
//! * basic call, en-bloc and overlap (IAM, SAM), ACM, CPG, ANM, CON, REL,
//!   RLC, with T7 (no ACM/CON: REL cause 102) and T9 (no answer: REL cause
//!   19); a received REL is answered with RLC at once;
//! * release with T1 (REL repeated) and T5 (then the circuit is reset with
//!   RSC and maintenance alerted);
//! * blocking BLO/BLA, UBL/UBA (T12-T15), reset RSC (T16/T17), circuit group
//!   blocking CGB/CGBA and CGU/CGUA, maintenance or hardware failure
//!   oriented (T18-T21), group reset GRS/GRA (T22/T23, sent at start-up),
//!   group query CQM/CQR;
//! * dual seizure (2.9.1.4): the exchange with the higher point code
//!   controls the even CICs; the other one gives its call up and reattempts
//!   it on another circuit (controlled circuits are tried first);
//! * unequipped CIC (2.12): UCIC for a message on a CIC we do not have; a
//!   received UCIC takes the circuit out of use;
//! * 2.9.5: an unknown message type is answered by CFN cause 97 (the message
//!   type in the diagnostic), an undecodable one by CFN cause 100 (an
//!   undecodable REL is still answered by RLC), RLC in idle is discarded, REL
//!   on an idle circuit answered by RLC, call messages on an idle circuit
//!   reset it (RSC);
//! * an IAM on a circuit locally blocked for maintenance is discarded and
//!   BLO sent again; the calling exchange releases and reattempts. An IAM on
//!   a remotely blocked circuit unblocks it.
//!
//! Not implemented: continuity check (T8 and COT: the nature of connection
//! indicators always say "not required"), SUS/RES (T2, T6, T38), INR/INF,
//! segmentation, the ANSI-specific CRM/CRA/CVT messages, automatic
//! congestion control. Timer repeats use one period after the first long
//! expiry.

mod circuit;
mod incoming;
mod isup;
mod types;
mod wire;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_maint;

pub use isup::Isup;
pub use types::{
    BlockKind, Blocking, CallRequest, CallState, CircuitInfo, IsupConfig, IsupError, IsupEvent,
    ReleasedBy, Side, Timers,
};
