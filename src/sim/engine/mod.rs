//! One replication of one scenario, event by event (docs/model.md sections 2 and 6).
//!
//! Event sources, merged by (time, priority, sequence):
//! * the arrival stream (generated day by day),
//! * one FIFO per retry gap: attempt `k+1` is due `gap[k]` after attempt `k` ends, and ends are
//!   handled in time order, so each FIFO is already sorted and needs no heap,
//! * a small 4-ary heap for attempt ends, shift starts, patience expiries and the start of the
//!   counted window.
//!
//! Leads live in a slab whose slots are reused, so memory follows the leads in flight.
//!
//! **Invariant:** every draw comes from the lead's keyed streams (`rng::slot`), never from a
//! shared generator, so the event order cannot change a lead's luck.

use std::collections::{BinaryHeap, VecDeque};

use rand_distr::{Distribution, Exp1};

pub(crate) mod calendar;
mod events;
mod heap4;
pub(crate) mod population;
pub(crate) mod rng;
mod sampler;
mod tally;
pub(crate) mod trace;

// The oracle tests evaluate the tabulated speed-to-lead curve directly.
#[doc(hidden)]
pub use sampler::SpeedCurve;

use calendar::{ArrivalStream, Shift};
use events::*;
use heap4::Heap4;
use population::Source;
use rng::{lead_key, lead_stream, slot};
use sampler::Sampler;
use tally::{Exit, Tally};
use trace::{Outcome, Trace};

use super::model::{Discipline, Population, Scenario, SpeedToLead};

/// Months in 12 months' worth of days (1 month = 30.4375 days).
const HORIZON_MONTHS: f64 = 12.0;
/// Revenue counts when the deal closes within this many hours of arrival.
const WON_HORIZON_H: f64 = 365.0 * 24.0;

struct CPool {
    shift: Shift,
    handle: Sampler,
    talk: Sampler,
    skill: f64,
    discipline: Discipline,
    count: u32,
    lo: f64,
    hi: f64,
}

/// A scenario compiled for the engine: samplers built, curves tabulated.
pub struct Compiled<'a> {
    sc: &'a Scenario,
    source: Source,
    pools: Vec<CPool>,
    top: f64,
    speed: SpeedCurve,
    value: Sampler,
    cycle: Sampler,
    gaps: Vec<f64>,
    reach: Vec<f64>,
    max_attempts: u32,
    /// `share * lift`: the buy probability at the nurture decision of a lead of mean propensity.
    buy: f64,
    /// `outcomes.share_elasticity`.
    elasticity: f64,
    /// The population's mean propensity ([`Source::mean_propensity`]), computed once here with
    /// the source it belongs to: a calibration that replaces the source's propensities must
    /// replace this too.
    q_bar: f64,
    nurture_cost: f64,
    w0: f64,
    w1: f64,
}

impl<'a> Compiled<'a> {
    /// Prepares a validated scenario.
    pub fn new(sc: &'a Scenario) -> Self {
        let pol = &sc.policy;
        let (w0, w1) = sc.arrivals.window();
        let pools: Vec<CPool> = sc
            .pools
            .iter()
            .map(|p| CPool {
                shift: Shift::new(&p.hours),
                handle: Sampler::new(&p.handle_minutes),
                talk: Sampler::new(&p.talk_minutes),
                skill: p.skill,
                discipline: p.discipline,
                count: p.count,
                lo: p.band[0],
                hi: p.band[1],
            })
            .collect();
        let top = pools.iter().map(|p| p.hi).fold(f64::MIN, f64::max);
        let lift = if pol.nurture.enabled {
            pol.nurture.lift
        } else {
            1.0
        };
        let source = Source::new(&sc.population);
        Compiled {
            sc,
            q_bar: source.mean_propensity(),
            source,
            pools,
            top,
            speed: match &pol.speed_to_lead {
                SpeedToLead::Table(pts) => SpeedCurve::table(pts),
                SpeedToLead::ExponentialPerHour(k) => SpeedCurve::Exponential { kappa: *k },
            },
            value: Sampler::new(&sc.outcomes.deal_value),
            cycle: Sampler::new(&sc.outcomes.sales_cycle_days),
            gaps: pol.gap_hours.clone(),
            reach: pol.reach.clone(),
            max_attempts: pol.max_attempts,
            buy: sc.outcomes.share * lift,
            elasticity: sc.outcomes.share_elasticity,
            nurture_cost: if pol.nurture.enabled {
                pol.nurture.cost_per_lead_month
            } else {
                0.0
            },
            w0,
            w1,
        }
    }

