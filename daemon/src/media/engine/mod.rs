//! The media engine of one board: the DSP that runs on the board thread.
//!
//! Once per millisecond the board thread hands the engine each span's
//! receive chunk ([`MediaEngine::rx_chunk`]), lets it run
//! ([`MediaEngine::tick`]) and asks it for each span's transmit timeslots
//! ([`MediaEngine::tx_chunk`]). In between it feeds the engine the requests
//! waiting on its channel ([`MediaEngine::command`]).
//!
//! Only channels with something to do cost anything: a channel is *open*
//! (its audio decoded and searched for DTMF) from [`MediaCmd::Open`] until
//! [`MediaCmd::Close`], and it *transmits* while a DTMF send, a prompt, a
//! tone or a conference feeds it. Every buffer is allocated in
//! [`MediaEngine::new`]; the per-tick path allocates nothing, takes no lock
//! and never blocks: reports go out with `try_send` and are counted when the
//! channel is full.

mod conf;
mod types;

pub use conf::{ConfCmd, PartyRef, RoleRef, CONFERENCES, PSEUDO};
pub use types::*;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use trunk_driver_sys::abi::{self, FRAMES_PER_CHUNK, TIMESLOTS};

use crate::media::dtmf::bank::DtmfBank;
use crate::media::dtmf::{DtmfConfig, DtmfEvent, DtmfGenerator};
use crate::media::g711::{self, Law};
use crate::media::prompt::{PlayState, Player};
use crate::media::record::{RecorderTap, StopReason};
use crate::media::tones::{self, CallProgressDetector, CpEvent, ToneGenerator, TonePlanName};

/// Reports the engine holds while the report channel is full.
pub const BACKLOG: usize = 1024;
/// Samples per channel per tick (one 1 ms chunk).
pub const FRAME: usize = FRAMES_PER_CHUNK;
/// Channel slots per board: every timeslot of every span position.
pub const SLOTS: usize = abi::MAX_SPANS * TIMESLOTS;
/// Digits remembered on an open channel with no collection running
/// (type-ahead); older ones are dropped.
pub const TYPE_AHEAD: usize = 16;

/// Counters the engine publishes (read by the API).
#[derive(Debug, Default)]
pub struct MediaStats {
    /// Reports dropped because the report channel was full.
    pub events_dropped: AtomicU64,
    /// Digits detected.
    pub digits: AtomicU64,
    /// Channels open now.
    pub open_channels: AtomicU64,
}

/// What the engine needs to know about a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanMediaSetup {
    /// Global span number (names the span in reports).
    pub number: u32,
    /// T1 (mu-law) rather than E1 (A-law).
    pub t1: bool,
    /// Idle code sent on a timeslot the engine stops feeding.
    pub idle: u8,
    /// The signalling timeslot, never touched.
    pub dchannel: Option<usize>,
    /// Call-progress tones sent and recognised on the span.
    pub tone_plan: TonePlanName,
}

#[derive(Clone, Copy, Debug)]
struct SpanMedia {
    number: u32,
    law: Law,
    idle: u8,
    dchannel: Option<usize>,
    plan: TonePlanName,
    enabled: bool,
}

#[derive(Clone, Copy, Debug)]
struct Collecting {
    id: u32,
    spec: CollectSpec,
    digits: DigitBuf,
    /// Board time (ms) of the start or of the last digit.
    since: u64,
}

#[derive(Clone, Copy, Debug)]
struct Sending {
    id: u32,
    gen: DtmfGenerator,
}

#[derive(Clone, Copy, Debug)]
struct Playing {
    id: u32,
    barge_in: bool,
}

