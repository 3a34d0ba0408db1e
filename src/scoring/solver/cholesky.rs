//! The small dense factorisation both solvers solve their Newton systems with.

use ndarray::{s, Array1, Array2};
use rayon::prelude::*;

/// Cholesky pivots below this fraction of the diagonal mean the Hessian is numerically singular.
const RELATIVE_PIVOT: f64 = 1e-13;

/// Lower-triangular Cholesky factor of a small symmetric positive definite matrix. Written here
/// rather than taken from linfa-linalg because a pivot must be judged relative to its own
/// diagonal ([`RELATIVE_PIVOT`]): a generic factorisation accepts a tiny positive pivot from
/// near-collinear columns and returns huge, meaningless steps, where this one fails and lets
/// `newton::singular_error` explain why (collinear columns, separation).
pub(super) struct Cholesky {
    l: Array2<f64>,
}

impl Cholesky {
    /// `None` if `a` is not numerically positive definite.
    ///
    /// Row by row (Cholesky-Banachiewicz), in panels of [`PANEL`] columns: the panel's own
    /// rows first, in order, then every row below it on its own task, each computing the
    /// panel's entries of its row while that row sits in the L1 cache and the panel's rows in
    /// L2. Every entry is the same expression of the same values as in the column-by-column
    /// order, so the factor does not depend on the number of threads either.
    pub fn new(a: &Array2<f64>) -> Option<Self> {
        let k = a.nrows();
        // Row-major, so that every dot below reads two contiguous rows.
        let mut l = vec![0.0f64; k * k];
        // Entry (i, c) of the factor, given rows `upper` (above i, holding row c) and row i.
        let entry = |upper: &[f64], row: &[f64], i: usize, c: usize| {
            (a[[i, c]] - fast_dot(&row[..c], &upper[c * k..c * k + c])) / upper[c * k + c]
        };
        for j0 in (0..k).step_by(PANEL) {
            let j1 = (j0 + PANEL).min(k);
            for i in j0..j1 {
                let (upper, rest) = l.split_at_mut(i * k);
                let row = &mut rest[..k];
                for c in j0..i {
                    row[c] = entry(upper, row, i, c);
                }
                let aii = a[[i, i]];
                let d = aii - fast_dot(&row[..i], &row[..i]);
                if !(d > 0.0 && d > RELATIVE_PIVOT * aii && d.is_finite()) {
                    return None;
                }
                row[i] = d.sqrt();
            }
            let (upper, below) = l.split_at_mut(j1 * k);
            let upper = &*upper;
            let fill = |(o, row): (usize, &mut [f64])| {
                let i = j1 + o;
                for c in j0..j1 {
                    row[c] = entry(upper, row, i, c);
                }
            };
            if (k - j1) * (j1 - j0) * j1 >= PARALLEL_WORK {
                below.par_chunks_mut(k).enumerate().for_each(fill);
            } else {
                below.chunks_mut(k).enumerate().for_each(fill);
            }
        }
        Some(Cholesky {
            l: Array2::from_shape_vec((k, k), l).expect("k x k values"),
        })
    }

    /// `ln det A`, from the pivots: `2 sum ln L_jj`.
    pub fn log_det(&self) -> f64 {
        2.0 * self.l.diag().iter().map(|v| v.ln()).sum::<f64>()
    }

    /// Solves `A x = b`.
    pub fn solve(&self, b: &Array1<f64>) -> Array1<f64> {
        let k = self.l.nrows();
        let mut v = b.clone();
        for i in 0..k {
            let s = self.l.row(i).slice(s![..i]).dot(&v.slice(s![..i]));
            v[i] = (v[i] - s) / self.l[[i, i]];
        }
        for i in (0..k).rev() {
            let s = self
                .l
                .column(i)
                .slice(s![i + 1..])
                .dot(&v.slice(s![i + 1..]));
            v[i] = (v[i] - s) / self.l[[i, i]];
        }
        v
    }

