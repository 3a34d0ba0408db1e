//! Tables built from columns already in memory (a data frame handed over by a language binding)
//! instead of read from a file. Values are kept as text, exactly as [`Table::load`] keeps a
//! CSV's fields, so type inference, encoding and error messages work unchanged.

use std::fmt::{self, Write as _};
use std::path::PathBuf;

use super::table::{Table, TextColumn};
use crate::error::{Error, Result};

/// One named column of a table in the making; values are appended as text.
#[derive(Debug, Clone, Default)]
pub struct ColumnBuilder {
    name: String,
    column: TextColumn,
}

impl ColumnBuilder {
    /// An empty column named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        ColumnBuilder {
            name: name.into(),
            column: TextColumn::default(),
        }
    }

    /// An empty column with room for `rows` values of `text_bytes` bytes in all.
    pub fn with_capacity(name: impl Into<String>, rows: usize, text_bytes: usize) -> Self {
        ColumnBuilder {
            name: name.into(),
            column: TextColumn {
                text: String::with_capacity(text_bytes),
                ends: Vec::with_capacity(rows),
            },
        }
    }

    /// Appends a value as a CSV field reads: surrounding whitespace trimmed.
    pub fn push(&mut self, value: &str) {
        self.column.text.push_str(value.trim());
        self.column.ends.push(self.column.text.len());
    }

    /// Appends a missing value (an empty field).
    pub fn push_missing(&mut self) {
        self.column.ends.push(self.column.text.len());
    }

    /// Appends a formatted value (`format_args!("{x:?}")`) without an intermediate `String`;
    /// the caller's format must not produce surrounding whitespace.
    pub fn push_fmt(&mut self, args: fmt::Arguments<'_>) {
        // Writing to a String cannot fail.
        let _ = self.column.text.write_fmt(args);
        self.column.ends.push(self.column.text.len());
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of values so far.
    pub fn len(&self) -> usize {
        self.column.ends.len()
    }

    /// Whether no value has been appended.
    pub fn is_empty(&self) -> bool {
        self.column.ends.is_empty()
    }
}

impl Table {
    /// A table from columns in memory, in the order given. `source` stands where a file path
    /// stands in messages (e.g. `<DataFrame>`). Row `r` (0-based) is reported as line `r + 2`:
    /// the line it has when the table is written as CSV with a header line, so an error names
    /// the same line as `leadsim` on that CSV. Names are trimmed like a CSV header's.
    ///
    /// # Errors
    /// [`Error::EmptyFile`] without columns (or with only empty names),
    /// [`Error::DuplicateHeader`] for a name given twice (1-based positions),
    /// [`Error::ColumnLength`] when a column's length differs from the first column's,
    /// [`Error::HeaderOnly`] without rows.
    pub fn from_columns(source: impl Into<PathBuf>, columns: Vec<ColumnBuilder>) -> Result<Table> {
        let path = source.into();
        let mut headers: Vec<String> = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            let name = c.name.trim().to_string();
            if let Some(first) = headers.iter().position(|h| *h == name) {
                return Err(Error::DuplicateHeader {
                    path,
                    column: name,
                    first: first + 1,
                    second: i + 1,
                });
            }
            headers.push(name);
        }
        if headers.iter().all(|h| h.is_empty()) {
            return Err(Error::EmptyFile { path });
        }
        let rows = columns[0].len();
        if let Some(c) = columns.iter().find(|c| c.len() != rows) {
            return Err(Error::ColumnLength {
                path,
                column: c.name.clone(),
                len: c.len(),
                first_column: columns[0].name.clone(),
                rows,
            });
        }
        if rows == 0 {
            return Err(Error::HeaderOnly { path });
        }
        let bytes_hint = columns.iter().map(|c| c.column.text.len() as u64).sum();
        Ok(Table {
            path,
            headers,
            columns: columns.into_iter().map(|c| c.column).collect(),
            lines: (2..rows as u64 + 2).collect(),
            bytes_hint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{MissingTokens, ParsedColumn};

    fn column(name: &str, values: &[Option<&str>]) -> ColumnBuilder {
        let mut c = ColumnBuilder::new(name);
        for v in values {
            match v {
                Some(v) => c.push(v),
                None => c.push_missing(),
            }
        }
        c
    }

    #[test]
    fn holds_values_as_a_csv_would() {
        let mut x = ColumnBuilder::with_capacity("x", 3, 16);
        x.push_fmt(format_args!("{:?}", 1.5f64));
        x.push_missing();
        x.push_fmt(format_args!("{:?}", 4.0f64));
        let t = Table::from_columns(
            "<frame>",
            vec![x, column(" c ", &[Some(" a "), Some("b"), None])],
        )
        .unwrap();
        assert_eq!(t.headers(), ["x", "c"]);
        assert_eq!(t.rows(), 3);
        assert_eq!(t.value(0, 1), "a", "trimmed like a CSV field");
        assert_eq!(t.value(2, 0), "4.0");
        assert_eq!(t.line(0), 2, "row 0 is line 2 of the CSV with a header");
        assert_eq!(t.text_bytes(), 3 + 3 + 2);
        match t.parse_column(0, &MissingTokens::default(), None).unwrap() {
            ParsedColumn::Numeric(v) => {
                assert_eq!((v[0], v[2]), (1.5, 4.0));
                assert!(v[1].is_nan());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_shapes_are_errors() {
        let two = || column("a", &[Some("1"), Some("2")]);
        assert!(matches!(
            Table::from_columns("f", vec![two(), column("b", &[Some("1")])]),
            Err(Error::ColumnLength { column, len: 1, rows: 2, .. }) if column == "b"
        ));
        assert!(matches!(
            Table::from_columns("f", vec![two(), column("a", &[None, None])]),
            Err(Error::DuplicateHeader {
                first: 1,
                second: 2,
                ..
            })
        ));
        assert!(matches!(
            Table::from_columns("f", vec![]),
            Err(Error::EmptyFile { .. })
        ));
        assert!(matches!(
            Table::from_columns("f", vec![column("a", &[])]),
            Err(Error::HeaderOnly { .. })
        ));
    }
}
