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
//! Data problems that make maximum likelihood meaningless are reported, never papered over:
//! separation ([`Error::Separation`]), collinear columns ([`collinear_columns`]), non-convergence
//! ([`Error::NotConverged`]).

mod collinear;
mod lbfgs;
mod newton;

use std::fmt;
use std::str::FromStr;

use linfa::dataset::{AsSingleTargets, DatasetBase};
use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, Data, Ix2, Zip};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use collinear::collinear_columns;

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
            _ => Err(Error::InvalidParameter {
                name: "solver".into(),
                value: s.into(),
                reason: "expected \"newton\" or \"lbfgs\"".into(),
            }),
        }
    }
}

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
    alpha: f64,
    max_iter: Option<usize>,
    tolerance: Option<f64>,
    solver: SolverKind,
    feature_names: Vec<String>,
    column_units: Vec<(f64, f64)>,
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

    /// Iteration budget; defaults to [`NEWTON_DEFAULT_MAX_ITER`] or [`LBFGS_DEFAULT_MAX_ITER`].
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.0.max_iter = Some(max_iter);
        self
    }

    /// Convergence tolerance. Newton: Newton decrement relative to `max(1, |objective|)` (default
    /// [`NEWTON_DEFAULT_TOLERANCE`]); L-BFGS: `max |gradient| / n` (default
    /// [`LBFGS_DEFAULT_TOLERANCE`]).
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

