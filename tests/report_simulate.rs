//! The simulation report: self-contained, one SVG per chart, tables that carry the Results'
//! own numbers, a heat map exactly when a sweep has two axes or more, and the assumptions with
//! their sources and grades.

use std::path::Path;
use std::sync::OnceLock;

use leadsim::report::html::escape;
use leadsim::report::simulate::{
    diff_cell, format_value, level_cell, simulation_report, DefaultSource, MAX_SHOWN, SOURCES,
};
use leadsim::sim::model::{SweepAxis, SweepGrid, SweepPoint};
use leadsim::sim::run::{RankedPolicy, Ranking};
use leadsim::sim::{run, Results, RunOptions, ScenarioFile};
use leadsim::stats::Interval;

const HANDOVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/scenarios/handover.toml");

/// The shipped example, 6 replications.
fn handover() -> &'static Results {
    static R: OnceLock<Results> = OnceLock::new();
    R.get_or_init(|| {
        let file = ScenarioFile::load(HANDOVER).unwrap();
        run(&file, &opts(6)).unwrap()
    })
}

fn opts(reps: usize) -> RunOptions<'static> {
    RunOptions {
        seed: Some(7),
        replications: Some(reps),
        threads: Some(2),
        progress: None,
    }
}

/// The shipped example's settings with one scenario per combination of the axes (the first
/// combination is the baseline), run for a few replications, with the grid filled in by hand
/// as the sweep would.
fn sweep(axes: &[(&str, &[&str])]) -> Results {
    let text = std::fs::read_to_string(HANDOVER).unwrap();
    let mut toml = text[..text.find("[[scenario]]").unwrap()].to_string();
    let sizes: Vec<usize> = axes.iter().map(|a| a.1.len()).collect();
    let total: usize = sizes.iter().product();
    let mut points = Vec::new();
    for i in 0..total {
        let mut coords = Vec::new();
        let mut rest = i;
        for &n in sizes.iter().rev() {
            coords.push(rest % n);
            rest /= n;
        }
        coords.reverse();
        let name: Vec<String> = axes
            .iter()
            .zip(&coords)
            .map(|((path, values), &c)| format!("{path}={}", values[c]))
            .collect();
        toml.push_str(&format!("\n[[scenario]]\nname = \"{}\"\n", name.join(", ")));
        for ((path, values), &c) in axes.iter().zip(&coords) {
            // Dotted keys, so two fields of one table can be swept.
            toml.push_str(&format!("{path} = {}\n", values[c]));
        }
        points.push(SweepPoint {
            scenario: i,
            coords,
        });
    }
    let file = ScenarioFile::from_toml_str(&toml, Path::new(HANDOVER)).unwrap();
    let mut results = run(&file, &opts(3)).unwrap();
    results.sweep = Some(SweepGrid {
        axes: axes
            .iter()
            .map(|(path, values)| SweepAxis {
                path: path.to_string(),
                labels: values.iter().map(|v| v.to_string()).collect(),
                values: values
                    .iter()
                    .map(|v| serde_json::from_str(v).unwrap())
                    .collect(),
            })
            .collect(),
        points,
    });
    results
}

const THRESHOLDS: &[&str] = &["0.1", "0.2", "0.3", "0.4"];
const COUNTS: &[&str] = &["2", "4", "6"];

/// The element `<tag id="id" ...>...</tag>`.
fn element<'a>(html: &'a str, tag: &str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<{tag} id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {tag} {id}"));
    let end = start + html[start..].find(&format!("</{tag}>")).unwrap();
    &html[start..end]
}

/// With `LEADSIM_REPORTS=DIR` set, keeps `html` as `DIR/name.html` to look at.
fn keep(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("LEADSIM_REPORTS") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.html")), html).unwrap();
    }
}

fn svg_count(html: &str) -> usize {
    html.matches("<svg").count()
}

fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network references"
    );
    assert!(!html.contains("could not be drawn"), "every chart drew");
}

