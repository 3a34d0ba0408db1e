//! From CSV text to a design matrix: median imputation with missing indicators for numbers,
//! yes/no as 0/1, one-hot categories with the most frequent level as reference and rare levels
//! folded into `(other)`, then dropping constant and duplicated columns, and standardising.
//!
//! The encoder is learnt on training rows only and stored in the model file, so scoring needs
//! nothing else. Design column names follow the analyst's terms: `column` for numbers,
//! `column=(missing)` for missing indicators and `column=level` for one-hot levels.

use std::collections::{BTreeMap, HashMap};

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use crate::data::{
    parse_number, parse_yes_no, ColumnKind, MissingTokens, Number, ParsedColumn, Table,
};
use crate::error::Result;
use crate::stats::median;

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

/// An encoder together with the training design matrix it was learnt from.
pub(crate) struct LearntEncoding {
    pub encoder: Encoder,
    /// Standardised design matrix of the training rows (kept columns only).
    pub design: Array2<f64>,
    /// Columns removed as constant or duplicated (collinear ones are removed later).
    pub dropped: Vec<DroppedColumn>,
}

impl LearntEncoding {
    /// Drops the design columns that are linear combinations of the intercept and earlier
    /// columns, from both the design and the encoder, and returns their names.
    pub(crate) fn drop_collinear(&mut self) -> Vec<String> {
        let collinear = crate::scoring::solver::collinear_columns(self.design.view());
        if collinear.is_empty() {
            return Vec::new();
        }
        let keep: Vec<usize> = (0..self.design.ncols())
            .filter(|j| !collinear.contains(j))
            .collect();
        self.design = self.design.select(ndarray::Axis(1), &keep);
        let names = self.encoder.drop_columns(&collinear);
        for name in &names {
            self.dropped.push(DroppedColumn {
                name: name.clone(),
                reason: "collinear with the intercept and earlier columns".into(),
            });
        }
        names
    }
}

