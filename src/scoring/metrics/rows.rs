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

/// Row indices ordered by score (the reference [`Ranked`] is tested against). The sort is stable, so tied rows keep their input order: that is
/// the documented tie rule wherever rows must be cut into equal-count groups.
///
/// Sorted as `(key, index)` pairs, `key` a `u64` in [`f64::total_cmp`] order (flipped for
/// `descending`), with an unstable sort: the index breaks ties, so the order is exactly the
/// stable sort's, at a fraction of the cost of comparing through the indices (the pairs are
/// read in memory order instead of the scores at random). Measured against a 16-bit LSD radix
/// sort, which was slower on half a million scores: its scatter reads the keys at random.
#[cfg(test)]
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

/// What every table asks of rows in score order (one direction), whichever way they were
/// ranked: [`Ranked`] (every row in its place; the reference, and the path for NaN scores) or
/// a view of [`Runs`](super::runs::Runs) (each distinct score once). The metrics are written
/// once against this, so both give the same numbers by construction wherever the two agree on
/// these few answers, which their tests check.
pub(super) trait ScoreOrder {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Converters among all rows.
    fn total_positives(&self) -> usize;
    /// The score at position `i`.
    fn score(&self, i: usize) -> f64;
    /// The scores at positions `range` added one by one in position order (as
    /// `scores[range].iter().sum()`), so that the sum is the same to the last bit.
    fn score_sum(&self, range: Range<usize>) -> f64;
    /// Converters among positions `..x`, for each `x` of `cuts` (each at most [`len`](Self::len)).
    fn positives_before(&self, cuts: &[usize]) -> Vec<usize>;
    /// Folds `f` over the tie groups (runs of `==` scores) in position order. Internal
    /// iteration, so that a walk over a million groups is a tight loop.
    fn fold_groups<B>(&self, init: B, f: impl FnMut(B, Group) -> B) -> B;
    /// Number of tie groups.
    fn group_count(&self) -> usize;
    /// Tie group `g` (below [`group_count`](Self::group_count)) as a curve needs it: the
    /// score at its first position, and the rows and converters in groups `..=g`.
    fn through_group(&self, g: usize) -> (f64, usize, usize);
    /// Rows scoring `>= threshold` and the converters among them. For a descending order
    /// (those rows are a prefix); NaN scores give unspecified counts.
    fn at_least(&self, threshold: f64) -> (usize, usize);
}

/// One tie group of a [`ScoreOrder`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Group {
    /// The score at the group's first position.
    pub score: f64,
    pub rows: usize,
    pub positives: usize,
}

/// Rows ranked by score once, for every metric of one evaluation: the order, and the scores
/// and outcomes read along it (so later passes are sequential), and the tie groups. Built by
/// one sort ([`Ranked::sort`]); the opposite direction follows from it without sorting again
/// ([`Ranked::reversed`]), so an evaluation sorts its scores once instead of once per table.
/// The general path: [`Runs`](super::runs::Runs) is faster, but leaves NaN scores to this.
pub(super) struct Ranked {
    /// Row indices in score order; tied rows in input order (the stable sort's order).
    pub order: Vec<usize>,
    /// `probs[order[i]]`.
    pub scores: Vec<f64>,
    /// Ranges of positions that share one score (`==`), as [`tie_groups`] gives them.
    pub groups: Vec<Range<usize>>,
    /// Converters among positions `..i` (length `n + 1`).
    pub cum_pos: Vec<usize>,
    /// Highest scores first.
    pub descending: bool,
}

impl Ranked {
    /// Ranks the rows ascending or `descending`, exactly as [`sorted_order`] orders them. The
    /// sort runs in parallel: the keys are distinct (the index breaks ties), so the result is
    /// the same for any number of threads.
    pub fn sort(probs: &[f64], labels: &[bool], descending: bool) -> Ranked {
        use rayon::slice::ParallelSliceMut;
        check_lengths(probs, labels);
        let flip = if descending { u64::MAX } else { 0 };
        let mut keyed: Vec<(u64, usize)> = probs
            .iter()
            .enumerate()
            .map(|(i, &p)| (total_order_key(p) ^ flip, i))
            .collect();
        keyed.par_sort_unstable();
        let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
        Ranked::from_order(order, probs, labels, descending)
    }

