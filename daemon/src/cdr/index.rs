//! An in-memory index of the CDRs, for the questions asked while calls run:
//! "has this caller called before, and how did it go?" (the ACD's
//! screen-pop, the `history` request) and "which recordings match?" (the
//! `recordings` request).
//!
//! Loaded from the CDR file when trunkd starts ([`CdrIndex::load`]: lines
//! that are not records, such as one torn by a power cut, are skipped and
//! counted) and fed by the writer thread with every record it writes
//! ([`CdrIndex::insert_json`]). It keeps the newest `[cdr] index_max`
//! records; older ones drop out (they stay in the file).
//!
//! A caller's history holds the inbound calls whose calling number (ANI) is
//! theirs: an outbound call's ANI is trunkd's own number or, on a leg to an
//! agent, the caller's number presented again, neither of which is a call
//! the caller made. Calls with no ANI (withheld or not provided) have no
//! history.
//!
//! Lookups cost O(log n + what they return): a caller's calls are kept
//! sorted by arrival, the calls with recordings too.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::rfc3339_ms;

/// Records kept by default (`[cdr] index_max`).
pub const DEFAULT_INDEX_MAX: usize = 1_000_000;

/// One earlier call of a caller, newest first in [`CdrIndex::history`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// The call id.
    pub call: u64,
    /// When it arrived, RFC 3339 UTC (`2026-11-23T10:04:05.120Z`).
    pub start: String,
    /// When it arrived, Unix milliseconds.
    pub start_ms: u64,
    /// How it ended (`answered`, `abandoned`, `busy`... as in the CDR).
    pub disposition: String,
    /// Arrival to end, whole seconds (the CDR's `duration_ms` / 1000).
    pub duration_s: u64,
    /// The ACD queue it waited in, if any.
    pub queue: Option<String>,
    /// The agent who took it, if any.
    pub agent: Option<u32>,
    /// The number it called.
    pub dnis: String,
}

/// A call with recordings, as [`CdrIndex::recordings`] returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordingEntry {
    /// The call id.
    pub call: u64,
    /// When it arrived, RFC 3339 UTC.
    pub start: String,
    /// When it arrived, Unix milliseconds.
    pub start_ms: u64,
    /// Calling number.
    pub ani: String,
    /// Called number.
    pub dnis: String,
    /// The agent who took it, if any.
    pub agent: Option<u32>,
    /// The ACD queue it waited in, if any.
    pub queue: Option<String>,
    /// The recording files, in the order they were made.
    pub files: Vec<String>,
}

/// What [`CdrIndex::recordings`] looks for: calls that arrived in
/// `from_ms..to_ms` (Unix ms; from inclusive, to exclusive; `None`: open)
/// and match every filter given, newest first, at most `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordingQuery {
    /// Earliest arrival, inclusive.
    pub from_ms: Option<u64>,
    /// Latest arrival, exclusive.
    pub to_ms: Option<u64>,
    /// Only calls from this calling number.
    pub ani: Option<String>,
    /// Only calls to this called number.
    pub dnis: Option<String>,
    /// Only calls this agent took.
    pub agent: Option<u32>,
    /// Most entries returned.
    pub limit: usize,
}

impl Default for RecordingQuery {
    /// Everything, the newest 100.
    fn default() -> Self {
        RecordingQuery {
            from_ms: None,
            to_ms: None,
            ani: None,
            dnis: None,
            agent: None,
            limit: 100,
        }
    }
}

/// The index's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// Records held.
    pub records: usize,
    /// Most records held (`[cdr] index_max`).
    pub max: usize,
    /// Lines of the CDR file skipped when it was loaded (torn or not records).
    pub skipped: u64,
    /// Records dropped to stay within `max`.
    pub dropped: u64,
}

/// The fields of a CDR the index keeps (docs/api.md, "Call detail records").
#[derive(Deserialize)]
struct Line {
    call: u64,
    arrived_ms: u64,
    #[serde(default)]
    direction: Option<String>,
    #[serde(default)]
    ani: Option<String>,
    #[serde(default)]
    dnis: Option<String>,
    #[serde(default)]
    duration_ms: Option<u64>,
    #[serde(default)]
    disposition: Option<String>,
    #[serde(default)]
    queue: Option<String>,
    #[serde(default)]
    agent: Option<u32>,
    #[serde(default)]
    recordings: Option<Vec<String>>,
}

