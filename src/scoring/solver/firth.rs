//! Firth's bias-reduced logistic regression (Firth 1993; Heinze and Schemper 2002).
//!
//! The estimate maximises the penalised log likelihood `l*(b) = l(b) + 1/2 ln det I(b)`, with
//! `I(b) = [1, X]' W [1, X]` the Fisher information (Jeffreys' prior as the penalty). Its
//! gradient is the modified score `U*(b) = [1, X]'(y - mu + h (1/2 - mu))`, `h` the diagonal
//! of the hat matrix. Each iteration takes the Fisher-scoring step `I(b)^-1 U*(b)` and halves
//! it until `l*` does not decrease, as R's `logistf` does by default; the maximum is finite
//! even when the classes are separated, so separation is not an error here.
//!
//! One iteration is a Newton pass (loss, gradient, `I`), a Cholesky factorisation of `I` (its
//! pivots give `ln det I`), and a hat pass for the correction `[1, X]'(h (1/2 - mu))`: on the
//! dense design from `Z V` per block (`Z = [1, X_b]`, `V = I^-1`), on the categorical design
//! from the raw rows' nonzeros ([`Design::firth_correction`]). Both sum over fixed blocks in a
//! fixed tree, so fits are bit-identical for any number of threads.
//!
//! The same iteration under one linear constraint `c'b = t` (the free directions are those
//! with `c'd = 0`) gives the profile penalised likelihood that `profile.rs` turns into
//! intervals and likelihood-ratio tests. The penalty is invariant to the affine map of
//! standardisation up to a constant, so the fit on standardised columns is the fit on the
//! original ones, mapped.
//!
//! [`Design::firth_correction`]: crate::scoring::design::Design::firth_correction

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2};

use super::blocks::{block_count, block_range, reduce_blocks};
use super::cholesky::Cholesky;
use super::objective::scaled_max_abs;
use super::{LogisticFit, Problem, SolverKind};
use crate::error::{Error, Result};

/// Most step halvings per iteration before giving up on a direction.
const MAX_HALVINGS: usize = 40;

/// Largest move of any standardised coefficient in one step (logistf caps steps at 5 too): a
/// first step from the intercept-only start on separated data would otherwise jump far along
/// the separating direction, where the weights underflow.
const MAX_STEP: f64 = 5.0;

/// Rows per sub-chunk of a dense block (fixed: it fixes the summation order).
const SUB_ROWS: usize = 1024;

/// A linear constraint `c'b = t` on the standardised coefficients (intercept first). `pivot`
/// is the index with the largest `|c|`, solved for so that the constraint holds exactly.
#[derive(Debug, Clone)]
pub(super) struct Constraint {
    pub c: Array1<f64>,
    pub t: f64,
    pivot: usize,
}

impl Constraint {
    pub fn new(c: Array1<f64>, t: f64) -> Constraint {
        let pivot = (0..c.len())
            .max_by(|&a, &b| c[a].abs().total_cmp(&c[b].abs()))
            .expect("a constraint has coefficients");
        Constraint { c, t, pivot }
    }

    /// `beta` with its pivot coordinate set so that `c' beta = t` exactly.
    fn impose(&self, beta: &mut Array1<f64>) {
        let k = self.pivot;
        let rest: f64 = (0..beta.len())
            .filter(|&j| j != k)
            .map(|j| self.c[j] * beta[j])
            .sum();
        beta[k] = (self.t - rest) / self.c[k];
    }
}

/// The penalised objective and what a step needs, at one coefficient vector.
struct Point {
    beta: Array1<f64>,
    /// Summed negative log likelihood.
    loss: f64,
    grad: Array1<f64>,
    hess: Array2<f64>,
    chol: Cholesky,
    /// `-l*(b) = loss - 1/2 ln det I`, minimised.
    objective: f64,
}

fn point(prob: &Problem, beta: Array1<f64>) -> Option<Point> {
    let st = prob.pass(&beta, None, true);
    let chol = Cholesky::new(&st.hess)?;
    let objective = st.loss - 0.5 * chol.log_det();
    objective.is_finite().then_some(Point {
        beta,
        loss: st.loss,
        grad: st.grad,
        hess: st.hess,
        chol,
        objective,
    })
}

/// A converged (possibly constrained) Firth fit.
pub(super) struct FirthFit {
    pub beta: Array1<f64>,
    /// `-l*` at the solution.
    pub objective: f64,
    pub loss: f64,
    /// `I(b)^-1` at the solution.
    pub covariance: Array2<f64>,
    /// The modified score at the solution (unconstrained coordinates).
    pub score: Array1<f64>,
    pub iterations: usize,
}

/// Why the information matrix is singular: collinear columns if there are any.
fn singular(prob: &Problem) -> Error {
    let collinear = prob.rows.collinear();
    if collinear.is_empty() {
        Error::NotPositiveDefinite
    } else {
        Error::Collinear {
            columns: collinear.iter().map(|&j| prob.names[j].clone()).collect(),
        }
    }
}

