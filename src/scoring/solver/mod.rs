//! Logistic-regression solvers behind linfa's `Fit` trait.
//!
//! Both solvers minimise the same objective, the summed log loss plus `(alpha / 2) * |coef|^2`
//! with the intercept unpenalised, so they share one optimum and their results can be compared
//! (and cross-checked in tests):
//!
//! * [`SolverKind::Newton`] (default): Newton/IRLS written here. One parallel pass over fixed
//!   blocks of rows per iteration builds the gradient and the Hessian with matrix products; the
//!   blocks are summed in a fixed tree, so results are bit-identical whatever the thread count.
//!   It converges to machine precision in a handful of iterations and detects separation.
//! * [`SolverKind::Lbfgs`]: linfa-logistic's L-BFGS, wrapped so that its result is oriented for
//!   `P(y = true)`, checked for convergence, and given the same covariance as Newton's.
//!
//! With [`LogisticParams::l1_ratio`] > 0 (and alpha > 0) the penalty is the elastic net
//! `alpha * (l1_ratio * |coef|_1 + (1 - l1_ratio) / 2 * |coef|^2)`, on the same summed scale,
//! fitted by IRLS with coordinate descent (`coordinate.rs`).
//!
//! Data problems that make maximum likelihood meaningless are reported, never papered over:
//! separation ([`Error::Separation`]), collinear columns ([`collinear_columns`]), non-convergence
//! ([`Error::NotConverged`]).

mod blocks;
mod cholesky;
mod collinear;
mod coordinate;
#[cfg(test)]
mod coordinate_tests;
mod firth;
mod lbfgs;
mod newton;
mod objective;
mod params;
mod profile;
mod rows;
mod separation;
#[cfg(test)]
mod testing;

use std::fmt;
use std::str::FromStr;

use linfa::dataset::{AsSingleTargets, DatasetBase};
use linfa::traits::Fit;
use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, Data, Ix2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::scoring::design::Design;
use rows::Rows;
use separation::ColumnSummary;

pub use collinear::collinear_columns;
pub(crate) use collinear::collinear_from_gram;
pub use coordinate::COORDINATE_DEFAULT_TOLERANCE;
pub use params::{
    LogisticParams, ValidLogisticParams, LBFGS_DEFAULT_MAX_ITER, LBFGS_DEFAULT_TOLERANCE,
    NEWTON_DEFAULT_MAX_ITER, NEWTON_DEFAULT_TOLERANCE,
};
pub use profile::FirthInference;
pub use separation::separating_feature;

/// Which algorithm fits the model. Both reach the same optimum; Newton is faster and more
/// precise for the few-hundred-column problems leadsim meets, L-BFGS is there as an independent
/// cross-check and for very wide designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SolverKind {
    /// Newton/IRLS with step halving (this module).
    #[default]
    Newton,
    /// linfa-logistic's L-BFGS.
    Lbfgs,
}

impl SolverKind {
    /// The name used on the command line, in model files and in error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SolverKind::Newton => "newton",
            SolverKind::Lbfgs => "lbfgs",
        }
    }
}

impl fmt::Display for SolverKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SolverKind {
    type Err = Error;

    /// Case-insensitive, so that `--solver LBFGS` works as well as `--solver lbfgs`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "newton" => Ok(SolverKind::Newton),
            "lbfgs" => Ok(SolverKind::Lbfgs),
            _ => Err(Error::UnknownSolver { value: s.into() }),
        }
    }
}

