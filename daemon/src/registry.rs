//! What the API can see of the running daemon: the configuration in force and
//! a view of every board thread. Readers take short read locks; the real-time
//! threads never touch these locks.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use trunk_driver_sys::board::BoardSpec;

use crate::calls::{CallTable, EventBus};
use crate::config::Config;
use crate::dchan::DFrame;
use crate::rt::BoardCmd;
use crate::signalling::SigCmd;
use crate::state::{BoardShared, SpanShared};
use trunkd::media::engine::{MediaCmd, MediaEvent, MediaLinks, MediaStats};
use trunkd::media::record::{RecordEvent, RecordWriter, WriterMsg};

/// A board as the API sees it.
#[derive(Clone)]
pub struct BoardView {
    /// Board name.
    pub name: String,
    /// Device.
    pub device: BoardSpec,
    /// Board-wide figures.
    pub shared: Arc<BoardShared>,
    /// Per position on the board (0-based, 16 entries).
    pub spans: Vec<Arc<SpanShared>>,
    /// Command channel of the board thread.
    pub cmd: Sender<BoardCmd>,
    /// Per position: D-channel frames to transmit.
    pub dtx: Vec<Sender<DFrame>>,
    /// Board thread generation (tags received frames).
    pub gen: u32,
    /// Requests to the board's media engine.
    pub media: Sender<MediaCmd>,
    /// The media engine's counters.
    pub media_stats: Arc<MediaStats>,
}

/// Shared daemon state for the API.
pub struct Registry {
    /// Start time.
    pub started: Instant,
    /// Configuration in force.
    pub config: RwLock<Arc<Config>>,
    /// Boards.
    pub boards: RwLock<Vec<BoardView>>,
    /// Successful reloads.
    pub reloads: AtomicU64,
    /// Failed reloads.
    pub failed_reloads: AtomicU64,
    /// Calls in progress and recently ended.
    pub calls: Mutex<CallTable>,
    /// Events for API clients.
    pub bus: EventBus,
    /// PRI status per global span number (JSON, kept by the signalling thread).
    pub pri: Mutex<std::collections::BTreeMap<u32, serde_json::Value>>,
    /// Where board threads put received D-channel frames.
    pub drx: Sender<DFrame>,
    /// The signalling thread's end of `drx` (taken when it starts).
    pub drx_rx: Mutex<Option<Receiver<DFrame>>>,
    /// Requests to the signalling thread.
    pub sig: Sender<SigCmd>,
    /// The signalling thread's end of `sig` (taken when it starts).
    pub sig_rx: Mutex<Option<Receiver<SigCmd>>>,
    /// Where board threads' media engines put their reports.
    pub media_events: Sender<MediaEvent>,
    /// The media service thread's end of `media_events`.
    pub media_events_rx: Mutex<Option<Receiver<MediaEvent>>>,
    /// Recorded audio towards the writer thread.
    pub recorder: Sender<WriterMsg>,
    /// The recording writer thread (stopped at shutdown).
    pub record_writer: Mutex<Option<RecordWriter>>,
    /// The writer's reports (taken by the media service thread).
    pub record_events_rx: Mutex<Option<Receiver<RecordEvent>>>,
    /// Bridges and conferences.
    pub confs: Mutex<crate::confbook::ConfBook>,
    /// Media requests in flight and their owners.
    pub media: Mutex<crate::mediasvc::MediaBook>,
    /// IVR flows in force.
    pub flows: RwLock<Arc<crate::ivr::flow::FlowSet>>,
    /// Errors of the last flows load that was refused (empty when it loaded).
    pub flow_errors: Mutex<Vec<String>>,
    /// Requests to the IVR thread.
    pub ivr: Sender<crate::ivr::IvrCmd>,
    /// The IVR thread's end of `ivr`.
    pub ivr_rx: Mutex<Option<Receiver<crate::ivr::IvrCmd>>>,
    /// The IVR thread's end of the event tap.
    pub ivr_events_rx: Mutex<Option<Receiver<serde_json::Value>>>,
    /// Requests to the ACD thread.
    pub acd: Sender<crate::acdsvc::AcdCmd>,
    /// The ACD thread's end of `acd`.
    pub acd_rx: Mutex<Option<Receiver<crate::acdsvc::AcdCmd>>>,
    /// The ACD thread's end of the event tap.
    pub acd_events_rx: Mutex<Option<Receiver<serde_json::Value>>>,
    /// Calls that must not be recorded (an ACD recording policy of
    /// `never`), with the reason `record_call` gives.
    pub no_record: Mutex<std::collections::HashMap<u64, String>>,
    /// Who controls each call: `ivr` or an API client (`client N uid U`).
    pub owners: Mutex<std::collections::HashMap<u64, String>>,
    /// What the IVR, media and API noted for the CDRs of calls in progress
    /// (see [`Registry::cdr_note`]); taken out when a call ends.
    pub cdr_extras: Mutex<std::collections::HashMap<u64, crate::cdr::CdrExtras>>,
    /// The CDR writer's queue and counters.
    pub cdr: crate::cdr::CdrLink,
    /// The in-memory index of CDRs (caller history, recordings search),
    /// loaded at start and fed by the CDR writer.
    pub cdr_index: Arc<Mutex<crate::cdr::index::CdrIndex>>,
}

