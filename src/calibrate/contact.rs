//! Contact: the share of leads that can be reached at all (`contactable`) and the chance that
//! attempt `k` reaches a contactable lead not reached before (`reach[k]`), from the number of
//! attempts each lead took until its first connected call.
//!
//! The model is a cure model on a discrete time scale: a lead is contactable with probability
//! `w`; a contactable lead is reached on attempt `k` with hazard `h_k`. A lead reached on
//! attempt `k` contributes `w S(k-1) h_k`, with `S(k) = prod_{j<=k} (1 - h_j)`; a lead not
//! reached after its `m` attempts is right-censored there and contributes
//! `(1 - w) + w S(m)`. With a free hazard for every attempt number, `w` cannot be told apart
//! from the hazards; it is identified by assuming the hazard constant from attempt
//! [`TAIL_FROM`] on (as the default reach table is), so that the decline of the observed
//! hazard over the tail attempts reveals how many of the leads still unreached are
//! contactable. When leads get too few attempts for that, `contactable` is fixed openly.

use serde::Serialize;

use crate::calibrate::defaults;
use crate::calibrate::estimate::Estimate;
use crate::calibrate::optim::{maximize, profile_interval};
use crate::calibrate::stats::{logit, logit_interval, sigmoid, wilson};
use crate::history::attempts::LeadCalls;

/// The hazard is taken as constant from this attempt number on.
pub const TAIL_FROM: usize = 5;
/// An attempt number counts when at least this many leads reached it.
pub const MIN_AT_RISK: u64 = 30;
/// `contactable` counts as identified when its 95% interval is narrower than this.
pub const MAX_IDENTIFIED_WIDTH: f64 = 0.5;

/// What the export says about contact.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    /// Share of leads that can be reached at all.
    pub contactable: Estimate,
    /// `reach[k]` for k = 1, 2, ... (the last holds for later attempts).
    pub reach: Vec<Estimate>,
    /// Whether the data separate contactability from reach.
    pub identified: bool,
    /// What was done to separate them, in a sentence.
    pub identification: String,
    /// Per attempt number: leads reached on it and leads that made it.
    pub by_attempt: Vec<(u64, u64)>,
    /// Attempted leads.
    pub leads: u64,
}

/// Reached-at-k and unreached-after-m counts.
struct Counts {
    reached: Vec<f64>,
    unreached: Vec<f64>,
}

impl Counts {
    fn k_max(&self) -> usize {
        self.reached.len()
    }

    /// Log likelihood at contactable `w` and hazards `h` (the last repeating).
    fn loglik(&self, w: f64, h: &[f64]) -> f64 {
        if !(w > 0.0 && w <= 1.0) {
            return f64::NEG_INFINITY;
        }
        let mut ll = 0.0;
        let mut log_s = 0.0;
        for k in 0..self.k_max() {
            let hk = h[k.min(h.len() - 1)];
            if self.reached[k] > 0.0 {
                ll += self.reached[k] * (w.ln() + log_s + hk.ln());
            }
            log_s += (1.0 - hk).ln();
            if self.unreached[k] > 0.0 {
                ll += self.unreached[k] * ((1.0 - w) + w * log_s.exp()).max(1e-300).ln();
            }
        }
        ll
    }
}