/// Maximises `l*` from `start`, under `constraint` if given (`start` is made to satisfy it).
pub(super) fn maximise(
    prob: &Problem,
    mut start: Array1<f64>,
    constraint: Option<&Constraint>,
    max_iter: usize,
    tol: f64,
) -> Result<FirthFit> {
    if let Some(c) = constraint {
        c.impose(&mut start);
    }
    let mut pt = point(prob, start).ok_or_else(|| singular(prob))?;
    let mut iterations = 0usize;
    loop {
        let cov = pt.chol.inverse();
        let score = &pt.grad + &prob.rows.firth_correction(&pt.beta, &cov);
        let (g, h) = match constraint {
            None => (score.clone(), pt.hess.clone()),
            Some(c) => project(&score, &pt.hess, c),
        };
        let chol = match constraint {
            None => None,
            Some(_) => Some(Cholesky::new(&h).ok_or_else(|| singular(prob))?),
        };
        let free = chol.as_ref().unwrap_or(&pt.chol).solve(&g);
        let scale = pt.objective.abs().max(1.0);
        let dec = 0.5 * g.dot(&free);
        // Fisher scoring converges linearly, so a small decrement does not mean the next step
        // is negligible, as it does for Newton: stop when no coefficient moves by more than
        // `tol` of its standard error (or when the decrement is rounding noise).
        let full = expand(&free, constraint);
        let moved = full.iter().zip(cov.diag()).fold(0.0f64, |m, (s, v)| {
            m.max(s.abs() / v.max(f64::MIN_POSITIVE).sqrt())
        });
        let converging = moved <= tol || dec <= 1e-24 * scale;
        if converging {
            // One polishing step if it does not make things worse, then stop.
            let mut beta = &pt.beta + &full;
            if let Some(c) = constraint {
                c.impose(&mut beta);
            }
            if let Some(next) = point(prob, beta) {
                if next.objective <= pt.objective {
                    pt = next;
                }
            }
            let covariance = pt.chol.inverse();
            let score = &pt.grad + &prob.rows.firth_correction(&pt.beta, &covariance);
            return Ok(FirthFit {
                objective: pt.objective,
                loss: pt.loss,
                beta: pt.beta,
                covariance,
                score,
                iterations,
            });
        }
        if iterations >= max_iter {
            return Err(Error::NotConverged {
                solver: "newton (firth)".into(),
                iterations,
                gradient_norm: scaled_max_abs(&g, prob.n()),
            });
        }
        let mut step = full;
        let biggest = step.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if biggest > MAX_STEP {
            step *= MAX_STEP / biggest;
        }
        // Rounding noise in a sum of n log-loss terms; a step within it is not an ascent.
        let noise = 1e-12 * scale;
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..=MAX_HALVINGS {
            let mut beta = &pt.beta + &(&step * t);
            if let Some(c) = constraint {
                c.impose(&mut beta);
            }
            if let Some(next) = point(prob, beta) {
                if next.objective <= pt.objective + noise {
                    accepted = Some(next);
                    break;
                }
            }
            t *= 0.5;
        }
        pt = accepted.ok_or(Error::StepHalving {
            halvings: MAX_HALVINGS,
            iteration: iterations + 1,
        })?;
        iterations += 1;
    }
}

/// Gradient and information in the free coordinates of `c`: every index but the pivot `k`,
/// moving along `e_f - (c_f / c_k) e_k`.
fn project(u: &Array1<f64>, h: &Array2<f64>, c: &Constraint) -> (Array1<f64>, Array2<f64>) {
    let k = c.pivot;
    let free: Vec<usize> = (0..u.len()).filter(|&j| j != k).collect();
    let r: Vec<f64> = free.iter().map(|&f| c.c[f] / c.c[k]).collect();
    let g = Array1::from_iter(free.iter().zip(&r).map(|(&f, &rf)| u[f] - rf * u[k]));
    let m = free.len();
    let mut hf = Array2::<f64>::zeros((m, m));
    for a in 0..m {
        for b in 0..=a {
            let (fa, fb) = (free[a], free[b]);
            let v = h[[fa, fb]] - r[a] * h[[k, fb]] - r[b] * h[[fa, k]] + r[a] * r[b] * h[[k, k]];
            hf[[a, b]] = v;
            hf[[b, a]] = v;
        }
    }
    (g, hf)
}

/// A step in the free coordinates as a step of every coefficient.
fn expand(free: &Array1<f64>, constraint: Option<&Constraint>) -> Array1<f64> {
    let Some(c) = constraint else {
        return free.clone();
    };
    let k = c.pivot;
    let n = free.len() + 1;
    let mut step = Array1::<f64>::zeros(n);
    let mut at = 0;
    let mut pivot_move = 0.0;
    for j in 0..n {
        if j == k {
            continue;
        }
        step[j] = free[at];
        pivot_move -= c.c[j] / c.c[k] * free[at];
        at += 1;
    }
    step[k] = pivot_move;
    step
}

