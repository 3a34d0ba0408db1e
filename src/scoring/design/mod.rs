//! A design matrix that keeps categoricals as what they are.
//!
//! Numeric design columns (numbers, yes/no, missing indicators) are stored densely, already
//! standardised, column after column in one buffer; each categorical input column is one
//! integer code per row, the index of its level. No `n x p` one-hot block exists anywhere: a
//! categorical with 320 levels costs two bytes per row instead of 320 doubles.
//!
//! The coefficients are those of the standardised design the solver has always used: every
//! design column `j`, dense or a level's indicator `u_j`, enters as `(x_j - mean_j) / scale_j`
//! with the training mean and population standard deviation. For an indicator that is
//! `(u_j - mean_j) / scale_j`, so the Newton pass ([`Design::pass`]) sums weights per level,
//! per pair of levels and per level and dense column over the raw indicators, and maps those
//! sums to the standardised coordinates afterwards, in `O(p^2)`. A pass costs
//! `O(n (d + k)^2)` for `d` dense and `k` categorical columns instead of `O(n p^2)`.
//!
//! Codes follow the encoder ([`crate::scoring::encode`]): code `i < levels.len()` is the
//! encoder's `levels[i]` (including `(other)` and `(missing)` when they are levels), and the
//! last code, `levels.len()`, is the reference level, which also takes folded levels when
//! `(other)` is not a level and, at scoring time, unseen ones. A level whose indicator column
//! was dropped (constant, duplicated, collinear) keeps its code and acts like the reference.
//!
//! **Invariant:** every sum over rows is taken over fixed blocks of rows combined in a fixed
//! tree, so results are bit-identical for any number of threads.

mod build;
mod checks;
mod hat;
mod kernels;
mod pass;
mod predict;
pub(crate) mod reduce;
mod start;
#[cfg(test)]
mod tests;

pub use build::{CategoryCoder, FromEncoder};
pub use checks::{ClassRanges, LevelCounts};
pub use hat::HatSums;
pub(crate) use pass::has_avx2;
pub use pass::PassStats;

use ndarray::Array2;

use crate::error::{Error, Result};

/// One code per row, in the narrowest type that holds every code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Codes {
    /// Up to 65,536 levels.
    U16(Vec<u16>),
    /// More levels.
    U32(Vec<u32>),
}

impl Codes {
    /// Stores `codes` as [`Codes::U16`] when `levels` allows it.
    pub fn new(codes: Vec<u32>, levels: usize) -> Codes {
        if levels <= usize::from(u16::MAX) + 1 {
            // Every code is below `levels`, checked when the design takes the column.
            Codes::U16(codes.into_iter().map(|c| c as u16).collect())
        } else {
            Codes::U32(codes)
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Codes::U16(v) => v.len(),
            Codes::U32(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The code of `row`.
    pub fn get(&self, row: usize) -> u32 {
        match self {
            Codes::U16(v) => u32::from(v[row]),
            Codes::U32(v) => v[row],
        }
    }

    /// Writes the codes of rows `lo..lo + out.len()` into `out`.
    pub(crate) fn copy_to(&self, lo: usize, out: &mut [u32]) {
        let hi = lo + out.len();
        match self {
            Codes::U16(v) => out
                .iter_mut()
                .zip(&v[lo..hi])
                .for_each(|(o, &c)| *o = u32::from(c)),
            Codes::U32(v) => out.copy_from_slice(&v[lo..hi]),
        }
    }

    /// The codes of `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> Codes {
        match self {
            Codes::U16(v) => Codes::U16(rows.iter().map(|&r| v[r]).collect()),
            Codes::U32(v) => Codes::U32(rows.iter().map(|&r| v[r]).collect()),
        }
    }

    fn max(&self) -> Option<u32> {
        match self {
            Codes::U16(v) => v.iter().max().map(|&c| u32::from(c)),
            Codes::U32(v) => v.iter().max().copied(),
        }
    }
}

/// A level's indicator column: where it sits in the design and how it was standardised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicator {
    /// Index of the design column (0-based, intercept not counted).
    pub column: usize,
    /// Training mean of the 0/1 indicator (the level's share of the training rows).
    pub mean: f64,
    /// Training population standard deviation of the indicator, never zero.
    pub scale: f64,
}

/// A categorical input column.
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    codes: Codes,
    /// Every code is below this.
    levels: usize,
    /// Per code, its indicator column; `None` for the reference and for levels whose column
    /// was dropped, which both act as the reference.
    indicators: Vec<Option<Indicator>>,
}

impl Categorical {
    /// The rows' codes.
    pub fn codes(&self) -> &Codes {
        &self.codes
    }

    /// Number of codes (levels, reference included).
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// The indicator column of `code`, if it has one.
    pub fn indicator(&self, code: u32) -> Option<&Indicator> {
        self.indicators.get(code as usize)?.as_ref()
    }

