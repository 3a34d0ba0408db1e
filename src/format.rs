//! Number formats shared by every output: the terminal tables, the HTML reports and the text
//! summaries all write a value of the same kind the same way, so a number reads alike
//! wherever it appears.
//!
//! Two families:
//! * quantities with a [`Unit`] (the simulator's metrics): [`value`], [`diff`] and
//!   [`half_width`], e.g. `2.41%`, `+0.58 pp`, `4.14 h`, `9.41M`;
//! * plain statistics (the scoring side): [`percent`], [`fixed`], [`significant`],
//!   [`p_value`], each taking an `Option` and writing [`MISSING`] for `None` or a non-finite
//!   value.

/// Written for a value that does not exist (a rate over no rows, an interval of a regularised
/// fit, a ratio with an empty denominator).
pub const MISSING: &str = "–";

/// What a quantity measures, which decides how it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A number of things (leads, deals, attempts, queue places).
    Count,
    /// A share in [0, 1], written in percent; differences in percentage points.
    Share,
    /// A duration in hours.
    Hours,
    /// An amount of money (currency units), written with k and M.
    Money,
}

impl Unit {
    /// The unit as a column or axis suffix: "h" for hours, "%" for shares, none otherwise.
    pub fn suffix(self) -> Option<&'static str> {
        match self {
            Unit::Hours => Some("h"),
            Unit::Share => Some("%"),
            Unit::Count | Unit::Money => None,
        }
    }
}

/// A value of `unit`: shares in percent (two decimals below 10%, else one), hours with two
/// decimals, money in k and M, counts whole when whole or at least 100.
///
/// ```
/// use leadsim::format::{value, Unit};
/// assert_eq!(value(Unit::Share, 0.0241), "2.41%");
/// assert_eq!(value(Unit::Share, 0.215), "21.5%");
/// assert_eq!(value(Unit::Money, 9_412_000.0), "9.41M");
/// assert_eq!(value(Unit::Money, 559_800.0), "559.8k");
/// assert_eq!(value(Unit::Hours, 4.137), "4.14 h");
/// assert_eq!(value(Unit::Count, 52.94), "52.9");
/// assert_eq!(value(Unit::Count, 2196.0), "2196");
/// assert_eq!(value(Unit::Count, f64::NAN), "–");
/// ```
pub fn value(unit: Unit, x: f64) -> String {
    if !x.is_finite() {
        return MISSING.to_string();
    }
    match unit {
        Unit::Share => {
            let digits = if (100.0 * x).abs() < 10.0 { 2 } else { 1 };
            format!("{:.*}%", digits, 100.0 * x)
        }
        Unit::Hours => format!("{x:.2} h"),
        Unit::Money if x.abs() >= 1e6 => format!("{:.2}M", x / 1e6),
        Unit::Money if x.abs() >= 1e3 => format!("{:.1}k", x / 1e3),
        Unit::Money => format!("{x:.0}"),
        Unit::Count if x.abs() >= 100.0 || x == x.trunc() => format!("{x:.0}"),
        Unit::Count => format!("{x:.1}"),
    }
}

/// A difference of two values of `unit`, always signed; shares in percentage points.
///
/// ```
/// use leadsim::format::{diff, Unit};
/// assert_eq!(diff(Unit::Share, 0.0058), "+0.58 pp");
/// assert_eq!(diff(Unit::Money, -41_600.0), "-41.6k");
/// assert_eq!(diff(Unit::Count, 0.0), "+0");
/// assert_eq!(diff(Unit::Hours, -0.05), "-0.05 h");
/// ```
pub fn diff(unit: Unit, x: f64) -> String {
    if !x.is_finite() {
        return MISSING.to_string();
    }
    let sign = if x >= 0.0 { "+" } else { "" };
    match unit {
        Unit::Share => format!("{sign}{:.2} pp", 100.0 * x),
        _ => format!("{sign}{}", value(unit, x)),
    }
}

/// The half-width of a 95% interval, written like a difference of that unit and prefixed
/// with "±"; `None` when it is undefined (fewer than two values).
///
/// ```
/// use leadsim::format::{half_width, Unit};
/// assert_eq!(half_width(Unit::Share, 0.0007).as_deref(), Some("±0.07 pp"));
/// assert_eq!(half_width(Unit::Money, 51_900.0).as_deref(), Some("±51.9k"));
/// assert_eq!(half_width(Unit::Count, f64::NAN), None);
/// ```
pub fn half_width(unit: Unit, h: f64) -> Option<String> {
    h.is_finite()
        .then(|| format!("±{}", diff(unit, h).trim_start_matches('+')))
}

/// A share as a percentage with `decimals` decimals ("12.5%"), or [`MISSING`].
pub fn percent(share: Option<f64>, decimals: usize) -> String {
    match share {
        Some(s) if s.is_finite() => format!("{:.*}%", decimals, s * 100.0),
        _ => MISSING.to_string(),
    }
}

/// A number with `decimals` decimals, or [`MISSING`].
pub fn fixed(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => MISSING.to_string(),
    }
}

/// A number with four significant digits, in scientific notation when very small or large
/// (coefficients per unit range from per-dollar to per-level).
pub fn significant(value: Option<f64>) -> String {
    match value {
        Some(0.0) => "0".to_string(),
        Some(v) if v.is_finite() && (1e-3..1e6).contains(&v.abs()) => {
            let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
            format!("{v:.decimals$}")
        }
        Some(v) if v.is_finite() => format!("{v:.3e}"),
        _ => MISSING.to_string(),
    }
}

/// A p-value: four decimals, "<0.0001" below that.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => "<0.0001".to_string(),
        other => fixed(other, 4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_values_at_their_boundaries() {
        assert_eq!(value(Unit::Share, 0.0999), "9.99%");
        assert_eq!(value(Unit::Share, 0.1), "10.0%");
        assert_eq!(value(Unit::Share, 1.0), "100.0%");
        assert_eq!(value(Unit::Money, 999.4), "999");
        assert_eq!(value(Unit::Money, 1_000.0), "1.0k");
        assert_eq!(value(Unit::Money, 1_000_000.0), "1.00M");
        assert_eq!(value(Unit::Money, -2_500_000.0), "-2.50M");
        assert_eq!(value(Unit::Count, 99.95), "100.0");
        assert_eq!(value(Unit::Count, 100.4), "100");
        assert_eq!(value(Unit::Count, 3.0), "3");
        assert_eq!(value(Unit::Hours, f64::INFINITY), MISSING);
        assert_eq!(diff(Unit::Share, -0.0015), "-0.15 pp");
        assert_eq!(diff(Unit::Count, 12.75), "+12.8");
        assert_eq!(half_width(Unit::Hours, 0.13).as_deref(), Some("±0.13 h"));
    }

    #[test]
    fn statistics() {
        assert_eq!(percent(Some(0.125), 1), "12.5%");
        assert_eq!(percent(None, 1), MISSING);
        assert_eq!(fixed(Some(f64::NAN), 2), MISSING);
        assert_eq!(significant(Some(1.23456)), "1.235");
        assert_eq!(significant(Some(-0.0123456)), "-0.01235");
        assert_eq!(significant(Some(1234.56)), "1235");
        assert_eq!(significant(Some(3.2e-7)), "3.200e-7");
        assert_eq!(significant(Some(0.0)), "0");
        assert_eq!(p_value(Some(0.5)), "0.5000");
        assert_eq!(p_value(Some(1e-9)), "<0.0001");
        assert_eq!(p_value(None), MISSING);
    }
}
