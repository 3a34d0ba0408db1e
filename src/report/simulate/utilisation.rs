//! Section 8, "Rep utilisation": per pool, with 95% intervals, and the peak queues.

use super::format::*;
use super::{View, NAMED_BARS};
use crate::report::charts::{Axis, BarChart, BarGroup, TickFormat};
use crate::report::html::{Align, Figure, Section, Table};
use crate::report::MISSING;
use crate::sim::metric::PoolMetric;
use crate::stats::Interval;

impl View<'_> {
    pub(super) fn utilisation(&self) -> Section {
        let r = self.r;
        let mut pools: Vec<String> = Vec::new();
        for &i in &self.shown {
            for p in &r.scenarios[i].config.pools {
                if !pools.contains(&p.name) {
                    pools.push(p.name.clone());
                }
            }
        }
        let (categories, x_label) = self.labels();
        let (size, wide) = self.bar_size();
        let mut chart = BarChart::new(
            "Rep utilisation by pool",
            x_label,
            categories,
            Axis::new("Busy share of paid shift time (%)").format(TickFormat::Percent),
        );
        for pool in &pools {
            let metric = PoolMetric::Utilisation.name(pool);
            let stats: Vec<Option<Interval>> = self
                .shown
                .iter()
                .map(|&i| summary(r, i, &metric).map(|s| s.value))
                .collect();
            chart = chart.group(BarGroup {
                name: if pools.len() > 1 {
                    format!("pool {pool}")
                } else {
                    String::new()
                },
                values: stats
                    .iter()
                    .map(|s| s.map_or(f64::NAN, |s| s.mean))
                    .collect(),
                intervals: Some(
                    stats
                        .iter()
                        .map(|s| s.map_or((f64::NAN, f64::NAN), |s| (s.ci_low, s.ci_high)))
                        .collect(),
                ),
            });
        }
        chart.size = size;
        chart.value_labels = self.shown.len() * pools.len().max(1) <= 6;
        let mut figure = Figure::new(
            "chart-utilisation",
            chart.to_svg(),
            format!(
                "Utilisation: rep-hours spent on attempts inside the counted window over paid shift hours, per pool (pool{} {}), mean of {} replications with 95% intervals. It can pass 100% slightly, as work runs past shift ends.",
                if pools.len() == 1 { "" } else { "s" },
                pools.join(", "),
                r.replications
            ),
        );
        if wide {
            figure = figure.wide();
        }
        let numbered = self.shown.len() > NAMED_BARS;
        let mut headers = vec!["#".to_string(), "scenario".to_string()];
        if !numbered {
            headers.remove(0);
        }
        for p in &pools {
            headers.push(format!("{p}: reps"));
            headers.push(format!("{p}: utilisation"));
            headers.push(format!("{p}: peak queue"));
        }
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let table =
            Table::new(&refs)
                .id("pools")
                .caption("Pools per scenario: mean ± half-width of its 95% interval")
                .align(usize::from(numbered), Align::Left)
                .rows(self.shown.iter().enumerate().map(|(k, &i)| {
                    let sc = &r.scenarios[i];
                    let mut row = vec![(k + 1).to_string(), sc.name.clone()];
                    if !numbered {
                        row.remove(0);
                    }
                    for p in &pools {
                        let count = sc
                            .config
                            .pools
                            .iter()
                            .find(|q| &q.name == p)
                            .map(|q| q.count);
                        row.push(count.map_or(MISSING.into(), |c| c.to_string()));
                        for m in [
                            PoolMetric::Utilisation.name(p),
                            PoolMetric::PeakQueue.name(p),
                        ] {
                            row.push(summary(r, i, &m).map_or(MISSING.into(), |s| {
                                level_cell(&m, &s.value, r.replications)
                            }));
                        }
                    }
                    row
                }));
        Section::new("utilisation", "Rep utilisation")
            .paragraph("How busy each pool's reps are. Low utilisation with long response times points at opening hours and queue order rather than headcount.")
            .figures(vec![figure])
            .table(table)
    }
}
