//! Public types of [`Ss7Node`](super::Ss7Node): configuration, events,
//! errors and the status view.

use crate::mtp2::{LinkState as Mtp2State, Mtp2Config, Mtp2Stats, OutOfServiceReason};
use crate::mtp3::{
    LinkSetError, LinkState as Mtp3State, NetworkIndicator, PointCode, RouteState, RoutingLabel,
    Variant,
};

/// Configuration of a signalling point with one link set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    /// MTP3 variant (ITU, ANSI or China).
    pub variant: Variant,
    /// Own point code.
    pub opc: PointCode,
    /// Adjacent (destination) point code.
    pub dpc: PointCode,
    /// Network indicator sent in, and required in, every SIO.
    pub ni: NetworkIndicator,
    /// Signalling link code of each link; link index `i` (as used by
    /// [`handle_su`](super::Ss7Node::handle_su) and friends) carries
    /// `links[i]`. At most 16 links, SLC 0..=15, no duplicates.
    pub links: Vec<u8>,
    /// MTP2 parameters, the same for every link.
    pub mtp2: Mtp2Config,
}

/// Indications from the signalling point to its user parts and management.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeEvent {
    /// A user part message for this signalling point.
    UserData {
        /// Service indicator (5 = ISUP).
        si: u8,
        /// Routing label.
        label: RoutingLabel,
        /// Octets after the routing label.
        payload: Vec<u8>,
    },
    /// The link set became available (first link tested).
    LinkSetUp,
    /// The last available link went away.
    LinkSetDown,
    /// Link `slc` passed its test and carries traffic.
    LinkUp(u8),
    /// Link `slc` stopped carrying traffic.
    LinkDown(u8),
    /// MTP2 of link `slc` left service (or its alignment failed); the node
    /// restarts it.
    LinkOutOfService {
        /// Signalling link code.
        slc: u8,
        /// Why MTP2 took the link out of service.
        reason: OutOfServiceReason,
    },
    /// The signalling link test of link `slc` failed twice; the node
    /// restarts its MTP2.
    LinkTestFailed(u8),
    /// UPU received: `user_part` is unavailable at `dest`.
    UserPartUnavailable {
        /// Signalling point concerned.
        dest: PointCode,
        /// User part (service indicator).
        user_part: u8,
        /// Cause (see [`crate::mtp3::snm::upu_cause`]).
        cause: u8,
    },
    /// TFP/TFR/TFA received for `dest`.
    RouteStatus {
        /// Destination.
        dest: PointCode,
        /// New route state.
        state: RouteState,
    },
    /// TFC received for `dest`.
    RouteCongested {
        /// Destination.
        dest: PointCode,
        /// Congestion status 0-3.
        status: u8,
    },
    /// TRA received from the adjacent signalling point.
    TrafficRestartAllowed,
}

/// Errors from [`Ss7Node`](super::Ss7Node) requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    /// A link index beyond the configured links.
    #[error("no link with index {0}")]
    NoSuchLink(usize),
    /// The link set refused the request or the configuration.
    #[error(transparent)]
    LinkSet(#[from] LinkSetError),
}

/// One link as `trunkctl ss7 linksets` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkStatusView {
    /// Link index (position in [`NodeConfig::links`]).
    pub index: usize,
    /// Signalling link code.
    pub slc: u8,
    /// MTP2 state.
    pub mtp2: Mtp2State,
    /// MTP3 state (down, testing, available).
    pub mtp3: Mtp3State,
    /// MTP2 counters.
    pub stats: Mtp2Stats,
    /// MSUs sent and not yet acknowledged.
    pub outstanding: usize,
    /// MSUs waiting for their first transmission (MTP2 queue plus the
    /// node's overflow queue).
    pub queued: usize,
    /// Times MTP2 left service since the node was created.
    pub failures: u64,
}

/// The link set as `trunkctl ss7 linksets` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSetStatusView {
    /// MTP3 variant.
    pub variant: Variant,
    /// Own point code.
    pub opc: PointCode,
    /// Adjacent point code.
    pub dpc: PointCode,
    /// Whether at least one link carries traffic.
    pub up: bool,
    /// Each link, in configuration order.
    pub links: Vec<LinkStatusView>,
}
