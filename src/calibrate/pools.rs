//! Rep pools: reps active per week, working days and hours (from when calls start), handling
//! time (the length of unanswered calls, a lognormal fit) and talk time (what an answered call
//! takes beyond handling, so that handling + talk is the answered call's length), and the
//! contact rate per dial.

use serde::Serialize;

use crate::calibrate::defaults;
use crate::calibrate::estimate::Estimate;
use crate::calibrate::stats::{log_interval, lognormal_mean_cv, wilson, Z95};
use crate::history::attempts::{AttemptsDigest, PoolCalls};
use crate::history::digest::{LogMoments, PowerSums};

/// Fewest calls for a length fit.
pub const MIN_CALLS: u64 = 30;
/// A weekday is a working one when it has at least this share of the busiest weekday's calls;
/// a quarter hour when it has this share of a typical busy quarter hour's.
pub const WORKING_SHARE: f64 = 0.2;

/// What one pool's calls say.
#[derive(Debug, Clone, Serialize)]
pub struct PoolEstimate {
    /// The pool's name.
    pub name: String,
    /// Distinct reps making calls per full week.
    pub reps: Estimate,
    /// Working days, Monday first.
    pub days: [bool; 7],
    /// Working days as the scenario writes them (`mon-fri`).
    pub days_text: String,
    /// Whether the pool works around the clock.
    pub always: bool,
    /// Shift start, hours after local midnight.
    pub start_hour: Estimate,
    /// Shift end.
    pub end_hour: Estimate,
    /// Share of calls inside the chosen days and hours.
    pub inside_share: f64,
    /// Handling time per attempt: lognormal mean (minutes).
    pub handle_mean: Estimate,
    /// Its coefficient of variation.
    pub handle_cv: Estimate,
    /// Talk time of an answered call beyond handling: mean (minutes).
    pub talk_mean: Estimate,
    /// Its coefficient of variation.
    pub talk_cv: Estimate,
    /// Calls that reached a person / calls.
    pub contact_rate: Estimate,
    /// Calls by weekday, Monday first.
    pub calls_by_weekday: [u64; 7],
    /// Calls by local hour (working days only).
    pub calls_by_hour: [u64; 24],
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `mon-fri`, `mon-wed,fri`: the scenario's way of writing days.
pub fn days_text(days: &[bool; 7]) -> String {
    let mut parts = Vec::new();
    let mut d = 0;
    while d < 7 {
        if !days[d] {
            d += 1;
            continue;
        }
        let start = d;
        while d + 1 < 7 && days[d + 1] {
            d += 1;
        }
        parts.push(if start == d {
            DAY_NAMES[d].to_string()
        } else {
            format!("{}-{}", DAY_NAMES[start], DAY_NAMES[d])
        });
        d += 1;
    }
    parts.join(",")
}

/// Lognormal fit by maximum likelihood from the logs' sums: mean and cv with delta-method
/// intervals (Var mu = s^2/n, Var s^2 = 2 s^4/n, independent).
pub(crate) fn lognormal_fit(m: &LogMoments, what: &str) -> (Estimate, Estimate) {
    let n = m.n as f64;
    let (mu, s2) = m.mean_var();
    let (mean, cv) = lognormal_mean_cv(mu, s2.sqrt());
    // ln mean = mu + s2/2: Var = s2/n + (1/4)(2 s2^2/n).
    let se_log_mean = (s2 / n + s2 * s2 / (2.0 * n)).sqrt();
    // ln cv = (1/2) ln(e^s2 - 1): d/ds2 = e^s2 / (2 (e^s2 - 1)).
    let d = s2.exp() / (2.0 * (s2.exp() - 1.0).max(1e-300));
    let se_log_cv = d * (2.0 * s2 * s2 / n).sqrt();
    let method = format!(
        "lognormal fitted by maximum likelihood to {what}; delta-method interval on the log scale"
    );
    (
        Estimate::estimated(mean, log_interval(mean, se_log_mean), m.n, &method),
        Estimate::estimated(cv, log_interval(cv, se_log_cv), m.n, &method),
    )
}

/// Talk time by moments: mean(answered) - mean(handling), var(answered) - var(handling)
/// (handling and talk independent), with a delta-method interval from the answered calls'
/// sample moments and the handling fit's.
fn talk_fit(answered: &PowerSums, handling: &LogMoments) -> Option<(Estimate, Estimate)> {
    let na = answered.n as f64;
    let nh = handling.n as f64;
    let (ma, va, m3, m4) = answered.central();
    let (mu, s2) = handling.mean_var();
    // Parameters: a = (mean_a, var_a), h = (mu, s2); covariances of their estimates.
    let cov_a = [[va / na, m3 / na], [m3 / na, (m4 - va * va) / na]];
    let var_h = [s2 / nh, 2.0 * s2 * s2 / nh];
    let talk = |ma: f64, va: f64, mu: f64, s2: f64| -> (f64, f64) {
        let mh = (mu + s2 / 2.0).exp();
        let vh = mh * mh * (s2.exp() - 1.0);
        let mt = ma - mh;
        let vt = va - vh;
        (mt, if vt > 0.0 { vt.sqrt() / mt } else { f64::NAN })
    };
    let (mt, cvt) = talk(ma, va, mu, s2);
    if mt.is_nan() || mt <= 0.0 || !cvt.is_finite() {
        return None;
    }
    // Gradients of ln mt and ln cvt by central differences.
    let x = [ma, va, mu, s2];
    let grad = |which: usize| -> [f64; 4] {
        let mut g = [0.0; 4];
        for k in 0..4 {
            let h = 1e-5 * (1.0 + x[k].abs());
            let (mut a, mut b) = (x, x);
            a[k] += h;
            b[k] -= h;
            let fa = talk(a[0], a[1], a[2], a[3]);
            let fb = talk(b[0], b[1], b[2], b[3]);
            let (va_, vb_) = if which == 0 {
                (fa.0, fb.0)
            } else {
                (fa.1, fb.1)
            };
            g[k] = (va_.ln() - vb_.ln()) / (2.0 * h);
        }
        g
    };
    let var_of = |g: [f64; 4]| {
        let mut v = 0.0;
        for i in 0..2 {
            for j in 0..2 {
                v += g[i] * g[j] * cov_a[i][j];
            }
        }
        v + g[2] * g[2] * var_h[0] + g[3] * g[3] * var_h[1]
    };
    let se_m = var_of(grad(0)).max(0.0).sqrt();
    let se_cv = var_of(grad(1)).max(0.0).sqrt();
    let method = "moments: answered call length minus the handling fit (mean and variance), \
                  lognormal with that mean and cv; delta-method interval on the log scale";
    Some((
        Estimate::estimated(mt, log_interval(mt, se_m), answered.n, method),
        Estimate::estimated(cvt, log_interval(cvt, se_cv), answered.n, method),
    ))
}

/// Working days and hours from the call starts.
fn hours(
    pool: &PoolCalls,
) -> (
    [bool; 7],
    bool,
    Estimate,
    Estimate,
    f64,
    [u64; 7],
    [u64; 24],
) {
    let by_day: [u64; 7] = std::array::from_fn(|d| pool.starts[d].iter().sum());
    let total: u64 = by_day.iter().sum();
    let peak_day = *by_day.iter().max().unwrap_or(&0);
    let days: [bool; 7] = std::array::from_fn(|d| {
        by_day[d] as f64 >= WORKING_SHARE * peak_day as f64 && by_day[d] > 0
    });
    let mut quarters = [0u64; 96];
    for (starts, _) in pool.starts.iter().zip(days).filter(|(_, on)| *on) {
        for (q, c) in quarters.iter_mut().zip(starts) {
            *q += c;
        }
    }
    let by_hour: [u64; 24] = std::array::from_fn(|h| quarters[4 * h..4 * h + 4].iter().sum());
    // The reference is a typical busy quarter hour (the upper quartile of those with calls),
    // not the busiest: the queue of overnight calls piles up at the start of the shift.
    let mut busy: Vec<f64> = quarters
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64)
        .collect();
    busy.sort_by(f64::total_cmp);
    let reference = if busy.is_empty() {
        f64::NAN
    } else {
        crate::calibrate::stats::quantile_sorted(&busy, 0.75)
    };
    let working: Vec<usize> = (0..96)
        .filter(|&q| quarters[q] as f64 >= WORKING_SHARE * reference && quarters[q] > 0)
        .collect();
    let method = format!(
        "from call starts: the first and last quarter hour with at least {:.0}% of a typical \
         busy quarter hour's calls (the upper quartile), on days with at least {:.0}% of the \
         busiest day's",
        100.0 * WORKING_SHARE,
        100.0 * WORKING_SHARE
    );
    let (first, last) = (working.first().copied(), working.last().copied());
    let (start, end) = match (first, last) {
        (Some(a), Some(b)) => (a as f64 / 4.0, (b + 1) as f64 / 4.0),
        _ => defaults::HOURS,
    };
    let always = days.iter().all(|&d| d) && working.len() == 96;
    let inside: u64 = (0..7)
        .filter(|&d| days[d])
        .map(|d| {
            (0..96)
                .filter(|&q| always || (q as f64 / 4.0 >= start && (q as f64) / 4.0 < end))
                .map(|q| pool.starts[d][q])
                .sum::<u64>()
        })
        .sum();
    let inside_share = if total > 0 {
        inside as f64 / total as f64
    } else {
        0.0
    };
    let (s, e) = if total == 0 {
        (
            Estimate::default_value(start, 0, "no calls"),
            Estimate::default_value(end, 0, "no calls"),
        )
    } else {
        (
            Estimate::point(start, total, &method),
            Estimate::point(end, total, &method),
        )
    };
    (days, always, s, e, inside_share, by_day, by_hour)
}

