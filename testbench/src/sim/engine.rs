//! The tick engine: the board side of the ABI.
//!
//! Every tick (1 ms of board time) the engine, for each enabled span, clocks
//! one transmit chunk out of the host's ring (or idle on underrun), runs eight
//! frames through the line model and the far end, writes one receive chunk
//! into the host's ring, updates status and counters, and then raises the
//! interrupt with UIO semantics.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use trunk_driver_sys::abi::{self, Caps, Control, FramingMode, Irq, LineCoding, SpanStatus};
use trunk_driver_sys::mem::{Mapping, SharedBoardFile};
use trunk_driver_sys::seqpacket::SeqpacketListener;

mod requests;

use super::control::ControlRequest;
use super::external::External;
use super::prifar::PriFar;
use super::{io_err, FarEndMode, SimConfig, SimError, TimeMode};
use crate::line::{Alarms, FarEnd, Framing, LineCode, LineConfig, LineKind, Loopback, SpanModel};

/// One simulated span.
struct SpanSim {
    model: SpanModel,
    raw_cfg: u32,
    /// Decoded config; `None` while disabled or invalid.
    line: Option<LineConfig>,
    /// The host configured a line kind this span's line is not.
    mismatch: bool,
    tx_tail: u32,
    rx_head: u32,
    underruns: u32,
    overruns: u32,
    status: u32,
    tx_chunk: [u8; abi::CHUNK_BYTES],
    rx_chunk: [u8; abi::CHUNK_BYTES],
    far_tx: [[u8; 32]; abi::FRAMES_PER_CHUNK],
    far_rx: [[u8; 32]; abi::FRAMES_PER_CHUNK],
}

pub(crate) struct Engine {
    regs: Mapping,
    dma: Mapping,
    spans: Vec<SpanSim>,
    line: LineKind,
    far_end: FarEndMode,
    time: TimeMode,
    seed: u64,
    listener: SeqpacketListener,
    host: Option<File>,
    armed: bool,
    pending: bool,
    irq_count: u32,
    /// Ticks since the last interrupt was raised (interrupt moderation).
    ticks_since_irq: u32,
    frames: u64,
    commands: Receiver<ControlRequest>,
    external: Option<External>,
    pri: Option<PriFar>,
    idle_far: [u8; 32],
}

fn line_config(s: &abi::SpanSettings) -> LineConfig {
    LineConfig {
        kind: if s.t1 { LineKind::T1 } else { LineKind::E1 },
        framing: match s.framing {
            FramingMode::G704 => Framing::G704,
            FramingMode::Crc4 => Framing::Crc4,
            FramingMode::D4 => Framing::D4,
            FramingMode::Esf => Framing::Esf,
        },
        code: match s.linecode {
            LineCoding::Ami => LineCode::Ami,
            LineCoding::Hdb3 => LineCode::Hdb3,
            LineCoding::B8zs => LineCode::B8zs,
        },
    }
}

fn status_bits(a: &Alarms, enabled: bool) -> u32 {
    if !enabled {
        return 0;
    }
    let mut s = SpanStatus::empty();
    s.set(SpanStatus::LOS, a.los);
    s.set(SpanStatus::LOF, a.lof);
    s.set(SpanStatus::AIS, a.ais);
    s.set(SpanStatus::RAI, a.rai);
    s.set(SpanStatus::CRC_MF_LOSS, a.crc_mf_loss);
    s.set(SpanStatus::IN_SYNC, !(a.los || a.lof || a.ais));
    s.set(SpanStatus::TX_RAI, a.los || a.lof || a.ais);
    s.bits()
}

