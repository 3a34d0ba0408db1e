//! Writing a calibration: `scenario.toml`, its `population.csv`, `calibration.json` and
//! `calibration.html`, all or nothing. The files are written into a staging folder inside the
//! output folder, the scenario is loaded back from there (so a written scenario is always one
//! `leadsim simulate` runs), and only then are the files moved into place; on any error the
//! staging folder disappears and the output folder is as it was.

use std::path::{Path, PathBuf};

use crate::calibrate::scenario::{population_csv, scenario_toml, POPULATION_FILE};
use crate::calibrate::{waiting, Calibration};
use crate::error::{Error, Result};
use crate::history::History;

/// File names of a calibration's outputs, in the order written.
pub const FILES: [&str; 4] = [
    "scenario.toml",
    POPULATION_FILE,
    "calibration.json",
    "calibration.html",
];

/// Writes the four files into `dir` (created if needed); `source` names the export in the
/// scenario's header and the page's subtitle. Returns the paths written.
///
/// Before the files are moved into place, the staged scenario is simulated to net the
/// cadence's gaps of the waiting the simulator adds ([`waiting::net_of_waiting`]); `c` then
/// holds the netted gaps, and so do the files.
///
/// # Errors
/// [`Error::Io`]; any error of loading the written scenario back (a defect if it happens:
/// nothing is written then).
pub fn write_calibration(
    dir: &Path,
    h: &History,
    c: &mut Calibration,
    source: &str,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let stage = tempfile::Builder::new()
        .prefix(".leadsim-calibrate-")
        .tempdir_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    let file = stage_files(stage.path(), h, c, source, &FILES)?;
    let netted = c
        .cadence
        .as_ref()
        .and_then(|cadence| waiting::net_of_waiting(&file, cadence, file.seed));
    if let Some((cadence, _)) = netted {
        c.cadence = Some(cadence);
        // The population does not depend on the cadence: only the other three change.
        let changed: Vec<&str> = FILES
            .into_iter()
            .filter(|&f| f != POPULATION_FILE)
            .collect();
        stage_files(stage.path(), h, c, source, &changed)?;
    }
    let mut written = Vec::new();
    for name in FILES {
        let to = dir.join(name);
        if let Err(e) = std::fs::rename(stage.path().join(name), &to) {
            for w in &written {
                let _ = std::fs::remove_file(w);
            }
            return Err(Error::io(&to, e));
        }
        written.push(to);
    }
    Ok(written)
}

/// Writes the files named in `names` (of [`FILES`]) into `stage` and returns the scenario loaded
/// back from there.
fn stage_files(
    stage: &Path,
    h: &History,
    c: &Calibration,
    source: &str,
    names: &[&str],
) -> Result<crate::sim::ScenarioFile> {
    for &name in names {
        let text = match name {
            "scenario.toml" => scenario_toml(h, c, source),
            POPULATION_FILE => population_csv(h, c),
            "calibration.json" => {
                serde_json::to_string_pretty(c).map_err(|e| Error::InvalidParameter {
                    name: "calibration".into(),
                    value: String::new(),
                    reason: e.to_string(),
                })? + "\n"
            }
            "calibration.html" => crate::report::calibrate::calibration_page(c, source),
            other => unreachable!("not a calibration file: {other}"),
        };
        let p = stage.join(name);
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))?;
    }
    crate::sim::ScenarioFile::load(stage.join(FILES[0]))
}

/// Writes named files into `dir` (created if needed) all or nothing: each goes to a temporary
/// file first ([`crate::atomic::AtomicFile`]), and they are renamed into place only when every
/// one was written. Returns the paths.
///
/// # Errors
/// [`Error::Io`].
pub fn write_files(dir: &Path, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut open = Vec::new();
    for (name, bytes) in files {
        let p = dir.join(name);
        let mut f = crate::atomic::AtomicFile::create(&p)?;
        f.write_all(bytes).map_err(|e| Error::io(&p, e))?;
        open.push((p, f));
    }
    let mut written = Vec::new();
    for (p, f) in open {
        f.commit()?;
        written.push(p);
    }
    Ok(written)
}
