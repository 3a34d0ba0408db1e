//! The design's pass, predictions and checks against a dense reference computed naively from
//! the dense standardised design, on designs with the awkward cases of real CRM data.

use linfa::traits::Fit;
use linfa::Dataset;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::*;
use crate::data::{CsvOptions, MissingTokens, Table};
use crate::scoring::encode::{Encoder, EncoderSettings, FeatureEncoding, FeatureSpec, RowEncoder};
use crate::scoring::solver::LogisticParams;

/// Agreement of two evaluations of the same sums in different orders. Each side sums at most
/// `n <= 4,000` rows, so its rounding error is at most about `n * 1.1e-16 = 4.4e-13` times the
/// sum of the terms' magnitudes (the worst case; typical errors are ~1e-15). The scales used
/// bound that sum: `sqrt(H_aa H_bb)` for `H_ab` (Cauchy-Schwarz), `sum |r x_a|` for `g_a`.
const PASS_TOL: f64 = 1e-12;

/// How a categorical's level frequencies look.
#[derive(Clone, Copy)]
enum Levels {
    /// Level `k` of `n` with weight `1 / sqrt(k + 1)`: a long tail, as in CRM data.
    Tail(usize),
    /// One level holds nearly every row; each of the other `n - 1` has one to three rows.
    AllButOneRare(usize),
}

/// Draws codes; returns them with the number of levels.
fn draw_codes(rng: &mut ChaCha8Rng, rows: usize, levels: Levels) -> (Vec<u32>, usize) {
    match levels {
        Levels::Tail(l) => {
            let w: Vec<f64> = (0..l).map(|k| 1.0 / ((k + 1) as f64).sqrt()).collect();
            let total: f64 = w.iter().sum();
            let codes = (0..rows)
                .map(|_| {
                    let mut u = rng.gen::<f64>() * total;
                    let mut k = 0;
                    while k + 1 < l && u >= w[k] {
                        u -= w[k];
                        k += 1;
                    }
                    k as u32
                })
                .collect();
            (codes, l)
        }
        Levels::AllButOneRare(l) => {
            let mut codes = vec![0u32; rows];
            let mut at = 0;
            for k in 1..l {
                for _ in 0..rng.gen_range(1..=3) {
                    codes[at] = k as u32;
                    at += 1;
                }
            }
            // Spread the rare rows over the file.
            for i in (1..rows).rev() {
                codes.swap(i, rng.gen_range(0..=i));
            }
            (codes, l)
        }
    }
}

/// Adds a categorical as the encoder would: the most frequent code is the reference (no
/// column), every other code with rows gets a standardised indicator.
fn push_encoded(design: &mut Design, codes: Vec<u32>, levels: usize) {
    let n = codes.len();
    let mut count = vec![0usize; levels];
    codes.iter().for_each(|&c| count[c as usize] += 1);
    let reference = (0..levels)
        .max_by_key(|&k| (count[k], usize::MAX - k))
        .unwrap();
    let indicators: Vec<(u32, f64, f64)> = (0..levels)
        .filter(|&k| k != reference && count[k] > 0)
        .map(|k| {
            let m = count[k] as f64 / n as f64;
            let var = (count[k] as f64 * (1.0 - m) * (1.0 - m) + (n - count[k]) as f64 * m * m)
                / n as f64;
            (k as u32, m, var.sqrt())
        })
        .collect();
    design
        .push_categorical(Codes::new(codes, levels), levels, &indicators)
        .unwrap();
}

