//! Drift between a training period and a later test period: the population stability index
//! ([`psi`]) of binned values, and whether the score's calibration held ([`calibration_drift`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::probability::calibration;
use super::DEFAULT_BINS;

/// Shares below this count as this in [`psi`]: an empty bin on one side would otherwise make
/// the index infinite. 1e-4 is the floor credit-risk tooling commonly uses; it caps one empty
/// bin's term at about share x 9.2.
pub const PSI_FLOOR: f64 = 1e-4;

/// PSI above which a population has shifted materially (the conventional reading: below 0.1
/// stable, 0.1 to 0.25 moderate, above 0.25 a major shift).
pub const PSI_MAJOR: f64 = 0.25;
/// PSI above which a shift is moderate; see [`PSI_MAJOR`].
pub const PSI_MODERATE: f64 = 0.1;

/// Parametric bootstrap draws behind [`CalibrationDrift::ece_limit`]. Its 95th percentile
/// moves by about 1.5 standard errors of an order statistic of 400 draws: a few percent of
/// the limit, well below the gaps that matter here.
pub const ECE_DRAWS: usize = 400;

/// The population stability index of two histograms over the same bins,
/// `sum (a - e) ln(a / e)` over the bins' shares (expected `e` from `expected`, actual `a`
/// from `actual`), shares floored at [`PSI_FLOOR`]. `None` when either side has no rows.
///
/// ```
/// use leadsim::scoring::metrics::psi;
/// assert_eq!(psi(&[50, 50], &[50, 50]), Some(0.0));
/// let shifted = psi(&[50, 50], &[80, 20]).unwrap();
/// assert!((shifted - (0.3 * (0.8f64 / 0.5).ln() - 0.3 * (0.2f64 / 0.5).ln())).abs() < 1e-12);
/// ```
///
/// # Panics
/// When the histograms have different lengths.
pub fn psi(expected: &[usize], actual: &[usize]) -> Option<f64> {
    assert_eq!(
        expected.len(),
        actual.len(),
        "histograms over different bins"
    );
    let (ne, na) = (
        expected.iter().sum::<usize>() as f64,
        actual.iter().sum::<usize>() as f64,
    );
    if ne == 0.0 || na == 0.0 {
        return None;
    }
    Some(
        expected
            .iter()
            .zip(actual)
            .map(|(&e, &a)| {
                let e = (e as f64 / ne).max(PSI_FLOOR);
                let a = (a as f64 / na).max(PSI_FLOOR);
                (a - e) * (a / e).ln()
            })
            .sum(),
    )
}

/// The words for a PSI value.
pub fn psi_reading(v: f64) -> &'static str {
    if v > PSI_MAJOR {
        "major shift"
    } else if v > PSI_MODERATE {
        "moderate shift"
    } else {
        "stable"
    }
}

/// Whether a score is still calibrated on later rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationDrift {
    /// ECE of the scores on these rows ([`DEFAULT_BINS`] equal-count bins).
    pub ece: Option<f64>,
    /// The 95th percentile of the ECE these scores would show if they were calibrated (outcomes
    /// drawn from the scores themselves, [`ECE_DRAWS`] seeded draws): the ECE that sampling
    /// noise alone reaches on this many rows.
    pub ece_limit: Option<f64>,
    /// Calibration in the large: `a` in `logit P(y) = a + logit(score)`, fitted on these rows
    /// (0 when calibrated; positive when the score under-predicts).
    pub intercept_shift: Option<f64>,
    /// 95% Wald interval of `intercept_shift`.
    pub intercept_ci: Option<[f64; 2]>,
    /// ECE above its limit, or an intercept interval that excludes 0.
    pub drifted: bool,
}

/// [`CalibrationDrift`] of `probs` against `labels`, with the bootstrap seeded by `seed`.
pub fn calibration_drift(probs: &[f64], labels: &[bool], seed: u64) -> CalibrationDrift {
    let ece = calibration(probs, labels, DEFAULT_BINS).ece;
    let ece_limit = (!probs.is_empty()).then(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut draws: Vec<f64> = (0..ECE_DRAWS)
            .map(|_| {
                let y: Vec<bool> = probs
                    .iter()
                    .map(|&p| rng.gen_bool(p.clamp(0.0, 1.0)))
                    .collect();
                calibration(probs, &y, DEFAULT_BINS).ece.unwrap_or(0.0)
            })
            .collect();
        draws.sort_by(f64::total_cmp);
        crate::stats::quantile_sorted(&draws, 0.95)
    });
    let shift = intercept_shift(probs, labels);
    let intercept_ci = shift.map(|(a, se)| {
        [
            a - 1.959_963_984_540_054 * se,
            a + 1.959_963_984_540_054 * se,
        ]
    });
    let drifted = matches!((ece, ece_limit), (Some(e), Some(l)) if e > l)
        || intercept_ci.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0);
    CalibrationDrift {
        ece,
        ece_limit,
        intercept_shift: shift.map(|s| s.0),
        intercept_ci,
        drifted,
    }
}

