//! Owns the board threads; applies a configuration at start and on reload.
//!
//! A reload compares the new configuration with the one in force, board by
//! board and span by span: a board whose device changed is restarted, a new
//! board is started, a removed board is stopped, and a span is reconfigured
//! only when its own settings changed. Spans whose configuration did not
//! change are not touched: no register write, no HDLC reset, no BERT stop.

use std::collections::BTreeMap;
use std::sync::Arc;

use trunk_driver_sys::abi::MAX_SPANS;

use crate::config::Config;
use crate::registry::{BoardView, Registry};
use crate::rt::{BoardCmd, BoardHandle, SpanSetup};

/// What a reload changed, for the log and the API.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReloadSummary {
    /// Boards started.
    pub boards_started: Vec<String>,
    /// Boards stopped.
    pub boards_stopped: Vec<String>,
    /// Boards restarted (device changed).
    pub boards_restarted: Vec<String>,
    /// Spans reconfigured (global numbers).
    pub spans_changed: Vec<u32>,
    /// Spans untouched.
    pub spans_unchanged: usize,
}

/// The set of running boards.
pub struct Supervisor {
    registry: Arc<Registry>,
    boards: BTreeMap<String, BoardHandle>,
}

fn setups(cfg: &Config, board: &str) -> [Option<SpanSetup>; MAX_SPANS] {
    let mut out = [None; MAX_SPANS];
    for s in cfg.spans_of(board) {
        out[s.board_span - 1] = Some(SpanSetup {
            settings: s.settings,
            dchannel: s.dchannel_timeslot(),
            signalling: s.signalling.is_pri(),
            number: s.span,
            tone_plan: s.tone_plan,
        });
    }
    out
}

impl Supervisor {
    /// Start every board of `registry`'s configuration.
    pub fn start(registry: Arc<Registry>) -> Supervisor {
        let cfg = registry.config();
        let mut sup = Supervisor {
            registry,
            boards: BTreeMap::new(),
        };
        for b in cfg.boards.values() {
            let h = BoardHandle::spawn(
                &b.name,
                b.device.clone(),
                b.interrupt_interval_ms,
                setups(&cfg, &b.name),
                sup.registry.drx.clone(),
                sup.registry.media_links(),
            );
            sup.boards.insert(b.name.clone(), h);
        }
        sup.publish();
        sup
    }

    fn publish(&self) {
        let views: Vec<BoardView> = self
            .boards
            .values()
            .map(|h| BoardView {
                name: h.name.clone(),
                device: h.device.clone(),
                shared: h.shared.clone(),
                spans: h.spans.clone(),
                cmd: h.cmd.clone(),
                dtx: h.dtx.clone(),
                gen: h.gen,
                media: h.media.clone(),
                media_stats: h.media_stats.clone(),
            })
            .collect();
        match self.registry.boards.write() {
            Ok(mut b) => *b = views,
            Err(p) => *p.into_inner() = views,
        }
    }

    /// Apply a new, already validated configuration.
    pub fn reload(&mut self, new: Config) -> ReloadSummary {
        let old = self.registry.config();
        let mut sum = ReloadSummary::default();
        // Boards gone or moved to another device.
        let names: Vec<String> = self.boards.keys().cloned().collect();
        for name in names {
            match new.boards.get(&name) {
                None => {
                    if let Some(h) = self.boards.remove(&name) {
                        h.stop();
                    }
                    sum.boards_stopped.push(name);
                }
                // A new device or interrupt interval: restart the board.
                Some(b) if old.boards.get(&name) != Some(b) => {
                    if let Some(h) = self.boards.remove(&name) {
                        h.stop();
                    }
                    let h = BoardHandle::spawn(
                        &name,
                        b.device.clone(),
                        b.interrupt_interval_ms,
                        setups(&new, &name),
                        self.registry.drx.clone(),
                        self.registry.media_links(),
                    );
                    self.boards.insert(name.clone(), h);
                    sum.boards_restarted.push(name);
                }
                Some(_) => {}
            }
        }
        for b in new.boards.values() {
            if !self.boards.contains_key(&b.name) {
                let h = BoardHandle::spawn(
                    &b.name,
                    b.device.clone(),
                    b.interrupt_interval_ms,
                    setups(&new, &b.name),
                    self.registry.drx.clone(),
                    self.registry.media_links(),
                );
                self.boards.insert(b.name.clone(), h);
                sum.boards_started.push(b.name.clone());
            }
        }
        // Spans on boards that kept running.
        for (name, h) in &self.boards {
            if sum.boards_started.contains(name) || sum.boards_restarted.contains(name) {
                continue;
            }
            let before = setups(&old, name);
            let after = setups(&new, name);
            for pos in 0..MAX_SPANS {
                if before[pos] != after[pos] {
                    if h.cmd
                        .send(BoardCmd::Configure {
                            span: pos,
                            setup: after[pos],
                        })
                        .is_err()
                    {
                        log::error!(
                            "board {name}: thread gone; span {} not reconfigured",
                            pos + 1
                        );
                    }
                    let global = new
                        .spans_of(name)
                        .chain(old.spans_of(name))
                        .find(|s| s.board_span == pos + 1)
                        .map_or(0, |s| s.span);
                    sum.spans_changed.push(global);
                } else if after[pos].is_some() {
                    sum.spans_unchanged += 1;
                }
            }
        }
        match self.registry.config.write() {
            Ok(mut c) => *c = Arc::new(new),
            Err(p) => *p.into_inner() = Arc::new(new),
        }
        self.publish();
        sum
    }

    /// Stop every board.
    pub fn shutdown(mut self) {
        for (_, h) in std::mem::take(&mut self.boards) {
            h.stop();
        }
    }
}
