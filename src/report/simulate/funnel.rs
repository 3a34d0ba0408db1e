//! Section 2, "The funnel": the baseline's funnel beside the best alternative's, from MQL to won,
//! with the leads that leave on the way, the nurture they go to and the revenue that comes back.

use super::format::*;
use super::View;
use crate::format::{self, Unit};
use crate::report::charts::{Funnel, FunnelExit, FunnelPool, FunnelStage};
use crate::report::html::{Figure, Section};
use crate::sim::metric::Metric;

impl View<'_> {
    /// Scenario `i`'s mean of `m` (NaN when missing).
    fn mean_of(&self, i: usize, m: Metric) -> f64 {
        mean(self.r, i, m.name()).unwrap_or(f64::NAN)
    }

    /// The funnel of scenario `i`, titled `title`. Counts are means per replication; shares are
    /// ratios of those means.
    fn funnel(&self, i: usize, title: String) -> Funnel {
        let m = |x: Metric| self.mean_of(i, x);
        let count = |x: Metric| x.def().value(m(x));
        let share =
            |a: f64, b: f64| format::value(Unit::Share, if b > 0.0 { a / b } else { f64::NAN });
        let (mqls, handed, attempted, reached, sqls, won) = (
            m(Metric::Mqls),
            m(Metric::HandedOver),
            m(Metric::Attempted),
            m(Metric::Reached),
            m(Metric::Sqls),
            m(Metric::Won),
        );
        let stage = |label: &str, x: Metric, detail: String| FunnelStage {
            label: label.to_string(),
            value: m(x),
            detail,
        };
        let stages = vec![
            stage(
                "MQLs",
                Metric::Mqls,
                format!("{} leads", count(Metric::Mqls)),
            ),
            stage(
                "Handed over to sales",
                Metric::HandedOver,
                format!(
                    "{} · {} of MQLs",
                    count(Metric::HandedOver),
                    share(handed, mqls)
                ),
            ),
            stage(
                "Called (attempted)",
                Metric::Attempted,
                format!(
                    "{} · {} of handed over",
                    count(Metric::Attempted),
                    share(attempted, handed)
                ),
            ),
            stage(
                "Reached",
                Metric::Reached,
                format!(
                    "{} · {} of called",
                    count(Metric::Reached),
                    share(reached, attempted)
                ),
            ),
            stage(
                "SQLs (accepted by sales)",
                Metric::Sqls,
                format!(
                    "{} · {} of handed over",
                    count(Metric::Sqls),
                    share(sqls, handed)
                ),
            ),
            stage(
                "Won",
                Metric::Won,
                format!(
                    "{} · {} of SQLs · {} revenue",
                    count(Metric::Won),
                    share(won, sqls),
                    Metric::WonRevenue12m.def().value(m(Metric::WonRevenue12m))
                ),
            ),
        ];
        let exit = |after: usize, label: &str, x: Metric, of: f64, of_name: &str| FunnelExit {
            after,
            label: label.to_string(),
            detail: format!("{} · {} of {of_name}", count(x), share(m(x), of)),
        };
        let mut exits = vec![exit(0, "Kept by marketing", Metric::Retained, mqls, "MQLs")];
        // Leads go cold only with a patience; without one the box would always read 0.
        if self.r.scenarios[i].config.policy.patience_hours.is_some() || m(Metric::Cold) > 0.0 {
            exits.push(exit(
                1,
                "Gone cold (never called)",
                Metric::Cold,
                handed,
                "handed over",
            ));
        }
        exits.push(exit(
            2,
            "Never reached",
            Metric::Unreached,
            attempted,
            "called",
        ));
        exits.push(exit(
            3,
            "Rejected by sales",
            Metric::Rejected,
            reached,
            "reached",
        ));
        let nurtured =
            m(Metric::Retained) + m(Metric::Cold) + m(Metric::Unreached) + m(Metric::Rejected);
        let money = |x: Metric| x.def().value(m(x));
        Funnel {
            title,
            stages,
            exits,
            pool: Some(FunnelPool {
                label: "Nurture".into(),
                lines: vec![
                    format!("{} leads", Metric::Mqls.def().value(nurtured)),
                    format!("{} of MQLs", share(nurtured, mqls)),
                ],
                outcome: "Recovered (bought within 12 months)".into(),
                outcome_lines: vec![
                    format!(
                        "{} from leads sales turned away",
                        money(Metric::RecoveredRevenue12mTurnedAway)
                    ),
                    format!(
                        "{} from leads marketing kept",
                        money(Metric::RecoveredRevenue12mRetained)
                    ),
                    format!("{} deals in all", count(Metric::RecoveredDeals12m)),
                ],
            }),
        }
    }

    /// The baseline's funnel and, with more than one scenario, the best other scenario's by the
    /// objective.
    pub(super) fn funnels(&self) -> Section {
        let r = self.r;
        let best = self.order.iter().copied().find(|&i| i != 0);
        let objective = lower(&metric_title(&self.objective));
        let mut figures = vec![Figure::new(
            "chart-funnel-baseline",
            self.funnel(0, format!("{} (baseline)", r.scenarios[0].name))
                .to_svg("funnel-baseline"),
            format!(
                "The funnel of \"{}\": mean counts per replication, each with its share of the stage before; hatched boxes are the leads that leave, all of which go to nurture.",
                r.scenarios[0].name
            ),
        )];
        if let Some(b) = best {
            figures.push(Figure::new(
                "chart-funnel-best",
                self.funnel(b, format!("{} (best other by {objective})", r.scenarios[b].name))
                    .to_svg("funnel-best"),
                format!(
                    "The funnel of \"{}\", the best scenario other than the baseline by {objective}.",
                    r.scenarios[b].name
                ),
            ));
        }
        Section::new("funnel", "The funnel")
            .paragraph("Where the leads go, per replication on average: from MQL to won deal down the left, the leads that leave on the way to the right (kept by marketing below the threshold, never reached, rejected by sales, gone cold in the queue), into nurture, and what they buy within 12 months. \"Accepted by sales\" is the share of handed-over leads that became SQLs, the MQL-to-SQL rate a CRM reports.")
            .figures(figures)
    }
}
