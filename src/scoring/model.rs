//! The model file: everything needed to score (schema, encoders, coefficients) plus what an
//! analyst needs to judge the model (inference, metrics, training metadata). JSON via serde,
//! versioned by `format_version`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::scoring::encode::{DroppedColumn, Encoder};
use crate::scoring::inference::Coefficient;
use crate::scoring::metrics::{Evaluation, Metrics, ScoreBands};
use crate::scoring::solver::SolverKind;

/// The model file format this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// Which target values count as the positive outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The target column's name.
    pub column: String,
    /// With `None`, 1/0, yes/no and true/false (any case) are read; with a value, that value is
    /// positive and every other non-missing value negative.
    pub positive: Option<String>,
}

impl Target {
    /// Reads a target value; `None` when it is not a valid outcome.
    pub fn parse(&self, text: &str) -> Option<bool> {
        if text.is_empty() {
            return None;
        }
        match &self.positive {
            Some(p) => Some(text == p),
            None => match text {
                "1" | "1.0" => Some(true),
                "0" | "0.0" => Some(false),
                _ => crate::data::parse_yes_no(text).map(|v| v > 0.5),
            },
        }
    }

    /// The accepted values, for error messages.
    pub fn expected(&self) -> String {
        match &self.positive {
            Some(p) => format!("\"{p}\" (positive) or any other non-empty value"),
            None => "1/0, yes/no or true/false".to_string(),
        }
    }
}

/// How the model was fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSummary {
    pub solver: SolverKind,
    pub alpha: f64,
    /// Elastic-net mixing (1 = lasso) when the penalty has an L1 part; absent for ridge and
    /// unpenalised fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1_ratio: Option<f64>,
    /// Coefficients (intercept not counted) that are exactly zero, for elastic-net fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_coefficients: Option<usize>,
    pub iterations: usize,
    pub converged: bool,
    /// Summed log likelihood on the training rows.
    pub log_likelihood: f64,
    /// Log likelihood of the intercept-only model on the same rows.
    pub null_log_likelihood: f64,
    /// McFadden's pseudo R-squared, 1 - ll / ll_null.
    pub pseudo_r2: f64,
    pub aic: f64,
    pub bic: f64,
    pub rows: usize,
    pub positives: usize,
    /// Wall time of the fit itself (design matrix ready, solver run, covariance).
    pub fit_seconds: f64,
    /// Wall time of reading the CSV.
    pub load_seconds: f64,
    /// Whether standard errors and intervals are reported (unregularised fits only).
    pub inference: bool,
    /// The alpha search, when cross-validation picked alpha (`TrainOptions::cv`).
    pub alpha_search: Option<Vec<AlphaCandidate>>,
    /// Firth's bias-reduced fit (`TrainOptions::firth`): its penalised likelihood and what
    /// each inference column of the coefficient table is. `log_likelihood` (and pseudo R2,
    /// AIC, BIC) stay the unpenalised log likelihood at the Firth estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firth: Option<FirthSummary>,
}

/// How a Firth fit's coefficient table was computed, column by column (for readers of the
/// model file, who cannot tell a profile interval from a Wald one by its numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirthSummary {
    /// `l(b) + 1/2 ln det I(b)` at the estimate, with `I` the information of the original
    /// (unstandardised) columns: logistf's `loglik["full"]`.
    pub penalised_log_likelihood: f64,
    /// How `std_error` was computed.
    pub std_error: String,
    /// How `z` and `p_value` were computed.
    pub p_value: String,
    /// How `ci_lower` and `ci_upper` were computed.
    pub interval: String,
    /// How `lr_p_value` was computed (`None` when profiling was off).
    pub lr_p_value: Option<String>,
}

/// [`FirthSummary::std_error`] of every Firth fit.
pub const FIRTH_STD_ERROR: &str =
    "inverse Fisher information at the Firth estimate (as Heinze & Schemper 2002, brglm2 and logistf before 1.24)";
