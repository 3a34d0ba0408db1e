//! Low-level readers of TOML values: each checks one value and, on failure, returns an
//! `Error::Config` naming the key path and the [`ConfigProblem`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::{Table, Value};

use crate::error::{ConfigProblem, Error, Result};
use crate::sim::model::LeadAttrs;
use crate::text::closest;

/// Parsing context: the file (for messages and relative paths) and a cache of loaded tables.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a Path,
    pub(super) tables: HashMap<TableKey, LoadedTable>,
}

/// A table read with these columns: (path, score, propensity, value, replay time, label).
pub(super) type TableKey = (
    PathBuf,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A table as the population holds it.
#[derive(Clone)]
pub(super) struct LoadedTable {
    pub(super) data: Arc<Vec<LeadAttrs>>,
    pub(super) replay: Option<Arc<Vec<(f64, u32)>>>,
    pub(super) labels: Option<Arc<Vec<Option<bool>>>>,
}

impl Ctx<'_> {
    pub(super) fn err(&self, field: &str, problem: ConfigProblem) -> Error {
        Error::Config {
            path: self.file.to_path_buf(),
            field: field.to_string(),
            problem,
        }
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(super) fn check_keys(cx: &Ctx, t: &Table, allowed: &[&str], path: &str) -> Result<()> {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            let suggestion = suggest(k, allowed);
            return Err(cx.err(&join(path, k), ConfigProblem::UnknownKey { suggestion }));
        }
    }
    Ok(())
}

/// The nearest of `allowed` to `got`, when it is close enough to be a typo.
pub(super) fn suggest(got: &str, allowed: &[&str]) -> Option<String> {
    closest(got, allowed.iter().copied()).map(str::to_string)
}

pub(super) fn type_name(v: &Value) -> &'static str {
    v.type_str()
}

/// A value of the wrong TOML type.
pub(super) fn wrong_type(expected: &'static str, v: &Value) -> ConfigProblem {
    ConfigProblem::WrongType {
        expected,
        found: type_name(v).to_string(),
    }
}

pub(super) fn as_table<'v>(cx: &Ctx, v: &'v Value, field: &str) -> Result<&'v Table> {
    v.as_table()
        .ok_or_else(|| cx.err(field, wrong_type("a table", v)))
}

pub(super) fn as_num(cx: &Ctx, v: &Value, field: &str) -> Result<f64> {
    let x = match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return Err(cx.err(field, wrong_type("a number", v))),
    };
    if !x.is_finite() {
        return Err(cx.err(field, ConfigProblem::NotFinite { value: x }));
    }
    Ok(x)
}

pub(super) fn opt_num(cx: &Ctx, t: &Table, key: &str, path: &str) -> Result<Option<f64>> {
    t.get(key)
        .map(|v| as_num(cx, v, &join(path, key)))
        .transpose()
}

pub(super) fn req_num(cx: &Ctx, t: &Table, key: &str, path: &str) -> Result<f64> {
    opt_num(cx, t, key, path)?.ok_or_else(|| cx.err(&join(path, key), ConfigProblem::Required))
}

pub(super) fn in_range(
    cx: &Ctx,
    x: f64,
    lo: f64,
    hi: f64,
    field: &str,
    what: &'static str,
) -> Result<f64> {
    if x < lo || x > hi {
        return Err(cx.err(
            field,
            ConfigProblem::OutOfRange {
                what,
                value: x,
                min: lo,
                max: hi,
            },
        ));
    }
    Ok(x)
}

pub(super) fn prob(cx: &Ctx, t: &Table, key: &str, path: &str, default: f64) -> Result<f64> {
    let x = opt_num(cx, t, key, path)?.unwrap_or(default);
    in_range(cx, x, 0.0, 1.0, &join(path, key), "a probability")
}

pub(super) fn non_neg(cx: &Ctx, t: &Table, key: &str, path: &str, default: f64) -> Result<f64> {
    let x = opt_num(cx, t, key, path)?.unwrap_or(default);
    not_negative(cx, x, &join(path, key))
}

/// `x` itself unless it is negative.
pub(super) fn not_negative(cx: &Ctx, x: f64, field: &str) -> Result<f64> {
    if x < 0.0 {
        return Err(cx.err(field, ConfigProblem::Negative { value: x }));
    }
    Ok(x)
}

pub(super) fn positive(cx: &Ctx, x: f64, field: &str) -> Result<f64> {
    if x <= 0.0 {
        return Err(cx.err(field, ConfigProblem::NotPositive { value: x }));
    }
    Ok(x)
}

pub(super) fn opt_int(cx: &Ctx, t: &Table, key: &str, path: &str, min: i64) -> Result<Option<i64>> {
    let field = join(path, key);
    match t.get(key) {
        None => Ok(None),
        Some(Value::Integer(i)) if *i >= min => Ok(Some(*i)),
        Some(Value::Integer(i)) => Err(cx.err(&field, ConfigProblem::TooSmall { value: *i, min })),
        Some(Value::Float(f)) if f.fract() == 0.0 && *f >= min as f64 && *f < 1e15 => {
            Ok(Some(*f as i64))
        }
        Some(v) => Err(cx.err(
            &field,
            ConfigProblem::NotWhole {
                found: value_text(v),
            },
        )),
    }
}

pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Integer(_) | Value::Float(_) | Value::Boolean(_) => v.to_string(),
        _ => type_name(v).to_string(),
    }
}

pub(super) fn opt_str<'v>(
    cx: &Ctx,
    t: &'v Table,
    key: &str,
    path: &str,
) -> Result<Option<&'v str>> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(cx.err(&join(path, key), wrong_type("a string", v))),
    }
}

pub(super) fn one_of<'a>(cx: &Ctx, s: &str, allowed: &[&'a str], field: &str) -> Result<&'a str> {
    allowed.iter().copied().find(|a| *a == s).ok_or_else(|| {
        cx.err(
            field,
            ConfigProblem::NotOneOf {
                value: s.to_string(),
                allowed: allowed.iter().map(|a| a.to_string()).collect(),
                suggestion: suggest(s, allowed),
            },
        )
    })
}

pub(super) fn num_array(cx: &Ctx, v: &Value, field: &str) -> Result<Vec<f64>> {
    let arr = v
        .as_array()
        .ok_or_else(|| cx.err(field, wrong_type("an array", v)))?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| as_num(cx, x, &format!("{field}[{i}]")))
        .collect()
}

pub(super) fn section<'t>(
    cx: &Ctx,
    t: &'t Table,
    key: &str,
    path: &str,
) -> Result<Option<&'t Table>> {
    t.get(key)
        .map(|v| as_table(cx, v, &join(path, key)))
        .transpose()
}
