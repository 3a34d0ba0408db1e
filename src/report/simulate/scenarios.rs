//! Section 1, "Scenarios": the verdict on the best scenario and the table of key metrics with
//! their 95% intervals (and the table of paired differences that section 3 shows).

use super::format::*;
use super::{View, NAMED_BARS};
use crate::report::html::{Align, Section, Table};
use crate::report::MISSING;
use crate::sim::metric;

impl View<'_> {
    /// The scenarios section, and the table of paired differences for the differences section.
    pub(super) fn scenarios(&self) -> (Section, Table) {
        let r = self.r;
        let mut metrics: Vec<&str> = metric::REPORT_TABLE.iter().map(|m| m.name()).collect();
        if !metrics.contains(&self.objective.as_str()) {
            metrics.push(&self.objective);
        }
        let numbered = self.shown.len() > NAMED_BARS;
        let first = usize::from(numbered);
        let mut headers = vec!["#".to_string(), "scenario".to_string()];
        if !numbered {
            headers.remove(0);
        }
        headers.extend(metrics.iter().map(|m| column_title(m)));
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut levels = Table::new(&header_refs)
            .id("scenarios")
            .caption("Mean over replications ± half-width of its 95% interval")
            .align(first, Align::Left);
        let mut diffs = Table::new(&header_refs)
            .id("differences")
            .caption(format!(
                "Paired difference against the baseline \"{}\" ± half-width of its 95% interval; * marks an interval that excludes zero",
                r.scenarios[0].name
            ))
            .align(first, Align::Left);
        for (k, &i) in self.shown.iter().enumerate() {
            let sc = &r.scenarios[i];
            let mut row = vec![(k + 1).to_string(), sc.name.clone()];
            if !numbered {
                row.remove(0);
            }
            let mut drow = row.clone();
            for m in &metrics {
                let s = summary(r, i, m);
                row.push(s.map_or(MISSING.to_string(), |s| {
                    level_cell(m, &s.value, r.replications)
                }));
                drow.push(
                    s.and_then(|s| s.diff.as_ref())
                        .map_or(MISSING.to_string(), |d| diff_cell(m, d, r.replications)),
                );
            }
            levels = levels.row(row);
            if i != 0 {
                diffs = diffs.row(drow);
            }
        }
        let mut s = Section::new("scenarios", "Scenarios").paragraph(format!(
            "Each scenario was run {} times on the same simulated leads with the same luck (common random numbers). A cell is the mean over those replications ± the half-width of its 95% interval (Student t): the true mean, under these assumptions, very likely lies within that distance. The first scenario, \"{}\", is the baseline. The objective is {}.",
            r.replications,
            r.scenarios[0].name,
            lower(&metric_title(&self.objective))
        ));
        if let Some(best) = self.headline() {
            s = s.note(best);
        }
        // What the binary prints as warnings after a run (a sweep's best point on the edge of
        // its grid, precision targets missed) belongs beside the verdict it qualifies.
        for w in r.warnings() {
            s = s.note(format!("Warning: {w}."));
        }
        if self.truncated() {
            s = s.note(format!(
                "{} scenarios were run; the baseline and the {} best by {} are shown, numbered in rank order. summary.csv has them all.",
                r.scenarios.len(),
                self.shown.len() - 1,
                lower(&metric_title(&self.objective))
            ));
        }
        if let Some(p) = &r.precision {
            let unmet = if p.unmet.is_empty() {
                "every scenario met it".to_string()
            } else {
                format!("not met at the cap by: {}", p.unmet.join("; "))
            };
            s = s.note(format!(
                "Replications were added until the 95% half-width of {} was at most {} (cap {} replications); {unmet}.",
                p.metric,
                format_diff(&p.metric, p.half_width).trim_start_matches('+'),
                p.max_replications
            ));
        }
        (s.table(levels), diffs)
    }

    /// One sentence on the best scenario against the baseline.
    fn headline(&self) -> Option<String> {
        let r = self.r;
        let best = *self.order.iter().find(|&&i| i != 0)?;
        let d = summary(r, best, &self.objective)?.diff.as_ref()?;
        let (better, worse) = if self.higher {
            (d.ci_low > 0.0, d.ci_high < 0.0)
        } else {
            (d.ci_high < 0.0, d.ci_low > 0.0)
        };
        let verdict = if better {
            "clearly better than"
        } else if worse {
            "clearly worse than"
        } else {
            "not distinguishable from"
        };
        Some(format!(
            "Best other scenario by {}: \"{}\", {} ({} to {}) against the baseline: {} the baseline at 95%.",
            lower(&metric_title(&self.objective)),
            r.scenarios[best].name,
            format_diff(&self.objective, d.mean),
            format_diff(&self.objective, d.ci_low),
            format_diff(&self.objective, d.ci_high),
            verdict
        ))
    }
}
