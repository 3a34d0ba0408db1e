//! Names and number formats of metrics, for tables and chart axes, and small accessors into
//! the results.

use crate::format::Unit;
use crate::report::MISSING;
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

/// A metric's value as the tables write it: shares in percent, hours with "h", money in k/M.
///
/// ```
/// use leadsim::report::simulate::format_value;
/// assert_eq!(format_value("mql_to_sql", 0.0241), "2.41%");
/// assert_eq!(format_value("net_revenue", 9_412_000.0), "9.41M");
/// assert_eq!(format_value("response_p50_h", 4.137), "4.14 h");
/// assert_eq!(format_value("sqls", 52.94), "52.9");
/// ```
pub fn format_value(metric: &str, x: f64) -> String {
    if !x.is_finite() {
        return MISSING.to_string();
    }
    match unit(metric) {
        Unit::Share => {
            let digits = if (100.0 * x).abs() < 10.0 { 2 } else { 1 };
            format!("{:.*}%", digits, 100.0 * x)
        }
        Unit::Hours => format!("{x:.2} h"),
        Unit::Money if x.abs() >= 1e6 => format!("{:.2}M", x / 1e6),
        Unit::Money if x.abs() >= 1e3 => format!("{:.1}k", x / 1e3),
        Unit::Money => format!("{x:.0}"),
        Unit::Count if x.abs() >= 100.0 => format!("{x:.0}"),
        Unit::Count => format!("{x:.1}"),
    }
}

/// A paired difference, signed; shares in percentage points ("+0.58 pp").
///
/// ```
/// use leadsim::report::simulate::format_diff;
/// assert_eq!(format_diff("mql_to_sql", 0.0058), "+0.58 pp");
/// assert_eq!(format_diff("net_revenue", -41_600.0), "-41.6k");
/// ```
pub fn format_diff(metric: &str, x: f64) -> String {
    if !x.is_finite() {
        return MISSING.to_string();
    }
    let sign = if x >= 0.0 { "+" } else { "" };
    match unit(metric) {
        Unit::Share => format!("{sign}{:.2} pp", 100.0 * x),
        _ => format!("{sign}{}", format_value(metric, x)),
    }
}

/// Non-breaking space: a table cell wraps between its parts, never inside one.
pub(super) const NBSP: &str = "\u{a0}";

/// The half-width of the 95% interval of `s`, written like the metric's differences.
pub(super) fn half_width(metric: &str, s: &Interval) -> Option<String> {
    let half = (s.ci_high - s.ci_low) / 2.0;
    half.is_finite()
        .then(|| format!("±{}", format_diff(metric, half).trim_start_matches('+')))
}

/// Parts of a cell: each kept whole by non-breaking spaces, the cell free to wrap between
/// them.
pub(super) fn join_cell(parts: &[String]) -> String {
    let kept: Vec<String> = parts.iter().map(|p| p.replace(' ', NBSP)).collect();
    kept.join(" ")
}

/// "mean ±half-width" of the 95% interval, with "(n=k)" when some replications had nothing
/// to measure.
pub fn level_cell(metric: &str, s: &Interval, reps: usize) -> String {
    let mut parts = vec![format_value(metric, s.mean)];
    parts.extend(half_width(metric, s));
    if s.n < reps {
        parts.push(format!("(n={})", s.n));
    }
    join_cell(&parts)
}

/// A paired difference "+mean ±half-width", marked "*" when its 95% interval excludes zero.
pub fn diff_cell(metric: &str, d: &Interval, reps: usize) -> String {
    let mut parts = vec![format_diff(metric, d.mean)];
    parts.extend(half_width(metric, d));
    if d.ci_low > 0.0 || d.ci_high < 0.0 {
        if let Some(last) = parts.last_mut() {
            last.push_str(" *");
        }
    }
    if d.n < reps {
        parts.push(format!("(n={})", d.n));
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
