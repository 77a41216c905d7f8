//! Software HDLC framing for a 64 kbit/s signalling timeslot (ISDN
//! D-channel, SS7 signalling link), per ISO/IEC 13239.
//!
//! # Bit order
//!
//! Two conventions meet here:
//!
//! * The timeslot octet's **most** significant bit is the first bit on the
//!   line (ITU-T G.704 bit 1). A stream of timeslot bytes is therefore a bit
//!   stream read MSB first.
//! * HDLC sends each of its octets (address, control, information, FCS)
//!   **least** significant bit first (ISO/IEC 13239).
//!
//! So an HDLC octet `0x01` contributes the line bits `1,0,0,0,0,0,0,0`, which
//! in an aligned timeslot byte is `0x80`. Flags (`0x7E`, `01111110`) read the
//! same either way. Frames are not aligned to timeslot bytes: zero-bit
//! insertion shifts everything, so the receiver and transmitter work on the
//! bit stream and never assume any alignment.
//!
//! # Framing
//!
//! * Frames are delimited by flags; one flag may close a frame and open the
//!   next, and the receiver also accepts flags sharing a zero
//!   (`011111101111110`).
//! * The transmitter inserts a zero after every five consecutive ones inside
//!   a frame; the receiver deletes it. Stuffing state is carried across
//!   octets and across calls, so any chunking works (even one byte a call).
//! * The FCS is FCS-16 ([`crate::fcs`], RFC 1662), appended by [`HdlcTx`]
//!   low byte first and checked (and stripped) by [`HdlcRx`].
//! * Seven or more consecutive ones are an abort: the frame in progress is
//!   discarded, counted, and the receiver hunts for the next flag. Ones
//!   right after a flag, followed by nothing but the next flag, are a change
//!   to mark idle and are not counted.
//! * Received frames that are not a whole number of octets, shorter than the
//!   minimum length, longer than [`MAX_FRAME`] or have a bad FCS are
//!   discarded and counted in [`HdlcRxStats`].
//! * Between frames the transmitter sends flags or all ones ([`IdleFill`]).
//!
//! # Real-time behaviour
//!
//! Nothing allocates after construction: frames live in fixed buffers inside
//! [`HdlcRx`] and [`HdlcTx`]. An idle line (flags at any bit offset, or all
//! ones) takes a fast path in both directions: a flag stream at a fixed bit
//! offset is a constant byte value, so the receiver skips bytes equal to it
//! and the transmitter fills the output with it. Frame bits go through
//! tables (zero deletion a timeslot byte at a time on receive, zero
//! insertion an HDLC octet at a time on transmit); only bytes that complete
//! a flag or an abort, and bytes received while hunting, go bit by bit.

use crate::fcs::{fcs16, fcs16_update, FCS_GOOD, FCS_INIT};

/// Largest frame accepted or sent, in octets, excluding the FCS.
pub const MAX_FRAME: usize = 512;
/// Octets of FCS after each frame.
const FCS_LEN: usize = 2;
/// Frame buffer size: largest frame plus FCS.
const BUF_LEN: usize = MAX_FRAME + FCS_LEN;
/// The HDLC flag sequence.
const FLAG: u8 = 0x7E;
/// Default minimum frame length (octets, excluding FCS): the LAPD minimum
/// (address, address, control).
const DEFAULT_MIN_LEN: usize = 3;
/// "No byte" marker for the receiver's byte memory (outside `u8` range).
const NO_BYTE: u16 = 0x100;

/// What one timeslot byte does to a receiver inside a frame.
#[derive(Clone, Copy)]
struct RxStep {
    /// Data bits after zero deletion, first received in bit 0.
    bits: u8,
    /// Number of data bits (0 to 8).
    count: u8,
    /// Consecutive ones at the end of the byte (0 to 6).
    ones: u8,
    /// 0: no zero in the byte; 1: the last zero was deleted; 2: it was data.
    last_zero: u8,
    /// The byte completes a flag or an abort: handle it bit by bit.
    special: bool,
}

