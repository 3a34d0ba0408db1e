//! From TOML to checked scenario types. Every error names the key path and, for unknown keys,
//! the nearest valid key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::{Table, Value};

use super::{
    config_error, deep_merge, Arrivals, Decision, Discipline, LeadAttrs, Nurture, Outcomes, Policy,
    Pool, Population, Scenario, ScenarioFile, SpeedToLead, DEFAULT_REPLICATIONS, DEFAULT_SEED,
};
use crate::error::{Error, Result};
use crate::sim::calendar::{AlwaysTag, ArrivalCalendar, Hours, DAY_NAMES};
use crate::sim::dist::DistSpec;
use crate::text::did_you_mean;

/// Speed-to-lead presets of MODEL.md section 3.
pub const SPEED_PRESETS: &[(&str, &[[f64; 2]])] = &[
    ("default", &[[0.0, 1.0], [1.0, 0.75], [24.0, 0.45], [72.0, 0.35], [720.0, 0.25]]),
    ("hbr-2011", &[[0.0, 1.0], [1.0, 1.0], [2.0, 0.143], [24.0, 0.0167]]),
    ("lrm-2007", &[[0.0, 1.0], [0.083, 1.0], [0.167, 0.25], [0.5, 0.048]]),
    (
        "velocify-2012",
        &[[0.0, 1.0], [0.0167, 1.0], [0.033, 0.53], [0.05, 0.40], [24.0, 0.24], [48.0, 0.20]],
    ),
];

/// Nurture decision presets of MODEL.md section 3.
pub const DECISION_PRESETS: &[(&str, Decision)] = &[
    ("rule-of-45", Decision { pi: 0.62, scale_months: 9.8, shape: 1.26 }),
    ("rejected-80", Decision { pi: 0.95, scale_months: 6.5, shape: 1.0 }),
];

const DEFAULT_REACH: [f64; 6] = [0.39, 0.54, 0.39, 0.29, 0.25, 0.25];
const DEFAULT_GAPS: [f64; 5] = [1.0, 24.0, 48.0, 96.0, 168.0];

const TOP_KEYS: &[&str] = &["name", "seed", "replications", "population", "arrivals", "pools", "policy", "outcomes", "scenario"];
const SCENARIO_KEYS: &[&str] = &["name", "population", "arrivals", "pools", "policy", "outcomes"];

/// Parsing context: the file (for messages and relative paths) and a cache of loaded tables.
struct Ctx<'a> {
    file: &'a Path,
    #[allow(clippy::type_complexity)]
    tables: HashMap<(PathBuf, String, String, Option<String>, Option<String>), (Arc<Vec<LeadAttrs>>, Option<Arc<Vec<(f64, u32)>>>)>,
}

impl Ctx<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> Error {
        config_error(self.file, field, message)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn check_keys(cx: &Ctx, t: &Table, allowed: &[&str], path: &str) -> Result<()> {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            let hint = did_you_mean(k, allowed.iter().copied());
            return Err(cx.err(&join(path, k), format!("unknown key{hint}")));
        }
    }
    Ok(())
}

fn type_name(v: &Value) -> &'static str {
    v.type_str()
}

fn as_table<'v>(cx: &Ctx, v: &'v Value, field: &str) -> Result<&'v Table> {
    v.as_table()
        .ok_or_else(|| cx.err(field, format!("expected a table, found {}", type_name(v))))
}

fn as_num(cx: &Ctx, v: &Value, field: &str) -> Result<f64> {
    let x = match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return Err(cx.err(field, format!("expected a number, found {}", type_name(v)))),
    };
    if !x.is_finite() {
        return Err(cx.err(field, format!("must be finite, found {x}")));
    }
    Ok(x)
}

fn opt_num(cx: &Ctx, t: &Table, key: &str, path: &str) -> Result<Option<f64>> {
    t.get(key).map(|v| as_num(cx, v, &join(path, key))).transpose()
}

fn req_num(cx: &Ctx, t: &Table, key: &str, path: &str) -> Result<f64> {
    opt_num(cx, t, key, path)?.ok_or_else(|| cx.err(&join(path, key), "required"))
}

