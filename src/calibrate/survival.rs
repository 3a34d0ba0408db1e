//! Time-to-event data censored at the export date: the Kaplan-Meier curve with Greenwood
//! intervals (for the calibration page), and the censored likelihoods of the two cure models
//! calibration fits: a lognormal sales cycle among deals that are won, and a Weibull time to
//! purchase among nurtured leads that buy.
//!
//! A cure model says: with probability `p` the event happens, at a time with distribution `F`;
//! otherwise never. An observation that saw the event at `t` contributes `p f(t)`; one
//! censored at `c` (still open at the export date) contributes `1 - p F(c)`; one known never
//! to have the event (a lost deal) contributes `1 - p`; one known to have had it within `t`
//! (a deal won the day it became an SQL, when dates have day resolution) contributes `p F(t)`.

use serde::Serialize;

use crate::calibrate::stats::{normal_cdf, Z95};

/// Observations compressed to distinct times with weights.
#[derive(Debug, Clone, Default)]
pub struct Censored {
    /// Event times and how many.
    pub events: Vec<(f64, f64)>,
    /// Censoring times (still open at the export date) and how many.
    pub censored: Vec<(f64, f64)>,
    /// Events known only to have happened by this time.
    pub within: Vec<(f64, f64)>,
    /// Observations known never to have the event.
    pub never: f64,
}

/// Sorts and merges equal values (after rounding to `resolution`) into `(value, count)`.
fn compress(mut v: Vec<f64>, resolution: f64) -> Vec<(f64, f64)> {
    for x in &mut v {
        *x = ((*x / resolution).round() * resolution).max(resolution);
    }
    v.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((y, c)) if *y == x => *c += 1.0,
            _ => out.push((x, 1.0)),
        }
    }
    out
}

impl Censored {
    /// Builds the compressed data; times are rounded to `resolution` (in their unit), which
    /// changes a fit by far less than its standard error when the resolution is an hour and
    /// times are days or months.
    pub fn new(
        events: Vec<f64>,
        censored: Vec<f64>,
        within: Vec<f64>,
        never: u64,
        resolution: f64,
    ) -> Self {
        Censored {
            events: compress(events, resolution),
            censored: compress(censored, resolution),
            within: compress(within, resolution),
            never: never as f64,
        }
    }

    /// Number of events (exact and within).
    pub fn event_count(&self) -> f64 {
        self.events.iter().chain(&self.within).map(|e| e.1).sum()
    }

    /// Number of observations.
    pub fn total(&self) -> f64 {
        self.event_count() + self.censored.iter().map(|e| e.1).sum::<f64>() + self.never
    }

    /// Log likelihood of the cure model with event probability `p` and a time distribution
    /// given by its log density and distribution function.
    fn loglik(&self, p: f64, log_pdf: impl Fn(f64) -> f64, cdf: impl Fn(f64) -> f64) -> f64 {
        if !(p > 0.0 && p < 1.0) {
            return f64::NEG_INFINITY;
        }
        let lp = p.ln();
        let mut ll = self.never * (1.0 - p).ln();
        for &(t, w) in &self.events {
            ll += w * (lp + log_pdf(t));
        }
        for &(t, w) in &self.within {
            ll += w * (lp + cdf(t).max(1e-300).ln());
        }
        for &(t, w) in &self.censored {
            ll += w * (1.0 - p * cdf(t)).max(1e-300).ln();
        }
        ll
    }

    /// Cure-lognormal log likelihood at `[logit p, mu, ln sigma]` (times in their unit).
    pub fn lognormal_cure(&self, x: &[f64]) -> f64 {
        let p = 1.0 / (1.0 + (-x[0]).exp());
        let (mu, sigma) = (x[1], x[2].exp());
        let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
        self.loglik(
            p,
            |t| {
                let z = (t.ln() - mu) / sigma;
                -t.ln() - sigma.ln() - half_ln_2pi - 0.5 * z * z
            },
            |t| normal_cdf((t.ln() - mu) / sigma),
        )
    }

    /// Cure-Weibull log likelihood at `[logit p, ln scale, ln shape]`.
    pub fn weibull_cure(&self, x: &[f64]) -> f64 {
        let p = 1.0 / (1.0 + (-x[0]).exp());
        let (scale, shape) = (x[1].exp(), x[2].exp());
        self.loglik(
            p,
            |t| {
                let u = t / scale;
                shape.ln() - scale.ln() + (shape - 1.0) * u.ln() - u.powf(shape)
            },
            |t| 1.0 - (-(t / scale).powf(shape)).exp(),
        )
    }
}

/// One step of a Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KmPoint {
    /// Time (in the curve's unit).
    pub t: f64,
    /// Share without the event after `t`.
    pub survival: f64,
    /// Lower end of its 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Observations at risk just before `t`.
    pub at_risk: f64,
}

/// A Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KmCurve {
    /// The unit of `t` ("days", "months").
    pub unit: String,
    /// The steps, at most a few hundred (thinned evenly over the event times).
    pub points: Vec<KmPoint>,
    /// Events.
    pub events: u64,
    /// Censored observations (those known never to have the event included: they stay at
    /// risk for ever).
    pub censored: u64,
    /// How it was computed.
    pub method: String,
}

