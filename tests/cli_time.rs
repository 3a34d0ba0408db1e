//! Time-aware validation through the CLI (issue 13): the holdout is the latest leads whatever
//! the file order, metrics are labelled out-of-time in the summary, the JSON and the report,
//! immature leads are left out and counted, and the training and test periods are compared
//! (base rate, PSI, calibration drift). Each test is named after the pitfall it guards.

mod util;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use util::Dir;

const ROWS: usize = 4000;
const DAYS: usize = 400;

/// A history of `ROWS` leads created over `DAYS` days (10 a day, from 2024-01-01), written in
/// a shuffled order. `x` has the same distribution throughout; `channel` = event rises from 10%
/// to 60% of leads in the last 20% of days, and in those days the log odds of converting move
/// by `shift`.
fn drifting_history(d: &Dir, name: &str, shift: f64, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows: Vec<String> = (0..ROWS)
        .map(|i| {
            let day = i * DAYS / ROWS;
            let late = day >= DAYS * 8 / 10;
            let x: f64 = rng.sample(StandardNormal);
            let event = rng.gen_bool(if late { 0.6 } else { 0.1 });
            let eta = -1.5 + x + if event { 0.5 } else { 0.0 } + if late { shift } else { 0.0 };
            let y = rng.gen_bool(1.0 / (1.0 + (-eta).exp()));
            let date = jiff_free_date(day);
            format!(
                "{date},{x:.4},{},{}",
                if event { "event" } else { "web" },
                u8::from(y)
            )
        })
        .collect();
    // Shuffle so that file order says nothing about time.
    for i in (1..rows.len()).rev() {
        let j = rng.gen_range(0..=i);
        rows.swap(i, j);
    }
    d.write(
        name,
        format!("created,x,channel,converted\n{}\n", rows.join("\n")),
    );
}

/// 2024-01-01 plus `day` days, as ISO text (2024 is a leap year; 400 days end in 2025).
fn jiff_free_date(day: usize) -> String {
    let month_days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut y, mut m, mut d) = (2024, 0usize, day);
    loop {
        let len = if y == 2024 {
            month_days[m]
        } else {
            [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m]
        };
        if d < len {
            break;
        }
        d -= len;
        m += 1;
        if m == 12 {
            m = 0;
            y += 1;
        }
    }
    format!("{y}-{:02}-{:02}", m + 1, d + 1)
}

fn train_json(d: &Dir, args: &[&str]) -> (serde_json::Value, util::Run) {
    let mut all = vec!["train", "--out", "m.json", "--json", "--quiet"];
    all.extend_from_slice(args);
    let r = d.run(&all);
    r.ok();
    (serde_json::from_str(&r.stdout).unwrap(), r)
}

