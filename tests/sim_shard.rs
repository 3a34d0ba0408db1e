//! Sharded runs: `simulate --shard I/N` then `merge` gives, byte for byte, the files of one
//! unsharded run with the same seed, whatever the thread counts; and merge names every shard
//! that is missing, duplicated or from another run.

mod util;

use std::path::{Path, PathBuf};

use leadsim::sim::{
    merge, run_shard, run_with, write_outputs, Analysis, PrecisionTarget, RunOptions,
    ScenarioSource, Shard,
};
use leadsim::Error;
use util::{root, Dir};

fn handover() -> String {
    root()
        .join("data/scenarios/handover.toml")
        .display()
        .to_string()
}

/// Every file of `a` exists in `b` with the same bytes (summary.csv, summary.json,
/// replications.csv and report.html when the report is written).
fn assert_same_files(a: &Path, b: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for must in ["replications.csv", "summary.csv", "summary.json"] {
        assert!(names.iter().any(|n| n == must), "{must} missing in {a:?}");
    }
    for n in &names {
        let x = std::fs::read(a.join(n)).unwrap();
        let y = std::fs::read(b.join(n)).unwrap_or_else(|e| panic!("{n} in {b:?}: {e}"));
        assert!(x == y, "{n} differs between {a:?} and {b:?}");
    }
}

/// Shards of a run, each written by the CLI into its own folder with its own thread count.
fn shards(dir: &Dir, file: &str, n: usize, extra: &[&str]) -> Vec<String> {
    (1..=n)
        .map(|i| {
            let out = format!("s{i}");
            let shard = format!("{i}/{n}");
            let threads = (1 + i % 3).to_string();
            let mut args = vec![
                "simulate",
                file,
                "--shard",
                &shard,
                "--out",
                &out,
                "--threads",
                &threads,
            ];
            args.extend_from_slice(extra);
            let run = dir.run(&args);
            run.ok();
            // One line, not the table.
            assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
            assert!(run.stdout.starts_with(&format!("shard {i}/{n}: ran ")));
            out
        })
        .collect()
}

const RUN: [&str; 4] = ["--seed", "7", "--replications", "4"];

#[test]
fn merged_shards_equal_a_single_process_run_byte_for_byte() {
    let dir = Dir::new();
    let file = handover();
    let mut args = vec!["simulate", &file, "--out", "single", "--threads", "2"];
    args.extend_from_slice(&RUN);
    dir.run(&args).ok();
    // Three shards with 1, 2 and 3 threads, merged in scrambled order.
    let s = shards(&dir, &file, 3, &RUN);
    let run = dir.run(&["merge", &s[2], &s[0], &s[1], "--out", "merged"]);
    run.ok();
    assert!(run.stdout.contains("merged 3 shards"));
    assert!(run
        .stdout
        .contains("Handover policy review: 4 replications, seed 7"));
    assert_same_files(&dir.path("single"), &dir.path("merged"));
}

#[test]
fn a_sharded_sweep_keeps_its_grid_and_ranking() {
    let dir = Dir::new();
    let file = root()
        .join("data/scenarios/sweep.toml")
        .display()
        .to_string();
    let run = ["--seed", "5", "--replications", "3"];
    let mut args = vec!["simulate", &file, "--out", "single", "--quiet"];
    args.extend_from_slice(&run);
    dir.run(&args).ok();
    let s = shards(&dir, &file, 5, &run);
    let mut args = vec!["merge", "--out", "merged"];
    args.extend(s.iter().map(String::as_str));
    dir.run(&args).ok();
    assert!(dir.read("merged/summary.json").contains("\"sweep\""));
    assert_same_files(&dir.path("single"), &dir.path("merged"));
}

