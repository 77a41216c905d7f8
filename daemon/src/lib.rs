//! trunkd as a library: the parts of the daemon that are pure computation and
//! are benchmarked or tested on their own. The daemon itself is `main.rs`.
//!
//! * [`media`]: the media engine: G.711, DTMF (Q.23/Q.24), call-progress
//!   tones, prompts, recording taps, conference mixing, and
//!   [`media::engine::MediaEngine`], which the board thread runs every
//!   millisecond.
//! * [`acd`]: the automatic call distributor core (sans-IO): queues, agents,
//!   agent states and distribution strategies.
pub mod acd;
pub mod media;
