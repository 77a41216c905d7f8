//! The `[api]` and `[ivr]` tables of the configuration.
//!
//! ```toml
//! [api]
//! allow_users = ["trunkd", 1001]   # names or uids; root and trunkd's own user always
//! allow_groups = ["trunkd"]        # primary or supplementary group of the client
//! socket_mode = "0660"
//! on_client_disconnect = "release" # or "keep", or "flow:NAME"
//!
//! [ivr]
//! flows = "/etc/trunkd/flows.toml"
//! voicemail_dir = "voicemail"      # under [media] record_dir
//! utc_offset_minutes = 480         # the IVR's civil time zone
//! clock_start = "2026-11-23T22:30" # optional: a fixed IVR clock that then runs on board time
//! ```

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use crate::config::{ConfigError, Ctx};

/// What becomes of the calls a client owns when it disconnects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisconnectPolicy {
    /// Release them (cause 41, temporary failure, for calls not yet
    /// answered; 16, normal clearing, for answered ones).
    Release,
    /// Leave them up; another client may take them over.
    Keep,
    /// Run this IVR flow on them.
    Flow(String),
}

/// `[api]`: who may connect and what happens when a client goes away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiConfig {
    /// Admitted users: names (resolved at connect time) or numeric uids.
    pub allow_users: Vec<String>,
    /// Admitted groups: names or numeric gids (primary or supplementary).
    pub allow_groups: Vec<String>,
    /// Mode bits of the socket file.
    pub socket_mode: u32,
    /// Calls owned by a client that disconnects.
    pub on_client_disconnect: DisconnectPolicy,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            allow_users: Vec::new(),
            allow_groups: vec!["trunkd".into()],
            socket_mode: 0o660,
            on_client_disconnect: DisconnectPolicy::Release,
        }
    }
}

