//! The simulation report: what `leadsim simulate --out DIR` found, as one self-contained HTML
//! page (`DIR/report.html`) for the people who decide on the handover policy.
//!
//! Sections, in page order:
//!
//! 1. **Scenarios**: a one-line verdict on the best scenario, and key metrics with 95%
//!    intervals. With more than [`MAX_SHOWN`] scenarios (a sweep), the baseline and the best
//!    others by the objective, numbered (bar charts then label scenarios by number);
//!    `summary.csv` has them all.
//! 2. **Conversion and revenue**: bars with 95% error bars for MQL-to-SQL conversion and
//!    recovered revenue.
//! 3. **Differences against the baseline**: forest plots of the paired differences of the
//!    objective and of MQL-to-SQL conversion (recovered revenue when that is the objective),
//!    and the table of paired differences (only with two scenarios or more).
//! 4. **Sweep**: a heat map of the objective's mean over two swept fields (the handover
//!    threshold across, a rep count down when both are swept). With more than two swept fields,
//!    each cell shows the best mean over the other fields' values (one map, whatever the
//!    number of fields; the caption names them). Only for a sweep with two fields or more.
//! 5. **Cost frontier**: rep cost against the objective for every scenario, the frontier
//!    connected (only with two scenarios or more).
//! 6. **Response times**: the per-replication median and 90th percentile of the time to the
//!    first attempt. Per-lead times are not kept, so this is the spread between replications.
//! 7. **Rep utilisation**: per pool, with 95% intervals, and the peak queues.
//! 8. **Assumptions**: every knob of the baseline's resolved configuration, its default, and
//!    for defaults the grade and source from `MODEL.md` section 3 (summarised in [`SOURCES`]).
//!
//! The objective is the ranking's objective when the results carry a ranking, otherwise
//! `net_revenue`; the ranking's order and frontier are used when present, and computed from
//! the summaries otherwise. The page holds no timestamp, so the same results always give
//! the same bytes (shards merged or not).

use crate::format::Unit;
use crate::report::charts::{
    Axis, BarChart, BarGroup, Corner, ForestPlot, ForestRow, HeatMap, LineChart, Marker, Scale,
    Series, SeriesStyle, TickFormat, REFERENCE,
};
use crate::report::html::{Align, Figure, Page, Section, Table};
use crate::report::MISSING;
use crate::sim::metric;
use crate::sim::run::Results;
use crate::stats::{quantile_of_finite as quantile, Interval};

mod assumptions;
mod format;

use assumptions::*;
pub use assumptions::{preset_source, DefaultSource, SOURCES};
use format::*;
pub use format::{diff_cell, format_diff, format_value, level_cell, metric_title};

/// At most this many scenarios appear in tables and charts (the baseline and the best others
/// by the objective); the rest are in `summary.csv`.
pub const MAX_SHOWN: usize = 16;

/// Above this many scenarios, bar charts label scenarios by their number in the table.
const NAMED_BARS: usize = 5;

/// The simulation report for `results`, as a complete HTML document: inline SVG charts, no
/// scripts, no external resources.
pub fn simulation_report(results: &Results) -> String {
    let view = View::new(results);
    let r = results;
    let title = if r.name.is_empty() {
        "Handover simulation".to_string()
    } else {
        format!("Handover simulation: {}", r.name)
    };
    let mut page = Page::new(title)
        .subtitle(format!(
            "Scenario file \"{}\" · seed {} · {} replications · {} scenario{} · leadsim {}",
            if r.name.is_empty() { MISSING } else { &r.name },
            r.seed,
            r.replications,
            r.scenarios.len(),
            if r.scenarios.len() == 1 { "" } else { "s" },
            r.version
        ))
        .footer(format!(
            "Written by leadsim {} with summary.csv, summary.json and replications.csv. Self-contained: no scripts, no network access. Same file, seed and replications: the same numbers.",
            r.version
        ));
    let (scenarios, diffs) = view.scenarios();
    page.push(scenarios);
    page.push(view.bars());
    if r.scenarios.len() > 1 {
        page.push(view.differences(diffs));
    }
    if let Some(s) = view.sweep() {
        page.push(s);
    }
    if r.scenarios.len() > 1 {
        page.push(view.frontier());
    }
    page.push(view.response());
    page.push(view.utilisation());
    page.push(view.assumptions());
    page.render()
}

