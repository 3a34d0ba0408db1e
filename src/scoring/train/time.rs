//! Time-aware validation (`TrainOptions::time`): the holdout is the latest leads, so the
//! metrics say how the score does on a later period than it was fit on (out-of-time), and
//! leads too young to have converted at the export are left out instead of counted as
//! negatives.
//!
//! Rules, in order:
//! 1. Every row needs a time (ISO 8601 date or timestamp, an unambiguous slash date, or a
//!    plain ordering number); see [`crate::data::dates`].
//! 2. With `maturity_days`, a lead is immature when it is younger than that many days at
//!    `as_of` (the latest time in the file when not given); immature leads are left out of
//!    training and evaluation, and counted.
//! 3. The test side is either the latest share of the remaining rows in time order
//!    ([`TimeTest::Latest`]; rows tied with the first test row's time join the test side, so
//!    no instant is split between the periods) or the rows after a date
//!    ([`TimeTest::After`]; a bare date means after that whole day).

use serde::{Deserialize, Serialize};

use crate::data::dates::{format_time, parse_time, read_time_column, DateFormat, DAY};
use crate::data::{MissingTokens, Table};
use crate::error::{Error, Result};

/// Which leads form the test period.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeTest {
    /// The latest share of rows in time order, in (0, 1); 0 keeps every row for training.
    Latest(f64),
    /// Rows after this date or timestamp (text in the column's format or ISO 8601).
    After(String),
}

/// Time-aware validation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeOptions {
    /// The column that orders the leads (their creation time).
    pub column: String,
    /// How to read it; inferred when `None`.
    pub date_format: Option<DateFormat>,
    pub test: TimeTest,
    /// The export's date, for [`Self::maturity_days`]; the latest lead's time when `None`.
    pub as_of: Option<String>,
    /// Leads younger than this many days at `as_of` have not had time to convert.
    pub maturity_days: Option<f64>,
}

impl TimeOptions {
    /// Latest 20% of rows, format inferred, no maturity rule.
    pub fn latest(column: impl Into<String>, share: f64) -> Self {
        TimeOptions {
            column: column.into(),
            date_format: None,
            test: TimeTest::Latest(share),
            as_of: None,
            maturity_days: None,
        }
    }

    pub(super) fn check(&self) -> Result<()> {
        if let TimeTest::Latest(f) = self.test {
            if !(0.0..1.0).contains(&f) {
                return Err(Error::InvalidHyperparameter {
                    name: "test_latest",
                    value: f,
                    expected: "must be in [0, 1)",
                });
            }
        }
        if let Some(d) = self.maturity_days {
            if !(d >= 0.0 && d.is_finite()) {
                return Err(Error::InvalidHyperparameter {
                    name: "maturity_days",
                    value: d,
                    expected: "must be >= 0 and finite",
                });
            }
        }
        if let (Some(a), None) = (&self.as_of, self.maturity_days) {
            return Err(Error::InvalidParameter {
                name: "as_of".into(),
                value: a.clone(),
                reason: "needs maturity_days (how many days a lead needs to convert)".into(),
            });
        }
        Ok(())
    }
}

/// How the rows were split in time, as saved in the model (`training.time_split`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeSplitInfo {
    pub column: String,
    pub format: DateFormat,
    /// The rule in words, e.g. `latest 20% of rows` or `after 2010-01-01`.
    pub rule: String,
    pub train_rows: usize,
    pub train_from: String,
    pub train_to: String,
    pub test_rows: usize,
    /// Empty when there is no test period.
    pub test_from: String,
    pub test_to: String,
    /// The maturity rule, when given.
    pub as_of: Option<String>,
    pub maturity_days: Option<f64>,
    /// Leads left out as too young to have converted.
    pub immature_rows: usize,
}

/// The rows of each side (sorted by row index) and the description of the split.
pub(super) struct TimeSplit {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
    pub info: TimeSplitInfo,
}

