//! Likely leaks, found before the fit: a column that predicts the outcome almost perfectly on
//! its own (known only after the outcome, such as a call's duration or a closing tag), or a
//! level whose training rows are all positive, more of them than chance at the base rate
//! explains.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::data::{parse_number, parse_yes_no, MissingTokens, Number, Table};
use crate::scoring::encode::{
    BuildFast, Encoder, FeatureEncoding, FeatureSpec, MISSING_LEVEL, OTHER_LEVEL,
};
use crate::scoring::metrics::roc_auc_beyond;

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
    known_auc: &HashMap<usize, Option<f64>>,
) -> Vec<String> {
    let y: Vec<bool> = train.iter().map(|&r| labels[r]).collect();
    let positives = y.iter().filter(|&&v| v).count();
    let base = positives as f64 / y.len().max(1) as f64;
    let missing = &encoder.missing;
    // Features are judged independently: in parallel, the sentences kept in feature order.
    let per_feature: Vec<Vec<String>> = encoder
        .features
        .par_iter()
        .zip(features)
        .map(|(spec, &c)| {
            let numeric = matches!(
                spec.encoding,
                FeatureEncoding::Numeric { .. } | FeatureEncoding::YesNo { .. }
            );
            match known_auc.get(&c) {
                // The encoder scored this column's values while it read them.
                Some(&auc) if numeric => auc_leak(spec, auc).into_iter().collect(),
                _ => feature_leaks(table, spec, c, missing, train, &y, base),
            }
        })
        .collect();
    per_feature.into_iter().flatten().collect()
}

/// The sentences of [`likely_leaks`] about one feature.
fn feature_leaks(
    table: &Table,
    spec: &FeatureSpec,
    c: usize,
    missing: &MissingTokens,
    train: &[usize],
    y: &[bool],
    base: f64,
) -> Vec<String> {
    let mut out = Vec::new();
    {
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
                // Each distinct text looked up once: a CRM column has a few hundred texts
                // over hundreds of thousands of rows.
                let mut seen: HashMap<&str, usize, BuildFast> = HashMap::default();
                let idx: Vec<usize> = train
                    .iter()
                    .map(|&r| *seen.entry(table.value(r, c)).or_insert_with(|| level_of(r)))
                    .collect();
                let mut rows = vec![0usize; levels.len() + 1];
                let mut pos = vec![0usize; levels.len() + 1];
                for (&l, &v) in idx.iter().zip(y) {
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
        out.extend(auc_leak(spec, roc_auc_beyond(&score, y, LEAK_AUC)));
    }
    out
}

/// The sentence for a column whose single-field ROC AUC on the training rows is `auc`, if it
/// predicts the outcome almost perfectly on its own.
fn auc_leak(spec: &FeatureSpec, auc: Option<f64>) -> Option<String> {
    let strength = auc.map(|a| a.max(1.0 - a))?;
    (strength > LEAK_AUC).then(|| format!(
        "likely leak: column \"{}\" predicts the outcome almost perfectly on its own (single-field ROC AUC {:.3} on the training rows); if it is known only after the outcome, exclude it",
        spec.column, strength
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CsvOptions;
    use crate::scoring::encode::EncoderSettings;

    /// The AUCs the encoder computes while reading the values are the ones the leak check
    /// would compute from the text: same sentences with and without them, for a leaking
    /// number, a leaking yes/no flag, a harmless number with missing values and a categorical.
    #[test]
    fn encoder_aucs_give_the_same_sentences_as_parsing_again() {
        let mut csv = String::from("leak,flag,noise,plan,y\n");
        for i in 0..400u32 {
            let y = (i * 7919) % 5 < 2;
            let leak = if y {
                10.0 + f64::from(i % 13)
            } else {
                f64::from(i % 11)
            };
            let flag = if y == (i % 50 != 0) { "yes" } else { "no" };
            let noise = if i % 17 == 0 {
                String::new()
            } else {
                format!("{}", (i * 31) % 97)
            };
            let plan = ["a", "b", "c"][(i % 3) as usize];
            csv.push_str(&format!("{leak},{flag},{noise},{plan},{}\n", u8::from(y)));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, csv).unwrap();
        let table = Table::load(&path, &CsvOptions::default(), None).unwrap();
        let labels: Vec<bool> = (0..400).map(|r| table.value(r, 4) == "1").collect();
        let rows: Vec<usize> = (0..400).collect();
        let features = [0, 1, 2, 3];
        let learnt = Encoder::learn_scoring(
            &table,
            &features,
            &rows,
            &EncoderSettings::default(),
            Some((&labels, LEAK_AUC)),
        )
        .unwrap();
        assert_eq!(learnt.leak_auc.len(), 3, "numbers and flags only");
        let with = likely_leaks(
            &table,
            &features,
            &learnt.encoder,
            &rows,
            &labels,
            &learnt.leak_auc,
        );
        let without = likely_leaks(
            &table,
            &features,
            &learnt.encoder,
            &rows,
            &labels,
            &HashMap::new(),
        );
        assert_eq!(with, without);
        assert_eq!(with.len(), 2, "{with:?}");
        assert!(
            with[0].contains("\"leak\"") && with[1].contains("\"flag\""),
            "{with:?}"
        );
    }
}
