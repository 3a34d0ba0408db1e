//! The training report: trained on the bundled B2B-SaaS history, rendered, and checked to be one
//! well-formed, self-contained HTML page holding every chart and the model's own numbers.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use leadsim::report::html::escape;
use leadsim::report::report_path_for;
use leadsim::report::train::train_report;
use leadsim::scoring::model::Model;
use leadsim::scoring::output::save_model;
use leadsim::scoring::train::{train, Silent, TrainOptions};

/// Figure ids of the charts, in page order: ROC, PR, calibration, gains, lift, coefficients.
const CHARTS: [&str; 6] = [
    "chart-roc",
    "chart-pr",
    "chart-calibration",
    "chart-gains",
    "chart-lift",
    "chart-coefficients",
];

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/b2b-saas-history.csv")
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let opts = TrainOptions {
            data: data(),
            ..Default::default()
        };
        train(&opts, &Silent).unwrap()
    })
}

/// `decimals` decimals, written here independently of the report's formatter; `–` when the
/// value does not exist (the report's sign for it).
fn decimals(v: Option<f64>, decimals: usize) -> String {
    v.map_or("–".into(), |v| format!("{v:.decimals$}"))
}

/// A share in percent with one decimal, independently of the report's formatter.
fn percent(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// The `<figure id="...">` element with this id.
fn figure<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<figure id=\"{id}\""))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let end = start + html[start..].find("</figure>").unwrap();
    &html[start..end]
}

/// The `<table id="...">` element with this id.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<table id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no table {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    &html[start..end]
}

/// Every opened element is closed, in order (HTML void elements and `/>` excepted).
fn assert_balanced(html: &str) {
    const VOID: [&str; 3] = ["meta", "br", "hr"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>').expect("unterminated tag");
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(!name.is_empty(), "stray '<' before {tag:?}");
        if let Some(closing) = tag.strip_prefix('/') {
            let top = stack.pop();
            assert_eq!(top.as_deref(), Some(closing), "</{closing}> closes {top:?}");
        } else if !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script", "http://", "https://", "<link", "<iframe", "<img", "src=", "@import", "url(",
    ] {
        assert!(!lower.contains(banned), "report contains {banned}");
    }
}

#[test]
fn train_report_is_a_complete_self_contained_page() {
    let model = model();
    let html = train_report(model);
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert_balanced(&html);
    assert_self_contained(&html);
    assert!(!html.contains("NaN") && !html.contains("could not be drawn"));

    // One SVG per chart, and no other.
    for id in CHARTS {
        let f = figure(&html, id);
        assert_eq!(f.matches("<svg").count(), 1, "{id}");
        assert_eq!(f.matches("</svg>").count(), 1, "{id}");
        assert!(f.contains("<figcaption>"), "{id}");
    }
    assert_eq!(html.matches("<svg").count(), CHARTS.len());

    // Metrics with the evaluation kind; ROC AUC also in the ROC legend.
    let m = &model.evaluation.evaluation.metrics;
    let metrics = table(&html, "metrics");
    assert_eq!(model.evaluation.kind, "holdout");
    assert!(metrics.contains("Evaluation: holdout"));
    for (name, value) in [
        ("roc_auc", decimals(m.roc_auc, 3)),
        ("pr_auc", decimals(m.pr_auc, 3)),
        ("log_loss", decimals(m.log_loss, 4)),
        ("brier", decimals(m.brier, 4)),
        ("ece", decimals(m.ece, 4)),
    ] {
        let cells = format!("<td>{name}</td><td class=\"num\">{value}</td>");
        assert!(metrics.contains(&cells), "{cells}");
    }
    let auc = format!("Model (AUC {:.3})", m.roc_auc.unwrap());
    assert!(figure(&html, "chart-roc").contains(&auc));

    // The threshold table, row by row, with the model's numbers.
    let thresholds = table(&html, "thresholds");
    let rows = &model.evaluation.evaluation.thresholds;
    assert_eq!(rows.len(), 19);
    assert_eq!(thresholds.matches("<tr>").count(), rows.len() + 1);
    for r in rows {
        let cells = format!(
            "<tr><td>{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            r.threshold,
            r.handed_over,
            percent(r.handed_over_share),
            r.conversions,
            percent(r.precision),
            percent(r.recall)
        );
        assert!(thresholds.contains(&cells), "{cells}");
    }

    // Score bands.
    let bands = table(&html, "bands");
    for b in &model.evaluation.evaluation.bands {
        let cells = format!(
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            b.rows,
            b.conversions,
            percent(b.conversion_rate)
        );
        assert!(bands.contains(&format!("<tr><td>{}</td>", b.band)));
        assert!(bands.contains(&cells), "{cells}");
    }

    // Every coefficient in the table; all but the intercept in the forest plot.
    let coefficients = table(&html, "coefficients");
    let forest = figure(&html, "chart-coefficients");
    assert!(model.coefficients.len() > 10);
    for c in &model.coefficients {
        let name = escape(&c.name);
        assert!(
            coefficients.contains(&format!("<tr><td>{name}</td>")),
            "{name}"
        );
        if c.name != "(intercept)" {
            assert!(forest.contains(&format!(">\n{name}\n</text>")), "{name}");
        }
    }

    // Training metadata.
    for needle in [
        model.training.data_sha256.as_str(),
        "b2b-saas-history.csv",
        env!("CARGO_PKG_VERSION"),
    ] {
        assert!(table(&html, "metadata").contains(needle), "{needle}");
    }
}

#[test]
fn save_model_writes_the_report_beside_the_model_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("model.json");
    let report = save_model(model(), &model_path).unwrap();
    assert_eq!(report, dir.path().join("report.html"));
    assert_eq!(report, report_path_for(&model_path));
    // The two files and nothing else (no temporary file left behind).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    let bytes = std::fs::read(&report).unwrap();
    let text = std::str::from_utf8(&bytes).expect("report is UTF-8");
    assert!(text.contains("<meta charset=\"utf-8\">"));
    // The saved model carries its curves, and a reloaded model renders the same page.
    let reloaded = Model::load(&model_path).unwrap();
    assert!(!reloaded.evaluation.evaluation.roc_curve.is_empty());
    assert_eq!(train_report(&reloaded), text);
}

#[test]
fn regularised_fits_and_old_model_files_still_render_every_chart() {
    let regularised = train(
        &TrainOptions {
            data: data(),
            alpha: 1.0,
            ..Default::default()
        },
        &Silent,
    )
    .unwrap();
    assert!(!regularised.fit.inference);
    let html = train_report(&regularised);
    assert!(html.contains("no intervals"));
    assert_eq!(html.matches("<svg").count(), CHARTS.len());
    assert_balanced(&html);

    // Model files written before curves were stored have none.
    let mut old = model().clone();
    old.evaluation.evaluation.roc_curve.clear();
    old.evaluation.evaluation.pr_curve.clear();
    let html = train_report(&old);
    assert!(html.contains("Curves are not available"));
    assert_eq!(html.matches("<svg").count(), CHARTS.len());
    assert_balanced(&html);
    assert_self_contained(&html);
}
