//! The documented defaults (docs/model.md section 3) that a calibration keeps, marked as such,
//! for a knob the export cannot inform: the simulator's own defaults
//! ([`crate::sim::model::defaults`]), in the shapes the estimators use.

use crate::sim::model::defaults as sim;
use crate::sim::model::DistSpec;

const fn mean_cv(d: DistSpec) -> (f64, f64) {
    match d {
        DistSpec::LogNormalMeanCv { mean, cv } => (mean, cv),
        _ => panic!("a lognormal by mean and cv"),
    }
}

const fn median_sigma(d: DistSpec) -> (f64, f64) {
    match d {
        DistSpec::LogNormalMedian { median, sigma } => (median, sigma),
        _ => panic!("a lognormal by median and sigma"),
    }
}

/// `policy.contactable` (S- InsideSales).
pub const CONTACTABLE: f64 = sim::DEFAULT_CONTACTABLE;
/// `policy.reach` (S- Leads360 / Velocify).
pub const REACH: [f64; 6] = sim::DEFAULT_REACH;
/// `policy.gap_hours` (A).
pub const GAP_HOURS: [f64; 5] = sim::DEFAULT_GAPS;
/// `policy.max_attempts` (A).
pub const MAX_ATTEMPTS: usize = sim::DEFAULT_MAX_ATTEMPTS as usize;
/// `policy.speed_to_lead`, the `default` table (A), as `(hours, multiplier)` points.
pub fn speed_to_lead() -> Vec<(f64, f64)> {
    sim::SPEED_PRESETS[0]
        .1
        .iter()
        .map(|p| (p[0], p[1]))
        .collect()
}
/// `pools.*.handle_minutes`: lognormal mean and cv (A).
pub const HANDLE_MINUTES: (f64, f64) = mean_cv(sim::DEFAULT_HANDLE_MINUTES);
/// `pools.*.talk_minutes`: lognormal mean and cv (A).
pub const TALK_MINUTES: (f64, f64) = mean_cv(sim::DEFAULT_TALK_MINUTES);
/// `pools.*.hours`: Monday to Friday, 9:00 to 17:00 (A).
pub const HOURS: (f64, f64) = (sim::DEFAULT_SHIFT_START, sim::DEFAULT_SHIFT_END);
/// `outcomes.win_rate` (F SiriusDecisions).
pub const WIN_RATE: f64 = sim::DEFAULT_WIN_RATE;
/// `outcomes.sales_cycle_days`: lognormal median and sigma (A).
pub const SALES_CYCLE_DAYS: (f64, f64) = median_sigma(sim::DEFAULT_SALES_CYCLE_DAYS);
/// `outcomes.deal_value`: lognormal median and sigma (S- Pacific Crest).
pub const DEAL_VALUE: (f64, f64) = median_sigma(sim::DEFAULT_DEAL_VALUE);
/// `outcomes.decision`, rule-of-45: pi, scale in months, shape (S- Obermayer).
pub const DECISION: (f64, f64, f64) = (
    sim::DEFAULT_DECISION.pi,
    sim::DEFAULT_DECISION.scale_months,
    sim::DEFAULT_DECISION.shape,
);
/// `outcomes.share` (A).
pub const SHARE: f64 = sim::DEFAULT_SHARE;