#[derive(Clone, Copy, Debug)]
struct Toning {
    id: u32,
    gen: ToneGenerator,
    /// Board time (ms) to stop at, if limited.
    until: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
struct Recording {
    tap: RecorderTap,
    terminators: DigitSet,
    /// Set once it stopped taking audio; `finish` is retried until the
    /// writer's queue takes the close.
    ending: Option<StopReason>,
}

/// Per-channel state.
#[derive(Debug, Default)]
struct ChanMedia {
    open: bool,
    collect: Option<Collecting>,
    type_ahead: DigitBuf,
    sending: Option<Sending>,
    player: Player,
    playing: Option<Playing>,
    tone: Option<Toning>,
    progress: Option<CallProgressDetector>,
    recording: Option<Recording>,
    /// The engine wrote this channel's transmit timeslot last tick (so it
    /// must write idle once when it stops).
    tx_written: bool,
}

/// The media engine of one board. See the [module docs](self).
pub struct MediaEngine {
    spans: [SpanMedia; abi::MAX_SPANS],
    chans: Vec<ChanMedia>,
    /// DTMF receivers of every channel, run many channels per pass.
    dtmf: DtmfBank,
    /// This tick's DTMF events (capacity reserved: pushing never allocates).
    dtmf_events: Vec<(usize, DtmfEvent)>,
    rx: Vec<[i16; FRAME]>,
    tx: Vec<[i16; FRAME]>,
    /// Whether `tx[i]` holds audio to send this tick.
    tx_live: Vec<bool>,
    confs: conf::Confs,
    /// Reports waiting for room in the report channel.
    backlog: std::collections::VecDeque<MediaEvent>,
    now_ms: u64,
    links: MediaLinks,
    stats: Arc<MediaStats>,
}

impl MediaEngine {
    /// An engine with every buffer allocated; reports go to `events`.
    pub fn new(links: MediaLinks, stats: Arc<MediaStats>) -> MediaEngine {
        MediaEngine {
            spans: [SpanMedia {
                number: 0,
                law: Law::ALaw,
                idle: 0xD5,
                dchannel: None,
                plan: TonePlanName::Etsi,
                enabled: false,
            }; abi::MAX_SPANS],
            chans: (0..SLOTS).map(|_| ChanMedia::default()).collect(),
            dtmf: {
                let mut b = DtmfBank::new(SLOTS, DtmfConfig::default());
                for i in 0..SLOTS {
                    b.set_enabled(i, false);
                }
                b
            },
            dtmf_events: Vec::with_capacity(2 * SLOTS),
            rx: vec![[0; FRAME]; SLOTS + PSEUDO],
            tx: vec![[0; FRAME]; SLOTS + PSEUDO],
            tx_live: vec![false; SLOTS + PSEUDO],
            confs: conf::Confs::default(),
            backlog: std::collections::VecDeque::with_capacity(BACKLOG),
            now_ms: 0,
            links,
            stats,
        }
    }

    /// (Re)configure span position `pos`: its global number, law, idle code
    /// and signalling timeslot; `None` disables it. Every channel of the
    /// span is closed (reports are sent for what was running).
    pub fn configure_span(&mut self, pos: usize, setup: Option<SpanMediaSetup>) {
        if pos >= abi::MAX_SPANS {
            return;
        }
        for ts in 0..TIMESLOTS {
            self.close(pos * TIMESLOTS + ts);
        }
        self.spans[pos] = match setup {
            Some(x) => SpanMedia {
                number: x.number,
                law: if x.t1 { Law::MuLaw } else { Law::ALaw },
                idle: x.idle,
                dchannel: x.dchannel,
                plan: x.tone_plan,
                enabled: true,
            },
            None => SpanMedia {
                enabled: false,
                ..self.spans[pos]
            },
        };
    }

    /// Board time in ms as the engine counts it (ticks since start).
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    fn slot(&self, ch: Chan) -> Option<usize> {
        let (pos, ts) = (ch.pos as usize, ch.ts as usize);
        let s = self.spans.get(pos)?;
        if !s.enabled || ts == 0 || ts >= TIMESLOTS || s.dchannel == Some(ts) {
            return None;
        }
        Some(pos * TIMESLOTS + ts)
    }

    fn ident(&self, slot: usize) -> (u32, u8) {
        (
            self.spans[slot / TIMESLOTS].number,
            (slot % TIMESLOTS) as u8,
        )
    }

