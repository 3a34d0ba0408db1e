//! The observed SQL rate by score decile: what the score-to-propensity calibration of
//! MODEL.md 8.2 must reproduce when it simulates the historical process.

use serde::Serialize;

use crate::calibrate::estimate::Estimate;
use crate::calibrate::stats::wilson;
use crate::history::Leads;

/// One decile of scored MQLs.
#[derive(Debug, Clone, Serialize)]
pub struct DecileRow {
    /// 1 (lowest scores) to 10.
    pub decile: usize,
    /// Lowest score in it.
    pub score_lo: f64,
    /// Highest score in it.
    pub score_hi: f64,
    /// Mean score.
    pub mean_score: f64,
    /// MQLs.
    pub leads: u64,
    /// Of which SQLs.
    pub sqls: u64,
    /// SQLs / MQLs with its Wilson interval.
    pub sql_rate: Estimate,
}

/// Ten groups of equal size by score rank (ties broken by file order); empty without scores
/// or without an `sql_at` column.
pub fn estimate(leads: &Leads) -> Vec<DecileRow> {
    if !leads.sql_at.is_mapped() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, bool)> = (0..leads.len())
        .filter_map(|i| {
            leads
                .score
                .get(i)
                .map(|s| (s, leads.sql_at.get(i).is_some()))
        })
        .collect();
    if scored.len() < 10 {
        return Vec::new();
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = scored.len();
    (0..10)
        .map(|d| {
            let part = &scored[d * n / 10..(d + 1) * n / 10];
            let k = part.iter().filter(|p| p.1).count() as f64;
            let m = part.len() as f64;
            DecileRow {
                decile: d + 1,
                score_lo: part[0].0,
                score_hi: part[part.len() - 1].0,
                mean_score: part.iter().map(|p| p.0).sum::<f64>() / m,
                leads: part.len() as u64,
                sqls: k as u64,
                sql_rate: Estimate::estimated(
                    k / m,
                    wilson(k, m),
                    part.len() as u64,
                    "SQLs / MQLs in the decile; Wilson interval",
                ),
            }
        })
        .collect()
}
