//! `leadsim train`: from a CSV of historical leads to a saved, honestly evaluated model.
//!
//! Order of work: load the file, resolve column roles, read the target, split rows (stratified
//! holdout or K folds, seeded), learn the encoder on the training rows only, drop collinear
//! columns, optionally pick alpha by cross-validation, fit, compute inference on original units,
//! and evaluate on rows the model has not seen.

mod alpha;
mod drift;
mod elastic_net;
mod fields;
mod holdout;
mod leaks;
mod roles;
mod split;
mod time;
mod unused;

use std::path::PathBuf;
use std::time::Instant;

use ndarray::{Array1, ArrayView1};

use crate::data::{CsvOptions, Table};
use crate::error::{Error, Result};
use crate::scoring::design::Design;
use crate::scoring::encode::{Encoder, EncoderSettings};
use crate::scoring::inference::coefficient_table;
use crate::scoring::metrics::{self, ScoreBands};
use crate::scoring::model::{
    EvaluationReport, FirthSummary, FitSummary, Model, TrainingInfo, FIRTH_LR_P_VALUE,
    FIRTH_PROFILE_INTERVAL, FIRTH_P_VALUE, FIRTH_STD_ERROR, FIRTH_WALD_INTERVAL, FORMAT_VERSION,
};
use crate::scoring::solver::{LogisticFit, LogisticParams, SolverKind};

pub use alpha::ALPHA_GRID;
pub use fields::{chi2_sf, field_tests, FieldTest};
pub use leaks::{LEAK_AUC, LEAK_LEVEL_CHANCE, LEAK_LEVEL_RATE, LEAK_LEVEL_ROWS};
pub use roles::TARGET_NAMES;
use split::{stratified_folds, stratified_holdout};
pub use time::{TimeOptions, TimeSplitInfo, TimeTest};

/// Everything `train` needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub data: PathBuf,
    pub csv: CsvOptions,
    pub target: Option<String>,
    pub positive: Option<String>,
    pub exclude: Vec<String>,
    pub id: Option<String>,
    pub encoder: EncoderSettings,
    /// Share of rows held out for evaluation; 0 fits on every row (metrics then in-sample).
    pub holdout: f64,
    /// K-fold evaluation instead of a holdout (the final model is fit on every row).
    pub folds: Option<usize>,
    /// Pick alpha from [`ALPHA_GRID`] by K-fold log loss on the training rows.
    pub cv: Option<usize>,
    pub alpha: f64,
    /// Elastic-net mixing in (0, 1] (1 = lasso): the penalty becomes
    /// `alpha * (l1_ratio * |b|_1 + (1 - l1_ratio) / 2 * |b|^2)`; with `cv`, alpha is chosen on a
    /// warm-started path from `alpha_max` down. `None` is the ridge penalty `alpha / 2 * |b|^2`.
    pub l1_ratio: Option<f64>,
    pub solver: SolverKind,
    /// Iteration budget; the solver's default when `None`.
    pub max_iter: Option<usize>,
    pub seed: u64,
    /// Band cut points; quartiles of the training scores when `None`.
    pub bands: Option<Vec<f64>>,
    /// Time-aware validation: the holdout is the latest leads instead of a random share
    /// (`holdout` is then not used), and immature leads are left out.
    pub time: Option<TimeOptions>,
    /// Firth's bias-reduced fit instead of maximum likelihood: finite estimates with standard
    /// errors, Wald z and p-values, profile penalised-likelihood intervals and
    /// likelihood-ratio p-values, even when the classes are separated. Not with `alpha > 0`
    /// or `cv` (a ridge penalty is the other answer to separation), Newton solver only.
    pub firth: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            data: PathBuf::new(),
            csv: CsvOptions::default(),
            target: None,
            positive: None,
            exclude: Vec::new(),
            id: None,
            encoder: EncoderSettings::default(),
            holdout: 0.2,
            folds: None,
            cv: None,
            alpha: 0.0,
            l1_ratio: None,
            solver: SolverKind::Newton,
            max_iter: None,
            seed: 42,
            bands: None,
            time: None,
            firth: false,
        }
    }
}