/// `RX_STEP[ones][byte]`: `byte` received after `ones` consecutive ones.
const fn make_rx_step() -> [[RxStep; 256]; 8] {
    let none = RxStep {
        bits: 0,
        count: 0,
        ones: 0,
        last_zero: 0,
        special: false,
    };
    // Row 7 (after an abort: only while hunting) is never used in a frame.
    let mut t = [[RxStep {
        special: true,
        ..none
    }; 256]; 8];
    let mut ones0 = 0;
    while ones0 < 7 {
        let mut i = 0;
        while i < 256 {
            let mut e = none;
            e.ones = ones0 as u8;
            let mut k = 0;
            while k < 8 && !e.special {
                if (i >> (7 - k)) & 1 == 1 {
                    if e.ones < 5 {
                        e.bits |= 1 << e.count;
                        e.count += 1;
                    }
                    e.special = e.ones == 6; // abort
                    e.ones += 1;
                } else {
                    e.special = e.ones == 6; // flag
                    if e.ones == 5 {
                        e.last_zero = 1;
                    } else {
                        e.count += 1;
                        e.last_zero = 2;
                    }
                    e.ones = 0;
                }
                k += 1;
            }
            t[ones0][i] = e;
            i += 1;
        }
        ones0 += 1;
    }
    t
}

static RX_STEP: [[RxStep; 256]; 8] = make_rx_step();

/// Line bits for one HDLC octet after zero-bit insertion.
#[derive(Clone, Copy)]
struct Stuffed {
    /// Line bits, first bit in the most significant of the `count` bits.
    bits: u16,
    /// Number of line bits (8 to 10).
    count: u8,
    /// Consecutive ones at the end, for the next octet (0 to 4).
    ones: u8,
}

/// `STUFF[ones][octet]`: line bits for `octet` sent after `ones` ones.
const fn make_stuff() -> [[Stuffed; 256]; 5] {
    let mut t = [[Stuffed {
        bits: 0,
        count: 0,
        ones: 0,
    }; 256]; 5];
    let mut ones0 = 0;
    while ones0 < 5 {
        let mut i = 0;
        while i < 256 {
            let (mut bits, mut count, mut run) = (0u16, 0u8, ones0 as u8);
            let mut k = 0;
            while k < 8 {
                let bit = ((i >> k) & 1) as u16;
                bits = (bits << 1) | bit;
                count += 1;
                if bit == 1 {
                    run += 1;
                    if run == 5 {
                        bits <<= 1;
                        count += 1;
                        run = 0;
                    }
                } else {
                    run = 0;
                }
                k += 1;
            }
            t[ones0][i] = Stuffed {
                bits,
                count,
                ones: run,
            };
            i += 1;
        }
        ones0 += 1;
    }
    t
}

static STUFF: [[Stuffed; 256]; 5] = make_stuff();

/// Receiver counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HdlcRxStats {
    /// Good frames delivered.
    pub frames: u64,
    /// Octets delivered (excluding FCS).
    pub octets: u64,
    /// Frames discarded for a bad FCS.
    pub fcs_errors: u64,
    /// Frames discarded by an abort sequence (seven or more ones).
    pub aborts: u64,
    /// Frames shorter than the minimum length (excluding FCS).
    pub short_frames: u64,
    /// Frames longer than [`MAX_FRAME`] octets (excluding FCS).
    pub long_frames: u64,
    /// Frames that were not a whole number of octets.
    pub misaligned: u64,
}