impl Registry {
    /// A registry for `config` with no boards yet.
    pub fn new(config: Arc<Config>) -> Registry {
        let (drx, drx_rx) = crate::dchan::rx_channel();
        let (sig, sig_rx) = crossbeam_channel::bounded(256);
        let (media_events, media_events_rx) = crossbeam_channel::bounded(8192);
        let (record_events, record_events_rx) = crossbeam_channel::bounded(1024);
        let (record_writer, recorder) = match RecordWriter::spawn(record_events) {
            Ok((w, tx)) => (Some(w), tx),
            Err(e) => {
                // Recordings then fail with "writer not running"; calls go on.
                log::error!("cannot start the recording writer thread: {e}");
                (None, crossbeam_channel::bounded(1).0)
            }
        };
        let bus = EventBus::default();
        let (ivr, ivr_rx) = crossbeam_channel::bounded(1024);
        let (acd, acd_rx) = crossbeam_channel::bounded(4096);
        Registry {
            acd,
            acd_rx: Mutex::new(Some(acd_rx)),
            acd_events_rx: Mutex::new(Some(bus.acd_tap())),
            cdr_extras: Mutex::new(std::collections::HashMap::new()),
            cdr: crate::cdr::CdrLink::new(&config.cdr),
            cdr_index: Arc::new(Mutex::new(crate::cdr::index::CdrIndex::new(
                config.cdr.index_max,
            ))),
            calls: Mutex::new(CallTable::default()),
            ivr_events_rx: Mutex::new(Some(bus.tap())),
            bus,
            flows: RwLock::new(Arc::new(crate::ivr::flow::FlowSet::default())),
            flow_errors: Mutex::new(Vec::new()),
            ivr,
            ivr_rx: Mutex::new(Some(ivr_rx)),
            owners: Mutex::new(std::collections::HashMap::new()),
            no_record: Mutex::new(std::collections::HashMap::new()),
            pri: Mutex::new(std::collections::BTreeMap::new()),
            drx,
            drx_rx: Mutex::new(Some(drx_rx)),
            sig,
            sig_rx: Mutex::new(Some(sig_rx)),
            media_events,
            media_events_rx: Mutex::new(Some(media_events_rx)),
            media: Mutex::new(crate::mediasvc::MediaBook::new(&config.media)),
            recorder,
            confs: Mutex::new(crate::confbook::ConfBook::default()),
            record_writer: Mutex::new(record_writer),
            record_events_rx: Mutex::new(Some(record_events_rx)),
            started: Instant::now(),
            config: RwLock::new(config),
            boards: RwLock::new(Vec::new()),
            reloads: AtomicU64::new(0),
            failed_reloads: AtomicU64::new(0),
        }
    }

    /// What a board thread's media engine sends its output to.
    pub fn media_links(&self) -> MediaLinks {
        MediaLinks {
            events: self.media_events.clone(),
            recorder: self.recorder.clone(),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        match self.config.read() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The IVR flows in force.
    pub fn flows(&self) -> Arc<crate::ivr::flow::FlowSet> {
        match self.flows.read() {
            Ok(f) => f.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Note something in the CDR of call `call` while it is in progress
    /// (IVR path, digits, variables, recordings...). Returns false, noting
    /// nothing, when the call is not in progress (its CDR is written).
    ///
    /// Takes the `calls` lock and then `cdr_extras`: do not call it while
    /// holding either.
    pub fn cdr_note(&self, call: u64, f: impl FnOnce(&mut crate::cdr::CdrExtras)) -> bool {
        let calls = lock(&self.calls);
        if !calls.active.contains_key(&call) {
            return false;
        }
        f(lock(&self.cdr_extras).entry(call).or_default());
        true
    }

    /// A snapshot of the board views.
    pub fn boards(&self) -> Vec<BoardView> {
        match self.boards.read() {
            Ok(b) => b.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

/// Lock a mutex, recovering the data if a thread panicked while holding it.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
