//! The prompt cache and prompt name resolution (control thread only).

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::load::{self, kind_of};
use super::{Prompt, PromptError, EXTENSIONS};

/// Counters of a [`PromptCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to decode the file (first use, change or eviction).
    pub misses: u64,
    /// Misses caused by a cached file whose size or mtime changed.
    pub reloads: u64,
    /// Prompts dropped from the cache to stay under the byte budget.
    pub evictions: u64,
    /// Decoded bytes held now.
    pub bytes: usize,
    /// Prompts held now.
    pub entries: usize,
}

struct Entry {
    prompt: Arc<Prompt>,
    mtime: Option<SystemTime>,
    len: u64,
    last_used: u64,
}

/// Decoded prompts by canonical path, with least-recently-used eviction over
/// a byte budget.
///
/// A file is decoded once; later [`get`](Self::get)s return the same
/// `Arc<Prompt>` until the file's size or modification time changes, when it
/// is decoded again. Evicting only drops the cache's `Arc`: a channel still
/// playing the prompt keeps its own reference. Lives on a control thread
/// (it reads files and allocates); the board thread only sees the `Arc`s.
pub struct PromptCache {
    max_bytes: usize,
    entries: HashMap<PathBuf, Entry>,
    /// `last_used` stamp -> path, oldest first.
    order: BTreeMap<u64, PathBuf>,
    clock: u64,
    stats: CacheStats,
}

impl PromptCache {
    /// An empty cache that holds at most `max_bytes` of decoded samples.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            entries: HashMap::new(),
            order: BTreeMap::new(),
            clock: 0,
            stats: CacheStats::default(),
        }
    }

    /// The prompt at `path`, from the cache or freshly decoded.
    ///
    /// The path is canonicalised first, so `a/../b.wav` and a symlink to
    /// `b.wav` share one entry. A prompt larger than the whole budget is
    /// returned but not kept.
    pub fn get(&mut self, path: &Path) -> Result<Arc<Prompt>, PromptError> {
        let io = |source| PromptError::Io {
            path: path.to_path_buf(),
            source,
        };
        let canonical = std::fs::canonicalize(path).map_err(io)?;
        let meta = std::fs::metadata(&canonical).map_err(io)?;
        let (mtime, len) = (meta.modified().ok(), meta.len());
        self.clock += 1;
        let now = self.clock;

        let mut changed = false;
        if let Some(entry) = self.entries.get_mut(&canonical) {
            if entry.mtime == mtime && entry.len == len && mtime.is_some() {
                self.order.remove(&entry.last_used);
                entry.last_used = now;
                self.order.insert(now, canonical);
                self.stats.hits += 1;
                return Ok(Arc::clone(&entry.prompt));
            }
            changed = true;
        }
        if changed {
            self.remove(&canonical);
            self.stats.reloads += 1;
        }
        self.stats.misses += 1;
        let prompt = Arc::new(load::load(&canonical).map_err(|e| relabel(e, path))?);
        let size = prompt.byte_size();
        if size <= self.max_bytes {
            self.entries.insert(
                canonical.clone(),
                Entry {
                    prompt: Arc::clone(&prompt),
                    mtime,
                    len,
                    last_used: now,
                },
            );
            self.order.insert(now, canonical);
            self.stats.bytes += size;
            self.evict();
        }
        self.stats.entries = self.entries.len();
        Ok(prompt)
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.entries.len(),
            ..self.stats
        }
    }

    /// The byte budget.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Whether the file at this canonical path is cached now.
    pub fn contains(&self, canonical: &Path) -> bool {
        self.entries.contains_key(canonical)
    }

    /// Drops every cached prompt (channels keep the ones they play).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.stats.bytes = 0;
        self.stats.entries = 0;
    }

    fn remove(&mut self, canonical: &Path) {
        if let Some(old) = self.entries.remove(canonical) {
            self.order.remove(&old.last_used);
            self.stats.bytes -= old.prompt.byte_size();
        }
    }

    /// Drops least recently used prompts until the budget is met.
    fn evict(&mut self) {
        while self.stats.bytes > self.max_bytes {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some(old) = self.entries.remove(&oldest) {
                self.stats.bytes -= old.prompt.byte_size();
                self.stats.evictions += 1;
            }
        }
    }
}

/// Reports errors under the path the caller asked for, not the canonical one.
fn relabel(e: PromptError, asked: &Path) -> PromptError {
    let path = asked.to_path_buf();
    match e {
        PromptError::Io { source, .. } => PromptError::Io { path, source },
        PromptError::UnknownExtension { ext, .. } => PromptError::UnknownExtension { path, ext },
        PromptError::NotWav { what, .. } => PromptError::NotWav { path, what },
        PromptError::Truncated { what, .. } => PromptError::Truncated { path, what },
        PromptError::Malformed { what, .. } => PromptError::Malformed { path, what },
        PromptError::Unsupported { what, .. } => PromptError::Unsupported { path, what },
        PromptError::Empty { .. } => PromptError::Empty { path },
        PromptError::TooLarge { bytes, max, .. } => PromptError::TooLarge { path, bytes, max },
        PromptError::Escape { .. } => PromptError::Escape { path },
        PromptError::NotFound { tried, .. } => PromptError::NotFound { path, tried },
    }
}

/// Finds the prompt file for `name`, with or without its extension.
///
/// With a `base_dir` (the configured prompt directory) `name` must be a
/// relative path without `..`, so an API client cannot reach files outside
/// the directory; symbolic links placed inside the directory by the
/// administrator are followed. Without one, `name` is used as given.
///
/// If `name` already ends in a supported extension and exists, that file is
/// the answer; otherwise `name.wav`, `name.al`, ... are tried in the order
/// of [`EXTENSIONS`] and the first regular file wins.
pub fn resolve(base_dir: Option<&Path>, name: &str) -> Result<PathBuf, PromptError> {
    let rel = Path::new(name);
    let candidate = match base_dir {
        Some(base) => {
            let joined = base.join(rel);
            let escapes = name.is_empty()
                || rel.components().any(|c| {
                    matches!(
                        c,
                        Component::ParentDir | Component::RootDir | Component::Prefix(_)
                    )
                });
            if escapes {
                return Err(PromptError::Escape { path: joined });
            }
            joined
        }
        None => rel.to_path_buf(),
    };
    if kind_of(&candidate).is_ok() && candidate.is_file() {
        return Ok(candidate);
    }
    for ext in EXTENSIONS {
        let mut with_ext = candidate.clone().into_os_string();
        with_ext.push(".");
        with_ext.push(ext);
        let with_ext = PathBuf::from(with_ext);
        if with_ext.is_file() {
            return Ok(with_ext);
        }
    }
    Err(PromptError::NotFound {
        path: candidate,
        tried: format!("the name as given and .{}", EXTENSIONS.join(", .")),
    })
}
