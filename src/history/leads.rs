//! The leads table of a history export (one row per MQL), read column by column into memory
//! and checked row by row: ids unique, every event at or after the MQL, deals only on SQLs.

use std::path::{Path, PathBuf};

use crate::data::batches::{parse_in_background, RecordParser};
use crate::data::source::field_str;
use crate::data::{parse_number, CsvOptions, CsvStream, MissingTokens, Number};
use crate::error::{Error, Result};
use crate::history::columns::{locate, ColumnMap, LeadField, Located};
use crate::history::ids::IdIndex;
use crate::history::parsed::{BatchIds, Failure, Latest};
use crate::history::time::{parse_timestamp_precision, Instant, Zone};
use crate::history::warnings::{WarningKind, Warnings};
use crate::history::{ReadProgress, ReadStage};

/// Marks an empty time.
const NONE: i64 = i64::MIN;

/// The pool of leads whose pool is not given.
pub const DEFAULT_POOL: &str = "sdr";

/// An optional timestamp per lead.
#[derive(Debug, Clone, Default)]
pub struct Times {
    values: Vec<i64>,
    mapped: bool,
}

impl Times {
    fn new(mapped: bool, capacity: usize) -> Self {
        Times {
            values: Vec::with_capacity(if mapped { capacity } else { 0 }),
            mapped,
        }
    }

    /// The lead's time, if it has one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Instant> {
        match self.values.get(i) {
            Some(&v) if v != NONE => Some(v),
            _ => None,
        }
    }

    /// Whether the export has this column at all.
    pub fn is_mapped(&self) -> bool {
        self.mapped
    }

    /// How many leads have a value.
    pub fn count(&self) -> usize {
        self.values.iter().filter(|&&v| v != NONE).count()
    }
}

/// An optional number per lead.
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    values: Vec<f64>,
    mapped: bool,
}

impl Numbers {
    fn new(mapped: bool, capacity: usize) -> Self {
        Numbers {
            values: Vec::with_capacity(if mapped { capacity } else { 0 }),
            mapped,
        }
    }

    /// The lead's value, if it has one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied().filter(|v| !v.is_nan())
    }

    /// Whether the export has this column at all.
    pub fn is_mapped(&self) -> bool {
        self.mapped
    }
}

/// Names numbered in order of appearance (pools, segments).
#[derive(Debug, Clone, Default)]
pub struct Levels {
    /// Per lead, the level's number.
    pub of_lead: Vec<u16>,
    /// The names, by number.
    pub names: Vec<String>,
}

impl Levels {
    fn intern(&mut self, name: &str) -> u16 {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i as u16,
            None => {
                self.names.push(name.to_string());
                (self.names.len() - 1) as u16
            }
        }
    }
}

/// The leads table, one entry per MQL in file order.
#[derive(Debug, Clone, Default)]
pub struct Leads {
    /// The file it came from.
    pub path: PathBuf,
    /// Lead ids; lead `i` is the `i`-th data row.
    pub ids: IdIndex,
    /// 1-based line of each lead's row.
    pub lines: Vec<u64>,
    /// When each lead became an MQL.
    pub mql_at: Vec<Instant>,
    /// How many `mql_at` values are dates without a time of day (midnight in the zone).
    pub mql_date_only: u64,
    /// Scores in [0, 1].
    pub score: Numbers,
    /// Handed over to sales (empty: retained by marketing).
    pub handed_over_at: Times,
    /// Pools (one pool, [`DEFAULT_POOL`], when the column is absent).
    pub pool: Levels,
    /// Became an SQL.
    pub sql_at: Times,
    /// Reached and rejected by sales.
    pub disqualified_at: Times,
    /// Deal won.
    pub won_at: Times,
    /// Deal lost.
    pub lost_at: Times,
    /// Deal value.
    pub amount: Numbers,
    /// A later purchase by a non-SQL.
    pub purchased_at: Times,
    /// Its value.
    pub purchase_amount: Numbers,
    /// Segments (one empty-named segment when the column is absent).
    pub segment: Levels,
}

impl Leads {
    /// Number of leads.
    pub fn len(&self) -> usize {
        self.mql_at.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.mql_at.is_empty()
    }

