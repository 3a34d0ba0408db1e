//! A lead funnel as a flow chart: the stages a lead passes (one bar each, its length the count
//! against the first stage), the exits that leave between stages (hatched boxes to the right),
//! the pool the exits flow into and what comes back from it.
//!
//! Written as plain SVG rather than through plotters: it is boxes, arrows and text, not axes.
//! Readable in black and white: stages are solid bars, exits diagonally hatched, the pool
//! dotted, the return cross-hatched, and every box carries its label and numbers as text.

use std::fmt::Write as _;

use super::PALETTE;
use crate::report::html::escape;

/// One stage of a [`Funnel`]: a bar.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStage {
    /// The stage's name ("Handed over").
    pub label: String,
    /// Its count (sets the bar's length against the first stage's).
    pub value: f64,
    /// The line under the name: the count and its share ("323 · 14.7% of MQLs").
    pub detail: String,
}

/// An exit of a [`Funnel`]: leads that leave after stage `after`, drawn beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelExit {
    /// Index of the stage they leave from.
    pub after: usize,
    /// The exit's name ("Rejected by sales").
    pub label: String,
    /// The line under the name.
    pub detail: String,
}

/// The box the exits flow into, and the box below it for what comes back.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPool {
    /// The pool's name and its lines ("Nurture", "2,143 leads").
    pub label: String,
    pub lines: Vec<String>,
    /// What comes back: a name and its lines.
    pub outcome: String,
    pub outcome_lines: Vec<String>,
}

/// A lead funnel with its exits, drawn as a flow chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub title: String,
    pub stages: Vec<FunnelStage>,
    pub exits: Vec<FunnelExit>,
    pub pool: Option<FunnelPool>,
}

const WIDTH: f64 = 680.0;
const TOP: f64 = 44.0;
const ROW: f64 = 62.0;
const LABEL_X: f64 = 12.0;
const BAR_X: f64 = 200.0;
const BAR_W: f64 = 230.0;
const BAR_H: f64 = 30.0;
const EXIT_X: f64 = 478.0;
const EXIT_W: f64 = 180.0;
const EXIT_H: f64 = 44.0;
const FONT: &str = "font-family=\"sans-serif\"";

fn text(out: &mut String, x: f64, y: f64, size: f64, weight: &str, anchor: &str, s: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" {FONT} font-size=\"{size}\" font-weight=\"{weight}\" text-anchor=\"{anchor}\" fill=\"#212121\">{}</text>",
        escape(s)
    );
}

fn arrow(out: &mut String, points: &[(f64, f64)]) {
    let path: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = write!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\" marker-end=\"url(#funnel-arrow)\"/>",
        path.join(" ")
    );
}

fn framed(out: &mut String, x: f64, y: f64, w: f64, h: f64, fill: &str, dash: &str) {
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\" stroke=\"#212121\" stroke-width=\"1.2\"{dash}/>"
    );
}

/// A white band behind text laid over a pattern, so the text stays legible.
fn backing(out: &mut String, x: f64, y: f64, w: f64, h: f64) {
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"#fff\" fill-opacity=\"0.85\"/>"
    );
}

