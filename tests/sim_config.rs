//! Scenario-file validation: every bad value is an `Error::Config` naming its key path.

use std::path::Path;

use leadsim::error::ConfigProblem;
use leadsim::sim::{ScenarioFile, Warning};
use leadsim::Error;

const EXAMPLE: &str = include_str!("../data/scenarios/handover.toml");

fn parse(text: &str) -> leadsim::Result<ScenarioFile> {
    ScenarioFile::from_toml_str(text, Path::new("s.toml"))
}

/// The field path and the problem of the config error `text` gives.
fn config_problem(text: &str) -> (String, ConfigProblem) {
    match parse(text) {
        Err(Error::Config { field, problem, .. }) => (field, problem),
        other => panic!("expected a config error, got {other:?}"),
    }
}

/// The field path and the message of the config error `text` gives.
fn config_error(text: &str) -> (String, String) {
    let (field, problem) = config_problem(text);
    (field, problem.to_string())
}

#[test]
fn integer_literals_are_numbers() {
    let f = parse(EXAMPLE).unwrap();
    assert_eq!(f.scenarios[0].arrivals.rate_per_day, 40.0);
    assert_eq!(f.scenarios[0].pools[0].count, 4);
    assert_eq!(f.scenarios[1].pools[0].count, 6);
    assert_eq!(f.scenarios[1].policy.threshold, 0.2);
    // Untouched fields come from the file.
    assert_eq!(f.scenarios[1].policy.max_attempts, 6);
    assert_eq!(
        f.scenarios[2].pools[0].discipline,
        leadsim::sim::model::Discipline::Lifo
    );
}

#[test]
fn unknown_keys_name_the_path_and_suggest() {
    let (field, problem) = config_problem(&EXAMPLE.replace("threshold = 0.3", "treshold = 0.3"));
    assert_eq!(field, "policy.treshold");
    assert_eq!(
        problem,
        ConfigProblem::UnknownKey {
            suggestion: Some("threshold".into())
        }
    );
    let message = problem.to_string();
    assert!(message.contains("did you mean \"threshold\""), "{message}");
    let (field, message) = config_error(&EXAMPLE.replace(
        "[scenario.pools.sdr]\ncount = 6",
        "[scenario.pools.sdr]\ncont = 6",
    ));
    assert_eq!(field, "scenario[1].pools.sdr.cont");
    assert!(message.contains("\"count\""));
    let (field, message) =
        config_error(&EXAMPLE.replace("cv = 0.5 }\ntalk", "cv = 0.5, median = 3 }\ntalk"));
    assert_eq!(field, "pools.sdr.handle_minutes");
    assert!(message.contains("not both"));
    assert!(matches!(
        config_problem(&EXAMPLE.replace("cv = 0.5 }\ntalk", "cv = 0.5, median = 3 }\ntalk")).1,
        ConfigProblem::LognormalBothForms
    ));
    let (field, message) =
        config_error(&EXAMPLE.replace("cv = 0.5 }\ntalk", "cv = 0.5, mode = 3 }\ntalk"));
    assert_eq!(field, "pools.sdr.handle_minutes.mode");
    assert!(message.contains("unknown key"));
}

#[test]
fn out_of_range_values_name_the_field() {
    let cases = [
        (
            "contactable = 0.6",
            "contactable = 1.6",
            "policy.contactable",
        ),
        (
            "rate_per_day = 40",
            "rate_per_day = -1",
            "arrivals.rate_per_day",
        ),
        (
            "reach = [0.39, 0.54, 0.39, 0.29, 0.25, 0.25]",
            "reach = [0.39, 0.54]",
            "policy.reach",
        ),
        (
            "gap_hours = [1.0, 24.0, 48.0, 96.0, 168.0]",
            "gap_hours = [1.0]",
            "policy.gap_hours",
        ),
        (
            "start = 9.0, end = 17.0",
            "start = 17.0, end = 9.0",
            "pools.sdr.hours",
        ),
        ("days = \"mon-fri\"", "days = \"\"", "pools.sdr.hours"),
        ("win_rate = 0.25", "win_rate = 2", "outcomes.win_rate"),
        ("share = 0.15", "share = -0.1", "outcomes.share"),
        (
            "discipline = \"fifo\"",
            "discipline = \"fifa\"",
            "pools.sdr.discipline",
        ),
        ("band = [0.0, 1.0]", "band = [0.5, 1.0]", "pools.sdr.band"),
        ("band = [0.0, 1.0]", "band = [0.0, 0.8]", "pools.sdr.band"),
        (
            "mean = 8.0, cv = 0.5",
            "mean = -8.0, cv = 0.5",
            "pools.sdr.handle_minutes.mean",
        ),
        (
            "[1.0, 0.75], [24.0, 0.45]",
            "[1.0, 0.75], [24.0, 0.95]",
            "policy.speed_to_lead.table[2]",
        ),
        ("count = 4", "count = 0", "pools.sdr.count"),
        (
            "warmup_days = 14",
            "warmup_days = 90",
            "arrivals.warmup_days",
        ),
        ("shape = 1.26", "shape = 0", "outcomes.decision.shape"),
    ];
    for (from, to, field) in cases {
        assert!(EXAMPLE.contains(from), "{from}");
        let (got, message) = config_error(&EXAMPLE.replacen(from, to, 1));
        assert_eq!(got, field, "{to}: {message}");
    }
}

