//! The CDR writer thread.
//!
//! Every ended call arrives as [`CdrMsg::Ended`]: the record gets the next
//! sequence number, is appended to the CDR file as one line (one `write`
//! on a file opened with `O_APPEND`) and, with `fsync` on, synced with
//! `sync_data()`. Only then is the call's `call_cleared` event published,
//! so a client that saw a call end can rely on its record being on disk: a
//! daemon killed with SIGKILL after that loses nothing.
//!
//! When the write fails (directory unwritable, disk full...) the error is
//! logged with the path and errno and counted, the record is kept in an
//! in-memory backlog ([`BACKLOG`] records, oldest dropped beyond that), a
//! `cdr_failed` event is published, and `call_cleared` is published all the
//! same: calls never wait for the disk. The backlog is retried, in order,
//! before every later record and every second; a write that fails half-way
//! is cut back off the file so no torn line stays behind.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use serde_json::{json, Value};

use super::index::CdrIndex;
use super::read;
use crate::registry::lock;

/// Records kept in memory while the CDR file cannot be written.
pub const BACKLOG: usize = 10_000;
/// Ended calls queued towards the writer thread.
pub const CDR_QUEUE: usize = 4096;
/// How often the backlog is retried when no call ends.
const RETRY: Duration = Duration::from_secs(1);

/// A message to the writer thread.
pub enum CdrMsg {
    /// A call ended: write `record` (its `seq` is set here), then publish
    /// `event` (the `call_cleared` event; `cdr_seq` is set here).
    Ended {
        /// The CDR ([`super::cdr_json`]).
        record: Value,
        /// The event announcing the end of the call.
        event: Value,
    },
    /// The configuration changed: write to `path` from now on (the backlog
    /// goes there too).
    Reopen {
        /// The new CDR file.
        path: PathBuf,
        /// Sync every record.
        fsync: bool,
    },
    /// Write what is queued, then stop.
    Stop,
}

/// A record not written yet.
#[derive(Clone, Debug)]
pub struct Pending {
    /// Its call.
    pub call: Option<u64>,
    /// Its line (with the newline).
    pub line: String,
}

/// The writer's state as the API shows it.
#[derive(Debug, Clone, Default)]
pub struct WriterState {
    /// The CDR file.
    pub path: PathBuf,
    /// Records are synced.
    pub fsync: bool,
    /// The last write error, until a write succeeds.
    pub last_error: Option<String>,
    /// Records waiting to be written, oldest first.
    pub backlog: VecDeque<Pending>,
}

/// Counters and state shared with the API.
#[derive(Debug, Default)]
pub struct CdrStats {
    /// Records written.
    pub written: AtomicU64,
    /// Failed attempts to write a new record (`cdr_write_errors`).
    pub write_errors: AtomicU64,
    /// Records dropped from a full backlog (each one is in the log).
    pub lost: AtomicU64,
    /// Records the signalling thread could not queue (each one is in the log).
    pub unqueued: AtomicU64,
    /// Sequence number of the last record.
    pub last_seq: AtomicU64,
    /// The writer thread runs.
    pub running: AtomicBool,
    /// Path, last error and backlog.
    pub state: Mutex<WriterState>,
}

impl CdrStats {
    /// Stats of a writer on `path`.
    pub fn new(path: PathBuf, fsync: bool) -> CdrStats {
        CdrStats {
            state: Mutex::new(WriterState {
                path,
                fsync,
                ..WriterState::default()
            }),
            ..CdrStats::default()
        }
    }

    /// The current CDR file.
    pub fn path(&self) -> PathBuf {
        lock(&self.state).path.clone()
    }
}

/// The running writer thread.
pub struct CdrWriter {
    tx: Sender<CdrMsg>,
    stats: Arc<CdrStats>,
    thread: Option<JoinHandle<()>>,
}

impl CdrWriter {
    /// Start a writer on `path` that hands events to `publish`; returns it
    /// and the sender for [`CdrMsg`]s. (The daemon starts its writer on the
    /// registry's queue with [`CdrWriter::spawn_on`], through `cdr::start`.)
    #[cfg(test)]
    pub fn spawn<P>(
        path: PathBuf,
        fsync: bool,
        publish: P,
    ) -> io::Result<(CdrWriter, Sender<CdrMsg>)>
    where
        P: Fn(Value) + Send + 'static,
    {
        let (tx, rx) = crossbeam_channel::bounded(CDR_QUEUE);
        let stats = Arc::new(CdrStats::new(path, fsync));
        let w = CdrWriter::spawn_on(tx.clone(), rx, stats, None, publish)?;
        Ok((w, tx))
    }

