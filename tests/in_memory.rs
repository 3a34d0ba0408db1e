//! The in-memory entry points (used by the Python package) against the file-based ones on the
//! same rows: a table loaded from a CSV, or built column by column from its texts, trains the
//! same model and scores and evaluates to the same values as the CSV itself; a set cancel flag
//! stops scoring and simulation with `Error::Cancelled`.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use leadsim::data::{ColumnBuilder, CsvOptions, Table};
use leadsim::generate::{write_history, Preset};
use leadsim::scoring::train::{train, train_table, Silent, TrainOptions, TrainingSource};
use leadsim::scoring::{
    evaluate_file, evaluate_table, score_file, score_table, EvaluateOptions, Model, ScoreOptions,
};
use leadsim::sim::{run_cancellable, run_with, Analysis, RunOptions, ScenarioFile};
use leadsim::Error;

fn history(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("history.csv");
    write_history(&path, Preset::B2bSaas, 3_000, 11).unwrap();
    path
}

/// The model file's JSON without the fields that are timings or describe the file.
fn comparable(model: &Model) -> serde_json::Value {
    let mut v = serde_json::to_value(model).unwrap();
    for key in ["fit_seconds", "load_seconds"] {
        v["fit"].as_object_mut().unwrap().remove(key);
    }
    for key in ["data_file", "data_sha256"] {
        v["training"].as_object_mut().unwrap().remove(key);
    }
    v
}

/// The table rebuilt column by column from its own texts, as a binding builds one.
fn rebuilt(table: &Table) -> Table {
    let columns = (0..table.headers().len())
        .map(|c| {
            let mut b = ColumnBuilder::new(table.headers()[c].clone());
            for r in 0..table.rows() {
                b.push(table.value(r, c));
            }
            b
        })
        .collect();
    Table::from_columns("<frame>", columns).unwrap()
}

#[test]
fn a_table_trains_scores_and_evaluates_as_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = history(dir.path());
    let opts = TrainOptions {
        data: path.clone(),
        target: Some("converted".into()),
        exclude: vec!["deal_value".into()],
        ..Default::default()
    };
    let from_file = train(&opts, &Silent).unwrap();
    let table = Table::load(&path, &CsvOptions::default(), None).unwrap();
    let memory = rebuilt(&table);
    let source = || TrainingSource {
        file: "<frame>".into(),
        load_seconds: 0.0,
        sha256: Box::new(|| Ok(String::new())),
    };
    let from_table = train_table(&memory, source(), &opts, &Silent).unwrap();
    assert_eq!(comparable(&from_table), comparable(&from_file));
    assert_eq!(from_table.training.data_file, "<frame>");

    // Scoring: the CSV `leadsim score` writes, rebuilt from the table's scores.
    let out = dir.path().join("scored.csv");
    score_file(
        &from_file,
        &ScoreOptions {
            data: path.clone(),
            out: out.clone(),
            explain: 2,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    let scores = score_table(&from_file, &memory, None, 2, None).unwrap();
    let id = scores
        .id_column
        .expect("the model's id column is in the table");
    assert_eq!(memory.headers()[id], "lead_id");
    let mut lines = vec![format!("lead_id,score,band,up_1,up_2,down_1,down_2")];
    for r in 0..memory.rows() {
        let mut fields = vec![
            memory.value(r, id).to_string(),
            format!("{:.6}", scores.scores[r]),
            scores.bands[r].clone(),
        ];
        fields.extend(scores.factors.iter().map(|c| c[r].clone()));
        lines.push(fields.join(","));
    }
    assert_eq!(written.lines().collect::<Vec<_>>(), lines);

    let from_csv = evaluate_file(
        &from_file,
        &EvaluateOptions {
            data: path,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap();
    let in_memory = evaluate_table(&from_file, &memory, None, None, None).unwrap();
    assert_eq!(
        serde_json::to_value(&in_memory).unwrap(),
        serde_json::to_value(&from_csv).unwrap()
    );
}

#[test]
fn a_bad_value_names_the_line_it_has_in_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = history(dir.path());
    let model = train(
        &TrainOptions {
            data: path.clone(),
            target: Some("converted".into()),
            ..Default::default()
        },
        &Silent,
    )
    .unwrap();
    let table = Table::load(&path, &CsvOptions::default(), None).unwrap();
    let column = table.column_index("page_views").unwrap();
    let columns = (0..table.headers().len())
        .map(|c| {
            let mut b = ColumnBuilder::new(table.headers()[c].clone());
            for r in 0..table.rows() {
                b.push(if (c, r) == (column, 2_000) {
                    "many"
                } else {
                    table.value(r, c)
                });
            }
            b
        })
        .collect();
    let bad = Table::from_columns("<frame>", columns).unwrap();
    let e = score_table(&model, &bad, None, 0, None).unwrap_err();
    assert!(
        matches!(&e, Error::BadValue { line: 2002, column, value, .. } if column == "page_views" && value == "many"),
        "{e:?}"
    );
}

#[test]
fn a_set_cancel_flag_stops_scoring_and_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let path = history(dir.path());
    let model = train(
        &TrainOptions {
            data: path.clone(),
            target: Some("converted".into()),
            ..Default::default()
        },
        &Silent,
    )
    .unwrap();
    let table = Table::load(&path, &CsvOptions::default(), None).unwrap();
    let set = AtomicBool::new(true);
    let unset = AtomicBool::new(false);
    assert!(matches!(
        score_table(&model, &table, None, 0, Some(&set)),
        Err(Error::Cancelled)
    ));
    assert!(matches!(
        evaluate_table(&model, &table, None, None, Some(&set)),
        Err(Error::Cancelled)
    ));
    assert_eq!(
        score_table(&model, &table, None, 1, Some(&unset)).unwrap(),
        score_table(&model, &table, None, 1, None).unwrap()
    );

    let file = ScenarioFile::load("data/scenarios/handover.toml").unwrap();
    let opts = RunOptions {
        replications: Some(4),
        threads: Some(2),
        ..Default::default()
    };
    let analysis = Analysis::default();
    assert!(matches!(
        run_cancellable(&file, &opts, &analysis, Some(&set)),
        Err(Error::Cancelled)
    ));
    let plain = run_with(&file, &opts, &analysis).unwrap();
    let unset_run = run_cancellable(&file, &opts, &analysis, Some(&unset)).unwrap();
    assert_eq!(
        serde_json::to_string(&unset_run).unwrap(),
        serde_json::to_string(&plain).unwrap()
    );
}
