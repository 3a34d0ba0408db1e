//! The `leadsim` command line: parses flags, calls the library, prints results, and maps
//! errors to a non-zero exit. All the work happens in the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use leadsim::data::{CsvOptions, MissingTokens};
use leadsim::generate::{self, Preset};
use leadsim::scoring::encode::EncoderSettings;
use leadsim::scoring::model::Model;
use leadsim::scoring::score::{self, EvaluateOptions, ScoreOptions};
use leadsim::scoring::solver::SolverKind;
use leadsim::scoring::train::{self, TrainOptions, TrainProgress};

use leadsim::scoring::summary as report;

#[derive(Parser)]
#[command(
    name = "leadsim",
    version,
    about = "Lead scoring and marketing-to-sales handover simulation",
    long_about = "Train lead-scoring models on historical outcomes, evaluate them honestly, score \
                  new leads with explanations, and generate synthetic lead histories with known truth."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Write a synthetic lead history with known true coefficients (and <out>.truth.json)
    #[command(
        after_help = "Examples:\n  leadsim generate --preset b2b-saas --leads 20000 --seed 7 --out history.csv\n  leadsim generate --leads 1000000 --out big.csv.gz"
    )]
    Generate(GenerateArgs),
    /// Fit a logistic-regression lead score on labelled history; save it as JSON with an HTML report
    #[command(
        after_help = "Examples:\n  leadsim train --data history.csv --target converted --out model.json\n  leadsim train --data data/bank-additional-full.csv.gz --target y --exclude duration --holdout 0 --out bank.json\n  leadsim train --data leads.csv --target Converted --missing Select --exclude Tags,\"Lead Quality\" --cv 5 --out model.json"
    )]
    Train(TrainArgs),
    /// Metrics of a saved model on labelled data (target column taken from the model)
    #[command(
        after_help = "Examples:\n  leadsim evaluate --model model.json --data holdout.csv\n  leadsim evaluate --model model.json --data holdout.csv --json"
    )]
    Evaluate(EvaluateArgs),
    /// Compare handover policies: Monte Carlo replay of the funnel for every scenario of a file
    #[command(
        after_help = "Examples:\n  leadsim simulate data/scenarios/handover.toml --out results/\n  leadsim simulate data/scenarios/handover.toml --out results/ --seed 7 --replications 200 --threads 2\n  leadsim simulate data/scenarios/handover.toml --seed 7 --shard 3/8 --out results/shard-3   (then: leadsim merge)\n  leadsim simulate data/scenarios/sweep.toml --out sweep/ --precision 0.002 --objective net_revenue\n\nWrites results/summary.csv, summary.json, replications.csv and report.html."
    )]
    Simulate(SimulateArgs),
    /// Merge the shards of a `simulate --shard I/N` run into the outputs of one unsharded run
    #[command(
        after_help = "Examples:\n  leadsim merge results/shard-1 results/shard-2 results/shard-3 --out results/\n  leadsim merge results/shard-* --out results/merged --objective mql_to_sql\n\nEach folder holds one or more shard-I-of-N.json files. The shards must come from one run (same\nscenario file, seed, replications, leadsim version and N) and cover it exactly once; the\nmerged files are byte for byte those of an unsharded run with the same seed. See docs/cluster.md."
    )]
    Merge(MergeArgs),
    /// Score leads with a saved model: probability, band and the strongest factors
    #[command(
        after_help = "Examples:\n  leadsim score --model model.json --data new.csv --out scored.csv --explain 3\n  leadsim score --model model.json --data huge.csv.gz --out scored.csv --id lead_id"
    )]
    Score(ScoreArgs),
}

#[derive(Args)]
struct CsvArgs {
    /// Field delimiter: ',' ';' 'tab' or one character (detected from the header when omitted)
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
}

impl CsvArgs {
    fn options(&self) -> CsvOptions {
        CsvOptions {
            delimiter: self.delimiter,
        }
    }
}

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "expected one ASCII character or 'tab', got \"{s}\""
        )),
    }
}

