//! Receive elastic store with controlled slips (ITU-T G.822 / T1.403:
//! a controlled slip repeats or deletes one whole frame, so frame alignment is
//! preserved).
//!
//! The store is modelled as a depth of 0 or 1 frame.  A slip at depth 0
//! repeats the previous frame (depth becomes 1); a slip at depth 1 deletes a
//! frame (depth becomes 0), so slips alternate between repeat and delete and
//! the delay never drifts by more than one frame.  Requested slips are
//! performed one every 8 frames (1 ms).

/// Frames between two requested slips (8 frames = 1 ms).
const SLIP_SPACING: u32 = 8;

#[derive(Clone, Debug)]
pub(crate) struct ElasticStore {
    prev: [u8; 32],
    depth: u8,
    pending: u32,
    countdown: u32,
    slips: u64,
}

impl ElasticStore {
    pub(crate) fn new() -> Self {
        Self {
            prev: [0xFF; 32],
            depth: 0,
            pending: 0,
            countdown: 0,
            slips: 0,
        }
    }

    /// Request `n` more controlled slips.
    pub(crate) fn request(&mut self, n: u32) {
        if self.pending == 0 {
            self.countdown = 0;
        }
        self.pending = self.pending.saturating_add(n);
    }

    /// Drop requested slips that have not happened yet.
    pub(crate) fn cancel(&mut self) {
        self.pending = 0;
    }

    pub(crate) fn pending(&self) -> u32 {
        self.pending
    }

    pub(crate) fn slips(&self) -> u64 {
        self.slips
    }

    /// Write one received frame, read one frame for the host.
    #[inline]
    pub(crate) fn push(&mut self, input: &[u8; 32], out: &mut [u8; 32]) {
        if self.pending > 0 {
            if self.countdown == 0 {
                self.depth ^= 1;
                self.slips += 1;
                self.pending -= 1;
                self.countdown = SLIP_SPACING - 1;
            } else {
                self.countdown -= 1;
            }
        }
        *out = if self.depth == 0 { *input } else { self.prev };
        self.prev = *input;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_repeat_and_delete_whole_frames() {
        let mut es = ElasticStore::new();
        let mut out = [0u8; 32];
        let mut seen = Vec::new();
        for k in 0..40u8 {
            if k == 5 {
                es.request(2);
            }
            es.push(&[k; 32], &mut out);
            assert!(out.iter().all(|&b| b == out[0]), "whole frames only");
            seen.push(out[0]);
        }
        assert_eq!(es.slips(), 2);
        assert_eq!(es.pending(), 0);
        // Frame 4 repeated at k = 5, frame 12 deleted at k = 13.
        assert_eq!(&seen[3..8], &[3, 4, 4, 5, 6]);
        assert_eq!(&seen[11..15], &[10, 11, 13, 14]);
    }
}
