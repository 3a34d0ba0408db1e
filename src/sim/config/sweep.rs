//! The `[sweep]` table: a grid over any scenario fields, by dotted path. Each grid point is the
//! file's settings with one value per axis set in place (explicit `[[scenario]]`s are left as
//! they are), validated like any scenario, and named by its values, e.g.
//! `threshold=0.2, sdr.count=6`. The Cartesian product runs in the file's order of axes, the
//! last axis fastest.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Table, Value};

use super::fields::*;
use super::parse::scenario;
use crate::error::{ConfigProblem, Error, Result};
use crate::sim::model::{Scenario, SweepAxis, SweepGrid, SweepPoint};
use crate::text::closest;

/// Sections a sweep path may start with.
const SECTIONS: &[&str] = &["population", "arrivals", "pools", "policy", "outcomes"];

/// Only the spans of the sweep table: toml's `Table` is sorted by key, but the grid must
/// follow the file's order of axes, and labels should read as the values were written.
#[derive(Deserialize)]
struct Spans {
    #[serde(default)]
    sweep: Option<BTreeMap<String, toml::Spanned<Vec<toml::Spanned<Value>>>>>,
}

struct Axis {
    path: String,
    keys: Vec<String>,
    short: String,
    values: Vec<Value>,
    labels: Vec<String>,
}

/// Expands `root`'s `[sweep]` table, if any, into grid scenarios over `base` (the file's
/// settings), appended after `existing`; returns the grid with scenario indices offset by
/// `existing.len()`.
pub(super) fn expand(
    cx: &mut Ctx,
    root: &Table,
    base: &Table,
    text: &str,
    existing: &mut Vec<Scenario>,
) -> Result<Option<SweepGrid>> {
    let Some(v) = root.get("sweep") else {
        return Ok(None);
    };
    let t = as_table(cx, v, "sweep")?;
    if t.is_empty() {
        return Err(cx.err("sweep", ConfigProblem::NoSweepAxes));
    }
    // Counted before any value is looked at, with arithmetic that cannot wrap: 16 axes of 16
    // values are 2^64 points, which a `usize` product counts as 0.
    let lengths: Vec<usize> = t
        .values()
        .map(|v| v.as_array().map_or(1, Vec::len))
        .collect();
    let total = lengths.iter().try_fold(1usize, |a, &n| a.checked_mul(n));
    let max = crate::limits::MAX_SWEEP_POINTS;
    let Some(total) = total.filter(|&n| n <= max) else {
        let points = match lengths
            .iter()
            .try_fold(1u128, |a, &n| a.checked_mul(n as u128))
        {
            Some(n) => n.to_string(),
            None => format!("{:.3e}", lengths.iter().map(|&n| n as f64).product::<f64>()),
        };
        return Err(cx.err("sweep", ConfigProblem::SweepTooLarge { points, max }));
    };
    let axes = axes(cx, t, base, text)?;
    let offset = existing.len();
    // Grid names are unique among themselves (every axis's labels are), so only the explicit
    // scenarios' names can clash; a set keeps the check linear in the points.
    let explicit: std::collections::HashSet<String> =
        existing.iter().map(|s| s.name.clone()).collect();
    let mut points = Vec::with_capacity(total);
    for k in 0..total {
        // Mixed radix, last axis fastest.
        let mut coords = vec![0; axes.len()];
        let mut rest = k;
        for (j, a) in axes.iter().enumerate().rev() {
            coords[j] = rest % a.values.len();
            rest /= a.values.len();
        }
        let name = axes
            .iter()
            .zip(&coords)
            .map(|(a, &c)| format!("{}={}", a.short, a.labels[c]))
            .collect::<Vec<_>>()
            .join(", ");
        if explicit.contains(&name) {
            return Err(cx.err("sweep", ConfigProblem::SweepNameTaken { name }));
        }
        let mut merged = base.clone();
        for (a, &c) in axes.iter().zip(&coords) {
            set_path(cx, &mut merged, a, &a.values[c])?;
        }
        let sc = scenario(cx, &merged, name.clone(), "")
            .map_err(|e| locate(e, &axes, &coords, &name))?;
        existing.push(sc);
        points.push(SweepPoint {
            scenario: offset + k,
            coords,
        });
    }
    Ok(Some(SweepGrid {
        axes: axes
            .into_iter()
            .map(|a| SweepAxis {
                path: a.path,
                labels: a.labels,
                values: a
                    .values
                    .iter()
                    .map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
                    .collect(),
            })
            .collect(),
        points,
    }))
}

