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
    /// Probability of buying from us at the decision.
    pub share: f64,
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
