//! The board ABI: register map (map 0) and DMA layout (map 1).
//!
//! `driver-sys/BOARD.md` is the normative description; this module is its
//! machine-readable twin. All registers are 32-bit, little-endian, naturally
//! aligned. Counters are free-running and wrap at 2^32; readers compute deltas.

use bitflags::bitflags;

/// Value of [`REG_ID`]: ASCII "TRNK".
pub const BOARD_MAGIC: u32 = 0x5452_4E4B;
/// ABI version in [`REG_VERSION`]: major in bits 31..16, minor in bits 15..0.
pub const ABI_VERSION: u32 = 0x0001_0000;
/// Major ABI version this driver speaks; a board with another major is refused.
pub const ABI_MAJOR: u32 = ABI_VERSION >> 16;

/// Size of map 0 (registers) in bytes.
pub const MAP0_SIZE: usize = 4096;
/// Largest number of spans on one board.
pub const MAX_SPANS: usize = 16;
/// Timeslots per frame in a DMA chunk (E1 uses 0..=31, T1 uses 1..=24).
pub const TIMESLOTS: usize = 32;
/// Frames per DMA chunk: 8 frames at 8000 frames/s is 1 ms.
pub const FRAMES_PER_CHUNK: usize = 8;
/// Bytes per DMA chunk: frame-major, `chunk[frame * 32 + timeslot]`.
pub const CHUNK_BYTES: usize = FRAMES_PER_CHUNK * TIMESLOTS;
/// Chunks in each receive and transmit ring (32 ms of buffering).
pub const RING_CHUNKS: usize = 32;
/// Bytes in one ring.
pub const RING_BYTES: usize = CHUNK_BYTES * RING_CHUNKS;
/// Bytes of DMA memory per span: the receive ring, then the transmit ring.
pub const SPAN_DMA_BYTES: usize = 2 * RING_BYTES;
/// Frames per second on every span (E1 and T1 alike).
pub const FRAMES_PER_SECOND: u64 = 8000;

/// Size of map 1 (DMA memory) for a board with `spans` spans.
pub const fn map1_size(spans: usize) -> usize {
    spans * SPAN_DMA_BYTES
}

/// Byte offset in map 1 of chunk number `seq` (a free-running chunk count) of
/// `span` (0-based) in the given direction.
pub const fn chunk_offset(span: usize, dir: Direction, seq: u32) -> usize {
    let ring = match dir {
        Direction::Rx => 0,
        Direction::Tx => RING_BYTES,
    };
    span * SPAN_DMA_BYTES + ring + (seq as usize % RING_CHUNKS) * CHUNK_BYTES
}

/// A DMA direction, seen from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Line to host: the board writes, the host reads.
    Rx,
    /// Host to line: the host writes, the board reads.
    Tx,
}

// ---- global registers -------------------------------------------------------

/// RO: board identification, [`BOARD_MAGIC`].
pub const REG_ID: usize = 0x000;
/// RO: ABI version, [`ABI_VERSION`].
pub const REG_VERSION: usize = 0x004;
/// RO: number of spans fitted (1..=16).
pub const REG_SPAN_COUNT: usize = 0x008;
/// RO: capabilities, [`Caps`].
pub const REG_CAPS: usize = 0x00C;
/// RW: global control, [`Control`].
pub const REG_CONTROL: usize = 0x010;
/// RW1C: interrupt status, [`Irq`]; write 1s to clear.
pub const REG_IRQ_STATUS: usize = 0x014;
/// RO: chunks per ring, [`RING_CHUNKS`].
pub const REG_RING_CHUNKS: usize = 0x018;
/// RO: bytes per chunk, [`CHUNK_BYTES`].
pub const REG_CHUNK_BYTES: usize = 0x01C;
/// RO: frames since DMA was enabled, low 32 bits (read LO first; it latches HI).
pub const REG_FRAME_COUNT_LO: usize = 0x020;
/// RO: frames since DMA was enabled, high 32 bits.
pub const REG_FRAME_COUNT_HI: usize = 0x024;
/// RO: size of map 1 in bytes.
pub const REG_DMA_SIZE: usize = 0x028;
/// RW1C: bit N set when span N's status register changed; write 1s to clear.
pub const REG_SPAN_EVENTS: usize = 0x02C;
/// RW: interrupt moderation: raise the tick interrupt every N chunks (1..=8;
/// 0 reads as 1). Status changes and DMA errors interrupt at once.
pub const REG_IRQ_INTERVAL: usize = 0x030;
/// Largest interrupt interval, in chunks.
pub const MAX_IRQ_INTERVAL: u32 = 8;

