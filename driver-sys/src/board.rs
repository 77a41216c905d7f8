//! Opening a board, real or simulated, and the register-level operations the
//! daemon needs. Everything above [`Board::open`] is identical for both.

use std::fmt;
use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::abi::{self, Caps, Control, Direction, SpanConfig, SpanSettings, SpanStatus};
use crate::irq::Interrupt;
use crate::mem::{Mapping, SharedBoardFile};

/// Where a board lives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BoardSpec {
    /// A real board bound to the UIO framework: `/dev/uioN` (or a udev symlink
    /// to it such as `/dev/trunkd/board0`).
    Uio(PathBuf),
    /// A simulated board: the directory trunksim was started with.
    Sim(PathBuf),
}

impl FromStr for BoardSpec {
    type Err = String;

    /// `sim:DIR`, `uio:/dev/uioN`, or a bare `/dev/...` path (UIO).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(dir) = s.strip_prefix("sim:") {
            if dir.is_empty() {
                return Err("`sim:` needs the simulator directory, e.g. sim:/run/trunksim".into());
            }
            Ok(BoardSpec::Sim(dir.into()))
        } else if let Some(dev) = s.strip_prefix("uio:") {
            if dev.is_empty() {
                return Err("`uio:` needs a device, e.g. uio:/dev/uio0".into());
            }
            Ok(BoardSpec::Uio(dev.into()))
        } else if s.starts_with("/dev/") {
            Ok(BoardSpec::Uio(s.into()))
        } else {
            Err(format!(
                "`{s}` is not a board: use sim:DIR for a simulator or uio:/dev/uioN for hardware"
            ))
        }
    }
}

impl fmt::Display for BoardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoardSpec::Uio(p) => write!(f, "uio:{}", p.display()),
            BoardSpec::Sim(p) => write!(f, "sim:{}", p.display()),
        }
    }
}

/// Why a board could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// An OS call failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, naming the path.
        what: String,
        /// The OS error.
        source: io::Error,
    },
    /// The device is not a trunkd board or speaks another ABI.
    #[error("{0}")]
    Incompatible(String),
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> BoardError {
    let what = what.into();
    move |source| BoardError::Io { what, source }
}

/// The free-running counters of one span, as read from the board.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawCounters {
    /// CRC-4 / CRC-6 errors.
    pub crc_errors: u32,
    /// Line code violations.
    pub code_violations: u32,
    /// E-bit (far-end block) errors.
    pub ebit_errors: u32,
    /// Controlled slips.
    pub slips: u32,
    /// FAS / framing bit errors.
    pub fas_errors: u32,
    /// Transmit underruns.
    pub tx_underruns: u32,
    /// Receive overruns.
    pub rx_overruns: u32,
}

/// An opened board.
pub struct Board {
    spec: BoardSpec,
    regs: Mapping,
    dma: Mapping,
    irq: Interrupt,
    spans: usize,
    caps: Caps,
}

impl fmt::Debug for Board {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Board")
            .field("spec", &self.spec)
            .field("spans", &self.spans)
            .finish()
    }
}

/// Size of map `n` of UIO device `uioN`, from sysfs.
fn uio_map_size(dev: &str, n: usize) -> Result<usize, BoardError> {
    let p = format!("/sys/class/uio/{dev}/maps/map{n}/size");
    let s = std::fs::read_to_string(&p).map_err(io_err(format!("reading {p}")))?;
    let s = s.trim();
    let v = s
        .strip_prefix("0x")
        .map_or_else(|| s.parse(), |h| usize::from_str_radix(h, 16));
    v.map_err(|_| BoardError::Incompatible(format!("{p}: `{s}` is not a size")))
}

impl Board {
    /// Open a board and check its identity. The board is not reset; call
    /// [`Board::reset`] and [`Board::start`].
    pub fn open(spec: &BoardSpec) -> Result<Board, BoardError> {
        let (regs, dma, irq) = match spec {
            BoardSpec::Sim(dir) => {
                let f = SharedBoardFile::open(&dir.join("board")).map_err(io_err(format!(
                    "opening simulator board {}/board",
                    dir.display()
                )))?;
                let irq = Interrupt::connect_sim(&dir.join("irq")).map_err(io_err(format!(
                    "connecting to simulator interrupt {}/irq",
                    dir.display()
                )))?;
                (f.regs, f.dma, irq)
            }
            BoardSpec::Uio(dev) => {
                let real = std::fs::canonicalize(dev)
                    .map_err(io_err(format!("resolving {}", dev.display())))?;
                let name = real
                    .file_name()
                    .and_then(|n| n.to_str())
                    .filter(|n| n.starts_with("uio"))
                    .ok_or_else(|| {
                        BoardError::Incompatible(format!(
                            "{} is not a UIO device (/dev/uioN)",
                            real.display()
                        ))
                    })?
                    .to_owned();
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
                    .open(&real)
                    .map_err(io_err(format!("opening {}", real.display())))?;
                let page = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
                    .ok()
                    .flatten()
                    .unwrap_or(4096) as u64;
                let size0 = uio_map_size(&name, 0)?;
                let size1 = uio_map_size(&name, 1)?;
                // UIO selects map N with an mmap offset of N pages.
                let regs = Mapping::map(&file, 0, size0)
                    .map_err(io_err(format!("mapping {} map0", real.display())))?;
                let dma = Mapping::map(&file, page, size1)
                    .map_err(io_err(format!("mapping {} map1", real.display())))?;
                (regs, dma, Interrupt::from_uio(file))
            }
        };
        Self::check(spec.clone(), regs, dma, irq)
    }

