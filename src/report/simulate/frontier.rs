//! Section 6, "Cost frontier": rep cost against the objective for every scenario, the
//! ranking's frontier joined and named in a table.

use super::format::*;
use super::scale::AxisScale;
use super::View;
use crate::report::charts::{Corner, LineChart, Marker, Series, SeriesStyle, REFERENCE};
use crate::report::html::{Figure, Section, Table};
use crate::report::MISSING;
use crate::sim::metric;

impl View<'_> {
    /// Indices of the ranking's frontier, by increasing cost (none without a ranking, which
    /// only a single scenario lacks).
    fn frontier_points(&self) -> Vec<usize> {
        let r = self.r;
        r.ranking.as_ref().map_or_else(Vec::new, |k| {
            k.frontier
                .iter()
                .copied()
                .filter(|&i| i < r.scenarios.len())
                .collect()
        })
    }

    pub(super) fn frontier(&self) -> Section {
        let r = self.r;
        let front = self.frontier_points();
        let n = r.scenarios.len();
        let costs = (0..n).filter_map(|i| mean(r, i, metric::COST.name()));
        let xs = AxisScale::level(metric::COST.name(), costs);
        let ys = AxisScale::level(
            &self.objective,
            (0..n).filter_map(|i| mean(r, i, &self.objective)),
        );
        let point = |i: usize| {
            Some((
                mean(r, i, metric::COST.name())? * xs.factor,
                mean(r, i, &self.objective)? * ys.factor,
            ))
        };
        // Headroom above the highest point keeps the legend clear of the data.
        let (lo, hi) = (0..n)
            .filter_map(point)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.1), b.max(p.1))
            });
        let mut y_axis = ys.axis(&self.objective);
        if hi > lo {
            y_axis = y_axis.range(lo - 0.05 * (hi - lo), hi + 0.45 * (hi - lo));
        }
        let mut chart = LineChart::new(
            format!(
                "Cost frontier: {} against rep cost",
                lower(&metric_title(&self.objective))
            ),
            xs.axis(metric::COST.name()),
            y_axis,
        )
        .legend(Corner::TopLeft);
        chart.size = (1040, 480);
        let scatter = |marker: Marker| SeriesStyle {
            colour: REFERENCE,
            dash: crate::report::charts::Dash::Solid,
            marker: Some(marker),
            width: 0,
        };
        let mut named = false;
        for i in (1..n).filter(|i| !front.contains(i)) {
            if let Some(p) = point(i) {
                let name = if named { "" } else { "Other scenarios" };
                named = true;
                chart =
                    chart.series(Series::new(name, vec![p]).style(scatter(Marker::HollowCircle)));
            }
        }
        let line: Vec<(f64, f64)> = front.iter().filter_map(|&i| point(i)).collect();
        chart = chart.series(
            Series::new("Frontier: best for its cost", line).style(SeriesStyle {
                marker: Some(Marker::Circle),
                ..SeriesStyle::nth(0)
            }),
        );
        if let Some(p) = point(0) {
            chart = chart.series(Series::new("Baseline", vec![p]).style(SeriesStyle {
                marker: Some(Marker::Diamond),
                width: 0,
                ..SeriesStyle::nth(1)
            }));
        }
        let table = Table::new(&["scenario", "rep cost", &column_title(&self.objective)])
            .id("frontier")
            .caption("Frontier scenarios, by increasing rep cost")
            .rows(front.iter().map(|&i| {
                vec![
                    r.scenarios[i].name.clone(),
                    mean(r, i, metric::COST.name())
                        .map_or(MISSING.into(), |v| format_value(metric::COST.name(), v)),
                    mean(r, i, &self.objective)
                        .map_or(MISSING.into(), |v| format_value(&self.objective, v)),
                ]
            }));
        Section::new("frontier", "Cost frontier")
            .paragraph(format!(
                "Every scenario by its rep cost (reps x working hours x cost per hour over the counted window) and its mean {}. Scenarios on the frontier are not beaten by any other on both: none is cheaper and at least as good. Only these are worth considering on these two measures.",
                lower(&metric_title(&self.objective))
            ))
            .figures(vec![Figure::new(
                "chart-frontier",
                chart.to_svg(),
                format!(
                    "Rep cost against mean {}: filled circles joined by the solid line are the frontier (named in the table below), hollow circles the other scenarios, the diamond the baseline.",
                    lower(&metric_title(&self.objective))
                ),
            )
            .wide()])
            .table(table)
    }
}
