//! Segmenter and cadence rules of the call-progress detector (see the
//! parent module for the method).

use super::{CpTone, Tracker, BLOCK};

/// Samples per ms.
pub(super) const PER_MS: u32 = 8;
/// Flushed segments remembered.
pub(super) const HIST: usize = 4;

/// How a block or segment sounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Silence,
    Other,
    /// Index into the detector's frequency sets.
    Tone(u8),
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Seg {
    class: Class,
    /// Length in samples.
    len: u32,
    /// Steady-pair frequency checks passed.
    passes: u16,
    /// Steady-pair frequency checks failed.
    fails: u16,
}

impl Seg {
    pub(super) const NONE: Seg = Seg {
        class: Class::Other,
        len: 0,
        passes: 0,
        fails: 0,
    };

    pub(super) fn new(class: Class, len: u32) -> Self {
        Seg {
            class,
            len,
            ..Seg::NONE
        }
    }

    fn ms(&self) -> u32 {
        self.len / PER_MS
    }

    /// A verified tone segment of frequency set `set`: its frequency
    /// checks passed, with at most one failure per four passes (a phase
    /// jump, e.g. an ANSam reversal, spoils one check).
    fn is_tone(&self, set: u8) -> bool {
        self.class == Class::Tone(set)
            && self.passes > 0
            && u32::from(self.passes) >= 4 * u32::from(self.fails)
    }

    /// A verified tone segment of any frequency set in `sets` (bit mask).
    fn is_tone_in(&self, sets: u32) -> bool {
        match self.class {
            Class::Tone(s) => {
                sets & 1u32.checked_shl(u32::from(s)).unwrap_or(0) != 0 && self.is_tone(s)
            }
            _ => false,
        }
    }

    fn is_silence(&self) -> bool {
        self.class == Class::Silence
    }
}

/// Accepted duration window in ms.
#[derive(Clone, Copy, Debug)]
pub(super) struct Range {
    pub(super) lo: u32,
    pub(super) hi: u32,
}

impl Range {
    /// Nominal ±15 % ± 25 ms (one block of measurement slack).
    pub(super) fn around(nominal_ms: u32) -> Self {
        Range {
            lo: (nominal_ms * 85 / 100).saturating_sub(25),
            hi: nominal_ms * 115 / 100 + 25,
        }
    }

    fn has(&self, ms: u32) -> bool {
        (self.lo..=self.hi).contains(&ms)
    }
}

/// One on/off cadence to recognise.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cadence {
    pub(super) set: u8,
    pub(super) on: Range,
    pub(super) off: Range,
}

impl Tracker {
    pub(super) fn flush(&mut self, next: Seg) {
        self.hist.copy_within(1.., 0);
        self.hist[HIST - 1] = self.cur;
        self.cur = next;
        self.fired = false;
    }

    fn grow(&mut self, len: u32, check: Option<bool>) {
        self.cur.len = self.cur.len.saturating_add(len);
        self.apply(check);
    }

    fn apply(&mut self, check: Option<bool>) {
        match check {
            Some(true) => self.cur.passes = self.cur.passes.saturating_add(1),
            Some(false) => self.cur.fails = self.cur.fails.saturating_add(1),
            None => {}
        }
    }

    /// Segmenter: extends the current segment or starts a new one.
    pub(super) fn feed(&mut self, c: Class, check: Option<bool>) {
        let n = BLOCK as u32;
        if self.pending {
            self.pending = false;
            if c == Class::Other {
                // Two "other" blocks: a real other segment.
                self.flush(Seg::new(Class::Other, 2 * n));
            } else if c == self.cur.class {
                // A one-block glitch inside a segment.
                self.grow(2 * n, check);
            } else {
                // The edge block between two segments.
                self.cur.len += n / 2;
                self.flush(Seg::new(c, n / 2 + n));
                self.apply(check);
            }
        } else if c == Class::Other && self.cur.class != Class::Other {
            self.pending = true;
        } else if c == self.cur.class {
            self.grow(n, check);
        } else {
            self.flush(Seg::new(c, n));
            self.apply(check);
        }
    }

    /// The `k`-th newest flushed segment (1 = newest).
    fn last(&self, k: usize) -> &Seg {
        &self.hist[HIST - k]
    }

    /// Two full cycles of `c`, the second off-time still running.
    fn two_cycles(&self, c: &Cadence) -> bool {
        let cur = &self.cur;
        cur.is_silence()
            && cur.ms() >= c.off.lo
            && self.last(1).is_tone(c.set)
            && c.on.has(self.last(1).ms())
            && self.last(2).is_silence()
            && c.off.has(self.last(2).ms())
            && self.last(3).is_tone(c.set)
            && c.on.has(self.last(3).ms())
    }

    /// The first rule that matches now, if any.
    pub(super) fn rules(&self) -> Option<CpTone> {
        let cur = &self.cur;
        if cur.is_tone(self.dial) && cur.ms() >= self.dial_min_ms {
            return Some(CpTone::Dial);
        }
        if cur.is_tone(self.ced) && cur.ms() >= 500 {
            return Some(CpTone::FaxCed);
        }
        let sit_ok = (0..3).all(|i| {
            let s = self.last(3 - i);
            s.is_tone_in(self.sit[i]) && (200..=450).contains(&s.ms())
        });
        if sit_ok {
            return Some(CpTone::Sit);
        }
        if cur.is_silence()
            && cur.ms() >= 400
            && self.last(1).is_tone(self.cng)
            && Range::around(500).has(self.last(1).ms())
        {
            return Some(CpTone::FaxCng);
        }
        let r = &self.ring;
        if cur.is_silence()
            && cur.ms() >= r.off.lo.min(3000)
            && self.last(1).is_tone(r.set)
            && r.on.has(self.last(1).ms())
        {
            return Some(CpTone::Ringback);
        }
        if self.two_cycles(&self.busy) {
            return Some(CpTone::Busy);
        }
        if self.two_cycles(&self.cong) {
            return Some(CpTone::Congestion);
        }
        None
    }

    /// Whether the current segment no longer fits the active tone `a`.
    pub(super) fn breaks(&self, a: CpTone) -> bool {
        const ENDLESS: u32 = u32::MAX;
        let one = |s: u8| 1u32.checked_shl(u32::from(s)).unwrap_or(0);
        let (sets, on_max, gap) = match a {
            CpTone::Dial => (one(self.dial), ENDLESS, 200),
            CpTone::FaxCed => (one(self.ced), ENDLESS, 200),
            CpTone::Ringback => (one(self.ring.set), self.ring.on.hi, self.ring.off.hi),
            CpTone::Busy => (one(self.busy.set), self.busy.on.hi, self.busy.off.hi),
            CpTone::Congestion => (one(self.cong.set), self.cong.on.hi, self.cong.off.hi),
            CpTone::Sit => (
                self.sit.iter().fold(0, |m, &s| m | s),
                450,
                Range::around(1000).hi + 250,
            ),
            CpTone::FaxCng => (one(self.cng), 600, Range::around(3000).hi),
        };
        match self.cur.class {
            Class::Other => true,
            Class::Silence => self.cur.ms() > gap,
            Class::Tone(s) => sets & one(s) == 0 || self.cur.ms() > on_max,
        }
    }
}
