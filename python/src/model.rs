//! `train`, `load_model` and the model object: conversions around `leadsim::scoring`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use leadsim::data::{CsvOptions, MissingTokens, Table};
use leadsim::scoring::encode::EncoderSettings;
use leadsim::scoring::model::Model;
use leadsim::scoring::train::{
    self, TimeOptions, TimeTest, TrainOptions, TrainProgress, TrainingSource,
};
use leadsim::scoring::{self, TableScores};

use crate::data::Data;
use crate::errors::{raise, Failure, Outcome};
use crate::frames::{self, Column, Columns};
use crate::worker;

/// A trained model (the Python class `leadsim.Model` wraps it).
#[pyclass(module = "leadsim._native", name = "Model", frozen)]
pub struct PyModel {
    pub model: Arc<Model>,
}

#[pymethods]
impl PyModel {
    /// The model file's JSON, exactly as `save` writes it.
    fn to_json(&self) -> String {
        String::from_utf8(serde_json::to_vec_pretty(&*self.model).expect("a model serialises"))
            .expect("JSON is UTF-8")
    }

    /// The text `leadsim train` prints.
    fn summary(&self) -> String {
        leadsim::scoring::output::train_summary(&self.model)
    }

    /// The HTML report `leadsim train` writes beside the model.
    fn to_html(&self, py: Python<'_>) -> String {
        let model = Arc::clone(&self.model);
        py.detach(move || leadsim::report::train::train_report(&model))
    }

    /// Writes the model file (atomically).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let model = Arc::clone(&self.model);
        raise(py, py.detach(move || Ok(model.save(&path)?)))
    }

    /// `(columns, unseen_levels)` of the scored rows.
    #[pyo3(signature = (data, source, *, explain, id, delimiter))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        source: &str,
        explain: usize,
        id: Option<String>,
        delimiter: Option<&str>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
        let csv = raise(py, crate::data::delimiter(delimiter).map_err(Failure::from))?;
        let data = Data::from_python(data, source)?;
        let model = Arc::clone(&self.model);
        let (columns, unseen_levels) = worker::run(py, move |cancel| {
            let table = data.into_table(&csv, cancel)?;
            let scores =
                scoring::score_table(&model, &table, id.as_deref(), explain, Some(cancel))?;
            Ok(score_columns(&table, scores))
        })?;
        let unseen = PyDict::new(py);
        for (column, n) in unseen_levels {
            unseen.set_item(column, n)?;
        }
        Ok((frames::to_python(py, columns)?, unseen))
    }

    /// The evaluation's JSON (`leadsim evaluate --json`).
    #[pyo3(signature = (data, source, *, target, positive, delimiter))]
    fn evaluate(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        source: &str,
        target: Option<String>,
        positive: Option<String>,
        delimiter: Option<&str>,
    ) -> PyResult<String> {
        let csv = raise(py, crate::data::delimiter(delimiter).map_err(Failure::from))?;
        let data = Data::from_python(data, source)?;
        let model = Arc::clone(&self.model);
        let evaluation = worker::run(py, move |cancel| {
            let table = data.into_table(&csv, cancel)?;
            Ok(scoring::evaluate_table(
                &model,
                &table,
                target.as_deref(),
                positive.as_deref(),
                Some(cancel),
            )?)
        })?;
        Ok(serde_json::to_string_pretty(&evaluation).expect("an evaluation serialises"))
    }
}

/// The columns `leadsim score` writes (the id column or `line`, `score`, `band`, `up_1..K`,
/// `down_1..K`) and the unseen-level counts it warns about.
fn score_columns(table: &Table, scores: TableScores) -> (Columns, BTreeMap<String, u64>) {
    let n = table.rows();
    let mut columns: Columns = vec![match scores.id_column {
        Some(c) => (
            table.headers()[c].clone(),
            Column::Text(
                (0..n)
                    .map(|r| Some(table.value(r, c).to_string()))
                    .collect(),
            ),
        ),
        None => (
            "line".to_string(),
            Column::I64((0..n).map(|r| table.line(r) as i64).collect()),
        ),
    }];
    columns.push(("score".into(), Column::F64(scores.scores)));
    columns.push((
        "band".into(),
        Column::Text(scores.bands.into_iter().map(Some).collect()),
    ));
    let k = scores.factors.len() / 2;
    let names = (1..=k)
        .map(|i| format!("up_{i}"))
        .chain((1..=k).map(|i| format!("down_{i}")));
    for (name, values) in names.zip(scores.factors) {
        columns.push((name, Column::Text(values.into_iter().map(Some).collect())));
    }
    (columns, scores.unseen_levels)
}

