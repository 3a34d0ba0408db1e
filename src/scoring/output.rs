//! What the scoring commands output besides their data files: the plain-text summaries the
//! CLI prints (the coefficient table like statsmodels' `Logit.summary()`, metrics,
//! calibration, gains, the threshold table and score bands) and [`save_model`], which writes a
//! model file together with its HTML report.
//!
//! Numbers go through [`crate::format`] where it has the format: shares with
//! [`percent`], fixed decimals with [`fixed`], p-values with [`p_value`], and [`MISSING`] for
//! a value that does not exist, as in the HTML report. The coefficient columns keep their own
//! fixed-width format: fixed decimals, scientific beyond them, which
//! the format module does not have.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::format::{fixed, p_value, percent, MISSING};
use crate::scoring::metrics::{
    psi_reading, Evaluation, Metrics, PeriodComparison, PSI_MAJOR, PSI_MODERATE,
};
use crate::scoring::model::Model;
use crate::scoring::score::ScoreSummary;
use crate::scoring::train::TimeSplitInfo;

/// A coefficient-table number: `digits` decimals, in scientific notation (`1.480e-4`) for very
/// small or very large magnitudes (e.g. a coefficient per currency unit), so that a column of
/// them lines up.
fn coefficient_number(x: f64, digits: usize) -> String {
    let a = x.abs();
    if !x.is_finite() {
        MISSING.to_string()
    } else if x != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{x:.3e}")
    } else {
        format!("{x:.digits$}")
    }
}

fn optional_coefficient_number(v: Option<f64>, digits: usize) -> String {
    v.map_or(MISSING.to_string(), |x| coefficient_number(x, digits))
}

/// A share in percent with one decimal, as every table here writes it.
fn pct(v: Option<f64>) -> String {
    percent(v, 1)
}

/// Writes `model` to `path` (pretty JSON) and its HTML report beside it, named after it
/// ([`crate::report::report_path_for`]: `model.json` gets `model.report.html`); returns the
/// report's path. As [`save_model_with_report`].
///
/// # Errors
/// [`Error::Io`] when either file cannot be written.
pub fn save_model(model: &Model, path: &Path) -> Result<PathBuf> {
    let report_path = crate::report::report_path_for(path);
    save_model_with_report(model, path, &report_path)?;
    Ok(report_path)
}

/// Writes `model` to `path` and its HTML report to `report_path`. Both files are written in
/// full before either is committed, so a failure while writing leaves neither; in one folder
/// they are moved into place together.
///
/// # Errors
/// [`Error::Io`] when either file cannot be written.
pub fn save_model_with_report(model: &Model, path: &Path, report_path: &Path) -> Result<()> {
    let json = serde_json::to_vec_pretty(model).expect("model serialises");
    let html = crate::report::train::train_report(model);
    let file_name = |p: &Path| {
        p.file_name()
            .ok_or_else(|| Error::io(p, std::io::Error::other("not a file name")))
            .map(|n| n.to_os_string())
    };
    let (model_name, report_name) = (file_name(path)?, file_name(report_path)?);
    let folder = |p: &Path| p.parent().unwrap_or(Path::new("")).to_path_buf();
    if model_name == report_name && folder(path) == folder(report_path) {
        return Err(Error::io(
            report_path,
            std::io::Error::other("the report would overwrite the model file"),
        ));
    }
    let write = |file: &mut AtomicFile, bytes: &[u8], p: &Path| {
        std::io::Write::write_all(file, bytes).map_err(|e| Error::io(p, e))
    };
    if folder(path) == folder(report_path) {
        // Both in one folder, moved into place together: neither remains if either fails.
        let staged = crate::atomic::StagedDir::new(folder(path))?;
        let mut model_file = AtomicFile::create(staged.stage(&model_name))?;
        write(&mut model_file, &json, path)?;
        let mut report_file = AtomicFile::create(staged.stage(&report_name))?;
        write(&mut report_file, html.as_bytes(), report_path)?;
        model_file.commit()?;
        report_file.commit()?;
        staged.commit(&[Path::new(&model_name), Path::new(&report_name)])?;
    } else {
        let mut model_file = AtomicFile::create(path)?;
        write(&mut model_file, &json, path)?;
        let mut report_file = AtomicFile::create(report_path)?;
        write(&mut report_file, html.as_bytes(), report_path)?;
        report_file.commit()?;
        model_file.commit()?;
    }
    Ok(())
}

