//! Reusable SVG charts drawn with plotters: a line chart with several series ([`LineChart`]), a
//! bar chart with error bars ([`BarChart`]), a horizontal forest plot with intervals
//! ([`ForestPlot`]), an annotated heat map ([`HeatMap`]) and a lead funnel as a flow chart
//! ([`Funnel`], plain SVG: boxes and arrows need no axes).
//!
//! Every chart renders to a standalone SVG string (`to_svg`). Charts stay readable in black and
//! white: series differ by dash pattern and marker shape as well as colour, bars by grey level,
//! heat-map cells carry their value as text. Text is emitted as SVG `<text>` and laid out by
//! whatever displays the file, so rendering needs no font files. A chart that cannot be drawn
//! (plotters reports an error) renders as a small SVG saying so, never a panic.
//!
//! ```
//! use leadsim::report::charts::{Axis, LineChart, Series};
//! let svg = LineChart::new("Gains", Axis::percent("Leads (%)"), Axis::percent("Conversions (%)"))
//!     .series(Series::new("model", vec![(0.0, 0.0), (0.5, 0.8), (1.0, 1.0)]))
//!     .to_svg();
//! assert!(svg.starts_with("<svg") && svg.contains("Leads (%)"));
//! ```

use std::error::Error as StdError;

use plotters::coord::Shift;
use plotters::prelude::*;

mod bar;
mod draw;
mod forest;
mod funnel;
mod heat;
mod line;

pub use bar::{BarChart, BarGroup};
pub use forest::{ForestPlot, ForestRow};
pub use funnel::{Funnel, FunnelExit, FunnelPool, FunnelStage};
pub use heat::{HeatMap, Scale};
pub use line::{LineChart, Series};

/// Text and axes.
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Reference lines (diagonals, zero lines, base rates).
pub const REFERENCE: RGBColor = RGBColor(110, 110, 110);
/// Series colours (Okabe-Ito), picked in order; they also differ in lightness.
pub const PALETTE: [RGBColor; 4] = [
    RGBColor(0, 90, 160),
    RGBColor(213, 94, 0),
    RGBColor(0, 130, 95),
    RGBColor(120, 60, 140),
];
/// Bar fills, picked in order: grey levels a black-and-white print keeps apart.
pub const FILLS: [RGBColor; 4] = [
    RGBColor(47, 75, 124),
    RGBColor(190, 200, 215),
    RGBColor(255, 255, 255),
    RGBColor(105, 115, 130),
];
const FONT: &str = "sans-serif";
/// plotters' SVG backend writes `font-size` as the requested size / 1.24; multiplying by this
/// undoes it, so sizes below are CSS pixels.
const SVG_FONT_SCALE: f64 = 1.24;
/// Font sizes in CSS pixels.
const TITLE_PX: f64 = 17.0;
const AXIS_PX: f64 = 14.0;
const TEXT_PX: f64 = 13.0;
const GRID: RGBColor = RGBColor(228, 228, 228);
/// Approximate width of one character, as a share of the font size, for sizing label areas.
const CHAR_WIDTH: f64 = 0.58;

type DrawResult = Result<(), Box<dyn StdError>>;
type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// How tick labels are written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TickFormat {
    /// Decimals chosen from the axis span.
    Auto,
    /// Values are shares, written as percentages ("40%").
    Percent,
    /// Fixed number of decimals.
    Fixed(usize),
}

/// A numeric axis: its label (with units) and range.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Axis title, including the unit, e.g. "Leads contacted (%)".
    pub label: String,
    /// Fixed range; `None` fits the data with a small margin.
    pub range: Option<(f64, f64)>,
    pub format: TickFormat,
}

impl Axis {
    /// An axis fitted to the data, ticks with automatic decimals.
    pub fn new(label: impl Into<String>) -> Self {
        Axis {
            label: label.into(),
            range: None,
            format: TickFormat::Auto,
        }
    }

    /// A 0-100% axis for shares in `[0, 1]`.
    pub fn percent(label: impl Into<String>) -> Self {
        Axis {
            label: label.into(),
            range: Some((0.0, 1.0)),
            format: TickFormat::Percent,
        }
    }

    /// The same axis with a fixed range.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// The same axis with another tick format.
    pub fn format(mut self, format: TickFormat) -> Self {
        self.format = format;
        self
    }

    /// The axis range: the fixed one, or `values` padded by 5% on each side.
    fn resolve(&self, values: impl Iterator<Item = f64>) -> (f64, f64) {
        if let Some((lo, hi)) = self.range {
            return widen(lo, hi);
        }
        let (lo, hi) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        if lo > hi {
            return (0.0, 1.0);
        }
        let pad = (hi - lo) * 0.05;
        widen(lo - pad, hi + pad)
    }
}

