//! The metric registry: every metric a replication yields, declared once with its name (as in
//! `summary.csv`), its label for people, its [`Unit`], its [`Direction`] and a one-sentence
//! description (docs/model.md section 4 defines them). The engine writes its values through
//! it ([`MetricRow`]), and ranking, the printed table, the CSV/JSON writers and the HTML report
//! read it; nothing guesses what a metric is from its name.
//!
//! A replication's row holds the scenario-wide metrics in [`Metric::ALL`]'s order, then, for
//! each pool in the scenario's order, its [`PoolMetric::ALL`] (`utilisation_<pool>`,
//! `peak_queue_<pool>`, `rep_cost_<pool>`).
//!
//! ```
//! use leadsim::sim::metric::{def, Direction, Metric};
//! use leadsim::format::Unit;
//! let d = def("mql_to_sql").unwrap();
//! assert_eq!((d.label.as_ref(), d.unit), ("MQL-to-SQL conversion", Unit::Share));
//! assert_eq!(def("peak_queue_sdr").unwrap().direction, Direction::LowerIsBetter);
//! assert_eq!(Metric::NetRevenue.name(), "net_revenue");
//! assert!(def("no_such_metric").is_none());
//! ```

use std::borrow::Cow;
use std::ops::{Index, IndexMut};

use crate::format::{self, Unit};
use crate::sim::model::Scenario;
use crate::stats::Interval;

/// Whether more of a metric is better; ranking orders by it and the report's verdicts read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Revenue, conversion, SQLs, the SLA share.
    HigherIsBetter,
    /// Costs, waiting times, queues, leads lost.
    LowerIsBetter,
}

/// What the registry says about one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDef {
    /// The name in `summary.csv` and `replications.csv` (`utilisation_sdr` for a pool's).
    pub name: Cow<'static, str>,
    /// The name for people ("MQL-to-SQL conversion", "Utilisation of sdr").
    pub label: Cow<'static, str>,
    /// How its values are written.
    pub unit: Unit,
    /// Whether more is better.
    pub direction: Direction,
    /// One sentence on what it counts.
    pub description: &'static str,
}

impl MetricDef {
    /// Whether more of it is better.
    pub fn higher_is_better(&self) -> bool {
        self.direction == Direction::HigherIsBetter
    }

    /// A value of it, as every output writes one ([`format::value`] in its unit).
    pub fn value(&self, x: f64) -> String {
        format::value(self.unit, x)
    }

    /// A difference of two values of it, signed ([`format::diff`]).
    pub fn diff(&self, x: f64) -> String {
        format::diff(self.unit, x)
    }

    /// A 95% half-width of it, "±..." ([`format::half_width`]); `None` when undefined.
    pub fn half_width(&self, h: f64) -> Option<String> {
        format::half_width(self.unit, h)
    }

    /// The parts of a table cell for an interval `s` of it over `reps` replications: the mean
    /// (signed when `diff`, as a paired difference), "±half-width" when defined, and "(n=k)"
    /// when only k replications had something to measure.
    ///
    /// ```
    /// use leadsim::sim::metric::Metric;
    /// use leadsim::stats::Interval;
    /// let s = Interval::of([0.020, 0.022, 0.024]);
    /// let parts = Metric::MqlToSql.def().cell_parts(&s, 3, false);
    /// assert_eq!(parts, ["2.20%", "±0.50 pp"]);
    /// ```
    pub fn cell_parts(&self, s: &Interval, reps: usize, diff: bool) -> Vec<String> {
        let mut parts = vec![if diff {
            self.diff(s.mean)
        } else {
            self.value(s.mean)
        }];
        parts.extend(self.half_width((s.ci_high - s.ci_low) / 2.0));
        if s.n < reps {
            parts.push(format!("(n={})", s.n));
        }
        parts
    }
}

/// Declares the scenario-wide metrics once: the enum (whose order is the row's column order)
/// and each one's definition come from the same list.
macro_rules! registry {
    ($($variant:ident => $name:literal, $label:literal, $unit:ident, $dir:ident, $desc:literal;)*) => {
        /// A scenario-wide metric; its position in [`Metric::ALL`] is its column in a
        /// replication's row.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Metric {
            $(
                #[doc = $desc]
                $variant,
            )*
        }

        impl Metric {
            /// Every scenario-wide metric, in column order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),*];

            /// Its name, as in `summary.csv`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Metric::$variant => $name,)*
                }
            }

            /// Its definition.
            pub fn def(self) -> MetricDef {
                match self {
                    $(Metric::$variant => MetricDef {
                        name: Cow::Borrowed($name),
                        label: Cow::Borrowed($label),
                        unit: Unit::$unit,
                        direction: Direction::$dir,
                        description: $desc,
                    },)*
                }
            }
        }
    };
}

