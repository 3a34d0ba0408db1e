//! `generate`, `train`, `evaluate` and `score`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use indicatif::ProgressBar;

use leadsim::data::{CsvOptions, MissingTokens};
use leadsim::generate::{self, Preset};
use leadsim::scoring::encode::EncoderSettings;
use leadsim::scoring::model::Model;
use leadsim::scoring::output;
use leadsim::scoring::score::{self, EvaluateOptions, ScoreOptions};
use leadsim::scoring::solver::SolverKind;
use leadsim::scoring::train::{self, TimeOptions, TimeTest, TrainOptions, TrainProgress};

use crate::progress::spinner;

#[derive(Args)]
pub struct CsvArgs {
    /// Field delimiter: ',' ';' 'tab' or one character (detected from the header when omitted)
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// Decimal mark of numbers: ',' reads 9,7 as 9.7 in every column, '.' never (default:
    /// detected per column in ;-separated files; scoring follows the model)
    #[arg(long, value_parser = parse_decimal)]
    decimal: Option<bool>,
}

impl CsvArgs {
    fn options(&self) -> CsvOptions {
        CsvOptions {
            delimiter: self.delimiter,
            decimal_comma: self.decimal,
        }
    }

    /// As [`Self::options`], with the model's decimal commas when the flag is not given: a file
    /// scored like the one the model was trained on.
    fn options_for(&self, model: &Model) -> CsvOptions {
        CsvOptions {
            decimal_comma: self
                .decimal
                .or((!model.training.decimal_comma.is_empty()).then_some(true)),
            ..self.options()
        }
    }
}

fn parse_decimal(s: &str) -> std::result::Result<bool, String> {
    match s {
        "," => Ok(true),
        "." => Ok(false),
        _ => Err(format!("expected ',' or '.', got \"{s}\"")),
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
pub struct GenerateArgs {
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
pub struct TrainArgs {
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
    /// Pick --alpha by K-fold log loss: from a grid (ridge), or on a path from alpha_max down
    /// (with --l1-ratio)
    #[arg(long)]
    cv: Option<usize>,
    /// Penalty strength on standardised coefficients, summed log-loss scale (0 = maximum
    /// likelihood, with inference); ridge alpha/2 |b|^2 unless --l1-ratio is given
    #[arg(long, default_value_t = 0.0)]
    alpha: f64,
    /// Elastic net: penalty alpha * (R |b|_1 + (1-R)/2 |b|^2), R in (0, 1] (1 = lasso); needs
    /// --alpha > 0 or --cv K
    #[arg(long, value_name = "R")]
    l1_ratio: Option<f64>,
    /// Firth's bias-reduced logistic regression: finite estimates that keep standard errors,
    /// z, p-values and (profile-likelihood) intervals when a feature separates the classes, and
    /// less small-sample bias. Use it when the fit fails with "perfect separation" or when
    /// positives are few; not with --alpha, --cv or --l1-ratio
    #[arg(long, conflicts_with_all = ["alpha", "cv", "l1_ratio"])]
    firth: bool,
    /// newton (IRLS, default) or lbfgs (linfa-logistic)
    #[arg(long, default_value = "newton")]
    solver: SolverKind,
    /// Iteration limit of the solver (default: 100 for newton, 1000 for lbfgs)
    #[arg(long)]
    max_iter: Option<usize>,
    /// Score band cut points, comma-separated (default: quartiles of training scores)
    #[arg(long, value_delimiter = ',')]
    bands: Option<Vec<f64>>,
    /// Time-aware validation: the column that orders the leads (ISO 8601 dates or timestamps,
    /// dd/mm/yyyy or mm/dd/yyyy, or plain ordering numbers); the holdout becomes the latest leads
    /// (the --holdout share of them unless --test-latest or --test-after says otherwise)
    #[arg(long, value_name = "COL")]
    time_column: Option<String>,
    /// Format of the time column: iso, dd/mm/yyyy, mm/dd/yyyy or number (inferred when omitted)
    #[arg(long, requires = "time_column")]
    date_format: Option<leadsim::data::dates::DateFormat>,
    /// Hold out the latest FRACTION of rows in time order (ties with the first test row's time join the test side)
    #[arg(
        long,
        value_name = "FRACTION",
        requires = "time_column",
        conflicts_with = "test_after"
    )]
    test_latest: Option<f64>,
    /// Hold out the rows after DATE (a bare date means after that whole day)
    #[arg(long, value_name = "DATE", requires = "time_column")]
    test_after: Option<String>,
    /// Date of the export, for --maturity-days (default: the latest lead's time)
    #[arg(long, value_name = "DATE", requires = "maturity_days")]
    as_of: Option<String>,
    /// Leave out leads younger than N days at --as-of: they have not had time to convert
    #[arg(long, value_name = "N", requires = "time_column")]
    maturity_days: Option<f64>,
    /// Random seed for the holdout and folds
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Where to write the model
    #[arg(long, default_value = "model.json")]
    out: PathBuf,
    /// Where to write the HTML report (default: beside the model, named after it: model.report.html)
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
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
pub struct EvaluateArgs {
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
pub struct ScoreArgs {
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

pub fn cmd_generate(a: GenerateArgs) -> Result<ExitCode> {
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

pub struct SpinnerProgress(ProgressBar);

impl TrainProgress for SpinnerProgress {
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_string());
    }
    fn rows(&self, rows: u64) {
        self.0.set_message(format!("reading: {rows} rows"));
    }
}

pub fn cmd_train(a: TrainArgs) -> Result<ExitCode> {
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
        l1_ratio: a.l1_ratio,
        firth: a.firth,
        solver: a.solver,
        max_iter: a.max_iter,
        seed: a.seed,
        bands: a.bands,
        time: a.time_column.map(|column| TimeOptions {
            column,
            date_format: a.date_format,
            test: match (a.test_after, a.test_latest) {
                (Some(date), _) => TimeTest::After(date),
                (None, Some(share)) => TimeTest::Latest(share),
                (None, None) => TimeTest::Latest(a.holdout),
            },
            as_of: a.as_of,
            maturity_days: a.maturity_days,
        }),
    };
    let pb = spinner(a.quiet);
    let model = train::train(&opts, &SpinnerProgress(pb.clone()));
    pb.finish_and_clear();
    let model = model?;
    let report = a
        .report
        .clone()
        .unwrap_or_else(|| leadsim::report::report_path_for(&a.out));
    output::save_model_with_report(&model, &a.out, &report)
        .with_context(|| format!("saving the model to {}", a.out.display()))?;
    for w in &model.training.warnings {
        eprintln!("warning: {w}");
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&model)?);
    } else {
        print!("{}", output::train_summary(&model));
        println!(
            "model written to {}, report to {}",
            a.out.display(),
            report.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn cmd_evaluate(a: EvaluateArgs) -> Result<ExitCode> {
    let model = Model::load(&a.model)?;
    let pb = spinner(a.quiet);
    let opts = EvaluateOptions {
        data: a.data.clone(),
        csv: a.csv.options_for(&model),
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
            output::evaluation_summary(&eval, &format!("{}", a.data.display()))
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn cmd_score(a: ScoreArgs) -> Result<ExitCode> {
    let model = Model::load(&a.model)?;
    let pb = spinner(a.quiet);
    let opts = ScoreOptions {
        data: a.data.clone(),
        out: a.out.clone(),
        csv: a.csv.options_for(&model),
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
        print!("{}", output::score_summary(&summary, &a.out));
    }
    Ok(ExitCode::SUCCESS)
}
