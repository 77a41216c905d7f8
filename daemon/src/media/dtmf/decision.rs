//! The per-channel decision rules of the DTMF receiver (ITU-T Q.24 timing:
//! digit start after a verified steady pair and enough tone, end after
//! enough blocks without it), shared by the scalar detector and the bank.
//! See the [parent module](super) for the design.

use super::{DtmfEvent, Params, Tones, BLOCK_LEN, SAMPLE_RATE, SOLID_FRACTION};

/// Per-channel decision state: the run of blocks showing one digit and the
/// digit being reported. Fed one block analysis at a time by
/// [`Decision::step`]; shared by the scalar detector and the bank.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decision {
    // Run of consecutive blocks showing the same digit.
    prev: Option<Tones>,
    run_start: u64,
    run_amp_sum: f32,
    run_amp_max: f32,
    run_verified: bool,
    // Digit being reported.
    current: Option<char>,
    current_start: u64,
    current_last_end: u64,
    current_amp: f32,
    misses: u8,
}

impl Decision {
    /// No history: no run, no digit.
    pub(crate) const fn new() -> Self {
        Self {
            prev: None,
            run_start: 0,
            run_amp_sum: 0.0,
            run_amp_max: 0.0,
            run_verified: false,
            current: None,
            current_start: 0,
            current_last_end: 0,
            current_amp: 0.0,
            misses: 0,
        }
    }

    /// No run and no digit: a block without tones changes nothing, so the
    /// bank may skip [`step`](Self::step) for it.
    #[inline]
    pub(crate) fn is_idle(&self) -> bool {
        self.prev.is_none() && self.current.is_none()
    }

    /// The digit currently being reported, if any.
    pub(crate) fn current(&self) -> Option<char> {
        self.current
    }

    /// Takes the analysis of the block starting at sample `block_start`
    /// and reports digit starts and ends (duration and end rules in the
    /// [module docs](super)).
    pub(crate) fn step<F: FnMut(DtmfEvent)>(
        &mut self,
        p: &Params,
        block_start: u64,
        tones: Option<Tones>,
        on_event: &mut F,
    ) {
        let block_end = block_start + BLOCK_LEN as u64;
        let digit = tones.map(|t| t.digit);
        // Track the run of blocks showing the same digit.
        if let Some(t) = tones {
            let amp = (t.e[0] + t.e[1]).sqrt();
            match self.prev {
                Some(prev) if prev.digit == t.digit => {
                    self.run_amp_sum += amp;
                    self.run_amp_max = self.run_amp_max.max(amp);
                    let (ep, ec) = (prev.e[0] + prev.e[1], t.e[0] + t.e[1]);
                    if !self.run_verified && ep.min(ec) >= p.balance * ep.max(ec) {
                        self.run_verified = p.check_pair(&prev, &t);
                    }
                }
                _ => {
                    self.run_start = block_start;
                    self.run_amp_sum = amp;
                    self.run_amp_max = amp;
                    self.run_verified = false;
                }
            }
        }
        self.prev = tones;

        if let Some(d) = self.current {
            // The digit goes on while blocks are (nearly) filled with it: at
            // least 70 % of the amplitude of the strongest block so far.
            let amp = tones.map_or(0.0, |t| (t.e[0] + t.e[1]).sqrt());
            if digit == Some(d) && amp >= SOLID_FRACTION * self.current_amp {
                self.current_amp = self.current_amp.max(amp);
                self.misses = 0;
                self.current_last_end = block_end;
                return;
            }
            self.misses += 1;
            if self.misses < p.min_off_blocks {
                return;
            }
            let samples = self.current_last_end - self.current_start;
            on_event(DtmfEvent::DigitEnd {
                digit: d,
                duration_ms: (samples * 1000 / SAMPLE_RATE as u64) as u32,
            });
            self.current = None;
            self.misses = 0;
        }
        if let Some(d) = digit {
            // Tone length estimate: each block counts in proportion to its
            // amplitude relative to the run's strongest block.
            let est = self.run_amp_sum / self.run_amp_max * BLOCK_LEN as f32;
            if self.run_verified && est >= p.min_tone_samples {
                self.current = Some(d);
                self.current_amp = self.run_amp_max;
                self.current_start = self.run_start;
                self.current_last_end = block_end;
                self.misses = 0;
                on_event(DtmfEvent::DigitStart {
                    digit: d,
                    at_sample: self.run_start,
                });
            }
        }
    }
}
