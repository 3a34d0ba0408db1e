//! Per-replication metrics (MODEL.md section 7): counters filled by the engine for counted
//! leads, turned into one number per metric name.

use super::calendar::Shift;
use crate::sim::model::Scenario;
use crate::stats::quantile_in_place;

/// The scenario-independent metric names, in output order. Each pool adds
/// `utilisation_<pool>`, `peak_queue_<pool>` and `rep_cost_<pool>` after these.
pub const METRICS: [&str; 27] = [
    "mqls",
    "handed_over",
    "retained",
    "attempted",
    "reached",
    "sqls",
    "rejected",
    "unreached",
    "cold",
    "won",
    "mql_to_sql",
    "acceptance",
    "waited_share",
    "response_mean_h",
    "response_p50_h",
    "response_p90_h",
    "sla_met",
    "won_revenue_12m",
    "recovered_revenue_12m",
    "recovered_revenue_12m_rejected",
    "recovered_revenue_12m_unreached",
    "recovered_revenue_12m_cold",
    "recovered_revenue_12m_retained",
    "recovered_deals_12m",
    "rep_cost",
    "nurture_cost",
    "net_revenue",
];

/// All metric names of a scenario, in output order.
pub fn metric_names(sc: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = METRICS.iter().map(|s| s.to_string()).collect();
    for p in &sc.pools {
        names.push(format!("utilisation_{}", p.name));
        names.push(format!("peak_queue_{}", p.name));
        names.push(format!("rep_cost_{}", p.name));
    }
    names
}

/// Why a lead went to nurture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Below the threshold.
    Retained = 0,
    /// Reached, not qualified.
    Rejected = 1,
    /// Never reached in `max_attempts`.
    Unreached = 2,
    /// Left the queue before the first attempt.
    Cold = 3,
}

/// Per-pool counters.
#[derive(Clone, Debug, Default)]
pub struct PoolTally {
    /// Rep-hours of work inside the counted window.
    pub busy: f64,
    /// Largest queue length inside the counted window.
    pub peak: usize,
}

/// Counters of one replication of one scenario.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub mqls: u64,
    pub handed_over: u64,
    pub attempted: u64,
    pub reached: u64,
    pub sqls: u64,
    pub won: u64,
    pub exits: [u64; 4],
    pub waited: u64,
    pub sla_met: u64,
    /// Response times (hours) of counted handed-over leads whose first attempt started: kept
    /// whole because the percentiles are exact order statistics.
    pub responses: Vec<f64>,
    pub won_revenue: f64,
    pub recovered: [f64; 4],
    pub recovered_deals: u64,
    pub nurture_cost: f64,
    pub pools: Vec<PoolTally>,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        f64::NAN
    } else {
        a / b
    }
}

impl Tally {
    /// Counters for a scenario with `pools` pools.
    pub fn new(pools: usize) -> Self {
        Tally {
            pools: vec![PoolTally::default(); pools],
            ..Default::default()
        }
    }

    /// The metric values, in the order of [`metric_names`].
    pub fn finish(mut self, sc: &Scenario) -> Vec<f64> {
        let (w0, w1) = sc.arrivals.window();
        let n = self.mqls as f64;
        let handed = self.handed_over as f64;
        let mean_response = ratio(self.responses.iter().sum(), self.responses.len() as f64);
        let p50 = quantile_in_place(&mut self.responses, 0.5);
        let p90 = quantile_in_place(&mut self.responses, 0.9);
        let mut pool_cost = Vec::new();
        let mut pool_metrics = Vec::new();
        for (p, t) in sc.pools.iter().zip(&self.pools) {
            let hours = f64::from(p.count) * Shift::new(&p.hours).working_hours(w0, w1);
            let cost = hours * p.cost_per_hour;
            pool_cost.push(cost);
            pool_metrics.extend([ratio(t.busy, hours), t.peak as f64, cost]);
        }
        let rep_cost: f64 = pool_cost.iter().sum();
        let recovered: f64 = self.recovered.iter().sum();
        let mut v = vec![
            n,
            handed,
            self.exits[Exit::Retained as usize] as f64,
            self.attempted as f64,
            self.reached as f64,
            self.sqls as f64,
            self.exits[Exit::Rejected as usize] as f64,
            self.exits[Exit::Unreached as usize] as f64,
            self.exits[Exit::Cold as usize] as f64,
            self.won as f64,
            ratio(self.sqls as f64, n),
            ratio(self.sqls as f64, handed),
            ratio(self.waited as f64, handed),
            mean_response,
            p50,
            p90,
            ratio(self.sla_met as f64, handed),
            self.won_revenue,
            recovered,
            self.recovered[Exit::Rejected as usize],
            self.recovered[Exit::Unreached as usize],
            self.recovered[Exit::Cold as usize],
            self.recovered[Exit::Retained as usize],
            self.recovered_deals as f64,
            rep_cost,
            self.nurture_cost,
            self.won_revenue + recovered - rep_cost - self.nurture_cost,
        ];
        v.extend(pool_metrics);
        v
    }
}
