//! # leadsim
//!
//! Lead scoring and marketing-to-sales handover simulation.
//!
//! * [`scoring`]: logistic-regression lead scores trained on historical outcomes (a Newton/IRLS
//!   solver behind linfa's `Fit` trait, or linfa-logistic's L-BFGS), with honest diagnostics and
//!   per-lead explanations.
//! * [`generate`]: synthetic lead histories whose true coefficients are known.
//! * [`data`]: CSV reading (delimiter sniffing, gzip, BOM, streaming) and type inference.
//! * [`calibrate`]: every funnel knob estimated from a history export, with 95% intervals.
//! * [`history`]: a CRM's history export (leads and calls), read, checked and summarised.
//! * [`sim`]: Monte Carlo simulation of the marketing-to-sales handover under policies.
//!
//! The library does no printing and knows nothing of exit codes; the `leadsim` binary is a thin
//! layer over it.

pub mod atomic;
pub mod calibrate;
pub mod data;
pub mod error;
pub mod format;
pub mod generate;
pub mod history;
pub mod limits;
pub mod report;
pub mod scoring;
pub mod sim;
pub mod stats;
pub mod text;

pub use error::{Error, Result};
