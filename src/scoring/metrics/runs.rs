//! Rows grouped by score, the fast way to rank them for an evaluation: each distinct score once
//! (a run of bit-identical scores), ascending, with how many rows and converters score at most
//! it. Every table reads a ranking through the same few questions ([`ScoreOrder`]), and runs
//! answer them without a row index per row:
//!
//! * tie groups, sums of scores and the score at a position depend only on the scores in
//!   position order, which the runs hold in full;
//! * converters among the top (or bottom) `x` rows are the runs' counts, except where `x` cuts
//!   a run: the tie rule puts a run's rows in input order either way, so the cut takes its first
//!   rows in input order, counted by one pass over the rows for all such cuts together.
//!
//! Built from one sort of plain `u64` keys per class (8 bytes a row, no indices), against the
//! 16-byte `(key, index)` pairs, the gathers and the per-row arrays of [`Ranked`], which stays
//! as the reference and for NaN scores (each NaN row is a tie group of its own there).
//!
//! [`Ranked`]: super::rows::Ranked

use std::ops::Range;

use super::rows::{count_true, from_order_key, total_order_key, Group, ScoreOrder};

/// The largest key, a NaN's, which never names a run (NaN scores are left to `Ranked`).
const SENTINEL: u64 = u64::MAX;

/// One distinct score: its [`total_order_key`], and the rows and converters scoring at most it.
/// `u32` counts keep a run at 16 bytes; [`Runs::new`] declines more rows than they count.
#[derive(Debug, Clone, Copy)]
struct Run {
    key: u64,
    rows: u32,
    positives: u32,
}

/// The rows of one evaluation grouped by score; see the module docs. Read through
/// [`Runs::ascending`] and [`Runs::descending`].
pub(super) struct Runs<'a> {
    runs: Vec<Run>,
    probs: &'a [f64],
    labels: &'a [bool],
    /// The index of the `-0.0` run when a `0.0` run follows it: the two are one tie group
    /// (the only scores `==` without being one run, as there is no NaN).
    signed_zeros: Option<usize>,
}

