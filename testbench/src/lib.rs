//! trunk-testbench: the hardware-in-the-loop board simulator and its far ends.
//!
//! * [`agents`]: simulated ACD agents, API clients of trunkd that log in
//!   and follow a state script (the `agentsim` binary).
//! * [`bench`]: shared parts of the macro benchmark binaries (starting
//!   trunkd, its API socket, CPU time from /proc).
//! * [`line`]: the line model behind each simulated span: G.704 framing with
//!   CRC-4 (E1) and ESF CRC-6 / D4 (T1), line codes, alarms, counters and
//!   fault injection.
//! * [`sim`]: the simulated board (the board ABI in a shared file plus an
//!   interrupt socket), its tick engine, control socket and far ends.

pub mod agents;
pub mod bench;
pub mod line;
pub mod peers;
pub mod sim;
