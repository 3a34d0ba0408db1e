//! The attempts table (one row per call), streamed: each row updates a few numbers of its lead
//! (attempts so far, first contact, last end) and fixed-size summaries of its lead's pool (call
//! starts by weekday and quarter hour, reps per week, call lengths, gaps by attempt number), so
//! memory grows with the number of leads, never with the number of calls.
//!
//! Gaps need each lead's calls in time order. Exports sorted by date, or by lead then date,
//! stream in one pass; a file in any other order is detected (a call that starts before the
//! previous call of its lead) and then read again into 24-byte rows, sorted, and replayed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::data::batches::{parse_in_background, RecordParser};
use crate::data::source::field_str;
use crate::data::{parse_number, parse_yes_no, CsvOptions, CsvStream, MissingTokens, Number};
use crate::error::{Error, Result};
use crate::history::columns::{locate, AttemptField, ColumnMap, Located};
use crate::history::digest::{LogHistogram, LogMoments, PowerSums};
use crate::history::ids::hash;
use crate::history::leads::{LastEvent, Leads};
use crate::history::parsed::{BatchIds, Failure, Latest};
use crate::history::time::{parse_timestamp, Instant, Zone, HOUR};
use crate::history::warnings::{WarningKind, Warnings};
use crate::history::{ReadProgress, ReadStage};

/// Marks "no time".
pub const NONE: i64 = i64::MIN;

/// Gaps are kept for attempt numbers up to this; later attempts still count.
pub const MAX_GAP_INDEX: usize = 30;

/// Per lead, what its calls say (attempts before its `mql_at` and after its first contact
/// excluded: those are not attempts of the funnel's contact process).
#[derive(Debug, Clone, Default)]
pub struct LeadCalls {
    /// Attempts made (up to and including the first connected one).
    pub count: Vec<u16>,
    /// The attempt number of the first connected call, 0 when never reached.
    pub first_contact: Vec<u16>,
    /// Start of the first attempt ([`NONE`] without attempts).
    pub first_start: Vec<Instant>,
    /// Start of the reaching attempt ([`NONE`] when never reached).
    pub contact_start: Vec<Instant>,
    /// End of the last attempt counted ([`NONE`] without attempts).
    pub last_end: Vec<Instant>,
    last_start: Vec<Instant>,
}

impl LeadCalls {
    fn new(n: usize) -> Self {
        LeadCalls {
            count: vec![0; n],
            first_contact: vec![0; n],
            first_start: vec![NONE; n],
            contact_start: vec![NONE; n],
            last_end: vec![NONE; n],
            last_start: vec![NONE; n],
        }
    }

    /// A time column entry, `None` for [`NONE`].
    pub fn at(v: &[Instant], i: usize) -> Option<Instant> {
        Some(v[i]).filter(|&t| t != NONE)
    }
}

/// What the calls of one pool's leads say about the pool.
#[derive(Debug, Clone)]
pub struct PoolCalls {
    /// Call starts by local weekday (Monday first) and quarter hour of the day.
    pub starts: Vec<[u64; 96]>,
    /// Distinct (week, rep) pairs; weeks are numbered from the Monday of 1969-12-29.
    pub rep_weeks: BTreeSet<(i64, u32)>,
    /// Logs of unanswered call lengths (minutes), for the handling-time fit.
    pub handling: LogMoments,
    /// Answered call lengths (minutes): power sums for the talk-time moments.
    pub answered: PowerSums,
    /// Gaps (hours) from the end of attempt `k` to the start of attempt `k + 1`, at index `k - 1`.
    pub gaps: Vec<LogHistogram>,
    /// Every call (follow-ups and calls before the MQL included).
    pub dials: u64,
    /// Calls that reached a person.
    pub connected: u64,
    /// First and last call start.
    pub span: Option<(Instant, Instant)>,
}

impl Default for PoolCalls {
    fn default() -> Self {
        PoolCalls {
            starts: vec![[0; 96]; 7],
            rep_weeks: BTreeSet::new(),
            handling: LogMoments::default(),
            answered: PowerSums::default(),
            gaps: Vec::new(),
            dials: 0,
            connected: 0,
            span: None,
        }
    }
}

