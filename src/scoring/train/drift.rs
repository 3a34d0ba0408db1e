//! The training period against the test period of a time-aware split: base rates, the PSI of
//! the score and of every input field, and the test period's calibration
//! ([`crate::scoring::metrics::PeriodComparison`]).

use crate::data::{parse_number, parse_yes_no, Number, Table};
use crate::format::{fixed, percent};
use crate::scoring::encode::{Encoder, FeatureEncoding, MISSING_LEVEL, OTHER_LEVEL};
use crate::scoring::metrics::{
    calibration_drift, psi, psi_reading, FieldDrift, Metrics, PeriodComparison, DEFAULT_BINS,
    PSI_MAJOR,
};

/// Compares the periods and appends a warning for each finding that needs a reader's
/// attention (a major score or field shift, drifted calibration).
#[allow(clippy::too_many_arguments)]
pub(super) fn compare(
    table: &Table,
    features: &[usize],
    encoder: &Encoder,
    train: &[usize],
    test: &[usize],
    train_probs: &[f64],
    test_probs: &[f64],
    labels: &[bool],
    train_metrics: Metrics,
    seed: u64,
    warnings: &mut Vec<String>,
) -> PeriodComparison {
    let test_labels: Vec<bool> = test.iter().map(|&r| labels[r]).collect();
    let edges = decile_edges(train_probs.to_vec());
    let score_psi = psi(
        &histogram(
            train_probs.iter().map(|&p| bin_of(&edges, p)),
            edges.len() + 1,
        ),
        &histogram(
            test_probs.iter().map(|&p| bin_of(&edges, p)),
            edges.len() + 1,
        ),
    );
    let mut fields: Vec<FieldDrift> = encoder
        .features
        .iter()
        .zip(features)
        .map(|(spec, &c)| {
            let (expected, actual) =
                field_histograms(table, c, &spec.encoding, encoder, train, test);
            FieldDrift {
                field: spec.column.clone(),
                psi: psi(&expected, &actual),
                bins: expected.len(),
            }
        })
        .collect();
    fields.sort_by(|a, b| {
        b.psi
            .unwrap_or(0.0)
            .total_cmp(&a.psi.unwrap_or(0.0))
            .then_with(|| a.field.cmp(&b.field))
    });
    let calibration = calibration_drift(test_probs, &test_labels, seed ^ 0xd71f_7ca1);

    if let Some(v) = score_psi.filter(|&v| v > PSI_MAJOR) {
        warnings.push(format!(
            "the score's distribution shifted between the training and test periods (PSI {:.3}, {})",
            v,
            psi_reading(v)
        ));
    }
    let shifted: Vec<String> = fields
        .iter()
        .filter(|f| f.psi.is_some_and(|v| v > PSI_MAJOR))
        .map(|f| format!("{} ({:.2})", f.field, f.psi.unwrap_or(0.0)))
        .collect();
    if !shifted.is_empty() {
        warnings.push(format!(
            "{} input field(s) shifted between the periods (PSI above {PSI_MAJOR}): {}",
            shifted.len(),
            shifted.join(", ")
        ));
    }
    if calibration.drifted {
        let ci = calibration
            .intercept_ci
            .map(|[lo, hi]| format!(" [{lo:.3}, {hi:.3}]"))
            .unwrap_or_default();
        warnings.push(format!(
            "the score's calibration drifted in the test period: ECE {} where a calibrated score would stay below {} (95%), intercept shift {}{ci} on the log-odds scale (positive: the score under-predicts); base rate {} in training, {} in the test period",
            fixed(calibration.ece, 3),
            fixed(calibration.ece_limit, 3),
            fixed(calibration.intercept_shift, 3),
            percent(train_metrics.positive_rate, 1),
            percent(
                Some(test_labels.iter().filter(|&&y| y).count() as f64 / test_labels.len().max(1) as f64),
                1
            ),
        ));
    }
    PeriodComparison {
        train_metrics,
        score_psi,
        fields,
        calibration,
    }
}

/// Inner cut points of the deciles of `values` (distinct, ascending, each a value that
/// occurs); bins are the intervals `[edge_k, edge_k+1)`.
fn decile_edges(mut values: Vec<f64>) -> Vec<f64> {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return Vec::new();
    }
    values.sort_by(f64::total_cmp);
    // Order statistics, not interpolated quantiles: a cut between two values that occur
    // (0.5 in a 0/1 column) would make a bin no row can fall in.
    let mut edges: Vec<f64> = (1..DEFAULT_BINS)
        .map(|k| values[k * values.len() / DEFAULT_BINS])
        .collect();
    edges.dedup();
    // A cut at the minimum would leave the first bin empty in training by construction.
    edges.retain(|&e| e > values[0]);
    edges
}

fn bin_of(edges: &[f64], v: f64) -> usize {
    edges.partition_point(|&e| e <= v)
}

fn histogram(bins: impl Iterator<Item = usize>, n: usize) -> Vec<usize> {
    let mut h = vec![0; n];
    for b in bins {
        h[b] += 1;
    }
    h
}

/// The training and test histograms of one input column, binned as the encoder sees it:
/// numbers by training deciles plus a missing bin, categories by the encoder's levels (folded
/// and unseen levels in `(other)`).
fn field_histograms(
    table: &Table,
    c: usize,
    encoding: &FeatureEncoding,
    encoder: &Encoder,
    train: &[usize],
    test: &[usize],
) -> (Vec<usize>, Vec<usize>) {
    let missing = &encoder.missing;
    match encoding {
        FeatureEncoding::Numeric { .. } | FeatureEncoding::YesNo { .. } => {
            let yes_no = matches!(encoding, FeatureEncoding::YesNo { .. });
            let value = |r: usize| {
                let t = table.value(r, c);
                if missing.is_missing(t) {
                    return f64::NAN;
                }
                if yes_no {
                    parse_yes_no(t).unwrap_or(f64::NAN)
                } else {
                    match parse_number(t) {
                        Number::Finite(v) => v,
                        _ => f64::NAN,
                    }
                }
            };
            let edges = decile_edges(train.iter().map(|&r| value(r)).collect());
            let n = edges.len() + 2; // the last bin holds missing values
            let bin = |r: usize| {
                let v = value(r);
                if v.is_nan() {
                    n - 1
                } else {
                    bin_of(&edges, v)
                }
            };
            (
                histogram(train.iter().map(|&r| bin(r)), n),
                histogram(test.iter().map(|&r| bin(r)), n),
            )
        }
        FeatureEncoding::Categorical {
            reference, levels, ..
        } => {
            // Bins: the reference, each level, and (other) when it is not a level already.
            let n = levels.len() + 2;
            let bin = |r: usize| {
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
                        .map_or(n - 1, |i| i + 1),
                }
            };
            (
                histogram(train.iter().map(|&r| bin(r)), n),
                histogram(test.iter().map(|&r| bin(r)), n),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decile_edges_bin_training_values_evenly() {
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        let edges = decile_edges(v.clone());
        assert_eq!(edges.len(), 9);
        let h = histogram(v.iter().map(|&x| bin_of(&edges, x)), 10);
        assert!(h.iter().all(|&n| n == 10), "{h:?}");
        // A 0/1 column: one cut, two bins.
        let flags: Vec<f64> = (0..10).map(|i| f64::from(i % 2)).collect();
        assert_eq!(decile_edges(flags), vec![1.0]);
    }
}
