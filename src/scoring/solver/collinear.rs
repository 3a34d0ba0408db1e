//! Detection of columns that carry no information beyond the intercept and earlier columns.

use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use rayon::prelude::*;

use super::blocks::{block_count, block_range, reduce_blocks};
use super::cholesky::{fast_dot, PARALLEL_WORK};

/// A column whose residual sum of squares, after projecting out the intercept and the kept
/// earlier columns, is below this fraction of its sum of squares before that projection is
/// treated as a linear combination of them (R^2 > 1 - 1e-9). Well above the ~1e-15 relative
/// rounding floor of the Gram-matrix Cholesky, far below anything a real feature shows.
const COLLINEAR_TOL: f64 = 1e-9;

/// Indices (ascending) of columns that are, to a relative tolerance of 1e-9, linear combinations
/// of the intercept and earlier columns; constant columns are included. The caller drops them
/// (and warns) before fitting, since they make the Hessian singular and the coefficients
/// meaningless. Greedy in column order, so of two duplicates the later one is reported.
/// Deterministic and independent of the thread count. Values must be finite.
pub fn collinear_columns(x: ArrayView2<f64>) -> Vec<usize> {
    let (n, p) = x.dim();
    if p == 0 {
        return Vec::new();
    }
    let nblocks = block_count(n);
    let block = |b: usize| x.slice(s![block_range(b, n), ..]);
    let sums: Array1<f64> =
        reduce_blocks(0, nblocks, &|b| block(b).sum_axis(Axis(0)), &|a, b| a + b);
    let mean = if n > 0 { sums / n as f64 } else { sums };
    // Centred Gram matrix: the intercept is projected out exactly, without the cancellation of
    // X'X - n m m'.
    let gram: Array2<f64> = reduce_blocks(
        0,
        nblocks,
        &|b| {
            let xc = &block(b) - &mean;
            xc.t().dot(&xc)
        },
        &|a, b| a + b,
    );

    collinear_from_gram(n, &mean, &gram)
}

/// [`collinear_columns`] from the column means and the centred Gram matrix
/// `(X - 1 m')'(X - 1 m)` of `n` rows: a greedy Cholesky in column order.
pub(crate) fn collinear_from_gram(n: usize, mean: &Array1<f64>, gram: &Array2<f64>) -> Vec<usize> {
    let p = mean.len();
    // Row-major, so that every dot reads two contiguous rows (as in `Cholesky::new`).
    let mut l = vec![0.0f64; p * p];
    let mut column = vec![0.0f64; p];
    let mut collinear = Vec::new();
    for j in 0..p {
        let centred_ss = gram[[j, j]];
        let raw_ss = centred_ss + n as f64 * mean[j] * mean[j];
        if !exceeds(centred_ss, COLLINEAR_TOL * raw_ss) {
            collinear.push(j);
            continue;
        }
        // Rows of `l` for skipped columns stay zero, so full-length dots are correct.
        let lj = &l[j * p..j * p + j];
        let residual = centred_ss - fast_dot(lj, lj);
        if !exceeds(residual, COLLINEAR_TOL * centred_ss) {
            collinear.push(j);
            continue;
        }
        let d = residual.sqrt();
        // The entries below the pivot are independent: in parallel for a wide Gram matrix,
        // each the same dot whatever the thread.
        let below = &mut column[j + 1..p];
        let fill = |(o, v): (usize, &mut f64)| {
            let i = j + 1 + o;
            *v = (gram[[i, j]] - fast_dot(&l[i * p..i * p + j], lj)) / d;
        };
        if (p - j) * j >= PARALLEL_WORK {
            below.par_iter_mut().enumerate().for_each(fill);
        } else {
            below.iter_mut().enumerate().for_each(fill);
        }
        l[j * p + j] = d;
        for i in j + 1..p {
            l[i * p + j] = column[i];
        }
    }
    collinear
}

/// `a > b`, false if either is NaN (so a NaN column counts as collinear, not as independent).
fn exceeds(a: f64, b: f64) -> bool {
    a.partial_cmp(&b) == Some(std::cmp::Ordering::Greater)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fit_with, names, simulate};
    use super::super::LogisticParams;
    use super::*;
    use crate::error::Error;

    #[test]
    fn collinear_columns_found_and_only_those() {
        let (base, y) = simulate(2000, 0.0, &[0.5, -0.5, 0.2], 31);
        let (a, b, c) = (base.column(0), base.column(1), base.column(2));
        let mut x = Array2::<f64>::zeros((2000, 6));
        x.column_mut(0).assign(&a);
        x.column_mut(1).assign(&b);
        x.column_mut(2).assign(&a); // duplicate of column 0
        x.column_mut(3).assign(&(&a * 2.0 - b + 5.0)); // combination with the intercept
        x.column_mut(4).fill(3.0); // constant: collinear with the intercept
        x.column_mut(5).assign(&c);
        assert_eq!(collinear_columns(x.view()), vec![2, 3, 4]);
        assert_eq!(collinear_columns(base.view()), Vec::<usize>::new());
        // Large offsets do not hide an exact combination, nor create a false one.
        let shifted = &base + 1e4;
        assert_eq!(collinear_columns(shifted.view()), Vec::<usize>::new());
        // Fitting without dropping them fails and names them.
        let n = names(&["a", "b", "a_copy", "combo", "const", "c"]);
        let err = fit_with(LogisticParams::new().feature_names(n), &x, &y).unwrap_err();
        assert!(
            matches!(&err, Error::Collinear { columns } if columns == &["a_copy", "combo", "const"]),
            "{err}"
        );
    }
}
