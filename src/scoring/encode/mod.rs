//! From CSV text to a design matrix: median imputation with missing indicators for numbers,
//! yes/no as 0/1, one-hot categories with the most frequent level as reference and rare levels
//! folded into `(other)`, then dropping constant and duplicated columns, and standardising.
//!
//! The encoder is learnt on training rows only and stored in the model file, so scoring needs
//! nothing else. Design column names follow the analyst's terms: `column` for numbers,
//! `column=(missing)` for missing indicators and `column=level` for one-hot levels.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{parse_number, parse_yes_no, MissingTokens, Number};
use crate::error::Result;
use crate::stats::median_by_selection;

mod learn;

pub(crate) use learn::BuildFast;
#[cfg(test)]
use learn::LearntEncoding;

/// Name of the level that missing categorical values take, and the suffix of missing indicators.
pub const MISSING_LEVEL: &str = "(missing)";
/// Name of the level that rare and unseen categorical values fold into.
pub const OTHER_LEVEL: &str = "(other)";

/// How one input column becomes design columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// The input column's name.
    pub column: String,
    /// Its encoding.
    #[serde(flatten)]
    pub encoding: FeatureEncoding,
}

/// The encodings of [`FeatureSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureEncoding {
    /// A number; missing values take the training median and, when the training data had any,
    /// set a `column=(missing)` indicator.
    Numeric {
        median: f64,
        missing_indicator: bool,
    },
    /// yes/no or true/false as 1/0, imputed like a number.
    YesNo {
        median: f64,
        missing_indicator: bool,
    },
    /// One-hot: one column per entry of `levels`; the `reference` level has none.
    Categorical {
        reference: String,
        levels: Vec<String>,
        /// Training levels rarer than the minimum count. They map to `(other)` when that is a
        /// level, else to the reference (when the folded rows were too few for a level).
        folded: Vec<String>,
    },
}

/// What a value did when encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueOutcome {
    /// A known value (or a missing one, which is known too).
    Known,
    /// A categorical level never seen in training: treated as `(other)`.
    Unseen,
}

/// Why a value could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueProblem {
    /// Text in a numeric column.
    NotANumber,
    /// `NaN` or `inf`.
    NonFinite,
    /// Neither yes/no nor true/false in a yes/no column.
    NotYesNo,
}

impl ValueProblem {
    /// A short reason for error messages.
    pub fn reason(self) -> &'static str {
        match self {
            ValueProblem::NotANumber => "not a number in a numeric column",
            ValueProblem::NonFinite => "not a finite number",
            ValueProblem::NotYesNo => "not yes/no or true/false in a yes/no column",
        }
    }
}

impl FeatureSpec {
    /// Number of design columns this feature produces before any are dropped.
    pub fn width(&self) -> usize {
        match &self.encoding {
            FeatureEncoding::Numeric {
                missing_indicator, ..
            }
            | FeatureEncoding::YesNo {
                missing_indicator, ..
            } => 1 + usize::from(*missing_indicator),
            FeatureEncoding::Categorical { levels, .. } => levels.len(),
        }
    }

    /// Names of the design columns, in order.
    pub fn column_names(&self) -> Vec<String> {
        match &self.encoding {
            FeatureEncoding::Numeric {
                missing_indicator, ..
            }
            | FeatureEncoding::YesNo {
                missing_indicator, ..
            } => {
                let mut v = vec![self.column.clone()];
                if *missing_indicator {
                    v.push(format!("{}={MISSING_LEVEL}", self.column));
                }
                v
            }
            FeatureEncoding::Categorical { levels, .. } => levels
                .iter()
                .map(|l| format!("{}={l}", self.column))
                .collect(),
        }
    }