#[derive(Args)]
struct GenerateArgs {
    /// Kind of leads to generate
    #[arg(long, default_value = "b2b-saas")]
    preset: Preset,
    /// Number of leads (rows)
    #[arg(long, default_value_t = 20_000)]
    leads: usize,
    /// Random seed: the same seed gives the same file
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Output CSV (.csv or .csv.gz); the truth goes to <stem>.truth.json beside it
    #[arg(long)]
    out: PathBuf,
    /// Print a machine-readable summary on stdout
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct TrainArgs {
    /// Labelled history (CSV or .csv.gz)
    #[arg(long)]
    data: PathBuf,
    /// Outcome column (default: a column named converted, target, y, label, outcome or won)
    #[arg(long)]
    target: Option<String>,
    /// Target value that counts as positive (default: 1/yes/true against 0/no/false)
    #[arg(long)]
    positive: Option<String>,
    /// Columns to leave out (leaks known only after contact, ids), comma-separated
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Identifier column, carried to scored output (default: an id-like column with unique values)
    #[arg(long)]
    id: Option<String>,
    /// Columns to treat as categorical even if they look numeric, comma-separated
    #[arg(long, value_delimiter = ',')]
    categorical: Vec<String>,
    /// Columns that must be numeric, comma-separated (text in them is an error)
    #[arg(long, value_delimiter = ',')]
    numeric: Vec<String>,
    /// Extra texts meaning "missing" besides empty and NA, comma-separated (e.g. Select)
    #[arg(long, value_delimiter = ',')]
    missing: Vec<String>,
    /// Levels with fewer training rows fold into (other)
    #[arg(long, default_value_t = 10)]
    min_level_count: usize,
    /// Share of rows held out (stratified) for evaluation; 0 fits on every row
    #[arg(long, default_value_t = 0.2)]
    holdout: f64,
    /// Evaluate by K-fold cross-validation instead of a holdout
    #[arg(long)]
    folds: Option<usize>,
    /// Pick --alpha from a grid by K-fold log loss
    #[arg(long)]
    cv: Option<usize>,
    /// L2 penalty on standardised coefficients (0 = maximum likelihood, with inference)
    #[arg(long, default_value_t = 0.0)]
    alpha: f64,
    /// newton (IRLS, default) or lbfgs (linfa-logistic)
    #[arg(long, default_value = "newton")]
    solver: SolverKind,
    /// Iteration limit of the solver (default: 100 for newton, 1000 for lbfgs)
    #[arg(long)]
    max_iter: Option<usize>,
    /// Score band cut points, comma-separated (default: quartiles of training scores)
    #[arg(long, value_delimiter = ',')]
    bands: Option<Vec<f64>>,
    /// Random seed for the holdout and folds
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Where to write the model
    #[arg(long, default_value = "model.json")]
    out: PathBuf,
    #[command(flatten)]
    csv: CsvArgs,
    /// Print the model summary as JSON on stdout
    #[arg(long)]
    json: bool,
    /// No progress display
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct EvaluateArgs {
    /// Model file written by `leadsim train`
    #[arg(long)]
    model: PathBuf,
    /// Labelled data (CSV or .csv.gz)
    #[arg(long)]
    data: PathBuf,
    /// Outcome column (default: the model's)
    #[arg(long)]
    target: Option<String>,
    /// Positive target value (default: the model's)
    #[arg(long)]
    positive: Option<String>,
    #[command(flatten)]
    csv: CsvArgs,
    /// Print the metrics as JSON on stdout
    #[arg(long)]
    json: bool,
    /// No progress display
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct ScoreArgs {
    /// Model file written by `leadsim train`
    #[arg(long)]
    model: PathBuf,
    /// Leads to score (CSV or .csv.gz); streamed
    #[arg(long)]
    data: PathBuf,
    /// Output CSV: id, score, band, and the factors with --explain
    #[arg(long)]
    out: PathBuf,
    /// List the K strongest positive and negative factors per lead
    #[arg(long, default_value_t = 0)]
    explain: usize,
    /// Column carried to the output (default: the model's id column, else the line number)
    #[arg(long)]
    id: Option<String>,
    #[command(flatten)]
    csv: CsvArgs,
    /// Print a summary as JSON on stdout
    #[arg(long)]
    json: bool,
    /// No progress display
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct SimulateArgs {
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
    /// No progress bar
    #[arg(long)]
    quiet: bool,
    /// Run only shard I of N of the (scenario, replication) units and write
    /// <out>/shard-I-of-N.json for `leadsim merge` (e.g. --shard 3/8; I from 1 to N)
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<leadsim::sim::Shard>,
}

/// `x` to four significant digits, without an exponent (half-widths of shares and of money alike).
fn significant4(x: f64) -> String {
    let digits = if x == 0.0 || !x.is_finite() {
        0
    } else {
        (3 - x.abs().log10().floor() as i32).max(0) as usize
    };
    format!("{x:.digits$}")
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
struct MergeArgs {
    /// Folders (or shard files) written by `leadsim simulate --shard I/N`
    #[arg(required = true, value_name = "DIR")]
    inputs: Vec<PathBuf>,
    /// Output folder for the files an unsharded `simulate` writes
    #[arg(long)]
    out: PathBuf,
    /// Metric the policies are ranked by (default: the shards' --objective)
    #[arg(long, value_name = "METRIC")]
    objective: Option<String>,
}

/// `I/N` of `--shard`.
fn parse_shard(s: &str) -> std::result::Result<leadsim::sim::Shard, String> {
    s.parse().map_err(|e| match e {
        leadsim::Error::InvalidParameter { reason, .. } => reason,
        e => e.to_string(),
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Generate(a) => cmd_generate(a),
        Command::Train(a) => cmd_train(a),
        Command::Evaluate(a) => cmd_evaluate(a),
        Command::Score(a) => cmd_score(a),
        Command::Simulate(a) => cmd_simulate(a),
        Command::Merge(a) => cmd_merge(a),
    }
}

/// A spinner on stderr when it is a terminal and not silenced.
fn spinner(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}").expect("static template"),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

fn cmd_generate(a: GenerateArgs) -> Result<ExitCode> {
    let truth = generate::write_history(&a.out, a.preset, a.leads, a.seed)?;
    let truth_path = generate::truth_path(&a.out);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&truth)?);
    } else {
        println!(
            "wrote {} leads ({} preset, seed {}) to {}\ntrue coefficients in {}",
            a.leads,
            a.preset,
            a.seed,
            a.out.display(),
            truth_path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

struct SpinnerProgress(ProgressBar);

impl TrainProgress for SpinnerProgress {
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_string());
    }
    fn rows(&self, rows: u64) {
        self.0.set_message(format!("reading: {rows} rows"));
    }
}

fn cmd_train(a: TrainArgs) -> Result<ExitCode> {
    let opts = TrainOptions {
        data: a.data.clone(),
        csv: a.csv.options(),
        target: a.target,
        positive: a.positive,
        exclude: a.exclude,
        id: a.id,
        encoder: EncoderSettings {
            missing: MissingTokens::with_extra(a.missing),
            min_level_count: a.min_level_count,
            force_numeric: a.numeric,
            force_categorical: a.categorical,
        },
        holdout: a.holdout,
        folds: a.folds,
        cv: a.cv,
        alpha: a.alpha,
        solver: a.solver,
        max_iter: a.max_iter,
        seed: a.seed,
        bands: a.bands,
    };
    let pb = spinner(a.quiet);
    let model = train::train(&opts, &SpinnerProgress(pb.clone()));
    pb.finish_and_clear();
    let model = model?;
    model
        .save(&a.out)
        .with_context(|| format!("saving the model to {}", a.out.display()))?;
    let report = leadsim::report::report_path_for(&a.out);
    leadsim::atomic::write_atomic(
        &report,
        leadsim::report::train::train_report(&model).as_bytes(),
    )
    .with_context(|| format!("writing the report to {}", report.display()))?;
    for w in &model.training.warnings {
        eprintln!("warning: {w}");
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&model)?);
    } else {
        print!("{}", report::train_summary(&model));
        println!(
            "model written to {}, report to {}",
            a.out.display(),
            report.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_evaluate(a: EvaluateArgs) -> Result<ExitCode> {
    let model = Model::load(&a.model)?;
    let pb = spinner(a.quiet);
    let opts = EvaluateOptions {
        data: a.data.clone(),
        csv: a.csv.options(),
        target: a.target,
        positive: a.positive,
    };
    let eval = score::evaluate_file(&model, &opts, &|r| {
        pb.set_message(format!("evaluating: {r} rows"))
    });
    pb.finish_and_clear();
    let eval = eval?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&eval)?);
    } else {
        print!(
            "{}",
            report::evaluation_summary(&eval, &format!("{}", a.data.display()))
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_score(a: ScoreArgs) -> Result<ExitCode> {
    let model = Model::load(&a.model)?;
    let pb = spinner(a.quiet);
    let opts = ScoreOptions {
        data: a.data.clone(),
        out: a.out.clone(),
        csv: a.csv.options(),
        id: a.id,
        explain: a.explain,
    };
    let summary = score::score_file(&model, &opts, &|r| {
        pb.set_message(format!("scoring: {r} rows"))
    });
    pb.finish_and_clear();
    let summary = summary?;
    for (column, n) in &summary.unseen_levels {
        eprintln!(
            "warning: {n} values of \"{column}\" were levels not seen in training; scored as (other)"
        );
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", report::score_summary(&summary, &a.out));
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_simulate(a: SimulateArgs) -> Result<ExitCode> {
    if let Some(shard) = a.shard {
        return cmd_simulate_shard(a, shard);
    }
    let file = leadsim::sim::ScenarioFile::load(&a.scenario_file)?;
    for w in file.warnings() {
        eprintln!("warning: {w}");
    }
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
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let opts = leadsim::sim::RunOptions {
        seed: a.seed,
        replications: a.replications,
        threads: a.threads,
        progress: Some(&progress),
    };
    let precision = match (a.precision, a.precision_metric) {
        (Some(w), _) => Some(("mql_to_sql".to_string(), w)),
        (None, m) => m,
    };
    let analysis = leadsim::sim::Analysis {
        precision: precision
            .map(|(metric, half_width)| leadsim::sim::PrecisionTarget { metric, half_width }),
        max_replications: a.max_replications,
        objective: Some(a.objective.clone()),
    };
    let results = leadsim::sim::run_with(&file, &opts, &analysis);
    bar.finish_and_clear();
    let results = results?;
    if let Some(p) = &results.precision {
        for (sc, h) in results.scenarios.iter().zip(&p.half_widths) {
            if p.unmet.contains(&sc.name) {
                eprintln!(
                    "warning: scenario \"{}\" did not reach ±{} on {} within {} replications (±{})",
                    sc.name,
                    p.half_width,
                    p.metric,
                    p.max_replications,
                    h.map_or("undefined".to_string(), significant4)
                );
            }
        }
    }
    leadsim::sim::write_outputs(&results, &a.out)
        .with_context(|| format!("writing results to {}", a.out.display()))?;
    println!("{}", results.table());
    println!(
        "wrote {}, summary.json, replications.csv and report.html",
        a.out.join("summary.csv").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `simulate --shard I/N`: one slice of the units, written for `merge`; one line on stdout.
fn cmd_simulate_shard(a: SimulateArgs, shard: leadsim::sim::Shard) -> Result<ExitCode> {
    let source = leadsim::sim::ScenarioSource::load(&a.scenario_file)?;
    for w in source.file().warnings() {
        eprintln!("warning: {w}");
    }
    let bar = if a.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let opts = leadsim::sim::RunOptions {
        seed: a.seed,
        replications: a.replications,
        threads: a.threads,
        progress: Some(&progress),
    };
    let precision = match (a.precision, a.precision_metric) {
        (Some(w), _) => Some(("mql_to_sql".to_string(), w)),
        (None, m) => m,
    };
    let analysis = leadsim::sim::Analysis {
        precision: precision
            .map(|(metric, half_width)| leadsim::sim::PrecisionTarget { metric, half_width }),
        max_replications: a.max_replications,
        objective: Some(a.objective),
    };
    let partial = leadsim::sim::run_shard(&source, shard, &opts, &analysis);
    bar.finish_and_clear();
    let partial = partial?;
    let path = partial
        .write(&a.out)
        .with_context(|| format!("writing shard {shard} to {}", a.out.display()))?;
    println!(
        "shard {shard}: ran {} of {} (scenario, replication) units; wrote {}",
        partial.units(),
        partial.total_units(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `merge`: shards back into the outputs of one run.
fn cmd_merge(a: MergeArgs) -> Result<ExitCode> {
    let merged = leadsim::sim::merge(&a.inputs, a.objective.as_deref())?;
    leadsim::sim::write_outputs(&merged.results, &a.out)
        .with_context(|| format!("writing results to {}", a.out.display()))?;
    println!("{}", merged.results.table());
    println!(
        "merged {} shards; wrote {}, summary.json, replications.csv and report.html",
        merged.shards,
        a.out.join("summary.csv").display()
    );
    Ok(ExitCode::SUCCESS)
}
