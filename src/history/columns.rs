//! Column mapping: which column of a CRM's export holds which field of the history format
//! (MODEL.md 8.5). Salesforce calls the SQL date `ConvertedDate`, HubSpot calls it
//! `Became a Sales Qualified Lead Date`; a [`ColumnMap`] says so once, from a TOML file
//! and/or `field=column` overrides.
//!
//! ```toml
//! [leads]
//! lead_id = "Id"
//! sql_at = "ConvertedDate"
//! # take the close date only where the opportunity was won:
//! won_at = { column = "ConvertedOpportunity.CloseDate", when = "ConvertedOpportunity.IsWon", is = ["true"] }
//!
//! [attempts]
//! lead_id = "WhoId"
//! duration_seconds = "CallDurationInSeconds"
//! connected = "CallDisposition"
//! connected_values = ["Connected", "Meaningful conversation"]
//! ```
//!
//! A field that is not mapped is looked up under its own name (`mql_at`), so a file already in
//! the history format needs no mapping at all.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// A field of the leads table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LeadField {
    /// The lead's identifier (required).
    LeadId,
    /// When the lead became an MQL (required).
    MqlAt,
    /// The score in [0, 1] the lead had when it was handed over.
    Score,
    /// When marketing handed it to sales (empty: retained).
    HandedOverAt,
    /// The rep pool that worked it.
    Pool,
    /// When it became an SQL (empty: not an SQL).
    SqlAt,
    /// When sales reached and rejected it.
    DisqualifiedAt,
    /// When its deal was won.
    WonAt,
    /// When its deal was lost.
    LostAt,
    /// The deal's value.
    Amount,
    /// When a lead that was not an SQL bought later (a recovery).
    PurchasedAt,
    /// What that purchase was worth.
    PurchaseAmount,
    /// A grouping for per-segment figures (lead source, origin); an extension of 8.5.
    Segment,
}

impl LeadField {
    /// Every field, in the order of MODEL.md 8.5.
    pub const ALL: [LeadField; 13] = [
        LeadField::LeadId,
        LeadField::MqlAt,
        LeadField::Score,
        LeadField::HandedOverAt,
        LeadField::Pool,
        LeadField::SqlAt,
        LeadField::DisqualifiedAt,
        LeadField::WonAt,
        LeadField::LostAt,
        LeadField::Amount,
        LeadField::PurchasedAt,
        LeadField::PurchaseAmount,
        LeadField::Segment,
    ];

    /// The field's name in the history format, which is also its default column name.
    pub fn name(self) -> &'static str {
        match self {
            LeadField::LeadId => "lead_id",
            LeadField::MqlAt => "mql_at",
            LeadField::Score => "score",
            LeadField::HandedOverAt => "handed_over_at",
            LeadField::Pool => "pool",
            LeadField::SqlAt => "sql_at",
            LeadField::DisqualifiedAt => "disqualified_at",
            LeadField::WonAt => "won_at",
            LeadField::LostAt => "lost_at",
            LeadField::Amount => "amount",
            LeadField::PurchasedAt => "purchased_at",
            LeadField::PurchaseAmount => "purchase_amount",
            LeadField::Segment => "segment",
        }
    }

    /// Whether the table is unusable without it.
    pub fn required(self) -> bool {
        matches!(self, LeadField::LeadId | LeadField::MqlAt)
    }

    fn from_name(name: &str) -> Option<Self> {
        LeadField::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A field of the attempts table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttemptField {
    /// The lead called (required).
    LeadId,
    /// When the call started (required).
    StartedAt,
    /// Call length in minutes.
    DurationMinutes,
    /// Call length in seconds (Salesforce `CallDurationInSeconds`).
    DurationSeconds,
    /// Call length in milliseconds (HubSpot `hs_call_duration`).
    DurationMs,
    /// When the call ended (instead of a duration).
    EndedAt,
    /// Who called.
    Rep,
    /// Whether the call reached a person: yes/no, or a disposition read through
    /// `connected_values`.
    Connected,
}

impl AttemptField {
    /// Every field.
    pub const ALL: [AttemptField; 8] = [
        AttemptField::LeadId,
        AttemptField::StartedAt,
        AttemptField::DurationMinutes,
        AttemptField::DurationSeconds,
        AttemptField::DurationMs,
        AttemptField::EndedAt,
        AttemptField::Rep,
        AttemptField::Connected,
    ];

    /// The field's name in the history format, which is also its default column name.
    pub fn name(self) -> &'static str {
        match self {
            AttemptField::LeadId => "lead_id",
            AttemptField::StartedAt => "started_at",
            AttemptField::DurationMinutes => "duration_minutes",
            AttemptField::DurationSeconds => "duration_seconds",
            AttemptField::DurationMs => "duration_ms",
            AttemptField::EndedAt => "ended_at",
            AttemptField::Rep => "rep",
            AttemptField::Connected => "connected",
        }
    }

    /// Whether the table is unusable without it.
    pub fn required(self) -> bool {
        matches!(self, AttemptField::LeadId | AttemptField::StartedAt)
    }

    /// The fields that give a call's length; at most one may be mapped.
    pub const LENGTH: [AttemptField; 4] = [
        AttemptField::DurationMinutes,
        AttemptField::DurationSeconds,
        AttemptField::DurationMs,
        AttemptField::EndedAt,
    ];

    fn from_name(name: &str) -> Option<Self> {
        AttemptField::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The column holding the value.
    pub column: String,
    /// Take the value only on rows where another column has one of some values (a close date
    /// that is a win date only where `IsWon` is true).
    pub condition: Option<Condition>,
    /// Where the mapping was given, for messages (`map.toml`, `override`).
    pub source: String,
}

/// A row filter on a mapping: `when` column's value, trimmed and compared without regard to
/// case, must be one of `is`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The column tested.
    pub column: String,
    /// The values that let the mapped value through.
    pub values: Vec<String>,
}

