//! Readers of the scenario's sections: population, arrivals, pools, policy and outcomes.

use std::path::Path;
use std::sync::Arc;

use toml::{Table, Value};

use super::fields::*;
use super::values::{dist, hours, speed};
use crate::error::{ConfigProblem, Result};
use crate::sim::model::defaults::*;
use crate::sim::model::{
    ArrivalCalendar, Arrivals, Decision, Discipline, LeadAttrs, Nurture, Outcomes, Policy, Pool,
    Population,
};

pub(super) fn population(
    cx: &mut Ctx,
    t: &Table,
    path: &str,
    replay: Option<&str>,
) -> Result<Population> {
    let sources: Vec<&str> = ["generator", "table", "constant"]
        .into_iter()
        .filter(|k| t.contains_key(*k))
        .collect();
    if sources.len() != 1 {
        return Err(cx.err(
            path,
            ConfigProblem::NotOneSource {
                found: sources.iter().map(|s| s.to_string()).collect(),
            },
        ));
    }
    match sources[0] {
        "generator" => {
            check_keys(cx, t, &["generator", "score_noise"], path)?;
            let g = opt_str(cx, t, "generator", path)?.unwrap_or_default();
            let g = one_of(cx, g, &["b2b-saas"], &join(path, "generator"))?;
            let score_noise = non_neg(cx, t, "score_noise", path, DEFAULT_SCORE_NOISE)?;
            Ok(Population::Generator {
                generator: g.to_string(),
                score_noise,
            })
        }
        "constant" => {
            check_keys(cx, t, &["constant"], path)?;
            let cpath = join(path, "constant");
            let c = as_table(cx, &t["constant"], &cpath)?;
            check_keys(cx, c, &["score", "propensity", "value"], &cpath)?;
            let score = prob(cx, c, "score", &cpath, f64::NAN).and_then(|s| {
                if s.is_nan() {
                    Err(cx.err(&join(&cpath, "score"), ConfigProblem::Required))
                } else {
                    Ok(s)
                }
            })?;
            let propensity = prob(cx, c, "propensity", &cpath, score)?;
            let value = opt_num(cx, c, "value", &cpath)?;
            if let Some(v) = value {
                not_negative(cx, v, &join(&cpath, "value"))?;
            }
            Ok(Population::Constant {
                constant: LeadAttrs {
                    score,
                    propensity,
                    value,
                },
            })
        }
        _ => {
            check_keys(
                cx,
                t,
                &[
                    "table",
                    "score_column",
                    "propensity_column",
                    "value_column",
                    "propensity_scale",
                    "label_column",
                ],
                path,
            )?;
            let rel = opt_str(cx, t, "table", path)?.unwrap_or_default();
            let dir = cx.file.parent().unwrap_or(Path::new(""));
            let table = dir.join(rel);
            let score_column = opt_str(cx, t, "score_column", path)?
                .unwrap_or(DEFAULT_SCORE_COLUMN)
                .to_string();
            let propensity_column = opt_str(cx, t, "propensity_column", path)?.map(str::to_string);
            let value_column = opt_str(cx, t, "value_column", path)?.map(str::to_string);
            let label_column = opt_str(cx, t, "label_column", path)?.map(str::to_string);
            let propensity_scale = match t.get("propensity_scale") {
                None => None,
                Some(_) => Some(non_neg(
                    cx,
                    t,
                    "propensity_scale",
                    path,
                    DEFAULT_PROPENSITY_SCALE,
                )?),
            };
            if label_column.is_some() {
                // A label rate only means something for a propensity that is calibrated.
                let given = [
                    ("propensity_column", propensity_column.is_some()),
                    ("propensity_scale", propensity_scale.is_some()),
                ];
                if let Some((other, _)) = given.iter().find(|g| g.1) {
                    return Err(cx.err(
                        &join(path, "label_column"),
                        ConfigProblem::LabelWithPropensity {
                            other: other.to_string(),
                        },
                    ));
                }
            }
            let key = (
                table.clone(),
                score_column.clone(),
                propensity_column
                    .clone()
                    .unwrap_or_else(|| score_column.clone()),
                value_column.clone(),
                replay.map(str::to_string),
                label_column.clone(),
            );
            let loaded = match cx.tables.get(&key) {
                Some(d) => d.clone(),
                None => {
                    let rows = super::table::read_table(
                        &table,
                        &super::table::Columns {
                            score: &score_column,
                            propensity: propensity_column.as_deref().unwrap_or(&score_column),
                            value: value_column.as_deref(),
                            time: replay,
                            label: label_column.as_deref(),
                        },
                    )?;
                    if let (Some(labels), Some(column)) = (&rows.labels, &label_column) {
                        if labels.iter().all(Option::is_none) {
                            return Err(cx.err(
                                &join(path, "label_column"),
                                ConfigProblem::NoLabels {
                                    table: table.clone(),
                                    column: column.clone(),
                                },
                            ));
                        }
                    }
                    let replay = rows.times.map(|times| {
                        let mut order: Vec<(f64, u32)> = times.into_iter().zip(0u32..).collect();
                        order.sort_by(|a, b| a.0.total_cmp(&b.0));
                        Arc::new(order)
                    });
                    let d = LoadedTable {
                        data: Arc::new(rows.leads),
                        replay,
                        labels: rows.labels.map(Arc::new),
                    };
                    cx.tables.insert(key, d.clone());
                    d
                }
            };
            Ok(Population::Table {
                table,
                score_column,
                propensity_column,
                value_column,
                label_column,
                propensity_scale,
                rows: loaded.data.len(),
                data: loaded.data,
                labels: loaded.labels,
                replay: loaded.replay,
            })
        }
    }
}

