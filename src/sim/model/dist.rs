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
