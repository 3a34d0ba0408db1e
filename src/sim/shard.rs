//! Sharded runs for clusters: `simulate --shard I/N` runs one fixed slice of the
//! (scenario, replication) units and writes a partial result; `merge` checks that a set of
//! partial results is one run covered exactly once and rebuilds the unsharded output.
//!
//! **Partition.** Units are numbered replication-major, as [`run`](super::run::run) orders
//! them: unit `u = replication * S + scenario` for `S` scenarios and `R` replications, so
//! `T = S * R` units. Shard `I` of `N` (1-based) holds the contiguous units
//! `[(I - 1) * T / N, I * T / N)` (integer division): sizes differ by at most one, every shard
//! spans every scenario when `T / N >= S`, and the slice depends only on `I`, `N`, `S` and `R`,
//! never on threads or machine. Since a unit's result depends only on its scenario, the seed and
//! its replication index, the merged rows are exactly the rows of an unsharded run.
//!
//! **Partial result.** `DIR/shard-I-of-N.json`, written atomically: a header (format version,
//! leadsim version, shard, seed, replications, the scenario file's path, SHA-256 and full text,
//! the SHA-256 of every population table it reads, the scenario names and a SHA-256 of their
//! resolved configurations) and one row per unit. Metric values are stored as strings in Rust's
//! shortest round-trip notation (`NaN`, `inf` included): serde_json's default float parser does
//! not read every f64 back exactly, and the merge must be bit for bit.
//!
//! **Merge** needs nothing but the shard files, except for a scenario file with a population
//! `table`: the stored text is parsed again, which reads the table at the path it resolved to
//! when the shards ran (relative paths against the working directory), and its SHA-256 must match.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::engine::Compiled;
use super::metric;
use super::model::{Population, ScenarioFile};
use super::run::rank::check_metric;
use super::run::{
    add_ranking, seed_and_replications, simulate_units, summarise, Analysis, Results, RunOptions,
    Unit, DEFAULT_OBJECTIVE,
};
use crate::atomic::AtomicFile;
use crate::error::{Error, Result};

/// The `format` field of every partial result.
pub const FORMAT: &str = "leadsim-shard";
/// The partial-result layout this leadsim writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Shard `index` of `count`, 1-based; always valid (`1 <= index <= count`).
///
/// ```
/// let s: leadsim::sim::Shard = "3/8".parse().unwrap();
/// assert_eq!((s.index(), s.count()), (3, 8));
/// assert_eq!(s.units(100), 25..37);
/// assert!("0/8".parse::<leadsim::sim::Shard>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawShard", into = "RawShard")]
pub struct Shard {
    index: usize,
    count: usize,
}

#[derive(Serialize, Deserialize)]
struct RawShard {
    index: usize,
    count: usize,
}

impl TryFrom<RawShard> for Shard {
    type Error = Error;
    fn try_from(r: RawShard) -> Result<Self> {
        Shard::new(r.index, r.count)
    }
}

impl From<Shard> for RawShard {
    fn from(s: Shard) -> Self {
        RawShard {
            index: s.index,
            count: s.count,
        }
    }
}

impl Shard {
    /// Shard `index` (1-based) of `count`.
    ///
    /// # Errors
    /// [`Error::InvalidShard`] for `count == 0`, `index == 0` or `index > count`.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        let bad = |reason: String| Error::InvalidShard {
            text: format!("{index}/{count}"),
            reason,
        };
        if count == 0 {
            return Err(bad("the number of shards N must be at least 1".into()));
        }
        if index == 0 {
            return Err(bad("shards are numbered from 1 to N".into()));
        }
        if index > count {
            return Err(bad(format!(
                "shard {index} does not exist: shards are numbered from 1 to {count}"
            )));
        }
        Ok(Shard { index, count })
    }

    /// The 1-based index `I`.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The number of shards `N`.
    pub fn count(&self) -> usize {
        self.count
    }

    /// This shard's global unit indices out of `total`: `[(I-1) T / N, I T / N)`.
    pub fn units(&self, total: usize) -> Range<usize> {
        let at = |i: usize| (i as u128 * total as u128 / self.count as u128) as usize;
        at(self.index - 1)..at(self.index)
    }

    /// The partial result's file name, `shard-I-of-N.json`.
    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.json", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = Error;

    /// Parses `I/N`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Self> {
        let parsed = s
            .split_once('/')
            .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
        match parsed {
            Some((i, n)) => Shard::new(i, n),
            None => Err(Error::InvalidShard {
                text: s.into(),
                reason: "expected I/N with whole numbers, e.g. 3/8 for the third of eight shards"
                    .into(),
            }),
        }
    }
}