/// A fitted logistic regression for `P(y = true)`, with what the caller needs to report it
/// honestly (convergence, log likelihood, covariance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    /// Log-odds of conversion at x = 0.
    pub intercept: f64,
    /// One coefficient per column of X.
    pub coef: Array1<f64>,
    /// Newton steps taken, including the final polishing step; 0 for L-BFGS, which does not
    /// report it.
    pub iterations: usize,
    /// Always true for Newton (it errors otherwise). For L-BFGS, false when the scaled gradient
    /// is above the tolerance but within 100 times it (beyond that it errors).
    pub converged: bool,
    /// Summed, unpenalised log likelihood at the solution.
    pub log_likelihood: f64,
    /// `max |penalised gradient| / n` at the solution.
    pub gradient_norm: f64,
    /// `(p+1) x (p+1)`, intercept first: inverse of the penalised Hessian of the summed negative
    /// log likelihood at the solution (the inverse Fisher information when alpha = 0).
    pub covariance: Array2<f64>,
    /// The solver that produced the fit.
    pub solver: SolverKind,
    /// For a Firth fit ([`LogisticParams::firth`]): the penalised likelihood and the profile
    /// inference (when [`LogisticParams::profile`] is on). `covariance` is then `I(b)^-1` at the
    /// Firth estimate, as logistf reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firth: Option<FirthDetails>,
}

/// What a Firth fit adds to [`LogisticFit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirthDetails {
    /// `l*(b) = l(b) + 1/2 ln det I(b)` at the estimate.
    pub penalised_log_likelihood: f64,
    /// Profile penalised-likelihood intervals and likelihood-ratio tests on the original
    /// units, intercept first; `None` when profiling was turned off.
    pub profile: Option<FirthInference>,
}

impl LogisticFit {
    /// `intercept + x . coef` for each row.
    ///
    /// # Panics
    /// If `x` does not have one column per coefficient.
    pub fn linear_predictor(&self, x: ArrayView2<f64>) -> Array1<f64> {
        assert_eq!(
            x.ncols(),
            self.coef.len(),
            "linear_predictor: x has {} columns but the model has {} coefficients",
            x.ncols(),
            self.coef.len()
        );
        let mut eta = x.dot(&self.coef);
        eta += self.intercept;
        eta
    }

    /// `P(y = true)` for each row, computed without overflow for any finite linear predictor.
    ///
    /// # Panics
    /// If `x` does not have one column per coefficient.
    pub fn predict_probability(&self, x: ArrayView2<f64>) -> Array1<f64> {
        self.linear_predictor(x).mapv_into(sigmoid)
    }

    /// Standard errors (square roots of the covariance diagonal), intercept first.
    pub fn standard_errors(&self) -> Array1<f64> {
        self.covariance.diag().mapv(|v| v.max(0.0).sqrt())
    }
}
pub(crate) use crate::scoring::model::sigmoid;

/// Everything a solver needs, validated.
pub(crate) struct Problem<'a> {
    pub rows: Rows<'a>,
    pub y: ArrayView1<'a, bool>,
    pub alpha: f64,
    pub names: Vec<String>,
}

impl Problem<'_> {
    pub fn n(&self) -> usize {
        self.rows.n()
    }
    pub fn p(&self) -> usize {
        self.rows.p()
    }
    /// One pass over the rows at `beta` (see [`Rows::pass`]).
    pub fn pass(
        &self,
        beta: &Array1<f64>,
        step: Option<&Array1<f64>>,
        full: bool,
    ) -> newton::PassStats {
        self.rows.pass(self.y, beta, step, full)
    }
    /// The full pass at Newton's intercept-only start (see [`Rows::start_pass`]).
    pub fn start_pass(&self, beta: &Array1<f64>) -> newton::PassStats {
        self.rows.start_pass(self.y, beta)
    }
}