    /// Writes this feature's design values for `text` into `out` (length [`Self::width`]).
    pub fn encode(
        &self,
        text: &str,
        missing: &MissingTokens,
        out: &mut [f64],
    ) -> Result<ValueOutcome, ValueProblem> {
        let is_missing = missing.is_missing(text);
        match &self.encoding {
            FeatureEncoding::Numeric {
                median,
                missing_indicator,
            }
            | FeatureEncoding::YesNo {
                median,
                missing_indicator,
            } => {
                let value = if is_missing {
                    *median
                } else if matches!(self.encoding, FeatureEncoding::YesNo { .. }) {
                    parse_yes_no(text).ok_or(ValueProblem::NotYesNo)?
                } else {
                    match parse_number(text) {
                        Number::Finite(v) => v,
                        Number::Text => return Err(ValueProblem::NotANumber),
                        Number::NonFinite => return Err(ValueProblem::NonFinite),
                    }
                };
                out[0] = value;
                if *missing_indicator {
                    out[1] = f64::from(u8::from(is_missing));
                }
                Ok(ValueOutcome::Known)
            }
            FeatureEncoding::Categorical {
                reference,
                levels,
                folded,
            } => {
                out.iter_mut().for_each(|v| *v = 0.0);
                let level = if is_missing { MISSING_LEVEL } else { text };
                if let Ok(i) = levels.binary_search_by(|l| l.as_str().cmp(level)) {
                    out[i] = 1.0;
                    return Ok(ValueOutcome::Known);
                }
                if level == reference {
                    return Ok(ValueOutcome::Known);
                }
                let seen = folded.iter().any(|f| f == level);
                if let Ok(i) = levels.binary_search_by(|l| l.as_str().cmp(OTHER_LEVEL)) {
                    out[i] = 1.0;
                }
                Ok(if seen {
                    ValueOutcome::Known
                } else {
                    ValueOutcome::Unseen
                })
            }
        }
    }

    /// How a value reads in an explanation: `column=value`, with yes/no spelt out.
    pub fn describe(&self, text: &str, missing: &MissingTokens) -> String {
        if missing.is_missing(text) {
            return format!("{}={MISSING_LEVEL}", self.column);
        }
        match &self.encoding {
            FeatureEncoding::YesNo { .. } => match parse_yes_no(text) {
                Some(v) if v > 0.5 => format!("{}=yes", self.column),
                _ => format!("{}=no", self.column),
            },
            _ => format!("{}={text}", self.column),
        }
    }
}

/// A design column that survived dropping, with the mean and scale used to standardise it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignColumn {
    /// Name in the analyst's terms (`column`, `column=level`, `column=(missing)`).
    pub name: String,
    /// Index into the encoder's features.
    pub feature: usize,
    /// Position within that feature's design columns.
    pub slot: usize,
    /// Training mean.
    pub mean: f64,
    /// Training standard deviation (population), never zero.
    pub scale: f64,
}

/// A design column that was removed, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DroppedColumn {
    pub name: String,
    pub reason: String,
}

/// The learnt encoding from input columns to the (kept) design columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    /// Tokens read as missing.
    pub missing: MissingTokens,
    /// One entry per input feature column, in file order.
    pub features: Vec<FeatureSpec>,
    /// The kept design columns, in design order.
    pub columns: Vec<DesignColumn>,
}

/// Settings for learning an encoder.
#[derive(Debug, Clone)]
pub struct EncoderSettings {
    pub missing: MissingTokens,
    /// Levels with fewer training rows fold into `(other)`.
    pub min_level_count: usize,
    /// Columns forced numeric or categorical, by name.
    pub force_numeric: Vec<String>,
    pub force_categorical: Vec<String>,
}

impl Default for EncoderSettings {
    fn default() -> Self {
        EncoderSettings {
            missing: MissingTokens::default(),
            min_level_count: 10,
            force_numeric: Vec::new(),
            force_categorical: Vec::new(),
        }
    }
}

impl Encoder {
    /// Removes kept design columns by index (e.g. collinear ones) from the encoder.
    pub(crate) fn drop_columns(&mut self, indices: &[usize]) -> Vec<String> {
        let mut names = Vec::new();
        let mut k = 0;
        self.columns.retain(|c| {
            let keep = !indices.contains(&k);
            if !keep {
                names.push(c.name.clone());
            }
            k += 1;
            keep
        });
        names
    }

