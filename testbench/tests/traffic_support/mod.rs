//! Helpers of `tests/traffic.rs`.

pub mod audio;
pub mod host;
