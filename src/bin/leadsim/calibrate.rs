//! `calibrate` (a scenario from a CRM history export) and `backtest` (a scenario against one).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use leadsim::calibrate::backtest::{backtest, to_csv, ArrivalMode, Backtest};
use leadsim::calibrate::output::write_calibration;
use leadsim::calibrate::scenario::num;
use leadsim::calibrate::{calibrate, Calibration};
use leadsim::history::{
    read_history_with_progress, ColumnMap, History, ReadOptions, ReadStage, Zone,
};

use crate::progress::FileProgress;

/// Where the export is and how to read it (shared by `calibrate` and `backtest`).
#[derive(Args)]
pub struct ExportArgs {
    /// The leads table (CSV or .csv.gz), one row per MQL (docs/model.md section 8.5)
    #[arg(long, value_name = "FILE")]
    leads: PathBuf,
    /// The attempts table (one row per call); optional, but without it the call process keeps
    /// its defaults
    #[arg(long, value_name = "FILE")]
    attempts: Option<PathBuf>,
    /// The export date (ISO 8601; a date alone means the end of that day); everything after it
    /// is censored. Default: the export's last event
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Column mapping file ([leads] and [attempts] tables of field = "column")
    #[arg(long, value_name = "MAP.TOML")]
    columns: Option<PathBuf>,
    /// One mapping, FIELD=COLUMN (e.g. sql_at=ConvertedDate, attempts.lead_id=WhoId); repeatable,
    /// applied after --columns
    #[arg(long = "column", value_name = "FIELD=COLUMN")]
    column: Vec<String>,
    /// Time zone of times without an offset, and of weekdays and hours (IANA name)
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    tz: String,
    /// Values of the attempts' connected column that mean "reached a person"
    /// (comma-separated, e.g. "Connected,Meeting booked")
    #[arg(long, value_name = "V1,V2", value_delimiter = ',')]
    connected_values: Option<Vec<String>>,
    /// No progress display
    #[arg(long)]
    quiet: bool,
}

impl ExportArgs {
    /// Reads the export, showing the bytes read of each file on `shown`.
    fn read(&self, shown: &FileProgress) -> Result<History> {
        let mut columns = match &self.columns {
            Some(p) => ColumnMap::from_toml_file(p)?,
            None => ColumnMap::new(),
        };
        for c in &self.column {
            columns.apply_override(c)?;
        }
        if let Some(v) = &self.connected_values {
            columns.set_connected_values(v.iter().map(|s| s.trim().to_string()).collect());
        }
        let options = ReadOptions {
            columns,
            zone: Zone::named(&self.tz)?,
            as_of: self.as_of.clone(),
            ..Default::default()
        };
        let file = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        let leads = format!("reading {}", file(&self.leads));
        let (attempts, again) = match &self.attempts {
            Some(a) => (
                format!("reading {}", file(a)),
                format!("reading {} again to sort it", file(a)),
            ),
            None => (String::new(), String::new()),
        };
        let progress = |p: leadsim::history::ReadProgress| {
            let what = match p.stage {
                ReadStage::Leads => &leads,
                ReadStage::Attempts => &attempts,
                ReadStage::AttemptsAgain => &again,
            };
            shown.bytes(what, p.bytes_read, p.bytes_total);
        };
        let h =
            read_history_with_progress(&self.leads, self.attempts.as_deref(), &options, &progress)?;
        Ok(h)
    }

    /// The flags that read this export again (for the printed next step).
    fn flags(&self) -> String {
        let mut s = format!("--leads {}", self.leads.display());
        if let Some(a) = &self.attempts {
            s += &format!(" --attempts {}", a.display());
        }
        if let Some(d) = &self.as_of {
            s += &format!(" --as-of {d}");
        }
        if let Some(c) = &self.columns {
            s += &format!(" --columns {}", c.display());
        }
        for c in &self.column {
            s += &format!(" --column {c}");
        }
        if self.tz != "UTC" {
            s += &format!(" --tz {}", self.tz);
        }
        if let Some(v) = &self.connected_values {
            s += &format!(" --connected-values \"{}\"", v.join(","));
        }
        s
    }

    fn name(&self) -> String {
        let file = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        match &self.attempts {
            Some(a) => format!("{} + {}", file(&self.leads), file(a)),
            None => file(&self.leads),
        }
    }
}

#[derive(Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    export: ExportArgs,
    /// Output folder for scenario.toml, population.csv, calibration.json, calibration.html
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Arrivals {
    /// At the export's own MQL times
    Replay,
    /// Drawn at the scenario's rate and profiles
    Fitted,
}

#[derive(Args)]
pub struct BacktestArgs {
    /// The scenario file whose baseline is the historical process (e.g. calibrate's scenario.toml)
    scenario_file: PathBuf,
    #[command(flatten)]
    export: ExportArgs,
    /// Output folder for backtest.csv, backtest.json, backtest.html
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Exit with status 3 when a metric is outside
    #[arg(long)]
    strict: bool,
    /// How simulated leads arrive
    #[arg(long, value_enum, default_value = "replay")]
    arrivals: Arrivals,
    /// Replications (default: the scenario file's)
    #[arg(long)]
    replications: Option<usize>,
    /// Random seed (default: the scenario file's)
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    threads: Option<usize>,
}

