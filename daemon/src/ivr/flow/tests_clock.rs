//! The IVR clock: civil dates from Unix times, and time routing.

use super::clock::{is_leap_year, parse_date, parse_hhmm, parse_month_day, valid_date};
use super::*;

const MIN: i64 = 60_000;

fn civil(ms: i64, offset: i32) -> (i32, u8, u8, u8, u16) {
    let t = civil_from_unix_ms(ms, offset);
    (t.year, t.month, t.day, t.weekday, t.minute_of_day)
}

#[test]
fn known_dates_in_utc() {
    assert_eq!(civil(0, 0), (1970, 1, 1, 3, 0), "1970-01-01 was a Thursday");
    assert_eq!(
        civil(1_795_392_000_000, 0),
        (2026, 11, 23, 0, 0),
        "a Monday"
    );
    assert_eq!(
        civil(1_709_210_040_000, 0),
        (2024, 2, 29, 3, 12 * 60 + 34),
        "leap day 2024, a Thursday"
    );
    assert_eq!(
        civil(951_868_800_000, 0),
        (2000, 3, 1, 2, 0),
        "2000 was leap: 03-01 follows 02-29"
    );
    assert_eq!(civil(951_868_800_000 - MIN, 0), (2000, 2, 29, 1, 1439));
    assert_eq!(
        civil(-14_182_980_000, 0),
        (1969, 7, 20, 6, 20 * 60 + 17),
        "before the epoch"
    );
    assert_eq!(
        civil(-1, 0),
        (1969, 12, 31, 2, 1439),
        "one ms before the epoch"
    );
}

#[test]
fn offsets_move_the_date_both_ways() {
    // 2026-01-01 03:00 UTC is still New Year's Eve in New York (UTC-5).
    assert_eq!(civil(1_767_236_400_000, -300), (2025, 12, 31, 2, 22 * 60));
    // 2026-11-22 16:30 UTC (Sunday) is Monday 00:30 in Beijing (UTC+8).
    assert_eq!(civil(1_795_365_000_000, 480), (2026, 11, 23, 0, 30));
    assert_eq!(civil(1_795_365_000_000, 0), (2026, 11, 22, 6, 16 * 60 + 30));
    // Half-hour zones (India, UTC+5:30).
    assert_eq!(civil(0, 330), (1970, 1, 1, 3, 5 * 60 + 30));
}

#[test]
fn days_round_trip_over_a_wide_range() {
    let mut prev = civil_from_days(-800_001);
    for days in -800_000..800_000i64 {
        let (y, m, d) = civil_from_days(days);
        assert!(valid_date(y, m, d), "{days}: {y}-{m}-{d}");
        assert_eq!(days_from_civil(y, m, d), days);
        // Consecutive days: the next day of the month, or the 1st.
        if d != 1 {
            assert_eq!((y, m, d - 1), prev);
        }
        prev = (y, m, d);
    }
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(
        days_from_civil(2026, 11, 23),
        1_795_392_000_000 / 86_400_000
    );
}

#[test]
fn extreme_times_do_not_panic() {
    for ms in [i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1] {
        for off in [i32::MIN, -720, 0, 840, i32::MAX] {
            let t = civil_from_unix_ms(ms, off);
            assert!(t.weekday < 7 && t.minute_of_day < 1440);
        }
    }
}

#[test]
fn leap_years_and_dates() {
    assert!(is_leap_year(2024) && is_leap_year(2000) && !is_leap_year(1900) && !is_leap_year(2026));
    assert!(valid_date(2024, 2, 29) && !valid_date(2026, 2, 29) && !valid_date(1900, 2, 29));
    assert!(!valid_date(2026, 4, 31) && !valid_date(2026, 13, 1) && !valid_date(2026, 1, 0));
    assert_eq!(parse_date("2024-02-29"), Ok((2024, 2, 29)));
    assert!(parse_date("2026-02-29").is_err());
    assert!(parse_date("2026-2-1").is_err());
    assert!(parse_date("2026-01-01-01").is_err());
    assert_eq!(parse_month_day("02-29"), Ok((2, 29)));
    assert!(parse_month_day("02-30").is_err());
    assert!(parse_month_day("1225").is_err());
}

#[test]
fn times_of_day_parse() {
    assert_eq!(parse_hhmm("08:00", false), Ok(480));
    assert_eq!(parse_hhmm("8:05", false), Ok(485));
    assert_eq!(parse_hhmm("23:59", false), Ok(1439));
    assert_eq!(parse_hhmm("24:00", true), Ok(1440));
    assert!(parse_hhmm("24:00", false).is_err(), "24:00 is only an end");
    assert!(parse_hhmm("24:01", true).is_err());
    assert!(parse_hhmm("12:60", false).is_err());
    assert!(parse_hhmm("1200", false).is_err());
    assert!(parse_hhmm("-1:00", false).is_err());
    assert!(parse_hhmm("", false).is_err());
}

fn at(weekday: u8, hh: u16, mm: u16) -> CivilTime {
    // Monday 2026-11-23 plus `weekday` days.
    CivilTime {
        year: 2026,
        month: 11,
        day: 23 + weekday,
        weekday,
        minute_of_day: hh * 60 + mm,
    }
}

