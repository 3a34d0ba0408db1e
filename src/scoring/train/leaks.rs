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
    known_levels: &HashMap<usize, Vec<[usize; 2]>>,
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
                _ => feature_leaks(
                    table,
                    spec,
                    c,
                    missing,
                    train,
                    &y,
                    base,
                    known_levels.get(&c),
                ),
            }
        })
        .collect();
    per_feature.into_iter().flatten().collect()
}

/// The sentences of [`likely_leaks`] about one feature. `by_code`: a categorical's training
/// rows and converters per code of its [`CategoryCoder`](crate::scoring::design::CategoryCoder)
/// (level `i` is code `i`, the reference the last), when the encoder counted them.
#[allow(clippy::too_many_arguments)]
fn feature_leaks(
    table: &Table,
    spec: &FeatureSpec,
    c: usize,
    missing: &MissingTokens,
    train: &[usize],
    y: &[bool],
    base: f64,
    by_code: Option<&Vec<[usize; 2]>>,
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
                let mut rows = vec![0usize; levels.len() + 1];
                let mut pos = vec![0usize; levels.len() + 1];
                let idx: Option<Vec<usize>> = match by_code {
                    Some(counts) if counts.len() == levels.len() + 1 => {
                        // Here the reference is index 0 and level `i` index `i + 1`.
                        for (code, &[n, p]) in counts.iter().enumerate() {
                            let l = if code == levels.len() { 0 } else { code + 1 };
                            rows[l] += n;
                            pos[l] += p;
                        }
                        None
                    }
                    _ => {
                        // Each distinct text looked up once: a CRM column has a few hundred
                        // texts over hundreds of thousands of rows.
                        let mut seen: HashMap<&str, usize, BuildFast> = HashMap::default();
                        let idx: Vec<usize> = train
                            .iter()
                            .map(|&r| *seen.entry(table.value(r, c)).or_insert_with(|| level_of(r)))
                            .collect();
                        for (&l, &v) in idx.iter().zip(y) {
                            rows[l] += 1;
                            pos[l] += usize::from(v);
                        }
                        Some(idx)
                    }
                };
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
                match idx {
                    Some(idx) => idx
                        .iter()
                        .map(|&l| pos[l] as f64 / rows[l] as f64)
                        .collect(),
                    None => {
                        out.extend(auc_leak(spec, auc_of_levels(&rows, &pos)));
                        return out;
                    }
                }
            }
        };
        out.extend(auc_leak(spec, roc_auc_beyond(&score, y, LEAK_AUC)));
    }
    out
}

