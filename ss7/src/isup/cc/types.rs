//! Public types of the ISUP call control: configuration, timers, requests,
//! events and the circuit view.

use crate::isup::Variant;

/// Q.764 timers in board milliseconds (defaults inside the Q.764 Annex A
/// ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// T1: REL sent, waiting for RLC; REL repeated on expiry (15-60 s).
    pub t1: u64,
    /// T5: initial REL sent; on expiry the circuit is reset with RSC (5-15 min).
    pub t5: u64,
    /// T7: IAM (or SAM) sent, waiting for ACM or CON (20-30 s).
    pub t7: u64,
    /// T9: ACM received, waiting for ANM (90-180 s).
    pub t9: u64,
    /// T12: BLO sent, waiting for BLA; BLO repeated (15-60 s).
    pub t12: u64,
    /// T13: initial BLO sent; BLO repeated every T13 after it (5-15 min).
    pub t13: u64,
    /// T14: UBL sent, waiting for UBA; UBL repeated (15-60 s).
    pub t14: u64,
    /// T15: initial UBL sent (5-15 min).
    pub t15: u64,
    /// T16: RSC sent, waiting for RLC; RSC repeated (15-60 s).
    pub t16: u64,
    /// T17: initial RSC sent (5-15 min).
    pub t17: u64,
    /// T18: CGB sent, waiting for CGBA (15-60 s).
    pub t18: u64,
    /// T19: initial CGB sent (5-15 min).
    pub t19: u64,
    /// T20: CGU sent, waiting for CGUA (15-60 s).
    pub t20: u64,
    /// T21: initial CGU sent (5-15 min).
    pub t21: u64,
    /// T22: GRS sent, waiting for GRA (15-60 s).
    pub t22: u64,
    /// T23: initial GRS sent (5-15 min).
    pub t23: u64,
}

impl Default for Timers {
    fn default() -> Timers {
        const S: u64 = 1000;
        Timers {
            t1: 15 * S,
            t5: 300 * S,
            t7: 25 * S,
            t9: 120 * S,
            t12: 15 * S,
            t13: 300 * S,
            t14: 15 * S,
            t15: 300 * S,
            t16: 15 * S,
            t17: 300 * S,
            t18: 15 * S,
            t19: 300 * S,
            t20: 15 * S,
            t21: 300 * S,
            t22: 15 * S,
            t23: 300 * S,
        }
    }
}

/// Configuration of one ISUP signalling relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsupConfig {
    /// Message and parameter variant.
    pub variant: Variant,
    /// Own signalling point code (decides dual seizure control).
    pub opc: u32,
    /// Adjacent (destination) point code.
    pub dpc: u32,
    /// Circuit identification codes of the circuits towards `dpc`.
    pub circuits: Vec<u16>,
    /// Timer values.
    pub timers: Timers,
}

impl IsupConfig {
    /// A configuration with default timers.
    pub fn new(variant: Variant, opc: u32, dpc: u32, circuits: Vec<u16>) -> IsupConfig {
        IsupConfig {
            variant,
            opc,
            dpc,
            circuits,
            timers: Timers::default(),
        }
    }
}

/// An outgoing call request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallRequest {
    /// Called party digits (0-9, B, C, D, E; no ST).
    pub called: String,
    /// Nature of address of the called number (see [`crate::isup::nature`]).
    pub called_nature: u8,
    /// Calling party digits, if presented.
    pub calling: Option<String>,
    /// Calling party's category (Q.763 3.11; 0x0a ordinary subscriber).
    pub category: u8,
    /// Whether `called` is the whole number (en-bloc: ST is sent); `false`
    /// starts overlap sending, continued with [`super::Isup::send_digits`].
    pub complete: bool,
    /// CIC to use, or `None` to pick a free circuit (controlled ones first).
    pub cic: Option<u16>,
}

/// Which side did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// This exchange.
    Local,
    /// The adjacent exchange.
    Remote,
}

/// Why a call was released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleasedBy {
    /// The far end sent REL.
    Remote,
    /// A timer expired (T7, T9).
    Timer,
    /// The circuit was reset (RSC, GRS) or blocked for hardware failure.
    Reset,
    /// The far end reported the circuit unequipped (UCIC).
    Unequipped,
    /// Dual seizure: this exchange's call lost and no other circuit was free.
    DualSeizure,
}

/// Kind of circuit blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// Maintenance oriented (BLO, CGB maintenance).
    Maintenance,
    /// Hardware failure oriented (CGB hardware failure).
    Hardware,
}

/// Blocking flags of one side of a circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Blocking {
    /// Blocked for maintenance.
    pub maintenance: bool,
    /// Blocked for hardware failure.
    pub hardware: bool,
}

impl Blocking {
    /// Whether either kind is set.
    pub fn any(self) -> bool {
        self.maintenance || self.hardware
    }

    pub(crate) fn set(&mut self, kind: BlockKind, on: bool) {
        match kind {
            BlockKind::Maintenance => self.maintenance = on,
            BlockKind::Hardware => self.hardware = on,
        }
    }
}

