//! Handover policies read off a score: cumulative gains and lift by equal-count groups, and what
//! "hand over every lead scoring at least t" would have done at each threshold.

use serde::{Deserialize, Serialize};

use super::rows::{check_lengths, equal_count_groups, ratio, Ranked, ScoreOrder};

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
/// Ties keep their input order (stable sort), as in [`calibration`](super::calibration);
/// `groups` is clamped to `1..=n`. Empty for no rows.
pub fn gains(probs: &[f64], labels: &[bool], groups: usize) -> Vec<GainsRow> {
    check_lengths(probs, labels);
    gains_ranked(&Ranked::sort(probs, labels, true), groups)
}

/// [`gains`] from rows ranked descending.
pub(super) fn gains_ranked(desc: &impl ScoreOrder, groups: usize) -> Vec<GainsRow> {
    let n = desc.len();
    if n == 0 {
        return Vec::new();
    }
    let total_pos = desc.total_positives();
    let overall_rate = total_pos as f64 / n as f64;
    let lift_of = |rate: f64| (total_pos > 0).then(|| rate / overall_rate);
    let ranges: Vec<_> = equal_count_groups(n, groups.clamp(1, n)).collect();
    let edges: Vec<usize> = std::iter::once(0)
        .chain(ranges.iter().map(|r| r.end))
        .collect();
    let above = desc.positives_before(&edges);
    let (mut cum_rows, mut cum_conv) = (0usize, 0usize);
    let mut out = Vec::new();
    for (g, range) in ranges.into_iter().enumerate() {
        let rows = range.len();
        let conversions = above[g + 1] - above[g];
        cum_rows += rows;
        cum_conv += conversions;
        let conversion_rate = conversions as f64 / rows as f64;
        out.push(GainsRow {
            decile: g + 1,
            rows,
            min_score: desc.score(range.end - 1),
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
    threshold_table_ranked(&Ranked::sort(probs, labels, true), thresholds)
}

/// [`threshold_table`] from rows ranked descending.
pub(super) fn threshold_table_ranked(
    desc: &impl ScoreOrder,
    thresholds: &[f64],
) -> Vec<ThresholdRow> {
    let n = desc.len();
    // Each threshold is one binary search.
    let total_pos = desc.total_positives();
    thresholds
        .iter()
        .map(|&threshold| {
            let (handed_over, conversions) = desc.at_least(threshold);
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

#[cfg(test)]
mod tests {
    use super::super::tied_data;
    use super::*;
    use approx::assert_abs_diff_eq;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

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
}
