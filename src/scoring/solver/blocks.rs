//! The deterministic reduction every pass over the rows uses: fixed blocks of rows, combined in
//! a tree whose shape depends only on the number of blocks, so sums are bit-identical whatever
//! the number of threads.

/// Rows per block: large enough for efficient matrix products, small enough that a block's
/// scratch (`BLOCK_ROWS x (p+1)` doubles) stays in cache for moderate p. Fixed, never derived
/// from the thread count, because it determines the summation order.
pub(super) const BLOCK_ROWS: usize = 8192;

/// Combines `leaf(lo) .. leaf(hi - 1)` with `merge`, splitting the range at its midpoint and
/// running halves with `rayon::join`. The tree depends only on `lo..hi`, so any associativity
/// error is the same for every thread count; it is also pairwise, which keeps rounding small.
pub(super) fn reduce_blocks<T, L, M>(lo: usize, hi: usize, leaf: &L, merge: &M) -> T
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
        || reduce_blocks(lo, mid, leaf, merge),
        || reduce_blocks(mid, hi, leaf, merge),
    );
    merge(a, b)
}

/// The row range of block `b` of `n` rows.
pub(super) fn block_range(b: usize, n: usize) -> std::ops::Range<usize> {
    let lo = b * BLOCK_ROWS;
    lo..(lo + BLOCK_ROWS).min(n)
}

/// Number of blocks for `n` rows (at least one, so that an empty input still has a leaf).
pub(super) fn block_count(n: usize) -> usize {
    n.div_ceil(BLOCK_ROWS).max(1)
}
