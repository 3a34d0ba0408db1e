//! The partial-result file `DIR/shard-I-of-N.json`: its layout, how a metric value is stored
//! exactly, writing it atomically, and reading it back with its format checked before its
//! contents.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::partition::Shard;
use super::source::{SourceRecord, TableHash};
use crate::atomic::AtomicFile;
use crate::error::{Error, Result};

/// The `format` field of every partial result.
pub const FORMAT: &str = "leadsim-shard";
/// The partial-result layout this leadsim writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A metric value written in Rust's shortest round-trip notation, so that it reads back
/// bit for bit (NaN, infinities and -0 included).
#[derive(Clone, Copy, Debug)]
pub(super) struct Exact(pub(super) f64);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:?}", self.0))
    }
}

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse::<f64>()
            .map(Exact)
            .map_err(|_| serde::de::Error::custom(format!("not a number: \"{s}\"")))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct UnitRow {
    pub(super) scenario: usize,
    pub(super) replication: usize,
    pub(super) values: Vec<Exact>,
}

/// What a partial result file holds; fields in the order they are checked.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct ShardFile {
    pub(super) format: String,
    pub(super) format_version: u32,
    pub(super) leadsim_version: String,
    pub(super) shard: Shard,
    pub(super) seed: u64,
    pub(super) replications: usize,
    pub(super) scenario_file: SourceRecord,
    pub(super) tables: Vec<TableHash>,
    pub(super) scenarios: Vec<String>,
    pub(super) config_sha256: String,
    /// The ranking objective given to the sharded `simulate`, the merge's default.
    #[serde(default)]
    pub(super) objective: Option<String>,
    /// Global unit indices `[first, end)` of `total`.
    pub(super) first_unit: usize,
    pub(super) end_unit: usize,
    pub(super) total_units: usize,
    pub(super) rows: Vec<UnitRow>,
}

/// Just enough of a file to tell whether it is a partial result this leadsim reads.
#[derive(Deserialize)]
struct Probe {
    format: Option<String>,
    format_version: Option<u32>,
}

/// The result of one shard: its units' metric rows plus what `merge` checks them against.
pub struct PartialResult {
    pub(super) inner: ShardFile,
}

impl PartialResult {
    /// Which shard this is.
    pub fn shard(&self) -> Shard {
        self.inner.shard
    }

    /// Units simulated in this shard.
    pub fn units(&self) -> usize {
        self.inner.rows.len()
    }

    /// Units in the whole run (scenarios times replications).
    pub fn total_units(&self) -> usize {
        self.inner.total_units
    }

    /// Writes `dir/shard-I-of-N.json` atomically (creating `dir`) and returns its path.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn write(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let path = dir.as_ref().join(self.inner.shard.file_name());
        let mut f = AtomicFile::create(&path)?;
        serde_json::to_writer(&mut f, &self.inner)
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        f.write_all(b"\n").map_err(|e| Error::io(&path, e))?;
        f.commit()?;
        Ok(path)
    }

    /// Reads a partial result, checking its format before its contents.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; [`Error::NotAShardFile`], [`Error::ShardVersion`]
    /// if it is not a partial result of this format version; [`Error::ShardDamaged`] if its
    /// rows are not those of its shard.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let bad = |field: &'static str, reason: String| Error::ShardDamaged {
            path: path.to_path_buf(),
            field,
            reason,
        };
        let probe: Probe = serde_json::from_slice(&bytes).map_err(|e| Error::NotAShardFile {
            path: path.to_path_buf(),
            detail: Some(e.to_string()),
        })?;
        if probe.format.as_deref() != Some(FORMAT) {
            return Err(Error::NotAShardFile {
                path: path.to_path_buf(),
                detail: None,
            });
        }
        if probe.format_version != Some(FORMAT_VERSION) {
            return Err(Error::ShardVersion {
                path: path.to_path_buf(),
                found: probe.format_version,
                supported: FORMAT_VERSION,
            });
        }
        let inner: ShardFile = serde_json::from_slice(&bytes)
            .map_err(|e| bad("format", format!("damaged shard file: {e}")))?;
        let s = inner.scenarios.len();
        let total = s.checked_mul(inner.replications);
        let expected = total.map(|t| inner.shard.units(t));
        if s == 0
            || total != Some(inner.total_units)
            || expected != Some(inner.first_unit..inner.end_unit)
            || inner.rows.len() != inner.end_unit - inner.first_unit
        {
            return Err(bad(
                "rows",
                format!(
                    "the file does not hold the units of shard {} ({} scenarios x {} replications)",
                    inner.shard, s, inner.replications
                ),
            ));
        }
        for (k, row) in inner.rows.iter().enumerate() {
            let u = inner.first_unit + k;
            if row.scenario != u % s || row.replication != u / s {
                return Err(bad(
                    "rows",
                    format!(
                        "row {k} is (scenario {}, replication {}) but unit {u} is (scenario {}, replication {})",
                        row.scenario,
                        row.replication,
                        u % s,
                        u / s
                    ),
                ));
            }
        }
        Ok(PartialResult { inner })
    }
}

/// Shard files among `inputs`: files as given, and every `shard-I-of-N.json` inside folders.
///
/// # Errors
/// [`Error::Io`] for an unreadable input or a folder without shard files.
pub fn shard_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
            out.push(input.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(input)
            .map_err(|e| Error::io(input, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(is_shard_name)
            })
            .collect();
        if found.is_empty() {
            return Err(Error::io(
                input,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no shard file (shard-I-of-N.json) in this folder; did that shard's job fail?",
                ),
            ));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn is_shard_name(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    name.strip_prefix("shard-")
        .and_then(|r| r.strip_suffix(".json"))
        .and_then(|r| r.split_once("-of-"))
        .is_some_and(|(i, n)| digits(i) && digits(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_values_round_trip_bit_for_bit() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values = vec![
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            f64::MAX,
            5e-324,
            0.1 + 0.2,
            394_301.338_356_336_75, // misread by serde_json's default float parser
        ];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(f64::from_bits(x));
            values.push((x >> 11) as f64 / (1u64 << 53) as f64 * 1e6);
        }
        let exact: Vec<Exact> = values.iter().copied().map(Exact).collect();
        let back: Vec<Exact> =
            serde_json::from_str(&serde_json::to_string(&exact).unwrap()).unwrap();
        for (a, b) in values.iter().zip(&back) {
            assert!(
                a.to_bits() == b.0.to_bits() || (a.is_nan() && b.0.is_nan()),
                "{a:?} read back as {:?}",
                b.0
            );
        }
    }

    #[test]
    fn shard_file_names_are_recognised() {
        assert!(is_shard_name("shard-3-of-8.json"));
        assert!(!is_shard_name("shard-3-of-.json"));
        assert!(!is_shard_name("summary.json"));
        assert!(!is_shard_name(".leadsim-x.tmp"));
    }
}
