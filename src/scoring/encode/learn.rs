//! Learning an [`Encoder`] from the training rows, straight into a [`Design`]: numbers as
//! dense columns, categoricals as one code per row. No one-hot block is ever built, not even
//! while constant and duplicated columns are found: an indicator's constancy and its identity
//! with another column follow from per-level row counts and fingerprints of the rows that hold
//! the level, and only columns with equal fingerprints are compared row by row.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::{
    categorical_encoding, hash_column, numeric_feature, DesignColumn, DroppedColumn, Encoder,
    EncoderSettings, FeatureSpec, MISSING_LEVEL,
};
use crate::data::{ColumnKind, ParsedColumn, Table};
use crate::error::Result;
use crate::scoring::design::{CategoryCoder, Codes, Design};
use crate::scoring::metrics::roc_auc_beyond;

/// An encoder together with the training design it was learnt from.
pub(crate) struct LearntEncoding {
    pub encoder: Encoder,
    /// Standardised design of the training rows (kept columns only).
    pub design: Design,
    /// Columns removed as constant or duplicated (collinear ones are removed later).
    pub dropped: Vec<DroppedColumn>,
    /// The leak check's single-field ROC AUC of each numeric and yes/no feature's imputed
    /// values against the outcomes, by table column, when [`Encoder::learn_scoring`] was given
    /// them (computed while the values are at hand rather than parsed again): exact where its
    /// strength `max(auc, 1 - auc)` may exceed the screen's, `None` where it cannot
    /// ([`roc_auc_beyond`]).
    pub leak_auc: HashMap<usize, Option<f64>>,
    /// For the same leak check, each categorical feature's training rows and converters per
    /// code (`[rows, positives]`), by table column, when [`Encoder::learn_scoring`] was given
    /// the outcomes: the check needs no second look at the texts.
    pub level_outcomes: HashMap<usize, Vec<[usize; 2]>>,
}