/// HDLC receiver: flag hunt, zero-bit deletion, FCS check.
#[derive(Clone, Debug)]
pub struct HdlcRx {
    /// Octets of the frame in progress (including the FCS at the end).
    buf: [u8; BUF_LEN],
    /// Complete octets in `buf`.
    len: usize,
    /// Data bits not yet forming an octet, first received in bit 0.
    acc: u32,
    /// Number of bits in `acc` (0 to 7 between calls).
    nacc: u32,
    /// Consecutive ones received, saturating at 7.
    ones: u8,
    /// Looking for a flag (start-up, after an abort): frame bits ignored.
    hunting: bool,
    /// The last zero received was a data bit (not stuffing, not a flag).
    last_zero_data: bool,
    /// The frame in progress outgrew `buf`.
    overflow: bool,
    /// Hunting after seven ones that came straight after a flag.
    idle_abort: bool,
    /// Bits since the last run of seven ones ended (used while hunting).
    hunt_bits: u32,
    /// The previous byte received, or `NO_BYTE`.
    prev: u16,
    /// A byte value that leaves the receiver state unchanged, or `NO_BYTE`.
    idle: u16,
    min_len: usize,
    stats: HdlcRxStats,
}

impl HdlcRx {
    /// A receiver with the LAPD minimum frame length of 3 octets.
    #[must_use]
    pub fn new() -> Self {
        Self::with_min_len(DEFAULT_MIN_LEN)
    }

    /// A receiver that discards frames shorter than `min_len` octets
    /// (excluding FCS). `min_len` is capped at [`MAX_FRAME`].
    #[must_use]
    pub fn with_min_len(min_len: usize) -> Self {
        HdlcRx {
            buf: [0; BUF_LEN],
            len: 0,
            acc: 0,
            nacc: 0,
            ones: 0,
            hunting: true,
            last_zero_data: false,
            overflow: false,
            idle_abort: false,
            hunt_bits: 0,
            prev: NO_BYTE,
            idle: NO_BYTE,
            min_len: min_len.min(MAX_FRAME),
            stats: HdlcRxStats::default(),
        }
    }

    /// The minimum frame length in octets (excluding FCS).
    #[must_use]
    pub fn min_len(&self) -> usize {
        self.min_len
    }

    /// Feed received timeslot bytes; `on_frame` is called once per good frame
    /// (payload without FCS).
    pub fn push(&mut self, bytes: &[u8], mut on_frame: impl FnMut(&[u8])) {
        let mut rest = bytes;
        loop {
            if let Ok(idle) = u8::try_from(self.idle) {
                let n = rest.iter().take_while(|&&b| b == idle).count();
                rest = rest.get(n..).unwrap_or_default();
            }
            let Some((&b, tail)) = rest.split_first() else {
                break;
            };
            if !self.hunting {
                let n = self.frame_bytes(rest);
                if n > 0 {
                    rest = rest.get(n..).unwrap_or_default();
                    continue;
                }
            }
            // `b` completes a flag or an abort, or we are hunting.
            for i in (0..8).rev() {
                self.hunt_bits = self.hunt_bits.saturating_add(1);
                if (b >> i) & 1 != 0 {
                    self.one();
                } else {
                    self.zero(&mut on_frame);
                }
            }
            // Two equal flag rotations in a row hold a complete flag, after
            // which the state depends only on the bit offset: another such
            // byte leaves it unchanged. Likewise for ones while hunting.
            let flag_rot = (0..8).any(|r| FLAG.rotate_left(r) == b);
            let steady = (flag_rot && u16::from(b) == self.prev)
                || (b == 0xFF && self.hunting && self.ones == 7);
            self.idle = if steady { u16::from(b) } else { NO_BYTE };
            self.prev = u16::from(b);
            rest = tail;
        }
    }

    /// Current counters.
    #[must_use]
    pub fn stats(&self) -> HdlcRxStats {
        self.stats
    }

    /// Discards the frame in progress and goes back to flag hunt; counters
    /// are kept.
    pub fn reset(&mut self) {
        self.hunting = true;
        self.idle_abort = false;
        self.ones = 0;
        self.prev = NO_BYTE;
        self.idle = NO_BYTE;
        self.start_frame();
    }

    fn start_frame(&mut self) {
        self.len = 0;
        self.acc = 0;
        self.nacc = 0;
        self.overflow = false;
        self.last_zero_data = false;
    }

