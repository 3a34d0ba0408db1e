//! `TrainOptions::l1_ratio` (`--l1-ratio R`): elastic-net and lasso fits, and with
//! `TrainOptions::cv` the alpha chosen on a warm-started path by K-fold log loss.

use ndarray::Array1;

use super::split::stratified_folds;
use super::{checkpoint, TrainOptions, TrainProgress};
use crate::error::{Error, Result};
use crate::scoring::design::Design;
use crate::scoring::metrics;
use crate::scoring::model::AlphaCandidate;
use crate::scoring::solver::{LogisticFit, LogisticParams, SolverKind, ValidLogisticParams};

/// Number of alphas on a cross-validated path (glmnet's default is 100, glum's 100; 40 log-spaced
/// values over three decades are about 19% apart, finer than the CV log loss can tell apart).
pub const PATH_LENGTH: usize = 40;

/// The path runs from `alpha_max` down to `alpha_max * PATH_MIN_RATIO` (glmnet uses 1e-4 when
/// n > p; the last decade only matters for unpenalised-like fits, which `--alpha 0` gives).
pub const PATH_MIN_RATIO: f64 = 1e-3;

/// The options' own checks of `l1_ratio`: in (0, 1], with a strength to mix (alpha > 0 or cv),
/// and with the Newton solver.
pub(super) fn check(r: f64, opts: &TrainOptions) -> Result<()> {
    if !(r > 0.0 && r <= 1.0) {
        return Err(Error::InvalidHyperparameter {
            name: "l1_ratio",
            value: r,
            expected: "must be in (0, 1]: 1 is the lasso, smaller values mix in the ridge penalty",
        });
    }
    if opts.alpha == 0.0 && opts.cv.is_none() {
        return Err(Error::InvalidParameter {
            name: "l1_ratio".into(),
            value: r.to_string(),
            reason: "needs a strength: alpha > 0, or cv to choose it".into(),
        });
    }
    if opts.solver == SolverKind::Lbfgs {
        return Err(Error::InvalidParameter {
            name: "l1_ratio".into(),
            value: r.to_string(),
            reason: "the lbfgs solver cannot fit an L1 penalty; use newton".into(),
        });
    }
    Ok(())
}

/// The warning every elastic-net fit carries: why there are no intervals, and the sparsity.
pub(super) fn warning(alpha: f64, r: f64, zeros: usize, p: usize) -> String {
    format!(
        "alpha = {alpha}, l1_ratio = {r}: a regularised fit, so standard errors, p-values and intervals are not reported; {zeros} of {p} coefficients are exactly zero"
    )
}

/// The alphas of a path: [`PATH_LENGTH`] values log-spaced from `alpha_max` down to
/// `alpha_max * PATH_MIN_RATIO`, largest first.
pub fn path_alphas(alpha_max: f64) -> Vec<f64> {
    let steps = (PATH_LENGTH - 1) as f64;
    (0..PATH_LENGTH)
        .map(|i| alpha_max * PATH_MIN_RATIO.powf(i as f64 / steps))
        .collect()
}

fn params(r: f64, opts: &TrainOptions) -> Result<ValidLogisticParams> {
    let mut p = LogisticParams::new().alpha(1.0).l1_ratio(r);
    if let Some(m) = opts.max_iter {
        p = p.max_iter(m);
    }
    linfa::ParamGuard::check(p)
}

fn nonzero(fit: &LogisticFit) -> usize {
    fit.coef.iter().filter(|&&b| b != 0.0).count()
}

/// The path from `alpha_max` of the training rows down, with the mean held-out log loss per
/// row of each alpha over `k` stratified folds (each fold's path warm-started from its previous
/// alpha), and the nonzero count of the warm-started fit on every training row. An alpha whose
/// fit failed on some fold (non-convergence) has no log loss.
pub(super) fn search_path(
    design: &Design,
    y: &Array1<bool>,
    k: usize,
    r: f64,
    opts: &TrainOptions,
    progress: &dyn TrainProgress,
) -> Result<Vec<AlphaCandidate>> {
    let params = params(r, opts)?;
    let alphas = path_alphas(params.alpha_max_design(design, y.view())?);
    let labels: Vec<bool> = y.to_vec();
    // The same folds as the ridge search, so the two can be compared on one seed.
    let fold_of = stratified_folds(&labels, k, opts.seed ^ 0x5eed_a1fa);
    let mut loss = vec![Some(0.0f64); alphas.len()];
    for f in 0..k {
        checkpoint(progress)?;
        let tr: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] != f).collect();
        let te: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] == f).collect();
        let y_tr: Array1<bool> = tr.iter().map(|&i| labels[i]).collect();
        let y_te: Vec<bool> = te.iter().map(|&i| labels[i]).collect();
        let x_te = design.select_rows(&te);
        let fits = match params.fit_design_path(&design.select_rows(&tr), y_tr.view(), &alphas) {
            Ok(fits) => fits,
            // A fold with one class cannot be fit at any alpha.
            Err(Error::OneClass { .. }) => {
                loss.iter_mut().for_each(|l| *l = None);
                continue;
            }
            Err(e) => return Err(e),
        };
        for (l, fit) in loss.iter_mut().zip(fits) {
            match fit {
                Ok(fit) => {
                    let beta: Array1<f64> = std::iter::once(fit.intercept)
                        .chain(fit.coef.iter().copied())
                        .collect();
                    let p = x_te.probabilities(beta.view()).to_vec();
                    let fold_loss = metrics::log_loss(&p, &y_te).unwrap_or(f64::NAN);
                    *l = l.map(|s| s + fold_loss * te.len() as f64);
                }
                Err(Error::NotConverged { .. } | Error::StepHalving { .. }) => *l = None,
                Err(e) => return Err(e),
            }
        }
    }
    let full = params.fit_design_path(design, y.view(), &alphas)?;
    Ok(alphas
        .iter()
        .zip(loss)
        .zip(full)
        .map(|((&alpha, l), fit)| AlphaCandidate {
            alpha,
            cv_log_loss: l.map(|s| s / labels.len() as f64),
            nonzero: fit.ok().as_ref().map(nonzero),
        })
        .collect())
}