/// Reads a model file written by `leadsim train` or `Model.save`.
#[pyfunction]
pub fn load_model(py: Python<'_>, path: PathBuf) -> PyResult<PyModel> {
    let model = raise(py, py.detach(move || Ok(Model::load(&path)?)))?;
    Ok(PyModel {
        model: Arc::new(model),
    })
}

/// Trains a model; every option is the CLI's, given explicitly by the Python wrapper.
#[pyfunction(name = "train")]
#[pyo3(signature = (data, source, *, target, positive, exclude, id, categorical, numeric,
    missing, min_level_count, holdout, folds, cv, alpha, l1_ratio, firth, solver, max_iter, bands, seed,
    delimiter, decimal, time_column, date_format, test_latest, test_after, as_of,
    maturity_days))]
#[allow(clippy::too_many_arguments)]
pub fn train_model(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    source: &str,
    target: Option<String>,
    positive: Option<String>,
    exclude: Vec<String>,
    id: Option<String>,
    categorical: Vec<String>,
    numeric: Vec<String>,
    missing: Vec<String>,
    min_level_count: usize,
    holdout: f64,
    folds: Option<usize>,
    cv: Option<usize>,
    alpha: f64,
    l1_ratio: Option<f64>,
    firth: bool,
    solver: &str,
    max_iter: Option<usize>,
    bands: Option<Vec<f64>>,
    seed: u64,
    delimiter: Option<&str>,
    decimal: Option<&str>,
    time_column: Option<String>,
    date_format: Option<&str>,
    test_latest: Option<f64>,
    test_after: Option<String>,
    as_of: Option<String>,
    maturity_days: Option<f64>,
) -> PyResult<PyModel> {
    let options = || -> Outcome<TrainOptions> {
        let date_format = date_format
            .map(|f| {
                f.parse()
                    .map_err(|reason| leadsim::Error::InvalidParameter {
                        name: "date_format".into(),
                        value: f.into(),
                        reason,
                    })
            })
            .transpose()?;
        let time = time_column.map(|column| TimeOptions {
            column,
            date_format,
            test: match (test_after, test_latest) {
                (Some(date), _) => TimeTest::After(date),
                (None, Some(share)) => TimeTest::Latest(share),
                (None, None) => TimeTest::Latest(holdout),
            },
            as_of,
            maturity_days,
        });
        Ok(TrainOptions {
            data: PathBuf::new(),
            csv: CsvOptions {
                decimal_comma: crate::data::decimal(decimal)?,
                ..crate::data::delimiter(delimiter)?
            },
            target,
            positive,
            exclude,
            id,
            encoder: EncoderSettings {
                missing: MissingTokens::with_extra(missing),
                min_level_count,
                force_numeric: numeric,
                force_categorical: categorical,
            },
            holdout,
            folds,
            cv,
            alpha,
            l1_ratio,
            solver: solver.parse()?,
            max_iter,
            seed,
            bands,
            time,
            firth,
        })
    };
    let mut opts = raise(py, options())?;
    let data = Data::from_python(data, source)?;
    let model = worker::run(py, move |cancel| match data {
        Data::Path(path) => {
            opts.data = path;
            Ok(train::train(&opts, &Interruptible(cancel))?)
        }
        arrow @ Data::Arrow { .. } => {
            let start = Instant::now();
            let table = arrow.into_table(&opts.csv, cancel)?;
            let source = TrainingSource {
                file: table.path().display().to_string(),
                load_seconds: start.elapsed().as_secs_f64(),
                // There is no file to hash; the model records an empty hash.
                sha256: Box::new(|| Ok(String::new())),
            };
            Ok(train::train_table(
                &table,
                source,
                &opts,
                &Interruptible(cancel),
            )?)
        }
    })?;
    Ok(PyModel {
        model: Arc::new(model),
    })
}

/// Training that stops (with `Error::Cancelled`) between stages and between the fits of `cv=`
/// and `folds=` once Ctrl-C set the worker's flag; one fit runs to its end.
struct Interruptible<'a>(&'a AtomicBool);

impl TrainProgress for Interruptible<'_> {
    fn stage(&self, _name: &str) {}
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The library's training defaults, for the Python wrapper's tests.
#[pyfunction]
pub fn train_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = TrainOptions::default();
    let out = PyDict::new(py);
    out.set_item("min_level_count", d.encoder.min_level_count)?;
    out.set_item("holdout", d.holdout)?;
    out.set_item("alpha", d.alpha)?;
    out.set_item("firth", d.firth)?;
    out.set_item("solver", d.solver.as_str())?;
    out.set_item("seed", d.seed)?;
    out.set_item("missing", d.encoder.missing.tokens().to_vec())?;
    Ok(out)
}
