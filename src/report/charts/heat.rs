//! Heat maps: a grid of shaded cells, each labelled with its value.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{axis_font, builder, render, text_style};
use super::{format_tick, DrawResult, Root, TickFormat, CHAR_WIDTH, INK, TEXT_PX};

/// How heat-map values map to shades.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// White for the smallest value to dark blue for the largest.
    Sequential,
    /// White at `centre`, orange below, blue above, full strength at the largest distance.
    Diverging { centre: f64 },
}

/// A grid of values, each cell shaded and labelled with its value; `None` cells are blank grey.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    /// `values[row][column]`.
    pub values: Vec<Vec<Option<f64>>>,
    pub scale: Scale,
    /// How cell values are written.
    pub format: TickFormat,
    pub size: (u32, u32),
}

impl HeatMap {
    /// Renders the chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        render(self.size, |root| self.draw(root))
    }

    fn draw(&self, root: &Root) -> DrawResult {
        let (nc, nr) = (
            self.columns.len().max(1) as f64,
            self.rows.len().max(1) as f64,
        );
        let longest = self
            .rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0);
        let label_width = (longest as f64 * TEXT_PX * CHAR_WIDTH) as u32 + 40;
        let mut chart = builder(root, &self.title, 0)?
            .y_label_area_size(label_width.clamp(60, self.size.0 / 2))
            .build_cartesian_2d(0.0..nc, 0.0..nr)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .axis_desc_style(axis_font())
            .axis_style(INK)
            .draw()?;
        let finite = self
            .values
            .iter()
            .flatten()
            .flatten()
            .copied()
            .filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let span = if hi > lo { hi - lo } else { 1.0 };
        for (r, row) in self.values.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let y = nr - 1.0 - r as f64;
                let a = chart.backend_coord(&(c as f64, y + 1.0));
                let b = chart.backend_coord(&(c as f64 + 1.0, y));
                let (fill, text) = match value.filter(|v| v.is_finite()) {
                    Some(v) => (self.shade(v, lo, hi), format_tick(v, span, self.format)),
                    None => (RGBColor(235, 235, 235), "–".to_string()),
                };
                root.draw(&Rectangle::new([a, b], fill.filled()))?;
                root.draw(&Rectangle::new([a, b], WHITE.stroke_width(2)))?;
                let ink = if luminance(fill) < 0.45 { WHITE } else { INK };
                let centre = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
                root.draw(&Text::new(
                    text,
                    centre,
                    text_style(HPos::Center, VPos::Center).color(&ink),
                ))?;
            }
        }
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        for (c, name) in self.columns.iter().enumerate() {
            let (px, _) = chart.backend_coord(&(c as f64 + 0.5, 0.0));
            root.draw(&Text::new(
                name.clone(),
                (px, ys.end + 6),
                text_style(HPos::Center, VPos::Top),
            ))?;
        }
        for (r, name) in self.rows.iter().enumerate() {
            let (_, py) = chart.backend_coord(&(0.0, nr - 0.5 - r as f64));
            root.draw(&Text::new(
                name.clone(),
                (xs.start - 8, py),
                text_style(HPos::Right, VPos::Center),
            ))?;
        }
        Ok(())
    }

    fn shade(&self, v: f64, lo: f64, hi: f64) -> RGBColor {
        const BLUE_END: RGBColor = RGBColor(23, 55, 110);
        const ORANGE_END: RGBColor = RGBColor(170, 70, 0);
        match self.scale {
            Scale::Sequential => mix(
                WHITE,
                BLUE_END,
                if hi > lo { (v - lo) / (hi - lo) } else { 0.5 },
            ),
            Scale::Diverging { centre } => {
                let reach = (hi - centre).abs().max((lo - centre).abs());
                let t = if reach > 0.0 {
                    (v - centre) / reach
                } else {
                    0.0
                };
                if t >= 0.0 {
                    mix(WHITE, BLUE_END, t)
                } else {
                    mix(WHITE, ORANGE_END, -t)
                }
            }
        }
    }
}

fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Relative lightness in [0, 1] (Rec. 601 weights).
fn luminance(c: RGBColor) -> f64 {
    (0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64) / 255.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::draws_text;

    #[test]
    fn heat_map_cells_carry_their_values() {
        let heat = HeatMap {
            title: "Heat".into(),
            x_label: "Capacity (reps)".into(),
            y_label: "Policy".into(),
            columns: vec!["5".into(), "10".into()],
            rows: vec!["p".into(), "q".into()],
            values: vec![vec![Some(-1.0), None], vec![Some(2.0), Some(0.5)]],
            scale: Scale::Diverging { centre: 0.0 },
            format: TickFormat::Fixed(1),
            size: (400, 240),
        };
        let svg = heat.to_svg();
        for text in [
            "-1.0",
            "–",
            "2.0",
            "0.5",
            "Capacity (reps)",
            "Policy",
            "p",
            "q",
            "10",
        ] {
            assert!(draws_text(&svg, text), "{text} missing from {svg}");
        }
        // Darkest cell (2.0, full blue) gets white text.
        assert!(svg.contains("fill=\"#FFFFFF\">\n2.0\n"), "{svg}");
        let seq = HeatMap {
            scale: Scale::Sequential,
            ..heat
        };
        assert_eq!(seq.shade(2.0, -1.0, 2.0), RGBColor(23, 55, 110));
        assert_eq!(seq.shade(-1.0, -1.0, 2.0), WHITE);
    }
}
