//! Probability quality: whether the predicted probabilities are right on average and row by row
//! (log loss, Brier score, calibration by equal-count bins and its expected calibration error).

use serde::{Deserialize, Serialize};

use super::rows::{check_lengths, equal_count_groups, Ranked, ScoreOrder};

/// Probabilities are clipped to `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]` so one confident mistake costs
/// about 34.5 nats instead of infinity (the scikit-learn convention).
pub const LOG_LOSS_EPS: f64 = 1e-15;

/// Mean negative log-likelihood per row (natural log), probabilities clipped to
/// `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]`. `None` for no rows.
pub fn log_loss(probs: &[f64], labels: &[bool]) -> Option<f64> {
    check_lengths(probs, labels);
    if probs.is_empty() {
        return None;
    }
    let total: f64 = probs
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            // ln_1p keeps ln(1 - p) accurate for the small probabilities typical of leads.
            if y {
                -p.ln()
            } else {
                -(-p).ln_1p()
            }
        })
        .sum();
    Some(total / probs.len() as f64)
}

/// Brier score: mean squared difference between probability and outcome. `None` for no rows.
pub fn brier(probs: &[f64], labels: &[bool]) -> Option<f64> {
    check_lengths(probs, labels);
    if probs.is_empty() {
        return None;
    }
    let total: f64 = probs
        .iter()
        .zip(labels)
        .map(|(&p, &y)| (p - f64::from(u8::from(y))).powi(2))
        .sum();
    Some(total / probs.len() as f64)
}

/// One calibration bin: rows with similar predicted probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// 1-based bin number, lowest predictions first.
    pub bin: usize,
    /// Lowest predicted probability in the bin.
    pub lower: f64,
    /// Highest predicted probability in the bin.
    pub upper: f64,
    pub rows: usize,
    pub mean_predicted: f64,
    /// Share of the bin's rows that converted.
    pub observed_rate: f64,
}

/// Reliability table and expected calibration error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub bins: Vec<CalibrationBin>,
    /// `sum_b (rows_b / n) * |observed_rate_b - mean_predicted_b|`; `None` for no rows.
    pub ece: Option<f64>,
}

/// Calibration by equal-count bins (deciles for `bins = 10`) of rows sorted by predicted
/// probability.
///
/// Rows are ranked by a stable ascending sort and bin `b` takes ranks `b*n/bins .. (b+1)*n/bins`,
/// so bin sizes differ by at most one and tied rows that straddle a boundary are split by their
/// input order. Equal counts (rather than keeping ties together) keep every bin's observed rate
/// equally precise. `bins` is clamped to `1..=n` so that no bin is empty.
pub fn calibration(probs: &[f64], labels: &[bool], bins: usize) -> Calibration {
    check_lengths(probs, labels);
    calibration_ranked(&Ranked::sort(probs, labels, false), bins)
}

