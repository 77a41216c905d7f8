//! D-channel frames between the real-time board threads and the
//! signalling thread.
//!
//! A [`DFrame`] is a fixed-size `Copy` value, and the channels carrying
//! them are bounded crossbeam channels (preallocated arrays), so the board
//! thread hands over a received frame, or takes one to transmit, without
//! allocating or blocking: when a channel is full the frame is dropped and
//! counted, as a D-channel overrun on real hardware would lose it.

use crossbeam_channel::{Receiver, Sender};

/// Largest D-channel frame carried (address + control + N201 260 octets of
/// information, with room to spare; longer frames are dropped).
pub const MAX_DFRAME: usize = 300;

/// Frames queued from all board threads towards the signalling thread.
pub const RX_QUEUE: usize = 4096;
/// Frames queued per span towards the board thread.
pub const TX_QUEUE: usize = 64;

/// One HDLC frame without flags and FCS.
#[derive(Clone, Copy)]
pub struct DFrame {
    /// Board position of the span (0-based) — on the receive side; the
    /// transmit side has one channel per span.
    pub pos: u8,
    /// Index of the board in the order of the board threads' creation
    /// generation (see [`DFrame::board_gen`]).
    pub board_gen: u32,
    len: u16,
    data: [u8; MAX_DFRAME],
}

impl DFrame {
    /// Copy `bytes`; `None` if longer than [`MAX_DFRAME`].
    #[inline]
    pub fn new(board_gen: u32, pos: u8, bytes: &[u8]) -> Option<DFrame> {
        let mut f = DFrame {
            pos,
            board_gen,
            len: 0,
            data: [0; MAX_DFRAME],
        };
        f.data.get_mut(..bytes.len())?.copy_from_slice(bytes);
        f.len = bytes.len() as u16;
        Some(f)
    }

    /// The frame octets.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.data[..usize::from(self.len)]
    }
}

/// A bounded channel for received frames (many board threads, one reader).
pub fn rx_channel() -> (Sender<DFrame>, Receiver<DFrame>) {
    crossbeam_channel::bounded(RX_QUEUE)
}

/// A bounded channel for one span's frames to transmit.
pub fn tx_channel() -> (Sender<DFrame>, Receiver<DFrame>) {
    crossbeam_channel::bounded(TX_QUEUE)
}