    /// Whether lead `i` was handed over: its `handed_over_at` is set, or the column is absent
    /// (then every MQL counts as handed over, as in a CRM where an MQL is sales's by definition).
    pub fn handed_over(&self, i: usize) -> bool {
        !self.handed_over_at.is_mapped() || self.handed_over_at.get(i).is_some()
    }
}

/// The latest event seen, to check the export date against.
#[derive(Debug, Clone)]
pub struct LastEvent {
    /// When.
    pub at: Instant,
    /// Where: file, line, column, the text as written.
    pub path: PathBuf,
    /// Line.
    pub line: u64,
    /// Column.
    pub column: String,
    /// The value as written.
    pub value: String,
}

struct LeadColumns {
    id: Located,
    mql: Located,
    fields: Vec<(LeadField, Located)>,
}

impl LeadColumns {
    fn get(&self, f: LeadField) -> Option<&Located> {
        if f == LeadField::MqlAt {
            return Some(&self.mql);
        }
        self.fields.iter().find(|(g, _)| *g == f).map(|(_, l)| l)
    }
}

/// The event columns a lead row carries, in the order of [`LeadRow::times`].
const EVENTS: [LeadField; 6] = [
    LeadField::HandedOverAt,
    LeadField::SqlAt,
    LeadField::DisqualifiedAt,
    LeadField::WonAt,
    LeadField::LostAt,
    LeadField::PurchasedAt,
];

/// One lead, parsed and checked on its own (everything but the uniqueness of its id).
#[derive(Debug, Clone, Copy)]
struct LeadRow {
    line: u64,
    mql: Instant,
    mql_date_only: bool,
    /// NaN when absent or the column is not mapped.
    score: f64,
    amount: f64,
    purchase_amount: f64,
    pool: u16,
    segment: u16,
    /// [`NONE`] when absent; in the order of [`EVENTS`].
    times: [Instant; 6],
}

/// A batch of leads from the reading thread.
#[derive(Debug, Default)]
struct LeadBatch {
    ids: BatchIds,
    rows: Vec<LeadRow>,
    failure: Option<Failure>,
}

/// The reading thread's half of the leads table: every per-row parse and check; the levels,
/// warnings and latest event it gathers come back when the file is done.
struct LeadParser<'a> {
    path: &'a Path,
    file: String,
    headers: &'a [String],
    cols: &'a LeadColumns,
    zone: &'a Zone,
    missing: MissingTokens,
    amount_mapped: bool,
    pool: Levels,
    segment: Levels,
    warnings: Warnings,
    latest: Latest,
}

