//! Handover: the share of MQLs marketing handed to sales and, with scores, the threshold the
//! handover implies.

use serde::Serialize;

use crate::calibrate::estimate::Estimate;
use crate::calibrate::stats::wilson;
use crate::history::Leads;

/// What the export says about the handover.
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    /// Handed over / MQLs.
    pub share: Estimate,
    /// The score threshold that best separates handed-over from retained leads (`None`
    /// without scores or without retained leads).
    pub threshold: Option<Estimate>,
    /// Share of scored leads on the side of the threshold that matches their handover.
    pub agreement: Option<f64>,
}

/// Estimates the handover share and the implied threshold.
pub fn estimate(leads: &Leads) -> Handover {
    let n = leads.len();
    if !leads.handed_over_at.is_mapped() {
        return Handover {
            share: Estimate::fixed(
                1.0,
                n as u64,
                "the export has no handed_over_at column: every MQL is taken as handed over",
            ),
            threshold: None,
            agreement: None,
        };
    }
    let handed = (0..n).filter(|&i| leads.handed_over(i)).count();
    let share = Estimate::estimated(
        handed as f64 / n as f64,
        wilson(handed as f64, n as f64),
        n as u64,
        "handed over / MQLs; Wilson interval",
    );
    let mut scored: Vec<(f64, bool)> = (0..n)
        .filter_map(|i| leads.score.get(i).map(|s| (s, leads.handed_over(i))))
        .collect();
    if scored.is_empty() || handed == n || handed == 0 {
        return Handover {
            share,
            threshold: None,
            agreement: None,
        };
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Errors of the cut "handed over iff score >= scored[k].0": handed leads below k plus
    // retained leads at or above k; scan all cuts at distinct scores.
    let total_retained = scored.iter().filter(|s| !s.1).count();
    let (mut handed_below, mut retained_below) = (0usize, 0usize);
    let mut best = (usize::MAX, 0usize);
    let mut k = 0;
    while k <= scored.len() {
        let errors = handed_below + (total_retained - retained_below);
        if errors < best.0 {
            best = (errors, k);
        }
        if k == scored.len() {
            break;
        }
        let s = scored[k].0;
        while k < scored.len() && scored[k].0 == s {
            if scored[k].1 {
                handed_below += 1;
            } else {
                retained_below += 1;
            }
            k += 1;
        }
    }
    let (errors, cut) = best;
    let below = if cut > 0 { scored[cut - 1].0 } else { 0.0 };
    let above = if cut < scored.len() {
        scored[cut].0
    } else {
        1.0
    };
    let threshold = Estimate::estimated(
        (below + above) / 2.0,
        (below, above),
        scored.len() as u64,
        "the cut that misclassifies fewest leads (handed over iff score >= cut); interval: the \
         neighbouring scores, between which the data cannot place it",
    );
    let agreement = 1.0 - errors as f64 / scored.len() as f64;
    let threshold = if agreement < 0.95 {
        threshold.with_note(format!(
            "only {:.1}% of leads follow a threshold rule: the handover was not made by score \
             alone",
            100.0 * agreement
        ))
    } else {
        threshold
    };
    Handover {
        share,
        threshold: Some(threshold),
        agreement: Some(agreement),
    }
}
