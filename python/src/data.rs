//! Data handed in from Python: a path to a CSV, or an Arrow stream (the Python side turns a
//! DataFrame into one).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use leadsim::data::{CsvOptions, Table};
use leadsim::Error;

use crate::arrow::{self, Stream};
use crate::errors::Outcome;

/// Rows to read.
pub enum Data {
    /// A CSV (or .csv.gz) file.
    Path(PathBuf),
    /// An Arrow stream, named `source` in messages.
    Arrow { stream: Stream, source: String },
}

impl Data {
    /// `data` is a capsule from `__arrow_c_stream__()` or a path (`str` or `os.PathLike`).
    pub fn from_python(data: &Bound<'_, PyAny>, source: &str) -> PyResult<Data> {
        if data.is_instance_of::<PyCapsule>() {
            return Ok(Data::Arrow {
                stream: Stream::from_capsule(data)?,
                source: source.to_string(),
            });
        }
        Ok(Data::Path(data.extract::<PathBuf>()?))
    }

    /// The rows as a table (a path is read whole, as `leadsim train` reads it).
    pub fn into_table(self, csv: &CsvOptions, cancel: &AtomicBool) -> Outcome<Table> {
        match self {
            Data::Path(p) => Ok(Table::load(&p, csv, None)?),
            Data::Arrow { stream, source } => arrow::read_table(stream, &source, cancel),
        }
    }
}

/// `delimiter=` as the CLI reads `--delimiter`: `,` `;` `tab` or one ASCII character.
pub fn delimiter(d: Option<&str>) -> Result<CsvOptions, Error> {
    let delimiter = match d {
        None => None,
        Some("tab" | "\\t" | "\t") => Some(b'\t'),
        Some(s) if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
        Some(s) => {
            return Err(Error::InvalidParameter {
                name: "delimiter".into(),
                value: s.into(),
                reason: "expected one ASCII character or 'tab'".into(),
            })
        }
    };
    Ok(CsvOptions {
        delimiter,
        ..Default::default()
    })
}

/// `decimal=` as the CLI reads `--decimal`: `","` reads 9,7 as 9.7, `"."` never, `None` detects
/// decimal commas per column in `;`-separated files.
pub fn decimal(d: Option<&str>) -> Result<Option<bool>, Error> {
    match d {
        None => Ok(None),
        Some(",") => Ok(Some(true)),
        Some(".") => Ok(Some(false)),
        Some(s) => Err(Error::InvalidParameter {
            name: "decimal".into(),
            value: s.into(),
            reason: "expected \",\" or \".\"".into(),
        }),
    }
}
