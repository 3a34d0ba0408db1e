//! One Newton pass over a [`Design`]: the loss, the gradient `[1, X]'(y - mu)` and the Hessian
//! `[1, X]' W [1, X]` in the standardised coordinates, from sums over the stored columns.
//!
//! Per chunk of rows the pass sums, with `w` the IRLS weights and `r = y - mu`:
//! `sum w`, `sum r`; per dense column `sum w z`, `sum r z` and, for each pair of dense columns,
//! `sum w z z'` (a symmetric rank-k update: one triangle, mirrored at the end); per level of a
//! categorical `sum w` and `sum r` (its own block of the raw Hessian is diagonal); per level and
//! dense column `sum w z`; per pair of categoricals the weighted contingency table. That is
//! `O(d^2 + d k + k^2)` work per row for `d` dense and `k` categorical columns. The standardised
//! Hessian follows by the affine map of standardisation: for design columns `a`, `b` with raw
//! sums `X_ab = sum w u_a u_b`, `A_a = sum w u_a` and means and scales `m`, `s` (0 and 1 for a
//! dense column, stored standardised already),
//! `H_ab = (X_ab - m_b A_a - m_a A_b + m_a m_b sum w) / (s_a s_b)`: `O(p^2)` after the pass.
//! Dense columns are stored standardised rather than raw because the map would cancel digits
//! for a column whose mean is large against its spread (log revenue: mean 15, sd 1.5); for an
//! indicator it cannot cancel much, since no level but the reference holds more than half the
//! rows.

use ndarray::{Array1, Array2, ArrayView1};

use super::kernels::{dot, dot4, scatter_add, scatter_add_pair, sum};
use super::predict::Predictor;
use super::reduce::{leaf_count, leaf_range, leaf_rows, reduce};
use super::{Column, Design};

/// Rows per chunk inside a leaf: a chunk's dense values and scratch stay in L2 cache between
/// the loops that read them. Fixed, since it fixes the summation order.
const CHUNK_ROWS: usize = 1024;

/// A row whose linear predictor exceeds this in magnitude has a fitted probability within
/// 1e-13 of 0 or 1 (the dense solver's threshold).
const EXTREME_ETA: f64 = 30.0;

/// Sums over all rows at one coefficient vector, as the dense solver's pass returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct PassStats {
    /// Summed negative log likelihood.
    pub loss: f64,
    /// Gradient of the log likelihood, `[1, X]' (y - mu)`, intercept first (empty unless the
    /// pass was full).
    pub grad: Array1<f64>,
    /// `[1, X]' W [1, X]`, exactly symmetric (empty unless the pass was full).
    pub hess: Array2<f64>,
    /// `max_i |[1, x_i] . step|`: how far the step that led here moved any linear predictor.
    pub max_step_eta: f64,
    /// Rows with `|eta| > 30`.
    pub n_extreme: usize,
}

impl Design {
    /// One pass at `beta` (standardised coordinates, intercept first). `step`, if given, is the
    /// step that led to `beta`, for [`PassStats::max_step_eta`]. Without `full` only the loss
    /// and the counters are computed. Bit-identical for any number of threads.
    ///
    /// # Panics
    /// If `y` does not have one value per row, or `beta` (or `step`) one per column plus one.
    pub fn pass(
        &self,
        y: &[bool],
        beta: ArrayView1<f64>,
        step: Option<ArrayView1<f64>>,
        full: bool,
    ) -> PassStats {
        self.pass_with_leaves(y, beta, step, full, None)
    }

    /// [`Design::pass`] with the leaf size chosen by the caller (tests use small leaves to get
    /// many of them on few rows).
    pub(super) fn pass_with_leaves(
        &self,
        y: &[bool],
        beta: ArrayView1<f64>,
        step: Option<ArrayView1<f64>>,
        full: bool,
        leaf: Option<usize>,
    ) -> PassStats {
        assert_eq!(y.len(), self.rows, "pass: y has {} values", y.len());
        let pred = Predictor::new(self, beta);
        let step_pred = step.map(|s| Predictor::new(self, s));
        let layout = Layout::new(self);
        let leaf_rows = leaf.unwrap_or_else(|| leaf_rows(layout.len));
        let n_leaves = leaf_count(self.rows, leaf_rows);
        let ctx = Context {
            design: self,
            layout: &layout,
        };
        let sums = reduce(
            0,
            n_leaves,
            &|b| {
                let rows = leaf_range(b, self.rows, leaf_rows);
                ctx.newton_leaf(y, &pred, step_pred.as_ref(), full, rows)
            },
            &Leaf::merge,
        );
        let (grad, hess) = if full {
            ctx.assemble(&sums.sums)
        } else {
            (Array1::zeros(0), Array2::zeros((0, 0)))
        };
        PassStats {
            loss: sums.loss,
            grad,
            hess,
            max_step_eta: sums.max_step_eta,
            n_extreme: sums.n_extreme,
        }
    }