impl Engine {
    pub(crate) fn new(
        cfg: &SimConfig,
        commands: Receiver<ControlRequest>,
        external: Option<External>,
    ) -> Result<Engine, SimError> {
        let board_path = cfg.dir.join("board");
        let file = SharedBoardFile::create(&board_path, cfg.spans)
            .map_err(io_err(format!("creating {}", board_path.display())))?;
        let irq_path = cfg.dir.join("irq");
        let listener = SeqpacketListener::bind(&irq_path)
            .map_err(io_err(format!("binding {}", irq_path.display())))?;
        let near = LineConfig::default_for(cfg.line);
        let spans = (0..cfg.spans)
            .map(|i| SpanSim {
                model: SpanModel::new(near, far_end_kind(cfg.far_end), span_seed(cfg.seed, i)),
                raw_cfg: 0,
                line: None,
                mismatch: false,
                tx_tail: 0,
                rx_head: 0,
                underruns: 0,
                overruns: 0,
                status: 0,
                tx_chunk: [0; abi::CHUNK_BYTES],
                rx_chunk: [0; abi::CHUNK_BYTES],
                far_tx: [[0; 32]; abi::FRAMES_PER_CHUNK],
                far_rx: [[0; 32]; abi::FRAMES_PER_CHUNK],
            })
            .collect();
        let t1 = cfg.line == LineKind::T1;
        let mut idle_far = [abi::default_idle(t1); 32];
        idle_far[abi::dchannel_timeslot(t1)] = 0x7E;
        let pri = match cfg.far_end {
            FarEndMode::Pri { network, variant } => {
                Some(PriFar::new(cfg.spans, cfg.line, network, variant))
            }
            _ => None,
        };
        let e = Engine {
            regs: file.regs,
            dma: file.dma,
            spans,
            line: cfg.line,
            far_end: cfg.far_end,
            time: cfg.time,
            seed: cfg.seed,
            listener,
            host: None,
            armed: true,
            pending: false,
            irq_count: 0,
            ticks_since_irq: 0,
            frames: 0,
            commands,
            external,
            pri,
            idle_far,
        };
        e.power_on();
        Ok(e)
    }

    /// Registers as they read after power-on or reset.
    fn power_on(&self) {
        let r = &self.regs;
        // CONTROL is cleared last: the host polls it to learn that reset is
        // complete, so everything else must be in its reset state by then.
        self.dma.fill(0, self.dma.len(), 0);
        for off in (0..abi::MAP0_SIZE)
            .step_by(4)
            .filter(|&o| o != abi::REG_CONTROL)
        {
            r.write32(off, 0);
        }
        r.write32(abi::REG_ID, abi::BOARD_MAGIC);
        r.write32(abi::REG_VERSION, abi::ABI_VERSION);
        r.write32(abi::REG_SPAN_COUNT, self.spans.len() as u32);
        let mut caps = Caps::CRC4
            | Caps::ESF
            | Caps::D4
            | Caps::HDB3
            | Caps::B8ZS
            | Caps::AMI
            | Caps::LOCAL_LOOPBACK
            | Caps::REMOTE_LOOPBACK
            | Caps::SIMULATED;
        caps |= if self.line == LineKind::T1 {
            Caps::T1
        } else {
            Caps::E1
        };
        r.write32(abi::REG_CAPS, caps.bits());
        r.write32(abi::REG_RING_CHUNKS, abi::RING_CHUNKS as u32);
        r.write32(abi::REG_CHUNK_BYTES, abi::CHUNK_BYTES as u32);
        r.write32(abi::REG_DMA_SIZE, self.dma.len() as u32);
        for i in 0..self.spans.len() {
            r.write32(
                abi::span_reg(i, abi::SPAN_IDLE),
                abi::default_idle(self.line == LineKind::T1) as u32,
            );
        }
        r.write32(abi::REG_CONTROL, 0);
    }

    fn reset(&mut self) {
        let near = LineConfig::default_for(self.line);
        for (i, s) in self.spans.iter_mut().enumerate() {
            s.model = SpanModel::new(near, far_end_kind(self.far_end), span_seed(self.seed, i));
            s.raw_cfg = 0;
            s.line = None;
            s.mismatch = false;
            s.tx_tail = 0;
            s.rx_head = 0;
            s.underruns = 0;
            s.overruns = 0;
            s.status = 0;
        }
        self.frames = 0;
        self.ticks_since_irq = 0;
        self.pending = false;
        self.power_on();
    }

