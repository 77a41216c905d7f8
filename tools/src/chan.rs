//! Channel addresses written as `SPAN/TS` (e.g. `1/5`).

use std::fmt;
use std::str::FromStr;

/// Highest timeslot number on any supported line (E1 has timeslots 1–31;
/// T1 channels are 1–24; timeslot 0 of an E1 carries framing).
pub const MAX_TIMESLOT: u32 = 31;

/// A channel address: global span number and timeslot, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanTs {
    /// Global span number (≥ 1).
    pub span: u32,
    /// Timeslot on the span (1..=[`MAX_TIMESLOT`]).
    pub timeslot: u32,
}

/// Why a `SPAN/TS` string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanTsError {
    /// The string is not of the form `SPAN/TS`.
    #[error("invalid channel '{0}': expected SPAN/TS, e.g. 1/5")]
    Syntax(String),
    /// The span part is not a positive integer.
    #[error("invalid channel '{input}': span '{part}' is not a number ≥ 1")]
    BadSpan {
        /// The whole input.
        input: String,
        /// The offending span part.
        part: String,
    },
    /// The timeslot part is not an integer in range.
    #[error("invalid channel '{input}': timeslot '{part}' is not a number in 1..={max}", max = MAX_TIMESLOT)]
    BadTimeslot {
        /// The whole input.
        input: String,
        /// The offending timeslot part.
        part: String,
    },
}

impl FromStr for SpanTs {
    type Err = SpanTsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim();
        let (span_part, ts_part) = input
            .split_once('/')
            .ok_or_else(|| SpanTsError::Syntax(s.to_string()))?;
        if span_part.is_empty() || ts_part.is_empty() || ts_part.contains('/') {
            return Err(SpanTsError::Syntax(s.to_string()));
        }
        let span = parse_positive(span_part)
            .filter(|&n| n >= 1)
            .ok_or_else(|| SpanTsError::BadSpan {
                input: s.to_string(),
                part: span_part.to_string(),
            })?;
        let timeslot = parse_positive(ts_part)
            .filter(|n| (1..=MAX_TIMESLOT).contains(n))
            .ok_or_else(|| SpanTsError::BadTimeslot {
                input: s.to_string(),
                part: ts_part.to_string(),
            })?;
        Ok(SpanTs { span, timeslot })
    }
}

/// Parses a string of ASCII digits only (no sign, no spaces).
fn parse_positive(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for SpanTs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.span, self.timeslot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_addresses() {
        assert_eq!(
            "1/5".parse::<SpanTs>(),
            Ok(SpanTs {
                span: 1,
                timeslot: 5
            })
        );
        assert_eq!(
            " 12/31 ".parse::<SpanTs>(),
            Ok(SpanTs {
                span: 12,
                timeslot: 31
            })
        );
        assert_eq!(
            "003/01".parse::<SpanTs>(),
            Ok(SpanTs {
                span: 3,
                timeslot: 1
            })
        );
    }

    #[test]
    fn display_round_trips() {
        let c: SpanTs = "4/17".parse().expect("valid");
        assert_eq!(c.to_string(), "4/17");
    }

    #[test]
    fn rejects_bad_syntax() {
        for bad in ["", "1", "1-5", "/5", "1/", "1/2/3", "a/b c"] {
            let err = bad.parse::<SpanTs>().expect_err(bad);
            assert!(
                matches!(
                    err,
                    SpanTsError::Syntax(_)
                        | SpanTsError::BadSpan { .. }
                        | SpanTsError::BadTimeslot { .. }
                ),
                "{bad}: {err}"
            );
        }
        assert!(matches!(
            "1-5".parse::<SpanTs>(),
            Err(SpanTsError::Syntax(_))
        ));
        let msg = "1-5".parse::<SpanTs>().expect_err("bad").to_string();
        assert!(msg.contains("expected SPAN/TS"), "{msg}");
    }

    #[test]
    fn rejects_out_of_range_numbers() {
        assert!(matches!(
            "0/5".parse::<SpanTs>(),
            Err(SpanTsError::BadSpan { .. })
        ));
        assert!(matches!(
            "-1/5".parse::<SpanTs>(),
            Err(SpanTsError::BadSpan { .. })
        ));
        assert!(matches!(
            "+1/5".parse::<SpanTs>(),
            Err(SpanTsError::BadSpan { .. })
        ));
        assert!(matches!(
            "99999999999/5".parse::<SpanTs>(),
            Err(SpanTsError::BadSpan { .. })
        ));
        assert!(matches!(
            "1/0".parse::<SpanTs>(),
            Err(SpanTsError::BadTimeslot { .. })
        ));
        assert!(matches!(
            "1/32".parse::<SpanTs>(),
            Err(SpanTsError::BadTimeslot { .. })
        ));
        assert!(matches!(
            "1/x".parse::<SpanTs>(),
            Err(SpanTsError::BadTimeslot { .. })
        ));
    }
}