    fn check(
        spec: BoardSpec,
        regs: Mapping,
        dma: Mapping,
        irq: Interrupt,
    ) -> Result<Board, BoardError> {
        if regs.len() < abi::MAP0_SIZE {
            return Err(BoardError::Incompatible(format!(
                "{spec}: register map is {} bytes, expected {}",
                regs.len(),
                abi::MAP0_SIZE
            )));
        }
        let id = regs.read32(abi::REG_ID);
        if id != abi::BOARD_MAGIC {
            return Err(BoardError::Incompatible(format!(
                "{spec}: board id {id:#010x} is not a trunkd board ({:#010x})",
                abi::BOARD_MAGIC
            )));
        }
        let version = regs.read32(abi::REG_VERSION);
        if version >> 16 != abi::ABI_MAJOR {
            return Err(BoardError::Incompatible(format!(
                "{spec}: board ABI {}.{} is not supported (driver speaks {}.x)",
                version >> 16,
                version & 0xFFFF,
                abi::ABI_MAJOR
            )));
        }
        let spans = regs.read32(abi::REG_SPAN_COUNT) as usize;
        if spans == 0 || spans > abi::MAX_SPANS {
            return Err(BoardError::Incompatible(format!(
                "{spec}: span count {spans} out of range"
            )));
        }
        let ring = regs.read32(abi::REG_RING_CHUNKS) as usize;
        let chunk = regs.read32(abi::REG_CHUNK_BYTES) as usize;
        if ring != abi::RING_CHUNKS || chunk != abi::CHUNK_BYTES {
            return Err(BoardError::Incompatible(format!(
                "{spec}: ring of {ring} chunks of {chunk} bytes, expected {} of {}",
                abi::RING_CHUNKS,
                abi::CHUNK_BYTES
            )));
        }
        if dma.len() < abi::map1_size(spans) {
            return Err(BoardError::Incompatible(format!(
                "{spec}: DMA map is {} bytes, {spans} spans need {}",
                dma.len(),
                abi::map1_size(spans)
            )));
        }
        let caps = Caps::from_bits_retain(regs.read32(abi::REG_CAPS));
        Ok(Board {
            spec,
            regs,
            dma,
            irq,
            spans,
            caps,
        })
    }

    /// Where this board lives.
    pub fn spec(&self) -> &BoardSpec {
        &self.spec
    }

    /// Number of spans fitted.
    pub fn span_count(&self) -> usize {
        self.spans
    }

    /// Capabilities.
    pub fn caps(&self) -> Caps {
        self.caps
    }

    /// The register map, for diagnostics.
    pub fn regs(&self) -> &Mapping {
        &self.regs
    }

    /// The interrupt line (register it with a `mio::Poll`).
    pub fn irq(&mut self) -> &mut Interrupt {
        &mut self.irq
    }