/// Splits the rows of `table` by the time in column `c` as `opts` says (module docs).
///
/// # Errors
/// [`Error::TimeValue`], [`Error::AmbiguousDates`] for the column,
/// [`Error::InvalidParameter`] for an unreadable `as_of` or `After` date, [`Error::EmptyPeriod`]
/// when a side would have no rows.
pub(super) fn split(
    table: &Table,
    c: usize,
    opts: &TimeOptions,
    missing: &MissingTokens,
) -> Result<TimeSplit> {
    let (times, format) = read_time_column(table, c, missing, opts.date_format)?;
    let column = table.headers()[c].clone();
    let parse_option = |name: &str, text: &str| {
        parse_time(text, format)
            .or_else(|e| {
                if format == DateFormat::Number {
                    Err(e)
                } else {
                    parse_time(text, DateFormat::Iso)
                }
            })
            .map_err(|reason| Error::InvalidParameter {
                name: name.into(),
                value: text.into(),
                reason: format!("{reason} (the time column is read as {format})"),
            })
    };
    let empty = |side: &'static str, detail: String| Error::EmptyPeriod {
        path: table.path().to_path_buf(),
        column: column.clone(),
        side,
        detail,
    };
    let latest = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);

    // 2. Maturity.
    let mut mature: Vec<usize> = (0..table.rows()).collect();
    let mut as_of_text = None;
    if let Some(days) = opts.maturity_days {
        if format == DateFormat::Number {
            return Err(Error::InvalidParameter {
                name: "maturity_days".into(),
                value: days.to_string(),
                reason: format!(
                    "the time column \"{column}\" holds numbers, not dates: ages in days need dates"
                ),
            });
        }
        let as_of = match &opts.as_of {
            Some(text) => parse_option("as_of", text)?.value,
            None => latest,
        };
        let cutoff = as_of - days * DAY;
        mature.retain(|&r| times[r] <= cutoff);
        as_of_text = Some(format_time(as_of, format));
        if mature.is_empty() {
            return Err(empty(
                "training",
                format!(
                    "every lead is younger than {days} days at {}",
                    format_time(as_of, format)
                ),
            ));
        }
    }
    let immature_rows = table.rows() - mature.len();

    // 3. The test side.
    let (is_test, rule): (Box<dyn Fn(f64) -> bool>, String) = match &opts.test {
        TimeTest::Latest(share) if *share == 0.0 => (Box::new(|_| false), "none".into()),
        TimeTest::Latest(share) => {
            let mut order = mature.clone();
            order.sort_by(|&a, &b| times[a].total_cmp(&times[b]).then(a.cmp(&b)));
            let n_test = ((share * order.len() as f64).round() as usize).max(1);
            let first = times[order[order.len().saturating_sub(n_test)]];
            (
                Box::new(move |t| t >= first),
                format!(
                    "latest {}% of rows in time order",
                    (share * 1e4).round() / 100.0
                ),
            )
        }
        TimeTest::After(text) => {
            let t = parse_option("test_after", text)?;
            let rule = format!("after {text}");
            if t.has_time || format == DateFormat::Number {
                (Box::new(move |x| x > t.value), rule)
            } else {
                let next_day = t.value + DAY;
                (Box::new(move |x| x >= next_day), rule)
            }
        }
    };
    let (test, train): (Vec<usize>, Vec<usize>) = mature.iter().partition(|&&r| is_test(times[r]));
    let range = |rows: &[usize]| {
        let lo = rows.iter().map(|&r| times[r]).fold(f64::INFINITY, f64::min);
        let hi = rows
            .iter()
            .map(|&r| times[r])
            .fold(f64::NEG_INFINITY, f64::max);
        if rows.is_empty() {
            (String::new(), String::new())
        } else {
            (format_time(lo, format), format_time(hi, format))
        }
    };
    if train.is_empty() {
        return Err(empty(
            "training",
            format!("every usable lead falls in the test period ({rule})"),
        ));
    }
    if test.is_empty() && !matches!(opts.test, TimeTest::Latest(s) if s == 0.0) {
        return Err(empty(
            "test",
            format!(
                "no usable lead falls in the test period ({rule}); the latest is {}",
                range(&train).1
            ),
        ));
    }
    let (train_from, train_to) = range(&train);
    let (test_from, test_to) = range(&test);
    Ok(TimeSplit {
        info: TimeSplitInfo {
            column,
            format,
            rule,
            train_rows: train.len(),
            train_from,
            train_to,
            test_rows: test.len(),
            test_from,
            test_to,
            as_of: as_of_text,
            maturity_days: opts.maturity_days,
            immature_rows,
        },
        train,
        test,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CsvOptions;

    fn table(text: &str) -> (tempfile::TempDir, Table) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, text).unwrap();
        let t = Table::load(&p, &CsvOptions::default(), None).unwrap();
        (dir, t)
    }

    #[test]
    fn latest_share_follows_time_not_file_order_and_ties_join_the_test_side() {
        // File order is shuffled; two rows share the time that the 20% cut lands on.
        let (_d, t) = table(
            "created,y\n2024-01-05,0\n2024-01-10,1\n2024-01-01,0\n2024-01-09,0\n2024-01-02,1\n\
             2024-01-09,1\n2024-01-03,0\n2024-01-04,0\n2024-01-06,1\n2024-01-07,0\n",
        );
        let s = split(
            &t,
            0,
            &TimeOptions::latest("created", 0.2),
            &MissingTokens::default(),
        )
        .unwrap();
        // round(0.2 * 10) = 2 latest rows: 01-10 and one 01-09; the other 01-09 joins them.
        assert_eq!(s.test, vec![1, 3, 5]);
        assert_eq!(s.info.test_from, "2024-01-09");
        assert_eq!(s.info.train_to, "2024-01-07");
        assert_eq!((s.info.train_rows, s.info.test_rows), (7, 3));
    }

    #[test]
    fn test_after_a_bare_date_means_after_that_whole_day() {
        let (_d, t) = table("ts,y\n2024-01-01T10:00,0\n2024-01-01T23:59,1\n2024-01-02T00:00,1\n");
        let opts = TimeOptions {
            test: TimeTest::After("2024-01-01".into()),
            ..TimeOptions::latest("ts", 0.2)
        };
        let s = split(&t, 0, &opts, &MissingTokens::default()).unwrap();
        assert_eq!((s.train, s.test), (vec![0, 1], vec![2]));
        let opts = TimeOptions {
            test: TimeTest::After("2024-01-01T12:00".into()),
            ..opts
        };
        let s = split(&t, 0, &opts, &MissingTokens::default()).unwrap();
        assert_eq!((s.train, s.test), (vec![0], vec![1, 2]));
        let opts = TimeOptions {
            test: TimeTest::After("2024-01-02".into()),
            ..opts
        };
        let err = split(&t, 0, &opts, &MissingTokens::default())
            .err()
            .unwrap();
        assert!(
            matches!(err, Error::EmptyPeriod { side: "test", .. }),
            "{err}"
        );
    }

    #[test]
    fn immature_leads_are_left_out_and_counted() {
        let (_d, t) = table(
            "d,y\n2024-01-01,1\n2024-01-15,0\n2024-02-01,0\n2024-02-20,0\n2024-03-01,0\n2024-03-02,0\n",
        );
        let opts = TimeOptions {
            as_of: Some("2024-03-03".into()),
            maturity_days: Some(30.0),
            ..TimeOptions::latest("d", 0.25)
        };
        let s = split(&t, 0, &opts, &MissingTokens::default()).unwrap();
        // 2024-03-03 minus 30 days is 2024-02-02: the last three leads are younger.
        assert_eq!(s.info.immature_rows, 3);
        assert_eq!((s.train, s.test), (vec![0, 1], vec![2]));
        assert_eq!(s.info.as_of.as_deref(), Some("2024-03-03"));
    }

    /// `t` split at its latest half by column `d`, with the default missing tokens.
    fn split_half(t: &Table) -> Result<TimeSplit> {
        split(
            t,
            0,
            &TimeOptions::latest("d", 0.5),
            &MissingTokens::default(),
        )
    }

    #[test]
    fn ambiguous_slash_dates_ask_for_the_format() {
        let (_d, t) = table("d,y\n01/02/2024,1\n03/04/2024,0\n");
        let err = split_half(&t).err().unwrap();
        assert!(
            matches!(&err, Error::AmbiguousDates { line: 2, .. }),
            "{err}"
        );
        let opts = TimeOptions {
            date_format: Some(DateFormat::DayFirst),
            ..TimeOptions::latest("d", 0.5)
        };
        let s = split(&t, 0, &opts, &MissingTokens::default()).unwrap();
        assert_eq!(s.info.train_from, "2024-02-01");

        let (_d, t) = table("d,y\n01/02/2024,1\n25/04/2024,0\n");
        let s = split_half(&t).unwrap();
        assert_eq!(
            (s.info.format, s.info.test_from.as_str()),
            (DateFormat::DayFirst, "2024-04-25")
        );
        let (_d, t) = table("d,y\n01/02/2024,1\n04/25/2024,0\n");
        let s = split_half(&t).unwrap();
        assert_eq!(s.info.format, DateFormat::MonthFirst);
    }

    #[test]
    fn a_missing_or_unreadable_time_names_its_line() {
        let (_d, t) = table("d,y\n2024-01-01,1\n,0\n");
        let err = split_half(&t).err().unwrap();
        assert!(matches!(&err, Error::TimeValue { line: 3, .. }), "{err}");
        let (_d, t) = table("d,y\n2024-01-01,1\n2024-02-30,0\n");
        let err = split_half(&t).err().unwrap();
        assert!(
            matches!(&err, Error::TimeValue { line: 3, value, .. } if value == "2024-02-30"),
            "{err}"
        );
    }
}
