//! Reading a population table: the scored leads of `population.table`, and with
//! `arrivals.replay` their arrival hours.

use std::path::Path;

use crate::data::{source::field_str, CsvOptions, CsvStream};
use crate::error::{Error, Result};
use crate::sim::model::LeadAttrs;

/// Reads a CSV of scored leads (any file `leadsim score` or another tool wrote: delimiter
/// sniffed, gzip, BOM and CRLF handled), and with `time` their arrival hours. Scores and
/// propensities must lie in [0, 1]; values and times must not be negative.
///
/// # Errors
/// [`Error::Io`], [`Error::Csv`], [`Error::HeaderOnly`], [`Error::UnknownColumn`] (with a
/// suggestion) and [`Error::BadValue`] naming the line and column.
#[allow(clippy::type_complexity)]
pub(super) fn read_table(
    path: &Path,
    score: &str,
    propensity: &str,
    value: Option<&str>,
    time: Option<&str>,
) -> Result<(Vec<LeadAttrs>, Option<Vec<f64>>)> {
    let mut stream = CsvStream::open(path, &CsvOptions::default())?;
    let (si, pi) = (
        stream.column_index(score)?,
        stream.column_index(propensity)?,
    );
    let vi = value.map(|v| stream.column_index(v)).transpose()?;
    let ti = time.map(|t| stream.column_index(t)).transpose()?;
    let path = stream.path().to_path_buf();
    let mut rows = Vec::new();
    let mut times = Vec::new();
    while let Some((rec, line)) = stream.next_record()? {
        let num = |i: usize, name: &str, lo: f64, hi: f64| -> Result<f64> {
            let text = field_str(&path, line, name, &rec[i])?;
            let bad = |reason: &str| Error::BadValue {
                path: path.clone(),
                line,
                column: name.to_string(),
                value: text.to_string(),
                reason: reason.to_string(),
            };
            let x: f64 = text.parse().map_err(|_| bad("not a number"))?;
            if !x.is_finite() || x < lo || x > hi {
                return Err(bad(&format!("must be a number in [{lo}, {hi}]")));
            }
            Ok(x)
        };
        rows.push(LeadAttrs {
            score: num(si, score, 0.0, 1.0)?,
            propensity: num(pi, propensity, 0.0, 1.0)?,
            value: match (vi, value) {
                (Some(i), Some(name)) => Some(num(i, name, 0.0, f64::MAX)?),
                _ => None,
            },
        });
        if let (Some(i), Some(name)) = (ti, time) {
            times.push(num(i, name, 0.0, f64::MAX)?);
        }
    }
    if rows.is_empty() {
        return Err(Error::HeaderOnly { path });
    }
    Ok((rows, time.map(|_| times)))
}
