//! One signalling link of the node: its MTP2, the FSN bookkeeping needed
//! to answer a changeover retrieval, and the overflow queue in front of
//! MTP2's transmit buffer.

use std::collections::VecDeque;

use crate::mtp2::su::MAX_SIF;
use crate::mtp2::{Mtp2, Mtp2Config, SignalUnit};

/// MSUs taken back from a failed link (Q.704 §5.4 buffer updating).
#[derive(Debug, Default)]
pub(super) struct Retrieved {
    /// SIO octet followed by the SIF, oldest first.
    pub msus: Vec<Vec<u8>>,
    /// How many of `msus` (from the front) had been transmitted at least once.
    pub sent: usize,
    /// FSN of the newest transmitted MSU when the link failed.
    pub last_fsn: u8,
}

impl Retrieved {
    /// The MSUs to hand to MTP3 for a retrieval after `far_fsn` (the far
    /// end's last accepted FSN), or only the untransmitted ones for `None`.
    pub fn after(self, far_fsn: Option<u32>) -> Vec<Vec<u8>> {
        let skip = match far_fsn {
            None => self.sent,
            Some(f) => {
                // The transmitted MSUs carry FSNs last-sent+1 ..= last.
                let first_minus_one = self.last_fsn.wrapping_sub(self.sent as u8) & 0x7f;
                let accepted = usize::from((f as u8).wrapping_sub(first_minus_one) & 0x7f);
                if f <= 0x7f && accepted <= self.sent {
                    accepted
                } else {
                    0
                }
            }
        };
        self.msus.into_iter().skip(skip).collect()
    }
}

/// A link: MTP2 plus the node's bookkeeping.
pub(super) struct Link {
    pub slc: u8,
    pub mtp2: Mtp2,
    /// FSN of the last new MSU (or of the last LSSU/FISU) sent.
    pub tx_fsn: u8,
    /// MSUs MTP2 could not queue yet (SIO octet + SIF).
    pub overflow: VecDeque<(u8, Vec<u8>)>,
    /// MSUs retrieved at the last failure, waiting for MTP3's request.
    pub retrieved: Option<Retrieved>,
    pub failures: u64,
}

impl Link {
    pub fn new(slc: u8, cfg: Mtp2Config) -> Self {
        Link {
            slc,
            mtp2: Mtp2::new(cfg),
            tx_fsn: 127,
            overflow: VecDeque::new(),
            retrieved: None,
            failures: 0,
        }
    }

    /// Track the FSN of a signal unit handed to the line.
    pub fn note_sent(&mut self, su: &[u8]) {
        let Ok(view) = SignalUnit::new_checked(su) else {
            return;
        };
        let fsn = view.fsn();
        if view.li() <= 2 || fsn == (self.tx_fsn.wrapping_add(1) & 0x7f) {
            // LSSUs and FISUs carry the last FSN sent; a new MSU the next one.
            // A retransmission carries an older FSN and changes nothing.
            self.tx_fsn = fsn;
        }
    }

    /// Move MSUs from the overflow queue into MTP2 while it has room.
    pub fn refill(&mut self, now: u64) {
        let room = self.mtp2.config().tx_queue;
        while self.mtp2.queued() < room {
            let Some((sio, sif)) = self.overflow.pop_front() else {
                break;
            };
            if self.mtp2.send_msu(now, sio, &sif).is_err() {
                // Only a bad SIF length fails here; such an MSU cannot be sent.
                continue;
            }
        }
    }

    /// Queue an MSU (SIO + SIF) for this link, in order behind the overflow.
    pub fn send(&mut self, now: u64, sio: u8, sif: Vec<u8>) {
        if !(2..=MAX_SIF).contains(&sif.len()) {
            return;
        }
        self.overflow.push_back((sio, sif));
        self.refill(now);
    }

    /// Take back every MSU not acknowledged or not sent (MTP2 must be out
    /// of service), with the FSN bookkeeping for a later retrieval request.
    pub fn take_back(&mut self) -> Retrieved {
        let sent = self.mtp2.outstanding();
        let mut msus = Vec::with_capacity(sent + self.mtp2.queued() + self.overflow.len());
        self.mtp2.retrieve_msus(|sio, sif| {
            let mut m = Vec::with_capacity(sif.len() + 1);
            m.push(sio);
            m.extend_from_slice(sif);
            msus.push(m);
        });
        for (sio, sif) in self.overflow.drain(..) {
            let mut m = Vec::with_capacity(sif.len() + 1);
            m.push(sio);
            m.extend_from_slice(&sif);
            msus.push(m);
        }
        Retrieved {
            msus,
            sent,
            last_fsn: self.tx_fsn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Retrieved;

    fn stash(sent: usize, last_fsn: u8, total: usize) -> Retrieved {
        Retrieved {
            msus: (0..total).map(|i| vec![5, i as u8]).collect(),
            sent,
            last_fsn,
        }
    }

    #[test]
    fn retrieval_skips_what_the_far_end_accepted() {
        // Sent FSNs 8, 9, 10; the far end accepted up to 9.
        let out = stash(3, 10, 5).after(Some(9));
        assert_eq!(out, vec![vec![5, 2], vec![5, 3], vec![5, 4]]);
    }

    #[test]
    fn retrieval_wraps_fsn_modulo_128() {
        // Sent FSNs 126, 127, 0, 1; the far end accepted up to 127.
        let out = stash(4, 1, 4).after(Some(127));
        assert_eq!(out, vec![vec![5, 2], vec![5, 3]]);
    }

    #[test]
    fn retrieval_without_fsn_returns_only_untransmitted() {
        let out = stash(3, 10, 5).after(None);
        assert_eq!(out, vec![vec![5, 3], vec![5, 4]]);
    }

    #[test]
    fn retrieval_with_fsn_outside_the_window_resends_everything() {
        let out = stash(2, 10, 3).after(Some(40));
        assert_eq!(out.len(), 3);
        let out = stash(2, 10, 3).after(Some(300));
        assert_eq!(out.len(), 3);
    }
}
