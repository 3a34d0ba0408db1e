//! Section 4, "Differences against the baseline": forest plots of the paired differences of the
//! objective and of a second metric, and the table of paired differences.

use super::format::*;
use super::scale::AxisScale;
use super::View;
use crate::report::charts::{ForestPlot, ForestRow};
use crate::report::html::{Figure, Section, Table};
use crate::sim::metric::Metric;

impl View<'_> {
    /// A forest plot of the paired differences of `metric` against the baseline.
    fn forest(&self, metric: &str) -> String {
        let r = self.r;
        let rows_of = |factor: f64| -> Vec<ForestRow> {
            self.shown
                .iter()
                .filter(|&&i| i != 0)
                .map(|&i| {
                    let d = summary(r, i, metric).and_then(|s| s.diff);
                    ForestRow {
                        label: r.scenarios[i].name.clone(),
                        estimate: d.map_or(f64::NAN, |d| d.mean * factor),
                        interval: d
                            .filter(|d| d.ci_low.is_finite() && d.ci_high.is_finite())
                            .map(|d| (d.ci_low * factor, d.ci_high * factor)),
                    }
                })
                .collect()
        };
        let ends = self.shown.iter().filter(|&&i| i != 0).flat_map(|&i| {
            summary(r, i, metric)
                .and_then(|s| s.diff)
                .map_or(vec![], |d| vec![d.mean, d.ci_low, d.ci_high])
        });
        let scale = AxisScale::difference(metric, ends);
        let rows = rows_of(scale.factor);
        ForestPlot::new(
            format!("{}: difference against the baseline", metric_title(metric)),
            scale.diff_axis(metric),
            rows,
        )
        .to_svg()
    }

    fn difference_metrics(&self) -> Vec<String> {
        let mut metrics = vec![self.objective.clone()];
        for m in [
            Metric::MqlToSql.name(),
            Metric::RecoveredRevenue12mTurnedAway.name(),
        ] {
            if metrics.len() < 2 && !metrics.iter().any(|x| x == m) {
                metrics.push(m.to_string());
            }
        }
        metrics
    }

    pub(super) fn differences(&self, table: Table) -> Section {
        let base = &self.r.scenarios[0].name;
        let figures = self
            .difference_metrics()
            .iter()
            .enumerate()
            .map(|(k, m)| {
                let id = if k == 0 { "chart-diff-objective".to_string() } else { format!("chart-diff-{}", m.replace('_', "-")) };
                Figure::new(
                    id,
                    self.forest(m),
                    format!(
                        "{}: paired difference of each scenario against \"{base}\" (square) with its 95% interval (whiskers); the dashed line is no difference.",
                        metric_title(m)
                    ),
                )
                .wide()
            })
            .collect();
        Section::new("differences", "Differences against the baseline")
            .paragraph("What matters for a decision: each scenario minus the baseline, replication by replication, then averaged. Every scenario meets the same simulated leads, so a difference is measured far more precisely than either level. An interval that does not cross the dashed zero line is a difference these replications can tell apart from chance.")
            .figures(figures)
            .table(table)
    }
}
