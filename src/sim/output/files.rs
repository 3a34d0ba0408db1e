//! The result files: `summary.csv`, `summary.json` and `replications.csv`, each written
//! atomically. Numbers are Rust's shortest round-trip notation (an undefined value is empty in
//! `summary.csv`, NaN in `replications.csv`), not the people-facing format of the table.

use std::io::Write as _;
use std::path::Path;

use crate::atomic::{write_atomic, AtomicFile};
use crate::error::{Error, Result};
use crate::sim::run::Results;

fn csv_num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// `summary.json`: the whole [`Results`] (configurations, summaries, ranking, precision), the
/// document [`super::summary_json`] returns.
pub(super) fn write_summary_json(results: &Results, path: &Path) -> Result<()> {
    write_atomic(path, super::summary_json(results).as_bytes())
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

/// `summary.csv`: one row per (scenario, metric) with its summary and paired difference.
pub(super) fn write_summary_csv(results: &Results, path: &Path) -> Result<()> {
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

/// `replications.csv`: one row per (scenario, replication) with every metric's value.
pub(super) fn write_replications_csv(results: &Results, path: &Path) -> Result<()> {
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
