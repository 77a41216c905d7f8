//! trunkd as a library: the parts of the daemon that are pure computation and
//! are benchmarked or tested on their own. The daemon itself is `main.rs`.
//!
//! * [`media`]: the media engine's DSP (G.711, DTMF) — groundwork of the media
//!   issue; not wired into the real-time loop yet.
pub mod media;