impl Condition {
    /// Whether a (trimmed) value passes.
    pub fn accepts(&self, value: &str) -> bool {
        self.values.iter().any(|v| v.eq_ignore_ascii_case(value))
    }
}

/// Which column holds which field, for both tables, plus how dispositions read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    leads: BTreeMap<LeadField, Mapping>,
    attempts: BTreeMap<AttemptField, Mapping>,
    connected_values: Option<Vec<String>>,
}

impl ColumnMap {
    /// No mapping: every field under its own name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a mapping file (`[leads]`, `[attempts]` tables of `field = "column"`).
    ///
    /// # Errors
    /// [`Error::Io`] if unreadable; [`Error::ColumnMapping`] for invalid TOML, an unknown table
    /// or field, a value that is neither a column name nor `{ column, when, is }`.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// Reads a mapping from TOML text; `source` names it in messages.
    ///
    /// # Errors
    /// As [`ColumnMap::from_toml_file`].
    pub fn from_toml_str(text: &str, source: &str) -> Result<Self> {
        let err = |key: &str, message: String| Error::ColumnMapping {
            source_name: source.to_string(),
            key: key.to_string(),
            message,
        };
        let value: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err("(file)", e.message().to_string()))?;
        let mut map = ColumnMap::new();
        for (table, content) in &value {
            let entries = content
                .as_table()
                .ok_or_else(|| err(table, "expected a table such as [leads]".into()))?;
            match table.as_str() {
                "leads" => {
                    for (key, v) in entries {
                        let path = format!("leads.{key}");
                        let field = LeadField::from_name(key).ok_or_else(|| {
                            err(
                                &path,
                                unknown_field(key, LeadField::ALL.map(LeadField::name)),
                            )
                        })?;
                        map.leads.insert(field, parse_mapping(v, source, &path)?);
                    }
                }
                "attempts" => {
                    for (key, v) in entries {
                        let path = format!("attempts.{key}");
                        if key == "connected_values" {
                            let list = v
                                .as_array()
                                .and_then(|a| {
                                    a.iter()
                                        .map(|x| x.as_str().map(|s| s.trim().to_string()))
                                        .collect::<Option<Vec<_>>>()
                                })
                                .ok_or_else(|| err(&path, "expected a list of texts".into()))?;
                            map.set_connected_values(list);
                            continue;
                        }
                        let field = AttemptField::from_name(key).ok_or_else(|| {
                            err(
                                &path,
                                unknown_field(key, AttemptField::ALL.map(AttemptField::name)),
                            )
                        })?;
                        map.attempts.insert(field, parse_mapping(v, source, &path)?);
                    }
                }
                other => {
                    return Err(err(
                        other,
                        "unknown table; expected [leads] or [attempts]".into(),
                    ))
                }
            }
        }
        map.check_lengths(source)?;
        Ok(map)
    }

    /// Applies one `field=column` override, later ones winning. The field may be qualified
    /// (`leads.sql_at`, `attempts.rep`); an unqualified name must belong to one table only
    /// (`lead_id` is in both).
    ///
    /// # Errors
    /// [`Error::ColumnMapping`] for text without `=`, an empty column, an unknown or ambiguous
    /// field.
    pub fn apply_override(&mut self, text: &str) -> Result<()> {
        let source = "override";
        let err = |key: &str, message: String| Error::ColumnMapping {
            source_name: source.to_string(),
            key: key.to_string(),
            message,
        };
        let (key, column) = text.split_once('=').ok_or_else(|| {
            err(
                text,
                "expected field=column, e.g. sql_at=ConvertedDate".into(),
            )
        })?;
        let (key, column) = (key.trim(), column.trim());
        if column.is_empty() {
            return Err(err(key, "the column name is empty".into()));
        }
        let mapping = Mapping {
            column: column.to_string(),
            condition: None,
            source: format!("{source} {key}={column}"),
        };
        let (table, name) = match key.split_once('.') {
            Some((t, n)) => (Some(t), n),
            None => (None, key),
        };
        let lead = LeadField::from_name(name).filter(|_| table != Some("attempts"));
        let attempt = AttemptField::from_name(name).filter(|_| table != Some("leads"));
        if let Some(t) = table {
            if t != "leads" && t != "attempts" {
                return Err(err(key, "the table must be leads or attempts".into()));
            }
        }
        match (lead, attempt) {
            (Some(_), Some(_)) => Err(err(
                key,
                format!("{name} is a field of both tables: write leads.{name} or attempts.{name}"),
            )),
            (Some(f), None) => {
                self.leads.insert(f, mapping);
                Ok(())
            }
            (None, Some(f)) => {
                for other in AttemptField::LENGTH {
                    if other != f && AttemptField::LENGTH.contains(&f) {
                        self.attempts.remove(&other);
                    }
                }
                self.attempts.insert(f, mapping);
                Ok(())
            }
            (None, None) => {
                let mut names: Vec<&str> = LeadField::ALL.map(LeadField::name).to_vec();
                names.extend(AttemptField::ALL.map(AttemptField::name));
                Err(err(key, unknown_field(name, names)))
            }
        }
    }

    /// Reads calls as connected when their `connected` value is one of `values` (dispositions
    /// such as "Connected"); any other non-empty value is then "not connected".
    pub fn set_connected_values(&mut self, values: Vec<String>) {
        let values: Vec<String> = values
            .into_iter()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        self.connected_values = if values.is_empty() {
            None
        } else {
            Some(values)
        };
    }

    /// The dispositions that mean "connected", if given.
    pub fn connected_values(&self) -> Option<&[String]> {
        self.connected_values.as_deref()
    }

    /// The explicit mapping of a leads field, if any.
    pub fn lead(&self, field: LeadField) -> Option<&Mapping> {
        self.leads.get(&field)
    }

    /// The explicit mapping of an attempts field, if any.
    pub fn attempt(&self, field: AttemptField) -> Option<&Mapping> {
        self.attempts.get(&field)
    }

    fn check_lengths(&self, source: &str) -> Result<()> {
        let mapped: Vec<&str> = AttemptField::LENGTH
            .iter()
            .filter(|f| self.attempts.contains_key(f))
            .map(|f| f.name())
            .collect();
        if mapped.len() > 1 {
            return Err(Error::ColumnMapping {
                source_name: source.to_string(),
                key: "attempts".into(),
                message: format!("map one call length only, not {}", mapped.join(" and ")),
            });
        }
        Ok(())
    }
}

