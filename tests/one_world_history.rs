//! One world (docs/model.md section 8): `data/scenarios/history.toml`, the process behind
//! `leadsim generate --preset b2b-saas` histories, reproduces a generated history's SQL rate
//! overall and by score decile; and so does the loop generate -> train -> score -> simulate,
//! where the simulator sees only the trained model's scores.
//!
//! **Tolerance.** Each comparison is a simulated rate (mean over replications, its standard
//! error from their spread) against a history's rate (a binomial proportion of `n` leads, its
//! standard error `sqrt(r (1 - r) / n)`); the two are independent, so their difference has
//! standard error `sqrt(se_sim^2 + se_hist^2)`. Eleven comparisons (ten deciles and the whole)
//! are made per test, so each is held to z = 2.84, the two-sided 5% level shared over eleven
//! (Bonferroni): a world that agrees fails a test less than 5% of the time, a world off by the
//! old factor of three fails at once.

use std::path::Path;

use leadsim::generate::{lead_rng, Generator, Preset};
use leadsim::sim::calibration::calibrate;
use leadsim::sim::engine::{simulate_traced, DecileFactors, Trace};
use leadsim::sim::ScenarioFile;

mod util;
use util::{root, Dir};

/// Bonferroni z for eleven two-sided comparisons at 5% in all (Phi^-1(1 - 0.025 / 11)).
const Z: f64 = 2.84;

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

/// The decile of `s` among `cuts` (nine inner boundaries), 0-based.
fn decile(cuts: &[f64; 9], s: f64) -> usize {
    DecileFactors::decile(cuts, s)
}

/// Nine inner decile boundaries of `scores`, as the calibration takes them from a table.
fn cuts_of(scores: &[f64]) -> [f64; 9] {
    let mut s = scores.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    std::array::from_fn(|k| s[((k + 1) * n / 10).min(n - 1)])
}

/// Mean and standard error over replications of the SQL rate, overall (index 10) and per
/// decile of `cuts`, for scenario 0 of `file` with its calibration.
fn simulated_rates(file: &ScenarioFile, cuts: &[f64; 9], reps: u64) -> [(f64, f64); 11] {
    let cals = calibrate(file, file.seed, None).unwrap();
    let compiled = cals.compile(file);
    let mut per: Vec<[f64; 11]> = Vec::new();
    for r in 0..reps {
        let mut t = Leads::default();
        simulate_traced(&compiled[0], file.seed, r, None, &mut t);
        let (mut n, mut sql) = ([0.0; 11], [0.0; 11]);
        for s in &t.scores {
            n[decile(cuts, *s)] += 1.0;
            n[10] += 1.0;
        }
        for s in &t.sql_scores {
            sql[decile(cuts, *s)] += 1.0;
            sql[10] += 1.0;
        }
        per.push(std::array::from_fn(|d| sql[d] / n[d]));
    }
    let k = per.len() as f64;
    std::array::from_fn(|d| {
        let mean = per.iter().map(|x| x[d]).sum::<f64>() / k;
        let var = per.iter().map(|x| (x[d] - mean).powi(2)).sum::<f64>() / (k - 1.0);
        (mean, (var / k).sqrt())
    })
}

/// Label rate and its binomial standard error, overall (index 10) and per decile.
fn history_rates(scores: &[f64], labels: &[bool], cuts: &[f64; 9]) -> [(f64, f64); 11] {
    let (mut n, mut pos) = ([0.0; 11], [0.0; 11]);
    for (s, y) in scores.iter().zip(labels) {
        for d in [decile(cuts, *s), 10] {
            n[d] += 1.0;
            pos[d] += f64::from(u8::from(*y));
        }
    }
    std::array::from_fn(|d| {
        let r = pos[d] / n[d];
        (r, (r * (1.0 - r) / n[d]).sqrt())
    })
}

