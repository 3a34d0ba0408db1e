//! `leadsim train`: from a CSV of historical leads to a saved, honestly evaluated model.
//!
//! Order of work: load the file, resolve column roles, read the target, split rows (stratified
//! holdout or K folds, seeded), learn the encoder on the training rows only, drop collinear
//! columns, optionally pick alpha by cross-validation, fit, compute inference on original units,
//! and evaluate on rows the model has not seen.

use std::path::{Path, PathBuf};
use std::time::Instant;

use linfa::traits::Fit;
use linfa::DatasetBase;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::Digest;

use crate::data::{CsvOptions, Table};
use crate::error::{Error, Result};
use crate::scoring::encode::{Encoder, EncoderSettings, RowEncoder};
use crate::scoring::inference::coefficient_table;
use crate::scoring::metrics::{self, ScoreBands};
use crate::scoring::model::{
    AlphaCandidate, EvaluationReport, FitSummary, Model, Target, TrainingInfo, FORMAT_VERSION,
};
use crate::scoring::solver::{LogisticFit, LogisticParams, SolverKind};

/// Column names taken as the target when `--target` is not given (compared ignoring case).
pub const TARGET_NAMES: &[&str] = &["converted", "target", "y", "label", "outcome", "won"];

/// The alphas `--cv` tries: none, then ridge strengths on the summed log loss of standardised
/// columns (alpha = 1/C of scikit-learn).
pub const ALPHA_GRID: &[f64] = &[0.0, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0];

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
    pub solver: SolverKind,
    /// Iteration budget; the solver's default when `None`.
    pub max_iter: Option<usize>,
    pub seed: u64,
    /// Band cut points; quartiles of the training scores when `None`.
    pub bands: Option<Vec<f64>>,
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
            solver: SolverKind::Newton,
            max_iter: None,
            seed: 42,
            bands: None,
        }
    }
}

impl TrainOptions {
    fn check(&self) -> Result<()> {
        let invalid = |name: &str, value: String, reason: &str| {
            Err(Error::InvalidParameter {
                name: name.into(),
                value,
                reason: reason.into(),
            })
        };
        if !(0.0..1.0).contains(&self.holdout) {
            return invalid("--holdout", self.holdout.to_string(), "must be in [0, 1)");
        }
        if let Some(k) = self.folds.filter(|&k| k < 2) {
            return invalid("--folds", k.to_string(), "needs at least 2 folds");
        }
        if let Some(k) = self.cv.filter(|&k| k < 2) {
            return invalid("--cv", k.to_string(), "needs at least 2 folds");
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return invalid("--alpha", self.alpha.to_string(), "must be >= 0 and finite");
        }
        if self.encoder.min_level_count == 0 {
            return invalid("--min-level-count", "0".into(), "must be at least 1");
        }
        Ok(())
    }
}

/// Progress reports from a training run, for the CLI to show.
pub trait TrainProgress: Sync {
    /// A new stage starts (e.g. "reading", "fitting").
    fn stage(&self, name: &str);
    /// Rows read so far.
    fn rows(&self, _rows: u64) {}
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
    progress.stage("reading");
    let t_load = Instant::now();
    let table = Table::load(&opts.data, &opts.csv, Some(&|r| progress.rows(r)))?;
    let source = TrainingSource {
        file: opts
            .data
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        load_seconds: t_load.elapsed().as_secs_f64(),
        sha256: Box::new(move || {
            hasher
                .join()
                .map_err(|_| Error::Numerical("hashing thread panicked".into()))?
        }),
    };
    train_table(&table, source, opts, progress)
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

    let roles = resolve_roles(table, opts, &mut warnings)?;
    let labels = read_target(table, roles.target, &roles.target_spec)?;

    let n = table.rows();
    let folds = opts.folds.map(|k| stratified_folds(&labels, k, opts.seed));
    let (train_rows, eval_rows): (Vec<usize>, Vec<usize>) = match (&folds, opts.holdout) {
        (Some(_), _) | (None, 0.0) => ((0..n).collect(), Vec::new()),
        (None, h) => stratified_holdout(&labels, h, opts.seed),
    };
    let y_train: Array1<bool> = train_rows.iter().map(|&r| labels[r]).collect();
    check_classes(table, &roles.target_spec, &y_train)?;

    progress.stage("encoding");
    let mut learnt = Encoder::learn(table, &roles.features, &train_rows, &opts.encoder)?;
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
    let encoder = learnt.encoder;
    let names = encoder.column_names();
    let design = learnt.design;

