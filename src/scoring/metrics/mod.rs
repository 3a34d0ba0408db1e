//! Evaluation metrics for lead scores: discrimination (ROC AUC, average precision), probability
//! quality (log loss, Brier, calibration), and the tables that turn a score into a handover policy
//! (gains by decile, threshold table, score bands).
//!
//! Every function takes predicted conversion probabilities `probs` and outcomes `labels`
//! (`true` = converted) of the same length; a length mismatch is a programming error and panics.
//! Scores are expected to be finite; `NaN` does not panic but gives unspecified results.
//!
//! A value whose denominator is zero (a rate over no rows, AUC with one class absent, ...) is
//! `None`, never `NaN`, so that everything serialises to valid JSON. All sums run in a fixed
//! order (input order, or a stable sort of it), so results are bit-for-bit reproducible.
//!
//! One file per kind of question, all re-exported here:
//! * `ranking.rs`: [`roc_auc`] (and the leak screen [`roc_auc_beyond`]), [`pr_auc`] (average precision), [`roc_curve`], [`pr_curve`];
//! * `probability.rs`: [`log_loss`], [`brier`], [`calibration`] with its ECE;
//! * `policy.rs`: [`gains`] and lift, [`threshold_table`];
//! * `bands.rs`: [`ScoreBands`] and [`band_table`];
//! * `drift.rs`: [`psi`] and [`calibration_drift`], a later period against the training one;
//! * `rows.rs`: what the tables ask of rows in score order (`ScoreOrder`), and the full
//!   ranking `Ranked` (every row in its place) that the single-table functions use;
//! * `runs.rs`: the fast ranking `Runs` (each distinct score once) behind [`evaluate`];
//! * this module: the headline [`Metrics`], [`evaluate`], which computes everything with the
//!   defaults, and [`RankedScores`], which also gives the quantile bands from the same sort.

mod bands;
mod drift;
mod policy;
mod probability;
mod ranking;
mod rows;
mod runs;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use bands::band_table_ranked;
pub use bands::{band_table, BandRow, ScoreBands, DEFAULT_BANDS, MAX_BANDS};
pub use drift::{
    calibration_drift, psi, psi_reading, CalibrationDrift, FieldDrift, PeriodComparison, ECE_DRAWS,
    PSI_FLOOR, PSI_MAJOR, PSI_MODERATE,
};
pub use policy::{default_thresholds, gains, threshold_table, GainsRow, ThresholdRow};
pub use probability::{brier, calibration, log_loss, Calibration, CalibrationBin, LOG_LOSS_EPS};
pub use ranking::{
    pr_auc, pr_curve, roc_auc, roc_auc_beyond, roc_curve, CurvePoint, DEFAULT_CURVE_POINTS,
};
use rows::{check_lengths, ratio, Ranked, ScoreOrder};
use runs::Runs;

/// Number of calibration bins used by [`evaluate`] (deciles).
pub const DEFAULT_BINS: usize = 10;
/// Number of gains groups used by [`evaluate`] (deciles).
pub const DEFAULT_GROUPS: usize = 10;

/// Headline metrics. Field names are a stable interface (model JSON, `--json` output).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub rows: usize,
    pub positives: usize,
    pub positive_rate: Option<f64>,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    pub log_loss: Option<f64>,
    pub brier: Option<f64>,
    /// Expected calibration error over [`DEFAULT_BINS`] equal-count bins.
    pub ece: Option<f64>,
}

/// Everything `leadsim evaluate` reports about a set of scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub metrics: Metrics,
    pub calibration: Calibration,
    pub gains: Vec<GainsRow>,
    pub thresholds: Vec<ThresholdRow>,
    pub bands: Vec<BandRow>,
    /// ROC curve, at most [`DEFAULT_CURVE_POINTS`] points; empty in files written before it was
    /// added.
    #[serde(default)]
    pub roc_curve: Vec<CurvePoint>,
    /// Precision-recall curve, at most [`DEFAULT_CURVE_POINTS`] points; empty in files written
    /// before it was added.
    #[serde(default)]
    pub pr_curve: Vec<CurvePoint>,
}

/// All metrics and tables with the defaults: decile calibration and gains, thresholds
/// 0.05..0.95, the given score bands, and ROC and precision-recall curves of at most
/// [`DEFAULT_CURVE_POINTS`] points.
pub fn evaluate(probs: &[f64], labels: &[bool], bands: &ScoreBands) -> Evaluation {
    RankedScores::new(probs, labels).evaluate(bands)
}

