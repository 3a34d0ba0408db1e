//! Counting and ordering rows: the helpers every metric shares, and the one tie rule (a stable
//! sort keeps tied rows in input order).

use std::ops::Range;

/// Panics unless there is one label per probability (a programming error, see the module docs).
pub(super) fn check_lengths(probs: &[f64], labels: &[bool]) {
    assert_eq!(
        probs.len(),
        labels.len(),
        "metrics: {} probabilities but {} labels",
        probs.len(),
        labels.len()
    );
}

/// `num / den`, `None` for an empty denominator.
pub(super) fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Number of converters.
pub(super) fn count_true(labels: &[bool]) -> usize {
    labels.iter().filter(|&&l| l).count()
}

/// Row indices ordered by score. The sort is stable, so tied rows keep their input order: that is
/// the documented tie rule wherever rows must be cut into equal-count groups.
pub(super) fn sorted_order(probs: &[f64], descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    if descending {
        order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
    } else {
        order.sort_by(|&a, &b| probs[a].total_cmp(&probs[b]));
    }
    order
}

/// Ranges of positions in `order` that share one score.
pub(super) fn tie_groups(order: &[usize], probs: &[f64]) -> Vec<Range<usize>> {
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
pub(super) fn equal_count_groups(n: usize, groups: usize) -> impl Iterator<Item = Range<usize>> {
    (0..groups).map(move |g| g * n / groups..(g + 1) * n / groups)
}

/// Converters among the rows at `rows`.
pub(super) fn positives_in(rows: &[usize], labels: &[bool]) -> usize {
    rows.iter().filter(|&&i| labels[i]).count()
}
