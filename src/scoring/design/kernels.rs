//! The inner loops of a pass, over one chunk of rows. Each sums in a fixed order (a fixed
//! number of lanes, combined in a fixed way), so results never depend on where a chunk runs.

/// Independent partial sums per dot product: enough to keep the vector units busy (the
/// compiler keeps each lane in a register and vectorises across them).
const LANES: usize = 8;

/// Combines the lanes pairwise, in a fixed order.
#[inline(always)]
fn combine(acc: [f64; LANES], tail: f64) -> f64 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

/// `sum_i a_i b_i`.
#[inline(always)]
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let split = a.len() - a.len() % LANES;
    let mut acc = [0.0; LANES];
    for (x, y) in a[..split]
        .chunks_exact(LANES)
        .zip(b[..split].chunks_exact(LANES))
    {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let tail = a[split..]
        .iter()
        .zip(&b[split..])
        .fold(0.0, |s, (x, y)| s + x * y);
    combine(acc, tail)
}

/// `sum_i a_i`.
#[inline(always)]
pub(super) fn sum(a: &[f64]) -> f64 {
    let split = a.len() - a.len() % LANES;
    let mut acc = [0.0; LANES];
    for x in a[..split].chunks_exact(LANES) {
        for l in 0..LANES {
            acc[l] += x[l];
        }
    }
    combine(acc, a[split..].iter().sum())
}

/// `sum_i a_i b_i` for four `b` at once, reading `a` once: the rank-k update's kernel. Eight
/// lanes per product (two AVX2 vectors), so that eight independent sums are in flight.
#[inline(always)]
pub(super) fn dot4(a: &[f64], b: [&[f64]; 4]) -> [f64; 4] {
    const L: usize = 8;
    let n = a.len();
    debug_assert!(b.iter().all(|c| c.len() == n));
    let split = n - n % L;
    let mut acc = [[0.0; L]; 4];
    for i in (0..split).step_by(L) {
        let x = &a[i..i + L];
        for (q, bq) in b.iter().enumerate() {
            let y = &bq[i..i + L];
            for l in 0..L {
                acc[q][l] += x[l] * y[l];
            }
        }
    }
    let mut out = [0.0; 4];
    for (q, bq) in b.iter().enumerate() {
        let tail = a[split..]
            .iter()
            .zip(&bq[split..])
            .fold(0.0, |s, (x, y)| s + x * y);
        let a = &acc[q];
        out[q] = (((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))) + tail;
    }
    out
}

/// `out_i = a * x_i + out_i`.
#[inline(always)]
pub(super) fn axpy(a: f64, x: &[f64], out: &mut [f64]) {
    debug_assert_eq!(x.len(), out.len());
    out.iter_mut().zip(x).for_each(|(o, &v)| *o += a * v);
}

/// `out_i += table[codes_i]`: a categorical's contribution to the linear predictor.
#[inline(always)]
pub(super) fn gather_add(table: &[f64], codes: &[u32], out: &mut [f64]) {
    debug_assert_eq!(codes.len(), out.len());
    out.iter_mut()
        .zip(codes)
        .for_each(|(o, &c)| *o += table[c as usize]);
}

/// `acc[codes_i * width + q] += rows[i * width + q]` for every `q < width`: per-level sums of
/// several quantities at once, one short contiguous vector per row (`width` a multiple of 4).
#[inline(always)]
pub(super) fn scatter_add_rows(acc: &mut [f64], width: usize, codes: &[u32], rows: &[f64]) {
    debug_assert_eq!(codes.len() * width, rows.len());
    debug_assert_eq!(width % 4, 0);
    for (&c, row) in codes.iter().zip(rows.chunks_exact(width)) {
        let at = c as usize * width;
        for (dst, src) in acc[at..at + width]
            .chunks_exact_mut(4)
            .zip(row.chunks_exact(4))
        {
            for l in 0..4 {
                dst[l] += src[l];
            }
        }
    }
}

/// `acc[a_i * width + b_i] += v_i`: a weighted contingency table of two categoricals.
#[inline(always)]
pub(super) fn scatter_add_pair(acc: &mut [f64], width: usize, a: &[u32], b: &[u32], v: &[f64]) {
    debug_assert!(a.len() == v.len() && b.len() == v.len());
    for ((&ca, &cb), &x) in a.iter().zip(b).zip(v) {
        acc[ca as usize * width + cb as usize] += x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_agree_with_plain_loops() {
        for n in [0usize, 1, 3, 7, 8, 9, 31, 1024] {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<Vec<f64>> = (0..4)
                .map(|q| (0..n).map(|i| (i as f64 * 0.11 + q as f64).cos()).collect())
                .collect();
            let plain = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(u, v)| u * v).sum::<f64>();
            let tol = 1e-13 * (n as f64).max(1.0);
            assert!((dot(&a, &b[0]) - plain(&a, &b[0])).abs() < tol);
            assert!((sum(&a) - a.iter().sum::<f64>()).abs() < tol);
            let four = dot4(&a, [&b[0], &b[1], &b[2], &b[3]]);
            for q in 0..4 {
                assert!((four[q] - plain(&a, &b[q])).abs() < tol, "{n} {q}");
            }
        }
        let mut acc = vec![0.0; 6];
        let rows: Vec<f64> = (1..=12).map(f64::from).collect();
        let mut wide = vec![0.0; 8];
        scatter_add_rows(&mut wide, 4, &[1, 0, 1], &rows);
        assert_eq!(wide, vec![5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 14.0, 16.0]);
        scatter_add_pair(&mut acc, 3, &[0, 1, 1], &[2, 0, 0], &[1.0, 2.0, 0.5]);
        assert_eq!(acc, vec![0.0, 0.0, 1.0, 2.5, 0.0, 0.0]);
        let mut out = vec![1.0, 1.0];
        gather_add(&[10.0, 20.0], &[1, 0], &mut out);
        assert_eq!(out, vec![21.0, 11.0]);
    }
}