impl<'a> Runs<'a> {
    /// The runs of `probs`, or `None` when a score is NaN or there are more rows than a `u32`
    /// counts (the cases left to [`Ranked`](super::rows::Ranked)). The two sorts run in
    /// parallel; sorted keys are the same whoever sorts them, so results do not depend on the
    /// number of threads.
    pub fn new(probs: &'a [f64], labels: &'a [bool]) -> Option<Runs<'a>> {
        use rayon::slice::ParallelSliceMut;
        super::rows::check_lengths(probs, labels);
        if u32::try_from(probs.len()).is_err() {
            return None;
        }
        let positives = count_true(labels);
        let negatives = probs.len() - positives;
        // Each list has one slot more, for the sentinel it ends with (which also takes the
        // other class's writes below once the list is full).
        let (mut pos, mut neg) = (vec![0u64; positives + 1], vec![0u64; negatives + 1]);
        let (mut i, mut j, mut nan) = (0, 0, false);
        for (&p, &l) in probs.iter().zip(labels) {
            // Both lists take the key; only the row's class moves on (no branch on the label).
            let key = total_order_key(p);
            nan |= p.is_nan();
            pos[i] = key;
            neg[j] = key;
            i += usize::from(l);
            j += usize::from(!l);
        }
        if nan {
            return None;
        }
        rayon::join(
            || pos[..positives].par_sort_unstable(),
            || neg[..negatives].par_sort_unstable(),
        );
        // A NaN's key ends each list, so the scans below stop without bounds checks of their own.
        pos[positives] = SENTINEL;
        neg[negatives] = SENTINEL;
        // At most one run per row; pages the runs do not reach are never touched.
        let mut runs = Vec::with_capacity(probs.len());
        let (mut i, mut j) = (0, 0);
        while i < positives || j < negatives {
            let key = pos[i].min(neg[j]);
            // Most runs hold one row: step past it without a branch, then finish a longer run.
            i += usize::from(pos[i] == key);
            j += usize::from(neg[j] == key);
            while pos[i] == key {
                i += 1;
            }
            while neg[j] == key {
                j += 1;
            }
            // Both fit: the totals are at most the row count, checked above.
            runs.push(Run {
                key,
                rows: (i + j) as u32,
                positives: i as u32,
            });
        }
        let find = |x: f64| runs.binary_search_by_key(&total_order_key(x), |r| r.key);
        let signed_zeros = match (find(-0.0), find(0.0)) {
            (Ok(z), Ok(_)) => Some(z),
            _ => None,
        };
        Some(Runs {
            runs,
            probs,
            labels,
            signed_zeros,
        })
    }

    /// Rows ranked lowest score first.
    pub fn ascending(&self) -> View<'_, 'a> {
        View {
            runs: self,
            descending: false,
        }
    }

    /// Rows ranked highest score first.
    pub fn descending(&self) -> View<'_, 'a> {
        View {
            runs: self,
            descending: true,
        }
    }

    fn n(&self) -> usize {
        self.probs.len()
    }

    fn value(&self, r: usize) -> f64 {
        from_order_key(self.runs[r].key)
    }

    /// Rows and converters in runs `..r`.
    fn before(&self, r: usize) -> (usize, usize) {
        match r.checked_sub(1) {
            Some(q) => (self.runs[q].rows as usize, self.runs[q].positives as usize),
            None => (0, 0),
        }
    }

    /// The run holding ascending position `x` (below the row count).
    fn run_at(&self, x: usize) -> usize {
        self.runs.partition_point(|r| r.rows as usize <= x)
    }

    /// For each `(run, m)`, the converters among the run's first `m` rows in input order
    /// (`0 < m <` the run's rows): one pass over the rows, stopped once every count is known.
    fn first_positives(&self, wanted: &[(usize, usize)]) -> Vec<usize> {
        let mut out = vec![0; wanted.len()];
        if wanted.is_empty() {
            return out;
        }
        // By key then by m, so each key's counts are resolved in the order the pass meets them.
        let mut order: Vec<usize> = (0..wanted.len()).collect();
        order.sort_unstable_by_key(|&w| (self.runs[wanted[w].0].key, wanted[w].1));
        let mut keys: Vec<u64> = order.iter().map(|&w| self.runs[wanted[w].0].key).collect();
        keys.dedup();
        // Per key: where its wants start in `order`, rows of it seen, converters seen.
        let mut next = vec![0usize; keys.len()];
        let mut k = 0;
        for (at, &w) in order.iter().enumerate() {
            if self.runs[wanted[w].0].key != keys[k] {
                k += 1;
                next[k] = at;
            }
        }
        let ends: Vec<usize> = next[1..].iter().copied().chain([order.len()]).collect();
        // Per key, and one slot more for rows of no key: rows seen, converters seen, and the
        // row count at which the next want is met (never, once all are).
        let slots = keys.len() + 1;
        let (mut seen, mut pos) = (vec![0usize; slots], vec![0usize; slots]);
        let mut target: Vec<usize> = (0..keys.len())
            .map(|u| wanted[order[next[u]]].1)
            .chain([usize::MAX])
            .collect();
        // The few values an evaluation's cuts fall in are compared all at once (no branch per
        // value); many are searched.
        let few = keys.len() <= 16;
        let slot = |key: u64| -> usize {
            if few {
                let mut hit = keys.len();
                for (u, &k) in keys.iter().enumerate() {
                    if k == key {
                        hit = u;
                    }
                }
                hit
            } else {
                keys.binary_search(&key).unwrap_or(keys.len())
            }
        };
        let mut left = wanted.len();
        for (&p, &l) in self.probs.iter().zip(self.labels) {
            let u = slot(total_order_key(p));
            seen[u] += 1;
            pos[u] += usize::from(l);
            if seen[u] == target[u] {
                while next[u] < ends[u] && wanted[order[next[u]]].1 == seen[u] {
                    out[order[next[u]]] = pos[u];
                    next[u] += 1;
                    left -= 1;
                }
                target[u] = if next[u] < ends[u] {
                    wanted[order[next[u]]].1
                } else {
                    usize::MAX
                };
                if left == 0 {
                    break;
                }
            }
        }
        assert_eq!(left, 0, "every cut lies inside its run");
        out
    }
}

