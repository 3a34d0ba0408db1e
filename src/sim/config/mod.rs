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
}
