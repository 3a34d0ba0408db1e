//! A CSV file held in memory column by column, as trimmed UTF-8 text in one buffer per column,
//! so that type inference, medians and level counts can look at whole columns. Training needs
//! this; scoring streams instead.

use std::path::{Path, PathBuf};

use crate::data::plain;
use crate::data::source::{column_index, is_decimal_comma, CsvOptions, CsvStream};
use crate::data::{parse_number, parse_yes_no, ColumnKind, MissingTokens, Number};
use crate::error::{Error, Result};

/// One column's texts, back to back.
#[derive(Debug, Default, Clone)]
pub(super) struct TextColumn {
    pub(super) text: String,
    pub(super) ends: Vec<usize>,
}

impl TextColumn {
    pub(super) fn get(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        &self.text[start..self.ends[row]]
    }
}

/// A column read as its kind: numbers parsed (missing as NaN), or categorical text left in the
/// table.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedColumn {
    Numeric(Vec<f64>),
    YesNo(Vec<f64>),
    Categorical,
}

impl ParsedColumn {
    /// The kind this column was read as.
    pub fn kind(&self) -> ColumnKind {
        match self {
            ParsedColumn::Numeric(_) => ColumnKind::Numeric,
            ParsedColumn::YesNo(_) => ColumnKind::YesNo,
            ParsedColumn::Categorical => ColumnKind::Categorical,
        }
    }
}

/// A whole CSV file in memory.
#[derive(Debug, Clone)]
pub struct Table {
    pub(super) path: PathBuf,
    pub(super) headers: Vec<String>,
    pub(super) columns: Vec<TextColumn>,
    pub(super) lines: Vec<u64>,
    pub(super) bytes_hint: u64,
    /// Columns whose decimal commas were detected and read as points ([`Table::load`]).
    pub(super) decimal_comma: Vec<String>,
}

impl Table {
    /// Reads every record of `path`, in parallel when the file has no quotes
    /// ([`plain`](super::plain)), else record by record. `progress` is called now and then
    /// with the rows read.
    ///
    /// # Errors
    /// Everything [`CsvStream`] reports, plus [`Error::HeaderOnly`] when there are no rows.
    pub fn load(
        path: impl AsRef<Path>,
        options: &CsvOptions,
        progress: Option<&dyn Fn(u64)>,
    ) -> Result<Table> {
        let mut stream = CsvStream::open(path.as_ref(), options)?;
        let headers = stream.headers().to_vec();
        let path = stream.path().to_path_buf();
        let plain = plain::read(
            &path,
            &headers,
            stream.delimiter(),
            options.decimal_comma == Some(true),
            progress,
        )?;
        let (mut columns, lines, bytes_hint) = match plain {
            Some(read) => (read.columns, read.lines, read.bytes),
            None => Table::read_records(&mut stream, &headers, progress)?,
        };
        if lines.is_empty() {
            return Err(Error::HeaderOnly { path });
        }
        // In a ;-separated file, a column of numbers some of which read like 9,7 is a column
        // of decimal commas (a European export). The comma and the point are one byte each,
        // so the column's text keeps its offsets.
        let mut decimal_comma = Vec::new();
        if options.decimal_comma.is_none() && stream.delimiter() == b';' {
            for (c, col) in columns.iter_mut().enumerate() {
                let mut any = false;
                let all = (0..lines.len()).all(|r| {
                    let v = col.get(r);
                    if v.is_empty() || v == "NA" {
                        return true;
                    }
                    if is_decimal_comma(v.as_bytes()) {
                        any = true;
                        return true;
                    }
                    matches!(parse_number(v), Number::Finite(_))
                });
                if all && any {
                    col.text = col.text.replace(',', ".");
                    decimal_comma.push(headers[c].clone());
                }
            }
        }
        Ok(Table {
            path,
            headers,
            columns,
            lines,
            bytes_hint,
            decimal_comma,
        })
    }

    /// The record-by-record reading of [`Table::load`], for files the plain path does not take
    /// (quoted fields, bare carriage returns).
    pub(super) fn read_records(
        stream: &mut CsvStream,
        headers: &[String],
        progress: Option<&dyn Fn(u64)>,
    ) -> Result<(Vec<TextColumn>, Vec<u64>, u64)> {
        let path = stream.path().to_path_buf();
        let mut columns = vec![TextColumn::default(); headers.len()];
        let mut lines = Vec::new();
        let mut bytes_hint = 0u64;
        while let Some((record, line)) = stream.next_record()? {
            for (c, field) in record.iter().enumerate() {
                let s = crate::data::source::field_str(&path, line, &headers[c], field)?;
                bytes_hint += s.len() as u64;
                let col = &mut columns[c];
                col.text.push_str(s);
                col.ends.push(col.text.len());
            }
            lines.push(line);
            if lines.len() % 65536 == 0 {
                if let Some(p) = progress {
                    p(lines.len() as u64);
                }
            }
        }
        Ok((columns, lines, bytes_hint))
    }

    /// Columns read with decimal commas detected by [`Table::load`] (`9,7` read as 9.7).
    pub fn decimal_comma_columns(&self) -> &[String] {
        &self.decimal_comma
    }

    /// The file this table came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Column names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Total bytes of field text (a size hint for messages).
    pub fn text_bytes(&self) -> u64 {
        self.bytes_hint
    }

    /// The trimmed text at (`row`, `column`).
    pub fn value(&self, row: usize, column: usize) -> &str {
        self.columns[column].get(row)
    }

    /// The 1-based line of the file where `row` starts.
    pub fn line(&self, row: usize) -> u64 {
        self.lines[row]
    }