fn unknown_field<'a>(key: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    format!(
        "unknown field{}; the fields are {}",
        crate::text::did_you_mean(key, names.iter().copied()),
        names.join(", ")
    )
}

fn parse_mapping(v: &toml::Value, source: &str, path: &str) -> Result<Mapping> {
    let err = |message: String| Error::ColumnMapping {
        source_name: source.to_string(),
        key: path.to_string(),
        message,
    };
    match v {
        toml::Value::String(s) if !s.trim().is_empty() => Ok(Mapping {
            column: s.trim().to_string(),
            condition: None,
            source: source.to_string(),
        }),
        toml::Value::Table(t) => {
            for k in t.keys() {
                if !["column", "when", "is"].contains(&k.as_str()) {
                    return Err(err(format!(
                        "unknown key \"{k}\"; expected column, when, is"
                    )));
                }
            }
            let text = |k: &str| t.get(k).and_then(|x| x.as_str()).map(str::trim);
            let column = text("column")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| err("expected column = \"...\"".into()))?;
            let condition = match (text("when"), t.get("is")) {
                (None, None) => None,
                (Some(when), Some(is)) => {
                    let values = match is {
                        toml::Value::String(s) => vec![s.trim().to_string()],
                        toml::Value::Array(a) => a
                            .iter()
                            .map(|x| x.as_str().map(|s| s.trim().to_string()))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| err("is = must list texts".into()))?,
                        _ => return Err(err("is = must be a text or a list of texts".into())),
                    };
                    Some(Condition {
                        column: when.to_string(),
                        values,
                    })
                }
                _ => return Err(err("when and is go together".into())),
            };
            Ok(Mapping {
                column: column.to_string(),
                condition,
                source: source.to_string(),
            })
        }
        _ => Err(err(
            "expected a column name or { column = \"...\", when = \"...\", is = [...] }".into(),
        )),
    }
}

