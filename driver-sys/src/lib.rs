//! trunk-driver-sys: the board ABI of trunkd's E1/T1 boards.
//!
//! * [`abi`]: register map (map 0) and DMA layout (map 1), as documented in
//!   `driver-sys/BOARD.md`.
//! * [`mem`]: safe volatile access to the mapped register file and DMA rings,
//!   used by the host driver and by the board simulator alike.
//! * [`board`]: opening a board, either a real UIO device or a simulated one.
//! * [`irq`]: the board interrupt as a `mio` event source (UIO semantics).
//! * [`hdlc`], [`fcs`]: software HDLC for D-channels and SS7 links.
//! * [`prbs`]: the ITU-T O.151 2^15-1 pseudo-random bit sequence for BERT.

pub mod abi;
pub mod alloc_check;
pub mod board;
pub mod fcs;
pub mod hdlc;
pub mod irq;
pub mod mem;
pub mod prbs;
pub mod seqpacket;
