//! `trunkd.toml`: boards and spans.
//!
//! Parsing keeps the byte position of every value, so that every error names
//! the file, the line and the key: `trunkd.toml:12:9: span 3 `framing`: ...`.
//! A configuration is either entirely valid or refused; nothing half-applies.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use trunk_driver_sys::abi::{ClockSource, FramingMode, LineCoding, SpanSettings};
use trunk_driver_sys::board::BoardSpec;

/// Default location of the configuration.
pub const DEFAULT_CONFIG: &str = "/etc/trunkd/trunkd.toml";
/// Default API socket.
pub const DEFAULT_SOCKET: &str = "/run/trunkd/trunkd.sock";

/// A configuration error, naming where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key (e.g. `span 3 framing`), when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Signalling on a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signalling {
    /// Clear channels; the D-channel timeslot, if enabled, runs raw HDLC.
    None,
    /// ISDN PRI, user side (we are the CPE / PBX).
    PriCpe,
    /// ISDN PRI, network side (we are the exchange).
    PriNet,
}

impl Signalling {
    /// Name as in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Signalling::None => "none",
            Signalling::PriCpe => "pri-cpe",
            Signalling::PriNet => "pri-net",
        }
    }

    /// Whether this is ISDN PRI (either side).
    pub fn is_pri(self) -> bool {
        matches!(self, Signalling::PriCpe | Signalling::PriNet)
    }
}

/// PRI protocol options of a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriOptions {
    /// ETSI EN 300 403 or NI-2.
    pub variant: trunk_isdn::call::Variant,
    /// Accept overlap receiving (SETUP without sending complete).
    pub overlap: bool,
    /// Restart every B-channel when the D-channel first comes up.
    pub restart_at_startup: bool,
}

/// What happens to an inbound call on a trunk group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundAction {
    /// Answer it and keep it up until the far end clears.
    Answer,
    /// Reject it with this Q.850 cause.
    Reject(u8),
    /// Ring it and wait for an API client to answer or reject it, for up
    /// to this many milliseconds; then reject it with cause 18 (no user responding).
    Api(u64),
    /// Run the IVR flow attached to the trunk group and called number
    /// (`[ivr] flows`).
    Flow,
}

/// A trunk group: a set of spans with one inbound policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrunkGroupConfig {
    /// Name, as used by spans and `dial`.
    pub name: String,
    /// Inbound policy.
    pub inbound: InboundAction,
    /// Recording policy for ACD calls arriving on this group (`always`,
    /// `never`, `on_demand`); agents' and queues' policies override it.
    pub record: Option<crate::config_acd::RecordPolicy>,
}

/// One board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardConfig {
    /// Name used by spans and the API.
    pub name: String,
    /// Where the board is.
    pub device: BoardSpec,
    /// Tick interrupt every this many milliseconds (interrupt moderation).
    pub interrupt_interval_ms: u32,
}

/// One span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanConfig {
    /// Global span number (unique across boards), as in `span/timeslot`.
    pub span: u32,
    /// Board name.
    pub board: String,
    /// Position on the board, 1-based.
    pub board_span: usize,
    /// Human name.
    pub name: String,
    /// Line settings written to the board.
    pub settings: SpanSettings,
    /// Signalling.
    pub signalling: Signalling,
    /// Run HDLC on the D-channel timeslot (TS16 E1, TS24 T1).
    pub dchannel: bool,
    /// Trunk group the span's channels belong to.
    pub trunk_group: String,
    /// PRI options (meaningful when `signalling` is PRI).
    pub pri: PriOptions,
    /// Call-progress tones sent and recognised on the span (`tone_plan`:
    /// china, etsi, na; default etsi on E1, na on T1).
    pub tone_plan: trunkd::media::tones::TonePlanName,
}

