//! Synthetic history exports whose every knob is known, for parameter-recovery tests and the
//! calibration bench. This is test support, not the simulator: calls happen when they fall due
//! (pushed into working hours, no queueing), so that each estimator's true value is a plain
//! parameter here.
//!
//! The process, per lead: arrivals Poisson per day (weekday profile, uniform within the day);
//! score ~ Beta; handed over when the score reaches `threshold`; contactable with probability
//! `contactable`; attempt 1 starts `LogNormal(response)` hours after arrival, attempt `k + 1`
//! `gap[k] * LogNormal(0, gap_sigma)` hours after attempt `k` ends; a contactable lead is
//! reached on attempt `k` with probability `reach[k]` (the last value repeats); calls last
//! handling (+ talk when answered) minutes, both lognormal; a reached lead becomes an SQL
//! with probability `sigmoid(a + b logit(s) + c[bin of the delay])`; an SQL is won with
//! probability `win_rate` after a lognormal cycle (else lost after a lognormal time), both
//! censored at `as_of`; a non-SQL buys with probability `rho` at a Weibull time after its exit.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, LogNormal, Poisson, StandardNormal, Weibull};

use crate::error::{Error, Result};
use crate::history::time::{civil_from_days, days_from_civil, DAY, HOUR, MONTH_DAYS};

/// The known truth of a synthetic export.
#[derive(Debug, Clone)]
pub struct SynthParams {
    /// First day (a Monday keeps weekdays simple): year, month, day, UTC.
    pub start: (i32, u32, u32),
    /// Days with arrivals.
    pub arrival_days: u32,
    /// Mean arrivals per day before the weekday profile.
    pub rate_per_day: f64,
    /// Multipliers per weekday, Monday first (zeros at weekends: a business calendar).
    pub weekday_profile: [f64; 7],
    /// Score distribution Beta(a, b).
    pub score_beta: (f64, f64),
    /// Handed over when `score >= threshold`.
    pub threshold: f64,
    /// Share of handed-over leads that can be reached at all.
    pub contactable: f64,
    /// Reach on attempt k (the last value holds for later attempts).
    pub reach: Vec<f64>,
    /// Attempt cap.
    pub max_attempts: usize,
    /// Median gap after attempt k, hours.
    pub gap_hours: Vec<f64>,
    /// Log-scale spread of the gaps.
    pub gap_sigma: f64,
    /// Median hours from arrival to attempt 1, and its log-scale spread.
    pub response: (f64, f64),
    /// Reps in the pool.
    pub reps: u32,
    /// Working hours `(start, end, days)`; `None` = around the clock.
    pub hours: Option<(f64, f64, [bool; 7])>,
    /// Unanswered call length: mean and cv (minutes).
    pub handling: (f64, f64),
    /// Extra length of an answered call: mean and cv (minutes).
    pub talk: (f64, f64),
    /// Qualification: intercept, coefficient on logit(score).
    pub qualify: (f64, f64),
    /// Delay bins (hours; lower edges, the first 0) and the log-odds effect of each against
    /// the first (the first effect is 0).
    pub delay_bins: Vec<f64>,
    /// Log-odds effect per delay bin.
    pub delay_effects: Vec<f64>,
    /// SQL to won.
    pub win_rate: f64,
    /// Sales cycle: median days and sigma.
    pub cycle: (f64, f64),
    /// Whether lost deals get a `lost_at` (else they stay open forever).
    pub record_lost: bool,
    /// Deal value: median and sigma.
    pub deal: (f64, f64),
    /// Share of nurtured leads that buy from us (`pi * share`).
    pub rho: f64,
    /// Weibull time to purchase: scale (months), shape.
    pub purchase: (f64, f64),
    /// Export date, days after `start`.
    pub as_of_days: f64,
    /// Write the lead table's score column.
    pub with_score: bool,
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            start: (2026, 1, 5),
            arrival_days: 182,
            rate_per_day: 110.0,
            weekday_profile: [1.2, 1.1, 1.0, 0.9, 0.8, 0.0, 0.0],
            score_beta: (2.0, 5.0),
            threshold: 0.0,
            contactable: 0.6,
            reach: vec![0.39, 0.54, 0.39, 0.29, 0.25],
            max_attempts: 6,
            gap_hours: vec![1.0, 24.0, 48.0, 96.0, 168.0],
            gap_sigma: 0.3,
            response: (2.0, 1.5),
            reps: 8,
            hours: None,
            handling: (8.0, 0.5),
            talk: (20.0, 0.5),
            qualify: (-0.8, 1.0),
            delay_bins: vec![0.0, 5.0 / 60.0, 0.5, 2.0, 8.0, 24.0, 72.0],
            delay_effects: vec![0.0, -0.2, -0.4, -0.6, -0.8, -1.0, -1.2],
            win_rate: 0.25,
            cycle: (60.0, 0.6),
            record_lost: true,
            deal: (25_000.0, 1.0),
            rho: 0.093,
            purchase: (9.8, 1.26),
            as_of_days: 182.0 + 300.0,
            with_score: true,
        }
    }
}

