//! Speed to lead: how the chance that a reached lead becomes an SQL falls with the delay from
//! its arrival to the call that reached it, adjusted for the lead's score, as a table of
//! multipliers `g` (MODEL.md 2.5) placed at each delay bin's median delay, with `g(0) = 1`.
//!
//! A logistic regression of SQL (among reached leads) on `logit(score)` and one indicator per
//! delay bin (the fastest bin is the reference) gives each bin's effect on the odds; the
//! multiplier on the *probability* is the standardised ratio
//! `g_b = mean_i P(SQL | x_i, bin b) / mean_i P(SQL | x_i, fastest bin)` over the reached
//! leads, with a delta-method interval from the fit's covariance. The simulator needs a
//! non-increasing curve: the scenario table is the multipliers made monotone by weighted
//! pool-adjacent-violators. This is observational: faster calls may go to better leads in ways
//! the score does not capture, so the curve may overstate what calling faster would gain.

use linfa::traits::Fit;
use linfa::DatasetBase;
use ndarray::{Array1, Array2};
use serde::Serialize;

use crate::calibrate::defaults;
use crate::calibrate::estimate::Estimate;
use crate::calibrate::stats::{log_interval, logit, sigmoid, wilson};
use crate::history::attempts::LeadCalls;
use crate::history::time::HOUR;
use crate::history::Leads;
use crate::scoring::solver::LogisticParams;
use crate::stats::median;

/// Lower edges of the delay bins (hours): 0, 5 min, 30 min, 2 h, 8 h, 1 day, 3 days.
pub const BIN_EDGES_HOURS: [f64; 7] = [0.0, 5.0 / 60.0, 0.5, 2.0, 8.0, 24.0, 72.0];
/// A bin needs this many reached leads, and this many of each outcome, or it merges with the
/// next slower one.
pub const MIN_REACHED: u64 = 50;
/// Fewest SQLs and fewest non-SQLs per bin.
pub const MIN_OUTCOME: u64 = 5;

/// The warning printed with every estimated curve.
pub const OBSERVATIONAL: &str = "observational: leads called faster may differ from slower ones \
    in ways the score does not capture (better leads may get faster calls), so these multipliers \
    may overstate what calling faster would gain";

/// One delay bin.
#[derive(Debug, Clone, Serialize)]
pub struct DelayBin {
    /// Lower edge (hours).
    pub lo_hours: f64,
    /// Upper edge (hours; infinite for the last).
    pub hi_hours: f64,
    /// Median delay of its reached leads (hours).
    pub median_hours: f64,
    /// Reached leads.
    pub reached: u64,
    /// Of which SQLs.
    pub sqls: u64,
    /// The raw SQL rate with its Wilson interval.
    pub sql_rate: Estimate,
    /// The score-adjusted multiplier against the fastest bin.
    pub multiplier: Estimate,
}

/// The speed-to-lead estimate.
#[derive(Debug, Clone, Serialize)]
pub struct SpeedToLead {
    /// The bins (after merging thin ones).
    pub bins: Vec<DelayBin>,
    /// `(hours, multiplier)` points for the scenario: `(0, 1)`, then each bin's median delay
    /// with its multiplier made non-increasing.
    pub table: Vec<(f64, f64)>,
    /// Whether the regression adjusted for the score.
    pub adjusted_for_score: bool,
    /// Set when the default curve was kept, with the reason.
    pub default_reason: Option<String>,
    /// The observational caveat.
    pub warning: String,
    /// How it was made.
    pub method: String,
}

fn default_curve(reason: String) -> SpeedToLead {
    SpeedToLead {
        bins: Vec::new(),
        table: defaults::speed_to_lead(),
        adjusted_for_score: false,
        default_reason: Some(reason),
        warning: OBSERVATIONAL.into(),
        method: "default (docs/model.md section 3)".into(),
    }
}

/// Non-increasing weighted least-squares fit (pool adjacent violators).
pub fn monotone_non_increasing(values: &[f64], weights: &[f64]) -> Vec<f64> {
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for (&v, &w) in values.iter().zip(weights) {
        blocks.push((v, w.max(1e-12), 1));
        while blocks.len() >= 2 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.0 >= b.0 {
                break;
            }
            let w = a.1 + b.1;
            blocks.pop();
            blocks.pop();
            blocks.push(((a.0 * a.1 + b.0 * b.1) / w, w, a.2 + b.2));
        }
    }
    blocks
        .into_iter()
        .flat_map(|(v, _, n)| std::iter::repeat(v).take(n))
        .collect()
}

