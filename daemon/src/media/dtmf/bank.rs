//! Multi-channel DTMF receiver (ITU-T Q.24) for the board thread.
//!
//! The board hands every channel [`FRAME`] = 8 new samples per 1 ms tick,
//! all channels in phase. [`DtmfBank`] runs the receiver of the
//! [parent module](super) on all of them at once:
//!
//! * **Structure of arrays.** Channels are packed in groups of [`LANES`]
//!   = 8; a group keeps each Goertzel state as `[frequency][lane]` arrays
//!   of `f32`, so the per-sample recurrence runs on 8 channels per vector
//!   instruction. The loop is compiled for AVX2 and SSE4.1 and the best
//!   version supported by the CPU is picked at run time (`multiversion`);
//!   any x86-64 runs the baseline build.
//! * **Shared decisions.** Because the channels are in phase, every block
//!   (102 samples, so blocks end in the middle of a tick) ends for all
//!   channels on the same sample. There the block spectra (half-block
//!   outputs, block DFT, energies) of all lanes are computed lane-parallel
//!   with the scalar [`DtmfDetector`](super::DtmfDetector)'s per-frequency
//!   formulas, followed by the cheap presence test (strongest low and high
//!   frequency above the floor). Only lanes that pass it, or that have a
//!   run or a digit going, are gathered and handed to the very code the
//!   scalar detector uses (tone pair, steady-pair checks, duration and end
//!   rules); an idle lane with no tone is skipped, which changes nothing.
//!   So a bank channel reports exactly the events a scalar detector
//!   reports on the same samples: the arithmetic is the same IEEE-754
//!   operations in the same order (Rust never fuses a multiply and an add
//!   on its own, even where FMA exists).
//! * **Disabled channels** cost nothing when their whole group is off (the
//!   group is skipped); inside an active group they ride along and are
//!   ignored. Enabling or disabling a channel resets it.
//!
//! Everything is allocated in [`DtmfBank::new`]; [`DtmfBank::process`]
//! never allocates, locks or does I/O.

use multiversion::multiversion;

use super::{Decision, DtmfConfig, DtmfEvent, Params, Tones, BLOCK_LEN, HALF_LEN};

/// Samples per channel per 1 ms board tick (8 kHz).
pub const FRAME: usize = 8;
/// Channels per SIMD group.
pub const LANES: usize = 8;

/// Goertzel state of one group of [`LANES`] channels, `[frequency][lane]`.
#[derive(Clone, Copy, Debug)]
struct Group {
    s1: [[f32; LANES]; 8],
    s2: [[f32; LANES]; 8],
    /// Time-domain energy of the current block so far.
    energy: [f32; LANES],
    /// Goertzel outputs of the current block's first half.
    h1_re: [[f32; LANES]; 8],
    h1_im: [[f32; LANES]; 8],
}

impl Group {
    const ZERO: Group = Group {
        s1: [[0.0; LANES]; 8],
        s2: [[0.0; LANES]; 8],
        energy: [0.0; LANES],
        h1_re: [[0.0; LANES]; 8],
        h1_im: [[0.0; LANES]; 8],
    };

    fn clear_filters(&mut self) {
        self.s1 = [[0.0; LANES]; 8];
        self.s2 = [[0.0; LANES]; 8];
    }

    fn clear_lane(&mut self, l: usize) {
        for k in 0..8 {
            self.s1[k][l] = 0.0;
            self.s2[k][l] = 0.0;
            self.h1_re[k][l] = 0.0;
            self.h1_im[k][l] = 0.0;
        }
        self.energy[l] = 0.0;
    }
}

/// A finished block of one group, `[frequency][lane]`: second-half
/// outputs, block DFT and energies, and which lanes pass the presence test.
struct Spectrum {
    y2_re: [[f32; LANES]; 8],
    y2_im: [[f32; LANES]; 8],
    x_re: [[f32; LANES]; 8],
    x_im: [[f32; LANES]; 8],
    e: [[f32; LANES]; 8],
    /// Bit `l` set when lane `l`'s strongest low and high frequencies both
    /// reach the presence floor.
    present: u8,
}

