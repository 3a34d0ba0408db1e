//! Samplers of the model's distributions, and the speed-to-lead curve, ready for the engine.

use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};

use super::rng::SplitMix64;
use crate::sim::model::DistSpec;

/// A ready-to-draw distribution.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// A constant.
    Fixed(f64),
    /// Exponential with this mean.
    Exponential(f64),
    /// `exp(mu + sigma Z)`.
    LogNormal { mu: f64, sigma: f64 },
    /// Gamma (rand_distr's Marsaglia-Tsang sampler).
    Gamma(Gamma<f64>),
}

impl Sampler {
    /// A sampler with its parameters precomputed. The spec has been validated, so every
    /// parameter is finite and in range.
    pub fn new(spec: &DistSpec) -> Self {
        match *spec {
            DistSpec::Fixed { value } => Sampler::Fixed(value),
            DistSpec::Exponential { mean } => Sampler::Exponential(mean),
            DistSpec::LogNormalMeanCv { mean, cv } => {
                let s2 = (1.0 + cv * cv).ln();
                Sampler::LogNormal {
                    mu: mean.ln() - s2 / 2.0,
                    sigma: s2.sqrt(),
                }
            }
            DistSpec::LogNormalMedian { median, sigma } => Sampler::LogNormal {
                mu: median.ln(),
                sigma,
            },
            DistSpec::Gamma { mean, cv } => {
                if cv == 0.0 {
                    Sampler::Fixed(mean)
                } else {
                    let (shape, scale) = crate::sim::model::gamma_parameters(mean, cv);
                    Sampler::Gamma(Gamma::new(shape, scale).expect("validated gamma parameters"))
                }
            }
        }
    }

    /// One draw from `rng`.
    #[inline]
    pub fn sample(&self, rng: &mut SplitMix64) -> f64 {
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Exponential(mean) => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Sampler::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Sampler::Gamma(g) => g.sample(rng),
        }
    }
}

/// The speed-to-lead multiplier `g(d)` on qualification, `d` in hours from arrival.
#[derive(Clone, Debug)]
pub enum SpeedCurve {
    /// Points `(log(1 + hours), multiplier)`, interpolated linearly, flat outside.
    Table { x: Vec<f64>, y: Vec<f64> },
    /// `exp(-kappa d)`.
    Exponential { kappa: f64 },
}

impl SpeedCurve {
    /// Builds the table form from `(hours, multiplier)` points with increasing hours.
    pub fn table(points: &[[f64; 2]]) -> Self {
        SpeedCurve::Table {
            x: points.iter().map(|p| p[0].ln_1p()).collect(),
            y: points.iter().map(|p| p[1]).collect(),
        }
    }

    /// The multiplier at delay `d` hours.
    #[inline]
    pub fn eval(&self, d: f64) -> f64 {
        match self {
            SpeedCurve::Exponential { kappa } => (-kappa * d).exp(),
            SpeedCurve::Table { x, y } => {
                let u = d.max(0.0).ln_1p();
                if u <= x[0] {
                    return y[0];
                }
                let last = x.len() - 1;
                if u >= x[last] {
                    return y[last];
                }
                // Few points: a linear scan beats a binary search.
                let mut i = 1;
                while x[i] < u {
                    i += 1;
                }
                let w = (u - x[i - 1]) / (x[i] - x[i - 1]);
                y[i - 1] + w * (y[i] - y[i - 1])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lognormal_mean_cv_has_that_mean() {
        let s = Sampler::new(&DistSpec::LogNormalMeanCv { mean: 8.0, cv: 0.5 });
        let mut rng = SplitMix64::new(7);
        let n = 200_000;
        let m: f64 = (0..n).map(|_| s.sample(&mut rng)).sum::<f64>() / n as f64;
        // sd of the mean is 8 * 0.5 / sqrt(n) = 0.009; 5 sd.
        assert!((m - 8.0).abs() < 0.045, "{m}");
    }

    #[test]
    fn table_interpolates_in_log_hours() {
        let g = SpeedCurve::table(&[[0.0, 1.0], [1.0, 0.75], [24.0, 0.45]]);
        assert_eq!(g.eval(0.0), 1.0);
        assert_eq!(g.eval(1.0), 0.75);
        assert_eq!(g.eval(1000.0), 0.45);
        // Halfway in log(1 + h) between 1 h and 24 h is h = sqrt(2 * 25) - 1.
        let mid = (2.0f64 * 25.0).sqrt() - 1.0;
        assert!((g.eval(mid) - 0.6).abs() < 1e-12);
    }
}
