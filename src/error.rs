//! The library's one error type. Every variant names what was wrong (file, line, column, field,
//! value) so that the CLI can print it as is; only the binary maps errors to exit codes.

use std::path::PathBuf;

mod config;
mod excerpt;

pub use config::ConfigProblem;
use config::Hint;
use excerpt::ex;
pub use excerpt::{Excerpt, ExcerptList, EXCERPT_CHARS, EXCERPT_ITEMS};

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
    #[error("{path}: not a valid gzip file ({})", ex(.message))]
    NotGzip { path: PathBuf, message: String },

    /// A malformed CSV record (bad quoting, invalid UTF-8, ...).
    #[error("{path}, line {line}: {}", ex(.message))]
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
    #[error("{path}: the header names column \"{}\" twice (columns {first} and {second})", ex(.column))]
    DuplicateHeader {
        path: PathBuf,
        column: String,
        first: usize,
        second: usize,
    },

    /// A table built in memory whose columns differ in length.
    #[error(
        "{path}: column \"{column}\" has {len} values, but column \"{first_column}\" has {rows}"
    )]
    ColumnLength {
        path: PathBuf,
        column: String,
        len: usize,
        first_column: String,
        rows: usize,
    },

    /// A column named on the command line or in a model that the file does not have.
    #[error("{path}: no column named \"{}\"{}", ex(.column), ex(.hint))]
    UnknownColumn {
        path: PathBuf,
        column: String,
        /// Either empty or a ready-to-print suggestion such as `; did you mean "Converted"?`.
        hint: String,
    },

    /// A value that cannot be used where it stands (non-numeric text in a numeric column,
    /// `NaN` or `inf`, ...).
    #[error("{path}, line {line}, column \"{}\": {reason}: \"{}\"", ex(.column), ex(.value))]
    BadValue {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
        reason: String,
    },

    /// The target column has values that are not a binary outcome.
    #[error("{path}, line {line}, column \"{}\": target value \"{}\" is not one of {}", ex(.column), ex(.value), ex(.expected))]
    TargetValue {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
        expected: String,
    },

    /// Every row of the (training) target has the same class.
    #[error("{path}: target column \"{}\" has a single class ({}: all {rows} rows); a model needs both outcomes", ex(.column), ex(.class))]
    SingleClass {
        path: PathBuf,
        column: String,
        class: String,
        rows: usize,
    },

    /// Not enough rows to fit the model without regularisation.
    #[error(
        "{rows} training rows for {features} coefficients: too few to fit without regularisation"
    )]
    TooFewRows { rows: usize, features: usize },

    /// The classes are perfectly (or quasi-perfectly) separated, so maximum likelihood has no
    /// finite solution.
    #[error("perfect separation: {detail}; the maximum-likelihood coefficients are infinite")]
    Separation { detail: String },

    /// A file that should be a leadsim model is not one.
    #[error("{path}: not a leadsim model file: {}", ex(.message))]
    NotAModel { path: PathBuf, message: String },

    /// A model file written by an incompatible version of leadsim.
    #[error("{path}: model format_version {found} is not supported (this leadsim reads version {supported})")]
    ModelVersion {
        path: PathBuf,
        found: u64,
        supported: u64,
    },

    /// A model file whose parts do not fit together (an index out of range, a non-finite or
    /// out-of-range value), found when it is loaded: `field` is the JSON path.
    #[error("{path}: not a usable leadsim model: {}: {}", ex(.field), ex(.problem))]
    ModelInconsistent {
        path: PathBuf,
        field: String,
        problem: String,
    },

    /// A lead whose score is not a number: its values are so extreme that the log odds overflow
    /// (`inf - inf`); the run stops rather than write NaN.
    #[error("{path}, line {line}: the score is not finite (log odds {eta}): the values of this lead are too extreme for the model's coefficients")]
    NonFiniteScore { path: PathBuf, line: u64, eta: f64 },

    /// Data to score lacks a column the model needs.
    #[error("{path}: the model needs feature column \"{}\", which the file does not have", ex(.column))]
    MissingFeature { path: PathBuf, column: String },

    /// A parameter outside its valid range.
    #[error("invalid {} = {}: {}", ex(.name), ex(.value), ex(.reason))]
    InvalidParameter {
        name: String,
        value: String,
        reason: String,
    },

    /// A scenario file problem (simulation): the key path and what is wrong with its value.
    #[error("{path}: {}: {problem}", ex(.field))]
    Config {
        path: PathBuf,
        field: String,
        problem: ConfigProblem,
    },

    /// The solver did not converge within its iteration budget.
    #[error("the {solver} solver did not converge in {iterations} iterations (gradient norm {gradient_norm:.3e})")]
    NotConverged {
        solver: String,
        iterations: usize,
        gradient_norm: f64,
    },

    /// An error raised inside linfa.
    #[error("linfa: {0}")]
    Linfa(#[from] linfa::Error),

    /// The caller cancelled a run before it finished (Ctrl-C in the Python package).
    #[error("cancelled before the run finished")]
    Cancelled,

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

    /// A size beyond its bound in [`crate::limits`]: `name` is the option or field, `what`
    /// says what was counted when it is not the value itself, `reason` why the bound exists.
    #[error("invalid {name} = {}: {}at most {max} ({reason})", ex(.value), .what.as_ref().map_or(String::new(), |w| format!("{w}; ")))]
    TooLarge {
        name: &'static str,
        value: String,
        /// How large the request is when that is more than the value (e.g. `2^64 grid points
        /// x 100 replications`).
        what: Option<String>,
        max: String,
        reason: &'static str,
    },

    /// A metric that overflowed to infinity in one replication.
    #[error("scenario \"{}\", replication {replication}: metric {metric} is {value}: a sum overflowed; the scenario's values or durations (deal_value, sales_cycle_days, handle_minutes, ...) are too large to add up", ex(.scenario))]
    NonFiniteMetric {
        scenario: String,
        replication: usize,
        metric: String,
        value: f64,
    },

    /// More (scenario, replication) units than a machine word counts.
    #[error("invalid replications = {replications}: too many units")]
    TooManyUnits { replications: usize },

    /// An objective or precision metric that the scenarios do not have; `option` says which
    /// (`objective`, `precision-metric`).
    #[error("invalid {option} = {}: not a metric{} (for example net_revenue, mql_to_sql, recovered_revenue_12m, won_revenue_12m, sqls)", ex(.name), Hint(.suggestion))]
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
    #[error("invalid shard = {}: {}", ex(.text), ex(.reason))]
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
    #[error("{path}: {field}: {}", ex(.reason))]
    ShardDamaged {
        path: PathBuf,
        field: &'static str,
        reason: String,
    },

    /// A partial result written by another leadsim version than the one merging.
    #[error("{path}: leadsim_version: written by leadsim {}, but this is leadsim {ours}; merge with the version that ran the shards", ex(.found))]
    ShardLeadsim {
        path: PathBuf,
        found: String,
        ours: String,
    },

    /// Two shards of a merge that come from different runs: the first field that differs.
    #[error("{path}: {field}: {} here but {} in {}; shards of one run must agree", ex(.here), ex(.there), .reference.display())]
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

    // --- history export and calibration ---
    /// A timestamp that is not ISO 8601 (or names a day or time that does not exist).
    #[error("{path}, line {line}, column \"{}\": cannot read \"{}\" as a timestamp: {}; expected ISO 8601 such as 2026-06-30, 2026-06-30 14:05:00 or 2026-06-30T14:05:00+02:00", ex(.column), ex(.value), ex(.reason))]
    BadTimestamp {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
        reason: String,
    },

    /// A lead's event dated before the event it must follow (an SQL before its MQL, a won deal
    /// before its SQL, ...).
    #[error("{path}, line {line}: lead \"{}\": {} is before {}", ex(.lead_id), ex(.field), ex(.earlier))]
    EventOrder {
        path: PathBuf,
        line: u64,
        lead_id: String,
        /// The field, its column and its value, e.g. `sql_at (ConvertedDate) 2026-03-01T00:00:00+00:00`.
        field: String,
        /// The field it must follow, likewise.
        earlier: String,
    },

    /// A deal outcome (`won_at`, `lost_at`) on a lead that never became an SQL.
    #[error("{path}, line {line}: lead \"{}\" has {} but no sql_at; a deal is won or lost only after its lead became an SQL", ex(.lead_id), ex(.field))]
    DealWithoutSql {
        path: PathBuf,
        line: u64,
        lead_id: String,
        field: String,
    },

    /// Two rows of the leads table with the same `lead_id`.
    #[error(
        "{path}, line {line}: lead_id \"{}\" appears twice (first on line {first_line})", ex(.lead_id)
    )]
    DuplicateLead {
        path: PathBuf,
        line: u64,
        lead_id: String,
        first_line: u64,
    },

    /// An attempt for a `lead_id` that the leads table does not have.
    #[error("{path}, line {line}: attempt for lead_id \"{}\", which the leads table {} does not have", ex(.lead_id), .leads.display())]
    UnknownLead {
        path: PathBuf,
        line: u64,
        lead_id: String,
        leads: PathBuf,
    },

    /// The export date lies before an event of the export.
    #[error("as-of {} is before an event of the export: {path}, line {line}, column \"{}\" is {}; the export date must be at or after its last event", ex(.as_of), ex(.column), ex(.value))]
    AsOfBeforeEvent {
        as_of: String,
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
    },

    /// A column mapping names a column that the file does not have.
    #[error("{path}: the column mapping sets {} = \"{}\", but the file has no such column{}", ex(.field), ex(.column), ex(.hint))]
    MappedColumnMissing {
        path: PathBuf,
        /// The field and where its mapping was given, e.g. `leads.sql_at (map.toml)`.
        field: String,
        column: String,
        /// Either empty or a ready-to-print suggestion such as `; did you mean "Id"?`.
        hint: String,
    },

    /// A required field of the export that neither the mapping nor the file's header provides.
    #[error("{path}: no column for {}: the file has no column \"{}\" and the mapping names none{}", ex(.field), ex(.column), ex(.hint))]
    RequiredColumnMissing {
        path: PathBuf,
        field: String,
        column: String,
        hint: String,
    },

    /// A column-mapping file or `field=column` override that cannot be used.
    #[error("column mapping ({}): {}: {}", ex(.source_name), ex(.key), ex(.message))]
    ColumnMapping {
        source_name: String,
        key: String,
        message: String,
    },

    /// A time-zone name that the bundled IANA database does not know.
    #[error("unknown time zone \"{}\": {}; use an IANA name such as UTC, Europe/Berlin or America/New_York", ex(.name), ex(.message))]
    UnknownTimeZone { name: String, message: String },

    // --- scoring ---
    /// A training or solver option outside its range. `name` is the option as the library
    /// calls it (a field of `TrainOptions` or a `LogisticParams` setting: `alpha`, `max_iter`,
    /// `tolerance`, `holdout`, `folds`, `cv`, `min_level_count`).
    #[error("invalid {name} = {value}: {expected}")]
    InvalidHyperparameter {
        name: &'static str,
        value: f64,
        expected: &'static str,
    },

    /// A solver name that is not one of the solvers.
    #[error("invalid solver = {}: expected \"newton\" or \"lbfgs\"", ex(.value))]
    UnknownSolver { value: String },

    /// A generator preset name that is not one of the presets.
    #[error("invalid preset = {}: known presets: {known}{}", ex(.value), ex(.suggestion))]
    UnknownPreset {
        value: String,
        /// The preset names, comma-separated.
        known: String,
        /// Either empty or a ready-to-print suggestion such as `; did you mean "b2b-saas"?`.
        suggestion: String,
    },

    /// A history of no leads was asked for.
    #[error("invalid leads = 0: a history needs at least one lead")]
    ZeroLeads,

    /// No target column was named and none has a target-like name.
    #[error("{path}: no column is named like a target ({})", .looked_for.join(", "))]
    NoTargetColumn {
        path: PathBuf,
        /// The names tried, compared ignoring case.
        looked_for: Vec<&'static str>,
    },

    /// Excluding the target, the id and the excluded columns leaves nothing to fit on.
    #[error("{path}: no feature columns are left: every column is the target, the id or excluded (excluded: {})", if .excluded.is_empty() { "none".to_string() } else { quoted(.excluded) })]
    NoFeatures {
        path: PathBuf,
        excluded: Vec<String>,
    },

    /// Targets of a fit given with another length than the feature matrix.
    #[error("{targets} target values for a feature matrix of {rows} rows")]
    TargetLength { targets: usize, rows: usize },

    /// Feature names given for a fit with another length than the feature matrix's width.
    #[error("{names} feature names for a feature matrix of {columns} columns")]
    FeatureNamesLength { names: usize, columns: usize },

    /// A NaN or infinite value in a feature matrix handed to the solver.
    #[error(
        "feature \"{}\", row {row} (0-based) of the feature matrix: {value} is not finite", ex(.feature)
    )]
    NonFiniteFeature {
        feature: String,
        row: usize,
        value: f64,
    },

    /// Targets handed to the solver that hold a single class.
    #[error(
        "{positives} of {rows} targets are positive: a logistic regression needs both outcomes"
    )]
    OneClass { positives: usize, rows: usize },

    /// Columns that are linear combinations of the intercept and earlier columns make the
    /// Hessian singular.
    #[error("numerical failure: the Hessian is singular because column(s) {} are (numerically) linear combinations of the intercept and earlier columns; drop them", quoted(.columns))]
    Collinear { columns: Vec<String> },

    /// A Hessian that is not positive definite for another reason than collinear columns or
    /// separation.
    #[error("numerical failure: the Hessian is not positive definite (near-collinear columns or extreme feature scales); standardise the features, or regularise the fit")]
    NotPositiveDefinite,

    /// Newton's step halving found no step that lowers the objective.
    #[error("numerical failure: Newton step halving found no decrease of the objective after {halvings} halvings (iteration {iteration}); the problem may be badly scaled")]
    StepHalving { halvings: usize, iteration: usize },

    /// linfa-logistic's L-BFGS failed (other than through a linfa error).
    #[error("numerical failure: linfa-logistic L-BFGS failed: {failure}")]
    Lbfgs {
        failure: linfa_logistic::error::Error,
    },

    /// linfa-logistic's L-BFGS returned NaN or infinite coefficients.
    #[error("numerical failure: linfa-logistic L-BFGS returned non-finite coefficients")]
    LbfgsNonFinite,

    /// A score-band count outside `2..=MAX_BANDS` (26).
    #[error(
        "invalid n_bands = {bands}: the number of score bands must be between 2 and {}",
        crate::scoring::metrics::MAX_BANDS
    )]
    BandCount { bands: usize },

    /// Quantile bands asked for without usable training scores.
    #[error("{scores} training scores, {non_finite} of them not finite: score bands need at least one score, all finite")]
    BandScores { scores: usize, non_finite: usize },

    /// Score-band cut points that cannot define bands.
    #[error("invalid bands = {}: {problem}", comma_separated(.cuts))]
    InvalidBands {
        cuts: Vec<f64>,
        problem: BandsProblem,
    },
}

