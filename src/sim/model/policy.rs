//! The handover policy: who is handed over, how often and how fast they are called, and the
//! nurture programme for the rest.

use serde::Serialize;

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