/// Reps per week: distinct reps with a call in each full week of the pool's calling span
/// (partial first and last weeks left out when there are others); the median over weeks.
fn reps(
    pool: &PoolCalls,
    has_rep: bool,
    handle_mean: f64,
    talk_mean: f64,
    days: &[bool; 7],
    start: f64,
    end: f64,
) -> Estimate {
    let Some((a, b)) = pool.span else {
        return Estimate::default_value(1.0, 0, "no calls");
    };
    let week = |t: i64| (t.div_euclid(86_400) + 3).div_euclid(7);
    let (wa, wb) = (week(a), week(b));
    let weeks: Vec<i64> = if wb - wa >= 2 {
        (wa + 1..wb).collect()
    } else {
        (wa..=wb).collect()
    };
    if !has_rep {
        // Without rep ids the call workload bounds the pool from below: busy hours per week
        // over one rep's working hours per week.
        let answered = pool.answered.n as f64;
        let busy_min = pool.handling.n as f64 * handle_mean + answered * (handle_mean + talk_mean);
        let per_week = busy_min / 60.0 / weeks.len().max(1) as f64;
        let rep_hours = days.iter().filter(|&&d| d).count() as f64 * (end - start);
        let v = (per_week / rep_hours.max(1.0)).max(1.0);
        return Estimate::fixed(
            v.ceil(),
            pool.dials,
            "the export has no rep column: reps set to the call workload (busy hours per week \
             over one rep's working hours per week, rounded up), a lower bound on the pool",
        );
    }
    let mut counts: Vec<f64> = weeks
        .iter()
        .map(|&w| pool.rep_weeks.range((w, 0)..=(w, u32::MAX)).count() as f64)
        .collect();
    counts.sort_by(f64::total_cmp);
    let k = counts.len() as f64;
    let half = Z95 * k.sqrt() / 2.0;
    let at = |r: f64| counts[(r.max(0.0) as usize).min(counts.len() - 1)];
    Estimate::estimated(
        crate::calibrate::stats::quantile_sorted(&counts, 0.5),
        (
            at((k / 2.0 - half).floor()),
            at((k / 2.0 + half).ceil() - 1.0),
        ),
        counts.len() as u64,
        "median over full weeks of the distinct reps with a call (robust to the thin weeks \
         at the ends of the export); order-statistic interval",
    )
}

