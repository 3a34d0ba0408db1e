//! Scoring and evaluating rows held in a [`Table`], for `Model.score` and `Model.evaluate`.
//!
//! The library scores files only (`scoring::score::score_file` streams a CSV to a CSV), so the
//! per-row arithmetic of its `score_record` and `top_factors` is repeated here on the same
//! public pieces (`RowEncoder`, the model's coefficients, `FeatureSpec::describe`); the Python
//! tests check the result against `leadsim score` byte for byte. Once the library offers
//! scoring into memory, this file shrinks to a call.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use leadsim::data::Table;
use leadsim::scoring::encode::{RowEncoder, ValueOutcome};
use leadsim::scoring::metrics::{self, Evaluation};
use leadsim::scoring::model::{sigmoid, Model, Target};
use leadsim::Error;

use crate::errors::{Failure, Outcome};
use crate::frames::{Column, Columns};

/// Rows scored together, as in the library.
const CHUNK_ROWS: usize = 16_384;

/// A model bound to the columns of a table.
struct Bound<'m> {
    model: &'m Model,
    /// Table column of each model feature.
    columns: Vec<usize>,
    /// Feature of each kept design column.
    feature_of: Vec<usize>,
}

impl<'m> Bound<'m> {
    fn new(model: &'m Model, table: &Table) -> Outcome<Self> {
        let columns = model
            .encoder
            .features
            .iter()
            .map(|f| {
                table
                    .headers()
                    .iter()
                    .position(|h| *h == f.column)
                    .ok_or_else(|| Error::MissingFeature {
                        path: table.path().to_path_buf(),
                        column: f.column.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Bound {
            model,
            columns,
            feature_of: model.encoder.columns.iter().map(|c| c.feature).collect(),
        })
    }
}

/// One scored row.
struct Scored {
    probability: f64,
    /// `up_1..K` then `down_1..K`.
    factors: Vec<String>,
    unseen: usize,
}

fn chunks(rows: usize) -> Vec<Range<usize>> {
    (0..rows)
        .step_by(CHUNK_ROWS)
        .map(|a| a..(a + CHUNK_ROWS).min(rows))
        .collect()
}

/// Scores `rows` of `table`.
fn score_rows(
    bound: &Bound,
    table: &Table,
    rows: Range<usize>,
    explain: usize,
) -> Outcome<Vec<Scored>> {
    let model = bound.model;
    let mut enc = RowEncoder::new(&model.encoder);
    let mut x = vec![0.0; model.encoder.columns.len()];
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let unseen = enc
            .encode(bound.columns.iter().map(|&c| table.value(r, c)), &mut x)
            .map_err(|(f, p)| {
                let c = bound.columns[f];
                Error::BadValue {
                    path: table.path().to_path_buf(),
                    line: table.line(r),
                    column: table.headers()[c].clone(),
                    value: table.value(r, c).to_string(),
                    reason: p.reason().into(),
                }
            })?;
        let coefs = &model.coefficients;
        let mut eta = coefs[0].estimate;
        let mut contributions = vec![0.0; if explain > 0 { bound.columns.len() } else { 0 }];
        for (j, (v, col)) in x.iter().zip(&model.encoder.columns).enumerate() {
            let beta = coefs[j + 1].estimate;
            eta += beta * v;
            if explain > 0 {
                contributions[bound.feature_of[j]] += beta * (v - col.mean);
            }
        }
        let factors = if explain > 0 {
            top_factors(bound, table, r, &contributions, explain)
        } else {
            Vec::new()
        };
        out.push(Scored {
            probability: sigmoid(eta),
            factors,
            unseen,
        });
    }
    Ok(out)
}

/// The `k` largest positive then the `k` most negative contributions, as
/// `name=value +x.xx`, padded with empty strings (the library's `top_factors`).
fn top_factors(
    bound: &Bound,
    table: &Table,
    row: usize,
    contributions: &[f64],
    k: usize,
) -> Vec<String> {
    let model = bound.model;
    let mut order: Vec<usize> = (0..contributions.len()).collect();
    order.sort_by(|&a, &b| {
        contributions[b]
            .total_cmp(&contributions[a])
            .then(a.cmp(&b))
    });
    let describe = |f: usize| {
        let spec = &model.encoder.features[f];
        let text = table.value(row, bound.columns[f]);
        format!(
            "{} {:+.2}",
            spec.describe(text, &model.encoder.missing),
            contributions[f]
        )
    };
    let mut up: Vec<String> = order
        .iter()
        .take_while(|&&f| contributions[f] > 0.0)
        .take(k)
        .map(|&f| describe(f))
        .collect();
    let mut down: Vec<String> = order
        .iter()
        .rev()
        .take_while(|&&f| contributions[f] < 0.0)
        .take(k)
        .map(|&f| describe(f))
        .collect();
    up.resize(k, String::new());
    down.resize(k, String::new());
    up.extend(down);
    up
}

/// Values of levels never seen in training, by column (the library's `count_unseen`).
fn count_unseen(bound: &Bound, table: &Table, row: usize, counts: &mut BTreeMap<String, u64>) {
    let model = bound.model;
    for (f, spec) in model.encoder.features.iter().enumerate() {
        let mut out = vec![0.0; spec.width()];
        if let Ok(ValueOutcome::Unseen) = spec.encode(
            table.value(row, bound.columns[f]),
            &model.encoder.missing,
            &mut out,
        ) {
            *counts.entry(spec.column.clone()).or_default() += 1;
        }
    }
}

/// What `Model.score` returns: the columns `leadsim score` writes and the unseen-level counts
/// it warns about.
pub struct ScoreOutput {
    pub columns: Columns,
    pub unseen_levels: BTreeMap<String, u64>,
}

/// Scores every row of `table`: the id column (`id`, else the model's when the table has it,
/// else `line`), `score`, `band`, and with `explain = K` the columns `up_1..K`, `down_1..K`.
/// Checks `cancel` between chunks.
pub fn score(
    model: &Model,
    table: &Table,
    id: Option<&str>,
    explain: usize,
    cancel: &AtomicBool,
) -> Outcome<ScoreOutput> {
    let bound = Bound::new(model, table)?;
    let id_col = match (id, &model.id_column) {
        (Some(name), _) => Some(table.column_index(name)?),
        (None, Some(name)) => table.headers().iter().position(|h| h == name),
        (None, None) => None,
    };
    let parts: Vec<Vec<Scored>> = chunks(table.rows())
        .into_par_iter()
        .map(|rows| {
            if cancel.load(Ordering::Relaxed) {
                return Err(Failure::Leadsim(Error::Cancelled));
            }
            score_rows(&bound, table, rows, explain)
        })
        .collect::<Outcome<_>>()?;
    let n = table.rows();
    let mut probability = Vec::with_capacity(n);
    let mut band = Vec::with_capacity(n);
    let mut factors: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(n); 2 * explain];
    let mut unseen_levels = BTreeMap::new();
    for (r, s) in parts.into_iter().flatten().enumerate() {
        probability.push(s.probability);
        band.push(Some(model.bands.band_of(s.probability).to_string()));
        if s.unseen > 0 {
            count_unseen(&bound, table, r, &mut unseen_levels);
        }
        for (column, f) in factors.iter_mut().zip(s.factors) {
            column.push(Some(f));
        }
    }
    let mut columns: Columns = vec![match id_col {
        Some(c) => (
            table.headers()[c].clone(),
            Column::Text(
                (0..n)
                    .map(|r| Some(table.value(r, c).to_string()))
                    .collect(),
            ),
        ),
        None => (
            "line".to_string(),
            Column::I64((0..n).map(|r| table.line(r) as i64).collect()),
        ),
    }];
    columns.push(("score".into(), Column::F64(probability)));
    columns.push(("band".into(), Column::Text(band)));
    let names = (1..=explain)
        .map(|i| format!("up_{i}"))
        .chain((1..=explain).map(|i| format!("down_{i}")));
    for (name, values) in names.zip(factors) {
        columns.push((name, Column::Text(values)));
    }
    Ok(ScoreOutput {
        columns,
        unseen_levels,
    })
}

/// Metrics of `model` on the labelled rows of `table` (the library's `evaluate_file`): the
/// target column and positive value are the model's unless given.
pub fn evaluate(
    model: &Model,
    table: &Table,
    target: Option<String>,
    positive: Option<String>,
    cancel: &AtomicBool,
) -> Outcome<Evaluation> {
    let bound = Bound::new(model, table)?;
    let target = Target {
        column: target.unwrap_or_else(|| model.target.column.clone()),
        positive: positive.or_else(|| model.target.positive.clone()),
    };
    let tc = table.column_index(&target.column)?;
    let mut probs = Vec::with_capacity(table.rows());
    let mut labels = Vec::with_capacity(table.rows());
    // Chunk by chunk, as the library streams: the first bad row (a value, then the target)
    // is the one reported.
    for rows in chunks(table.rows()) {
        if cancel.load(Ordering::Relaxed) {
            return Err(Failure::Leadsim(Error::Cancelled));
        }
        let parts: Vec<Vec<Scored>> = split(rows.clone())
            .into_par_iter()
            .map(|r| score_rows(&bound, table, r, 0))
            .collect::<Outcome<_>>()?;
        for (r, s) in rows.zip(parts.into_iter().flatten()) {
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

/// A chunk cut into pieces for the thread pool.
fn split(rows: Range<usize>) -> Vec<Range<usize>> {
    let step = rows
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    (rows.start..rows.end)
        .step_by(step)
        .map(|a| a..(a + step).min(rows.end))
        .collect()
}