/// Per-channel state outside the SIMD arrays.
#[derive(Clone, Copy, Debug)]
struct Lane {
    decision: Decision,
    /// Bank sample index at the channel's last reset: event times are
    /// reported relative to it.
    origin: u64,
}

impl Lane {
    const fn new(origin: u64) -> Self {
        Lane {
            decision: Decision::new(),
            origin,
        }
    }
}

/// DTMF receivers for many in-phase channels. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct DtmfBank {
    p: Params,
    channels: usize,
    groups: Vec<Group>,
    lanes: Vec<Lane>,
    /// Per group, bit `l` set when lane `l` is enabled.
    enabled: Vec<u8>,
    /// Position within the current block, common to all channels.
    pos: usize,
    /// Bank sample index of the first sample of the current block.
    block_start: u64,
}

impl DtmfBank {
    /// Creates receivers for `channels` channels, all enabled, with the
    /// settings `cfg` (the only place the bank allocates).
    pub fn new(channels: usize, cfg: DtmfConfig) -> DtmfBank {
        let n_groups = channels.div_ceil(LANES);
        let mut enabled = vec![0u8; n_groups];
        for (g, m) in enabled.iter_mut().enumerate() {
            let lanes = (channels - g * LANES).min(LANES);
            *m = if lanes == LANES {
                0xff
            } else {
                (1u8 << lanes) - 1
            };
        }
        DtmfBank {
            p: Params::new(cfg),
            channels,
            groups: vec![Group::ZERO; n_groups],
            lanes: vec![Lane::new(0); n_groups * LANES],
            enabled,
            pos: 0,
            block_start: 0,
        }
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Whether channel `ch` is enabled (`false` for a channel out of range).
    pub fn is_enabled(&self, ch: usize) -> bool {
        ch < self.channels && self.enabled[ch / LANES] & (1 << (ch % LANES)) != 0
    }

    /// Switches detection on channel `ch` on or off. A change resets the
    /// channel; a disabled channel costs nothing once its whole group of
    /// [`LANES`] is off. Out-of-range channels are ignored.
    pub fn set_enabled(&mut self, ch: usize, on: bool) {
        if ch >= self.channels || self.is_enabled(ch) == on {
            return;
        }
        self.reset(ch);
        let bit = 1u8 << (ch % LANES);
        if on {
            self.enabled[ch / LANES] |= bit;
        } else {
            self.enabled[ch / LANES] &= !bit;
        }
    }

    /// Forgets channel `ch`'s signal history, as
    /// [`DtmfDetector::reset`](super::DtmfDetector::reset) does; its event
    /// times (`at_sample`) count from now. The bank's block grid is common
    /// to all channels, so a channel reset mid-block behaves exactly like a
    /// fresh scalar detector fed silence from the block's start until now
    /// (an event in that first block reports `at_sample` 0). Out-of-range
    /// channels are ignored.
    pub fn reset(&mut self, ch: usize) {
        if ch >= self.channels {
            return;
        }
        self.groups[ch / LANES].clear_lane(ch % LANES);
        self.lanes[ch] = Lane::new(self.block_start + self.pos as u64);
    }

    /// The digit currently being received on channel `ch`, if any.
    pub fn current_digit(&self, ch: usize) -> Option<char> {
        if !self.is_enabled(ch) {
            return None;
        }
        self.lanes[ch].decision.current()
    }

    /// One tick: `frames[ch]` is channel `ch`'s [`FRAME`] new samples, and
    /// `frames.len()` should be [`channels`](Self::channels) (missing
    /// channels get silence, extra frames are ignored). Calls
    /// `on_event(ch, event)` for each event: channels in ascending order,
    /// each channel's events in time order.
    pub fn process(&mut self, frames: &[[i16; FRAME]], mut on_event: impl FnMut(usize, DtmfEvent)) {
        let p = &self.p;
        for (g, (group, &mask)) in self.groups.iter_mut().zip(&self.enabled).enumerate() {
            if mask == 0 {
                continue;
            }
            let base = g * LANES;
            // Transpose to [sample][lane].
            let x = transpose(frames, base);
            let lanes = &mut self.lanes[base..base + LANES];
            let mut pos = self.pos;
            let mut block_start = self.block_start;
            let mut off = 0;
            while off < FRAME {
                let half_end = if pos < HALF_LEN { HALF_LEN } else { BLOCK_LEN };
                let n = (half_end - pos).min(FRAME - off);
                run_filters(&p.coef, group, &x[off..off + n]);
                pos += n;
                off += n;
                if pos == HALF_LEN {
                    end_half(p, group);
                } else if pos == BLOCK_LEN {
                    let sp = end_block(p, group);
                    for (l, lane) in lanes.iter_mut().enumerate() {
                        let bit = 1u8 << l;
                        if mask & bit == 0 {
                            continue;
                        }
                        let tones = if sp.present & bit != 0 {
                            lane_tones(p, group, &sp, l)
                        } else {
                            None
                        };
                        if tones.is_none() && lane.decision.is_idle() {
                            // Nothing to track and nothing to end.
                            continue;
                        }
                        let origin = lane.origin;
                        let ch = base + l;
                        lane.decision.step(p, block_start, tones, &mut |e| {
                            on_event(ch, relative(e, origin))
                        });
                    }
                    group.clear_filters();
                    group.energy = [0.0; LANES];
                    pos = 0;
                    block_start += BLOCK_LEN as u64;
                }
            }
        }
        // Advance the common block grid.
        self.pos += FRAME;
        if self.pos >= BLOCK_LEN {
            self.pos -= BLOCK_LEN;
            self.block_start += BLOCK_LEN as u64;
        }
    }
}

/// The group starting at channel `base` as `[sample][lane]` floats
/// (silence for channels `frames` lacks).
#[inline]
fn transpose(frames: &[[i16; FRAME]], base: usize) -> [[f32; LANES]; FRAME] {
    match frames
        .get(base..base + LANES)
        .map(<&[[i16; FRAME]; LANES]>::try_from)
    {
        Some(Ok(group)) => transpose_group(group),
        _ => {
            let mut x = [[0.0f32; LANES]; FRAME];
            for (l, frame) in frames.iter().skip(base).take(LANES).enumerate() {
                for n in 0..FRAME {
                    x[n][l] = frame[n] as f32;
                }
            }
            x
        }
    }
}

/// A whole group's frames as `[sample][lane]` floats, built in the
/// AVX2/SSE4.1 builds (LLVM transposes the 16-bit samples with element
/// inserts, then converts each sample row as one vector, instead of 64
/// scalar conversions: the whole bank got about 7 % faster).
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn transpose_group(frames: &[[i16; FRAME]; LANES]) -> [[f32; LANES]; FRAME] {
    let mut f = [[0.0f32; FRAME]; LANES];
    for (row, frame) in f.iter_mut().zip(frames) {
        for (y, &v) in row.iter_mut().zip(frame) {
            *y = v as f32;
        }
    }
    let mut x = [[0.0f32; LANES]; FRAME];
    for (n, col) in x.iter_mut().enumerate() {
        for (l, y) in col.iter_mut().enumerate() {
            *y = f[l][n];
        }
    }
    x
}

/// End of a block's first half: keep each lane's Goertzel outputs and
/// restart the filters.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn end_half(p: &Params, group: &mut Group) {
    for k in 0..8 {
        for l in 0..LANES {
            (group.h1_re[k][l], group.h1_im[k][l]) =
                p.half_output_k(k, group.s1[k][l], group.s2[k][l]);
        }
    }
    group.clear_filters();
}

