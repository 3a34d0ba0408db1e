//! What does not stop a run but deserves a word, as data: a pool offered more work than its
//! reps can do while no lead ever leaves its queue (checked before a run, from the offered
//! load); precision targets missed at the cap, and a sweep whose best point lies on an edge of
//! its grid (known after it). The binary prints them; the report shows the ones known after.

use std::fmt;

use super::Results;
use crate::sim::engine::calendar::Shift;
use crate::sim::engine::rng::population_probe_stream;
use crate::sim::engine::Compiled;
use crate::sim::model::{ArrivalCalendar, Population, Scenario, ScenarioFile};

/// A warning about a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Warning {
    /// A pool whose offered load exceeds its reps while no patience is set, so that its queue
    /// grows without bound (docs/model.md section 6).
    UnboundedQueue {
        scenario: String,
        pool: String,
        /// Offered work, in reps busy on shift (see [`offered_load`]).
        offered: f64,
        /// The pool's reps.
        reps: u32,
    },
    /// A scenario that did not reach a `--precision` target within the replication cap.
    PrecisionShortfall {
        scenario: String,
        metric: String,
        /// The target half-width.
        target: f64,
        max_replications: usize,
        /// The half-width reached (`None` when undefined).
        reached: Option<f64>,
    },
    /// The best grid point of a sweep by the objective takes the lowest or highest value of a
    /// numeric swept field: the optimum may lie beyond the grid.
    SweepOptimumOnEdge {
        /// The best grid scenario.
        scenario: String,
        /// The ranking's objective.
        objective: String,
        /// The swept field's dotted path (`policy.threshold`).
        axis: String,
        /// The best point's value on it, as in scenario names.
        value: String,
        /// Which end of the axis: extend the grid this way.
        direction: Extend,
    },
}

/// The way to extend a sweep's grid along an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extend {
    /// Below the smallest value.
    Lower,
    /// Above the largest value.
    Higher,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnboundedQueue {
                scenario,
                pool,
                offered,
                reps,
            } => write!(
                f,
                "scenario \"{scenario}\": pool \"{pool}\" is offered {offered:.2} reps' worth of work \
                 but has {reps}; with no patience_hours its queue grows without bound"
            ),
            Warning::PrecisionShortfall {
                scenario,
                metric,
                target,
                max_replications,
                reached,
            } => write!(
                f,
                "scenario \"{scenario}\" did not reach ±{target} on {metric} within \
                 {max_replications} replications (±{})",
                reached.map_or("undefined".to_string(), four_digits)
            ),
            Warning::SweepOptimumOnEdge {
                scenario,
                objective,
                axis,
                value,
                direction,
            } => {
                let (end, way) = match direction {
                    Extend::Lower => ("lowest", "below"),
                    Extend::Higher => ("highest", "above"),
                };
                write!(
                    f,
                    "the best point of the sweep by {objective}, \"{scenario}\", has {axis} = \
                     {value}, the {end} value of the grid: the optimum may lie beyond it; \
                     extend {axis} {way} {value}"
                )
            }
        }
    }
}

/// `x` to four significant digits in fixed notation, so that a reached half-width reads next to
/// the target as the user wrote it (`±0.00001`, `±0.002411`, `±20140`), whatever the metric.
fn four_digits(x: f64) -> String {
    let digits = if x == 0.0 || !x.is_finite() {
        0
    } else {
        (3 - x.abs().log10().floor() as i32).max(0) as usize
    };
    format!("{x:.digits$}")
}

/// Warnings about `file` before it runs: every pool whose offered load exceeds its reps in a
/// scenario without patience.
pub fn warnings(file: &ScenarioFile) -> Vec<Warning> {
    let mut out = Vec::new();
    for sc in &file.scenarios {
        if sc.policy.patience_hours.is_some() {
            continue;
        }
        for (pool, load) in sc.pools.iter().zip(offered_load(sc)) {
            if load > f64::from(pool.count) {
                out.push(Warning::UnboundedQueue {
                    scenario: sc.name.clone(),
                    pool: pool.name.clone(),
                    offered: load,
                    reps: pool.count,
                });
            }
        }
    }
    out
}