    let alpha_search = match opts.cv {
        Some(k) => {
            progress.stage("choosing alpha");
            Some(search_alpha(&design, &y_train, k, opts)?)
        }
        None => None,
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

    progress.stage("fitting");
    let t_fit = Instant::now();
    let units: Vec<(f64, f64)> = encoder.columns.iter().map(|c| (c.mean, c.scale)).collect();
    let fit = fit_design(design.view(), y_train.view(), alpha, opts, &names, &units)?;
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
    let coefficients = coefficient_table(
        &names,
        &coef_std,
        &fit.covariance,
        &means,
        &scales,
        inference,
    );
    if !inference {
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
    };

    progress.stage("evaluating");
    // The training design is at hand (standardised, as the fit saw it): no need to re-encode.
    let train_probs = fit.predict_probability(design.view()).to_vec();
    let bands = match &opts.bands {
        Some(cuts) => ScoreBands::from_cuts(cuts.clone())?,
        None => ScoreBands::from_quantiles(&train_probs, metrics::DEFAULT_BANDS)?,
    };
    let (kind, probs, eval_labels) = if let Some(fold_of) = &folds {
        let k = opts.folds.unwrap_or(0);
        let probs = out_of_fold(table, &roles.features, &labels, fold_of, k, alpha, opts)?;
        ("cross-validation", probs, labels.clone())
    } else if eval_rows.is_empty() {
        ("in-sample", train_probs, y_train.to_vec())
    } else {
        // The saved coefficients, so that `leadsim evaluate` on these rows gives the same numbers.
        let scorer = FoldModel {
            encoder: &encoder,
            intercept: coefficients[0].estimate,
            coef: coefficients[1..].iter().map(|c| c.estimate).collect(),
        };
        let probs = scorer.predict(table, &roles.features, &eval_rows, &mut warnings)?;
        let l = eval_rows.iter().map(|&r| labels[r]).collect();
        ("holdout", probs, l)
    };
    let evaluation = metrics::evaluate(&probs, &eval_labels, &bands);
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
        fit: fit_summary,
        metrics: evaluation.metrics.clone(),
        evaluation: EvaluationReport {
            kind: kind.to_string(),
            rows: probs.len(),
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
            holdout: if folds.is_some() { 0.0 } else { opts.holdout },
            folds: opts.folds,
            min_level_count: opts.encoder.min_level_count,
            excluded: roles.excluded.clone(),
            dropped: learnt.dropped,
            warnings,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
        },
    })
}

/// Column roles after inference and overrides.
struct Roles {
    target: usize,
    target_spec: Target,
    id: Option<usize>,
    features: Vec<usize>,
    excluded: Vec<String>,
}

fn resolve_roles(table: &Table, opts: &TrainOptions, warnings: &mut Vec<String>) -> Result<Roles> {
    let headers = table.headers();
    let target = match &opts.target {
        Some(name) => table.column_index(name)?,
        None => headers
            .iter()
            .position(|h| TARGET_NAMES.iter().any(|t| h.eq_ignore_ascii_case(t)))
            .ok_or_else(|| Error::InvalidParameter {
                name: "--target".into(),
                value: "(not given)".into(),
                reason: format!(
                    "{}: no column is named like a target ({}); name it with --target COLUMN",
                    table.path().display(),
                    TARGET_NAMES.join(", ")
                ),
            })?,
    };
    let mut excluded_idx = vec![target];
    let mut excluded = Vec::new();
    for name in &opts.exclude {
        let c = table.column_index(name)?;
        excluded_idx.push(c);
        excluded.push(name.clone());
    }
    for name in opts
        .encoder
        .force_numeric
        .iter()
        .chain(&opts.encoder.force_categorical)
    {
        table.column_index(name)?;
    }
    let id = match &opts.id {
        Some(name) => Some(table.column_index(name)?),
        None => infer_id(table, &excluded_idx),
    };
    if let (Some(c), None) = (id, &opts.id) {
        warnings.push(format!(
            "column \"{}\" looks like an identifier (unique values, id-like name): not used as a feature, carried to scored output; override with --id",
            headers[c]
        ));
    }
    if let Some(c) = id {
        excluded_idx.push(c);
    }
    let features: Vec<usize> = (0..headers.len())
        .filter(|c| !excluded_idx.contains(c))
        .collect();
    if features.is_empty() {
        return Err(Error::InvalidParameter {
            name: "--exclude".into(),
            value: opts.exclude.join(","),
            reason: "no feature columns are left".into(),
        });
    }
    Ok(Roles {
        target,
        target_spec: Target {
            column: headers[target].clone(),
            positive: opts.positive.clone(),
        },
        id,
        features,
        excluded,
    })
}

/// A column whose name says id (`id`, `lead_id`, `Prospect ID`, ...) and whose values are unique.
fn infer_id(table: &Table, skip: &[usize]) -> Option<usize> {
    (0..table.headers().len()).find(|c| {
        if skip.contains(c) {
            return false;
        }
        let name = table.headers()[*c].to_ascii_lowercase();
        let id_like = name == "id" || name.ends_with("_id") || name.ends_with(" id");
        if !id_like {
            return false;
        }
        let mut seen = std::collections::HashSet::with_capacity(table.rows());
        (0..table.rows()).all(|r| seen.insert(table.value(r, *c)))
    })
}