/// [`FirthSummary::p_value`] of every Firth fit.
pub const FIRTH_P_VALUE: &str = "Wald: z = estimate / std_error, two-sided normal";
/// [`FirthSummary::interval`] with profiling on.
pub const FIRTH_PROFILE_INTERVAL: &str =
    "95% profile penalised likelihood (logistf's default, pl = TRUE)";
/// [`FirthSummary::interval`] with profiling off.
pub const FIRTH_WALD_INTERVAL: &str = "95% Wald: estimate +- 1.96 std_error";
/// [`FirthSummary::lr_p_value`] with profiling on.
pub const FIRTH_LR_P_VALUE: &str =
    "penalised likelihood ratio, chi-square with 1 df (logistf's default test)";

/// One alpha tried by cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlphaCandidate {
    pub alpha: f64,
    /// Mean held-out log loss per row over the folds, `None` when a fold failed (separation).
    pub cv_log_loss: Option<f64>,
    /// Nonzero coefficients of the fit on every training row at this alpha (elastic-net
    /// paths only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonzero: Option<usize>,
}

/// Where the reported metrics come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    /// `holdout`, `out-of-time` (the latest leads, see `training.time_split`),
    /// `cross-validation` or `in-sample` (optimistic: the rows the model was fit on).
    pub kind: String,
    pub rows: usize,
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// Training metadata, for reproducibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub data_file: String,
    pub data_sha256: String,
    /// Rows in the file, and those used to fit.
    pub file_rows: usize,
    pub fit_rows: usize,
    pub columns: usize,
    pub seed: u64,
    pub holdout: f64,
    pub folds: Option<usize>,
    pub min_level_count: usize,
    pub excluded: Vec<String>,
    pub dropped: Vec<DroppedColumn>,
    pub warnings: Vec<String>,
    pub crate_version: String,
    /// Columns whose decimal commas were detected and read as points; scoring reads the same
    /// files the same way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decimal_comma: Vec<String>,
    /// The time-aware split, when the holdout was the latest leads (`TrainOptions::time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_split: Option<crate::scoring::train::TimeSplitInfo>,
}

/// A trained lead-scoring model, as saved in `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format_version: u64,
    pub target: Target,
    pub id_column: Option<String>,
    pub encoder: Encoder,
    /// Intercept first, then one per kept design column, on original units.
    pub coefficients: Vec<Coefficient>,
    /// One Wald test per input field (all its design columns together), most significant
    /// first; empty for regularised fits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_tests: Vec<crate::scoring::train::FieldTest>,
    pub fit: FitSummary,
    /// Headline metrics (same as `evaluation.metrics`), at the top for scripts.
    pub metrics: Metrics,
    pub evaluation: EvaluationReport,
    pub bands: ScoreBands,
    pub training: TrainingInfo,
    /// The training period against the out-of-time test period, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<crate::scoring::metrics::PeriodComparison>,
}

