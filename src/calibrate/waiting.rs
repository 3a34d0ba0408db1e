//! Cadence gaps net of waiting. An export's gap from the end of attempt k to the start of
//! attempt k + 1 is the cadence's delay plus the time the due retry waited for a free rep and
//! for the next shift; the simulator adds that waiting itself (docs/model.md section 2.3), so a
//! scenario given the observed gaps would wait twice. The waiting depends on the whole process
//! (load, shifts, the other retries), so it is found by simulation: run the calibrated
//! process, measure its gaps as the export measures them, and move each scenario gap by the
//! difference between the observed and the simulated gaps until they agree (indirect
//! inference, by bisection). The statistic matched is the mean of the gaps between their 5th and 95th percentiles
//! ([`LogHistogram::central_mean`]), not the median: a median jumps when a share of retries is
//! pushed past the end of a shift, and the rounds would not settle.

use crate::calibrate::cadence::Cadence;
use crate::calibrate::estimate::Estimate;
use crate::history::digest::LogHistogram;
use crate::history::record::SimHistory;
use crate::sim::engine::Compiled;
use crate::sim::model::ScenarioFile;

/// Leads simulated per round, whatever the export's size: enough for every attempt's gap
/// statistic to a few minutes, few enough that a million-lead export pays a fraction of a
/// second.
pub const LEADS: f64 = 40_000.0;
/// Bisection rounds: the netted gap is found to 1/512 of the observed median (20 minutes of a
/// week's gap).
pub const ROUNDS: usize = 9;
/// How close (relative to the observed statistic, at least one hour) the simulated statistic
/// must come for the netted gap to count as found; beyond, the export cannot tell the gap.
pub const AGREEMENT: f64 = 0.05;
/// Most replications of a short export's period per round.
pub const MAX_REPLICATIONS: u64 = 8;