/// What a generated export holds, beyond its parameters.
#[derive(Debug, Clone)]
pub struct SynthExport {
    /// The leads table.
    pub leads: PathBuf,
    /// The attempts table.
    pub attempts: PathBuf,
    /// The export date as written for `as_of`.
    pub as_of: String,
    /// Number of leads.
    pub lead_count: usize,
    /// Number of attempts.
    pub attempt_count: usize,
    /// The true speed-to-lead multiplier of each delay bin: the mean qualification probability
    /// of the reached leads had they all been reached in that bin, over the same for the first
    /// bin (the estimator's standardised ratio, evaluated at the true coefficients).
    pub speed_to_lead: Vec<f64>,
    /// Reached leads per delay bin.
    pub reached_per_bin: Vec<usize>,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn lognormal_mean_cv(mean: f64, cv: f64) -> LogNormal<f64> {
    let s2 = (1.0 + cv * cv).ln();
    LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt()).expect("valid lognormal")
}

fn write_time(out: &mut Vec<u8>, t: i64) {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    );
}

/// Moves a time into the next working period (plus a few minutes, as reps pick up the queue).
fn into_hours(t: i64, hours: &Option<(f64, f64, [bool; 7])>, rng: &mut ChaCha8Rng) -> i64 {
    let Some((start, end, days)) = hours else {
        return t;
    };
    let (s, e) = ((start * 3600.0) as i64, (end * 3600.0) as i64);
    let mut day = t.div_euclid(DAY);
    let sod = t.rem_euclid(DAY);
    let wd = |d: i64| (d + 3).rem_euclid(7) as usize;
    if days[wd(day)] && sod >= s && sod < e {
        return t;
    }
    if !(days[wd(day)] && sod < s) {
        day += 1;
        while !days[wd(day)] {
            day += 1;
        }
    }
    let jitter = (rng.gen::<f64>() * 20.0 * 60.0) as i64;
    day * DAY + s + jitter
}