#[test]
fn overlapping_and_gapped_bands_are_errors() {
    let base = EXAMPLE.split("[[scenario]]").next().unwrap();
    let two = |a: &str, b: &str| {
        format!(
            "{}\n[pools.ae]\ncount = 2\nband = {b}\n",
            base.replace("band = [0.0, 1.0]", &format!("band = {a}"))
        )
    };
    let (field, problem) = config_problem(&two("[0.0, 0.8]", "[0.7, 1.0]"));
    let message = problem.to_string();
    assert!(
        field.ends_with(".band") && message.contains("overlaps"),
        "{field}: {message}"
    );
    assert!(
        matches!(&problem, ConfigProblem::BandOverlap { band, other_band, .. }
            if *band == [0.7, 1.0] && *other_band == [0.0, 0.8]),
        "{problem:?}"
    );
    let (field, problem) = config_problem(&two("[0.0, 0.6]", "[0.7, 1.0]"));
    let message = problem.to_string();
    assert!(
        field.ends_with(".band") && message.contains("gap"),
        "{field}: {message}"
    );
    assert_eq!(problem, ConfigProblem::BandGap { from: 0.6, to: 0.7 });
    let f = parse(&two("[0.0, 0.7]", "[0.7, 1.0]")).unwrap();
    assert_eq!(f.scenarios[0].pools.len(), 2);
}

#[test]
fn scenarios_need_unique_names_and_no_file_level_keys() {
    let (field, problem) = config_problem(&format!("{EXAMPLE}\n[[scenario]]\nname = \"today\"\n"));
    assert_eq!(field, "scenario[3].name");
    assert_eq!(
        problem,
        ConfigProblem::DuplicateName {
            name: "today".into()
        }
    );
    let (field, message) = config_error(&format!(
        "{EXAMPLE}\n[[scenario]]\nname = \"x\"\nseed = 3\n"
    ));
    assert_eq!(field, "scenario[3].seed");
    assert!(message.contains("unknown key"));
}

#[test]
fn syntax_errors_name_the_line() {
    let (field, problem) = config_problem("name = \"x\"\n[arrivals\n");
    assert_eq!(field, "line 2");
    assert!(
        matches!(problem, ConfigProblem::Syntax { .. }),
        "{problem:?}"
    );
}

#[test]
fn overloaded_pool_without_patience_warns() {
    // One rep against 400 MQLs a business day: far more work than one rep's shifts hold.
    let overloaded = EXAMPLE
        .replace("count = 4", "count = 1")
        .replace("rate_per_day = 40", "rate_per_day = 400");
    let f = parse(&overloaded).unwrap();
    let w = leadsim::sim::warnings(&f);
    assert!(
        w.iter().any(|w| {
            let text = w.to_string();
            text.contains("\"sdr\"") && text.contains("without bound")
        }),
        "{w:?}"
    );
    assert!(
        w.iter().all(
            |w| matches!(w, Warning::UnboundedQueue { pool, reps, offered, .. }
            if pool == "sdr" && *offered > f64::from(*reps))
        ),
        "{w:?}"
    );
    let f = parse(&overloaded.replace("# patience_hours = 48.0", "patience_hours = 48.0")).unwrap();
    assert!(leadsim::sim::warnings(&f).is_empty());
}

