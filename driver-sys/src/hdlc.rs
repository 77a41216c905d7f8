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
//! per-octet tables (destuffing-free octets on receive, the stuffed bit
//! pattern of each octet on transmit) and fall back to bit-by-bit processing
//! only around runs of five or more ones.

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
const fn make_rx_step() -> [[RxStep; 256]; 7] {
    let none = RxStep {
        bits: 0,
        count: 0,
        ones: 0,
        last_zero: 0,
        special: false,
    };
    let mut t = [[none; 256]; 7];
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

static RX_STEP: [[RxStep; 256]; 7] = make_rx_step();

/// `FLAG_ROT[byte]`: `byte` is a flag stream at some bit offset (a rotation
/// of `0x7E`).
const fn make_flag_rot() -> [bool; 256] {
    let mut t = [false; 256];
    let mut r = 0;
    while r < 8 {
        t[FLAG.rotate_left(r) as usize] = true;
        r += 1;
    }
    t
}

static FLAG_ROT: [bool; 256] = make_flag_rot();

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
    /// Bits received while hunting since the last run of seven ones ended
    /// (meaningless when not hunting).
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
        for &b in bytes {
            if u16::from(b) == self.idle {
                continue;
            }
            self.byte(b, &mut on_frame);
            // Two equal flag rotations in a row hold a complete flag, after
            // which the state depends only on the bit offset: another such
            // byte leaves it unchanged. Likewise for ones while hunting.
            let steady = (FLAG_ROT[usize::from(b)] && u16::from(b) == self.prev)
                || (b == 0xFF && self.hunting && self.ones == 7);
            self.idle = if steady { u16::from(b) } else { NO_BYTE };
            self.prev = u16::from(b);
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

    #[inline(always)]
    fn byte<F: FnMut(&[u8])>(&mut self, b: u8, on_frame: &mut F) {
        if !self.hunting {
            // Inside a frame `ones` is at most 6.
            let e = RX_STEP[usize::from(self.ones.min(6))][usize::from(b)];
            if !e.special {
                self.acc |= u32::from(e.bits) << self.nacc;
                self.nacc += u32::from(e.count);
                if self.nacc >= 8 {
                    self.put_octet();
                }
                self.ones = e.ones;
                if e.last_zero != 0 {
                    self.last_zero_data = e.last_zero == 2;
                }
                return;
            }
        }
        for i in (0..8).rev() {
            if (b >> i) & 1 != 0 {
                self.one();
            } else {
                self.zero(on_frame);
            }
        }
    }

    #[inline(always)]
    fn put_octet(&mut self) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = self.acc as u8;
            self.len += 1;
        } else {
            self.overflow = true;
        }
        self.acc >>= 8;
        self.nacc -= 8;
    }

    #[inline(always)]
    fn put_bit(&mut self, bit: u32) {
        self.acc |= bit << self.nacc;
        self.nacc += 1;
        if self.nacc == 8 {
            self.put_octet();
        }
    }

    fn one(&mut self) {
        match self.ones {
            0..=4 => {
                self.ones += 1;
                if self.hunting {
                    self.hunt_bits = self.hunt_bits.saturating_add(1);
                } else {
                    self.put_bit(1);
                }
            }
            // A sixth one is never data: flag or abort follows.
            5 => {
                self.ones = 6;
                self.hunt_bits = self.hunt_bits.saturating_add(1);
            }
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
            5 => {
                self.last_zero_data = false; // inserted zero: delete
                self.hunt_bits = self.hunt_bits.saturating_add(1);
            }
            6 => {
                self.hunt_bits = self.hunt_bits.saturating_add(1);
                self.flag(on_frame);
            }
            7 => self.hunt_bits = 1, // end of an abort or of mark idle
            _ => {
                if self.hunting {
                    self.hunt_bits = self.hunt_bits.saturating_add(1);
                } else {
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
    /// its last octet and closing flag have been queued.
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
                match self.idle {
                    IdleFill::Flags => {
                        if (self.acc ^ u64::from(FLAG)) & mask == 0 {
                            // Pending bits end a flag: steady flag stream.
                            let b = ((0x7E7Eu16 >> self.n) & 0xFF) as u8;
                            out[i..].fill(b);
                            self.last_was_flag = true;
                            return;
                        }
                        self.push_bits(u16::from(FLAG), 8);
                        self.last_was_flag = true;
                    }
                    IdleFill::Ones => {
                        if !self.acc & mask == 0 {
                            out[i..].fill(0xFF);
                            self.last_was_flag = false;
                            return;
                        }
                        self.push_bits(0xFF, 8);
                        self.last_was_flag = false;
                    }
                }
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

    const FLAG_BITS: [u8; 8] = [0, 1, 1, 1, 1, 1, 1, 0];

    /// Line bits of one frame (with FCS, stuffed), straight from the spec.
    fn ref_frame_bits(frame: &[u8]) -> Vec<u8> {
        let mut bits = Vec::new();
        let mut run = 0;
        for &o in frame.iter().chain(&fcs16(frame).to_le_bytes()) {
            for k in 0..8 {
                let b = (o >> k) & 1;
                bits.push(b);
                run = if b == 1 { run + 1 } else { 0 };
                if run == 5 {
                    bits.push(0);
                    run = 0;
                }
            }
        }
        bits
    }

    /// Packs line bits MSB first, padding the last byte with ones.
    fn pack(bits: &[u8]) -> Vec<u8> {
        bits.chunks(8)
            .map(|c| (0..8).fold(0u8, |a, i| (a << 1) | c.get(i).copied().unwrap_or(1)))
            .collect()
    }

    fn rx_all(rx: &mut HdlcRx, bytes: &[u8], chunk: usize) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        for c in bytes.chunks(chunk) {
            rx.push(c, |f| got.push(f.to_vec()));
        }
        got
    }

    #[test]
    fn literal_vector() {
        // Computed independently (Python): flag, 02 01 7F + FCS E1DC sent
        // LSB first with one inserted zero, closing flag, idle flags.
        let expect = [0x7E, 0x40, 0x80, 0xFB, 0x1D, 0xC3, 0xBF, 0x3F];
        let mut tx = HdlcTx::new(IdleFill::Flags);
        tx.send(&[0x02, 0x01, 0x7F]).unwrap();
        let mut out = [0u8; 8];
        tx.fill(&mut out);
        assert_eq!(out, expect);
        assert!(!tx.is_busy());
        let mut rx = HdlcRx::new();
        let mut tail = [0u8; 4];
        tx.fill(&mut tail);
        assert_eq!(tail, [0x3F; 4]); // flags continue at the same offset
        let got = rx_all(&mut rx, &[&out[..], &tail[..]].concat(), 1);
        assert_eq!(got, vec![vec![0x02, 0x01, 0x7F]]);
    }

    #[test]
    fn reference_encoder_all_offsets() {
        let frames: Vec<Vec<u8>> = vec![
            vec![0x00, 0x01, 0x03],
            vec![0xFF; 20],
            vec![0x7E; 7],
            vec![0x1F, 0x3E, 0xF8, 0x7C, 0xFF, 0x7E, 0x00],
            (0..=255).collect(),
            vec![0xA5; MAX_FRAME],
        ];
        for off in 0..8 {
            for chunk in [1, 3, 8, 64] {
                let mut bits = vec![1u8; off];
                bits.extend(FLAG_BITS);
                for f in &frames {
                    bits.extend(ref_frame_bits(f));
                    bits.extend(FLAG_BITS);
                }
                let mut rx = HdlcRx::new();
                assert_eq!(rx_all(&mut rx, &pack(&bits), chunk), frames);
                let st = rx.stats();
                assert_eq!(st.frames, frames.len() as u64);
                assert_eq!(
                    st.octets,
                    frames.iter().map(|f| f.len() as u64).sum::<u64>()
                );
                assert_eq!(
                    st,
                    HdlcRxStats {
                        frames: st.frames,
                        octets: st.octets,
                        ..Default::default()
                    }
                );
            }
        }
    }

    #[test]
    fn shared_zero_flags() {
        let mut bits = FLAG_BITS.to_vec();
        bits.extend(&FLAG_BITS[1..]); // 011111101111110
        bits.extend(ref_frame_bits(&[1, 2, 3]));
        bits.extend(FLAG_BITS);
        bits.extend(&FLAG_BITS[1..]);
        bits.extend(ref_frame_bits(&[4, 5, 6]));
        bits.extend(FLAG_BITS);
        let mut rx = HdlcRx::new();
        assert_eq!(
            rx_all(&mut rx, &pack(&bits), 2),
            vec![vec![1, 2, 3], vec![4, 5, 6]]
        );
    }

    #[test]
    fn discard_counters() {
        let mut bits = FLAG_BITS.to_vec();
        bits.extend(ref_frame_bits(&[1, 2])); // short
        bits.extend(FLAG_BITS);
        bits.extend(ref_frame_bits(&[7; MAX_FRAME + 1])); // long
        bits.extend(FLAG_BITS);
        let mut f = ref_frame_bits(&[1, 2, 3]);
        f.insert(5, 0); // misaligned
        bits.extend(f);
        bits.extend(FLAG_BITS);
        let mut f = ref_frame_bits(&[1, 2, 3, 4]);
        f[9] ^= 1; // FCS error
        bits.extend(f);
        bits.extend(FLAG_BITS);
        bits.extend(&ref_frame_bits(&[9; 30])[..100]);
        bits.extend([1; 9]); // abort
        bits.extend(FLAG_BITS);
        bits.extend([1; 20]); // mark idle after a flag: not an abort
        bits.extend(FLAG_BITS);
        bits.extend([1; 10]); // a frame whose start became an abort
        bits.extend([0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0]);
        bits.extend(FLAG_BITS);
        bits.extend(ref_frame_bits(&[8, 8, 8]));
        bits.extend(FLAG_BITS);
        let mut rx = HdlcRx::new();
        assert_eq!(rx_all(&mut rx, &pack(&bits), 5), vec![vec![8, 8, 8]]);
        let expect = HdlcRxStats {
            frames: 1,
            octets: 3,
            fcs_errors: 1,
            aborts: 2,
            short_frames: 1,
            long_frames: 1,
            misaligned: 1,
        };
        assert_eq!(rx.stats(), expect);
        let mut rx = HdlcRx::with_min_len(2);
        rx_all(&mut rx, &pack(&bits), 5);
        assert_eq!(rx.stats().frames, 2);
    }

    #[test]
    fn tx_abort() {
        let mut tx = HdlcTx::new(IdleFill::Flags);
        let mut rx = HdlcRx::new();
        let mut out = [0u8; 16];
        let mut got = Vec::new();
        tx.send(&[0x55; 100]).unwrap();
        assert_eq!(tx.send(&[1, 2, 3]), Err(HdlcError::Busy));
        tx.fill(&mut out);
        rx.push(&out, |f| got.push(f.to_vec()));
        tx.abort();
        assert!(!tx.is_busy());
        tx.send(&[1, 2, 3]).unwrap();
        for _ in 0..4 {
            tx.fill(&mut out);
            rx.push(&out, |f| got.push(f.to_vec()));
        }
        assert_eq!(got, vec![vec![1, 2, 3]]);
        assert_eq!(rx.stats().aborts, 1);
        assert_eq!(
            tx.stats(),
            HdlcTxStats {
                frames: 1,
                octets: 3,
                aborts: 1
            }
        );
    }

    #[test]
    fn send_errors() {
        let mut tx = HdlcTx::new(IdleFill::Ones);
        assert_eq!(tx.send(&[]), Err(HdlcError::Empty));
        assert_eq!(
            tx.send(&[0; MAX_FRAME + 1]),
            Err(HdlcError::TooLong(MAX_FRAME + 1))
        );
        assert_eq!(tx.send(&[0; MAX_FRAME]), Ok(()));
        assert_eq!(tx.send(&[0; 3]), Err(HdlcError::Busy));
    }

    #[test]
    fn idle_fast_paths() {
        for idle in [IdleFill::Flags, IdleFill::Ones] {
            let mut tx = HdlcTx::new(idle);
            let mut rx = HdlcRx::new();
            let mut got = Vec::new();
            let mut out = [0u8; 8];
            let mut idle_bytes = std::collections::BTreeSet::new();
            // Frames of 3..=10 octets leave idle at every bit offset.
            for len in 3..=10usize {
                let frame: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(0x3D)).collect();
                tx.send(&frame).unwrap();
                for _ in 0..4 {
                    tx.fill(&mut out);
                    rx.push(&out, |f| got.push(f.to_vec()));
                }
                tx.fill(&mut out);
                let b = out[0];
                assert!(out.iter().all(|&x| x == b), "{idle:?}: {out:02X?}");
                rx.push(&out, |f| got.push(f.to_vec()));
                assert_eq!(rx.idle, u16::from(b));
                idle_bytes.insert(b);
                assert_eq!(got.last(), Some(&frame));
            }
            let offsets = if idle == IdleFill::Flags { 8 } else { 1 };
            assert_eq!(idle_bytes.len(), offsets, "{idle_bytes:02X?}");
            assert_eq!(got.len(), 8);
            assert_eq!(rx.stats().frames, 8);
            assert_eq!(rx.stats().aborts, 0);
        }
    }
}
