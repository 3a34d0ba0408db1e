//! The fast path of [`Table::load`]: a file with no quote character and no bare carriage
//! return holds exactly one record per line, so it can be cut at line breaks and the pieces
//! read on every core. A file that turns out to have a quote (anywhere: checked block by block
//! before a block is read) is read again from the start by the record-by-record reader, so the
//! two paths give the same table, the same first error and the same line numbers (tested
//! against each other in `tests`).
//!
//! [`Table::load`]: crate::data::Table::load

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::data::source::{is_decimal_comma, map_read_error, open_bytes};
use crate::data::table::TextColumn;
use crate::error::{Error, Result};

/// Bytes handed to the cores at a time: large enough that splitting and joining cost little,
/// small enough that the copy held beside the table stays bounded.
/// (Tiny in unit tests, so that they cross block and piece boundaries.)
const BLOCK: usize = if cfg!(test) { 4096 } else { 8 << 20 };
/// The smallest piece one task reads.
const MIN_PIECE: usize = if cfg!(test) { 64 } else { 256 << 10 };

/// What the plain path read: the columns' text, each row's line, the field bytes.
pub(super) struct PlainRead {
    pub columns: Vec<TextColumn>,
    pub lines: Vec<u64>,
    pub bytes: u64,
}

/// Reads the records of `path` after its header (whose `headers` the caller has already read
/// and checked) when the file is plain, `Ok(None)` when it is not (a quote, a bare `\r`, or a
/// header that is not one plain line). `decimal_comma` turns `9,7` into `9.7` as the
/// record-by-record reader does.
pub(super) fn read(
    path: &Path,
    headers: &[String],
    delimiter: u8,
    decimal_comma: bool,
    progress: Option<&dyn Fn(u64)>,
) -> Result<Option<PlainRead>> {
    let (mut source, consumed, size) = open_bytes(path)?;
    let (tx, rx) = sync_channel::<std::io::Result<Vec<u8>>>(1);
    std::thread::scope(|scope| {
        // Reading (and decompressing) the next block overlaps with parsing this one.
        let reader = scope.spawn(move || {
            let mut tail: Vec<u8> = Vec::new();
            loop {
                let mut block = std::mem::take(&mut tail);
                let start = block.len();
                block.resize(start + BLOCK, 0);
                let (got, failed) = fill(&mut source, &mut block[start..]);
                block.truncate(start + got);
                if let Some(e) = failed {
                    // The whole lines before a read error (a corrupt gzip stream) still come
                    // first, as the record reader would read them before failing.
                    block.truncate(memchr::memrchr(b'\n', &block).map_or(0, |i| i + 1));
                    if !block.is_empty() {
                        let _ = tx.send(Ok(block));
                    }
                    let _ = tx.send(Err(e));
                    return;
                }
                let last = got < BLOCK;
                if !last {
                    // Whole lines only: the bytes after the last line break start the next block.
                    // (No line break at all: a line longer than a block, read on.)
                    if let Some(i) = memchr::memrchr(b'\n', &block) {
                        tail = block.split_off(i + 1);
                    }
                    if tail.is_empty() && block.last() != Some(&b'\n') {
                        tail = std::mem::take(&mut block);
                        continue;
                    }
                }
                if tx.send(Ok(block)).is_err() || last {
                    return;
                }
            }
        });
        let size_hint = (size, consumed.as_ref());
        let result = parse_blocks(
            &rx,
            path,
            headers,
            delimiter,
            decimal_comma,
            size_hint,
            progress,
        );
        // Stop the reader (it may be blocked sending a block nobody will take).
        drop(rx);
        reader.join().expect("the block reader does not panic");
        result
    })
}