#[test]
fn table_population_resolves_relative_to_the_scenario_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("scored.csv"),
        "id,score,deal_value\n1,0.9,1000\n2,0.1,2000\n",
    )
    .unwrap();
    let text = EXAMPLE.replace(
        "generator = \"b2b-saas\"",
        "table = \"scored.csv\"\nvalue_column = \"deal_value\"",
    );
    let path = dir.path().join("s.toml");
    std::fs::write(&path, &text).unwrap();
    let f = ScenarioFile::load(&path).unwrap();
    let opts = leadsim::sim::RunOptions {
        replications: Some(2),
        ..Default::default()
    };
    let r = leadsim::sim::run(&f, &opts).unwrap();
    let handed = r.summary("today", "handed_over").unwrap().value.mean;
    let mqls = r.summary("today", "mqls").unwrap().value.mean;
    assert!(
        handed > 0.35 * mqls && handed < 0.65 * mqls,
        "{handed} of {mqls}"
    );

    std::fs::write(
        &path,
        text.replace(
            "value_column = \"deal_value\"",
            "value_column = \"dael_value\"",
        ),
    )
    .unwrap();
    match ScenarioFile::load(&path) {
        Err(Error::UnknownColumn { column, hint, .. }) => {
            assert_eq!(column, "dael_value");
            assert!(hint.contains("deal_value"));
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(dir.path().join("scored.csv"), "score\n1.5\n").unwrap();
    std::fs::write(&path, text.replace("value_column = \"deal_value\"", "")).unwrap();
    assert!(matches!(
        ScenarioFile::load(&path),
        Err(Error::BadValue { line: 2, .. })
    ));
}

#[test]
fn arrival_profiles_are_checked() {
    let with = |line: &str| {
        EXAMPLE.replace(
            "calendar = \"business\" ",
            &format!("{line}\ncalendar = \"business\" "),
        )
    };
    let (field, problem) = config_problem(&with("weekday_profile = [1, 1, 1]"));
    assert_eq!(field, "arrivals.weekday_profile");
    assert!(problem.to_string().contains("7"));
    assert_eq!(
        problem,
        ConfigProblem::WrongLength {
            expected: 7,
            found: 3
        }
    );
    let (field, _) = config_error(&with(
        "hour_profile = [0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
    ));
    assert_eq!(field, "arrivals.hour_profile[9]");
    let f = parse(&with("weekday_profile = [1.2, 1, 1, 1, 0.8, 0, 0]")).unwrap();
    let spelled = EXAMPLE.replace("speed_to_lead = { table = [[0.0, 1.0], [1.0, 0.75], [24.0, 0.45], [72.0, 0.35], [720.0, 0.25]] }", "speed_to_lead = { exponential = { per_hour = 0.5 } }");
    assert!(
        matches!(parse(&spelled).unwrap().scenarios[0].policy.speed_to_lead, leadsim::sim::model::SpeedToLead::ExponentialPerHour(k) if k == 0.5)
    );
    assert_eq!(f.scenarios[0].arrivals.weekday_profile[0], 1.2);
}

#[test]
fn replayed_arrivals_use_the_table_rows_and_times() {
    let dir = tempfile::tempdir().unwrap();
    // 30 leads over the first 3 weeks (one every 12 h), scores alternating low and high.
    let mut csv = String::from("score,arrived_h\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "{},{}\n",
            if i % 2 == 0 { 0.1 } else { 0.9 },
            12.0 * f64::from(i)
        ));
    }
    csv.push_str("0.9,1000000\n"); // after arrival_days: ignored
    std::fs::write(dir.path().join("history.csv"), csv).unwrap();
    let text = r#"
[population]
table = "history.csv"
[arrivals]
replay = "arrived_h"
arrival_days = 21
warmup_days = 7
[pools.sdr]
count = 2
[policy]
threshold = 0.5
"#;
    let path = dir.path().join("replay.toml");
    std::fs::write(&path, text).unwrap();
    let f = ScenarioFile::load(&path).unwrap();
    let r = leadsim::sim::run(
        &f,
        &leadsim::sim::RunOptions {
            replications: Some(3),
            ..Default::default()
        },
    )
    .unwrap();
    // Rows 14..29 arrive in [168 h, 504 h): 16 counted leads, half of them above the threshold,
    // in every replication.
    assert_eq!(r.column("baseline", "mqls").unwrap(), vec![16.0; 3]);
    assert_eq!(r.column("baseline", "handed_over").unwrap(), vec![8.0; 3]);

    std::fs::write(
        &path,
        text.replace("table = \"history.csv\"", "constant = { score = 0.5 }"),
    )
    .unwrap();
    assert!(
        matches!(ScenarioFile::load(&path), Err(Error::Config { field, problem: ConfigProblem::ReplayNeedsTable, .. }) if field == "arrivals.replay")
    );
}
