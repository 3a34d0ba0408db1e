//! Detection of columns that carry no information beyond the intercept and earlier columns.

use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use super::newton::{reduce_blocks, BLOCK_ROWS};

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
    let nblocks = n.div_ceil(BLOCK_ROWS).max(1);
    let block = |b: usize| {
        let lo = b * BLOCK_ROWS;
        x.slice(s![lo..(lo + BLOCK_ROWS).min(n), ..])
    };
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

    let mut l = Array2::<f64>::zeros((p, p));
    let mut collinear = Vec::new();
    for j in 0..p {
        let centred_ss = gram[[j, j]];
        let raw_ss = centred_ss + n as f64 * mean[j] * mean[j];
        if !exceeds(centred_ss, COLLINEAR_TOL * raw_ss) {
            collinear.push(j);
            continue;
        }
        // Rows of `l` for skipped columns stay zero, so full-length dots are correct.
        let lj = l.row(j).slice(s![..j]).to_owned();
        let residual = centred_ss - lj.dot(&lj);
        if !exceeds(residual, COLLINEAR_TOL * centred_ss) {
            collinear.push(j);
            continue;
        }
        let d = residual.sqrt();
        l[[j, j]] = d;
        for i in j + 1..p {
            let v = gram[[i, j]] - l.row(i).slice(s![..j]).dot(&lj);
            l[[i, j]] = v / d;
        }
    }
    collinear
}

/// `a > b`, false if either is NaN (so a NaN column counts as collinear, not as independent).
fn exceeds(a: f64, b: f64) -> bool {
    a.partial_cmp(&b) == Some(std::cmp::Ordering::Greater)
}
