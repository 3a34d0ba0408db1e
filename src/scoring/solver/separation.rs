//! Separation: data on which maximum likelihood has no finite solution.
//!
//! Before the fit, one pass finds a column that separates the classes on its own
//! ([`separating_feature`], [`ColumnSummary`]); a combination of columns only shows while
//! fitting, as probabilities running to 0 or 1, and the solvers build their error from the
//! helpers here, naming the features most implicated.

use ndarray::{ArrayView1, ArrayView2};

use super::blocks::{block_count, block_range, reduce_blocks};
use crate::error::Error;

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
pub(super) struct ColumnSummary {
    /// Column minima over rows with y = false (`[0]`) and y = true (`[1]`).
    min: [Vec<f64>; 2],
    /// Column maxima, likewise.
    max: [Vec<f64>; 2],
    pub positives: usize,
    rows: usize,
    /// (row, column) of the first non-finite value, in row-major order.
    pub non_finite: Option<(usize, usize)>,
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
pub(super) struct SeparatingColumn {
    pub column: usize,
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
    pub fn describe(&self, name: &str, mean: f64, scale: f64) -> String {
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
    /// The summary of a design of codes (whose values are finite by construction).
    pub fn from_ranges(r: crate::scoring::design::ClassRanges) -> Self {
        ColumnSummary {
            min: r.min,
            max: r.max,
            positives: r.positives,
            rows: r.rows,
            non_finite: None,
        }
    }

    pub fn compute(x: ArrayView2<f64>, y: ArrayView1<bool>) -> Self {
        let (n, p) = x.dim();
        reduce_blocks(
            0,
            block_count(n),
            &|b| {
                let rows = block_range(b, n);
                let (lo, hi) = (rows.start, rows.end);
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

    /// Every column that separates the classes on its own, in column order (its complete
    /// separation when it has one, else its quasi-separation), so that one message can name
    /// them all.
    pub fn separating_columns(&self) -> Vec<SeparatingColumn> {
        if self.positives == 0 || self.positives == self.rows {
            return Vec::new();
        }
        (0..self.min[0].len())
            .filter_map(|j| self.separation_of(j))
            .collect()
    }

    /// How column `j` alone separates the classes, if it does.
    fn separation_of(&self, j: usize) -> Option<SeparatingColumn> {
        let neg = [self.min[0][j], self.max[0][j]];
        let pos = [self.min[1][j], self.max[1][j]];
        if neg[0] == neg[1] && pos[0] == pos[1] && neg[0] == pos[0] {
            return None;
        }
        let mut quasi = None;
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
        quasi
    }

    /// The separation an error names first: the first complete one in column order, else the
    /// first quasi-separation.
    pub fn separating_column(&self) -> Option<SeparatingColumn> {
        let all = self.separating_columns();
        let complete = all.iter().position(|s| s.complete);
        all.into_iter().nth(complete.unwrap_or(0))
    }
}

/// Names the features most implicated in a direction of growth: those whose coefficient change
/// times the column's standard deviation (its effect on the linear predictor) is within a
/// quarter of the largest, at most three.
fn implicated(direction: ArrayView1<f64>, col_sd: &[f64], names: &[String]) -> String {
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

/// The classes are separated by a combination of features: the fit drove the total loss below
/// ln 2, so every row is on its correct side of `eta = 0`. `who` is "the fit" or "L-BFGS".
pub(super) fn completely_separated(
    who: &str,
    log_likelihood: f64,
    direction: ArrayView1<f64>,
    col_sd: &[f64],
    names: &[String],
) -> Error {
    Error::Separation {
        detail: format!(
            "the classes are completely separated by a linear combination of the features (most \
             implicated: {}); {who} reached log likelihood {log_likelihood:.3e}",
            implicated(direction, col_sd, names),
        ),
    }
}

/// Newton's steps keep growing the coefficients along `direction` without improving the fit,
/// while `n_extreme` rows have probabilities of numerically 0 or 1.
pub(super) fn quasi_separated(
    n_extreme: usize,
    direction: ArrayView1<f64>,
    col_sd: &[f64],
    names: &[String],
) -> Error {
    Error::Separation {
        detail: format!(
            "the classes are quasi-separated: {n_extreme} rows get fitted probabilities of \
             numerically 0 or 1 and the coefficients keep growing without improving the fit \
             (most implicated: {})",
            implicated(direction, col_sd, names)
        ),
    }
}

/// A Newton step from L-BFGS's answer still moves linear predictors by `moved` without
/// improving the fit: L-BFGS stopped on a direction of separation.
pub(super) fn quasi_separated_after_lbfgs(
    moved: f64,
    direction: ArrayView1<f64>,
    col_sd: &[f64],
    names: &[String],
) -> Error {
    Error::Separation {
        detail: format!(
            "the classes are quasi-separated: a Newton step from the L-BFGS solution still moves \
             linear predictors by {moved:.2} without improving the fit (most implicated: {})",
            implicated(direction, col_sd, names)
        ),
    }
}

/// The Hessian became singular after `n_extreme` rows reached probabilities of numerically 0
/// or 1: separation rather than collinearity.
pub(super) fn singular_at_extremes(
    n_extreme: usize,
    direction: ArrayView1<f64>,
    col_sd: &[f64],
    names: &[String],
) -> Error {
    Error::Separation {
        detail: format!(
            "{n_extreme} rows have fitted probabilities of numerically 0 or 1 and the Hessian \
             became singular (most implicated: {})",
            implicated(direction, col_sd, names)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fit_with, names, simulate};
    use super::super::{LogisticParams, SolverKind};
    use super::*;
    use ndarray::{array, Array1, Array2};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

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
            // The library states the problem; the flag to fix it is the binary's hint.
            assert!(!err.to_string().contains("--"), "{err}");
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
}
