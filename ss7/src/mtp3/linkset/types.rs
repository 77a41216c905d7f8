//! Public link set types: configuration, errors, states and events.

use crate::mtp3::label::MAX_SIF_LEN;
use crate::mtp3::label::{Mtp3Error, NetworkIndicator, PointCode, RoutingLabel, Variant};

/// Link set configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSetConfig {
    /// MTP3 variant.
    pub variant: Variant,
    /// Network indicator used in sent SIOs and required in received ones.
    pub ni: NetworkIndicator,
    /// Own point code.
    pub opc: PointCode,
    /// Adjacent point code (the far end of every link).
    pub adjacent: PointCode,
    /// Signalling link codes of the links (at most 16, each 0..=15).
    pub links: Vec<u8>,
    /// Load-sharing width in bits: 4 (ITU, China), 5 or 8 (ANSI).
    pub sls_bits: u8,
    /// SLTM test pattern (at most 15 octets).
    pub test_pattern: Vec<u8>,
    /// Q.707 T1: waiting for SLTA (4-12 s).
    pub t1_slt: u64,
    /// Q.704 T1: delay to avoid mis-sequencing on emergency or time-controlled changeover.
    pub t1: u64,
    /// Q.704 T2: waiting for changeover acknowledgement.
    pub t2: u64,
    /// Q.704 T4: waiting for changeback acknowledgement (first attempt).
    pub t4: u64,
    /// Q.704 T5: waiting for changeback acknowledgement (second attempt).
    pub t5: u64,
}

impl LinkSetConfig {
    /// A configuration with the usual timer values (Q.707 T1 8 s; Q.704 T1
    /// 1 s, T2 1.5 s, T4 and T5 1 s) and the SLS width of the variant (4 bits
    /// for ITU and China, 8 for ANSI).
    pub fn new(
        variant: Variant,
        ni: NetworkIndicator,
        opc: PointCode,
        adjacent: PointCode,
        links: Vec<u8>,
    ) -> Self {
        LinkSetConfig {
            variant,
            ni,
            opc,
            adjacent,
            links,
            sls_bits: if variant == Variant::Ansi { 8 } else { 4 },
            test_pattern: b"trunkd-mtp3".to_vec(),
            t1_slt: 8_000,
            t1: 1_000,
            t2: 1_500,
            t4: 1_000,
            t5: 1_000,
        }
    }
}

/// Errors from [`LinkSet`](super::LinkSet) requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkSetError {
    /// The configuration is not usable (no links, SLC > 15, bad SLS width...).
    #[error("invalid link set configuration")]
    BadConfig,
    /// No link of the set is available.
    #[error("link set unavailable")]
    LinkSetDown,
    /// The destination is prohibited (TFP received).
    #[error("route to destination prohibited")]
    RouteProhibited,
    /// Building the message failed.
    #[error(transparent)]
    Wire(#[from] Mtp3Error),
}

/// State of one signalling link as MTP3 sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Not in service at MTP2 (or failed its test).
    Down,
    /// In service at MTP2, SLTM sent, waiting for SLTA.
    Testing,
    /// Tested and carrying traffic.
    Available,
}

/// Route state of a destination reached through the link set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteState {
    /// TFA received (or never restricted).
    Allowed,
    /// TFR received.
    Restricted,
    /// TFP received.
    Prohibited,
}

/// Indications from the link set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkSetEvent {
    /// The first link became available.
    LinkSetUp,
    /// The last available link went away.
    LinkSetDown,
    /// A link passed its test and carries traffic.
    LinkAvailable {
        /// Signalling link code.
        slc: u8,
    },
    /// A link stopped carrying traffic.
    LinkUnavailable {
        /// Signalling link code.
        slc: u8,
    },
    /// The signalling link test failed twice: take the MTP2 link out of
    /// service (and restart it).
    LinkTestFailed {
        /// Signalling link code.
        slc: u8,
    },
    /// Retrieve from MTP2 of link `slc` the MSUs after `fsn` (the far end's
    /// last accepted FSN), or when `fsn` is `None` those not yet transmitted,
    /// and hand them to [`LinkSet::handle_retrieved`](super::LinkSet::handle_retrieved) (possibly none).
    Retrieve {
        /// Signalling link code of the failed link.
        slc: u8,
        /// Far end's last accepted FSN.
        fsn: Option<u32>,
    },
    /// A user part message for this signalling point.
    Deliver {
        /// Service indicator.
        si: u8,
        /// Routing label.
        label: RoutingLabel,
        /// Octets after the label.
        payload: Vec<u8>,
    },
    /// TFP, TFR or TFA (or the cluster forms) received.
    RouteStatus {
        /// Destination.
        dest: PointCode,
        /// New state.
        state: RouteState,
    },
    /// TFC received.
    RouteCongested {
        /// Destination.
        dest: PointCode,
        /// Congestion status 0-3.
        status: u8,
    },
    /// UPU received.
    UserPartUnavailable {
        /// Signalling point where the user part is unavailable.
        dest: PointCode,
        /// User part (service indicator).
        user_part: u8,
        /// Cause (see [`crate::mtp3::snm::upu_cause`]).
        cause: u8,
    },
    /// TRA received from the adjacent signalling point.
    TrafficRestartAllowed,
}

/// Longest user part payload for `variant` (272 octets minus the label).
pub const fn max_payload(variant: Variant) -> usize {
    MAX_SIF_LEN - variant.label_len()
}