/// The summary `leadsim train` prints.
pub fn train_summary(m: &Model) -> String {
    let mut s = String::new();
    let f = &m.fit;
    let _ = writeln!(
        s,
        "Logistic regression of {} on {} ({} rows fit, {} positive; {} columns)",
        m.target.column,
        m.training.data_file,
        f.rows,
        f.positives,
        m.encoder.columns.len()
    );
    let _ = writeln!(
        s,
        "solver {}, alpha {}, {}, converged: {}; log likelihood {:.4} (null {:.4}), pseudo R2 {:.4}, AIC {:.1}",
        f.solver,
        f.alpha,
        match f.solver {
            // linfa-logistic does not report its iteration count.
            crate::scoring::solver::SolverKind::Lbfgs => "iterations not reported".to_string(),
            _ => format!("{} iterations", f.iterations),
        },
        if f.converged { "yes" } else { "NO" },
        f.log_likelihood,
        f.null_log_likelihood,
        f.pseudo_r2,
        f.aic
    );
    let _ = writeln!(
        s,
        "load {:.3} s, fit {:.3} s",
        f.load_seconds, f.fit_seconds
    );
    if let (Some(r), Some(zeros)) = (f.l1_ratio, f.zero_coefficients) {
        let _ = writeln!(
            s,
            "elastic net, l1_ratio {r}: {zeros} of {} coefficients exactly zero",
            m.coefficients.len().saturating_sub(1)
        );
    }
    if let Some(search) = f.alpha_search.as_ref().filter(|_| f.l1_ratio.is_some()) {
        let _ = writeln!(
            s,
            "\nalpha path (K-fold log loss per row; nonzero coefficients of the fit on every training row):"
        );
        for c in search {
            let _ = writeln!(
                s,
                "  alpha {:>12.6}  {}  nonzero {:>4}{}",
                c.alpha,
                fixed(c.cv_log_loss, 5),
                c.nonzero.map_or("–".to_string(), |k| k.to_string()),
                if c.alpha == f.alpha {
                    "  <- chosen"
                } else {
                    ""
                }
            );
        }
    } else if let Some(search) = &f.alpha_search {
        let _ = writeln!(s, "\nalpha search (K-fold log loss per row):");
        for c in search {
            let _ = writeln!(
                s,
                "  alpha {:>8}  {}{}",
                c.alpha,
                fixed(c.cv_log_loss, 5),
                if c.alpha == f.alpha {
                    "  <- chosen"
                } else {
                    ""
                }
            );
        }
    }
    let width = m
        .coefficients
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(11, 48);
    if let Some(firth) = &f.firth {
        let _ = writeln!(
            s,
            "Firth's bias-reduced fit: penalised log likelihood {:.4} (log likelihood above is unpenalised)\n  std_error: {}\n  z, p_value: {}\n  ci_lower, ci_upper: {}",
            firth.penalised_log_likelihood, firth.std_error, firth.p_value, firth.interval
        );
        if let Some(lr) = &firth.lr_p_value {
            let _ = writeln!(s, "  lr_p_value: {lr}");
        }
    }
    // Firth fits with profiling add logistf's default test as a last column.
    let lr = m.coefficients.iter().any(|c| c.lr_p_value.is_some());
    let _ = writeln!(
        s,
        "\n{:<width$} {:>11} {:>10} {:>8} {:>9} {:>11} {:>11} {:>10}{}",
        "coefficient",
        "estimate",
        "std_error",
        "z",
        "p_value",
        "ci_lower",
        "ci_upper",
        "odds_ratio",
        if lr {
            format!(" {:>10}", "lr_p_value")
        } else {
            String::new()
        }
    );
    for c in &m.coefficients {
        let name: String = c.name.chars().take(width).collect();
        let _ = writeln!(
            s,
            "{:<width$} {:>11} {:>10} {:>8} {:>9} {:>11} {:>11} {:>10}{}",
            name,
            coefficient_number(c.estimate, 5),
            optional_coefficient_number(c.std_error, 5),
            fixed(c.z, 2),
            p_value(c.p_value),
            optional_coefficient_number(c.ci_lower, 5),
            optional_coefficient_number(c.ci_upper, 5),
            coefficient_number(c.odds_ratio, 4),
            if lr {
                format!(" {:>10}", p_value(c.lr_p_value))
            } else {
                String::new()
            }
        );
    }
    if !f.inference {
        let _ = writeln!(
            s,
            "(regularised fit: standard errors and intervals are not reported)"
        );
    }
    if !m.field_tests.is_empty() {
        let width = m
            .field_tests
            .iter()
            .map(|t| t.field.chars().count())
            .max()
            .unwrap_or(5)
            .clamp(5, 40);
        let _ = writeln!(
            s,
            "\nfields, most significant first (Wald test of all a field's columns together):\n  {:<width$} {:>4} {:>10} {:>9}",
            "field", "df", "chi2", "p_value"
        );
        for t in &m.field_tests {
            let name: String = t.field.chars().take(width).collect();
            let _ = writeln!(
                s,
                "  {name:<width$} {:>4} {:>10} {:>9}",
                t.df,
                fixed(t.chi2, 2),
                p_value(t.p_value)
            );
        }
    }
    let _ = writeln!(s);
    if let Some(t) = &m.training.time_split {
        s.push_str(&time_block(
            t,
            m.drift.as_ref(),
            &m.evaluation.evaluation.metrics,
        ));
    }
    s.push_str(&evaluation_body(
        &m.evaluation.evaluation,
        &format!("{} ({} rows)", m.evaluation.kind, m.evaluation.rows),
    ));
    s
}

