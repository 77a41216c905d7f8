//! Prompts: loading audio files, caching them and playing them on a channel.
//!
//! * [`load`] decodes a file (WAV PCM16, WAV A-law/mu-law, raw G.711, raw
//!   s16le) into 8 kHz linear samples, off the hot path. Anything else is a
//!   [`PromptError`] that names the file, what is wrong and what is expected.
//! * [`PromptCache`] keeps decoded prompts by canonical path, reloads a file
//!   whose size or mtime changed and evicts the least recently used ones over
//!   a byte budget.
//! * [`Player`] plays a fixed-size [`Playlist`] on the board thread without
//!   allocating.
//!
//! G.711 expansion follows ITU-T G.711 (1988) tables 1 and 2 via
//! [`crate::media::g711`].

use std::path::{Path, PathBuf};

mod cache;
mod load;
mod player;
pub mod synth;
mod wav;

pub use cache::{resolve, CacheStats, PromptCache};
pub use load::{load, MAX_PROMPT_FILE_BYTES};
pub use player::{
    PlayItem, PlayState, Player, Playlist, PlaylistError, MAX_GAIN_DB, MAX_PLAYLIST, MIN_GAIN_DB,
};

/// Sample rate of every prompt, Hz (G.711 channels, ITU-T G.711 clause 1).
pub const SAMPLE_RATE: u32 = 8000;

/// Samples per millisecond at [`SAMPLE_RATE`].
pub const SAMPLES_PER_MS: usize = 8;

/// File extensions [`load`] understands, in the order [`resolve`] tries them.
pub const EXTENSIONS: &[&str] = &[
    "wav", "al", "alaw", "a8", "ul", "ulaw", "mu", "u8", "sln", "raw",
];

/// How a prompt was stored on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptFormat {
    /// RIFF WAVE, 16-bit linear PCM (format tag 1 or extensible PCM).
    WavPcm16,
    /// RIFF WAVE, G.711 A-law (format tag 6).
    WavAlaw,
    /// RIFF WAVE, G.711 mu-law (format tag 7).
    WavUlaw,
    /// Headerless G.711 A-law octets.
    RawAlaw,
    /// Headerless G.711 mu-law octets.
    RawUlaw,
    /// Headerless signed 16-bit little-endian linear samples.
    RawS16le,
    /// Built in memory with [`Prompt::from_samples`].
    Memory,
}

/// A decoded prompt: 8 kHz mono linear samples.
#[derive(Debug)]
pub struct Prompt {
    samples: Box<[i16]>,
    source: PathBuf,
    format: PromptFormat,
}

impl Prompt {
    pub(crate) fn new(source: PathBuf, format: PromptFormat, samples: Box<[i16]>) -> Self {
        Self {
            samples,
            source,
            format,
        }
    }

    /// A prompt made from samples already in memory (synthesised speech,
    /// tones, tests). `source` is only a label.
    pub fn from_samples(source: impl Into<PathBuf>, samples: Vec<i16>) -> Self {
        Self::new(
            source.into(),
            PromptFormat::Memory,
            samples.into_boxed_slice(),
        )
    }

    /// The 8 kHz linear samples.
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// Length in milliseconds (whole milliseconds, rounded down).
    pub fn duration_ms(&self) -> u64 {
        self.samples.len() as u64 / SAMPLES_PER_MS as u64
    }

    /// The file it was loaded from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// How it was stored on disk.
    pub fn format(&self) -> PromptFormat {
        self.format
    }

    /// Memory the decoded samples take, in bytes (what the cache budgets).
    pub fn byte_size(&self) -> usize {
        std::mem::size_of_val(&*self.samples)
    }
}

/// Why a prompt could not be loaded or found. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// The file could not be opened, read or inspected.
    #[error("prompt {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The extension is not one of [`EXTENSIONS`].
    #[error(
        "prompt {path}: unknown file type {ext:?}; expected .wav (8 kHz mono 16-bit PCM, A-law or \
         mu-law), .al/.alaw/.a8 (raw A-law), .ul/.ulaw/.mu/.u8 (raw mu-law) or .sln/.raw \
         (raw 8 kHz s16le)"
    )]
    UnknownExtension {
        /// The file.
        path: PathBuf,
        /// Its extension ("" when it has none).
        ext: String,
    },
    /// A `.wav` file that does not start with a RIFF/WAVE header.
    #[error("prompt {path}: not a WAV file ({what}); expected a RIFF WAVE file")]
    NotWav {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        what: String,
    },
    /// The file ends before the data its headers announce.
    #[error("prompt {path}: truncated: {what}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// What is missing.
        what: String,
    },
    /// The headers contradict themselves or miss a required chunk.
    #[error("prompt {path}: malformed: {what}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// A well-formed file in a format prompts do not support.
    #[error(
        "prompt {path}: unsupported format: {what}; prompts must be 8000 Hz mono (16-bit PCM, \
         A-law or mu-law); convert with: sox in.wav -r 8000 -c 1 -b 16 out.wav"
    )]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What the file is.
        what: String,
    },
    /// The file holds no samples.
    #[error("prompt {path}: empty: no audio samples")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is larger than [`MAX_PROMPT_FILE_BYTES`].
    #[error("prompt {path}: {bytes} bytes is larger than the {max} byte limit for prompts")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// [`resolve`] refused a name that would leave the prompt directory.
    #[error("prompt {path}: name escapes the prompt directory; use a relative name without '..'")]
    Escape {
        /// The name as given (joined to the base directory).
        path: PathBuf,
    },
    /// [`resolve`] found no file under any supported extension.
    #[error("prompt {path}: not found (tried {tried})")]
    NotFound {
        /// The name as given (joined to the base directory).
        path: PathBuf,
        /// The extensions tried.
        tried: String,
    },
}

impl PromptError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::UnknownExtension { path, .. }
            | Self::NotWav { path, .. }
            | Self::Truncated { path, .. }
            | Self::Malformed { path, .. }
            | Self::Unsupported { path, .. }
            | Self::Empty { path }
            | Self::TooLarge { path, .. }
            | Self::Escape { path }
            | Self::NotFound { path, .. } => path,
        }
    }
}
