//! All scenarios times all replications, in parallel over fixed indices, reduced in index order.
//!
//! **Invariant:** results depend only on the scenario file, the seed and the replication count,
//! never on the number of threads: unit `i` (replication `i / S`, scenario `i % S`) draws only
//! from streams keyed by its replication, and rayon's `collect` keeps index order.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use super::config::{Scenario, ScenarioFile};
use super::engine::{simulate, Compiled};
use super::metrics::metric_names;
use super::rank::{check_metric, rank, DEFAULT_OBJECTIVE};
use super::stats::Interval;
use crate::error::{Error, Result};

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

/// The default replication cap of a precision run, as a multiple of the starting replications:
/// ten times the replications shrinks a half-width about threefold (1/sqrt(10)), and a target
/// further off than that is better met by rethinking the target than by waiting.
pub const MAX_REPLICATIONS_FACTOR: usize = 10;

/// A precision target: the absolute half-width of a metric's 95% interval, in every scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionTarget {
    /// The metric (`mql_to_sql` for `--precision`).
    pub metric: String,
    /// The largest acceptable half-width, in the metric's own units.
    pub half_width: f64,
}

/// One metric of one scenario across replications.
#[derive(Clone, Debug, Serialize)]
pub struct MetricSummary {
    /// Metric name.
    pub metric: String,
    /// Its own summary.
    #[serde(flatten)]
    pub value: Interval,
    /// The summary of its per-replication differences against the baseline (`None` for the
    /// baseline itself, or when the baseline lacks the metric).
    pub diff: Option<Interval>,
}

/// Results of one scenario.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    /// The scenario's name, verbatim.
    pub name: String,
    /// Its resolved configuration.
    pub config: Scenario,
    /// Metric names, in column order.
    pub metrics: Vec<String>,
    /// `values[r][m]`: metric `m` of replication `r` (NaN where a ratio had no denominator).
    #[serde(skip)]
    pub values: Vec<Vec<f64>>,
    /// One summary per metric.
    pub summary: Vec<MetricSummary>,
}

/// Everything a run produced.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    /// The scenario file's `name`.
    pub name: String,
    /// The seed used.
    pub seed: u64,
    /// The number of replications.
    pub replications: usize,
    /// leadsim's version.
    pub version: String,
    /// Baseline first.
    pub scenarios: Vec<ScenarioResult>,
    /// The grid, when the file has a `[sweep]` table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepGrid>,
    /// The policies ranked by an objective, with the cost frontier (sweeps and comparisons).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranking: Option<Ranking>,
    /// What `--precision` asked for and which scenarios met it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionReport>,
}

/// The grid of a `[sweep]` table: its axes and where each grid scenario sits on them.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct SweepGrid {
    /// One axis per swept field, in the file's order.
    pub axes: Vec<SweepAxis>,
    /// One point per grid scenario.
    pub points: Vec<SweepPoint>,
}

/// One swept field.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct SweepAxis {
    /// Dotted path, e.g. `policy.threshold` or `pools.sdr.count`.
    pub path: String,
    /// The values as they read in scenario names (e.g. `0.2`, `[0.25, 4, 24, 48, 96]`).
    pub labels: Vec<String>,
    /// The values themselves, as JSON.
    pub values: Vec<serde_json::Value>,
}

/// Where one grid scenario sits.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct SweepPoint {
    /// Index into `Results::scenarios`.
    pub scenario: usize,
    /// Index into each axis's values, in axis order.
    pub coords: Vec<usize>,
}

/// Policies ranked by an objective metric.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct Ranking {
    /// The objective metric (`net_revenue` by default; `mql_to_sql`, `recovered_revenue_12m`, ...).
    pub objective: String,
    /// Whether more of the objective is better (false for costs, waiting times, queues).
    #[serde(default = "yes")]
    pub higher_is_better: bool,
    /// Every scenario, best first by the objective's mean.
    pub ranked: Vec<RankedPolicy>,
    /// Indices into `Results::scenarios` of the policies that no other policy beats on both the
    /// objective (higher is better) and `rep_cost` (lower is better), by increasing cost.
    pub frontier: Vec<usize>,
}

/// One policy in a [`Ranking`].
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct RankedPolicy {
    /// Index into `Results::scenarios`.
    pub scenario: usize,
    pub name: String,
    /// Mean of the objective.
    pub mean: f64,
    /// Mean of the rep cost.
    pub rep_cost: f64,
    /// Paired difference of the objective against the baseline, with its 95% interval
    /// (`None` for the baseline).
    pub diff_mean: Option<f64>,
    pub diff_ci_low: Option<f64>,
    pub diff_ci_high: Option<f64>,
    /// Whether that interval excludes zero.
    pub significant: bool,
}