    pub(crate) fn run(mut self, stop: Arc<AtomicBool>) {
        let start = Instant::now();
        let mut ticks_done: u64 = 0;
        while !stop.load(Ordering::Relaxed) {
            self.service(Duration::ZERO);
            let control = Control::from_bits_retain(self.regs.read32(abi::REG_CONTROL));
            if control.contains(Control::RESET) {
                self.reset();
                continue;
            }
            let running = control.contains(Control::DMA_ENABLE);
            match self.time {
                TimeMode::Lockstep => {
                    let can_tick = running
                        && self.host.is_some()
                        && control.contains(Control::IRQ_ENABLE)
                        && self.armed
                        && !self.pending;
                    if !can_tick {
                        self.service(Duration::from_millis(5));
                        continue;
                    }
                    self.tick();
                }
                TimeMode::Realtime | TimeMode::Factor(_) => {
                    let per_ms = match self.time {
                        TimeMode::Factor(f) => f,
                        _ => 1.0,
                    };
                    let due = (start.elapsed().as_secs_f64() * 1000.0 * per_ms) as u64;
                    if ticks_done >= due {
                        let next =
                            Duration::from_secs_f64((ticks_done + 1) as f64 / (1000.0 * per_ms));
                        let wait = next.saturating_sub(start.elapsed());
                        if wait > Duration::from_micros(50) {
                            std::thread::sleep(wait.min(Duration::from_millis(5)));
                        }
                        continue;
                    }
                    // Behind by more than a tick (this thread was descheduled):
                    // skip the lost ticks rather than burst them. A real board
                    // never delivers chunks faster than the line rate, and a
                    // burst drains the host's few ms of queued transmit chunks,
                    // causing underruns hardware would not. Board time then lags
                    // wall-clock time by the stall.
                    if due - ticks_done > 1 {
                        ticks_done = due - 1;
                    }
                    ticks_done += 1;
                    if running {
                        self.tick();
                    }
                }
            }
        }
    }

    /// Accept a host, read re-arms, deliver a pending interrupt, answer control
    /// requests. Waits up to `wait` for the host when nothing is to be done.
    fn service(&mut self, wait: Duration) {
        if self.host.is_none() {
            if let Some(f) = self.listener.accept() {
                log::info!("host connected to the interrupt socket");
                self.host = Some(f);
                self.armed = true;
                self.pending = false;
            }
        }
        if !wait.is_zero() {
            let ms = wait.as_millis().min(u16::MAX as u128) as u16;
            match &self.host {
                Some(h) => {
                    let mut fds = [PollFd::new(h.as_fd(), PollFlags::POLLIN)];
                    let _ = nix::poll::poll(&mut fds, PollTimeout::from(ms));
                }
                None => {
                    let mut fds = [PollFd::new(self.listener.as_fd(), PollFlags::POLLIN)];
                    let _ = nix::poll::poll(&mut fds, PollTimeout::from(ms));
                }
            }
        }
        self.read_rearms();
        self.deliver();
        while let Ok(req) = self.commands.try_recv() {
            self.handle(req);
        }
        if let Some(ext) = self.external.as_mut() {
            ext.accept_pending();
        }
    }