// ---- per-span registers -----------------------------------------------------

/// Offset of span 0's register block.
pub const SPAN_REG_BASE: usize = 0x100;
/// Distance between span register blocks.
pub const SPAN_REG_STRIDE: usize = 0x40;

/// Offset of register `reg` (one of the `SPAN_*` constants) of `span` (0-based).
pub const fn span_reg(span: usize, reg: usize) -> usize {
    SPAN_REG_BASE + span * SPAN_REG_STRIDE + reg
}

/// RW: span configuration, [`SpanConfig`].
pub const SPAN_CONFIG: usize = 0x00;
/// RO: span status, [`SpanStatus`].
pub const SPAN_STATUS: usize = 0x04;
/// RO counter: CRC-4 submultiframe errors (E1) or CRC-6 superframe errors (T1 ESF).
pub const SPAN_CRC_ERRORS: usize = 0x08;
/// RO counter: line code violations (bipolar violations outside HDB3/B8ZS substitutions).
pub const SPAN_CODE_VIOLATIONS: usize = 0x0C;
/// RO counter: E-bits received as 0 (far-end block errors, E1 CRC-4 only).
pub const SPAN_EBIT_ERRORS: usize = 0x10;
/// RO counter: controlled slips of the receive elastic store.
pub const SPAN_SLIPS: usize = 0x14;
/// RO counter: FAS word errors (E1) or framing bit errors (T1).
pub const SPAN_FAS_ERRORS: usize = 0x18;
/// RO counter: transmit chunks the host did not supply in time (idle was sent).
pub const SPAN_TX_UNDERRUNS: usize = 0x1C;
/// RO counter: receive chunks overwritten before the host consumed them.
pub const SPAN_RX_OVERRUNS: usize = 0x20;
/// RO: receive chunks written by the board (free-running).
pub const SPAN_RX_HEAD: usize = 0x24;
/// RW: receive chunks consumed by the host (free-running).
pub const SPAN_RX_TAIL: usize = 0x28;
/// RW: transmit chunks written by the host (free-running).
pub const SPAN_TX_HEAD: usize = 0x2C;
/// RO: transmit chunk slots the board has clocked out, including underruns.
pub const SPAN_TX_TAIL: usize = 0x30;
/// RW: idle octet sent in every timeslot on underrun (low 8 bits).
pub const SPAN_IDLE: usize = 0x34;

bitflags! {
    /// Capabilities ([`REG_CAPS`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Caps: u32 {
        /// Spans can run E1 (2.048 Mbit/s, G.704 31 timeslots).
        const E1 = 1 << 0;
        /// Spans can run T1 (1.544 Mbit/s, 24 timeslots).
        const T1 = 1 << 1;
        /// E1 CRC-4 multiframe.
        const CRC4 = 1 << 2;
        /// T1 extended superframe (CRC-6).
        const ESF = 1 << 3;
        /// T1 superframe (D4).
        const D4 = 1 << 4;
        /// HDB3 line code.
        const HDB3 = 1 << 5;
        /// B8ZS line code.
        const B8ZS = 1 << 6;
        /// AMI line code.
        const AMI = 1 << 7;
        /// Local (framer) loopback.
        const LOCAL_LOOPBACK = 1 << 8;
        /// Remote (line) loopback.
        const REMOTE_LOOPBACK = 1 << 9;
        /// The board is a simulator (trunksim), not hardware.
        const SIMULATED = 1 << 31;
    }
}

bitflags! {
    /// Global control ([`REG_CONTROL`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Control: u32 {
        /// Write 1: reset the board (self-clearing). All span configs become 0,
        /// counters and ring pointers return to 0, DMA and interrupts are disabled.
        const RESET = 1 << 0;
        /// Run DMA and the frame clock.
        const DMA_ENABLE = 1 << 1;
        /// Deliver interrupts.
        const IRQ_ENABLE = 1 << 2;
    }
}

bitflags! {
    /// Interrupt status ([`REG_IRQ_STATUS`]), write-1-to-clear.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Irq: u32 {
        /// A 1 ms chunk was completed on every enabled span.
        const TICK = 1 << 0;
        /// A span status register changed; see [`REG_SPAN_EVENTS`].
        const SPAN_EVENT = 1 << 1;
        /// A transmit underrun or receive overrun occurred on some span.
        const DMA_ERROR = 1 << 2;
    }
}

