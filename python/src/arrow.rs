//! A small reader of the Arrow C stream interface (the `__arrow_c_stream__` PyCapsule protocol
//! that pandas, pyarrow and polars implement), for the column types lead data has: floats,
//! integers, booleans, strings (`utf8`, `large_utf8`, `utf8_view`), all-null columns and
//! dictionaries of those (pandas categoricals). Written by hand against the C data interface
//! specification (<https://arrow.apache.org/docs/format/CDataInterface.html>) instead of
//! pulling in arrow-rs, whose build would dwarf this crate's.
//!
//! Columns become a [`Table`] of text, exactly as a CSV reads, so that every rule of the
//! library (type inference, missing values, levels, error messages) applies unchanged: numbers
//! are written in Rust's shortest round-trip notation (`4.0`, `0.1`), booleans as `True` and
//! `False` (as pandas writes them), NaN and nulls as missing.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};
use rayon::prelude::*;

use leadsim::data::{ColumnBuilder, Table};

use crate::errors::{Failure, Outcome};

#[repr(C)]
struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

/// An Arrow stream this crate owns (moved out of its capsule); released when dropped.
pub struct Stream(Box<ArrowArrayStream>);

// SAFETY: the C stream interface lets a consumer use a stream from any one thread at a time;
// `Stream` is only ever used by one thread (moved to the worker, never shared).
unsafe impl Send for Stream {}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the stream is valid until released, and released only here.
            unsafe { release(&mut *self.0) };
        }
    }
}

impl Stream {
    /// Moves the stream out of a capsule made by `__arrow_c_stream__()`: the capsule's copy is
    /// marked released, as the interface prescribes, so that it does not release it again.
    pub fn from_capsule(capsule: &Bound<'_, PyAny>) -> PyResult<Stream> {
        let capsule = capsule.cast::<PyCapsule>()?;
        let ptr = capsule
            .pointer_checked(Some(c"arrow_array_stream"))?
            .cast::<ArrowArrayStream>()
            .as_ptr();
        // SAFETY: a capsule named "arrow_array_stream" holds an `ArrowArrayStream`; moving it
        // out means copying the struct and clearing the source's release callback.
        unsafe {
            if (*ptr).release.is_none() {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "this Arrow stream was already consumed",
                ));
            }
            let stream = std::ptr::read(ptr);
            (*ptr).release = None;
            Ok(Stream(Box::new(stream)))
        }
    }

    fn last_error(&mut self) -> String {
        let message = self.0.get_last_error.and_then(|f| {
            // SAFETY: the callback returns null or a NUL-terminated string valid until the
            // next call on the stream.
            let p = unsafe { f(&mut *self.0) };
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        });
        message.unwrap_or_else(|| "no message".into())
    }
}

/// A schema this crate owns; released when dropped.
struct Schema(ArrowSchema);

impl Drop for Schema {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: valid until released, released only here.
            unsafe { release(&mut self.0) };
        }
    }
}

/// A batch this crate owns; released when dropped.
struct Batch(ArrowArray);

impl Drop for Batch {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: valid until released, released only here.
            unsafe { release(&mut self.0) };
        }
    }
}

/// An Arrow array borrowed from a batch, to be read by one thread.
#[derive(Clone, Copy)]
struct ArrayRef(*const ArrowArray);

// SAFETY: the arrays of a batch are immutable while the batch lives, and every column is read
// by one thread only; the batch outlives the parallel section.
unsafe impl Send for ArrayRef {}
unsafe impl Sync for ArrayRef {}

