//! Reading a population table: the scored leads of `population.table`, with `arrivals.replay`
//! their arrival hours, and with `population.label_column` their observed outcomes.

use std::path::Path;

use crate::data::{parse_yes_no, source::field_str, CsvOptions, CsvStream};
use crate::error::{Error, Result};
use crate::sim::model::LeadAttrs;

/// The columns of a population table to read.
pub(super) struct Columns<'a> {
    pub score: &'a str,
    pub propensity: &'a str,
    pub value: Option<&'a str>,
    pub time: Option<&'a str>,
    pub label: Option<&'a str>,
}

/// What a population table holds.
pub(super) struct Rows {
    pub leads: Vec<LeadAttrs>,
    /// Arrival hours, with a time column.
    pub times: Option<Vec<f64>>,
    /// Observed outcomes, with a label column (`None`: an empty field, not observed).
    pub labels: Option<Vec<Option<bool>>>,
}

/// Reads a CSV of scored leads (any file `leadsim score` or another tool wrote: delimiter
/// sniffed, gzip, BOM and CRLF handled). Scores and propensities must lie in [0, 1]; values
/// and times must not be negative; a label is `1`/`0`, `yes`/`no` or `true`/`false` (any
/// case), or empty for an outcome not observed.
///
/// # Errors
/// [`Error::Io`], [`Error::Csv`], [`Error::HeaderOnly`], [`Error::UnknownColumn`] (with a
/// suggestion) and [`Error::BadValue`] naming the line and column.
pub(super) fn read_table(path: &Path, cols: &Columns) -> Result<Rows> {
    let mut stream = CsvStream::open(path, &CsvOptions::default())?;
    let (si, pi) = (
        stream.column_index(cols.score)?,
        stream.column_index(cols.propensity)?,
    );
    let vi = cols.value.map(|v| stream.column_index(v)).transpose()?;
    let ti = cols.time.map(|t| stream.column_index(t)).transpose()?;
    let li = cols.label.map(|l| stream.column_index(l)).transpose()?;
    let path = stream.path().to_path_buf();
    let mut rows = Vec::new();
    let mut times = Vec::new();
    let mut labels = Vec::new();
    while let Some((rec, line)) = stream.next_record()? {
        let bad = |name: &str, text: &str, reason: &str| Error::BadValue {
            path: path.clone(),
            line,
            column: name.to_string(),
            value: text.to_string(),
            reason: reason.to_string(),
        };
        let num = |i: usize, name: &str, lo: f64, hi: f64| -> Result<f64> {
            let text = field_str(&path, line, name, &rec[i])?;
            let x: f64 = text.parse().map_err(|_| bad(name, text, "not a number"))?;
            if !x.is_finite() || x < lo || x > hi {
                return Err(bad(
                    name,
                    text,
                    &format!("must be a number in [{lo}, {hi}]"),
                ));
            }
            Ok(x)
        };
        rows.push(LeadAttrs {
            score: num(si, cols.score, 0.0, 1.0)?,
            propensity: num(pi, cols.propensity, 0.0, 1.0)?,
            value: match (vi, cols.value) {
                (Some(i), Some(name)) => Some(num(i, name, 0.0, f64::MAX)?),
                _ => None,
            },
        });
        if let (Some(i), Some(name)) = (ti, cols.time) {
            times.push(num(i, name, 0.0, f64::MAX)?);
        }
        if let (Some(i), Some(name)) = (li, cols.label) {
            let text = field_str(&path, line, name, &rec[i])?;
            labels.push(match text {
                "" => None,
                "1" => Some(true),
                "0" => Some(false),
                _ => match parse_yes_no(text) {
                    Some(x) => Some(x == 1.0),
                    None => {
                        return Err(bad(
                            name,
                            text,
                            "an outcome must be 1/0, yes/no or true/false, or empty when not \
                             observed",
                        ))
                    }
                },
            });
        }
    }
    if rows.is_empty() {
        return Err(Error::HeaderOnly { path });
    }
    Ok(Rows {
        leads: rows,
        times: cols.time.map(|_| times),
        labels: cols.label.map(|_| labels),
    })
}
