//! Inference from the profile penalised likelihood of a Firth fit, as R's `logistf` reports it
//! by default (`pl = TRUE`): for each coefficient `beta_j` on the original units,
//!
//! * the 95% interval `{t : 2 (l*max - l*_j(t)) <= chi2_1(0.95)}`, with `l*_j(t)` the
//!   maximum of the penalised log likelihood under `beta_j = t`;
//! * the penalised likelihood-ratio test of `beta_j = 0`: `2 (l*max - l*_j(0))` against
//!   chi-square with one degree of freedom.
//!
//! `beta_j` is a linear function `c'b` of the standardised coefficients (`b_j / scale_j`, or
//! for the intercept `b_0 - sum_k b_k mean_k / scale_k`), so each profile point is one
//! constrained fit ([`firth::maximise`]). A bound is found on the signed root
//! `r(t) = sqrt(2 (l*max - l*_j(t)))`, close to linear in `t`: bracketed from the Wald point
//! `est +- 1.96 se` outwards, then closed by safeguarded secant steps (Illinois). Each profile
//! fit starts from the nearest one already solved, moved to the new `t` along `V c`.
//!
//! Coefficients are profiled in parallel, each on its own: every result depends only on the
//! data, never on the thread count. The cost is about a dozen constrained fits per coefficient.

use ndarray::Array1;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::firth::{maximise, Constraint, FirthFit};
use super::Problem;
use crate::error::Result;
use crate::scoring::inference::{two_sided_p, Z_975};

/// Most bracketing and closing steps per bound.
const MAX_STEPS: usize = 60;

/// A bound is closed when the signed root is within this of 1.96 (about 1e-11 in the
/// coefficient for a standard error of order 1).
const ROOT_TOL: f64 = 1e-11;

/// Profile inference of a Firth fit, per coefficient, intercept first, on the original units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirthInference {
    /// `l*` at the estimate: the log likelihood plus `1/2 ln det I`.
    pub penalised_log_likelihood: f64,
    /// Profile penalised-likelihood 95% bounds; `None` where a bound could not be found
    /// (the profile fit failed or never fell far enough).
    pub ci_lower: Vec<Option<f64>>,
    pub ci_upper: Vec<Option<f64>>,
    /// Penalised likelihood-ratio statistic of `beta_j = 0`.
    pub lr_chi2: Vec<Option<f64>>,
    /// Its p-value (chi-square, one degree of freedom).
    pub lr_p_value: Vec<Option<f64>>,
}

/// `c` of coefficient `j` (0 = intercept) on the original units, for columns standardised as
/// `(x - mean) / scale`.
fn contrast(j: usize, units: &[(f64, f64)]) -> Array1<f64> {
    let p = units.len();
    let mut c = Array1::<f64>::zeros(p + 1);
    if j == 0 {
        c[0] = 1.0;
        for (k, &(mean, scale)) in units.iter().enumerate() {
            c[k + 1] = -mean / scale;
        }
    } else {
        c[j] = 1.0 / units[j - 1].1;
    }
    c
}

/// Profile inference for every coefficient of the Firth fit `best`. `units` holds each
/// column's `(mean, scale)` (`(0, 1)` for columns in original units).
pub(super) fn profile(
    prob: &Problem,
    best: &FirthFit,
    units: &[(f64, f64)],
    max_iter: usize,
    tol: f64,
) -> FirthInference {
    let q = prob.p() + 1;
    let per: Vec<(Option<f64>, Option<f64>, Option<f64>)> = (0..q)
        .into_par_iter()
        .map(|j| {
            let c = contrast(j, units);
            let one = Profile {
                prob,
                best,
                vc: best.covariance.dot(&c),
                c,
                max_iter,
                tol,
            };
            let lr = one.statistic(0.0, &best.beta).ok().map(|(s, _)| s);
            let lower = one.bound(-1.0);
            let upper = one.bound(1.0);
            (lower, upper, lr)
        })
        .collect();
    FirthInference {
        penalised_log_likelihood: -best.objective,
        ci_lower: per.iter().map(|r| r.0).collect(),
        ci_upper: per.iter().map(|r| r.1).collect(),
        lr_chi2: per.iter().map(|r| r.2).collect(),
        lr_p_value: per
            .iter()
            .map(|r| r.2.map(|s| two_sided_p(s.sqrt())))
            .collect(),
    }
}

