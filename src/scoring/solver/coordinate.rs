//! Elastic net and lasso: IRLS with cyclic coordinate descent on each quadratic model.
//!
//! The objective is the summed log loss plus
//! `alpha * (l1_ratio * |b|_1 + (1 - l1_ratio) / 2 * |b|^2)`, intercept unpenalised: the ridge
//! objective of the Newton solver when `l1_ratio = 0`, on the same (summed, not mean) scale.
//!
//! Each outer iteration makes one pass over the rows (the same deterministic pass as Newton:
//! fixed blocks, fixed reduction tree), which gives the gradient `g` and the Hessian `H` of the
//! log likelihood at `b`. The penalised quadratic model
//! `-g'(z - b) + (z - b)' H (z - b) / 2 + penalty(z)` is then minimised over `z` by cyclic
//! coordinate descent with soft-thresholding, working on `H` itself (glmnet's "covariance
//! updates"), so the inner loop costs `O(p)` per coordinate whatever the number of rows and is
//! identical for a dense matrix and for a design with categorical codes. Sweeps alternate
//! between all coordinates and the current nonzero ones (active-set cycling). The step from `b`
//! to `z` is accepted with an Armijo backtracking test on the true penalised objective, so every
//! iteration decreases it (a proximal Newton method). Iteration stops when the KKT conditions
//! hold to the tolerance: `max` over coordinates of the subgradient violation, divided by `n`.
//! Everything after the pass is sequential, so results are bit-identical for any thread count.

use ndarray::{s, Array1, Array2, ArrayView1};

use super::cholesky::Cholesky;
use super::newton::PassStats;
use super::{LogisticFit, Problem, SolverKind};
use crate::error::{Error, Result};
use crate::scoring::design::Design;

/// The coordinate solver's default tolerance on `max KKT violation / n`.
pub const COORDINATE_DEFAULT_TOLERANCE: f64 = 1e-12;

/// Most backtracking halvings of one proximal Newton step.
const MAX_HALVINGS: usize = 40;

/// Armijo constant: the accepted step must achieve this share of the predicted decrease.
const ARMIJO: f64 = 1e-4;

/// Most coordinate sweeps per quadratic model; a model not solved by then still gives a descent
/// direction, and the outer KKT test decides convergence.
const MAX_SWEEPS: usize = 20_000;

/// The two penalty strengths of an elastic net: `l1 = alpha * l1_ratio`,
/// `l2 = alpha * (1 - l1_ratio)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Penalty {
    pub l1: f64,
    pub l2: f64,
}

impl Penalty {
    pub fn new(alpha: f64, l1_ratio: f64) -> Penalty {
        Penalty {
            l1: alpha * l1_ratio,
            l2: alpha * (1.0 - l1_ratio),
        }
    }

    /// The penalty at `beta` (intercept first, not penalised).
    pub fn value(&self, beta: &Array1<f64>) -> f64 {
        let c = beta.slice(s![1..]);
        self.l1 * c.mapv(f64::abs).sum() + 0.5 * self.l2 * c.dot(&c)
    }

    /// The largest violation of the KKT conditions, given the log likelihood's gradient `grad`
    /// (ascent direction, intercept first) at `beta`: `|grad_0|` for the intercept; for a
    /// nonzero coefficient `|grad_j - l2 b_j - l1 sign(b_j)|`; for a zero one
    /// `max(0, |grad_j| - l1)`.
    pub fn kkt_violation(&self, grad: &Array1<f64>, beta: &Array1<f64>) -> f64 {
        let mut worst = grad[0].abs();
        for j in 1..beta.len() {
            let (g, b) = (grad[j], beta[j]);
            let v = if b != 0.0 {
                (g - self.l2 * b - self.l1 * b.signum()).abs()
            } else {
                (g.abs() - self.l1).max(0.0)
            };
            worst = worst.max(v);
        }
        worst
    }
}

/// `alpha_max` for `l1_ratio`: the smallest alpha at which every coefficient is exactly zero,
/// `max_j |grad_j| / l1_ratio` at the intercept-only fit.
pub(crate) fn alpha_max(prob: &Problem, l1_ratio: f64) -> f64 {
    let beta = null_beta(prob);
    let st = prob.pass(&beta, None, true);
    let g = st.grad.slice(s![1..]);
    g.iter().fold(0.0f64, |m, v| m.max(v.abs())) / l1_ratio
}

/// The intercept-only solution: `logit(mean y)`, every coefficient zero.
fn null_beta(prob: &Problem) -> Array1<f64> {
    let n = prob.n();
    let ybar = prob.y.iter().filter(|&&v| v).count() as f64 / n as f64;
    let mut beta = Array1::<f64>::zeros(prob.p() + 1);
    beta[0] = (ybar / (1.0 - ybar)).ln();
    beta
}