/// The outcome of a `--precision` run.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct PrecisionReport {
    /// The metric whose 95% half-width was targeted.
    pub metric: String,
    /// The target half-width (absolute).
    pub half_width: f64,
    /// The replication cap.
    pub max_replications: usize,
    /// Names of the scenarios that did not meet the target at the cap.
    pub unmet: Vec<String>,
    /// The replication count after each batch (the last is `Results::replications`).
    #[serde(default)]
    pub batches: Vec<usize>,
    /// Each scenario's half-width at the end, in `Results::scenarios` order (`None` where the
    /// interval is undefined).
    #[serde(default)]
    pub half_widths: Vec<Option<f64>>,
}

fn yes() -> bool {
    true
}

/// Runs every scenario of `file` for every replication; with more than one scenario, ranks them
/// by [`DEFAULT_OBJECTIVE`].
///
/// # Errors
/// [`Error::InvalidParameter`] for zero replications or zero threads, or when the thread pool
/// cannot be built.
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
/// As [`run`]; [`Error::InvalidParameter`] for an unknown objective or precision metric (with a
/// suggestion), a non-positive target, or a cap below the starting replications.
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
    check_metric("objective", objective, &metric_names(&file.scenarios[0]))?;
    let target = match &analysis.precision {
        None => None,
        Some(t) => Some(precision_plan(file, t, analysis.max_replications, reps)?),
    };
    let compiled: Vec<Compiled> = file.scenarios.iter().map(Compiled::new).collect();
    let s = compiled.len();
    let mut per: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(reps); s];
    let (mut done, mut next) = (0, reps);
    let mut batches = Vec::new();
    let mut half_widths = Vec::new();
    loop {
        // Replication-major, as a plain run: only the indices continue.
        let units: Vec<Unit> = (done * s..next * s)
            .map(|i| Unit {
                scenario: i % s,
                replication: i / s,
            })
            .collect();
        let flat = simulate_units_cancellable(&compiled, seed, &units, opts, cancel)?;
        for (u, v) in units.iter().zip(flat) {
            per[u.scenario].push(v);
        }
        done = next;
        batches.push(done);
        let Some((columns, goal, cap)) = &target else {
            break;
        };
        half_widths = per
            .iter()
            .zip(columns)
            .map(|(rows, &m)| {
                let i = Interval::of(rows.iter().map(|r| r[m]));
                (i.ci_high - i.ci_low) / 2.0
            })
            .collect();
        // NaN (fewer than two defined values) never meets the target.
        let worst = half_widths
            .iter()
            .filter(|h| !meets(**h, goal.half_width))
            .map(|h| if h.is_nan() { f64::INFINITY } else { *h })
            .fold(None, |a: Option<f64>, h| Some(a.map_or(h, |a| a.max(h))));
        let Some(worst) = worst else { break };
        if done >= *cap {
            break;
        }
        let projected = (done as f64 * (worst / goal.half_width).powi(2)).ceil();
        // An undefined half-width (one replication) projects nothing: take one more batch.
        let projected = if projected.is_finite() {
            projected.min(*cap as f64) as usize
        } else {
            done + reps
        };
        next = projected.max(done + reps).min(*cap);
    }
    let mut results = summarise(file, seed, per);
    if let Some((_, goal, cap)) = target {
        results.precision = Some(PrecisionReport {
            unmet: results
                .scenarios
                .iter()
                .zip(&half_widths)
                .filter(|(_, h)| !meets(**h, goal.half_width))
                .map(|(sc, _)| sc.name.clone())
                .collect(),
            metric: goal.metric,
            half_width: goal.half_width,
            max_replications: cap,
            batches,
            half_widths: half_widths
                .iter()
                .map(|h| h.is_finite().then_some(*h))
                .collect(),
        });
    }
    add_ranking(&mut results, objective)?;
    Ok(results)
}

/// The seed and replication count a run uses: the options' overrides, else the file's.
///
/// # Errors
/// [`Error::InvalidParameter`] for zero replications.
pub(crate) fn seed_and_replications(
    file: &ScenarioFile,
    opts: &RunOptions,
) -> Result<(u64, usize)> {
    let reps = opts.replications.unwrap_or(file.replications);
    if reps == 0 {
        return Err(Error::InvalidParameter {
            name: "replications".into(),
            value: "0".into(),
            reason: "at least one is needed".into(),
        });
    }
    Ok((opts.seed.unwrap_or(file.seed), reps))
}

