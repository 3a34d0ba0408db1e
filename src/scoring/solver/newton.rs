//! Newton/IRLS for the penalised logistic objective.
//!
//! Every iteration is one pass over the rows, in fixed blocks of `blocks::BLOCK_ROWS` rows. A
//! block builds `Z = sqrt(w) .* [1, X_b]` (the intercept column exists only in this scratch
//! buffer) and gets its Hessian contribution as the matrix product `Z'Z`, its gradient as
//! `r' X_b`. Blocks run in parallel but are combined in a binary tree whose shape depends only
//! on the number of blocks (`blocks.rs`), so the floating-point result does not depend on the
//! number of threads.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2};

use super::blocks::{block_count, block_range, reduce_blocks};
use super::cholesky::Cholesky;
use super::objective::{objective, penalise, scaled_max_abs};
use super::{separation, LogisticFit, Problem, SolverKind};
use crate::error::{Error, Result};

/// Rows per sub-chunk inside a block (fixed as well: it too determines the summation order).
const SUB_ROWS: usize = 1024;

/// A row whose linear predictor exceeds this in magnitude has a fitted probability within
/// 1e-13 of 0 or 1: a symptom of separation when coefficients keep growing.
const EXTREME_ETA: f64 = 30.0;

/// A Newton step that moves some linear predictor by more than this although the decrement is
/// negligible is heading off to infinity along a direction of separation. At a genuine optimum
/// the last step moves linear predictors by ~1e-5 or less; along a separating direction by ~1.
pub(super) const SEPARATION_MOVE: f64 = 0.25;

/// Most step halvings before giving up on a Newton direction.
const MAX_HALVINGS: usize = 40;

/// Sums over all rows at one coefficient vector.
#[derive(Debug, Clone)]
pub(crate) struct PassStats {
    /// Summed negative log likelihood.
    pub loss: f64,
    /// Gradient of the log likelihood, `[1, X]' (y - mu)`, intercept first (empty if not full).
    pub grad: Array1<f64>,
    /// `[1, X]' W [1, X]` (empty if not full).
    pub hess: Array2<f64>,
    /// `max_i |[1, x_i] . step|`: how far the last step moved any linear predictor.
    pub max_step_eta: f64,
    /// Rows with `|eta| > EXTREME_ETA`.
    pub n_extreme: usize,
}

impl From<crate::scoring::design::PassStats> for PassStats {
    fn from(s: crate::scoring::design::PassStats) -> PassStats {
        PassStats {
            loss: s.loss,
            grad: s.grad,
            hess: s.hess,
            max_step_eta: s.max_step_eta,
            n_extreme: s.n_extreme,
        }
    }
}

impl PassStats {
    fn merge(mut self, other: PassStats) -> PassStats {
        self.loss += other.loss;
        if !self.grad.is_empty() {
            self.grad += &other.grad;
            self.hess += &other.hess;
        }
        self.max_step_eta = self.max_step_eta.max(other.max_step_eta);
        self.n_extreme += other.n_extreme;
        self
    }
}

/// One pass at `beta` (intercept first). `step`, if given, is the step that led to `beta`, for
/// `max_step_eta`. Without `full`, only the loss (and the counters) are computed.
pub(super) fn pass(
    x: ArrayView2<f64>,
    y: ArrayView1<bool>,
    beta: &Array1<f64>,
    step: Option<&Array1<f64>>,
    full: bool,
) -> PassStats {
    let n = x.nrows();
    let coef = beta.slice(s![1..]);
    let step_coef = step.map(|st| st.slice(s![1..]));
    let (b0, s0) = (beta[0], step.map_or(0.0, |st| st[0]));
    reduce_blocks(
        0,
        block_count(n),
        &|blk| {
            let rows = block_range(blk, n);
            block_pass(
                x.slice(s![rows.clone(), ..]),
                y.slice(s![rows]),
                coef,
                step_coef,
                b0,
                s0,
                full,
            )
        },
        &PassStats::merge,
    )
}

