//! The linear predictor and fitted probabilities of every row, from the codes: `O(d + k)` per
//! row for `d` dense and `k` categorical columns, whatever the number of levels.

use ndarray::{Array1, ArrayView1};
use rayon::prelude::*;

use super::kernels::{axpy, gather_add};
use super::{Column, Design};
use crate::scoring::model::sigmoid;

/// Rows per parallel task. Each row's value is computed the same way wherever it runs, so the
/// split does not change results; it only sizes the scratch.
const TASK_ROWS: usize = 4096;

impl Design {
    /// `beta[0] + sum_j beta[j + 1] z_ij` for every row `i`, with `beta` in standardised
    /// coordinates (intercept first), as the solver fits it.
    ///
    /// # Panics
    /// If `beta` does not have one value per column plus one.
    pub fn linear_predictor(&self, beta: ArrayView1<f64>) -> Array1<f64> {
        let pred = Predictor::new(self, beta);
        let mut eta = vec![0.0; self.rows];
        eta.par_chunks_mut(TASK_ROWS)
            .enumerate()
            .for_each(|(t, out)| {
                let lo = t * TASK_ROWS;
                let codes: Vec<Vec<u32>> = self
                    .categoricals
                    .iter()
                    .map(|c| {
                        let mut v = vec![0; out.len()];
                        c.codes.copy_to(lo, &mut v);
                        v
                    })
                    .collect();
                pred.eval(self, lo, &codes, out);
            });
        Array1::from(eta)
    }

    /// `P(y = true)` for every row at `beta` (standardised coordinates, intercept first).
    ///
    /// # Panics
    /// As [`Design::linear_predictor`].
    pub fn probabilities(&self, beta: ArrayView1<f64>) -> Array1<f64> {
        self.linear_predictor(beta).mapv_into(sigmoid)
    }
}

/// Coefficients laid onto the storage: `eta = offset + sum_k dense_k z_k + sum_c levels_c[code]`.
pub(super) struct Predictor {
    offset: f64,
    dense: Vec<f64>,
    levels: Vec<Vec<f64>>,
}

impl Predictor {
    pub(super) fn new(design: &Design, beta: ArrayView1<f64>) -> Predictor {
        assert_eq!(
            beta.len(),
            design.ncols() + 1,
            "{} coefficients for {} columns and the intercept",
            beta.len(),
            design.ncols()
        );
        let mut p = Predictor {
            offset: beta[0],
            dense: vec![0.0; design.dense_count()],
            levels: design
                .categoricals
                .iter()
                .map(|c| vec![0.0; c.levels])
                .collect(),
        };
        for (j, col) in design.columns.iter().enumerate() {
            let b = beta[j + 1];
            match *col {
                Column::Dense(k) => p.dense[k] = b,
                Column::Level { categorical, code } => {
                    let ind = design.categoricals[categorical].indicators[code as usize]
                        .expect("a design column has an indicator");
                    // b (u - m) / s = b u / s - b m / s: the constant part joins the intercept.
                    p.levels[categorical][code as usize] = b / ind.scale;
                    p.offset -= b * ind.mean / ind.scale;
                }
            }
        }
        p
    }

    /// The linear predictor of rows `lo..lo + out.len()`, given their codes.
    #[inline(always)]
    pub(super) fn eval(&self, design: &Design, lo: usize, codes: &[Vec<u32>], out: &mut [f64]) {
        let m = out.len();
        out.fill(self.offset);
        for (k, &b) in self.dense.iter().enumerate() {
            if b != 0.0 {
                axpy(b, &design.dense_column(k)[lo..lo + m], out);
            }
        }
        for (table, codes) in self.levels.iter().zip(codes) {
            gather_add(table, &codes[..m], out);
        }
    }
}
