//! The assumptions section's data: where each default comes from (MODEL.md section 3 in our
//! own words), and the resolved configuration flattened into dotted knobs.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::sim::model::defaults::{DECISION_PRESETS, SPEED_PRESETS};
use crate::sim::model::{Scenario, ScenarioFile};

/// Where a default of the scenario file comes from: MODEL.md section 3 (and docs/model.md
/// for the choices MODEL.md leaves open), in our own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultSource {
    /// Dotted knob path; `*` stands for any pool name.
    pub knob: &'static str,
    /// S (primary study or vendor documentation), S- (primary, vendor-run), F (folklore: a
    /// repeated claim of unclear origin), A (our own assumption).
    pub grade: &'static str,
    /// The evidence behind the default.
    pub source: &'static str,
}

const fn src(knob: &'static str, grade: &'static str, source: &'static str) -> DefaultSource {
    DefaultSource {
        knob,
        grade,
        source,
    }
}

/// The sources of the defaults (presets of `speed_to_lead` and `decision` are in
/// [`preset_source`]).
pub const SOURCES: &[DefaultSource] = &[
    src("population.score_noise", "A", "Our choice: a score model with an AUC near 0.8, like the models train fits on the generator's histories."),
    src("arrivals.warmup_days", "A", "Our choice: no warm-up unless asked (the shipped example uses 14 days)."),
    src(
        "arrivals.replay",
        "A",
        "Our choice: Poisson arrivals unless a table's own arrival times are replayed.",
    ),
    src("arrivals.calendar", "A", "Our choice: arrivals on business days only."),
    src("arrivals.weekday_profile", "A", "Our choice: every day of the week alike."),
    src("arrivals.hour_profile", "A", "Our choice: arrivals spread evenly over the day."),
    src("pools.*.hours", "A", "Our choice: Monday to Friday, 9:00 to 17:00."),
    src("pools.*.handle_minutes", "A", "Our assumption for one dial-and-log attempt: about 8 minutes."),
    src("pools.*.talk_minutes", "A", "Our assumption for a first conversation: about 20 minutes more."),
    src("pools.*.skill", "A", "Our choice: reps qualify as the propensity says."),
    src("pools.*.cost_per_hour", "A", "Our assumption: an SDR's loaded cost of about 75K a year (an account executive's, 150K, is 72 per hour)."),
    src("pools.*.discipline", "A", "Our choice: oldest lead first."),
    src("pools.*.band", "A", "Our choice: one pool serves every score."),
    src("policy.threshold", "A", "Our choice of a neutral middle score."),
    src("policy.max_attempts", "A", "Our choice, matching the six attempts of the reach table."),
    src("policy.gap_hours", "A", "Our cadence, shaped by Velocify's advice to make six attempts."),
    src("policy.contactable", "S-", "InsideSales (vendor) research: four to six attempts reach roughly 55% of B2B leads."),
    src("policy.reach", "S-", "Leads360 / Velocify (vendor) attempt studies: 39% reached on the first call, 93% by the sixth."),
    src("policy.sla_hours", "A", "Our choice: a one-hour response target."),
    src("policy.patience_hours", "A", "Our choice: leads wait for ever (no abandonment)."),
    src("policy.nurture.enabled", "A", "Our choice: the nurture programme runs."),
    src("policy.nurture.lift", "F", "A widely repeated claim that nurtured leads give 50% more sales-ready leads at a third lower cost; origin unclear."),
    src("policy.nurture.cost_per_lead_month", "A", "Our assumption: MODEL.md names a nurture cost but not its size."),
    src("outcomes.win_rate", "F", "SiriusDecisions demand-waterfall folklore: 20 to 30% of opportunities are won."),
    src("outcomes.sales_cycle_days", "A", "Our assumption: a median of 60 days; the spread is our choice too."),
    src("outcomes.deal_value", "S-", "Pacific Crest SaaS surveys (vendor-run): median annual contract value 21K in 2015, 25K in 2016."),
    src("outcomes.share", "A", "Our assumption: 15% of nurtured leads that decide buy from us."),
];

/// The grade and source of a `speed_to_lead` or `decision` preset.
pub fn preset_source(preset: &str) -> Option<(&'static str, &'static str)> {
    Some(match preset {
        "default" => ("A", "Our curve: a moderate decay between the published studies, which are observational and likely overstate the effect."),
        "hbr-2011" => ("S-", "Oldroyd, McElheran and Elkington, HBR 2011: firms answering within an hour were about 7 times as likely to qualify a lead as an hour later, over 60 times as a day later; observational."),
        "lrm-2007" => ("S-", "Lead Response Management study, 2007: calling within 5 rather than 30 minutes raised the odds to qualify 21-fold; observational, vendor-linked."),
        "velocify-2012" => ("S-", "Velocify 2012, 3.5 million leads: calls in the first minute converted 391% better than later ones; observational, vendor-run."),
        "rule-of-45" => ("S-", "A fit to Obermayer's \"Rule of 45\" surveys: about 12% of rejected leads decide within 3 months, 45% within 12."),
        "rejected-80" => ("F", "A repeated claim that nearly 80% of MQLs rejected by sales buy within 12 months; origin unclear."),
        _ => return None,
    })
}

/// Values that are one thing, kept whole rather than split into sub-knobs.
pub(super) const LEAF_KEYS: [&str; 4] = ["hours", "speed_to_lead", "decision", "constant"];

/// The resolved configuration as (dotted knob, value) pairs, sorted by key within each table;
/// pools are keyed by name (`pools.sdr.count`).
pub(super) fn flatten_config(config: &Scenario) -> Vec<(String, Value)> {
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

pub(super) fn flatten_into(path: &str, value: &Value, out: &mut Vec<(String, Value)>) {
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
pub(super) fn generic_knob(knob: &str) -> String {
    match knob
        .strip_prefix("pools.")
        .and_then(|rest| rest.split_once('.'))
    {
        Some((_, field)) => format!("pools.*.{field}"),
        None => knob.to_string(),
    }
}

/// The defaults: a minimal scenario file resolved by the same parser the run used.
pub(super) fn default_config() -> Option<Vec<(String, Value)>> {
    const MINIMAL: &str = "[population]\ngenerator = \"b2b-saas\"\n[arrivals]\nrate_per_day = 1\narrival_days = 1\n[pools.p]\ncount = 1\n";
    let file = ScenarioFile::from_toml_str(MINIMAL, std::path::Path::new("defaults.toml")).ok()?;
    Some(flatten_config(file.scenarios.first()?))
}

/// The grade and source for `knob` (generic form): presets by the curve or law used, other
/// knobs from [`SOURCES`]; `None` for knobs without a default.
pub(super) fn knob_source(
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

pub(super) fn speed_preset(value: &Value) -> Option<&'static str> {
    let table: Vec<[f64; 2]> = serde_json::from_value(value.get("table")?.clone()).ok()?;
    SPEED_PRESETS
        .iter()
        .find(|(_, points)| points.to_vec() == table)
        .map(|(name, _)| *name)
}

pub(super) fn decision_preset(value: &Value) -> Option<&'static str> {
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
pub(super) fn format_leaf(value: &Value) -> String {
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
