//! What the calibration costs beside the run it feeds (docs/simulator-benchmarks.md): for each
//! scenario file given (default: the bundled handover and sweep examples), the best of three
//! wall-clock times of `sim::calibration::calibrate` and of the whole `sim::run` (which
//! includes one calibration), on 1 and 2 threads.
//!
//!   cargo run --release --example calibration_cost [FILE.toml ...]

use std::time::Instant;

use leadsim::sim::calibration::calibrate;
use leadsim::sim::{run, RunOptions, ScenarioFile};

fn best_of_three(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        files = vec![
            "data/scenarios/handover.toml".into(),
            "data/scenarios/sweep.toml".into(),
        ];
    }
    println!("| file | threads | calibration | whole run (calibration included) | share |");
    println!("|---|---|---|---|---|");
    for path in &files {
        let file = ScenarioFile::load(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for threads in [1, 2] {
            let cal = best_of_three(|| {
                calibrate(&file, file.seed, Some(threads)).unwrap();
            });
            let opts = RunOptions {
                threads: Some(threads),
                ..Default::default()
            };
            let whole = best_of_three(|| {
                run(&file, &opts).unwrap();
            });
            println!(
                "| {path} | {threads} | {cal:.3} s | {whole:.3} s | {:.0}% |",
                100.0 * cal / whole
            );
        }
    }
}
