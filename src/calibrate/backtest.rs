//! Back-testing a scenario against a history export: simulate the scenario's baseline over the
//! export's period, record each replication as the CRM would have seen it (the same export
//! date, the same censoring), and compare observed with simulated, metric by metric.
//!
//! Both sides are measured by one function ([`measure`]) on one row type ([`Row`]), so a
//! metric means the same thing for the history and for the simulation. Only windows the
//! export observes fully count:
//!
//! * the call metrics and SQL rates count leads that became MQLs at least
//!   [`PROCESS_DAYS`] before the export date (their call process is over);
//! * `won_12m` and `won_revenue_12m` count deals won within 365 days of the MQL, among leads
//!   whose MQL is at least 365 days before the export date;
//! * `recovered_deals_12m` and `recovered_revenue_12m` count purchases within 365.25 days of
//!   entering nurture, among non-SQL leads that entered nurture at least that long before.
//!
//! Intervals. Observed: Wilson for rates, the distribution-free order-statistic interval for
//! response percentiles, a normal interval for the mean dials, and for counts and sums the
//! compound-Poisson interval `sum -+ 1.96 sqrt(sum of squares)`. Simulated: the Student t 95%
//! interval of the mean over replications. A metric is *inside* when the two intervals
//! overlap.

use rayon::prelude::*;
use serde::Serialize;

use crate::calibrate::nurture::exit_time;
use crate::calibrate::scenario::{hours_since, run_origin};
use crate::calibrate::stats::{wilson, Z95};
use crate::history::attempts::LeadCalls;
use crate::history::record::SimHistory;
use crate::history::History;
use crate::sim::engine::trace::Outcome;
use crate::sim::engine::Compiled;
use crate::sim::model::Scenario;
use crate::stats::Interval;

/// Days after its MQL by which a lead's call process counts as over.
pub const PROCESS_DAYS: f64 = 30.0;
const YEAR_H: f64 = 365.0 * 24.0;
const NURTURE_YEAR_H: f64 = 365.25 * 24.0;

/// One lead as the CRM shows it at the export date; times in hours since the run's origin,
/// NaN where there is none.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// MQL.
    pub mql: f64,
    /// Score (NaN without one).
    pub score: f64,
    /// Handed over to sales.
    pub handed: bool,
    /// Start of the first attempt.
    pub first_start: f64,
    /// Attempts up to and including the first that reached the lead.
    pub dials: u32,
    /// Reached.
    pub reached: bool,
    /// SQL.
    pub sql: f64,
    /// Deal won.
    pub won: f64,
    /// Deal value.
    pub amount: f64,
    /// Entry into nurture (non-SQLs).
    pub exit: f64,
    /// A purchase by a non-SQL.
    pub purchased: f64,
    /// Its value.
    pub purchase_amount: f64,
}

/// The rows of an observed export, with times since [`run_origin`].
pub fn observed_rows(h: &History) -> Vec<Row> {
    let l = &h.leads;
    let origin = run_origin(h);
    let calls = h.attempts.as_ref().map(|a| &a.leads);
    let hs = |t: Option<i64>| t.map_or(f64::NAN, |t| hours_since(origin, t));
    (0..l.len())
        .map(|i| {
            let sql = l.sql_at.get(i);
            let (first_start, dials, reached) = match calls {
                Some(c) => (
                    hs(LeadCalls::at(&c.first_start, i)),
                    u32::from(c.count[i]),
                    c.first_contact[i] > 0,
                ),
                None => (f64::NAN, 0, false),
            };
            Row {
                mql: hours_since(origin, l.mql_at[i]),
                score: l.score.get(i).unwrap_or(f64::NAN),
                handed: l.handed_over(i),
                first_start,
                dials,
                reached,
                sql: hs(sql),
                won: hs(l.won_at.get(i)),
                amount: l.amount.get(i).unwrap_or(0.0),
                exit: if sql.is_some() {
                    f64::NAN
                } else {
                    hours_since(origin, exit_time(l, calls, i))
                },
                purchased: if sql.is_some() {
                    f64::NAN
                } else {
                    hs(l.purchased_at.get(i))
                },
                purchase_amount: l.purchase_amount.get(i).unwrap_or(0.0),
            }
        })
        .collect()
}