#[test]
fn comparison_report_is_self_contained_with_one_svg_per_chart() {
    let html = simulation_report(handover());
    assert_self_contained(&html);
    let charts = [
        "chart-funnel-baseline",
        "chart-funnel-best",
        "chart-mql-to-sql",
        "chart-recovered",
        "chart-diff-objective",
        "chart-diff-mql-to-sql",
        "chart-frontier",
        "chart-response",
        "chart-utilisation",
    ];
    for id in charts {
        let fig = element(&html, "figure", id);
        assert_eq!(svg_count(fig), 1, "{id}");
        assert!(fig.contains("<figcaption>"), "{id} has a caption");
    }
    assert_eq!(svg_count(&html), charts.len());
    assert!(!html.contains("chart-sweep-heat"), "no sweep, no heat map");
    // Header: file name, seed, replications, version.
    for needle in [
        "Handover policy review",
        "seed 7",
        "6 replications",
        &format!("leadsim {}", env!("CARGO_PKG_VERSION")),
    ] {
        assert!(html.contains(needle), "{needle} missing from the header");
    }
    // Units on the axes.
    for label in [
        "MQL-to-SQL conversion (%)",
        "Recovered from leads sales turned away, 12 months (millions)",
        "Hours from arrival to first attempt (h)",
        "Busy share of paid shift time (%)",
        "Difference in MQL-to-SQL conversion (percentage points)",
        "Rep cost (thousands)",
    ] {
        assert!(html.contains(label), "axis {label} missing");
    }
    // Response times are labelled honestly as the spread between replications.
    assert!(element(&html, "figure", "chart-response").contains("not between leads"));
}

/// A table cell as the report should write it, built here from the interval's own numbers with
/// `format!` rather than with the formatter under test: the mean (signed for a paired
/// difference), then "±" and the half-width of the 95% interval, then " *" for a difference
/// whose interval excludes zero; parts joined by a space, spaces inside a part non-breaking.
/// The formats are those of docs/simulate.md: shares in percent (two decimals below 10%, one
/// above), their differences and half-widths in percentage points; hours with two decimals and
/// " h"; money in k (from 1,000) and M (from 1,000,000); counts with one decimal unless whole.
fn expected_cell(metric: &str, s: &Interval, diff: bool) -> String {
    let nb = '\u{a0}';
    let sign = |x: f64| if x >= 0.0 { "+" } else { "" };
    let money = |x: f64| {
        if x.abs() >= 1e6 {
            format!("{:.2}M", x / 1e6)
        } else if x.abs() >= 1e3 {
            format!("{:.1}k", x / 1e3)
        } else {
            format!("{x:.0}")
        }
    };
    let count = |x: f64| {
        if x.abs() >= 100.0 || x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    };
    let half = (s.ci_high - s.ci_low) / 2.0;
    let (mean, half) = match metric {
        "mql_to_sql" | "sla_met" | "acceptance" => {
            let pct = 100.0 * s.mean;
            let mean = if diff {
                format!("{}{pct:.2}{nb}pp", sign(pct))
            } else if pct.abs() < 10.0 {
                format!("{pct:.2}%")
            } else {
                format!("{pct:.1}%")
            };
            (mean, format!("±{:.2}{nb}pp", 100.0 * half))
        }
        "response_p50_h" => (
            format!("{}{:.2}{nb}h", if diff { sign(s.mean) } else { "" }, s.mean),
            format!("±{half:.2}{nb}h"),
        ),
        "sqls" | "handed_over" => (
            format!("{}{}", if diff { sign(s.mean) } else { "" }, count(s.mean)),
            format!("±{}", count(half)),
        ),
        _ => (
            format!("{}{}", if diff { sign(s.mean) } else { "" }, money(s.mean)),
            format!("±{}", money(half)),
        ),
    };
    let star = if diff && (s.ci_low > 0.0 || s.ci_high < 0.0) {
        format!("{nb}*")
    } else {
        String::new()
    };
    assert_eq!(s.n, 6, "{metric}: every replication measures it");
    format!("{mean} {half}{star}")
}

