//! Opening CSV files: gzip by magic bytes, UTF-8 byte-order mark, delimiter sniffing, and
//! records streamed one at a time with their 1-based line numbers for error messages.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// How to read a CSV file.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Field delimiter; sniffed from the header line (`,` `;` or tab) when `None`.
    pub delimiter: Option<u8>,
    /// Decimal commas (`9,7` = 9.7): `Some(true)` reads every field that is a number with one
    /// decimal comma as that number, `Some(false)` never does; `None` lets [`Table::load`]
    /// detect them, column by column, in `;`-separated files ([`is_decimal_comma`]).
    ///
    /// [`Table::load`]: crate::data::Table::load
    pub decimal_comma: Option<bool>,
}

/// Whether a field is a number written with a decimal comma: optional sign, digits, one comma,
/// digits (`9,7`, `-0,25`). Thousands separators are not numbers here.
pub fn is_decimal_comma(field: &[u8]) -> bool {
    let digits = field
        .strip_prefix(b"-")
        .or_else(|| field.strip_prefix(b"+"))
        .unwrap_or(field);
    let Some(comma) = digits.iter().position(|&b| b == b',') else {
        return false;
    };
    let (int, frac) = (&digits[..comma], &digits[comma + 1..]);
    !int.is_empty()
        && !frac.is_empty()
        && int.iter().all(u8::is_ascii_digit)
        && frac.iter().all(u8::is_ascii_digit)
}

/// A CSV file opened for streaming: the header is read, records follow one by one.
pub struct CsvStream {
    path: PathBuf,
    headers: Vec<String>,
    delimiter: u8,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::ByteRecord,
    /// With `CsvOptions::decimal_comma = Some(true)`: the record with decimal commas as points.
    decimal_comma: Option<csv::ByteRecord>,
    rows: u64,
    /// The csv crate counts a CRLF line break only when the next record starts, so records of a
    /// CRLF file come out one line early; this corrects it.
    line_offset: u64,
    /// Bytes taken from the file so far (compressed bytes for gzip), for progress displays.
    bytes_read: Arc<AtomicU64>,
    /// The file's size on disk.
    file_size: u64,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Counts the bytes taken from the file, below any decompression, so that progress is measured
/// against the size on disk.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path`, decompressing gzip (detected by its magic bytes; a `.gz` name without them is
/// an error), skipping a UTF-8 byte-order mark, and returns a buffered byte reader, the counter
/// of bytes read from the file and the file's size.
pub(super) fn open_bytes(path: &Path) -> Result<(Box<dyn BufRead + Send>, Arc<AtomicU64>, u64)> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut magic = [0u8; 2];
    let got = read_up_to(&mut file, &mut magic).map_err(|e| Error::io(path, e))?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let count = Arc::new(AtomicU64::new(0));
    let file = Counting {
        inner: file,
        count: Arc::clone(&count),
    };
    let named_gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let is_gz = got == 2 && magic == GZIP_MAGIC;
    if named_gz && !is_gz {
        return Err(Error::NotGzip {
            path: path.to_path_buf(),
            message: "the file does not start with the gzip magic bytes 1f 8b".into(),
        });
    }
    let inner: Box<dyn Read + Send> = if is_gz {
        Box::new(GzipErrors {
            inner: MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)),
        })
    } else {
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(1 << 16, inner);
    let head = reader.fill_buf().map_err(|e| map_read_error(path, e))?;
    if head.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    Ok((Box::new(reader), count, size))
}

/// Marks decompression failures so that they can be reported as "not a valid gzip file".
struct GzipErrors<R> {
    inner: R,
}

impl<R: Read> Read for GzipErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, GzipError(e.to_string()))
        })
    }
}

#[derive(Debug)]
struct GzipError(String);

impl std::fmt::Display for GzipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GzipError {}