/// Standardises a column (training mean, population sd).
fn standardise(x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let s = (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt();
    x.iter().map(|v| (v - m) / s).collect()
}

/// A design with `dense` numeric columns (one with a large mean, as log revenue has), a 0/1
/// flag, the given categoricals (each `Some(levels)`, or `None` for an exact copy of the
/// previous one), and outcomes from a logistic model with level effects.
fn random_design(
    seed: u64,
    rows: usize,
    dense: usize,
    cats: &[Option<Levels>],
) -> (Design, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut design = Design::new(rows);
    let mut eta = vec![-1.0; rows];
    for k in 0..dense {
        let offset = if k == 1 { 15.0 } else { 0.0 };
        let x: Vec<f64> = (0..rows)
            .map(|_| offset + rng.sample::<f64, _>(StandardNormal))
            .collect();
        let b = 0.3 * (k as f64 + 1.0).sin();
        eta.iter_mut()
            .zip(&x)
            .for_each(|(e, v)| *e += b * (v - offset));
        design.push_dense(&standardise(&x)).unwrap();
    }
    let flag: Vec<f64> = (0..rows)
        .map(|_| f64::from(u8::from(rng.gen::<f64>() < 0.3)))
        .collect();
    eta.iter_mut().zip(&flag).for_each(|(e, v)| *e += 0.7 * v);
    design.push_dense(&standardise(&flag)).unwrap();
    let mut previous: Option<(Vec<u32>, usize)> = None;
    for spec in cats {
        let (codes, levels) = match spec {
            Some(l) => draw_codes(&mut rng, rows, *l),
            None => previous.clone().expect("a copy needs an original"),
        };
        let effects: Vec<f64> = (0..levels)
            .map(|_| 0.4 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        eta.iter_mut()
            .zip(&codes)
            .for_each(|(e, &c)| *e += effects[c as usize]);
        previous = Some((codes.clone(), levels));
        push_encoded(&mut design, codes, levels);
    }
    let y = eta
        .iter()
        .map(|&e| rng.gen::<f64>() < 1.0 / (1.0 + (-e).exp()))
        .collect();
    (design, y)
}

/// Coefficients for a pass: moderate random values (probabilities away from 0 and 1).
fn random_beta(seed: u64, p: usize) -> Array1<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..=p)
        .map(|_| 0.2 * rng.sample::<f64, _>(StandardNormal))
        .collect()
}

/// The dense pass, naively: every entry of `[1, X]' W [1, X]` summed row by row.
struct Reference {
    stats: PassStats,
    /// `sum_i |r_i x_ia|`, the scale of each gradient entry's terms.
    grad_scale: Array1<f64>,
}

fn reference(
    x: &Array2<f64>,
    y: &[bool],
    beta: &Array1<f64>,
    step: Option<&Array1<f64>>,
) -> Reference {
    let p = x.ncols();
    let mut loss = 0.0;
    let mut grad = Array1::<f64>::zeros(p + 1);
    let mut grad_scale = Array1::<f64>::zeros(p + 1);
    let mut hess = Array2::<f64>::zeros((p + 1, p + 1));
    let (mut max_step_eta, mut n_extreme) = (0.0f64, 0usize);
    let mut z = vec![1.0; p + 1];
    for (xi, &yi) in x.rows().into_iter().zip(y) {
        z[1..].iter_mut().zip(xi).for_each(|(o, &v)| *o = v);
        let eta: f64 = z.iter().zip(beta).map(|(a, b)| a * b).sum();
        if let Some(s) = step {
            let se: f64 = z.iter().zip(s).map(|(a, b)| a * b).sum();
            max_step_eta = max_step_eta.max(se.abs());
        }
        n_extreme += usize::from(eta.abs() > 30.0);
        // Rare levels standardise to large values (a level with 1 row in 3,000 becomes 55), so
        // some rows have |eta| > 20: the naive -ln(1 - mu) would lose digits there.
        let t = if yi { -eta } else { eta };
        loss += if t > 0.0 {
            t + (-t).exp().ln_1p()
        } else {
            t.exp().ln_1p()
        };
        let e = (-eta.abs()).exp();
        let (mu, one_minus_mu) = if eta >= 0.0 {
            (1.0 / (1.0 + e), e / (1.0 + e))
        } else {
            (e / (1.0 + e), 1.0 / (1.0 + e))
        };
        let r = if yi { one_minus_mu } else { -mu };
        let w = mu * one_minus_mu;
        for a in 0..=p {
            grad[a] += r * z[a];
            grad_scale[a] += (r * z[a]).abs();
            for b in 0..=p {
                hess[[a, b]] += w * z[a] * z[b];
            }
        }
    }
    Reference {
        stats: PassStats {
            loss,
            grad,
            hess,
            max_step_eta,
            n_extreme,
        },
        grad_scale,
    }
}