/// A scenario file together with the exact text it was parsed from and that text's SHA-256:
/// what a partial result records so that `merge` can rebuild the run.
pub struct ScenarioSource {
    record: SourceRecord,
    file: ScenarioFile,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct SourceRecord {
    /// As given on the command line.
    path: PathBuf,
    sha256: String,
    text: String,
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

    /// The parsed file.
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }

    /// Hex SHA-256 of the file's bytes.
    pub fn sha256(&self) -> &str {
        &self.record.sha256
    }
}

/// A metric value written in Rust's shortest round-trip notation, so that it reads back
/// bit for bit (NaN, infinities and -0 included).
#[derive(Clone, Copy, Debug)]
struct Exact(f64);

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

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct TableHash {
    path: PathBuf,
    sha256: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct UnitRow {
    scenario: usize,
    replication: usize,
    values: Vec<Exact>,
}

/// What a partial result file holds; fields in the order they are checked.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ShardFile {
    format: String,
    format_version: u32,
    leadsim_version: String,
    shard: Shard,
    seed: u64,
    replications: usize,
    scenario_file: SourceRecord,
    tables: Vec<TableHash>,
    scenarios: Vec<String>,
    config_sha256: String,
    /// The ranking objective given to the sharded `simulate`, the merge's default.
    #[serde(default)]
    objective: Option<String>,
    /// Global unit indices `[first, end)` of `total`.
    first_unit: usize,
    end_unit: usize,
    total_units: usize,
    rows: Vec<UnitRow>,
}

/// Just enough of a file to tell whether it is a partial result this leadsim reads.
#[derive(Deserialize)]
struct Probe {
    format: Option<String>,
    format_version: Option<u32>,
}

