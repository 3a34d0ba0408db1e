//! Statistical inference for a fitted model, as statsmodels' `Logit.summary()` reports it:
//! standard errors from the inverse Fisher information, Wald z, two-sided p-values, 95%
//! intervals and odds ratios, all on the original units of the features.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// The two-sided 97.5% normal quantile, for 95% Wald intervals.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// Name of the intercept in coefficient tables.
pub const INTERCEPT: &str = "(intercept)";

/// One row of the coefficient table. Inference fields are `None` for regularised fits, whose
/// inverse penalised Hessian does not give valid intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    pub name: String,
    pub estimate: f64,
    pub std_error: Option<f64>,
    pub z: Option<f64>,
    pub p_value: Option<f64>,
    pub ci_lower: Option<f64>,
    pub ci_upper: Option<f64>,
    pub odds_ratio: f64,
    /// Firth fits only: the penalised likelihood-ratio p-value of this coefficient being 0
    /// (logistf's default test); `p_value` stays the Wald p-value of `z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr_p_value: Option<f64>,
}

/// Two-sided p-value of a standard normal statistic, accurate far into the tail.
pub(crate) fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Maps coefficients fitted on standardised columns `(x - mean) / scale` back to original units
/// and builds the coefficient table.
///
/// `coef_std` holds the intercept first, then one value per column; `cov_std` is their
/// covariance, same order. With `with_inference = false` only estimates and odds ratios are
/// filled.
pub(crate) fn coefficient_table(
    names: &[String],
    coef_std: &Array1<f64>,
    cov_std: &Array2<f64>,
    means: &[f64],
    scales: &[f64],
    with_inference: bool,
) -> Vec<Coefficient> {
    let p = names.len();
    // beta = T b with beta_0 = b_0 - sum_j b_j m_j / s_j and beta_j = b_j / s_j. Only the
    // diagonal of T cov T' is reported: Var(beta_j) = cov_jj / s_j^2 and Var(beta_0) = t0' cov t0
    // with t0 = (1, -m_1 / s_1, ...), O(p^2) instead of two p^3 products.
    let t0: Vec<f64> = std::iter::once(1.0)
        .chain((0..p).map(|j| -means[j] / scales[j]))
        .collect();
    let mut beta = Array1::<f64>::zeros(p + 1);
    beta[0] = t0.iter().zip(coef_std).map(|(t, b)| t * b).sum();
    let mut var = vec![0.0; p + 1];
    var[0] = (0..=p)
        .map(|a| t0[a] * (0..=p).map(|b| cov_std[[a, b]] * t0[b]).sum::<f64>())
        .sum();
    for j in 0..p {
        // As the products of T compute them, to the bit.
        let inv = 1.0 / scales[j];
        beta[j + 1] = inv * coef_std[j + 1];
        var[j + 1] = inv * cov_std[[j + 1, j + 1]] * inv;
    }
    (0..=p)
        .map(|j| {
            let name = if j == 0 {
                INTERCEPT.to_string()
            } else {
                names[j - 1].clone()
            };
            let estimate = beta[j];
            let se = var[j].max(0.0).sqrt();
            let inference = with_inference && se.is_finite() && se > 0.0;
            let z = estimate / se;
            Coefficient {
                name,
                estimate,
                std_error: inference.then_some(se),
                z: inference.then_some(z),
                p_value: inference.then(|| two_sided_p(z)),
                ci_lower: inference.then_some(estimate - Z_975 * se),
                ci_upper: inference.then_some(estimate + Z_975 * se),
                odds_ratio: estimate.exp(),
                lr_p_value: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn p_values_match_known_normal_tails() {
        // Reference values of 2 * (1 - Phi(z)) from standard normal tables.
        assert!((two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-15);
        assert!((two_sided_p(-2.575_829_303_548_901) - 0.01).abs() < 1e-15);
        assert_eq!(two_sided_p(0.0), 1.0);
        // 2 * (1 - Phi(30)) = 9.8134278542958e-198 (scipy 1.17 `2 * norm.sf(30)`): far in the
        // tail, where 1 - Phi(z) computed naively would round to 0.
        let tiny = two_sided_p(30.0);
        assert!(
            (tiny / 9.813_427_854_295_8e-198 - 1.0).abs() < 1e-9,
            "{tiny:e}"
        );
    }

    #[test]
    fn back_transform_matches_a_direct_fit_on_original_units() {
        // eta = b0 + b1 (x - 2) / 4  =>  beta1 = b1 / 4, beta0 = b0 - b1 * 2 / 4.
        let coef = array![0.5, 2.0];
        let cov = array![[0.04, 0.01], [0.01, 0.09]];
        let t = coefficient_table(&["x".into()], &coef, &cov, &[2.0], &[4.0], true);
        assert_eq!(t[0].name, INTERCEPT);
        assert!((t[1].estimate - 0.5).abs() < 1e-15);
        assert!((t[0].estimate - (0.5 - 1.0)).abs() < 1e-15);
        // Var(beta1) = 0.09 / 16; Var(beta0) = 0.04 - 2 * 0.5 * 0.01 + 0.25 * 0.09.
        assert!((t[1].std_error.unwrap() - (0.09f64 / 16.0).sqrt()).abs() < 1e-15);
        assert!((t[0].std_error.unwrap() - (0.04f64 - 0.01 + 0.0225).sqrt()).abs() < 1e-15);
        assert!((t[1].odds_ratio - 0.5f64.exp()).abs() < 1e-15);
        let none = coefficient_table(&["x".into()], &coef, &cov, &[2.0], &[4.0], false);
        assert!(none[1].std_error.is_none() && none[1].p_value.is_none());
    }
}
