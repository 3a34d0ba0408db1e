//! Lead scoring: encode a CSV into a design matrix, fit a logistic regression, report honest
//! diagnostics, and score new leads with explanations.

pub mod design;
pub mod encode;
pub mod inference;
pub mod metrics;
pub mod model;
pub mod score;
pub mod solver;
pub mod summary;
pub mod train;
