//! Playing a playlist of prompts on the board thread.

use std::sync::Arc;

use super::{Prompt, SAMPLES_PER_MS};

/// Most items a [`Playlist`] holds.
pub const MAX_PLAYLIST: usize = 16;

/// Lowest gain a [`Playlist`] accepts, dB.
pub const MIN_GAIN_DB: f32 = -60.0;

/// Highest gain a [`Playlist`] accepts, dB (keeps `sample * gain` in `i32`).
pub const MAX_GAIN_DB: f32 = 20.0;

/// Unity gain in the Q12 fixed point the player multiplies by.
const UNITY_Q12: i32 = 1 << 12;

/// One entry of a [`Playlist`].
#[derive(Clone, Debug)]
pub enum PlayItem {
    /// A decoded prompt.
    Prompt(Arc<Prompt>),
    /// This many milliseconds of silence (linear zero).
    Silence(u32),
}

impl PlayItem {
    fn len_samples(&self) -> usize {
        match self {
            Self::Prompt(p) => p.samples().len(),
            Self::Silence(ms) => *ms as usize * SAMPLES_PER_MS,
        }
    }
}

/// Why a [`Playlist`] could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaylistError {
    /// No items, or items that add up to no samples at all.
    #[error("playlist is empty: give at least one prompt or silence")]
    Empty,
    /// More than [`MAX_PLAYLIST`] items.
    #[error("playlist has {0} items; at most {MAX_PLAYLIST} are allowed")]
    TooLong(usize),
    /// Gain outside [`MIN_GAIN_DB`]..=[`MAX_GAIN_DB`] or not a number.
    #[error("gain {0} dB is outside {MIN_GAIN_DB}..={MAX_GAIN_DB} dB")]
    BadGain(f32),
}

/// A fixed-size list of prompts and silences, built on a control thread and
/// moved to the board thread, where [`Player`] plays it without allocating.
#[derive(Clone, Debug)]
pub struct Playlist {
    items: [Option<PlayItem>; MAX_PLAYLIST],
    len: usize,
    gain_q12: i32,
    gain_db: f32,
}

impl Playlist {
    /// A playlist of these items, at unity gain.
    pub fn new(items: Vec<PlayItem>) -> Result<Self, PlaylistError> {
        if items.len() > MAX_PLAYLIST {
            return Err(PlaylistError::TooLong(items.len()));
        }
        if items.iter().all(|i| i.len_samples() == 0) {
            return Err(PlaylistError::Empty);
        }
        let len = items.len();
        let mut slots: [Option<PlayItem>; MAX_PLAYLIST] = Default::default();
        for (slot, item) in slots.iter_mut().zip(items) {
            *slot = Some(item);
        }
        Ok(Self {
            items: slots,
            len,
            gain_q12: UNITY_Q12,
            gain_db: 0.0,
        })
    }

    /// A playlist of these prompts, in order, at unity gain.
    pub fn from_prompts(prompts: Vec<Arc<Prompt>>) -> Result<Self, PlaylistError> {
        Self::new(prompts.into_iter().map(PlayItem::Prompt).collect())
    }

    /// The same playlist played `db` decibels louder (negative: quieter).
    /// Samples saturate at the 16-bit limits instead of wrapping.
    pub fn with_gain_db(mut self, db: f32) -> Result<Self, PlaylistError> {
        if !(MIN_GAIN_DB..=MAX_GAIN_DB).contains(&db) {
            return Err(PlaylistError::BadGain(db));
        }
        let factor = 10f64.powf(f64::from(db) / 20.0);
        self.gain_q12 = (factor * f64::from(UNITY_Q12)).round() as i32;
        self.gain_db = db;
        Ok(self)
    }

    /// The gain in dB.
    pub fn gain_db(&self) -> f32 {
        self.gain_db
    }

    /// The items, in play order.
    pub fn items(&self) -> impl Iterator<Item = &PlayItem> {
        self.items[..self.len].iter().flatten()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no items (never true for a built playlist).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total length of one pass, in samples.
    pub fn total_samples(&self) -> usize {
        self.items().map(PlayItem::len_samples).sum()
    }
}

/// What [`Player::fill`] left the player doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayState {
    /// More samples follow.
    Playing,
    /// The playlist ended (or nothing is loaded); the rest of the buffer is
    /// silence.
    Finished,
}

