//! The library's one error type. Every variant names what was wrong (file, line, column, field,
//! value) so that the CLI can print it as is; only the binary maps errors to exit codes.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in leadsim, with enough context to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An operating-system error while reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file has no bytes (or only a byte-order mark).
    #[error("{path}: the file is empty")]
    EmptyFile { path: PathBuf },

    /// The CSV has a header but no data rows.
    #[error("{path}: the file has a header but no data rows")]
    HeaderOnly { path: PathBuf },

    /// A file named `.gz` does not start with the gzip magic bytes, or its stream is corrupt.
    #[error("{path}: not a valid gzip file ({message})")]
    NotGzip { path: PathBuf, message: String },

    /// A malformed CSV record (bad quoting, invalid UTF-8, ...).
    #[error("{path}, line {line}: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },

    /// A row whose field count differs from the header's.
    #[error("{path}, line {line}: the row has {found} fields but the header has {expected}")]
    RaggedRow {
        path: PathBuf,
        line: u64,
        expected: usize,
        found: usize,
    },

    /// Two header fields with the same name.
    #[error("{path}: the header names column \"{column}\" twice (columns {first} and {second})")]
    DuplicateHeader {
        path: PathBuf,
        column: String,
        first: usize,
        second: usize,
    },

    /// A column named on the command line or in a model that the file does not have.
    #[error("{path}: no column named \"{column}\"{hint}")]
    UnknownColumn {
        path: PathBuf,
        column: String,
        /// Either empty or a ready-to-print suggestion such as `; did you mean "Converted"?`.
        hint: String,
    },

    /// A value that cannot be used where it stands (non-numeric text in a numeric column,
    /// `NaN` or `inf`, ...).
    #[error("{path}, line {line}, column \"{column}\": {reason}: \"{value}\"")]
    BadValue {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
        reason: String,
    },

    /// The target column has values that are not a binary outcome.
    #[error("{path}, line {line}, column \"{column}\": target value \"{value}\" is not one of {expected}; use --positive VALUE to name the positive class")]
    TargetValue {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
        expected: String,
    },

    /// Every row of the (training) target has the same class.
    #[error("{path}: target column \"{column}\" has a single class ({class}: all {rows} rows); a model needs both outcomes")]
    SingleClass {
        path: PathBuf,
        column: String,
        class: String,
        rows: usize,
    },

    /// Not enough rows to fit the model without regularisation.
    #[error("{rows} training rows for {features} coefficients: too few to fit without regularisation; add rows, drop features with --exclude, or set --alpha > 0")]
    TooFewRows { rows: usize, features: usize },

    /// The classes are perfectly (or quasi-perfectly) separated, so maximum likelihood has no
    /// finite solution.
    #[error("perfect separation: {detail}; the maximum-likelihood coefficients are infinite. Set --alpha (e.g. --alpha 1) for a regularised fit, or exclude the feature if it leaks the outcome")]
    Separation { detail: String },

    /// A file that should be a leadsim model is not one.
    #[error("{path}: not a leadsim model file: {message}")]
    NotAModel { path: PathBuf, message: String },

    /// A model file written by an incompatible version of leadsim.
    #[error("{path}: model format_version {found} is not supported (this leadsim reads version {supported})")]
    ModelVersion {
        path: PathBuf,
        found: u64,
        supported: u64,
    },

    /// Data to score lacks a column the model needs.
    #[error("{path}: the model needs feature column \"{column}\", which the file does not have")]
    MissingFeature { path: PathBuf, column: String },

    /// A parameter outside its valid range.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter {
        name: String,
        value: String,
        reason: String,
    },

    /// A scenario or configuration file problem, naming the field path.
    #[error("{path}: {field}: {message}")]
    Config {
        path: PathBuf,
        field: String,
        message: String,
    },

    /// The solver did not converge within its iteration budget.
    #[error("the {solver} solver did not converge in {iterations} iterations (gradient norm {gradient_norm:.3e}); raise --max-iter, or set --alpha > 0")]
    NotConverged {
        solver: String,
        iterations: usize,
        gradient_norm: f64,
    },

    /// A numerical failure that leaves no usable model (e.g. a Hessian that is not positive
    /// definite after dropping collinear columns).
    #[error("numerical failure: {0}")]
    Numerical(String),

    /// An error raised inside linfa.
    #[error("linfa: {0}")]
    Linfa(#[from] linfa::Error),

    /// The caller cancelled a run before it finished (Ctrl-C in the Python package).
    #[error("cancelled before the run finished")]
    Cancelled,
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
