//! Writing a simulated history ([`SimHistory`]) as a history export in exactly the format of
//! MODEL.md 8.5: `leads.csv` (one row per MQL) and `attempts.csv` (one row per call), UTC
//! timestamps with offset, the run's hour 0 at [`EXPORT_START`] (a Monday). This is how
//! `leadsim simulate FILE --export-history DIR` gives calibration a history with known truth.
//!
//! What a CRM would show at the export date `as_of`: leads that arrived by then; calls that
//! ended by then; SQL and disqualification dates by then; a deal's `won_at` or `lost_at` only
//! when it closed by then (else it is open: censored, not lost); a nurtured lead's
//! `purchased_at` only when it bought from us by then. An SQL's `amount` is its deal value;
//! a purchase's `purchase_amount` the lead's value.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::history::record::SimHistory;
use crate::history::time::{civil_from_days, days_from_civil, Instant, DAY, MONTH_DAYS};
use crate::sim::engine::trace::Outcome;
use crate::sim::engine::Compiled;

/// The date of the run's hour 0 in an exported history: Monday 2026-01-05, 00:00 UTC.
pub const EXPORT_START: (i32, u32, u32) = (2026, 1, 5);

/// The instant of the run's hour 0.
pub fn export_origin() -> Instant {
    days_from_civil(EXPORT_START.0, EXPORT_START.1, EXPORT_START.2) * DAY
}

/// The instant `hours` after the run's start (to the second).
pub fn instant_of(hours: f64) -> Instant {
    export_origin() + (hours * 3600.0).round() as Instant
}

/// ISO 8601 in UTC with a `Z`.
pub fn format_utc(t: Instant) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The leads table.
    pub leads: PathBuf,
    /// The attempts table.
    pub attempts: PathBuf,
    /// The export date, ISO 8601.
    pub as_of: String,
    /// Rows written.
    pub lead_rows: usize,
    /// Rows written.
    pub attempt_rows: usize,
}

/// Writes `h` into `dir` as `leads.csv` and `attempts.csv`, censored at `as_of_hours` (default:
/// the end of the run). Both files appear together or not at all.
///
/// # Errors
/// [`Error::Io`]; [`Error::InvalidParameter`] for an `as_of_hours` that is negative or NaN.
pub fn write_export(
    dir: &Path,
    c: &Compiled,
    h: &SimHistory,
    as_of_hours: Option<f64>,
) -> Result<ExportSummary> {
    let as_of_h = as_of_hours.unwrap_or(h.end);
    if as_of_h.is_nan() || as_of_h < 0.0 {
        return Err(Error::InvalidParameter {
            name: "export_as_of".into(),
            value: as_of_h.to_string(),
            reason: "the export date must lie at or after the run's start".into(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let as_of = instant_of(as_of_h);
    let sc = c.scenario();
    let pools: Vec<&str> = sc.pools.iter().map(|p| p.name.as_str()).collect();
    let leads_path = dir.join("leads.csv");
    let attempts_path = dir.join("attempts.csv");
    let mut lf = AtomicFile::create(&leads_path)?;
    let mut af = AtomicFile::create(&attempts_path)?;
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| Error::io(p, e)
    };
    lf.write_all(
        b"lead_id,mql_at,score,handed_over_at,pool,sql_at,disqualified_at,won_at,lost_at,amount,purchased_at,purchase_amount\n",
    )
    .map_err(io(&leads_path))?;
    af.write_all(b"lead_id,started_at,duration_minutes,rep,connected\n")
        .map_err(io(&attempts_path))?;
    let month_h = MONTH_DAYS * 24.0;
    let mut line = String::with_capacity(256);
    let mut lead_rows = 0;
    // The last call of each lead that ended by the export date: an unreached lead enters
    // nurture there only if its last call is visible.
    for (i, l) in h.leads.iter().enumerate() {
        let a = instant_of(l.arrival);
        if a > as_of {
            continue;
        }
        lead_rows += 1;
        line.clear();
        let at = |hours: f64| {
            (hours <= as_of_h)
                .then(|| instant_of(hours))
                .filter(|&t| t <= as_of)
        };
        let mut cols: [String; 12] = Default::default();
        cols[0] = format!("L{i:07}");
        cols[1] = format_utc(a);
        cols[2] = format!("{:.6}", l.score);
        if let Some(p) = l.pool {
            cols[3] = format_utc(a);
            cols[4] = pools[p as usize].to_string();
        }
        let exit = l.exit.filter(|(t, _)| at(*t).is_some());
        let mut entry = if l.pool.is_none() {
            Some(l.arrival)
        } else {
            None
        };
        match exit {
            Some((t, Outcome::Sql)) => {
                cols[5] = format_utc(instant_of(t));
                cols[9] = format!("{:.2}", l.value);
                let sale = c.sales_outcome(l.key, t);
                if let Some(close) = at(sale.closes_at) {
                    cols[if sale.won { 7 } else { 8 }] = format_utc(close);
                }
            }
            Some((t, Outcome::Rejected)) => {
                cols[6] = format_utc(instant_of(t));
                entry = Some(t);
            }
            Some((t, _)) => entry = Some(t),
            None => {}
        }
        if let Some(e) = entry {
            let d = c.nurture_outcome(l.key, l.propensity);
            if d.buys {
                if let Some(p) = at(e + d.months * month_h) {
                    cols[10] = format_utc(p);
                    cols[11] = format!("{:.2}", l.value);
                }
            }
        }
        line.push_str(&cols.join(","));
        line.push('\n');
        lf.write_all(line.as_bytes()).map_err(io(&leads_path))?;
    }
    let mut attempt_rows = 0;
    for x in &h.attempts {
        if instant_of(x.end) > as_of {
            continue;
        }
        attempt_rows += 1;
        let pool = h.leads[x.lead as usize].pool.unwrap_or(0) as usize;
        line.clear();
        line.push_str(&format!(
            "L{:07},{},{:.3},{}-{:02},{}\n",
            x.lead,
            format_utc(instant_of(x.start)),
            (x.end - x.start) * 60.0,
            pools[pool],
            x.rep + 1,
            if x.reached { "yes" } else { "no" }
        ));
        af.write_all(line.as_bytes()).map_err(io(&attempts_path))?;
    }
    lf.commit()?;
    af.commit()?;
    Ok(ExportSummary {
        leads: leads_path,
        attempts: attempts_path,
        as_of: format_utc(as_of),
        lead_rows,
        attempt_rows,
    })
}

/// Records replication 0 of `file`'s baseline with `seed` and writes it as an export into
/// `dir` ([`write_export`]).
///
/// # Errors
/// As [`write_export`].
pub fn export_baseline(
    dir: &Path,
    file: &crate::sim::ScenarioFile,
    seed: u64,
    as_of_hours: Option<f64>,
) -> Result<ExportSummary> {
    let c = Compiled::new(&file.scenarios[0]);
    let (h, _) = SimHistory::record(&c, seed, 0, None);
    write_export(dir, &c, &h, as_of_hours)
}