pub(super) fn map_read_error(path: &Path, e: std::io::Error) -> Error {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<GzipError>())
    {
        Some(g) => Error::NotGzip {
            path: path.to_path_buf(),
            message: g.0.clone(),
        },
        None => Error::io(path, e),
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Picks the delimiter that occurs most often outside quotes in the header line; `,` on a tie
/// or when none occurs (a one-column file).
pub fn sniff_delimiter(header_line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in header_line {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let delims = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    delims[best]
}

impl CsvStream {
    /// Opens a CSV file and reads its header.
    ///
    /// # Errors
    /// Missing or unreadable file ([`Error::Io`]), a `.gz` that is not gzip, an empty file,
    /// an unreadable header, duplicate header names.
    pub fn open(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self> {
        let path = path.as_ref();
        let (mut bytes, bytes_read, file_size) = open_bytes(path)?;
        let head = bytes.fill_buf().map_err(|e| map_read_error(path, e))?;
        if head.is_empty() {
            return Err(Error::EmptyFile {
                path: path.to_path_buf(),
            });
        }
        let end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        let crlf = end > 0 && end < head.len() && head[end - 1] == b'\r';
        let delimiter = options
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(&head[..end]));
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(Box::new(bytes) as Box<dyn Read + Send>);
        let mut stream = CsvStream {
            path: path.to_path_buf(),
            headers: Vec::new(),
            delimiter,
            reader,
            record: csv::ByteRecord::new(),
            decimal_comma: (options.decimal_comma == Some(true)).then(csv::ByteRecord::new),
            rows: 0,
            line_offset: u64::from(crlf),
            bytes_read,
            file_size,
        };
        let header = stream
            .reader
            .byte_headers()
            .map_err(|e| csv_error(path, e, 0))?
            .clone();
        let mut headers = Vec::with_capacity(header.len());
        for (i, field) in header.iter().enumerate() {
            let name = std::str::from_utf8(field)
                .map_err(|_| Error::Csv {
                    path: path.to_path_buf(),
                    line: 1,
                    message: format!("header field {} is not valid UTF-8", i + 1),
                })?
                .trim()
                .to_string();
            if let Some(first) = headers.iter().position(|h: &String| *h == name) {
                return Err(Error::DuplicateHeader {
                    path: path.to_path_buf(),
                    column: name,
                    first: first + 1,
                    second: i + 1,
                });
            }
            headers.push(name);
        }
        if headers.iter().all(|h| h.is_empty()) {
            return Err(Error::EmptyFile {
                path: path.to_path_buf(),
            });
        }
        stream.headers = headers;
        Ok(stream)
    }

    /// The file's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Column names from the header, trimmed.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The delimiter in use (given or sniffed).
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Index of a column by exact name, or an [`Error::UnknownColumn`] with a suggestion.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        column_index(&self.path, &self.headers, name)
    }

    /// Reads the next record; `Ok(None)` at the end. Returns the record and its 1-based line
    /// number (the header is line 1). A row whose field count differs from the header's is an
    /// error; a completely blank line is skipped by the CSV reader.
    ///
    /// # Errors
    /// [`Error::RaggedRow`], [`Error::Csv`], [`Error::NotGzip`] (corrupt stream), [`Error::Io`].
    pub fn next_record(&mut self) -> Result<Option<(&csv::ByteRecord, u64)>> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| csv_error(&self.path, e, self.line_offset))?;
        if !more {
            return Ok(None);
        }
        self.rows += 1;
        let line = self.record.position().map_or(0, |p| p.line()) + self.line_offset;
        if self.record.len() != self.headers.len() {
            return Err(Error::RaggedRow {
                path: self.path.clone(),
                line,
                expected: self.headers.len(),
                found: self.record.len(),
            });
        }
        if let Some(converted) = &mut self.decimal_comma {
            converted.clear();
            for field in self.record.iter() {
                if is_decimal_comma(field) {
                    let dotted: Vec<u8> = field
                        .iter()
                        .map(|&b| if b == b',' { b'.' } else { b })
                        .collect();
                    converted.push_field(&dotted);
                } else {
                    converted.push_field(field);
                }
            }
            return Ok(Some((converted, line)));
        }
        Ok(Some((&self.record, line)))
    }

    /// Reads the next record into `record` (a buffer the caller keeps, so that records can be
    /// handed between threads without copying); `Ok(None)` at the end, else the record's line.
    ///
    /// # Errors
    /// As [`next_record`](Self::next_record).
    pub(crate) fn read_into(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u64>> {
        if self.decimal_comma.is_some() {
            return Ok(match self.next_record()? {
                None => None,
                Some((converted, line)) => {
                    record.clone_from(converted);
                    Some(line)
                }
            });
        }
        let more = self
            .reader
            .read_byte_record(record)
            .map_err(|e| csv_error(&self.path, e, self.line_offset))?;
        if !more {
            return Ok(None);
        }
        self.rows += 1;
        let line = record.position().map_or(0, |p| p.line()) + self.line_offset;
        if record.len() != self.headers.len() {
            return Err(Error::RaggedRow {
                path: self.path.clone(),
                line,
                expected: self.headers.len(),
                found: record.len(),
            });
        }
        Ok(Some(line))
    }

    /// Number of records read so far.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// Bytes taken from the file so far: compressed bytes for a gzip file, and a little ahead
    /// of the records returned (the reader buffers).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// A handle on [`bytes_read`](Self::bytes_read) that another thread can watch.
    pub(crate) fn bytes_counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    /// The file's size on disk, what [`bytes_read`](Self::bytes_read) reaches at the end.
    pub fn file_size(&self) -> u64 {
        self.file_size
    }
}

