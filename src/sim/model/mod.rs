//! What a scenario is, as plain types: the file and its scenarios, the population, arrivals,
//! rep pools, the handover policy, the outcomes, distributions, the `[sweep]` grid and every
//! default value. No parsing (that is [`super::config`]) and no execution (that is
//! [`super::engine`] and [`super::run`]); this layer imports nothing above it.

pub mod defaults;
mod dist;
mod outcomes;
mod policy;
mod pool;
mod scenario;
mod sweep;

pub use dist::{gamma_parameters, gamma_representable, DistSpec};
pub use outcomes::{Decision, Outcomes};
pub use policy::{Nurture, Policy, SpeedToLead};
pub use pool::{AlwaysTag, Discipline, Hours, Pool, DAY_NAMES};
pub use scenario::{ArrivalCalendar, Arrivals, LeadAttrs, Population, Scenario, ScenarioFile};
pub use sweep::{SweepAxis, SweepGrid, SweepPoint};
