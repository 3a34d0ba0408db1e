//! The exact per-decile solve: the expected SQLs of a decile as a function of its factor.
//!
//! A reached lead `i` with label probability `p_i` and multiplier `b_i` (the pool's skill times
//! the speed-to-lead multiplier at its reaching delay) qualifies, with factor `f`, with
//! probability `min(1, min(1, f p_i) b_i)`, which equals `min(f a_i, c_i)` with `a_i = p_i b_i`
//! and `c_i = min(b_i, 1)` (for `b_i <= 1` it is `b_i min(f p_i, 1)`; for `b_i > 1` it is
//! `min(1, f p_i b_i)`). The sum over a decile's reached leads is continuous, non-decreasing
//! and piecewise linear in `f`, with a breakpoint at each `c_i / a_i`, so the factor that makes
//! it equal a target is found exactly by one sweep over the sorted breakpoints.

/// One reached lead's term `min(f a, c)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    /// Slope: label probability times multiplier.
    pub a: f64,
    /// Ceiling: the multiplier, capped at 1.
    pub c: f64,
}

impl Term {
    /// The term of a reached lead with label probability `p` and multiplier `b`.
    pub fn new(p: f64, b: f64) -> Self {
        Term {
            a: p * b,
            c: b.min(1.0),
        }
    }
}

/// The expected SQLs `sum_i min(f a_i, c_i)`.
pub fn expected(terms: &[Term], f: f64) -> f64 {
    // A fold from +0: `Sum` for f64 starts at -0, which would print an empty decile as "-0%".
    terms.iter().fold(0.0, |acc, t| acc + (f * t.a).min(t.c))
}

/// The outcome of [`solve`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solution {
    /// The factor.
    pub factor: f64,
    /// Whether the target is reached (else `factor` is the largest useful one, beyond which
    /// no term grows).
    pub feasible: bool,
}

/// The smallest `f >= 0` with `expected(terms, f) = target`, or, when even `f -> inf` falls
/// short, the largest breakpoint (where every term has reached its ceiling). With no term that
/// can grow, the factor is 1 (nothing to calibrate) and feasible only for a zero target.
pub fn solve(terms: &[Term], target: f64) -> Solution {
    let mut growing: Vec<Term> = terms.iter().copied().filter(|t| t.a > 0.0).collect();
    if growing.is_empty() {
        return Solution {
            factor: 1.0,
            feasible: target <= 0.0,
        };
    }
    if target <= 0.0 {
        return Solution {
            factor: 0.0,
            feasible: true,
        };
    }
    // Stable sort by breakpoint: the order of equal breakpoints is the input order, which is
    // fixed (replications in index order), so every sum below is too.
    growing.sort_by(|x, y| (x.c / x.a).total_cmp(&(y.c / y.a)));
    // Below the current breakpoint, E(f) = f * slope + flat.
    let mut slope: f64 = growing.iter().map(|t| t.a).sum();
    let mut flat = 0.0;
    for t in &growing {
        let x = t.c / t.a;
        if x * slope + flat >= target {
            return Solution {
                factor: (target - flat) / slope,
                feasible: true,
            };
        }
        slope -= t.a;
        flat += t.c;
    }
    let last = growing.last().expect("non-empty");
    Solution {
        factor: last.c / last.a,
        feasible: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factor_reproduces_the_target_exactly() {
        let terms: Vec<Term> = [(0.1, 0.5), (0.3, 1.0), (0.6, 0.8), (0.05, 1.5)]
            .iter()
            .map(|&(p, b)| Term::new(p, b))
            .collect();
        for target in [0.01, 0.2, 0.9, 1.5, 2.9] {
            let s = solve(&terms, target);
            assert!(s.feasible);
            assert!(
                (expected(&terms, s.factor) - target).abs() < 1e-12,
                "{target}"
            );
        }
    }

    #[test]
    fn the_ceiling_is_min_of_the_multiplier_and_one() {
        // Max reachable: 0.5 + 1 + 0.8 + 1 (the b = 1.5 lead caps at probability 1) = 3.3.
        let terms: Vec<Term> = [(0.1, 0.5), (0.3, 1.0), (0.6, 0.8), (0.05, 1.5)]
            .iter()
            .map(|&(p, b)| Term::new(p, b))
            .collect();
        assert!((expected(&terms, 1e9) - 3.3).abs() < 1e-12);
        let s = solve(&terms, 3.4);
        assert!(!s.feasible);
        // The largest breakpoint: the p = 0.05, b = 1.5 lead needs f = 1 / 0.075 to reach its
        // ceiling of 1 (the p = 0.1 lead reaches its ceiling at f = 10).
        assert!((s.factor - 1.0 / 0.075).abs() < 1e-12);
        assert!((expected(&terms, s.factor) - 3.3).abs() < 1e-12);
    }

    #[test]
    fn a_linear_decile_scales_by_the_ratio() {
        // No term at its ceiling: f = target / sum(a).
        let terms = [Term::new(0.1, 0.5), Term::new(0.2, 0.5)];
        let s = solve(&terms, 0.075);
        assert!((s.factor - 0.075 / 0.15).abs() < 1e-15);
    }

    #[test]
    fn nothing_reached_leaves_the_factor_at_one() {
        assert_eq!(
            solve(&[Term::new(0.3, 0.0)], 0.2),
            Solution {
                factor: 1.0,
                feasible: false
            }
        );
        assert!(solve(&[], 0.0).feasible);
    }
}
