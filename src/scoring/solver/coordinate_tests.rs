//! Tests of the elastic-net solver (`coordinate.rs`): optimality (KKT), the ridge limit, the
//! path and `alpha_max`, dense against categorical codes, and thread-count independence.

use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::blocks::BLOCK_ROWS;
use super::coordinate::{self, Penalty};
use super::rows::Rows;
use super::testing::{fit_with, simulate};
use super::*;
use crate::scoring::design::{Codes, Design};

/// Gradient of the summed log likelihood (ascent direction, intercept first), by a plain loop
/// independent of the solver's blocked pass.
fn reference_gradient(
    intercept: f64,
    coef: &Array1<f64>,
    x: &Array2<f64>,
    y: &Array1<bool>,
) -> Array1<f64> {
    let p = x.ncols();
    let mut g = Array1::<f64>::zeros(p + 1);
    for (row, &yi) in x.rows().into_iter().zip(y) {
        let r = yi as u8 as f64 - sigmoid(intercept + row.dot(coef));
        g[0] += r;
        for j in 0..p {
            g[j + 1] += r * row[j];
        }
    }
    g
}

fn enet(alpha: f64, r: f64) -> LogisticParams {
    LogisticParams::new().alpha(alpha).l1_ratio(r)
}

/// `max_j |grad_j| / r` at the intercept-only fit, by the reference gradient.
fn reference_alpha_max(x: &Array2<f64>, y: &Array1<bool>, r: f64) -> f64 {
    let ybar = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
    let g = reference_gradient((ybar / (1.0 - ybar)).ln(), &Array1::zeros(x.ncols()), x, y);
    g.iter().skip(1).fold(0.0f64, |m, v| m.max(v.abs())) / r
}

/// Sparse truth: 3 of 10 coefficients nonzero.
const TRUTH: [f64; 10] = [1.0, 0.0, 0.0, -0.7, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0];

#[test]
fn kkt_conditions_hold_at_the_lasso_and_elastic_net_optima() {
    let (x, y) = simulate(4000, -0.5, &TRUTH, 17);
    let n = x.nrows() as f64;
    for r in [1.0, 0.5, 0.1] {
        let amax = reference_alpha_max(&x, &y, r);
        for share in [0.5, 0.05, 0.005] {
            let a = amax * share;
            let fit = fit_with(enet(a, r), &x, &y).unwrap();
            assert!(fit.converged);
            let g = reference_gradient(fit.intercept, &fit.coef, &x, &y);
            // The solver stops at max KKT violation / n <= 1e-12; the reference gradient sums
            // the same n terms in another order, which moves it by ~1e-16 * n per coordinate.
            // 1e-10 per row leaves a wide margin for both and still fails for any coefficient
            // that is off by more than ~1e-9 (the Hessian is ~0.2 n per unit here).
            let tol = 1e-10 * n;
            assert!(g[0].abs() <= tol, "intercept gradient {}", g[0]);
            let (mut zeros, mut nonzeros) = (0, 0);
            for j in 0..x.ncols() {
                let b = fit.coef[j];
                // grad_j here is the log likelihood's (ascent); the loss gradient is -grad_j.
                let loss_grad = -g[j + 1];
                if b != 0.0 {
                    nonzeros += 1;
                    let stat = loss_grad + a * (1.0 - r) * b + a * r * b.signum();
                    assert!(
                        stat.abs() <= tol,
                        "r {r} alpha {a}: column {j} stationarity {stat:e}"
                    );
                } else {
                    zeros += 1;
                    assert!(
                        loss_grad.abs() <= a * r + tol,
                        "r {r} alpha {a}: zero column {j}, |grad| {} > {}",
                        loss_grad.abs(),
                        a * r
                    );
                }
            }
            // Not a vacuous check: strong penalties zero some coefficients, weak ones keep most.
            if share == 0.5 {
                assert!(zeros >= 5, "r {r}: {zeros} zeros at half alpha_max");
            }
            if share == 0.005 {
                assert!(nonzeros >= 3, "r {r}: {nonzeros} nonzeros");
            }
            assert!(fit.gradient_norm <= 1e-12, "{}", fit.gradient_norm);
        }
    }
}

#[test]
fn alpha_max_is_the_smallest_alpha_that_zeroes_every_coefficient() {
    let (x, y) = simulate(3000, 0.2, &TRUTH, 5);
    let mut design = Design::new(x.nrows());
    for j in 0..x.ncols() {
        design.push_dense(x.column(j).to_vec().as_slice()).unwrap();
    }
    for r in [1.0, 0.3] {
        let params = enet(1.0, r).check().unwrap();
        let amax = params.alpha_max_design(&design, y.view()).unwrap();
        let reference = reference_alpha_max(&x, &y, r);
        assert!(
            (amax - reference).abs() <= 1e-12 * reference,
            "{amax} vs {reference}"
        );
        let at = fit_with(enet(amax * (1.0 + 1e-9), r), &x, &y).unwrap();
        assert!(at.coef.iter().all(|&b| b == 0.0), "{:?}", at.coef);
        let ybar = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
        assert!((at.intercept - (ybar / (1.0 - ybar)).ln()).abs() < 1e-12);
        let below = fit_with(enet(amax * 0.98, r), &x, &y).unwrap();
        assert_eq!(
            below.coef.iter().filter(|&&b| b != 0.0).count(),
            1,
            "{:?}",
            below.coef
        );
    }
    // A ridge penalty zeroes nothing: no alpha_max.
    let ridge = LogisticParams::new().alpha(1.0).check().unwrap();
    assert!(matches!(
        ridge.alpha_max_design(&design, y.view()),
        Err(Error::InvalidHyperparameter {
            name: "l1_ratio",
            ..
        })
    ));
}

