//! Bridging and conference mixing (being written).