    /// Inside a frame: consumes the leading bytes that hold neither a flag
    /// nor an abort, via the `RX_STEP` table, and returns how many.
    #[inline(always)]
    fn frame_bytes(&mut self, bytes: &[u8]) -> usize {
        let (mut acc, mut nacc, mut ones) = (self.acc, self.nacc, self.ones);
        let mut last_zero_data = self.last_zero_data;
        let mut used = 0usize;
        for &b in bytes {
            let e = RX_STEP[usize::from(ones & 7)][usize::from(b)];
            if e.special {
                break;
            }
            acc |= u32::from(e.bits) << nacc;
            nacc += u32::from(e.count);
            if nacc >= 8 {
                self.store(acc as u8);
                acc >>= 8;
                nacc -= 8;
            }
            ones = e.ones;
            if e.last_zero != 0 {
                last_zero_data = e.last_zero == 2;
            }
            used += 1;
        }
        self.acc = acc;
        self.nacc = nacc;
        self.ones = ones;
        self.last_zero_data = last_zero_data;
        if let Some(&last) = bytes.get(used.wrapping_sub(1)) {
            // A byte without a flag is never a steady idle byte.
            self.prev = u16::from(last);
            self.idle = NO_BYTE;
        }
        used
    }

    #[inline(always)]
    fn store(&mut self, octet: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = octet;
            self.len += 1;
        } else {
            self.overflow = true;
        }
    }

    fn put_bit(&mut self, bit: u32) {
        self.acc |= bit << self.nacc;
        self.nacc += 1;
        if self.nacc == 8 {
            self.store(self.acc as u8);
            (self.acc, self.nacc) = (0, 0);
        }
    }

    fn one(&mut self) {
        match self.ones {
            0..=4 => {
                self.ones += 1;
                if !self.hunting {
                    self.put_bit(1);
                }
            }
            // A sixth one is never data: flag or abort follows.
            5 => self.ones = 6,
            6 => {
                self.ones = 7;
                if !self.hunting {
                    // Five of the seven ones were stored as data bits;
                    // anything before them was an aborted frame. Without
                    // anything it is mark idle, or a frame hit at its start:
                    // decided by what comes before the next flag.
                    if self.len > 0 || self.nacc > 5 || self.overflow {
                        self.stats.aborts += 1;
                        self.idle_abort = false;
                    } else {
                        self.idle_abort = true;
                    }
                    self.hunting = true;
                }
                self.hunt_bits = 0;
            }
            _ => {}
        }
    }

    fn zero<F: FnMut(&[u8])>(&mut self, on_frame: &mut F) {
        match self.ones {
            5 => self.last_zero_data = false, // inserted zero: delete
            6 => self.flag(on_frame),
            7 => self.hunt_bits = 1, // end of an abort or of mark idle
            _ => {
                if !self.hunting {
                    self.put_bit(0);
                }
                self.last_zero_data = true;
            }
        }
        self.ones = 0;
    }

    fn flag<F: FnMut(&[u8])>(&mut self, on_frame: &mut F) {
        if self.hunting {
            // Eight bits since the run of ones: just this flag. More: the
            // rest of a frame whose start was turned into an abort.
            if self.idle_abort && self.hunt_bits > 8 {
                self.stats.aborts += 1;
            }
        } else {
            // The flag's leading zero (if it was taken as data) and five of
            // its ones were stored: the frame is whole octets iff exactly
            // that many bits are pending.
            let flag_bits = if self.last_zero_data { 6 } else { 5 };
            if self.overflow {
                self.stats.long_frames += 1;
            } else if self.nacc != flag_bits {
                self.stats.misaligned += 1;
            } else if self.len > 0 {
                self.end_frame(on_frame);
            }
        }
        self.idle_abort = false;
        self.hunting = false;
        self.start_frame();
    }

    fn end_frame<F: FnMut(&[u8])>(&mut self, on_frame: &mut F) {
        let n = self.len;
        if n < self.min_len + FCS_LEN {
            self.stats.short_frames += 1;
            return;
        }
        let Some(frame) = self.buf.get(..n) else {
            return;
        };
        if fcs16_update(FCS_INIT, frame) != FCS_GOOD {
            self.stats.fcs_errors += 1;
            return;
        }
        let payload = &frame[..n - FCS_LEN];
        self.stats.frames += 1;
        self.stats.octets += payload.len() as u64;
        on_frame(payload);
    }
}