/// End of a block: the spectrum of every lane, computed lane-parallel with
/// the scalar detector's per-frequency formulas, and the presence test.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn end_block(p: &Params, group: &Group) -> Spectrum {
    let mut sp = Spectrum {
        y2_re: [[0.0; LANES]; 8],
        y2_im: [[0.0; LANES]; 8],
        x_re: [[0.0; LANES]; 8],
        x_im: [[0.0; LANES]; 8],
        e: [[0.0; LANES]; 8],
        present: 0,
    };
    for k in 0..8 {
        for l in 0..LANES {
            let y2 = p.half_output_k(k, group.s1[k][l], group.s2[k][l]);
            let y1 = (group.h1_re[k][l], group.h1_im[k][l]);
            let [x_re, x_im, e] = p.block_dft_k(k, y1, y2);
            (sp.y2_re[k][l], sp.y2_im[k][l]) = y2;
            sp.x_re[k][l] = x_re;
            sp.x_im[k][l] = x_im;
            sp.e[k][l] = e;
        }
    }
    // Strongest energy of each group per lane (the value `strongest_pair`
    // compares with the floor).
    let mut lo = sp.e[0];
    let mut hi = sp.e[4];
    for k in 1..4 {
        for l in 0..LANES {
            lo[l] = lo[l].max(sp.e[k][l]);
            hi[l] = hi[l].max(sp.e[4 + k][l]);
        }
    }
    for (l, (lo, hi)) in lo.iter().zip(&hi).enumerate() {
        sp.present |= u8::from(*lo >= p.floor && *hi >= p.floor) << l;
    }
    sp
}