/// Fits the elastic net at `alpha` and `l1_ratio` (both > 0), from `start` (intercept first)
/// or from the intercept-only solution.
///
/// # Errors
/// [`Error::NotConverged`] when `max_iter` outer iterations do not reach the tolerance,
/// [`Error::StepHalving`] when no step decreases the objective.
pub(crate) fn fit(
    prob: &Problem,
    alpha: f64,
    l1_ratio: f64,
    max_iter: usize,
    tol: f64,
    start: Option<&Array1<f64>>,
) -> Result<LogisticFit> {
    let n = prob.n();
    let pen = Penalty::new(alpha, l1_ratio);
    let mut beta = start.cloned().unwrap_or_else(|| null_beta(prob));
    let mut st = prob.pass(&beta, None, true);
    let mut iterations = 0usize;
    loop {
        let violation = pen.kkt_violation(&st.grad, &beta) / n as f64;
        if violation <= tol {
            break;
        }
        if iterations >= max_iter {
            return Err(Error::NotConverged {
                solver: "coordinate descent".into(),
                iterations,
                gradient_norm: violation,
            });
        }
        let obj0 = st.loss + pen.value(&beta);
        let z = minimise_model(&st, &beta, pen, tol * n as f64);
        let d = &z - &beta;
        // Predicted decrease of a proximal Newton step (without its curvature term), the
        // quantity Armijo's test compares against.
        let pred = -st.grad.dot(&d) + pen.value(&z) - pen.value(&beta);
        // Rounding noise in a sum of n log-loss terms.
        let noise = 1e-12 * obj0.abs().max(1.0);
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..=MAX_HALVINGS {
            let cand = &beta + &(&d * t);
            let o = prob.pass(&cand, None, false);
            if o.loss + pen.value(&cand) <= obj0 + ARMIJO * t * pred.min(0.0) + noise {
                accepted = Some(cand);
                break;
            }
            t *= 0.5;
        }
        let Some(cand) = accepted else {
            return Err(Error::StepHalving {
                halvings: MAX_HALVINGS,
                iteration: iterations + 1,
            });
        };
        iterations += 1;
        if cand == beta {
            // The model's minimiser is the current point to the last bit, yet the KKT test
            // failed: more iterations cannot help.
            return Err(Error::NotConverged {
                solver: "coordinate descent".into(),
                iterations,
                gradient_norm: violation,
            });
        }
        beta = cand;
        st = prob.pass(&beta, None, true);
    }
    let violation = pen.kkt_violation(&st.grad, &beta) / n as f64;
    Ok(LogisticFit {
        intercept: beta[0],
        coef: beta.slice(s![1..]).to_owned(),
        iterations,
        converged: true,
        log_likelihood: -st.loss,
        gradient_norm: violation,
        covariance: active_covariance(&st.hess, &beta, pen.l2),
        solver: SolverKind::Newton,
        firth: None,
    })
}

/// Minimises the penalised quadratic model at `beta` by cyclic coordinate descent, stopping
/// when no coordinate moves its own gradient by more than a tenth of `grad_tol` in a full
/// sweep (or after [`MAX_SWEEPS`]).
fn minimise_model(st: &PassStats, beta: &Array1<f64>, pen: Penalty, grad_tol: f64) -> Array1<f64> {
    let h = &st.hess;
    let q = beta.len();
    let mut z = beta.clone();
    // hd = H (z - beta), kept up to date coordinate by coordinate.
    let mut hd = Array1::<f64>::zeros(q);
    let stop = 0.1 * grad_tol;
    let mut full = true;
    let mut sweeps = 0usize;
    while sweeps < MAX_SWEEPS {
        sweeps += 1;
        let mut biggest = 0.0f64;
        let mut changed_support = false;
        for j in 0..q {
            let old = z[j];
            if !full && j > 0 && old == 0.0 {
                continue;
            }
            let hjj = h[[j, j]];
            // Gradient of the smooth part of the model in coordinate j, minimisation sign.
            let qj = -st.grad[j] + hd[j];
            let new = if j == 0 {
                if hjj > 0.0 {
                    old - qj / hjj
                } else {
                    old
                }
            } else {
                let denom = hjj + pen.l2;
                if denom > 0.0 {
                    soft_threshold(hjj * old - qj, pen.l1) / denom
                } else {
                    0.0
                }
            };
            let delta = new - old;
            if delta != 0.0 {
                changed_support |= (old == 0.0) != (new == 0.0);
                z[j] = new;
                let row = h.row(j);
                hd.zip_mut_with(&row, |a, &hij| *a += hij * delta);
                biggest = biggest.max(delta.abs() * hjj.max(pen.l2));
            }
        }
        if biggest <= stop {
            if full && !changed_support {
                break;
            }
            // The active set has settled: check it with a sweep over every coordinate.
            full = true;
        } else {
            // Cycle the nonzero coordinates until they settle, then sweep all again.
            full = false;
        }
    }
    z
}