/// The cadence with every estimated gap netted of the waiting the simulated process adds, and
/// the simulated statistic with the netted gaps, or `None` when no gap was estimated (nothing
/// to correct) or the scenario has fewer gaps than the cadence.
pub fn net_of_waiting(
    file: &ScenarioFile,
    cadence: &Cadence,
    seed: u64,
) -> Option<(Cadence, Vec<f64>)> {
    let observed = &cadence.central_hours;
    let estimated: Vec<usize> = (0..cadence.gaps.len().min(observed.len()))
        .filter(|&k| cadence.gaps[k].is_estimated() && observed[k].is_some())
        .collect();
    if estimated.is_empty() {
        return None;
    }
    let mut sc = file.scenarios[0].clone();
    // The export's own period (a queue that started empty has not settled in a short export,
    // and a longer run would wait more than the export did), repeated until about LEADS leads
    // are simulated: the queue's waiting drifts slowly, so one period alone is noisy. A long
    // export is cut to LEADS leads.
    let per_day = sc.arrivals.rate_per_day.max(1e-9);
    let days = sc.arrivals.arrival_days.max(1);
    sc.arrivals.arrival_days = days.min(((LEADS / per_day).ceil() as u32).max(1));
    sc.arrivals.replay = None;
    let per_replication = per_day * f64::from(sc.arrivals.arrival_days);
    let replications = ((LEADS / per_replication).ceil() as u64).clamp(1, MAX_REPLICATIONS);
    if sc.policy.gap_hours.len() < observed.len() {
        return None;
    }
    // Bisection on [0, observed median] per gap, all gaps in one simulation per round. Waiting
    // only delays a retry, so the netted gap is below the observed median; the statistic rises
    // with the gap but not at a steady rate (by far more than the gap's change where retries
    // are pushed past a shift's end), so a step of the observed difference could overshoot.
    let mut bracket: Vec<(f64, f64)> = cadence.gaps.iter().map(|e| (0.0, e.value)).collect();
    let mut simulated = vec![None; observed.len()];
    for _ in 0..ROUNDS {
        for &k in &estimated {
            sc.policy.gap_hours[k] = 0.5 * (bracket[k].0 + bracket[k].1);
        }
        simulated = simulated_central_gaps(&sc, seed, replications, observed.len());
        for &k in &estimated {
            if let (Some(s), Some(o)) = (simulated[k], observed[k]) {
                let mid = sc.policy.gap_hours[k];
                if s > o {
                    bracket[k].1 = mid;
                } else {
                    bracket[k].0 = mid;
                }
            }
        }
    }
    for &k in &estimated {
        sc.policy.gap_hours[k] = 0.5 * (bracket[k].0 + bracket[k].1);
    }
    let mut out = cadence.clone();
    for &k in &estimated {
        let e = &cadence.gaps[k];
        let value = sc.policy.gap_hours[k];
        let o = observed[k].unwrap_or(f64::NAN);
        let found = simulated[k].is_some_and(|s| (s - o).abs() <= AGREEMENT * o.max(1.0));
        let seen = format!(
            "median {:.4} h; mean between the 5th and 95th percentiles {o:.4} h in the export, {} \
             simulated in the last of {ROUNDS} rounds of bisection",
            e.value,
            simulated[k].map_or("not observed".into(), |s| format!("{s:.4} h"))
        );
        out.gaps[k] = if found {
            let shift = value - e.value;
            let moved = |x: Option<f64>| x.map(|v| (v + shift).max(0.0));
            Estimate {
                value,
                lo: moved(e.lo),
                hi: moved(e.hi),
                method: format!(
                    "hours from the end of this attempt to the start of the next, net of the \
                     waiting for a rep and for the next shift: the gap at which a simulation of \
                     this process shows the export's gaps ({seen}); the median's \
                     order-statistic interval moved by the same amount"
                ),
                ..e.clone()
            }
        } else {
            // No gap reproduces the export: the simulated gaps jump across the observed ones
            // (a small change of a short gap moves many retries past a shift's end, to the next
            // morning). All the export then says is that the gap is at most the median.
            Estimate {
                value,
                lo: Some(0.0),
                hi: Some(e.value),
                method: format!(
                    "hours from the end of this attempt to the start of the next, net of the \
                     waiting for a rep and for the next shift; no gap makes a simulation of this \
                     process show the export's gaps ({seen}): retries pushed past a shift's end \
                     hide this gap, so the interval is all the export tells, from 0 to the \
                     observed median"
                ),
                ..e.clone()
            }
        };
    }
    Some((
        out,
        simulated
            .into_iter()
            .map(|s| s.unwrap_or(f64::NAN))
            .collect(),
    ))
}

/// [`LogHistogram::central_mean`] of the hours from the end of attempt k to the start of
/// attempt k + 1 (k = 0 .. `gaps` - 1) over `replications` replications of `sc`'s baseline,
/// for leads that arrived after the warm-up, binned as the export's gaps are.
fn simulated_central_gaps(
    sc: &crate::sim::model::Scenario,
    seed: u64,
    replications: u64,
    gaps: usize,
) -> Vec<Option<f64>> {
    // The qualification draw does not move a lead's calls (an SQL leaves the queue as a
    // rejected lead does), so the scores serve as propensities here uncalibrated.
    let compiled = Compiled::new(sc);
    let warmup = f64::from(sc.arrivals.warmup_days) * 24.0;
    let mut by_k: Vec<LogHistogram> = vec![LogHistogram::new(); gaps];
    for r in 0..replications {
        let (h, _) = SimHistory::record(&compiled, seed, r, None);
        let mut last_end: Vec<Option<f64>> = vec![None; h.leads.len()];
        let mut made: Vec<usize> = vec![0; h.leads.len()];
        for a in &h.attempts {
            let i = a.lead as usize;
            if let (Some(end), true) = (last_end[i], h.leads[i].arrival >= warmup) {
                if let Some(hist) = by_k.get_mut(made[i] - 1) {
                    hist.add(a.start - end);
                }
            }
            made[i] += 1;
            last_end[i] = Some(a.end);
        }
    }
    by_k.into_iter()
        .map(|hist| (!hist.is_empty()).then(|| hist.central_mean()))
        .collect()
}
