//! The arrival process of a group: when each call comes, which caller
//! profile it is, and its calling number, all drawn from the group's own
//! random stream so a seed gives the same sequence whatever happens to
//! the calls.
//!
//! Poisson arrivals: inter-arrival times are exponential with mean
//! `1 / rate`, drawn by inverse transform sampling: with `U` uniform on
//! (0, 1], `-ln(U) / rate` is exponentially distributed. Times accumulate
//! in floating-point milliseconds and each call arrives at the whole
//! millisecond its time falls in, so rounding does not bias the rate.
//!
//! Per call the draws are, in this order: the inter-arrival time (Poisson
//! only), the profile (weighted), the calling number (`from_list` only).

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::spec::{ArrivalProcess, CallingNumber, GroupSpec, TrafficSpec};

/// One call of a group's arrival sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The group's index in its `traffic` request.
    pub group: usize,
    /// The call's index in its group, from 1.
    pub index: u32,
    /// Board time of the arrival (ms), relative to the start given.
    pub at_ms: u64,
    /// Index of the caller profile drawn.
    pub profile: usize,
    /// Calling number, if any.
    pub from: Option<String>,
}

/// The random stream of group `group` of a request seeded `seed`.
fn group_rng(seed: u64, group: usize) -> Pcg64 {
    Pcg64::seed_from_u64(seed ^ (group as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// The arrivals of one group, one at a time.
#[derive(Debug, Clone)]
pub(crate) struct ArrivalGen {
    rng: Pcg64,
    group: usize,
    start_ms: u64,
    /// Time of the last arrival since the start (ms, fractional).
    t_ms: f64,
    issued: u32,
}

impl ArrivalGen {
    /// The arrivals of group `group` of a request seeded `seed`, from
    /// board time `start_ms`.
    pub(crate) fn new(seed: u64, group: usize, start_ms: u64) -> ArrivalGen {
        ArrivalGen {
            rng: group_rng(seed, group),
            group,
            start_ms,
            t_ms: 0.0,
            issued: 0,
        }
    }

    /// Calls issued so far.
    pub(crate) fn issued(&self) -> u32 {
        self.issued
    }

    /// The next arrival of `g`, or `None` when its `calls` are all issued.
    pub(crate) fn next(&mut self, g: &GroupSpec) -> Option<Arrival> {
        if g.calls.is_some_and(|c| self.issued >= c) {
            return None;
        }
        let at_ms = match g.arrivals {
            ArrivalProcess::Poisson { rate_per_min } => {
                // U on (0, 1]: 1 - [0, 1).
                let u = 1.0 - self.rng.gen::<f64>();
                self.t_ms += -u.ln() / (rate_per_min / 60_000.0);
                self.start_ms.saturating_add(self.t_ms as u64)
            }
            ArrivalProcess::Fixed { interval_ms } => self
                .start_ms
                .saturating_add(interval_ms.saturating_mul(u64::from(self.issued))),
        };
        self.issued += 1;
        let total: u64 = g.callers.iter().map(|c| u64::from(c.weight)).sum();
        let mut pick = self.rng.gen_range(0..total.max(1));
        let mut profile = 0;
        for (k, c) in g.callers.iter().enumerate() {
            if pick < u64::from(c.weight) {
                profile = k;
                break;
            }
            pick -= u64::from(c.weight);
        }
        let from = match &g.from {
            CallingNumber::List(list) if !list.is_empty() => {
                Some(list[self.rng.gen_range(0..list.len())].clone())
            }
            other => other.format(self.issued),
        };
        Some(Arrival {
            group: self.group,
            index: self.issued,
            at_ms,
            profile,
            from,
        })
    }
}

/// The first `per_group` arrivals of every group of `spec` (fewer if the
/// group's `calls` is smaller), from time 0, in order of arrival (ties in
/// group order). The generator uses exactly this sequence when the
/// request runs.
pub fn arrival_schedule(spec: &TrafficSpec, per_group: u32) -> Vec<Arrival> {
    let mut all = Vec::new();
    for (k, g) in spec.groups.iter().enumerate() {
        let mut gen = ArrivalGen::new(spec.seed, k, 0);
        while gen.issued() < per_group {
            match gen.next(g) {
                Some(a) => all.push(a),
                None => break,
            }
        }
    }
    all.sort_by_key(|a| (a.at_ms, a.group, a.index));
    all
}
