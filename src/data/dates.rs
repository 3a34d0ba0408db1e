//! Dates and timestamps in lead files: recognising a column of them, and reading them as one
//! number per row (seconds since 1970-01-01 UTC) so that rows can be put in time order.
//!
//! Accepted forms: ISO 8601 dates (`2024-03-07`) and timestamps (`2024-03-07T09:30`,
//! `2024-03-07 09:30:15.25`, with an optional `Z` or `+02:00` offset; without one the time is
//! read as UTC, which keeps the order of a file written in one zone), and `07/03/2024` or
//! `03/07/2024` (optionally followed by a time). Which of day/month comes first is decided
//! from the column: a first part above 12 means day first, a second part above 12 month
//! first; when no value tells them apart the column is ambiguous and the format must be
//! given. A time column may also hold plain numbers (a sequence number or row order), which
//! order rows but carry no calendar.

use crate::data::{parse_number, MissingTokens, Number, Table};
use crate::error::{Error, Result};

/// How a time column's texts are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// ISO 8601: `yyyy-mm-dd`, optionally with a time and offset.
    Iso,
    /// `dd/mm/yyyy`, optionally with a time.
    DayFirst,
    /// `mm/dd/yyyy`, optionally with a time.
    MonthFirst,
    /// Plain numbers: an order, not a calendar.
    Number,
}

impl std::str::FromStr for DateFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "iso" | "yyyy-mm-dd" => Ok(DateFormat::Iso),
            "dd/mm/yyyy" | "day-first" => Ok(DateFormat::DayFirst),
            "mm/dd/yyyy" | "month-first" => Ok(DateFormat::MonthFirst),
            "number" => Ok(DateFormat::Number),
            _ => Err(format!(
                "expected iso, dd/mm/yyyy, mm/dd/yyyy or number, got \"{s}\""
            )),
        }
    }
}

impl std::fmt::Display for DateFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DateFormat::Iso => "iso",
            DateFormat::DayFirst => "dd/mm/yyyy",
            DateFormat::MonthFirst => "mm/dd/yyyy",
            DateFormat::Number => "number",
        })
    }
}

/// Seconds in a day.
pub const DAY: f64 = 86_400.0;

/// A parsed time: seconds since the epoch (or the number itself), and whether the text gave a
/// time of day (a bare date stands for the whole day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParsedTime {
    pub value: f64,
    pub has_time: bool,
}

/// The parts of a slash date, before the day/month order is known.
struct SlashDate {
    first: u32,
    second: u32,
    year: i32,
    seconds: Option<f64>,
}

/// Reads a text as a time in `format`; the reason when it is not one.
pub fn parse_time(text: &str, format: DateFormat) -> std::result::Result<ParsedTime, String> {
    match format {
        DateFormat::Number => match parse_number(text) {
            Number::Finite(v) => Ok(ParsedTime {
                value: v,
                has_time: true,
            }),
            _ => Err("not a number".into()),
        },
        DateFormat::Iso => parse_iso(text),
        DateFormat::DayFirst | DateFormat::MonthFirst => {
            let s = parse_slash(text).ok_or_else(|| format!("not a {format} date"))?;
            let (d, m) = if format == DateFormat::DayFirst {
                (s.first, s.second)
            } else {
                (s.second, s.first)
            };
            let days = civil_days(s.year, m, d).ok_or_else(|| format!("not a {format} date"))?;
            Ok(ParsedTime {
                value: days as f64 * DAY + s.seconds.unwrap_or(0.0),
                has_time: s.seconds.is_some(),
            })
        }
    }
}

/// Whether a text reads as a calendar date or timestamp in any accepted form (not a number).
pub fn looks_like_date(text: &str) -> bool {
    parse_iso(text).is_ok()
        || parse_slash(text).is_some_and(|s| {
            civil_days(s.year, s.second, s.first).is_some()
                || civil_days(s.year, s.first, s.second).is_some()
        })
}

