//! The analytic oracles of MODEL.md section 5. Each compares a per-replication metric's mean
//! over replications with its closed form, within `SE_TOLERANCE` standard errors estimated
//! from the replication spread, on fixed seeds.

use std::path::Path;

use leadsim::sim::{run, Results, RunOptions, ScenarioFile};

/// Three standard errors: a correct engine fails a single check about 0.3% of the time, and the
/// seeds are fixed, so a pass is reproducible.
const SE_TOLERANCE: f64 = 3.0;

fn simulate(toml: &str, replications: usize, seed: u64) -> Results {
    let file = ScenarioFile::from_toml_str(toml, Path::new("oracle.toml")).unwrap();
    run(
        &file,
        &RunOptions {
            seed: Some(seed),
            replications: Some(replications),
            threads: None,
            progress: None,
        },
    )
    .unwrap()
}

fn check(results: &Results, metric: &str, expected: f64, what: &str) {
    let s = results
        .summary(&results.scenarios[0].name, metric)
        .unwrap()
        .value;
    let se = s.se();
    eprintln!(
        "{what}: {metric} {:.5} se {:.5} oracle {expected:.5} z {:.2}",
        s.mean,
        se,
        (s.mean - expected) / se
    );
    assert!(
        (s.mean - expected).abs() <= SE_TOLERANCE * se,
        "{what}: {metric} = {:.6} ± {:.6} (se), oracle {expected:.6}, off by {:.2} se",
        s.mean,
        se,
        (s.mean - expected).abs() / se
    );
}

/// One pool of `c` reps always on duty, exponential handling at rate `mu` per hour, Poisson
/// arrivals at `lambda` per hour, one attempt that always reaches, no threshold.
#[allow(clippy::too_many_arguments)]
fn queue_scenario(
    c: u32,
    mu: f64,
    lambda: f64,
    kappa: f64,
    p: f64,
    patience: Option<f64>,
    days: u32,
    warmup: u32,
) -> String {
    let patience = patience.map_or(String::new(), |m| format!("patience_hours = {m}"));
    format!(
        r#"
[population]
constant = {{ score = 0.5, propensity = {p}, value = 1.0 }}
[arrivals]
rate_per_day = {rate}
arrival_days = {days}
warmup_days = {warmup}
calendar = "always"
[pools.reps]
count = {c}
hours = "always"
handle_minutes = {{ dist = "exponential", mean = {handle} }}
talk_minutes = {{ dist = "fixed", value = 0 }}
[policy]
threshold = 0.0
max_attempts = 1
gap_hours = []
contactable = 1.0
reach = [1.0]
speed_to_lead = {{ exponential_per_hour = {kappa} }}
sla_hours = {SLA_HOURS}
{patience}
"#,
        rate = 24.0 * lambda,
        handle = 60.0 / mu
    )
}

/// The SLA of the queueing scenarios: short enough that meeting it is uncertain.
const SLA_HOURS: f64 = 0.05;

/// Erlang C probability of waiting, by the Erlang B recursion.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b / (1.0 - (a / f64::from(c)) * (1.0 - b))
}

#[test]
fn erlang_c_wait_probability_mean_wait_and_sql_rate() {
    let (c, mu, kappa, p) = (5, 6.0, 0.8, 0.4);
    for (i, rho) in [0.5, 0.8, 0.95].into_iter().enumerate() {
        let lambda = rho * f64::from(c) * mu;
        // Heavier loads relax more slowly: longer warm-up and window.
        let (days, warmup) = if rho > 0.9 { (24, 4) } else { (12, 2) };
        let r = simulate(
            &queue_scenario(c, mu, lambda, kappa, p, None, days, warmup),
            20,
            100 + i as u64,
        );
        let cw = erlang_c(c, lambda / mu);
        let gap = f64::from(c) * mu - lambda;
        let what = format!("Erlang C, utilisation {rho}");
        check(&r, "waited_share", cw, &what);
        check(&r, "response_mean_h", cw / gap, &what);
        check(
            &r,
            "mql_to_sql",
            p * ((1.0 - cw) + cw * gap / (gap + kappa)),
            &what,
        );
        check(&r, "utilisation_reps", rho, &what);
        // P(wait > t) = C exp(-(c mu - lambda) t): the SLA share and the 90th percentile.
        check(&r, "sla_met", 1.0 - cw * (-gap * SLA_HOURS).exp(), &what);
        let p90 = if cw > 0.1 { (cw / 0.1).ln() / gap } else { 0.0 };
        check(&r, "response_p90_h", p90, &what);
    }
}

