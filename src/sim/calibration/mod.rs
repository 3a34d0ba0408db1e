//! Calibration of propensities under the historical process (docs/model.md section 8.2).
//!
//! A population that gives scores but no explicit propensity (the generator, or a table without
//! `propensity_column` and `propensity_scale`) gives each lead a label probability `p`:
//! P(SQL | lead, historical process H), the table's score or the generator's true probability.
//! The engine needs the propensity `q`, the chance to qualify if a rep reaches the lead at
//! once. Within each score decile `d` of the population, `q = min(1, f_d p)` with the factor
//! `f_d` that makes simulating H reproduce the decile's label rate.
//!
//! **Algorithm.** Qualification does not load the reps: whether a lead becomes an SQL changes
//! nothing about its own or any other lead's attempts, contact and delays. So one simulation of
//! H fixes every lead's contact path, whatever the factors. H runs for `R_cal` replications on
//! dedicated streams (replication indices from [`REPLICATION_OFFSET`] = 2^40 on, which a run
//! never reaches), traced: every counted lead's decile and `p`, and for every reached lead its
//! multiplier `b` (the pool's skill times the speed-to-lead multiplier at its reaching delay).
//! The expected SQLs of decile `d` with factor `f` are `sum_{reached i} min(1, min(1, f p_i) b_i)`
//! (the qualification draw integrated out, a Rao-Blackwellised estimate), a monotone
//! piecewise-linear function of `f`; [`solve`] finds the `f_d` at which it equals the decile's
//! label count exactly: `sum_{counted i} p_i`, or, for a table with a `label_column`, the
//! decile's observed label rate (over the table's rows with an observed outcome) times its
//! counted leads. Either way the propensity stays proportional to `p` within the decile. A decile that even `f -> inf` cannot bring to its label rate
//! keeps the largest useful factor and is reported, as are the leads whose `f_d p_i` exceeds 1
//! (those the historical process cannot produce), through [`Warning::CannotProduce`].
//!
//! **Replications.** As many replications of H as it takes to trace [`LEADS`] counted leads
//! (10,000 a decile), at least one and at most [`MAX_REPLICATIONS`]; the first replication's
//! count decides. The number does not depend on the run's replications, so a `--precision`
//! run that stops at `R` replications is exactly a plain run of `R`, and a calibration is a
//! property of (seed, population, H) alone. Integrating out the qualification draw leaves a
//! decile rate's standard error at about 0.2 x sqrt(rate / 10,000), about a sixth of the run's
//! own for the bundled example (40 replications of about 1,230 counted leads); its cost is that
//! of simulating 100,000 leads of one scenario, against `S x R` replications for the run
//! (docs/simulator-benchmarks.md has measurements).
//!
//! **Deciles** are by score, with boundaries from the population's own score distribution: a
//! table's rows, or [`SAMPLE_LEADS`] generated leads drawn from a dedicated stream.
//!
//! **Determinism.** Replications run in parallel and are gathered in index order; every sum
//! runs in that fixed order, so the factors are bit-identical for any number of threads. A
//! calibration depends on the seed, the population, H (with the file's arrivals) and `R`; it is
//! computed once per distinct (population, H) and shared by every scenario with that population.
//! `merge` recomputes it from the stored scenario file, seed and replications, which gives the
//! same bits.

mod output;
mod solve;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

pub use output::{scenario_list, write_calibration_csv};
pub use solve::{expected, solve, Solution, Term};

use super::engine::population::{DecileFactors, Source};
use super::engine::rng::calibration_sample_stream;
use super::engine::trace::{simulate_traced, Trace};
use super::engine::Compiled;
use super::model::{Population, Scenario, ScenarioFile};
use super::run::{in_pool, Warning};
use crate::error::Result;

/// The first replication index of the calibration's streams; a run's indices stay far below.
pub const REPLICATION_OFFSET: u64 = 1 << 40;
/// Generated leads whose scores fix the generator's decile boundaries.
pub const SAMPLE_LEADS: u64 = 100_000;
/// The calibration traces as many replications as it takes to count this many leads.
pub const LEADS: usize = 100_000;
/// The most replications a calibration traces (for runs of few leads a replication).
pub const MAX_REPLICATIONS: usize = 100;