fn assert_agrees(ours: &PassStats, r: &Reference, what: &str) {
    let rs = &r.stats;
    assert!(
        (ours.loss - rs.loss).abs() <= PASS_TOL * rs.loss,
        "{what}: loss {} vs {}",
        ours.loss,
        rs.loss
    );
    assert_eq!(ours.n_extreme, rs.n_extreme, "{what}");
    assert!(
        (ours.max_step_eta - rs.max_step_eta).abs() <= PASS_TOL * (1.0 + rs.max_step_eta),
        "{what}: max step eta {} vs {}",
        ours.max_step_eta,
        rs.max_step_eta
    );
    let q = rs.grad.len();
    assert_eq!((ours.grad.len(), ours.hess.dim()), (q, (q, q)), "{what}");
    for a in 0..q {
        let err = (ours.grad[a] - rs.grad[a]).abs();
        assert!(
            err <= PASS_TOL * r.grad_scale[a],
            "{what}: grad[{a}] {} vs {} (scale {})",
            ours.grad[a],
            rs.grad[a],
            r.grad_scale[a]
        );
        for b in 0..q {
            let scale = (rs.hess[[a, a]] * rs.hess[[b, b]]).sqrt();
            let err = (ours.hess[[a, b]] - rs.hess[[a, b]]).abs();
            assert!(
                err <= PASS_TOL * scale,
                "{what}: hess[{a},{b}] {} vs {} (scale {scale})",
                ours.hess[[a, b]],
                rs.hess[[a, b]]
            );
        }
    }
    assert_eq!(ours.hess, ours.hess.t(), "{what}: not exactly symmetric");
}

/// Full pass, loss-only pass and a pass with a step, each against the reference.
fn check_pass(design: &Design, y: &[bool], seed: u64, what: &str) {
    let x = design.to_dense();
    let beta = random_beta(seed, design.ncols());
    let step = random_beta(seed + 1, design.ncols()) * 0.1;
    let r = reference(&x, y, &beta, Some(&step));
    for leaf in [None, Some(700)] {
        let ours = design.pass_with_leaves(y, beta.view(), Some(step.view()), true, leaf);
        assert_agrees(&ours, &r, &format!("{what}, leaf {leaf:?}"));
        let light = design.pass_with_leaves(y, beta.view(), None, false, leaf);
        assert!((light.loss - r.stats.loss).abs() <= PASS_TOL * r.stats.loss);
        assert!(light.grad.is_empty() && light.hess.is_empty());
        assert_eq!(light.max_step_eta, 0.0);
    }
}

#[test]
fn pass_agrees_with_the_dense_reference_on_long_tails() {
    let (design, y) = random_design(
        1,
        3000,
        4,
        &[
            Some(Levels::Tail(12)),
            Some(Levels::Tail(40)),
            Some(Levels::Tail(150)),
        ],
    );
    // The longest tail has levels with a handful of rows.
    let counts = design.level_counts(&y);
    let rarest = counts[2]
        .negative
        .iter()
        .zip(&counts[2].positive)
        .map(|(a, b)| a + b)
        .min();
    assert!(rarest.unwrap() <= 12, "{rarest:?}");
    check_pass(&design, &y, 11, "long tails");
}

#[test]
fn pass_agrees_when_every_level_but_one_is_rare() {
    let (design, y) = random_design(
        2,
        4000,
        2,
        &[Some(Levels::AllButOneRare(60)), Some(Levels::Tail(8))],
    );
    check_pass(&design, &y, 12, "all but one rare");
}

#[test]
fn pass_agrees_with_two_identical_categoricals() {
    // Collinear on purpose: the pass does not care, its sums are still exact (the collinearity
    // check is what removes one copy).
    let (design, y) = random_design(
        3,
        2500,
        3,
        &[Some(Levels::Tail(15)), None, Some(Levels::Tail(5))],
    );
    assert_eq!(
        design.categoricals()[0].codes(),
        design.categoricals()[1].codes()
    );
    check_pass(&design, &y, 13, "identical categoricals");
}

#[test]
fn pass_agrees_without_dense_columns_and_without_categoricals() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut only_cats = Design::new(1500);
    let (c, l) = draw_codes(&mut rng, 1500, Levels::Tail(20));
    push_encoded(&mut only_cats, c, l);
    let y: Vec<bool> = (0..1500).map(|_| rng.gen::<f64>() < 0.3).collect();
    check_pass(&only_cats, &y, 14, "categoricals only");
    let (dense, y) = random_design(5, 2000, 6, &[]);
    check_pass(&dense, &y, 15, "dense only");
    let empty = Design::new(300);
    check_pass(&empty, &y[..300], 16, "intercept only");
}

