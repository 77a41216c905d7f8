//! Public types used by [`Mtp2`](super::Mtp2): configuration with the Q.703
//! timer defaults, states, events, out-of-service reasons, statistics and
//! the fixed-capacity [`Sif`] buffer.

use core::fmt;
use core::ops::Deref;

use thiserror::Error;

use crate::mtp2::su::{MAX_SIF, MIN_SIF};

/// MTP2 link parameters. Times are board milliseconds.
///
/// The defaults are the Q.703 §12.3 values for 64 kbit/s links (the middle
/// of each range where a range is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mtp2Config {
    /// T1, alignment ready (Q.703 §12.3, 40-50 s at 64 kbit/s): time in
    /// "aligned ready" waiting for the far end to send FISUs/MSUs. Default 45 000.
    pub t1: u64,
    /// T2, not aligned (Q.703 §12.3, 5-150 s): time in "not aligned" waiting
    /// for SIO/SIN/SIE from the far end. Default 11 500.
    pub t2: u64,
    /// T3, aligned (Q.703 §12.3, 1-1.5 s): time in "aligned" waiting for
    /// SIN/SIE. Default 1 000.
    pub t3: u64,
    /// T4n, normal proving period Pn (Q.703 §7.3/§12.3: 2^16 octet times,
    /// 8.2 s at 64 kbit/s, range 7.5-9.5 s). Default 8 200.
    pub t4n: u64,
    /// T4e, emergency proving period Pe (Q.703 §7.3/§12.3: 2^12 octet times,
    /// 0.5 s at 64 kbit/s, range 400-600 ms). Default 500.
    pub t4e: u64,
    /// T5, sending SIB (Q.703 §9.3/§12.3, 80-120 ms): interval between SIBs
    /// while the local receiver is congested. Default 100.
    pub t5: u64,
    /// T6, remote congestion (Q.703 §9.4/§12.3, 3-6 s at 64 kbit/s):
    /// longest tolerated far-end busy. Default 5 000.
    pub t6: u64,
    /// T7, excessive delay of acknowledgement (Q.703 §5.3.2/§12.3, 0.5-2 s at
    /// 64 kbit/s). Default 1 000.
    pub t7: u64,
    /// Ti, AERM threshold for normal proving (Q.703 §10.3). Default 4.
    pub aerm_ti: u32,
    /// Tie, AERM threshold for emergency proving (Q.703 §10.3). Default 1.
    pub aerm_tie: u32,
    /// M, proving attempts before alignment is declared impossible (Q.703 §7.3). Default 5.
    pub proving_attempts: u32,
    /// T, SUERM threshold (Q.703 §10.2). Default 64.
    pub suerm_threshold: u32,
    /// D, SUERM leak: the error count drops by one every D signal units
    /// received (Q.703 §10.2). Default 256.
    pub suerm_d: u32,
    /// Maximum MSUs waiting for first transmission (clamped to 1..=4096,
    /// default 256). Storage is allocated by [`Mtp2::new`](super::Mtp2::new).
    pub tx_queue: usize,
    /// Maximum received MSUs waiting in the event queue; further MSUs are not
    /// accepted (and so are retransmitted later). Clamped to 1..=4096, default 128.
    pub rx_queue: usize,
}

impl Default for Mtp2Config {
    fn default() -> Self {
        Mtp2Config {
            t1: 45_000,
            t2: 11_500,
            t3: 1_000,
            t4n: 8_200,
            t4e: 500,
            t5: 100,
            t6: 5_000,
            t7: 1_000,
            aerm_ti: 4,
            aerm_tie: 1,
            proving_attempts: 5,
            suerm_threshold: 64,
            suerm_d: 256,
            tx_queue: 256,
            rx_queue: 128,
        }
    }
}

/// Link state as seen from outside: the link state control (LSC) state,
/// with the initial alignment control (IAC) states of Q.703 §7 spelled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Out of service (also power-on, before [`start`](super::Mtp2::start)): sending SIOS.
    OutOfService,
    /// Initial alignment, "not aligned": sending SIO, T2 running.
    NotAligned,
    /// Initial alignment, "aligned": sending SIN/SIE, T3 running.
    Aligned,
    /// Initial alignment, "proving": sending SIN/SIE, T4 running, AERM on.
    Proving,
    /// Alignment complete, "aligned ready" (or "not ready" under local
    /// processor outage): sending FISU/SIPO, T1 running.
    AlignedReady,
    /// In service (possibly with local or remote processor outage).
    InService,
}

