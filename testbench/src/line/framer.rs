//! One framer (transmit + receive half) of either line kind, and the AIS
//! detector shared by both kinds.

use super::bits::FrameBits;
use super::e1::{E1Rx, E1Tx};
use super::t1::{T1Rx, T1Tx};
use super::{Alarms, Counters, Framing, LineConfig, LineKind};

/// AIS detector: a period of `block` frames with fewer than 3 zeros is "low";
/// two consecutive low periods declare AIS, two consecutive periods with at
/// least 3 zeros clear it (G.775 §5.2 for E1 with 2-frame = 512-bit periods).
#[derive(Clone, Debug)]
pub(crate) struct AisDetector {
    block: u32,
    frames: u32,
    zeros: u32,
    streak: i8,
    active: bool,
}

impl AisDetector {
    pub(crate) fn new(block: u32) -> Self {
        Self {
            block,
            frames: 0,
            zeros: 0,
            streak: 0,
            active: false,
        }
    }

    #[inline]
    pub(crate) fn update(&mut self, zeros: u32) {
        self.zeros += zeros;
        self.frames += 1;
        if self.frames < self.block {
            return;
        }
        let low = self.zeros < 3;
        self.streak = if low {
            self.streak.max(0) + 1
        } else {
            self.streak.min(0) - 1
        }
        .clamp(-2, 2);
        if self.streak == 2 {
            self.active = true;
        } else if self.streak == -2 {
            self.active = false;
        }
        self.frames = 0;
        self.zeros = 0;
    }

    pub(crate) fn active(&self) -> bool {
        self.active
    }
}

/// A framer of either kind.
#[derive(Clone, Debug)]
pub(crate) enum Framer {
    E1 { tx: E1Tx, rx: E1Rx },
    T1 { tx: T1Tx, rx: T1Rx },
}

impl Framer {
    /// A fresh framer for `cfg` whose receive counters continue from `cnt`.
    pub(crate) fn new(cfg: LineConfig, cnt: Counters) -> Self {
        match cfg.kind {
            LineKind::E1 => {
                let crc4 = cfg.framing == Framing::Crc4;
                Framer::E1 {
                    tx: E1Tx::new(crc4),
                    rx: E1Rx::new(crc4, cnt),
                }
            }
            LineKind::T1 => {
                let esf = cfg.framing == Framing::Esf;
                Framer::T1 {
                    tx: T1Tx::new(esf),
                    rx: T1Rx::new(esf, cnt),
                }
            }
        }
    }

    /// Build the next transmit frame.  RAI is sent if `force_rai` or, as the
    /// consequent action of G.704/G.706 (T1.403 for T1), while the receiver
    /// is in LOS (`los`), LOF or AIS.  E1 E bits carry the receiver's errored
    /// submultiframes.  Returns the frame's position in its multiframe.
    #[inline]
    pub(crate) fn build(
        &mut self,
        payload: &[u8; 32],
        force_rai: bool,
        los: bool,
        out: &mut FrameBits,
    ) -> u8 {
        match self {
            Framer::E1 { tx, rx } => {
                let rai = force_rai || los || rx.lof() || rx.ais();
                tx.report_errored_smf(std::mem::take(&mut rx.errored_smf));
                tx.build(payload, rai, out)
            }
            Framer::T1 { tx, rx } => {
                let rai = force_rai || los || rx.lof() || rx.ais();
                tx.build(payload, rai, out)
            }
        }
    }

    /// Receive one frame from the line.
    #[inline]
    pub(crate) fn receive(&mut self, bits: &FrameBits) {
        match self {
            Framer::E1 { rx, .. } => rx.process(bits),
            Framer::T1 { rx, .. } => rx.process(bits),
        }
    }

    /// The last received payload.
    #[inline]
    pub(crate) fn payload(&self) -> &[u8; 32] {
        match self {
            Framer::E1 { rx, .. } => rx.payload(),
            Framer::T1 { rx, .. } => rx.payload(),
        }
    }

    /// Receiver alarms (LOS is the line's business and reported false here).
    pub(crate) fn alarms(&self) -> Alarms {
        match self {
            Framer::E1 { rx, .. } => Alarms {
                los: false,
                lof: rx.lof(),
                ais: rx.ais(),
                rai: rx.rai(),
                crc_mf_loss: rx.crc_mf_loss(),
            },
            Framer::T1 { rx, .. } => Alarms {
                los: false,
                lof: rx.lof(),
                ais: rx.ais(),
                rai: rx.rai(),
                crc_mf_loss: false,
            },
        }
    }

    /// Receiver counters (CRC, E-bit and FAS errors; the rest are zero here).
    pub(crate) fn counters(&self) -> Counters {
        match self {
            Framer::E1 { rx, .. } => rx.cnt,
            Framer::T1 { rx, .. } => rx.cnt,
        }
    }
}
