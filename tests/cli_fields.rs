//! Which fields matter (issue 13): one Wald test per input field in the summary, the JSON and
//! the report, ranked, with its degrees of freedom and p-value.

mod util;

use util::Dir;

#[test]
fn one_test_per_field_instead_of_coefficients_level_by_level() {
    let d = Dir::new();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/b2b-saas-history.csv");
    let r = d.run(&[
        "train", "--data", data, "--out", "m.json", "--json", "--quiet",
    ]);
    r.ok();
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let coefs = m["coefficients"].as_array().unwrap();
    let tests = m["field_tests"].as_array().unwrap();
    let features = m["encoder"]["features"].as_array().unwrap();
    assert_eq!(
        tests.len(),
        features.len(),
        "one test per input field the model uses"
    );
    let mut previous = 0.0;
    for t in tests {
        let field = t["field"].as_str().unwrap();
        // The field's design columns: `field` and `field=...`.
        let own: Vec<&serde_json::Value> = coefs
            .iter()
            .filter(|c| {
                let n = c["name"].as_str().unwrap();
                n == field || n.starts_with(&format!("{field}="))
            })
            .collect();
        assert_eq!(t["df"].as_u64().unwrap() as usize, own.len(), "{field}");
        let chi2 = t["chi2"].as_f64().unwrap();
        let z2 = |c: &serde_json::Value| c["z"].as_f64().unwrap().powi(2);
        if own.len() == 1 {
            // One column: the Wald chi-square is its z squared.
            assert!(
                (chi2 - z2(own[0])).abs() < 1e-9 * chi2.max(1.0),
                "{field}: {chi2}"
            );
        } else {
            // The joint statistic maximises (c'b)^2 / c'Vc over directions c, so it is at least
            // every single level's z^2.
            for c in &own {
                assert!(chi2 >= z2(c) * (1.0 - 1e-9), "{field}: {chi2} < {}", z2(c));
            }
        }
        let p = t["p_value"].as_f64().unwrap();
        assert!(p >= previous, "ranked by p-value");
        previous = p;
    }
    let r = d.run(&["train", "--data", data, "--out", "m.json", "--quiet"]);
    assert!(r
        .stdout
        .contains("fields, most significant first (Wald test of all a field's columns together):"));
    assert!(d
        .read("m.report.html")
        .contains("<table id=\"field-tests\""));
    // A regularised fit has no classical test to report.
    let r = d.run(&[
        "train", "--data", data, "--alpha", "1", "--out", "r.json", "--json", "--quiet",
    ]);
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(m.get("field_tests").is_none());
}