/// The periods of a time-aware split and how the test period differs from the training one.
fn time_block(t: &TimeSplitInfo, drift: Option<&PeriodComparison>, test: &Metrics) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "time-aware split on \"{}\" ({}; test: {}):\n  training period {} to {} ({} rows)",
        t.column, t.format, t.rule, t.train_from, t.train_to, t.train_rows
    );
    if t.test_rows > 0 {
        let _ = writeln!(
            s,
            "  test period     {} to {} ({} rows): metrics below are out-of-time",
            t.test_from, t.test_to, t.test_rows
        );
    }
    if let Some(days) = t.maturity_days {
        let _ = writeln!(
            s,
            "  left out: {} immature lead(s), younger than {days} days at {}",
            t.immature_rows,
            t.as_of.as_deref().unwrap_or(MISSING)
        );
    }
    if let Some(d) = drift {
        let tm = &d.train_metrics;
        let _ = writeln!(
            s,
            "training period (in-sample) -> test period (out-of-time):\n  positive rate {} -> {}  roc_auc {} -> {}  log_loss {} -> {}  ece {} -> {}",
            pct(tm.positive_rate),
            pct(test.positive_rate),
            fixed(tm.roc_auc, 4),
            fixed(test.roc_auc, 4),
            fixed(tm.log_loss, 4),
            fixed(test.log_loss, 4),
            fixed(tm.ece, 4),
            fixed(test.ece, 4),
        );
        let c = &d.calibration;
        let _ = writeln!(
            s,
            "  calibration in the test period: ece {} (a calibrated score stays below {}, 95%), intercept shift {} [{}, {}]{}",
            fixed(c.ece, 4),
            fixed(c.ece_limit, 4),
            fixed(c.intercept_shift, 3),
            fixed(c.intercept_ci.map(|v| v[0]), 3),
            fixed(c.intercept_ci.map(|v| v[1]), 3),
            if c.drifted { ": DRIFTED" } else { ": held" }
        );
        let _ = writeln!(
            s,
            "  population stability index (PSI; > {PSI_MODERATE} moderate, > {PSI_MAJOR} major shift):\n    {:<40} {:>7}  {}",
            "score",
            fixed(d.score_psi, 4),
            d.score_psi.map_or("", psi_reading)
        );
        for f in &d.fields {
            let name: String = f.field.chars().take(40).collect();
            let _ = writeln!(
                s,
                "    {name:<40} {:>7}  {}",
                fixed(f.psi, 4),
                f.psi.map_or("", psi_reading)
            );
        }
    }
    let _ = writeln!(s);
    s
}

/// The summary `leadsim evaluate` prints.
pub fn evaluation_summary(e: &Evaluation, source: &str) -> String {
    evaluation_body(e, source)
}

fn metrics_line(m: &Metrics) -> String {
    format!(
        "roc_auc {}  pr_auc {}  log_loss {}  brier {}  ece {}  (rows {}, positive rate {})",
        fixed(m.roc_auc, 4),
        fixed(m.pr_auc, 4),
        fixed(m.log_loss, 4),
        fixed(m.brier, 4),
        fixed(m.ece, 4),
        m.rows,
        pct(m.positive_rate)
    )
}