    /// `[1, X]'[1, X]` in standardised coordinates (a pass with unit weights): the Gram matrix
    /// collinearity detection works from, `(p + 1) x (p + 1)`, intercept first.
    pub(super) fn unit_gram(&self, leaf: Option<usize>) -> Array2<f64> {
        let layout = Layout::new(self);
        let leaf_rows = leaf.unwrap_or_else(|| leaf_rows(layout.len));
        let ctx = Context {
            design: self,
            layout: &layout,
        };
        let sums = reduce(
            0,
            leaf_count(self.rows, leaf_rows),
            &|b| ctx.unit_leaf(leaf_range(b, self.rows, leaf_rows)),
            &Leaf::merge,
        );
        ctx.assemble(&sums.sums).1
    }
}

/// Where each group of sums sits in a leaf's flat buffer (one buffer, so that merging two
/// leaves is one vectorised addition).
struct Layout {
    d: usize,
    levels: Vec<usize>,
    dense_w: usize,
    dense_r: usize,
    /// `d x d`, row-major; only `[j][k]` with `k <= j` is summed.
    dense_dd: usize,
    level_w: Vec<usize>,
    level_r: Vec<usize>,
    /// Per categorical, `d x levels`: `[k][code]` is `sum w z_k` over the level's rows.
    level_dense: Vec<usize>,
    /// `(a, b, offset)` for `a < b`: `levels_a x levels_b`, row-major.
    pairs: Vec<(usize, usize, usize)>,
    len: usize,
}

/// `sum w` and `sum r` sit at the start of every leaf's buffer.
const SUM_W: usize = 0;
const SUM_R: usize = 1;

impl Layout {
    fn new(design: &Design) -> Layout {
        let d = design.dense_count();
        let levels: Vec<usize> = design.categoricals.iter().map(|c| c.levels).collect();
        let mut len = 2;
        let mut take = |n: usize| {
            let at = len;
            len += n;
            at
        };
        let dense_w = take(d);
        let dense_r = take(d);
        let dense_dd = take(d * d);
        let level_w = levels.iter().map(|&l| take(l)).collect();
        let level_r = levels.iter().map(|&l| take(l)).collect();
        let level_dense = levels.iter().map(|&l| take(d * l)).collect();
        let mut pairs = Vec::new();
        for a in 0..levels.len() {
            for b in a + 1..levels.len() {
                pairs.push((a, b, take(levels[a] * levels[b])));
            }
        }
        Layout {
            d,
            levels,
            dense_w,
            dense_r,
            dense_dd,
            level_w,
            level_r,
            level_dense,
            pairs,
            len,
        }
    }

    /// Offset of the contingency table of categoricals `a < b`.
    fn pair(&self, a: usize, b: usize) -> usize {
        self.pairs
            .iter()
            .find(|&&(pa, pb, _)| pa == a && pb == b)
            .map(|&(_, _, o)| o)
            .expect("every pair of categoricals has a table")
    }
}

/// One leaf's sums.
struct Leaf {
    loss: f64,
    max_step_eta: f64,
    n_extreme: usize,
    sums: Vec<f64>,
}

impl Leaf {
    fn merge(mut self, other: Leaf) -> Leaf {
        self.loss += other.loss;
        self.max_step_eta = self.max_step_eta.max(other.max_step_eta);
        self.n_extreme += other.n_extreme;
        self.sums
            .iter_mut()
            .zip(&other.sums)
            .for_each(|(a, b)| *a += b);
        self
    }
}

/// Per-chunk scratch, allocated once per leaf.
struct Scratch {
    eta: Vec<f64>,
    step_eta: Vec<f64>,
    w: Vec<f64>,
    r: Vec<f64>,
    t: Vec<f64>,
    codes: Vec<Vec<u32>>,
}

