//! Maximum likelihood for the few-parameter models of calibration (cure models, censored
//! lognormal and Weibull fits): a damped Newton method on finite-difference derivatives, the
//! observed information for Wald intervals, and profile-likelihood intervals.
//!
//! The likelihoods are evaluated on data compressed to distinct values with weights, so an
//! evaluation costs microseconds and numerical derivatives are affordable; parameters are on
//! unconstrained scales (logit, log) of order one, which keeps the fixed relative steps sound.

use crate::calibrate::stats::CHI2_1_95;

/// A maximum found.
#[derive(Debug, Clone)]
pub(crate) struct Maximum {
    /// Where.
    pub x: Vec<f64>,
    /// The log likelihood there.
    pub value: f64,
    /// The inverse of the observed information (minus the Hessian), when positive definite.
    pub cov: Option<Vec<Vec<f64>>>,
    /// Whether the iteration met its tolerance.
    pub converged: bool,
}

impl Maximum {
    /// Standard error of parameter `j` from the observed information.
    pub fn se(&self, j: usize) -> Option<f64> {
        self.cov
            .as_ref()
            .map(|c| c[j][j])
            .filter(|v| v.is_finite() && *v > 0.0)
            .map(f64::sqrt)
    }
}

fn step(x: f64) -> f64 {
    1e-4 * (1.0 + x.abs())
}

/// Central-difference gradient and Hessian.
fn derivatives(f: &dyn Fn(&[f64]) -> f64, x: &[f64], fx: f64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut h = vec![vec![0.0; n]; n];
    let mut y = x.to_vec();
    let mut fp = vec![0.0; n];
    let mut fm = vec![0.0; n];
    for i in 0..n {
        let hi = step(x[i]);
        y[i] = x[i] + hi;
        fp[i] = f(&y);
        y[i] = x[i] - hi;
        fm[i] = f(&y);
        y[i] = x[i];
        g[i] = (fp[i] - fm[i]) / (2.0 * hi);
        h[i][i] = (fp[i] - 2.0 * fx + fm[i]) / (hi * hi);
    }
    for i in 0..n {
        for j in 0..i {
            let (hi, hj) = (step(x[i]), step(x[j]));
            let mut eval = |si: f64, sj: f64| {
                y[i] = x[i] + si * hi;
                y[j] = x[j] + sj * hj;
                let v = f(&y);
                y[i] = x[i];
                y[j] = x[j];
                v
            };
            let v = (eval(1.0, 1.0) - eval(1.0, -1.0) - eval(-1.0, 1.0) + eval(-1.0, -1.0))
                / (4.0 * hi * hj);
            h[i][j] = v;
            h[j][i] = v;
        }
    }
    (g, h)
}

/// Cholesky factor of a symmetric matrix, `None` unless positive definite.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                // NaN fails this too.
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

fn solve(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i][k] * y[k];
        }
        y[i] = s / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= l[k][i] * x[k];
        }
        x[i] = s / l[i][i];
    }
    x
}

fn inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let l = cholesky(a)?;
    let n = a.len();
    let mut inv = vec![vec![0.0; n]; n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let col = solve(&l, &e);
        for i in 0..n {
            inv[i][j] = col[i];
        }
    }
    Some(inv)
}

/// Maximises `f` from `x0` by Newton steps on minus the Hessian, damped (Levenberg) when it
/// is not positive definite, with step halving. Stops when a step changes `f` by less than
/// 1e-10 relative and moves no parameter by more than 1e-7.
pub(crate) fn maximize(f: &dyn Fn(&[f64]) -> f64, x0: &[f64]) -> Maximum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut fx = f(&x);
    let mut converged = false;
    let mut lambda = 0.0f64;
    for _ in 0..300 {
        let (g, h) = derivatives(f, &x, fx);
        let mut improved = false;
        for _ in 0..40 {
            let a: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| {
                            -h[i][j]
                                + if i == j {
                                    lambda * (1.0 + h[i][i].abs())
                                } else {
                                    0.0
                                }
                        })
                        .collect()
                })
                .collect();
            let Some(l) = cholesky(&a) else {
                lambda = if lambda == 0.0 { 1e-6 } else { lambda * 10.0 };
                continue;
            };
            let d = solve(&l, &g);
            let mut t = 1.0;
            while t > 1e-8 {
                let y: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + t * b).collect();
                let fy = f(&y);
                if fy.is_finite() && fy >= fx {
                    let moved = d.iter().map(|v| (t * v).abs()).fold(0.0, f64::max);
                    let gain = fy - fx;
                    x = y;
                    fx = fy;
                    improved = true;
                    if gain <= 1e-10 * (1.0 + fx.abs()) && moved < 1e-7 {
                        converged = true;
                    }
                    break;
                }
                t *= 0.5;
            }
            if improved {
                lambda /= 10.0;
                if lambda < 1e-12 {
                    lambda = 0.0;
                }
                break;
            }
            lambda = if lambda == 0.0 { 1e-6 } else { lambda * 10.0 };
            if lambda > 1e12 {
                break;
            }
        }
        if converged || !improved {
            // No step improves f: a maximum to numerical precision (or a flat ridge).
            converged = converged || g.iter().all(|v| v.abs() < 1e-4 * (1.0 + fx.abs()));
            break;
        }
    }
    let (_, h) = derivatives(f, &x, fx);
    let neg: Vec<Vec<f64>> = h.iter().map(|r| r.iter().map(|v| -v).collect()).collect();
    Maximum {
        cov: inverse(&neg),
        x,
        value: fx,
        converged,
    }
}

