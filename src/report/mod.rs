//! Self-contained HTML reports: one file with inline SVG charts, no scripts and no network, that
//! reads the same in any browser, offline, or printed in black and white.
//!
//! * [`charts`]: reusable chart builders on plotters (lines, bars with error bars, forest plots,
//!   heat maps), each rendering to an SVG string.
//! * [`html`]: a small page builder (sections, tables, figures) with one CSS block.
//! * [`train`]: the report `leadsim train` writes beside the model.
//! * [`simulate`]: the report `leadsim simulate --out DIR` writes beside its result files.
//!
//! The number formats below are shared by every report, so tables read alike.

use std::path::{Path, PathBuf};

pub mod charts;
pub mod html;
pub mod simulate;
pub mod train;

/// File name of the report written beside a model.
pub const REPORT_FILE: &str = "report.html";

/// Shown for a value that does not exist (a rate over no rows, an interval of a regularised fit).
pub const MISSING: &str = "–";

/// Where the report for the model saved at `model_path` goes: `report.html` in the same folder.
///
/// ```
/// use std::path::Path;
/// use leadsim::report::report_path_for;
/// assert_eq!(report_path_for(Path::new("out/model.json")), Path::new("out/report.html"));
/// assert_eq!(report_path_for(Path::new("model.json")), Path::new("report.html"));
/// ```
pub fn report_path_for(model_path: &Path) -> PathBuf {
    match model_path.parent() {
        Some(dir) => dir.join(REPORT_FILE),
        None => PathBuf::from(REPORT_FILE),
    }
}

/// A share as a percentage with `decimals` decimals ("12.5%"), or [`MISSING`].
pub fn percent(share: Option<f64>, decimals: usize) -> String {
    match share {
        Some(s) if s.is_finite() => format!("{:.*}%", decimals, s * 100.0),
        _ => MISSING.to_string(),
    }
}

/// A number with `decimals` decimals, or [`MISSING`].
pub fn fixed(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => MISSING.to_string(),
    }
}

/// A number with four significant digits, in scientific notation when very small or large
/// (coefficients per unit range from per-dollar to per-level).
pub fn significant(value: Option<f64>) -> String {
    match value {
        Some(0.0) => "0".to_string(),
        Some(v) if v.is_finite() && (1e-3..1e6).contains(&v.abs()) => {
            let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
            format!("{v:.decimals$}")
        }
        Some(v) if v.is_finite() => format!("{v:.3e}"),
        _ => MISSING.to_string(),
    }
}

/// A p-value: four decimals, "<0.0001" below that.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => "<0.0001".to_string(),
        other => fixed(other, 4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(percent(Some(0.125), 1), "12.5%");
        assert_eq!(percent(None, 1), MISSING);
        assert_eq!(fixed(Some(f64::NAN), 2), MISSING);
        assert_eq!(significant(Some(1.23456)), "1.235");
        assert_eq!(significant(Some(-0.0123456)), "-0.01235");
        assert_eq!(significant(Some(1234.56)), "1235");
        assert_eq!(significant(Some(3.2e-7)), "3.200e-7");
        assert_eq!(significant(Some(0.0)), "0");
        assert_eq!(p_value(Some(0.5)), "0.5000");
        assert_eq!(p_value(Some(1e-9)), "<0.0001");
        assert_eq!(p_value(None), MISSING);
    }
}