impl ValidLogisticParams {
    /// Fits `P(y = true)` on a [`Design`] whose categoricals are codes, with the same checks
    /// and results as the matrix [`Fit`] (to rounding): the Newton solver never expands the
    /// codes into indicator columns; `SolverKind::Lbfgs` does, since linfa needs a matrix.
    ///
    /// # Errors
    /// As [`Fit::fit`] (a design holds finite values only, so never
    /// [`Error::NonFiniteFeature`]).
    pub fn fit_design(&self, design: &Design, y: ArrayView1<bool>) -> Result<LogisticFit> {
        let (n, p) = (design.rows(), design.ncols());
        if y.len() != n {
            return Err(Error::TargetLength {
                targets: y.len(),
                rows: n,
            });
        }
        let names = resolve_names(&self.feature_names, &[], p)?;
        if n == 0 || (self.alpha == 0.0 && !self.firth && n < p + 1) {
            return Err(Error::TooFewRows {
                rows: n,
                features: p + 1,
            });
        }
        let ranges = design.class_ranges(&rows::labels(y));
        let summary = ColumnSummary::from_ranges(ranges);
        self.fit_problem(
            Problem {
                rows: Rows::Codes(design),
                y: y.reborrow(),
                alpha: self.alpha,
                names,
            },
            &summary,
        )
    }

    /// The class, separation and solver steps both entry points share.
    fn fit_problem(&self, problem: Problem, summary: &ColumnSummary) -> Result<LogisticFit> {
        let (n, names) = (problem.n(), &problem.names);
        let positives = summary.positives;
        if positives == 0 || positives == n {
            return Err(Error::OneClass { positives, rows: n });
        }
        if self.firth {
            return self.fit_firth(&problem);
        }
        if self.alpha == 0.0 {
            if let Some(sep) = summary.separating_column() {
                let describe = |s: &separation::SeparatingColumn| {
                    let (mean, scale) = self
                        .column_units
                        .get(s.column)
                        .copied()
                        .unwrap_or((0.0, 1.0));
                    s.describe(&names[s.column], mean, scale)
                };
                // Every separating column in one message, the strongest first: one run
                // answers what a run per feature would.
                let others: Vec<String> = summary
                    .separating_columns()
                    .iter()
                    .filter(|o| o.column != sep.column)
                    .map(describe)
                    .collect();
                let mut detail = describe(&sep);
                if !others.is_empty() {
                    const LISTED: usize = 20;
                    detail.push_str(&format!(
                        "; {} more feature(s) separate the classes on their own: {}",
                        others.len(),
                        others[..others.len().min(LISTED)].join("; ")
                    ));
                    if others.len() > LISTED {
                        detail.push_str(&format!("; and {} more", others.len() - LISTED));
                    }
                }
                return Err(Error::Separation { detail });
            }
        }
        if self.is_elastic_net() {
            return coordinate::fit(
                &problem,
                self.alpha,
                self.l1_ratio,
                self.max_iter(),
                self.tolerance(),
                None,
            );
        }
        match self.solver {
            SolverKind::Newton => newton::fit(&problem, self.max_iter(), self.tolerance()),
            SolverKind::Lbfgs => lbfgs::fit(&problem, self.max_iter(), self.tolerance()),
        }
    }

    /// Firth's fit, then (unless turned off) its profile inference.
    fn fit_firth(&self, problem: &Problem) -> Result<LogisticFit> {
        let (max_iter, tol) = (self.max_iter(), self.tolerance());
        let (mut fit, best) = firth::fit(problem, max_iter, tol)?;
        let units: Vec<(f64, f64)> = if self.column_units.len() == problem.p() {
            self.column_units.clone()
        } else {
            vec![(0.0, 1.0); problem.p()]
        };
        let profile =
            (!self.no_profile).then(|| profile::profile(problem, &best, &units, max_iter, tol));
        fit.firth = Some(FirthDetails {
            penalised_log_likelihood: -best.objective,
            profile,
        });
        Ok(fit)
    }
}