#[test]
fn uneven_shards_several_to_a_folder_merge_to_the_same_output() {
    let dir = Dir::new();
    let file = handover();
    let mut args = vec!["simulate", &file, "--out", "single", "--objective", "sqls"];
    args.extend_from_slice(&["--seed", "3", "--replications", "5"]);
    dir.run(&args).ok();
    // 15 units in 4 shards (3, 4, 4, 4), two shards to a folder; the objective travels with them.
    for (i, out) in [(1, "a"), (2, "a"), (3, "b"), (4, "b")] {
        let shard = format!("{i}/4");
        dir.run(&[
            "simulate",
            &file,
            "--shard",
            &shard,
            "--out",
            out,
            "--seed",
            "3",
            "--replications",
            "5",
            "--objective",
            "sqls",
        ])
        .ok();
    }
    dir.run(&["merge", "a", "b", "--out", "merged"]).ok();
    assert_same_files(&dir.path("single"), &dir.path("merged"));
}

#[test]
fn more_shards_than_units_leaves_empty_shards_that_still_merge() {
    let dir = Dir::new();
    let source = ScenarioSource::load(handover()).unwrap();
    let opts = RunOptions {
        seed: Some(11),
        replications: Some(2),
        threads: Some(1),
        progress: None,
    };
    let analysis = Analysis::default();
    let single = run_with(source.file(), &opts, &analysis).unwrap();
    write_outputs(&single, dir.path("single")).unwrap();
    let n = 10; // 6 units
    let mut sizes = Vec::new();
    for i in 1..=n {
        let p = run_shard(&source, Shard::new(i, n).unwrap(), &opts, &analysis).unwrap();
        sizes.push(p.units());
        p.write(dir.path("shards")).unwrap();
    }
    assert_eq!(sizes.iter().sum::<usize>(), 6);
    assert!(sizes.contains(&0));
    let merged = merge(&[dir.path("shards")], None).unwrap();
    assert_eq!(merged.shards, n);
    write_outputs(&merged.results, dir.path("merged")).unwrap();
    assert_same_files(&dir.path("single"), &dir.path("merged"));
}

#[test]
fn missing_and_duplicated_shards_are_named() {
    let dir = Dir::new();
    let file = handover();
    let s = shards(&dir, &file, 3, &RUN);
    dir.run(&["merge", &s[0], &s[2], "--out", "m"])
        .fails_with(&["missing shard 2/3"]);
    std::fs::create_dir(dir.path("again")).unwrap();
    std::fs::copy(
        dir.path("s1/shard-1-of-3.json"),
        dir.path("again/shard-1-of-3.json"),
    )
    .unwrap();
    dir.run(&["merge", "s1", "s2", "s3", "again", "--out", "m"])
        .fails_with(&[
            "shard 1/3 appears 2 times",
            "s1/shard-1-of-3.json",
            "again/shard-1-of-3.json",
        ]);
    dir.run(&["merge", "again", "s3", "--out", "m"])
        .fails_with(&["missing shard 2/3"]);
    assert!(!dir.exists("m"), "a failed merge writes nothing");

    let err = merge(&[dir.path("s1"), dir.path("s3")], None)
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::MissingShards { count: 3, missing, duplicated, .. }
            if *missing == [2] && duplicated.is_empty()),
        "{err:?}"
    );
}