impl Model {
    /// The probability of conversion for one encoded row (original units).
    pub fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.linear_predictor(row))
    }

    /// The log odds for one encoded row (original units).
    pub fn linear_predictor(&self, row: &[f64]) -> f64 {
        let mut eta = self.coefficients[0].estimate;
        for (x, c) in row.iter().zip(&self.coefficients[1..]) {
            eta += c.estimate * x;
        }
        eta
    }

    /// Writes the model as pretty JSON, atomically.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("model serialises");
        crate::atomic::write_atomic(path, &json)
    }

    /// Reads and checks a model file.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::NotAModel`] (not JSON, not an object with `format_version`, a
    /// missing or malformed field), [`Error::ModelVersion`] for another format version.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let not_a_model = |message: String| Error::NotAModel {
            path: path.to_path_buf(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| not_a_model(format!("not JSON ({e})")))?;
        let version = value
            .get("format_version")
            .ok_or_else(|| not_a_model("no \"format_version\" field".into()))?
            .as_u64()
            .ok_or_else(|| not_a_model("\"format_version\" is not a whole number".into()))?;
        if version != FORMAT_VERSION {
            return Err(Error::ModelVersion {
                path: path.to_path_buf(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let model: Model = serde_json::from_value(value).map_err(|e| not_a_model(e.to_string()))?;
        if model.coefficients.len() != model.encoder.columns.len() + 1 {
            return Err(not_a_model(format!(
                "{} coefficients for {} design columns",
                model.coefficients.len(),
                model.encoder.columns.len()
            )));
        }
        model
            .check()
            .map_err(|(field, problem)| Error::ModelInconsistent {
                path: path.to_path_buf(),
                field,
                problem,
            })?;
        Ok(model)
    }

    /// The internal consistency [`Model::load`] checks once, so that scoring can index without
    /// checks: the encoder's ([`Encoder::check`]), finite coefficients, and a linear predictor
    /// that stays finite for inputs near the training data. The last is a bound, not a guess:
    /// `|b0| + sum |b_j| (|mean_j| + scale_j)` bounds the log odds of any row within one
    /// standard deviation of the training means; when it overflows, some such rows would score
    /// NaN (`inf - inf`), so the model is refused.
    fn check(&self) -> std::result::Result<(), (String, String)> {
        self.encoder.check()?;
        for (i, c) in self.coefficients.iter().enumerate() {
            if !c.estimate.is_finite() {
                return Err((
                    format!("coefficients[{i}].estimate"),
                    format!("{} is not finite", c.estimate),
                ));
            }
        }
        let bound = self.coefficients[1..]
            .iter()
            .zip(&self.encoder.columns)
            .fold(self.coefficients[0].estimate.abs(), |acc, (c, col)| {
                acc + c.estimate.abs() * (col.mean.abs() + col.scale)
            });
        if !bound.is_finite() {
            return Err((
                "coefficients".to_string(),
                "the estimates are so large that scores of leads near the training data \
                 overflow (the linear predictor exceeds the range of a float)"
                    .to_string(),
            ));
        }
        Ok(())
    }
}

/// The logistic function, stable for large |x|.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_reads_binary_texts_and_named_positives() {
        let auto = Target {
            column: "y".into(),
            positive: None,
        };
        assert_eq!(auto.parse("1"), Some(true));
        assert_eq!(auto.parse("no"), Some(false));
        assert_eq!(auto.parse("TRUE"), Some(true));
        assert_eq!(auto.parse("2"), None);
        assert_eq!(auto.parse(""), None);
        let named = Target {
            column: "y".into(),
            positive: Some("won".into()),
        };
        assert_eq!(named.parse("won"), Some(true));
        assert_eq!(named.parse("lost"), Some(false));
    }

    #[test]
    fn sigmoid_is_stable_in_both_tails() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-800.0) >= 0.0 && sigmoid(-800.0) < 1e-300);
        assert_eq!(sigmoid(800.0), 1.0);
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn load_rejects_non_models_and_other_versions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.json");
        std::fs::write(&p, b"a,b\n1,2\n").unwrap();
        assert!(matches!(Model::load(&p), Err(Error::NotAModel { .. })));
        std::fs::write(&p, br#"{"hello": 1}"#).unwrap();
        assert!(matches!(Model::load(&p), Err(Error::NotAModel { .. })));
        std::fs::write(&p, br#"{"format_version": 99}"#).unwrap();
        assert!(matches!(
            Model::load(&p),
            Err(Error::ModelVersion { found: 99, .. })
        ));
        std::fs::write(&p, br#"{"format_version": 1, "target": {"column": "y"}}"#).unwrap();
        match Model::load(&p) {
            Err(Error::NotAModel { message, .. }) => assert!(message.contains("missing field")),
            other => panic!("{other:?}"),
        }
    }
}
