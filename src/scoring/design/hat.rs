//! Firth's correction to the score on a [`Design`]: `X'(h (1/2 - mu))` in the standardised
//! coordinates, with `h_i = w_i z_i' V z_i` the diagonal of the hat matrix
//! `W^(1/2) X (X'WX)^-1 X' W^(1/2)` and `V = (X'WX)^-1`.
//!
//! The standardised row `z_i` is dense (an indicator enters as `(u - mean) / scale`, nonzero on
//! every row), but it is an affine image of the raw row `r_i = [1, dense_i, u_i]`, which has
//! `1 + d + k` nonzeros for `d` dense and `k` categorical columns: `z = S r` with
//! `S = diag(a) + c e_0'` (`a_j = 1 / scale_j`, `c_j = -mean_j / scale_j` for an indicator;
//! `a_j = 1`, `c_j = 0` otherwise). So `z' V z = r' Q r` with `Q = S' V S`, built once per
//! pass in `O(p^2)`: `Q_00 = t' V t` for `t = e_0 + c`, `Q_0b = a_b (V t)_b`,
//! `Q_ab = a_a a_b V_ab`. Each row then gathers the `(1 + d + k)^2` entries of `Q` it needs;
//! no `n x p` matrix is ever formed, and a pass costs `O(n (d + k)^2)` like the Newton pass.
//!
//! **Invariant:** rows are summed in fixed leaves combined in a fixed tree (`reduce`), so the
//! correction is bit-identical for any number of threads.

use ndarray::{Array1, Array2, ArrayView1};

use super::predict::Predictor;
use super::reduce::{leaf_count, leaf_range, reduce, BLOCK_ROWS};
use super::{Column, Design};

/// Rows per chunk inside a leaf (fixed: it fixes the summation order).
const CHUNK_ROWS: usize = 1024;

/// What a hat pass returns.
#[derive(Debug, Clone, PartialEq)]
pub struct HatSums {
    /// `X'(h (1/2 - mu))`, intercept first, standardised coordinates.
    pub correction: Array1<f64>,
    /// `sum_i h_i`: the trace of the hat matrix, `p + 1` up to rounding (a check).
    pub trace: f64,
}

/// Per-leaf raw sums: `sum a`, per dense column `sum a z`, per categorical and code `sum a`,
/// for the adjusted residual `a_i = h_i (1/2 - mu_i)`; and `sum h`.
struct Leaf {
    sums: Vec<f64>,
    trace: f64,
}

impl Leaf {
    fn merge(mut self, other: Leaf) -> Leaf {
        self.sums
            .iter_mut()
            .zip(&other.sums)
            .for_each(|(a, b)| *a += b);
        self.trace += other.trace;
        self
    }
}

