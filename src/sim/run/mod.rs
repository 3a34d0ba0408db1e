//! Running a scenario file: all scenarios times all replications, in parallel over fixed
//! indices, reduced in index order; then summaries, paired differences and the ranking.
//!
//! * [`results`]: `Results` and its parts, `summarise` (summaries and paired differences);
//! * [`precision`]: `--precision` batches and the `PrecisionReport`;
//! * [`rank`]: the objective ranking and the cost frontier;
//! * [`warnings`]: what does not stop a run but deserves a word (offered load above capacity,
//!   precision targets missed), as typed [`Warning`]s.
//!
//! **Invariant:** results depend only on the scenario file, the seed and the replication count,
//! never on the number of threads: unit `i` (replication `i / S`, scenario `i % S`) draws only
//! from streams keyed by its replication, and rayon's `collect` keeps index order.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

pub mod precision;
pub mod rank;
pub mod results;
pub mod warnings;

pub use precision::{PrecisionReport, PrecisionTarget, MAX_REPLICATIONS_FACTOR};
pub use rank::{RankedPolicy, Ranking, DEFAULT_OBJECTIVE};
pub use results::{summarise, MetricSummary, Results, ScenarioResult};
pub use warnings::{warnings, Extend, Warning};

use super::engine::{simulate, Compiled};
use super::metric;
use super::model::ScenarioFile;
use crate::error::{Error, Result};
use crate::limits;
use precision::Plan;
use rank::{check_metric, rank};

/// How to run a scenario file; `None` fields take the file's values (or the defaults).
#[derive(Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// Overrides the file's `seed`.
    pub seed: Option<u64>,
    /// Overrides the file's `replications`.
    pub replications: Option<usize>,
    /// Worker threads (default: rayon's global pool).
    pub threads: Option<usize>,
    /// Called as `(done, total)` after each (scenario, replication) finishes, from any thread.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

/// What a run aims for beyond the plain replications: a precision target and the objective of
/// the ranking. Kept apart from [`RunOptions`] so callers that spell out every field of it
/// keep compiling.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Add replications until every scenario meets this (see [`run_with`]).
    pub precision: Option<PrecisionTarget>,
    /// Replication cap for `precision` (default: [`MAX_REPLICATIONS_FACTOR`] times the starting
    /// replications).
    pub max_replications: Option<usize>,
    /// The ranking's objective metric (default [`DEFAULT_OBJECTIVE`]).
    pub objective: Option<String>,
}

/// Runs every scenario of `file` for every replication; with more than one scenario, ranks them
/// by [`DEFAULT_OBJECTIVE`].
///
/// # Errors
/// [`Error::ZeroReplications`], [`Error::ZeroThreads`], or [`Error::ThreadPool`] when the
/// thread pool cannot be built.
pub fn run(file: &ScenarioFile, opts: &RunOptions) -> Result<Results> {
    run_with(file, opts, &Analysis::default())
}

/// As [`run`], with a precision target and a chosen objective.
///
/// With a precision target, replications run in batches: first the file's (or `opts`')
/// replications, then more, with replication indices continuing the sequence, until every
/// scenario's half-width of the metric is at most the target or the cap is reached. Every
/// scenario keeps the same replication count, since paired differences need the same
/// replications; so a run that stops at R replications gives exactly what a plain run with R
/// replications gives. A batch is sized by the worst scenario's projection
/// (`n (half-width / target)^2`), at least the starting replications, at most the cap.
///
/// # Errors
/// As [`run`]; [`Error::UnknownMetric`] for an unknown objective or precision metric (with a
/// suggestion), [`Error::InvalidPrecision`] for a non-positive target, and
/// [`Error::ReplicationCapTooLow`] for a cap below the starting replications.
pub fn run_with(file: &ScenarioFile, opts: &RunOptions, analysis: &Analysis) -> Result<Results> {
    run_cancellable(file, opts, analysis, None)
}

