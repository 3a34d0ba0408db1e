//! Names and number formats of metrics, for tables and chart axes, and small accessors into
//! the results.

use crate::format::Unit;
use crate::sim::metric;
use crate::sim::run::{MetricSummary, Results};
use crate::stats::Interval;

/// A metric's unit, from the registry (a count for a name it does not know).
pub(super) fn unit(name: &str) -> Unit {
    metric::def(name).map_or(Unit::Count, |d| d.unit)
}

/// A metric's name for people, from the registry (the name itself, spaced, for a name it does
/// not know).
pub fn metric_title(name: &str) -> String {
    metric::def(name).map_or_else(|| name.replace('_', " "), |d| d.label.into_owned())
}

/// `title` inside a sentence: the first letter in lower case, unless it starts an acronym.
pub(super) fn lower(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(title.chars().skip(1)).collect()
        }
        _ => title.to_string(),
    }
}

/// A column header: the metric's name with its unit.
pub(super) fn column_title(metric: &str) -> String {
    match unit(metric) {
        Unit::Hours => format!("{} (h)", metric_title(metric)),
        _ => metric_title(metric),
    }
}

/// A swept field's axis title.
pub(super) fn axis_title(path: &str) -> String {
    if path.ends_with("threshold") {
        return "Handover threshold (score)".into();
    }
    if let Some(pool) = path
        .strip_prefix("pools.")
        .and_then(|p| p.strip_suffix(".count"))
    {
        return format!("Reps in pool {pool} (count)");
    }
    path.to_string()
}

/// A metric's value as every output writes it ([`crate::format::value`] in the registry's
/// unit).
///
/// ```
/// use leadsim::report::simulate::format_value;
/// assert_eq!(format_value("mql_to_sql", 0.0241), "2.41%");
/// assert_eq!(format_value("net_revenue", 9_412_000.0), "9.41M");
/// ```
pub fn format_value(metric: &str, x: f64) -> String {
    metric::describe(metric).value(x)
}

/// A paired difference, signed ([`crate::format::diff`] in the registry's unit).
///
/// ```
/// use leadsim::report::simulate::format_diff;
/// assert_eq!(format_diff("mql_to_sql", 0.0058), "+0.58 pp");
/// ```
pub fn format_diff(metric: &str, x: f64) -> String {
    metric::describe(metric).diff(x)
}

/// Non-breaking space: a table cell wraps between its parts, never inside one.
pub(super) const NBSP: &str = "\u{a0}";

/// Parts of a cell: each kept whole by non-breaking spaces, the cell free to wrap between
/// them.
pub(super) fn join_cell(parts: &[String]) -> String {
    let kept: Vec<String> = parts.iter().map(|p| p.replace(' ', NBSP)).collect();
    kept.join(" ")
}

/// "mean ±half-width" of the 95% interval, with "(n=k)" when some replications had nothing
/// to measure.
pub fn level_cell(metric: &str, s: &Interval, reps: usize) -> String {
    join_cell(&metric::describe(metric).cell_parts(s, reps, false))
}

/// A paired difference "+mean ±half-width", marked "*" when its 95% interval excludes zero.
pub fn diff_cell(metric: &str, d: &Interval, reps: usize) -> String {
    let mut parts = metric::describe(metric).cell_parts(d, reps, true);
    if d.ci_low > 0.0 || d.ci_high < 0.0 {
        // The mark goes after the half-width, before any "(n=k)".
        let at = if d.n < reps {
            parts.len() - 2
        } else {
            parts.len() - 1
        };
        parts[at].push_str(" *");
    }
    join_cell(&parts)
}

pub(super) fn summary<'r>(
    r: &'r Results,
    scenario: usize,
    metric: &str,
) -> Option<&'r MetricSummary> {
    r.scenarios
        .get(scenario)?
        .summary
        .iter()
        .find(|s| s.metric == metric)
}

pub(super) fn mean(r: &Results, scenario: usize, metric: &str) -> Option<f64> {
    summary(r, scenario, metric)
        .map(|s| s.value.mean)
        .filter(|m| m.is_finite())
}

/// Per-replication values of `metric` for scenario `scenario` (empty when it lacks it).
pub(super) fn column(r: &Results, scenario: usize, metric: &str) -> Vec<f64> {
    let sc = &r.scenarios[scenario];
    match sc.metrics.iter().position(|m| m == metric) {
        Some(m) => sc
            .values
            .iter()
            .filter_map(|row| row.get(m).copied())
            .collect(),
        None => Vec::new(),
    }
}
