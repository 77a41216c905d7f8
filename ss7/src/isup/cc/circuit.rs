//! Per-circuit and per-group state and the repeat timers of Q.764.

use crate::isup::{MessageRepr, MessageType};

use super::types::{BlockKind, Blocking, CallRequest, CallState, CircuitInfo};

/// A message repeated on a short timer (T1, T12, T14, T16, T18, T20, T22)
/// until acknowledged, and on a long timer (T5, T13, T15, T17, T19, T21,
/// T23) after the first long period, which also stops the short one.
#[derive(Debug, Clone)]
pub(crate) struct Retry {
    pub msg: MessageRepr,
    pub short_at: Option<u64>,
    pub long_at: u64,
    pub short: u64,
    pub long: u64,
    pub names: (&'static str, &'static str),
}

/// What a due [`Retry`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fired {
    Short,
    Long,
}

impl Retry {
    pub fn new(
        now: u64,
        msg: MessageRepr,
        short: u64,
        long: u64,
        names: (&'static str, &'static str),
    ) -> Retry {
        Retry {
            msg,
            short_at: Some(now.saturating_add(short)),
            long_at: now.saturating_add(long),
            short,
            long,
            names,
        }
    }

    pub fn deadline(&self) -> u64 {
        self.short_at.map_or(self.long_at, |s| s.min(self.long_at))
    }

    /// Advance the timers if one is due at `now`.
    pub fn fire(&mut self, now: u64) -> Option<Fired> {
        if self.long_at <= now {
            self.short_at = None;
            self.long_at = now.saturating_add(self.long.max(1));
            return Some(Fired::Long);
        }
        match self.short_at {
            Some(s) if s <= now => {
                self.short_at = Some(now.saturating_add(self.short.max(1)));
                Some(Fired::Short)
            }
            _ => None,
        }
    }
}

/// One circuit.
#[derive(Debug, Clone)]
pub(crate) struct Circuit {
    pub cic: u16,
    pub state: CallState,
    pub local: Blocking,
    pub remote: Blocking,
    pub awaiting_gra: bool,
    pub unequipped_remote: bool,
    /// ACM sent on the incoming call (answer sends ANM, else CON).
    pub acm_sent: bool,
    /// T7 (outgoing setup) or T9 (outgoing alerting) deadline.
    pub call_timer: Option<u64>,
    /// REL (T1/T5) or RSC (T16/T17) awaiting RLC.
    pub release: Option<Retry>,
    /// BLO (T12/T13) or UBL (T14/T15) awaiting BLA/UBA.
    pub blocking: Option<Retry>,
    /// The outgoing call's request, kept for a reattempt.
    pub request: Option<CallRequest>,
}

impl Circuit {
    pub fn new(cic: u16) -> Circuit {
        Circuit {
            cic,
            state: CallState::Idle,
            local: Blocking::default(),
            remote: Blocking::default(),
            awaiting_gra: false,
            unequipped_remote: false,
            acm_sent: false,
            call_timer: None,
            release: None,
            blocking: None,
            request: None,
        }
    }

    pub fn info(&self) -> CircuitInfo {
        CircuitInfo {
            cic: self.cic,
            state: self.state,
            local: self.local,
            remote: self.remote,
            awaiting_gra: self.awaiting_gra,
            unequipped_remote: self.unequipped_remote,
        }
    }

    /// Whether an outgoing call may seize the circuit.
    pub fn is_free(&self) -> bool {
        self.state == CallState::Idle
            && !self.local.any()
            && !self.remote.any()
            && !self.awaiting_gra
            && !self.unequipped_remote
            && self.release.is_none()
    }

    /// Whether a call (not a release or reset) is in progress.
    pub fn in_call(&self) -> bool {
        !matches!(
            self.state,
            CallState::Idle | CallState::Releasing | CallState::Resetting
        )
    }

    /// Drop the call and its timers: the circuit is idle.
    pub fn clear(&mut self) {
        self.state = CallState::Idle;
        self.acm_sent = false;
        self.call_timer = None;
        self.release = None;
        self.request = None;
    }

    pub fn deadline(&self) -> Option<u64> {
        [
            self.call_timer,
            self.release.as_ref().map(Retry::deadline),
            self.blocking.as_ref().map(Retry::deadline),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Circuit state indicator octet (Q.763 3.14) for CQR.
    pub fn state_indicator(&self) -> u8 {
        let both = |l: bool, r: bool| u8::from(l) | (u8::from(r) << 1);
        let busy = match self.state {
            CallState::Idle => 3,
            CallState::IncomingSetup
            | CallState::IncomingAlerting
            | CallState::IncomingAnswered => 1,
            CallState::OutgoingSetup
            | CallState::OutgoingAlerting
            | CallState::OutgoingAnswered => 2,
            // Transient: bits DC = 0, BA = 0.
            CallState::Releasing | CallState::Resetting => return 0,
        };
        both(self.local.maintenance, self.remote.maintenance)
            | (busy << 2)
            | (both(self.local.hardware, self.remote.hardware) << 4)
    }
}

/// A circuit group procedure waiting for its acknowledgement.
#[derive(Debug, Clone)]
pub(crate) struct GroupOp {
    /// CGB, CGU or GRS.
    pub kind: MessageType,
    pub block: BlockKind,
    pub cic: u16,
    pub range: u8,
    pub retry: Retry,
}
