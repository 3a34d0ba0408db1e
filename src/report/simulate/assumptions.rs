//! Section 9, "Assumptions": every knob of the baseline's resolved configuration with its
//! default, status, grade and source, and what each other scenario changes.

use std::collections::BTreeSet;

use serde_json::Value;

use super::sources::*;
use super::View;
use crate::report::html::{Align, Section, Table};
use crate::report::MISSING;
use crate::sim::model::defaults::{DECISION_PRESETS, SPEED_PRESETS};
use crate::sim::model::{Scenario, ScenarioFile};

impl View<'_> {
    pub(super) fn assumptions(&self) -> Section {
        let r = self.r;
        let base = flatten_config(&r.scenarios[0].config);
        let defaults = default_config();
        let mut table = Table::new(&[
            "knob",
            "value used",
            "default",
            "status",
            "grade",
            "source of the default",
        ])
        .id("assumptions")
        .caption(format!(
            "Baseline \"{}\", fully resolved",
            r.scenarios[0].name
        ))
        .align(1, Align::Left)
        .align(2, Align::Left)
        .align(3, Align::Left)
        .align(4, Align::Left)
        .align(5, Align::Left);
        for (knob, value) in &base {
            let generic = generic_knob(knob);
            let resolved = defaults
                .as_ref()
                .and_then(|d| d.iter().find(|(k, _)| generic_knob(k) == generic))
                .map(|(_, v)| v);
            let source = knob_source(&generic, value, resolved);
            // Required knobs resolve to the minimal file's placeholders: not defaults.
            let default = resolved.filter(|_| source.is_some());
            let status = match default {
                Some(d) if d == value => "default",
                Some(_) if source.is_some() => "changed",
                _ => "set in the file",
            };
            let (grade, text) =
                source.unwrap_or((MISSING, "Set in the scenario file; no default."));
            table = table.row(vec![
                knob.clone(),
                format_leaf(value),
                default.map_or(MISSING.to_string(), format_leaf),
                status.to_string(),
                grade.to_string(),
                text.to_string(),
            ]);
        }
        let mut changes = Table::new(&["scenario", "differs from the baseline in"])
            .id("scenario-changes")
            .caption("What each scenario changes")
            .align(1, Align::Left);
        for &i in self.shown.iter().filter(|&&i| i != 0) {
            let this = flatten_config(&r.scenarios[i].config);
            let diffs: Vec<String> = this
                .iter()
                .filter(|(k, v)| base.iter().find(|(b, _)| b == k).map(|(_, bv)| bv) != Some(v))
                .map(|(k, v)| format!("{k} = {}", format_leaf(v)))
                .collect();
            let text = if diffs.is_empty() {
                "nothing (a copy of the baseline)".to_string()
            } else {
                diffs.join("; ")
            };
            changes = changes.row(vec![r.scenarios[i].name.clone(), text]);
        }
        let mut s = Section::new("assumptions", "Assumptions")
            .paragraph("Every result above follows from these settings; change them in the scenario file and run again to see how much a conclusion depends on one. Grades: S a primary study or vendor documentation, S- primary but run by a vendor, F folklore (a repeated claim of unclear origin), A our own assumption. Read the grade before trusting a result that hinges on a default. Where a value was changed, the grade describes the default, not the value used.")
            .table(table);
        if r.scenarios.len() > 1 {
            s = s.table(changes);
        }
        s
    }
}

/// Values that are one thing, kept whole rather than split into sub-knobs.
const LEAF_KEYS: [&str; 4] = ["hours", "speed_to_lead", "decision", "constant"];

/// The resolved configuration as (dotted knob, value) pairs, sorted by key within each table;
/// pools are keyed by name (`pools.sdr.count`).
fn flatten_config(config: &Scenario) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Ok(Value::Object(map)) = serde_json::to_value(config) {
        for (key, value) in map {
            if key == "name" {
                continue;
            }
            if key == "pools" {
                for pool in value.as_array().into_iter().flatten() {
                    let name = pool.get("name").and_then(Value::as_str).unwrap_or("?");
                    if let Value::Object(fields) = pool {
                        for (f, v) in fields.iter().filter(|(f, _)| *f != "name") {
                            flatten_into(&format!("pools.{name}.{f}"), v, &mut out);
                        }
                    }
                }
            } else {
                flatten_into(&key, &value, &mut out);
            }
        }
    }
    out
}

fn flatten_into(path: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    let last = path.rsplit('.').next().unwrap_or(path);
    match value {
        Value::Object(map) if !map.contains_key("dist") && !LEAF_KEYS.contains(&last) => {
            for (k, v) in map {
                flatten_into(&format!("{path}.{k}"), v, out);
            }
        }
        _ => out.push((path.to_string(), value.clone())),
    }
}

/// `pools.<name>.x` as `pools.*.x`.
fn generic_knob(knob: &str) -> String {
    match knob
        .strip_prefix("pools.")
        .and_then(|rest| rest.split_once('.'))
    {
        Some((_, field)) => format!("pools.*.{field}"),
        None => knob.to_string(),
    }
}

/// The defaults: a minimal scenario file resolved by the same parser the run used.
fn default_config() -> Option<Vec<(String, Value)>> {
    const MINIMAL: &str = "[population]\ngenerator = \"b2b-saas\"\n[arrivals]\nrate_per_day = 1\narrival_days = 1\n[pools.p]\ncount = 1\n";
    let file = ScenarioFile::from_toml_str(MINIMAL, std::path::Path::new("defaults.toml")).ok()?;
    Some(flatten_config(file.scenarios.first()?))
}

