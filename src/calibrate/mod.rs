//! Calibration: every funnel knob of a scenario estimated from a company's own history export
//! (docs/model.md section 8.5), each with its 95% interval, the records it rests on and the method, or the
//! documented default with the reason when the export cannot inform it. One file per concept:
//!
//! * [`arrivals`]: rate per business day or around the clock, weekday and hour profiles;
//! * [`handover`]: share handed over and the implied score threshold;
//! * [`pools`]: reps per week, working days and hours, handling and talk time;
//! * [`cadence`]: gaps between attempts, the attempt cap; [`waiting`]: the gaps netted of the
//!   waiting the simulator adds (by simulating the calibrated process);
//! * [`contact`]: contactable share and reach per attempt (a cure model);
//! * [`speed_to_lead`]: score-adjusted multipliers by delay to contact;
//! * [`sales`]: win rate and sales cycle with censoring, deal value;
//! * [`nurture`]: the cure-fraction Weibull of later purchases;
//! * [`deciles`]: the observed SQL rate by score decile;
//! * [`funnel`]: the export's own counts and per-segment figures;
//! * [`survival`]: Kaplan-Meier curves and censored likelihoods; [`optim`]: maximum likelihood.
//!
//! ```no_run
//! use leadsim::history::{read_history, ReadOptions};
//! let h = read_history("leads.csv", Some("calls.csv".as_ref()), &ReadOptions::default())?;
//! let c = leadsim::calibrate::calibrate(&h);
//! println!("win rate {:.3} ({:?} to {:?})", c.sales.win_rate.value, c.sales.win_rate.lo, c.sales.win_rate.hi);
//! # Ok::<(), leadsim::Error>(())
//! ```

pub mod arrivals;
pub mod backtest;
pub mod cadence;
pub mod contact;
pub mod deciles;
pub mod defaults;
pub mod estimate;
pub mod funnel;
pub mod handover;
pub mod nurture;
pub(crate) mod optim;
pub mod output;
pub mod pools;
pub mod sales;
pub mod scenario;
pub mod speed_to_lead;
pub mod stats;
pub mod survival;
pub mod waiting;

use serde::Serialize;

pub use estimate::{Estimate, Source};

use crate::history::{History, Warning};

/// Points kept per Kaplan-Meier curve.
pub const CURVE_POINTS: usize = 300;

/// Kaplan-Meier curves for the calibration page.
#[derive(Debug, Clone, Serialize)]
pub struct Curves {
    /// Days from SQL to won, among SQLs: `1 - S(t)` is the share of SQLs won by `t` (lost
    /// deals stay at risk until the export date, open ones are censored there).
    pub time_to_win: survival::KmCurve,
    /// Days from MQL to won, among all MQLs.
    pub mql_to_won: survival::KmCurve,
    /// Months from entering nurture to a purchase, among non-SQL leads.
    pub time_to_recovery: survival::KmCurve,
}

/// Everything a calibration found.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// The export date (ISO 8601 in the zone).
    pub as_of: String,
    /// The zone of weekdays and hours.
    pub zone: String,
    /// The export's funnel, counted.
    pub funnel: funnel::FunnelCounts,
    /// Arrivals.
    pub arrivals: arrivals::Arrivals,
    /// Handover.
    pub handover: handover::Handover,
    /// Pools (empty without an attempts table).
    pub pools: Vec<pools::PoolEstimate>,
    /// Cadence (`None` without an attempts table).
    pub cadence: Option<cadence::Cadence>,
    /// Contact (`None` without an attempts table).
    pub contact: Option<contact::Contact>,
    /// Speed to lead.
    pub speed_to_lead: speed_to_lead::SpeedToLead,
    /// Sales.
    pub sales: sales::Sales,
    /// Nurture.
    pub nurture: nurture::Nurture,
    /// SQL rate by score decile (empty without scores).
    pub deciles: Vec<deciles::DecileRow>,
    /// Per-segment figures (empty without a segment column).
    pub segments: Vec<funnel::SegmentRow>,
    /// Kaplan-Meier curves.
    pub curves: Curves,
    /// Warnings from reading and from the estimators, counted and named.
    pub warnings: Vec<Warning>,
}

/// Estimates every knob from a history export. Never fails: a knob the export cannot inform
/// keeps its documented default, marked as such with the reason.
pub fn calibrate(h: &History) -> Calibration {
    let mut warnings = h.warnings.clone();
    let l = &h.leads;
    let calls = h.attempts.as_ref().map(|a| &a.leads);
    let nurture = nurture::estimate(l, h.attempts.as_ref(), h.as_of, &mut warnings);
    let speed = match calls {
        Some(c) => speed_to_lead::estimate(l, c),
        None => speed_to_lead::SpeedToLead {
            bins: Vec::new(),
            table: defaults::speed_to_lead(),
            adjusted_for_score: false,
            default_reason: Some("no attempts table: delays to contact are unknown".into()),
            warning: speed_to_lead::OBSERVATIONAL.into(),
            method: "default (docs/model.md section 3)".into(),
        },
    };
    let day = crate::history::time::DAY as f64;
    let month = crate::history::time::MONTH_DAYS * day;
    let win_obs: Vec<(f64, bool)> = (0..l.len())
        .filter_map(|i| {
            let s = l.sql_at.get(i)?;
            Some(match l.won_at.get(i) {
                Some(w) => ((w - s) as f64 / day, true),
                // A lost deal cannot win but stays in the risk set until the export date, as
                // it would have been followed until then (Fine and Gray's risk set).
                _ => ((h.as_of - s) as f64 / day, false),
            })
        })
        .collect();
    let all: Vec<usize> = (0..l.len()).collect();
    let recovery_obs: Vec<(f64, bool)> = (0..l.len())
        .filter(|&i| l.sql_at.get(i).is_none())
        .map(|i| {
            let exit = nurture::exit_time(l, calls, i);
            match l.purchased_at.get(i) {
                Some(p) => (((p - exit) as f64 / month).max(0.0), true),
                None => ((h.as_of - exit) as f64 / month, false),
            }
        })
        .collect();
    let curves = Curves {
        time_to_win: survival::kaplan_meier(win_obs, "days", CURVE_POINTS),
        mql_to_won: survival::kaplan_meier(
            funnel::mql_to_won_observations(h, &all),
            "days",
            CURVE_POINTS,
        ),
        time_to_recovery: survival::kaplan_meier(recovery_obs, "months", CURVE_POINTS),
    };
    Calibration {
        as_of: h.zone.format(h.as_of),
        zone: h.zone.name().to_string(),
        funnel: funnel::count(h),
        arrivals: arrivals::estimate(l, &h.zone),
        handover: handover::estimate(l),
        pools: h
            .attempts
            .as_ref()
            .map(|a| pools::estimate(a, &l.pool.names))
            .unwrap_or_default(),
        cadence: h.attempts.as_ref().map(|a| cadence::estimate(a, h.as_of)),
        contact: calls.map(contact::estimate),
        speed_to_lead: speed,
        sales: sales::estimate(l, h.as_of),
        nurture,
        deciles: deciles::estimate(l),
        segments: funnel::segments(h),
        curves,
        warnings: warnings.list(),
    }
}
