//! The simulation report: what `leadsim simulate --out DIR` found, as one self-contained HTML
//! page (`DIR/report.html`) for the people who decide on the handover policy.
//!
//! Sections, in page order:
//!
//! 1. **Scenarios**: a one-line verdict on the best scenario, and key metrics with 95%
//!    intervals. With more than [`MAX_SHOWN`] scenarios (a sweep), the baseline and the best
//!    others by the objective, numbered (bar charts then label scenarios by number);
//!    `summary.csv` has them all.
//! 2. **The funnel**: the baseline's funnel beside the best other scenario's (by the
//!    objective), MQLs -> handed over -> called -> reached -> SQL -> won, with the exits into
//!    nurture and the revenue recovered from it.
//! 3. **Conversion and revenue**: bars with 95% error bars for MQL-to-SQL conversion and
//!    the revenue recovered from leads sales turned away.
//! 4. **Differences against the baseline**: forest plots of the paired differences of the
//!    objective and of MQL-to-SQL conversion (recovered revenue from leads sales turned away
//!    when that is the objective),
//!    and the table of paired differences (only with two scenarios or more).
//! 5. **Sweep**: a heat map of the objective's mean over two swept fields (the handover
//!    threshold across, a rep count down when both are swept). With more than two swept fields,
//!    each cell shows the best mean over the other fields' values (one map, whatever the
//!    number of fields; the caption names them). Only for a sweep with two fields or more.
//! 6. **Cost frontier**: rep cost against the objective for every scenario, the frontier
//!    connected (only with two scenarios or more).
//! 7. **Response times**: the per-replication median and 90th percentile of the time to the
//!    first attempt. Per-lead times are not kept, so this is the spread between replications.
//! 8. **Rep utilisation**: per pool, with 95% intervals, and the peak queues.
//! 9. **Assumptions**: every knob of the baseline's resolved configuration, its default, and
//!    for defaults the grade and source from docs/model.md section 3 (summarised in [`SOURCES`]).
//!
//! The objective, its direction, the order and the frontier are the ranking's, which every run
//! of more than one scenario carries; a single scenario shows the registry's default objective.
//! The page holds no timestamp, so the same results always give the same bytes (shards merged
//! or not).

use crate::report::html::Page;
use crate::report::MISSING;
use crate::sim::metric;
use crate::sim::run::Results;

mod assumptions;
mod bars;
mod differences;
mod format;
mod frontier;
mod funnel;
mod response;
mod scale;
mod scenarios;
mod sources;
mod sweep;
mod utilisation;

pub use format::{diff_cell, format_diff, format_value, level_cell, metric_title};
pub use sources::{preset_source, DefaultSource, SOURCES};

/// At most this many scenarios appear in tables and charts (the baseline and the best others
/// by the objective); the rest are in `summary.csv`.
pub const MAX_SHOWN: usize = 16;

/// Above this many scenarios, bar charts label scenarios by their number in the table.
const NAMED_BARS: usize = 5;

/// The simulation report for `results`, as a complete HTML document: inline SVG charts, no
/// scripts, no external resources.
pub fn simulation_report(results: &Results) -> String {
    let view = View::new(results);
    let r = results;
    let title = if r.name.is_empty() {
        "Handover simulation".to_string()
    } else {
        format!("Handover simulation: {}", r.name)
    };
    let mut page = Page::new(title)
        .subtitle(format!(
            "Scenario file \"{}\" · seed {} · {} replications · {} scenario{} · leadsim {}",
            if r.name.is_empty() { MISSING } else { &r.name },
            r.seed,
            r.replications,
            r.scenarios.len(),
            if r.scenarios.len() == 1 { "" } else { "s" },
            r.version
        ))
        .footer(format!(
            "Written by leadsim {} with summary.csv, summary.json and replications.csv. Self-contained: no scripts, no network access. Same file, seed and replications: the same numbers.",
            r.version
        ));
    let (scenarios, diffs) = view.scenarios();
    page.push(scenarios);
    page.push(view.funnels());
    page.push(view.bars());
    if r.scenarios.len() > 1 {
        page.push(view.differences(diffs));
    }
    if let Some(s) = view.sweep() {
        page.push(s);
    }
    if r.scenarios.len() > 1 {
        page.push(view.frontier());
    }
    page.push(view.response());
    page.push(view.utilisation());
    page.push(view.assumptions());
    page.render()
}

struct View<'a> {
    r: &'a Results,
    objective: String,
    /// Whether more of the objective is better (the ranking says; the registry without one).
    higher: bool,
    /// Scenario indices in the order shown: the baseline, then the rest (best first when cut).
    shown: Vec<usize>,
    /// Every scenario index, best first by the objective's mean.
    order: Vec<usize>,
}

impl<'a> View<'a> {
    /// The objective, its direction and the order come from the ranking, which every run and
    /// merge of more than one scenario carries (`sim::run::add_ranking`); a single scenario has
    /// none and needs none.
    fn new(r: &'a Results) -> Self {
        let objective = r.ranking.as_ref().map_or_else(
            || metric::DEFAULT_OBJECTIVE.name().to_string(),
            |k| k.objective.clone(),
        );
        let higher = r.ranking.as_ref().map_or_else(
            || metric::describe(&objective).higher_is_better(),
            |k| k.higher_is_better,
        );
        let order: Vec<usize> = match &r.ranking {
            Some(k) => k
                .ranked
                .iter()
                .map(|p| p.scenario)
                .filter(|&i| i < r.scenarios.len())
                .collect(),
            None => (0..r.scenarios.len()).collect(),
        };
        let shown = if r.scenarios.len() <= MAX_SHOWN {
            (0..r.scenarios.len()).collect()
        } else {
            std::iter::once(0)
                .chain(
                    order
                        .iter()
                        .copied()
                        .filter(|&i| i != 0)
                        .take(MAX_SHOWN - 1),
                )
                .collect()
        };
        View {
            r,
            objective,
            higher,
            shown,
            order,
        }
    }

    fn truncated(&self) -> bool {
        self.shown.len() < self.r.scenarios.len()
    }

    /// Category labels for bar charts: names when few, numbers from the table when many.
    fn labels(&self) -> (Vec<String>, String) {
        if self.shown.len() > NAMED_BARS {
            (
                (1..=self.shown.len()).map(|k| k.to_string()).collect(),
                "Scenario (number in the scenario table)".to_string(),
            )
        } else {
            (
                self.shown
                    .iter()
                    .map(|&i| self.r.scenarios[i].name.clone())
                    .collect(),
                "Scenario".to_string(),
            )
        }
    }

    fn bar_size(&self) -> ((u32, u32), bool) {
        if self.shown.len() > 4 {
            ((1040, 440), true)
        } else {
            ((520, 440), false)
        }
    }
}