    /// Checks what a model file could get wrong and scoring relies on: every design column's
    /// feature and slot exist, design columns are in design order without repeats, every
    /// median, mean and scale is finite (scales positive), and categorical levels are sorted
    /// and unique (scoring finds a level by binary search). Returns the field path and the
    /// problem, e.g. `("encoder.columns[0].slot", "9999, but feature 2 ... has 1 design column")`.
    pub fn check(&self) -> std::result::Result<(), (String, String)> {
        for (i, f) in self.features.iter().enumerate() {
            let field = |k: &str| format!("encoder.features[{i}].{k}");
            match &f.encoding {
                FeatureEncoding::Numeric { median, .. } | FeatureEncoding::YesNo { median, .. } => {
                    if !median.is_finite() {
                        return Err((field("median"), format!("{median} is not finite")));
                    }
                }
                FeatureEncoding::Categorical {
                    reference, levels, ..
                } => {
                    if let Some(j) = (1..levels.len()).find(|&j| levels[j - 1] >= levels[j]) {
                        return Err((
                            format!("encoder.features[{i}].levels[{j}]"),
                            "levels must be sorted and unique".to_string(),
                        ));
                    }
                    if levels.binary_search(reference).is_ok() {
                        return Err((
                            field("reference"),
                            "the reference level must not be one of the levels".to_string(),
                        ));
                    }
                }
            }
        }
        let offsets = self.feature_offsets();
        let mut previous: Option<usize> = None;
        for (i, c) in self.columns.iter().enumerate() {
            let field = |k: &str| format!("encoder.columns[{i}].{k}");
            let Some(spec) = self.features.get(c.feature) else {
                return Err((
                    field("feature"),
                    format!(
                        "{}, but the encoder has {} features",
                        c.feature,
                        self.features.len()
                    ),
                ));
            };
            if c.slot >= spec.width() {
                return Err((
                    field("slot"),
                    format!(
                        "{}, but feature {} (\"{}\") has {} design column(s)",
                        c.slot,
                        c.feature,
                        crate::error::Excerpt(&spec.column),
                        spec.width()
                    ),
                ));
            }
            let position = offsets[c.feature] + c.slot;
            if previous.is_some_and(|p| p >= position) {
                return Err((
                    format!("encoder.columns[{i}]"),
                    "design columns must be in design order, each once".to_string(),
                ));
            }
            previous = Some(position);
            if !c.mean.is_finite() {
                return Err((field("mean"), format!("{} is not finite", c.mean)));
            }
            if !(c.scale.is_finite() && c.scale > 0.0) {
                return Err((
                    field("scale"),
                    format!("{} is not a positive finite number", c.scale),
                ));
            }
        }
        Ok(())
    }

    /// Names of the kept design columns.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Offsets of each feature's first design column in a full (undropped) design row.
    pub(crate) fn feature_offsets(&self) -> Vec<usize> {
        let mut acc = 0;
        self.features
            .iter()
            .map(|f| {
                let o = acc;
                acc += f.width();
                o
            })
            .collect()
    }
}

/// Encodes rows one at a time without allocating: holds the scratch row and the position of
/// each kept design column in it.
pub struct RowEncoder<'a> {
    encoder: &'a Encoder,
    raw: Vec<f64>,
    kept: Vec<usize>,
}

impl<'a> RowEncoder<'a> {
    /// Prepares to encode rows with `encoder`.
    pub fn new(encoder: &'a Encoder) -> Self {
        let offsets = encoder.feature_offsets();
        let width = encoder.features.iter().map(FeatureSpec::width).sum();
        RowEncoder {
            encoder,
            raw: vec![0.0; width],
            kept: encoder
                .columns
                .iter()
                .map(|c| offsets[c.feature] + c.slot)
                .collect(),
        }
    }

    /// Encodes one row given its feature texts (in feature order) into `out`, in original
    /// units, one value per kept design column. Returns the number of unseen levels, or the
    /// index of the failing feature and the problem.
    pub fn encode<'t, I>(
        &mut self,
        texts: I,
        out: &mut [f64],
    ) -> std::result::Result<usize, (usize, ValueProblem)>
    where
        I: IntoIterator<Item = &'t str>,
    {
        let mut unseen = 0;
        let mut offset = 0;
        for (f, (spec, text)) in self.encoder.features.iter().zip(texts).enumerate() {
            let w = spec.width();
            match spec.encode(
                text,
                &self.encoder.missing,
                &mut self.raw[offset..offset + w],
            ) {
                Ok(ValueOutcome::Unseen) => unseen += 1,
                Ok(ValueOutcome::Known) => {}
                Err(p) => return Err((f, p)),
            }
            offset += w;
        }
        for (o, &k) in out.iter_mut().zip(&self.kept) {
            *o = self.raw[k];
        }
        Ok(unseen)
    }
}