fn in_range(cx: &Ctx, x: f64, lo: f64, hi: f64, field: &str, what: &str) -> Result<f64> {
    if x < lo || x > hi {
        return Err(cx.err(field, format!("{what} must be in [{lo}, {hi}], found {x}")));
    }
    Ok(x)
}

fn prob(cx: &Ctx, t: &Table, key: &str, path: &str, default: f64) -> Result<f64> {
    let x = opt_num(cx, t, key, path)?.unwrap_or(default);
    in_range(cx, x, 0.0, 1.0, &join(path, key), "a probability")
}

fn non_neg(cx: &Ctx, t: &Table, key: &str, path: &str, default: f64) -> Result<f64> {
    let x = opt_num(cx, t, key, path)?.unwrap_or(default);
    if x < 0.0 {
        return Err(cx.err(&join(path, key), format!("must not be negative, found {x}")));
    }
    Ok(x)
}

fn positive(cx: &Ctx, x: f64, field: &str) -> Result<f64> {
    if x <= 0.0 {
        return Err(cx.err(field, format!("must be positive, found {x}")));
    }
    Ok(x)
}

fn opt_int(cx: &Ctx, t: &Table, key: &str, path: &str, min: i64) -> Result<Option<i64>> {
    let field = join(path, key);
    match t.get(key) {
        None => Ok(None),
        Some(Value::Integer(i)) if *i >= min => Ok(Some(*i)),
        Some(Value::Integer(i)) => Err(cx.err(&field, format!("must be at least {min}, found {i}"))),
        Some(Value::Float(f)) if f.fract() == 0.0 && *f >= min as f64 && *f < 1e15 => Ok(Some(*f as i64)),
        Some(v) => Err(cx.err(&field, format!("expected a whole number, found {}", value_text(v)))),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Integer(_) | Value::Float(_) | Value::Boolean(_) => v.to_string(),
        _ => type_name(v).to_string(),
    }
}

fn opt_str<'v>(cx: &Ctx, t: &'v Table, key: &str, path: &str) -> Result<Option<&'v str>> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(cx.err(&join(path, key), format!("expected a string, found {}", type_name(v)))),
    }
}

fn one_of<'a>(cx: &Ctx, s: &str, allowed: &[&'a str], field: &str) -> Result<&'a str> {
    allowed.iter().copied().find(|a| *a == s).ok_or_else(|| {
        let list = allowed.join(", ");
        cx.err(field, format!("\"{s}\" is not one of {list}{}", did_you_mean(s, allowed.iter().copied())))
    })
}

fn num_array(cx: &Ctx, v: &Value, field: &str) -> Result<Vec<f64>> {
    let arr = v
        .as_array()
        .ok_or_else(|| cx.err(field, format!("expected an array, found {}", type_name(v))))?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| as_num(cx, x, &format!("{field}[{i}]")))
        .collect()
}

pub(super) fn parse_file(text: &str, file: &Path) -> Result<ScenarioFile> {
    let mut cx = Ctx { file, tables: HashMap::new() };
    let root: Table = toml::from_str(text).map_err(|e| {
        let field = match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            }
            None => "syntax".to_string(),
        };
        cx.err(&field, e.message().to_string())
    })?;
    check_keys(&cx, &root, TOP_KEYS, "")?;
    let name = opt_str(&cx, &root, "name", "")?.unwrap_or("").to_string();
    let seed = opt_int(&cx, &root, "seed", "", 0)?.map_or(DEFAULT_SEED, |s| s as u64);
    let replications = opt_int(&cx, &root, "replications", "", 1)?.map_or(DEFAULT_REPLICATIONS, |r| r as usize);

    let mut base = root.clone();
    for k in ["name", "seed", "replications", "scenario"] {
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
        Some(v) => return Err(cx.err("scenario", format!("expected [[scenario]] entries, found {}", type_name(v)))),
    };
    if entries.is_empty() {
        return Ok(ScenarioFile { path: file.to_path_buf(), name, seed, replications, scenarios: vec![base_scenario] });
    }
    let mut scenarios: Vec<Scenario> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let prefix = format!("scenario[{i}]");
        check_keys(&cx, entry, SCENARIO_KEYS, &prefix)?;
        let sname = match opt_str(&cx, entry, "name", &prefix)? {
            Some(s) if !s.trim().is_empty() => s.to_string(),
            _ => return Err(cx.err(&join(&prefix, "name"), "every scenario needs a non-empty name")),
        };
        if scenarios.iter().any(|s| s.name == sname) {
            return Err(cx.err(&join(&prefix, "name"), format!("scenario name \"{sname}\" is used twice")));
        }
        let mut over = (*entry).clone();
        over.remove("name");
        let mut merged = base.clone();
        deep_merge(&mut merged, &over);
        scenarios.push(scenario(&mut cx, &merged, sname, &prefix)?);
    }
    Ok(ScenarioFile { path: file.to_path_buf(), name, seed, replications, scenarios })
}

