//! The calibration of propensities under the historical process (docs/model.md section 8.2):
//! it reproduces the label rate of every score decile, it is the same for any thread count,
//! `[history]` names the process it runs under, and explicit propensities are left alone.

use std::path::Path;

use leadsim::error::ConfigProblem;
use leadsim::sim::calibration::calibrate;
use leadsim::sim::engine::{simulate_traced, DecileFactors, Trace};
use leadsim::sim::{run, RunOptions, ScenarioFile, Warning};
use leadsim::Error;

/// A small funnel: 40 MQLs a business day in office hours, every MQL handed over to five
/// SDRs. `extra` is appended (scenarios, `[history]`).
fn funnel(population: &str, threshold: f64, extra: &str) -> String {
    format!(
        r#"
name = "calibration"
seed = 3
replications = 30
[population]
{population}
[arrivals]
rate_per_day = 40
arrival_days = 40
warmup_days = 7
hour_profile = [0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0]
[pools.sdr]
count = 5
hours = {{ days = "mon-fri", start = 8.0, end = 17.0 }}
[policy]
threshold = {threshold}
{extra}
"#
    )
}

fn parse(text: &str) -> leadsim::Result<ScenarioFile> {
    ScenarioFile::from_toml_str(text, Path::new("calibration.toml"))
}

const GENERATOR: &str = "generator = \"b2b-saas\"";

/// A scored table whose scores (the label probabilities, docs/model.md section 8.1) run evenly from 0.02
/// to 0.30: every one of them can be produced under the funnel's process (a reached lead's
/// speed-to-lead multiplier averages about 0.6 and 56% are reached, so up to about 0.33).
fn scored_table(dir: &Path) -> String {
    let csv = dir.join("scored.csv");
    let mut text = String::from("score\n");
    for i in 0..2000 {
        text.push_str(&format!("{}\n", 0.02 + 0.28 * f64::from(i) / 1999.0));
    }
    std::fs::write(&csv, text).unwrap();
    format!("table = \"{}\"", csv.display())
}

/// Every counted lead's score, and the scores of the counted leads that became SQLs.
#[derive(Default)]
struct Leads {
    scores: Vec<f64>,
    sql_scores: Vec<f64>,
}

impl Trace for Leads {
    fn counted(&mut self, score: f64, _propensity: f64) {
        self.scores.push(score);
    }
    fn reached(&mut self, score: f64, _propensity: f64, _multiplier: f64, sql: bool) {
        if sql {
            self.sql_scores.push(score);
        }
    }
}

/// Per-replication SQL rate of each score decile of scenario 0, from the run's own
/// replications (sampled SQLs, not the calibration's expected ones).
fn decile_rates(file: &ScenarioFile, reps: u64) -> (Vec<[f64; 10]>, [f64; 10]) {
    let cals = calibrate(file, file.seed, None).unwrap();
    let compiled = cals.compile(file);
    let cal = &cals.list[cals.of_scenario[0].unwrap()];
    let cuts = cal.factors.cuts;
    let mut per = Vec::new();
    for r in 0..reps {
        let mut trace = Leads::default();
        simulate_traced(&compiled[0], file.seed, r, None, &mut trace);
        let (mut n, mut sql) = ([0.0; 10], [0.0; 10]);
        for s in &trace.scores {
            n[DecileFactors::decile(&cuts, *s)] += 1.0;
        }
        for s in &trace.sql_scores {
            sql[DecileFactors::decile(&cuts, *s)] += 1.0;
        }
        per.push(std::array::from_fn(|d| sql[d] / n[d]));
    }
    let label = std::array::from_fn(|d| cal.deciles[d].label_rate);
    (per, label)
}

