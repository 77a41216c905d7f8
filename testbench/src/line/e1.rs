//! E1 framer: ITU-T G.704 §2.3 (2048 kbit/s frame structure, CRC-4
//! multiframe) and G.706 §4 (frame alignment and CRC-4 procedures).
//!
//! Transmit (G.704 §2.3.1, §2.3.3, Table 5B): even frames carry the FAS
//! `Si 0011011` in TS0, odd frames the NFAS `Si 1 A Sa4..Sa8` with the Sa bits
//! at 1.  With CRC-4 the 16-frame multiframe puts C1..C4 in the Si bits of
//! frames 0/2/4/6 and 8/10/12/14 (computed over the previous submultiframe
//! with the C bits at 0), the MFAS `001011` in the Si bits of frames
//! 1..11 (odd) and the E bits in frames 13 and 15.  Without CRC-4 all Si bits
//! are 1.  Each errored submultiframe reported by the local receiver turns one
//! later E bit to 0 (a small queue; G.704 only requires less than 1 s delay).
//!
//! Receive:
//! * Frame alignment (G.706 §4.1.2): FAS in frame n, bit 2 = 1 in frame n+1,
//!   FAS in frame n+2.  The hunt is sequential over bit positions: the
//!   candidate positions of one frame are examined in stream order and a
//!   failed candidate makes the search resume just after it, so a spurious
//!   FAS imitated by the payload cannot block the search.
//! * Loss (G.706 §4.1.1): three consecutive incorrect FAS.  (The optional
//!   NFAS bit-2 criterion is not implemented.)  Every received FAS word with
//!   any of its 7 bits wrong counts one FAS error while in alignment.
//! * CRC-4 multiframe alignment (G.706 §4.2): two MFAS located within 8 ms
//!   at a spacing that is a multiple of 2 ms.  The "CRC multiframe loss"
//!   alarm is real time: set whenever a CRC-4 receiver is not in multiframe
//!   alignment.  If not achieved within 8 ms of frame alignment, frame
//!   alignment is
//!   re-searched just after the assumed spurious FAS.  A 400 ms timer runs
//!   from the first frame alignment; when it expires without multiframe
//!   alignment the receiver keeps basic frame alignment ("interworking with
//!   non-CRC-4 equipment", G.706 Annex B) and stops re-searching; the loss
//!   stays declared and the MFAS search goes on in the background.
//! * Loss of CRC-4 multiframe (G.706 §4.3.2): ≥ 915 errored submultiframes
//!   in a block of 1000 (consecutive, non-overlapping blocks) → frame
//!   re-search.
//! * CRC errors are counted per submultiframe and E bits (E = 0) counted
//!   only while in CRC-4 multiframe alignment.
//! * RAI: A bit = 1 in 3 consecutive NFAS words sets, A = 0 in 3 consecutive
//!   NFAS words clears; RAI is cleared when frame alignment is lost.
//! * AIS (G.775 §5.2): two consecutive 512-bit periods with fewer than 3
//!   zeros each; cleared by two consecutive periods with at least 3 zeros.

use super::bits::{count_zeros, window, FrameBits, E1_BITS};
use super::crc::crc4_e1_frame;
use super::framer::AisDetector;
use super::Counters;

/// Frame alignment signal in TS0 bits 2..8 of even frames.
pub(crate) const FAS: u8 = 0b001_1011;
/// CRC-4 multiframe alignment signal (Si bits of frames 1,3,5,7,9,11).
const MFAS: [u8; 6] = [0, 0, 1, 0, 1, 1];
const MFAS_WORD: u8 = 0b00_1011;
/// 8 ms in frames.
const MF_SEARCH_FRAMES: u32 = 64;
/// 400 ms in frames.
const MF_INTERWORK_FRAMES: u32 = 3200;

fn frame32(b: &FrameBits) -> &[u8; 32] {
    b.first_chunk::<32>().expect("33-byte buffer")
}

/// E1 transmit framer.
#[derive(Clone, Debug)]
pub(crate) struct E1Tx {
    crc4: bool,
    fno: u8,
    crc_acc: u8,
    crc_send: u8,
    ebit_pending: u32,
}

impl E1Tx {
    pub(crate) fn new(crc4: bool) -> Self {
        Self {
            crc4,
            fno: 0,
            crc_acc: 0,
            crc_send: 0,
            ebit_pending: 0,
        }
    }

    /// Queue E = 0 reports for errored submultiframes seen by our receiver.
    pub(crate) fn report_errored_smf(&mut self, n: u32) {
        self.ebit_pending = (self.ebit_pending + n).min(64);
    }

