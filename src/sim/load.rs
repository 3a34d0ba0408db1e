//! Offered load per pool, for the unbounded-queue warning: the expected rep-hours of work the
//! pool receives per hour of the week, against its reps on shift.

use super::engine::calendar::Shift;
use super::engine::population::Source;
use super::engine::rng::population_probe_stream;
use super::model::{ArrivalCalendar, Scenario};

/// Leads drawn to estimate each pool's share of a generated population.
const PROBE_LEADS: u64 = 20_000;

/// For each pool: offered work per hour (in rep-hours per working hour of the pool), i.e. the
/// number of busy reps the pool would need on shift. Above `count`, the queue grows without
/// bound when no lead ever leaves it.
pub fn offered_load(sc: &Scenario) -> Vec<f64> {
    let pol = &sc.policy;
    let source = Source::new(&sc.population);
    let mut share = vec![0.0; sc.pools.len()];
    for i in 0..PROBE_LEADS {
        let a = source.draw(&mut population_probe_stream(i));
        if a.score < pol.threshold {
            continue;
        }
        if let Some(j) = route(sc, a.score) {
            share[j] += 1.0 / PROBE_LEADS as f64;
        }
    }
    let w = &sc.arrivals.weekday_profile;
    let replayed = match &sc.population {
        super::model::Population::Table {
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

/// The pool whose band holds `score`: bands are half-open, and the top band also holds its
/// upper end.
pub fn route(sc: &Scenario, score: f64) -> Option<usize> {
    let top = sc.pools.iter().map(|p| p.band[1]).fold(f64::MIN, f64::max);
    sc.pools.iter().position(|p| {
        score >= p.band[0] && (score < p.band[1] || (score == p.band[1] && p.band[1] == top))
    })
}
