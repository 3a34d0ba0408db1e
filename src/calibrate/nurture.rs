//! Nurture: how leads that did not become SQLs come back and buy, from their exit (retained at
//! `mql_at`, rejected at `disqualified_at`, unreached at the end of their last attempt) to
//! `purchased_at`, censored at the export date.
//!
//! The decision law of MODEL.md 2.9 is a cure-fraction Weibull: a lead decides with
//! probability `pi` at a Weibull time, and buys from us with probability `share`. The export
//! shows only purchases from us, so what it identifies is `pi * share` (the share that ever
//! buys from us) and the timing of those purchases; `pi` is fixed at its default and
//! `share = (pi * share) / pi`, and the purchase timing is taken as the decision timing.

use serde::Serialize;

use crate::calibrate::defaults;
use crate::calibrate::estimate::Estimate;
use crate::calibrate::optim::{maximize, profile_interval};
use crate::calibrate::stats::{log_interval, logit, sigmoid};
use crate::calibrate::survival::Censored;
use crate::history::attempts::{AttemptsDigest, LeadCalls};
use crate::history::time::{Instant, DAY, MONTH_DAYS};
use crate::history::warnings::{WarningKind, Warnings};
use crate::history::Leads;

/// Fewest purchases for a fit.
pub const MIN_PURCHASES: u64 = 20;

/// What the export says about nurture.
#[derive(Debug, Clone, Serialize)]
pub struct Nurture {
    /// Share of nurtured leads that ever buy from us (`pi * share`).
    pub pi_share: Estimate,
    /// Weibull scale of the time to purchase (months).
    pub scale_months: Estimate,
    /// Weibull shape.
    pub shape: Estimate,
    /// `pi`, fixed (the export cannot inform it).
    pub pi: Estimate,
    /// `share = pi_share / pi`.
    pub share: Estimate,
    /// Nurtured leads.
    pub nurtured: u64,
    /// Of which bought by the export date.
    pub purchases: u64,
    /// What is and is not identified.
    pub note: String,
}

/// The time a non-SQL lead entered nurture.
pub fn exit_time(leads: &Leads, calls: Option<&LeadCalls>, i: usize) -> Instant {
    if !leads.handed_over(i) {
        return leads.mql_at[i];
    }
    if let Some(d) = leads.disqualified_at.get(i) {
        return d;
    }
    if let Some(c) = calls {
        if let Some(t) = LeadCalls::at(&c.last_end, i) {
            return t;
        }
    }
    leads.handed_over_at.get(i).unwrap_or(leads.mql_at[i])
}

/// Estimates the nurture law.
pub fn estimate(
    leads: &Leads,
    attempts: Option<&AttemptsDigest>,
    as_of: Instant,
    warnings: &mut Warnings,
) -> Nurture {
    let month = MONTH_DAYS * DAY as f64;
    let calls = attempts.map(|a| &a.leads);
    let (mut events, mut censored, mut within) = (Vec::new(), Vec::new(), Vec::new());
    let mut nurtured = 0u64;
    for i in 0..leads.len() {
        if leads.sql_at.get(i).is_some() {
            continue;
        }
        nurtured += 1;
        let exit = exit_time(leads, calls, i);
        match leads.purchased_at.get(i) {
            Some(p) => {
                if p < exit {
                    warnings.add(WarningKind::PurchaseBeforeExit, || {
                        format!("{} line {}", leads.path.display(), leads.lines[i])
                    });
                }
                let t = (p - exit) as f64 / month;
                if t * MONTH_DAYS >= 1.0 {
                    events.push(t);
                } else {
                    within.push(1.0 / MONTH_DAYS);
                }
            }
            None => censored.push(((as_of - exit) as f64 / month).max(1.0 / MONTH_DAYS)),
        }
    }
    let purchases = (events.len() + within.len()) as u64;
    let note = "only purchases from us are observed, so the export identifies pi * share (the \
                share of nurtured leads that ever buy from us) and the timing of those \
                purchases; pi is fixed at its default 0.62 (rule-of-45) and share = (pi * share) \
                / pi, and the purchase timing stands for the decision timing. If a nurture \
                programme ran during the export, share includes its lift."
        .to_string();
    let (pi_d, scale_d, shape_d) = defaults::DECISION;
    if !leads.purchased_at.is_mapped() || (events.len() as u64) < MIN_PURCHASES {
        let r = if leads.purchased_at.is_mapped() {
            format!(
                "{} purchases a day or more after exit, fewer than {MIN_PURCHASES}",
                events.len()
            )
        } else {
            "the export has no purchased_at column".into()
        };
        return Nurture {
            pi_share: Estimate::default_value(pi_d * defaults::SHARE, nurtured, r.clone()),
            scale_months: Estimate::default_value(scale_d, purchases, r.clone()),
            shape: Estimate::default_value(shape_d, purchases, r.clone()),
            pi: Estimate::default_value(pi_d, nurtured, r.clone()),
            share: Estimate::default_value(defaults::SHARE, nurtured, r),
            nurtured,
            purchases,
            note,
        };
    }
    let mut sorted = events.clone();
    sorted.sort_by(f64::total_cmp);
    let med = sorted[sorted.len() / 2];
    // Times rounded to the day (1/30 of a month): a few hundred distinct values instead of a
    // million, which keeps the profile-likelihood search cheap.
    let data = Censored::new(events, censored, within, 0, 1.0 / MONTH_DAYS);
    let f = |x: &[f64]| data.weibull_cure(x);
    let rho0 = (2.0 * purchases as f64 / nurtured as f64).clamp(0.01, 0.9);
    let m = maximize(&f, &[logit(rho0), (med * 1.3).ln(), 0.0]);
    let (lo, hi) = profile_interval(&f, &m, 0, (-15.0, 15.0));
    let rho = sigmoid(m.x[0]);
    let method = "cure-fraction Weibull fitted by maximum likelihood, purchases as events, \
                  leads not yet bought censored at the export date; profile-likelihood interval";
    let mut pi_share = Estimate::estimated(rho, (sigmoid(lo), sigmoid(hi)), nurtured, method);
    if hi >= 15.0 {
        pi_share = pi_share.with_note(
            "weakly identified: purchases are still rising at the end of the export, so the \
             share that ever buys is not bounded above",
        );
    }
    let method_t = "cure-fraction Weibull (as pi_share); Wald interval on the log scale";
    let scale = m.x[1].exp();
    let shape = m.x[2].exp();
    let scale_months = match m.se(1) {
        Some(se) => Estimate::estimated(scale, log_interval(scale, se), purchases, method_t),
        None => Estimate::point(scale, purchases, method_t),
    };
    let shape_est = match m.se(2) {
        Some(se) => Estimate::estimated(shape, log_interval(shape, se), purchases, method_t),
        None => Estimate::point(shape, purchases, method_t),
    };
    let pi = if rho <= pi_d { pi_d } else { 1.0 };
    let pi_est = Estimate::fixed(
        pi,
        nurtured,
        if pi == pi_d {
            "not identified from purchases alone: fixed at the default 0.62 (rule-of-45)"
                .to_string()
        } else {
            format!("not identified; the default 0.62 is below pi * share = {rho:.3}, so pi is fixed at 1")
        },
    );
    let share = Estimate::estimated(
        rho / pi,
        (sigmoid(lo) / pi, (sigmoid(hi) / pi).min(1.0)),
        nurtured,
        "pi_share / pi (pi fixed); its interval is pi_share's divided by pi",
    );
    Nurture {
        pi_share,
        scale_months,
        shape: shape_est,
        pi: pi_est,
        share,
        nurtured,
        purchases,
        note,
    }
}
