//! Parameter recovery: on synthetic histories whose true coefficients are known, the trainer's
//! 95% intervals must cover the truth at close to the nominal rate.

use leadsim::generate::{write_history, Preset};
use leadsim::scoring::train::{train, Silent, TrainOptions};

/// Seeds and size: 8 fits of 20,000 leads give 8 x 33 = 264 interval checks.
const SEEDS: u64 = 8;
const LEADS: usize = 20_000;

#[test]
fn true_coefficients_fall_inside_95_percent_intervals_at_the_nominal_rate() {
    let dir = tempfile::tempdir().unwrap();
    let mut checks = 0usize;
    let mut covered = 0usize;
    let mut z_sum_sq = 0.0;
    for seed in 1..=SEEDS {
        let path = dir.path().join(format!("h{seed}.csv"));
        let truth = write_history(&path, Preset::B2bSaas, LEADS, seed).unwrap();
        let model = train(
            &TrainOptions {
                data: path,
                target: Some("converted".into()),
                holdout: 0.0,
                seed,
                ..Default::default()
            },
            &Silent,
        )
        .unwrap();
        assert!(model.fit.converged);
        for c in &model.coefficients {
            let true_value = if c.name == "(intercept)" {
                truth.intercept
            } else {
                // Columns without a true coefficient (deal_value) have a true effect of zero.
                truth.coefficient(&c.name).unwrap_or(0.0)
            };
            let (lo, hi, se) = (
                c.ci_lower.unwrap(),
                c.ci_upper.unwrap(),
                c.std_error.unwrap(),
            );
            checks += 1;
            covered += usize::from(lo <= true_value && true_value <= hi);
            z_sum_sq += ((c.estimate - true_value) / se).powi(2);
        }
        // Every true coefficient must have a column in the model (names line up).
        for t in &truth.coefficients {
            assert!(
                model.coefficients.iter().any(|c| c.name == t.name),
                "no model coefficient named {}",
                t.name
            );
        }
    }
    let rate = covered as f64 / checks as f64;
    eprintln!("coverage {covered}/{checks} = {rate:.3}, sum of squared z {z_sum_sq:.1}");
    // Binomial standard error of the coverage rate at the nominal 0.95.
    let se = (0.95 * 0.05 / checks as f64).sqrt();
    assert!(
        (rate - 0.95).abs() < 3.0 * se,
        "coverage {rate:.3} over {checks} intervals; expected 0.95 +- {:.3}",
        3.0 * se
    );
    // Standardised errors should have variance ~1: chi-square with `checks` degrees of freedom
    // has mean checks and sd sqrt(2 checks).
    let dof = checks as f64;
    assert!(
        (z_sum_sq - dof).abs() < 3.0 * (2.0 * dof).sqrt(),
        "sum of squared z = {z_sum_sq:.1} for {checks} coefficients"
    );
}