pub(super) fn arrivals(cx: &Ctx, t: &Table, path: &str) -> Result<Arrivals> {
    check_keys(
        cx,
        t,
        &[
            "rate_per_day",
            "arrival_days",
            "warmup_days",
            "calendar",
            "weekday_profile",
            "hour_profile",
            "replay",
        ],
        path,
    )?;
    let replay = opt_str(cx, t, "replay", path)?.map(str::to_string);
    let rate_per_day = match replay {
        Some(_) => opt_num(cx, t, "rate_per_day", path)?.unwrap_or(0.0),
        None => req_num(cx, t, "rate_per_day", path)?,
    };
    not_negative(cx, rate_per_day, &join(path, "rate_per_day"))?;
    // A bound that keeps one day's arrivals in memory and far beyond any real funnel.
    const MAX_RATE_PER_DAY: f64 = 1e7;
    if rate_per_day > MAX_RATE_PER_DAY {
        return Err(cx.err(
            &join(path, "rate_per_day"),
            ConfigProblem::RateTooHigh {
                value: rate_per_day,
                max: MAX_RATE_PER_DAY,
            },
        ));
    }
    let arrival_days = opt_int(cx, t, "arrival_days", path, 1)?
        .ok_or_else(|| cx.err(&join(path, "arrival_days"), ConfigProblem::Required))?;
    let warmup_days = opt_int(cx, t, "warmup_days", path, 0)?.unwrap_or(0);
    if warmup_days >= arrival_days {
        return Err(cx.err(
            &join(path, "warmup_days"),
            ConfigProblem::WarmupTooLong {
                warmup_days,
                arrival_days,
            },
        ));
    }
    at_most(cx, arrival_days, 100_000, &join(path, "arrival_days"))?;
    let calendar_name = opt_str(cx, t, "calendar", path)?.unwrap_or("business");
    let calendar = match one_of(
        cx,
        calendar_name,
        &["business", "always"],
        &join(path, "calendar"),
    )? {
        "business" => ArrivalCalendar::Business,
        _ => ArrivalCalendar::Always,
    };
    let weekday_profile: [f64; 7] = profile(cx, t, "weekday_profile", path)?;
    let hour_profile: [f64; 24] = profile(cx, t, "hour_profile", path)?;
    if hour_profile.iter().sum::<f64>() <= 0.0 {
        return Err(cx.err(&join(path, "hour_profile"), ConfigProblem::NoPositiveHour));
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
    let Some(v) = t.get(key) else {
        return Ok([1.0; N]);
    };
    let w = num_array(cx, v, &field)?;
    if w.len() != N {
        return Err(cx.err(
            &field,
            ConfigProblem::WrongLength {
                expected: N,
                found: w.len(),
            },
        ));
    }
    let mut out = [0.0; N];
    for (i, x) in w.into_iter().enumerate() {
        out[i] = not_negative(cx, x, &format!("{field}[{i}]"))?;
    }
    Ok(out)
}

pub(super) fn pool(cx: &Ctx, name: &str, t: &Table, path: &str) -> Result<Pool> {
    check_keys(
        cx,
        t,
        &[
            "count",
            "hours",
            "handle_minutes",
            "talk_minutes",
            "skill",
            "cost_per_hour",
            "discipline",
            "band",
        ],
        path,
    )?;
    let count = opt_int(cx, t, "count", path, 1)?
        .ok_or_else(|| cx.err(&join(path, "count"), ConfigProblem::Required))?;
    at_most(cx, count, 1_000_000, &join(path, "count"))?;
    let hours = hours(cx, t.get("hours"), &join(path, "hours"))?;
    let handle_minutes = dist(
        cx,
        t.get("handle_minutes"),
        &join(path, "handle_minutes"),
        DEFAULT_HANDLE_MINUTES,
    )?;
    let talk_minutes = dist(
        cx,
        t.get("talk_minutes"),
        &join(path, "talk_minutes"),
        DEFAULT_TALK_MINUTES,
    )?;
    let skill = non_neg(cx, t, "skill", path, DEFAULT_SKILL)?;
    let cost_per_hour = non_neg(cx, t, "cost_per_hour", path, DEFAULT_COST_PER_HOUR)?;
    let discipline_name = opt_str(cx, t, "discipline", path)?.unwrap_or("fifo");
    let discipline = match one_of(
        cx,
        discipline_name,
        &["fifo", "score", "lifo"],
        &join(path, "discipline"),
    )? {
        "fifo" => Discipline::Fifo,
        "score" => Discipline::Score,
        _ => Discipline::Lifo,
    };
    let band = match t.get("band") {
        None => DEFAULT_BAND,
        Some(v) => {
            let field = join(path, "band");
            let b = num_array(cx, v, &field)?;
            if b.len() != 2
                || !(0.0..=1.0).contains(&b[0])
                || !(0.0..=1.0).contains(&b[1])
                || b[0] >= b[1]
            {
                return Err(cx.err(&field, ConfigProblem::BadBand { found: b }));
            }
            [b[0], b[1]]
        }
    };
    Ok(Pool {
        name: name.to_string(),
        count: count as u32,
        hours,
        handle_minutes,
        talk_minutes,
        skill,
        cost_per_hour,
        discipline,
        band,
    })
}

pub(super) fn policy(cx: &Ctx, t: &Table, path: &str) -> Result<Policy> {
    check_keys(
        cx,
        t,
        &[
            "threshold",
            "max_attempts",
            "gap_hours",
            "contactable",
            "reach",
            "speed_to_lead",
            "sla_hours",
            "patience_hours",
            "nurture",
        ],
        path,
    )?;
    let threshold = prob(cx, t, "threshold", path, DEFAULT_THRESHOLD)?;
    let max_attempts = opt_int(cx, t, "max_attempts", path, 1)?.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    at_most(cx, max_attempts, 1000, &join(path, "max_attempts"))?;
    let gap_hours = match t.get("gap_hours") {
        Some(v) => num_array(cx, v, &join(path, "gap_hours"))?,
        None => DEFAULT_GAPS.to_vec(),
    };
    for (i, g) in gap_hours.iter().enumerate() {
        not_negative(cx, *g, &format!("{path}.gap_hours[{i}]"))?;
    }
    if (gap_hours.len() as i64) < max_attempts - 1 {
        return Err(cx.err(
            &join(path, "gap_hours"),
            ConfigProblem::TooFewGaps {
                found: gap_hours.len(),
                max_attempts,
            },
        ));
    }
    let contactable = prob(cx, t, "contactable", path, DEFAULT_CONTACTABLE)?;
    let reach = match t.get("reach") {
        Some(v) => num_array(cx, v, &join(path, "reach"))?,
        None => DEFAULT_REACH.to_vec(),
    };
    for (i, r) in reach.iter().enumerate() {
        in_range(
            cx,
            *r,
            0.0,
            1.0,
            &format!("{path}.reach[{i}]"),
            "a probability",
        )?;
    }
    if (reach.len() as i64) < max_attempts {
        return Err(cx.err(
            &join(path, "reach"),
            ConfigProblem::TooFewReach {
                found: reach.len(),
                max_attempts,
            },
        ));
    }
    let speed_to_lead = speed(cx, t.get("speed_to_lead"), &join(path, "speed_to_lead"))?;
    let sla_hours = non_neg(cx, t, "sla_hours", path, DEFAULT_SLA_HOURS)?;
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
        Some(v) => {
            return Err(cx.err(
                &join(&npath, "enabled"),
                ConfigProblem::WrongType {
                    expected: "true or false",
                    found: value_text(v),
                },
            ))
        }
    };
    let nurture = Nurture {
        enabled,
        lift: non_neg(cx, n, "lift", &npath, DEFAULT_NURTURE_LIFT)?,
        cost_per_lead_month: non_neg(
            cx,
            n,
            "cost_per_lead_month",
            &npath,
            DEFAULT_NURTURE_COST_PER_LEAD_MONTH,
        )?,
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

pub(super) fn outcomes(cx: &Ctx, t: &Table, path: &str) -> Result<Outcomes> {
    check_keys(
        cx,
        t,
        &[
            "win_rate",
            "sales_cycle_days",
            "deal_value",
            "decision",
            "share",
            "share_elasticity",
        ],
        path,
    )?;
    let win_rate = prob(cx, t, "win_rate", path, DEFAULT_WIN_RATE)?;
    let sales_cycle_days = dist(
        cx,
        t.get("sales_cycle_days"),
        &join(path, "sales_cycle_days"),
        DEFAULT_SALES_CYCLE_DAYS,
    )?;
    let deal_value = dist(
        cx,
        t.get("deal_value"),
        &join(path, "deal_value"),
        DEFAULT_DEAL_VALUE,
    )?;
    let dpath = join(path, "decision");
    let decision = match section(cx, t, "decision", path)? {
        None => DEFAULT_DECISION,
        Some(d) if d.contains_key("preset") => {
            check_keys(cx, d, &["preset"], &dpath)?;
            let names: Vec<&str> = DECISION_PRESETS.iter().map(|p| p.0).collect();
            let p = opt_str(cx, d, "preset", &dpath)?.unwrap_or_default();
            let p = one_of(cx, p, &names, &join(&dpath, "preset"))?;
            DECISION_PRESETS
                .iter()
                .find(|x| x.0 == p)
                .map(|x| x.1)
                .unwrap_or(DEFAULT_DECISION)
        }
        Some(d) => {
            check_keys(cx, d, &["pi", "scale_months", "shape", "preset"], &dpath)?;
            Decision {
                pi: prob(cx, d, "pi", &dpath, DEFAULT_DECISION.pi)?,
                scale_months: positive(
                    cx,
                    opt_num(cx, d, "scale_months", &dpath)?
                        .unwrap_or(DEFAULT_DECISION.scale_months),
                    &join(&dpath, "scale_months"),
                )?,
                shape: positive(
                    cx,
                    opt_num(cx, d, "shape", &dpath)?.unwrap_or(DEFAULT_DECISION.shape),
                    &join(&dpath, "shape"),
                )?,
            }
        }
    };
    let share = prob(cx, t, "share", path, DEFAULT_SHARE)?;
    let share_elasticity = in_range(
        cx,
        opt_num(cx, t, "share_elasticity", path)?.unwrap_or(DEFAULT_SHARE_ELASTICITY),
        0.0,
        2.0,
        &join(path, "share_elasticity"),
        "an elasticity",
    )?;
    Ok(Outcomes {
        win_rate,
        sales_cycle_days,
        deal_value,
        decision,
        share,
        share_elasticity,
    })
}

/// `x` itself unless it is above `max` (bounds far beyond any real funnel that keep a typo from
/// running for days or exhausting memory).
fn at_most(cx: &Ctx, x: i64, max: i64, field: &str) -> Result<i64> {
    if x > max {
        return Err(cx.err(field, ConfigProblem::TooLarge { value: x, max }));
    }
    Ok(x)
}