    /// Send a report; while the service thread's queue is full, reports
    /// wait (in order) in a preallocated backlog, flushed every tick. Only
    /// when that is full too is a report dropped and counted.
    fn report(&mut self, e: MediaEvent) {
        let e = if self.backlog.is_empty() {
            match self.links.events.try_send(e) {
                Ok(()) => return,
                Err(err) => err.into_inner(),
            }
        } else {
            e
        };
        if self.backlog.len() < self.backlog.capacity() {
            self.backlog.push_back(e);
        } else {
            // A playlist in a lost report is freed here: only when 8192
            // queued and BACKLOG more reports are waiting.
            drop(e);
            self.stats.events_dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn flush_backlog(&mut self) {
        while let Some(e) = self.backlog.pop_front() {
            if let Err(err) = self.links.events.try_send(e) {
                self.backlog.push_front(err.into_inner());
                break;
            }
        }
    }

    /// Apply one request. Requests for a channel the engine does not carry
    /// (disabled span, signalling timeslot) are ignored; the API checks them
    /// before sending.
    pub fn command(&mut self, cmd: MediaCmd) {
        match cmd {
            MediaCmd::Open(ch) => {
                if let Some(i) = self.slot(ch) {
                    self.open(i);
                }
            }
            MediaCmd::Close(ch) => {
                if let Some(i) = self.slot(ch) {
                    self.close(i);
                }
            }
            MediaCmd::Collect { ch, id, spec } => {
                let Some(i) = self.slot(ch) else { return };
                self.open(i);
                self.end_collect(i, CollectEnd::Stopped);
                let ahead = std::mem::take(&mut self.chans[i].type_ahead);
                self.chans[i].collect = Some(Collecting {
                    id,
                    spec,
                    digits: DigitBuf::default(),
                    since: self.now_ms,
                });
                if spec.keep_buffer {
                    for d in ahead.as_str().chars() {
                        if self.chans[i].collect.is_none() {
                            break;
                        }
                        self.collect_digit(i, d);
                    }
                }
            }
            MediaCmd::StopCollect(ch) => {
                if let Some(i) = self.slot(ch) {
                    self.end_collect(i, CollectEnd::Stopped);
                }
            }
            MediaCmd::Play {
                ch,
                id,
                playlist,
                repeat,
                barge_in,
            } => {
                let Some(i) = self.slot(ch) else {
                    let (span, ts) = (0, ch.ts);
                    self.report(MediaEvent::PlayDone {
                        span,
                        ts,
                        id,
                        reason: PlayEnd::Stopped,
                        played_ms: 0,
                        playlist: Some(playlist),
                    });
                    return;
                };
                self.end_play(i, PlayEnd::Stopped);
                if barge_in {
                    // Barge-in needs the receive side.
                    self.open(i);
                }
                let old = self.chans[i].player.start(playlist, repeat);
                debug_assert!(old.is_none());
                self.chans[i].playing = Some(Playing { id, barge_in });
            }
            MediaCmd::Conf(c) => {
                if let ConfCmd::Join {
                    party: PartyRef::Chan(ch),
                    ..
                } = c
                {
                    // Members' audio must be decoded.
                    match self.slot(ch) {
                        Some(i) => self.open(i),
                        None => return,
                    }
                }
                match self.confs.apply(c) {
                    Ok(Some(leg)) => self.report(MediaEvent::LegReleased(leg)),
                    Ok(None) => {}
                    Err(error) => self.report(MediaEvent::ConfFailed { error }),
                }
            }
            MediaCmd::Tone {
                ch,
                id,
                kind,
                max_ms,
            } => {
                let Some(i) = self.slot(ch) else { return };
                self.end_tone(i, true);
                let mut gen = ToneGenerator::new();
                gen.start(tones::plan(self.spans[ch.pos as usize].plan).tone(kind));
                self.chans[i].tone = Some(Toning {
                    id,
                    gen,
                    until: (max_ms > 0).then(|| self.now_ms + max_ms as u64),
                });
            }
            MediaCmd::StopTone(ch) => {
                if let Some(i) = self.slot(ch) {
                    self.end_tone(i, true);
                }
            }
            MediaCmd::DetectProgress { ch, on } => {
                let Some(i) = self.slot(ch) else { return };
                if on {
                    self.open(i);
                    let plan = self.spans[ch.pos as usize].plan;
                    self.chans[i].progress = Some(CallProgressDetector::new(plan));
                } else {
                    self.chans[i].progress = None;
                }
            }
            MediaCmd::StopPlay(ch) => {
                if let Some(i) = self.slot(ch) {
                    self.end_play(i, PlayEnd::Stopped);
                }
            }
            MediaCmd::Record {
                ch,
                tap,
                terminators,
            } => {
                let Some(i) = self.slot(ch) else {
                    let mut tap = tap;
                    let _ = tap.finish(StopReason::Error, &self.links.recorder);
                    return;
                };
                self.stop_record(i, StopReason::Stopped);
                self.finish_record(i);
                self.open(i);
                self.chans[i].recording = Some(Recording {
                    tap,
                    terminators,
                    ending: None,
                });
            }
            MediaCmd::StopRecord(ch) => {
                if let Some(i) = self.slot(ch) {
                    self.stop_record(i, StopReason::Stopped);
                }
            }
            MediaCmd::SendDtmf {
                ch,
                id,
                digits,
                cfg,
            } => {
                let Some(i) = self.slot(ch) else { return };
                self.end_send(i, true);
                let mut gen = DtmfGenerator::new(cfg);
                // The API checked the digits; a failure here sends nothing.
                let _ = gen.push_digits(digits.as_str());
                self.chans[i].sending = Some(Sending { id, gen });
            }
        }
    }

    fn open(&mut self, i: usize) {
        if !self.chans[i].open {
            self.chans[i].open = true;
            self.dtmf.set_enabled(i, true);
            self.stats.open_channels.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn close(&mut self, i: usize) {
        self.end_collect(i, CollectEnd::Stopped);
        self.end_send(i, true);
        self.end_play(i, PlayEnd::Stopped);
        self.end_tone(i, true);
        self.chans[i].progress = None;
        self.stop_record(i, StopReason::Hangup);
        self.finish_record(i);
        let _ = self.confs.leave(i);
        let c = &mut self.chans[i];
        if c.open {
            c.open = false;
            self.dtmf.set_enabled(i, false);
            self.stats.open_channels.fetch_sub(1, Ordering::Relaxed);
        }
        c.type_ahead = DigitBuf::default();
    }

    fn end_collect(&mut self, i: usize, reason: CollectEnd) {
        if let Some(c) = self.chans[i].collect.take() {
            let (span, ts) = self.ident(i);
            self.report(MediaEvent::CollectDone {
                span,
                ts,
                id: c.id,
                digits: c.digits,
                reason,
            });
        }
    }

    fn end_tone(&mut self, i: usize, stopped: bool) {
        if let Some(t) = self.chans[i].tone.take() {
            let (span, ts) = self.ident(i);
            self.report(MediaEvent::ToneDone {
                span,
                ts,
                id: t.id,
                stopped,
            });
        }
    }

    fn end_play(&mut self, i: usize, reason: PlayEnd) {
        if let Some(p) = self.chans[i].playing.take() {
            let c = &mut self.chans[i];
            let played_ms = c.player.played_ms();
            let playlist = match c.player.stop() {
                Some(l) => Some(l),
                None => c.player.take_playlist(),
            };
            let (span, ts) = self.ident(i);
            self.report(MediaEvent::PlayDone {
                span,
                ts,
                id: p.id,
                reason,
                played_ms,
                playlist,
            });
        }
    }

    /// Mark channel `i`'s recording as ended (it takes no more audio).
    fn stop_record(&mut self, i: usize, reason: StopReason) {
        if let Some(r) = self.chans[i].recording.as_mut() {
            r.ending.get_or_insert(reason);
        }
    }

    /// Hand an ended recording's close to the writer (retried each tick
    /// while the writer's queue is full) and report it.
    fn finish_record(&mut self, i: usize) {
        let Some(mut r) = self.chans[i].recording else {
            return;
        };
        let Some(reason) = r.ending else { return };
        if !r.tap.finish(reason, &self.links.recorder) {
            self.chans[i].recording = Some(r);
            return;
        }
        self.chans[i].recording = None;
        let (span, ts) = self.ident(i);
        self.report(MediaEvent::RecordStopped {
            span,
            ts,
            id: r.tap.id(),
            reason,
            duration_ms: r.tap.elapsed_ms(),
            dropped_blocks: r.tap.dropped_blocks(),
        });
    }

    fn end_send(&mut self, i: usize, stopped: bool) {
        if let Some(s) = self.chans[i].sending.take() {
            let (span, ts) = self.ident(i);
            self.report(MediaEvent::DtmfSent {
                span,
                ts,
                id: s.id,
                stopped,
            });
        }
    }

    /// A digit for channel `i`'s collection (or its type-ahead buffer).
    fn collect_digit(&mut self, i: usize, d: char) {
        let now = self.now_ms;
        let ch = &mut self.chans[i];
        let Some(c) = ch.collect.as_mut() else {
            if ch.type_ahead.len() >= TYPE_AHEAD {
                let keep = DigitBuf::parse(&ch.type_ahead.as_str()[1..]).unwrap_or_default();
                ch.type_ahead = keep;
            }
            ch.type_ahead.push(d);
            return;
        };
        if c.spec.terminators.contains(d) {
            self.end_collect(i, CollectEnd::Terminator(d));
            return;
        }
        c.digits.push(d);
        c.since = now;
        if c.digits.len() >= c.spec.max_digits as usize {
            self.end_collect(i, CollectEnd::MaxDigits);
        }
    }

    /// Decode span `pos`'s receive chunk for its open channels.
    pub fn rx_chunk(&mut self, pos: usize, chunk: &[u8; abi::CHUNK_BYTES]) {
        let Some(s) = self.spans.get(pos).copied() else {
            return;
        };
        if !s.enabled {
            return;
        }
        for ts in 1..TIMESLOTS {
            let i = pos * TIMESLOTS + ts;
            if !self.chans[i].open {
                continue;
            }
            let out = &mut self.rx[i];
            // One loop per law, so the table lookup is inlined.
            match s.law {
                Law::ALaw => {
                    for (f, x) in out.iter_mut().enumerate() {
                        *x = g711::alaw_to_linear(chunk[f * TIMESLOTS + ts]);
                    }
                }
                Law::MuLaw => {
                    for (f, x) in out.iter_mut().enumerate() {
                        *x = g711::ulaw_to_linear(chunk[f * TIMESLOTS + ts]);
                    }
                }
            }
        }
    }

    /// Run one millisecond of DSP on every busy channel.
    pub fn tick(&mut self) {
        self.now_ms += 1;
        if !self.backlog.is_empty() {
            self.flush_backlog();
        }
        self.tx_live.fill(false);
        self.confs
            .mix(&mut self.rx, &mut self.tx, &mut self.tx_live);
        self.detect();
        for i in 0..SLOTS {
            if self.chans[i].collect.is_some() {
                self.collect_timers(i);
            }
            if self.chans[i].progress.is_some() {
                self.progress(i);
            }
            let mut live = self.tx_live[i];
            // Sources by precedence: DTMF being sent, then the prompt, then
            // the conference (already mixed into `tx`).
            if let Some(snd) = self.chans[i].sending.as_mut() {
                snd.gen.generate(&mut self.tx[i]);
                live = true;
                if snd.gen.is_idle() {
                    self.end_send(i, false);
                }
            } else if let Some(t) = self.chans[i].tone.as_mut() {
                live = true;
                t.gen.generate(&mut self.tx[i]);
                if !t.gen.is_active() || t.until.is_some_and(|u| self.now_ms >= u) {
                    self.end_tone(i, false);
                }
            } else if self.chans[i].playing.is_some() {
                live = true;
                if self.chans[i].player.fill(&mut self.tx[i]) == PlayState::Finished {
                    self.end_play(i, PlayEnd::Finished);
                }
            }
            self.tx_live[i] = live;
            if self.chans[i].recording.is_some() {
                self.record(i);
            }
        }
    }

    fn record(&mut self, i: usize) {
        let Some(mut r) = self.chans[i].recording else {
            return;
        };
        if r.ending.is_none() {
            const SILENCE: [i16; FRAME] = [0; FRAME];
            let tx = if self.tx_live[i] {
                &self.tx[i]
            } else {
                &SILENCE
            };
            if let Some(why) = r.tap.push(&self.rx[i], tx, &self.links.recorder) {
                r.ending = Some(why);
            }
            self.chans[i].recording = Some(r);
        }
        if r.ending.is_some() {
            self.finish_record(i);
        }
    }

    fn detect(&mut self) {
        let mut events = std::mem::take(&mut self.dtmf_events);
        events.clear();
        self.dtmf.process(&self.rx[..SLOTS], |i, e| {
            // Two events per channel per tick at most; the capacity is
            // reserved for that, so this never allocates.
            if events.len() < events.capacity() {
                events.push((i, e));
            }
        });
        for &(i, e) in &events {
            self.dtmf_event(i, e);
        }
        self.dtmf_events = events;
    }

    fn dtmf_event(&mut self, i: usize, e: DtmfEvent) {
        let (span, ts) = self.ident(i);
        match e {
            DtmfEvent::DigitStart { digit, .. } => {
                self.stats.digits.fetch_add(1, Ordering::Relaxed);
                self.report(MediaEvent::Digit { span, ts, digit });
                if self.chans[i].playing.is_some_and(|p| p.barge_in) {
                    self.end_play(i, PlayEnd::BargeIn(digit));
                }
                if let Some(r) = self.chans[i].recording.as_mut() {
                    if r.terminators.contains(digit) && r.ending.is_none() {
                        r.ending = Some(StopReason::Digit(digit));
                    }
                }
                self.collect_digit(i, digit);
            }
            DtmfEvent::DigitEnd { digit, duration_ms } => {
                self.report(MediaEvent::DigitEnd {
                    span,
                    ts,
                    digit,
                    duration_ms,
                });
            }
        }
    }

    fn progress(&mut self, i: usize) {
        let Some(det) = self.chans[i].progress.as_mut() else {
            return;
        };
        let mut found = None;
        det.process(&self.rx[i], |e| {
            if let CpEvent::Detected { tone, .. } = e {
                found = Some(tone);
            }
        });
        if let Some(tone) = found {
            let (span, ts) = self.ident(i);
            self.report(MediaEvent::ToneDetected { span, ts, tone });
        }
    }

    fn collect_timers(&mut self, i: usize) {
        let Some(c) = self.chans[i].collect.as_ref() else {
            return;
        };
        let waited = self.now_ms.saturating_sub(c.since);
        if c.digits.is_empty() {
            if c.spec.first_timeout_ms > 0 && waited >= c.spec.first_timeout_ms as u64 {
                self.end_collect(i, CollectEnd::NoInput);
            }
        } else if c.spec.inter_digit_timeout_ms > 0
            && waited >= c.spec.inter_digit_timeout_ms as u64
        {
            self.end_collect(i, CollectEnd::InterDigitTimeout);
        }
    }

    /// Write the transmit timeslots the engine feeds into span `pos`'s
    /// transmit chunk; a channel that stopped transmitting gets idle once.
    pub fn tx_chunk(&mut self, pos: usize, chunk: &mut [u8; abi::CHUNK_BYTES]) {
        let Some(s) = self.spans.get(pos).copied() else {
            return;
        };
        if !s.enabled {
            return;
        }
        for ts in 1..TIMESLOTS {
            let i = pos * TIMESLOTS + ts;
            if self.tx_live[i] {
                match s.law {
                    Law::ALaw => {
                        for (f, &x) in self.tx[i].iter().enumerate() {
                            chunk[f * TIMESLOTS + ts] = g711::linear_to_alaw(x);
                        }
                    }
                    Law::MuLaw => {
                        for (f, &x) in self.tx[i].iter().enumerate() {
                            chunk[f * TIMESLOTS + ts] = g711::linear_to_ulaw(x);
                        }
                    }
                }
                self.chans[i].tx_written = true;
            } else if self.chans[i].tx_written {
                for f in 0..FRAME {
                    chunk[f * TIMESLOTS + ts] = s.idle;
                }
                self.chans[i].tx_written = false;
            }
        }
    }
}

#[cfg(test)]
mod tests;