/// The time values of column `c` of `table`, one per row, with the format used: `format` when
/// given, else inferred (numbers, ISO, or a slash form whose day/month order the values
/// settle).
///
/// # Errors
/// [`Error::TimeValue`] for a missing or unreadable value (naming line, column and value),
/// [`Error::AmbiguousDates`] when slash dates never show which part is the day.
pub fn read_time_column(
    table: &Table,
    c: usize,
    missing: &MissingTokens,
    format: Option<DateFormat>,
) -> Result<(Vec<f64>, DateFormat)> {
    let column = &table.headers()[c];
    let bad = |r: usize, reason: String| Error::TimeValue {
        path: table.path().to_path_buf(),
        line: table.line(r),
        column: column.clone(),
        value: table.value(r, c).to_string(),
        reason,
    };
    if let Some(r) = (0..table.rows()).find(|&r| missing.is_missing(table.value(r, c))) {
        return Err(bad(
            r,
            "missing; every row needs a time to be put in order".into(),
        ));
    }
    let format = match format {
        Some(f) => f,
        None => infer_format(table, c).map_err(|(r, reason)| match reason {
            None => Error::AmbiguousDates {
                path: table.path().to_path_buf(),
                column: column.clone(),
                line: table.line(r),
                value: table.value(r, c).to_string(),
            },
            Some(reason) => bad(r, reason),
        })?,
    };
    let values = (0..table.rows())
        .map(|r| {
            parse_time(table.value(r, c), format)
                .map(|t| t.value)
                .map_err(|reason| bad(r, reason))
        })
        .collect::<Result<Vec<f64>>>()?;
    Ok((values, format))
}

/// The format of a column of times: `Err((row, None))` when slash dates are ambiguous (the row
/// is an example), `Err((row, Some(reason)))` at the first value no format reads.
fn infer_format(
    table: &Table,
    c: usize,
) -> std::result::Result<DateFormat, (usize, Option<String>)> {
    let first = table.value(0, c);
    if matches!(parse_number(first), Number::Finite(_)) {
        return Ok(DateFormat::Number);
    }
    if parse_iso(first).is_ok() {
        return Ok(DateFormat::Iso);
    }
    if parse_slash(first).is_none() {
        return Err((
            0,
            Some("not a date, timestamp or number (expected e.g. 2024-03-07, 2024-03-07T09:30 or 07/03/2024)".into()),
        ));
    }
    let (mut day_first, mut month_first) = (None, None);
    for r in 0..table.rows() {
        let Some(s) = parse_slash(table.value(r, c)) else {
            return Err((
                r,
                Some("not a dd/mm/yyyy or mm/dd/yyyy date like the rows above".into()),
            ));
        };
        if s.first > 12 {
            day_first.get_or_insert(r);
        }
        if s.second > 12 {
            month_first.get_or_insert(r);
        }
    }
    match (day_first, month_first) {
        (Some(_), None) => Ok(DateFormat::DayFirst),
        (None, Some(_)) => Ok(DateFormat::MonthFirst),
        (None, None) => Err((0, None)),
        (Some(a), Some(b)) => Err((
            a.max(b),
            Some(
                "day above 12 in both the first and the second place of this column's dates".into(),
            ),
        )),
    }
}

/// `yyyy-mm-dd[(T| )hh:mm[:ss[.f]]][Z|(+|-)hh[:]mm]`.
fn parse_iso(text: &str) -> std::result::Result<ParsedTime, String> {
    let b = text.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit) && !s.is_empty();
    let num = |s: &[u8]| -> u32 {
        std::str::from_utf8(s)
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(u32::MAX)
    };
    let not_iso = || "not an ISO 8601 date or timestamp".to_string();
    if b.len() < 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(&b[..4])
        || !digits(&b[5..7])
        || !digits(&b[8..10])
    {
        return Err(not_iso());
    }
    let days = civil_days(num(&b[..4]) as i32, num(&b[5..7]), num(&b[8..10]))
        .ok_or_else(|| "not a calendar date".to_string())?;
    if b.len() == 10 {
        return Ok(ParsedTime {
            value: days as f64 * DAY,
            has_time: false,
        });
    }
    if b[10] != b'T' && b[10] != b' ' {
        return Err(not_iso());
    }
    let (seconds, rest) = parse_clock(&text[11..]).ok_or_else(not_iso)?;
    let offset = match rest {
        "" | "Z" | "z" => 0.0,
        o => {
            let ob = o.as_bytes();
            let sign = match ob[0] {
                b'+' => 1.0,
                b'-' => -1.0,
                _ => return Err(not_iso()),
            };
            let hm: Vec<u8> = ob[1..].iter().copied().filter(|&c| c != b':').collect();
            if hm.len() != 4 || !digits(&hm) {
                return Err(not_iso());
            }
            let (h, m) = (num(&hm[..2]), num(&hm[2..]));
            if h > 23 || m > 59 {
                return Err(not_iso());
            }
            sign * f64::from(h * 3600 + m * 60)
        }
    };
    Ok(ParsedTime {
        value: days as f64 * DAY + seconds - offset,
        has_time: true,
    })
}