/// The attempts table reduced to what calibration needs.
#[derive(Debug, Clone)]
pub struct AttemptsDigest {
    /// The file.
    pub path: PathBuf,
    /// Per lead.
    pub leads: LeadCalls,
    /// Per pool (numbered as the leads' pools).
    pub pools: Vec<PoolCalls>,
    /// Rep names, numbered.
    pub reps: Vec<String>,
    /// Each distinct `connected` value, how often it occurred and how it was read.
    pub dispositions: Vec<(String, u64, bool)>,
    /// Data rows read.
    pub rows: u64,
    /// Whether call lengths were given (a duration or `ended_at` column).
    pub has_length: bool,
    /// Whether a rep column was given.
    pub has_rep: bool,
    /// Whether a `connected` column was given (without one, no call counts as connected).
    pub has_connected: bool,
    /// Whether the file had to be sorted in memory.
    pub sorted_in_memory: bool,
}

/// One call, parsed.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// The lead's number, once its id is looked up (`u32::MAX` before).
    lead: u32,
    start: Instant,
    /// Seconds; NaN when unknown.
    length: f32,
    connected: bool,
    rep: u32,
    line: u64,
}

enum Length {
    Minutes(Located),
    Seconds(Located),
    Millis(Located),
    Ended(Located),
}

/// Turns records into rows, on the reading thread: everything but the lead lookup. The reps,
/// dispositions, warnings and latest event it gathers come back when the file is done.
struct RowReader<'a> {
    path: &'a Path,
    file: String,
    zone: &'a Zone,
    missing: MissingTokens,
    id: Located,
    start: Located,
    length: Option<Length>,
    rep: Option<Located>,
    connected: Option<Located>,
    connected_values: Option<Vec<String>>,
    reps: Vec<String>,
    rep_index: HashMap<String, u32>,
    last_rep: Option<(String, u32)>,
    dispositions: Vec<(String, u64, bool)>,
    warnings: Warnings,
    latest: Latest,
}

/// A batch of calls from the reading thread: rows whose lead is still to be looked up, each
/// with its lead id and the id's hash.
#[derive(Debug, Default)]
struct AttemptBatch {
    ids: BatchIds,
    hashes: Vec<u64>,
    rows: Vec<Row>,
    failure: Option<Failure>,
}

impl<'a> RowReader<'a> {
    fn new(
        path: &'a Path,
        headers: &[String],
        map: &ColumnMap,
        zone: &'a Zone,
        last: &Option<LastEvent>,
    ) -> Result<Self> {
        let find = |f: AttemptField| {
            locate(
                path,
                headers,
                "attempts",
                f.name(),
                f.required(),
                map.attempt(f),
            )
        };
        let mut length = None;
        // An explicit mapping wins; otherwise the first length column the file has.
        let explicit = AttemptField::LENGTH
            .into_iter()
            .find(|f| map.attempt(*f).is_some());
        for f in explicit.into_iter().chain(AttemptField::LENGTH) {
            if let Some(l) = find(f)? {
                length = Some(match f {
                    AttemptField::DurationMinutes => Length::Minutes(l),
                    AttemptField::DurationSeconds => Length::Seconds(l),
                    AttemptField::DurationMs => Length::Millis(l),
                    _ => Length::Ended(l),
                });
                break;
            }
        }
        Ok(RowReader {
            path,
            file: path.display().to_string(),
            zone,
            missing: MissingTokens::default(),
            id: find(AttemptField::LeadId)?.expect("required"),
            start: find(AttemptField::StartedAt)?.expect("required"),
            length,
            rep: find(AttemptField::Rep)?,
            connected: find(AttemptField::Connected)?,
            connected_values: map.connected_values().map(<[String]>::to_vec),
            reps: Vec::new(),
            rep_index: HashMap::new(),
            last_rep: None,
            dispositions: Vec::new(),
            warnings: Warnings::new(),
            latest: Latest::after(last),
        })
    }