/// Why the link went out of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfServiceReason {
    /// [`stop`](super::Mtp2::stop) was called.
    Stopped,
    /// Initial alignment failed: T2 or T3 expired, SIOS received during
    /// alignment, or M proving attempts aborted by the AERM.
    AlignmentNotPossible,
    /// T1 expired in "aligned ready".
    T1Expired,
    /// SIOS received.
    ReceivedSios,
    /// SIO, SIN or SIE received while aligned ready or in service.
    ReceivedSioSinSie,
    /// The signal unit error rate monitor reached its threshold.
    ExcessiveErrorRate,
    /// T7 expired: acknowledgements stopped.
    T7Expired,
    /// T6 expired: the far end stayed busy too long.
    T6Expired,
    /// Two of three consecutive signal units carried an abnormal BSN.
    AbnormalBsn,
    /// Two of three consecutive signal units carried an abnormal FIB.
    AbnormalFib,
}

impl fmt::Display for OutOfServiceReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutOfServiceReason::Stopped => "stopped",
            OutOfServiceReason::AlignmentNotPossible => "alignment not possible",
            OutOfServiceReason::T1Expired => "T1 expired",
            OutOfServiceReason::ReceivedSios => "SIOS received",
            OutOfServiceReason::ReceivedSioSinSie => "SIO/SIN/SIE received",
            OutOfServiceReason::ExcessiveErrorRate => "excessive error rate (SUERM)",
            OutOfServiceReason::T7Expired => "T7 expired",
            OutOfServiceReason::T6Expired => "T6 expired",
            OutOfServiceReason::AbnormalBsn => "abnormal BSN",
            OutOfServiceReason::AbnormalFib => "abnormal FIB",
        })
    }
}

/// A signalling information field held without allocation.
///
/// Dereferences to the SIF octets.
#[derive(Clone, Copy)]
pub struct Sif {
    buf: [u8; MAX_SIF],
    len: usize,
}

impl Sif {
    /// Copy `data` into a new `Sif`; `None` unless it is `MIN_SIF..=MAX_SIF` octets.
    pub fn from_slice(data: &[u8]) -> Option<Self> {
        if !(MIN_SIF..=MAX_SIF).contains(&data.len()) {
            return None;
        }
        let mut buf = [0; MAX_SIF];
        buf[..data.len()].copy_from_slice(data);
        Some(Sif {
            buf,
            len: data.len(),
        })
    }
}

impl Deref for Sif {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Debug for Sif {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sif({:02x?})", &self[..])
    }
}

impl PartialEq for Sif {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl Eq for Sif {}

/// Indications from MTP2 to level 3.
///
/// `Msu` carries its SIF inline so that receiving never allocates.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mtp2Event {
    /// The link entered service.
    InService,
    /// The link left service (or alignment failed).
    OutOfService(OutOfServiceReason),
    /// A message signal unit was received in sequence.
    Msu {
        /// Service information octet.
        sio: u8,
        /// Signalling information field.
        sif: Sif,
    },
    /// The far end reports processor outage (SIPO received).
    RemoteProcessorOutage,
    /// The far end recovered from processor outage (FISU/MSU after SIPO).
    RemoteProcessorRecovered,
    /// The far end reports receiver congestion (SIB received); T6 runs.
    RemoteCongestion,
    /// The far end's congestion ended.
    RemoteCongestionEnded,
}

/// Errors returned by [`Mtp2`](super::Mtp2) requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Mtp2Error {
    /// The SIF is shorter than 2 or longer than 272 octets.
    #[error("SIF length out of range (2..=272 octets)")]
    BadSifLength,
    /// The transmit queue is full.
    #[error("transmit queue full")]
    QueueFull,
}

/// Counters kept by the link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mtp2Stats {
    /// MSUs sent for the first time.
    pub msus_sent: u64,
    /// MSUs retransmitted.
    pub msus_retransmitted: u64,
    /// MSUs accepted in sequence.
    pub msus_received: u64,
    /// Negative acknowledgements sent (BIB inversions).
    pub nacks_sent: u64,
    /// Signal unit errors (FCS/abort reported, or undecodable SUs).
    pub su_errors: u64,
}
