//! Lead scoring: encode a CSV into a design matrix, fit a logistic regression, report honest
//! diagnostics, and score new leads with explanations.
//!
//! Entry points (each `leadsim` command is one call):
//! * `train`: [`train()`] with [`TrainOptions`] returns a [`Model`]; [`save_model`] writes it
//!   with its HTML report; [`output::train_summary`] is the text the CLI prints.
//! * `evaluate`: [`evaluate_file`] with a loaded [`Model`] ([`Model::load`]).
//! * `score`: [`score_file`], streamed, in parallel, in input order.
//! * The solver alone, linfa style: [`LogisticParams`] -> `ParamGuard::check` -> `Fit::fit`
//!   on a linfa `Dataset`, giving a [`LogisticFit`].
//!
//! Modules, from the bottom: [`encode`] (CSV columns to a standardised design matrix, and the
//! one-row [`encode::RowEncoder`]), [`solver`], [`inference`] (coefficients on original units
//! with standard errors), [`metrics`], [`model`] (the model file), then [`train`](mod@train) and
//! [`score`], and [`output`] (what is printed and written besides data). Items re-exported
//! here are the ones most callers need; the modules hold the rest.

pub mod design;
pub mod encode;
pub mod inference;
pub mod metrics;
pub mod model;
pub mod output;
pub mod score;
pub mod solver;
pub mod train;

pub use model::Model;
pub use output::{save_model, save_model_with_report};
pub use score::table::{evaluate_table, score_table, TableScores};
pub use score::{evaluate_file, score_file, EvaluateOptions, ScoreOptions, ScoreSummary};
pub use solver::{LogisticFit, LogisticParams, SolverKind};
pub use train::{train, train_table, Silent, TrainOptions, TrainProgress, TrainingSource};