/// Plays a [`Playlist`] into a channel's transmit buffer, tick by tick.
///
/// Hot-path rules: [`fill`](Self::fill) and [`stop`](Self::stop) never
/// allocate or lock. Nothing here drops a playlist either: [`start`]
/// hands back the playlist it replaces, [`stop`](Self::stop) and
/// [`take_playlist`](Self::take_playlist) hand back theirs, and the engine
/// sends them to the control thread to be dropped there. Dropping one on
/// the board thread would only decrement reference counts as long as the
/// [`super::PromptCache`] still holds the prompts, but an evicted prompt
/// would be freed there, so the engine returns finished playlists instead.
///
/// [`start`]: Self::start
#[derive(Debug, Default)]
pub struct Player {
    playlist: Option<Playlist>,
    repeat: bool,
    playing: bool,
    /// Index of the current item.
    item: usize,
    /// Samples already played of the current item.
    offset: usize,
    /// Samples played in the current pass.
    pass_pos: usize,
    /// Samples played since `start`.
    played: u64,
}

impl Player {
    /// An idle player.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts `playlist` from its beginning; with `repeat` it loops until
    /// [`stop`](Self::stop). Returns the playlist it replaces, if any, for
    /// the control thread to drop.
    pub fn start(&mut self, playlist: Playlist, repeat: bool) -> Option<Playlist> {
        let old = self.playlist.replace(playlist);
        self.repeat = repeat;
        self.playing = true;
        self.item = 0;
        self.offset = 0;
        self.pass_pos = 0;
        self.played = 0;
        old
    }

    /// Fills `out` with the next samples; after the end (or when idle) the
    /// rest of `out` is silence and the result is [`PlayState::Finished`].
    pub fn fill(&mut self, out: &mut [i16]) -> PlayState {
        let mut done = 0;
        if self.playing {
            if let Some(list) = &self.playlist {
                let gain = list.gain_q12;
                // A pass that yields nothing ends play (cannot happen for a
                // built playlist; guards a repeat loop that never ends).
                let mut empty_items = 0;
                while done < out.len() {
                    if self.item >= list.len {
                        if self.repeat && empty_items < list.len {
                            self.item = 0;
                            self.pass_pos = 0;
                            continue;
                        }
                        self.playing = false;
                        break;
                    }
                    let Some(item) = &list.items[self.item] else {
                        self.item += 1;
                        empty_items += 1;
                        continue;
                    };
                    let left = item.len_samples().saturating_sub(self.offset);
                    let n = left.min(out.len() - done);
                    let dst = &mut out[done..done + n];
                    match item {
                        PlayItem::Prompt(p) => {
                            let src = p.samples().get(self.offset..self.offset + n).unwrap_or(&[]);
                            copy_with_gain(dst, src, gain);
                        }
                        PlayItem::Silence(_) => dst.fill(0),
                    }
                    done += n;
                    self.offset += n;
                    self.pass_pos += n;
                    self.played += n as u64;
                    if n > 0 {
                        empty_items = 0;
                    }
                    if self.offset >= item.len_samples() {
                        self.item += 1;
                        self.offset = 0;
                        if n == 0 {
                            empty_items += 1;
                        }
                    }
                }
            } else {
                self.playing = false;
            }
        }
        if done < out.len() {
            out[done..].fill(0);
        }
        if self.playing {
            PlayState::Playing
        } else {
            PlayState::Finished
        }
    }

    /// Stops play at once (barge-in: the engine calls this when a DTMF digit
    /// arrives and barge-in is on) and hands back the playlist.
    pub fn stop(&mut self) -> Option<Playlist> {
        self.playing = false;
        self.playlist.take()
    }

    /// Hands back the playlist once it has finished; `None` while it is
    /// still playing (use [`stop`](Self::stop) to interrupt) or when idle.
    pub fn take_playlist(&mut self) -> Option<Playlist> {
        if self.playing {
            None
        } else {
            self.playlist.take()
        }
    }

    /// Whether a playlist is playing.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Position in the current pass of the playlist, milliseconds.
    pub fn position_ms(&self) -> u64 {
        self.pass_pos as u64 / SAMPLES_PER_MS as u64
    }

    /// Time played since [`start`](Self::start), all passes, milliseconds.
    pub fn played_ms(&self) -> u64 {
        self.played / SAMPLES_PER_MS as u64
    }
}

/// `dst = saturate(src * gain)`, gain in Q12 (4096 = 0 dB, copied exactly).
fn copy_with_gain(dst: &mut [i16], src: &[i16], gain_q12: i32) {
    if gain_q12 == UNITY_Q12 {
        // An element loop, not copy_from_slice: a tick moves 8 samples, and
        // a memmove call costs more than the copy.
        let n = dst.len().min(src.len());
        for (d, &s) in dst[..n].iter_mut().zip(&src[..n]) {
            *d = s;
        }
        if n < dst.len() {
            dst[n..].fill(0);
        }
        return;
    }
    for (i, d) in dst.iter_mut().enumerate() {
        let s = src.get(i).copied().unwrap_or(0);
        let v = (i32::from(s) * gain_q12 + (1 << 11)) >> 12;
        *d = v.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
    }
}
