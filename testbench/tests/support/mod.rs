//! Helpers of the simulator tests (`traffic.rs`, `pri_far_sim.rs`); each
//! test binary uses part of them.

#![allow(dead_code)]

pub mod audio;
pub mod host;