/// The result of one shard: its units' metric rows plus what `merge` checks them against.
pub struct PartialResult {
    inner: ShardFile,
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

/// SHA-256 of every population table the file reads, by resolved path.
fn table_hashes(file: &ScenarioFile) -> Result<Vec<TableHash>> {
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
fn config_sha256(file: &ScenarioFile) -> String {
    let json = serde_json::to_vec(&file.scenarios).expect("configurations serialise");
    crate::data::sha256_bytes(&json)
}

/// Runs shard `shard` of the units of `source`'s file (see the module docs for the partition).
/// `opts` is read as by [`run`](super::run::run); the result does not depend on
/// `opts.threads`. `analysis.objective` is recorded as the merge's default ranking objective.
///
/// # Errors
/// As [`run`](super::run::run), [`Error::UnknownMetric`] for an unknown objective,
/// [`Error::TooManyUnits`], and [`Error::PrecisionWithShards`] for a precision target (it picks
/// replications from results so far, which a fixed partition cannot); [`Error::Io`] if a
/// population table cannot be read for its hash.
pub fn run_shard(
    source: &ScenarioSource,
    shard: Shard,
    opts: &RunOptions,
    analysis: &Analysis,
) -> Result<PartialResult> {
    let file = &source.file;
    if let Some(p) = &analysis.precision {
        return Err(Error::PrecisionWithShards {
            metric: p.metric.clone(),
            half_width: p.half_width,
        });
    }
    if let Some(objective) = &analysis.objective {
        check_metric("objective", objective, &metric::names(&file.scenarios[0]))?;
    }
    let (seed, reps) = seed_and_replications(file, opts)?;
    let s = file.scenarios.len();
    let total = s
        .checked_mul(reps)
        .ok_or(Error::TooManyUnits { replications: reps })?;
    let range = shard.units(total);
    let units: Vec<Unit> = range
        .clone()
        .map(|u| Unit {
            scenario: u % s,
            replication: u / s,
        })
        .collect();
    let compiled: Vec<Compiled> = file.scenarios.iter().map(Compiled::new).collect();
    let values = simulate_units(&compiled, seed, &units, opts)?;
    let rows = units
        .iter()
        .zip(values)
        .map(|(u, v)| UnitRow {
            scenario: u.scenario,
            replication: u.replication,
            values: v.into_iter().map(Exact).collect(),
        })
        .collect();
    Ok(PartialResult {
        inner: ShardFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            leadsim_version: env!("CARGO_PKG_VERSION").into(),
            shard,
            seed,
            replications: reps,
            scenario_file: source.record.clone(),
            tables: table_hashes(file)?,
            scenarios: file.scenarios.iter().map(|sc| sc.name.clone()).collect(),
            config_sha256: config_sha256(file),
            objective: analysis.objective.clone(),
            first_unit: range.start,
            end_unit: range.end,
            total_units: total,
            rows,
        },
    })
}

/// The outcome of [`merge`].
pub struct Merged {
    /// Exactly what an unsharded run with the same file, seed and replications returns.
    pub results: Results,
    /// The number of shard files merged.
    pub shards: usize,
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

/// Merges the partial results in `inputs` (folders or files) into the results of the whole run.
///
/// Checks that every shard comes from one run (same leadsim version as this one, scenario file
/// bytes, resolved configurations, tables, seed, replications and shard count) and that shards
/// `1..=N` each appear exactly once, then rebuilds `per[scenario][replication]` and summarises
/// it as [`run`](super::run::run) does, ranking the scenarios as `run_with` does by
/// `objective`, else the objective the shards recorded, else [`DEFAULT_OBJECTIVE`].
///
/// # Errors
/// [`Error::ShardMismatch`] naming the shard file and field that does not match the first
/// shard; [`Error::ShardLeadsim`], [`Error::ShardScenariosChanged`],
/// [`Error::ShardSettingsChanged`] and [`Error::ShardTableChanged`] when this leadsim or the
/// scenario file as parsed again here does not match; [`Error::NoShards`] and
/// [`Error::MissingShards`] naming missing and duplicated shards; the errors of
/// [`shard_files`] and [`PartialResult::read`].
pub fn merge(inputs: &[PathBuf], objective: Option<&str>) -> Result<Merged> {
    let files = shard_files(inputs)?;
    let mut files_iter = files.iter();
    let first_path = files_iter.next().ok_or(Error::NoShards)?;
    let first = PartialResult::read(first_path)?.inner;
    let ours = env!("CARGO_PKG_VERSION");
    if first.leadsim_version != ours {
        return Err(Error::ShardLeadsim {
            path: first_path.clone(),
            found: first.leadsim_version.clone(),
            ours: ours.to_string(),
        });
    }
    let file = rebuild(first_path, &first)?;
    let objective = objective
        .map(str::to_string)
        .or_else(|| first.objective.clone())
        .unwrap_or_else(|| DEFAULT_OBJECTIVE.to_string());
    let objective = objective.as_str();
    check_metric("objective", objective, &metric::names(&file.scenarios[0]))?;
    let s = first.scenarios.len();
    let reps = first.replications;
    let counts: Vec<usize> = file
        .scenarios
        .iter()
        .map(|sc| metric::names(sc).len())
        .collect();
    let mut per: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); reps]; s];
    let mut seen: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    let mut place = |path: &PathBuf, shard: Shard, rows: Vec<UnitRow>| -> Result<()> {
        let copies = seen.entry(shard.index()).or_default();
        copies.push(path.clone());
        if copies.len() > 1 {
            return Ok(());
        }
        for row in rows {
            if row.values.len() != counts[row.scenario] {
                return Err(Error::ShardDamaged {
                    path: path.clone(),
                    field: "rows",
                    reason: format!(
                        "scenario {} replication {} has {} metrics, expected {}",
                        row.scenario,
                        row.replication,
                        row.values.len(),
                        counts[row.scenario]
                    ),
                });
            }
            per[row.scenario][row.replication] = row.values.into_iter().map(|x| x.0).collect();
        }
        Ok(())
    };
    let count = first.shard.count();
    let mut reference = first;
    let rows = std::mem::take(&mut reference.rows);
    place(first_path, reference.shard, rows)?;
    for path in files_iter {
        let mut sf = PartialResult::read(path)?.inner;
        check_same(path, &sf, first_path, &reference)?;
        let rows = std::mem::take(&mut sf.rows);
        place(path, sf.shard, rows)?;
    }
    let missing: Vec<usize> = (1..=count).filter(|i| !seen.contains_key(i)).collect();
    let duplicated: Vec<(usize, Vec<PathBuf>)> =
        seen.into_iter().filter(|(_, p)| p.len() > 1).collect();
    if !missing.is_empty() || !duplicated.is_empty() {
        return Err(Error::MissingShards {
            files: files.len(),
            count,
            missing,
            duplicated,
        });
    }
    let mut results = summarise(&file, reference.seed, per);
    add_ranking(&mut results, objective)?;
    Ok(Merged {
        results,
        shards: files.len(),
    })
}

