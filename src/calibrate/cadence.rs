//! Cadence: the gap between attempts by attempt number (median, with its distribution-free
//! interval) and the attempt cap in use.

use serde::Serialize;

use crate::calibrate::defaults;
use crate::calibrate::estimate::Estimate;
use crate::history::attempts::{AttemptsDigest, LeadCalls};
use crate::history::digest::LogHistogram;
use crate::history::time::{Instant, DAY};

/// Fewest gaps for a median.
pub const MIN_GAPS: u64 = 20;
/// Fewest finished unreached leads for the cap.
pub const MIN_FINISHED: u64 = 20;
/// An unreached lead counts as finished when its last attempt ended this long before the
/// export date (longer than any default gap).
pub const FINISHED_AFTER_DAYS: i64 = 14;

/// What the export says about the cadence.
#[derive(Debug, Clone, Serialize)]
pub struct Cadence {
    /// Hours from the end of attempt k to the start of attempt k + 1, for k = 1 .. cap - 1.
    pub gaps: Vec<Estimate>,
    /// The attempt cap.
    pub max_attempts: Estimate,
    /// Finished unreached leads by number of attempts (index = attempts - 1).
    pub attempts_of_unreached: Vec<u64>,
    /// The observed gaps' [`LogHistogram::central_mean`] per attempt (`None`: no gap), the
    /// statistic [`crate::calibrate::waiting`] matches by simulation.
    pub central_hours: Vec<Option<f64>>,
}

/// Estimates the cadence from the attempts digest.
pub fn estimate(attempts: &AttemptsDigest, as_of: Instant) -> Cadence {
    let calls: &LeadCalls = &attempts.leads;
    let cutoff = as_of - FINISHED_AFTER_DAYS * DAY;
    let mut hist: Vec<u64> = Vec::new();
    for i in 0..calls.count.len() {
        let n = calls.count[i] as usize;
        if n == 0 || calls.first_contact[i] != 0 || calls.last_end[i] > cutoff {
            continue;
        }
        if hist.len() < n {
            hist.resize(n, 0);
        }
        hist[n - 1] += 1;
    }
    let finished: u64 = hist.iter().sum();
    let max_attempts = if finished < MIN_FINISHED {
        Estimate::default_value(
            defaults::MAX_ATTEMPTS as f64,
            finished,
            format!(
                "{finished} unreached leads whose attempts ended {FINISHED_AFTER_DAYS} days \
                 before the export date, fewer than {MIN_FINISHED}"
            ),
        )
    } else {
        let (mode, &count) = hist
            .iter()
            .enumerate()
            .max_by_key(|&(k, &c)| (c, k))
            .expect("non-empty");
        Estimate::point(
            (mode + 1) as f64,
            finished,
            "the most common number of attempts among unreached leads whose attempts ended \
             14 days before the export date",
        )
        .with_note(format!(
            "{:.0}% of those leads got exactly {} attempts; the most any got is {}",
            100.0 * count as f64 / finished as f64,
            mode + 1,
            hist.len()
        ))
    };
    let cap = max_attempts.value as usize;
    let mut merged: Vec<LogHistogram> = Vec::new();
    for pool in &attempts.pools {
        for (k, h) in pool.gaps.iter().enumerate() {
            if merged.len() <= k {
                merged.resize(k + 1, LogHistogram::new());
            }
            merged[k].merge(h);
        }
    }
    let gaps = (0..cap.saturating_sub(1))
        .map(|k| {
            let default = defaults::GAP_HOURS[k.min(defaults::GAP_HOURS.len() - 1)];
            match merged.get(k) {
                Some(h) if h.len() >= MIN_GAPS => {
                    let (m, lo, hi) = h.median_interval();
                    Estimate::estimated(
                        m,
                        (lo, hi),
                        h.len(),
                        "median hours from the end of this attempt to the start of the next \
                         (queue and off-shift waiting included); order-statistic interval",
                    )
                }
                other => Estimate::default_value(
                    default,
                    other.map_or(0, LogHistogram::len),
                    format!("fewer than {MIN_GAPS} gaps after attempt {}", k + 1),
                ),
            }
        })
        .collect();
    let central_hours = (0..cap.saturating_sub(1))
        .map(|k| {
            merged
                .get(k)
                .filter(|h| h.len() >= MIN_GAPS)
                .map(LogHistogram::central_mean)
        })
        .collect();
    Cadence {
        gaps,
        max_attempts,
        attempts_of_unreached: hist,
        central_hours,
    }
}
