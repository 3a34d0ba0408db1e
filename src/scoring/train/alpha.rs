//! `TrainOptions::cv` (`--cv K`): the L2 strength chosen by K-fold log loss on the training
//! rows.

use ndarray::Array1;

use super::split::stratified_folds;
use super::{checkpoint, fit_design, TrainOptions, TrainProgress};
use crate::error::{Error, Result};
use crate::scoring::design::Design;
use crate::scoring::metrics;
use crate::scoring::model::AlphaCandidate;

/// The alphas `TrainOptions::cv` tries: none, then ridge strengths on the summed log loss of
/// standardised columns (alpha = 1/C of scikit-learn).
pub const ALPHA_GRID: &[f64] = &[0.0, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0];

/// Mean held-out log loss per row of every alpha in [`ALPHA_GRID`], over `k` stratified folds of
/// the training rows; `None` for an alpha whose fit failed on some fold (separation,
/// non-convergence, too few rows).
pub(super) fn search_alpha(
    design: &Design,
    y: &Array1<bool>,
    k: usize,
    opts: &TrainOptions,
    progress: &dyn TrainProgress,
) -> Result<Vec<AlphaCandidate>> {
    let labels: Vec<bool> = y.to_vec();
    let fold_of = stratified_folds(&labels, k, opts.seed ^ 0x5eed_a1fa);
    let names: Vec<String> = (0..design.ncols()).map(|j| format!("x{j}")).collect();
    let mut out = Vec::with_capacity(ALPHA_GRID.len());
    for &alpha in ALPHA_GRID {
        let mut loss = 0.0;
        let mut ok = true;
        for f in 0..k {
            checkpoint(progress)?;
            let tr: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] != f).collect();
            let te: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] == f).collect();
            let x_tr = design.select_rows(&tr);
            let y_tr: Array1<bool> = tr.iter().map(|&i| labels[i]).collect();
            match fit_design(&x_tr, y_tr.view(), alpha, opts, &names, &[], false) {
                Ok(fit) => {
                    let beta: Array1<f64> = std::iter::once(fit.intercept)
                        .chain(fit.coef.iter().copied())
                        .collect();
                    let p = design.select_rows(&te).probabilities(beta.view());
                    let l: Vec<bool> = te.iter().map(|&i| labels[i]).collect();
                    loss += metrics::log_loss(p.as_slice().unwrap_or(&p.to_vec()), &l)
                        .unwrap_or(f64::NAN)
                        * te.len() as f64;
                }
                Err(
                    Error::Separation { .. }
                    | Error::NotConverged { .. }
                    | Error::TooFewRows { .. },
                ) => {
                    ok = false;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        out.push(AlphaCandidate {
            alpha,
            cv_log_loss: ok.then(|| loss / labels.len() as f64),
            nonzero: None,
        });
    }
    Ok(out)
}