impl LeadParser<'_> {
    fn row(
        &mut self,
        rec: &csv::ByteRecord,
        line: u64,
        batch: &mut LeadBatch,
    ) -> std::result::Result<(), Failure> {
        let path = self.path;
        let headers = self.headers;
        let missing = &self.missing;
        let zone = self.zone;
        let cols = self.cols;
        // The text of a located field on this record, `None` when empty or filtered out.
        let text = |l: &Located| -> Result<Option<&str>> {
            if let Some((ci, _)) = &l.condition {
                let c = field_str(path, line, &headers[*ci], rec.get(*ci).unwrap_or(b""))?;
                if !l.pass(Some(c)) {
                    return Ok(None);
                }
            }
            let s = field_str(path, line, &l.column, rec.get(l.index).unwrap_or(b""))?;
            Ok(if missing.is_missing(s) { None } else { Some(s) })
        };
        let time = |l: &Located| -> Result<Option<(Instant, bool, &str)>> {
            match text(l)? {
                None => Ok(None),
                Some(s) => parse_timestamp_precision(s, zone)
                    .map(|(t, d)| Some((t, d, s)))
                    .map_err(|reason| Error::BadTimestamp {
                        path: path.to_path_buf(),
                        line,
                        column: l.column.clone(),
                        value: s.to_string(),
                        reason: reason.to_string(),
                    }),
            }
        };
        let number = |l: &Located| -> Result<Option<(f64, &str)>> {
            match text(l)? {
                None => Ok(None),
                Some(s) => match parse_number(s) {
                    Number::Finite(v) => Ok(Some((v, s))),
                    _ => Err(Error::BadValue {
                        path: path.to_path_buf(),
                        line,
                        column: l.column.clone(),
                        value: s.to_string(),
                        reason: "not a number".into(),
                    }),
                },
            }
        };
        let id = text(&cols.id).map_err(Failure::Id)?.unwrap_or("");
        if id.is_empty() {
            return Err(Failure::Id(Error::BadValue {
                path: path.to_path_buf(),
                line,
                column: cols.id.column.clone(),
                value: String::new(),
                reason: "every lead needs a lead_id".into(),
            }));
        }
        let mut fields = || -> Result<LeadRow> {
            let (mql, mql_date_only, mql_text) =
                time(&cols.mql)?.ok_or_else(|| Error::BadValue {
                    path: path.to_path_buf(),
                    line,
                    column: cols.mql.column.clone(),
                    value: String::new(),
                    reason: "every lead needs an mql_at".into(),
                })?;
            self.latest.offer(mql, line, &cols.mql.column, mql_text);
            let mut row = LeadRow {
                line,
                mql,
                mql_date_only,
                score: f64::NAN,
                amount: f64::NAN,
                purchase_amount: f64::NAN,
                pool: 0,
                segment: 0,
                times: [NONE; 6],
            };
            let mut times: [Option<Instant>; 13] = [None; 13];
            let mut date_only = [false; 13];
            date_only[LeadField::MqlAt as usize] = mql_date_only;
            for (f, l) in &cols.fields {
                match f {
                    LeadField::Score => match number(l)? {
                        Some((s, written)) => {
                            if !(0.0..=1.0).contains(&s) {
                                return Err(Error::BadValue {
                                    path: path.to_path_buf(),
                                    line,
                                    column: l.column.clone(),
                                    value: written.to_string(),
                                    reason: "a score must lie in [0, 1]".into(),
                                });
                            }
                            row.score = s;
                        }
                        None => self.warnings.add(WarningKind::ScoreMissing, || {
                            format!("{} line {line}", self.file)
                        }),
                    },
                    LeadField::Amount | LeadField::PurchaseAmount => {
                        let v = number(l)?.map(|(v, _)| v);
                        if v.is_some_and(|a| a <= 0.0) {
                            self.warnings.add(WarningKind::NonPositiveAmount, || {
                                format!("{} line {line}", self.file)
                            });
                        }
                        let v = v.filter(|&a| a > 0.0).unwrap_or(f64::NAN);
                        if *f == LeadField::Amount {
                            row.amount = v;
                        } else {
                            row.purchase_amount = v;
                        }
                    }
                    LeadField::Pool => {
                        row.pool = self.pool.intern(text(l)?.unwrap_or(DEFAULT_POOL));
                    }
                    LeadField::Segment => {
                        row.segment = self.segment.intern(text(l)?.unwrap_or(""));
                    }
                    _ => {
                        if let Some((t, d, written)) = time(l)? {
                            self.latest.offer(t, line, &l.column, written);
                            times[*f as usize] = Some(t);
                            date_only[*f as usize] = d;
                        }
                    }
                }
            }
            check_order(path, line, id, mql, &mut times, &date_only, cols, zone)?;
            for (k, f) in EVENTS.into_iter().enumerate() {
                row.times[k] = times[f as usize].unwrap_or(NONE);
            }
            let won = row.times[3] != NONE;
            if won && self.amount_mapped && row.amount.is_nan() {
                self.warnings.add(WarningKind::WonWithoutAmount, || {
                    format!("{} line {line}", self.file)
                });
            }
            Ok(row)
        };
        match fields() {
            Ok(row) => {
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
}

impl RecordParser for LeadParser<'_> {
    type Batch = LeadBatch;

    fn parse(&mut self, rec: &csv::ByteRecord, line: u64, batch: &mut LeadBatch) -> bool {
        let parsed = self.row(rec, line, batch);
        Failure::keep(parsed, &mut batch.failure)
    }
}

/// Reads and checks the leads table: the records are split and parsed on two other threads
/// (`data::batches`) while this one checks ids and stores the columns. `progress` hears the
/// bytes read of the file's size after every batch.
///
/// # Errors
/// Reading errors of [`CsvStream`]; [`Error::MappedColumnMissing`],
/// [`Error::RequiredColumnMissing`]; [`Error::BadTimestamp`]; [`Error::BadValue`] for a score
/// outside [0, 1] or a non-numeric amount; [`Error::DuplicateLead`]; [`Error::EventOrder`]
/// (an event before `mql_at`, a deal closed before `sql_at`); [`Error::DealWithoutSql`];
/// [`Error::HeaderOnly`] for a table without leads.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_leads(
    path: &Path,
    map: &ColumnMap,
    zone: &Zone,
    csv: &CsvOptions,
    warnings: &mut Warnings,
    last: &mut Option<LastEvent>,
    batch_rows: usize,
    progress: &dyn Fn(ReadProgress),
) -> Result<Leads> {
    let stream = CsvStream::open(path, csv)?;
    let headers = stream.headers().to_vec();
    let find = |f: LeadField| locate(path, &headers, "leads", f.name(), f.required(), map.lead(f));
    let cols = LeadColumns {
        id: find(LeadField::LeadId)?.expect("required"),
        mql: find(LeadField::MqlAt)?.expect("required"),
        fields: {
            let mut v = Vec::new();
            for f in LeadField::ALL.into_iter().skip(2) {
                if let Some(l) = find(f)? {
                    v.push((f, l));
                }
            }
            v
        },
    };
    let has = |f: LeadField| cols.get(f).is_some();
    let mut leads = Leads {
        path: path.to_path_buf(),
        score: Numbers::new(has(LeadField::Score), 0),
        handed_over_at: Times::new(has(LeadField::HandedOverAt), 0),
        sql_at: Times::new(has(LeadField::SqlAt), 0),
        disqualified_at: Times::new(has(LeadField::DisqualifiedAt), 0),
        won_at: Times::new(has(LeadField::WonAt), 0),
        lost_at: Times::new(has(LeadField::LostAt), 0),
        amount: Numbers::new(has(LeadField::Amount), 0),
        purchased_at: Times::new(has(LeadField::PurchasedAt), 0),
        purchase_amount: Numbers::new(has(LeadField::PurchaseAmount), 0),
        ..Default::default()
    };
    let mut parser = LeadParser {
        path,
        file: path.display().to_string(),
        headers: &headers,
        cols: &cols,
        zone,
        missing: MissingTokens::default(),
        amount_mapped: has(LeadField::Amount),
        pool: Levels::default(),
        segment: Levels::default(),
        warnings: Warnings::new(),
        latest: Latest::after(last),
    };
    if !has(LeadField::Pool) {
        parser.pool.names.push(DEFAULT_POOL.to_string());
    }
    if !has(LeadField::Segment) {
        parser.segment.names.push(String::new());
    }
    let total = stream.file_size();
    let (stored, parser) = parse_in_background(stream, parser, batch_rows, |batches| {
        for batch in batches {
            store_batch(&mut leads, batch.rows)?;
            if let Some(e) = batch.error {
                return Err(e);
            }
            progress(ReadProgress {
                stage: ReadStage::Leads,
                bytes_read: batch.bytes_read,
                bytes_total: total,
            });
        }
        Ok(())
    });
    stored?;
    // The reading thread numbered the names; this one stored each lead's number.
    leads.pool.names = parser.pool.names;
    leads.segment.names = parser.segment.names;
    warnings.merge(parser.warnings);
    parser.latest.finish(path, last);
    if leads.is_empty() {
        return Err(Error::HeaderOnly {
            path: path.to_path_buf(),
        });
    }
    Ok(leads)
}