/// "missing shards 2/3, 5/8; shard 1/3 appears 2 times (a, b)".
fn shard_cover(missing: &[usize], duplicated: &[(usize, Vec<PathBuf>)], count: usize) -> String {
    let mut problems = Vec::new();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|i| format!("{i}/{count}")).collect();
        problems.push(format!(
            "missing shard{} {}",
            if missing.len() > 1 { "s" } else { "" },
            ExcerptList {
                items: &list,
                sep: ", ",
                quote: false,
            }
        ));
    }
    for (i, paths) in duplicated.iter().take(EXCERPT_ITEMS) {
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
    ExcerptList {
        items: &list,
        sep: ", ",
        quote: false,
    }
    .to_string()
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

/// What is wrong with score-band cut points ([`Error::InvalidBands`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BandsProblem {
    /// No cut points, or more than `MAX_BANDS - 1` (25).
    #[error("give between 1 and {} cut points", crate::scoring::metrics::MAX_BANDS - 1)]
    Count,
    /// A cut point at or outside 0 or 1 (or NaN).
    #[error("every cut point must lie strictly between 0 and 1")]
    OutsideUnitInterval,
    /// Cut points not strictly increasing (or not finite).
    #[error("cut points must be strictly increasing")]
    NotIncreasing,
    /// A model file's bands with another number of labels than cuts + 1.
    #[error("{labels} labels for {cuts} cuts; bands need one more label than cuts")]
    LabelCount { labels: usize, cuts: usize },
}

/// `"a", "b"`: names quoted and comma-separated, as messages list them.
fn quoted(names: &[String]) -> String {
    ExcerptList {
        items: names,
        sep: ", ",
        quote: true,
    }
    .to_string()
}

/// Cut points as given on a command line: `0.2,0.5`.
fn comma_separated(cuts: &[f64]) -> String {
    ExcerptList {
        items: cuts,
        sep: ",",
        quote: false,
    }
    .to_string()
}
