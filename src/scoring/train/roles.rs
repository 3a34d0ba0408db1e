//! Column roles: which column is the target (named or found by name), which is the id (named
//! or inferred), which are excluded, and the target's values read as outcomes.

use ndarray::Array1;

use super::TrainOptions;
use crate::data::{MissingTokens, Table};
use crate::error::{Error, Result};
use crate::scoring::model::Target;

/// Column names taken as the target when `TrainOptions::target` is not given (compared ignoring
/// case).
pub const TARGET_NAMES: &[&str] = &["converted", "target", "y", "label", "outcome", "won"];

/// Column roles after inference and overrides.
pub(super) struct Roles {
    pub target: usize,
    pub target_spec: Target,
    pub id: Option<usize>,
    pub features: Vec<usize>,
    pub excluded: Vec<String>,
    /// The time column of a time-aware split: orders the rows, never a feature.
    pub time: Option<usize>,
}

pub(super) fn resolve_roles(
    table: &Table,
    opts: &TrainOptions,
    warnings: &mut Vec<String>,
) -> Result<Roles> {
    let headers = table.headers();
    let target = match &opts.target {
        Some(name) => table.column_index(name)?,
        None => headers
            .iter()
            .position(|h| TARGET_NAMES.iter().any(|t| h.eq_ignore_ascii_case(t)))
            .ok_or_else(|| Error::NoTargetColumn {
                path: table.path().to_path_buf(),
                looked_for: TARGET_NAMES.to_vec(),
            })?,
    };
    let mut excluded_idx = vec![target];
    let mut excluded = Vec::new();
    for name in &opts.exclude {
        let c = table.column_index(name)?;
        excluded_idx.push(c);
        excluded.push(name.clone());
    }
    let time = match &opts.time {
        Some(t) => Some(table.column_index(&t.column)?),
        None => None,
    };
    excluded_idx.extend(time);
    for name in opts
        .encoder
        .force_numeric
        .iter()
        .chain(&opts.encoder.force_categorical)
    {
        table.column_index(name)?;
    }
    let id = match &opts.id {
        Some(name) => Some(table.column_index(name)?),
        None => infer_id(table, &excluded_idx),
    };
    if let (Some(c), None) = (id, &opts.id) {
        warnings.push(format!(
            "column \"{}\" looks like an identifier (unique values, id-like name): not used as a feature, carried to scored output; override with --id",
            headers[c]
        ));
    }
    if let Some(c) = id {
        excluded_idx.push(c);
    }
    let mut features: Vec<usize> = (0..headers.len())
        .filter(|c| !excluded_idx.contains(c))
        .collect();
    // A unique number per row is a record key, not a measurement, unless the analyst says so.
    features.retain(|&c| {
        if opts.encoder.force_numeric.contains(&headers[c]) {
            return true;
        }
        let Some(why) = numeric_id(table, c) else {
            return true;
        };
        warnings.push(format!(
            "column \"{}\" looks like an identifier (a unique number per row, {why}): not used as a feature; name it with --numeric to use it",
            headers[c]
        ));
        false
    });
    // Dates as one-hot levels would fit the past day by day and mean nothing for new leads.
    features.retain(|&c| {
        let forced = opts.encoder.force_categorical.contains(&headers[c]);
        if forced || !holds_dates(table, c, &opts.encoder.missing) {
            return true;
        }
        warnings.push(format!(
            "column \"{}\" holds dates: left out of the features (a date is not a category); name it as the time column (--time-column) to validate on the latest leads",
            headers[c]
        ));
        false
    });
    if features.is_empty() {
        return Err(Error::NoFeatures {
            path: table.path().to_path_buf(),
            excluded: opts.exclude.clone(),
        });
    }
    Ok(Roles {
        target,
        target_spec: Target {
            column: headers[target].clone(),
            positive: opts.positive.clone(),
        },
        id,
        features,
        excluded,
        time,
    })
}

/// Whether every non-missing value of column `c` is a calendar date or timestamp (and there is
/// at least one).
pub(super) fn holds_dates(table: &Table, c: usize, missing: &MissingTokens) -> bool {
    let mut values = (0..table.rows())
        .map(|r| table.value(r, c))
        .filter(|v| !missing.is_missing(v))
        .peekable();
    values.peek().is_some() && values.all(crate::data::dates::looks_like_date)
}

/// Rows from which a strictly monotone integer column counts as a record key whatever its name.
const MONOTONE_ID_ROWS: usize = 1000;

/// Whether a column name says identifier: `id`, `lead_id`, `Prospect ID`, `leadId`.
fn id_like_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with(" id")
        || lower.ends_with("-id")
        || (name.ends_with("Id") && name.len() > 2)
}

/// Whether a column name says record number: `Lead Number`, `lead_no`, `record_nr`, `row`,
/// `uuid`, `key`, and the id-like names.
fn key_like_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    id_like_name(name)
        || words.last().is_some_and(|w| {
            [
                "number", "no", "nr", "num", "key", "uuid", "guid", "row", "index",
            ]
            .contains(w)
        })
}

