//! `--precision`: replications added in batches until every scenario's 95% half-width of a
//! metric is at most a target, or a cap is reached; what was reached is kept as data.

use serde::{Deserialize, Serialize};

use super::rank::check_metric;
use crate::error::{Error, Result};
use crate::sim::metric;
use crate::sim::model::ScenarioFile;
use crate::stats::Interval;

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

/// The outcome of a `--precision` run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

/// A precision run in progress: where the metric sits in each scenario's rows, the target, the
/// cap, and what each batch reached.
pub(super) struct Plan {
    columns: Vec<usize>,
    goal: PrecisionTarget,
    cap: usize,
    /// The starting replications, also the smallest batch.
    step: usize,
    batches: Vec<usize>,
    half_widths: Vec<f64>,
}

impl Plan {
    /// Checks a precision target against the file and the starting replications `reps`.
    ///
    /// # Errors
    /// [`Error::InvalidPrecision`], [`Error::ReplicationCapTooLow`], and
    /// [`Error::UnknownMetric`] when a scenario lacks the metric.
    pub(super) fn new(
        file: &ScenarioFile,
        t: &PrecisionTarget,
        max: Option<usize>,
        reps: usize,
    ) -> Result<Self> {
        if !(t.half_width > 0.0 && t.half_width.is_finite()) {
            return Err(Error::InvalidPrecision {
                half_width: t.half_width,
            });
        }
        let cap = match max {
            Some(cap) => {
                super::check_size(file, cap, "max-replications")?;
                cap
            }
            None => reps
                .saturating_mul(MAX_REPLICATIONS_FACTOR)
                .min(super::largest_allowed_replications(file))
                .max(reps),
        };
        if cap < reps {
            return Err(Error::ReplicationCapTooLow {
                cap,
                replications: reps,
            });
        }
        let mut columns = Vec::with_capacity(file.scenarios.len());
        for sc in &file.scenarios {
            let names = metric::names(sc);
            check_metric("precision-metric", &t.metric, &names)?;
            columns.push(names.iter().position(|n| *n == t.metric).unwrap_or(0));
        }
        Ok(Plan {
            columns,
            goal: t.clone(),
            cap,
            step: reps,
            batches: Vec::new(),
            half_widths: Vec::new(),
        })
    }

    /// After a batch that brought every scenario to `done` replications (`per[scenario]` their
    /// rows): the replication count to reach next, or `None` to stop (target met or cap
    /// reached). A batch is sized by the worst scenario's projection
    /// (`n (half-width / target)^2`), at least the starting replications, at most the cap.
    pub(super) fn next(&mut self, per: &[Vec<Vec<f64>>], done: usize) -> Option<usize> {
        self.batches.push(done);
        self.half_widths = per
            .iter()
            .zip(&self.columns)
            .map(|(rows, &m)| {
                let i = Interval::of(rows.iter().map(|r| r[m]));
                (i.ci_high - i.ci_low) / 2.0
            })
            .collect();
        // NaN (fewer than two defined values) never meets the target.
        let worst = self
            .half_widths
            .iter()
            .filter(|h| !meets(**h, self.goal.half_width))
            .map(|h| if h.is_nan() { f64::INFINITY } else { *h })
            .fold(None, |a: Option<f64>, h| Some(a.map_or(h, |a| a.max(h))))?;
        if done >= self.cap {
            return None;
        }
        let projected = (done as f64 * (worst / self.goal.half_width).powi(2)).ceil();
        // An undefined half-width (one replication) projects nothing: take one more batch.
        let projected = if projected.is_finite() {
            projected.min(self.cap as f64) as usize
        } else {
            done + self.step
        };
        Some(projected.max(done + self.step).min(self.cap))
    }

    /// What the run reached, for scenarios named `names` (in the file's order).
    pub(super) fn report<'a>(self, names: impl Iterator<Item = &'a str>) -> PrecisionReport {
        let goal = self.goal;
        PrecisionReport {
            unmet: names
                .zip(&self.half_widths)
                .filter(|(_, h)| !meets(**h, goal.half_width))
                .map(|(n, _)| n.to_string())
                .collect(),
            metric: goal.metric,
            half_width: goal.half_width,
            max_replications: self.cap,
            batches: self.batches,
            half_widths: self
                .half_widths
                .iter()
                .map(|h| h.is_finite().then_some(*h))
                .collect(),
        }
    }
}

/// Whether half-width `h` meets `target`; an undefined (NaN) half-width never does.
fn meets(h: f64, target: f64) -> bool {
    h <= target
}