/// The grade and source for `knob` (generic form): presets by the curve or law used, other
/// knobs from [`SOURCES`]; `None` for knobs without a default.
fn knob_source(
    knob: &str,
    value: &Value,
    default: Option<&Value>,
) -> Option<(&'static str, &'static str)> {
    let preset = match knob {
        "policy.speed_to_lead" => speed_preset(value).or_else(|| default.and_then(speed_preset)),
        "outcomes.decision" => decision_preset(value).or_else(|| default.and_then(decision_preset)),
        _ => None,
    };
    if let Some(p) = preset {
        return preset_source(p);
    }
    SOURCES
        .iter()
        .find(|s| s.knob == knob)
        .map(|s| (s.grade, s.source))
}

fn speed_preset(value: &Value) -> Option<&'static str> {
    let table: Vec<[f64; 2]> = serde_json::from_value(value.get("table")?.clone()).ok()?;
    SPEED_PRESETS
        .iter()
        .find(|(_, points)| points.to_vec() == table)
        .map(|(name, _)| *name)
}

fn decision_preset(value: &Value) -> Option<&'static str> {
    let get = |k: &str| value.get(k).and_then(Value::as_f64);
    let (pi, scale, shape) = (get("pi")?, get("scale_months")?, get("shape")?);
    DECISION_PRESETS
        .iter()
        .find(|(_, d)| d.pi == pi && d.scale_months == scale && d.shape == shape)
        .map(|(name, _)| *name)
}

pub(super) fn trim_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// One knob's value as a person reads it.
fn format_leaf(value: &Value) -> String {
    match value {
        Value::Null => "none".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => n.as_f64().map_or(n.to_string(), trim_number),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().map(format_leaf).collect();
            let distinct: BTreeSet<&String> = texts.iter().collect();
            if texts.len() > 6 && distinct.len() == 1 {
                format!("all {} ({} values)", texts[0], texts.len())
            } else {
                format!("[{}]", texts.join(", "))
            }
        }
        Value::Object(map) => {
            if let Some(table) = map.get("table").and_then(Value::as_array) {
                let points: Vec<String> = table
                    .iter()
                    .filter_map(|p| {
                        let p = p.as_array()?;
                        Some(format!(
                            "{} h ×{}",
                            format_leaf(p.first()?),
                            format_leaf(p.get(1)?)
                        ))
                    })
                    .collect();
                let name =
                    speed_preset(value).map_or("table".to_string(), |p| format!("preset {p}"));
                return format!("{name}: {}", points.join(", "));
            }
            if let Some(k) = map.get("exponential_per_hour") {
                return format!("exponential: exp(-{} x hours)", format_leaf(k));
            }
            if let Some(p) = decision_preset(value) {
                return format!(
                    "preset {p}: pi {}, scale {} months, shape {}",
                    format_leaf(&map["pi"]),
                    format_leaf(&map["scale_months"]),
                    format_leaf(&map["shape"])
                );
            }
            if let (Some(days), Some(start), Some(end)) =
                (map.get("days"), map.get("start"), map.get("end"))
            {
                let days: Vec<String> = days
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(format_leaf)
                    .collect();
                return format!(
                    "{} from {} to {} h",
                    days.join(", "),
                    format_leaf(start),
                    format_leaf(end)
                );
            }
            let mut parts = Vec::new();
            if let Some(d) = map.get("dist") {
                parts.push(format_leaf(d));
            }
            let rest: Vec<String> = map
                .iter()
                .filter(|(k, _)| *k != "dist")
                .map(|(k, v)| format!("{} {}", k.replace('_', " "), format_leaf(v)))
                .collect();
            if !rest.is_empty() {
                parts.push(rest.join(", "));
            }
            parts.join(": ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn defaults_resolve_and_every_source_names_a_knob() {
        let defaults = default_config().expect("the minimal file parses");
        let knobs: Vec<String> = defaults.iter().map(|(k, _)| generic_knob(k)).collect();
        for s in SOURCES {
            assert!(
                knobs.iter().any(|k| k == s.knob),
                "{} is no knob of {knobs:?}",
                s.knob
            );
        }
        let speed = defaults
            .iter()
            .find(|(k, _)| k == "policy.speed_to_lead")
            .unwrap();
        assert_eq!(speed_preset(&speed.1), Some("default"));
        let decision = defaults
            .iter()
            .find(|(k, _)| k == "outcomes.decision")
            .unwrap();
        assert_eq!(decision_preset(&decision.1), Some("rule-of-45"));
        assert_eq!(generic_knob("pools.sdr.count"), "pools.*.count");
    }

    #[test]
    fn leaves_read_well() {
        let dist = serde_json::json!({"dist": "lognormal", "mean": 8.0, "cv": 0.5});
        assert_eq!(format_leaf(&dist), "lognormal: cv 0.5, mean 8");
        let hours = serde_json::json!({"days": ["mon", "tue"], "start": 9.0, "end": 17.5});
        assert_eq!(format_leaf(&hours), "mon, tue from 9 to 17.5 h");
        assert_eq!(
            format_leaf(&serde_json::json!(vec![1.0; 24])),
            "all 1 (24 values)"
        );
        assert_eq!(format_leaf(&Value::Null), "none");
    }
}
