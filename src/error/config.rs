//! What is wrong with one value of a scenario file: the `problem` of [`Error::Config`], whose
//! `field` names the key path. Each variant carries the values it reports; `Display` writes
//! the sentence the CLI prints after `file: field: `.
//!
//! [`Error::Config`]: super::Error::Config

use std::fmt;

use super::excerpt::{ex, list, Excerpt, ExcerptList};

/// One problem with one field of a scenario file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigProblem {
    /// The TOML does not parse (the field is `line N`).
    #[error("{}", ex(.message))]
    Syntax { message: String },
    /// A key the section does not have, with the nearest valid key when one is close.
    #[error("unknown key{}", Hint(.suggestion))]
    UnknownKey { suggestion: Option<String> },
    /// A value that must be given.
    #[error("required")]
    Required,
    /// No `[arrivals]` section.
    #[error("required (rate_per_day, arrival_days)")]
    MissingArrivals,
    /// No `[population]` section.
    #[error("required: generator, table or constant")]
    MissingPopulation,
    /// No `[pools]` section.
    #[error("required: at least one pool")]
    MissingPools,
    /// A `[pools]` section without pools.
    #[error("at least one pool is needed")]
    NoPools,
    /// A distribution table without `dist`.
    #[error("required: fixed, exponential, lognormal or gamma")]
    MissingDist,
    /// A value of the wrong TOML type.
    #[error("expected {expected}, found {}", ex(.found))]
    WrongType {
        expected: &'static str,
        found: String,
    },
    /// A value that is not of the expected shape.
    #[error("expected {expected}")]
    Expected { expected: &'static str },
    /// `inf` or `nan`.
    #[error("must be finite, found {value}")]
    NotFinite { value: f64 },
    /// A number outside its closed range; `what` says what it is ("a probability").
    #[error("{what} must be in [{min}, {max}], found {value}")]
    OutOfRange {
        what: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A negative number where none may be.
    #[error("must not be negative, found {value}")]
    Negative { value: f64 },
    /// Zero or a negative number where only positive ones may be.
    #[error("must be positive, found {value}")]
    NotPositive { value: f64 },
    /// A whole number below its minimum.
    #[error("must be at least {min}, found {value}")]
    TooSmall { value: i64, min: i64 },
    /// A whole number above its maximum.
    #[error("at most {max}, found {value}")]
    TooLarge { value: i64, max: i64 },
    /// A distribution parameter whose derived parameters no 64-bit float holds.
    #[error("a {dist} with cv = {value:e} cannot be drawn from: {detail}")]
    NotRepresentable {
        dist: &'static str,
        value: f64,
        detail: String,
    },
    /// A size above its bound in [`crate::limits`], with the bound's reason.
    #[error("at most {max}, found {value} ({reason})")]
    AboveLimit {
        value: u64,
        max: u64,
        reason: &'static str,
    },
    /// An arrival rate above the bound that keeps one day's arrivals in memory.
    #[error("at most {max} per day, found {value}")]
    RateTooHigh { value: f64, max: f64 },
    /// Not a whole number (`found` as written: `2.5`, `"six"`).
    #[error("expected a whole number, found {}", ex(.found))]
    NotWhole { found: String },
    /// A name that is not one of the allowed ones.
    #[error("\"{}\" is not one of {}{}", ex(.value), .allowed.join(", "), Hint(.suggestion))]
    NotOneOf {
        value: String,
        allowed: Vec<String>,
        suggestion: Option<String>,
    },
    /// A day name that is not one.
    #[error("\"{}\" is not a day (mon, tue, wed, thu, fri, sat, sun){}", ex(.value), Hint(.suggestion))]
    NotADay {
        value: String,
        suggestion: Option<String>,
    },
    /// A `[[scenario]]` without a name.
    #[error("every scenario needs a non-empty name")]
    EmptyName,
    /// Two scenarios of one name.
    #[error("scenario name \"{}\" is used twice", ex(.name))]
    DuplicateName { name: String },
    /// `arrivals.replay` without a population table to replay.
    #[error("replaying arrival times needs a population table")]
    ReplayNeedsTable,
    /// `label_column` beside a propensity the file gives (nothing is calibrated then).
    #[error(
        "a label column sets the label rate of a calibrated table; it cannot be combined with \
         {other}, which takes the propensity as given"
    )]
    LabelWithPropensity { other: String },
    /// A label column without a single observed outcome.
    #[error("column \"{column}\" of {} has no observed outcome (every value is empty)", .table.display())]
    NoLabels {
        table: std::path::PathBuf,
        column: String,
    },
    /// Not exactly one of the population's sources.
    #[error("set exactly one of generator, table or constant (found {})", OrNone(.found))]
    NotOneSource { found: Vec<String> },
    /// A warm-up that leaves no day to count.
    #[error("the warm-up ({warmup_days} days) must be shorter than arrival_days ({arrival_days}), or no lead is counted")]
    WarmupTooLong { warmup_days: i64, arrival_days: i64 },
    /// An hour profile whose weights are all zero.
    #[error("needs at least one hour with a positive weight")]
    NoPositiveHour,
    /// A profile with the wrong number of weights.
    #[error("needs {expected} weights, found {found}")]
    WrongLength { expected: usize, found: usize },
    /// A pool's band that is not `[lo, hi]` with `0 <= lo < hi <= 1`.
    #[error("expected [lo, hi] with 0 <= lo < hi <= 1, found [{}]", list(&debug_all(.found), ", ", false))]
    BadBand { found: Vec<f64> },
    /// Two pools' bands overlap.
    #[error("band [{}, {}) overlaps pool \"{other}\"'s band [{}, {})", .band[0], .band[1], .other_band[0], .other_band[1])]
    BandOverlap {
        band: [f64; 2],
        other: String,
        other_band: [f64; 2],
    },
    /// Scores between two bands that no pool serves.
    #[error("bands leave a gap: [{from}, {to}) is served by no pool")]
    BandGap { from: f64, to: f64 },
    /// Handed-over scores below the lowest band.
    #[error(
        "bands leave a gap: handed-over scores in [{threshold}, {start}) are served by no pool"
    )]
    BandGapBelow { threshold: f64, start: f64 },
    /// Scores above the highest band.
    #[error("bands leave a gap: scores in [{end}, 1] are served by no pool")]
    BandGapAbove { end: f64 },
    /// Fewer retry gaps than the attempts need.
    #[error("has {found} gaps but max_attempts = {max_attempts} needs {}", .max_attempts - 1)]
    TooFewGaps { found: usize, max_attempts: i64 },
    /// Fewer reach probabilities than attempts.
    #[error("has {found} values but max_attempts = {max_attempts} needs {max_attempts}")]
    TooFewReach { found: usize, max_attempts: i64 },
    /// A shift that never happens.
    #[error("the calendar has no working hours (days [{}], start {start}, end {end}; shifts across midnight are not supported)", list(.days, ", ", true))]
    NoWorkingHours {
        days: Vec<String>,
        start: f64,
        end: f64,
    },
    /// A lognormal given by both of its parametrisations.
    #[error("a lognormal takes either mean and cv, or median and sigma, not both")]
    LognormalBothForms,
    /// A speed-to-lead setting that is not exactly one curve.
    #[error("set exactly one of table, exponential_per_hour or preset")]
    NotOneCurve,
    /// A speed-to-lead table without points.
    #[error("needs at least one point")]
    NoCurvePoints,
    /// A speed-to-lead point at negative hours.
    #[error("hours must not be negative, found {value}")]
    NegativeCurveHours { value: f64 },
    /// Speed-to-lead points out of order.
    #[error("hours must increase from point to point")]
    CurveHoursNotIncreasing,
    /// A speed-to-lead curve that rises.
    #[error("the curve must not increase (g is non-increasing)")]
    CurveIncreasing,
    /// An empty `[sweep]`.
    #[error("needs at least one axis, e.g. \"policy.threshold\" = [0.2, 0.3]")]
    NoSweepAxes,
    /// A sweep axis without values.
    #[error("needs at least one value")]
    NoSweepValues,
    /// A sweep grid too large to run; `points` as a text, since it may exceed every integer
    /// type (16 axes of 16 values are 2^64 points).
    #[error("the grid has {points} points; at most {max}")]
    SweepTooLarge { points: String, max: usize },
    /// A grid scenario named like an explicit one.
    #[error("grid scenario \"{}\" has the name of an explicit scenario", ex(.name))]
    SweepNameTaken { name: String },
    /// One value twice on a sweep axis.
    #[error("the value {} appears twice", ex(.label))]
    SweepValueTwice { label: String },
    /// A sweep path with an empty part.
    #[error("\"{}\" is not a dotted path", ex(.path))]
    SweepNotAPath { path: String },
    /// A sweep path naming a whole section.
    #[error("a whole section cannot be swept; name a field in it")]
    SweepWholeSection,
    /// A sweep path naming a whole pool.
    #[error("a whole pool cannot be swept; name a field in it (e.g. count)")]
    SweepWholePool,
    /// A sweep path that starts with no section.
    #[error("unknown field \"{}\" (sweep paths start with {}){}", ex(.path), .sections.join(", "), Hint(.suggestion))]
    SweepUnknownSection {
        path: String,
        sections: &'static [&'static str],
        suggestion: Option<String>,
    },
    /// A sweep path through a pool the file does not have.
    #[error("unknown field \"{}\": the file has no pool \"{}\"{}", ex(.path), ex(.pool), Hint(.suggestion))]
    SweepUnknownPool {
        path: String,
        pool: String,
        suggestion: Option<String>,
    },
    /// A sweep path to a field the section does not have.
    #[error("unknown field \"{}\"{}", ex(.path), Hint(.suggestion))]
    SweepUnknownField {
        path: String,
        suggestion: Option<String>,
    },
    /// A sweep path through a value that is not a table.
    #[error("{} is {found}, not a table, so it has no field \"{}\"", ex(.parent), ex(.field))]
    SweepThroughValue {
        parent: String,
        found: &'static str,
        field: String,
    },
    /// A grid scenario's problem caused by a sweep value (the field names that value).
    #[error("{problem} (grid scenario \"{}\")", ex(.scenario))]
    AtSweepValue {
        scenario: String,
        problem: Box<ConfigProblem>,
    },
    /// A grid scenario's problem elsewhere than on a swept path.
    #[error("{problem} (in grid scenario \"{}\")", ex(.scenario))]
    InGridScenario {
        scenario: String,
        problem: Box<ConfigProblem>,
    },
}

impl ConfigProblem {
    /// The problem itself, inside any grid scenario that carries it.
    pub fn root(&self) -> &ConfigProblem {
        match self {
            ConfigProblem::AtSweepValue { problem, .. }
            | ConfigProblem::InGridScenario { problem, .. } => problem.root(),
            p => p,
        }
    }
}

/// `; did you mean "x"?`, or nothing.
pub(super) struct Hint<'a>(pub(super) &'a Option<String>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, "; did you mean \"{}\"?", Excerpt(s)),
            None => Ok(()),
        }
    }
}

/// A list, or "none" when empty.
struct OrNone<'a>(&'a [String]);

impl fmt::Display for OrNone<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("none")
        } else {
            write!(
                f,
                "{}",
                ExcerptList {
                    items: self.0,
                    sep: ", ",
                    quote: false
                }
            )
        }
    }
}

/// Each number as `{:?}` writes it (`1.0`, not `1`), as messages have always shown them.
fn debug_all(xs: &[f64]) -> Vec<String> {
    xs.iter().map(|x| format!("{x:?}")).collect()
}
