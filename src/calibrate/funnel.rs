//! The export's own funnel, counted: what the historical process did (the observed side of a
//! back-test), and the per-segment figures (share won and time to win by lead source).

use serde::Serialize;

use crate::calibrate::estimate::Estimate;
use crate::calibrate::stats::{quantile_sorted, wilson};
use crate::calibrate::survival::kaplan_meier;
use crate::history::attempts::LeadCalls;
use crate::history::time::{Instant, DAY};
use crate::history::History;

/// Counts and rates of the export's funnel.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelCounts {
    /// MQLs.
    pub mqls: u64,
    /// Handed over to sales.
    pub handed_over: u64,
    /// With at least one attempt after their MQL.
    pub attempted: u64,
    /// Reached by a call.
    pub reached: u64,
    /// SQLs.
    pub sqls: u64,
    /// Rejected by sales.
    pub disqualified: u64,
    /// Deals won, lost, open at the export date.
    pub won: u64,
    /// Lost.
    pub lost: u64,
    /// Open.
    pub open: u64,
    /// Non-SQL leads that bought later.
    pub purchased: u64,
    /// Calls made.
    pub dials: u64,
    /// Calls that reached a person.
    pub connected_dials: u64,
    /// SQLs / MQLs.
    pub mql_to_sql: Estimate,
    /// SQLs / handed over.
    pub acceptance: Estimate,
    /// Calls that reached a person / calls.
    pub contact_rate: Option<Estimate>,
    /// Median hours from MQL to the first attempt (attempted leads).
    pub response_p50_h: Option<f64>,
    /// 90th percentile.
    pub response_p90_h: Option<f64>,
}

/// Counts the funnel.
pub fn count(h: &History) -> FunnelCounts {
    let l = &h.leads;
    let n = l.len();
    let calls = h.attempts.as_ref().map(|a| &a.leads);
    let handed = (0..n).filter(|&i| l.handed_over(i)).count() as u64;
    let sqls = l.sql_at.count() as u64;
    let won = l.won_at.count() as u64;
    let lost = l.lost_at.count() as u64;
    let mut responses = Vec::new();
    let (mut attempted, mut reached) = (0u64, 0u64);
    if let Some(c) = calls {
        for i in 0..n {
            if let Some(t) = LeadCalls::at(&c.first_start, i) {
                attempted += 1;
                responses.push((t - l.mql_at[i]) as f64 / 3600.0);
            }
            reached += u64::from(c.first_contact[i] > 0);
        }
    }
    responses.sort_by(f64::total_cmp);
    let (dials, connected) = h.attempts.as_ref().map_or((0, 0), |a| {
        a.pools
            .iter()
            .fold((0, 0), |acc, p| (acc.0 + p.dials, acc.1 + p.connected))
    });
    let rate = |k: u64, m: u64, what: &str| {
        Estimate::estimated(
            k as f64 / m.max(1) as f64,
            wilson(k as f64, m as f64),
            m,
            &format!("{what}; Wilson interval"),
        )
    };
    FunnelCounts {
        mqls: n as u64,
        handed_over: handed,
        attempted,
        reached,
        sqls,
        disqualified: l.disqualified_at.count() as u64,
        won,
        lost,
        open: sqls - won - lost,
        purchased: (0..n)
            .filter(|&i| l.sql_at.get(i).is_none() && l.purchased_at.get(i).is_some())
            .count() as u64,
        dials,
        connected_dials: connected,
        mql_to_sql: rate(sqls, n as u64, "SQLs / MQLs"),
        acceptance: rate(sqls, handed, "SQLs / handed over"),
        contact_rate: h
            .attempts
            .as_ref()
            .filter(|a| a.has_connected)
            .map(|_| rate(connected, dials, "connected calls / calls")),
        response_p50_h: (!responses.is_empty()).then(|| quantile_sorted(&responses, 0.5)),
        response_p90_h: (!responses.is_empty()).then(|| quantile_sorted(&responses, 0.9)),
    }
}

/// Figures for one segment (lead source, origin).
#[derive(Debug, Clone, Serialize)]
pub struct SegmentRow {
    /// The segment's name.
    pub segment: String,
    /// MQLs.
    pub mqls: u64,
    /// SQLs.
    pub sqls: u64,
    /// Won deals.
    pub won: u64,
    /// Won / MQLs by the export date, with its Wilson interval.
    pub won_share: Estimate,
    /// Share of MQLs won within 365 days of their MQL (Kaplan-Meier, censored at the export
    /// date), with its Greenwood interval.
    pub won_within_365d: Estimate,
    /// Median days from MQL to won, among won deals.
    pub median_days_to_win: Option<f64>,
}

/// Per-segment figures; empty without a segment column.
pub fn segments(h: &History) -> Vec<SegmentRow> {
    let l = &h.leads;
    if l.segment.names.len() == 1 && l.segment.names[0].is_empty() {
        return Vec::new();
    }
    (0..l.segment.names.len())
        .map(|g| {
            let members: Vec<usize> = (0..l.len())
                .filter(|&i| l.segment.of_lead[i] as usize == g)
                .collect();
            let obs = mql_to_won_observations(h, &members);
            let km = kaplan_meier(obs, "days", 400);
            let s = km
                .points
                .iter()
                .take_while(|p| p.t <= 365.0)
                .last()
                .cloned();
            let won_within = match s {
                Some(p) => Estimate::estimated(
                    1.0 - p.survival,
                    (1.0 - p.hi, 1.0 - p.lo),
                    members.len() as u64,
                    "1 - Kaplan-Meier survival at 365 days from MQL; Greenwood interval",
                ),
                None => Estimate::point(0.0, members.len() as u64, "no deal won within 365 days"),
            };
            let mut days: Vec<f64> = members
                .iter()
                .filter_map(|&i| {
                    l.won_at
                        .get(i)
                        .map(|w| (w - l.mql_at[i]) as f64 / DAY as f64)
                })
                .collect();
            days.sort_by(f64::total_cmp);
            let won = days.len() as u64;
            let m = members.len() as u64;
            SegmentRow {
                segment: l.segment.names[g].clone(),
                mqls: m,
                sqls: members
                    .iter()
                    .filter(|&&i| l.sql_at.get(i).is_some())
                    .count() as u64,
                won,
                won_share: Estimate::estimated(
                    won as f64 / m as f64,
                    wilson(won as f64, m as f64),
                    m,
                    "won / MQLs by the export date; Wilson interval",
                ),
                won_within_365d: won_within,
                median_days_to_win: (!days.is_empty()).then(|| quantile_sorted(&days, 0.5)),
            }
        })
        .collect()
}

/// Days from MQL to won for `members`: won deals are events; everything else, lost deals
/// included, is censored at the export date (a lost deal cannot win, but stays in the risk set
/// for as long as it would have been followed, Fine and Gray's risk set for a competing
/// outcome, so `1 - S(t)` estimates the share won by `t`).
pub fn mql_to_won_observations(h: &History, members: &[usize]) -> Vec<(f64, bool)> {
    let l = &h.leads;
    let as_of: Instant = h.as_of;
    members
        .iter()
        .map(|&i| match l.won_at.get(i) {
            Some(w) => ((w - l.mql_at[i]) as f64 / DAY as f64, true),
            None => ((as_of - l.mql_at[i]) as f64 / DAY as f64, false),
        })
        .collect()
}
