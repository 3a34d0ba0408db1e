//! `simulate` and the results object: conversions around `leadsim::sim`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use leadsim::sim::{self, Analysis, PrecisionTarget, Results, RunOptions, ScenarioSource};
use leadsim::Error;

use crate::errors::raise;
use crate::frames::{self, Column, Columns};
use crate::worker;

/// The results of a run (the Python class `leadsim.Results` wraps it).
#[pyclass(module = "leadsim._native", name = "Results", frozen)]
pub struct PyResults {
    pub(crate) results: Arc<Results>,
}

#[pymethods]
impl PyResults {
    /// The columns of `summary.csv`, built from the values its writer reads.
    fn summary_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        frames::to_python(py, summary_columns(&self.results))
    }

    /// The columns of `replications.csv`, built from the values its writer reads.
    fn replication_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        frames::to_python(py, replication_columns(&self.results))
    }

    /// `summary.json`, as `write` writes it.
    fn to_json(&self) -> String {
        String::from_utf8(serde_json::to_vec_pretty(&*self.results).expect("results serialise"))
            .expect("JSON is UTF-8")
    }

    /// What `leadsim simulate` prints: the table, then the calibration when a population was
    /// calibrated to the history.
    fn table(&self) -> String {
        let table = self.results.table();
        match self.results.calibration_text() {
            cal if cal.is_empty() => table,
            // The CLI prints the table with a newline, then each calibration and a blank line.
            cal => format!("{table}\n{}", &cal[..cal.len() - 1]),
        }
    }

    /// The HTML report (`report.html`); charts of a big sweep take a moment, without the GIL.
    fn to_html(&self, py: Python<'_>) -> String {
        let results = Arc::clone(&self.results);
        py.detach(move || leadsim::report::simulate::simulation_report(&results))
    }

    /// Writes `summary.csv`, `summary.json`, `replications.csv` and `report.html` into `dir`,
    /// and `calibration.csv` when a population was calibrated.
    fn write(&self, py: Python<'_>, dir: PathBuf) -> PyResult<()> {
        let results = Arc::clone(&self.results);
        raise(
            py,
            py.detach(move || Ok(sim::write_outputs(&results, &dir).map(drop)?)),
        )
    }
}

/// Runs a scenario file (`kind = "path"`) or scenario text (`kind = "text"`, named `name` in
/// messages, table paths resolved against the current folder). Returns the results and the
/// warnings the CLI prints (the file's, then the run's).
#[pyfunction]
#[pyo3(signature = (kind, scenario, name, *, seed, replications, threads, precision,
    precision_metric, max_replications, objective))]
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    py: Python<'_>,
    kind: &str,
    scenario: String,
    name: String,
    seed: Option<u64>,
    replications: Option<usize>,
    threads: Option<usize>,
    precision: Option<f64>,
    precision_metric: Option<String>,
    max_replications: Option<usize>,
    objective: String,
) -> PyResult<(PyResults, Vec<String>)> {
    let from_path = kind == "path";
    let (results, warnings) = worker::run(py, move |cancel| {
        let file = scenario_source(from_path, scenario, &name)?.into_file();
        let precision = match (precision, precision_metric) {
            (Some(half_width), metric) => Some(PrecisionTarget {
                metric: metric.unwrap_or_else(|| "mql_to_sql".into()),
                half_width,
            }),
            (None, Some(metric)) => {
                return Err(Error::InvalidParameter {
                    name: "precision_metric".into(),
                    value: metric,
                    reason: "needs precision=, the half-width to reach".into(),
                }
                .into())
            }
            (None, None) => None,
        };
        let analysis = Analysis {
            precision,
            max_replications,
            objective: Some(objective),
        };
        // The warnings the CLI prints before the run and after it, in that order.
        let mut warnings = messages(&sim::warnings(&file));
        let opts = run_options(seed, replications, threads);
        let results = sim::run_cancellable(&file, &opts, &analysis, Some(cancel))?;
        warnings.extend(messages(&results.warnings()));
        Ok((results, warnings))
    })?;
    Ok((
        PyResults {
            results: Arc::new(results),
        },
        warnings,
    ))
}

/// A scenario file (`from_path`) or scenario text named `name` in messages, with its text kept
/// (what a shard records).
pub fn scenario_source(
    from_path: bool,
    scenario: String,
    name: &str,
) -> leadsim::Result<ScenarioSource> {
    if from_path {
        ScenarioSource::load(&scenario)
    } else {
        ScenarioSource::from_text(scenario, Path::new(name))
    }
}

/// Run options as the Python calls give them (no progress bar).
pub fn run_options(
    seed: Option<u64>,
    replications: Option<usize>,
    threads: Option<usize>,
) -> RunOptions<'static> {
    RunOptions {
        seed,
        replications,
        threads,
        progress: None,
    }
}

/// Warnings as the CLI prints them after `warning: `.
pub fn messages(warnings: &[sim::Warning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

/// The library's simulation defaults, for the Python wrapper's tests.
#[pyfunction]
pub fn simulate_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("objective", sim::run::DEFAULT_OBJECTIVE)?;
    Ok(out)
}

/// NaN for a missing difference, as `summary.csv` leaves the field empty.
fn or_nan(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

fn summary_columns(results: &Results) -> Columns {
    let (mut scenario, mut metric) = (Vec::new(), Vec::new());
    let mut values: [Vec<f64>; 7] = Default::default();
    for sc in &results.scenarios {
        for s in &sc.summary {
            scenario.push(Some(sc.name.clone()));
            metric.push(Some(s.metric.clone()));
            let v = &s.value;
            let d = s.diff.as_ref();
            let row = [
                v.mean,
                v.sd,
                v.ci_low,
                v.ci_high,
                or_nan(d.map(|d| d.mean)),
                or_nan(d.map(|d| d.ci_low)),
                or_nan(d.map(|d| d.ci_high)),
            ];
            for (column, x) in values.iter_mut().zip(row) {
                column.push(x);
            }
        }
    }
    let names = [
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
    ];
    let mut out: Columns = vec![
        ("scenario".into(), Column::Text(scenario)),
        ("metric".into(), Column::Text(metric)),
    ];
    out.extend(
        names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.to_string(), Column::F64(v))),
    );
    out
}

fn replication_columns(results: &Results) -> Columns {
    // Every scenario's metrics in first-seen order, as `replications.csv` has them.
    let mut metrics: Vec<&str> = Vec::new();
    for sc in &results.scenarios {
        for m in &sc.metrics {
            if !metrics.contains(&m.as_str()) {
                metrics.push(m);
            }
        }
    }
    let (mut scenario, mut replication) = (Vec::new(), Vec::new());
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); metrics.len()];
    for sc in &results.scenarios {
        let index: Vec<Option<usize>> = metrics
            .iter()
            .map(|c| sc.metrics.iter().position(|m| m == c))
            .collect();
        for (r, row) in sc.values.iter().enumerate() {
            scenario.push(Some(sc.name.clone()));
            replication.push(r as i64);
            // A metric the scenario lacks (another scenario's pool) is NaN, as the empty field.
            for (column, i) in values.iter_mut().zip(&index) {
                column.push(i.map_or(f64::NAN, |i| row[i]));
            }
        }
    }
    let mut out: Columns = vec![
        ("scenario".into(), Column::Text(scenario)),
        ("replication".into(), Column::I64(replication)),
    ];
    out.extend(
        metrics
            .iter()
            .zip(values)
            .map(|(m, v)| (m.to_string(), Column::F64(v))),
    );
    out
}