/// A CSV with every encoder case: a number with missing values (so a missing indicator), a
/// yes/no, a categorical with missing values and rare levels (which fold into `(other)` at
/// a minimum count of 5), one whose every level but one is rare, one whose only rare level has
/// too few rows for `(other)` (so it joins the reference), and an exact copy of a categorical
/// under another name.
fn encoder_csv(rows: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::from("spend,demo,region,title,region_copy,channel,converted\n");
    for i in 0..rows {
        let spend = if rng.gen::<f64>() < 0.1 {
            String::new()
        } else {
            format!(
                "{:.3}",
                1000.0 + 50.0 * rng.sample::<f64, _>(StandardNormal)
            )
        };
        let demo = if rng.gen::<bool>() { "yes" } else { "no" };
        let u: f64 = rng.gen();
        let region = if u < 0.05 {
            "NA".to_string()
        } else if u < 0.06 {
            format!("tiny{}", rng.gen_range(0..10))
        } else {
            format!("r{}", (u * 7.0) as usize)
        };
        let title = if i % 40 == 7 {
            format!("t{}", i / 40)
        } else {
            "manager".into()
        };
        let p = 0.2 + 0.3 * f64::from(u8::from(demo == "yes")) + 0.05 * (region.len() as f64 - 2.0);
        let y = u8::from(rng.gen::<f64>() < p.clamp(0.05, 0.95));
        let channel = if i == 100 || i == 2000 {
            "fax"
        } else {
            ["web", "email", "event"][i % 3]
        };
        s.push_str(&format!(
            "{spend},{demo},{region},{title},{region},{channel},{y}\n"
        ));
    }
    s
}

fn load(text: &str) -> (tempfile::TempDir, Table) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.csv");
    std::fs::write(&path, text).unwrap();
    let table = Table::load(&path, &CsvOptions::default(), None).unwrap();
    (dir, table)
}

/// The standardised dense design as the one-hot encoder builds it, row by row
/// ([`RowEncoder`], original units), with the encoder's means and scales; also checks those
/// against the columns' own mean and population sd (summed row by row: equal to rounding).
fn one_hot_reference(
    encoder: &Encoder,
    table: &Table,
    features: &[usize],
    rows: &[usize],
) -> Array2<f64> {
    let p = encoder.columns.len();
    let mut enc = RowEncoder::new(encoder);
    let mut raw = Array2::<f64>::zeros((rows.len(), p));
    for (i, &r) in rows.iter().enumerate() {
        let mut out = vec![0.0; p];
        enc.encode(features.iter().map(|&c| table.value(r, c)), &mut out)
            .unwrap();
        raw.row_mut(i).assign(&Array1::from(out));
    }
    let n = rows.len() as f64;
    for (j, c) in encoder.columns.iter().enumerate() {
        let col = raw.column(j);
        let mean = col.sum() / n;
        let sd = (col.mapv(|v| (v - mean) * (v - mean)).sum() / n).sqrt();
        assert_eq!(mean, c.mean, "{}", c.name);
        // A sum of n squares rounds to about n ulps; the closed form of an indicator's sd is
        // nearer the truth.
        assert!(
            (sd - c.scale).abs() <= 1e-12 * sd,
            "{}: {sd} vs {}",
            c.name,
            c.scale
        );
    }
    let mut x = raw;
    for (j, c) in encoder.columns.iter().enumerate() {
        x.column_mut(j).mapv_inplace(|v| (v - c.mean) / c.scale);
    }
    x
}

