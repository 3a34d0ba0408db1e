//! The table `leadsim simulate` and `leadsim merge` print: one row per scenario with each key
//! metric's mean and 95% half-width, paired differences under every other scenario, then the
//! precision reached, the best policies and the cost frontier. Every number is written by the
//! registry's formatter, as in the HTML report.

use std::fmt::Write as _;

use crate::format::MISSING;
use crate::sim::metric::{self, PoolMetric};
use crate::sim::run::Results;
use crate::stats::Interval;

/// A table cell: an interval of `metric` (a paired difference when `diff`), its parts as the
/// HTML report writes them, joined by spaces.
fn cell(metric: &str, s: &Interval, diff: bool, reps: usize) -> String {
    metric::describe(metric).cell_parts(s, reps, diff).join(" ")
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word gets a line
/// of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

impl Results {
    /// The human-readable table: one row per scenario with each key metric's mean and 95%
    /// interval half-width, under the registry's labels for people (wrapped over a few lines;
    /// `summary.csv` has the names), and under every other scenario its paired difference against the
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
        // Data rows first; the header's labels are wrapped to the columns' widths afterwards.
        let mut rows: Vec<Vec<String>> = Vec::new();
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
        let labels: Vec<String> = std::iter::once("scenario".to_string())
            .chain(
                metrics
                    .iter()
                    .map(|m| metric::describe(m).label.into_owned()),
            )
            .collect();
        // A column is as wide as its widest cell or its label's longest word.
        let widths: Vec<usize> = labels
            .iter()
            .enumerate()
            .map(|(j, label)| {
                let cells = rows.iter().map(|r| r[j].chars().count()).max().unwrap_or(0);
                let word = label
                    .split(' ')
                    .map(|w| w.chars().count())
                    .max()
                    .unwrap_or(0);
                cells.max(word)
            })
            .collect();
        let wrapped: Vec<Vec<String>> = labels
            .iter()
            .zip(&widths)
            .map(|(label, &w)| wrap(label, w))
            .collect();
        let depth = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        // Labels sit on the header's last lines, just above their column's numbers.
        let header: Vec<Vec<String>> = (0..depth)
            .map(|line| {
                wrapped
                    .iter()
                    .map(|w| {
                        (line + w.len())
                            .checked_sub(depth)
                            .map_or(String::new(), |k| w[k].clone())
                    })
                    .collect()
            })
            .collect();
        let rows: Vec<Vec<String>> = header.into_iter().chain(rows).collect();
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