fn section<'t>(cx: &Ctx, t: &'t Table, key: &str, path: &str) -> Result<Option<&'t Table>> {
    t.get(key).map(|v| as_table(cx, v, &join(path, key))).transpose()
}

fn scenario(cx: &mut Ctx, t: &Table, name: String, prefix: &str) -> Result<Scenario> {
    let empty = Table::new();
    let outcomes = outcomes(cx, section(cx, t, "outcomes", prefix)?.unwrap_or(&empty), &join(prefix, "outcomes"))?;
    let arrivals = match section(cx, t, "arrivals", prefix)? {
        Some(a) => arrivals(cx, a, &join(prefix, "arrivals"))?,
        None => return Err(cx.err(&join(prefix, "arrivals"), "required (rate_per_day, arrival_days)")),
    };
    let population = match section(cx, t, "population", prefix)? {
        Some(p) => population(cx, p, &join(prefix, "population"), arrivals.replay.as_deref())?,
        None => return Err(cx.err(&join(prefix, "population"), "required: generator, table or constant")),
    };
    if arrivals.replay.is_some() && !matches!(population, Population::Table { .. }) {
        return Err(cx.err(&join(prefix, "arrivals.replay"), "replaying arrival times needs a population table"));
    }
    let policy = policy(cx, section(cx, t, "policy", prefix)?.unwrap_or(&empty), &join(prefix, "policy"))?;
    let pools_path = join(prefix, "pools");
    let pools_t = section(cx, t, "pools", prefix)?.ok_or_else(|| cx.err(&pools_path, "required: at least one pool"))?;
    let mut pools = Vec::new();
    for (pname, v) in pools_t {
        let path = join(&pools_path, pname);
        pools.push(pool(cx, pname, as_table(cx, v, &path)?, &path)?);
    }
    if pools.is_empty() {
        return Err(cx.err(&pools_path, "at least one pool is needed"));
    }
    check_bands(cx, &pools, policy.threshold, &pools_path)?;
    Ok(Scenario { name, population, arrivals, pools, policy, outcomes })
}

fn check_bands(cx: &Ctx, pools: &[Pool], threshold: f64, path: &str) -> Result<()> {
    let mut order: Vec<&Pool> = pools.iter().collect();
    order.sort_by(|a, b| a.band[0].total_cmp(&b.band[0]));
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        if b.band[0] < a.band[1] {
            return Err(cx.err(&format!("{path}.{}.band", b.name), format!(
                "band [{}, {}) overlaps pool \"{}\"'s band [{}, {})", b.band[0], b.band[1], a.name, a.band[0], a.band[1])));
        }
        if b.band[0] > a.band[1] {
            return Err(cx.err(&format!("{path}.{}.band", b.name), format!(
                "bands leave a gap: [{}, {}) is served by no pool", a.band[1], b.band[0])));
        }
    }
    let first = order[0];
    let last = order[order.len() - 1];
    if threshold <= 1.0 && first.band[0] > threshold {
        return Err(cx.err(&format!("{path}.{}.band", first.name), format!(
            "bands leave a gap: handed-over scores in [{threshold}, {}) are served by no pool", first.band[0])));
    }
    if last.band[1] < 1.0 {
        return Err(cx.err(&format!("{path}.{}.band", last.name), format!(
            "bands leave a gap: scores in [{}, 1] are served by no pool", last.band[1])));
    }
    Ok(())
}

