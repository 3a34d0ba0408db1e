//! Reading lead data: CSV files streamed record by record ([`CsvStream`], `source.rs`), or
//! split, parsed and consumed on three threads in batches (`batches.rs`), small-enough training files held column by column ([`Table`], `table.rs`), tables built
//! from columns already in memory ([`Table::from_columns`], `memory.rs`), file
//! fingerprints ([`sha256_file`], `hash.rs`), dates and timestamps ([`dates`]), and the value rules they share: what counts as
//! missing, what parses as a number, which columns are yes/no.
//!
//! The submodules are crate-internal; everything a user needs is re-exported here.

pub(crate) mod batches;
pub mod dates;
mod hash;
pub(crate) mod memory;
pub(crate) mod source;
pub(crate) mod table;

pub use hash::{sha256_bytes, sha256_file};
pub use memory::ColumnBuilder;
pub use source::{is_decimal_comma, CsvOptions, CsvStream};
pub use table::{ParsedColumn, Table};

use serde::{Deserialize, Serialize};

/// Texts that mean "no value": the empty field, `NA`, and any extra ones given
/// ([`MissingTokens::with_extra`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingTokens {
    tokens: Vec<String>,
}

impl Default for MissingTokens {
    fn default() -> Self {
        MissingTokens {
            tokens: vec!["NA".to_string()],
        }
    }
}

impl MissingTokens {
    /// The default tokens plus `extra` (e.g. `Select` for an unanswered dropdown).
    pub fn with_extra<I: IntoIterator<Item = String>>(extra: I) -> Self {
        let mut m = MissingTokens::default();
        for t in extra {
            let t = t.trim().to_string();
            if !t.is_empty() && !m.tokens.contains(&t) {
                m.tokens.push(t);
            }
        }
        m
    }

    /// Whether a (trimmed) field is missing.
    pub fn is_missing(&self, value: &str) -> bool {
        value.is_empty() || self.tokens.iter().any(|t| t == value)
    }

    /// The non-empty tokens, for the model file.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
}

/// How a column enters the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Finite numbers.
    Numeric,
    /// yes/no or true/false text, used as 0/1.
    YesNo,
    /// Anything else: one-hot encoded.
    Categorical,
}

/// What a field reads as, numerically.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A finite number.
    Finite(f64),
    /// `NaN`, `inf`, `-inf` (any spelling Rust parses): must not pass silently.
    NonFinite,
    /// Not a number at all.
    Text,
}

/// Parses a number the way a data file writes it.
pub fn parse_number(text: &str) -> Number {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Number::Finite(v),
        Ok(_) => Number::NonFinite,
        Err(_) => Number::Text,
    }
}

/// Reads yes/no and true/false (any case) as 1/0.
pub fn parse_yes_no(text: &str) -> Option<f64> {
    if text.eq_ignore_ascii_case("yes") || text.eq_ignore_ascii_case("true") {
        Some(1.0)
    } else if text.eq_ignore_ascii_case("no") || text.eq_ignore_ascii_case("false") {
        Some(0.0)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tokens_include_empty_na_and_extras() {
        let m = MissingTokens::with_extra(vec!["Select".to_string()]);
        assert!(m.is_missing(""));
        assert!(m.is_missing("NA"));
        assert!(m.is_missing("Select"));
        assert!(!m.is_missing("na"));
        assert!(!m.is_missing("0"));
    }

    #[test]
    fn numbers_and_non_finite_texts() {
        assert_eq!(parse_number("1e3"), Number::Finite(1000.0));
        assert_eq!(parse_number("-2.5"), Number::Finite(-2.5));
        assert_eq!(parse_number("abc"), Number::Text);
        assert_eq!(parse_number("NaN"), Number::NonFinite);
        assert_eq!(parse_number("inf"), Number::NonFinite);
        assert_eq!(parse_number("-inf"), Number::NonFinite);
        assert_eq!(parse_yes_no("Yes"), Some(1.0));
        assert_eq!(parse_yes_no("FALSE"), Some(0.0));
        assert_eq!(parse_yes_no("maybe"), None);
    }
}