impl KmCurve {
    /// The survival just after `t` (1 before the first event).
    pub fn survival_at(&self, t: f64) -> f64 {
        self.points
            .iter()
            .take_while(|p| p.t <= t)
            .last()
            .map_or(1.0, |p| p.survival)
    }
}

/// Kaplan-Meier estimate from `(time, event)` pairs; `time = +inf` marks an observation that
/// never has the event (kept at risk for ever, so `1 - S(t)` estimates the share with the
/// event by `t` in a cure setting). Intervals: Greenwood's variance on the log(-log) scale
/// (Kalbfleisch and Prentice), which stays inside [0, 1].
pub fn kaplan_meier(mut obs: Vec<(f64, bool)>, unit: &str, max_points: usize) -> KmCurve {
    obs.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let n = obs.len() as f64;
    let events = obs.iter().filter(|o| o.1).count() as u64;
    let mut at_risk = n;
    let mut s = 1.0;
    let mut greenwood = 0.0;
    let mut steps = Vec::new();
    let mut i = 0;
    while i < obs.len() {
        let t = obs[i].0;
        let (mut d, mut c) = (0.0, 0.0);
        while i < obs.len() && obs[i].0 == t {
            if obs[i].1 {
                d += 1.0;
            } else {
                c += 1.0;
            }
            i += 1;
        }
        if d > 0.0 && t.is_finite() {
            s *= 1.0 - d / at_risk;
            if at_risk > d {
                greenwood += d / (at_risk * (at_risk - d));
            }
            let (lo, hi) = if s > 0.0 && s < 1.0 {
                let sd = greenwood.sqrt() / s.ln().abs();
                (s.powf((Z95 * sd).exp()), s.powf((-Z95 * sd).exp()))
            } else {
                (s, s)
            };
            steps.push(KmPoint {
                t,
                survival: s,
                lo,
                hi,
                at_risk,
            });
        }
        at_risk -= d + c;
    }
    let points = if steps.len() <= max_points {
        steps
    } else {
        let k = steps.len();
        (0..max_points)
            .map(|j| steps[((j + 1) * k / max_points).min(k) - 1].clone())
            .collect()
    };
    KmCurve {
        unit: unit.to_string(),
        points,
        events,
        censored: obs.len() as u64 - events,
        method: "Kaplan-Meier; 95% interval from Greenwood's variance on the log(-log) scale"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kaplan_meier_matches_a_hand_computed_example() {
        // Times 1, 2+, 3, 3, 4+, 5 (+ = censored): S(1) = 5/6, S(3) = 5/6 * 2/4 = 5/12,
        // S(5) = 0. Greenwood at 3: 1/(6*5) + 2/(4*2) = 0.28333.
        let obs = vec![
            (1.0, true),
            (2.0, false),
            (3.0, true),
            (3.0, true),
            (4.0, false),
            (5.0, true),
        ];
        let km = kaplan_meier(obs, "days", 100);
        assert_eq!(km.points.len(), 3);
        assert!((km.points[0].survival - 5.0 / 6.0).abs() < 1e-12);
        assert!((km.points[1].survival - 5.0 / 12.0).abs() < 1e-12);
        assert_eq!(km.points[2].survival, 0.0);
        assert_eq!(km.points[1].at_risk, 4.0);
        let s: f64 = 5.0 / 12.0;
        let sd = 0.283_333_333_f64.sqrt() / s.ln().abs();
        assert!((km.points[1].lo - s.powf((Z95 * sd).exp())).abs() < 1e-9);
        assert!(km.points[1].lo < s && s < km.points[1].hi);
        assert_eq!(km.survival_at(3.5), 5.0 / 12.0);
        assert_eq!(km.survival_at(0.5), 1.0);
        assert_eq!((km.events, km.censored), (4, 2));
    }

    #[test]
    fn never_events_stay_at_risk() {
        // Two events among four, two never: S falls to 1/2 and stays there.
        let obs = vec![
            (1.0, true),
            (2.0, true),
            (f64::INFINITY, false),
            (f64::INFINITY, false),
        ];
        let km = kaplan_meier(obs, "days", 10);
        assert_eq!(km.points.last().unwrap().survival, 0.5);
    }

    #[test]
    fn cure_likelihoods_reduce_to_their_parts() {
        // With no censoring and no never-observations, the cure-lognormal likelihood is the
        // plain lognormal one plus n ln p.
        let c = Censored::new(vec![1.0, 2.0, 4.0], vec![], vec![], 0, 1e-9);
        let x = [0.0, 0.5, 0.0];
        let plain: f64 = [1.0f64, 2.0, 4.0]
            .iter()
            .map(|&t| {
                let z = t.ln() - 0.5;
                -t.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
            })
            .sum();
        assert!((c.lognormal_cure(&x) - (plain + 3.0 * 0.5f64.ln())).abs() < 1e-12);
        // A never-observation adds ln(1 - p); a censored one ln(1 - p F(c)).
        let c2 = Censored::new(vec![], vec![2.0], vec![], 1, 1e-9);
        let xw = [0.0, 0.0, 0.0];
        let f2 = 1.0 - (-2.0f64).exp();
        assert!((c2.weibull_cure(&xw) - (0.5f64.ln() + (1.0 - 0.5 * f2).ln())).abs() < 1e-12);
    }
}