fn evaluation_body(e: &Evaluation, source: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "metrics on {source}:\n  {}", metrics_line(&e.metrics));
    let _ = writeln!(s, "\ncalibration by decile (predicted vs observed):");
    for b in &e.calibration.bins {
        let _ = writeln!(
            s,
            "  {:>2}  [{:.3}, {:.3}]  rows {:>7}  predicted {:>6}  observed {:>6}",
            b.bin,
            b.lower,
            b.upper,
            b.rows,
            pct(Some(b.mean_predicted)),
            pct(Some(b.observed_rate))
        );
    }
    let _ = writeln!(
        s,
        "\ncumulative gains and lift by decile (highest scores first):"
    );
    for g in &e.gains {
        let _ = writeln!(
            s,
            "  {:>2}  leads {:>6}  conversions captured {:>6}  lift {:>5}  cumulative lift {:>5}",
            g.decile,
            pct(Some(g.leads_share)),
            pct(g.captured_share),
            fixed(g.lift, 2),
            fixed(g.cumulative_lift, 2)
        );
    }
    let _ = writeln!(
        s,
        "\nthreshold table (hand over leads scoring >= threshold):\n  threshold  handed over  precision  recall"
    );
    for t in &e.thresholds {
        let _ = writeln!(
            s,
            "  {:>9.2}  {:>11}  {:>9}  {:>6}",
            t.threshold,
            pct(t.handed_over_share),
            pct(t.precision),
            pct(t.recall)
        );
    }
    let _ = writeln!(s, "\nscore bands:");
    for b in &e.bands {
        let _ = writeln!(
            s,
            "  {}  [{:.3}, {:.3})  rows {:>7}  conversion {}",
            b.band,
            b.lower,
            b.upper,
            b.rows,
            pct(b.conversion_rate)
        );
    }
    s
}

/// The summary `leadsim score` prints.
pub fn score_summary(sm: &ScoreSummary, out: &Path) -> String {
    let mut s = format!(
        "scored {} leads in {:.2} s (mean score {}) -> {}\nleads by band:",
        sm.rows,
        sm.seconds,
        fixed(sm.mean_score, 4),
        out.display()
    );
    for (band, n) in &sm.bands {
        let _ = write!(s, "  {band}: {n}");
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::train::{train, Silent, TrainOptions};

    fn trained(alpha: f64) -> Model {
        let opts = TrainOptions {
            data: Path::new(env!("CARGO_MANIFEST_DIR")).join("data/b2b-saas-history.csv"),
            alpha,
            ..Default::default()
        };
        train(&opts, &Silent).unwrap()
    }

    /// The coefficient table's row for `name`, split into cells.
    fn row<'a>(summary: &'a str, name: &str) -> Vec<&'a str> {
        let line = summary
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row {name}"));
        line.split_whitespace().collect()
    }

    #[test]
    fn coefficient_table_cells() {
        let mle = train_summary(&trained(0.0));
        // The intercept has z near -8: its p-value is below what four decimals show.
        let icept = row(&mle, "(intercept)");
        assert_eq!(icept.len(), 8, "{icept:?}");
        assert_eq!(icept[4], "<0.0001");
        assert!(
            icept[1].parse::<f64>().unwrap().abs() > 1.0
                && icept[1].split('.').nth(1).unwrap().len() == 5
        );
        // A regularised fit has no standard errors, z, p or intervals: five missing cells.
        let ridge = train_summary(&trained(1.0));
        let intercept = row(&ridge, "(intercept)");
        assert_eq!(intercept[2..7], ["–"; 5], "{intercept:?}");
        assert!(ridge.contains("(regularised fit: standard errors and intervals are not reported)"));
    }

    #[test]
    fn save_model_leaves_nothing_when_it_fails() {
        let model = trained(0.0);
        let dir = tempfile::tempdir().unwrap();
        // A folder where the model file should go: the model cannot be renamed into place.
        let blocked = dir.path().join("model.json");
        std::fs::create_dir(&blocked).unwrap();
        let err = save_model(&model, &blocked).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if path == &blocked),
            "{err}"
        );
        // No report without its model, and no temporary file.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["model.json"]);
    }
}
