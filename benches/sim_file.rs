//! Runs a scenario file in release mode and reports simulated leads per second.
//!
//! `cargo bench --bench sim_file -- data/scenarios/bench.toml [--threads N] [--replications R]`
//!
//! Leads simulated = MQLs counted (the bench scenario has no warm-up, so every lead counts).

use std::time::Instant;

use leadsim::sim::{run, RunOptions, ScenarioFile};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let path = args
        .iter()
        .find(|a| a.ends_with(".toml"))
        .cloned()
        .unwrap_or_else(|| "data/scenarios/bench.toml".into());
    let flag = |name: &str| -> Option<usize> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
    };
    let file = ScenarioFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
    for w in leadsim::sim::warnings(&file) {
        eprintln!("warning: {w}");
    }
    let opts = RunOptions {
        seed: None,
        replications: flag("--replications"),
        threads: flag("--threads"),
        progress: None,
    };
    let t0 = Instant::now();
    let results = run(&file, &opts).unwrap_or_else(|e| panic!("{e}"));
    let secs = t0.elapsed().as_secs_f64();
    let leads: f64 = results
        .scenarios
        .iter()
        .map(|s| {
            s.summary
                .iter()
                .find(|m| m.metric == "mqls")
                .map_or(0.0, |m| m.value.mean)
                * results.replications as f64
        })
        .sum();
    println!(
        "{path}: {leads:.0} leads in {secs:.3} s = {:.0} leads/s (threads {}, replications {})",
        leads / secs,
        opts.threads
            .map_or("default".to_string(), |t| t.to_string()),
        results.replications
    );
    println!("{}", results.table());
}