fn population(cx: &mut Ctx, t: &Table, path: &str, replay: Option<&str>) -> Result<Population> {
    let sources: Vec<&str> = ["generator", "table", "constant"].into_iter().filter(|k| t.contains_key(*k)).collect();
    if sources.len() != 1 {
        return Err(cx.err(path, format!("set exactly one of generator, table or constant (found {})",
            if sources.is_empty() { "none".to_string() } else { sources.join(", ") })));
    }
    match sources[0] {
        "generator" => {
            check_keys(cx, t, &["generator", "score_noise"], path)?;
            let g = opt_str(cx, t, "generator", path)?.unwrap_or_default();
            let g = one_of(cx, g, &["b2b-saas"], &join(path, "generator"))?;
            let score_noise = non_neg(cx, t, "score_noise", path, crate::sim::population::DEFAULT_SCORE_NOISE)?;
            Ok(Population::Generator { generator: g.to_string(), score_noise })
        }
        "constant" => {
            check_keys(cx, t, &["constant"], path)?;
            let cpath = join(path, "constant");
            let c = as_table(cx, &t["constant"], &cpath)?;
            check_keys(cx, c, &["score", "propensity", "value"], &cpath)?;
            let score = prob(cx, c, "score", &cpath, f64::NAN).and_then(|s| if s.is_nan() { Err(cx.err(&join(&cpath, "score"), "required")) } else { Ok(s) })?;
            let propensity = prob(cx, c, "propensity", &cpath, score)?;
            let value = opt_num(cx, c, "value", &cpath)?;
            if let Some(v) = value {
                if v < 0.0 {
                    return Err(cx.err(&join(&cpath, "value"), format!("must not be negative, found {v}")));
                }
            }
            Ok(Population::Constant { constant: LeadAttrs { score, propensity, value } })
        }
        _ => {
            check_keys(cx, t, &["table", "score_column", "propensity_column", "value_column", "propensity_scale"], path)?;
            let rel = opt_str(cx, t, "table", path)?.unwrap_or_default();
            let dir = cx.file.parent().unwrap_or(Path::new(""));
            let table = dir.join(rel);
            let score_column = opt_str(cx, t, "score_column", path)?.unwrap_or("score").to_string();
            let propensity_column = opt_str(cx, t, "propensity_column", path)?.unwrap_or(&score_column).to_string();
            let value_column = opt_str(cx, t, "value_column", path)?.map(str::to_string);
            let propensity_scale = non_neg(cx, t, "propensity_scale", path, 1.0)?;
            let key = (table.clone(), score_column.clone(), propensity_column.clone(), value_column.clone(), replay.map(str::to_string));
            let (data, replay) = match cx.tables.get(&key) {
                Some(d) => d.clone(),
                None => {
                    let (rows, times) = crate::sim::population::read_table(&table, &score_column, &propensity_column, value_column.as_deref(), replay)?;
                    let replay = times.map(|times| {
                        let mut order: Vec<(f64, u32)> = times.into_iter().zip(0u32..).collect();
                        order.sort_by(|a, b| a.0.total_cmp(&b.0));
                        Arc::new(order)
                    });
                    let d = (Arc::new(rows), replay);
                    cx.tables.insert(key, d.clone());
                    d
                }
            };
            Ok(Population::Table { table, score_column, propensity_column, value_column, propensity_scale, rows: data.len(), data, replay })
        }
    }
}

