//! One caller's call: where it is (waiting for the answer, talking,
//! hanging up) and the timeline its script compiles to at the answer.

use trunk_isdn::call::CallId;

use super::dtmf::{dtmf_sample, Law};
use super::spec::Step;

/// One digit's tone, in ms from the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tone {
    pub(super) digit: u8,
    pub(super) start_ms: u64,
    pub(super) end_ms: u64,
}

/// A script laid out in time from the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Timeline {
    /// Tones in time order.
    pub(super) tones: Vec<Tone>,
    /// When (ms from the answer) the caller clears, and with what cause.
    pub(super) hangup: Option<(u64, u8)>,
}

impl Timeline {
    /// Lay out `script` from the answer.
    pub(super) fn compile(script: &[Step]) -> Timeline {
        let mut t = Timeline::default();
        let mut at = 0u64;
        for step in script {
            match step {
                Step::Wait { ms } => at = at.saturating_add(*ms),
                Step::Dtmf {
                    digits,
                    on_ms,
                    gap_ms,
                } => {
                    for d in digits.bytes() {
                        let end = at.saturating_add(*on_ms);
                        t.tones.push(Tone {
                            digit: d,
                            start_ms: at,
                            end_ms: end,
                        });
                        at = end.saturating_add(*gap_ms);
                    }
                }
                Step::HangupAfter { ms, cause } => {
                    t.hangup = Some(((*ms).max(at), *cause));
                    break;
                }
                Step::Hangup { cause } => {
                    t.hangup = Some((at, *cause));
                    break;
                }
            }
        }
        if let Some((h, _)) = t.hangup {
            // Tones still due at the hangup are cut there.
            t.tones.retain(|x| x.start_ms < h);
            if let Some(last) = t.tones.last_mut() {
                last.end_ms = last.end_ms.min(h);
            }
        }
        t
    }

    /// The octet of sample `n` (8 per ms) from the answer, if a tone is on.
    pub(super) fn sample(&self, law: Law, n: u64) -> Option<u8> {
        let ms = n / 8;
        let tone = self
            .tones
            .iter()
            .find(|x| x.end_ms > ms)
            .filter(|x| x.start_ms <= ms)?;
        dtmf_sample(law, tone.digit, n - tone.start_ms * 8)
    }
}

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// SETUP sent, not answered yet.
    Waiting,
    /// Answered; the script runs.
    Talking,
    /// The caller hung up; waiting for the stack to finish clearing.
    /// `abandoned`: before the answer (patience ran out).
    Clearing {
        /// Hung up before the answer.
        abandoned: bool,
        /// The cause sent.
        cause: u8,
    },
}

/// One live call of the generator.
#[derive(Debug, Clone)]
pub(super) struct LiveCall {
    /// The far end's call id on its span.
    pub(super) call: CallId,
    pub(super) group: usize,
    pub(super) profile: usize,
    pub(super) index: u32,
    pub(super) from: Option<String>,
    pub(super) channel: Option<u8>,
    pub(super) placed_ms: u64,
    pub(super) answered_ms: Option<u64>,
    /// When the caller gives up waiting for the answer.
    pub(super) patience_at: Option<u64>,
    pub(super) phase: Phase,
    pub(super) timeline: Timeline,
}

/// What a live call's caller does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Due {
    /// Patience ran out: hang up before the answer.
    Abandon,
    /// The script hangs up with this cause.
    Hangup(u8),
}

impl LiveCall {
    /// The caller's action due at `now`, if any.
    pub(super) fn due(&self, now: u64) -> Option<Due> {
        match self.phase {
            Phase::Waiting => self.patience_at.filter(|&t| t <= now).map(|_| Due::Abandon),
            Phase::Talking => {
                let answered = self.answered_ms?;
                let (at, cause) = self.timeline.hangup?;
                (answered.saturating_add(at) <= now).then_some(Due::Hangup(cause))
            }
            Phase::Clearing { .. } => None,
        }
    }

    /// The octet this caller sends in sample `f` (0..8) of millisecond
    /// `now`, if not idle.
    pub(super) fn audio(&self, law: Law, now: u64, f: usize) -> Option<u8> {
        if self.phase != Phase::Talking {
            return None;
        }
        let answered = self.answered_ms?;
        let n = now.checked_sub(answered)? * 8 + f as u64;
        self.timeline.sample(law, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_lays_out_from_the_answer() {
        let t = Timeline::compile(&[
            Step::Wait { ms: 1500 },
            Step::Dtmf {
                digits: "1".into(),
                on_ms: 80,
                gap_ms: 80,
            },
            Step::Wait { ms: 4000 },
            Step::Dtmf {
                digits: "2#".into(),
                on_ms: 80,
                gap_ms: 120,
            },
            Step::HangupAfter {
                ms: 8000,
                cause: 16,
            },
        ]);
        let starts: Vec<(u8, u64, u64)> = t
            .tones
            .iter()
            .map(|x| (x.digit, x.start_ms, x.end_ms))
            .collect();
        assert_eq!(
            starts,
            vec![(b'1', 1500, 1580), (b'2', 5660, 5740), (b'#', 5860, 5940)]
        );
        assert_eq!(t.hangup, Some((8000, 16)));
        // A hangup_after_ms already passed by the script hangs up when the
        // script gets there.
        let t = Timeline::compile(&[
            Step::Wait { ms: 300 },
            Step::HangupAfter { ms: 100, cause: 31 },
        ]);
        assert_eq!(t.hangup, Some((300, 31)));
        assert_eq!(Timeline::compile(&[]).hangup, None);
    }

    #[test]
    fn samples_follow_the_timeline() {
        let t = Timeline::compile(&[
            Step::Wait { ms: 10 },
            Step::Dtmf {
                digits: "5".into(),
                on_ms: 20,
                gap_ms: 0,
            },
            Step::Hangup { cause: 16 },
        ]);
        assert_eq!(t.sample(Law::ALaw, 79), None);
        assert_eq!(t.sample(Law::ALaw, 80), Some(0xD5), "tone starts at 0");
        assert!(t.sample(Law::ALaw, 81).is_some());
        assert!(t.sample(Law::ALaw, 239).is_some());
        assert_eq!(t.sample(Law::ALaw, 240), None);
        assert_eq!(t.hangup, Some((30, 16)));
    }
}