/// Maximum-likelihood `a` of `logit P(y) = a + logit(p)` by Newton's method, with its standard
/// error from the observed information; `None` for no rows or one class only.
fn intercept_shift(probs: &[f64], labels: &[bool]) -> Option<(f64, f64)> {
    let pos = labels.iter().filter(|&&y| y).count();
    if pos == 0 || pos == labels.len() {
        return None;
    }
    let offsets: Vec<f64> = probs
        .iter()
        .map(|&p| {
            let p = p.clamp(1e-12, 1.0 - 1e-12);
            (p / (1.0 - p)).ln()
        })
        .collect();
    let mut a = 0.0;
    for _ in 0..100 {
        let (mut grad, mut info) = (0.0, 0.0);
        for (&o, &y) in offsets.iter().zip(labels) {
            let m = crate::scoring::model::sigmoid(a + o);
            grad += f64::from(u8::from(y)) - m;
            info += m * (1.0 - m);
        }
        let step = grad / info;
        a += step;
        if step.abs() < 1e-12 {
            break;
        }
    }
    let info: f64 = offsets
        .iter()
        .map(|&o| {
            let m = crate::scoring::model::sigmoid(a + o);
            m * (1.0 - m)
        })
        .sum();
    Some((a, 1.0 / info.sqrt()))
}

/// One input field's shift between the periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDrift {
    pub field: String,
    /// PSI of the field's bins (training deciles for numbers, levels for categories, and a bin
    /// for missing values).
    pub psi: Option<f64>,
    pub bins: usize,
}

/// The training period against the test period of a time-aware split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodComparison {
    /// Metrics on the training period itself (in-sample), to set against the out-of-time ones.
    pub train_metrics: super::Metrics,
    /// PSI of the score, over deciles of the training period's scores.
    pub score_psi: Option<f64>,
    /// Every input field, largest PSI first.
    pub fields: Vec<FieldDrift>,
    /// Calibration on the test period.
    pub calibration: CalibrationDrift,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores on a grid and outcomes drawn from `shift` added to their log odds.
    fn drawn(seed: u64, n: usize, shift: f64) -> (Vec<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let probs: Vec<f64> = (0..n)
            .map(|i| 0.02 + 0.5 * (i % 50) as f64 / 50.0)
            .collect();
        let labels = probs
            .iter()
            .map(|&p| {
                let eta = (p / (1.0 - p)).ln() + shift;
                rng.gen_bool(crate::scoring::model::sigmoid(eta))
            })
            .collect();
        (probs, labels)
    }

    #[test]
    fn psi_is_zero_for_equal_shares_and_floors_empty_bins() {
        assert_eq!(psi(&[10, 30], &[100, 300]), Some(0.0));
        let v = psi(&[10, 0], &[5, 5]).unwrap();
        let expected = (0.5 - 1.0) * (0.5f64).ln() + (0.5 - PSI_FLOOR) * (0.5 / PSI_FLOOR).ln();
        assert!((v - expected).abs() < 1e-12, "{v} vs {expected}");
        assert_eq!(psi(&[0, 0], &[1, 1]), None);
    }

    #[test]
    fn calibrated_scores_do_not_drift_and_shifted_ones_do() {
        // 4000 rows: the intercept's standard error is about 1/sqrt(4000 * 0.2) = 0.035, so a
        // true shift of 0.5 lies 14 standard errors out, and one of 0 is inside its 95%
        // interval for this seed (a 5% chance otherwise, fixed by the seed).
        let (p, y) = drawn(3, 4000, 0.0);
        let d = calibration_drift(&p, &y, 1);
        assert!(!d.drifted, "{d:?}");
        let [lo, hi] = d.intercept_ci.unwrap();
        assert!(lo < 0.0 && hi > 0.0);
        let (p, y) = drawn(3, 4000, 0.5);
        let d = calibration_drift(&p, &y, 1);
        assert!(d.drifted, "{d:?}");
        let a = d.intercept_shift.unwrap();
        assert!((a - 0.5).abs() < 4.0 * 0.035, "{a}");
        assert!(d.ece.unwrap() > d.ece_limit.unwrap());
    }
}