#[test]
fn from_encoder_reproduces_the_dense_encoder_and_its_pass() {
    let (_dir, table) = load(&encoder_csv(3000, 21));
    let features = vec![0, 1, 2, 3, 4, 5];
    let rows: Vec<usize> = (0..table.rows()).collect();
    let y: Vec<bool> = rows.iter().map(|&r| table.value(r, 6) == "1").collect();
    for min_level_count in [1, 5, 30] {
        let settings = EncoderSettings {
            min_level_count,
            ..Default::default()
        };
        let learnt = Encoder::learn(&table, &features, &rows, &settings).unwrap();
        let names = learnt.encoder.column_names();
        if min_level_count == 5 {
            // The cases this test is about are all present.
            for want in [
                "spend=(missing)",
                "region=(missing)",
                "region=(other)",
                "title=(other)",
            ] {
                assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
            }
            assert!(
                !names.iter().any(|n| n.starts_with("channel=(other)")),
                "{names:?}"
            );
            match &learnt.encoder.features[5].encoding {
                FeatureEncoding::Categorical { folded, .. } => assert_eq!(folded, &["fax"]),
                other => panic!("{other:?}"),
            }
        }
        let built = Design::from_encoder(&learnt.encoder, &table, &features, &rows).unwrap();
        assert_eq!(built.unseen, vec![0; 6]);
        // Bit for bit the row-by-row one-hot encoder's standardised design, both as learnt and
        // as rebuilt for scoring (copies dropped as identical).
        let reference = one_hot_reference(&learnt.encoder, &table, &features, &rows);
        assert_eq!(
            learnt.design.to_dense(),
            reference,
            "min count {min_level_count}"
        );
        assert_eq!(
            built.design.to_dense(),
            reference,
            "min count {min_level_count}"
        );
        check_pass(
            &built.design,
            &y,
            22,
            &format!("encoder, min count {min_level_count}"),
        );
    }
}

#[test]
fn category_coder_follows_the_one_hot_encoder() {
    let missing = MissingTokens::with_extra(vec!["Select".into()]);
    for other_is_level in [true, false] {
        let mut levels = vec!["(missing)".to_string(), "b".into()];
        if other_is_level {
            levels.insert(1, "(other)".into());
        }
        let spec = FeatureSpec {
            column: "c".into(),
            encoding: FeatureEncoding::Categorical {
                reference: "a".into(),
                levels,
                folded: vec!["z".into()],
            },
        };
        let coder = CategoryCoder::new(&spec).unwrap();
        let mut one_hot = vec![0.0; spec.width()];
        for text in [
            "a",
            "b",
            "",
            "NA",
            "Select",
            "z",
            "new",
            "(other)",
            "(missing)",
        ] {
            let outcome = spec.encode(text, &missing, &mut one_hot).unwrap();
            let (code, coded) = coder.code(text, &missing);
            assert_eq!(outcome, coded, "{text}");
            let hot = one_hot.iter().position(|&v| v == 1.0).map(|i| i as u32);
            assert_eq!(hot.unwrap_or(coder.levels() as u32 - 1), code, "{text}");
        }
    }
    let numeric = FeatureSpec {
        column: "n".into(),
        encoding: FeatureEncoding::Numeric {
            median: 0.0,
            missing_indicator: false,
        },
    };
    assert!(CategoryCoder::new(&numeric).is_none());
}

#[test]
fn from_encoder_names_a_bad_value_and_counts_unseen_levels() {
    let (_dir, train) = load("n,c\n1,a\n2,a\n3,b\n4,a\n");
    let rows: Vec<usize> = (0..4).collect();
    let settings = EncoderSettings {
        min_level_count: 1,
        ..Default::default()
    };
    let enc = Encoder::learn(&train, &[0, 1], &rows, &settings)
        .unwrap()
        .encoder;
    let (_d2, new) = load("n,c\n1,a\n2,q\nx,b\n");
    let ok = Design::from_encoder(&enc, &new, &[0, 1], &[0, 1]).unwrap();
    assert_eq!(ok.unseen, vec![0, 1]);
    let err = Design::from_encoder(&enc, &new, &[0, 1], &[0, 1, 2]).unwrap_err();
    assert!(
        matches!(&err, Error::BadValue { line: 4, column, value, .. } if column == "n" && value == "x"),
        "{err}"
    );
}