impl<D, T> Fit<ArrayBase<D, Ix2>, T, Error> for ValidLogisticParams
where
    D: Data<Elem = f64>,
    T: AsSingleTargets<Elem = bool>,
{
    type Object = LogisticFit;

    /// Fits `P(y = true | x)`. Errors rather than returning a model that would mislead:
    /// separation (alpha = 0), non-convergence, a singular Hessian (collinear columns), a single
    /// class, non-finite values, or too few rows for an unregularised fit.
    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<LogisticFit> {
        let x = dataset.records().view();
        let y = dataset.targets().as_single_targets();
        let (n, p) = x.dim();
        if y.len() != n {
            return Err(Error::TargetLength {
                targets: y.len(),
                rows: n,
            });
        }
        let names = resolve_names(&self.feature_names, dataset.feature_names(), p)?;
        if n == 0 || (self.alpha == 0.0 && !self.firth && n < p + 1) {
            return Err(Error::TooFewRows {
                rows: n,
                features: p + 1,
            });
        }
        let summary = ColumnSummary::compute(x, y);
        if let Some((row, col)) = summary.non_finite {
            return Err(Error::NonFiniteFeature {
                feature: names[col].clone(),
                row,
                value: x[[row, col]],
            });
        }
        self.fit_problem(
            Problem {
                rows: Rows::Dense(x),
                y,
                alpha: self.alpha,
                names,
            },
            &summary,
        )
    }
}

fn resolve_names(given: &[String], dataset: &[String], p: usize) -> Result<Vec<String>> {
    if !given.is_empty() {
        if given.len() != p {
            return Err(Error::FeatureNamesLength {
                names: given.len(),
                columns: p,
            });
        }
        return Ok(given.to_vec());
    }
    if dataset.len() == p {
        return Ok(dataset.to_vec());
    }
    Ok((0..p).map(|j| format!("x{j}")).collect())
}

#[cfg(test)]
mod tests {
    use super::testing::{fit_with, names, simulate};
    use super::*;
    use linfa::Dataset;
    use ndarray::{array, Array1, Array2, Axis, ShapeBuilder};
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Independent, straightforward penalised gradient (ascent direction), divided by n.
    fn reference_gradient(
        fit: &LogisticFit,
        x: &Array2<f64>,
        y: &Array1<bool>,
        alpha: f64,
    ) -> Array1<f64> {
        let p = x.ncols();
        let mut g = Array1::<f64>::zeros(p + 1);
        for (row, &yi) in x.rows().into_iter().zip(y) {
            let mu = sigmoid(fit.intercept + row.dot(&fit.coef));
            let r = yi as u8 as f64 - mu;
            g[0] += r;
            for j in 0..p {
                g[j + 1] += r * row[j];
            }
        }
        for j in 0..p {
            g[j + 1] -= alpha * fit.coef[j];
        }
        g / x.nrows() as f64
    }

    #[test]
    fn analytic_single_binary_feature() {
        let (n0, k0, n1, k1) = (300usize, 90usize, 200usize, 120usize);
        let mut rows: Vec<(f64, bool)> = (0..n0)
            .map(|i| (0.0, i < k0))
            .chain((0..n1).map(|i| (1.0, i < k1)))
            .collect();
        rows.shuffle(&mut ChaCha8Rng::seed_from_u64(7));
        let x = Array2::from_shape_fn((rows.len(), 1), |(i, _)| rows[i].0);
        let y: Array1<bool> = rows.iter().map(|r| r.1).collect();

        let (p0, p1) = (k0 as f64 / n0 as f64, k1 as f64 / n1 as f64);
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let info0 = n0 as f64 * p0 * (1.0 - p0);
        let info1 = n1 as f64 * p1 * (1.0 - p1);
        let ll = |n: usize, k: usize, p: f64| k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln();
        let expected_ll = ll(n0, k0, p0) + ll(n1, k1, p1);

        let fit = fit_with(LogisticParams::new(), &x, &y).unwrap();
        assert!(fit.converged);
        assert_eq!(fit.solver, SolverKind::Newton);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-8 * b.abs().max(1.0);
        assert!(
            close(fit.intercept, logit(p0)),
            "{} vs {}",
            fit.intercept,
            logit(p0)
        );
        assert!(close(fit.coef[0], logit(p1) - logit(p0)));
        assert!(
            close(fit.log_likelihood, expected_ll),
            "{} vs {}",
            fit.log_likelihood,
            expected_ll
        );
        assert!(close(fit.covariance[[0, 0]], 1.0 / info0));
        assert!(close(fit.covariance[[0, 1]], -1.0 / info0));
        assert!(close(fit.covariance[[1, 0]], -1.0 / info0));
        assert!(close(fit.covariance[[1, 1]], 1.0 / info0 + 1.0 / info1));
        let se = fit.standard_errors();
        assert!(close(se[1], (1.0 / info0 + 1.0 / info1).sqrt()));
        // Converged to machine precision, not just to the tolerance.
        assert!(fit.gradient_norm < 1e-12, "{}", fit.gradient_norm);
        let probs = fit.predict_probability(array![[0.0], [1.0]].view());
        assert!(close(probs[0], p0) && close(probs[1], p1));
    }

