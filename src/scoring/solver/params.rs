//! The solvers' hyperparameters, linfa style: [`LogisticParams`] as given, checked by
//! [`ParamGuard`] into [`ValidLogisticParams`], which implements `Fit` (in the parent module).

use linfa::ParamGuard;

use super::coordinate::COORDINATE_DEFAULT_TOLERANCE;
use super::SolverKind;
use crate::error::{Error, Result};

/// Newton's default tolerance on the Newton decrement relative to `max(1, |objective|)`.
pub const NEWTON_DEFAULT_TOLERANCE: f64 = 1e-10;
/// L-BFGS's default tolerance on `max |gradient| / n`.
pub const LBFGS_DEFAULT_TOLERANCE: f64 = 1e-8;
/// Newton's default iteration budget (it rarely needs more than ten).
pub const NEWTON_DEFAULT_MAX_ITER: usize = 100;
/// L-BFGS's default iteration budget.
pub const LBFGS_DEFAULT_MAX_ITER: usize = 1000;

/// Hyperparameters as given, unchecked; [`ParamGuard::check`] turns them into
/// [`ValidLogisticParams`] (linfa's convention, so `LogisticParams` can be fitted directly).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogisticParams(ValidLogisticParams);

/// Checked hyperparameters, ready to fit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidLogisticParams {
    pub(super) alpha: f64,
    pub(super) l1_ratio: f64,
    pub(super) max_iter: Option<usize>,
    pub(super) tolerance: Option<f64>,
    pub(super) solver: SolverKind,
    pub(super) feature_names: Vec<String>,
    pub(super) column_units: Vec<(f64, f64)>,
    pub(super) firth: bool,
    /// Profile inference for Firth fits; `None` means on.
    pub(super) no_profile: bool,
}

impl LogisticParams {
    /// Unregularised Newton with default budget and tolerance.
    pub fn new() -> Self {
        Self::default()
    }

    /// L2 strength on the coefficients (not the intercept); 0 gives the plain MLE, anything
    /// positive keeps separated data finite.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }

    /// Elastic-net mixing in `[0, 1]`: the penalty becomes
    /// `alpha * (l1_ratio * |coef|_1 + (1 - l1_ratio) / 2 * |coef|^2)`. 0 (default) is the ridge
    /// penalty of [`alpha`](Self::alpha), 1 the lasso. With `l1_ratio > 0` and `alpha > 0` the
    /// fit is by IRLS with coordinate descent (Newton solver only), and its tolerance is on
    /// `max KKT violation / n` (default [`COORDINATE_DEFAULT_TOLERANCE`]).
    pub fn l1_ratio(mut self, l1_ratio: f64) -> Self {
        self.0.l1_ratio = l1_ratio;
        self
    }

    /// Iteration budget; defaults to [`NEWTON_DEFAULT_MAX_ITER`] or [`LBFGS_DEFAULT_MAX_ITER`].
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.0.max_iter = Some(max_iter);
        self
    }

    /// Convergence tolerance. Newton: Newton decrement relative to `max(1, |objective|)` (default
    /// [`NEWTON_DEFAULT_TOLERANCE`]); L-BFGS: `max |gradient| / n` (default
    /// [`LBFGS_DEFAULT_TOLERANCE`]); Firth: the largest Fisher-scoring step in standard errors
    /// of its coefficient (default [`NEWTON_DEFAULT_TOLERANCE`]).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.0.tolerance = Some(tolerance);
        self
    }

    /// Which solver to run.
    pub fn solver(mut self, solver: SolverKind) -> Self {
        self.0.solver = solver;
        self
    }

    /// Column names, used only to make error messages actionable. Empty means: take the
    /// dataset's feature names, or `x0`, `x1`, ...
    pub fn feature_names(mut self, names: Vec<String>) -> Self {
        self.0.feature_names = names;
        self
    }

    /// `(mean, scale)` of each column when the design was standardised as
    /// `(x - mean) / scale`, so that thresholds in separation messages read in the original
    /// units the analyst knows. Empty means the columns are already in original units.
    pub fn column_units(mut self, units: Vec<(f64, f64)>) -> Self {
        self.0.column_units = units;
        self
    }
}

impl LogisticParams {
    /// Firth's bias-reduced fit instead of maximum likelihood: finite estimates with standard
    /// errors even when the classes are separated (see the `firth` module). Newton only, and
    /// not with a ridge penalty (`alpha` must be 0).
    pub fn firth(mut self, firth: bool) -> Self {
        self.0.firth = firth;
        self
    }

    /// Whether a Firth fit also computes profile penalised-likelihood intervals and
    /// likelihood-ratio tests (on by default; about a dozen constrained fits per coefficient).
    pub fn profile(mut self, profile: bool) -> Self {
        self.0.no_profile = !profile;
        self
    }
}

