//! `leadsim merge`: partial results back into the results of one run, checked to come from
//! one run and to cover it exactly once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::file::{shard_files, PartialResult, ShardFile, UnitRow};
use super::partition::Shard;
use super::source::{config_sha256, table_hashes};
use crate::error::{Error, Result};
use crate::sim::metric;
use crate::sim::model::ScenarioFile;
use crate::sim::run::rank::check_metric;
use crate::sim::run::{add_ranking, summarise, Results, DEFAULT_OBJECTIVE};

/// The outcome of [`merge`].
pub struct Merged {
    /// Exactly what an unsharded run with the same file, seed and replications returns.
    pub results: Results,
    /// The number of shard files merged.
    pub shards: usize,
}

/// Merges the partial results in `inputs` (folders or files) into the results of the whole run.
///
/// Checks that every shard comes from one run (same leadsim version as this one, scenario file
/// bytes, resolved configurations, tables, seed, replications and shard count) and that shards
/// `1..=N` each appear exactly once, then rebuilds `per[scenario][replication]` and summarises
/// it as [`run`](crate::sim::run::run) does, ranking the scenarios as `run_with` does by
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
