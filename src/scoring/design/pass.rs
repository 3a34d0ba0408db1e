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

use super::kernels::{dot, dot4, scatter_add_pair, scatter_add_rows, sum};
use super::predict::Predictor;
use super::reduce::{leaf_count, leaf_range, leaf_rows, reduce};
use super::{Column, Design};

/// Rows per chunk inside a leaf: a chunk's dense values and scratch stay in L2 cache between
/// the loops that read them. Fixed, since it fixes the summation order.
const CHUNK_ROWS: usize = 1024;

/// A row whose linear predictor exceeds this in magnitude has a fitted probability within
/// 1e-13 of 0 or 1 (the dense solver's threshold).
pub(super) const EXTREME_ETA: f64 = 30.0;

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
        match leaf {
            None => self
                .gram
                .0
                .get_or_init(|| self.unit_gram_pass(None))
                .clone(),
            Some(_) => self.unit_gram_pass(leaf),
        }
    }

    fn unit_gram_pass(&self, leaf: Option<usize>) -> Array2<f64> {
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
    /// Per categorical, `levels x width`, row-major: row `code` holds the level's `sum w`,
    /// `sum r`, then `sum w z_k` for each dense column `k`, then zeros up to `width`. One
    /// contiguous row per level, so that a row of data adds one short vector per categorical.
    level: Vec<usize>,
    /// `d + 2` rounded up to a multiple of 4, so that a level's row is whole vectors.
    width: usize,
    /// `(a, b, offset)` for `a < b`: `levels_a x levels_b`, row-major.
    pairs: Vec<(usize, usize, usize)>,
    len: usize,
}

/// Lanes of a level's row of sums (four doubles: one AVX2 vector).
const ROW_LANES: usize = 4;

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
        let width = (d + 2).next_multiple_of(ROW_LANES);
        let level = levels.iter().map(|&l| take(l * width)).collect();
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
            level,
            width,
            pairs,
            len,
        }
    }

    /// Offset of the sums of level `code` of categorical `c`.
    fn level_row(&self, c: usize, code: u32) -> usize {
        self.level[c] + code as usize * self.width
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
    ex: Vec<f64>,
    w: Vec<f64>,
    r: Vec<f64>,
    t: Vec<f64>,
    /// Row-major `CHUNK_ROWS x width`: per row `w`, `r`, `w z_k` (then zeros), when there are
    /// categoricals to add them to.
    rows: Vec<f64>,
    codes: Vec<Vec<u32>>,
}

impl Scratch {
    fn new(width: usize, k: usize) -> Scratch {
        Scratch {
            eta: vec![0.0; CHUNK_ROWS],
            step_eta: vec![0.0; CHUNK_ROWS],
            ex: vec![0.0; CHUNK_ROWS],
            w: vec![0.0; CHUNK_ROWS],
            r: vec![0.0; CHUNK_ROWS],
            t: vec![0.0; CHUNK_ROWS],
            rows: vec![0.0; if k > 0 { CHUNK_ROWS * width } else { 0 }],
            codes: vec![vec![0; CHUNK_ROWS]; k],
        }
    }
}