impl LearntEncoding {
    /// Drops the design columns that are linear combinations of the intercept and earlier
    /// columns, from both the design and the encoder, and returns their names.
    pub(crate) fn drop_collinear(&mut self) -> Vec<String> {
        let (mean, gram) = self.design.centred_gram();
        let collinear =
            crate::scoring::solver::collinear_from_gram(self.design.rows(), &mean, &gram);
        if collinear.is_empty() {
            return Vec::new();
        }
        self.design.drop_columns(&collinear);
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

/// One feature's values over the training rows, before standardisation.
enum Raw {
    /// Raw design columns (value, then the missing indicator if any).
    Dense(Vec<Vec<f64>>),
    /// One code per row ([`CategoryCoder`]'s codes; `levels` of them).
    Codes { codes: Vec<u32>, levels: usize },
}

/// What the leak check needs of one feature, computed while its values are at hand.
enum LeakInput {
    Auc(Option<f64>),
    Levels(Vec<[usize; 2]>),
}

/// One feature's encoding and its values over the training rows.
type Learnt = (FeatureSpec, Raw);

/// Per code of a categorical: rows, first row and a fingerprint of the set of rows.
struct LevelStats {
    count: Vec<usize>,
    first: Vec<usize>,
    mix: Vec<u64>,
}

/// What identical columns share. A 0/1 column gets the same key whether it is dense (a yes/no
/// flag, a missing indicator) or a level's indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Values(u64),
    Binary {
        count: usize,
        first: usize,
        mix: u64,
    },
}

/// A candidate design column: dense column `slot` of feature `feature`, or the indicator of
/// `code`.
#[derive(Debug, Clone, Copy)]
enum Cand {
    Dense { feature: usize, slot: usize },
    Level { feature: usize, code: u32 },
}

/// A fast hasher for level texts (FxHash's multiply-rotate over 8-byte words): the default
/// SipHash guards against hostile keys, which cost nothing here but time, since the number of
/// distinct levels is bounded by the file's own rows.
#[derive(Default, Clone, Copy)]
pub(crate) struct BuildFast;

impl std::hash::BuildHasher for BuildFast {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.0 =
            (self.0.rotate_left(5) ^ u64::from_le_bytes(tail) ^ bytes.len() as u64).wrapping_mul(K);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// An order-free mix of a row index (SplitMix64's finaliser), summed into a set fingerprint.
fn mix(i: usize) -> u64 {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Encoder {
    /// Learns the encoding of `feature_columns` of `table` from `rows` (the training rows),
    /// drops constant and exactly duplicated design columns, and returns the standardised
    /// training design, categoricals as codes.
    ///
    /// # Errors
    /// [`crate::error::Error::BadValue`] for a value that cannot be read as its column's kind
    /// (anywhere in the file, not only in training rows).
    pub(crate) fn learn(
        table: &Table,
        feature_columns: &[usize],
        rows: &[usize],
        settings: &EncoderSettings,
    ) -> Result<LearntEncoding> {
        Encoder::learn_scoring(table, feature_columns, rows, settings, None)
    }

    /// As [`Encoder::learn`]; with `leak_screen` (the outcomes, one per row of `rows`, and the
    /// leak check's AUC strength), also the single-field ROC AUC of the numeric and yes/no
    /// features that may pass it ([`LearntEncoding::leak_auc`]).
    ///
    /// # Errors
    /// As [`Encoder::learn`].
    pub(crate) fn learn_scoring(
        table: &Table,
        feature_columns: &[usize],
        rows: &[usize],
        settings: &EncoderSettings,
        leak_screen: Option<(&[bool], f64)>,
    ) -> Result<LearntEncoding> {
        // Columns are independent: learn them in parallel, collected in column order.
        let learnt: Vec<(Learnt, Option<LeakInput>)> = feature_columns
            .par_iter()
            .map(|&c| {
                let (spec, raw) = learn_feature(table, c, rows, settings)?;
                let leak = match (&raw, leak_screen) {
                    (Raw::Dense(cols), Some((y, strength))) => {
                        Some(LeakInput::Auc(roc_auc_beyond(&cols[0], y, strength)))
                    }
                    (Raw::Codes { codes, levels }, Some((y, _))) => {
                        let mut counts = vec![[0usize; 2]; *levels];
                        for (&code, &yi) in codes.iter().zip(y) {
                            let at = &mut counts[code as usize];
                            at[0] += 1;
                            at[1] += usize::from(yi);
                        }
                        Some(LeakInput::Levels(counts))
                    }
                    (_, None) => None,
                };
                Ok(((spec, raw), leak))
            })
            .collect::<Result<_>>()?;
        let mut leak_auc: HashMap<usize, Option<f64>> = HashMap::new();
        let mut level_outcomes: HashMap<usize, Vec<[usize; 2]>> = HashMap::new();
        let learnt: Vec<Learnt> = feature_columns
            .iter()
            .zip(learnt)
            .map(|(&c, (l, leak))| {
                match leak {
                    Some(LeakInput::Auc(a)) => {
                        leak_auc.insert(c, a);
                    }
                    Some(LeakInput::Levels(counts)) => {
                        level_outcomes.insert(c, counts);
                    }
                    None => {}
                }
                l
            })
            .collect();
        let n = rows.len();
        let levels: Vec<Option<LevelStats>> = learnt
            .par_iter()
            .map(|(_, raw)| match raw {
                Raw::Codes { codes, levels } => Some(level_stats(codes, *levels)),
                Raw::Dense(_) => None,
            })
            .collect();
        let dense_keys: Vec<Vec<Key>> = learnt
            .par_iter()
            .map(|(_, raw)| match raw {
                Raw::Dense(cols) => cols.iter().map(|c| dense_key(c)).collect(),
                Raw::Codes { .. } => Vec::new(),
            })
            .collect();
        let value = |c: Cand, i: usize| -> f64 {
            match (
                c,
                &learnt[match c {
                    Cand::Dense { feature, .. } | Cand::Level { feature, .. } => feature,
                }]
                .1,
            ) {
                (Cand::Dense { slot, .. }, Raw::Dense(cols)) => cols[slot][i],
                (Cand::Level { code, .. }, Raw::Codes { codes, .. }) => {
                    f64::from(u8::from(codes[i] == code))
                }
                _ => unreachable!("a candidate matches its feature's kind"),
            }
        };
        let identical = |a: Cand, b: Cand| match (a, b) {
            (
                Cand::Dense {
                    feature: fa,
                    slot: sa,
                },
                Cand::Dense {
                    feature: fb,
                    slot: sb,
                },
            ) => {
                let (Raw::Dense(ca), Raw::Dense(cb)) = (&learnt[fa].1, &learnt[fb].1) else {
                    unreachable!("dense candidates have dense columns")
                };
                ca[sa] == cb[sb]
            }
            _ => (0..n).all(|i| value(a, i) == value(b, i)),
        };

        let mut dropped = Vec::new();
        let mut kept: Vec<(Cand, String)> = Vec::new();
        let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
        for (f, (spec, raw)) in learnt.iter().enumerate() {
            for (slot, name) in spec.column_names().into_iter().enumerate() {
                let (cand, key, constant) = match raw {
                    Raw::Dense(cols) => {
                        let col = &cols[slot];
                        let constant = col.iter().all(|&v| v == col[0]).then(|| col[0]);
                        let cand = Cand::Dense { feature: f, slot };
                        (cand, dense_keys[f][slot], constant)
                    }
                    Raw::Codes { .. } => {
                        let st = levels[f].as_ref().expect("codes have level stats");
                        let (count, first, mix) = (st.count[slot], st.first[slot], st.mix[slot]);
                        let constant = (count == 0 || count == n).then_some(if count == 0 {
                            0.0
                        } else {
                            1.0
                        });
                        let cand = Cand::Level {
                            feature: f,
                            code: slot as u32,
                        };
                        (cand, Key::Binary { count, first, mix }, constant)
                    }
                };
                if let Some(v) = constant {
                    dropped.push(DroppedColumn {
                        name,
                        reason: format!("constant ({v}) in the training rows"),
                    });
                    continue;
                }
                let twin = by_key
                    .get(&key)
                    .and_then(|ks| ks.iter().find(|&&k| identical(kept[k].0, cand)).copied());
                if let Some(k) = twin {
                    dropped.push(DroppedColumn {
                        name,
                        reason: format!("identical to \"{}\" in the training rows", kept[k].1),
                    });
                    continue;
                }
                by_key.entry(key).or_default().push(kept.len());
                kept.push((cand, name));
            }
        }

        let stats: Vec<(f64, f64)> = kept
            .par_iter()
            .map(|&(cand, _)| match cand {
                Cand::Dense { feature, slot } => {
                    let Raw::Dense(cols) = &learnt[feature].1 else {
                        unreachable!("dense candidates have dense columns")
                    };
                    let col = &cols[slot];
                    let mean = col.iter().sum::<f64>() / n as f64;
                    let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
                    (mean, var.sqrt())
                }
                Cand::Level { feature, code } => {
                    let st = levels[feature].as_ref().expect("codes have level stats");
                    indicator_units(st.count[code as usize], n)
                }
            })
            .collect();

        // Standardise the kept dense columns in place, each on its own task.
        let mut learnt = learnt;
        let units: HashMap<(usize, usize), (f64, f64)> = kept
            .iter()
            .zip(&stats)
            .filter_map(|(&(cand, _), &units)| match cand {
                Cand::Dense { feature, slot } => Some(((feature, slot), units)),
                Cand::Level { .. } => None,
            })
            .collect();
        let mut columns: Vec<(&mut Vec<f64>, (f64, f64))> = Vec::with_capacity(units.len());
        for (f, (_, raw)) in learnt.iter_mut().enumerate() {
            if let Raw::Dense(cols) = raw {
                for (slot, col) in cols.iter_mut().enumerate() {
                    if let Some(&u) = units.get(&(f, slot)) {
                        columns.push((col, u));
                    }
                }
            }
        }
        columns.into_par_iter().for_each(|(col, (mean, scale))| {
            col.iter_mut().for_each(|v| *v = (*v - mean) / scale);
        });

        let mut design = Design::new(n);
        let mut at = 0;
        let mut features = Vec::with_capacity(learnt.len());
        for (f, (spec, raw)) in learnt.into_iter().enumerate() {
            let start = at;
            while at < kept.len() && cand_feature(kept[at].0) == f {
                at += 1;
            }
            let mine = start..at;
            match raw {
                Raw::Dense(mut cols) => {
                    for k in mine {
                        let Cand::Dense { slot, .. } = kept[k].0 else {
                            unreachable!("a dense feature's candidates are dense")
                        };
                        design.push_dense_owned(std::mem::take(&mut cols[slot]))?;
                    }
                }
                Raw::Codes { codes, levels } => {
                    let indicators: Vec<(u32, f64, f64)> = mine
                        .map(|k| {
                            let Cand::Level { code, .. } = kept[k].0 else {
                                unreachable!("a categorical's candidates are levels")
                            };
                            (code, stats[k].0, stats[k].1)
                        })
                        .collect();
                    if !indicators.is_empty() {
                        design.push_categorical(Codes::new(codes, levels), levels, &indicators)?;
                    }
                }
            }
            features.push(spec);
        }
        let columns = kept
            .into_iter()
            .zip(stats)
            .map(|((cand, name), (mean, scale))| {
                let (feature, slot) = match cand {
                    Cand::Dense { feature, slot } => (feature, slot),
                    Cand::Level { feature, code } => (feature, code as usize),
                };
                DesignColumn {
                    name,
                    feature,
                    slot,
                    mean,
                    scale,
                }
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
            leak_auc,
            level_outcomes,
        })
    }
}

fn cand_feature(c: Cand) -> usize {
    match c {
        Cand::Dense { feature, .. } | Cand::Level { feature, .. } => feature,
    }
}

/// Mean and population standard deviation of a 0/1 column with `count` ones in `n` rows:
/// `m = count / n` (as summing the column gives it, exactly) and `sd = sqrt(m (1 - m))`
/// from the two values' squared deviations, which summing `n` terms row by row would only
/// round differently.
pub(crate) fn indicator_units(count: usize, n: usize) -> (f64, f64) {
    let (c, n) = (count as f64, n as f64);
    let mean = c / n;
    let var = (c * (1.0 - mean) * (1.0 - mean) + (n - c) * mean * mean) / n;
    (mean, var.sqrt())
}

fn level_stats(codes: &[u32], levels: usize) -> LevelStats {
    let mut st = LevelStats {
        count: vec![0; levels],
        first: vec![usize::MAX; levels],
        mix: vec![0; levels],
    };
    for (i, &c) in codes.iter().enumerate() {
        let c = c as usize;
        st.count[c] += 1;
        st.first[c] = st.first[c].min(i);
        st.mix[c] = st.mix[c].wrapping_add(mix(i));
    }
    st
}

/// A dense column's key: [`Key::Binary`] over the rows holding 1 when every value is 0 or 1
/// (so that it meets an identical indicator), else a hash of its values.
fn dense_key(col: &[f64]) -> Key {
    if col.iter().all(|&v| v == 0.0 || v == 1.0) {
        let mut key = (0usize, usize::MAX, 0u64);
        for (i, _) in col.iter().enumerate().filter(|(_, &v)| v == 1.0) {
            key = (key.0 + 1, key.1.min(i), key.2.wrapping_add(mix(i)));
        }
        Key::Binary {
            count: key.0,
            first: key.1,
            mix: key.2,
        }
    } else {
        Key::Values(hash_column(col))
    }
}

/// Learns one column's encoding from the training rows and returns its values over them.
fn learn_feature(
    table: &Table,
    c: usize,
    rows: &[usize],
    settings: &EncoderSettings,
) -> Result<(FeatureSpec, Raw)> {
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
            // One hash lookup per row: each distinct text gets a provisional id, counted; the
            // encoding is learnt from the (few) distinct levels and the ids mapped to codes.
            let mut ids: HashMap<&str, u32, BuildFast> = HashMap::default();
            let mut texts: Vec<&str> = Vec::new();
            let row_ids: Vec<u32> = rows
                .iter()
                .map(|&r| {
                    let text = table.value(r, c);
                    *ids.entry(text).or_insert_with(|| {
                        texts.push(text);
                        texts.len() as u32 - 1
                    })
                })
                .collect();
            let mut per_id = vec![0usize; texts.len()];
            for &id in &row_ids {
                per_id[id as usize] += 1;
            }
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for (text, &n) in texts.iter().zip(&per_id) {
                let level = if missing.is_missing(text) {
                    MISSING_LEVEL
                } else {
                    text
                };
                *counts.entry(level).or_default() += n;
            }
            let spec = FeatureSpec {
                column: name.clone(),
                encoding: categorical_encoding(&counts, settings.min_level_count),
            };
            let coder = CategoryCoder::new(&spec).expect("a categorical encoding has a coder");
            // Training levels are all known.
            let code_of: Vec<u32> = texts.iter().map(|t| coder.code(t, missing).0).collect();
            let codes = row_ids.iter().map(|&id| code_of[id as usize]).collect();
            let levels = coder.levels();
            return Ok((spec, Raw::Codes { codes, levels }));
        }
    };
    Ok((
        FeatureSpec {
            column: name.clone(),
            encoding,
        },
        Raw::Dense(raw),
    ))
}
