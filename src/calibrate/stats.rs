//! Small statistical helpers the estimators share: the normal quantile of a 95% interval,
//! Wilson intervals for proportions, the lognormal's moments and logit. The logistic function
//! and quantiles are the crate's shared ones (`scoring::model::sigmoid`, `crate::stats`),
//! re-exported here.

/// The 97.5% quantile of the standard normal.
pub const Z95: f64 = 1.959_963_984_540_054;
/// The 95% quantile of the chi-square with one degree of freedom (= Z95^2), the drop in twice
/// the log likelihood that bounds a profile-likelihood interval.
pub const CHI2_1_95: f64 = 3.841_458_820_694_124;

/// Wilson score interval for `k` successes in `n` trials (Wilson 1927); `(0, 1)` when `n = 0`.
pub fn wilson(k: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// `ln(p / (1 - p))`.
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

pub use crate::scoring::model::sigmoid;

/// Standard normal distribution function.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Mean and coefficient of variation of a lognormal with log-mean `mu`, log-sd `sigma`.
pub fn lognormal_mean_cv(mu: f64, sigma: f64) -> (f64, f64) {
    let s2 = sigma * sigma;
    ((mu + s2 / 2.0).exp(), (s2.exp() - 1.0).sqrt())
}

/// A Wald interval on the log scale, back-transformed: `exp(ln x -+ 1.96 se_log)`.
pub fn log_interval(x: f64, se_log: f64) -> (f64, f64) {
    ((x.ln() - Z95 * se_log).exp(), (x.ln() + Z95 * se_log).exp())
}

/// A Wald interval on the logit scale, back-transformed.
pub fn logit_interval(p: f64, se_logit: f64) -> (f64, f64) {
    let l = logit(p);
    (sigmoid(l - Z95 * se_logit), sigmoid(l + Z95 * se_logit))
}

pub use crate::stats::quantile_sorted;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_published_value() {
        // Newcombe (1998), Statistics in Medicine 17:857, table I: 81 of 263 gives
        // 0.2553 to 0.3662 by the Wilson method.
        let (lo, hi) = wilson(81.0, 263.0);
        assert!((lo - 0.2553).abs() < 5e-4, "{lo}");
        assert!((hi - 0.3662).abs() < 5e-4, "{hi}");
        assert_eq!(wilson(0.0, 0.0), (0.0, 1.0));
        let (lo0, _) = wilson(0.0, 10.0);
        assert_eq!(lo0, 0.0);
    }

    #[test]
    fn lognormal_moments_and_helpers() {
        // mean 8, cv 0.5 has sigma^2 = ln 1.25 and mu = ln 8 - sigma^2 / 2 (MODEL.md 7).
        let s2 = 1.25f64.ln();
        let (m, cv) = lognormal_mean_cv(8f64.ln() - s2 / 2.0, s2.sqrt());
        assert!((m - 8.0).abs() < 1e-12 && (cv - 0.5).abs() < 1e-12);
        assert!((sigmoid(logit(0.3)) - 0.3).abs() < 1e-15);
        assert!((normal_cdf(Z95) - 0.975).abs() < 1e-12);
        assert!((Z95 * Z95 - CHI2_1_95).abs() < 1e-12);
    }
}
