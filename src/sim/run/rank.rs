//! Policies ranked by an objective metric, with their paired differences against the baseline,
//! and the cost frontier: the policies no other policy beats on both the objective and the rep
//! cost.

use serde::{Deserialize, Serialize};

use super::Results;
use crate::error::{Error, Result};
use crate::sim::metric;
use crate::text::closest;

/// Policies ranked by an objective metric.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

fn yes() -> bool {
    true
}

/// The objective when none is given: [`metric::DEFAULT_OBJECTIVE`]'s name.
pub const DEFAULT_OBJECTIVE: &str = metric::DEFAULT_OBJECTIVE.name();

/// The metric the frontier trades the objective against.
const COST_METRIC: &str = metric::COST.name();

/// Checks that `metric` is one of `names`, for the option `option`.
///
/// # Errors
/// [`Error::UnknownMetric`] naming the nearest metric when there is one.
pub fn check_metric(option: &'static str, metric: &str, names: &[String]) -> Result<()> {
    if names.iter().any(|n| n == metric) {
        return Ok(());
    }
    Err(Error::UnknownMetric {
        option,
        name: metric.into(),
        suggestion: closest(metric, names.iter().map(String::as_str)).map(str::to_string),
    })
}

/// Ranks every scenario of `results` by the mean of `objective`, best first (ties and undefined
/// means by scenario order), and finds the cost frontier.
///
/// # Errors
/// [`Error::UnknownMetric`] when `objective` is not a metric of the baseline.
pub fn rank(results: &Results, objective: &str) -> Result<Ranking> {
    check_metric("objective", objective, &results.scenarios[0].metrics)?;
    // The direction is the registry's (a checked name is always in it).
    let higher = metric::def(objective).map_or(true, |d| d.higher_is_better());
    let mut ranked: Vec<RankedPolicy> = results
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| {
            let find = |m: &str| sc.summary.iter().find(|s| s.metric == m);
            let obj = find(objective);
            let diff = obj.and_then(|s| s.diff.as_ref());
            RankedPolicy {
                scenario: i,
                name: sc.name.clone(),
                mean: obj.map_or(f64::NAN, |s| s.value.mean),
                rep_cost: find(COST_METRIC).map_or(f64::NAN, |s| s.value.mean),
                diff_mean: diff.map(|d| d.mean),
                diff_ci_low: diff.map(|d| d.ci_low),
                diff_ci_high: diff.map(|d| d.ci_high),
                // NaN ends (fewer than two replications) compare false: not significant.
                significant: diff.is_some_and(|d| d.ci_low > 0.0 || d.ci_high < 0.0),
            }
        })
        .collect();
    let key = |p: &RankedPolicy| if higher { -p.mean } else { p.mean };
    ranked.sort_by(|a, b| {
        a.mean
            .is_nan()
            .cmp(&b.mean.is_nan())
            .then(key(a).total_cmp(&key(b)))
            .then(a.scenario.cmp(&b.scenario))
    });
    let points: Vec<(f64, f64)> = results
        .scenarios
        .iter()
        .map(|sc| {
            let mean = |m: &str| {
                sc.summary
                    .iter()
                    .find(|s| s.metric == m)
                    .map_or(f64::NAN, |s| s.value.mean)
            };
            (mean(objective), mean(COST_METRIC))
        })
        .collect();
    Ok(Ranking {
        objective: objective.to_string(),
        higher_is_better: higher,
        ranked,
        frontier: frontier(&points, higher),
    })
}

/// Indices of the `(objective, cost)` points that no other point dominates (at least as good on
/// both, strictly better on one), by increasing cost, ties by the better objective then by
/// index. Points with an undefined coordinate are left out. Quadratic, which is nothing next to
/// simulating the points.
pub fn frontier(points: &[(f64, f64)], higher_is_better: bool) -> Vec<usize> {
    let obj = |i: usize| {
        if higher_is_better {
            points[i].0
        } else {
            -points[i].0
        }
    };
    let ok: Vec<usize> = (0..points.len())
        .filter(|&i| !points[i].0.is_nan() && !points[i].1.is_nan())
        .collect();
    let mut out: Vec<usize> = ok
        .iter()
        .copied()
        .filter(|&i| {
            !ok.iter().any(|&j| {
                let (oj, cj) = (obj(j), points[j].1);
                let (oi, ci) = (obj(i), points[i].1);
                oj >= oi && cj <= ci && (oj > oi || cj < ci)
            })
        })
        .collect();
    out.sort_by(|&a, &b| {
        points[a]
            .1
            .total_cmp(&points[b].1)
            .then(obj(b).total_cmp(&obj(a)))
            .then(a.cmp(&b))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominated_points_are_left_out() {
        // (objective, cost): 1 beats 0 on both; 3 costs more than 2 for less; 4 ties 2 exactly.
        let pts = [
            (1.0, 10.0),
            (2.0, 5.0),
            (5.0, 20.0),
            (4.0, 30.0),
            (5.0, 20.0),
            (f64::NAN, 1.0),
        ];
        assert_eq!(frontier(&pts, true), vec![1, 2, 4]);
        // Lower is better: 0 (objective 1) is the best and costs 10; 1 is cheaper.
        assert_eq!(frontier(&pts, false), vec![1, 0]);
    }

    #[test]
    fn unknown_objective_suggests() {
        let names = vec!["net_revenue".to_string(), "mql_to_sql".to_string()];
        let e = check_metric("objective", "net_revenu", &names).unwrap_err();
        assert!(
            e.to_string().contains("did you mean \"net_revenue\""),
            "{e}"
        );
        assert!(check_metric("objective", "mql_to_sql", &names).is_ok());
    }
}
