//! Evaluation metrics (placeholder).