impl SpanConfig {
    /// The D-channel timeslot, if HDLC runs on one.
    pub fn dchannel_timeslot(&self) -> Option<usize> {
        self.dchannel
            .then(|| trunk_driver_sys::abi::dchannel_timeslot(self.settings.t1))
    }
}

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// API socket path.
    pub socket: PathBuf,
    /// Boards, by name.
    pub boards: BTreeMap<String, BoardConfig>,
    /// Spans, by global span number.
    pub spans: BTreeMap<u32, SpanConfig>,
    /// Trunk groups, by name (every group a span names exists here; a
    /// group without a `[[trunk_group]]` table answers inbound calls).
    pub trunk_groups: BTreeMap<String, TrunkGroupConfig>,
    /// Media settings (`[media]`).
    pub media: MediaConfig,
    /// API access and client policy (`[api]`).
    pub api: crate::config_ivr::ApiConfig,
    /// IVR flows and clock (`[ivr]`).
    pub ivr: crate::config_ivr::IvrConfig,
    /// Call detail records (`[cdr]`).
    pub cdr: crate::cdr::CdrConfig,
    /// Queues, agents and statistics (`[acd]`).
    pub acd: crate::config_acd::AcdConfig,
}

/// Where prompts and recordings live, and how much prompt audio is cached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaConfig {
    /// Prompts named without a path are looked up here; a request may not
    /// leave it (no `..`, no absolute paths).
    pub prompt_dir: PathBuf,
    /// Recordings named without a path are written here; a request may not
    /// leave it.
    pub record_dir: PathBuf,
    /// Decoded prompt audio kept in memory, bytes.
    pub prompt_cache_bytes: usize,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            prompt_dir: "/usr/share/trunkd/prompts".into(),
            record_dir: "/var/lib/trunkd/recordings".into(),
            prompt_cache_bytes: 64 << 20,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    daemon: Option<Spanned<RawDaemon>>,
    media: Option<Spanned<RawMedia>>,
    api: Option<Spanned<crate::config_ivr::RawApi>>,
    ivr: Option<Spanned<crate::config_ivr::RawIvr>>,
    cdr: Option<Spanned<crate::cdr::config::RawCdr>>,
    acd: Option<Spanned<crate::config_acd::RawAcd>>,
    #[serde(default)]
    board: Vec<Spanned<RawBoard>>,
    #[serde(default)]
    span: Vec<Spanned<RawSpan>>,
    #[serde(default)]
    trunk_group: Vec<Spanned<RawTrunkGroup>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrunkGroup {
    name: Spanned<String>,
    inbound: Option<Spanned<String>>,
    reject_cause: Option<Spanned<i64>>,
    api_timeout_ms: Option<Spanned<i64>>,
    record: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMedia {
    prompt_dir: Option<Spanned<String>>,
    record_dir: Option<Spanned<String>>,
    prompt_cache_mb: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDaemon {
    socket: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoard {
    name: Spanned<String>,
    device: Spanned<String>,
    interrupt_interval_ms: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpan {
    span: Spanned<i64>,
    board: Spanned<String>,
    board_span: Spanned<i64>,
    name: Option<Spanned<String>>,
    line: Spanned<String>,
    framing: Option<Spanned<String>>,
    linecode: Option<Spanned<String>>,
    clock: Option<Spanned<String>>,
    loopback: Option<Spanned<String>>,
    signalling: Option<Spanned<String>>,
    dchannel: Option<Spanned<bool>>,
    trunk_group: Option<Spanned<String>>,
    enabled: Option<Spanned<bool>>,
    pri_variant: Option<Spanned<String>>,
    overlap: Option<Spanned<bool>>,
    restart_at_startup: Option<Spanned<bool>>,
    tone_plan: Option<Spanned<String>>,
}

/// The file being parsed, for error positions.
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn at(&self, offset: usize, key: Option<String>, message: impl Into<String>) -> ConfigError {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rfind('\n')
            .map_or(before.len(), |p| before.len() - p - 1)
            + 1;
        ConfigError {
            file: self.file.to_owned(),
            line: Some(line),
            column: Some(column),
            key,
            message: message.into(),
        }
    }

    pub(crate) fn bad<T>(
        &self,
        v: &Spanned<T>,
        key: String,
        message: impl Into<String>,
    ) -> ConfigError {
        self.at(v.span().start, Some(key), message)
    }
}

/// Read and validate a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot read: {e}"),
    })?;
    let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    parse(&shown, &text)
}

