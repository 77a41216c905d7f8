//! trunk-tools: client-side tooling for the `trunkd` E1/T1 daemon.
//!
//! The crate has three layers:
//!
//! * [`client`] — a synchronous client of trunkd's control socket
//!   (JSON lines over a Unix stream socket, API version 1);
//! * [`api`] — typed views of the v1 command results, for callers that
//!   prefer structs to raw [`serde_json::Value`]s;
//! * [`render`], [`table`] and [`chan`] — the human-readable output and
//!   argument parsing used by the `trunkctl` binary, kept in the library so
//!   they can be unit tested and reused.
//!
//! ```no_run
//! use trunk_tools::client::Client;
//!
//! # fn main() -> Result<(), trunk_tools::client::ClientError> {
//! let mut client = Client::connect("/run/trunkd/trunkd.sock")?;
//! let status = client.status()?;
//! println!("{} up for {} ms", status.server, status.uptime_ms);
//! # Ok(())
//! # }
//! ```

pub mod acd_cli;
pub mod api;
pub mod calls_cli;
pub mod capture;
pub mod cdr_cli;
pub mod chan;
pub mod client;
pub mod decode;
pub mod decode_ss7;
pub mod events;
pub mod ivr_cli;
pub mod media_cli;
pub mod pcap;
pub mod pcap_mtp2;
pub mod rec_cli;
pub mod render;
pub mod table;

pub use client::{Client, ClientError};