    /// `A^-1`, exactly symmetric: `W = L^-1` by forward substitution, one column of `W` (a
    /// row of `W'`) at a time, then `A^-1 = W' W` from dots of rows of `W'`. Every loop reads
    /// contiguous memory, and the rows of both steps are independent, so they run in
    /// parallel (with the same dots whatever the number of threads).
    pub fn inverse(&self) -> Array2<f64> {
        let k = self.l.nrows();
        let l = self
            .l
            .as_slice()
            .expect("the factor is a fresh row-major array");
        let parallel = k * k * k / 6 >= PARALLEL_WORK * 8;
        // wt[j][i] = W[i][j], zero for i < j. Rows of `wt` in groups of GROUP, so that each
        // row of `L` is read once per group rather than once per row (the same dots).
        let mut wt = vec![0.0f64; k * k];
        let substitute = |(g, xs): (usize, &mut [f64])| {
            let j0 = g * GROUP;
            for i in j0..k {
                let li = &l[i * k..i * k + k];
                for (o, x) in xs.chunks_mut(k).enumerate() {
                    let j = j0 + o;
                    if j > i {
                        break;
                    }
                    let s = fast_dot(&li[j..i], &x[j..i]);
                    let delta = if i == j { 1.0 } else { 0.0 };
                    x[i] = (delta - s) / li[i];
                }
            }
        };
        if parallel {
            wt.par_chunks_mut(GROUP * k)
                .enumerate()
                .for_each(substitute);
        } else {
            wt.chunks_mut(GROUP * k).enumerate().for_each(substitute);
        }
        let mut lower = vec![0.0f64; k * k];
        let wt = &wt;
        // Rows of the product in groups too: each row of `wt` serves the group's dots while
        // it is in cache.
        let products = |(g, out): (usize, &mut [f64])| {
            let i0 = g * GROUP;
            let rows = out.len() / k;
            for j in 0..i0 + rows {
                let rj = &wt[j * k..j * k + k];
                for o in j.saturating_sub(i0)..rows {
                    let i = i0 + o;
                    // W[m][i] W[m][j] is zero unless m >= max(i, j) = i.
                    out[o * k + j] = fast_dot(&wt[i * k + i..i * k + k], &rj[i..]);
                }
            }
        };
        if parallel {
            lower
                .par_chunks_mut(GROUP * k)
                .enumerate()
                .for_each(products);
        } else {
            lower.chunks_mut(GROUP * k).enumerate().for_each(products);
        }
        Array2::from_shape_fn((k, k), |(i, j)| {
            if j <= i {
                lower[i * k + j]
            } else {
                lower[j * k + i]
            }
        })
    }
}

/// Columns of the factor computed together (see [`Cholesky::new`]): a panel's rows of a
/// 1,000-column factor take a quarter of a megabyte.
const PANEL: usize = 32;

/// Rows of the inverse computed together (see [`Cholesky::inverse`]).
const GROUP: usize = 8;

/// Multiply-adds above which a step of the factorisation is shared among threads: below it
/// the hand-off costs more than it saves.
pub(super) const PARALLEL_WORK: usize = 32 * 1024;