#[test]
fn shards_of_another_run_are_refused_naming_the_field_and_files() {
    let dir = Dir::new();
    let file = handover();
    let s = shards(&dir, &file, 3, &RUN);
    let other = |args: &[&str]| {
        let _ = std::fs::remove_dir_all(dir.path("x"));
        let mut a = vec!["simulate", &file, "--shard", "2/3", "--out", "x"];
        a.extend_from_slice(args);
        dir.run(&a).ok();
        dir.run(&["merge", &s[0], "x", &s[2], "--out", "m"])
    };
    other(&["--seed", "8", "--replications", "4"]).fails_with(&[
        "x/shard-2-of-3.json",
        "seed: 8 here but 7 in",
        "s1/shard-1-of-3.json",
    ]);
    other(&["--seed", "7", "--replications", "5"]).fails_with(&["replications: 5 here but 4"]);
    other(&["--seed", "7", "--replications", "4", "--objective", "sqls"])
        .fails_with(&["objective"]);
    // Another file: the same settings with one more comment line.
    let text = std::fs::read_to_string(&file).unwrap() + "# edited\n";
    dir.write("edited.toml", text);
    let mut a = vec!["simulate", "edited.toml", "--shard", "2/3", "--out", "y"];
    a.extend_from_slice(&RUN);
    dir.run(&a).ok();
    dir.run(&["merge", &s[0], "y", &s[2], "--out", "m"])
        .fails_with(&["y/shard-2-of-3.json", "scenario_file.sha256"]);
    // Another N.
    let mut a = vec!["simulate", &file, "--shard", "2/4", "--out", "z"];
    a.extend_from_slice(&RUN);
    dir.run(&a).ok();
    dir.run(&["merge", &s[0], "z", &s[2], "--out", "m"])
        .fails_with(&["shard count N: 4 here but 3"]);
    assert!(!dir.exists("m"));

    let err = merge(&[dir.path("s1"), dir.path("z"), dir.path("s3")], None)
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::ShardMismatch { field: "shard count N", here, there, .. }
            if here == "4" && there == "3"),
        "{err}"
    );
}

#[test]
fn files_that_are_not_shards_are_refused() {
    let dir = Dir::new();
    let file = handover();
    let s = shards(&dir, &file, 2, &RUN);
    dir.run(&["merge", "s1", "s2", "--out", "m"]).ok();
    dir.run(&["merge", "m/summary.json", "--out", "m2"])
        .fails_with(&["m/summary.json", "not a leadsim shard file"]);
    std::fs::create_dir(dir.path("empty")).unwrap();
    dir.run(&["merge", &s[0], &s[1], "empty", "--out", "m2"])
        .fails_with(&["empty", "no shard file"]);
    // A tampered value and a tampered format version.
    let p = dir.path("s2/shard-2-of-2.json");
    let text = std::fs::read_to_string(&p).unwrap();
    let values_at = text.find("\"values\":[\"").unwrap() + 11;
    let mut bad = text.clone();
    bad.insert(values_at, 'x');
    std::fs::write(&p, bad).unwrap();
    dir.run(&["merge", "s1", "s2", "--out", "m2"]).fails_with(&[
        "s2/shard-2-of-2.json",
        "damaged shard file",
        "not a number",
    ]);
    std::fs::write(
        &p,
        text.replace("\"format_version\":1", "\"format_version\":9"),
    )
    .unwrap();
    dir.run(&["merge", "s1", "s2", "--out", "m2"])
        .fails_with(&["format_version", "version 9 is not supported"]);
    assert!(!dir.exists("m2"));
}

#[test]
fn bad_shard_flags_and_precision_are_refused() {
    let dir = Dir::new();
    let file = handover();
    for (flag, msg) in [
        ("0/3", "numbered from 1 to N"),
        ("4/3", "numbered from 1 to 3"),
        ("1/0", "at least 1"),
        ("three/8", "expected I/N"),
        ("3", "expected I/N"),
    ] {
        let run = dir.run(&["simulate", &file, "--shard", flag]);
        assert_eq!(run.code, Some(2), "{flag}: {}", run.stderr);
        assert!(run.stderr.contains(msg), "{flag}: {}", run.stderr);
    }
    dir.run(&["simulate", &file, "--shard", "1/2", "--precision", "0.01"])
        .fails_with(&["precision", "sharded run cannot add replications"]);
    let source = ScenarioSource::load(&file).unwrap();
    let analysis = Analysis {
        precision: Some(PrecisionTarget {
            metric: "mql_to_sql".into(),
            half_width: 0.01,
        }),
        ..Analysis::default()
    };
    let err = run_shard(
        &source,
        Shard::new(1, 2).unwrap(),
        &RunOptions::default(),
        &analysis,
    )
    .err()
    .unwrap();
    assert!(matches!(&err, Error::PrecisionWithShards { metric, .. } if metric == "mql_to_sql"));
    assert!(dir.files().is_empty(), "nothing written: {:?}", dir.files());
}

