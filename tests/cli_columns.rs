//! Columns recognised for what they are (issue 13): ids, unique texts, leaks, empty and
//! constant columns. Each test is named after the pitfall it guards.

mod util;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use util::Dir;

/// `n` leads with one real signal `x`, a 0/1 outcome, and `extra(i, y)` appended to each row.
fn leads(
    n: usize,
    seed: u64,
    header_extra: &str,
    mut extra: impl FnMut(usize, bool) -> String,
) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = format!("x,converted{header_extra}\n");
    for i in 0..n {
        let x: f64 = rng.gen_range(-2.0..2.0);
        let y = rng.gen_bool(1.0 / (1.0 + (1.0 - x).exp()));
        s.push_str(&format!("{x:.3},{}{}\n", u8::from(y), extra(i, y)));
    }
    s
}

fn coefficient_names(model: &serde_json::Value) -> Vec<String> {
    model["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn unique_numeric_lead_number_is_not_a_feature() {
    // X Education's "Lead Number": a unique integer per row, shuffled, with a key-like name;
    // and a row counter (a monotone sequence counts as a key from 1000 rows on).
    let d = Dir::new();
    let mut ids: Vec<u64> = (0..1200).map(|i| 660_000 + 7 * i).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.gen_range(0..=i));
    }
    d.write(
        "h.csv",
        leads(1200, 1, ",Lead Number,seq", |i, _| {
            format!(",{},{}", ids[i], 1000 + i)
        }),
    );
    let r = d.run(&[
        "train", "--data", "h.csv", "--out", "m.json", "--json", "--quiet",
    ]);
    r.ok();
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(coefficient_names(&m), ["(intercept)", "x"]);
    assert!(r.stderr.contains("column \"Lead Number\" looks like an identifier (a unique number per row, with an id-like name)"), "{}", r.stderr);
    assert!(r.stderr.contains("column \"seq\" looks like an identifier (a unique number per row, in a strictly monotone sequence down the file)"), "{}", r.stderr);
    // --numeric keeps it as a feature.
    let r = d.run(&[
        "train",
        "--data",
        "h.csv",
        "--numeric",
        "Lead Number",
        "--exclude",
        "seq",
        "--out",
        "m.json",
        "--json",
        "--quiet",
    ]);
    r.ok();
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(coefficient_names(&m), ["(intercept)", "x", "Lead Number"]);
}

