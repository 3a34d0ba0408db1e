//! The outputs of a run: the printed table ([`Results::table`], in `table`) and the files
//! `leadsim simulate` and `leadsim merge` write (`files`, plus the HTML report of
//! [`crate::report::simulate`]). The binary only chooses the folder and prints.

mod files;
mod table;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::sim::run::Results;

/// The files [`write_outputs`] writes, in the order it writes them.
pub const OUTPUT_FILES: [&str; 4] = [
    "summary.csv",
    "summary.json",
    "replications.csv",
    crate::report::REPORT_FILE,
];

/// The summary as JSON, exactly the bytes of `summary.json` (what `simulate --json` and
/// `merge --json` print): the configurations, per-metric summaries with their paired
/// differences, the ranking and the precision reached.
pub fn summary_json(results: &Results) -> String {
    // Results holds strings, numbers (NaN as null via serde_json) and plain structs: nothing in
    // it can fail to serialise.
    serde_json::to_string_pretty(results).expect("Results always serialise")
}

/// Writes `summary.csv`, `summary.json`, `replications.csv` and the HTML report `report.html`
/// into `out_dir` (created if missing), each atomically; returns their paths in that order.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write_outputs(results: &Results, out_dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
    // All or nothing: the files are staged and moved into `out_dir` together at the end.
    let staged = crate::atomic::StagedDir::new(out_dir.as_ref())?;
    let paths: Vec<PathBuf> = OUTPUT_FILES.iter().map(|f| staged.stage(f)).collect();
    files::write_summary_csv(results, &paths[0])?;
    files::write_summary_json(results, &paths[1])?;
    files::write_replications_csv(results, &paths[2])?;
    let html = crate::report::simulate::simulation_report(results);
    crate::atomic::write_atomic(&paths[3], html.as_bytes())?;
    staged.commit(&OUTPUT_FILES)
}