/// A fast fingerprint of a column's bits, to find exact duplicates without comparing every
/// pair (collisions are resolved by a full comparison).
pub(super) fn hash_column(col: &[f64]) -> u64 {
    col.iter().fold(0x9E37_79B9_7F4A_7C15u64, |h, v| {
        (h ^ v.to_bits())
            .wrapping_mul(0x1000_0000_01B3)
            .rotate_left(29)
    })
}

/// Median imputation and the optional missing indicator, from parsed values (NaN = missing).
pub(super) fn numeric_feature(
    values: Vec<f64>,
    rows: &[usize],
    yes_no: bool,
) -> (FeatureEncoding, Vec<Vec<f64>>) {
    // Training on every row (no holdout) is common: then the values are the column itself, and
    // neither they nor the indicator need gathering through `rows`.
    let every_row = rows.len() == values.len() && rows.iter().enumerate().all(|(i, &r)| i == r);
    let mut value_col = if every_row {
        values
    } else {
        rows.iter().map(|&r| values[r]).collect()
    };
    let mut present: Vec<f64> = value_col.iter().copied().filter(|v| !v.is_nan()).collect();
    let any_missing = present.len() < value_col.len();
    // A selection, not a sort: the same median, in linear time.
    let median = median_by_selection(&mut present).unwrap_or(0.0);
    drop(present);
    let mut raw = Vec::with_capacity(2);
    if any_missing {
        let indicator = value_col
            .iter()
            .map(|v| f64::from(u8::from(v.is_nan())))
            .collect();
        value_col
            .iter_mut()
            .filter(|v| v.is_nan())
            .for_each(|v| *v = median);
        raw.push(value_col);
        raw.push(indicator);
    } else {
        raw.push(value_col);
    }
    let encoding = if yes_no {
        FeatureEncoding::YesNo {
            median,
            missing_indicator: any_missing,
        }
    } else {
        FeatureEncoding::Numeric {
            median,
            missing_indicator: any_missing,
        }
    };
    (encoding, raw)
}

