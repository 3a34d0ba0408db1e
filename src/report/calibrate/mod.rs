//! The pages `leadsim calibrate` and `leadsim backtest` write: for every estimate the data
//! against the fit (arrivals by hour and weekday, reach by attempt, Kaplan-Meier curves of
//! time to win and to recovery against the fitted curves, the speed-to-lead bins, the decile
//! calibration), the table of every knob, and the back-test's observed-against-simulated rows.

mod backtest;

pub use backtest::backtest_page;

use crate::calibrate::estimate::{Estimate, Source};
use crate::calibrate::scenario::{brief, num};
use crate::calibrate::stats::normal_cdf;
use crate::calibrate::Calibration;
use crate::report::charts::{
    Axis, BarChart, BarGroup, ForestPlot, ForestRow, LineChart, Series, SeriesStyle,
};
use crate::report::html::{Figure, Page, Section, Table};

fn interval(e: &Estimate) -> (f64, f64) {
    (e.lo.unwrap_or(e.value), e.hi.unwrap_or(e.value))
}

fn source(e: &Estimate) -> String {
    match &e.source {
        Source::Estimated => e.method.clone(),
        Source::Default { reason } => format!("default: {reason}"),
        Source::Fixed { reason } => format!("fixed: {reason}"),
    }
}

fn knob_row(name: &str, e: &Estimate) -> Vec<String> {
    let (lo, hi) = (e.lo.map(num), e.hi.map(num));
    vec![
        name.to_string(),
        num(e.value),
        match (lo, hi) {
            (Some(l), Some(h)) => format!("{l} to {h}"),
            _ => "–".into(),
        },
        e.records.to_string(),
        source(e),
    ]
}