impl Default for HdlcRx {
    fn default() -> Self {
        Self::new()
    }
}

/// What the transmitter sends between frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleFill {
    /// Continuous flags (`0x7E`); one flag separates back-to-back frames.
    Flags,
    /// All ones (mark idle); each frame gets its own opening flag.
    Ones,
}

/// Errors from [`HdlcTx::send`].
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum HdlcError {
    /// A frame is still being sent.
    #[error("transmitter busy")]
    Busy,
    /// The frame exceeds [`MAX_FRAME`] octets.
    #[error("frame too long: {0} octets")]
    TooLong(usize),
    /// The frame has no octets.
    #[error("frame empty")]
    Empty,
}

/// Transmitter counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HdlcTxStats {
    /// Frames completely sent (closing flag queued).
    pub frames: u64,
    /// Octets of completed frames (excluding FCS).
    pub octets: u64,
    /// Frames aborted.
    pub aborts: u64,
}

/// HDLC transmitter: FCS, zero-bit insertion, flags, idle fill.
#[derive(Clone, Debug)]
pub struct HdlcTx {
    /// The frame being sent, FCS appended.
    buf: [u8; BUF_LEN],
    /// Octets in `buf`.
    len: usize,
    /// Next octet of `buf` to send.
    pos: usize,
    busy: bool,
    /// Line bits not yet output; the oldest is bit `n - 1`.
    acc: u64,
    /// Number of pending bits in `acc`. `fill` queues frame bits only while
    /// fewer than 40 are pending (at most 18 at a time: a stuffed octet and
    /// the closing flag) and idle fill only below 8, so at most 57 are
    /// pending; after `fill` returns at most 49, and `abort` adds 8 once.
    n: u32,
    /// Consecutive ones sent within the frame (0 to 4).
    ones: u8,
    /// The last thing queued was a complete flag.
    last_was_flag: bool,
    /// The frame in `buf` still needs an opening flag.
    need_open: bool,
    idle: IdleFill,
    stats: HdlcTxStats,
}

impl HdlcTx {
    /// An idle transmitter.
    #[must_use]
    pub fn new(idle: IdleFill) -> Self {
        HdlcTx {
            buf: [0; BUF_LEN],
            len: 0,
            pos: 0,
            busy: false,
            acc: 0,
            n: 0,
            ones: 0,
            last_was_flag: false,
            need_open: false,
            idle,
            stats: HdlcTxStats::default(),
        }
    }

    /// The idle fill in use.
    #[must_use]
    pub fn idle_fill(&self) -> IdleFill {
        self.idle
    }

    /// Changes the idle fill (takes effect at the next idle period).
    pub fn set_idle_fill(&mut self, idle: IdleFill) {
        self.idle = idle;
    }

    /// Queue one frame (payload without FCS) for transmission; copied into an
    /// internal buffer. Err(Busy) while a frame is still being sent
    /// ([`is_busy`](Self::is_busy)).
    pub fn send(&mut self, frame: &[u8]) -> Result<(), HdlcError> {
        if frame.is_empty() {
            return Err(HdlcError::Empty);
        }
        if frame.len() > MAX_FRAME {
            return Err(HdlcError::TooLong(frame.len()));
        }
        if self.busy {
            return Err(HdlcError::Busy);
        }
        let n = frame.len();
        let fcs = fcs16(frame);
        let (body, tail) = self.buf.split_at_mut(n);
        body.copy_from_slice(frame);
        tail[..FCS_LEN].copy_from_slice(&fcs.to_le_bytes());
        self.len = n + FCS_LEN;
        self.pos = 0;
        self.ones = 0;
        self.busy = true;
        // A flag just sent doubles as the opening flag.
        self.need_open = !self.last_was_flag;
        Ok(())
    }

