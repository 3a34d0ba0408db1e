//! Drawing primitives shared by the charts, all in pixel coordinates on the root area:
//! rendering to a string, axes, dashed lines, markers, whiskers and legends.

use std::ops::Range;

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    format_tick, Axis, Corner, DrawResult, Marker, Root, SeriesStyle, AXIS_PX, CHAR_WIDTH, FONT,
    GRID, INK, SVG_FONT_SCALE, TEXT_PX, TITLE_PX,
};

/// The chart font at `px` CSS pixels, in ink.
pub(super) fn font(px: f64) -> TextStyle<'static> {
    (FONT, px * SVG_FONT_SCALE).into_font().color(&INK)
}

/// Chart titles.
pub(super) fn title_font() -> TextStyle<'static> {
    font(TITLE_PX)
}

/// Axis titles.
pub(super) fn axis_font() -> TextStyle<'static> {
    font(AXIS_PX)
}

/// Body text (ticks, legends, category labels) anchored at `h`, `v`.
pub(super) fn text_style(h: HPos, v: VPos) -> TextStyle<'static> {
    font(TEXT_PX).pos(Pos::new(h, v))
}

/// Pixels the title takes above the plotting area.
pub(super) const TITLE_HEIGHT: u32 = 30;

/// Draws `title` centred at the top of `root` and returns a chart builder with the standard
/// margins, the plotting area starting `extra_top` pixels below the title.
pub(super) fn builder<'a, 'b>(
    root: &'a Root<'b>,
    title: &str,
    extra_top: u32,
) -> Result<ChartBuilder<'a, 'static, SVGBackend<'b>>, Box<dyn std::error::Error>> {
    let (width, _) = root.dim_in_pixel();
    let style = title_font().pos(Pos::new(HPos::Center, VPos::Top));
    root.draw(&Text::new(title.to_string(), (width as i32 / 2, 12), style))?;
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(12)
        .margin_right(28)
        .margin_top(12 + TITLE_HEIGHT + extra_top)
        .x_label_area_size(48);
    Ok(builder)
}

/// Draws onto a fresh SVG document; a drawing error becomes an SVG that says so.
pub(super) fn render(size: (u32, u32), draw: impl FnOnce(&Root) -> DrawResult) -> String {
    let mut svg = String::new();
    let outcome = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| draw(&root));
        drawn.and_then(|()| root.present().map_err(Into::into))
    };
    match outcome {
        Ok(()) => svg,
        Err(e) => {
            let message = crate::report::html::escape(&format!("chart could not be drawn: {e}"));
            format!(
                "<svg width=\"{w}\" height=\"40\" viewBox=\"0 0 {w} 40\" xmlns=\"http://www.w3.org/2000/svg\">\
                 <text x=\"8\" y=\"24\" font-family=\"{FONT}\" font-size=\"14\">{message}</text></svg>",
                w = size.0
            )
        }
    }
}

/// Axes, grid and tick labels.
pub(super) fn mesh<'a>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    x: &Axis,
    y: &Axis,
    (x_span, y_span): (f64, f64),
    x_ticks: bool,
    y_ticks: bool,
) -> DrawResult {
    let (xf, yf) = (x.format, y.format);
    let x_fmt = move |v: &f64| format_tick(*v, x_span, xf);
    let y_fmt = move |v: &f64| format_tick(*v, y_span, yf);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(&x.label)
        .y_desc(&y.label)
        .x_labels(if x_ticks { 7 } else { 0 })
        .y_labels(if y_ticks { 7 } else { 0 })
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(TEXT_PX))
        .axis_desc_style(axis_font())
        .axis_style(INK)
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0));
    if !x_ticks {
        mesh.disable_x_mesh();
    }
    if !y_ticks {
        mesh.disable_y_mesh();
    }
    mesh.draw()?;
    Ok(())
}

/// A polyline in pixel coordinates, dashed as the style says; nothing for a style of width 0
/// (markers only).
pub(super) fn draw_line(root: &Root, pixels: &[(i32, i32)], style: SeriesStyle) -> DrawResult {
    if pixels.len() < 2 || style.width == 0 {
        return Ok(());
    }
    let stroke = style.colour.stroke_width(style.width);
    match style.dash.pattern() {
        None => root.draw(&PathElement::new(pixels.to_vec(), stroke))?,
        Some((on, off)) => root.draw(&DashedPathElement::new(pixels.to_vec(), on, off, stroke))?,
    }
    Ok(())
}

pub(super) fn draw_marker(
    root: &Root,
    (x, y): (i32, i32),
    marker: Marker,
    colour: RGBColor,
) -> DrawResult {
    let r = 4;
    let solid = colour.filled();
    let outline = colour.stroke_width(2);
    match marker {
        Marker::Circle => root.draw(&Circle::new((x, y), r, solid))?,
        Marker::Square => root.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], solid))?,
        Marker::Triangle => root.draw(&TriangleMarker::new((x, y), r + 1, solid))?,
        Marker::Diamond => {
            let d = r + 1;
            root.draw(&Polygon::new(
                vec![(x, y - d), (x + d, y), (x, y + d), (x - d, y)],
                solid,
            ))?
        }
        Marker::HollowCircle => {
            root.draw(&Circle::new((x, y), r, WHITE.filled()))?;
            root.draw(&Circle::new((x, y), r, outline))?
        }
        Marker::HollowSquare => {
            let rect = [(x - r, y - r), (x + r, y + r)];
            root.draw(&Rectangle::new(rect, WHITE.filled()))?;
            root.draw(&Rectangle::new(rect, outline))?
        }
    }
    Ok(())
}