/// `hh:mm[:ss[.fraction]]` at the start of `s`: seconds into the day and what follows.
fn parse_clock(s: &str) -> Option<(f64, &str)> {
    let b = s.as_bytes();
    let two = |i: usize| -> Option<u32> {
        let d = b.get(i..i + 2)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0'))
    };
    let h = two(0)?;
    if b.get(2) != Some(&b':') {
        return None;
    }
    let m = two(3)?;
    let mut end = 5;
    let mut sec = 0.0;
    if b.get(5) == Some(&b':') {
        sec = f64::from(two(6)?);
        end = 8;
        if b.get(8) == Some(&b'.') {
            let frac_len = b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
            if frac_len == 0 {
                return None;
            }
            sec += s[8..9 + frac_len].parse::<f64>().ok()?;
            end = 9 + frac_len;
        }
    }
    if h > 23 || m > 59 || sec >= 61.0 {
        return None;
    }
    Some((f64::from(h * 3600 + m * 60) + sec, &s[end..]))
}

/// `a/b/yyyy[ hh:mm[:ss]]`, with one- or two-digit `a` and `b`.
fn parse_slash(text: &str) -> Option<SlashDate> {
    let (date, clock) = match text.split_once(' ') {
        Some((d, c)) => (d, Some(c.trim())),
        None => (text, None),
    };
    let mut parts = date.split('/');
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !(1..=2).contains(&a.len())
        || !(1..=2).contains(&b.len())
        || y.len() != 4
    {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if !(all_digits(a) && all_digits(b) && all_digits(y)) {
        return None;
    }
    let seconds = match clock {
        None => None,
        Some(c) => match parse_clock(c)? {
            (s, "") => Some(s),
            _ => return None,
        },
    };
    Some(SlashDate {
        first: a.parse().ok()?,
        second: b.parse().ok()?,
        year: y.parse().ok()?,
        seconds,
    })
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_days(y: i32, m: u32, d: u32) -> Option<i64> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > month_days[m as usize - 1] {
        return None;
    }
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A time value as text in the column's terms: an ISO date (with the time of day when it is
/// not midnight) for calendar formats, the number itself for [`DateFormat::Number`].
pub fn format_time(value: f64, format: DateFormat) -> String {
    if format == DateFormat::Number {
        return if value.fract() == 0.0 && value.abs() < 1e15 {
            format!("{}", value as i64)
        } else {
            format!("{value}")
        };
    }
    let days = (value / DAY).floor();
    let secs = (value - days * DAY).round() as i64;
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_and_timestamps_with_offsets() {
        let day = |s| parse_time(s, DateFormat::Iso).unwrap();
        assert_eq!(day("1970-01-02").value, DAY);
        assert!(!day("1970-01-02").has_time);
        assert_eq!(day("1970-01-01T01:00").value, 3600.0);
        assert_eq!(day("1970-01-01 01:00:30.5").value, 3630.5);
        assert_eq!(day("1970-01-01T02:00:00+01:00").value, 3600.0);
        assert_eq!(day("1970-01-01T00:00:00-0130").value, 5400.0);
        assert_eq!(day("2000-03-01").value - day("2000-02-28").value, 2.0 * DAY);
        assert!(
            parse_time("2023-02-29", DateFormat::Iso).is_err(),
            "not a leap year"
        );
        assert!(parse_time("2024-13-01", DateFormat::Iso).is_err());
        assert!(parse_time("2024-01-01T25:00", DateFormat::Iso).is_err());
        assert!(parse_time("20240101", DateFormat::Iso).is_err());
    }

    #[test]
    fn slash_dates_follow_the_declared_order() {
        let dmy = parse_time("07/03/2024", DateFormat::DayFirst)
            .unwrap()
            .value;
        let mdy = parse_time("03/07/2024", DateFormat::MonthFirst)
            .unwrap()
            .value;
        assert_eq!(dmy, mdy);
        assert_eq!(
            dmy,
            parse_time("2024-03-07", DateFormat::Iso).unwrap().value
        );
        assert!(
            parse_time("31/12/2024 10:00", DateFormat::DayFirst)
                .unwrap()
                .has_time
        );
        assert!(parse_time("31/12/2024", DateFormat::MonthFirst).is_err());
        assert!(looks_like_date("31/12/2024") && looks_like_date("2024-12-31T00:00Z"));
        assert!(!looks_like_date("12") && !looks_like_date("a/b/cdef"));
    }

    #[test]
    fn format_time_inverts_parsing() {
        for s in [
            "1969-12-31",
            "2008-05-05",
            "2024-02-29 13:05:09",
            "2400-12-31",
        ] {
            let t = parse_time(s, DateFormat::Iso).unwrap().value;
            assert_eq!(format_time(t, DateFormat::Iso), s);
        }
    }
}
