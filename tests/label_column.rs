//! `population.label_column` (docs/model.md section 8.2): a scored table's observed outcomes
//! set each score decile's label rate. The calibration then reproduces the observed rate, not
//! the mean score; the key is checked like every other; a bad value names its line, column and
//! value; and the calibration is the same for 1, 2 and 8 threads.

use std::path::Path;

use leadsim::error::ConfigProblem;
use leadsim::sim::calibration::calibrate;
use leadsim::sim::engine::{simulate_traced, DecileFactors, Trace};
use leadsim::sim::model::Population;
use leadsim::sim::ScenarioFile;
use leadsim::Error;

/// The funnel of `tests/one_world_calibration.rs`: 40 MQLs a business day in office hours,
/// every MQL handed over to five SDRs.
fn funnel(population: &str) -> String {
    format!(
        r#"
name = "labels"
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
threshold = 0.0
"#
    )
}

fn parse(text: &str) -> leadsim::Result<ScenarioFile> {
    ScenarioFile::from_toml_str(text, Path::new("labels.toml"))
}

/// 2,000 leads whose scores run evenly from 0.02 to 0.30 but whose observed outcomes are not
/// the scores: a lead is an SQL when `(7 i) mod 10 < 2` (20% in every decile, whatever the
/// score), and every 25th lead is not observed (empty). The scores are miscalibrated in both
/// directions: the low deciles convert better than their scores say, the high ones worse.
fn miscalibrated_table(dir: &Path) -> (std::path::PathBuf, Vec<(f64, Option<bool>)>) {
    let csv = dir.join("leads.csv");
    let mut text = String::from("score,sql\n");
    let mut rows = Vec::new();
    for i in 0..2000u32 {
        let score = 0.02 + 0.28 * f64::from(i) / 1999.0;
        let label = (i % 25 != 24).then_some((7 * i) % 10 < 2);
        let cell = match label {
            None => "",
            Some(true) => "1",
            Some(false) => "0",
        };
        text.push_str(&format!("{score},{cell}\n"));
        rows.push((score, label));
    }
    std::fs::write(&csv, text).unwrap();
    (csv, rows)
}

fn table_keys(csv: &Path, keys: &str) -> String {
    format!("table = \"{}\"\n{keys}", csv.display())
}

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

#[test]
fn each_decile_is_calibrated_to_its_observed_rate_and_the_run_reproduces_it() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, rows) = miscalibrated_table(dir.path());
    let file = parse(&funnel(&table_keys(&csv, "label_column = \"sql\""))).unwrap();
    match &file.scenarios[0].population {
        Population::Table { label_column, .. } => assert_eq!(label_column.as_deref(), Some("sql")),
        other => panic!("{other:?}"),
    }
    assert!(file.scenarios[0].population.calibrates());
    let cals = calibrate(&file, file.seed, None).unwrap();
    let cal = &cals.list[0];
    assert_eq!(cal.label_column.as_deref(), Some("sql"));
    assert!(
        cal.population.contains("label column sql"),
        "{}",
        cal.population
    );
    let cuts = cal.factors.cuts;

    // The label rate of each decile is the observed rate of its labelled rows, counted here
    // from the rows the test wrote.
    let (mut sqls, mut labelled) = ([0usize; 10], [0usize; 10]);
    for (s, l) in &rows {
        if let Some(sql) = l {
            let d = DecileFactors::decile(&cuts, *s);
            sqls[d] += usize::from(*sql);
            labelled[d] += 1;
        }
    }
    for (d, row) in cal.deciles.iter().enumerate() {
        assert_eq!(row.labelled, Some(labelled[d]), "decile {}", d + 1);
        let observed = sqls[d] as f64 / labelled[d] as f64;
        assert!(
            (row.label_rate - observed).abs() < 1e-12,
            "decile {}: {} against {observed}",
            d + 1,
            row.label_rate
        );
        assert!(row.feasible, "decile {}", d + 1);
        // Solved exactly (expected SQLs, the qualification draw integrated out).
        assert!((row.simulated_rate - row.label_rate).abs() < 1e-12);
    }
    // The scores say 3% in the lowest decile and 29% in the highest; the labels say about 20%
    // in both, so the lowest decile's factor is far above the highest's.
    assert!(cal.deciles[0].factor > 3.0 * cal.deciles[9].factor);
    let text = cal.table();
    assert!(text.contains("observed"), "{text}");
    assert!(text.contains("column \"sql\""), "{text}");

    // The run's own replications (sampled SQLs) reproduce the observed rate of every decile.
    let compiled = cals.compile(&file);
    let reps = 30;
    let mut per: Vec<[f64; 10]> = Vec::new();
    for r in 0..reps {
        let mut t = Leads::default();
        simulate_traced(&compiled[0], file.seed, r, None, &mut t);
        let (mut n, mut k) = ([0.0; 10], [0.0; 10]);
        for s in &t.scores {
            n[DecileFactors::decile(&cuts, *s)] += 1.0;
        }
        for s in &t.sql_scores {
            k[DecileFactors::decile(&cuts, *s)] += 1.0;
        }
        per.push(std::array::from_fn(|d| k[d] / n[d]));
    }
    for d in 0..10 {
        let x: Vec<f64> = per.iter().map(|r| r[d]).collect();
        let m = x.iter().sum::<f64>() / x.len() as f64;
        let var = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
        let se_run = (var / x.len() as f64).sqrt();
        // As in tests/one_world_calibration.rs: the calibration's own Monte Carlo error is at
        // most that of sampled SQLs over its leads, so the run's standard error is widened by
        // the ratio of the leads behind each; three combined standard errors.
        let run_leads = reps as f64 * cal.deciles[d].leads as f64 / cal.replications as f64;
        let se = se_run * (1.0 + run_leads / cal.deciles[d].leads as f64).sqrt();
        let target = cal.deciles[d].label_rate;
        assert!(
            (m - target).abs() < 3.0 * se,
            "decile {}: simulated {m:.4} ± {se:.4}, observed {target:.4}",
            d + 1
        );
    }
}