/// `sign(u) * max(|u| - t, 0)`.
pub(crate) fn soft_threshold(u: f64, t: f64) -> f64 {
    if u > t {
        u - t
    } else if u < -t {
        u + t
    } else {
        0.0
    }
}

/// The inverse of the penalised Hessian restricted to the intercept and the nonzero
/// coefficients, zero elsewhere: a description of the fit's local curvature, not a basis for
/// intervals (the lasso's zeros have no sampling distribution of this form). NaN where the
/// restricted Hessian cannot be factorised.
fn active_covariance(hess: &Array2<f64>, beta: &Array1<f64>, l2: f64) -> Array2<f64> {
    let q = beta.len();
    let active: Vec<usize> = (0..q).filter(|&j| j == 0 || beta[j] != 0.0).collect();
    let m = active.len();
    let sub = Array2::from_shape_fn((m, m), |(a, b)| {
        let (i, j) = (active[a], active[b]);
        hess[[i, j]] + if i == j && i > 0 { l2 } else { 0.0 }
    });
    let mut cov = Array2::<f64>::zeros((q, q));
    match Cholesky::new(&sub) {
        Some(c) => {
            let inv = c.inverse();
            for (a, &i) in active.iter().enumerate() {
                for (b, &j) in active.iter().enumerate() {
                    cov[[i, j]] = inv[[a, b]];
                }
            }
        }
        None => {
            for &i in &active {
                for &j in &active {
                    cov[[i, j]] = f64::NAN;
                }
            }
        }
    }
    cov
}

impl super::ValidLogisticParams {
    /// `alpha_max` of this `l1_ratio` on a design: the smallest alpha whose elastic-net fit has
    /// every coefficient exactly zero.
    ///
    /// # Errors
    /// [`Error::InvalidHyperparameter`] when `l1_ratio` is 0 (a ridge penalty never zeroes a
    /// coefficient), [`Error::TargetLength`], [`Error::OneClass`].
    pub fn alpha_max_design<'a>(&self, design: &'a Design, y: ArrayView1<'a, bool>) -> Result<f64> {
        let prob = self.path_problem(design, y)?;
        Ok(alpha_max(&prob, self.l1_ratio))
    }

    /// Elastic-net fits at each of `alphas` (in the order given, best from largest to
    /// smallest), each started from the previous solution (a warm-started path, as glmnet
    /// computes it). The `alpha` of `self` is not used. A failed fit does not stop the path:
    /// the next one starts from the last success.
    ///
    /// # Errors
    /// As [`alpha_max_design`](Self::alpha_max_design), for the whole path.
    pub fn fit_design_path<'a>(
        &self,
        design: &'a Design,
        y: ArrayView1<'a, bool>,
        alphas: &[f64],
    ) -> Result<Vec<Result<LogisticFit>>> {
        let prob = self.path_problem(design, y)?;
        let tol = self.tolerance.unwrap_or(COORDINATE_DEFAULT_TOLERANCE);
        let mut start: Option<Array1<f64>> = None;
        let mut out = Vec::with_capacity(alphas.len());
        for &alpha in alphas {
            if !(alpha.is_finite() && alpha > 0.0) {
                return Err(Error::InvalidHyperparameter {
                    name: "alpha",
                    value: alpha,
                    expected: "a path's alphas must be finite and > 0",
                });
            }
            let r = fit(
                &prob,
                alpha,
                self.l1_ratio,
                self.max_iter(),
                tol,
                start.as_ref(),
            );
            if let Ok(f) = &r {
                start = Some(
                    std::iter::once(f.intercept)
                        .chain(f.coef.iter().copied())
                        .collect(),
                );
            }
            out.push(r);
        }
        Ok(out)
    }

    fn path_problem<'a>(&self, design: &'a Design, y: ArrayView1<'a, bool>) -> Result<Problem<'a>> {
        if self.l1_ratio <= 0.0 {
            return Err(Error::InvalidHyperparameter {
                name: "l1_ratio",
                value: self.l1_ratio,
                expected: "a path needs an L1 part: l1_ratio in (0, 1]",
            });
        }
        let n = design.rows();
        if y.len() != n {
            return Err(Error::TargetLength {
                targets: y.len(),
                rows: n,
            });
        }
        let positives = y.iter().filter(|&&v| v).count();
        if positives == 0 || positives == n {
            return Err(Error::OneClass { positives, rows: n });
        }
        Ok(Problem {
            rows: super::rows::Rows::Codes(design),
            y,
            alpha: self.alpha,
            names: (0..design.ncols()).map(|j| format!("x{j}")).collect(),
        })
    }
}