/// One record as held.
struct Entry {
    call: u64,
    start_ms: u64,
    duration_ms: u64,
    inbound: bool,
    ani: Arc<str>,
    dnis: Box<str>,
    disposition: Arc<str>,
    queue: Option<Arc<str>>,
    agent: Option<u32>,
    files: Box<[Box<str>]>,
}

/// A record's place: its arrival, then its position in the index (so that
/// calls arriving in the same millisecond stay apart and in order).
type Key = (u64, u64);

/// A caller's calls, sorted by [`Key`]. Most callers call once: their one
/// call is held without an allocation of its own.
enum Calls {
    One(Key),
    Many(VecDeque<Key>),
}

impl Calls {
    fn add(&mut self, key: Key) {
        let list = match self {
            Calls::One(k) => {
                *self = Calls::Many(VecDeque::from([*k]));
                match self {
                    Calls::Many(l) => l,
                    Calls::One(_) => return,
                }
            }
            Calls::Many(l) => l,
        };
        // Records come nearly in arrival order: the search ends at the back.
        let at = list.partition_point(|k| *k < key);
        list.insert(at, key);
    }

    /// Forget `key`; true when no call is left.
    fn remove(&mut self, key: Key) -> bool {
        match self {
            Calls::One(k) => *k == key,
            Calls::Many(l) => {
                if let Ok(i) = l.binary_search(&key) {
                    l.remove(i);
                }
                l.is_empty()
            }
        }
    }

