//! What happens after the calls: SQL to won, deal values, and the nurture decision law.

use serde::Serialize;

use super::DistSpec;

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
    /// Probability of buying from us at the decision, for a lead of the population's mean
    /// propensity.
    pub share: f64,
    /// Exponent on `q / q_bar` in the buy probability (docs/model.md section 2.9): 0 gives
    /// every nurtured lead `share`, 1 makes the buy probability proportional to the propensity.
    pub share_elasticity: f64,
}

/// The cure-fraction Weibull decision law.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Share that ever decides.
    pub pi: f64,
    /// Weibull scale, months.
    pub scale_months: f64,
    /// Weibull shape.
    pub shape: f64,
}
