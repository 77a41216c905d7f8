//! RIFF WAVE parsing for prompts.
//!
//! Why not only hound: hound 3.5 reads integer PCM and IEEE float (format
//! tags 1, 3 and extensible) but refuses G.711 A-law (tag 6) and mu-law
//! (tag 7), which is how most telephony prompt libraries ship. So this module
//! walks the RIFF chunks itself, bounds-checked, for every `.wav`: it checks
//! the header, finds `fmt ` and `data`, skips unknown chunks (LIST, fact,
//! cue, ...) with their odd-size pad byte, and rejects anything that is not
//! 8 kHz mono 16-bit PCM or 8-bit G.711 with an error that says what the file
//! is. G.711 data is expanded here; 16-bit PCM is then read with hound, which
//! only ever sees a file that already passed these checks.

use std::io::Cursor;
use std::path::Path;

use super::{PromptError, PromptFormat, SAMPLE_RATE};
use crate::media::g711::Law;

const TAG_PCM: u16 = 0x0001;
const TAG_FLOAT: u16 = 0x0003;
const TAG_ALAW: u16 = 0x0006;
const TAG_ULAW: u16 = 0x0007;
const TAG_EXTENSIBLE: u16 = 0xFFFE;

/// The fields of a `fmt ` chunk prompts care about.
#[derive(Clone, Copy, Debug)]
struct Fmt {
    /// Format tag, with WAVE_FORMAT_EXTENSIBLE replaced by its sub-format.
    tag: u16,
    channels: u16,
    rate: u32,
    block_align: u16,
    bits: u16,
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn tag_name(tag: u16) -> String {
    let name = match tag {
        TAG_PCM => "PCM",
        TAG_FLOAT => "IEEE float",
        0x0002 => "Microsoft ADPCM",
        TAG_ALAW => "A-law",
        TAG_ULAW => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG",
        0x0055 => "MPEG Layer 3",
        _ => "unknown",
    };
    format!("format tag 0x{tag:04X} ({name})")
}

/// Decodes a RIFF WAVE file into 8 kHz linear samples.
pub(super) fn decode(path: &Path, b: &[u8]) -> Result<(PromptFormat, Vec<i16>), PromptError> {
    let p = || path.to_path_buf();
    let not_wav = |what: String| PromptError::NotWav { path: p(), what };
    let truncated = |what: String| PromptError::Truncated { path: p(), what };
    let malformed = |what: String| PromptError::Malformed { path: p(), what };

    if b.is_empty() {
        return Err(PromptError::Empty { path: p() });
    }
    match b.get(0..4) {
        Some(b"RIFF") => {}
        Some(b"RIFX") | Some(b"RF64") => {
            return Err(PromptError::Unsupported {
                path: p(),
                what: "big-endian RIFX or RF64 container".into(),
            })
        }
        Some(_) => return Err(not_wav("no RIFF header".into())),
        None if b"RIFF".starts_with(b) => {
            return Err(truncated(format!(
                "{} bytes, inside the RIFF header",
                b.len()
            )))
        }
        None => return Err(not_wav("no RIFF header".into())),
    }
    match b.get(8..12) {
        Some(b"WAVE") => {}
        Some(_) => return Err(not_wav("RIFF file of a type other than WAVE".into())),
        None => {
            return Err(truncated(format!(
                "{} bytes, inside the RIFF header",
                b.len()
            )))
        }
    }

    // Walk the chunks. The RIFF size field is not trusted (streaming writers
    // leave it 0 or 0xFFFFFFFF); the file length bounds everything.
    let mut fmt: Option<Fmt> = None;
    let mut data: Option<&[u8]> = None;
    let mut pos = 12usize;
    while let (Some(id), Some(size)) = (b.get(pos..pos + 4), le32(b, pos + 4)) {
        let start = pos + 8;
        let size = size as usize;
        let Some(body) = start.checked_add(size).and_then(|end| b.get(start..end)) else {
            let have = b.len() - start;
            return Err(truncated(format!(
                "chunk {:?} announces {size} bytes but only {have} follow",
                String::from_utf8_lossy(id)
            )));
        };
        match id {
            b"fmt " if fmt.is_none() => fmt = Some(parse_fmt(path, body)?),
            b"data" if data.is_none() => {
                data = Some(body);
                // Nothing after the first data chunk matters for playback.
                break;
            }
            _ => {}
        }
        // Chunks are padded to an even size (RIFF, Multimedia Programming
        // Interface and Data Specifications 1.0, "Chunks").
        pos = start + size + (size & 1);
    }

    let Some(fmt) = fmt else {
        return Err(match data {
            Some(_) => malformed("data chunk before any fmt chunk".into()),
            None if pos + 8 > b.len() && pos < b.len() => {
                truncated("file ends inside a chunk header, before the fmt chunk".into())
            }
            None => malformed("no fmt chunk".into()),
        });
    };
    check_fmt(path, &fmt)?;
    let Some(data) = data else {
        return Err(if pos < b.len() {
            truncated("file ends inside a chunk header, before the data chunk".into())
        } else {
            malformed("no data chunk".into())
        });
    };
    if data.is_empty() {
        return Err(PromptError::Empty { path: p() });
    }

    match fmt.tag {
        TAG_ALAW | TAG_ULAW => {
            let (law, format) = if fmt.tag == TAG_ALAW {
                (Law::ALaw, PromptFormat::WavAlaw)
            } else {
                (Law::MuLaw, PromptFormat::WavUlaw)
            };
            let mut out = vec![0i16; data.len()];
            law.decode(data, &mut out);
            Ok((format, out))
        }
        _ => {
            if data.len() % 2 != 0 {
                return Err(truncated(format!(
                    "data chunk of {} bytes is not a whole number of 16-bit samples",
                    data.len()
                )));
            }
            let samples = read_pcm16_with_hound(path, b)?;
            if samples.len() != data.len() / 2 {
                return Err(malformed(format!(
                    "hound read {} samples where the data chunk holds {}",
                    samples.len(),
                    data.len() / 2
                )));
            }
            Ok((PromptFormat::WavPcm16, samples))
        }
    }
}

/// Parses the body of a `fmt ` chunk (WAVEFORMATEX, optionally extensible).
fn parse_fmt(path: &Path, body: &[u8]) -> Result<Fmt, PromptError> {
    let malformed = |what: String| PromptError::Malformed {
        path: path.to_path_buf(),
        what,
    };
    let field = |v: Option<u16>| {
        v.ok_or_else(|| {
            malformed(format!(
                "fmt chunk of {} bytes, expected at least 16",
                body.len()
            ))
        })
    };
    let tag = field(le16(body, 0))?;
    let channels = field(le16(body, 2))?;
    let rate = le32(body, 4).ok_or_else(|| malformed("short fmt chunk".into()))?;
    let block_align = field(le16(body, 12))?;
    let bits = field(le16(body, 14))?;
    let tag = if tag == TAG_EXTENSIBLE {
        // WAVEFORMATEXTENSIBLE: cbSize (22), valid bits, channel mask, then
        // the sub-format GUID whose first two bytes are the format tag.
        le16(body, 24).ok_or_else(|| {
            malformed("WAVE_FORMAT_EXTENSIBLE fmt chunk without its sub-format".into())
        })?
    } else {
        tag
    };
    Ok(Fmt {
        tag,
        channels,
        rate,
        block_align,
        bits,
    })
}

/// Accepts only 8000 Hz mono 16-bit PCM or 8-bit A-law/mu-law.
fn check_fmt(path: &Path, f: &Fmt) -> Result<(), PromptError> {
    let unsupported = |what: String| PromptError::Unsupported {
        path: path.to_path_buf(),
        what,
    };
    let expected_bits = match f.tag {
        TAG_PCM => 16,
        TAG_ALAW | TAG_ULAW => 8,
        TAG_FLOAT => return Err(unsupported(format!("{}-bit IEEE float", f.bits))),
        other => return Err(unsupported(tag_name(other))),
    };
    if f.channels != 1 {
        let what = match f.channels {
            0 => "0 channels".to_string(),
            2 => "2 channels (stereo)".to_string(),
            n => format!("{n} channels"),
        };
        return Err(unsupported(what));
    }
    if f.rate != SAMPLE_RATE {
        return Err(unsupported(format!("sample rate {} Hz", f.rate)));
    }
    if f.bits != expected_bits {
        let what = match (f.tag, f.bits) {
            (TAG_PCM, 8) => "8-bit unsigned PCM".to_string(),
            (TAG_PCM, n) => format!("{n}-bit PCM"),
            (tag, n) => format!("{n}-bit {}", tag_name(tag)),
        };
        return Err(unsupported(what));
    }
    if f.block_align != f.bits / 8 {
        return Err(PromptError::Malformed {
            path: path.to_path_buf(),
            what: format!(
                "block align {} for mono {}-bit samples, expected {}",
                f.block_align,
                f.bits,
                f.bits / 8
            ),
        });
    }
    Ok(())
}

/// Reads an already validated mono 16-bit PCM WAV with hound.
fn read_pcm16_with_hound(path: &Path, b: &[u8]) -> Result<Vec<i16>, PromptError> {
    let malformed = |e: hound::Error| PromptError::Malformed {
        path: path.to_path_buf(),
        what: format!("hound: {e}"),
    };
    let mut reader = hound::WavReader::new(Cursor::new(b)).map_err(malformed)?;
    let spec = reader.spec();
    if spec.channels != 1
        || spec.sample_rate != SAMPLE_RATE
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(PromptError::Malformed {
            path: path.to_path_buf(),
            what: format!("hound sees a different format: {spec:?}"),
        });
    }
    reader
        .samples::<i16>()
        .collect::<Result<Vec<i16>, _>>()
        .map_err(malformed)
}