    #[test]
    fn newton_and_lbfgs_reach_the_same_optimum() {
        let (x, y) = simulate(5000, -1.0, &[0.8, -0.5, 0.3, 0.0, 1.2], 11);
        let newton = fit_with(LogisticParams::new(), &x, &y).unwrap();
        let lbfgs = fit_with(LogisticParams::new().solver(SolverKind::Lbfgs), &x, &y).unwrap();
        assert!(lbfgs.converged && newton.converged);
        assert_eq!(lbfgs.solver, SolverKind::Lbfgs);
        let rel =
            (newton.log_likelihood - lbfgs.log_likelihood).abs() / newton.log_likelihood.abs();
        assert!(rel < 1e-9, "log likelihood differs by {rel:e}");
        // Newton is at the optimum to rounding, so it cannot be beaten.
        assert!(newton.log_likelihood >= lbfgs.log_likelihood - 1e-9);
        // L-BFGS stops at max|gradient|/n <= 1e-8; with a Hessian of about n * 0.15 per unit of
        // a standardised coefficient, that leaves errors near 1e-7, i.e. < 1e-4 standard errors.
        let se = newton.standard_errors();
        assert!((newton.intercept - lbfgs.intercept).abs() < 1e-4 * se[0]);
        for j in 0..5 {
            let d = (newton.coef[j] - lbfgs.coef[j]).abs();
            assert!(d < 1e-4 * se[j + 1], "coef {j}: {d:e} vs se {}", se[j + 1]);
        }
        // Both covariances come from the same Hessian formula at (nearly) the same point.
        let cov_diff = (&newton.covariance - &lbfgs.covariance).mapv(f64::abs);
        assert!(cov_diff
            .iter()
            .zip(newton.covariance.iter())
            .all(|(d, c)| *d <= 1e-5 * c.abs().max(1e-6)));
    }

    #[test]
    fn recovers_known_coefficients_within_three_standard_errors() {
        let truth = [-0.7, 0.5, -1.0, 0.25, 0.0];
        let (x, y) = simulate(20_000, truth[0], &truth[1..], 2024);
        let fit = fit_with(LogisticParams::new(), &x, &y).unwrap();
        let se = fit.standard_errors();
        let est: Vec<f64> = std::iter::once(fit.intercept)
            .chain(fit.coef.iter().copied())
            .collect();
        for j in 0..truth.len() {
            let z = (est[j] - truth[j]) / se[j];
            assert!(
                z.abs() < 3.0,
                "parameter {j}: estimate {} truth {} z {z}",
                est[j],
                truth[j]
            );
        }
        // Standard errors of about 1 / sqrt(n * var(x) * p(1-p)), not wildly off.
        assert!(se[1] > 0.01 && se[1] < 0.04, "{}", se[1]);
        assert!(
            fit.iterations >= 3 && fit.iterations <= 10,
            "{}",
            fit.iterations
        );
    }

