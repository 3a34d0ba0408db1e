//! `leadsim._native`, the compiled half of the `leadsim` Python package: a thin layer over the
//! library crate, like the CLI (`src/main.rs`). It converts arguments, calls the library on a
//! worker thread with the GIL released, and converts results and errors back. Everything a
//! person reads (signatures, defaults, docstrings, DataFrames) lives in the Python half,
//! `python/leadsim/`.

mod arrow;
mod data;
mod errors;
mod frames;
mod generate;
mod model;
mod shard;
mod simulate;
mod worker;

use pyo3::prelude::*;
use pyo3::types::PyList;

/// `(columns, truth_json)` of a synthetic history.
#[pyfunction(name = "generate")]
fn generate_history(
    py: Python<'_>,
    preset: String,
    leads: usize,
    seed: u64,
) -> PyResult<(Bound<'_, PyList>, String)> {
    let (columns, truth) = worker::run(py, move |cancel| {
        generate::history(&preset, leads, seed, cancel)
    })?;
    let truth = serde_json::to_string_pretty(&truth).expect("the truth serialises");
    Ok((frames::to_python(py, columns)?, truth))
}

/// The table the reader makes of an Arrow stream, as `[(name, [text, ...])]` with `None` for
/// missing values: the texts training and scoring see (for the tests of the reader).
#[pyfunction]
fn _read_text(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    source: String,
) -> PyResult<Vec<(String, Vec<Option<String>>)>> {
    let stream = arrow::Stream::from_capsule(data)?;
    worker::run(py, move |cancel| {
        let table = arrow::read_table(stream, &source, cancel)?;
        Ok((0..table.headers().len())
            .map(|c| {
                let values = (0..table.rows())
                    .map(|r| {
                        Some(table.value(r, c))
                            .filter(|v| !v.is_empty())
                            .map(str::to_string)
                    })
                    .collect();
                (table.headers()[c].clone(), values)
            })
            .collect())
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Name the shared pool's threads (as `top` and `py-spy` show them); otherwise they would
    // inherit the name of the worker thread that happened to start the pool first. Another
    // copy of the module in this process may have built it already: that pool serves as well.
    let _ = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("leadsim-pool-{i}"))
        .build_global();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<model::PyModel>()?;
    m.add_class::<simulate::PyResults>()?;
    m.add_function(wrap_pyfunction!(model::train_model, m)?)?;
    m.add_function(wrap_pyfunction!(model::train_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(model::load_model, m)?)?;
    m.add_function(wrap_pyfunction!(generate_history, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(shard::simulate_shard, m)?)?;
    m.add_function(wrap_pyfunction!(shard::merge, m)?)?;
    m.add_function(wrap_pyfunction!(_read_text, m)?)?;
    Ok(())
}