struct Profile<'a, 'p> {
    prob: &'a Problem<'p>,
    best: &'a FirthFit,
    c: Array1<f64>,
    /// `V c`: how the estimate moves, to first order, when `c'b` is moved.
    vc: Array1<f64>,
    max_iter: usize,
    tol: f64,
}

impl Profile<'_, '_> {
    fn estimate(&self) -> f64 {
        self.c.dot(&self.best.beta)
    }

    /// `2 (l*max - l*(t))` and the constrained optimum, started from `from` moved to `t`.
    fn statistic(&self, t: f64, from: &Array1<f64>) -> Result<(f64, Array1<f64>)> {
        let var = self.c.dot(&self.vc);
        let start = from + &(&self.vc * ((t - self.c.dot(from)) / var));
        let fit = maximise(
            self.prob,
            start,
            Some(&Constraint::new(self.c.clone(), t)),
            self.max_iter,
            self.tol,
        )?;
        Ok((
            (2.0 * (fit.objective - self.best.objective)).max(0.0),
            fit.beta,
        ))
    }

    /// The bound on side `dir` (-1 lower, +1 upper), or `None` if it cannot be found.
    fn bound(&self, dir: f64) -> Option<f64> {
        let est = self.estimate();
        let se = self.c.dot(&self.vc).max(0.0).sqrt();
        if !(se > 0.0 && se.is_finite()) {
            return None;
        }
        // Points (t, signed root, constrained optimum): `a` inside the interval, `b` beyond.
        let (mut ta, mut ra, mut ba) = (est, 0.0, self.best.beta.clone());
        let mut tb = est + dir * Z_975 * se;
        let (s, mut bb) = self.statistic(tb, &ba).ok()?;
        let mut rb = s.sqrt();
        let mut steps = 0;
        while rb < Z_975 {
            steps += 1;
            if steps > MAX_STEPS {
                return None;
            }
            // Secant extrapolation of the root, between one and four times the last stride.
            let stride = tb - ta;
            let slope = (rb - ra) / stride;
            let mut next = if slope * dir > 0.0 {
                tb + (Z_975 - rb) / slope * 1.1
            } else {
                tb + 4.0 * stride
            };
            let (lo, hi) = (tb + stride, tb + 4.0 * stride);
            next = if dir > 0.0 {
                next.clamp(lo, hi)
            } else {
                next.clamp(hi, lo)
            };
            let (s, b) = self.statistic(next, &bb).ok()?;
            (ta, ra, ba) = (tb, rb, bb);
            (tb, rb, bb) = (next, s.sqrt(), b);
        }
        // Now ra < Z <= rb: close the bracket (Illinois false position on r - Z).
        let (mut fa, mut fb) = (ra - Z_975, rb - Z_975);
        let mut side = 0i8;
        for _ in 0..MAX_STEPS {
            if fb.abs() <= ROOT_TOL {
                return Some(tb);
            }
            if fa.abs() <= ROOT_TOL {
                return Some(ta);
            }
            let t = (ta * fb - tb * fa) / (fb - fa);
            if (tb - ta).abs() <= 1e-13 * t.abs().max(1.0) {
                return Some(t);
            }
            let from = if (t - ta).abs() < (t - tb).abs() {
                &ba
            } else {
                &bb
            };
            let (s, b) = self.statistic(t, from).ok()?;
            let f = s.sqrt() - Z_975;
            if f < 0.0 {
                (ta, fa, ba) = (t, f, b);
                if side == -1 {
                    fb *= 0.5;
                }
                side = -1;
            } else {
                (tb, fb, bb) = (t, f, b);
                if side == 1 {
                    fa *= 0.5;
                }
                side = 1;
            }
        }
        None
    }
}
