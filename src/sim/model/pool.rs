//! A pool of reps: how many, when they work, how long an attempt takes, which scores they serve
//! and in which order.

use serde::Serialize;

use super::DistSpec;

/// Names of the days of the week, Monday first, as the scenario file spells them.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

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

/// A pool's working hours: the same daily shift `[start, end)` on the working days, or always.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Hours {
    /// Always on duty.
    Always(AlwaysTag),
    /// A daily shift on some days of the week.
    Weekly {
        /// Working days, Monday first.
        days: Vec<String>,
        /// Shift start, hours after midnight.
        start: f64,
        /// Shift end, hours after midnight (after `start`).
        end: f64,
    },
}

/// Serialises as the string `"always"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlwaysTag;

impl Serialize for AlwaysTag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("always")
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