fn block_pass(
    xb: ArrayView2<f64>,
    yb: ArrayView1<bool>,
    coef: ArrayView1<f64>,
    step: Option<ArrayView1<f64>>,
    b0: f64,
    s0: f64,
    full: bool,
) -> PassStats {
    let (m, p) = xb.dim();
    // Sub-chunks keep a chunk of X and its scratch in L2 between the row loop and the Hessian
    // product that read it; the pass then streams X from memory once.
    let sub = SUB_ROWS.min(m).max(1);
    let q = if full { p + 1 } else { 0 };
    let mut z = Array2::<f64>::zeros((if full { sub } else { 0 }, p + 1));
    let mut hess = Array2::<f64>::zeros((q, q));
    let mut grad = Array1::<f64>::zeros(q);
    let mut chunk_grad = Array1::<f64>::zeros(q);
    let mut loss = 0.0;
    let mut max_step_eta = 0.0f64;
    let mut n_extreme = 0usize;
    for lo in (0..m).step_by(sub) {
        let hi = (lo + sub).min(m);
        let xc = xb.slice(s![lo..hi, ..]);
        chunk_grad.fill(0.0);
        for (i, xrow) in xc.rows().into_iter().enumerate() {
            let eta = xrow.dot(&coef) + b0;
            if let Some(st) = step {
                max_step_eta = max_step_eta.max((xrow.dot(&st) + s0).abs());
            }
            let abs_eta = eta.abs();
            n_extreme += (abs_eta > EXTREME_ETA) as usize;
            // ex = exp(-|eta|) serves the loss, the probability and the weight without overflow.
            let ex = (-abs_eta).exp();
            let yi = yb[lo + i];
            // Loss = softplus(t) with t = -eta for a positive row, eta for a negative one.
            let t = if yi { -eta } else { eta };
            loss += t.max(0.0) + ex.ln_1p();
            if full {
                let denom = 1.0 + ex;
                // sigmoid(eta) and sigmoid(-eta), each computed without cancellation.
                let (mu, one_minus_mu) = if eta >= 0.0 {
                    (1.0 / denom, ex / denom)
                } else {
                    (ex / denom, 1.0 / denom)
                };
                let r = if yi { one_minus_mu } else { -mu };
                let sw = ex.sqrt() / denom; // sqrt(mu (1 - mu))
                let mut zrow = z.row_mut(i);
                match (
                    zrow.as_slice_mut(),
                    xrow.as_slice(),
                    chunk_grad.as_slice_mut(),
                ) {
                    (Some(zs), Some(xs), Some(gs)) => {
                        zs[0] = sw;
                        gs[0] += r;
                        for ((zv, gv), &xv) in zs[1..].iter_mut().zip(&mut gs[1..]).zip(xs) {
                            *zv = xv * sw;
                            *gv += r * xv;
                        }
                    }
                    _ => {
                        zrow[0] = sw;
                        chunk_grad[0] += r;
                        for (j, &xv) in xrow.iter().enumerate() {
                            zrow[j + 1] = xv * sw;
                            chunk_grad[j + 1] += r * xv;
                        }
                    }
                }
            }
        }
        if full {
            let zc = z.slice(s![..hi - lo, ..]);
            general_mat_mul(1.0, &zc.t(), &zc, 1.0, &mut hess);
            grad += &chunk_grad;
        }
    }
    PassStats {
        loss,
        grad,
        hess,
        max_step_eta,
        n_extreme,
    }
}

/// Column standard deviations from the Hessian at the starting point, where every row has the
/// same weight: ranks features by their effect on the linear predictor, for error messages.
fn column_sd(hess0: &Array2<f64>) -> Vec<f64> {
    let h00 = hess0[[0, 0]];
    (1..hess0.nrows())
        .map(|j| {
            let mean = hess0[[0, j]] / h00;
            (hess0[[j, j]] / h00 - mean * mean).max(0.0).sqrt()
        })
        .collect()
}

/// Column standard deviations of `x` (for ranking features in messages), via one pass at the
/// intercept-only starting point.
pub(super) fn column_sd_of(prob: &Problem) -> Vec<f64> {
    let y = prob.y;
    let mut beta = Array1::<f64>::zeros(prob.p() + 1);
    let ybar = y.iter().filter(|&&v| v).count() as f64 / y.len().max(1) as f64;
    beta[0] = (ybar / (1.0 - ybar)).ln();
    column_sd(&prob.pass(&beta, None, true).hess)
}

/// Error for a Hessian that cannot be factorised: collinear columns if there are any, else
/// separation if probabilities have hit 0/1 without a penalty (naming the features that weigh
/// most in `direction`, coefficient part only), else [`Error::NotPositiveDefinite`].
pub(super) fn singular_error(
    prob: &Problem,
    n_extreme: usize,
    direction: ArrayView1<f64>,
) -> Error {
    let collinear = prob.rows.collinear();
    if !collinear.is_empty() {
        return Error::Collinear {
            columns: collinear.iter().map(|&j| prob.names[j].clone()).collect(),
        };
    }
    if prob.alpha == 0.0 && n_extreme > 0 {
        let sd = column_sd_of(prob);
        return separation::singular_at_extremes(n_extreme, direction, &sd, &prob.names);
    }
    Error::NotPositiveDefinite
}

