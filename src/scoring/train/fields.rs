//! Which fields matter: one Wald test per input field, every design column of the field (its
//! one-hot levels, its missing indicator) tested together, so that a categorical field is
//! judged as one question rather than level by level.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::scoring::encode::Encoder;

/// The Wald test that every coefficient of one input field is zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldTest {
    pub field: String,
    /// Design columns of the field that the model kept (the degrees of freedom).
    pub df: usize,
    /// Wald chi-square `b' V^-1 b` over those columns.
    pub chi2: Option<f64>,
    pub p_value: Option<f64>,
}

/// One test per feature of `encoder` with a kept design column, ranked by p-value (smallest
/// first; ties, such as p-values that underflow to 0, by chi-square). `coef` and `cov` are the
/// fit's intercept-first coefficients and covariance on any scaling of the columns (the Wald
/// statistic does not depend on it).
pub fn field_tests(encoder: &Encoder, coef: &Array1<f64>, cov: &Array2<f64>) -> Vec<FieldTest> {
    let mut out: Vec<FieldTest> = encoder
        .features
        .iter()
        .enumerate()
        .filter_map(|(f, spec)| {
            // Design column j is coefficient j + 1 (the intercept comes first).
            let idx: Vec<usize> = encoder
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.feature == f)
                .map(|(j, _)| j + 1)
                .collect();
            if idx.is_empty() {
                return None;
            }
            let b: Vec<f64> = idx.iter().map(|&i| coef[i]).collect();
            let v: Vec<Vec<f64>> = idx
                .iter()
                .map(|&i| idx.iter().map(|&k| cov[[i, k]]).collect())
                .collect();
            let chi2 = quadratic_form_inverse(&v, &b);
            Some(FieldTest {
                field: spec.column.clone(),
                df: idx.len(),
                chi2,
                p_value: chi2.map(|w| chi2_sf(w, idx.len() as f64)),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let p = |t: &FieldTest| t.p_value.unwrap_or(f64::INFINITY);
        p(a).total_cmp(&p(b))
            .then_with(|| b.chi2.unwrap_or(0.0).total_cmp(&a.chi2.unwrap_or(0.0)))
            .then_with(|| a.field.cmp(&b.field))
    });
    out
}

/// `b' V^-1 b` by a Cholesky factorisation of `v`; `None` when `v` is not positive definite.
fn quadratic_form_inverse(v: &[Vec<f64>], b: &[f64]) -> Option<f64> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = v[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    // Solve L z = b; then b' V^-1 b = z' z.
    let mut z = vec![0.0; n];
    for i in 0..n {
        z[i] = (b[i] - (0..i).map(|k| l[i][k] * z[k]).sum::<f64>()) / l[i][i];
    }
    Some(z.iter().map(|v| v * v).sum())
}

/// Upper tail `P(X > x)` of a chi-square with `df` degrees of freedom: the regularised upper
/// incomplete gamma function `Q(df / 2, x / 2)`, by its power series below `a + 1` and its
/// continued fraction (modified Lentz) above.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let (a, x) = (0.5 * df, 0.5 * x);
    let log_prefix = a * x.ln() - x - libm::lgamma(a);
    if x < a + 1.0 {
        // P(a, x) = e^-x x^a / Gamma(a + 1) * sum x^n / ((a + 1)...(a + n)).
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (1.0 - sum * log_prefix.exp()).max(0.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_prefix.exp() * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi2_tail_matches_the_closed_forms() {
        // df 1: erfc(sqrt(x / 2)); df 2: e^(-x/2); df 4: e^(-x/2) (1 + x/2). Exact identities
        // of the chi-square distribution, on both sides of the series/fraction switch.
        for x in [0.01, 0.5, 1.0, 3.841_458_820_694_124, 7.0, 30.0, 200.0] {
            let rel = |a: f64, b: f64| ((a - b) / b).abs();
            let one = libm::erfc((x / 2.0f64).sqrt());
            assert!(rel(chi2_sf(x, 1.0), one) < 1e-12, "df 1, x {x}");
            assert!(
                rel(chi2_sf(x, 2.0), (-x / 2.0).exp()) < 1e-12,
                "df 2, x {x}"
            );
            let four = (-x / 2.0).exp() * (1.0 + x / 2.0);
            assert!(rel(chi2_sf(x, 4.0), four) < 1e-12, "df 4, x {x}");
        }
        assert!((chi2_sf(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-12);
        assert_eq!(chi2_sf(0.0, 3.0), 1.0);
    }

    #[test]
    fn wald_of_one_column_is_z_squared_and_of_a_block_uses_the_covariance() {
        // One column: b^2 / var. Two independent columns: the sum of their z^2. Correlated: the
        // closed form of a 2x2 inverse.
        let v = vec![vec![4.0]];
        assert!((quadratic_form_inverse(&v, &[3.0]).unwrap() - 2.25).abs() < 1e-15);
        let v = vec![vec![1.0, 0.0], vec![0.0, 4.0]];
        assert!((quadratic_form_inverse(&v, &[1.0, 2.0]).unwrap() - 2.0).abs() < 1e-15);
        let v = vec![vec![2.0, 1.0], vec![1.0, 2.0]];
        // V^-1 = [[2, -1], [-1, 2]] / 3; b = (1, 1): (2 - 1 - 1 + 2) / 3 = 2/3.
        assert!((quadratic_form_inverse(&v, &[1.0, 1.0]).unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(quadratic_form_inverse(&[vec![0.0]], &[1.0]), None);
    }
}