/// [`calibration`] from rows ranked ascending.
pub(super) fn calibration_ranked(asc: &impl ScoreOrder, bins: usize) -> Calibration {
    let n = asc.len();
    if n == 0 {
        return Calibration {
            bins: Vec::new(),
            ece: None,
        };
    }
    let ranges: Vec<_> = equal_count_groups(n, bins.clamp(1, n)).collect();
    let edges: Vec<usize> = std::iter::once(0)
        .chain(ranges.iter().map(|r| r.end))
        .collect();
    let below = asc.positives_before(&edges);
    let mut out = Vec::new();
    let mut ece = 0.0;
    for (b, range) in ranges.into_iter().enumerate() {
        let rows = range.len();
        // The scores in rank order, as summing through the row indices read them.
        let sum_p: f64 = asc.score_sum(range.clone());
        let mean_predicted = sum_p / rows as f64;
        let observed_rate = (below[b + 1] - below[b]) as f64 / rows as f64;
        ece += rows as f64 / n as f64 * (observed_rate - mean_predicted).abs();
        out.push(CalibrationBin {
            bin: b + 1,
            lower: asc.score(range.start),
            upper: asc.score(range.end - 1),
            rows,
            mean_predicted,
            observed_rate,
        });
    }
    Calibration {
        bins: out,
        ece: Some(ece),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn log_loss_and_brier_hand_computed() {
        // -(ln 0.9 + ln 0.8) / 2; epsilons cover last-bit rounding of ln only.
        let ll = log_loss(&[0.9, 0.2], &[true, false]).unwrap();
        assert_abs_diff_eq!(ll, 0.164_252_033_486_018_1, epsilon = 1e-14);
        // Clipping: a certain miss costs -ln(1e-15) = 15 ln 10 = 34.538776...
        let ll = log_loss(&[0.0], &[true]).unwrap();
        assert_abs_diff_eq!(ll, 15.0 * std::f64::consts::LN_10, epsilon = 1e-12);
        // The other tail is clipped at the double nearest 1 - 1e-15, which is 0.99920e-15 away
        // from 1, so it costs -ln(9.992e-16) = 34.5396 (to 1e-4, the precision quoted).
        let ll = log_loss(&[1.0], &[false]).unwrap();
        assert_abs_diff_eq!(ll, 34.5396, epsilon = 1e-4);
        // (0.01 + 0.04 + 0.25) / 3
        let b = brier(&[0.9, 0.2, 0.5], &[true, false, true]).unwrap();
        assert_abs_diff_eq!(b, 0.1, epsilon = 1e-15);
        assert_eq!(log_loss(&[], &[]), None);
        assert_eq!(brier(&[], &[]), None);
    }

    #[test]
    fn calibration_of_calibrated_and_doubled_probabilities() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 20_000;
        let mut probs: Vec<f64> = (0..n).map(|_| rng.gen_range(0.02..0.45)).collect();
        probs.sort_by(f64::total_cmp);
        let labels: Vec<bool> = probs.iter().map(|&p| rng.gen_bool(p)).collect();
        let cal = calibration(&probs, &labels, 10);
        assert_eq!(cal.bins.len(), 10);
        assert!(cal
            .bins
            .iter()
            .all(|b| b.rows == 2000 && b.lower <= b.upper));
        assert!(cal.bins.windows(2).all(|w| w[0].upper <= w[1].lower));

        // With true probabilities, observed - predicted in bin b is a mean of independent
        // zero-mean terms with sd_b = sqrt(sum p(1-p)) / rows_b, so |.| is about half-normal:
        // mean sqrt(2/pi) sd_b, variance (1 - 2/pi) sd_b^2. Probs are sorted, so bin b is rows
        // b*n/10 .. (b+1)*n/10.
        let (mut expected, mut var) = (0.0, 0.0);
        for chunk in probs.chunks(n / 10) {
            let sd = chunk.iter().map(|p| p * (1.0 - p)).sum::<f64>().sqrt() / chunk.len() as f64;
            expected += 0.1 * (2.0 / std::f64::consts::PI).sqrt() * sd;
            var += 0.01 * (1.0 - 2.0 / std::f64::consts::PI) * sd * sd;
        }
        let ece = cal.ece.unwrap();
        assert!(
            (ece - expected).abs() < 4.0 * var.sqrt(),
            "ece {ece}, expected {expected}"
        );

        let doubled: Vec<f64> = probs.iter().map(|p| 2.0 * p).collect();
        let bad = calibration(&doubled, &labels, 10).ece.unwrap();
        // Doubling overstates by the mean probability, about 0.235.
        assert!(bad > 0.2 && bad > expected + 20.0 * var.sqrt(), "ece {bad}");
    }

    #[test]
    fn calibration_small_inputs() {
        let cal = calibration(&[0.3, 0.1], &[true, false], 10);
        assert_eq!(cal.bins.len(), 2);
        assert_eq!(cal.bins[0].lower, 0.1);
        assert_abs_diff_eq!(cal.ece.unwrap(), (0.1 + 0.7) / 2.0, epsilon = 1e-15);
        assert_eq!(calibration(&[], &[], 10).ece, None);
    }
}