    /// The scenario it was compiled from.
    pub fn scenario(&self) -> &Scenario {
        self.sc
    }

    /// Where its leads come from.
    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    /// The probability that a nurtured lead of propensity `q` buys from us at its decision,
    /// `min(1, share * lift * (q / q_bar)^elasticity)` (docs/model.md section 2.9). A population
    /// whose propensities are all 0 has no reference: its leads buy at `share * lift`. For a
    /// constant population `q / q_bar` is exactly 1, and so is `1^elasticity`: the old law to
    /// the bit.
    #[inline]
    pub(crate) fn buy_probability(&self, q: f64) -> f64 {
        let ratio = if self.q_bar > 0.0 {
            q / self.q_bar
        } else {
            1.0
        };
        (self.buy * ratio.powf(self.elasticity)).min(1.0)
    }

    /// A nurtured lead's decision: whether and when it decides (the cure-fraction Weibull of
    /// docs/model.md section 2.9) and whether it then buys from us, from the lead's own nurture
    /// stream; the engine and the history export both read it, so they cannot disagree.
    #[inline]
    pub(crate) fn nurture_decision(&self, key: u64, q: f64) -> trace::Decision {
        let d = &self.sc.outcomes.decision;
        let mut r = lead_stream(key, slot::NURTURE);
        let (u_decide, u_time, u_buy) = (r.u01(), r.u01(), r.u01());
        let months = if u_decide < d.pi {
            d.scale_months * (-(1.0 - u_time).ln()).powf(1.0 / d.shape)
        } else {
            f64::INFINITY
        };
        trace::Decision {
            months,
            buys: u_buy < self.buy_probability(q),
        }
    }

    /// The population's mean propensity `q_bar`.
    pub fn mean_propensity(&self) -> f64 {
        self.q_bar
    }

    /// The pool whose band holds score `s`: bands are half-open, and the top band also holds its
    /// upper end (validation leaves no handed-over score without a pool).
    #[inline]
    pub(crate) fn route(&self, s: f64) -> usize {
        self.pools
            .iter()
            .position(|p| s >= p.lo && (s < p.hi || (s == p.hi && p.hi == self.top)))
            .unwrap_or(0)
    }
}

struct State<'c, 'a, 't, T: Trace> {
    c: &'c Compiled<'a>,
    trace: &'t mut T,
    leads: Vec<Lead>,
    free_slots: Vec<u32>,
    live: usize,
    heap: Heap4<Ev>,
    retries: Vec<VecDeque<Due>>,
    queues: Vec<Queue>,
    queue_len: Vec<usize>,
    shift_pending: Vec<bool>,
    free_reps: Vec<u32>,
    seq: u64,
    tally: Tally,
}

/// Simulates one replication and returns its metrics in the order of
/// [`crate::sim::metric::names`].
pub fn simulate(c: &Compiled, seed: u64, replication: u64) -> Vec<f64> {
    run_replication(c, seed, replication, None, &mut ())
}

