//! Plain-text summaries for the terminal: the coefficient table (like statsmodels'
//! `Logit.summary()`), metrics, calibration, the threshold table and score bands.

use std::fmt::Write;
use std::path::Path;

use crate::scoring::metrics::{Evaluation, Metrics};
use crate::scoring::model::Model;
use crate::scoring::score::ScoreSummary;

fn opt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) => format!("{x:.digits$}"),
        None => "-".to_string(),
    }
}

/// A number in a fixed width with about `digits` significant decimals, switching to scientific
/// notation for very small or very large magnitudes (e.g. a coefficient per currency unit).
fn num(x: f64, digits: usize) -> String {
    let a = x.abs();
    if x != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{x:.3e}")
    } else {
        format!("{x:.digits$}")
    }
}

fn optnum(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".to_string(), |x| num(x, digits))
}

fn pct(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{:.1}%", 100.0 * x),
        None => "-".to_string(),
    }
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
    if let Some(search) = &f.alpha_search {
        let _ = writeln!(s, "\nalpha search (K-fold log loss per row):");
        for c in search {
            let _ = writeln!(
                s,
                "  alpha {:>8}  {}{}",
                c.alpha,
                opt(c.cv_log_loss, 5),
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
    let _ = writeln!(
        s,
        "\n{:<width$} {:>11} {:>10} {:>8} {:>9} {:>11} {:>11} {:>10}",
        "coefficient",
        "estimate",
        "std_error",
        "z",
        "p_value",
        "ci_lower",
        "ci_upper",
        "odds_ratio"
    );
    for c in &m.coefficients {
        let name: String = c.name.chars().take(width).collect();
        let _ = writeln!(
            s,
            "{:<width$} {:>11} {:>10} {:>8} {:>9} {:>11} {:>11} {:>10}",
            name,
            num(c.estimate, 5),
            optnum(c.std_error, 5),
            opt(c.z, 2),
            c.p_value.map_or("-".into(), |p| if p < 1e-4 {
                format!("{p:.1e}")
            } else {
                format!("{p:.4}")
            }),
            optnum(c.ci_lower, 5),
            optnum(c.ci_upper, 5),
            num(c.odds_ratio, 4)
        );
    }
    if !f.inference {
        let _ = writeln!(
            s,
            "(regularised fit: standard errors and intervals are not reported)"
        );
    }
    let _ = writeln!(s);
    s.push_str(&evaluation_body(
        &m.evaluation.evaluation,
        &format!("{} ({} rows)", m.evaluation.kind, m.evaluation.rows),
    ));
    s
}

/// The summary `leadsim evaluate` prints.
pub fn evaluation_summary(e: &Evaluation, source: &str) -> String {
    evaluation_body(e, source)
}

fn metrics_line(m: &Metrics) -> String {
    format!(
        "roc_auc {}  pr_auc {}  log_loss {}  brier {}  ece {}  (rows {}, positive rate {})",
        opt(m.roc_auc, 4),
        opt(m.pr_auc, 4),
        opt(m.log_loss, 4),
        opt(m.brier, 4),
        opt(m.ece, 4),
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
            opt(g.lift, 2),
            opt(g.cumulative_lift, 2)
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
        opt(sm.mean_score, 4),
        out.display()
    );
    for (band, n) in &sm.bands {
        let _ = write!(s, "  {band}: {n}");
    }
    s.push('\n');
    s
}
