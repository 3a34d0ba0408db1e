//! Agreement with statsmodels on real data: the bundled UCI Bank Marketing file, fit on every
//! row, must give the coefficients, standard errors and log likelihood that statsmodels' `Logit`
//! gives on the same design. The reference values in `tests/reference/bank_statsmodels.json`
//! were produced by `tests/reference/bank_statsmodels.py` (statsmodels 0.15.0, Newton,
//! tol 1e-12; the exact command and versions are in the JSON), which builds the design matrix
//! independently with pandas following leadsim's documented encoding rules.

use std::path::Path;

use leadsim::scoring::train::{train, Silent, TrainOptions};

/// The contract is 1e-4 relative. Both fits are Newton iterations run to machine precision
/// (statsmodels' last step is 4e-13 relative), so the observed gap is about 1e-9; 1e-6 still
/// leaves room for summation-order differences on other CPUs while catching any real change.
const REL_TOL: f64 = 1e-6;
/// The target for the log likelihood.
const LL_REL_TOL: f64 = 1e-9;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn bank_marketing_matches_statsmodels() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/reference/bank_statsmodels.json")).unwrap(),
    )
    .unwrap();
    let model = train(
        &TrainOptions {
            data: root.join("data/bank-additional-full.csv.gz"),
            target: Some("y".into()),
            exclude: vec!["duration".into()],
            holdout: 0.0,
            ..Default::default()
        },
        &Silent,
    )
    .unwrap();
    let ref_coefs = reference["coefficients"].as_array().unwrap();
    assert_eq!(
        model.coefficients.len(),
        ref_coefs.len(),
        "same design width"
    );
    assert_eq!(model.fit.rows as u64, reference["rows"].as_u64().unwrap());
    let ll_ref = reference["log_likelihood"].as_f64().unwrap();
    assert!(
        rel(model.fit.log_likelihood, ll_ref) < LL_REL_TOL,
        "log likelihood {} vs statsmodels {ll_ref}",
        model.fit.log_likelihood
    );
    for r in ref_coefs {
        let name = r["name"].as_str().unwrap();
        let c = model
            .coefficients
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("leadsim has no coefficient {name}"));
        let est = r["estimate"].as_f64().unwrap();
        let se = r["std_error"].as_f64().unwrap();
        assert!(
            rel(c.estimate, est) < REL_TOL,
            "{name}: estimate {} vs statsmodels {est}",
            c.estimate
        );
        assert!(
            rel(c.std_error.unwrap(), se) < REL_TOL,
            "{name}: std_error {:?} vs statsmodels {se}",
            c.std_error
        );
    }
    let dropped: Vec<&str> = model
        .training
        .dropped
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(dropped, vec!["loan=unknown"]);
}