/// [`simulate`] with a trace and, optionally, fixed arrival times ([`trace::simulate_traced`]).
fn run_replication<T: Trace>(
    c: &Compiled,
    seed: u64,
    replication: u64,
    fixed: Option<&[f64]>,
    trace: &mut T,
) -> Vec<f64> {
    let sc = c.sc;
    let mut st = State {
        c,
        trace,
        leads: Vec::new(),
        free_slots: Vec::new(),
        live: 0,
        heap: Heap4::new(),
        retries: (1..c.max_attempts).map(|_| VecDeque::new()).collect(),
        queues: c
            .pools
            .iter()
            .map(|p| match p.discipline {
                Discipline::Fifo => Queue::Fifo(VecDeque::new()),
                Discipline::Lifo => Queue::Lifo(Vec::new()),
                Discipline::Score => Queue::Score(BinaryHeap::new()),
            })
            .collect(),
        queue_len: vec![0; c.pools.len()],
        shift_pending: vec![false; c.pools.len()],
        free_reps: c.pools.iter().map(|p| p.count).collect(),
        seq: 0,
        tally: Tally::new(c.pools.len()),
    };
    st.push(c.w0, PRIO_WINDOW, 0, 0);
    let a = &sc.arrivals;
    // Arrival times come from the Poisson stream, or from the table's own times (replay), in
    // which case the lead is that row rather than a draw.
    let replay: Option<&[(f64, u32)]> = match &sc.population {
        Population::Table {
            replay: Some(r), ..
        } if a.replay.is_some() => Some(r.as_slice()),
        _ => None,
    };
    let mut replay_at = 0usize;
    let mut arrivals = ArrivalStream::new(a, seed, replication);
    let mut next_in = |i: &mut usize| -> Option<(f64, Option<u32>)> {
        if let Some(times) = fixed {
            let t = *times.get(*i).filter(|&&t| t < c.w1)?;
            *i += 1;
            return Some((t, None));
        }
        match replay {
            None => arrivals.next().map(|t| (t, None)),
            Some(rows) => {
                let r = rows.get(*i).filter(|r| r.0 < c.w1)?;
                *i += 1;
                Some((r.0, Some(r.1)))
            }
        }
    };
    let mut next_arrival = next_in(&mut replay_at);
    let mut lead_index: u64 = 0;
    loop {
        if next_arrival.is_none() && st.live == 0 {
            break;
        }
        // The earliest of: the next arrival, the head of each retry FIFO, the heap's top.
        let mut best: Option<(Key, usize)> =
            next_arrival.map(|(t, _)| (key(t, PRIO_ARRIVAL, 0), usize::MAX));
        for (k, q) in st.retries.iter().enumerate() {
            if let Some(d) = q.front() {
                if best.map_or(true, |(b, _)| d.k < b) {
                    best = Some((d.k, k));
                }
            }
        }
        if let Some(k) = st.heap.peek_key() {
            if best.map_or(true, |(b, _)| k < b) {
                best = Some((k, usize::MAX - 1));
            }
        }
        let Some((next, src)) = best else { break };
        match src {
            usize::MAX => {
                let row = next_arrival.and_then(|(_, row)| row);
                st.arrive(key_time(next), seed, replication, lead_index, row);
                lead_index += 1;
                next_arrival = next_in(&mut replay_at);
            }
            k if k < st.retries.len() => {
                let d = st.retries[k].pop_front().expect("peeked");
                // The lead of a retry a few places further down this FIFO will be needed soon;
                // ask for its cache line now so the wait overlaps other work.
                if let Some(ahead) = st.retries[k].get(PREFETCH_AHEAD) {
                    prefetch(&st.leads[ahead.slot as usize]);
                }
                // The FIFO itself is read too sparsely for the hardware prefetcher: fetch the
                // entries whose leads will be prefetched a few retries from now.
                if let Some(further) = st.retries[k].get(4 * PREFETCH_AHEAD) {
                    prefetch(further);
                }
                let pool = st.leads[d.slot as usize].pool as usize;
                st.offer(pool, d.slot, key_time(d.k));
            }
            _ => {
                let (k, e) = st.heap.pop().expect("peeked");
                let t = key_time(k);
                match key_prio(k) {
                    PRIO_END => st.end(t, e.slot),
                    PRIO_SHIFT => {
                        let pool = e.slot as usize;
                        st.shift_pending[pool] = false;
                        st.drain(pool, t);
                        st.need_shift(pool, t);
                    }
                    PRIO_WINDOW => {
                        for (p, len) in st.tally.pools.iter_mut().zip(&st.queue_len) {
                            p.peak = p.peak.max(*len);
                        }
                    }
                    _ => st.patience(e.slot, e.id, t),
                }
            }
        }
    }
    st.tally.finish(sc)
}

