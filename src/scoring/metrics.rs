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

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::stats::quantile_sorted;

/// Number of calibration bins used by [`evaluate`] (deciles).
pub const DEFAULT_BINS: usize = 10;
/// Number of gains groups used by [`evaluate`] (deciles).
pub const DEFAULT_GROUPS: usize = 10;
/// Number of score bands when none are given (quartiles, A to D).
pub const DEFAULT_BANDS: usize = 4;
/// Most bands a [`ScoreBands`] can have: one per letter.
pub const MAX_BANDS: usize = 26;

/// Probabilities are clipped to `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]` so one confident mistake costs
/// about 34.5 nats instead of infinity (the scikit-learn convention).
pub const LOG_LOSS_EPS: f64 = 1e-15;

fn check_lengths(probs: &[f64], labels: &[bool]) {
    assert_eq!(
        probs.len(),
        labels.len(),
        "metrics: {} probabilities but {} labels",
        probs.len(),
        labels.len()
    );
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn count_true(labels: &[bool]) -> usize {
    labels.iter().filter(|&&l| l).count()
}

/// Row indices ordered by score. The sort is stable, so tied rows keep their input order: that is
/// the documented tie rule wherever rows must be cut into equal-count groups.
fn sorted_order(probs: &[f64], descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    if descending {
        order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
    } else {
        order.sort_by(|&a, &b| probs[a].total_cmp(&probs[b]));
    }
    order
}

/// Ranges of positions in `order` that share one score.
fn tie_groups(order: &[usize], probs: &[f64]) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    for end in 1..=order.len() {
        if end == order.len() || probs[order[end]] != probs[order[start]] {
            groups.push(start..end);
            start = end;
        }
    }
    groups
}

/// `groups` consecutive ranges covering `0..n` whose sizes differ by at most one.
fn equal_count_groups(n: usize, groups: usize) -> impl Iterator<Item = Range<usize>> {
    (0..groups).map(move |g| g * n / groups..(g + 1) * n / groups)
}

fn positives_in(rows: &[usize], labels: &[bool]) -> usize {
    rows.iter().filter(|&&i| labels[i]).count()
}

/// Area under the ROC curve: the probability that a random converter scores above a random
/// non-converter, ties counting one half (Mann-Whitney U with midranks). Exact, O(n log n).
/// `None` when either class is absent.
pub fn roc_auc(probs: &[f64], labels: &[bool]) -> Option<f64> {
    check_lengths(probs, labels);
    let pos = count_true(labels) as u128;
    let neg = labels.len() as u128 - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let order = sorted_order(probs, false);
    // Midranks are half-integers; doubling them keeps the rank sum exact in integers.
    let mut twice_rank_sum: u128 = 0;
    for g in tie_groups(&order, probs) {
        let pos_in_group = positives_in(&order[g.clone()], labels) as u128;
        // 1-based ranks g.start + 1 ..= g.end share the midrank (g.start + 1 + g.end) / 2.
        twice_rank_sum += pos_in_group * (g.start + 1 + g.end) as u128;
    }
    let twice_u = twice_rank_sum - pos * (pos + 1);
    Some(twice_u as f64 / (2 * pos * neg) as f64)
}

/// Area under the precision-recall curve as average precision: `sum_k (R_k - R_{k-1}) P_k` over
/// the distinct score thresholds taken from the highest down, rows with equal scores entering
/// together. This is the step-wise definition of scikit-learn's `average_precision_score`; it is
/// chosen over trapezoidal interpolation because that is optimistic for precision-recall curves.
/// `None` when there are no converters.
pub fn pr_auc(probs: &[f64], labels: &[bool]) -> Option<f64> {
    check_lengths(probs, labels);
    let total_pos = count_true(labels);
    if total_pos == 0 {
        return None;
    }
    let order = sorted_order(probs, true);
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut sum = 0.0;
    for g in tie_groups(&order, probs) {
        let new_tp = positives_in(&order[g.clone()], labels);
        tp += new_tp;
        fp += g.len() - new_tp;
        // R_k - R_{k-1} = new_tp / total_pos; the division is factored out of the sum.
        sum += new_tp as f64 * (tp as f64 / (tp + fp) as f64);
    }
    Some(sum / total_pos as f64)
}

