//! Section 7, "Response times": the per-replication median and 90th percentile of the time to
//! the first attempt (the spread between replications; per-lead times are not kept).

use super::assumptions::trim_number;
use super::format::*;
use super::View;
use crate::report::charts::{Axis, BarChart, BarGroup};
use crate::report::html::{Figure, Section};
use crate::report::MISSING;
use crate::sim::metric::Metric;
use crate::stats::quantile_of_finite as quantile;

impl View<'_> {
    pub(super) fn response(&self) -> Section {
        let r = self.r;
        let (categories, x_label) = self.labels();
        let (size, wide) = self.bar_size();
        let mut groups = Vec::new();
        for (metric, name) in [
            (Metric::ResponseP50H.name(), "Median (p50)"),
            (Metric::ResponseP90H.name(), "90th percentile (p90)"),
        ] {
            let mut values = Vec::new();
            let mut ranges = Vec::new();
            for &i in &self.shown {
                let col = column(r, i, metric);
                values.push(summary(r, i, metric).map_or(f64::NAN, |s| s.value.mean));
                ranges.push((quantile(&col, 0.1), quantile(&col, 0.9)));
            }
            groups.push(BarGroup {
                name: name.to_string(),
                values,
                intervals: Some(ranges),
            });
        }
        let mut chart = BarChart::new(
            "Time to first call, per replication",
            x_label,
            categories,
            Axis::new("Hours from arrival to first attempt (h)"),
        );
        chart.groups = groups;
        chart.size = size;
        chart.value_labels = self.shown.len() <= 4;
        let mut figure = Figure::new(
            "chart-response",
            chart.to_svg(),
            format!(
                "Each replication yields one median and one 90th-percentile time to first attempt over its handed-over leads. Bars: their mean over the {} replications; whiskers: 10th to 90th percentile of the replication values. This is the spread between replications, not between leads (per-lead times are not kept in the results).",
                r.replications
            ),
        );
        if wide {
            figure = figure.wide();
        }
        let sla = self
            .shown
            .first()
            .map(|&i| r.scenarios[i].config.policy.sla_hours);
        Section::new("response", "Response times")
            .paragraph(format!(
                "How long handed-over leads wait for their first call, nights and weekends included. The baseline's target is {} h (sla_met in the scenario table is the share called within it).",
                sla.map_or(MISSING.to_string(), trim_number)
            ))
            .figures(vec![figure])
    }
}
