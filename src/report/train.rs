//! The training report: everything in a model file that a person judges a model by, as one
//! self-contained HTML page (ROC and precision-recall curves, calibration, gains and lift,
//! coefficients with intervals, the handover threshold table, score bands, warnings and
//! training metadata).

use crate::format::{fixed, p_value, percent, significant, MISSING};
use crate::report::charts::{
    Axis, BarChart, BarGroup, Corner, Dash, ForestPlot, ForestRow, LineChart, Series, SeriesStyle,
    TickFormat,
};
use crate::report::html::{Align, Figure, Page, Section, Table};
use crate::scoring::inference::INTERCEPT;
use crate::scoring::metrics::{psi_reading, PSI_MAJOR, PSI_MODERATE};
use crate::scoring::model::Model;

/// Forest-plot intervals are drawn within +-this many log-odds; longer ones end in an arrow.
/// Past it odds ratios exceed 22,000, where the exact width no longer matters to a reader.
const FOREST_LIMIT: f64 = 10.0;

/// The training report for `model`, as a complete HTML document.
///
/// Works for any model file this build can load: curves missing from files written before they
/// were stored are reported as not available.
pub fn train_report(model: &Model) -> String {
    let eval = &model.evaluation;
    let t = &model.training;
    let mut page = Page::new(format!("Lead-scoring model: {}", model.target.column))
        .subtitle(format!(
            "Trained on {} ({} of {} rows) · metrics from {} rows ({}) · leadsim {}",
            t.data_file, t.fit_rows, t.file_rows, eval.rows, eval.kind, t.crate_version
        ))
        .footer(format!(
            "Written by leadsim {} from the model file. Self-contained: no scripts, no network access.",
            t.crate_version
        ));
    page.push(quality(model));
    if let Some(s) = time_section(model) {
        page.push(s);
    }
    page.push(ranking(model));
    page.push(calibration(model));
    page.push(gains(model));
    page.push(coefficients(model));
    if let Some(s) = field_tests(model) {
        page.push(s);
    }
    page.push(thresholds(model));
    page.push(bands(model));
    page.push(fit(model));
    page.push(data(model));
    page.push(metadata(model));
    page.render()
}

/// What the metrics were computed on, in words.
fn evaluation_basis(model: &Model) -> String {
    let e = &model.evaluation;
    match e.kind.as_str() {
        "holdout" => format!(
            "{} held-out rows the model did not see while fitting",
            e.rows
        ),
        "cross-validation" => format!(
            "out-of-fold predictions for all {} rows ({}-fold cross-validation)",
            e.rows,
            model.training.folds.unwrap_or(0)
        ),
        "in-sample" => format!("the {} rows the model was fit on (in-sample)", e.rows),
        "out-of-time" => match &model.training.time_split {
            Some(t) => format!(
                "the {} latest leads ({} to {} by \"{}\"), after the period the model was fit on: out-of-time",
                e.rows, t.test_from, t.test_to, t.column
            ),
            None => format!("{} later rows (out-of-time)", e.rows),
        },
        other => format!("{} rows ({other})", e.rows),
    }
}

fn quality(model: &Model) -> Section {
    let m = &model.evaluation.evaluation.metrics;
    let table = Table::new(&["metric", "value", "reading"])
        .id("metrics")
        .caption(format!("Evaluation: {}", model.evaluation.kind))
        .align(2, Align::Left)
        .rows([
            row(&[
                "rows evaluated",
                &m.rows.to_string(),
                "leads scored for these metrics",
            ]),
            row(&[
                "converters",
                &format!("{} ({})", m.positives, percent(m.positive_rate, 1)),
                "the base rate: precision of handing over everyone",
            ]),
            row(&[
                "roc_auc",
                &fixed(m.roc_auc, 3),
                "chance a converter outranks a non-converter; 0.5 is random",
            ]),
            row(&[
                "pr_auc",
                &fixed(m.pr_auc, 3),
                "average precision; random scores give the base rate",
            ]),
            row(&[
                "log_loss",
                &fixed(m.log_loss, 4),
                "mean negative log-likelihood per lead (nats); lower is better",
            ]),
            row(&[
                "brier",
                &fixed(m.brier, 4),
                "mean squared error of the probabilities; lower is better",
            ]),
            row(&[
                "ece",
                &fixed(m.ece, 4),
                "mean gap between predicted and observed rates over deciles",
            ]),
        ]);
    let mut s = Section::new("quality", "Model quality")
        .paragraph(format!(
            "Metrics are computed on {}.",
            evaluation_basis(model)
        ))
        .table(table);
    if model.evaluation.kind == "in-sample" {
        s = s.note("In-sample metrics are optimistic: refit with a holdout or --folds for an honest estimate.");
    }
    s
}