impl Results {
    /// Warnings about a finished run: every scenario that missed the precision target, then
    /// every axis on whose edge the sweep's best point lies.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out: Vec<Warning> = match &self.precision {
            None => Vec::new(),
            Some(p) => self
                .scenarios
                .iter()
                .zip(&p.half_widths)
                .filter(|(sc, _)| p.unmet.contains(&sc.name))
                .map(|(sc, h)| Warning::PrecisionShortfall {
                    scenario: sc.name.clone(),
                    metric: p.metric.clone(),
                    target: p.half_width,
                    max_replications: p.max_replications,
                    reached: *h,
                })
                .collect(),
        };
        out.extend(self.sweep_edges());
        out
    }

    /// The best grid point by the ranking's objective (the first grid scenario in the ranking,
    /// which orders by the mean), checked against every numeric axis with two values or more:
    /// on the axis's smallest or largest value, a warning. Axes of other values (a cadence, a
    /// discipline) have no order and so no edge.
    fn sweep_edges(&self) -> Vec<Warning> {
        let (Some(grid), Some(ranking)) = (&self.sweep, &self.ranking) else {
            return Vec::new();
        };
        let Some(best) = ranking.ranked.iter().find_map(|p| {
            grid.points
                .iter()
                .find(|g| g.scenario == p.scenario && p.mean.is_finite())
        }) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (axis, &at) in grid.axes.iter().zip(&best.coords) {
            let numbers: Option<Vec<f64>> = axis.values.iter().map(|v| v.as_f64()).collect();
            let Some(numbers) = numbers.filter(|n| n.len() >= 2) else {
                continue;
            };
            let x = numbers[at];
            let direction = if numbers.iter().all(|&v| x <= v) {
                Extend::Lower
            } else if numbers.iter().all(|&v| x >= v) {
                Extend::Higher
            } else {
                continue;
            };
            out.push(Warning::SweepOptimumOnEdge {
                scenario: self.scenarios[best.scenario].name.clone(),
                objective: ranking.objective.clone(),
                axis: axis.path.clone(),
                value: axis.labels[at].clone(),
                direction,
            });
        }
        out
    }
}

/// Leads drawn to estimate each pool's share of a generated population.
const PROBE_LEADS: u64 = 20_000;

/// For each pool: offered work per hour (in rep-hours per working hour of the pool), i.e. the
/// number of busy reps the pool would need on shift. Above `count`, the queue grows without
/// bound when no lead ever leaves it.
pub fn offered_load(sc: &Scenario) -> Vec<f64> {
    let pol = &sc.policy;
    // The engine's own population and routing, so the estimate sees the leads a run sees.
    let compiled = Compiled::new(sc);
    let mut share = vec![0.0; sc.pools.len()];
    for i in 0..PROBE_LEADS {
        let a = compiled.source().draw(&mut population_probe_stream(i));
        if a.score < pol.threshold {
            continue;
        }
        share[compiled.route(a.score)] += 1.0 / PROBE_LEADS as f64;
    }
    let w = &sc.arrivals.weekday_profile;
    let replayed = match &sc.population {
        Population::Table {
            replay: Some(r), ..
        } if sc.arrivals.replay.is_some() => {
            let end = 24.0 * f64::from(sc.arrivals.arrival_days);
            Some(r.iter().filter(|x| x.0 < end).count() as f64 / end)
        }
        _ => None,
    };
    let leads_per_hour = if let Some(rate) = replayed {
        rate
    } else {
        match sc.arrivals.calendar {
            ArrivalCalendar::Business => {
                sc.arrivals.rate_per_day * w[..5].iter().sum::<f64>() / 168.0
            }
            ArrivalCalendar::Always => sc.arrivals.rate_per_day * w.iter().sum::<f64>() / 168.0,
        }
    };
    sc.pools
        .iter()
        .zip(share)
        .map(|(pool, share)| {
            let (h, t) = (
                pool.handle_minutes.mean() / 60.0,
                pool.talk_minutes.mean() / 60.0,
            );
            let c = pol.contactable;
            let mut not_reached = 1.0; // P(contactable and not reached before attempt k)
            let mut work = 0.0;
            for k in 0..pol.max_attempts as usize {
                let attempted = (1.0 - c) + c * not_reached;
                work += attempted * h + c * not_reached * pol.reach[k] * t;
                not_reached *= 1.0 - pol.reach[k];
            }
            let on_shift = Shift::new(&pool.hours).weekly_hours() / 168.0;
            leads_per_hour * share * work / on_shift
        })
        .collect()
}
