//! The scenario file: TOML parsed into the model's types ([`super::model`]), one
//! [`Scenario`](super::model::Scenario) per `[[scenario]]` entry (the file's settings
//! deep-merged with the entry's overrides). Everything here is validated once, so the engine
//! only ever sees values in range.

mod fields;
mod merge;
mod parse;
mod sections;
mod sweep;
mod table;
mod values;

use std::path::Path;

use super::model::ScenarioFile;
use crate::error::{Error, Result};

pub use merge::deep_merge;

impl ScenarioFile {
    /// Reads, parses and validates a scenario file.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; [`Error::Config`] naming the key path of the first
    /// unknown key or out-of-range value; the table errors of a `population.table` CSV.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml_str(&text, path)
    }

    /// Parses scenario text as if it had been read from `path` (used for messages and to
    /// resolve table paths; the file itself is not read).
    ///
    /// # Errors
    /// As [`ScenarioFile::load`], without the read error.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Self> {
        parse::parse_file(text, path)
    }

    /// Warnings that do not stop a run: pools whose offered load exceeds their capacity while
    /// no patience is set, so that their queue grows without bound.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sc in &self.scenarios {
            if sc.policy.patience_hours.is_some() {
                continue;
            }
            for (pool, load) in sc.pools.iter().zip(super::load::offered_load(sc)) {
                if load > f64::from(pool.count) {
                    out.push(format!(
                        "scenario \"{}\": pool \"{}\" is offered {:.2} reps' worth of work but has {}; \
                         with no patience_hours its queue grows without bound",
                        sc.name, pool.name, load, pool.count
                    ));
                }
            }
        }
        out
    }
}