fn parse_blocks(
    rx: &std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    path: &Path,
    headers: &[String],
    delimiter: u8,
    decimal_comma: bool,
    (file_size, consumed): (u64, &std::sync::atomic::AtomicU64),
    progress: Option<&dyn Fn(u64)>,
) -> Result<Option<PlainRead>> {
    let width = headers.len();
    let mut reserved = false;
    let mut out = PlainRead {
        columns: vec![TextColumn::default(); width],
        lines: Vec::new(),
        bytes: 0,
    };
    // Line 1 is the header; `line` is the line the next unread byte is on.
    let mut line: u64 = 1;
    let mut header_done = false;
    // A few pieces per core, so that a core that finishes early takes another.
    let pieces_per_block = rayon::current_num_threads().max(1) * 4;
    for block in rx.iter() {
        let block = block.map_err(|e| map_read_error(path, e))?;
        let mut body: &[u8] = &block;
        if !header_done {
            // The header line: plain too, or the record reader reads the whole file.
            let Some(end) = memchr::memchr(b'\n', body) else {
                return Ok(None);
            };
            let head = &body[..end];
            let head = head.strip_suffix(b"\r").unwrap_or(head);
            if memchr::memchr2(b'"', b'\r', head).is_some() {
                return Ok(None);
            }
            body = &body[end + 1..];
            line = 2;
            header_done = true;
        }
        if !is_plain(body) {
            return Ok(None);
        }
        let pieces = split_at_lines(body, pieces_per_block);
        let parsed: Vec<Piece> = pieces
            .par_iter()
            .map(|p| parse_piece(p, width, delimiter, decimal_comma))
            .collect();
        for piece in &parsed {
            if let Some(e) = &piece.error {
                return Err(e.to_error(path, headers, line));
            }
            out.lines
                .extend(piece.lines.iter().map(|&l| line + u64::from(l)));
            out.bytes += piece.bytes;
            line += piece.line_breaks;
        }
        // Join: every column on its own task, pieces in file order.
        let parsed = &parsed;
        out.columns.par_iter_mut().enumerate().for_each(|(c, col)| {
            for piece in parsed {
                let part = &piece.columns[c];
                let shift = col.text.len();
                col.text.push_str(&part.text);
                col.ends.extend(part.ends.iter().map(|&e| e + shift));
            }
        });
        if !reserved {
            reserved = true;
            // The whole file's columns, estimated from the first block and the share of the
            // file read so far (read ahead included, so low rather than high): one allocation
            // each instead of a copy at every doubling.
            let read = consumed.load(std::sync::atomic::Ordering::Relaxed);
            let rows = out.lines.len() as u64;
            if read > 0 && rows > 0 && file_size > read {
                let total = u128::from(rows) * u128::from(file_size) / u128::from(read);
                let more = usize::try_from(total)
                    .unwrap_or(0)
                    .saturating_sub(out.lines.len());
                out.lines.reserve(more);
                out.columns.par_iter_mut().for_each(|col| {
                    let per_row = col.text.len() / col.ends.len().max(1);
                    col.ends.reserve(more);
                    col.text.reserve(more.saturating_mul(per_row + 1));
                });
            }
        }
        if let Some(p) = progress {
            p(out.lines.len() as u64);
        }
    }
    if !header_done {
        // No line break at all: a header without rows, left to the record reader's message.
        return Ok(None);
    }
    Ok(Some(out))
}

