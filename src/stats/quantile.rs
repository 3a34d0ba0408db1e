//! Quantiles and medians. Every quantile in leadsim is the same estimator: linear
//! interpolation between order statistics at position `q (n - 1)` (type 7, the default of R
//! and NumPy), so a percentile reads the same in the simulator's metrics, the reports and the
//! score bands.

/// Quantile `q` of ascending `sorted` values.
///
/// ```
/// use leadsim::stats::quantile_sorted;
/// assert_eq!(quantile_sorted(&[10.0, 20.0, 30.0, 40.0, 50.0], 0.1), 14.0);
/// ```
///
/// # Panics
/// If `sorted` is empty or `q` is not in `[0, 1]`.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty(), "quantile of no values");
    assert!(
        (0.0..=1.0).contains(&q),
        "quantile level {q} is not in [0, 1]"
    );
    debug_assert!(
        sorted.windows(2).all(|w| w[0] <= w[1]),
        "quantile input not sorted"
    );
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    // Returning the order statistic itself on an exact hit avoids 0 * inf = NaN.
    if frac == 0.0 {
        return sorted[lo];
    }
    sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
}

/// Quantile `q` of unsorted values, NaN when there are none. Reorders `x` (a partial
/// selection, linear time), so it suits one or two quantiles of a large sample.
pub fn quantile_in_place(x: &mut [f64], q: f64) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let h = (x.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, &mut a, rest) = x.select_nth_unstable_by(lo, f64::total_cmp);
    if rest.is_empty() {
        return a;
    }
    let b = rest.iter().copied().fold(f64::INFINITY, f64::min);
    a + (h - lo as f64) * (b - a)
}

/// Quantile `q` of the finite values of `x` (NaN and infinities left out), NaN when there are
/// none.
pub fn quantile_of_finite(x: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, q)
}

/// The values at ascending ranks `ranks` (strictly increasing, each below `x.len()`) of `x` in
/// [`f64::total_cmp`] order: exactly what sorting `x` and reading those positions gives, in
/// linear time per rank (successive selections, each on what lies above the previous rank).
/// Reorders `x`.
pub fn order_statistics(x: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(ranks.len());
    let (mut rest, mut base) = (x, 0usize);
    for &r in ranks {
        assert!(r >= base && r - base < rest.len(), "ranks must increase");
        let (_, &mut v, above) = rest.select_nth_unstable_by(r - base, f64::total_cmp);
        out.push(v);
        base = r + 1;
        rest = above;
    }
    out
}

/// Type 7 quantiles at levels `qs` of unsorted `x`, bit for bit what [`quantile_sorted`] gives
/// on `x` sorted, from a few order statistics instead of a full sort. Reorders `x`.
///
/// # Panics
/// As [`quantile_sorted`].
pub fn quantiles_by_selection(x: &mut [f64], qs: &[f64]) -> Vec<f64> {
    assert!(!x.is_empty(), "quantile of no values");
    let mut ranks: Vec<usize> = qs
        .iter()
        .flat_map(|&q| quantile_ranks(x.len(), q))
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    let values = order_statistics(x, &ranks);
    quantiles_at_ranks(x.len(), qs, |r| {
        values[ranks.binary_search(&r).expect("rank selected")]
    })
}

/// Type 7 quantiles at levels `qs` of `n` values whose `r`-th smallest ([`f64::total_cmp`]
/// order) is `at(r)`: what [`quantile_sorted`] gives, bit for bit, when `at` reads a sorted
/// slice. `at` is asked only for the ranks the levels fall between.
///
/// # Panics
/// As [`quantile_sorted`].
pub fn quantiles_at_ranks(n: usize, qs: &[f64], at: impl Fn(usize) -> f64) -> Vec<f64> {
    assert!(n > 0, "quantile of no values");
    qs.iter()
        .map(|&q| {
            assert!(
                (0.0..=1.0).contains(&q),
                "quantile level {q} is not in [0, 1]"
            );
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let frac = h - lo as f64;
            if frac == 0.0 {
                return at(lo);
            }
            at(lo) + frac * (at(lo + 1) - at(lo))
        })
        .collect()
}

/// The ranks type 7 quantile `q` of `n` values reads: one on an exact hit, else two.
fn quantile_ranks(n: usize, q: f64) -> impl Iterator<Item = usize> {
    assert!(
        (0.0..=1.0).contains(&q),
        "quantile level {q} is not in [0, 1]"
    );
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    std::iter::once(lo).chain((h - lo as f64 != 0.0).then_some(lo + 1))
}