/// `a . b` with sixteen running sums (so that the adds pipeline: four AVX2 vectors), combined
/// in a fixed order. Without FMA contraction the lanes round alike in vector and scalar code,
/// so the value does not depend on which of the two runs.
pub(super) fn fast_dot(a: &[f64], b: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if crate::scoring::design::has_avx2() {
        // SAFETY: the CPU supports AVX2.
        return unsafe { fast_dot_avx2(a, b) };
    }
    dot_lanes(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fast_dot_avx2(a: &[f64], b: &[f64]) -> f64 {
    dot_lanes(a, b)
}

#[inline(always)]
fn dot_lanes(a: &[f64], b: &[f64]) -> f64 {
    const LANES: usize = 16;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; LANES];
    let mut ca = a.chunks_exact(LANES);
    let mut cb = b.chunks_exact(LANES);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for q in 0..LANES {
            acc[q] += x[q] * y[q];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += x * y;
    }
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for q in 0..width {
            acc[q] += acc[q + width];
        }
    }
    acc[0] + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `B B' + ridge I` for a fixed `k x k` pattern `B`: symmetric positive definite, and not
    /// too well conditioned for a small ridge.
    fn spd(k: usize, ridge: f64) -> Array2<f64> {
        let b = Array2::from_shape_fn((k, k), |(i, j)| ((i * 31 + j * 17) % 23) as f64 / 7.0 - 1.5);
        let mut a = b.dot(&b.t());
        for i in 0..k {
            a[[i, i]] += ridge;
        }
        a
    }

    #[test]
    fn inverse_times_matrix_is_the_identity() {
        let k = 37;
        let a = spd(k, 0.5);
        let inv = Cholesky::new(&a).unwrap().inverse();
        assert_eq!(inv, inv.t());
        let id = a.dot(&inv);
        for i in 0..k {
            for j in 0..k {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((id[[i, j]] - want).abs() < 1e-9, "{i} {j} {}", id[[i, j]]);
            }
        }
        let x = Cholesky::new(&a).unwrap().solve(&Array1::from_elem(k, 1.0));
        let back = a.dot(&x);
        assert!(back.iter().all(|v| (v - 1.0).abs() < 1e-9));
    }

    /// The textbook column-by-column order (Cholesky-Crout), entry for entry the expression
    /// `Cholesky::new` evaluates in panels.
    fn column_order(a: &Array2<f64>) -> Option<Vec<f64>> {
        let k = a.nrows();
        let mut l = vec![0.0f64; k * k];
        for j in 0..k {
            let d = a[[j, j]] - fast_dot(&l[j * k..j * k + j], &l[j * k..j * k + j]);
            if !(d > 0.0 && d > RELATIVE_PIVOT * a[[j, j]] && d.is_finite()) {
                return None;
            }
            l[j * k + j] = d.sqrt();
            for i in j + 1..k {
                let v = a[[i, j]] - fast_dot(&l[i * k..i * k + j], &l[j * k..j * k + j]);
                l[i * k + j] = v / l[j * k + j];
            }
        }
        Some(l)
    }

    /// `A^-1` as `Cholesky::inverse` defines it, one row of `W'` and one row of the product at
    /// a time.
    fn inverse_row_by_row(c: &Cholesky) -> Vec<f64> {
        let k = c.l.nrows();
        let l = c.l.as_slice().unwrap();
        let mut wt = vec![0.0f64; k * k];
        for (j, x) in wt.chunks_mut(k).enumerate() {
            for i in j..k {
                let li = &l[i * k..i * k + k];
                let s = fast_dot(&li[j..i], &x[j..i]);
                x[i] = (if i == j { 1.0 } else { 0.0 } - s) / li[i];
            }
        }
        let mut out = vec![0.0f64; k * k];
        for i in 0..k {
            for j in 0..=i {
                let v = fast_dot(&wt[i * k + i..i * k + k], &wt[j * k + i..j * k + k]);
                out[i * k + j] = v;
                out[j * k + i] = v;
            }
        }
        out
    }

    #[test]
    fn grouped_inverse_gives_the_row_by_row_bits() {
        for k in [1, 3, GROUP, GROUP + 1, 3 * GROUP + 5, 200] {
            let a = spd(k, 0.5);
            let c = Cholesky::new(&a).unwrap();
            let got = c.inverse();
            let want = inverse_row_by_row(&c);
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "{k}"
            );
        }
    }

    #[test]
    fn panels_give_the_column_orders_bits_and_its_failures() {
        // Sizes around the panel width, and one wide enough for the parallel rows.
        for k in [1, 5, PANEL - 1, PANEL, PANEL + 1, 2 * PANEL + 7, 300] {
            let a = spd(k, 0.5);
            let want = column_order(&a).expect("positive definite");
            let got = Cholesky::new(&a).expect("positive definite");
            let got = got.l.as_slice().unwrap();
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "{k}"
            );
            if k > 2 {
                // A column that repeats an earlier one: singular at the same pivot, both ways.
                let mut s = a.clone();
                let c = k - 2;
                for i in 0..k {
                    s[[i, c]] = a[[i, 1]];
                    s[[c, i]] = a[[1, i]];
                }
                s[[c, c]] = a[[1, 1]];
                assert!(column_order(&s).is_none(), "{k}");
                assert!(Cholesky::new(&s).is_none(), "{k}");
            }
        }
    }

    /// Wide enough for the parallel steps: still the inverse, and bit for bit the same on 1, 2
    /// and 8 threads.
    #[test]
    fn a_wide_factor_is_the_same_on_any_number_of_threads() {
        let k = 300;
        let a = spd(k, 5.0);
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let c = Cholesky::new(&a).unwrap();
                    (c.l.clone(), c.inverse())
                })
        };
        let (l1, inv1) = run(1);
        for t in [2, 8] {
            let (l, inv) = run(t);
            assert!(
                l.iter().zip(&l1).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{t}"
            );
            assert!(
                inv.iter()
                    .zip(&inv1)
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "{t}"
            );
        }
        let id = a.dot(&inv1);
        for i in 0..k {
            for j in 0..k {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((id[[i, j]] - want).abs() < 1e-9, "{i} {j} {}", id[[i, j]]);
            }
        }
        // L L' = A.
        let back = l1.dot(&l1.t());
        assert!(back
            .iter()
            .zip(&a)
            .all(|(x, y)| (x - y).abs() < 1e-9 * y.abs().max(1.0)));
    }
}