/// The calibration page.
pub fn calibration_page(c: &Calibration, source_name: &str) -> String {
    let mut page = Page::new("Calibration: your funnel, estimated from your CRM export")
        .subtitle(format!(
            "{source_name} · {} MQLs · export date {} ({})",
            c.funnel.mqls, c.as_of, c.zone
        ))
        .footer(
            "Written by leadsim calibrate. Intervals are 95%. \"Default\" marks a knob the \
             export cannot inform; it keeps the documented value of docs/model.md section 3.",
        );

    // Summary in words.
    let f = &c.funnel;
    page.push(
        Section::new("summary", "In one paragraph").paragraph(format!(
            "Of {} MQLs, {} were handed over to sales, {} were reached and {} became SQLs ({} of \
             MQLs). {} deals were won, {} lost and {} are still open at the export date. {} \
             leads that did not become SQLs bought later. Each chart below sets what the \
             export shows (points or bars, with 95% intervals) against what the calibrated \
             scenario will simulate (lines).",
            f.mqls,
            f.handed_over,
            f.reached,
            f.sqls,
            crate::format::percent(Some(f.mql_to_sql.value), 1),
            f.won,
            f.lost,
            f.open,
            f.purchased
        )),
    );

    // Arrivals.
    let a = &c.arrivals;
    let hours: Vec<String> = (0..24).map(|h| format!("{h}")).collect();
    let total: f64 = a.by_hour.iter().sum::<u64>() as f64;
    let hour_chart = BarChart::new(
        "MQLs by hour of day",
        "Hour of day (export's zone)",
        hours,
        Axis::new("Share of MQLs (%)").format(crate::report::charts::TickFormat::Percent),
    )
    .group(BarGroup {
        name: "observed, with 95% interval".into(),
        values: a
            .by_hour
            .iter()
            .map(|&n| n as f64 / total.max(1.0))
            .collect(),
        intervals: Some(
            a.hour_profile
                .iter()
                .map(|e| {
                    let (lo, hi) = interval(e);
                    (lo / 24.0, hi / 24.0)
                })
                .collect(),
        ),
    });
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let wd_chart = BarChart::new(
        "MQLs per day, by weekday",
        "Weekday",
        days.iter().map(|d| d.to_string()).collect(),
        Axis::new("MQLs per day"),
    )
    .group(BarGroup {
        name: "simulated rate (rate per day x weekday profile), with 95% interval".into(),
        values: a
            .weekday_profile
            .iter()
            .map(|e| e.value * a.rate_per_day.value)
            .collect(),
        intervals: Some(
            a.weekday_profile
                .iter()
                .map(|e| {
                    let (lo, hi) = interval(e);
                    (lo * a.rate_per_day.value, hi * a.rate_per_day.value)
                })
                .collect(),
        ),
    });
    page.push(
        Section::new("arrivals", "Arrivals")
            .paragraph(format!(
                "{} MQLs per {} day ({}). {}",
                num(a.rate_per_day.value),
                if a.calendar == crate::calibrate::arrivals::Calendar::Business {
                    "business"
                } else {
                    "calendar"
                },
                brief(&a.rate_per_day),
                a.evidence
            ))
            .figures(vec![
                Figure::new(
                    "arrivals-hour",
                    hour_chart.to_svg(),
                    "The simulated hour profile is the observed one: each hour's share of MQLs.",
                ),
                Figure::new(
                    "arrivals-weekday",
                    wd_chart.to_svg(),
                    "MQLs per weekday as the scenario will draw them.",
                ),
            ]),
    );

    // Contact.
    if let Some(ct) = &c.contact {
        let w = ct.contactable.value;
        let mut s = 1.0;
        let mut fitted = Vec::new();
        let mut observed = Vec::new();
        for (k, &(reached, at_risk)) in ct.by_attempt.iter().enumerate() {
            let h = ct.reach.get(k).or(ct.reach.last()).map_or(0.0, |e| e.value);
            // The chance that a lead still unreached before attempt k is reached on it:
            // contactable ones among the unreached, times the reach.
            let p = w * s * h / ((1.0 - w) + w * s);
            fitted.push(((k + 1) as f64, p));
            s *= 1.0 - h;
            if at_risk > 0 {
                observed.push(((k + 1) as f64, reached as f64 / at_risk as f64));
            }
        }
        let chart = LineChart::new(
            "Reach by attempt",
            Axis::new("Attempt number"),
            Axis::percent("Reached on attempt k, of leads still unreached (%)").range(
                0.0,
                observed
                    .iter()
                    .chain(&fitted)
                    .map(|p| p.1)
                    .fold(0.05, f64::max)
                    * 1.15,
            ),
        )
        .series(Series::new("observed", observed).style(SeriesStyle {
            width: 0,
            ..SeriesStyle::nth(0)
        }))
        .series(Series::new("fitted (contactable x reach)", fitted).style(SeriesStyle::nth(1)));
        page.push(
            Section::new("contact", "Reaching leads")
                .paragraph(format!(
                    "{} of leads can be reached at all ({}). {}",
                    crate::format::percent(Some(w), 0),
                    brief(&ct.contactable),
                    ct.identification
                ))
                .figures(vec![Figure::new(
                    "reach",
                    chart.to_svg(),
                    "Points: the export. Line: the cure model the scenario uses.",
                )]),
        );
    }

    // Speed to lead.
    let st = &c.speed_to_lead;
    if !st.bins.is_empty() {
        let rows: Vec<ForestRow> = st
            .bins
            .iter()
            .map(|b| ForestRow {
                label: format!(
                    "{} to {} h ({} reached)",
                    num(b.lo_hours),
                    if b.hi_hours.is_finite() {
                        num(b.hi_hours)
                    } else {
                        "more".into()
                    },
                    b.reached
                ),
                estimate: b.multiplier.value,
                interval: b.multiplier.lo.zip(b.multiplier.hi),
            })
            .collect();
        let mut plot = ForestPlot::new(
            "Chance to qualify by delay to contact, against the fastest bin",
            Axis::new("Multiplier on the chance to qualify (1 = as fast as the fastest)"),
            rows,
        );
        plot.reference = Some(1.0);
        page.push(
            Section::new("speed", "Speed to lead")
                .paragraph(format!("{} {}", st.method, st.warning))
                .figures(vec![Figure::new(
                    "speed-to-lead",
                    plot.to_svg(),
                    "Each bin's multiplier with its 95% interval; the scenario's curve passes \
                     through them at each bin's median delay.",
                )
                .wide()]),
        );
    }

    // Sales: time to win.
    let s = &c.sales;
    let km = &c.curves.time_to_win;
    if !km.points.is_empty() {
        let obs: Vec<(f64, f64)> = km.points.iter().map(|p| (p.t, 1.0 - p.survival)).collect();
        let tmax = obs.last().map_or(365.0, |p| p.0).max(30.0);
        let (mu, sg) = (s.cycle_median_days.value.ln(), s.cycle_sigma.value);
        let fit: Vec<(f64, f64)> = (1..=100)
            .map(|i| {
                let t = tmax * i as f64 / 100.0;
                (t, s.win_rate.value * normal_cdf((t.ln() - mu) / sg))
            })
            .collect();
        let chart = LineChart::new(
            "SQLs won by days since SQL",
            Axis::new("Days since the lead became an SQL"),
            Axis::percent("Share of SQLs won (%)").range(0.0, (s.win_rate.value * 1.4).min(1.0)),
        )
        .series(
            Series::new("observed (Kaplan-Meier)", obs)
                .style(SeriesStyle::nth(0).without_markers()),
        )
        .series(
            Series::new("fitted (win rate x lognormal cycle)", fit)
                .style(SeriesStyle::nth(1).without_markers()),
        );
        page.push(
            Section::new("sales", "Sales: win rate and cycle")
                .paragraph(format!(
                    "{} SQLs: {} won, {} lost, {} open at the export date (open deals count as \
                     not yet decided, not as lost). Win rate {}; median cycle {} days ({}).",
                    s.sqls,
                    s.won,
                    s.lost,
                    s.open,
                    brief(&s.win_rate),
                    num(s.cycle_median_days.value),
                    brief(&s.cycle_median_days)
                ))
                .figures(vec![Figure::new(
                    "time-to-win",
                    chart.to_svg(),
                    "The fitted curve should run through the observed steps; it levels off at \
                     the win rate.",
                )]),
        );
    }

    // Nurture: time to recovery.
    let n = &c.nurture;
    let km = &c.curves.time_to_recovery;
    if !km.points.is_empty() {
        let obs: Vec<(f64, f64)> = km.points.iter().map(|p| (p.t, 1.0 - p.survival)).collect();
        let tmax = obs.last().map_or(12.0, |p| p.0).max(3.0);
        let fit: Vec<(f64, f64)> = (1..=100)
            .map(|i| {
                let t = tmax * i as f64 / 100.0;
                (
                    t,
                    n.pi_share.value
                        * (1.0 - (-(t / n.scale_months.value).powf(n.shape.value)).exp()),
                )
            })
            .collect();
        let top = obs.iter().chain(&fit).map(|p| p.1).fold(0.01, f64::max) * 1.2;
        let chart = LineChart::new(
            "Leads that did not become SQLs and bought later",
            Axis::new("Months since entering nurture"),
            Axis::percent("Share that bought from us (%)").range(0.0, top.min(1.0)),
        )
        .series(
            Series::new("observed (Kaplan-Meier)", obs)
                .style(SeriesStyle::nth(0).without_markers()),
        )
        .series(
            Series::new("fitted (cure-fraction Weibull)", fit)
                .style(SeriesStyle::nth(1).without_markers()),
        );
        page.push(
            Section::new("nurture", "Nurture: later purchases")
                .paragraph(format!(
                    "{} of {} nurtured leads bought by the export date. {}",
                    n.purchases, n.nurtured, n.note
                ))
                .figures(vec![Figure::new(
                    "time-to-recovery",
                    chart.to_svg(),
                    "Only purchases from us are seen: the curve levels off at pi x share.",
                )]),
        );
    }

    // Deciles.
    if !c.deciles.is_empty() {
        let cats: Vec<String> = c.deciles.iter().map(|d| d.decile.to_string()).collect();
        let chart = BarChart::new(
            "SQL rate by score decile",
            "Score decile (1 = lowest scores)",
            cats,
            Axis::percent("SQLs per MQL (%)").range(
                0.0,
                c.deciles
                    .iter()
                    .map(|d| d.sql_rate.hi.unwrap_or(d.sql_rate.value).max(d.mean_score))
                    .fold(0.05, f64::max)
                    * 1.1,
            ),
        )
        .group(BarGroup {
            name: "observed SQL rate, 95% interval".into(),
            values: c.deciles.iter().map(|d| d.sql_rate.value).collect(),
            intervals: Some(c.deciles.iter().map(|d| interval(&d.sql_rate)).collect()),
        })
        .group(BarGroup {
            name: "mean score".into(),
            values: c.deciles.iter().map(|d| d.mean_score).collect(),
            intervals: None,
        });
        page.push(
            Section::new("deciles", "Score calibration")
                .paragraph(
                    "A calibrated score says the chance to become an SQL under the way leads \
                     were worked. Where the bars of a decile differ, the score over- or \
                     under-states it; the simulator calibrates the leads' propensity per decile \
                     to reproduce the observed rate.",
                )
                .figures(vec![Figure::new("deciles", chart.to_svg(), "")]),
        );
    }

    // Every knob.
    let mut t = Table::new(&[
        "knob",
        "value",
        "95% interval",
        "records",
        "method or source",
    ]);
    let mut add = |name: &str, e: &Estimate| {
        t = std::mem::replace(&mut t, Table::new(&[])).row(knob_row(name, e))
    };
    add("arrivals.rate_per_day", &a.rate_per_day);
    add("handover share", &c.handover.share);
    if let Some(th) = &c.handover.threshold {
        add("policy.threshold", th);
    }
    for p in &c.pools {
        add(&format!("pools.{}.count", p.name), &p.reps);
        add(&format!("pools.{}.hours start", p.name), &p.start_hour);
        add(&format!("pools.{}.hours end", p.name), &p.end_hour);
        add(
            &format!("pools.{}.handle_minutes mean", p.name),
            &p.handle_mean,
        );
        add(&format!("pools.{}.handle_minutes cv", p.name), &p.handle_cv);
        add(&format!("pools.{}.talk_minutes mean", p.name), &p.talk_mean);
        add(&format!("pools.{}.talk_minutes cv", p.name), &p.talk_cv);
    }
    if let Some(cd) = &c.cadence {
        add("policy.max_attempts", &cd.max_attempts);
        for (k, g) in cd.gaps.iter().enumerate() {
            add(&format!("policy.gap_hours[{k}]"), g);
        }
    }
    if let Some(ct) = &c.contact {
        add("policy.contactable", &ct.contactable);
        for (k, r) in ct.reach.iter().enumerate() {
            add(&format!("policy.reach[{k}]"), r);
        }
    }
    add("outcomes.win_rate", &s.win_rate);
    add("outcomes.sales_cycle_days median", &s.cycle_median_days);
    add("outcomes.sales_cycle_days sigma", &s.cycle_sigma);
    add("outcomes.deal_value median", &s.deal_median);
    add("outcomes.deal_value sigma", &s.deal_sigma);
    add("outcomes.decision.pi", &n.pi);
    add("outcomes.decision.scale_months", &n.scale_months);
    add("outcomes.decision.shape", &n.shape);
    add("outcomes.share", &n.share);
    page.push(Section::new("knobs", "Every knob").table(t));

    let warnings: Vec<String> = c.warnings.iter().map(|w| w.message.clone()).collect();
    let ws = Section::new("warnings", "Warnings");
    page.push(if warnings.is_empty() {
        ws.paragraph("None.")
    } else {
        ws.list(warnings)
    });
    page.render()
}
