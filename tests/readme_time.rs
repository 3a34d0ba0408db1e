//! The README's out-of-time walkthrough on the bundled bank data reproduces as written: the
//! time column made from the row order (as the README's `awk` line does), the printed block
//! line for line, and the random-holdout numbers the prose compares it with.

mod util;

use std::io::{BufRead, BufReader};

use util::Dir;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The README's `awk 'NR==1 {print "\"call\";" $0; next} {print NR-1 ";" $0}'`.
fn numbered_bank(d: &Dir) {
    let gz = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/bank-additional-full.csv.gz"
    ))
    .unwrap();
    let mut out = String::new();
    for (i, line) in BufReader::new(flate2::read::GzDecoder::new(gz))
        .split(b'\n')
        .enumerate()
    {
        let line = String::from_utf8(line.unwrap()).unwrap();
        if line.is_empty() {
            continue;
        }
        if i == 0 {
            out.push_str(&format!("\"call\";{line}\n"));
        } else {
            out.push_str(&format!("{i};{line}\n"));
        }
    }
    d.write("bank-ordered.csv", out);
}

#[test]
fn readme_out_of_time_walkthrough_reproduces() {
    let text = readme();
    let start = text
        .find("$ leadsim train --data bank-ordered.csv")
        .expect("the README shows the out-of-time command");
    let block = &text[start..start + text[start..].find("```").unwrap()];
    let mut lines = block.lines();
    let command = lines.next().unwrap().trim_start_matches("$ leadsim ");
    let d = Dir::new();
    numbered_bank(&d);
    let mut args: Vec<&str> = command.split_whitespace().collect();
    args.push("--quiet");
    let r = d.run(&args);
    r.ok();
    let printed: Vec<&str> = r.stdout.lines().collect();
    for line in lines.filter(|l| *l != "...") {
        assert!(
            printed.contains(&line),
            "README line not printed: {line:?}\n{}",
            r.stdout
        );
    }
    // The prose's random-holdout numbers, to the digits it gives.
    let r = d.run(&[
        "train",
        "--data",
        "bank-ordered.csv",
        "--target",
        "y",
        "--exclude",
        "duration,call",
        "--out",
        "random.json",
        "--json",
        "--quiet",
    ]);
    r.ok();
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let metric = |k: &str| m["metrics"][k].as_f64().unwrap();
    let sentence = format!(
        "reports ROC AUC {:.3}, log loss {:.3} and ECE\n{:.3}",
        metric("roc_auc"),
        metric("log_loss"),
        metric("ece")
    );
    assert!(text.contains(&sentence), "README lacks {sentence:?}");
}