/// A usable range: finite and of positive width.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - half, hi + half)
    }
}

/// Writes `v` for an axis spanning `span` with about six ticks.
pub fn format_tick(v: f64, span: f64, format: TickFormat) -> String {
    let step = span.abs() / 6.0;
    // Ticks a rounding error away from zero would otherwise print as "-0".
    let v = if v.abs() < step * 1e-6 { 0.0 } else { v };
    match format {
        TickFormat::Fixed(d) => format!("{v:.d$}"),
        TickFormat::Percent => format!("{:.*}%", decimals_for(step * 100.0), v * 100.0),
        TickFormat::Auto if (v != 0.0 && v.abs() < 1e-4) || v.abs() >= 1e6 => format!("{v:.1e}"),
        TickFormat::Auto => format!("{v:.*}", decimals_for(step)),
    }
}

/// Decimals that tell apart ticks `step` apart.
fn decimals_for(step: f64) -> usize {
    if step <= 0.0 || !step.is_finite() {
        return 0;
    }
    (-step.log10().floor()).clamp(0.0, 6.0) as usize
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
    LongDash,
}

impl Dash {
    /// The `n`th pattern of a cycle that starts solid.
    pub fn nth(n: usize) -> Dash {
        [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::LongDash][n % 4]
    }

    /// (dash, gap) in pixels; `None` for a solid line.
    fn pattern(self) -> Option<(f64, f64)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((7.0, 5.0)),
            Dash::Dotted => Some((2.0, 4.0)),
            Dash::LongDash => Some((16.0, 5.0)),
        }
    }
}

/// Point markers; hollow ones are drawn over a white fill so lines do not cross them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    HollowCircle,
    HollowSquare,
}

impl Marker {
    /// The `n`th marker of a fixed cycle.
    pub fn nth(n: usize) -> Marker {
        use Marker::*;
        [
            Circle,
            Square,
            Triangle,
            Diamond,
            HollowCircle,
            HollowSquare,
        ][n % 6]
    }
}

/// How one series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesStyle {
    pub colour: RGBColor,
    pub dash: Dash,
    pub marker: Option<Marker>,
    /// Stroke width in pixels; 0 draws the markers only (a scatter).
    pub width: u32,
}

impl SeriesStyle {
    /// The `n`th style of a cycle where colour, dash and marker all change together.
    pub fn nth(n: usize) -> Self {
        SeriesStyle {
            colour: PALETTE[n % PALETTE.len()],
            dash: Dash::nth(n),
            marker: Some(Marker::nth(n)),
            width: 2,
        }
    }

    /// A thin grey dashed line without markers, for reference lines.
    pub fn reference() -> Self {
        SeriesStyle {
            colour: REFERENCE,
            dash: Dash::Dashed,
            marker: None,
            width: 1,
        }
    }

    /// The same style without markers (for dense curves).
    pub fn without_markers(mut self) -> Self {
        self.marker = None;
        self
    }
}

/// Where a legend sits inside the plotting area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// Whether `svg` draws `text` as one `<text>` element (plotters puts the content on its own
/// line).
#[cfg(test)]
pub(crate) fn draws_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_formatted_for_their_span() {
        assert_eq!(format_tick(0.4, 1.0, TickFormat::Percent), "40%");
        assert_eq!(format_tick(0.025, 0.05, TickFormat::Percent), "2.5%");
        assert_eq!(format_tick(-1e-17, 1.0, TickFormat::Auto), "0.0");
        assert_eq!(format_tick(4.0, 10.0, TickFormat::Auto), "4");
        assert_eq!(format_tick(3.0, 10.0, TickFormat::Fixed(2)), "3.00");
        assert_eq!(format_tick(2e-6, 1e-5, TickFormat::Auto), "2.0e-6");
    }

    #[test]
    fn fitted_ranges_are_usable() {
        assert_eq!(Axis::new("x").resolve([f64::NAN].into_iter()), (0.0, 1.0));
        assert_eq!(Axis::new("x").resolve([2.0, 2.0].into_iter()), (1.8, 2.2));
        let (lo, hi) = Axis::new("x").resolve([0.0, 10.0].into_iter());
        assert_eq!((lo, hi), (-0.5, 10.5));
        assert_eq!(Axis::percent("p").resolve([5.0].into_iter()), (0.0, 1.0));
    }
}
