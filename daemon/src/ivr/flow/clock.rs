//! The IVR clock: civil time from a Unix time, and `time_route` matching.
//!
//! The runtime gives a Unix time in milliseconds (derived from board time)
//! and the site's UTC offset; nothing here reads the system clock.

use super::model::{Calendar, TimeRule};

const MS_PER_DAY: i64 = 86_400_000;

/// A local date and time of day, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    /// Year (proleptic Gregorian).
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
    /// Day of the week, 0 = Monday .. 6 = Sunday.
    pub weekday: u8,
    /// Minutes since local midnight, 0..1440.
    pub minute_of_day: u16,
}

/// How a `time_route` node decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeMatch {
    /// The date is in the node's holiday calendar.
    Holiday,
    /// The rule at this index matched (first match wins).
    Rule(usize),
    /// Nothing matched.
    Default,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (negative before).
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01: (year, month, day).
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // In range for any i64 millisecond time: |year| < 2^31.
    let year = i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX });
    (year, month as u8, day as u8)
}

/// Whether (year, month, day) is a real date.
pub fn valid_date(year: i32, month: u8, day: u8) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// Days in a month (0 for a month out of range).
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Local civil time of a Unix time in milliseconds, at `utc_offset_min`
/// minutes east of UTC (negative west).
pub fn civil_from_unix_ms(ms: i64, utc_offset_min: i32) -> CivilTime {
    let local = ms.saturating_add(i64::from(utc_offset_min) * 60_000);
    let days = local.div_euclid(MS_PER_DAY);
    let ms_of_day = local.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    CivilTime {
        year,
        month,
        day,
        // 1970-01-01 was a Thursday (3 with Monday = 0).
        weekday: (days + 3).rem_euclid(7) as u8,
        minute_of_day: (ms_of_day / 60_000) as u16,
    }
}

/// Decides a `time_route` node at `t`: a holiday in `calendar` wins, then the
/// first matching rule, else the default.
///
/// A rule matches on one of its days from `from_min` (inclusive) to `to_min`
/// (exclusive). A rule with `from_min > to_min` wraps midnight; its part after
/// midnight belongs to the day it started, so "fri 22:00-06:00" covers Saturday
/// 03:00 but not Friday 03:00.
pub fn route_time(rules: &[TimeRule], calendar: Option<&Calendar>, t: &CivilTime) -> TimeMatch {
    if calendar.is_some_and(|c| c.is_holiday(t.year, t.month, t.day)) {
        return TimeMatch::Holiday;
    }
    match rules.iter().position(|r| rule_matches(r, t)) {
        Some(i) => TimeMatch::Rule(i),
        None => TimeMatch::Default,
    }
}

/// Whether one rule matches at `t` (see [`route_time`]).
pub fn rule_matches(rule: &TimeRule, t: &CivilTime) -> bool {
    let m = t.minute_of_day;
    if rule.from_min < rule.to_min {
        rule.days.contains(t.weekday) && m >= rule.from_min && m < rule.to_min
    } else if rule.from_min > rule.to_min {
        let yesterday = (t.weekday + 6) % 7;
        (rule.days.contains(t.weekday) && m >= rule.from_min)
            || (rule.days.contains(yesterday) && m < rule.to_min)
    } else {
        false
    }
}

/// Parses "HH:MM" into minutes after midnight; "24:00" only when `end` is true.
pub fn parse_hhmm(text: &str, end: bool) -> Result<u16, String> {
    let bad =
        || format!("`{text}` is not a time of day (HH:MM, 00:00 to 23:59, or 24:00 as an end)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m > 59 || h > 24 || (h == 24 && (m != 0 || !end)) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Parses "YYYY-MM-DD".
pub fn parse_date(text: &str) -> Result<(i32, u8, u8), String> {
    let bad = || format!("`{text}` is not a date (YYYY-MM-DD)");
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y) || !digits(m) || !digits(d) {
        return Err(bad());
    }
    let (y, m, d) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !valid_date(y, m, d) {
        return Err(format!("`{text}` is not a date in the calendar"));
    }
    Ok((y, m, d))
}

/// Parses a yearly "MM-DD" (02-29 allowed).
pub fn parse_month_day(text: &str) -> Result<(u8, u8), String> {
    let bad = || format!("`{text}` is not a yearly date (MM-DD)");
    let (m, d) = text.split_once('-').ok_or_else(bad)?;
    if m.len() != 2 || d.len() != 2 || !m.bytes().chain(d.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (m, d): (u8, u8) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // 2000 is a leap year, so 02-29 is accepted.
    if !valid_date(2000, m, d) {
        return Err(format!("`{text}` is not a day of the year"));
    }
    Ok((m, d))
}