/// Call processing state of a circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// No call.
    Idle,
    /// IAM sent, waiting for ACM/CON (T7).
    OutgoingSetup,
    /// ACM received, waiting for ANM (T9).
    OutgoingAlerting,
    /// Outgoing call answered.
    OutgoingAnswered,
    /// IAM received, ACM not yet sent.
    IncomingSetup,
    /// ACM sent, not yet answered.
    IncomingAlerting,
    /// Incoming call answered.
    IncomingAnswered,
    /// REL sent, waiting for RLC (T1/T5): transient.
    Releasing,
    /// RSC sent, waiting for RLC (T16/T17): transient.
    Resetting,
}

/// One circuit as seen by `trunkctl ss7 circuits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitInfo {
    /// Circuit identification code.
    pub cic: u16,
    /// Call processing state.
    pub state: CallState,
    /// Blocked by this exchange.
    pub local: Blocking,
    /// Blocked by the adjacent exchange.
    pub remote: Blocking,
    /// A GRS covering this circuit waits for GRA (transient).
    pub awaiting_gra: bool,
    /// The far end answered UCIC for this circuit: not used for calls.
    pub unequipped_remote: bool,
}

/// Something the user of [`super::Isup`] must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IsupEvent {
    /// An IAM arrived.
    IncomingCall {
        /// Circuit.
        cic: u16,
        /// Called party digits (without ST).
        called: String,
        /// Calling party digits, if any.
        calling: Option<String>,
        /// Calling party's category.
        category: u8,
        /// The called number ended with ST.
        complete: bool,
    },
    /// A SAM arrived on an incoming call.
    MoreDigits {
        /// Circuit.
        cic: u16,
        /// Digits (without ST).
        digits: String,
        /// The digits ended with ST.
        complete: bool,
    },
    /// ACM received on an outgoing call.
    Alerting {
        /// Circuit.
        cic: u16,
    },
    /// CPG received.
    Progress {
        /// Circuit.
        cic: u16,
        /// Event indicator (Q.763 3.21).
        event: u8,
    },
    /// ANM or CON received.
    Answered {
        /// Circuit.
        cic: u16,
    },
    /// The call on a circuit ended without a local release request.
    Released {
        /// Circuit.
        cic: u16,
        /// Q.850 cause value.
        cause: u8,
        /// What released it.
        by: ReleasedBy,
    },
    /// RLC received for a locally released call: the circuit is idle.
    ReleaseComplete {
        /// Circuit.
        cic: u16,
    },
    /// Dual seizure lost: the outgoing call moved to another circuit.
    Reattempted {
        /// Circuit given up.
        from: u16,
        /// Circuit of the new IAM.
        to: u16,
    },
    /// A circuit became blocked.
    CircuitBlocked {
        /// Circuit.
        cic: u16,
        /// Who blocked it (`Local`: the far end acknowledged).
        side: Side,
        /// Kind.
        kind: BlockKind,
    },
    /// A circuit became unblocked.
    CircuitUnblocked {
        /// Circuit.
        cic: u16,
        /// Who unblocked it.
        side: Side,
        /// Kind.
        kind: BlockKind,
    },
    /// A circuit reset finished (RLC for our RSC) or a RSC was received.
    ResetDone {
        /// Circuit.
        cic: u16,
        /// Who asked for the reset.
        side: Side,
    },
    /// A circuit group reset finished (GRA for our GRS) or a GRS was received.
    GroupResetDone {
        /// First circuit.
        cic: u16,
        /// Range (circuits - 1).
        range: u8,
        /// Who asked for the reset.
        side: Side,
    },
    /// CQR received: one Q.763 3.14 state octet per circuit from `cic`.
    QueryResult {
        /// First circuit.
        cic: u16,
        /// Circuit state indicators.
        states: Vec<u8>,
    },
    /// The far end sent UCIC: the circuit is not equipped there.
    Unequipped(u16),
    /// CFN received.
    Confusion {
        /// Circuit.
        cic: u16,
        /// Cause value.
        cause: u8,
    },
    /// A repeat timer's long period expired (T5, T13, T15, T17, T19, T21,
    /// T23): maintenance should look at the circuit.
    MaintenanceAlert {
        /// Circuit (first of the group).
        cic: u16,
        /// Timer name, e.g. "T5".
        timer: &'static str,
    },
    /// A message could not be decoded or emitted.
    Error {
        /// Circuit.
        cic: u16,
        /// What went wrong.
        reason: String,
    },
}

/// Errors of the request methods.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsupError {
    /// The CIC is not one of the configured circuits.
    #[error("CIC {0} is not configured")]
    UnknownCic(u16),
    /// No idle, unblocked circuit for an outgoing call.
    #[error("no free circuit")]
    NoCircuit,
    /// The request does not fit the circuit's state.
    #[error("CIC {cic}: request not allowed in state {state:?}")]
    WrongState {
        /// Circuit.
        cic: u16,
        /// Its state.
        state: CallState,
    },
    /// The number has characters that are not address signals.
    #[error("invalid digits")]
    BadDigits,
    /// The group range is 0 or more than 31 circuits after the CIC.
    #[error("bad group range {0}")]
    BadRange(u8),
}
