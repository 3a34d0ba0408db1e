//! Self-contained HTML reports: one file with inline SVG charts, no scripts and no network, that
//! reads the same in any browser, offline, or printed in black and white.
//!
//! * [`charts`]: reusable chart builders on plotters (lines, bars with error bars, forest plots,
//!   heat maps), each rendering to an SVG string.
//! * [`html`]: a small page builder (sections, tables, figures) with one CSS block.
//! * [`train`]: the report `leadsim train` writes beside the model.
//! * [`simulate`]: the report `leadsim simulate --out DIR` writes beside its result files.
//!
//! Number formats come from [`crate::format`], shared with the terminal output.

use std::path::{Path, PathBuf};

pub mod calibrate;
pub mod charts;
pub mod html;
pub mod simulate;
pub mod train;

/// File name of the report written beside a model.
pub const REPORT_FILE: &str = "report.html";

pub use crate::format::MISSING;

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

pub use crate::format::{fixed, p_value, percent, significant};