/// Most points [`evaluate`] keeps per ROC or precision-recall curve: enough to draw a smooth
/// curve, few enough to keep the model file small.
pub const DEFAULT_CURVE_POINTS: usize = 200;

/// One point of a ROC or precision-recall curve: the outcome of handing over every lead scoring
/// at least `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub threshold: f64,
    /// False-positive rate (ROC) or recall (precision-recall).
    pub x: f64,
    /// True-positive rate (ROC) or precision (precision-recall).
    pub y: f64,
}

/// `(threshold, true positives, false positives)` after each group of tied scores enters,
/// highest scores first.
fn cumulative_counts(probs: &[f64], labels: &[bool]) -> Vec<(f64, usize, usize)> {
    let order = sorted_order(probs, true);
    let (mut tp, mut fp) = (0usize, 0usize);
    tie_groups(&order, probs)
        .into_iter()
        .map(|g| {
            let new_tp = positives_in(&order[g.clone()], labels);
            tp += new_tp;
            fp += g.len() - new_tp;
            (probs[order[g.start]], tp, fp)
        })
        .collect()
}

/// The smallest float above `x` (for finite `x`), so that "score >= threshold" selects nothing.
fn just_above(x: f64) -> f64 {
    if !x.is_finite() {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// Keeps at most `max_points` (at least 2) of `points`, evenly spaced by index, always
/// including the first and the last.
fn downsample(points: Vec<CurvePoint>, max_points: usize) -> Vec<CurvePoint> {
    let (m, k) = (points.len(), max_points.max(2));
    if m <= k {
        return points;
    }
    // i (m - 1) / (k - 1) is strictly increasing in i because m > k, so no point repeats.
    (0..k).map(|i| points[i * (m - 1) / (k - 1)]).collect()
}

/// The ROC curve: false-positive rate `x` against true-positive rate `y` at each distinct score
/// taken as threshold, highest first, from `(0, 0)` (nobody handed over; its threshold is just
/// above the top score) to `(1, 1)`. Tied scores enter together, so the trapezoid area under the
/// full curve equals [`roc_auc`]. Thinned to at most `max_points` points (evenly spaced by
/// threshold rank, endpoints kept). Empty when either class is absent.
pub fn roc_curve(probs: &[f64], labels: &[bool], max_points: usize) -> Vec<CurvePoint> {
    check_lengths(probs, labels);
    let pos = count_true(labels);
    let neg = labels.len() - pos;
    if pos == 0 || neg == 0 {
        return Vec::new();
    }
    let counts = cumulative_counts(probs, labels);
    let mut points = Vec::with_capacity(counts.len() + 1);
    points.push(CurvePoint {
        threshold: just_above(counts[0].0),
        x: 0.0,
        y: 0.0,
    });
    points.extend(counts.into_iter().map(|(threshold, tp, fp)| CurvePoint {
        threshold,
        x: fp as f64 / neg as f64,
        y: tp as f64 / pos as f64,
    }));
    downsample(points, max_points)
}

/// The precision-recall curve: recall `x` against precision `y` at each distinct score taken as
/// threshold, highest first; the last point hands every lead over (recall 1, precision the base
/// rate). Every point is a real threshold: no artificial `(0, 1)` start. Thinned to at most
/// `max_points` points like [`roc_curve`]. Empty when nobody converted.
pub fn pr_curve(probs: &[f64], labels: &[bool], max_points: usize) -> Vec<CurvePoint> {
    check_lengths(probs, labels);
    let pos = count_true(labels);
    if pos == 0 {
        return Vec::new();
    }
    let points = cumulative_counts(probs, labels)
        .into_iter()
        .map(|(threshold, tp, fp)| CurvePoint {
            threshold,
            x: tp as f64 / pos as f64,
            y: tp as f64 / (tp + fp) as f64,
        })
        .collect();
    downsample(points, max_points)
}

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
    let n = probs.len();
    if n == 0 {
        return Calibration {
            bins: Vec::new(),
            ece: None,
        };
    }
    let order = sorted_order(probs, false);
    let mut out = Vec::new();
    let mut ece = 0.0;
    for (b, range) in equal_count_groups(n, bins.clamp(1, n)).enumerate() {
        let rows = &order[range];
        let sum_p: f64 = rows.iter().map(|&i| probs[i]).sum();
        let mean_predicted = sum_p / rows.len() as f64;
        let observed_rate = positives_in(rows, labels) as f64 / rows.len() as f64;
        ece += rows.len() as f64 / n as f64 * (observed_rate - mean_predicted).abs();
        out.push(CalibrationBin {
            bin: b + 1,
            lower: probs[rows[0]],
            upper: probs[rows[rows.len() - 1]],
            rows: rows.len(),
            mean_predicted,
            observed_rate,
        });
    }
    Calibration {
        bins: out,
        ece: Some(ece),
    }
}

/// One row of a cumulative gains table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainsRow {
    /// 1-based group number, highest scores first (a decile when `groups = 10`).
    pub decile: usize,
    /// Leads in this group.
    pub rows: usize,
    /// Lowest score in this group: calling every lead scoring at least this reaches this row.
    pub min_score: f64,
    /// Cumulative share of all leads up to and including this group.
    pub leads_share: f64,
    /// Conversions in this group.
    pub conversions: usize,
    /// Conversion rate in this group.
    pub conversion_rate: f64,
    /// Cumulative share of all conversions captured; `None` when nobody converted.
    pub captured_share: Option<f64>,
    /// This group's conversion rate over the overall rate; `None` when nobody converted.
    pub lift: Option<f64>,
    /// Cumulative conversion rate over the overall rate; `None` when nobody converted.
    pub cumulative_lift: Option<f64>,
}