/// Lane `l`'s tone pair, exactly as the scalar detector's
/// `analyse_block` finds it (called only for lanes passing the presence
/// test).
fn lane_tones(p: &Params, group: &Group, sp: &Spectrum, l: usize) -> Option<Tones> {
    let mut e = [0.0f32; 8];
    for (k, ek) in e.iter_mut().enumerate() {
        *ek = sp.e[k][l];
    }
    let (lo, hi) = p.strongest_pair(&e)?;
    let y1 = |k: usize| (group.h1_re[k][l], group.h1_im[k][l]);
    let y2 = |k: usize| (sp.y2_re[k][l], sp.y2_im[k][l]);
    let x = |k: usize| [sp.x_re[k][l], sp.x_im[k][l], sp.e[k][l]];
    Some(p.tones(
        (lo, hi),
        [y1(lo), y1(hi)],
        [y2(lo), y2(hi)],
        [x(lo), x(hi)],
        &e,
        group.energy[l],
    ))
}

/// An event with its time made relative to the channel's last reset.
fn relative(e: DtmfEvent, origin: u64) -> DtmfEvent {
    match e {
        DtmfEvent::DigitStart { digit, at_sample } => DtmfEvent::DigitStart {
            digit,
            at_sample: at_sample.saturating_sub(origin),
        },
        end => end,
    }
}

/// The Goertzel recurrence `s[n] = x[n] + 2 cos(w) s[n-1] - s[n-2]` for the
/// eight DTMF frequencies on a group's lanes, plus the energy sum, over
/// `x` (`[sample][lane]`). Same operations in the same order as the scalar
/// detector's loop, so results are bit-identical.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn run_filters(coef: &[f32; 8], group: &mut Group, x: &[[f32; LANES]]) {
    // Four frequencies at a time: four independent recurrences per sample
    // hide the multiply-add-subtract latency, and their state (4 x 2
    // vectors) stays in registers.
    for half in [0usize, 4] {
        let c = [coef[half], coef[half + 1], coef[half + 2], coef[half + 3]];
        let mut s1 = [
            group.s1[half],
            group.s1[half + 1],
            group.s1[half + 2],
            group.s1[half + 3],
        ];
        let mut s2 = [
            group.s2[half],
            group.s2[half + 1],
            group.s2[half + 2],
            group.s2[half + 3],
        ];
        for xs in x {
            for k in 0..4 {
                goertzel_lanes(c[k], xs, &mut s1[k], &mut s2[k]);
            }
        }
        group.s1[half..half + 4].copy_from_slice(&s1);
        group.s2[half..half + 4].copy_from_slice(&s2);
    }
    let mut energy = group.energy;
    for xs in x {
        for l in 0..LANES {
            energy[l] += xs[l] * xs[l];
        }
    }
    group.energy = energy;
}

/// One Goertzel step on every lane, written exactly as the scalar
/// detector's `(x - s2) + coef * s1`.
#[inline(always)]
fn goertzel_lanes(c: f32, x: &[f32; LANES], s1: &mut [f32; LANES], s2: &mut [f32; LANES]) {
    for l in 0..LANES {
        let s0 = (x[l] - s2[l]) + c * s1[l];
        s2[l] = s1[l];
        s1[l] = s0;
    }
}

#[cfg(test)]
mod tests;