/// The scenarios to show and the objective, worked out once.
struct View<'a> {
    r: &'a Results,
    objective: String,
    /// Whether more of the objective is better (the ranking says; true without one).
    higher: bool,
    /// Scenario indices in the order shown: the baseline, then the rest (best first when cut).
    shown: Vec<usize>,
    /// Every scenario index, best first by the objective's mean.
    order: Vec<usize>,
}

impl<'a> View<'a> {
    fn new(r: &'a Results) -> Self {
        let objective = r
            .ranking
            .as_ref()
            .map_or(metric::DEFAULT_OBJECTIVE.name().to_string(), |k| {
                k.objective.clone()
            });
        let higher = r.ranking.as_ref().map_or(true, |k| k.higher_is_better);
        let mut order: Vec<usize> = (0..r.scenarios.len()).collect();
        let ranked: Option<Vec<usize>> = r.ranking.as_ref().map(|k| {
            k.ranked
                .iter()
                .map(|p| p.scenario)
                .filter(|&i| i < r.scenarios.len())
                .collect()
        });
        match ranked {
            Some(ranked) if ranked.len() == r.scenarios.len() => order = ranked,
            _ => {
                let sign = if higher { 1.0 } else { -1.0 };
                let key = |i: usize| mean(r, i, &objective).map_or(f64::NEG_INFINITY, |m| sign * m);
                order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
            }
        }
        let shown = if r.scenarios.len() <= MAX_SHOWN {
            (0..r.scenarios.len()).collect()
        } else {
            std::iter::once(0)
                .chain(
                    order
                        .iter()
                        .copied()
                        .filter(|&i| i != 0)
                        .take(MAX_SHOWN - 1),
                )
                .collect()
        };
        View {
            r,
            objective,
            higher,
            shown,
            order,
        }
    }

    fn truncated(&self) -> bool {
        self.shown.len() < self.r.scenarios.len()
    }

    /// Category labels for bar charts: names when few, numbers from the table when many.
    fn labels(&self) -> (Vec<String>, String) {
        if self.shown.len() > NAMED_BARS {
            (
                (1..=self.shown.len()).map(|k| k.to_string()).collect(),
                "Scenario (number in the scenario table)".to_string(),
            )
        } else {
            (
                self.shown
                    .iter()
                    .map(|&i| self.r.scenarios[i].name.clone())
                    .collect(),
                "Scenario".to_string(),
            )
        }
    }

    fn bar_size(&self) -> ((u32, u32), bool) {
        if self.shown.len() > 4 {
            ((1040, 440), true)
        } else {
            ((520, 440), false)
        }
    }