/// Firth's fit from the intercept-only start: the estimate and `I^-1` at it.
pub(super) fn fit(prob: &Problem, max_iter: usize, tol: f64) -> Result<(LogisticFit, FirthFit)> {
    let n = prob.n();
    let positives = prob.y.iter().filter(|&&v| v).count();
    let mut beta = Array1::<f64>::zeros(prob.p() + 1);
    // Firth's estimate of the intercept alone adds half an observation to each class.
    beta[0] = ((positives as f64 + 0.5) / (n as f64 - positives as f64 + 0.5)).ln();
    let f = maximise(prob, beta, None, max_iter, tol)?;
    let fit = LogisticFit {
        intercept: f.beta[0],
        coef: f.beta.slice(s![1..]).to_owned(),
        iterations: f.iterations,
        converged: true,
        log_likelihood: -f.loss,
        gradient_norm: scaled_max_abs(&f.score, n),
        covariance: f.covariance.clone(),
        solver: SolverKind::Newton,
        firth: None,
    };
    Ok((fit, f))
}

/// Firth's correction `[1, X]'(h (1/2 - mu))` on a dense design, given `cov = I^-1` at
/// `beta`: per block, `B = Z V` for `Z = [1, X_b]` and `h_i = w_i B_i . Z_i`.
pub(super) fn dense_correction(
    x: ArrayView2<f64>,
    beta: &Array1<f64>,
    cov: &Array2<f64>,
) -> Array1<f64> {
    let (n, p) = x.dim();
    let q = p + 1;
    reduce_blocks(
        0,
        block_count(n),
        &|blk| {
            let rows = block_range(blk, n);
            let xb = x.slice(s![rows, ..]);
            let m = xb.nrows();
            let sub = SUB_ROWS.min(m).max(1);
            let mut z = Array2::<f64>::zeros((sub, q));
            let mut bz = Array2::<f64>::zeros((sub, q));
            let mut corr = Array1::<f64>::zeros(q);
            let mut adj = vec![0.0; sub];
            for lo in (0..m).step_by(sub) {
                let hi = (lo + sub).min(m);
                let xc = xb.slice(s![lo..hi, ..]);
                let rows = hi - lo;
                for (i, xrow) in xc.rows().into_iter().enumerate() {
                    z[[i, 0]] = 1.0;
                    for (j, &v) in xrow.iter().enumerate() {
                        z[[i, j + 1]] = v;
                    }
                }
                let zc = z.slice(s![..rows, ..]);
                let mut bc = bz.slice_mut(s![..rows, ..]);
                general_mat_mul(1.0, &zc, cov, 0.0, &mut bc);
                for i in 0..rows {
                    let zi = zc.row(i);
                    let eta = zi.dot(beta);
                    let mu = super::sigmoid(eta);
                    let h = mu * (1.0 - mu) * bc.row(i).dot(&zi);
                    adj[i] = h * (0.5 - mu);
                }
                for i in 0..rows {
                    corr.scaled_add(adj[i], &zc.row(i));
                }
            }
            corr
        },
        &|a, b| a + b,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::solver::rows::Rows;
    use crate::scoring::solver::testing::simulate;

    /// The correction's hat values sum to the trace of the hat matrix, `p + 1`.
    #[test]
    fn dense_hat_values_sum_to_the_number_of_coefficients() {
        let (x, y) = simulate(3000, -0.5, &[0.8, -0.4, 0.2], 5);
        let prob = Problem {
            rows: Rows::Dense(x.view()),
            y: y.view(),
            alpha: 0.0,
            names: vec!["a".into(), "b".into(), "c".into()],
        };
        let beta = ndarray::array![-0.4, 0.7, -0.3, 0.1];
        let st = prob.pass(&beta, None, true);
        let cov = Cholesky::new(&st.hess).unwrap().inverse();
        // With mu = 1/4 everywhere h (1/2 - mu) = h / 4: the intercept entry is trace / 4.
        let flat = ndarray::array![-(3.0f64.ln()), 0.0, 0.0, 0.0];
        let st0 = prob.pass(&flat, None, true);
        let cov0 = Cholesky::new(&st0.hess).unwrap().inverse();
        let c0 = dense_correction(x.view(), &flat, &cov0);
        assert!((c0[0] - 4.0 / 4.0).abs() < 1e-9, "{}", c0[0]);
        // And the correction is the gradient of 1/2 ln det I (central differences).
        let c = dense_correction(x.view(), &beta, &cov);
        let half_logdet = |b: &Array1<f64>| {
            0.5 * Cholesky::new(&prob.pass(b, None, true).hess)
                .unwrap()
                .log_det()
        };
        for j in 0..4 {
            let mut up = beta.clone();
            let mut down = beta.clone();
            up[j] += 1e-5;
            down[j] -= 1e-5;
            let numeric = (half_logdet(&up) - half_logdet(&down)) / 2e-5;
            // Central differences err by O(step^2) times the third derivative: ~1e-7 here.
            assert!(
                (numeric - c[j]).abs() < 1e-5 * c[j].abs().max(1.0),
                "{j}: {numeric} vs {}",
                c[j]
            );
        }
    }
}