/// As [`run_with`], stopping with [`Error::Cancelled`] soon after `cancel` is set (see
/// [`simulate_units_cancellable`]).
///
/// # Errors
/// As [`run_with`], and [`Error::Cancelled`].
pub fn run_cancellable(
    file: &ScenarioFile,
    opts: &RunOptions,
    analysis: &Analysis,
    cancel: Option<&AtomicBool>,
) -> Result<Results> {
    let (seed, reps) = seed_and_replications(file, opts)?;
    let objective = analysis.objective.as_deref().unwrap_or(DEFAULT_OBJECTIVE);
    check_metric("objective", objective, &metric::names(&file.scenarios[0]))?;
    let mut plan = analysis
        .precision
        .as_ref()
        .map(|t| Plan::new(file, t, analysis.max_replications, reps))
        .transpose()?;
    let compiled: Vec<Compiled> = file.scenarios.iter().map(Compiled::new).collect();
    let s = compiled.len();
    let mut per: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(reps); s];
    let (mut done, mut next) = (0, reps);
    loop {
        // Replication-major, as a plain run: only the indices continue.
        let units: Vec<Unit> = (done * s..next * s)
            .map(|i| Unit {
                scenario: i % s,
                replication: i / s,
            })
            .collect();
        let flat = simulate_units_cancellable(&compiled, seed, &units, opts, cancel)?;
        check_finite(file, &units, &flat)?;
        for (u, v) in units.iter().zip(flat) {
            per[u.scenario].push(v);
        }
        done = next;
        match plan.as_mut().and_then(|p| p.next(&per, done)) {
            Some(n) => next = n,
            None => break,
        }
    }
    let mut results = summarise(file, seed, per);
    if let Some(plan) = plan {
        results.precision = Some(plan.report(results.scenarios.iter().map(|s| s.name.as_str())));
    }
    add_ranking(&mut results, objective)?;
    Ok(results)
}

/// The seed and replication count a run uses: the options' overrides, else the file's.
///
/// # Errors
/// [`Error::ZeroReplications`].
pub(crate) fn seed_and_replications(
    file: &ScenarioFile,
    opts: &RunOptions,
) -> Result<(u64, usize)> {
    let reps = opts.replications.unwrap_or(file.replications);
    if reps == 0 {
        return Err(Error::ZeroReplications);
    }
    check_size(file, reps, "replications")?;
    if let Some(n) = opts.threads.filter(|&n| n > limits::MAX_THREADS) {
        return Err(Error::TooLarge {
            name: "threads",
            value: n.to_string(),
            what: None,
            max: limits::MAX_THREADS.to_string(),
            reason: "more threads than cores only add overhead",
        });
    }
    Ok((opts.seed.unwrap_or(file.seed), reps))
}

/// Stops a run whose metrics overflowed: an infinite metric (a sum of deal values of 1e308)
/// would make every summary, difference and ranking meaningless. NaN stays: it is how an
/// undefined ratio (no MQLs, so no MQL-to-SQL rate) is written.
///
/// # Errors
/// [`Error::NonFiniteMetric`] naming the first unit and metric.
pub(crate) fn check_finite(file: &ScenarioFile, units: &[Unit], rows: &[Vec<f64>]) -> Result<()> {
    for (u, row) in units.iter().zip(rows) {
        if let Some(m) = row.iter().position(|v| v.is_infinite()) {
            let sc = &file.scenarios[u.scenario];
            return Err(Error::NonFiniteMetric {
                scenario: sc.name.clone(),
                replication: u.replication,
                metric: metric::names(sc).get(m).cloned().unwrap_or_default(),
                value: row[m],
            });
        }
    }
    Ok(())
}

/// The leads one replication of `file` expects, summed over its scenarios: `rate_per_day x
/// arrival_days` each (every day counted, so a bound from above).
fn leads_per_replication(file: &ScenarioFile) -> f64 {
    file.scenarios
        .iter()
        .map(|sc| sc.arrivals.rate_per_day * f64::from(sc.arrivals.arrival_days))
        .sum()
}

