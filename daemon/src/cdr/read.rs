//! Reading CDR files back from their end: the last records for the `cdr`
//! request, and the last sequence number when the writer opens a file.
//!
//! Lines that are not JSON objects (a line torn by a power cut, a line an
//! operator edited) are skipped, never an error.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use serde_json::Value;

/// Bytes read per step backwards.
const CHUNK: usize = 64 * 1024;
/// Most bytes read from the end of the file for one request (about 16,000
/// records), so a request never reads a huge file on the API thread.
pub const MAX_SCAN: u64 = 16 * 1024 * 1024;

/// What the end of a CDR file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileEnd {
    /// `seq` of the last record (0: none).
    pub last_seq: u64,
    /// The file does not end with a newline (its last line is torn).
    pub torn: bool,
}

/// The last records of `file`, oldest first: up to `limit` of them, only
/// those of call `call` when given, read from at most [`MAX_SCAN`] bytes
/// before the end.
pub fn tail(file: &File, limit: usize, call: Option<u64>) -> io::Result<Vec<Value>> {
    let mut out = Vec::new();
    scan_back(file, |v| {
        if call.is_none_or(|c| v["call"].as_u64() == Some(c)) {
            out.push(v);
        }
        out.len() < limit
    })?;
    out.reverse();
    Ok(out)
}

/// [`tail`] of the file at `path`; a file that does not exist yet holds no
/// records.
pub fn tail_path(path: &Path, limit: usize, call: Option<u64>) -> io::Result<Vec<Value>> {
    match File::open(path) {
        Ok(f) => tail(&f, limit, call),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The last sequence number in `file` and whether its last line is torn.
pub fn file_end(file: &File) -> io::Result<FileEnd> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(FileEnd::default());
    }
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, len - 1)?;
    let mut last_seq = 0;
    scan_back(file, |v| match v["seq"].as_u64() {
        Some(s) => {
            last_seq = s;
            false
        }
        None => true,
    })?;
    Ok(FileEnd {
        last_seq,
        torn: last[0] != b'\n',
    })
}

/// Hand the JSON object lines of `file` to `each`, newest first, until it
/// returns false, the start of the file or [`MAX_SCAN`] bytes.
fn scan_back(file: &File, mut each: impl FnMut(Value) -> bool) -> io::Result<()> {
    let len = file.metadata()?.len();
    let mut pos = len;
    // The start of a line whose beginning is in an earlier chunk.
    let mut carry: Vec<u8> = Vec::new();
    while pos > 0 && len - pos < MAX_SCAN {
        let n = CHUNK.min(pos as usize);
        pos -= n as u64;
        let mut chunk = vec![0u8; n];
        file.read_exact_at(&mut chunk, pos)?;
        chunk.extend_from_slice(&carry);
        let start = if pos == 0 {
            0
        } else {
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => {
                    carry = chunk;
                    continue;
                }
            }
        };
        for line in chunk[start..].rsplit(|&b| b == b'\n') {
            let Ok(v) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            if v.is_object() && !each(v) {
                return Ok(());
            }
        }
        chunk.truncate(start);
        carry = chunk;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp(tag: &str, text: &[u8]) -> (std::path::PathBuf, File) {
        let p = std::env::temp_dir().join(format!("trunkd-cdr-read-{tag}-{}", std::process::id()));
        std::fs::write(&p, text).unwrap();
        let f = File::open(&p).unwrap();
        (p, f)
    }

    fn lines(n: u64, pad: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 1..=n {
            writeln!(
                out,
                "{{\"seq\":{i},\"call\":{},\"pad\":\"{}\"}}",
                i % 5,
                "x".repeat(pad)
            )
            .unwrap();
        }
        out
    }

    #[test]
    fn last_records_across_chunks() {
        // About 3 chunks of 1 KiB records.
        let (p, f) = temp("chunks", &lines(200, 1000));
        let t = tail(&f, 3, None).unwrap();
        let seqs: Vec<u64> = t.iter().filter_map(|v| v["seq"].as_u64()).collect();
        assert_eq!(seqs, [198, 199, 200]);
        let all = tail(&f, 1000, None).unwrap();
        assert_eq!(all.len(), 200);
        assert!(all
            .iter()
            .enumerate()
            .all(|(i, v)| v["seq"] == i as u64 + 1));
        let of_call = tail(&f, 2, Some(3)).unwrap();
        let seqs: Vec<u64> = of_call.iter().filter_map(|v| v["seq"].as_u64()).collect();
        assert_eq!(seqs, [193, 198]);
        assert_eq!(
            file_end(&f).unwrap(),
            FileEnd {
                last_seq: 200,
                torn: false
            }
        );
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn torn_and_bad_lines_are_skipped() {
        let mut text = lines(3, 10);
        text.extend_from_slice(b"not json\n{\"seq\":4,\"call\":9");
        let (p, f) = temp("torn", &text);
        assert_eq!(
            file_end(&f).unwrap(),
            FileEnd {
                last_seq: 3,
                torn: true
            }
        );
        let t = tail(&f, 10, None).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[2]["seq"], 3);
        let _ = std::fs::remove_file(p);
        let (p, f) = temp("empty", b"");
        assert_eq!(file_end(&f).unwrap(), FileEnd::default());
        assert!(tail(&f, 10, None).unwrap().is_empty());
        let _ = std::fs::remove_file(&p);
        assert!(tail_path(&p, 10, None).unwrap().is_empty());
    }
}
