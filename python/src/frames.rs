//! Columns handed to Python, which makes DataFrames of them (`leadsim._frames`): numbers as
//! little-endian bytes (one copy, no Python object per value), text as lists of `str`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

/// One output column.
pub enum Column {
    F64(Vec<f64>),
    I64(Vec<i64>),
    /// `None` is missing.
    Text(Vec<Option<String>>),
}

/// Named columns, in order.
pub type Columns = Vec<(String, Column)>;

/// `[(name, kind, data)]` with kind `f8`, `i8` (bytes) or `str` (a list).
pub fn to_python<'py>(py: Python<'py>, columns: Columns) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (name, column) in columns {
        let (kind, data): (&str, Bound<'py, PyAny>) = match column {
            Column::F64(v) => (
                "f8",
                PyBytes::new(
                    py,
                    &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>(),
                )
                .into_any(),
            ),
            Column::I64(v) => (
                "i8",
                PyBytes::new(
                    py,
                    &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>(),
                )
                .into_any(),
            ),
            Column::Text(v) => ("str", PyList::new(py, v)?.into_any()),
        };
        out.append((name, kind, data))?;
    }
    Ok(out)
}