/// The rows of a simulated replication as the CRM would show them at `as_of` hours.
pub fn simulated_rows(c: &Compiled, h: &SimHistory, as_of: f64) -> Vec<Row> {
    let mut rows: Vec<Row> = h
        .leads
        .iter()
        .map(|l| Row {
            mql: l.arrival,
            score: l.score,
            handed: l.pool.is_some(),
            first_start: f64::NAN,
            dials: 0,
            reached: false,
            sql: f64::NAN,
            won: f64::NAN,
            amount: 0.0,
            exit: f64::NAN,
            purchased: f64::NAN,
            purchase_amount: 0.0,
        })
        .collect();
    let mut last_end = vec![f64::NAN; rows.len()];
    for a in &h.attempts {
        if a.end > as_of {
            continue;
        }
        let r = &mut rows[a.lead as usize];
        if r.first_start.is_nan() {
            r.first_start = a.start;
        }
        r.dials += 1;
        r.reached |= a.reached;
        last_end[a.lead as usize] = a.end;
    }
    let visible = |t: f64| if t <= as_of { t } else { f64::NAN };
    for (i, (r, l)) in rows.iter_mut().zip(&h.leads).enumerate() {
        let mut entry = f64::NAN;
        match l.exit.filter(|(t, _)| *t <= as_of) {
            Some((t, Outcome::Sql)) => {
                r.sql = t;
                r.amount = l.value;
                let sale = c.sales_outcome(l.key, t);
                if sale.won {
                    r.won = visible(sale.closes_at);
                }
            }
            Some((t, Outcome::Rejected)) => entry = t,
            _ if !r.handed => entry = l.arrival,
            // Unreached, cold or still in the call process: the export's own rule
            // (`nurture::exit_time`): the last call's end, else the handover.
            _ => {
                entry = if last_end[i].is_nan() {
                    l.arrival
                } else {
                    last_end[i]
                }
            }
        }
        if r.sql.is_nan() {
            r.exit = entry;
            let d = c.nurture_outcome(l.key, l.propensity);
            if d.buys && !entry.is_nan() {
                r.purchased = visible(entry + d.months * crate::history::time::MONTH_DAYS * 24.0);
                if !r.purchased.is_nan() {
                    r.purchase_amount = l.value;
                }
            }
        }
    }
    rows.retain(|r| r.mql <= as_of);
    rows
}

/// One measured metric: its value and, where the data give one, its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Value (NaN when its window is empty).
    pub value: f64,
    /// Interval of the observed value.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// Upper score edges of the ten deciles of the observed scores (empty without scores).
pub fn decile_edges(rows: &[Row]) -> Vec<f64> {
    let mut s: Vec<f64> = rows
        .iter()
        .map(|r| r.score)
        .filter(|s| !s.is_nan())
        .collect();
    if s.len() < 10 {
        return Vec::new();
    }
    s.sort_by(f64::total_cmp);
    (1..10)
        .map(|k| crate::stats::quantile_sorted(&s, k as f64 / 10.0))
        .collect()
}

fn decile(edges: &[f64], s: f64) -> usize {
    edges.iter().take_while(|&&e| s > e).count()
}

