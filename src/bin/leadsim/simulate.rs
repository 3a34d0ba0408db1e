//! `simulate` (plain, precision and sharded runs) and `merge`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use leadsim::sim::{
    merge, run_shard, run_with, summary_json, write_outputs, Analysis, PrecisionTarget, RunOptions,
    ScenarioSource, Shard,
};

#[derive(Args)]
pub struct SimulateArgs {
    /// Scenario file (TOML): population, arrivals, rep pools, policy, outcomes, scenarios
    scenario_file: PathBuf,
    /// Output folder for summary.csv, summary.json and replications.csv
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Random seed (overrides the file's `seed`); one seed fixes every result
    #[arg(long)]
    seed: Option<u64>,
    /// Replications per scenario (overrides the file's `replications`)
    #[arg(long)]
    replications: Option<usize>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    threads: Option<usize>,
    /// Add replications until every scenario's 95% half-width of mql_to_sql is at most WIDTH
    /// (absolute, e.g. 0.002 = ±0.2 points)
    #[arg(long, value_name = "WIDTH", conflicts_with = "precision_metric")]
    precision: Option<f64>,
    /// As --precision, for another metric: NAME=WIDTH (e.g. net_revenue=20000)
    #[arg(long, value_name = "NAME=WIDTH", value_parser = parse_precision_metric)]
    precision_metric: Option<(String, f64)>,
    /// Replication cap of a precision run (default: 10 x the starting replications)
    #[arg(long, value_name = "N")]
    max_replications: Option<usize>,
    /// Metric the policies are ranked by (net_revenue, mql_to_sql, recovered_revenue_12m, ...)
    #[arg(long, value_name = "METRIC", default_value = "net_revenue")]
    objective: String,
    /// No progress bar; with --json, no table either
    #[arg(long)]
    quiet: bool,
    /// Print the summary as JSON on stdout (the bytes of summary.json); the table then goes to
    /// stderr (nowhere with --quiet)
    #[arg(long, conflicts_with = "shard")]
    json: bool,
    /// Run only shard I of N of the (scenario, replication) units and write
    /// <out>/shard-I-of-N.json for `leadsim merge` (e.g. --shard 3/8; I from 1 to N)
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<Shard>,
    /// Also write the baseline's first replication as a CRM history export (MODEL.md 8.5):
    /// DIR/leads.csv and DIR/attempts.csv, for `leadsim calibrate` and `leadsim backtest`
    #[arg(long, value_name = "DIR", conflicts_with = "shard")]
    export_history: Option<PathBuf>,
    /// The exported history's export date, in days after the run's start (default: the end
    /// of the run, when the last call ends); later events are censored
    #[arg(long, value_name = "DAYS", requires = "export_history")]
    export_as_of: Option<f64>,
}

/// `NAME=WIDTH` of `--precision-metric`.
fn parse_precision_metric(s: &str) -> std::result::Result<(String, f64), String> {
    let (name, width) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=WIDTH, e.g. mql_to_sql=0.002, found \"{s}\""))?;
    let width: f64 = width
        .trim()
        .parse()
        .map_err(|_| format!("\"{width}\" is not a number"))?;
    Ok((name.trim().to_string(), width))
}

#[derive(Args)]
pub struct MergeArgs {
    /// Folders (or shard files) written by `leadsim simulate --shard I/N`
    #[arg(required = true, value_name = "DIR")]
    inputs: Vec<PathBuf>,
    /// Output folder for the files an unsharded `simulate` writes
    #[arg(long)]
    out: PathBuf,
    /// Metric the policies are ranked by (default: the shards' --objective)
    #[arg(long, value_name = "METRIC")]
    objective: Option<String>,
    /// Print the summary as JSON on stdout (the bytes of summary.json); the table then goes to
    /// stderr (nowhere with --quiet)
    #[arg(long)]
    json: bool,
    /// With --json, no table
    #[arg(long)]
    quiet: bool,
}

/// `I/N` of `--shard`.
fn parse_shard(s: &str) -> std::result::Result<Shard, String> {
    s.parse().map_err(|e| match e {
        leadsim::Error::InvalidShard { reason, .. } => reason,
        e => e.to_string(),
    })
}

/// What every kind of `simulate` run shares: the scenario file (with its text, which a shard
/// records), its warnings printed, the analysis the flags ask for, and the progress bar.
struct Setup {
    source: ScenarioSource,
    analysis: Analysis,
    bar: ProgressBar,
}

