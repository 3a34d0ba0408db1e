//! Positive distributions of durations and values, as the scenario file names them.

use serde::Serialize;

/// A distribution as written in the scenario file (docs/model.md section 1); the engine's
/// `Sampler` draws from it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum DistSpec {
    /// Always `value`.
    Fixed { value: f64 },
    /// Exponential with the given mean.
    Exponential { mean: f64 },
    /// Lognormal by mean and coefficient of variation.
    #[serde(rename = "lognormal")]
    LogNormalMeanCv { mean: f64, cv: f64 },
    /// Lognormal by median and log-scale sigma.
    #[serde(rename = "lognormal")]
    LogNormalMedian { median: f64, sigma: f64 },
    /// Gamma by mean and coefficient of variation.
    Gamma { mean: f64, cv: f64 },
}

impl DistSpec {
    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            DistSpec::Fixed { value } => value,
            DistSpec::Exponential { mean } => mean,
            DistSpec::LogNormalMeanCv { mean, .. } => mean,
            DistSpec::LogNormalMedian { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            DistSpec::Gamma { mean, .. } => mean,
        }
    }
}

/// The shape and scale of a gamma by mean and coefficient of variation (`cv > 0`): `1 / cv^2`
/// and `mean cv^2`. The sampler and the scenario file's validation share this arithmetic, so
/// a file is refused exactly when the sampler could not be built.
pub fn gamma_parameters(mean: f64, cv: f64) -> (f64, f64) {
    (1.0 / (cv * cv), mean * cv * cv)
}

/// Whether a gamma of these parameters is one a 64-bit float can hold and the sampler can draw
/// from: shape and scale positive, finite and not subnormal. A `cv` of 1e-200 fails (`cv^2`
/// underflows to 0, the shape is infinite), as does a `cv` of 1e200.
pub fn gamma_representable(mean: f64, cv: f64) -> bool {
    let (shape, scale) = gamma_parameters(mean, cv);
    shape.is_normal() && shape > 0.0 && scale.is_normal() && scale > 0.0
}
