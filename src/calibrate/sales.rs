//! Sales: the win rate and the sales cycle of SQLs, with deals still open at the export date
//! censored there (not counted as lost), and the deal value.
//!
//! A cure-type model: an SQL is eventually won with probability `win_rate`, after a lognormal
//! cycle from `sql_at`; otherwise never. A won deal contributes `p f(t)`, a lost one `1 - p`
//! (lost means it will not be won), an open one `1 - p F(c)` at its age `c` at the export date,
//! so a young open deal counts as undecided rather than lost, and long-open deals pull the win
//! rate down only as far as the fitted cycle says they should have closed. Without a `lost_at`
//! column every deal not won is open, and the win rate rests on the shape of the cycle alone.

use serde::Serialize;

use crate::calibrate::defaults;
use crate::calibrate::estimate::Estimate;
use crate::calibrate::optim::{maximize, profile_interval};
use crate::calibrate::stats::{log_interval, logit, sigmoid, wilson, Z95};
use crate::calibrate::survival::Censored;
use crate::history::time::{Instant, DAY};
use crate::history::Leads;

/// Fewest won deals with a cycle of a day or more for a cycle fit.
pub const MIN_WINS: u64 = 20;
/// Fewest won deals with an amount for a deal-value fit.
pub const MIN_AMOUNTS: u64 = 20;

/// What the export says about sales.
#[derive(Debug, Clone, Serialize)]
pub struct Sales {
    /// SQL to won.
    pub win_rate: Estimate,
    /// Won / (won + lost), ignoring open deals: shown for comparison, biased when many are open.
    pub closed_win_rate: Option<Estimate>,
    /// Median sales cycle (days from SQL to won).
    pub cycle_median_days: Estimate,
    /// Lognormal sigma of the cycle.
    pub cycle_sigma: Estimate,
    /// Median deal value of won deals.
    pub deal_median: Estimate,
    /// Lognormal sigma of deal values.
    pub deal_sigma: Estimate,
    /// SQLs, won, lost, open at the export date.
    pub sqls: u64,
    /// Won.
    pub won: u64,
    /// Lost.
    pub lost: u64,
    /// Open at the export date.
    pub open: u64,
}