impl Setup {
    fn new(a: &SimulateArgs) -> Result<Self> {
        let source = ScenarioSource::load(&a.scenario_file)?;
        for w in leadsim::sim::warnings(source.file()) {
            eprintln!("warning: {w}");
        }
        let precision = match (a.precision, a.precision_metric.clone()) {
            (Some(w), _) => Some(("mql_to_sql".to_string(), w)),
            (None, m) => m,
        };
        let analysis = Analysis {
            precision: precision.map(|(metric, half_width)| PrecisionTarget { metric, half_width }),
            max_replications: a.max_replications,
            objective: Some(a.objective.clone()),
        };
        let bar = if a.quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let pb = ProgressBar::new(0);
            pb.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} scenario-replications ({eta} left)",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            pb
        };
        Ok(Setup {
            source,
            analysis,
            bar,
        })
    }

    /// Moves the bar to `done` of `total` units.
    fn progress(&self, done: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
    }
}

/// `simulate`: a plain or precision run, or with `--shard` one slice of it.
pub fn cmd_simulate(a: SimulateArgs) -> Result<ExitCode> {
    let setup = Setup::new(&a)?;
    let progress = |done: usize, total: usize| setup.progress(done, total);
    let opts = RunOptions {
        seed: a.seed,
        replications: a.replications,
        threads: a.threads,
        progress: Some(&progress),
    };
    if let Some(shard) = a.shard {
        let partial = run_shard(&setup.source, shard, &opts, &setup.analysis);
        setup.bar.finish_and_clear();
        let partial = partial.map_err(hinted)?;
        let path = partial
            .write(&a.out)
            .with_context(|| format!("writing shard {shard} to {}", a.out.display()))?;
        println!(
            "shard {shard}: ran {} of {} (scenario, replication) units; wrote {}",
            partial.units(),
            partial.total_units(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let results = run_with(setup.source.file(), &opts, &setup.analysis);
    setup.bar.finish_and_clear();
    let results = results?;
    for w in results.warnings() {
        eprintln!("warning: {w}");
    }
    let written = write_outputs(&results, &a.out)
        .with_context(|| format!("writing results to {}", a.out.display()))?;
    print_results(
        &results,
        &format!("wrote {}", list(&written)),
        a.json,
        a.quiet,
    );
    if let Some(dir) = &a.export_history {
        let file = setup.source.file();
        let seed = a.seed.unwrap_or(file.seed);
        let e = leadsim::history::export::export_baseline(
            dir,
            file,
            seed,
            a.export_as_of.map(|d| d * 24.0),
        )
        .with_context(|| format!("writing the history export to {}", dir.display()))?;
        // With --json, stdout holds only the summary.
        let note = format!(
            "exported the baseline's replication 0: {} leads, {} attempts, export date {} \
             (--as-of {}); wrote {} and {}",
            e.lead_rows,
            e.attempt_rows,
            e.as_of,
            e.as_of,
            e.leads.display(),
            e.attempts.display()
        );
        if a.json {
            eprintln!("{note}");
        } else {
            println!("{note}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `merge`: shards back into the outputs of one run.
pub fn cmd_merge(a: MergeArgs) -> Result<ExitCode> {
    let merged = merge(&a.inputs, a.objective.as_deref()).map_err(hinted)?;
    for w in merged.results.warnings() {
        eprintln!("warning: {w}");
    }
    let written = write_outputs(&merged.results, &a.out)
        .with_context(|| format!("writing results to {}", a.out.display()))?;
    print_results(
        &merged.results,
        &format!("merged {} shards; wrote {}", merged.shards, list(&written)),
        a.json,
        a.quiet,
    );
    Ok(ExitCode::SUCCESS)
}

/// The table and the closing line on stdout; with `json`, the summary JSON on stdout and the
/// table and line on stderr (or nowhere when `quiet`), so `--json | jq` sees only JSON and a
/// person at the terminal still sees the table.
fn print_results(results: &leadsim::sim::Results, closing: &str, json: bool, quiet: bool) {
    if json {
        println!("{}", summary_json(results));
        if !quiet {
            eprintln!("{}", results.table());
            eprintln!("{closing}");
        }
    } else {
        println!("{}", results.table());
        println!("{closing}");
    }
}

/// "dir/summary.csv, summary.json, replications.csv and report.html": the first file with its
/// folder, the rest by name.
fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| match (i, p.file_name()) {
            (0, _) | (_, None) => p.display().to_string(),
            (_, Some(n)) => n.to_string_lossy().into_owned(),
        })
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// What to do about a simulation error, in the command line's terms: the library states the
/// problem and names no flags, the CLI adds the way out.
fn hint(e: &leadsim::Error) -> Option<&'static str> {
    match e {
        leadsim::Error::PrecisionWithShards { .. } => Some(
            "; shard a run with a fixed --replications (for example the count a --precision run \
             on one machine reached)",
        ),
        leadsim::Error::NotAShardFile { detail: None, .. } => {
            Some(" (written by `leadsim simulate --shard I/N`)")
        }
        _ => None,
    }
}

/// `e` with its [`hint`], if it has one, on the same line.
fn hinted(e: leadsim::Error) -> anyhow::Error {
    match hint(&e) {
        Some(h) => anyhow::anyhow!("{e}{h}"),
        None => e.into(),
    }
}
