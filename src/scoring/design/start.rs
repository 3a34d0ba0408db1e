//! The Newton start without a pass. At the intercept-only start every row has the same linear
//! predictor, so the same weight `w`: the Hessian is `w [1, X]'[1, X]`, the Gram matrix that
//! collinearity detection has already summed, and the gradient needs only each column's sum
//! over the converters (per-level outcome counts for an indicator). That saves the most
//! expensive pass of a fit on a wide design.

use ndarray::{Array1, ArrayView1};
use rayon::prelude::*;

use super::kernels::dot;
use super::pass::{PassStats, EXTREME_ETA};
use super::{Column, Design};

impl Design {
    /// [`Design::pass`] (full) at `beta`, from the Gram matrix when `beta` is an intercept only
    /// and collinearity detection has computed that matrix; otherwise a pass. The sums are the
    /// pass's up to rounding.
    ///
    /// # Panics
    /// As [`Design::pass`].
    pub fn start_pass(&self, y: &[bool], beta: ArrayView1<f64>) -> PassStats {
        let intercept_only = beta.iter().skip(1).all(|&b| b == 0.0);
        match self.gram.0.get() {
            Some(gram) if intercept_only && beta.len() == self.ncols() + 1 => {
                assert_eq!(y.len(), self.rows, "start_pass: y has {} values", y.len());
                self.start_from_gram(y, beta[0], gram)
            }
            _ => self.pass(y, beta, None, true),
        }
    }

    fn start_from_gram(&self, y: &[bool], eta: f64, gram: &ndarray::Array2<f64>) -> PassStats {
        let n = self.rows;
        let positives = y.iter().filter(|&&v| v).count();
        let negatives = n - positives;
        // The pass's own per-row arithmetic, once: loss, probability and weight.
        let ex = (-eta.abs()).exp();
        let denom = 1.0 + ex;
        let (mu, one_minus_mu) = if eta >= 0.0 {
            (1.0 / denom, ex / denom)
        } else {
            (ex / denom, 1.0 / denom)
        };
        let w = mu * one_minus_mu;
        let loss = positives as f64 * ((-eta).max(0.0) + ex.ln_1p())
            + negatives as f64 * (eta.max(0.0) + ex.ln_1p());
        // Each column's sum over the converters, standardised: a dot with the 0/1 outcomes
        // (no branch per row).
        let ones: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v))).collect();
        let dense: Vec<f64> = (0..self.dense_count())
            .into_par_iter()
            .map(|k| dot(self.dense_column(k), &ones))
            .collect();
        let counts = self.level_counts(y);
        let p = self.ncols();
        let mut grad = Array1::<f64>::zeros(p + 1);
        grad[0] = positives as f64 * one_minus_mu - negatives as f64 * mu;
        for (j, col) in self.columns.iter().enumerate() {
            let on_positives = match *col {
                Column::Dense(k) => dense[k],
                Column::Level { categorical, code } => {
                    let ind = self.categoricals[categorical].indicators[code as usize]
                        .expect("a design column has an indicator");
                    let c = counts[categorical].positive[code as usize] as f64;
                    (c - positives as f64 * ind.mean) / ind.scale
                }
            };
            let all = gram[[0, j + 1]];
            grad[j + 1] = one_minus_mu * on_positives - mu * (all - on_positives);
        }
        PassStats {
            loss,
            grad,
            hess: gram * w,
            max_step_eta: 0.0,
            n_extreme: if eta.abs() > EXTREME_ETA { n } else { 0 },
        }
    }
}