/// [`Runs`] read in one direction, as a [`ScoreOrder`].
pub(super) struct View<'r, 'a> {
    runs: &'r Runs<'a>,
    descending: bool,
}

impl View<'_, '_> {
    /// The run holding position `i` of this direction.
    fn locate(&self, i: usize) -> usize {
        let n = self.runs.n();
        self.runs
            .run_at(if self.descending { n - 1 - i } else { i })
    }

    /// `(score, rows)` of the runs covering positions `range`, in position order.
    fn pieces(&self, range: Range<usize>) -> impl Iterator<Item = (f64, usize)> + '_ {
        let runs = self.runs;
        let n = runs.n();
        // The range's ascending positions, to clip the runs at its ends.
        let (lo, hi) = if self.descending {
            (n - range.end, n - range.start)
        } else {
            (range.start, range.end)
        };
        let (first, count) = if range.is_empty() {
            (0, 0)
        } else {
            let (a, b) = (self.locate(range.start), self.locate(range.end - 1));
            (a, a.abs_diff(b) + 1)
        };
        let descending = self.descending;
        (0..count).map(move |t| {
            let r = if descending { first - t } else { first + t };
            let (start, _) = runs.before(r);
            let end = runs.runs[r].rows as usize;
            (runs.value(r), end.min(hi) - start.max(lo))
        })
    }

    /// The runs of tie group `g` in this direction, as ascending run indices: `(first, last)`
    /// in this direction's order.
    fn group_runs(&self, g: usize) -> (usize, usize) {
        let count = self.runs.runs.len();
        // In this direction's run order: the joined pair's first run, if any.
        let pair = self
            .runs
            .signed_zeros
            .map(|z| if self.descending { count - 2 - z } else { z });
        let (first, last) = match pair {
            Some(p) if g == p => (g, g + 1),
            Some(p) if g > p => (g + 1, g + 1),
            _ => (g, g),
        };
        let asc = |d: usize| if self.descending { count - 1 - d } else { d };
        (asc(first), asc(last))
    }
}

impl ScoreOrder for View<'_, '_> {
    fn len(&self) -> usize {
        self.runs.n()
    }

    fn total_positives(&self) -> usize {
        self.runs.runs.last().map_or(0, |r| r.positives as usize)
    }

    fn score(&self, i: usize) -> f64 {
        self.runs.value(self.locate(i))
    }

    fn score_sum(&self, range: Range<usize>) -> f64 {
        self.pieces(range)
            .flat_map(|(v, k)| std::iter::repeat(v).take(k))
            .sum()
    }

    fn positives_before(&self, cuts: &[usize]) -> Vec<usize> {
        let (n, total) = (self.len(), self.total_positives());
        let runs = self.runs;
        let mut out = vec![0; cuts.len()];
        // Cuts inside a run: (slot, run, rows of the run taken, converters outside the run).
        let mut inside = Vec::new();
        for (slot, &x) in cuts.iter().enumerate() {
            assert!(x <= n, "cut {x} beyond {n} rows");
            if x == 0 || x == n {
                out[slot] = if x == 0 { 0 } else { total };
                continue;
            }
            // The first ascending position after the cut.
            let a = if self.descending { n - x } else { x };
            let r = runs.run_at(a);
            let (start, below) = runs.before(r);
            let (end, through) = (runs.runs[r].rows as usize, runs.runs[r].positives as usize);
            match (self.descending, start == a) {
                (false, true) => out[slot] = below,
                (true, true) => out[slot] = total - below,
                // Either way the cut takes the run's first rows in input order.
                (false, false) => inside.push((slot, r, a - start, below)),
                (true, false) => inside.push((slot, r, end - a, total - through)),
            }
        }
        let wanted: Vec<(usize, usize)> = inside.iter().map(|&(_, r, m, _)| (r, m)).collect();
        for (&(slot, _, _, outside), first) in inside.iter().zip(runs.first_positives(&wanted)) {
            out[slot] = outside + first;
        }
        out
    }