impl TrainOptions {
    fn check(&self) -> Result<()> {
        let invalid = |name: &'static str, value: f64, expected: &'static str| {
            Err(Error::InvalidHyperparameter {
                name,
                value,
                expected,
            })
        };
        if !(0.0..1.0).contains(&self.holdout) {
            return invalid("holdout", self.holdout, "must be in [0, 1)");
        }
        if let Some(k) = self.folds.filter(|&k| k < 2) {
            return invalid("folds", k as f64, "needs at least 2 folds");
        }
        if let Some(k) = self.cv.filter(|&k| k < 2) {
            return invalid("cv", k as f64, "needs at least 2 folds");
        }
        let max = crate::limits::MAX_FOLDS;
        if let Some(k) = self.folds.filter(|&k| k > max) {
            return invalid("folds", k as f64, "at most 1000 folds (each is a full fit)");
        }
        if let Some(k) = self.cv.filter(|&k| k > max) {
            return invalid("cv", k as f64, "at most 1000 folds (each is a full fit)");
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return invalid("alpha", self.alpha, "must be >= 0 and finite");
        }
        if let Some(r) = self.l1_ratio {
            elastic_net::check(r, self)?;
        }
        if self.firth {
            if let Some(r) = self.l1_ratio {
                return invalid(
                    "l1_ratio",
                    r,
                    "not with firth: an elastic-net penalty and Firth's are alternatives",
                );
            }
            if self.alpha != 0.0 {
                return invalid(
                    "alpha",
                    self.alpha,
                    "must be 0 with firth: Firth's penalty and the ridge penalty are alternatives",
                );
            }
            if let Some(k) = self.cv {
                return Err(Error::InvalidParameter {
                    name: "cv".into(),
                    value: k.to_string(),
                    reason:
                        "cross-validation chooses a ridge alpha, which a Firth fit does not use"
                            .into(),
                });
            }
            if self.solver != SolverKind::Newton {
                return Err(Error::InvalidParameter {
                    name: "solver".into(),
                    value: self.solver.to_string(),
                    reason: "a Firth fit runs on the newton solver only".into(),
                });
            }
        }
        if self.encoder.min_level_count == 0 {
            return invalid("min_level_count", 0.0, "must be at least 1");
        }
        if let Some(t) = &self.time {
            t.check()?;
            if let Some(k) = self.folds {
                return Err(Error::InvalidParameter {
                    name: "folds".into(),
                    value: k.to_string(),
                    reason: format!(
                        "cross-validated metrics mix periods; with the time column \"{}\" the test rows are the latest leads",
                        t.column
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Progress reports from a training run, for the CLI to show, and the caller's way to stop it.
pub trait TrainProgress: Sync {
    /// A new stage starts (e.g. "reading", "fitting").
    fn stage(&self, name: &str);
    /// Rows read so far.
    fn rows(&self, _rows: u64) {}
    /// Whether the caller asked to stop (Ctrl-C in the Python package). Looked at before every
    /// stage and before every fit of `--cv` and `--folds`, so a run stops within one fit.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Starts stage `name`, or stops with [`Error::Cancelled`] if the caller asked to.
pub(super) fn enter(progress: &dyn TrainProgress, name: &str) -> Result<()> {
    checkpoint(progress)?;
    progress.stage(name);
    Ok(())
}

/// [`Error::Cancelled`] once the caller has asked to stop.
pub(super) fn checkpoint(progress: &dyn TrainProgress) -> Result<()> {
    if progress.cancelled() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Ignores progress.
pub struct Silent;
impl TrainProgress for Silent {
    fn stage(&self, _name: &str) {}
}

/// Trains a model as described in the module docs.
///
/// # Errors
/// Any input problem ([`Error::UnknownColumn`], [`Error::TargetValue`], [`Error::SingleClass`],
/// [`Error::BadValue`], ...), and fitting problems ([`Error::Separation`],
/// [`Error::TooFewRows`], [`Error::NotConverged`]).
pub fn train(opts: &TrainOptions, progress: &dyn TrainProgress) -> Result<Model> {
    opts.check()?;
    let hasher = spawn_hash(opts.data.clone());
    enter(progress, "reading")?;
    let t_load = Instant::now();
    let table = Table::load(&opts.data, &opts.csv, Some(&|r| progress.rows(r)))?;
    let source = TrainingSource {
        file: opts
            .data
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        load_seconds: t_load.elapsed().as_secs_f64(),
        // A panic while hashing is a bug, not an input problem: pass it on as the panic it is.
        sha256: Box::new(move || {
            hasher
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
    };
    let model = train_table(&table, source, opts, progress);
    // The table is the largest allocation (every field's text): free it on another thread
    // rather than make the caller wait for it.
    std::thread::spawn(move || drop(table));
    model
}

/// Where the rows of [`train_table`] came from, for the model's metadata.
pub struct TrainingSource<'a> {
    /// `training.data_file`.
    pub file: String,
    /// `fit.load_seconds`.
    pub load_seconds: f64,
    /// Gives `training.data_sha256` when the model is built (the CLI hashes the file on another
    /// thread meanwhile).
    pub sha256: Box<dyn FnOnce() -> Result<String> + 'a>,
}

/// As [`train`], on rows already in memory (`opts.data` and `opts.csv` are not used).
///
/// # Errors
/// As [`train`].
pub fn train_table(
    table: &Table,
    source: TrainingSource,
    opts: &TrainOptions,
    progress: &dyn TrainProgress,
) -> Result<Model> {
    opts.check()?;
    let load_seconds = source.load_seconds;
    let mut warnings = Vec::new();

    if !table.decimal_comma_columns().is_empty() {
        warnings.push(format!(
            "decimal commas read as decimal points in {} column(s) of this ;-separated file: {} (values such as 9,7 are 9.7); if they are not decimals, read the file with decimal commas off (--decimal .)",
            table.decimal_comma_columns().len(),
            table.decimal_comma_columns().iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
        ));
    }
    let roles = roles::resolve_roles(table, opts, &mut warnings)?;
    let labels = roles::read_target(table, roles.target, &roles.target_spec)?;

    let n = table.rows();
    let folds = opts.folds.map(|k| stratified_folds(&labels, k, opts.seed));
    let time_split = match (&opts.time, roles.time) {
        (Some(t), Some(c)) => Some(time::split(table, c, t, &opts.encoder.missing)?),
        _ => None,
    };
    let (train_rows, eval_rows): (Vec<usize>, Vec<usize>) =
        match (&time_split, &folds, opts.holdout) {
            (Some(s), _, _) => (s.train.clone(), s.test.clone()),
            (None, Some(_), _) | (None, None, 0.0) => ((0..n).collect(), Vec::new()),
            (None, None, h) => stratified_holdout(&labels, h, opts.seed),
        };
    if let Some(s) = &time_split {
        let i = &s.info;
        if i.immature_rows > 0 {
            warnings.push(format!(
                "{} lead(s) younger than {} days at {} left out of training and evaluation: too young to have converted",
                i.immature_rows,
                i.maturity_days.unwrap_or(0.0),
                i.as_of.as_deref().unwrap_or("the export")
            ));
        }
    }
    let y_train: Array1<bool> = train_rows.iter().map(|&r| labels[r]).collect();
    roles::check_classes(table, &roles.target_spec, &y_train)?;

    enter(progress, "encoding")?;
    let mut learnt = Encoder::learn_scoring(
        table,
        &roles.features,
        &train_rows,
        &opts.encoder,
        Some((
            y_train.as_slice().expect("a fresh array is contiguous"),
            LEAK_AUC,
        )),
    )?;
    for d in &learnt.dropped {
        warnings.push(format!("dropped column \"{}\": {}", d.name, d.reason));
    }
    // Judge "too few rows" before collinear columns are dropped: with fewer rows than columns
    // every extra column is collinear, and dropping them would hide the real problem.
    let coefs = learnt.design.ncols() + 1;
    let rows_needed = if opts.cv.is_some() { 0 } else { coefs };
    if opts.alpha == 0.0 && train_rows.len() < rows_needed {
        return Err(Error::TooFewRows {
            rows: train_rows.len(),
            features: coefs,
        });
    }
    for name in learnt.drop_collinear() {
        warnings.push(format!(
            "dropped column \"{name}\": a linear combination of the intercept and earlier columns"
        ));
    }
    let mut features = roles.features.clone();
    warnings.extend(unused::drop_unused_features(
        &mut learnt.encoder,
        &mut features,
        opts.encoder.min_level_count,
    ));
    let roles = roles::Roles { features, ..roles };
    let leaks = leaks::likely_leaks(
        table,
        &roles.features,
        &learnt.encoder,
        &train_rows,
        &labels,
        &learnt.leak_auc,
        &learnt.level_outcomes,
    );
    warnings.extend(leaks.iter().cloned());
    let encoder = learnt.encoder;
    let names = encoder.column_names();
    let design = learnt.design;

    let alpha_search = match (opts.cv, opts.l1_ratio) {
        (Some(k), Some(r)) => {
            enter(progress, "choosing alpha")?;
            Some(elastic_net::search_path(
                &design, &y_train, k, r, opts, progress,
            )?)
        }
        (Some(k), None) => {
            enter(progress, "choosing alpha")?;
            Some(alpha::search_alpha(&design, &y_train, k, opts, progress)?)
        }
        (None, _) => None,
    };
    let alpha = alpha_search
        .as_ref()
        .and_then(|cands| {
            cands
                .iter()
                .filter_map(|c| c.cv_log_loss.map(|l| (c.alpha, l)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(a, _)| a)
        })
        .unwrap_or(opts.alpha);

    enter(progress, "fitting")?;
    let t_fit = Instant::now();
    let units: Vec<(f64, f64)> = encoder.columns.iter().map(|c| (c.mean, c.scale)).collect();
    let fit = fit_design(&design, y_train.view(), alpha, opts, &names, &units, true).map_err(
        |e| match e {
            // The leak is usually why the classes separate: say so in the one message the
            // analyst sees.
            Error::Separation { detail } if !leaks.is_empty() => Error::Separation {
                detail: format!("{detail}. Before the fit: {}", leaks.join("; ")),
            },
            e => e,
        },
    )?;
    if !fit.converged {
        warnings.push(format!(
            "the {} solver stopped close to, but not at, its tolerance (gradient {:.1e} per row); raise --max-iter or use --solver newton",
            fit.solver, fit.gradient_norm
        ));
    }
    let fit_seconds = t_fit.elapsed().as_secs_f64();

    let coef_std: Array1<f64> = std::iter::once(fit.intercept)
        .chain(fit.coef.iter().copied())
        .collect();
    let means: Vec<f64> = encoder.columns.iter().map(|c| c.mean).collect();
    let scales: Vec<f64> = encoder.columns.iter().map(|c| c.scale).collect();
    let inference = alpha == 0.0;
    let mut coefficients = coefficient_table(
        &names,
        &coef_std,
        &fit.covariance,
        &means,
        &scales,
        inference,
    );
    let firth = fit.firth.as_ref().map(|f| {
        if let Some(pl) = &f.profile {
            for (j, c) in coefficients.iter_mut().enumerate() {
                c.ci_lower = pl.ci_lower[j];
                c.ci_upper = pl.ci_upper[j];
                c.lr_p_value = pl.lr_p_value[j];
            }
            let missing: Vec<&str> = coefficients
                .iter()
                .filter(|c| c.ci_lower.is_none() || c.ci_upper.is_none() || c.lr_p_value.is_none())
                .map(|c| c.name.as_str())
                .collect();
            if !missing.is_empty() {
                warnings.push(format!(
                    "the profile penalised likelihood could not be followed far enough for {} coefficient(s) ({}): the interval end or likelihood-ratio p-value it needed is not reported (the Wald standard error, z and p are)",
                    missing.len(),
                    missing.join(", ")
                ));
            }
        }
        // The fit's l* is on the standardised columns, whose information is T' I T for the
        // map T: ln det differs by 2 ln |det T| = -2 sum ln scale. Reported on the original
        // units, so that it is logistf's loglik["full"].
        let shift: f64 = scales.iter().map(|s| s.ln()).sum();
        FirthSummary {
            penalised_log_likelihood: f.penalised_log_likelihood + shift,
            std_error: FIRTH_STD_ERROR.into(),
            p_value: FIRTH_P_VALUE.into(),
            interval: if f.profile.is_some() {
                FIRTH_PROFILE_INTERVAL
            } else {
                FIRTH_WALD_INTERVAL
            }
            .into(),
            lr_p_value: f.profile.is_some().then(|| FIRTH_LR_P_VALUE.into()),
        }
    });
    let field_tests = if inference {
        fields::field_tests(&encoder, &coef_std, &fit.covariance)
    } else {
        Vec::new()
    };
    let zero_coefficients = opts
        .l1_ratio
        .map(|_| fit.coef.iter().filter(|&&b| b == 0.0).count());
    if let (Some(r), Some(zeros)) = (opts.l1_ratio, zero_coefficients) {
        warnings.push(elastic_net::warning(alpha, r, zeros, fit.coef.len()));
    } else if !inference {
        warnings.push(format!(
            "alpha = {alpha}: a regularised fit, so standard errors, p-values and intervals are not reported"
        ));
    }

    let positives = y_train.iter().filter(|&&y| y).count();
    let rows_fit = y_train.len();
    let null_ll = null_log_likelihood(positives, rows_fit);
    let k = coefficients.len() as f64;
    let fit_summary = FitSummary {
        solver: fit.solver,
        alpha,
        l1_ratio: opts.l1_ratio,
        zero_coefficients,
        iterations: fit.iterations,
        converged: fit.converged,
        log_likelihood: fit.log_likelihood,
        null_log_likelihood: null_ll,
        pseudo_r2: 1.0 - fit.log_likelihood / null_ll,
        aic: -2.0 * fit.log_likelihood + 2.0 * k,
        bic: -2.0 * fit.log_likelihood + k * (rows_fit as f64).ln(),
        rows: rows_fit,
        positives,
        fit_seconds,
        load_seconds,
        inference,
        alpha_search,
        firth,
    };

    enter(progress, "evaluating")?;
    // The training design is at hand (standardised, as the fit saw it): no need to re-encode.
    // A fresh array's storage is its values in order: taken as it is, not copied.
    let (train_probs, offset) = design
        .probabilities(coef_std.view())
        .into_raw_vec_and_offset();
    assert_eq!(
        (offset.unwrap_or(0), train_probs.len()),
        (0, y_train.len()),
        "one probability per training row, in order"
    );
    let train_labels = y_train.as_slice().expect("a fresh array is contiguous");
    // In-sample, the bands and the evaluation read one ranking of the training scores. The
    // design is freed meanwhile (returning its pages takes a while for a large one).
    let in_sample = folds.is_none() && eval_rows.is_empty();
    let ((), train_ranked) = rayon::join(
        move || drop(design),
        || in_sample.then(|| metrics::RankedScores::new(&train_probs, train_labels)),
    );
    let bands = match (&opts.bands, &train_ranked) {
        (Some(cuts), _) => ScoreBands::from_cuts(cuts.clone())?,
        (None, Some(ranked)) => ranked.quantile_bands(metrics::DEFAULT_BANDS)?,
        (None, None) => ScoreBands::from_quantiles(&train_probs, metrics::DEFAULT_BANDS)?,
    };
    let (kind, evaluation, rows, drift) = if let Some(ranked) = &train_ranked {
        (
            "in-sample",
            ranked.evaluate(&bands),
            train_probs.len(),
            None,
        )
    } else if let Some(fold_of) = &folds {
        let k = opts.folds.unwrap_or(0);
        let probs = holdout::out_of_fold(
            table,
            &roles.features,
            &labels,
            fold_of,
            k,
            alpha,
            opts,
            progress,
        )?;
        let evaluation = metrics::evaluate(&probs, &labels, &bands);
        ("cross-validation", evaluation, probs.len(), None)
    } else {
        // The saved coefficients, so that `leadsim evaluate` on these rows gives the same numbers.
        let scorer = holdout::FoldModel {
            encoder: &encoder,
            intercept: coefficients[0].estimate,
            coef: coefficients[1..].iter().map(|c| c.estimate).collect(),
        };
        let probs = scorer.predict(table, &roles.features, &eval_rows, &mut warnings)?;
        let eval_labels: Vec<bool> = eval_rows.iter().map(|&r| labels[r]).collect();
        let kind = if time_split.is_some() {
            "out-of-time"
        } else {
            "holdout"
        };
        let evaluation = metrics::evaluate(&probs, &eval_labels, &bands);
        let drift = (kind == "out-of-time").then(|| {
            let train_metrics = metrics::evaluate(&train_probs, train_labels, &bands).metrics;
            drift::compare(
                table,
                &roles.features,
                &encoder,
                &train_rows,
                &eval_rows,
                &train_probs,
                &probs,
                &labels,
                train_metrics,
                opts.seed,
                &mut warnings,
            )
        });
        (kind, evaluation, probs.len(), drift)
    };
    drop(train_ranked);
    if kind == "in-sample" {
        warnings.push(
            "--holdout 0: metrics are in-sample (computed on the rows the model was fit on) and optimistic"
                .into(),
        );
    }
    let data_sha256 = (source.sha256)()?;
    Ok(Model {
        format_version: FORMAT_VERSION,
        target: roles.target_spec.clone(),
        id_column: roles.id.map(|c| table.headers()[c].clone()),
        encoder,
        coefficients,
        field_tests,
        fit: fit_summary,
        metrics: evaluation.metrics.clone(),
        evaluation: EvaluationReport {
            kind: kind.to_string(),
            rows,
            evaluation,
        },
        bands,
        training: TrainingInfo {
            data_file: source.file,
            data_sha256,
            file_rows: n,
            fit_rows: rows_fit,
            columns: table.headers().len(),
            seed: opts.seed,
            holdout: match (&time_split, &folds) {
                (Some(s), _) => {
                    s.info.test_rows as f64 / (s.info.test_rows + s.info.train_rows) as f64
                }
                (None, Some(_)) => 0.0,
                (None, None) => opts.holdout,
            },
            folds: opts.folds,
            min_level_count: opts.encoder.min_level_count,
            excluded: roles.excluded.clone(),
            dropped: learnt.dropped,
            warnings,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            decimal_comma: table.decimal_comma_columns().to_vec(),
            time_split: time_split.map(|s| s.info),
        },
        drift,
    })
}

/// Fits the standardised design with the options' solver and budget; `profile` asks a Firth
/// fit for its profile inference (the final fit does, fold fits do not).
pub(super) fn fit_design(
    design: &Design,
    y: ArrayView1<bool>,
    alpha: f64,
    opts: &TrainOptions,
    names: &[String],
    units: &[(f64, f64)],
    profile: bool,
) -> Result<LogisticFit> {
    let mut params = LogisticParams::new()
        .alpha(alpha)
        .l1_ratio(opts.l1_ratio.unwrap_or(0.0))
        .firth(opts.firth)
        .profile(profile)
        .solver(opts.solver)
        .feature_names(names.to_vec())
        .column_units(units.to_vec());
    if let Some(m) = opts.max_iter {
        params = params.max_iter(m);
    }
    let valid = linfa::ParamGuard::check(params)?;
    valid.fit_design(design, y)
}

/// Log likelihood of the intercept-only model.
fn null_log_likelihood(positives: usize, rows: usize) -> f64 {
    let p = positives as f64 / rows as f64;
    positives as f64 * p.ln() + (rows - positives) as f64 * (1.0 - p).ln()
}

/// SHA-256 of the file's bytes, computed on another thread while the CSV is parsed.
fn spawn_hash(path: PathBuf) -> std::thread::JoinHandle<Result<String>> {
    std::thread::spawn(move || crate::data::sha256_file(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_out_of_range_are_named_by_their_field() {
        let encoder = EncoderSettings {
            min_level_count: 0,
            ..Default::default()
        };
        let cases = [
            (
                TrainOptions {
                    holdout: 1.0,
                    ..Default::default()
                },
                "holdout",
            ),
            (
                TrainOptions {
                    folds: Some(1),
                    ..Default::default()
                },
                "folds",
            ),
            (
                TrainOptions {
                    cv: Some(0),
                    ..Default::default()
                },
                "cv",
            ),
            (
                TrainOptions {
                    alpha: f64::NAN,
                    ..Default::default()
                },
                "alpha",
            ),
            (
                TrainOptions {
                    encoder,
                    ..Default::default()
                },
                "min_level_count",
            ),
        ];
        for (opts, field) in cases {
            let err = opts.check().unwrap_err();
            assert!(
                matches!(err, Error::InvalidHyperparameter { name, .. } if name == field),
                "{field}: {err}"
            );
            assert!(!err.to_string().contains("--"), "{err}");
        }
        assert!(TrainOptions::default().check().is_ok());
    }

    #[test]
    fn null_log_likelihood_of_a_balanced_sample() {
        assert!((null_log_likelihood(50, 100) - 100.0 * 0.5f64.ln()).abs() < 1e-12);
    }
}
