//! Media DSP on 8 kHz G.711 channels: companding and tone detection.
//!
//! Every function here works on caller-provided buffers and never allocates,
//! so it can run on the board thread's hot path.
pub mod dtmf;
pub mod g711;
