//! Monte Carlo replay of lead funnels under handover policies (`leadsim simulate`), as
//! docs/model.md describes: arrivals, handover threshold, rep pools with calendars and queues,
//! attempt cadence, contactability and reach, the speed-to-lead curve, qualification, patience,
//! SQL to won, and nurture with the cure-fraction decision law.
//!
//! ```no_run
//! # fn main() -> leadsim::Result<()> {
//! let file = leadsim::sim::ScenarioFile::load("data/scenarios/handover.toml")?;
//! let results = leadsim::sim::run(&file, &leadsim::sim::RunOptions::default())?;
//! leadsim::sim::write_outputs(&results, "results")?;
//! println!("{}", results.table());
//! # Ok(()) }
//! ```
//!
//! Layers, each importing only those before it: [`model`] (the scenario's plain types and
//! every default), [`config`] (TOML to model: validation, deep merge, `[sweep]` grids,
//! population tables), [`metric`] (the registry of every metric), `engine` (one replication;
//! internal, visible only to the oracle tests and benches), [`run`] (replications in
//! parallel, summaries, precision batches, ranking, warnings), [`shard`] (slices of a run and
//! their merge), [`output`] (the printed table and the files of `--out`).
//!
//! **Invariant:** the simulation core does no I/O; the scenario file and population table are
//! read by `config`, the outputs written by `output`.

pub mod calibration;
pub mod config;
#[doc(hidden)]
pub mod engine;
pub mod metric;
pub mod model;
pub mod output;
pub mod run;
pub mod shard;

pub use model::{Scenario, ScenarioFile};
pub use output::{summary_json, write_outputs};
pub use run::{
    run, run_cancellable, run_with, simulate_units, simulate_units_cancellable, summarise,
    warnings, Analysis, MetricSummary, PrecisionTarget, Results, RunOptions, ScenarioResult, Unit,
    Warning,
};
pub use shard::{
    merge, run_shard, run_shard_cancellable, Merged, PartialResult, ScenarioSource, Shard,
};
