//! The library's one error type. Every variant names what was wrong (file, line, column, field,
//! value) so that the CLI can print it as is; only the binary maps errors to exit codes.

use std::path::PathBuf;

mod config;

pub use config::ConfigProblem;
use config::Hint;

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

    /// A scenario file problem (simulation): the key path and what is wrong with its value.
    #[error("{path}: {field}: {problem}")]
    Config {
        path: PathBuf,
        field: String,
        problem: ConfigProblem,
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

    // --- simulation ---
    /// A run asked for zero replications.
    #[error("invalid replications = 0: at least one is needed")]
    ZeroReplications,

    /// A run asked for zero worker threads.
    #[error("invalid threads = 0: at least one is needed")]
    ZeroThreads,

    /// The worker thread pool could not be built.
    #[error("invalid threads = {threads}: {message}")]
    ThreadPool { threads: usize, message: String },

    /// More (scenario, replication) units than a machine word counts.
    #[error("invalid replications = {replications}: too many units")]
    TooManyUnits { replications: usize },

    /// An objective or precision metric that the scenarios do not have; `option` says which
    /// (`objective`, `precision-metric`).
    #[error("invalid {option} = {name}: not a metric{} (for example net_revenue, mql_to_sql, recovered_revenue_12m, won_revenue_12m, sqls)", Hint(.suggestion))]
    UnknownMetric {
        option: &'static str,
        name: String,
        suggestion: Option<String>,
    },

    /// A precision target that is not a positive half-width.
    #[error("invalid precision = {half_width}: the half-width must be a positive number")]
    InvalidPrecision { half_width: f64 },

    /// A precision run's replication cap below its starting replications.
    #[error("invalid max-replications = {cap}: must be at least the starting replications ({replications})")]
    ReplicationCapTooLow { cap: usize, replications: usize },

    /// A precision target for a sharded run, whose units are fixed in advance.
    #[error("invalid precision = {metric}={half_width}: a sharded run cannot add replications until a target is met, since every shard's units are fixed in advance")]
    PrecisionWithShards { metric: String, half_width: f64 },

    /// A shard that is not `I/N` with `1 <= I <= N`.
    #[error("invalid shard = {text}: {reason}")]
    InvalidShard { text: String, reason: String },

    /// A merge given no shard files at all.
    #[error("invalid shards = (none): no shard files or folders to merge")]
    NoShards,

    /// A merge whose shards do not cover the run exactly once.
    #[error("invalid shards = {files} files for a run of {count}: {}; every shard 1..={count} must be merged exactly once", shard_cover(.missing, .duplicated, *.count))]
    MissingShards {
        /// Shard files given.
        files: usize,
        /// The run's number of shards N.
        count: usize,
        /// Shard indices (1-based) absent.
        missing: Vec<usize>,
        /// Shard indices given more than once, with every file that holds them.
        duplicated: Vec<(usize, Vec<PathBuf>)>,
    },

    /// A file that is not a partial result at all.
    #[error("{path}: format: not a leadsim shard file{}", .detail.as_ref().map_or(String::new(), |d| format!(" ({d})")))]
    NotAShardFile {
        path: PathBuf,
        detail: Option<String>,
    },

    /// A partial result of another format version.
    #[error("{path}: format_version: version {} is not supported (this leadsim reads version {supported})", .found.map_or("(none)".to_string(), |v| v.to_string()))]
    ShardVersion {
        path: PathBuf,
        found: Option<u32>,
        supported: u32,
    },

    /// A partial result whose contents do not agree with its own header (a damaged or edited
    /// file); `field` names the part.
    #[error("{path}: {field}: {reason}")]
    ShardDamaged {
        path: PathBuf,
        field: &'static str,
        reason: String,
    },

    /// A partial result written by another leadsim version than the one merging.
    #[error("{path}: leadsim_version: written by leadsim {found}, but this is leadsim {ours}; merge with the version that ran the shards")]
    ShardLeadsim {
        path: PathBuf,
        found: String,
        ours: String,
    },

    /// Two shards of a merge that come from different runs: the first field that differs.
    #[error("{path}: {field}: {here} here but {there} in {}; shards of one run must agree", .reference.display())]
    ShardMismatch {
        path: PathBuf,
        field: &'static str,
        here: String,
        there: String,
        /// The shard compared against.
        reference: PathBuf,
    },

    /// The stored scenario file parses into other scenarios than when the shards ran.
    #[error("{path}: scenarios: the stored scenario file resolves to other scenarios here than when the shard ran")]
    ShardScenariosChanged { path: PathBuf },

    /// The stored scenario file resolves to other settings than when the shards ran.
    #[error("{path}: config_sha256: the stored scenario file resolves to other settings here than when the shards ran")]
    ShardSettingsChanged { path: PathBuf },

    /// Population tables whose bytes changed since the shards ran.
    #[error("{path}: tables: population table {} changed since the shards ran (SHA-256 differs); merge needs the same table", join_paths(.tables))]
    ShardTableChanged { path: PathBuf, tables: Vec<PathBuf> },
}

/// "missing shards 2/3, 5/8; shard 1/3 appears 2 times (a, b)".
fn shard_cover(missing: &[usize], duplicated: &[(usize, Vec<PathBuf>)], count: usize) -> String {
    let mut problems = Vec::new();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|i| format!("{i}/{count}")).collect();
        problems.push(format!(
            "missing shard{} {}",
            if missing.len() > 1 { "s" } else { "" },
            list.join(", ")
        ));
    }
    for (i, paths) in duplicated {
        problems.push(format!(
            "shard {i}/{count} appears {} times ({})",
            paths.len(),
            join_paths(paths)
        ));
    }
    problems.join("; ")
}

fn join_paths(paths: &[PathBuf]) -> String {
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    list.join(", ")
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
