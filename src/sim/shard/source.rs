//! What a partial result records about the run's inputs: the scenario file's exact text and
//! SHA-256, the SHA-256 of every population table it reads, and a SHA-256 of the resolved
//! configurations, so that `merge` can rebuild the run and refuse shards of another.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sim::model::{Population, ScenarioFile};

/// A scenario file together with the exact text it was parsed from and that text's SHA-256:
/// what a partial result records so that `merge` can rebuild the run.
pub struct ScenarioSource {
    pub(super) record: SourceRecord,
    pub(super) file: ScenarioFile,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(super) struct SourceRecord {
    /// As given on the command line.
    pub(super) path: PathBuf,
    pub(super) sha256: String,
    pub(super) text: String,
}

impl ScenarioSource {
    /// Reads and parses a scenario file, keeping its text.
    ///
    /// # Errors
    /// As [`ScenarioFile::load`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let sha256 = crate::data::sha256_bytes(&bytes);
        // The same error as `ScenarioFile::load`'s `read_to_string`, whichever path reads it.
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                ),
            )
        })?;
        let file = ScenarioFile::from_toml_str(&text, path)?;
        Ok(ScenarioSource {
            record: SourceRecord {
                path: path.to_path_buf(),
                sha256,
                text,
            },
            file,
        })
    }

    /// Parses scenario text that has no file of its own (the Python package's strings and
    /// dicts), named `path` in messages; relative table paths resolve as for a file at `path`.
    ///
    /// # Errors
    /// As [`ScenarioFile::from_toml_str`].
    pub fn from_text(text: String, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = ScenarioFile::from_toml_str(&text, path)?;
        Ok(ScenarioSource {
            record: SourceRecord {
                path: path.to_path_buf(),
                sha256: crate::data::sha256_bytes(text.as_bytes()),
                text,
            },
            file,
        })
    }

    /// The parsed file.
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }

    /// The parsed file, without its text.
    pub fn into_file(self) -> ScenarioFile {
        self.file
    }

    /// Hex SHA-256 of the file's bytes.
    pub fn sha256(&self) -> &str {
        &self.record.sha256
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(super) struct TableHash {
    pub(super) path: PathBuf,
    pub(super) sha256: String,
}

/// SHA-256 of every population table the file reads, by resolved path.
pub(super) fn table_hashes(file: &ScenarioFile) -> Result<Vec<TableHash>> {
    let paths: BTreeSet<&PathBuf> = file
        .scenarios
        .iter()
        .filter_map(|sc| match &sc.population {
            Population::Table { table, .. } => Some(table),
            _ => None,
        })
        .collect();
    paths
        .into_iter()
        .map(|p| {
            Ok(TableHash {
                path: p.clone(),
                sha256: crate::data::sha256_file(p)?,
            })
        })
        .collect()
}

/// SHA-256 of the resolved configurations as `summary.json` shows them.
pub(super) fn config_sha256(file: &ScenarioFile) -> String {
    let json = serde_json::to_vec(&file.scenarios).expect("configurations serialise");
    crate::data::sha256_bytes(&json)
}