/// Median as [`median`] computes it, from one or two selections instead of a sort: the same
/// value bit for bit. Reorders `values`.
pub fn median_by_selection(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    Some(if n % 2 == 1 {
        order_statistics(values, &[mid])[0]
    } else {
        let v = order_statistics(values, &[mid - 1, mid]);
        (v[0] + v[1]) / 2.0
    })
}

/// Median, the mean of the two middle values for an even count; `None` for no values. Sorts
/// `values` in place.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_quantiles_interpolate_order_statistics() {
        // Reference values: R's quantile(x, type = 7).
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            [0.0, 0.25, 0.5, 1.0].map(|q| quantile_sorted(&x, q)),
            [1.0, 1.75, 2.5, 4.0]
        );
        assert_eq!(quantile_sorted(&[10.0, 20.0, 30.0, 40.0, 50.0], 0.1), 14.0);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
        assert_eq!(quantile_sorted(&[1.0, f64::INFINITY], 0.0), 1.0);
    }

    #[test]
    fn in_place_quantiles_agree_with_sorted_ones() {
        let mut x = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile_in_place(&mut x, 0.5), 2.5);
        assert_eq!(quantile_in_place(&mut x, 0.9), 3.7);
        assert_eq!(quantile_in_place(&mut x, 1.0), 4.0);
        assert_eq!(quantile_in_place(&mut [7.0], 0.9), 7.0);
        assert!(quantile_in_place(&mut [], 0.5).is_nan());
        // Bit for bit the same estimator as the sorted version, on awkward values.
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let v: Vec<f64> = (0..1001)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 53) as f64 * 37.0
            })
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.0, 0.1, 0.5, 0.9, 0.999, 1.0] {
            let mut w = v.clone();
            assert_eq!(
                quantile_in_place(&mut w, q).to_bits(),
                quantile_sorted(&sorted, q).to_bits()
            );
        }
    }

    #[test]
    fn quantiles_at_ranks_read_a_sorted_slice_as_quantile_sorted_does() {
        let sorted = [-2.0, 0.5, 0.5, 1.25, 3.0, 8.0, 13.0];
        let qs = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0];
        let want: Vec<u64> = qs
            .iter()
            .map(|&q| quantile_sorted(&sorted, q).to_bits())
            .collect();
        let got: Vec<u64> = quantiles_at_ranks(sorted.len(), &qs, |r| sorted[r])
            .iter()
            .map(|v| v.to_bits())
            .collect();
        assert_eq!(got, want);
        // Only the ranks the levels fall between are read.
        let read = std::cell::RefCell::new(Vec::new());
        quantiles_at_ranks(101, &[0.5, 0.255], |r| {
            read.borrow_mut().push(r);
            r as f64
        });
        let mut read = read.into_inner();
        read.sort_unstable();
        read.dedup();
        assert_eq!(read, [25, 26, 50]);
    }

    #[test]
    fn finite_quantiles_skip_undefined_values() {
        assert_eq!(quantile_of_finite(&[3.0, 1.0, 2.0, f64::NAN], 0.5), 2.0);
        assert_eq!(quantile_of_finite(&[0.0, 10.0], 0.1), 1.0);
        assert!(quantile_of_finite(&[], 0.5).is_nan());
        assert!(quantile_of_finite(&[f64::NAN], 0.5).is_nan());
    }

    #[test]
    fn selection_gives_the_sorted_answers_bit_for_bit() {
        // Awkward values: ties, both zeros, infinities, a wide range of exponents.
        let mut s: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for n in [1usize, 2, 3, 4, 10, 101, 1000, 4001] {
            let v: Vec<f64> = (0..n)
                .map(|_| match next() % 7 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => f64::INFINITY,
                    3 => (next() % 5) as f64,
                    _ => ((next() >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 1e3,
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let qs = [0.0, 0.25, 0.5, 1.0 / 3.0, 0.75, 0.999, 1.0];
            let got = quantiles_by_selection(&mut v.clone(), &qs);
            for (q, g) in qs.iter().zip(&got) {
                let want = quantile_sorted(&sorted, *q);
                assert!(
                    g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                    "n={n} q={q}"
                );
            }
            let ranks: Vec<usize> = (0..n).step_by(7).collect();
            let stats = order_statistics(&mut v.clone(), &ranks);
            for (r, x) in ranks.iter().zip(&stats) {
                assert_eq!(x.to_bits(), sorted[*r].to_bits(), "n={n} rank {r}");
            }
            let want = median(&mut v.clone()).unwrap();
            let got = median_by_selection(&mut v.clone()).unwrap();
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "n={n}"
            );
        }
        assert_eq!(median_by_selection(&mut []), None);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut []), None);
    }
}
