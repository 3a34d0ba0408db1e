//! The small dense factorisation both solvers solve their Newton systems with.

use ndarray::{s, Array1, Array2};

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
    pub fn new(a: &Array2<f64>) -> Option<Self> {
        let k = a.nrows();
        let mut l = Array2::<f64>::zeros((k, k));
        for j in 0..k {
            let ajj = a[[j, j]];
            let lj = l.row(j).slice(s![..j]).to_owned();
            let d = ajj - lj.dot(&lj);
            if !(d > 0.0 && d > RELATIVE_PIVOT * ajj && d.is_finite()) {
                return None;
            }
            let djj = d.sqrt();
            l[[j, j]] = djj;
            for i in j + 1..k {
                let v = a[[i, j]] - l.row(i).slice(s![..j]).dot(&lj);
                l[[i, j]] = v / djj;
            }
        }
        Some(Cholesky { l })
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
    /// contiguous memory, so a 739 x 739 inverse takes milliseconds, not a second.
    pub fn inverse(&self) -> Array2<f64> {
        let k = self.l.nrows();
        // wt[j][i] = W[i][j], zero for i < j.
        let mut wt = Array2::<f64>::zeros((k, k));
        for j in 0..k {
            let mut x = wt.row_mut(j);
            let x = x
                .as_slice_mut()
                .expect("rows of a fresh array are contiguous");
            for i in j..k {
                let li = self.l.row(i);
                let li = li.as_slice().expect("rows of a fresh array are contiguous");
                let s: f64 = li[j..i].iter().zip(&x[j..i]).map(|(a, b)| a * b).sum();
                let delta = if i == j { 1.0 } else { 0.0 };
                x[i] = (delta - s) / li[i];
            }
        }
        let mut inv = Array2::<f64>::zeros((k, k));
        for i in 0..k {
            let ri = wt.row(i);
            let ri = ri.as_slice().expect("contiguous");
            for j in 0..=i {
                let rj = wt.row(j);
                let rj = rj.as_slice().expect("contiguous");
                // W[m][i] W[m][j] is zero unless m >= max(i, j) = i.
                let v: f64 = ri[i..].iter().zip(&rj[i..]).map(|(a, b)| a * b).sum();
                inv[[i, j]] = v;
                inv[[j, i]] = v;
            }
        }
        inv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_times_matrix_is_the_identity() {
        // A = B B' + k I for a fixed B: symmetric positive definite and not too well conditioned.
        let k = 37;
        let b = Array2::from_shape_fn((k, k), |(i, j)| ((i * 31 + j * 17) % 23) as f64 / 7.0 - 1.5);
        let mut a = b.dot(&b.t());
        for i in 0..k {
            a[[i, i]] += 0.5;
        }
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
}
