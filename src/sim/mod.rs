//! Monte Carlo replay of lead funnels under handover policies (`leadsim simulate`), as
//! `MODEL.md` describes: arrivals, handover threshold, rep pools with calendars and queues,
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
//! Module map: `config` (TOML, validation, deep merge, `[sweep]` grids), `calendar` (shifts,
//! arrivals), `dist` (distributions, speed-to-lead curve), `population`, `rng` (keyed per-lead
//! streams), `engine` (one replication), `metrics`, `stats` (t intervals), `run` (parallel
//! replications, precision batches), `rank` (objective ranking and cost frontier), `report`
//! (table and files), `load` (offered load for warnings).
//!
//! **Invariant:** the simulation core does no I/O; the scenario file and population table are
//! read by `config`, the outputs written by `report`.

pub mod config;
pub mod engine;
pub mod metric;
pub mod model;
pub mod output;
pub mod run;
pub mod shard;

pub use model::{Scenario, ScenarioFile};
pub use output::{summary_json, write_outputs};
pub use run::{
    run, run_with, simulate_units, summarise, warnings, Analysis, MetricSummary, PrecisionTarget,
    Results, RunOptions, ScenarioResult, Unit, Warning,
};
pub use shard::{merge, run_shard, Merged, PartialResult, ScenarioSource, Shard};
