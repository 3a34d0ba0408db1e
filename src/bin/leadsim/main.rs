//! The `leadsim` command line: parses flags, calls the library, prints results, and maps
//! errors to a non-zero exit. All the work happens in the library; this binary only chooses
//! paths, shows progress and prints. `scoring` holds the generate/train/evaluate/score
//! commands, `simulate` the simulate/merge commands, `progress` the progress displays.

mod calibrate;
mod progress;
mod scoring;
mod simulate;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

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
    Generate(scoring::GenerateArgs),
    /// Fit a logistic-regression lead score on labelled history; save it as JSON with an HTML report
    #[command(
        after_help = "Examples:\n  leadsim train --data history.csv --target converted --out model.json\n  leadsim train --data data/bank-additional-full.csv.gz --target y --exclude duration --holdout 0 --out bank.json\n  leadsim train --data leads.csv --target Converted --missing Select --exclude Tags,\"Lead Quality\" --cv 5 --out model.json\n  leadsim train --data history.csv --cv 5 --l1-ratio 1 --out lasso.json   (lasso, alpha chosen on a path)\n  leadsim train --data history.csv --alpha 20 --l1-ratio 0.5 --out enet.json   (elastic net; see docs/penalised-fits.md)\n  leadsim train --data leads.csv --time-column created_at --test-latest 0.2 --as-of 2026-06-30 --maturity-days 30 --out model.json"
    )]
    Train(scoring::TrainArgs),
    /// Metrics of a saved model on labelled data (target column taken from the model)
    #[command(
        after_help = "Examples:\n  leadsim evaluate --model model.json --data holdout.csv\n  leadsim evaluate --model model.json --data holdout.csv --json"
    )]
    Evaluate(scoring::EvaluateArgs),
    /// Compare handover policies: Monte Carlo replay of the funnel for every scenario of a file
    #[command(
        after_help = "Examples:\n  leadsim simulate data/scenarios/handover.toml --out results/\n  leadsim simulate data/scenarios/handover.toml --out results/ --seed 7 --replications 200 --threads 2\n  leadsim simulate data/scenarios/handover.toml --seed 7 --shard 3/8 --out results/shard-3   (then: leadsim merge)\n  leadsim simulate data/scenarios/sweep.toml --out sweep/ --precision 0.002 --objective net_revenue\n\nWrites results/summary.csv, summary.json, replications.csv and report.html."
    )]
    Simulate(simulate::SimulateArgs),
    /// Merge the shards of a `simulate --shard I/N` run into the outputs of one unsharded run
    #[command(
        after_help = "Examples:\n  leadsim merge results/shard-1 results/shard-2 results/shard-3 --out results/\n  leadsim merge results/shard-* --out results/merged --objective mql_to_sql\n\nEach folder holds one or more shard-I-of-N.json files. The shards must come from one run (same\nscenario file, seed, replications, leadsim version and N) and cover it exactly once; the\nmerged files are byte for byte those of an unsharded run with the same seed. See docs/cluster.md."
    )]
    Merge(simulate::MergeArgs),
    /// Score leads with a saved model: probability, band and the strongest factors
    #[command(
        after_help = "Examples:\n  leadsim score --model model.json --data new.csv --out scored.csv --explain 3\n  leadsim score --model model.json --data huge.csv.gz --out scored.csv --id lead_id"
    )]
    Score(scoring::ScoreArgs),
    /// Estimate every funnel knob from a CRM history export; write a runnable scenario
    #[command(
        after_help = "Examples:\n  leadsim calibrate --leads leads.csv --attempts calls.csv --as-of 2026-06-30 --out my-funnel/\n  leadsim calibrate --leads data/history/salesforce/leads.csv --attempts data/history/salesforce/tasks.csv --columns data/history/salesforce/columns.toml --tz America/New_York --out sf/\n\nWrites scenario.toml (every value commented with its estimate, interval, records and method),\npopulation.csv, calibration.json and calibration.html, all or nothing. See docs/calibrate.md."
    )]
    Calibrate(calibrate::CalibrateArgs),
    /// Simulate a scenario over a history export's period and compare, metric by metric
    #[command(
        after_help = "Examples:\n  leadsim backtest my-funnel/scenario.toml --leads leads.csv --attempts calls.csv --as-of 2026-06-30 --out bt/\n  leadsim backtest my-funnel/scenario.toml --leads leads.csv --attempts calls.csv --arrivals fitted --strict --out bt/\n\nWrites backtest.csv, backtest.json and backtest.html; exit 3 with --strict when a metric is outside."
    )]
    Backtest(calibrate::BacktestArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            for (i, cause) in e.chain().enumerate() {
                let prefix = if i == 0 { "error" } else { "  caused by" };
                let hint = cause
                    .downcast_ref::<leadsim::Error>()
                    .and_then(hint)
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                eprintln!("{prefix}: {cause}{hint}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Generate(a) => scoring::cmd_generate(a),
        Command::Train(a) => scoring::cmd_train(a),
        Command::Evaluate(a) => scoring::cmd_evaluate(a),
        Command::Score(a) => scoring::cmd_score(a),
        Command::Simulate(a) => simulate::cmd_simulate(a),
        Command::Merge(a) => simulate::cmd_merge(a),
        Command::Calibrate(a) => calibrate::cmd_calibrate(a),
        Command::Backtest(a) => calibrate::cmd_backtest(a),
    }
}

/// The command-line remedy for a library error: the library states the problem in its own
/// terms and knows nothing of flags; this adds the flag that fixes it, printed after the
/// message on the same line.
fn hint(e: &leadsim::Error) -> Option<String> {
    use leadsim::Error as E;
    let flag = |name: &str| match name {
        "alpha" => Some("--alpha"),
        "l1_ratio" => Some("--l1-ratio"),
        "max_iter" => Some("--max-iter"),
        "holdout" => Some("--holdout"),
        "folds" => Some("--folds"),
        "cv" => Some("--cv"),
        "solver" => Some("--solver"),
        "firth" => Some("--firth"),
        "min_level_count" => Some("--min-level-count"),
        "test_latest" => Some("--test-latest"),
        "test_after" => Some("--test-after"),
        "as_of" => Some("--as-of"),
        "maturity_days" => Some("--maturity-days"),
        _ => None,
    };
    Some(match e {
        // --- scoring ---
        E::TargetValue { .. } => "use --positive VALUE to name the positive class".into(),
        E::TooFewRows { .. } => "add rows, drop features with --exclude, or set --alpha > 0".into(),
        E::Separation { .. } => "try --firth for Firth's bias-reduced fit (finite estimates that \
                                 keep standard errors, p-values and intervals) or --alpha (e.g. \
                                 --alpha 1) for a ridge fit (no standard errors), or exclude the \
                                 feature if it leaks the outcome"
            .into(),
        E::NotConverged { .. } => "raise --max-iter, or set --alpha > 0".into(),
        E::NotPositiveDefinite => "set --alpha > 0".into(),
        E::InvalidHyperparameter { name, .. } => format!("given with {}", flag(name)?),
        E::InvalidParameter { name, .. } if flag(name).is_some() => {
            format!("given with {}", flag(name)?)
        }
        E::AmbiguousDates { .. } => "give it with --date-format dd/mm/yyyy or mm/dd/yyyy".into(),
        E::TimeValue { .. } => "set the format with --date-format if it was misread".into(),
        E::InvalidBands { .. } => "given with --bands".into(),
        E::BadValue { value, .. }
            if leadsim::data::parse_number(value) == leadsim::data::Number::NonFinite =>
        {
            "list it with --missing when training to treat it as missing".into()
        }
        E::NoTargetColumn { .. } => "name it with --target COLUMN".into(),
        E::NoFeatures { excluded, .. } if !excluded.is_empty() => {
            "exclude fewer columns with --exclude".into()
        }
        _ => return None,
    })
}
