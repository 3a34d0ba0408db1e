//! Mean, spread and Student-t 95% interval of a sample, NaN values left out.

use serde::Serialize;

use super::student_t::t_quantile;

/// Two-sided confidence level of every interval.
pub const LEVEL: f64 = 0.95;

/// Mean, spread and 95% interval of a sample (in the simulator: one metric over the
/// replications where it is defined).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Interval {
    /// Values the summary rests on (NaN values are left out).
    pub n: usize,
    /// Sample mean (NaN when `n == 0`).
    pub mean: f64,
    /// Sample standard deviation, n - 1 denominator (NaN when `n < 2`).
    pub sd: f64,
    /// Lower end of the 95% interval (NaN when `n < 2`).
    pub ci_low: f64,
    /// Upper end of the 95% interval (NaN when `n < 2`).
    pub ci_high: f64,
}

impl Interval {
    /// Summarises the finite values of `x`.
    pub fn of(x: impl IntoIterator<Item = f64>) -> Self {
        let v: Vec<f64> = x.into_iter().filter(|x| !x.is_nan()).collect();
        let n = v.len();
        let mean = if n == 0 {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / n as f64
        };
        if n < 2 {
            return Interval {
                n,
                mean,
                sd: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
            };
        }
        let ss: f64 = v.iter().map(|x| (x - mean) * (x - mean)).sum();
        let sd = (ss / (n - 1) as f64).sqrt();
        let half = t_quantile(0.5 + LEVEL / 2.0, (n - 1) as f64) * sd / (n as f64).sqrt();
        Interval {
            n,
            mean,
            sd,
            ci_low: mean - half,
            ci_high: mean + half,
        }
    }

    /// Half the width of the 95% interval (NaN when `n < 2`).
    pub fn half_width(&self) -> f64 {
        (self.ci_high - self.ci_low) / 2.0
    }

    /// The standard error of the mean.
    pub fn se(&self) -> f64 {
        self.sd / (self.n as f64).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_values_are_left_out() {
        let s = Interval::of([1.0, f64::NAN, 3.0]);
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, 2.0);
        assert!(Interval::of([f64::NAN]).mean.is_nan());
    }
}