impl ParamGuard for LogisticParams {
    type Checked = ValidLogisticParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ValidLogisticParams> {
        let p = &self.0;
        if !p.alpha.is_finite() || p.alpha < 0.0 {
            return Err(Error::InvalidParameter {
                name: "alpha".into(),
                value: p.alpha.to_string(),
                reason: "must be a finite number >= 0".into(),
            });
        }
        if p.max_iter == Some(0) {
            return Err(Error::InvalidParameter {
                name: "max_iter".into(),
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        if let Some(tol) = p.tolerance {
            if !tol.is_finite() || tol <= 0.0 {
                return Err(Error::InvalidParameter {
                    name: "tolerance".into(),
                    value: tol.to_string(),
                    reason: "must be a finite number > 0".into(),
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
            SolverKind::Newton => NEWTON_DEFAULT_TOLERANCE,
            SolverKind::Lbfgs => LBFGS_DEFAULT_TOLERANCE,
        })
    }

    /// Solver.
    pub fn solver(&self) -> SolverKind {
        self.solver
    }

    /// Names given for error messages (possibly empty).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
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
    pub x: ArrayView2<'a, f64>,
    pub y: ArrayView1<'a, bool>,
    pub alpha: f64,
    pub names: Vec<String>,
}

impl Problem<'_> {
    pub fn n(&self) -> usize {
        self.x.nrows()
    }
    pub fn p(&self) -> usize {
        self.x.ncols()
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
            return Err(Error::InvalidParameter {
                name: "targets".into(),
                value: format!("{} values", y.len()),
                reason: format!("the feature matrix has {n} rows"),
            });
        }
        let names = resolve_names(&self.feature_names, dataset.feature_names(), p)?;
        if n == 0 || (self.alpha == 0.0 && n < p + 1) {
            return Err(Error::TooFewRows {
                rows: n,
                features: p + 1,
            });
        }
        let summary = ColumnSummary::compute(x, y);
        if let Some((row, col)) = summary.non_finite {
            return Err(Error::InvalidParameter {
                name: names[col].clone(),
                value: x[[row, col]].to_string(),
                reason: format!("row {row} (0-based) of the feature matrix is not finite"),
            });
        }
        let positives = summary.positives;
        if positives == 0 || positives == n {
            return Err(Error::InvalidParameter {
                name: "targets".into(),
                value: format!("{positives} positive of {n}"),
                reason: "a logistic regression needs both outcomes".into(),
            });
        }
        if self.alpha == 0.0 {
            if let Some(sep) = summary.separating_column() {
                let (mean, scale) = self
                    .column_units
                    .get(sep.column)
                    .copied()
                    .unwrap_or((0.0, 1.0));
                return Err(Error::Separation {
                    detail: sep.describe(&names[sep.column], mean, scale),
                });
            }
        }
        let problem = Problem {
            x,
            y,
            alpha: self.alpha,
            names,
        };
        match self.solver {
            SolverKind::Newton => newton::fit(&problem, self.max_iter(), self.tolerance()),
            SolverKind::Lbfgs => lbfgs::fit(&problem, self.max_iter(), self.tolerance()),
        }
    }
}

fn resolve_names(given: &[String], dataset: &[String], p: usize) -> Result<Vec<String>> {
    if !given.is_empty() {
        if given.len() != p {
            return Err(Error::InvalidParameter {
                name: "feature_names".into(),
                value: format!("{} names", given.len()),
                reason: format!("the feature matrix has {p} columns"),
            });
        }
        return Ok(given.to_vec());
    }
    if dataset.len() == p {
        return Ok(dataset.to_vec());
    }
    Ok((0..p).map(|j| format!("x{j}")).collect())
}

/// Returns the name of a column that on its own separates the classes perfectly (every
/// positive row on one side of a threshold, every negative row on the other) or
/// quasi-perfectly (ties at the threshold allowed), so the maximum-likelihood coefficient is
/// infinite. Costs one pass over `x`, much less than a fit, and names the culprit directly
/// (typically a column that leaks the outcome). Columns that are constant are not reported.
/// Complete separation is preferred over quasi-separation; otherwise the first column wins.
/// Names fall back to `x{j}` when `names` does not have one per column.
///
/// # Panics
/// If `y` does not have one value per row of `x`.
pub fn separating_feature(
    x: ArrayView2<f64>,
    y: ArrayView1<bool>,
    names: &[String],
) -> Option<String> {
    assert_eq!(
        x.nrows(),
        y.len(),
        "separating_feature: x and y lengths differ"
    );
    let summary = ColumnSummary::compute(x, y);
    let sep = summary.separating_column()?;
    Some(
        names
            .get(sep.column)
            .filter(|_| names.len() == x.ncols())
            .cloned()
            .unwrap_or_else(|| format!("x{}", sep.column)),
    )
}

/// Per-class column ranges, class counts and the first non-finite value.
struct ColumnSummary {
    /// Column minima over rows with y = false (`[0]`) and y = true (`[1]`).
    min: [Vec<f64>; 2],
    /// Column maxima, likewise.
    max: [Vec<f64>; 2],
    positives: usize,
    rows: usize,
    /// (row, column) of the first non-finite value, in row-major order.
    non_finite: Option<(usize, usize)>,
}

/// Rounds away the noise that un-standardising leaves (0.9999999999999998 -> 1).
fn round_for_message(v: f64) -> f64 {
    let r = (v * 1e9).round() / 1e9;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A column that separates the classes.
struct SeparatingColumn {
    column: usize,
    complete: bool,
    /// The positive class lies above the threshold.
    positive_high: bool,
    threshold: f64,
    /// The smallest value of the class below the threshold and the largest of the class above
    /// it: they tell which side of a quasi-separation holds rows of one class only.
    low_min: f64,
    high_max: f64,
}

impl SeparatingColumn {
    /// The message, with the threshold mapped back to original units (`t * scale + mean`).
    /// For a quasi-separation only the side that holds one class alone is named: for a 0/1
    /// column that reads "every row with X above 0 is positive".
    fn describe(&self, name: &str, mean: f64, scale: f64) -> String {
        let (high, low) = if self.positive_high {
            ("positive", "negative")
        } else {
            ("negative", "positive")
        };
        let t = round_for_message(self.threshold * scale + mean);
        if self.complete {
            return format!(
                "feature \"{name}\" completely separates the classes on its own: every row with \
                 {name} above {t} is {high} and every row below {t} is {low}"
            );
        }
        let mut sides = Vec::new();
        if self.high_max > self.threshold {
            sides.push(format!("every row with {name} above {t} is {high}"));
        }
        if self.low_min < self.threshold {
            sides.push(format!("every row with {name} below {t} is {low}"));
        }
        format!(
            "feature \"{name}\" quasi-completely separates the classes on its own: {} (rows at \
             exactly {t} have both outcomes)",
            sides.join(" and ")
        )
    }
}

impl ColumnSummary {
    fn compute(x: ArrayView2<f64>, y: ArrayView1<bool>) -> Self {
        let (n, p) = x.dim();
        let nblocks = n.div_ceil(newton::BLOCK_ROWS).max(1);
        newton::reduce_blocks(
            0,
            nblocks,
            &|b| {
                let lo = b * newton::BLOCK_ROWS;
                let hi = (lo + newton::BLOCK_ROWS).min(n);
                let mut min = [vec![f64::INFINITY; p], vec![f64::INFINITY; p]];
                let mut max = [vec![f64::NEG_INFINITY; p], vec![f64::NEG_INFINITY; p]];
                let mut positives = 0;
                let mut non_finite = None;
                for i in lo..hi {
                    let c = y[i] as usize;
                    positives += c;
                    let row = x.row(i);
                    let mut bad = false;
                    // Branch-free so that it vectorises; f64::min/max skip NaN, and any
                    // non-finite value is reported anyway.
                    let (mn, mx) = (&mut min[c], &mut max[c]);
                    match row.as_slice() {
                        Some(xs) => {
                            for j in 0..p {
                                let v = xs[j];
                                mn[j] = mn[j].min(v);
                                mx[j] = mx[j].max(v);
                                bad |= !v.is_finite();
                            }
                        }
                        None => {
                            for (j, &v) in row.iter().enumerate() {
                                mn[j] = mn[j].min(v);
                                mx[j] = mx[j].max(v);
                                bad |= !v.is_finite();
                            }
                        }
                    }
                    if bad && non_finite.is_none() {
                        non_finite = row.iter().position(|v| !v.is_finite()).map(|j| (i, j));
                    }
                }
                ColumnSummary {
                    min,
                    max,
                    positives,
                    rows: hi - lo,
                    non_finite,
                }
            },
            &|mut a, b| {
                for c in 0..2 {
                    for (u, v) in a.min[c].iter_mut().zip(&b.min[c]) {
                        *u = u.min(*v);
                    }
                    for (u, v) in a.max[c].iter_mut().zip(&b.max[c]) {
                        *u = u.max(*v);
                    }
                }
                a.positives += b.positives;
                a.rows += b.rows;
                a.non_finite = a.non_finite.or(b.non_finite);
                a
            },
        )
    }

    fn separating_column(&self) -> Option<SeparatingColumn> {
        if self.positives == 0 || self.positives == self.rows {
            return None;
        }
        let mut quasi = None;
        for j in 0..self.min[0].len() {
            let neg = [self.min[0][j], self.max[0][j]];
            let pos = [self.min[1][j], self.max[1][j]];
            let constant = neg[0] == neg[1] && pos[0] == pos[1] && neg[0] == pos[0];
            if constant {
                continue;
            }
            for (positive_high, low, high) in [(true, neg, pos), (false, pos, neg)] {
                let (lo_max, hi_min) = (low[1], high[0]);
                let found = |complete: bool, threshold: f64| SeparatingColumn {
                    column: j,
                    complete,
                    positive_high,
                    threshold,
                    low_min: low[0],
                    high_max: high[1],
                };
                if lo_max < hi_min {
                    return Some(found(true, 0.5 * (lo_max + hi_min)));
                }
                if lo_max == hi_min && quasi.is_none() {
                    quasi = Some(found(false, lo_max));
                }
            }
        }
        quasi
    }
}

/// Gradient of the penalised log likelihood (ascent direction) and the penalised Hessian of the
/// negative log likelihood, from one pass's unpenalised sums.
pub(crate) fn penalise(
    grad: &Array1<f64>,
    hess: &Array2<f64>,
    beta: &Array1<f64>,
    alpha: f64,
) -> (Array1<f64>, Array2<f64>) {
    let mut g = grad.clone();
    let mut h = hess.clone();
    if alpha > 0.0 {
        Zip::from(g.slice_mut(ndarray::s![1..]))
            .and(beta.slice(ndarray::s![1..]))
            .for_each(|g, &b| *g -= alpha * b);
        for j in 1..h.nrows() {
            h[[j, j]] += alpha;
        }
    }
    (g, h)
}

/// Penalised objective: summed negative log likelihood plus the ridge term.
pub(crate) fn objective(loss: f64, beta: &Array1<f64>, alpha: f64) -> f64 {
    if alpha > 0.0 {
        let c = beta.slice(ndarray::s![1..]);
        loss + 0.5 * alpha * c.dot(&c)
    } else {
        loss
    }
}

/// `max |g| / n`.
pub(crate) fn scaled_max_abs(g: &Array1<f64>, n: usize) -> f64 {
    g.iter().fold(0.0f64, |m, v| m.max(v.abs())) / n as f64
}

/// Names the features most implicated in a direction of growth: those whose coefficient change
/// times the column's standard deviation (its effect on the linear predictor) is within a
/// quarter of the largest, at most three.
pub(crate) fn implicated(direction: ArrayView1<f64>, col_sd: &[f64], names: &[String]) -> String {
    let mut scored: Vec<(usize, f64)> = direction
        .iter()
        .zip(col_sd)
        .map(|(d, s)| (d * s).abs())
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let top = scored.first().map_or(0.0, |t| t.1);
    let picked: Vec<String> = scored
        .iter()
        .take_while(|(_, v)| *v >= 0.25 * top && *v > 0.0)
        .take(3)
        .map(|(j, _)| format!("\"{}\"", names[*j]))
        .collect();
    if picked.is_empty() {
        "(none identified)".into()
    } else {
        picked.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::Dataset;
    use ndarray::{array, Array1, Array2, Axis, ShapeBuilder};
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    fn fit_with(params: LogisticParams, x: &Array2<f64>, y: &Array1<bool>) -> Result<LogisticFit> {
        params.fit(&Dataset::new(x.clone(), y.clone()))
    }

    /// Standard-normal features and outcomes drawn from the logistic model.
    fn simulate(n: usize, intercept: f64, coef: &[f64], seed: u64) -> (Array2<f64>, Array1<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let p = coef.len();
        let x = Array2::from_shape_simple_fn((n, p), || rng.sample::<f64, _>(StandardNormal));
        let y = x
            .rows()
            .into_iter()
            .map(|row| {
                let eta = intercept + row.iter().zip(coef).map(|(a, b)| a * b).sum::<f64>();
                rng.gen::<f64>() < sigmoid(eta)
            })
            .collect();
        (x, y)
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

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

    /// Two groups (x = 0, x = 1) with known rates: the MLE and its covariance are closed-form.
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
            5 * newton::BLOCK_ROWS - 123,
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

    /// Data whose positive rows all have `leak > 0` and negative rows `leak < 0`.
    fn completely_separated_by_one_column() -> (Array2<f64>, Array1<bool>) {
        let (mut x, y) = simulate(500, 0.0, &[0.4, 0.0], 3);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for (mut row, &yi) in x.rows_mut().into_iter().zip(&y) {
            let u: f64 = rng.gen::<f64>() + 0.01;
            row[1] = if yi { u } else { -u };
        }
        (x, y)
    }

    #[test]
    fn complete_separation_by_one_column_is_named() {
        let (x, y) = completely_separated_by_one_column();
        let n = names(&["tenure", "leak"]);
        assert_eq!(
            separating_feature(x.view(), y.view(), &n).as_deref(),
            Some("leak")
        );
        for solver in [SolverKind::Newton, SolverKind::Lbfgs] {
            let err = fit_with(
                LogisticParams::new()
                    .solver(solver)
                    .feature_names(n.clone()),
                &x,
                &y,
            )
            .unwrap_err();
            assert!(
                matches!(&err, Error::Separation { detail } if detail.contains("\"leak\"")),
                "{err}"
            );
            assert!(err.to_string().contains("--alpha"));
        }
        let ridge = fit_with(LogisticParams::new().alpha(1.0), &x, &y).unwrap();
        assert!(ridge.converged && ridge.coef.iter().all(|c| c.is_finite()));
        assert!(
            ridge.coef[1] > 1.0,
            "the leak still dominates: {}",
            ridge.coef[1]
        );
    }

    #[test]
    fn quasi_separation_by_a_dummy_is_named() {
        // `vip` is 1 only on (some) positive rows: quasi-complete separation.
        let (mut x, y) = simulate(800, -0.5, &[0.7, 0.0], 8);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for (mut row, &yi) in x.rows_mut().into_iter().zip(&y) {
            row[1] = (yi && rng.gen::<f64>() < 0.3) as u8 as f64;
        }
        let n = names(&["visits", "vip"]);
        assert_eq!(
            separating_feature(x.view(), y.view(), &n).as_deref(),
            Some("vip")
        );
        let err = fit_with(LogisticParams::new().feature_names(n), &x, &y).unwrap_err();
        assert!(
            matches!(&err, Error::Separation { detail } if detail.contains("\"vip\"") && detail.contains("quasi")),
            "{err}"
        );
        let ridge = fit_with(LogisticParams::new().alpha(1.0), &x, &y).unwrap();
        assert!(ridge.converged && ridge.coef.iter().all(|c| c.is_finite()));
    }

    #[test]
    fn complete_separation_by_a_combination_is_detected_while_fitting() {
        // y = (a + b > 0): neither column alone separates, so only the solver can notice.
        let (mut x, _) = simulate(600, 0.0, &[0.0, 0.0, 0.0], 12);
        let y: Array1<bool> = x.rows().into_iter().map(|r| r[0] + r[1] > 0.0).collect();
        assert_separated_by_a_and_b(&x, &y);
        let ridge = fit_with(LogisticParams::new().alpha(1.0), &x, &y).unwrap();
        assert!(ridge.converged && ridge.coef.iter().all(|c| c.is_finite()));
        // Scaling x keeps the problem separated: the ridge fit stays finite all the same.
        x *= 100.0;
        assert!(fit_with(LogisticParams::new().alpha(1.0), &x, &y).is_ok());
    }

    /// Columns `a` and `b` separate `y` only together (`noise` plays no part): no single column
    /// is flagged before the fit, both solvers report separation, and Newton names `a` and `b`.
    fn assert_separated_by_a_and_b(x: &Array2<f64>, y: &Array1<bool>) {
        let n = names(&["a", "b", "noise"]);
        assert_eq!(separating_feature(x.view(), y.view(), &n), None);
        for solver in [SolverKind::Newton, SolverKind::Lbfgs] {
            let err = fit_with(
                LogisticParams::new()
                    .solver(solver)
                    .feature_names(n.clone()),
                x,
                y,
            )
            .unwrap_err();
            assert!(matches!(&err, Error::Separation { .. }), "{solver}: {err}");
            if solver == SolverKind::Newton {
                assert!(
                    matches!(&err, Error::Separation { detail } if detail.contains("\"a\"") && detail.contains("\"b\"") && !detail.contains("noise")),
                    "{err}"
                );
            }
        }
    }

    #[test]
    fn quasi_separation_by_a_combination_is_detected_while_fitting() {
        // Off the line a + b = 0 the sign of a + b decides y; on it, y is a coin flip. The MLE
        // pushes the coefficient of a + b to infinity while the on-line rows stay at p = 1/2.
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let n = 1000;
        let mut x = Array2::<f64>::zeros((n, 3));
        let mut y = Array1::from_elem(n, false);
        for i in 0..n {
            let a: f64 = rng.sample(StandardNormal);
            let noise: f64 = rng.sample(StandardNormal);
            let (b, yi) = if i % 2 == 0 {
                (-a, rng.gen::<bool>())
            } else {
                let b: f64 = rng.sample(StandardNormal);
                (b, a + b > 0.0)
            };
            x.row_mut(i).assign(&array![a, b, noise]);
            y[i] = yi;
        }
        assert_separated_by_a_and_b(&x, &y);
        let ridge = fit_with(LogisticParams::new().alpha(1.0), &x, &y).unwrap();
        assert!(ridge.converged && ridge.coef.iter().all(|c| c.is_finite()));
    }

    #[test]
    fn collinear_columns_found_and_only_those() {
        let (base, y) = simulate(2000, 0.0, &[0.5, -0.5, 0.2], 31);
        let (a, b, c) = (base.column(0), base.column(1), base.column(2));
        let mut x = Array2::<f64>::zeros((2000, 6));
        x.column_mut(0).assign(&a);
        x.column_mut(1).assign(&b);
        x.column_mut(2).assign(&a); // duplicate of column 0
        x.column_mut(3).assign(&(&a * 2.0 - b + 5.0)); // combination with the intercept
        x.column_mut(4).fill(3.0); // constant: collinear with the intercept
        x.column_mut(5).assign(&c);
        assert_eq!(collinear_columns(x.view()), vec![2, 3, 4]);
        assert_eq!(collinear_columns(base.view()), Vec::<usize>::new());
        // Large offsets do not hide an exact combination, nor create a false one.
        let shifted = &base + 1e4;
        assert_eq!(collinear_columns(shifted.view()), Vec::<usize>::new());
        // Fitting without dropping them fails and names them.
        let n = names(&["a", "b", "a_copy", "combo", "const", "c"]);
        let err = fit_with(LogisticParams::new().feature_names(n), &x, &y).unwrap_err();
        assert!(
            matches!(&err, Error::Numerical(m) if m.contains("\"a_copy\"") && m.contains("\"combo\"") && m.contains("\"const\"")),
            "{err}"
        );
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
    fn parameters_are_checked() {
        for alpha in [-1.0, f64::NAN, f64::INFINITY] {
            let e = LogisticParams::new().alpha(alpha).check().unwrap_err();
            assert!(matches!(e, Error::InvalidParameter { ref name, .. } if name == "alpha"));
        }
        assert!(matches!(
            LogisticParams::new().tolerance(0.0).check(),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            LogisticParams::new().max_iter(0).check(),
            Err(Error::InvalidParameter { .. })
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
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            fit_with(LogisticParams::new().feature_names(names(&["a", "b"])), &x, &y),
            Err(Error::InvalidParameter { ref name, .. }) if name == "feature_names"
        ));
    }

    #[test]
    fn bad_data_is_rejected() {
        let (mut x, y) = simulate(50, 0.0, &[1.0, 0.5], 2);
        let all_true = Array1::from_elem(50, true);
        assert!(matches!(
            fit_with(LogisticParams::new(), &x, &all_true),
            Err(Error::InvalidParameter { .. })
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
            matches!(err, Error::InvalidParameter { ref name, ref reason, .. } if name == "b" && reason.contains("row 7")),
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
            Err(Error::InvalidParameter { .. })
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