/// One score decile of a calibration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecileRow {
    /// 1 (lowest scores) to 10.
    pub decile: usize,
    /// Lowest score of the decile (its lower boundary, 0 for the first).
    pub score_low: f64,
    /// Upper boundary (exclusive; 1 for the last, inclusive).
    pub score_high: f64,
    /// Counted leads of the decile in the calibration's replications.
    pub leads: usize,
    /// The rate the history shows: the counted leads' mean label probability, or with a
    /// label column the observed rate of the table's labelled rows in the decile.
    pub label_rate: f64,
    /// With a label column: the table's rows of the decile with an observed outcome (0: none,
    /// and the decile falls back to its mean label probability).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labelled: Option<usize>,
    /// The expected SQL rate of the decile when H is simulated with the factor (equal to
    /// `label_rate` unless the decile is infeasible).
    pub simulated_rate: f64,
    /// The factor on the label probability.
    pub factor: f64,
    /// Leads whose calibrated propensity `factor * p` exceeds 1 (capped at 1).
    pub capped: usize,
    /// Share of the decile's leads that a rep reached under H.
    pub reached_share: f64,
    /// Mean multiplier (skill times speed-to-lead) of the reached leads.
    pub mean_multiplier: f64,
    /// Whether the factor reproduces the label rate.
    pub feasible: bool,
}

/// The calibration of one population under the historical process.
#[derive(Clone, Debug, Serialize)]
pub struct Calibration {
    /// The population, as the report names it.
    pub population: String,
    /// The scenarios whose leads carry these propensities.
    pub scenarios: Vec<String>,
    /// Replications of H traced.
    pub replications: usize,
    /// The table column whose observed outcomes set the label rates (`None`: the scores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_column: Option<String>,
    /// The ten deciles, lowest scores first.
    pub deciles: Vec<DecileRow>,
    /// What the engine applies.
    #[serde(skip)]
    pub factors: Arc<DecileFactors>,
}

/// The calibrations of a file and which scenario uses which.
#[derive(Clone, Debug, Default)]
pub struct Calibrations {
    /// One per distinct (population, history) pair, in the order of the first scenario using it.
    pub list: Vec<Calibration>,
    /// For each scenario, the index into `list` of its calibration (`None`: taken as given).
    pub of_scenario: Vec<Option<usize>>,
}

impl Calibrations {
    /// The engine's view of every scenario of `file`, calibrated where a calibration applies.
    pub fn compile<'a>(&self, file: &'a ScenarioFile) -> Vec<Compiled<'a>> {
        file.scenarios
            .iter()
            .enumerate()
            .map(|(i, sc)| {
                let source = Source::new(&sc.population);
                let source = match self.of_scenario.get(i).copied().flatten() {
                    Some(k) => source.calibrated(self.list[k].factors.clone()),
                    None => source,
                };
                Compiled::with_source(sc, source)
            })
            .collect()
    }

    /// The leads H cannot produce, one warning per affected decile.
    pub fn warnings(&self) -> Vec<Warning> {
        warnings(&self.list)
    }
}

/// Capped leads above this share of their decile get a warning even when the decile's label
/// rate is met. Below it the decile's other leads carry its rate and the run is the history's
/// world; the capped leads are still counted in the printed calibration and `calibration.csv`
/// (docs/model.md section 8.2).
pub const CAPPED_WARNING_SHARE: f64 = 0.10;

/// The leads H cannot produce, one warning per affected decile of each calibration: a decile
/// whose label rate H cannot produce, or one with more than [`CAPPED_WARNING_SHARE`] of its
/// leads capped.
pub fn warnings(list: &[Calibration]) -> Vec<Warning> {
    let mut out = Vec::new();
    for c in list {
        let worth =
            |d: &&DecileRow| !d.feasible || d.capped as f64 > CAPPED_WARNING_SHARE * d.leads as f64;
        for d in c.deciles.iter().filter(worth) {
            out.push(Warning::CannotProduce {
                population: c.population.clone(),
                decile: d.decile,
                capped: d.capped,
                leads: d.leads,
                reached_share: d.reached_share,
                mean_multiplier: d.mean_multiplier,
                label_rate: d.label_rate,
                simulated_rate: d.simulated_rate,
            });
        }
    }
    out
}