    fn text<'r>(
        &self,
        rec: &'r csv::ByteRecord,
        line: u64,
        l: &Located,
    ) -> Result<Option<&'r str>> {
        if let Some((ci, _)) = &l.condition {
            let c = field_str(self.path, line, "(condition)", rec.get(*ci).unwrap_or(b""))?;
            if !l.pass(Some(c)) {
                return Ok(None);
            }
        }
        let s = field_str(self.path, line, &l.column, rec.get(l.index).unwrap_or(b""))?;
        Ok(if self.missing.is_missing(s) {
            None
        } else {
            Some(s)
        })
    }

    fn time(&self, s: &str, line: u64, l: &Located) -> Result<Instant> {
        parse_timestamp(s, self.zone).map_err(|reason| Error::BadTimestamp {
            path: self.path.to_path_buf(),
            line,
            column: l.column.clone(),
            value: s.to_string(),
            reason: reason.to_string(),
        })
    }

    fn parse_row(
        &mut self,
        rec: &csv::ByteRecord,
        line: u64,
        batch: &mut AttemptBatch,
    ) -> std::result::Result<(), Failure> {
        let id = self
            .text(rec, line, &self.id)
            .map_err(Failure::Id)?
            .unwrap_or("");
        match self.fields(rec, line) {
            Ok(row) => {
                batch.hashes.push(hash(id));
                batch.ids.push(id);
                batch.rows.push(row);
                Ok(())
            }
            Err(error) => Err(Failure::Field {
                id: id.to_string(),
                line,
                error,
            }),
        }
    }

    /// The fields after the lead id, in the order they are checked.
    fn fields(&mut self, rec: &csv::ByteRecord, line: u64) -> Result<Row> {
        let start_text = self
            .text(rec, line, &self.start)?
            .ok_or_else(|| Error::BadTimestamp {
                path: self.path.to_path_buf(),
                line,
                column: self.start.column.clone(),
                value: String::new(),
                reason: "every attempt needs a start time".into(),
            })?;
        let start = self.time(start_text, line, &self.start)?;
        self.latest
            .offer(start, line, &self.start.column, start_text);
        let length = match &self.length {
            None => None,
            Some(Length::Ended(l)) => match self.text(rec, line, l)? {
                None => None,
                Some(s) => {
                    let end = self.time(s, line, l)?;
                    if end < start {
                        return Err(Error::BadValue {
                            path: self.path.to_path_buf(),
                            line,
                            column: l.column.clone(),
                            value: s.to_string(),
                            reason: format!("the call ends before it starts ({start_text})"),
                        });
                    }
                    self.latest.offer(end, line, &l.column, s);
                    Some((end - start) as f64)
                }
            },
            Some(Length::Minutes(l)) | Some(Length::Seconds(l)) | Some(Length::Millis(l)) => {
                let unit = match &self.length {
                    Some(Length::Minutes(_)) => 60.0,
                    Some(Length::Seconds(_)) => 1.0,
                    _ => 0.001,
                };
                match self.text(rec, line, l)? {
                    None => None,
                    Some(s) => Some(parse_length(s, unit).ok_or_else(|| Error::BadValue {
                        path: self.path.to_path_buf(),
                        line,
                        column: l.column.clone(),
                        value: s.to_string(),
                        reason: "not a call length (a number >= 0, or H:MM:SS)".into(),
                    })?),
                }
            }
        };
        if self.length.is_some() && length.is_none() {
            let file = &self.file;
            self.warnings.add(WarningKind::AttemptNoDuration, || {
                format!("{file} line {line}")
            });
        }
        let connected_text = match &self.connected {
            None => None,
            Some(l) => Some(self.text(rec, line, l)?),
        };
        let connected = match connected_text {
            None => false,
            Some(None) => {
                let file = &self.file;
                self.warnings.add(WarningKind::ConnectedMissing, || {
                    format!("{file} line {line}")
                });
                false
            }
            Some(Some(s)) => self.read_connected(s, line)?,
        };
        let rep_text = match &self.rep {
            None => None,
            Some(l) => self.text(rec, line, l)?,
        };
        let rep = rep_text.map_or(u32::MAX, |s| self.intern_rep(s));
        Ok(Row {
            lead: u32::MAX,
            start,
            length: length.map_or(f32::NAN, |v| v as f32),
            connected,
            rep,
            line,
        })
    }

    fn read_connected(&mut self, s: &str, line: u64) -> Result<bool> {
        if let Some(entry) = self.dispositions.iter_mut().find(|d| d.0 == s) {
            entry.1 += 1;
            return Ok(entry.2);
        }
        let value = match &self.connected_values {
            Some(values) => values.iter().any(|v| v.eq_ignore_ascii_case(s)),
            None => match parse_yes_no(s).or(match s {
                "1" => Some(1.0),
                "0" => Some(0.0),
                _ => None,
            }) {
                Some(v) => v == 1.0,
                None => {
                    let column = self.connected.as_ref().map_or("", |l| l.column.as_str());
                    return Err(Error::BadValue {
                        path: self.path.to_path_buf(),
                        line,
                        column: column.to_string(),
                        value: s.to_string(),
                        reason: "expected yes/no, true/false or 1/0; for dispositions such as \
                                 \"Left voicemail\", name the values that mean connected"
                            .into(),
                    });
                }
            },
        };
        self.dispositions.push((s.to_string(), 1, value));
        Ok(value)
    }

    fn intern_rep(&mut self, s: &str) -> u32 {
        if let Some((name, i)) = &mut self.last_rep {
            if name == s {
                return *i;
            }
        }
        let i = match self.rep_index.get(s) {
            Some(&i) => i,
            None => {
                let i = self.reps.len() as u32;
                self.reps.push(s.to_string());
                self.rep_index.insert(s.to_string(), i);
                i
            }
        };
        // Reuse the buffer: calls by one rep often come in runs, but not always.
        match &mut self.last_rep {
            Some((name, last)) => {
                name.clear();
                name.push_str(s);
                *last = i;
            }
            None => self.last_rep = Some((s.to_string(), i)),
        }
        i
    }
}