fn arrivals(cx: &Ctx, t: &Table, path: &str) -> Result<Arrivals> {
    check_keys(cx, t, &["rate_per_day", "arrival_days", "warmup_days", "calendar", "weekday_profile", "hour_profile", "replay"], path)?;
    let replay = opt_str(cx, t, "replay", path)?.map(str::to_string);
    let rate_per_day = match replay {
        Some(_) => opt_num(cx, t, "rate_per_day", path)?.unwrap_or(0.0),
        None => req_num(cx, t, "rate_per_day", path)?,
    };
    if rate_per_day < 0.0 {
        return Err(cx.err(&join(path, "rate_per_day"), format!("must not be negative, found {rate_per_day}")));
    }
    let arrival_days = opt_int(cx, t, "arrival_days", path, 1)?.ok_or_else(|| cx.err(&join(path, "arrival_days"), "required"))?;
    let warmup_days = opt_int(cx, t, "warmup_days", path, 0)?.unwrap_or(0);
    if warmup_days >= arrival_days {
        return Err(cx.err(&join(path, "warmup_days"), format!(
            "the warm-up ({warmup_days} days) must be shorter than arrival_days ({arrival_days}), or no lead is counted")));
    }
    if arrival_days > 100_000 {
        return Err(cx.err(&join(path, "arrival_days"), format!("at most 100000, found {arrival_days}")));
    }
    let calendar_name = opt_str(cx, t, "calendar", path)?.unwrap_or("business");
    let calendar = match one_of(cx, calendar_name, &["business", "always"], &join(path, "calendar"))? {
        "business" => ArrivalCalendar::Business,
        _ => ArrivalCalendar::Always,
    };
    let weekday_profile: [f64; 7] = profile(cx, t, "weekday_profile", path)?;
    let hour_profile: [f64; 24] = profile(cx, t, "hour_profile", path)?;
    if hour_profile.iter().sum::<f64>() <= 0.0 {
        return Err(cx.err(&join(path, "hour_profile"), "needs at least one hour with a positive weight"));
    }
    Ok(Arrivals {
        rate_per_day,
        arrival_days: arrival_days as u32,
        warmup_days: warmup_days as u32,
        calendar,
        weekday_profile,
        hour_profile,
        replay,
    })
}

fn profile<const N: usize>(cx: &Ctx, t: &Table, key: &str, path: &str) -> Result<[f64; N]> {
    let field = join(path, key);
    let Some(v) = t.get(key) else { return Ok([1.0; N]) };
    let w = num_array(cx, v, &field)?;
    if w.len() != N {
        return Err(cx.err(&field, format!("needs {N} weights, found {}", w.len())));
    }
    let mut out = [0.0; N];
    for (i, x) in w.into_iter().enumerate() {
        if x < 0.0 {
            return Err(cx.err(&format!("{field}[{i}]"), format!("must not be negative, found {x}")));
        }
        out[i] = x;
    }
    Ok(out)
}

fn days_list(cx: &Ctx, v: &Value, field: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = match v {
        Value::String(s) => s.split(',').map(|p| p.trim().to_lowercase()).collect(),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(|s| s.trim().to_lowercase()).ok_or_else(|| cx.err(field, "expected day names")))
            .collect::<Result<_>>()?,
        _ => return Err(cx.err(field, format!("expected day names such as \"mon-fri\", found {}", type_name(v)))),
    };
    let mut works = [false; 7];
    let day = |s: &str| -> Result<usize> {
        DAY_NAMES.iter().position(|d| *d == s).ok_or_else(|| {
            cx.err(field, format!("\"{s}\" is not a day (mon, tue, wed, thu, fri, sat, sun){}", did_you_mean(s, DAY_NAMES)))
        })
    };
    for p in parts.iter().filter(|p| !p.is_empty()) {
        match p.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a.trim())?, day(b.trim())?);
                let mut d = a;
                loop {
                    works[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => works[day(p)?] = true,
        }
    }
    Ok(DAY_NAMES.iter().zip(works).filter(|(_, w)| *w).map(|(d, _)| d.to_string()).collect())
}

fn hours(cx: &Ctx, v: Option<&Value>, field: &str) -> Result<Hours> {
    let Some(v) = v else {
        return Ok(Hours::Weekly { days: DAY_NAMES[..5].iter().map(|d| d.to_string()).collect(), start: 9.0, end: 17.0 });
    };
    if let Value::String(s) = v {
        one_of(cx, s, &["always"], field)?;
        return Ok(Hours::Always(AlwaysTag));
    }
    let t = as_table(cx, v, field)?;
    check_keys(cx, t, &["days", "start", "end"], field)?;
    let days = match t.get("days") {
        Some(d) => days_list(cx, d, &join(field, "days"))?,
        None => DAY_NAMES[..5].iter().map(|d| d.to_string()).collect(),
    };
    let start = in_range(cx, req_num(cx, t, "start", field)?, 0.0, 24.0, &join(field, "start"), "an hour of the day")?;
    let end = in_range(cx, req_num(cx, t, "end", field)?, 0.0, 24.0, &join(field, "end"), "an hour of the day")?;
    if days.is_empty() || end <= start {
        return Err(cx.err(field, format!(
            "the calendar has no working hours (days {:?}, start {start}, end {end}; shifts across midnight are not supported)", days)));
    }
    Ok(Hours::Weekly { days, start, end })
}

