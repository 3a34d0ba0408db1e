//! Sharded runs for clusters: `simulate --shard I/N` runs one fixed slice of the
//! (scenario, replication) units and writes a partial result; `merge` checks that a set of
//! partial results is one run covered exactly once and rebuilds the unsharded output.
//!
//! **Partition.** Units are numbered replication-major, as [`run`](super::run::run) orders
//! them: unit `u = replication * S + scenario` for `S` scenarios and `R` replications, so
//! `T = S * R` units. Shard `I` of `N` (1-based) holds the contiguous units
//! `[(I - 1) * T / N, I * T / N)` (integer division): sizes differ by at most one, every shard
//! spans every scenario when `T / N >= S`, and the slice depends only on `I`, `N`, `S` and `R`,
//! never on threads or machine. Since a unit's result depends only on its scenario, the seed and
//! its replication index, the merged rows are exactly the rows of an unsharded run.
//!
//! **Partial result.** `DIR/shard-I-of-N.json`, written atomically: a header (format version,
//! leadsim version, shard, seed, replications, the scenario file's path, SHA-256 and full text,
//! the SHA-256 of every population table it reads, the scenario names and a SHA-256 of their
//! resolved configurations) and one row per unit. Metric values are stored as strings in Rust's
//! shortest round-trip notation (`NaN`, `inf` included): serde_json's default float parser does
//! not read every f64 back exactly, and the merge must be bit for bit.
//!
//! **Merge** needs nothing but the shard files, except for a scenario file with a population
//! `table`: the stored text is parsed again, which reads the table at the path it resolved to
//! when the shards ran (relative paths against the working directory), and its SHA-256 must match.

mod file;
mod merge;
mod partition;
mod source;

pub use file::{shard_files, PartialResult, FORMAT, FORMAT_VERSION};
pub use merge::{merge, Merged};
pub use partition::Shard;
pub use source::ScenarioSource;

use std::sync::atomic::AtomicBool;

use file::{Exact, ShardFile, UnitRow};
use source::{config_sha256, table_hashes};

use super::calibration::calibrate;
use super::metric;
use super::run::rank::check_metric;
use super::run::{seed_and_replications, simulate_units_cancellable, Analysis, RunOptions, Unit};
use crate::error::{Error, Result};

/// Runs shard `shard` of the units of `source`'s file (see the module docs for the partition).
/// `opts` is read as by [`run`](super::run::run); the result does not depend on
/// `opts.threads`. `analysis.objective` is recorded as the merge's default ranking objective.
///
/// # Errors
/// As [`run`](super::run::run), [`Error::UnknownMetric`] for an unknown objective,
/// [`Error::TooManyUnits`], and [`Error::PrecisionWithShards`] for a precision target (it picks
/// replications from results so far, which a fixed partition cannot); [`Error::Io`] if a
/// population table cannot be read for its hash.
pub fn run_shard(
    source: &ScenarioSource,
    shard: Shard,
    opts: &RunOptions,
    analysis: &Analysis,
) -> Result<PartialResult> {
    run_shard_cancellable(source, shard, opts, analysis, None)
}

/// As [`run_shard`], stopping with [`Error::Cancelled`] soon after `cancel` is set (no unit
/// starts once it is; see [`simulate_units_cancellable`]).
///
/// # Errors
/// As [`run_shard`], and [`Error::Cancelled`].
pub fn run_shard_cancellable(
    source: &ScenarioSource,
    shard: Shard,
    opts: &RunOptions,
    analysis: &Analysis,
    cancel: Option<&AtomicBool>,
) -> Result<PartialResult> {
    let file = &source.file;
    if let Some(p) = &analysis.precision {
        return Err(Error::PrecisionWithShards {
            metric: p.metric.clone(),
            half_width: p.half_width,
        });
    }
    if let Some(objective) = &analysis.objective {
        check_metric("objective", objective, &metric::names(&file.scenarios[0]))?;
    }
    let (seed, reps) = seed_and_replications(file, opts)?;
    let s = file.scenarios.len();
    let total = s
        .checked_mul(reps)
        .ok_or(Error::TooManyUnits { replications: reps })?;
    let range = shard.units(total);
    let units: Vec<Unit> = range
        .clone()
        .map(|u| Unit {
            scenario: u % s,
            replication: u / s,
        })
        .collect();
    // Every shard calibrates as the whole run does (same seed, replications and file), so its
    // units are exactly the whole run's.
    let compiled = calibrate(file, seed, opts.threads)?.compile(file);
    let values = simulate_units_cancellable(&compiled, seed, &units, opts, cancel)?;
    super::run::check_finite(file, &units, &values)?;
    let rows = units
        .iter()
        .zip(values)
        .map(|(u, v)| UnitRow {
            scenario: u.scenario,
            replication: u.replication,
            values: v.into_iter().map(Exact).collect(),
        })
        .collect();
    Ok(PartialResult {
        inner: ShardFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            leadsim_version: env!("CARGO_PKG_VERSION").into(),
            shard,
            seed,
            replications: reps,
            scenario_file: source.record.clone(),
            tables: table_hashes(file)?,
            scenarios: file.scenarios.iter().map(|sc| sc.name.clone()).collect(),
            config_sha256: config_sha256(file),
            objective: analysis.objective.clone(),
            first_unit: range.start,
            end_unit: range.end,
            total_units: total,
            rows,
        },
    })
}