/// The time-aware split: the two periods, how the test period differs (base rate, metrics,
/// calibration) and the population stability index of the score and of every field.
fn time_section(model: &Model) -> Option<Section> {
    let t = model.training.time_split.as_ref()?;
    let mut s = Section::new("time", "Out-of-time check").paragraph(format!(
        "Rows are put in time order by \"{}\" (read as {}). Test period: {}.",
        t.column, t.format, t.rule
    ));
    let mut periods = Table::new(&["period", "from", "to", "rows"])
        .id("periods")
        .row(vec![
            "training".into(),
            t.train_from.clone(),
            t.train_to.clone(),
            t.train_rows.to_string(),
        ]);
    if t.test_rows > 0 {
        periods = periods.row(vec![
            "test (out-of-time)".into(),
            t.test_from.clone(),
            t.test_to.clone(),
            t.test_rows.to_string(),
        ]);
    }
    s = s.table(periods);
    if let Some(days) = t.maturity_days {
        s = s.paragraph(format!(
            "{} lead(s) younger than {days} days at {} were left out of training and evaluation: they have not had time to convert, so counting them as negatives would bias the score down.",
            t.immature_rows,
            t.as_of.as_deref().unwrap_or(MISSING)
        ));
    }
    let Some(d) = &model.drift else {
        return Some(s);
    };
    let (a, b) = (&d.train_metrics, &model.evaluation.evaluation.metrics);
    s = s.table(
        Table::new(&[
            "",
            "training period (in-sample)",
            "test period (out-of-time)",
        ])
        .id("period-metrics")
        .caption("The two periods")
        .rows([
            row(&["rows", &a.rows.to_string(), &b.rows.to_string()]),
            row(&[
                "positive rate",
                &percent(a.positive_rate, 1),
                &percent(b.positive_rate, 1),
            ]),
            row(&["roc_auc", &fixed(a.roc_auc, 3), &fixed(b.roc_auc, 3)]),
            row(&["log_loss", &fixed(a.log_loss, 4), &fixed(b.log_loss, 4)]),
            row(&["ece", &fixed(a.ece, 4), &fixed(b.ece, 4)]),
        ]),
    );
    let c = &d.calibration;
    s = s.table(
        Table::new(&["calibration in the test period", "value", "reading"])
            .id("calibration-drift")
            .align(2, Align::Left)
            .rows([
                row(&[
                    "ECE",
                    &fixed(c.ece, 4),
                    &format!(
                        "a calibrated score would stay below {} on these rows (95th percentile of outcomes drawn from the scores)",
                        fixed(c.ece_limit, 4)
                    ),
                ]),
                row(&[
                    "intercept shift (log odds)",
                    &format!(
                        "{} [{}, {}]",
                        fixed(c.intercept_shift, 3),
                        fixed(c.intercept_ci.map(|v| v[0]), 3),
                        fixed(c.intercept_ci.map(|v| v[1]), 3)
                    ),
                    "0 when calibrated; positive: the score under-predicts conversion (95% interval)",
                ]),
            ]),
    );
    if c.drifted {
        s = s.note("The score's calibration drifted in the test period: recalibrate, or refit on recent leads, before using its probabilities.");
    }
    let psi_row = |name: &str, v: Option<f64>| {
        vec![
            name.to_string(),
            fixed(v, 4),
            v.map_or(String::new(), |v| psi_reading(v).to_string()),
        ]
    };
    s = s.table(
        Table::new(&["", "PSI", "reading"])
            .id("psi")
            .caption(format!(
                "Population stability index, training period against test period (above {PSI_MODERATE}: moderate shift, above {PSI_MAJOR}: major)"
            ))
            .align(2, Align::Left)
            .row(psi_row("score", d.score_psi))
            .rows(d.fields.iter().map(|f| psi_row(&f.field, f.psi))),
    );
    Some(s)
}

