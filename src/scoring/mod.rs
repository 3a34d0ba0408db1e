//! Lead scoring: encode a CSV into a design matrix, fit a logistic regression, report honest
//! diagnostics, and score new leads with explanations.

pub mod metrics;
pub mod solver;
