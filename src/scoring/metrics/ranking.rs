//! Ranking quality: how well the score orders converters above non-converters (ROC AUC, average
//! precision) and the curves behind them.

use serde::{Deserialize, Serialize};

use super::rows::{check_lengths, count_true, from_order_key, total_order_key, Ranked, ScoreOrder};

/// Area under the ROC curve: the probability that a random converter scores above a random
/// non-converter, ties counting one half (Mann-Whitney U with midranks). Exact, O(n log n).
/// `None` when either class is absent.
pub fn roc_auc(probs: &[f64], labels: &[bool]) -> Option<f64> {
    check_lengths(probs, labels);
    if probs.iter().any(|p| p.is_nan()) {
        // NaN rows rank by their bits and index; only the full ranking places them so.
        return roc_auc_ranked(&Ranked::sort(probs, labels, false));
    }
    roc_auc_by_class(probs, labels)
}

/// [`roc_auc`] where it could be far from one half: the exact value when
/// `max(auc, 1 - auc)` may exceed `strength`, `None` when a counting pass proves it does not
/// (or a class is absent). A screen for leaks over many columns: the counting pass (rows binned
/// by value into 4,096 equal-width bins, bounds from treating each bin's tied pairs as all
/// won or all lost) costs a fraction of the sort that the exact value needs.
pub fn roc_auc_beyond(probs: &[f64], labels: &[bool], strength: f64) -> Option<f64> {
    const BINS: usize = 4096;
    check_lengths(probs, labels);
    let (mut lo, mut hi, mut nan) = (f64::INFINITY, f64::NEG_INFINITY, false);
    for &p in probs {
        lo = lo.min(p);
        hi = hi.max(p);
        nan |= p.is_nan();
    }
    let span = hi - lo;
    if nan || !(span.is_finite() && span > 0.0) {
        // One value (AUC one half exactly), or values the bins cannot place: the exact rule.
        return roc_auc(probs, labels).filter(|a| a.max(1.0 - a) > strength);
    }
    let per = BINS as f64 / span;
    // Monotone in p (each rounding step is), so equal values share a bin and the bins keep the
    // order of the values.
    let bin = |p: f64| (((p - lo) * per) as usize).min(BINS - 1);
    // Per bin: negatives and positives, counted in four interleaved tables so that runs of
    // one value (a flag) do not wait on the same counter.
    let mut tables = vec![[0u32; 2 * BINS]; 4];
    let mut quads = probs.chunks_exact(4).zip(labels.chunks_exact(4));
    for (p, l) in &mut quads {
        for q in 0..4 {
            tables[q][2 * bin(p[q]) + usize::from(l[q])] += 1;
        }
    }
    let rest = probs.len() / 4 * 4;
    for (&p, &l) in probs[rest..].iter().zip(&labels[rest..]) {
        tables[0][2 * bin(p) + usize::from(l)] += 1;
    }
    let counts: Vec<[u64; 2]> = (0..BINS)
        .map(|b| [0, 1].map(|l| tables.iter().map(|t| u64::from(t[2 * b + l])).sum()))
        .collect();
    // Twice the Mann-Whitney U: a won pair counts 2, a tie 1; a pair inside a bin that holds
    // more than one value is anything from 0 to 2. `mixed` says which bins do.
    let tally = |mixed: &dyn Fn(usize) -> bool| {
        let (mut below_neg, mut twice_u, mut unknown) = (0u128, 0u128, 0u128);
        for (b, [neg, pos]) in counts.iter().enumerate() {
            let inside = u128::from(*pos) * u128::from(*neg);
            twice_u += 2 * u128::from(*pos) * below_neg;
            if inside > 0 && mixed(b) {
                unknown += 2 * inside;
            } else {
                twice_u += inside;
            }
            below_neg += u128::from(*neg);
        }
        (twice_u, unknown, 2 * below_neg)
    };
    let pos: u128 = counts.iter().map(|c| u128::from(c[1])).sum();
    let decided = |(twice_u, unknown, twice_neg): (u128, u128, u128)| -> Option<Option<f64>> {
        let pairs = pos * twice_neg;
        if pairs == 0 {
            return Some(None);
        }
        let (lo, hi) = (
            twice_u as f64 / pairs as f64,
            (twice_u + unknown) as f64 / pairs as f64,
        );
        if unknown == 0 {
            // Every bin with pairs holds one value: the same integers as the rank sum, so the
            // exact value.
            return Some((lo.max(1.0 - lo) > strength).then_some(lo));
        }
        (hi <= strength && 1.0 - lo <= strength).then_some(None)
    };
    // First as if every bin held several values: enough to rule out most columns.
    if let Some(auc) = decided(tally(&|_| true)) {
        return auc;
    }
    // A few distinct values (a flag, a count) share bins only with themselves: find which bins
    // hold one value.
    let mut first = vec![f64::NAN; BINS];
    let mut mixed = vec![false; BINS];
    for &p in probs {
        let b = bin(p);
        if first[b].is_nan() {
            first[b] = p;
        }
        mixed[b] |= first[b] != p;
    }
    if let Some(auc) = decided(tally(&|b| mixed[b])) {
        return auc;
    }
    roc_auc(probs, labels).filter(|a| a.max(1.0 - a) > strength)
}