#[test]
fn unique_text_column_is_dropped_with_a_warning_naming_it() {
    let d = Dir::new();
    d.write(
        "h.csv",
        leads(400, 2, ",email", |i, _| format!(",lead{i}@example.com")),
    );
    let r = d.run(&[
        "train", "--data", "h.csv", "--out", "m.json", "--json", "--quiet",
    ]);
    r.ok();
    // 320 training rows after the 20% holdout, each with its own address.
    assert!(
        r.stderr.contains("column \"email\" dropped: all of its 320 distinct values have fewer than 10 training rows each"),
        "{}",
        r.stderr
    );
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let columns: Vec<&str> = m["encoder"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["column"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        ["x"],
        "the model does not keep what it does not use"
    );
}

#[test]
fn scoring_does_not_ask_for_a_trailing_empty_column_or_a_dropped_constant_one() {
    // A trailing delimiter gives a column named "" with no values; Magazine is always "No".
    let d = Dir::new();
    d.write(
        "h.csv",
        leads(300, 3, ",Magazine,", |_, _| ",No,".to_string()),
    );
    d.run(&["train", "--data", "h.csv", "--out", "m.json", "--quiet"])
        .ok();
    d.write("new.csv", "x\n0.5\n-1.5\n");
    d.run(&[
        "score", "--model", "m.json", "--data", "new.csv", "--out", "s.csv", "--quiet",
    ])
    .ok();
    assert_eq!(d.read("s.csv").lines().count(), 3);
}

#[test]
fn column_known_only_after_the_outcome_is_named_as_a_likely_leak() {
    // "duration" overlaps between the classes (so the fit works) but ranks them almost
    // perfectly: converters' calls last 10 +- 2 minutes, the others' 3 +- 2 (AUC about 0.99).
    let d = Dir::new();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    d.write(
        "h.csv",
        leads(800, 5, ",duration", |_, y| {
            let noise: f64 = rng.gen_range(-2.0..2.0);
            format!(",{:.2}", if y { 10.0 } else { 3.0 } + 2.0 * noise)
        }),
    );
    let r = d.run(&["train", "--data", "h.csv", "--out", "m.json", "--quiet"]);
    r.ok();
    assert!(r.stderr.contains("likely leak: column \"duration\" predicts the outcome almost perfectly on its own (single-field ROC AUC"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("column \"x\" predicts"),
        "x is a real signal, not a leak"
    );
}

#[test]
fn separation_by_a_leaking_level_is_explained_in_the_error() {
    // Tag "closed" appears only on converters (about 60 of them): the classes separate, and the
    // error says which level leaks before the fit.
    let d = Dir::new();
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    d.write(
        "h.csv",
        leads(800, 6, ",tag", |_, y| {
            let tag = if y && rng.gen_bool(0.3) {
                "closed"
            } else if rng.gen_bool(0.5) {
                "a"
            } else {
                "b"
            };
            format!(",{tag}")
        }),
    );
    d.run(&["train", "--data", "h.csv", "--out", "m.json", "--quiet"])
        .fails_with(&[
            "perfect separation",
            "likely leak: level \"closed\" of column \"tag\" is positive in all",
        ]);
    assert!(!d.exists("m.json"));
}

#[test]
fn european_export_with_decimal_commas_reads_numbers() {
    // A ;-separated export whose numbers are written 9,7: read as numbers (and said so), not
    // as hundreds of categorical levels.
    let d = Dir::new();
    let text = leads(500, 7, ",deal", |i, _| format!(",{},{}", i % 13, i % 7))
        .lines()
        .map(|l| {
            // x,converted,a,b -> "x with a decimal comma;converted;a,b": deal is a,b (3,5),
            // a number with a decimal comma too.
            let f: Vec<&str> = l.split(',').collect();
            format!("{};{};{}", f[0].replace('.', ","), f[1], f[2..].join(","))
        })
        .collect::<Vec<_>>()
        .join("\n");
    d.write("eu.csv", format!("{text}\n"));
    let r = d.run(&[
        "train", "--data", "eu.csv", "--out", "m.json", "--json", "--quiet",
    ]);
    r.ok();
    assert!(r.stderr.contains("decimal commas read as decimal points in 2 column(s) of this ;-separated file: \"x\", \"deal\""), "{}", r.stderr);
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(coefficient_names(&m), ["(intercept)", "x", "deal"]);
    let slope = m["coefficients"][1]["estimate"].as_f64().unwrap();
    assert!(
        (slope - 1.0).abs() < 0.5,
        "x is generated with slope 1: {slope}"
    );
    // Scoring a file of the same kind follows the model.
    d.write("new.csv", "x;deal\n1,5;0,25\n-0,5;3\n");
    d.run(&[
        "score", "--model", "m.json", "--data", "new.csv", "--out", "s.csv", "--quiet",
    ])
    .ok();
    assert_eq!(d.read("s.csv").lines().count(), 3);
    // --decimal . turns detection off: x is then text.
    let r = d.run(&[
        "train",
        "--data",
        "eu.csv",
        "--decimal",
        ".",
        "--alpha",
        "1",
        "--out",
        "m2.json",
        "--json",
        "--quiet",
    ]);
    r.ok();
    assert!(!r.stderr.contains("decimal commas read"));
}

#[test]
fn separation_names_every_separating_field_in_one_message() {
    // Two features separate the classes, each on its own: one run names both (it took a run
    // per feature before).
    let d = Dir::new();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    d.write(
        "h.csv",
        leads(600, 8, ",won_flag,stage", |_, y| {
            let flag = u8::from(y && rng.gen_bool(0.5));
            let stage = if !y && rng.gen_bool(0.4) {
                "lost"
            } else if rng.gen_bool(0.5) {
                "open"
            } else {
                "new"
            };
            format!(",{flag},{stage}")
        }),
    );
    d.run(&["train", "--data", "h.csv", "--out", "m.json", "--quiet"])
        .fails_with(&[
            "perfect separation",
            "feature \"won_flag\"",
            "1 more feature(s) separate the classes on their own",
            "feature \"stage=lost\"",
        ]);
}
