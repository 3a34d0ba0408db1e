//! CSV input (placeholder).