    /// The scenarios section, and the table of paired differences for the differences section.
    fn scenarios(&self) -> (Section, Table) {
        let r = self.r;
        let mut metrics: Vec<&str> = metric::REPORT_TABLE.iter().map(|m| m.name()).collect();
        if !metrics.contains(&self.objective.as_str()) {
            metrics.push(&self.objective);
        }
        let numbered = self.shown.len() > NAMED_BARS;
        let first = usize::from(numbered);
        let mut headers = vec!["#".to_string(), "scenario".to_string()];
        if !numbered {
            headers.remove(0);
        }
        headers.extend(metrics.iter().map(|m| column_title(m)));
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut levels = Table::new(&header_refs)
            .id("scenarios")
            .caption("Mean over replications ± half-width of its 95% interval")
            .align(first, Align::Left);
        let mut diffs = Table::new(&header_refs)
            .id("differences")
            .caption(format!(
                "Paired difference against the baseline \"{}\" ± half-width of its 95% interval; * marks an interval that excludes zero",
                r.scenarios[0].name
            ))
            .align(first, Align::Left);
        for (k, &i) in self.shown.iter().enumerate() {
            let sc = &r.scenarios[i];
            let mut row = vec![(k + 1).to_string(), sc.name.clone()];
            if !numbered {
                row.remove(0);
            }
            let mut drow = row.clone();
            for m in &metrics {
                let s = summary(r, i, m);
                row.push(s.map_or(MISSING.to_string(), |s| {
                    level_cell(m, &s.value, r.replications)
                }));
                drow.push(
                    s.and_then(|s| s.diff.as_ref())
                        .map_or(MISSING.to_string(), |d| diff_cell(m, d, r.replications)),
                );
            }
            levels = levels.row(row);
            if i != 0 {
                diffs = diffs.row(drow);
            }
        }
        let mut s = Section::new("scenarios", "Scenarios").paragraph(format!(
            "Each scenario was run {} times on the same simulated leads with the same luck (common random numbers). A cell is the mean over those replications ± the half-width of its 95% interval (Student t): the true mean, under these assumptions, very likely lies within that distance. The first scenario, \"{}\", is the baseline. The objective is {}.",
            r.replications,
            r.scenarios[0].name,
            lower(&metric_title(&self.objective))
        ));
        if let Some(best) = self.headline() {
            s = s.note(best);
        }
        if self.truncated() {
            s = s.note(format!(
                "{} scenarios were run; the baseline and the {} best by {} are shown, numbered in rank order. summary.csv has them all.",
                r.scenarios.len(),
                self.shown.len() - 1,
                lower(&metric_title(&self.objective))
            ));
        }
        if let Some(p) = &r.precision {
            let unmet = if p.unmet.is_empty() {
                "every scenario met it".to_string()
            } else {
                format!("not met at the cap by: {}", p.unmet.join("; "))
            };
            s = s.note(format!(
                "Replications were added until the 95% half-width of {} was at most {} (cap {} replications); {unmet}.",
                p.metric,
                format_diff(&p.metric, p.half_width).trim_start_matches('+'),
                p.max_replications
            ));
        }
        (s.table(levels), diffs)
    }

    /// One sentence on the best scenario against the baseline.
    fn headline(&self) -> Option<String> {
        let r = self.r;
        let best = *self.order.iter().find(|&&i| i != 0)?;
        let d = summary(r, best, &self.objective)?.diff.as_ref()?;
        let (better, worse) = if self.higher {
            (d.ci_low > 0.0, d.ci_high < 0.0)
        } else {
            (d.ci_high < 0.0, d.ci_low > 0.0)
        };
        let verdict = if better {
            "clearly better than"
        } else if worse {
            "clearly worse than"
        } else {
            "not distinguishable from"
        };
        Some(format!(
            "Best other scenario by {}: \"{}\", {} ({} to {}) against the baseline: {} the baseline at 95%.",
            lower(&metric_title(&self.objective)),
            r.scenarios[best].name,
            format_diff(&self.objective, d.mean),
            format_diff(&self.objective, d.ci_low),
            format_diff(&self.objective, d.ci_high),
            verdict
        ))
    }

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