/// Estimates every pool of the export.
pub fn estimate(attempts: &AttemptsDigest, names: &[String]) -> Vec<PoolEstimate> {
    attempts
        .pools
        .iter()
        .zip(names)
        .map(|(pool, name)| {
            let (days, always, start_hour, end_hour, inside_share, by_day, by_hour) = hours(pool);
            let (handle_mean, handle_cv) = if !attempts.has_length {
                let r = "the attempts have no duration or ended_at column";
                (
                    Estimate::default_value(defaults::HANDLE_MINUTES.0, 0, r),
                    Estimate::default_value(defaults::HANDLE_MINUTES.1, 0, r),
                )
            } else if pool.handling.n < MIN_CALLS {
                let r = format!(
                    "{} unanswered calls with a length, fewer than {MIN_CALLS}",
                    pool.handling.n
                );
                (
                    Estimate::default_value(defaults::HANDLE_MINUTES.0, pool.handling.n, r.clone()),
                    Estimate::default_value(defaults::HANDLE_MINUTES.1, pool.handling.n, r),
                )
            } else {
                lognormal_fit(&pool.handling, "the lengths of unanswered calls (minutes)")
            };
            let talk = if attempts.has_length
                && pool.answered.n >= MIN_CALLS
                && pool.handling.n >= MIN_CALLS
            {
                talk_fit(&pool.answered, &pool.handling)
            } else {
                None
            };
            let (talk_mean, talk_cv) = talk.unwrap_or_else(|| {
                let r = if !attempts.has_length {
                    "the attempts have no duration or ended_at column".to_string()
                } else if pool.answered.n < MIN_CALLS || pool.handling.n < MIN_CALLS {
                    format!(
                        "{} answered and {} unanswered calls with a length; both need {MIN_CALLS}",
                        pool.answered.n, pool.handling.n
                    )
                } else {
                    "answered calls are not longer (or not more variable) than unanswered ones"
                        .to_string()
                };
                (
                    Estimate::default_value(defaults::TALK_MINUTES.0, pool.answered.n, r.clone()),
                    Estimate::default_value(defaults::TALK_MINUTES.1, pool.answered.n, r),
                )
            });
            let contact_rate = if attempts.has_connected {
                Estimate::estimated(
                    pool.connected as f64 / pool.dials.max(1) as f64,
                    wilson(pool.connected as f64, pool.dials as f64),
                    pool.dials,
                    "calls that reached a person / calls; Wilson interval",
                )
            } else {
                Estimate::default_value(
                    f64::NAN,
                    pool.dials,
                    "the attempts have no connected column",
                )
            };
            let reps = reps(
                pool,
                attempts.has_rep,
                handle_mean.value,
                talk_mean.value,
                &days,
                start_hour.value,
                end_hour.value,
            );
            PoolEstimate {
                name: name.clone(),
                reps,
                days_text: if always {
                    "always".into()
                } else {
                    days_text(&days)
                },
                days,
                always,
                start_hour,
                end_hour,
                inside_share,
                handle_mean,
                handle_cv,
                talk_mean,
                talk_cv,
                contact_rate,
                calls_by_weekday: by_day,
                calls_by_hour: by_hour,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_written_as_ranges() {
        let mut d = [true, true, true, true, true, false, false];
        assert_eq!(days_text(&d), "mon-fri");
        d[3] = false;
        assert_eq!(days_text(&d), "mon-wed,fri");
        assert_eq!(
            days_text(&[false, false, false, false, false, false, true]),
            "sun"
        );
    }

    #[test]
    fn lognormal_fit_recovers_moments_of_its_own_sums() {
        // Logs with mean ln 8 - s2/2 and variance s2 = ln 1.25 give mean 8, cv 0.5.
        let s2 = 1.25f64.ln();
        let mu = 8f64.ln() - s2 / 2.0;
        let n = 1000u64;
        let m = LogMoments {
            n,
            sum: mu * n as f64,
            sum_sq: (s2 + mu * mu) * n as f64,
        };
        let (mean, cv) = lognormal_fit(&m, "x");
        assert!((mean.value - 8.0).abs() < 1e-9 && (cv.value - 0.5).abs() < 1e-9);
        assert!(mean.covers(8.0) && cv.covers(0.5));
    }
}
