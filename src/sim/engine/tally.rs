//! Per-replication metrics (docs/model.md section 4): counters filled by the engine for
//! counted leads, turned into one value per metric of the registry ([`crate::sim::metric`]).

use super::calendar::Shift;
use crate::sim::metric::{Metric, MetricRow, PoolMetric};
use crate::sim::model::Scenario;
use crate::stats::quantile_in_place;

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
    /// Attempts started for counted leads.
    pub dials: u64,
    /// Attempts of counted leads that reached a person.
    pub contacts: u64,
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

    /// The metric values, in the registry's column order ([`crate::sim::metric::names`]).
    pub fn finish(mut self, sc: &Scenario) -> Vec<f64> {
        let (w0, w1) = sc.arrivals.window();
        let n = self.mqls as f64;
        let handed = self.handed_over as f64;
        let mut row = MetricRow::new(sc.pools.len());
        row[Metric::ResponseMeanH] =
            ratio(self.responses.iter().sum(), self.responses.len() as f64);
        row[Metric::ResponseP50H] = quantile_in_place(&mut self.responses, 0.5);
        row[Metric::ResponseP90H] = quantile_in_place(&mut self.responses, 0.9);
        let mut rep_cost = 0.0;
        for (j, (p, t)) in sc.pools.iter().zip(&self.pools).enumerate() {
            let hours = f64::from(p.count) * Shift::new(&p.hours).working_hours(w0, w1);
            let cost = hours * p.cost_per_hour;
            rep_cost += cost;
            row.set_pool(j, PoolMetric::Utilisation, ratio(t.busy, hours));
            row.set_pool(j, PoolMetric::PeakQueue, t.peak as f64);
            row.set_pool(j, PoolMetric::RepCost, cost);
        }
        let recovered: f64 = self.recovered.iter().sum();
        row[Metric::Mqls] = n;
        row[Metric::HandedOver] = handed;
        row[Metric::Retained] = self.exits[Exit::Retained as usize] as f64;
        row[Metric::Attempted] = self.attempted as f64;
        row[Metric::Dials] = self.dials as f64;
        row[Metric::ContactRate] = ratio(self.contacts as f64, self.dials as f64);
        row[Metric::Reached] = self.reached as f64;
        row[Metric::Sqls] = self.sqls as f64;
        row[Metric::Rejected] = self.exits[Exit::Rejected as usize] as f64;
        row[Metric::Unreached] = self.exits[Exit::Unreached as usize] as f64;
        row[Metric::Cold] = self.exits[Exit::Cold as usize] as f64;
        row[Metric::Won] = self.won as f64;
        row[Metric::MqlToSql] = ratio(self.sqls as f64, n);
        row[Metric::Acceptance] = ratio(self.sqls as f64, handed);
        row[Metric::WaitedShare] = ratio(self.waited as f64, handed);
        row[Metric::SlaMet] = ratio(self.sla_met as f64, handed);
        row[Metric::WonRevenue12m] = self.won_revenue;
        row[Metric::RecoveredRevenue12m] = recovered;
        // Summed in a fixed order, so the value is the same in every run and shard.
        row[Metric::RecoveredRevenue12mTurnedAway] = self.recovered[Exit::Rejected as usize]
            + self.recovered[Exit::Unreached as usize]
            + self.recovered[Exit::Cold as usize];
        row[Metric::RecoveredRevenue12mRejected] = self.recovered[Exit::Rejected as usize];
        row[Metric::RecoveredRevenue12mUnreached] = self.recovered[Exit::Unreached as usize];
        row[Metric::RecoveredRevenue12mCold] = self.recovered[Exit::Cold as usize];
        row[Metric::RecoveredRevenue12mRetained] = self.recovered[Exit::Retained as usize];
        row[Metric::RecoveredDeals12m] = self.recovered_deals as f64;
        row[Metric::RepCost] = rep_cost;
        row[Metric::NurtureCost] = self.nurture_cost;
        row[Metric::NetRevenue] = self.won_revenue + recovered - rep_cost - self.nurture_cost;
        row.into_vec()
    }
}
