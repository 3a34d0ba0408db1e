//! Scoring and evaluating rows already in memory (a [`Table`], e.g. a data frame handed over by
//! the Python package): what [`score_file`](super::score_file) and
//! [`evaluate_file`](super::evaluate_file) do for a CSV, with the same per-row arithmetic, the
//! same chunks in the same order and the same messages, returned as values instead of written.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::{count_unseen, score_texts, Bound, Scored, CHUNK_ROWS};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::scoring::encode::RowEncoder;
use crate::scoring::metrics::{self, Evaluation};
use crate::scoring::model::{Model, Target};

/// Every row of a table scored: the columns `leadsim score` writes, by row.
#[derive(Debug, Clone, PartialEq)]
pub struct TableScores {
    /// The table column that identifies rows (the one asked for, else the model's id column
    /// when the table has it); `None` when rows are named by [`Table::line`], as the CLI's
    /// `line` column.
    pub id_column: Option<usize>,
    /// Each row's probability, in full precision (the CLI's file rounds it to 6 decimals).
    pub scores: Vec<f64>,
    /// Each row's band label.
    pub bands: Vec<String>,
    /// The explanation columns `up_1..K` then `down_1..K`, each one text per row (empty where
    /// a row has fewer factors).
    pub factors: Vec<Vec<String>>,
    /// Values of levels never seen in training, scored as `(other)`, by column.
    pub unseen_levels: BTreeMap<String, u64>,
}

/// Row ranges of at most [`CHUNK_ROWS`], in order.
fn chunks(rows: usize) -> impl Iterator<Item = Range<usize>> {
    (0..rows)
        .step_by(CHUNK_ROWS)
        .map(move |a| a..(a + CHUNK_ROWS).min(rows))
}

/// Scores the rows `rows` of `table` in parallel, in row order.
fn score_chunk(
    bound: &Bound,
    table: &Table,
    rows: Range<usize>,
    explain: usize,
) -> Result<Vec<Scored>> {
    let model = bound.model;
    rows.into_par_iter()
        .map_init(
            || {
                (
                    RowEncoder::new(&model.encoder),
                    vec![0.0; model.encoder.columns.len()],
                    Vec::with_capacity(bound.columns.len()),
                )
            },
            |(enc, x, texts), r| {
                texts.clear();
                texts.extend(bound.columns.iter().map(|&c| table.value(r, c)));
                score_texts(bound, enc, x, texts, explain).map_err(|(f, p)| Error::BadValue {
                    path: table.path().to_path_buf(),
                    line: table.line(r),
                    column: table.headers()[bound.columns[f]].clone(),
                    value: texts[f].to_string(),
                    reason: p.reason().into(),
                })
            },
        )
        .collect()
}

fn check(cancel: Option<&AtomicBool>) -> Result<()> {
    match cancel {
        Some(c) if c.load(Ordering::Relaxed) => Err(Error::Cancelled),
        _ => Ok(()),
    }
}

/// Scores every row of `table` with `model`: as [`score_file`](super::score_file) with
/// `id` and `explain`, checking `cancel` between chunks.
///
/// # Errors
/// [`Error::MissingFeature`], [`Error::UnknownColumn`] for an `id` the table lacks,
/// [`Error::BadValue`] naming the row's line, and [`Error::Cancelled`].
pub fn score_table(
    model: &Model,
    table: &Table,
    id: Option<&str>,
    explain: usize,
    cancel: Option<&AtomicBool>,
) -> Result<TableScores> {
    let bound = Bound::new(model, table.headers(), table.path())?;
    let id_column = match (id, &model.id_column) {
        (Some(name), _) => Some(table.column_index(name)?),
        (None, Some(name)) => table.headers().iter().position(|h| h == name),
        (None, None) => None,
    };
    let n = table.rows();
    let mut out = TableScores {
        id_column,
        scores: Vec::with_capacity(n),
        bands: Vec::with_capacity(n),
        factors: vec![Vec::with_capacity(n); 2 * explain],
        unseen_levels: BTreeMap::new(),
    };
    for rows in chunks(n) {
        check(cancel)?;
        let start = rows.start;
        for (i, s) in score_chunk(&bound, table, rows, explain)?
            .into_iter()
            .enumerate()
        {
            out.scores.push(s.probability);
            out.bands
                .push(model.bands.band_of(s.probability).to_string());
            if s.unseen > 0 {
                let r = start + i;
                count_unseen(
                    model,
                    |f| table.value(r, bound.columns[f]),
                    &mut out.unseen_levels,
                );
            }
            for (column, f) in out
                .factors
                .iter_mut()
                .zip(super::padded_factors(s.factors, s.ups, explain))
            {
                column.push(f);
            }
        }
    }
    Ok(out)
}

/// Metrics of `model` on the labelled rows of `table`: as
/// [`evaluate_file`](super::evaluate_file), the target column and positive value the model's
/// unless given; checks `cancel` between chunks.
///
/// # Errors
/// As [`score_table`], and [`Error::TargetValue`] for a target that is not an outcome.
pub fn evaluate_table(
    model: &Model,
    table: &Table,
    target: Option<&str>,
    positive: Option<&str>,
    cancel: Option<&AtomicBool>,
) -> Result<Evaluation> {
    let bound = Bound::new(model, table.headers(), table.path())?;
    let target = Target {
        column: target.map_or_else(|| model.target.column.clone(), str::to_string),
        positive: positive
            .map(str::to_string)
            .or_else(|| model.target.positive.clone()),
    };
    let tc = table.column_index(&target.column)?;
    let mut probs = Vec::with_capacity(table.rows());
    let mut labels = Vec::with_capacity(table.rows());
    // Chunk by chunk, as the file is streamed: the first bad chunk's error is the one reported.
    for rows in chunks(table.rows()) {
        check(cancel)?;
        let scored = score_chunk(&bound, table, rows.clone(), 0)?;
        for (r, s) in rows.zip(scored) {
            let text = table.value(r, tc);
            let y = target.parse(text).ok_or_else(|| Error::TargetValue {
                path: table.path().to_path_buf(),
                line: table.line(r),
                column: target.column.clone(),
                value: text.to_string(),
                expected: target.expected(),
            })?;
            probs.push(s.probability);
            labels.push(y);
        }
    }
    Ok(metrics::evaluate(&probs, &labels, &model.bands))
}