impl Encoder {
    /// Learns the encoding of `feature_columns` of `table` from `rows` (the training rows),
    /// drops constant and exactly duplicated design columns, and returns the standardised
    /// training design matrix.
    ///
    /// # Errors
    /// [`Error::BadValue`] for a value that cannot be read as its column's kind (anywhere in the
    /// file, not only in training rows).
    pub(crate) fn learn(
        table: &Table,
        feature_columns: &[usize],
        rows: &[usize],
        settings: &EncoderSettings,
    ) -> Result<LearntEncoding> {
        // Columns are independent: learn them in parallel, collected in column order.
        let learnt: Vec<(FeatureSpec, Vec<Vec<f64>>)> = feature_columns
            .par_iter()
            .map(|&c| learn_feature(table, c, rows, settings))
            .collect::<Result<_>>()?;
        let (features, raw_groups): (Vec<FeatureSpec>, Vec<Vec<Vec<f64>>>) =
            learnt.into_iter().unzip();
        let raw: Vec<Vec<f64>> = raw_groups.into_iter().flatten().collect();

        let mut dropped = Vec::new();
        let mut kept: Vec<(usize, usize, String)> = Vec::new(); // (feature, slot, name)
        let mut kept_raw: Vec<usize> = Vec::new();
        let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
        let hashes: Vec<u64> = raw.par_iter().map(|c| hash_column(c)).collect();
        let mut j = 0;
        for (f, spec) in features.iter().enumerate() {
            for (slot, name) in spec.column_names().into_iter().enumerate() {
                let col = &raw[j];
                let this = j;
                j += 1;
                if col.iter().all(|&v| v == col[0]) {
                    dropped.push(DroppedColumn {
                        name,
                        reason: format!("constant ({}) in the training rows", col[0]),
                    });
                    continue;
                }
                let twin = by_hash
                    .get(&hashes[this])
                    .and_then(|cands| cands.iter().find(|&&k| raw[k] == *col).copied());
                if let Some(k) = twin {
                    let twin_name = &kept[kept_raw.iter().position(|&x| x == k).unwrap()].2;
                    dropped.push(DroppedColumn {
                        name,
                        reason: format!("identical to \"{twin_name}\" in the training rows"),
                    });
                    continue;
                }
                by_hash.entry(hashes[this]).or_default().push(this);
                kept.push((f, slot, name));
                kept_raw.push(this);
            }
        }
        let n = rows.len();
        let stats: Vec<(f64, f64)> = kept_raw
            .par_iter()
            .map(|&j| {
                let col = &raw[j];
                let mean = col.iter().sum::<f64>() / n as f64;
                let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
                (mean, var.sqrt())
            })
            .collect();
        let p = kept.len();
        let mut design = Array2::<f64>::zeros((n, p));
        if p > 0 {
            design
                .as_slice_mut()
                .expect("fresh arrays are contiguous")
                .par_chunks_mut(p * 1024)
                .enumerate()
                .for_each(|(chunk, out)| {
                    let first = chunk * 1024;
                    for (i, row) in out.chunks_mut(p).enumerate() {
                        for (k, v) in row.iter_mut().enumerate() {
                            let (mean, scale) = stats[k];
                            *v = (raw[kept_raw[k]][first + i] - mean) / scale;
                        }
                    }
                });
        }
        let columns = kept
            .into_iter()
            .zip(stats)
            .map(|((feature, slot, name), (mean, scale))| DesignColumn {
                name,
                feature,
                slot,
                mean,
                scale,
            })
            .collect();
        Ok(LearntEncoding {
            encoder: Encoder {
                missing: settings.missing.clone(),
                features,
                columns,
            },
            design,
            dropped,
        })
    }

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
fn hash_column(col: &[f64]) -> u64 {
    col.iter().fold(0x9E37_79B9_7F4A_7C15u64, |h, v| {
        (h ^ v.to_bits())
            .wrapping_mul(0x1000_0000_01B3)
            .rotate_left(29)
    })
}

/// Learns one column's encoding from the training rows and returns its raw (unstandardised)
/// design columns over those rows.
fn learn_feature(
    table: &Table,
    c: usize,
    rows: &[usize],
    settings: &EncoderSettings,
) -> Result<(FeatureSpec, Vec<Vec<f64>>)> {
    let name = &table.headers()[c];
    let missing = &settings.missing;
    let forced = if settings.force_categorical.iter().any(|n| n == name) {
        Some(ColumnKind::Categorical)
    } else if settings.force_numeric.iter().any(|n| n == name) {
        Some(ColumnKind::Numeric)
    } else {
        None
    };
    let (encoding, raw) = match table.parse_column(c, missing, forced)? {
        ParsedColumn::Numeric(values) => numeric_feature(values, rows, false),
        ParsedColumn::YesNo(values) => numeric_feature(values, rows, true),
        ParsedColumn::Categorical => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for &r in rows {
                let text = table.value(r, c);
                let level = if missing.is_missing(text) {
                    MISSING_LEVEL
                } else {
                    text
                };
                *counts.entry(level).or_default() += 1;
            }
            let encoding = categorical_encoding(&counts, settings.min_level_count);
            let spec = FeatureSpec {
                column: name.clone(),
                encoding,
            };
            let mut raw = vec![Vec::with_capacity(rows.len()); spec.width()];
            let mut buf = vec![0.0; spec.width()];
            for &r in rows {
                // Training levels are all known, so encoding cannot fail here.
                let _ = spec.encode(table.value(r, c), missing, &mut buf);
                for (col, &v) in raw.iter_mut().zip(&buf) {
                    col.push(v);
                }
            }
            return Ok((spec, raw));
        }
    };
    Ok((
        FeatureSpec {
            column: name.clone(),
            encoding,
        },
        raw,
    ))
}

/// Median imputation and the optional missing indicator, from parsed values (NaN = missing).
fn numeric_feature(
    values: Vec<f64>,
    rows: &[usize],
    yes_no: bool,
) -> (FeatureEncoding, Vec<Vec<f64>>) {
    let mut present: Vec<f64> = rows
        .iter()
        .map(|&r| values[r])
        .filter(|v| !v.is_nan())
        .collect();
    let any_missing = present.len() < rows.len();
    let median = median(&mut present).unwrap_or(0.0);
    let value_col: Vec<f64> = rows
        .iter()
        .map(|&r| {
            if values[r].is_nan() {
                median
            } else {
                values[r]
            }
        })
        .collect();
    let mut raw = vec![value_col];
    if any_missing {
        raw.push(
            rows.iter()
                .map(|&r| f64::from(u8::from(values[r].is_nan())))
                .collect(),
        );
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
fn categorical_encoding(counts: &BTreeMap<&str, usize>, min_count: usize) -> FeatureEncoding {
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
    use crate::data::CsvOptions;
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
        let col = e.design.column(1);
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
