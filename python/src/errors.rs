//! From library errors to the Python exceptions of `leadsim.errors`: one explicit `match`, so a
//! new `leadsim::Error` variant fails to compile here instead of falling into a default class.
//! The message is the library's `Display`, the text the CLI prints after `error: `; the
//! variant's fields become attributes (`path`, `line`, `column`, `value`...).

use pyo3::prelude::*;

use leadsim::Error;

/// What went wrong in the bindings: a library error, or a problem the bindings found themselves
/// (an Arrow type they cannot read, a worker that panicked).
#[derive(Debug)]
pub enum Failure {
    Leadsim(Error),
    /// Raised as `leadsim.InputError`.
    Input(String),
    /// Raised as `RuntimeError`: a bug, never a user's mistake.
    Internal(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Leadsim(e)
    }
}

pub type Outcome<T> = std::result::Result<T, Failure>;

/// A field of a variant, as an attribute value.
enum Field {
    Text(String),
    Int(u64),
    Float(f64),
    Absent,
}

fn text(s: impl ToString) -> Field {
    Field::Text(s.to_string())
}

fn path(p: &std::path::Path) -> Field {
    Field::Text(p.display().to_string())
}

/// The exception class (in `leadsim.errors`), the variant's name and its fields.
fn describe(e: &Error) -> (&'static str, &'static str, Vec<(&'static str, Field)>) {
    use Field::{Float, Int};
    match e {
        Error::Io { path: p, source } => (
            "FileError",
            "Io",
            vec![
                ("path", path(p)),
                ("filename", path(p)),
                (
                    "errno",
                    source
                        .raw_os_error()
                        .map_or(Field::Absent, |n| Int(n as u64)),
                ),
                ("strerror", text(source)),
            ],
        ),
        Error::EmptyFile { path: p } => ("InputError", "EmptyFile", vec![("path", path(p))]),
        Error::HeaderOnly { path: p } => ("InputError", "HeaderOnly", vec![("path", path(p))]),
        Error::NotGzip { path: p, message } => (
            "InputError",
            "NotGzip",
            vec![("path", path(p)), ("message", text(message))],
        ),
        Error::Csv {
            path: p,
            line,
            message,
        } => (
            "InputError",
            "Csv",
            vec![
                ("path", path(p)),
                ("line", Int(*line)),
                ("message", text(message)),
            ],
        ),
        Error::RaggedRow {
            path: p,
            line,
            expected,
            found,
        } => (
            "InputError",
            "RaggedRow",
            vec![
                ("path", path(p)),
                ("line", Int(*line)),
                ("expected", Int(*expected as u64)),
                ("found", Int(*found as u64)),
            ],
        ),
        Error::DuplicateHeader {
            path: p,
            column,
            first,
            second,
        } => (
            "InputError",
            "DuplicateHeader",
            vec![
                ("path", path(p)),
                ("column", text(column)),
                ("first", Int(*first as u64)),
                ("second", Int(*second as u64)),
            ],
        ),
        Error::UnknownColumn {
            path: p,
            column,
            hint,
        } => (
            "InputError",
            "UnknownColumn",
            vec![
                ("path", path(p)),
                ("column", text(column)),
                ("hint", text(hint)),
            ],
        ),
        Error::BadValue {
            path: p,
            line,
            column,
            value,
            reason,
        } => (
            "InputError",
            "BadValue",
            vec![
                ("path", path(p)),
                ("line", Int(*line)),
                ("column", text(column)),
                ("value", text(value)),
                ("reason", text(reason)),
            ],
        ),
        Error::TargetValue {
            path: p,
            line,
            column,
            value,
            expected,
        } => (
            "InputError",
            "TargetValue",
            vec![
                ("path", path(p)),
                ("line", Int(*line)),
                ("column", text(column)),
                ("value", text(value)),
                ("expected", text(expected)),
            ],
        ),
        Error::SingleClass {
            path: p,
            column,
            class,
            rows,
        } => (
            "InputError",
            "SingleClass",
            vec![
                ("path", path(p)),
                ("column", text(column)),
                ("class_", text(class)),
                ("rows", Int(*rows as u64)),
            ],
        ),
        Error::MissingFeature { path: p, column } => (
            "InputError",
            "MissingFeature",
            vec![("path", path(p)), ("column", text(column))],
        ),
        Error::TooFewRows { rows, features } => (
            "FitError",
            "TooFewRows",
            vec![
                ("rows", Int(*rows as u64)),
                ("features", Int(*features as u64)),
            ],
        ),
        Error::Separation { detail } => ("FitError", "Separation", vec![("detail", text(detail))]),
        Error::NotConverged {
            solver,
            iterations,
            gradient_norm,
        } => (
            "FitError",
            "NotConverged",
            vec![
                ("solver", text(solver)),
                ("iterations", Int(*iterations as u64)),
                ("gradient_norm", Float(*gradient_norm)),
            ],
        ),
        Error::Numerical(detail) => ("FitError", "Numerical", vec![("detail", text(detail))]),
        Error::Linfa(inner) => ("FitError", "Linfa", vec![("detail", text(inner))]),
        Error::NotAModel { path: p, message } => (
            "ModelError",
            "NotAModel",
            vec![("path", path(p)), ("message", text(message))],
        ),
        Error::ModelVersion {
            path: p,
            found,
            supported,
        } => (
            "ModelError",
            "ModelVersion",
            vec![
                ("path", path(p)),
                ("found", Int(*found)),
                ("supported", Int(*supported)),
            ],
        ),
        Error::InvalidParameter {
            name,
            value,
            reason,
        } => (
            "ParameterError",
            "InvalidParameter",
            vec![
                ("name", text(name)),
                ("value", text(value)),
                ("reason", text(reason)),
            ],
        ),
        Error::Config {
            path: p,
            field,
            message,
        } => (
            "ConfigError",
            "Config",
            vec![
                ("path", path(p)),
                ("field", text(field)),
                ("message", text(message)),
            ],
        ),
        Error::Cancelled => ("CancelledError", "Cancelled", vec![]),
    }
}

/// An instance of `leadsim.errors.<class>` with `message` and `attributes`.
fn exception(
    py: Python<'_>,
    class: &str,
    kind: &str,
    message: &str,
    fields: Vec<(&'static str, Field)>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = py.import("leadsim.errors")?.getattr(class)?;
        let exc = cls.call1((message,))?;
        for (name, value) in fields {
            match value {
                Field::Text(s) => exc.setattr(name, s)?,
                Field::Int(n) => exc.setattr(name, n)?,
                Field::Float(x) => exc.setattr(name, x)?,
                Field::Absent => exc.setattr(name, py.None())?,
            }
        }
        exc.setattr("kind", kind)?;
        Ok(PyErr::from_value(exc))
    };
    // Should the package's own module be unimportable, keep the message at least.
    build().unwrap_or_else(|_| pyo3::exceptions::PyRuntimeError::new_err(message.to_string()))
}

impl Failure {
    /// The Python exception for this failure.
    pub fn into_py_err(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Leadsim(e) => {
                let (class, kind, fields) = describe(&e);
                exception(py, class, kind, &e.to_string(), fields)
            }
            Failure::Input(message) => exception(py, "InputError", "Input", &message, vec![]),
            Failure::Internal(message) => pyo3::exceptions::PyRuntimeError::new_err(format!(
                "internal error in leadsim (please report it): {message}"
            )),
        }
    }
}

/// Converts a library result, raising its exception.
pub fn raise<T>(py: Python<'_>, r: Outcome<T>) -> PyResult<T> {
    r.map_err(|f| f.into_py_err(py))
}
