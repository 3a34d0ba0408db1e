//! linfa-logistic's L-BFGS, made to answer the same question as Newton.
//!
//! linfa-logistic 0.8.1 (measured, and pinned by tests): it assigns its "positive" label to the
//! more frequent class, so its coefficients may be those of `P(y = false)`; its gradient
//! tolerance applies to the L2 norm of the *summed* gradient; it never reports the number of
//! iterations or whether it converged. So: orient by `labels()`, scale the tolerance by n, and
//! check the gradient ourselves with one pass, which also gives the Hessian for the covariance.

use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{s, Array1};

use super::cholesky::Cholesky;
use super::newton::{column_sd_of, singular_error, SEPARATION_MOVE};
use super::objective::{objective, penalise, scaled_max_abs};
use super::rows::Rows;
use super::{separation, LogisticFit, Problem, SolverKind};
use crate::error::{Error, Result};

/// A scaled gradient this many times the tolerance is not "nearly converged" but a failure.
const FAR_FACTOR: f64 = 100.0;

pub(super) fn fit(prob: &Problem, max_iter: usize, tol: f64) -> Result<LogisticFit> {
    // linfa's L-BFGS needs a matrix: a design of codes is expanded here, and only here (the
    // Newton solver never does).
    let Rows::Codes(design) = prob.rows else {
        return fit_dense(prob, max_iter, tol);
    };
    let x = design.to_dense();
    let dense = Problem {
        rows: Rows::Dense(x.view()),
        y: prob.y.reborrow(),
        alpha: prob.alpha,
        names: prob.names.clone(),
    };
    fit_dense(&dense, max_iter, tol)
}

fn fit_dense(prob: &Problem, max_iter: usize, tol: f64) -> Result<LogisticFit> {
    let (n, p, alpha) = (prob.n(), prob.p(), prob.alpha);
    let Rows::Dense(x) = prob.rows else {
        unreachable!("fit_dense is given a matrix")
    };
    let dataset = DatasetBase::new(x, prob.y);
    let model = LogisticRegression::<f64>::default()
        .alpha(alpha)
        .max_iterations(max_iter as u64)
        .gradient_tolerance(tol * n as f64)
        .fit(&dataset)
        .map_err(|e| match e {
            linfa_logistic::error::Error::LinfaError(e) => Error::Linfa(e),
            failure => Error::Lbfgs { failure },
        })?;
    // `predict_probabilities` and `params` refer to `labels().pos.class`.
    let sign = if model.labels().pos.class { 1.0 } else { -1.0 };
    let mut beta = Array1::<f64>::zeros(p + 1);
    beta[0] = sign * model.intercept();
    beta.slice_mut(s![1..]).assign(&(model.params() * sign));
    if beta.iter().any(|v| !v.is_finite()) {
        return Err(Error::LbfgsNonFinite);
    }

    let st = prob.pass(&beta, None, true);
    let (g, h) = penalise(&st.grad, &st.hess, &beta, alpha);
    let gradient_norm = scaled_max_abs(&g, n);
    let converged = gradient_norm <= tol;
    if alpha == 0.0 && st.loss < 0.5 {
        return Err(separation::completely_separated(
            "L-BFGS",
            -st.loss,
            beta.slice(s![1..]),
            &column_sd_of(prob),
            &prob.names,
        ));
    }
    let chol =
        Cholesky::new(&h).ok_or_else(|| singular_error(prob, st.n_extreme, beta.slice(s![1..])))?;
    if alpha == 0.0 {
        // L-BFGS stops happily on separated data once the gradient has decayed. A Newton step
        // from its answer tells: at a true optimum it moves no linear predictor noticeably, in
        // a direction of separation it moves the separated rows by about 1.
        let step = chol.solve(&g);
        let decrement = 0.5 * g.dot(&step);
        let scale = objective(st.loss, &beta, alpha).abs().max(1.0);
        let probe = prob.pass(&(&beta + &step), Some(&step), false);
        if decrement < 1e-6 * scale && probe.max_step_eta > SEPARATION_MOVE {
            let sd = column_sd_of(prob);
            return Err(separation::quasi_separated_after_lbfgs(
                probe.max_step_eta,
                step.slice(s![1..]),
                &sd,
                &prob.names,
            ));
        }
    }
    if !converged && gradient_norm > FAR_FACTOR * tol {
        return Err(Error::NotConverged {
            solver: SolverKind::Lbfgs.to_string(),
            iterations: max_iter,
            gradient_norm,
        });
    }
    Ok(LogisticFit {
        intercept: beta[0],
        coef: beta.slice(s![1..]).to_owned(),
        iterations: 0,
        converged,
        log_likelihood: -st.loss,
        gradient_norm,
        covariance: chol.inverse(),
        solver: SolverKind::Lbfgs,
        firth: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fit_with, simulate};
    use super::super::{LogisticParams, SolverKind};
    use linfa::traits::Fit;
    use linfa::Dataset;

    /// linfa-logistic labels the more frequent class "positive". Pin that (so an upstream change
    /// is noticed) and check the wrapper orients by `labels()` either way.
    #[test]
    fn lbfgs_orientation_for_minority_and_majority_positives() {
        for (intercept, positive_is_majority) in [(-2.0, false), (2.0, true)] {
            let (x, y) = simulate(4000, intercept, &[1.5, -0.8], 51);
            let share = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
            assert_eq!(share > 0.5, positive_is_majority);

            let raw = linfa_logistic::LogisticRegression::<f64>::default()
                .alpha(0.0)
                .fit(&Dataset::new(x.clone(), y.clone()))
                .unwrap();
            assert_eq!(
                raw.labels().pos.class,
                positive_is_majority,
                "linfa-logistic changed its label order"
            );

            let fit = fit_with(LogisticParams::new().solver(SolverKind::Lbfgs), &x, &y).unwrap();
            let newton = fit_with(LogisticParams::new(), &x, &y).unwrap();
            assert!(fit.coef[0] > 0.0 && fit.coef[1] < 0.0, "{:?}", fit.coef);
            assert!((fit.intercept - intercept).abs() < 0.3, "{}", fit.intercept);
            assert!((fit.intercept - newton.intercept).abs() < 1e-4);
            // At the MLE with an intercept, fitted probabilities sum to the number of positives.
            let probs = fit.predict_probability(x.view());
            assert!((probs.mean().unwrap() - share).abs() < 1e-6);
            let high = probs
                .iter()
                .zip(&y)
                .filter(|(_, &v)| v)
                .map(|(p, _)| p)
                .sum::<f64>();
            let low = probs
                .iter()
                .zip(&y)
                .filter(|(_, &v)| !v)
                .map(|(p, _)| p)
                .sum::<f64>();
            let n_pos = y.iter().filter(|&&v| v).count() as f64;
            assert!(high / n_pos > low / (y.len() as f64 - n_pos));
        }
    }
}
