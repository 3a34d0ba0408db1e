//! Fixed-tree reduction over row blocks, the same idea as the dense solver's: leaves are fixed
//! ranges of rows, combined pairwise in a tree whose shape depends only on the number of
//! leaves, so sums are bit-identical whatever the number of threads.

use std::ops::Range;

/// Rows per block, as in the dense solver. A leaf of the reduction is a whole number of blocks.
pub(crate) const BLOCK_ROWS: usize = 8192;

/// Most blocks a leaf takes (8 x 8192 = 65,536 rows): keeps at least eight leaves, and so work
/// for eight threads, on half a million rows.
const MAX_BLOCKS_PER_LEAF: usize = 8;

/// Rows per leaf for a pass whose per-leaf sums take `sums_len` doubles. Merging two leaves
/// adds `sums_len` doubles; a leaf of at least that many rows keeps merging at about one
/// addition per row (the row work is a hundred or more), however many levels the categoricals
/// have. Depends only on the design's shape, never on the thread count.
pub(crate) fn leaf_rows(sums_len: usize) -> usize {
    BLOCK_ROWS * sums_len.div_ceil(BLOCK_ROWS).clamp(1, MAX_BLOCKS_PER_LEAF)
}

/// Number of leaves for `rows` rows (at least one, so that an empty input still has a leaf).
pub(crate) fn leaf_count(rows: usize, leaf_rows: usize) -> usize {
    rows.div_ceil(leaf_rows).max(1)
}

/// The rows of leaf `b`.
pub(crate) fn leaf_range(b: usize, rows: usize, leaf_rows: usize) -> Range<usize> {
    let lo = (b * leaf_rows).min(rows);
    lo..(lo + leaf_rows).min(rows)
}

/// Combines `leaf(lo) .. leaf(hi - 1)` with `merge`, splitting the range at its midpoint and
/// running halves with `rayon::join`. The tree depends only on `lo..hi`; it is also pairwise,
/// which keeps rounding small.
pub(crate) fn reduce<T, L, M>(lo: usize, hi: usize, leaf: &L, merge: &M) -> T
where
    T: Send,
    L: Fn(usize) -> T + Sync,
    M: Fn(T, T) -> T + Sync,
{
    debug_assert!(hi > lo);
    if hi - lo == 1 {
        return leaf(lo);
    }
    let mid = lo + (hi - lo) / 2;
    let (a, b) = rayon::join(
        || reduce(lo, mid, leaf, merge),
        || reduce(mid, hi, leaf, merge),
    );
    merge(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_cover_the_rows_once_and_grow_with_the_sums() {
        assert_eq!(leaf_rows(1), BLOCK_ROWS);
        assert_eq!(leaf_rows(BLOCK_ROWS + 1), 2 * BLOCK_ROWS);
        assert_eq!(leaf_rows(10_000_000), MAX_BLOCKS_PER_LEAF * BLOCK_ROWS);
        for rows in [0, 1, 8191, 8192, 8193, 100_000] {
            let lr = leaf_rows(20_000);
            let n = leaf_count(rows, lr);
            let covered: Vec<usize> = (0..n).flat_map(|b| leaf_range(b, rows, lr)).collect();
            assert_eq!(covered, (0..rows).collect::<Vec<_>>());
        }
    }

    /// The tree `reduce` must build: halves split at the midpoint, left before right.
    fn pairwise(v: &[f64]) -> f64 {
        if v.len() == 1 {
            return v[0];
        }
        let mid = v.len() / 2;
        pairwise(&v[..mid]) + pairwise(&v[mid..])
    }

    #[test]
    fn tree_is_the_same_for_any_thread_count() {
        // Magnitudes from 1 to 1e16, so that every change of order changes the rounding.
        let v: Vec<f64> = (0..1000)
            .map(|i| 10f64.powi(i % 17) * ((i as f64) * 0.618).fract())
            .collect();
        let sum = || reduce(0, v.len(), &|i| v[i], &|a, b| a + b);
        for t in [1, 2, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap();
            assert_eq!(pool.install(sum).to_bits(), pairwise(&v).to_bits(), "{t}");
        }
        // The data tells orders apart: a sequential sum differs.
        assert_ne!(v.iter().sum::<f64>().to_bits(), pairwise(&v).to_bits());
    }
}