/// Which fields matter: one Wald test per field, ranked.
fn field_tests(model: &Model) -> Option<Section> {
    if model.field_tests.is_empty() {
        return None;
    }
    Some(
        Section::new("fields", "Which fields matter")
            .paragraph("One Wald test per input field: every design column of the field (its one-hot levels, its missing indicator) tested together against zero, so a categorical field is judged as one question. Most significant first.")
            .table(
                Table::new(&["field", "df", "Wald chi²", "p-value"])
                    .id("field-tests")
                    .rows(model.field_tests.iter().map(|t| {
                        vec![
                            t.field.clone(),
                            t.df.to_string(),
                            fixed(t.chi2, 2),
                            p_value(t.p_value),
                        ]
                    })),
            ),
    )
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn ranking(model: &Model) -> Section {
    let e = &model.evaluation.evaluation;
    let model_style = SeriesStyle::nth(0).without_markers();
    let mut roc = LineChart::new(
        "ROC curve",
        Axis::percent("False-positive rate: non-converters handed over (%)"),
        Axis::percent("True-positive rate: converters handed over (%)"),
    );
    if !e.roc_curve.is_empty() {
        let points = e.roc_curve.iter().map(|p| (p.x, p.y)).collect();
        let name = format!("Model (AUC {})", fixed(e.metrics.roc_auc, 3));
        roc = roc.series(Series::new(name, points).style(model_style));
    }
    roc = roc.series(
        Series::new("Random (AUC 0.5)", vec![(0.0, 0.0), (1.0, 1.0)])
            .style(SeriesStyle::reference()),
    );

    let mut pr = LineChart::new(
        "Precision-recall curve",
        Axis::percent("Recall: converters handed over (%)"),
        Axis::percent("Precision: handed-over leads that convert (%)"),
    )
    .legend(Corner::TopRight);
    if !e.pr_curve.is_empty() {
        let points = e.pr_curve.iter().map(|p| (p.x, p.y)).collect();
        let name = format!("Model (AP {})", fixed(e.metrics.pr_auc, 3));
        pr = pr.series(Series::new(name, points).style(model_style));
    }
    if let Some(rate) = e.metrics.positive_rate {
        let name = format!("Base rate {}", percent(Some(rate), 1));
        pr = pr.series(
            Series::new(name, vec![(0.0, rate), (1.0, rate)]).style(SeriesStyle::reference()),
        );
    }
    let missing = if e.roc_curve.is_empty() {
        " Curves are not available (both outcomes are needed, and model files from before curves were stored lack them)."
    } else {
        ""
    };
    Section::new("ranking", "Ranking")
        .paragraph(format!(
            "How well the score puts converters first, at every threshold. Each point hands over every lead scoring at least the threshold.{missing}"
        ))
        .figures(vec![
            Figure::new("chart-roc", roc.to_svg(), "ROC curve: converters against non-converters handed over as the threshold falls; the dashed diagonal is a random score."),
            Figure::new("chart-pr", pr.to_svg(), "Precision-recall curve: the share of handed-over leads that convert against the share of converters reached; the dashed line is the base rate."),
        ])
}

fn calibration(model: &Model) -> Section {
    let c = &model.evaluation.evaluation.calibration;
    let points: Vec<(f64, f64)> = c
        .bins
        .iter()
        .map(|b| (b.mean_predicted, b.observed_rate))
        .collect();
    // Lead conversion rates are often small: zoom to the data, on equal axes.
    let top = points
        .iter()
        .flat_map(|&(x, y)| [x, y])
        .fold(0.0_f64, f64::max);
    let top = ((top * 1.1 * 20.0).ceil() / 20.0).clamp(0.05, 1.0);
    let chart = LineChart::new(
        "Calibration by decile",
        Axis::percent("Mean predicted probability (%)").range(0.0, top),
        Axis::percent("Observed conversion rate (%)").range(0.0, top),
    )
    .legend(Corner::TopLeft)
    .series(Series::new("Model (deciles of score)", points))
    .series(
        Series::new("Perfect calibration", vec![(0.0, 0.0), (top, top)])
            .style(SeriesStyle::reference()),
    );
    let table = Table::new(&[
        "decile",
        "score range",
        "rows",
        "mean predicted",
        "observed rate",
    ])
    .id("calibration")
    .rows(c.bins.iter().map(|b| {
        vec![
            b.bin.to_string(),
            format!("{:.3} – {:.3}", b.lower, b.upper),
            b.rows.to_string(),
            percent(Some(b.mean_predicted), 1),
            percent(Some(b.observed_rate), 1),
        ]
    }));
    Section::new("calibration", "Calibration")
        .paragraph(format!(
            "Do predicted probabilities match what happened? Leads are cut into ten equal-count groups by score; points on the diagonal are well calibrated. Expected calibration error: {}.",
            fixed(c.ece, 4)
        ))
        .figures(vec![Figure::new("chart-calibration", chart.to_svg(), "Calibration: observed conversion rate against mean predicted probability per decile of score; the dashed diagonal is perfect calibration.")])
        .table(table)
}

fn gains(model: &Model) -> Section {
    let e = &model.evaluation.evaluation;
    let mut curve = vec![(0.0, 0.0)];
    curve.extend(
        e.gains
            .iter()
            .filter_map(|g| Some((g.leads_share, g.captured_share?))),
    );
    let mut chart = LineChart::new(
        "Cumulative gains",
        Axis::percent("Leads contacted, highest scores first (%)"),
        Axis::percent("Conversions captured (%)"),
    )
    .series(Series::new("Model (by decile)", curve));
    if let Some(rate) = e.metrics.positive_rate.filter(|&r| r > 0.0) {
        let perfect = SeriesStyle {
            dash: Dash::Dotted,
            ..SeriesStyle::reference()
        };
        chart = chart.series(
            Series::new("Perfect ranking", vec![(0.0, 0.0), (rate, 1.0), (1.0, 1.0)])
                .style(perfect),
        );
    }
    chart = chart.series(
        Series::new("Random", vec![(0.0, 0.0), (1.0, 1.0)]).style(SeriesStyle::reference()),
    );

    let mut lift = BarChart::new(
        "Lift by decile",
        "Decile of score (1 = highest scores)",
        e.gains.iter().map(|g| g.decile.to_string()).collect(),
        Axis::new("Lift (decile conversion rate / overall rate)").format(TickFormat::Fixed(1)),
    )
    .group(BarGroup {
        name: String::new(),
        values: e.gains.iter().map(|g| g.lift.unwrap_or(f64::NAN)).collect(),
        intervals: None,
    });
    lift.reference = Some((1.0, "Random (lift 1)".into()));
    lift.value_labels = true;
    Section::new("gains", "Gains and lift")
        .paragraph("What calling leads in score order buys: the share of all conversions reached after contacting the top x% of leads, and how much more often each decile converts than leads overall.")
        .figures(vec![
            Figure::new("chart-gains", chart.to_svg(), "Cumulative gains: share of conversions captured against share of leads contacted, highest scores first; dashed: random order, dotted: perfect ranking."),
            Figure::new("chart-lift", lift.to_svg(), "Lift per decile of score: the decile's conversion rate over the overall rate; the dashed line at 1 is a random order."),
        ])
}

fn coefficients(model: &Model) -> Section {
    let rows: Vec<ForestRow> = model
        .coefficients
        .iter()
        .filter(|c| c.name != INTERCEPT)
        .map(|c| ForestRow {
            label: c.name.clone(),
            estimate: c.estimate,
            interval: c.ci_lower.zip(c.ci_upper),
        })
        .collect();
    let ends = rows.iter().flat_map(|r| {
        let (a, b) = r.interval.unwrap_or((r.estimate, r.estimate));
        [a, b, r.estimate]
    });
    let (lo, hi) = ends
        .filter(|v| v.is_finite())
        .fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
    let pad = (hi - lo).max(0.1) * 0.05;
    let axis = Axis::new("Coefficient: change in log-odds per unit of the column (0 = no effect)")
        .range((lo - pad).max(-FOREST_LIMIT), (hi + pad).min(FOREST_LIMIT));
    let title = if let Some(f) = &model.fit.firth {
        let kind = if f.lr_p_value.is_some() {
            "profile penalised-likelihood"
        } else {
            "Wald"
        };
        format!("Coefficients of Firth's bias-reduced fit with 95% {kind} intervals")
    } else if model.fit.inference {
        "Coefficients with 95% confidence intervals".to_string()
    } else if let Some(r) = model.fit.l1_ratio {
        format!(
            "Coefficients (regularised fit, alpha = {}, l1_ratio = {r}: no intervals; {} exactly zero)",
            model.fit.alpha,
            model.fit.zero_coefficients.unwrap_or(0)
        )
    } else {
        format!(
            "Coefficients (regularised fit, alpha = {}: no intervals)",
            model.fit.alpha
        )
    };
    let forest = ForestPlot::new(title, axis, rows);
    // A Firth fit says which kind each inference column is, and adds logistf's default test.
    let firth = model.fit.firth.as_ref();
    let lr = model.coefficients.iter().any(|c| c.lr_p_value.is_some());
    let mut headers = if firth.is_some() {
        vec![
            "term",
            "estimate",
            "std. error",
            "z (Wald)",
            "p (Wald)",
            if lr {
                "95% CI (profile)"
            } else {
                "95% CI (Wald)"
            },
            "odds ratio",
        ]
    } else {
        vec![
            "term",
            "estimate",
            "std. error",
            "z",
            "p",
            "95% CI",
            "odds ratio",
        ]
    };
    if lr {
        headers.push("p (penalised LR)");
    }
    let table = Table::new(&headers)
        .id("coefficients")
        .rows(model.coefficients.iter().map(|c| {
            let ci = match (c.ci_lower, c.ci_upper) {
                (Some(a), Some(b)) => {
                    format!("[{}, {}]", significant(Some(a)), significant(Some(b)))
                }
                _ => MISSING.to_string(),
            };
            let mut row = vec![
                c.name.clone(),
                significant(Some(c.estimate)),
                significant(c.std_error),
                fixed(c.z, 2),
                p_value(c.p_value),
                ci,
                significant(Some(c.odds_ratio)),
            ];
            if lr {
                row.push(p_value(c.lr_p_value));
            }
            row
        }));
    let mut s = Section::new("coefficients", "Coefficients").paragraph(
        "Effects on the log-odds of converting, in the columns' own units: per unit for numbers, yes against no, and each level against the column's reference level for categories. The intercept is left out of the plot.",
    );
    if !model.fit.inference {
        s = s.note("This fit is regularised: its standard errors and intervals would not be valid, so only point estimates are shown.");
    }
    if let Some(f) = firth {
        let mut note = format!(
            "Firth's bias-reduced logistic regression (penalised log likelihood {:.4}): its estimates stay finite when a feature separates the classes. Standard errors: {}. z and p: {}. Intervals: {}.",
            f.penalised_log_likelihood, f.std_error, f.p_value, f.interval
        );
        if let Some(t) = &f.lr_p_value {
            note.push_str(&format!(" p (penalised LR): {t}."));
        }
        s = s.note(&note);
    }
    s.figures(vec![Figure::new("chart-coefficients", forest.to_svg(), "Coefficient estimates (squares) with 95% confidence intervals (whiskers) on the log-odds scale; the dashed line is no effect. Arrows mark intervals that run past the axis.").wide()])
        .table(table)
}

fn thresholds(model: &Model) -> Section {
    let table = Table::new(&[
        "threshold",
        "handed over",
        "handed over %",
        "conversions",
        "precision %",
        "recall %",
    ])
    .id("thresholds")
    .rows(model.evaluation.evaluation.thresholds.iter().map(|r| {
        vec![
            format!("{:.2}", r.threshold),
            r.handed_over.to_string(),
            percent(r.handed_over_share, 1),
            r.conversions.to_string(),
            percent(r.precision, 1),
            percent(r.recall, 1),
        ]
    }));
    Section::new("thresholds", "Handover thresholds")
        .paragraph("Handing over every lead scoring at least the threshold: how many leads sales would get, how many of them convert (precision), and the share of all conversions they hold (recall).")
        .table(table)
}

fn bands(model: &Model) -> Section {
    let rows = &model.evaluation.evaluation.bands;
    let table = Table::new(&["band", "score range", "rows", "conversions", "conversion %"])
        .id("bands")
        .rows(rows.iter().enumerate().map(|(i, b)| {
            // Bands are [lower, upper) except the top one, closed at 1.
            let close = if i == 0 { "]" } else { ")" };
            vec![
                b.band.clone(),
                format!("[{:.3}, {:.3}{close}", b.lower, b.upper),
                b.rows.to_string(),
                b.conversions.to_string(),
                percent(b.conversion_rate, 1),
            ]
        }));
    Section::new("bands", "Score bands")
        .paragraph("Letter grades for scores, band A highest; counts are on the evaluation rows.")
        .table(table)
}

fn fit(model: &Model) -> Section {
    let f = &model.fit;
    let penalty = match (f.l1_ratio, f.zero_coefficients) {
        (Some(r), Some(zeros)) => vec![
            row(&["alpha (elastic-net penalty)", &f.alpha.to_string()]),
            row(&["l1_ratio (1 = lasso)", &r.to_string()]),
            row(&[
                "coefficients exactly zero",
                &format!("{zeros} of {}", model.coefficients.len().saturating_sub(1)),
            ]),
        ],
        _ => vec![row(&["alpha (L2 penalty)", &f.alpha.to_string()])],
    };
    let table = Table::new(&["", "value"]).id("fit").rows(
        std::iter::once(row(&["solver", f.solver.as_str()]))
            .chain(penalty)
            .chain([
                row(&["iterations", &f.iterations.to_string()]),
                row(&["converged", if f.converged { "yes" } else { "no" }]),
                row(&[
                    "rows / converters",
                    &format!("{} / {}", f.rows, f.positives),
                ]),
                row(&["log-likelihood", &fixed(Some(f.log_likelihood), 2)]),
                row(&[
                    "null log-likelihood",
                    &fixed(Some(f.null_log_likelihood), 2),
                ]),
                row(&["McFadden pseudo R²", &fixed(Some(f.pseudo_r2), 4)]),
                row(&[
                    "AIC / BIC",
                    &format!("{} / {}", fixed(Some(f.aic), 1), fixed(Some(f.bic), 1)),
                ]),
                row(&[
                    "fit / load time (s)",
                    &format!(
                        "{} / {}",
                        fixed(Some(f.fit_seconds), 3),
                        fixed(Some(f.load_seconds), 3)
                    ),
                ]),
            ]),
    );
    let mut s = Section::new("fit", "Fit").table(table);
    if let Some(search) = f.alpha_search.as_ref().filter(|_| f.l1_ratio.is_some()) {
        s = s.table(
            Table::new(&["alpha", "cross-validated log loss", "nonzero coefficients", ""])
                .id("alpha-search")
                .caption("Alpha path (elastic net, from alpha_max down; nonzero counts of the fit on every training row)")
                .rows(search.iter().map(|a| {
                    vec![
                        significant(Some(a.alpha)),
                        fixed(a.cv_log_loss, 5),
                        a.nonzero.map_or(MISSING.to_string(), |k| k.to_string()),
                        if a.alpha == f.alpha { "chosen".to_string() } else { String::new() },
                    ]
                })),
        );
    } else if let Some(search) = &f.alpha_search {
        s = s.table(
            Table::new(&["alpha", "cross-validated log loss"])
                .id("alpha-search")
                .caption("Alpha search")
                .rows(
                    search
                        .iter()
                        .map(|a| vec![a.alpha.to_string(), fixed(a.cv_log_loss, 5)]),
                ),
        );
    }
    if !f.converged {
        s = s.note("The solver did not converge: treat estimates and intervals with suspicion.");
    }
    s
}

fn data(model: &Model) -> Section {
    let t = &model.training;
    let mut s = Section::new("data", "Columns and warnings");
    s = s.paragraph(if t.excluded.is_empty() {
        "No columns were excluded.".to_string()
    } else {
        format!("Excluded columns: {}.", t.excluded.join(", "))
    });
    s = if t.dropped.is_empty() {
        s.paragraph("No columns were dropped.")
    } else {
        s.table(
            Table::new(&["dropped column", "reason"])
                .id("dropped")
                .align(1, Align::Left)
                .rows(
                    t.dropped
                        .iter()
                        .map(|d| vec![d.name.clone(), d.reason.clone()]),
                ),
        )
    };
    if t.warnings.is_empty() {
        s.paragraph("No warnings.")
    } else {
        t.warnings
            .iter()
            .fold(s, |s, w| s.note(format!("Warning: {w}")))
    }
}

fn metadata(model: &Model) -> Section {
    let t = &model.training;
    let positive = model.target.positive.as_deref().unwrap_or("1/yes/true");
    let table = Table::new(&["", "value"])
        .id("metadata")
        .align(1, Align::Left)
        .rows([
            row(&["data file", &t.data_file]),
            row(&["data SHA-256", &t.data_sha256]),
            row(&[
                "rows in file / used to fit",
                &format!("{} / {}", t.file_rows, t.fit_rows),
            ]),
            row(&["columns", &t.columns.to_string()]),
            row(&[
                "target (positive value)",
                &format!("{} ({positive})", model.target.column),
            ]),
            row(&["id column", model.id_column.as_deref().unwrap_or(MISSING)]),
            row(&["seed", &t.seed.to_string()]),
            row(&["holdout share", &t.holdout.to_string()]),
            row(&[
                "folds",
                &t.folds.map_or(MISSING.to_string(), |k| k.to_string()),
            ]),
            row(&["minimum level count", &t.min_level_count.to_string()]),
            row(&["model format version", &model.format_version.to_string()]),
            row(&["leadsim version", &t.crate_version]),
        ]);
    Section::new("training", "Training metadata").table(table)
}