/// The metrics' names, in order, for a history with or without scores.
pub fn metric_names(with_deciles: bool) -> Vec<String> {
    let mut v: Vec<String> = [
        "mqls",
        "handed_over",
        "dials_per_lead",
        "contact_rate",
        "response_p50_h",
        "response_p90_h",
        "mql_to_sql",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if with_deciles {
        v.extend((1..=10).map(|k| format!("mql_to_sql_decile_{k}")));
    }
    v.extend(
        [
            "won_12m",
            "won_revenue_12m",
            "recovered_deals_12m",
            "recovered_revenue_12m",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    v
}

fn rate(k: u64, n: u64) -> Measured {
    if n == 0 {
        return Measured {
            value: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    let (lo, hi) = wilson(k as f64, n as f64);
    Measured {
        value: k as f64 / n as f64,
        lo,
        hi,
    }
}

fn sum(values: impl Iterator<Item = f64>, observed: bool) -> Measured {
    let (mut s, mut s2, mut n) = (0.0, 0.0, 0u64);
    for v in values {
        s += v;
        s2 += v * v;
        n += 1;
    }
    if !observed {
        return Measured {
            value: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    let _ = n;
    let half = Z95 * s2.sqrt();
    Measured {
        value: s,
        lo: (s - half).max(0.0),
        hi: s + half,
    }
}

fn percentile(mut x: Vec<f64>, p: f64) -> Measured {
    if x.is_empty() {
        return Measured {
            value: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    let half = Z95 * (n * p * (1.0 - p)).sqrt();
    let at = |r: f64| x[(r.max(0.0) as usize).min(x.len() - 1)];
    Measured {
        value: crate::stats::quantile_sorted(&x, p),
        lo: at((n * p - half).floor()),
        hi: at((n * p + half).ceil()),
    }
}

/// Every metric of [`metric_names`] on `rows` at export date `as_of` (hours).
pub fn measure(rows: &[Row], as_of: f64, edges: &[f64]) -> Vec<Measured> {
    let mut out = Vec::new();
    let n = rows.len() as f64;
    let count = |v: f64| Measured {
        value: v,
        lo: (v - Z95 * v.sqrt()).max(0.0),
        hi: v + Z95 * v.sqrt(),
    };
    out.push(count(n));
    out.push(count(rows.iter().filter(|r| r.handed).count() as f64));
    let done: Vec<&Row> = rows
        .iter()
        .filter(|r| r.mql + PROCESS_DAYS * 24.0 <= as_of)
        .collect();
    let called: Vec<&&Row> = done.iter().filter(|r| r.handed).collect();
    let dials: Vec<f64> = called.iter().map(|r| f64::from(r.dials)).collect();
    out.push(match Interval::of(dials.iter().copied()) {
        i if i.n >= 2 => {
            let half = Z95 * i.sd / (i.n as f64).sqrt();
            Measured {
                value: i.mean,
                lo: i.mean - half,
                hi: i.mean + half,
            }
        }
        i => Measured {
            value: i.mean,
            lo: f64::NAN,
            hi: f64::NAN,
        },
    });
    let total_dials: u64 = called.iter().map(|r| u64::from(r.dials)).sum();
    let reached = called.iter().filter(|r| r.reached).count() as u64;
    out.push(rate(reached, total_dials));
    let response: Vec<f64> = called
        .iter()
        .filter(|r| !r.first_start.is_nan())
        .map(|r| r.first_start - r.mql)
        .collect();
    out.push(percentile(response.clone(), 0.5));
    out.push(percentile(response, 0.9));
    let sqls = done.iter().filter(|r| !r.sql.is_nan()).count() as u64;
    out.push(rate(sqls, done.len() as u64));
    if !edges.is_empty() {
        let mut k = [0u64; 10];
        let mut m = [0u64; 10];
        for r in done.iter().filter(|r| !r.score.is_nan()) {
            let d = decile(edges, r.score);
            m[d] += 1;
            k[d] += u64::from(!r.sql.is_nan());
        }
        for d in 0..10 {
            out.push(rate(k[d], m[d]));
        }
    }
    let year: Vec<&Row> = rows.iter().filter(|r| r.mql + YEAR_H <= as_of).collect();
    let won = || {
        year.iter()
            .filter(|r| !r.won.is_nan() && r.won - r.mql <= YEAR_H)
    };
    out.push(sum(won().map(|_| 1.0), !year.is_empty()));
    out.push(sum(won().map(|r| r.amount), !year.is_empty()));
    let nurtured: Vec<&Row> = rows
        .iter()
        .filter(|r| r.sql.is_nan() && !r.exit.is_nan() && r.exit + NURTURE_YEAR_H <= as_of)
        .collect();
    let rec = || {
        nurtured
            .iter()
            .filter(|r| !r.purchased.is_nan() && r.purchased - r.exit <= NURTURE_YEAR_H)
    };
    out.push(sum(rec().map(|_| 1.0), !nurtured.is_empty()));
    out.push(sum(rec().map(|r| r.purchase_amount), !nurtured.is_empty()));
    out
}

/// How simulated arrivals are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalMode {
    /// At the export's own MQL times.
    Replay,
    /// Drawn at the scenario's rate and profiles.
    Fitted,
}

/// One row of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestRow {
    /// Metric name.
    pub metric: String,
    /// Observed value.
    pub observed: f64,
    /// Its interval (NaN where none).
    pub observed_lo: f64,
    /// Upper end.
    pub observed_hi: f64,
    /// Mean over replications.
    pub simulated_mean: f64,
    /// Student t 95% interval of the mean.
    pub simulated_lo: f64,
    /// Upper end.
    pub simulated_hi: f64,
    /// `inside` or `outside`.
    pub verdict: String,
}

/// A metric left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Metric name.
    pub metric: String,
    /// Why.
    pub reason: String,
}

/// A back-test's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    /// The scenario simulated (its baseline).
    pub scenario: String,
    /// Arrival mode.
    pub arrivals: ArrivalMode,
    /// Replications.
    pub replications: usize,
    /// Seed.
    pub seed: u64,
    /// The export date.
    pub as_of: String,
    /// Days with simulated arrivals (from the run's origin to the day of the last MQL).
    pub days: u32,
    /// Every metric with an observed window.
    pub rows: Vec<BacktestRow>,
    /// Metrics without one.
    pub skipped: Vec<Skipped>,
}

impl Backtest {
    /// Metrics outside.
    pub fn outside(&self) -> Vec<&BacktestRow> {
        self.rows
            .iter()
            .filter(|r| r.verdict == "outside")
            .collect()
    }
}

/// The scenario as back-tested: arrivals over the export's period, no warm-up (every lead
/// arriving is recorded, as the CRM records it).
pub fn backtest_scenario(base: &Scenario, days: u32) -> Scenario {
    let mut sc = base.clone();
    sc.arrivals.arrival_days = days.max(1);
    sc.arrivals.warmup_days = 0;
    sc.arrivals.replay = None;
    sc
}

/// Back-tests `base` (a scenario's baseline) against the export `h`.
pub fn backtest(
    h: &History,
    base: &Scenario,
    arrivals: ArrivalMode,
    seed: u64,
    replications: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Backtest {
    let observed = observed_rows(h);
    let origin = run_origin(h);
    let as_of = hours_since(origin, h.as_of);
    // Arrivals over the export's MQLs: to the end of the day of its last one (an export
    // whose arrivals stopped before its export date is simulated so too).
    let last = observed.iter().map(|r| r.mql).fold(0.0, f64::max);
    let days = (last / 24.0).floor() as u32 + 1;
    let sc = backtest_scenario(base, days);
    let compiled = Compiled::new(&sc);
    let mut times: Vec<f64> = observed.iter().map(|r| r.mql).collect();
    times.sort_by(f64::total_cmp);
    let edges = decile_edges(&observed);
    let obs = measure(&observed, as_of, &edges);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let sims: Vec<Vec<Measured>> = (0..replications)
        .into_par_iter()
        .map(|r| {
            let fixed = (arrivals == ArrivalMode::Replay).then_some(times.as_slice());
            let (hist, _) = SimHistory::record(&compiled, seed, r as u64, fixed);
            let rows = simulated_rows(&compiled, &hist, as_of);
            let m = measure(&rows, as_of, &edges);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(d, replications);
            m
        })
        .collect();
    let names = metric_names(!edges.is_empty());
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (m, name) in names.iter().enumerate() {
        let o = obs[m];
        if o.value.is_nan() {
            skipped.push(Skipped {
                metric: name.clone(),
                reason: skip_reason(name),
            });
            continue;
        }
        let s = Interval::of(sims.iter().map(|v| v[m].value));
        let (olo, ohi) = if o.lo.is_nan() {
            (o.value, o.value)
        } else {
            (o.lo, o.hi)
        };
        // A simulated interval of zero width (every replication alike, as MQLs under replay)
        // still has the form [mean, mean].
        let (slo, shi) = if s.ci_low.is_nan() {
            (s.mean, s.mean)
        } else {
            (s.ci_low, s.ci_high)
        };
        let inside = olo <= shi + 1e-9 * shi.abs() && slo <= ohi + 1e-9 * ohi.abs();
        rows.push(BacktestRow {
            metric: name.clone(),
            observed: o.value,
            observed_lo: o.lo,
            observed_hi: o.hi,
            simulated_mean: s.mean,
            simulated_lo: slo,
            simulated_hi: shi,
            verdict: if inside { "inside" } else { "outside" }.into(),
        });
    }
    Backtest {
        scenario: base.name.clone(),
        arrivals,
        replications,
        seed,
        as_of: h.zone.format(h.as_of),
        days,
        rows,
        skipped,
    }
}

fn skip_reason(name: &str) -> String {
    if name.contains("12m") {
        "the export observes no full 12-month window (no MQL or nurture entry 365 days before \
         the export date)"
            .into()
    } else if name.contains("decile") {
        "no scored lead in this decile whose call process is over".into()
    } else {
        format!(
            "no lead whose call process is over ({PROCESS_DAYS:.0} days before the export date), \
             or no attempts table"
        )
    }
}

/// The comparison as CSV (`metric, observed, observed_lo, observed_hi, simulated_mean,
/// simulated_lo, simulated_hi, verdict`), empty fields where there is no interval.
pub fn to_csv(b: &Backtest) -> String {
    let f = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            format!("{x}")
        }
    };
    let mut s = String::from(
        "metric,observed,observed_lo,observed_hi,simulated_mean,simulated_lo,simulated_hi,verdict\n",
    );
    for r in &b.rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            r.metric,
            f(r.observed),
            f(r.observed_lo),
            f(r.observed_hi),
            f(r.simulated_mean),
            f(r.simulated_lo),
            f(r.simulated_hi),
            r.verdict
        ));
    }
    s
}
