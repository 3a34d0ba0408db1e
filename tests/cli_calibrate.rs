//! `leadsim calibrate`, `leadsim backtest` and `leadsim simulate --export-history` from the
//! command line: the bundled CRM examples calibrate into a runnable scenario, the outputs are
//! all or nothing, every bad input is a clean error that writes nothing, and `--strict`
//! exits 3 when a metric is outside.

mod util;

use util::{root, Dir};

const SCENARIO: &str = r#"name = "known"
seed = 7
replications = 6
[population]
generator = "b2b-saas"
[arrivals]
rate_per_day = 40
arrival_days = 120
warmup_days = 14
[pools.sdr]
count = 4
hours = { days = "mon-fri", start = 9.0, end = 17.0 }
[policy]
threshold = 0.0
[[scenario]]
name = "today"
"#;

const LEADS: &str = "lead_id,mql_at,score,handed_over_at,sql_at,won_at,amount\n\
L1,2026-03-02T08:00:00Z,0.7,2026-03-02T08:00:00Z,2026-03-02T10:00:00Z,2026-04-01,1000\n\
L2,2026-03-03T09:00:00Z,0.2,,,,\n";
const CALLS: &str = "lead_id,started_at,duration_minutes,connected\n\
L1,2026-03-02T09:00:00Z,12,yes\n";

fn salesforce(d: &Dir, out: &str) -> util::Run {
    let sf = root().join("data/history/salesforce");
    d.run(&[
        "calibrate",
        "--leads",
        sf.join("leads.csv").to_str().unwrap(),
        "--attempts",
        sf.join("tasks.csv").to_str().unwrap(),
        "--columns",
        sf.join("columns.toml").to_str().unwrap(),
        "--tz",
        "America/New_York",
        "--out",
        out,
    ])
}

#[test]
fn the_salesforce_example_calibrates_into_a_runnable_scenario() {
    let d = Dir::new();
    let r = salesforce(&d, "cal");
    r.ok();
    assert!(r.stdout.contains("wrote"), "{}", r.stdout);
    let mut files: Vec<String> = std::fs::read_dir(d.path("cal"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "calibration.html",
            "calibration.json",
            "population.csv",
            "scenario.toml"
        ]
    );
    let toml = d.read("cal/scenario.toml");
    // Every assignment line carries a comment (arrays: each element).
    for line in toml.lines() {
        let l = line.trim();
        let assigns = l.contains(" = ") && !l.starts_with('#') && !l.ends_with('[');
        let element = l.ends_with(',') && !l.starts_with('#');
        if (assigns || element)
            && !l.starts_with("name = \"Calibrated")
            && !l.starts_with("seed")
            && !l.starts_with("replications")
            && !l.starts_with("table")
            && !l.starts_with("score_column")
            && !l.starts_with("handle_minutes")
            && !l.starts_with("talk_minutes")
            && !l.starts_with("sales_cycle_days")
            && !l.starts_with("deal_value")
            && !l.starts_with("decision")
            && !l.starts_with("speed_to_lead")
        {
            assert!(l.contains('#'), "no comment beside: {l}");
        }
    }
    assert!(!toml.contains("propensity_column ="));
    // The export has sql_at: the staged population carries each lead's observed outcome.
    assert!(toml.contains("\nlabel_column = \"sql\""), "{toml}");
    assert!(d
        .read("cal/population.csv")
        .starts_with("lead_id,score,mql_hours,sql\n"));
    let json: serde_json::Value = serde_json::from_str(&d.read("cal/calibration.json")).unwrap();
    assert!(json["sales"]["win_rate"]["value"].is_number());
    // The scenario runs.
    d.run(&[
        "simulate",
        "cal/scenario.toml",
        "--out",
        "res",
        "--replications",
        "2",
    ])
    .ok();
}

#[test]
fn export_calibrate_backtest_round_trip_and_strict() {
    let d = Dir::new();
    d.write("s.toml", SCENARIO);
    let r = d.run(&[
        "simulate",
        "s.toml",
        "--out",
        "res",
        "--replications",
        "2",
        "--export-history",
        "exp",
        "--export-as-of",
        "500",
    ]);
    r.ok();
    assert!(d.exists("exp/leads.csv") && d.exists("exp/attempts.csv"));
    assert!(d
        .read("exp/leads.csv")
        .starts_with("lead_id,mql_at,score,handed_over_at,pool,sql_at,disqualified_at,won_at,lost_at,amount,purchased_at,purchase_amount\n"));
    let as_of = "2027-05-20T00:00:00Z"; // 500 days after 2026-01-05
    let export = [
        "--leads",
        "exp/leads.csv",
        "--attempts",
        "exp/attempts.csv",
        "--as-of",
        as_of,
    ];
    let mut args = vec!["backtest", "s.toml"];
    args.extend(export);
    args.extend(["--out", "bt", "--strict", "--quiet"]);
    let r = d.run(&args);
    r.ok();
    let csv = d.read("bt/backtest.csv");
    assert!(csv.starts_with(
        "metric,observed,observed_lo,observed_hi,simulated_mean,simulated_lo,simulated_hi,verdict\n"
    ));
    assert!(csv.contains("\ncontact_rate,") && csv.contains("\nmql_to_sql,"));
    assert!(d.exists("bt/backtest.json") && d.exists("bt/backtest.html"));
    // Another world (one rep instead of four) is outside somewhere: exit 3 with --strict.
    d.write("other.toml", SCENARIO.replace("count = 4", "count = 1"));
    let mut args = vec!["backtest", "other.toml"];
    args.extend(export);
    args.extend(["--out", "bt2", "--strict", "--quiet"]);
    let r = d.run(&args);
    assert_eq!(r.code, Some(3), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("outside"));
    // Calibrate the export.
    let mut args = vec!["calibrate"];
    args.extend(export);
    args.extend(["--out", "cal", "--quiet"]);
    d.run(&args).ok();
    d.run(&[
        "simulate",
        "cal/scenario.toml",
        "--out",
        "res2",
        "--replications",
        "2",
    ])
    .ok();
}