#[test]
fn with_no_l1_part_coordinate_descent_reaches_the_newton_ridge_optimum() {
    let (x, y) = simulate(3000, 0.5, &[1.0, -2.0, 0.5, 0.0], 41);
    let alpha = 25.0;
    let newton = fit_with(LogisticParams::new().alpha(alpha), &x, &y).unwrap();
    let names: Vec<String> = (0..4).map(|j| format!("x{j}")).collect();
    let prob = Problem {
        rows: Rows::Dense(x.view()),
        y: y.view(),
        alpha,
        names,
    };
    let cd = coordinate::fit(&prob, alpha, 0.0, 100, 1e-12, None).unwrap();
    let se = newton.standard_errors();
    assert!((cd.intercept - newton.intercept).abs() < 1e-9 * se[0]);
    for j in 0..4 {
        assert!(
            (cd.coef[j] - newton.coef[j]).abs() < 1e-9 * se[j + 1],
            "{j}"
        );
    }
    // On the active set the covariance is Newton's: the inverse penalised Hessian.
    let d = (&cd.covariance - &newton.covariance).mapv(f64::abs);
    assert!(d
        .iter()
        .zip(&newton.covariance)
        .all(|(d, c)| *d <= 1e-7 * c.abs().max(1e-6)));
}

#[test]
fn soft_threshold_and_penalty() {
    assert_eq!(coordinate::soft_threshold(3.0, 1.0), 2.0);
    assert_eq!(coordinate::soft_threshold(-3.0, 1.0), -2.0);
    assert_eq!(coordinate::soft_threshold(0.5, 1.0), 0.0);
    assert_eq!(coordinate::soft_threshold(-1.0, 1.0), 0.0);
    let pen = Penalty::new(10.0, 0.25);
    let beta = ndarray::array![100.0, 2.0, -1.0, 0.0];
    // The intercept (100) is not penalised: 2.5 * 3 + 0.5 * 7.5 * 5.
    assert!((pen.value(&beta) - (7.5 + 18.75)).abs() < 1e-12);
    let grad = ndarray::array![0.0, 2.5 + 15.0, -2.5 - 7.5, 1.0];
    assert!(pen.kkt_violation(&grad, &beta) < 1e-12);
    let off = ndarray::array![0.0, 2.5 + 15.0, -2.5 - 7.5, 3.0];
    assert!((pen.kkt_violation(&off, &beta) - 0.5).abs() < 1e-12);
}

/// A standardised design: `dense` normal columns and one categorical with `levels` levels
/// (the most frequent is the reference), outcomes from a sparse truth.
fn mixed_design(n: usize, levels: usize, seed: u64) -> (Design, Array1<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dense: Vec<Vec<f64>> = (0..3)
        .map(|_| {
            (0..n)
                .map(|_| rng.sample::<f64, _>(rand_distr::StandardNormal))
                .collect()
        })
        .collect();
    // Level k with weight k + 1, so the last level is the reference.
    let total: usize = (1..=levels).sum();
    let codes: Vec<u32> = (0..n)
        .map(|_| {
            let mut u = rng.gen_range(0..total);
            let mut k = 0;
            while u > k {
                u -= k + 1;
                k += 1;
            }
            k as u32
        })
        .collect();
    let level_effect = |k: u32| {
        if k == 0 {
            1.2
        } else if k == 2 {
            -0.8
        } else {
            0.0
        }
    };
    let y: Array1<bool> = (0..n)
        .map(|i| {
            let eta = -1.0 + 0.9 * dense[0][i] + level_effect(codes[i]);
            rng.gen::<f64>() < sigmoid(eta)
        })
        .collect();
    let mut design = Design::new(n);
    for col in &dense {
        let m = col.iter().sum::<f64>() / n as f64;
        let s = (col.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n as f64).sqrt();
        let z: Vec<f64> = col.iter().map(|v| (v - m) / s).collect();
        design.push_dense(&z).unwrap();
    }
    let mut count = vec![0usize; levels];
    codes.iter().for_each(|&c| count[c as usize] += 1);
    let reference = (0..levels).max_by_key(|&k| count[k]).unwrap();
    let indicators: Vec<(u32, f64, f64)> = (0..levels)
        .filter(|&k| k != reference && count[k] > 0)
        .map(|k| {
            let m = count[k] as f64 / n as f64;
            (k as u32, m, (m * (1.0 - m)).sqrt())
        })
        .collect();
    design
        .push_categorical(Codes::new(codes, levels), levels, &indicators)
        .unwrap();
    (design, y)
}

