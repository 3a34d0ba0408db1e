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
    List(Vec<Field>),
    Absent,
}

/// Library field types as attribute values.
trait AsField {
    fn field(&self) -> Field;
}

impl AsField for String {
    fn field(&self) -> Field {
        Field::Text(self.clone())
    }
}
impl AsField for &str {
    fn field(&self) -> Field {
        Field::Text(self.to_string())
    }
}
impl AsField for std::path::PathBuf {
    fn field(&self) -> Field {
        Field::Text(self.display().to_string())
    }
}
impl AsField for u64 {
    fn field(&self) -> Field {
        Field::Int(*self)
    }
}
impl AsField for u32 {
    fn field(&self) -> Field {
        Field::Int(u64::from(*self))
    }
}
impl AsField for usize {
    fn field(&self) -> Field {
        Field::Int(*self as u64)
    }
}
impl AsField for i64 {
    fn field(&self) -> Field {
        // Only the counts of a wrong setting are signed; none is negative where it is reported.
        Field::Int(*self as u64)
    }
}
impl AsField for f64 {
    fn field(&self) -> Field {
        Field::Float(*self)
    }
}
impl<T: AsField> AsField for Option<T> {
    fn field(&self) -> Field {
        self.as_ref().map_or(Field::Absent, AsField::field)
    }
}
impl<T: AsField> AsField for Vec<T> {
    fn field(&self) -> Field {
        Field::List(self.iter().map(AsField::field).collect())
    }
}
impl<A: AsField, B: AsField> AsField for (A, B) {
    fn field(&self) -> Field {
        Field::List(vec![self.0.field(), self.1.field()])
    }
}

/// `error!(Class, Kind, "name" => value, ...)`: the class, the variant's name and its fields.
macro_rules! error {
    ($class:ident, $kind:ident $(, $name:literal => $value:expr)* $(,)?) => {
        (
            stringify!($class),
            stringify!($kind),
            vec![$(($name, AsField::field($value))),*],
        )
    };
}