    /// Newest first.
    fn newest(&self) -> impl Iterator<Item = &Key> {
        let (one, many) = match self {
            Calls::One(k) => (Some(k), None),
            Calls::Many(l) => (None, Some(l.iter().rev())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

/// The index. Shared as `Registry::cdr_index` (`Arc<Mutex<CdrIndex>>`).
pub struct CdrIndex {
    max: usize,
    /// Position of `entries[0]`; positions count every record ever added.
    first: u64,
    entries: VecDeque<Entry>,
    /// Inbound calls by ANI, sorted by [`Key`].
    by_ani: HashMap<Arc<str>, Calls>,
    /// Calls with recordings.
    recorded: BTreeSet<Key>,
    /// Dispositions and queue names, stored once.
    names: HashSet<Arc<str>>,
    skipped: u64,
    dropped: u64,
}

impl CdrIndex {
    /// An empty index that keeps at most `max` records (0: none).
    pub fn new(max: usize) -> CdrIndex {
        CdrIndex {
            max,
            first: 0,
            entries: VecDeque::new(),
            by_ani: HashMap::new(),
            recorded: BTreeSet::new(),
            names: HashSet::new(),
            skipped: 0,
            dropped: 0,
        }
    }

    /// An index of at most `max` records loaded from `reader` (a CDR file,
    /// oldest record first). Lines that are not CDRs (torn, garbage, not
    /// UTF-8) are skipped and counted; blank lines are ignored.
    pub fn load(reader: impl BufRead, max: usize) -> io::Result<CdrIndex> {
        let mut ix = CdrIndex::new(max);
        let mut reader = reader;
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Line>(&line) {
                Ok(l) => ix.insert(l),
                Err(_) => ix.skipped += 1,
            }
        }
        Ok(ix)
    }

    /// [`CdrIndex::load`] from the file at `path`; a file that does not
    /// exist yet holds no records.
    pub fn load_path(path: &Path, max: usize) -> io::Result<CdrIndex> {
        match File::open(path) {
            Ok(f) => CdrIndex::load(BufReader::with_capacity(1 << 20, f), max),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(CdrIndex::new(max)),
            Err(e) => Err(e),
        }
    }

    /// Add a record (a CDR as [`super::cdr_json`] makes it). Returns false,
    /// adding nothing, when it lacks `call` or `arrived_ms`.
    pub fn insert_json(&mut self, record: &Value) -> bool {
        match Line::deserialize(record) {
            Ok(l) => {
                self.insert(l);
                true
            }
            Err(_) => false,
        }
    }

    /// Keep at most `max` records from now on, dropping the oldest beyond.
    pub fn set_max(&mut self, max: usize) {
        self.max = max;
        while self.entries.len() > self.max {
            self.drop_oldest();
        }
    }

    /// The index's figures.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            records: self.entries.len(),
            max: self.max,
            skipped: self.skipped,
            dropped: self.dropped,
        }
    }

    /// The newest `limit` inbound calls from `ani`, newest arrival first.
    /// An empty `ani` has no history.
    pub fn history(&self, ani: &str, limit: usize) -> Vec<HistoryEntry> {
        if ani.is_empty() {
            return Vec::new();
        }
        let Some(keys) = self.by_ani.get(ani) else {
            return Vec::new();
        };
        keys.newest()
            .take(limit)
            .filter_map(|&(_, pos)| self.entry(pos))
            .map(|e| HistoryEntry {
                call: e.call,
                start: rfc3339_ms(e.start_ms),
                start_ms: e.start_ms,
                disposition: e.disposition.to_string(),
                duration_s: e.duration_ms / 1000,
                queue: e.queue.as_deref().map(str::to_owned),
                agent: e.agent,
                dnis: e.dnis.to_string(),
            })
            .collect()
    }

    /// The calls with recordings that match `q`, newest arrival first.
    pub fn recordings(&self, q: &RecordingQuery) -> Vec<RecordingEntry> {
        let from = (q.from_ms.unwrap_or(0), 0);
        let Some(to) = q.to_ms.map_or(Some(u64::MAX), |t| t.checked_sub(1)) else {
            return Vec::new();
        };
        if q.limit == 0 || from.0 > to {
            return Vec::new();
        }
        self.recorded
            .range(from..=(to, u64::MAX))
            .rev()
            .filter_map(|&(_, pos)| self.entry(pos))
            .filter(|e| q.ani.as_deref().is_none_or(|a| *e.ani == *a))
            .filter(|e| q.dnis.as_deref().is_none_or(|d| *e.dnis == *d))
            .filter(|e| q.agent.is_none_or(|a| e.agent == Some(a)))
            .take(q.limit)
            .map(|e| RecordingEntry {
                call: e.call,
                start: rfc3339_ms(e.start_ms),
                start_ms: e.start_ms,
                ani: e.ani.to_string(),
                dnis: e.dnis.to_string(),
                agent: e.agent,
                queue: e.queue.as_deref().map(str::to_owned),
                files: e.files.iter().map(|f| f.to_string()).collect(),
            })
            .collect()
    }

    fn entry(&self, pos: u64) -> Option<&Entry> {
        let i = usize::try_from(pos.checked_sub(self.first)?).ok()?;
        self.entries.get(i)
    }

    /// One name stored once.
    fn name(&mut self, s: &str) -> Arc<str> {
        if let Some(n) = self.names.get(s) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(s);
        self.names.insert(n.clone());
        n
    }

    fn insert(&mut self, l: Line) {
        if self.max == 0 {
            self.dropped += 1;
            return;
        }
        while self.entries.len() >= self.max {
            self.drop_oldest();
        }
        let pos = self.first + self.entries.len() as u64;
        let key = (l.arrived_ms, pos);
        let ani_text = l.ani.unwrap_or_default();
        let inbound = l.direction.as_deref() == Some("in");
        // The ANI is stored once, shared with its history list.
        let ani: Arc<str> = match self.by_ani.get_key_value(ani_text.as_str()) {
            Some((k, _)) => k.clone(),
            None => Arc::from(ani_text),
        };
        if inbound && !ani.is_empty() {
            match self.by_ani.get_mut(&*ani) {
                Some(calls) => calls.add(key),
                None => {
                    self.by_ani.insert(ani.clone(), Calls::One(key));
                }
            }
        }
        let files: Box<[Box<str>]> = l
            .recordings
            .unwrap_or_default()
            .into_iter()
            .map(String::into_boxed_str)
            .collect();
        if !files.is_empty() {
            self.recorded.insert(key);
        }
        let disposition = self.name(l.disposition.as_deref().unwrap_or("unknown"));
        let queue = l.queue.as_deref().map(|q| self.name(q));
        self.entries.push_back(Entry {
            call: l.call,
            start_ms: l.arrived_ms,
            duration_ms: l.duration_ms.unwrap_or(0),
            inbound,
            ani,
            dnis: l.dnis.unwrap_or_default().into_boxed_str(),
            disposition,
            queue,
            agent: l.agent,
            files,
        });
    }

    fn drop_oldest(&mut self) {
        let Some(e) = self.entries.pop_front() else {
            return;
        };
        let key = (e.start_ms, self.first);
        self.first += 1;
        self.dropped += 1;
        if !e.files.is_empty() {
            self.recorded.remove(&key);
        }
        let indexed = e.inbound && !e.ani.is_empty();
        if indexed
            && self
                .by_ani
                .get_mut(&*e.ani)
                .is_some_and(|calls| calls.remove(key))
        {
            self.by_ani.remove(&*e.ani);
        }
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
