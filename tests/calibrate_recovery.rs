//! Parameter recovery: on synthetic exports whose every knob is known, the calibration's 95%
//! intervals must cover the true values at close to the nominal rate, pooled over seeds and
//! knobs, as tests/recovery.rs does for the scoring coefficients.

use leadsim::calibrate::{calibrate, speed_to_lead, Calibration, Estimate};
use leadsim::history::synth::{write_export, SynthExport, SynthParams};
use leadsim::history::{read_history, ReadOptions};

const SEEDS: u64 = 8;

fn params() -> SynthParams {
    SynthParams {
        // Faster first calls than the default so that every delay bin, the first included,
        // has enough reached leads of both outcomes and none is merged away.
        response: (1.0, 1.5),
        delay_bins: speed_to_lead::BIN_EDGES_HOURS.to_vec(),
        // Ten attempts, so that the constant-hazard tail (attempts 5 to 10) is long enough to
        // tell the contactable share from the reach per attempt; with six (the default cap)
        // the data identify it only weakly and calibration fixes it (tested below).
        max_attempts: 10,
        gap_hours: vec![1.0, 24.0, 48.0, 96.0, 168.0, 168.0, 168.0, 168.0, 168.0],
        ..SynthParams::default()
    }
}

fn run(p: &SynthParams, seed: u64, dir: &std::path::Path) -> (Calibration, SynthExport) {
    let export = write_export(dir, p, seed, false).unwrap();
    let options = ReadOptions {
        as_of: Some(export.as_of.clone()),
        ..Default::default()
    };
    let h = read_history(&export.leads, Some(export.attempts.as_path()), &options).unwrap();
    (calibrate(&h), export)
}

/// Every (name, estimate, truth) a synthetic export with parameters `p` lets us check.
fn checks<'a>(
    c: &'a Calibration,
    p: &SynthParams,
    e: &SynthExport,
) -> Vec<(String, &'a Estimate, f64)> {
    let mut v: Vec<(String, &Estimate, f64)> = Vec::new();
    let mean_profile = p.weekday_profile[..5].iter().sum::<f64>() / 5.0;
    v.push((
        "rate_per_day".into(),
        &c.arrivals.rate_per_day,
        p.rate_per_day * mean_profile,
    ));
    for w in 0..5 {
        v.push((
            format!("weekday_profile[{w}]"),
            &c.arrivals.weekday_profile[w],
            p.weekday_profile[w] / mean_profile,
        ));
    }
    for h in 0..24 {
        v.push((
            format!("hour_profile[{h}]"),
            &c.arrivals.hour_profile[h],
            1.0,
        ));
    }
    let contact = c.contact.as_ref().unwrap();
    v.push(("contactable".into(), &contact.contactable, p.contactable));
    for (k, r) in contact.reach.iter().enumerate().take(p.reach.len()) {
        v.push((format!("reach[{}]", k + 1), r, p.reach[k]));
    }
    let cadence = c.cadence.as_ref().unwrap();
    for (k, g) in cadence.gaps.iter().enumerate() {
        v.push((format!("gap[{}]", k + 1), g, p.gap_hours[k]));
    }
    let pool = &c.pools[0];
    v.push(("handle_mean".into(), &pool.handle_mean, p.handling.0));
    v.push(("handle_cv".into(), &pool.handle_cv, p.handling.1));
    v.push(("talk_mean".into(), &pool.talk_mean, p.talk.0));
    v.push(("talk_cv".into(), &pool.talk_cv, p.talk.1));
    for (b, bin) in c.speed_to_lead.bins.iter().enumerate().skip(1) {
        v.push((
            format!("speed_to_lead[{b}]"),
            &bin.multiplier,
            e.speed_to_lead[b],
        ));
    }
    v.push(("win_rate".into(), &c.sales.win_rate, p.win_rate));
    v.push(("cycle_median".into(), &c.sales.cycle_median_days, p.cycle.0));
    v.push(("cycle_sigma".into(), &c.sales.cycle_sigma, p.cycle.1));
    v.push(("deal_median".into(), &c.sales.deal_median, p.deal.0));
    v.push(("deal_sigma".into(), &c.sales.deal_sigma, p.deal.1));
    v.push(("pi_share".into(), &c.nurture.pi_share, p.rho));
    v.push((
        "purchase_scale".into(),
        &c.nurture.scale_months,
        p.purchase.0,
    ));
    v.push(("purchase_shape".into(), &c.nurture.shape, p.purchase.1));
    v
}

#[test]
fn intervals_cover_the_true_knobs_at_the_nominal_rate() {
    let p = params();
    let dir = tempfile::tempdir().unwrap();
    let (mut checked, mut covered) = (0usize, 0usize);
    let mut misses: Vec<String> = Vec::new();
    for seed in 1..=SEEDS {
        let (c, e) = run(&p, seed, &dir.path().join(format!("s{seed}")));
        // The estimator's bins are the generator's (none merged), so the truths line up.
        let edges: Vec<f64> = c.speed_to_lead.bins.iter().map(|b| b.lo_hours).collect();
        assert_eq!(edges, p.delay_bins, "seed {seed}: delay bins merged");
        // Point knobs: the cap in use and the reps per week are recovered exactly.
        assert_eq!(
            c.cadence.as_ref().unwrap().max_attempts.value,
            p.max_attempts as f64
        );
        assert_eq!(c.pools[0].reps.value, f64::from(p.reps));
        assert!(c.contact.as_ref().unwrap().identified);
        for (name, est, truth) in checks(&c, &p, &e) {
            assert!(
                est.is_estimated(),
                "seed {seed}: {name} fell back: {:?}",
                est.source
            );
            assert!(est.lo.is_some(), "seed {seed}: {name} has no interval");
            checked += 1;
            if est.covers(truth) {
                covered += 1;
            } else {
                misses.push(format!(
                    "seed {seed} {name}: {:.4} [{:.4}, {:.4}] truth {truth:.4}",
                    est.value,
                    est.lo.unwrap(),
                    est.hi.unwrap()
                ));
            }
        }
    }
    let rate = covered as f64 / checked as f64;
    // Binomial standard error of the coverage at the nominal 0.95; 3 of them either side.
    let se = (0.95 * 0.05 / checked as f64).sqrt();
    eprintln!(
        "coverage {covered}/{checked} = {rate:.3}; misses:\n{}",
        misses.join("\n")
    );
    assert!(
        (rate - 0.95).abs() < 3.0 * se,
        "coverage {rate:.3} over {checked} intervals; expected 0.95 +- {:.3}\n{}",
        3.0 * se,
        misses.join("\n")
    );
}