    /// Every code's indicator column, by code.
    pub fn indicators(&self) -> &[Option<Indicator>] {
        &self.indicators
    }
}

/// Where a design column's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Dense column `k` (its position among the dense columns).
    Dense(usize),
    /// The indicator of `code` of categorical `categorical`.
    Level { categorical: usize, code: u32 },
}

/// A standardised design of `rows` rows: dense columns and categoricals, in design order. See
/// the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    rows: usize,
    /// Dense columns, standardised (`rows` values each); each its own allocation, so that the
    /// encoder's columns move in without a copy.
    dense: Vec<Vec<f64>>,
    categoricals: Vec<Categorical>,
    /// Every design column, in design (coefficient) order.
    columns: Vec<Column>,
    /// `[1, X]'[1, X]` once collinearity detection has computed it: the Newton start's
    /// Hessian up to a constant weight ([`Design::start_pass`]).
    gram: GramCache,
}

/// A computed-once Gram matrix. Not part of a design's value: two designs with the same
/// columns are equal whether or not either has computed it.
#[derive(Debug, Clone, Default)]
struct GramCache(std::sync::OnceLock<Array2<f64>>);

impl PartialEq for GramCache {
    fn eq(&self, _: &GramCache) -> bool {
        true
    }
}

impl Design {
    /// A design of `rows` rows with no columns yet (an intercept-only model).
    pub fn new(rows: usize) -> Design {
        Design {
            rows,
            dense: Vec::new(),
            categoricals: Vec::new(),
            columns: Vec::new(),
            gram: GramCache::default(),
        }
    }

    /// Appends a dense design column of standardised values and returns its design index.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `values` does not have one value per row or holds a
    /// non-finite value.
    pub fn push_dense(&mut self, values: &[f64]) -> Result<usize> {
        self.push_dense_owned(values.to_vec())
    }

    /// As [`Design::push_dense`], taking the values without copying them.
    ///
    /// # Errors
    /// As [`Design::push_dense`].
    pub fn push_dense_owned(&mut self, values: Vec<f64>) -> Result<usize> {
        let j = self.columns.len();
        if values.len() != self.rows {
            return Err(invalid(
                j,
                format!("{} values", values.len()),
                format!("the design has {} rows", self.rows),
            ));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(invalid(
                j,
                values[i].to_string(),
                format!("row {i} (0-based) is not finite"),
            ));
        }
        self.columns.push(Column::Dense(self.dense.len()));
        self.dense.push(values);
        self.gram = GramCache::default();
        Ok(j)
    }