    fn fold_groups<B>(&self, init: B, mut f: impl FnMut(B, Group) -> B) -> B {
        let runs = &self.runs.runs;
        let of = |r: usize, (rows, positives): (u32, u32)| Group {
            score: from_order_key(runs[r].key),
            rows: (runs[r].rows - rows) as usize,
            positives: (runs[r].positives - positives) as usize,
        };
        let below = |r: usize| match r.checked_sub(1) {
            Some(q) => (runs[q].rows, runs[q].positives),
            None => (0, 0),
        };
        if self.runs.signed_zeros.is_none() {
            // One group per run: the common case, as a tight loop.
            return if self.descending {
                (0..runs.len())
                    .rev()
                    .fold(init, |acc, r| f(acc, of(r, below(r))))
            } else {
                let mut prev = (0, 0);
                runs.iter().enumerate().fold(init, |acc, (r, run)| {
                    let group = of(r, prev);
                    prev = (run.rows, run.positives);
                    f(acc, group)
                })
            };
        }
        // -0.0 and 0.0 join: the group is the pair's counts with the score of the first run
        // in this direction.
        let mut acc = init;
        for g in 0..self.group_count() {
            let (first, last) = self.group_runs(g);
            let (lo, hi) = (first.min(last), first.max(last));
            let (rows, positives) = below(lo);
            let group = Group {
                score: from_order_key(runs[first].key),
                rows: (runs[hi].rows - rows) as usize,
                positives: (runs[hi].positives - positives) as usize,
            };
            acc = f(acc, group);
        }
        acc
    }

    fn group_count(&self) -> usize {
        self.runs.runs.len() - usize::from(self.runs.signed_zeros.is_some())
    }

    fn through_group(&self, g: usize) -> (f64, usize, usize) {
        let (first, last) = self.group_runs(g);
        let score = self.runs.value(first);
        if self.descending {
            // Groups ..=g are the runs from `last` up.
            let (rows, pos) = self.runs.before(last);
            (score, self.len() - rows, self.total_positives() - pos)
        } else {
            let run = self.runs.runs[last];
            (score, run.rows as usize, run.positives as usize)
        }
    }

    // `!(score >= threshold)` is the complement of the full ranking's test, a NaN threshold
    // (nobody handed over) included; `score < threshold` would hand everybody over.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    fn at_least(&self, threshold: f64) -> (usize, usize) {
        // Runs scoring below the threshold come first (every score is a number).
        let r = self
            .runs
            .runs
            .partition_point(|run| !(from_order_key(run.key) >= threshold));
        let (rows, pos) = self.runs.before(r);
        (self.len() - rows, self.total_positives() - pos)
    }
}

#[cfg(test)]
mod tests {
    use super::super::rows::Ranked;
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Every answer of `fast` equals `reference`'s, to the bit for scores and sums, on every
    /// position, every cut, and thresholds at, between and beyond the scores.
    fn same_answers(fast: &impl ScoreOrder, reference: &impl ScoreOrder) {
        let n = reference.len();
        assert_eq!(
            (fast.len(), fast.total_positives()),
            (n, reference.total_positives())
        );
        for i in 0..n {
            assert_eq!(
                fast.score(i).to_bits(),
                reference.score(i).to_bits(),
                "score {i}"
            );
        }
        let cuts: Vec<usize> = (0..=n).collect();
        assert_eq!(
            fast.positives_before(&cuts),
            reference.positives_before(&cuts)
        );
        // Cuts in any order, repeated.
        let shuffled: Vec<usize> = (0..=n).rev().chain([n / 2, n / 2, 0]).collect();
        assert_eq!(
            fast.positives_before(&shuffled),
            reference.positives_before(&shuffled)
        );
        for start in (0..=n).step_by((n / 7).max(1)) {
            for end in (start..=n).step_by((n / 5).max(1)).chain([n]) {
                assert_eq!(
                    fast.score_sum(start..end).to_bits(),
                    reference.score_sum(start..end).to_bits(),
                    "sum {start}..{end}"
                );
            }
        }
        let push = |mut v: Vec<(u64, usize, usize)>, g: Group| {
            v.push((g.score.to_bits(), g.rows, g.positives));
            v
        };
        let groups = fast.fold_groups(Vec::new(), push);
        assert_eq!(groups, reference.fold_groups(Vec::new(), push));
        assert_eq!(fast.group_count(), groups.len());
        assert_eq!(reference.group_count(), groups.len());
        for g in 0..groups.len() {
            let (a, b) = (fast.through_group(g), reference.through_group(g));
            assert_eq!(
                (a.0.to_bits(), a.1, a.2),
                (b.0.to_bits(), b.1, b.2),
                "group {g}"
            );
        }
    }