/// Where one field sits in a file's header, once resolved.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub index: usize,
    pub column: String,
    pub condition: Option<(usize, Vec<String>)>,
}

impl Located {
    /// The field's raw text on a record, or `None` when a condition filters it out.
    pub fn pass(&self, condition_value: Option<&str>) -> bool {
        match (&self.condition, condition_value) {
            (None, _) => true,
            (Some((_, values)), Some(v)) => values.iter().any(|x| x.eq_ignore_ascii_case(v)),
            (Some(_), None) => false,
        }
    }
}

/// Finds a field in a header: its explicit mapping, else a column under the field's own name.
/// `Ok(None)` for an optional field that is absent.
pub(crate) fn locate(
    path: &Path,
    headers: &[String],
    table: &str,
    name: &str,
    required: bool,
    mapping: Option<&Mapping>,
) -> Result<Option<Located>> {
    let find = |c: &str| headers.iter().position(|h| h == c);
    let hint = |c: &str| crate::text::did_you_mean(c, headers.iter().map(String::as_str));
    match mapping {
        Some(m) => {
            let index = find(&m.column).ok_or_else(|| Error::MappedColumnMissing {
                path: path.to_path_buf(),
                field: format!("{table}.{name} ({})", m.source),
                column: m.column.clone(),
                hint: hint(&m.column),
            })?;
            let condition = match &m.condition {
                None => None,
                Some(c) => {
                    let ci = find(&c.column).ok_or_else(|| Error::MappedColumnMissing {
                        path: path.to_path_buf(),
                        field: format!("{table}.{name}'s when ({})", m.source),
                        column: c.column.clone(),
                        hint: hint(&c.column),
                    })?;
                    Some((ci, c.values.clone()))
                }
            };
            Ok(Some(Located {
                index,
                column: m.column.clone(),
                condition,
            }))
        }
        None => match find(name) {
            Some(index) => Ok(Some(Located {
                index,
                column: name.to_string(),
                condition: None,
            })),
            None if required => Err(Error::RequiredColumnMissing {
                path: path.to_path_buf(),
                field: format!("{table}.{name}"),
                column: name.to_string(),
                hint: hint(name),
            }),
            None => Ok(None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_maps_fields_conditions_and_dispositions() {
        let m = ColumnMap::from_toml_str(
            r#"
            [leads]
            lead_id = "Id"
            won_at = { column = "CloseDate", when = "IsWon", is = ["true", "1"] }
            [attempts]
            lead_id = "WhoId"
            duration_seconds = "CallDurationInSeconds"
            connected_values = ["Connected", " Spoke "]
            "#,
            "map.toml",
        )
        .unwrap();
        assert_eq!(m.lead(LeadField::LeadId).unwrap().column, "Id");
        let won = m.lead(LeadField::WonAt).unwrap();
        let c = won.condition.as_ref().unwrap();
        assert_eq!(c.column, "IsWon");
        assert!(c.accepts("TRUE") && c.accepts("1") && !c.accepts("false"));
        assert_eq!(m.attempt(AttemptField::LeadId).unwrap().column, "WhoId");
        assert_eq!(m.connected_values().unwrap(), ["Connected", "Spoke"]);
        assert!(m.lead(LeadField::SqlAt).is_none());
    }

    #[test]
    fn bad_mappings_name_their_key() {
        let cases = [
            ("[leads]\nsql_date = \"x\"", "leads.sql_date"),
            ("[deals]\nx = \"y\"", "deals"),
            ("[leads]\nsql_at = 3", "leads.sql_at"),
            (
                "[leads]\nwon_at = { column = \"a\", when = \"b\" }",
                "leads.won_at",
            ),
            (
                "[attempts]\nduration_minutes = \"a\"\nended_at = \"b\"",
                "attempts",
            ),
            ("[leads\n", "(file)"),
        ];
        for (text, key) in cases {
            match ColumnMap::from_toml_str(text, "m.toml") {
                Err(Error::ColumnMapping { key: k, .. }) => assert_eq!(k, key, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        match ColumnMap::from_toml_str("[leads]\nsql_date = \"x\"", "m.toml") {
            Err(e) => assert!(e.to_string().contains("did you mean \"sql_at\""), "{e}"),
            Ok(_) => unreachable!(),
        }
    }

    #[test]
    fn overrides_qualify_or_must_be_unambiguous() {
        let mut m = ColumnMap::new();
        m.apply_override("sql_at=ConvertedDate").unwrap();
        m.apply_override("attempts.rep = OwnerId").unwrap();
        m.apply_override("leads.lead_id=Id").unwrap();
        assert_eq!(m.lead(LeadField::SqlAt).unwrap().column, "ConvertedDate");
        assert_eq!(m.attempt(AttemptField::Rep).unwrap().column, "OwnerId");
        assert_eq!(m.lead(LeadField::LeadId).unwrap().column, "Id");
        assert!(matches!(
            m.apply_override("lead_id=Id"),
            Err(Error::ColumnMapping { .. })
        ));
        assert!(matches!(
            m.apply_override("sql_at"),
            Err(Error::ColumnMapping { .. })
        ));
        assert!(matches!(
            m.apply_override("nope=x"),
            Err(Error::ColumnMapping { .. })
        ));
        // A later call length replaces an earlier one instead of conflicting with it.
        m.apply_override("duration_minutes=Minutes").unwrap();
        m.apply_override("ended_at=End").unwrap();
        assert!(m.attempt(AttemptField::DurationMinutes).is_none());
        assert_eq!(m.attempt(AttemptField::EndedAt).unwrap().column, "End");
    }

    #[test]
    fn locate_reports_missing_mapped_and_required_columns() {
        let headers = vec!["Id".to_string(), "CreatedDate".to_string()];
        let p = Path::new("leads.csv");
        let mapping = Mapping {
            column: "ConvertedDate".into(),
            condition: None,
            source: "m.toml".into(),
        };
        assert!(matches!(
            locate(p, &headers, "leads", "sql_at", false, Some(&mapping)),
            Err(Error::MappedColumnMissing { .. })
        ));
        assert!(matches!(
            locate(p, &headers, "leads", "mql_at", true, None),
            Err(Error::RequiredColumnMissing { .. })
        ));
        assert!(locate(p, &headers, "leads", "score", false, None)
            .unwrap()
            .is_none());
        let id = Mapping {
            column: "Id".into(),
            condition: None,
            source: "m.toml".into(),
        };
        assert_eq!(
            locate(p, &headers, "leads", "lead_id", true, Some(&id))
                .unwrap()
                .unwrap()
                .index,
            0
        );
    }
}