/// Estimates win rate, cycle and deal value.
pub fn estimate(leads: &Leads, as_of: Instant) -> Sales {
    let day = DAY as f64;
    let (mut events, mut censored, mut within) = (Vec::new(), Vec::new(), Vec::new());
    let (mut won, mut lost) = (0u64, 0u64);
    let mut amounts = Vec::new();
    for i in 0..leads.len() {
        let Some(s) = leads.sql_at.get(i) else { continue };
        if let Some(w) = leads.won_at.get(i) {
            won += 1;
            let t = (w - s) as f64 / day;
            if t >= 1.0 {
                events.push(t);
            } else {
                within.push(1.0);
            }
            if let Some(a) = leads.amount.get(i) {
                amounts.push(a.ln());
            }
        } else if leads.lost_at.get(i).is_some() {
            lost += 1;
        } else {
            censored.push(((as_of - s) as f64 / day).max(1.0 / 24.0));
        }
    }
    let sqls = won + lost + censored.len() as u64;
    let open = censored.len() as u64;
    let exact = events.len() as u64;
    let closed_win_rate = (leads.lost_at.is_mapped() && won + lost > 0).then(|| {
        Estimate::estimated(
            won as f64 / (won + lost) as f64,
            wilson(won as f64, (won + lost) as f64),
            won + lost,
            "won / (won + lost), open deals left out; Wilson interval",
        )
    });
    let (win_rate, cycle_median_days, cycle_sigma) = if !leads.sql_at.is_mapped() || !leads.won_at.is_mapped() {
        let r = "the export has no sql_at or no won_at column";
        (
            Estimate::default_value(defaults::WIN_RATE, 0, r),
            Estimate::default_value(defaults::SALES_CYCLE_DAYS.0, 0, r),
            Estimate::default_value(defaults::SALES_CYCLE_DAYS.1, 0, r),
        )
    } else if exact < MIN_WINS {
        let r = if won > 0 && exact == 0 {
            format!("all {won} won deals closed within a day of their sql_at (are sql_at and won_at the same date?), so the cycle cannot be fitted")
        } else {
            format!("{exact} won deals with a cycle of a day or more, fewer than {MIN_WINS}")
        };
        let win = match &closed_win_rate {
            Some(c) if won + lost >= MIN_WINS => c.clone().with_note(
                "the cycle could not be fitted, so open deals are left out of the win rate",
            ),
            _ => Estimate::default_value(defaults::WIN_RATE, sqls, r.clone()),
        };
        (
            win,
            Estimate::default_value(defaults::SALES_CYCLE_DAYS.0, exact, r.clone()),
            Estimate::default_value(defaults::SALES_CYCLE_DAYS.1, exact, r),
        )
    } else {
        let data = Censored::new(events.clone(), censored, within, lost, 1.0 / 24.0);
        let f = |x: &[f64]| data.lognormal_cure(x);
        let n_logs = events.iter().map(|t| t.ln()).collect::<Vec<_>>();
        let mu0 = n_logs.iter().sum::<f64>() / n_logs.len() as f64;
        let s0 = (n_logs.iter().map(|l| (l - mu0).powi(2)).sum::<f64>() / n_logs.len() as f64)
            .sqrt()
            .max(0.05);
        let p0 = (won as f64 / (won + lost).max(1) as f64).clamp(0.05, 0.95);
        let m = maximize(&f, &[logit(p0), mu0, s0.ln()]);
        let (lo, hi) = profile_interval(&f, &m, 0, (-15.0, 15.0));
        let p = sigmoid(m.x[0]);
        let method_p = "cure-lognormal fitted by maximum likelihood: won deals are events, lost \
                        deals never win, open deals are censored at the export date; \
                        profile-likelihood interval";
        let mut win = Estimate::estimated(p, (sigmoid(lo), sigmoid(hi)), sqls, method_p);
        if hi >= 15.0 || lo <= -15.0 {
            win = win.with_note(
                "weakly identified: the export does not follow deals long enough for the \
                 likelihood to bound the win rate on one side",
            );
        }
        let (mu, sigma) = (m.x[1], m.x[2].exp());
        let method_c = "cure-lognormal (as win_rate); Wald interval from the observed information";
        let median = match m.se(1) {
            Some(se) => Estimate::estimated(
                mu.exp(),
                ((mu - Z95 * se).exp(), (mu + Z95 * se).exp()),
                exact,
                method_c,
            ),
            None => Estimate::point(mu.exp(), exact, method_c),
        };
        let sig = match m.se(2) {
            Some(se) => Estimate::estimated(sigma, log_interval(sigma, se), exact, method_c),
            None => Estimate::point(sigma, exact, method_c),
        };
        (win, median, sig)
    };
    let (deal_median, deal_sigma) = if (amounts.len() as u64) < MIN_AMOUNTS {
        let r = if leads.amount.is_mapped() {
            format!("{} won deals with an amount, fewer than {MIN_AMOUNTS}", amounts.len())
        } else {
            "the export has no amount column".to_string()
        };
        (
            Estimate::default_value(defaults::DEAL_VALUE.0, amounts.len() as u64, r.clone()),
            Estimate::default_value(defaults::DEAL_VALUE.1, amounts.len() as u64, r),
        )
    } else {
        let n = amounts.len() as f64;
        let m = amounts.iter().sum::<f64>() / n;
        let s = (amounts.iter().map(|a| (a - m).powi(2)).sum::<f64>() / n).sqrt();
        let method = "lognormal fitted by maximum likelihood to won deals' amounts; Wald \
                      intervals (median on the log scale, sigma with se(ln sigma) = 1/sqrt(2n))";
        (
            Estimate::estimated(
                m.exp(),
                ((m - Z95 * s / n.sqrt()).exp(), (m + Z95 * s / n.sqrt()).exp()),
                n as u64,
                method,
            ),
            Estimate::estimated(s, log_interval(s, (1.0 / (2.0 * n)).sqrt()), n as u64, method),
        )
    };
    Sales {
        win_rate,
        closed_win_rate,
        cycle_median_days,
        cycle_sigma,
        deal_median,
        deal_sigma,
        sqls,
        won,
        lost,
        open,
    }
}