fn axes(cx: &mut Ctx, t: &Table, base: &Table, text: &str) -> Result<Vec<Axis>> {
    let spans = toml::from_str::<Spans>(text).ok().and_then(|s| s.sweep);
    let mut axes = Vec::with_capacity(t.len());
    for (path, v) in t {
        let field = format!("sweep.\"{path}\"");
        let values = v
            .as_array()
            .ok_or_else(|| cx.err(&field, wrong_type("an array of values", v)))?;
        if values.is_empty() {
            return Err(cx.err(&field, ConfigProblem::NoSweepValues));
        }
        let keys: Vec<String> = path.split('.').map(|k| k.trim().to_string()).collect();
        check_path(cx, &keys, path, base, &field)?;
        let spanned = spans.as_ref().and_then(|s| s.get(path));
        let labels: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let raw = spanned
                    .and_then(|s| s.get_ref().get(i))
                    .and_then(|s| text.get(s.span()));
                label(v, raw)
            })
            .collect();
        let mut seen = std::collections::HashSet::with_capacity(labels.len());
        for (i, l) in labels.iter().enumerate() {
            if !seen.insert(l) {
                return Err(cx.err(
                    &format!("{field}[{i}]"),
                    ConfigProblem::SweepValueTwice { label: l.clone() },
                ));
            }
        }
        axes.push((
            spanned.map_or(usize::MAX, |s| s.span().start),
            Axis {
                path: path.clone(),
                short: keys[1..].join("."),
                keys,
                values: values.clone(),
                labels,
            },
        ));
    }
    // File order; without spans (never expected) the keys' sorted order still is deterministic.
    axes.sort_by_key(|(start, _)| *start);
    let mut axes: Vec<Axis> = axes.into_iter().map(|(_, a)| a).collect();
    let shorts: Vec<&String> = axes.iter().map(|a| &a.short).collect();
    if (1..shorts.len()).any(|i| shorts[..i].contains(&shorts[i])) {
        for a in &mut axes {
            a.short = a.path.clone();
        }
    }
    // Every axis alone, at its first value: an unknown key on the path means the path is wrong,
    // which deserves its own message rather than one about a grid scenario.
    for a in &axes {
        let mut t = base.clone();
        set_path(cx, &mut t, a, &a.values[0])?;
        if let Err(Error::Config {
            field,
            problem: ConfigProblem::UnknownKey { suggestion },
            ..
        }) = scenario(cx, &t, String::new(), "")
        {
            let on_path = a.path == field || a.path.starts_with(&format!("{field}."));
            if on_path {
                let depth = field.split('.').count();
                let suggestion = suggestion.map(|s| {
                    let mut k: Vec<&str> = a.keys.iter().map(String::as_str).collect();
                    k[depth - 1] = &s;
                    k.join(".")
                });
                return Err(cx.err(
                    &format!("sweep.\"{}\"", a.path),
                    ConfigProblem::SweepUnknownField {
                        path: a.path.clone(),
                        suggestion,
                    },
                ));
            }
        }
    }
    Ok(axes)
}

