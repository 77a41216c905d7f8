//! The per-board real-time loop: the hot path.
//!
//! One thread per board wakes on the board's tick interrupt, moves every
//! span's receive chunk out of DMA memory and a transmit chunk in, runs HDLC on
//! the D-channel timeslot and the BERT pattern on timeslots under test, and
//! re-arms the interrupt. All buffers are allocated before the first tick; the
//! loop takes no lock, makes no allocation and does no I/O other than the
//! interrupt fd. Results are published through relaxed atomics
//! ([`crate::state`]); requests arrive on a bounded crossbeam channel of
//! `Copy` commands.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use mio::{Events, Interest, Poll, Token};
use trunk_driver_sys::abi::{self, Irq, SpanSettings, CHUNK_BYTES, FRAMES_PER_CHUNK, TIMESLOTS};
use trunk_driver_sys::board::{Board, BoardError, BoardSpec, RawCounters};
use trunk_driver_sys::hdlc::{HdlcRx, HdlcTx, IdleFill};
use trunk_driver_sys::prbs::{PrbsCheck, PrbsGen};

use crate::dchan::{self, DFrame};
use crate::state::{accumulate, BertState, BoardShared, BoardState, SpanShared};
use trunkd::media::engine::{MediaCmd, MediaEngine, MediaLinks, MediaStats, SpanMediaSetup};
use trunkd::media::tones::TonePlanName;

/// Source of board generation numbers (see [`BoardHandle::gen`]).
static BOARD_GEN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// Transmit chunks kept queued ahead of the board at start (ms of transmit latency).
pub const TX_PRIME: u32 = 2;
/// Largest transmit latency the loop grows to after underruns (ms).
pub const MAX_TX_LATENCY: u32 = 16;
/// Ticks between counter reads.
const COUNTER_PERIOD: u64 = 100;

/// A request to a board thread. `Copy`, so sending it allocates nothing and
/// dropping it on the hot path frees nothing.
#[derive(Clone, Copy, Debug)]
pub enum BoardCmd {
    /// (Re)configure a span (0-based position on the board); `None` disables it.
    Configure {
        /// Position on the board, 0-based.
        span: usize,
        /// New line settings and D-channel timeslot, or `None` to disable.
        setup: Option<SpanSetup>,
    },
    /// Start a BERT.
    BertStart {
        /// Position on the board, 0-based.
        span: usize,
        /// Timeslot.
        ts: usize,
        /// Duration in ms of board time.
        ms: u64,
    },
    /// Stop a BERT.
    BertStop {
        /// Position on the board, 0-based.
        span: usize,
        /// Timeslot.
        ts: usize,
    },
}

/// What the real-time loop needs to know about a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanSetup {
    /// Line settings for the board.
    pub settings: SpanSettings,
    /// Timeslot running HDLC, if any.
    pub dchannel: Option<usize>,
    /// Hand received D-channel frames to the signalling thread and send
    /// the frames it queues (PRI spans).
    pub signalling: bool,
    /// Global span number (names the span in media reports).
    pub number: u32,
    /// Call-progress tones of the span.
    pub tone_plan: TonePlanName,
}

struct Bert {
    ts: usize,
    gen: PrbsGen,
    check: PrbsCheck,
    elapsed: u64,
    duration: u64,
}

struct SpanRt {
    setup: Option<SpanSetup>,
    idle: u8,
    rx_tail: u32,
    tx_head: u32,
    hdlc_rx: HdlcRx,
    hdlc_tx: HdlcTx,
    berts: [Option<Bert>; 4],
    /// Transmit chunks kept ahead of the board; grows after underruns.
    latency: u32,
    rx: [u8; CHUNK_BYTES],
    tx: [u8; CHUNK_BYTES],
    /// Idle octets with HDLC flags on the D-channel: what fills a gap.
    idle_chunk: [u8; CHUNK_BYTES],
    prev: RawCounters,
    shared: Arc<SpanShared>,
    /// Frames the signalling thread wants sent on the D-channel.
    dtx: Receiver<DFrame>,
}