/// Checks every comparison against [`Z`], printing the table first.
fn assert_same_world(what: &str, sim: &[(f64, f64); 11], hist: &[(f64, f64); 11]) {
    eprintln!("{what}\n  decile  history         simulated       z");
    let mut worst = 0.0f64;
    for d in 0..11 {
        let ((s, ss), (h, hs)) = (sim[d], hist[d]);
        let z = (s - h) / (ss * ss + hs * hs).sqrt();
        let name = if d == 10 {
            "all".to_string()
        } else {
            (d + 1).to_string()
        };
        eprintln!("  {name:>6}  {h:.4} ±{hs:.4}  {s:.4} ±{ss:.4}  {z:+.2}");
        worst = worst.max(z.abs());
    }
    assert!(
        worst <= Z,
        "{what}: a rate differs by {worst:.2} standard errors"
    );
}

/// `history.toml` with `extra` inserted into its `[population]` table.
fn history_file(extra: &str) -> ScenarioFile {
    let path = root().join("data/scenarios/history.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace(
        "[population]\ngenerator = \"b2b-saas\"",
        &format!("[population]\ngenerator = \"b2b-saas\"\n{extra}"),
    );
    assert!(
        text.contains(extra),
        "history.toml's [population] table moved"
    );
    ScenarioFile::from_toml_str(&text, &path).unwrap()
}

/// The generated history's leads, scored by their true label probability (a perfect model):
/// the simulator, run with `score_noise = 0`, scores its generated leads the same way, so the
/// deciles of the two are the deciles of one quantity.
#[test]
fn history_toml_reproduces_a_generated_history_by_decile() {
    let g = Generator::new(Preset::B2bSaas);
    let (mut p, mut y) = (Vec::new(), Vec::new());
    for i in 0..50_000 {
        let lead = g.sample(&mut lead_rng(11, i));
        p.push(lead.probability);
        y.push(lead.converted);
    }
    let cuts = cuts_of(&p);
    let hist = history_rates(&p, &y, &cuts);
    let file = history_file("score_noise = 0.0");
    let sim = simulated_rates(&file, &cuts, file.replications as u64);
    assert_same_world("history.toml against 50,000 generated leads", &sim, &hist);
    // The field's figure (docs/field-figures.md): every MQL handed over, 15% to 28% become SQLs.
    assert!(
        (0.15..=0.28).contains(&sim[10].0),
        "MQL-to-SQL {}",
        sim[10].0
    );
}

/// The loop a user runs: generate a history, train a score on it, score the same leads, and
/// simulate the historical process with the scored table as the population (no propensity
/// column: the simulator calibrates the propensities from the scores). Its SQL rate by decile
/// of the trained score matches the history's label rate in the same deciles.
#[test]
fn generate_train_score_simulate_reproduces_the_history() {
    let dir = Dir::new();
    let history = dir.path("history.csv");
    let h = history.to_str().unwrap();
    dir.run(&[
        "generate", "--preset", "b2b-saas", "--leads", "20000", "--seed", "5", "--out", h,
    ])
    .ok();
    dir.run(&[
        "train",
        "--data",
        h,
        "--exclude",
        "deal_value",
        "--holdout",
        "0",
        "--out",
        "model.json",
        "--quiet",
    ])
    .ok();
    dir.run(&[
        "score",
        "--model",
        "model.json",
        "--data",
        h,
        "--out",
        "scored.csv",
        "--quiet",
    ])
    .ok();
    let scores = column(&dir.path("scored.csv"), "score");
    let labels: Vec<bool> = column(&history, "converted")
        .iter()
        .map(|v| *v == 1.0)
        .collect();
    assert_eq!(scores.len(), 20_000);
    let cuts = cuts_of(&scores);
    let hist = history_rates(&scores, &labels, &cuts);

    let path = root().join("data/scenarios/history.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "[population]\ngenerator = \"b2b-saas\"",
        &format!(
            "[population]\ntable = \"{}\"",
            dir.path("scored.csv").display()
        ),
    );
    let file = ScenarioFile::from_toml_str(&text, &path).unwrap();
    let sim = simulated_rates(&file, &cuts, file.replications as u64);
    assert_same_world("generate -> train -> score -> simulate", &sim, &hist);
}

/// The values of one numeric column of a CSV file.
fn column(path: &Path, name: &str) -> Vec<f64> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records()
        .map(|rec| rec.unwrap()[i].parse().unwrap())
        .collect()
}