    /// Build the next frame; returns its number in the multiframe (0..16).
    pub(crate) fn build(&mut self, payload: &[u8; 32], rai: bool, out: &mut FrameBits) -> u8 {
        let f = self.fno;
        let ts0 = if f & 1 == 0 {
            let si = if self.crc4 {
                (self.crc_send >> (3 - ((f & 7) >> 1))) & 1
            } else {
                1
            };
            (si << 7) | FAS
        } else {
            let si = if !self.crc4 {
                1
            } else if f <= 11 {
                MFAS[(f >> 1) as usize]
            } else if self.ebit_pending > 0 {
                self.ebit_pending -= 1;
                0
            } else {
                1
            };
            (si << 7) | 0x40 | ((rai as u8) << 5) | 0x1F
        };
        out[0] = ts0;
        out[1..32].copy_from_slice(&payload[1..]);
        out[32] = 0;
        if self.crc4 {
            let c = if f & 1 == 0 { ts0 & 0x7F } else { ts0 };
            self.crc_acc = crc4_e1_frame(self.crc_acc, c, frame32(out));
            if f & 7 == 7 {
                self.crc_send = self.crc_acc;
                self.crc_acc = 0;
            }
        }
        self.fno = (f + 1) & 15;
        f
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fa {
    /// Hunting; the next frame is scanned at every bit position.
    Search,
    /// FAS seen at `lag` in the previous frame: check bit 2 of this one.
    CheckNfas { lag: usize },
    /// Check FAS again at `lag`.
    CheckFas { lag: usize },
    /// In frame alignment at `lag` bits before the buffer boundary.
    Aligned { lag: usize, fas_next: bool, bad: u8 },
}

/// E1 receive framer.
#[derive(Clone, Debug)]
pub(crate) struct E1Rx {
    crc4: bool,
    prev: FrameBits,
    tmp: FrameBits,
    fa: Fa,
    clk: u64,
    mf_aligned: bool,
    mf_idx: u8,
    nfas_si: u8,
    last_mfas: Option<u64>,
    mf_timer: u32,
    mf400: Option<u32>,
    interworking: bool,
    mf_loss_declared: bool,
    crc_acc: u8,
    acc_full: bool,
    crc_prev: Option<u8>,
    c_rx: u8,
    blk_smf: u16,
    blk_err: u16,
    a_run: i8,
    rai: bool,
    ais: AisDetector,
    pub(crate) cnt: Counters,
    /// Errored submultiframes not yet handed to the transmitter's E bits.
    pub(crate) errored_smf: u32,
    out: [u8; 32],
}

impl E1Rx {
    pub(crate) fn new(crc4: bool, cnt: Counters) -> Self {
        Self {
            crc4,
            prev: [0; 33],
            tmp: [0; 33],
            fa: Fa::Search,
            clk: 0,
            mf_aligned: false,
            mf_idx: 0,
            nfas_si: 0x3F,
            last_mfas: None,
            mf_timer: 0,
            mf400: None,
            interworking: false,
            mf_loss_declared: false,
            crc_acc: 0,
            acc_full: false,
            crc_prev: None,
            c_rx: 0,
            blk_smf: 0,
            blk_err: 0,
            a_run: 0,
            rai: false,
            ais: AisDetector::new(2),
            cnt,
            errored_smf: 0,
            out: [0; 32],
        }
    }

    pub(crate) fn lof(&self) -> bool {
        !matches!(self.fa, Fa::Aligned { .. })
    }
    pub(crate) fn ais(&self) -> bool {
        self.ais.active()
    }
    pub(crate) fn rai(&self) -> bool {
        self.rai
    }
    /// Not in CRC-4 multiframe alignment (real time: also while searching
    /// for it after frame alignment, and while interworking).
    pub(crate) fn crc_mf_loss(&self) -> bool {
        self.crc4 && !self.mf_aligned
    }
    /// The last received payload (TS0 included).
    pub(crate) fn payload(&self) -> &[u8; 32] {
        &self.out
    }

    /// TS0 octet of the window at `lag`.
    fn ts0_at(&self, cur: &FrameBits, lag: usize) -> u8 {
        if lag == 0 {
            return cur[0];
        }
        let pos = E1_BITS - lag;
        let (b, s) = (pos / 8, pos % 8);
        let byte = |k: usize| if k < 32 { self.prev[k] } else { cur[k - 32] };
        if s == 0 {
            byte(b)
        } else {
            (byte(b) << s) | (byte(b + 1) >> (8 - s))
        }
    }

    /// Scan this frame's candidate positions from lag `from` down to 0 (in
    /// stream order) for a FAS.
    fn search(&self, cur: &FrameBits, from: Option<usize>) -> Fa {
        if let Some(from) = from {
            for lag in (0..=from).rev() {
                if self.ts0_at(cur, lag) & 0x7F == FAS {
                    return Fa::CheckNfas { lag };
                }
            }
        }
        Fa::Search
    }

    fn fa_gained(&mut self) {
        self.mf_timer = 0;
        self.mf400.get_or_insert(0);
        self.nfas_si = 0x3F;
        self.last_mfas = None;
        self.a_run = 0;
    }

    fn fa_lost(&mut self, primary: bool) {
        self.mf_aligned = false;
        self.rai = false;
        self.a_run = 0;
        self.crc_prev = None;
        self.acc_full = false;
        if primary {
            self.mf400 = None;
            self.interworking = false;
        }
    }

    /// Process one received frame (the 256 bits delivered by the line).
    pub(crate) fn process(&mut self, cur: &FrameBits) {
        self.clk += 1;
        self.ais.update(count_zeros(cur, E1_BITS));
        if let Some(t) = self.mf400.as_mut() {
            // 400 ms timer (G.706 Annex B), running from the first frame
            // alignment until CRC-4 multiframe alignment.
            *t += 1;
            if *t >= MF_INTERWORK_FRAMES {
                self.interworking = true;
            }
        }
        self.fa = match self.fa {
            Fa::Search => self.search(cur, Some(E1_BITS - 1)),
            Fa::CheckNfas { lag } => {
                if self.ts0_at(cur, lag) & 0x40 != 0 {
                    Fa::CheckFas { lag }
                } else {
                    self.search(cur, lag.checked_sub(1))
                }
            }
            Fa::CheckFas { lag } => {
                if self.ts0_at(cur, lag) & 0x7F == FAS {
                    self.fa_gained();
                    window(&self.prev, cur, E1_BITS, lag, &mut self.tmp);
                    self.out.copy_from_slice(&self.tmp[..32]);
                    Fa::Aligned {
                        lag,
                        fas_next: false,
                        bad: 0,
                    }
                } else {
                    self.search(cur, lag.checked_sub(1))
                }
            }
            Fa::Aligned { lag, fas_next, bad } => self.aligned(cur, lag, fas_next, bad),
        };
        match self.fa {
            Fa::Aligned { lag: 0, .. } => {}
            Fa::Aligned { .. } => self.prev = *cur,
            _ => {
                self.prev = *cur;
                self.out.copy_from_slice(&cur[..32]);
            }
        }
    }

    fn aligned(&mut self, cur: &FrameBits, lag: usize, fas_frame: bool, mut bad: u8) -> Fa {
        if lag != 0 {
            window(&self.prev, cur, E1_BITS, lag, &mut self.tmp);
        }
        let frame: [u8; 32] = if lag == 0 {
            *frame32(cur)
        } else {
            *frame32(&self.tmp)
        };
        self.out = frame;
        let ts0 = frame[0];
        if fas_frame {
            if ts0 & 0x7F != FAS {
                self.cnt.fas_errors += 1;
                bad += 1;
                if bad >= 3 {
                    // A loss during the CRC-4 re-search episode keeps the 400 ms timer.
                    self.fa_lost(!self.mf_loss_declared);
                    return Fa::Search;
                }
            } else {
                bad = 0;
            }
        } else {
            self.a_run = if ts0 & 0x20 != 0 {
                self.a_run.max(0) + 1
            } else {
                self.a_run.min(0) - 1
            };
            self.a_run = self.a_run.clamp(-3, 3);
            if self.a_run == 3 {
                self.rai = true;
            } else if self.a_run == -3 {
                self.rai = false;
            }
        }
        if self.crc4 && !self.multiframe(&frame, fas_frame) {
            // Assumed spurious FAS: re-search just after it.
            self.fa_lost(false);
            return self.search(cur, lag.checked_sub(1));
        }
        Fa::Aligned {
            lag,
            fas_next: !fas_frame,
            bad,
        }
    }

    /// CRC-4 multiframe processing of one aligned frame.  Returns false if
    /// frame alignment must be re-searched.
    fn multiframe(&mut self, frame: &[u8; 32], fas_frame: bool) -> bool {
        let ts0 = frame[0];
        let si = ts0 >> 7;
        if !self.mf_aligned {
            if !fas_frame {
                self.nfas_si = ((self.nfas_si << 1) | si) & 0x3F;
                if self.nfas_si == MFAS_WORD {
                    if let Some(t) = self.last_mfas {
                        let d = self.clk - t;
                        if d % 16 == 0 && d <= u64::from(MF_SEARCH_FRAMES) {
                            self.mf_found();
                            return true;
                        }
                    }
                    self.last_mfas = Some(self.clk);
                }
            }
            self.mf_timer += 1;
            if self.mf_timer >= MF_SEARCH_FRAMES && !self.interworking {
                self.mf_loss_declared = true;
                return false;
            }
            return true;
        }
        let idx = self.mf_idx;
        let c = if fas_frame { ts0 & 0x7F } else { ts0 };
        self.crc_acc = crc4_e1_frame(self.crc_acc, c, frame);
        if fas_frame {
            self.c_rx |= si << (3 - ((idx & 7) >> 1));
        } else if (idx == 13 || idx == 15) && si == 0 {
            self.cnt.ebit_errors += 1;
        }
        self.mf_idx = (idx + 1) & 15;
        if idx & 7 != 7 {
            return true;
        }
        let mut ok = true;
        if let Some(p) = self.crc_prev {
            let err = p != self.c_rx;
            if err {
                self.cnt.crc_errors += 1;
                self.errored_smf += 1;
                self.blk_err += 1;
            }
            self.blk_smf += 1;
            if self.blk_smf == 1000 {
                if self.blk_err >= 915 {
                    self.mf_loss_declared = true;
                    ok = false;
                }
                self.blk_smf = 0;
                self.blk_err = 0;
            }
        }
        self.crc_prev = self.acc_full.then_some(self.crc_acc);
        self.crc_acc = 0;
        self.acc_full = true;
        self.c_rx = 0;
        ok
    }

    fn mf_found(&mut self) {
        self.mf_aligned = true;
        self.mf_idx = 12; // this NFAS frame was frame 11
        self.mf_loss_declared = false;
        self.mf400 = None;
        self.interworking = false;
        self.acc_full = false;
        self.crc_prev = None;
        self.crc_acc = 0;
        self.c_rx = 0;
        self.blk_smf = 0;
        self.blk_err = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        tx: &mut E1Tx,
        rx: &mut E1Rx,
        frames: usize,
        mut corrupt: impl FnMut(usize, &mut FrameBits),
    ) {
        let mut pay = [0u8; 32];
        for k in 0..frames {
            for (j, b) in pay.iter_mut().enumerate() {
                *b = (j as u8).wrapping_mul(29).wrapping_add(k as u8);
            }
            let mut f = [0u8; 33];
            tx.build(&pay, false, &mut f);
            corrupt(k, &mut f);
            rx.process(&f);
        }
    }

    #[test]
    fn aligns_and_checks_crc() {
        let mut tx = E1Tx::new(true);
        let mut rx = E1Rx::new(true, Counters::default());
        run(&mut tx, &mut rx, 80, |_, _| {});
        assert!(!rx.lof() && rx.mf_aligned && !rx.crc_mf_loss());
        run(&mut tx, &mut rx, 1600, |_, _| {});
        assert_eq!(rx.cnt, Counters::default());
        // One payload bit error per multiframe -> one CRC error per multiframe.
        run(&mut tx, &mut rx, 1600, |k, f| {
            if k % 16 == 3 {
                f[5] ^= 0x10;
            }
        });
        assert_eq!(rx.cnt.crc_errors, 100);
        assert_eq!(rx.errored_smf, 100);
        assert_eq!(rx.cnt.fas_errors, 0);
    }

    #[test]
    fn lag_alignment_after_bit_slip() {
        // A stream shifted by 5 bits relative to the buffer boundary.
        let mut tx = E1Tx::new(true);
        let mut rx = E1Rx::new(true, Counters::default());
        let mut pay = [0x55u8; 32];
        let mut last = [0u8; 33];
        for k in 0..200 {
            pay[1] = k as u8;
            let mut f = [0u8; 33];
            tx.build(&pay, false, &mut f);
            let mut shifted = [0u8; 33];
            window(&last, &f, E1_BITS, 5, &mut shifted);
            last = f;
            rx.process(&shifted);
        }
        // Frames start 5 bits into each buffer, i.e. 251 bits before the next boundary.
        assert!(matches!(rx.fa, Fa::Aligned { lag: 251, .. }), "{:?}", rx.fa);
        assert!(rx.mf_aligned);
        assert_eq!(rx.cnt.crc_errors, 0);
    }

    #[test]
    fn non_crc4_far_end_interworking() {
        let mut tx = E1Tx::new(false);
        let mut rx = E1Rx::new(true, Counters::default());
        run(&mut tx, &mut rx, 400, |_, _| {});
        assert!(rx.crc_mf_loss());
        assert!(rx.mf_loss_declared);
        run(&mut tx, &mut rx, 3200, |_, _| {});
        assert!(rx.interworking);
        assert!(!rx.lof());
        assert!(rx.crc_mf_loss());
    }
}
