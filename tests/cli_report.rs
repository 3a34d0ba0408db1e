//! One model, one report (issue 13): the report is named after the model, so a second model
//! trained in the same folder does not replace the first one's report; `--report PATH` puts
//! it elsewhere.

mod util;

use util::Dir;

#[test]
fn second_model_in_a_folder_keeps_the_first_ones_report() {
    let d = Dir::new();
    d.run(&[
        "generate", "--leads", "1500", "--seed", "3", "--out", "h.csv",
    ])
    .ok();
    let r = d.run(&["train", "--data", "h.csv", "--out", "a.json", "--quiet"]);
    r.ok();
    assert!(
        r.stdout
            .contains("model written to a.json, report to a.report.html"),
        "{}",
        r.stdout
    );
    d.run(&[
        "train", "--data", "h.csv", "--alpha", "1", "--out", "b.json", "--quiet",
    ])
    .ok();
    let (a, b) = (d.read("a.report.html"), d.read("b.report.html"));
    assert!(
        !a.contains("a regularised fit"),
        "a.json is the maximum-likelihood model"
    );
    assert!(
        b.contains("alpha = 1: a regularised fit"),
        "b.json's report is b's"
    );
    assert!(!d.exists("report.html"));

    std::fs::create_dir(d.path("reports")).unwrap();
    let r = d.run(&[
        "train",
        "--data",
        "h.csv",
        "--out",
        "c.json",
        "--report",
        "reports/c.html",
        "--quiet",
    ]);
    r.ok();
    assert!(d.exists("reports/c.html") && !d.exists("c.report.html"));
    // A report that would overwrite the model is refused before anything is written.
    d.run(&[
        "train", "--data", "h.csv", "--out", "e.json", "--report", "e.json",
    ])
    .fails_with(&["e.json", "overwrite the model"]);
    assert!(!d.exists("e.json"));
}
