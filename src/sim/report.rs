//! The printed table and the output files (`summary.csv`, `summary.json`, `replications.csv`),
//! each written atomically.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::metric::{self, PoolMetric};
use super::run::Results;
use crate::atomic::{write_atomic, AtomicFile};
use crate::error::{Error, Result};
use crate::format::MISSING;
use crate::stats::Interval;

/// A table cell: an interval of `metric` (a paired difference when `diff`), its parts as the
/// HTML report writes them, joined by spaces.
fn cell(metric: &str, s: &Interval, diff: bool, reps: usize) -> String {
    metric::describe(metric).cell_parts(s, reps, diff).join(" ")
}

impl Results {
    /// The human-readable table: one row per scenario with each key metric's mean and 95%
    /// interval half-width, and under every other scenario its paired difference against the
    /// baseline; then the precision reached, the best policies by the ranking's objective and
    /// the cost frontier. Beyond 20 scenarios only the baseline and the 15 best by the objective
    /// get rows (the full table is `summary.csv`).
    pub fn table(&self) -> String {
        // Past about 20 rows a table no longer fits a screen; 5 best are what a decision needs.
        const TABLE_MAX_SCENARIOS: usize = 20;
        const TABLE_TOP: usize = 15;
        const BEST: usize = 5;
        let mut metrics: Vec<String> = metric::PRINTED_TABLE
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        for sc in &self.scenarios {
            for pool in &sc.config.pools {
                let m = PoolMetric::Utilisation.name(&pool.name);
                if !metrics.contains(&m) {
                    metrics.push(m);
                }
            }
        }
        // Big sweeps: the baseline, then the best by the objective, so the table stays readable.
        let shown: Vec<usize> = match &self.ranking {
            Some(r) if self.scenarios.len() > TABLE_MAX_SCENARIOS => std::iter::once(0)
                .chain(
                    r.ranked
                        .iter()
                        .map(|p| p.scenario)
                        .filter(|&i| i != 0)
                        .take(TABLE_TOP),
                )
                .collect(),
            _ => (0..self.scenarios.len()).collect(),
        };
        let mut rows: Vec<Vec<String>> = vec![std::iter::once("scenario".to_string())
            .chain(metrics.iter().cloned())
            .collect()];
        for &i in &shown {
            let sc = &self.scenarios[i];
            let find = |m: &str| sc.summary.iter().find(|s| s.metric == m);
            let mut row = vec![sc.name.clone()];
            let mut diff = vec![if i == 0 {
                String::new()
            } else {
                "  vs baseline".to_string()
            }];
            for m in &metrics {
                match find(m) {
                    Some(s) => {
                        row.push(cell(m, &s.value, false, self.replications));
                        diff.push(
                            s.diff
                                .as_ref()
                                .map_or(String::new(), |d| cell(m, d, true, self.replications)),
                        );
                    }
                    None => {
                        row.push(MISSING.into());
                        diff.push(String::new());
                    }
                }
            }
            rows.push(row);
            if i > 0 {
                rows.push(diff);
            }
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|j| rows.iter().map(|r| r[j].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} replications, seed {}; mean ±95% half-width (Student t); \"vs baseline\" rows are paired differences against \"{}\"",
            if self.name.is_empty() { "leadsim simulate" } else { &self.name },
            self.replications,
            self.seed,
            self.scenarios[0].name
        );
        let pad_row = |r: &[String]| -> String {
            let line: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    let pad = widths[j] - c.chars().count();
                    if j == 0 {
                        format!("{c}{}", " ".repeat(pad))
                    } else {
                        format!("{}{c}", " ".repeat(pad))
                    }
                })
                .collect();
            line.join("  ").trim_end().to_string()
        };
        for r in &rows {
            let _ = writeln!(out, "{}", pad_row(r));
        }
        if let (Some(r), true) = (&self.ranking, shown.len() < self.scenarios.len()) {
            let _ = writeln!(
                out,
                "(the baseline and the {} best of {} scenarios by {}; every scenario is in summary.csv)",
                shown.len() - 1,
                self.scenarios.len(),
                r.objective
            );
        }
        if let Some(p) = &self.precision {
            let target = metric::describe(&p.metric)
                .half_width(p.half_width)
                .unwrap_or_else(|| MISSING.into());
            if p.unmet.is_empty() {
                let _ = writeln!(
                    out,
                    "\nprecision: every scenario's {} is within {target} at {} replications (batches: {:?})",
                    p.metric, self.replications, p.batches
                );
            } else {
                // A big sweep can miss in hundreds of scenarios: name a few, count the rest.
                let mut named: Vec<String> =
                    p.unmet.iter().take(5).map(|n| format!("\"{n}\"")).collect();
                if p.unmet.len() > named.len() {
                    named.push(format!("and {} more", p.unmet.len() - named.len()));
                }
                let _ = writeln!(
                    out,
                    "\nprecision: {} of {} scenarios did not reach {target} on {} within the cap of {} replications: {}",
                    p.unmet.len(),
                    self.scenarios.len(),
                    p.metric,
                    p.max_replications,
                    named.join(", ")
                );
            }
        }
        if let Some(r) = &self.ranking {
            let obj = r.objective.as_str();
            let objective = metric::describe(obj);
            let cost = metric::COST.def();
            let _ = writeln!(
                out,
                "\nbest policies by {obj}{} (paired difference against \"{}\"; * = its 95% interval excludes 0):",
                if r.higher_is_better { "" } else { " (lower is better)" },
                self.scenarios[0].name
            );
            let best: Vec<Vec<String>> = r
                .ranked
                .iter()
                .take(BEST)
                .enumerate()
                .map(|(k, p)| {
                    let diff = match (p.diff_mean, p.diff_ci_low, p.diff_ci_high) {
                        (Some(d), Some(lo), Some(hi)) => {
                            let mut parts = vec![objective.diff(d)];
                            parts.extend(objective.half_width((hi - lo) / 2.0));
                            parts.join(" ")
                        }
                        _ => "baseline".to_string(),
                    };
                    vec![
                        format!("  {}.", k + 1),
                        p.name.clone(),
                        objective.value(p.mean),
                        diff,
                        if p.significant {
                            "*".into()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            let w: Vec<usize> = (0..5)
                .map(|j| best.iter().map(|r| r[j].chars().count()).max().unwrap_or(0))
                .collect();
            for b in &best {
                let line = format!(
                    "{:>w0$} {:<w1$}  {:>w2$}  {:>w3$} {}",
                    b[0],
                    b[1],
                    b[2],
                    b[3],
                    b[4],
                    w0 = w[0],
                    w1 = w[1],
                    w2 = w[2],
                    w3 = w[3]
                );
                let _ = writeln!(out, "{}", line.trim_end());
            }
            let _ = writeln!(
                out,
                "\nfrontier: the policies no other policy beats on both {obj} and rep_cost, by rep_cost:"
            );
            let entries: Vec<(&str, String, String)> = r
                .frontier
                .iter()
                .filter_map(|&i| r.ranked.iter().find(|p| p.scenario == i))
                .map(|p| {
                    (
                        p.name.as_str(),
                        cost.value(p.rep_cost),
                        objective.value(p.mean),
                    )
                })
                .collect();
            let w1 = entries
                .iter()
                .map(|e| e.0.chars().count())
                .max()
                .unwrap_or(0);
            let w2 = entries
                .iter()
                .map(|e| e.1.chars().count())
                .max()
                .unwrap_or(0);
            for (name, cost, value) in &entries {
                let _ = writeln!(out, "  {name:<w1$}  rep_cost {cost:>w2$}  {obj} {value}");
            }
        }
        out
    }
}

fn csv_num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// Writes `summary.csv`, `summary.json`, `replications.csv` and the HTML report `report.html`
/// into `out_dir` (created if missing), each atomically.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write_outputs(results: &Results, out_dir: impl AsRef<Path>) -> Result<()> {
    let dir = out_dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    write_summary_csv(results, &dir.join("summary.csv"))?;
    let json = serde_json::to_vec_pretty(results)
        .map_err(|e| Error::io(dir.join("summary.json"), std::io::Error::other(e)))?;
    write_atomic(dir.join("summary.json"), &json)?;
    write_replications_csv(results, &dir.join("replications.csv"))?;
    let html = crate::report::simulate::simulation_report(results);
    write_atomic(dir.join(crate::report::REPORT_FILE), html.as_bytes())
}

fn csv_writer(path: &Path) -> Result<csv::Writer<AtomicFile>> {
    Ok(csv::WriterBuilder::new().from_writer(AtomicFile::create(path)?))
}

fn finish(w: csv::Writer<AtomicFile>, path: &Path) -> Result<()> {
    let f = w
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    f.commit()
}

fn write_summary_csv(results: &Results, path: &Path) -> Result<()> {
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut w = csv_writer(path)?;
    w.write_record([
        "scenario",
        "metric",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
    ])
    .map_err(io)?;
    for sc in &results.scenarios {
        for s in &sc.summary {
            let v = &s.value;
            let (dm, dl, dh) = s
                .diff
                .as_ref()
                .map_or((String::new(), String::new(), String::new()), |d| {
                    (csv_num(d.mean), csv_num(d.ci_low), csv_num(d.ci_high))
                });
            w.write_record([
                sc.name.clone(),
                s.metric.clone(),
                csv_num(v.mean),
                csv_num(v.sd),
                csv_num(v.ci_low),
                csv_num(v.ci_high),
                dm,
                dl,
                dh,
            ])
            .map_err(io)?;
        }
    }
    finish(w, path)
}

fn write_replications_csv(results: &Results, path: &Path) -> Result<()> {
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut columns: Vec<String> = Vec::new();
    for sc in &results.scenarios {
        for m in &sc.metrics {
            if !columns.contains(m) {
                columns.push(m.clone());
            }
        }
    }
    let mut w = csv_writer(path)?;
    let header: Vec<String> = ["scenario".to_string(), "replication".to_string()]
        .into_iter()
        .chain(columns.iter().cloned())
        .collect();
    w.write_record(&header).map_err(io)?;
    for sc in &results.scenarios {
        let index: Vec<Option<usize>> = columns
            .iter()
            .map(|c| sc.metrics.iter().position(|m| m == c))
            .collect();
        for (r, values) in sc.values.iter().enumerate() {
            let mut rec = vec![sc.name.clone(), r.to_string()];
            // A metric the scenario lacks (another scenario's pool) is empty; an undefined
            // ratio is NaN.
            rec.extend(
                index
                    .iter()
                    .map(|i| i.map_or(String::new(), |i| format!("{}", values[i]))),
            );
            w.write_record(&rec).map_err(io)?;
        }
    }
    let mut f = w
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    f.flush().map_err(|e| Error::io(path, e))?;
    f.commit()
}