/// The exception class (in `leadsim.errors`), the variant's name and its fields.
fn describe(e: &Error) -> (&'static str, &'static str, Vec<(&'static str, Field)>) {
    match e {
        // --- data ---
        Error::Io { path, source } => (
            "FileError",
            "Io",
            vec![
                ("path", path.field()),
                ("filename", path.field()),
                (
                    "errno",
                    source
                        .raw_os_error()
                        .map_or(Field::Absent, |n| Field::Int(n as u64)),
                ),
                ("strerror", Field::Text(source.to_string())),
            ],
        ),
        Error::EmptyFile { path } => error!(InputError, EmptyFile, "path" => path),
        Error::HeaderOnly { path } => error!(InputError, HeaderOnly, "path" => path),
        Error::NotGzip { path, message } => {
            error!(InputError, NotGzip, "path" => path, "message" => message)
        }
        Error::Csv {
            path,
            line,
            message,
        } => error!(InputError, Csv, "path" => path, "line" => line, "message" => message),
        Error::RaggedRow {
            path,
            line,
            expected,
            found,
        } => error!(InputError, RaggedRow, "path" => path, "line" => line,
            "expected" => expected, "found" => found),
        Error::DuplicateHeader {
            path,
            column,
            first,
            second,
        } => error!(InputError, DuplicateHeader, "path" => path, "column" => column,
            "first" => first, "second" => second),
        Error::ColumnLength {
            path,
            column,
            len,
            first_column,
            rows,
        } => error!(InputError, ColumnLength, "path" => path, "column" => column, "len" => len,
            "first_column" => first_column, "rows" => rows),
        Error::UnknownColumn { path, column, hint } => {
            error!(InputError, UnknownColumn, "path" => path, "column" => column, "hint" => hint)
        }
        Error::BadValue {
            path,
            line,
            column,
            value,
            reason,
        } => error!(InputError, BadValue, "path" => path, "line" => line, "column" => column,
            "value" => value, "reason" => reason),
        Error::TargetValue {
            path,
            line,
            column,
            value,
            expected,
        } => error!(InputError, TargetValue, "path" => path, "line" => line, "column" => column,
            "value" => value, "expected" => expected),
        Error::SingleClass {
            path,
            column,
            class,
            rows,
        } => error!(InputError, SingleClass, "path" => path, "column" => column,
            "class_" => class, "rows" => rows),
        Error::MissingFeature { path, column } => {
            error!(InputError, MissingFeature, "path" => path, "column" => column)
        }
        Error::TooFewRows { rows, features } => {
            error!(FitError, TooFewRows, "rows" => rows, "features" => features)
        }
        Error::Separation { detail } => error!(FitError, Separation, "detail" => detail),
        Error::NotAModel { path, message } => {
            error!(ModelError, NotAModel, "path" => path, "message" => message)
        }
        Error::ModelVersion {
            path,
            found,
            supported,
        } => error!(ModelError, ModelVersion, "path" => path, "found" => found,
            "supported" => supported),
        Error::InvalidParameter {
            name,
            value,
            reason,
        } => error!(ParameterError, InvalidParameter, "name" => name, "value" => value,
            "reason" => reason),
        // The problem's own variants belong to the scenario parser; its name and sentence are
        // enough to tell them apart from Python.
        Error::Config {
            path,
            field,
            problem,
        } => {
            let debug = format!("{problem:?}");
            let name = debug
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_string();
            error!(ConfigError, Config, "path" => path, "field" => field, "problem" => &name,
                "message" => &problem.to_string())
        }
        Error::NotConverged {
            solver,
            iterations,
            gradient_norm,
        } => error!(FitError, NotConverged, "solver" => solver, "iterations" => iterations,
            "gradient_norm" => gradient_norm),
        Error::Linfa(inner) => error!(FitError, Linfa, "detail" => &inner.to_string()),
        Error::Cancelled => error!(CancelledError, Cancelled),
        Error::ModelInconsistent {
            path,
            field,
            problem,
        } => error!(ModelError, ModelInconsistent, "path" => path, "field" => field,
            "problem" => problem),
        Error::NonFiniteScore { path, line, eta } => error!(InputError, NonFiniteScore,
            "path" => path, "line" => line, "eta" => eta),
        Error::TooLarge {
            name,
            value,
            what,
            max,
            reason,
        } => error!(ParameterError, TooLarge, "name" => name, "value" => value, "what" => what,
            "max" => max, "reason" => reason),
        Error::NonFiniteMetric {
            scenario,
            replication,
            metric,
            value,
        } => error!(InputError, NonFiniteMetric, "scenario" => scenario,
            "replication" => replication, "metric" => metric, "value" => value),

        // --- simulation ---
        Error::ZeroReplications => error!(ParameterError, ZeroReplications,
            "name" => &"replications", "value" => &0u64),
        Error::ZeroThreads => error!(ParameterError, ZeroThreads,
            "name" => &"threads", "value" => &0u64),
        Error::ThreadPool { threads, message } => error!(ParameterError, ThreadPool,
            "name" => &"threads", "value" => threads, "message" => message),
        Error::TooManyUnits { replications } => error!(ParameterError, TooManyUnits,
            "name" => &"replications", "value" => replications),
        Error::UnknownMetric {
            option,
            name,
            suggestion,
        } => error!(ParameterError, UnknownMetric, "name" => option, "value" => name,
            "suggestion" => suggestion),
        Error::InvalidPrecision { half_width } => error!(ParameterError, InvalidPrecision,
            "name" => &"precision", "value" => half_width),
        Error::ReplicationCapTooLow { cap, replications } => error!(ParameterError,
            ReplicationCapTooLow, "name" => &"max_replications", "value" => cap,
            "replications" => replications),
        Error::PrecisionWithShards { metric, half_width } => error!(ParameterError,
            PrecisionWithShards, "name" => &"precision", "metric" => metric,
            "value" => half_width),
        Error::InvalidShard { text, reason } => error!(ParameterError, InvalidShard,
            "name" => &"shard", "value" => text, "reason" => reason),
        Error::NoShards => error!(ParameterError, NoShards, "name" => &"shards"),
        Error::MissingShards {
            files,
            count,
            missing,
            duplicated,
        } => error!(ParameterError, MissingShards, "name" => &"shards", "files" => files,
            "count" => count, "missing" => missing, "duplicated" => duplicated),
        Error::NotAShardFile { path, detail } => {
            error!(InputError, NotAShardFile, "path" => path, "detail" => detail)
        }
        Error::ShardVersion {
            path,
            found,
            supported,
        } => error!(InputError, ShardVersion, "path" => path, "found" => found,
            "supported" => supported),
        Error::ShardDamaged {
            path,
            field,
            reason,
        } => error!(InputError, ShardDamaged, "path" => path, "field" => field,
            "reason" => reason),
        Error::ShardLeadsim { path, found, ours } => {
            error!(InputError, ShardLeadsim, "path" => path, "found" => found, "ours" => ours)
        }
        Error::ShardMismatch {
            path,
            field,
            here,
            there,
            reference,
        } => error!(InputError, ShardMismatch, "path" => path, "field" => field,
            "here" => here, "there" => there, "reference" => reference),
        Error::ShardScenariosChanged { path } => {
            error!(InputError, ShardScenariosChanged, "path" => path)
        }
        Error::ShardSettingsChanged { path } => {
            error!(InputError, ShardSettingsChanged, "path" => path)
        }
        Error::ShardTableChanged { path, tables } => {
            error!(InputError, ShardTableChanged, "path" => path, "tables" => tables)
        }

        // --- history export and calibration ---
        Error::BadTimestamp {
            path,
            line,
            column,
            value,
            reason,
        } => error!(InputError, BadTimestamp, "path" => path, "line" => line,
            "column" => column, "value" => value, "reason" => reason),
        Error::EventOrder {
            path,
            line,
            lead_id,
            field,
            earlier,
        } => error!(InputError, EventOrder, "path" => path, "line" => line,
            "lead_id" => lead_id, "field" => field, "earlier" => earlier),
        Error::DealWithoutSql {
            path,
            line,
            lead_id,
            field,
        } => error!(InputError, DealWithoutSql, "path" => path, "line" => line,
            "lead_id" => lead_id, "field" => field),
        Error::DuplicateLead {
            path,
            line,
            lead_id,
            first_line,
        } => error!(InputError, DuplicateLead, "path" => path, "line" => line,
            "lead_id" => lead_id, "first_line" => first_line),
        Error::UnknownLead {
            path,
            line,
            lead_id,
            leads,
        } => error!(InputError, UnknownLead, "path" => path, "line" => line,
            "lead_id" => lead_id, "leads" => leads),
        Error::AsOfBeforeEvent {
            as_of,
            path,
            line,
            column,
            value,
        } => error!(InputError, AsOfBeforeEvent, "as_of" => as_of, "path" => path,
            "line" => line, "column" => column, "value" => value),
        Error::MappedColumnMissing {
            path,
            field,
            column,
            hint,
        } => error!(InputError, MappedColumnMissing, "path" => path, "field" => field,
            "column" => column, "hint" => hint),
        Error::RequiredColumnMissing {
            path,
            field,
            column,
            hint,
        } => error!(InputError, RequiredColumnMissing, "path" => path, "field" => field,
            "column" => column, "hint" => hint),
        Error::ColumnMapping {
            source_name,
            key,
            message,
        } => error!(ConfigError, ColumnMapping, "path" => source_name, "field" => key,
            "message" => message),
        Error::UnknownTimeZone { name, message } => error!(ParameterError, UnknownTimeZone,
            "name" => &"time_zone", "value" => name, "message" => message),

        // --- scoring ---
        Error::InvalidHyperparameter {
            name,
            value,
            expected,
        } => error!(ParameterError, InvalidHyperparameter, "name" => name, "value" => value,
            "reason" => expected),
        Error::UnknownSolver { value } => {
            error!(ParameterError, UnknownSolver, "name" => &"solver", "value" => value)
        }
        Error::UnknownPreset {
            value,
            known,
            suggestion,
        } => error!(ParameterError, UnknownPreset, "name" => &"preset", "value" => value,
            "known" => known, "hint" => suggestion),
        Error::ZeroLeads => {
            error!(ParameterError, ZeroLeads, "name" => &"leads", "value" => &0u64)
        }
        Error::NoTargetColumn { path, looked_for } => {
            error!(InputError, NoTargetColumn, "path" => path, "looked_for" => looked_for)
        }
        Error::NoFeatures { path, excluded } => {
            error!(InputError, NoFeatures, "path" => path, "excluded" => excluded)
        }
        Error::TargetLength { targets, rows } => {
            error!(InputError, TargetLength, "targets" => targets, "rows" => rows)
        }
        Error::FeatureNamesLength { names, columns } => {
            error!(InputError, FeatureNamesLength, "names" => names, "columns" => columns)
        }
        Error::NonFiniteFeature {
            feature,
            row,
            value,
        } => error!(InputError, NonFiniteFeature, "feature" => feature, "row" => row,
            "value" => value),
        Error::OneClass { positives, rows } => {
            error!(InputError, OneClass, "positives" => positives, "rows" => rows)
        }
        Error::Collinear { columns } => error!(FitError, Collinear, "columns" => columns),
        Error::NotPositiveDefinite => error!(FitError, NotPositiveDefinite),
        Error::StepHalving {
            halvings,
            iteration,
        } => error!(FitError, StepHalving, "halvings" => halvings, "iteration" => iteration),
        Error::Lbfgs { failure } => error!(FitError, Lbfgs, "detail" => &failure.to_string()),
        Error::LbfgsNonFinite => error!(FitError, LbfgsNonFinite),
        Error::BandCount { bands } => {
            error!(ParameterError, BandCount, "name" => &"bands", "value" => bands)
        }
        Error::BandScores { scores, non_finite } => {
            error!(FitError, BandScores, "scores" => scores, "non_finite" => non_finite)
        }
        Error::InvalidBands { cuts, problem } => error!(ParameterError, InvalidBands,
            "name" => &"bands", "value" => cuts, "reason" => &problem.to_string()),
    }
}

/// An attribute's Python value.
fn to_python(py: Python<'_>, value: Field) -> PyResult<Py<PyAny>> {
    Ok(match value {
        Field::Text(s) => s.into_pyobject(py)?.into_any().unbind(),
        Field::Int(n) => n.into_pyobject(py)?.into_any().unbind(),
        Field::Float(x) => x.into_pyobject(py)?.into_any().unbind(),
        Field::List(items) => {
            let items = items
                .into_iter()
                .map(|v| to_python(py, v))
                .collect::<PyResult<Vec<_>>>()?;
            pyo3::types::PyList::new(py, items)?.into_any().unbind()
        }
        Field::Absent => py.None(),
    })
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
            exc.setattr(name, to_python(py, value)?)?;
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