impl RecordParser for RowReader<'_> {
    type Batch = AttemptBatch;

    fn parse(&mut self, rec: &csv::ByteRecord, line: u64, batch: &mut AttemptBatch) -> bool {
        let parsed = self.parse_row(rec, line, batch);
        Failure::keep(parsed, &mut batch.failure)
    }
}

/// Looks up each row's lead, in file order, and hands the row on; then reports the batch's
/// failure, after the lookup of its record's lead. Stops early when `take` says so (`false`).
fn lookup_batch(
    leads: &Leads,
    path: &Path,
    batch: AttemptBatch,
    mut take: impl FnMut(Row) -> bool,
) -> Result<bool> {
    let unknown = |id: &str, line: u64| Error::UnknownLead {
        path: path.to_path_buf(),
        line,
        lead_id: id.to_string(),
        leads: leads.path.clone(),
    };
    for (i, mut row) in batch.rows.into_iter().enumerate() {
        let id = batch.ids.get(i);
        row.lead = leads
            .ids
            .get_hashed(id, batch.hashes[i])
            .ok_or_else(|| unknown(id, row.line))?;
        if !take(row) {
            return Ok(false);
        }
    }
    match batch.failure {
        None => Ok(true),
        Some(Failure::Id(e)) => Err(e),
        Some(Failure::Field { id, line, error }) => match leads.ids.get(&id) {
            None => Err(unknown(&id, line)),
            Some(_) => Err(error),
        },
    }
}

/// A length as a number in `unit` seconds, or as `H:MM:SS` / `MM:SS` clock text.
fn parse_length(s: &str, unit: f64) -> Option<f64> {
    if s.contains(':') {
        let mut total = 0.0;
        for part in s.split(':') {
            let v: f64 = part.trim().parse().ok()?;
            if v.is_nan() || v < 0.0 {
                return None;
            }
            total = total * 60.0 + v;
        }
        return Some(total);
    }
    match parse_number(s) {
        Number::Finite(v) if v >= 0.0 => Some(v * unit),
        _ => None,
    }
}