/// A scenario file whose population is a table beside it, in a fresh folder.
fn table_scenario(dir: &Dir) -> PathBuf {
    let text = std::fs::read_to_string(handover()).unwrap().replace(
        "generator = \"b2b-saas\"",
        "table = \"leads.csv\"\nscore_column = \"score\"",
    );
    std::fs::copy(
        root().join("data/scenarios/scored-leads.csv"),
        dir.path("leads.csv"),
    )
    .unwrap();
    dir.write("table.toml", text)
}

#[test]
fn table_populations_merge_and_a_changed_table_is_caught() {
    let dir = Dir::new();
    table_scenario(&dir);
    let mut args = vec!["simulate", "table.toml", "--out", "single"];
    args.extend_from_slice(&RUN);
    dir.run(&args).ok();
    let s = shards(&dir, "table.toml", 2, &RUN);
    dir.run(&["merge", &s[0], &s[1], "--out", "merged"]).ok();
    assert_same_files(&dir.path("single"), &dir.path("merged"));
    // The table changes after the shards ran: the merge would describe another population.
    let mut table = dir.read("leads.csv");
    table.push_str("L999999,0.5,A\n");
    dir.write("leads.csv", table);
    dir.run(&["merge", &s[0], &s[1], "--out", "m"])
        .fails_with(&["tables", "leads.csv", "changed since the shards ran"]);
    // A shard run on the changed table does not mix with one run on the old table.
    let mut a = vec!["simulate", "table.toml", "--shard", "2/2", "--out", "new"];
    a.extend_from_slice(&RUN);
    dir.run(&a).ok();
    dir.run(&["merge", "new", &s[0], "--out", "m"])
        .fails_with(&["s1/shard-1-of-2.json", "tables", "leads.csv"]);
    assert!(!dir.exists("m"));
}

/// `--json` prints summary.json's bytes on stdout and moves the table to stderr; with `--quiet`
/// stderr stays empty. The same for `merge`, whose JSON is the single run's.
#[test]
fn json_prints_the_summary_on_stdout_and_the_table_on_stderr() {
    let dir = Dir::new();
    let file = handover();
    let mut args = vec!["simulate", &file, "--out", "single", "--json"];
    args.extend_from_slice(&RUN);
    let run = dir.run(&args);
    run.ok();
    assert_eq!(run.stdout, dir.read("single/summary.json") + "\n");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["seed"], 7);
    assert!(run
        .stderr
        .contains("Handover policy review: 4 replications, seed 7"));
    assert!(run.stderr.contains("wrote "));
    args.push("--quiet");
    let quiet = dir.run(&args);
    quiet.ok();
    assert_eq!(quiet.stdout, run.stdout);
    assert_eq!(quiet.stderr, "");
    // Without --json the table is on stdout, as before.
    let plain = dir.run(&[
        "simulate",
        &file,
        "--out",
        "plain",
        "--seed",
        "7",
        "--replications",
        "4",
    ]);
    plain.ok();
    assert!(plain.stdout.starts_with("Handover policy review"));
    let s = shards(&dir, &file, 2, &RUN);
    let merged = dir.run(&["merge", &s[0], &s[1], "--out", "merged", "--json"]);
    merged.ok();
    assert_eq!(merged.stdout, run.stdout);
    assert!(merged.stderr.contains("merged 2 shards"));
    let quiet = dir.run(&[
        "merge", &s[0], &s[1], "--out", "merged", "--json", "--quiet",
    ]);
    quiet.ok();
    assert_eq!(
        (quiet.stdout.as_str(), quiet.stderr.as_str()),
        (run.stdout.as_str(), "")
    );
    // A shard writes a partial file, not a summary.
    // (a usage error: clap's exit code 2)
    let shard = dir.run(&["simulate", &file, "--shard", "1/2", "--json"]);
    assert_eq!(shard.code, Some(2));
    assert!(
        shard.stderr.contains("cannot be used with '--json'"),
        "{}",
        shard.stderr
    );
}