    /// Reset the board (spans disabled, counters and ring pointers zero) and
    /// wait up to `timeout` for the board to clear the self-clearing RESET bit.
    pub fn reset(&self, timeout: std::time::Duration) -> Result<(), BoardError> {
        self.regs.write32(abi::REG_CONTROL, Control::RESET.bits());
        let deadline = std::time::Instant::now() + timeout;
        while Control::from_bits_retain(self.regs.read32(abi::REG_CONTROL)).contains(Control::RESET)
        {
            if std::time::Instant::now() > deadline {
                return Err(BoardError::Incompatible(format!(
                    "{}: board did not complete reset within {timeout:?}",
                    self.spec
                )));
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        Ok(())
    }

    /// Enable DMA and interrupts.
    pub fn start(&self) {
        self.regs.write32(
            abi::REG_CONTROL,
            (Control::DMA_ENABLE | Control::IRQ_ENABLE).bits(),
        );
    }

    /// Interrupt moderation: a tick interrupt every `chunks` chunks (clamped
    /// to 1..=[`abi::MAX_IRQ_INTERVAL`]).
    pub fn set_irq_interval(&self, chunks: u32) {
        self.regs.write32(
            abi::REG_IRQ_INTERVAL,
            chunks.clamp(1, abi::MAX_IRQ_INTERVAL),
        );
    }

    /// Disable DMA and interrupts (spans keep their configuration).
    pub fn stop(&self) {
        self.regs.write32(abi::REG_CONTROL, 0);
    }

    /// Read and acknowledge the interrupt status.
    pub fn take_irq_status(&self) -> abi::Irq {
        let v = self.regs.read32(abi::REG_IRQ_STATUS);
        if v != 0 {
            self.regs.write32(abi::REG_IRQ_STATUS, v);
        }
        abi::Irq::from_bits_retain(v)
    }

    /// Read and acknowledge the per-span status-change bits.
    pub fn take_span_events(&self) -> u32 {
        let v = self.regs.read32(abi::REG_SPAN_EVENTS);
        if v != 0 {
            self.regs.write32(abi::REG_SPAN_EVENTS, v);
        }
        v
    }

    /// Frames clocked since DMA was enabled.
    pub fn frame_count(&self) -> u64 {
        let lo = self.regs.read32(abi::REG_FRAME_COUNT_LO) as u64;
        let hi = self.regs.read32(abi::REG_FRAME_COUNT_HI) as u64;
        hi << 32 | lo
    }

    /// Write a span's configuration (span is 0-based).
    pub fn configure_span(&self, span: usize, settings: &SpanSettings) {
        self.regs.write32(
            abi::span_reg(span, abi::SPAN_CONFIG),
            SpanConfig::encode(settings),
        );
    }

    /// Set a span's idle octet.
    pub fn set_idle(&self, span: usize, idle: u8) {
        self.regs
            .write32(abi::span_reg(span, abi::SPAN_IDLE), idle as u32);
    }

    /// Read back a span's configuration register.
    pub fn span_config_raw(&self, span: usize) -> u32 {
        self.regs.read32(abi::span_reg(span, abi::SPAN_CONFIG))
    }

    /// A span's status.
    pub fn span_status(&self, span: usize) -> SpanStatus {
        SpanStatus::from_bits_retain(self.regs.read32(abi::span_reg(span, abi::SPAN_STATUS)))
    }

    /// A span's free-running counters.
    pub fn span_counters(&self, span: usize) -> RawCounters {
        let r = |reg| self.regs.read32(abi::span_reg(span, reg));
        RawCounters {
            crc_errors: r(abi::SPAN_CRC_ERRORS),
            code_violations: r(abi::SPAN_CODE_VIOLATIONS),
            ebit_errors: r(abi::SPAN_EBIT_ERRORS),
            slips: r(abi::SPAN_SLIPS),
            fas_errors: r(abi::SPAN_FAS_ERRORS),
            tx_underruns: r(abi::SPAN_TX_UNDERRUNS),
            rx_overruns: r(abi::SPAN_RX_OVERRUNS),
        }
    }

    /// Receive chunks the board has written (free-running).
    #[inline]
    pub fn rx_head(&self, span: usize) -> u32 {
        self.regs.read32(abi::span_reg(span, abi::SPAN_RX_HEAD))
    }

    /// Tell the board the host consumed receive chunks up to `tail`.
    #[inline]
    pub fn set_rx_tail(&self, span: usize, tail: u32) {
        self.regs
            .write32(abi::span_reg(span, abi::SPAN_RX_TAIL), tail);
    }

    /// Transmit chunk slots the board has clocked out (free-running).
    #[inline]
    pub fn tx_tail(&self, span: usize) -> u32 {
        self.regs.read32(abi::span_reg(span, abi::SPAN_TX_TAIL))
    }

    /// Publish transmit chunks up to `head`.
    #[inline]
    pub fn set_tx_head(&self, span: usize, head: u32) {
        self.regs
            .write32(abi::span_reg(span, abi::SPAN_TX_HEAD), head);
    }

    /// Copy receive chunk `seq` of `span` out of DMA memory.
    #[inline]
    pub fn read_rx_chunk(&self, span: usize, seq: u32, out: &mut [u8; abi::CHUNK_BYTES]) {
        self.dma
            .copy_out(abi::chunk_offset(span, Direction::Rx, seq), out);
    }

    /// Copy transmit chunk `seq` of `span` into DMA memory.
    #[inline]
    pub fn write_tx_chunk(&self, span: usize, seq: u32, chunk: &[u8; abi::CHUNK_BYTES]) {
        self.dma
            .copy_in(abi::chunk_offset(span, Direction::Tx, seq), chunk);
    }
}

/// Check that `dir` looks like a simulator directory (board file and irq socket).
pub fn is_sim_dir(dir: &Path) -> bool {
    dir.join("board").exists() && dir.join("irq").exists()
}