/// Each bad input: exit 1 with the fragments named, and no output folder left behind.
fn bad(leads: &str, calls: Option<&str>, extra: &[&str], fragments: &[&str]) {
    let d = Dir::new();
    d.write("leads.csv", leads);
    let mut args = vec!["calibrate", "--leads", "leads.csv"];
    if let Some(c) = calls {
        d.write("calls.csv", c);
        args.extend(["--attempts", "calls.csv"]);
    }
    args.extend(extra);
    args.extend(["--out", "out"]);
    d.run(&args).fails_with(fragments);
    assert!(
        !d.exists("out") || std::fs::read_dir(d.path("out")).unwrap().next().is_none(),
        "something was written: {:?}",
        d.files()
    );
}

#[test]
fn good_input_passes_the_bad_input_harness() {
    let d = Dir::new();
    d.write("leads.csv", LEADS);
    d.write("calls.csv", CALLS);
    d.run(&[
        "calibrate",
        "--leads",
        "leads.csv",
        "--attempts",
        "calls.csv",
        "--out",
        "out",
    ])
    .ok();
}

#[test]
fn an_unparseable_timestamp_names_line_column_and_value() {
    bad(
        &LEADS.replace("2026-03-03T09:00:00Z", "03/03/2026 9am"),
        None,
        &[],
        &["line 3", "mql_at", "03/03/2026 9am"],
    );
}

#[test]
fn an_sql_before_its_mql_is_an_error() {
    bad(
        &LEADS.replace("2026-03-02T10:00:00Z", "2026-03-01T10:00:00Z"),
        None,
        &[],
        &["L1", "sql_at"],
    );
    // Through a mapping, both fields name the export's own columns.
    bad(
        "Id,Created,Converted\nL1,2026-03-02T08:00:00Z,2026-03-01T10:00:00Z\n",
        None,
        &[
            "--column",
            "leads.lead_id=Id",
            "--column",
            "mql_at=Created",
            "--column",
            "sql_at=Converted",
        ],
        &["line 2", "sql_at (Converted)", "before mql_at (Created)"],
    );
}

#[test]
fn won_without_sql_is_an_error() {
    bad(
        "lead_id,mql_at,sql_at,won_at\nL1,2026-03-02T08:00:00Z,,2026-04-01\n",
        None,
        &[],
        &["L1", "won_at"],
    );
}

#[test]
fn attempts_for_an_unknown_lead_are_an_error() {
    bad(
        LEADS,
        Some(&CALLS.replace("L1,", "L9,")),
        &[],
        &["L9", "line 2"],
    );
}

#[test]
fn a_duplicate_lead_id_is_an_error() {
    bad(&LEADS.replace("L2,", "L1,"), None, &[], &["L1", "line 3"]);
}

#[test]
fn an_as_of_before_the_last_event_is_an_error() {
    bad(
        LEADS,
        Some(CALLS),
        &["--as-of", "2026-03-02"],
        &["2026-04-01"],
    );
}

#[test]
fn a_mapping_that_names_a_missing_column_is_an_error() {
    bad(
        LEADS,
        None,
        &["--column", "sql_at=ConvertedDate"],
        &["ConvertedDate"],
    );
}

#[test]
fn an_unknown_zone_is_an_error() {
    bad(LEADS, None, &["--tz", "Mars/Olympus"], &["Mars/Olympus"]);
}

#[test]
fn a_tiny_export_keeps_defaults_marked_as_such() {
    let d = Dir::new();
    d.write("leads.csv", LEADS);
    let r = d.run(&["calibrate", "--leads", "leads.csv", "--out", "out"]);
    r.ok();
    assert!(r.stdout.contains("kept at their defaults"), "{}", r.stdout);
    let toml = d.read("out/scenario.toml");
    assert!(toml.contains("win_rate = 0.25  # default:"), "{toml}");
}