/// Stores a batch's leads in file order, checking that each id is new; then reports the
/// batch's failure, after the duplicate check of its record.
fn store_batch(leads: &mut Leads, batch: LeadBatch) -> Result<()> {
    let duplicate = |leads: &Leads, id: &str, line: u64, first: u32| Error::DuplicateLead {
        path: leads.path.clone(),
        line,
        lead_id: id.to_string(),
        first_line: leads.lines[first as usize],
    };
    for (i, row) in batch.rows.iter().enumerate() {
        let id = batch.ids.get(i);
        if let Err(first) = leads.ids.insert(id) {
            return Err(duplicate(leads, id, row.line, first));
        }
        leads.lines.push(row.line);
        leads.mql_at.push(row.mql);
        leads.mql_date_only += u64::from(row.mql_date_only);
        let push_n = |n: &mut Numbers, v: f64| {
            if n.mapped {
                n.values.push(v);
            }
        };
        push_n(&mut leads.score, row.score);
        push_n(&mut leads.amount, row.amount);
        push_n(&mut leads.purchase_amount, row.purchase_amount);
        let times = [
            &mut leads.handed_over_at,
            &mut leads.sql_at,
            &mut leads.disqualified_at,
            &mut leads.won_at,
            &mut leads.lost_at,
            &mut leads.purchased_at,
        ];
        for (t, &v) in times.into_iter().zip(&row.times) {
            if t.mapped {
                t.values.push(v);
            }
        }
        leads.pool.of_lead.push(row.pool);
        leads.segment.of_lead.push(row.segment);
    }
    match batch.failure {
        None => Ok(()),
        Some(Failure::Id(e)) => Err(e),
        Some(Failure::Field { id, line, error }) => match leads.ids.get(&id) {
            Some(first) => Err(duplicate(leads, &id, line, first)),
            None => Err(error),
        },
    }
}

