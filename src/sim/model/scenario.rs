//! The scenario file and one resolved scenario: where leads come from and when they arrive.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::{Outcomes, Policy, Pool, SweepGrid};

/// A parsed and validated scenario file ([`ScenarioFile::load`] reads one).
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
    pub sweep: Option<SweepGrid>,
    /// The historical process (docs/model.md section 8): the file's own settings with the
    /// `[history]` table's `policy` and `pools` deep-merged over them. Its population and
    /// arrivals are the file's; a scenario with another population is calibrated under this
    /// process with its own population.
    pub history: Scenario,
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

impl Population {
    /// Whether the population gives scores but no explicit propensity, so that the propensity
    /// is calibrated under the historical process: the generator, or a table without
    /// `propensity_column` and `propensity_scale` (with or without a `label_column`).
    /// Constant populations and explicit propensities are taken as given.
    pub fn calibrates(&self) -> bool {
        match self {
            Population::Generator { .. } => true,
            Population::Table {
                propensity_column,
                propensity_scale,
                ..
            } => propensity_column.is_none() && propensity_scale.is_none(),
            Population::Constant { .. } => false,
        }
    }
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
    /// A synthetic generator (docs/model.md section 6).
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
        /// Column holding the propensity (before scaling); `None`: the propensity is calibrated
        /// from the score under the historical process (docs/model.md section 8), unless
        /// `propensity_scale` is set, which takes the score times the scale as given.
        #[serde(skip_serializing_if = "Option::is_none")]
        propensity_column: Option<String>,
        /// Column holding the deal value, if any.
        value_column: Option<String>,
        /// Column holding each lead's outcome observed under the historical process (1/0,
        /// yes/no, true/false; empty: not observed): the label rate a calibration reproduces
        /// per score decile instead of the mean score (docs/model.md section 8.2).
        #[serde(skip_serializing_if = "Option::is_none")]
        label_column: Option<String>,
        /// Multiplier on the propensity column (the product is capped at 1); `None` when the
        /// file does not set it (a factor of 1).
        #[serde(skip_serializing_if = "Option::is_none")]
        propensity_scale: Option<f64>,
        /// Number of rows read.
        rows: usize,
        /// The rows themselves.
        #[serde(skip)]
        data: Arc<Vec<LeadAttrs>>,
        /// With `label_column`: each row's observed outcome (`None`: not observed).
        #[serde(skip)]
        labels: Option<Arc<Vec<Option<bool>>>>,
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

/// How arrivals spread over the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalCalendar {
    /// Poisson(rate) on each Monday-to-Friday day, uniform over its 24 hours.
    Business,
    /// Poisson(rate / 24) in every hour, uniform within it.
    Always,
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