fn dist(cx: &Ctx, v: Option<&Value>, field: &str, default: DistSpec) -> Result<DistSpec> {
    let Some(v) = v else { return Ok(default) };
    let t = as_table(cx, v, field)?;
    let kind = opt_str(cx, t, "dist", field)?.ok_or_else(|| cx.err(&join(field, "dist"), "required: fixed, exponential, lognormal or gamma"))?;
    let kind = one_of(cx, kind, &["fixed", "exponential", "lognormal", "gamma"], &join(field, "dist"))?;
    let pos = |k: &str| -> Result<f64> { positive(cx, req_num(cx, t, k, field)?, &join(field, k)) };
    let nonneg = |k: &str| -> Result<f64> { non_neg(cx, t, k, field, f64::NAN).and_then(|x| if x.is_nan() { Err(cx.err(&join(field, k), "required")) } else { Ok(x) }) };
    Ok(match kind {
        "fixed" => {
            check_keys(cx, t, &["dist", "value"], field)?;
            DistSpec::Fixed { value: nonneg("value")? }
        }
        "exponential" => {
            check_keys(cx, t, &["dist", "mean"], field)?;
            DistSpec::Exponential { mean: pos("mean")? }
        }
        "gamma" => {
            check_keys(cx, t, &["dist", "mean", "cv"], field)?;
            DistSpec::Gamma { mean: pos("mean")?, cv: nonneg("cv")? }
        }
        _ => {
            let by_median = t.contains_key("median") || t.contains_key("sigma");
            if by_median && (t.contains_key("mean") || t.contains_key("cv")) {
                return Err(cx.err(field, "a lognormal takes either mean and cv, or median and sigma, not both"));
            }
            if by_median {
                check_keys(cx, t, &["dist", "median", "sigma"], field)?;
                DistSpec::LogNormalMedian { median: pos("median")?, sigma: nonneg("sigma")? }
            } else {
                check_keys(cx, t, &["dist", "mean", "cv"], field)?;
                DistSpec::LogNormalMeanCv { mean: pos("mean")?, cv: nonneg("cv")? }
            }
        }
    })
}

fn pool(cx: &Ctx, name: &str, t: &Table, path: &str) -> Result<Pool> {
    check_keys(cx, t, &["count", "hours", "handle_minutes", "talk_minutes", "skill", "cost_per_hour", "discipline", "band"], path)?;
    let count = opt_int(cx, t, "count", path, 1)?.ok_or_else(|| cx.err(&join(path, "count"), "required"))?;
    if count > 1_000_000 {
        return Err(cx.err(&join(path, "count"), format!("at most 1000000, found {count}")));
    }
    let hours = hours(cx, t.get("hours"), &join(path, "hours"))?;
    let handle_minutes = dist(cx, t.get("handle_minutes"), &join(path, "handle_minutes"), DistSpec::LogNormalMeanCv { mean: 8.0, cv: 0.5 })?;
    let talk_minutes = dist(cx, t.get("talk_minutes"), &join(path, "talk_minutes"), DistSpec::LogNormalMeanCv { mean: 20.0, cv: 0.5 })?;
    let skill = non_neg(cx, t, "skill", path, 1.0)?;
    let cost_per_hour = non_neg(cx, t, "cost_per_hour", path, 36.0)?;
    let discipline_name = opt_str(cx, t, "discipline", path)?.unwrap_or("fifo");
    let discipline = match one_of(cx, discipline_name, &["fifo", "score", "lifo"], &join(path, "discipline"))? {
        "fifo" => Discipline::Fifo,
        "score" => Discipline::Score,
        _ => Discipline::Lifo,
    };
    let band = match t.get("band") {
        None => [0.0, 1.0],
        Some(v) => {
            let field = join(path, "band");
            let b = num_array(cx, v, &field)?;
            if b.len() != 2 || !(0.0..=1.0).contains(&b[0]) || !(0.0..=1.0).contains(&b[1]) || b[0] >= b[1] {
                return Err(cx.err(&field, format!("expected [lo, hi] with 0 <= lo < hi <= 1, found {b:?}")));
            }
            [b[0], b[1]]
        }
    };
    Ok(Pool { name: name.to_string(), count: count as u32, hours, handle_minutes, talk_minutes, skill, cost_per_hour, discipline, band })
}