#[test]
fn within_a_decile_the_propensity_keeps_its_proportion_to_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = miscalibrated_table(dir.path());
    let file = parse(&funnel(&table_keys(&csv, "label_column = \"sql\""))).unwrap();
    let cals = calibrate(&file, file.seed, None).unwrap();
    let f = &cals.list[0].factors;
    // Every counted lead of a run carries min(1, f_d p) with p its score: within a decile the
    // propensity stands in the ratio of the scores (no lead is capped here), so the ranking is
    // the score's and a threshold on the score hands over the same leads.
    #[derive(Default)]
    struct Counted(Vec<[f64; 2]>);
    impl Trace for Counted {
        fn counted(&mut self, score: f64, propensity: f64) {
            self.0.push([score, propensity]);
        }
    }
    let compiled = cals.compile(&file);
    let mut t = Counted::default();
    simulate_traced(&compiled[0], file.seed, 0, None, &mut t);
    assert!(t.0.len() > 500, "{}", t.0.len());
    for [s, q] in &t.0 {
        let d = DecileFactors::decile(&f.cuts, *s);
        assert!(*q < 1.0);
        assert!(
            (q / s - f.factors[d]).abs() < 1e-12 * f.factors[d],
            "{s} {q}"
        );
    }
}

#[test]
fn labels_read_as_one_zero_yes_no_true_false_and_empty() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    let mut text = String::from("score,won\n");
    let words = ["1", "0", "yes", "No", "TRUE", "false", ""];
    for i in 0..70 {
        text.push_str(&format!(
            "{},{}\n",
            0.01 * f64::from(i + 1),
            words[i as usize % 7]
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let file = parse(&funnel(&table_keys(&csv, "label_column = \"won\""))).unwrap();
    let cals = calibrate(&file, 1, Some(1)).unwrap();
    // Of every 7 rows, 3 are SQLs, 3 are not and 1 is not observed.
    let labelled: usize = cals.list[0]
        .deciles
        .iter()
        .map(|d| d.labelled.unwrap())
        .sum();
    assert_eq!(labelled, 60);
    let (k, n) = cals.list[0].deciles.iter().fold((0.0, 0.0), |(k, n), d| {
        let m = d.labelled.unwrap() as f64;
        (k + d.label_rate * m, n + m)
    });
    assert!((k / n - 0.5).abs() < 1e-12, "{}", k / n);
}

#[test]
fn bad_label_values_name_the_file_line_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    for bad in ["2", "maybe", "0.5", "-1"] {
        std::fs::write(&csv, format!("score,sql\n0.1,1\n0.2,0\n0.3,{bad}\n")).unwrap();
        match parse(&funnel(&table_keys(&csv, "label_column = \"sql\""))) {
            Err(Error::BadValue {
                path,
                line,
                column,
                value,
                ..
            }) => {
                assert_eq!(path, csv);
                assert_eq!(line, 4, "header is line 1");
                assert_eq!(column, "sql");
                assert_eq!(value, bad);
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    // A column that is not there, with a suggestion.
    std::fs::write(&csv, "score,sql\n0.1,1\n").unwrap();
    match parse(&funnel(&table_keys(&csv, "label_column = \"sqll\""))) {
        Err(Error::UnknownColumn { column, hint, .. }) => {
            assert_eq!(column, "sqll");
            assert!(hint.contains("\"sql\""), "{hint}");
        }
        other => panic!("{other:?}"),
    }
    // A column without a single observed outcome.
    std::fs::write(&csv, "score,sql\n0.1,\n0.2,\n").unwrap();
    match parse(&funnel(&table_keys(&csv, "label_column = \"sql\""))) {
        Err(Error::Config {
            field,
            problem: ConfigProblem::NoLabels { column, .. },
            ..
        }) => {
            assert_eq!(field, "population.label_column");
            assert_eq!(column, "sql");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_key_is_checked_like_the_other_population_keys() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "score,p,sql\n0.1,0.2,1\n0.5,0.4,0\n").unwrap();
    // A label rate only means something for a calibrated table.
    for (keys, other) in [
        (
            "label_column = \"sql\"\npropensity_column = \"p\"",
            "propensity_column",
        ),
        (
            "label_column = \"sql\"\npropensity_scale = 1.0",
            "propensity_scale",
        ),
    ] {
        match parse(&funnel(&table_keys(&csv, keys))) {
            Err(Error::Config {
                field,
                problem: ConfigProblem::LabelWithPropensity { other: o },
                ..
            }) => {
                assert_eq!(field, "population.label_column");
                assert_eq!(o, other);
            }
            r => panic!("{keys}: {r:?}"),
        }
    }
    // Not a string.
    match parse(&funnel(&table_keys(&csv, "label_column = 3"))) {
        Err(Error::Config { field, .. }) => assert_eq!(field, "population.label_column"),
        other => panic!("{other:?}"),
    }
    // Not a key of the generator.
    match parse(&funnel("generator = \"b2b-saas\"\nlabel_column = \"sql\"")) {
        Err(Error::Config {
            field,
            problem: ConfigProblem::UnknownKey { .. },
            ..
        }) => assert_eq!(field, "population.label_column"),
        other => panic!("{other:?}"),
    }
    // Without the key the table is calibrated to its scores, as before.
    let file = parse(&funnel(&table_keys(&csv, ""))).unwrap();
    let cals = calibrate(&file, 1, Some(1)).unwrap();
    assert_eq!(cals.list[0].label_column, None);
    assert!(cals.list[0].deciles.iter().all(|d| d.labelled.is_none()));
    // Two files differing only in the key get different calibrations (the key is part of
    // the population the calibration is shared by).
    let with = parse(&funnel(&table_keys(&csv, "label_column = \"sql\""))).unwrap();
    let labelled = calibrate(&with, 1, Some(1)).unwrap();
    assert_ne!(labelled.list[0].deciles, cals.list[0].deciles);
}

#[test]
fn a_labelled_calibration_is_the_same_for_1_2_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = miscalibrated_table(dir.path());
    let file = parse(&funnel(&table_keys(&csv, "label_column = \"sql\""))).unwrap();
    let one = calibrate(&file, 9, Some(1)).unwrap();
    assert!(one.list[0].label_column.is_some());
    for threads in [2, 8] {
        let other = calibrate(&file, 9, Some(threads)).unwrap();
        assert_eq!(one.list.len(), other.list.len());
        for (a, b) in one.list.iter().zip(&other.list) {
            assert_eq!(a.deciles, b.deciles, "{threads} threads");
            assert_eq!(a.factors, b.factors, "{threads} threads");
        }
    }
    // And a whole run on top of it.
    let run = |threads: usize| {
        let opts = leadsim::sim::RunOptions {
            threads: Some(threads),
            replications: Some(4),
            ..Default::default()
        };
        let r = leadsim::sim::run(&file, &opts).unwrap();
        serde_json::to_string(&r).unwrap()
    };
    let base = run(1);
    assert_eq!(base, run(2));
    assert_eq!(base, run(8));
}

#[test]
fn calibrate_stages_observed_outcomes_and_leaves_young_leads_empty() {
    // Export date 2026-06-30 (end of day): MQLs of May and earlier are at least 30 days old
    // and carry 1 or 0; June's are too young to be observed in full and carry nothing, SQL
    // or not (docs/calibrate.md).
    let dir = tempfile::tempdir().unwrap();
    let leads = dir.path().join("leads.csv");
    std::fs::write(
        &leads,
        "lead_id,mql_at,score,sql_at\n\
         old-sql,2026-04-01T10:00:00Z,0.4,2026-04-02T10:00:00Z\n\
         old-no,2026-04-02T10:00:00Z,0.3,\n\
         edge-no,2026-05-31T23:00:00Z,0.2,\n\
         young-sql,2026-06-02T10:00:00Z,0.6,2026-06-03T10:00:00Z\n\
         young-no,2026-06-20T10:00:00Z,0.1,\n",
    )
    .unwrap();
    let read = |leads: &std::path::Path| {
        leadsim::history::read_history(
            leads,
            None,
            &leadsim::history::ReadOptions {
                as_of: Some("2026-06-30".into()),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let hist = read(&leads);
    let c = leadsim::calibrate::calibrate(&hist);
    let csv = leadsim::calibrate::scenario::population_csv(&hist, &c);
    let labels: Vec<(&str, &str)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0], f[3])
        })
        .collect();
    assert_eq!(csv.lines().next(), Some("lead_id,score,mql_hours,sql"));
    assert_eq!(
        labels,
        [
            ("old-sql", "1"),
            ("old-no", "0"),
            ("edge-no", "0"),
            ("young-sql", ""),
            ("young-no", "")
        ]
    );
    let toml = leadsim::calibrate::scenario::scenario_toml(&hist, &c, "test");
    assert!(toml.contains("\nlabel_column = \"sql\""), "{toml}");
    assert!(toml.contains("empty for the 2 leads"), "{toml}");
    // Without an sql_at column there is nothing observed: no label column.
    std::fs::write(&leads, "lead_id,mql_at,score\na,2026-04-01T10:00:00Z,0.4\n").unwrap();
    let hist = read(&leads);
    let c = leadsim::calibrate::calibrate(&hist);
    assert_eq!(
        leadsim::calibrate::scenario::population_csv(&hist, &c)
            .lines()
            .next(),
        Some("lead_id,score,mql_hours")
    );
    assert!(!leadsim::calibrate::scenario::scenario_toml(&hist, &c, "t").contains("\nlabel_column"));
}

#[test]
fn a_decile_without_an_observed_outcome_keeps_its_mean_score_and_says_so() {
    // 200 leads, scores 0.02 to 0.30; the 20 lowest have no observed outcome, so decile 1 has
    // rows but nothing to count, and keeps its mean score as its label rate.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    let mut text = String::from("score,sql\n");
    for i in 0..200u32 {
        let score = 0.02 + 0.28 * f64::from(i) / 199.0;
        let label = if i < 20 {
            ""
        } else if i % 5 == 0 {
            "1"
        } else {
            "0"
        };
        text.push_str(&format!("{score},{label}\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let file = parse(&funnel(&table_keys(&csv, "label_column = \"sql\""))).unwrap();
    let cals = calibrate(&file, 1, Some(1)).unwrap();
    let cal = &cals.list[0];
    let first = &cal.deciles[0];
    assert_eq!(first.labelled, Some(0));
    assert!(first.leads > 0);
    // Its mean score lies between the lowest scores (0.02 to 0.048); the others are 20%.
    assert!(
        first.label_rate > 0.02 && first.label_rate < 0.049,
        "{first:?}"
    );
    assert!(cal.deciles[1..].iter().all(|d| d.labelled.unwrap() > 0));
    let text = cal.table();
    assert!(
        text.contains("no observed outcome in decile 1: the mean score is its label rate"),
        "{text}"
    );
}