fn read_target(table: &Table, c: usize, target: &Target) -> Result<Vec<bool>> {
    (0..table.rows())
        .map(|r| {
            let text = table.value(r, c);
            target.parse(text).ok_or_else(|| Error::TargetValue {
                path: table.path().to_path_buf(),
                line: table.line(r),
                column: target.column.clone(),
                value: text.to_string(),
                expected: target.expected(),
            })
        })
        .collect()
}

fn check_classes(table: &Table, target: &Target, y: &Array1<bool>) -> Result<()> {
    let positives = y.iter().filter(|&&v| v).count();
    if positives == 0 || positives == y.len() {
        return Err(Error::SingleClass {
            path: table.path().to_path_buf(),
            column: target.column.clone(),
            class: if positives == 0 {
                "negative"
            } else {
                "positive"
            }
            .into(),
            rows: y.len(),
        });
    }
    Ok(())
}

/// Per-row fold ids, stratified by class: each class is shuffled with the seed and dealt round
/// robin, so every fold has the same class balance to within one row.
pub fn stratified_folds(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0; labels.len()];
    let mut offset = 0;
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        idx.shuffle(&mut rng);
        for (j, &i) in idx.iter().enumerate() {
            fold[i] = (offset + j) % k;
        }
        offset += idx.len();
    }
    fold
}

/// Training and holdout rows (each sorted), the holdout taking `share` of each class.
pub fn stratified_holdout(labels: &[bool], share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut train = Vec::new();
    let mut hold = Vec::new();
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        idx.shuffle(&mut rng);
        let h = (share * idx.len() as f64).round() as usize;
        hold.extend_from_slice(&idx[..h]);
        train.extend_from_slice(&idx[h..]);
    }
    train.sort_unstable();
    hold.sort_unstable();
    (train, hold)
}

fn fit_design(
    design: ArrayView2<f64>,
    y: ArrayView1<bool>,
    alpha: f64,
    opts: &TrainOptions,
    names: &[String],
    units: &[(f64, f64)],
) -> Result<LogisticFit> {
    let mut params = LogisticParams::new()
        .alpha(alpha)
        .solver(opts.solver)
        .feature_names(names.to_vec())
        .column_units(units.to_vec());
    if let Some(m) = opts.max_iter {
        params = params.max_iter(m);
    }
    let valid = linfa::ParamGuard::check(params)?;
    valid.fit(&DatasetBase::new(design, y))
}

fn search_alpha(
    design: &Array2<f64>,
    y: &Array1<bool>,
    k: usize,
    opts: &TrainOptions,
) -> Result<Vec<AlphaCandidate>> {
    let labels: Vec<bool> = y.to_vec();
    let fold_of = stratified_folds(&labels, k, opts.seed ^ 0x5eed_a1fa);
    let names: Vec<String> = (0..design.ncols()).map(|j| format!("x{j}")).collect();
    let mut out = Vec::with_capacity(ALPHA_GRID.len());
    for &alpha in ALPHA_GRID {
        let mut loss = 0.0;
        let mut ok = true;
        for f in 0..k {
            let tr: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] != f).collect();
            let te: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] == f).collect();
            let x_tr = design.select(Axis(0), &tr);
            let y_tr: Array1<bool> = tr.iter().map(|&i| labels[i]).collect();
            match fit_design(x_tr.view(), y_tr.view(), alpha, opts, &names, &[]) {
                Ok(fit) => {
                    let p = fit.predict_probability(design.select(Axis(0), &te).view());
                    let l: Vec<bool> = te.iter().map(|&i| labels[i]).collect();
                    loss += metrics::log_loss(p.as_slice().unwrap_or(&p.to_vec()), &l)
                        .unwrap_or(f64::NAN)
                        * te.len() as f64;
                }
                Err(
                    Error::Separation { .. }
                    | Error::NotConverged { .. }
                    | Error::TooFewRows { .. },
                ) => {
                    ok = false;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        out.push(AlphaCandidate {
            alpha,
            cv_log_loss: ok.then(|| loss / labels.len() as f64),
        });
    }
    Ok(out)
}