#[test]
fn random_holdout_hides_drift_that_the_latest_leads_show() {
    let d = Dir::new();
    drifting_history(&d, "h.csv", 1.5, 11);
    let (m, r) = train_json(
        &d,
        &[
            "--data",
            "h.csv",
            "--time-column",
            "created",
            "--test-latest",
            "0.2",
        ],
    );
    assert_eq!(m["evaluation"]["kind"], "out-of-time");
    let t = &m["training"]["time_split"];
    // Ten leads a day: the latest 20% are exactly the last 80 days, whatever the file order.
    assert_eq!(
        (t["test_rows"].as_u64(), t["train_rows"].as_u64()),
        (Some(800), Some(3200))
    );
    assert_eq!(t["test_from"], jiff_free_date(320));
    assert_eq!(t["train_to"], jiff_free_date(319));
    assert_eq!(t["test_to"], jiff_free_date(399));
    let drift = &m["drift"];
    // A shift of 1.5 in log odds on 800 rows: the intercept shift's standard error is about
    // 1/sqrt(800 * 0.2) = 0.08, so the estimate lies far outside a 95% interval around 0.
    let cal = &drift["calibration"];
    assert_eq!(cal["drifted"], true, "{cal}");
    let a = cal["intercept_shift"].as_f64().unwrap();
    assert!((a - 1.5).abs() < 4.0 * 0.08, "intercept shift {a}");
    assert!(
        r.stderr.contains("calibration drifted in the test period"),
        "{}",
        r.stderr
    );
    // channel moved from 10% to 60% event: PSI = 0.5 ln 6 + 0.5 ln(9/4) = 1.30; x did not move,
    // and two samples of 3200 and 800 rows over 11 bins give a PSI near 10 (1/3200 + 1/800) =
    // 0.016 by chance, so 0.1 is six times that.
    let field = |name: &str| {
        drift["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == name)
            .unwrap()["psi"]
            .as_f64()
            .unwrap()
    };
    let expected = 0.5 * 6f64.ln() + 0.5 * 2.25f64.ln();
    assert!(
        (field("channel") - expected).abs() < 0.15,
        "channel PSI {}",
        field("channel")
    );
    assert!(field("x") < 0.1, "x PSI {}", field("x"));
    assert_eq!(drift["fields"][0]["field"], "channel", "ranked by PSI");
    // The time column orders rows; it is not a feature.
    let names: Vec<&str> = m["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["(intercept)", "x", "channel=event"]);

    // The printed summary and the report say out-of-time.
    let r = d.run(&[
        "train",
        "--data",
        "h.csv",
        "--time-column",
        "created",
        "--out",
        "m.json",
        "--quiet",
    ]);
    r.ok();
    assert!(
        r.stdout.contains("metrics on out-of-time (800 rows)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&format!(
        "test period     {} to {} (800 rows)",
        jiff_free_date(320),
        jiff_free_date(399)
    )));
    assert!(r.stdout.contains(": DRIFTED"));
    let html = d.read("m.report.html");
    assert!(html.contains("<section id=\"time\""), "no time section");
    assert!(html.contains("Evaluation: out-of-time"));
    assert!(html.contains("<table id=\"psi\""));

    // The random holdout of the same file mixes periods and sees no drift to report.
    let (m, _) = train_json(&d, &["--data", "h.csv"]);
    assert_eq!(m["evaluation"]["kind"], "holdout");
    assert!(m.get("drift").is_none() && m["training"].get("time_split").is_none());
}

#[test]
fn date_column_is_not_one_hot_encoded() {
    // 400 distinct days would become 400 one-hot levels (or a separation error); they are
    // left out with a warning that points at the time column instead.
    let d = Dir::new();
    drifting_history(&d, "h.csv", 0.0, 16);
    let (m, r) = train_json(&d, &["--data", "h.csv"]);
    let names: Vec<&str> = m["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["(intercept)", "x", "channel=event"]);
    assert!(
        r.stderr
            .contains("column \"created\" holds dates: left out of the features"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--time-column"));
    // Forced categorical, it is the analyst's choice.
    let r = d.run(&[
        "train",
        "--data",
        "h.csv",
        "--categorical",
        "created",
        "--min-level-count",
        "1000",
        "--out",
        "m.json",
        "--quiet",
    ]);
    r.ok();
    assert!(!r.stderr.contains("holds dates"));
}

#[test]
fn a_stable_history_does_not_raise_a_calibration_drift_warning() {
    // No shift: the test period is calibrated. Two checks at 5% each can still fire by chance
    // (at most a 10% chance for a given seed); the seed fixes this run.
    let d = Dir::new();
    drifting_history(&d, "h.csv", 0.0, 12);
    let (m, r) = train_json(&d, &["--data", "h.csv", "--time-column", "created"]);
    assert_eq!(
        m["drift"]["calibration"]["drifted"], false,
        "{}",
        m["drift"]["calibration"]
    );
    assert!(!r.stderr.contains("calibration drifted"));
    // The channel shift is still reported.
    assert!(
        r.stderr
            .contains("shifted between the periods (PSI above 0.25): channel"),
        "{}",
        r.stderr
    );
}

#[test]
fn immature_leads_are_not_counted_as_negatives() {
    let d = Dir::new();
    drifting_history(&d, "h.csv", 0.0, 13);
    // As of the last day (day 399), leads younger than 30 days are those of days 370..399; a
    // lead of day 369 is exactly 30 days old and counts.
    let as_of = jiff_free_date(399);
    let (m, r) = train_json(
        &d,
        &[
            "--data",
            "h.csv",
            "--time-column",
            "created",
            "--as-of",
            &as_of,
            "--maturity-days",
            "30",
        ],
    );
    let t = &m["training"]["time_split"];
    assert_eq!(t["immature_rows"], 300, "days 370..399, ten leads a day");
    assert_eq!(t["as_of"], as_of.as_str());
    let used = m["fit"]["rows"].as_u64().unwrap() + m["evaluation"]["rows"].as_u64().unwrap();
    assert_eq!(used + 300, ROWS as u64);
    assert_eq!(t["test_to"], jiff_free_date(369));
    assert!(
        r.stderr.contains("300 lead(s) younger than 30 days at"),
        "{}",
        r.stderr
    );
}

#[test]
fn ambiguous_slash_dates_ask_for_date_format() {
    let d = Dir::new();
    let mut text = String::from("created,x,converted\n");
    for i in 0..40 {
        text.push_str(&format!(
            "{:02}/{:02}/2024,{},{}\n",
            1 + i % 12,
            1 + i % 12,
            i % 7,
            i % 2
        ));
    }
    d.write("h.csv", &text);
    d.run(&[
        "train",
        "--data",
        "h.csv",
        "--time-column",
        "created",
        "--out",
        "m.json",
    ])
    .fails_with(&[
        "h.csv",
        "time column \"created\"",
        "\"01/01/2024\" (line 2)",
        "--date-format",
    ]);
    assert!(!d.exists("m.json"));
    // Told the format, it trains.
    d.run(&[
        "train",
        "--data",
        "h.csv",
        "--time-column",
        "created",
        "--date-format",
        "dd/mm/yyyy",
        "--out",
        "m.json",
        "--quiet",
    ])
    .ok();
}

#[test]
fn unreadable_time_value_names_line_column_and_value() {
    let d = Dir::new();
    d.write(
        "h.csv",
        "created,x,converted\n2024-01-01,1,0\n2024-01-02,2,1\n2024-13-01,3,0\n",
    );
    d.run(&[
        "train",
        "--data",
        "h.csv",
        "--time-column",
        "created",
        "--out",
        "m.json",
    ])
    .fails_with(&["h.csv, line 4, time column \"created\"", "\"2024-13-01\""]);
}

#[test]
fn folds_with_a_time_column_are_refused_naming_the_flag() {
    let d = Dir::new();
    drifting_history(&d, "h.csv", 0.0, 14);
    d.run(&[
        "train",
        "--data",
        "h.csv",
        "--time-column",
        "created",
        "--folds",
        "5",
        "--out",
        "m.json",
    ])
    .fails_with(&["invalid folds = 5", "mix periods", "--folds"]);
    d.run(&[
        "train",
        "--data",
        "h.csv",
        "--time-column",
        "created",
        "--test-after",
        "2030-01-01",
        "--out",
        "m.json",
    ])
    .fails_with(&["the test period is empty", "2030-01-01"]);
    assert!(!d.exists("m.json"));
}

#[test]
fn scoring_does_not_need_the_time_column() {
    let d = Dir::new();
    drifting_history(&d, "h.csv", 0.0, 15);
    d.run(&[
        "train",
        "--data",
        "h.csv",
        "--time-column",
        "created",
        "--test-after",
        "2024-12-31",
        "--out",
        "m.json",
        "--quiet",
    ])
    .ok();
    d.write("new.csv", "x,channel\n0.5,web\n-1,event\n");
    d.run(&[
        "score", "--model", "m.json", "--data", "new.csv", "--out", "s.csv", "--quiet",
    ])
    .ok();
    assert_eq!(d.read("s.csv").lines().count(), 3);
}