impl Funnel {
    /// The chart as a standalone SVG document. Every id inside it carries `id_prefix`, so two
    /// funnels can share a page.
    pub fn to_svg(&self, id_prefix: &str) -> String {
        let rows = self.stages.len().max(1) as f64;
        let exit_rows = self.exits.iter().map(|e| e.after + 1).max().unwrap_or(0) as f64;
        // The pool sits under the exits, its outcome under it.
        let pool_y = TOP + ROW * exit_rows + 14.0;
        let box_h = |lines: usize| 16.0 + 17.0 * (1 + lines) as f64;
        let bottom = self.pool.as_ref().map_or(0.0, |p| {
            pool_y + box_h(p.lines.len()) + 26.0 + box_h(p.outcome_lines.len())
        });
        let height = (TOP + ROW * rows).max(bottom) + 12.0;
        let hatch = format!("{id_prefix}-hatch");
        let cross = format!("{id_prefix}-cross");
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height:.0}\" viewBox=\"0 0 {WIDTH} {height:.0}\">"
        );
        // The arrow marker's id is the same in every funnel: identical definitions, harmless.
        let _ = write!(
            out,
            "<defs><pattern id=\"{hatch}\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#9a9a9a\" stroke-width=\"3\"/></pattern>\
             <pattern id=\"{cross}\" width=\"10\" height=\"10\" patternUnits=\"userSpaceOnUse\"><rect width=\"10\" height=\"10\" fill=\"#fff\"/><path d=\"M0,0 L10,10 M10,0 L0,10\" stroke=\"#b0b0b0\" stroke-width=\"1.2\"/></pattern>\
             <marker id=\"funnel-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>"
        );
        let _ = write!(
            out,
            "<rect width=\"{WIDTH}\" height=\"{height:.0}\" fill=\"#fff\"/>"
        );
        text(&mut out, LABEL_X, 24.0, 17.0, "bold", "start", &self.title);
        let first = self.stages.first().map_or(0.0, |s| s.value);
        let bar = format!("rgb({},{},{})", PALETTE[0].0, PALETTE[0].1, PALETTE[0].2);
        for (i, s) in self.stages.iter().enumerate() {
            let y = TOP + ROW * i as f64;
            text(&mut out, LABEL_X, y + 14.0, 14.0, "bold", "start", &s.label);
            text(
                &mut out,
                LABEL_X,
                y + 31.0,
                13.0,
                "normal",
                "start",
                &s.detail,
            );
            // The track shows the first stage's length, so a short bar reads as a share of it.
            framed(
                &mut out,
                BAR_X,
                y + 2.0,
                BAR_W,
                BAR_H,
                "#f2f2f2",
                " stroke-opacity=\"0.35\"",
            );
            let w = if first > 0.0 && s.value.is_finite() {
                (BAR_W * s.value / first).clamp(0.0, BAR_W)
            } else {
                0.0
            };
            // At least a sliver, so a small stage is still seen to exist.
            let w = if s.value > 0.0 { w.max(2.0) } else { w };
            let _ = write!(
                out,
                "<rect x=\"{BAR_X}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{BAR_H}\" fill=\"{bar}\" stroke=\"#212121\" stroke-width=\"1\"/>",
                y + 2.0
            );
            if i + 1 < self.stages.len() {
                // Down to the next stage, at the bars' left end.
                arrow(
                    &mut out,
                    &[
                        (BAR_X + 10.0, y + BAR_H + 3.0),
                        (BAR_X + 10.0, y + ROW + 1.0),
                    ],
                );
            }
        }
        let trunk = EXIT_X + EXIT_W + 12.0;
        let mut lowest_exit: Option<f64> = None;
        for e in &self.exits {
            let y = TOP + ROW * e.after as f64 + 30.0 - EXIT_H / 2.0 + 14.0;
            let mid = y + EXIT_H / 2.0;
            // From between this stage and the next, out to the exit.
            arrow(&mut out, &[(BAR_X + BAR_W + 4.0, mid), (EXIT_X - 2.0, mid)]);
            framed(
                &mut out,
                EXIT_X,
                y,
                EXIT_W,
                EXIT_H,
                &format!("url(#{hatch})"),
                "",
            );
            backing(&mut out, EXIT_X + 4.0, y + 4.0, EXIT_W - 8.0, EXIT_H - 8.0);
            text(
                &mut out,
                EXIT_X + 8.0,
                y + 19.0,
                13.0,
                "bold",
                "start",
                &e.label,
            );
            text(
                &mut out,
                EXIT_X + 8.0,
                y + 35.0,
                12.5,
                "normal",
                "start",
                &e.detail,
            );
            if self.pool.is_some() {
                let _ = write!(
                    out,
                    "<line x1=\"{:.1}\" y1=\"{mid:.1}\" x2=\"{trunk:.1}\" y2=\"{mid:.1}\" stroke=\"#555\" stroke-width=\"1.5\"/>",
                    EXIT_X + EXIT_W
                );
            }
            lowest_exit = Some(lowest_exit.map_or(mid, |m: f64| m.max(mid)));
        }
        if let Some(p) = &self.pool {
            let top_exit = self
                .exits
                .iter()
                .map(|e| TOP + ROW * e.after as f64 + 30.0 + 14.0)
                .fold(f64::INFINITY, f64::min);
            let y = pool_y;
            let h = box_h(p.lines.len());
            if let Some(low) = lowest_exit {
                // The exits join a trunk that runs down into the pool.
                let _ = write!(
                    out,
                    "<line x1=\"{trunk:.1}\" y1=\"{top_exit:.1}\" x2=\"{trunk:.1}\" y2=\"{low:.1}\" stroke=\"#555\" stroke-width=\"1.5\"/>"
                );
                arrow(
                    &mut out,
                    &[
                        (trunk, low),
                        (trunk, y + h / 2.0),
                        (EXIT_X + EXIT_W + 2.0, y + h / 2.0),
                    ],
                );
            }
            framed(
                &mut out,
                EXIT_X,
                y,
                EXIT_W,
                h,
                "#fafafa",
                " stroke-dasharray=\"2,3\"",
            );
            text(
                &mut out,
                EXIT_X + 8.0,
                y + 19.0,
                14.0,
                "bold",
                "start",
                &p.label,
            );
            for (k, line) in p.lines.iter().enumerate() {
                text(
                    &mut out,
                    EXIT_X + 8.0,
                    y + 36.0 + 17.0 * k as f64,
                    12.5,
                    "normal",
                    "start",
                    line,
                );
            }
            let oy = y + h + 26.0;
            let oh = box_h(p.outcome_lines.len());
            arrow(
                &mut out,
                &[
                    (EXIT_X + EXIT_W / 2.0, y + h),
                    (EXIT_X + EXIT_W / 2.0, oy - 2.0),
                ],
            );
            // The return box may reach past the stages: widen it leftwards if it needs room.
            let ox = EXIT_X - 120.0;
            let ow = EXIT_W + 120.0;
            framed(&mut out, ox, oy, ow, oh, &format!("url(#{cross})"), "");
            backing(&mut out, ox + 4.0, oy + 4.0, ow - 8.0, oh - 8.0);
            text(
                &mut out,
                ox + 8.0,
                oy + 19.0,
                14.0,
                "bold",
                "start",
                &p.outcome,
            );
            for (k, line) in p.outcome_lines.iter().enumerate() {
                text(
                    &mut out,
                    ox + 8.0,
                    oy + 36.0 + 17.0 * k as f64,
                    12.5,
                    "normal",
                    "start",
                    line,
                );
            }
        }
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funnel() -> Funnel {
        Funnel {
            title: "today <1>".into(),
            stages: vec![
                FunnelStage {
                    label: "MQLs".into(),
                    value: 100.0,
                    detail: "100".into(),
                },
                FunnelStage {
                    label: "Handed over".into(),
                    value: 25.0,
                    detail: "25 · 25% of MQLs".into(),
                },
            ],
            exits: vec![FunnelExit {
                after: 0,
                label: "Retained by marketing".into(),
                detail: "75 · 75% of MQLs".into(),
            }],
            pool: Some(FunnelPool {
                label: "Nurture".into(),
                lines: vec!["75 leads".into()],
                outcome: "Recovered within 12 months".into(),
                outcome_lines: vec!["1.2k from leads marketing kept".into()],
            }),
        }
    }

    #[test]
    fn bars_scale_with_the_first_stage_and_text_is_escaped() {
        let svg = funnel().to_svg("f0");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("today &lt;1&gt;"), "{svg}");
        // The second bar is a quarter of the track.
        assert!(
            svg.contains(&format!("width=\"{:.1}\"", BAR_W / 4.0)),
            "{svg}"
        );
        assert!(svg.contains("url(#f0-hatch)") && svg.contains("id=\"f0-hatch\""));
        for s in [
            "Retained by marketing",
            "75 leads",
            "Recovered within 12 months",
        ] {
            assert!(svg.contains(s), "{s}");
        }
    }

    #[test]
    fn without_a_pool_there_is_no_trunk() {
        let mut f = funnel();
        f.pool = None;
        let svg = f.to_svg("f1");
        assert!(!svg.contains("Nurture"));
        assert!(!svg.contains("stroke-dasharray"));
    }
}
