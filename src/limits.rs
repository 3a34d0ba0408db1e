//! The upper bounds on every size a user types (flags, scenario and model files), in one
//! place. Each is far above real use (docs/robustness.md says which use and why); each exists
//! so that a typo or a hostile file gets a clear error naming the bound and its reason instead
//! of an abort, a hang or an exhausted machine. A value above a bound is reported as
//! [`Error::TooLarge`](crate::Error::TooLarge).

/// Replications per scenario. A 95% half-width shrinks as `1/sqrt(R)`: a million replications
/// pin any metric to a thousandth of its standard deviation, and each is kept in memory as one
/// row of metrics per scenario.
pub const MAX_REPLICATIONS: usize = 1_000_000;

/// (scenario, replication) units of one run, every one held in memory as a row of metrics
/// (about 300 bytes for 32 metrics): ten million is some 3 GB, ten times a 1,000-point sweep
/// of 1,000 replications.
pub const MAX_UNITS: usize = 10_000_000;

/// Simulated leads of one run: units times the leads one replication expects
/// (`rate_per_day x arrival_days`, all days counted). At the engine's measured ~0.7 million
/// such leads per second per core (docs/robustness.md), 10^13 leads are some 160 core-days: a
/// large cluster job, still allowed, where 2^64 grid points or 10^12 replications are typos.
pub const MAX_LEAD_SIMULATIONS: f64 = 1e13;

/// Worker threads. More threads than cores only add overhead; 1,024 is more cores than any
/// single machine leadsim runs on, and each thread reserves its own stack.
pub const MAX_THREADS: usize = 1024;

/// Shards of one run (`--shard I/N`). A merge lists every shard it lacks; a million shards is
/// far more than any cluster's job array (Slurm's default `MaxArraySize` is 1,001).
pub const MAX_SHARDS: usize = 1_000_000;

/// Factors per direction in `leadsim score --explain K`. Every row gets `2 K` columns; a model
/// has a few dozen input columns, so more than a thousand only adds empty columns.
pub const MAX_EXPLAIN: usize = 1000;

/// Folds of `--folds` and `--cv`. Each fold is a full fit; a thousand folds is leave-one-out
/// on a thousand rows, beyond which a holdout says the same at a thousandth of the cost.
pub const MAX_FOLDS: usize = 1000;

/// Leads of `leadsim generate`. A billion rows are about 100 GB of CSV, more than training
/// (which holds a file in memory) can read on any workstation.
pub const MAX_GENERATED_LEADS: usize = 1_000_000_000;

/// Points of a `[sweep]` grid: far beyond the hundreds a sweep has, so that a 1,000-value axis
/// typed by mistake fails fast rather than running for days.
pub const MAX_SWEEP_POINTS: usize = 100_000;