impl<T: Trace> State<'_, '_, '_, T> {
    #[inline]
    fn push(&mut self, t: f64, prio: u8, slot: u32, id: u32) {
        self.seq += 1;
        let k = key(t, prio, self.seq);
        self.heap.push(k, Ev { slot, id });
    }

    #[inline]
    fn in_window(&self, t: f64) -> bool {
        t >= self.c.w0 && t < self.c.w1
    }

    fn arrive(&mut self, t: f64, seed: u64, replication: u64, index: u64, row: Option<u32>) {
        let c = self.c;
        let pol = &c.sc.policy;
        let key = lead_key(seed, replication, index);
        let attrs = match row {
            Some(i) => c.source.row(i as usize),
            None => c.source.draw(&mut lead_stream(key, slot::ATTRIBUTES)),
        };
        let value = match attrs.value {
            Some(v) => v,
            None => c.value.sample(&mut lead_stream(key, slot::VALUE)),
        };
        let counted = t >= c.w0;
        if counted {
            self.tally.mqls += 1;
        }
        if attrs.score < pol.threshold {
            self.trace
                .arrival(index, key, t, attrs.score, attrs.propensity, value, None);
            self.nurture(Exit::Retained, key, value, attrs.propensity, counted);
            return;
        }
        if counted {
            self.tally.handed_over += 1;
        }
        let pool = c.route(attrs.score);
        self.trace.arrival(
            index,
            key,
            t,
            attrs.score,
            attrs.propensity,
            value,
            Some(pool),
        );
        let lead = Lead {
            arrival: t,
            score: attrs.score,
            p: attrs.propensity,
            value,
            key,
            start: f64::NAN,
            id: index as u32,
            pool: pool as u32,
            attempt: 0,
            reached: false,
            contactable: lead_stream(key, slot::CONTACTABLE).u01() < pol.contactable,
            counted,
            in_queue: false,
        };
        let s = match self.free_slots.pop() {
            Some(s) => {
                self.leads[s as usize] = lead;
                s
            }
            None => {
                self.leads.push(lead);
                (self.leads.len() - 1) as u32
            }
        };
        self.live += 1;
        self.offer(pool, s, t);
        if let Some(mean) = pol.patience_hours {
            if self.leads[s as usize].in_queue {
                let e: f64 = Exp1.sample(&mut lead_stream(key, slot::PATIENCE));
                self.push(t + mean * e, PRIO_PATIENCE, s, index as u32);
            }
        }
    }

    /// An attempt falls due: a free rep on shift takes it at once, else it queues.
    fn offer(&mut self, pool: usize, s: u32, t: f64) {
        if self.free_reps[pool] > 0 && self.c.pools[pool].shift.on_shift(t) {
            self.start(pool, s, t);
            return;
        }
        self.seq += 1;
        let lead = &mut self.leads[s as usize];
        lead.in_queue = true;
        let e = Entry {
            slot: s,
            id: lead.id,
        };
        match &mut self.queues[pool] {
            Queue::Fifo(q) => q.push_back(e),
            Queue::Lifo(q) => q.push(e),
            Queue::Score(q) => q.push(ScoreEntry {
                score: lead.score,
                due: t,
                seq: self.seq,
                slot: s,
                id: lead.id,
            }),
        }
        self.queue_len[pool] += 1;
        self.need_shift(pool, t);
        if self.in_window(t) {
            let p = &mut self.tally.pools[pool];
            p.peak = p.peak.max(self.queue_len[pool]);
        }
    }

    /// A shift start matters only when work is waiting and a rep is free to take it, which
    /// happens only off shift (on shift a free rep takes queued work at once). So one is
    /// scheduled exactly then, instead of a chain of shift starts for ever: such a chain would
    /// also keep a run alive, day after day, while every rep is busy with an absurdly long
    /// attempt.
    #[inline]
    fn need_shift(&mut self, pool: usize, t: f64) {
        if self.shift_pending[pool] || self.queue_len[pool] == 0 || self.free_reps[pool] == 0 {
            return;
        }
        if let Some(next) = self.c.pools[pool].shift.next_start_after(t) {
            self.shift_pending[pool] = true;
            self.push(next, PRIO_SHIFT, pool as u32, 0);
        }
    }

    /// Free reps of an on-shift pool take queued attempts in queue order.
    fn drain(&mut self, pool: usize, t: f64) {
        while self.free_reps[pool] > 0 {
            let Some(s) = self.pop(pool) else { return };
            self.start(pool, s, t);
        }
    }

    fn pop(&mut self, pool: usize) -> Option<u32> {
        loop {
            // Leads waiting in a queue (overnight, say) are cold in cache: prefetch the ones
            // that will be taken next.
            let (e, ahead) = match &mut self.queues[pool] {
                Queue::Fifo(q) => (q.pop_front()?, q.get(PREFETCH_AHEAD).map(|a| a.slot)),
                Queue::Lifo(q) => (
                    q.pop()?,
                    q.len().checked_sub(PREFETCH_AHEAD + 1).map(|i| q[i].slot),
                ),
                Queue::Score(q) => (
                    q.pop().map(|e| Entry {
                        slot: e.slot,
                        id: e.id,
                    })?,
                    None,
                ),
            };
            if let Some(a) = ahead {
                prefetch(&self.leads[a as usize]);
            }
            let lead = &mut self.leads[e.slot as usize];
            // Entries of leads that went cold stay behind; skip them.
            if lead.in_queue && lead.id == e.id {
                lead.in_queue = false;
                self.queue_len[pool] -= 1;
                return Some(e.slot);
            }
        }
    }

    fn start(&mut self, pool: usize, s: u32, t: f64) {
        let c = self.c;
        let p = &c.pools[pool];
        self.free_reps[pool] -= 1;
        let lead = &mut self.leads[s as usize];
        let k = lead.attempt;
        if k == 0 && lead.counted {
            let wait = t - lead.arrival;
            self.tally.attempted += 1;
            self.tally.responses.push(wait);
            if t > lead.arrival {
                self.tally.waited += 1;
            }
            if wait <= c.sc.policy.sla_hours {
                self.tally.sla_met += 1;
            }
        }
        let base = slot::ATTEMPT0 + 3 * u64::from(k);
        let handle = p.handle.sample(&mut lead_stream(lead.key, base)) / 60.0;
        let reached =
            lead.contactable && lead_stream(lead.key, base + 2).u01() < c.reach[k as usize];
        let talk = if reached {
            p.talk.sample(&mut lead_stream(lead.key, base + 1)) / 60.0
        } else {
            0.0
        };
        let end = t + handle + talk;
        self.trace
            .attempt(u64::from(lead.id), pool, t, end, reached);
        if lead.counted {
            self.tally.dials += 1;
            self.tally.contacts += u64::from(reached);
        }
        lead.reached = reached;
        lead.start = t;
        let busy = end.min(c.w1) - t.max(c.w0);
        if busy > 0.0 {
            self.tally.pools[pool].busy += busy;
        }
        self.push(end, PRIO_END, s, 0);
    }

    fn end(&mut self, t: f64, s: u32) {
        let c = self.c;
        let lead = self.leads[s as usize];
        let pool = lead.pool as usize;
        self.free_reps[pool] += 1;
        if lead.reached {
            if lead.counted {
                self.tally.reached += 1;
            }
            let g = c.speed.eval(lead.start - lead.arrival);
            let q = (lead.p * c.pools[pool].skill * g).min(1.0);
            if lead_stream(lead.key, slot::QUALIFY).u01() < q {
                self.trace.exit(u64::from(lead.id), t, Outcome::Sql);
                self.sql(t, &lead);
            } else {
                self.trace.exit(u64::from(lead.id), t, Outcome::Rejected);
                self.nurture(Exit::Rejected, lead.key, lead.value, lead.p, lead.counted);
            }
            self.release(s);
        } else if lead.attempt + 1 < c.max_attempts {
            let k = lead.attempt as usize;
            self.leads[s as usize].attempt += 1;
            self.seq += 1;
            self.retries[k].push_back(Due {
                k: key(t + c.gaps[k], PRIO_DUE, self.seq),
                slot: s,
            });
        } else {
            self.trace.exit(u64::from(lead.id), t, Outcome::Unreached);
            self.nurture(Exit::Unreached, lead.key, lead.value, lead.p, lead.counted);
            self.release(s);
        }
        if c.pools[pool].shift.on_shift(t) {
            self.drain(pool, t);
        } else {
            self.need_shift(pool, t);
        }
    }

    fn patience(&mut self, s: u32, id: u32, t: f64) {
        let lead = self.leads[s as usize];
        if lead.id != id || !lead.in_queue || lead.attempt != 0 {
            return; // served already (or the slot holds another lead by now)
        }
        self.leads[s as usize].in_queue = false;
        self.queue_len[lead.pool as usize] -= 1;
        if lead.counted {
            self.tally.waited += 1;
        }
        self.trace.exit(u64::from(id), t, Outcome::Cold);
        self.nurture(Exit::Cold, lead.key, lead.value, lead.p, lead.counted);
        self.release(s);
    }

    #[inline]
    fn release(&mut self, s: u32) {
        self.free_slots.push(s);
        self.live -= 1;
    }

    fn sql(&mut self, t: f64, lead: &Lead) {
        if !lead.counted {
            return;
        }
        let c = self.c;
        self.tally.sqls += 1;
        let cycle_days = c.cycle.sample(&mut lead_stream(lead.key, slot::CYCLE));
        if lead_stream(lead.key, slot::WIN).u01() < c.sc.outcomes.win_rate {
            self.tally.won += 1;
            if (t - lead.arrival) + 24.0 * cycle_days <= WON_HORIZON_H {
                self.tally.won_revenue += lead.value;
            }
        }
    }

    /// A counted lead enters nurture: its decision time is measured from entry, so the entry
    /// time itself is not needed (recovery within 12 months of entry, docs/model.md section 2,
    /// step 9). `q` is the lead's propensity, which sets its buy probability.
    fn nurture(&mut self, why: Exit, key: u64, value: f64, q: f64, counted: bool) {
        if !counted {
            return;
        }
        let c = self.c;
        self.tally.exits[why as usize] += 1;
        let trace::Decision { months, buys } = c.nurture_decision(key, q);
        if months <= HORIZON_MONTHS && buys {
            self.tally.recovered[why as usize] += value;
            self.tally.recovered_deals += 1;
        }
        self.tally.nurture_cost += c.nurture_cost * months.min(HORIZON_MONTHS);
    }
}
