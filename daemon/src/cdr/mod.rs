//! Call detail records: one durable JSON line per call, appended to the
//! CDR file (`[cdr] path`) and on disk before the call is reported ended.
//!
//! * [`record`]: the record ([`cdr_json`]) and what the IVR, media and API
//!   note about a call while it runs ([`CdrExtras`], `Registry::cdr_note`);
//! * [`writer`]: the writer thread that appends, syncs, then publishes
//!   `call_cleared`, and keeps records in memory while the file cannot be
//!   written;
//! * [`read`]: reading records back for the `cdr` request;
//! * [`index`]: the in-memory index of records behind a caller's history
//!   and the recordings search (`Registry::cdr_index`);
//! * [`api`]: the `cdr`, `history` and `recordings` requests and the `cdr`
//!   block of `status`;
//! * [`config`]: the `[cdr]` table.
//!
//! The signalling thread hands every ended call to [`call_ended`].

pub mod api;
pub mod config;
pub mod index;
pub mod read;
pub mod record;
pub mod writer;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, SendTimeoutError, Sender};
use serde_json::{json, Value};

pub use config::CdrConfig;
pub use record::{cdr_json, CdrExtras};
pub use writer::{CdrMsg, CdrStats, CdrWriter};

use crate::calls::CallRecord;
use crate::registry::{lock, Registry};

/// How long an ended call waits for room in the writer's queue (4096
/// records) before its record goes to the log instead.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// The registry's end of the CDR writer: its queue and counters.
pub struct CdrLink {
    /// Ended calls towards the writer thread.
    pub tx: Sender<CdrMsg>,
    /// The writer thread's end of `tx` (taken when it starts).
    rx: Mutex<Option<Receiver<CdrMsg>>>,
    /// The writer's counters and state.
    pub stats: Arc<CdrStats>,
}

impl CdrLink {
    /// A queue and counters for a writer on `cfg.path`.
    pub fn new(cfg: &CdrConfig) -> CdrLink {
        let (tx, rx) = crossbeam_channel::bounded(writer::CDR_QUEUE);
        CdrLink {
            tx,
            rx: Mutex::new(Some(rx)),
            stats: Arc::new(CdrStats::new(cfg.path.clone(), cfg.fsync)),
        }
    }
}

/// Start the writer thread of the registry (before the signalling thread;
/// stop it after). `None` when it cannot start: then every ended call's
/// record goes to the log (see [`call_ended`]).
pub fn start(reg: &Arc<Registry>) -> Option<CdrWriter> {
    // Taken here whatever happens: with no writer, sending fails at once
    // instead of filling a queue nobody reads.
    let rx = lock(&reg.cdr.rx).take()?;
    load_index(reg);
    let bus = reg.clone();
    let index = Some(reg.cdr_index.clone());
    match CdrWriter::spawn_on(
        reg.cdr.tx.clone(),
        rx,
        reg.cdr.stats.clone(),
        index,
        move |v| bus.bus.publish(v),
    ) {
        Ok(w) => Some(w),
        Err(e) => {
            log::error!("cannot start the CDR writer thread: {e}; CDRs go to the log");
            None
        }
    }
}

/// Fill the registry's CDR index from the CDR file (before the writer
/// starts, so no record is indexed twice). A file that cannot be read
/// leaves the index empty: history starts afresh, calls go on.
fn load_index(reg: &Registry) {
    let path = reg.cdr.stats.path();
    let max = reg.config().cdr.index_max;
    let t0 = std::time::Instant::now();
    match index::CdrIndex::load_path(&path, max) {
        Ok(ix) => {
            let st = ix.stats();
            log::info!(
                "CDR index: {} records from {} ({} lines skipped, {} older records left out) in {} ms",
                st.records,
                path.display(),
                st.skipped,
                st.dropped,
                t0.elapsed().as_millis()
            );
            *lock(&reg.cdr_index) = ix;
        }
        Err(e) => log::error!(
            "CDR index: cannot read {}: {e}; caller history starts empty",
            path.display()
        ),
    }
}

/// After a reload: point the writer at the `[cdr]` settings in force.
pub fn reconfigure(reg: &Registry) {
    let cfg = reg.config();
    lock(&reg.cdr_index).set_max(cfg.cdr.index_max);
    let msg = CdrMsg::Reopen {
        path: cfg.cdr.path.clone(),
        fsync: cfg.cdr.fsync,
    };
    if reg.cdr.tx.send_timeout(msg, SEND_TIMEOUT).is_err() {
        log::error!(
            "the CDR writer did not take the new path {}",
            cfg.cdr.path.display()
        );
    }
}

/// A call ended: queue its record for the writer, which publishes `event`
/// (`call_cleared`) once the record is on disk.
///
/// The queue holds 4096 records; a full queue is waited on for up to
/// [`SEND_TIMEOUT`]. If the writer does not take the record (not running,
/// or stuck that long on a hung disk) the record is written to the daemon
/// log at error level, counted as `unqueued`, a `cdr_failed` event is
/// published and `event` is published at once with `"cdr_seq": null`: the
/// call is never left hanging.
pub fn call_ended(reg: &Registry, rec: &CallRecord, x: &CdrExtras, event: Value) {
    let record = cdr_json(rec, x, 0);
    let (record, mut event) = match reg
        .cdr
        .tx
        .send_timeout(CdrMsg::Ended { record, event }, SEND_TIMEOUT)
    {
        Ok(()) => return,
        Err(SendTimeoutError::Timeout(m) | SendTimeoutError::Disconnected(m)) => match m {
            CdrMsg::Ended { record, event } => (record, event),
            _ => return,
        },
    };
    reg.cdr
        .stats
        .unqueued
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    log::error!(
        "CDR of call {} could not be queued (writer not running or stuck); the record: {record}",
        rec.id
    );
    reg.bus.publish(json!({
        "event": "cdr_failed",
        "call": rec.id,
        "seq": null,
        "path": reg.cdr.stats.path(),
        "error": "the CDR writer is not taking records; the record is in the daemon log",
        "backlog": null,
    }));
    event["cdr_seq"] = Value::Null;
    reg.bus.publish(event);
}

/// The caller's previous inbound calls, most recent first (for screen-pops),
/// from the CDR index.
pub fn caller_history(reg: &Registry, ani: &str, limit: usize) -> Vec<Value> {
    let hist = crate::registry::lock(&reg.cdr_index).history(ani, limit);
    hist.iter()
        .filter_map(|h| serde_json::to_value(h).ok())
        .collect()
}