/// The ROC AUC of scoring every row by its level's rate (`pos / rows`), from the per-level
/// counts alone: levels of equal rate tie, as their rows would in [`crate::scoring::metrics::roc_auc`],
/// and the Mann-Whitney count is the same integer, so the value is the same to the last bit.
/// `None` when a class is absent.
fn auc_of_levels(rows: &[usize], pos: &[usize]) -> Option<f64> {
    let mut groups: Vec<(f64, u128, u128)> = rows
        .iter()
        .zip(pos)
        .filter(|(&n, _)| n > 0)
        .map(|(&n, &p)| (p as f64 / n as f64, p as u128, (n - p) as u128))
        .collect();
    groups.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (positives, negatives): (u128, u128) =
        groups.iter().fold((0, 0), |(p, n), g| (p + g.1, n + g.2));
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Twice U: a converter above a non-converter counts 2, a tie 1.
    let (mut twice_u, mut below, mut i) = (0u128, 0u128, 0);
    while i < groups.len() {
        let (mut p, mut n) = (0u128, 0u128);
        let value = groups[i].0;
        while i < groups.len() && groups[i].0 == value {
            p += groups[i].1;
            n += groups[i].2;
            i += 1;
        }
        twice_u += 2 * p * below + p * n;
        below += n;
    }
    Some(twice_u as f64 / (2 * positives * negatives) as f64)
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

    /// The AUCs and level counts the encoder computes while reading the values are the ones
    /// the leak check would compute from the text: same sentences with and without them, for
    /// a leaking number, a leaking yes/no flag, a harmless number with missing values, a
    /// harmless categorical, a leaking one, and one with an all-positive level, rare levels
    /// folded into "(other)" and missing values.
    #[test]
    fn encoder_aucs_give_the_same_sentences_as_parsing_again() {
        let mut csv = String::from("leak,flag,noise,plan,stage,region,y\n");
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
            // Known after the outcome: almost always "won" for a converter.
            let stage = match (y, i % 40) {
                (true, 0) => "open",
                (true, _) => ["won", "won-late"][(i % 2) as usize],
                (false, _) => ["open", "lost"][(i % 2) as usize],
            };
            // "north" holds only converters; "r0".."r9" are rare (folded); some are missing.
            let region = match i % 10 {
                _ if y && i % 3 == 0 => "north".to_string(),
                0 => String::new(),
                1 => format!("r{}", i % 7),
                k => ["east", "west", "south"][(k % 3) as usize].to_string(),
            };
            csv.push_str(&format!(
                "{leak},{flag},{noise},{plan},{stage},{region},{}\n",
                u8::from(y)
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, csv).unwrap();
        let table = Table::load(&path, &CsvOptions::default(), None).unwrap();
        let labels: Vec<bool> = (0..400).map(|r| table.value(r, 6) == "1").collect();
        let rows: Vec<usize> = (0..400).collect();
        let features = [0, 1, 2, 3, 4, 5];
        let learnt = Encoder::learn_scoring(
            &table,
            &features,
            &rows,
            &EncoderSettings::default(),
            Some((&labels, LEAK_AUC)),
        )
        .unwrap();
        assert_eq!(learnt.leak_auc.len(), 3, "numbers and flags");
        assert_eq!(learnt.level_outcomes.len(), 3, "categoricals");
        let with = likely_leaks(
            &table,
            &features,
            &learnt.encoder,
            &rows,
            &labels,
            &learnt.leak_auc,
            &learnt.level_outcomes,
        );
        let without = likely_leaks(
            &table,
            &features,
            &learnt.encoder,
            &rows,
            &labels,
            &HashMap::new(),
            &HashMap::new(),
        );
        assert_eq!(with, without);
        let expected = [
            "column \"leak\" predicts",
            "column \"flag\" predicts",
            "level \"won\" of column \"stage\"",
            "level \"won-late\" of column \"stage\"",
            "column \"stage\" predicts",
            "level \"(missing)\" of column \"region\"",
            "level \"north\" of column \"region\"",
        ];
        assert_eq!(with.len(), expected.len(), "{with:?}");
        for (sentence, part) in with.iter().zip(expected) {
            assert!(sentence.contains(part), "{sentence} lacks {part}");
        }
    }

    /// Scoring rows by their level's rate gives, from the counts alone, the AUC of the rows
    /// themselves, to the bit: levels of equal rate tie (0/3 and 0/5, 1/2 and 2/4), empty
    /// levels count for nothing, and a missing class has none.
    #[test]
    fn the_auc_of_level_rates_is_the_auc_of_their_rows() {
        use crate::scoring::metrics::roc_auc;
        let cases: [(&[usize], &[usize]); 4] = [
            (&[3, 5, 2, 4, 7, 0, 1], &[0, 0, 1, 2, 6, 0, 1]),
            (&[10, 10, 10], &[1, 5, 9]),
            (&[4, 6], &[4, 0]),
            (&[4, 6], &[0, 0]),
        ];
        for (rows, pos) in cases {
            let (mut scores, mut labels) = (Vec::new(), Vec::new());
            for (&n, &p) in rows.iter().zip(pos) {
                for k in 0..n {
                    scores.push(p as f64 / n as f64);
                    labels.push(k < p);
                }
            }
            let want = roc_auc(&scores, &labels);
            let got = auc_of_levels(rows, pos);
            assert_eq!(
                got.map(f64::to_bits),
                want.map(f64::to_bits),
                "{rows:?} {pos:?}"
            );
        }
    }
}
