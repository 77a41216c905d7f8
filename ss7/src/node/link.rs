//! One signalling link of the node: its MTP2 and the overflow queue in
//! front of MTP2's transmit buffer.

use std::collections::VecDeque;

use crate::mtp2::su::MAX_SIF;
use crate::mtp2::{Mtp2, Mtp2Config};

/// A link: MTP2 plus the node's bookkeeping.
pub(super) struct Link {
    pub slc: u8,
    pub mtp2: Mtp2,
    /// MSUs MTP2 could not queue yet (SIO octet + SIF).
    pub overflow: VecDeque<(u8, Vec<u8>)>,
    /// MTP2 is out of service and kept so (not restarted) because its
    /// buffers wait for the link set's changeover retrieval.
    pub held: bool,
    pub failures: u64,
}

impl Link {
    pub fn new(slc: u8, cfg: Mtp2Config) -> Self {
        Link {
            slc,
            mtp2: Mtp2::new(cfg),
            overflow: VecDeque::new(),
            held: false,
            failures: 0,
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

    /// Take back (MTP2 out of service) the MSUs the far end has not
    /// accepted after its last accepted FSN `far_fsn` (only the
    /// untransmitted ones for `None`), then the overflow: SIO octet + SIF
    /// each, oldest first. See [`Mtp2::retrieve_msus_after`].
    pub fn take_back(&mut self, far_fsn: Option<u32>) -> Vec<Vec<u8>> {
        // An FSN beyond 7 bits cannot match: MTP2 then returns every
        // unacknowledged MSU.
        let fsnc = far_fsn.map(|f| u8::try_from(f).unwrap_or(u8::MAX));
        let mut msus =
            Vec::with_capacity(self.mtp2.outstanding() + self.mtp2.queued() + self.overflow.len());
        self.mtp2.retrieve_msus_after(fsnc, |sio, sif| {
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
        msus
    }

    /// Discard what is left to send and restart MTP2 (initial alignment).
    pub fn restart(&mut self, now: u64) {
        self.held = false;
        self.overflow.clear();
        self.mtp2.start(now);
    }
}
