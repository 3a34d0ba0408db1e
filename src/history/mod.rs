//! A CRM's history export (docs/model.md section 8.5): the leads table (one row per MQL) and, optionally,
//! the attempts table (one row per call), read through the project's CSV layer (gzip,
//! delimiter sniffing, line numbers), with columns mapped ([`columns`]), timestamps read in one
//! zone ([`time`]) and every row checked. Bad input is an error naming file, line, column and
//! value; oddities that do not stop a calibration are counted ([`warnings`]).
//!
//! The leads are held in memory (about 150 bytes a lead); the attempts are streamed into fixed
//! summaries per lead and per pool ([`attempts`]), so a five-million-call export costs no more
//! memory than its leads.
//!
//! [`synth`] writes exports with known parameters, for tests and benches; [`record`] and
//! [`export`] record a simulated replication and write it as an export
//! (`simulate --export-history`).

pub mod attempts;
#[cfg(test)]
mod batch_tests;
pub mod columns;
pub mod digest;
pub mod export;
pub mod ids;
pub mod leads;
mod parsed;
pub mod record;
pub mod synth;
pub mod time;
pub mod warnings;

use std::path::Path;

pub use attempts::{AttemptsDigest, LeadCalls, PoolCalls};
pub use columns::{AttemptField, ColumnMap, LeadField};
pub use leads::{LastEvent, Leads};
pub use time::{Instant, Zone};
pub use warnings::{Warning, WarningKind, Warnings};

use crate::data::batches::BATCH_ROWS;
use crate::data::CsvOptions;
use crate::error::{Error, Result};

/// How to read an export.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Which column holds which field.
    pub columns: ColumnMap,
    /// The zone of wall-clock times and of weekdays and hours (default UTC).
    pub zone: Zone,
    /// The export date as ISO 8601; a date alone means the end of that day. Default: the last
    /// event of the export.
    pub as_of: Option<String>,
    /// CSV delimiter (sniffed when not given).
    pub csv: CsvOptions,
}

/// A history export, read and checked.
#[derive(Debug, Clone)]
pub struct History {
    /// The leads table.
    pub leads: Leads,
    /// The attempts table, summarised; `None` when no attempts table was given.
    pub attempts: Option<AttemptsDigest>,
    /// The export date: everything after it is unknown (censored), not absent.
    pub as_of: Instant,
    /// The zone used.
    pub zone: Zone,
    /// The latest event of the export.
    pub last_event: Option<LastEvent>,
    /// What was odd about some rows.
    pub warnings: Warnings,
}

/// Which file reading has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStage {
    /// The leads table.
    Leads,
    /// The attempts table.
    Attempts,
    /// The attempts table again, to sort it in memory (its calls were out of time order).
    AttemptsAgain,
}

/// How far reading has got, reported after every few thousand records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadProgress {
    /// The file being read.
    pub stage: ReadStage,
    /// Bytes read of it so far (compressed bytes for a `.csv.gz`).
    pub bytes_read: u64,
    /// Its size on disk.
    pub bytes_total: u64,
}

/// Reads an export's leads table and, if given, its attempts table.
///
/// Each table is read by three threads: one splits the file into records, one parses them,
/// and the calling thread checks ids and folds the rows in (`data::batches`), so a large
/// export reads in well under the one-thread time on two cores (docs/calibrate.md,
/// "Performance"). The result, the warnings and the first error do not depend on it.
///
/// # Errors
/// Every reading and checking error of the two tables (see [`leads`] and [`attempts`]);
/// [`Error::InvalidParameter`] for an `as_of` that is not a timestamp;
/// [`Error::AsOfBeforeEvent`] when `as_of` lies before an event of the export.
pub fn read_history(
    leads_path: impl AsRef<Path>,
    attempts_path: Option<&Path>,
    options: &ReadOptions,
) -> Result<History> {
    read_history_with_progress(leads_path, attempts_path, options, &|_| {})
}

