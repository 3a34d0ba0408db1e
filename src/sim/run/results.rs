//! What a run produced: per-scenario metric rows, their summaries (mean, sd, Student t
//! interval) and their paired differences against the baseline.

use serde::Serialize;

use super::precision::PrecisionReport;
use super::rank::Ranking;
use crate::sim::metric;
use crate::sim::model::{Scenario, ScenarioFile, SweepGrid};
use crate::stats::Interval;

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

/// Summaries and paired differences from every scenario's per-replication metric rows
/// (`per[scenario][replication][metric]`, replications in index order, the same count for
/// every scenario).
pub fn summarise(file: &ScenarioFile, seed: u64, per: Vec<Vec<Vec<f64>>>) -> Results {
    let reps = per.first().map_or(0, Vec::len);
    let base_names = metric::names(&file.scenarios[0]);
    let scenarios: Vec<ScenarioResult> = file
        .scenarios
        .iter()
        .zip(per)
        .map(|(sc, values)| {
            let names = metric::names(sc);
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