/// Parses the stored scenario text again and checks it resolves as it did when the shards ran.
fn rebuild(path: &Path, sf: &ShardFile) -> Result<ScenarioFile> {
    let rec = &sf.scenario_file;
    if crate::data::sha256_bytes(rec.text.as_bytes()) != rec.sha256 {
        return Err(Error::ShardDamaged {
            path: path.to_path_buf(),
            field: "scenario_file",
            reason: "the stored scenario text does not match its SHA-256 (damaged file)".into(),
        });
    }
    let file = ScenarioFile::from_toml_str(&rec.text, &rec.path)?;
    let names: Vec<&str> = file.scenarios.iter().map(|sc| sc.name.as_str()).collect();
    if names != sf.scenarios.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(Error::ShardScenariosChanged {
            path: path.to_path_buf(),
        });
    }
    let tables = table_hashes(&file)?;
    if tables != sf.tables {
        return Err(Error::ShardTableChanged {
            path: path.to_path_buf(),
            tables: sf
                .tables
                .iter()
                .filter(|t| !tables.contains(t))
                .map(|t| t.path.clone())
                .collect(),
        });
    }
    if config_sha256(&file) != sf.config_sha256 {
        return Err(Error::ShardSettingsChanged {
            path: path.to_path_buf(),
        });
    }
    Ok(file)
}

/// Names the first field in which `sf` differs from the reference shard.
fn check_same(path: &Path, sf: &ShardFile, ref_path: &Path, r: &ShardFile) -> Result<()> {
    let fields: [(&'static str, String, String); 9] = [
        (
            "leadsim_version",
            sf.leadsim_version.clone(),
            r.leadsim_version.clone(),
        ),
        (
            "scenario_file.sha256",
            sf.scenario_file.sha256.clone(),
            r.scenario_file.sha256.clone(),
        ),
        ("seed", sf.seed.to_string(), r.seed.to_string()),
        (
            "replications",
            sf.replications.to_string(),
            r.replications.to_string(),
        ),
        (
            "shard count N",
            sf.shard.count().to_string(),
            r.shard.count().to_string(),
        ),
        (
            "scenarios",
            sf.scenarios.join(" | "),
            r.scenarios.join(" | "),
        ),
        (
            "tables",
            format!("{:?}", sf.tables),
            format!("{:?}", r.tables),
        ),
        (
            "config_sha256",
            sf.config_sha256.clone(),
            r.config_sha256.clone(),
        ),
        (
            "objective",
            format!("{:?}", sf.objective),
            format!("{:?}", r.objective),
        ),
    ];
    for (field, here, there) in fields {
        if here != there {
            return Err(Error::ShardMismatch {
                path: path.to_path_buf(),
                field,
                here,
                there,
                reference: ref_path.to_path_buf(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_units_exactly_once() {
        for total in [0usize, 1, 5, 12, 97, 1000] {
            for n in 1..=13 {
                let mut next = 0;
                for i in 1..=n {
                    let r = Shard::new(i, n).unwrap().units(total);
                    assert_eq!(r.start, next, "contiguous: total {total}, {i}/{n}");
                    assert!(r.len() <= total / n + 1 && r.len() >= total / n);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        // Large counts do not overflow.
        let s = Shard::new(7, 8).unwrap();
        assert_eq!(
            s.units(usize::MAX).end,
            usize::MAX / 8 * 7 + (usize::MAX % 8) * 7 / 8
        );
    }

    #[test]
    fn shard_text_is_checked() {
        assert_eq!("3/8".parse::<Shard>().unwrap(), Shard::new(3, 8).unwrap());
        for bad in [
            "0/3", "4/3", "1/0", "0/0", "abc", "3", "3/", "/3", "-1/3", "1/3/5", " 1/3", "1.5/3",
        ] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(matches!(&e, Error::InvalidShard { .. }), "{bad}: {e}");
        }
        assert!("4/3"
            .parse::<Shard>()
            .unwrap_err()
            .to_string()
            .contains("numbered from 1 to 3"));
    }

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
