//! Synthetic lead histories (placeholder).