/// Scores and outcomes ranked once, for everything an evaluation reads off the ranking: the
/// [`Evaluation`], and the quantile [`ScoreBands`] when the scores are the training ones. One
/// sort for all of it (two per-class sorts of plain keys, see `runs.rs`); NaN scores take the
/// full ranking instead, which places them by their bits.
pub struct RankedScores<'a> {
    probs: &'a [f64],
    labels: &'a [bool],
    /// `None` when a score is NaN.
    runs: Option<Runs<'a>>,
    /// [`log_loss`] and [`brier`], row by row: computed while the rows are ranked.
    log_loss: Option<f64>,
    brier: Option<f64>,
}

impl<'a> RankedScores<'a> {
    /// Ranks `probs` (with their outcomes `labels`).
    ///
    /// # Panics
    /// If the lengths differ.
    pub fn new(probs: &'a [f64], labels: &'a [bool]) -> RankedScores<'a> {
        check_lengths(probs, labels);
        // Neither side depends on the number of threads: the sums run in input order.
        let (runs, (log_loss, brier)) = rayon::join(
            || Runs::new(probs, labels),
            || (log_loss(probs, labels), brier(probs, labels)),
        );
        RankedScores {
            probs,
            labels,
            runs,
            log_loss,
            brier,
        }
    }

    /// [`ScoreBands::from_quantiles`] of these scores, read off the ranking.
    ///
    /// # Errors
    /// As [`ScoreBands::from_quantiles`].
    pub fn quantile_bands(&self, n_bands: usize) -> Result<ScoreBands> {
        bands::check_band_count(n_bands)?;
        let n = self.probs.len();
        match &self.runs {
            // Finite at both ends of the ranking: finite everywhere.
            Some(runs)
                if n > 0
                    && runs.ascending().score(0).is_finite()
                    && runs.ascending().score(n - 1).is_finite() =>
            {
                Ok(ScoreBands::from_ranked(&runs.ascending(), n_bands))
            }
            // No scores, infinite or NaN ones: the errors as the selection gives them.
            _ => ScoreBands::from_quantiles(self.probs, n_bands),
        }
    }

    /// [`evaluate`] of these scores.
    pub fn evaluate(&self, bands: &ScoreBands) -> Evaluation {
        let (probs, labels) = (self.probs, self.labels);
        let (log_loss, brier) = (self.log_loss, self.brier);
        match &self.runs {
            Some(runs) => {
                let (asc, desc) = (runs.ascending(), runs.descending());
                tables(
                    &asc,
                    &desc,
                    band_table_ranked(&desc, bands),
                    log_loss,
                    brier,
                )
            }
            None => {
                let desc = Ranked::sort(probs, labels, true);
                let asc = desc.reversed(probs, labels);
                tables(
                    &asc,
                    &desc,
                    band_table(probs, labels, bands),
                    log_loss,
                    brier,
                )
            }
        }
    }
}

/// The [`Evaluation`] from the rows ranked both ways, with the band table and the row-by-row
/// metrics computed beside.
fn tables(
    asc: &impl ScoreOrder,
    desc: &impl ScoreOrder,
    bands: Vec<BandRow>,
    log_loss: Option<f64>,
    brier: Option<f64>,
) -> Evaluation {
    let (rows, positives) = (desc.len(), desc.total_positives());
    let calibration = probability::calibration_ranked(asc, DEFAULT_BINS);
    let metrics = Metrics {
        rows,
        positives,
        positive_rate: ratio(positives, rows),
        roc_auc: ranking::roc_auc_ranked(asc),
        pr_auc: ranking::pr_auc_ranked(desc),
        log_loss,
        brier,
        ece: calibration.ece,
    };
    Evaluation {
        metrics,
        calibration,
        gains: policy::gains_ranked(desc, DEFAULT_GROUPS),
        thresholds: policy::threshold_table_ranked(desc, &default_thresholds()),
        bands,
        roc_curve: ranking::roc_curve_ranked(desc, DEFAULT_CURVE_POINTS),
        pr_curve: ranking::pr_curve_ranked(desc, DEFAULT_CURVE_POINTS),
    }
}