#[test]
fn scenario_tables_carry_the_results_numbers() {
    let r = handover();
    let html = simulation_report(r);
    let levels = element(&html, "table", "scenarios");
    let diffs = element(&html, "table", "differences");
    for (i, sc) in r.scenarios.iter().enumerate() {
        assert!(levels.contains(&escape(&sc.name)));
        for metric in [
            "mql_to_sql",
            "sqls",
            "response_p50_h",
            "sla_met",
            "won_revenue_12m",
            "handed_over",
            "acceptance",
            "recovered_revenue_12m_turned_away",
            "recovered_revenue_12m_retained",
            "rep_cost",
            "net_revenue",
        ] {
            let s = r.summary(&sc.name, metric).unwrap();
            let cell = format!(
                "<td class=\"num\">{}</td>",
                escape(&expected_cell(metric, &s.value, false))
            );
            assert!(levels.contains(&cell), "{cell} missing for {}", sc.name);
            match (&s.diff, i) {
                (None, 0) => {}
                (Some(d), _) => {
                    let cell = format!(
                        "<td class=\"num\">{}</td>",
                        escape(&expected_cell(metric, d, true))
                    );
                    assert!(diffs.contains(&cell), "{cell} missing for {}", sc.name);
                }
                (None, _) => panic!("a comparison without a difference"),
            }
        }
    }
    // The public cell functions write what the table holds.
    let s = r.summary("today", "mql_to_sql").unwrap().value;
    let expected = format!(
        "{:.2}% ±{:.2}\u{a0}pp",
        100.0 * s.mean,
        100.0 * (s.ci_high - s.ci_low) / 2.0
    );
    assert_eq!(level_cell("mql_to_sql", &s, r.replications), expected);
    assert!(levels.contains(&expected));
    let d = r
        .summary("lower threshold, two more reps", "mql_to_sql")
        .unwrap()
        .diff
        .unwrap();
    assert_eq!(
        diff_cell("mql_to_sql", &d, r.replications),
        expected_cell("mql_to_sql", &d, true)
    );
    // Fewer defined replications than run are counted in the cell.
    assert!(level_cell("mql_to_sql", &s, r.replications + 1).ends_with(&format!(" (n={})", s.n)));
    let net = r.summary("today", "net_revenue").unwrap().value;
    assert!(levels.contains(&format!("{:.2}M", net.mean / 1e6)));
    assert_eq!(
        format_value("net_revenue", net.mean),
        format!("{:.2}M", net.mean / 1e6)
    );
    // The baseline has no row among the differences.
    assert!(!diffs.contains("<td>today</td>"));
}

#[test]
fn heat_map_only_with_a_sweep_of_two_axes() {
    let one = sweep(&[("policy.threshold", THRESHOLDS)]);
    let html = simulation_report(&one);
    assert_self_contained(&html);
    assert!(!html.contains("chart-sweep-heat"), "one axis: no heat map");
    assert!(html.contains("chart-frontier"));

    let two = sweep(&[
        ("policy.threshold", THRESHOLDS),
        ("pools.sdr.count", COUNTS),
    ]);
    let html = simulation_report(&two);
    keep("sweep-2", &html);
    assert_self_contained(&html);
    let heat = element(&html, "figure", "chart-sweep-heat");
    assert_eq!(svg_count(heat), 1);
    for label in [
        "Handover threshold (score)",
        "Reps in pool sdr (count)",
        "Net revenue (millions)",
    ] {
        assert!(heat.contains(label), "{label} missing from the heat map");
    }
    // One shaded cell per grid point, labelled with its value.
    let cells = heat.matches("<rect").count();
    assert!(
        cells >= 2 * THRESHOLDS.len() * COUNTS.len(),
        "{cells} rects"
    );
    // 12 scenarios: all shown, numbered; one more chart than a comparison.
    assert_eq!(svg_count(&html), 10);
    let table = element(&html, "table", "scenarios");
    assert_eq!(table.matches("<tr>").count(), 1 + 12);

    // Three axes: still one heat map, each cell the best over the third axis.
    let three = sweep(&[
        ("policy.threshold", &["0.2", "0.3"]),
        ("policy.sla_hours", &["1.0", "4.0"]),
        ("pools.sdr.count", &["3", "5"]),
    ]);
    let html = simulation_report(&three);
    keep("sweep-3", &html);
    let heat = element(&html, "figure", "chart-sweep-heat");
    assert!(heat.contains("best mean over policy.sla_hours"));
    assert_eq!(html.matches("id=\"chart-sweep-heat\"").count(), 1);
}

