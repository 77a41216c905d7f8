//! The writer thread: the only place recordings touch the disk.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::{RecordBlock, RecordChannels, RecordEvent, RecordSpec, StopReason, WriterMsg};

/// Default depth of the writer's queue, in messages: 8192 blocks of 20 ms
/// are 164 s of one channel, or 5.5 s for all 30 channels of an E1 span
/// recording at once.
pub const DEFAULT_QUEUE_BLOCKS: usize = 8192;

/// How long the writer sleeps when its queue is empty. The writer polls
/// instead of blocking in `recv` so that a board thread's `try_send` never
/// finds a parked receiver to wake, which would take the channel's lock.
const POLL: Duration = Duration::from_millis(5);

/// Size of a canonical 16-bit PCM WAV header; a file no larger holds no audio.
const WAV_HEADER_BYTES: u64 = 44;

/// Counters of a [`RecordWriter`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Blocks written to files.
    pub blocks_written: u64,
    /// Blocks (and closes) for unknown or failed recordings, discarded.
    pub blocks_discarded: u64,
    /// Recordings opened.
    pub opened: u64,
    /// Recordings completed (`Done`).
    pub done: u64,
    /// Recordings that failed (`Failed`).
    pub failed: u64,
}

#[derive(Default)]
struct Counters {
    blocks_written: AtomicU64,
    blocks_discarded: AtomicU64,
    opened: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> WriterStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        WriterStats {
            blocks_written: get(&self.blocks_written),
            blocks_discarded: get(&self.blocks_discarded),
            opened: get(&self.opened),
            done: get(&self.done),
            failed: get(&self.failed),
        }
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// The recording writer thread.
///
/// It receives [`WriterMsg`]s on a bounded channel and writes 16-bit PCM
/// WAV files at 8000 Hz (one channel, or two for
/// [`RecordChannels::Stereo`]). It never creates directories: a missing or
/// unwritable directory is an error.
///
/// Any I/O error (missing directory, permission, disk full) ends only that
/// recording with [`RecordEvent::Failed`]: the writer still tries to
/// finalise the header, keeps the file if it holds audio (everything
/// written before the error) and removes it if it holds no more than the
/// header (only ever a regular file: a symlink or device is left alone).
/// Later blocks for that id are discarded and counted. Other recordings and
/// the board thread are not affected.
///
/// Dropping it (or [`shutdown`](Self::shutdown)) drains the queue,
/// finalises recordings still open (reported `Done` with
/// [`StopReason::Stopped`]) and joins the thread.
pub struct RecordWriter {
    handle: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
}

impl RecordWriter {
    /// Starts the writer with a queue of [`DEFAULT_QUEUE_BLOCKS`]; events
    /// go to `events`. Returns the writer and the sender for the control
    /// and board threads (clone it freely).
    pub fn spawn(events: Sender<RecordEvent>) -> std::io::Result<(Self, Sender<WriterMsg>)> {
        Self::spawn_with_capacity(events, DEFAULT_QUEUE_BLOCKS)
    }

    /// As [`spawn`](Self::spawn), with a queue of `capacity` messages
    /// (at least 1).
    pub fn spawn_with_capacity(
        events: Sender<RecordEvent>,
        capacity: usize,
    ) -> std::io::Result<(Self, Sender<WriterMsg>)> {
        let (tx, rx) = crossbeam_channel::bounded(capacity.max(1));
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let mut state = State {
            rx,
            events,
            open: HashMap::new(),
            counters: Arc::clone(&counters),
        };
        let stop_flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("record-writer".into())
            .spawn(move || state.run(&stop_flag))?;
        Ok((
            Self {
                handle: Some(handle),
                stop,
                counters,
            },
            tx,
        ))
    }

    /// The counters so far.
    pub fn stats(&self) -> WriterStats {
        self.counters.snapshot()
    }

    /// Drains the queue, finalises open recordings, joins the thread and
    /// returns the final counters.
    pub fn shutdown(mut self) -> WriterStats {
        self.join();
        self.counters.snapshot()
    }

    fn join(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(handle) = self.handle.take() {
            if handle.join().is_err() {
                log::error!("record writer thread panicked");
            }
        }
    }
}

impl Drop for RecordWriter {
    fn drop(&mut self) {
        self.join();
    }
}

struct Recording {
    path: PathBuf,
    channels: RecordChannels,
    wav: hound::WavWriter<BufWriter<File>>,
    frames: u64,
}

struct State {
    rx: Receiver<WriterMsg>,
    events: Sender<RecordEvent>,
    open: HashMap<u32, Recording>,
    counters: Arc<Counters>,
}

impl State {
    fn run(&mut self, stop: &AtomicBool) {
        loop {
            match self.rx.try_recv() {
                Ok(msg) => self.handle(msg),
                Err(TryRecvError::Empty) => {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    std::thread::sleep(POLL);
                }
                Err(TryRecvError::Disconnected) => break,
            }
        }
        let ids: Vec<u32> = self.open.keys().copied().collect();
        for id in ids {
            self.close(id, StopReason::Stopped);
        }
    }