fn rule(days: &str, from: &str, to: &str) -> TimeRule {
    TimeRule {
        days: DaySet::parse(days).expect("days"),
        from_min: parse_hhmm(from, false).expect("from"),
        to_min: parse_hhmm(to, true).expect("to"),
        next: "x".into(),
    }
}

#[test]
fn office_hours_first_match_wins() {
    let rules = [
        rule("mon-fri", "08:00", "20:00"),
        rule("sat", "09:00", "13:00"),
        rule("daily", "00:00", "24:00"),
    ];
    assert_eq!(
        route_time(&rules, None, &at(0, 8, 0)),
        TimeMatch::Rule(0),
        "from is inclusive"
    );
    assert_eq!(route_time(&rules, None, &at(4, 19, 59)), TimeMatch::Rule(0));
    assert_eq!(
        route_time(&rules, None, &at(4, 20, 0)),
        TimeMatch::Rule(2),
        "to is exclusive"
    );
    assert_eq!(route_time(&rules, None, &at(5, 10, 0)), TimeMatch::Rule(1));
    assert_eq!(route_time(&rules, None, &at(6, 10, 0)), TimeMatch::Rule(2));
    assert_eq!(
        route_time(&rules[..2], None, &at(6, 10, 0)),
        TimeMatch::Default
    );
    assert_eq!(
        route_time(&rules[..2], None, &at(0, 7, 59)),
        TimeMatch::Default
    );
    assert_eq!(route_time(&[], None, &at(0, 12, 0)), TimeMatch::Default);
}

#[test]
fn rules_wrap_midnight_into_the_next_day() {
    let night = [rule("fri", "22:00", "06:00")];
    assert_eq!(
        route_time(&night, None, &at(4, 22, 0)),
        TimeMatch::Rule(0),
        "Friday 22:00"
    );
    assert_eq!(route_time(&night, None, &at(4, 23, 59)), TimeMatch::Rule(0));
    assert_eq!(
        route_time(&night, None, &at(5, 0, 0)),
        TimeMatch::Rule(0),
        "Saturday 00:00"
    );
    assert_eq!(route_time(&night, None, &at(5, 5, 59)), TimeMatch::Rule(0));
    assert_eq!(
        route_time(&night, None, &at(5, 6, 0)),
        TimeMatch::Default,
        "Saturday 06:00"
    );
    assert_eq!(
        route_time(&night, None, &at(4, 3, 0)),
        TimeMatch::Default,
        "Friday 03:00 is Thursday's night"
    );
    assert_eq!(
        route_time(&night, None, &at(5, 22, 30)),
        TimeMatch::Default,
        "not Saturday night"
    );
    assert_eq!(route_time(&night, None, &at(4, 21, 59)), TimeMatch::Default);
    // Sunday night wraps into Monday (weekday 6 -> 0).
    let sunday = [rule("sun", "20:00", "08:00")];
    assert_eq!(route_time(&sunday, None, &at(0, 7, 0)), TimeMatch::Rule(0));
    assert_eq!(route_time(&sunday, None, &at(1, 7, 0)), TimeMatch::Default);
}

#[test]
fn holidays_win_over_rules() {
    let rules = [rule("daily", "00:00", "24:00")];
    let mut cal = Calendar::default();
    cal.dates.insert((2026, 11, 25));
    cal.yearly.insert((11, 27));
    assert_eq!(
        route_time(&rules, Some(&cal), &at(2, 12, 0)),
        TimeMatch::Holiday,
        "a dated holiday"
    );
    assert_eq!(
        route_time(&rules, Some(&cal), &at(4, 12, 0)),
        TimeMatch::Holiday,
        "a yearly holiday"
    );
    assert_eq!(
        route_time(&rules, Some(&cal), &at(3, 12, 0)),
        TimeMatch::Rule(0)
    );
    assert_eq!(
        route_time(&rules, None, &at(2, 12, 0)),
        TimeMatch::Rule(0),
        "no calendar, no holiday"
    );
    // The yearly date recurs; the single date does not.
    let next_year = CivilTime {
        year: 2027,
        ..at(4, 12, 0)
    };
    assert_eq!(
        route_time(&rules, Some(&cal), &next_year),
        TimeMatch::Holiday
    );
    let next_year_25 = CivilTime {
        year: 2027,
        ..at(2, 12, 0)
    };
    assert_eq!(
        route_time(&[], Some(&cal), &next_year_25),
        TimeMatch::Default
    );
}

#[test]
fn clock_and_routing_together() {
    // Saturday 2026-11-28 10:15 in Beijing is Saturday 02:15 UTC.
    let ms = days_from_civil(2026, 11, 28) * 86_400_000 + (2 * 60 + 15) * MIN;
    let t = civil_from_unix_ms(ms, 480);
    assert_eq!((t.weekday, t.minute_of_day), (5, 10 * 60 + 15));
    let rules = [
        rule("mon-fri", "08:00", "20:00"),
        rule("sat", "09:00", "13:00"),
    ];
    assert_eq!(route_time(&rules, None, &t), TimeMatch::Rule(1));
    assert_eq!(
        route_time(&rules, None, &civil_from_unix_ms(ms, 0)),
        TimeMatch::Default
    );
}