/// Reads until `buf` is full or the input ends: the bytes read, and the error that stopped it
/// early, if one did.
fn fill(source: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match source.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

/// No quote, and every `\r` ends a line (`\r\n`, or the last byte).
fn is_plain(bytes: &[u8]) -> bool {
    if memchr::memchr(b'"', bytes).is_some() {
        return false;
    }
    memchr::memchr_iter(b'\r', bytes).all(|i| i + 1 == bytes.len() || bytes[i + 1] == b'\n')
}

/// Cuts `bytes` into about `parts` pieces, each ending with a line break (but the last).
fn split_at_lines(bytes: &[u8], parts: usize) -> Vec<&[u8]> {
    let size = (bytes.len() / parts).max(MIN_PIECE);
    let mut out = Vec::with_capacity(parts + 1);
    let mut rest = bytes;
    while rest.len() > size {
        match memchr::memchr(b'\n', &rest[size..]) {
            Some(i) => {
                let (a, b) = rest.split_at(size + i + 1);
                out.push(a);
                rest = b;
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// One piece's records, line numbers relative to the piece's first line (0).
struct Piece {
    columns: Vec<TextColumn>,
    lines: Vec<u32>,
    line_breaks: u64,
    bytes: u64,
    error: Option<PieceError>,
}

/// The first bad record of a piece, at a line relative to the piece's start.
enum PieceError {
    Ragged { line: u64, found: usize },
    Utf8 { line: u64, field: usize },
}

impl PieceError {
    fn to_error(&self, path: &Path, headers: &[String], first_line: u64) -> Error {
        match *self {
            PieceError::Ragged { line, found } => Error::RaggedRow {
                path: path.to_path_buf(),
                line: first_line + line,
                expected: headers.len(),
                found,
            },
            PieceError::Utf8 { line, field } => Error::Csv {
                path: path.to_path_buf(),
                line: first_line + line,
                message: format!("column \"{}\" is not valid UTF-8", headers[field]),
            },
        }
    }
}

fn parse_piece(bytes: &[u8], width: usize, delimiter: u8, decimal_comma: bool) -> Piece {
    let line_breaks = memchr::memchr_iter(b'\n', bytes).count();
    // Sized from the bytes: each field's text, and an end offset per line.
    let mut columns: Vec<TextColumn> = (0..width)
        .map(|_| TextColumn {
            text: String::with_capacity(bytes.len() / width + 16),
            ends: Vec::with_capacity(line_breaks + 1),
        })
        .collect();
    let mut lines = Vec::with_capacity(line_breaks + 1);
    let mut bytes_read = 0u64;
    let mut error = None;
    let mut dotted = String::new();
    // The whole piece is checked as UTF-8 at once; only the line holding the first invalid
    // byte (if any) is looked at field by field, after that line's own ragged check.
    let (text, bad_from) = match std::str::from_utf8(bytes) {
        Ok(text) => (text, usize::MAX),
        Err(e) => {
            let valid = e.valid_up_to();
            // The lines before the invalid byte are whole and valid.
            let cut = memchr::memrchr(b'\n', &bytes[..valid]).map_or(0, |i| i + 1);
            let text = std::str::from_utf8(&bytes[..cut]).expect("valid up to here");
            (text, cut)
        }
    };
    let mut index = 0u32;
    let mut start = 0usize;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let raw = &bytes[start..end];
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line_start = start;
        start = end + 1;
        let here = index;
        index += 1;
        if raw.is_empty() {
            // A blank line is no record (as the CSV reader skips it).
            continue;
        }
        let found = || raw.iter().filter(|&&b| b == delimiter).count() + 1;
        if line_start >= bad_from {
            let found = found();
            error = Some(if found != width {
                PieceError::Ragged {
                    line: u64::from(here),
                    found,
                }
            } else {
                let field = raw
                    .split(|&b| b == delimiter)
                    .position(|f| std::str::from_utf8(f).is_err())
                    .expect("an invalid line has an invalid field");
                PieceError::Utf8 {
                    line: u64::from(here),
                    field,
                }
            });
            break;
        }
        // A valid text cut at ASCII bytes gives valid fields.
        let line = &text[line_start..line_start + raw.len()];
        let mut col = 0usize;
        let mut from = 0usize;
        let mut ragged = false;
        for (i, &b) in raw.iter().enumerate() {
            if b == delimiter {
                if col + 1 == width {
                    ragged = true;
                    break;
                }
                push_field(
                    &mut columns[col],
                    &line[from..i],
                    decimal_comma,
                    &mut dotted,
                    &mut bytes_read,
                );
                col += 1;
                from = i + 1;
            }
        }
        if ragged || col + 1 != width {
            error = Some(PieceError::Ragged {
                line: u64::from(here),
                found: found(),
            });
            break;
        }
        push_field(
            &mut columns[col],
            &line[from..],
            decimal_comma,
            &mut dotted,
            &mut bytes_read,
        );
        lines.push(here);
    }
    Piece {
        columns,
        lines,
        line_breaks: line_breaks as u64,
        bytes: bytes_read,
        error,
    }
}

/// Appends one field as the CSV reader reads it: decimal commas made points (when asked),
/// surrounding whitespace trimmed.
#[inline(always)]
fn push_field(
    col: &mut TextColumn,
    field: &str,
    decimal_comma: bool,
    dotted: &mut String,
    bytes_read: &mut u64,
) {
    let field = if decimal_comma && is_decimal_comma(field.as_bytes()) {
        dotted.clear();
        dotted.extend(field.chars().map(|c| if c == ',' { '.' } else { c }));
        dotted.as_str()
    } else {
        field
    };
    // Most fields have nothing to trim: skip the Unicode-aware trim for them.
    let bytes = field.as_bytes();
    let plain = |b: Option<&u8>| !matches!(b, Some(b) if !b.is_ascii_graphic());
    let field = if plain(bytes.first()) && plain(bytes.last()) {
        field
    } else {
        field.trim()
    };
    *bytes_read += field.len() as u64;
    col.text.push_str(field);
    col.ends.push(col.text.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{CsvOptions, CsvStream, Table};
    use std::io::Write;

    type Rows = (Vec<Vec<String>>, Vec<u64>, u64);

    fn plain_path(path: &Path, options: &CsvOptions) -> Result<Option<Rows>> {
        let stream = CsvStream::open(path, options)?;
        let read = read(
            path,
            stream.headers(),
            stream.delimiter(),
            options.decimal_comma == Some(true),
            None,
        )?;
        Ok(read.map(|r| (texts(&r.columns, r.lines.len()), r.lines, r.bytes)))
    }

    fn record_path(path: &Path, options: &CsvOptions) -> Result<Rows> {
        let mut stream = CsvStream::open(path, options)?;
        let headers = stream.headers().to_vec();
        let (columns, lines, bytes) = Table::read_records(&mut stream, &headers, None)?;
        Ok((texts(&columns, lines.len()), lines, bytes))
    }

    fn texts(columns: &[TextColumn], rows: usize) -> Vec<Vec<String>> {
        columns
            .iter()
            .map(|c| (0..rows).map(|r| c.get(r).to_string()).collect())
            .collect()
    }

    /// The plain path reads `bytes` (it must take it) exactly as the record reader does: the
    /// same texts, lines and byte count, or the same error.
    fn same(bytes: &[u8], options: &CsvOptions, gz: bool) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(if gz { "t.csv.gz" } else { "t.csv" });
        if gz {
            let mut e = flate2::write::GzEncoder::new(
                std::fs::File::create(&path).unwrap(),
                flate2::Compression::fast(),
            );
            e.write_all(bytes).unwrap();
            e.finish().unwrap();
        } else {
            std::fs::write(&path, bytes).unwrap();
        }
        let mut want = record_path(&path, options).map_err(|e| e.to_string());
        if let Ok(w) = &mut want {
            // The record reader does not count blank lines (the csv crate's record positions
            // skip them); the plain path gives the true line, which is this.
            w.1 = true_lines(bytes);
        }
        let got = plain_path(&path, options).map_err(|e| e.to_string());
        let got = got.map(|g| g.expect("a plain file takes the plain path"));
        assert_eq!(
            got,
            want,
            "{:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        );
    }

    /// The 1-based lines of the non-blank lines after the header.
    fn true_lines(bytes: &[u8]) -> Vec<u64> {
        bytes
            .split(|&b| b == b'\n')
            .enumerate()
            .skip(1)
            .filter(|(_, l)| !l.is_empty() && *l != b"\r")
            .map(|(i, _)| i as u64 + 1)
            .collect()
    }

    fn file(rows: usize, eol: &str, blank_every: usize) -> Vec<u8> {
        let mut s = format!("id, score ,plan{eol}");
        for i in 0..rows {
            if blank_every > 0 && i % blank_every == 0 {
                s.push_str(eol);
            }
            s.push_str(&format!("{i}, {}.{} ,p{}{eol}", i % 97, i % 7, i % 5));
        }
        s.into_bytes()
    }

    #[test]
    fn reads_plain_files_as_the_record_reader_does() {
        let o = CsvOptions::default();
        for eol in ["\n", "\r\n"] {
            for blank in [0, 1, 37] {
                for rows in [1, 3, 1000, 5000] {
                    let bytes = file(rows, eol, blank);
                    same(&bytes, &o, false);
                    // Without the last line break.
                    same(&bytes[..bytes.len() - eol.len()], &o, false);
                }
            }
            same(&file(3000, eol, 11), &o, true);
        }
        // A byte-order mark, trailing blank lines, empty fields.
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(file(700, "\n", 0));
        bom.extend(b"\n\n,,\n\n");
        same(&bom, &o, false);
    }

    #[test]
    fn gives_the_record_readers_first_error() {
        let o = CsvOptions::default();
        for at in [0, 1, 150, 2999] {
            let mut rows: Vec<String> = (0..3000).map(|i| format!("{i},{},x", i % 9)).collect();
            let ragged = rows.clone();
            rows[at] = format!("{at},1");
            let mut bytes = format!("a,b,c\n{}\n", rows.join("\n")).into_bytes();
            same(&bytes, &o, false);
            // Invalid UTF-8 in the third field of a later row, and then alone.
            let pos = bytes.len() - 3;
            bytes[pos] = 0xFF;
            same(&bytes, &o, false);
            let mut bytes = format!("a,b,c\n{}\n", ragged.join("\n")).into_bytes();
            let row_start = 6 + ragged[..at].iter().map(|r| r.len() + 1).sum::<usize>();
            bytes[row_start + ragged[at].len() - 1] = 0xC3;
            same(&bytes, &o, false);
        }
    }

    /// A gzip stream cut short: the rows before the cut are read (a ragged one among them is
    /// the first error), then the stream's own error, as the record reader reports them.
    #[test]
    fn a_truncated_gzip_fails_where_the_record_reader_does() {
        let o = CsvOptions::default();
        let dir = tempfile::tempdir().unwrap();
        for ragged in [false, true] {
            // Shorter than a block once inflated, so the cut falls in the first read.
            let mut rows: Vec<String> = (0..400).map(|i| format!("{i},{}", i % 9)).collect();
            if ragged {
                rows[10] = "10".into();
            }
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(format!("a,b\n{}\n", rows.join("\n")).as_bytes())
                .unwrap();
            let gz = e.finish().unwrap();
            let path = dir.path().join("cut.csv.gz");
            std::fs::write(&path, &gz[..gz.len() * 2 / 3]).unwrap();
            let want = record_path(&path, &o)
                .map(|_| ())
                .map_err(|e| e.to_string());
            let got = plain_path(&path, &o).map(|_| ()).map_err(|e| e.to_string());
            assert!(want.is_err(), "{want:?}");
            assert_eq!(got, want);
        }
    }

    #[test]
    fn decimal_commas_when_asked() {
        let mut s = String::from("a;b\n");
        for i in 0..2000 {
            s.push_str(&format!("{},{};x,y\n", i, i % 10));
        }
        let o = CsvOptions {
            decimal_comma: Some(true),
            ..CsvOptions::default()
        };
        same(s.as_bytes(), &o, false);
    }

    #[test]
    fn leaves_quotes_and_bare_returns_to_the_record_reader() {
        let o = CsvOptions::default();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.csv");
        let mut late_quote = file(5000, "\n", 0);
        late_quote.extend(b"9,\"a,b\",c\n");
        for bytes in [
            late_quote,
            b"a,b\r1,2\r3,4\r".to_vec(),
            b"a,b\n1,2\r3,4\n".to_vec(),
            b"\"a\",b\n1,2\n".to_vec(),
            b"a,b".to_vec(),
        ] {
            std::fs::write(&path, &bytes).unwrap();
            assert!(plain_path(&path, &o).unwrap().is_none(), "{bytes:?}");
        }
        // And the table is the record reader's.
        std::fs::write(&path, b"a,b\n1,\"x\ny\"\n2,z\n").unwrap();
        let t = Table::load(&path, &o, None).unwrap();
        assert_eq!((t.value(0, 1), t.line(1)), ("x\ny", 4));
    }
}
