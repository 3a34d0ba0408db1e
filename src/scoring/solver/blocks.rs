//! The deterministic reduction every pass over the rows uses: fixed blocks of rows, combined in
//! a tree whose shape depends only on the number of blocks, so sums are bit-identical whatever
//! the number of threads.

/// Rows per block: large enough for efficient matrix products, small enough that a block's
/// scratch (`BLOCK_ROWS x (p+1)` doubles) stays in cache for moderate p. Fixed, never derived
/// from the thread count, because it determines the summation order.
pub(super) const BLOCK_ROWS: usize = 8192;

/// The fixed-tree reduction over `lo..hi` (the design's passes use the same one, so dense and
/// categorical fits sum in one way): the tree depends only on `lo..hi`, so any associativity
/// error is the same for every thread count.
pub(super) use crate::scoring::design::reduce::reduce as reduce_blocks;

/// The row range of block `b` of `n` rows.
pub(super) fn block_range(b: usize, n: usize) -> std::ops::Range<usize> {
    let lo = b * BLOCK_ROWS;
    lo..(lo + BLOCK_ROWS).min(n)
}

/// Number of blocks for `n` rows (at least one, so that an empty input still has a leaf).
pub(super) fn block_count(n: usize) -> usize {
    n.div_ceil(BLOCK_ROWS).max(1)
}