fn speed(cx: &Ctx, v: Option<&Value>, field: &str) -> Result<SpeedToLead> {
    let Some(v) = v else { return Ok(SpeedToLead::Table(SPEED_PRESETS[0].1.to_vec())) };
    let t = as_table(cx, v, field)?;
    check_keys(cx, t, &["table", "exponential_per_hour", "exponential", "preset"], field)?;
    if t.len() != 1 {
        return Err(cx.err(field, "set exactly one of table, exponential_per_hour or preset"));
    }
    // MODEL.md's spelling: `exponential = { per_hour = kappa }`.
    if let Some(v) = t.get("exponential") {
        let efield = join(field, "exponential");
        let e = as_table(cx, v, &efield)?;
        check_keys(cx, e, &["per_hour"], &efield)?;
        let k = req_num(cx, e, "per_hour", &efield)?;
        if k < 0.0 {
            return Err(cx.err(&join(&efield, "per_hour"), format!("must not be negative, found {k}")));
        }
        return Ok(SpeedToLead::ExponentialPerHour(k));
    }
    if let Some(k) = opt_num(cx, t, "exponential_per_hour", field)? {
        if k < 0.0 {
            return Err(cx.err(&join(field, "exponential_per_hour"), format!("must not be negative, found {k}")));
        }
        return Ok(SpeedToLead::ExponentialPerHour(k));
    }
    if let Some(p) = opt_str(cx, t, "preset", field)? {
        let names: Vec<&str> = SPEED_PRESETS.iter().map(|p| p.0).collect();
        let p = one_of(cx, p, &names, &join(field, "preset"))?;
        return Ok(SpeedToLead::Table(SPEED_PRESETS.iter().find(|x| x.0 == p).map(|x| x.1.to_vec()).unwrap_or_default()));
    }
    let tfield = join(field, "table");
    let rows = t["table"].as_array().ok_or_else(|| cx.err(&tfield, "expected an array of [hours, multiplier] points"))?;
    if rows.is_empty() {
        return Err(cx.err(&tfield, "needs at least one point"));
    }
    let mut pts = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let f = format!("{tfield}[{i}]");
        let p = num_array(cx, r, &f)?;
        if p.len() != 2 {
            return Err(cx.err(&f, "expected [hours, multiplier]"));
        }
        if p[0] < 0.0 {
            return Err(cx.err(&f, format!("hours must not be negative, found {}", p[0])));
        }
        in_range(cx, p[1], 0.0, 1.0, &f, "the multiplier")?;
        if let Some(prev) = pts.last().copied() {
            let prev: [f64; 2] = prev;
            if p[0] <= prev[0] {
                return Err(cx.err(&f, "hours must increase from point to point"));
            }
            if p[1] > prev[1] {
                return Err(cx.err(&f, "the curve must not increase (g is non-increasing)"));
            }
        }
        pts.push([p[0], p[1]]);
    }
    Ok(SpeedToLead::Table(pts))
}

