//! The `external` far end: an outside program is the far end of each span,
//! through `SOCK_SEQPACKET` sockets in the simulator directory.
//!
//! * `DIR/spanK/dchan`: the signalling timeslot (TS16 on E1, TS24 on T1).
//!   One datagram is one HDLC frame, without flags and without FCS, in both
//!   directions. The simulator runs HDLC (flags, bit stuffing, FCS-16) on the
//!   line side, so frames with a bad FCS never reach the program.
//! * `DIR/spanK/tsT`: every other traffic timeslot. Datagrams carry raw line
//!   octets (G.711 as on the wire) in line order; the simulator sends one
//!   datagram of 8 octets per millisecond while a program is connected, and
//!   plays the octets it receives (buffered up to one second), idle when empty.
//!
//! One program per socket at a time; a later connection is refused (closed)
//! while one is active.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde_json::json;
use trunk_driver_sys::abi;
use trunk_driver_sys::hdlc::{HdlcRx, HdlcTx, IdleFill, MAX_FRAME};
use trunk_driver_sys::seqpacket::SeqpacketListener;

use super::{io_err, SimError};
use crate::line::LineKind;

/// Frames queued towards the line before new ones are dropped.
const DCHAN_QUEUE: usize = 128;
/// Octets buffered per B-channel towards the line (1 s).
const TS_BUFFER: usize = 8000;

struct TsPort {
    ts: usize,
    listener: SeqpacketListener,
    conn: Option<File>,
    inbuf: VecDeque<u8>,
    dropped: u64,
}

struct ExtSpan {
    dchan_listener: SeqpacketListener,
    dchan: Option<File>,
    rx: HdlcRx,
    tx: HdlcTx,
    queue: VecDeque<Vec<u8>>,
    frames_to_far: u64,
    frames_from_far: u64,
    dropped: u64,
    ports: Vec<TsPort>,
}

pub(crate) struct External {
    spans: Vec<ExtSpan>,
    dch: usize,
    idle: u8,
    ticks: u32,
}

fn accept_one(listener: &SeqpacketListener, slot: &mut Option<File>) {
    while let Some(f) = listener.accept() {
        if slot.is_none() {
            *slot = Some(f);
        } else {
            log::warn!("external far end: refusing a second connection");
            drop(f);
        }
    }
}

impl External {
    pub(crate) fn bind(
        dir: &Path,
        spans: usize,
        line: LineKind,
        _stop: Arc<AtomicBool>,
    ) -> Result<External, SimError> {
        let t1 = line == LineKind::T1;
        let dch = abi::dchannel_timeslot(t1);
        let mut out = Vec::with_capacity(spans);
        for k in 1..=spans {
            let sdir = dir.join(format!("span{k}"));
            std::fs::create_dir_all(&sdir)
                .map_err(io_err(format!("creating {}", sdir.display())))?;
            let bind = |name: String| {
                let p = sdir.join(name);
                SeqpacketListener::bind(&p).map_err(io_err(format!("binding {}", p.display())))
            };
            let mut ports = Vec::new();
            for ts in abi::traffic_timeslots(t1).filter(|&t| t != dch) {
                ports.push(TsPort {
                    ts,
                    listener: bind(format!("ts{ts}"))?,
                    conn: None,
                    inbuf: VecDeque::with_capacity(TS_BUFFER),
                    dropped: 0,
                });
            }
            out.push(ExtSpan {
                dchan_listener: bind("dchan".into())?,
                dchan: None,
                rx: HdlcRx::new(),
                tx: HdlcTx::new(IdleFill::Flags),
                queue: VecDeque::new(),
                frames_to_far: 0,
                frames_from_far: 0,
                dropped: 0,
                ports,
            });
        }
        Ok(External {
            spans: out,
            dch,
            idle: abi::default_idle(t1),
            ticks: 0,
        })
    }

    /// Accept newly connected programs (checked every 8 calls; a program
    /// waits at most a few milliseconds to be picked up).
    pub(crate) fn accept_pending(&mut self) {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks % 8 != 0 {
            return;
        }
        for s in &mut self.spans {
            accept_one(&s.dchan_listener, &mut s.dchan);
            for p in &mut s.ports {
                accept_one(&p.listener, &mut p.conn);
            }
        }
    }

