//! Sales: the win rate and the sales cycle of SQLs, with deals still open at the export date
//! censored there (not counted as lost), and the deal value.
//!
//! A cure-type mixture with competing outcomes: an SQL is won with probability `p` after a
//! lognormal cycle `f_w` from `sql_at`; otherwise it is lost after a lognormal time `f_l`. A won
//! deal contributes `p f_w(t)`, a lost one `(1 - p) f_l(t)`, a deal still open at the export
//! date at age `c` contributes `p S_w(c) + (1 - p) S_l(c)`: open deals count as undecided, not
//! lost, and because losses are usually decided faster than wins, the open deals of a recent
//! export are weighted towards future wins exactly as the two timings say. Without a `lost_at`
//! column (or with fewer than 20 losses) the losers are taken never to close (`S_l = 1`), a
//! plain cure model, and the win rate rests on the shape of the win cycle alone.

use serde::Serialize;

use crate::calibrate::defaults;
use crate::calibrate::estimate::Estimate;
use crate::calibrate::optim::{maximize, profile_interval};
use crate::calibrate::stats::{log_interval, logit, normal_cdf, sigmoid, wilson, Z95};
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
    let (mut events, mut censored, mut within) = (Vec::new(), Vec::new(), 0.0f64);
    let (mut lost_times, mut lost_within) = (Vec::new(), 0.0f64);
    let (mut won, mut lost) = (0u64, 0u64);
    let mut amounts = Vec::new();
    for i in 0..leads.len() {
        let Some(s) = leads.sql_at.get(i) else {
            continue;
        };
        if let Some(w) = leads.won_at.get(i) {
            won += 1;
            let t = (w - s) as f64 / day;
            if t >= 1.0 {
                events.push(t);
            } else {
                within += 1.0;
            }
            if let Some(a) = leads.amount.get(i) {
                amounts.push(a.ln());
            }
        } else if let Some(l) = leads.lost_at.get(i) {
            lost += 1;
            let t = (l - s) as f64 / day;
            if t >= 1.0 {
                lost_times.push(t);
            } else {
                lost_within += 1.0;
            }
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
    let (win_rate, cycle_median_days, cycle_sigma) = if !leads.sql_at.is_mapped()
        || !leads.won_at.is_mapped()
    {
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
        let model_loss = lost_times.len() as u64 >= MIN_WINS;
        let deals = Deals {
            won: compress(&events),
            won_within: within,
            lost: compress(&lost_times),
            lost_within,
            lost_count: lost as f64,
            open: compress(&censored),
            model_loss,
        };
        let f = |x: &[f64]| deals.loglik(x);
        let (mu0, s0) = log_moments(&events);
        let p0 = (won as f64 / (won + lost).max(1) as f64).clamp(0.05, 0.95);
        let mut x0 = vec![logit(p0), mu0, s0.ln()];
        if model_loss {
            let (ml, sl) = log_moments(&lost_times);
            x0.extend([ml, sl.ln()]);
        }
        let m = maximize(&f, &x0);
        let (lo, hi) = profile_interval(&f, &m, 0, (-15.0, 15.0));
        let p = sigmoid(m.x[0]);
        let method_p = if model_loss {
            "mixture of won (lognormal cycle) and lost (lognormal time to loss) fitted by \
             maximum likelihood, open deals censored at the export date; profile-likelihood \
             interval"
        } else {
            "cure-lognormal fitted by maximum likelihood: won deals are events, lost deals never \
             win, open deals are censored at the export date; profile-likelihood interval"
        };
        let mut win = Estimate::estimated(p, (sigmoid(lo), sigmoid(hi)), sqls, method_p);
        if hi >= 15.0 || lo <= -15.0 {
            win = win.with_note(
                "weakly identified: the export does not follow deals long enough for the \
                 likelihood to bound the win rate on one side",
            );
        }
        let (mu, sigma) = (m.x[1], m.x[2].exp());
        let method_c = "fitted with win_rate; Wald interval from the observed information";
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
            format!(
                "{} won deals with an amount, fewer than {MIN_AMOUNTS}",
                amounts.len()
            )
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
                (
                    (m - Z95 * s / n.sqrt()).exp(),
                    (m + Z95 * s / n.sqrt()).exp(),
                ),
                n as u64,
                method,
            ),
            Estimate::estimated(
                s,
                log_interval(s, (1.0 / (2.0 * n)).sqrt()),
                n as u64,
                method,
            ),
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

/// Sorted distinct times (rounded to the hour) with counts.
fn compress(times: &[f64]) -> Vec<(f64, f64)> {
    let mut v: Vec<f64> = times
        .iter()
        .map(|t| (t * 24.0).round().max(1.0) / 24.0)
        .collect();
    v.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((y, c)) if *y == x => *c += 1.0,
            _ => out.push((x, 1.0)),
        }
    }
    out
}

fn log_moments(times: &[f64]) -> (f64, f64) {
    let n = times.len().max(1) as f64;
    let m = times.iter().map(|t| t.ln()).sum::<f64>() / n;
    let v = times.iter().map(|t| (t.ln() - m).powi(2)).sum::<f64>() / n;
    (m, v.sqrt().max(0.05))
}

/// SQLs by outcome, times in days, compressed.
struct Deals {
    won: Vec<(f64, f64)>,
    won_within: f64,
    lost: Vec<(f64, f64)>,
    lost_within: f64,
    lost_count: f64,
    open: Vec<(f64, f64)>,
    model_loss: bool,
}

impl Deals {
    /// Log likelihood at `[logit p, mu_w, ln sigma_w]` (+ `[mu_l, ln sigma_l]` when losses
    /// are modelled).
    fn loglik(&self, x: &[f64]) -> f64 {
        let p = sigmoid(x[0]);
        if !(p > 0.0 && p < 1.0) {
            return f64::NEG_INFINITY;
        }
        let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
        let log_pdf = |t: f64, mu: f64, s: f64| {
            let z = (t.ln() - mu) / s;
            -t.ln() - s.ln() - half_ln_2pi - 0.5 * z * z
        };
        let cdf = |t: f64, mu: f64, s: f64| normal_cdf((t.ln() - mu) / s);
        let (mw, sw) = (x[1], x[2].exp());
        let (lp, lq) = (p.ln(), (1.0 - p).ln());
        let mut ll = 0.0;
        for &(t, w) in &self.won {
            ll += w * (lp + log_pdf(t, mw, sw));
        }
        ll += self.won_within * (lp + cdf(1.0, mw, sw).max(1e-300).ln());
        let loss = if self.model_loss {
            Some((x[3], x[4].exp()))
        } else {
            None
        };
        match loss {
            Some((ml, sl)) => {
                for &(t, w) in &self.lost {
                    ll += w * (lq + log_pdf(t, ml, sl));
                }
                ll += self.lost_within * (lq + cdf(1.0, ml, sl).max(1e-300).ln());
            }
            None => ll += self.lost_count * lq,
        }
        for &(c, w) in &self.open {
            let s_l = loss.map_or(1.0, |(ml, sl)| 1.0 - cdf(c, ml, sl));
            ll += w
                * (p * (1.0 - cdf(c, mw, sw)) + (1.0 - p) * s_l)
                    .max(1e-300)
                    .ln();
        }
        ll
    }
}