/// The profile-likelihood 95% interval of parameter `j`: the values where twice the drop of
/// the profile log likelihood from its maximum reaches the chi-square(1) quantile 3.84. Each
/// side is searched out to `limits` (on the parameter's own scale) and returned as that limit
/// when the likelihood never drops far enough (a weakly identified parameter).
pub(crate) fn profile_interval(
    f: &dyn Fn(&[f64]) -> f64,
    max: &Maximum,
    j: usize,
    limits: (f64, f64),
) -> (f64, f64) {
    let target = max.value - CHI2_1_95 / 2.0;
    let others: Vec<usize> = (0..max.x.len()).filter(|&i| i != j).collect();
    let profile = |t: f64, start: &[f64]| -> (f64, Vec<f64>) {
        if others.is_empty() {
            return (f(&[t]), Vec::new());
        }
        let g = |y: &[f64]| {
            let mut full = vec![0.0; max.x.len()];
            full[j] = t;
            for (k, &i) in others.iter().enumerate() {
                full[i] = y[k];
            }
            f(&full)
        };
        let m = maximize(&g, start);
        (m.value, m.x)
    };
    let rest: Vec<f64> = others.iter().map(|&i| max.x[i]).collect();
    let se = max.se(j).unwrap_or(0.5).clamp(1e-3, 5.0);
    let mut bounds = [limits.0, limits.1];
    for (side, bound) in [-1.0f64, 1.0].into_iter().zip(bounds.iter_mut()) {
        let limit = *bound;
        let mut inside = max.x[j];
        let mut warm = rest.clone();
        let mut outside = None;
        let mut k = 1.0;
        loop {
            let t = max.x[j] + side * se * k;
            let t = if side < 0.0 {
                t.max(limit)
            } else {
                t.min(limit)
            };
            let (v, w) = profile(t, &warm);
            if v < target {
                outside = Some(t);
                break;
            }
            inside = t;
            warm = w;
            if t == limit {
                break;
            }
            k *= 1.6;
        }
        let Some(mut out) = outside else {
            *bound = limit;
            continue;
        };
        for _ in 0..40 {
            let mid = 0.5 * (inside + out);
            let (v, w) = profile(mid, &warm);
            if v < target {
                out = mid;
            } else {
                inside = mid;
                warm = w;
            }
            if (out - inside).abs() < 1e-6 * (1.0 + inside.abs()) {
                break;
            }
        }
        *bound = 0.5 * (inside + out);
    }
    (bounds[0], bounds[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_normal_maximum_and_its_information() {
        // Log likelihood of mean m and log-sd s for data with mean 3, variance 4, n = 100.
        let f = |x: &[f64]| {
            let (m, s) = (x[0], x[1].exp());
            let n = 100.0;
            -n * s.ln() - (n * 4.0 + n * (3.0 - m).powi(2)) / (2.0 * s * s)
        };
        let m = maximize(&f, &[0.0, 0.0]);
        assert!(m.converged);
        assert!((m.x[0] - 3.0).abs() < 1e-6, "{:?}", m.x);
        assert!((m.x[1] - 2f64.ln()).abs() < 1e-6);
        // se(mean) = sd / sqrt(n) = 0.2; se(log sd) = 1 / sqrt(2 n).
        assert!((m.se(0).unwrap() - 0.2).abs() < 1e-4);
        assert!((m.se(1).unwrap() - (1.0 / 200f64).sqrt()).abs() < 1e-4);
        // Profiling out the sd gives l_p(m) = -(n/2) ln(4 + (3 - m)^2) + const, so the bounds
        // solve n ln(1 + (3 - m)^2 / 4) = 3.8415: m = 3 -+ 2 sqrt(exp(3.8415 / n) - 1).
        let (lo, hi) = profile_interval(&f, &m, 0, (-100.0, 100.0));
        let half = 2.0 * ((CHI2_1_95 / 100.0).exp() - 1.0).sqrt();
        assert!((lo - (3.0 - half)).abs() < 1e-4, "{lo}");
        assert!((hi - (3.0 + half)).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn profile_interval_of_a_binomial_matches_the_likelihood_ratio_bounds() {
        // 3 successes in 10 on the logit scale: the bounds must solve
        // 2 [l(0.3) - l(p)] = 3.8415 for the binomial log likelihood l.
        let f = |x: &[f64]| {
            let p = 1.0 / (1.0 + (-x[0]).exp());
            3.0 * p.ln() + 7.0 * (1.0 - p).ln()
        };
        let m = maximize(&f, &[0.0]);
        let (lo, hi) = profile_interval(&f, &m, 0, (-30.0, 30.0));
        let p = |v: f64| 1.0 / (1.0 + (-v).exp());
        let l = |p: f64| 3.0 * p.ln() + 7.0 * (1.0 - p).ln();
        for b in [p(lo), p(hi)] {
            assert!((2.0 * (l(0.3) - l(b)) - CHI2_1_95).abs() < 1e-4, "{b}");
        }
        assert!(p(lo) < 0.3 && 0.3 < p(hi));
        // A flat direction: returns the search limit.
        let flat = |x: &[f64]| -(x[0] - 1.0).powi(2);
        let m = maximize(&flat, &[0.0]);
        let (lo, hi) = profile_interval(&flat, &m, 0, (-1.5, 1.5));
        assert!((lo - (1.0 - 1.3859)).abs() < 1e-3 && hi == 1.5, "{lo} {hi}");
    }
}