    /// Start a writer reading `rx` (`tx` is its other end), with the file
    /// and counters of `stats`; every record also goes into `index`, if
    /// given, before its call is reported ended.
    pub fn spawn_on<P>(
        tx: Sender<CdrMsg>,
        rx: Receiver<CdrMsg>,
        stats: Arc<CdrStats>,
        index: Option<Arc<Mutex<CdrIndex>>>,
        publish: P,
    ) -> io::Result<CdrWriter>
    where
        P: Fn(Value) + Send + 'static,
    {
        let (path, fsync) = {
            let st = lock(&stats.state);
            (st.path.clone(), st.fsync)
        };
        let mut w = Worker {
            path,
            fsync,
            file: None,
            torn: false,
            seq: 0,
            failing: false,
            stats: stats.clone(),
            index,
            publish,
        };
        stats.running.store(true, Ordering::Relaxed);
        let s = stats.clone();
        let thread = std::thread::Builder::new()
            .name("cdr".into())
            .spawn(move || {
                w.start();
                w.run(&rx);
                w.stats.running.store(false, Ordering::Relaxed);
            })
            .inspect_err(|_| s.running.store(false, Ordering::Relaxed))?;
        Ok(CdrWriter {
            tx,
            stats,
            thread: Some(thread),
        })
    }

    /// Counters and state.
    #[cfg(test)]
    pub fn stats(&self) -> Arc<CdrStats> {
        self.stats.clone()
    }

    /// Write everything queued before this call, then stop the thread.
    pub fn stop(mut self) {
        let _ = self.tx.send(CdrMsg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        log::info!(
            "CDR writer stopped: {} records written, {} write errors, last seq {}",
            self.stats.written.load(Ordering::Relaxed),
            self.stats.write_errors.load(Ordering::Relaxed),
            self.stats.last_seq.load(Ordering::Relaxed)
        );
    }
}

struct Worker<P> {
    path: PathBuf,
    fsync: bool,
    file: Option<File>,
    /// The open file does not end with a newline.
    torn: bool,
    seq: u64,
    /// The last write failed (recovery is logged once).
    failing: bool,
    stats: Arc<CdrStats>,
    /// The in-memory index fed with every record.
    index: Option<Arc<Mutex<CdrIndex>>>,
    publish: P,
}

/// An I/O error with its errno name: `EACCES: Permission denied (os error 13)`.
fn describe(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => format!("{:?}: {e}", nix::errno::Errno::from_raw(n)),
        None => e.to_string(),
    }
}

impl<P: Fn(Value)> Worker<P> {
    /// Open the file at once, to continue its numbering and report a bad
    /// path early.
    fn start(&mut self) {
        if let Err(e) = self.file() {
            self.failing = true;
            let msg = describe(&e);
            log::error!(
                "CDR file {} cannot be opened: {msg}; records are kept in memory until it can",
                self.path.display()
            );
            lock(&self.stats.state).last_error = Some(msg);
        } else {
            log::info!(
                "CDRs to {} (fsync {}), continuing at seq {}",
                self.path.display(),
                if self.fsync { "on" } else { "off" },
                self.seq + 1
            );
        }
    }

    fn run(&mut self, rx: &Receiver<CdrMsg>) {
        loop {
            match rx.recv_timeout(RETRY) {
                Ok(CdrMsg::Ended { record, event }) => self.ended(record, event),
                Ok(CdrMsg::Reopen { path, fsync }) => self.reopen(path, fsync),
                Ok(CdrMsg::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    if !lock(&self.stats.state).backlog.is_empty() {
                        let _ = self.flush();
                    }
                }
            }
        }
        // Whatever is still queued (nothing should be: the signalling
        // thread has stopped) is written before leaving.
        while let Ok(m) = rx.try_recv() {
            if let CdrMsg::Ended { record, event } = m {
                self.ended(record, event);
            }
        }
        let left: Vec<Pending> = lock(&self.stats.state).backlog.drain(..).collect();
        for p in &left {
            log::error!(
                "CDR never written to {} (kept here instead): {}",
                self.path.display(),
                p.line.trim_end()
            );
        }
    }

