//! Arrivals: the rate of MQLs per day on the calendar that fits (business days or around the
//! clock), with the evidence for the choice, and the weekday and hour-of-day profiles.

use serde::Serialize;

use crate::calibrate::estimate::Estimate;
use crate::calibrate::stats::{log_interval, wilson};
use crate::history::time::{civil_from_days, weekday_of_day, Zone};
use crate::history::Leads;

/// Weekends with less than this share of a weekday's arrivals per day are read as a business
/// calendar (their arrivals folded into the weekdays, which keeps the volume).
pub const WEEKEND_RATIO_FOR_ALWAYS: f64 = 0.2;

/// Which arrival calendar fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Monday to Friday, `rate_per_day` per business day.
    Business,
    /// Every day, around the clock.
    Always,
}

/// The arrival process of the export.
#[derive(Debug, Clone, Serialize)]
pub struct Arrivals {
    /// The calendar chosen.
    pub calendar: Calendar,
    /// Why: the weekend-to-weekday rate ratio and the shares.
    pub evidence: String,
    /// MQLs per day of the calendar (per business day for `Business`).
    pub rate_per_day: Estimate,
    /// Arrivals per weekend day over arrivals per weekday.
    pub weekend_ratio: Estimate,
    /// Multipliers on the day's rate, Monday first (zero at weekends for `Business`).
    pub weekday_profile: Vec<Estimate>,
    /// Relative weights of the 24 hours (mean 1).
    pub hour_profile: Vec<Estimate>,
    /// Pearson dispersion of daily counts (1 for a Poisson process; the rate's interval is
    /// widened by its square root when above 1).
    pub dispersion: f64,
    /// First and last day with an MQL (local dates).
    pub first_day: String,
    /// Last day.
    pub last_day: String,
    /// Calendar days from the first to the last, inclusive.
    pub days: u64,
    /// Arrivals by weekday, Monday first.
    pub by_weekday: [u64; 7],
    /// Arrivals by local hour.
    pub by_hour: [u64; 24],
}