    #[test]
    fn bit_identical_for_1_2_8_threads() {
        // Five blocks, so the thread count could change the summation order if it were allowed to.
        let (x, y) = simulate(
            5 * blocks::BLOCK_ROWS - 123,
            0.3,
            &[0.5, -0.2, 0.9, 0.1, -1.1, 0.0],
            5,
        );
        let run = |k: usize, solver: SolverKind| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(k)
                .build()
                .unwrap()
                .install(|| {
                    fit_with(LogisticParams::new().alpha(0.5).solver(solver), &x, &y).unwrap()
                })
        };
        let bits = |f: &LogisticFit| -> Vec<u64> {
            std::iter::once(f.intercept)
                .chain(f.coef.iter().copied())
                .chain([f.log_likelihood, f.gradient_norm])
                .chain(f.covariance.iter().copied())
                .map(f64::to_bits)
                .collect()
        };
        let one = run(1, SolverKind::Newton);
        for k in [2, 8] {
            let other = run(k, SolverKind::Newton);
            assert_eq!(bits(&one), bits(&other), "{k} threads");
            assert_eq!(one.iterations, other.iterations);
        }
        // The L-BFGS result's diagnostics come from the same deterministic pass.
        assert_eq!(
            bits(&run(1, SolverKind::Lbfgs)),
            bits(&run(8, SolverKind::Lbfgs))
        );
        assert_eq!(collinear_columns(x.view()), Vec::<usize>::new());
    }

    #[test]
    fn ridge_solution_has_zero_penalised_gradient() {
        let (x, y) = simulate(3000, 0.5, &[1.0, -2.0, 0.5, 0.0], 41);
        let alpha = 25.0;
        let fit = fit_with(LogisticParams::new().alpha(alpha), &x, &y).unwrap();
        let g = reference_gradient(&fit, &x, &y, alpha);
        let max = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(max < 1e-12, "penalised gradient {max:e}");
        assert!((fit.gradient_norm - max).abs() < 1e-12);
        // The penalty shrinks: the same data without it gives larger coefficients.
        let mle = fit_with(LogisticParams::new(), &x, &y).unwrap();
        assert!(fit.coef.mapv(f64::abs).sum() < mle.coef.mapv(f64::abs).sum());
        // And L-BFGS minimises the same penalised objective.
        let lbfgs = fit_with(
            LogisticParams::new().alpha(alpha).solver(SolverKind::Lbfgs),
            &x,
            &y,
        )
        .unwrap();
        let se = fit.standard_errors();
        for j in 0..4 {
            assert!((fit.coef[j] - lbfgs.coef[j]).abs() < 1e-4 * se[j + 1]);
        }
    }

    #[test]
    fn exhausted_budget_is_an_error_not_a_model() {
        let (x, y) = simulate(2000, 0.0, &[1.0, 2.0], 61);
        let err = fit_with(LogisticParams::new().max_iter(1), &x, &y).unwrap_err();
        assert!(
            matches!(err, Error::NotConverged { iterations: 1, ref solver, gradient_norm } if solver == "newton" && gradient_norm > 0.0),
            "{err}"
        );
        let err = fit_with(
            LogisticParams::new().solver(SolverKind::Lbfgs).max_iter(2),
            &x,
            &y,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::NotConverged { ref solver, .. } if solver == "lbfgs"),
            "{err}"
        );
    }

    #[test]
    fn bad_data_is_rejected() {
        let (mut x, y) = simulate(50, 0.0, &[1.0, 0.5], 2);
        let all_true = Array1::from_elem(50, true);
        assert!(matches!(
            fit_with(LogisticParams::new(), &x, &all_true),
            Err(Error::OneClass {
                positives: 50,
                rows: 50
            })
        ));
        let short = Array1::from_elem(49, true);
        assert!(matches!(
            fit_with(LogisticParams::new(), &x, &short),
            Err(Error::TargetLength {
                targets: 49,
                rows: 50
            })
        ));
        let few = x.slice(ndarray::s![..2, ..]).to_owned();
        let err = fit_with(LogisticParams::new(), &few, &array![true, false]).unwrap_err();
        assert!(matches!(
            err,
            Error::TooFewRows {
                rows: 2,
                features: 3
            }
        ));
        x[[7, 1]] = f64::NAN;
        let err = fit_with(
            LogisticParams::new().feature_names(names(&["a", "b"])),
            &x,
            &y,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::NonFiniteFeature { ref feature, row: 7, value } if feature == "b" && value.is_nan()),
            "{err}"
        );
    }

    #[test]
    fn intercept_only_model() {
        let y: Array1<bool> = (0..100).map(|i| i % 4 == 0).collect();
        let x = Array2::<f64>::zeros((100, 0));
        let fit = fit_with(LogisticParams::new(), &x, &y).unwrap();
        assert!((fit.intercept - (0.25f64 / 0.75).ln()).abs() < 1e-12);
        assert!((fit.covariance[[0, 0]] - 1.0 / (100.0 * 0.25 * 0.75)).abs() < 1e-12);
        assert_eq!(fit.predict_probability(x.view()).len(), 100);
    }

    #[test]
    fn solver_kind_names() {
        for (kind, name) in [(SolverKind::Newton, "newton"), (SolverKind::Lbfgs, "lbfgs")] {
            assert_eq!(kind.to_string(), name);
            assert_eq!(name.parse::<SolverKind>().unwrap(), kind);
            assert_eq!(name.to_uppercase().parse::<SolverKind>().unwrap(), kind);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<SolverKind>(&format!("\"{name}\"")).unwrap(),
                kind
            );
        }
        assert!(matches!(
            "sgd".parse::<SolverKind>(),
            Err(Error::UnknownSolver { value }) if value == "sgd"
        ));
        assert_eq!(SolverKind::default(), SolverKind::Newton);
    }

    #[test]
    fn fits_views_and_column_major_input() {
        // The Fit impl accepts views too (what the training code gets from a split).
        let (x, y) = simulate(1000, 0.2, &[0.6], 71);
        let owned = fit_with(LogisticParams::new(), &x, &y).unwrap();
        let viewed = LogisticParams::new()
            .fit(&linfa::DatasetBase::new(x.view(), y.view()))
            .unwrap();
        assert_eq!(owned, viewed);
        // Column-major input takes the strided paths and reaches the same optimum.
        let mut fortran = Array2::<f64>::zeros(x.raw_dim().f());
        fortran.assign(&x);
        let f = fit_with(LogisticParams::new(), &fortran, &y).unwrap();
        assert!(
            (f.coef[0] - owned.coef[0]).abs() < 1e-12
                && (f.intercept - owned.intercept).abs() < 1e-12
        );
        assert!((f.log_likelihood - owned.log_likelihood).abs() < 1e-9);
        assert_eq!(owned.linear_predictor(x.view()).len_of(Axis(0)), 1000);
    }

    /// Release-mode smoke timing: `cargo test --release --lib bench_newton_1m_x20 -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_newton_1m_x20() {
        let coef: Vec<f64> = (0..20).map(|j| 0.5 * ((j as f64) * 0.7).sin()).collect();
        let (x, y) = simulate(1_000_000, -1.0, &coef, 2025);
        let dataset = Dataset::new(x, y);
        let params = LogisticParams::new();
        let start = std::time::Instant::now();
        let fit = params.fit(&dataset).unwrap();
        let elapsed = start.elapsed();
        println!(
            "newton 1,000,000 x 20: {:.3} s, {} iterations, log likelihood {:.6}, gradient {:.2e}, {} threads",
            elapsed.as_secs_f64(),
            fit.iterations,
            fit.log_likelihood,
            fit.gradient_norm,
            rayon::current_num_threads()
        );
        let max_err = fit
            .coef
            .iter()
            .zip(&coef)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(max_err < 0.02, "{max_err}");
    }
}