/// An interval from `p` to `q` with end caps across it.
pub(super) fn draw_whisker(
    root: &Root,
    p: (i32, i32),
    q: (i32, i32),
    horizontal: bool,
) -> DrawResult {
    let stroke = INK.stroke_width(1);
    root.draw(&PathElement::new(vec![p, q], stroke))?;
    for (x, y) in [p, q] {
        let cap = if horizontal {
            [(x, y - 5), (x, y + 5)]
        } else {
            [(x - 5, y), (x + 5, y)]
        };
        root.draw(&PathElement::new(cap.to_vec(), stroke))?;
    }
    Ok(())
}

/// A small arrowhead at `(x, y)` pointing left (`-1`) or right (`1`): the interval goes on.
pub(super) fn arrow((x, y): (i32, i32), direction: i32) -> Polygon<(i32, i32)> {
    Polygon::new(
        vec![(x + 8 * direction, y), (x, y - 5), (x, y + 5)],
        INK.filled(),
    )
}

/// One legend line: a sample of a series or a bar fill, and its name.
pub(super) enum LegendEntry {
    Line(String, SeriesStyle),
    Swatch(String, RGBColor),
}

impl LegendEntry {
    fn name(&self) -> &str {
        match self {
            LegendEntry::Line(n, _) | LegendEntry::Swatch(n, _) => n,
        }
    }

    /// Approximate width in pixels: a 26-pixel sample, a gap, and the name.
    fn width(&self) -> i32 {
        32 + (self.name().chars().count() as f64 * TEXT_PX * CHAR_WIDTH) as i32
    }

    /// Draws the entry with its sample starting at `x`, centred on `y`.
    fn draw(&self, root: &Root, (x, y): (i32, i32)) -> DrawResult {
        match self {
            LegendEntry::Line(_, style) => {
                draw_line(root, &[(x, y), (x + 26, y)], *style)?;
                if let Some(m) = style.marker {
                    draw_marker(root, (x + 13, y), m, style.colour)?;
                }
            }
            LegendEntry::Swatch(_, fill) => {
                let rect = [(x + 4, y - 6), (x + 22, y + 6)];
                root.draw(&Rectangle::new(rect, fill.filled()))?;
                root.draw(&Rectangle::new(rect, INK.stroke_width(1)))?;
            }
        }
        let text = Text::new(
            self.name().to_string(),
            (x + 32, y),
            text_style(HPos::Left, VPos::Center),
        );
        root.draw(&text)?;
        Ok(())
    }
}

/// A framed legend, one entry per line, inside the plotting area `(xs, ys)` in `corner`.
pub(super) fn draw_legend(
    root: &Root,
    entries: &[LegendEntry],
    (xs, ys): (Range<i32>, Range<i32>),
    corner: Corner,
) -> DrawResult {
    if entries.is_empty() {
        return Ok(());
    }
    let w = entries.iter().map(LegendEntry::width).max().unwrap_or(0) + 18;
    let h = 20 * entries.len() as i32 + 8;
    let left = match corner {
        Corner::TopLeft | Corner::BottomLeft => xs.start + 10,
        Corner::TopRight | Corner::BottomRight => xs.end - 10 - w,
    };
    let top = match corner {
        Corner::TopLeft | Corner::TopRight => ys.start + 10,
        Corner::BottomLeft | Corner::BottomRight => ys.end - 10 - h,
    };
    let frame = [(left, top), (left + w, top + h)];
    root.draw(&Rectangle::new(frame, WHITE.mix(0.9).filled()))?;
    root.draw(&Rectangle::new(
        frame,
        RGBColor(180, 180, 180).stroke_width(1),
    ))?;
    for (i, entry) in entries.iter().enumerate() {
        entry.draw(root, (left + 8, top + 14 + 20 * i as i32))?;
    }
    Ok(())
}

/// Pixels above the plotting area that [`draw_legend_row`] needs.
pub(super) const LEGEND_ROW_HEIGHT: u32 = 26;

/// A legend in one row, centred over the pixel columns `xs`, its middle at `y`: for charts
/// whose data fill the plotting area.
pub(super) fn draw_legend_row(
    root: &Root,
    entries: &[LegendEntry],
    xs: Range<i32>,
    y: i32,
) -> DrawResult {
    const GAP: i32 = 18;
    let total: i32 = entries.iter().map(|e| e.width() + GAP).sum::<i32>() - GAP;
    let mut x = (xs.start + xs.end - total) / 2;
    for entry in entries {
        entry.draw(root, (x, y))?;
        x += entry.width() + GAP;
    }
    Ok(())
}
