//! The penalised objective both solvers minimise, and the pieces built from one pass's sums.

use ndarray::{Array1, Array2, Zip};

/// Gradient of the penalised log likelihood (ascent direction) and the penalised Hessian of the
/// negative log likelihood, from one pass's unpenalised sums.
pub(crate) fn penalise(
    grad: &Array1<f64>,
    hess: &Array2<f64>,
    beta: &Array1<f64>,
    alpha: f64,
) -> (Array1<f64>, Array2<f64>) {
    let mut g = grad.clone();
    let mut h = hess.clone();
    if alpha > 0.0 {
        Zip::from(g.slice_mut(ndarray::s![1..]))
            .and(beta.slice(ndarray::s![1..]))
            .for_each(|g, &b| *g -= alpha * b);
        for j in 1..h.nrows() {
            h[[j, j]] += alpha;
        }
    }
    (g, h)
}

/// Penalised objective: summed negative log likelihood plus the ridge term.
pub(crate) fn objective(loss: f64, beta: &Array1<f64>, alpha: f64) -> f64 {
    if alpha > 0.0 {
        let c = beta.slice(ndarray::s![1..]);
        loss + 0.5 * alpha * c.dot(&c)
    } else {
        loss
    }
}

/// `max |g| / n`.
pub(crate) fn scaled_max_abs(g: &Array1<f64>, n: usize) -> f64 {
    g.iter().fold(0.0f64, |m, v| m.max(v.abs())) / n as f64
}