impl ParamGuard for LogisticParams {
    type Checked = ValidLogisticParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ValidLogisticParams> {
        let p = &self.0;
        if !p.alpha.is_finite() || p.alpha < 0.0 {
            return Err(Error::InvalidHyperparameter {
                name: "alpha",
                value: p.alpha,
                expected: "must be a finite number >= 0",
            });
        }
        if !(0.0..=1.0).contains(&p.l1_ratio) {
            return Err(Error::InvalidHyperparameter {
                name: "l1_ratio",
                value: p.l1_ratio,
                expected: "must be in [0, 1] (0 = ridge, 1 = lasso)",
            });
        }
        if p.l1_ratio > 0.0 && p.solver == SolverKind::Lbfgs {
            return Err(Error::InvalidHyperparameter {
                name: "l1_ratio",
                value: p.l1_ratio,
                expected: "needs the newton solver (L-BFGS cannot fit an L1 penalty)",
            });
        }
        if p.max_iter == Some(0) {
            return Err(Error::InvalidHyperparameter {
                name: "max_iter",
                value: 0.0,
                expected: "must be at least 1",
            });
        }
        if p.firth && p.alpha != 0.0 {
            return Err(Error::InvalidHyperparameter {
                name: "alpha",
                value: p.alpha,
                expected: "must be 0 with Firth's penalty (the two penalties are alternatives)",
            });
        }
        if p.firth && p.solver != SolverKind::Newton {
            return Err(Error::InvalidParameter {
                name: "solver".into(),
                value: p.solver.to_string(),
                reason: "Firth's fit runs on the Newton solver only".into(),
            });
        }
        if let Some(tol) = p.tolerance {
            if !tol.is_finite() || tol <= 0.0 {
                return Err(Error::InvalidHyperparameter {
                    name: "tolerance",
                    value: tol,
                    expected: "must be a finite number > 0",
                });
            }
        }
        Ok(p)
    }

    fn check(self) -> Result<ValidLogisticParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl ValidLogisticParams {
    /// L2 strength.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Elastic-net mixing (0 = ridge).
    pub fn l1_ratio(&self) -> f64 {
        self.l1_ratio
    }

    /// Whether the fit is an elastic net (coordinate descent) rather than Newton or L-BFGS.
    pub(super) fn is_elastic_net(&self) -> bool {
        self.l1_ratio > 0.0 && self.alpha > 0.0
    }

    /// Iteration budget, with the solver's default filled in.
    pub fn max_iter(&self) -> usize {
        self.max_iter.unwrap_or(match self.solver {
            SolverKind::Newton => NEWTON_DEFAULT_MAX_ITER,
            SolverKind::Lbfgs => LBFGS_DEFAULT_MAX_ITER,
        })
    }

    /// Tolerance, with the solver's default filled in.
    pub fn tolerance(&self) -> f64 {
        self.tolerance.unwrap_or(match self.solver {
            _ if self.is_elastic_net() => COORDINATE_DEFAULT_TOLERANCE,
            SolverKind::Newton => NEWTON_DEFAULT_TOLERANCE,
            SolverKind::Lbfgs => LBFGS_DEFAULT_TOLERANCE,
        })
    }

    /// Solver.
    pub fn solver(&self) -> SolverKind {
        self.solver
    }

    /// Whether the fit is Firth's.
    pub fn is_firth(&self) -> bool {
        self.firth
    }

    /// Names given for error messages (possibly empty).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fit_with, names, simulate};
    use super::*;
    use linfa::ParamGuard;

    #[test]
    fn parameters_are_checked() {
        for alpha in [-1.0, f64::NAN, f64::INFINITY] {
            let e = LogisticParams::new().alpha(alpha).check().unwrap_err();
            assert!(
                matches!(e, Error::InvalidHyperparameter { name: "alpha", value, .. } if value.to_bits() == alpha.to_bits())
            );
        }
        assert!(matches!(
            LogisticParams::new().tolerance(0.0).check(),
            Err(Error::InvalidHyperparameter {
                name: "tolerance",
                ..
            })
        ));
        assert!(matches!(
            LogisticParams::new().max_iter(0).check(),
            Err(Error::InvalidHyperparameter {
                name: "max_iter",
                ..
            })
        ));
        let ok = LogisticParams::new()
            .solver(SolverKind::Lbfgs)
            .check()
            .unwrap();
        assert_eq!(
            (ok.max_iter(), ok.tolerance()),
            (LBFGS_DEFAULT_MAX_ITER, LBFGS_DEFAULT_TOLERANCE)
        );
        // Checking happens on fit too.
        let (x, y) = simulate(50, 0.0, &[1.0], 1);
        assert!(matches!(
            fit_with(LogisticParams::new().alpha(-2.0), &x, &y),
            Err(Error::InvalidHyperparameter { name: "alpha", value, .. }) if value == -2.0
        ));
        assert!(matches!(
            fit_with(
                LogisticParams::new().feature_names(names(&["a", "b"])),
                &x,
                &y
            ),
            Err(Error::FeatureNamesLength {
                names: 2,
                columns: 1
            })
        ));
    }
}
