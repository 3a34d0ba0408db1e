//! The rows a solver fits: a dense standardised matrix (the linfa `Fit` interface) or a
//! [`Design`] that keeps categoricals as codes (`leadsim train`). Both give the same pass,
//! collinearity check and per-class column ranges, so the Newton solver runs unchanged on
//! either.

use std::borrow::Cow;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use super::newton::{self, PassStats};
use crate::scoring::design::Design;

/// Where a solver's rows live.
#[derive(Clone, Copy)]
pub(crate) enum Rows<'a> {
    Dense(ArrayView2<'a, f64>),
    Codes(&'a Design),
}

impl Rows<'_> {
    /// Number of rows.
    pub fn n(&self) -> usize {
        match self {
            Rows::Dense(x) => x.nrows(),
            Rows::Codes(d) => d.rows(),
        }
    }

    /// Number of design columns (intercept not counted).
    pub fn p(&self) -> usize {
        match self {
            Rows::Dense(x) => x.ncols(),
            Rows::Codes(d) => d.ncols(),
        }
    }

    /// One Newton pass at `beta` (intercept first); see [`newton::pass`] and [`Design::pass`].
    pub fn pass(
        &self,
        y: ArrayView1<bool>,
        beta: &Array1<f64>,
        step: Option<&Array1<f64>>,
        full: bool,
    ) -> PassStats {
        match self {
            Rows::Dense(x) => newton::pass(*x, y, beta, step, full),
            Rows::Codes(d) => d
                .pass(&labels(y), beta.view(), step.map(|s| s.view()), full)
                .into(),
        }
    }

    /// The full pass at Newton's intercept-only start; for a design, from its Gram matrix when
    /// that is at hand ([`Design::start_pass`]).
    pub fn start_pass(&self, y: ArrayView1<bool>, beta: &Array1<f64>) -> PassStats {
        match self {
            Rows::Dense(_) => self.pass(y, beta, None, true),
            Rows::Codes(d) => d.start_pass(&labels(y), beta.view()).into(),
        }
    }

    /// Firth's score correction `[1, X]'(h (1/2 - mu))` at `beta`, given `cov = I^-1` there;
    /// see [`super::firth`] and [`Design::firth_correction`].
    pub fn firth_correction(&self, beta: &Array1<f64>, cov: &Array2<f64>) -> Array1<f64> {
        match self {
            Rows::Dense(x) => super::firth::dense_correction(*x, beta, cov),
            Rows::Codes(d) => d.firth_correction(beta.view(), cov).correction,
        }
    }

    /// Columns that are linear combinations of the intercept and earlier columns.
    pub fn collinear(&self) -> Vec<usize> {
        match self {
            Rows::Dense(x) => super::collinear_columns(*x),
            Rows::Codes(d) => {
                let (mean, gram) = d.centred_gram();
                super::collinear_from_gram(d.rows(), &mean, &gram)
            }
        }
    }
}

/// The labels as a slice (a copy only for a strided view).
pub(crate) fn labels<'a>(y: ArrayView1<'a, bool>) -> Cow<'a, [bool]> {
    match y.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(y.to_vec()),
    }
}
