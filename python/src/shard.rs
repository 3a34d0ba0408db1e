//! `simulate_shard` and `merge`: a cluster's sharded runs from Python, around `leadsim::sim`'s
//! shard layer (the partial results are the CLI's `shard-I-of-N.json` files).

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use leadsim::sim::{self, Analysis, Shard};

use crate::simulate::{messages, run_options, scenario_source, PyResults};
use crate::worker;

/// Runs shard `shard` ("I/N") of a scenario file (`kind = "path"`) or scenario text
/// (`kind = "text"`, named `name`) and writes `out/shard-I-of-N.json`. Returns the file's
/// path, the units it ran, the run's units and the file's warnings.
#[pyfunction]
#[pyo3(signature = (kind, scenario, name, shard, out, *, seed, replications, threads, objective))]
#[allow(clippy::too_many_arguments)]
pub fn simulate_shard(
    py: Python<'_>,
    kind: &str,
    scenario: String,
    name: String,
    shard: String,
    out: PathBuf,
    seed: Option<u64>,
    replications: Option<usize>,
    threads: Option<usize>,
    objective: String,
) -> PyResult<(PathBuf, usize, usize, Vec<String>)> {
    let from_path = kind == "path";
    worker::run(py, move |cancel| {
        let shard: Shard = shard.parse()?;
        let source = scenario_source(from_path, scenario, &name)?;
        let warnings = messages(&sim::warnings(source.file()));
        let opts = run_options(seed, replications, threads);
        let analysis = Analysis {
            precision: None,
            max_replications: None,
            objective: Some(objective),
        };
        let partial = sim::run_shard_cancellable(&source, shard, &opts, &analysis, Some(cancel))?;
        let path = partial.write(&out)?;
        Ok((path, partial.units(), partial.total_units(), warnings))
    })
}

/// Merges shard files (or folders of them) into the results of the whole run, with the
/// warnings the CLI prints.
#[pyfunction]
#[pyo3(signature = (inputs, *, objective))]
pub fn merge(
    py: Python<'_>,
    inputs: Vec<PathBuf>,
    objective: Option<String>,
) -> PyResult<(PyResults, usize, Vec<String>)> {
    let (merged, warnings) = worker::run(py, move |_cancel| {
        let merged = sim::merge(&inputs, objective.as_deref())?;
        let warnings = messages(&merged.results.warnings());
        Ok((merged, warnings))
    })?;
    Ok((
        PyResults {
            results: Arc::new(merged.results),
        },
        merged.shards,
        warnings,
    ))
}