/// Why numeric column `c` is a record key rather than a measurement, if it is: every row
/// holds a distinct integer, and the name says so or the values run in a strictly monotone
/// sequence down the file.
pub(super) fn numeric_id(table: &Table, c: usize) -> Option<&'static str> {
    let n = table.rows();
    if n < 3 {
        return None;
    }
    let key_like = key_like_name(&table.headers()[c]);
    // A sorted measurement in a small file is plausible; a sorted record key is what a long
    // export looks like.
    let (mut increasing, mut decreasing) = (n >= MONOTONE_ID_ROWS, n >= MONOTONE_ID_ROWS);
    if !key_like && !increasing {
        return None;
    }
    let mut values: Vec<f64> = Vec::with_capacity(n);
    for r in 0..n {
        let v = match crate::data::parse_number(table.value(r, c)) {
            crate::data::Number::Finite(v) if v.fract() == 0.0 => v,
            _ => return None,
        };
        if let Some(&prev) = values.last() {
            increasing &= prev < v;
            decreasing &= prev > v;
            // Neither a sequence nor named as a key: a measurement, whatever the rest holds.
            if !(key_like || increasing || decreasing) {
                return None;
            }
        }
        values.push(v);
    }
    if increasing || decreasing {
        return Some("in a strictly monotone sequence down the file");
    }
    if !key_like {
        return None;
    }
    let mut seen = std::collections::HashSet::with_capacity(n);
    values
        .iter()
        .all(|v| seen.insert(v.to_bits()))
        .then_some("with an id-like name")
}

/// A column whose name says id (`id`, `lead_id`, `Prospect ID`, ...) and whose values are unique.
pub(super) fn infer_id(table: &Table, skip: &[usize]) -> Option<usize> {
    (0..table.headers().len()).find(|c| {
        if skip.contains(c) {
            return false;
        }
        if !id_like_name(&table.headers()[*c]) {
            return false;
        }
        let mut seen = std::collections::HashSet::with_capacity(table.rows());
        (0..table.rows()).all(|r| seen.insert(table.value(r, *c)))
    })
}

pub(super) fn read_target(table: &Table, c: usize, target: &Target) -> Result<Vec<bool>> {
    (0..table.rows())
        .map(|r| {
            let text = table.value(r, c);
            target.parse(text).ok_or_else(|| Error::TargetValue {
                path: table.path().to_path_buf(),
                line: table.line(r),
                column: target.column.clone(),
                value: text.to_string(),
                expected: target.expected(),
            })
        })
        .collect()
}

pub(super) fn check_classes(table: &Table, target: &Target, y: &Array1<bool>) -> Result<()> {
    let positives = y.iter().filter(|&&v| v).count();
    if positives == 0 || positives == y.len() {
        return Err(Error::SingleClass {
            path: table.path().to_path_buf(),
            column: target.column.clone(),
            class: if positives == 0 {
                "negative"
            } else {
                "positive"
            }
            .into(),
            rows: y.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CsvOptions;

    fn table(dir: &tempfile::TempDir, text: &str) -> Table {
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        Table::load(&path, &CsvOptions::default(), None).unwrap()
    }

    #[test]
    fn roles_and_their_errors() {
        let dir = tempfile::tempdir().unwrap();
        let t = table(&dir, "lead_id,x,Converted\nL1,3,1\nL2,4,0\nL3,5,maybe\n");
        let roles = resolve_roles(&t, &TrainOptions::default(), &mut Vec::new()).unwrap();
        assert_eq!(
            (roles.target, roles.id, roles.features),
            (2, Some(0), vec![1])
        );
        let err = read_target(&t, 2, &roles.target_spec).unwrap_err();
        assert!(
            matches!(&err, Error::TargetValue { line: 4, value, .. } if value == "maybe"),
            "{err}"
        );

        let exclude_all = TrainOptions {
            exclude: vec!["x".into()],
            ..Default::default()
        };
        let err = resolve_roles(&t, &exclude_all, &mut Vec::new())
            .err()
            .unwrap();
        assert!(
            matches!(&err, Error::NoFeatures { excluded, .. } if excluded == &["x"]),
            "{err}"
        );

        let t = table(&dir, "a,b\n1,0\n2,1\n");
        let err = resolve_roles(&t, &TrainOptions::default(), &mut Vec::new())
            .err()
            .unwrap();
        assert!(
            matches!(&err, Error::NoTargetColumn { looked_for, .. } if looked_for == TARGET_NAMES),
            "{err}"
        );
        // One class in the training rows.
        let y = Array1::from_elem(2, false);
        let target = Target {
            column: "b".into(),
            positive: None,
        };
        assert!(matches!(
            check_classes(&t, &target, &y),
            Err(Error::SingleClass { rows: 2, .. })
        ));
    }
}