/// Cumulative gains and lift by equal-count groups of rows sorted by score, highest first.
/// Ties keep their input order (stable sort), as in [`calibration`]; `groups` is clamped to
/// `1..=n`. Empty for no rows.
pub fn gains(probs: &[f64], labels: &[bool], groups: usize) -> Vec<GainsRow> {
    check_lengths(probs, labels);
    let n = probs.len();
    if n == 0 {
        return Vec::new();
    }
    let total_pos = count_true(labels);
    let overall_rate = total_pos as f64 / n as f64;
    let lift_of = |rate: f64| (total_pos > 0).then(|| rate / overall_rate);
    let order = sorted_order(probs, true);
    let (mut cum_rows, mut cum_conv) = (0usize, 0usize);
    let mut out = Vec::new();
    for (g, range) in equal_count_groups(n, groups.clamp(1, n)).enumerate() {
        let rows = &order[range];
        let conversions = positives_in(rows, labels);
        cum_rows += rows.len();
        cum_conv += conversions;
        let conversion_rate = conversions as f64 / rows.len() as f64;
        out.push(GainsRow {
            decile: g + 1,
            rows: rows.len(),
            min_score: probs[rows[rows.len() - 1]],
            leads_share: cum_rows as f64 / n as f64,
            conversions,
            conversion_rate,
            captured_share: ratio(cum_conv, total_pos),
            lift: lift_of(conversion_rate),
            cumulative_lift: lift_of(cum_conv as f64 / cum_rows as f64),
        });
    }
    out
}

/// What a handover policy "pass every lead scoring at least `threshold`" would have done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRow {
    pub threshold: f64,
    /// Leads with score `>= threshold`.
    pub handed_over: usize,
    /// `handed_over / rows`; `None` for no rows.
    pub handed_over_share: Option<f64>,
    /// Conversions among the handed-over leads.
    pub conversions: usize,
    /// Conversion rate among the handed-over leads; `None` when nothing is handed over.
    pub precision: Option<f64>,
    /// Share of all conversions handed over; `None` when nobody converted.
    pub recall: Option<f64>,
}

/// The thresholds 0.05, 0.10, ..., 0.95.
pub fn default_thresholds() -> Vec<f64> {
    // k / 20 rather than repeated addition, so each value is the double nearest its decimal.
    (1..20).map(|k| k as f64 / 20.0).collect()
}

/// Handover outcomes at each threshold (in the order given), a lead being handed over when its
/// score is `>= threshold`. O((n + t) log n).
pub fn threshold_table(probs: &[f64], labels: &[bool], thresholds: &[f64]) -> Vec<ThresholdRow> {
    check_lengths(probs, labels);
    let n = probs.len();
    let order = sorted_order(probs, true);
    let sorted: Vec<f64> = order.iter().map(|&i| probs[i]).collect();
    // Conversions among the top k rows, so each threshold is one binary search and one lookup.
    let mut cum_pos = Vec::with_capacity(n + 1);
    cum_pos.push(0usize);
    for &i in &order {
        cum_pos.push(cum_pos[cum_pos.len() - 1] + usize::from(labels[i]));
    }
    let total_pos = cum_pos[n];
    thresholds
        .iter()
        .map(|&threshold| {
            let handed_over = sorted.partition_point(|&s| s >= threshold);
            let conversions = cum_pos[handed_over];
            ThresholdRow {
                threshold,
                handed_over,
                handed_over_share: ratio(handed_over, n),
                conversions,
                precision: ratio(conversions, handed_over),
                recall: ratio(conversions, total_pos),
            }
        })
        .collect()
}