/// Every event at or after `mql_at`; a won or lost deal at or after `sql_at`, and never
/// without one. When either side of a comparison is a date alone, the two are compared by
/// local day, and a date-only event on the same day as the earlier one is moved up to it (a
/// lead converted "2026-03-02" after its MQL at 08:05 that day became an SQL at 08:05 at the
/// earliest).
#[allow(clippy::too_many_arguments)]
fn check_order(
    path: &Path,
    line: u64,
    id: &str,
    mql: Instant,
    times: &mut [Option<Instant>; 13],
    date_only: &[bool; 13],
    cols: &LeadColumns,
    zone: &Zone,
) -> Result<()> {
    let in_order = |t: Instant, tf: LeadField, e: Instant, ef: LeadField| -> Option<Instant> {
        if t >= e {
            return Some(t);
        }
        let by_day = date_only[tf as usize] || date_only[ef as usize];
        (by_day && zone.local(t).day >= zone.local(e).day).then_some(e)
    };
    let column = |f: LeadField| {
        cols.get(f)
            .map_or_else(|| f.name().to_string(), |l| l.column.clone())
    };
    let order = |f: LeadField, t: Instant, before: LeadField, bt: Instant| Error::EventOrder {
        path: path.to_path_buf(),
        line,
        lead_id: id.to_string(),
        field: format!("{} ({}) {}", f.name(), column(f), zone.format(t)),
        earlier: format!("{} ({}) {}", before.name(), column(before), zone.format(bt)),
    };
    for f in [
        LeadField::HandedOverAt,
        LeadField::SqlAt,
        LeadField::DisqualifiedAt,
        LeadField::WonAt,
        LeadField::LostAt,
        LeadField::PurchasedAt,
    ] {
        if let Some(t) = times[f as usize] {
            match in_order(t, f, mql, LeadField::MqlAt) {
                Some(t) => times[f as usize] = Some(t),
                None => return Err(order(f, t, LeadField::MqlAt, mql)),
            }
        }
    }
    let sql = times[LeadField::SqlAt as usize];
    for f in [LeadField::WonAt, LeadField::LostAt] {
        if let Some(t) = times[f as usize] {
            match sql {
                None => {
                    return Err(Error::DealWithoutSql {
                        path: path.to_path_buf(),
                        line,
                        lead_id: id.to_string(),
                        field: format!("{} ({})", f.name(), column(f)),
                    })
                }
                Some(s) => match in_order(t, f, s, LeadField::SqlAt) {
                    Some(t) => times[f as usize] = Some(t),
                    None => return Err(order(f, t, LeadField::SqlAt, s)),
                },
            }
        }
    }
    if let (Some(_), Some(_)) = (
        times[LeadField::WonAt as usize],
        times[LeadField::LostAt as usize],
    ) {
        return Err(Error::BadValue {
            path: path.to_path_buf(),
            line,
            column: column(LeadField::LostAt),
            value: zone.format(times[LeadField::LostAt as usize].expect("set")),
            reason: format!(
                "lead \"{id}\" has both won_at and lost_at; a deal is one or the other"
            ),
        });
    }
    Ok(())
}