/// Writes `leads.csv` and `attempts.csv` into `dir` (`.csv.gz` when `gzip`).
///
/// # Errors
/// [`Error::Io`] when the files cannot be written; [`Error::InvalidParameter`] for
/// parameters that do not fit together (bins and effects of different lengths).
pub fn write_export(dir: &Path, p: &SynthParams, seed: u64, gzip: bool) -> Result<SynthExport> {
    if p.delay_bins.len() != p.delay_effects.len() || p.reach.is_empty() {
        return Err(Error::InvalidParameter {
            name: "delay_effects".into(),
            value: p.delay_effects.len().to_string(),
            reason: "one effect per delay bin, and at least one reach value".into(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let ext = if gzip { "csv.gz" } else { "csv" };
    let leads_path = dir.join(format!("leads.{ext}"));
    let attempts_path = dir.join(format!("attempts.{ext}"));
    let open = |path: &Path| -> Result<Box<dyn Write>> {
        let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        let w = std::io::BufWriter::with_capacity(1 << 20, f);
        Ok(if gzip {
            Box::new(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::fast(),
            ))
        } else {
            Box::new(w)
        })
    };
    let mut leads_out = open(&leads_path)?;
    let mut calls_out = open(&attempts_path)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e| Error::io(path, e)
    };
    leads_out
        .write_all(if p.with_score {
            b"lead_id,mql_at,score,handed_over_at,pool,sql_at,disqualified_at,won_at,lost_at,amount,purchased_at,purchase_amount\n"
        } else {
            b"lead_id,mql_at,handed_over_at,pool,sql_at,disqualified_at,won_at,lost_at,amount,purchased_at,purchase_amount\n"
        })
        .map_err(io(&leads_path))?;
    calls_out
        .write_all(b"lead_id,started_at,duration_minutes,rep,connected\n")
        .map_err(io(&attempts_path))?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let t0 = days_from_civil(p.start.0, p.start.1, p.start.2) * DAY;
    let as_of = t0 + (p.as_of_days * DAY as f64) as i64;
    let beta = Beta::new(p.score_beta.0, p.score_beta.1).expect("valid beta");
    let handling = lognormal_mean_cv(p.handling.0, p.handling.1);
    let talk = lognormal_mean_cv(p.talk.0, p.talk.1);
    let response = LogNormal::new(p.response.0.ln(), p.response.1).expect("valid lognormal");
    let cycle = LogNormal::new(p.cycle.0.ln(), p.cycle.1).expect("valid lognormal");
    let lost = LogNormal::new(30f64.ln(), 1.0).expect("valid lognormal");
    let deal = LogNormal::new(p.deal.0.ln(), p.deal.1).expect("valid lognormal");
    let purchase = Weibull::new(p.purchase.0, p.purchase.1).expect("valid weibull");
    let bins = p.delay_bins.len();
    let mut g_sum = vec![0.0; bins];
    let mut reached_per_bin = vec![0usize; bins];
    let mut lead_count = 0usize;
    let mut attempt_count = 0usize;
    let mut line = Vec::with_capacity(256);
    let mut calls = Vec::with_capacity(4096);

    for day in 0..p.arrival_days as i64 {
        let rate = p.rate_per_day * p.weekday_profile[(day % 7) as usize];
        let n = if rate > 0.0 {
            Poisson::new(rate).expect("positive rate").sample(&mut rng) as usize
        } else {
            0
        };
        let mut times: Vec<i64> = (0..n)
            .map(|_| t0 + day * DAY + (rng.gen::<f64>() * DAY as f64) as i64)
            .collect();
        times.sort_unstable();
        for a in times {
            let id = lead_count;
            lead_count += 1;
            let s: f64 = beta.sample(&mut rng).clamp(1e-6, 1.0 - 1e-6);
            let handed = s >= p.threshold;
            let mut sql_at = None;
            let mut disq_at = None;
            let mut exit = if handed { None } else { Some(a) };
            if handed {
                let contactable = rng.gen::<f64>() < p.contactable;
                let mut due = a + (response.sample(&mut rng) * HOUR as f64) as i64;
                let mut completed = true;
                for k in 0..p.max_attempts {
                    let start = into_hours(due, &p.hours, &mut rng);
                    let reach = p.reach[k.min(p.reach.len() - 1)];
                    let reached = contactable && rng.gen::<f64>() < reach;
                    let mut minutes = handling.sample(&mut rng);
                    if reached {
                        minutes += talk.sample(&mut rng);
                    }
                    let end = start + (minutes * 60.0).round() as i64;
                    if end > as_of {
                        completed = false;
                        break;
                    }
                    let rep = rng.gen_range(0..p.reps);
                    attempt_count += 1;
                    calls.clear();
                    let _ = write!(calls, "L{id:07},");
                    write_time(&mut calls, start);
                    let _ = writeln!(
                        calls,
                        ",{minutes:.2},rep{rep:02},{}",
                        if reached { "yes" } else { "no" }
                    );
                    calls_out.write_all(&calls).map_err(io(&attempts_path))?;
                    if reached {
                        let delay = (start - a) as f64 / HOUR as f64;
                        let b = p
                            .delay_bins
                            .iter()
                            .rposition(|&lo| delay >= lo)
                            .unwrap_or(0);
                        let eta = p.qualify.0 + p.qualify.1 * (s / (1.0 - s)).ln();
                        for (j, sum) in g_sum.iter_mut().enumerate() {
                            *sum += sigmoid(eta + p.delay_effects[j]);
                        }
                        reached_per_bin[b] += 1;
                        if rng.gen::<f64>() < sigmoid(eta + p.delay_effects[b]) {
                            sql_at = Some(end);
                        } else {
                            disq_at = Some(end);
                            exit = Some(end);
                        }
                        break;
                    }
                    exit = Some(end);
                    if k + 1 < p.max_attempts {
                        let gap = p.gap_hours[k.min(p.gap_hours.len() - 1)]
                            * (p.gap_sigma * rng.sample::<f64, _>(StandardNormal)).exp();
                        due = end + (gap * HOUR as f64) as i64;
                    }
                }
                if !completed && sql_at.is_none() && disq_at.is_none() {
                    // Still being worked at the export date: not in nurture yet.
                    exit = None;
                }
            }
            let (mut won_at, mut lost_at, mut amount) = (None, None, None);
            if let Some(sq) = sql_at {
                amount = Some(deal.sample(&mut rng));
                if rng.gen::<f64>() < p.win_rate {
                    let t = sq + (cycle.sample(&mut rng) * DAY as f64) as i64;
                    won_at = Some(t).filter(|&t| t <= as_of);
                } else if p.record_lost {
                    let t = sq + (lost.sample(&mut rng) * DAY as f64) as i64;
                    lost_at = Some(t).filter(|&t| t <= as_of);
                }
            }
            let (mut purchased_at, mut purchase_amount) = (None, None);
            if let Some(x) = exit {
                if rng.gen::<f64>() < p.rho {
                    let months: f64 = purchase.sample(&mut rng);
                    let t = x + (months * MONTH_DAYS * DAY as f64) as i64;
                    if t <= as_of {
                        purchased_at = Some(t);
                        purchase_amount = Some(deal.sample(&mut rng));
                    }
                }
            }
            line.clear();
            let _ = write!(line, "L{id:07},");
            write_time(&mut line, a);
            if p.with_score {
                let _ = write!(line, ",{s:.6}");
            }
            line.push(b',');
            if handed {
                write_time(&mut line, a);
            }
            line.extend_from_slice(b",sdr");
            for t in [sql_at, disq_at, won_at, lost_at] {
                line.push(b',');
                if let Some(t) = t {
                    write_time(&mut line, t);
                }
            }
            line.push(b',');
            if let Some(v) = amount {
                let _ = write!(line, "{v:.2}");
            }
            line.push(b',');
            if let Some(t) = purchased_at {
                write_time(&mut line, t);
            }
            line.push(b',');
            if let Some(v) = purchase_amount {
                let _ = write!(line, "{v:.2}");
            }
            line.push(b'\n');
            leads_out.write_all(&line).map_err(io(&leads_path))?;
        }
    }
    leads_out.flush().map_err(io(&leads_path))?;
    calls_out.flush().map_err(io(&attempts_path))?;
    drop(leads_out);
    drop(calls_out);
    let speed_to_lead = g_sum.iter().map(|g| g / g_sum[0]).collect();
    let (y, m, d) = civil_from_days(as_of.div_euclid(DAY));
    let sod = as_of.rem_euclid(DAY);
    Ok(SynthExport {
        leads: leads_path,
        attempts: attempts_path,
        as_of: format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            sod / 3600,
            (sod / 60) % 60,
            sod % 60
        ),
        lead_count,
        attempt_count,
        speed_to_lead,
        reached_per_bin,
    })
}
