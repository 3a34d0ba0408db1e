//! From a learnt [`Encoder`] and the rows of a [`Table`] to a [`Design`]: numbers imputed and
//! standardised as the dense encoder does, categoricals as codes.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{Codes, Design};
use crate::data::{MissingTokens, Table};
use crate::error::{Error, Result};
use crate::scoring::encode::{
    Encoder, FeatureEncoding, FeatureSpec, ValueOutcome, MISSING_LEVEL, OTHER_LEVEL,
};

/// Maps a categorical feature's texts to codes exactly as [`FeatureSpec::encode`] maps them to
/// one-hot columns: code `i` for the encoder's `levels[i]`, code `levels.len()` for the
/// reference. Folded levels take `(other)`'s code when it is a level and the reference's
/// otherwise; so do unseen ones, reported as [`ValueOutcome::Unseen`].
#[derive(Debug, Clone)]
pub struct CategoryCoder {
    known: HashMap<String, u32>,
    /// Where folded and unseen levels go.
    fallback: u32,
    levels: usize,
}

impl CategoryCoder {
    /// The coder of a categorical feature; `None` for any other kind.
    pub fn new(spec: &FeatureSpec) -> Option<CategoryCoder> {
        let FeatureEncoding::Categorical {
            reference,
            levels,
            folded,
        } = &spec.encoding
        else {
            return None;
        };
        let reference_code = levels.len() as u32;
        let mut known: HashMap<String, u32> = levels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i as u32))
            .collect();
        let fallback = known.get(OTHER_LEVEL).copied().unwrap_or(reference_code);
        // As in `FeatureSpec::encode`, a level's own column wins over the reference, and the
        // reference over the folded list.
        known.entry(reference.clone()).or_insert(reference_code);
        for f in folded {
            known.entry(f.clone()).or_insert(fallback);
        }
        Some(CategoryCoder {
            known,
            fallback,
            levels: levels.len() + 1,
        })
    }

    /// Number of codes (the levels with a column, and the reference).
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// The code of a (trimmed) field.
    pub fn code(&self, text: &str, missing: &MissingTokens) -> (u32, ValueOutcome) {
        let level = if missing.is_missing(text) {
            MISSING_LEVEL
        } else {
            text
        };
        match self.known.get(level) {
            Some(&c) => (c, ValueOutcome::Known),
            None => (self.fallback, ValueOutcome::Unseen),
        }
    }
}

/// A design built by [`Design::from_encoder`].
#[derive(Debug, Clone)]
pub struct FromEncoder {
    pub design: Design,
    /// Values that were levels never seen in training, per feature (in the encoder's order).
    pub unseen: Vec<usize>,
}

/// One feature's design columns over the rows.
enum Part {
    Dense(Vec<Vec<f64>>),
    Categorical {
        codes: Codes,
        levels: usize,
        indicators: Vec<(u32, f64, f64)>,
        unseen: usize,
    },
}

impl Design {
    /// Encodes `rows` of `table` with `encoder`; `feature_columns[f]` is the table column of
    /// the encoder's feature `f`. The design columns are the encoder's kept columns in its
    /// order, with the same standardised values as the dense encoder's design.
    ///
    /// # Errors
    /// [`Error::BadValue`] (file, line, column, value) for a value its feature cannot read.
    pub fn from_encoder(
        encoder: &Encoder,
        table: &Table,
        feature_columns: &[usize],
        rows: &[usize],
    ) -> Result<FromEncoder> {
        assert_eq!(
            feature_columns.len(),
            encoder.features.len(),
            "from_encoder: one table column per feature"
        );
        let parts: Vec<Part> = encoder
            .features
            .par_iter()
            .enumerate()
            .map(|(f, spec)| encode_feature(encoder, f, spec, table, feature_columns[f], rows))
            .collect::<Result<_>>()?;
        let mut design = Design::new(rows.len());
        let mut unseen = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                Part::Dense(columns) => {
                    for values in columns {
                        design.push_dense(&values)?;
                    }
                    unseen.push(0);
                }
                Part::Categorical {
                    codes,
                    levels,
                    indicators,
                    unseen: u,
                } => {
                    design.push_categorical(codes, levels, &indicators)?;
                    unseen.push(u);
                }
            }
        }
        debug_assert_eq!(design.ncols(), encoder.columns.len());
        Ok(FromEncoder { design, unseen })
    }
}

fn encode_feature(
    encoder: &Encoder,
    f: usize,
    spec: &FeatureSpec,
    table: &Table,
    column: usize,
    rows: &[usize],
) -> Result<Part> {
    let missing = &encoder.missing;
    let kept: Vec<_> = encoder.columns.iter().filter(|c| c.feature == f).collect();
    if let Some(coder) = CategoryCoder::new(spec) {
        let mut unseen = 0;
        let codes: Vec<u32> = rows
            .iter()
            .map(|&r| {
                let (code, outcome) = coder.code(table.value(r, column), missing);
                unseen += usize::from(outcome == ValueOutcome::Unseen);
                code
            })
            .collect();
        return Ok(Part::Categorical {
            codes: Codes::new(codes, coder.levels()),
            levels: coder.levels(),
            indicators: kept
                .iter()
                .map(|c| (c.slot as u32, c.mean, c.scale))
                .collect(),
            unseen,
        });
    }
    let mut raw = vec![0.0; spec.width()];
    let mut columns = vec![Vec::with_capacity(rows.len()); kept.len()];
    for &r in rows {
        let text = table.value(r, column);
        spec.encode(text, missing, &mut raw)
            .map_err(|p| Error::BadValue {
                path: table.path().to_path_buf(),
                line: table.line(r),
                column: spec.column.clone(),
                value: text.to_string(),
                reason: p.reason().into(),
            })?;
        for (out, c) in columns.iter_mut().zip(&kept) {
            out.push((raw[c.slot] - c.mean) / c.scale);
        }
    }
    Ok(Part::Dense(columns))
}