fn policy(cx: &Ctx, t: &Table, path: &str) -> Result<Policy> {
    check_keys(cx, t, &["threshold", "max_attempts", "gap_hours", "contactable", "reach", "speed_to_lead", "sla_hours", "patience_hours", "nurture"], path)?;
    let threshold = prob(cx, t, "threshold", path, 0.5)?;
    let max_attempts = opt_int(cx, t, "max_attempts", path, 1)?.unwrap_or(6);
    if max_attempts > 1000 {
        return Err(cx.err(&join(path, "max_attempts"), format!("at most 1000, found {max_attempts}")));
    }
    let gap_hours = match t.get("gap_hours") {
        Some(v) => num_array(cx, v, &join(path, "gap_hours"))?,
        None => DEFAULT_GAPS.to_vec(),
    };
    for (i, g) in gap_hours.iter().enumerate() {
        if *g < 0.0 {
            return Err(cx.err(&format!("{path}.gap_hours[{i}]"), format!("must not be negative, found {g}")));
        }
    }
    if (gap_hours.len() as i64) < max_attempts - 1 {
        return Err(cx.err(&join(path, "gap_hours"), format!(
            "has {} gaps but max_attempts = {max_attempts} needs {}", gap_hours.len(), max_attempts - 1)));
    }
    let contactable = prob(cx, t, "contactable", path, 0.6)?;
    let reach = match t.get("reach") {
        Some(v) => num_array(cx, v, &join(path, "reach"))?,
        None => DEFAULT_REACH.to_vec(),
    };
    for (i, r) in reach.iter().enumerate() {
        in_range(cx, *r, 0.0, 1.0, &format!("{path}.reach[{i}]"), "a probability")?;
    }
    if (reach.len() as i64) < max_attempts {
        return Err(cx.err(&join(path, "reach"), format!(
            "has {} values but max_attempts = {max_attempts} needs {max_attempts}", reach.len())));
    }
    let speed_to_lead = speed(cx, t.get("speed_to_lead"), &join(path, "speed_to_lead"))?;
    let sla_hours = non_neg(cx, t, "sla_hours", path, 1.0)?;
    let patience_hours = match opt_num(cx, t, "patience_hours", path)? {
        Some(p) => Some(positive(cx, p, &join(path, "patience_hours"))?),
        None => None,
    };
    let npath = join(path, "nurture");
    let empty = Table::new();
    let n = section(cx, t, "nurture", path)?.unwrap_or(&empty);
    check_keys(cx, n, &["enabled", "lift", "cost_per_lead_month"], &npath)?;
    let enabled = match n.get("enabled") {
        None => true,
        Some(Value::Boolean(b)) => *b,
        Some(v) => return Err(cx.err(&join(&npath, "enabled"), format!("expected true or false, found {}", value_text(v)))),
    };
    let nurture = Nurture {
        enabled,
        lift: non_neg(cx, n, "lift", &npath, 1.5)?,
        cost_per_lead_month: non_neg(cx, n, "cost_per_lead_month", &npath, 2.0)?,
    };
    Ok(Policy {
        threshold,
        max_attempts: max_attempts as u32,
        gap_hours,
        contactable,
        reach,
        speed_to_lead,
        sla_hours,
        patience_hours,
        nurture,
    })
}

fn outcomes(cx: &Ctx, t: &Table, path: &str) -> Result<Outcomes> {
    check_keys(cx, t, &["win_rate", "sales_cycle_days", "deal_value", "decision", "share"], path)?;
    let win_rate = prob(cx, t, "win_rate", path, 0.25)?;
    let sales_cycle_days = dist(cx, t.get("sales_cycle_days"), &join(path, "sales_cycle_days"), DistSpec::LogNormalMedian { median: 60.0, sigma: 0.6 })?;
    let deal_value = dist(cx, t.get("deal_value"), &join(path, "deal_value"), DistSpec::LogNormalMedian { median: 25_000.0, sigma: 1.0 })?;
    let dpath = join(path, "decision");
    let decision = match section(cx, t, "decision", path)? {
        None => DECISION_PRESETS[0].1,
        Some(d) if d.contains_key("preset") => {
            check_keys(cx, d, &["preset"], &dpath)?;
            let names: Vec<&str> = DECISION_PRESETS.iter().map(|p| p.0).collect();
            let p = opt_str(cx, d, "preset", &dpath)?.unwrap_or_default();
            let p = one_of(cx, p, &names, &join(&dpath, "preset"))?;
            DECISION_PRESETS.iter().find(|x| x.0 == p).map(|x| x.1).unwrap_or(DECISION_PRESETS[0].1)
        }
        Some(d) => {
            check_keys(cx, d, &["pi", "scale_months", "shape", "preset"], &dpath)?;
            Decision {
                pi: prob(cx, d, "pi", &dpath, 0.62)?,
                scale_months: positive(cx, opt_num(cx, d, "scale_months", &dpath)?.unwrap_or(9.8), &join(&dpath, "scale_months"))?,
                shape: positive(cx, opt_num(cx, d, "shape", &dpath)?.unwrap_or(1.26), &join(&dpath, "shape"))?,
            }
        }
    };
    let share = prob(cx, t, "share", path, 0.15)?;
    Ok(Outcomes { win_rate, sales_cycle_days, deal_value, decision, share })
}