/// Validate configuration text (`path` is only used in messages).
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let cx = Ctx { file: path, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let msg = format!(
            "invalid TOML: {}",
            e.message().trim_end().replace('\n', "; ")
        );
        let mut err = cx.at(offset, None, msg);
        if e.span().is_none() {
            err.line = None;
            err.column = None;
        }
        err
    })?;
    let socket = raw
        .daemon
        .as_ref()
        .and_then(|d| d.get_ref().socket.as_ref())
        .map(|s| {
            let p = PathBuf::from(s.get_ref());
            if p.is_absolute() {
                Ok(p)
            } else {
                Err(cx.bad(s, "daemon.socket".into(), "must be an absolute path"))
            }
        })
        .transpose()?
        .unwrap_or_else(|| DEFAULT_SOCKET.into());

    let mut boards = BTreeMap::new();
    let mut devices = BTreeSet::new();
    for b in &raw.board {
        let b = b.get_ref();
        let name = b.name.get_ref().trim().to_owned();
        if name.is_empty()
            || name.len() > 32
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(cx.bad(
                &b.name,
                "board.name".into(),
                "use 1-32 letters, digits, `-` or `_`",
            ));
        }
        let device: BoardSpec = b
            .device
            .get_ref()
            .parse()
            .map_err(|e: String| cx.bad(&b.device, format!("board {name} device"), e))?;
        if !devices.insert(device.clone()) {
            return Err(cx.bad(
                &b.device,
                format!("board {name} device"),
                "another board already uses this device",
            ));
        }
        let max = trunk_driver_sys::abi::MAX_IRQ_INTERVAL;
        let interrupt_interval_ms = match b.interrupt_interval_ms.as_ref() {
            None => 1,
            Some(v) if (1..=max as i64).contains(v.get_ref()) => *v.get_ref() as u32,
            Some(v) => {
                return Err(cx.bad(
                    v,
                    format!("board {name} interrupt_interval_ms"),
                    format!("must be 1 to {max}"),
                ))
            }
        };
        if boards
            .insert(
                name.clone(),
                BoardConfig {
                    name: name.clone(),
                    device,
                    interrupt_interval_ms,
                },
            )
            .is_some()
        {
            return Err(cx.bad(
                &b.name,
                "board.name".into(),
                format!("board `{name}` is defined twice"),
            ));
        }
    }

    let mut spans = BTreeMap::new();
    let mut positions = BTreeSet::new();
    for s in &raw.span {
        let s = s.get_ref();
        let n = *s.span.get_ref();
        if !(1..=4096).contains(&n) {
            return Err(cx.bad(
                &s.span,
                "span.span".into(),
                "span numbers run from 1 to 4096",
            ));
        }
        let n = n as u32;
        let key = |k: &str| format!("span {n} {k}");
        let board = s.board.get_ref().clone();
        if !boards.contains_key(&board) {
            return Err(cx.bad(
                &s.board,
                key("board"),
                format!("no [[board]] is named `{board}`"),
            ));
        }
        let bs = *s.board_span.get_ref();
        if !(1..=trunk_driver_sys::abi::MAX_SPANS as i64).contains(&bs) {
            return Err(cx.bad(
                &s.board_span,
                key("board_span"),
                "a board has spans 1 to 16",
            ));
        }
        if !positions.insert((board.clone(), bs)) {
            return Err(cx.bad(
                &s.board_span,
                key("board_span"),
                format!("board `{board}` span {bs} is configured twice"),
            ));
        }
        let t1 = match s.line.get_ref().as_str() {
            "e1" | "E1" => false,
            "t1" | "T1" => true,
            other => {
                return Err(cx.bad(
                    &s.line,
                    key("line"),
                    format!("`{other}`: expected e1 or t1"),
                ))
            }
        };
        let framing = match s.framing.as_ref() {
            None => {
                if t1 {
                    FramingMode::Esf
                } else {
                    FramingMode::Crc4
                }
            }
            Some(f) => match (t1, f.get_ref().as_str()) {
                (false, "crc4") => FramingMode::Crc4,
                (false, "g704" | "cas" | "ccs") => FramingMode::G704,
                (true, "esf") => FramingMode::Esf,
                (true, "d4" | "sf") => FramingMode::D4,
                (_, other) => {
                    let allowed = if t1 {
                        "esf or d4 for T1"
                    } else {
                        "crc4 or g704 for E1"
                    };
                    return Err(cx.bad(
                        f,
                        key("framing"),
                        format!("`{other}`: expected {allowed}"),
                    ));
                }
            },
        };
        let linecode = match s.linecode.as_ref() {
            None => {
                if t1 {
                    LineCoding::B8zs
                } else {
                    LineCoding::Hdb3
                }
            }
            Some(c) => match (t1, c.get_ref().as_str()) {
                (false, "hdb3") => LineCoding::Hdb3,
                (true, "b8zs") => LineCoding::B8zs,
                (_, "ami") => LineCoding::Ami,
                (_, other) => {
                    let allowed = if t1 {
                        "b8zs or ami for T1"
                    } else {
                        "hdb3 or ami for E1"
                    };
                    return Err(cx.bad(
                        c,
                        key("linecode"),
                        format!("`{other}`: expected {allowed}"),
                    ));
                }
            },
        };
        let clock = match s.clock.as_ref().map(|c| (c, c.get_ref().as_str())) {
            None | Some((_, "line")) => ClockSource::Line,
            Some((_, "internal")) => ClockSource::Internal,
            Some((c, other)) => {
                return Err(cx.bad(
                    c,
                    key("clock"),
                    format!("`{other}`: expected line or internal"),
                ))
            }
        };
        let (local_loopback, remote_loopback) =
            match s.loopback.as_ref().map(|l| (l, l.get_ref().as_str())) {
                None | Some((_, "none")) => (false, false),
                Some((_, "local")) => (true, false),
                Some((_, "remote")) => (false, true),
                Some((l, other)) => {
                    return Err(cx.bad(
                        l,
                        key("loopback"),
                        format!("`{other}`: expected none, local or remote"),
                    ))
                }
            };
        let signalling = match s.signalling.as_ref().map(|x| (x, x.get_ref().as_str())) {
            None | Some((_, "none")) => Signalling::None,
            Some((_, "pri-cpe")) => Signalling::PriCpe,
            Some((_, "pri-net")) => Signalling::PriNet,
            Some((x, v @ ("ss7" | "r2"))) => {
                return Err(cx.bad(
                    x,
                    key("signalling"),
                    format!("`{v}` is not available in this build of trunkd yet; use none"),
                ))
            }
            Some((x, other)) => {
                return Err(cx.bad(
                    x,
                    key("signalling"),
                    format!("`{other}`: expected none, pri-cpe, pri-net, ss7 or r2"),
                ))
            }
        };
        let trunk_group = s
            .trunk_group
            .as_ref()
            .map_or_else(|| "default".to_owned(), |t| t.get_ref().clone());
        if trunk_group.is_empty() || trunk_group.len() > 64 {
            if let Some(t) = s.trunk_group.as_ref() {
                return Err(cx.bad(t, key("trunk_group"), "must be 1-64 characters"));
            }
        }
        let variant = match s.pri_variant.as_ref().map(|x| (x, x.get_ref().as_str())) {
            None if t1 => trunk_isdn::call::Variant::Ni2,
            None => trunk_isdn::call::Variant::Etsi,
            Some((_, "etsi")) => trunk_isdn::call::Variant::Etsi,
            Some((_, "ni2")) => trunk_isdn::call::Variant::Ni2,
            Some((x, other)) => {
                return Err(cx.bad(
                    x,
                    key("pri_variant"),
                    format!("`{other}`: expected etsi or ni2"),
                ))
            }
        };
        let tone_plan = match s.tone_plan.as_ref() {
            None if t1 => trunkd::media::tones::TonePlanName::Na,
            None => trunkd::media::tones::TonePlanName::Etsi,
            Some(x) => x
                .get_ref()
                .parse()
                .map_err(|e: trunkd::media::tones::UnknownName| {
                    cx.bad(x, key("tone_plan"), e.to_string())
                })?,
        };
        let pri = PriOptions {
            variant,
            overlap: s.overlap.as_ref().is_some_and(|o| *o.get_ref()),
            restart_at_startup: s.restart_at_startup.as_ref().is_none_or(|o| *o.get_ref()),
        };
        if signalling.is_pri() {
            if let Some(d) = s.dchannel.as_ref().filter(|d| !*d.get_ref()) {
                return Err(cx.bad(
                    d,
                    key("dchannel"),
                    "PRI signalling needs the D-channel: remove `dchannel = false`",
                ));
            }
        }
        let settings = SpanSettings {
            enabled: s.enabled.as_ref().is_none_or(|e| *e.get_ref()),
            t1,
            framing,
            linecode,
            clock,
            local_loopback,
            remote_loopback,
            force_rai: false,
            force_ais: false,
        };
        let cfg = SpanConfig {
            span: n,
            board,
            board_span: bs as usize,
            name: s
                .name
                .as_ref()
                .map_or_else(|| format!("span {n}"), |x| x.get_ref().clone()),
            settings,
            signalling,
            dchannel: s.dchannel.as_ref().is_none_or(|d| *d.get_ref()),
            trunk_group,
            pri,
            tone_plan,
        };
        if spans.insert(n, cfg).is_some() {
            return Err(cx.bad(
                &s.span,
                "span.span".into(),
                format!("span {n} is defined twice"),
            ));
        }
    }
    if boards.is_empty() {
        return Err(ConfigError {
            file: path.to_owned(),
            line: None,
            column: None,
            key: Some("board".into()),
            message: "no [[board]] configured".into(),
        });
    }
    let trunk_groups = trunk_groups(&cx, &raw.trunk_group, &spans)?;
    let media = media_config(&cx, raw.media.as_ref().map(Spanned::get_ref))?;
    let api = crate::config_ivr::api_config(&cx, raw.api.as_ref())?;
    let ivr = crate::config_ivr::ivr_config(&cx, raw.ivr.as_ref())?;
    if let Some(t) = trunk_groups
        .values()
        .find(|t| t.inbound == InboundAction::Flow && ivr.flows.is_none())
    {
        return Err(ConfigError {
            file: path.to_owned(),
            line: None,
            column: None,
            key: Some(format!("trunk_group {} inbound", t.name)),
            message: "inbound = \"flow\" needs [ivr] flows = FILE".into(),
        });
    }
    let cdr = crate::cdr::config::parse(&cx, raw.cdr.as_ref().map(Spanned::get_ref))?;
    let groups: Vec<String> = trunk_groups.keys().cloned().collect();
    let acd = crate::config_acd::acd_config(&cx, raw.acd.as_ref(), &groups)?;
    Ok(Config {
        acd,
        api,
        ivr,
        path: path.to_owned(),
        socket,
        boards,
        spans,
        trunk_groups,
        media,
        cdr,
    })
}