    fn ended(&mut self, mut record: Value, mut event: Value) {
        self.seq += 1;
        let seq = self.seq;
        record["seq"] = json!(seq);
        event["cdr_seq"] = json!(seq);
        let call = record["call"].as_u64();
        let mut line = record.to_string();
        line.push('\n');
        {
            let mut st = lock(&self.stats.state);
            st.backlog.push_back(Pending { call, line });
            if st.backlog.len() > BACKLOG {
                if let Some(old) = st.backlog.pop_front() {
                    self.stats.lost.fetch_add(1, Ordering::Relaxed);
                    log::error!(
                        "CDR backlog full ({BACKLOG}); dropping the oldest record: {}",
                        old.line.trim_end()
                    );
                }
            }
        }
        if let Err(e) = self.flush() {
            self.stats.write_errors.fetch_add(1, Ordering::Relaxed);
            let msg = describe(&e);
            let waiting = lock(&self.stats.state).backlog.len();
            log::error!(
                "CDR of call {} (seq {seq}) not written to {}: {msg}; {waiting} records kept in memory",
                call.map_or("?".into(), |c| c.to_string()),
                self.path.display()
            );
            (self.publish)(json!({
                "event": "cdr_failed",
                "call": call,
                "seq": seq,
                "path": self.path,
                "error": msg,
                "backlog": waiting,
            }));
        }
        self.stats.last_seq.store(seq, Ordering::Relaxed);
        // Indexed whether or not it reached the disk yet: a client that saw
        // the call end finds it in `history` (`recordings`).
        if let Some(ix) = &self.index {
            lock(ix).insert_json(&record);
        }
        (self.publish)(event);
    }

    /// Write the backlog, oldest first; stops at the first failure.
    fn flush(&mut self) -> io::Result<()> {
        let mut n = 0u64;
        let r = loop {
            let Some(line) = lock(&self.stats.state)
                .backlog
                .front()
                .map(|p| p.line.clone())
            else {
                break Ok(());
            };
            if let Err(e) = self.append(line.as_bytes()) {
                break Err(e);
            }
            lock(&self.stats.state).backlog.pop_front();
            self.stats.written.fetch_add(1, Ordering::Relaxed);
            n += 1;
        };
        match &r {
            Ok(()) => {
                if self.failing {
                    self.failing = false;
                    log::info!(
                        "CDR file {} writable again; {n} waiting records written",
                        self.path.display()
                    );
                }
                lock(&self.stats.state).last_error = None;
            }
            Err(e) => {
                self.failing = true;
                lock(&self.stats.state).last_error = Some(describe(e));
            }
        }
        r
    }

    /// Append one line; on failure cut the file back to where it was.
    fn append(&mut self, line: &[u8]) -> io::Result<()> {
        let fsync = self.fsync;
        let torn = self.torn;
        let f = self.file()?;
        let before = f.metadata()?.len();
        let mut buf = Vec::with_capacity(line.len() + 1);
        if torn {
            // End the torn line left by a crash so this record stands alone.
            buf.push(b'\n');
        }
        buf.extend_from_slice(line);
        let r = f
            .write_all(&buf)
            .and_then(|()| if fsync { f.sync_data() } else { Ok(()) });
        match r {
            Ok(()) => {
                self.torn = false;
                Ok(())
            }
            Err(e) => {
                let _ = f.set_len(before);
                self.file = None;
                Err(e)
            }
        }
    }

    /// The open file, opening (and creating) it when needed.
    fn file(&mut self) -> io::Result<&mut File> {
        if self.file.is_none() {
            let f = open(&self.path, self.fsync)?;
            let end = read::file_end(&f)?;
            self.seq = self.seq.max(end.last_seq);
            self.torn = end.torn;
            self.file = Some(f);
        }
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("CDR file not open"))
    }

    /// Open `path` afresh, even if it is the same name: after a reload the
    /// old file may have been renamed away (rotation).
    fn reopen(&mut self, path: PathBuf, fsync: bool) {
        if path != self.path || fsync != self.fsync {
            log::info!(
                "CDRs now to {} (was {}), fsync {}",
                path.display(),
                self.path.display(),
                if fsync { "on" } else { "off" }
            );
        }
        self.path = path.clone();
        self.fsync = fsync;
        self.file = None;
        {
            let mut st = lock(&self.stats.state);
            st.path = path;
            st.fsync = fsync;
        }
        match self.file() {
            Ok(_) => {
                let _ = self.flush();
            }
            Err(e) => {
                self.failing = true;
                let msg = describe(&e);
                log::error!("CDR file {} cannot be opened: {msg}", self.path.display());
                lock(&self.stats.state).last_error = Some(msg);
            }
        }
    }
}

/// Open `path` for appending, creating it and its directory; a new file's
/// directory entry is synced when `fsync` is on.
fn open(path: &Path, fsync: bool) -> io::Result<File> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir {
        std::fs::create_dir_all(d).map_err(|e| {
            let what = if d.exists() && !d.is_dir() {
                "exists and is not a directory"
            } else {
                "cannot be created"
            };
            io::Error::new(
                e.kind(),
                format!("directory {} {what}: {}", d.display(), describe(&e)),
            )
        })?;
    }
    let existed = path.exists();
    let f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    if !existed && fsync {
        if let Some(d) = dir {
            File::open(d)?.sync_all()?;
        }
    }
    Ok(f)
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