/// `[ivr]`: where the flows are and the IVR's clock.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IvrConfig {
    /// The flows file, if any.
    pub flows: Option<PathBuf>,
    /// Voicemail directory, relative to `[media] record_dir`.
    pub voicemail_dir: String,
    /// Offset of the IVR's civil time from UTC, minutes.
    pub utc_offset_minutes: i32,
    /// A fixed start of the IVR clock (Unix ms, in UTC), which then runs on
    /// board time; `None`: the system clock.
    pub clock_start_ms: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApi {
    allow_users: Option<Vec<toml::Value>>,
    allow_groups: Option<Vec<toml::Value>>,
    socket_mode: Option<Spanned<String>>,
    on_client_disconnect: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIvr {
    flows: Option<Spanned<String>>,
    voicemail_dir: Option<Spanned<String>>,
    utc_offset_minutes: Option<Spanned<i64>>,
    clock_start: Option<Spanned<String>>,
}

fn names(list: &[toml::Value]) -> Result<Vec<String>, String> {
    list.iter()
        .map(|v| match v {
            toml::Value::String(s) if !s.is_empty() => Ok(s.clone()),
            toml::Value::Integer(i) if *i >= 0 => Ok(i.to_string()),
            other => Err(format!("`{other}` is not a name or a numeric id")),
        })
        .collect()
}

pub(crate) fn api_config(
    cx: &Ctx<'_>,
    raw: Option<&Spanned<RawApi>>,
) -> Result<ApiConfig, ConfigError> {
    let mut c = ApiConfig::default();
    let Some(raw) = raw else { return Ok(c) };
    let whole = |k: &str, m: String| cx.bad(raw, format!("api.{k}"), m);
    let raw = raw.get_ref();
    if let Some(u) = &raw.allow_users {
        c.allow_users = names(u).map_err(|m| whole("allow_users", m))?;
    }
    if let Some(g) = &raw.allow_groups {
        c.allow_groups = names(g).map_err(|m| whole("allow_groups", m))?;
    }
    if let Some(m) = &raw.socket_mode {
        c.socket_mode = u32::from_str_radix(m.get_ref().trim_start_matches("0o"), 8)
            .ok()
            .filter(|v| *v <= 0o777)
            .ok_or_else(|| {
                cx.bad(
                    m,
                    "api.socket_mode".into(),
                    "an octal mode such as \"0660\"",
                )
            })?;
    }
    if let Some(p) = &raw.on_client_disconnect {
        c.on_client_disconnect = match p.get_ref().as_str() {
            "release" => DisconnectPolicy::Release,
            "keep" => DisconnectPolicy::Keep,
            f if f.starts_with("flow:") && f.len() > 5 => DisconnectPolicy::Flow(f[5..].to_owned()),
            other => {
                return Err(cx.bad(
                    p,
                    "api.on_client_disconnect".into(),
                    format!("`{other}`: expected release, keep or flow:NAME"),
                ))
            }
        };
    }
    Ok(c)
}

pub(crate) fn ivr_config(
    cx: &Ctx<'_>,
    raw: Option<&Spanned<RawIvr>>,
) -> Result<IvrConfig, ConfigError> {
    let mut c = IvrConfig {
        voicemail_dir: "voicemail".into(),
        ..IvrConfig::default()
    };
    let Some(raw) = raw else { return Ok(c) };
    let raw = raw.get_ref();
    if let Some(f) = &raw.flows {
        let p = PathBuf::from(f.get_ref());
        if !p.is_absolute() {
            // Relative to the configuration file's directory.
            let base = cx.file.parent().map(PathBuf::from).unwrap_or_default();
            c.flows = Some(base.join(p));
        } else {
            c.flows = Some(p);
        }
    }
    if let Some(v) = &raw.voicemail_dir {
        let s = v.get_ref();
        if s.is_empty() || s.starts_with('/') || s.split('/').any(|p| p == "..") {
            return Err(cx.bad(
                v,
                "ivr.voicemail_dir".into(),
                "a directory under [media] record_dir: no `..`, not absolute",
            ));
        }
        c.voicemail_dir = s.clone();
    }
    if let Some(v) = &raw.utc_offset_minutes {
        let m = *v.get_ref();
        if !(-14 * 60..=14 * 60).contains(&m) {
            return Err(cx.bad(v, "ivr.utc_offset_minutes".into(), "must be -840..=840"));
        }
        c.utc_offset_minutes = m as i32;
    }
    if let Some(v) = &raw.clock_start {
        let ms = parse_local_time(v.get_ref()).ok_or_else(|| {
            cx.bad(
                v,
                "ivr.clock_start".into(),
                "expected YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (civil time at utc_offset_minutes)",
            )
        })?;
        c.clock_start_ms = Some(ms - i64::from(c.utc_offset_minutes) * 60_000);
    }
    Ok(c)
}

/// `YYYY-MM-DDTHH:MM[:SS]` as milliseconds since the epoch, as if UTC.
pub fn parse_local_time(s: &str) -> Option<i64> {
    use crate::ivr::flow::{days_from_civil, parse_date, parse_hhmm};
    let (date, time) = s.split_once(['T', ' '])?;
    let (y, m, d) = parse_date(date).ok()?;
    let (hhmm, ss) = match time.len() {
        5 => (time, 0),
        8 if time.as_bytes()[5] == b':' => (
            &time[..5],
            time[6..]
                .parse::<i64>()
                .ok()
                .filter(|s| (0..60).contains(s))?,
        ),
        _ => return None,
    };
    // A start of the clock is a moment: 24:00 is not one.
    let minutes = parse_hhmm(hhmm, false).ok()?;
    Some((days_from_civil(y, m, d) * 1440 + i64::from(minutes)) * 60_000 + ss * 1000)
}

#[cfg(test)]
mod tests {
    use super::parse_local_time;

    #[test]
    fn local_times() {
        assert_eq!(parse_local_time("1970-01-01T00:00"), Some(0));
        // 2026-11-23T00:00:00Z = 1795392000 s.
        assert_eq!(
            parse_local_time("2026-11-23T00:00:00"),
            Some(1_795_392_000_000)
        );
        assert_eq!(
            parse_local_time("2024-02-29 12:30"),
            Some(1_709_209_800_000)
        );
        assert_eq!(parse_local_time("2025-02-29T00:00"), None);
        assert_eq!(parse_local_time("2026-11-23T24:00"), None);
        assert_eq!(parse_local_time("2026-11-23"), None);
    }
}
