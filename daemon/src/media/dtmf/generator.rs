//! DTMF generation per ITU-T Q.23.

use super::{dbm0_to_peak, digit_frequencies, SAMPLE_RATE};

/// Generator settings. Defaults follow common practice under ITU-T Q.23.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DtmfGenConfig {
    /// Low-group tone level in dBm0 (default -7).
    pub low_level_dbm0: f32,
    /// High-group tone level in dBm0 (default -5: the high group is sent
    /// 2 dB stronger, as Q.23 recommends, to offset line roll-off).
    pub high_level_dbm0: f32,
    /// Tone duration in ms (default 100).
    pub on_ms: u32,
    /// Silence after each tone in ms (default 100).
    pub off_ms: u32,
}

impl Default for DtmfGenConfig {
    fn default() -> Self {
        Self {
            low_level_dbm0: -7.0,
            high_level_dbm0: -5.0,
            on_ms: 100,
            off_ms: 100,
        }
    }
}

/// Errors from [`DtmfGenerator::push_digits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DtmfError {
    /// The character is not a DTMF digit.
    #[error("not a DTMF digit: {0:?}")]
    InvalidDigit(char),
    /// More digits than the queue holds ([`DtmfGenerator::QUEUE_LEN`]).
    #[error("DTMF digit queue full")]
    QueueFull,
}

/// Produces DTMF digit sequences as 8 kHz linear samples.
///
/// Each tone's phase is computed exactly from an integer sample counter, so
/// the frequencies are exact (no oscillator drift).
#[derive(Clone, Copy, Debug)]
pub struct DtmfGenerator {
    cfg: DtmfGenConfig,
    amp_lo: f64,
    amp_hi: f64,
    queue: [u8; Self::QUEUE_LEN],
    head: usize,
    len: usize,
    /// Sample index within the current digit's tone + pause cycle.
    n: u32,
}

impl Default for DtmfGenerator {
    fn default() -> Self {
        Self::new(DtmfGenConfig::default())
    }
}

impl DtmfGenerator {
    /// Capacity of the digit queue.
    pub const QUEUE_LEN: usize = 64;

    /// Creates an idle generator.
    pub fn new(cfg: DtmfGenConfig) -> Self {
        Self {
            cfg,
            amp_lo: dbm0_to_peak(cfg.low_level_dbm0) as f64,
            amp_hi: dbm0_to_peak(cfg.high_level_dbm0) as f64,
            queue: [0; Self::QUEUE_LEN],
            head: 0,
            len: 0,
            n: 0,
        }
    }

    /// Queues digits for sending. Nothing is queued on error.
    pub fn push_digits(&mut self, digits: &str) -> Result<(), DtmfError> {
        let mut count = 0;
        for ch in digits.chars() {
            if digit_frequencies(ch).is_none() {
                return Err(DtmfError::InvalidDigit(ch));
            }
            count += 1;
        }
        if self.len + count > Self::QUEUE_LEN {
            return Err(DtmfError::QueueFull);
        }
        for ch in digits.chars() {
            let idx = (self.head + self.len) % Self::QUEUE_LEN;
            self.queue[idx] = ch.to_ascii_uppercase() as u8;
            self.len += 1;
        }
        Ok(())
    }

    /// True when every queued digit (with its pause) has been produced.
    pub fn is_idle(&self) -> bool {
        self.len == 0
    }

    /// Total samples still to produce for the queued digits.
    pub fn remaining_samples(&self) -> usize {
        (self.len * self.cycle_len() as usize).saturating_sub(self.n as usize)
    }

    fn cycle_len(&self) -> u32 {
        (self.cfg.on_ms + self.cfg.off_ms) * (SAMPLE_RATE / 1000)
    }

    /// Fills `out` with the next samples. Returns how many were signal
    /// (tone or inter-digit pause); once the queue runs dry the rest of
    /// `out` is zeroed.
    pub fn generate(&mut self, out: &mut [i16]) -> usize {
        let on = self.cfg.on_ms * (SAMPLE_RATE / 1000);
        let cycle = self.cycle_len();
        let mut written = 0;
        for slot in out.iter_mut() {
            if self.len == 0 {
                *slot = 0;
                continue;
            }
            let digit = self.queue[self.head] as char;
            *slot = if self.n < on {
                let (f_lo, f_hi) = digit_frequencies(digit).unwrap_or((0, 0));
                let n = self.n as u64;
                // Phase = 2 pi f n / fs, with (f n) mod fs exact in integers.
                let ph = |f: u32| {
                    let m = (f as u64 * n) % SAMPLE_RATE as u64;
                    2.0 * std::f64::consts::PI * m as f64 / SAMPLE_RATE as f64
                };
                let v = self.amp_lo * ph(f_lo).sin() + self.amp_hi * ph(f_hi).sin();
                v.round().clamp(i16::MIN as f64, i16::MAX as f64) as i16
            } else {
                0
            };
            written += 1;
            self.n += 1;
            if self.n >= cycle {
                self.n = 0;
                self.head = (self.head + 1) % Self::QUEUE_LEN;
                self.len -= 1;
            }
        }
        written
    }
}
