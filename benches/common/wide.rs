//! The wide CRM shape of issue 12, generated straight into a [`Design`] (no CSV), seeded: 8
//! numeric columns, 4 yes/no, 5 categoricals of 25, 60, 126, 200 and 320 levels, 738
//! coefficients besides the intercept. The same generator logic as `benches/compare_fit.py`'s
//! `make_wide` (level `k` of `L` drawn with probability proportional to `1 / sqrt(k + 1)`,
//! level effects N(0, 0.4^2) with level 0 at 0, fixed effects for numbers and flags, the
//! numbers rounded to the 6 decimals the CSV holds), drawn with ChaCha8 instead of numpy, and
//! encoded as leadsim's encoder does: numbers and flags standardised, the most frequent level
//! of each categorical the reference, every other level a standardised indicator.

use leadsim::scoring::design::{Codes, Design};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson, StandardNormal};

/// Levels of the five categoricals.
pub const WIDE_LEVELS: [usize; 5] = [25, 60, 126, 200, 320];

/// A dense input column: values and its true effect (per unit, on the centred value).
fn numeric(rng: &mut ChaCha8Rng, rows: usize, j: usize) -> Vec<f64> {
    let round6 = |v: f64| (v * 1e6).round() / 1e6;
    match j {
        0..=3 => (0..rows)
            .map(|_| round6(rng.sample::<f64, _>(StandardNormal)))
            .collect(),
        4 => {
            let d = Normal::new(15.0, 1.5).unwrap();
            (0..rows).map(|_| round6(d.sample(rng))).collect()
        }
        5 => {
            let d = Normal::new(4.0, 1.2).unwrap();
            (0..rows).map(|_| round6(d.sample(rng))).collect()
        }
        _ => {
            let d = Poisson::new(if j == 6 { 6.0 } else { 3.0 }).unwrap();
            (0..rows).map(|_| d.sample(rng)).collect()
        }
    }
}

/// `(x - mean) / sd` with the population sd, as the encoder standardises.
fn standardise(x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let s = (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt();
    x.iter().map(|v| (v - m) / s).collect()
}

/// A categorical of `levels` levels with a long tail: returns its level per row.
fn levels_of(rng: &mut ChaCha8Rng, rows: usize, levels: usize) -> Vec<usize> {
    let cdf: Vec<f64> = (0..levels)
        .scan(0.0, |acc, k| {
            *acc += 1.0 / ((k + 1) as f64).sqrt();
            Some(*acc)
        })
        .collect();
    let total = cdf[levels - 1];
    (0..rows)
        .map(|_| {
            let u = rng.gen::<f64>() * total;
            cdf.partition_point(|&c| c <= u).min(levels - 1)
        })
        .collect()
}

/// Adds a categorical as the encoder would: most frequent level as reference (ties: the
/// smallest, which is also the lexically smallest name), the other levels in name order.
fn push_categorical(design: &mut Design, level: &[usize], levels: usize) {
    let n = level.len();
    let mut count = vec![0usize; levels];
    level.iter().for_each(|&l| count[l] += 1);
    let reference = (0..levels)
        .max_by_key(|&k| (count[k], usize::MAX - k))
        .unwrap();
    // Code = position among the non-reference levels; the reference takes the last code.
    let code_of = |k: usize| match k.cmp(&reference) {
        std::cmp::Ordering::Less => k,
        std::cmp::Ordering::Equal => levels - 1,
        std::cmp::Ordering::Greater => k - 1,
    };
    let codes: Vec<u32> = level.iter().map(|&k| code_of(k) as u32).collect();
    let indicators: Vec<(u32, f64, f64)> = (0..levels)
        .filter(|&k| k != reference && count[k] > 0)
        .map(|k| {
            let m = count[k] as f64 / n as f64;
            let c = count[k] as f64;
            let var = (c * (1.0 - m) * (1.0 - m) + (n as f64 - c) * m * m) / n as f64;
            (code_of(k) as u32, m, var.sqrt())
        })
        .collect();
    design
        .push_categorical(Codes::new(codes, levels), levels, &indicators)
        .unwrap();
}

/// The wide design and its outcomes for `rows` leads.
pub fn wide_design(rows: usize, seed: u64) -> (Design, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut eta = vec![-1.9; rows];
    let num_beta = [0.45, 0.3, -0.25, 0.35, 0.08, -0.1, 0.04, 0.06];
    let nums: Vec<Vec<f64>> = (0..8).map(|j| numeric(&mut rng, rows, j)).collect();
    for (x, b) in nums.iter().zip(num_beta) {
        let m = x.iter().sum::<f64>() / rows as f64;
        eta.iter_mut().zip(x).for_each(|(e, v)| *e += b * (v - m));
    }
    let flag_p = [0.1, 0.25, 0.4, 0.6];
    let flag_beta = [0.9, 0.6, 0.3, -0.4];
    let flags: Vec<Vec<f64>> = flag_p
        .iter()
        .map(|&p| {
            (0..rows)
                .map(|_| f64::from(u8::from(rng.gen::<f64>() < p)))
                .collect()
        })
        .collect();
    for (x, b) in flags.iter().zip(flag_beta) {
        eta.iter_mut().zip(x).for_each(|(e, v)| *e += b * v);
    }
    let effect = Normal::new(0.0, 0.4).unwrap();
    let cats: Vec<Vec<usize>> = WIDE_LEVELS
        .iter()
        .map(|&levels| {
            let level = levels_of(&mut rng, rows, levels);
            let mut effects: Vec<f64> = (0..levels).map(|_| effect.sample(&mut rng)).collect();
            effects[0] = 0.0;
            eta.iter_mut()
                .zip(&level)
                .for_each(|(e, &l)| *e += effects[l]);
            level
        })
        .collect();
    let y = eta
        .iter()
        .map(|&e| rng.gen::<f64>() < 1.0 / (1.0 + (-e).exp()))
        .collect();
    // File order of compare_fit.py: 4 numbers, 2 flags, 3 categoricals, 4 numbers, 2 flags,
    // 2 categoricals.
    let mut design = Design::new(rows);
    let dense = |d: &mut Design, x: &[f64]| {
        d.push_dense(&standardise(x)).unwrap();
    };
    nums[..4].iter().for_each(|x| dense(&mut design, x));
    flags[..2].iter().for_each(|x| dense(&mut design, x));
    for c in 0..3 {
        push_categorical(&mut design, &cats[c], WIDE_LEVELS[c]);
    }
    nums[4..].iter().for_each(|x| dense(&mut design, x));
    flags[2..].iter().for_each(|x| dense(&mut design, x));
    for c in 3..5 {
        push_categorical(&mut design, &cats[c], WIDE_LEVELS[c]);
    }
    (design, y)
}

/// Where a pass is evaluated: the intercept at the base rate's log-odds and every coefficient
/// small but non-zero, as in the middle of a fit (a zero coefficient would skip work).
pub fn point(design: &Design, y: &[bool]) -> ndarray::Array1<f64> {
    let ybar = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
    (0..=design.ncols())
        .map(|j| {
            if j == 0 {
                (ybar / (1.0 - ybar)).ln()
            } else {
                0.05 * (j as f64).sin()
            }
        })
        .collect()
}