/// Whether the AVX2 builds of the chunk loops can run. They are compiled twice, for baseline
/// x86-64 (SSE2) and with AVX2, and chosen at run time; the results are bit-identical, since
/// every sum's order is fixed by the code (its lanes) and Rust never fuses a multiply and an
/// add on its own: AVX2 only handles four lanes per instruction where SSE2 handles two.
pub(crate) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// One chunk's inputs.
struct Chunk<'a> {
    y: &'a [bool],
    pred: &'a Predictor,
    step: Option<&'a Predictor>,
    full: bool,
    lo: usize,
    m: usize,
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
        let mut s = Scratch::new(self.layout.width, design.categoricals.len());
        let avx2 = has_avx2();
        for lo in rows.clone().step_by(CHUNK_ROWS) {
            let m = CHUNK_ROWS.min(rows.end - lo);
            let chunk = Chunk {
                y,
                pred,
                step,
                full,
                lo,
                m,
            };
            if avx2 {
                // SAFETY: the CPU supports AVX2 (`has_avx2`).
                #[cfg(target_arch = "x86_64")]
                unsafe {
                    self.newton_chunk_avx2(&chunk, &mut s, &mut leaf)
                };
            } else {
                self.newton_chunk(&chunk, &mut s, &mut leaf);
            }
        }
        leaf
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn newton_chunk_avx2(&self, c: &Chunk, s: &mut Scratch, leaf: &mut Leaf) {
        self.newton_chunk(c, s, leaf);
    }

    /// One chunk of a Newton pass: linear predictors, loss and counters, then (if full) the
    /// weights, residuals and their sums.
    #[inline(always)]
    fn newton_chunk(&self, c: &Chunk, s: &mut Scratch, leaf: &mut Leaf) {
        let (design, lo, m) = (self.design, c.lo, c.m);
        for (cat, out) in design.categoricals.iter().zip(&mut s.codes) {
            cat.codes.copy_to(lo, &mut out[..m]);
        }
        c.pred.eval(design, lo, &s.codes, &mut s.eta[..m]);
        if let Some(sp) = c.step {
            sp.eval(design, lo, &s.codes, &mut s.step_eta[..m]);
            leaf.max_step_eta = s.step_eta[..m]
                .iter()
                .fold(leaf.max_step_eta, |a, v| a.max(v.abs()));
        }
        // ex = exp(-|eta|) serves the loss, the probability and the weight without overflow.
        for (e, &eta) in s.ex[..m].iter_mut().zip(&s.eta[..m]) {
            *e = (-eta.abs()).exp();
        }
        let y = &c.y[lo..lo + m];
        for ((&eta, &ex), &yi) in s.eta[..m].iter().zip(&s.ex[..m]).zip(y) {
            leaf.n_extreme += usize::from(eta.abs() > EXTREME_ETA);
            // The loss is softplus(-eta) for a positive row, softplus(eta) for a negative one.
            let t = if yi { -eta } else { eta };
            leaf.loss += t.max(0.0) + ex.ln_1p();
        }
        if c.full {
            let rows = s.eta[..m].iter().zip(&s.ex[..m]).zip(y);
            for (((&eta, &ex), &yi), (r, w)) in rows.zip(s.r.iter_mut().zip(s.w.iter_mut())) {
                let denom = 1.0 + ex;
                // sigmoid(eta) and sigmoid(-eta), each without cancellation.
                let (mu, one_minus_mu) = if eta >= 0.0 {
                    (1.0 / denom, ex / denom)
                } else {
                    (ex / denom, 1.0 / denom)
                };
                *r = if yi { one_minus_mu } else { -mu };
                *w = mu * one_minus_mu;
            }
            self.accumulate_any(lo, m, s, &mut leaf.sums);
        }
    }

    /// The sums of a pass with unit weights and zero residuals (the Gram matrix).
    fn unit_leaf(&self, rows: std::ops::Range<usize>) -> Leaf {
        let mut leaf = Leaf {
            loss: 0.0,
            max_step_eta: 0.0,
            n_extreme: 0,
            sums: vec![0.0; self.layout.len],
        };
        let mut s = Scratch::new(self.layout.width, self.design.categoricals.len());
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

    /// [`Self::accumulate_any`], with AVX2 when the CPU has it.
    fn accumulate(&self, lo: usize, m: usize, s: &mut Scratch, sums: &mut [f64]) {
        if has_avx2() {
            // SAFETY: the CPU supports AVX2 (`has_avx2`).
            #[cfg(target_arch = "x86_64")]
            unsafe {
                self.accumulate_avx2(lo, m, s, sums)
            };
        } else {
            self.accumulate_any(lo, m, s, sums);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn accumulate_avx2(&self, lo: usize, m: usize, s: &mut Scratch, sums: &mut [f64]) {
        self.accumulate_any(lo, m, s, sums);
    }

    /// Adds one chunk's weighted sums (rows `lo..lo + m`, weights `s.w`, residuals `s.r`).
    #[inline(always)]
    fn accumulate_any(&self, lo: usize, m: usize, s: &mut Scratch, sums: &mut [f64]) {
        let (design, lay) = (self.design, self.layout);
        let (w, r, t) = (&s.w[..m], &s.r[..m], &mut s.t[..m]);
        sums[SUM_W] += sum(w);
        sums[SUM_R] += sum(r);
        let d = lay.d;
        let width = lay.width;
        let cats = !s.codes.is_empty();
        // Without categoricals there is no per-row scratch (see `Scratch::new`).
        let rows = &mut s.rows[..if cats { m * width } else { 0 }];
        if cats {
            for (i, row) in rows.chunks_exact_mut(width).enumerate() {
                row[0] = w[i];
                row[1] = r[i];
            }
        }
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
            if cats {
                for (row, &v) in rows.chunks_exact_mut(width).zip(t.iter()) {
                    row[2 + j] = v;
                }
            }
        }
        for (c, codes) in s.codes.iter().enumerate() {
            let at = lay.level[c];
            let table = &mut sums[at..at + lay.levels[c] * width];
            scatter_add_rows(table, width, &codes[..m], rows);
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
                    let at = lay.level_row(categorical, code);
                    (ind.mean, ind.scale, sums[at], sums[at + 1])
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
                sums[lay.level_row(categorical, code) + 2 + k]
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
                        sums[lay.level_row(ca, la)]
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
