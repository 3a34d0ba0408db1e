//! Every default of the scenario file and its preset tables, in one place. The grades and
//! sources of these values are in docs/model.md section 3 (and, for the report, in
//! `report::simulate::SOURCES`).

use super::{Decision, DistSpec};

/// Replications when neither the file nor the caller sets them.
pub const DEFAULT_REPLICATIONS: usize = 100;
/// Seed when neither the file nor the caller sets one.
pub const DEFAULT_SEED: u64 = 42;

/// Noise of the generator's score on the logit scale (an assumption, grade A: it gives the
/// score an AUC of about 0.8 against the true outcome, like the models `leadsim train` fits on
/// the generator's histories).
pub const DEFAULT_SCORE_NOISE: f64 = 0.5;
/// A table population's score column.
pub const DEFAULT_SCORE_COLUMN: &str = "score";
/// Multiplier on a table population's propensity column.
pub const DEFAULT_PROPENSITY_SCALE: f64 = 1.0;

/// Working days of a pool (the first five of `DAY_NAMES`: Monday to Friday).
pub const DEFAULT_WORKING_DAYS: usize = 5;
/// Shift start, hours after midnight.
pub const DEFAULT_SHIFT_START: f64 = 9.0;
/// Shift end, hours after midnight.
pub const DEFAULT_SHIFT_END: f64 = 17.0;
/// Handling time of one attempt, minutes.
pub const DEFAULT_HANDLE_MINUTES: DistSpec = DistSpec::LogNormalMeanCv { mean: 8.0, cv: 0.5 };
/// Extra time when an attempt reaches the lead, minutes.
pub const DEFAULT_TALK_MINUTES: DistSpec = DistSpec::LogNormalMeanCv {
    mean: 20.0,
    cv: 0.5,
};
/// A pool's multiplier on qualification.
pub const DEFAULT_SKILL: f64 = 1.0;
/// Loaded cost per rep-hour (an SDR).
pub const DEFAULT_COST_PER_HOUR: f64 = 36.0;
/// The score band a pool serves.
pub const DEFAULT_BAND: [f64; 2] = [0.0, 1.0];

/// Handover threshold on the score.
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// Attempt cap.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 6;
/// Gaps between attempts, hours.
pub const DEFAULT_GAPS: [f64; 5] = [1.0, 24.0, 48.0, 96.0, 168.0];
/// Probability that a lead can be reached at all.
pub const DEFAULT_CONTACTABLE: f64 = 0.6;
/// Reach probability per attempt of a contactable lead.
pub const DEFAULT_REACH: [f64; 6] = [0.39, 0.54, 0.39, 0.29, 0.25, 0.25];
/// Response-time target, hours.
pub const DEFAULT_SLA_HOURS: f64 = 1.0;
/// Multiplier on `share` for nurtured leads while the programme runs.
pub const DEFAULT_NURTURE_LIFT: f64 = 1.5;
/// Cost per nurtured lead per month.
pub const DEFAULT_NURTURE_COST_PER_LEAD_MONTH: f64 = 2.0;

/// SQL to won.
pub const DEFAULT_WIN_RATE: f64 = 0.25;
/// Sales cycle, days.
pub const DEFAULT_SALES_CYCLE_DAYS: DistSpec = DistSpec::LogNormalMedian {
    median: 60.0,
    sigma: 0.6,
};
/// Deal value when the population supplies none.
pub const DEFAULT_DEAL_VALUE: DistSpec = DistSpec::LogNormalMedian {
    median: 25_000.0,
    sigma: 1.0,
};
/// Probability of buying from us at the nurture decision.
pub const DEFAULT_SHARE: f64 = 0.15;
/// How strongly a nurtured lead's propensity carries over to its purchase (MODEL.md 8.3): the
/// buy probability scales with `(q / q_bar)^elasticity`; 0 is the old law, `share` for all.
pub const DEFAULT_SHARE_ELASTICITY: f64 = 1.0;
/// The nurture decision law: the first of [`DECISION_PRESETS`] (`rule-of-45`), also the
/// default of each field a `decision` table leaves out.
pub const DEFAULT_DECISION: Decision = DECISION_PRESETS[0].1;

/// Speed-to-lead presets (docs/model.md section 3); the first is the default curve.
pub const SPEED_PRESETS: &[(&str, &[[f64; 2]])] = &[
    (
        "default",
        &[
            [0.0, 1.0],
            [1.0, 0.75],
            [24.0, 0.45],
            [72.0, 0.35],
            [720.0, 0.25],
        ],
    ),
    (
        "hbr-2011",
        &[[0.0, 1.0], [1.0, 1.0], [2.0, 0.143], [24.0, 0.0167]],
    ),
    (
        "lrm-2007",
        &[[0.0, 1.0], [0.083, 1.0], [0.167, 0.25], [0.5, 0.048]],
    ),
    (
        "velocify-2012",
        &[
            [0.0, 1.0],
            [0.0167, 1.0],
            [0.033, 0.53],
            [0.05, 0.40],
            [24.0, 0.24],
            [48.0, 0.20],
        ],
    ),
];

/// Nurture decision presets (docs/model.md section 3); the first is the default law.
pub const DECISION_PRESETS: &[(&str, Decision)] = &[
    (
        "rule-of-45",
        Decision {
            pi: 0.62,
            scale_months: 9.8,
            shape: 1.26,
        },
    ),
    (
        "rejected-80",
        Decision {
            pi: 0.95,
            scale_months: 6.5,
            shape: 1.0,
        },
    ),
];