/// Checks `reps` replications of every scenario of `file` against the bounds of
/// [`crate::limits`]: replications, (scenario, replication) units, simulated leads. `name` is
/// the option the count came from (`replications`, `max-replications`).
///
/// # Errors
/// [`Error::TooLarge`] saying how large the request is.
pub(crate) fn check_size(file: &ScenarioFile, reps: usize, name: &'static str) -> Result<()> {
    let s = file.scenarios.len();
    let too_large = |what: Option<String>, max: String, reason: &'static str| Error::TooLarge {
        name,
        value: reps.to_string(),
        what,
        max,
        reason,
    };
    if reps > limits::MAX_REPLICATIONS {
        return Err(too_large(
            None,
            limits::MAX_REPLICATIONS.to_string(),
            "each replication is kept in memory; a million already pin a mean to a thousandth \
             of its standard deviation",
        ));
    }
    let units = s.checked_mul(reps).filter(|&u| u <= limits::MAX_UNITS);
    if units.is_none() {
        return Err(too_large(
            Some(format!(
                "{s} scenarios x {reps} replications = {} units",
                s as u128 * reps as u128
            )),
            format!("{} units", limits::MAX_UNITS),
            "every (scenario, replication) unit is held in memory as a row of metrics",
        ));
    }
    let leads = leads_per_replication(file) * reps as f64;
    if leads > limits::MAX_LEAD_SIMULATIONS {
        return Err(too_large(
            Some(format!(
                "{s} scenarios x {reps} replications, {leads:.3e} simulated leads in all"
            )),
            format!("{:e} simulated leads", limits::MAX_LEAD_SIMULATIONS),
            "months of computing on one machine; shard a run this large, or lower \
             rate_per_day, arrival_days or the replications",
        ));
    }
    Ok(())
}

/// The most replications per scenario that [`check_size`] allows for `file`: the default cap
/// of a precision run never asks for more.
pub(crate) fn largest_allowed_replications(file: &ScenarioFile) -> usize {
    let s = file.scenarios.len().max(1);
    let by_leads = limits::MAX_LEAD_SIMULATIONS / leads_per_replication(file).max(1.0);
    limits::MAX_REPLICATIONS
        .min(limits::MAX_UNITS / s)
        .min(by_leads as usize)
        .max(1)
}

/// The step after [`summarise`] that every way of producing results shares (a run, a merge of
/// shards): with more than one scenario, rank them by `objective`. Keeping it in one place is
/// what keeps a merged output byte-identical to a single-process one.
///
/// # Errors
/// [`Error::UnknownMetric`] for an unknown objective metric.
pub fn add_ranking(results: &mut Results, objective: &str) -> Result<()> {
    if results.scenarios.len() > 1 {
        results.ranking = Some(rank(results, objective)?);
    }
    Ok(())
}

/// One (scenario, replication) pair: the unit of work, of parallelism and of sharding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit {
    /// Index into the file's scenarios.
    pub scenario: usize,
    /// Replication index (0-based); it keys every random stream of the unit.
    pub replication: usize,
}

/// Simulates `units` in parallel and returns their metric rows in the order given. A unit's
/// result depends only on its scenario, the seed and its replication index, never on which
/// other units run, in which order, or on how many threads.
///
/// # Errors
/// [`Error::ZeroThreads`], or [`Error::ThreadPool`] when the thread pool cannot be built.
pub fn simulate_units(
    compiled: &[Compiled],
    seed: u64,
    units: &[Unit],
    opts: &RunOptions,
) -> Result<Vec<Vec<f64>>> {
    simulate_units_cancellable(compiled, seed, units, opts, None)
}

/// As [`simulate_units`], checking `cancel` before each unit: once it is set no unit starts
/// (those running finish), and the call returns [`Error::Cancelled`].
///
/// # Errors
/// As [`simulate_units`], and [`Error::Cancelled`].
pub fn simulate_units_cancellable(
    compiled: &[Compiled],
    seed: u64,
    units: &[Unit],
    opts: &RunOptions,
    cancel: Option<&AtomicBool>,
) -> Result<Vec<Vec<f64>>> {
    let total = units.len();
    let done = AtomicUsize::new(0);
    // Collecting `Option`s stops at the first `None`: a cancelled run starts no further unit.
    let work = || -> Option<Vec<Vec<f64>>> {
        units
            .par_iter()
            .map(|u| {
                if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    return None;
                }
                let v = simulate(&compiled[u.scenario], seed, u.replication as u64);
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(cb) = opts.progress {
                    cb(d, total);
                }
                Some(v)
            })
            .collect()
    };
    let values = match opts.threads {
        None => work(),
        Some(0) => return Err(Error::ZeroThreads),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::ThreadPool {
                threads: n,
                message: e.to_string(),
            })?
            .install(work),
    };
    values.ok_or(Error::Cancelled)
}