/// Integer types, as indices of dictionaries or as values.
#[derive(Clone, Copy, Debug)]
enum Int {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

/// The column types this reader knows.
#[derive(Clone, Debug)]
enum Kind {
    Null,
    Bool,
    Int(Int),
    Float32,
    Float64,
    Utf8,
    LargeUtf8,
    Utf8View,
    Dictionary { index: Int, values: Box<Kind> },
}

fn int_of(format: &str) -> Option<Int> {
    Some(match format {
        "c" => Int::I8,
        "s" => Int::I16,
        "i" => Int::I32,
        "l" => Int::I64,
        "C" => Int::U8,
        "S" => Int::U16,
        "I" => Int::U32,
        "L" => Int::U64,
        _ => return None,
    })
}

/// The kind of a column's schema, or its format string when this reader does not know it.
///
/// # Safety
/// `schema` must be a valid, unreleased Arrow schema.
unsafe fn kind_of(schema: &ArrowSchema) -> Result<Kind, String> {
    let format = CStr::from_ptr(schema.format).to_string_lossy().into_owned();
    if !schema.dictionary.is_null() {
        let index = int_of(&format).ok_or_else(|| format.clone())?;
        let values = kind_of(&*schema.dictionary)?;
        if matches!(values, Kind::Dictionary { .. }) {
            return Err(format);
        }
        return Ok(Kind::Dictionary {
            index,
            values: Box::new(values),
        });
    }
    if let Some(i) = int_of(&format) {
        return Ok(Kind::Int(i));
    }
    Ok(match format.as_str() {
        "n" => Kind::Null,
        "b" => Kind::Bool,
        "f" => Kind::Float32,
        "g" => Kind::Float64,
        "u" => Kind::Utf8,
        "U" => Kind::LargeUtf8,
        "vu" => Kind::Utf8View,
        _ => return Err(format),
    })
}

/// One value as the reader sees it.
enum Value<'a> {
    Missing,
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Float32(f32),
    Float64(f64),
    Text(&'a [u8]),
}

/// Reads `len` values of `array` starting at logical position `start` (the parent's offset),
/// calling `f` with each. Returns an error text for a malformed array.
///
/// # Safety
/// `array` must be a valid, unreleased Arrow array of kind `kind`, with at least
/// `start + len` values.
unsafe fn for_each(
    kind: &Kind,
    array: &ArrowArray,
    start: usize,
    len: usize,
    f: &mut dyn FnMut(usize, Value<'_>) -> Result<(), String>,
) -> Result<(), String> {
    if len == 0 {
        return Ok(());
    }
    if (array.offset as usize + start + len) as i64 > array.offset + array.length {
        return Err("an array is shorter than its batch".into());
    }
    let base = array.offset as usize + start;
    let buffers = std::slice::from_raw_parts(array.buffers, array.n_buffers.max(0) as usize);
    let buffer = |i: usize| -> Result<*const u8, String> {
        match buffers.get(i) {
            Some(p) if !p.is_null() => Ok(p.cast::<u8>()),
            _ => Err(format!("buffer {i} is missing")),
        }
    };
    let validity = match kind {
        Kind::Null => None,
        _ => buffers.first().copied().filter(|p| !p.is_null()),
    };
    let bit = |bits: *const u8, j: usize| (*bits.add(j / 8) >> (j % 8)) & 1 == 1;
    let valid = |i: usize| validity.is_none_or(|v| bit(v.cast(), base + i));
    macro_rules! fixed {
        ($t:ty, $wrap:expr) => {{
            let data = buffer(1)?.cast::<$t>();
            for i in 0..len {
                let v = if valid(i) {
                    $wrap(*data.add(base + i))
                } else {
                    Value::Missing
                };
                f(i, v)?;
            }
        }};
    }
    match kind {
        Kind::Null => {
            for i in 0..len {
                f(i, Value::Missing)?;
            }
        }
        Kind::Bool => {
            let data = buffer(1)?;
            for i in 0..len {
                let v = if valid(i) {
                    Value::Bool(bit(data, base + i))
                } else {
                    Value::Missing
                };
                f(i, v)?;
            }
        }
        Kind::Int(Int::I8) => fixed!(i8, |x| Value::Signed(i64::from(x))),
        Kind::Int(Int::I16) => fixed!(i16, |x| Value::Signed(i64::from(x))),
        Kind::Int(Int::I32) => fixed!(i32, |x| Value::Signed(i64::from(x))),
        Kind::Int(Int::I64) => fixed!(i64, Value::Signed),
        Kind::Int(Int::U8) => fixed!(u8, |x| Value::Unsigned(u64::from(x))),
        Kind::Int(Int::U16) => fixed!(u16, |x| Value::Unsigned(u64::from(x))),
        Kind::Int(Int::U32) => fixed!(u32, |x| Value::Unsigned(u64::from(x))),
        Kind::Int(Int::U64) => fixed!(u64, Value::Unsigned),
        Kind::Float32 => fixed!(f32, Value::Float32),
        Kind::Float64 => fixed!(f64, Value::Float64),
        Kind::Utf8 | Kind::LargeUtf8 => {
            let offsets = buffer(1)?;
            let data = buffers
                .get(2)
                .copied()
                .unwrap_or(std::ptr::null())
                .cast::<u8>();
            let large = matches!(kind, Kind::LargeUtf8);
            let at = |j: usize| -> usize {
                if large {
                    *offsets.cast::<i64>().add(j) as usize
                } else {
                    *offsets.cast::<i32>().add(j) as usize
                }
            };
            for i in 0..len {
                let v = if valid(i) {
                    let (a, b) = (at(base + i), at(base + i + 1));
                    if b < a || (b > a && data.is_null()) {
                        return Err("string offsets are out of order".into());
                    }
                    Value::Text(if b == a {
                        &[]
                    } else {
                        std::slice::from_raw_parts(data.add(a), b - a)
                    })
                } else {
                    Value::Missing
                };
                f(i, v)?;
            }
        }
        Kind::Utf8View => {
            // 16-byte views: length, then the bytes inline (up to 12) or a 4-byte prefix, the
            // index of the data buffer (which follow the views) and the offset in it.
            let views = buffer(1)?;
            for i in 0..len {
                let v = if valid(i) {
                    let view = views.add(16 * (base + i));
                    let n = view.cast::<i32>().read_unaligned() as usize;
                    if n <= 12 {
                        Value::Text(std::slice::from_raw_parts(view.add(4), n))
                    } else {
                        let b = view.add(8).cast::<i32>().read_unaligned() as usize;
                        let o = view.add(12).cast::<i32>().read_unaligned() as usize;
                        Value::Text(std::slice::from_raw_parts(buffer(2 + b)?.add(o), n))
                    }
                } else {
                    Value::Missing
                };
                f(i, v)?;
            }
        }
        Kind::Dictionary { index, values } => {
            if array.dictionary.is_null() {
                return Err("a dictionary array has no dictionary".into());
            }
            let dict = &*array.dictionary;
            let mut levels: Vec<String> = Vec::with_capacity(dict.length as usize);
            for_each(values, dict, 0, dict.length as usize, &mut |_, v| {
                append(&mut levels, &v)
            })?;
            let ints = Kind::Int(*index);
            let mut g = |i: usize, v: Value<'_>| -> Result<(), String> {
                let k = match v {
                    Value::Missing => return f(i, Value::Missing),
                    Value::Signed(k) if k >= 0 => k as usize,
                    Value::Unsigned(k) => k as usize,
                    _ => return Err("a negative dictionary index".into()),
                };
                match levels.get(k) {
                    Some(s) => f(i, Value::Text(s.as_bytes())),
                    None => Err("a dictionary index past the dictionary".into()),
                }
            };
            for_each(&ints, array, start, len, &mut g)?;
        }
    }
    Ok(())
}

/// Where values go: a table's column, or the levels of a dictionary.
trait Sink {
    fn missing(&mut self);
    fn text(&mut self, s: &str);
    fn formatted(&mut self, args: std::fmt::Arguments<'_>);
}

impl Sink for ColumnBuilder {
    fn missing(&mut self) {
        self.push_missing();
    }
    fn text(&mut self, s: &str) {
        self.push(s);
    }
    fn formatted(&mut self, args: std::fmt::Arguments<'_>) {
        self.push_fmt(args);
    }
}

/// Dictionary levels; a missing level is the empty text, which a table reads as missing.
impl Sink for Vec<String> {
    fn missing(&mut self) {
        self.push(String::new());
    }
    fn text(&mut self, s: &str) {
        self.push(s.trim().to_string());
    }
    fn formatted(&mut self, args: std::fmt::Arguments<'_>) {
        self.push(args.to_string());
    }
}

/// Appends one value as text: the one place that decides how values read.
fn append(sink: &mut impl Sink, v: &Value<'_>) -> Result<(), String> {
    match *v {
        Value::Missing => sink.missing(),
        Value::Bool(b) => sink.text(if b { "True" } else { "False" }),
        Value::Signed(x) => sink.formatted(format_args!("{x}")),
        Value::Unsigned(x) => sink.formatted(format_args!("{x}")),
        // NaN is pandas' missing value; infinities stay, and are refused as in a CSV.
        Value::Float32(x) if x.is_nan() => sink.missing(),
        Value::Float64(x) if x.is_nan() => sink.missing(),
        Value::Float32(x) => sink.formatted(format_args!("{x:?}")),
        Value::Float64(x) => sink.formatted(format_args!("{x:?}")),
        Value::Text(bytes) => {
            sink.text(std::str::from_utf8(bytes).map_err(|_| "text that is not valid UTF-8")?)
        }
    }
    Ok(())
}

/// Reads every batch of `stream` into a table named `source` in messages. Checks `cancel`
/// between batches.
pub fn read_table(mut stream: Stream, source: &str, cancel: &AtomicBool) -> Outcome<Table> {
    let malformed =
        |what: String| Failure::Input(format!("{source}: malformed Arrow data: {what}"));
    // SAFETY: every pointer below comes from the producer through the C data interface, which
    // guarantees valid, unreleased structures until their release callbacks are called.
    unsafe {
        let get_schema = stream
            .0
            .get_schema
            .ok_or_else(|| malformed("no get_schema".into()))?;
        let get_next = stream
            .0
            .get_next
            .ok_or_else(|| malformed("no get_next".into()))?;
        let mut schema = Schema(std::mem::zeroed());
        if get_schema(&mut *stream.0, &mut schema.0) != 0 {
            return Err(malformed(stream.last_error()));
        }
        let format = CStr::from_ptr(schema.0.format).to_string_lossy();
        if format != "+s" {
            return Err(Failure::Input(format!(
                "{source}: expected a table (an Arrow struct of columns), found Arrow type \"{format}\""
            )));
        }
        let fields = std::slice::from_raw_parts(schema.0.children, schema.0.n_children as usize);
        let mut kinds = Vec::with_capacity(fields.len());
        let mut columns = Vec::with_capacity(fields.len());
        for &field in fields {
            let field = &*field;
            let name = if field.name.is_null() {
                String::new()
            } else {
                CStr::from_ptr(field.name).to_string_lossy().into_owned()
            };
            let kind = kind_of(field).map_err(|format| {
                Failure::Input(format!(
                    "{source}: column \"{name}\" has Arrow type \"{format}\", which leadsim does not read (it reads numbers, booleans, text and categoricals); convert it first, e.g. to text"
                ))
            })?;
            kinds.push(kind);
            columns.push(ColumnBuilder::new(name));
        }
        loop {
            let mut batch = Batch(std::mem::zeroed());
            if get_next(&mut *stream.0, &mut batch.0) != 0 {
                return Err(malformed(stream.last_error()));
            }
            if batch.0.release.is_none() {
                break;
            }
            if batch.0.n_children as usize != columns.len() {
                return Err(malformed(format!(
                    "a batch has {} columns, the schema {}",
                    batch.0.n_children,
                    columns.len()
                )));
            }
            let children: Vec<ArrayRef> =
                std::slice::from_raw_parts(batch.0.children, columns.len())
                    .iter()
                    .map(|&a| ArrayRef(a))
                    .collect();
            let (start, len) = (batch.0.offset as usize, batch.0.length as usize);
            // Columns are independent: convert them in parallel.
            columns
                .par_iter_mut()
                .zip(kinds.par_iter())
                .zip(children.par_iter())
                .try_for_each(|((column, kind), array)| {
                    let array = &*array.0;
                    for_each(kind, array, start, len, &mut |_, v| append(column, &v)).map_err(
                        |what| {
                            Failure::Input(format!(
                                "{source}: column \"{}\", row {} (0-based): {what}",
                                column.name(),
                                column.len()
                            ))
                        },
                    )
                })?;
            drop(batch);
            if cancel.load(Ordering::Relaxed) {
                return Err(Failure::Leadsim(leadsim::Error::Cancelled));
            }
        }
        drop(schema);
        Ok(Table::from_columns(source, columns)?)
    }
}