impl Design {
    /// Firth's score correction at `beta` (standardised coordinates, intercept first), given
    /// `cov = (X'WX)^-1` at the same `beta`. Bit-identical for any number of threads.
    ///
    /// # Panics
    /// If `beta` or `cov` do not match the design.
    pub fn firth_correction(&self, beta: ArrayView1<f64>, cov: &Array2<f64>) -> HatSums {
        let p = self.ncols();
        assert_eq!(
            cov.dim(),
            (p + 1, p + 1),
            "firth_correction: covariance shape"
        );
        let pred = Predictor::new(self, beta);
        let q = self.raw_quadratic(cov);
        let d = self.dense.len();
        // Offsets of each categorical's per-code sums in a leaf's buffer.
        let mut offsets = Vec::with_capacity(self.categoricals.len());
        let mut len = 1 + d;
        for c in &self.categoricals {
            offsets.push(len);
            len += c.levels;
        }
        // Per categorical and code: the raw column of its indicator (1-based raw index), if any.
        let raw_of: Vec<Vec<Option<usize>>> = self
            .categoricals
            .iter()
            .map(|c| {
                c.indicators
                    .iter()
                    .map(|ind| ind.map(|i| i.column + 1))
                    .collect()
            })
            .collect();
        let dense_raw: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .filter_map(|(j, col)| matches!(col, Column::Dense(_)).then_some(j + 1))
            .collect();
        let leaf_rows = BLOCK_ROWS;
        let leaves = leaf_count(self.rows, leaf_rows);
        let total = reduce(
            0,
            leaves,
            &|b| {
                let rows = leaf_range(b, self.rows, leaf_rows);
                let mut leaf = Leaf {
                    sums: vec![0.0; len],
                    trace: 0.0,
                };
                let mut eta = vec![0.0; CHUNK_ROWS];
                let mut codes = vec![vec![0u32; CHUNK_ROWS]; self.categoricals.len()];
                // Per row: the raw indices and values of its nonzeros besides the intercept.
                let mut idx: Vec<usize> = Vec::with_capacity(d + codes.len());
                let mut val: Vec<f64> = Vec::with_capacity(d + codes.len());
                for lo in rows.clone().step_by(CHUNK_ROWS) {
                    let m = CHUNK_ROWS.min(rows.end - lo);
                    for (cat, out) in self.categoricals.iter().zip(&mut codes) {
                        cat.codes.copy_to(lo, &mut out[..m]);
                    }
                    pred.eval(self, lo, &codes, &mut eta[..m]);
                    for i in 0..m {
                        let mu = crate::scoring::model::sigmoid(eta[i]);
                        let w = mu * (1.0 - mu);
                        idx.clear();
                        val.clear();
                        for (k, &raw) in dense_raw.iter().enumerate() {
                            idx.push(raw);
                            val.push(self.dense[k][lo + i]);
                        }
                        for (c, cc) in codes.iter().enumerate() {
                            if let Some(raw) = raw_of[c][cc[i] as usize] {
                                idx.push(raw);
                                val.push(1.0);
                            }
                        }
                        // r' Q r over the nonzeros: the intercept term, twice the cross terms
                        // with it, and the (symmetric) rest.
                        let mut quad = q[[0, 0]];
                        for (a, (&ia, &va)) in idx.iter().zip(&val).enumerate() {
                            let qa = q.row(ia);
                            let mut s = 2.0 * qa[0] + qa[ia] * va;
                            for (&ib, &vb) in idx[..a].iter().zip(&val[..a]) {
                                s += 2.0 * qa[ib] * vb;
                            }
                            quad += s * va;
                        }
                        let h = w * quad;
                        let adj = h * (0.5 - mu);
                        leaf.trace += h;
                        leaf.sums[0] += adj;
                        for k in 0..d {
                            leaf.sums[1 + k] += adj * self.dense[k][lo + i];
                        }
                        for (c, cc) in codes.iter().enumerate() {
                            leaf.sums[offsets[c] + cc[i] as usize] += adj;
                        }
                    }
                }
                leaf
            },
            &Leaf::merge,
        );
        let s = &total.sums;
        let mut correction = Array1::<f64>::zeros(p + 1);
        correction[0] = s[0];
        for (j, col) in self.columns.iter().enumerate() {
            correction[j + 1] = match *col {
                Column::Dense(k) => s[1 + k],
                Column::Level { categorical, code } => {
                    let ind = self.categoricals[categorical].indicators[code as usize]
                        .expect("a design column has an indicator");
                    (s[offsets[categorical] + code as usize] - ind.mean * s[0]) / ind.scale
                }
            };
        }
        HatSums {
            correction,
            trace: total.trace,
        }
    }

    /// `Q = S' V S`: the quadratic form of the hat values on the raw rows (module docs).
    fn raw_quadratic(&self, v: &Array2<f64>) -> Array2<f64> {
        let p = self.ncols();
        let mut a = vec![1.0; p + 1];
        let mut t = vec![0.0; p + 1];
        t[0] = 1.0;
        for (j, col) in self.columns.iter().enumerate() {
            if let Column::Level { categorical, code } = *col {
                let ind = self.categoricals[categorical].indicators[code as usize]
                    .expect("a design column has an indicator");
                a[j + 1] = 1.0 / ind.scale;
                t[j + 1] = -ind.mean / ind.scale;
            }
        }
        let t = Array1::from(t);
        let vt = v.dot(&t);
        let mut q = Array2::<f64>::zeros((p + 1, p + 1));
        q[[0, 0]] = t.dot(&vt);
        for b in 1..=p {
            q[[0, b]] = a[b] * vt[b];
            q[[b, 0]] = q[[0, b]];
            for c in 1..=b {
                let x = a[b] * a[c] * v[[b, c]];
                q[[b, c]] = x;
                q[[c, b]] = x;
            }
        }
        q
    }
}