#[test]
fn big_sweeps_show_the_best_scenarios_and_point_to_summary_csv() {
    let big = sweep(&[
        (
            "policy.threshold",
            &["0.1", "0.2", "0.3", "0.4", "0.5", "0.6"],
        ),
        ("pools.sdr.count", COUNTS),
    ]);
    assert!(big.scenarios.len() > MAX_SHOWN);
    let html = simulation_report(&big);
    keep("sweep-big", &html);
    assert_self_contained(&html);
    let table = element(&html, "table", "scenarios");
    assert_eq!(table.matches("<tr>").count(), 1 + MAX_SHOWN);
    assert!(html.contains("summary.csv has them all"));
    // The baseline first, then the best by net revenue.
    let best = (1..big.scenarios.len())
        .max_by(|&a, &b| {
            let m = |i: usize| {
                big.scenarios[i]
                    .summary
                    .iter()
                    .find(|s| s.metric == "net_revenue")
                    .unwrap()
                    .value
                    .mean
            };
            m(a).total_cmp(&m(b))
        })
        .unwrap();
    let first = table.find(&escape(&big.scenarios[0].name)).unwrap();
    let second = table.find(&escape(&big.scenarios[best].name)).unwrap();
    assert!(first < second);
    // The heat map still covers the whole grid.
    let heat = element(&html, "figure", "chart-sweep-heat");
    assert!(heat.contains(">\n0.6\n</text>"));
}

#[test]
fn a_ranking_sets_the_objective() {
    let mut r = handover().clone();
    let mut ranked: Vec<RankedPolicy> = r
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| {
            let s = sc
                .summary
                .iter()
                .find(|s| s.metric == "mql_to_sql")
                .unwrap();
            RankedPolicy {
                scenario: i,
                name: sc.name.clone(),
                mean: s.value.mean,
                rep_cost: 0.0,
                diff_mean: s.diff.map(|d| d.mean),
                diff_ci_low: s.diff.map(|d| d.ci_low),
                diff_ci_high: s.diff.map(|d| d.ci_high),
                significant: false,
            }
        })
        .collect();
    ranked.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    r.ranking = Some(Ranking {
        objective: "mql_to_sql".into(),
        higher_is_better: true,
        ranked,
        frontier: vec![0, 1],
    });
    let html = simulation_report(&r);
    assert!(html.contains("The objective is MQL-to-SQL conversion."));
    // Objective first; the second forest plot falls back to recovered revenue.
    assert!(
        html.contains("chart-diff-objective") && html.contains("chart-diff-recovered-revenue-12m")
    );
    assert!(html.contains("Cost frontier: MQL-to-SQL conversion against rep cost"));
    let frontier = element(&html, "table", "frontier");
    assert_eq!(frontier.matches("<tr>").count(), 1 + 2);
}

#[test]
fn a_single_scenario_has_no_comparisons() {
    let mut file = ScenarioFile::load(HANDOVER).unwrap();
    file.scenarios.truncate(1);
    let r = run(&file, &opts(3)).unwrap();
    let html = simulation_report(&r);
    assert_self_contained(&html);
    assert_eq!(
        svg_count(&html),
        5,
        "the baseline's funnel, levels, response times, utilisation"
    );
    assert!(html.contains("chart-funnel-baseline") && !html.contains("chart-funnel-best"));
    assert!(!html.contains("id=\"differences\""));
    assert!(!html.contains("chart-frontier"));
}