/// Folds rare levels and picks the reference from training level counts.
pub(super) fn categorical_encoding(
    counts: &BTreeMap<&str, usize>,
    min_count: usize,
) -> FeatureEncoding {
    let mut kept: BTreeMap<String, usize> = BTreeMap::new();
    let mut folded = Vec::new();
    let mut other = 0;
    for (&level, &n) in counts {
        if n < min_count {
            folded.push(level.to_string());
            other += n;
        } else {
            *kept.entry(level.to_string()).or_default() += n;
        }
    }
    // Too few folded rows for a level of their own: they join the reference instead.
    let other_is_level = other >= min_count;
    if other_is_level {
        *kept.entry(OTHER_LEVEL.to_string()).or_default() += other;
    }
    // Most frequent level; BTreeMap order breaks ties lexically.
    let reference = kept
        .iter()
        .fold(None::<(&String, usize)>, |best, (l, &n)| match best {
            Some((_, bn)) if bn >= n => best,
            _ => Some((l, n)),
        })
        .map(|(l, _)| l.clone())
        .unwrap_or_else(|| OTHER_LEVEL.to_string());
    let levels = kept.keys().filter(|l| **l != reference).cloned().collect();
    FeatureEncoding::Categorical {
        reference,
        levels,
        folded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{CsvOptions, Table};
    use crate::error::Error;

    fn table(text: &str) -> Table {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, text).unwrap();
        Table::load(&p, &CsvOptions::default(), None).unwrap()
    }

    fn learn(t: &Table, min: usize) -> LearntEncoding {
        let cols: Vec<usize> = (0..t.headers().len()).collect();
        let rows: Vec<usize> = (0..t.rows()).collect();
        let s = EncoderSettings {
            min_level_count: min,
            ..Default::default()
        };
        Encoder::learn(t, &cols, &rows, &s).unwrap()
    }

    #[test]
    fn numeric_gets_median_and_indicator_only_when_missing() {
        let t = table("x,y\n1,5\n,6\n4,7\n10,8\n");
        let e = learn(&t, 1);
        let f = &e.encoder.features[0];
        assert_eq!(
            f.encoding,
            FeatureEncoding::Numeric {
                median: 4.0,
                missing_indicator: true
            }
        );
        assert_eq!(
            e.encoder.features[1].encoding,
            FeatureEncoding::Numeric {
                median: 6.5,
                missing_indicator: false
            }
        );
        assert_eq!(e.encoder.column_names(), vec!["x", "x=(missing)", "y"]);
    }

    #[test]
    fn categorical_reference_is_most_frequent_with_lexical_ties() {
        let mut counts = BTreeMap::new();
        counts.insert("b", 5);
        counts.insert("a", 5);
        counts.insert("c", 3);
        match categorical_encoding(&counts, 1) {
            FeatureEncoding::Categorical {
                reference, levels, ..
            } => {
                assert_eq!(reference, "a");
                assert_eq!(levels, vec!["b", "c"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rare_levels_fold_into_other_or_into_the_reference() {
        let mut counts = BTreeMap::new();
        counts.insert("big", 50);
        counts.insert("mid", 20);
        counts.insert("r1", 6);
        counts.insert("r2", 5);
        match categorical_encoding(&counts, 10) {
            FeatureEncoding::Categorical {
                reference,
                levels,
                folded,
            } => {
                assert_eq!(reference, "big");
                assert_eq!(levels, vec!["(other)", "mid"]);
                assert_eq!(folded, vec!["r1", "r2"]);
            }
            other => panic!("{other:?}"),
        }
        counts.remove("r2");
        match categorical_encoding(&counts, 10) {
            FeatureEncoding::Categorical { levels, folded, .. } => {
                assert_eq!(levels, vec!["mid"]);
                assert_eq!(folded, vec!["r1"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn encodes_levels_unseen_and_missing() {
        let spec = FeatureSpec {
            column: "c".into(),
            encoding: FeatureEncoding::Categorical {
                reference: "a".into(),
                levels: vec!["(missing)".into(), "(other)".into(), "b".into()],
                folded: vec!["z".into()],
            },
        };
        let m = MissingTokens::default();
        let mut out = [9.0; 3];
        assert_eq!(spec.encode("b", &m, &mut out), Ok(ValueOutcome::Known));
        assert_eq!(out, [0.0, 0.0, 1.0]);
        assert_eq!(spec.encode("a", &m, &mut out), Ok(ValueOutcome::Known));
        assert_eq!(out, [0.0, 0.0, 0.0]);
        assert_eq!(spec.encode("", &m, &mut out), Ok(ValueOutcome::Known));
        assert_eq!(out, [1.0, 0.0, 0.0]);
        assert_eq!(spec.encode("z", &m, &mut out), Ok(ValueOutcome::Known));
        assert_eq!(out, [0.0, 1.0, 0.0]);
        assert_eq!(spec.encode("new", &m, &mut out), Ok(ValueOutcome::Unseen));
        assert_eq!(out, [0.0, 1.0, 0.0]);
    }

    #[test]
    fn drops_constant_and_duplicate_columns_by_name() {
        let t = table("k,a,b,c\n1,x,1,yes\n1,y,0,no\n1,x,1,yes\n1,y,0,no\n");
        let e = learn(&t, 1);
        // a: reference x (tie broken lexically), dummy a=y; b and c duplicate each other and a=y's complement.
        let names = e.encoder.column_names();
        assert_eq!(names, vec!["a=y", "b"]);
        let reasons: Vec<&str> = e.dropped.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(reasons, vec!["k", "c"]);
        assert!(e.dropped[1].reason.contains("\"b\""));
        // Standardised: zero mean, unit population variance.
        let x = e.design.to_dense();
        let col = x.column(1);
        assert!((col.sum()).abs() < 1e-12);
        assert!((col.mapv(|v| v * v).sum() / 4.0 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn forced_numeric_with_text_names_line_and_value() {
        let t = table("n,y\n1,a\nx2,b\n");
        let s = EncoderSettings {
            force_numeric: vec!["n".into()],
            ..Default::default()
        };
        match Encoder::learn(&t, &[0], &[0, 1], &s) {
            Err(Error::BadValue { line: 3, value, .. }) => assert_eq!(value, "x2"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("accepted text in a numeric column"),
        }
    }
}
