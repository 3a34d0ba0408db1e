//! Timestamps of a history export: ISO 8601 read by hand (fast enough for millions of call
//! rows), instants kept as seconds since the Unix epoch, and one time zone in which times
//! without an offset are read and in which weekdays and hours are counted.
//!
//! Rules: `2026-06-30` is 00:00 of that day in the zone; `2026-06-30 14:05`,
//! `2026-06-30T14:05:07.250` are wall-clock times in the zone; a trailing `Z`, `+02:00`,
//! `+0200` or `+02` makes the time absolute (then converted to the zone for weekdays and
//! hours). Fractions of a second are dropped. A wall-clock time that a daylight-saving change
//! skips or repeats is resolved the usual way: a skipped time moves forward by the gap, a
//! repeated one takes the earlier instant (jiff's "compatible" rule, as RFC 5545 does).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::error::{Error, Result};

/// Seconds since 1970-01-01 00:00 UTC.
pub type Instant = i64;

/// Seconds in a day and an hour.
pub const DAY: i64 = 86_400;
/// Seconds in an hour.
pub const HOUR: i64 = 3_600;
/// Days in a month, as MODEL.md 7 counts them.
pub const MONTH_DAYS: f64 = 30.4375;

/// The zone an export is read and counted in.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: Option<TimeZone>,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl Zone {
    /// Coordinated Universal Time, the default.
    pub fn utc() -> Self {
        Zone {
            name: "UTC".into(),
            tz: None,
        }
    }

    /// An IANA zone by name (`Europe/Berlin`), from the database bundled with leadsim;
    /// `UTC` (any case) is the fast path without a database.
    ///
    /// # Errors
    /// [`Error::UnknownTimeZone`] for a name the database does not have.
    pub fn named(name: &str) -> Result<Self> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("utc") || name.eq_ignore_ascii_case("z") {
            return Ok(Zone::utc());
        }
        let tz = TimeZone::get(name).map_err(|e| Error::UnknownTimeZone {
            name: name.to_string(),
            message: e.to_string(),
        })?;
        Ok(Zone {
            name: name.to_string(),
            tz: Some(tz),
        })
    }

    /// The zone's name as given (`UTC` for the default).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Offset from UTC in seconds at an instant.
    pub fn offset_at(&self, t: Instant) -> i64 {
        match &self.tz {
            None => 0,
            Some(tz) => match Timestamp::from_second(t) {
                Ok(ts) => i64::from(tz.to_offset(ts).seconds()),
                Err(_) => 0,
            },
        }
    }

    /// Wall-clock seconds since 1970-01-01 00:00 in this zone.
    pub fn local_seconds(&self, t: Instant) -> i64 {
        t + self.offset_at(t)
    }

    /// The local calendar position of an instant.
    pub fn local(&self, t: Instant) -> Local {
        let s = self.local_seconds(t);
        Local {
            day: s.div_euclid(DAY),
            second_of_day: s.rem_euclid(DAY) as u32,
        }
    }

    /// The instant of a wall-clock time (seconds since 1970-01-01 00:00 local).
    fn instant_of_local(&self, local: i64, civil: (i32, u32, u32, u32, u32, u32)) -> Instant {
        match &self.tz {
            None => local,
            Some(tz) => {
                let (y, mo, d, h, mi, s) = civil;
                match DateTime::new(y as i16, mo as i8, d as i8, h as i8, mi as i8, s as i8, 0) {
                    Ok(dt) => match tz.to_ambiguous_timestamp(dt).compatible() {
                        Ok(ts) => ts.as_second(),
                        Err(_) => local,
                    },
                    Err(_) => local,
                }
            }
        }
    }

    /// Formats an instant as ISO 8601 with its offset in this zone (`2026-06-30T14:05:00+02:00`),
    /// for messages and outputs.
    pub fn format(&self, t: Instant) -> String {
        let off = self.offset_at(t);
        let local = t + off;
        let (y, mo, d) = civil_from_days(local.div_euclid(DAY));
        let sod = local.rem_euclid(DAY);
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.abs();
        format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            sod / 3600,
            (sod / 60) % 60,
            sod % 60,
            a / 3600,
            (a / 60) % 60
        )
    }
}

/// A position on the local calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// Days since 1970-01-01 (local).
    pub day: i64,
    /// Seconds since local midnight.
    pub second_of_day: u32,
}

