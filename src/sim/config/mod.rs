//! The scenario file: TOML parsed into checked types, one [`Scenario`] per `[[scenario]]` entry
//! (the file's settings deep-merged with the entry's overrides). Everything here is validated
//! once, so the engine only ever sees values in range.

mod fields;
mod merge;
mod parse;
mod sections;
mod sweep;
mod values;

pub use values::{DECISION_PRESETS, SPEED_PRESETS};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::calendar::{ArrivalCalendar, Hours};
use super::dist::DistSpec;
use crate::error::{Error, Result};

pub use merge::deep_merge;

/// Default number of replications when neither the file nor the caller sets one.
pub const DEFAULT_REPLICATIONS: usize = 100;
/// Default seed when neither the file nor the caller sets one.
pub const DEFAULT_SEED: u64 = 42;

/// A parsed and validated scenario file.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioFile {
    /// Where it was read from (table paths resolve relative to its folder).
    pub path: PathBuf,
    /// The file's `name`.
    pub name: String,
    /// The file's `seed`.
    pub seed: u64,
    /// The file's `replications`.
    pub replications: usize,
    /// The scenarios, baseline first, each fully resolved; a `[sweep]`'s grid scenarios come
    /// after the explicit ones.
    pub scenarios: Vec<Scenario>,
    /// The `[sweep]` grid, if the file has one (indices into `scenarios`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<crate::sim::run::SweepGrid>,
}

impl ScenarioFile {
    /// Reads, parses and validates a scenario file.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; [`Error::Config`] naming the key path of the first
    /// unknown key or out-of-range value; the table errors of a `population.table` CSV.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml_str(&text, path)
    }

    /// Parses scenario text as if it had been read from `path` (used for messages and to
    /// resolve table paths; the file itself is not read).
    ///
    /// # Errors
    /// As [`ScenarioFile::load`], without the read error.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Self> {
        parse::parse_file(text, path)
    }

    /// Warnings that do not stop a run: pools whose offered load exceeds their capacity while
    /// no patience is set, so that their queue grows without bound.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sc in &self.scenarios {
            if sc.policy.patience_hours.is_some() {
                continue;
            }
            for (pool, load) in sc.pools.iter().zip(super::load::offered_load(sc)) {
                if load > f64::from(pool.count) {
                    out.push(format!(
                        "scenario \"{}\": pool \"{}\" is offered {:.2} reps' worth of work but has {}; \
                         with no patience_hours its queue grows without bound",
                        sc.name, pool.name, load, pool.count
                    ));
                }
            }
        }
        out
    }
}

/// One fully resolved scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Its name, verbatim.
    pub name: String,
    /// Where leads come from.
    pub population: Population,
    /// The arrival process and the counted window.
    pub arrivals: Arrivals,
    /// Rep pools in name order.
    pub pools: Vec<Pool>,
    /// The handover policy.
    pub policy: Policy,
    /// Sales and nurture outcomes.
    pub outcomes: Outcomes,
}

/// A lead's attributes as the population supplies them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LeadAttrs {
    /// Model score in [0, 1].
    pub score: f64,
    /// True propensity in [0, 1].
    pub propensity: f64,
    /// Deal value; `None` when the population leaves it to `outcomes.deal_value`.
    pub value: Option<f64>,
}

/// Where leads' (score, propensity, value) come from. Serialises with the scenario file's own
/// keys (`generator`, `table` or `constant` next to their settings).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Population {
    /// A synthetic generator (see `population.rs`).
    Generator {
        /// The preset name (`b2b-saas`).
        generator: String,
        /// Standard deviation of the score model's error on the logit scale.
        score_noise: f64,
    },
    /// Scored leads from a CSV, sampled with replacement.
    Table {
        /// The CSV, resolved against the scenario file's folder.
        table: PathBuf,
        /// Column holding the score.
        score_column: String,
        /// Column holding the propensity (before scaling).
        propensity_column: String,
        /// Column holding the deal value, if any.
        value_column: Option<String>,
        /// Multiplier on the propensity column (the product is capped at 1).
        propensity_scale: f64,
        /// Number of rows read.
        rows: usize,
        /// The rows themselves.
        #[serde(skip)]
        data: Arc<Vec<LeadAttrs>>,
        /// With `arrivals.replay`: `(arrival hour, row)` sorted by time (ties in file order).
        #[serde(skip)]
        replay: Option<Arc<Vec<(f64, u32)>>>,
    },
    /// Every lead alike.
    Constant {
        /// Its attributes.
        constant: LeadAttrs,
    },
}