    fn bars(&self) -> Section {
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
                fig("chart-mql-to-sql", self.level_bars("mql_to_sql", "MQL-to-SQL conversion"), format!("MQL-to-SQL conversion: share of counted MQLs that became sales-qualified, mean of {n} replications with 95% intervals.")),
                fig("chart-recovered", self.level_bars("recovered_revenue_12m", "Recovered revenue within 12 months"), format!("Recovered revenue: deal value of nurtured leads that bought from us within 12 months of entering nurture, mean of {n} replications with 95% intervals.")),
            ])
    }

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
        for m in ["mql_to_sql", "recovered_revenue_12m"] {
            if metrics.len() < 2 && !metrics.iter().any(|x| x == m) {
                metrics.push(m.to_string());
            }
        }
        metrics
    }

    fn differences(&self, table: Table) -> Section {
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

    fn sweep(&self) -> Option<Section> {
        let r = self.r;
        let grid = r.sweep.as_ref()?;
        if grid.axes.len() < 2 {
            return None;
        }
        let col = grid
            .axes
            .iter()
            .position(|a| a.path.ends_with("threshold"))
            .unwrap_or(0);
        let row = grid
            .axes
            .iter()
            .enumerate()
            .position(|(k, a)| k != col && a.path.ends_with(".count"))
            .unwrap_or(if col == 0 { 1 } else { 0 });
        let others: Vec<&str> = grid
            .axes
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != col && k != row)
            .map(|(_, a)| a.path.as_str())
            .collect();
        let (nc, nr) = (grid.axes[col].labels.len(), grid.axes[row].labels.len());
        let mut best: Vec<Vec<Option<f64>>> = vec![vec![None; nc]; nr];
        for p in &grid.points {
            let (Some(&c), Some(&rr)) = (p.coords.get(col), p.coords.get(row)) else {
                continue;
            };
            if c >= nc || rr >= nr {
                continue;
            }
            if let Some(v) = mean(r, p.scenario, &self.objective) {
                let cell = &mut best[rr][c];
                let higher = self.higher;
                *cell = Some(cell.map_or(v, |b: f64| if higher { b.max(v) } else { b.min(v) }));
            }
        }
        let scale = AxisScale::level(&self.objective, best.iter().flatten().flatten().copied());
        // Enough decimals to tell neighbouring cells apart (about 50 steps across the range).
        let (lo, hi) = best
            .iter()
            .flatten()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v * scale.factor), b.max(v * scale.factor))
            });
        let format = match scale.format {
            TickFormat::Auto if hi > lo => {
                TickFormat::Fixed((-((hi - lo) / 50.0).log10()).ceil().clamp(0.0, 4.0) as usize)
            }
            other => other,
        };
        let values = best
            .iter()
            .map(|row| row.iter().map(|v| v.map(|v| v * scale.factor)).collect())
            .collect();
        let heat = HeatMap {
            title: format!("{}{}", metric_title(&self.objective), scale.suffix()),
            x_label: axis_title(&grid.axes[col].path),
            y_label: axis_title(&grid.axes[row].path),
            columns: grid.axes[col].labels.clone(),
            rows: grid.axes[row].labels.clone(),
            values,
            scale: Scale::Sequential,
            format,
            size: (1040, (150 + 44 * nr as u32).clamp(300, 900)),
        };
        let over = if others.is_empty() {
            String::new()
        } else {
            format!(
                " With more than two swept fields, each cell is the best mean over {}.",
                others.join(", ")
            )
        };
        Some(
            Section::new("sweep", "Sweep")
                .paragraph(format!(
                    "The mean of the objective ({}) for every combination of {} (across) and {} (down); darker is higher, and every cell carries its value.{over}",
                    lower(&metric_title(&self.objective)),
                    grid.axes[col].path,
                    grid.axes[row].path
                ))
                .figures(vec![Figure::new(
                    "chart-sweep-heat",
                    heat.to_svg(),
                    format!(
                        "Heat map of the mean {} over {} x {}, {} replications per cell.{over}",
                        lower(&metric_title(&self.objective)),
                        grid.axes[col].path,
                        grid.axes[row].path,
                        r.replications
                    ),
                )
                .wide()]),
        )
    }

    /// Indices of the frontier: the ranking's, or those no other scenario beats on both a
    /// higher objective and a lower rep cost, by increasing cost.
    fn frontier_points(&self) -> Vec<usize> {
        let r = self.r;
        if let Some(k) = &r.ranking {
            return k
                .frontier
                .iter()
                .copied()
                .filter(|&i| i < r.scenarios.len())
                .collect();
        }
        let point = |i: usize| Some((mean(r, i, "rep_cost")?, mean(r, i, &self.objective)?));
        let mut front: Vec<(f64, usize)> = (0..r.scenarios.len())
            .filter_map(|i| {
                let (c, v) = point(i)?;
                let dominated = (0..r.scenarios.len()).any(|j| {
                    point(j).is_some_and(|(cj, vj)| cj <= c && vj >= v && (cj < c || vj > v))
                });
                (!dominated).then_some((c, i))
            })
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        front.into_iter().map(|(_, i)| i).collect()
    }

    fn frontier(&self) -> Section {
        let r = self.r;
        let front = self.frontier_points();
        let n = r.scenarios.len();
        let costs = (0..n).filter_map(|i| mean(r, i, "rep_cost"));
        let xs = AxisScale::level("rep_cost", costs);
        let ys = AxisScale::level(
            &self.objective,
            (0..n).filter_map(|i| mean(r, i, &self.objective)),
        );
        let point = |i: usize| {
            Some((
                mean(r, i, "rep_cost")? * xs.factor,
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
            xs.axis("rep_cost"),
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
                    mean(r, i, "rep_cost").map_or(MISSING.into(), |v| format_value("rep_cost", v)),
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

    fn response(&self) -> Section {
        let r = self.r;
        let (categories, x_label) = self.labels();
        let (size, wide) = self.bar_size();
        let mut groups = Vec::new();
        for (metric, name) in [
            ("response_p50_h", "Median (p50)"),
            ("response_p90_h", "90th percentile (p90)"),
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

    fn utilisation(&self) -> Section {
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
            let metric = format!("utilisation_{pool}");
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
                        for m in [format!("utilisation_{p}"), format!("peak_queue_{p}")] {
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

    fn assumptions(&self) -> Section {
        let r = self.r;
        let base = flatten_config(&r.scenarios[0].config);
        let defaults = default_config();
        let mut table = Table::new(&[
            "knob",
            "value used",
            "default",
            "status",
            "grade",
            "source of the default",
        ])
        .id("assumptions")
        .caption(format!(
            "Baseline \"{}\", fully resolved",
            r.scenarios[0].name
        ))
        .align(1, Align::Left)
        .align(2, Align::Left)
        .align(3, Align::Left)
        .align(4, Align::Left)
        .align(5, Align::Left);
        for (knob, value) in &base {
            let generic = generic_knob(knob);
            let resolved = defaults
                .as_ref()
                .and_then(|d| d.iter().find(|(k, _)| generic_knob(k) == generic))
                .map(|(_, v)| v);
            let source = knob_source(&generic, value, resolved);
            // Required knobs resolve to the minimal file's placeholders: not defaults.
            let default = resolved.filter(|_| source.is_some());
            let status = match default {
                Some(d) if d == value => "default",
                Some(_) if source.is_some() => "changed",
                _ => "set in the file",
            };
            let (grade, text) =
                source.unwrap_or((MISSING, "Set in the scenario file; no default."));
            table = table.row(vec![
                knob.clone(),
                format_leaf(value),
                default.map_or(MISSING.to_string(), format_leaf),
                status.to_string(),
                grade.to_string(),
                text.to_string(),
            ]);
        }
        let mut changes = Table::new(&["scenario", "differs from the baseline in"])
            .id("scenario-changes")
            .caption("What each scenario changes")
            .align(1, Align::Left);
        for &i in self.shown.iter().filter(|&&i| i != 0) {
            let this = flatten_config(&r.scenarios[i].config);
            let diffs: Vec<String> = this
                .iter()
                .filter(|(k, v)| base.iter().find(|(b, _)| b == k).map(|(_, bv)| bv) != Some(v))
                .map(|(k, v)| format!("{k} = {}", format_leaf(v)))
                .collect();
            let text = if diffs.is_empty() {
                "nothing (a copy of the baseline)".to_string()
            } else {
                diffs.join("; ")
            };
            changes = changes.row(vec![r.scenarios[i].name.clone(), text]);
        }
        let mut s = Section::new("assumptions", "Assumptions")
            .paragraph("Every result above follows from these settings; change them in the scenario file and run again to see how much a conclusion depends on one. Grades: S a primary study or vendor documentation, S- primary but run by a vendor, F folklore (a repeated claim of unclear origin), A our own assumption. Read the grade before trusting a result that hinges on a default. Where a value was changed, the grade describes the default, not the value used.")
            .table(table);
        if r.scenarios.len() > 1 {
            s = s.table(changes);
        }
        s
    }
}

/// How a metric's values are scaled onto a chart axis.
struct AxisScale {
    factor: f64,
    /// Unit words for the axis title, e.g. "thousands".
    unit: &'static str,
    format: TickFormat,
}

impl AxisScale {
    /// For levels of `metric` spanning `values`.
    fn level(metric: &str, values: impl Iterator<Item = f64>) -> Self {
        let top = values
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |a, v| a.max(v.abs()));
        match unit(metric) {
            Unit::Share => AxisScale {
                factor: 1.0,
                unit: "%",
                format: TickFormat::Percent,
            },
            Unit::Hours => AxisScale {
                factor: 1.0,
                unit: "hours",
                format: TickFormat::Auto,
            },
            Unit::Count => AxisScale {
                factor: 1.0,
                unit: "count",
                format: TickFormat::Auto,
            },
            Unit::Money if top >= 1e6 => AxisScale {
                factor: 1e-6,
                unit: "millions",
                format: TickFormat::Auto,
            },
            Unit::Money if top >= 1e3 => AxisScale {
                factor: 1e-3,
                unit: "thousands",
                format: TickFormat::Auto,
            },
            Unit::Money => AxisScale {
                factor: 1.0,
                unit: "currency units",
                format: TickFormat::Auto,
            },
        }
    }

    /// For paired differences of `metric` spanning `values`; shares in percentage points.
    fn difference(metric: &str, values: impl Iterator<Item = f64>) -> Self {
        match unit(metric) {
            Unit::Share => AxisScale {
                factor: 100.0,
                unit: "percentage points",
                format: TickFormat::Auto,
            },
            _ => Self::level(metric, values),
        }
    }

    fn suffix(&self) -> String {
        format!(" ({})", self.unit)
    }

    fn axis(&self, metric: &str) -> Axis {
        Axis::new(format!("{}{}", metric_title(metric), self.suffix())).format(self.format)
    }

    fn diff_axis(&self, metric: &str) -> Axis {
        Axis::new(format!(
            "Difference in {}{}",
            lower(&metric_title(metric)),
            self.suffix()
        ))
        .format(self.format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn defaults_resolve_and_every_source_names_a_knob() {
        let defaults = default_config().expect("the minimal file parses");
        let knobs: Vec<String> = defaults.iter().map(|(k, _)| generic_knob(k)).collect();
        for s in SOURCES {
            assert!(
                knobs.iter().any(|k| k == s.knob),
                "{} is no knob of {knobs:?}",
                s.knob
            );
        }
        let speed = defaults
            .iter()
            .find(|(k, _)| k == "policy.speed_to_lead")
            .unwrap();
        assert_eq!(speed_preset(&speed.1), Some("default"));
        let decision = defaults
            .iter()
            .find(|(k, _)| k == "outcomes.decision")
            .unwrap();
        assert_eq!(decision_preset(&decision.1), Some("rule-of-45"));
        assert_eq!(generic_knob("pools.sdr.count"), "pools.*.count");
    }

    #[test]
    fn leaves_read_well() {
        let dist = serde_json::json!({"dist": "lognormal", "mean": 8.0, "cv": 0.5});
        assert_eq!(format_leaf(&dist), "lognormal: cv 0.5, mean 8");
        let hours = serde_json::json!({"days": ["mon", "tue"], "start": 9.0, "end": 17.5});
        assert_eq!(format_leaf(&hours), "mon, tue from 9 to 17.5 h");
        assert_eq!(
            format_leaf(&serde_json::json!(vec![1.0; 24])),
            "all 1 (24 values)"
        );
        assert_eq!(format_leaf(&Value::Null), "none");
    }
}