registry! {
    Mqls => "mqls", "MQLs", Count, HigherIsBetter,
        "Counted MQLs: leads that arrived in the counted window.";
    HandedOver => "handed_over", "Handed over", Count, HigherIsBetter,
        "Counted MQLs whose score reached the handover threshold: the leads sales received.";
    Retained => "retained", "Leads retained by marketing", Count, HigherIsBetter,
        "Counted MQLs below the threshold, nurtured by marketing from arrival.";
    Attempted => "attempted", "Leads attempted", Count, HigherIsBetter,
        "Handed-over leads whose first attempt started.";
    Dials => "dials", "Dials", Count, HigherIsBetter,
        "Attempts started for counted leads (every call, first attempts and retries).";
    Reached => "reached", "Leads reached", Count, HigherIsBetter,
        "Handed-over leads that a rep reached on some attempt.";
    Sqls => "sqls", "SQLs", Count, HigherIsBetter,
        "Reached leads that sales qualified.";
    Rejected => "rejected", "Leads rejected by sales", Count, LowerIsBetter,
        "Reached leads that sales did not qualify, sent to nurture.";
    Unreached => "unreached", "Leads never reached", Count, LowerIsBetter,
        "Handed-over leads not reached in max_attempts attempts, sent to nurture.";
    Cold => "cold", "Leads gone cold", Count, LowerIsBetter,
        "Handed-over leads whose patience ran out before their first attempt.";
    Won => "won", "Deals won", Count, HigherIsBetter,
        "SQLs that became won deals.";
    MqlToSql => "mql_to_sql", "MQL-to-SQL conversion", Share, HigherIsBetter,
        "SQLs per counted MQL.";
    Acceptance => "acceptance", "Accepted by sales", Share, HigherIsBetter,
        "SQLs per handed-over lead: the MQL-to-SQL rate a CRM reports for the leads sales received.";
    ContactRate => "contact_rate", "Contact rate", Share, HigherIsBetter,
        "Dials that reached a person, per dial.";
    WaitedShare => "waited_share", "Share that waited", Share, LowerIsBetter,
        "Handed-over leads whose first attempt did not start on arrival (cold leads included).";
    ResponseMeanH => "response_mean_h", "Mean response time", Hours, LowerIsBetter,
        "Mean hours from arrival to the first attempt, over leads attempted.";
    ResponseP50H => "response_p50_h", "Median response time", Hours, LowerIsBetter,
        "Median hours from arrival to the first attempt, over leads attempted.";
    ResponseP90H => "response_p90_h", "90th-percentile response time", Hours, LowerIsBetter,
        "90th percentile of the hours from arrival to the first attempt, over leads attempted.";
    SlaMet => "sla_met", "First call within the SLA", Share, HigherIsBetter,
        "Handed-over leads whose first attempt started within sla_hours (cold leads as not met).";
    WonRevenue12m => "won_revenue_12m", "Won revenue, 12 months", Money, HigherIsBetter,
        "Deal value of won deals that close within 365 days of the lead's arrival.";
    RecoveredRevenue12m => "recovered_revenue_12m", "Recovered revenue, 12 months", Money, HigherIsBetter,
        "Deal value of nurtured leads that buy from us within 12 months of entering nurture (every exit).";
    RecoveredRevenue12mTurnedAway => "recovered_revenue_12m_turned_away",
        "Recovered from leads sales turned away, 12 months", Money, HigherIsBetter,
        "The part of recovered_revenue_12m from leads handed over that did not become SQLs (rejected, unreached, cold).";
    RecoveredRevenue12mRejected => "recovered_revenue_12m_rejected",
        "Recovered revenue from rejected leads, 12 months", Money, HigherIsBetter,
        "The part of recovered_revenue_12m from leads sales rejected.";
    RecoveredRevenue12mUnreached => "recovered_revenue_12m_unreached",
        "Recovered revenue from unreached leads, 12 months", Money, HigherIsBetter,
        "The part of recovered_revenue_12m from leads never reached.";
    RecoveredRevenue12mCold => "recovered_revenue_12m_cold",
        "Recovered revenue from leads gone cold, 12 months", Money, HigherIsBetter,
        "The part of recovered_revenue_12m from leads that went cold.";
    RecoveredRevenue12mRetained => "recovered_revenue_12m_retained",
        "Recovered from leads marketing kept, 12 months", Money, HigherIsBetter,
        "The part of recovered_revenue_12m from leads marketing retained (below the threshold).";
    RecoveredDeals12m => "recovered_deals_12m", "Recovered deals, 12 months", Count, HigherIsBetter,
        "Nurtured leads that buy from us within 12 months of entering nurture.";
    RepCost => "rep_cost", "Rep cost", Money, LowerIsBetter,
        "Reps times their working hours in the counted window times cost_per_hour, all pools.";
    NurtureCost => "nurture_cost", "Nurture cost", Money, LowerIsBetter,
        "cost_per_lead_month times the months each counted lead spends in nurture (at most 12).";
    NetRevenue => "net_revenue", "Net revenue", Money, HigherIsBetter,
        "won_revenue_12m + recovered_revenue_12m - rep_cost - nurture_cost.";
}

