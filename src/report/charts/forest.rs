//! Forest plots: one estimate with its interval per row, and a reference line.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{arrow, builder, draw_line, draw_marker, draw_whisker, mesh, render, text_style};
use super::{Axis, DrawResult, Marker, Root, SeriesStyle, CHAR_WIDTH, PALETTE, TEXT_PX};

/// One row of a [`ForestPlot`].
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub estimate: f64,
    /// Interval (low, high), e.g. a 95% confidence interval; `None` draws the point only.
    pub interval: Option<(f64, f64)>,
}

/// Estimates with intervals, one row each, top to bottom, and a vertical reference line.
/// Intervals reaching past the axis range end in an arrow at its edge.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestPlot {
    pub title: String,
    pub x: Axis,
    pub rows: Vec<ForestRow>,
    /// Vertical reference line, e.g. 0 for "no effect".
    pub reference: Option<f64>,
    /// Width in pixels; the height follows from the number of rows.
    pub width: u32,
}

impl ForestPlot {
    /// A 1040-pixel-wide forest plot with a reference line at 0.
    pub fn new(title: impl Into<String>, x: Axis, rows: Vec<ForestRow>) -> Self {
        ForestPlot {
            title: title.into(),
            x,
            rows,
            reference: Some(0.0),
            width: 1040,
        }
    }

    /// Renders the chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        let height = 130 + 24 * self.rows.len().max(1) as u32;
        render((self.width, height), |root| self.draw(root))
    }

    fn draw(&self, root: &Root) -> DrawResult {
        let n = self.rows.len().max(1) as f64;
        let ends = self.rows.iter().flat_map(|r| {
            let (a, b) = r.interval.unwrap_or((r.estimate, r.estimate));
            [r.estimate, a, b]
        });
        let (x0, x1) = self.x.resolve(ends.chain(self.reference));
        let longest = self
            .rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0);
        let label_width = (longest as f64 * TEXT_PX * CHAR_WIDTH) as u32 + 24;
        let mut chart = builder(root, &self.title, 0)?
            .y_label_area_size(label_width.clamp(60, self.width / 2))
            .build_cartesian_2d(x0..x1, -0.5..n - 0.5)?;
        mesh(
            &mut chart,
            &self.x,
            &Axis::new(""),
            (x1 - x0, n),
            true,
            false,
        )?;
        if let Some(r) = self.reference {
            let line = [
                chart.backend_coord(&(r, -0.5)),
                chart.backend_coord(&(r, n - 0.5)),
            ];
            draw_line(
                root,
                &line,
                SeriesStyle {
                    width: 1,
                    ..SeriesStyle::reference()
                },
            )?;
        }
        let (xs, _) = chart.plotting_area().get_pixel_range();
        for (i, row) in self.rows.iter().enumerate() {
            let y = n - 1.0 - i as f64;
            let (_, py) = chart.backend_coord(&(x0, y));
            root.draw(&Text::new(
                row.label.clone(),
                (xs.start - 8, py),
                text_style(HPos::Right, VPos::Center),
            ))?;
            if let Some((lo, hi)) = row.interval {
                let p = chart.backend_coord(&(lo.max(x0), y));
                let q = chart.backend_coord(&(hi.min(x1), y));
                draw_whisker(root, p, q, true)?;
                if lo < x0 {
                    root.draw(&arrow(p, -1))?;
                }
                if hi > x1 {
                    root.draw(&arrow(q, 1))?;
                }
            }
            if row.estimate.is_finite() && (x0..=x1).contains(&row.estimate) {
                draw_marker(
                    root,
                    chart.backend_coord(&(row.estimate, y)),
                    Marker::Square,
                    PALETTE[0],
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::draws_text;

    #[test]
    fn forest_rows_are_labelled_and_long_intervals_end_in_arrows() {
        let rows = vec![
            ForestRow {
                label: "x=<1>".into(),
                estimate: 0.5,
                interval: Some((0.1, 0.9)),
            },
            ForestRow {
                label: "wide".into(),
                estimate: 0.0,
                interval: Some((-50.0, 50.0)),
            },
            ForestRow {
                label: "point".into(),
                estimate: -1.0,
                interval: None,
            },
        ];
        let forest = ForestPlot::new(
            "Forest",
            Axis::new("Effect (log-odds)").range(-2.0, 2.0),
            rows,
        );
        let svg = forest.to_svg();
        for text in ["x=&lt;1&gt;", "wide", "point", "Effect (log-odds)"] {
            assert!(draws_text(&svg, text), "{text} missing from {svg}");
        }
        assert_eq!(
            svg.matches("<polygon").count(),
            2,
            "two arrows for the clipped interval"
        );
        assert!(
            svg.contains("height=\"202\""),
            "the height grows with the rows"
        );
    }
}
