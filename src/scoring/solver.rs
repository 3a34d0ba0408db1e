//! Logistic-regression solvers (placeholder).