impl SpanRt {
    fn new(shared: Arc<SpanShared>, dtx: Receiver<DFrame>) -> SpanRt {
        SpanRt {
            setup: None,
            idle: abi::default_idle(false),
            rx_tail: 0,
            tx_head: 0,
            hdlc_rx: HdlcRx::new(),
            hdlc_tx: HdlcTx::new(IdleFill::Flags),
            berts: [None, None, None, None],
            latency: TX_PRIME,
            rx: [0; CHUNK_BYTES],
            tx: [0; CHUNK_BYTES],
            idle_chunk: [0; CHUNK_BYTES],
            prev: RawCounters::default(),
            shared,
            dtx,
        }
    }

    /// Prefill the transmit chunk: idle everywhere, flags on the D-channel.
    fn prefill(&mut self) {
        self.tx.fill(self.idle);
        if let Some(d) = self.setup.and_then(|s| s.dchannel) {
            for f in 0..FRAMES_PER_CHUNK {
                self.tx[f * TIMESLOTS + d] = 0x7E;
            }
        }
        self.idle_chunk = self.tx;
    }

    fn stop_berts(&mut self, why: BertState) {
        for slot in self.berts.iter_mut() {
            if let Some(b) = slot.take() {
                self.shared.bert[b.ts]
                    .state
                    .store(why as u8, Ordering::Relaxed);
            }
        }
    }
}

