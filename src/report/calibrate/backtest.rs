//! The back-test page: observed against simulated, metric by metric, as a table and as a
//! forest plot of the simulated interval against the observed one (each scaled to the
//! observed value, so metrics of different units share one axis).

use crate::calibrate::backtest::Backtest;
use crate::calibrate::scenario::num;
use crate::report::charts::{Axis, ForestPlot, ForestRow};
use crate::report::html::{Figure, Page, Section, Table};

fn cell(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x.abs() >= 1000.0 {
        crate::format::value(crate::format::Unit::Count, x.round())
    } else {
        num(x).trim_end_matches(".0").to_string()
    }
}

/// What a metric means, in a sales team's words.
pub fn meaning(metric: &str) -> String {
    if let Some(d) = metric.strip_prefix("mql_to_sql_decile_") {
        return format!("SQLs per MQL, score decile {d} (1 = lowest)");
    }
    match metric {
        "mqls" => "MQLs",
        "handed_over" => "handed over to sales",
        "dials_per_lead" => "calls per handed-over lead (until reached)",
        "contact_rate" => "calls that reached a person",
        "response_p50_h" => "hours to first call, median",
        "response_p90_h" => "hours to first call, 90th percentile",
        "mql_to_sql" => "SQLs per MQL",
        "won_12m" => "deals won within 12 months of the MQL",
        "won_revenue_12m" => "revenue won within 12 months",
        "recovered_deals_12m" => "non-SQLs buying within 12 months",
        "recovered_revenue_12m" => "their revenue",
        _ => "",
    }
    .to_string()
}

/// The back-test page.
pub fn backtest_page(b: &Backtest, export: &str) -> String {
    let outside = b.outside();
    let mut page = Page::new("Back-test: does the scenario reproduce your history?")
        .subtitle(format!(
            "scenario \"{}\" against {export} · export date {} · {} replications, seed {}, arrivals {}",
            b.scenario,
            b.as_of,
            b.replications,
            b.seed,
            match b.arrivals {
                crate::calibrate::backtest::ArrivalMode::Replay => "replayed from the export",
                crate::calibrate::backtest::ArrivalMode::Fitted => "drawn at the fitted rate",
            }
        ))
        .footer(
            "Written by leadsim backtest. Inside: the observed value's 95% interval and the \
             simulated mean's 95% interval overlap.",
        );
    page.push(
        Section::new("verdict", "Verdict").paragraph(if outside.is_empty() {
            format!(
                "All {} metrics are inside: the simulated history agrees with the observed one \
             within their uncertainty.",
                b.rows.len()
            )
        } else {
            format!(
                "{} of {} metrics are outside: {}. The scenario does not reproduce these; read \
             its comparisons of policies with that in mind.",
                outside.len(),
                b.rows.len(),
                outside
                    .iter()
                    .map(|r| r.metric.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    );
    let mut t = Table::new(&[
        "metric",
        "meaning",
        "observed",
        "observed 95%",
        "simulated mean",
        "simulated 95%",
        "verdict",
    ]);
    for r in &b.rows {
        t = t.row(vec![
            r.metric.clone(),
            meaning(&r.metric),
            cell(r.observed),
            if r.observed_lo.is_nan() {
                "–".into()
            } else {
                format!("{} to {}", cell(r.observed_lo), cell(r.observed_hi))
            },
            cell(r.simulated_mean),
            format!("{} to {}", cell(r.simulated_lo), cell(r.simulated_hi)),
            r.verdict.clone(),
        ]);
    }
    let rows: Vec<ForestRow> = b
        .rows
        .iter()
        .filter(|r| r.observed.abs() > 0.0)
        .map(|r| ForestRow {
            label: format!("{} ({})", r.metric, r.verdict),
            estimate: r.simulated_mean / r.observed,
            interval: Some((r.simulated_lo / r.observed, r.simulated_hi / r.observed)),
        })
        .collect();
    let mut plot = ForestPlot::new(
        "Simulated against observed (1 = the observed value)",
        Axis::new("Simulated mean / observed, with its 95% interval").range(0.5, 1.5),
        rows,
    );
    plot.reference = Some(1.0);
    let mut s = Section::new("metrics", "Metric by metric")
        .table(t)
        .figures(vec![Figure::new(
            "ratios",
            plot.to_svg(),
            "Each metric's simulated mean divided by the observed value, with the simulated 95% \
         interval; 1 (dashed) is the history. The verdict also allows for the observed value's \
         own 95% interval (table), so a short history with wide intervals passes more easily.",
        )
        .wide()]);
    if !b.skipped.is_empty() {
        s = s.list(
            b.skipped
                .iter()
                .map(|k| format!("{}: not compared, {}", k.metric, k.reason))
                .collect(),
        );
    }
    page.push(s);
    page.render()
}
