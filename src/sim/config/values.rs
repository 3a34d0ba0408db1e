//! Readers of the value-like settings: distributions, calendars and speed-to-lead curves.

use toml::Value;

use super::fields::*;
use crate::error::{ConfigProblem, Result};
use crate::sim::model::defaults::{
    DEFAULT_SHIFT_END, DEFAULT_SHIFT_START, DEFAULT_WORKING_DAYS, SPEED_PRESETS,
};
use crate::sim::model::{AlwaysTag, DistSpec, Hours, SpeedToLead, DAY_NAMES};

pub(super) fn days_list(cx: &Ctx, v: &Value, field: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = match v {
        Value::String(s) => s.split(',').map(|p| p.trim().to_lowercase()).collect(),
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str().map(|s| s.trim().to_lowercase()).ok_or_else(|| {
                    cx.err(
                        field,
                        ConfigProblem::Expected {
                            expected: "day names",
                        },
                    )
                })
            })
            .collect::<Result<_>>()?,
        _ => return Err(cx.err(field, wrong_type("day names such as \"mon-fri\"", v))),
    };
    let mut works = [false; 7];
    let day = |s: &str| -> Result<usize> {
        DAY_NAMES.iter().position(|d| *d == s).ok_or_else(|| {
            cx.err(
                field,
                ConfigProblem::NotADay {
                    value: s.to_string(),
                    suggestion: suggest(s, &DAY_NAMES),
                },
            )
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
    Ok(DAY_NAMES
        .iter()
        .zip(works)
        .filter(|(_, w)| *w)
        .map(|(d, _)| d.to_string())
        .collect())
}

fn default_days() -> Vec<String> {
    DAY_NAMES[..DEFAULT_WORKING_DAYS]
        .iter()
        .map(|d| d.to_string())
        .collect()
}

pub(super) fn hours(cx: &Ctx, v: Option<&Value>, field: &str) -> Result<Hours> {
    let Some(v) = v else {
        return Ok(Hours::Weekly {
            days: default_days(),
            start: DEFAULT_SHIFT_START,
            end: DEFAULT_SHIFT_END,
        });
    };
    if let Value::String(s) = v {
        one_of(cx, s, &["always"], field)?;
        return Ok(Hours::Always(AlwaysTag));
    }
    let t = as_table(cx, v, field)?;
    check_keys(cx, t, &["days", "start", "end"], field)?;
    let days = match t.get("days") {
        Some(d) => days_list(cx, d, &join(field, "days"))?,
        None => default_days(),
    };
    let start = in_range(
        cx,
        req_num(cx, t, "start", field)?,
        0.0,
        24.0,
        &join(field, "start"),
        "an hour of the day",
    )?;
    let end = in_range(
        cx,
        req_num(cx, t, "end", field)?,
        0.0,
        24.0,
        &join(field, "end"),
        "an hour of the day",
    )?;
    if days.is_empty() || end <= start {
        return Err(cx.err(field, ConfigProblem::NoWorkingHours { days, start, end }));
    }
    Ok(Hours::Weekly { days, start, end })
}

pub(super) fn dist(
    cx: &Ctx,
    v: Option<&Value>,
    field: &str,
    default: DistSpec,
) -> Result<DistSpec> {
    let Some(v) = v else { return Ok(default) };
    let t = as_table(cx, v, field)?;
    let kind = opt_str(cx, t, "dist", field)?
        .ok_or_else(|| cx.err(&join(field, "dist"), ConfigProblem::MissingDist))?;
    let kind = one_of(
        cx,
        kind,
        &["fixed", "exponential", "lognormal", "gamma"],
        &join(field, "dist"),
    )?;
    let pos = |k: &str| -> Result<f64> { positive(cx, req_num(cx, t, k, field)?, &join(field, k)) };
    let nonneg = |k: &str| -> Result<f64> {
        non_neg(cx, t, k, field, f64::NAN).and_then(|x| {
            if x.is_nan() {
                Err(cx.err(&join(field, k), ConfigProblem::Required))
            } else {
                Ok(x)
            }
        })
    };
    Ok(match kind {
        "fixed" => {
            check_keys(cx, t, &["dist", "value"], field)?;
            DistSpec::Fixed {
                value: nonneg("value")?,
            }
        }
        "exponential" => {
            check_keys(cx, t, &["dist", "mean"], field)?;
            DistSpec::Exponential { mean: pos("mean")? }
        }
        "gamma" => {
            check_keys(cx, t, &["dist", "mean", "cv"], field)?;
            let (mean, cv) = (pos("mean")?, nonneg("cv")?);
            if cv > 0.0 && !crate::sim::model::gamma_representable(mean, cv) {
                let (shape, scale) = crate::sim::model::gamma_parameters(mean, cv);
                return Err(cx.err(
                    &join(field, "cv"),
                    ConfigProblem::NotRepresentable {
                        dist: "gamma",
                        value: cv,
                        detail: format!(
                            "shape 1/cv^2 = {shape:e} and scale mean cv^2 = {scale:e} must be \
                             positive normal floats; use cv = 0 for a fixed value"
                        ),
                    },
                ));
            }
            DistSpec::Gamma { mean, cv }
        }
        _ => {
            let by_median = t.contains_key("median") || t.contains_key("sigma");
            if by_median && (t.contains_key("mean") || t.contains_key("cv")) {
                return Err(cx.err(field, ConfigProblem::LognormalBothForms));
            }
            if by_median {
                check_keys(cx, t, &["dist", "median", "sigma"], field)?;
                DistSpec::LogNormalMedian {
                    median: pos("median")?,
                    sigma: nonneg("sigma")?,
                }
            } else {
                check_keys(cx, t, &["dist", "mean", "cv"], field)?;
                let (mean, cv) = (pos("mean")?, nonneg("cv")?);
                // sigma^2 = ln(1 + cv^2) must be finite: beyond cv ~ 1.3e154 it is not.
                if !(cv * cv).is_finite() {
                    return Err(cx.err(
                        &join(field, "cv"),
                        ConfigProblem::NotRepresentable {
                            dist: "lognormal",
                            value: cv,
                            detail: "cv^2 overflows a 64-bit float".to_string(),
                        },
                    ));
                }
                DistSpec::LogNormalMeanCv { mean, cv }
            }
        }
    })
}

pub(super) fn speed(cx: &Ctx, v: Option<&Value>, field: &str) -> Result<SpeedToLead> {
    let Some(v) = v else {
        return Ok(SpeedToLead::Table(SPEED_PRESETS[0].1.to_vec()));
    };
    let t = as_table(cx, v, field)?;
    check_keys(
        cx,
        t,
        &["table", "exponential_per_hour", "exponential", "preset"],
        field,
    )?;
    if t.len() != 1 {
        return Err(cx.err(field, ConfigProblem::NotOneCurve));
    }
    // The contract's spelling (docs/model.md section 2, step 5): `exponential = { per_hour = kappa }`.
    if let Some(v) = t.get("exponential") {
        let efield = join(field, "exponential");
        let e = as_table(cx, v, &efield)?;
        check_keys(cx, e, &["per_hour"], &efield)?;
        let k = req_num(cx, e, "per_hour", &efield)?;
        let k = not_negative(cx, k, &join(&efield, "per_hour"))?;
        return Ok(SpeedToLead::ExponentialPerHour(k));
    }
    if let Some(k) = opt_num(cx, t, "exponential_per_hour", field)? {
        let k = not_negative(cx, k, &join(field, "exponential_per_hour"))?;
        return Ok(SpeedToLead::ExponentialPerHour(k));
    }
    if let Some(p) = opt_str(cx, t, "preset", field)? {
        let names: Vec<&str> = SPEED_PRESETS.iter().map(|p| p.0).collect();
        let p = one_of(cx, p, &names, &join(field, "preset"))?;
        return Ok(SpeedToLead::Table(
            SPEED_PRESETS
                .iter()
                .find(|x| x.0 == p)
                .map(|x| x.1.to_vec())
                .unwrap_or_default(),
        ));
    }
    let tfield = join(field, "table");
    let rows = t["table"].as_array().ok_or_else(|| {
        cx.err(
            &tfield,
            ConfigProblem::Expected {
                expected: "an array of [hours, multiplier] points",
            },
        )
    })?;
    if rows.is_empty() {
        return Err(cx.err(&tfield, ConfigProblem::NoCurvePoints));
    }
    let mut pts = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let f = format!("{tfield}[{i}]");
        let p = num_array(cx, r, &f)?;
        if p.len() != 2 {
            return Err(cx.err(
                &f,
                ConfigProblem::Expected {
                    expected: "[hours, multiplier]",
                },
            ));
        }
        if p[0] < 0.0 {
            return Err(cx.err(&f, ConfigProblem::NegativeCurveHours { value: p[0] }));
        }
        in_range(cx, p[1], 0.0, 1.0, &f, "the multiplier")?;
        if let Some(prev) = pts.last().copied() {
            let prev: [f64; 2] = prev;
            if p[0] <= prev[0] {
                return Err(cx.err(&f, ConfigProblem::CurveHoursNotIncreasing));
            }
            if p[1] > prev[1] {
                return Err(cx.err(&f, ConfigProblem::CurveIncreasing));
            }
        }
        pts.push([p[0], p[1]]);
    }
    Ok(SpeedToLead::Table(pts))
}