fn media_config(cx: &Ctx<'_>, raw: Option<&RawMedia>) -> Result<MediaConfig, ConfigError> {
    let mut m = MediaConfig::default();
    let Some(raw) = raw else { return Ok(m) };
    let dir = |v: &Spanned<String>, key: &str| {
        let p = PathBuf::from(v.get_ref());
        if p.is_absolute() {
            Ok(p)
        } else {
            Err(cx.bad(v, format!("media.{key}"), "must be an absolute path"))
        }
    };
    if let Some(v) = &raw.prompt_dir {
        m.prompt_dir = dir(v, "prompt_dir")?;
    }
    if let Some(v) = &raw.record_dir {
        m.record_dir = dir(v, "record_dir")?;
    }
    if let Some(v) = &raw.prompt_cache_mb {
        let mb = *v.get_ref();
        if !(1..=4096).contains(&mb) {
            return Err(cx.bad(v, "media.prompt_cache_mb".into(), "must be 1-4096"));
        }
        m.prompt_cache_bytes = (mb as usize) << 20;
    }
    Ok(m)
}

impl Config {
    /// Spans of one board, by position (0-based) on the board.
    pub fn spans_of<'a>(&'a self, board: &'a str) -> impl Iterator<Item = &'a SpanConfig> + 'a {
        self.spans.values().filter(move |s| s.board == board)
    }
}

