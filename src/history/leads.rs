//! The leads table of a history export (one row per MQL), read column by column into memory
//! and checked row by row: ids unique, every event at or after the MQL, deals only on SQLs.

use std::path::{Path, PathBuf};

use crate::data::source::field_str;
use crate::data::{parse_number, CsvOptions, CsvStream, MissingTokens, Number};
use crate::error::{Error, Result};
use crate::history::columns::{locate, ColumnMap, LeadField, Located};
use crate::history::ids::IdIndex;
use crate::history::time::{parse_timestamp_precision, Instant, Zone};
use crate::history::warnings::{WarningKind, Warnings};

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

/// Reads and checks the leads table.
///
/// # Errors
/// Reading errors of [`CsvStream`]; [`Error::MappedColumnMissing`],
/// [`Error::RequiredColumnMissing`]; [`Error::BadTimestamp`]; [`Error::BadValue`] for a score
/// outside [0, 1] or a non-numeric amount; [`Error::DuplicateLead`]; [`Error::EventOrder`]
/// (an event before `mql_at`, a deal closed before `sql_at`); [`Error::DealWithoutSql`];
/// [`Error::HeaderOnly`] for a table without leads.
pub(crate) fn read_leads(
    path: &Path,
    map: &ColumnMap,
    zone: &Zone,
    csv: &CsvOptions,
    warnings: &mut Warnings,
    last: &mut Option<LastEvent>,
) -> Result<Leads> {
    let mut stream = CsvStream::open(path, csv)?;
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
    let missing = MissingTokens::default();
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
    if !has(LeadField::Pool) {
        leads.pool.names.push(DEFAULT_POOL.to_string());
    }
    if !has(LeadField::Segment) {
        leads.segment.names.push(String::new());
    }
    let file = path.display().to_string();
    while let Some((rec, line)) = stream.next_record()? {
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
        let time = |l: &Located| -> Result<Option<(Instant, bool)>> {
            match text(l)? {
                None => Ok(None),
                Some(s) => parse_timestamp_precision(s, zone)
                    .map(Some)
                    .map_err(|reason| Error::BadTimestamp {
                        path: path.to_path_buf(),
                        line,
                        column: l.column.clone(),
                        value: s.to_string(),
                        reason: reason.to_string(),
                    }),
            }
        };
        let number = |l: &Located| -> Result<Option<f64>> {
            match text(l)? {
                None => Ok(None),
                Some(s) => match parse_number(s) {
                    Number::Finite(v) => Ok(Some(v)),
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
        let id = text(&cols.id)?.unwrap_or("");
        if id.is_empty() {
            return Err(Error::BadValue {
                path: path.to_path_buf(),
                line,
                column: cols.id.column.clone(),
                value: String::new(),
                reason: "every lead needs a lead_id".into(),
            });
        }
        let lead = leads.len();
        if let Err(first) = leads.ids.insert(id) {
            return Err(Error::DuplicateLead {
                path: path.to_path_buf(),
                line,
                lead_id: id.to_string(),
                first_line: leads.lines[first as usize],
            });
        }
        leads.lines.push(line);
        let (mql, mql_date_only) = time(&cols.mql)?.ok_or_else(|| Error::BadValue {
            path: path.to_path_buf(),
            line,
            column: cols.mql.column.clone(),
            value: String::new(),
            reason: "every lead needs an mql_at".into(),
        })?;
        leads.mql_at.push(mql);
        leads.mql_date_only += u64::from(mql_date_only);
        offer_last(last, mql, &cols.mql, path, line, &text)?;
        let mut times: [Option<Instant>; 13] = [None; 13];
        let mut date_only = [false; 13];
        date_only[LeadField::MqlAt as usize] = mql_date_only;
        for (f, l) in &cols.fields {
            match f {
                LeadField::Score => {
                    let v = number(l)?;
                    if let Some(s) = v {
                        if !(0.0..=1.0).contains(&s) {
                            return Err(Error::BadValue {
                                path: path.to_path_buf(),
                                line,
                                column: l.column.clone(),
                                value: text(l)?.unwrap_or("").to_string(),
                                reason: "a score must lie in [0, 1]".into(),
                            });
                        }
                    } else {
                        warnings.add(WarningKind::ScoreMissing, || format!("{file} line {line}"));
                    }
                    leads.score.values.push(v.unwrap_or(f64::NAN));
                }
                LeadField::Amount | LeadField::PurchaseAmount => {
                    let v = number(l)?;
                    if v.is_some_and(|a| a <= 0.0) {
                        warnings.add(WarningKind::NonPositiveAmount, || {
                            format!("{file} line {line}")
                        });
                    }
                    let v = v.filter(|&a| a > 0.0).unwrap_or(f64::NAN);
                    if *f == LeadField::Amount {
                        leads.amount.values.push(v);
                    } else {
                        leads.purchase_amount.values.push(v);
                    }
                }
                LeadField::Pool => {
                    let name = text(l)?.unwrap_or(DEFAULT_POOL);
                    let k = leads.pool.intern(name);
                    leads.pool.of_lead.push(k);
                }
                LeadField::Segment => {
                    let name = text(l)?.unwrap_or("");
                    let k = leads.segment.intern(name);
                    leads.segment.of_lead.push(k);
                }
                _ => {
                    if let Some((t, d)) = time(l)? {
                        offer_last(last, t, l, path, line, &text)?;
                        times[*f as usize] = Some(t);
                        date_only[*f as usize] = d;
                    }
                }
            }
        }
        if !has(LeadField::Pool) {
            leads.pool.of_lead.push(0);
        }
        if !has(LeadField::Segment) {
            leads.segment.of_lead.push(0);
        }
        check_order(path, line, id, mql, &mut times, &date_only, &cols, zone)?;
        let store = |t: &mut Times, f: LeadField| {
            if t.mapped {
                t.values.push(times[f as usize].unwrap_or(NONE));
            }
        };
        store(&mut leads.handed_over_at, LeadField::HandedOverAt);
        store(&mut leads.sql_at, LeadField::SqlAt);
        store(&mut leads.disqualified_at, LeadField::DisqualifiedAt);
        store(&mut leads.won_at, LeadField::WonAt);
        store(&mut leads.lost_at, LeadField::LostAt);
        store(&mut leads.purchased_at, LeadField::PurchasedAt);
        if leads.won_at.get(lead).is_some()
            && leads.amount.is_mapped()
            && leads.amount.get(lead).is_none()
        {
            warnings.add(WarningKind::WonWithoutAmount, || {
                format!("{file} line {line}")
            });
        }
    }
    if leads.is_empty() {
        return Err(Error::HeaderOnly {
            path: path.to_path_buf(),
        });
    }
    Ok(leads)
}

fn offer_last<'a>(
    last: &mut Option<LastEvent>,
    at: Instant,
    l: &Located,
    path: &Path,
    line: u64,
    text: &dyn Fn(&Located) -> Result<Option<&'a str>>,
) -> Result<()> {
    if last.as_ref().map_or(true, |e| at > e.at) {
        *last = Some(LastEvent {
            at,
            path: path.to_path_buf(),
            line,
            column: l.column.clone(),
            value: text(l)?.unwrap_or("").to_string(),
        });
    }
    Ok(())
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