/// Letter grades for scores: band A holds the highest scores.
///
/// `cuts` are ascending; `n` cuts make `n + 1` bands, and a score equal to a cut belongs to the
/// band above it (bands are `[lower, upper)`, the top one closed at 1), so "B or better" means
/// "score `>=` B's lower cut". Fields are private so that `cuts` and `labels` always agree;
/// deserialisation checks the same invariant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawScoreBands")]
pub struct ScoreBands {
    cuts: Vec<f64>,
    labels: Vec<String>,
}

#[derive(Deserialize)]
struct RawScoreBands {
    cuts: Vec<f64>,
    labels: Vec<String>,
}

impl TryFrom<RawScoreBands> for ScoreBands {
    type Error = Error;

    fn try_from(raw: RawScoreBands) -> Result<Self> {
        if raw.labels.len() != raw.cuts.len() + 1 || !strictly_increasing(&raw.cuts) {
            return Err(Error::InvalidParameter {
                name: "bands".into(),
                value: format!("cuts {:?}, labels {:?}", raw.cuts, raw.labels),
                reason:
                    "cuts must be finite and strictly increasing, with one more label than cuts"
                        .into(),
            });
        }
        Ok(ScoreBands {
            cuts: raw.cuts,
            labels: raw.labels,
        })
    }
}

fn strictly_increasing(cuts: &[f64]) -> bool {
    cuts.iter().all(|c| c.is_finite()) && cuts.windows(2).all(|w| w[0] < w[1])
}

fn band_labels(n_bands: usize) -> Vec<String> {
    (b'A'..)
        .take(n_bands)
        .map(|c| char::from(c).to_string())
        .collect()
}

impl ScoreBands {
    /// Bands with equal shares of the training scores: cuts at the `j / n_bands` quantiles
    /// (type 7, see [`quantile_sorted`]). When heavy ties make quantiles coincide (or fall on the lowest
    /// score), those cuts are dropped, giving fewer bands rather than empty ones.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `n_bands` is outside `2..=26`, or `train_probs` is empty or
    /// holds a non-finite value.
    pub fn from_quantiles(train_probs: &[f64], n_bands: usize) -> Result<Self> {
        if !(2..=MAX_BANDS).contains(&n_bands) {
            return Err(Error::InvalidParameter {
                name: "n_bands".into(),
                value: n_bands.to_string(),
                reason: format!("the number of score bands must be between 2 and {MAX_BANDS}"),
            });
        }
        if train_probs.is_empty() || !train_probs.iter().all(|p| p.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "train_probs".into(),
                value: format!("{} scores", train_probs.len()),
                reason: "score bands need at least one finite training score".into(),
            });
        }
        let mut sorted = train_probs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut cuts: Vec<f64> = (1..n_bands)
            .map(|j| quantile_sorted(&sorted, j as f64 / n_bands as f64))
            .collect();
        cuts.dedup();
        // A cut at the lowest training score would leave the bottom band empty on training data.
        cuts.retain(|&c| c > sorted[0]);
        let labels = band_labels(cuts.len() + 1);
        Ok(ScoreBands { cuts, labels })
    }

    /// Bands from explicit cut points (as given with `--bands`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] named `--bands` unless there are 1 to 25 cuts, strictly
    /// increasing and strictly inside (0, 1).
    pub fn from_cuts(cuts: Vec<f64>) -> Result<Self> {
        let reason = if cuts.is_empty() || cuts.len() >= MAX_BANDS {
            Some(format!("give between 1 and {} cut points", MAX_BANDS - 1))
        } else if !cuts.iter().all(|&c| c > 0.0 && c < 1.0) {
            Some("every cut point must lie strictly between 0 and 1".to_string())
        } else if !strictly_increasing(&cuts) {
            Some("cut points must be strictly increasing".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            let value = cuts
                .iter()
                .map(f64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            return Err(Error::InvalidParameter {
                name: "--bands".into(),
                value,
                reason,
            });
        }
        let labels = band_labels(cuts.len() + 1);
        Ok(ScoreBands { cuts, labels })
    }

    /// Cut points, ascending.
    pub fn cuts(&self) -> &[f64] {
        &self.cuts
    }

    /// Band labels, highest band ("A") first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of bands.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: a `ScoreBands` has at least one band.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Index into [`ScoreBands::labels`] of the band holding `score` (0 = "A").
    pub fn band_index(&self, score: f64) -> usize {
        // The number of cuts at or below the score counts bands from the bottom, so a score
        // equal to a cut lands in the higher band.
        self.cuts.len() - self.cuts.partition_point(|&c| c <= score)
    }

    /// Label of the band holding `score`; a score equal to a cut goes to the higher band.
    pub fn band_of(&self, score: f64) -> &str {
        &self.labels[self.band_index(score)]
    }

    /// Score range `[lower, upper)` of band `index` (0 = "A"); the outer bounds are 0 and 1.
    fn bounds(&self, index: usize) -> (f64, f64) {
        let from_bottom = self.cuts.len() - index;
        let lower = if from_bottom == 0 {
            0.0
        } else {
            self.cuts[from_bottom - 1]
        };
        let upper = self.cuts.get(from_bottom).copied().unwrap_or(1.0);
        (lower, upper)
    }
}

/// Outcomes within one score band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    pub band: String,
    /// Lowest score in the band (inclusive).
    pub lower: f64,
    /// Highest score in the band (exclusive, except 1 for band A).
    pub upper: f64,
    pub rows: usize,
    pub conversions: usize,
    /// `None` when the band is empty.
    pub conversion_rate: Option<f64>,
}

