//! A simulated history: what one replication of a scenario's baseline would show in a CRM,
//! recorded through the engine's [`Trace`]. It is written as an export in the format of
//! MODEL.md 8.5 (`leadsim simulate --export-history`, [`super::export`]) and measured like an
//! observed export by `backtest` ([`crate::calibrate::backtest`]).
//!
//! Reps are numbered per pool: each attempt goes to the lowest-numbered rep of its pool who is
//! free when it starts (the engine counts free reps, not who they are; any assignment with at
//! most `count` calls at once is one the engine could have made).

use crate::sim::engine::trace::{simulate_traced, Outcome, Trace};
use crate::sim::engine::Compiled;

/// One simulated lead (times in hours since the run's start, Monday 00:00).
#[derive(Debug, Clone, Copy)]
pub struct SimLead {
    /// Its random-stream key.
    pub key: u64,
    /// Arrival (MQL).
    pub arrival: f64,
    /// Score.
    pub score: f64,
    /// Propensity.
    pub propensity: f64,
    /// Deal value.
    pub value: f64,
    /// The pool it was handed to; `None`: retained by marketing.
    pub pool: Option<u16>,
    /// How and when it left the call process (`None`: retained, or still in it at the end).
    pub exit: Option<(f64, Outcome)>,
}

/// One simulated call.
#[derive(Debug, Clone, Copy)]
pub struct SimAttempt {
    /// The lead's number.
    pub lead: u32,
    /// The rep (numbered within the pool).
    pub rep: u16,
    /// Start, hours.
    pub start: f64,
    /// End, hours.
    pub end: f64,
    /// Reached a person.
    pub reached: bool,
}

/// A replication's leads (in arrival order) and calls (in start order).
#[derive(Debug, Clone, Default)]
pub struct SimHistory {
    /// Leads by number.
    pub leads: Vec<SimLead>,
    /// Calls by start time.
    pub attempts: Vec<SimAttempt>,
    /// When the last call ended or the last lead arrived, hours: the end of the run.
    pub end: f64,
    /// Per pool, when each rep is next free (for the rep assignment).
    busy_until: Vec<Vec<f64>>,
}

impl Trace for SimHistory {
    fn arrival(
        &mut self,
        lead: u64,
        key: u64,
        t: f64,
        score: f64,
        propensity: f64,
        value: f64,
        pool: Option<usize>,
    ) {
        debug_assert_eq!(lead as usize, self.leads.len());
        self.leads.push(SimLead {
            key,
            arrival: t,
            score,
            propensity,
            value,
            pool: pool.map(|p| p as u16),
            exit: None,
        });
        self.end = self.end.max(t);
    }

    fn attempt(&mut self, lead: u64, pool: usize, start: f64, end: f64, reached: bool) {
        let reps = &mut self.busy_until[pool];
        let rep = match reps.iter().position(|&b| b <= start) {
            Some(r) => r,
            None => {
                reps.push(0.0);
                reps.len() - 1
            }
        };
        reps[rep] = end;
        self.attempts.push(SimAttempt {
            lead: lead as u32,
            rep: rep as u16,
            start,
            end,
            reached,
        });
        self.end = self.end.max(end);
    }

    fn exit(&mut self, lead: u64, t: f64, how: Outcome) {
        self.leads[lead as usize].exit = Some((t, how));
    }
}

impl SimHistory {
    /// Records replication `replication` of a compiled scenario, with the engine's own
    /// arrivals or at fixed `arrivals` times; returns the history and the run's metrics.
    pub fn record(
        c: &Compiled,
        seed: u64,
        replication: u64,
        arrivals: Option<&[f64]>,
    ) -> (SimHistory, Vec<f64>) {
        let mut h = SimHistory {
            busy_until: vec![Vec::new(); c.scenario().pools.len()],
            ..Default::default()
        };
        let metrics = simulate_traced(c, seed, replication, arrivals, &mut h);
        (h, metrics)
    }
}