/// Estimates the speed-to-lead curve from reached leads.
pub fn estimate(leads: &Leads, calls: &LeadCalls) -> SpeedToLead {
    if !leads.sql_at.is_mapped() {
        return default_curve("the export has no sql_at column".into());
    }
    // (delay hours, sql, score) of every reached lead.
    let reached: Vec<(f64, bool, Option<f64>)> = (0..leads.len())
        .filter_map(|i| {
            let c = LeadCalls::at(&calls.contact_start, i)?;
            let d = (c - leads.mql_at[i]) as f64 / HOUR as f64;
            Some((
                d.max(0.0),
                leads.sql_at.get(i).is_some(),
                leads.score.get(i),
            ))
        })
        .collect();
    // Bin, then merge thin bins into the next slower one (the last into the one before).
    let bin_of = |d: f64| BIN_EDGES_HOURS.iter().rposition(|&lo| d >= lo).unwrap_or(0);
    let mut groups: Vec<(usize, u64, u64)> =
        (0..BIN_EDGES_HOURS.len()).map(|b| (b, 0, 0)).collect();
    for r in &reached {
        let g = &mut groups[bin_of(r.0)];
        g.1 += 1;
        g.2 += u64::from(r.1);
    }
    let thin =
        |g: &(usize, u64, u64)| g.1 < MIN_REACHED || g.2 < MIN_OUTCOME || g.1 - g.2 < MIN_OUTCOME;
    let mut merged: Vec<(usize, u64, u64)> = Vec::new();
    let mut pending: Option<(usize, u64, u64)> = None;
    for g in groups {
        let cur = match pending.take() {
            Some(p) => (p.0, p.1 + g.1, p.2 + g.2),
            None => g,
        };
        if thin(&cur) {
            pending = Some(cur);
        } else {
            merged.push(cur);
        }
    }
    if let Some(p) = pending {
        match merged.last_mut() {
            Some(last) => {
                last.1 += p.1;
                last.2 += p.2;
            }
            None => merged.push(p),
        }
    }
    if merged.len() < 2 || thin(&merged[0]) {
        return default_curve(format!(
            "{} reached leads: too few for two delay bins with {MIN_REACHED} reached leads and \
             {MIN_OUTCOME} of each outcome",
            reached.len()
        ));
    }
    let starts: Vec<usize> = merged.iter().map(|g| g.0).collect();
    let group_of = |d: f64| {
        let b = bin_of(d);
        starts.iter().rposition(|&s| b >= s).unwrap_or(0)
    };
    let nb = merged.len();
    let scored = reached.iter().filter(|r| r.2.is_some()).count();
    let adjusted = scored * 10 >= reached.len() * 9 && scored > 0;
    let rows: Vec<&(f64, bool, Option<f64>)> = reached
        .iter()
        .filter(|r| !adjusted || r.2.is_some())
        .collect();
    let p = usize::from(adjusted) + nb - 1;
    let mut x = Array2::<f64>::zeros((rows.len(), p));
    let mut y = Array1::<bool>::from_elem(rows.len(), false);
    let mut score_col = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let mut j = 0;
        if adjusted {
            let s = r.2.expect("scored").clamp(1e-6, 1.0 - 1e-6);
            x[[i, 0]] = logit(s);
            score_col.push(logit(s));
            j = 1;
        } else {
            score_col.push(0.0);
        }
        let g = group_of(r.0);
        if g > 0 {
            x[[i, j + g - 1]] = 1.0;
        }
        y[i] = r.1;
    }
    let fit = match linfa::ParamGuard::check(LogisticParams::new())
        .and_then(|v| v.fit(&DatasetBase::new(x, y)))
    {
        Ok(f) => f,
        Err(e) => return default_curve(format!("the logistic regression failed: {e}")),
    };
    let (alpha, gamma) = (fit.intercept, if adjusted { fit.coef[0] } else { 0.0 });
    let beta = |g: usize| {
        if g == 0 {
            0.0
        } else {
            fit.coef[usize::from(adjusted) + g - 1]
        }
    };
    // Standardised probabilities and their gradients in (alpha, gamma, beta_g).
    let stand = |g: usize| {
        let (mut m, mut d_a, mut d_c) = (0.0, 0.0, 0.0);
        for &s in &score_col {
            let q = sigmoid(alpha + gamma * s + beta(g));
            m += q;
            d_a += q * (1.0 - q);
            d_c += q * (1.0 - q) * s;
        }
        let n = score_col.len() as f64;
        (m / n, d_a / n, d_c / n)
    };
    let base = stand(0);
    let cov = &fit.covariance;
    let mut delays: Vec<Vec<f64>> = vec![Vec::new(); nb];
    for r in &reached {
        delays[group_of(r.0)].push(r.0);
    }
    let method = if adjusted {
        "logistic regression of SQL on logit(score) and delay-bin indicators among reached \
         leads; standardised ratio of predicted SQL rates against the fastest bin; \
         delta-method interval on the log scale"
    } else {
        "logistic regression of SQL on delay-bin indicators among reached leads (no scores); \
         ratio of SQL rates against the fastest bin; delta-method interval on the log scale"
    };
    let mut bins = Vec::with_capacity(nb);
    for g in 0..nb {
        let (lo_b, reached_n, sqls) = merged[g];
        let hi_hours = if g + 1 < nb {
            BIN_EDGES_HOURS[merged[g + 1].0]
        } else {
            f64::INFINITY
        };
        let mult = if g == 0 {
            Estimate::point(
                1.0,
                reached_n,
                "the reference bin: multiplier 1 by definition",
            )
        } else {
            let s = stand(g);
            let value = s.0 / base.0;
            // d ln g / d(alpha, gamma, beta_g) = A_g - A_0.
            let ga = s.1 / s.0 - base.1 / base.0;
            let gc = s.2 / s.0 - base.2 / base.0;
            let gb = s.1 / s.0;
            let idx_b = 1 + usize::from(adjusted) + g - 1;
            let mut grad = vec![(0usize, ga), (idx_b, gb)];
            if adjusted {
                grad.push((1, gc));
            }
            let mut var = 0.0;
            for &(i, a) in &grad {
                for &(j, b) in &grad {
                    var += a * b * cov[[i, j]];
                }
            }
            Estimate::estimated(
                value,
                log_interval(value, var.max(0.0).sqrt()),
                reached_n,
                method,
            )
        };
        bins.push(DelayBin {
            lo_hours: BIN_EDGES_HOURS[lo_b],
            hi_hours,
            median_hours: median(&mut delays[g]).unwrap_or(f64::NAN),
            reached: reached_n,
            sqls,
            sql_rate: Estimate::estimated(
                sqls as f64 / reached_n as f64,
                wilson(sqls as f64, reached_n as f64),
                reached_n,
                "SQLs / reached leads in the bin; Wilson interval",
            ),
            multiplier: mult,
        });
    }
    let values: Vec<f64> = bins.iter().map(|b| b.multiplier.value).collect();
    let weights: Vec<f64> = bins.iter().map(|b| b.reached as f64).collect();
    let mono = monotone_non_increasing(&values, &weights);
    // Scale so the fastest bin is exactly 1 after smoothing (pooling may lower it).
    let top = mono[0];
    let mut table = vec![(0.0, 1.0)];
    for (b, m) in bins.iter().zip(&mono) {
        let h = b.median_hours.max(1e-6);
        if h > table.last().expect("non-empty").0 {
            table.push((h, (m / top).min(1.0)));
        }
    }
    SpeedToLead {
        bins,
        table,
        adjusted_for_score: adjusted,
        default_reason: None,
        warning: OBSERVATIONAL.into(),
        method: method.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pava_pools_violators_by_weight() {
        assert_eq!(
            monotone_non_increasing(&[1.0, 0.8, 0.6], &[1.0; 3]),
            vec![1.0, 0.8, 0.6]
        );
        // 0.6 then 0.8 with weights 1 and 3 pool to 0.75.
        let m = monotone_non_increasing(&[1.0, 0.6, 0.8], &[1.0, 1.0, 3.0]);
        assert!((m[1] - 0.75).abs() < 1e-12 && (m[2] - 0.75).abs() < 1e-12);
        let m = monotone_non_increasing(&[0.5, 1.0], &[1.0, 1.0]);
        assert_eq!(m, vec![0.75, 0.75]);
    }
}
