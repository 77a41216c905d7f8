//! Media DSP on 8 kHz G.711 channels: companding, DTMF, call-progress
//! tones, prompts, recording and mixing.
//!
//! Every function used on the board thread works on caller-provided or
//! preallocated buffers and never allocates, so it can run on the hot path.
pub mod dtmf;
pub mod engine;
pub mod g711;
pub mod mixer;
pub mod prompt;
pub mod record;
pub mod tones;
