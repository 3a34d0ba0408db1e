//! Test data shared by the solver's unit tests.

use linfa::traits::Fit;
use linfa::Dataset;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{sigmoid, LogisticFit, LogisticParams};
use crate::error::Result;

/// Fits `params` on copies of `x` and `y`.
pub fn fit_with(params: LogisticParams, x: &Array2<f64>, y: &Array1<bool>) -> Result<LogisticFit> {
    params.fit(&Dataset::new(x.clone(), y.clone()))
}

/// Standard-normal features and outcomes drawn from the logistic model.
pub fn simulate(n: usize, intercept: f64, coef: &[f64], seed: u64) -> (Array2<f64>, Array1<bool>) {
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

/// Owned strings, for feature names.
pub fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