fn print_calibration(c: &Calibration) {
    let f = &c.funnel;
    println!(
        "{} MQLs, {} handed over, {} reached, {} SQLs ({:.1}%), {} won, {} lost, {} open; export date {}",
        f.mqls,
        f.handed_over,
        f.reached,
        f.sqls,
        100.0 * f.mql_to_sql.value,
        f.won,
        f.lost,
        f.open,
        c.as_of
    );
    let mut defaults = Vec::new();
    let mut note = |name: &str, e: &leadsim::calibrate::Estimate| {
        if let leadsim::calibrate::Source::Default { reason } = &e.source {
            defaults.push(format!("{name} ({reason})"));
        }
    };
    if let Some(h) = c.arrivals.hour_profile.first() {
        note("hour_profile", h);
    }
    note("win_rate", &c.sales.win_rate);
    note("sales_cycle_days", &c.sales.cycle_median_days);
    note("deal_value", &c.sales.deal_median);
    note("decision.scale_months", &c.nurture.scale_months);
    note("share", &c.nurture.share);
    if let Some(ct) = &c.contact {
        note("contactable", &ct.contactable);
    }
    for p in &c.pools {
        note(&format!("pools.{}.count", p.name), &p.reps);
        note(&format!("pools.{}.handle_minutes", p.name), &p.handle_mean);
        note(&format!("pools.{}.talk_minutes", p.name), &p.talk_mean);
    }
    let line = |k: &str, e: &leadsim::calibrate::Estimate| {
        println!("  {k:<22} {}", leadsim::calibrate::scenario::brief(e))
    };
    line("rate_per_day", &c.arrivals.rate_per_day);
    if let Some(ct) = &c.contact {
        line("contactable", &ct.contactable);
    }
    line("win_rate", &c.sales.win_rate);
    line("sales cycle (median d)", &c.sales.cycle_median_days);
    line("nurture pi x share", &c.nurture.pi_share);
    if !defaults.is_empty() {
        println!("kept at their defaults: {}", defaults.join("; "));
    }
    // Only an estimate from the export is observational; the default is not.
    if c.speed_to_lead.default_reason.is_none() {
        eprintln!("warning: speed to lead: {}", c.speed_to_lead.warning);
    }
    for w in &c.warnings {
        eprintln!("warning: {}", w.message);
    }
}

/// `calibrate`.
pub fn cmd_calibrate(a: CalibrateArgs) -> Result<ExitCode> {
    let shown = FileProgress::new(a.export.quiet);
    let h = a.export.read(&shown)?;
    shown.stage("estimating the knobs");
    let mut c = calibrate(&h);
    shown.stage(format!(
        "netting the gaps of waiting and writing {}",
        a.out.display()
    ));
    let written = write_calibration(&a.out, &h, &mut c, &a.export.name())
        .with_context(|| format!("writing the calibration to {}", a.out.display()))?;
    shown.clear();
    print_calibration(&c);
    println!(
        "wrote {}",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "next: leadsim backtest {} {} --out backtest/",
        written[0].display(),
        a.export.flags()
    );
    Ok(ExitCode::SUCCESS)
}

fn table(b: &Backtest) -> String {
    let mut s = format!(
        "{:<24} {:>14} {:>27} {:>14} {:>27}  verdict\n",
        "metric", "observed", "observed 95%", "simulated", "simulated 95%"
    );
    let f = |x: f64| {
        if x.is_nan() {
            "–".to_string()
        } else {
            num(x)
        }
    };
    for r in &b.rows {
        let oi = if r.observed_lo.is_nan() {
            "–".to_string()
        } else {
            format!("{} to {}", f(r.observed_lo), f(r.observed_hi))
        };
        s.push_str(&format!(
            "{:<24} {:>14} {:>27} {:>14} {:>27}  {}\n",
            r.metric,
            f(r.observed),
            oi,
            f(r.simulated_mean),
            format!("{} to {}", f(r.simulated_lo), f(r.simulated_hi)),
            r.verdict
        ));
    }
    for k in &b.skipped {
        s.push_str(&format!("{:<24} not compared: {}\n", k.metric, k.reason));
    }
    s
}

/// `backtest`.
pub fn cmd_backtest(a: BacktestArgs) -> Result<ExitCode> {
    let file = leadsim::sim::ScenarioFile::load(&a.scenario_file)?;
    let shown = FileProgress::new(a.export.quiet);
    let h = a.export.read(&shown)?;
    let reps = a.replications.unwrap_or(file.replications);
    if reps < 2 {
        anyhow::bail!("a back-test needs at least 2 replications for the simulated interval (got {reps}); set --replications");
    }
    let seed = a.seed.unwrap_or(file.seed);
    let mode = match a.arrivals {
        Arrivals::Replay => ArrivalMode::Replay,
        Arrivals::Fitted => ArrivalMode::Fitted,
    };
    shown.stage(format!("simulating {reps} replications"));
    let progress = |d: usize, n: usize| shown.stage(format!("simulated {d} of {n} replications"));
    let run = || backtest(&h, &file, mode, seed, reps, &progress);
    let b = match a.threads {
        None => run(),
        Some(0) => anyhow::bail!("--threads must be at least 1"),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("building the thread pool")?
            .install(run),
    };
    shown.clear();
    let json = serde_json::to_string_pretty(&b)? + "\n";
    let page = leadsim::report::calibrate::backtest_page(&b, &a.export.name());
    leadsim::calibrate::output::write_files(
        &a.out,
        &[
            ("backtest.csv", to_csv(&b).as_bytes()),
            ("backtest.json", json.as_bytes()),
            ("backtest.html", page.as_bytes()),
        ],
    )
    .with_context(|| format!("writing the back-test to {}", a.out.display()))?;
    print!("{}", table(&b));
    let outside = b.outside();
    println!(
        "{} of {} metrics inside; wrote {}/backtest.csv, backtest.json and backtest.html",
        b.rows.len() - outside.len(),
        b.rows.len(),
        a.out.display()
    );
    Ok(if a.strict && !outside.is_empty() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}