/// Signals a call earlier than its lead's previous call.
struct OutOfOrder;

/// Folds rows into the digest.
struct Folder<'a> {
    leads: &'a Leads,
    zone: &'a Zone,
    path: &'a Path,
    calls: LeadCalls,
    pools: Vec<PoolCalls>,
}

impl<'a> Folder<'a> {
    fn new(leads: &'a Leads, zone: &'a Zone, path: &'a Path) -> Self {
        Folder {
            leads,
            zone,
            path,
            calls: LeadCalls::new(leads.len()),
            pools: vec![PoolCalls::default(); leads.pool.names.len()],
        }
    }

    fn push(&mut self, r: Row, warnings: &mut Warnings) -> std::result::Result<(), OutOfOrder> {
        let i = r.lead as usize;
        let c = &mut self.calls;
        if c.last_start[i] != NONE && r.start < c.last_start[i] {
            return Err(OutOfOrder);
        }
        c.last_start[i] = r.start;
        let pool = &mut self.pools[self.leads.pool.of_lead[i] as usize];
        let local = self.zone.local(r.start);
        pool.starts[local.weekday()][(local.second_of_day / 900) as usize] += 1;
        if r.rep != u32::MAX {
            pool.rep_weeks
                .insert(((local.day + 3).div_euclid(7), r.rep));
        }
        pool.dials += 1;
        pool.connected += u64::from(r.connected);
        pool.span = Some(match pool.span {
            None => (r.start, r.start),
            Some((a, b)) => (a.min(r.start), b.max(r.start)),
        });
        let file = self.path.display();
        let line = r.line;
        if r.start < self.leads.mql_at[i] {
            warnings.add(WarningKind::AttemptBeforeMql, || {
                format!("{file} line {line}")
            });
            return Ok(());
        }
        if c.first_contact[i] != 0 {
            warnings.add(WarningKind::AttemptAfterContact, || {
                format!("{file} line {line}")
            });
            return Ok(());
        }
        let k = c.count[i].saturating_add(1);
        if k >= 2 {
            let mut gap = (r.start - c.last_end[i]) as f64 / HOUR as f64;
            if gap < 0.0 {
                warnings.add(WarningKind::AttemptOverlap, || {
                    format!("{file} line {line}")
                });
                gap = 0.0;
            }
            let idx = k as usize - 2;
            if idx < MAX_GAP_INDEX {
                if pool.gaps.len() <= idx {
                    pool.gaps.resize(idx + 1, LogHistogram::new());
                }
                pool.gaps[idx].add(gap);
            }
        } else {
            c.first_start[i] = r.start;
            if !self.leads.handed_over(i) {
                warnings.add(WarningKind::RetainedWithAttempts, || {
                    format!("{file} line {line}")
                });
            }
        }
        c.count[i] = k;
        let length = f64::from(r.length);
        if length > 0.0 {
            let minutes = length / 60.0;
            if r.connected {
                pool.answered.add(minutes);
            } else {
                pool.handling.add(minutes);
            }
        } else if length == 0.0 {
            warnings.add(WarningKind::AttemptZeroDuration, || {
                format!("{file} line {line}")
            });
        }
        let end = r.start
            + if length > 0.0 {
                length.round() as i64
            } else {
                0
            };
        c.last_end[i] = end;
        if r.connected {
            c.first_contact[i] = k;
            c.contact_start[i] = r.start;
        }
        Ok(())
    }
}