/// The historical process a scenario's population is calibrated under: the file's `[history]`
/// process with that population.
pub fn history_of(file: &ScenarioFile, sc: &Scenario) -> Scenario {
    let mut h = file.history.clone();
    h.population = sc.population.clone();
    h
}

/// Calibrates every scenario of `file` whose population [`Population::calibrates`], for a run
/// with `seed`, on `threads` worker threads (`None`: rayon's pool).
///
/// # Errors
/// [`crate::Error::ZeroThreads`] or [`crate::Error::ThreadPool`].
pub fn calibrate(file: &ScenarioFile, seed: u64, threads: Option<usize>) -> Result<Calibrations> {
    let mut out = Calibrations::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for sc in &file.scenarios {
        if !sc.population.calibrates() {
            out.of_scenario.push(None);
            continue;
        }
        let h = history_of(file, sc);
        // Serialised with its table's path and columns (the rows are the same for both).
        let key = serde_json::to_string(&h).expect("a scenario serialises");
        let k = match seen.get(&key) {
            Some(&k) => k,
            None => {
                let c = in_pool(threads, || calibrate_one(&h, seed))?;
                out.list.push(c);
                seen.insert(key, out.list.len() - 1);
                out.list.len() - 1
            }
        };
        out.list[k].scenarios.push(sc.name.clone());
        out.of_scenario.push(Some(k));
    }
    Ok(out)
}

/// The engine's view of `sc` alone, its population calibrated under the historical process
/// `history` when it [`Population::calibrates`] (with `seed`, as [`calibrate`] does for a
/// file): what `simulate --export-history` and `backtest` run, so that the history they write
/// or compare against is the world of the run.
pub fn compile_under<'a>(sc: &'a Scenario, history: &Scenario, seed: u64) -> Compiled<'a> {
    if !sc.population.calibrates() {
        return Compiled::new(sc);
    }
    let mut h = history.clone();
    h.population = sc.population.clone();
    let c = calibrate_one(&h, seed);
    Compiled::with_source(sc, Source::new(&sc.population).calibrated(c.factors))
}

/// The replications a calibration traces when one replication counts `leads_per_replication`
/// leads: enough for [`LEADS`], between 1 and [`MAX_REPLICATIONS`].
pub fn replications_for(leads_per_replication: usize) -> usize {
    LEADS
        .div_ceil(leads_per_replication.max(1))
        .clamp(1, MAX_REPLICATIONS)
}

/// The nine inner decile boundaries of a population's scores.
pub fn decile_cuts(p: &Population) -> [f64; 9] {
    let mut scores: Vec<f64> = match p {
        Population::Table { data, .. } => data.iter().map(|a| a.score).collect(),
        _ => {
            let source = Source::new(p);
            (0..SAMPLE_LEADS)
                .into_par_iter()
                .map(|i| source.draw(&mut calibration_sample_stream(i)).score)
                .collect()
        }
    };
    scores.sort_by(f64::total_cmp);
    let n = scores.len();
    std::array::from_fn(|k| scores[((k + 1) * n / 10).min(n - 1)])
}

/// What the calibration records of one replication of H: every counted lead's score and label
/// probability, and every counted reached lead.
#[derive(Default)]
struct Record {
    /// `[score, p]` of every counted lead.
    leads: Vec<[f64; 2]>,
    /// Every counted reached lead.
    reached: Vec<Reached>,
}

/// A counted lead that a rep reached.
struct Reached {
    score: f64,
    propensity: f64,
    multiplier: f64,
}

impl Trace for Record {
    fn counted(&mut self, score: f64, propensity: f64) {
        self.leads.push([score, propensity]);
    }
    fn reached(&mut self, score: f64, propensity: f64, multiplier: f64, _sql: bool) {
        self.reached.push(Reached {
            score,
            propensity,
            multiplier,
        });
    }
}