bitflags! {
    /// Span status ([`SPAN_STATUS`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct SpanStatus: u32 {
        /// Loss of signal: no pulses on the receive line.
        const LOS = 1 << 0;
        /// Loss of frame alignment (red alarm).
        const LOF = 1 << 1;
        /// Alarm indication signal: unframed all ones received (blue alarm).
        const AIS = 1 << 2;
        /// Remote alarm indication received (yellow alarm).
        const RAI = 1 << 3;
        /// E1: CRC-4 multiframe alignment lost or not found.
        const CRC_MF_LOSS = 1 << 4;
        /// The span is enabled and its receiver is in frame alignment.
        const IN_SYNC = 1 << 8;
        /// The board is transmitting RAI (consequent action or forced).
        const TX_RAI = 1 << 9;
    }
}

impl SpanStatus {
    /// The alarms set, by the names the API and the simulator use:
    /// `los`, `lof`, `ais`, `rai`, `crc_mf_loss`.
    pub fn alarm_names(self) -> Vec<&'static str> {
        [
            (SpanStatus::LOS, "los"),
            (SpanStatus::LOF, "lof"),
            (SpanStatus::AIS, "ais"),
            (SpanStatus::RAI, "rai"),
            (SpanStatus::CRC_MF_LOSS, "crc_mf_loss"),
        ]
        .iter()
        .filter(|(b, _)| self.contains(*b))
        .map(|(_, n)| *n)
        .collect()
    }

    /// The alarm bits (everything that means "not usable or degraded").
    pub const ALARMS: SpanStatus = SpanStatus::LOS
        .union(SpanStatus::LOF)
        .union(SpanStatus::AIS)
        .union(SpanStatus::RAI)
        .union(SpanStatus::CRC_MF_LOSS);
}

bitflags! {
    /// Span configuration ([`SPAN_CONFIG`]). Multi-bit fields are read with the
    /// accessor methods; see [`SpanConfig::encode`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct SpanConfig: u32 {
        /// Span enabled: framer, DMA and counters run.
        const ENABLE = 1 << 0;
        /// T1 (1.544 Mbit/s); clear for E1.
        const T1 = 1 << 1;
        /// Framing field (2 bits), see [`FramingMode`].
        const FRAMING = 0b11 << 4;
        /// Line code field (2 bits), see [`LineCoding`].
        const LINECODE = 0b11 << 6;
        /// Clock source field (2 bits), see [`ClockSource`].
        const CLOCK = 0b11 << 8;
        /// Local loopback: transmit returned to receive inside the framer.
        const LOCAL_LOOPBACK = 1 << 12;
        /// Remote loopback: the received line signal is sent back to the line.
        const REMOTE_LOOPBACK = 1 << 13;
        /// Force transmission of RAI (yellow).
        const FORCE_RAI = 1 << 16;
        /// Transmit AIS (unframed all ones) instead of traffic.
        const FORCE_AIS = 1 << 17;
    }
}

/// Framing, the [`SpanConfig::FRAMING`] field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FramingMode {
    /// E1 G.704 double frame, no CRC-4.
    G704 = 0,
    /// E1 G.704 with CRC-4 multiframe.
    Crc4 = 1,
    /// T1 superframe (D4/SF).
    D4 = 2,
    /// T1 extended superframe (ESF) with CRC-6.
    Esf = 3,
}

/// Line code, the [`SpanConfig::LINECODE`] field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineCoding {
    /// Alternate mark inversion.
    Ami = 0,
    /// HDB3 (E1).
    Hdb3 = 1,
    /// B8ZS (T1).
    B8zs = 2,
}

/// Transmit clock source, the [`SpanConfig::CLOCK`] field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockSource {
    /// Recovered from this span's receive line (the board is clock slave).
    Line = 0,
    /// The board's internal oscillator (clock master).
    Internal = 1,
}

/// A decoded span configuration, as software sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanSettings {
    /// Span enabled.
    pub enabled: bool,
    /// T1 rather than E1.
    pub t1: bool,
    /// Framing.
    pub framing: FramingMode,
    /// Line code.
    pub linecode: LineCoding,
    /// Clock source.
    pub clock: ClockSource,
    /// Local loopback.
    pub local_loopback: bool,
    /// Remote loopback.
    pub remote_loopback: bool,
    /// Force RAI.
    pub force_rai: bool,
    /// Force AIS.
    pub force_ais: bool,
}

