//! From TOML to the checked scenario model: the file, its scenarios and their deep merge. Every
//! error names the key path and, for unknown keys, the nearest valid key.

use std::collections::HashMap;
use std::path::Path;

use toml::{Table, Value};

use super::deep_merge;
use super::fields::*;
use super::sections::{arrivals, outcomes, policy, pool, population};
use crate::error::{ConfigProblem, Result};
use crate::sim::model::defaults::{DEFAULT_REPLICATIONS, DEFAULT_SEED};
use crate::sim::model::{Pool, Population, Scenario, ScenarioFile};

const TOP_KEYS: &[&str] = &[
    "name",
    "seed",
    "replications",
    "population",
    "arrivals",
    "pools",
    "policy",
    "outcomes",
    "scenario",
    "sweep",
];
const SCENARIO_KEYS: &[&str] = &[
    "name",
    "population",
    "arrivals",
    "pools",
    "policy",
    "outcomes",
];

pub(super) fn parse_file(text: &str, file: &Path) -> Result<ScenarioFile> {
    let mut cx = Ctx {
        file,
        tables: HashMap::new(),
    };
    let root: Table = toml::from_str(text).map_err(|e| {
        let field = match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            }
            None => "syntax".to_string(),
        };
        cx.err(
            &field,
            ConfigProblem::Syntax {
                message: e.message().to_string(),
            },
        )
    })?;
    check_keys(&cx, &root, TOP_KEYS, "")?;
    let name = opt_str(&cx, &root, "name", "")?.unwrap_or("").to_string();
    let seed = opt_int(&cx, &root, "seed", "", 0)?.map_or(DEFAULT_SEED, |s| s as u64);
    let replications =
        opt_int(&cx, &root, "replications", "", 1)?.map_or(DEFAULT_REPLICATIONS, |r| r as usize);
    if replications > crate::limits::MAX_REPLICATIONS {
        return Err(cx.err(
            "replications",
            ConfigProblem::AboveLimit {
                value: replications as u64,
                max: crate::limits::MAX_REPLICATIONS as u64,
                reason: "each replication is kept in memory; a million already pin a mean to a \
                         thousandth of its standard deviation",
            },
        ));
    }

    let mut base = root.clone();
    for k in ["name", "seed", "replications", "scenario", "sweep"] {
        base.remove(k);
    }
    // The file's own settings must stand alone: they are every scenario's starting point.
    let base_scenario = scenario(&mut cx, &base, "baseline".to_string(), "")?;

    let entries: Vec<&Table> = match root.get("scenario") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| as_table(&cx, v, &format!("scenario[{i}]")))
            .collect::<Result<_>>()?,
        Some(v) => return Err(cx.err("scenario", wrong_type("[[scenario]] entries", v))),
    };
    let mut scenarios: Vec<Scenario> = Vec::with_capacity(entries.len().max(1));
    if entries.is_empty() {
        scenarios.push(base_scenario);
    }
    for (i, entry) in entries.iter().enumerate() {
        let prefix = format!("scenario[{i}]");
        check_keys(&cx, entry, SCENARIO_KEYS, &prefix)?;
        let sname = match opt_str(&cx, entry, "name", &prefix)? {
            Some(s) if !s.trim().is_empty() => s.to_string(),
            _ => return Err(cx.err(&join(&prefix, "name"), ConfigProblem::EmptyName)),
        };
        if scenarios.iter().any(|s| s.name == sname) {
            return Err(cx.err(
                &join(&prefix, "name"),
                ConfigProblem::DuplicateName { name: sname },
            ));
        }
        let mut over = (*entry).clone();
        over.remove("name");
        let mut merged = base.clone();
        deep_merge(&mut merged, &over);
        scenarios.push(scenario(&mut cx, &merged, sname, &prefix)?);
    }
    // Grid points vary the file's settings and come after the explicit scenarios, so the
    // baseline stays the first explicit scenario (or the file's settings).
    let sweep = super::sweep::expand(&mut cx, &root, &base, text, &mut scenarios)?;
    Ok(ScenarioFile {
        path: file.to_path_buf(),
        name,
        seed,
        replications,
        scenarios,
        sweep,
    })
}

pub(super) fn scenario(cx: &mut Ctx, t: &Table, name: String, prefix: &str) -> Result<Scenario> {
    let empty = Table::new();
    let outcomes = outcomes(
        cx,
        section(cx, t, "outcomes", prefix)?.unwrap_or(&empty),
        &join(prefix, "outcomes"),
    )?;
    let arrivals = match section(cx, t, "arrivals", prefix)? {
        Some(a) => arrivals(cx, a, &join(prefix, "arrivals"))?,
        None => return Err(cx.err(&join(prefix, "arrivals"), ConfigProblem::MissingArrivals)),
    };
    let population = match section(cx, t, "population", prefix)? {
        Some(p) => population(
            cx,
            p,
            &join(prefix, "population"),
            arrivals.replay.as_deref(),
        )?,
        None => {
            return Err(cx.err(
                &join(prefix, "population"),
                ConfigProblem::MissingPopulation,
            ))
        }
    };
    if arrivals.replay.is_some() && !matches!(population, Population::Table { .. }) {
        return Err(cx.err(
            &join(prefix, "arrivals.replay"),
            ConfigProblem::ReplayNeedsTable,
        ));
    }
    let policy = policy(
        cx,
        section(cx, t, "policy", prefix)?.unwrap_or(&empty),
        &join(prefix, "policy"),
    )?;
    let pools_path = join(prefix, "pools");
    let pools_t = section(cx, t, "pools", prefix)?
        .ok_or_else(|| cx.err(&pools_path, ConfigProblem::MissingPools))?;
    let mut pools = Vec::new();
    for (pname, v) in pools_t {
        let path = join(&pools_path, pname);
        pools.push(pool(cx, pname, as_table(cx, v, &path)?, &path)?);
    }
    if pools.is_empty() {
        return Err(cx.err(&pools_path, ConfigProblem::NoPools));
    }
    check_bands(cx, &pools, policy.threshold, &pools_path)?;
    Ok(Scenario {
        name,
        population,
        arrivals,
        pools,
        policy,
        outcomes,
    })
}

fn check_bands(cx: &Ctx, pools: &[Pool], threshold: f64, path: &str) -> Result<()> {
    let mut order: Vec<&Pool> = pools.iter().collect();
    order.sort_by(|a, b| a.band[0].total_cmp(&b.band[0]));
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        if b.band[0] < a.band[1] {
            return Err(cx.err(
                &format!("{path}.{}.band", b.name),
                ConfigProblem::BandOverlap {
                    band: b.band,
                    other: a.name.clone(),
                    other_band: a.band,
                },
            ));
        }
        if b.band[0] > a.band[1] {
            return Err(cx.err(
                &format!("{path}.{}.band", b.name),
                ConfigProblem::BandGap {
                    from: a.band[1],
                    to: b.band[0],
                },
            ));
        }
    }
    let first = order[0];
    let last = order[order.len() - 1];
    if threshold <= 1.0 && first.band[0] > threshold {
        return Err(cx.err(
            &format!("{path}.{}.band", first.name),
            ConfigProblem::BandGapBelow {
                threshold,
                start: first.band[0],
            },
        ));
    }
    if last.band[1] < 1.0 {
        return Err(cx.err(
            &format!("{path}.{}.band", last.name),
            ConfigProblem::BandGapAbove { end: last.band[1] },
        ));
    }
    Ok(())
}