/// A metric every pool has, named `<prefix><pool>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolMetric {
    /// Busy rep-hours inside the counted window over the pool's paid shift hours.
    Utilisation,
    /// The most attempts waiting in the pool's queue at any moment of the counted window.
    PeakQueue,
    /// The pool's reps times their working hours in the counted window times cost_per_hour.
    RepCost,
}

impl PoolMetric {
    /// Every per-pool metric, in column order within a pool.
    pub const ALL: &'static [PoolMetric] = &[
        PoolMetric::Utilisation,
        PoolMetric::PeakQueue,
        PoolMetric::RepCost,
    ];

    /// The name's prefix: the pool's name follows it.
    pub const fn prefix(self) -> &'static str {
        match self {
            PoolMetric::Utilisation => "utilisation_",
            PoolMetric::PeakQueue => "peak_queue_",
            PoolMetric::RepCost => "rep_cost_",
        }
    }

    /// Its name for pool `pool`.
    pub fn name(self, pool: &str) -> String {
        format!("{}{pool}", self.prefix())
    }

    /// Its definition for pool `pool`.
    pub fn def(self, pool: &str) -> MetricDef {
        let (label, unit, direction, description) = match self {
            PoolMetric::Utilisation => (
                "Utilisation of",
                Unit::Share,
                Direction::HigherIsBetter,
                "Busy rep-hours of the pool inside the counted window over its paid shift hours.",
            ),
            PoolMetric::PeakQueue => (
                "Peak queue of",
                Unit::Count,
                Direction::LowerIsBetter,
                "The most attempts waiting in the pool's queue at any moment of the counted window.",
            ),
            PoolMetric::RepCost => (
                "Rep cost of",
                Unit::Money,
                Direction::LowerIsBetter,
                "The pool's reps times their working hours in the counted window times cost_per_hour.",
            ),
        };
        MetricDef {
            name: Cow::Owned(self.name(pool)),
            label: Cow::Owned(format!("{label} {pool}")),
            unit,
            direction,
            description,
        }
    }
}

/// The definition of the metric called `name`: a scenario-wide one by its name, a pool's by its
/// prefix (`utilisation_sdr` is [`PoolMetric::Utilisation`] of pool `sdr`); `None` for a name
/// that is neither.
pub fn def(name: &str) -> Option<MetricDef> {
    if let Some(m) = Metric::ALL.iter().find(|m| m.name() == name) {
        return Some(m.def());
    }
    PoolMetric::ALL.iter().find_map(|p| {
        name.strip_prefix(p.prefix())
            .filter(|pool| !pool.is_empty())
            .map(|pool| p.def(pool))
    })
}

/// The definition of `name` for writing it: [`def`], or for a name the registry does not know
/// (results assembled by hand) a count labelled by its name.
pub fn describe(name: &str) -> MetricDef {
    def(name).unwrap_or_else(|| MetricDef {
        name: Cow::Owned(name.to_string()),
        label: Cow::Owned(name.replace('_', " ")),
        unit: Unit::Count,
        direction: Direction::HigherIsBetter,
        description: "A metric the registry does not declare.",
    })
}

/// Every metric name of a scenario, in column order.
pub fn names(sc: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = Metric::ALL.iter().map(|m| m.name().to_string()).collect();
    for p in &sc.pools {
        out.extend(PoolMetric::ALL.iter().map(|m| m.name(&p.name)));
    }
    out
}

/// The objective of the ranking when none is given.
pub const DEFAULT_OBJECTIVE: Metric = Metric::NetRevenue;