/// The step after [`summarise`] that every way of producing results shares (a run, a merge of
/// shards): with more than one scenario, rank them by `objective`. Keeping it in one place is
/// what keeps a merged output byte-identical to a single-process one.
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown objective metric.
pub fn add_ranking(results: &mut Results, objective: &str) -> Result<()> {
    if results.scenarios.len() > 1 {
        results.ranking = Some(rank(results, objective)?);
    }
    Ok(())
}

/// Whether half-width `h` meets `target`; an undefined (NaN) half-width never does.
fn meets(h: f64, target: f64) -> bool {
    h <= target
}

/// Checks a precision target; returns the metric's column in each scenario, the target and the
/// replication cap.
fn precision_plan(
    file: &ScenarioFile,
    t: &PrecisionTarget,
    max: Option<usize>,
    reps: usize,
) -> Result<(Vec<usize>, PrecisionTarget, usize)> {
    if !(t.half_width > 0.0 && t.half_width.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "precision".into(),
            value: t.half_width.to_string(),
            reason: "the half-width must be a positive number".into(),
        });
    }
    let cap = max.unwrap_or(reps.saturating_mul(MAX_REPLICATIONS_FACTOR));
    if cap < reps {
        return Err(Error::InvalidParameter {
            name: "max-replications".into(),
            value: cap.to_string(),
            reason: format!("must be at least the starting replications ({reps})"),
        });
    }
    let mut columns = Vec::with_capacity(file.scenarios.len());
    for sc in &file.scenarios {
        let names = metric_names(sc);
        check_metric("precision-metric", &t.metric, &names)?;
        columns.push(names.iter().position(|n| *n == t.metric).unwrap_or(0));
    }
    Ok((columns, t.clone(), cap))
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
/// [`Error::InvalidParameter`] for zero threads, or when the thread pool cannot be built.
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
        Some(0) => {
            return Err(Error::InvalidParameter {
                name: "threads".into(),
                value: "0".into(),
                reason: "at least one is needed".into(),
            })
        }
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::InvalidParameter {
                name: "threads".into(),
                value: n.to_string(),
                reason: e.to_string(),
            })?
            .install(work),
    };
    values.ok_or(Error::Cancelled)
}

/// Summaries and paired differences from every scenario's per-replication metric rows
/// (`per[scenario][replication][metric]`, replications in index order, the same count for
/// every scenario).
pub fn summarise(file: &ScenarioFile, seed: u64, per: Vec<Vec<Vec<f64>>>) -> Results {
    let reps = per.first().map_or(0, Vec::len);
    let base_names = metric_names(&file.scenarios[0]);
    let scenarios: Vec<ScenarioResult> = file
        .scenarios
        .iter()
        .zip(per)
        .map(|(sc, values)| {
            let names = metric_names(sc);
            let summary = names
                .iter()
                .enumerate()
                .map(|(m, name)| {
                    let col = values.iter().map(|r| r[m]);
                    let value = Interval::of(col);
                    MetricSummary {
                        metric: name.clone(),
                        value,
                        diff: None,
                    }
                })
                .collect();
            ScenarioResult {
                name: sc.name.clone(),
                config: sc.clone(),
                metrics: names,
                values,
                summary,
            }
        })
        .collect();
    let mut results = Results {
        name: file.name.clone(),
        seed,
        replications: reps,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenarios,
        sweep: file.sweep.clone(),
        ranking: None,
        precision: None,
    };
    add_differences(&mut results, &base_names);
    results
}

/// Paired differences against the baseline, replication by replication (common random
/// numbers make them far tighter than the difference of two independent intervals).
fn add_differences(results: &mut Results, base_names: &[String]) {
    let (base, rest) = results
        .scenarios
        .split_first_mut()
        .expect("at least one scenario");
    for sc in rest {
        for (m, summary) in sc.summary.iter_mut().enumerate() {
            let Some(bm) = base_names.iter().position(|n| *n == summary.metric) else {
                continue;
            };
            let diffs = sc
                .values
                .iter()
                .zip(&base.values)
                .map(|(x, b)| x[m] - b[bm]);
            summary.diff = Some(Interval::of(diffs));
        }
    }
}

impl Results {
    /// The summary of `metric` for scenario `scenario`, if both exist.
    pub fn summary(&self, scenario: &str, metric: &str) -> Option<&MetricSummary> {
        self.scenarios
            .iter()
            .find(|s| s.name == scenario)?
            .summary
            .iter()
            .find(|m| m.metric == metric)
    }

    /// Per-replication values of `metric` for `scenario`.
    pub fn column(&self, scenario: &str, metric: &str) -> Option<Vec<f64>> {
        let sc = self.scenarios.iter().find(|s| s.name == scenario)?;
        let m = sc.metrics.iter().position(|n| n == metric)?;
        Some(sc.values.iter().map(|r| r[m]).collect())
    }
}