/// Handle to a running board thread.
pub struct BoardHandle {
    /// Board name.
    pub name: String,
    /// Device.
    pub device: BoardSpec,
    /// Board-wide figures.
    pub shared: Arc<BoardShared>,
    /// Per position on the board (16 entries, 0-based).
    pub spans: Vec<Arc<SpanShared>>,
    /// Command channel.
    pub cmd: Sender<BoardCmd>,
    /// Per position on the board: frames to send on the span's D-channel.
    pub dtx: Vec<Sender<DFrame>>,
    /// Unique number of this board thread; received frames carry it.
    pub gen: u32,
    /// Requests to the board's media engine.
    pub media: Sender<MediaCmd>,
    /// The media engine's counters.
    pub media_stats: Arc<MediaStats>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BoardHandle {
    /// Start the board thread. `setups` is indexed by position on the board.
    pub fn spawn(
        name: &str,
        device: BoardSpec,
        interval: u32,
        setups: [Option<SpanSetup>; abi::MAX_SPANS],
        drx: Sender<DFrame>,
        media: MediaLinks,
    ) -> BoardHandle {
        let gen = BOARD_GEN.fetch_add(1, Ordering::Relaxed);
        let (dtx, dtx_rx): (Vec<_>, Vec<_>) =
            (0..abi::MAX_SPANS).map(|_| dchan::tx_channel()).unzip();
        let shared = Arc::new(BoardShared::default());
        let spans: Vec<Arc<SpanShared>> = (0..abi::MAX_SPANS)
            .map(|_| Arc::new(SpanShared::default()))
            .collect();
        let (tx, rx) = crossbeam_channel::bounded(256);
        let links = media;
        let (media, media_rx) = crossbeam_channel::bounded(1024);
        let media_stats = Arc::new(MediaStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let ctx = ThreadCtx {
            name: name.to_owned(),
            device: device.clone(),
            shared: shared.clone(),
            spans: spans
                .iter()
                .cloned()
                .zip(setups)
                .zip(dtx_rx)
                .map(|((s, setup), rx)| {
                    let mut rt = SpanRt::new(s, rx);
                    rt.setup = setup;
                    rt
                })
                .collect(),
            cmd: rx,
            stop: stop.clone(),
            interval: interval.clamp(1, abi::MAX_IRQ_INTERVAL),
            gen,
            drx,
            engine: MediaEngine::new(links, media_stats.clone()),
            media_rx,
        };
        let thread = std::thread::Builder::new()
            .name(format!("rt-{name}"))
            .spawn(move || ctx.run())
            .ok();
        if thread.is_none() {
            shared.set_state(BoardState::Failed);
            log::error!("board {name}: cannot spawn its real-time thread");
        }
        BoardHandle {
            name: name.to_owned(),
            device,
            shared,
            spans,
            cmd: tx,
            dtx,
            gen,
            media,
            media_stats,
            stop,
            thread,
        }
    }

    /// Stop the thread (spans are disabled and DMA stopped) and wait for it.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BoardHandle {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

struct ThreadCtx {
    name: String,
    device: BoardSpec,
    shared: Arc<BoardShared>,
    spans: Vec<SpanRt>,
    cmd: Receiver<BoardCmd>,
    stop: Arc<AtomicBool>,
    /// Interrupt moderation, chunks per interrupt.
    interval: u32,
    gen: u32,
    /// Received D-channel frames towards the signalling thread.
    drx: Sender<DFrame>,
    /// DSP for the B-channels.
    engine: MediaEngine,
    /// Requests for the engine.
    media_rx: Receiver<MediaCmd>,
}

impl ThreadCtx {
    fn run(mut self) {
        let mut reported = false;
        while !self.stop.load(Ordering::Relaxed) {
            self.shared.set_state(BoardState::Starting);
            match Board::open(&self.device) {
                Ok(board) => {
                    reported = false;
                    match self.run_board(board) {
                        Ok(()) => break,
                        Err(e) => log::error!("board {}: {e}; reopening", self.name),
                    }
                }
                Err(e) => {
                    if !reported {
                        log::error!("board {}: {e}; retrying every second", self.name);
                        reported = true;
                    }
                }
            }
            self.shared.set_state(BoardState::Failed);
            for s in &mut self.spans {
                s.stop_berts(BertState::Stopped);
                s.shared.status.store(0, Ordering::Relaxed);
            }
            // Keep taking commands while the board is away.
            for _ in 0..20 {
                if self.stop.load(Ordering::Relaxed) {
                    break;
                }
                while let Ok(c) = self.cmd.try_recv() {
                    if let BoardCmd::Configure { span, setup } = c {
                        if let Some(s) = self.spans.get_mut(span) {
                            s.setup = setup;
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.shared.set_state(BoardState::Stopped);
    }

    fn configure(&mut self, board: &Board, i: usize) {
        let s = &mut self.spans[i];
        s.stop_berts(BertState::Stopped);
        s.hdlc_rx.reset();
        s.hdlc_tx = HdlcTx::new(IdleFill::Flags);
        self.engine.configure_span(
            i,
            s.setup.map(|x| SpanMediaSetup {
                number: x.number,
                t1: x.settings.t1,
                idle: abi::default_idle(x.settings.t1),
                dchannel: x.dchannel,
                tone_plan: x.tone_plan,
            }),
        );
        match s.setup {
            Some(setup) => {
                s.idle = abi::default_idle(setup.settings.t1);
                board.set_idle(i, s.idle);
                board.configure_span(i, &setup.settings);
            }
            None => board.configure_span(
                i,
                &SpanSettings {
                    enabled: false,
                    ..disabled()
                },
            ),
        }
        s.prefill();
    }

    fn run_board(&mut self, mut board: Board) -> Result<(), BoardError> {
        let spec = board.spec().to_string();
        // Build the error only when there is one: formatting allocates, and
        // this is used on the hot path.
        let io = |what: &'static str| {
            let spec = &spec;
            move |source| BoardError::Io {
                what: format!("{spec}: {what}"),
                source,
            }
        };
        board.reset(Duration::from_secs(2))?;
        let n = board.span_count().min(self.spans.len());
        let interval = self.interval;
        board.set_irq_interval(interval);
        self.shared.board_spans.store(n as u32, Ordering::Relaxed);
        for (i, s) in self.spans.iter().enumerate().skip(n) {
            if s.setup.is_some() {
                log::error!(
                    "board {}: span {} is configured but the board has only {n} spans",
                    self.name,
                    i + 1
                );
            }
        }
        for i in 0..n {
            self.configure(&board, i);
            let s = &mut self.spans[i];
            s.rx_tail = 0;
            s.tx_head = 0;
            // With interrupt moderation the board runs `interval` chunks
            // between our visits, so keep at least that many queued, plus one.
            s.latency = TX_PRIME.max(interval + 1);
            s.shared.tx_latency_ms.store(s.latency, Ordering::Relaxed);
            s.prev = RawCounters::default();
            for _ in 0..s.latency {
                board.write_tx_chunk(i, s.tx_head, &s.tx);
                s.tx_head += 1;
            }
            board.set_tx_head(i, s.tx_head);
        }
        let mut poll = Poll::new().map_err(io("creating poll"))?;
        poll.registry()
            .register(board.irq(), Token(0), Interest::READABLE)
            .map_err(io("registering the interrupt"))?;
        let mut events = Events::with_capacity(4);
        board.start();
        self.shared.set_state(BoardState::Running);
        log::info!("board {}: running, {n} spans", self.name);
        let mut tick: u64 = 0;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                for i in 0..n {
                    board.configure_span(i, &disabled());
                }
                board.stop();
                return Ok(());
            }
            poll.poll(&mut events, Some(Duration::from_millis(200)))
                .or_else(|e| {
                    if e.kind() == std::io::ErrorKind::Interrupted {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(io("waiting for the interrupt"))?;
            let Some(p) = board.irq().poll().map_err(io("reading the interrupt"))? else {
                continue;
            };
            trunk_driver_sys::alloc_check::set_hot(true);
            if p.new > 1 {
                self.shared
                    .late_ticks
                    .fetch_add(p.new as u64 - 1, Ordering::Relaxed);
            }
            let irq = board.take_irq_status();
            let events_mask = if irq.contains(Irq::SPAN_EVENT) {
                board.take_span_events()
            } else {
                0
            };
            tick += 1;
            let counters_due = tick % COUNTER_PERIOD == 0;
            while let Ok(c) = self.media_rx.try_recv() {
                self.engine.command(c);
            }
            let mut avail = [0u32; abi::MAX_SPANS];
            for (i, a) in avail.iter_mut().enumerate().take(n) {
                *a = self.prepare_span(&board, i, irq, events_mask & (1 << i) != 0 || counters_due);
            }
            // Chunks are processed in step across spans, one millisecond at
            // a time, so the media engine sees every span's audio of the
            // same millisecond before it mixes (bridges across spans).
            let most = avail.iter().copied().max().unwrap_or(0);
            for k in 0..most {
                for (i, &a) in avail.iter().enumerate().take(n) {
                    if a > k {
                        self.receive_chunk(&board, i);
                    }
                }
                self.engine.tick();
                for (i, &a) in avail.iter().enumerate().take(n) {
                    if a > k {
                        self.transmit_chunk(&board, i);
                    }
                }
            }
            for (i, &a) in avail.iter().enumerate().take(n) {
                if a > 0 {
                    let s = &self.spans[i];
                    board.set_rx_tail(i, s.rx_tail);
                    board.set_tx_head(i, s.tx_head);
                }
            }
            while let Ok(c) = self.cmd.try_recv() {
                self.command(&board, n, c);
            }
            self.shared.ticks.fetch_add(1, Ordering::Relaxed);
            self.shared
                .frames
                .store(board.frame_count(), Ordering::Relaxed);
            trunk_driver_sys::alloc_check::set_hot(false);
            board.irq().rearm().map_err(io("re-arming the interrupt"))?;
        }
    }

    fn command(&mut self, board: &Board, n: usize, c: BoardCmd) {
        match c {
            BoardCmd::Configure { span, setup } if span < n && self.spans[span].setup != setup => {
                self.spans[span].setup = setup;
                self.configure(board, span);
            }
            BoardCmd::Configure { span, setup } => {
                if let Some(s) = self.spans.get_mut(span) {
                    s.setup = setup;
                }
            }
            BoardCmd::BertStart { span, ts, ms } if span < n && ts < TIMESLOTS => {
                let s = &mut self.spans[span];
                let sh = &s.shared.bert[ts];
                if let Some(slot) = s
                    .berts
                    .iter_mut()
                    .find(|b| b.as_ref().is_none_or(|b| b.ts == ts))
                {
                    sh.bits.store(0, Ordering::Relaxed);
                    sh.errors.store(0, Ordering::Relaxed);
                    sh.resyncs.store(0, Ordering::Relaxed);
                    sh.elapsed_ms.store(0, Ordering::Relaxed);
                    sh.in_sync.store(false, Ordering::Relaxed);
                    sh.duration_ms.store(ms, Ordering::Relaxed);
                    sh.state.store(BertState::Running as u8, Ordering::Relaxed);
                    *slot = Some(Bert {
                        ts,
                        gen: PrbsGen::new(),
                        check: PrbsCheck::new(),
                        elapsed: 0,
                        duration: ms,
                    });
                }
            }
            BoardCmd::BertStop { span, ts } if span < n => {
                let s = &mut self.spans[span];
                for slot in s.berts.iter_mut() {
                    if slot.as_ref().is_some_and(|b| b.ts == ts) {
                        *slot = None;
                        s.shared.bert[ts]
                            .state
                            .store(BertState::Stopped as u8, Ordering::Relaxed);
                        let idle = s.idle;
                        for f in 0..FRAMES_PER_CHUNK {
                            s.tx[f * TIMESLOTS + ts] = idle;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Refresh span `i`'s status and counters, handle ring over- and
    /// underruns, and return how many receive chunks wait.
    #[inline]
    fn prepare_span(&mut self, board: &Board, i: usize, irq: Irq, refresh: bool) -> u32 {
        let s = &mut self.spans[i];
        if s.setup.is_none() {
            return 0;
        }
        if refresh {
            s.shared
                .status
                .store(board.span_status(i).bits(), Ordering::Relaxed);
            let c = board.span_counters(i);
            let sh = &s.shared;
            accumulate(&sh.crc_errors, &mut s.prev.crc_errors, c.crc_errors);
            accumulate(
                &sh.code_violations,
                &mut s.prev.code_violations,
                c.code_violations,
            );
            accumulate(&sh.ebit_errors, &mut s.prev.ebit_errors, c.ebit_errors);
            accumulate(&sh.slips, &mut s.prev.slips, c.slips);
            accumulate(&sh.fas_errors, &mut s.prev.fas_errors, c.fas_errors);
            accumulate(&sh.tx_underruns, &mut s.prev.tx_underruns, c.tx_underruns);
            accumulate(&sh.rx_overruns, &mut s.prev.rx_overruns, c.rx_overruns);
            let st = s.hdlc_rx.stats();
            sh.dch_rx_frames.store(st.frames, Ordering::Relaxed);
            sh.dch_fcs_errors.store(st.fcs_errors, Ordering::Relaxed);
            sh.dch_aborts.store(st.aborts, Ordering::Relaxed);
            sh.dch_tx_frames
                .store(s.hdlc_tx.stats().frames, Ordering::Relaxed);
        }
        let head = board.rx_head(i);
        let mut avail = head.wrapping_sub(s.rx_tail);
        if avail as usize > abi::RING_CHUNKS {
            // We fell more than a ring behind: skip to the oldest chunk still intact.
            self.shared.host_overruns.fetch_add(1, Ordering::Relaxed);
            s.rx_tail = head.wrapping_sub(abi::RING_CHUNKS as u32 / 2);
            avail = abi::RING_CHUNKS as u32 / 2;
        }
        if irq.contains(Irq::DMA_ERROR) {
            let tail = board.tx_tail(i);
            if (s.tx_head.wrapping_sub(tail) as i32) < 1 {
                // The board ran dry and sent idle: we were late. Like DAHDI,
                // keep one more millisecond queued from now on (up to
                // MAX_TX_LATENCY) and refill from the board's position.
                s.latency = (s.latency + 1).min(MAX_TX_LATENCY);
                s.shared.tx_latency_ms.store(s.latency, Ordering::Relaxed);
                s.tx_head = tail;
                for _ in 1..s.latency {
                    board.write_tx_chunk(i, s.tx_head, &s.idle_chunk);
                    s.tx_head = s.tx_head.wrapping_add(1);
                }
            }
        }
        avail
    }

    /// Read span `i`'s next receive chunk and run HDLC, BERT and the media
    /// engine's receive side on it.
    #[inline]
    fn receive_chunk(&mut self, board: &Board, i: usize) {
        let (gen, drx) = (self.gen, &self.drx);
        let s = &mut self.spans[i];
        let Some(setup) = s.setup else { return };
        {
            board.read_rx_chunk(i, s.rx_tail, &mut s.rx);
            if let Some(d) = setup.dchannel {
                let mut col = [0u8; FRAMES_PER_CHUNK];
                for (f, b) in col.iter_mut().enumerate() {
                    *b = s.rx[f * TIMESLOTS + d];
                }
                // PRI spans hand frames to the signalling thread; spans with
                // no signalling count them in the HDLC statistics only.
                let mut dropped = 0;
                if setup.signalling {
                    s.hdlc_rx
                        .push(&col, |frame| match DFrame::new(gen, i as u8, frame) {
                            Some(f) if drx.try_send(f).is_ok() => {}
                            _ => dropped += 1,
                        });
                    if !s.hdlc_tx.is_busy() {
                        if let Ok(f) = s.dtx.try_recv() {
                            if s.hdlc_tx.send(f.bytes()).is_err() {
                                dropped += 1;
                            }
                        }
                    }
                } else {
                    s.hdlc_rx.push(&col, |_frame| {});
                }
                if dropped > 0 {
                    s.shared.dch_dropped.fetch_add(dropped, Ordering::Relaxed);
                }
                s.hdlc_tx.fill(&mut col);
                for (f, b) in col.iter().enumerate() {
                    s.tx[f * TIMESLOTS + d] = *b;
                }
            }
            for slot in s.berts.iter_mut() {
                let Some(b) = slot.as_mut() else { continue };
                let mut col = [0u8; FRAMES_PER_CHUNK];
                for (f, x) in col.iter_mut().enumerate() {
                    *x = s.rx[f * TIMESLOTS + b.ts];
                }
                b.check.push(&col);
                b.gen.fill(&mut col);
                for (f, x) in col.iter().enumerate() {
                    s.tx[f * TIMESLOTS + b.ts] = *x;
                }
                b.elapsed += 1;
                let sh = &s.shared.bert[b.ts];
                let st = b.check.stats();
                sh.bits.store(st.bits, Ordering::Relaxed);
                sh.errors.store(st.errors, Ordering::Relaxed);
                sh.resyncs.store(st.resyncs, Ordering::Relaxed);
                sh.in_sync.store(st.in_sync, Ordering::Relaxed);
                sh.elapsed_ms.store(b.elapsed, Ordering::Relaxed);
                if b.elapsed >= b.duration {
                    sh.state.store(BertState::Done as u8, Ordering::Relaxed);
                    let ts = b.ts;
                    *slot = None;
                    for f in 0..FRAMES_PER_CHUNK {
                        s.tx[f * TIMESLOTS + ts] = s.idle;
                    }
                }
            }
        }
        self.engine.rx_chunk(i, &s.rx);
    }

    /// Fill span `i`'s transmit chunk from the media engine and hand it to
    /// the board.
    #[inline]
    fn transmit_chunk(&mut self, board: &Board, i: usize) {
        let s = &mut self.spans[i];
        self.engine.tx_chunk(i, &mut s.tx);
        board.write_tx_chunk(i, s.tx_head, &s.tx);
        s.tx_head = s.tx_head.wrapping_add(1);
        s.rx_tail = s.rx_tail.wrapping_add(1);
    }
}

fn disabled() -> SpanSettings {
    SpanSettings {
        enabled: false,
        t1: false,
        framing: abi::FramingMode::Crc4,
        linecode: abi::LineCoding::Hdb3,
        clock: abi::ClockSource::Line,
        local_loopback: false,
        remote_loopback: false,
        force_rai: false,
        force_ais: false,
    }
}
