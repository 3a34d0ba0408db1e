//! "Calibration": for each population whose propensities were calibrated under the historical
//! process (docs/model.md section 8.2), the per-decile table that `simulate` prints and writes
//! to `calibration.csv`.

use super::View;
use crate::format::{value, Unit};
use crate::report::html::{Align, Section, Table};

impl View<'_> {
    /// `None` when nothing was calibrated (explicit propensities, constant populations).
    pub(super) fn calibration(&self) -> Option<Section> {
        let list = &self.r.calibration;
        if list.is_empty() {
            return None;
        }
        let mut section = Section::new("calibration", "Calibration to the history").paragraph(
            "The population gives scores, not propensities. A score is read as the chance that a \
             lead became an SQL under the historical process (the [history] table of the file, \
             or its own settings), so each score decile's propensities were scaled by the factor \
             at which simulating that process gives the decile its label rate. A lead whose \
             scaled propensity would exceed 1 cannot have the label rate the history says under \
             that process: it is capped at 1 and counted here.",
        );
        if list.iter().any(|c| c.label_column.is_some()) {
            section = section.paragraph(
                "A table with a label column gives each lead's observed outcome: there the \
                 decile's label rate is the observed SQL rate of its leads with an outcome, not \
                 its mean score, and within the decile the propensity stays proportional to the \
                 score, so the ranking is the score's.",
            );
        }
        for (k, c) in list.iter().enumerate() {
            let label = match &c.label_column {
                None => "label rate".to_string(),
                Some(l) => format!("label rate (observed, column {l})"),
            };
            let mut table = Table::new(&[
                "decile",
                "scores",
                &label,
                "SQL rate simulated under the history's process",
                "factor",
                "leads capped at 1",
            ])
            .id(format!("calibration-{k}"))
            .caption(format!(
                "{}: {} replications of the historical process; {}",
                c.population,
                c.replications,
                crate::sim::calibration::scenario_list(&c.scenarios)
            ))
            .align(1, Align::Left);
            for d in &c.deciles {
                table = table.row(vec![
                    d.decile.to_string(),
                    format!("{:.3} to {:.3}", d.score_low, d.score_high),
                    label_cell(d),
                    value(Unit::Share, d.simulated_rate),
                    format!("{:.3}", d.factor),
                    format!("{} of {}", d.capped, d.leads),
                ]);
            }
            section = section.table(table);
        }
        Some(section)
    }
}

/// The decile's label rate, marked when a label column had no observed outcome in it.
fn label_cell(d: &crate::sim::calibration::DecileRow) -> String {
    match d.labelled {
        Some(0) if d.leads > 0 => format!("{} (mean score)", value(Unit::Share, d.label_rate)),
        _ => value(Unit::Share, d.label_rate),
    }
}