/// Streams the attempts table into an [`AttemptsDigest`]: the records are split and parsed on
/// two other threads (`data::batches`) while this one looks up their leads and folds them in.
/// `progress` hears the bytes read of the file's size after every batch.
///
/// # Errors
/// Reading errors of [`CsvStream`]; [`Error::MappedColumnMissing`],
/// [`Error::RequiredColumnMissing`]; [`Error::UnknownLead`]; [`Error::BadTimestamp`];
/// [`Error::BadValue`] for a length that is not a number, a call that ends before it starts,
/// a `connected` value that is not yes/no (without dispositions given).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_attempts(
    path: &Path,
    leads: &Leads,
    map: &ColumnMap,
    zone: &Zone,
    csv: &CsvOptions,
    warnings: &mut Warnings,
    last: &mut Option<LastEvent>,
    batch_rows: usize,
    progress: &dyn Fn(ReadProgress),
) -> Result<AttemptsDigest> {
    const PASS_KINDS: [WarningKind; 8] = [
        WarningKind::AttemptNoDuration,
        WarningKind::AttemptZeroDuration,
        WarningKind::ConnectedMissing,
        WarningKind::AttemptBeforeMql,
        WarningKind::AttemptAfterContact,
        WarningKind::AttemptOverlap,
        WarningKind::RetainedWithAttempts,
        WarningKind::AttemptsSorted,
    ];
    let stream = CsvStream::open(path, csv)?;
    let headers = stream.headers().to_vec();
    let total = stream.file_size();
    let reader = RowReader::new(path, &headers, map, zone, last)?;
    let mut folder = Folder::new(leads, zone, path);
    let mut rows = 0u64;
    let (first_pass, mut reader) = parse_in_background(stream, reader, batch_rows, |batches| {
        for batch in batches {
            let in_order = lookup_batch(leads, path, batch.rows, |row| {
                rows += 1;
                folder.push(row, warnings).is_ok()
            })?;
            if !in_order {
                // A call out of time order: the file is read again and sorted.
                return Ok(false);
            }
            if let Some(e) = batch.error {
                return Err(e);
            }
            progress(ReadProgress {
                stage: ReadStage::Attempts,
                bytes_read: batch.bytes_read,
                bytes_total: total,
            });
        }
        Ok(true)
    });
    let sorted = !first_pass?;
    if sorted {
        // Second pass: parse every row again into a compact vector, sort by lead and start
        // (stable, so equal starts keep file order), replay.
        warnings.clear(&PASS_KINDS);
        let stream = CsvStream::open(path, csv)?;
        let reader2 = RowReader::new(path, &headers, map, zone, last)?;
        let mut all = Vec::new();
        let (read, reader2) = parse_in_background(stream, reader2, batch_rows, |batches| {
            for batch in batches {
                lookup_batch(leads, path, batch.rows, |row| {
                    all.push(row);
                    true
                })?;
                if let Some(e) = batch.error {
                    return Err(e);
                }
                progress(ReadProgress {
                    stage: ReadStage::AttemptsAgain,
                    bytes_read: batch.bytes_read,
                    bytes_total: total,
                });
            }
            Ok(())
        });
        read?;
        all.sort_by_key(|r| (r.lead, r.start));
        rows = all.len() as u64;
        warnings.add(WarningKind::AttemptsSorted, || {
            format!("{} (rows out of order)", path.display())
        });
        folder = Folder::new(leads, zone, path);
        for r in all {
            if folder.push(r, warnings).is_err() {
                unreachable!("rows are sorted by lead and start");
            }
        }
        reader = reader2;
    }
    warnings.merge(std::mem::take(&mut reader.warnings));
    std::mem::take(&mut reader.latest).finish(path, last);
    Ok(AttemptsDigest {
        path: path.to_path_buf(),
        leads: folder.calls,
        pools: folder.pools,
        reps: reader.reps,
        dispositions: reader.dispositions,
        rows,
        has_length: reader.length.is_some(),
        has_rep: reader.rep.is_some(),
        has_connected: reader.connected.is_some(),
        sorted_in_memory: sorted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_as_numbers_or_clock_text() {
        assert_eq!(parse_length("90", 1.0), Some(90.0));
        assert_eq!(parse_length("1.5", 60.0), Some(90.0));
        assert_eq!(parse_length("90000", 0.001), Some(90.0));
        assert_eq!(parse_length("0:01:30", 60.0), Some(90.0));
        assert_eq!(parse_length("01:30", 1.0), Some(90.0));
        assert_eq!(parse_length("-3", 1.0), None);
        assert_eq!(parse_length("abc", 1.0), None);
    }
}