/// Arrival settings.
#[derive(Clone, Debug, Serialize)]
pub struct Arrivals {
    /// MQLs per business day (or per day, around the clock).
    pub rate_per_day: f64,
    /// Days with arrivals.
    pub arrival_days: u32,
    /// Leading days whose leads are simulated but not counted.
    pub warmup_days: u32,
    /// How arrivals spread over the week.
    pub calendar: ArrivalCalendar,
    /// Multipliers on the day's rate, Monday to Sunday (all 1 by default).
    pub weekday_profile: [f64; 7],
    /// Relative weights of the 24 hours of the day (flat by default): where in the day the
    /// day's arrivals fall.
    pub hour_profile: [f64; 24],
    /// Replay the population table's own arrival times from this column (hours since the
    /// run's start, Monday 00:00) instead of drawing Poisson arrivals.
    pub replay: Option<String>,
}

impl Arrivals {
    /// The counted window `[24 warmup_days, 24 arrival_days)`, in hours.
    pub fn window(&self) -> (f64, f64) {
        (
            24.0 * f64::from(self.warmup_days),
            24.0 * f64::from(self.arrival_days),
        )
    }
}

/// Queue discipline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Discipline {
    /// Earliest due time first.
    Fifo,
    /// Highest score first, ties by earliest due time.
    Score,
    /// Latest due time first.
    Lifo,
}

/// A pool of reps.
#[derive(Clone, Debug, Serialize)]
pub struct Pool {
    /// The pool's name (the key under `[pools]`).
    pub name: String,
    /// Number of reps.
    pub count: u32,
    /// Working hours.
    pub hours: Hours,
    /// Handling time per attempt, minutes.
    pub handle_minutes: DistSpec,
    /// Extra time when the attempt reaches the lead, minutes.
    pub talk_minutes: DistSpec,
    /// Multiplier on qualification.
    pub skill: f64,
    /// Loaded cost per rep-hour on shift.
    pub cost_per_hour: f64,
    /// Queue order.
    pub discipline: Discipline,
    /// Score band served, `[lo, hi)`.
    pub band: [f64; 2],
}

/// The speed-to-lead curve as configured.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeedToLead {
    /// `(hours, multiplier)` points, interpolated in log(1 + hours).
    Table(Vec<[f64; 2]>),
    /// `g(d) = exp(-kappa d)`.
    ExponentialPerHour(f64),
}

/// The nurture programme.
#[derive(Clone, Debug, Serialize)]
pub struct Nurture {
    /// Whether the programme runs (lift and cost apply).
    pub enabled: bool,
    /// Multiplier on `share` for nurtured leads.
    pub lift: f64,
    /// Cost per nurtured lead per month in nurture.
    pub cost_per_lead_month: f64,
}

/// The handover policy.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    /// Handover threshold on the score.
    pub threshold: f64,
    /// Attempt cap.
    pub max_attempts: u32,
    /// Gap after attempt k before attempt k+1, hours.
    pub gap_hours: Vec<f64>,
    /// Probability a lead can be reached at all.
    pub contactable: f64,
    /// Reach probability per attempt for contactable leads.
    pub reach: Vec<f64>,
    /// Multiplier on qualification by delay.
    pub speed_to_lead: SpeedToLead,
    /// Response-time target, hours.
    pub sla_hours: f64,
    /// Mean patience (first attempt only), hours; `None` for infinite patience.
    pub patience_hours: Option<f64>,
    /// The nurture programme.
    pub nurture: Nurture,
}

/// The cure-fraction Weibull decision law.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Decision {
    /// Share that ever decides.
    pub pi: f64,
    /// Weibull scale, months.
    pub scale_months: f64,
    /// Weibull shape.
    pub shape: f64,
}

/// Sales and nurture outcomes.
#[derive(Clone, Debug, Serialize)]
pub struct Outcomes {
    /// SQL to won.
    pub win_rate: f64,
    /// Sales cycle, days.
    pub sales_cycle_days: DistSpec,
    /// Deal value when the population supplies none.
    pub deal_value: DistSpec,
    /// Nurture decision law.
    pub decision: Decision,
    /// Probability of buying from us at the decision.
    pub share: f64,
}

pub(crate) fn config_error(
    path: &Path,
    field: impl Into<String>,
    message: impl Into<String>,
) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        field: field.into(),
        message: message.into(),
    }
}