/// Index of column `name` in `headers`, or an error naming the file and suggesting a near name.
pub fn column_index(path: &Path, headers: &[String], name: &str) -> Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::UnknownColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            hint: crate::text::did_you_mean(name, headers.iter().map(String::as_str)),
        })
}

fn csv_error(path: &Path, e: csv::Error, line_offset: u64) -> Error {
    let line = e.position().map_or(0, |p| p.line()) + line_offset;
    match e.into_kind() {
        csv::ErrorKind::Io(io) => map_read_error(path, io),
        csv::ErrorKind::Utf8 { err, .. } => Error::Csv {
            path: path.to_path_buf(),
            line,
            message: format!("invalid UTF-8 in field {}", err.field() + 1),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::RaggedRow {
            path: path.to_path_buf(),
            line,
            expected: expected_len as usize,
            found: len as usize,
        },
        other => Error::Csv {
            path: path.to_path_buf(),
            line,
            message: format!("{other:?}"),
        },
    }
}

/// Decodes a field as UTF-8 text, trimmed of surrounding spaces.
///
/// # Errors
/// [`Error::Csv`] naming the line and column when the bytes are not UTF-8.
pub fn field_str<'a>(path: &Path, line: u64, column: &str, bytes: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(bytes)
        .map(|s| match (bytes.first(), bytes.last()) {
            // Most fields start and end with a visible ASCII character: nothing to trim, and
            // the Unicode-aware trim is costly on millions of fields.
            (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
            _ => s.trim(),
        })
        .map_err(|_| Error::Csv {
            path: path.to_path_buf(),
            line,
            message: format!("column \"{column}\" is not valid UTF-8"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Header, then each record's fields with its line number.
    type Read = (Vec<String>, Vec<(Vec<String>, u64)>);

    fn read_all(path: &Path) -> Result<Read> {
        let mut s = CsvStream::open(path, &CsvOptions::default())?;
        let headers = s.headers().to_vec();
        let mut rows = Vec::new();
        while let Some((rec, line)) = s.next_record()? {
            rows.push((
                rec.iter()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap())
                    .collect(),
                line,
            ));
        }
        Ok((headers, rows))
    }

    #[test]
    fn sniffs_the_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c"), b',');
        assert_eq!(sniff_delimiter(b"\"a;b\";c;d,e"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x,y\";z"), b';');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    #[test]
    fn reads_bom_crlf_quotes_and_semicolons() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.csv",
            b"\xEF\xBB\xBF\"id\";\"note\"\r\n1;\"a;b\"\r\n2;\"multi\r\nline\"\r\n3;x",
        );
        let (h, rows) = read_all(&p).unwrap();
        assert_eq!(h, vec!["id", "note"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, vec!["1", "a;b"]);
        assert_eq!(rows[1].1, 3);
        assert_eq!(rows[2], (vec!["3".to_string(), "x".to_string()], 5));
    }

    #[test]
    fn read_into_gives_the_records_and_lines_of_next_record() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.csv",
            b"id;note\r\n1;\"a;b\"\r\n2;\"multi\r\nline\"\r\n3;x\r\n4\r\n",
        );
        let mut s = CsvStream::open(&p, &CsvOptions::default()).unwrap();
        let mut rec = csv::ByteRecord::new();
        let mut got = Vec::new();
        let err = loop {
            match s.read_into(&mut rec) {
                Ok(Some(line)) => {
                    got.push((rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>(), line))
                }
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        let mut s = CsvStream::open(&p, &CsvOptions::default()).unwrap();
        let mut want = Vec::new();
        let want_err = loop {
            match s.next_record() {
                Ok(Some((r, line))) => {
                    want.push((r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>(), line))
                }
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        assert_eq!(got, want);
        assert_eq!(got.len(), 3);
        assert_eq!(got[2].1, 5, "the CRLF line count");
        assert!(
            matches!(err, Some(Error::RaggedRow { line: 6, .. })),
            "{err:?}"
        );
        assert!(matches!(want_err, Some(Error::RaggedRow { line: 6, .. })));
    }

    #[test]
    fn fields_are_trimmed_of_unicode_space_only_at_their_ends() {
        let p = Path::new("x.csv");
        assert_eq!(field_str(p, 2, "c", b"abc").unwrap(), "abc");
        assert_eq!(field_str(p, 2, "c", b"  a b ").unwrap(), "a b");
        assert_eq!(
            field_str(p, 2, "c", "\u{a0}x\u{a0}".as_bytes()).unwrap(),
            "x"
        );
        assert_eq!(field_str(p, 2, "c", "x\u{3000}".as_bytes()).unwrap(), "x");
        assert_eq!(field_str(p, 2, "c", b"").unwrap(), "");
        assert!(field_str(p, 2, "c", b"a\xffb").is_err());
    }

    #[test]
    fn reads_gzip_by_magic_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"a\tb\n1\t2\n").unwrap();
        let p = write(dir.path(), "t.csv.gz", &gz.finish().unwrap());
        let (h, rows) = read_all(&p).unwrap();
        assert_eq!(h, vec!["a", "b"]);
        assert_eq!(rows[0].0, vec!["1", "2"]);
    }

    #[test]
    fn gz_name_without_gzip_bytes_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "t.csv.gz", b"a,b\n1,2\n");
        assert!(matches!(read_all(&p), Err(Error::NotGzip { .. })));
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        writeln!(gz, "a,b").unwrap();
        for i in 0..5000 {
            writeln!(gz, "{i},{}", i * 7).unwrap();
        }
        let bytes = gz.finish().unwrap();
        let p = write(dir.path(), "t.csv.gz", &bytes[..bytes.len() / 2]);
        let r = read_all(&p);
        assert!(matches!(r, Err(Error::NotGzip { .. })), "{r:?}");
    }

    #[test]
    fn ragged_row_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "r.csv", b"a,b\n1,2\n3\n");
        match read_all(&p) {
            Err(Error::RaggedRow {
                line: 3,
                expected: 2,
                found: 1,
                ..
            }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn duplicate_headers_and_empty_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "d.csv", b"a,b,a\n1,2,3\n");
        assert!(matches!(
            read_all(&p),
            Err(Error::DuplicateHeader {
                first: 1,
                second: 3,
                ..
            })
        ));
        let p = write(dir.path(), "e.csv", b"");
        assert!(matches!(read_all(&p), Err(Error::EmptyFile { .. })));
        let p = write(dir.path(), "m.csv", b"");
        std::fs::remove_file(&p).unwrap();
        assert!(matches!(read_all(&p), Err(Error::Io { .. })));
    }

    #[test]
    fn unknown_column_suggests_a_near_name() {
        let headers = vec!["converted".to_string(), "region".to_string()];
        match column_index(Path::new("x.csv"), &headers, "Converted") {
            Err(Error::UnknownColumn { hint, .. }) => assert!(hint.contains("converted")),
            other => panic!("unexpected {other:?}"),
        }
    }
}