    fn handle(&mut self, msg: WriterMsg) {
        match msg {
            WriterMsg::Open { id, spec } => self.open(id, spec),
            WriterMsg::Block(block) => self.write(&block),
            WriterMsg::Close { id, reason } => self.close(id, reason),
        }
    }

    fn emit(&self, event: RecordEvent) {
        // Nobody listening is not the writer's problem.
        let _ = self.events.send(event);
    }

    fn open(&mut self, id: u32, spec: RecordSpec) {
        if let Some(old) = self.open.remove(&id) {
            self.fail(
                id,
                old,
                "recording id reused by a new Open before its Close".into(),
            );
        }
        if let Err(e) = spec.validate() {
            bump(&self.counters.failed);
            self.emit(RecordEvent::Failed {
                id,
                path: spec.path,
                error: e.to_string(),
            });
            return;
        }
        let wav_spec = hound::WavSpec {
            channels: spec.channels.wav_channels(),
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let opened = match File::create(&spec.path) {
            // Not created: nothing of ours to clean up.
            Err(e) => Err((false, format!("cannot create {}: {e}", spec.path.display()))),
            Ok(f) => hound::WavWriter::new(BufWriter::new(f), wav_spec)
                .map_err(|e| (true, format!("cannot write the WAV header: {e}"))),
        };
        let mut wav = match opened {
            Ok(wav) => wav,
            Err((created, error)) => {
                bump(&self.counters.failed);
                if created {
                    remove_if_empty(&spec.path);
                }
                self.emit(RecordEvent::Failed {
                    id,
                    path: spec.path,
                    error,
                });
                return;
            }
        };
        // Push the header to the disk now, so a full disk or a device that
        // refuses writes is reported at the start, not at the end.
        if let Err(e) = wav.flush() {
            let rec = Recording {
                path: spec.path,
                channels: spec.channels,
                wav,
                frames: 0,
            };
            self.fail(id, rec, format!("cannot write the WAV header: {e}"));
            return;
        }
        bump(&self.counters.opened);
        self.emit(RecordEvent::Started {
            id,
            path: spec.path.clone(),
        });
        self.open.insert(
            id,
            Recording {
                path: spec.path,
                channels: spec.channels,
                wav,
                frames: 0,
            },
        );
    }

    fn write(&mut self, block: &RecordBlock) {
        let Some(rec) = self.open.get_mut(&block.id) else {
            bump(&self.counters.blocks_discarded);
            return;
        };
        let len = usize::from(block.len).min(super::BLOCK_SAMPLES);
        let left = &block.left[..len];
        let right = &block.right[..len];
        let result = (|| -> Result<(), hound::Error> {
            for (&l, &r) in left.iter().zip(right) {
                match rec.channels {
                    RecordChannels::Mono => rec.wav.write_sample(l.saturating_add(r))?,
                    RecordChannels::Stereo => {
                        rec.wav.write_sample(l)?;
                        rec.wav.write_sample(r)?;
                    }
                    RecordChannels::RxOnly => rec.wav.write_sample(l)?,
                    RecordChannels::TxOnly => rec.wav.write_sample(r)?,
                }
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                rec.frames += len as u64;
                bump(&self.counters.blocks_written);
            }
            Err(e) => {
                if let Some(rec) = self.open.remove(&block.id) {
                    self.fail(block.id, rec, format!("write failed: {e}"));
                }
            }
        }
    }

    fn close(&mut self, id: u32, reason: StopReason) {
        let Some(rec) = self.open.remove(&id) else {
            bump(&self.counters.blocks_discarded);
            return;
        };
        let Recording {
            path, wav, frames, ..
        } = rec;
        if let Err(e) = wav.finalize() {
            bump(&self.counters.failed);
            remove_if_empty(&path);
            self.emit(RecordEvent::Failed {
                id,
                path,
                error: format!("cannot finalise the file: {e}"),
            });
            return;
        }
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        bump(&self.counters.done);
        self.emit(RecordEvent::Done {
            id,
            path,
            duration_ms: frames / 8,
            reason,
            bytes,
        });
    }

    /// Ends a recording after an error: finalises what it can, removes a
    /// file without audio, reports `Failed`.
    fn fail(&mut self, id: u32, rec: Recording, error: String) {
        let Recording { path, wav, .. } = rec;
        // Best effort: the error that brought us here usually repeats.
        let _ = wav.finalize();
        remove_if_empty(&path);
        bump(&self.counters.failed);
        self.emit(RecordEvent::Failed { id, path, error });
    }
}

/// Removes `path` if it is a regular file holding no more than a header.
fn remove_if_empty(path: &Path) {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_file() && meta.len() <= WAV_HEADER_BYTES {
            let _ = std::fs::remove_file(path);
        }
    }
}