/// Estimates contactability and reach per attempt.
pub fn estimate(calls: &LeadCalls) -> Contact {
    let k_max = calls.count.iter().copied().max().unwrap_or(0) as usize;
    let mut c = Counts {
        reached: vec![0.0; k_max],
        unreached: vec![0.0; k_max],
    };
    let mut leads = 0u64;
    for (i, &n) in calls.count.iter().enumerate() {
        if n == 0 {
            continue;
        }
        leads += 1;
        match calls.first_contact[i] {
            0 => c.unreached[n as usize - 1] += 1.0,
            k => c.reached[k as usize - 1] += 1.0,
        }
    }
    // Leads that made attempt k.
    let mut at_risk = vec![0u64; k_max];
    let mut acc = 0.0;
    for k in (0..k_max).rev() {
        acc += c.reached[k] + c.unreached[k];
        at_risk[k] = acc as u64;
    }
    let by_attempt: Vec<(u64, u64)> = (0..k_max)
        .map(|k| (c.reached[k] as u64, at_risk[k]))
        .collect();
    let k_eff = at_risk.iter().take_while(|&&a| a >= MIN_AT_RISK).count();
    if leads == 0 || k_eff == 0 {
        return Contact {
            contactable: Estimate::default_value(
                defaults::CONTACTABLE,
                leads,
                "no attempted leads (or fewer than 30)",
            ),
            reach: defaults::REACH
                .iter()
                .map(|&r| Estimate::default_value(r, 0, "no attempted leads (or fewer than 30)"))
                .collect(),
            identified: false,
            identification: "no attempts to learn from: contactable and reach keep their \
                             defaults"
                .into(),
            by_attempt,
            leads,
        };
    }
    // Drop attempt numbers too thin to inform a hazard by folding them into the last kept one.
    let mut fold = Counts {
        reached: c.reached[..k_eff].to_vec(),
        unreached: c.unreached[..k_eff].to_vec(),
    };
    for k in k_eff..k_max {
        fold.unreached[k_eff - 1] += c.unreached[k];
        fold.reached[k_eff - 1] += c.reached[k];
    }
    let reached_total: f64 = fold.reached.iter().sum();
    let tail = TAIL_FROM.min(k_eff.saturating_sub(1)).max(1);
    let identified = k_eff >= 3;
    let crude: Vec<f64> = (0..tail)
        .map(|k| {
            let a = at_risk[k] as f64;
            ((c.reached[k] + 0.5) / (a + 1.0)).clamp(0.01, 0.99)
        })
        .collect();
    let mut result = None;
    let mut weak = None;
    if identified {
        let f = |x: &[f64]| {
            let w = sigmoid(x[0]);
            let h: Vec<f64> = x[1..].iter().map(|&v| sigmoid(v)).collect();
            fold.loglik(w, &h)
        };
        let share = reached_total / leads as f64;
        let mut x0 = vec![logit((share + 0.5 * (1.0 - share)).min(0.95))];
        x0.extend(crude.iter().map(|&h| logit(h)));
        let m = maximize(&f, &x0);
        let (lo, hi) = profile_interval(&f, &m, 0, (-12.0, 12.0));
        let (wlo, whi) = (sigmoid(lo), sigmoid(hi));
        if m.converged && whi - wlo < MAX_IDENTIFIED_WIDTH && hi < 12.0 {
            result = Some((m, (wlo, whi)));
        } else {
            weak = Some((wlo, whi));
        }
    }
    let method_w = "cure model on attempts to first contact, right-censored at each lead's last \
                    attempt, hazard constant from attempt 5 on; maximum likelihood, \
                    profile-likelihood interval";
    let method_h = "cure model (as contactable); Wald interval on the logit scale from the \
                    observed information";
    match result {
        Some((m, w_ci)) => {
            let w = sigmoid(m.x[0]);
            let reach = (0..tail.max(k_eff))
                .map(|k| {
                    let j = k.min(tail - 1);
                    let h = sigmoid(m.x[1 + j]);
                    match m.se(1 + j) {
                        Some(se) => {
                            Estimate::estimated(h, logit_interval(h, se), at_risk[k], method_h)
                        }
                        None => Estimate::point(h, at_risk[k], method_h),
                    }
                })
                .collect();
            Contact {
                contactable: Estimate::estimated(w, w_ci, leads, method_w),
                reach,
                identified: true,
                identification: format!(
                    "identified: leads get up to {k_eff} attempts (with at least {MIN_AT_RISK} \
                     leads each), and the hazard is taken as constant from attempt \
                     {} on",
                    tail
                ),
                by_attempt,
                leads,
            }
        }
        None => fixed_contactable(
            &fold,
            &at_risk,
            leads,
            k_eff,
            reached_total,
            by_attempt,
            weak,
        ),
    }
}

/// With too few attempts per lead, fixes `contactable` (at the default when the reached share
/// allows it, else at 1) and estimates each hazard given it.
fn fixed_contactable(
    fold: &Counts,
    at_risk: &[u64],
    leads: u64,
    k_eff: usize,
    reached_total: f64,
    by_attempt: Vec<(u64, u64)>,
    weak: Option<(f64, f64)>,
) -> Contact {
    let share = reached_total / leads as f64;
    let (w, why) = if share < defaults::CONTACTABLE * 0.95 {
        (
            defaults::CONTACTABLE,
            format!("the default {} (S- InsideSales)", defaults::CONTACTABLE),
        )
    } else {
        (
            1.0,
            format!(
                "1 (every lead reachable), since {:.1}% of attempted leads were reached, above \
                 the default {}",
                100.0 * share,
                defaults::CONTACTABLE
            ),
        )
    };
    let f = |x: &[f64]| {
        let h: Vec<f64> = x.iter().map(|&v| sigmoid(v)).collect();
        fold.loglik(w, &h)
    };
    let x0: Vec<f64> = (0..k_eff)
        .map(|k| logit(((fold.reached[k] + 0.5) / (at_risk[k] as f64 + 1.0) / w).clamp(0.01, 0.99)))
        .collect();
    let m = maximize(&f, &x0);
    let method = "hazard of first contact on this attempt given the fixed contactable share; \
                  Wald interval on the logit scale";
    let reach = (0..k_eff)
        .map(|k| {
            let h = sigmoid(m.x[k]);
            match m.se(k) {
                Some(se) => Estimate::estimated(h, logit_interval(h, se), at_risk[k], method),
                None => {
                    let (lo, hi) = wilson(fold.reached[k], at_risk[k] as f64);
                    Estimate::estimated(
                        h,
                        ((lo / w).min(1.0), (hi / w).min(1.0)),
                        at_risk[k],
                        method,
                    )
                }
            }
        })
        .collect();
    let cause = match weak {
        None => format!(
            "leads get at most {k_eff} attempts (with at least {MIN_AT_RISK} leads each), too \
             few"
        ),
        Some((lo, hi)) => format!(
            "the attempts after the {TAIL_FROM}th are too few to separate them (the profile \
             interval of contactable, {lo:.2} to {hi:.2}, is wider than {MAX_IDENTIFIED_WIDTH} \
             or reaches 1)"
        ),
    };
    let reason = format!(
        "{cause} to tell how many leads are reachable at all from how likely each attempt is \
         to reach one: contactable is fixed at {why}, and reach per attempt is estimated given \
         it"
    );
    Contact {
        contactable: Estimate::fixed(w, leads, reason.clone()),
        reach,
        identified: false,
        identification: reason,
        by_attempt,
        leads,
    }
}
