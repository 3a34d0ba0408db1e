//! The calibration as people read it (printed after the table) and as `calibration.csv`.

use std::fmt::Write as _;
use std::path::Path;

use super::Calibration;
use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::format::{value, Unit};

impl Calibration {
    /// The calibration as a plain-text table: decile, score range, label rate (`observed`
    /// when a label column gives it), simulated SQL rate under the historical process, factor,
    /// leads capped; with a label column, a note on the deciles it had no outcome for.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "calibration of {} under the historical process ({} replications; {})",
            self.population,
            self.replications,
            scenario_list(&self.scenarios)
        );
        let _ = writeln!(
            s,
            "{:>6}  {:>13}  {:>10}  {:>14}  {:>7}  {:>13}",
            "decile",
            "score",
            if self.label_column.is_some() {
                "observed"
            } else {
                "label rate"
            },
            "simulated (H)",
            "factor",
            "leads capped"
        );
        for d in &self.deciles {
            let _ = writeln!(
                s,
                "{:>6}  {:>13}  {:>10}  {:>14}  {:>7.3}  {:>13}",
                d.decile,
                format!("{:.3}-{:.3}", d.score_low, d.score_high),
                value(Unit::Share, d.label_rate),
                value(Unit::Share, d.simulated_rate),
                d.factor,
                format!("{} of {}", d.capped, d.leads),
            );
        }
        if let Some(col) = &self.label_column {
            let _ = writeln!(
                s,
                "observed: the SQL rate of the table's leads with an outcome in column \"{col}\""
            );
            let bare: Vec<String> = self
                .deciles
                .iter()
                .filter(|d| d.labelled == Some(0) && d.leads > 0)
                .map(|d| d.decile.to_string())
                .collect();
            if !bare.is_empty() {
                let _ = writeln!(
                    s,
                    "no observed outcome in decile {}: the mean score is its label rate",
                    bare.join(", ")
                );
            }
        }
        s
    }
}

/// `scenario "today"`, `2 scenarios: "today", "fast"` or, beyond three, `25 scenarios: "today",
/// "a", "b" and 22 more` (a sweep's list would run for lines; names may hold commas).
pub fn scenario_list(names: &[String]) -> String {
    let quoted = |n: &[String]| {
        n.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match names.len() {
        1 => format!("scenario {}", quoted(names)),
        n @ 2..=3 => format!("{n} scenarios: {}", quoted(names)),
        n => format!("{n} scenarios: {} and {} more", quoted(&names[..3]), n - 3),
    }
}

impl crate::sim::run::Results {
    /// Every calibration's [`Calibration::table`], each followed by a blank line (empty when
    /// nothing was calibrated): what `simulate` and `merge` print after the table.
    pub fn calibration_text(&self) -> String {
        self.calibration
            .iter()
            .map(|c| format!("{}\n", c.table()))
            .collect()
    }
}

fn csv_num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// `calibration.csv`: one row per (population, decile), numbers in Rust's shortest round-trip
/// notation, written atomically.
///
/// # Errors
/// [`Error::Io`] naming the file.
pub fn write_calibration_csv(calibrations: &[Calibration], path: &Path) -> Result<()> {
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut w = csv::WriterBuilder::new().from_writer(AtomicFile::create(path)?);
    w.write_record([
        "population",
        "scenarios",
        "replications",
        "decile",
        "score_low",
        "score_high",
        "leads",
        "label_rate",
        "simulated_rate",
        "factor",
        "capped",
        "reached_share",
        "mean_multiplier",
        "feasible",
    ])
    .map_err(io)?;
    for c in calibrations {
        for d in &c.deciles {
            w.write_record([
                c.population.clone(),
                c.scenarios.join(" | "),
                c.replications.to_string(),
                d.decile.to_string(),
                csv_num(d.score_low),
                csv_num(d.score_high),
                d.leads.to_string(),
                csv_num(d.label_rate),
                csv_num(d.simulated_rate),
                csv_num(d.factor),
                d.capped.to_string(),
                csv_num(d.reached_share),
                csv_num(d.mean_multiplier),
                d.feasible.to_string(),
            ])
            .map_err(io)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?
        .commit()
}