/// Checks what `scenario()` cannot: the section exists, and a pool named on the path is one of
/// the file's (setting a field of a new pool would quietly create it).
fn check_path(cx: &Ctx, keys: &[String], path: &str, base: &Table, field: &str) -> Result<()> {
    let hint = |got: &str, options: Vec<String>| -> Option<String> {
        closest(got, options.iter().map(String::as_str)).map(str::to_string)
    };
    if keys.iter().any(String::is_empty) {
        return Err(cx.err(
            field,
            ConfigProblem::SweepNotAPath {
                path: path.to_string(),
            },
        ));
    }
    if !SECTIONS.contains(&keys[0].as_str()) || keys.len() < 2 {
        let options = SECTIONS
            .iter()
            .map(|s| {
                let mut k: Vec<&str> = keys.iter().map(String::as_str).collect();
                k[0] = s;
                k.join(".")
            })
            .collect();
        let why = if keys.len() < 2 && SECTIONS.contains(&keys[0].as_str()) {
            ConfigProblem::SweepWholeSection
        } else {
            ConfigProblem::SweepUnknownSection {
                path: path.to_string(),
                sections: SECTIONS,
                suggestion: hint(path, options),
            }
        };
        return Err(cx.err(field, why));
    }
    if keys[0] == "pools" {
        let pools = base.get("pools").and_then(Value::as_table);
        let known = pools.is_some_and(|p| p.contains_key(&keys[1]));
        if !known || keys.len() < 3 {
            let names: Vec<String> = pools
                .map(|p| {
                    p.keys()
                        .map(|n| {
                            let mut k: Vec<&str> = keys.iter().map(String::as_str).collect();
                            k[1] = n;
                            k.join(".")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let why = if known {
                ConfigProblem::SweepWholePool
            } else {
                ConfigProblem::SweepUnknownPool {
                    path: path.to_string(),
                    pool: keys[1].clone(),
                    suggestion: hint(path, names),
                }
            };
            return Err(cx.err(field, why));
        }
    }
    Ok(())
}

/// Sets `value` at the axis's path inside `t`, creating missing tables on the way; only that
/// one value changes (a distribution's `mean` can be swept without restating the distribution).
fn set_path(cx: &Ctx, t: &mut Table, a: &Axis, value: &Value) -> Result<()> {
    let (last, parents) = a.keys.split_last().expect("paths have at least two keys");
    let mut cur = t;
    for (i, k) in parents.iter().enumerate() {
        let next = cur
            .entry(k.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        cur = match next {
            Value::Table(t) => t,
            other => {
                return Err(cx.err(
                    &format!("sweep.\"{}\"", a.path),
                    ConfigProblem::SweepThroughValue {
                        parent: a.keys[..=i].join("."),
                        found: type_name(other),
                        field: a.keys[i + 1].clone(),
                    },
                ))
            }
        };
    }
    cur.insert(last.clone(), value.clone());
    Ok(())
}

/// A value as it reads in a scenario name: strings bare, everything else as written in the file
/// (whitespace runs folded), or toml's rendering when the source text is unavailable.
fn label(v: &Value, raw: Option<&str>) -> String {
    if let Value::String(s) = v {
        return s.clone();
    }
    match raw {
        Some(r) if !r.contains('#') => r.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => v.to_string(),
    }
}

/// Points a grid scenario's validation error at the sweep value that caused it when the failing
/// field lies on an axis's path, and names the grid scenario either way.
fn locate(e: Error, axes: &[Axis], coords: &[usize], name: &str) -> Error {
    let Error::Config {
        path,
        field,
        problem,
    } = e
    else {
        return e;
    };
    let scenario = name.to_string();
    let problem = Box::new(problem);
    for (a, &c) in axes.iter().zip(coords) {
        if let Some(rest) = field.strip_prefix(&a.path) {
            if rest.is_empty() || rest.starts_with('.') || rest.starts_with('[') {
                return Error::Config {
                    path,
                    field: format!("sweep.\"{}\"[{c}]{rest}", a.path),
                    problem: ConfigProblem::AtSweepValue { scenario, problem },
                };
            }
        }
    }
    Error::Config {
        path,
        field,
        problem: ConfigProblem::InGridScenario { scenario, problem },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_written() {
        let v = Value::Float(4.0);
        assert_eq!(label(&v, Some("4.0")), "4.0");
        assert_eq!(label(&v, None), "4.0");
        assert_eq!(label(&Value::Integer(4), Some("4")), "4");
        let arr = Value::Array(vec![Value::Float(0.25), Value::Integer(4)]);
        assert_eq!(label(&arr, Some("[0.25,\n   4]")), "[0.25, 4]");
        // A comment inside the value is not part of it: toml's rendering instead.
        assert_eq!(label(&arr, Some("[0.25, # fast\n 4]")), "[0.25, 4]");
        assert_eq!(
            label(&Value::String("lifo".into()), Some("\"lifo\"")),
            "lifo"
        );
    }
}