#[test]
fn assumptions_list_values_sources_and_grades() {
    let html = simulation_report(handover());
    let table = element(&html, "table", "assumptions");
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    let row = |knob: &str| -> &str {
        rows.iter()
            .find(|r| r.starts_with(&format!("<td>{knob}</td>")))
            .unwrap_or_else(|| panic!("no row for {knob}"))
    };
    for DefaultSource {
        knob,
        grade,
        source,
    } in SOURCES
    {
        let knob = knob.replace('*', "sdr");
        let r = row(&knob);
        assert!(r.contains(&format!("<td>{grade}</td>")), "{knob}: {r}");
        assert!(
            r.contains(&escape(source)) || knob.ends_with("speed_to_lead"),
            "{knob}: {r}"
        );
    }
    // The S- defaults with their studies.
    assert!(row("policy.reach").contains("<td>S-</td>"));
    assert!(row("policy.reach").contains("Velocify"));
    assert!(row("outcomes.decision").contains("Obermayer"));
    assert!(row("outcomes.win_rate").contains("<td>F</td>"));
    // The speed-to-lead curve is recognised as the default preset.
    assert!(row("policy.speed_to_lead").contains("preset default"));
    // Values used, against the defaults: the example changes the threshold and the warm-up.
    let threshold = row("policy.threshold");
    assert!(threshold.contains("<td>0.3</td>") && threshold.contains("<td>0.5</td>"));
    assert!(threshold.contains("<td>changed</td>"));
    assert!(row("policy.contactable").contains("<td>default</td>"));
    // Required settings have no default and no grade.
    let rate = row("arrivals.rate_per_day");
    assert!(rate.contains("<td>40</td>") && rate.contains("set in the file"));
    // What each other scenario changes.
    let changes = element(&html, "table", "scenario-changes");
    assert!(
        changes.contains("policy.threshold = 0.2; pools.sdr.count = 6")
            || (changes.contains("policy.threshold = 0.2")
                && changes.contains("pools.sdr.count = 6"))
    );
    assert!(changes.contains("pools.sdr.discipline = lifo"));
}

#[test]
fn the_shipped_sweep_gets_its_heat_map_and_the_ranking_frontier() {
    let file = ScenarioFile::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/scenarios/sweep.toml"
    ))
    .unwrap();
    let r = run(&file, &opts(2)).unwrap();
    let grid = r.sweep.as_ref().expect("the file has a [sweep] table");
    assert_eq!(grid.axes.len(), 2);
    let ranking = r.ranking.as_ref().expect("comparisons are ranked");
    let html = simulation_report(&r);
    keep("sweep-shipped", &html);
    assert_self_contained(&html);
    let heat = element(&html, "figure", "chart-sweep-heat");
    for label in &grid.axes[0].labels {
        assert!(heat.contains(&format!(">\n{label}\n</text>")), "{label}");
    }
    let frontier = element(&html, "table", "frontier");
    assert_eq!(frontier.matches("<tr>").count(), 1 + ranking.frontier.len());
    for &i in &ranking.frontier {
        assert!(frontier.contains(&escape(&r.scenarios[i].name)));
    }
    // Scenarios beyond MAX_SHOWN are left to summary.csv; the best by the ranking come first.
    let table = element(&html, "table", "scenarios");
    assert_eq!(
        table.matches("<tr>").count(),
        1 + r.scenarios.len().min(MAX_SHOWN)
    );
    let best = ranking.ranked.iter().find(|p| p.scenario != 0).unwrap();
    assert!(table.contains(&format!("<td>2</td><td>{}</td>", escape(&best.name))));
    assert_eq!(svg_count(&html), 10);
}

#[test]
fn a_sweep_optimum_on_the_edge_is_warned_in_the_report() {
    // The cheapest grid point by rep cost is the fewest reps, an edge of the grid.
    let text = std::fs::read_to_string(HANDOVER).unwrap();
    let cut = text.find("[[scenario]]").unwrap();
    let text = text[..cut].to_string() + "[sweep]\n\"pools.sdr.count\" = [2, 4]\n";
    let file = ScenarioFile::from_toml_str(&text, std::path::Path::new("s.toml")).unwrap();
    let r = leadsim::sim::run_with(
        &file,
        &opts(2),
        &leadsim::sim::Analysis {
            objective: Some("rep_cost".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let html = simulation_report(&r);
    let section = element(&html, "section", "scenarios");
    assert!(
        section.contains("extend pools.sdr.count below 2"),
        "{section}"
    );
}
