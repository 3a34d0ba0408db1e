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
///
/// Sorted as `(key, index)` pairs, `key` a `u64` in [`f64::total_cmp`] order (flipped for
/// `descending`), with an unstable sort: the index breaks ties, so the order is exactly the
/// stable sort's, at a fraction of the cost of comparing through the indices (the pairs are
/// read in memory order instead of the scores at random). Measured against a 16-bit LSD radix
/// sort, which was slower on half a million scores: its scatter reads the keys at random.
pub(super) fn sorted_order(probs: &[f64], descending: bool) -> Vec<usize> {
    let flip = if descending { u64::MAX } else { 0 };
    let mut keyed: Vec<(u64, usize)> = probs
        .iter()
        .enumerate()
        .map(|(i, &p)| (total_order_key(p) ^ flip, i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// A `u64` whose unsigned order is [`f64::total_cmp`]'s: negative values have every bit
/// flipped, others only the sign bit.
fn total_order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_order_is_the_stable_sort() {
        // Many ties and values that differ in every 16-bit digit of their keys.
        let many: Vec<f64> = (0..5000u64)
            .map(|i| ((i * 7919) % 613) as f64 / 613.0 + if i % 3 == 0 { 1e-300 } else { 0.0 })
            .collect();
        for descending in [false, true] {
            let mut want: Vec<usize> = (0..many.len()).collect();
            if descending {
                want.sort_by(|&a, &b| many[b].total_cmp(&many[a]));
            } else {
                want.sort_by(|&a, &b| many[a].total_cmp(&many[b]));
            }
            assert_eq!(sorted_order(&many, descending), want, "{descending}");
        }
        assert!(sorted_order(&[], false).is_empty());
        let probs = [
            0.5,
            -0.0,
            0.0,
            0.25,
            0.5,
            f64::NEG_INFINITY,
            -1.0,
            0.25,
            f64::INFINITY,
            0.5,
            -1.0,
        ];
        for descending in [false, true] {
            let mut want: Vec<usize> = (0..probs.len()).collect();
            if descending {
                want.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
            } else {
                want.sort_by(|&a, &b| probs[a].total_cmp(&probs[b]));
            }
            assert_eq!(sorted_order(&probs, descending), want, "{descending}");
        }
    }
}