    /// Fill the far end's transmit payload for one tick of span `i`.
    pub(crate) fn produce(&mut self, i: usize, far_tx: &mut [[u8; 32]; abi::FRAMES_PER_CHUNK]) {
        let (dch, idle) = (self.dch, self.idle);
        let Some(s) = self.spans.get_mut(i) else {
            return;
        };
        // Frames from the program.
        if let Some(conn) = s.dchan.as_mut() {
            let mut buf = [0u8; MAX_FRAME + 8];
            for _ in 0..32 {
                match conn.read(&mut buf) {
                    Ok(0) => {
                        log::info!("span {}: external D-channel program disconnected", i + 1);
                        s.dchan = None;
                        break;
                    }
                    Ok(n) if n <= MAX_FRAME => {
                        if s.queue.len() < DCHAN_QUEUE {
                            s.queue.push_back(buf[..n].to_vec());
                        } else {
                            s.dropped += 1;
                        }
                    }
                    Ok(_) => s.dropped += 1,
                    Err(_) => break,
                }
            }
        }
        for frame in far_tx.iter_mut() {
            frame.fill(idle);
            if !s.tx.is_busy() {
                if let Some(f) = s.queue.pop_front() {
                    if s.tx.send(&f).is_ok() {
                        s.frames_from_far += 1;
                    } else {
                        s.dropped += 1;
                    }
                }
            }
            s.tx.fill(&mut frame[dch..dch + 1]);
        }
        for p in &mut s.ports {
            if let Some(conn) = p.conn.as_mut() {
                let mut buf = [0u8; 2048];
                for _ in 0..16 {
                    match conn.read(&mut buf) {
                        Ok(0) => {
                            p.conn = None;
                            break;
                        }
                        Ok(n) => {
                            for &b in &buf[..n] {
                                if p.inbuf.len() < TS_BUFFER {
                                    p.inbuf.push_back(b);
                                } else {
                                    p.dropped += 1;
                                }
                            }
                        }
                        Err(_) => break,
                    }
                }
            }
            for frame in far_tx.iter_mut() {
                frame[p.ts] = p.inbuf.pop_front().unwrap_or(idle);
            }
        }
    }

    /// Hand what the far end received in one tick of span `i` to the programs.
    pub(crate) fn consume(&mut self, i: usize, far_rx: &[[u8; 32]; abi::FRAMES_PER_CHUNK]) {
        let dch = self.dch;
        let Some(s) = self.spans.get_mut(i) else {
            return;
        };
        let mut bytes = [0u8; abi::FRAMES_PER_CHUNK];
        for (b, f) in bytes.iter_mut().zip(far_rx) {
            *b = f[dch];
        }
        let ExtSpan {
            rx,
            dchan,
            frames_to_far,
            dropped,
            ..
        } = s;
        rx.push(&bytes, |frame| {
            *frames_to_far += 1;
            let sent = match dchan.as_mut() {
                Some(c) => c.write(frame).is_ok(),
                None => false,
            };
            if !sent {
                *dropped += 1;
            }
        });
        for p in &mut s.ports {
            let Some(conn) = p.conn.as_mut() else {
                continue;
            };
            let mut out = [0u8; abi::FRAMES_PER_CHUNK];
            for (b, f) in out.iter_mut().zip(far_rx) {
                *b = f[p.ts];
            }
            if conn.write(&out).is_err() {
                p.dropped += out.len() as u64;
            }
        }
    }

    pub(crate) fn span_json(&self, i: usize) -> serde_json::Value {
        let Some(s) = self.spans.get(i) else {
            return serde_json::Value::Null;
        };
        let st = s.rx.stats();
        json!({
            "dchan_connected": s.dchan.is_some(),
            "dchan_timeslot": self.dch,
            "frames_to_far": s.frames_to_far,
            "frames_from_far": s.frames_from_far,
            "frames_dropped": s.dropped,
            "far_fcs_errors": st.fcs_errors,
            "timeslots_connected": s.ports.iter().filter(|p| p.conn.is_some()).map(|p| p.ts).collect::<Vec<_>>(),
        })
    }
}
