//! Likely leaks, found before the fit: a column that predicts the outcome almost perfectly on
//! its own (known only after the outcome, such as a call's duration or a closing tag), or a
//! level whose training rows are all positive, more of them than chance at the base rate
//! explains.

use crate::data::{parse_number, parse_yes_no, Number, Table};
use crate::scoring::encode::{Encoder, FeatureEncoding, MISSING_LEVEL, OTHER_LEVEL};
use crate::scoring::metrics::roc_auc;

/// Single-field ROC AUC (either direction) above which a column is named as a likely leak.
pub const LEAK_AUC: f64 = 0.95;

/// A level all of whose training rows are positive is named when chance at the base rate
/// would give that with less than this probability (`base_rate ^ rows`).
pub const LEAK_LEVEL_CHANCE: f64 = 1e-6;

/// A level with at least [`LEAK_LEVEL_ROWS`] training rows, at least this share of them
/// positive, is named too (X Education's `Tags = Closed by Horizzon`: 99.4% of 358 rows),
/// unless the base rate is within 9 points of it.
pub const LEAK_LEVEL_RATE: f64 = 0.99;
/// See [`LEAK_LEVEL_RATE`].
pub const LEAK_LEVEL_ROWS: usize = 100;

/// One sentence per likely leak among `features` (table columns, in the encoder's feature
/// order), judged on the training rows.
pub(super) fn likely_leaks(
    table: &Table,
    features: &[usize],
    encoder: &Encoder,
    train: &[usize],
    labels: &[bool],
) -> Vec<String> {
    let y: Vec<bool> = train.iter().map(|&r| labels[r]).collect();
    let positives = y.iter().filter(|&&v| v).count();
    let base = positives as f64 / y.len().max(1) as f64;
    let missing = &encoder.missing;
    let mut out = Vec::new();
    for (spec, &c) in encoder.features.iter().zip(features) {
        let score: Vec<f64> = match &spec.encoding {
            FeatureEncoding::Numeric { median, .. } | FeatureEncoding::YesNo { median, .. } => {
                let yes_no = matches!(spec.encoding, FeatureEncoding::YesNo { .. });
                train
                    .iter()
                    .map(|&r| {
                        let t = table.value(r, c);
                        let v = if missing.is_missing(t) {
                            None
                        } else if yes_no {
                            parse_yes_no(t)
                        } else {
                            match parse_number(t) {
                                Number::Finite(v) => Some(v),
                                _ => None,
                            }
                        };
                        v.unwrap_or(*median)
                    })
                    .collect()
            }
            FeatureEncoding::Categorical {
                reference, levels, ..
            } => {
                // Each row scored by its level's training rate; rows per level counted too.
                let level_of = |r: usize| -> usize {
                    let t = table.value(r, c);
                    let level = if missing.is_missing(t) {
                        MISSING_LEVEL
                    } else {
                        t
                    };
                    if level == reference {
                        return 0;
                    }
                    match levels.binary_search_by(|l| l.as_str().cmp(level)) {
                        Ok(i) => i + 1,
                        Err(_) => levels
                            .binary_search_by(|l| l.as_str().cmp(OTHER_LEVEL))
                            .map_or(0, |i| i + 1),
                    }
                };
                let idx: Vec<usize> = train.iter().map(|&r| level_of(r)).collect();
                let mut rows = vec![0usize; levels.len() + 1];
                let mut pos = vec![0usize; levels.len() + 1];
                for (&l, &v) in idx.iter().zip(&y) {
                    rows[l] += 1;
                    pos[l] += usize::from(v);
                }
                for l in 0..rows.len() {
                    let (n, p) = (rows[l], pos[l]);
                    if n == 0 || n == y.len() {
                        continue;
                    }
                    let name = if l == 0 { reference } else { &levels[l - 1] };
                    if p == n && base.powi(n as i32) < LEAK_LEVEL_CHANCE {
                        out.push(format!(
                            "likely leak: level \"{name}\" of column \"{}\" is positive in all {n} of its training rows (chance at the base rate of {:.1}% gives that with probability {}); if it is known only after the outcome, exclude the column",
                            spec.column,
                            100.0 * base,
                            chance_text(base, n)
                        ));
                    } else if n >= LEAK_LEVEL_ROWS
                        && p as f64 >= LEAK_LEVEL_RATE * n as f64
                        && base < LEAK_LEVEL_RATE - 0.09
                    {
                        out.push(format!(
                            "likely leak: level \"{name}\" of column \"{}\" is positive in {p} of its {n} training rows ({:.1}%, base rate {:.1}%); if it is known only after the outcome, exclude the column",
                            spec.column,
                            100.0 * p as f64 / n as f64,
                            100.0 * base
                        ));
                    }
                }
                idx.iter()
                    .map(|&l| pos[l] as f64 / rows[l] as f64)
                    .collect()
            }
        };
        if let Some(auc) = roc_auc(&score, &y) {
            let strength = auc.max(1.0 - auc);
            if strength > LEAK_AUC {
                out.push(format!(
                    "likely leak: column \"{}\" predicts the outcome almost perfectly on its own (single-field ROC AUC {:.3} on the training rows); if it is known only after the outcome, exclude it",
                    spec.column, strength
                ));
            }
        }
    }
    out
}

/// `base^n` as a reader wants it: `1e-7`, or, below what an `f64` holds, "below 1e-300" (not
/// "0e0").
fn chance_text(base: f64, n: usize) -> String {
    let p = base.powi(n as i32);
    if p < 1e-300 {
        "below 1e-300".to_string()
    } else {
        format!("{p:.0e}")
    }
}
