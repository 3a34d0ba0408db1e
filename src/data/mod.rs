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
mod plain;
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
    if let Some(v) = parse_plain_decimal(text.as_bytes()) {
        return Number::Finite(v);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Number::Finite(v),
        Ok(_) => Number::NonFinite,
        Err(_) => Number::Text,
    }
}

/// `[+-]digits[.digits]` with at most 15 significant digits (or `None`), as `str::parse` would
/// read it. Training files are mostly such numbers, and this path is several times faster.
/// Exact: the digits fit a `u64` below 2^53 and 10^k (k <= 22) is a double, so the one
/// correctly rounded division gives the correctly rounded value (Clinger's fast path).
fn parse_plain_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, rest) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    // 15 digits and a point at most: longer texts go to the general parser, and the digits
    // cannot overflow the u64 below.
    if rest.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut i = 0;
    while let Some(d) = rest
        .get(i)
        .map(|c| c.wrapping_sub(b'0'))
        .filter(|&d| d <= 9)
    {
        mantissa = mantissa * 10 + u64::from(d);
        i += 1;
    }
    let whole = i;
    let mut decimals = 0;
    if i < rest.len() {
        if rest[i] != b'.' {
            return None;
        }
        i += 1;
        let fraction = &rest[i..];
        decimals = fraction.len();
        if whole + decimals > 15 {
            return None;
        }
        if (1..=8).contains(&decimals) {
            mantissa = mantissa * POW10_INT[decimals] + eight_digits(fraction)?;
        } else {
            for &c in fraction {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(d);
            }
        }
    }
    let digits = whole + decimals;
    if digits == 0 || digits > 15 {
        return None;
    }
    let v = mantissa as f64 / POW10[decimals];
    Some(if negative { -v } else { v })
}

/// Powers of ten up to 10^8, for shifting the whole part past the fraction's digits.
const POW10_INT: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The value of 1 to 8 ASCII digits (`None` if any byte is not one), all at once in a `u64`:
/// the digits sit right-aligned behind '0's, first digit in the lowest byte (little-endian).
fn eight_digits(digits: &[u8]) -> Option<u64> {
    let mut bytes = [b'0'; 8];
    bytes[8 - digits.len()..].copy_from_slice(digits);
    let v = u64::from_le_bytes(bytes);
    // Every byte 0x30..=0x39: its high nibble is 3, and adding 6 leaves that nibble 3 too.
    let high = 0xF0F0_F0F0_F0F0_F0F0u64;
    let carry = (v.wrapping_add(0x0606_0606_0606_0606) & high) >> 4;
    if (v & high) | carry != 0x3333_3333_3333_3333 {
        return None;
    }
    let d = v - 0x3030_3030_3030_3030;
    // Each even byte becomes the two-digit number it starts (10 d_i + d_(i+1)).
    let pairs = d.wrapping_mul(10).wrapping_add(d >> 8);
    // Pairs 0 and 2 at bits 0 and 32, pairs 1 and 3 likewise: one multiply each puts
    // 10^6 p0 + 10^2 p2 and 10^4 p1 + p3 in the upper half (the lower halves stay below 2^32).
    let mask = 0x0000_00FF_0000_00FFu64;
    let a = (pairs & mask).wrapping_mul(100 + (1_000_000 << 32));
    let b = ((pairs >> 16) & mask).wrapping_mul(1 + (10_000 << 32));
    Some(a.wrapping_add(b) >> 32)
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
    fn the_fast_path_reads_every_number_as_str_parse_does() {
        // A deterministic spread of plain decimals: lengths, signs, leading zeros, points at
        // every place, the 15-digit edge; each must equal the standard library's reading bit
        // for bit (including -0).
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut checked = 0;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = 1 + (x % 18) as usize;
            let mut s: String = (0..len)
                .map(|i| char::from(b'0' + ((x >> (i * 3)) % 10) as u8))
                .collect();
            let point = (x >> 56) as usize % (len + 2);
            if point <= len {
                s.insert(point, '.');
            }
            match (x >> 50) % 3 {
                0 => s.insert(0, '-'),
                1 => s.insert(0, '+'),
                _ => {}
            }
            if let Ok(want) = s.parse::<f64>() {
                assert_eq!(
                    parse_number(&s),
                    Number::Finite(want),
                    "{s}: {:?}",
                    parse_plain_decimal(s.as_bytes())
                );
                if let Some(got) = parse_plain_decimal(s.as_bytes()) {
                    assert_eq!(got.to_bits(), want.to_bits(), "{s}");
                    checked += 1;
                }
            } else {
                assert_eq!(parse_plain_decimal(s.as_bytes()), None, "{s}");
            }
        }
        // Most of them took the fast path (those of at most 15 digits).
        assert!(checked > 100_000, "{checked}");
        for s in [
            "-0",
            "-0.0",
            "0.1",
            "0.30000000000000004",
            "123456789012345",
            ".5",
            "5.",
            ".",
            // Bytes next to the digits' range, in a fraction read eight digits at once.
            "1.2a",
            "1.:5",
            "1./5",
            "3.1234567:",
            "1.\u{e9}",
            "0.12345678",
            "12.345678901",
            "+.5",
            "-.",
        ] {
            let want = s.parse::<f64>().ok();
            let got = match parse_number(s) {
                Number::Finite(v) => Some(v),
                _ => None,
            };
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{s}");
        }
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