/// Out-of-fold probabilities: for each fold, an encoder and model learnt on the other folds.
fn out_of_fold(
    table: &Table,
    features: &[usize],
    labels: &[bool],
    fold_of: &[usize],
    k: usize,
    alpha: f64,
    opts: &TrainOptions,
) -> Result<Vec<f64>> {
    let mut probs = vec![0.0; labels.len()];
    let mut ignored = Vec::new();
    for f in 0..k {
        let tr: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] != f).collect();
        let te: Vec<usize> = (0..labels.len()).filter(|&i| fold_of[i] == f).collect();
        let mut learnt = Encoder::learn(table, features, &tr, &opts.encoder)?;
        learnt.drop_collinear();
        let names = learnt.encoder.column_names();
        let units: Vec<(f64, f64)> = learnt
            .encoder
            .columns
            .iter()
            .map(|c| (c.mean, c.scale))
            .collect();
        let y: Array1<bool> = tr.iter().map(|&i| labels[i]).collect();
        let fit = fit_design(learnt.design.view(), y.view(), alpha, opts, &names, &units)?;
        let fold_model = FoldModel::new(&learnt.encoder, &fit);
        let p = fold_model.predict(table, features, &te, &mut ignored)?;
        for (i, v) in te.into_iter().zip(p) {
            probs[i] = v;
        }
    }
    Ok(probs)
}

/// A fitted model's coefficients on original units, for predicting rows of a table.
struct FoldModel<'a> {
    encoder: &'a Encoder,
    intercept: f64,
    coef: Vec<f64>,
}

impl<'a> FoldModel<'a> {
    fn new(encoder: &'a Encoder, fit: &LogisticFit) -> Self {
        let mut intercept = fit.intercept;
        let coef: Vec<f64> = encoder
            .columns
            .iter()
            .zip(fit.coef.iter())
            .map(|(c, b)| {
                intercept -= b * c.mean / c.scale;
                b / c.scale
            })
            .collect();
        FoldModel {
            encoder,
            intercept,
            coef,
        }
    }

    fn predict(
        &self,
        table: &Table,
        features: &[usize],
        rows: &[usize],
        warnings: &mut Vec<String>,
    ) -> Result<Vec<f64>> {
        let mut enc = RowEncoder::new(self.encoder);
        let mut x = vec![0.0; self.coef.len()];
        let mut unseen = 0;
        let mut out = Vec::with_capacity(rows.len());
        for &r in rows {
            unseen += enc
                .encode(features.iter().map(|&c| table.value(r, c)), &mut x)
                .map_err(|(f, p)| Error::BadValue {
                    path: table.path().to_path_buf(),
                    line: table.line(r),
                    column: table.headers()[features[f]].clone(),
                    value: table.value(r, features[f]).to_string(),
                    reason: p.reason().into(),
                })?;
            let eta = self.intercept + x.iter().zip(&self.coef).map(|(a, b)| a * b).sum::<f64>();
            out.push(crate::scoring::model::sigmoid(eta));
        }
        if unseen > 0 {
            warnings.push(format!(
                "{unseen} values in evaluation rows were levels not seen in training; scored as (other)"
            ));
        }
        Ok(out)
    }
}

/// Log likelihood of the intercept-only model.
fn null_log_likelihood(positives: usize, rows: usize) -> f64 {
    let p = positives as f64 / rows as f64;
    positives as f64 * p.ln() + (rows - positives) as f64 * (1.0 - p).ln()
}

/// SHA-256 of the file's bytes, computed on another thread while the CSV is parsed.
fn spawn_hash(path: PathBuf) -> std::thread::JoinHandle<Result<String>> {
    std::thread::spawn(move || sha256_file(&path))
}

/// Hex SHA-256 of a file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read.
pub fn sha256_file(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_holdout_keeps_class_shares() {
        let labels: Vec<bool> = (0..1000).map(|i| i % 10 == 0).collect();
        let (tr, ho) = stratified_holdout(&labels, 0.2, 7);
        assert_eq!(ho.len(), 200);
        assert_eq!(ho.iter().filter(|&&i| labels[i]).count(), 20);
        assert_eq!(tr.len() + ho.len(), 1000);
        let (tr2, _) = stratified_holdout(&labels, 0.2, 7);
        assert_eq!(tr, tr2, "same seed, same split");
        let (tr3, _) = stratified_holdout(&labels, 0.2, 8);
        assert_ne!(tr, tr3, "another seed, another split");
    }

    #[test]
    fn stratified_folds_balance_classes() {
        let labels: Vec<bool> = (0..103).map(|i| i % 4 == 0).collect();
        let fold = stratified_folds(&labels, 5, 1);
        for f in 0..5 {
            let rows = fold.iter().filter(|&&x| x == f).count();
            let pos = (0..103).filter(|&i| fold[i] == f && labels[i]).count();
            assert!((20..=21).contains(&rows), "fold {f} has {rows} rows");
            assert!((5..=6).contains(&pos), "fold {f} has {pos} positives");
        }
    }

    #[test]
    fn null_log_likelihood_of_a_balanced_sample() {
        assert!((null_log_likelihood(50, 100) - 100.0 * 0.5f64.ln()).abs() < 1e-12);
    }
}