#[test]
fn results_are_bit_identical_for_any_thread_count() {
    let (design, y) = random_design(
        6,
        40_000,
        5,
        &[
            Some(Levels::Tail(30)),
            Some(Levels::AllButOneRare(40)),
            Some(Levels::Tail(7)),
        ],
    );
    let beta = random_beta(7, design.ncols());
    let step = random_beta(8, design.ncols()) * 0.1;
    let run = |threads: usize, leaf: Option<usize>| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                (
                    design.pass_with_leaves(&y, beta.view(), Some(step.view()), true, leaf),
                    design.centred_gram_with_leaves(leaf),
                    design.linear_predictor(beta.view()),
                )
            })
    };
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for leaf in [None, Some(1500)] {
        let (p1, g1, e1) = run(1, leaf);
        for threads in [2, 8] {
            let (p, g, e) = run(threads, leaf);
            assert_eq!(p.loss.to_bits(), p1.loss.to_bits(), "{threads} threads");
            assert_eq!(
                bits(p.grad.as_slice().unwrap()),
                bits(p1.grad.as_slice().unwrap())
            );
            assert_eq!(
                bits(p.hess.as_slice().unwrap()),
                bits(p1.hess.as_slice().unwrap())
            );
            assert_eq!(p.max_step_eta.to_bits(), p1.max_step_eta.to_bits());
            assert_eq!(
                bits(g.1.as_slice().unwrap()),
                bits(g1.1.as_slice().unwrap())
            );
            assert_eq!(bits(e.as_slice().unwrap()), bits(e1.as_slice().unwrap()));
        }
    }
    // The leaves matter to the rounding, so the test above could see a change of tree.
    let (a, _, _) = run(2, None);
    let (b, _, _) = run(2, Some(1500));
    assert_ne!(
        bits(a.hess.as_slice().unwrap()),
        bits(b.hess.as_slice().unwrap())
    );
}

#[test]
fn predictions_and_checks_agree_with_the_dense_design() {
    let (design, y) = random_design(
        9,
        2000,
        3,
        &[
            Some(Levels::Tail(25)),
            None,
            Some(Levels::AllButOneRare(12)),
        ],
    );
    let x = design.to_dense();
    let beta = random_beta(10, design.ncols());
    let eta = design.linear_predictor(beta.view());
    let dense_eta = x.dot(&beta.slice(ndarray::s![1..])) + beta[0];
    let scale: f64 = beta.iter().map(|b| b.abs()).sum::<f64>() * 10.0;
    for (a, b) in eta.iter().zip(&dense_eta) {
        assert!((a - b).abs() <= PASS_TOL * scale, "{a} vs {b}");
    }
    let probs = design.probabilities(beta.view());
    assert!(probs
        .iter()
        .zip(&eta)
        .all(|(p, e)| (p - 1.0 / (1.0 + (-e).exp())).abs() < 1e-15));

    // Gram matrix, as the collinearity check computes it from the dense design.
    let n = x.nrows() as f64;
    let mean = x.sum_axis(ndarray::Axis(0)) / n;
    let xc = &x - &mean;
    let gram = xc.t().dot(&xc);
    let (our_mean, our_gram) = design.centred_gram();
    let p = design.ncols();
    for a in 0..p {
        assert!((our_mean[a] - mean[a]).abs() <= PASS_TOL);
        for b in 0..p {
            let s = (gram[[a, a]] * gram[[b, b]]).sqrt();
            assert!(
                (our_gram[[a, b]] - gram[[a, b]]).abs() <= PASS_TOL * s,
                "gram[{a},{b}]"
            );
        }
    }

    // Class ranges: exactly the dense minima and maxima.
    let ranges = design.class_ranges(&y);
    for j in 0..p {
        for class in 0..2 {
            let vals = x
                .column(j)
                .iter()
                .zip(&y)
                .filter(|(_, &v)| usize::from(v) == class)
                .map(|(v, _)| *v)
                .collect::<Vec<_>>();
            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(
                (ranges.min[class][j], ranges.max[class][j]),
                (lo, hi),
                "column {j} class {class}"
            );
        }
    }
    assert_eq!(ranges.positives, y.iter().filter(|&&v| v).count());
}

#[test]
fn dropping_columns_keeps_the_rest_and_folds_levels_into_the_reference() {
    let (mut design, y) =
        random_design(11, 1200, 3, &[Some(Levels::Tail(6)), Some(Levels::Tail(4))]);
    let before = design.to_dense();
    let p = design.ncols();
    // A dense column and the first indicator of each categorical.
    let firsts: Vec<usize> = (0..p)
        .filter(|&j| matches!(design.columns()[j], Column::Level { .. }))
        .filter(|&j| !matches!(design.columns()[j - 1], Column::Level { categorical, .. } if matches!(design.columns()[j], Column::Level { categorical: c, .. } if c == categorical)))
        .collect();
    let mut drop = vec![1];
    drop.extend(&firsts);
    design.drop_columns(&drop);
    let keep: Vec<usize> = (0..p).filter(|j| !drop.contains(j)).collect();
    assert_eq!(design.to_dense(), before.select(ndarray::Axis(1), &keep));
    assert_eq!(design.dense_count(), 3);
    for (j, col) in design.columns().iter().enumerate() {
        if let Column::Level { categorical, code } = *col {
            assert_eq!(
                design.categoricals()[categorical]
                    .indicator(code)
                    .unwrap()
                    .column,
                j
            );
        }
    }
    check_pass(&design, &y, 17, "after dropping");
}

