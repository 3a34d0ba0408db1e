//! The nurture law follows the lead (docs/model.md section 2.9): a nurtured lead buys with
//! probability `min(1, share * lift * (q / q_bar)^elasticity)`.

use std::path::Path;

use leadsim::error::ConfigProblem;
use leadsim::sim::engine::Compiled;
use leadsim::sim::{run, Results, RunOptions, ScenarioFile};
use leadsim::Error;

/// Three standard errors, as the oracles: a correct engine fails one check about 0.3% of the
/// time, and the seeds are fixed, so a pass is reproducible.
const SE_TOLERANCE: f64 = 3.0;

/// Two kinds of leads, half each, propensities given explicitly: weak (score 0.1, q = 0.05) and
/// strong (score 0.9, q = 0.5), so `q_bar = 0.275`. Every deal is worth 1, so recovered revenue
/// counts recovered deals. A threshold of 0.5 hands over only the strong kind: the retained
/// leads are all weak. `share = 0.5` keeps the strong kind's buy probability (0.5 x 0.5 / 0.275
/// = 0.909 with elasticity 1) below the cap. The two scenarios differ only in the elasticity and
/// see the same leads and draws (common random numbers).
fn two_kinds(dir: &Path) -> ScenarioFile {
    let mut csv = String::from("score,propensity,value\n");
    for i in 0..1000 {
        csv.push_str(if i % 2 == 0 {
            "0.1,0.05,1\n"
        } else {
            "0.9,0.5,1\n"
        });
    }
    std::fs::write(dir.join("two_kinds.csv"), csv).unwrap();
    let toml = r#"
name = "two kinds"
[population]
table = "two_kinds.csv"
score_column = "score"
propensity_column = "propensity"
value_column = "value"
[arrivals]
rate_per_day = 200
arrival_days = 25
[pools.sdr]
count = 40
[policy]
threshold = 0.5
nurture = { enabled = false }
[outcomes]
share = 0.5
share_elasticity = 0.0
decision = { preset = "rejected-80" }

[[scenario]]
name = "elasticity 0"

[[scenario]]
name = "elasticity 1"
outcomes = { share_elasticity = 1.0 }
"#;
    let path = dir.join("two_kinds.toml");
    std::fs::write(&path, toml).unwrap();
    ScenarioFile::load(&path).unwrap()
}

fn total(r: &Results, scenario: &str, metric: &str) -> f64 {
    r.column(scenario, metric).unwrap().iter().sum()
}

#[test]
fn retained_weak_leads_recover_in_proportion_to_their_propensity() {
    let dir = tempfile::tempdir().unwrap();
    let file = two_kinds(dir.path());
    let q_bar = Compiled::new(&file.scenarios[0]).mean_propensity();
    assert!((q_bar - 0.275).abs() < 1e-12, "q_bar {q_bar}");
    let r = run(
        &file,
        &RunOptions {
            seed: Some(9),
            replications: Some(20),
            ..Default::default()
        },
    )
    .unwrap();
    let base = "elasticity 0";
    // The same draws in both scenarios: a weak lead buys under elasticity 1 (u < 0.5 x 0.05 /
    // 0.275) only if it buys under elasticity 0 (u < 0.5), so the elasticity-1 recoveries are a
    // binomial thinning of the elasticity-0 ones with p = 0.05 / 0.275, and the ratio's standard
    // error is sqrt(p (1 - p) / n0).
    let n0 = total(&r, base, "recovered_revenue_12m_retained");
    let n1 = total(&r, "elasticity 1", "recovered_revenue_12m_retained");
    let p = 0.05 / 0.275;
    let se = (p * (1.0 - p) / n0).sqrt();
    eprintln!(
        "retained: {n1} / {n0} = {:.4}, expected {p:.4} ± {se:.4}",
        n1 / n0
    );
    assert!(n0 > 1000.0, "enough recoveries to test: {n0}");
    assert!(
        (n1 / n0 - p).abs() <= SE_TOLERANCE * se,
        "{n1} / {n0} vs {p}"
    );
    // The strong kind (every handed-over lead that is not an SQL) goes the other way: under
    // elasticity 0 it buys (u < 0.5) only if it buys under elasticity 1 (u < 0.909), a thinning
    // with p = 0.5 / 0.909 = 0.55.
    let m0 = total(&r, base, "recovered_revenue_12m_turned_away");
    let m1 = total(&r, "elasticity 1", "recovered_revenue_12m_turned_away");
    let p = 0.5 / (0.5 * 0.5 / 0.275);
    let se = (p * (1.0 - p) / m1).sqrt();
    eprintln!(
        "turned away: {m0} / {m1} = {:.4}, expected {p:.4} ± {se:.4}",
        m0 / m1
    );
    assert!(m1 > 1000.0, "enough recoveries to test: {m1}");
    assert!(
        (m0 / m1 - p).abs() <= SE_TOLERANCE * se,
        "{m0} / {m1} vs {p}"
    );
    // Nothing before the nurture decision changes.
    for m in [
        "retained",
        "sqls",
        "rejected",
        "unreached",
        "won_revenue_12m",
    ] {
        assert_eq!(r.column(base, m), r.column("elasticity 1", m), "{m}");
    }
}

#[test]
fn a_constant_population_ignores_the_elasticity() {
    let toml = |e: f64| {
        format!(
            r#"
[population]
constant = {{ score = 0.2, propensity = 0.3, value = 1.0 }}
[arrivals]
rate_per_day = 100
arrival_days = 10
[pools.sdr]
count = 2
[policy]
threshold = 0.5
[outcomes]
share_elasticity = {e}
"#
        )
    };
    let go = |e: f64| {
        let file = ScenarioFile::from_toml_str(&toml(e), Path::new("c.toml")).unwrap();
        assert_eq!(Compiled::new(&file.scenarios[0]).mean_propensity(), 0.3);
        let r = run(
            &file,
            &RunOptions {
                seed: Some(3),
                replications: Some(3),
                ..Default::default()
            },
        )
        .unwrap();
        r.column("baseline", "recovered_revenue_12m").unwrap()
    };
    let zero = go(0.0);
    assert!(zero.iter().all(|x| *x > 0.0));
    assert_eq!(zero, go(1.0));
    assert_eq!(zero, go(2.0));
}

#[test]
fn the_elasticity_must_lie_in_zero_to_two() {
    for bad in ["-0.1", "2.5"] {
        let text = format!(
            "[population]\nconstant = {{ score = 0.2, propensity = 0.3 }}\n[arrivals]\nrate_per_day = 10\narrival_days = 5\n[pools.sdr]\ncount = 1\n[outcomes]\nshare_elasticity = {bad}\n"
        );
        match ScenarioFile::from_toml_str(&text, Path::new("e.toml")) {
            Err(Error::Config { field, problem, .. }) => {
                assert_eq!(field, "outcomes.share_elasticity");
                assert!(
                    matches!(problem, ConfigProblem::OutOfRange { min, max, .. } if min == 0.0 && max == 2.0),
                    "{problem:?}"
                );
            }
            other => panic!("expected a config error, got {other:?}"),
        }
    }
}