fn trunk_groups(
    cx: &Ctx<'_>,
    raw: &[Spanned<RawTrunkGroup>],
    spans: &BTreeMap<u32, SpanConfig>,
) -> Result<BTreeMap<String, TrunkGroupConfig>, ConfigError> {
    let mut out = BTreeMap::new();
    for t in raw {
        let t = t.get_ref();
        let name = t.name.get_ref().clone();
        let key = |k: &str| format!("trunk_group {name} {k}");
        if name.is_empty() || name.len() > 64 {
            return Err(cx.bad(&t.name, key("name"), "must be 1-64 characters"));
        }
        let cause = match &t.reject_cause {
            None => 21,
            Some(c) if (1..=127).contains(c.get_ref()) => *c.get_ref() as u8,
            Some(c) => return Err(cx.bad(c, key("reject_cause"), "a Q.850 cause value is 1-127")),
        };
        let timeout = match &t.api_timeout_ms {
            None => 10_000,
            Some(v) if (100..=600_000).contains(v.get_ref()) => *v.get_ref() as u64,
            Some(v) => return Err(cx.bad(v, key("api_timeout_ms"), "must be 100-600000 ms")),
        };
        let inbound = match t.inbound.as_ref().map(|x| (x, x.get_ref().as_str())) {
            None | Some((_, "answer")) => InboundAction::Answer,
            Some((_, "reject")) => InboundAction::Reject(cause),
            Some((_, "api")) => InboundAction::Api(timeout),
            Some((_, "flow")) => InboundAction::Flow,
            Some((x, other)) => {
                return Err(cx.bad(
                    x,
                    key("inbound"),
                    format!("`{other}`: expected answer, reject, api or flow"),
                ))
            }
        };
        let record = match &t.record {
            None => None,
            Some(r) => Some(
                crate::config_acd::RecordPolicy::parse(r.get_ref()).ok_or_else(|| {
                    cx.bad(r, key("record"), "expected always, never or on_demand")
                })?,
            ),
        };
        if out
            .insert(
                name.clone(),
                TrunkGroupConfig {
                    name: name.clone(),
                    inbound,
                    record,
                },
            )
            .is_some()
        {
            return Err(cx.bad(&t.name, key("name"), "trunk group defined twice"));
        }
    }
    for s in spans.values() {
        out.entry(s.trunk_group.clone())
            .or_insert_with(|| TrunkGroupConfig {
                name: s.trunk_group.clone(),
                inbound: InboundAction::Answer,
                record: None,
            });
    }
    Ok(out)
}
