//! Section 3, "Conversion and revenue": bars of each shown scenario's level with 95% error bars.

use super::format::*;
use super::scale::AxisScale;
use super::View;
use crate::report::charts::{BarChart, BarGroup};
use crate::report::html::{Figure, Section};
use crate::sim::metric::Metric;

impl View<'_> {
    /// Bars of one metric's mean per shown scenario, with 95% error bars.
    fn level_bars(&self, metric: &str, title: &str) -> String {
        let r = self.r;
        let (categories, x_label) = self.labels();
        let (size, _) = self.bar_size();
        let scale = AxisScale::level(
            metric,
            self.shown.iter().filter_map(|&i| mean(r, i, metric)),
        );
        let mut values = Vec::new();
        let mut intervals = Vec::new();
        for &i in &self.shown {
            let s = summary(r, i, metric).map(|s| s.value);
            values.push(s.map_or(f64::NAN, |s| s.mean * scale.factor));
            intervals.push(s.map_or((f64::NAN, f64::NAN), |s| {
                (s.ci_low * scale.factor, s.ci_high * scale.factor)
            }));
        }
        let baseline = values[0];
        let top = values
            .iter()
            .chain(intervals.iter().map(|(_, hi)| hi))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |a, &v| a.max(v));
        let bottom = values
            .iter()
            .chain(intervals.iter().map(|(lo, _)| lo))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |a, &v| a.min(v));
        let mut axis = scale.axis(metric);
        if top > bottom {
            // Room above the tallest whisker for the value labels, and below zero for
            // intervals that reach under it (few replications).
            let pad = if bottom < 0.0 {
                0.04 * (top - bottom)
            } else {
                0.0
            };
            axis = axis.range(bottom - pad, top + 0.12 * (top - bottom));
        }
        let mut chart = BarChart::new(title, x_label, categories, axis).group(BarGroup {
            name: String::new(),
            values,
            intervals: Some(intervals),
        });
        chart.size = size;
        chart.value_labels = self.shown.len() <= 8;
        if self.shown.len() > 1 && baseline.is_finite() {
            chart.reference = Some((baseline, "Baseline level".into()));
        }
        chart.to_svg()
    }

    pub(super) fn bars(&self) -> Section {
        let (_, wide) = self.bar_size();
        let n = self.r.replications;
        let fig = |id: &str, svg: String, caption: String| {
            let f = Figure::new(id, svg, caption);
            if wide {
                f.wide()
            } else {
                f
            }
        };
        Section::new("conversion", "Conversion and revenue")
            .paragraph("Levels per scenario. Bars are means over the replications; the whiskers are 95% intervals of those means. The dashed line is the baseline's level.")
            .figures(vec![
                fig("chart-mql-to-sql", self.level_bars(Metric::MqlToSql.name(), "MQL-to-SQL conversion"), format!("MQL-to-SQL conversion: share of counted MQLs that became sales-qualified, mean of {n} replications with 95% intervals.")),
                fig("chart-recovered", self.level_bars(Metric::RecoveredRevenue12mTurnedAway.name(), "Recovered from leads sales turned away, 12 months"), format!("Recovered from leads sales turned away: deal value of handed-over leads that did not become SQLs (rejected, never reached, gone cold) and bought from us within 12 months of entering nurture, mean of {n} replications with 95% intervals. Leads marketing kept are in the scenario table.")),
            ])
    }
}