    /// Index of a column by name, with a suggestion when it does not exist.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        column_index(&self.path, &self.headers, name)
    }

    /// Reads column `c` once and decides how it enters a model: numeric when all non-missing
    /// values parse as finite numbers, yes/no when all are yes/no or true/false, else
    /// categorical. Numeric and yes/no columns come back parsed (missing = NaN), so callers do
    /// not parse again. `forced` skips inference; a forced numeric column with text in it is an
    /// error at the first such value.
    ///
    /// # Errors
    /// [`Error::BadValue`] for `NaN`/`inf` in an otherwise numeric column, or text in a column
    /// forced numeric.
    pub fn parse_column(
        &self,
        c: usize,
        missing: &MissingTokens,
        forced: Option<ColumnKind>,
    ) -> Result<ParsedColumn> {
        if forced == Some(ColumnKind::Categorical) {
            return Ok(ParsedColumn::Categorical);
        }
        let mut values = Vec::with_capacity(self.rows());
        let mut first_non_finite: Option<usize> = None;
        let mut first_text: Option<usize> = None;
        let column = &self.columns[c];
        let mut start = 0;
        for (r, &end) in column.ends.iter().enumerate() {
            let v = &column.text[start..end];
            start = end;
            if missing.is_missing(v) {
                values.push(f64::NAN);
                continue;
            }
            match parse_number(v) {
                Number::Finite(x) => values.push(x),
                Number::Text => {
                    first_text = Some(r);
                    break;
                }
                Number::NonFinite => {
                    first_non_finite.get_or_insert(r);
                    values.push(f64::NAN);
                }
            }
        }
        match first_text {
            None => {
                if let Some(r) = first_non_finite {
                    return Err(self.non_finite_error(r, c));
                }
                Ok(ParsedColumn::Numeric(values))
            }
            Some(r) if forced == Some(ColumnKind::Numeric) => Err(Error::BadValue {
                path: self.path.clone(),
                line: self.line(r),
                column: self.headers[c].clone(),
                value: self.value(r, c).to_string(),
                reason: "not a number in a numeric column".into(),
            }),
            Some(_) => {
                values.clear();
                for r in 0..self.rows() {
                    let v = self.value(r, c);
                    if missing.is_missing(v) {
                        values.push(f64::NAN);
                    } else if let Some(x) = parse_yes_no(v) {
                        values.push(x);
                    } else {
                        return Ok(ParsedColumn::Categorical);
                    }
                }
                Ok(ParsedColumn::YesNo(values))
            }
        }
    }

    /// How column `c` enters a model; see [`Table::parse_column`].
    ///
    /// # Errors
    /// As [`Table::parse_column`].
    pub fn infer_kind(&self, c: usize, missing: &MissingTokens) -> Result<ColumnKind> {
        Ok(self.parse_column(c, missing, None)?.kind())
    }

    /// The error for a non-finite number at (`row`, `c`).
    pub fn non_finite_error(&self, row: usize, c: usize) -> Error {
        Error::BadValue {
            path: self.path.clone(),
            line: self.line(row),
            column: self.headers[c].clone(),
            value: self.value(row, c).to_string(),
            reason: "not a finite number".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bytes: &[u8]) -> Result<Table> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, bytes).unwrap();
        Table::load(&p, &CsvOptions::default(), None)
    }

    #[test]
    fn holds_trimmed_values_and_lines() {
        let t = table(b"a,b\n 1 ,x\n2, y\n").unwrap();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.value(0, 0), "1");
        assert_eq!(t.value(1, 1), "y");
        assert_eq!(t.line(1), 3);
    }

    #[test]
    fn header_only_is_an_error() {
        assert!(matches!(table(b"a,b\n"), Err(Error::HeaderOnly { .. })));
    }

    #[test]
    fn infers_numeric_yes_no_and_categorical() {
        let t = table(b"n,y,c,m\n1,yes,a,\n2.5,No,b,NA\n,TRUE,1,3\n").unwrap();
        let m = MissingTokens::default();
        assert_eq!(t.infer_kind(0, &m).unwrap(), ColumnKind::Numeric);
        assert_eq!(t.infer_kind(1, &m).unwrap(), ColumnKind::YesNo);
        assert_eq!(t.infer_kind(2, &m).unwrap(), ColumnKind::Categorical);
        assert_eq!(t.infer_kind(3, &m).unwrap(), ColumnKind::Numeric);
        match t.parse_column(0, &m, None).unwrap() {
            ParsedColumn::Numeric(v) => {
                assert_eq!(&v[..2], &[1.0, 2.5]);
                assert!(v[2].is_nan(), "missing is NaN");
            }
            other => panic!("{other:?}"),
        }
        match t.parse_column(1, &m, None).unwrap() {
            ParsedColumn::YesNo(v) => assert_eq!(v, vec![1.0, 0.0, 1.0]),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            t.parse_column(0, &m, Some(ColumnKind::Categorical))
                .unwrap(),
            ParsedColumn::Categorical
        );
        match t.parse_column(2, &m, Some(ColumnKind::Numeric)) {
            Err(Error::BadValue { line: 2, value, .. }) => assert_eq!(value, "a"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nan_in_numeric_column_names_line_and_value() {
        let t = table(b"x\n1\n2\nNaN\n").unwrap();
        match t.infer_kind(0, &MissingTokens::default()) {
            Err(Error::BadValue { line: 4, value, .. }) => assert_eq!(value, "NaN"),
            other => panic!("unexpected {other:?}"),
        }
        let m = MissingTokens::with_extra(vec!["NaN".to_string()]);
        assert_eq!(t.infer_kind(0, &m).unwrap(), ColumnKind::Numeric);
    }
}
