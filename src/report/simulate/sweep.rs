//! Section 5, "Sweep": a heat map of the objective over two swept fields (the best over any
//! others).

use super::format::*;
use super::scale::AxisScale;
use super::View;
use crate::report::charts::{HeatMap, Scale, TickFormat};
use crate::report::html::{Figure, Section};

impl View<'_> {
    pub(super) fn sweep(&self) -> Option<Section> {
        let r = self.r;
        let grid = r.sweep.as_ref()?;
        if grid.axes.len() < 2 {
            return None;
        }
        let col = grid
            .axes
            .iter()
            .position(|a| a.path.ends_with("threshold"))
            .unwrap_or(0);
        let row = grid
            .axes
            .iter()
            .enumerate()
            .position(|(k, a)| k != col && a.path.ends_with(".count"))
            .unwrap_or(if col == 0 { 1 } else { 0 });
        let others: Vec<&str> = grid
            .axes
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != col && k != row)
            .map(|(_, a)| a.path.as_str())
            .collect();
        let (nc, nr) = (grid.axes[col].labels.len(), grid.axes[row].labels.len());
        let mut best: Vec<Vec<Option<f64>>> = vec![vec![None; nc]; nr];
        for p in &grid.points {
            let (Some(&c), Some(&rr)) = (p.coords.get(col), p.coords.get(row)) else {
                continue;
            };
            if c >= nc || rr >= nr {
                continue;
            }
            if let Some(v) = mean(r, p.scenario, &self.objective) {
                let cell = &mut best[rr][c];
                let higher = self.higher;
                *cell = Some(cell.map_or(v, |b: f64| if higher { b.max(v) } else { b.min(v) }));
            }
        }
        let scale = AxisScale::level(&self.objective, best.iter().flatten().flatten().copied());
        // Enough decimals to tell neighbouring cells apart (about 50 steps across the range).
        let (lo, hi) = best
            .iter()
            .flatten()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v * scale.factor), b.max(v * scale.factor))
            });
        let format = match scale.format {
            TickFormat::Auto if hi > lo => {
                TickFormat::Fixed((-((hi - lo) / 50.0).log10()).ceil().clamp(0.0, 4.0) as usize)
            }
            other => other,
        };
        let values = best
            .iter()
            .map(|row| row.iter().map(|v| v.map(|v| v * scale.factor)).collect())
            .collect();
        let heat = HeatMap {
            title: format!("{}{}", metric_title(&self.objective), scale.suffix()),
            x_label: axis_title(&grid.axes[col].path),
            y_label: axis_title(&grid.axes[row].path),
            columns: grid.axes[col].labels.clone(),
            rows: grid.axes[row].labels.clone(),
            values,
            scale: Scale::Sequential,
            format,
            size: (1040, (150 + 44 * nr as u32).clamp(300, 900)),
        };
        let over = if others.is_empty() {
            String::new()
        } else {
            format!(
                " With more than two swept fields, each cell is the best mean over {}.",
                others.join(", ")
            )
        };
        Some(
            Section::new("sweep", "Sweep")
                .paragraph(format!(
                    "The mean of the objective ({}) for every combination of {} (across) and {} (down); darker is higher, and every cell carries its value.{over}",
                    lower(&metric_title(&self.objective)),
                    grid.axes[col].path,
                    grid.axes[row].path
                ))
                .figures(vec![Figure::new(
                    "chart-sweep-heat",
                    heat.to_svg(),
                    format!(
                        "Heat map of the mean {} over {} x {}, {} replications per cell.{over}",
                        lower(&metric_title(&self.objective)),
                        grid.axes[col].path,
                        grid.axes[row].path,
                        r.replications
                    ),
                )
                .wide()]),
        )
    }
}