fn mean_se(x: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = x.clone().count() as f64;
    let m = x.clone().sum::<f64>() / n;
    let var = x.map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn a_calibrated_run_reproduces_the_label_rate_of_every_decile() {
    let dir = tempfile::tempdir().unwrap();
    let file = parse(&funnel(&scored_table(dir.path()), 0.0, "")).unwrap();
    let reps = 30;
    let (per, label) = decile_rates(&file, reps);
    let cals = calibrate(&file, file.seed, None).unwrap();
    let cal = &cals.list[0];
    for d in 0..10 {
        assert!(cal.deciles[d].feasible, "decile {}", d + 1);
        let (m, se_run) = mean_se(per.iter().map(|r| r[d]));
        // The calibration's own Monte Carlo error: at most that of sampled SQLs over its leads
        // (integrating out the qualification draw only lowers it), so scale the run's standard
        // error by the ratio of the leads behind each. Three combined standard errors: a
        // correct calibration fails this about 3 times in 1,000 deciles.
        let run_leads = (per.len() as f64) * cal.deciles[d].leads as f64 / cal.replications as f64;
        let se = se_run * (1.0 + run_leads / cal.deciles[d].leads as f64).sqrt();
        assert!(
            (m - label[d]).abs() < 3.0 * se,
            "decile {}: simulated {m:.4} ± {se:.4}, label rate {:.4}",
            d + 1,
            label[d]
        );
    }
    // The deciles are what they say: label rates rise with the score.
    assert!(label.windows(2).all(|w| w[0] < w[1]), "{label:?}");
}

#[test]
fn the_calibration_is_the_same_for_1_2_and_8_threads() {
    let file = parse(&funnel(GENERATOR, 0.0, "")).unwrap();
    let one = calibrate(&file, 9, Some(1)).unwrap();
    for threads in [2, 8] {
        let other = calibrate(&file, 9, Some(threads)).unwrap();
        assert_eq!(one.list.len(), other.list.len());
        for (a, b) in one.list.iter().zip(&other.list) {
            assert_eq!(a.deciles, b.deciles, "{threads} threads");
            assert_eq!(a.factors, b.factors, "{threads} threads");
        }
    }
}

#[test]
fn history_names_the_process_the_labels_came_from() {
    // Today hands over only scores from 0.2 on (the top 36% of the table); without
    // `[history]` that is also the
    // historical process, under which retained leads were never SQLs: their deciles'
    // label rates cannot be produced, and the warning says so.
    let dir = tempfile::tempdir().unwrap();
    let table = scored_table(dir.path());
    let today_only = parse(&funnel(&table, 0.2, "")).unwrap();
    let r = run(&today_only, &RunOptions::default()).unwrap();
    let warned: Vec<Warning> = r
        .warnings()
        .into_iter()
        .filter(|w| matches!(w, Warning::CannotProduce { decile: 1, .. }))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", r.warnings());
    assert!(warned[0].to_string().contains("cannot be produced"));
    assert!(!r.calibration[0].deciles[0].feasible);
    // With the history that handed every MQL over, the same today is calibrated under it:
    // every decile feasible, and the low deciles' factors finite.
    let with_history = parse(&funnel(&table, 0.2, "[history.policy]\nthreshold = 0.0\n")).unwrap();
    let cals = calibrate(&with_history, with_history.seed, None).unwrap();
    assert!(cals.list[0].deciles.iter().all(|d| d.feasible));
    assert_eq!(with_history.history.policy.threshold, 0.0);
    assert_eq!(with_history.scenarios[0].policy.threshold, 0.2);
    // One calibration for every scenario with the same population, even if their pools differ.
    let two = parse(&funnel(
        GENERATOR,
        0.0,
        "[[scenario]]\nname = \"today\"\n[[scenario]]\nname = \"more reps\"\n[scenario.pools.sdr]\ncount = 9\n",
    ))
    .unwrap();
    let cals = calibrate(&two, 1, None).unwrap();
    assert_eq!(cals.list.len(), 1);
    assert_eq!(cals.list[0].scenarios, ["today", "more reps"]);
}

#[test]
fn history_errors_name_their_key_path() {
    for (extra, field) in [
        (
            "[history.policy]\nthreshold = 2.0\n",
            "history.policy.threshold",
        ),
        (
            "[history.pools.sdr]\ncount = -1\n",
            "history.pools.sdr.count",
        ),
        ("[history.arrivals]\nrate_per_day = 3\n", "history.arrivals"),
        (
            "[history.policy]\nthreshhold = 0.1\n",
            "history.policy.threshhold",
        ),
    ] {
        match parse(&funnel(GENERATOR, 0.0, extra)) {
            Err(Error::Config { field: f, .. }) => assert_eq!(f, field, "{extra}"),
            other => panic!("{extra}: expected a config error, got {other:?}"),
        }
    }
    match parse(&funnel(
        GENERATOR,
        0.0,
        "[history.policy]\nthreshhold = 0.1\n",
    )) {
        Err(Error::Config {
            problem: ConfigProblem::UnknownKey { suggestion },
            ..
        }) => assert_eq!(suggestion.as_deref(), Some("threshold")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn explicit_propensities_and_constants_are_taken_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "score,p\n0.2,0.3\n0.6,0.7\n0.9,0.4\n").unwrap();
    let table = |keys: &str| format!("table = \"{}\"\n{keys}", csv.display());
    for (population, calibrated) in [
        (table(""), true),
        (table("propensity_column = \"p\""), false),
        (table("propensity_scale = 1.0"), false),
        (
            "constant = { score = 1.0, propensity = 0.3 }".to_string(),
            false,
        ),
        (GENERATOR.to_string(), true),
    ] {
        let file = parse(&funnel(&population, 0.0, "")).unwrap();
        let cals = calibrate(&file, 1, None).unwrap();
        assert_eq!(cals.list.len(), usize::from(calibrated), "{population}");
        assert_eq!(
            file.scenarios[0].population.calibrates(),
            calibrated,
            "{population}"
        );
    }
    // A table's label probability is its score: every feasible decile reproduces its mean
    // score as its expected SQL rate (the 0.9 leads are beyond what the process can produce).
    let file = parse(&funnel(&table(""), 0.0, "")).unwrap();
    let cals = calibrate(&file, 1, None).unwrap();
    for d in cals.list[0]
        .deciles
        .iter()
        .filter(|d| d.feasible && d.leads > 0)
    {
        assert!(
            (d.simulated_rate - d.label_rate).abs() < 1e-12,
            "{d:?} (feasible deciles are solved exactly)"
        );
    }
}