    /// Appends a categorical whose codes are all below `levels`, and one design column for each
    /// `(code, mean, scale)` of `indicators`, in that order. Returns the categorical's index.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a length other than the number of rows, a code at or
    /// above `levels`, an indicator code listed twice or out of range, or a scale that is not a
    /// positive finite number.
    pub fn push_categorical(
        &mut self,
        codes: Codes,
        levels: usize,
        indicators: &[(u32, f64, f64)],
    ) -> Result<usize> {
        let first = self.columns.len();
        if codes.len() != self.rows {
            return Err(invalid(
                first,
                format!("{} codes", codes.len()),
                format!("the design has {} rows", self.rows),
            ));
        }
        if let Some(max) = codes.max().filter(|&m| m as usize >= levels) {
            return Err(invalid(
                first,
                max.to_string(),
                format!("a code at or above the number of levels ({levels})"),
            ));
        }
        let c = self.categoricals.len();
        let mut slots = vec![None; levels];
        for (i, &(code, mean, scale)) in indicators.iter().enumerate() {
            let j = first + i;
            let slot = slots.get_mut(code as usize).ok_or_else(|| {
                invalid(
                    j,
                    code.to_string(),
                    format!("indicator code at or above the number of levels ({levels})"),
                )
            })?;
            if slot.is_some() {
                return Err(invalid(
                    j,
                    code.to_string(),
                    "indicator code listed twice".into(),
                ));
            }
            if !(scale > 0.0 && scale.is_finite() && mean.is_finite()) {
                return Err(invalid(
                    j,
                    format!("mean {mean}, scale {scale}"),
                    "needs a finite mean and a positive finite scale".into(),
                ));
            }
            *slot = Some(Indicator {
                column: j,
                mean,
                scale,
            });
        }
        self.columns
            .extend(indicators.iter().map(|&(code, _, _)| Column::Level {
                categorical: c,
                code,
            }));
        self.categoricals.push(Categorical {
            codes,
            levels,
            indicators: slots,
        });
        self.gram = GramCache::default();
        Ok(c)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of design columns (coefficients besides the intercept).
    pub fn ncols(&self) -> usize {
        self.columns.len()
    }

    /// Every design column, in design order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Number of dense columns.
    pub fn dense_count(&self) -> usize {
        self.dense.len()
    }

    /// Dense column `k`'s standardised values.
    pub fn dense_column(&self, k: usize) -> &[f64] {
        &self.dense[k]
    }

    /// The categoricals.
    pub fn categoricals(&self) -> &[Categorical] {
        &self.categoricals
    }

    /// Standardised value of design column `j` at `row`, computed as the dense encoder does
    /// (`(u - mean) / scale` for an indicator), so that it is bit-identical to it.
    pub fn value(&self, row: usize, j: usize) -> f64 {
        match self.columns[j] {
            Column::Dense(k) => self.dense[k][row],
            Column::Level { categorical, code } => {
                let cat = &self.categoricals[categorical];
                let ind = cat.indicators[code as usize].expect("a design column has an indicator");
                let u = f64::from(u8::from(cat.codes.get(row) == code));
                (u - ind.mean) / ind.scale
            }
        }
    }

    /// The design as a dense, row-major `rows x ncols` matrix of standardised values, exactly
    /// as the dense encoder builds it. Costs `rows * ncols` doubles: meant for `--solver lbfgs`
    /// (whose linfa implementation needs a matrix) and for tests, never for the Newton path.
    pub fn to_dense(&self) -> Array2<f64> {
        let p = self.ncols();
        let mut x = Array2::<f64>::zeros((self.rows, p));
        for (j, col) in self.columns.iter().enumerate() {
            let mut xj = x.column_mut(j);
            match *col {
                Column::Dense(k) => xj
                    .iter_mut()
                    .zip(self.dense_column(k))
                    .for_each(|(o, &v)| *o = v),
                Column::Level { categorical, code } => {
                    let cat = &self.categoricals[categorical];
                    let ind = cat.indicators[code as usize].expect("a design column has one");
                    let on = (1.0 - ind.mean) / ind.scale;
                    let off = (0.0 - ind.mean) / ind.scale;
                    for (i, o) in xj.iter_mut().enumerate() {
                        *o = if cat.codes.get(i) == code { on } else { off };
                    }
                }
            }
        }
        x
    }

    /// The design restricted to `rows` (in that order), with the same standardised values:
    /// the means and scales stay those of the whole design (what cross-validation inside
    /// the training rows needs).
    ///
    /// # Panics
    /// If a row is out of range.
    pub fn select_rows(&self, rows: &[usize]) -> Design {
        let dense = self
            .dense
            .iter()
            .map(|col| rows.iter().map(|&r| col[r]).collect())
            .collect();
        Design {
            rows: rows.len(),
            dense,
            categoricals: self
                .categoricals
                .iter()
                .map(|c| Categorical {
                    codes: c.codes.select(rows),
                    levels: c.levels,
                    indicators: c.indicators.clone(),
                })
                .collect(),
            columns: self.columns.clone(),
            gram: GramCache::default(),
        }
    }

    /// Removes the design columns at `indices` (design order; e.g. collinear ones). A dropped
    /// dense column's values are freed; a dropped indicator's level acts as the reference from
    /// then on. Later columns move up.
    pub fn drop_columns(&mut self, indices: &[usize]) {
        if indices.is_empty() {
            return;
        }
        // The Gram matrix of the columns that stay is the same rows and columns of the old one.
        if let Some(old) = self.gram.0.take() {
            let keep: Vec<usize> = std::iter::once(0)
                .chain(
                    (0..self.columns.len())
                        .filter(|j| !indices.contains(j))
                        .map(|j| j + 1),
                )
                .collect();
            let sub =
                Array2::from_shape_fn((keep.len(), keep.len()), |(a, b)| old[[keep[a], keep[b]]]);
            self.gram.0.set(sub).expect("just emptied");
        }
        let mut old_dense: Vec<Option<Vec<f64>>> = std::mem::take(&mut self.dense)
            .into_iter()
            .map(Some)
            .collect();
        let old_columns = std::mem::take(&mut self.columns);
        for (j, col) in old_columns.into_iter().enumerate() {
            let dropped = indices.contains(&j);
            match col {
                Column::Dense(k) => {
                    let values = old_dense[k].take().expect("a dense column is listed once");
                    if !dropped {
                        self.columns.push(Column::Dense(self.dense.len()));
                        self.dense.push(values);
                    }
                }
                Column::Level { categorical, code } => {
                    let slot = &mut self.categoricals[categorical].indicators[code as usize];
                    if dropped {
                        *slot = None;
                    } else {
                        if let Some(ind) = slot.as_mut() {
                            ind.column = self.columns.len();
                        }
                        self.columns.push(col);
                    }
                }
            }
        }
    }
}

fn invalid(column: usize, value: String, reason: String) -> Error {
    Error::InvalidParameter {
        name: format!("design column {column}"),
        value,
        reason,
    }
}
