//! Reading a prompt file into memory and dispatching on its extension.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::{wav, Prompt, PromptError, PromptFormat};
use crate::media::g711::Law;

/// Largest prompt file [`load`] reads: 256 MiB, over an hour of 8 kHz PCM16.
/// It bounds the memory a wrong path (a disk image, a log) can make us take.
pub const MAX_PROMPT_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// What a file extension says the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Wav,
    Raw(Law),
    RawS16le,
}

/// The kind of file `path` is by its (case-insensitive) extension.
pub(crate) fn kind_of(path: &Path) -> Result<Kind, PromptError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "wav" => Ok(Kind::Wav),
        "al" | "alaw" | "a8" => Ok(Kind::Raw(Law::ALaw)),
        "ul" | "ulaw" | "mu" | "u8" => Ok(Kind::Raw(Law::MuLaw)),
        "sln" | "raw" => Ok(Kind::RawS16le),
        _ => Err(PromptError::UnknownExtension {
            path: path.to_path_buf(),
            ext,
        }),
    }
}

/// Loads and decodes a prompt file into 8 kHz linear samples.
///
/// The type comes from the extension (see [`super::EXTENSIONS`]):
///
/// * `.wav`: RIFF WAVE, 8000 Hz, mono, either 16-bit PCM (format tag 1 or
///   WAVE_FORMAT_EXTENSIBLE PCM) or 8-bit G.711 A-law (tag 6) / mu-law (tag 7);
/// * `.al`, `.alaw`, `.a8`: headerless A-law octets;
/// * `.ul`, `.ulaw`, `.mu`, `.u8`: headerless mu-law octets;
/// * `.sln`, `.raw`: headerless signed 16-bit little-endian samples.
///
/// G.711 octets are expanded with the ITU-T G.711 tables. This reads the
/// whole file and allocates: call it on a control thread, never on the board
/// thread. Any other rate, channel count or sample format, an empty,
/// truncated or malformed file is an error naming the file; hostile input
/// never panics.
pub fn load(path: &Path) -> Result<Prompt, PromptError> {
    let kind = kind_of(path)?;
    let bytes = read_limited(path)?;
    decode(path, kind, &bytes)
}

/// Decodes `bytes` as a file of `kind` named `path`.
pub(crate) fn decode(path: &Path, kind: Kind, bytes: &[u8]) -> Result<Prompt, PromptError> {
    let (format, samples) = match kind {
        Kind::Wav => wav::decode(path, bytes)?,
        Kind::Raw(law) => {
            if bytes.is_empty() {
                return Err(PromptError::Empty {
                    path: path.to_path_buf(),
                });
            }
            let mut out = vec![0i16; bytes.len()];
            law.decode(bytes, &mut out);
            let format = match law {
                Law::ALaw => PromptFormat::RawAlaw,
                Law::MuLaw => PromptFormat::RawUlaw,
            };
            (format, out)
        }
        Kind::RawS16le => {
            if bytes.is_empty() {
                return Err(PromptError::Empty {
                    path: path.to_path_buf(),
                });
            }
            if bytes.len() % 2 != 0 {
                return Err(PromptError::Truncated {
                    path: path.to_path_buf(),
                    what: format!(
                        "{} bytes is not a whole number of 16-bit samples",
                        bytes.len()
                    ),
                });
            }
            let out = bytes
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            (PromptFormat::RawS16le, out)
        }
    };
    Ok(Prompt::new(
        path.to_path_buf(),
        format,
        samples.into_boxed_slice(),
    ))
}

/// Reads the whole file, refusing files over [`MAX_PROMPT_FILE_BYTES`]
/// (checked while reading too, in case the file grows).
fn read_limited(path: &Path) -> Result<Vec<u8>, PromptError> {
    let io = |source| PromptError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is a directory, not a prompt file",
        )));
    }
    let too_large = |bytes| PromptError::TooLarge {
        path: path.to_path_buf(),
        bytes,
        max: MAX_PROMPT_FILE_BYTES,
    };
    if meta.len() > MAX_PROMPT_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_PROMPT_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_PROMPT_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}