    fn read_rearms(&mut self) {
        let Some(h) = self.host.as_mut() else { return };
        let mut buf = [0u8; 16];
        loop {
            match h.read(&mut buf) {
                Ok(0) => {
                    log::info!("host disconnected from the interrupt socket");
                    self.host = None;
                    self.armed = true;
                    self.pending = false;
                    return;
                }
                Ok(n) if n >= 4 => {
                    if u32::from_ne_bytes([buf[0], buf[1], buf[2], buf[3]]) == 1 {
                        self.armed = true;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    }

    fn deliver(&mut self) {
        let control = Control::from_bits_retain(self.regs.read32(abi::REG_CONTROL));
        if !(self.pending && self.armed && control.contains(Control::IRQ_ENABLE)) {
            return;
        }
        let Some(h) = self.host.as_mut() else { return };
        let count = self.irq_count.wrapping_add(1);
        if h.write(&count.to_ne_bytes()).is_ok() {
            self.irq_count = count;
            self.armed = false;
            self.pending = false;
        }
    }

    fn tick(&mut self) {
        let mut span_events = 0u32;
        let mut dma_error = false;
        for i in 0..self.spans.len() {
            let (changed, dma_err) = self.tick_span(i);
            if changed {
                span_events |= 1 << i;
            }
            dma_error |= dma_err;
        }
        self.frames += abi::FRAMES_PER_CHUNK as u64;
        self.regs
            .write32(abi::REG_FRAME_COUNT_HI, (self.frames >> 32) as u32);
        self.regs
            .write32(abi::REG_FRAME_COUNT_LO, self.frames as u32);
        let interval = self
            .regs
            .read32(abi::REG_IRQ_INTERVAL)
            .clamp(1, abi::MAX_IRQ_INTERVAL);
        self.ticks_since_irq += 1;
        let mut irq = Irq::empty();
        if self.ticks_since_irq >= interval {
            irq |= Irq::TICK;
        }
        if span_events != 0 {
            self.regs.or32(abi::REG_SPAN_EVENTS, span_events);
            irq |= Irq::SPAN_EVENT;
        }
        if dma_error {
            irq |= Irq::DMA_ERROR;
        }
        if !irq.is_empty() {
            self.ticks_since_irq = 0;
            self.regs.or32(abi::REG_IRQ_STATUS, irq.bits());
            self.pending = true;
            self.deliver();
        }
    }

    /// Returns (status changed, DMA error).
    fn tick_span(&mut self, i: usize) -> (bool, bool) {
        let regs = &self.regs;
        let raw = regs.read32(abi::span_reg(i, abi::SPAN_CONFIG));
        let span = &mut self.spans[i];
        if raw != span.raw_cfg {
            span.raw_cfg = raw;
            match abi::SpanConfig::decode(raw) {
                Ok(s) if s.enabled => {
                    let lc = line_config(&s);
                    span.mismatch = lc.kind != self.line;
                    if span.line.map(|l| l.kind) != Some(lc.kind) || span.line != Some(lc) {
                        span.model.reconfigure(lc);
                    }
                    span.model.set_force(s.force_rai, s.force_ais);
                    span.model.set_loopback(if s.local_loopback {
                        Loopback::Local
                    } else if s.remote_loopback {
                        Loopback::Remote
                    } else {
                        Loopback::None
                    });
                    span.line = Some(lc);
                }
                Ok(_) => span.line = None,
                Err(v) => {
                    log::warn!(
                        "span {}: invalid config register value {v:#010x}; span disabled",
                        i + 1
                    );
                    span.line = None;
                }
            }
        }
        if span.line.is_none() {
            let changed = span.status != 0;
            span.status = 0;
            regs.write32(abi::span_reg(i, abi::SPAN_STATUS), 0);
            return (changed, false);
        }
        let mut dma_err = false;
        // Transmit: take the host's chunk, or idle on underrun.
        let tx_head = regs.read32(abi::span_reg(i, abi::SPAN_TX_HEAD));
        if (tx_head.wrapping_sub(span.tx_tail) as i32) > 0 {
            self.dma.copy_out(
                abi::chunk_offset(i, abi::Direction::Tx, span.tx_tail),
                &mut span.tx_chunk,
            );
        } else {
            let idle = regs.read32(abi::span_reg(i, abi::SPAN_IDLE)) as u8;
            span.tx_chunk.fill(idle);
            span.underruns = span.underruns.wrapping_add(1);
            dma_err = true;
        }
        span.tx_tail = span.tx_tail.wrapping_add(1);
        regs.write32(abi::span_reg(i, abi::SPAN_TX_TAIL), span.tx_tail);

        // Far end transmit side.
        let board_ms = self.frames / abi::FRAMES_PER_CHUNK as u64;
        match (self.external.as_mut(), self.pri.as_mut()) {
            (Some(ext), _) => ext.produce(i, &mut span.far_tx),
            (None, Some(pri)) => pri.produce(i, board_ms, &mut span.far_tx),
            _ => span.far_tx.iter_mut().for_each(|f| *f = self.idle_far),
        }
        // Eight frames through the line.
        for f in 0..abi::FRAMES_PER_CHUNK {
            let mut host_tx = [0u8; 32];
            host_tx.copy_from_slice(&span.tx_chunk[f * 32..f * 32 + 32]);
            let mut board_rx = [0u8; 32];
            if span.mismatch {
                board_rx = [0xFF; 32];
            } else {
                span.model.clock_frame(
                    &host_tx,
                    &span.far_tx[f],
                    &mut board_rx,
                    &mut span.far_rx[f],
                );
            }
            span.rx_chunk[f * 32..f * 32 + 32].copy_from_slice(&board_rx);
        }
        match (self.external.as_mut(), self.pri.as_mut()) {
            (Some(ext), _) => ext.consume(i, &span.far_rx),
            (None, Some(pri)) => pri.consume(i, board_ms, &span.far_rx),
            _ => {}
        }
        // Receive: publish the chunk.
        let rx_tail = regs.read32(abi::span_reg(i, abi::SPAN_RX_TAIL));
        if span.rx_head.wrapping_sub(rx_tail) as usize >= abi::RING_CHUNKS {
            span.overruns = span.overruns.wrapping_add(1);
            dma_err = true;
        }
        self.dma.copy_in(
            abi::chunk_offset(i, abi::Direction::Rx, span.rx_head),
            &span.rx_chunk,
        );
        span.rx_head = span.rx_head.wrapping_add(1);
        regs.write32(abi::span_reg(i, abi::SPAN_RX_HEAD), span.rx_head);

        // Status and counters.
        let mut alarms = span.model.alarms();
        if span.mismatch {
            alarms = Alarms {
                lof: true,
                ..Alarms::default()
            };
        }
        let status = status_bits(&alarms, true);
        let changed = status != span.status;
        span.status = status;
        regs.write32(abi::span_reg(i, abi::SPAN_STATUS), status);
        let c = span.model.counters();
        regs.write32(abi::span_reg(i, abi::SPAN_CRC_ERRORS), c.crc_errors as u32);
        regs.write32(
            abi::span_reg(i, abi::SPAN_CODE_VIOLATIONS),
            c.code_violations as u32,
        );
        regs.write32(
            abi::span_reg(i, abi::SPAN_EBIT_ERRORS),
            c.ebit_errors as u32,
        );
        regs.write32(abi::span_reg(i, abi::SPAN_SLIPS), c.slips as u32);
        regs.write32(abi::span_reg(i, abi::SPAN_FAS_ERRORS), c.fas_errors as u32);
        regs.write32(abi::span_reg(i, abi::SPAN_TX_UNDERRUNS), span.underruns);
        regs.write32(abi::span_reg(i, abi::SPAN_RX_OVERRUNS), span.overruns);
        (changed, dma_err)
    }
}

fn far_end_kind(m: FarEndMode) -> FarEnd {
    match m {
        FarEndMode::Loop => FarEnd::Loop,
        FarEndMode::Idle | FarEndMode::External | FarEndMode::Pri { .. } => FarEnd::Terminal,
    }
}

fn span_seed(seed: u64, span: usize) -> u64 {
    seed ^ (span as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}