#[test]
fn codes_design_equals_dense_design() {
    let (design, y) = mixed_design(6000, 6, 23);
    let dense = design.to_dense();
    for (alpha, r) in [(40.0, 1.0), (20.0, 0.5), (2.0, 0.9)] {
        let codes = enet(alpha, r)
            .check()
            .unwrap()
            .fit_design(&design, y.view())
            .unwrap();
        let matrix = fit_with(enet(alpha, r), &dense, &y).unwrap();
        let zeros = |f: &LogisticFit| f.coef.iter().map(|&b| b == 0.0).collect::<Vec<_>>();
        assert_eq!(zeros(&codes), zeros(&matrix), "alpha {alpha} r {r}");
        assert!((codes.intercept - matrix.intercept).abs() < 1e-9);
        for j in 0..dense.ncols() {
            assert!(
                (codes.coef[j] - matrix.coef[j]).abs() < 1e-9,
                "{j}: {} vs {}",
                codes.coef[j],
                matrix.coef[j]
            );
        }
        assert!(
            (codes.log_likelihood - matrix.log_likelihood).abs()
                < 1e-9 * matrix.log_likelihood.abs()
        );
    }
    // The strong lasso keeps the real effects and drops the noise columns.
    let lasso = enet(40.0, 1.0)
        .check()
        .unwrap()
        .fit_design(&design, y.view())
        .unwrap();
    assert!(lasso.coef[0] > 0.0);
    assert!(
        lasso.coef.iter().filter(|&&b| b == 0.0).count() >= 3,
        "{:?}",
        lasso.coef
    );
}

#[test]
fn bit_identical_for_1_2_8_threads() {
    let (design, y) = mixed_design(3 * BLOCK_ROWS + 17, 5, 9);
    let dense = design.to_dense();
    let bits = |f: &LogisticFit| -> Vec<u64> {
        std::iter::once(f.intercept)
            .chain(f.coef.iter().copied())
            .chain([f.log_likelihood, f.gradient_norm])
            .chain(f.covariance.iter().copied())
            .map(f64::to_bits)
            .collect()
    };
    let run = |k: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap()
            .install(|| {
                let p = enet(30.0, 0.7).check().unwrap();
                let codes = p.fit_design(&design, y.view()).unwrap();
                let matrix = fit_with(enet(30.0, 0.7), &dense, &y).unwrap();
                let path = p
                    .fit_design_path(&design, y.view(), &[300.0, 100.0, 30.0])
                    .unwrap()
                    .into_iter()
                    .map(|f| bits(&f.unwrap()))
                    .collect::<Vec<_>>();
                (bits(&codes), bits(&matrix), path, codes.iterations)
            })
    };
    let one = run(1);
    for k in [2, 8] {
        assert_eq!(one, run(k), "{k} threads");
    }
}

#[test]
fn a_warm_started_path_reaches_the_cold_optima() {
    let (design, y) = mixed_design(5000, 4, 31);
    let p = enet(1.0, 0.8).check().unwrap();
    let amax = p.alpha_max_design(&design, y.view()).unwrap();
    let alphas: Vec<f64> = (0..8).map(|i| amax * 0.5f64.powi(i)).collect();
    let path = p.fit_design_path(&design, y.view(), &alphas).unwrap();
    let mut last_nonzero = 0;
    for (&a, warm) in alphas.iter().zip(path) {
        let warm = warm.unwrap();
        let cold = enet(a, 0.8)
            .check()
            .unwrap()
            .fit_design(&design, y.view())
            .unwrap();
        assert!((warm.intercept - cold.intercept).abs() < 1e-9);
        for j in 0..warm.coef.len() {
            assert!(
                (warm.coef[j] - cold.coef[j]).abs() < 1e-9,
                "alpha {a} column {j}"
            );
            assert_eq!(
                warm.coef[j] == 0.0,
                cold.coef[j] == 0.0,
                "alpha {a} column {j}"
            );
        }
        let nonzero = warm.coef.iter().filter(|&&b| b != 0.0).count();
        assert!(
            nonzero >= last_nonzero,
            "support shrank along the path at alpha {a}"
        );
        last_nonzero = nonzero;
    }
    assert_eq!(last_nonzero, design.ncols());
}

#[test]
fn bad_l1_ratios_are_named() {
    for r in [-0.1, 1.5, f64::NAN] {
        let e = enet(1.0, r).check().unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidHyperparameter {
                    name: "l1_ratio",
                    ..
                }
            ),
            "{e}"
        );
    }
    let e = enet(1.0, 0.5)
        .solver(SolverKind::Lbfgs)
        .check()
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidHyperparameter {
                name: "l1_ratio",
                ..
            }
        ),
        "{e}"
    );
    // An exhausted budget is an error naming the solver, not a model.
    let (x, y) = simulate(2000, 0.0, &TRUTH, 3);
    let e = fit_with(enet(5.0, 1.0).max_iter(1), &x, &y).unwrap_err();
    assert!(
        matches!(e, Error::NotConverged { ref solver, iterations: 1, .. } if solver == "coordinate descent"),
        "{e}"
    );
}