    fn from_order(order: Vec<usize>, probs: &[f64], labels: &[bool], descending: bool) -> Ranked {
        let scores: Vec<f64> = order.iter().map(|&i| probs[i]).collect();
        let mut groups = Vec::new();
        let mut start = 0;
        for end in 1..=scores.len() {
            if end == scores.len() || scores[end] != scores[start] {
                groups.push(start..end);
                start = end;
            }
        }
        let mut cum_pos = Vec::with_capacity(order.len() + 1);
        cum_pos.push(0usize);
        for &i in &order {
            cum_pos.push(cum_pos[cum_pos.len() - 1] + usize::from(labels[i]));
        }
        Ranked {
            order,
            scores,
            groups,
            cum_pos,
            descending,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Converters among positions `range`.
    pub fn positives(&self, range: &Range<usize>) -> usize {
        self.cum_pos[range.end] - self.cum_pos[range.start]
    }

    /// The same rows ranked the other way, as [`Ranked::sort`] would rank them: runs of
    /// bit-identical scores (whose rows are in input order either way) in reverse order. Ties
    /// by `==` that are not bit-identical (`-0.0` and `0.0`) are separate runs, so they swap
    /// places as a sort would have put them. `probs` and `labels` are the rows ranked.
    pub fn reversed(&self, probs: &[f64], labels: &[bool]) -> Ranked {
        let n = self.len();
        let mut order = Vec::with_capacity(n);
        let mut end = n;
        while end > 0 {
            let bits = self.scores[end - 1].to_bits();
            let mut start = end - 1;
            while start > 0 && self.scores[start - 1].to_bits() == bits {
                start -= 1;
            }
            order.extend_from_slice(&self.order[start..end]);
            end = start;
        }
        Ranked::from_order(order, probs, labels, !self.descending)
    }
}

impl ScoreOrder for Ranked {
    fn len(&self) -> usize {
        self.order.len()
    }

    fn total_positives(&self) -> usize {
        self.cum_pos[self.order.len()]
    }

    fn score(&self, i: usize) -> f64 {
        self.scores[i]
    }

    fn score_sum(&self, range: Range<usize>) -> f64 {
        self.scores[range].iter().sum()
    }

    fn positives_before(&self, cuts: &[usize]) -> Vec<usize> {
        cuts.iter().map(|&x| self.cum_pos[x]).collect()
    }

    fn fold_groups<B>(&self, init: B, mut f: impl FnMut(B, Group) -> B) -> B {
        self.groups.iter().fold(init, |acc, g| {
            let group = Group {
                score: self.scores[g.start],
                rows: g.len(),
                positives: self.positives(g),
            };
            f(acc, group)
        })
    }

    fn group_count(&self) -> usize {
        self.groups.len()
    }

    fn through_group(&self, g: usize) -> (f64, usize, usize) {
        let group = &self.groups[g];
        (self.scores[group.start], group.end, self.cum_pos[group.end])
    }

    fn at_least(&self, threshold: f64) -> (usize, usize) {
        assert!(self.descending, "at_least needs rows ranked descending");
        let k = self.scores.partition_point(|&s| s >= threshold);
        (k, self.cum_pos[k])
    }
}

/// A `u64` whose unsigned order is [`f64::total_cmp`]'s: negative values have every bit
/// flipped, others only the sign bit.
pub(super) fn total_order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The `f64` whose [`total_order_key`] is `k`.
pub(super) fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Ranges of positions in `order` that share one score.
#[cfg(test)]
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
#[cfg(test)]
pub(super) fn positives_in(rows: &[usize], labels: &[bool]) -> usize {
    rows.iter().filter(|&&i| labels[i]).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranked_rows_and_their_reversal_are_the_sorts() {
        let probs = [
            0.5, -0.0, 0.0, 0.25, 0.5, -1.0, 0.25, 0.0, -0.0, 0.5, -1.0, 0.7,
        ];
        let labels: Vec<bool> = (0..probs.len()).map(|i| i % 3 == 0).collect();
        for descending in [false, true] {
            let r = Ranked::sort(&probs, &labels, descending);
            assert_eq!(r.order, sorted_order(&probs, descending));
            assert_eq!(r.groups, tie_groups(&r.order, &probs));
            let back = r.reversed(&probs, &labels);
            assert_eq!(
                back.order,
                sorted_order(&probs, !descending),
                "{descending}"
            );
            assert_eq!(back.groups, tie_groups(&back.order, &probs));
            for g in &back.groups {
                assert_eq!(
                    back.positives(g),
                    positives_in(&back.order[g.clone()], &labels)
                );
            }
            assert!(back
                .scores
                .iter()
                .zip(&back.order)
                .all(|(s, &i)| s.to_bits() == probs[i].to_bits()));
        }
    }

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
