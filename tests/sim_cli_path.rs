//! The path the `simulate` command takes: load, run, write, print, warn; on a temp dir.

use leadsim::sim::{run, write_outputs, RunOptions, ScenarioFile};

#[test]
fn shipped_example_runs_end_to_end() {
    let file = ScenarioFile::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/scenarios/handover.toml"
    ))
    .unwrap();
    assert_eq!(file.scenarios.len(), 3);
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let progress = |done: usize, total: usize| {
        assert!(done <= total);
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let opts = RunOptions {
        seed: Some(42),
        replications: Some(4),
        threads: Some(2),
        progress: Some(&progress),
    };
    let results = run(&file, &opts).unwrap();
    assert_eq!(calls.into_inner(), 12);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    write_outputs(&results, &out).unwrap();
    // Exactly the three result files and the report, no temporary leftovers.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "replications.csv",
            "report.html",
            "summary.csv",
            "summary.json"
        ]
    );
    let table = results.table();
    println!("{table}");
    assert!(table.contains("lower threshold, two more reps"));
    // Cells read as in the HTML report: a share in percent, its half-width in points.
    let s = results.summary("today", "mql_to_sql").unwrap().value;
    assert!(s.mean < 0.1, "two decimals below 10%");
    let cell = format!(
        "{:.2}% ±{:.2} pp",
        100.0 * s.mean,
        100.0 * (s.ci_high - s.ci_low) / 2.0
    );
    assert!(table.contains(&cell), "{cell} missing");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with(
        "scenario,metric,mean,sd,ci_low,ci_high,diff_mean,diff_ci_low,diff_ci_high\n"
    ));
    // Names with commas are quoted verbatim.
    assert!(summary.contains("\"lower threshold, two more reps\",mql_to_sql,"));
    // The baseline's diff columns are empty.
    assert!(summary
        .lines()
        .any(|l| l.starts_with("today,mqls,") && l.ends_with(",,,")));
    let reps = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    let header = reps.lines().next().unwrap();
    assert!(header.starts_with("scenario,replication,mqls,handed_over,"));
    assert!(header.ends_with("utilisation_sdr,peak_queue_sdr,rep_cost_sdr"));
    assert_eq!(reps.lines().count(), 1 + 3 * 4);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["seed"], 42);
    assert_eq!(json["replications"], 4);
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["scenarios"][1]["config"]["policy"]["threshold"], 0.2);
    assert_eq!(json["scenarios"][1]["config"]["pools"][0]["count"], 6);
    assert_eq!(
        json["scenarios"][0]["config"]["population"]["generator"],
        "b2b-saas"
    );
    assert_eq!(
        json["scenarios"][0]["config"]["pools"][0]["hours"]["days"][4],
        "fri"
    );
    assert_eq!(json["scenarios"][0]["summary"][0]["metric"], "mqls");
    assert_eq!(json["scenarios"][0]["summary"][0]["n"], 4);
    let warnings = leadsim::sim::warnings(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
}
