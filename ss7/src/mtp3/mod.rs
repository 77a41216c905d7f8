//! MTP3 (Q.704/Q.707; ANSI T1.111; China): routing label, signalling
//! network management (SNM) and testing (SNT) messages, and link set
//! management as a sans-IO state machine.
//!
//! * [`label`] - variants, point codes, SIO, routing label.
//! * [`snm`] - COO/COA/XCO/XCA/CBD/CBA/ECO/ECA/RCT/TFC/TFP/TFR/TFA/RST/RSR,
//!   link inhibit messages, TRA, UPU.
//! * [`snt`] - SLTM/SLTA.
//! * [`linkset`] - one link set towards an adjacent signalling point: link
//!   test, load sharing, changeover and changeback.

pub mod label;
pub mod linkset;
pub mod snm;
pub mod snt;

pub use label::{
    parse_msu, si, LabelView, Mtp3Error, NetworkIndicator, PointCode, RoutingLabel, Sio, Variant,
};
pub use linkset::{LinkSet, LinkSetConfig, LinkSetError, LinkSetEvent, LinkState, RouteState};
pub use snm::SnmMessage;
pub use snt::{SltKind, SltMessage};

#[cfg(test)]
mod tests_linkset;
#[cfg(test)]
mod tests_wire;
