//! Lead scoring: encode a CSV into a design matrix, fit a logistic regression, report honest
//! diagnostics, and score new leads with explanations.

pub mod encode;
pub mod inference;
pub mod metrics;
pub mod model;
pub mod output;
pub mod score;
pub mod solver;
pub mod train;