fn calibrate_one(h: &Scenario, seed: u64) -> Calibration {
    let cuts = decile_cuts(&h.population);
    let compiled = Compiled::new(h);
    let traced = |r: usize| {
        let mut t = Record::default();
        simulate_traced(&compiled, seed, REPLICATION_OFFSET + r as u64, None, &mut t);
        t
    };
    let first = traced(0);
    let reps = replications_for(first.leads.len());
    let mut traces = vec![first];
    traces.extend((1..reps).into_par_iter().map(traced).collect::<Vec<_>>());

    let mut p_of: [Vec<f64>; 10] = Default::default();
    let mut terms: [Vec<Term>; 10] = Default::default();
    let mut multipliers = [0.0f64; 10];
    for t in &traces {
        for [s, p] in &t.leads {
            p_of[DecileFactors::decile(&cuts, *s)].push(*p);
        }
        for r in &t.reached {
            let d = DecileFactors::decile(&cuts, r.score);
            terms[d].push(Term::new(r.propensity, r.multiplier));
            multipliers[d] += r.multiplier;
        }
    }
    let observed = observed_labels(&h.population, &cuts);
    let mut factors = [1.0; 10];
    let mut deciles = Vec::with_capacity(10);
    for d in 0..10 {
        let n = p_of[d].len();
        let target: f64 = match observed {
            Some(o) if o[d].1 > 0 => o[d].0 as f64 / o[d].1 as f64 * n as f64,
            _ => p_of[d].iter().fold(0.0, |a, p| a + p),
        };
        let sol = solve(&terms[d], target);
        factors[d] = sol.factor;
        let per = |x: f64| if n == 0 { f64::NAN } else { x / n as f64 };
        deciles.push(DecileRow {
            decile: d + 1,
            score_low: if d == 0 { 0.0 } else { cuts[d - 1] },
            score_high: if d == 9 { 1.0 } else { cuts[d] },
            leads: n,
            label_rate: per(target),
            labelled: observed.map(|o| o[d].1),
            simulated_rate: per(expected(&terms[d], sol.factor)),
            factor: sol.factor,
            capped: p_of[d].iter().filter(|p| sol.factor * **p > 1.0).count(),
            reached_share: per(terms[d].len() as f64),
            mean_multiplier: if terms[d].is_empty() {
                f64::NAN
            } else {
                multipliers[d] / terms[d].len() as f64
            },
            feasible: sol.feasible,
        });
    }
    Calibration {
        population: describe(&h.population),
        scenarios: Vec::new(),
        replications: reps,
        label_column: match &h.population {
            Population::Table { label_column, .. } => label_column.clone(),
            _ => None,
        },
        deciles,
        factors: Arc::new(calibrated_factors(&h.population, cuts, factors)),
    }
}

/// `(observed SQLs, rows with an observed outcome)` of each score decile of a table with a
/// label column (`None` for any other population).
fn observed_labels(p: &Population, cuts: &[f64; 9]) -> Option<[(usize, usize); 10]> {
    let Population::Table {
        data,
        labels: Some(labels),
        ..
    } = p
    else {
        return None;
    };
    let mut out = [(0, 0); 10];
    for (a, l) in data.iter().zip(labels.iter()) {
        if let Some(sql) = l {
            let d = DecileFactors::decile(cuts, a.score);
            out[d].0 += usize::from(*sql);
            out[d].1 += 1;
        }
    }
    Some(out)
}

/// The factors with the calibrated population's mean propensity `q_bar`: over a table's rows,
/// or over the generator's fixed sample drawn through the factors.
fn calibrated_factors(p: &Population, cuts: [f64; 9], factors: [f64; 10]) -> DecileFactors {
    let mut f = DecileFactors {
        cuts,
        factors,
        mean_propensity: f64::NAN,
    };
    f.mean_propensity = Source::new(p)
        .calibrated(Arc::new(f.clone()))
        .sampled_or_exact_mean();
    f
}

/// The population as the printed calibration names it.
pub fn describe(p: &Population) -> String {
    match p {
        Population::Generator {
            generator,
            score_noise,
        } => format!("generator {generator} (score_noise {score_noise})"),
        Population::Table {
            table,
            score_column,
            label_column,
            ..
        } => match label_column {
            None => format!("table {} (score column {score_column})", table.display()),
            Some(l) => format!(
                "table {} (score column {score_column}, label column {l})",
                table.display()
            ),
        },
        Population::Constant { .. } => "constant".to_string(),
    }
}
