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

    /// `A^-1`, exactly symmetric.
    pub fn inverse(&self) -> Array2<f64> {
        let k = self.l.nrows();
        let mut inv = Array2::<f64>::zeros((k, k));
        for j in 0..k {
            let mut e = Array1::<f64>::zeros(k);
            e[j] = 1.0;
            inv.column_mut(j).assign(&self.solve(&e));
        }
        let t = inv.t().to_owned();
        (inv + t) * 0.5
    }
}
