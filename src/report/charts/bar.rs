//! Bar charts: groups of bars per category, with error bars and a reference line.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{
    builder, draw_legend_row, draw_line, draw_whisker, mesh, render, text_style, LegendEntry,
    LEGEND_ROW_HEIGHT,
};
use super::{format_tick, Axis, DrawResult, Root, SeriesStyle, CHAR_WIDTH, FILLS, INK, TEXT_PX};

/// One named group of bars of a [`BarChart`]: one value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    /// Legend entry; an empty name is left out of the legend.
    pub name: String,
    pub values: Vec<f64>,
    /// Interval (low, high) per value, drawn as an error bar; `None` for no error bars.
    pub intervals: Option<Vec<(f64, f64)>>,
}

/// Vertical bars per category, several groups side by side, with optional error bars and a
/// horizontal reference line.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    /// Category axis title.
    pub x_label: String,
    pub categories: Vec<String>,
    pub y: Axis,
    pub groups: Vec<BarGroup>,
    /// Horizontal line at this value, with its legend text.
    pub reference: Option<(f64, String)>,
    /// Print each bar's value above it, in the y axis format.
    pub value_labels: bool,
    pub size: (u32, u32),
}

impl BarChart {
    /// A 520 x 420 bar chart with no groups yet.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        categories: Vec<String>,
        y: Axis,
    ) -> Self {
        BarChart {
            title: title.into(),
            x_label: x_label.into(),
            categories,
            y,
            groups: Vec::new(),
            reference: None,
            value_labels: false,
            size: (520, 420),
        }
    }

    /// Adds a group of bars.
    pub fn group(mut self, group: BarGroup) -> Self {
        self.groups.push(group);
        self
    }

    /// Renders the chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        render(self.size, |root| self.draw(root))
    }

    fn has_legend(&self) -> bool {
        self.reference.is_some() || self.groups.iter().any(|g| !g.name.is_empty())
    }

    fn draw(&self, root: &Root) -> DrawResult {
        let k = self.categories.len().max(1) as f64;
        let values = self.groups.iter().flat_map(|g| {
            let ends = g.intervals.iter().flatten().flat_map(|&(a, b)| [a, b]);
            g.values.iter().copied().chain(ends)
        });
        let reference = self.reference.iter().map(|r| r.0);
        // Bars grow from zero, so zero is always on the axis.
        let (y0, y1) = self.y.resolve(values.chain(reference).chain([0.0]));
        // Long category names wrap onto several lines under their bars.
        let per_category = (self.size.0 as f64 - 102.0) / k;
        let max_chars = (per_category / (TEXT_PX * CHAR_WIDTH)).floor().max(4.0) as usize;
        let labels: Vec<Vec<String>> = self.categories.iter().map(|c| wrap(c, max_chars)).collect();
        let lines = labels.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
        let mut chart = builder(
            root,
            &self.title,
            if self.has_legend() {
                LEGEND_ROW_HEIGHT
            } else {
                0
            },
        )?
        .y_label_area_size(62)
        .x_label_area_size(48 + LABEL_LINE * (lines - 1))
        .build_cartesian_2d(-0.5..k - 0.5, y0..y1)?;
        mesh(
            &mut chart,
            &Axis::new(&self.x_label),
            &self.y,
            (k, y1 - y0),
            false,
            true,
        )?;
        let n_groups = self.groups.len().max(1) as f64;
        let width = 0.8 / n_groups;
        let mut legend = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            let fill = FILLS[g % FILLS.len()];
            for (c, &v) in group
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
            {
                let left = c as f64 - 0.4 + g as f64 * width;
                let (a, b) = (
                    chart.backend_coord(&(left, 0.0)),
                    chart.backend_coord(&(left + width, v)),
                );
                let rect = [(a.0 + 1, a.1), (b.0 - 1, b.1)];
                root.draw(&Rectangle::new(rect, fill.filled()))?;
                root.draw(&Rectangle::new(rect, INK.stroke_width(1)))?;
                let centre = left + width / 2.0;
                let mut top = b.1.min(a.1);
                if let Some((lo, hi)) = group.intervals.as_ref().and_then(|i| i.get(c)) {
                    let (p, q) = (
                        chart.backend_coord(&(centre, *lo)),
                        chart.backend_coord(&(centre, *hi)),
                    );
                    draw_whisker(root, p, q, false)?;
                    top = top.min(q.1);
                }
                if self.value_labels {
                    let text = format_tick(v, (y1 - y0) / 10.0, self.y.format);
                    root.draw(&Text::new(
                        text,
                        (b.0 - (b.0 - a.0) / 2, top - 4),
                        text_style(HPos::Center, VPos::Bottom),
                    ))?;
                }
            }
            if !group.name.is_empty() {
                legend.push(LegendEntry::Swatch(group.name.clone(), fill));
            }
        }
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        for (c, name) in labels.iter().enumerate() {
            let (px, _) = chart.backend_coord(&(c as f64, y0));
            for (i, line) in name.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (px, ys.end + 6 + (LABEL_LINE * i as u32) as i32),
                    text_style(HPos::Center, VPos::Top),
                ))?;
            }
        }
        if let Some((value, name)) = &self.reference {
            let style = SeriesStyle::reference();
            let line = [
                chart.backend_coord(&(-0.5, *value)),
                chart.backend_coord(&(k - 0.5, *value)),
            ];
            draw_line(root, &line, style)?;
            legend.push(LegendEntry::Line(name.clone(), style));
        }
        draw_legend_row(
            root,
            &legend,
            xs,
            ys.start - LEGEND_ROW_HEIGHT as i32 / 2 - 2,
        )
    }
}

/// Height in pixels of one line of a wrapped category label.
const LABEL_LINE: u32 = 16;

/// Splits `text` at spaces into lines of at most `max_chars` characters (a longer word keeps a
/// line to itself).
fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max_chars => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::draws_text;

    #[test]
    fn bars_have_category_labels_error_bars_and_a_reference() {
        let mut bars = BarChart::new(
            "Bars",
            "Policy",
            vec!["a".into(), "b".into()],
            Axis::new("Deals (count)"),
        )
        .group(BarGroup {
            name: "mean".into(),
            values: vec![3.0, 5.0],
            intervals: Some(vec![(2.0, 4.0), (4.5, 5.5)]),
        })
        .group(BarGroup {
            name: "other".into(),
            values: vec![1.0, f64::NAN],
            intervals: None,
        });
        bars.reference = Some((2.0, "target".into()));
        bars.value_labels = true;
        let svg = bars.to_svg();
        for text in [
            "a",
            "b",
            "Deals (count)",
            "Policy",
            "mean",
            "other",
            "target",
            "5.0",
        ] {
            assert!(draws_text(&svg, text), "{text} missing from {svg}");
        }
        assert_eq!(
            wrap("lower threshold, two more reps", 16),
            ["lower threshold,", "two more reps"]
        );
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
        // The background, then three finite bars and two legend swatches, filled and outlined.
        assert_eq!(svg.matches("<rect").count(), 1 + 2 * 5, "{svg}");
    }
}
