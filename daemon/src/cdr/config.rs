//! The `[cdr]` table of `trunkd.toml`:
//!
//! ```toml
//! [cdr]
//! path = "/var/lib/trunkd/cdr/cdr.jsonl"   # append-only JSON lines
//! fsync = true                             # sync every record to disk
//! index_max = 1000000                      # records kept in the in-memory
//!                                          # index (history, recordings; 0: off)
//! ```

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use crate::config::{ConfigError, Ctx};

/// Default CDR file.
pub const DEFAULT_CDR_PATH: &str = "/var/lib/trunkd/cdr/cdr.jsonl";

/// Where CDRs go and how hard they are pushed to disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdrConfig {
    /// The CDR file (JSON lines, appended; its directory is created).
    pub path: PathBuf,
    /// `sync_data()` after every record, so a power cut loses no record of
    /// a call reported ended. Off: a killed daemon still loses nothing (the
    /// kernel has the data), a power cut may.
    pub fsync: bool,
    /// Most records the in-memory index keeps for `history` and
    /// `recordings` (the newest; 0 turns the index off). 200 to 300 bytes
    /// each (300 for callers seen once).
    pub index_max: usize,
}

/// Largest `[cdr] index_max` accepted.
pub const MAX_INDEX_MAX: i64 = 100_000_000;

impl Default for CdrConfig {
    fn default() -> Self {
        CdrConfig {
            path: DEFAULT_CDR_PATH.into(),
            fsync: true,
            index_max: super::index::DEFAULT_INDEX_MAX,
        }
    }
}

/// `[cdr]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCdr {
    path: Option<Spanned<String>>,
    fsync: Option<Spanned<bool>>,
    index_max: Option<Spanned<i64>>,
}

/// Validate `[cdr]` (absent: the defaults).
pub(crate) fn parse(cx: &Ctx<'_>, raw: Option<&RawCdr>) -> Result<CdrConfig, ConfigError> {
    let mut c = CdrConfig::default();
    let Some(raw) = raw else { return Ok(c) };
    if let Some(v) = &raw.path {
        let p = PathBuf::from(v.get_ref());
        if !p.is_absolute() {
            return Err(cx.bad(v, "cdr.path".into(), "must be an absolute path"));
        }
        if v.get_ref().ends_with('/') || p.file_name().is_none() {
            return Err(cx.bad(
                v,
                "cdr.path".into(),
                "must name a file, not a directory (e.g. /var/lib/trunkd/cdr/cdr.jsonl)",
            ));
        }
        c.path = p;
    }
    if let Some(v) = &raw.fsync {
        c.fsync = *v.get_ref();
    }
    if let Some(v) = &raw.index_max {
        let n = *v.get_ref();
        c.index_max = usize::try_from(n)
            .ok()
            .filter(|_| n <= MAX_INDEX_MAX)
            .ok_or_else(|| {
                cx.bad(
                    v,
                    "cdr.index_max".into(),
                    format!("must be 0..={MAX_INDEX_MAX} records"),
                )
            })?;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::parse;

    const BOARD: &str = "[[board]]\nname = \"b0\"\ndevice = \"sim:/tmp/x\"\n";

    #[test]
    fn defaults_and_values() {
        let c = parse(Path::new("t.toml"), BOARD).unwrap();
        assert_eq!(c.cdr, super::CdrConfig::default());
        assert_eq!(c.cdr.path, Path::new("/var/lib/trunkd/cdr/cdr.jsonl"));
        assert!(c.cdr.fsync);
        assert_eq!(c.cdr.index_max, 1_000_000);
        let text =
            format!("{BOARD}[cdr]\npath = \"/srv/cdr/a.jsonl\"\nfsync = false\nindex_max = 5000\n");
        let c = parse(Path::new("t.toml"), &text).unwrap();
        assert_eq!(c.cdr.path, Path::new("/srv/cdr/a.jsonl"));
        assert!(!c.cdr.fsync);
        assert_eq!(c.cdr.index_max, 5000);
    }

    #[test]
    fn errors_name_line_and_key() {
        let cases = [
            (
                "[cdr]\npath = \"cdr.jsonl\"\n",
                "t.toml:5:",
                "`cdr.path`: must be an absolute path",
            ),
            (
                "[cdr]\npath = \"/srv/cdr/\"\n",
                "t.toml:5:",
                "must name a file",
            ),
            ("[cdr]\nfsync = \"yes\"\n", "t.toml:5:", "invalid TOML"),
            ("[cdr]\nrotate = 1\n", "t.toml:", "rotate"),
            (
                "[cdr]\nindex_max = -1\n",
                "t.toml:5:",
                "`cdr.index_max`: must be 0..=100000000",
            ),
            (
                "[cdr]\nindex_max = 100000001\n",
                "t.toml:5:",
                "`cdr.index_max`",
            ),
        ];
        for (extra, at, words) in cases {
            let e = parse(Path::new("t.toml"), &format!("{BOARD}{extra}"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(at), "{e} does not point at {at}");
            assert!(e.contains(words), "{e} does not say {words}");
        }
    }
}