/// Erlang A by a truncated birth-death chain: for an arrival that finds `j >= c` in the system
/// at position `n = j - c + 1`, each step ahead takes Exp(c mu + n theta) and is survived with
/// probability (c mu + (n - 1) theta) / (c mu + n theta).
fn erlang_a(c: u32, mu: f64, lambda: f64, theta: f64) -> (f64, f64, f64) {
    let cmu = f64::from(c) * mu;
    let n_max = c as usize + 4000;
    let mut w = vec![1.0f64; n_max + 1];
    for j in 1..=n_max {
        let death = (j.min(c as usize)) as f64 * mu + (j.saturating_sub(c as usize)) as f64 * theta;
        w[j] = w[j - 1] * lambda / death;
    }
    let total: f64 = w.iter().sum();
    let (mut abandon, mut waited, mut served, mut wait_served) = (0.0, 0.0, 0.0, 0.0);
    for (j, wj) in w.iter().enumerate() {
        let pj = wj / total;
        if j < c as usize {
            served += pj;
            continue;
        }
        waited += pj;
        let n = j - c as usize + 1;
        let (mut survive, mut mean_time) = (1.0, 0.0);
        for i in 1..=n {
            let rate = cmu + i as f64 * theta;
            survive *= (cmu + (i - 1) as f64 * theta) / rate;
            mean_time += 1.0 / rate;
        }
        served += pj * survive;
        wait_served += pj * survive * mean_time;
        abandon += pj * (1.0 - survive);
    }
    (abandon, wait_served / served, waited)
}

#[test]
fn erlang_a_abandonment_and_mean_wait() {
    let (c, mu, patience_mean) = (5, 6.0, 0.5);
    for (i, rho) in [0.5, 0.8, 0.95].into_iter().enumerate() {
        let lambda = rho * f64::from(c) * mu;
        let r = simulate(
            &queue_scenario(c, mu, lambda, 0.0, 0.5, Some(patience_mean), 12, 2),
            20,
            200 + i as u64,
        );
        let (abandon, wait, waited) = erlang_a(c, mu, lambda, 1.0 / patience_mean);
        let what = format!("Erlang A, offered utilisation {rho}");
        let cold = r.column("baseline", "cold").unwrap();
        let mqls = r.column("baseline", "mqls").unwrap();
        let shares: Vec<f64> = cold.iter().zip(&mqls).map(|(a, b)| a / b).collect();
        let s = leadsim::stats::Interval::of(shares);
        assert!(
            (s.mean - abandon).abs() <= SE_TOLERANCE * s.se(),
            "{what}: abandonment {} ± {} vs {abandon}",
            s.mean,
            s.se()
        );
        check(&r, "response_mean_h", wait, &what);
        check(&r, "waited_share", waited, &what);
    }
}

#[test]
fn no_capacity_limit_sql_rate_closed_form() {
    let (p, contactable, handle_h) = (0.6, 0.6, 0.1);
    let reach = [0.39, 0.54, 0.39, 0.29, 0.25, 0.25];
    let gaps = [1.0, 24.0, 48.0, 96.0, 168.0];
    let table = [
        [0.0, 1.0],
        [1.0, 0.75],
        [24.0, 0.45],
        [72.0, 0.35],
        [720.0, 0.25],
    ];
    let toml = format!(
        r#"
[population]
constant = {{ score = 0.9, propensity = {p}, value = 1.0 }}
[arrivals]
rate_per_day = 200
arrival_days = 30
calendar = "always"
[pools.everyone]
count = 100000
hours = "always"
handle_minutes = {{ dist = "fixed", value = {handle} }}
talk_minutes = {{ dist = "lognormal", mean = 20, cv = 0.5 }}
[policy]
threshold = 0.0
contactable = {contactable}
"#,
        handle = handle_h * 60.0
    );
    let r = simulate(&toml, 20, 300);
    // Attempt k starts after k unreached attempts and their gaps; unreached ones last `handle_h`.
    let g = leadsim::sim::engine::SpeedCurve::table(&table);
    let (mut offset, mut not_yet, mut sum) = (0.0, 1.0, 0.0);
    for k in 0..6 {
        sum += not_yet * reach[k] * g.eval(offset);
        not_yet *= 1.0 - reach[k];
        if k < 5 {
            offset += handle_h + gaps[k];
        }
    }
    check(&r, "mql_to_sql", p * contactable * sum, "no capacity limit");
    check(&r, "response_mean_h", 0.0, "no capacity limit");
}

#[test]
fn nurture_decision_law_share_within_12_months() {
    for (i, (preset, pi, scale, shape)) in [
        ("rule-of-45", 0.62, 9.8, 1.26),
        ("rejected-80", 0.95, 6.5, 1.0),
    ]
    .into_iter()
    .enumerate()
    {
        let toml = format!(
            r#"
[population]
constant = {{ score = 0.5, propensity = 0.5, value = 1.0 }}
[arrivals]
rate_per_day = 300
arrival_days = 20
[pools.sdr]
count = 1
[policy]
threshold = 1.0
nurture = {{ enabled = false }}
[outcomes]
share = 1.0
decision = {{ preset = "{preset}" }}
"#
        );
        let r = simulate(&toml, 20, 400 + i as u64);
        let deals = r.column("baseline", "recovered_deals_12m").unwrap();
        let retained = r.column("baseline", "retained").unwrap();
        let shares: Vec<f64> = deals.iter().zip(&retained).map(|(a, b)| a / b).collect();
        let s = leadsim::stats::Interval::of(shares);
        let expected: f64 = pi * (1.0 - (-(12.0f64 / scale).powf(shape)).exp());
        assert!(
            (s.mean - expected).abs() <= SE_TOLERANCE * s.se(),
            "{preset}: {} ± {} vs {expected}",
            s.mean,
            s.se()
        );
    }
}