/// [`read_history`], telling `progress` how far it has got (for a progress bar).
///
/// # Errors
/// As [`read_history`].
pub fn read_history_with_progress(
    leads_path: impl AsRef<Path>,
    attempts_path: Option<&Path>,
    options: &ReadOptions,
    progress: &dyn Fn(ReadProgress),
) -> Result<History> {
    read_in_batches(
        leads_path.as_ref(),
        attempts_path,
        options,
        BATCH_ROWS,
        progress,
    )
}

/// [`read_history_with_progress`] with `batch_rows` records per batch (tests vary it to check
/// that batch boundaries change nothing).
pub(crate) fn read_in_batches(
    leads_path: &Path,
    attempts_path: Option<&Path>,
    options: &ReadOptions,
    batch_rows: usize,
    progress: &dyn Fn(ReadProgress),
) -> Result<History> {
    let as_of = match &options.as_of {
        None => None,
        Some(text) => Some(parse_as_of(text, &options.zone)?),
    };
    let mut warnings = Warnings::new();
    let mut last = None;
    let leads = leads::read_leads(
        leads_path,
        &options.columns,
        &options.zone,
        &options.csv,
        &mut warnings,
        &mut last,
        batch_rows,
        progress,
    )?;
    let attempts = match attempts_path {
        None => None,
        Some(p) => Some(attempts::read_attempts(
            p,
            &leads,
            &options.columns,
            &options.zone,
            &options.csv,
            &mut warnings,
            &mut last,
            batch_rows,
            progress,
        )?),
    };
    let as_of = match (as_of, &last) {
        (Some(a), Some(e)) if a < e.at => {
            return Err(Error::AsOfBeforeEvent {
                as_of: options.zone.format(a),
                path: e.path.clone(),
                line: e.line,
                column: e.column.clone(),
                value: e.value.clone(),
            })
        }
        (Some(a), _) => a,
        (None, Some(e)) => e.at,
        (None, None) => unreachable!("a leads table has at least one mql_at"),
    };
    if let Some(a) = &attempts {
        let sql = &leads.sql_at;
        let n = (0..leads.len())
            .filter(|&i| {
                sql.get(i).is_some() && a.leads.count[i] > 0 && a.leads.first_contact[i] == 0
            })
            .count() as u64;
        let first = (0..leads.len()).find(|&i| {
            sql.get(i).is_some() && a.leads.count[i] > 0 && a.leads.first_contact[i] == 0
        });
        warnings.add_many(WarningKind::SqlWithoutContact, n, || {
            first.map_or_else(String::new, |i| {
                format!("{} line {}", leads.path.display(), leads.lines[i])
            })
        });
    }
    if leads.purchased_at.is_mapped() {
        let mut first = None;
        let mut n = 0;
        for i in 0..leads.len() {
            if leads.sql_at.get(i).is_some() && leads.purchased_at.get(i).is_some() {
                n += 1;
                first.get_or_insert(i);
            }
        }
        warnings.add_many(WarningKind::PurchaseBySql, n, || {
            first.map_or_else(String::new, |i| {
                format!("{} line {}", leads.path.display(), leads.lines[i])
            })
        });
    }
    Ok(History {
        leads,
        attempts,
        as_of,
        zone: options.zone.clone(),
        last_event: last,
        warnings,
    })
}

/// An export date: a timestamp, or a date alone meaning the end of that day (so that the
/// day's own events are inside the export).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `as_of` when the text is not ISO 8601.
pub fn parse_as_of(text: &str, zone: &Zone) -> Result<Instant> {
    let t = text.trim();
    let at = time::parse_timestamp(t, zone).map_err(|reason| Error::InvalidParameter {
        name: "as_of".into(),
        value: text.to_string(),
        reason: reason.to_string(),
    })?;
    if t.len() == 10 {
        // The next local midnight (a day can be 23 or 25 hours long around a DST change).
        let next = time::civil_from_days(zone.local(at).day + 1);
        let next = format!("{:04}-{:02}-{:02}", next.0, next.1, next.2);
        return time::parse_timestamp(&next, zone).map_err(|reason| Error::InvalidParameter {
            name: "as_of".into(),
            value: text.to_string(),
            reason: reason.to_string(),
        });
    }
    Ok(at)
}