/// Scores on a coarse grid (many ties) with outcomes that depend on them.
#[cfg(test)]
fn tied_data(seed: u64, n: usize) -> (Vec<f64>, Vec<bool>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let probs: Vec<f64> = (0..n).map(|_| rng.gen_range(0..20) as f64 / 20.0).collect();
    let labels = probs.iter().map(|&p| rng.gen_bool(0.2 + 0.6 * p)).collect();
    (probs, labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn evaluate_serialises_and_handles_empty_input() {
        let (probs, labels) = tied_data(51, 400);
        let bands = ScoreBands::from_quantiles(&probs, DEFAULT_BANDS).unwrap();
        let eval = evaluate(&probs, &labels, &bands);
        assert_eq!(eval.metrics.rows, 400);
        assert_eq!(eval.metrics.ece, eval.calibration.ece);
        assert_eq!(eval.thresholds.len(), 19);
        let json = serde_json::to_string(&eval).unwrap();
        assert!(!json.contains("NaN") && !json.contains("null"));
        // serde_json's default float parsing may differ in the last bit, so compare loosely.
        let back: Evaluation = serde_json::from_str(&json).unwrap();
        assert_eq!((back.gains.len(), back.bands.len()), (10, 4));
        assert_abs_diff_eq!(
            back.metrics.roc_auc.unwrap(),
            eval.metrics.roc_auc.unwrap(),
            epsilon = 1e-15
        );

        let empty = evaluate(&[], &[], &bands);
        assert_eq!((empty.metrics.rows, empty.metrics.roc_auc), (0, None));
        assert!(empty.gains.is_empty() && empty.bands.iter().all(|b| b.rows == 0));
        serde_json::to_string(&empty).unwrap();
    }

    /// [`evaluate`] as it was before the runs: every table from the full ranking, the band
    /// table row by row. The reference the fast path must equal.
    fn reference_evaluate(probs: &[f64], labels: &[bool], bands: &ScoreBands) -> Evaluation {
        let desc = Ranked::sort(probs, labels, true);
        let asc = desc.reversed(probs, labels);
        let (ll, b) = (log_loss(probs, labels), brier(probs, labels));
        tables(&asc, &desc, band_table(probs, labels, bands), ll, b)
    }

    /// Score sets that stress the ranking: distinct scores, coarse and fine grids (tie groups
    /// cut by the decile edges), one score for all, one class, signed zeros and infinities.
    fn awkward_sets() -> Vec<(String, Vec<f64>, Vec<bool>)> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(81);
        let mut sets = Vec::new();
        for n in [1usize, 2, 3, 11, 250, 4_001] {
            for levels in [0u32, 2, 7, 40] {
                let probs: Vec<f64> = (0..n)
                    .map(|_| match levels {
                        0 => rng.gen(),
                        l => f64::from(rng.gen_range(0..l)) / f64::from(l),
                    })
                    .collect();
                let labels = probs.iter().map(|&p| rng.gen_bool(0.1 + 0.8 * p)).collect();
                sets.push((format!("n {n}, levels {levels}"), probs, labels));
            }
        }
        let labels: Vec<bool> = (0..1000).map(|_| rng.gen_bool(0.3)).collect();
        sets.push(("one score".into(), vec![0.3; 1000], labels.clone()));
        let grid: Vec<f64> = (0..1000).map(|i| f64::from(i % 13) / 13.0).collect();
        sets.push(("all converted".into(), grid.clone(), vec![true; 1000]));
        sets.push(("none converted".into(), grid, vec![false; 1000]));
        let odd = [-0.0, 0.0, 0.25, 0.0, -0.0, 1.0, f64::INFINITY, -3.0, 0.25];
        let probs: Vec<f64> = (0..1000)
            .map(|i| odd[(i * 7 + i / 9) % odd.len()])
            .collect();
        sets.push(("signed zeros and infinities".into(), probs, labels));
        sets.push(("empty".into(), Vec::new(), Vec::new()));
        sets
    }

    /// Equality to the bit: the JSON of a float names its bits (shortest round trip, -0.0
    /// kept), so equal text is equal values, signs of zeros included.
    fn text(e: &Evaluation) -> String {
        serde_json::to_string(e).unwrap()
    }

    #[test]
    fn the_fast_evaluation_is_the_full_rankings_to_the_bit() {
        let mut cut_inside = 0;
        for (name, probs, labels) in awkward_sets() {
            let mut band_sets = vec![ScoreBands::from_cuts(vec![0.25, 0.5, 0.75]).unwrap()];
            band_sets.extend(ScoreBands::from_quantiles(&probs, DEFAULT_BANDS).ok());
            for bands in &band_sets {
                let fast = RankedScores::new(&probs, &labels);
                assert!(fast.runs.is_some(), "{name}: no NaN, so the fast path");
                assert_eq!(
                    text(&fast.evaluate(bands)),
                    text(&reference_evaluate(&probs, &labels, bands)),
                    "{name}"
                );
                assert_eq!(
                    text(&evaluate(&probs, &labels, bands)),
                    text(&fast.evaluate(bands))
                );
            }
            // The data must cut tie groups at decile edges, or the input-order counting is
            // not exercised.
            let desc = Ranked::sort(&probs, &labels, true);
            let n = probs.len();
            cut_inside += (1..10)
                .map(|g| g * n / 10)
                .filter(|&x| x > 0 && x < n && desc.scores[x - 1] == desc.scores[x])
                .count();
        }
        assert!(
            cut_inside > 50,
            "only {cut_inside} decile edges inside a tie group"
        );
    }

    #[test]
    fn nan_scores_evaluate_as_before() {
        let probs = [0.2, f64::NAN, 0.7, 0.2, -f64::NAN, 0.9, f64::NAN];
        let labels = [true, false, true, false, true, false, false];
        let bands = ScoreBands::from_cuts(vec![0.5]).unwrap();
        let ranked = RankedScores::new(&probs, &labels);
        assert!(ranked.runs.is_none());
        assert_eq!(
            text(&ranked.evaluate(&bands)),
            text(&reference_evaluate(&probs, &labels, &bands))
        );
    }

    #[test]
    fn quantile_bands_off_the_ranking_are_the_selections() {
        for (name, probs, labels) in awkward_sets() {
            let ranked = RankedScores::new(&probs, &labels);
            for n_bands in [2, DEFAULT_BANDS, 7, MAX_BANDS] {
                let want = ScoreBands::from_quantiles(&probs, n_bands);
                match (ranked.quantile_bands(n_bands), want) {
                    (Ok(got), Ok(want)) => {
                        let bits = |b: &ScoreBands| -> Vec<u64> {
                            b.cuts().iter().map(|c| c.to_bits()).collect()
                        };
                        assert_eq!(bits(&got), bits(&want), "{name}, {n_bands} bands");
                        assert_eq!(got, want);
                    }
                    (Err(got), Err(want)) => assert_eq!(got.to_string(), want.to_string()),
                    (got, want) => panic!("{name}: {got:?} against {want:?}"),
                }
            }
        }
        let ranked = RankedScores::new(&[0.1, f64::INFINITY, 0.4], &[true, false, true]);
        assert!(matches!(
            ranked.quantile_bands(4),
            Err(crate::error::Error::BandScores {
                scores: 3,
                non_finite: 1
            })
        ));
        let ranked = RankedScores::new(&[0.1, f64::NAN], &[true, false]);
        assert!(matches!(
            ranked.quantile_bands(4),
            Err(crate::error::Error::BandScores { non_finite: 1, .. })
        ));
        assert!(matches!(
            RankedScores::new(&[], &[]).quantile_bands(4),
            Err(crate::error::Error::BandScores { scores: 0, .. })
        ));
        assert!(matches!(
            RankedScores::new(&[0.5], &[true]).quantile_bands(27),
            Err(crate::error::Error::BandCount { bands: 27 })
        ));
    }

    #[test]
    fn evaluations_do_not_depend_on_the_number_of_threads() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(82);
        // Large enough for the parallel sorts to split their work.
        let probs: Vec<f64> = (0..200_000)
            .map(|i| {
                if i % 3 == 0 {
                    f64::from(rng.gen_range(0..50u32)) / 50.0
                } else {
                    rng.gen()
                }
            })
            .collect();
        let labels: Vec<bool> = probs.iter().map(|&p| rng.gen_bool(p)).collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let ranked = RankedScores::new(&probs, &labels);
                let bands = ranked.quantile_bands(DEFAULT_BANDS).unwrap();
                text(&ranked.evaluate(&bands))
            })
        };
        let one = run(1);
        assert_eq!(run(2), one);
        assert_eq!(run(8), one);
    }

    #[test]
    fn evaluations_saved_without_curves_still_load() {
        let (probs, labels) = tied_data(64, 500);
        let bands = ScoreBands::from_quantiles(&probs, DEFAULT_BANDS).unwrap();
        let eval = evaluate(&probs, &labels, &bands);
        assert_eq!((eval.roc_curve.len(), eval.pr_curve.len()), (21, 20));
        let mut value = serde_json::to_value(&eval).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("roc_curve");
        object.remove("pr_curve");
        let old: Evaluation = serde_json::from_value(value).unwrap();
        assert!(old.roc_curve.is_empty() && old.pr_curve.is_empty());
        assert_eq!(old.gains.len(), eval.gains.len());
    }
}
