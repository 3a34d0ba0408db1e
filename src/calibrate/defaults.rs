//! The documented defaults (docs/model.md section 3) that a calibration keeps, marked as such,
//! for a knob the export cannot inform. They restate the simulator's defaults here because the
//! simulator's modules are being reorganised; when they settle, these should point at the
//! scenario model's own constants.

/// `policy.contactable` (S- InsideSales).
pub const CONTACTABLE: f64 = 0.6;
/// `policy.reach` (S- Leads360 / Velocify).
pub const REACH: [f64; 6] = [0.39, 0.54, 0.39, 0.29, 0.25, 0.25];
/// `policy.gap_hours` (A).
pub const GAP_HOURS: [f64; 5] = [1.0, 24.0, 48.0, 96.0, 168.0];
/// `policy.max_attempts` (A).
pub const MAX_ATTEMPTS: usize = 6;
/// `policy.speed_to_lead`, the `default` table (A).
pub const SPEED_TO_LEAD: [(f64, f64); 5] = [
    (0.0, 1.0),
    (1.0, 0.75),
    (24.0, 0.45),
    (72.0, 0.35),
    (720.0, 0.25),
];
/// `pools.*.handle_minutes`: lognormal mean and cv (A).
pub const HANDLE_MINUTES: (f64, f64) = (8.0, 0.5);
/// `pools.*.talk_minutes`: lognormal mean and cv (A).
pub const TALK_MINUTES: (f64, f64) = (20.0, 0.5);
/// `pools.*.hours`: Monday to Friday, 9:00 to 17:00 (A).
pub const HOURS: (f64, f64) = (9.0, 17.0);
/// `outcomes.win_rate` (F SiriusDecisions).
pub const WIN_RATE: f64 = 0.25;
/// `outcomes.sales_cycle_days`: lognormal median and sigma (A).
pub const SALES_CYCLE_DAYS: (f64, f64) = (60.0, 0.6);
/// `outcomes.deal_value`: lognormal median and sigma (S- Pacific Crest).
pub const DEAL_VALUE: (f64, f64) = (25_000.0, 1.0);
/// `outcomes.decision`, rule-of-45: pi, scale in months, shape (S- Obermayer).
pub const DECISION: (f64, f64, f64) = (0.62, 9.8, 1.26);
/// `outcomes.share` (A).
pub const SHARE: f64 = 0.15;