fn date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Estimates the arrival process from the leads' `mql_at`, counted in `zone`.
pub fn estimate(leads: &Leads, zone: &Zone) -> Arrivals {
    let locals: Vec<_> = leads.mql_at.iter().map(|&t| zone.local(t)).collect();
    let first = locals
        .iter()
        .map(|l| l.day)
        .min()
        .expect("at least one lead");
    let last = locals
        .iter()
        .map(|l| l.day)
        .max()
        .expect("at least one lead");
    let span = (last - first + 1) as usize;
    let mut daily = vec![0u64; span];
    let mut by_weekday = [0u64; 7];
    let mut by_hour = [0u64; 24];
    for l in &locals {
        daily[(l.day - first) as usize] += 1;
        by_weekday[l.weekday()] += 1;
        by_hour[l.hour()] += 1;
    }
    let mut days_of = [0u64; 7];
    for d in first..=last {
        days_of[weekday_of_day(d)] += 1;
    }
    let n = leads.len() as f64;
    let n_we = by_weekday[5..].iter().sum::<u64>() as f64;
    let (d_wd, d_we) = (
        days_of[..5].iter().sum::<u64>() as f64,
        days_of[5..].iter().sum::<u64>() as f64,
    );
    // Rate ratio weekend/weekday from the binomial split of arrivals given the total:
    // p = share at weekends; ratio = p/(1-p) * d_wd/d_we, monotone in p, so the Wilson
    // bounds on p map to bounds on the ratio.
    let to_ratio = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            p / (1.0 - p) * d_wd / d_we
        }
    };
    let weekend_ratio = if d_we > 0.0 && d_wd > 0.0 {
        let (lo, hi) = wilson(n_we, n);
        Estimate::estimated(
            to_ratio(n_we / n),
            (to_ratio(lo), to_ratio(hi)),
            n as u64,
            "weekend over weekday arrivals per day; Wilson interval on the weekend share",
        )
    } else {
        Estimate::point(
            f64::NAN,
            n as u64,
            "the export spans no weekend or no weekday",
        )
    };
    let calendar = if d_wd > 0.0
        && (weekend_ratio.value.is_nan() && n_we == 0.0
            || weekend_ratio.value < WEEKEND_RATIO_FOR_ALWAYS)
    {
        Calendar::Business
    } else {
        Calendar::Always
    };
    let open = |w: usize| calendar == Calendar::Always || w < 5;
    let (open_n, open_days) = match calendar {
        Calendar::Business => (n, d_wd),
        Calendar::Always => (n, d_wd + d_we),
    };
    let rate = open_n / open_days;
    // Pearson dispersion of daily counts against rate * weekday multiplier, on open days.
    let mult: Vec<f64> = (0..7)
        .map(|w| {
            if open(w) && days_of[w] > 0 {
                (by_weekday[w] as f64 / days_of[w] as f64) / rate
            } else {
                0.0
            }
        })
        .collect();
    let (mut chi2, mut dof) = (0.0, 0.0);
    for (k, &c) in daily.iter().enumerate() {
        let w = weekday_of_day(first + k as i64);
        if open(w) && mult[w] > 0.0 {
            let e = rate * mult[w];
            chi2 += (c as f64 - e).powi(2) / e;
            dof += 1.0;
        }
    }
    let fitted = if calendar == Calendar::Always {
        7.0
    } else {
        5.0
    };
    let dispersion = if dof > fitted {
        chi2 / (dof - fitted)
    } else {
        1.0
    };
    let phi = dispersion.max(1.0);
    let method = format!(
        "arrivals per {} day; interval exp(ln rate -+ 1.96 sqrt(phi / N)), quasi-Poisson with \
         dispersion phi = max(1, {dispersion:.2}) from the daily counts",
        if calendar == Calendar::Business {
            "business"
        } else {
            "calendar"
        }
    );
    let mut rate_est = Estimate::estimated(
        rate,
        log_interval(rate, (phi / open_n).sqrt()),
        n as u64,
        &method,
    );
    if calendar == Calendar::Business && n_we > 0.0 {
        rate_est = rate_est.with_note(format!(
            "{n_we} weekend arrivals ({:.1}%) are folded into the business days, which keeps \
             the volume",
            100.0 * n_we / n
        ));
    }
    let weekday_profile = (0..7)
        .map(|w| {
            if !open(w) {
                return Estimate::point(0.0, days_of[w], "business calendar: no arrivals");
            }
            let c = by_weekday[w] as f64;
            if c == 0.0 || days_of[w] == 0 {
                return Estimate::point(0.0, days_of[w], "no arrivals on this weekday");
            }
            Estimate::estimated(
                mult[w],
                log_interval(mult[w], (phi / c).sqrt()),
                by_weekday[w],
                "this weekday's arrivals per day over the rate; quasi-Poisson log interval",
            )
        })
        .collect();
    // Dates without a time of day all read as midnight: they say nothing of the hour.
    let dated = leads.mql_date_only as f64;
    let hour_profile = by_hour
        .iter()
        .map(|&c| {
            if dated >= 0.5 * n {
                return Estimate::default_value(
                    1.0,
                    leads.mql_date_only,
                    format!(
                        "{} of {n} mql_at values are dates without a time of day, so the hour \
                         of arrival is unknown: arrivals spread evenly over the day",
                        leads.mql_date_only
                    ),
                );
            }
            let (lo, hi) = wilson(c as f64, n);
            Estimate::estimated(
                24.0 * c as f64 / n,
                (24.0 * lo, 24.0 * hi),
                c,
                "24 x share of arrivals in this hour; Wilson interval",
            )
        })
        .collect();
    let evidence = format!(
        "{:.1}% of {n} arrivals fall at weekends, which have {:.1}% of the days; weekend rate \
         / weekday rate = {:.3} (95% {:.3} to {:.3}); {} (below {WEEKEND_RATIO_FOR_ALWAYS} \
         reads as a business calendar)",
        100.0 * n_we / n,
        100.0 * d_we / (d_wd + d_we),
        weekend_ratio.value,
        weekend_ratio.lo.unwrap_or(f64::NAN),
        weekend_ratio.hi.unwrap_or(f64::NAN),
        match calendar {
            Calendar::Business => "business calendar",
            Calendar::Always => "around the clock",
        }
    );
    Arrivals {
        calendar,
        evidence,
        rate_per_day: rate_est,
        weekend_ratio,
        weekday_profile,
        hour_profile,
        dispersion,
        first_day: date(first),
        last_day: date(last),
        days: span as u64,
        by_weekday,
        by_hour,
    }
}