#[test]
fn bad_columns_are_rejected() {
    let mut d = Design::new(3);
    assert!(matches!(
        d.push_dense(&[1.0, 2.0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        d.push_dense(&[1.0, f64::NAN, 0.0]),
        Err(Error::InvalidParameter { .. })
    ));
    let codes = || Codes::new(vec![0, 1, 2], 3);
    assert!(matches!(
        d.push_categorical(codes(), 2, &[]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        d.push_categorical(codes(), 3, &[(3, 0.3, 0.4)]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        d.push_categorical(codes(), 3, &[(1, 0.3, 0.4), (1, 0.3, 0.4)]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        d.push_categorical(codes(), 3, &[(1, 0.3, 0.0)]),
        Err(Error::InvalidParameter { .. })
    ));
    assert_eq!(d.ncols(), 0, "nothing half-added");
    assert_eq!(
        d.push_categorical(codes(), 3, &[(0, 1.0 / 3.0, 0.47)])
            .unwrap(),
        0
    );
    assert!(matches!(Codes::new(vec![0, 70_000], 70_001), Codes::U32(_)));
    assert!(matches!(Codes::new(vec![0, 65_535], 65_536), Codes::U16(_)));
    assert_eq!(Codes::new(vec![0, 65_535], 65_536).get(1), 65_535);
}

/// Newton's method on the design's pass, as small as it can be: full steps with halving, until
/// a step whose Newton decrement is below 1e-20 of the loss has been taken (quadratic
/// convergence gets there in one or two steps after the decrement first drops below 1e-10).
fn newton_on_design(design: &Design, y: &[bool]) -> (Array1<f64>, Array1<f64>) {
    let p = design.ncols();
    let ybar = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
    let mut beta = Array1::<f64>::zeros(p + 1);
    beta[0] = (ybar / (1.0 - ybar)).ln();
    for _ in 0..50 {
        let st = design.pass(y, beta.view(), None, true);
        let step = solve(&cholesky(&st.hess), &st.grad);
        let decrement = 0.5 * st.grad.dot(&step);
        let mut t = 1.0;
        // A loss within rounding noise of the current one is no ascent (the solver's rule).
        let noise = 1e-12 * st.loss;
        while design
            .pass(y, (&beta + &(&step * t)).view(), None, false)
            .loss
            > st.loss + noise
        {
            t *= 0.5;
            assert!(t > 1e-10, "no descent");
        }
        beta = &beta + &(&step * t);
        if decrement < 1e-20 * st.loss {
            let l = cholesky(&design.pass(y, beta.view(), None, true).hess);
            let se = (0..=p)
                .map(|j| {
                    let mut e = Array1::<f64>::zeros(p + 1);
                    e[j] = 1.0;
                    solve(&l, &e)[j].sqrt()
                })
                .collect();
            return (beta, se);
        }
    }
    panic!("Newton did not converge");
}

fn cholesky(a: &Array2<f64>) -> Array2<f64> {
    let k = a.nrows();
    let mut l = Array2::<f64>::zeros((k, k));
    for j in 0..k {
        let d = a[[j, j]] - (0..j).map(|q| l[[j, q]] * l[[j, q]]).sum::<f64>();
        assert!(d > 0.0, "not positive definite at {j}");
        l[[j, j]] = d.sqrt();
        for i in j + 1..k {
            let v = a[[i, j]] - (0..j).map(|q| l[[i, q]] * l[[j, q]]).sum::<f64>();
            l[[i, j]] = v / l[[j, j]];
        }
    }
    l
}

fn solve(l: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let k = l.nrows();
    let mut v = b.clone();
    for i in 0..k {
        let s: f64 = (0..i).map(|q| l[[i, q]] * v[q]).sum();
        v[i] = (v[i] - s) / l[[i, i]];
    }
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|q| l[[q, i]] * v[q]).sum();
        v[i] = (v[i] - s) / l[[i, i]];
    }
    v
}

#[test]
fn newton_on_the_design_reaches_the_dense_solvers_optimum() {
    // A wide design: 5 numbers, a flag and three long-tailed categoricals, 140 coefficients.
    let (design, y) = random_design(
        12,
        30_000,
        5,
        &[
            Some(Levels::Tail(20)),
            Some(Levels::Tail(45)),
            Some(Levels::Tail(75)),
        ],
    );
    assert!(design.ncols() >= 140, "{}", design.ncols());
    let (beta, se) = newton_on_design(&design, &y);
    let x = design.to_dense();
    let dense = LogisticParams::new()
        .fit(&Dataset::new(x, Array1::from(y.clone())))
        .unwrap();
    let dense_se = dense.standard_errors();
    let dense_beta: Vec<f64> = std::iter::once(dense.intercept)
        .chain(dense.coef.iter().copied())
        .collect();
    // Both are Newton optima to machine precision; 1e-9 of the coefficient (or of its standard
    // error, for coefficients near zero) leaves room only for rounding.
    for j in 0..beta.len() {
        let tol = 1e-9 * beta[j].abs().max(se[j]);
        assert!(
            (beta[j] - dense_beta[j]).abs() <= tol,
            "coef {j}: {} vs {}",
            beta[j],
            dense_beta[j]
        );
        assert!(
            (se[j] - dense_se[j]).abs() <= 1e-9 * se[j],
            "se {j}: {} vs {}",
            se[j],
            dense_se[j]
        );
    }
    let ll = -design.pass(&y, beta.view(), None, false).loss;
    assert!((ll - dense.log_likelihood).abs() <= 1e-12 * ll.abs());
}

/// `a` and `b` to `tol` relative to the larger of the two in magnitude (at least 1).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn the_start_from_the_gram_matrix_is_the_pass_at_the_start() {
    let (mut design, y) = random_design(
        23,
        4000,
        3,
        &[Some(Levels::Tail(9)), None, Some(Levels::Tail(30))],
    );
    let positives = y.iter().filter(|&&v| v).count() as f64;
    let ybar = positives / y.len() as f64;
    let compare = |design: &Design, what: &str| {
        let mut beta = Array1::<f64>::zeros(design.ncols() + 1);
        beta[0] = (ybar / (1.0 - ybar)).ln();
        let pass = design.pass(&y, beta.view(), None, true);
        let start = design.start_pass(&y, beta.view());
        // Sums of 4,000 terms added in another order (and one product where the pass has a
        // sum): rounding differences of a few 1e-16 per term, far inside 1e-12.
        assert!(close(start.loss, pass.loss, 1e-12), "{what}: loss");
        assert_eq!(start.n_extreme, pass.n_extreme, "{what}");
        for (a, b) in start.grad.iter().zip(&pass.grad) {
            assert!((a - b).abs() <= 1e-9, "{what}: gradient {a} {b}");
        }
        // An entry that cancels to near zero keeps the absolute rounding of the largest ones.
        let scale = pass.hess.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (a, b) in start.hess.iter().zip(&pass.hess) {
            assert!((a - b).abs() <= 1e-12 * scale, "{what}: Hessian {a} {b}");
        }
        (pass, start)
    };
    // Before collinearity detection there is no Gram matrix: the start is the pass itself.
    let (pass, start) = compare(&design, "no Gram matrix");
    assert_eq!(pass, start);
    // After it, the start comes from the matrix (no longer bit for bit the pass).
    let (mean, gram) = design.centred_gram();
    let collinear = crate::scoring::solver::collinear_from_gram(design.rows(), &mean, &gram);
    assert!(!collinear.is_empty(), "the copied categorical is collinear");
    let (pass, start) = compare(&design, "with the Gram matrix");
    assert_ne!(pass.hess, start.hess, "the Gram path was taken");
    // Dropping columns keeps the matrix of the rest.
    design.drop_columns(&collinear);
    compare(&design, "after dropping the collinear columns");
    // Anywhere but the intercept-only start it is the pass.
    let beta = random_beta(5, design.ncols());
    assert_eq!(
        design.start_pass(&y, beta.view()),
        design.pass(&y, beta.view(), None, true)
    );
}