    fn thresholds_agree(fast: &impl ScoreOrder, desc: &Ranked, probs: &[f64]) {
        let mut ts: Vec<f64> = probs.to_vec();
        ts.extend(probs.iter().map(|p| p + 1e-9));
        ts.extend([
            f64::NEG_INFINITY,
            -1.0,
            -0.0,
            0.0,
            0.5,
            2.0,
            f64::INFINITY,
            f64::NAN,
        ]);
        for t in ts {
            assert_eq!(fast.at_least(t), desc.at_least(t), "threshold {t}");
        }
    }

    fn check(probs: &[f64], labels: &[bool]) {
        let runs = Runs::new(probs, labels).expect("no NaN");
        let desc = Ranked::sort(probs, labels, true);
        let asc = desc.reversed(probs, labels);
        same_answers(&runs.descending(), &desc);
        same_answers(&runs.ascending(), &asc);
        thresholds_agree(&runs.descending(), &desc, probs);
        thresholds_agree(&runs.ascending(), &desc, probs);
    }

    #[test]
    fn runs_answer_as_the_full_ranking_on_ties_and_distinct_scores() {
        let mut rng = ChaCha8Rng::seed_from_u64(71);
        for n in [1, 2, 3, 10, 97, 400] {
            // Heavy ties (5 levels), moderate ties (grid of 40) and distinct scores.
            for levels in [5u32, 40, 0] {
                let probs: Vec<f64> = (0..n)
                    .map(|_| {
                        if levels == 0 {
                            rng.gen()
                        } else {
                            f64::from(rng.gen_range(0..levels)) / f64::from(levels)
                        }
                    })
                    .collect();
                let labels: Vec<bool> =
                    probs.iter().map(|&p| rng.gen_bool(0.1 + 0.8 * p)).collect();
                check(&probs, &labels);
            }
        }
    }

    #[test]
    fn runs_of_one_score_one_class_and_signed_zeros() {
        let mut rng = ChaCha8Rng::seed_from_u64(72);
        let labels: Vec<bool> = (0..300).map(|_| rng.gen_bool(0.3)).collect();
        // All scores equal: every cut lies inside the one run.
        check(&[0.25; 300], &labels);
        // One class only, either way.
        let probs: Vec<f64> = (0..300).map(|i| f64::from(i % 17) / 17.0).collect();
        check(&probs, &[true; 300]);
        check(&probs, &[false; 300]);
        // -0.0 and 0.0 are one tie group of two runs; infinities and negatives rank too.
        let probs: Vec<f64> = (0..300)
            .map(|i| [-0.0, 0.0, 0.5, -1.0, f64::INFINITY, f64::NEG_INFINITY, 0.0][i % 7])
            .collect();
        check(&probs, &labels);
        let runs = Runs::new(&probs, &labels).unwrap();
        // Ascending: -inf, -1, -0.0, 0.0, 0.5, inf.
        assert_eq!((runs.runs.len(), runs.signed_zeros), (6, Some(2)));
        assert_eq!(runs.ascending().group_count(), 5);
        check(&[], &[]);
    }

    #[test]
    fn nan_scores_are_left_to_the_full_ranking() {
        assert!(Runs::new(&[0.2, f64::NAN], &[true, false]).is_none());
        assert!(Runs::new(&[0.2, 0.3], &[true, false]).is_some());
    }
}