impl SpanConfig {
    /// Encode settings into the register value.
    pub fn encode(s: &SpanSettings) -> u32 {
        let mut v = SpanConfig::empty();
        v.set(SpanConfig::ENABLE, s.enabled);
        v.set(SpanConfig::T1, s.t1);
        v.set(SpanConfig::LOCAL_LOOPBACK, s.local_loopback);
        v.set(SpanConfig::REMOTE_LOOPBACK, s.remote_loopback);
        v.set(SpanConfig::FORCE_RAI, s.force_rai);
        v.set(SpanConfig::FORCE_AIS, s.force_ais);
        v.bits() | (s.framing as u32) << 4 | (s.linecode as u32) << 6 | (s.clock as u32) << 8
    }

    /// Decode a register value. Reserved field values are reported as `Err`
    /// with the raw value so the board can refuse them.
    pub fn decode(raw: u32) -> Result<SpanSettings, u32> {
        let f = SpanConfig::from_bits_retain(raw);
        let framing = match (raw >> 4) & 3 {
            0 => FramingMode::G704,
            1 => FramingMode::Crc4,
            2 => FramingMode::D4,
            _ => FramingMode::Esf,
        };
        let linecode = match (raw >> 6) & 3 {
            0 => LineCoding::Ami,
            1 => LineCoding::Hdb3,
            2 => LineCoding::B8zs,
            _ => return Err(raw),
        };
        let clock = match (raw >> 8) & 3 {
            0 => ClockSource::Line,
            1 => ClockSource::Internal,
            _ => return Err(raw),
        };
        let t1 = f.contains(SpanConfig::T1);
        let framing_ok = if t1 {
            matches!(framing, FramingMode::D4 | FramingMode::Esf)
        } else {
            matches!(framing, FramingMode::G704 | FramingMode::Crc4)
        };
        if !framing_ok {
            return Err(raw);
        }
        Ok(SpanSettings {
            enabled: f.contains(SpanConfig::ENABLE),
            t1,
            framing,
            linecode,
            clock,
            local_loopback: f.contains(SpanConfig::LOCAL_LOOPBACK),
            remote_loopback: f.contains(SpanConfig::REMOTE_LOOPBACK),
            force_rai: f.contains(SpanConfig::FORCE_RAI),
            force_ais: f.contains(SpanConfig::FORCE_AIS),
        })
    }
}

/// Default idle octet: A-law silence for E1, mu-law silence for T1.
pub const fn default_idle(t1: bool) -> u8 {
    if t1 {
        0xFF
    } else {
        0xD5
    }
}

/// The D-channel timeslot of a PRI span: TS16 on E1, channel 24 on T1.
pub const fn dchannel_timeslot(t1: bool) -> usize {
    if t1 {
        24
    } else {
        16
    }
}

/// Timeslots that carry traffic: 1..=31 for E1, 1..=24 for T1.
pub const fn traffic_timeslots(t1: bool) -> core::ops::RangeInclusive<usize> {
    if t1 {
        1..=24
    } else {
        1..=31
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_fits_map0() {
        assert!(span_reg(MAX_SPANS - 1, SPAN_IDLE) + 4 <= MAP0_SIZE);
        assert_eq!(CHUNK_BYTES, 256);
        assert_eq!(
            chunk_offset(1, Direction::Tx, 33),
            SPAN_DMA_BYTES + RING_BYTES + CHUNK_BYTES
        );
    }

    #[test]
    fn config_round_trips() {
        let s = SpanSettings {
            enabled: true,
            t1: true,
            framing: FramingMode::Esf,
            linecode: LineCoding::B8zs,
            clock: ClockSource::Internal,
            local_loopback: false,
            remote_loopback: true,
            force_rai: false,
            force_ais: true,
        };
        assert_eq!(SpanConfig::decode(SpanConfig::encode(&s)), Ok(s));
    }

    #[test]
    fn reserved_values_are_refused() {
        // E1 with ESF framing.
        let raw = SpanConfig::ENABLE.bits() | (FramingMode::Esf as u32) << 4;
        assert!(SpanConfig::decode(raw).is_err());
        // Line code 3 is reserved.
        assert!(SpanConfig::decode(3 << 6).is_err());
    }
}