    /// Whether a frame is being sent; [`send`](Self::send) is refused until
    /// its last octet and closing flag have been queued. Up to 57 queued
    /// line bits may still be waiting for [`fill`](Self::fill).
    #[must_use]
    pub fn is_busy(&self) -> bool {
        self.busy
    }

    /// Produce the next timeslot bytes (stuffed frame bits, flags/ones
    /// between frames).
    pub fn fill(&mut self, out: &mut [u8]) {
        let mut i = 0;
        while let Some(slot) = out.get_mut(i) {
            if self.n >= 8 {
                self.n -= 8;
                *slot = (self.acc >> self.n) as u8;
                i += 1;
            } else if self.busy {
                // Queue several octets at once (at most 39 + 18 bits).
                while self.busy && self.n < 40 {
                    if self.need_open {
                        self.push_bits(u16::from(FLAG), 8);
                        self.need_open = false;
                        self.last_was_flag = true;
                    } else {
                        self.send_octet();
                    }
                }
            } else {
                let mask = (1u64 << self.n) - 1;
                let flags = self.idle == IdleFill::Flags;
                // Steady idle when the pending bits end a flag (or are ones):
                // the output is then one constant byte.
                let (unit, steady, byte) = if flags {
                    let tail = (self.acc ^ u64::from(FLAG)) & mask == 0;
                    (FLAG, tail, ((0x7E7Eu16 >> self.n) & 0xFF) as u8)
                } else {
                    (0xFF, !self.acc & mask == 0, 0xFF)
                };
                self.last_was_flag = flags;
                if steady {
                    out[i..].fill(byte);
                    return;
                }
                self.push_bits(u16::from(unit), 8);
            }
        }
    }

    /// Abort the frame in progress: its remaining octets are dropped and an
    /// abort sequence (eight ones) is sent; if none of it has been sent yet
    /// it is just dropped. No effect when idle.
    pub fn abort(&mut self) {
        if !self.busy {
            return;
        }
        self.busy = false;
        self.need_open = false;
        self.stats.aborts += 1;
        if self.pos > 0 {
            self.push_bits(0xFF, 8);
            self.last_was_flag = false;
        }
    }

    /// Current counters.
    #[must_use]
    pub fn stats(&self) -> HdlcTxStats {
        self.stats
    }

    #[inline(always)]
    fn push_bits(&mut self, bits: u16, count: u32) {
        self.acc = (self.acc << count) | u64::from(bits);
        self.n += count;
    }

    #[inline(always)]
    fn send_octet(&mut self) {
        let Some(&octet) = self.buf.get(self.pos) else {
            self.busy = false;
            return;
        };
        let s = STUFF[usize::from(self.ones.min(4))][usize::from(octet)];
        self.push_bits(s.bits, u32::from(s.count));
        self.ones = s.ones;
        self.pos += 1;
        if self.pos >= self.len {
            self.push_bits(u16::from(FLAG), 8);
            self.last_was_flag = true;
            self.busy = false;
            self.stats.frames += 1;
            self.stats.octets += (self.len - FCS_LEN) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_fast_path_engages() {
        // Flags at every bit offset, and mark idle: from the second equal
        // byte on, the receiver skips them.
        for b in (0..8).map(|r| FLAG.rotate_left(r)).chain([0xFF]) {
            let mut rx = HdlcRx::new();
            rx.push(&[b, b], |_| {});
            assert_eq!(rx.idle, u16::from(b), "{b:02X}");
            rx.push(&[0x00], |_| {});
            assert_eq!(rx.idle, NO_BYTE);
        }
    }
}