/// Fits by Newton's method with step halving. See the module documentation.
pub(super) fn fit(prob: &Problem, max_iter: usize, tol: f64) -> Result<LogisticFit> {
    let (y, alpha, n) = (prob.y, prob.alpha, prob.n());
    let positives = y.iter().filter(|&&v| v).count();
    let ybar = positives as f64 / n as f64;
    let mut beta = Array1::<f64>::zeros(prob.p() + 1);
    beta[0] = (ybar / (1.0 - ybar)).ln();
    let mut st = prob.start_pass(&beta);
    let col_sd = column_sd(&st.hess);
    let mut last_step = Array1::<f64>::zeros(prob.p() + 1);
    let mut iterations = 0usize;
    // Consecutive iterations with a negligible decrement but a large move: separation.
    let mut flat_run = 0usize;
    // Consecutive iterations in which both the number of rows with probabilities of 0 or 1 and
    // the largest move of a linear predictor grew: coefficients running off to infinity. (Near
    // a finite optimum Newton's moves shrink.)
    let mut growth_run = 0usize;
    let (mut prev_extreme, mut prev_moved) = (0usize, f64::INFINITY);
    loop {
        let (g, h) = penalise(&st.grad, &st.hess, &beta, alpha);
        let chol = Cholesky::new(&h)
            .ok_or_else(|| singular_error(prob, st.n_extreme, last_step.slice(s![1..])))?;
        let step = chol.solve(&g);
        let obj0 = objective(st.loss, &beta, alpha);
        let scale = obj0.abs().max(1.0);
        // Newton decrement: the objective decrease the quadratic model predicts.
        let dec = 0.5 * g.dot(&step);
        let converging = dec <= tol * scale;
        if !converging && iterations >= max_iter {
            if alpha == 0.0 && st.n_extreme > 0 && (flat_run > 0 || growth_run > 0) {
                return Err(separation::quasi_separated(
                    st.n_extreme,
                    last_step.slice(s![1..]),
                    &col_sd,
                    &prob.names,
                ));
            }
            return Err(Error::NotConverged {
                solver: SolverKind::Newton.to_string(),
                iterations,
                gradient_norm: scaled_max_abs(&g, n),
            });
        }
        // Rounding noise in a sum of n log-loss terms; a step within it is not an ascent.
        let noise = 1e-12 * scale;
        let trial_beta = &beta + &step;
        let trial = prob.pass(&trial_beta, Some(&step), true);
        let moved = trial.max_step_eta;
        if objective(trial.loss, &trial_beta, alpha) <= obj0 + noise {
            beta = trial_beta;
            st = trial;
            last_step = step.clone();
            iterations += 1;
        } else if !converging {
            let mut t = 1.0;
            let mut accepted = false;
            for _ in 0..MAX_HALVINGS {
                t *= 0.5;
                let half_step = &step * t;
                let half_beta = &beta + &half_step;
                let o = prob.pass(&half_beta, None, false);
                if objective(o.loss, &half_beta, alpha) <= obj0 + noise {
                    st = prob.pass(&half_beta, Some(&half_step), true);
                    beta = half_beta;
                    last_step = half_step;
                    accepted = true;
                    break;
                }
            }
            if !accepted {
                return Err(Error::StepHalving {
                    halvings: MAX_HALVINGS,
                    iteration: iterations + 1,
                });
            }
            iterations += 1;
        }
        // (A rejected step while converging means we are already at the optimum to rounding.)

        if alpha == 0.0 {
            // A total loss below ln 2 means every row is on its correct side of eta = 0.
            if st.loss < 0.5 {
                return Err(separation::completely_separated(
                    "the fit",
                    -st.loss,
                    beta.slice(s![1..]),
                    &col_sd,
                    &prob.names,
                ));
            }
            if converging {
                if moved > SEPARATION_MOVE {
                    return Err(separation::quasi_separated(
                        st.n_extreme,
                        step.slice(s![1..]),
                        &col_sd,
                        &prob.names,
                    ));
                }
            } else {
                flat_run = if dec < 1e-6 * scale && st.max_step_eta > 0.5 {
                    flat_run + 1
                } else {
                    0
                };
                let growing = st.n_extreme > prev_extreme && st.max_step_eta > prev_moved;
                growth_run = if growing { growth_run + 1 } else { 0 };
                (prev_extreme, prev_moved) = (st.n_extreme, st.max_step_eta);
                if flat_run >= 3 || growth_run >= 3 {
                    return Err(separation::quasi_separated(
                        st.n_extreme,
                        last_step.slice(s![1..]),
                        &col_sd,
                        &prob.names,
                    ));
                }
            }
        }
        if converging {
            break;
        }
    }
    let (g, h) = penalise(&st.grad, &st.hess, &beta, alpha);
    let chol =
        Cholesky::new(&h).ok_or_else(|| singular_error(prob, st.n_extreme, beta.slice(s![1..])))?;
    Ok(LogisticFit {
        intercept: beta[0],
        coef: beta.slice(s![1..]).to_owned(),
        iterations,
        converged: true,
        log_likelihood: -st.loss,
        gradient_norm: scaled_max_abs(&g, n),
        covariance: chol.inverse(),
        solver: SolverKind::Newton,
        firth: None,
    })
}