impl Local {
    /// Day of the week, Monday = 0 ... Sunday = 6.
    pub fn weekday(&self) -> usize {
        weekday_of_day(self.day)
    }

    /// Hour of the day, 0 to 23.
    pub fn hour(&self) -> usize {
        (self.second_of_day / 3600) as usize
    }
}

/// Day of the week of a day number (days since 1970-01-01, a Thursday), Monday = 0.
pub fn weekday_of_day(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// Reads an ISO 8601 timestamp; a time without an offset is wall-clock time in `zone`.
///
/// # Errors
/// A short reason (for [`Error::BadTimestamp`]) when the text is not a timestamp of the
/// accepted forms or names a date that does not exist.
pub fn parse_timestamp(text: &str, zone: &Zone) -> std::result::Result<Instant, &'static str> {
    parse_timestamp_precision(text, zone).map(|(t, _)| t)
}

/// As [`parse_timestamp`], also telling whether the text was a date alone (so that an order
/// check can compare it by day: a lead converted "2026-03-02" after an MQL at 08:05 that day
/// is in order).
///
/// # Errors
/// As [`parse_timestamp`].
pub fn parse_timestamp_precision(
    text: &str,
    zone: &Zone,
) -> std::result::Result<(Instant, bool), &'static str> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let s = b.get(from..from + n)?;
        let mut v = 0u32;
        for &c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err("not a date of the form YYYY-MM-DD");
    }
    let y = digits(0, 4).ok_or("the year is not four digits")? as i32;
    let mo = digits(5, 2).ok_or("the month is not two digits")?;
    let d = digits(8, 2).ok_or("the day is not two digits")?;
    if !(1..=12).contains(&mo) {
        return Err("the month is not between 01 and 12");
    }
    if d == 0 || d > days_in_month(y, mo) {
        return Err("the day does not exist in that month");
    }
    let (mut h, mut mi, mut s) = (0u32, 0u32, 0u32);
    let mut i = 10;
    if i < b.len() && (b[i] == b'T' || b[i] == b't' || b[i] == b' ') {
        i += 1;
        h = digits(i, 2).ok_or("the hour is not two digits")?;
        if b.get(i + 2) != Some(&b':') {
            return Err("expected HH:MM after the date");
        }
        mi = digits(i + 3, 2).ok_or("the minute is not two digits")?;
        i += 5;
        if b.get(i) == Some(&b':') {
            s = digits(i + 1, 2).ok_or("the second is not two digits")?;
            i += 3;
            if matches!(b.get(i), Some(b'.') | Some(b',')) {
                i += 1;
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i == start {
                    return Err("no digits after the decimal point of the seconds");
                }
            }
        }
        if h > 23 || mi > 59 || s > 59 {
            return Err("the time of day is out of range");
        }
    }
    let date_only = i == 10;
    let local = days_from_civil(y, mo, d) * DAY + i64::from(h * 3600 + mi * 60 + s);
    // An optional single space before the offset (some exports write "14:05:00 +0200").
    if i < b.len() && b[i] == b' ' && i + 1 < b.len() && matches!(b[i + 1], b'+' | b'-' | b'Z') {
        i += 1;
    }
    if i == b.len() {
        return Ok((
            zone.instant_of_local(local, (y, mo, d, h, mi, s)),
            date_only,
        ));
    }
    let offset = match b[i] {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        b'+' | b'-' => {
            let sign = if b[i] == b'-' { -1 } else { 1 };
            let oh = digits(i + 1, 2).ok_or("the offset hours are not two digits")?;
            let rest = &b[i + 3..];
            let om = match rest {
                [] => 0,
                [b':', _, _] => digits(i + 4, 2).ok_or("the offset minutes are not two digits")?,
                [_, _] => digits(i + 3, 2).ok_or("the offset minutes are not two digits")?,
                _ => return Err("the offset is not +HH:MM, +HHMM or +HH"),
            };
            if oh > 18 || om > 59 {
                return Err("the offset is out of range");
            }
            sign * i64::from(oh * 3600 + om * 60)
        }
        _ => return Err("unexpected text after the time"),
    };
    Ok((local - offset, date_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-800_000i64, -1, 0, 59, 60, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        // 2026-06-29 is a Monday.
        assert_eq!(weekday_of_day(days_from_civil(2026, 6, 29)), 0);
        assert_eq!(weekday_of_day(days_from_civil(2026, 7, 5)), 6);
    }

    #[test]
    fn reads_dates_times_offsets_and_fractions() {
        let utc = Zone::utc();
        let day = days_from_civil(2026, 6, 30) * DAY;
        assert_eq!(parse_timestamp("2026-06-30", &utc), Ok(day));
        assert_eq!(
            parse_timestamp("2026-06-30 14:05", &utc),
            Ok(day + 14 * 3600 + 300)
        );
        assert_eq!(
            parse_timestamp("2026-06-30T14:05:07.250", &utc),
            Ok(day + 14 * 3600 + 307)
        );
        assert_eq!(
            parse_timestamp("2026-06-30T14:05:00Z", &utc),
            Ok(day + 14 * 3600 + 300)
        );
        // Salesforce writes +0000; an offset makes the time absolute.
        assert_eq!(
            parse_timestamp("2026-06-30T14:05:00.000+0200", &utc),
            Ok(day + 12 * 3600 + 300)
        );
        assert_eq!(
            parse_timestamp("2026-06-30T14:05:00-05:30", &utc),
            Ok(day + 19 * 3600 + 1800 + 300)
        );
        assert_eq!(
            parse_timestamp("2026-06-30T14:05:00+02", &utc),
            Ok(day + 12 * 3600 + 300)
        );
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        let utc = Zone::utc();
        for bad in [
            "30/06/2026",
            "2026-13-01",
            "2026-02-29",
            "2026-06-31",
            "2026-06-30T25:00",
            "2026-06-30T14",
            "2026-06-30T14:05:00+2",
            "2026-06-30T14:05:00 CET",
            "2026-06-30x",
            "",
        ] {
            assert!(parse_timestamp(bad, &utc).is_err(), "{bad} was accepted");
        }
        assert!(parse_timestamp("2024-02-29", &utc).is_ok());
    }

    #[test]
    fn wall_clock_times_are_read_in_the_zone() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let day = days_from_civil(2026, 6, 30) * DAY;
        // Summer: CEST is UTC+2, so 14:05 local is 12:05 UTC.
        assert_eq!(
            parse_timestamp("2026-06-30 14:05", &berlin),
            Ok(day + 12 * 3600 + 300)
        );
        // A date alone is local midnight: 22:00 UTC the day before.
        assert_eq!(parse_timestamp("2026-06-30", &berlin), Ok(day - 2 * 3600));
        // Winter: CET is UTC+1.
        let jan = days_from_civil(2026, 1, 15) * DAY;
        assert_eq!(
            parse_timestamp("2026-01-15 09:00", &berlin),
            Ok(jan + 8 * 3600)
        );
        // An absolute time is converted for weekdays and hours: 23:30 UTC on a Monday is
        // 01:30 on Tuesday in Berlin.
        let monday = days_from_civil(2026, 6, 29);
        let t = parse_timestamp("2026-06-29T23:30:00Z", &berlin).unwrap();
        let local = berlin.local(t);
        assert_eq!(local.day, monday + 1);
        assert_eq!(local.weekday(), 1);
        assert_eq!(local.hour(), 1);
        assert_eq!(berlin.format(t), "2026-06-30T01:30:00+02:00");
        // New York on the same instant is still Monday evening.
        let ny = Zone::named("America/New_York").unwrap();
        assert_eq!(ny.local(t).weekday(), 0);
        assert_eq!(ny.local(t).hour(), 19);
    }

    #[test]
    fn daylight_saving_gaps_move_forward_and_folds_take_the_earlier_instant() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00): it reads as
        // 03:30 CEST = 01:30 UTC.
        let mar = days_from_civil(2026, 3, 29) * DAY;
        assert_eq!(
            parse_timestamp("2026-03-29 02:30", &berlin),
            Ok(mar + 3600 + 1800)
        );
        // 2026-10-25 02:30 happens twice; the earlier one is CEST (UTC+2) = 00:30 UTC.
        let oct = days_from_civil(2026, 10, 25) * DAY;
        assert_eq!(parse_timestamp("2026-10-25 02:30", &berlin), Ok(oct + 1800));
    }

    #[test]
    fn unknown_zones_are_errors() {
        assert!(matches!(
            Zone::named("Europe/Atlantis"),
            Err(Error::UnknownTimeZone { .. })
        ));
        assert_eq!(Zone::named("utc").unwrap().name(), "UTC");
    }
}
