//! Watching one replication event by event, and feeding it fixed arrival times: what
//! `simulate --export-history` and `backtest` need from the engine, kept apart from the event
//! loop. [`simulate_traced`] runs the same loop as [`super::simulate`] with a [`Trace`] that is
//! told of every arrival, attempt and exit; the no-op `()` trace compiles to the plain run.
//!
//! The sales and nurture outcomes are drawn from the lead's own keyed streams (MODEL.md 6),
//! so a trace can read them after the fact with [`Compiled::sales_outcome`] and
//! [`Compiled::nurture_outcome`] and see exactly what the run's metrics counted. These two
//! restate `State::sql` and `State::nurture`; `tests/backtest.rs` checks that an exported
//! history's won deals and recoveries equal the run's own metrics.

use super::rng::{lead_stream, slot};
use super::Compiled;

/// Told of every event of a replication (warm-up leads included). Lead numbers are the order
/// of arrival (0, 1, 2, ...); times are hours since the run's start.
pub trait Trace {
    /// A lead arrives: handed over to `pool`, or retained by marketing (`pool = None`). `key`
    /// addresses its random streams (for [`Compiled::sales_outcome`] and
    /// [`Compiled::nurture_outcome`]).
    #[allow(clippy::too_many_arguments)]
    fn arrival(
        &mut self,
        _lead: u64,
        _key: u64,
        _t: f64,
        _score: f64,
        _propensity: f64,
        _value: f64,
        _pool: Option<usize>,
    ) {
    }
    /// An attempt runs from `start` to `end` hours; `reached` when it reached the lead.
    fn attempt(&mut self, _lead: u64, _pool: usize, _start: f64, _end: f64, _reached: bool) {}
    /// The lead's last event: it became an SQL, was rejected, went unreached or cold at `t`
    /// (retained leads have no exit beyond their arrival).
    fn exit(&mut self, _lead: u64, _t: f64, _how: Outcome) {}
}

/// How a handed-over lead left the call process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Reached and qualified: an SQL from `t`.
    Sql,
    /// Reached and not qualified: to nurture at `t`.
    Rejected,
    /// Not reached in `max_attempts`: to nurture at `t`.
    Unreached,
    /// Left the queue before its first attempt: to nurture at `t`.
    Cold,
}

impl Trace for () {}

/// A sales outcome: whether the deal is won and when it closes (hours since the run's start).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sale {
    /// Won (else lost).
    pub won: bool,
    /// The SQL's time plus the sales cycle.
    pub closes_at: f64,
}

/// A nurtured lead's later decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    /// Months from entering nurture to the decision (infinite: never decides).
    pub months: f64,
    /// Whether it buys from us at the decision.
    pub buys: bool,
}

impl Compiled<'_> {
    /// The sale of an SQL created at `t`, as `State::sql` draws it.
    pub fn sales_outcome(&self, key: u64, t: f64) -> Sale {
        let cycle_days = self.cycle.sample(&mut lead_stream(key, slot::CYCLE));
        Sale {
            won: lead_stream(key, slot::WIN).u01() < self.sc.outcomes.win_rate,
            closes_at: t + 24.0 * cycle_days,
        }
    }

    /// The nurture decision of a lead of propensity `q`, as `State::nurture` draws it.
    pub fn nurture_outcome(&self, key: u64, q: f64) -> Decision {
        self.nurture_decision(key, q)
    }
}

/// One replication as [`super::simulate`] runs it, telling `trace` of every event; with
/// `arrivals`, the leads arrive at these times (hours, sorted; those at or after the end of
/// the arrival window are dropped) instead of the Poisson stream, each lead still drawn from
/// the population by its own stream.
pub fn simulate_traced<T: Trace>(
    c: &Compiled,
    seed: u64,
    replication: u64,
    arrivals: Option<&[f64]>,
    trace: &mut T,
) -> Vec<f64> {
    super::run_replication(c, seed, replication, arrivals, trace)
}
