//! Line charts: several named series on two numeric axes.

use super::draw::{builder, draw_legend, draw_line, draw_marker, mesh, render, LegendEntry};
use super::{Axis, Corner, DrawResult, Root, SeriesStyle};

/// One named series of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry; an empty name is left out of the legend.
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// `None`: the chart picks [`SeriesStyle::nth`] by the series' position.
    pub style: Option<SeriesStyle>,
}

impl Series {
    /// A series styled by its position in the chart.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            style: None,
        }
    }

    /// The same series with an explicit style.
    pub fn style(mut self, style: SeriesStyle) -> Self {
        self.style = Some(style);
        self
    }
}

/// Lines (with optional markers) on two numeric axes.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    pub legend: Corner,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl LineChart {
    /// An empty 520 x 420 chart with the legend bottom right.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Self {
        LineChart {
            title: title.into(),
            x,
            y,
            series: Vec::new(),
            legend: Corner::BottomRight,
            size: (520, 420),
        }
    }

    /// Adds a series.
    pub fn series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Moves the legend.
    pub fn legend(mut self, corner: Corner) -> Self {
        self.legend = corner;
        self
    }

    /// Renders the chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        render(self.size, |root| self.draw(root))
    }

    fn draw(&self, root: &Root) -> DrawResult {
        let all = || self.series.iter().flat_map(|s| s.points.iter());
        let (x0, x1) = self.x.resolve(all().map(|p| p.0));
        let (y0, y1) = self.y.resolve(all().map(|p| p.1));
        let mut chart = builder(root, &self.title, 0)?
            .y_label_area_size(62)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        mesh(&mut chart, &self.x, &self.y, (x1 - x0, y1 - y0), true, true)?;
        let mut legend = Vec::new();
        for (i, s) in self.series.iter().enumerate() {
            let style = s.style.unwrap_or_else(|| SeriesStyle::nth(i));
            let pixels: Vec<(i32, i32)> = s
                .points
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|p| chart.backend_coord(p))
                .collect();
            draw_line(root, &pixels, style)?;
            if let Some(m) = style.marker {
                for &p in &pixels {
                    draw_marker(root, p, m, style.colour)?;
                }
            }
            if !s.name.is_empty() {
                legend.push(LegendEntry::Line(s.name.clone(), style));
            }
        }
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        draw_legend(root, &legend, (xs, ys), self.legend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::draws_text;

    #[test]
    fn line_chart_is_an_svg_with_labels_dashes_and_markers() {
        let chart = LineChart::new(
            "Curve & co",
            Axis::percent("Share (%)"),
            Axis::new("Lift (x)"),
        )
        .series(Series::new(
            "model",
            vec![(0.0, 1.0), (0.5, 2.0), (1.0, 3.0)],
        ))
        .series(
            Series::new("random", vec![(0.0, 1.0), (1.0, 1.0)]).style(SeriesStyle::reference()),
        );
        let svg = chart.to_svg();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{svg}"
        );
        for text in [
            "Curve &amp; co",
            "Share (%)",
            "Lift (x)",
            "40%",
            "model",
            "random",
        ] {
            assert!(draws_text(&svg, text), "{text} missing from {svg}");
        }
        // The dashed reference line is many short pieces (legend sample included).
        assert!(svg.matches("<polyline").count() > 10, "{svg}");
        // Three points and the legend sample.
        assert_eq!(svg.matches("<circle").count(), 4);
    }

    #[test]
    fn degenerate_input_still_renders() {
        let empty = LineChart::new("Empty", Axis::new("x"), Axis::new("y")).to_svg();
        assert!(empty.starts_with("<svg") && !empty.contains("could not be drawn"));
        let flat = LineChart::new("Flat", Axis::new("x"), Axis::new("y"))
            .series(Series::new(
                "nan",
                vec![(1.0, 2.0), (f64::NAN, 3.0), (1.0, 2.0)],
            ))
            .to_svg();
        assert!(
            flat.starts_with("<svg") && !flat.contains("could not be drawn"),
            "{flat}"
        );
    }
}