impl Scratch {
    fn new(k: usize) -> Scratch {
        Scratch {
            eta: vec![0.0; CHUNK_ROWS],
            step_eta: vec![0.0; CHUNK_ROWS],
            w: vec![0.0; CHUNK_ROWS],
            r: vec![0.0; CHUNK_ROWS],
            t: vec![0.0; CHUNK_ROWS],
            codes: vec![vec![0; CHUNK_ROWS]; k],
        }
    }
}

struct Context<'a> {
    design: &'a Design,
    layout: &'a Layout,
}

impl Context<'_> {
    fn newton_leaf(
        &self,
        y: &[bool],
        pred: &Predictor,
        step: Option<&Predictor>,
        full: bool,
        rows: std::ops::Range<usize>,
    ) -> Leaf {
        let design = self.design;
        let mut leaf = Leaf {
            loss: 0.0,
            max_step_eta: 0.0,
            n_extreme: 0,
            sums: vec![0.0; if full { self.layout.len } else { 0 }],
        };
        let mut s = Scratch::new(design.categoricals.len());
        for lo in rows.clone().step_by(CHUNK_ROWS) {
            let m = CHUNK_ROWS.min(rows.end - lo);
            for (cat, out) in design.categoricals.iter().zip(&mut s.codes) {
                cat.codes.copy_to(lo, &mut out[..m]);
            }
            pred.eval(design, lo, &s.codes, &mut s.eta[..m]);
            if let Some(sp) = step {
                sp.eval(design, lo, &s.codes, &mut s.step_eta[..m]);
                leaf.max_step_eta = s.step_eta[..m]
                    .iter()
                    .fold(leaf.max_step_eta, |a, v| a.max(v.abs()));
            }
            for i in 0..m {
                let eta = s.eta[i];
                let abs_eta = eta.abs();
                leaf.n_extreme += usize::from(abs_eta > EXTREME_ETA);
                // ex = exp(-|eta|) serves the loss, the probability and the weight without
                // overflow; the loss is softplus(-eta) for a positive row, softplus(eta) else.
                let ex = (-abs_eta).exp();
                let yi = y[lo + i];
                let t = if yi { -eta } else { eta };
                leaf.loss += t.max(0.0) + ex.ln_1p();
                if full {
                    let denom = 1.0 + ex;
                    let (mu, one_minus_mu) = if eta >= 0.0 {
                        (1.0 / denom, ex / denom)
                    } else {
                        (ex / denom, 1.0 / denom)
                    };
                    s.r[i] = if yi { one_minus_mu } else { -mu };
                    s.w[i] = mu * one_minus_mu;
                }
            }
            if full {
                self.accumulate(lo, m, &mut s, &mut leaf.sums);
            }
        }
        leaf
    }

    /// The sums of a pass with unit weights and zero residuals (the Gram matrix).
    fn unit_leaf(&self, rows: std::ops::Range<usize>) -> Leaf {
        let mut leaf = Leaf {
            loss: 0.0,
            max_step_eta: 0.0,
            n_extreme: 0,
            sums: vec![0.0; self.layout.len],
        };
        let mut s = Scratch::new(self.design.categoricals.len());
        s.w.fill(1.0);
        s.r.fill(0.0);
        for lo in rows.clone().step_by(CHUNK_ROWS) {
            let m = CHUNK_ROWS.min(rows.end - lo);
            for (cat, out) in self.design.categoricals.iter().zip(&mut s.codes) {
                cat.codes.copy_to(lo, &mut out[..m]);
            }
            self.accumulate(lo, m, &mut s, &mut leaf.sums);
        }
        leaf
    }

    /// Adds one chunk's weighted sums (rows `lo..lo + m`, weights `s.w`, residuals `s.r`).
    fn accumulate(&self, lo: usize, m: usize, s: &mut Scratch, sums: &mut [f64]) {
        let (design, lay) = (self.design, self.layout);
        let (w, r, t) = (&s.w[..m], &s.r[..m], &mut s.t[..m]);
        sums[SUM_W] += sum(w);
        sums[SUM_R] += sum(r);
        let d = lay.d;
        let col = |k: usize| &design.dense_column(k)[lo..lo + m];
        for j in 0..d {
            let zj = col(j);
            t.iter_mut()
                .zip(w)
                .zip(zj)
                .for_each(|((t, &w), &z)| *t = w * z);
            sums[lay.dense_w + j] += sum(t);
            sums[lay.dense_r + j] += dot(r, zj);
            // Row j of the lower triangle: columns 0..=j, four at a time.
            let row = &mut sums[lay.dense_dd + j * d..lay.dense_dd + j * d + j + 1];
            let mut k = 0;
            while k + 4 <= j + 1 {
                let four = dot4(t, [col(k), col(k + 1), col(k + 2), col(k + 3)]);
                for q in 0..4 {
                    row[k + q] += four[q];
                }
                k += 4;
            }
            for (kk, v) in row.iter_mut().enumerate().skip(k) {
                *v += dot(t, col(kk));
            }
            for (c, codes) in s.codes.iter().enumerate() {
                let l = lay.levels[c];
                let at = lay.level_dense[c] + j * l;
                scatter_add(&mut sums[at..at + l], &codes[..m], t);
            }
        }
        for (c, codes) in s.codes.iter().enumerate() {
            let l = lay.levels[c];
            let (aw, ar) = (lay.level_w[c], lay.level_r[c]);
            scatter_add(&mut sums[aw..aw + l], &codes[..m], w);
            scatter_add(&mut sums[ar..ar + l], &codes[..m], r);
        }
        for &(a, b, at) in &lay.pairs {
            let size = lay.levels[a] * lay.levels[b];
            scatter_add_pair(
                &mut sums[at..at + size],
                lay.levels[b],
                &s.codes[a][..m],
                &s.codes[b][..m],
                w,
            );
        }
    }

    /// Gradient and Hessian in standardised coordinates from a pass's raw sums (see the module
    /// documentation for the map).
    fn assemble(&self, sums: &[f64]) -> (Array1<f64>, Array2<f64>) {
        let (design, lay) = (self.design, self.layout);
        let p = design.ncols();
        // Per design column: mean, scale, raw sum w u, raw sum r u.
        let info: Vec<(f64, f64, f64, f64)> = design
            .columns
            .iter()
            .map(|col| match *col {
                Column::Dense(k) => (0.0, 1.0, sums[lay.dense_w + k], sums[lay.dense_r + k]),
                Column::Level { categorical, code } => {
                    let ind = design.categoricals[categorical].indicators[code as usize]
                        .expect("a design column has an indicator");
                    let c = code as usize;
                    (
                        ind.mean,
                        ind.scale,
                        sums[lay.level_w[categorical] + c],
                        sums[lay.level_r[categorical] + c],
                    )
                }
            })
            .collect();
        let (sw, sr) = (sums[SUM_W], sums[SUM_R]);
        let mut grad = Array1::<f64>::zeros(p + 1);
        let mut hess = Array2::<f64>::zeros((p + 1, p + 1));
        grad[0] = sr;
        hess[[0, 0]] = sw;
        for (a, &(ma, sa, wa, ra)) in info.iter().enumerate() {
            grad[a + 1] = (ra - ma * sr) / sa;
            hess[[a + 1, 0]] = (wa - ma * sw) / sa;
            for (b, &(mb, sb, wb, _)) in info.iter().enumerate().take(a + 1) {
                let x = self.raw_cross(sums, design.columns[a], design.columns[b]);
                hess[[a + 1, b + 1]] = (x - mb * wa - ma * wb + ma * mb * sw) / (sa * sb);
            }
        }
        for a in 0..=p {
            for b in 0..a {
                hess[[b, a]] = hess[[a, b]];
            }
        }
        (grad, hess)
    }

    /// `sum w u_a u_b` over the raw (unstandardised) columns.
    fn raw_cross(&self, sums: &[f64], a: Column, b: Column) -> f64 {
        let lay = self.layout;
        match (a, b) {
            (Column::Dense(i), Column::Dense(k)) => {
                let (hi, lo) = (i.max(k), i.min(k));
                sums[lay.dense_dd + hi * lay.d + lo]
            }
            (Column::Dense(k), Column::Level { categorical, code })
            | (Column::Level { categorical, code }, Column::Dense(k)) => {
                sums[lay.level_dense[categorical] + k * lay.levels[categorical] + code as usize]
            }
            (
                Column::Level {
                    categorical: ca,
                    code: la,
                },
                Column::Level {
                    categorical: cb,
                    code: lb,
                },
            ) => {
                if ca == cb {
                    // A row has one level: the categorical's own block is diagonal.
                    if la == lb {
                        sums[lay.level_w[ca] + la as usize]
                    } else {
                        0.0
                    }
                } else {
                    let ((a, la), (b, lb)) = if ca < cb {
                        ((ca, la), (cb, lb))
                    } else {
                        ((cb, lb), (ca, la))
                    };
                    sums[lay.pair(a, b) + la as usize * lay.levels[b] + lb as usize]
                }
            }
        }
    }
}