/// The metric the cost frontier trades the objective against.
pub const COST: Metric = Metric::RepCost;

/// The columns of the printed table, before each pool's utilisation.
pub const PRINTED_TABLE: &[Metric] = &[
    Metric::Mqls,
    Metric::HandedOver,
    Metric::Sqls,
    Metric::Acceptance,
    Metric::MqlToSql,
    Metric::ResponseP50H,
    Metric::SlaMet,
    Metric::WonRevenue12m,
    Metric::RecoveredRevenue12mTurnedAway,
    Metric::RecoveredRevenue12mRetained,
    Metric::NetRevenue,
];

/// The columns of the HTML report's scenario table (the objective is added when missing).
pub const REPORT_TABLE: &[Metric] = &[
    Metric::HandedOver,
    Metric::Acceptance,
    Metric::MqlToSql,
    Metric::Sqls,
    Metric::ResponseP50H,
    Metric::SlaMet,
    Metric::WonRevenue12m,
    Metric::RecoveredRevenue12mTurnedAway,
    Metric::RecoveredRevenue12mRetained,
    Metric::RepCost,
    Metric::NetRevenue,
];

/// One replication's metric values in column order: indexed by [`Metric`] for the
/// scenario-wide ones, by pool and [`PoolMetric`] for the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricRow(Vec<f64>);

impl MetricRow {
    /// A row for a scenario with `pools` pools, every value NaN until set.
    pub fn new(pools: usize) -> Self {
        MetricRow(vec![
            f64::NAN;
            Metric::ALL.len() + PoolMetric::ALL.len() * pools
        ])
    }

    /// Sets metric `m` of pool `pool` (the pool's index in the scenario).
    pub fn set_pool(&mut self, pool: usize, m: PoolMetric, value: f64) {
        let k = PoolMetric::ALL
            .iter()
            .position(|p| *p == m)
            .expect("every pool metric is in ALL");
        self.0[Metric::ALL.len() + PoolMetric::ALL.len() * pool + k] = value;
    }

    /// The values, in the column order of [`names`].
    pub fn into_vec(self) -> Vec<f64> {
        self.0
    }
}

impl Index<Metric> for MetricRow {
    type Output = f64;
    fn index(&self, m: Metric) -> &f64 {
        &self.0[m as usize]
    }
}

impl IndexMut<Metric> for MetricRow {
    fn index_mut(&mut self, m: Metric) -> &mut f64 {
        &mut self.0[m as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enum_order_is_the_column_order() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i, "{m:?}");
            assert_eq!(def(m.name()).unwrap().name, m.name());
        }
        let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Metric::ALL.len(), "names are unique");
    }

    #[test]
    fn pool_metrics_resolve_by_prefix_and_scenario_metrics_win() {
        let d = def("rep_cost_sdr").unwrap();
        assert_eq!((d.label.as_ref(), d.unit), ("Rep cost of sdr", Unit::Money));
        // `rep_cost` itself is the scenario-wide metric, not a pool named "".
        assert_eq!(def("rep_cost").unwrap().label, "Rep cost");
        assert!(def("utilisation_").is_none());
        // A pool's name says nothing about its metrics' kind.
        let d = def("utilisation_night_h").unwrap();
        assert_eq!(
            (d.unit, d.direction),
            (Unit::Share, Direction::HigherIsBetter)
        );
    }

    #[test]
    fn directions() {
        let higher = |n: &str| def(n).unwrap().higher_is_better();
        assert!(higher("net_revenue"));
        assert!(higher("mql_to_sql"));
        assert!(!higher("rep_cost"));
        assert!(!higher("nurture_cost"));
        assert!(!higher("response_p50_h"));
        assert!(!higher("peak_queue_sdr"));
        assert!(!higher("cold") && !higher("unreached") && !higher("rejected"));
        assert!(!higher("waited_share"));
    }

    #[test]
    fn rows_put_pool_metrics_after_the_scenario_ones() {
        let mut row = MetricRow::new(2);
        row[Metric::NetRevenue] = 5.0;
        row.set_pool(1, PoolMetric::PeakQueue, 7.0);
        let v = row.into_vec();
        assert_eq!(v.len(), Metric::ALL.len() + 6);
        assert_eq!(v[Metric::ALL.len() - 1], 5.0);
        assert_eq!(v[Metric::ALL.len() + 3 + 1], 7.0);
        assert!(v[0].is_nan());
    }
}