/// [`roc_auc`] from rows ranked ascending.
pub(super) fn roc_auc_ranked(asc: &impl ScoreOrder) -> Option<f64> {
    let pos = asc.total_positives() as u128;
    let neg = asc.len() as u128 - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    // Midranks are half-integers; doubling them keeps the rank sum exact in integers.
    let (twice_rank_sum, _) = asc.fold_groups((0u128, 0usize), |(sum, start), g| {
        // 1-based ranks start + 1 ..= end share the midrank (start + 1 + end) / 2.
        let end = start + g.rows;
        (sum + g.positives as u128 * (start + 1 + end) as u128, end)
    });
    let twice_u = twice_rank_sum - pos * (pos + 1);
    Some(twice_u as f64 / (2 * pos * neg) as f64)
}

/// [`roc_auc`] without NaN: the rank sum needs only how many converters and non-converters
/// share each score, so each class's scores are sorted alone (plain keys, no row indices) and
/// the two sorted lists are walked together. The same integers as the midrank sum, so the
/// same value to the last bit.
fn roc_auc_by_class(probs: &[f64], labels: &[bool]) -> Option<f64> {
    use rayon::slice::ParallelSliceMut;
    let mut pos_keys: Vec<u64> = Vec::new();
    let mut neg_keys: Vec<u64> = Vec::new();
    for (&p, &l) in probs.iter().zip(labels) {
        if l {
            pos_keys.push(total_order_key(p));
        } else {
            neg_keys.push(total_order_key(p));
        }
    }
    let (pos, neg) = (pos_keys.len() as u128, neg_keys.len() as u128);
    if pos == 0 || neg == 0 {
        return None;
    }
    pos_keys.par_sort_unstable();
    neg_keys.par_sort_unstable();
    let value = |k: u64| from_order_key(k);
    let (mut i, mut j, mut below) = (0usize, 0usize, 0usize);
    let mut twice_rank_sum: u128 = 0;
    while i < pos_keys.len() || j < neg_keys.len() {
        // The group: every score `==` the smallest one left (-0.0 and 0.0 together).
        let first = match (pos_keys.get(i), neg_keys.get(j)) {
            (Some(&a), Some(&b)) => value(a.min(b)),
            (Some(&a), None) => value(a),
            (None, Some(&b)) => value(b),
            (None, None) => unreachable!("one list has keys left"),
        };
        let (i0, j0) = (i, j);
        while i < pos_keys.len() && value(pos_keys[i]) == first {
            i += 1;
        }
        while j < neg_keys.len() && value(neg_keys[j]) == first {
            j += 1;
        }
        let size = (i - i0) + (j - j0);
        twice_rank_sum += (i - i0) as u128 * (below + 1 + below + size) as u128;
        below += size;
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
    pr_auc_ranked(&Ranked::sort(probs, labels, true))
}

/// [`pr_auc`] from rows ranked descending.
pub(super) fn pr_auc_ranked(desc: &impl ScoreOrder) -> Option<f64> {
    let total_pos = desc.total_positives();
    if total_pos == 0 {
        return None;
    }
    let (sum, _, _) = desc.fold_groups((0.0, 0usize, 0usize), |(sum, tp, fp), g| {
        let new_tp = g.positives;
        let (tp, fp) = (tp + new_tp, fp + g.rows - new_tp);
        // R_k - R_{k-1} = new_tp / total_pos; the division is factored out of the sum.
        (sum + new_tp as f64 * (tp as f64 / (tp + fp) as f64), tp, fp)
    });
    Some(sum / total_pos as f64)
}

/// Most points [`evaluate`](super::evaluate) keeps per ROC or precision-recall curve: enough to
/// draw a smooth curve, few enough to keep the model file small.
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

/// `(threshold, true positives, false positives)` once tie group `g` has entered, highest
/// scores first.
fn counts_through(desc: &impl ScoreOrder, g: usize) -> (f64, usize, usize) {
    let (threshold, rows, tp) = desc.through_group(g);
    (threshold, tp, rows - tp)
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

/// Which of `m` curve points to keep: at most `max_points` (at least 2), evenly spaced by index,
/// always including the first and the last. Only the kept points are ever computed.
fn kept_points(m: usize, max_points: usize) -> Box<dyn Iterator<Item = usize>> {
    let k = max_points.max(2);
    if m <= k {
        return Box::new(0..m);
    }
    // i (m - 1) / (k - 1) is strictly increasing in i because m > k, so no point repeats.
    Box::new((0..k).map(move |i| i * (m - 1) / (k - 1)))
}

/// The ROC curve: false-positive rate `x` against true-positive rate `y` at each distinct score
/// taken as threshold, highest first, from `(0, 0)` (nobody handed over; its threshold is just
/// above the top score) to `(1, 1)`. Tied scores enter together, so the trapezoid area under the
/// full curve equals [`roc_auc`]. Thinned to at most `max_points` points (evenly spaced by
/// threshold rank, endpoints kept). Empty when either class is absent.
pub fn roc_curve(probs: &[f64], labels: &[bool], max_points: usize) -> Vec<CurvePoint> {
    check_lengths(probs, labels);
    if count_true(labels) == 0 || count_true(labels) == labels.len() {
        return Vec::new();
    }
    roc_curve_ranked(&Ranked::sort(probs, labels, true), max_points)
}

/// [`roc_curve`] from rows ranked descending.
pub(super) fn roc_curve_ranked(desc: &impl ScoreOrder, max_points: usize) -> Vec<CurvePoint> {
    let pos = desc.total_positives();
    let neg = desc.len() - pos;
    if pos == 0 || neg == 0 {
        return Vec::new();
    }
    kept_points(desc.group_count() + 1, max_points)
        .map(|i| {
            let (threshold, tp, fp) = match i.checked_sub(1) {
                Some(g) => counts_through(desc, g),
                // The origin: nobody handed over.
                None => (just_above(desc.score(0)), 0, 0),
            };
            CurvePoint {
                threshold,
                x: fp as f64 / neg as f64,
                y: tp as f64 / pos as f64,
            }
        })
        .collect()
}

/// The precision-recall curve: recall `x` against precision `y` at each distinct score taken as
/// threshold, highest first; the last point hands every lead over (recall 1, precision the base
/// rate). Every point is a real threshold: no artificial `(0, 1)` start. Thinned to at most
/// `max_points` points like [`roc_curve`]. Empty when nobody converted.
pub fn pr_curve(probs: &[f64], labels: &[bool], max_points: usize) -> Vec<CurvePoint> {
    check_lengths(probs, labels);
    if count_true(labels) == 0 {
        return Vec::new();
    }
    pr_curve_ranked(&Ranked::sort(probs, labels, true), max_points)
}

/// [`pr_curve`] from rows ranked descending.
pub(super) fn pr_curve_ranked(desc: &impl ScoreOrder, max_points: usize) -> Vec<CurvePoint> {
    let pos = desc.total_positives();
    if pos == 0 {
        return Vec::new();
    }
    kept_points(desc.group_count(), max_points)
        .map(|g| {
            let (threshold, tp, fp) = counts_through(desc, g);
            CurvePoint {
                threshold,
                x: tp as f64 / pos as f64,
                y: tp as f64 / (tp + fp) as f64,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_leak_screen_gives_the_exact_auc_whenever_it_is_beyond_the_strength() {
        // Columns from noise to a near-perfect separator, with ties (rounded values), an
        // outlier that squeezes the bins, and a reversed direction: the screen must return the
        // exact AUC exactly when its strength exceeds 0.95, and skip the rest.
        let n = 20_000;
        let labels: Vec<bool> = (0..n).map(|i| (i * 7919) % 10 < 3).collect();
        let mut seen = [0usize; 2];
        for signal in [0.0, 0.5, 1.0, 2.0, 3.0, 3.3, 3.5, 4.0, 6.0] {
            for (round, outlier, flip) in [
                (false, false, false),
                (true, false, true),
                (false, true, false),
            ] {
                let mut probs: Vec<f64> = (0..n)
                    .map(|i| {
                        let noise = ((i as f64 * 0.618_033_988_7).fract() - 0.5) * 2.0;
                        let v = noise + if labels[i] { signal } else { 0.0 };
                        let v = if round { (v * 10.0).round() / 10.0 } else { v };
                        if flip {
                            -v
                        } else {
                            v
                        }
                    })
                    .collect();
                if outlier {
                    probs[5] = 1e9;
                }
                let exact = roc_auc(&probs, &labels).unwrap();
                let strong = exact.max(1.0 - exact) > 0.95;
                let got = roc_auc_beyond(&probs, &labels, 0.95);
                assert_eq!(
                    got,
                    strong.then_some(exact),
                    "signal {signal}, exact {exact}"
                );
                seen[usize::from(strong)] += 1;
            }
        }
        assert!(
            seen[0] > 3 && seen[1] > 3,
            "both kinds were tried: {seen:?}"
        );
        // A few distinct values (a flag, a count): the bins give the exact value themselves.
        for cut in [1, 3, 9] {
            let probs: Vec<f64> = (0..n)
                .map(|i| f64::from(u8::from(labels[i] != (i % 100 < cut))))
                .collect();
            let exact = roc_auc(&probs, &labels).unwrap();
            let got = roc_auc_beyond(&probs, &labels, 0.95);
            assert_eq!(
                got.map(f64::to_bits),
                (exact.max(1.0 - exact) > 0.95).then_some(exact.to_bits()),
                "{cut}"
            );
        }
        assert_eq!(roc_auc_beyond(&[1.0, 1.0], &[true, false], 0.95), None);
        assert_eq!(roc_auc_beyond(&[1.0, 2.0], &[true, true], 0.95), None);
    }

    use super::super::tied_data;
    use super::*;
    use approx::assert_abs_diff_eq;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

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
    fn thinned_curves_keep_the_full_curves_points_at_even_ranks() {
        // Only the kept points are computed: they must be the full curve's points at ranks
        // i (m - 1) / (k - 1), ties included.
        let mut rng = ChaCha8Rng::seed_from_u64(65);
        let probs: Vec<f64> = (0..5000)
            .map(|i| {
                if i % 2 == 0 {
                    rng.gen()
                } else {
                    f64::from(rng.gen_range(0..30u32)) / 30.0
                }
            })
            .collect();
        let labels: Vec<bool> = probs.iter().map(|&p| rng.gen_bool(p)).collect();
        for (full, thin) in [
            (
                roc_curve(&probs, &labels, usize::MAX),
                roc_curve(&probs, &labels, 37),
            ),
            (
                pr_curve(&probs, &labels, usize::MAX),
                pr_curve(&probs, &labels, 37),
            ),
        ] {
            let m = full.len();
            assert!(m > 2000, "{m} points");
            let want: Vec<CurvePoint> = (0..37).map(|i| full[i * (m - 1) / 36]).collect();
            assert_eq!(thin, want);
        }
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
    #[should_panic(expected = "2 probabilities but 1 labels")]
    fn length_mismatch_panics() {
        roc_auc(&[0.1, 0.2], &[true]);
    }
}