/// Rows and conversions per band, band A first.
pub fn band_table(probs: &[f64], labels: &[bool], bands: &ScoreBands) -> Vec<BandRow> {
    check_lengths(probs, labels);
    let mut rows = vec![0usize; bands.len()];
    let mut conversions = vec![0usize; bands.len()];
    for (&p, &y) in probs.iter().zip(labels) {
        let b = bands.band_index(p);
        rows[b] += 1;
        conversions[b] += usize::from(y);
    }
    (0..bands.len())
        .map(|b| {
            let (lower, upper) = bands.bounds(b);
            BandRow {
                band: bands.labels[b].clone(),
                lower,
                upper,
                rows: rows[b],
                conversions: conversions[b],
                conversion_rate: ratio(conversions[b], rows[b]),
            }
        })
        .collect()
}

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
    check_lengths(probs, labels);
    let positives = count_true(labels);
    let calibration = calibration(probs, labels, DEFAULT_BINS);
    let metrics = Metrics {
        rows: probs.len(),
        positives,
        positive_rate: ratio(positives, probs.len()),
        roc_auc: roc_auc(probs, labels),
        pr_auc: pr_auc(probs, labels),
        log_loss: log_loss(probs, labels),
        brier: brier(probs, labels),
        ece: calibration.ece,
    };
    Evaluation {
        metrics,
        calibration,
        gains: gains(probs, labels, DEFAULT_GROUPS),
        thresholds: threshold_table(probs, labels, &default_thresholds()),
        bands: band_table(probs, labels, bands),
        roc_curve: roc_curve(probs, labels, DEFAULT_CURVE_POINTS),
        pr_curve: pr_curve(probs, labels, DEFAULT_CURVE_POINTS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Scores on a coarse grid (many ties) with outcomes that depend on them.
    fn tied_data(seed: u64, n: usize) -> (Vec<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let probs: Vec<f64> = (0..n).map(|_| rng.gen_range(0..20) as f64 / 20.0).collect();
        let labels = probs.iter().map(|&p| rng.gen_bool(0.2 + 0.6 * p)).collect();
        (probs, labels)
    }

    fn brute_auc(probs: &[f64], labels: &[bool]) -> f64 {
        let (mut wins, mut pairs) = (0.0, 0.0);
        for i in (0..probs.len()).filter(|&i| labels[i]) {
            for j in (0..probs.len()).filter(|&j| !labels[j]) {
                pairs += 1.0;
                if probs[i] > probs[j] {
                    wins += 1.0;
                } else if probs[i] == probs[j] {
                    wins += 0.5;
                }
            }
        }
        wins / pairs
    }

    fn brute_ap(probs: &[f64], labels: &[bool]) -> f64 {
        let mut thresholds = probs.to_vec();
        thresholds.sort_by(|a, b| b.total_cmp(a));
        thresholds.dedup();
        let total_pos = labels.iter().filter(|&&l| l).count() as f64;
        let (mut ap, mut prev_recall) = (0.0, 0.0);
        for t in thresholds {
            let chosen: Vec<bool> = (0..probs.len())
                .filter(|&i| probs[i] >= t)
                .map(|i| labels[i])
                .collect();
            let tp = chosen.iter().filter(|&&l| l).count() as f64;
            let recall = tp / total_pos;
            ap += (recall - prev_recall) * tp / chosen.len() as f64;
            prev_recall = recall;
        }
        ap
    }

    #[test]
    fn auc_matches_pairwise_count_with_ties() {
        for (seed, n) in [(1, 7), (2, 60), (3, 500), (4, 501)] {
            let (probs, labels) = tied_data(seed, n);
            // Both sides are one correctly rounded division of the same exact count of
            // half-pairs, so they agree to the last bit.
            assert_eq!(
                roc_auc(&probs, &labels).unwrap(),
                brute_auc(&probs, &labels),
                "n={n}"
            );
        }
    }

    #[test]
    fn auc_perfect_reversed_and_undefined() {
        let probs = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        let labels = [false, false, false, true, true, true];
        assert_eq!(roc_auc(&probs, &labels), Some(1.0));
        let reversed: Vec<bool> = labels.iter().map(|l| !l).collect();
        assert_eq!(roc_auc(&probs, &reversed), Some(0.0));
        assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Some(0.5));
        assert_eq!(roc_auc(&probs, &[true; 6]), None);
        assert_eq!(roc_auc(&[], &[]), None);
    }

    #[test]
    fn average_precision_matches_brute_force() {
        for (seed, n) in [(5, 9), (6, 300), (7, 1000)] {
            let (probs, labels) = tied_data(seed, n);
            // The two sums round differently (recall differences vs counts), hence 1e-12.
            assert_abs_diff_eq!(
                pr_auc(&probs, &labels).unwrap(),
                brute_ap(&probs, &labels),
                epsilon = 1e-12
            );
        }
    }

    #[test]
    fn average_precision_hand_worked() {
        // Converters at ranks 1, 3, 5: AP = (1/1 + 2/3 + 3/5) / 3 = 34/45.
        let probs = [0.9, 0.8, 0.7, 0.6, 0.5];
        let labels = [true, false, true, false, true];
        assert_abs_diff_eq!(
            pr_auc(&probs, &labels).unwrap(),
            34.0 / 45.0,
            epsilon = 1e-15
        );
        // The tie at 0.8 enters as one threshold: (1 + 2/3 + 3/4) / 3 = 29/36 (not 1 + 1 + 3/4).
        let probs = [0.9, 0.8, 0.8, 0.3];
        let labels = [true, true, false, true];
        assert_abs_diff_eq!(
            pr_auc(&probs, &labels).unwrap(),
            29.0 / 36.0,
            epsilon = 1e-15
        );
        assert_eq!(pr_auc(&probs, &[false; 4]), None);
    }

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

    #[test]
    fn gains_cumulate_and_random_lift_is_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let n = 20_000;
        let probs: Vec<f64> = (0..n).map(|_| rng.gen()).collect();
        let labels: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.2)).collect();
        let table = gains(&probs, &labels, 10);
        assert_eq!(table.len(), 10);
        let captured: Vec<f64> = table.iter().map(|r| r.captured_share.unwrap()).collect();
        assert!(captured.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(captured[9], 1.0);
        assert_eq!(table[9].leads_share, 1.0);
        assert_abs_diff_eq!(table[9].cumulative_lift.unwrap(), 1.0, epsilon = 1e-12);
        // A decile's rate has sd sqrt(0.2 * 0.8 / 2000) ~ 0.009, i.e. lift sd ~ 0.045; 0.25 is
        // over five sd.
        for row in &table {
            assert!((row.lift.unwrap() - 1.0).abs() < 0.25, "{row:?}");
        }
        assert!(table.windows(2).all(|w| w[0].min_score >= w[1].min_score));

        // An informative score must concentrate conversions at the top.
        let (probs, labels) = tied_data(22, 5000);
        let table = gains(&probs, &labels, 10);
        assert!(table[0].lift.unwrap() > 1.5 && table[9].lift.unwrap() < 0.6);
        assert_eq!(gains(&probs, &vec![false; 5000], 10)[0].lift, None);
    }

    #[test]
    fn threshold_table_recall_and_monotone_share() {
        let (probs, labels) = tied_data(31, 2000);
        let mut thresholds = vec![0.0];
        thresholds.extend(default_thresholds());
        thresholds.push(1.0);
        let table = threshold_table(&probs, &labels, &thresholds);
        assert_eq!(table[0].recall, Some(1.0));
        assert_eq!(table[0].handed_over, 2000);
        let shares: Vec<f64> = table.iter().map(|r| r.handed_over_share.unwrap()).collect();
        assert!(shares.windows(2).all(|w| w[0] >= w[1]));
        for row in &table {
            let chosen: Vec<usize> = (0..2000).filter(|&i| probs[i] >= row.threshold).collect();
            assert_eq!(row.handed_over, chosen.len());
            assert_eq!(
                row.conversions,
                chosen.iter().filter(|&&i| labels[i]).count()
            );
        }
        // The grid tops out at 0.95, so nothing is handed over at 1.
        assert_eq!(table.last().unwrap().precision, None);
        let defaults = default_thresholds();
        assert_eq!(
            (defaults.len(), defaults[0], defaults[1], defaults[18]),
            (19, 0.05, 0.1, 0.95)
        );
    }

    #[test]
    fn quantile_bands_have_equal_counts() {
        let mut rng = ChaCha8Rng::seed_from_u64(41);
        let train: Vec<f64> = (0..10_000).map(|_| rng.gen()).collect();
        let bands = ScoreBands::from_quantiles(&train, DEFAULT_BANDS).unwrap();
        assert_eq!(bands.labels(), ["A", "B", "C", "D"]);
        let labels: Vec<bool> = train.iter().map(|&p| rng.gen_bool(p)).collect();
        let table = band_table(&train, &labels, &bands);
        assert_eq!(table[0].band, "A");
        // Distinct scores and cuts strictly between order statistics: exactly 2500 per band.
        assert!(table.iter().all(|r| r.rows == 2500), "{table:?}");
        assert!(table.windows(2).all(|w| w[0].lower == w[1].upper));
        assert!(table[0].conversion_rate.unwrap() > table[3].conversion_rate.unwrap());

        // Heavy ties collapse coinciding cuts instead of leaving empty bands.
        let tied = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9];
        assert_eq!(ScoreBands::from_quantiles(&tied, 4).unwrap().len(), 2);
        assert!(ScoreBands::from_quantiles(&[], 4).is_err());
        assert!(ScoreBands::from_quantiles(&train, 1).is_err());
    }

    #[test]
    fn cut_bands_validate_and_break_ties_upward() {
        let bands = ScoreBands::from_cuts(vec![0.2, 0.5, 0.8]).unwrap();
        let got: Vec<&str> = [0.0, 0.1, 0.2, 0.49, 0.5, 0.8, 1.0]
            .iter()
            .map(|&s| bands.band_of(s))
            .collect();
        assert_eq!(got, ["D", "D", "C", "C", "B", "A", "A"]);
        let table = band_table(&[0.5], &[true], &bands);
        assert_eq!(
            (table[1].lower, table[1].upper, table[1].rows),
            (0.5, 0.8, 1)
        );
        assert_eq!((table[3].lower, table[0].upper), (0.0, 1.0));

        for bad in [
            vec![],
            vec![0.3, 0.2],
            vec![0.2, 0.2],
            vec![0.0, 0.5],
            vec![0.5, 1.0],
            vec![f64::NAN],
        ] {
            let err = ScoreBands::from_cuts(bad.clone()).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidParameter { name, .. } if name == "--bands"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn bands_round_trip_and_reject_inconsistent_json() {
        let bands = ScoreBands::from_cuts(vec![0.1, 0.4]).unwrap();
        let json = serde_json::to_string(&bands).unwrap();
        assert_eq!(serde_json::from_str::<ScoreBands>(&json).unwrap(), bands);
        let bad = r#"{"cuts":[0.1,0.4],"labels":["A","B"]}"#;
        assert!(serde_json::from_str::<ScoreBands>(bad).is_err());
    }

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

    /// Trapezoid area under curve points, in the order given.
    fn trapezoid(points: &[CurvePoint]) -> f64 {
        points
            .windows(2)
            .map(|w| (w[1].x - w[0].x) * (w[0].y + w[1].y) / 2.0)
            .sum()
    }

    /// Thinning 20,000 distinct scores to 200 ROC points replaces ~100 steps by one chord; on
    /// this data the area changes by 1.6e-5, so 1e-3 leaves ample room.
    const DOWNSAMPLED_AUC_TOL: f64 = 1e-3;

    #[test]
    fn roc_curve_spans_the_unit_square_and_its_area_is_roc_auc() {
        // Ties: the full curve has one point per distinct score plus the origin.
        let (probs, labels) = tied_data(61, 3000);
        let full = roc_curve(&probs, &labels, usize::MAX);
        assert_eq!(full.len(), 21);
        assert_eq!((full[0].x, full[0].y), (0.0, 0.0));
        assert_eq!((full[20].x, full[20].y), (1.0, 1.0));
        assert!(full[0].threshold > 0.95 && full[0].threshold < 0.95 + 1e-12);
        assert!(full
            .windows(2)
            .all(|w| w[0].x <= w[1].x && w[0].y <= w[1].y && w[0].threshold > w[1].threshold));
        assert_abs_diff_eq!(
            trapezoid(&full),
            roc_auc(&probs, &labels).unwrap(),
            epsilon = 1e-12
        );

        let mut rng = ChaCha8Rng::seed_from_u64(62);
        let probs: Vec<f64> = (0..20_000).map(|_| rng.gen()).collect();
        let labels: Vec<bool> = probs.iter().map(|&p| rng.gen_bool(p * p)).collect();
        let thin = roc_curve(&probs, &labels, DEFAULT_CURVE_POINTS);
        assert_eq!(thin.len(), DEFAULT_CURVE_POINTS);
        assert_eq!((thin[0].x, thin[0].y), (0.0, 0.0));
        assert_eq!((thin[199].x, thin[199].y), (1.0, 1.0));
        assert_abs_diff_eq!(
            trapezoid(&thin),
            roc_auc(&probs, &labels).unwrap(),
            epsilon = DOWNSAMPLED_AUC_TOL
        );
        assert_eq!(thin, roc_curve(&probs, &labels, DEFAULT_CURVE_POINTS));
    }

    #[test]
    fn pr_curve_ends_at_the_base_rate_and_its_step_area_is_average_precision() {
        let (probs, labels) = tied_data(63, 3000);
        let full = pr_curve(&probs, &labels, usize::MAX);
        assert_eq!(full.len(), 20);
        let last = full[full.len() - 1];
        let rate = labels.iter().filter(|&&l| l).count() as f64 / 3000.0;
        assert_eq!((last.x, last.threshold), (1.0, 0.0));
        assert_abs_diff_eq!(last.y, rate, epsilon = 1e-15);
        let mut prev_recall = 0.0;
        let mut ap = 0.0;
        for p in &full {
            assert!(p.x >= prev_recall && (0.0..=1.0).contains(&p.y));
            ap += (p.x - prev_recall) * p.y;
            prev_recall = p.x;
        }
        assert_abs_diff_eq!(ap, pr_auc(&probs, &labels).unwrap(), epsilon = 1e-12);

        let thin = pr_curve(&probs, &labels, 5);
        assert_eq!(thin.len(), 5);
        assert_eq!((thin[0], thin[4]), (full[0], last));
    }

    #[test]
    fn curves_are_empty_when_a_class_is_absent() {
        assert!(roc_curve(&[0.2, 0.4], &[true, true], 200).is_empty());
        assert!(roc_curve(&[0.2, 0.4], &[false, false], 200).is_empty());
        assert!(pr_curve(&[0.2, 0.4], &[false, false], 200).is_empty());
        assert_eq!(pr_curve(&[0.2, 0.4], &[true, true], 200).len(), 2);
        assert!(roc_curve(&[], &[], 200).is_empty() && pr_curve(&[], &[], 200).is_empty());
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

    #[test]
    #[should_panic(expected = "2 probabilities but 1 labels")]
    fn length_mismatch_panics() {
        roc_auc(&[0.1, 0.2], &[true]);
    }
}
