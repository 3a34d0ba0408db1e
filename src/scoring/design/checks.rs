//! What the pre-fit checks need, from the codes: the Gram matrix collinearity detection works
//! from, and per-class value ranges (from per-level outcome counts) for the single-feature
//! separation check. Neither builds a dense column.

use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::{Column, Design};

/// Outcome counts per code of one categorical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelCounts {
    /// Rows with `y = false`, by code.
    pub negative: Vec<usize>,
    /// Rows with `y = true`, by code.
    pub positive: Vec<usize>,
}

/// Per-class minimum and maximum of every standardised design column, as the dense separation
/// check computes them (`[0]`: rows with `y = false`, `[1]`: `y = true`; an empty class has
/// `+inf` / `-inf`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassRanges {
    pub min: [Vec<f64>; 2],
    pub max: [Vec<f64>; 2],
    /// Rows with `y = true`.
    pub positives: usize,
    pub rows: usize,
}

impl Design {
    /// Column means and the centred Gram matrix `(X - 1 m')'(X - 1 m)` of the standardised
    /// design (`p x p`, no intercept), from one pass with unit weights: what collinearity
    /// detection needs. Bit-identical for any number of threads.
    pub fn centred_gram(&self) -> (Array1<f64>, Array2<f64>) {
        self.centred_gram_with_leaves(None)
    }

    pub(super) fn centred_gram_with_leaves(
        &self,
        leaf: Option<usize>,
    ) -> (Array1<f64>, Array2<f64>) {
        let p = self.ncols();
        let h = self.unit_gram(leaf);
        let n = self.rows as f64;
        let sums = h.row(0).slice(ndarray::s![1..]).to_owned();
        let mean = if self.rows > 0 {
            &sums / n
        } else {
            sums.clone()
        };
        let mut gram = h.slice(ndarray::s![1.., 1..]).to_owned();
        // Standardised columns have means of rounding size, so removing them cancels nothing.
        for a in 0..p {
            for b in 0..p {
                gram[[a, b]] -= sums[a] * mean[b];
            }
        }
        // Exactly symmetric, as the sums it came from.
        for a in 0..p {
            for b in 0..a {
                gram[[b, a]] = gram[[a, b]];
            }
        }
        (mean, gram)
    }

    /// Outcome counts per level, for every categorical.
    ///
    /// # Panics
    /// If `y` does not have one value per row.
    pub fn level_counts(&self, y: &[bool]) -> Vec<LevelCounts> {
        assert_eq!(y.len(), self.rows, "level_counts: y has {} values", y.len());
        self.categoricals
            .par_iter()
            .map(|cat| {
                let mut counts = [vec![0usize; cat.levels], vec![0usize; cat.levels]];
                for (i, &yi) in y.iter().enumerate() {
                    counts[usize::from(yi)][cat.codes.get(i) as usize] += 1;
                }
                let [negative, positive] = counts;
                LevelCounts { negative, positive }
            })
            .collect()
    }

    /// Per-class ranges of every design column: dense columns scanned, indicators from
    /// [`Design::level_counts`] (a class has the value `(1 - mean) / scale` when some row of
    /// the level is in it, and `(0 - mean) / scale` when some row of another level is).
    ///
    /// # Panics
    /// If `y` does not have one value per row.
    pub fn class_ranges(&self, y: &[bool]) -> ClassRanges {
        let counts = self.level_counts(y);
        let positives = y.iter().filter(|&&v| v).count();
        let totals = [self.rows - positives, positives];
        let dense: Vec<[(f64, f64); 2]> = (0..self.dense_count())
            .into_par_iter()
            .map(|k| {
                // Values are finite (`push_dense` checks), so plain comparisons are the min and
                // max; each class in its own lanes, selected without a branch, so the loop
                // vectorises.
                const L: usize = 4;
                let (inf, ninf) = (f64::INFINITY, f64::NEG_INFINITY);
                let mut acc = [[inf; L], [ninf; L], [inf; L], [ninf; L]];
                let col = self.dense_column(k);
                let split = col.len() - col.len() % L;
                let see = |acc: &mut [[f64; L]; 4], l: usize, v: f64, yi: bool| {
                    let (neg, pos) = if yi { (inf, v) } else { (v, inf) };
                    let (neg_hi, pos_hi) = if yi { (ninf, v) } else { (v, ninf) };
                    acc[0][l] = if neg < acc[0][l] { neg } else { acc[0][l] };
                    acc[1][l] = if neg_hi > acc[1][l] {
                        neg_hi
                    } else {
                        acc[1][l]
                    };
                    acc[2][l] = if pos < acc[2][l] { pos } else { acc[2][l] };
                    acc[3][l] = if pos_hi > acc[3][l] {
                        pos_hi
                    } else {
                        acc[3][l]
                    };
                };
                for (x, yy) in col[..split].chunks_exact(L).zip(y[..split].chunks_exact(L)) {
                    for l in 0..L {
                        see(&mut acc, l, x[l], yy[l]);
                    }
                }
                for (&v, &yi) in col[split..].iter().zip(&y[split..]) {
                    see(&mut acc, 0, v, yi);
                }
                let fold = |a: &[f64; L], f: fn(f64, f64) -> f64, start: f64| {
                    a.iter().fold(start, |m, &v| f(m, v))
                };
                [
                    (fold(&acc[0], f64::min, inf), fold(&acc[1], f64::max, ninf)),
                    (fold(&acc[2], f64::min, inf), fold(&acc[3], f64::max, ninf)),
                ]
            })
            .collect();
        let p = self.ncols();
        let mut out = ClassRanges {
            min: [vec![f64::INFINITY; p], vec![f64::INFINITY; p]],
            max: [vec![f64::NEG_INFINITY; p], vec![f64::NEG_INFINITY; p]],
            positives,
            rows: self.rows,
        };
        for (j, col) in self.columns.iter().enumerate() {
            for class in 0..2 {
                let (lo, hi) = match *col {
                    Column::Dense(k) => dense[k][class],
                    Column::Level { categorical, code } => {
                        let ind = self.categoricals[categorical].indicators[code as usize]
                            .expect("a design column has an indicator");
                        let c = &counts[categorical];
                        let on = [c.negative[code as usize], c.positive[code as usize]][class];
                        let mut r = (f64::INFINITY, f64::NEG_INFINITY);
                        let mut see = |v: f64| r = (r.0.min(v), r.1.max(v));
                        if on > 0 {
                            see((1.0 - ind.mean) / ind.scale);
                        }
                        if totals[class] > on {
                            see((0.0 - ind.mean) / ind.scale);
                        }
                        r
                    }
                };
                out.min[class][j] = lo;
                out.max[class][j] = hi;
            }
        }
        out
    }
}
